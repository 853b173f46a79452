//! Goods scopes a case blocks (a recall's batch, production dates, or listed codes and
//! packages): refused at every till and shown recalled at the public check from the commit that
//! records the case's step, in the same group.
//!
//! A product-level scope (a GTIN with a batch or a production-date range) is one small record
//! that every check of a unit of that GTIN reads: a million-unit batch is blocked by one write,
//! never by a million. A scope that lists codes is expanded once, at the commit, into one entry
//! per unit (bounded like any command's codes), so later repacking cannot slip a unit out.
//!
//! Who may block what (R-REC-09, only goods the party put into circulation itself): a producer
//! or importer that markets the product may scope it whole; anyone else may list only units it
//! holds or held (sold ones included).

use tanba_store::{Column, Entry, Snapshot};
use tanba_types::limits::COMMAND_CODES_MAX;
use tanba_types::{
    CaseId, CodeKey, GoodsRequest, GoodsScope, PackageLevel, SweepPhase, TaxpayerId,
};

use crate::decide::{Context, check_codes};
use crate::error::EngineError;
use crate::keys;
use crate::records::{CodeRecord, ScopeBlock, decode, encode};
use crate::state::State;

/// Most product-level scope blocks in force on one GTIN (each check of its units reads them).
pub const SCOPE_BLOCKS_PER_PRODUCT_MAX: usize = 64;
/// Most scope blocks one unit may be listed in at once.
const SCOPE_BLOCKS_PER_UNIT_MAX: usize = 64;
/// Units of a listed scope removed per page when the block is lifted.
const RELEASE_PAGE: usize = 10_000;

/// Reads the engine's state or a snapshot of the store: the scope checks run on both (the
/// writer's decisions, and reads such as the public check).
pub(crate) trait Reads {
    /// The value under `key`.
    fn read(&self, column: Column, key: &[u8]) -> Result<Option<Vec<u8>>, EngineError>;
    /// Entries under `prefix`, at most `limit`.
    fn scan(&self, column: Column, prefix: &[u8], limit: usize) -> Result<Vec<Entry>, EngineError>;
}

impl Reads for State<'_> {
    fn read(&self, column: Column, key: &[u8]) -> Result<Option<Vec<u8>>, EngineError> {
        self.get(column, key)
    }
    fn scan(&self, column: Column, prefix: &[u8], limit: usize) -> Result<Vec<Entry>, EngineError> {
        self.scan_prefix(column, prefix, limit)
    }
}

impl Reads for dyn Snapshot + '_ {
    fn read(&self, column: Column, key: &[u8]) -> Result<Option<Vec<u8>>, EngineError> {
        Ok(self.get(column, key)?)
    }
    fn scan(&self, column: Column, prefix: &[u8], limit: usize) -> Result<Vec<Entry>, EngineError> {
        Ok(self.scan_prefix(column, prefix, limit)?)
    }
}

/// Decides a case's goods request: the events it becomes.
pub(crate) fn decide(
    state: &State,
    _context: &Context,
    case: CaseId,
    party: TaxpayerId,
    request: GoodsRequest,
) -> Result<Vec<tanba_types::Event>, EngineError> {
    let blocked = state
        .get(Column::Cases, &keys::numbered(keys::SCOPE_BLOCK, case))?
        .is_some();
    match request {
        GoodsRequest::BlockScope(scope) => {
            if blocked {
                return Err(EngineError::Invalid {
                    field: "scope",
                    reason: "the case blocks its scope already",
                });
            }
            check_scope(state, party, &scope)?;
            Ok(vec![
                tanba_types::Event::ScopeBlocked { case, scope },
                crate::sweep::start(state, case, SweepPhase::Census)?,
            ])
        }
        GoodsRequest::ReleaseScope => {
            if !blocked {
                return Err(EngineError::Invalid {
                    field: "scope",
                    reason: "the case blocks no scope",
                });
            }
            Ok(vec![tanba_types::Event::ScopeReleased { case }])
        }
        GoodsRequest::Authorize(authorization) => {
            crate::export::decide_request(state, case, Some(authorization))
        }
        GoodsRequest::EndAuthorization => crate::export::decide_request(state, case, None),
        GoodsRequest::WithdrawHeld => {
            if !blocked {
                return Err(EngineError::Invalid {
                    field: "scope",
                    reason: "the case blocks no scope",
                });
            }
            Ok(vec![crate::sweep::start(
                state,
                case,
                SweepPhase::Withdraw,
            )?])
        }
    }
}

/// Whether `party` may block `scope`, and the scope is well-formed.
fn check_scope(state: &State, party: TaxpayerId, scope: &GoodsScope) -> Result<(), EngineError> {
    let product = state
        .product(&scope.gtin)?
        .ok_or(EngineError::UnknownProduct(scope.gtin))?;
    if let Some(batch) = &scope.batch {
        crate::decide::check_text("batch", batch, tanba_types::limits::REFERENCE_CHARS_MAX)?;
    }
    if let (Some(from), Some(through)) = (scope.produced_from, scope.produced_through)
        && from > through
    {
        return Err(EngineError::Invalid {
            field: "produced_from",
            reason: "the production-date range ends before it starts",
        });
    }
    let markets = product.producer == Some(party) || product.importer == Some(party);
    if scope.codes.is_empty() {
        if !markets {
            return Err(EngineError::ScopeNotYours(scope.gtin.to_string()));
        }
        let in_force = state
            .scan_prefix(
                Column::Cases,
                &keys::scope_by_product_prefix(&scope.gtin),
                SCOPE_BLOCKS_PER_PRODUCT_MAX,
            )?
            .len();
        if in_force >= SCOPE_BLOCKS_PER_PRODUCT_MAX {
            return Err(EngineError::LimitExceeded {
                what: "recall scopes in force on one product",
                max: SCOPE_BLOCKS_PER_PRODUCT_MAX,
            });
        }
        return Ok(());
    }
    check_codes("codes", &scope.codes, COMMAND_CODES_MAX)?;
    if !markets {
        for code in &scope.codes {
            let record = state.existing_code(code)?;
            let (holder, _) = state.holder(&record)?;
            if holder != party && record.owner != party {
                return Err(EngineError::ScopeNotYours(code.to_string()));
            }
        }
    }
    if units(state, scope)?.is_empty() {
        return Err(EngineError::ScopeEmpty);
    }
    Ok(())
}

/// The units a listed scope covers: the listed codes and everything inside them, kept where the
/// unit is of the scope's product and matches its batch and dates.
fn units(state: &State, scope: &GoodsScope) -> Result<Vec<CodeKey>, EngineError> {
    let mut counted = 0;
    let mut out = Vec::new();
    for root in &scope.codes {
        for (code, record) in state.subtree(root, &mut counted)? {
            if record.level == PackageLevel::Unit && matches(scope, &code, &record) {
                out.push(code);
            }
        }
    }
    Ok(out)
}

/// Whether a unit falls in a scope's product, batch and production dates (its list aside).
pub(crate) fn matches(scope: &GoodsScope, code: &CodeKey, record: &CodeRecord) -> bool {
    code.gtin() == Some(scope.gtin)
        && scope
            .batch
            .as_ref()
            .is_none_or(|batch| record.batch.as_ref() == Some(batch))
        && scope
            .produced_from
            .is_none_or(|from| record.production_date.is_some_and(|day| day >= from))
        && scope
            .produced_through
            .is_none_or(|through| record.production_date.is_some_and(|day| day <= through))
}

/// Applies a scope block.
pub(crate) fn apply_blocked(
    state: &mut State,
    case: CaseId,
    party: TaxpayerId,
    scope: &GoodsScope,
    time_ms: u64,
) -> Result<(), EngineError> {
    let block = ScopeBlock {
        case,
        party,
        scope: scope.clone(),
        since_ms: time_ms,
    };
    if scope.codes.is_empty() {
        let mut key = keys::scope_by_product_prefix(&scope.gtin);
        key.extend_from_slice(&case.to_be_bytes());
        state.put(Column::Cases, key, encode(&block));
    } else {
        for unit in units(state, scope)? {
            let mut by_code = keys::scope_by_code_prefix(&unit);
            by_code.extend_from_slice(&case.to_be_bytes());
            state.put(Column::Cases, by_code, Vec::new());
            let mut by_case = keys::numbered(keys::SCOPE_UNITS, case);
            keys::push_code(&mut by_case, &unit);
            state.put(Column::Cases, by_case, Vec::new());
        }
    }
    state.put(
        Column::Cases,
        keys::numbered(keys::SCOPE_BLOCK, case),
        encode(&block),
    );
    count_block(state, &scope.gtin, true)
}

/// Counts a product's scope blocks in force up or down; the key goes with the last.
fn count_block(
    state: &mut State,
    gtin: &tanba_types::Gtin,
    added: bool,
) -> Result<(), EngineError> {
    let key = keys::scope_count(gtin);
    let count = state
        .get(Column::Cases, &key)?
        .map(|bytes| keys::read_u32(&bytes))
        .transpose()?
        .unwrap_or(0);
    let count = match added {
        true => count + 1,
        false => count.checked_sub(1).ok_or_else(|| {
            EngineError::Corrupt(format!("a block lifted from {gtin}, which counted none"))
        })?,
    };
    if count == 0 {
        state.delete(Column::Cases, key);
    } else {
        state.put(Column::Cases, key, count.to_be_bytes().to_vec());
    }
    Ok(())
}

/// Lifts a case's scope block.
pub(crate) fn apply_released(state: &mut State, case: CaseId) -> Result<(), EngineError> {
    let key = keys::numbered(keys::SCOPE_BLOCK, case);
    let block: ScopeBlock = decode(
        &state
            .get(Column::Cases, &key)?
            .ok_or_else(|| EngineError::Corrupt(format!("case {case} blocks no scope")))?,
    )?;
    state.delete(Column::Cases, key);
    count_block(state, &block.scope.gtin, false)?;
    if block.scope.codes.is_empty() {
        let mut by_product = keys::scope_by_product_prefix(&block.scope.gtin);
        by_product.extend_from_slice(&case.to_be_bytes());
        state.delete(Column::Cases, by_product);
        return Ok(());
    }
    let prefix = keys::numbered(keys::SCOPE_UNITS, case);
    loop {
        let page = state.scan_prefix(Column::Cases, &prefix, RELEASE_PAGE)?;
        if page.is_empty() {
            return Ok(());
        }
        for (by_case, _) in page {
            let (unit, _) = keys::read_code(&by_case[prefix.len()..])?;
            let mut by_code = keys::scope_by_code_prefix(&unit);
            by_code.extend_from_slice(&case.to_be_bytes());
            state.delete(Column::Cases, by_code);
            state.delete(Column::Cases, by_case);
        }
    }
}

/// The case whose scope block covers the unit `code`, if any (a package is covered through
/// its units: callers walk its content).
pub(crate) fn blocking_case<R: Reads + ?Sized>(
    reads: &R,
    code: &CodeKey,
    record: &CodeRecord,
) -> Result<Option<CaseId>, EngineError> {
    // Every scope names one product; a product none names (nearly every sale) costs one point
    // read, which the writer's per-group cache usually answers.
    let Some(gtin) = code.gtin() else {
        return Ok(None);
    };
    if reads
        .read(Column::Cases, &keys::scope_count(&gtin))?
        .is_none()
    {
        return Ok(None);
    }
    let listed = reads.scan(
        Column::Cases,
        &keys::scope_by_code_prefix(code),
        SCOPE_BLOCKS_PER_UNIT_MAX,
    )?;
    if let Some((key, _)) = listed.first() {
        return Ok(Some(keys::trailing_u64(key)?));
    }
    let blocks = reads.scan(
        Column::Cases,
        &keys::scope_by_product_prefix(&gtin),
        SCOPE_BLOCKS_PER_PRODUCT_MAX,
    )?;
    for (_, value) in blocks {
        let block: ScopeBlock = decode(&value)?;
        if record.level == PackageLevel::Unit && matches(&block.scope, code, record) {
            return Ok(Some(block.case));
        }
    }
    Ok(None)
}

/// Recalled units move only back to the party that recalls them (R-REC-10): refuses moving any
/// unit under `roots` that a scope block covers to anyone else. Free while no case blocks
/// anything: one read.
pub(crate) fn check_destination(
    state: &State,
    roots: &[CodeKey],
    destination: TaxpayerId,
) -> Result<(), EngineError> {
    if state
        .scan_prefix(Column::Cases, &[keys::SCOPE_BLOCK], 1)?
        .is_empty()
    {
        return Ok(());
    }
    let mut counted = 0;
    for root in roots {
        for (unit, record) in state.subtree(root, &mut counted)? {
            let Some(case) = blocking_case(state, &unit, &record)? else {
                continue;
            };
            let party = block_of(state, case)?.map(|block| block.party);
            if party != Some(destination) {
                return Err(EngineError::RecallReturnOnly { code: unit, case });
            }
        }
    }
    Ok(())
}

/// A case's scope block, if it has one.
pub(crate) fn block_of<R: Reads + ?Sized>(
    reads: &R,
    case: CaseId,
) -> Result<Option<ScopeBlock>, EngineError> {
    reads
        .read(Column::Cases, &keys::numbered(keys::SCOPE_BLOCK, case))?
        .map(|bytes| decode(&bytes))
        .transpose()
}
