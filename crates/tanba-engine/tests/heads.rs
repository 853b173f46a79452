//! Divergence between nodes (R-IS-22, issue 15): a node compares the heads the other nodes
//! published with its own log at the same sequences (a head beyond its log once it gets
//! there), and stops when at least half the nodes on the board differ from it.

mod support;

use support::{World, category};
use tanba_engine::heads::{
    HeadBoard, HeadWatch, MemoryHeadBoard, NodeName, PublishedHead, Verdict,
};
use tanba_store::Store;

fn name(text: &str) -> NodeName {
    NodeName::parse(text).unwrap()
}

/// A node that applied `categories`, in order, after the same start as every other.
fn node(categories: &[&str]) -> World {
    let mut world = World::new(7);
    for code in categories {
        world.system(category(code)).unwrap();
    }
    world
}

fn head_of(node_name: &str, world: &World) -> PublishedHead {
    let head = tanba_engine::log::stored_head(world.store.snapshot().as_ref()).unwrap();
    PublishedHead::of(&name(node_name), 1, head)
}

/// A fresh watch's verdict.
fn verdict(own: &str, world: &World, heads: &[PublishedHead]) -> Verdict {
    HeadWatch::default()
        .judge(world.store.snapshot().as_ref(), &name(own), heads)
        .unwrap()
}

#[test]
fn r_is_22_a_node_that_differs_from_the_majority_stops_and_the_majority_goes_on() {
    let a = node(&["beer", "wine"]);
    let b = node(&["beer", "wine"]);
    let c = node(&["beer", "vodka"]);
    let board = MemoryHeadBoard::default();
    for (node_name, world) in [("a", &a), ("b", &b), ("c", &c)] {
        board.publish(&head_of(node_name, world)).unwrap();
    }
    let heads = board.heads().unwrap();
    assert_eq!(heads.len(), 3, "one head per node, the latest");
    let agreed = Verdict::Agreed {
        compared: 2,
        differing: 1,
    };
    assert_eq!(verdict("a", &a, &heads), agreed);
    assert_eq!(verdict("b", &b, &heads), agreed);
    match verdict("c", &c, &heads) {
        Verdict::Diverged {
            differing_count,
            agreeing_count,
            own_hash,
            differing,
        } => {
            assert_eq!((differing_count, agreeing_count), (2, 0));
            assert_eq!(own_hash, head_of("c", &c).hash);
            assert_ne!(differing.hash, own_hash);
        }
        other => panic!("c differs from both others: {other:?}"),
    }
}

#[test]
fn r_is_22_a_node_given_twice_on_the_board_counts_once() {
    let a = node(&["beer", "wine"]);
    let b = node(&["beer", "wine"]);
    let c = node(&["beer", "vodka"]);
    // The differing node twice (as a board replaying an old entry, or a forger copying one
    // might give it): counted twice it would be half of four nodes, and stop `a`.
    let heads = [head_of("b", &b), head_of("c", &c), head_of("c", &c)];
    assert_eq!(
        verdict("a", &a, &heads),
        Verdict::Agreed {
            compared: 2,
            differing: 1,
        }
    );
    // Nor does this node's own name on the board count as another node.
    let with_own = [head_of("a", &c), head_of("b", &b)];
    assert_eq!(
        verdict("a", &a, &with_own),
        Verdict::Agreed {
            compared: 1,
            differing: 0,
        }
    );
}

#[test]
fn r_is_22_two_nodes_that_differ_both_stop() {
    let a = node(&["beer"]);
    let c = node(&["vodka"]);
    let heads = [head_of("a", &a), head_of("c", &c)];
    assert!(matches!(verdict("a", &a, &heads), Verdict::Diverged { .. }));
    assert!(matches!(verdict("c", &c, &heads), Verdict::Diverged { .. }));
}

#[test]
fn r_is_22_a_head_further_on_is_compared_once_the_log_reaches_it() {
    // A node behind a wrong node: the wrong node's head is beyond its log at first.
    let mut behind = node(&["beer"]);
    let wrong_ahead = node(&["beer", "vodka", "rum"]);
    let heads = [head_of("behind", &behind), head_of("wrong", &wrong_ahead)];
    let mut watch = HeadWatch::default();
    let unknown = Verdict::Agreed {
        compared: 0,
        differing: 0,
    };
    let own = name("behind");
    assert_eq!(
        watch
            .judge(behind.store.snapshot().as_ref(), &own, &heads)
            .unwrap(),
        unknown
    );
    // The wrong node goes on (its newer head is further on still); once this node's log
    // reaches the head kept waiting, it is compared: two nodes, one difference, both stop.
    let mut newer = head_of("wrong", &wrong_ahead);
    newer.sequence += 10;
    let heads = [head_of("behind", &behind), newer];
    behind.system(category("wine")).unwrap();
    behind.system(category("cider")).unwrap();
    let judged = watch
        .judge(behind.store.snapshot().as_ref(), &own, &heads)
        .unwrap();
    assert!(matches!(judged, Verdict::Diverged { .. }), "{judged:?}");
}

#[test]
fn r_is_22_a_node_that_sees_one_other_differ_while_the_third_is_ahead_goes_on() {
    let good = node(&["beer", "wine"]);
    let good_ahead = node(&["beer", "wine", "cider"]);
    let wrong = node(&["vodka"]);
    let heads = [
        head_of("good", &good),
        head_of("ahead", &good_ahead),
        head_of("wrong", &wrong),
    ];
    let agreed = Verdict::Agreed {
        compared: 1,
        differing: 1,
    };
    assert_eq!(verdict("good", &good, &heads), agreed);
    // The node ahead compares both: the good one agrees, the wrong one differs.
    let agreed = Verdict::Agreed {
        compared: 2,
        differing: 1,
    };
    assert_eq!(verdict("ahead", &good_ahead, &heads), agreed);
    // The wrong node, once it has reached the others' heads, differs from both.
    let wrong_on = node(&["vodka", "rum", "gin"]);
    let judged = verdict("wrong", &wrong_on, &heads);
    assert!(
        matches!(
            judged,
            Verdict::Diverged {
                differing_count: 2,
                ..
            }
        ),
        "{judged:?}"
    );
}

#[test]
fn r_is_22_a_node_name_is_short_plain_ascii_and_a_head_reads_back() {
    for good in ["a", "node-1", "tanba_east_2", &"x".repeat(64)] {
        assert!(NodeName::parse(good).is_ok(), "{good}");
    }
    for bad in ["", "a.b", "a b", "ноды", "a/b", "a*", &"x".repeat(65)] {
        assert!(NodeName::parse(bad).is_err(), "{bad}");
    }
    let head = head_of("a", &node(&["beer"]));
    assert_eq!(PublishedHead::from_bytes(&head.to_bytes()).unwrap(), head);
    assert!(PublishedHead::from_bytes(b"\xff\xff").is_err());
}
