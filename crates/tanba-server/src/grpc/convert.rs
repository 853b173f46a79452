//! Between the wire messages and Tanba's types. Every conversion from the wire checks what it
//! reads and names the field it refuses.

use tanba_engine::Receipt;
use tanba_engine::query::{CodeCard, DocumentState, DocumentView, OrderView};
use tanba_proto::v1 as pb;
use tanba_types::{
    Category, CodeStatus, Date, FiscalAgency, Gtin, HsCode, Names, PackageLevel, Participant,
    ParticipantKey, ParticipantStatus, Product, Role, TailProfile, TaxpayerId, WithdrawalReason,
};

use crate::error::ApiError;

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
        status: if message.suspended {
            ParticipantStatus::Suspended
        } else {
            ParticipantStatus::Active
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

/// A page request: where to continue, and how many (0 means 100; at most `max`).
pub fn page(page: Option<pb::Page>, max: usize) -> (u64, usize) {
    let page = page.unwrap_or_default();
    let limit = match page.limit {
        0 => 100,
        limit => limit as usize,
    };
    (page.after, limit.min(max))
}
