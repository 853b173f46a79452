//! The shop's till in the browser, for a shop without a fiscal data operator's till software:
//! codes scanned into a box (a scanner types each and presses Enter), checked before sale by
//! the engine's own rules, sold on a receipt with a price per line, and returned against the
//! sale's receipt. No script is needed. Each receipt's id is made when its form is shown, so a
//! form sent twice records one receipt (the second answer is the first's, marked a duplicate).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use rand_core::OsRng;
use tanba_types::limits::RECEIPT_LINES_MAX;

use super::{Form, Frame, Visit, scanned_lines};
use crate::app::{App, Call};
use crate::error::ApiError;
use crate::service::retail::{
    self, ReceiptLine, ReceiptOutcome, ReturnReceipt, SaleCheck, SalesReceipt, TillCheck,
};
use crate::session::random_hex;

/// Tiyn in a tenge.
const TIYN_PER_TENGE: u64 = 100;

/// A checked code as the till shows it.
struct CheckRow {
    index: usize,
    code: String,
    sellable: bool,
    verdict: String,
}

/// What became of a receipt, as the till shows it.
struct OutcomeView {
    receipt_id: String,
    line: String,
    refused: Vec<(String, String)>,
}

#[derive(askama::Template)]
#[template(path = "console/till.html")]
struct TillPage {
    frame: Frame,
    csrf: String,
    codes: String,
    checks: Vec<CheckRow>,
    sellable: bool,
    receipt_id: String,
    return_id: String,
    outcome: Option<OutcomeView>,
}

impl TillPage {
    fn new(visit: &Visit, frame: Frame) -> TillPage {
        TillPage {
            frame,
            csrf: visit.csrf().to_owned(),
            codes: String::new(),
            checks: Vec::new(),
            sellable: false,
            receipt_id: receipt_id(),
            return_id: receipt_id(),
            outcome: None,
        }
    }
}

/// A fresh receipt id for a form.
fn receipt_id() -> String {
    format!("WEB-{}", &random_hex(&mut OsRng)[..24])
}

/// A price in tenge as typed (`209`, `209.5`, `209,50`) in tiyn.
fn tiyn(text: &str) -> Option<u64> {
    let text = text.trim().replace(',', ".");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty()
        || fraction.len() > 2
        || !(whole.chars().chain(fraction.chars())).all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let fraction: u64 = format!("{fraction:0<2}").parse().ok()?;
    whole
        .parse::<u64>()
        .ok()?
        .checked_mul(TIYN_PER_TENGE)?
        .checked_add(fraction)
}

/// `GET /console/till`.
pub async fn page(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, _: Request| {
        let who = call.participant()?;
        Ok(TillPage::new(visit, visit.signed_in_frame("till", &who)))
    };
    super::serve(&app, &headers, request, "GET /console/till", work).await
}

/// The rows of a check.
fn rows(frame: &Frame, checks: Vec<SaleCheck>) -> Vec<CheckRow> {
    checks
        .into_iter()
        .enumerate()
        .map(|(index, check)| CheckRow {
            index,
            verdict: match (check.sellable, check.refusal_message) {
                (true, _) => frame.t("till-sellable"),
                (false, Some(message)) => message,
                (false, None) => frame.t("till-not-sellable"),
            },
            sellable: check.sellable,
            code: check.code,
        })
        .collect()
}

/// `POST /console/till/check`: the codes in the box, checked before sale.
pub async fn check(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, form: Form| {
        let who = call.participant()?;
        let codes = scanned_lines(form.field("codes"));
        let checks = retail::check_before_sale(
            call,
            Ok(TillCheck {
                seller: None,
                codes,
            }),
        )?;
        let mut page = TillPage::new(visit, visit.signed_in_frame("till", &who));
        page.codes = form.field("codes").to_owned();
        page.checks = rows(&page.frame, checks);
        page.sellable = page.checks.iter().any(|row| row.sellable);
        Ok(page)
    };
    super::serve_form(&app, &headers, request, "POST /console/till/check", work).await
}

/// The till's words for a receipt's outcome.
fn outcome_view(frame: &Frame, receipt_id: String, outcome: ReceiptOutcome) -> OutcomeView {
    let id = if outcome.duplicate {
        "till-duplicate"
    } else {
        "till-recorded"
    };
    OutcomeView {
        line: frame
            .words
            .with(id, &[("sequence", &outcome.sequence.to_string())]),
        receipt_id,
        refused: outcome
            .refused_lines
            .into_iter()
            .map(|line| (line.code, line.refusal_message))
            .collect(),
    }
}

/// `POST /console/till/sell`: the checked codes with their prices, on one receipt.
pub async fn sell(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, form: Form| {
        let who = call.participant()?;
        let mut lines = Vec::new();
        for index in 0..RECEIPT_LINES_MAX {
            let code = form.field(&format!("code-{index}"));
            if code.is_empty() {
                break;
            }
            let price = form.field(&format!("price-{index}"));
            let price_tiyn = tiyn(price).ok_or_else(|| ApiError::invalid("price"))?;
            lines.push(ReceiptLine {
                code: code.to_owned(),
                price_tiyn,
            });
        }
        let receipt_id = form.field("receipt_id").to_owned();
        let receipt = SalesReceipt {
            receipt_id: receipt_id.clone(),
            seller: None,
            time_ms: call.app().now_ms(),
            lines,
        };
        let outcome = retail::submit_receipt(call, Ok(receipt)).await?;
        let mut page = TillPage::new(visit, visit.signed_in_frame("till", &who));
        page.outcome = Some(outcome_view(&page.frame, receipt_id, outcome));
        Ok(page)
    };
    super::serve_form(&app, &headers, request, "POST /console/till/sell", work).await
}

/// `POST /console/till/return`: goods of one sale back on the shelf.
pub async fn give_back(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, form: Form| {
        let who = call.participant()?;
        let receipt_id = form.field("return_id").to_owned();
        let receipt = ReturnReceipt {
            receipt_id: receipt_id.clone(),
            sale_receipt_id: form.field("sale_receipt_id").trim().to_owned(),
            seller: None,
            codes: scanned_lines(form.field("codes")),
        };
        let outcome = retail::submit_return(call, Ok(receipt)).await?;
        let mut page = TillPage::new(visit, visit.signed_in_frame("till", &who));
        page.outcome = Some(outcome_view(&page.frame, receipt_id, outcome));
        Ok(page)
    };
    super::serve_form(&app, &headers, request, "POST /console/till/return", work).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_read_in_tenge_to_the_tiyn() {
        assert_eq!(tiyn("209"), Some(20_900));
        assert_eq!(tiyn("209.5"), Some(20_950));
        assert_eq!(tiyn(" 209,05 "), Some(20_905));
        for bad in [
            "",
            "-1",
            "1.234",
            "1e3",
            "abc",
            ".5",
            "99999999999999999999",
        ] {
            assert_eq!(tiyn(bad), None, "{bad}");
        }
    }
}

/// Receipts on one page of the list.
pub const RECEIPTS_PAGE_ENTRIES: u32 = 50;

/// A receipt as the list shows it.
struct ReceiptRow {
    receipt_id: String,
    recorded: String,
    kind: String,
    codes: String,
    total: String,
    refused: usize,
}

#[derive(askama::Template)]
#[template(path = "console/receipts.html")]
struct ReceiptsPage {
    frame: Frame,
    receipts: Vec<ReceiptRow>,
    more: Option<String>,
}

/// Tiyn as tenge, two decimals.
fn tenge(tiyn: u64) -> String {
    format!("{}.{:02}", tiyn / 100, tiyn % 100)
}

/// `GET /console/receipts?after=N`: the shop's receipts, sales and returns, oldest first.
pub async fn receipts(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, request: Request| {
        let after = super::query_number(&request, "after");
        let page = crate::service::Page {
            after,
            limit: RECEIPTS_PAGE_ENTRIES,
        };
        let found = retail::receipts(call, page)?;
        let who = call.participant()?;
        let frame = visit.signed_in_frame("receipts", &who);
        let words = frame.words;
        let last = found.last().map(|receipt| receipt.sequence);
        let more = super::more_link(
            "/console/receipts",
            found.len(),
            RECEIPTS_PAGE_ENTRIES,
            last,
        );
        let receipts = (found.into_iter())
            .map(|receipt| ReceiptRow {
                kind: match &receipt.sale_receipt_id {
                    None => frame.t("receipt-sale"),
                    Some(sale) => words.with("receipt-return", &[("sale", sale)]),
                },
                receipt_id: receipt.receipt_id,
                recorded: words.moment(receipt.recorded_ms),
                codes: words.number(receipt.codes as u64),
                total: tenge(receipt.total_tiyn),
                refused: receipt.refused,
            })
            .collect();
        Ok(ReceiptsPage {
            receipts,
            more,
            frame,
        })
    };
    super::serve(&app, &headers, request, "GET /console/receipts", work).await
}
