//! A producer's or importer's code orders: the list with each order's progress, the form to
//! order codes, an order's page (refreshing itself while codes are being issued), the codes as
//! a text file, and printable labels: one label as SVG, and PDF sheets in the layouts of
//! `tanba_label`. Tails are the orderer's alone (`service::emission::order_to_print`).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tanba_engine::query::OrderView;
use tanba_label::{LABELS_PER_PDF_MAX, LAYOUTS, Label, Layout};
use tanba_types::{Gtin, Language, Product};

use super::{Form, Frame, GoTo, Sent, Visit};
use crate::app::{App, Call};
use crate::error::ApiError;
use crate::service::{self, Page, emission};

/// Orders on one page of the list.
pub const ORDERS_PAGE_ENTRIES: u32 = 50;
/// Seconds between refreshes of an order's page while its codes are being issued.
pub const ORDER_REFRESH_SECONDS: u32 = 2;
/// Codes a label weighs against its participant's rate (encoding and drawing a symbol is about
/// the work of that many codes in a command).
pub const LABEL_RATE_WEIGHT_CODES: usize = 10;
/// Labels a sheet request asks for when it names no count: one A4 sheet of the small size.
pub const LABELS_DEFAULT: u32 = 40;

/// An order as the pages show it.
pub struct OrderRow {
    id: u64,
    gtin: String,
    product: String,
    issued: u32,
    quantity: u32,
    progress: String,
    placed: String,
    complete: bool,
}

impl OrderRow {
    fn of(order: &OrderView, product: Option<&Product>, frame: &Frame) -> OrderRow {
        let words = frame.words;
        OrderRow {
            id: order.id,
            gtin: order.gtin.to_string(),
            product: product
                .map(|card| product_name(card, words.language))
                .unwrap_or_default(),
            issued: order.issued,
            quantity: order.quantity,
            progress: words.with(
                "order-progress",
                &[
                    ("issued", &words.number(u64::from(order.issued))),
                    (
                        "quantity",
                        &words.count("codes-count", u64::from(order.quantity)),
                    ),
                ],
            ),
            placed: words.moment(order.placed_ms),
            complete: order.is_complete(),
        }
    }
}

/// A product's name in `language` (English falls back to Russian).
pub fn product_name(product: &Product, language: Language) -> String {
    match language {
        Language::Kk => product.names.kk.clone(),
        Language::Ru => product.names.ru.clone(),
        Language::En => product
            .names
            .en
            .clone()
            .unwrap_or_else(|| product.names.ru.clone()),
    }
}

#[derive(askama::Template)]
#[template(path = "console/orders.html")]
struct OrdersPage {
    frame: Frame,
    csrf: String,
    orders: Vec<OrderRow>,
    more: Option<String>,
    /// The products of the orders listed (GTIN, name), offered in the form.
    known: Vec<(String, String)>,
    quantity_max: u32,
}

/// The rows of `orders`, each with its product's name.
fn rows(
    call: &mut Call<'_>,
    orders: &[OrderView],
    frame: &Frame,
) -> Result<Vec<OrderRow>, ApiError> {
    let gtins: Vec<Gtin> = orders.iter().map(|order| order.gtin).collect();
    let products = service::registry::products(call, &gtins)?;
    Ok(orders
        .iter()
        .zip(&products)
        .map(|(order, product)| OrderRow::of(order, product.as_ref(), frame))
        .collect())
}

/// `GET /console/orders?after=N`.
pub async fn list(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, request: Request| {
        let after = super::query_number(&request, "after");
        let who = call.participant()?;
        let page = Page {
            after,
            limit: ORDERS_PAGE_ENTRIES,
        };
        let orders = emission::orders(call, page)?;
        let frame = visit.signed_in_frame("orders", &who);
        let last = orders.last().map(|order| order.id);
        let more = super::more_link("/console/orders", orders.len(), ORDERS_PAGE_ENTRIES, last);
        let orders = rows(call, &orders, &frame)?;
        let mut known: Vec<(String, String)> = (orders.iter())
            .map(|order| (order.gtin.clone(), order.product.clone()))
            .collect();
        known.sort();
        known.dedup();
        Ok(OrdersPage {
            csrf: visit.csrf().to_owned(),
            orders,
            known,
            more,
            quantity_max: tanba_types::limits::ORDER_QUANTITY_MAX,
            frame,
        })
    };
    super::serve(&app, &headers, request, "GET /console/orders", work).await
}

/// `POST /console/orders`: orders codes, then shows the new order.
pub async fn order(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let work = async |_: &Visit, call: &mut Call<'_>, form: Form| {
        let gtin =
            (form.field("gtin").trim().parse::<Gtin>()).map_err(|_| ApiError::invalid("gtin"));
        let quantity = (form.field("quantity").trim().parse::<u32>())
            .map_err(|_| ApiError::invalid("quantity"))?;
        let created = emission::order_codes(call, gtin, quantity).await?;
        Ok(GoTo(format!("/console/orders/{}", created.id)))
    };
    super::serve_form(&app, &headers, request, "POST /console/orders", work).await
}

/// A label layout as the form offers it.
struct LayoutChoice {
    id: &'static str,
    label: String,
}

#[derive(askama::Template)]
#[template(path = "console/order.html")]
struct OrderPage {
    frame: Frame,
    order: OrderRow,
    refresh_seconds: Option<u32>,
    layouts: Vec<LayoutChoice>,
    labels_default: u32,
    labels_max: usize,
    first_label: Option<String>,
}

/// `GET /console/orders/{id}`: an order, its progress, its downloads and labels.
pub async fn show(
    State(app): State<Arc<App>>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, _: Request| {
        let who = call.participant()?;
        let order = emission::order_to_print(call, id)?;
        let frame = visit.signed_in_frame("orders", &who);
        let row = rows(call, std::slice::from_ref(&order), &frame)?.remove(0);
        let layouts = LAYOUTS
            .iter()
            .map(|layout| LayoutChoice {
                id: layout.id,
                label: frame.t(&format!("layout-{}", layout.id)),
            })
            .collect();
        Ok(OrderPage {
            refresh_seconds: (!row.complete).then_some(ORDER_REFRESH_SECONDS),
            first_label: (order.issued > 0)
                .then(|| format!("/console/orders/{id}/labels/0.svg?layout={}", LAYOUTS[0].id)),
            order: row,
            layouts,
            labels_default: LABELS_DEFAULT,
            labels_max: LABELS_PER_PDF_MAX,
            frame,
        })
    };
    super::serve(&app, &headers, request, "GET /console/orders/{id}", work).await
}

/// `GET /console/orders/{id}/codes.txt`: every issued code with its tail, one per line, as
/// printers' label software takes them (GS inside), streamed.
pub async fn codes(
    State(app): State<Arc<App>>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |_: &Visit, call: &mut Call<'_>, _: Request| {
        let order = emission::order_to_print(call, id)?;
        let pages = emission::printable_pages(app.clone(), &order, 0);
        let text = tokio_stream::StreamExt::map(pages, |page| {
            page.map(|codes| {
                let mut chunk = String::with_capacity(codes.len() * 160);
                for code in codes {
                    chunk.push_str(&code.raw);
                    chunk.push('\n');
                }
                axum::body::Bytes::from(chunk)
            })
            .map_err(std::io::Error::other)
        });
        let disposition = format!("attachment; filename=\"order-{id}.txt\"");
        let headers = [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ];
        Ok(Sent((headers, Body::from_stream(text)).into_response()))
    };
    let method = "GET /console/orders/{id}/codes.txt";
    super::serve(&app, &headers, request, method, work).await
}

#[derive(Deserialize)]
struct LabelsQuery {
    #[serde(default)]
    layout: String,
    #[serde(default)]
    from: u32,
    #[serde(default)]
    count: Option<u32>,
}

impl LabelsQuery {
    fn read(request: &Request) -> Result<LabelsQuery, ApiError> {
        serde_urlencoded::from_str(request.uri().query().unwrap_or_default())
            .map_err(|_| ApiError::invalid("labels"))
    }

    fn layout(&self) -> Result<&'static Layout, ApiError> {
        Layout::named(&self.layout).ok_or_else(|| ApiError::invalid("layout"))
    }
}

/// The labels of an order's codes `from`, `count` of them (the orderer's own).
fn labels(call: &mut Call<'_>, id: u64, from: u32, count: u32) -> Result<Vec<Label>, ApiError> {
    let order = emission::order_to_print(call, id)?;
    if count as usize > LABELS_PER_PDF_MAX {
        return Err(ApiError::too_many("labels", LABELS_PER_PDF_MAX));
    }
    // Drawing labels is work the server does for the caller: weighed against its rate, so a
    // participant asking for sheet after sheet waits its turn like one sending big commands.
    call.charge_codes(count as usize * LABEL_RATE_WEIGHT_CODES)?;
    let codes = emission::codes_to_print(call.app(), order.id, from, count as usize)?;
    Ok(codes.into_iter().map(|code| label_of(&code.raw)).collect())
}

/// A code's label: the symbol carries the element string, the lines say GTIN and serial.
fn label_of(raw: &str) -> Label {
    let parsed = tanba_gs1::MarkingCode::parse(raw, &tanba_gs1::ParseOptions::default()).ok();
    let lines = parsed
        .map(|code| {
            vec![
                format!("(01) {}", code.gtin().unwrap_or_default()),
                format!("(21) {}", code.serial().unwrap_or_default()),
            ]
        })
        .unwrap_or_default();
    Label {
        data: raw.to_owned(),
        lines,
    }
}

fn label_error(error: tanba_label::LabelError) -> ApiError {
    ApiError::invalid(error.code())
}

/// `GET /console/orders/{id}/labels/{index}.svg?layout=...`: one code's label.
pub async fn label_svg(
    State(app): State<Arc<App>>,
    Path((id, file)): Path<(u64, String)>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |_: &Visit, call: &mut Call<'_>, request: Request| {
        let query = LabelsQuery::read(&request)?;
        let index = (file.strip_suffix(".svg"))
            .and_then(|index| index.parse::<u32>().ok())
            .ok_or_else(|| ApiError::not_found(file.clone()))?;
        let layout = query.layout()?;
        let label = labels(call, id, index, 1)?
            .pop()
            .ok_or_else(|| ApiError::not_found(index.to_string()))?;
        let svg = tanba_label::svg(&label, layout).map_err(label_error)?;
        Ok(Sent(
            ([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response(),
        ))
    };
    let method = "GET /console/orders/{id}/labels/{index}.svg";
    super::serve(&app, &headers, request, method, work).await
}

/// `GET /console/orders/{id}/labels.pdf?layout=...&from=N&count=M`: a PDF of labels.
pub async fn labels_pdf(
    State(app): State<Arc<App>>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |_: &Visit, call: &mut Call<'_>, request: Request| {
        let query = LabelsQuery::read(&request)?;
        let layout = query.layout()?;
        let count = query.count.unwrap_or(LABELS_DEFAULT);
        let sheet = labels(call, id, query.from, count)?;
        let drawn = tokio::task::spawn_blocking(move || tanba_label::pdf(&sheet, layout))
            .await
            .map_err(|_| ApiError::internal())?;
        let pdf = drawn.map_err(label_error)?;
        let disposition = format!("inline; filename=\"order-{id}-labels.pdf\"");
        let headers = [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ];
        Ok(Sent((StatusCode::OK, headers, pdf).into_response()))
    };
    let method = "GET /console/orders/{id}/labels.pdf";
    super::serve(&app, &headers, request, method, work).await
}
