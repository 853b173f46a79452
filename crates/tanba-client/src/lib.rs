//! A Rust client for Tanba's gRPC API, used by the `tanba` CLI, the demo's seeding, the load
//! generator and the black-box tests: one connection with the caller's token and language on
//! every call, sign-in with a participant's key file, document signatures over the canonical
//! text the server checks, and refusals read back as their stable code and message.
//!
//! Every operation of the API is a method of [`Connection`], one module per area (`registry`,
//! `emission`, `codes`, `documents`, `retail`, `public`, `audit`, `cases`, `services`), taking
//! Tanba's own values (`TaxpayerId`, `Gtin`, `Date`, `Product`, `CaseCommand`, codes as the text
//! scanned) and answering plain values, or the prost answer where a plain type would only copy
//! it. Callers build no request: a change of the wire is a change here. The raw service
//! clients ([`Connection::codes`] and the like) stay for tests that send what no operation
//! would, malformed input above all.
//!
//! Architecture invariant: speaks only the wire contract (`tanba-proto`); the canonical document
//! text and the sign-in message come from `tanba-types` and `tanba-crypto`, the same functions
//! the server checks them with.

pub mod audit;
pub mod cases;
pub mod codes;
pub mod documents;
pub mod emission;
pub mod exports;
pub mod feeds;
pub mod key_file;
pub mod public;
pub mod registry;
pub mod retail;
pub mod services;
pub mod statistics;
mod wire;

use std::sync::Arc;

use prost::Message;
use tanba_crypto::cms::CertificateSigner;
use tanba_crypto::{Ed25519Signer, Signer};
use tanba_proto::v1 as pb;
use tanba_types::{Command, Language, TaxpayerId};
use tonic::metadata::MetadataValue;
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};

pub use audit::AuditQuery;
pub use cases::{ATTACHMENT_CHUNK_BYTES, Listing};
pub use codes::{Applied, Withdrawal};
pub use emission::ORDER_POLL_INTERVAL;
pub use key_file::{KeyFile, KeyFileError};
pub use retail::{ReceiptLine, ReturnReceipt, SalesReceipt};
pub use services::OriginEvidence;

/// Largest message the client sends or takes, in bytes (the server's own limit).
pub const MESSAGE_BYTES_MAX: usize = 16 << 20;

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
    /// The log entry every answer must reflect (`x-tanba-after`).
    after: Option<MetadataValue<tonic::metadata::Ascii>>,
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
        if let Some(after) = &self.after {
            metadata.insert("x-tanba-after", after.clone());
        }
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
    signer: Option<DocumentSigner>,
}

/// What signs the signed-in participant's documents: its registered key, or the certificate it
/// signed in with (a detached CMS).
#[derive(Clone)]
enum DocumentSigner {
    Key(Arc<Ed25519Signer>),
    Certificate(Arc<CertificateSigner>),
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
                after: None,
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

    /// Asks every answer from now on to reflect the log through entry `sequence` (a write's
    /// `last_sequence`, made through another node of a cluster): the server waits until it
    /// has applied it, for a bounded time, or refuses with `TANBA-SERVER-BEHIND`.
    pub fn reading_after(mut self, sequence: u64) -> Connection {
        self.credentials.after = Some(MetadataValue::from(sequence));
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
        let sign = |message: &[u8]| Ok(signer.sign(message));
        self.sign_in_as(key.participant, sign, Vec::new()).await?;
        self.signer = Some(DocumentSigner::Key(Arc::new(signer)));
        Ok(())
    }

    /// Signs in with a certificate of an accredited centre and its key (R-IS-16), as the
    /// participant the certificate names; documents are then signed with it (detached CMS).
    pub async fn sign_in_with_certificate(
        &mut self,
        signer: CertificateSigner,
    ) -> Result<(), ClientError> {
        let failed = |error: tanba_crypto::CryptoError| ClientError::Failed(error.to_string());
        let (named, _) = tanba_crypto::x509::claimed_signer(&signer.chain()[0]).map_err(failed)?;
        let participant: TaxpayerId = named
            .parse()
            .map_err(|_| ClientError::Failed(format!("the certificate names {named}")))?;
        let sign = |message: &[u8]| signer.sign(message).map_err(failed);
        self.sign_in_as(participant, sign, signer.chain().to_vec())
            .await?;
        self.signer = Some(DocumentSigner::Certificate(Arc::new(signer)));
        Ok(())
    }

    /// Asks for a challenge for `participant`, answers it with `sign` (and a certificate chain,
    /// if any), and keeps the token.
    async fn sign_in_as(
        &mut self,
        participant: TaxpayerId,
        sign: impl Fn(&[u8]) -> Result<Vec<u8>, ClientError>,
        certificate_chain: Vec<Vec<u8>>,
    ) -> Result<(), ClientError> {
        let challenge = self
            .auth()
            .get_challenge(pb::GetChallengeRequest {
                participant: participant.to_string(),
            })
            .await?
            .into_inner()
            .challenge;
        let signature = sign(&tanba_crypto::sign_in::sign_in_message(&challenge))?;
        let token = self
            .auth()
            .sign_in(pb::SignInRequest {
                participant: participant.to_string(),
                challenge,
                signature,
                certificate_chain,
            })
            .await?
            .into_inner()
            .token;
        self.credentials.token = format!("Bearer {token}").parse().ok();
        self.participant = Some(participant);
        Ok(())
    }

    /// The detached signature of a document command by the signed-in participant: Ed25519 by
    /// its key, or a CMS by its certificate (empty if not signed in, or not a document; a
    /// certificate key that fails to sign leaves it empty too, and the server refuses it).
    pub fn sign_document(&self, command: &Command) -> Vec<u8> {
        let (Some(signer), Some(participant)) = (&self.signer, self.participant) else {
            return Vec::new();
        };
        let Some(bytes) = command.document_bytes(&participant) else {
            return Vec::new();
        };
        match signer {
            DocumentSigner::Key(key) => key.sign(&bytes),
            DocumentSigner::Certificate(certificate) => {
                certificate.sign_document(&bytes).unwrap_or_default()
            }
        }
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
    service!(
        data_exports,
        data_export_service_client,
        DataExportServiceClient
    );
    service!(
        statistics,
        statistics_service_client,
        StatisticsServiceClient
    );
    service!(feeds, feed_service_client, FeedServiceClient);
    service!(cases, cases_service_client, CasesServiceClient);
    service!(recall, recall_service_client, RecallServiceClient);
    service!(reference, reference_service_client, ReferenceServiceClient);
    service!(
        state_services,
        state_services_service_client,
        StateServicesServiceClient
    );
}
