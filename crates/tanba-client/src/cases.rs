//! Cases of the legal procedures (`CasesService`, `RecallService`): opening a case and taking
//! its steps as the signed-in participant's signed documents, attachments up and down in
//! chunks, the case, its history and the caller's notices, the calendar, and a recall's
//! holders. Openings and steps are given as the `CaseCommand` the engine decides, so the text
//! signed is the text the server rebuilds from the request.

use tanba_proto::forms;
use tanba_proto::v1 as pb;
use tanba_types::{CaseCommand, Command, TaxpayerId};

use crate::wire::{answered, optional_id, page_after};
use crate::{ClientError, Connection};

/// Bytes per message of an attachment upload (the server takes up to 1 MiB).
pub const ATTACHMENT_CHUNK_BYTES: usize = 256 * 1024;

/// Whose cases a listing reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// The caller's, as party or named.
    AsParty,
    /// An official's: the cases of the caller's authority.
    AsAuthority,
}

impl Connection {
    /// Opens a case (a [`CaseCommand::Open`]), signed by the signed-in participant; returns the
    /// case's id.
    pub async fn open_case(&self, command: CaseCommand) -> Result<u64, ClientError> {
        let signature = self.sign_document(&Command::Case(command.clone()));
        let CaseCommand::Open {
            kind,
            transition,
            authority,
            parent,
            named,
            form,
            attachments,
            ..
        } = command
        else {
            return Err(ClientError::Failed("not a case's opening".into()));
        };
        let request = pb::OpenCaseRequest {
            kind,
            transition,
            authority: optional_id(authority),
            parent: parent.unwrap_or_default(),
            named: named.iter().map(|id| id.to_string()).collect(),
            form: forms::form_to_wire(&form),
            attachments: attachments.iter().map(forms::attachment_to_wire).collect(),
            signature,
        };
        Ok(self.cases().open_case(request).await?.into_inner().case_id)
    }

    /// Takes a case's transition (a [`CaseCommand::Step`]), signed.
    pub async fn step_case(&self, command: CaseCommand) -> Result<pb::Receipt, ClientError> {
        let signature = self.sign_document(&Command::Case(command.clone()));
        let CaseCommand::Step {
            case,
            transition,
            form,
            attachments,
            ..
        } = command
        else {
            return Err(ClientError::Failed("not a case's step".into()));
        };
        let request = pb::StepCaseRequest {
            case_id: case,
            transition,
            form: forms::form_to_wire(&form),
            attachments: attachments.iter().map(forms::attachment_to_wire).collect(),
            signature,
        };
        let answer = self.cases().step_case(request).await?;
        answered(answer.into_inner().receipt, "receipt")
    }

    /// Uploads `bytes` as an attachment in chunks; returns its BLAKE3 hash and size.
    pub async fn upload_attachment(&self, bytes: Vec<u8>) -> Result<([u8; 32], u64), ClientError> {
        let chunks: Vec<pb::UploadAttachmentRequest> = bytes
            .chunks(ATTACHMENT_CHUNK_BYTES)
            .map(|chunk| pb::UploadAttachmentRequest {
                chunk: chunk.to_vec(),
            })
            .collect();
        let answer = self
            .cases()
            .upload_attachment(tokio_stream::iter(chunks))
            .await?
            .into_inner();
        let hash = answer
            .hash
            .try_into()
            .map_err(|_| ClientError::Failed("the server named the file wrongly".into()))?;
        Ok((hash, answer.size_bytes))
    }

    /// A file a case names, streamed chunk by chunk into `chunk`; returns how many bytes.
    pub async fn download_attachment(
        &self,
        case: u64,
        hash: [u8; 32],
        mut chunk: impl FnMut(&[u8]) -> std::io::Result<()>,
    ) -> Result<u64, ClientError> {
        let request = pb::DownloadAttachmentRequest {
            case_id: case,
            hash: hash.to_vec(),
        };
        let mut stream = self
            .cases()
            .download_attachment(request)
            .await?
            .into_inner();
        let mut bytes = 0u64;
        while let Some(message) = stream.message().await? {
            chunk(&message.chunk).map_err(|error| ClientError::Failed(error.to_string()))?;
            bytes += message.chunk.len() as u64;
        }
        Ok(bytes)
    }

    /// One case.
    pub async fn get_case(&self, case: u64) -> Result<pb::Case, ClientError> {
        let request = pb::GetCaseRequest { case_id: case };
        answered(
            self.cases().get_case(request).await?.into_inner().case,
            "case",
        )
    }

    /// A page of cases after the case id `after`, by `listing`.
    pub async fn list_cases(
        &self,
        listing: Listing,
        after: u64,
    ) -> Result<Vec<pb::Case>, ClientError> {
        let listing = match listing {
            Listing::AsParty => pb::CaseListing::AsParty,
            Listing::AsAuthority => pb::CaseListing::AsAuthority,
        };
        let request = pb::ListCasesRequest {
            listing: listing as i32,
            page: page_after(after),
        };
        Ok(self.cases().list_cases(request).await?.into_inner().cases)
    }

    /// A case's events (the first page).
    pub async fn case_history(&self, case: u64) -> Result<Vec<pb::CaseEvent>, ClientError> {
        let request = pb::CaseHistoryRequest {
            case_id: case,
            page: None,
        };
        Ok(self
            .cases()
            .case_history(request)
            .await?
            .into_inner()
            .events)
    }

    /// A page of the caller's notices after the notice id `after`.
    pub async fn inbox(&self, after: u64) -> Result<Vec<pb::CaseNotice>, ClientError> {
        let request = pb::InboxRequest {
            page: page_after(after),
        };
        Ok(self.cases().inbox(request).await?.into_inner().notices)
    }

    /// Marks a notice read.
    pub async fn read_notice(&self, notice: u64) -> Result<pb::Receipt, ClientError> {
        let request = pb::ReadNoticeRequest { notice_id: notice };
        let answer = self.cases().read_notice(request).await?;
        answered(answer.into_inner().receipt, "receipt")
    }

    /// Operator: publishes the next version of the working-day calendar (its TOML document).
    pub async fn publish_calendar(&self, toml: String) -> Result<pb::Receipt, ClientError> {
        let request = pb::PublishCalendarRequest { toml };
        let answer = self.cases().publish_calendar(request).await?;
        answered(answer.into_inner().receipt, "receipt")
    }

    /// A recall's holders (a page after the holder `after`) and whether the census is done.
    pub async fn recall_holders(
        &self,
        case: u64,
        after: Option<TaxpayerId>,
    ) -> Result<pb::HoldersResponse, ClientError> {
        let request = pb::HoldersRequest {
            case_id: case,
            after: optional_id(after),
            limit: 0,
        };
        Ok(self.recall().holders(request).await?.into_inner())
    }

    /// One holder's recalled units (`None`: the caller's), a page after the code `after`.
    pub async fn recall_units(
        &self,
        case: u64,
        holder: Option<TaxpayerId>,
        after: Option<&str>,
    ) -> Result<Vec<pb::RecalledUnit>, ClientError> {
        let request = pb::HolderUnitsRequest {
            case_id: case,
            holder: optional_id(holder),
            after: after.unwrap_or_default().to_owned(),
            limit: 0,
        };
        Ok(self
            .recall()
            .holder_units(request)
            .await?
            .into_inner()
            .units)
    }
}
