//! The working-day calendar in the log: each version the operator publishes (the system
//! publishes the first, on a fresh store) is an event carrying the document itself, parsed and
//! checked by `tanba-cases` when decided. Every version stays readable (a deadline names the
//! version it was computed with); one key names the version in force.

use tanba_cases::Calendar;
use tanba_store::{Column, Snapshot};
use tanba_types::limits::CALENDAR_BYTES_MAX;
use tanba_types::{Actor, Event};

use crate::error::EngineError;
use crate::keys;
use crate::state::State;

/// Decides a calendar publication: the registrar's, a valid document, numbered one more than
/// the version in force (1 on a fresh store).
pub(crate) fn publish(state: &State, actor: Actor, toml: &str) -> Result<Vec<Event>, EngineError> {
    crate::decide::registrar(state, actor)?;
    if toml.len() > CALENDAR_BYTES_MAX {
        return Err(EngineError::LimitExceeded {
            what: "bytes in a calendar document",
            max: CALENDAR_BYTES_MAX,
        });
    }
    let calendar = Calendar::from_toml(toml)?;
    let in_force = state
        .get(Column::Index, &keys::calendar_in_force())?
        .map(|bytes| keys::read_u32(&bytes))
        .transpose()?;
    if Some(calendar.version) != in_force.map_or(Some(1), |version| version.checked_add(1)) {
        return Err(EngineError::Invalid {
            field: "version",
            reason: "a calendar version must be one more than the version in force",
        });
    }
    Ok(vec![Event::CalendarPublished {
        version: calendar.version,
        toml: toml.to_owned(),
    }])
}

/// Applies a publication: the version's document under its number, and the version in force.
pub(crate) fn apply_published(state: &mut State, version: u32, toml: &str) {
    state.put(
        Column::Index,
        keys::calendar_version(version),
        toml.as_bytes().to_vec(),
    );
    state.put(
        Column::Index,
        keys::calendar_in_force(),
        version.to_be_bytes().to_vec(),
    );
}

/// The calendar in force, if one was published.
pub fn in_force(snapshot: &dyn Snapshot) -> Result<Option<Calendar>, EngineError> {
    match snapshot.get(Column::Index, &keys::calendar_in_force())? {
        Some(bytes) => version(snapshot, keys::read_u32(&bytes)?),
        None => Ok(None),
    }
}

/// A published version of the calendar.
pub fn version(snapshot: &dyn Snapshot, version: u32) -> Result<Option<Calendar>, EngineError> {
    let Some(bytes) = snapshot.get(Column::Index, &keys::calendar_version(version))? else {
        return Ok(None);
    };
    parse_published(version, bytes).map(Some)
}

/// Reads a published version's stored document.
pub(crate) fn parse_published(version: u32, bytes: Vec<u8>) -> Result<Calendar, EngineError> {
    let text = String::from_utf8(bytes)
        .map_err(|_| EngineError::Corrupt(format!("calendar version {version} is not UTF-8")))?;
    // It was checked when published and is read as it was then; failing now means the store was
    // damaged.
    Calendar::from_published_toml(&text)
        .map_err(|error| EngineError::Corrupt(format!("calendar version {version}: {error}")))
}
