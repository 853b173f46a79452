//! What authorities and the operator oversee: the audit trail searched by participant, code and
//! time, and the public's violation reports as a table and on a map of Kazakhstan drawn on the
//! server (SVG, no tiles fetched from anywhere).

use std::fmt::Write;
use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use tanba_types::{Date, TaxpayerId};

use super::{Frame, Visit};
use crate::app::{App, Call};
use crate::error::ApiError;
use crate::public::ViolationKind;
use crate::service::Page;
use crate::service::audit::{self, AuditSearch, ListedReport};

/// Audit records on one page.
pub const AUDIT_PAGE_RECORDS: u32 = 200;
/// Reports on one page (and on its map).
pub const REPORTS_PAGE_ENTRIES: u32 = 500;

/// An audit record as the page lists it.
struct AuditRow {
    sequence: u64,
    time: String,
    participant: String,
    client_ip: String,
    method: String,
    arguments: String,
    outcome: String,
}

#[derive(askama::Template)]
#[template(path = "console/audit.html")]
struct AuditPage {
    frame: Frame,
    participant: String,
    code: String,
    from: String,
    until: String,
    node: String,
    searched: bool,
    rows: Vec<AuditRow>,
    more: Option<String>,
}

/// A day typed as `YYYY-MM-DD`, as the unix milliseconds of its first moment in Kazakhstan.
fn day_start_ms(text: &str) -> Result<u64, ApiError> {
    let invalid = || ApiError::invalid("date");
    let mut parts = text.trim().splitn(3, '-').map(str::parse::<u32>);
    let (Some(Ok(year)), Some(Ok(month)), Some(Ok(day))) =
        (parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid());
    };
    let date = Date::from_ymd(year as i32, month, day).map_err(|_| invalid())?;
    let utc_ms = i64::from(date.days_since_epoch()) * 86_400_000;
    u64::try_from(utc_ms - tanba_types::date::KZ_UTC_OFFSET_MS).map_err(|_| invalid())
}

/// `GET /console/audit?participant=&code=&from=&until=&after=`.
pub async fn audit_page(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, request: Request| {
        let [participant, code, from, until, node] =
            ["participant", "code", "from", "until", "node"]
                .map(|name| super::query_text(&request, name));
        let after = super::query_number(&request, "after");
        let searched = (request.uri().query()).is_some_and(|query| query.contains("participant="));
        let who = call.participant_with(audit::AUDIT_READERS)?;
        let frame = visit.signed_in_frame("audit", &who);
        let mut rows = Vec::new();
        if searched {
            let search = AuditSearch {
                participant: match participant.trim() {
                    "" => Ok(None),
                    id => id
                        .parse::<TaxpayerId>()
                        .map(Some)
                        .map_err(|_| ApiError::invalid("participant")),
                },
                code: Some(code.trim().to_owned()).filter(|code| !code.is_empty()),
                from_ms: if from.trim().is_empty() {
                    0
                } else {
                    day_start_ms(&from)?
                },
                until_ms: if until.trim().is_empty() {
                    0
                } else {
                    day_start_ms(&until)? + 86_400_000
                },
                page: Page {
                    after,
                    limit: AUDIT_PAGE_RECORDS,
                },
                node: Some(node.trim().to_owned()).filter(|node| !node.is_empty()),
            };
            let query = audit::search(call, search)?;
            let store = call.app().engine.store().clone();
            let found = tokio::task::spawn_blocking(move || audit::records(store.as_ref(), &query))
                .await
                .map_err(|_| ApiError::internal())??;
            rows = found
                .into_iter()
                .map(|stored| {
                    let record = stored.record;
                    let mut arguments: Vec<String> =
                        record.codes.iter().map(ToString::to_string).collect();
                    arguments.extend(record.references);
                    AuditRow {
                        sequence: stored.sequence,
                        time: frame.words.moment(record.time_ms),
                        participant: record
                            .participant
                            .map(|id| id.to_string())
                            .unwrap_or_default(),
                        client_ip: record.client_ip.to_string(),
                        method: record.method,
                        arguments: arguments.join(", "),
                        outcome: record.error.unwrap_or_else(|| "OK".to_owned()),
                    }
                })
                .collect();
        }
        let more = (rows.len() == AUDIT_PAGE_RECORDS as usize).then(|| {
            let last = rows.last().map_or(0, |row| row.sequence);
            format!(
                "/console/audit?participant={}&code={}&from={}&until={}&node={}&after={last}",
                super::percent_encode(&participant),
                super::percent_encode(&code),
                super::percent_encode(&from),
                super::percent_encode(&until),
                super::percent_encode(&node)
            )
        });
        Ok(AuditPage {
            frame,
            participant,
            code,
            from,
            until,
            node,
            searched,
            rows,
            more,
        })
    };
    super::serve(&app, &headers, request, "GET /console/audit", work).await
}

/// A report as the page lists it.
struct ReportRow {
    id: u64,
    time: String,
    code: String,
    kind: String,
    comment: String,
    place: String,
    flagged: bool,
    /// Its photo's link, if it came with one.
    photo: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "console/reports.html")]
struct ReportsPage {
    frame: Frame,
    rows: Vec<ReportRow>,
    map: String,
    more: Option<String>,
}

fn kind_words(frame: &Frame, kind: ViolationKind) -> String {
    frame.t(match kind {
        ViolationKind::Counterfeit => "violation-counterfeit",
        ViolationKind::SoldAfterExpiry => "violation-sold-after-expiry",
        ViolationKind::NoCode => "violation-no-code",
        ViolationKind::Price => "violation-price",
        ViolationKind::Other => "violation-other",
    })
}

/// `GET /console/reports?after=N`.
pub async fn reports_page(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, request: Request| {
        let after = super::query_number(&request, "after");
        let who = call.participant_with(audit::AUDIT_READERS)?;
        let frame = visit.signed_in_frame("reports", &who);
        let page = Page {
            after,
            limit: REPORTS_PAGE_ENTRIES,
        };
        let reports = audit::violation_reports(call, None, page)?;
        let last = reports.last().map(|last| last.id);
        let more = super::more_link(
            "/console/reports",
            reports.len(),
            REPORTS_PAGE_ENTRIES,
            last,
        );
        let map = map_svg(&frame, &reports);
        let rows = reports
            .iter()
            .map(|listed| ReportRow {
                id: listed.id,
                time: frame.words.moment(listed.report.time_ms),
                code: listed
                    .report
                    .report
                    .code
                    .map(|code| code.to_string())
                    .unwrap_or_default(),
                kind: kind_words(&frame, listed.report.report.kind),
                comment: listed.report.report.comment.clone(),
                place: (listed.report.report.location)
                    .map(|place| {
                        let (lat, lon) = place.degrees();
                        format!("{lat:.4}, {lon:.4}")
                    })
                    .unwrap_or_default(),
                flagged: listed.code_flagged,
                photo: (listed.has_photo).then(|| format!("/console/reports/{}/photo", listed.id)),
            })
            .collect();
        Ok(ReportsPage {
            frame,
            rows,
            map,
            more,
        })
    };
    super::serve(&app, &headers, request, "GET /console/reports", work).await
}

/// The map's extent: Kazakhstan with a margin, degrees.
const LATITUDE_RANGE: (f64, f64) = (40.0, 56.0);
const LONGITUDE_RANGE: (f64, f64) = (46.0, 88.0);
/// The map's width in SVG units (its height follows the projection).
const MAP_WIDTH: f64 = 900.0;
/// Cities drawn for orientation: message id, latitude, longitude.
const CITIES: &[(&str, f64, f64)] = &[
    ("city-astana", 51.17, 71.43),
    ("city-almaty", 43.24, 76.89),
    ("city-shymkent", 42.32, 69.59),
    ("city-aktobe", 50.28, 57.17),
    ("city-atyrau", 47.09, 51.92),
    ("city-aktau", 43.65, 51.17),
    ("city-oskemen", 49.95, 82.61),
    ("city-pavlodar", 52.29, 76.97),
    ("city-karaganda", 49.81, 73.09),
    ("city-kostanay", 53.21, 63.62),
];

/// Where a point goes on the map (an equirectangular projection at Kazakhstan's middle
/// latitude), or none outside the extent.
fn project(latitude: f64, longitude: f64) -> Option<(f64, f64)> {
    let inside = (LATITUDE_RANGE.0..=LATITUDE_RANGE.1).contains(&latitude)
        && (LONGITUDE_RANGE.0..=LONGITUDE_RANGE.1).contains(&longitude);
    let scale = MAP_WIDTH / (LONGITUDE_RANGE.1 - LONGITUDE_RANGE.0);
    let stretch = 1.0 / 48f64.to_radians().cos();
    inside.then_some((
        (longitude - LONGITUDE_RANGE.0) * scale,
        (LATITUDE_RANGE.1 - latitude) * scale * stretch,
    ))
}

/// The reports with a location on a map: cities for orientation, a dot per report.
fn map_svg(frame: &Frame, reports: &[ListedReport]) -> String {
    let (_, height) = project(LATITUDE_RANGE.0, LONGITUDE_RANGE.0).unwrap_or((0.0, 0.0));
    let mut svg = String::with_capacity(4096);
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {MAP_WIDTH} {height:.0}\" role=\"img\" \
         aria-label=\"{}\" id=\"map\" class=\"map\"><rect width=\"{MAP_WIDTH}\" height=\"{height:.0}\" fill=\"#eef3f8\"/>",
        crate::page::escape(&frame.t("reports-map"))
    );
    for (id, latitude, longitude) in CITIES {
        if let Some((x, y)) = project(*latitude, *longitude) {
            let _ = write!(
                svg,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"#5b6570\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" fill=\"#5b6570\">{}</text>",
                x + 5.0,
                y + 4.0,
                crate::page::escape(&frame.t(id))
            );
        }
    }
    for listed in reports {
        let Some((latitude, longitude)) =
            listed.report.report.location.map(|place| place.degrees())
        else {
            continue;
        };
        if let Some((x, y)) = project(latitude, longitude) {
            let _ = write!(
                svg,
                "<circle class=\"report\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"6\" fill=\"#b3261e\" fill-opacity=\"0.7\"><title>{} {}</title></circle>",
                listed.id,
                crate::page::escape(&kind_words(frame, listed.report.report.kind))
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// `GET /console/reports/{id}/photo`: the photo a report came with (an image checked as one when
/// it came and again as it is read; shown inline, never cached).
pub async fn report_photo(
    State(app): State<Arc<App>>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |_: &Visit, call: &mut Call<'_>, _: Request| {
        let photo = audit::report_photo(call, id).await?;
        let headers = [(
            axum::http::header::CONTENT_TYPE,
            photo.format().content_type(),
        )];
        let body = photo.bytes().to_vec();
        Ok(super::Sent(axum::response::IntoResponse::into_response((
            headers, body,
        ))))
    };
    super::serve(
        &app,
        &headers,
        request,
        "GET /console/reports/{id}/photo",
        work,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_starts_at_midnight_in_kazakhstan() {
        // 2026-12-04 00:00 at UTC+5 is 2026-12-03 19:00 UTC.
        assert_eq!(day_start_ms("2026-12-04").unwrap(), 1_796_324_400_000);
        assert!(day_start_ms("2026-13-01").is_err());
        assert!(day_start_ms("yesterday").is_err());
    }

    #[test]
    fn the_map_keeps_astana_north_of_almaty_and_drops_what_is_outside() {
        let (_, astana) = project(51.17, 71.43).unwrap();
        let (_, almaty) = project(43.24, 76.89).unwrap();
        assert!(astana < almaty);
        assert_eq!(project(55.75, 37.62), None, "Moscow is off this map");
    }
}
