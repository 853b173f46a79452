//! What the state's registers told Tanba, kept by the engine (clause 2, R-IS-16).
//!
//! A refresh is a system command ([`Command::RefreshRegister`](tanba_types::Command)) that the
//! server's adapters submit with what changed; deciding it checks its shape and, for the register
//! of entrepreneurs, suspends the participants whose registration ceased (and reinstates those
//! the register suspended, once it says they are active again) in the same group. Revocation
//! lists never go back in time: a list older than the one known is refused, so a replayed list
//! cannot un-revoke a certificate.
//!
//! Keys (Index column, prefix [`REGISTER`]): an entrepreneur's entry by IIN/BIN; each register's
//! last refresh; each issuer's last list; each revoked serial by issuer.

use serde::{Deserialize, Serialize};
use tanba_store::{Column, Snapshot};
use tanba_types::register::{
    CERTIFICATE_SERIAL_BYTES_MAX, REGISTER_CHANGES_MAX, REGISTER_NAME_BYTES_MAX,
};
use tanba_types::{
    Actor, Event, Participant, ParticipantStatus, RegisterEntry, RegisterRefresh,
    RegistrationStatus, RevocationUpdate, Role, TaxpayerId, TaxpayerKind,
};

use crate::error::EngineError;
use crate::records::{decode, encode};
use crate::state::State;

/// Index column prefix of everything the registers said.
pub const REGISTER: u8 = b'R';
const ENTRY: u8 = b'e';
const REFRESH: u8 = b'm';
const ISSUER: u8 = b'i';
const REVOKED: u8 = b's';
/// Most issuers listed on a page (the national centre has a handful).
pub const ISSUERS_MAX: usize = 256;
/// How long past its next update a revocation list still answers (a gateway outage of a few
/// days does not lock every certificate out; a longer one does).
pub const REVOCATION_LIST_GRACE_MS: u64 = 7 * 24 * 3600 * 1000;

fn entry_key(id: &TaxpayerId) -> Vec<u8> {
    let mut key = vec![REGISTER, ENTRY];
    key.extend_from_slice(&crate::keys::participant(id));
    key
}

fn refresh_key(register: &str) -> Vec<u8> {
    let mut key = vec![REGISTER, REFRESH];
    key.extend_from_slice(register.as_bytes());
    key
}

fn issuer_key(issuer: &[u8; 32]) -> Vec<u8> {
    let mut key = vec![REGISTER, ISSUER];
    key.extend_from_slice(issuer);
    key
}

fn revoked_prefix(issuer: &[u8; 32]) -> Vec<u8> {
    let mut key = vec![REGISTER, REVOKED];
    key.extend_from_slice(issuer);
    key
}

fn revoked_key(issuer: &[u8; 32], serial: &[u8]) -> Vec<u8> {
    let mut key = revoked_prefix(issuer);
    key.extend_from_slice(serial);
    key
}

/// A register's last refresh, as the log knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshRecord {
    /// When it was written, unix milliseconds (the log's time).
    pub refreshed_ms: u64,
    /// Its log position.
    pub sequence: u64,
    /// BLAKE3 of the gateway's answer (for entrepreneurs) or of the last list read.
    pub digest: [u8; 32],
    /// Entries the register held (entrepreneurs), or serials revoked by the last issuer.
    pub entries_total: u64,
}

/// An issuer's last revocation list, as the log knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuerRecord {
    /// The issuer (BLAKE3 of its name).
    pub issuer: [u8; 32],
    /// Its name.
    pub issuer_name: String,
    /// When the list was issued.
    pub this_update_ms: u64,
    /// When the next is due.
    pub next_update_ms: Option<u64>,
    /// BLAKE3 of the last list written whole; zeros while a list's parts are arriving.
    pub list_digest: [u8; 32],
    /// Serials it revokes.
    pub revoked_total: u64,
    /// Whether a list of this issuer was ever written whole: until then its certificates
    /// cannot be checked (a first list cut between parts must not pass what it did not yet name).
    pub complete: bool,
}

/// Decides a refresh: the system's only, within its limits, and for entrepreneurs the
/// participants it suspends or reinstates.
pub(crate) fn refresh(
    state: &State,
    actor: Actor,
    refresh: &RegisterRefresh,
) -> Result<Vec<Event>, EngineError> {
    if actor != Actor::System {
        return Err(EngineError::SystemOnly);
    }
    let mut events = vec![Event::RegisterRefreshed(refresh.clone())];
    match refresh {
        RegisterRefresh::Entrepreneurs { changes, .. } => {
            check_entries(changes)?;
            for entry in changes {
                if let Some(updated) = status_change(state.participant(&entry.id)?, entry) {
                    events.push(Event::ParticipantUpdated(updated));
                }
            }
        }
        RegisterRefresh::Revocations(update) => check_revocations(state, update)?,
    }
    Ok(events)
}

fn check_entries(changes: &[RegisterEntry]) -> Result<(), EngineError> {
    if changes.len() > REGISTER_CHANGES_MAX {
        return Err(EngineError::LimitExceeded {
            what: "entries in one register refresh",
            max: REGISTER_CHANGES_MAX,
        });
    }
    let mut seen = std::collections::BTreeSet::new();
    for entry in changes {
        if entry.name.trim().is_empty() || entry.name.len() > REGISTER_NAME_BYTES_MAX {
            return Err(EngineError::Invalid {
                field: "name",
                reason: "a register entry's name is 1 to 512 bytes",
            });
        }
        if !seen.insert(entry.id) {
            return Err(EngineError::Invalid {
                field: "id",
                reason: "a register refresh names each IIN/BIN once",
            });
        }
    }
    Ok(())
}

/// The participant's new card when the register changes whether it may act: ceased suspends an
/// active entrepreneur; active again reinstates one the register suspended (never one the
/// operator suspended).
fn status_change(participant: Option<Participant>, entry: &RegisterEntry) -> Option<Participant> {
    let mut participant = participant?;
    // The register of individual entrepreneurs speaks for persons (IIN) who trade; it never
    // suspends a legal entity, the operator, an authority or a ministry.
    let administrative = [Role::Operator, Role::Authority, Role::Ministry]
        .into_iter()
        .any(|role| participant.has_role(role));
    if participant.id.kind() != TaxpayerKind::Iin || administrative {
        return None;
    }
    let status = match (entry.status, participant.status) {
        (RegistrationStatus::Ceased, ParticipantStatus::Active) => {
            ParticipantStatus::RegistrationCeased
        }
        (RegistrationStatus::Active, ParticipantStatus::RegistrationCeased) => {
            ParticipantStatus::Active
        }
        _ => return None,
    };
    participant.status = status;
    Some(participant)
}

fn check_revocations(state: &State, update: &RevocationUpdate) -> Result<(), EngineError> {
    let serials = update.added.len() + update.removed.len();
    if serials > REGISTER_CHANGES_MAX {
        return Err(EngineError::LimitExceeded {
            what: "serials in one revocation refresh",
            max: REGISTER_CHANGES_MAX,
        });
    }
    let malformed = update
        .added
        .iter()
        .chain(&update.removed)
        .any(|serial| serial.is_empty() || serial.len() > CERTIFICATE_SERIAL_BYTES_MAX);
    if malformed || update.issuer_name.len() > REGISTER_NAME_BYTES_MAX {
        return Err(EngineError::Invalid {
            field: "serial",
            reason: "a certificate serial number is 1 to 20 bytes",
        });
    }
    let known: Option<IssuerRecord> = state
        .get(Column::Index, &issuer_key(&update.issuer))?
        .map(|bytes| decode(&bytes))
        .transpose()?;
    // Older than the known list, or another list of the same moment: a replay or a conflict.
    let stale = known.is_some_and(|known| {
        update.this_update_ms < known.this_update_ms
            || (update.this_update_ms == known.this_update_ms
                && known.list_digest != [0; 32]
                && known.list_digest != update.list_digest)
    });
    if stale {
        return Err(EngineError::RegisterStale("revocations"));
    }
    Ok(())
}

/// Applies a refresh: entries, the register's last refresh, an issuer's list and serials.
pub(crate) fn apply(
    state: &mut State,
    sequence: u64,
    time_ms: u64,
    refresh: &RegisterRefresh,
) -> Result<(), EngineError> {
    match refresh {
        RegisterRefresh::Entrepreneurs {
            answer_digest,
            entries_total,
            changes,
            last_part,
        } => {
            for entry in changes {
                state.put(Column::Index, entry_key(&entry.id), encode(entry));
            }
            if *last_part {
                let record = RefreshRecord {
                    refreshed_ms: time_ms,
                    sequence,
                    digest: *answer_digest,
                    entries_total: *entries_total,
                };
                state.put(
                    Column::Index,
                    refresh_key(refresh.register()),
                    encode(&record),
                );
            }
            Ok(())
        }
        RegisterRefresh::Revocations(update) => apply_revocations(state, sequence, time_ms, update),
    }
}

fn apply_revocations(
    state: &mut State,
    sequence: u64,
    time_ms: u64,
    update: &RevocationUpdate,
) -> Result<(), EngineError> {
    let known: Option<IssuerRecord> = state
        .get(Column::Index, &issuer_key(&update.issuer))?
        .map(|bytes| decode(&bytes))
        .transpose()?;
    let complete = known.as_ref().is_some_and(|known| known.complete) || update.last_part;
    let mut revoked_total = known.map_or(0, |known| known.revoked_total);
    // Counted by what is there, so a serial named twice is never counted twice.
    for serial in &update.added {
        let key = revoked_key(&update.issuer, serial);
        if state.get(Column::Index, &key)?.is_none() {
            revoked_total += 1;
            state.put(Column::Index, key, Vec::new());
        }
    }
    for serial in &update.removed {
        let key = revoked_key(&update.issuer, serial);
        if state.get(Column::Index, &key)?.is_some() {
            revoked_total -= 1;
            state.delete(Column::Index, key);
        }
    }
    let issuer = IssuerRecord {
        issuer: update.issuer,
        issuer_name: update.issuer_name.clone(),
        this_update_ms: update.this_update_ms,
        next_update_ms: update.next_update_ms,
        list_digest: if update.last_part {
            update.list_digest
        } else {
            [0; 32]
        },
        revoked_total,
        complete,
    };
    state.put(Column::Index, issuer_key(&update.issuer), encode(&issuer));
    let record = RefreshRecord {
        refreshed_ms: time_ms,
        sequence,
        digest: update.list_digest,
        entries_total: revoked_total,
    };
    state.put(Column::Index, refresh_key("revocations"), encode(&record));
    Ok(())
}

/// Whether the register of entrepreneurs says `id`'s registration ceased.
pub(crate) fn ceased(state: &State, id: &TaxpayerId) -> Result<bool, EngineError> {
    let entry: Option<RegisterEntry> = state
        .get(Column::Index, &entry_key(id))?
        .map(|bytes| decode(&bytes))
        .transpose()?;
    Ok(entry.is_some_and(|entry| entry.status == RegistrationStatus::Ceased))
}

/// What the register of entrepreneurs says of `id`, if it named it.
pub fn entry(
    snapshot: &dyn Snapshot,
    id: &TaxpayerId,
) -> Result<Option<RegisterEntry>, EngineError> {
    read(snapshot, &entry_key(id))
}

/// A register's last refresh (`entrepreneurs`, `revocations`).
pub fn last_refresh(
    snapshot: &dyn Snapshot,
    register: &str,
) -> Result<Option<RefreshRecord>, EngineError> {
    read(snapshot, &refresh_key(register))
}

/// Every issuer whose revocation list the log holds.
pub fn issuers(snapshot: &dyn Snapshot) -> Result<Vec<IssuerRecord>, EngineError> {
    snapshot
        .scan_prefix(Column::Index, &[REGISTER, ISSUER], ISSUERS_MAX)?
        .iter()
        .map(|(_, value)| decode(value))
        .collect()
}

/// The serials an issuer's last list revokes, from `after` (exclusive), at most `limit`: what
/// an adapter compares a new list with.
pub fn revoked_serials(
    snapshot: &dyn Snapshot,
    issuer: &[u8; 32],
    after: Option<&[u8]>,
    limit: usize,
) -> Result<Vec<Vec<u8>>, EngineError> {
    let prefix = revoked_prefix(issuer);
    let start = after.map_or_else(
        || prefix.clone(),
        |serial| {
            let mut start = revoked_key(issuer, serial);
            start.push(0);
            start
        },
    );
    Ok(snapshot
        .scan_from(Column::Index, &prefix, &start, limit)?
        .into_iter()
        .map(|(key, _)| key[prefix.len()..].to_vec())
        .collect())
}

/// Whether a certificate may be used at `now_ms`: its issuer's list is known and current
/// (within [`REVOCATION_LIST_GRACE_MS`] of its next update) and does not name `serial`.
pub fn certificate_standing(
    snapshot: &dyn Snapshot,
    issuer: &[u8; 32],
    serial: &[u8],
    now_ms: u64,
) -> Result<CertificateStanding, EngineError> {
    let Some(known) = read::<IssuerRecord>(snapshot, &issuer_key(issuer))? else {
        return Ok(CertificateStanding::NoList);
    };
    if !known.complete {
        return Ok(CertificateStanding::NoList);
    }
    let stale = known
        .next_update_ms
        .is_some_and(|next| now_ms > next.saturating_add(REVOCATION_LIST_GRACE_MS));
    if stale {
        return Ok(CertificateStanding::NoList);
    }
    if snapshot
        .get(Column::Index, &revoked_key(issuer, serial))?
        .is_some()
    {
        return Ok(CertificateStanding::Revoked);
    }
    Ok(CertificateStanding::Good)
}

/// A certificate's standing against the revocation lists the log holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateStanding {
    /// Not revoked by a current list.
    Good,
    /// Revoked.
    Revoked,
    /// No current list of its issuer is known: it cannot be checked.
    NoList,
}

fn read<T: serde::de::DeserializeOwned>(
    snapshot: &dyn Snapshot,
    key: &[u8],
) -> Result<Option<T>, EngineError> {
    snapshot
        .get(Column::Index, key)?
        .map(|bytes| decode(&bytes))
        .transpose()
}
