//! A code's card (its holder, a supervising role, or whoever markets the product may read it:
//! `service::codes::readable_card`), and, for an authority, blocking codes and lifting its own
//! blocks (R-IS-11) from the same page.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use tanba_engine::query::CodeCard;
use tanba_types::{CodeStatus, Participant, Role, WithdrawalReason};

use super::orders::product_name;
use super::{Form, Frame, Visit};
use crate::app::{App, Call};
use crate::error::ApiError;
use crate::service::codes;

/// A card as the page shows it.
struct CardView {
    code: String,
    status: String,
    owner: String,
    product: String,
    produced: String,
    expires: String,
    batch: String,
    blockers: Vec<String>,
    /// Each package it is in: its card's link and its code.
    parents: Vec<(String, String)>,
    contents: String,
}

#[derive(askama::Template)]
#[template(path = "console/code.html")]
struct CodePage {
    frame: Frame,
    csrf: String,
    asked: String,
    card: Option<CardView>,
    may_block: bool,
    done: Option<String>,
}

/// A status in words.
pub(super) fn status_words(frame: &Frame, status: CodeStatus) -> String {
    match status {
        CodeStatus::Emitted => frame.t("status-emitted"),
        CodeStatus::Applied => frame.t("status-applied"),
        CodeStatus::Introduced => frame.t("status-introduced"),
        CodeStatus::Withdrawn(reason) => {
            let reason = frame.t(match reason {
                WithdrawalReason::RetailSale => "withdrawal-retail-sale",
                WithdrawalReason::ExportToEaeu => "withdrawal-export-to-eaeu",
                WithdrawalReason::ExportOutsideEaeu => "withdrawal-export-outside-eaeu",
                WithdrawalReason::WriteOff => "withdrawal-write-off",
                WithdrawalReason::Destruction => "withdrawal-destruction",
                WithdrawalReason::RecallDisposal => "withdrawal-recall-disposal",
                WithdrawalReason::Confiscation => "withdrawal-confiscation",
            });
            frame.words.with("status-withdrawn", &[("reason", &reason)])
        }
    }
}

fn card_view(frame: &Frame, card: &CodeCard) -> CardView {
    let words = frame.words;
    let day =
        |date: Option<tanba_types::Date>| date.map(|date| words.date(date)).unwrap_or_default();
    CardView {
        code: card.code.to_string(),
        status: status_words(frame, card.status),
        owner: card.owner.to_string(),
        product: (card.product.as_ref())
            .map(|product| product_name(product, words.language))
            .unwrap_or_default(),
        produced: day(card.production_date),
        expires: day(card.expiry_date),
        batch: card.batch.clone().unwrap_or_default(),
        blockers: (card.blockers.iter())
            .map(|blocker| {
                let since = words.moment(blocker.since_ms);
                format!("{} — {} ({since})", blocker.authority, blocker.reason)
            })
            .collect(),
        parents: (card.parents.iter())
            .map(|parent| {
                let code = parent.to_string();
                (
                    format!("/console/codes?code={}", super::percent_encode(&code)),
                    code,
                )
            })
            .collect(),
        contents: words.with(
            "card-contents",
            &[
                ("units", &words.number(u64::from(card.contents[0]))),
                ("groups", &words.number(u64::from(card.contents[1]))),
                ("pallets", &words.number(u64::from(card.contents[2]))),
            ],
        ),
    }
}

/// The page, with the card of `asked` if one was asked for.
fn code_page(
    visit: &Visit,
    call: &mut Call<'_>,
    who: &Participant,
    asked: &str,
    done: Option<String>,
) -> Result<CodePage, ApiError> {
    let frame = visit.signed_in_frame("codes", who);
    let card = match asked.trim() {
        "" => None,
        code => Some(card_view(&frame, &codes::readable_card(call, code)?)),
    };
    Ok(CodePage {
        csrf: visit.csrf().to_owned(),
        asked: asked.trim().to_owned(),
        card,
        may_block: who.has_role(Role::Authority),
        done,
        frame,
    })
}

/// `GET /console/codes?code=...`.
pub async fn page(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, request: Request| {
        let who = call.participant()?;
        let asked = super::query_text(&request, "code");
        code_page(visit, call, &who, &asked, None)
    };
    super::serve(&app, &headers, request, "GET /console/codes", work).await
}

/// `POST /console/codes/block` and `/console/codes/unblock`: an authority's block of the codes
/// in the box, with its reason, or the lifting of its own block.
pub async fn block(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let lift = request.uri().path().ends_with("/unblock");
    let method = match lift {
        true => "POST /console/codes/unblock",
        false => "POST /console/codes/block",
    };
    let work = async |visit: &Visit, call: &mut Call<'_>, form: Form| {
        let who = call.participant()?;
        let listed = super::scanned_lines(form.field("codes"));
        let receipt = match lift {
            true => codes::unblock(call, &listed).await?,
            false => codes::block(call, &listed, form.field("reason").trim().to_owned()).await?,
        };
        let frame = visit.signed_in_frame("codes", &who);
        let done = frame.words.with(
            if lift { "block-lifted" } else { "block-done" },
            &[("sequence", &receipt.first_sequence.to_string())],
        );
        let first = listed.first().cloned().unwrap_or_default();
        code_page(visit, call, &who, &first, Some(done))
    };
    super::serve_form(&app, &headers, request, method, work).await
}
