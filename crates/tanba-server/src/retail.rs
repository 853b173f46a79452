//! Tills and fiscal receipts (R-IS-13), in the permissive mode tills already use elsewhere: a
//! till checks codes before the sale with the engine's own rules (nothing is written), and the
//! receipt that follows withdraws each code as sold. A receipt is a fact (the customer has left
//! with the goods), so a line the engine refuses (a code already sold, blocked, someone else's)
//! is set aside and answered with its reason while the rest of the receipt is recorded, and a
//! code sold twice is flagged as a likely copy. The same receipt id sent again changes nothing.

use serde::{Deserialize, Serialize};
use tanba_engine::{EngineError, query};
use tanba_types::{
    Actor, CodeKey, CodeStatus, Command, Date, Language, Participant, Refusal, Role, ScanError,
    ScannedCode, TaxpayerId, WithdrawalReason, localize,
};

use crate::app::{App, Call};
use crate::error::ApiError;
use crate::public::{FlagReason, Lookup, lookup};

/// Codes one check before sale may carry.
pub const SALE_CHECK_CODES_MAX: usize = 1_000;
/// Lines one receipt may carry.
pub const RECEIPT_LINES_MAX: usize = 1_000;
/// Longest receipt id, in characters.
pub const RECEIPT_ID_CHARS_MAX: usize = 128;

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
    fn refused(mut self, error: &ApiError, language: Language) -> SaleCheck {
        self.sellable = false;
        self.refusal_code = Some(error.code);
        self.refusal_message = Some(error.message(language));
        self
    }
}

/// The seller a till call acts for: the caller itself if it is a retailer and names itself (or
/// nobody), or anyone a fiscal data operator names.
pub fn acting_seller(
    caller: &Participant,
    seller: Option<TaxpayerId>,
) -> Result<TaxpayerId, ApiError> {
    let seller = seller.unwrap_or(caller.id);
    if caller.has_role(Role::FiscalDataOperator)
        || (seller == caller.id && caller.has_role(Role::Retailer))
    {
        Ok(seller)
    } else {
        Err(ApiError::forbidden(
            "retailer (own sales) | fiscal_data_operator",
        ))
    }
}

/// Checks codes before sale for `seller`, noting them on the call.
pub fn check_before_sale(
    call: &mut Call<'_>,
    seller: TaxpayerId,
    inputs: &[String],
) -> Result<Vec<SaleCheck>, ApiError> {
    if inputs.is_empty() || inputs.len() > SALE_CHECK_CODES_MAX {
        return Err(ApiError::too_many("codes", SALE_CHECK_CODES_MAX));
    }
    call.note_reference(seller);
    let (app, language) = (call.app(), call.language);
    let scanned: Vec<Result<ScannedCode, ScanError>> = inputs
        .iter()
        .map(|input| ScannedCode::read(input))
        .collect();
    let keys: Vec<CodeKey> = scanned.iter().flatten().map(|code| code.key).collect();
    call.note_codes(&keys);
    let snapshot = app.engine.snapshot();
    let now_ms = app.now_ms();
    let today = Date::from_unix_ms_in_kz(now_ms);
    inputs
        .iter()
        .zip(scanned)
        .map(|(input, scanned)| {
            let blank = SaleCheck {
                code: input.clone(),
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
            };
            let scanned = match scanned {
                Ok(scanned) => scanned,
                Err(error) => return Ok(blank.refused(&error.into(), language)),
            };
            let card = match lookup(snapshot.as_ref(), &scanned)? {
                Lookup::Genuine(card) => card,
                Lookup::TailMismatch => {
                    let error = EngineError::TailMismatch.into();
                    return Ok(SaleCheck {
                        found: true,
                        ..blank
                    }
                    .refused(&error, language));
                }
                Lookup::Unknown => {
                    let error = EngineError::UnknownCode(scanned.key).into();
                    return Ok(blank.refused(&error, language));
                }
            };

            let check = SaleCheck {
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
            };
            let sale = Command::Withdraw {
                codes: vec![scanned.key],
                reason: WithdrawalReason::RetailSale,
                document: None,
            };
            if let Err(error) = app
                .engine
                .dry_run(Actor::Participant(seller), &sale, now_ms)
            {
                return Ok(check.refused(&error.into(), language));
            }
            if card.expiry_date.is_some_and(|expiry| expiry < today) {
                return Ok(check.refused(&ApiError::expired(), language));
            }
            Ok(SaleCheck {
                sellable: true,
                ..check
            })
        })
        .collect()
}

/// One line of a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptLine {
    /// The code sold, any form.
    pub code: String,
    /// Price in tiyn.
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
    pub time_ms: u64,
    /// The lines.
    pub lines: Vec<ReceiptLine>,
}

/// A line set aside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedLine {
    /// The code as sent.
    pub code: String,
    /// Why: a stable code.
    pub refusal_code: String,
    /// The same in the caller's language (the first caller's: a resent receipt gets the
    /// answer it got then).
    pub refusal_message: String,
}

/// What became of a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptOutcome {
    /// The log entries that recorded it (none if every line was refused).
    pub first_sequence: Option<u64>,
    /// Its last log entry.
    pub last_sequence: Option<u64>,
    /// When the engine recorded it.
    pub time_ms: Option<u64>,
    /// This receipt id was recorded before; nothing changed now, and the answer is the first.
    pub duplicate: bool,
    /// Lines set aside, with why.
    pub refused_lines: Vec<RefusedLine>,
}

/// Resubmissions after a line is refused between the dry run and the write (another till sold
/// the same code in that moment): the receipt stays one engine command in all but such races.
pub const RECEIPT_RESUBMITS_MAX: usize = 3;

fn check_receipt_id(receipt_id: &str) -> Result<(), ApiError> {
    if receipt_id.trim().is_empty() || receipt_id.chars().count() > RECEIPT_ID_CHARS_MAX {
        return Err(ApiError::invalid("receipt_id"));
    }
    Ok(())
}

/// Whether a refusal means the code was sold already: a second sale of a sold code is what a
/// copied code looks like at the till.
fn already_sold(error: &EngineError) -> bool {
    matches!(
        error,
        EngineError::Refused {
            refusal: Refusal::WrongStatus {
                status: CodeStatus::Withdrawn(WithdrawalReason::RetailSale)
            } | Refusal::WithdrawalFinal {
                reason: WithdrawalReason::RetailSale
            },
            ..
        }
    )
}

/// The answer for a receipt the engine recorded before but the server kept no record of (the
/// record's write failed after the sale's): the log says when; the refused lines are lost.
fn duplicate(app: &App, sequence: u64) -> Result<ReceiptOutcome, ApiError> {
    let record = query::log_record(app.engine.snapshot().as_ref(), sequence)?;
    Ok(ReceiptOutcome {
        first_sequence: Some(sequence),
        last_sequence: Some(sequence),
        time_ms: record.map(|record| record.time_ms),
        duplicate: true,
        refused_lines: Vec::new(),
    })
}

fn refused_line(code: &str, error: &ApiError, language: Language) -> RefusedLine {
    RefusedLine {
        code: code.to_owned(),
        refusal_code: error.code.to_owned(),
        refusal_message: localize(error, language),
    }
}

/// Records a sales receipt for `seller`: every line is tried against the engine's rules first
/// (a dry run, nothing written), the refused ones are set aside with why, and the rest is
/// written as one sale. The receipt itself (lines, prices, printed time, outcome) is kept, so
/// the same receipt sent again gets the first answer, and a different receipt under the same id
/// is refused.
pub async fn submit_receipt(
    call: &mut Call<'_>,
    seller: TaxpayerId,
    receipt: &SalesReceipt,
) -> Result<ReceiptOutcome, ApiError> {
    check_receipt_id(&receipt.receipt_id)?;
    if receipt.lines.is_empty() {
        return Err(ApiError::invalid("lines"));
    }
    if receipt.lines.len() > RECEIPT_LINES_MAX {
        return Err(ApiError::too_many("lines", RECEIPT_LINES_MAX));
    }
    call.note_reference(seller);
    call.note_reference(&receipt.receipt_id);
    let language = call.language;
    let scanned: Vec<Result<ScannedCode, ScanError>> = receipt
        .lines
        .iter()
        .map(|line| ScannedCode::read(&line.code))
        .collect();
    let keys: Vec<CodeKey> = scanned.iter().flatten().map(|code| code.key).collect();
    call.note_codes(&keys);
    let app = call.app();
    let digest = receipt_digest(receipt);
    if let Some(stored) = app.public.receipt(&seller, &receipt.receipt_id)? {
        if stored.digest != digest {
            return Err(ApiError::receipt_mismatch());
        }
        return Ok(ReceiptOutcome {
            duplicate: true,
            ..stored.outcome
        });
    }

    let now_ms = app.now_ms();
    let mut selling: Vec<(String, CodeKey)> = Vec::with_capacity(receipt.lines.len());
    let mut refused_lines = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (line, scanned) in receipt.lines.iter().zip(scanned) {
        let key = match scanned {
            Ok(scanned) if seen.insert(scanned.key) => scanned.key,
            Ok(_) => {
                let error = ApiError::invalid("lines (the code is on the receipt twice)");
                refused_lines.push(refused_line(&line.code, &error, language));
                continue;
            }
            Err(error) => {
                refused_lines.push(refused_line(&line.code, &error.into(), language));
                continue;
            }
        };
        let sale = Command::Withdraw {
            codes: vec![key],
            reason: WithdrawalReason::RetailSale,
            document: None,
        };
        match app
            .engine
            .dry_run(Actor::Participant(seller), &sale, now_ms)
        {
            Ok(()) => selling.push((line.code.clone(), key)),
            Err(error) => {
                if already_sold(&error) {
                    app.public.raise_flag(&key, FlagReason::SoldTwice, now_ms)?;
                }
                refused_lines.push(refused_line(&line.code, &error.into(), language));
            }
        }
    }
    let mut outcome = ReceiptOutcome {
        first_sequence: None,
        last_sequence: None,
        time_ms: None,
        duplicate: false,
        refused_lines: Vec::new(),
    };
    let mut resubmits = 0;
    while !selling.is_empty() {
        let sale = Command::Withdraw {
            codes: selling.iter().map(|(_, key)| *key).collect(),
            reason: WithdrawalReason::RetailSale,
            document: Some(receipt.receipt_id.clone()),
        };
        match app.engine.submit(Actor::Participant(seller), sale)?.await {
            Ok(written) => {
                outcome.first_sequence = Some(written.first_sequence);
                outcome.last_sequence = Some(written.last_sequence);
                outcome.time_ms = Some(written.time_ms);
                break;
            }
            // The same receipt from a concurrent call got in first.
            Err(EngineError::ReceiptRecorded { sequence, .. }) => return duplicate(app, sequence),
            Err(error) => {
                let position = error
                    .subject()
                    .and_then(|subject| selling.iter().position(|(_, key)| *key == subject));
                let (Some(position), true) = (position, resubmits < RECEIPT_RESUBMITS_MAX) else {
                    return Err(error.into());
                };
                resubmits += 1;
                let (code, key) = selling.remove(position);
                if already_sold(&error) {
                    app.public.raise_flag(&key, FlagReason::SoldTwice, now_ms)?;
                }
                refused_lines.push(refused_line(&code, &error.into(), language));
            }
        }
    }
    outcome.refused_lines = refused_lines;
    app.public.store_receipt(
        &seller,
        &receipt.receipt_id,
        &StoredReceipt {
            digest,
            printed_ms: receipt.time_ms,
            lines: receipt
                .lines
                .iter()
                .map(|line| (line.code.clone(), line.price_tiyn))
                .collect(),
            outcome: outcome.clone(),
        },
    )?;
    Ok(outcome)
}

/// What identifies a receipt's content: its lines (code and price, in order) and printed time.
fn receipt_digest(receipt: &SalesReceipt) -> [u8; 32] {
    let mut hasher = blake3::Hasher::new();
    hasher.update(&receipt.time_ms.to_be_bytes());
    for line in &receipt.lines {
        hasher.update(&(line.code.len() as u64).to_be_bytes());
        hasher.update(line.code.as_bytes());
        hasher.update(&line.price_tiyn.to_be_bytes());
    }
    *hasher.finalize().as_bytes()
}

/// A receipt as kept: what it said and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredReceipt {
    /// [`receipt_digest`] of what was sent.
    pub digest: [u8; 32],
    /// When the till printed it, unix milliseconds (as the fiscal data operator says).
    pub printed_ms: u64,
    /// Each line's code as sent, and its price in tiyn.
    pub lines: Vec<(String, u64)>,
    /// The answer given.
    pub outcome: ReceiptOutcome,
}

/// A return receipt.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnReceipt {
    /// The return's receipt id.
    pub receipt_id: String,
    /// The retailer (the caller, when not given).
    pub seller: Option<TaxpayerId>,
    /// The codes returned.
    pub codes: Vec<String>,
}

/// Records a return: the codes are back in circulation, the seller's. All or nothing: a return
/// is the seller's own act, not a fact reported after the event.
pub async fn submit_return(
    call: &mut Call<'_>,
    seller: TaxpayerId,
    receipt_id: &str,
    inputs: &[String],
) -> Result<ReceiptOutcome, ApiError> {
    check_receipt_id(receipt_id)?;
    call.note_reference(seller);
    call.note_reference(receipt_id);
    if inputs.is_empty() {
        return Err(ApiError::invalid("codes"));
    }
    let codes = call.read_codes(inputs, RECEIPT_LINES_MAX)?;
    let app = call.app();
    let command = Command::RetailReturn {
        codes,
        document: Some(receipt_id.to_owned()),
    };
    match app
        .engine
        .submit(Actor::Participant(seller), command)?
        .await
    {
        Ok(receipt) => Ok(ReceiptOutcome {
            first_sequence: Some(receipt.first_sequence),
            last_sequence: Some(receipt.last_sequence),
            time_ms: Some(receipt.time_ms),
            duplicate: false,
            refused_lines: Vec::new(),
        }),
        Err(EngineError::ReceiptRecorded { sequence, .. }) => duplicate(app, sequence),
        Err(error) => Err(error.into()),
    }
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
}
