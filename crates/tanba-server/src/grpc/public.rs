//! The public check, the tills, and the audit trail over gRPC: each a shell over the same code
//! the HTTP side calls ([`crate::public`], [`crate::retail`], [`crate::audit`]).

use tanba_proto::v1 as pb;
use tanba_types::limits::REASON_CHARS_MAX;
use tanba_types::{Language, Role, ScannedCode};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::convert;
use super::participants::STREAM_BUFFER_MESSAGES;
use super::{STREAM_SEND_TIMEOUT, Services, begin};
use crate::audit::{self, AuditQuery};
use crate::error::ApiError;
use crate::public::{self as desk, Verdict, ViolationKind, ViolationReport};
use crate::retail::{self, ReceiptLine, ReturnReceipt, SalesReceipt};

/// Roles that read the audit trail and the public's reports.
const AUDIT_READERS: &[Role] = &[Role::Authority, Role::Operator];
/// Audit records per streamed message: each names up to 1,000 codes, so a chunk stays a few
/// MiB, well under the message limit.
const AUDIT_CHUNK_RECORDS: usize = 100;

/// The log entry that recorded a receipt (sale or return), for the wire.
fn receipt_of(outcome: &retail::ReceiptOutcome) -> Option<pb::Receipt> {
    Some(pb::Receipt {
        first_sequence: outcome.sequence,
        last_sequence: outcome.sequence,
        created: 0,
        time_ms: outcome.time_ms,
    })
}

/// An audit record for the wire.
fn audit_record_to(stored: &audit::StoredAuditRecord) -> pb::AuditRecord {
    let record = &stored.record;
    let mut arguments: Vec<String> = record.codes.iter().map(ToString::to_string).collect();
    arguments.extend(record.references.iter().cloned());
    if record.codes_total as usize > record.codes.len() {
        arguments.push(format!("… {} codes in all", record.codes_total));
    }
    pb::AuditRecord {
        sequence: stored.sequence,
        time_ms: record.time_ms,
        participant: record
            .participant
            .map(|id| id.to_string())
            .unwrap_or_default(),
        acting_for: record
            .acting_for
            .map(|id| id.to_string())
            .unwrap_or_default(),
        client_ip: record.client_ip.to_string(),
        method: record.method.clone(),
        arguments,
        outcome: record.error.clone().unwrap_or_else(|| "OK".into()),
        hash: stored.hash.to_string(),
        log_sequence: record.log_sequence.unwrap_or_default(),
    }
}

fn language_from(value: i32) -> Option<Language> {
    match pb::Language::try_from(value) {
        Ok(pb::Language::Kk) => Some(Language::Kk),
        Ok(pb::Language::Ru) => Some(Language::Ru),
        Ok(pb::Language::En) => Some(Language::En),
        _ => None,
    }
}

fn verdict_to(verdict: Verdict) -> pb::Verdict {
    match verdict {
        Verdict::Genuine => pb::Verdict::Genuine,
        Verdict::Sold => pb::Verdict::Sold,
        Verdict::Blocked => pb::Verdict::Blocked,
        Verdict::Recalled => pb::Verdict::Recalled,
        Verdict::Expired => pb::Verdict::Expired,
        Verdict::NotInCirculation => pb::Verdict::NotInCirculation,
        Verdict::UnknownOrForged => pb::Verdict::UnknownOrForged,
    }
}

/// A violation kind from the wire.
fn kind_from(value: i32) -> Result<ViolationKind, ApiError> {
    match pb::ViolationKind::try_from(value) {
        Ok(pb::ViolationKind::Counterfeit) => Ok(ViolationKind::Counterfeit),
        Ok(pb::ViolationKind::SoldAfterExpiry) => Ok(ViolationKind::SoldAfterExpiry),
        Ok(pb::ViolationKind::NoCode) => Ok(ViolationKind::NoCode),
        Ok(pb::ViolationKind::Price) => Ok(ViolationKind::Price),
        Ok(pb::ViolationKind::Other) => Ok(ViolationKind::Other),
        _ => Err(ApiError::invalid("kind")),
    }
}

fn kind_to(kind: ViolationKind) -> pb::ViolationKind {
    match kind {
        ViolationKind::Counterfeit => pb::ViolationKind::Counterfeit,
        ViolationKind::SoldAfterExpiry => pb::ViolationKind::SoldAfterExpiry,
        ViolationKind::NoCode => pb::ViolationKind::NoCode,
        ViolationKind::Price => pb::ViolationKind::Price,
        ViolationKind::Other => pb::ViolationKind::Other,
    }
}

#[tonic::async_trait]
impl pb::public_check_service_server::PublicCheckService for Services {
    async fn check(
        &self,
        request: Request<pb::CheckRequest>,
    ) -> Result<Response<pb::CheckResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.PublicCheckService/Check", request);
        if let Some(language) = language_from(message.language) {
            call.set_language(language);
        }
        let outcome = async {
            call.anonymous()?;
            let scanned = ScannedCode::read(&message.code)?;
            call.note_codes([&scanned.key]);
            let answer = desk::check_and_count(&self.app, &scanned, call.client_ip, call.language)?;
            Ok(pb::CheckResponse {
                verdict: verdict_to(answer.verdict) as i32,
                verdict_text: answer.verdict_text,
                recall: answer.recall.as_ref().map(|recall| pb::PublicRecall {
                    case_id: recall.case,
                    by: recall.by.clone(),
                    since_ms: recall.since_ms,
                    notice: recall.notice.clone(),
                }),
                blocked_by: answer
                    .blocked_by
                    .into_iter()
                    .map(|block| pb::PublicBlock {
                        authority: block.authority,
                        reason: block.reason,
                        since_ms: block.since_ms,
                    })
                    .collect(),
                product_name: answer
                    .product
                    .as_ref()
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
                producer: answer
                    .product
                    .as_ref()
                    .map(|p| p.producer.clone())
                    .unwrap_or_default(),
                importer: answer
                    .product
                    .as_ref()
                    .and_then(|p| p.importer.clone())
                    .unwrap_or_default(),
                country: answer
                    .product
                    .as_ref()
                    .map(|p| p.country.clone())
                    .unwrap_or_default(),
                production_date: convert::date_text(answer.production_date),
                expiry_date: convert::date_text(answer.expiry_date),
                flagged_as_likely_copy: answer.flagged_as_likely_copy,
                tail_checked: answer.tail_checked,
                likely_copy_evidence: answer.likely_copy_evidence,
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn report_violation(
        &self,
        request: Request<pb::ReportViolationRequest>,
    ) -> Result<Response<pb::ReportViolationResponse>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.PublicCheckService/ReportViolation",
            request,
        );
        let outcome = async {
            call.reporting()?;
            let code = if message.code.is_empty() {
                None
            } else {
                Some(ScannedCode::read(&message.code)?.key)
            };
            call.note_codes(code.iter());
            let report = ViolationReport {
                time_ms: self.app.now_ms(),
                client_ip: call.client_ip,
                code,
                kind: kind_from(message.kind)?,
                comment: message.comment,
                location: message
                    .has_location
                    .then_some((message.latitude, message.longitude)),
            };
            let report = desk::submit_report(&self.app, report)?;
            call.note_reference(report);
            Ok(pb::ReportViolationResponse { report })
        }
        .await;
        call.finish_grpc(outcome).await
    }
}

#[tonic::async_trait]
impl pb::retail_service_server::RetailService for Services {
    async fn check_before_sale(
        &self,
        request: Request<pb::CheckBeforeSaleRequest>,
    ) -> Result<Response<pb::CheckBeforeSaleResponse>, Status> {
        let (mut call, message) =
            begin(&self.app, "tanba.v1.RetailService/CheckBeforeSale", request);
        let outcome = async {
            let who = call.participant()?;
            let seller = convert::optional_taxpayer("seller", &message.seller)?;
            let actor = retail::acting_seller(&mut call, &who, seller)?;
            let checks = retail::check_before_sale(&mut call, actor, &message.codes)?;
            Ok(pb::CheckBeforeSaleResponse {
                checks: checks
                    .into_iter()
                    .map(|check| pb::SaleCheck {
                        code: check.code,
                        found: check.found,
                        tail_valid: check.tail_valid,
                        status: check
                            .status
                            .0
                            .map_or(pb::CodeStatus::Unspecified, |status| {
                                convert::status_to(status).0
                            }) as i32,
                        sellable: check.sellable,
                        refusal_code: check.refusal_code.unwrap_or_default().to_owned(),
                        refusal_message: check.refusal_message.unwrap_or_default(),
                        blockers: check
                            .blockers
                            .into_iter()
                            .map(|blocker| pb::Blocker {
                                authority: blocker.authority.to_string(),
                                reason: blocker.reason,
                                since_ms: blocker.since_ms,
                            })
                            .collect(),
                        expiry_date: convert::date_text(check.expiry_date),
                        owned_by_seller: check.owned_by_seller,
                        units_inside: check.units_inside,
                    })
                    .collect(),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn submit_receipt(
        &self,
        request: Request<pb::SubmitReceiptRequest>,
    ) -> Result<Response<pb::SubmitReceiptResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.RetailService/SubmitReceipt", request);
        let outcome = async {
            let who = call.participant()?;
            let seller = convert::optional_taxpayer("seller", &message.seller)?;
            let actor = retail::acting_seller(&mut call, &who, seller)?;
            let receipt = SalesReceipt {
                receipt_id: message.receipt_id,
                seller,
                time_ms: message.time_ms,
                lines: message
                    .lines
                    .into_iter()
                    .map(|line| ReceiptLine {
                        code: line.code,
                        price_tiyn: line.price_tiyn,
                    })
                    .collect(),
            };
            let outcome = retail::submit_receipt(&mut call, actor, &receipt).await?;
            Ok(pb::SubmitReceiptResponse {
                receipt: receipt_of(&outcome),
                duplicate: outcome.duplicate,
                refused_lines: outcome
                    .refused_lines
                    .into_iter()
                    .map(|line| pb::RefusedLine {
                        code: line.code,
                        refusal_code: line.refusal_code,
                        refusal_message: line.refusal_message,
                    })
                    .collect(),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn submit_return(
        &self,
        request: Request<pb::SubmitReturnRequest>,
    ) -> Result<Response<pb::SubmitReturnResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.RetailService/SubmitReturn", request);
        let outcome = async {
            let who = call.participant()?;
            let seller = convert::optional_taxpayer("seller", &message.seller)?;
            let actor = retail::acting_seller(&mut call, &who, seller)?;
            let receipt = ReturnReceipt {
                receipt_id: message.receipt_id,
                sale_receipt_id: message.sale_receipt_id,
                seller,
                codes: message.codes,
            };
            let outcome = retail::submit_return(&mut call, actor, &receipt).await?;
            Ok(pb::SubmitReturnResponse {
                receipt: receipt_of(&outcome),
                duplicate: outcome.duplicate,
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }
}

#[tonic::async_trait]
impl pb::audit_service_server::AuditService for Services {
    type QueryAuditStream = ReceiverStream<Result<pb::QueryAuditResponse, Status>>;

    async fn query_audit(
        &self,
        request: Request<pb::QueryAuditRequest>,
    ) -> Result<Response<Self::QueryAuditStream>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.AuditService/QueryAudit", request);
        let outcome = async {
            call.participant_with(AUDIT_READERS)?;
            let participant = convert::optional_taxpayer("participant", &message.participant)?;
            let code = if message.code.is_empty() {
                None
            } else {
                Some(ScannedCode::read(&message.code)?.key)
            };
            call.note_codes(code.iter());
            let (after, limit) = convert::page(message.page, audit::AUDIT_QUERY_RECORDS_MAX);
            let query = AuditQuery {
                participant,
                code,
                from_ms: message.from_ms,
                until_ms: message.until_ms,
                after,
                limit,
            };
            // Read and sent a chunk at a time: memory stays one chunk per reader, whatever the
            // total asked (records name up to 1,000 codes each).
            let store = self.app.engine.store().clone();
            let language = call.language;
            let (sender, receiver) = tokio::sync::mpsc::channel(STREAM_BUFFER_MESSAGES);
            tokio::spawn(async move {
                let (mut query, mut left) = (query, limit);
                while left > 0 {
                    query.limit = left.min(AUDIT_CHUNK_RECORDS);
                    let chunk_query = query.clone();
                    let store = store.clone();
                    let chunk = tokio::task::spawn_blocking(move || {
                        audit::query(store.snapshot().as_ref(), &chunk_query)
                    })
                    .await;
                    let records = match chunk {
                        Ok(Ok(records)) => records,
                        failed => {
                            if let Ok(Err(error)) = failed {
                                tracing::error!(%error, "audit query");
                            }
                            let _ = sender
                                .send(Err(ApiError::internal().to_status(language)))
                                .await;
                            return;
                        }
                    };
                    let Some(last) = records.last() else { return };
                    query.after = last.sequence;
                    left -= records.len();
                    let message = pb::QueryAuditResponse {
                        records: records.iter().map(audit_record_to).collect(),
                    };
                    let delivered =
                        tokio::time::timeout(STREAM_SEND_TIMEOUT, sender.send(Ok(message))).await;
                    if !matches!(delivered, Ok(Ok(()))) {
                        return;
                    }
                }
            });
            Ok(ReceiverStream::new(receiver))
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn clear_flag(
        &self,
        request: Request<pb::ClearFlagRequest>,
    ) -> Result<Response<pb::ClearFlagResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.AuditService/ClearFlag", request);
        let outcome = async {
            call.participant_with(&[Role::Authority])?;
            let code = ScannedCode::read(&message.code)?.key;
            call.note_codes([&code]);
            let reason = message.reason.trim();
            if reason.is_empty() || reason.chars().count() > REASON_CHARS_MAX {
                return Err(ApiError::invalid("reason"));
            }
            call.note_reference(reason);
            let cleared = self.app.public.clear_flag(&code)?;
            Ok(pb::ClearFlagResponse { cleared })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn list_violation_reports(
        &self,
        request: Request<pb::ListViolationReportsRequest>,
    ) -> Result<Response<pb::ListViolationReportsResponse>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.AuditService/ListViolationReports",
            request,
        );
        let outcome = async {
            call.participant_with(AUDIT_READERS)?;
            let code = if message.code.is_empty() {
                None
            } else {
                Some(ScannedCode::read(&message.code)?.key)
            };
            call.note_codes(code.iter());
            let (after, limit) = convert::page(message.page, desk::REPORT_PAGE_MAX);
            let reports = self.app.public.reports(code.as_ref(), after, limit)?;
            let mut out = Vec::with_capacity(reports.len());
            for (id, report) in reports {
                let code_flagged = match &report.code {
                    Some(code) => self.app.public.flag(code)?.is_some(),
                    None => false,
                };
                let (latitude, longitude) = report.location.unwrap_or_default();
                out.push(pb::ViolationReportRecord {
                    id,
                    time_ms: report.time_ms,
                    client_ip: report.client_ip.to_string(),
                    code: report.code.map(|code| code.to_string()).unwrap_or_default(),
                    kind: kind_to(report.kind) as i32,
                    comment: report.comment,
                    latitude,
                    longitude,
                    has_location: report.location.is_some(),
                    code_flagged,
                });
            }
            Ok(pb::ListViolationReportsResponse { reports: out })
        }
        .await;
        call.finish_grpc(outcome).await
    }
}
