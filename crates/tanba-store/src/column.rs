//! The column families: one ordered keyspace each. The engine owns what goes in them.

use std::fmt;

/// A column family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    /// Store-wide facts: schema version, log head, last checkpoint.
    Meta,
    /// The event log, keyed by sequence number (big-endian, so key order is log order).
    Log,
    /// Signed checkpoints, keyed by sequence number.
    Checkpoints,
    /// One record per marking code or package.
    Codes,
    /// Package contents: parent key then child key.
    Children,
    /// Accompanying documents.
    Documents,
    /// Registered participants.
    Participants,
    /// Product cards (GTINs) and product categories.
    Products,
    /// Emission orders.
    Orders,
    /// Secondary indexes (a code's history, a participant's documents, an order's codes): keys
    /// only point back into the other columns.
    Index,
}

impl Column {
    /// Every column, in a fixed order (RocksDB opens them all).
    pub const ALL: [Column; 10] = [
        Column::Meta,
        Column::Log,
        Column::Checkpoints,
        Column::Codes,
        Column::Children,
        Column::Documents,
        Column::Participants,
        Column::Products,
        Column::Orders,
        Column::Index,
    ];

    /// The column family's name on disk: never change one once data exists.
    pub const fn name(self) -> &'static str {
        match self {
            Column::Meta => "meta",
            Column::Log => "log",
            Column::Checkpoints => "checkpoints",
            Column::Codes => "codes",
            Column::Children => "children",
            Column::Documents => "documents",
            Column::Participants => "participants",
            Column::Products => "products",
            Column::Orders => "orders",
            Column::Index => "index",
        }
    }

    /// Position in [`Column::ALL`].
    pub(crate) fn index(self) -> usize {
        Column::ALL
            .iter()
            .position(|column| *column == self)
            .expect("every column is in ALL")
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
