//! EPCIS 2.0 (issue 14): the events a participant may see, as EPCIS events, a page at a time;
//! and a partner system's capture, run as the participant's commands.
//!
//! Who sees what is the own-goods feed's rule: a participant sees the goods events it takes
//! part in ([`tanba_engine::feed::takes_part`]), the operator every goods event. A page reads
//! the store from its position (never a copy of the log): a query that names codes follows
//! their histories, one with a time bound starts where the log reaches that time (the log's
//! times never go back, so a binary search finds it), and every page stops after
//! [`QUERY_SCAN_ENTRIES_MAX`] entries read, with a token to go on from there.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value;
use tanba_engine::{EngineError, query};
use tanba_epcis::capture::{self, CaptureProblem, Planned};
use tanba_epcis::export::{ExportError, LogLookup, events_of};
use tanba_epcis::query::{EventQuery, PagePosition};
use tanba_log::{FeedKind, FeedName, LogRecord};
use tanba_store::Snapshot;
use tanba_types::{Actor, Command, Language, Localized, Role, TaxpayerId, localize};

use crate::app::Call;
use crate::error::ApiError;

/// Log entries one page reads at most before it answers with what it found.
pub const QUERY_SCAN_ENTRIES_MAX: usize = 20_000;
/// Identifiers one page renders at most (every one hashed with its event, kept or not): past it
/// the page answers with what it found, and a token to go on after the entry that passed it.
pub const QUERY_RENDERED_IDENTIFIERS_MAX: usize = 100_000;
/// Queries read at once, over every participant (each holds a blocking thread).
pub const QUERIES_IN_FLIGHT_MAX: usize = 4;
/// Bytes of log records one read takes at most.
const SCAN_BATCH_BYTES_MAX: usize = 4 << 20;
/// Entries one read takes at most.
const SCAN_BATCH_ENTRIES_MAX: usize = 1_000;
/// Codes whose histories one query follows at most (more: the log is read in order).
pub const QUERY_NAMED_CODES_MAX: usize = 20;
/// Captures read and checked at once, over every participant (the schema check is CPU work).
pub const CAPTURES_IN_FLIGHT_MAX: usize = 2;
/// Capture jobs remembered, over every participant (the oldest is forgotten first).
pub const CAPTURE_JOBS_KEPT_MAX: usize = 10_000;
/// Capture jobs remembered of one participant (its oldest is forgotten first): one partner
/// cannot push everyone else's jobs out.
pub const CAPTURE_JOBS_PER_PARTICIPANT_KEPT: usize = 100;

/// Who may query events and capture: whoever follows its own goods (and, for queries, the
/// operator, who sees every goods event).
pub fn readers() -> &'static [Role] {
    crate::service::feeds::readers(FeedName::Kind(FeedKind::Goods))
}

/// Who may capture: a participant with goods of its own.
pub const CAPTURING_ROLES: &[Role] = &[
    Role::Producer,
    Role::Importer,
    Role::Wholesaler,
    Role::Retailer,
];

/// The log, read from a snapshot, for [`events_of`].
pub struct SnapshotLookup<'a>(pub &'a dyn Snapshot);

impl LogLookup for SnapshotLookup<'_> {
    fn record(&self, sequence: u64) -> Result<Option<LogRecord>, ExportError> {
        query::log_record(self.0, sequence).map_err(|error| ExportError::Log(error.to_string()))
    }
}

/// A page of events.
#[derive(Debug, Clone, PartialEq)]
pub struct EventsPage {
    /// The events, in the order asked.
    pub events: Vec<Value>,
    /// Where the next page starts, if there may be more.
    pub next: Option<PagePosition>,
    /// The last log entry read (a subscription's cursor moves past it when nothing matched).
    pub through: u64,
}

/// The events the caller may see that answer `query`, a page of them: read off the async
/// workers, at most [`QUERIES_IN_FLIGHT_MAX`] at once (past it: over the rate, try again).
pub async fn events(call: &mut Call<'_>, query: EventQuery) -> Result<EventsPage, ApiError> {
    let who = call.participant_with(readers())?;
    call.note_reference("epcis events");
    for named in query
        .named_codes()
        .into_iter()
        .flatten()
        .take(QUERY_NAMED_CODES_MAX)
    {
        call.note_reference(named);
    }
    let _reading = (call.app().epcis.queries)
        .try_acquire()
        .map_err(|_| ApiError::rate_limited())?;
    crate::service::read_blocking(call, move |snapshot| {
        read_page(snapshot, &who, &query, Histories::Follow)
    })
    .await
}

/// Whether a page may follow the named codes' histories (a caller's query) or reads the log
/// in order (a subscription, which reads only what is new after its cursor).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Histories {
    /// Follow them.
    Follow,
    /// Read the log.
    Ignore,
}

/// The events `who` may see that answer `query`, a page of them, from one snapshot (a
/// caller's, or a subscription's on its owner's behalf).
pub fn read_page(
    snapshot: &dyn Snapshot,
    who: &tanba_types::Participant,
    query: &EventQuery,
    histories: Histories,
) -> Result<EventsPage, ApiError> {
    let head = tanba_engine::log::stored_head(snapshot)?.sequence;
    let viewer = (!who.has_role(Role::Operator)).then_some(who.id);
    let mut reader = PageReader::new(snapshot, query, viewer);
    if query.matches_nothing {
        return Ok(reader.finish());
    }
    let named = match histories {
        Histories::Follow => named_sequences(snapshot, query)?,
        Histories::Ignore => None,
    };
    match named {
        Some(sequences) => reader.read_sequences(&sequences)?,
        None if query.descending => reader.read_backward(head)?,
        None => reader.read_forward(head)?,
    }
    Ok(reader.finish())
}

/// The sequences of the histories of the codes `query` names, in its order; `None` if it names
/// none, or more than [`QUERY_NAMED_CODES_MAX`], or one that is not a marking code.
fn named_sequences(
    snapshot: &dyn Snapshot,
    query: &EventQuery,
) -> Result<Option<Vec<u64>>, ApiError> {
    let Some(named) = query.named_codes() else {
        return Ok(None);
    };
    if named.len() > QUERY_NAMED_CODES_MAX {
        return Ok(None);
    }
    let mut sequences = std::collections::BTreeSet::new();
    for uri in &named {
        let Ok(code) = capture::code_key(uri) else {
            return Ok(None);
        };
        // Going forward from a token, the history before it is not read again.
        let mut after = match (query.descending, query.page) {
            (false, Some(page)) => page.sequence.saturating_sub(1),
            _ => 0,
        };
        loop {
            // A code nobody issued has no history: the same answer as a code not the
            // caller's, so a query cannot tell which serials exist.
            let records = match query::history(
                snapshot,
                &code,
                after,
                tanba_types::limits::PAGE_ENTRIES_MAX,
            ) {
                Err(EngineError::UnknownCode(_)) => Vec::new(),
                read => read?,
            };
            let Some(last) = records.last().map(|record| record.sequence) else {
                break;
            };
            sequences.extend(records.iter().map(|record| record.sequence));
            if records.len() < tanba_types::limits::PAGE_ENTRIES_MAX
                || sequences.len() > QUERY_SCAN_ENTRIES_MAX
            {
                break;
            }
            after = last;
        }
    }
    let mut sequences: Vec<u64> = sequences.into_iter().collect();
    if query.descending {
        sequences.reverse();
    }
    Ok(Some(sequences))
}

/// A page being filled.
struct PageReader<'a> {
    snapshot: &'a dyn Snapshot,
    query: &'a EventQuery,
    viewer: Option<TaxpayerId>,
    events: Vec<Value>,
    next: Option<PagePosition>,
    scanned: usize,
    /// Identifiers rendered so far (kept or not): what a page's CPU and memory follow.
    rendered: usize,
    through: u64,
    done: bool,
}

impl<'a> PageReader<'a> {
    fn new(snapshot: &'a dyn Snapshot, query: &'a EventQuery, viewer: Option<TaxpayerId>) -> Self {
        PageReader {
            snapshot,
            query,
            viewer,
            events: Vec::new(),
            next: None,
            scanned: 0,
            rendered: 0,
            through: 0,
            done: false,
        }
    }

    fn finish(self) -> EventsPage {
        EventsPage {
            events: self.events,
            next: self.next,
            through: self.through,
        }
    }

    fn limit(&self) -> usize {
        self.query
            .per_page
            .min(self.query.event_count_limit.unwrap_or(usize::MAX))
    }

    /// Whether `sequence` is on the page's side of its token.
    fn past_token(&self, sequence: u64) -> bool {
        self.query
            .page
            .is_none_or(|page| match self.query.descending {
                false => sequence >= page.sequence,
                true => sequence <= page.sequence,
            })
    }

    /// Reads the entries after the token or from the first moment asked, in order.
    fn read_forward(&mut self, head: u64) -> Result<(), ApiError> {
        let mut cursor = match (self.query.page, self.query.from_ms) {
            // A token after a whole entry starts after it; else at it, past its events seen.
            (Some(page), _) if page.index == u32::MAX => page.sequence,
            (Some(page), _) => page.sequence.saturating_sub(1),
            (None, Some(from_ms)) => {
                query::first_entry_at_or_after(self.snapshot, head, from_ms)?.saturating_sub(1)
            }
            (None, None) => 0,
        };
        while !self.done && cursor < head {
            let entries = tanba_engine::feed::entries_after(
                self.snapshot,
                cursor,
                SCAN_BATCH_ENTRIES_MAX,
                SCAN_BATCH_BYTES_MAX,
            )?;
            let Some(last) = entries.last().map(|entry| entry.sequence) else {
                break;
            };
            self.visit(entries)?;
            cursor = last;
        }
        Ok(())
    }

    /// Reads the entries before the token or the last moment asked, newest first.
    fn read_backward(&mut self, head: u64) -> Result<(), ApiError> {
        let mut cursor = match (self.query.page, self.query.before_ms) {
            (Some(page), _) => page.sequence.min(head),
            (None, Some(before_ms)) => {
                query::first_entry_at_or_after(self.snapshot, head, before_ms)?.saturating_sub(1)
            }
            (None, None) => head,
        };
        let mut window = SCAN_BATCH_ENTRIES_MAX as u64;
        while !self.done && cursor > 0 {
            let from = cursor.saturating_sub(window);
            let span = usize::try_from(cursor - from).unwrap_or(SCAN_BATCH_ENTRIES_MAX);
            let entries =
                tanba_engine::feed::entries_after(self.snapshot, from, span, SCAN_BATCH_BYTES_MAX)?;
            // The byte budget cut the window short of its newest entries, which come first
            // going back: read a smaller window (one entry always fits).
            let read_to = entries.last().map_or(from, |entry| entry.sequence);
            if read_to < cursor && window > 1 {
                window = (window / 2).max(1);
                continue;
            }
            self.visit(entries.into_iter().rev())?;
            cursor = from;
        }
        Ok(())
    }

    /// Takes the goods entries among `entries`, in the order given, and counts the rest, until
    /// the page is done.
    fn visit(
        &mut self,
        entries: impl IntoIterator<Item = tanba_engine::feed::FeedRead>,
    ) -> Result<(), ApiError> {
        for entry in entries {
            if self.done {
                break;
            }
            if entry.kinds.contains(FeedKind::Goods) {
                let record = tanba_engine::log::decode_record(&entry.record)?;
                self.take(&record)?;
            } else {
                self.count(entry.sequence);
            }
        }
        Ok(())
    }

    /// Reads the entries `sequences` names (a code's history), past the token.
    fn read_sequences(&mut self, sequences: &[u64]) -> Result<(), ApiError> {
        for sequence in sequences {
            if self.done {
                break;
            }
            if !self.past_token(*sequence) {
                continue;
            }
            let record = query::log_record(self.snapshot, *sequence)?.ok_or_else(|| {
                EngineError::Corrupt(format!("a history names missing entry {sequence}"))
            })?;
            self.take(&record)?;
        }
        Ok(())
    }

    /// Counts an entry read; past the budget the page ends, to go on after it.
    fn count(&mut self, sequence: u64) {
        self.scanned += 1;
        self.through = self.through.max(sequence);
        let spent = self.scanned >= QUERY_SCAN_ENTRIES_MAX
            || self.rendered >= QUERY_RENDERED_IDENTIFIERS_MAX;
        if spent && !self.done {
            self.done = true;
            let index = if self.query.descending { 0 } else { u32::MAX };
            self.next = Some(PagePosition { sequence, index });
        }
    }

    /// Adds the events of `record` that answer the query and are the viewer's to see.
    fn take(&mut self, record: &LogRecord) -> Result<(), ApiError> {
        let beyond = match self.query.descending {
            false => self
                .query
                .before_ms
                .is_some_and(|before| record.time_ms >= before),
            true => self.query.from_ms.is_some_and(|from| record.time_ms < from),
        };
        if beyond {
            // The log's times only grow: nothing further in this direction answers.
            self.done = true;
            return Ok(());
        }
        let visible = match &self.viewer {
            None => true,
            Some(viewer) => tanba_engine::feed::takes_part(self.snapshot, record, viewer)?,
        };
        if visible {
            let events = events_of(record, &SnapshotLookup(self.snapshot)).map_err(|error| {
                tracing::error!(%error, sequence = record.sequence, "an event has no EPCIS form");
                ApiError::internal()
            })?;
            self.rendered += events.iter().map(identifiers).sum::<usize>();
            self.add(record, events);
        }
        self.count(record.sequence);
        Ok(())
    }

    fn add(&mut self, record: &LogRecord, events: Vec<Value>) {
        let mut indexed: Vec<(usize, Value)> = events.into_iter().enumerate().collect();
        if self.query.descending {
            indexed.reverse();
        }
        for (index, event) in indexed {
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            let seen = self.query.page.is_some_and(|page| {
                page.sequence == record.sequence
                    && match self.query.descending {
                        false => index <= page.index,
                        true => index >= page.index,
                    }
            });
            if seen || !self.query.matches(&event, record.time_ms) {
                continue;
            }
            if self.events.len() == self.limit() {
                self.done = true;
                // Where this page stops: the event before this one.
                let previous = match self.query.descending {
                    false => index.checked_sub(1).map_or(
                        PagePosition {
                            sequence: record.sequence - 1,
                            index: u32::MAX,
                        },
                        |index| PagePosition {
                            sequence: record.sequence,
                            index,
                        },
                    ),
                    true => PagePosition {
                        sequence: record.sequence,
                        index: index + 1,
                    },
                };
                self.next = Some(previous);
                return;
            }
            self.events.push(event);
        }
    }
}

/// The identifiers an exported event names.
fn identifiers(event: &Value) -> usize {
    ["epcList", "childEPCs"]
        .iter()
        .filter_map(|list| event.get(*list).and_then(Value::as_array))
        .map(Vec::len)
        .sum::<usize>()
        + usize::from(event.get("parentID").is_some())
}

/// What a capture does when one event fails (the `GS1-Capture-Error-Behaviour` header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorBehaviour {
    /// Nothing is done if anything fails (the default).
    Rollback,
    /// Every event that can be is done; the rest are reported.
    Proceed,
}

impl ErrorBehaviour {
    /// The header's value.
    pub fn parse(value: Option<&str>) -> Result<ErrorBehaviour, ApiError> {
        match value.map(str::trim) {
            None | Some("rollback") => Ok(ErrorBehaviour::Rollback),
            Some("proceed") => Ok(ErrorBehaviour::Proceed),
            Some(_) => Err(ApiError::invalid("GS1-Capture-Error-Behaviour")),
        }
    }

    /// The header's value.
    pub fn name(self) -> &'static str {
        match self {
            ErrorBehaviour::Rollback => "rollback",
            ErrorBehaviour::Proceed => "proceed",
        }
    }
}

/// One event a capture did not do, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureFailure {
    /// The stable code.
    pub code: &'static str,
    /// The message in the caller's language.
    pub message: String,
    /// The event's place in the document, if it is about one.
    pub event: Option<usize>,
    /// Where, as a JSON pointer.
    pub pointer: String,
}

impl CaptureFailure {
    fn of(problem: &CaptureProblem, language: Language) -> CaptureFailure {
        CaptureFailure {
            code: problem.code(),
            message: localize(problem, language),
            event: problem.event,
            pointer: problem.pointer.clone(),
        }
    }

    fn refused(error: &EngineError, event: usize, language: Language) -> CaptureFailure {
        let error = match error {
            EngineError::InCapture { error, .. } => error.as_ref(),
            other => other,
        };
        CaptureFailure {
            code: error.code(),
            message: localize(error, language),
            event: Some(event),
            pointer: format!("/epcisBody/eventList/{event}"),
        }
    }
}

/// A capture job: what was asked and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureJob {
    /// Its id.
    pub id: u64,
    /// Who captured.
    pub owner: TaxpayerId,
    /// When it was made and finished, unix ms.
    pub created_ms: u64,
    /// When it finished.
    pub finished_ms: u64,
    /// The behaviour asked for.
    pub behaviour: ErrorBehaviour,
    /// The events in the document.
    pub events: usize,
    /// The events done.
    pub done: usize,
    /// The log entries written, first and last, if any.
    pub sequences: Option<(u64, u64)>,
    /// What was not done, and why (the first [`capture::CAPTURE_PROBLEMS_MAX`]).
    pub failures: Vec<CaptureFailure>,
    /// How many events were not done.
    pub failures_total: usize,
}

impl CaptureJob {
    /// Whether every event was done.
    pub fn success(&self) -> bool {
        self.failures.is_empty()
    }
}

/// The EPCIS doors' state on this server: the capture jobs it remembers, and the gates of
/// captures and queries under way.
pub struct EpcisDesk {
    next_id: AtomicU64,
    jobs: Mutex<std::collections::VecDeque<CaptureJob>>,
    /// Captures read and checked at once ([`CAPTURES_IN_FLIGHT_MAX`]).
    pub captures: tokio::sync::Semaphore,
    /// Queries read at once ([`QUERIES_IN_FLIGHT_MAX`]).
    pub queries: tokio::sync::Semaphore,
}

impl EpcisDesk {
    /// The desk of a server started at `now_ms`: job ids go on from there, so a restarted
    /// server never gives an id an earlier job had.
    pub fn new(now_ms: u64) -> EpcisDesk {
        EpcisDesk {
            next_id: AtomicU64::new(now_ms.saturating_mul(1_000)),
            jobs: Mutex::new(std::collections::VecDeque::new()),
            captures: tokio::sync::Semaphore::new(CAPTURES_IN_FLIGHT_MAX),
            queries: tokio::sync::Semaphore::new(QUERIES_IN_FLIGHT_MAX),
        }
    }

    /// Keeps `job`: past [`CAPTURE_JOBS_PER_PARTICIPANT_KEPT`] of its owner's, the owner's
    /// oldest goes; past [`CAPTURE_JOBS_KEPT_MAX`] in all, the oldest of anyone's.
    fn keep(&self, job: CaptureJob) {
        let mut jobs = self.jobs.lock().expect("capture jobs lock");
        let owned = jobs.iter().filter(|kept| kept.owner == job.owner).count();
        if owned >= CAPTURE_JOBS_PER_PARTICIPANT_KEPT
            && let Some(oldest) = jobs.iter().position(|kept| kept.owner == job.owner)
        {
            jobs.remove(oldest);
        }
        if jobs.len() >= CAPTURE_JOBS_KEPT_MAX {
            jobs.pop_front();
        }
        jobs.push_back(job);
    }

    fn find(&self, id: u64) -> Option<CaptureJob> {
        let jobs = self.jobs.lock().expect("capture jobs lock");
        jobs.iter().find(|job| job.id == id).cloned()
    }
}

/// A document that failed its checks: the problems, in the caller's language.
#[derive(Debug)]
pub struct RefusedDocument {
    /// The first problem, as the call's error.
    pub error: ApiError,
    /// Every problem found (at most [`capture::CAPTURE_PROBLEMS_MAX`]).
    pub problems: Vec<CaptureFailure>,
}

/// Captures `body` as the caller's commands (`who`, signed in with [`CAPTURING_ROLES`] before a
/// byte of the body was read): checked, mapped, then run all or nothing (or each alone, with
/// [`ErrorBehaviour::Proceed`]). A document that fails its checks is refused whole and makes
/// no job.
pub async fn capture(
    call: &mut Call<'_>,
    who: &tanba_types::Participant,
    body: Vec<u8>,
    behaviour: ErrorBehaviour,
) -> Result<Result<CaptureJob, RefusedDocument>, ApiError> {
    let language = call.language;
    let app = call.app();
    let created_ms = app.now_ms();
    let checked = tokio::task::spawn_blocking(move || {
        capture::read(&body).map(|document| {
            let plan = capture::plan(&document);
            (document.events.len(), plan)
        })
    })
    .await
    .map_err(|_| ApiError::internal())?;
    // A request that is no JSON object is refused; a document's own problems (the schema, the
    // vocabulary, too many events) are its job's, as EPCIS reports them, and nothing is done.
    let (events, (planned, problems)) = match checked {
        Ok(checked) => checked,
        Err(problems) if problems.iter().any(|problem| problem.kind.is_request()) => {
            return Ok(Err(refused_document(&problems, language)));
        }
        Err(problems) => (0, (Vec::new(), problems)),
    };
    call.note_reference(format!("epcis capture of {events} events"));
    let codes: Vec<tanba_types::CodeKey> = planned
        .iter()
        .flat_map(|one| capture_codes(&one.command))
        .collect();
    call.note_codes(&codes);
    // A capture weighs on its caller's rate by the codes it names, as every door's calls do.
    call.charge_codes(codes.len())?;
    let mut job = CaptureJob {
        id: app.epcis.next_id.fetch_add(1, Ordering::Relaxed),
        owner: who.id,
        created_ms,
        finished_ms: created_ms,
        behaviour,
        events,
        done: 0,
        sequences: None,
        failures: problems
            .iter()
            .map(|problem| CaptureFailure::of(problem, language))
            .collect(),
        failures_total: 0,
    };
    let actor = Actor::Participant(who.id);
    match behaviour {
        ErrorBehaviour::Rollback if job.failures.is_empty() => {
            run_all(call, actor, planned, &mut job).await?
        }
        ErrorBehaviour::Rollback => {}
        ErrorBehaviour::Proceed => run_each(call, actor, planned, &mut job).await?,
    }
    job.finished_ms = call.app().now_ms();
    job.failures.sort_by_key(|failure| failure.event);
    job.failures_total = job.failures.len();
    job.failures.truncate(capture::CAPTURE_PROBLEMS_MAX);
    call.app().epcis.keep(job.clone());
    Ok(Ok(job))
}

fn refused_document(problems: &[CaptureProblem], language: Language) -> RefusedDocument {
    let first = problems.first().expect("a refused document has a problem");
    RefusedDocument {
        error: ApiError::localized(crate::error::ErrorKind::InvalidArgument, first),
        problems: problems
            .iter()
            .map(|problem| CaptureFailure::of(problem, language))
            .collect(),
    }
}

/// Runs every planned command as one capture: all or nothing.
async fn run_all(
    call: &mut Call<'_>,
    actor: Actor,
    planned: Vec<Planned>,
    job: &mut CaptureJob,
) -> Result<(), ApiError> {
    let places: Vec<usize> = planned.iter().map(|one| one.event).collect();
    let commands: Vec<Command> = planned.into_iter().map(|one| one.command).collect();
    if commands.is_empty() {
        return Ok(());
    }
    match call.submit(actor, Command::Capture(commands)).await {
        Ok(receipt) => {
            job.done = places.len();
            job.sequences = Some((receipt.first_sequence, receipt.last_sequence));
        }
        Err(EngineError::InCapture { index, error }) => {
            let event = places.get(index).copied().unwrap_or_default();
            job.failures
                .push(CaptureFailure::refused(&error, event, call.language));
        }
        Err(error) if is_refusal(&error) => {
            let event = places.first().copied().unwrap_or_default();
            job.failures
                .push(CaptureFailure::refused(&error, event, call.language));
        }
        Err(error) => return Err(error.into()),
    }
    Ok(())
}

/// Runs each planned command alone: what can be done is.
async fn run_each(
    call: &mut Call<'_>,
    actor: Actor,
    planned: Vec<Planned>,
    job: &mut CaptureJob,
) -> Result<(), ApiError> {
    for one in planned {
        match call
            .submit(actor, Command::Capture(vec![one.command]))
            .await
        {
            Ok(receipt) => {
                job.done += 1;
                let first = job
                    .sequences
                    .map_or(receipt.first_sequence, |(first, _)| first);
                job.sequences = Some((first, receipt.last_sequence));
            }
            Err(error) if is_refusal(&error) => {
                job.failures
                    .push(CaptureFailure::refused(&error, one.event, call.language));
            }
            Err(error) => return Err(error.into()),
        }
    }
    Ok(())
}

/// The codes a captured command names.
fn capture_codes(command: &Command) -> Vec<tanba_types::CodeKey> {
    match command {
        Command::ReportApplied { codes, .. }
        | Command::Introduce { codes, .. }
        | Command::Disaggregate { codes }
        | Command::Withdraw { codes, .. } => codes.clone(),
        Command::Aggregate { parent, children } => std::iter::once(*parent)
            .chain(children.iter().copied())
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether the engine refused the command itself (not the disk, a full queue or a stop).
fn is_refusal(error: &EngineError) -> bool {
    !matches!(
        error,
        EngineError::Store(_)
            | EngineError::Corrupt(_)
            | EngineError::Busy
            | EngineError::QueueShareFull
            | EngineError::Stopped
            | EngineError::StoreUnavailable
            | EngineError::LogUnavailable(_)
    )
}

/// A capture job the caller may read: its own, or any for the operator.
pub fn capture_job(call: &mut Call<'_>, id: u64) -> Result<CaptureJob, ApiError> {
    let who = call.participant()?;
    call.note_reference(format!("epcis capture job {id}"));
    let job = call
        .app()
        .epcis
        .find(id)
        .ok_or_else(|| ApiError::not_found("capture job"))?;
    if job.owner != who.id && !who.has_role(Role::Operator) {
        // As if it did not exist: whose jobs there are is not the caller's to learn.
        return Err(ApiError::not_found("capture job"));
    }
    Ok(job)
}
