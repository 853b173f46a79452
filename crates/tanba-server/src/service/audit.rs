//! What the authorities and the operator read and clear: the audit trail (who called what,
//! when, from where, with which outcome), the public's violation reports, and likely-copy
//! flags, which only an authority clears, with a reason the audit record keeps.

use tanba_engine::heads::NodeName;
use tanba_engine::public::{ReportRecord, flag_of, report_of, reports};
use tanba_store::Store;
use tanba_types::{Command, Role, ScannedCode, TaxpayerId};

use super::{Given, Page};
use crate::app::Call;
use crate::audit::{self, AUDIT_QUERY_RECORDS_MAX, AuditQuery, StoredAuditRecord, Trail};
use crate::error::ApiError;
use crate::public::REPORT_PAGE_MAX;

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
    /// Whose trail: the node that served the calls (a cluster's nodes copy each other's
    /// trails); none for this node's own.
    pub node: Option<String>,
}

/// A violation report as the authorities list it.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedReport {
    /// Its id (its log entry's sequence).
    pub id: u64,
    /// The report, with its time.
    pub report: ReportRecord,
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
    let trail = match search.node.as_deref().map(str::trim) {
        None | Some("") => Trail::Own,
        Some(node) => {
            let node = NodeName::parse(node).map_err(|_| ApiError::invalid("node"))?;
            call.note_reference(format!("node {node}"));
            match call.app().node.as_ref() == Some(&node) {
                true => Trail::Own,
                false => Trail::Of(node),
            }
        }
    };
    let (after, limit) = search.page.bounded(AUDIT_QUERY_RECORDS_MAX);
    Ok(AuditQuery {
        trail,
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
/// reason the log keeps; whether there was one.
pub async fn clear_flag(call: &mut Call<'_>, code: &str, reason: &str) -> Result<bool, ApiError> {
    let who = call.participant_with(&[Role::Authority])?;
    let code = ScannedCode::read(code)?.key;
    call.note_codes([&code]);
    call.note_reference(reason);
    let app = call.app();
    if flag_of(app.engine.snapshot().as_ref(), &code)?.is_none() {
        return Ok(false);
    }
    let reason = reason.trim().to_owned();
    let command = Command::ClearLikelyCopyFlag { code, reason };
    super::run(call, &who, command).await?;
    call.app().public.forget_sightings(&code);
    metrics::counter!("tanba_flags_cleared_total").increment(1);
    Ok(true)
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
    let snapshot = call.app().engine.snapshot();
    let found = reports(
        snapshot.as_ref(),
        code.as_ref(),
        after,
        limit.clamp(1, REPORT_PAGE_MAX),
    )?;
    let mut listed = Vec::with_capacity(found.len());
    for (id, report) in found {
        let code_flagged = match &report.report.code {
            Some(code) => flag_of(snapshot.as_ref(), code)?.is_some(),
            None => false,
        };
        listed.push(ListedReport {
            has_photo: report.report.photo.is_some(),
            id,
            report,
            code_flagged,
        });
    }
    Ok(listed)
}

/// The photo a violation report came with, for those who read the reports: from this node's
/// blobs or the cluster's shelf.
pub async fn report_photo(
    call: &mut Call<'_>,
    report: u64,
) -> Result<crate::public::Photo, ApiError> {
    call.participant_with(AUDIT_READERS)?;
    call.note_reference(format!("report {report}"));
    let app = call.app();
    let named =
        report_of(app.engine.snapshot().as_ref(), report)?.and_then(|record| record.report.photo);
    let missing = || ApiError::not_found(format!("photo of report {report}"));
    let named = named.ok_or_else(missing)?;
    let bytes_max = tanba_types::limits::REPORT_PHOTO_BYTES_MAX as u64;
    crate::shelf::hold_from_task(app, named.hash, bytes_max).await?;
    app.public.photo(&named).await?.ok_or_else(missing)
}
