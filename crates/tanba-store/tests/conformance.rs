//! One suite, every store: the in-memory store must behave exactly like RocksDB, or simulation
//! tests would prove nothing about production.

use std::collections::BTreeMap;

use proptest::prelude::*;
use tanba_store::{
    Change, Column, Durability, MemoryStore, RocksStore, SCAN_ENTRIES_MAX, Store, StoreError,
    WriteBatch,
};

/// Runs `check` against a fresh store of each kind.
fn each_store(check: impl Fn(&dyn Store)) {
    check(&MemoryStore::new());
    let directory = tempfile::tempdir().unwrap();
    check(&RocksStore::open(directory.path()).unwrap());
}

/// One operation for [`batch`]: a put when the value is given, else a delete.
type Operation<'a> = (Column, &'a [u8], Option<&'a [u8]>);

fn batch(operations: &[Operation<'_>]) -> WriteBatch {
    let mut batch = WriteBatch::new();
    for (column, key, value) in operations {
        match value {
            Some(value) => batch.put(*column, *key, *value).unwrap(),
            None => batch.delete(*column, *key).unwrap(),
        }
    }
    batch
}

#[test]
fn put_get_delete() {
    each_store(|store| {
        store
            .write(
                batch(&[(Column::Codes, b"a", Some(b"1"))]),
                Durability::Synced,
            )
            .unwrap();
        assert_eq!(store.get(Column::Codes, b"a").unwrap(), Some(b"1".to_vec()));
        assert_eq!(store.get(Column::Codes, b"b").unwrap(), None);
        store
            .write(batch(&[(Column::Codes, b"a", None)]), Durability::Synced)
            .unwrap();
        assert_eq!(store.get(Column::Codes, b"a").unwrap(), None);
        // Deleting what is not there is not an error.
        store
            .write(batch(&[(Column::Codes, b"zz", None)]), Durability::Buffered)
            .unwrap();
    });
}

#[test]
fn columns_are_separate_keyspaces() {
    each_store(|store| {
        let writes = [
            (Column::Codes, &b"k"[..], Some(&b"code"[..])),
            (Column::Log, b"k", Some(b"log")),
        ];
        store.write(batch(&writes), Durability::Synced).unwrap();
        assert_eq!(
            store.get(Column::Codes, b"k").unwrap(),
            Some(b"code".to_vec())
        );
        assert_eq!(store.get(Column::Log, b"k").unwrap(), Some(b"log".to_vec()));
        assert_eq!(store.get(Column::Meta, b"k").unwrap(), None);
    });
}

#[test]
fn a_later_operation_in_a_batch_wins() {
    each_store(|store| {
        let writes = [
            (Column::Codes, &b"k"[..], Some(&b"1"[..])),
            (Column::Codes, b"k", Some(b"2")),
            (Column::Codes, b"gone", Some(b"x")),
            (Column::Codes, b"gone", None),
        ];
        store.write(batch(&writes), Durability::Synced).unwrap();
        assert_eq!(store.get(Column::Codes, b"k").unwrap(), Some(b"2".to_vec()));
        assert_eq!(store.get(Column::Codes, b"gone").unwrap(), None);
    });
}

#[test]
fn snapshots_see_a_batch_whole_or_not_at_all() {
    each_store(|store| {
        let before = store.snapshot();
        let writes: Vec<(Column, Vec<u8>)> = (0u32..500)
            .map(|n| (Column::Children, n.to_be_bytes().to_vec()))
            .collect();
        let mut big = WriteBatch::new();
        for (column, key) in &writes {
            big.put(*column, key.clone(), b"v".to_vec()).unwrap();
        }
        store.write(big, Durability::Synced).unwrap();
        assert!(
            before
                .scan_prefix(Column::Children, b"", 1000)
                .unwrap()
                .is_empty()
        );
        let after = store.snapshot();
        assert_eq!(
            after
                .scan_prefix(Column::Children, b"", 1000)
                .unwrap()
                .len(),
            500
        );
        // A snapshot does not move: later writes stay invisible to it.
        store
            .write(
                batch(&[(Column::Children, b"late", Some(b"v"))]),
                Durability::Synced,
            )
            .unwrap();
        assert_eq!(
            after
                .scan_prefix(Column::Children, b"", 1000)
                .unwrap()
                .len(),
            500
        );
        assert_eq!(after.get(Column::Children, b"late").unwrap(), None);
    });
}

#[test]
fn prefix_scans_are_ordered_bounded_and_pageable() {
    each_store(|store| {
        let mut writes = WriteBatch::new();
        for key in ["p/3", "p/1", "p/2", "q/1", "o/9", "p/10"] {
            writes
                .put(Column::Children, key.as_bytes(), key.as_bytes())
                .unwrap();
        }
        store.write(writes, Durability::Synced).unwrap();
        let snapshot = store.snapshot();
        let keys = |entries: Vec<(Vec<u8>, Vec<u8>)>| -> Vec<String> {
            entries
                .into_iter()
                .map(|(key, _)| String::from_utf8(key).unwrap())
                .collect()
        };
        assert_eq!(
            keys(snapshot.scan_prefix(Column::Children, b"p/", 10).unwrap()),
            ["p/1", "p/10", "p/2", "p/3"]
        );
        assert_eq!(
            keys(snapshot.scan_prefix(Column::Children, b"p/", 2).unwrap()),
            ["p/1", "p/10"]
        );
        assert_eq!(
            keys(
                snapshot
                    .scan_from(Column::Children, b"p/", b"p/2", 10)
                    .unwrap()
            ),
            ["p/2", "p/3"]
        );
        // A byte budget stops after the entry that reaches it, and never before the first.
        // Each entry here is its key twice: "p/1" 6 bytes, "p/10" 8, "p/2" 6.
        assert_eq!(
            keys(
                snapshot
                    .scan_from_bytes(Column::Children, b"p/", b"p/", 10, 14)
                    .unwrap()
            ),
            ["p/1", "p/10"]
        );
        assert_eq!(
            keys(
                snapshot
                    .scan_from_bytes(Column::Children, b"p/", b"p/", 10, 1)
                    .unwrap()
            ),
            ["p/1"]
        );
        let error = snapshot
            .scan_from(Column::Children, b"p/", b"q", 10)
            .unwrap_err();
        assert_eq!(error.code(), "TANBA-STORE-SCAN-START-OUTSIDE-PREFIX");
        let error = snapshot
            .scan_prefix(Column::Children, b"p/", SCAN_ENTRIES_MAX + 1)
            .unwrap_err();
        assert!(matches!(error, StoreError::ScanTooLarge { .. }));
    });
}

/// A bulk scan visits what a paged scan returns, in the same order, within the same bounds,
/// and stops when told; a column's estimated size follows its writes.
#[test]
fn bulk_scans_visit_what_paged_scans_return() {
    use std::ops::ControlFlow;
    each_store(|store| {
        let mut writes = WriteBatch::new();
        for n in 0..1_000u32 {
            let key = format!("c/{n:04}");
            writes
                .put(Column::Codes, key.as_bytes(), n.to_be_bytes())
                .unwrap();
        }
        writes.put(Column::Codes, b"d/0", b"other").unwrap();
        writes
            .put(Column::Orders, b"c/x", b"another column")
            .unwrap();
        store.write(writes, Durability::Synced).unwrap();
        let snapshot = store.snapshot();
        let visited = |start: &[u8], limit: usize, stop_after: usize| {
            let mut entries = Vec::new();
            (snapshot.scan_each(Column::Codes, b"c/", start, limit, &mut |key, value| {
                entries.push((key.to_vec(), value.to_vec()));
                match entries.len() < stop_after {
                    true => ControlFlow::Continue(()),
                    false => ControlFlow::Break(()),
                }
            }))
            .unwrap();
            entries
        };
        let everything = snapshot.scan_prefix(Column::Codes, b"c/", 2_000).unwrap();
        assert_eq!(everything.len(), 1_000, "the prefix only");
        assert_eq!(visited(b"c/", 2_000, usize::MAX), everything);
        assert_eq!(visited(b"c/0500", 10, usize::MAX), everything[500..510]);
        assert_eq!(
            visited(b"c/", 2_000, 3),
            everything[..3],
            "stopped by the visitor"
        );
        let error = (snapshot.scan_each(
            Column::Codes,
            b"c/",
            b"c/",
            SCAN_ENTRIES_MAX + 1,
            &mut |_, _| ControlFlow::Continue(()),
        ))
        .unwrap_err();
        assert!(matches!(error, StoreError::ScanTooLarge { .. }));
        let estimate = snapshot.estimate_entries(Column::Codes).unwrap();
        assert!((500..=2_000).contains(&estimate), "about 1,001: {estimate}");
        assert!(snapshot.estimate_entries(Column::Children).unwrap() < 10);
    });
}

/// Changes for a bulk load: keys `from..to` (four digits) set to `value`.
/// Changes as a bulk load borrows them.
fn borrowed(changes: &[(Vec<u8>, Option<Vec<u8>>)]) -> impl Iterator<Item = Change<'_>> {
    changes
        .iter()
        .map(|(key, value)| (key.as_slice(), value.as_deref()))
}

fn changes(from: u32, to: u32, value: &str) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
    (from..to)
        .map(|n| {
            (
                format!("{n:04}").into_bytes(),
                Some(value.as_bytes().to_vec()),
            )
        })
        .collect()
}

#[test]
fn a_bulk_load_lands_after_every_write_before_it() {
    each_store(|store| {
        store
            .write(
                batch(&[
                    (Column::Codes, b"0001", Some(b"written")),
                    (Column::Codes, b"0002", Some(b"written")),
                    (Column::Codes, b"9999", Some(b"kept")),
                ]),
                Durability::Buffered,
            )
            .unwrap();
        let mut loaded = changes(0, 1_000, "loaded");
        loaded[2].1 = None;
        store
            .load_sorted(Column::Codes, &mut borrowed(&loaded))
            .unwrap();
        let snapshot = store.snapshot();
        let all = snapshot.scan_prefix(Column::Codes, b"", 2_000).unwrap();
        assert_eq!(
            all.len(),
            1_000,
            "999 loaded, one deleted by the load, one kept"
        );
        assert_eq!(all[1], (b"0001".to_vec(), b"loaded".to_vec()));
        assert_eq!(all[2].0, b"0003".to_vec(), "the load deleted 0002");
        assert_eq!(all[999], (b"9999".to_vec(), b"kept".to_vec()));
        // A write after the load lands after it, and a second load over the first wins.
        store
            .write(
                batch(&[(Column::Codes, b"0005", Some(b"after"))]),
                Durability::Synced,
            )
            .unwrap();
        store
            .load_sorted(Column::Codes, &mut borrowed(&changes(6, 8, "again")))
            .unwrap();
        assert_eq!(
            store.get(Column::Codes, b"0005").unwrap(),
            Some(b"after".to_vec())
        );
        assert_eq!(
            store.get(Column::Codes, b"0007").unwrap(),
            Some(b"again".to_vec())
        );
        assert_eq!(
            store.get(Column::Log, b"0001").unwrap(),
            None,
            "one column only"
        );
        // Nothing to load is no error.
        store
            .load_sorted(Column::Codes, &mut std::iter::empty())
            .unwrap();
    });
}

#[test]
fn a_bulk_load_out_of_order_is_refused() {
    each_store(|store| {
        for keys in [&["b", "a"][..], &["a", "a"]] {
            let mut load = keys.iter().map(|key| (key.as_bytes(), Some(&b"v"[..])));
            let refused = store.load_sorted(Column::Codes, &mut load).unwrap_err();
            assert!(matches!(refused, StoreError::LoadOutOfOrder), "{refused}");
            assert_eq!(refused.code(), "TANBA-STORE-LOAD-OUT-OF-ORDER");
            assert_eq!(
                store.get(Column::Codes, b"a").unwrap(),
                None,
                "nothing loaded"
            );
        }
    });
}

#[test]
fn a_bulk_load_survives_reopening_rocksdb_and_leaves_no_file_behind() {
    let directory = tempfile::tempdir().unwrap();
    {
        let store = RocksStore::open(directory.path()).unwrap();
        store
            .load_sorted(Column::Log, &mut borrowed(&changes(0, 100, "event")))
            .unwrap();
    }
    let store = RocksStore::open(directory.path()).unwrap();
    assert_eq!(
        store.get(Column::Log, b"0042").unwrap(),
        Some(b"event".to_vec())
    );
    let mut refused = [(&b"b"[..], None), (&b"a"[..], None)].into_iter();
    assert!(store.load_sorted(Column::Log, &mut refused).is_err());
    let left = std::fs::read_dir(directory.path().join("bulk-load"))
        .unwrap()
        .count();
    assert_eq!(left, 0, "the table file became the store's own");
}

#[test]
fn synced_writes_survive_reopening_rocksdb() {
    let directory = tempfile::tempdir().unwrap();
    {
        let store = RocksStore::open(directory.path()).unwrap();
        store
            .write(
                batch(&[(Column::Log, b"\0\0\0\x01", Some(b"event"))]),
                Durability::Synced,
            )
            .unwrap();
    }
    let store = RocksStore::open(directory.path()).unwrap();
    assert_eq!(
        store.get(Column::Log, b"\0\0\0\x01").unwrap(),
        Some(b"event".to_vec())
    );
}

#[test]
fn a_memory_crash_keeps_exactly_what_was_synced() {
    let store = MemoryStore::new();
    store
        .write(
            batch(&[(Column::Codes, b"a", Some(b"1"))]),
            Durability::Buffered,
        )
        .unwrap();
    store
        .write(
            batch(&[(Column::Codes, b"b", Some(b"2"))]),
            Durability::Synced,
        )
        .unwrap();
    store
        .write(
            batch(&[(Column::Codes, b"c", Some(b"3"))]),
            Durability::Buffered,
        )
        .unwrap();
    store.crash();
    // The synced write made the buffered one before it durable too; the one after is lost.
    assert_eq!(store.get(Column::Codes, b"a").unwrap(), Some(b"1".to_vec()));
    assert_eq!(store.get(Column::Codes, b"b").unwrap(), Some(b"2".to_vec()));
    assert_eq!(store.get(Column::Codes, b"c").unwrap(), None);
}

#[derive(Debug, Clone)]
enum Step {
    Put(u8, u8),
    Delete(u8),
}

fn steps() -> impl Strategy<Value = Vec<Vec<Step>>> {
    let step = prop_oneof![
        (0u8..24, any::<u8>()).prop_map(|(key, value)| Step::Put(key, value)),
        (0u8..24).prop_map(Step::Delete),
    ];
    proptest::collection::vec(proptest::collection::vec(step, 1..8), 1..12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Random batches give the same contents in both stores and in a plain map.
    #[test]
    fn stores_agree_with_a_model(batches in steps()) {
        let memory = MemoryStore::new();
        let directory = tempfile::tempdir().unwrap();
        let rocks = RocksStore::open(directory.path()).unwrap();
        let mut model = BTreeMap::new();
        for steps in &batches {
            let mut write = WriteBatch::new();
            for step in steps {
                match *step {
                    Step::Put(key, value) => {
                        write.put(Column::Codes, [b'k', key], [value]).unwrap();
                        model.insert(vec![b'k', key], vec![value]);
                    }
                    Step::Delete(key) => {
                        write.delete(Column::Codes, [b'k', key]).unwrap();
                        model.remove(&vec![b'k', key]);
                    }
                }
            }
            memory.write(write.clone(), Durability::Buffered).unwrap();
            rocks.write(write, Durability::Buffered).unwrap();
        }
        let expected: Vec<(Vec<u8>, Vec<u8>)> = model.into_iter().collect();
        prop_assert_eq!(&memory.snapshot().scan_prefix(Column::Codes, b"k", 100).unwrap(), &expected);
        prop_assert_eq!(&rocks.snapshot().scan_prefix(Column::Codes, b"k", 100).unwrap(), &expected);
    }
}

#[test]
fn many_keys_are_read_at_once_in_the_order_asked() {
    each_store(|store| {
        let writes = [
            (Column::Codes, &b"b"[..], Some(&b"2"[..])),
            (Column::Codes, b"d", Some(b"4")),
            (Column::Codes, b"a", Some(b"1")),
        ];
        store.write(batch(&writes), Durability::Synced).unwrap();
        let value = |bytes: &[u8]| Some(bytes.to_vec());
        // Sorted (RocksDB is told so), unsorted, with a missing key and a key asked twice.
        let asks: [&[&[u8]]; 3] = [
            &[b"a", b"b", b"c", b"d"],
            &[b"d", b"a", b"c", b"b"],
            &[b"b", b"b", b"z"],
        ];
        let expected = [
            vec![value(b"1"), value(b"2"), None, value(b"4")],
            vec![value(b"4"), value(b"1"), None, value(b"2")],
            vec![value(b"2"), value(b"2"), None],
        ];
        for (keys, expected) in asks.iter().zip(expected) {
            assert_eq!(store.multi_get(Column::Codes, keys).unwrap(), expected);
            let mut visited = Vec::new();
            let snapshot = store.snapshot();
            snapshot
                .multi_get_each(Column::Codes, keys, &mut |index, value| {
                    visited.push((index, value.map(<[u8]>::to_vec)));
                    std::ops::ControlFlow::Continue(())
                })
                .unwrap();
            let indexed: Vec<_> = expected.into_iter().enumerate().collect();
            assert_eq!(visited, indexed);
        }
        // A visitor that breaks is not called again.
        let mut calls = 0;
        let snapshot = store.snapshot();
        let keys: &[&[u8]] = &[b"a", b"b", b"d"];
        snapshot
            .multi_get_each(Column::Codes, keys, &mut |_, _| {
                calls += 1;
                std::ops::ControlFlow::Break(())
            })
            .unwrap();
        assert_eq!(calls, 1);
    });
}
