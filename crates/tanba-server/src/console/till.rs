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

use super::sign_in::read_form;
use super::{Frame, Visit, form_field as field, scanned_lines};
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

/// A form's fields as pairs, its CSRF token checked.
async fn till_form(
    visit: &Visit,
    call: &mut Call<'_>,
    request: Request,
) -> Result<Vec<(String, String)>, ApiError> {
    call.participant()?;
    let pairs: Vec<(String, String)> = read_form(request).await?;
    visit.check_csrf(field(&pairs, "csrf"))?;
    Ok(pairs)
}

/// `GET /console/till`.
pub async fn page(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let visit = Visit::read(&app, &headers, &request);
    let mut call = visit.call(&app, "GET /console/till");
    let outcome = async {
        let who = call.participant()?;
        Ok(TillPage::new(&visit, visit.signed_in_frame("till", &who)))
    }
    .await;
    visit.answer(&app, call, outcome).await
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
    let visit = Visit::read(&app, &headers, &request);
    let mut call = visit.call(&app, "POST /console/till/check");
    let outcome = async {
        let pairs = till_form(&visit, &mut call, request).await?;
        let who = call.participant()?;
        let codes = scanned_lines(field(&pairs, "codes"));
        let checks = retail::check_before_sale(
            &mut call,
            Ok(TillCheck {
                seller: None,
                codes,
            }),
        )?;
        let mut page = TillPage::new(&visit, visit.signed_in_frame("till", &who));
        page.codes = field(&pairs, "codes").to_owned();
        page.checks = rows(&page.frame, checks);
        page.sellable = page.checks.iter().any(|row| row.sellable);
        Ok(page)
    }
    .await;
    visit.answer(&app, call, outcome).await
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
    let visit = Visit::read(&app, &headers, &request);
    let mut call = visit.call(&app, "POST /console/till/sell");
    let outcome = async {
        let pairs = till_form(&visit, &mut call, request).await?;
        let who = call.participant()?;
        let mut lines = Vec::new();
        for index in 0..RECEIPT_LINES_MAX {
            let code = field(&pairs, &format!("code-{index}"));
            if code.is_empty() {
                break;
            }
            let price = field(&pairs, &format!("price-{index}"));
            let price_tiyn = tiyn(price).ok_or_else(|| ApiError::invalid("price"))?;
            lines.push(ReceiptLine {
                code: code.to_owned(),
                price_tiyn,
            });
        }
        let receipt_id = field(&pairs, "receipt_id").to_owned();
        let receipt = SalesReceipt {
            receipt_id: receipt_id.clone(),
            seller: None,
            time_ms: call.app().now_ms(),
            lines,
        };
        let outcome = retail::submit_receipt(&mut call, Ok(receipt)).await?;
        let mut page = TillPage::new(&visit, visit.signed_in_frame("till", &who));
        page.outcome = Some(outcome_view(&page.frame, receipt_id, outcome));
        Ok(page)
    }
    .await;
    visit.answer(&app, call, outcome).await
}

/// `POST /console/till/return`: goods of one sale back on the shelf.
pub async fn give_back(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let visit = Visit::read(&app, &headers, &request);
    let mut call = visit.call(&app, "POST /console/till/return");
    let outcome = async {
        let pairs = till_form(&visit, &mut call, request).await?;
        let who = call.participant()?;
        let receipt_id = field(&pairs, "return_id").to_owned();
        let receipt = ReturnReceipt {
            receipt_id: receipt_id.clone(),
            sale_receipt_id: field(&pairs, "sale_receipt_id").trim().to_owned(),
            seller: None,
            codes: scanned_lines(field(&pairs, "codes")),
        };
        let outcome = retail::submit_return(&mut call, Ok(receipt)).await?;
        let mut page = TillPage::new(&visit, visit.signed_in_frame("till", &who));
        page.outcome = Some(outcome_view(&page.frame, receipt_id, outcome));
        Ok(page)
    }
    .await;
    visit.answer(&app, call, outcome).await
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
