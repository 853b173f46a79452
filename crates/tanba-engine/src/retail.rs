//! Fiscal receipts (R-IS-13), the engine's side: a sale is recorded by its receipt and by nothing
//! else, line by line in the permissive mode tills use (a line the rules refuse is set aside with
//! why, the rest is sold), and the receipt, its prices and that answer are one event in the log.
//! So a resent receipt is answered from the log, whichever door it came through and across
//! crashes. A return names the sale it undoes: each unit comes back at most once per sale, to
//! its seller, within its category's return period. A fiscal data operator acts only for the
//! sellers the operator registered it as serving, on the days it serves them.

use std::collections::HashSet;

use tanba_types::limits::{RECEIPT_LINES_MAX, REFERENCE_CHARS_MAX, SCANNED_CODE_CHARS_MAX};
use tanba_types::{
    Actor, CodeKey, Date, ErrorNote, Event, FiscalAgency, Operation, RefusedLine, Role, SaleLine,
    ScannedCode, TaxpayerId, WithdrawalReason,
};

use crate::decide::{
    Context, acting_participant, allowed_in_subtrees, check_codes, check_text, owned, root,
    with_role,
};
use crate::error::EngineError;
use crate::keys;
use crate::records::CodeRecord;
use crate::state::State;

/// The seller a receipt is recorded for: the acting retailer itself, or the seller a fiscal
/// data operator acts for, on a day the operator is registered as serving it.
pub(crate) fn seller(state: &State, context: &Context) -> Result<TaxpayerId, EngineError> {
    match context.actor {
        Actor::FiscalOperator { operator, seller } => {
            with_role(
                state,
                Actor::Participant(operator),
                Role::FiscalDataOperator,
            )?;
            let today = Date::from_unix_ms_in_kz(context.time_ms);
            let serves = state
                .fiscal_agency(&operator, &seller)?
                .is_some_and(|agency| agency.holds_on(today));
            if !serves {
                return Err(EngineError::NotServed { operator, seller });
            }
            Ok(with_role(state, Actor::Participant(seller), Role::Retailer)?.id)
        }
        actor => Ok(with_role(state, actor, Role::Retailer)?.id),
    }
}

/// Whether `seller` may sell the scanned code on `today` (a Kazakhstan day): it exists, the
/// tail scanned is the tail issued, the seller holds it, the transition table allows the sale
/// of everything inside, and it is not past its own expiry date. The one rule for a receipt
/// line and for a till's check before sale.
pub fn check_sale_line(
    state: &State,
    seller: TaxpayerId,
    scanned: &ScannedCode,
    today: Date,
) -> Result<CodeRecord, EngineError> {
    let record = state.existing_code(&scanned.key)?;
    let issued = match record.issued {
        Some((order, index)) => state.order_code(order, index)?.map(|code| code.tail),
        None => None,
    };
    if !scanned.tail.matches(issued.as_ref()) {
        return Err(EngineError::ForgedTail(scanned.key));
    }
    let record = owned(state, seller, &scanned.key)?;
    allowed_in_subtrees(
        state,
        &[scanned.key],
        Operation::Withdraw(WithdrawalReason::RetailSale),
    )?;
    if record.expiry_date.is_some_and(|expiry| expiry < today) {
        return Err(EngineError::Expired(scanned.key));
    }
    refuse_recalled(state, &scanned.key, &record)?;
    Ok(record)
}

/// Refuses a code a case's scope block covers (a recall, R-REC-06): the unit itself, or any
/// unit inside a package sold whole.
fn refuse_recalled(state: &State, code: &CodeKey, record: &CodeRecord) -> Result<(), EngineError> {
    let recalled = |code: &CodeKey, record: &CodeRecord| {
        crate::scope::blocking_case(state, code, record)
            .map(|case| case.map(|case| EngineError::Recalled { code: *code, case }))
    };
    if record.contents_total() == 0 {
        return recalled(code, record)?.map_or(Ok(()), Err);
    }
    let mut counted = 0;
    for (unit, unit_record) in state.subtree(code, &mut counted)? {
        if let Some(refusal) = recalled(&unit, &unit_record)? {
            return Err(refusal);
        }
    }
    Ok(())
}

/// A failure of the store or of stored data ends the command; any other refusal of a line is
/// the line's.
fn line_refusal(error: EngineError) -> Result<ErrorNote, EngineError> {
    match error {
        EngineError::Store(_) | EngineError::Corrupt(_) => Err(error),
        refusal => Ok(ErrorNote::of(&refusal)),
    }
}

/// Decides a sales receipt: each line read, checked and either sold or set aside with why.
pub(crate) fn record_sale(
    state: &State,
    context: &Context,
    receipt_id: &str,
    printed_ms: u64,
    lines: &[SaleLine],
) -> Result<Vec<Event>, EngineError> {
    let seller = seller(state, context)?;
    check_text("receipt_id", receipt_id, REFERENCE_CHARS_MAX)?;
    if lines.is_empty() {
        return Err(EngineError::Invalid {
            field: "lines",
            reason: "a receipt has at least one line",
        });
    }
    if lines.len() > RECEIPT_LINES_MAX {
        return Err(EngineError::LimitExceeded {
            what: "lines",
            max: RECEIPT_LINES_MAX,
        });
    }
    if lines
        .iter()
        .any(|line| line.code.chars().count() > SCANNED_CODE_CHARS_MAX)
    {
        return Err(EngineError::LimitExceeded {
            what: "lines.code",
            max: SCANNED_CODE_CHARS_MAX,
        });
    }
    if let Some(entry) = state.receipt(keys::RECEIPT_SALE, &seller, receipt_id)? {
        let same = matches!(
            state.log_record(entry.sequence)?.event,
            Event::Sold { printed_ms: first_printed, lines: ref first_lines, .. }
                if first_printed == printed_ms && first_lines == lines
        );
        return Err(recorded(receipt_id, entry.sequence, same));
    }
    let mut taken = HashSet::new();
    let mut counted = 0;
    let today = Date::from_unix_ms_in_kz(context.time_ms);
    let (mut sold, mut detached, mut refused) = (Vec::new(), Vec::new(), Vec::new());
    for (index, line) in lines.iter().enumerate() {
        match sale_line(state, seller, line, today, &taken, &mut counted)? {
            Ok((key, record, subtree)) => {
                taken.extend(subtree);
                if record.parent.is_some() {
                    detached.push(key);
                }
                sold.push(key);
            }
            Err(error) => refused.push(RefusedLine {
                line: u32::try_from(index).expect("lines are bounded"),
                error,
            }),
        }
    }
    let mut events = Vec::new();
    if !detached.is_empty() {
        events.push(Event::Disaggregated { codes: detached });
    }
    events.push(Event::Sold {
        receipt_id: receipt_id.to_owned(),
        printed_ms,
        lines: lines.to_vec(),
        sold,
        refused,
    });
    Ok(events)
}

/// One line of a sale: its code with its record and everything inside it, or why it is set
/// aside. `taken` holds every code inside the lines sold before it: a code twice on a receipt,
/// or a unit on it beside its own box, is sold once.
#[allow(clippy::type_complexity)]
fn sale_line(
    state: &State,
    seller: TaxpayerId,
    line: &SaleLine,
    today: Date,
    taken: &HashSet<CodeKey>,
    counted: &mut usize,
) -> Result<Result<(CodeKey, CodeRecord, Vec<CodeKey>), ErrorNote>, EngineError> {
    let scanned = match ScannedCode::read(&line.code) {
        Ok(scanned) => scanned,
        Err(error) => return Ok(Err(ErrorNote::of(&error))),
    };
    // The seller's own, sellable code first: a line naming someone else's pallet costs a few
    // reads, not a walk of everything inside it.
    let decided = check_sale_line(state, seller, &scanned, today).and_then(|record| {
        let subtree: Vec<CodeKey> = state
            .subtree(&scanned.key, counted)?
            .into_iter()
            .map(|(code, _)| code)
            .collect();
        if subtree.iter().any(|code| taken.contains(code)) {
            return Err(EngineError::RepeatedOnReceipt(scanned.key));
        }
        Ok((scanned.key, record, subtree))
    });
    match decided {
        Ok(sold) => Ok(Ok(sold)),
        // A receipt too large for one command is the whole receipt's fault, not a line's.
        Err(error @ EngineError::LimitExceeded { .. }) => Err(error),
        Err(error) => line_refusal(error).map(Err),
    }
}

/// The refusal of a receipt id the seller recorded before: the same receipt (answered from the
/// log) or another one under the same id.
fn recorded(receipt_id: &str, sequence: u64, same: bool) -> EngineError {
    let receipt = receipt_id.to_owned();
    if same {
        EngineError::ReceiptRecorded { receipt, sequence }
    } else {
        EngineError::ReceiptMismatch { receipt, sequence }
    }
}

/// Decides a return of goods sold on `sale_receipt_id`: all or nothing.
pub(crate) fn record_return(
    state: &State,
    context: &Context,
    receipt_id: &str,
    sale_receipt_id: &str,
    codes: &[CodeKey],
) -> Result<Vec<Event>, EngineError> {
    let seller = seller(state, context)?;
    check_text("receipt_id", receipt_id, REFERENCE_CHARS_MAX)?;
    check_text("sale_receipt_id", sale_receipt_id, REFERENCE_CHARS_MAX)?;
    check_codes("codes", codes, RECEIPT_LINES_MAX)?;
    if let Some(entry) = state.receipt(keys::RECEIPT_RETURN, &seller, receipt_id)? {
        let same = matches!(
            state.log_record(entry.sequence)?.event,
            Event::Returned { codes: ref first_codes, sale_receipt_id: ref first_sale, .. }
                if first_codes == codes && first_sale == sale_receipt_id
        );
        return Err(recorded(receipt_id, entry.sequence, same));
    }
    let sale = state
        .receipt(keys::RECEIPT_SALE, &seller, sale_receipt_id)?
        .ok_or_else(|| EngineError::UnknownReceipt(sale_receipt_id.to_owned()))?;
    let returned_on = Date::from_unix_ms_in_kz(context.time_ms);
    let sold_on = Date::from_unix_ms_in_kz(sale.time_ms);
    let days_since_sale = returned_on.days_since_epoch() - sold_on.days_since_epoch();
    let sold = sold_on_receipt(state, sale.sequence)?;
    for code in codes {
        if !sold.contains(code) {
            return Err(EngineError::NotOnReceipt(*code));
        }
        if state
            .returned_line(&seller, sale_receipt_id, code)?
            .is_some()
        {
            return Err(EngineError::AlreadyReturned(*code));
        }
        let record = owned(state, seller, code)?;
        root(code, &record)?;
        let period_days = return_period_days(state, code)?;
        if period_days == 0 || i64::from(days_since_sale) > i64::from(period_days) {
            return Err(EngineError::ReturnPeriodOver(*code));
        }
    }
    allowed_in_subtrees(state, codes, Operation::RetailReturn)?;
    Ok(vec![Event::Returned {
        codes: codes.to_vec(),
        receipt_id: receipt_id.to_owned(),
        sale_receipt_id: sale_receipt_id.to_owned(),
    }])
}

/// The codes the sales receipt logged at `sequence` sold (its lines not refused).
fn sold_on_receipt(state: &State, sequence: u64) -> Result<HashSet<CodeKey>, EngineError> {
    match state.log_record(sequence)?.event {
        Event::Sold { sold, .. } => Ok(sold.into_iter().collect()),
        _ => Err(EngineError::Corrupt(format!(
            "the sales receipt at log entry {sequence} is not a sale"
        ))),
    }
}

/// How many days after its sale a code may come back: its product category's period; for a
/// transport package sold whole, the shortest period of what it holds (nothing: none).
fn return_period_days(state: &State, code: &CodeKey) -> Result<u32, EngineError> {
    match code {
        CodeKey::Item { gtin, .. } => {
            let product = state
                .product(gtin)?
                .ok_or(EngineError::UnknownProduct(*gtin))?;
            let category = state
                .category(&product.category)?
                .ok_or_else(|| EngineError::UnknownCategory(product.category.clone()))?;
            Ok(category.return_period_days)
        }
        CodeKey::Sscc(_) => {
            let children = state.children(code, tanba_types::limits::PACKAGE_CHILDREN_MAX)?;
            let mut shortest = None;
            for child in &children {
                let days = return_period_days(state, child)?;
                shortest = Some(shortest.map_or(days, |so_far: u32| so_far.min(days)));
            }
            Ok(shortest.unwrap_or(0))
        }
    }
}

/// Decides the registration of a fiscal data operator serving a seller (the registrar checked).
pub(crate) fn assign_fiscal_operator(
    state: &State,
    agency: &FiscalAgency,
) -> Result<Vec<Event>, EngineError> {
    let operator = acting_participant(state, Actor::Participant(agency.operator))
        .map_err(|_| EngineError::UnknownParticipant(agency.operator))?;
    if !operator.has_role(Role::FiscalDataOperator) {
        return Err(EngineError::RoleRequired(Role::FiscalDataOperator));
    }
    let seller = state
        .participant(&agency.seller)?
        .ok_or(EngineError::UnknownParticipant(agency.seller))?;
    if !seller.has_role(Role::Retailer) {
        return Err(EngineError::RoleRequired(Role::Retailer));
    }
    if agency
        .valid_until
        .is_some_and(|until| until < agency.valid_from)
    {
        return Err(EngineError::Invalid {
            field: "valid_until",
            reason: "must not be before valid_from",
        });
    }
    Ok(vec![Event::FiscalOperatorAssigned(agency.clone())])
}
