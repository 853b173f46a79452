//! Data export jobs for analytical systems (R-IS-15), as the log keeps them. A job is the event
//! of a ministry's or the operator's request: it names what to export and the days, and reads
//! the log up to its own sequence, so every node that applies the log knows the same jobs, and a
//! job's content does not depend on when its files are written. The caller's key makes the
//! request idempotent: a key used before is refused with the job it made
//! ([`EngineError::DataExportKeyUsed`]), which the server answers as that job. Writing the
//! files is the server's (`tanba-export`); the log holds no file and no progress.

use serde::{Deserialize, Serialize};
use tanba_store::{Column, Snapshot};
use tanba_types::limits::{
    DATA_EXPORT_DAYS_MAX, DATA_EXPORT_JOBS_PER_DAY_MAX, DATA_EXPORT_KEY_CHARS_MAX,
};
use tanba_types::{Actor, DataExportKind, Date, Event, Role, TaxpayerId};

use crate::decide::{Context, acting_participant};
use crate::error::EngineError;
use crate::keys;
use crate::records::{decode, encode};
use crate::state::State;
use crate::statistics::check_period;

/// Roles that may export data for analytical systems (of some kind).
pub const EXPORTING_ROLES: &[Role] = &[Role::Ministry, Role::Operator];

/// Who may export a kind: what the state's feeds let them read (`service::feeds::readers` in
/// the server). Documents and sales are the tax feed's, the codes' holdings the ministries'
/// analysis; the whole log and the cases are the operator's alone, as their feeds are.
pub fn exporters(kind: DataExportKind) -> &'static [Role] {
    match kind {
        DataExportKind::Codes | DataExportKind::Documents | DataExportKind::Sales => {
            EXPORTING_ROLES
        }
        DataExportKind::Events | DataExportKind::Cases => &[Role::Operator],
    }
}

/// A data export job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataExportJob {
    /// Its id: the sequence of its event (it reads the log up to there).
    pub id: u64,
    /// Who asked.
    pub requester: TaxpayerId,
    /// The caller's key.
    pub key: String,
    /// What it exports.
    pub kind: DataExportKind,
    /// The first day.
    pub from: Date,
    /// The last day.
    pub to: Date,
    /// When it was asked, unix milliseconds.
    pub requested_ms: u64,
}

/// Decides a request: a role that may export the kind ([`exporters`]), a well-formed key not
/// used before by the caller, a period of at most [`DATA_EXPORT_DAYS_MAX`] days that has
/// begun, and fewer than [`DATA_EXPORT_JOBS_PER_DAY_MAX`] jobs of the caller today.
pub(crate) fn request(
    state: &State,
    context: &Context,
    key: &str,
    kind: DataExportKind,
    from: Date,
    to: Date,
) -> Result<Vec<Event>, EngineError> {
    let participant = acting_participant(state, context.actor)?;
    let allowed = exporters(kind);
    if !allowed.iter().any(|role| participant.has_role(*role)) {
        return Err(EngineError::RoleRequired(allowed[0]));
    }
    let well_formed = (1..=DATA_EXPORT_KEY_CHARS_MAX).contains(&key.len())
        && key
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"._-".contains(&byte));
    if !well_formed {
        return Err(EngineError::Invalid {
            field: "key",
            reason: "a key is 1 to 64 of A-Z a-z 0-9 . _ -",
        });
    }
    if let Some(job) = state.get(Column::Index, &keys::data_export_key(&participant.id, key))? {
        return Err(EngineError::DataExportKeyUsed(keys::read_u64(&job)?));
    }
    check_period(from, to, DATA_EXPORT_DAYS_MAX, "days in one data export")?;
    let today = Date::from_unix_ms_in_kz(context.time_ms);
    if from > today {
        return Err(EngineError::Invalid {
            field: "from",
            reason: "the period has not begun",
        });
    }
    if jobs_on(state, &participant.id, today)? >= DATA_EXPORT_JOBS_PER_DAY_MAX {
        return Err(EngineError::LimitExceeded {
            what: "data export jobs a day",
            max: DATA_EXPORT_JOBS_PER_DAY_MAX as usize,
        });
    }
    Ok(vec![Event::DataExportRequested {
        key: key.to_owned(),
        kind,
        from,
        to,
    }])
}

fn jobs_on(state: &State, requester: &TaxpayerId, day: Date) -> Result<u32, EngineError> {
    state
        .get(
            Column::Index,
            &keys::data_exports_on(requester, day.days_since_epoch()),
        )?
        .map_or(Ok(0), |bytes| keys::read_u32(&bytes))
}

/// Applies a request: the job, its key, and the caller's count of the day.
pub(crate) fn apply(
    state: &mut State,
    sequence: u64,
    time_ms: u64,
    actor: Actor,
    event: &Event,
) -> Result<(), EngineError> {
    let Event::DataExportRequested {
        key,
        kind,
        from,
        to,
    } = event
    else {
        unreachable!("apply passes data export events only");
    };
    let requester = actor
        .principal()
        .expect("decide let only a participant ask");
    let job = DataExportJob {
        id: sequence,
        requester,
        key: key.clone(),
        kind: *kind,
        from: *from,
        to: *to,
        requested_ms: time_ms,
    };
    state.put(Column::Index, keys::data_export(sequence), encode(&job));
    let by_key = keys::data_export_key(&requester, key);
    state.put(Column::Index, by_key, sequence.to_be_bytes().to_vec());
    let today = Date::from_unix_ms_in_kz(time_ms);
    let count = jobs_on(state, &requester, today)? + 1;
    let day_key = keys::data_exports_on(&requester, today.days_since_epoch());
    state.put(Column::Index, day_key, count.to_be_bytes().to_vec());
    Ok(())
}

/// A job.
pub fn job(snapshot: &dyn Snapshot, id: u64) -> Result<Option<DataExportJob>, EngineError> {
    snapshot
        .get(Column::Index, &keys::data_export(id))?
        .map(|bytes| decode(&bytes))
        .transpose()
}

/// The job a caller made with a key.
pub fn job_by_key(
    snapshot: &dyn Snapshot,
    requester: &TaxpayerId,
    key: &str,
) -> Result<Option<DataExportJob>, EngineError> {
    match snapshot.get(Column::Index, &keys::data_export_key(requester, key))? {
        Some(id) => job(snapshot, keys::read_u64(&id)?),
        None => Ok(None),
    }
}

/// Jobs after `after`, oldest first, at most `limit`.
pub fn jobs(
    snapshot: &dyn Snapshot,
    after: u64,
    limit: usize,
) -> Result<Vec<DataExportJob>, EngineError> {
    let start = keys::data_export(after.saturating_add(1));
    let prefix = [keys::INDEX_DATA_EXPORT];
    snapshot
        .scan_from(Column::Index, &prefix, &start, limit)?
        .into_iter()
        .map(|(_, value)| decode(&value))
        .collect()
}
