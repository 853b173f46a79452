//! What the authorities and the operator read and clear: the audit trail (who called what,
//! when, from where, with which outcome), the public's violation reports, and likely-copy
//! flags, which only an authority clears, with a reason the audit record keeps.

use tanba_store::Store;
use tanba_types::limits::REASON_CHARS_MAX;
use tanba_types::{Role, ScannedCode, TaxpayerId};

use super::{Given, Page};
use crate::app::Call;
use crate::audit::{self, AUDIT_QUERY_RECORDS_MAX, AuditQuery, StoredAuditRecord};
use crate::error::ApiError;
use crate::public::{REPORT_PAGE_MAX, ViolationReport};

/// Roles that read the audit trail and the public's reports.
pub const AUDIT_READERS: &[Role] = &[Role::Authority, Role::Operator];

/// Which audit records a reader asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditSearch {
    /// Only this participant's calls (and those made for it).
    pub participant: Given<Option<TaxpayerId>>,
    /// Only calls that named this code (any form).
    pub code: Option<String>,
    /// From this time on, unix milliseconds.
    pub from_ms: u64,
    /// Before this time (0: no end).
    pub until_ms: u64,
    /// Which page (at most [`AUDIT_QUERY_RECORDS_MAX`] records in all).
    pub page: Page,
}

/// A violation report as the authorities list it.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedReport {
    /// Its id.
    pub id: u64,
    /// The report.
    pub report: ViolationReport,
    /// Whether its code is flagged as a likely copy now.
    pub code_flagged: bool,
    /// Whether it came with a photo ([`report_photo`]).
    pub has_photo: bool,
}

/// The audit query an authority or the operator may run: read with [`records`], a chunk at a
/// time (a query may ask for [`AUDIT_QUERY_RECORDS_MAX`] records).
pub fn search(call: &mut Call<'_>, search: AuditSearch) -> Result<AuditQuery, ApiError> {
    call.participant_with(AUDIT_READERS)?;
    let participant = search.participant?;
    let code = match search.code.as_deref() {
        Some(code) => Some(ScannedCode::read(code)?.key),
        None => None,
    };
    call.note_codes(code.iter());
    let (after, limit) = search.page.bounded(AUDIT_QUERY_RECORDS_MAX);
    Ok(AuditQuery {
        participant,
        code,
        from_ms: search.from_ms,
        until_ms: search.until_ms,
        after,
        limit,
    })
}

/// The records a query [`search`] allowed finds, oldest first.
pub fn records(store: &dyn Store, query: &AuditQuery) -> Result<Vec<StoredAuditRecord>, ApiError> {
    audit::query(store.snapshot().as_ref(), query).map_err(|error| {
        tracing::error!(%error, "audit query");
        ApiError::internal()
    })
}

/// Clears a code's likely-copy flag (an authority found the evidence explained), with the
/// reason the audit record keeps; whether there was one.
pub fn clear_flag(call: &mut Call<'_>, code: &str, reason: &str) -> Result<bool, ApiError> {
    call.participant_with(&[Role::Authority])?;
    let code = ScannedCode::read(code)?.key;
    call.note_codes([&code]);
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > REASON_CHARS_MAX {
        return Err(ApiError::invalid("reason"));
    }
    call.note_reference(reason);
    call.app().public.clear_flag(&code)
}

/// The public's violation reports, all or about one code (any form), oldest first.
pub fn violation_reports(
    call: &mut Call<'_>,
    code: Option<&str>,
    page: Page,
) -> Result<Vec<ListedReport>, ApiError> {
    call.participant_with(AUDIT_READERS)?;
    let code = match code {
        Some(code) => Some(ScannedCode::read(code)?.key),
        None => None,
    };
    call.note_codes(code.iter());
    let (after, limit) = page.bounded(REPORT_PAGE_MAX);
    let public = &call.app().public;
    let reports = public.reports(code.as_ref(), after, limit)?;
    let mut listed = Vec::with_capacity(reports.len());
    for (id, report) in reports {
        let code_flagged = match &report.code {
            Some(code) => public.flag(code)?.is_some(),
            None => false,
        };
        listed.push(ListedReport {
            has_photo: public.has_photo(id)?,
            id,
            report,
            code_flagged,
        });
    }
    Ok(listed)
}

/// The photo a violation report came with, for those who read the reports.
pub fn report_photo(call: &mut Call<'_>, report: u64) -> Result<crate::public::Photo, ApiError> {
    call.participant_with(AUDIT_READERS)?;
    call.note_reference(format!("report {report}"));
    call.app()
        .public
        .photo(report)?
        .ok_or_else(|| ApiError::not_found(format!("photo of report {report}")))
}
