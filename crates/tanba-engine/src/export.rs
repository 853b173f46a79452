//! Controlled goods and the permits that let them out (issue 11): a category may carry a
//! control-list code; withdrawing units of such a category for export outside the EAEU needs a
//! permit whose HS code, control-list code, end user and remaining quantity cover them, held
//! by the withdrawer, valid today and neither revoked nor expired. The withdrawal consumes the
//! quantity, and the permit's case lists the withdrawals that used it (its history holds them).
//!
//! A permit's authorization is recorded when its case issues it (`GoodsRequest::Authorize`),
//! under its number, and ends when the case revokes it or its validity runs out.

use std::collections::BTreeMap;

use tanba_store::{Column, Snapshot};
use tanba_types::{
    CaseId, CodeKey, DocumentNumber, Event, ExportAuthorization, ExportUse, ExportUsed, Gtin,
    PackageLevel, TaxpayerId, WithdrawalReason,
};

use crate::decide::Context;
use crate::error::{EngineError, ExportProblem};
use crate::keys;
use crate::records::{AuthorizationRecord, decode, encode};
use crate::state::State;

/// Most characters of the end user a withdrawal names.
pub const END_USER_CHARS_MAX: usize = 255;

/// The units of goods a withdrawal takes out that belong to controlled categories, by
/// (HS code, control-list code), and how many units it takes out in all.
struct Controlled {
    by_code: BTreeMap<(String, String), u64>,
    units: u64,
}

/// Decides what a withdrawal does with permits: nothing for goods that are not controlled or
/// not exported outside the EAEU; for controlled goods exported, the permit named must cover
/// every unit (or the withdrawal is refused with the reason); a permit named where none is
/// needed is refused too.
pub(crate) fn check(
    state: &State,
    context: &Context,
    withdrawer: TaxpayerId,
    codes: &[CodeKey],
    reason: WithdrawalReason,
    export: Option<&ExportUse>,
) -> Result<Option<ExportUsed>, EngineError> {
    let exporting = reason == WithdrawalReason::ExportOutsideEaeu;
    if !exporting {
        return match export {
            Some(_) => Err(EngineError::Invalid {
                field: "export",
                reason: "a permit is named only for export outside the EAEU",
            }),
            None => Ok(None),
        };
    }
    let controlled = controlled_units(state, codes)?;
    let Some(export) = export else {
        if let Some((hs_code, control_code)) = controlled.by_code.keys().next() {
            return Err(problem(
                ExportProblem::Required,
                format!("{hs_code} / {control_code}"),
            ));
        }
        return Ok(None);
    };
    let record = authorization(state, &export.permit)?
        .ok_or_else(|| problem(ExportProblem::Unknown, export.permit.to_string()))?;
    let permit = &record.authorization;
    let today = tanba_types::Date::from_unix_ms_in_kz(context.time_ms);
    // The holder first: another company learns nothing of a permit that is not its own.
    if record.holder != withdrawer {
        return Err(problem(ExportProblem::NotHolder, permit.number.to_string()));
    }
    if record.ended {
        return Err(problem(ExportProblem::Ended, permit.number.to_string()));
    }
    if today > permit.valid_until {
        return Err(problem(
            ExportProblem::Expired,
            format!("{} valid until {}", permit.number, permit.valid_until),
        ));
    }
    check_end_user(&export.end_user, &permit.end_user)?;
    let covered = controlled.by_code.keys().all(|(hs_code, control_code)| {
        *hs_code == permit.hs_code && covers(&permit.control_code, control_code)
    });
    if !covered || controlled.by_code.values().sum::<u64>() != controlled.units {
        return Err(problem(
            ExportProblem::Mismatch,
            format!(
                "{} covers {} / {}",
                permit.number, permit.hs_code, permit.control_code
            ),
        ));
    }
    let remaining = permit.units - record.used;
    if controlled.units > remaining {
        return Err(problem(
            ExportProblem::Exhausted,
            format!(
                "{} units, {remaining} left on {}",
                controlled.units, permit.number
            ),
        ));
    }
    Ok(Some(ExportUsed {
        permit: permit.number.clone(),
        case: record.case,
        units: controlled.units,
    }))
}

fn problem(problem: ExportProblem, detail: String) -> EngineError {
    EngineError::ExportPermit { problem, detail }
}

/// Whether a permit's control-list code covers a category's: the same code, or the category's
/// is a sub-item of it (`6A003` covers `6A003.b`). A permit for one sub-item never covers a
/// category of the whole heading, whose goods may be another sub-item.
fn covers(permit: &str, category: &str) -> bool {
    category == permit
        || category
            .strip_prefix(permit)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// The end user named matches the permit's, ignoring case and spacing.
fn check_end_user(named: &str, permitted: &str) -> Result<(), EngineError> {
    if named.chars().count() > END_USER_CHARS_MAX {
        return Err(EngineError::LimitExceeded {
            what: "characters of an end user",
            max: END_USER_CHARS_MAX,
        });
    }
    let normal = |text: &str| {
        text.split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
            .join(" ")
    };
    if normal(named) != normal(permitted) || normal(named).is_empty() {
        return Err(problem(
            ExportProblem::Mismatch,
            format!("the end user is {permitted}"),
        ));
    }
    Ok(())
}

/// The units the codes take out (a package's units at any depth), counted by controlled
/// (HS code, control-list code); products and categories are read once each.
fn controlled_units(state: &State, codes: &[CodeKey]) -> Result<Controlled, EngineError> {
    let mut per_gtin: BTreeMap<Gtin, Option<(String, String)>> = BTreeMap::new();
    let mut controlled = Controlled {
        by_code: BTreeMap::new(),
        units: 0,
    };
    let mut counted = 0;
    for root in codes {
        let record = state.existing_code(root)?;
        let units: Vec<CodeKey> = if record.contents_total() == 0 {
            vec![*root]
        } else {
            state
                .subtree(root, &mut counted)?
                .into_iter()
                .filter(|(_, record)| record.level == PackageLevel::Unit)
                .map(|(code, _)| code)
                .collect()
        };
        for unit in units {
            let Some(gtin) = unit.gtin() else { continue };
            let control = match per_gtin.entry(gtin) {
                std::collections::btree_map::Entry::Occupied(known) => known.into_mut(),
                std::collections::btree_map::Entry::Vacant(new) => {
                    new.insert(control_of(state, &gtin)?)
                }
            };
            controlled.units += 1;
            if let Some(key) = control {
                *controlled.by_code.entry(key.clone()).or_default() += 1;
            }
        }
    }
    Ok(controlled)
}

/// A product's HS code and its category's control-list code, if the category is controlled.
fn control_of(state: &State, gtin: &Gtin) -> Result<Option<(String, String)>, EngineError> {
    let Some(product) = state.product(gtin)? else {
        return Ok(None);
    };
    let code = state
        .category(&product.category)?
        .and_then(|category| category.control_list_code);
    Ok(code.map(|code| (product.hs_code.to_string(), code)))
}

/// Decides a case's goods request about its authorization.
pub(crate) fn decide_request(
    state: &State,
    case: CaseId,
    request: Option<ExportAuthorization>,
) -> Result<Vec<Event>, EngineError> {
    match request {
        Some(authorization) => {
            if authorization.units == 0 {
                return Err(EngineError::Invalid {
                    field: "units",
                    reason: "an authorization covers at least one unit",
                });
            }
            Ok(vec![Event::ExportAuthorized {
                case,
                authorization,
            }])
        }
        None => Ok(case_authorization(state, case)?
            .map(|number| Event::ExportAuthorizationEnded { case, number })
            .into_iter()
            .collect()),
    }
}

/// Applies an authorization recorded, ended, or used by the withdrawal at `sequence`.
pub(crate) fn apply(state: &mut State, sequence: u64, event: &Event) -> Result<(), EngineError> {
    match event {
        Event::ExportAuthorized {
            case,
            authorization,
        } => {
            let holder = crate::cases::existing(state, *case)?.opening.party;
            let record = AuthorizationRecord {
                case: *case,
                holder,
                authorization: authorization.clone(),
                used: 0,
                ended: false,
            };
            let number = &authorization.number;
            state.put(Column::Cases, keys::authorization(number), encode(&record));
            state.put(
                Column::Cases,
                keys::numbered(keys::CASE_AUTHORIZATION, *case),
                number.to_string().into_bytes(),
            );
            crate::cases::add_case_history(state, *case, sequence);
        }
        Event::ExportAuthorizationEnded { case, number } => {
            let mut record = existing(state, number)?;
            record.ended = true;
            state.put(Column::Cases, keys::authorization(number), encode(&record));
            crate::cases::add_case_history(state, *case, sequence);
        }
        Event::Withdrawn {
            export: Some(used), ..
        } => {
            let mut record = existing(state, &used.permit)?;
            record.used += used.units;
            assert!(
                record.used <= record.authorization.units,
                "a permit is never used past its quantity"
            );
            state.put(
                Column::Cases,
                keys::authorization(&used.permit),
                encode(&record),
            );
            state.put(
                Column::Cases,
                keys::numbered_pair(keys::AUTHORIZATION_USE, used.case, sequence),
                used.units.to_be_bytes().to_vec(),
            );
            crate::cases::add_case_history(state, used.case, sequence);
        }
        _ => {}
    }
    Ok(())
}

fn existing(state: &State, number: &DocumentNumber) -> Result<AuthorizationRecord, EngineError> {
    authorization(state, number)?
        .ok_or_else(|| EngineError::Corrupt(format!("authorization {number} is missing")))
}

fn authorization(
    state: &State,
    number: &DocumentNumber,
) -> Result<Option<AuthorizationRecord>, EngineError> {
    state
        .get(Column::Cases, &keys::authorization(number))?
        .map(|bytes| decode(&bytes))
        .transpose()
}

fn case_authorization(state: &State, case: CaseId) -> Result<Option<DocumentNumber>, EngineError> {
    let Some(bytes) = state.get(
        Column::Cases,
        &keys::numbered(keys::CASE_AUTHORIZATION, case),
    )?
    else {
        return Ok(None);
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| EngineError::Corrupt(format!("case {case}'s authorization")))?;
    DocumentNumber::parse(&text)
        .map(Some)
        .ok_or_else(|| EngineError::Corrupt(format!("case {case}'s authorization {text}")))
}

/// A permit's authorization as it stands: what it covers, how much is used, whether it ended.
pub fn authorization_of(
    snapshot: &dyn Snapshot,
    number: &DocumentNumber,
) -> Result<Option<AuthorizationRecord>, EngineError> {
    snapshot
        .get(Column::Cases, &keys::authorization(number))?
        .map(|bytes| decode(&bytes))
        .transpose()
}

/// The withdrawals that used a case's permit, after sequence `after`: each withdrawal's log
/// sequence and its units (its codes are in its log record).
pub fn uses(
    snapshot: &dyn Snapshot,
    case: CaseId,
    after: u64,
    limit: usize,
) -> Result<Vec<(u64, u64)>, EngineError> {
    let prefix = keys::numbered(keys::AUTHORIZATION_USE, case);
    let start = keys::numbered_pair(keys::AUTHORIZATION_USE, case, after.saturating_add(1));
    snapshot
        .scan_from(
            Column::Cases,
            &prefix,
            &start,
            limit.min(tanba_types::limits::PAGE_ENTRIES_MAX),
        )?
        .iter()
        .map(|(key, value)| Ok((keys::trailing_u64(key)?, keys::read_u64(value)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn a_permit_covers_its_code_and_its_sub_items_never_a_wider_heading() {
        assert!(covers("6A003", "6A003"));
        assert!(covers("6A003", "6A003.b"));
        assert!(covers("6A003", "6A003.b.4"));
        assert!(
            !covers("6A003.b", "6A003"),
            "a sub-item's permit, a heading's goods"
        );
        assert!(!covers("6A003.b", "6A003.a"));
        assert!(!covers("6A00", "6A003"));
        assert!(!covers("ML3", "ML33"));
    }
}
