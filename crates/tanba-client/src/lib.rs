//! A Rust client for Tanba's gRPC API, used by the `tanba` CLI, the load generator and the
//! black-box tests: one connection with the caller's token and language on every call, sign-in
//! with a participant's key file, document signatures over the canonical text the server
//! checks, and refusals read back as their stable code and message.
//!
//! Architecture invariant: speaks only the wire contract (`tanba-proto`); the canonical document
//! text and the sign-in message come from `tanba-types` and `tanba-crypto`, the same functions
//! the server checks them with.

pub mod key_file;

use std::sync::Arc;
use std::time::Duration;

use prost::Message;
use tanba_crypto::{Ed25519Signer, Signer};
use tanba_proto::forms;
use tanba_proto::v1 as pb;
use tanba_types::{CaseCommand, Command, Language, ScannedCode, TaxpayerId};
use tonic::metadata::MetadataValue;
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};

pub use key_file::{KeyFile, KeyFileError};

/// Largest message the client sends or takes, in bytes (the server's own limit).
pub const MESSAGE_BYTES_MAX: usize = 16 << 20;
/// How often [`Connection::order_and_wait`] asks how far an order is.
pub const ORDER_POLL_INTERVAL: Duration = Duration::from_millis(20);

/// What went wrong on a call.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ClientError {
    /// The server could not be reached.
    #[error("cannot reach {address}: {reason}")]
    Connect {
        /// Where.
        address: String,
        /// Why.
        reason: String,
    },
    /// The client could not finish: an order not issued in time, a file that cannot be written,
    /// a code that does not read.
    #[error("{0}")]
    Failed(String),
    /// The server refused, with its stable code and message.
    #[error("{message}")]
    Refused {
        /// The stable code (`TANBA-...`), or the gRPC code's name when the server sent none.
        code: String,
        /// The message, in the language asked for.
        message: String,
        /// The gRPC status.
        status: tonic::Code,
    },
}

impl ClientError {
    /// The stable error code, if the server refused.
    pub fn code(&self) -> Option<&str> {
        match self {
            ClientError::Refused { code, .. } => Some(code),
            ClientError::Connect { .. } | ClientError::Failed(_) => None,
        }
    }
}

impl From<tonic::Status> for ClientError {
    fn from(status: tonic::Status) -> Self {
        match pb::ErrorDetail::decode(status.details()) {
            Ok(detail) if !detail.code.is_empty() => ClientError::Refused {
                code: detail.code,
                message: detail.message,
                status: status.code(),
            },
            _ => ClientError::Refused {
                code: format!("GRPC-{:?}", status.code()).to_uppercase(),
                message: status.message().to_owned(),
                status: status.code(),
            },
        }
    }
}

/// Puts the token and the language on every request.
#[derive(Clone)]
pub struct Credentials {
    token: Option<MetadataValue<tonic::metadata::Ascii>>,
    language: MetadataValue<tonic::metadata::Ascii>,
}

impl Interceptor for Credentials {
    fn call(
        &mut self,
        mut request: tonic::Request<()>,
    ) -> Result<tonic::Request<()>, tonic::Status> {
        let metadata = request.metadata_mut();
        if let Some(token) = &self.token {
            metadata.insert("authorization", token.clone());
        }
        metadata.insert("accept-language", self.language.clone());
        Ok(request)
    }
}

type Channelled = InterceptedService<Channel, Credentials>;

/// A connection to a Tanba server.
#[derive(Clone)]
pub struct Connection {
    channel: Channel,
    credentials: Credentials,
    participant: Option<TaxpayerId>,
    signer: Option<Arc<Ed25519Signer>>,
}

macro_rules! service {
    ($name:ident, $module:ident, $client:ident) => {
        /// The service's client, with this connection's credentials.
        pub fn $name(&self) -> pb::$module::$client<Channelled> {
            pb::$module::$client::with_interceptor(self.channel.clone(), self.credentials.clone())
                .max_decoding_message_size(MESSAGE_BYTES_MAX)
                .max_encoding_message_size(MESSAGE_BYTES_MAX)
        }
    };
}

impl Connection {
    /// Connects to `address` (`http://host:port`, `https://host:port`, or `host:port`),
    /// trusting the system's root certificates for `https`.
    pub async fn connect(address: &str) -> Result<Connection, ClientError> {
        Connection::connect_trusting(address, None).await
    }

    /// [`Connection::connect`], trusting for `https` the certificates in the PEM file
    /// `ca_file` (a private CA, a self-signed server) instead of the system's roots.
    pub async fn connect_trusting(
        address: &str,
        ca_file: Option<&std::path::Path>,
    ) -> Result<Connection, ClientError> {
        let url = if address.contains("://") {
            address.to_owned()
        } else {
            format!("http://{address}")
        };
        let connect_error = |reason: String| ClientError::Connect {
            address: url.clone(),
            reason,
        };
        let mut endpoint = Endpoint::from_shared(url.clone())
            .map_err(|error| connect_error(error.to_string()))?
            .tcp_nodelay(true);
        if url.starts_with("https://") {
            let tls = match ca_file {
                Some(path) => {
                    let pem = std::fs::read(path)
                        .map_err(|error| connect_error(format!("{}: {error}", path.display())))?;
                    ClientTlsConfig::new().ca_certificate(Certificate::from_pem(pem))
                }
                None => ClientTlsConfig::new().with_native_roots(),
            };
            endpoint = endpoint
                .tls_config(tls)
                .map_err(|error| connect_error(error.to_string()))?;
        } else if ca_file.is_some() {
            return Err(connect_error(
                "a CA file is for https:// addresses".to_owned(),
            ));
        }
        let channel = endpoint
            .connect()
            .await
            .map_err(|error| connect_error(error.to_string()))?;
        Ok(Connection {
            channel,
            credentials: Credentials {
                token: None,
                language: MetadataValue::from_static("ru"),
            },
            participant: None,
            signer: None,
        })
    }

    /// Answers in `language` from now on.
    pub fn with_language(mut self, language: Language) -> Connection {
        self.credentials.language = MetadataValue::from_static(language.code());
        self
    }

    /// Uses a token already held.
    pub fn with_token(mut self, token: &str) -> Connection {
        self.credentials.token = format!("Bearer {token}").parse().ok();
        self
    }

    /// Who this connection is signed in as.
    pub fn participant(&self) -> Option<TaxpayerId> {
        self.participant
    }

    /// Signs in: asks for a challenge, signs it with the participant's key, keeps the token.
    pub async fn sign_in(&mut self, key: &KeyFile) -> Result<(), ClientError> {
        let signer = key.signer();
        let challenge = self
            .auth()
            .get_challenge(pb::GetChallengeRequest {
                participant: key.participant.to_string(),
            })
            .await?
            .into_inner()
            .challenge;
        let signature = signer.sign(&tanba_crypto::sign_in::sign_in_message(&challenge));
        let token = self
            .auth()
            .sign_in(pb::SignInRequest {
                participant: key.participant.to_string(),
                challenge,
                signature,
            })
            .await?
            .into_inner()
            .token;
        self.credentials.token = format!("Bearer {token}").parse().ok();
        self.participant = Some(key.participant);
        self.signer = Some(Arc::new(signer));
        Ok(())
    }

    /// The detached signature of a document command by the signed-in participant (empty if
    /// not signed in with a key, or not a document).
    pub fn sign_document(&self, command: &Command) -> Vec<u8> {
        match (&self.signer, self.participant) {
            (Some(signer), Some(participant)) => command
                .document_bytes(&participant)
                .map(|bytes| signer.sign(&bytes))
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// Orders codes and waits until they are all issued, telling `progress` how many are, as
    /// they come; returns the order's id.
    pub async fn order_and_wait(
        &self,
        gtin: &str,
        quantity: u32,
        timeout: Duration,
        mut progress: impl FnMut(u32),
    ) -> Result<u64, ClientError> {
        let request = pb::OrderCodesRequest {
            gtin: gtin.to_owned(),
            quantity,
        };
        let order = self
            .emission()
            .order_codes(request)
            .await?
            .into_inner()
            .order;
        let started = std::time::Instant::now();
        loop {
            let state = self
                .emission()
                .get_order(pb::GetOrderRequest { order })
                .await?
                .into_inner()
                .order
                .unwrap_or_default();
            progress(state.issued);
            if state.issued == state.quantity {
                return Ok(order);
            }
            if started.elapsed() > timeout {
                return Err(ClientError::Failed(format!(
                    "order {order}: {} of {quantity} codes issued in {timeout:?}",
                    state.issued
                )));
            }
            tokio::time::sleep(ORDER_POLL_INTERVAL).await;
        }
    }

    /// An order's codes, streamed page by page into `page` (raw element strings, in order).
    pub async fn download(
        &self,
        order: u64,
        mut page: impl FnMut(Vec<pb::IssuedCode>) -> std::io::Result<()>,
    ) -> Result<(), ClientError> {
        let request = pb::DownloadCodesRequest {
            order,
            from_index: 0,
        };
        let mut stream = self.emission().download_codes(request).await?.into_inner();
        while let Some(message) = stream.message().await? {
            page(message.codes).map_err(|error| ClientError::Failed(error.to_string()))?;
        }
        Ok(())
    }

    /// Every code of an order (raw element strings, in order).
    pub async fn download_all(&self, order: u64) -> Result<Vec<String>, ClientError> {
        let mut codes = Vec::new();
        self.download(order, |page| {
            codes.extend(page.into_iter().map(|code| code.raw));
            Ok(())
        })
        .await?;
        Ok(codes)
    }

    /// Every audit record `query` asks for (an authority's or the operator's read), gathered
    /// from the stream.
    pub async fn audit_records(
        &self,
        query: pb::QueryAuditRequest,
    ) -> Result<Vec<pb::AuditRecord>, ClientError> {
        let mut stream = self.audit().query_audit(query).await?.into_inner();
        let mut records = Vec::new();
        while let Some(page) = stream.message().await? {
            records.extend(page.records);
        }
        Ok(records)
    }

    /// Ships `items` to `buyer`, signed; returns the document's id.
    pub async fn ship(&self, buyer: TaxpayerId, items: Vec<String>) -> Result<u64, ClientError> {
        let keys = items
            .iter()
            .map(|item| ScannedCode::read(item).map(|code| code.key))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| ClientError::Failed(error.to_string()))?;
        let signature = self.sign_document(&Command::Ship {
            buyer,
            items: keys,
            signature: Vec::new(),
        });
        let request = pb::ShipRequest {
            buyer: buyer.to_string(),
            items,
            signature,
        };
        Ok(self.documents().ship(request).await?.into_inner().document)
    }

    /// Accepts a whole shipment, signed.
    pub async fn accept_all(&self, document: u64) -> Result<pb::Receipt, ClientError> {
        let signature = self.sign_document(&Command::Accept {
            document,
            items: None,
            signature: Vec::new(),
        });
        let request = pb::AcceptRequest {
            document,
            items: Vec::new(),
            signature,
        };
        Ok(self
            .documents()
            .accept(request)
            .await?
            .into_inner()
            .receipt
            .unwrap_or_default())
    }

    service!(auth, auth_service_client, AuthServiceClient);
    service!(registry, registry_service_client, RegistryServiceClient);
    service!(emission, emission_service_client, EmissionServiceClient);
    service!(codes, codes_service_client, CodesServiceClient);
    service!(documents, documents_service_client, DocumentsServiceClient);
    service!(retail, retail_service_client, RetailServiceClient);
    service!(
        public,
        public_check_service_client,
        PublicCheckServiceClient
    );
    service!(audit, audit_service_client, AuditServiceClient);
    service!(cases, cases_service_client, CasesServiceClient);
    service!(recall, recall_service_client, RecallServiceClient);
    service!(reference, reference_service_client, ReferenceServiceClient);
    service!(
        state_services,
        state_services_service_client,
        StateServicesServiceClient
    );

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
            authority: authority.map(|id| id.to_string()).unwrap_or_default(),
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
        Ok(self
            .cases()
            .step_case(request)
            .await?
            .into_inner()
            .receipt
            .unwrap_or_default())
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
}

/// Bytes per message of an attachment upload (the server takes up to 1 MiB).
pub const ATTACHMENT_CHUNK_BYTES: usize = 256 * 1024;
