//! Cases of the legal procedures and the recall's holders: opening and stepping a case of any
//! registered procedure (the engine and the definitions decide; the signer's signature is
//! checked first), reading cases, their history and the inbox, attachments (uploaded in chunks,
//! downloaded by whoever sees the case), the calendar, and who held a recalled unit.
//!
//! Who sees a case: its party, the parties it names, and the officials of its authority (see
//! [`visible_case`]); anyone else is told it does not exist.

use tanba_engine::query::{self, AtRecall, CaseCard, CaseList, HolderEffect, InboxNotice};
use tanba_engine::records::LogRecord;
use tanba_engine::{EngineError, Receipt};
use tanba_types::limits::PAGE_ENTRIES_MAX;
use tanba_types::{
    AttachmentRef, CaseCommand, CaseId, CodeKey, Command, Form, NoticeId, Participant, Role,
    ScannedCode, TaxpayerId,
};

use super::{Created, Given, Page, run};
use crate::app::{App, Call, StreamSlot, UploadSlot};
use crate::error::ApiError;

/// Holders one page of a recall's holders answers (each costs a count over its units).
pub const HOLDERS_PAGE_MAX: usize = 1_000;
/// Notices one read of a watched inbox answers at most.
pub const INBOX_POLL_NOTICES_MAX: usize = 1_000;

/// A case's opening, besides its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opening {
    /// The opening transition.
    pub transition: String,
    /// The authority it is addressed to, if the procedure names one.
    pub authority: Option<TaxpayerId>,
    /// The case it belongs to, if any.
    pub parent: Option<CaseId>,
    /// Other parties it names.
    pub named: Vec<TaxpayerId>,
    /// The form.
    pub form: Form,
    /// The files it names (uploaded first).
    pub attachments: Vec<AttachmentRef>,
    /// The opener's detached signature over the opening's canonical text.
    pub signature: Vec<u8>,
}

/// A step of a case, besides the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The transition taken.
    pub transition: String,
    /// The form.
    pub form: Form,
    /// The files it names (uploaded first).
    pub attachments: Vec<AttachmentRef>,
    /// The actor's detached signature over the step's canonical text.
    pub signature: Vec<u8>,
}

/// An attachment upload under way: the caller's one place, and the blob written chunk by chunk.
pub struct Upload<'a> {
    _slot: UploadSlot<'a>,
    blob: tanba_engine::blobs::BlobUpload,
}

impl Upload<'_> {
    /// Writes the next bytes.
    pub fn write(&mut self, chunk: &[u8]) -> Result<(), ApiError> {
        Ok(self.blob.write(chunk)?)
    }

    /// Ends the upload: the blob is stored (on the cluster's shelf too), then the log records
    /// it as the caller's (so every node lets a step of the caller's name it, and can read it);
    /// its BLAKE3 hash and size in bytes.
    pub async fn finish(self, call: &mut Call<'_>) -> Result<([u8; 32], u64), ApiError> {
        let (hash, size_bytes) = self.blob.finish()?;
        crate::shelf::shelve(call.app(), hash).await?;
        record_upload(call, hash, size_bytes).await?;
        Ok((hash, size_bytes))
    }
}

/// An attachment download allowed: the caller's place among its downloads, and the blob.
pub struct Download {
    /// The participant's place, held until the download ends.
    pub slot: StreamSlot,
    /// The blob's hash: read it with [`attachment_chunk`].
    pub hash: [u8; 32],
}

/// A page of a recall's holders with what became of their units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holders {
    /// Whether the census of who held the units is done.
    pub census_complete: bool,
    /// Each holder with what became of its units.
    pub holders: Vec<(TaxpayerId, HolderEffect)>,
}

/// A case the caller may see (party, named, or an official of its authority). Anyone else
/// learns nothing, not even that it exists.
pub fn visible_case(
    call: &Call<'_>,
    who: &Participant,
    case: CaseId,
) -> Result<CaseCard, ApiError> {
    let card = query::case_card(call.app().engine.snapshot().as_ref(), case)?;
    match card {
        Some(card) if !tanba_engine::cases::roles_in(&card.opening, who).is_empty() => Ok(card),
        _ => Err(EngineError::UnknownCase(case).into()),
    }
}

/// Opens a case of the procedure `kind`; the case's id is the receipt's.
pub async fn open_case(
    call: &mut Call<'_>,
    kind: String,
    opening: Given<Opening>,
) -> Result<Created, ApiError> {
    let who = call.participant()?;
    call.note_reference(&kind);
    let command = open_command(kind, opening?);
    let receipt = run(call, &who, Command::Case(command)).await?;
    Ok(Created {
        id: receipt.created.unwrap_or_default(),
        receipt,
    })
}

/// Takes a step of a case.
pub async fn step_case(
    call: &mut Call<'_>,
    case: CaseId,
    step: Given<Step>,
) -> Result<Receipt, ApiError> {
    let who = call.participant()?;
    call.note_reference(format!("case {case}"));
    let command = step_command(case, step?);
    run(call, &who, Command::Case(command)).await
}

/// The exact bytes the caller signs to open a case of `kind` (`CaseCommand::signed_bytes`),
/// for a signer that is not the server's client library: the console's page.
pub fn opening_bytes(
    call: &mut Call<'_>,
    kind: String,
    opening: Given<Opening>,
) -> Result<Vec<u8>, ApiError> {
    let who = call.participant()?;
    signed_bytes(&open_command(kind, opening?), &who)
}

/// The exact bytes the caller signs to take a step of case `case`.
pub fn step_bytes(
    call: &mut Call<'_>,
    case: CaseId,
    step: Given<Step>,
) -> Result<Vec<u8>, ApiError> {
    let who = call.participant()?;
    signed_bytes(&step_command(case, step?), &who)
}

fn signed_bytes(command: &CaseCommand, who: &Participant) -> Result<Vec<u8>, ApiError> {
    command.signed_bytes(&who.id).ok_or_else(ApiError::internal)
}

/// The command an opening is: one place, so the bytes signed are the bytes checked.
fn open_command(kind: String, opening: Opening) -> CaseCommand {
    CaseCommand::Open {
        kind,
        transition: opening.transition,
        authority: opening.authority,
        parent: opening.parent,
        named: opening.named,
        form: opening.form,
        attachments: opening.attachments,
        signature: opening.signature,
    }
}

/// The command a step is.
fn step_command(case: CaseId, step: Step) -> CaseCommand {
    CaseCommand::Step {
        case,
        transition: step.transition,
        form: step.form,
        attachments: step.attachments,
        signature: step.signature,
    }
}

/// A case the caller may see.
pub fn case(call: &mut Call<'_>, case: CaseId) -> Result<CaseCard, ApiError> {
    let who = call.participant()?;
    call.note_reference(format!("case {case}"));
    visible_case(call, &who, case)
}

/// The caller's cases: those it is a party to, or (an authority) those addressed to it.
pub fn cases(
    call: &mut Call<'_>,
    listing: CaseList,
    page: Page,
) -> Result<Vec<CaseCard>, ApiError> {
    let who = match listing {
        CaseList::AsAuthority => call.participant_with(&[Role::Authority])?,
        CaseList::AsParty => call.participant()?,
    };
    let (after, limit) = page.bounded(PAGE_ENTRIES_MAX);
    let snapshot = call.app().engine.snapshot();
    Ok(query::case_cards(
        snapshot.as_ref(),
        &who.id,
        listing,
        after,
        limit,
    )?)
}

/// A page of the history of a case the caller may see: its log entries.
pub fn case_history(
    call: &mut Call<'_>,
    case: CaseId,
    page: Page,
) -> Result<Vec<LogRecord>, ApiError> {
    let who = call.participant()?;
    call.note_reference(format!("case {case}"));
    visible_case(call, &who, case)?;
    let (after, limit) = page.bounded(PAGE_ENTRIES_MAX);
    let snapshot = call.app().engine.snapshot();
    Ok(query::case_history(snapshot.as_ref(), case, after, limit)?)
}

/// A page of the caller's inbox: the notices its cases sent it.
pub fn inbox(call: &mut Call<'_>, page: Page) -> Result<Vec<InboxNotice>, ApiError> {
    let who = call.participant()?;
    let (after, limit) = page.bounded(PAGE_ENTRIES_MAX);
    let snapshot = call.app().engine.snapshot();
    Ok(query::inbox_notices(
        snapshot.as_ref(),
        &who.id,
        after,
        limit,
    )?)
}

/// How many of the caller's notices are unread, reading at most `max` of them (a bounded read:
/// past `max`, the count is of the first `max`).
pub fn unread_notices(call: &mut Call<'_>, max: usize) -> Result<usize, ApiError> {
    let who = call.participant()?;
    let snapshot = call.app().engine.snapshot();
    let (mut after, mut read, mut unread) = (0, 0, 0);
    while read < max {
        let page = query::inbox_notices(
            snapshot.as_ref(),
            &who.id,
            after,
            PAGE_ENTRIES_MAX.min(max - read),
        )?;
        let Some(last) = page.last() else { break };
        after = last.id;
        read += page.len();
        unread += page
            .iter()
            .filter(|notice| notice.read_ms.is_none())
            .count();
    }
    Ok(unread)
}

/// A watch of the caller's inbox: one of its places among its watches (held until the watch
/// ends); read the notices with [`inbox_after`].
pub fn watch_inbox(call: &mut Call<'_>) -> Result<StreamSlot, ApiError> {
    let who = call.participant()?;
    call.app()
        .inbox_watches
        .begin(who.id, call.certificate(), &[])
}

/// The notices of `who`'s inbox after `after` (a watch's reads, at most
/// [`INBOX_POLL_NOTICES_MAX`]).
pub fn inbox_after(
    app: &App,
    who: &TaxpayerId,
    after: NoticeId,
) -> Result<Vec<InboxNotice>, EngineError> {
    query::inbox_notices(
        app.engine.snapshot().as_ref(),
        who,
        after,
        INBOX_POLL_NOTICES_MAX,
    )
}

/// Marks a notice read (its addressee).
pub async fn read_notice(call: &mut Call<'_>, notice: NoticeId) -> Result<Receipt, ApiError> {
    let who = call.participant()?;
    run(
        call,
        &who,
        Command::Case(CaseCommand::ReadNotice { notice }),
    )
    .await
}

/// Begins an attachment upload: one at a time per participant.
pub fn upload<'a>(call: &mut Call<'a>) -> Result<Upload<'a>, ApiError> {
    let who = call.participant()?;
    let app = call.app();
    let slot = app.uploads.begin(who.id)?;
    let blob = tanba_engine::blobs::BlobUpload::new(
        app.engine.store().clone(),
        rand_core::RngCore::next_u64(&mut rand_core::OsRng),
    );
    Ok(Upload { _slot: slot, blob })
}

/// Records in the log an upload the caller completed on this node.
pub(crate) async fn record_upload(
    call: &mut Call<'_>,
    hash: [u8; 32],
    size_bytes: u64,
) -> Result<(), ApiError> {
    let who = call.participant()?;
    let command = Command::RecordAttachment { hash, size_bytes };
    run(call, &who, command).await?;
    Ok(())
}

/// Allows the download of an attachment a case the caller may see names.
pub fn attachment(call: &mut Call<'_>, case: CaseId, hash: &[u8]) -> Result<Download, ApiError> {
    let who = call.participant()?;
    call.note_reference(format!("case {case}"));
    let record = visible_case(call, &who, case)?;
    let named = record
        .attachments
        .iter()
        .find(|attachment| attachment.hash[..] == hash[..])
        .ok_or_else(|| ApiError::not_found("attachment"))?;
    let slot = call
        .app()
        .downloads
        .begin(who.id, call.certificate(), &[])?;
    Ok(Download {
        slot,
        hash: named.hash,
    })
}

/// Chunk `index` of a blob a [`Download`] allowed; none past its end.
fn attachment_chunk(
    app: &App,
    hash: &[u8; 32],
    index: u32,
) -> Result<Option<Vec<u8>>, EngineError> {
    if index == 0 {
        // Taken by another node, not copied here yet: from the cluster's shelf.
        crate::shelf::hold(app, hash, tanba_types::limits::ATTACHMENT_BYTES_MAX)?;
    }
    let snapshot = app.engine.snapshot();
    let meta = tanba_engine::blobs::blob(snapshot.as_ref(), hash)?
        .ok_or_else(|| EngineError::Corrupt("a named attachment is missing".into()))?;
    if index >= meta.chunks {
        return Ok(None);
    }
    tanba_engine::blobs::blob_chunk(snapshot.as_ref(), &meta, index).map(Some)
}

/// How long a download's next chunk waits for a reader that stopped reading.
pub const ATTACHMENT_SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);
/// Chunks of an attachment read ahead of its reader.
pub const ATTACHMENT_CHUNKS_AHEAD: usize = 4;

/// The chunks of an allowed download, in order, each read on the blocking pool (never the
/// whole blob in memory) and handed over within [`ATTACHMENT_SEND_TIMEOUT`]: a reader that
/// stops reading holds no thread, and its place is freed when the stream ends. Every door
/// that serves attachments (gRPC, the console) streams them through here.
pub fn attachment_chunks(
    app: &std::sync::Arc<App>,
    download: Download,
) -> tokio_stream::wrappers::ReceiverStream<Result<Vec<u8>, ApiError>> {
    let (sender, receiver) = tokio::sync::mpsc::channel(ATTACHMENT_CHUNKS_AHEAD);
    let app = std::sync::Arc::downgrade(app);
    let Download { slot, hash } = download;
    tokio::spawn(async move {
        let _slot = slot;
        let mut index = 0;
        loop {
            let Some(strong) = app.upgrade() else { return };
            let read =
                tokio::task::spawn_blocking(move || attachment_chunk(&strong, &hash, index)).await;
            let chunk = match read {
                Ok(Ok(Some(chunk))) => Ok(chunk),
                Ok(Ok(None)) | Err(_) => return,
                Ok(Err(error)) => Err(ApiError::from(error)),
            };
            let last = chunk.is_err();
            let sent = tokio::time::timeout(ATTACHMENT_SEND_TIMEOUT, sender.send(chunk));
            if !matches!(sent.await, Ok(Ok(()))) || last {
                return;
            }
            index += 1;
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(receiver)
}

/// Publishes a working-day calendar version (the operator).
pub async fn publish_calendar(call: &mut Call<'_>, toml: String) -> Result<Receipt, ApiError> {
    let who = call.participant_with(&[Role::Operator])?;
    run(call, &who, Command::PublishCalendar { toml }).await
}

/// A page of a recall's holders (after the holder `after`), for the recalling party or its
/// authority: each unit is read to say what became of it, weighed like a call naming as many
/// codes and counted off the async workers.
pub async fn holders(
    call: &mut Call<'_>,
    case: CaseId,
    after: Given<Option<TaxpayerId>>,
    limit: u32,
) -> Result<Holders, ApiError> {
    let who = call.participant()?;
    call.note_reference(format!("case {case}"));
    let record = visible_case(call, &who, case)?;
    if record.opening.party != who.id && record.opening.authority != Some(who.id) {
        return Err(ApiError::forbidden("the recalling party | its authority"));
    }
    let after = after?;
    let (_, limit) = Page { after: 0, limit }.bounded(HOLDERS_PAGE_MAX);
    let counted = {
        let snapshot = call.app().engine.snapshot();
        query::holders(snapshot.as_ref(), case, after.as_ref(), limit)?
    };
    let units: u64 = counted.iter().map(|(_, counts)| counts.held).sum();
    call.charge_codes(usize::try_from(units).unwrap_or(usize::MAX))?;
    let party = record.opening.party;
    super::read_blocking(call, move |snapshot| {
        let mut holders = Vec::with_capacity(counted.len());
        for (holder, _) in counted {
            let effect = query::holder_effect(snapshot, case, &party, &holder)?;
            holders.push((holder, effect));
        }
        Ok(Holders {
            census_complete: query::census_complete(snapshot, case)?,
            holders,
        })
    })
    .await
}

/// A page of the units a holder held when a recall began, after the code `after` (any form):
/// the party and the authority read every holder's list; a holder (none: the caller) reads its
/// own, in a case that counted it. Anyone else learns nothing of the case.
pub fn holder_units(
    call: &mut Call<'_>,
    case: CaseId,
    holder: Given<Option<TaxpayerId>>,
    after: Option<&str>,
    limit: u32,
) -> Result<Vec<(CodeKey, AtRecall)>, ApiError> {
    let who = call.participant()?;
    call.note_reference(format!("case {case}"));
    let holder = holder?.unwrap_or(who.id);
    let snapshot = call.app().engine.snapshot();
    let record = query::case(snapshot.as_ref(), case)?;
    let counted_caller = holder == who.id
        && !query::holder_units(snapshot.as_ref(), case, &who.id, None, 1)?.is_empty();
    let allowed = record.as_ref().is_some_and(|record| {
        record.opening.party == who.id || record.opening.authority == Some(who.id) || counted_caller
    });
    if !allowed {
        return Err(EngineError::UnknownCase(case).into());
    }
    let after = match after {
        Some(code) => Some(ScannedCode::read(code)?.key),
        None => None,
    };
    let (_, limit) = Page { after: 0, limit }.bounded(PAGE_ENTRIES_MAX);
    Ok(query::holder_units(
        snapshot.as_ref(),
        case,
        &holder,
        after.as_ref(),
        limit,
    )?)
}
