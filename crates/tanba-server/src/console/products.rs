//! A producer's or importer's product cards (R-IS-02): the cards it markets, a card registered
//! and changed through a form, the same commands as over gRPC (the engine checks the GTIN, the
//! HS code, the category and who may market it).

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use tanba_types::{Gtin, HsCode, Names, PackageLevel, Product, Role};

use super::{Form, Frame, GoTo, Visit};
use crate::app::{App, Call};
use crate::error::ApiError;
use crate::service::registry;

/// Cards on one page of the list.
pub const PRODUCTS_PAGE_ENTRIES: u32 = 50;

/// A card as the pages show it and its form takes it.
struct ProductView {
    gtin: String,
    name_kk: String,
    name_ru: String,
    name_en: String,
    /// The name in the page's language.
    name: String,
    producer_name: String,
    country: String,
    hs_code: String,
    category: String,
    group: bool,
    shelf_life_days: String,
}

fn view(frame: &Frame, product: &Product) -> ProductView {
    ProductView {
        gtin: product.gtin.as_str().to_owned(),
        name: super::orders::product_name(product, frame.words.language),
        name_kk: product.names.kk.clone(),
        name_ru: product.names.ru.clone(),
        name_en: product.names.en.clone().unwrap_or_default(),
        producer_name: product.producer_name.clone(),
        country: product.country.clone(),
        hs_code: product.hs_code.to_string(),
        category: product.category.clone(),
        group: product.level == PackageLevel::Group,
        shelf_life_days: (product.shelf_life_days.map(|days| days.to_string())).unwrap_or_default(),
    }
}

#[derive(askama::Template)]
#[template(path = "console/products.html")]
struct ProductsPage {
    frame: Frame,
    csrf: String,
    products: Vec<ProductView>,
    more: Option<String>,
    /// The card shown in the form: one to change, or a blank one to register.
    editing: Option<ProductView>,
}

/// `GET /console/products?after=N&gtin=G`: the cards the participant markets, and the form
/// of a new card or (with `gtin`) of one to change.
pub async fn page(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, request: Request| {
        let after = super::query_number(&request, "after");
        let editing = super::query_text(&request, "gtin");
        let found = registry::my_products(call, after, PRODUCTS_PAGE_ENTRIES)?;
        let who = call.participant()?;
        let frame = visit.signed_in_frame("products", &who);
        let editing = match editing.trim() {
            "" => None,
            gtin => {
                let gtin = gtin.parse::<Gtin>().map_err(|_| ApiError::invalid("gtin"));
                Some(view(&frame, &registry::product(call, gtin)?))
            }
        };
        let last = found
            .last()
            .map(|product| tanba_engine::keys::gtin_number(&product.gtin));
        let more = super::more_link(
            "/console/products",
            found.len(),
            PRODUCTS_PAGE_ENTRIES,
            last,
        );
        Ok(ProductsPage {
            csrf: visit.csrf().to_owned(),
            products: found.iter().map(|product| view(&frame, product)).collect(),
            more,
            editing,
            frame,
        })
    };
    super::serve(&app, &headers, request, "GET /console/products", work).await
}

/// The card a form describes, marketed by the caller (as producer, or as importer).
fn product(form: &Form, who: &tanba_types::Participant) -> Result<Product, ApiError> {
    let text = |name: &str| form.field(name).trim().to_owned();
    let importer = who.has_role(Role::Importer) && !who.has_role(Role::Producer);
    Ok(Product {
        gtin: text("gtin")
            .parse()
            .map_err(|_| ApiError::invalid("gtin"))?,
        names: Names {
            kk: text("name_kk"),
            ru: text("name_ru"),
            en: Some(text("name_en")).filter(|name| !name.is_empty()),
        },
        producer_name: text("producer_name"),
        producer: (!importer).then_some(who.id),
        importer: importer.then_some(who.id),
        country: text("country"),
        hs_code: HsCode::parse(&text("hs_code")).map_err(|_| ApiError::invalid("hs_code"))?,
        category: text("category"),
        level: match form.field("level") {
            "group" => PackageLevel::Group,
            _ => PackageLevel::Unit,
        },
        shelf_life_days: match text("shelf_life_days").as_str() {
            "" => None,
            days => Some(
                days.parse()
                    .map_err(|_| ApiError::invalid("shelf_life_days"))?,
            ),
        },
    })
}

/// `POST /console/products/{action}`: `register` a card or `update` one.
pub async fn save(
    State(app): State<Arc<App>>,
    Path(action): Path<String>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |_: &Visit, call: &mut Call<'_>, form: Form| {
        let who = call.participant()?;
        let card = product(&form, &who);
        let gtin = form.field("gtin").trim().to_owned();
        match action.as_str() {
            "register" => registry::register_product(call, card).await?,
            "update" => registry::update_product(call, card).await?,
            other => return Err(ApiError::not_found(other.to_owned())),
        };
        Ok(GoTo(format!(
            "/console/products?gtin={}",
            super::percent_encode(&gtin)
        )))
    };
    super::serve_form(
        &app,
        &headers,
        request,
        "POST /console/products/{action}",
        work,
    )
    .await
}
