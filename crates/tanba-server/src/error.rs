//! One error type for every answer the server refuses: a stable code, what the message names,
//! and the kind that picks the gRPC status and the HTTP status. The message itself is rendered
//! in the caller's language only when the answer is written (`tanba_types::messages`).

use std::fmt;

use prost::Message;
use tanba_crypto::CryptoError;
use tanba_engine::EngineError;
use tanba_types::{CodeKey, CodeKeyError, KzIdError, Language, Localized, ScanError, localize};

/// What sort of refusal: the transport status follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request itself is wrong.
    InvalidArgument,
    /// No valid sign-in.
    Unauthenticated,
    /// Signed in, but not allowed.
    PermissionDenied,
    /// The thing asked about does not exist.
    NotFound,
    /// It exists already.
    AlreadyExists,
    /// Not in the state the request needs.
    FailedPrecondition,
    /// Too many requests, or the engine's queue is full.
    ResourceExhausted,
    /// The server is stopping.
    Unavailable,
    /// A fault of the server, never of the caller.
    Internal,
}

/// A refusal, ready to be rendered in any language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The kind.
    pub kind: ErrorKind,
    /// The stable code.
    pub code: &'static str,
    ai: Option<String>,
    position: Option<usize>,
    detail: Option<String>,
    /// The code (marking code) the error is about.
    pub subject: Option<CodeKey>,
}

impl Localized for ApiError {
    fn code(&self) -> &'static str {
        self.code
    }
    fn ai(&self) -> Option<&str> {
        self.ai.as_deref()
    }
    fn position(&self) -> Option<usize> {
        self.position
    }
    fn detail(&self) -> Option<String> {
        self.detail.clone()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&localize(self, Language::En))
    }
}

impl std::error::Error for ApiError {}

/// The server's own codes (the rest come from the engine, GS1, crypto and the identifiers).
pub const SERVER_CODES: &[&str] = &[
    "TANBA-SERVER-UNAUTHENTICATED",
    "TANBA-SERVER-FORBIDDEN",
    "TANBA-SERVER-RATE-LIMITED",
    "TANBA-SERVER-INVALID",
    "TANBA-SERVER-TOO-MANY",
    "TANBA-SERVER-NOT-FOUND",
    "TANBA-SERVER-BAD-DOCUMENT-SIGNATURE",
    "TANBA-SERVER-CHALLENGE-USED",
    "TANBA-SERVER-UNSUPPORTED-MEDIA",
    "TANBA-SERVER-MALFORMED",
    "TANBA-SERVER-INTERNAL",
    "TANBA-SERVER-TIMEOUT",
    "TANBA-SERVER-BEHIND",
    "TANBA-SERVER-DIVERGED",
    "TANBA-SERVER-CSRF",
    "TANBA-SERVER-CURSOR",
    "TANBA-SERVER-NOT-READY",
];

impl ApiError {
    fn new(kind: ErrorKind, code: &'static str, detail: Option<String>) -> ApiError {
        ApiError {
            kind,
            code,
            ai: None,
            position: None,
            detail,
            subject: None,
        }
    }

    fn from_localized(kind: ErrorKind, error: &dyn Localized) -> ApiError {
        ApiError {
            kind,
            code: error.code(),
            ai: error.ai().map(str::to_owned),
            position: error.position(),
            detail: error.detail(),
            subject: None,
        }
    }

    /// Any library's error, of `kind`.
    pub fn localized(kind: ErrorKind, error: &dyn Localized) -> ApiError {
        ApiError::from_localized(kind, error)
    }

    /// No token, or one that does not check out.
    pub fn unauthenticated() -> ApiError {
        ApiError::new(
            ErrorKind::Unauthenticated,
            "TANBA-SERVER-UNAUTHENTICATED",
            None,
        )
    }

    /// The caller may not do this; `what` names what it lacks (a role, the seller's consent).
    pub fn forbidden(what: impl Into<String>) -> ApiError {
        ApiError::new(
            ErrorKind::PermissionDenied,
            "TANBA-SERVER-FORBIDDEN",
            Some(what.into()),
        )
    }

    /// Over the caller's rate.
    pub fn rate_limited() -> ApiError {
        ApiError::new(
            ErrorKind::ResourceExhausted,
            "TANBA-SERVER-RATE-LIMITED",
            None,
        )
    }

    /// A field is missing or wrong; `field` names it.
    pub fn invalid(field: &str) -> ApiError {
        ApiError::new(
            ErrorKind::InvalidArgument,
            "TANBA-SERVER-INVALID",
            Some(field.to_owned()),
        )
    }

    /// A feed's cursor past the log's head: `detail` says both.
    pub fn cursor(after: u64, head: u64) -> ApiError {
        ApiError::new(
            ErrorKind::InvalidArgument,
            "TANBA-SERVER-CURSOR",
            Some(format!("{after} > {head}")),
        )
    }

    /// More entries than a request may carry.
    pub fn too_many(what: &str, max: usize) -> ApiError {
        ApiError::new(
            ErrorKind::InvalidArgument,
            "TANBA-SERVER-TOO-MANY",
            Some(format!("{what} ≤ {max}")),
        )
    }

    /// The caller holds as many of something as it may (subscriptions, named queries): a
    /// conflict with what it has, until it lets one go.
    pub fn full(what: &str, max: usize) -> ApiError {
        ApiError::new(
            ErrorKind::FailedPrecondition,
            "TANBA-SERVER-TOO-MANY",
            Some(format!("{what} ≤ {max}")),
        )
    }

    /// What was asked for is under way and cannot be done to yet; `what` names it.
    pub fn not_ready(what: impl Into<String>) -> ApiError {
        ApiError::new(
            ErrorKind::FailedPrecondition,
            "TANBA-SERVER-NOT-READY",
            Some(what.into()),
        )
    }

    /// Nothing of that kind under that name.
    pub fn not_found(what: impl Into<String>) -> ApiError {
        ApiError::new(
            ErrorKind::NotFound,
            "TANBA-SERVER-NOT-FOUND",
            Some(what.into()),
        )
    }

    /// A document's signature is not its signer's.
    pub fn bad_document_signature() -> ApiError {
        ApiError::new(
            ErrorKind::PermissionDenied,
            "TANBA-SERVER-BAD-DOCUMENT-SIGNATURE",
            None,
        )
    }

    /// A sign-in challenge answered twice.
    pub fn challenge_used() -> ApiError {
        ApiError::new(
            ErrorKind::Unauthenticated,
            "TANBA-SERVER-CHALLENGE-USED",
            None,
        )
    }

    /// A console form without the token of the session (or of the sign-in page) it came from:
    /// posted from another site, or stale.
    pub fn csrf() -> ApiError {
        ApiError::new(ErrorKind::PermissionDenied, "TANBA-SERVER-CSRF", None)
    }

    /// A body in a format the route does not take.
    pub fn unsupported_media(expected: &str) -> ApiError {
        ApiError::new(
            ErrorKind::InvalidArgument,
            "TANBA-SERVER-UNSUPPORTED-MEDIA",
            Some(expected.to_owned()),
        )
    }

    /// A request body that does not decode (not protobuf, truncated).
    pub fn malformed() -> ApiError {
        ApiError::new(ErrorKind::InvalidArgument, "TANBA-SERVER-MALFORMED", None)
    }

    /// A call that took longer than the server allows (`net::CALL_TIMEOUT`).
    pub fn timed_out() -> ApiError {
        ApiError::new(ErrorKind::Unavailable, "TANBA-SERVER-TIMEOUT", None)
    }

    /// A call that named a log entry (a consistency token) this node has not applied within
    /// the wait it allows.
    pub fn behind(sequence: u64) -> ApiError {
        ApiError::new(
            ErrorKind::Unavailable,
            "TANBA-SERVER-BEHIND",
            Some(sequence.to_string()),
        )
    }

    /// This node's log differs from the other nodes' (`tanba_engine::heads`): it answers no
    /// one until an operator restores it.
    pub fn diverged() -> ApiError {
        ApiError::new(ErrorKind::Unavailable, "TANBA-SERVER-DIVERGED", None)
    }

    /// A fault of the server; the detail goes to the log, not to the caller.
    pub fn internal() -> ApiError {
        ApiError::new(ErrorKind::Internal, "TANBA-SERVER-INTERNAL", None)
    }

    /// The same error about `code`.
    pub fn about(mut self, code: CodeKey) -> ApiError {
        self.subject = Some(code);
        self
    }

    /// The message in `language`, starting with the code.
    pub fn message(&self, language: Language) -> String {
        localize(self, language)
    }

    /// The gRPC status, with an [`ErrorDetail`](tanba_proto::v1::ErrorDetail) in its details.
    pub fn to_status(&self, language: Language) -> tonic::Status {
        use tonic::Code;
        let code = match self.kind {
            ErrorKind::InvalidArgument => Code::InvalidArgument,
            ErrorKind::Unauthenticated => Code::Unauthenticated,
            ErrorKind::PermissionDenied => Code::PermissionDenied,
            ErrorKind::NotFound => Code::NotFound,
            ErrorKind::AlreadyExists => Code::AlreadyExists,
            ErrorKind::FailedPrecondition => Code::FailedPrecondition,
            ErrorKind::ResourceExhausted => Code::ResourceExhausted,
            ErrorKind::Unavailable => Code::Unavailable,
            ErrorKind::Internal => Code::Internal,
        };
        let message = self.message(language);
        let detail = tanba_proto::v1::ErrorDetail {
            code: self.code.to_owned(),
            message: message.clone(),
            subject: self
                .subject
                .map(|code| code.to_string())
                .unwrap_or_default(),
        };
        tonic::Status::with_details(code, message, detail.encode_to_vec().into())
    }

    /// The HTTP status.
    pub fn http_status(&self) -> u16 {
        match self.kind {
            ErrorKind::InvalidArgument => 400,
            ErrorKind::Unauthenticated => 401,
            ErrorKind::PermissionDenied => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::AlreadyExists | ErrorKind::FailedPrecondition => 409,
            ErrorKind::ResourceExhausted => 429,
            ErrorKind::Unavailable => 503,
            ErrorKind::Internal => 500,
        }
    }
}

impl From<EngineError> for ApiError {
    fn from(error: EngineError) -> ApiError {
        use EngineError as E;
        // A capture's refusal is its command's, kind and all, naming which command it was.
        if let E::InCapture { error: inner, .. } = &error {
            let kind = ApiError::from(inner.as_ref().clone()).kind;
            let mut api = ApiError::from_localized(kind, &error);
            api.subject = inner.subject();
            return api;
        }
        let kind = match &error {
            E::Corrupt(_) => {
                tracing::error!(%error, "engine fault");
                ErrorKind::Internal
            }
            // The disk refused the write (full, failing): nothing changed; try again later.
            E::Store(_) => {
                tracing::error!(%error, "the store refused a write");
                ErrorKind::Unavailable
            }
            E::UnknownParticipant(_)
            | E::UnknownCategory(_)
            | E::UnknownProduct(_)
            | E::UnknownCode(_)
            | E::UnknownOrder(_)
            | E::UnknownDocument(_)
            | E::UnknownReceipt(_)
            | E::UnknownCase(_)
            | E::UnknownNotice(_)
            | E::UnknownAttachment(_) => ErrorKind::NotFound,
            E::ParticipantSuspended(_)
            | E::RegistrationCeased(_)
            | E::RoleRequired(_)
            | E::HoldsNoGoods(_)
            | E::SystemOnly
            | E::NotYourProduct(_)
            | E::NotOwner(_)
            | E::NotBlockedByYou(_)
            | E::ScopeNotYours(_)
            | E::NotServed { .. } => ErrorKind::PermissionDenied,
            E::ParticipantExists(_)
            | E::ProductExists(_)
            | E::DuplicateCode(_)
            | E::ReceiptRecorded { .. }
            | E::ReceiptMismatch { .. } => ErrorKind::AlreadyExists,
            E::LimitExceeded { .. } | E::Invalid { .. } | E::Calendar(_) => {
                ErrorKind::InvalidArgument
            }
            // A case step's form is the caller's argument; its state or role is a precondition.
            E::Case(error) => match error {
                tanba_cases::CaseError::Field { .. }
                | tanba_cases::CaseError::TooLarge(_)
                | tanba_cases::CaseError::Attachment(_)
                | tanba_cases::CaseError::UnknownKind(_)
                | tanba_cases::CaseError::UnknownTransition(_) => ErrorKind::InvalidArgument,
                tanba_cases::CaseError::NotYourStep(_) => ErrorKind::PermissionDenied,
                _ => ErrorKind::FailedPrecondition,
            },
            E::Busy | E::QueueShareFull => ErrorKind::ResourceExhausted,
            E::Stopped | E::StoreUnavailable | E::LogUnavailable(_) | E::ShelfUnavailable(_) => {
                ErrorKind::Unavailable
            }
            _ => ErrorKind::FailedPrecondition,
        };
        let mut api = ApiError::from_localized(kind, &error);
        api.subject = error.subject();
        api
    }
}

impl From<ScanError> for ApiError {
    fn from(error: ScanError) -> ApiError {
        ApiError::from_localized(ErrorKind::InvalidArgument, &error)
    }
}

impl From<CodeKeyError> for ApiError {
    fn from(error: CodeKeyError) -> ApiError {
        ApiError::new(ErrorKind::InvalidArgument, error.code(), None)
    }
}

impl From<KzIdError> for ApiError {
    fn from(error: KzIdError) -> ApiError {
        ApiError::from_localized(ErrorKind::InvalidArgument, &error)
    }
}

impl From<CryptoError> for ApiError {
    fn from(error: CryptoError) -> ApiError {
        let kind = match error.code() {
            "TANBA-CRYPTO-MALFORMED-SIGN-IN"
            | "TANBA-CRYPTO-BAD-SIGN-IN"
            | "TANBA-CRYPTO-SIGN-IN-EXPIRED"
            | "TANBA-CRYPTO-CERTIFICATE-UNTRUSTED"
            | "TANBA-CRYPTO-CERTIFICATE-EXPIRED"
            | "TANBA-CRYPTO-CERTIFICATE-NOT-YET-VALID"
            | "TANBA-CRYPTO-CERTIFICATE-USAGE"
            | "TANBA-CRYPTO-CERTIFICATE-ALGORITHM"
            | "TANBA-CRYPTO-CERTIFICATE-SUBJECT"
            | "TANBA-CRYPTO-CERTIFICATE-REVOKED"
            | "TANBA-CRYPTO-REVOCATION-UNKNOWN" => ErrorKind::Unauthenticated,
            _ => ErrorKind::InvalidArgument,
        };
        ApiError::new(kind, error.code(), None)
    }
}

impl From<tanba_types::DateError> for ApiError {
    fn from(_: tanba_types::DateError) -> ApiError {
        ApiError::new(
            ErrorKind::InvalidArgument,
            tanba_types::DateError::CODE,
            None,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_server_code_speaks_three_languages() {
        for code in SERVER_CODES {
            for language in Language::ALL {
                assert!(
                    tanba_types::messages::template(code, language).is_some(),
                    "{code} in {language}"
                );
            }
        }
    }

    #[test]
    fn a_status_carries_the_code_and_the_message_in_the_language_asked() {
        let status = ApiError::rate_limited().to_status(Language::Kk);
        assert_eq!(status.code(), tonic::Code::ResourceExhausted);
        let detail = tanba_proto::v1::ErrorDetail::decode(status.details()).unwrap();
        assert_eq!(detail.code, "TANBA-SERVER-RATE-LIMITED");
        assert_eq!(detail.message, status.message());
        assert!(detail.message.starts_with("TANBA-SERVER-RATE-LIMITED: "));
    }
}
