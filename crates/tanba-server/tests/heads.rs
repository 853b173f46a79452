//! A node of a cluster watches the other nodes' log heads (R-IS-22, issue 15): it publishes
//! its own on the cluster's board under its name, goes on serving while no more nodes differ
//! from its log than agree with it, and once they do it refuses every call at both doors and
//! fails its health check. The board here is in memory; the server, its store and its doors
//! are real (the JetStream board passes `tanba-replica`'s conformance suite).

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use tanba_client::Connection;
use tanba_engine::heads::{HeadBoard, MemoryHeadBoard, NodeName, PublishedHead};
use tanba_server::SharedHeadBoard;
use tanba_server::heads::HEADS_INTERVAL;

/// How long a test waits for the watch to act (a few of its rounds).
const WATCH_WAIT: Duration = Duration::from_secs(10);

/// Waits until `check` holds, for at most [`WATCH_WAIT`].
async fn until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + WATCH_WAIT;
    while !check().await {
        assert!(Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(HEADS_INTERVAL / 4).await;
    }
}

fn named(head: &PublishedHead, node: &str, hash: [u8; 32]) -> PublishedHead {
    PublishedHead {
        node: NodeName::parse(node).unwrap(),
        hash,
        ..head.clone()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn r_is_22_a_node_that_differs_from_its_cluster_stops_serving_at_both_doors() {
    let board = Arc::new(MemoryHeadBoard::default());
    let shared = board.clone();
    let fixture = support::start(move |config| {
        config.head_board = Some(SharedHeadBoard(shared));
        config.node_name = Some("this".into());
    })
    .await;
    let web = reqwest::Client::new();
    let health = async || {
        let answer = web.get(format!("{}/healthz", fixture.http())).send().await;
        answer.unwrap().status()
    };

    // Its head is published under its name, and a twin that agrees keeps it serving.
    let mut own = None;
    until("the node publishes its head", async || {
        own = (board.heads().unwrap().into_iter()).find(|head| head.node.as_str() == "this");
        own.is_some()
    })
    .await;
    let own = own.unwrap();
    assert!(own.sequence > 0, "the bootstrap operator is in its log");
    board.publish(&named(&own, "twin", own.hash)).unwrap();
    // One that differs at the same entry is outvoted (the node and its twin agree).
    board.publish(&named(&own, "odd-1", [0xEE; 32])).unwrap();
    tokio::time::sleep(HEADS_INTERVAL * 3).await;
    assert!(health().await.is_success());
    fixture.operator().await;

    // A second that differs: as many differ as agree, and the node stops.
    board.publish(&named(&own, "odd-2", [0xEE; 32])).unwrap();
    until("the node stops", async || !health().await.is_success()).await;
    let mut connection = Connection::connect(&fixture.grpc()).await.unwrap();
    let refused = connection.sign_in(&fixture.operator).await.unwrap_err();
    assert_eq!(refused.code(), Some("TANBA-SERVER-DIVERGED"));
    let page = web
        .get(format!("{}/", fixture.http()))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), reqwest::StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.text().await.unwrap().contains("TANBA-SERVER-DIVERGED"));
    let reason = web.get(format!("{}/healthz", fixture.http())).send().await;
    let reason = reason.unwrap().text().await.unwrap();
    assert!(
        reason.contains(&format!("at log entry {}", own.sequence)),
        "{reason}"
    );
    // It stays stopped however the others' heads change: an operator restores it.
    board.publish(&named(&own, "odd-2", own.hash)).unwrap();
    tokio::time::sleep(HEADS_INTERVAL * 2).await;
    assert!(!health().await.is_success());
}
