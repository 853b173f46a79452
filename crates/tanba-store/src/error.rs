//! Storage errors, each with a stable code.

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The storage engine failed (IO error, corruption, ...).
    #[error("storage engine: {0}")]
    Engine(String),
    /// More operations than [`crate::BATCH_OPERATIONS_MAX`] in one batch.
    #[error(
        "a write batch holds at most {} operations",
        crate::BATCH_OPERATIONS_MAX
    )]
    BatchTooLarge,
    /// A scan asked for more than [`crate::SCAN_ENTRIES_MAX`] entries.
    #[error(
        "a scan returns at most {} entries (asked {limit})",
        crate::SCAN_ENTRIES_MAX
    )]
    ScanTooLarge {
        /// The limit asked for.
        limit: usize,
    },
    /// A scan's start key does not begin with its prefix.
    #[error("a scan's start key must begin with its prefix")]
    ScanStartOutsidePrefix,
    /// A bulk load's keys were not in strictly ascending order.
    #[error("a bulk load takes its keys in strictly ascending order")]
    LoadOutOfOrder,
}

impl StoreError {
    /// Every code.
    pub const ALL_CODES: &'static [&'static str] = &[
        "TANBA-STORE-ENGINE",
        "TANBA-STORE-BATCH-TOO-LARGE",
        "TANBA-STORE-SCAN-TOO-LARGE",
        "TANBA-STORE-SCAN-START-OUTSIDE-PREFIX",
        "TANBA-STORE-LOAD-OUT-OF-ORDER",
    ];

    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Engine(_) => "TANBA-STORE-ENGINE",
            StoreError::BatchTooLarge => "TANBA-STORE-BATCH-TOO-LARGE",
            StoreError::ScanTooLarge { .. } => "TANBA-STORE-SCAN-TOO-LARGE",
            StoreError::ScanStartOutsidePrefix => "TANBA-STORE-SCAN-START-OUTSIDE-PREFIX",
            StoreError::LoadOutOfOrder => "TANBA-STORE-LOAD-OUT-OF-ORDER",
        }
    }
}
