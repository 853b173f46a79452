//! Write batches: the unit of atomicity. The engine puts a group of commands' state changes,
//! events and log head into one batch, and the store applies all of it or nothing.

use crate::{column::Column, error::StoreError};

/// Most operations in one batch (a pallet of 25,000 codes moving, with its events, fits).
pub const BATCH_OPERATIONS_MAX: usize = 1_000_000;

/// One change in a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchOperation {
    /// Set `key` to `value`.
    Put {
        /// Column family.
        column: Column,
        /// Key.
        key: Vec<u8>,
        /// Value.
        value: Vec<u8>,
    },
    /// Remove `key` (no error if absent).
    Delete {
        /// Column family.
        column: Column,
        /// Key.
        key: Vec<u8>,
    },
}

/// Operations applied together, in order (a later put of the same key wins).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteBatch {
    operations: Vec<BatchOperation>,
}

impl WriteBatch {
    /// An empty batch.
    pub fn new() -> WriteBatch {
        WriteBatch::default()
    }

    /// Adds a put.
    pub fn put(
        &mut self,
        column: Column,
        key: impl Into<Vec<u8>>,
        value: impl Into<Vec<u8>>,
    ) -> Result<(), StoreError> {
        self.push(BatchOperation::Put {
            column,
            key: key.into(),
            value: value.into(),
        })
    }

    /// Adds a delete.
    pub fn delete(&mut self, column: Column, key: impl Into<Vec<u8>>) -> Result<(), StoreError> {
        self.push(BatchOperation::Delete {
            column,
            key: key.into(),
        })
    }

    fn push(&mut self, operation: BatchOperation) -> Result<(), StoreError> {
        if self.operations.len() >= BATCH_OPERATIONS_MAX {
            return Err(StoreError::BatchTooLarge);
        }
        self.operations.push(operation);
        Ok(())
    }

    /// The operations, in order.
    pub fn operations(&self) -> &[BatchOperation] {
        &self.operations
    }

    /// Number of operations.
    pub fn len(&self) -> usize {
        self.operations.len()
    }

    /// Whether the batch is empty.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_holds_at_most_the_limit() {
        let mut batch = WriteBatch::new();
        for _ in 0..BATCH_OPERATIONS_MAX {
            // Empty keys and values do not allocate: the limit is reached cheaply.
            batch.delete(Column::Codes, Vec::new()).unwrap();
        }
        assert_eq!(batch.len(), BATCH_OPERATIONS_MAX);
        let error = batch
            .put(Column::Codes, Vec::new(), Vec::new())
            .unwrap_err();
        assert_eq!(error.code(), "TANBA-STORE-BATCH-TOO-LARGE");
        assert!(StoreError::ALL_CODES.contains(&error.code()));
    }
}
