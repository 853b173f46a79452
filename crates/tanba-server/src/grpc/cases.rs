//! Cases and recalls over gRPC: opening and stepping cases of any registered procedure (the
//! engine and the definitions decide; the server checks the signer's signature first), reading
//! them, the inbox, attachments in chunks, the calendar, and a recall's holders.
//!
//! Who sees a case: its party, the parties it names, and the officials of its authority (see
//! [`visible_case`]); anyone else is told it does not exist.

use std::collections::HashMap;

use tanba_engine::query::{self, CaseList};
use tanba_engine::records::{CaseRecord, ClockEntry, NoticeRecord};
use tanba_proto::v1 as pb;
use tanba_types::limits::{PAGE_ENTRIES_MAX, STEP_ATTACHMENTS_MAX};
use tanba_types::{
    AttachmentRef, CaseCommand, CaseId, Command, Form, Language, Participant, Role, Run,
    ScannedCode, TaxpayerId,
};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

use super::participants::STREAM_BUFFER_MESSAGES;
use super::{Services, begin, convert, run};
use crate::app::Call;
use crate::error::ApiError;

/// Holders one page of a recall's holders answers (each costs a count over its units).
pub const HOLDERS_PAGE_MAX: usize = 1_000;
/// Bytes of one attachment message, either way.
pub const ATTACHMENT_MESSAGE_BYTES_MAX: usize = 1 << 20;
/// How often a watched inbox is read for new notices.
pub const INBOX_POLL_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);
/// Notices one poll of a watched inbox sends at most.
const INBOX_POLL_NOTICES_MAX: usize = 1_000;

/// A case the caller may see (party, named, or an official of its authority), with the
/// caller's roles in it. Anyone else learns nothing, not even that it exists.
pub fn visible_case(
    call: &Call<'_>,
    who: &Participant,
    case: CaseId,
) -> Result<CaseRecord, ApiError> {
    let record = query::case(call.app().engine.snapshot().as_ref(), case)?;
    match record {
        Some(record) if !tanba_engine::cases::roles_in(&record, who).is_empty() => Ok(record),
        _ => Err(tanba_engine::EngineError::UnknownCase(case).into()),
    }
}

#[tonic::async_trait]
impl pb::cases_service_server::CasesService for Services {
    async fn open_case(
        &self,
        request: Request<pb::OpenCaseRequest>,
    ) -> Result<Response<pb::OpenCaseResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CasesService/OpenCase", request);
        let outcome = async {
            let who = call.participant()?;
            call.note_reference(&message.kind);
            let command = CaseCommand::Open {
                kind: message.kind,
                transition: message.transition,
                authority: convert::optional_taxpayer("authority", &message.authority)?,
                parent: (message.parent != 0).then_some(message.parent),
                named: message
                    .named
                    .iter()
                    .map(|id| convert::taxpayer("named", id))
                    .collect::<Result<_, _>>()?,
                form: form_from(message.form)?,
                attachments: attachments_from(message.attachments)?,
                signature: message.signature,
            };
            let receipt = run(&mut call, &who, Command::Case(command)).await?;
            Ok(pb::OpenCaseResponse {
                case_id: receipt.created.unwrap_or_default(),
                receipt: Some(convert::receipt(&receipt)),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn step_case(
        &self,
        request: Request<pb::StepCaseRequest>,
    ) -> Result<Response<pb::StepCaseResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CasesService/StepCase", request);
        let outcome = async {
            let who = call.participant()?;
            call.note_reference(format!("case {}", message.case_id));
            let command = CaseCommand::Step {
                case: message.case_id,
                transition: message.transition,
                form: form_from(message.form)?,
                attachments: attachments_from(message.attachments)?,
                signature: message.signature,
            };
            let receipt = run(&mut call, &who, Command::Case(command)).await?;
            Ok(pb::StepCaseResponse {
                receipt: Some(convert::receipt(&receipt)),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn get_case(
        &self,
        request: Request<pb::GetCaseRequest>,
    ) -> Result<Response<pb::GetCaseResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CasesService/GetCase", request);
        let outcome = async {
            let who = call.participant()?;
            call.note_reference(format!("case {}", message.case_id));
            let record = visible_case(&call, &who, message.case_id)?;
            Ok(pb::GetCaseResponse {
                case: Some(case_to(message.case_id, &record)),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn list_cases(
        &self,
        request: Request<pb::ListCasesRequest>,
    ) -> Result<Response<pb::ListCasesResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CasesService/ListCases", request);
        let outcome = async {
            let listing = match message.listing() {
                pb::CaseListing::AsAuthority => CaseList::AsAuthority,
                pb::CaseListing::AsParty | pb::CaseListing::Unspecified => CaseList::AsParty,
            };
            let who = match listing {
                CaseList::AsAuthority => call.participant_with(&[Role::Authority])?,
                CaseList::AsParty => call.participant()?,
            };
            let (after, limit) = convert::page(message.page, PAGE_ENTRIES_MAX);
            let snapshot = self.app.engine.snapshot();
            let cases = query::cases(snapshot.as_ref(), &who.id, listing, after, limit)?;
            Ok(pb::ListCasesResponse {
                cases: cases.iter().map(|(id, case)| case_to(*id, case)).collect(),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn case_history(
        &self,
        request: Request<pb::CaseHistoryRequest>,
    ) -> Result<Response<pb::CaseHistoryResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CasesService/CaseHistory", request);
        let outcome = async {
            let who = call.participant()?;
            call.note_reference(format!("case {}", message.case_id));
            visible_case(&call, &who, message.case_id)?;
            let (after, limit) = convert::page(message.page, PAGE_ENTRIES_MAX);
            let snapshot = self.app.engine.snapshot();
            let records = query::case_history(snapshot.as_ref(), message.case_id, after, limit)?;
            let events = records
                .iter()
                .map(|record| pb::CaseEvent {
                    sequence: record.sequence,
                    time_ms: record.time_ms,
                    name: record.event.name().to_owned(),
                    actor: record
                        .actor
                        .caller()
                        .map(|id| id.to_string())
                        .unwrap_or_default(),
                    event_json: serde_json::to_string(&record.event).unwrap_or_default(),
                })
                .collect();
            Ok(pb::CaseHistoryResponse { events })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn inbox(
        &self,
        request: Request<pb::InboxRequest>,
    ) -> Result<Response<pb::InboxResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CasesService/Inbox", request);
        let outcome = async {
            let who = call.participant()?;
            let (after, limit) = convert::page(message.page, PAGE_ENTRIES_MAX);
            let snapshot = self.app.engine.snapshot();
            let notices = query::inbox(snapshot.as_ref(), &who.id, after, limit)?;
            let language = call.language;
            Ok(pb::InboxResponse {
                notices: notices
                    .iter()
                    .map(|(id, notice)| notice_to(*id, notice, language))
                    .collect(),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    type WatchInboxStream = ReceiverStream<Result<pb::CaseNotice, Status>>;

    async fn watch_inbox(
        &self,
        request: Request<pb::WatchInboxRequest>,
    ) -> Result<Response<Self::WatchInboxStream>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CasesService/WatchInbox", request);
        let outcome = async {
            let who = call.participant()?;
            let watch = self.app.inbox_watches.begin(who.id)?;
            Ok(self.watch_inbox(watch, message.after, call.language))
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn read_notice(
        &self,
        request: Request<pb::ReadNoticeRequest>,
    ) -> Result<Response<pb::ReadNoticeResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CasesService/ReadNotice", request);
        let outcome = async {
            let who = call.participant()?;
            let command = CaseCommand::ReadNotice {
                notice: message.notice_id,
            };
            let receipt = run(&mut call, &who, Command::Case(command)).await?;
            Ok(pb::ReadNoticeResponse {
                receipt: Some(convert::receipt(&receipt)),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn upload_attachment(
        &self,
        request: Request<Streaming<pb::UploadAttachmentRequest>>,
    ) -> Result<Response<pb::UploadAttachmentResponse>, Status> {
        let (mut call, mut stream) =
            begin(&self.app, "tanba.v1.CasesService/UploadAttachment", request);
        let outcome = async {
            let who = call.participant()?;
            let _slot = self.app.uploads.begin(who.id)?;
            let mut upload = tanba_engine::blobs::BlobUpload::new(
                self.app.engine.store().clone(),
                rand_core::RngCore::next_u64(&mut rand_core::OsRng),
                who.id,
            );
            while let Some(message) = stream.next().await {
                let message = message.map_err(|_| ApiError::malformed())?;
                if message.chunk.len() > ATTACHMENT_MESSAGE_BYTES_MAX {
                    return Err(ApiError::too_many(
                        "bytes of one attachment message",
                        ATTACHMENT_MESSAGE_BYTES_MAX,
                    ));
                }
                upload.write(&message.chunk)?;
            }
            let (hash, size_bytes) = upload.finish()?;
            Ok(pb::UploadAttachmentResponse {
                hash: hash.to_vec(),
                size_bytes,
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    type DownloadAttachmentStream = ReceiverStream<Result<pb::AttachmentChunk, Status>>;

    async fn download_attachment(
        &self,
        request: Request<pb::DownloadAttachmentRequest>,
    ) -> Result<Response<Self::DownloadAttachmentStream>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.CasesService/DownloadAttachment",
            request,
        );
        let outcome = async {
            let who = call.participant()?;
            call.note_reference(format!("case {}", message.case_id));
            let record = visible_case(&call, &who, message.case_id)?;
            let named = record
                .attachments
                .iter()
                .find(|attachment| attachment.hash[..] == message.hash[..])
                .ok_or_else(|| ApiError::not_found("attachment"))?;
            let slot = self.app.downloads.begin(who.id)?;
            Ok(self.stream_blob(slot, named.hash))
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn publish_calendar(
        &self,
        request: Request<pb::PublishCalendarRequest>,
    ) -> Result<Response<pb::PublishCalendarResponse>, Status> {
        let (mut call, message) =
            begin(&self.app, "tanba.v1.CasesService/PublishCalendar", request);
        let outcome = async {
            let who = call.participant_with(&[Role::Operator])?;
            let command = Command::PublishCalendar { toml: message.toml };
            let receipt = run(&mut call, &who, command).await?;
            Ok(pb::PublishCalendarResponse {
                receipt: Some(convert::receipt(&receipt)),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }
}

impl Services {
    /// Sends a participant's notices after `after`, then each new one, until the caller goes
    /// away ([`super::watch`]).
    fn watch_inbox(
        &self,
        watch: crate::app::StreamSlot,
        after: u64,
        language: Language,
    ) -> ReceiverStream<Result<pb::CaseNotice, Status>> {
        let who = watch.participant();
        super::watch(
            &self.app,
            watch,
            after,
            INBOX_POLL_INTERVAL,
            move |app, after| {
                let snapshot = app.engine.snapshot();
                let notices = query::inbox(snapshot.as_ref(), &who, after, INBOX_POLL_NOTICES_MAX)?;
                Ok(notices
                    .into_iter()
                    .map(|(id, notice)| (id, notice_to(id, &notice, language)))
                    .collect())
            },
        )
    }

    /// Streams a stored blob chunk by chunk (never whole in memory), each chunk read on the
    /// blocking pool and sent within [`super::STREAM_SEND_TIMEOUT`]: a reader that stops reading
    /// holds no thread, and its place is freed when the stream ends.
    fn stream_blob(
        &self,
        slot: crate::app::StreamSlot,
        hash: [u8; 32],
    ) -> ReceiverStream<Result<pb::AttachmentChunk, Status>> {
        let (sender, receiver) = tokio::sync::mpsc::channel(STREAM_BUFFER_MESSAGES);
        let app = std::sync::Arc::downgrade(&self.app);
        tokio::spawn(async move {
            let _slot = slot;
            let failed = |error: tanba_engine::EngineError| {
                Err(ApiError::from(error).to_status(Language::En))
            };
            let mut index = 0;
            loop {
                let Some(strong) = app.upgrade() else { return };
                let read = tokio::task::spawn_blocking(move || {
                    let snapshot = strong.engine.snapshot();
                    let meta =
                        tanba_engine::blobs::blob(snapshot.as_ref(), &hash)?.ok_or_else(|| {
                            tanba_engine::EngineError::Corrupt(
                                "a named attachment is missing".into(),
                            )
                        })?;
                    if index >= meta.chunks {
                        return Ok(None);
                    }
                    tanba_engine::blobs::blob_chunk(snapshot.as_ref(), &meta, index).map(Some)
                })
                .await;
                let message = match read {
                    Ok(Ok(Some(chunk))) => Ok(pb::AttachmentChunk { chunk }),
                    Ok(Ok(None)) => return,
                    Ok(Err(error)) => failed(error),
                    Err(_) => return,
                };
                let last = message.is_err();
                let sent = tokio::time::timeout(super::STREAM_SEND_TIMEOUT, sender.send(message));
                if !matches!(sent.await, Ok(Ok(()))) || last {
                    return;
                }
                index += 1;
            }
        });
        ReceiverStream::new(receiver)
    }
}

#[tonic::async_trait]
impl pb::recall_service_server::RecallService for Services {
    async fn holders(
        &self,
        request: Request<pb::HoldersRequest>,
    ) -> Result<Response<pb::HoldersResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.RecallService/Holders", request);
        let outcome = async {
            let who = call.participant()?;
            call.note_reference(format!("case {}", message.case_id));
            let record = visible_case(&call, &who, message.case_id)?;
            if record.opening.party != who.id && record.opening.authority != Some(who.id) {
                return Err(ApiError::forbidden("the recalling party | its authority"));
            }
            let after = convert::optional_taxpayer("after", &message.after)?;
            let limit = match message.limit {
                0 => 100,
                limit => (limit as usize).min(HOLDERS_PAGE_MAX),
            };
            let case = message.case_id;
            let counted = {
                let snapshot = self.app.engine.snapshot();
                query::holders(snapshot.as_ref(), case, after.as_ref(), limit)?
            };
            // Each unit is read to say what became of it: weighed like a call naming as many
            // codes, and counted off the async workers.
            let units: u64 = counted.iter().map(|(_, counts)| counts.held).sum();
            call.charge_codes(usize::try_from(units).unwrap_or(usize::MAX))?;
            let app = self.app.clone();
            let party = record.opening.party;
            let answer = tokio::task::spawn_blocking(move || {
                let snapshot = app.engine.snapshot();
                let mut holders = Vec::with_capacity(counted.len());
                for (holder, _) in counted {
                    let effect = query::holder_effect(snapshot.as_ref(), case, &party, &holder)?;
                    holders.push(holder_to(&holder, &effect));
                }
                Ok::<_, tanba_engine::EngineError>(pb::HoldersResponse {
                    census_complete: query::census_complete(snapshot.as_ref(), case)?,
                    holders,
                })
            })
            .await
            .map_err(|_| ApiError::internal())??;
            Ok(answer)
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn holder_units(
        &self,
        request: Request<pb::HolderUnitsRequest>,
    ) -> Result<Response<pb::HolderUnitsResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.RecallService/HolderUnits", request);
        let outcome = async {
            let who = call.participant()?;
            call.note_reference(format!("case {}", message.case_id));
            let holder = convert::optional_taxpayer("holder", &message.holder)?.unwrap_or(who.id);
            let snapshot = self.app.engine.snapshot();
            let record = query::case(snapshot.as_ref(), message.case_id)?;
            // The party and the authority see every holder's list; a holder sees its own, in a
            // case that counted it (anyone else learns nothing of the case).
            let counted_caller = holder == who.id
                && !query::holder_units(snapshot.as_ref(), message.case_id, &who.id, None, 1)?
                    .is_empty();
            let allowed = record.as_ref().is_some_and(|record| {
                record.opening.party == who.id
                    || record.opening.authority == Some(who.id)
                    || counted_caller
            });
            if !allowed {
                return Err(tanba_engine::EngineError::UnknownCase(message.case_id).into());
            }
            let after = match message.after.as_str() {
                "" => None,
                text => Some(ScannedCode::read(text)?.key),
            };
            let (_, limit) = convert::page(
                Some(pb::Page {
                    after: 0,
                    limit: message.limit,
                }),
                PAGE_ENTRIES_MAX,
            );
            let units = query::holder_units(
                snapshot.as_ref(),
                message.case_id,
                &holder,
                after.as_ref(),
                limit,
            )?;
            Ok(pb::HolderUnitsResponse {
                units: units
                    .iter()
                    .map(|(code, at_recall)| pb::RecalledUnit {
                        code: code.to_string(),
                        at_recall: at_recall_to(*at_recall) as i32,
                    })
                    .collect(),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }
}

// ---------------------------------------------------------------------------------------------
// Conversions.

/// A form from its message: every value read as its kind says (codes in any scanner form).
fn form_from(fields: HashMap<String, pb::FieldValue>) -> Result<Form, ApiError> {
    tanba_proto::forms::form_from_wire(fields).map_err(|error| ApiError::invalid(&error.field))
}

fn attachments_from(attachments: Vec<pb::Attachment>) -> Result<Vec<AttachmentRef>, ApiError> {
    if attachments.len() > STEP_ATTACHMENTS_MAX {
        return Err(ApiError::too_many("attachments", STEP_ATTACHMENTS_MAX));
    }
    attachments
        .into_iter()
        .map(|attachment| {
            tanba_proto::forms::attachment_from_wire(attachment)
                .map_err(|error| ApiError::invalid(&error.field))
        })
        .collect()
}

fn clock_to(name: &str, entry: &ClockEntry) -> pb::CaseClock {
    let (run, due) = match &entry.value.run {
        Run::Running { due, .. } => ("running", Some(due)),
        Run::Paused { .. } => ("paused", None),
        Run::Stopped { .. } => ("stopped", None),
    };
    pb::CaseClock {
        name: name.to_owned(),
        run: run.to_owned(),
        due_ms: due.map_or(0, |due| due.at_ms),
        due_day: due.map(|due| due.day.to_string()).unwrap_or_default(),
        calendar_version: due.map_or(0, |due| due.calendar_version),
        detail_json: serde_json::to_string(&entry.value).unwrap_or_default(),
    }
}

/// A case as a message.
pub fn case_to(id: CaseId, record: &CaseRecord) -> pb::Case {
    let opening = &record.opening;
    pb::Case {
        case_id: id,
        kind: opening.kind.clone(),
        text_version: opening.text_version.clone(),
        party: opening.party.to_string(),
        authority: opening
            .authority
            .map(|id| id.to_string())
            .unwrap_or_default(),
        parent: opening.parent.unwrap_or_default(),
        named: opening.named.iter().map(|id| id.to_string()).collect(),
        state: record.state.clone(),
        closed: record.closed,
        data: tanba_proto::forms::form_to_wire(&record.data),
        clocks: record
            .clocks
            .iter()
            .map(|(name, entry)| clock_to(name, entry))
            .collect(),
        attachments: record
            .attachments
            .iter()
            .map(tanba_proto::forms::attachment_to_wire)
            .collect(),
        taken: record
            .taken
            .iter()
            .map(|(transition, by)| pb::TakenStep {
                transition: transition.clone(),
                by: by.to_string(),
            })
            .collect(),
        opened_ms: record.opened_ms,
        updated_ms: record.updated_ms,
        numbers: record.numbers.iter().map(ToString::to_string).collect(),
        reference_versions: opening
            .references
            .iter()
            .map(|(set, version)| format!("{set} {version}"))
            .collect(),
    }
}

fn notice_to(id: u64, record: &NoticeRecord, language: Language) -> pb::CaseNotice {
    pb::CaseNotice {
        notice_id: id,
        case_id: record.notice.case,
        kind: record.notice.kind.clone(),
        subject: record.notice.subject.in_language(language).to_owned(),
        body: record.notice.body.in_language(language).to_owned(),
        made_available_ms: record.made_available_ms,
        read_ms: record.read_ms.unwrap_or_default(),
    }
}

fn holder_to(holder: &TaxpayerId, effect: &query::HolderEffect) -> pb::RecallHolder {
    pb::RecallHolder {
        holder: holder.to_string(),
        recalled: effect.recalled,
        returned: effect.returned,
        disposed: effect.disposed,
        still_held: effect.still_held,
        elsewhere: effect.elsewhere,
        sold_before: effect.sold_before,
    }
}

fn at_recall_to(at_recall: query::AtRecall) -> pb::AtRecall {
    match at_recall {
        query::AtRecall::Held => pb::AtRecall::Held,
        query::AtRecall::Sold => pb::AtRecall::Sold,
        query::AtRecall::Gone => pb::AtRecall::Gone,
    }
}
