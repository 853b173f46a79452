//! The operator's pages: the register of participants (register one with its key, change its
//! name and roles, add a key, suspend it or lift the suspension), reference data (product
//! categories, the working-day calendar, the procedures' reference sets, each published as the
//! same command the CLI sends), and the server's health. Authorities and the ministry may
//! read the register; only the operator changes it (the engine decides, as over gRPC).

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use tanba_types::{
    Category, Names, Participant, ParticipantKey, ParticipantStatus, Role, TailProfile, TaxpayerId,
};

use super::{Form, Frame, GoTo, Visit};
use crate::app::{App, Call};
use crate::error::ApiError;
use crate::service::{cases, registry, services};

/// Participants on one page of the register.
pub const PARTICIPANTS_PAGE_ENTRIES: u32 = 50;

/// A role as a form's box: its name in the protocol, its words, whether it is held.
struct RoleBox {
    value: String,
    label: String,
    held: bool,
}

fn role_boxes(frame: &Frame, held: &[Role]) -> Vec<RoleBox> {
    (Role::ALL.iter())
        .map(|role| RoleBox {
            value: role.to_string(),
            label: frame.t(&format!("role-{}", role.to_string().replace('_', "-"))),
            held: held.contains(role),
        })
        .collect()
}

/// A participant as the register lists it.
struct ParticipantRow {
    id: String,
    name: String,
    roles: String,
    suspended: bool,
}

fn row(frame: &Frame, participant: &Participant) -> ParticipantRow {
    let roles = (participant.roles.iter())
        .map(|role| frame.t(&format!("role-{}", role.to_string().replace('_', "-"))))
        .collect::<Vec<_>>()
        .join(", ");
    ParticipantRow {
        id: participant.id.to_string(),
        name: participant.name.clone(),
        roles,
        suspended: participant.status != ParticipantStatus::Active,
    }
}

#[derive(askama::Template)]
#[template(path = "console/participants.html")]
struct ParticipantsPage {
    frame: Frame,
    csrf: String,
    may_change: bool,
    participants: Vec<ParticipantRow>,
    roles: Vec<RoleBox>,
    more: Option<String>,
}

/// `GET /console/participants?after=IIN`: the register, a page at a time.
pub async fn list(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, request: Request| {
        let after = match super::query_text(&request, "after").trim() {
            "" => None,
            text => Some(
                text.parse::<TaxpayerId>()
                    .map_err(|_| ApiError::invalid("after"))?,
            ),
        };
        let found = registry::participants(call, after, PARTICIPANTS_PAGE_ENTRIES)?;
        let who = call.participant()?;
        let frame = visit.signed_in_frame("participants", &who);
        let more = (found.len() == PARTICIPANTS_PAGE_ENTRIES as usize)
            .then(|| {
                found
                    .last()
                    .map(|last| format!("/console/participants?after={}", last.id))
            })
            .flatten();
        Ok(ParticipantsPage {
            csrf: visit.csrf().to_owned(),
            may_change: who.has_role(Role::Operator),
            participants: found.iter().map(|each| row(&frame, each)).collect(),
            roles: role_boxes(&frame, &[]),
            more,
            frame,
        })
    };
    super::serve(&app, &headers, request, "GET /console/participants", work).await
}

#[derive(askama::Template)]
#[template(path = "console/participant.html")]
struct ParticipantPage {
    frame: Frame,
    csrf: String,
    may_change: bool,
    participant: ParticipantRow,
    roles: Vec<RoleBox>,
    keys: Vec<String>,
}

/// `GET /console/participants/{id}`: a participant's card and, for the operator, its forms.
pub async fn show(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, _: Request| {
        let who = call.participant()?;
        let id = id
            .parse::<TaxpayerId>()
            .map_err(|_| ApiError::invalid("participant"));
        let participant = registry::participant(call, id)?;
        let frame = visit.signed_in_frame("participants", &who);
        let held: Vec<Role> = participant.roles.iter().copied().collect();
        Ok(ParticipantPage {
            csrf: visit.csrf().to_owned(),
            may_change: who.has_role(Role::Operator),
            roles: role_boxes(&frame, &held),
            keys: (participant.keys.iter())
                .map(|key| format!("{} {}", key.algorithm, hex(&key.public_key)))
                .collect(),
            participant: row(&frame, &participant),
            frame,
        })
    };
    super::serve(
        &app,
        &headers,
        request,
        "GET /console/participants/{id}",
        work,
    )
    .await
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The roles ticked on a form.
fn roles_ticked(form: &Form) -> Result<std::collections::BTreeSet<Role>, ApiError> {
    form.all("role")
        .map(|value| {
            (Role::ALL.iter())
                .find(|role| role.to_string() == value)
                .copied()
                .ok_or_else(|| ApiError::invalid("role"))
        })
        .collect()
}

/// An Ed25519 public key typed as 64 hex digits.
fn public_key(text: &str) -> Result<ParticipantKey, ApiError> {
    let text = text.trim();
    let bytes = (text.len() == 64)
        .then(|| {
            (0..32)
                .map(|index| u8::from_str_radix(&text[index * 2..index * 2 + 2], 16).ok())
                .collect::<Option<Vec<u8>>>()
        })
        .flatten()
        .ok_or_else(|| ApiError::invalid("public_key"))?;
    Ok(ParticipantKey {
        algorithm: "ed25519".to_owned(),
        public_key: bytes,
    })
}

/// `POST /console/participants`: registers a participant with its first key.
pub async fn register(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |_: &Visit, call: &mut Call<'_>, form: Form| {
        let id =
            (form.field("id").trim().parse::<TaxpayerId>()).map_err(|_| ApiError::invalid("id"))?;
        let participant = Participant {
            id,
            name: form.field("name").trim().to_owned(),
            roles: roles_ticked(&form)?,
            keys: vec![public_key(form.field("public_key"))?],
            status: ParticipantStatus::Active,
        };
        registry::register_participant(call, Ok(participant)).await?;
        Ok(GoTo(format!("/console/participants/{id}")))
    };
    super::serve_form(&app, &headers, request, "POST /console/participants", work).await
}

/// `POST /console/participants/{id}`: changes its name and roles, adds a key, or (with
/// `status=suspended|active`) suspends it or lifts the suspension.
pub async fn update(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |_: &Visit, call: &mut Call<'_>, form: Form| {
        let id = id
            .parse::<TaxpayerId>()
            .map_err(|_| ApiError::invalid("participant"))?;
        let mut participant = registry::participant(call, Ok(id))?;
        match form.field("status") {
            "suspended" => participant.status = ParticipantStatus::Suspended,
            "active" => participant.status = ParticipantStatus::Active,
            _ => {
                participant.name = form.field("name").trim().to_owned();
                participant.roles = roles_ticked(&form)?;
                if !form.field("public_key").trim().is_empty() {
                    participant.keys.push(public_key(form.field("public_key"))?);
                }
            }
        }
        registry::update_participant(call, Ok(participant)).await?;
        Ok(GoTo(format!("/console/participants/{id}")))
    };
    super::serve_form(
        &app,
        &headers,
        request,
        "POST /console/participants/{id}",
        work,
    )
    .await
}

#[derive(askama::Template)]
#[template(path = "console/reference.html")]
struct ReferencePage {
    frame: Frame,
    csrf: String,
    done: Option<String>,
    calendar: String,
    sets: Vec<(String, u32)>,
    /// The tail profiles a category may take: the form's value and words.
    tails: Vec<(String, String)>,
}

fn reference_page(
    visit: &Visit,
    call: &mut Call<'_>,
    done: Option<&str>,
) -> Result<ReferencePage, ApiError> {
    let who = call.participant_with(&[Role::Operator])?;
    let frame = visit.signed_in_frame("reference", &who);
    let app = call.app();
    let snapshot = app.engine.snapshot();
    let calendar = tanba_engine::calendar::in_force(snapshot.as_ref())?.map_or_else(
        || frame.t("reference-none"),
        |calendar| calendar.version.to_string(),
    );
    let sets = tanba_engine::reference::in_force(snapshot.as_ref())?.versions();
    let mut tails = vec![("full".to_owned(), frame.t("reference-tail-full"))];
    let short = tanba_crypto::SHORT_TAG_LENGTH_MIN..=tanba_crypto::SHORT_TAG_LENGTH_MAX;
    tails.extend(short.map(|length| {
        let words = frame.words.count("reference-tail-short", length as u64);
        (length.to_string(), words)
    }));
    Ok(ReferencePage {
        tails,
        csrf: visit.csrf().to_owned(),
        done: done.map(|id| frame.t(id)),
        calendar,
        sets,
        frame,
    })
}

/// `GET /console/reference`.
pub async fn reference(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work =
        async |visit: &Visit, call: &mut Call<'_>, _: Request| reference_page(visit, call, None);
    super::serve(&app, &headers, request, "GET /console/reference", work).await
}

/// `POST /console/reference/{what}`: `category`, `calendar` or `set`.
pub async fn publish(
    State(app): State<Arc<App>>,
    Path(what): Path<String>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, form: Form| {
        let toml = form.field("toml").to_owned();
        let done = match what.as_str() {
            "category" => {
                registry::define_category(call, category(&form)).await?;
                "reference-category-done"
            }
            "calendar" => {
                cases::publish_calendar(call, toml).await?;
                "reference-calendar-done"
            }
            "set" => {
                services::publish_reference(call, toml).await?;
                "reference-set-done"
            }
            other => return Err(ApiError::not_found(other.to_owned())),
        };
        reference_page(visit, call, Some(done))
    };
    super::serve_form(
        &app,
        &headers,
        request,
        "POST /console/reference/{what}",
        work,
    )
    .await
}

fn category(form: &Form) -> Result<Category, ApiError> {
    let text = |name: &str| form.field(name).trim().to_owned();
    let tail_profile = match form.field("tail") {
        "full" => TailProfile::Full,
        length => TailProfile::Short {
            length_chars: length.parse().map_err(|_| ApiError::invalid("tail"))?,
        },
    };
    Ok(Category {
        code: text("code"),
        names: Names {
            kk: text("name_kk"),
            ru: text("name_ru"),
            en: Some(text("name_en")).filter(|name| !name.is_empty()),
        },
        tail_profile,
        return_period_days: text("return_days")
            .parse()
            .map_err(|_| ApiError::invalid("return_days"))?,
        control_list_code: Some(text("control_list_code")).filter(|code| !code.is_empty()),
    })
}

#[derive(askama::Template)]
#[template(path = "console/health.html")]
struct HealthPage {
    frame: Frame,
    serving: bool,
    head_sequence: String,
    head_hash: String,
    sessions: String,
    procedures: Vec<String>,
    version: &'static str,
}

/// `GET /console/health`: what the server is doing, for the operator.
pub async fn health(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, _: Request| {
        let who = call.participant_with(&[Role::Operator])?;
        let frame = visit.signed_in_frame("health", &who);
        let app = call.app();
        let head = app.engine.head();
        let procedures = (app.engine.cases().kinds())
            .map(|kind| frame.t(&super::cases::kind_id(kind)))
            .collect();
        Ok(HealthPage {
            serving: !app.engine.store_failing(),
            head_sequence: frame.words.number(head.sequence),
            head_hash: hex(&head.hash.0),
            sessions: frame.words.number(app.sessions.len() as u64),
            procedures,
            version: env!("CARGO_PKG_VERSION"),
            frame,
        })
    };
    super::serve(&app, &headers, request, "GET /console/health", work).await
}
