//! Tanba's domain vocabulary, shared by every crate above it.
//!
//! For now: Kazakhstan identifiers ([`kz`]: IIN/BIN with their check digit, EAEU HS codes), the
//! languages people read Tanba in ([`language`]), the catalogue of error messages in Kazakh,
//! Russian and English keyed by stable error code ([`messages`]), a code's statuses with the
//! one transition table ([`status`]), package levels ([`package`]) and participants' roles
//! ([`participant`]); what identifies a marked thing ([`code_key`]), calendar dates ([`date`]),
//! reference data ([`reference`]), what the state's registers said ([`register`]), what the public tells us ([`public`]), the commands and events of the engine ([`command`],
//! [`event`]) and the limits on them ([`limits`]); the vocabulary of cases, the legal
//! procedures over the same log ([`case`]).
//!
//! Architecture invariant: pure data and functions. No IO, no clock, no randomness, no storage,
//! no wire format. Error messages are looked up by code string, so this crate need not depend on
//! the crates whose errors it translates (they sit above it).

pub mod case;
pub mod code_key;
pub mod command;
pub mod date;
pub mod eaeu;
pub mod event;
pub mod kz;
pub mod language;
pub mod limits;
pub mod messages;
pub mod package;
pub mod participant;
pub mod public;
pub mod reference;
pub mod register;
pub mod scanned;
pub mod serde_text;
pub mod status;

pub use case::{
    AttachmentRef, CaseCommand, CaseId, CaseOpening, CaseStep, ClockChange, DayUnit, Decimal,
    DocumentNumber, Due, ExportAuthorization, ExportUse, ExportUsed, FieldValue, Form,
    GoodsRequest, GoodsScope, HolderCounts, Holding, LegalClock, Notice, NoticeId, Run, Rung,
    Scalar, StageReport, SweepJob, SweepPhase, Texts,
};
pub use code_key::{CodeKey, CodeKeyError, Gtin, Serial, Sscc};
pub use command::{
    Actor, Command, DataExportKind, DocumentId, Introduction, IssuedCode, IssuedTail, OrderId,
    SaleLine,
};
pub use date::{Date, DateError};
pub use eaeu::{EaeuDocument, EaeuState};
pub use event::{Event, RefusedLine};
pub use kz::{HsCode, KzIdError, TaxpayerId, TaxpayerKind};
pub use language::Language;
pub use messages::{ErrorNote, Localized, localize};
pub use package::{PACKAGE_DEPTH_MAX, PackageLevel};
pub use participant::{ParticipantStatus, Role};
pub use public::{
    FlagReason, Location, PhotoFormat, PhotoRef, ReportFault, SealedContact, ViolationKind,
    ViolationReport, reporter_network,
};
pub use reference::{
    Category, FiscalAgency, Names, Participant, ParticipantKey, Product, TailProfile,
};
pub use register::{RegisterEntry, RegisterRefresh, RegistrationStatus, RevocationUpdate};
pub use scanned::{ScanError, ScannedCode, ScannedTail, printable};
pub use status::{
    CodeState, CodeStatus, IntroductionKind, Operation, Refusal, WithdrawalReason, transition,
};
