//! Cases of the legal procedures in the engine: the registry of definitions, deciding case
//! commands (through `tanba_cases::executor`, which holds the generic rules, and the
//! definitions, which hold each procedure's), applying case events, and the tick.
//!
//! The engine knows no procedure by name. A command names a kind; the registry gives the
//! definition; the executor returns facts; this module turns them into events (the case's
//! step, its clocks, notices, goods scope blocks) that commit in one group or not at all.
//! Applying needs no definition: the events carry every fact, so replay runs without them.
//!
//! Time: clocks sit in the case record with their next warning rung, and a due-time index keyed
//! by that moment lets the tick find the cases due without reading the others. The tick is a
//! system command the writer stamps; what it fires is written as events, never worked out again
//! when read.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tanba_cases::definition::{
    CaseRole, CaseView, Definition, ParentView, StepContext, check_tables,
};
use tanba_cases::executor::{self, ClockUpdate, Execution, Submitted};
use tanba_cases::{Calendar, CaseError, References, SetKind};
use tanba_store::Column;
use tanba_types::limits::{
    ATTACHMENT_BYTES_MAX, CASE_ATTACHMENTS_MAX, CASE_NAME_CHARS_MAX, CASE_NAMED_MAX,
    CASE_STEPS_MAX, NOTICE_TEXT_CHARS_MAX, OPEN_CASES_PER_PARTY_MAX,
};
use tanba_types::{
    AttachmentRef, CaseCommand, CaseId, CaseOpening, CaseStep, Event, Form, Notice, NoticeId,
    Participant, Role, TaxpayerId, Texts,
};

use crate::decide::{Context, acting_participant, check_signature};
use crate::error::EngineError;
use crate::keys;
use crate::records::{CaseRecord, LogRecord, NoticeRecord, decode, encode};
use crate::state::State;

/// The transition name a case's history gives a state change made by the tick.
pub const TICK_TRANSITION: &str = "tick";

/// The registered definitions, and the calendar and reference sets in force, each parsed once
/// per version.
pub struct Cases {
    definitions: BTreeMap<&'static str, Arc<dyn Definition>>,
    calendar: Mutex<Option<Arc<Calendar>>>,
    references: Mutex<Option<ParsedReferences>>,
}

/// The reference sets in force, parsed, with the versions they are.
type ParsedReferences = (Vec<(SetKind, u32)>, Arc<References>);

impl std::fmt::Debug for Cases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cases")
            .field("kinds", &self.definitions.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Default for Cases {
    fn default() -> Self {
        Cases::new(Vec::new())
    }
}

impl Cases {
    /// A registry of `definitions`. Definitions are code: two of one kind, or tables that do not
    /// agree with themselves, are a bug and panic here, at start.
    pub fn new(definitions: Vec<Arc<dyn Definition>>) -> Cases {
        let mut registry = BTreeMap::new();
        for definition in definitions {
            let kind = definition.kind();
            if let Err(problem) = check_tables(definition.as_ref()) {
                panic!("the {kind} definition's tables: {problem}");
            }
            assert!(
                registry.insert(kind, definition).is_none(),
                "two definitions of kind {kind}"
            );
        }
        Cases {
            definitions: registry,
            calendar: Mutex::new(None),
            references: Mutex::new(None),
        }
    }

    /// The definition of `kind`.
    pub fn definition(&self, kind: &str) -> Result<&dyn Definition, EngineError> {
        self.definitions
            .get(kind)
            .map(|definition| definition.as_ref())
            .ok_or_else(|| CaseError::UnknownKind(kind.to_owned()).into())
    }

    /// What the public check shows of units `case` blocks, as its definition words it; `None`
    /// when its kind is not registered here or shows nothing.
    pub fn public_notice(&self, case: CaseId, record: &CaseRecord) -> Option<Texts> {
        let definition = self.definitions.get(record.opening.kind.as_str())?;
        let clocks = record.clock_values();
        definition.public_notice(&view(case, record, &clocks))
    }

    /// The kinds registered.
    pub fn kinds(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.definitions.keys().copied()
    }

    /// The calendar in force as `state` stands (a publication earlier in the group counts).
    pub(crate) fn calendar(&self, state: &State) -> Result<Arc<Calendar>, EngineError> {
        let version = state
            .get(Column::Index, &keys::calendar_in_force())?
            .map(|bytes| keys::read_u32(&bytes))
            .transpose()?
            .ok_or(EngineError::Invalid {
                field: "calendar",
                reason: "no working-day calendar is published",
            })?;
        let mut cached = self.calendar.lock().expect("calendar cache lock");
        if let Some(calendar) = cached.as_ref().filter(|c| c.version == version) {
            return Ok(calendar.clone());
        }
        let bytes = state
            .get(Column::Index, &keys::calendar_version(version))?
            .ok_or_else(|| {
                EngineError::Corrupt(format!("calendar version {version} is missing"))
            })?;
        let calendar = Arc::new(crate::calendar::parse_published(version, bytes)?);
        *cached = Some(calendar.clone());
        Ok(calendar)
    }
}

impl Cases {
    /// Forgets the calendar and reference sets parsed so far (their versions are read again
    /// from the store): a group that parsed a version its commit then lost must not leave it
    /// behind under its number.
    pub(crate) fn forget_parsed(&self) {
        *self.calendar.lock().expect("calendar cache lock") = None;
        *self.references.lock().expect("reference cache lock") = None;
    }

    /// The reference sets in force as `state` stands (a publication earlier in the group
    /// counts); a set never published is absent, and a form that needs it is refused.
    pub(crate) fn references(&self, state: &State) -> Result<Arc<References>, EngineError> {
        let versions = crate::reference::versions_in_force(state)?;
        let mut cached = self.references.lock().expect("reference cache lock");
        if let Some((_, references)) = cached.as_ref().filter(|(held, _)| *held == versions) {
            return Ok(references.clone());
        }
        let mut sets = Vec::new();
        for (kind, version) in &versions {
            let get = |key: &[u8]| state.get(Column::Index, key);
            let set = crate::reference::stored(get, kind.name(), *version)?.ok_or_else(|| {
                EngineError::Corrupt(format!("reference {} {version} is missing", kind.name()))
            })?;
            sets.push(Arc::new(set));
        }
        let references = Arc::new(References::new(sets));
        *cached = Some((versions, references.clone()));
        Ok(references)
    }
}

/// The last number of each series `definition` declares, this year as the calendar reads
/// `now_ms` (what [`StepContext::last_numbers`] carries).
pub(crate) fn last_numbers(
    state: &State,
    definition: &dyn Definition,
    calendar: &Calendar,
    now_ms: u64,
) -> Result<Vec<(&'static str, u32)>, EngineError> {
    let year = calendar.local(now_ms).0.ymd().0;
    definition
        .number_series()
        .iter()
        .map(|series| {
            let last = state
                .get(Column::Cases, &keys::document_series(series, year))?
                .map(|bytes| keys::read_u32(&bytes))
                .transpose()?;
            Ok((*series, last.unwrap_or(0)))
        })
        .collect()
}

/// The case that gave `number`, if any gave it.
pub fn document_case(
    snapshot: &dyn tanba_store::Snapshot,
    number: &tanba_types::DocumentNumber,
) -> Result<Option<CaseId>, EngineError> {
    snapshot
        .get(Column::Cases, &keys::document_number(number))?
        .map(|bytes| keys::read_u64(&bytes))
        .transpose()
}

/// Decides a case command.
pub(crate) fn decide(
    state: &State,
    context: &Context,
    command: &CaseCommand,
) -> Result<Vec<Event>, EngineError> {
    match command {
        CaseCommand::Open { .. } => open(state, context, command),
        CaseCommand::Step {
            case,
            transition,
            form,
            attachments,
            signature,
        } => step(
            state,
            context,
            *case,
            transition,
            form,
            attachments,
            signature,
        ),
        CaseCommand::ReadNotice { notice } => read_notice(state, context, *notice),
        CaseCommand::Tick => crate::tick::tick(state, context),
    }
}

fn open(
    state: &State,
    context: &Context,
    command: &CaseCommand,
) -> Result<Vec<Event>, EngineError> {
    let CaseCommand::Open {
        kind,
        transition,
        authority,
        parent,
        named,
        form,
        attachments,
        signature,
    } = command
    else {
        unreachable!("open is called with an opening");
    };
    let participant = acting_participant(state, context.actor)?;
    let definition = context.cases.definition(kind)?;
    if open_cases(state, &participant.id)? >= OPEN_CASES_PER_PARTY_MAX {
        return Err(EngineError::LimitExceeded {
            what: "open cases of one party",
            max: OPEN_CASES_PER_PARTY_MAX as usize,
        });
    }
    if let Some(role) = definition.opener_roles().first()
        && !definition
            .opener_roles()
            .iter()
            .any(|role| participant.has_role(*role))
    {
        return Err(EngineError::RoleRequired(*role));
    }
    check_signature(signature)?;
    check_name("transition", transition)?;
    let authority = check_authority(state, definition, *authority)?;
    let parent_record = check_parent(state, definition, *parent)?;
    check_named(state, named, participant.id)?;
    check_stored(state, attachments, &participant.id)?;
    let calendar = context.cases.calendar(state)?;
    let references = context.cases.references(state)?;
    let opening = CaseOpening {
        kind: definition.kind().to_owned(),
        text_version: definition.text_version().to_owned(),
        party: participant.id,
        authority,
        parent: *parent,
        named: named.clone(),
        references: references.versions(),
    };
    let last = last_numbers(state, definition, &calendar, context.time_ms)?;
    let step_context = StepContext {
        now_ms: context.time_ms,
        calendar: &calendar,
        references: &references,
        last_numbers: &last,
    };
    let submitted = Submitted {
        transition,
        form,
        attachments,
        actor: participant.id,
    };
    let case = context.next_sequence;
    let parent_view = (*parent)
        .zip(parent_record.as_ref())
        .map(|(id, record)| ParentView {
            id,
            opening: &record.opening,
            state: &record.state,
            data: &record.data,
        });
    let execution = executor::open(
        definition,
        case,
        &opening,
        parent_view,
        &submitted,
        &step_context,
    )?;
    let step = CaseStep {
        case,
        transition: transition.clone(),
        state: execution.state.clone(),
        closed: execution.closed,
        form: form.clone(),
        attachments: attachments.clone(),
        signature: signature.clone(),
    };
    let party = opening.party;
    let mut events = vec![Event::CaseOpened { opening, step }];
    events.extend(effects(state, context, case, party, execution)?);
    Ok(events)
}

fn step(
    state: &State,
    context: &Context,
    case: CaseId,
    transition: &str,
    form: &Form,
    attachments: &[AttachmentRef],
    signature: &[u8],
) -> Result<Vec<Event>, EngineError> {
    let participant = acting_participant(state, context.actor)?;
    let record = case_record(state, case)?.ok_or(EngineError::UnknownCase(case))?;
    let roles = roles_in(&record.opening, &participant);
    if roles.is_empty() {
        // A stranger learns nothing, not even that the case exists.
        return Err(EngineError::UnknownCase(case));
    }
    let definition = context.cases.definition(&record.opening.kind)?;
    check_signature(signature)?;
    check_name("transition", transition)?;
    check_stored(state, attachments, &participant.id)?;
    if record.taken.len() >= CASE_STEPS_MAX {
        return Err(EngineError::LimitExceeded {
            what: "steps of one case",
            max: CASE_STEPS_MAX,
        });
    }
    if record.attachments.len() + attachments.len() > CASE_ATTACHMENTS_MAX {
        return Err(EngineError::LimitExceeded {
            what: "attachments of one case",
            max: CASE_ATTACHMENTS_MAX,
        });
    }
    let calendar = context.cases.calendar(state)?;
    let references = context.cases.references(state)?;
    let last = last_numbers(state, definition, &calendar, context.time_ms)?;
    let step_context = StepContext {
        now_ms: context.time_ms,
        calendar: &calendar,
        references: &references,
        last_numbers: &last,
    };
    let clocks = record.clock_values();
    let view = view(case, &record, &clocks);
    let submitted = Submitted {
        transition,
        form,
        attachments,
        actor: participant.id,
    };
    let execution = executor::step(definition, &view, &submitted, &roles, &step_context)?;
    let mut events = vec![Event::CaseStepped(CaseStep {
        case,
        transition: transition.to_owned(),
        state: execution.state.clone(),
        closed: execution.closed,
        form: form.clone(),
        attachments: attachments.to_vec(),
        signature: signature.to_vec(),
    })];
    events.extend(effects(
        state,
        context,
        case,
        record.opening.party,
        execution,
    )?);
    Ok(events)
}

fn read_notice(
    state: &State,
    context: &Context,
    notice: NoticeId,
) -> Result<Vec<Event>, EngineError> {
    let participant = acting_participant(state, context.actor)?;
    let record = notice_record(state, notice)?
        .filter(|record| record.notice.to == participant.id)
        .ok_or(EngineError::UnknownNotice(notice))?;
    if record.read_ms.is_some() {
        return Err(EngineError::Invalid {
            field: "notice",
            reason: "the notice was read before",
        });
    }
    Ok(vec![Event::NoticeRead { notice }])
}

/// The roles `participant` holds in a case.
pub fn roles_in(opening: &CaseOpening, participant: &Participant) -> Vec<CaseRole> {
    let mut roles = Vec::new();
    if opening.party == participant.id {
        roles.push(CaseRole::Party);
    }
    if opening.authority == Some(participant.id) && participant.has_role(Role::Authority) {
        roles.push(CaseRole::Official);
    }
    if opening.named.contains(&participant.id) {
        roles.push(CaseRole::Named);
    }
    roles
}

/// What the executor sees of a stored case.
pub(crate) fn view<'a>(
    case: CaseId,
    record: &'a CaseRecord,
    clocks: &'a BTreeMap<String, tanba_types::LegalClock>,
) -> CaseView<'a> {
    CaseView {
        id: case,
        opening: &record.opening,
        state: &record.state,
        data: &record.data,
        clocks,
        attachments: &record.attachments,
        taken: &record.taken,
        opened_ms: record.opened_ms,
    }
}

/// The events of an execution besides the step itself: clock values, notices, goods.
pub(crate) fn effects(
    state: &State,
    context: &Context,
    case: CaseId,
    party: TaxpayerId,
    execution: Execution,
) -> Result<Vec<Event>, EngineError> {
    let mut events: Vec<Event> = execution
        .clocks
        .into_iter()
        .map(|update| clock_event(case, update))
        .collect();
    if let Some(stage) = execution.stage {
        events.push(Event::StageReported(tanba_types::StageReport {
            case,
            kind: stage.kind.to_owned(),
            stage: stage.name,
            state: execution.state.clone(),
            deadline: stage.deadline,
            on_time: stage.on_time,
        }));
    }
    events.extend(
        execution
            .numbers
            .into_iter()
            .map(|number| Event::DocumentNumbered { case, number }),
    );
    for (to, draft) in execution.notices {
        if state.participant(&to)?.is_none() {
            return Err(EngineError::UnknownParticipant(to));
        }
        for text in [&draft.subject, &draft.body] {
            check_texts(text)?;
        }
        events.push(Event::NoticeSent(Notice {
            to,
            case,
            kind: draft.kind.to_owned(),
            subject: draft.subject,
            body: draft.body,
        }));
    }
    for request in execution.goods {
        events.extend(crate::scope::decide(state, context, case, party, request)?);
    }
    Ok(events)
}

/// A clock update as an event.
pub(crate) fn clock_event(case: CaseId, update: ClockUpdate) -> Event {
    Event::CaseClockSet {
        case,
        clock: update.name,
        change: update.change,
        value: update.value,
        next_rung_ms: update.next_rung_ms,
    }
}

fn check_texts(texts: &Texts) -> Result<(), EngineError> {
    let long = [&texts.kk, &texts.ru, &texts.en]
        .iter()
        .any(|text| text.chars().count() > NOTICE_TEXT_CHARS_MAX);
    if long {
        return Err(EngineError::LimitExceeded {
            what: "characters of a notice",
            max: NOTICE_TEXT_CHARS_MAX,
        });
    }
    Ok(())
}

fn check_name(field: &'static str, name: &str) -> Result<(), EngineError> {
    if name.is_empty() || name.len() > CASE_NAME_CHARS_MAX {
        return Err(EngineError::Invalid {
            field,
            reason: "1 to 64 characters",
        });
    }
    Ok(())
}

/// The authority a case names: required when the procedure has one, and then a registered,
/// active participant holding the authority role.
fn check_authority(
    state: &State,
    definition: &dyn Definition,
    authority: Option<TaxpayerId>,
) -> Result<Option<TaxpayerId>, EngineError> {
    let Some(id) = authority else {
        if definition.requires_authority() {
            return Err(CaseError::Authority("the case must name its authority".into()).into());
        }
        return Ok(None);
    };
    let participant = state.participant(&id)?;
    let is_authority = participant.is_some_and(|participant| {
        participant.has_role(Role::Authority)
            && participant.status == tanba_types::ParticipantStatus::Active
    });
    if !is_authority {
        return Err(CaseError::Authority(format!("{id} is not an active authority")).into());
    }
    Ok(Some(id))
}

/// The case an opening belongs to: of the kind its definition names (required unless the
/// definition makes it optional), or none.
fn check_parent(
    state: &State,
    definition: &dyn Definition,
    parent: Option<CaseId>,
) -> Result<Option<CaseRecord>, EngineError> {
    match (definition.parent_kind(), parent) {
        (None, None) => Ok(None),
        (Some(_), None) if definition.parent_optional() => Ok(None),
        (None, Some(_)) => {
            Err(CaseError::Parent(format!("a {} case belongs to none", definition.kind())).into())
        }
        (Some(kind), None) => {
            Err(CaseError::Parent(format!("it must belong to a {kind} case")).into())
        }
        (Some(kind), Some(parent)) => match case_record(state, parent)? {
            Some(record) if record.opening.kind == kind => Ok(Some(record)),
            _ => Err(CaseError::Parent(format!("{parent} is not a {kind} case")).into()),
        },
    }
}

fn check_named(state: &State, named: &[TaxpayerId], party: TaxpayerId) -> Result<(), EngineError> {
    if named.len() > CASE_NAMED_MAX {
        return Err(EngineError::LimitExceeded {
            what: "parties one case names",
            max: CASE_NAMED_MAX,
        });
    }
    for (index, id) in named.iter().enumerate() {
        if *id == party || named[..index].contains(id) {
            return Err(EngineError::Invalid {
                field: "named",
                reason: "each party once, and not the case's own party",
            });
        }
        if state.participant(id)?.is_none() {
            return Err(EngineError::UnknownParticipant(*id));
        }
    }
    Ok(())
}

/// Every attachment a step names is stored, with the size it states, and was uploaded by the
/// step's actor: decided from the log's record of the upload
/// ([`Event::AttachmentRecorded`]), never from a node's own blobs, so every node decides alike.
fn check_stored(
    state: &State,
    attachments: &[AttachmentRef],
    actor: &TaxpayerId,
) -> Result<(), EngineError> {
    for attachment in attachments {
        let recorded = state.get(Column::Cases, &uploaded_key(&attachment.hash, actor))?;
        if recorded.as_deref() != Some(&attachment.size_bytes.to_be_bytes()[..]) {
            return Err(EngineError::UnknownAttachment(attachment.name.clone()));
        }
    }
    Ok(())
}

/// Cases column prefix: an upload, by hash and uploader (value: its size, u64 BE).
const UPLOADED: u8 = b'A';

fn uploaded_key(hash: &[u8; 32], uploader: &TaxpayerId) -> Vec<u8> {
    let mut key = vec![UPLOADED];
    key.extend_from_slice(hash);
    key.extend_from_slice(&keys::participant(uploader));
    key
}

/// Decides the record of an upload: an active participant's, of 1 byte to the limit.
pub(crate) fn record_attachment(
    state: &State,
    context: &Context,
    hash: &[u8; 32],
    size_bytes: u64,
) -> Result<Vec<Event>, EngineError> {
    acting_participant(state, context.actor)?;
    if size_bytes == 0 || size_bytes > ATTACHMENT_BYTES_MAX {
        return Err(EngineError::Invalid {
            field: "size_bytes",
            reason: "an attachment has at least one byte and at most its limit",
        });
    }
    Ok(vec![Event::AttachmentRecorded {
        hash: *hash,
        size_bytes,
    }])
}

/// Applies the record of an upload: its uploader may name it in a step from here.
pub(crate) fn apply_attachment(
    state: &mut State,
    sequence: u64,
    actor: tanba_types::Actor,
    hash: &[u8; 32],
    size_bytes: u64,
) -> Result<(), EngineError> {
    let uploader = actor
        .principal()
        .ok_or_else(|| EngineError::Corrupt("an upload recorded by no participant".into()))?;
    let key = uploaded_key(hash, &uploader);
    state.put(Column::Cases, key, size_bytes.to_be_bytes().to_vec());
    crate::blobs::note_named(state, sequence, hash);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Records.

/// A case's record.
pub(crate) fn case_record(state: &State, case: CaseId) -> Result<Option<CaseRecord>, EngineError> {
    state
        .get(Column::Cases, &keys::numbered(keys::CASE, case))?
        .map(|bytes| decode(&bytes))
        .transpose()
}

/// A notice's record.
pub(crate) fn notice_record(
    state: &State,
    notice: NoticeId,
) -> Result<Option<NoticeRecord>, EngineError> {
    state
        .get(Column::Cases, &keys::numbered(keys::NOTICE, notice))?
        .map(|bytes| decode(&bytes))
        .transpose()
}

pub(crate) fn put_case(state: &mut State, case: CaseId, record: &CaseRecord) {
    state.put(
        Column::Cases,
        keys::numbered(keys::CASE, case),
        encode(record),
    );
}

// ---------------------------------------------------------------------------------------------
// Applying.

/// Applies a case event (`crate::apply` sends each here).
pub(crate) fn apply(state: &mut State, record: &LogRecord) -> Result<(), EngineError> {
    let sequence = record.sequence;
    match &record.event {
        Event::CaseOpened { opening, step } => {
            assert_eq!(step.case, sequence, "a case's id is its opening's sequence");
            let case = CaseRecord {
                opening: opening.clone(),
                opened_ms: record.time_ms,
                state: step.state.clone(),
                closed: step.closed,
                data: step.form.clone(),
                clocks: BTreeMap::new(),
                attachments: step.attachments.clone(),
                taken: vec![(step.transition.clone(), opening.party)],
                updated_ms: record.time_ms,
                next_rung_ms: None,
                numbers: Vec::new(),
            };
            let parties = std::iter::once(&opening.party).chain(&opening.named);
            for party in parties {
                let key = participant_case(keys::CASE_PARTY, party, sequence);
                state.put(Column::Cases, key, Vec::new());
            }
            if let Some(authority) = &opening.authority {
                let key = participant_case(keys::CASE_AUTHORITY, authority, sequence);
                state.put(Column::Cases, key, Vec::new());
            }
            if let Some(parent) = opening.parent {
                let key = keys::numbered_pair(keys::CASE_CHILDREN, parent, sequence);
                state.put(Column::Cases, key, Vec::new());
            }
            if !step.closed {
                count_open(state, &opening.party, 1)?;
            }
            put_case(state, sequence, &case);
            add_case_history(state, sequence, sequence);
        }
        Event::CaseStepped(step) => {
            let mut case = existing(state, step.case)?;
            if step.closed && !case.closed {
                count_open(state, &case.opening.party, -1)?;
            }
            case.state = step.state.clone();
            case.closed = step.closed;
            case.data.extend(step.form.clone());
            case.attachments.extend(step.attachments.iter().cloned());
            if let Some(actor) = record.actor.caller() {
                case.taken.push((step.transition.clone(), actor));
            }
            case.updated_ms = record.time_ms;
            put_case(state, step.case, &case);
            add_case_history(state, step.case, sequence);
        }
        Event::CaseClockSet {
            case,
            clock,
            value,
            next_rung_ms,
            ..
        } => {
            let mut record_ = existing(state, *case)?;
            record_.clocks.insert(
                clock.clone(),
                crate::records::ClockEntry {
                    value: value.clone(),
                    next_rung_ms: *next_rung_ms,
                },
            );
            set_next_rung(state, *case, &mut record_);
            record_.updated_ms = record.time_ms;
            put_case(state, *case, &record_);
            add_case_history(state, *case, sequence);
        }
        Event::NoticeSent(notice) => {
            let stored = NoticeRecord {
                notice: notice.clone(),
                made_available_ms: record.time_ms,
                read_ms: None,
            };
            state.put(
                Column::Cases,
                keys::numbered(keys::NOTICE, sequence),
                encode(&stored),
            );
            let key = participant_case(keys::INBOX, &notice.to, sequence);
            state.put(Column::Cases, key, Vec::new());
            add_case_history(state, notice.case, sequence);
        }
        Event::NoticeRead { notice } => {
            let mut stored = notice_record(state, *notice)?
                .ok_or_else(|| EngineError::Corrupt(format!("notice {notice} is missing")))?;
            stored.read_ms.get_or_insert(record.time_ms);
            state.put(
                Column::Cases,
                keys::numbered(keys::NOTICE, *notice),
                encode(&stored),
            );
        }
        Event::ScopeBlocked { case, scope } => {
            let party = existing(state, *case)?.opening.party;
            crate::scope::apply_blocked(state, *case, party, scope, record.time_ms)?;
            add_case_history(state, *case, sequence);
        }
        Event::ScopeReleased { case } => {
            crate::scope::apply_released(state, *case)?;
            add_case_history(state, *case, sequence);
        }
        Event::HoldersCounted { case, holdings } => {
            crate::sweep::apply_counted(state, *case, holdings)?;
            add_case_history(state, *case, sequence);
        }
        Event::SweepMoved { case, job } => crate::sweep::apply_moved(state, *case, job),
        Event::StageReported(report) => {
            state.put(
                Column::Cases,
                keys::numbered(keys::STAGE, sequence),
                Vec::new(),
            );
            add_case_history(state, report.case, sequence);
        }
        Event::DocumentNumbered { case, number } => {
            let mut record_ = existing(state, *case)?;
            record_.numbers.push(number.clone());
            put_case(state, *case, &record_);
            state.put(
                Column::Cases,
                keys::document_series(&number.series, number.year),
                number.number.to_be_bytes().to_vec(),
            );
            state.put(
                Column::Cases,
                keys::document_number(number),
                case.to_be_bytes().to_vec(),
            );
            add_case_history(state, *case, sequence);
        }
        Event::CasesRecomputed { version, through } => {
            crate::tick::apply_recomputed(state, *version, *through);
        }
        other => unreachable!("not a case event: {}", other.name()),
    }
    Ok(())
}

/// A case that must exist (an event or an index names it).
pub(crate) fn existing(state: &State, case: CaseId) -> Result<CaseRecord, EngineError> {
    case_record(state, case)?.ok_or_else(|| EngineError::Corrupt(format!("case {case} is missing")))
}

/// How many open cases `party` is the party of.
fn open_cases(state: &State, party: &TaxpayerId) -> Result<u32, EngineError> {
    state
        .get(
            Column::Cases,
            &keys::participant_index_prefix(keys::OPEN_CASES, party),
        )?
        .map(|bytes| keys::read_u32(&bytes))
        .transpose()
        .map(Option::unwrap_or_default)
}

/// Counts a case of `party`'s opening (`+1`) or closing (`-1`).
fn count_open(state: &mut State, party: &TaxpayerId, change: i64) -> Result<(), EngineError> {
    let count = i64::from(open_cases(state, party)?) + change;
    let count = u32::try_from(count)
        .map_err(|_| EngineError::Corrupt(format!("{party}'s open cases went below zero")))?;
    state.put(
        Column::Cases,
        keys::participant_index_prefix(keys::OPEN_CASES, party),
        count.to_be_bytes().to_vec(),
    );
    Ok(())
}

/// Moves the case's entry in the due-time index to its clocks' earliest next rung.
fn set_next_rung(state: &mut State, case: CaseId, record: &mut CaseRecord) {
    let next = record
        .clocks
        .values()
        .filter_map(|entry| entry.next_rung_ms)
        .min();
    if next == record.next_rung_ms {
        return;
    }
    if let Some(old) = record.next_rung_ms {
        state.delete(
            Column::Cases,
            keys::numbered_pair(keys::CASE_DUE, old, case),
        );
    }
    if let Some(new) = next {
        state.put(
            Column::Cases,
            keys::numbered_pair(keys::CASE_DUE, new, case),
            Vec::new(),
        );
    }
    record.next_rung_ms = next;
}

/// Adds an event to a case's history.
pub(crate) fn add_case_history(state: &mut State, case: CaseId, sequence: u64) {
    state.put(
        Column::Cases,
        keys::numbered_pair(keys::CASE_HISTORY, case, sequence),
        Vec::new(),
    );
}

/// A participant's entry in one of the cases column's per-participant tables.
pub(crate) fn participant_case(tag: u8, id: &TaxpayerId, number: u64) -> Vec<u8> {
    keys::participant_index(tag, id, number)
}
