//! Cases of the legal procedures in the browser: an applicant's applications and an
//! authority's cases with their clocks (due, paused, overdue), a case's record and history,
//! its files, and the steps the viewer may take, each a form drawn from the definition's field
//! table (`console::case_forms`) and signed in the browser over the exact bytes the engine
//! checks (`service::cases::step_bytes`, `CaseCommand::signed_bytes`). A case that blocked
//! goods shows who held them and what became of their units (a recall's effectiveness).
//!
//! The console knows no procedure by name: every word of a case (its kind, states, steps,
//! fields, choices and clocks) is a catalogue message named after the definition's tables
//! (`kind_id`, `state_id`, ...), and a test holds every catalogue to every registered
//! definition's tables.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use tanba_cases::Definition;
use tanba_cases::definition::{CaseRole, Shape, TransitionSpec};
use tanba_crypto::encoding::base64url_decode;
use tanba_engine::query::CaseCard;
use tanba_engine::query::CaseList;
use tanba_types::{CaseId, Date, DayUnit, LegalClock, Participant, Role, Run, TaxpayerId};

use super::case_forms::{self, FieldInput, TABLE_ROWS_SHOWN};
use super::i18n::Words;
use super::{Form, Frame, GoTo, Sent, Signing, Visit};
use crate::app::{App, Call};
use crate::error::ApiError;
use crate::service::Page;
use crate::service::cases::{self as service, Opening, Step};

/// Cases on one page of the list.
pub const CASES_PAGE_ENTRIES: u32 = 50;
/// Holders on one page of a case's holders.
pub const HOLDERS_PAGE_ENTRIES: u32 = 100;
/// Steps of a case's history shown (the oldest first).
pub const HISTORY_SHOWN_MAX: usize = 200;

/// The message of procedure `kind`'s name.
pub fn kind_id(kind: &str) -> String {
    format!("case-kind-{kind}")
}

/// The message of state `state` of procedure `kind`.
pub fn state_id(kind: &str, state: &str) -> String {
    format!("case-{kind}-state-{state}")
}

/// The message of step `transition` of procedure `kind` (its button's words).
pub fn transition_id(kind: &str, transition: &str) -> String {
    format!("case-{kind}-transition-{transition}")
}

/// The message of a form field's label (one across procedures: a field name means one thing).
pub fn field_id(field: &str) -> String {
    format!("case-field-{field}")
}

/// The message of a choice's words.
pub fn choice_id(choice: &str) -> String {
    format!("case-choice-{choice}")
}

/// The message of clock `clock`'s name (`D-REC-2`: what the term is for).
pub fn clock_id(clock: &str) -> String {
    format!("case-clock-{clock}")
}

/// A clock as the pages show it.
struct ClockLine {
    /// Its code (`D-REC-2`).
    code: String,
    /// What the term is for.
    name: String,
    /// Its term (`10 working days`, an extension said).
    term: String,
    /// Where it stands: due on, due today, overdue since, paused since, stopped on.
    status: String,
    /// `running`, `due-today`, `overdue`, `paused` or `stopped` (the CSS class).
    class: &'static str,
}

/// Clock `code` as it stands at `now_ms`.
fn clock_line(words: Words, code: &str, clock: &LegalClock, now_ms: u64) -> ClockLine {
    let day = |date: Date| words.date(date);
    let today = Date::from_unix_ms_in_kz(now_ms);
    let (status, class) = match &clock.run {
        Run::Running { due, .. } if now_ms > due.at_ms => (
            words.with("clock-overdue", &[("day", &day(due.day))]),
            "overdue",
        ),
        Run::Running { due, .. } if due.day == today => {
            (words.text("clock-due-today"), "due-today")
        }
        Run::Running { due, .. } => (
            words.with("clock-due", &[("day", &day(due.day))]),
            "running",
        ),
        Run::Paused { since } => (
            words.with("clock-paused", &[("day", &day(*since))]),
            "paused",
        ),
        Run::Stopped { at } => (
            words.with("clock-stopped", &[("day", &day(*at))]),
            "stopped",
        ),
    };
    let unit = match clock.unit {
        DayUnit::WorkingDays => "clock-term-working",
        DayUnit::CalendarDays => "clock-term-calendar",
    };
    let mut term = words.count(unit, u64::from(clock.budget_days));
    if let Some(days) = clock.extended_by_days {
        term = format!(
            "{term} ({})",
            words.count("clock-extended", u64::from(days))
        );
    }
    ClockLine {
        code: code.to_owned(),
        name: words.text(&clock_id(code)),
        term,
        status,
        class,
    }
}

/// The clocks of a case, overdue first, then those still running, then the rest.
fn clock_lines(words: Words, record: &CaseCard, now_ms: u64) -> Vec<ClockLine> {
    let mut lines: Vec<ClockLine> = (record.clocks.iter())
        .map(|(code, clock)| clock_line(words, code, clock, now_ms))
        .collect();
    let rank = |class: &str| match class {
        "overdue" => 0,
        "due-today" => 1,
        "running" => 2,
        "paused" => 3,
        _ => 4,
    };
    lines.sort_by_key(|line| rank(line.class));
    lines
}

/// A case as the list shows it.
struct CaseRow {
    id: CaseId,
    kind: String,
    state: String,
    closed: bool,
    party: String,
    opened: String,
    clocks: Vec<ClockLine>,
}

/// A procedure the participant may open, with its opening steps.
struct Openable {
    kind: String,
    steps: Vec<(String, String)>,
}

#[derive(askama::Template)]
#[template(path = "console/cases.html")]
struct CasesPage {
    frame: Frame,
    as_authority: bool,
    is_authority: bool,
    cases: Vec<CaseRow>,
    more: Option<String>,
    openable: Vec<Openable>,
}

/// The procedures `who` may open and their opening steps, as links to their forms.
fn openable(words: Words, app: &App, who: &Participant) -> Vec<Openable> {
    let cases = app.engine.cases();
    cases
        .kinds()
        .filter_map(|kind| cases.definition(kind).ok())
        .filter(|definition| {
            (definition.opener_roles().iter()).any(|role| who.has_role(*role))
                && definition
                    .parent_kind()
                    .is_none_or(|_| definition.parent_optional())
        })
        .map(|definition| {
            let kind = definition.kind();
            Openable {
                kind: words.text(&kind_id(kind)),
                steps: (definition.transitions().iter())
                    .filter(|transition| transition.from.is_empty())
                    .map(|transition| {
                        (
                            format!("/console/cases/new/{kind}/{}", transition.name),
                            words.text(&transition_id(kind, transition.name)),
                        )
                    })
                    .collect(),
            }
        })
        .collect()
}

/// `GET /console/cases?as=authority&after=N`: the participant's cases (those it opened or is
/// named in), or those addressed to its authority.
pub async fn list(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, request: Request| {
        let after = super::query_number(&request, "after");
        let as_authority = super::query_text(&request, "as") == "authority";
        let listing = match as_authority {
            true => CaseList::AsAuthority,
            false => CaseList::AsParty,
        };
        let who = call.participant()?;
        let page = Page {
            after,
            limit: CASES_PAGE_ENTRIES,
        };
        let found = service::cases(call, listing, page)?;
        let frame = visit.signed_in_frame("cases", &who);
        let words = frame.words;
        let parties: Vec<TaxpayerId> = found.iter().map(|case| case.opening.party).collect();
        let parties = super::shipments::named(call, &parties)?;
        let now_ms = call.app().now_ms();
        let path = match as_authority {
            true => "/console/cases?as=authority",
            false => "/console/cases",
        };
        let last = found.last().map(|case| case.id);
        let more = super::more_link(path, found.len(), CASES_PAGE_ENTRIES, last);
        let cases = (found.iter().zip(parties))
            .map(|(case, party)| CaseRow {
                id: case.id,
                kind: words.text(&kind_id(&case.opening.kind)),
                state: words.text(&state_id(&case.opening.kind, &case.state)),
                closed: case.closed,
                party,
                opened: words.moment(case.opened_ms),
                clocks: clock_lines(words, case, now_ms),
            })
            .collect();
        Ok(CasesPage {
            as_authority,
            is_authority: who.has_role(Role::Authority),
            cases,
            more,
            openable: openable(words, call.app(), &who),
            frame,
        })
    };
    super::serve(&app, &headers, request, "GET /console/cases", work).await
}

/// A field of a case's record as its page shows it.
struct DataRow {
    label: String,
    value: String,
}

/// A file a case names.
struct FileRow {
    name: String,
    size: String,
    href: String,
}

/// A step the viewer may take, as a link to its form.
struct StepLink {
    label: String,
    href: String,
    current: bool,
}

/// A step's form.
struct StepForm {
    /// Where it posts (its signing script asks `<action>/bytes` first).
    action: String,
    title: String,
    clause: String,
    fields: Vec<FieldInput>,
    signing: Signing,
    /// An opening's own inputs: the authority addressed, the case it belongs to, the parties
    /// it names.
    asks_authority: bool,
    asks_parent: bool,
    asks_named: bool,
    /// The link that shows the form with more table rows, if a table could take more.
    more_rows: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "console/case.html")]
struct CasePage {
    frame: Frame,
    id: CaseId,
    kind: String,
    state: String,
    closed: bool,
    party: String,
    authority: String,
    parent: Option<CaseId>,
    named: Vec<String>,
    opened: String,
    updated: String,
    numbers: Vec<String>,
    clocks: Vec<ClockLine>,
    data: Vec<DataRow>,
    files: Vec<FileRow>,
    history: Vec<String>,
    history_more: Option<String>,
    steps: Vec<StepLink>,
    form: Option<StepForm>,
    holders: Option<String>,
}

/// The steps of `definition` that `roles` may take from the case's state.
fn steps_open<'d>(
    definition: &'d dyn Definition,
    record: &CaseCard,
    roles: &[CaseRole],
) -> Vec<&'d TransitionSpec> {
    if record.closed {
        return Vec::new();
    }
    (definition.transitions().iter())
        .filter(|transition| {
            transition.from.contains(&record.state.as_str())
                && transition.by.iter().any(|role| roles.contains(role))
        })
        .collect()
}

/// The rows a table form shows: `?rows=N`, else [`TABLE_ROWS_SHOWN`].
fn rows_asked(request: &Request) -> usize {
    match super::query_number(request, "rows") {
        0 => TABLE_ROWS_SHOWN,
        rows => usize::try_from(rows).unwrap_or(usize::MAX),
    }
}

/// The form of step `transition` of procedure `kind`, posting to `action`.
fn step_form(
    visit: &Visit,
    who: &Participant,
    words: Words,
    definition: &dyn Definition,
    transition: &TransitionSpec,
    action: String,
    rows: usize,
) -> StepForm {
    let kind = definition.kind();
    let opening = transition.from.is_empty();
    let has_table =
        (transition.fields.iter()).any(|field| matches!(field.shape, Shape::Rows { .. }));
    StepForm {
        title: words.text(&transition_id(kind, transition.name)),
        // The definitions cite clauses as `cl. 4, 5`: the abbreviation in the page's language.
        clause: transition
            .clause
            .replace("cl.", &words.text("clause-abbreviation")),
        fields: case_forms::inputs(words, transition.fields, rows),
        signing: Signing::of(visit, who),
        asks_authority: opening && definition.requires_authority(),
        asks_parent: opening && definition.parent_kind().is_some(),
        asks_named: opening
            && (definition.transitions().iter()).any(|each| each.by.contains(&CaseRole::Named)),
        more_rows: has_table
            .then(|| format!("?step={}&rows={}", transition.name, rows.saturating_mul(2))),
        action,
    }
}

/// `GET /console/cases/{id}?step=T&rows=N`: a case, and the form of step `T` if the viewer may
/// take it.
pub async fn show(
    State(app): State<Arc<App>>,
    Path(id): Path<CaseId>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, request: Request| {
        let chosen = super::query_text(&request, "step");
        let rows = rows_asked(&request);
        let who = call.participant()?;
        let record = service::case(call, id)?;
        let frame = visit.signed_in_frame("cases", &who);
        let page = case_page(visit, call, &who, frame, id, &record, &chosen, rows)?;
        Ok(page)
    };
    super::serve(&app, &headers, request, "GET /console/cases/{id}", work).await
}

#[allow(clippy::too_many_arguments)]
fn case_page(
    visit: &Visit,
    call: &mut Call<'_>,
    who: &Participant,
    frame: Frame,
    id: CaseId,
    record: &CaseCard,
    chosen: &str,
    rows: usize,
) -> Result<CasePage, ApiError> {
    let words = frame.words;
    let app = call.app();
    let definition = app.engine.cases().definition(&record.opening.kind)?;
    let kind = definition.kind();
    let roles = tanba_engine::cases::roles_in(&record.opening, who);
    let open = steps_open(definition, record, &roles);
    let steps = (open.iter())
        .map(|transition| StepLink {
            label: words.text(&transition_id(kind, transition.name)),
            href: format!("/console/cases/{id}?step={}", transition.name),
            current: transition.name == chosen,
        })
        .collect();
    let form = (open.iter().find(|transition| transition.name == chosen)).map(|transition| {
        let action = format!("/console/cases/{id}/steps/{}", transition.name);
        step_form(visit, who, words, definition, transition, action, rows)
    });
    let mut people = vec![record.opening.party];
    people.extend(record.opening.authority);
    people.extend(record.opening.named.iter().copied());
    let mut named = super::shipments::named(call, &people)?.into_iter();
    let party = named.next().unwrap_or_default();
    let authority = match record.opening.authority {
        Some(_) => named.next().unwrap_or_default(),
        None => String::new(),
    };
    let may_count_holders =
        record.opening.party == who.id || record.opening.authority == Some(who.id);
    let holders = may_count_holders
        && !tanba_engine::query::holders(app.engine.snapshot().as_ref(), id, None, 1)?.is_empty();
    Ok(CasePage {
        id,
        kind: words.text(&kind_id(kind)),
        state: words.text(&state_id(kind, &record.state)),
        closed: record.closed,
        party,
        authority,
        parent: record.opening.parent,
        named: named.collect(),
        opened: words.moment(record.opened_ms),
        updated: words.moment(record.updated_ms),
        numbers: record.numbers.iter().map(ToString::to_string).collect(),
        clocks: clock_lines(words, record, app.now_ms()),
        data: (record.data.iter())
            .map(|(name, value)| DataRow {
                label: words.text(&field_id(name)),
                value: case_forms::shown(words, value, case_forms::field_spec(definition, name)),
            })
            .collect(),
        files: (record.attachments.iter())
            .map(|file| FileRow {
                name: file.name.clone(),
                size: words.count("file-bytes", file.size_bytes),
                href: format!("/console/cases/{id}/files/{}", hex(&file.hash)),
            })
            .collect(),
        history: history_lines(call, words, kind, record)?,
        history_more: (record.taken.len() > HISTORY_SHOWN_MAX).then(|| {
            let more = record.taken.len() - HISTORY_SHOWN_MAX;
            words.count("case-history-more", more as u64)
        }),
        steps,
        form,
        holders: holders.then(|| format!("/console/cases/{id}/holders")),
        frame,
    })
}

/// The steps taken, oldest first (at most [`HISTORY_SHOWN_MAX`]), each with who took it.
fn history_lines(
    call: &mut Call<'_>,
    words: Words,
    kind: &str,
    record: &CaseCard,
) -> Result<Vec<String>, ApiError> {
    let taken = &record.taken[..record.taken.len().min(HISTORY_SHOWN_MAX)];
    let mut takers: Vec<TaxpayerId> = taken.iter().map(|(_, by)| *by).collect();
    takers.sort();
    takers.dedup();
    let names = super::shipments::named(call, &takers)?;
    let name_of = |id: &TaxpayerId| {
        let at = takers.binary_search(id).expect("every taker is listed");
        names[at].clone()
    };
    Ok(taken
        .iter()
        .map(|(transition, by)| {
            let step = words.text(&transition_id(kind, transition));
            words.with(
                "case-history-step",
                &[("step", &step), ("by", &name_of(by))],
            )
        })
        .collect())
}

/// Lower-case hex of bytes.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[derive(askama::Template)]
#[template(path = "console/case_new.html")]
struct NewCasePage {
    frame: Frame,
    kind: String,
    form: StepForm,
}

/// The definition of `kind` and its opening step `transition`, if `who` may open one.
fn opening_step<'a>(
    app: &'a App,
    who: &Participant,
    kind: &str,
    transition: &str,
) -> Result<(&'a dyn Definition, &'a TransitionSpec), ApiError> {
    let definition = app.engine.cases().definition(kind)?;
    let step = (definition.transitions().iter())
        .find(|each| each.name == transition && each.from.is_empty())
        .ok_or_else(|| ApiError::not_found(transition.to_owned()))?;
    if !(definition.opener_roles().iter()).any(|role| who.has_role(*role)) {
        return Err(ApiError::forbidden("a role that opens this procedure"));
    }
    Ok((definition, step))
}

/// `GET /console/cases/new/{kind}/{transition}?rows=N`: the form that opens a case.
pub async fn new(
    State(app): State<Arc<App>>,
    Path((kind, transition)): Path<(String, String)>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, request: Request| {
        let rows = rows_asked(&request);
        let who = call.participant()?;
        let (definition, step) = opening_step(call.app(), &who, &kind, &transition)?;
        let frame = visit.signed_in_frame("cases", &who);
        let words = frame.words;
        let action = format!("/console/cases/new/{kind}/{transition}");
        let mut form = step_form(visit, &who, words, definition, step, action, rows);
        form.more_rows = form
            .more_rows
            .map(|link| link.replace(&format!("step={transition}&"), ""));
        Ok(NewCasePage {
            kind: words.text(&kind_id(definition.kind())),
            form,
            frame,
        })
    };
    super::serve(
        &app,
        &headers,
        request,
        "GET /console/cases/new/{kind}/{transition}",
        work,
    )
    .await
}

/// A posted opening: everything but the signature is what the bytes to sign are made of.
fn read_opening(
    app: &App,
    who: &Participant,
    kind: &str,
    transition: &str,
    form: &Form,
) -> Result<Opening, ApiError> {
    let (_, step) = opening_step(app, who, kind, transition)?;
    let taxpayer = |text: &str, field: &str| {
        text.trim()
            .parse::<TaxpayerId>()
            .map_err(|_| ApiError::invalid(field))
    };
    Ok(Opening {
        transition: transition.to_owned(),
        authority: match form.field("authority").trim() {
            "" => None,
            text => Some(taxpayer(text, "authority")?),
        },
        parent: match form.field("parent").trim() {
            "" => None,
            text => Some(text.parse().map_err(|_| ApiError::invalid("parent"))?),
        },
        named: (form.field("named").lines())
            .filter(|line| !line.trim().is_empty())
            .map(|line| taxpayer(line, "named"))
            .collect::<Result<_, _>>()?,
        form: case_forms::read(step.fields, form)?,
        attachments: case_forms::attachments(form)?,
        signature: base64url_decode(form.field("signature")).unwrap_or_default(),
    })
}

/// A posted step of case `id`.
fn read_step(
    call: &mut Call<'_>,
    id: CaseId,
    transition: &str,
    form: &Form,
) -> Result<Step, ApiError> {
    let record = service::case(call, id)?;
    let definition = call.app().engine.cases().definition(&record.opening.kind)?;
    let step = tanba_cases::definition::transition_spec(definition, transition)
        .ok_or_else(|| ApiError::not_found(transition.to_owned()))?;
    Ok(Step {
        transition: transition.to_owned(),
        form: case_forms::read(step.fields, form)?,
        attachments: case_forms::attachments(form)?,
        signature: base64url_decode(form.field("signature")).unwrap_or_default(),
    })
}

/// `POST /console/cases/new/{kind}/{transition}/bytes`: what the opening's signer signs.
pub async fn new_bytes(
    State(app): State<Arc<App>>,
    Path((kind, transition)): Path<(String, String)>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |call: &mut Call<'_>, form: Form| {
        let who = call.participant()?;
        let opening = read_opening(call.app(), &who, &kind, &transition, &form);
        service::opening_bytes(call, kind.clone(), opening)
    };
    let method = "POST /console/cases/new/{kind}/{transition}/bytes";
    super::serve_bytes(&app, &headers, request, method, work).await
}

/// `POST /console/cases/new/{kind}/{transition}`: the signed opening; then the new case.
pub async fn submit_new(
    State(app): State<Arc<App>>,
    Path((kind, transition)): Path<(String, String)>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |_: &Visit, call: &mut Call<'_>, form: Form| {
        let who = call.participant()?;
        let opening = read_opening(call.app(), &who, &kind, &transition, &form);
        let created = service::open_case(call, kind.clone(), opening).await?;
        Ok(GoTo(format!("/console/cases/{}", created.id)))
    };
    let method = "POST /console/cases/new/{kind}/{transition}";
    super::serve_form(&app, &headers, request, method, work).await
}

/// `POST /console/cases/{id}/steps/{transition}/bytes`: what the step's signer signs.
pub async fn step_bytes(
    State(app): State<Arc<App>>,
    Path((id, transition)): Path<(CaseId, String)>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |call: &mut Call<'_>, form: Form| {
        let step = read_step(call, id, &transition, &form);
        service::step_bytes(call, id, step)
    };
    let method = "POST /console/cases/{id}/steps/{transition}/bytes";
    super::serve_bytes(&app, &headers, request, method, work).await
}

/// `POST /console/cases/{id}/steps/{transition}`: the signed step; then the case again.
pub async fn submit_step(
    State(app): State<Arc<App>>,
    Path((id, transition)): Path<(CaseId, String)>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |_: &Visit, call: &mut Call<'_>, form: Form| {
        let step = read_step(call, id, &transition, &form);
        service::step_case(call, id, step).await?;
        Ok(GoTo(format!("/console/cases/{id}")))
    };
    let method = "POST /console/cases/{id}/steps/{transition}";
    super::serve_form(&app, &headers, request, method, work).await
}

/// Largest upload of a file for a step: the file and its form's token.
pub const ATTACHMENT_UPLOAD_BYTES_MAX: usize =
    tanba_types::limits::ATTACHMENT_BYTES_MAX as usize + 64 * 1024;

/// `POST /console/cases/files` (multipart: `csrf` first, then `file`): stores a file for a step
/// to name before the step is signed (one upload at a time per participant, written to the
/// store as it arrives, never whole in memory); answers its reference as JSON for the page's
/// script: `hash` (BLAKE3 hex), `size`, `media_type`, `name`.
pub async fn upload(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let visit = Visit::read(&app, &headers, &request);
    let mut call = visit.call(&app, "POST /console/cases/files");
    let outcome = async {
        call.participant()?;
        let malformed = |_| ApiError::malformed();
        let mut multipart = Multipart::from_request(request, &())
            .await
            .map_err(malformed)?;
        let mut token_checked = false;
        let mut stored = None;
        while let Some(mut field) = multipart
            .next_field()
            .await
            .map_err(|_| ApiError::malformed())?
        {
            match (field.name(), token_checked, &stored) {
                (Some("csrf"), false, _) => {
                    visit.check_csrf(&field.text().await.map_err(|_| ApiError::malformed())?)?;
                    token_checked = true;
                }
                (Some("file"), true, None) => {
                    let name = field.file_name().unwrap_or("file").to_owned();
                    let media_type = (field.content_type())
                        .filter(|media_type| !media_type.is_empty())
                        .unwrap_or("application/octet-stream")
                        .to_owned();
                    let mut upload = service::upload(&mut call)?;
                    while let Some(chunk) =
                        field.chunk().await.map_err(|_| ApiError::malformed())?
                    {
                        upload.write(&chunk)?;
                    }
                    let (hash, size) = upload.finish(&mut call).await?;
                    let hash = hex(&hash);
                    let json = serde_json::json!({
                        "hash": hash, "size": size, "media_type": media_type, "name": name,
                    });
                    stored = Some(json);
                }
                // The token comes first and once; one file a request; nothing else.
                _ => return Err(ApiError::invalid("form")),
            }
        }
        stored.ok_or_else(|| ApiError::invalid("file"))
    }
    .await;
    match call.finish(outcome).await {
        Ok(json) => axum::Json(json).into_response(),
        Err(error) => super::json_refusal(&error, visit.language),
    }
}

/// `GET /console/cases/{id}/files/{hash}`: a file the case names, streamed.
pub async fn file(
    State(app): State<Arc<App>>,
    Path((id, hash)): Path<(CaseId, String)>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |_: &Visit, call: &mut Call<'_>, _: Request| {
        let bytes = unhex(&hash).ok_or_else(|| ApiError::not_found(hash.clone()))?;
        let record = service::case(call, id)?;
        let named = (record.attachments.iter())
            .find(|file| file.hash[..] == bytes[..])
            .ok_or_else(|| ApiError::not_found("attachment"))?;
        let (name, media_type) = (named.name.clone(), named.media_type.clone());
        let download = service::attachment(call, id, &bytes)?;
        let chunks = service::attachment_chunks(&app, download);
        let body = Body::from_stream(tokio_stream::StreamExt::map(chunks, |chunk| {
            chunk.map_err(|error| std::io::Error::other(error.code))
        }));
        // The file is someone's upload: never shown as a page of ours (no sniffing, no inline).
        let disposition = format!("attachment; filename=\"{}\"", safe_file_name(&name));
        let headers = [
            (header::CONTENT_TYPE, safe_media_type(&media_type)),
            (header::CONTENT_DISPOSITION, disposition),
        ];
        Ok(Sent((headers, body).into_response()))
    };
    super::serve(
        &app,
        &headers,
        request,
        "GET /console/cases/{id}/files/{hash}",
        work,
    )
    .await
}

/// Bytes from lower-case or upper-case hex.
fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|index| u8::from_str_radix(text.get(index..index + 2)?, 16).ok())
        .collect()
}

/// A file name fit for a header: printable ASCII but quotes and backslashes, else `_`.
fn safe_file_name(name: &str) -> String {
    name.chars()
        .take(200)
        .map(|each| match each {
            ' '..='~' if each != '"' && each != '\\' => each,
            _ => '_',
        })
        .collect()
}

/// A media type we let a browser see: a plain `type/subtype` of letters, digits and `.+-`;
/// anything else, and HTML or SVG (which could run script at our origin), is octet-stream.
fn safe_media_type(media_type: &str) -> String {
    let plain = media_type.split_once('/').is_some_and(|(kind, subtype)| {
        !kind.is_empty()
            && !subtype.is_empty()
            && (kind.chars().chain(subtype.chars()))
                .all(|each| each.is_ascii_alphanumeric() || ".+-".contains(each))
    });
    let lower = media_type.to_ascii_lowercase();
    let scripted = lower.contains("html") || lower.contains("svg") || lower.contains("xml");
    match plain && !scripted {
        true => lower,
        false => "application/octet-stream".to_owned(),
    }
}

/// A holder of a case's goods, with what became of its units.
struct HolderRow {
    holder: String,
    recalled: String,
    returned: String,
    disposed: String,
    still_held: String,
    elsewhere: String,
    sold_before: String,
    /// Units returned or disposed of, of those recalled, in percent.
    effective: String,
}

#[derive(askama::Template)]
#[template(path = "console/holders.html")]
struct HoldersPage {
    frame: Frame,
    id: CaseId,
    kind: String,
    census: String,
    holders: Vec<HolderRow>,
    total: HolderRow,
    more: Option<String>,
}

/// `GET /console/cases/{id}/holders?after=IIN`: who held the goods the case blocked and what
/// became of their units, for the case's party and its authority.
pub async fn holders(
    State(app): State<Arc<App>>,
    Path(id): Path<CaseId>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, request: Request| {
        let after = match super::query_text(&request, "after").trim() {
            "" => Ok(None),
            text => text
                .parse()
                .map(Some)
                .map_err(|_| ApiError::invalid("after")),
        };
        let who = call.participant()?;
        let counted = service::holders(call, id, after, HOLDERS_PAGE_ENTRIES).await?;
        let record = service::case(call, id)?;
        let frame = visit.signed_in_frame("cases", &who);
        let words = frame.words;
        let ids: Vec<TaxpayerId> = counted.holders.iter().map(|(holder, _)| *holder).collect();
        let names = super::shipments::named(call, &ids)?;
        let mut total = tanba_engine::query::HolderEffect::default();
        let holders = (counted.holders.iter().zip(names))
            .map(|((_, effect), holder)| {
                total.recalled += effect.recalled;
                total.returned += effect.returned;
                total.disposed += effect.disposed;
                total.still_held += effect.still_held;
                total.elsewhere += effect.elsewhere;
                total.sold_before += effect.sold_before;
                holder_row(words, holder, effect)
            })
            .collect::<Vec<_>>();
        let more = (counted.holders.len() == HOLDERS_PAGE_ENTRIES as usize)
            .then(|| {
                ids.last()
                    .map(|last| format!("/console/cases/{id}/holders?after={last}"))
            })
            .flatten();
        Ok(HoldersPage {
            id,
            kind: words.text(&kind_id(&record.opening.kind)),
            census: words.text(match counted.census_complete {
                true => "holders-census-complete",
                false => "holders-census-running",
            }),
            total: holder_row(words, words.text("holders-total"), &total),
            holders,
            more,
            frame,
        })
    };
    super::serve(
        &app,
        &headers,
        request,
        "GET /console/cases/{id}/holders",
        work,
    )
    .await
}

fn holder_row(
    words: Words,
    holder: String,
    effect: &tanba_engine::query::HolderEffect,
) -> HolderRow {
    let effective = match effect.recalled {
        0 => "—".to_owned(),
        recalled => {
            let done = effect.returned + effect.disposed;
            format!("{} %", words.number(done * 100 / recalled))
        }
    };
    HolderRow {
        holder,
        recalled: words.number(effect.recalled),
        returned: words.number(effect.returned),
        disposed: words.number(effect.disposed),
        still_held: words.number(effect.still_held),
        elsewhere: words.number(effect.elsewhere),
        sold_before: words.number(effect.sold_before),
        effective,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tanba_cases::definition::{FieldKind, FieldSpec};
    use tanba_types::Language;

    /// Every message id the pages of a case of `definition` may ask for.
    pub fn vocabulary(definition: &dyn Definition) -> Vec<String> {
        let kind = definition.kind();
        let mut ids = vec![kind_id(kind)];
        ids.extend(
            definition
                .states()
                .iter()
                .map(|state| state_id(kind, state.name)),
        );
        ids.extend(definition.clocks().iter().map(|clock| clock_id(clock)));
        for transition in definition.transitions() {
            ids.push(transition_id(kind, transition.name));
            field_vocabulary(transition.fields, &mut ids);
        }
        ids.sort();
        ids.dedup();
        ids
    }

    fn field_vocabulary(fields: &[FieldSpec], ids: &mut Vec<String>) {
        for field in fields {
            ids.push(field_id(field.name));
            if let FieldKind::Choice(choices) = field.kind {
                ids.extend(choices.iter().map(|choice| choice_id(choice)));
            }
            if let Shape::Rows { columns, .. } = field.shape {
                field_vocabulary(columns, ids);
            }
        }
    }

    #[test]
    fn every_word_of_every_registered_procedure_is_in_every_catalogue() {
        let procedures = crate::procedures();
        let mut needed: Vec<String> = (procedures.kinds())
            .flat_map(|kind| vocabulary(procedures.definition(kind).expect("registered")))
            .collect();
        needed.sort();
        needed.dedup();
        let mut missing = Vec::new();
        for language in Language::ALL {
            let known = super::super::i18n::message_ids(language);
            for id in &needed {
                if !known.contains(id) {
                    missing.push(format!("{language}: {id}"));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "missing messages:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn an_uploaded_file_is_never_served_as_a_page() {
        assert_eq!(safe_media_type("application/pdf"), "application/pdf");
        assert_eq!(safe_media_type("image/PNG"), "image/png");
        for scripted in [
            "text/html",
            "image/svg+xml",
            "application/xhtml+xml",
            "text/plain; x",
            "bad",
        ] {
            assert_eq!(
                safe_media_type(scripted),
                "application/octet-stream",
                "{scripted}"
            );
        }
        assert_eq!(safe_file_name("a\"b\\c\nd.pdf"), "a_b_c_d.pdf");
        assert_eq!(unhex("0aFF"), Some(vec![0x0a, 0xff]));
        assert_eq!(unhex("0g"), None);
        assert_eq!(unhex("abc"), None);
    }
}
