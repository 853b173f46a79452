//! Why the engine refuses a command or a query. Each variant has a stable code
//! (`TANBA-ENGINE-*`, or the transition table's `TANBA-CODE-*`) with a message in Kazakh, Russian
//! and English in `tanba_types::messages`. A refused command leaves nothing behind.

use tanba_store::StoreError;
use tanba_types::{CodeKey, DocumentId, Gtin, Localized, OrderId, Refusal, Role, TaxpayerId};

/// An error from the engine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// The store failed; the command was not applied.
    #[error("storage failure: {0}")]
    Store(String),
    /// Stored data could not be read back: a bug or corruption, never the caller's fault.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The transition table refuses the operation for this code.
    #[error("{code}: {refusal}")]
    Refused {
        /// The code.
        code: CodeKey,
        /// Why.
        refusal: Refusal,
    },
    /// The actor is not a registered participant.
    #[error("participant {0} is not registered")]
    UnknownParticipant(TaxpayerId),
    /// The actor is suspended (R-IS-09).
    #[error("participant {0} is suspended")]
    ParticipantSuspended(TaxpayerId),
    /// A participant with this IIN/BIN is already registered.
    #[error("participant {0} is already registered")]
    ParticipantExists(TaxpayerId),
    /// The actor lacks the role the command needs.
    #[error("this needs the {0} role")]
    RoleRequired(Role),
    /// The actor holds no role that holds goods (producer, importer, wholesaler, retailer).
    #[error(
        "participant {0} holds no goods: a producer, importer, wholesaler or retailer role is needed"
    )]
    HoldsNoGoods(TaxpayerId),
    /// Only Tanba itself may do this.
    #[error("only the system may do this")]
    SystemOnly,
    /// The participant on the other side (a buyer) cannot take part.
    #[error("participant {0} cannot receive goods")]
    CounterpartyNotEligible(TaxpayerId),
    /// No such product category.
    #[error("no product category {0:?}")]
    UnknownCategory(String),
    /// No such product.
    #[error("no product with GTIN {0}")]
    UnknownProduct(Gtin),
    /// A product with this GTIN is already registered.
    #[error("GTIN {0} is already registered")]
    ProductExists(Gtin),
    /// The actor does not market this product.
    #[error("GTIN {0} is not yours")]
    NotYourProduct(Gtin),
    /// No such code.
    #[error("no code {0}")]
    UnknownCode(CodeKey),
    /// A code that already exists (R-IS-01: never issued twice), or listed twice.
    #[error("code {0} already exists or is listed twice")]
    DuplicateCode(CodeKey),
    /// The actor does not own the code.
    #[error("code {0} is not yours")]
    NotOwner(CodeKey),
    /// The code is inside a package: operate on the package, or take it out first.
    #[error("code {0} is inside a package")]
    InPackage(CodeKey),
    /// The code is in transit under a shipment not yet accepted.
    #[error("code {code} is in transit under document {document}")]
    InTransit {
        /// The code.
        code: CodeKey,
        /// The shipment.
        document: DocumentId,
    },
    /// The code is not a package.
    #[error("code {0} is not a package")]
    NotAPackage(CodeKey),
    /// A child's level must be below its parent's (R-IS-04).
    #[error("a {parent} package cannot hold {child}")]
    LevelMismatch {
        /// The parent's level.
        parent: tanba_types::PackageLevel,
        /// The child's level.
        child: tanba_types::PackageLevel,
    },
    /// Putting a package into itself or its own content.
    #[error("code {0} would contain itself")]
    Cycle(CodeKey),
    /// The packages would nest deeper than `PACKAGE_DEPTH_MAX`.
    #[error("packages would nest deeper than {0} levels")]
    TooDeep(usize),
    /// The code is not inside any package.
    #[error("code {0} is not in a package")]
    NotInPackage(CodeKey),
    /// No such emission order.
    #[error("no emission order {0}")]
    UnknownOrder(OrderId),
    /// The chunk would issue more codes than the order asked for.
    #[error("order {order} asked for {quantity} codes")]
    OrderExceeded {
        /// The order.
        order: OrderId,
        /// Its quantity.
        quantity: u32,
    },
    /// An issued code's tail does not match the order's tail profile.
    #[error("an issued tail does not match the order's profile")]
    TailMismatch,
    /// No such document, or not one the actor is party to.
    #[error("no document {0}")]
    UnknownDocument(DocumentId),
    /// The caller made a data export job with this key before: that job stands, and no second
    /// one is made.
    #[error("data export key used before, by job {0}")]
    DataExportKeyUsed(u64),
    /// A command of a capture was refused, so none of the capture was done: which (its place,
    /// from 0) and why (its code is the capture's).
    #[error("command {index} of the capture: {error}")]
    InCapture {
        /// The command's place in the capture.
        index: usize,
        /// Why it was refused.
        error: Box<EngineError>,
    },
    /// The document was already accepted or rejected.
    #[error("document {0} is no longer pending")]
    DocumentClosed(DocumentId),
    /// A listed item is not in the document.
    #[error("code {0} is not in the document")]
    NotInDocument(CodeKey),
    /// The authority already blocks this code.
    #[error("code {0} is already blocked by this authority")]
    AlreadyBlocked(CodeKey),
    /// The authority has no block on this code to lift.
    #[error("code {0} has no block of this authority")]
    NotBlockedByYou(CodeKey),
    /// A list or a text is longer than its named limit.
    #[error("{what}: more than {max}")]
    LimitExceeded {
        /// What is too long or too many.
        what: &'static str,
        /// The limit.
        max: usize,
    },
    /// A field is missing or malformed (format-logical control, R-IS-17).
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// A taxpayer number that fails its EAEU state's format-logical control (R-IS-12).
    #[error("{state} taxpayer number {number:?} fails that state's format control")]
    ForeignTaxpayer {
        /// The state.
        state: tanba_types::EaeuState,
        /// The number as given.
        number: String,
    },
    /// This seller already recorded a receipt with this id: a resent receipt changes nothing.
    #[error("receipt {receipt:?} is already recorded (log entry {sequence})")]
    ReceiptRecorded {
        /// The receipt id.
        receipt: String,
        /// The log entry that recorded it.
        sequence: u64,
    },
    /// This seller recorded another receipt under this id.
    #[error("receipt {receipt:?} was recorded with other content (log entry {sequence})")]
    ReceiptMismatch {
        /// The receipt id.
        receipt: String,
        /// The log entry that recorded the first.
        sequence: u64,
    },
    /// A retail sale is recorded by its fiscal receipt (`RecordSale`), never by `Withdraw`.
    #[error("a retail sale is recorded by its fiscal receipt")]
    SaleNeedsReceipt,
    /// A scanned tail is not the tail issued with the code: a copy, or a misprint.
    #[error("code {0}: the tail scanned is not the tail issued")]
    ForgedTail(CodeKey),
    /// A receipt line names a code already on the receipt, or inside (or around) a package on it.
    #[error("code {0} is on the receipt already")]
    RepeatedOnReceipt(CodeKey),
    /// The seller has no sales receipt with this id.
    #[error("no sales receipt {0:?} of this seller")]
    UnknownReceipt(String),
    /// The code was not sold on the sales receipt named.
    #[error("code {0} was not sold on this receipt")]
    NotOnReceipt(CodeKey),
    /// The code came back from this sale already.
    #[error("code {0} was already returned from this sale")]
    AlreadyReturned(CodeKey),
    /// The return period of the code's category has passed since the sale.
    #[error("the return period for code {0} has passed")]
    ReturnPeriodOver(CodeKey),
    /// The goods are past their expiry date: they must not be sold.
    #[error("{0} is past its expiry date")]
    Expired(CodeKey),
    /// The fiscal data operator is not registered as serving this seller today.
    #[error("fiscal data operator {operator} does not serve seller {seller}")]
    NotServed {
        /// The fiscal data operator.
        operator: TaxpayerId,
        /// The seller it named.
        seller: TaxpayerId,
    },
    /// The engine's queue is full: try again shortly.
    #[error("the engine is busy")]
    Busy,
    /// The store refuses writes (a full disk, an I/O error): nothing is written until it takes
    /// them again; try again later. Reads go on.
    #[error("the store refuses writes for now")]
    StoreUnavailable,
    /// The participant's share of the engine's queue is full: try again once some of its
    /// commands are answered.
    #[error("too many of this participant's commands are waiting")]
    QueueShareFull,
    /// The engine is shutting down or has stopped.
    #[error("the engine has stopped")]
    Stopped,
    /// The command log did not confirm the command in time (a replicated log out of reach):
    /// it may still be applied. Look before sending it again.
    #[error("the command log did not confirm the command: {0}")]
    LogUnavailable(String),
    /// The cluster's shelf of attachments' bytes did not answer in time: try again.
    #[error("the shelf of attachments is unavailable: {0}")]
    ShelfUnavailable(String),
    /// A calendar document refused, or a term the calendar cannot compute: the calendar's own
    /// codes (`TANBA-CALENDAR-*`).
    #[error(transparent)]
    Calendar(#[from] tanba_cases::CalendarError),
    /// A case step refused by the generic executor or its definition: their own codes
    /// (`TANBA-CASE-*`, a definition's `TANBA-RECALL-*`, the clocks' `TANBA-CLOCK-*`).
    #[error(transparent)]
    Case(#[from] tanba_cases::CaseError),
    /// A case (a recall) blocks the code: it may not be sold.
    #[error("{code} is recalled (case {case})")]
    Recalled {
        /// The code.
        code: CodeKey,
        /// The case.
        case: tanba_types::CaseId,
    },
    /// A recalled unit may move only back to the party that recalls it.
    #[error("{code} is recalled (case {case}): it goes back only to the recalling party")]
    RecallReturnOnly {
        /// The code.
        code: CodeKey,
        /// The case.
        case: tanba_types::CaseId,
    },
    /// No such case (or not one the caller may see).
    #[error("no case {0}")]
    UnknownCase(tanba_types::CaseId),
    /// A withdrawal for export of controlled goods and the permit it names do not agree.
    #[error("export permit: {problem:?}: {detail}")]
    ExportPermit {
        /// What is wrong.
        problem: ExportProblem,
        /// What the message names.
        detail: String,
    },
    /// No such notice in the caller's inbox.
    #[error("no notice {0}")]
    UnknownNotice(tanba_types::NoticeId),
    /// A goods scope names goods its party did not put into circulation (R-REC-09).
    #[error("{0}: not goods this party put into circulation")]
    ScopeNotYours(String),
    /// A goods scope matches no unit.
    #[error("the scope matches no marked unit")]
    ScopeEmpty,
    /// An attachment names no stored file, or one of another size.
    #[error("no stored attachment {0}")]
    UnknownAttachment(String),
    /// The register of entrepreneurs says this participant's registration ceased: it is
    /// suspended (or may not be registered) until the register says otherwise.
    #[error("participant {0}: registration ceased in the state register")]
    RegistrationCeased(TaxpayerId),
    /// A register refresh older than what the log already knows (a replayed revocation list).
    #[error("register {0}: the refresh is older than the one known")]
    RegisterStale(&'static str),
}

impl From<StoreError> for EngineError {
    fn from(error: StoreError) -> Self {
        match error {
            // A batch past its limit is the size of what was asked, not a failing disk.
            StoreError::BatchTooLarge => EngineError::LimitExceeded {
                what: "changes in one write batch",
                max: tanba_store::BATCH_OPERATIONS_MAX,
            },
            other => EngineError::Store(other.to_string()),
        }
    }
}

/// Why a controlled export and its permit do not agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportProblem {
    /// Controlled goods leave for export without a permit.
    Required,
    /// No permit has that number.
    Unknown,
    /// The permit was revoked or has expired.
    Ended,
    /// The permit's last valid day has passed.
    Expired,
    /// The permit is another participant's.
    NotHolder,
    /// The goods or the end user are not the permit's.
    Mismatch,
    /// Fewer units remain on the permit than the withdrawal takes.
    Exhausted,
}

impl ExportProblem {
    /// Every problem.
    pub const ALL: [ExportProblem; 7] = [
        ExportProblem::Required,
        ExportProblem::Unknown,
        ExportProblem::Ended,
        ExportProblem::Expired,
        ExportProblem::NotHolder,
        ExportProblem::Mismatch,
        ExportProblem::Exhausted,
    ];

    /// Its stable code.
    pub fn code(self) -> &'static str {
        match self {
            ExportProblem::Required => "TANBA-ENGINE-EXPORT-PERMIT-REQUIRED",
            ExportProblem::Unknown => "TANBA-ENGINE-EXPORT-PERMIT-UNKNOWN",
            ExportProblem::Ended => "TANBA-ENGINE-EXPORT-PERMIT-ENDED",
            ExportProblem::Expired => "TANBA-ENGINE-EXPORT-PERMIT-EXPIRED",
            ExportProblem::NotHolder => "TANBA-ENGINE-EXPORT-PERMIT-NOT-HOLDER",
            ExportProblem::Mismatch => "TANBA-ENGINE-EXPORT-PERMIT-MISMATCH",
            ExportProblem::Exhausted => "TANBA-ENGINE-EXPORT-PERMIT-EXHAUSTED",
        }
    }
}

impl EngineError {
    /// Every code this type can produce besides the transition table's ([`Refusal::ALL_CODES`]).
    pub const ALL_CODES: &'static [&'static str] = &[
        "TANBA-ENGINE-STORE",
        "TANBA-ENGINE-CORRUPT",
        "TANBA-ENGINE-UNKNOWN-PARTICIPANT",
        "TANBA-ENGINE-PARTICIPANT-SUSPENDED",
        "TANBA-ENGINE-PARTICIPANT-EXISTS",
        "TANBA-ENGINE-ROLE-REQUIRED",
        "TANBA-ENGINE-HOLDS-NO-GOODS",
        "TANBA-ENGINE-SYSTEM-ONLY",
        "TANBA-ENGINE-COUNTERPARTY-NOT-ELIGIBLE",
        "TANBA-ENGINE-UNKNOWN-CATEGORY",
        "TANBA-ENGINE-UNKNOWN-PRODUCT",
        "TANBA-ENGINE-PRODUCT-EXISTS",
        "TANBA-ENGINE-NOT-YOUR-PRODUCT",
        "TANBA-ENGINE-UNKNOWN-CODE",
        "TANBA-ENGINE-DUPLICATE-CODE",
        "TANBA-ENGINE-NOT-OWNER",
        "TANBA-ENGINE-IN-PACKAGE",
        "TANBA-ENGINE-IN-TRANSIT",
        "TANBA-ENGINE-NOT-A-PACKAGE",
        "TANBA-ENGINE-LEVEL-MISMATCH",
        "TANBA-ENGINE-CYCLE",
        "TANBA-ENGINE-TOO-DEEP",
        "TANBA-ENGINE-NOT-IN-PACKAGE",
        "TANBA-ENGINE-UNKNOWN-ORDER",
        "TANBA-ENGINE-ORDER-EXCEEDED",
        "TANBA-ENGINE-TAIL-MISMATCH",
        "TANBA-ENGINE-UNKNOWN-DOCUMENT",
        "TANBA-ENGINE-DATA-EXPORT-KEY-USED",
        "TANBA-ENGINE-DOCUMENT-CLOSED",
        "TANBA-ENGINE-NOT-IN-DOCUMENT",
        "TANBA-ENGINE-ALREADY-BLOCKED",
        "TANBA-ENGINE-NOT-BLOCKED-BY-YOU",
        "TANBA-ENGINE-LIMIT-EXCEEDED",
        "TANBA-ENGINE-INVALID",
        "TANBA-ENGINE-FOREIGN-TAXPAYER",
        "TANBA-ENGINE-RECEIPT-RECORDED",
        "TANBA-ENGINE-RECEIPT-MISMATCH",
        "TANBA-ENGINE-SALE-NEEDS-RECEIPT",
        "TANBA-ENGINE-FORGED-TAIL",
        "TANBA-ENGINE-REPEATED-ON-RECEIPT",
        "TANBA-ENGINE-UNKNOWN-RECEIPT",
        "TANBA-ENGINE-NOT-ON-RECEIPT",
        "TANBA-ENGINE-ALREADY-RETURNED",
        "TANBA-ENGINE-RETURN-PERIOD-OVER",
        "TANBA-ENGINE-EXPIRED",
        "TANBA-ENGINE-NOT-SERVED",
        "TANBA-ENGINE-BUSY",
        "TANBA-ENGINE-STORE-UNAVAILABLE",
        "TANBA-ENGINE-QUEUE-SHARE-FULL",
        "TANBA-ENGINE-STOPPED",
        "TANBA-ENGINE-LOG-UNAVAILABLE",
        "TANBA-ENGINE-SHELF-UNAVAILABLE",
        "TANBA-ENGINE-RECALLED",
        "TANBA-ENGINE-RECALL-RETURN-ONLY",
        "TANBA-ENGINE-UNKNOWN-CASE",
        "TANBA-ENGINE-UNKNOWN-NOTICE",
        "TANBA-ENGINE-SCOPE-NOT-YOURS",
        "TANBA-ENGINE-SCOPE-EMPTY",
        "TANBA-ENGINE-UNKNOWN-ATTACHMENT",
        "TANBA-ENGINE-EXPORT-PERMIT-REQUIRED",
        "TANBA-ENGINE-EXPORT-PERMIT-UNKNOWN",
        "TANBA-ENGINE-EXPORT-PERMIT-ENDED",
        "TANBA-ENGINE-EXPORT-PERMIT-EXPIRED",
        "TANBA-ENGINE-EXPORT-PERMIT-NOT-HOLDER",
        "TANBA-ENGINE-EXPORT-PERMIT-MISMATCH",
        "TANBA-ENGINE-EXPORT-PERMIT-EXHAUSTED",
        "TANBA-ENGINE-REGISTRATION-CEASED",
        "TANBA-ENGINE-REGISTER-STALE",
    ];

    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::Store(_) => "TANBA-ENGINE-STORE",
            EngineError::Corrupt(_) => "TANBA-ENGINE-CORRUPT",
            EngineError::Refused { refusal, .. } => refusal.code(),
            EngineError::UnknownParticipant(_) => "TANBA-ENGINE-UNKNOWN-PARTICIPANT",
            EngineError::ParticipantSuspended(_) => "TANBA-ENGINE-PARTICIPANT-SUSPENDED",
            EngineError::ParticipantExists(_) => "TANBA-ENGINE-PARTICIPANT-EXISTS",
            EngineError::RoleRequired(_) => "TANBA-ENGINE-ROLE-REQUIRED",
            EngineError::HoldsNoGoods(_) => "TANBA-ENGINE-HOLDS-NO-GOODS",
            EngineError::SystemOnly => "TANBA-ENGINE-SYSTEM-ONLY",
            EngineError::CounterpartyNotEligible(_) => "TANBA-ENGINE-COUNTERPARTY-NOT-ELIGIBLE",
            EngineError::UnknownCategory(_) => "TANBA-ENGINE-UNKNOWN-CATEGORY",
            EngineError::UnknownProduct(_) => "TANBA-ENGINE-UNKNOWN-PRODUCT",
            EngineError::ProductExists(_) => "TANBA-ENGINE-PRODUCT-EXISTS",
            EngineError::NotYourProduct(_) => "TANBA-ENGINE-NOT-YOUR-PRODUCT",
            EngineError::UnknownCode(_) => "TANBA-ENGINE-UNKNOWN-CODE",
            EngineError::DuplicateCode(_) => "TANBA-ENGINE-DUPLICATE-CODE",
            EngineError::NotOwner(_) => "TANBA-ENGINE-NOT-OWNER",
            EngineError::InPackage(_) => "TANBA-ENGINE-IN-PACKAGE",
            EngineError::InTransit { .. } => "TANBA-ENGINE-IN-TRANSIT",
            EngineError::NotAPackage(_) => "TANBA-ENGINE-NOT-A-PACKAGE",
            EngineError::LevelMismatch { .. } => "TANBA-ENGINE-LEVEL-MISMATCH",
            EngineError::Cycle(_) => "TANBA-ENGINE-CYCLE",
            EngineError::TooDeep(_) => "TANBA-ENGINE-TOO-DEEP",
            EngineError::NotInPackage(_) => "TANBA-ENGINE-NOT-IN-PACKAGE",
            EngineError::UnknownOrder(_) => "TANBA-ENGINE-UNKNOWN-ORDER",
            EngineError::OrderExceeded { .. } => "TANBA-ENGINE-ORDER-EXCEEDED",
            EngineError::TailMismatch => "TANBA-ENGINE-TAIL-MISMATCH",
            EngineError::UnknownDocument(_) => "TANBA-ENGINE-UNKNOWN-DOCUMENT",
            EngineError::DataExportKeyUsed(_) => "TANBA-ENGINE-DATA-EXPORT-KEY-USED",
            EngineError::InCapture { error, .. } => error.code(),
            EngineError::DocumentClosed(_) => "TANBA-ENGINE-DOCUMENT-CLOSED",
            EngineError::NotInDocument(_) => "TANBA-ENGINE-NOT-IN-DOCUMENT",
            EngineError::AlreadyBlocked(_) => "TANBA-ENGINE-ALREADY-BLOCKED",
            EngineError::NotBlockedByYou(_) => "TANBA-ENGINE-NOT-BLOCKED-BY-YOU",
            EngineError::LimitExceeded { .. } => "TANBA-ENGINE-LIMIT-EXCEEDED",
            EngineError::Invalid { .. } => "TANBA-ENGINE-INVALID",
            EngineError::ForeignTaxpayer { .. } => "TANBA-ENGINE-FOREIGN-TAXPAYER",
            EngineError::ReceiptRecorded { .. } => "TANBA-ENGINE-RECEIPT-RECORDED",
            EngineError::ReceiptMismatch { .. } => "TANBA-ENGINE-RECEIPT-MISMATCH",
            EngineError::SaleNeedsReceipt => "TANBA-ENGINE-SALE-NEEDS-RECEIPT",
            EngineError::ForgedTail(_) => "TANBA-ENGINE-FORGED-TAIL",
            EngineError::RepeatedOnReceipt(_) => "TANBA-ENGINE-REPEATED-ON-RECEIPT",
            EngineError::UnknownReceipt(_) => "TANBA-ENGINE-UNKNOWN-RECEIPT",
            EngineError::NotOnReceipt(_) => "TANBA-ENGINE-NOT-ON-RECEIPT",
            EngineError::AlreadyReturned(_) => "TANBA-ENGINE-ALREADY-RETURNED",
            EngineError::ReturnPeriodOver(_) => "TANBA-ENGINE-RETURN-PERIOD-OVER",
            EngineError::Expired(_) => "TANBA-ENGINE-EXPIRED",
            EngineError::Calendar(error) => error.code(),
            EngineError::NotServed { .. } => "TANBA-ENGINE-NOT-SERVED",
            EngineError::Busy => "TANBA-ENGINE-BUSY",
            EngineError::StoreUnavailable => "TANBA-ENGINE-STORE-UNAVAILABLE",
            EngineError::QueueShareFull => "TANBA-ENGINE-QUEUE-SHARE-FULL",
            EngineError::Stopped => "TANBA-ENGINE-STOPPED",
            EngineError::LogUnavailable(_) => "TANBA-ENGINE-LOG-UNAVAILABLE",
            EngineError::ShelfUnavailable(_) => "TANBA-ENGINE-SHELF-UNAVAILABLE",
            EngineError::Case(error) => error.code(),
            EngineError::Recalled { .. } => "TANBA-ENGINE-RECALLED",
            EngineError::RecallReturnOnly { .. } => "TANBA-ENGINE-RECALL-RETURN-ONLY",
            EngineError::UnknownCase(_) => "TANBA-ENGINE-UNKNOWN-CASE",
            EngineError::ExportPermit { problem, .. } => problem.code(),
            EngineError::UnknownNotice(_) => "TANBA-ENGINE-UNKNOWN-NOTICE",
            EngineError::ScopeNotYours(_) => "TANBA-ENGINE-SCOPE-NOT-YOURS",
            EngineError::ScopeEmpty => "TANBA-ENGINE-SCOPE-EMPTY",
            EngineError::UnknownAttachment(_) => "TANBA-ENGINE-UNKNOWN-ATTACHMENT",
            EngineError::RegistrationCeased(_) => "TANBA-ENGINE-REGISTRATION-CEASED",
            EngineError::RegisterStale(_) => "TANBA-ENGINE-REGISTER-STALE",
        }
    }

    /// The code this error is about, if any.
    pub fn subject(&self) -> Option<CodeKey> {
        match self {
            EngineError::Refused { code, .. }
            | EngineError::UnknownCode(code)
            | EngineError::DuplicateCode(code)
            | EngineError::NotOwner(code)
            | EngineError::InPackage(code)
            | EngineError::InTransit { code, .. }
            | EngineError::NotAPackage(code)
            | EngineError::Cycle(code)
            | EngineError::NotInPackage(code)
            | EngineError::NotInDocument(code)
            | EngineError::AlreadyBlocked(code)
            | EngineError::NotBlockedByYou(code)
            | EngineError::ForgedTail(code)
            | EngineError::RepeatedOnReceipt(code)
            | EngineError::NotOnReceipt(code)
            | EngineError::AlreadyReturned(code)
            | EngineError::ReturnPeriodOver(code)
            | EngineError::Expired(code)
            | EngineError::Recalled { code, .. }
            | EngineError::RecallReturnOnly { code, .. } => Some(*code),
            EngineError::InCapture { error, .. } => error.subject(),
            _ => None,
        }
    }
}

impl Localized for EngineError {
    fn code(&self) -> &'static str {
        EngineError::code(self)
    }

    /// What the message names: the code concerned, the role needed, the limit, the field.
    fn detail(&self) -> Option<String> {
        match self {
            EngineError::RoleRequired(role) => Some(role.to_string()),
            EngineError::InCapture { index, error } => Some(match error.detail() {
                Some(detail) => format!("{detail} (#{index})"),
                None => format!("#{index}"),
            }),
            EngineError::LimitExceeded { what, max } => Some(format!("{what} ≤ {max}")),
            EngineError::Invalid { field, .. } => Some((*field).to_owned()),
            EngineError::ForeignTaxpayer { state, number } => Some(format!("{state} {number}")),
            EngineError::UnknownParticipant(id)
            | EngineError::ParticipantSuspended(id)
            | EngineError::RegistrationCeased(id)
            | EngineError::ParticipantExists(id)
            | EngineError::CounterpartyNotEligible(id)
            | EngineError::HoldsNoGoods(id) => Some(id.to_string()),
            EngineError::UnknownCategory(category) => Some(category.clone()),
            EngineError::UnknownProduct(gtin)
            | EngineError::ProductExists(gtin)
            | EngineError::NotYourProduct(gtin) => Some(gtin.to_string()),
            EngineError::UnknownOrder(id)
            | EngineError::UnknownDocument(id)
            | EngineError::DataExportKeyUsed(id)
            | EngineError::DocumentClosed(id) => Some(id.to_string()),
            EngineError::TooDeep(depth) => Some(depth.to_string()),
            EngineError::ReceiptRecorded { receipt, .. }
            | EngineError::ReceiptMismatch { receipt, .. }
            | EngineError::UnknownReceipt(receipt) => Some(receipt.clone()),
            EngineError::NotServed { seller, .. } => Some(seller.to_string()),
            EngineError::LevelMismatch { parent, child } => Some(format!("{parent} ⊅ {child}")),
            EngineError::OrderExceeded { quantity, .. } => Some(quantity.to_string()),
            EngineError::Calendar(error) => error.detail(),
            EngineError::Case(error) => error.detail(),
            EngineError::ExportPermit { detail, .. } => Some(detail.clone()),
            EngineError::UnknownCase(id) | EngineError::UnknownNotice(id) => Some(id.to_string()),
            EngineError::ScopeNotYours(what) | EngineError::UnknownAttachment(what) => {
                Some(what.clone())
            }
            EngineError::RegisterStale(register) => Some((*register).to_owned()),
            _ => self.subject().map(|code| code.to_string()),
        }
    }
}
