//! Tills and fiscal receipts (R-IS-13), in the permissive mode tills already use elsewhere: a
//! till checks codes before the sale with the engine's own rules (nothing is written), and the
//! receipt that follows withdraws each code as sold. A receipt is a fact (the customer has left
//! with the goods), so a line the engine refuses (a code already sold, blocked, someone else's)
//! is set aside and answered with its reason while the rest of the receipt is recorded, and a
//! code sold twice is flagged as a likely copy. The same receipt id sent again changes nothing.

use serde::{Deserialize, Serialize};
use tanba_engine::{EngineError, Receipt, query};
use tanba_types::{
    Actor, CodeKey, CodeStatus, Command, Date, Language, Participant, Refusal, Role, ScannedCode,
    TaxpayerId, WithdrawalReason, localize,
};

use crate::app::App;
use crate::error::ApiError;
use crate::public::{FlagReason, genuine_card};

/// Codes one check before sale may carry.
pub const SALE_CHECK_CODES_MAX: usize = 1_000;
/// Lines one receipt may carry.
pub const RECEIPT_LINES_MAX: usize = 1_000;
/// Longest receipt id, in characters.
pub const RECEIPT_ID_CHARS_MAX: usize = 128;

/// A status in JSON: flat names, with the withdrawal reason beside it.
pub fn status_name(status: CodeStatus) -> (&'static str, Option<WithdrawalReason>) {
    match status {
        CodeStatus::Emitted => ("emitted", None),
        CodeStatus::Applied => ("applied", None),
        CodeStatus::Introduced => ("introduced", None),
        CodeStatus::Withdrawn(reason) => ("withdrawn", Some(reason)),
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
    /// Its status.
    pub status: Option<&'static str>,
    /// Why it was withdrawn.
    pub withdrawal_reason: Option<WithdrawalReason>,
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

/// Checks codes before sale for `seller`.
pub fn check_before_sale(
    app: &App,
    seller: TaxpayerId,
    inputs: &[String],
    language: Language,
) -> Result<Vec<SaleCheck>, ApiError> {
    if inputs.is_empty() || inputs.len() > SALE_CHECK_CODES_MAX {
        return Err(ApiError::too_many("codes", SALE_CHECK_CODES_MAX));
    }
    let snapshot = app.engine.snapshot();
    let now_ms = app.now_ms();
    let today = Date::from_unix_ms_in_kz(now_ms);
    inputs
        .iter()
        .map(|input| {
            let blank = SaleCheck {
                code: input.clone(),
                found: false,
                tail_valid: false,
                status: None,
                withdrawal_reason: None,
                sellable: false,
                refusal_code: None,
                refusal_message: None,
                blockers: Vec::new(),
                expiry_date: None,
                owned_by_seller: false,
                units_inside: 0,
            };
            let scanned = match ScannedCode::read(input) {
                Ok(scanned) => scanned,
                Err(error) => return Ok(blank.refused(&error.into(), language)),
            };
            let found = query::code_record(snapshot.as_ref(), &scanned.key)?.is_some();
            let Some(card) = genuine_card(snapshot.as_ref(), &scanned)? else {
                let error: ApiError = if found {
                    EngineError::TailMismatch.into()
                } else {
                    EngineError::UnknownCode(scanned.key).into()
                };
                return Ok(SaleCheck { found, ..blank }.refused(&error, language));
            };
            let (status, withdrawal_reason) = status_name(card.status);
            let check = SaleCheck {
                found: true,
                tail_valid: true,
                status: Some(status),
                withdrawal_reason,
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusedLine {
    /// The code as sent.
    pub code: String,
    /// Why: a stable code.
    pub refusal_code: &'static str,
    /// The same in the caller's language.
    pub refusal_message: String,
}

/// What became of a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptOutcome {
    /// The log entries that recorded it (none if every line was refused).
    pub first_sequence: Option<u64>,
    /// Its last log entry.
    pub last_sequence: Option<u64>,
    /// When the engine recorded it.
    pub time_ms: Option<u64>,
    /// This receipt id was recorded before; nothing changed now.
    pub duplicate: bool,
    /// Lines set aside, with why.
    pub refused_lines: Vec<RefusedLine>,
}

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

/// The answer for a receipt recorded before, read back from the log.
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

/// Records a sales receipt for `seller`, setting aside the lines the engine refuses.
pub async fn submit_receipt(
    app: &App,
    seller: TaxpayerId,
    receipt: &SalesReceipt,
    language: Language,
) -> Result<ReceiptOutcome, ApiError> {
    check_receipt_id(&receipt.receipt_id)?;
    if receipt.lines.is_empty() || receipt.lines.len() > RECEIPT_LINES_MAX {
        return Err(ApiError::too_many("lines", RECEIPT_LINES_MAX));
    }
    let mut lines: Vec<(String, CodeKey)> = Vec::with_capacity(receipt.lines.len());
    let mut refused_lines = Vec::new();
    for line in &receipt.lines {
        match ScannedCode::read(&line.code) {
            Ok(scanned) => lines.push((line.code.clone(), scanned.key)),
            Err(error) => {
                let error = ApiError::from(error);
                refused_lines.push(RefusedLine {
                    code: line.code.clone(),
                    refusal_code: error.code,
                    refusal_message: error.message(language),
                });
            }
        }
    }
    // Each refusal names one code, which leaves; the rest is tried again. At most one try per line.
    while !lines.is_empty() {
        let sale = Command::Withdraw {
            codes: lines.iter().map(|(_, key)| *key).collect(),
            reason: WithdrawalReason::RetailSale,
            document: Some(receipt.receipt_id.clone()),
        };
        match app.engine.submit(Actor::Participant(seller), sale)?.await {
            Ok(Receipt {
                first_sequence,
                last_sequence,
                time_ms,
                ..
            }) => {
                return Ok(ReceiptOutcome {
                    first_sequence: Some(first_sequence),
                    last_sequence: Some(last_sequence),
                    time_ms: Some(time_ms),
                    duplicate: false,
                    refused_lines,
                });
            }
            Err(EngineError::ReceiptRecorded { sequence, .. }) => return duplicate(app, sequence),
            Err(error) => {
                let Some(subject) = error.subject() else {
                    return Err(error.into());
                };
                let Some(position) = lines.iter().position(|(_, key)| *key == subject) else {
                    return Err(error.into());
                };
                if already_sold(&error) {
                    app.public
                        .raise_flag(&subject, FlagReason::SoldTwice, app.now_ms())?;
                }
                let (code, _) = lines.remove(position);
                let api = ApiError::from(error);
                refused_lines.push(RefusedLine {
                    code,
                    refusal_code: api.code,
                    refusal_message: localize(&api, language),
                });
            }
        }
    }
    Ok(ReceiptOutcome {
        first_sequence: None,
        last_sequence: None,
        time_ms: None,
        duplicate: false,
        refused_lines,
    })
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
    app: &App,
    seller: TaxpayerId,
    receipt_id: &str,
    codes: Vec<CodeKey>,
) -> Result<ReceiptOutcome, ApiError> {
    check_receipt_id(receipt_id)?;
    if codes.is_empty() || codes.len() > RECEIPT_LINES_MAX {
        return Err(ApiError::too_many("codes", RECEIPT_LINES_MAX));
    }
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
