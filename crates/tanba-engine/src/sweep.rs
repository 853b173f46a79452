//! Sweeps over the goods a case blocks, page by page on the writer's ticks, so that a
//! million-unit recall takes effect at once (one scope block) and its slower consequences follow
//! in bounded commits that interleave with everyone else's writes:
//!
//! 1. **Census**: who held each unit of the scope as the block took effect, and whether it was
//!    in their hands, sold to a consumer, or gone otherwise. Kept per case and holder, so each
//!    holder's exact list and count is a prefix scan, and effectiveness is counted exactly.
//! 2. **Notify**: each holder (but the party) gets the notice its definition writes, with its
//!    count. (Consumers who opted in for a unit sold before are told during the census.)
//! 3. **Withdraw** (asked by a step, a recall's disposal): the units the party holds leave
//!    circulation as disposed of, with the case named as the paper behind it.
//!
//! A case has at most one sweep at a time, at `w` + case. Every page is written as events
//! (`HoldersCounted`, notices, `Withdrawn`, `SweepMoved`): replay repeats nothing.

use std::collections::{BTreeMap, HashMap};

use tanba_store::Column;
use tanba_types::{
    CaseId, CodeKey, CodeStatus, Event, HolderCounts, Holding, Notice, PackageLevel, SweepJob,
    SweepPhase, TaxpayerId, WithdrawalReason,
};

use crate::cases::case_record;
use crate::decide::Context;
use crate::error::EngineError;
use crate::keys;
use crate::records::{ScopeBlock, decode, encode};
use crate::state::State;

/// Units a census or withdrawal page reads (about 0.2 s of the writer's time).
pub const SWEEP_UNITS_PER_TICK: usize = 50_000;
/// Holders a notification page writes to.
pub const SWEEP_HOLDERS_PER_TICK: usize = 1_000;

/// What a unit was, for its holder, as the block took effect: a census entry's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum AtRecall {
    /// In the holder's hands.
    Held = 0,
    /// Sold to a consumer before.
    Sold = 1,
    /// Gone from circulation otherwise before.
    Gone = 2,
}

impl AtRecall {
    /// Reads a census entry's value.
    pub fn read(value: &[u8]) -> Result<AtRecall, EngineError> {
        match value {
            [0] => Ok(AtRecall::Held),
            [1] => Ok(AtRecall::Sold),
            [2] => Ok(AtRecall::Gone),
            _ => Err(EngineError::Corrupt("malformed census entry".into())),
        }
    }
}

/// The first sweep waiting, if any.
pub(crate) fn next_job(state: &State) -> Result<Option<(CaseId, SweepJob)>, EngineError> {
    let first = state.scan_prefix(Column::Cases, &[keys::SWEEP_JOB], 1)?;
    first
        .first()
        .map(|(key, value)| Ok((keys::trailing_u64(key)?, decode(value)?)))
        .transpose()
}

/// Whether a sweep waits (the ticker then ticks again without waiting its interval).
pub fn sweep_waiting(snapshot: &dyn tanba_store::Snapshot) -> Result<bool, EngineError> {
    Ok(!snapshot
        .scan_prefix(Column::Cases, &[keys::SWEEP_JOB], 1)?
        .is_empty())
}

/// The events that start a sweep of `case`, refused while another is under way.
pub(crate) fn start(state: &State, case: CaseId, phase: SweepPhase) -> Result<Event, EngineError> {
    if state
        .get(Column::Cases, &keys::numbered(keys::SWEEP_JOB, case))?
        .is_some()
    {
        return Err(EngineError::Invalid {
            field: "scope",
            reason: "the case's goods are still being counted; try again in a moment",
        });
    }
    Ok(Event::SweepMoved {
        case,
        job: Some(SweepJob { phase, after: None }),
    })
}

/// One page of a case's sweep.
pub(crate) fn page(
    state: &State,
    context: &Context,
    case: CaseId,
    job: &SweepJob,
) -> Result<Vec<Event>, EngineError> {
    let Some(block) = crate::scope::block_of(state, case)? else {
        // Lifted meanwhile: nothing is left to count or withdraw under it.
        return Ok(vec![Event::SweepMoved { case, job: None }]);
    };
    let after = job.after.as_deref();
    match job.phase {
        SweepPhase::Census => census(state, case, &block, after),
        SweepPhase::Notify => notify(state, context, case, &block, after),
        SweepPhase::Withdraw => withdraw(state, case, &block, after),
    }
}

/// Where the sweep goes on after a page of `entries`: past the last, if the page was full;
/// `None` once a page comes back short (the phase is done).
fn continued(
    phase: SweepPhase,
    entries: &[tanba_store::Entry],
    page_max: usize,
) -> Option<SweepJob> {
    match entries.last() {
        Some((last, _)) if entries.len() == page_max => Some(SweepJob {
            phase,
            after: Some(last.clone()),
        }),
        _ => None,
    }
}

/// Where a page's scan starts: just past the last entry done, or at the prefix.
fn scan_start(prefix: &[u8], after: Option<&[u8]>) -> Vec<u8> {
    after.map_or_else(|| prefix.to_vec(), keys::successor)
}

/// A census page: the next units of the scope, each with its holder.
fn census(
    state: &State,
    case: CaseId,
    block: &ScopeBlock,
    after: Option<&[u8]>,
) -> Result<Vec<Event>, EngineError> {
    let listed = !block.scope.codes.is_empty();
    // A listed scope's units are keyed after the case; the codes column is keyed by code.
    let (column, prefix, code_at) = if listed {
        let prefix = keys::numbered(keys::SCOPE_UNITS, case);
        let code_at = prefix.len();
        (Column::Cases, prefix, code_at)
    } else {
        (Column::Codes, CodeKey::gtin_prefix(&block.scope.gtin), 0)
    };
    let start = scan_start(&prefix, after);
    let entries = state.scan_from(column, &prefix, &start, SWEEP_UNITS_PER_TICK)?;
    let mut holdings: BTreeMap<TaxpayerId, Holding> = BTreeMap::new();
    let mut consumer_notices = Vec::new();
    let mut holders = HolderCache::default();
    for (key, value) in &entries {
        let (code, _) = keys::read_code(key.get(code_at..).unwrap_or_default())?;
        let record = if listed {
            state.existing_code(&code)?
        } else {
            decode(value)?
        };
        if record.level != PackageLevel::Unit
            || (!listed && !crate::scope::matches(&block.scope, &code, &record))
        {
            continue;
        }
        let holder = holders.holder(state, &record)?;
        let holding = holdings.entry(holder).or_insert_with(|| Holding {
            holder,
            held: Vec::new(),
            sold: Vec::new(),
            gone: Vec::new(),
        });
        match record.status {
            CodeStatus::Withdrawn(WithdrawalReason::RetailSale) => {
                // Its buyer, if it opted in, is told directly (R-REC-07).
                consumer_notices.extend(crate::consumers::notices_for(state, case, &code)?);
                holding.sold.push(code);
            }
            CodeStatus::Withdrawn(_) => holding.gone.push(code),
            _ => holding.held.push(code),
        }
    }
    let mut events = Vec::new();
    if !holdings.is_empty() {
        events.push(Event::HoldersCounted {
            case,
            holdings: holdings.into_values().collect(),
        });
    }
    events.append(&mut consumer_notices);
    // The census done, the holders are told.
    let next = continued(SweepPhase::Census, &entries, SWEEP_UNITS_PER_TICK).unwrap_or(SweepJob {
        phase: SweepPhase::Notify,
        after: None,
    });
    events.push(Event::SweepMoved {
        case,
        job: Some(next),
    });
    Ok(events)
}

/// The holder of units, remembered per package: the units of one box share it.
#[derive(Default)]
struct HolderCache {
    by_parent: HashMap<CodeKey, TaxpayerId>,
}

impl HolderCache {
    fn holder(
        &mut self,
        state: &State,
        record: &crate::records::CodeRecord,
    ) -> Result<TaxpayerId, EngineError> {
        let Some(parent) = record.parent else {
            return Ok(record.owner);
        };
        if let Some(holder) = self.by_parent.get(&parent) {
            return Ok(*holder);
        }
        let (holder, _) = state.holder(record)?;
        self.by_parent.insert(parent, holder);
        Ok(holder)
    }
}

/// A notification page: the next holders, each sent its count (the party knows its own).
fn notify(
    state: &State,
    context: &Context,
    case: CaseId,
    block: &ScopeBlock,
    after: Option<&[u8]>,
) -> Result<Vec<Event>, EngineError> {
    let record = case_record(state, case)?
        .ok_or_else(|| EngineError::Corrupt(format!("case {case} is missing")))?;
    let definition = context.cases.definition(&record.opening.kind)?;
    let clocks = record.clock_values();
    let view = crate::cases::view(case, &record, &clocks);
    let prefix = keys::holder_counts(case, None);
    let start = scan_start(&prefix, after);
    let entries = state.scan_from(Column::Cases, &prefix, &start, SWEEP_HOLDERS_PER_TICK)?;
    let mut events = Vec::new();
    for (key, value) in &entries {
        let holder = keys::read_participant(key, prefix.len())?;
        let counts: HolderCounts = decode(value)?;
        if holder == block.party || counts.held == 0 {
            continue;
        }
        if let Some(draft) = definition.holder_notice(&view, holder, &counts) {
            events.push(Event::NoticeSent(Notice {
                to: holder,
                case,
                kind: draft.kind.to_owned(),
                subject: draft.subject,
                body: draft.body,
            }));
        }
    }
    let next = continued(SweepPhase::Notify, &entries, SWEEP_HOLDERS_PER_TICK);
    events.push(Event::SweepMoved { case, job: next });
    Ok(events)
}

/// A withdrawal page: of the next census entries, the units the party holds now (returned, or
/// never shipped), not in transit and still in circulation, leave it as disposed of.
fn withdraw(
    state: &State,
    case: CaseId,
    block: &ScopeBlock,
    after: Option<&[u8]>,
) -> Result<Vec<Event>, EngineError> {
    let prefix = keys::holdings_prefix(case, None);
    let start = scan_start(&prefix, after);
    let entries = state.scan_from(Column::Cases, &prefix, &start, SWEEP_UNITS_PER_TICK)?;
    let reason = WithdrawalReason::RecallDisposal;
    let (mut codes, mut detached) = (Vec::new(), Vec::new());
    for (key, value) in &entries {
        if AtRecall::read(value)? != AtRecall::Held {
            continue;
        }
        let (code, _) = keys::read_code(key.get(prefix.len() + 12..).unwrap_or_default())?;
        let record = state.existing_code(&code)?;
        let (holder, in_transit) = state.holder(&record)?;
        let allowed = tanba_types::status::transition(
            record.state(),
            tanba_types::Operation::Withdraw(reason),
        );
        if holder != block.party || in_transit.is_some() || allowed.is_err() {
            continue;
        }
        if record.parent.is_some() {
            detached.push(code);
        }
        codes.push(code);
    }
    let mut events = Vec::new();
    if !detached.is_empty() {
        events.push(Event::Disaggregated { codes: detached });
    }
    if !codes.is_empty() {
        events.push(Event::Withdrawn {
            codes,
            reason,
            document: Some(format!("case {case}")),
            export: None,
            eaeu: None,
        });
    }
    let next = continued(SweepPhase::Withdraw, &entries, SWEEP_UNITS_PER_TICK);
    events.push(Event::SweepMoved { case, job: next });
    Ok(events)
}

/// Applies a census page.
pub(crate) fn apply_counted(
    state: &mut State,
    case: CaseId,
    holdings: &[Holding],
) -> Result<(), EngineError> {
    for holding in holdings {
        let kinds = [
            (&holding.held, AtRecall::Held),
            (&holding.sold, AtRecall::Sold),
            (&holding.gone, AtRecall::Gone),
        ];
        for (codes, at_recall) in kinds {
            for code in codes {
                let key = keys::holding(case, &holding.holder, code);
                state.put(Column::Cases, key, vec![at_recall as u8]);
            }
        }
        let key = keys::holder_counts(case, Some(&holding.holder));
        let mut counts: HolderCounts = state
            .get(Column::Cases, &key)?
            .map(|bytes| decode(&bytes))
            .transpose()?
            .unwrap_or_default();
        counts.add(holding);
        state.put(Column::Cases, key, encode(&counts));
    }
    Ok(())
}

/// Applies a sweep's move.
pub(crate) fn apply_moved(state: &mut State, case: CaseId, job: &Option<SweepJob>) {
    let key = keys::numbered(keys::SWEEP_JOB, case);
    match job {
        Some(job) => state.put(Column::Cases, key, encode(job)),
        None => state.delete(Column::Cases, key),
    }
}
