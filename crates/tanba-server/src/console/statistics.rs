//! Owners' statistics in the console (R-IS-14): stock now by status, flows per day and the
//! products held most, as charts drawn on the server ([`super::charts`]) with the same figures
//! in tables. A holder of goods sees its own; an authority, a ministry or the operator any
//! owner's (`?owner=`), by the rule of `service::statistics`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use tanba_engine::query;
use tanba_engine::statistics::{Flow, OwnerStatistics, STATUSES, status_at, status_index};
use tanba_types::{Date, Gtin};

use super::charts::{self, Bar, Series};
use super::codes::status_words;
use super::orders::product_name;
use super::{Frame, Visit, query_text};
use crate::app::{App, Call};
use crate::error::ApiError;
use crate::service::{SUPERVISING_ROLES, statistics as service};

/// Products the "held most" chart shows.
pub const TOP_PRODUCTS: usize = 10;

/// A row of the flows table: a day, or a product, with a figure per flow shown.
struct FlowsRow {
    name: String,
    counts: Vec<String>,
}

#[derive(askama::Template)]
#[template(path = "console/statistics.html")]
struct StatisticsPage {
    frame: Frame,
    /// The form as filled in.
    owner: String,
    from: String,
    to: String,
    gtin: String,
    may_ask_others: bool,
    /// Whose figures, over which days, in words.
    heading: String,
    stock_chart: String,
    stock_rows: Vec<(String, String, String)>,
    flows_chart: String,
    flow_names: Vec<String>,
    day_rows: Vec<FlowsRow>,
    top_chart: String,
    truncated: bool,
}

/// `GET /console/statistics?owner=&from=&to=&gtin=`.
pub async fn page(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, request: Request| {
        let who = call.participant()?;
        // Read before the first await: a request is not `Sync`, so no borrow of it may cross one.
        let [owner, from, to, gtin] = ["owner", "from", "to", "gtin"]
            .map(|name| query_text(&request, name).trim().to_owned());
        drop(request);
        let ask = service::StatisticsAsk {
            owner: optional(&owner, "owner")?,
            from: optional(&from, "from")?,
            to: optional(&to, "to")?,
            gtin: optional::<Gtin>(&gtin, "gtin")?,
        };
        let answer = service::owner_statistics(call, ask).await?;
        let frame = visit.signed_in_frame("statistics", &who);
        let may_ask_others = SUPERVISING_ROLES.iter().any(|role| who.has_role(*role));
        let top = top_products(&answer.figures);
        let names = product_names(call, &top, &frame)?;
        let top = top.into_iter().map(|(_, codes)| codes).zip(names).collect();
        Ok(statistics_page(
            frame,
            &answer,
            top,
            may_ask_others,
            [owner, gtin],
        ))
    };
    super::serve(&app, &headers, request, "GET /console/statistics", work).await
}

/// A form field that is empty or reads as `T`.
fn optional<T: std::str::FromStr>(text: &str, field: &str) -> Result<Option<T>, ApiError> {
    match text {
        "" => Ok(None),
        text => text.parse().map(Some).map_err(|_| ApiError::invalid(field)),
    }
}

/// The products an owner holds most now (not withdrawn), at most [`TOP_PRODUCTS`], with
/// their codes.
fn top_products(figures: &OwnerStatistics) -> Vec<(Option<Gtin>, u64)> {
    let mut held: BTreeMap<Option<Gtin>, u64> = BTreeMap::new();
    for row in &figures.stock {
        if !matches!(row.status, tanba_types::CodeStatus::Withdrawn(_)) {
            *held.entry(row.gtin).or_default() += row.codes;
        }
    }
    let mut top: Vec<(Option<Gtin>, u64)> = held.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    top.truncate(TOP_PRODUCTS);
    top
}

/// The names of the top products in the page's language (transport packages have a name of
/// their own; a product without a card is shown by its GTIN): a read each, at most
/// [`TOP_PRODUCTS`].
fn product_names(
    call: &Call<'_>,
    top: &[(Option<Gtin>, u64)],
    frame: &Frame,
) -> Result<Vec<String>, ApiError> {
    let snapshot = call.app().engine.snapshot();
    top.iter()
        .map(|(gtin, _)| {
            Ok(match gtin {
                None => frame.t("statistics-transport"),
                Some(gtin) => match query::product(snapshot.as_ref(), gtin)? {
                    Some(product) => {
                        format!("{} ({gtin})", product_name(&product, frame.words.language))
                    }
                    None => gtin.to_string(),
                },
            })
        })
        .collect()
}

fn statistics_page(
    frame: Frame,
    answer: &service::StatisticsAnswer,
    top: Vec<(u64, String)>,
    may_ask_others: bool,
    [owner, gtin]: [String; 2],
) -> StatisticsPage {
    let words = frame.words;
    let figures = &answer.figures;
    let mut by_status = [(0u64, 0u64); STATUSES];
    for row in &figures.stock {
        let slot = &mut by_status[status_index(row.status)];
        slot.0 += row.codes;
        slot.1 += row.blocked;
    }
    let stock: Vec<(String, u64, u64)> = (by_status.iter().enumerate())
        .filter(|(_, (codes, _))| *codes > 0)
        .map(|(index, (codes, blocked))| (status_words(&frame, status_at(index)), *codes, *blocked))
        .collect();
    let blocked_words = |codes: u64, blocked: u64| match blocked {
        0 => words.number(codes),
        _ => words.with(
            "statistics-with-blocked",
            &[
                ("codes", &words.number(codes)),
                ("blocked", &words.number(blocked)),
            ],
        ),
    };
    let stock_bars: Vec<Bar> = (stock.iter())
        .map(|(label, codes, blocked)| Bar {
            label: label.clone(),
            value: *codes,
            part: *blocked,
            value_text: blocked_words(*codes, *blocked),
        })
        .collect();
    let top_bars: Vec<Bar> = (top.into_iter())
        .map(|(codes, label)| Bar {
            label,
            value: codes,
            part: 0,
            value_text: words.number(codes),
        })
        .collect();
    let (flows_chart, flow_names, day_rows) = flows_view(&frame, answer);
    let heading = words.with(
        "statistics-heading",
        &[
            ("owner", &answer.owner.to_string()),
            ("from", &words.date(answer.from)),
            ("to", &words.date(answer.to)),
        ],
    );
    StatisticsPage {
        owner,
        from: answer.from.to_string(),
        to: answer.to.to_string(),
        gtin,
        may_ask_others,
        heading,
        stock_chart: charts::bars(&frame.t("statistics-stock"), &stock_bars),
        stock_rows: (stock.iter())
            .map(|(label, codes, blocked)| {
                (label.clone(), words.number(*codes), words.number(*blocked))
            })
            .collect(),
        flows_chart,
        flow_names,
        day_rows,
        top_chart: charts::bars(&frame.t("statistics-top"), &top_bars),
        truncated: figures.truncated,
        frame,
    }
}

/// The flows per day: a stacked column per day of the period (days without any flow too, so
/// the time axis is even), a series per flow that happened, and the table of the days that had
/// any.
fn flows_view(
    frame: &Frame,
    answer: &service::StatisticsAnswer,
) -> (String, Vec<String>, Vec<FlowsRow>) {
    let words = frame.words;
    let first = answer.from.days_since_epoch();
    let days = usize::try_from(answer.to.days_since_epoch() - first + 1).unwrap_or(0);
    let mut grid = vec![[0u64; Flow::ALL.len()]; days];
    for row in &answer.figures.flows {
        let Ok(day) = usize::try_from(row.day.days_since_epoch() - first) else {
            continue;
        };
        if let (Some(slot), Some(flow)) = (
            grid.get_mut(day),
            Flow::ALL.iter().position(|f| *f == row.flow),
        ) {
            slot[flow] += row.codes;
        }
    }
    let shown: Vec<usize> = (0..Flow::ALL.len())
        .filter(|flow| grid.iter().any(|day| day[*flow] > 0))
        .collect();
    let flow_names: Vec<String> = (shown.iter())
        .map(|flow| {
            frame.t(&format!(
                "flow-{}",
                Flow::ALL[*flow].name().replace('_', "-")
            ))
        })
        .collect();
    let labels: Vec<String> = (0..days)
        .map(|day| Date::from_days_since_epoch(first + day as i32).to_string())
        .collect();
    let series: Vec<Series> = (shown.iter().zip(&flow_names))
        .map(|(flow, name)| Series {
            name: name.clone(),
            values: grid.iter().map(|day| day[*flow]).collect(),
        })
        .collect();
    let chart = charts::stacked_columns(&frame.t("statistics-flows"), &labels, &series, |value| {
        words.number(value)
    });
    let rows = (grid.iter().enumerate())
        .filter(|(_, counts)| counts.iter().any(|count| *count > 0))
        .map(|(day, counts)| FlowsRow {
            name: words.date(Date::from_days_since_epoch(first + day as i32)),
            counts: shown
                .iter()
                .map(|flow| words.number(counts[*flow]))
                .collect(),
        })
        .collect();
    (chart, flow_names, rows)
}
