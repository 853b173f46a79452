//! What feeds read: runs of stored log entries after a cursor, the signed checkpoints among
//! them, and whether a participant took part in an entry (its own-goods feed). Feeds read the
//! store, never a queue the writer fills: a stalled follower costs the writer nothing.

use std::collections::BTreeMap;

use tanba_crypto::Checkpoint;
use tanba_log::FeedKinds;
use tanba_store::{Column, Snapshot};
use tanba_types::{Event, TaxpayerId};

use crate::error::EngineError;
use crate::keys;
use crate::log::stored_entry;
use crate::records::{LogRecord, decode};

/// A stored entry, owned: what a feed sends for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedRead {
    /// Its sequence.
    pub sequence: u64,
    /// Its chain hash.
    pub hash: tanba_crypto::ChainHash,
    /// Its feed kinds.
    pub kinds: FeedKinds,
    /// Its record's bytes.
    pub record: Vec<u8>,
}

/// Up to `limit` entries after `after`, in order, stopping after the entry that brings the
/// bytes read to `bytes_max` (at least one entry): a run of 100,000-code records is read a few at
/// a time, never thousands at once.
pub fn entries_after(
    snapshot: &dyn Snapshot,
    after: u64,
    limit: usize,
    bytes_max: usize,
) -> Result<Vec<FeedRead>, EngineError> {
    let limit = limit.min(tanba_store::SCAN_ENTRIES_MAX);
    let page = snapshot.scan_from_bytes(
        Column::Log,
        &[],
        &keys::sequence(after.saturating_add(1)),
        limit,
        bytes_max,
    )?;
    page.into_iter()
        .map(|(key, mut value)| {
            let entry = stored_entry(&value)?;
            let (hash, kinds) = (entry.hash, entry.kinds);
            // The record is the value past its header: the header is drained off the front
            // (one move within the buffer, no second allocation).
            value.drain(..value.len() - entry.record.len());
            Ok(FeedRead {
                sequence: keys::trailing_u64(&key)?,
                hash,
                kinds,
                record: value,
            })
        })
        .collect()
}

/// The signed checkpoints of the entries `after + 1 ..= through`, by sequence.
pub fn checkpoints_between(
    snapshot: &dyn Snapshot,
    after: u64,
    through: u64,
) -> Result<BTreeMap<u64, Checkpoint>, EngineError> {
    if through <= after {
        return Ok(BTreeMap::new());
    }
    let span = usize::try_from(through - after).unwrap_or(usize::MAX);
    let page = snapshot.scan_from(
        Column::Checkpoints,
        &[],
        &keys::sequence(after + 1),
        span.min(tanba_store::SCAN_ENTRIES_MAX),
    )?;
    let mut found = BTreeMap::new();
    for (key, value) in page {
        let sequence = keys::trailing_u64(&key)?;
        if sequence > through {
            break;
        }
        found.insert(sequence, decode(&value)?);
    }
    Ok(found)
}

/// Whether `who` took part in the entry: it acted (or a fiscal data operator acted for it), or
/// the event names it as a party (seller, buyer, orderer, owner, blocking authority), or its
/// order's codes were issued, or it answers or cancels a shipment of which it is seller or
/// buyer.
pub fn takes_part(
    snapshot: &dyn Snapshot,
    record: &LogRecord,
    who: &TaxpayerId,
) -> Result<bool, EngineError> {
    if record.actor.principal().as_ref() == Some(who) || record.actor.caller().as_ref() == Some(who)
    {
        return Ok(true);
    }
    Ok(match &record.event {
        Event::Shipped { seller, buyer, .. } => seller == who || buyer == who,
        Event::Accepted { document, .. }
        | Event::Rejected { document, .. }
        | Event::ShipmentCancelled { document, .. } => crate::query::document(snapshot, *document)?
            .is_some_and(|view| view.seller == *who || view.buyer == *who),
        Event::CodesOrdered { orderer, .. } => orderer == who,
        // Issued by the system: the orderer's codes.
        Event::CodesIssued { order, .. } => {
            crate::query::order(snapshot, *order)?.is_some_and(|view| view.orderer == *who)
        }
        Event::TransportPackageCreated { owner, .. } => owner == who,
        Event::Blocked { authority, .. } | Event::Unblocked { authority, .. } => authority == who,
        _ => false,
    })
}

/// The last signed checkpoint, and whether the chain hash the log holds at its sequence is the
/// one it signed (the signature itself is the caller's to check, with the public keys).
pub fn last_checkpoint(snapshot: &dyn Snapshot) -> Result<Option<(Checkpoint, bool)>, EngineError> {
    let Some(bytes) = snapshot.get(Column::Meta, keys::META_CHECKPOINT)? else {
        return Ok(None);
    };
    let sequence = keys::trailing_u64(&bytes)?;
    let Some(value) = snapshot.get(Column::Checkpoints, &keys::sequence(sequence))? else {
        return Ok(None);
    };
    let checkpoint: Checkpoint = decode(&value)?;
    let logged = entries_after(snapshot, sequence.saturating_sub(1), 1, usize::MAX)?;
    let matches = logged
        .first()
        .is_some_and(|entry| entry.sequence == sequence && entry.hash == checkpoint.head_hash);
    Ok(Some((checkpoint, matches)))
}
