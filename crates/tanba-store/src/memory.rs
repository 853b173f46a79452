//! The in-memory store, for deterministic simulation tests: the same semantics as RocksDB
//! (atomic batches, snapshots, ordered scans), plus [`MemoryStore::crash`], which forgets every
//! write that was not followed by a synced write, as a power cut loses an unsynced WAL tail.
//! Not for production: nothing here survives the process.

use std::{
    collections::BTreeMap,
    ops::Bound,
    sync::{Arc, RwLock},
};

use crate::{
    BatchOperation, Column, Durability, Entry, Snapshot, Store, StoreError, WriteBatch, check_scan,
};

type Columns = Vec<BTreeMap<Vec<u8>, Vec<u8>>>;

/// An in-memory [`Store`].
#[derive(Debug)]
pub struct MemoryStore {
    state: RwLock<State>,
}

#[derive(Debug)]
struct State {
    /// What readers see. Shared with snapshots; copied on write only while a snapshot holds it.
    current: Arc<Columns>,
    /// What a crash would leave.
    durable: Columns,
    /// Batches written since the last synced write, oldest first.
    unsynced: Vec<WriteBatch>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new()
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        let empty: Columns = Column::ALL.iter().map(|_| BTreeMap::new()).collect();
        MemoryStore {
            state: RwLock::new(State {
                current: Arc::new(empty.clone()),
                durable: empty,
                unsynced: Vec::new(),
            }),
        }
    }

    /// A copy of what a crash would leave, as a RocksDB checkpoint is: what a node of the
    /// cluster simulation restores from.
    pub fn checkpoint(&self) -> MemoryStore {
        let state = self.state.read().expect("no panics while holding the lock");
        MemoryStore {
            state: RwLock::new(State {
                current: Arc::new(state.durable.clone()),
                durable: state.durable.clone(),
                unsynced: Vec::new(),
            }),
        }
    }

    /// Simulates a crash: every write not made durable by a synced write is lost.
    pub fn crash(&self) {
        let mut state = self
            .state
            .write()
            .expect("no panics while holding the lock");
        state.unsynced.clear();
        state.current = Arc::new(state.durable.clone());
    }
}

fn apply(columns: &mut Columns, batch: &WriteBatch) {
    for operation in batch.operations() {
        match operation {
            BatchOperation::Put { column, key, value } => {
                columns[column.index()].insert(key.clone(), value.clone());
            }
            BatchOperation::Delete { column, key } => {
                columns[column.index()].remove(key);
            }
        }
    }
}

impl Store for MemoryStore {
    fn write(&self, batch: WriteBatch, durability: Durability) -> Result<(), StoreError> {
        let mut state = self
            .state
            .write()
            .expect("no panics while holding the lock");
        apply(Arc::make_mut(&mut state.current), &batch);
        state.unsynced.push(batch);
        if durability == Durability::Synced {
            // A sync makes the whole log durable, earlier buffered writes included.
            let unsynced = std::mem::take(&mut state.unsynced);
            for batch in &unsynced {
                apply(&mut state.durable, batch);
            }
        }
        Ok(())
    }

    fn snapshot(&self) -> Box<dyn Snapshot + '_> {
        let state = self.state.read().expect("no panics while holding the lock");
        Box::new(MemorySnapshot {
            columns: Arc::clone(&state.current),
        })
    }
}

struct MemorySnapshot {
    columns: Arc<Columns>,
}

impl Snapshot for MemorySnapshot {
    fn get(&self, column: Column, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.columns[column.index()].get(key).cloned())
    }

    fn estimate_entries(&self, column: Column) -> Result<u64, StoreError> {
        Ok(self.columns[column.index()].len() as u64)
    }

    fn scan_from_bytes(
        &self,
        column: Column,
        prefix: &[u8],
        start: &[u8],
        limit: usize,
        bytes_max: usize,
    ) -> Result<Vec<Entry>, StoreError> {
        check_scan(prefix, start, limit)?;
        let range = (Bound::Included(start.to_vec()), Bound::Unbounded);
        let mut bytes = 0usize;
        Ok(self.columns[column.index()]
            .range(range)
            .take_while(|(key, _)| key.starts_with(prefix))
            .take(limit)
            .take_while(|(key, value)| {
                let more = bytes < bytes_max;
                bytes = bytes.saturating_add(key.len() + value.len());
                more
            })
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect())
    }
}
