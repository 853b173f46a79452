//! Tills and fiscal receipts (R-IS-13), in the permissive mode tills already use elsewhere: a
//! till checks codes before the sale by the engine's own rules (nothing is written), and the
//! receipt that follows is recorded by the engine in one command, line by line: a line the
//! rules refuse (a code already sold, blocked, someone else's, with a forged tail) is set aside
//! with why, the rest is sold, and the receipt with its prices and that answer is in the log.
//! A resent receipt is answered from the log, whichever door it came through; a code a till
//! tries to sell twice is flagged as a likely copy. A return names the sale it undoes.
//!
//! Who acts: a retailer for itself, or a fiscal data operator for a seller the operator
//! registered it as serving (the engine checks the registration; the log names both). Tills
//! call through gRPC (`RetailService`) and HTTP/JSON (`/v1/till/...`) alike: both doors call
//! [`check_before_sale`], [`submit_receipt`] and [`submit_return`].

use serde::{Deserialize, Serialize};
use tanba_engine::{EngineError, LogRecord, query};
use tanba_types::limits::RECEIPT_LINES_MAX;
use tanba_types::{
    Actor, CodeKey, CodeStatus, Command, Date, Event, Language, Participant, Refusal, Role,
    SaleLine, ScanError, ScannedCode, ScannedTail, TaxpayerId, WithdrawalReason,
};

use super::Given;
use crate::app::{App, Call};
use crate::error::ApiError;
use crate::public::{FlagReason, Lookup, lookup};

/// Codes one check before sale may carry.
pub const SALE_CHECK_CODES_MAX: usize = 1_000;

/// A code's status as a till reads it in JSON: `status` by a flat name, with
/// `withdrawal_reason` beside it (both null for an unknown code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TillStatus(pub Option<CodeStatus>);

impl Serialize for TillStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let (status, reason) = match self.0 {
            None => (None, None),
            Some(CodeStatus::Emitted) => (Some("emitted"), None),
            Some(CodeStatus::Applied) => (Some("applied"), None),
            Some(CodeStatus::Introduced) => (Some("introduced"), None),
            Some(CodeStatus::Withdrawn(reason)) => (Some("withdrawn"), Some(reason)),
        };
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("status", &status)?;
        map.serialize_entry("withdrawal_reason", &reason)?;
        map.end()
    }
}

/// A block as a till sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TillBlocker {
    /// The authority's IIN/BIN.
    pub authority: TaxpayerId,
    /// Why.
    pub reason: String,
    /// Since when, unix milliseconds.
    pub since_ms: u64,
}

/// One code, checked before sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SaleCheck {
    /// The code as sent.
    pub code: String,
    /// Known to Tanba.
    pub found: bool,
    /// The tail printed is the tail issued (true when none was scanned and the code is known).
    pub tail_valid: bool,
    /// Its status (and why it was withdrawn).
    #[serde(flatten)]
    pub status: TillStatus,
    /// Whether the till may sell it.
    pub sellable: bool,
    /// Why not: a stable code.
    pub refusal_code: Option<&'static str>,
    /// The same in the caller's language.
    pub refusal_message: Option<String>,
    /// Who blocks it.
    pub blockers: Vec<TillBlocker>,
    /// Expiry date.
    pub expiry_date: Option<Date>,
    /// Whether the seller holds it.
    pub owned_by_seller: bool,
    /// Units inside (a package).
    pub units_inside: u32,
}

impl SaleCheck {
    /// A code not (yet) found, as sent.
    fn blank(input: &str) -> SaleCheck {
        SaleCheck {
            code: input.to_owned(),
            found: false,
            tail_valid: false,
            status: TillStatus(None),
            sellable: false,
            refusal_code: None,
            refusal_message: None,
            blockers: Vec::new(),
            expiry_date: None,
            owned_by_seller: false,
            units_inside: 0,
        }
    }

    /// A found code sellable unless the engine's answer refuses it; a code refused already
    /// (forged, unknown) stays refused.
    fn decided(self, engine_answer: Result<(), EngineError>, language: Language) -> SaleCheck {
        match engine_answer {
            _ if !self.tail_valid || self.refusal_code.is_some() => self,
            Err(error) => self.refused(&error.into(), language),
            Ok(()) => SaleCheck {
                sellable: true,
                ..self
            },
        }
    }

    fn refused(mut self, error: &ApiError, language: Language) -> SaleCheck {
        self.sellable = false;
        self.refusal_code = Some(error.code);
        self.refusal_message = Some(error.message(language));
        self
    }
}

/// Who a till call acts as: the caller itself if it is a retailer and names itself (or
/// nobody), or, for a fiscal data operator naming a seller, the operator acting for it (whether
/// it serves that seller is the engine's to say). The audit record names the seller too.
fn acting_seller(
    call: &mut Call<'_>,
    caller: &Participant,
    seller: Option<TaxpayerId>,
) -> Result<Actor, ApiError> {
    let seller = seller.unwrap_or(caller.id);
    if seller == caller.id && caller.has_role(Role::Retailer) {
        Ok(Actor::Participant(seller))
    } else if caller.has_role(Role::FiscalDataOperator) && seller != caller.id {
        // Noted only for a caller that may act for sellers at all: no one else plants entries
        // under another participant's id in the audit index.
        call.note_acting_for(seller);
        Ok(Actor::FiscalOperator {
            operator: caller.id,
            seller,
        })
    } else {
        Err(ApiError::forbidden(
            "retailer (own sales) | fiscal_data_operator (for a seller it serves)",
        ))
    }
}

/// A till's check before sale: the codes, and the seller it sells for (none: the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TillCheck {
    /// The seller (a fiscal data operator names the one it acts for).
    pub seller: Option<TaxpayerId>,
    /// The codes, any form.
    pub codes: Vec<String>,
}

/// Checks codes before sale, by the engine's own rules (nothing is written): each code with
/// whether the till may sell it, and why not.
pub fn check_before_sale(
    call: &mut Call<'_>,
    check: Given<TillCheck>,
) -> Result<Vec<SaleCheck>, ApiError> {
    let who = call.participant()?;
    let check = check?;
    let actor = acting_seller(call, &who, check.seller)?;
    checks(call, actor, &check.codes)
}

/// Checks codes before sale for the seller `actor` acts for, noting them on the call.
fn checks(
    call: &mut Call<'_>,
    actor: Actor,
    inputs: &[String],
) -> Result<Vec<SaleCheck>, ApiError> {
    if inputs.is_empty() || inputs.len() > SALE_CHECK_CODES_MAX {
        return Err(ApiError::too_many("codes", SALE_CHECK_CODES_MAX));
    }
    let seller = actor
        .principal()
        .ok_or_else(|| ApiError::forbidden("retailer"))?;
    call.charge_codes(inputs.len())?;
    let (app, language) = (call.app(), call.language);
    let scanned: Vec<Result<ScannedCode, ScanError>> = inputs
        .iter()
        .map(|input| ScannedCode::read(input))
        .collect();
    let readable: Vec<ScannedCode> = scanned.iter().flatten().cloned().collect();
    call.note_codes(readable.iter().map(|code| &code.key));
    let now_ms = app.now_ms();
    // One engine answer per readable code, in order; the caller's right to act for the seller
    // (a fiscal data operator's registration) is decided here, once, for all of them.
    let mut engine_answers = app.engine.check_sale(actor, &readable, now_ms)?.into_iter();
    let snapshot = app.engine.snapshot();
    inputs
        .iter()
        .zip(scanned)
        .map(|(input, scanned)| {
            let blank = SaleCheck::blank(input);
            match scanned {
                Err(error) => Ok(blank.refused(&error.into(), language)),
                Ok(scanned) => {
                    let engine_answer =
                        engine_answers.next().expect("one answer per readable code");
                    let found = check_one(snapshot.as_ref(), seller, blank, &scanned, language);
                    found.map(|check| check.decided(engine_answer, language))
                }
            }
        })
        .collect()
}

/// One readable code checked for `seller`: refused as forged or unknown, or found with its
/// status, blocks and holder (whether it may be sold is the engine's answer,
/// [`SaleCheck::decided`]).
fn check_one(
    snapshot: &dyn tanba_store::Snapshot,
    seller: TaxpayerId,
    blank: SaleCheck,
    scanned: &ScannedCode,
    language: Language,
) -> Result<SaleCheck, ApiError> {
    let card = match lookup(snapshot, scanned)? {
        Lookup::Genuine(card) => card,
        Lookup::TailMismatch => {
            let error = EngineError::ForgedTail(scanned.key).into();
            let check = SaleCheck {
                found: true,
                ..blank
            };
            return Ok(check.refused(&error, language));
        }
        Lookup::Unknown => {
            let error = EngineError::UnknownCode(scanned.key).into();
            return Ok(blank.refused(&error, language));
        }
    };
    Ok(SaleCheck {
        found: true,
        tail_valid: true,
        status: TillStatus(Some(card.status)),
        blockers: card
            .blockers
            .iter()
            .map(|blocker| TillBlocker {
                authority: blocker.authority,
                reason: blocker.reason.clone(),
                since_ms: blocker.since_ms,
            })
            .collect(),
        expiry_date: card.expiry_date,
        owned_by_seller: card.owner == seller,
        units_inside: card.contents[0],
        ..blank
    })
}

/// One line of a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptLine {
    /// The code sold, any form.
    pub code: String,
    /// Price in tiyn.
    #[serde(deserialize_with = "whole_number")]
    pub price_tiyn: u64,
}

/// A sales receipt.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SalesReceipt {
    /// The fiscal data operator's receipt id.
    pub receipt_id: String,
    /// The seller (the caller, if a retailer, when not given).
    pub seller: Option<TaxpayerId>,
    /// When it was printed, unix milliseconds.
    #[serde(deserialize_with = "whole_number")]
    pub time_ms: u64,
    /// The lines.
    pub lines: Vec<ReceiptLine>,
}

/// A JSON integer in `u64`'s range, however it is written: `209`, `209.0` and `2.09e2` are
/// one number in JSON (and to JSON Schema, which the OpenAPI document states the fields in),
/// so a till that prints whole numbers with a decimal point is not refused. The number's text
/// is read exactly (never through a float, which would take `0.99999999999999999999` for 1): a
/// fraction, a negative number or one past the range is refused.
pub(crate) fn whole_number<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<u64, D::Error> {
    let raw = Box::<serde_json::value::RawValue>::deserialize(deserializer)?;
    exact_whole_number(raw.get()).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "{} is not a whole number from 0 to {}",
            raw.get(),
            u64::MAX
        ))
    })
}

/// The value of a JSON number's text if it is a whole number in `u64`'s range.
fn exact_whole_number(text: &str) -> Option<u64> {
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i64>().ok()?),
        None => (text, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let (negative, whole) = match whole.strip_prefix('-') {
        Some(whole) => (true, whole),
        None => (false, whole),
    };
    let digits: Vec<u8> = whole.bytes().chain(fraction.bytes()).collect();
    if whole.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // The value is `digits` × 10^scale; digits past the point must be zeros.
    let scale = exponent.checked_sub(i64::try_from(fraction.len()).ok()?)?;
    let kept = match scale {
        0.. => digits.len(),
        _ => digits.len().checked_sub(usize::try_from(-scale).ok()?)?,
    };
    if digits[kept..].iter().any(|digit| *digit != b'0') {
        return None;
    }
    let mut value: u64 = 0;
    for digit in &digits[..kept] {
        value = value
            .checked_mul(10)?
            .checked_add(u64::from(digit - b'0'))?;
    }
    for _ in 0..scale.max(0) {
        if value == 0 {
            break;
        }
        value = value.checked_mul(10)?;
    }
    // `-0` is zero; any other negative number is refused.
    (!negative || value == 0).then_some(value)
}

/// A line set aside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedLine {
    /// The code as sent.
    pub code: String,
    /// Why: a stable code.
    pub refusal_code: String,
    /// The same in the caller's language.
    pub refusal_message: String,
}

/// What became of a receipt: the same for its first sending and every resend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptOutcome {
    /// The log entry that recorded it (`Sold` or `Returned`; a unit taken out of its box for
    /// the sale is logged just before).
    pub sequence: u64,
    /// When the engine recorded it.
    pub time_ms: u64,
    /// This receipt id was recorded before; nothing changed now, and the answer is the first.
    pub duplicate: bool,
    /// Lines set aside, with why (a sale only).
    pub refused_lines: Vec<RefusedLine>,
}

impl ReceiptOutcome {
    /// The answer a logged receipt got, in `language`.
    fn of(record: &LogRecord, duplicate: bool, language: Language) -> ReceiptOutcome {
        let refused_lines = match &record.event {
            Event::Sold { lines, refused, .. } => refused
                .iter()
                .map(|refused| RefusedLine {
                    code: lines[refused.line as usize].code.clone(),
                    refusal_code: refused.error.code.clone(),
                    refusal_message: refused.error.localize(language),
                })
                .collect(),
            _ => Vec::new(),
        };
        ReceiptOutcome {
            sequence: record.sequence,
            time_ms: record.time_ms,
            duplicate,
            refused_lines,
        }
    }
}

/// Submits a receipt command and answers it from the log entry that recorded it: the one
/// just written, or, for a receipt recorded before (a resend, a concurrent twin, a retry after a
/// crash), the first one.
async fn record(
    call: &mut Call<'_>,
    actor: Actor,
    command: Command,
) -> Result<(ReceiptOutcome, bool), ApiError> {
    let app = call.app();
    let (sequence, duplicate) = match call.submit(actor, command).await {
        Ok(written) => (written.last_sequence, false),
        Err(EngineError::ReceiptRecorded { sequence, .. }) => (sequence, true),
        Err(error) => return Err(error.into()),
    };
    let record = query::log_record(app.engine.snapshot().as_ref(), sequence)?.ok_or_else(|| {
        tracing::error!(sequence, "a receipt's log entry is missing");
        ApiError::internal()
    })?;
    Ok((
        ReceiptOutcome::of(&record, duplicate, call.language),
        duplicate,
    ))
}

/// Whether a refused line is a second sale of a sold code: refused for its status (the seller
/// sold it already), or as someone else's with the genuine tail scanned (a copy of a code sold
/// at another shop: without the tail, anyone could name a sold code's text and flag it).
fn sold_twice(
    snapshot: &dyn tanba_store::Snapshot,
    line: &RefusedLine,
) -> Result<Option<CodeKey>, ApiError> {
    let Ok(scanned) = ScannedCode::read(&line.code) else {
        return Ok(None);
    };
    let by_status = [
        Refusal::WrongStatus {
            status: CodeStatus::Introduced,
        },
        Refusal::WithdrawalFinal {
            reason: WithdrawalReason::RetailSale,
        },
    ]
    .iter()
    .any(|refusal| refusal.code() == line.refusal_code);
    let elsewhere_with_its_tail = line.refusal_code == EngineError::NotOwner(scanned.key).code()
        && !matches!(scanned.tail, ScannedTail::None);
    if !by_status && !elsewhere_with_its_tail {
        return Ok(None);
    }
    // The tail, if scanned, must be the one issued: a forged tail is no sighting of the code.
    let sold = lookup(snapshot, &scanned)?
        .genuine()
        .is_some_and(|card| card.status == CodeStatus::Withdrawn(WithdrawalReason::RetailSale));
    Ok(sold.then_some(scanned.key))
}

/// Codes one receipt flags as sold twice at most: a receipt of a thousand lines naming sold
/// codes is one piece of evidence per code, and few codes.
pub const SOLD_TWICE_FLAGS_PER_RECEIPT_MAX: usize = 16;

/// Flags the codes a till tried to sell after they were sold (each once, at most
/// [`SOLD_TWICE_FLAGS_PER_RECEIPT_MAX`]), before the till has its answer: a check made after it
/// sees the flag.
async fn flag_sold_twice(app: &App, outcome: &ReceiptOutcome) -> Result<(), ApiError> {
    let mut codes = std::collections::BTreeSet::new();
    let snapshot = app.engine.snapshot();
    for line in &outcome.refused_lines {
        if codes.len() == SOLD_TWICE_FLAGS_PER_RECEIPT_MAX {
            break;
        }
        codes.extend(sold_twice(snapshot.as_ref(), line)?);
    }
    drop(snapshot);
    let tickets: Vec<_> = (codes.into_iter())
        .filter_map(|code| {
            let ticket = super::public::submit_flag(app, code, FlagReason::SoldTwice);
            ticket.map(|ticket| (code, ticket))
        })
        .collect();
    for (code, ticket) in tickets {
        super::public::flag_recorded(code, ticket).await;
    }
    Ok(())
}

/// A page of the caller's own fiscal receipts (a shop's sales and returns), oldest first.
pub fn receipts(
    call: &mut Call<'_>,
    page: super::Page,
) -> Result<Vec<query::ReceiptView>, ApiError> {
    let who = call.participant()?;
    let (after, limit) = page.bounded(tanba_types::limits::PAGE_ENTRIES_MAX);
    let snapshot = call.app().engine.snapshot();
    Ok(query::seller_receipts(
        snapshot.as_ref(),
        &who.id,
        after,
        limit,
    )?)
}

/// Records a sales receipt for the seller the caller acts for (see [`tanba_engine::retail`]).
pub async fn submit_receipt(
    call: &mut Call<'_>,
    receipt: Given<SalesReceipt>,
) -> Result<ReceiptOutcome, ApiError> {
    let who = call.participant()?;
    let receipt = receipt?;
    let actor = acting_seller(call, &who, receipt.seller)?;
    if receipt.lines.len() > RECEIPT_LINES_MAX {
        return Err(ApiError::too_many("lines", RECEIPT_LINES_MAX));
    }
    call.note_reference(&receipt.receipt_id);
    call.charge_codes(receipt.lines.len())?;
    let keys: Vec<CodeKey> = receipt
        .lines
        .iter()
        .filter_map(|line| ScannedCode::read(&line.code).ok())
        .map(|code| code.key)
        .collect();
    call.note_codes(&keys);
    let command = Command::RecordSale {
        receipt_id: receipt.receipt_id.clone(),
        printed_ms: receipt.time_ms,
        lines: receipt
            .lines
            .iter()
            .map(|line| SaleLine {
                code: line.code.clone(),
                price_tiyn: line.price_tiyn,
            })
            .collect(),
    };
    let (outcome, duplicate) = record(call, actor, command).await?;
    if !duplicate {
        flag_sold_twice(call.app(), &outcome).await?;
    }
    Ok(outcome)
}

/// A return receipt.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnReceipt {
    /// The return's receipt id.
    pub receipt_id: String,
    /// The sales receipt the goods were sold on.
    pub sale_receipt_id: String,
    /// The retailer (the caller, when not given).
    pub seller: Option<TaxpayerId>,
    /// The codes returned.
    pub codes: Vec<String>,
}

/// Records a return of goods sold on `receipt.sale_receipt_id`: the codes are back in
/// circulation, the seller's. All or nothing.
pub async fn submit_return(
    call: &mut Call<'_>,
    receipt: Given<ReturnReceipt>,
) -> Result<ReceiptOutcome, ApiError> {
    let who = call.participant()?;
    let receipt = receipt?;
    let actor = acting_seller(call, &who, receipt.seller)?;
    call.note_reference(&receipt.receipt_id);
    call.note_reference(&receipt.sale_receipt_id);
    if receipt.codes.is_empty() {
        return Err(ApiError::invalid("codes"));
    }
    let codes = call.read_codes(&receipt.codes, RECEIPT_LINES_MAX)?;
    let command = Command::RecordReturn {
        receipt_id: receipt.receipt_id.clone(),
        sale_receipt_id: receipt.sale_receipt_id.clone(),
        codes,
    };
    record(call, actor, command)
        .await
        .map(|(outcome, _)| outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_till_reads_the_status_by_name_with_the_withdrawal_reason_beside_it() {
        let json = |status| serde_json::to_value(TillStatus(status)).unwrap();
        assert_eq!(
            json(Some(CodeStatus::Withdrawn(WithdrawalReason::RetailSale))),
            serde_json::json!({ "status": "withdrawn", "withdrawal_reason": "retail_sale" })
        );
        assert_eq!(
            json(Some(CodeStatus::Introduced)),
            serde_json::json!({ "status": "introduced", "withdrawal_reason": null })
        );
        assert_eq!(
            json(None),
            serde_json::json!({ "status": null, "withdrawal_reason": null })
        );
    }

    #[test]
    fn a_receipt_s_whole_numbers_read_however_json_writes_them() {
        let price = |number: &str| {
            serde_json::from_str::<ReceiptLine>(&format!(
                r#"{{"code": "x", "price_tiyn": {number}}}"#
            ))
            .map(|line| line.price_tiyn)
            .map_err(|error| error.to_string())
        };
        assert_eq!(price("209"), Ok(209));
        assert_eq!(price("209.0"), Ok(209));
        assert_eq!(price("2.09e2"), Ok(209));
        assert_eq!(price("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(price("1e19"), Ok(10_000_000_000_000_000_000));
        // Read correctly rounded: a fast float parser reads this as ...976.8.
        assert_eq!(price("1916636332176977.0"), Ok(1_916_636_332_176_977));
        assert_eq!(price("0.0209e4"), Ok(209));
        assert_eq!(price("-0"), Ok(0));
        assert_eq!(price("0e999999"), Ok(0));
        for refused in [
            "209.5",
            "-1",
            "1.8446744073709552e19",
            "0.99999999999999999999",
            "9007199254740993.5",
            "1e20",
            "2.09e1",
            "\"209\"",
            "null",
        ] {
            assert!(price(refused).is_err(), "{refused} was read");
        }
    }
}
