//! The public's calls, made without signing in: the check of a code (R-IS-07) with the
//! sighting it counts, a violation report, and a consumer's opt-in to direct recall notices
//! (R-REC-07) with its view and its deletion. Each is paid at the client's anonymous rate
//! (reports and opt-ins at the slower report rate too; opt-ins, which write to the log, also
//! within everyone's `PUBLIC_WRITES_PER_SECOND`). A report is read from its door only once its
//! rate is paid: a flood of large bodies (a photo is up to 2 MiB) is refused unread. The
//! verdicts, reports, photos and flags are [`crate::public`]'s; the contacts [`crate::opt_ins`]'.

use std::future::Future;

use serde::Serialize;
use tanba_engine::consumers;
use tanba_types::{Actor, Command, Date, PackageLevel, ScannedCode};

use super::Given;
use crate::app::Call;
use crate::error::{ApiError, ErrorKind};
use crate::opt_ins::{self, OPT_IN_NOTICES_MAX};
use crate::public::{
    FlagReason, Lookup, Photo, PublicCheck, REPORT_COMMENT_CHARS_MAX, Verdict, ViolationKind,
    ViolationReport, lookup,
};

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
pub fn check(call: &mut Call<'_>, code: Option<&str>) -> Result<PublicCheck, ApiError> {
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
        &app.public,
        &scanned,
        call.language,
        today,
    )?;
    // Only a check with the genuine tail proves the code itself was seen: its text alone is on
    // every photo of the pack, and anyone can type it from four networks.
    if answer.verdict != Verdict::UnknownOrForged
        && answer.tail_checked
        && app.public.sighted(&scanned.key, call.client_ip, now_ms)
    {
        app.public
            .raise_flag(&scanned.key, FlagReason::SeenInManyPlaces, now_ms)?;
        answer.flagged_as_likely_copy = true;
        answer.likely_copy_evidence = answer.likely_copy_evidence.max(1);
    }
    Ok(answer)
}

/// Stores a violation report for the authorities' lists (a claim, never a flag), with its
/// photo if one came; its id. `report` is the door reading the report: it is awaited only once
/// the caller has paid the report rate, so an anonymous flood is refused before its bodies are
/// read.
pub async fn report_violation(
    call: &mut Call<'_>,
    report: impl Future<Output = Given<Report>>,
) -> Result<u64, ApiError> {
    call.reporting()?;
    let report = report.await?;
    let code = match report.code.as_deref() {
        Some(code) => Some(ScannedCode::read(code)?.key),
        None => None,
    };
    call.note_codes(code.iter());
    let stored = ViolationReport {
        time_ms: call.app().now_ms(),
        client_ip: call.client_ip,
        code,
        kind: report.kind?,
        comment: report.comment,
        location: report.location?,
    };
    if stored.comment.chars().count() > REPORT_COMMENT_CHARS_MAX {
        return Err(ApiError::too_many(
            "comment characters",
            REPORT_COMMENT_CHARS_MAX,
        ));
    }
    if stored.code.is_none() && stored.kind != ViolationKind::NoCode {
        return Err(ApiError::invalid("code"));
    }
    if let Some((latitude, longitude)) = stored.location
        && (!(-90.0..=90.0).contains(&latitude) || !(-180.0..=180.0).contains(&longitude))
    {
        return Err(ApiError::invalid("location"));
    }
    let photo = match report.photo? {
        Some(bytes) if !bytes.is_empty() => Some(Photo::read(bytes)?),
        _ => None,
    };
    let id = call.app().public.report(&stored, photo.as_ref())?;
    call.note_reference(id);
    Ok(id)
}

/// Opts in to a unit's direct recall notices: the unit must be genuine (its tail, if scanned,
/// the one issued); the contact is kept beside the log, the log records only the opt-in.
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
    let receipt = call
        .submit(Actor::Public, Command::ConsumerOptIn { code: scanned.key })
        .await
        .map_err(|error| {
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
    let token = opt_ins::keep_contact(app, opt_in, contact)?;
    Ok(OptedIn { opt_in, token })
}

/// An opt-in and its notices, for its consumer (who holds its secret `token`).
pub fn opt_in_view(call: &mut Call<'_>, opt_in: u64, token: &str) -> Result<OptInView, ApiError> {
    call.reporting()?;
    call.note_reference(opt_in);
    let app = call.app();
    let contact = opt_ins::contact(app, opt_in, token)?;
    let snapshot = app.engine.snapshot();
    let code = consumers::opt_in_code(snapshot.as_ref(), opt_in)?
        .ok_or_else(|| ApiError::not_found("opt-in"))?;
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

/// Deletes the contact (first: the personal data goes whatever happens next), then ends the
/// opt-in in the engine.
pub async fn opt_out(call: &mut Call<'_>, opt_in: u64, token: &str) -> Result<(), ApiError> {
    call.writing_for_the_public()?;
    call.note_reference(opt_in);
    let app = call.app();
    opt_ins::contact(app, opt_in, token)?;
    opt_ins::delete_contact(app, opt_in)?;
    call.submit(Actor::Public, Command::ConsumerOptOut { opt_in })
        .await?;
    Ok(())
}
