//! The public's calls, made without signing in: the check of a code (R-IS-07) with the
//! sighting it counts, a violation report, and a consumer's opt-in to direct recall notices
//! (R-REC-07) with its view and its deletion. Each is paid at the client's anonymous rate
//! (reports and opt-ins at the slower report rate too, and, as they write to the log, within
//! everyone's `PUBLIC_WRITES_PER_SECOND`; the flags checks raise have a budget of their own,
//! `FLAGS_PER_SECOND`). An opt-out is not within the public's budget: it names an opt-in in
//! force with its secret, so there are no more of them than opt-ins, and personal data is
//! never kept for want of room. A report is read from its door only once its rate is
//! paid: a flood of large bodies (a photo is up to 2 MiB) is refused unread. Reports, flags and
//! opt-ins are facts of the log, so any node answers them; the verdicts, sightings and photos
//! are [`crate::public`]'s, the sealed contacts [`crate::opt_ins`]'.

use std::future::Future;

use serde::Serialize;
use tanba_engine::consumers;
use tanba_engine::engine::Ticket;
use tanba_types::limits::REPORT_COMMENT_CHARS_MAX;
use tanba_types::{
    Actor, CodeKey, Command, Date, FlagReason, Location, PackageLevel, ReportFault, ScannedCode,
    ViolationKind, ViolationReport, reporter_network,
};

use super::Given;
use crate::app::{App, Call};
use crate::error::{ApiError, ErrorKind};
use crate::opt_ins::{self, OPT_IN_NOTICES_MAX};
use crate::public::{Lookup, Photo, PublicCheck, Verdict, lookup};

/// A violation report as the public sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The code, any form (none: "sold without a code").
    pub code: Option<String>,
    /// What kind of violation.
    pub kind: Given<ViolationKind>,
    /// The reporter's words.
    pub comment: String,
    /// Where, if given: latitude and longitude in degrees.
    pub location: Given<Option<(f64, f64)>>,
    /// A photo's bytes, if one came (the door read at most
    /// [`REPORT_PHOTO_BYTES_MAX`](crate::public::REPORT_PHOTO_BYTES_MAX) of it; an empty one
    /// is none).
    pub photo: Given<Option<Vec<u8>>>,
}

/// An opt-in made: its id and the secret the consumer needs to read or delete it.
#[derive(Debug, Serialize)]
pub struct OptedIn {
    /// The opt-in's id.
    pub opt_in: u64,
    /// The secret (shown once; only its hash is kept).
    pub token: String,
}

/// A direct notice to a consumer.
#[derive(Debug, Serialize)]
pub struct ConsumerNotice {
    /// The case.
    pub case: u64,
    /// When it was made available, unix milliseconds.
    pub made_available_ms: u64,
    /// Its text in the language asked for.
    pub notice: String,
}

/// An opt-in as its consumer sees it.
#[derive(Debug, Serialize)]
pub struct OptInView {
    /// Its id.
    pub opt_in: u64,
    /// The unit, bracketed.
    pub code: String,
    /// The contact left.
    pub contact: String,
    /// The notices made available to it.
    pub notices: Vec<ConsumerNotice>,
}

/// The public check of a code (any form; none: the request named none), in the call's
/// language, with the sighting it counts: a code checked with its genuine tail from many
/// networks within minutes is flagged as a likely copy.
pub async fn check(call: &mut Call<'_>, code: Option<&str>) -> Result<PublicCheck, ApiError> {
    call.anonymous()?;
    let scanned = ScannedCode::read(code.ok_or_else(|| ApiError::invalid("code"))?)?;
    call.note_codes([&scanned.key]);
    let app = call.app();
    let now_ms = app.now_ms();
    let snapshot = app.engine.snapshot();
    let today = Date::from_unix_ms_in_kz(now_ms);
    let mut answer = crate::public::check(
        snapshot.as_ref(),
        app.engine.cases(),
        &scanned,
        call.language,
        today,
    )?;
    drop(snapshot);
    // Only a check with the genuine tail proves the code itself was seen: its text alone is on
    // every photo of the pack, and anyone can type it from four networks.
    if answer.verdict != Verdict::UnknownOrForged
        && answer.tail_checked
        && app.public.sighted(&scanned.key, call.client_ip, now_ms)
    {
        if raise_flag(app, scanned.key, FlagReason::SeenInManyPlaces).await {
            answer.flagged_as_likely_copy = true;
            answer.likely_copy_evidence = answer.likely_copy_evidence.saturating_add(1);
        } else {
            // Not recorded: the window starts again, so the evidence can flag it next time.
            app.public.forget_sightings(&scanned.key);
        }
    }
    Ok(answer)
}

/// Submits the system's flag on a code, on one more piece of evidence: the flag is the
/// server's conclusion, not the caller's write, so it is the system's command. A flag the engine
/// cannot take (its queue full, say) is counted and logged; the evidence comes again.
pub(crate) fn submit_flag(app: &App, code: CodeKey, reason: FlagReason) -> Option<Ticket> {
    let command = Command::FlagLikelyCopy { code, reason };
    match app.engine.submit_noted(Actor::System, command, None) {
        Ok(ticket) => {
            tracing::info!(%code, ?reason, "code flagged as a likely copy");
            metrics::counter!("tanba_flags_raised_total").increment(1);
            Some(ticket)
        }
        Err(error) => {
            metrics::counter!("tanba_flags_dropped_total").increment(1);
            tracing::warn!(%code, %error, "a likely-copy flag was not submitted");
            None
        }
    }
}

/// Waits for a flag [`submit_flag`] made, logging a refusal (the flag is not the caller's);
/// whether it is in the log.
pub(crate) async fn flag_recorded(code: CodeKey, ticket: Ticket) -> bool {
    match ticket.await {
        Ok(_) => true,
        Err(error) => {
            tracing::warn!(%code, %error, "a likely-copy flag was not recorded");
            false
        }
    }
}

/// [`submit_flag`] for the check that saw the evidence, which answers once the flag is in the
/// log (so the next check sees it: once per code and window of sightings); whether it is.
/// Anonymous checks raise it, so it is within everyone's `FLAGS_PER_SECOND` (its own budget:
/// a flood of reports cannot silence the flags).
async fn raise_flag(app: &App, code: CodeKey, reason: FlagReason) -> bool {
    if app.flag_limiter.check().is_err() {
        metrics::counter!("tanba_flags_dropped_total").increment(1);
        return false;
    }
    let Some(ticket) = submit_flag(app, code, reason) else {
        return false;
    };
    flag_recorded(code, ticket).await
}

/// Stores a violation report for the authorities' lists (a claim, never a flag), with its
/// photo if one came; its id. `report` is the door reading the report: it is awaited only once
/// the caller has paid the report rate, so an anonymous flood is refused before its bodies are
/// read.
pub async fn report_violation(
    call: &mut Call<'_>,
    report: impl Future<Output = Given<Report>>,
) -> Result<u64, ApiError> {
    call.writing_for_the_public()?;
    let report = report.await?;
    let code = match report.code.as_deref() {
        Some(code) => Some(ScannedCode::read(code)?.key),
        None => None,
    };
    call.note_codes(code.iter());
    let location = match report.location? {
        Some((latitude, longitude)) => Some(
            Location::from_degrees(latitude, longitude)
                .ok_or_else(|| ApiError::invalid("location"))?,
        ),
        None => None,
    };
    let mut stored = ViolationReport {
        code,
        kind: report.kind?,
        comment: report.comment,
        location,
        reporter: reporter_network(call.client_ip),
        photo: None,
    };
    // Its fields first: a photo is stored only for a report that will be taken.
    match stored.fault() {
        Some(ReportFault::CommentTooLong) => {
            return Err(ApiError::too_many(
                "comment characters",
                REPORT_COMMENT_CHARS_MAX,
            ));
        }
        Some(fault) => return Err(ApiError::invalid(fault.field())),
        None => {}
    }
    if let Some(bytes) = report.photo?.filter(|bytes| !bytes.is_empty()) {
        let photo = Photo::read(bytes)?;
        let app = call.app();
        let upload = rand_core::RngCore::next_u64(&mut rand_core::OsRng);
        let bytes = photo.bytes().to_vec();
        let named = app.public.store_photo(photo, upload, app.now_ms()).await?;
        crate::shelf::shelve_bytes(app, named.hash, bytes).await?;
        stored.photo = Some(named);
    }
    let receipt = call
        .submit(Actor::Public, Command::ReportViolation(stored))
        .await?;
    metrics::counter!("tanba_violation_reports_total").increment(1);
    let id = receipt.first_sequence;
    call.note_reference(id);
    Ok(id)
}

/// Opts in to a unit's direct recall notices: the unit must be genuine (its tail, if scanned,
/// the one issued); the contact goes into the log sealed under the secret the answer carries.
pub async fn opt_in(call: &mut Call<'_>, code: &str, contact: &str) -> Result<OptedIn, ApiError> {
    call.writing_for_the_public()?;
    opt_ins::check_contact(contact)?;
    let scanned = ScannedCode::read(code)?;
    call.note_codes([&scanned.key]);
    let app = call.app();
    // A consumer holds a unit: a package, an unknown code and a forged tail read alike.
    let unit = match lookup(app.engine.snapshot().as_ref(), &scanned)? {
        Lookup::Genuine(card) => card.level == PackageLevel::Unit,
        Lookup::Unknown | Lookup::TailMismatch => false,
    };
    if !unit {
        return Err(tanba_engine::EngineError::UnknownCode(scanned.key).into());
    }
    let (contact, token) = opt_ins::seal(&scanned.key, contact);
    let command = Command::ConsumerOptIn {
        code: scanned.key,
        contact,
    };
    let receipt = call.submit(Actor::Public, command).await.map_err(|error| {
        // The unit's places are taken: a conflict with what is stored, not a bad request.
        let taken = matches!(error, tanba_engine::EngineError::LimitExceeded { .. });
        let mut error = ApiError::from(error);
        if taken {
            error.kind = ErrorKind::AlreadyExists;
        }
        error
    })?;
    let opt_in = receipt.first_sequence;
    call.note_reference(opt_in);
    Ok(OptedIn { opt_in, token })
}

/// An opt-in and its notices, for its consumer (who holds its secret `token`).
pub fn opt_in_view(call: &mut Call<'_>, opt_in: u64, token: &str) -> Result<OptInView, ApiError> {
    call.reporting()?;
    call.note_reference(opt_in);
    let app = call.app();
    let snapshot = app.engine.snapshot();
    let (code, contact) = opened(snapshot.as_ref(), opt_in, token)?;
    let mut notices = Vec::new();
    for (case, made_available_ms) in
        consumers::opt_in_notices(snapshot.as_ref(), opt_in, OPT_IN_NOTICES_MAX)?
    {
        let texts = tanba_engine::query::case(snapshot.as_ref(), case)?
            .and_then(|record| app.engine.cases().public_notice(case, &record));
        notices.push(ConsumerNotice {
            case,
            made_available_ms,
            notice: texts
                .map(|texts| texts.in_language(call.language).to_owned())
                .unwrap_or_default(),
        });
    }
    Ok(OptInView {
        opt_in,
        code: code.to_string(),
        contact,
        notices,
    })
}

/// Ends an opt-in whose secret `token` the caller holds: its sealed contact leaves the state
/// in the same entry.
pub async fn opt_out(call: &mut Call<'_>, opt_in: u64, token: &str) -> Result<(), ApiError> {
    call.reporting()?;
    call.note_reference(opt_in);
    opened(call.app().engine.snapshot().as_ref(), opt_in, token)?;
    call.submit(Actor::Public, Command::ConsumerOptOut { opt_in })
        .await?;
    Ok(())
}

/// An opt-in in force, its unit and its contact, if `token` is its secret; a wrong secret and a
/// missing opt-in read alike.
fn opened(
    snapshot: &dyn tanba_store::Snapshot,
    opt_in: u64,
    token: &str,
) -> Result<(CodeKey, String), ApiError> {
    let Some(code) = consumers::opt_in_code(snapshot, opt_in)? else {
        return Err(ApiError::not_found("opt-in"));
    };
    let sealed = consumers::sealed_contact(snapshot, opt_in)?;
    let contact = opt_ins::open(&code, sealed.as_ref(), token)?;
    Ok((code, contact))
}
