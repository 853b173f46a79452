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
    /// The server's audit trail (R-IS-23): every call, chained like the log, with its indexes.
    /// Not engine state: replay neither writes nor compares it.
    Audit,
    /// What the public tells the server: violation reports and codes flagged as likely copies
    /// (R-IS-02, R-IS-07, R-IS-08). Not engine state either.
    Public,
    /// Cases of the legal procedures, their notices and the goods scopes they block.
    Cases,
    /// Attachments: content-addressed blobs in chunks, written before the case step that names
    /// them. Not engine state: a step names a blob by hash and never carries its bytes.
    Blobs,
}

impl Column {
    /// Every column, in a fixed order (RocksDB opens them all).
    pub const ALL: [Column; 14] = [
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
        Column::Audit,
        Column::Public,
        Column::Cases,
        Column::Blobs,
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
            Column::Audit => "audit",
            Column::Public => "public",
            Column::Cases => "cases",
            Column::Blobs => "blobs",
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
