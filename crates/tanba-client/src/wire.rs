//! Tanba's types onto the wire, as the operations send them: the client's half of what the
//! server's `grpc::convert` reads back. Every conversion the operations need is here, so a
//! change of the contract touches one file of the client.
//!
//! Only this direction lives here: answers go back to callers as the prost messages they are
//! (the CLI prints them as JSON), except where an operation reads one into a plain value itself.

use tanba_proto::v1 as pb;
use tanba_types::{
    Category, FiscalAgency, Introduction, Names, PackageLevel, Participant, ParticipantStatus,
    Product, Role, TailProfile, TaxpayerId, WithdrawalReason,
};

use crate::ClientError;

/// The answer's `what`, which a successful call always carries.
pub(crate) fn answered<T>(value: Option<T>, what: &str) -> Result<T, ClientError> {
    value.ok_or_else(|| ClientError::Failed(format!("the server's answer has no {what}")))
}

/// An optional IIN/BIN as the wire writes it: empty for none.
pub(crate) fn optional_id(id: Option<TaxpayerId>) -> String {
    id.map(|id| id.to_string()).unwrap_or_default()
}

/// A page after `after`, of the server's default length.
pub(crate) fn page_after(after: u64) -> Option<pb::Page> {
    Some(pb::Page { after, limit: 0 })
}

pub(crate) fn names(names: &Names) -> pb::Names {
    pb::Names {
        kk: names.kk.clone(),
        ru: names.ru.clone(),
        en: names.en.clone().unwrap_or_default(),
    }
}

pub(crate) fn role(role: Role) -> pb::Role {
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

pub(crate) fn participant(participant: &Participant) -> pb::Participant {
    pb::Participant {
        id: participant.id.to_string(),
        name: participant.name.clone(),
        roles: participant
            .roles
            .iter()
            .map(|each| role(*each) as i32)
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

pub(crate) fn category(category: &Category) -> pb::Category {
    pb::Category {
        code: category.code.clone(),
        names: Some(names(&category.names)),
        short_tail_length: match category.tail_profile {
            TailProfile::Full => 0,
            TailProfile::Short { length_chars } => u32::from(length_chars),
        },
        return_period_days: category.return_period_days,
        control_list_code: category.control_list_code.clone().unwrap_or_default(),
    }
}

pub(crate) fn level(level: PackageLevel) -> pb::PackageLevel {
    match level {
        PackageLevel::Unit => pb::PackageLevel::Unit,
        PackageLevel::Group => pb::PackageLevel::Group,
        PackageLevel::Transport => pb::PackageLevel::Transport,
    }
}

pub(crate) fn product(product: &Product) -> pb::Product {
    pb::Product {
        gtin: product.gtin.to_string(),
        names: Some(names(&product.names)),
        producer_name: product.producer_name.clone(),
        producer: optional_id(product.producer),
        importer: optional_id(product.importer),
        country: product.country.clone(),
        hs_code: product.hs_code.to_string(),
        category: product.category.clone(),
        level: level(product.level) as i32,
        shelf_life_days: product.shelf_life_days.unwrap_or(0),
    }
}

pub(crate) fn fiscal_agency(agency: &FiscalAgency) -> pb::FiscalAgency {
    pb::FiscalAgency {
        operator: agency.operator.to_string(),
        seller: agency.seller.to_string(),
        valid_from: agency.valid_from.to_string(),
        valid_until: agency
            .valid_until
            .map(|day| day.to_string())
            .unwrap_or_default(),
    }
}

pub(crate) fn introduction(introduction: &Introduction) -> pb::introduce_request::How {
    use pb::introduce_request::How;
    match introduction {
        Introduction::OwnProduction => How::OwnProduction(pb::OwnProduction {}),
        Introduction::Import {
            customs_declaration,
        } => How::Import(pb::Import {
            customs_declaration: customs_declaration.clone(),
        }),
        Introduction::EaeuReceipt {
            from_country,
            document_number,
            seller_taxpayer,
            document_date,
        } => How::EaeuReceipt(pb::EaeuReceipt {
            from_country: from_country.clone(),
            document_number: document_number.clone(),
            seller_taxpayer: seller_taxpayer.clone().unwrap_or_default(),
            document_date: document_date.map(|day| day.to_string()).unwrap_or_default(),
        }),
    }
}

pub(crate) fn withdrawal_reason(reason: WithdrawalReason) -> pb::WithdrawalReason {
    match reason {
        WithdrawalReason::RetailSale => pb::WithdrawalReason::RetailSale,
        WithdrawalReason::ExportToEaeu => pb::WithdrawalReason::ExportToEaeu,
        WithdrawalReason::ExportOutsideEaeu => pb::WithdrawalReason::ExportOutsideEaeu,
        WithdrawalReason::WriteOff => pb::WithdrawalReason::WriteOff,
        WithdrawalReason::Destruction => pb::WithdrawalReason::Destruction,
        WithdrawalReason::RecallDisposal => pb::WithdrawalReason::RecallDisposal,
        WithdrawalReason::Confiscation => pb::WithdrawalReason::Confiscation,
    }
}

/// A cross-border document for the wire.
pub(crate) fn eaeu_document(document: &tanba_types::EaeuDocument) -> pb::EaeuDocument {
    pb::EaeuDocument {
        buyer_country: document.buyer_state.code().to_owned(),
        buyer_taxpayer: document.buyer_taxpayer.clone(),
        buyer_name: document.buyer_name.clone(),
        number: document.number.clone(),
        date: document.date.to_string(),
        value_tiyn: document.value_tiyn,
    }
}
