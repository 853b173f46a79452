//! Commands: what participants (and the system's own issuer) ask the engine to do. A command is
//! validated against current state (format-logical control, R-IS-17) and either refused with a
//! typed error or turned into [`Event`](crate::event::Event)s. Time and randomness never come
//! from the engine: the writer stamps the time on each command, and the serials of issued codes
//! arrive inside the `IssueCodes` command.

use serde::{Deserialize, Serialize};

use crate::case::CaseCommand;
use crate::code_key::{CodeKey, Gtin, Serial};
use crate::date::Date;
use crate::kz::TaxpayerId;
use crate::reference::{Category, FiscalAgency, Participant, Product};
use crate::status::{IntroductionKind, WithdrawalReason};

/// An emission order's id: the log sequence of the event that placed it.
pub type OrderId = u64;
/// An accompanying document's id: the log sequence of the event that created it.
pub type DocumentId = u64;

/// Who submitted a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// Tanba itself (the code issuer). Never reachable from outside.
    System,
    /// A registered participant, already authenticated by the caller of the engine.
    Participant(TaxpayerId),
    /// A member of the public, anonymous, through the server's public door: the engine takes
    /// from it only a violation report, and a consumer's opt-in for a code and its withdrawal
    /// (R-REC-07).
    Public,
    /// A fiscal data operator forwarding a seller's receipt (R-IS-13): the log names both. The
    /// engine honours it only for receipts, and only while the operator is registered as
    /// serving the seller ([`FiscalAgency`](crate::reference::FiscalAgency)).
    FiscalOperator {
        /// The fiscal data operator, signed in.
        operator: TaxpayerId,
        /// The seller it acts for.
        seller: TaxpayerId,
    },
}

impl Actor {
    /// Whose goods the actor acts on: the participant itself, or the seller a fiscal data
    /// operator acts for.
    pub fn principal(&self) -> Option<TaxpayerId> {
        match self {
            Actor::System | Actor::Public => None,
            Actor::Participant(id) | Actor::FiscalOperator { seller: id, .. } => Some(*id),
        }
    }

    /// The participant who signed in: the operator for a fiscal data operator's call.
    pub fn caller(&self) -> Option<TaxpayerId> {
        match self {
            Actor::System | Actor::Public => None,
            Actor::Participant(id) => Some(*id),
            Actor::FiscalOperator { operator, .. } => Some(*operator),
        }
    }
}

/// One line of a fiscal sales receipt, as the till scanned and priced it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SaleLine {
    /// The code as scanned, any form (at most [`SCANNED_CODE_CHARS_MAX`](crate::limits::SCANNED_CODE_CHARS_MAX)).
    pub code: String,
    /// The price, in tiyn (1/100 tenge).
    pub price_tiyn: u64,
}

/// How goods entered circulation, with the paper that proves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Introduction {
    /// Made in Kazakhstan.
    OwnProduction,
    /// Imported from outside the EAEU.
    Import {
        /// The customs declaration number (ДТ).
        customs_declaration: String,
    },
    /// Received from another EAEU state.
    EaeuReceipt {
        /// ISO 3166-1 alpha-2 code of the sending state.
        from_country: String,
        /// The sender's accompanying document number.
        document_number: String,
        /// The seller's taxpayer number in its state (checked by
        /// [`EaeuState::checks_taxpayer`](crate::EaeuState::checks_taxpayer)); required of a new
        /// receipt, absent from the log's first receipts.
        seller_taxpayer: Option<String>,
        /// The document's date; required of a new receipt, as the seller's number.
        document_date: Option<Date>,
    },
}

impl Introduction {
    /// The kind, as the transition table knows it.
    pub fn kind(&self) -> IntroductionKind {
        match self {
            Introduction::OwnProduction => IntroductionKind::OwnProduction,
            Introduction::Import { .. } => IntroductionKind::Import,
            Introduction::EaeuReceipt { .. } => IntroductionKind::EaeuReceipt,
        }
    }
}

/// The tail printed on an issued code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssuedTail {
    /// AI 91 + AI 92.
    Full {
        /// AI 91: the signing key's id.
        key_id: String,
        /// AI 92: the signature, base64url.
        signature: String,
    },
    /// AI 93, with the id of the key that made it (the tag itself names no key).
    Short {
        /// The short-tag key's id.
        key_id: String,
        /// AI 93.
        tag: String,
    },
}

/// One code of an emission order, as issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedCode {
    /// AI 21.
    pub serial: Serial,
    /// Its tail.
    pub tail: IssuedTail,
}

/// A request to change state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    /// Operator: register a participant (R-IS-09).
    RegisterParticipant(Participant),
    /// Operator: replace a participant's name, roles, keys or status.
    UpdateParticipant(Participant),
    /// Operator: define or redefine a product category.
    DefineCategory(Category),
    /// The producer or importer named on the card (or the operator): register a product.
    RegisterProduct(Product),
    /// The same: change a product card (the GTIN stays).
    UpdateProduct(Product),
    /// Producer or importer: order codes for one of its GTINs (R-IS-01).
    OrderCodes {
        /// The product.
        gtin: Gtin,
        /// How many codes.
        quantity: u32,
    },
    /// System: issue the next chunk of an order, with serials and tails made outside the engine.
    IssueCodes {
        /// The order.
        order: OrderId,
        /// The codes.
        codes: Vec<IssuedCode>,
    },
    /// The orderer: the codes are printed and on the goods.
    ReportApplied {
        /// The codes (or group packages).
        codes: Vec<CodeKey>,
        /// When the goods were made.
        production_date: Date,
        /// When they expire; computed from the shelf life when not given.
        expiry_date: Option<Date>,
        /// The production batch.
        batch: Option<String>,
    },
    /// The owner: the goods enter circulation (whole packages with their content).
    Introduce {
        /// Codes or packages.
        codes: Vec<CodeKey>,
        /// How.
        introduction: Introduction,
    },
    /// The owner: put codes into a package (R-IS-04); an SSCC not yet known is created.
    Aggregate {
        /// The package.
        parent: CodeKey,
        /// What goes in; codes already in another package of the owner move.
        children: Vec<CodeKey>,
    },
    /// The owner: take codes out of their packages.
    Disaggregate {
        /// The codes to take out.
        codes: Vec<CodeKey>,
    },
    /// The seller: ship codes and packages to a buyer (R-IS-10).
    Ship {
        /// Who receives.
        buyer: TaxpayerId,
        /// Codes and packages not inside another package.
        items: Vec<CodeKey>,
        /// The seller's detached signature over the document's canonical bytes.
        signature: Vec<u8>,
    },
    /// The buyer: accept a shipment, whole or in part. Ownership moves now.
    Accept {
        /// The shipment.
        document: DocumentId,
        /// The items accepted; `None` accepts everything. The rest goes back to the seller.
        items: Option<Vec<CodeKey>>,
        /// The buyer's detached signature.
        signature: Vec<u8>,
    },
    /// The buyer: refuse a shipment. Everything stays with the seller.
    Reject {
        /// The shipment.
        document: DocumentId,
        /// The buyer's detached signature.
        signature: Vec<u8>,
    },
    /// The seller: call back a shipment the buyer has not answered (a buyer that went out of
    /// business or was suspended). Everything stays with the seller.
    CancelShipment {
        /// The shipment.
        document: DocumentId,
        /// The seller's detached signature.
        signature: Vec<u8>,
    },
    /// The owner: take codes out of circulation.
    Withdraw {
        /// Codes or packages.
        codes: Vec<CodeKey>,
        /// Why.
        reason: WithdrawalReason,
        /// The paper behind it: a fiscal receipt id, an export declaration, an act.
        document: Option<String>,
        /// For export outside the EAEU of controlled goods: the permit it uses.
        export: Option<crate::ExportUse>,
        /// For a sale or shipment to a buyer in another EAEU state: the cross-border document
        /// (required with [`WithdrawalReason::ExportToEaeu`], refused with any other reason).
        eaeu: Option<crate::EaeuDocument>,
    },
    /// The seller (or its fiscal data operator): a fiscal sales receipt (R-IS-13). A receipt
    /// is a fact, the customer has left with the goods, so each line the rules refuse is set
    /// aside with why and recorded with the rest; the receipt, its lines, prices and the
    /// answer are in the log, under its id (unique per seller). A retail sale has no other way
    /// in: `Withdraw` refuses [`WithdrawalReason::RetailSale`].
    RecordSale {
        /// The fiscal receipt's id.
        receipt_id: String,
        /// When the till printed it, unix milliseconds (as the fiscal data operator says).
        printed_ms: u64,
        /// The lines, in the order printed.
        lines: Vec<SaleLine>,
    },
    /// The seller (or its fiscal data operator): a consumer brought back goods of one sale.
    /// All or nothing: each code must have been sold on that receipt, not yet returned from
    /// it, within the return period of its category.
    RecordReturn {
        /// The return receipt's id.
        receipt_id: String,
        /// The sales receipt the goods were sold on.
        sale_receipt_id: String,
        /// The codes (units or packages sold as such).
        codes: Vec<CodeKey>,
    },
    /// Operator: register (or change the dates of) a fiscal data operator serving a seller.
    AssignFiscalOperator(FiscalAgency),
    /// An authority: block codes (and everything inside packages).
    Block {
        /// Codes or packages.
        codes: Vec<CodeKey>,
        /// Why, for the public card and the owner.
        reason: String,
    },
    /// An authority: lift its own block.
    Unblock {
        /// Codes or packages.
        codes: Vec<CodeKey>,
    },
    /// Operator (or the system, for the calendar a fresh store starts with): publish the next
    /// version of the working-day calendar of the legal terms, as the document itself (TOML, the
    /// format of `tanba-cases/calendar/`), which the engine parses and checks when it decides, so
    /// replay reads the same text.
    PublishCalendar {
        /// The calendar document, at most [`CALENDAR_BYTES_MAX`](crate::limits::CALENDAR_BYTES_MAX).
        toml: String,
    },
    /// The operator (or the system, on a fresh store): a version of one reference set the forms
    /// of the legal procedures are checked against (providers, HS codes, control lists,
    /// currencies, countries, units), as the document itself (TOML, the format of
    /// `tanba-cases/reference/`), parsed and checked when decided and numbered one more than the
    /// set's version in force.
    PublishReference {
        /// The document, at most [`REFERENCE_BYTES_MAX`](crate::limits::REFERENCE_BYTES_MAX).
        toml: String,
    },
    /// A command on cases (the legal procedures).
    Case(CaseCommand),
    /// The public: a consumer asks to be told directly if a unit it bought is recalled
    /// (R-REC-07). Its contact comes sealed under a secret only the consumer holds, so the log
    /// carries it to every node and nobody else reads it. Its id is its event's sequence.
    ConsumerOptIn {
        /// The unit.
        code: CodeKey,
        /// The consumer's contact, sealed.
        contact: crate::SealedContact,
    },
    /// The public: a consumer withdraws its opt-in; its sealed contact leaves the state.
    ConsumerOptOut {
        /// The opt-in.
        opt_in: u64,
    },
    /// A participant: an attachment it uploaded (its bytes in the blobs of the node that took
    /// them), so that every node decides alike a case step that names it. Only the upload's
    /// door submits it, with the hash of the bytes it stored: knowing a hash is no licence to
    /// someone else's file.
    RecordAttachment {
        /// BLAKE3 of the bytes.
        hash: [u8; 32],
        /// Their size, 1 to [`ATTACHMENT_BYTES_MAX`](crate::limits::ATTACHMENT_BYTES_MAX).
        size_bytes: u64,
    },
    /// The public: a violation report for the authorities' lists (a claim, never a flag). Its
    /// id is its event's sequence.
    ReportViolation(crate::ViolationReport),
    /// System: the server saw evidence that a code is copied (its genuine tail checked from
    /// many networks at once, or a till selling it again after its sale); the flag counts each
    /// piece of evidence.
    FlagLikelyCopy {
        /// The code.
        code: CodeKey,
        /// The evidence.
        reason: crate::FlagReason,
    },
    /// An authority: clear a code's likely-copy flag, the evidence explained.
    ClearLikelyCopyFlag {
        /// The code.
        code: CodeKey,
        /// Why, at most [`REASON_CHARS_MAX`](crate::limits::REASON_CHARS_MAX) characters.
        reason: String,
    },
    /// System: what a register adapter learnt from the e-government gateway (clause 2,
    /// R-IS-16). Never from a request.
    RefreshRegister(crate::register::RegisterRefresh),
    /// A ministry or the operator: export data for analytical systems (R-IS-15) as Parquet
    /// files, one per day of the period. The caller's key makes it idempotent: a key used
    /// before names the job it made, and no second one is made. The job is this command's event;
    /// the server writes its files.
    RequestDataExport {
        /// The caller's key: 1 to [`DATA_EXPORT_KEY_CHARS_MAX`](crate::limits::DATA_EXPORT_KEY_CHARS_MAX)
        /// of `A-Z a-z 0-9 . _ -`.
        key: String,
        /// What to export.
        kind: DataExportKind,
        /// The first day (Kazakhstan's date of the events).
        from: Date,
        /// The last day, at most [`DATA_EXPORT_DAYS_MAX`](crate::limits::DATA_EXPORT_DAYS_MAX)
        /// days after `from`.
        to: Date,
    },
    /// A participant: several goods commands, all or nothing, in order (an EPCIS capture,
    /// R-IS-14's partners' systems): each is decided against the state the ones before it
    /// left; if one is refused, none is done and the refusal names it. At most
    /// [`CAPTURE_COMMANDS_MAX`](crate::limits::CAPTURE_COMMANDS_MAX) commands of
    /// [`CAPTURE_CODES_MAX`](crate::limits::CAPTURE_CODES_MAX) codes together, each one that
    /// [`Command::capturable`] takes. Their events are logged as they would be alone.
    Capture(Vec<Command>),
}

/// What a data export holds (R-IS-15); each has a documented Parquet schema (`tanba-export`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataExportKind {
    /// Every log entry of the period: its sequence, time, event, actor and chain hash.
    Events,
    /// Every code as it stands when the export is written (a snapshot; the period picks the
    /// codes created in it).
    Codes,
    /// Accompanying documents shipped in the period, a row per item.
    Documents,
    /// Retail sales and returns of the period, a row per code.
    Sales,
    /// Case events of the period (the legal procedures).
    Cases,
}

impl DataExportKind {
    /// Every kind.
    pub const ALL: [DataExportKind; 5] = [
        DataExportKind::Events,
        DataExportKind::Codes,
        DataExportKind::Documents,
        DataExportKind::Sales,
        DataExportKind::Cases,
    ];

    /// The kind's stable name.
    pub fn name(&self) -> &'static str {
        match self {
            DataExportKind::Events => "events",
            DataExportKind::Codes => "codes",
            DataExportKind::Documents => "documents",
            DataExportKind::Sales => "sales",
            DataExportKind::Cases => "cases",
        }
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<DataExportKind> {
        DataExportKind::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
    }
}

impl Command {
    /// The command's name in logs and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Command::RegisterParticipant(_) => "register_participant",
            Command::UpdateParticipant(_) => "update_participant",
            Command::DefineCategory(_) => "define_category",
            Command::RegisterProduct(_) => "register_product",
            Command::UpdateProduct(_) => "update_product",
            Command::OrderCodes { .. } => "order_codes",
            Command::IssueCodes { .. } => "issue_codes",
            Command::ReportApplied { .. } => "report_applied",
            Command::Introduce { .. } => "introduce",
            Command::Aggregate { .. } => "aggregate",
            Command::Disaggregate { .. } => "disaggregate",
            Command::Ship { .. } => "ship",
            Command::Accept { .. } => "accept",
            Command::Reject { .. } => "reject",
            Command::CancelShipment { .. } => "cancel_shipment",
            Command::Withdraw { .. } => "withdraw",
            Command::RecordSale { .. } => "record_sale",
            Command::RecordReturn { .. } => "record_return",
            Command::AssignFiscalOperator(_) => "assign_fiscal_operator",
            Command::Block { .. } => "block",
            Command::Unblock { .. } => "unblock",
            Command::PublishCalendar { .. } => "publish_calendar",
            Command::PublishReference { .. } => "publish_reference",
            Command::Case(command) => command.name(),
            Command::ConsumerOptIn { .. } => "consumer_opt_in",
            Command::ConsumerOptOut { .. } => "consumer_opt_out",
            Command::RecordAttachment { .. } => "record_attachment",
            Command::ReportViolation(_) => "report_violation",
            Command::FlagLikelyCopy { .. } => "flag_likely_copy",
            Command::ClearLikelyCopyFlag { .. } => "clear_likely_copy_flag",
            Command::RefreshRegister(_) => "refresh_register",
            Command::RequestDataExport { .. } => "request_data_export",
            Command::Capture(_) => "capture",
        }
    }

    /// Whether the command may be one of a [`Command::Capture`]: a participant's own goods
    /// commands that need no document signature.
    pub fn capturable(&self) -> bool {
        matches!(
            self,
            Command::ReportApplied { .. }
                | Command::Introduce { .. }
                | Command::Aggregate { .. }
                | Command::Disaggregate { .. }
                | Command::Withdraw { .. }
        )
    }

    /// The codes the command names (what [`CAPTURE_CODES_MAX`](crate::limits::CAPTURE_CODES_MAX)
    /// counts): a package's children and the package itself.
    pub fn named_codes(&self) -> usize {
        match self {
            Command::ReportApplied { codes, .. }
            | Command::Introduce { codes, .. }
            | Command::Disaggregate { codes }
            | Command::Withdraw { codes, .. } => codes.len(),
            Command::Aggregate { children, .. } => children.len() + 1,
            Command::Capture(commands) => commands.iter().map(Command::named_codes).sum(),
            _ => 0,
        }
    }
}

/// The first line of every document's canonical bytes: names what is signed and its version, so a
/// document signature can never pass for a signature on anything else.
pub const DOCUMENT_HEADER: &str = "tanba-document-v1";

/// The signature field of a document command, by reference or mutably (one list of the
/// commands that are documents).
macro_rules! document_signature_field {
    ($command:expr) => {
        match $command {
            Command::Ship { signature, .. }
            | Command::Accept { signature, .. }
            | Command::Reject { signature, .. }
            | Command::CancelShipment { signature, .. }
            | Command::Case(CaseCommand::Open { signature, .. })
            | Command::Case(CaseCommand::Step { signature, .. }) => Some(signature),
            _ => None,
        }
    };
}

impl Command {
    /// The canonical bytes a document command's signer signs (detached Ed25519, R-IS-16), or
    /// `None` for commands that are not documents. Lines of UTF-8 text, each ending in `\n`:
    ///
    /// ```text
    /// tanba-document-v1
    /// kind: ship | accept | reject | cancel
    /// signer: <IIN/BIN>
    /// buyer: <IIN/BIN>                 (ship)
    /// document: <id>                   (accept, reject, cancel)
    /// item: (01)<GTIN>(21)<serial>     (ship, accept: one line per item, in the order sent;
    /// item: (00)<SSCC>                  an accept of everything has none)
    /// ```
    ///
    /// Items are in GS1's bracketed form ([`CodeKey`]'s `Display`): a `(` in a serial is `\(`.
    ///
    /// Text, not an encoding of the request, so any client can build it and the same document
    /// signs the same however its codes were scanned. A case's opening or step is signed the
    /// same way over its own lines ([`CaseCommand::signed_bytes`]).
    pub fn document_bytes(&self, signer: &TaxpayerId) -> Option<Vec<u8>> {
        let (kind, buyer, document, items) = match self {
            Command::Case(command) => return command.signed_bytes(signer),
            Command::Ship { buyer, items, .. } => ("ship", Some(buyer), None, items.as_slice()),
            Command::Accept {
                document, items, ..
            } => (
                "accept",
                None,
                Some(document),
                items.as_deref().unwrap_or_default(),
            ),
            Command::Reject { document, .. } => ("reject", None, Some(document), &[][..]),
            Command::CancelShipment { document, .. } => ("cancel", None, Some(document), &[][..]),
            _ => return None,
        };
        let mut text = format!("{DOCUMENT_HEADER}\nkind: {kind}\nsigner: {signer}\n");
        if let Some(buyer) = buyer {
            text.push_str(&format!("buyer: {buyer}\n"));
        }
        if let Some(document) = document {
            text.push_str(&format!("document: {document}\n"));
        }
        for item in items {
            text.push_str(&format!("item: {item}\n"));
        }
        Some(text.into_bytes())
    }

    /// The signature a document command carries, or `None` for commands that are not documents.
    pub fn document_signature(&self) -> Option<&[u8]> {
        document_signature_field!(self).map(|signature| signature.as_slice())
    }

    /// The signature a document command carries, to be replaced by the form that is kept (a
    /// certificate's signature without what it carried unchecked).
    pub fn document_signature_mut(&mut self) -> Option<&mut Vec<u8>> {
        document_signature_field!(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_bytes_are_the_documented_lines() {
        let signer: TaxpayerId = "990140000384".parse().unwrap();
        let buyer: TaxpayerId = "990240000398".parse().unwrap();
        let item = CodeKey::Item {
            gtin: "04600000000015".parse().unwrap(),
            serial: "abc(1)".parse().unwrap(),
        };
        let ship = Command::Ship {
            buyer,
            items: vec![item],
            signature: vec![1; 64],
        };
        assert_eq!(
            String::from_utf8(ship.document_bytes(&signer).unwrap()).unwrap(),
            "tanba-document-v1\nkind: ship\nsigner: 990140000384\nbuyer: 990240000398\n\
             item: (01)04600000000015(21)abc\\(1)\n"
        );
        assert_eq!(ship.document_signature(), Some(&[1; 64][..]));
        let accept_all = Command::Accept {
            document: 7,
            items: None,
            signature: vec![],
        };
        assert_eq!(
            String::from_utf8(accept_all.document_bytes(&buyer).unwrap()).unwrap(),
            "tanba-document-v1\nkind: accept\nsigner: 990240000398\ndocument: 7\n"
        );
        let order = Command::OrderCodes {
            gtin: "04600000000015".parse().unwrap(),
            quantity: 1,
        };
        assert_eq!(order.document_bytes(&signer), None);
    }
}
