//! Codes and aggregation: a participant's own operations on its codes (applied, introduced,
//! packed and unpacked, withdrawn, blocked) and the reads of a code (its card, a package's
//! content, its history). The engine decides who may do what to which code; who may read a
//! code is decided here ([`readable_card`]): its holder, a supervising role, or whoever markets
//! its product. A code is read and noted before anything else is checked, so the audit record
//! names it even when the caller is refused.

use tanba_engine::query::{self, CodeCard};
use tanba_types::limits::{COMMAND_CODES_MAX, PACKAGE_CHILDREN_MAX, PAGE_ENTRIES_MAX};
use tanba_types::{
    Actor, CodeKey, Command, Date, Event, ExportUse, Introduction, ScannedCode, WithdrawalReason,
};

use super::{Given, Page, may_read, run};
use crate::app::Call;
use crate::error::ApiError;
use tanba_engine::Receipt;

/// What a report of codes applied says of them besides the codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// When the goods were made.
    pub production_date: Date,
    /// Their expiry date, if any.
    pub expiry_date: Option<Date>,
    /// Their production batch, if any.
    pub batch: Option<String>,
}

/// A withdrawal from circulation, besides the codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawal {
    /// Why.
    pub reason: WithdrawalReason,
    /// The document it rests on, if any (noted in the audit record).
    pub document: Option<String>,
    /// The permit an export outside the EAEU is made under (none: no permit named).
    pub export: Given<Option<ExportUse>>,
    /// The cross-border document of an export to another EAEU state.
    pub eaeu: Given<Option<tanba_types::EaeuDocument>>,
}

/// One event of a code's history, as whoever may read the code sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    /// Its place in the log.
    pub sequence: u64,
    /// When, unix milliseconds.
    pub time_ms: u64,
    /// Who: a participant's IIN/BIN, `system`, `public`, or a seller with its fiscal data
    /// operator.
    pub actor: String,
    /// The event's name.
    pub event: &'static str,
    /// Its fields, every list replaced by its length ([`history_detail`]).
    pub detail: serde_json::Value,
}

/// Runs a command over the codes named (at most a command's worth), built once they are read.
async fn codes_command(
    call: &mut Call<'_>,
    inputs: &[String],
    build: impl FnOnce(Vec<CodeKey>) -> Result<Command, ApiError>,
) -> Result<Receipt, ApiError> {
    let (who, codes) = call.participant_and_codes(inputs, COMMAND_CODES_MAX)?;
    run(call, &who, build(codes)?).await
}

/// Reports codes applied to goods (printed and stuck on).
pub async fn report_applied(
    call: &mut Call<'_>,
    codes: &[String],
    applied: Given<Applied>,
) -> Result<Receipt, ApiError> {
    codes_command(call, codes, |codes| {
        let applied = applied?;
        Ok(Command::ReportApplied {
            codes,
            production_date: applied.production_date,
            expiry_date: applied.expiry_date,
            batch: applied.batch,
        })
    })
    .await
}

/// Introduces goods into circulation (own production, import, from the EAEU).
pub async fn introduce(
    call: &mut Call<'_>,
    codes: &[String],
    introduction: Introduction,
) -> Result<Receipt, ApiError> {
    codes_command(call, codes, |codes| {
        Ok(Command::Introduce {
            codes,
            introduction,
        })
    })
    .await
}

/// Packs `children` into the package `parent`.
pub async fn aggregate(
    call: &mut Call<'_>,
    parent: &str,
    children: &[String],
) -> Result<Receipt, ApiError> {
    let (who, children) = call.participant_and_codes(children, PACKAGE_CHILDREN_MAX)?;
    let parent = ScannedCode::read(parent)?.key;
    call.note_codes([&parent]);
    run(call, &who, Command::Aggregate { parent, children }).await
}

/// Takes codes out of their packages.
pub async fn disaggregate(call: &mut Call<'_>, codes: &[String]) -> Result<Receipt, ApiError> {
    codes_command(call, codes, |codes| Ok(Command::Disaggregate { codes })).await
}

/// Withdraws codes from circulation.
pub async fn withdraw(
    call: &mut Call<'_>,
    codes: &[String],
    withdrawal: Withdrawal,
) -> Result<Receipt, ApiError> {
    if let Some(document) = &withdrawal.document {
        call.note_reference(document);
    }
    let export = withdrawal.export?;
    let eaeu = withdrawal.eaeu?;
    codes_command(call, codes, |codes| {
        Ok(Command::Withdraw {
            codes,
            reason: withdrawal.reason,
            document: withdrawal.document,
            export,
            eaeu,
        })
    })
    .await
}

/// Blocks codes (an authority), saying why.
pub async fn block(
    call: &mut Call<'_>,
    codes: &[String],
    reason: String,
) -> Result<Receipt, ApiError> {
    codes_command(call, codes, |codes| Ok(Command::Block { codes, reason })).await
}

/// Lifts the caller's blocks on codes.
pub async fn unblock(call: &mut Call<'_>, codes: &[String]) -> Result<Receipt, ApiError> {
    codes_command(call, codes, |codes| Ok(Command::Unblock { codes })).await
}

/// The card of a code (any form) the caller may read: its holder, a supervising role, or
/// whoever markets the product. The code is read and noted first, so that the audit names it
/// even when the caller is refused.
pub fn readable_card(call: &mut Call<'_>, input: &str) -> Result<CodeCard, ApiError> {
    let code = ScannedCode::read(input)?.key;
    call.note_codes([&code]);
    let who = &call.participant()?;
    let card = query::code_card(call.app().engine.snapshot().as_ref(), &code)?
        .ok_or(tanba_engine::EngineError::UnknownCode(code))?;
    let markets = card
        .product
        .as_ref()
        .is_some_and(|product| product.is_marketed_by(who.id));
    if may_read(who, &card.owner) || markets {
        Ok(card)
    } else {
        Err(
            ApiError::forbidden("the holder | the producer | authority | ministry | operator")
                .about(code),
        )
    }
}

/// Everything inside a package the caller may read, at any depth, with each code's depth
/// (1: directly inside).
pub fn package_content(
    call: &mut Call<'_>,
    package: &str,
) -> Result<Vec<(CodeKey, usize)>, ApiError> {
    let card = readable_card(call, package)?;
    let snapshot = call.app().engine.snapshot();
    Ok(query::package_content(snapshot.as_ref(), &card.code)?)
}

/// A page of the history of a code the caller may read.
pub fn history(call: &mut Call<'_>, code: &str, page: Page) -> Result<Vec<HistoryEntry>, ApiError> {
    let card = readable_card(call, code)?;
    let (after, limit) = page.bounded(PAGE_ENTRIES_MAX);
    let snapshot = call.app().engine.snapshot();
    let history = query::history(snapshot.as_ref(), &card.code, after, limit)?;
    Ok(history
        .iter()
        .map(|record| HistoryEntry {
            sequence: record.sequence,
            time_ms: record.time_ms,
            actor: actor_text(&record.actor),
            event: record.event.name(),
            detail: history_detail(&record.event),
        })
        .collect())
}

/// Who acted, as a history shows it.
fn actor_text(actor: &Actor) -> String {
    match actor {
        Actor::System => "system".to_owned(),
        Actor::Public => "public".to_owned(),
        Actor::Participant(id) => id.to_string(),
        Actor::FiscalOperator { operator, seller } => {
            format!("{seller} (fiscal data operator {operator})")
        }
    }
}

/// What a history event may say to whoever may read the code: its fields, with every list
/// (the other codes of a chunk, a package, a shipment, and the issued tails) replaced by its
/// length. A chunk of issued codes lists 10,000 serials with their tails: shown to a card's
/// reader, they would be 10,000 printable copies (R-IS-02).
pub fn history_detail(event: &Event) -> serde_json::Value {
    fn redact(value: serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::Array(items) => Value::from(items.len()),
            Value::Object(fields) => fields
                .into_iter()
                .map(|(name, value)| (name, redact(value)))
                .collect(),
            other => other,
        }
    }
    redact(serde_json::to_value(event).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use tanba_types::{Event, IssuedCode, IssuedTail};

    #[test]
    fn a_history_event_names_no_other_code_and_no_tail() {
        let issued = Event::CodesIssued {
            order: 7,
            first_index: 0,
            codes: vec![IssuedCode {
                serial: "abc".parse().unwrap(),
                tail: IssuedTail::Short {
                    key_id: "k".into(),
                    tag: "SECRET".into(),
                },
            }],
        };
        let detail = super::history_detail(&issued).to_string();
        assert!(
            !detail.contains("SECRET") && !detail.contains("abc"),
            "{detail}"
        );
        assert!(detail.contains("\"order\":7"), "{detail}");
    }
}
