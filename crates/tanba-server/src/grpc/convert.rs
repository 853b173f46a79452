//! Between the wire messages and Tanba's types: every conversion of the gRPC door, in one
//! place. Every conversion from the wire checks what it reads and names the field it refuses;
//! one the service answers after a check of its own (sign-in, a role) is handed over as a
//! [`Given`], so that it is refused in the same turn as through every other door.

use std::collections::HashMap;

use tanba_engine::Receipt;
use tanba_engine::query::{AtRecall, CaseList, CodeCard, DocumentState, DocumentView, OrderView};
use tanba_engine::query::{CaseCard, InboxNotice};
use tanba_engine::records::LogRecord;
use tanba_proto::v1 as pb;
use tanba_types::limits::STEP_ATTACHMENTS_MAX;
use tanba_types::{
    AttachmentRef, Category, CodeKey, CodeStatus, Date, FiscalAgency, Form, Gtin, HsCode,
    Introduction, Language, Names, PackageLevel, Participant, ParticipantKey, ParticipantStatus,
    Product, Role, Run, StageReport, TailProfile, TaxpayerId, WithdrawalReason,
};

use crate::audit::StoredAuditRecord;
use crate::error::ApiError;
use crate::public::{PublicCheck, Verdict, ViolationKind};
use crate::service::audit::{AuditSearch, ListedReport};
use crate::service::auth::SignIn;
use crate::service::cases::{Holders, Opening, Step};
use crate::service::codes::{Applied, HistoryEntry, Withdrawal};
use crate::service::emission::PrintableCode;
use crate::service::public::Report;
use crate::service::retail::{
    ReceiptLine, ReceiptOutcome, RefusedLine, ReturnReceipt, SaleCheck, SalesReceipt, TillCheck,
};
use crate::service::services::{OriginEvidence, PermitUsage, ReferenceVersion};
use crate::service::statistics::StatisticsAnswer;
use crate::service::{Created, Given, Page};

/// An IIN/BIN field.
pub fn taxpayer(field: &str, text: &str) -> Result<TaxpayerId, ApiError> {
    text.trim().parse().map_err(|_| ApiError::invalid(field))
}

/// An optional IIN/BIN field (empty: none).
pub fn optional_taxpayer(field: &str, text: &str) -> Result<Option<TaxpayerId>, ApiError> {
    if text.is_empty() {
        Ok(None)
    } else {
        taxpayer(field, text).map(Some)
    }
}

/// A GTIN field.
pub fn gtin(field: &str, text: &str) -> Result<Gtin, ApiError> {
    Gtin::parse(text.trim()).map_err(|_| ApiError::invalid(field))
}

/// A date field (YYYY-MM-DD); empty is none.
pub fn optional_date(field: &str, text: &str) -> Result<Option<Date>, ApiError> {
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| ApiError::invalid(field))
}

/// A date for the wire (empty: none).
pub fn date_text(date: Option<Date>) -> String {
    date.map(|date| date.to_string()).unwrap_or_default()
}

/// An optional text (empty: none).
pub fn optional_text(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

/// A receipt for the wire.
pub fn receipt(receipt: &Receipt) -> pb::Receipt {
    pb::Receipt {
        first_sequence: receipt.first_sequence,
        last_sequence: receipt.last_sequence,
        created: receipt.created.unwrap_or(0),
        time_ms: receipt.time_ms,
    }
}

/// A role from the wire.
pub fn role_from(value: i32) -> Result<Role, ApiError> {
    Ok(
        match pb::Role::try_from(value).map_err(|_| ApiError::invalid("roles"))? {
            pb::Role::Producer => Role::Producer,
            pb::Role::Importer => Role::Importer,
            pb::Role::Wholesaler => Role::Wholesaler,
            pb::Role::Retailer => Role::Retailer,
            pb::Role::FiscalDataOperator => Role::FiscalDataOperator,
            pb::Role::Authority => Role::Authority,
            pb::Role::Ministry => Role::Ministry,
            pb::Role::Operator => Role::Operator,
            pb::Role::Unspecified => return Err(ApiError::invalid("roles")),
        },
    )
}

/// A role for the wire.
pub fn role_to(role: Role) -> pb::Role {
    match role {
        Role::Producer => pb::Role::Producer,
        Role::Importer => pb::Role::Importer,
        Role::Wholesaler => pb::Role::Wholesaler,
        Role::Retailer => pb::Role::Retailer,
        Role::FiscalDataOperator => pb::Role::FiscalDataOperator,
        Role::Authority => pb::Role::Authority,
        Role::Ministry => pb::Role::Ministry,
        Role::Operator => pb::Role::Operator,
    }
}

/// A participant from the wire.
pub fn participant_from(message: Option<pb::Participant>) -> Result<Participant, ApiError> {
    let message = message.ok_or_else(|| ApiError::invalid("participant"))?;
    Ok(Participant {
        id: taxpayer("participant.id", &message.id)?,
        name: message.name,
        roles: message
            .roles
            .into_iter()
            .map(role_from)
            .collect::<Result<_, _>>()?,
        keys: message
            .keys
            .into_iter()
            .map(|key| ParticipantKey {
                algorithm: key.algorithm,
                public_key: key.public_key,
            })
            .collect(),
        // A card read back as the register left it keeps its reason; `suspended` alone is the
        // operator's own suspension.
        status: match (message.suspended, message.registration_ceased) {
            (false, _) => ParticipantStatus::Active,
            (true, false) => ParticipantStatus::Suspended,
            (true, true) => ParticipantStatus::RegistrationCeased,
        },
    })
}

/// A participant for the wire.
pub fn participant_to(participant: &Participant) -> pb::Participant {
    pb::Participant {
        id: participant.id.to_string(),
        name: participant.name.clone(),
        roles: participant
            .roles
            .iter()
            .map(|role| role_to(*role) as i32)
            .collect(),
        keys: participant
            .keys
            .iter()
            .map(|key| pb::ParticipantKey {
                algorithm: key.algorithm.clone(),
                public_key: key.public_key.clone(),
            })
            .collect(),
        suspended: participant.status != ParticipantStatus::Active,
        registration_ceased: participant.status == ParticipantStatus::RegistrationCeased,
    }
}

fn names_from(field: &str, names: Option<pb::Names>) -> Result<Names, ApiError> {
    let names = names.ok_or_else(|| ApiError::invalid(field))?;
    Ok(Names {
        kk: names.kk,
        ru: names.ru,
        en: optional_text(&names.en),
    })
}

fn names_to(names: &Names) -> pb::Names {
    pb::Names {
        kk: names.kk.clone(),
        ru: names.ru.clone(),
        en: names.en.clone().unwrap_or_default(),
    }
}

/// A tail profile from a short tail length (0: full tails).
fn tail_profile(short_tail_length: u32) -> Result<TailProfile, ApiError> {
    Ok(match short_tail_length {
        0 => TailProfile::Full,
        length => TailProfile::Short {
            length_chars: u8::try_from(length)
                .map_err(|_| ApiError::invalid("short_tail_length"))?,
        },
    })
}

fn short_tail_length(profile: TailProfile) -> u32 {
    match profile {
        TailProfile::Full => 0,
        TailProfile::Short { length_chars } => u32::from(length_chars),
    }
}

/// A category from the wire.
pub fn category_from(message: Option<pb::Category>) -> Result<Category, ApiError> {
    let message = message.ok_or_else(|| ApiError::invalid("category"))?;
    Ok(Category {
        code: message.code,
        names: names_from("category.names", message.names)?,
        tail_profile: tail_profile(message.short_tail_length)?,
        return_period_days: message.return_period_days,
        control_list_code: optional_text(&message.control_list_code),
    })
}

/// A withdrawal's permit from the wire: none when no permit is named; a number that is not one
/// is refused.
pub fn export_use(
    permit: &str,
    end_user: &str,
) -> Result<Option<tanba_types::ExportUse>, ApiError> {
    if permit.is_empty() {
        if !end_user.is_empty() {
            return Err(ApiError::invalid("end_user"));
        }
        return Ok(None);
    }
    let permit =
        tanba_types::DocumentNumber::parse(permit).ok_or_else(|| ApiError::invalid("permit"))?;
    Ok(Some(tanba_types::ExportUse {
        permit,
        end_user: end_user.to_owned(),
    }))
}

/// A fiscal data operator's registration from the wire.
pub fn fiscal_agency_from(message: Option<pb::FiscalAgency>) -> Result<FiscalAgency, ApiError> {
    let message = message.ok_or_else(|| ApiError::invalid("agency"))?;
    Ok(FiscalAgency {
        operator: taxpayer("agency.operator", &message.operator)?,
        seller: taxpayer("agency.seller", &message.seller)?,
        valid_from: optional_date("agency.valid_from", &message.valid_from)?
            .ok_or_else(|| ApiError::invalid("agency.valid_from"))?,
        valid_until: optional_date("agency.valid_until", &message.valid_until)?,
    })
}

/// A fiscal data operator's registration for the wire.
pub fn fiscal_agency_to(agency: &FiscalAgency) -> pb::FiscalAgency {
    pb::FiscalAgency {
        operator: agency.operator.to_string(),
        seller: agency.seller.to_string(),
        valid_from: agency.valid_from.to_string(),
        valid_until: date_text(agency.valid_until),
    }
}

/// A package level from the wire.
pub fn level_from(value: i32) -> Result<PackageLevel, ApiError> {
    match pb::PackageLevel::try_from(value) {
        Ok(pb::PackageLevel::Unit) => Ok(PackageLevel::Unit),
        Ok(pb::PackageLevel::Group) => Ok(PackageLevel::Group),
        Ok(pb::PackageLevel::Transport) => Ok(PackageLevel::Transport),
        _ => Err(ApiError::invalid("level")),
    }
}

/// A package level for the wire.
pub fn level_to(level: PackageLevel) -> pb::PackageLevel {
    match level {
        PackageLevel::Unit => pb::PackageLevel::Unit,
        PackageLevel::Group => pb::PackageLevel::Group,
        PackageLevel::Transport => pb::PackageLevel::Transport,
    }
}

/// A product card from the wire.
pub fn product_from(message: Option<pb::Product>) -> Result<Product, ApiError> {
    let message = message.ok_or_else(|| ApiError::invalid("product"))?;
    Ok(Product {
        gtin: gtin("product.gtin", &message.gtin)?,
        names: names_from("product.names", message.names)?,
        producer_name: message.producer_name,
        producer: optional_taxpayer("product.producer", &message.producer)?,
        importer: optional_taxpayer("product.importer", &message.importer)?,
        country: message.country,
        hs_code: HsCode::parse(&message.hs_code)?,
        category: message.category,
        level: level_from(message.level)?,
        shelf_life_days: (message.shelf_life_days != 0).then_some(message.shelf_life_days),
    })
}

/// A product card for the wire.
pub fn product_to(product: &Product) -> pb::Product {
    pb::Product {
        gtin: product.gtin.to_string(),
        names: Some(names_to(&product.names)),
        producer_name: product.producer_name.clone(),
        producer: product
            .producer
            .map(|id| id.to_string())
            .unwrap_or_default(),
        importer: product
            .importer
            .map(|id| id.to_string())
            .unwrap_or_default(),
        country: product.country.clone(),
        hs_code: product.hs_code.to_string(),
        category: product.category.clone(),
        level: level_to(product.level) as i32,
        shelf_life_days: product.shelf_life_days.unwrap_or(0),
    }
}

/// A withdrawal reason from the wire.
pub fn reason_from(value: i32) -> Result<WithdrawalReason, ApiError> {
    use pb::WithdrawalReason as W;
    Ok(
        match W::try_from(value).map_err(|_| ApiError::invalid("reason"))? {
            W::RetailSale => WithdrawalReason::RetailSale,
            W::ExportToEaeu => WithdrawalReason::ExportToEaeu,
            W::ExportOutsideEaeu => WithdrawalReason::ExportOutsideEaeu,
            W::WriteOff => WithdrawalReason::WriteOff,
            W::Destruction => WithdrawalReason::Destruction,
            W::RecallDisposal => WithdrawalReason::RecallDisposal,
            W::Confiscation => WithdrawalReason::Confiscation,
            W::Unspecified => return Err(ApiError::invalid("reason")),
        },
    )
}

/// A withdrawal reason for the wire.
pub fn reason_to(reason: WithdrawalReason) -> pb::WithdrawalReason {
    use pb::WithdrawalReason as W;
    match reason {
        WithdrawalReason::RetailSale => W::RetailSale,
        WithdrawalReason::ExportToEaeu => W::ExportToEaeu,
        WithdrawalReason::ExportOutsideEaeu => W::ExportOutsideEaeu,
        WithdrawalReason::WriteOff => W::WriteOff,
        WithdrawalReason::Destruction => W::Destruction,
        WithdrawalReason::RecallDisposal => W::RecallDisposal,
        WithdrawalReason::Confiscation => W::Confiscation,
    }
}

/// A status for the wire, with the withdrawal reason.
pub fn status_to(status: CodeStatus) -> (pb::CodeStatus, pb::WithdrawalReason) {
    match status {
        CodeStatus::Emitted => (pb::CodeStatus::Emitted, pb::WithdrawalReason::Unspecified),
        CodeStatus::Applied => (pb::CodeStatus::Applied, pb::WithdrawalReason::Unspecified),
        CodeStatus::Introduced => (
            pb::CodeStatus::Introduced,
            pb::WithdrawalReason::Unspecified,
        ),
        CodeStatus::Withdrawn(reason) => (pb::CodeStatus::Withdrawn, reason_to(reason)),
    }
}

/// An owner's statistics for the wire.
pub fn statistics_to(answer: &StatisticsAnswer) -> pb::GetOwnerStatisticsResponse {
    let gtin_text = |gtin: Option<Gtin>| gtin.map(|gtin| gtin.to_string()).unwrap_or_default();
    let stock = (answer.figures.stock.iter())
        .map(|row| {
            let (status, reason) = status_to(row.status);
            pb::StockRow {
                gtin: gtin_text(row.gtin),
                status: status.into(),
                reason: reason.into(),
                codes: row.codes,
                blocked: row.blocked,
            }
        })
        .collect();
    let flows = (answer.figures.flows.iter())
        .map(|row| pb::FlowRow {
            day: row.day.to_string(),
            gtin: gtin_text(row.gtin),
            flow: row.flow.name().to_owned(),
            codes: row.codes,
        })
        .collect();
    pb::GetOwnerStatisticsResponse {
        owner: answer.owner.to_string(),
        from: answer.from.to_string(),
        to: answer.to.to_string(),
        stock,
        flows,
        truncated: answer.figures.truncated,
    }
}

/// Blocks for the wire.
pub fn blockers_to(blockers: &[tanba_engine::records::Blocker]) -> Vec<pb::Blocker> {
    blockers
        .iter()
        .map(|blocker| pb::Blocker {
            authority: blocker.authority.to_string(),
            reason: blocker.reason.clone(),
            since_ms: blocker.since_ms,
        })
        .collect()
}

/// A code card for the wire.
pub fn card_to(card: &CodeCard) -> pb::CodeCard {
    let (status, withdrawal_reason) = status_to(card.status);
    pb::CodeCard {
        code: card.code.to_string(),
        level: level_to(card.level) as i32,
        status: status as i32,
        withdrawal_reason: withdrawal_reason as i32,
        blockers: blockers_to(&card.blockers),
        owner: card.owner.to_string(),
        gtin: card
            .code
            .gtin()
            .map(|gtin| gtin.to_string())
            .unwrap_or_default(),
        production_date: date_text(card.production_date),
        expiry_date: date_text(card.expiry_date),
        batch: card.batch.clone().unwrap_or_default(),
        parents: card.parents.iter().map(ToString::to_string).collect(),
        units_inside: card.contents[0],
        groups_inside: card.contents[1],
        transports_inside: card.contents[2],
        in_transit: card.in_transit.unwrap_or(0),
    }
}

/// An order for the wire.
pub fn order_to(order: &OrderView) -> pb::Order {
    pb::Order {
        id: order.id,
        gtin: order.gtin.to_string(),
        quantity: order.quantity,
        issued: order.issued,
        short_tail_length: short_tail_length(order.tail_profile),
        placed_ms: order.placed_ms,
    }
}

/// A document for the wire.
pub fn document_to(document: &DocumentView) -> pb::Document {
    let state = match document.state {
        DocumentState::Pending => pb::DocumentState::Pending,
        DocumentState::Accepted => pb::DocumentState::Accepted,
        DocumentState::Rejected => pb::DocumentState::Rejected,
        DocumentState::Cancelled => pb::DocumentState::Cancelled,
    };
    pb::Document {
        id: document.id,
        seller: document.seller.to_string(),
        buyer: document.buyer.to_string(),
        items: document.items.iter().map(ToString::to_string).collect(),
        state: state as i32,
        accepted: document.accepted.iter().map(ToString::to_string).collect(),
        created_ms: document.created_ms,
    }
}

/// A page request (absent: the first page, of the default size).
pub fn page(page: Option<pb::Page>) -> Page {
    let page = page.unwrap_or_default();
    Page {
        after: page.after,
        limit: page.limit,
    }
}

/// A write that created something, for the wire: its id and receipt.
pub fn created(created: &Created) -> (u64, Option<pb::Receipt>) {
    (created.id, Some(receipt(&created.receipt)))
}

// ---------------------------------------------------------------------------------------------
// Sign-in.

/// A signed challenge from the wire.
pub fn sign_in_from(message: pb::SignInRequest) -> Given<SignIn> {
    Ok(SignIn {
        participant: taxpayer("participant", &message.participant)?,
        challenge: Ok(message.challenge),
        signature: Ok(message.signature),
        certificate_chain: Ok(message.certificate_chain),
    })
}

// ---------------------------------------------------------------------------------------------
// Codes.

/// What a report of codes applied says besides the codes.
pub fn applied_from(message: &pb::ReportAppliedRequest) -> Given<Applied> {
    Ok(Applied {
        production_date: optional_date("production_date", &message.production_date)?
            .ok_or_else(|| ApiError::invalid("production_date"))?,
        expiry_date: optional_date("expiry_date", &message.expiry_date)?,
        batch: optional_text(&message.batch),
    })
}

/// How goods enter circulation, from the wire.
pub fn introduction_from(
    how: Option<pb::introduce_request::How>,
) -> Result<Introduction, ApiError> {
    use pb::introduce_request::How;
    match how {
        Some(How::OwnProduction(_)) => Ok(Introduction::OwnProduction),
        Some(How::Import(import)) => Ok(Introduction::Import {
            customs_declaration: import.customs_declaration,
        }),
        Some(How::EaeuReceipt(receipt)) => Ok(Introduction::EaeuReceipt {
            from_country: receipt.from_country,
            document_number: receipt.document_number,
            seller_taxpayer: optional_text(&receipt.seller_taxpayer),
            document_date: optional_date("document_date", &receipt.document_date)?,
        }),
        None => Err(ApiError::invalid("how")),
    }
}

/// A withdrawal from the wire (besides its codes): the reason is read first, the permit after
/// the document is noted.
pub fn withdrawal_from(message: &pb::WithdrawRequest) -> Result<Withdrawal, ApiError> {
    Ok(Withdrawal {
        reason: reason_from(message.reason)?,
        document: optional_text(&message.document),
        export: export_use(&message.permit, &message.end_user),
        eaeu: message.eaeu.as_ref().map(eaeu_document_from).transpose(),
    })
}

/// A cross-border document from the wire: the state and date read here, the rest checked by
/// the engine.
fn eaeu_document_from(message: &pb::EaeuDocument) -> Result<tanba_types::EaeuDocument, ApiError> {
    Ok(tanba_types::EaeuDocument {
        buyer_state: tanba_types::EaeuState::parse(&message.buyer_country)
            .ok_or_else(|| ApiError::invalid("eaeu.buyer_country"))?,
        buyer_taxpayer: message.buyer_taxpayer.clone(),
        buyer_name: message.buyer_name.clone(),
        number: message.number.clone(),
        date: message
            .date
            .parse()
            .map_err(|_| ApiError::invalid("eaeu.date"))?,
        value_tiyn: message.value_tiyn,
    })
}

/// An event of a code's history for the wire.
pub fn history_entry_to(entry: &HistoryEntry) -> pb::HistoryEvent {
    pb::HistoryEvent {
        sequence: entry.sequence,
        time_ms: entry.time_ms,
        actor: entry.actor.clone(),
        event: entry.event.to_owned(),
        detail_json: entry.detail.to_string(),
    }
}

/// A chunk of a package's content for the wire.
pub fn content_to(chunk: &[(CodeKey, usize)]) -> pb::GetPackageContentResponse {
    pb::GetPackageContentResponse {
        entries: chunk
            .iter()
            .map(|(code, depth)| pb::ContentEntry {
                code: code.to_string(),
                depth: *depth as u32,
            })
            .collect(),
    }
}

/// A page of printable codes for the wire.
pub fn printable_to(codes: &[PrintableCode]) -> pb::DownloadCodesResponse {
    pb::DownloadCodesResponse {
        codes: codes
            .iter()
            .map(|code| pb::IssuedCode {
                index: code.index,
                raw: code.raw.clone(),
            })
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// Tills.

/// A check before sale from the wire.
pub fn till_check_from(message: pb::CheckBeforeSaleRequest) -> Given<TillCheck> {
    Ok(TillCheck {
        seller: optional_taxpayer("seller", &message.seller)?,
        codes: message.codes,
    })
}

/// One code checked before sale, for the wire.
pub fn sale_check_to(check: SaleCheck) -> pb::SaleCheck {
    pb::SaleCheck {
        code: check.code,
        found: check.found,
        tail_valid: check.tail_valid,
        status: check
            .status
            .0
            .map_or(pb::CodeStatus::Unspecified, |status| status_to(status).0)
            as i32,
        sellable: check.sellable,
        refusal_code: check.refusal_code.unwrap_or_default().to_owned(),
        refusal_message: check.refusal_message.unwrap_or_default(),
        blockers: check
            .blockers
            .into_iter()
            .map(|blocker| pb::Blocker {
                authority: blocker.authority.to_string(),
                reason: blocker.reason,
                since_ms: blocker.since_ms,
            })
            .collect(),
        expiry_date: date_text(check.expiry_date),
        owned_by_seller: check.owned_by_seller,
        units_inside: check.units_inside,
    }
}

/// A sales receipt from the wire.
pub fn sales_receipt_from(message: pb::SubmitReceiptRequest) -> Given<SalesReceipt> {
    Ok(SalesReceipt {
        receipt_id: message.receipt_id,
        seller: optional_taxpayer("seller", &message.seller)?,
        time_ms: message.time_ms,
        lines: message
            .lines
            .into_iter()
            .map(|line| ReceiptLine {
                code: line.code,
                price_tiyn: line.price_tiyn,
            })
            .collect(),
    })
}

/// A return receipt from the wire.
pub fn return_receipt_from(message: pb::SubmitReturnRequest) -> Given<ReturnReceipt> {
    Ok(ReturnReceipt {
        receipt_id: message.receipt_id,
        sale_receipt_id: message.sale_receipt_id,
        seller: optional_taxpayer("seller", &message.seller)?,
        codes: message.codes,
    })
}

/// The log entry that recorded a receipt (sale or return), for the wire.
pub fn receipt_outcome_to(outcome: &ReceiptOutcome) -> Option<pb::Receipt> {
    Some(pb::Receipt {
        first_sequence: outcome.sequence,
        last_sequence: outcome.sequence,
        created: 0,
        time_ms: outcome.time_ms,
    })
}

/// A line of a receipt set aside, for the wire.
pub fn refused_line_to(line: RefusedLine) -> pb::RefusedLine {
    pb::RefusedLine {
        code: line.code,
        refusal_code: line.refusal_code,
        refusal_message: line.refusal_message,
    }
}

// ---------------------------------------------------------------------------------------------
// The public.

/// A language from the wire (unspecified: none).
pub fn language_from(value: i32) -> Option<Language> {
    match pb::Language::try_from(value) {
        Ok(pb::Language::Kk) => Some(Language::Kk),
        Ok(pb::Language::Ru) => Some(Language::Ru),
        Ok(pb::Language::En) => Some(Language::En),
        _ => None,
    }
}

fn verdict_to(verdict: Verdict) -> pb::Verdict {
    match verdict {
        Verdict::Genuine => pb::Verdict::Genuine,
        Verdict::Sold => pb::Verdict::Sold,
        Verdict::Blocked => pb::Verdict::Blocked,
        Verdict::Recalled => pb::Verdict::Recalled,
        Verdict::Expired => pb::Verdict::Expired,
        Verdict::NotInCirculation => pb::Verdict::NotInCirculation,
        Verdict::UnknownOrForged => pb::Verdict::UnknownOrForged,
    }
}

/// A public check's answer for the wire.
pub fn check_to(answer: PublicCheck) -> pb::CheckResponse {
    let product = answer.product.as_ref();
    pb::CheckResponse {
        verdict: verdict_to(answer.verdict) as i32,
        verdict_text: answer.verdict_text,
        recall: answer.recall.as_ref().map(|recall| pb::PublicRecall {
            case_id: recall.case,
            by: recall.by.clone(),
            since_ms: recall.since_ms,
            notice: recall.notice.clone(),
        }),
        blocked_by: answer
            .blocked_by
            .into_iter()
            .map(|block| pb::PublicBlock {
                authority: block.authority,
                reason: block.reason,
                since_ms: block.since_ms,
            })
            .collect(),
        product_name: product.map(|p| p.name.clone()).unwrap_or_default(),
        producer: product.map(|p| p.producer.clone()).unwrap_or_default(),
        importer: product.and_then(|p| p.importer.clone()).unwrap_or_default(),
        country: product.map(|p| p.country.clone()).unwrap_or_default(),
        production_date: date_text(answer.production_date),
        expiry_date: date_text(answer.expiry_date),
        flagged_as_likely_copy: answer.flagged_as_likely_copy,
        tail_checked: answer.tail_checked,
        likely_copy_evidence: answer.likely_copy_evidence,
    }
}

/// A violation kind from the wire.
fn kind_from(value: i32) -> Result<ViolationKind, ApiError> {
    match pb::ViolationKind::try_from(value) {
        Ok(pb::ViolationKind::Counterfeit) => Ok(ViolationKind::Counterfeit),
        Ok(pb::ViolationKind::SoldAfterExpiry) => Ok(ViolationKind::SoldAfterExpiry),
        Ok(pb::ViolationKind::NoCode) => Ok(ViolationKind::NoCode),
        Ok(pb::ViolationKind::Price) => Ok(ViolationKind::Price),
        Ok(pb::ViolationKind::Other) => Ok(ViolationKind::Other),
        _ => Err(ApiError::invalid("kind")),
    }
}

fn kind_to(kind: ViolationKind) -> pb::ViolationKind {
    match kind {
        ViolationKind::Counterfeit => pb::ViolationKind::Counterfeit,
        ViolationKind::SoldAfterExpiry => pb::ViolationKind::SoldAfterExpiry,
        ViolationKind::NoCode => pb::ViolationKind::NoCode,
        ViolationKind::Price => pb::ViolationKind::Price,
        ViolationKind::Other => pb::ViolationKind::Other,
    }
}

/// A violation report from the wire.
pub fn report_from(message: pb::ReportViolationRequest) -> Report {
    Report {
        code: optional_text(&message.code),
        kind: kind_from(message.kind),
        comment: message.comment,
        location: Ok(message
            .has_location
            .then_some((message.latitude, message.longitude))),
        // The proto carries no photo: a photo comes through the public page's form.
        photo: Ok(None),
    }
}

// ---------------------------------------------------------------------------------------------
// The audit trail.

/// An audit query from the wire.
pub fn audit_search_from(message: pb::QueryAuditRequest) -> AuditSearch {
    AuditSearch {
        participant: optional_taxpayer("participant", &message.participant),
        code: optional_text(&message.code),
        from_ms: message.from_ms,
        until_ms: message.until_ms,
        page: page(message.page),
        node: optional_text(&message.node),
    }
}

/// An audit record for the wire.
pub fn audit_record_to(stored: &StoredAuditRecord) -> pb::AuditRecord {
    let record = &stored.record;
    let mut arguments: Vec<String> = record.codes.iter().map(ToString::to_string).collect();
    arguments.extend(record.references.iter().cloned());
    if record.codes_total as usize > record.codes.len() {
        arguments.push(format!("… {} codes in all", record.codes_total));
    }
    pb::AuditRecord {
        sequence: stored.sequence,
        time_ms: record.time_ms,
        participant: record
            .participant
            .map(|id| id.to_string())
            .unwrap_or_default(),
        acting_for: record
            .acting_for
            .map(|id| id.to_string())
            .unwrap_or_default(),
        client_ip: record.client_ip.to_string(),
        method: record.method.clone(),
        arguments,
        outcome: record.error.clone().unwrap_or_else(|| "OK".into()),
        hash: stored.hash.to_string(),
        log_sequence: record.log_sequence.unwrap_or_default(),
    }
}

/// A violation report as the authorities list it, for the wire.
pub fn listed_report_to(listed: ListedReport) -> pb::ViolationReportRecord {
    let time_ms = listed.report.time_ms;
    let report = listed.report.report;
    let (latitude, longitude) = report
        .location
        .map(|place| place.degrees())
        .unwrap_or_default();
    pb::ViolationReportRecord {
        id: listed.id,
        time_ms,
        client_ip: report.reporter.to_string(),
        code: report.code.map(|code| code.to_string()).unwrap_or_default(),
        kind: kind_to(report.kind) as i32,
        comment: report.comment,
        latitude,
        longitude,
        has_location: report.location.is_some(),
        code_flagged: listed.code_flagged,
    }
}

// ---------------------------------------------------------------------------------------------
// Cases.

/// A form from its message: every value read as its kind says (codes in any scanner form).
fn form_from(fields: HashMap<String, pb::FieldValue>) -> Result<Form, ApiError> {
    tanba_proto::forms::form_from_wire(fields).map_err(|error| ApiError::invalid(&error.field))
}

fn attachments_from(attachments: Vec<pb::Attachment>) -> Result<Vec<AttachmentRef>, ApiError> {
    if attachments.len() > STEP_ATTACHMENTS_MAX {
        return Err(ApiError::too_many("attachments", STEP_ATTACHMENTS_MAX));
    }
    attachments
        .into_iter()
        .map(|attachment| {
            tanba_proto::forms::attachment_from_wire(attachment)
                .map_err(|error| ApiError::invalid(&error.field))
        })
        .collect()
}

/// A case's opening from the wire (besides its kind).
pub fn opening_from(message: pb::OpenCaseRequest) -> Given<Opening> {
    Ok(Opening {
        transition: message.transition,
        authority: optional_taxpayer("authority", &message.authority)?,
        parent: (message.parent != 0).then_some(message.parent),
        named: message
            .named
            .iter()
            .map(|id| taxpayer("named", id))
            .collect::<Result<_, _>>()?,
        form: form_from(message.form)?,
        attachments: attachments_from(message.attachments)?,
        signature: message.signature,
    })
}

/// A case's step from the wire (besides its case).
pub fn step_from(message: pb::StepCaseRequest) -> Given<Step> {
    Ok(Step {
        transition: message.transition,
        form: form_from(message.form)?,
        attachments: attachments_from(message.attachments)?,
        signature: message.signature,
    })
}

/// Which cases a listing asks for.
pub fn listing_from(listing: pb::CaseListing) -> CaseList {
    match listing {
        pb::CaseListing::AsAuthority => CaseList::AsAuthority,
        pb::CaseListing::AsParty | pb::CaseListing::Unspecified => CaseList::AsParty,
    }
}

fn clock_to(name: &str, clock: &tanba_types::LegalClock) -> pb::CaseClock {
    let (run, due) = match &clock.run {
        Run::Running { due, .. } => ("running", Some(due)),
        Run::Paused { .. } => ("paused", None),
        Run::Stopped { .. } => ("stopped", None),
    };
    pb::CaseClock {
        name: name.to_owned(),
        run: run.to_owned(),
        due_ms: due.map_or(0, |due| due.at_ms),
        due_day: due.map(|due| due.day.to_string()).unwrap_or_default(),
        calendar_version: due.map_or(0, |due| due.calendar_version),
        detail_json: serde_json::to_string(clock).unwrap_or_default(),
    }
}

/// A case for the wire.
pub fn case_to(record: &CaseCard) -> pb::Case {
    let opening = &record.opening;
    pb::Case {
        case_id: record.id,
        kind: opening.kind.clone(),
        text_version: opening.text_version.clone(),
        party: opening.party.to_string(),
        authority: opening
            .authority
            .map(|id| id.to_string())
            .unwrap_or_default(),
        parent: opening.parent.unwrap_or_default(),
        named: opening.named.iter().map(|id| id.to_string()).collect(),
        state: record.state.clone(),
        closed: record.closed,
        data: tanba_proto::forms::form_to_wire(&record.data),
        clocks: record
            .clocks
            .iter()
            .map(|(name, clock)| clock_to(name, clock))
            .collect(),
        attachments: record
            .attachments
            .iter()
            .map(tanba_proto::forms::attachment_to_wire)
            .collect(),
        taken: record
            .taken
            .iter()
            .map(|(transition, by)| pb::TakenStep {
                transition: transition.clone(),
                by: by.to_string(),
            })
            .collect(),
        opened_ms: record.opened_ms,
        updated_ms: record.updated_ms,
        numbers: record.numbers.iter().map(ToString::to_string).collect(),
        reference_versions: opening
            .references
            .iter()
            .map(|(set, version)| format!("{set} {version}"))
            .collect(),
    }
}

/// A log entry of a case's history for the wire.
pub fn case_event_to(record: &LogRecord) -> pb::CaseEvent {
    pb::CaseEvent {
        sequence: record.sequence,
        time_ms: record.time_ms,
        name: record.event.name().to_owned(),
        actor: record
            .actor
            .caller()
            .map(|id| id.to_string())
            .unwrap_or_default(),
        event_json: serde_json::to_string(&record.event).unwrap_or_default(),
    }
}

/// A notice for the wire, in `language`.
pub fn notice_to(record: &InboxNotice, language: Language) -> pb::CaseNotice {
    pb::CaseNotice {
        notice_id: record.id,
        case_id: record.notice.case,
        kind: record.notice.kind.clone(),
        subject: record.notice.subject.in_language(language).to_owned(),
        body: record.notice.body.in_language(language).to_owned(),
        made_available_ms: record.made_available_ms,
        read_ms: record.read_ms.unwrap_or_default(),
    }
}

/// A recall's holders for the wire.
pub fn holders_to(holders: &Holders) -> pb::HoldersResponse {
    pb::HoldersResponse {
        census_complete: holders.census_complete,
        holders: holders
            .holders
            .iter()
            .map(|(holder, effect)| pb::RecallHolder {
                holder: holder.to_string(),
                recalled: effect.recalled,
                returned: effect.returned,
                disposed: effect.disposed,
                still_held: effect.still_held,
                elsewhere: effect.elsewhere,
                sold_before: effect.sold_before,
            })
            .collect(),
    }
}

/// A unit a holder held when a recall began, for the wire.
pub fn recalled_unit_to((code, at_recall): &(CodeKey, AtRecall)) -> pb::RecalledUnit {
    let at_recall = match at_recall {
        AtRecall::Held => pb::AtRecall::Held,
        AtRecall::Sold => pb::AtRecall::Sold,
        AtRecall::Gone => pb::AtRecall::Gone,
    };
    pb::RecalledUnit {
        code: code.to_string(),
        at_recall: at_recall as i32,
    }
}

// ---------------------------------------------------------------------------------------------
// The state services.

/// A reference set's version for the wire.
pub fn reference_to(version: ReferenceVersion) -> pb::GetReferenceResponse {
    pb::GetReferenceResponse {
        version: version.version,
        in_force: version.in_force,
        entries: version.entries,
        toml: version.toml,
    }
}

/// A permit's use for the wire.
pub fn permit_usage_to(usage: PermitUsage) -> pb::PermitUsageResponse {
    let authorization = usage.authorization;
    pb::PermitUsageResponse {
        case_id: usage.case,
        holder: usage.holder.to_string(),
        hs_code: authorization.hs_code,
        control_code: authorization.control_code,
        end_user: authorization.end_user,
        units: authorization.units,
        used: usage.used,
        valid_until: authorization.valid_until.to_string(),
        ended: usage.ended,
        uses: usage
            .uses
            .into_iter()
            .map(|used| pb::PermitUse {
                sequence: used.sequence,
                units: used.units,
                time_ms: used.time_ms,
                codes: used.codes.iter().map(ToString::to_string).collect(),
            })
            .collect(),
    }
}

/// Origin evidence built for a verification, for the wire.
pub fn evidence_to(evidence: &OriginEvidence) -> pb::BuildOriginEvidenceResponse {
    pb::BuildOriginEvidenceResponse {
        attachment: Some(tanba_proto::forms::attachment_to_wire(&evidence.attachment)),
        products: evidence.products,
        orders: evidence.orders,
        shipments: evidence.shipments,
        exports: evidence.exports,
    }
}

/// A stage of a monitored procedure for the wire.
pub fn stage_to((sequence, time_ms, report): &(u64, u64, StageReport)) -> pb::Stage {
    let (deadline_clock, deadline_ms) = report.deadline.clone().unwrap_or_default();
    pb::Stage {
        sequence: *sequence,
        time_ms: *time_ms,
        case_id: report.case,
        kind: report.kind.clone(),
        stage: report.stage.clone(),
        state: report.state.clone(),
        deadline_clock,
        deadline_ms,
        on_time: report.on_time,
    }
}
