//! Events: the facts the engine records in its log. State (codes, packages, documents, the
//! registry) is a function of the events alone: replaying them from the first rebuilds it byte
//! for byte. So an event carries everything its effect depends on that is not already in state
//! (the serials and tails of issued codes, the dates of an applied report), and nothing that state
//! already determines (the content of a package is found, not listed).
//!
//! Operations named on a package (introduce, ship, accept, withdraw, block, unblock) apply to its
//! whole subtree as the subtree stands when the event applies.

use serde::{Deserialize, Serialize};

use crate::case::{
    CaseId, CaseOpening, CaseStep, ClockChange, DocumentNumber, ExportAuthorization, ExportUsed,
    GoodsScope, Holding, LegalClock, Notice, NoticeId, StageReport, SweepJob,
};
use crate::code_key::{CodeKey, Gtin, Sscc};
use crate::command::{DataExportKind, DocumentId, Introduction, IssuedCode, OrderId, SaleLine};
use crate::date::Date;
use crate::kz::TaxpayerId;
use crate::messages::ErrorNote;
use crate::reference::{Category, FiscalAgency, Participant, Product, TailProfile};
use crate::status::WithdrawalReason;

/// A fact in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// A participant joined the registry.
    ParticipantRegistered(Participant),
    /// A participant's card changed (the whole new card).
    ParticipantUpdated(Participant),
    /// A product category was defined or redefined.
    CategoryDefined(Category),
    /// A product card was registered.
    ProductRegistered(Product),
    /// A product card changed (the whole new card).
    ProductUpdated(Product),
    /// An emission order was placed; its id is this event's sequence.
    CodesOrdered {
        /// Who ordered; owns the codes.
        orderer: TaxpayerId,
        /// The product.
        gtin: Gtin,
        /// How many codes.
        quantity: u32,
        /// The tail the codes get (the category's at the time of the order).
        tail_profile: TailProfile,
    },
    /// A chunk of an order was issued: the codes exist now, `EMITTED`.
    CodesIssued {
        /// The order.
        order: OrderId,
        /// The order-relative index of the first code.
        first_index: u32,
        /// The codes, in order.
        codes: Vec<IssuedCode>,
    },
    /// Codes were printed and applied to goods.
    CodesApplied {
        /// The codes.
        codes: Vec<CodeKey>,
        /// Production date.
        production_date: Date,
        /// Expiry date, if the goods expire.
        expiry_date: Option<Date>,
        /// Production batch.
        batch: Option<String>,
    },
    /// Goods entered circulation.
    CodesIntroduced {
        /// Codes or packages (with their content).
        codes: Vec<CodeKey>,
        /// How.
        introduction: Introduction,
    },
    /// A new transport package was registered.
    TransportPackageCreated {
        /// Its SSCC.
        sscc: Sscc,
        /// Its owner.
        owner: TaxpayerId,
    },
    /// Codes were put into a package (moving from any package they were in).
    Aggregated {
        /// The package.
        parent: CodeKey,
        /// What went in.
        children: Vec<CodeKey>,
    },
    /// Codes were taken out of their packages.
    Disaggregated {
        /// The codes taken out.
        codes: Vec<CodeKey>,
    },
    /// A shipment was sent; its id is this event's sequence. The items are in transit.
    Shipped {
        /// The seller.
        seller: TaxpayerId,
        /// The buyer.
        buyer: TaxpayerId,
        /// Codes and packages (with their content).
        items: Vec<CodeKey>,
        /// The seller's signature.
        signature: Vec<u8>,
    },
    /// The buyer accepted some or all of a shipment: those items are the buyer's now.
    Accepted {
        /// The shipment.
        document: DocumentId,
        /// What the buyer took.
        accepted: Vec<CodeKey>,
        /// What went back to the seller.
        returned: Vec<CodeKey>,
        /// The buyer's signature.
        signature: Vec<u8>,
    },
    /// The buyer refused a shipment: everything stays with the seller.
    Rejected {
        /// The shipment.
        document: DocumentId,
        /// The buyer's signature.
        signature: Vec<u8>,
    },
    /// The seller called back a shipment the buyer had not answered.
    ShipmentCancelled {
        /// The shipment.
        document: DocumentId,
        /// The seller's signature.
        signature: Vec<u8>,
    },
    /// Codes left circulation.
    Withdrawn {
        /// Codes or packages (with their content).
        codes: Vec<CodeKey>,
        /// Why.
        reason: WithdrawalReason,
        /// The paper behind it.
        document: Option<String>,
        /// The permit an export of controlled goods used.
        export: Option<ExportUsed>,
        /// The cross-border document of an export to another EAEU state.
        eaeu: Option<crate::EaeuDocument>,
    },
    /// A seller's fiscal sales receipt was recorded (the seller is the log record's actor):
    /// the lines not refused were sold.
    Sold {
        /// The receipt's id, unique per seller.
        receipt_id: String,
        /// When the till printed it, unix milliseconds.
        printed_ms: u64,
        /// The lines as sent.
        lines: Vec<SaleLine>,
        /// The code of each line not refused, in line order: withdrawn as sold.
        sold: Vec<CodeKey>,
        /// The lines set aside, with why.
        refused: Vec<RefusedLine>,
    },
    /// Goods of one sale came back from a consumer.
    Returned {
        /// The codes.
        codes: Vec<CodeKey>,
        /// The return receipt's id.
        receipt_id: String,
        /// The sales receipt they were sold on.
        sale_receipt_id: String,
    },
    /// A fiscal data operator was registered as serving a seller (replacing earlier dates).
    FiscalOperatorAssigned(FiscalAgency),
    /// An authority blocked codes.
    Blocked {
        /// Codes or packages (with their content).
        codes: Vec<CodeKey>,
        /// Which authority.
        authority: TaxpayerId,
        /// Why.
        reason: String,
    },
    /// An authority lifted its block.
    Unblocked {
        /// Codes or packages (with their content).
        codes: Vec<CodeKey>,
        /// Which authority.
        authority: TaxpayerId,
    },
    /// A version of the working-day calendar came into force.
    CalendarPublished {
        /// Its version (one more than the one before).
        version: u32,
        /// The document as published.
        toml: String,
    },
    /// A stage of a monitored state service (R-PER-10, R-CER-19).
    StageReported(StageReport),
    /// A case's permit authorizes its party to export controlled goods.
    ExportAuthorized {
        /// The case.
        case: CaseId,
        /// What it authorizes.
        authorization: ExportAuthorization,
    },
    /// A case's authorization ended (revoked, expired).
    ExportAuthorizationEnded {
        /// The case.
        case: CaseId,
        /// The permit's number.
        number: DocumentNumber,
    },
    /// A case gave a document its number (a permit, a certificate), the next of its series.
    DocumentNumbered {
        /// The case.
        case: CaseId,
        /// The number.
        number: DocumentNumber,
    },
    /// A version of a reference set came into force.
    ReferencePublished {
        /// The set's name (`hs_codes`).
        set: String,
        /// Its version (one more than the one before).
        version: u32,
        /// The document as published.
        toml: String,
    },
    /// A case was opened (its id is this event's sequence) by its opening transition.
    CaseOpened {
        /// What the opening fixes.
        opening: CaseOpening,
        /// The opening step (its `case` is this event's sequence).
        step: CaseStep,
    },
    /// A case took a transition.
    CaseStepped(CaseStep),
    /// A case's clock has a new value.
    CaseClockSet {
        /// The case.
        case: CaseId,
        /// The clock's name in its definition (`D-REC-2`).
        clock: String,
        /// Why it changed.
        change: ClockChange,
        /// Its value now.
        value: LegalClock,
        /// When its next warning rung fires, if any: the due-time index's key.
        next_rung_ms: Option<u64>,
    },
    /// A notice was made available to its addressee (its id is this event's sequence).
    NoticeSent(Notice),
    /// The addressee read a notice.
    NoticeRead {
        /// The notice.
        notice: NoticeId,
    },
    /// A case's goods scope is refused at every till and shown recalled from now on.
    ScopeBlocked {
        /// The case.
        case: CaseId,
        /// The goods.
        scope: GoodsScope,
    },
    /// A case's scope block was lifted.
    ScopeReleased {
        /// The case.
        case: CaseId,
    },
    /// A page of a recall's census: who held which units of its scope as the block took effect.
    HoldersCounted {
        /// The case.
        case: CaseId,
        /// Per holder, its units of this page.
        holdings: Vec<Holding>,
    },
    /// A sweep over a case's goods moved on: its next position, or `None` when it is over.
    SweepMoved {
        /// The case.
        case: CaseId,
        /// Where the sweep stands now.
        job: Option<SweepJob>,
    },
    /// A consumer opted in to direct notices about a unit (its id is this event's sequence).
    ConsumerOptedIn {
        /// The unit.
        code: CodeKey,
        /// The consumer's contact, sealed (none in entries older than the sealed contact).
        contact: Option<crate::SealedContact>,
    },
    /// A consumer withdrew its opt-in.
    ConsumerOptedOut {
        /// The opt-in.
        opt_in: u64,
    },
    /// A participant (the entry's actor) uploaded an attachment.
    AttachmentRecorded {
        /// BLAKE3 of the bytes.
        hash: [u8; 32],
        /// Their size.
        size_bytes: u64,
    },
    /// The public reported a violation (its id is this event's sequence).
    ViolationReported(crate::ViolationReport),
    /// A code was flagged as a likely copy, on one more piece of evidence.
    LikelyCopyFlagged {
        /// The code.
        code: CodeKey,
        /// The evidence.
        reason: crate::FlagReason,
    },
    /// An authority cleared a code's likely-copy flag.
    LikelyCopyCleared {
        /// The code.
        code: CodeKey,
        /// Why.
        reason: String,
    },
    /// A case's direct notice to an opted-in consumer was made available (R-REC-07: measured
    /// against this event's time).
    ConsumerNotified {
        /// The case.
        case: CaseId,
        /// The opt-in.
        opt_in: u64,
        /// The unit it is about.
        code: CodeKey,
    },
    /// The tick recomputed, under the calendar version in force, the running clocks of the
    /// cases due up to a point of the due-time index (the clocks' own events say which).
    CasesRecomputed {
        /// The calendar version.
        version: u32,
        /// The last (next rung, case) done; `None`: every case is done.
        through: Option<(u64, CaseId)>,
    },
    /// A state register's refresh (clause 2, R-IS-16): what changed in the register of
    /// entrepreneurs or a certification centre's revocation list. Participants whose
    /// registration ceased (or resumed) are updated in the same group.
    RegisterRefreshed(crate::register::RegisterRefresh),
    /// A data export job was made (R-IS-15); its id is this event's sequence, and it reads the
    /// log up to here. Who asked is the record's actor.
    DataExportRequested {
        /// The caller's key.
        key: String,
        /// What it exports.
        kind: DataExportKind,
        /// The first day.
        from: Date,
        /// The last day.
        to: Date,
    },
}

impl Event {
    /// The event's name in feeds, logs and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Event::ParticipantRegistered(_) => "participant_registered",
            Event::ParticipantUpdated(_) => "participant_updated",
            Event::CategoryDefined(_) => "category_defined",
            Event::ProductRegistered(_) => "product_registered",
            Event::ProductUpdated(_) => "product_updated",
            Event::CodesOrdered { .. } => "codes_ordered",
            Event::CodesIssued { .. } => "codes_issued",
            Event::CodesApplied { .. } => "codes_applied",
            Event::CodesIntroduced { .. } => "codes_introduced",
            Event::TransportPackageCreated { .. } => "transport_package_created",
            Event::Aggregated { .. } => "aggregated",
            Event::Disaggregated { .. } => "disaggregated",
            Event::Shipped { .. } => "shipped",
            Event::Accepted { .. } => "accepted",
            Event::Rejected { .. } => "rejected",
            Event::ShipmentCancelled { .. } => "shipment_cancelled",
            Event::Withdrawn { .. } => "withdrawn",
            Event::Sold { .. } => "sold",
            Event::Returned { .. } => "returned",
            Event::FiscalOperatorAssigned(_) => "fiscal_operator_assigned",
            Event::Blocked { .. } => "blocked",
            Event::Unblocked { .. } => "unblocked",
            Event::CalendarPublished { .. } => "calendar_published",
            Event::ReferencePublished { .. } => "reference_published",
            Event::DocumentNumbered { .. } => "document_numbered",
            Event::StageReported(_) => "stage_reported",
            Event::ExportAuthorized { .. } => "export_authorized",
            Event::ExportAuthorizationEnded { .. } => "export_authorization_ended",
            Event::CaseOpened { .. } => "case_opened",
            Event::CaseStepped(_) => "case_stepped",
            Event::CaseClockSet { .. } => "case_clock_set",
            Event::NoticeSent(_) => "notice_sent",
            Event::NoticeRead { .. } => "notice_read",
            Event::ScopeBlocked { .. } => "scope_blocked",
            Event::ScopeReleased { .. } => "scope_released",
            Event::HoldersCounted { .. } => "holders_counted",
            Event::SweepMoved { .. } => "sweep_moved",
            Event::ConsumerOptedIn { .. } => "consumer_opted_in",
            Event::ConsumerOptedOut { .. } => "consumer_opted_out",
            Event::ConsumerNotified { .. } => "consumer_notified",
            Event::AttachmentRecorded { .. } => "attachment_recorded",
            Event::ViolationReported(_) => "violation_reported",
            Event::LikelyCopyFlagged { .. } => "likely_copy_flagged",
            Event::LikelyCopyCleared { .. } => "likely_copy_cleared",
            Event::CasesRecomputed { .. } => "cases_recomputed",
            Event::RegisterRefreshed(_) => "register_refreshed",
            Event::DataExportRequested { .. } => "data_export_requested",
        }
    }
}

/// A receipt line set aside: which, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedLine {
    /// The line's place on the receipt, from 0.
    pub line: u32,
    /// Why, as the error's code and what its message names.
    pub error: ErrorNote,
}
