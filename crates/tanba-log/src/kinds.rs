//! Which feeds a log entry belongs to, and the leaf the hash chain takes in its place.
//!
//! The chain hashes a 36-byte leaf per entry: its feed kinds (u32 big-endian) and the BLAKE3 hash
//! of its record bytes. A feed that leaves an entry out (a tax feed skips a recall's clock) sends
//! the leaf instead of the record: the receiver recomputes every chain hash all the same, and
//! reads in the leaf that the entry was not of its kinds. So a filtered feed proves not only that
//! what it sent is unaltered and in order, but that nothing of its kinds was left out, without
//! showing anyone another participant's goods.
//!
//! The kinds are a pure function of the event ([`kinds_of`]): whoever holds the record can
//! check them, and replay computes the same leaf.

use std::fmt;

use tanba_types::{Event, Introduction, WithdrawalReason};

/// A feed kind: one bit of an entry's kinds. The bits are part of the log contract (see
/// `record.proto`); they are never renumbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FeedKind {
    /// Transfers of ownership, sales, returns, withdrawals (the tax authority).
    Tax,
    /// Imports with their declaration, exports outside the EAEU, controlled goods' permits.
    Customs,
    /// Exports to and receipts from the other EAEU states.
    Eaeu,
    /// Stages of the monitored state services.
    Stages,
    /// Anything that changes a code: a participant's own goods are among these.
    Goods,
    /// Participants, products, categories, calendars, reference sets, fiscal agencies.
    Registry,
    /// The case machinery: openings, steps, clocks, notices, scope blocks.
    Cases,
}

impl FeedKind {
    /// Every kind, in bit order.
    pub const ALL: [FeedKind; 7] = [
        FeedKind::Tax,
        FeedKind::Customs,
        FeedKind::Eaeu,
        FeedKind::Stages,
        FeedKind::Goods,
        FeedKind::Registry,
        FeedKind::Cases,
    ];

    /// The kind's bit.
    pub const fn bit(self) -> u32 {
        match self {
            FeedKind::Tax => 1,
            FeedKind::Customs => 2,
            FeedKind::Eaeu => 4,
            FeedKind::Stages => 8,
            FeedKind::Goods => 16,
            FeedKind::Registry => 32,
            FeedKind::Cases => 64,
        }
    }

    /// The kind's name on the wire and in the CLI.
    pub const fn name(self) -> &'static str {
        match self {
            FeedKind::Tax => "tax",
            FeedKind::Customs => "customs",
            FeedKind::Eaeu => "eaeu",
            FeedKind::Stages => "stages",
            FeedKind::Goods => "goods",
            FeedKind::Registry => "registry",
            FeedKind::Cases => "cases",
        }
    }

    /// The kind named `name`.
    pub fn parse(name: &str) -> Option<FeedKind> {
        FeedKind::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

/// A feed by name: one kind (`goods`: the follower's own), or the whole log (`all`). The names
/// are the wire's (`FollowFeedRequest.kind`, `GET /v1/feeds/{kind}`) and the CLI's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedName {
    /// The entries of one kind.
    Kind(FeedKind),
    /// Every entry.
    All,
}

impl FeedName {
    /// The feed named `name`.
    pub fn parse(name: &str) -> Option<FeedName> {
        match name {
            "all" => Some(FeedName::All),
            _ => FeedKind::parse(name).map(FeedName::Kind),
        }
    }

    /// Whether an entry of `kinds` is of the feed by its kinds: the whole log takes every entry,
    /// even one of no kind; a kind's feed the entries of that kind. (The own-goods feed then
    /// keeps only the follower's.)
    pub fn includes(self, kinds: FeedKinds) -> bool {
        match self {
            FeedName::All => true,
            FeedName::Kind(kind) => kinds.contains(kind),
        }
    }

    /// The feed's name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            FeedName::Kind(kind) => kind.name(),
            FeedName::All => "all",
        }
    }

    /// Whether it is a participant's own goods: of the goods entries, only those it took part
    /// in (which a leaf does not show, so its proof covers order and integrity, not whether a
    /// left-out goods entry was the follower's).
    pub fn is_own_goods(self) -> bool {
        self == FeedName::Kind(FeedKind::Goods)
    }
}

/// A set of feed kinds: the bits of [`FeedKind`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FeedKinds(pub u32);

impl FeedKinds {
    /// No kind.
    pub const NONE: FeedKinds = FeedKinds(0);

    /// The set of `kinds`.
    pub fn of(kinds: &[FeedKind]) -> FeedKinds {
        FeedKinds(kinds.iter().fold(0, |bits, kind| bits | kind.bit()))
    }

    /// Whether `kind` is in the set.
    pub fn contains(self, kind: FeedKind) -> bool {
        self.0 & kind.bit() != 0
    }

    fn with(self, kind: FeedKind) -> FeedKinds {
        FeedKinds(self.0 | kind.bit())
    }
}

impl fmt::Debug for FeedKinds {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = FeedKind::ALL
            .into_iter()
            .filter(|kind| self.contains(*kind))
            .map(FeedKind::name)
            .collect();
        write!(formatter, "FeedKinds({})", names.join("|"))
    }
}

/// The feeds an event belongs to.
pub fn kinds_of(event: &Event) -> FeedKinds {
    use FeedKind::{Cases, Customs, Eaeu, Goods, Registry, Stages, Tax};
    let of = FeedKinds::of;
    match event {
        Event::ParticipantRegistered(_)
        | Event::ParticipantUpdated(_)
        | Event::CategoryDefined(_)
        | Event::ProductRegistered(_)
        | Event::ProductUpdated(_)
        | Event::FiscalOperatorAssigned(_)
        | Event::CalendarPublished { .. }
        | Event::ReferencePublished { .. }
        | Event::RegisterRefreshed(_) => of(&[Registry]),
        // Bookkeeping of the export service: in the whole log only.
        Event::DataExportRequested { .. } => of(&[]),
        Event::CodesOrdered { .. }
        | Event::CodesIssued { .. }
        | Event::CodesApplied { .. }
        | Event::TransportPackageCreated { .. }
        | Event::Aggregated { .. }
        | Event::Disaggregated { .. }
        | Event::Blocked { .. }
        | Event::Unblocked { .. } => of(&[Goods]),
        Event::CodesIntroduced { introduction, .. } => match introduction {
            Introduction::OwnProduction => of(&[Goods]),
            Introduction::Import { .. } => of(&[Goods, Customs]),
            Introduction::EaeuReceipt { .. } => of(&[Goods, Eaeu]),
        },
        Event::Shipped { .. }
        | Event::Accepted { .. }
        | Event::Rejected { .. }
        | Event::ShipmentCancelled { .. }
        | Event::Sold { .. }
        | Event::Returned { .. } => of(&[Goods, Tax]),
        Event::Withdrawn { reason, export, .. } => {
            let kinds = of(&[Goods, Tax]);
            let kinds = match reason {
                WithdrawalReason::ExportToEaeu => kinds.with(Eaeu),
                WithdrawalReason::ExportOutsideEaeu => kinds.with(Customs),
                _ => kinds,
            };
            match export {
                Some(_) => kinds.with(Customs),
                None => kinds,
            }
        }
        Event::StageReported(_) => of(&[Stages, Cases]),
        Event::ExportAuthorized { .. } | Event::ExportAuthorizationEnded { .. } => {
            of(&[Customs, Cases])
        }
        Event::ScopeBlocked { .. } | Event::ScopeReleased { .. } => of(&[Goods, Cases]),
        Event::DocumentNumbered { .. }
        | Event::CaseOpened { .. }
        | Event::CaseStepped(_)
        | Event::CaseClockSet { .. }
        | Event::NoticeSent(_)
        | Event::NoticeRead { .. }
        | Event::HoldersCounted { .. }
        | Event::SweepMoved { .. }
        | Event::ConsumerNotified { .. } => of(&[Cases]),
        // A consumer's opt-in is nobody's business but the case that may notify it; the timer's
        // recomputation is bookkeeping (the clocks it changed are their own entries).
        Event::ConsumerOptedIn { .. }
        | Event::ConsumerOptedOut { .. }
        | Event::CasesRecomputed { .. } => FeedKinds::NONE,
        // The public's reports and the flags are the authorities' to read through their own
        // calls, not a participant's feed: a report names whoever it accuses.
        Event::ViolationReported(_)
        | Event::LikelyCopyFlagged { .. }
        | Event::LikelyCopyCleared { .. } => FeedKinds::NONE,
        // An upload is nothing until a case names it (the case's entry is in its feeds).
        Event::AttachmentRecorded { .. } => FeedKinds::NONE,
    }
}

/// Bytes in a leaf: kinds (4) and the record's BLAKE3 hash (32).
pub const LEAF_LENGTH: usize = 4 + 32;

/// What the chain hashes for an entry.
pub type Leaf = [u8; LEAF_LENGTH];

/// The leaf of an entry of `kinds` whose record bytes are `record`.
pub fn leaf(kinds: FeedKinds, record: &[u8]) -> Leaf {
    leaf_of_digest(kinds, blake3::hash(record).as_bytes())
}

/// The leaf of an entry known by its kinds and its record's hash (an entry a feed left out).
pub fn leaf_of_digest(kinds: FeedKinds, digest: &[u8; 32]) -> Leaf {
    let mut out = [0u8; LEAF_LENGTH];
    out[..4].copy_from_slice(&kinds.0.to_be_bytes());
    out[4..].copy_from_slice(digest);
    out
}
