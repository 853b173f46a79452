//! The registry: participants, product categories, product cards and fiscal data operators'
//! registrations. Who may write what is the engine's to decide (the operator registers
//! participants and categories, a producer or importer its products); who may read a
//! participant or an operator's registrations is decided here ([`may_read`]). Every signed-in
//! participant reads product cards: they are what everyone trades in.

use tanba_engine::{Receipt, query};
use tanba_types::limits::PAGE_ENTRIES_MAX;
use tanba_types::{Category, Command, FiscalAgency, Gtin, Participant, Product, Role, TaxpayerId};

use super::{Given, Page, may_read, run};
use crate::app::Call;
use crate::error::ApiError;

/// Who may read a participant or its registrations besides itself.
const READERS_OF_A_PARTICIPANT: &str = "self | authority | ministry | operator";

/// Registers a participant.
pub async fn register_participant(
    call: &mut Call<'_>,
    participant: Given<Participant>,
) -> Result<Receipt, ApiError> {
    let who = call.participant()?;
    let participant = participant?;
    call.note_reference(participant.id);
    run(call, &who, Command::RegisterParticipant(participant)).await
}

/// Changes a participant (its name, roles, keys or status).
pub async fn update_participant(
    call: &mut Call<'_>,
    participant: Given<Participant>,
) -> Result<Receipt, ApiError> {
    let who = call.participant()?;
    let participant = participant?;
    call.note_reference(participant.id);
    run(call, &who, Command::UpdateParticipant(participant)).await
}

/// A page of the register of participants (the operator, an authority or the ministry).
pub fn participants(
    call: &mut Call<'_>,
    after: Option<TaxpayerId>,
    limit: u32,
) -> Result<Vec<Participant>, ApiError> {
    call.participant_with(&[Role::Operator, Role::Authority, Role::Ministry])?;
    let (_, limit) = Page { after: 0, limit }.bounded(PAGE_ENTRIES_MAX);
    let snapshot = call.app().engine.snapshot();
    Ok(query::participants(
        snapshot.as_ref(),
        after.as_ref(),
        limit,
    )?)
}

/// A participant, for itself or a supervising role.
pub fn participant(call: &mut Call<'_>, id: Given<TaxpayerId>) -> Result<Participant, ApiError> {
    let who = call.participant()?;
    let id = id?;
    call.note_reference(id);
    if !may_read(&who, &id) {
        return Err(ApiError::forbidden(READERS_OF_A_PARTICIPANT));
    }
    query::participant(call.app().engine.snapshot().as_ref(), &id)?
        .ok_or_else(|| ApiError::not_found(id.to_string()))
}

/// Defines (or redefines) a product category.
pub async fn define_category(
    call: &mut Call<'_>,
    category: Given<Category>,
) -> Result<Receipt, ApiError> {
    let who = call.participant()?;
    let category = category?;
    call.note_reference(&category.code);
    run(call, &who, Command::DefineCategory(category)).await
}

/// Registers a product card.
pub async fn register_product(
    call: &mut Call<'_>,
    product: Given<Product>,
) -> Result<Receipt, ApiError> {
    let who = call.participant()?;
    let product = product?;
    call.note_reference(product.gtin);
    run(call, &who, Command::RegisterProduct(product)).await
}

/// Changes a product card.
pub async fn update_product(
    call: &mut Call<'_>,
    product: Given<Product>,
) -> Result<Receipt, ApiError> {
    let who = call.participant()?;
    let product = product?;
    call.note_reference(product.gtin);
    run(call, &who, Command::UpdateProduct(product)).await
}

/// A product card, for any signed-in participant.
pub fn product(call: &mut Call<'_>, gtin: Given<Gtin>) -> Result<Product, ApiError> {
    call.participant()?;
    let gtin = gtin?;
    call.note_reference(gtin);
    query::product(call.app().engine.snapshot().as_ref(), &gtin)?
        .ok_or_else(|| ApiError::not_found(gtin.to_string()))
}

/// Product cards for a list page (orders, shipments): any signed-in participant reads them,
/// none is noted one by one (the page's own references name what it shows); an unknown GTIN
/// has no card.
pub fn products(call: &mut Call<'_>, gtins: &[Gtin]) -> Result<Vec<Option<Product>>, ApiError> {
    call.participant()?;
    let snapshot = call.app().engine.snapshot();
    gtins
        .iter()
        .map(|gtin| Ok(query::product(snapshot.as_ref(), gtin)?))
        .collect()
}

/// A page of the product cards the caller markets (as producer or importer), in GTIN order,
/// after the GTIN `after` (a number, 0 from the first).
pub fn my_products(call: &mut Call<'_>, after: u64, limit: u32) -> Result<Vec<Product>, ApiError> {
    let who = call.participant()?;
    let (after, limit) = Page { after, limit }.bounded(PAGE_ENTRIES_MAX);
    let snapshot = call.app().engine.snapshot();
    Ok(query::products_of(
        snapshot.as_ref(),
        &who.id,
        after,
        limit,
    )?)
}

/// Participants' names for a list page (a shipment's parties): any signed-in participant reads
/// them, none is noted one by one; an unknown id has none.
pub fn names(call: &mut Call<'_>, ids: &[TaxpayerId]) -> Result<Vec<Option<String>>, ApiError> {
    call.participant()?;
    let snapshot = call.app().engine.snapshot();
    ids.iter()
        .map(|id| Ok(query::participant(snapshot.as_ref(), id)?.map(|found| found.name)))
        .collect()
}

/// Registers a fiscal data operator as serving a seller, for some days.
pub async fn assign_fiscal_operator(
    call: &mut Call<'_>,
    agency: Given<FiscalAgency>,
) -> Result<Receipt, ApiError> {
    let who = call.participant()?;
    let agency = agency?;
    call.note_reference(agency.operator);
    call.note_reference(agency.seller);
    run(call, &who, Command::AssignFiscalOperator(agency)).await
}

/// The sellers a fiscal data operator is registered as serving, for the operator itself or a
/// supervising role.
pub fn fiscal_agencies(
    call: &mut Call<'_>,
    operator: Given<TaxpayerId>,
) -> Result<Vec<FiscalAgency>, ApiError> {
    let who = call.participant()?;
    let operator = operator?;
    call.note_reference(operator);
    if !may_read(&who, &operator) {
        return Err(ApiError::forbidden(READERS_OF_A_PARTICIPANT));
    }
    let snapshot = call.app().engine.snapshot();
    Ok(query::fiscal_agencies(
        snapshot.as_ref(),
        &operator,
        PAGE_ENTRIES_MAX,
    )?)
}
