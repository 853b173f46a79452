//! Format-logical control (R-IS-17) and authorization: a command, read against the current state,
//! becomes events or a typed refusal. Nothing here writes: [`crate::apply`] does, from the events
//! alone. So a refused command leaves nothing behind, and replay needs only the events.
//!
//! Authorization here is by role and ownership; *who* the actor is (signature, token) is the
//! server's business, done before the engine sees the command.

use std::collections::{HashMap, HashSet};

use tanba_types::limits::{
    CODES_WAITING_MAX, COMMAND_AFFECTED_CODES_MAX, COMMAND_CODES_MAX, DOCUMENT_ITEMS_MAX,
    ISSUE_CHUNK_CODES_MAX, ORDER_QUANTITY_MAX, ORDERS_WAITING_MAX, PACKAGE_CHILDREN_MAX,
    REASON_CHARS_MAX, REFERENCE_CHARS_MAX, SIGNATURE_BYTES_MAX,
};
use tanba_types::reference::{
    CATEGORY_CODE_CHARS_MAX, NAME_CHARS_MAX, PARTICIPANT_KEYS_MAX, RETURN_PERIOD_DAYS_MAX,
    SHELF_LIFE_DAYS_MAX,
};
use tanba_types::{
    Actor, Category, CodeKey, CodeStatus, Command, Date, Event, Gtin, Introduction, IssuedCode,
    IssuedTail, Names, Operation, PACKAGE_DEPTH_MAX, PackageLevel, Participant, ParticipantStatus,
    Product, Refusal, Role, TailProfile, TaxpayerId, WithdrawalReason, transition,
};

use crate::error::EngineError;
use crate::records::CodeRecord;
use crate::state::State;

/// What a command is decided against besides state: who, when, and the sequence its first
/// event will get (ids of orders and documents are the sequence of the event that creates them).
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Who submitted the command.
    pub actor: Actor,
    /// The writer's time stamp, unix milliseconds.
    pub time_ms: u64,
    /// The sequence the first event will get.
    pub next_sequence: u64,
    /// The registered case definitions and the calendar in force.
    pub cases: &'a crate::cases::Cases,
}

/// Length of an AI 91 key id.
const KEY_ID_CHARS: usize = tanba_crypto::KEY_ID_LENGTH;
/// Length of an Ed25519 AI 92 signature in base64url.
const FULL_SIGNATURE_CHARS: usize = tanba_crypto::FULL_TAIL_SIGNATURE_CHARS;
/// Ed25519 public key length.
const ED25519_PUBLIC_KEY_BYTES: usize = 32;

/// Decides a command.
pub fn decide(
    state: &State,
    context: &Context,
    command: &Command,
) -> Result<Vec<Event>, EngineError> {
    match command {
        Command::RegisterParticipant(participant) => {
            registrar(state, context.actor)?;
            check_participant(participant)?;
            if state.participant(&participant.id)?.is_some() {
                return Err(EngineError::ParticipantExists(participant.id));
            }
            if crate::registers::ceased(state, &participant.id)? {
                return Err(EngineError::RegistrationCeased(participant.id));
            }
            Ok(vec![Event::ParticipantRegistered(participant.clone())])
        }
        Command::UpdateParticipant(participant) => {
            registrar(state, context.actor)?;
            check_participant(participant)?;
            // The card as given: an operator's edit of a card the register suspended sends it
            // back RegistrationCeased (the wire's `registration_ceased`); an explicit
            // suspension or reinstatement is the operator's and overrides the register.
            if state.participant(&participant.id)?.is_none() {
                return Err(EngineError::UnknownParticipant(participant.id));
            }
            Ok(vec![Event::ParticipantUpdated(participant.clone())])
        }
        Command::DefineCategory(category) => {
            registrar(state, context.actor)?;
            check_category(category)?;
            Ok(vec![Event::CategoryDefined(category.clone())])
        }
        Command::RegisterProduct(product) => {
            product_editor(state, context.actor, product)?;
            check_product(state, product)?;
            if state.product(&product.gtin)?.is_some() {
                return Err(EngineError::ProductExists(product.gtin));
            }
            Ok(vec![Event::ProductRegistered(product.clone())])
        }
        Command::UpdateProduct(product) => {
            let current = state
                .product(&product.gtin)?
                .ok_or(EngineError::UnknownProduct(product.gtin))?;
            product_editor(state, context.actor, &current)?;
            product_editor(state, context.actor, product)?;
            // Who markets a product is the registry's to change, not the marketers': otherwise
            // an importer could write the producer off its own card.
            let marketers_change =
                current.producer != product.producer || current.importer != product.importer;
            if marketers_change && registrar(state, context.actor).is_err() {
                return Err(EngineError::RoleRequired(Role::Operator));
            }
            // Export control reads a unit's category and HS code: a marketer may not move its
            // goods into or out of a controlled category, nor change a controlled product's HS
            // code (it would export without a permit, or under another's).
            let classification_change =
                current.category != product.category || current.hs_code != product.hs_code;
            let controlled = |category: &str| {
                state
                    .category(category)
                    .map(|found| found.is_some_and(|c| c.control_list_code.is_some()))
            };
            if classification_change
                && (controlled(&current.category)? || controlled(&product.category)?)
                && registrar(state, context.actor).is_err()
            {
                return Err(EngineError::RoleRequired(Role::Operator));
            }
            check_product(state, product)?;
            if current.level != product.level {
                return Err(EngineError::Invalid {
                    field: "level",
                    reason: "a product's package level never changes",
                });
            }
            Ok(vec![Event::ProductUpdated(product.clone())])
        }
        Command::OrderCodes { gtin, quantity } => order_codes(state, context, *gtin, *quantity),
        Command::IssueCodes { order, codes } => issue_codes(state, context, *order, codes),
        Command::ReportApplied {
            codes,
            production_date,
            expiry_date,
            batch,
        } => report_applied(state, context, codes, *production_date, *expiry_date, batch),
        Command::Introduce {
            codes,
            introduction,
        } => introduce(state, context, codes, introduction),
        Command::Aggregate { parent, children } => aggregate(state, context, parent, children),
        Command::Disaggregate { codes } => disaggregate(state, context, codes),
        Command::Ship {
            buyer,
            items,
            signature,
        } => ship(state, context, *buyer, items, signature),
        Command::Accept {
            document,
            items,
            signature,
        } => accept(state, context, *document, items.as_deref(), signature),
        Command::Reject {
            document,
            signature,
        } => {
            let buyer = acting_participant(state, context.actor)?;
            check_signature(signature)?;
            pending_document(state, *document, |record| record.buyer == buyer.id)?;
            Ok(vec![Event::Rejected {
                document: *document,
                signature: signature.clone(),
            }])
        }
        Command::CancelShipment {
            document,
            signature,
        } => {
            let seller = acting_participant(state, context.actor)?;
            check_signature(signature)?;
            pending_document(state, *document, |record| record.seller == seller.id)?;
            Ok(vec![Event::ShipmentCancelled {
                document: *document,
                signature: signature.clone(),
            }])
        }
        Command::Withdraw {
            codes,
            reason,
            document,
            export,
            eaeu,
        } => withdraw(
            state,
            context,
            codes,
            *reason,
            document,
            export.as_ref(),
            eaeu.as_ref(),
        ),
        Command::RecordSale {
            receipt_id,
            printed_ms,
            lines,
        } => crate::retail::record_sale(state, context, receipt_id, *printed_ms, lines),
        Command::RecordReturn {
            receipt_id,
            sale_receipt_id,
            codes,
        } => crate::retail::record_return(state, context, receipt_id, sale_receipt_id, codes),
        Command::AssignFiscalOperator(agency) => {
            registrar(state, context.actor)?;
            crate::retail::assign_fiscal_operator(state, agency)
        }
        Command::Block { codes, reason } => block(state, context, codes, reason),
        Command::Unblock { codes } => unblock(state, context, codes),
        Command::PublishCalendar { toml } => crate::calendar::publish(state, context.actor, toml),
        Command::PublishReference { toml } => crate::reference::publish(state, context.actor, toml),
        Command::Case(command) => crate::cases::decide(state, context, command),
        Command::ConsumerOptIn { code, contact } => {
            crate::consumers::opt_in(state, context, code, contact)
        }
        Command::ConsumerOptOut { opt_in } => crate::consumers::opt_out(state, context, *opt_in),
        Command::RecordAttachment { hash, size_bytes } => {
            crate::cases::record_attachment(state, context, hash, *size_bytes)
        }
        Command::ReportViolation(report) => crate::public::report(context, report),
        Command::FlagLikelyCopy { code, reason } => {
            crate::public::flag(state, context, code, *reason)
        }
        Command::ClearLikelyCopyFlag { code, reason } => {
            crate::public::clear_flag(state, context, code, reason)
        }
        Command::RefreshRegister(refresh) => {
            crate::registers::refresh(state, context.actor, refresh)
        }
        Command::RequestDataExport {
            key,
            kind,
            from,
            to,
        } => crate::data_export::request(state, context, key, *kind, *from, *to),
        // The core runs a capture command by command (`Core::run_capture`), each decided here.
        Command::Capture(_) => Err(EngineError::Invalid {
            field: "capture",
            reason: "runs command by command, never decided whole",
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// Who may act.

/// The actor as a registered, active participant.
pub(crate) fn acting_participant(state: &State, actor: Actor) -> Result<Participant, EngineError> {
    let id = match actor {
        Actor::Participant(id) => id,
        Actor::System => {
            return Err(EngineError::Invalid {
                field: "actor",
                reason: "the system cannot act for a participant",
            });
        }
        Actor::FiscalOperator { .. } => {
            return Err(EngineError::Invalid {
                field: "actor",
                reason: "a fiscal data operator acts for a seller on receipts only",
            });
        }
        Actor::Public => {
            return Err(EngineError::Invalid {
                field: "actor",
                reason: "the public only checks codes and opts in to notices",
            });
        }
    };
    let participant = state
        .participant(&id)?
        .ok_or(EngineError::UnknownParticipant(id))?;
    match participant.status {
        ParticipantStatus::Active => Ok(participant),
        ParticipantStatus::Suspended => Err(EngineError::ParticipantSuspended(id)),
        ParticipantStatus::RegistrationCeased => Err(EngineError::RegistrationCeased(id)),
    }
}

/// The actor as a participant holding `role`.
pub(crate) fn with_role(
    state: &State,
    actor: Actor,
    role: Role,
) -> Result<Participant, EngineError> {
    let participant = acting_participant(state, actor)?;
    if !participant.has_role(role) {
        return Err(EngineError::RoleRequired(role));
    }
    Ok(participant)
}

/// The actor as a participant that holds goods (producer, importer, wholesaler, retailer).
fn goods_holder(state: &State, actor: Actor) -> Result<Participant, EngineError> {
    let participant = acting_participant(state, actor)?;
    if !participant.roles.iter().any(|role| role.holds_goods()) {
        return Err(EngineError::HoldsNoGoods(participant.id));
    }
    Ok(participant)
}

/// The system, or an operator: who keeps the registry (R-IS-09, R-IS-20).
pub(crate) fn registrar(state: &State, actor: Actor) -> Result<(), EngineError> {
    match actor {
        Actor::System => Ok(()),
        _ => with_role(state, actor, Role::Operator).map(|_| ()),
    }
}

/// Who may register or change a product card: the registrar, or the producer or importer the
/// card names (holding that role).
fn product_editor(state: &State, actor: Actor, product: &Product) -> Result<(), EngineError> {
    if registrar(state, actor).is_ok() {
        return Ok(());
    }
    marketer(state, actor, product).map(|_| ())
}

/// The actor as the producer or importer that puts `product` on the market (holding that role):
/// who orders its codes. No registrar bypass: an operator orders no codes for others.
fn marketer(state: &State, actor: Actor, product: &Product) -> Result<Participant, EngineError> {
    let participant = acting_participant(state, actor)?;
    let as_producer =
        product.producer == Some(participant.id) && participant.has_role(Role::Producer);
    let as_importer =
        product.importer == Some(participant.id) && participant.has_role(Role::Importer);
    if as_producer || as_importer {
        Ok(participant)
    } else {
        Err(EngineError::NotYourProduct(product.gtin))
    }
}

// ---------------------------------------------------------------------------------------------
// Reference data.

pub(crate) fn check_text(
    field: &'static str,
    text: &str,
    max_chars: usize,
) -> Result<(), EngineError> {
    if text.trim().is_empty() {
        return Err(EngineError::Invalid {
            field,
            reason: "must not be empty",
        });
    }
    if text.chars().count() > max_chars {
        return Err(EngineError::LimitExceeded {
            what: field,
            max: max_chars,
        });
    }
    if text.chars().any(char::is_control) {
        return Err(EngineError::Invalid {
            field,
            reason: "must not contain control characters",
        });
    }
    Ok(())
}

fn check_optional_text(
    field: &'static str,
    text: &Option<String>,
    max: usize,
) -> Result<(), EngineError> {
    text.as_deref()
        .map_or(Ok(()), |text| check_text(field, text, max))
}

fn check_names(names: &Names) -> Result<(), EngineError> {
    check_text("names.kk", &names.kk, NAME_CHARS_MAX)?;
    check_text("names.ru", &names.ru, NAME_CHARS_MAX)?;
    check_optional_text("names.en", &names.en, NAME_CHARS_MAX)
}

fn check_participant(participant: &Participant) -> Result<(), EngineError> {
    check_text("name", &participant.name, NAME_CHARS_MAX)?;
    if participant.roles.is_empty() {
        return Err(EngineError::Invalid {
            field: "roles",
            reason: "a participant needs at least one role",
        });
    }
    if participant.keys.len() > PARTICIPANT_KEYS_MAX {
        return Err(EngineError::LimitExceeded {
            what: "keys",
            max: PARTICIPANT_KEYS_MAX,
        });
    }
    for key in &participant.keys {
        if key.algorithm != "ed25519" || key.public_key.len() != ED25519_PUBLIC_KEY_BYTES {
            return Err(EngineError::Invalid {
                field: "keys",
                reason: "an ed25519 public key of 32 bytes expected",
            });
        }
    }
    Ok(())
}

fn check_category(category: &Category) -> Result<(), EngineError> {
    let code = &category.code;
    let well_formed = !code.is_empty()
        && code.len() <= CATEGORY_CODE_CHARS_MAX
        && code
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_');
    if !well_formed {
        return Err(EngineError::Invalid {
            field: "code",
            reason: "1 to 32 characters of a-z, 0-9 and _",
        });
    }
    check_names(&category.names)?;
    let control_ok = category
        .control_list_code
        .as_deref()
        .is_none_or(tanba_types::reference::is_control_list_code);
    if !control_ok {
        return Err(EngineError::Invalid {
            field: "control_list_code",
            reason: "a control-list code (ML1 to ML22, or 1C350 with sub-items .a)",
        });
    }
    if category.return_period_days > RETURN_PERIOD_DAYS_MAX {
        return Err(EngineError::LimitExceeded {
            what: "return_period_days",
            max: RETURN_PERIOD_DAYS_MAX as usize,
        });
    }
    if let TailProfile::Short { length_chars } = category.tail_profile {
        let length = usize::from(length_chars);
        if !(tanba_crypto::SHORT_TAG_LENGTH_MIN..=tanba_crypto::SHORT_TAG_LENGTH_MAX)
            .contains(&length)
        {
            return Err(EngineError::Invalid {
                field: "tail_profile",
                reason: "a short tag has 4 to 8 characters",
            });
        }
    }
    Ok(())
}

fn check_country(field: &'static str, country: &str) -> Result<(), EngineError> {
    if tanba_types::reference::is_country_code(country) {
        Ok(())
    } else {
        Err(EngineError::Invalid {
            field,
            reason: "an ISO 3166-1 alpha-2 country code expected",
        })
    }
}

fn check_product(state: &State, product: &Product) -> Result<(), EngineError> {
    check_names(&product.names)?;
    check_text("producer_name", &product.producer_name, NAME_CHARS_MAX)?;
    check_country("country", &product.country)?;
    if product.producer.is_none() && product.importer.is_none() {
        return Err(EngineError::Invalid {
            field: "producer",
            reason: "a registered producer or importer must market the product",
        });
    }
    for (id, role) in [
        (product.producer, Role::Producer),
        (product.importer, Role::Importer),
    ] {
        if let Some(id) = id {
            let participant = state
                .participant(&id)?
                .ok_or(EngineError::UnknownParticipant(id))?;
            if !participant.has_role(role) {
                return Err(EngineError::RoleRequired(role));
            }
        }
    }
    if state.category(&product.category)?.is_none() {
        return Err(EngineError::UnknownCategory(product.category.clone()));
    }
    if product.level == PackageLevel::Transport {
        return Err(EngineError::Invalid {
            field: "level",
            reason: "a GTIN marks a unit or a group package; transport packages use SSCCs",
        });
    }
    if product
        .shelf_life_days
        .is_some_and(|days| days == 0 || days > SHELF_LIFE_DAYS_MAX)
    {
        return Err(EngineError::Invalid {
            field: "shelf_life_days",
            reason: "between 1 day and 50 years",
        });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Emission.

fn order_codes(
    state: &State,
    context: &Context,
    gtin: Gtin,
    quantity: u32,
) -> Result<Vec<Event>, EngineError> {
    let participant = acting_participant(state, context.actor)?;
    if !participant.roles.iter().any(|role| role.orders_codes()) {
        return Err(EngineError::RoleRequired(Role::Producer));
    }
    let product = state
        .product(&gtin)?
        .ok_or(EngineError::UnknownProduct(gtin))?;
    marketer(state, context.actor, &product)?;
    if quantity == 0 {
        return Err(EngineError::Invalid {
            field: "quantity",
            reason: "at least one code",
        });
    }
    if quantity > ORDER_QUANTITY_MAX {
        return Err(EngineError::LimitExceeded {
            what: "quantity",
            max: ORDER_QUANTITY_MAX as usize,
        });
    }
    let category = state
        .category(&product.category)?
        .ok_or_else(|| EngineError::UnknownCategory(product.category.clone()))?;
    let backlog = state.backlog(&participant.id)?;
    if backlog.orders >= ORDERS_WAITING_MAX {
        return Err(EngineError::LimitExceeded {
            what: "orders waiting to be issued",
            max: ORDERS_WAITING_MAX as usize,
        });
    }
    if backlog.codes + u64::from(quantity) > CODES_WAITING_MAX {
        return Err(EngineError::LimitExceeded {
            what: "codes waiting to be issued",
            max: CODES_WAITING_MAX as usize,
        });
    }
    Ok(vec![Event::CodesOrdered {
        orderer: participant.id,
        gtin,
        quantity,
        tail_profile: category.tail_profile,
    }])
}

fn issue_codes(
    state: &State,
    context: &Context,
    order_id: u64,
    codes: &[IssuedCode],
) -> Result<Vec<Event>, EngineError> {
    if context.actor != Actor::System {
        return Err(EngineError::SystemOnly);
    }
    let order = state
        .order(order_id)?
        .ok_or(EngineError::UnknownOrder(order_id))?;
    check_count("codes", codes.len(), ISSUE_CHUNK_CODES_MAX)?;
    if u64::from(order.issued) + codes.len() as u64 > u64::from(order.quantity) {
        return Err(EngineError::OrderExceeded {
            order: order_id,
            quantity: order.quantity,
        });
    }
    for code in codes {
        let matches = match (&code.tail, order.tail_profile) {
            (IssuedTail::Full { key_id, signature }, TailProfile::Full) => {
                key_id.len() == KEY_ID_CHARS && signature.len() == FULL_SIGNATURE_CHARS
            }
            (IssuedTail::Short { key_id, tag }, TailProfile::Short { length_chars }) => {
                key_id.len() == KEY_ID_CHARS && tag.len() == usize::from(length_chars)
            }
            _ => false,
        };
        if !matches {
            return Err(EngineError::TailMismatch);
        }
    }
    let keys: Vec<CodeKey> = codes
        .iter()
        .map(|code| CodeKey::item(order.gtin, code.serial))
        .collect();
    let mut seen = HashSet::with_capacity(keys.len());
    for (key, exists) in keys.iter().zip(state.codes_exist(&keys)?) {
        if exists || !seen.insert(*key) {
            return Err(EngineError::DuplicateCode(*key));
        }
    }
    Ok(vec![Event::CodesIssued {
        order: order_id,
        first_index: order.issued,
        codes: codes.to_vec(),
    }])
}

// ---------------------------------------------------------------------------------------------
// Life of a code.

pub(crate) fn check_count(what: &'static str, count: usize, max: usize) -> Result<(), EngineError> {
    if count == 0 {
        return Err(EngineError::Invalid {
            field: what,
            reason: "must not be empty",
        });
    }
    if count > max {
        return Err(EngineError::LimitExceeded { what, max });
    }
    Ok(())
}

/// A list of distinct codes within the command limit.
pub(crate) fn check_codes(
    what: &'static str,
    codes: &[CodeKey],
    max: usize,
) -> Result<(), EngineError> {
    check_count(what, codes.len(), max)?;
    let mut seen = HashSet::with_capacity(codes.len());
    for code in codes {
        if !seen.insert(code) {
            return Err(EngineError::DuplicateCode(*code));
        }
    }
    Ok(())
}

pub(crate) fn check_signature(signature: &[u8]) -> Result<(), EngineError> {
    check_count("signature", signature.len(), SIGNATURE_BYTES_MAX)
}

/// A code the actor holds and may move: owned, not in transit (inside a package, as its
/// outermost package is).
pub(crate) fn owned(
    state: &State,
    owner: TaxpayerId,
    code: &CodeKey,
) -> Result<CodeRecord, EngineError> {
    let record = state.existing_code(code)?;
    let (holder, in_transit) = state.holder(&record)?;
    if holder != owner {
        return Err(EngineError::NotOwner(*code));
    }
    if let Some(document) = in_transit {
        return Err(EngineError::InTransit {
            code: *code,
            document,
        });
    }
    Ok(record)
}

/// A code that is not inside a package.
pub(crate) fn root(code: &CodeKey, record: &CodeRecord) -> Result<(), EngineError> {
    match record.parent {
        Some(_) => Err(EngineError::InPackage(*code)),
        None => Ok(()),
    }
}

/// Checks `operation` against the transition table for one code. A transport package is a
/// container: it has no life of its own to check, but a blocked one moves nowhere.
fn allowed(code: &CodeKey, record: &CodeRecord, operation: Operation) -> Result<(), EngineError> {
    let refused = |refusal| EngineError::Refused {
        code: *code,
        refusal,
    };
    if record.level == PackageLevel::Transport {
        // A container follows its content through withdrawal and a retail return (a box sold
        // whole at the till comes back whole), and a block on it holds as on any code.
        let status = record.status;
        match (status, operation) {
            (_, Operation::Block | Operation::Unblock) => return Ok(()),
            (CodeStatus::Withdrawn(WithdrawalReason::RetailSale), Operation::RetailReturn) => {}
            (CodeStatus::Withdrawn(WithdrawalReason::RetailSale), _)
            | (_, Operation::RetailReturn) => return Err(refused(Refusal::WrongStatus { status })),
            (CodeStatus::Withdrawn(reason), _) => {
                return Err(refused(Refusal::WithdrawalFinal { reason }));
            }
            _ => {}
        }
        if !record.blockers.is_empty() && !operation.allowed_while_blocked() {
            return Err(refused(Refusal::Blocked));
        }
        return Ok(());
    }
    transition(record.state(), operation)
        .map(|_| ())
        .map_err(refused)
}

/// Checks `operation` for every code in the subtrees of `roots`. (Ownership and transit are
/// the roots', checked by the caller.) A package whose content holds nothing back (everything
/// inside in circulation and unblocked, see [`CodeRecord::held_back`]) is decided on its own
/// record when the operation is allowed for such content: the pallet case, 25,000 reads saved.
pub(crate) fn allowed_in_subtrees(
    state: &State,
    roots: &[CodeKey],
    operation: Operation,
) -> Result<(), EngineError> {
    let circulating = tanba_types::CodeState {
        status: CodeStatus::Introduced,
        blocked: false,
    };
    let content_allowed = transition(circulating, operation).is_ok();
    let mut counted = 0;
    for root_code in roots {
        let record = state.existing_code(root_code)?;
        if content_allowed && record.held_back == 0 {
            allowed(root_code, &record, operation)?;
            crate::state::count_affected(&mut counted, 1 + record.contents_total() as usize)?;
            continue;
        }
        for (code, record) in state.subtree(root_code, &mut counted)? {
            allowed(&code, &record, operation)?;
        }
    }
    Ok(())
}

fn report_applied(
    state: &State,
    context: &Context,
    codes: &[CodeKey],
    production_date: Date,
    expiry_date: Option<Date>,
    batch: &Option<String>,
) -> Result<Vec<Event>, EngineError> {
    let participant = acting_participant(state, context.actor)?;
    check_codes("codes", codes, COMMAND_CODES_MAX)?;
    check_optional_text("batch", batch, REFERENCE_CHARS_MAX)?;
    if production_date > Date::from_unix_ms_in_kz(context.time_ms) {
        return Err(EngineError::Invalid {
            field: "production_date",
            reason: "goods cannot be made in the future",
        });
    }
    if expiry_date.is_some_and(|expiry| expiry < production_date) {
        return Err(EngineError::Invalid {
            field: "expiry_date",
            reason: "goods cannot expire before they are made",
        });
    }
    for code in codes {
        let record = owned(state, participant.id, code)?;
        if record.level == PackageLevel::Transport {
            return Err(EngineError::Invalid {
                field: "codes",
                reason: "transport packages are not reported applied",
            });
        }
        allowed(code, &record, Operation::ReportApplied)?;
    }
    Ok(vec![Event::CodesApplied {
        codes: codes.to_vec(),
        production_date,
        expiry_date,
        batch: batch.clone(),
    }])
}

fn introduce(
    state: &State,
    context: &Context,
    codes: &[CodeKey],
    introduction: &Introduction,
) -> Result<Vec<Event>, EngineError> {
    let participant = match introduction {
        Introduction::OwnProduction => with_role(state, context.actor, Role::Producer)?,
        Introduction::Import {
            customs_declaration,
        } => {
            check_text(
                "customs_declaration",
                customs_declaration,
                REFERENCE_CHARS_MAX,
            )?;
            with_role(state, context.actor, Role::Importer)?
        }
        Introduction::EaeuReceipt {
            from_country,
            document_number,
            seller_taxpayer,
            document_date,
        } => {
            check_country("from_country", from_country)?;
            let Some(seller_state) = tanba_types::EaeuState::parse(from_country) else {
                return Err(EngineError::Invalid {
                    field: "from_country",
                    reason: "an EAEU receipt comes from another EAEU member state (RU, BY, AM, KG)",
                });
            };
            check_text("document_number", document_number, REFERENCE_CHARS_MAX)?;
            let seller = seller_taxpayer.as_deref().ok_or(EngineError::Invalid {
                field: "seller_taxpayer",
                reason: "an EAEU receipt names its seller's taxpayer number",
            })?;
            check_foreign_taxpayer(seller_state, seller)?;
            if document_date.is_none() {
                return Err(EngineError::Invalid {
                    field: "document_date",
                    reason: "an EAEU receipt names its document's date",
                });
            }
            goods_holder(state, context.actor)?
        }
    };
    check_codes("codes", codes, COMMAND_CODES_MAX)?;
    // Whether the card of each GTIN met names the actor as maker (or importer), read once.
    let mut makes: HashMap<Gtin, bool> = HashMap::new();
    let mut counted = 0;
    for code in codes {
        let record = owned(state, participant.id, code)?;
        root(code, &record)?;
        for (inner, record) in state.subtree(code, &mut counted)? {
            allowed(&inner, &record, Operation::Introduce(introduction.kind()))?;
            // Only the maker introduces goods as its own production, only the importer named
            // on the card imports them.
            let needs = match introduction {
                Introduction::OwnProduction => Some(Role::Producer),
                Introduction::Import { .. } => Some(Role::Importer),
                Introduction::EaeuReceipt { .. } => None,
            };
            if let (Some(role), Some(gtin)) = (needs, inner.gtin()) {
                let named = match makes.get(&gtin) {
                    Some(named) => *named,
                    None => {
                        let product = state
                            .product(&gtin)?
                            .ok_or(EngineError::UnknownProduct(gtin))?;
                        let named = match role {
                            Role::Producer => product.producer == Some(participant.id),
                            _ => product.importer == Some(participant.id),
                        };
                        makes.insert(gtin, named);
                        named
                    }
                };
                if !named {
                    return Err(EngineError::NotYourProduct(gtin));
                }
            }
        }
    }
    Ok(vec![Event::CodesIntroduced {
        codes: codes.to_vec(),
        introduction: introduction.clone(),
    }])
}

fn aggregate(
    state: &State,
    context: &Context,
    parent: &CodeKey,
    children: &[CodeKey],
) -> Result<Vec<Event>, EngineError> {
    let participant = goods_holder(state, context.actor)?;
    check_codes("children", children, PACKAGE_CHILDREN_MAX)?;
    let mut events = Vec::new();
    // What the outermost package around the parent holds already, itself included.
    let mut outermost_total = 1;
    let (parent_record, parent_depth, existing_children) = match state.code(parent)? {
        Some(_) => {
            let record = owned(state, participant.id, parent)?;
            if record.level == PackageLevel::Unit {
                return Err(EngineError::NotAPackage(*parent));
            }
            allowed(parent, &record, Operation::Aggregate)?;
            let ancestors = state.ancestors(parent)?;
            for (ancestor, _) in &ancestors {
                if children.contains(ancestor) {
                    return Err(EngineError::Cycle(*ancestor));
                }
            }
            let outermost = ancestors.last().map_or(&record, |(_, root)| root);
            outermost_total += outermost.contents_total();
            let existing = state.children(parent, PACKAGE_CHILDREN_MAX)?.len();
            (record, ancestors.len(), existing)
        }
        None => {
            let CodeKey::Sscc(sscc) = parent else {
                return Err(EngineError::UnknownCode(*parent));
            };
            events.push(Event::TransportPackageCreated {
                sscc: *sscc,
                owner: participant.id,
            });
            (
                CodeRecord::new(
                    PackageLevel::Transport,
                    CodeStatus::Applied,
                    participant.id,
                    context.next_sequence,
                ),
                0,
                0,
            )
        }
    };
    if existing_children + children.len() > PACKAGE_CHILDREN_MAX {
        return Err(EngineError::LimitExceeded {
            what: "children of one package",
            max: PACKAGE_CHILDREN_MAX,
        });
    }
    let mut height = 0;
    let moving: HashSet<CodeKey> = children.iter().copied().collect();
    for child in children {
        if child == parent {
            return Err(EngineError::Cycle(*child));
        }
        let record = owned(state, participant.id, child)?;
        if !parent_record.level.may_contain(record.level) {
            return Err(EngineError::LevelMismatch {
                parent: parent_record.level,
                child: record.level,
            });
        }
        if record.parent == Some(*parent) {
            return Err(EngineError::DuplicateCode(*child));
        }
        // Packing a package packs its content: a blocked code inside cannot be packed.
        allowed_in_subtrees(state, &[*child], Operation::Aggregate)?;
        // Codes moved by this command leave the packages they were in first.
        height = height.max(state.height(child, &record, &moving)?);
        outermost_total += 1 + record.contents_total();
    }
    // A package must stay small enough to be shipped, blocked or withdrawn in one command.
    if outermost_total > COMMAND_AFFECTED_CODES_MAX as u64 {
        return Err(EngineError::LimitExceeded {
            what: "codes in one outermost package",
            max: COMMAND_AFFECTED_CODES_MAX,
        });
    }
    // The root is depth 1; the parent adds its own depth and the deepest child adds its height.
    let depth = parent_depth + 1 + 1 + height;
    if depth > PACKAGE_DEPTH_MAX {
        return Err(EngineError::TooDeep(PACKAGE_DEPTH_MAX));
    }
    events.push(Event::Aggregated {
        parent: *parent,
        children: children.to_vec(),
    });
    Ok(events)
}

fn disaggregate(
    state: &State,
    context: &Context,
    codes: &[CodeKey],
) -> Result<Vec<Event>, EngineError> {
    let participant = goods_holder(state, context.actor)?;
    check_codes("codes", codes, COMMAND_CODES_MAX)?;
    for code in codes {
        let record = owned(state, participant.id, code)?;
        if record.parent.is_none() {
            return Err(EngineError::NotInPackage(*code));
        }
        allowed(code, &record, Operation::Disaggregate)?;
    }
    Ok(vec![Event::Disaggregated {
        codes: codes.to_vec(),
    }])
}

fn ship(
    state: &State,
    context: &Context,
    buyer: TaxpayerId,
    items: &[CodeKey],
    signature: &[u8],
) -> Result<Vec<Event>, EngineError> {
    let seller = goods_holder(state, context.actor)?;
    check_signature(signature)?;
    check_codes("items", items, DOCUMENT_ITEMS_MAX)?;
    if buyer == seller.id {
        return Err(EngineError::Invalid {
            field: "buyer",
            reason: "a seller cannot ship to itself",
        });
    }
    let receiver = state
        .participant(&buyer)?
        .ok_or(EngineError::UnknownParticipant(buyer))?;
    if receiver.status != ParticipantStatus::Active
        || !receiver.roles.iter().any(|r| r.holds_goods())
    {
        return Err(EngineError::CounterpartyNotEligible(buyer));
    }
    for item in items {
        let record = owned(state, seller.id, item)?;
        root(item, &record)?;
    }
    allowed_in_subtrees(state, items, Operation::Ship)?;
    crate::scope::check_destination(state, items, buyer)?;
    Ok(vec![Event::Shipped {
        seller: seller.id,
        buyer,
        items: items.to_vec(),
        signature: signature.to_vec(),
    }])
}

/// A pending document the actor is `party` to (its buyer, or its seller). A document of others
/// reads as unknown, so its existence is not revealed.
fn pending_document(
    state: &State,
    document: u64,
    party: impl Fn(&crate::records::DocumentRecord) -> bool,
) -> Result<crate::records::DocumentRecord, EngineError> {
    let record = state
        .document(document)?
        .filter(|record| party(record))
        .ok_or(EngineError::UnknownDocument(document))?;
    if record.status != crate::records::DocumentStatus::Pending {
        return Err(EngineError::DocumentClosed(document));
    }
    Ok(record)
}

fn accept(
    state: &State,
    context: &Context,
    document: u64,
    items: Option<&[CodeKey]>,
    signature: &[u8],
) -> Result<Vec<Event>, EngineError> {
    let buyer = goods_holder(state, context.actor)?;
    check_signature(signature)?;
    let record = pending_document(state, document, |record| record.buyer == buyer.id)?;
    let accepted: Vec<CodeKey> = match items {
        None => record.items.clone(),
        Some(items) => {
            check_codes("items", items, DOCUMENT_ITEMS_MAX)?;
            let shipped: HashSet<&CodeKey> = record.items.iter().collect();
            if let Some(stranger) = items.iter().find(|item| !shipped.contains(item)) {
                return Err(EngineError::NotInDocument(*stranger));
            }
            items.to_vec()
        }
    };
    allowed_in_subtrees(state, &accepted, Operation::Accept)?;
    // Shipped before the recall: the buyer refuses it (it goes back to the seller) unless the
    // buyer is the recalling party.
    crate::scope::check_destination(state, &accepted, buyer.id)?;
    let taken: HashSet<&CodeKey> = accepted.iter().collect();
    let returned = record
        .items
        .iter()
        .filter(|item| !taken.contains(item))
        .copied()
        .collect();
    Ok(vec![Event::Accepted {
        document,
        accepted,
        returned,
        signature: signature.to_vec(),
    }])
}

fn withdraw(
    state: &State,
    context: &Context,
    codes: &[CodeKey],
    reason: WithdrawalReason,
    document: &Option<String>,
    export: Option<&tanba_types::ExportUse>,
    eaeu: Option<&tanba_types::EaeuDocument>,
) -> Result<Vec<Event>, EngineError> {
    check_eaeu_document(reason, eaeu)?;
    check_optional_text("document", document, REFERENCE_CHARS_MAX)?;
    check_codes("codes", codes, COMMAND_CODES_MAX)?;
    // Confiscation is an authority's act on goods it does not own; the rest is the owner's.
    let owner = match reason {
        WithdrawalReason::Confiscation => {
            with_role(state, context.actor, Role::Authority)?;
            None
        }
        // One way in for a sale, so a receipt has one record: `RecordSale`.
        WithdrawalReason::RetailSale => return Err(EngineError::SaleNeedsReceipt),
        _ => Some(goods_holder(state, context.actor)?.id),
    };
    let mut detached = Vec::new();
    for code in codes {
        let record = match owner {
            Some(owner) => owned(state, owner, code)?,
            None => {
                // An authority may seize goods it does not own, but not out of a shipment
                // under way: that is settled by acceptance or rejection first.
                let record = state.existing_code(code)?;
                if let (_, Some(document)) = state.holder(&record)? {
                    return Err(EngineError::InTransit {
                        code: *code,
                        document,
                    });
                }
                record
            }
        };
        // A unit sold out of an opened box leaves the box.
        if record.parent.is_some() {
            detached.push(*code);
        }
    }
    allowed_in_subtrees(state, codes, Operation::Withdraw(reason))?;
    let withdrawer = owner.unwrap_or_else(|| context.actor.caller().expect("an authority"));
    let export = crate::export::check(state, context, withdrawer, codes, reason, export)?;
    let mut events = Vec::new();
    if !detached.is_empty() {
        events.push(Event::Disaggregated { codes: detached });
    }
    events.push(Event::Withdrawn {
        codes: codes.to_vec(),
        reason,
        document: document.clone(),
        export,
        eaeu: eaeu.cloned(),
    });
    Ok(events)
}

/// An export to another EAEU state carries its cross-border document, and only it does; the
/// document names a buyer whose number passes its state's control (R-IS-12).
fn check_eaeu_document(
    reason: WithdrawalReason,
    document: Option<&tanba_types::EaeuDocument>,
) -> Result<(), EngineError> {
    let document = match (reason, document) {
        (WithdrawalReason::ExportToEaeu, Some(document)) => document,
        (WithdrawalReason::ExportToEaeu, None) => {
            return Err(EngineError::Invalid {
                field: "eaeu",
                reason: "an export to an EAEU state carries its cross-border document",
            });
        }
        (_, Some(_)) => {
            return Err(EngineError::Invalid {
                field: "eaeu",
                reason: "only an export to an EAEU state carries a cross-border document",
            });
        }
        (_, None) => return Ok(()),
    };
    check_foreign_taxpayer(document.buyer_state, &document.buyer_taxpayer)?;
    check_text("eaeu.buyer_name", &document.buyer_name, NAME_CHARS_MAX)?;
    check_text("eaeu.number", &document.number, REFERENCE_CHARS_MAX)?;
    if document.value_tiyn == 0 {
        return Err(EngineError::Invalid {
            field: "eaeu.value_tiyn",
            reason: "the goods' value is more than zero",
        });
    }
    Ok(())
}

/// A taxpayer number of another EAEU state passes that state's control (R-IS-12); the error
/// names at most its first 32 characters.
fn check_foreign_taxpayer(state: tanba_types::EaeuState, number: &str) -> Result<(), EngineError> {
    if state.checks_taxpayer(number) {
        return Ok(());
    }
    Err(EngineError::ForeignTaxpayer {
        state,
        number: number.chars().take(32).collect(),
    })
}

fn block(
    state: &State,
    context: &Context,
    codes: &[CodeKey],
    reason: &str,
) -> Result<Vec<Event>, EngineError> {
    let authority = with_role(state, context.actor, Role::Authority)?;
    check_text("reason", reason, REASON_CHARS_MAX)?;
    check_codes("codes", codes, COMMAND_CODES_MAX)?;
    let mut counted = 0;
    for code in codes {
        let record = state.existing_code(code)?;
        if record.is_blocked_by(&authority.id) {
            return Err(EngineError::AlreadyBlocked(*code));
        }
        // Bounds the command; a block applies in every status, so nothing else to check.
        state.subtree(code, &mut counted)?;
    }
    Ok(vec![Event::Blocked {
        codes: codes.to_vec(),
        authority: authority.id,
        reason: reason.to_owned(),
    }])
}

fn unblock(state: &State, context: &Context, codes: &[CodeKey]) -> Result<Vec<Event>, EngineError> {
    let authority = with_role(state, context.actor, Role::Authority)?;
    check_codes("codes", codes, COMMAND_CODES_MAX)?;
    let mut counted = 0;
    for code in codes {
        let record = state.existing_code(code)?;
        if !record.is_blocked_by(&authority.id) {
            return Err(EngineError::NotBlockedByYou(*code));
        }
        state.subtree(code, &mut counted)?;
    }
    Ok(vec![Event::Unblocked {
        codes: codes.to_vec(),
        authority: authority.id,
    }])
}
