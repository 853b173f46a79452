//! The reference sets in the log (providers, HS codes, control lists, currencies, countries,
//! units): each version the operator publishes (the system publishes the shipped ones on a
//! fresh store) is an event carrying the document itself, parsed and checked by `tanba-cases`
//! when decided. Every version stays readable by number (a case names the versions it opened
//! under); one key per set names the version in force.

use std::sync::Arc;

use tanba_cases::{ReferenceSet, References, SetKind};
use tanba_store::{Column, Snapshot};
use tanba_types::limits::REFERENCE_BYTES_MAX;
use tanba_types::{Actor, Event};

use crate::error::EngineError;
use crate::keys;
use crate::state::State;

/// Decides a publication: the registrar's, a valid document, numbered one more than its set's
/// version in force (1 for a set never published).
pub(crate) fn publish(state: &State, actor: Actor, toml: &str) -> Result<Vec<Event>, EngineError> {
    crate::decide::registrar(state, actor)?;
    if toml.len() > REFERENCE_BYTES_MAX {
        return Err(EngineError::LimitExceeded {
            what: "bytes in a reference document",
            max: REFERENCE_BYTES_MAX,
        });
    }
    let set = ReferenceSet::from_toml(toml).map_err(tanba_cases::CaseError::from)?;
    let name = set.kind.name();
    let in_force = in_force_version(state, name)?;
    if Some(set.version) != in_force.map_or(Some(1), |version| version.checked_add(1)) {
        return Err(EngineError::Invalid {
            field: "version",
            reason: "a reference set's version must be one more than the version in force",
        });
    }
    Ok(vec![Event::ReferencePublished {
        set: name.to_owned(),
        version: set.version,
        toml: toml.to_owned(),
    }])
}

fn in_force_version(state: &State, set: &str) -> Result<Option<u32>, EngineError> {
    state
        .get(Column::Index, &keys::reference_set_in_force(set))?
        .map(|bytes| keys::read_u32(&bytes))
        .transpose()
}

/// Applies a publication: the version's document under its number, and the version in force.
pub(crate) fn apply_published(state: &mut State, set: &str, version: u32, toml: &str) {
    state.put(
        Column::Index,
        keys::reference_set_version(set, version),
        toml.as_bytes().to_vec(),
    );
    state.put(
        Column::Index,
        keys::reference_set_in_force(set),
        version.to_be_bytes().to_vec(),
    );
}

/// The version of each set in force as `state` stands, by kind (sets never published absent).
pub(crate) fn versions_in_force(state: &State) -> Result<Vec<(SetKind, u32)>, EngineError> {
    let mut versions = Vec::new();
    for kind in SetKind::ALL {
        if let Some(version) = in_force_version(state, kind.name())? {
            versions.push((kind, version));
        }
    }
    Ok(versions)
}

/// Reads the stored document of a set's version, parsed as it was published.
pub(crate) fn stored(
    get: impl Fn(&[u8]) -> Result<Option<Vec<u8>>, EngineError>,
    set: &str,
    version: u32,
) -> Result<Option<ReferenceSet>, EngineError> {
    let Some(bytes) = get(&keys::reference_set_version(set, version))? else {
        return Ok(None);
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| EngineError::Corrupt(format!("reference {set} {version} is not UTF-8")))?;
    // Checked when published; failing now means the store was damaged.
    ReferenceSet::from_published_toml(&text)
        .map(Some)
        .map_err(|error| EngineError::Corrupt(format!("reference {set} {version}: {error}")))
}

/// The sets in force in a snapshot (for queries and tools).
pub fn in_force(snapshot: &dyn Snapshot) -> Result<References, EngineError> {
    let get = |key: &[u8]| Ok(snapshot.get(Column::Index, key)?);
    let mut sets = Vec::new();
    for kind in SetKind::ALL {
        let Some(bytes) = get(&keys::reference_set_in_force(kind.name()))? else {
            continue;
        };
        let version = keys::read_u32(&bytes)?;
        let set = stored(get, kind.name(), version)?.ok_or_else(|| {
            EngineError::Corrupt(format!("reference {} {version} is missing", kind.name()))
        })?;
        sets.push(Arc::new(set));
    }
    Ok(References::new(sets))
}

/// The version of `set` in force, if one was published.
pub fn version_in_force(snapshot: &dyn Snapshot, set: &str) -> Result<Option<u32>, EngineError> {
    snapshot
        .get(Column::Index, &keys::reference_set_in_force(set))?
        .map(|bytes| keys::read_u32(&bytes))
        .transpose()
}

/// A published version's document as the operator published it.
pub fn document(
    snapshot: &dyn Snapshot,
    set: &str,
    version: u32,
) -> Result<Option<String>, EngineError> {
    snapshot
        .get(Column::Index, &keys::reference_set_version(set, version))?
        .map(|bytes| {
            String::from_utf8(bytes).map_err(|_| {
                EngineError::Corrupt(format!("reference {set} {version} is not UTF-8"))
            })
        })
        .transpose()
}

/// A published version of a set, by name and number.
pub fn version(
    snapshot: &dyn Snapshot,
    set: &str,
    version: u32,
) -> Result<Option<ReferenceSet>, EngineError> {
    stored(|key| Ok(snapshot.get(Column::Index, key)?), set, version)
}
