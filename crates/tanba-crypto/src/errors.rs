//! The one error type of tanba-crypto, [`CryptoError`], with a stable code per variant.
//!
//! Codes are the contract: the server maps them to gRPC/HTTP statuses and the Kazakh/Russian
//! messages are keyed by them elsewhere, so a code is never renamed or reused once shipped. The
//! English `Display` text is for logs and operators and may be reworded.
//!
//! Must never know: transport statuses, localized text, or any secret. No variant carries key
//! material, and file-format errors carry only a category and a position, because a parser's own
//! message can quote the bytes it choked on, which in a key-ring file would be a secret.

use std::path::PathBuf;

use crate::key_ring::KeyStatus;

/// Every failure tanba-crypto can report. See [`CryptoError::code`] for the stable codes.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// The GTIN is not exactly 14 ASCII digits.
    #[error("GTIN must be exactly 14 ASCII digits")]
    InvalidGtin,

    /// The serial is empty, longer than the AI 21 maximum, or holds a character outside GS1 CSET 82.
    #[error("serial must be 1 to 20 characters from GS1 character set 82")]
    InvalidSerial,

    /// The key id is not 4 characters from `A-Z0-9`.
    #[error("key id must be 4 characters from A-Z and 0-9")]
    MalformedKeyId,

    /// No key with this id is known to the ring or the public key set.
    #[error("unknown key id {key_id}")]
    UnknownKeyId {
        /// The id that was looked up.
        key_id: String,
    },

    /// The key was revoked: nothing it signed is trusted any more.
    #[error("key {key_id} is revoked")]
    KeyRevoked {
        /// The revoked key's id.
        key_id: String,
    },

    /// Only the active key may sign or tag new things.
    #[error("key {key_id} is {status:?}, only the active key may sign")]
    KeyNotActive {
        /// The key's id.
        key_id: String,
        /// Its current status.
        status: KeyStatus,
    },

    /// The active key cannot be revoked until another key has replaced it.
    #[error("key {key_id} is the active key: rotate before revoking it")]
    RevokeActiveKey {
        /// The active key's id.
        key_id: String,
    },

    /// The signature text is not valid unpadded base64url of the scheme's signature length.
    #[error("signature is not valid base64url of the expected length")]
    MalformedSignature,

    /// The signature is well formed but does not verify.
    #[error("signature does not verify")]
    BadSignature,

    /// A public key does not decode to a valid key for its algorithm.
    #[error("public key is malformed")]
    MalformedPublicKey,

    /// A short-tag length outside [`crate::SHORT_TAG_LENGTH_MIN`]..=[`crate::SHORT_TAG_LENGTH_MAX`].
    #[error("short tag length {length} is outside 4..=8 characters")]
    ShortTagLength {
        /// The requested or presented length in characters.
        length: usize,
    },

    /// The short tag holds a character outside the base64url alphabet.
    #[error("short tag is not base64url text")]
    MalformedShortTag,

    /// The short tag is well formed but does not match the code.
    #[error("short tag does not match the code")]
    BadShortTag,

    /// The hash chain does not verify at this sequence (the first bad one).
    #[error("hash chain broken at sequence {sequence}")]
    ChainBroken {
        /// Sequence number of the first entry whose claimed hash is wrong.
        sequence: u64,
    },

    /// A sequence number would pass `u64::MAX`.
    #[error("sequence number overflow")]
    SequenceOverflow,

    /// A chain segment does not end where the signed checkpoint says the log ends.
    #[error(
        "chain segment ends at sequence {actual_sequence} but the checkpoint is at {checkpoint_sequence}, or its head hash differs"
    )]
    CheckpointMismatch {
        /// The checkpoint's sequence.
        checkpoint_sequence: u64,
        /// The sequence the verified segment ends at.
        actual_sequence: u64,
    },

    /// Text that should be a 64-digit hex chain hash is not.
    #[error("chain hash must be 64 hex digits")]
    MalformedChainHash,

    /// The ring already holds the maximum number of keys of this kind.
    #[error("key ring is full ({keys_max} keys of this kind)")]
    RingFull {
        /// The limit that was hit.
        keys_max: usize,
    },

    /// Random key-id draws kept colliding with ids already in the ring.
    #[error("could not draw an unused key id")]
    KeyIdSpaceExhausted,

    /// A key ring's content breaks an invariant (for example no active key).
    #[error("invalid key ring: {reason}")]
    InvalidKeyRing {
        /// Which invariant is broken.
        reason: &'static str,
    },

    /// A public key set's content breaks an invariant.
    #[error("invalid public key set: {reason}")]
    InvalidPublicKeySet {
        /// Which invariant is broken.
        reason: &'static str,
    },

    /// A serialized document has a format version this build does not read.
    #[error("unsupported format version {found} (this build reads {supported})")]
    UnsupportedFormatVersion {
        /// The version in the document.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },

    /// A key-ring file is readable or writable by group or others, so it may have leaked.
    #[error(
        "key ring file {path} has mode {mode:o}: it must not be accessible by group or others (chmod 600)"
    )]
    KeyFilePermissions {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },

    /// A key-ring file is larger than [`crate::KEY_RING_FILE_BYTES_MAX`] or not a regular file.
    #[error("key ring file {path} is too large or not a regular file")]
    KeyFileNotAcceptable {
        /// The file.
        path: PathBuf,
    },

    /// Reading or writing a key-ring file failed.
    #[error("key ring file {path}: {source}")]
    KeyFileIo {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },

    /// A sign-in challenge or token is not of the expected shape (or too long to read).
    #[error("the sign-in challenge or token is malformed")]
    MalformedSignIn,

    /// A sign-in challenge or token was not sealed by this server, or not for this use.
    #[error("the sign-in challenge or token is not genuine")]
    BadSignIn,

    /// A sign-in challenge or token has expired.
    #[error("the sign-in challenge or token has expired")]
    SignInExpired,

    /// A certificate or chain is not DER X.509, or holds more than CHAIN_CERTIFICATES_MAX certificates or an oversized one.
    #[error("the certificate or chain is not readable X.509 DER (or too long)")]
    MalformedCertificate,

    /// No path of valid signatures leads from the certificate to a configured root.
    #[error("the certificate does not chain up to a configured root")]
    CertificateUntrusted,

    /// The certificate, or an issuer on its path, is past its validity.
    #[error("the certificate (or one of its issuers) has expired")]
    CertificateExpired,

    /// The certificate, or an issuer on its path, is not valid yet.
    #[error("the certificate (or one of its issuers) is not valid yet")]
    CertificateNotYetValid,

    /// A signer's key usage does not allow signing, an issuer is not a CA allowed to sign certificates, or an unknown extension is critical.
    #[error(
        "the certificate may not be used for this (key usage, CA constraints or a critical extension)"
    )]
    CertificateUsage,

    /// A key or signature algorithm this build does not verify (GOST among them), or an RSA key under 2048 bits.
    #[error(
        "the certificate's algorithm is not supported (RSA 2048+ or ECDSA P-256 with SHA-256; GOST has no maintained implementation)"
    )]
    CertificateAlgorithm,

    /// The subject has neither `OU=BIN` nor `SERIALNUMBER=IIN` with 12 digits.
    #[error("the certificate's subject names no IIN or BIN")]
    CertificateSubject,

    /// The latest revocation list of the certificate's issuer names it.
    #[error("the certificate is revoked by its centre")]
    CertificateRevoked,

    /// No revocation list of the issuer has been received, or the latest one is long past its next update.
    #[error("no current revocation list of the certificate's issuer is known")]
    RevocationUnknown,

    /// A revocation list is not DER X.509, is oversized, or is issued after the moment it was checked at.
    #[error("the revocation list is not readable X.509 DER, or is dated in the future")]
    MalformedRevocationList,

    /// A revocation list's issuer is not a checked CA allowed to sign lists, or its signature does not verify.
    #[error("the revocation list is not signed by a known issuing centre")]
    RevocationListUntrusted,

    /// A document signature that is not an Ed25519 signature is not a detached CMS SignedData
    /// of one signer with its certificate, SHA-256 and the signed attributes this server reads.
    #[error("the document signature is not a detached CMS signature this server reads")]
    MalformedCms,

    /// A certificate's private key is not readable PKCS#8 (RSA or ECDSA P-256), or does not
    /// belong to the certificate it is given with.
    #[error("the signing key is not a readable PKCS#8 key of the certificate")]
    SigningKey,

    /// A key-ring or public-key-set document is not valid JSON of the expected shape.
    #[error("{what} is not valid ({category} error at line {line}, column {column})")]
    DocumentFormat {
        /// Which document.
        what: &'static str,
        /// The parser's error category (syntax, data, eof, io), never its message.
        category: &'static str,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
    },
}

/// Every stable code [`CryptoError::code`] can return, for the message catalogues.
pub const ALL_CODES: &[&str] = &[
    "TANBA-CRYPTO-INVALID-GTIN",
    "TANBA-CRYPTO-INVALID-SERIAL",
    "TANBA-CRYPTO-MALFORMED-KEY-ID",
    "TANBA-CRYPTO-UNKNOWN-KEY-ID",
    "TANBA-CRYPTO-KEY-REVOKED",
    "TANBA-CRYPTO-KEY-NOT-ACTIVE",
    "TANBA-CRYPTO-REVOKE-ACTIVE-KEY",
    "TANBA-CRYPTO-MALFORMED-SIGNATURE",
    "TANBA-CRYPTO-BAD-SIGNATURE",
    "TANBA-CRYPTO-MALFORMED-PUBLIC-KEY",
    "TANBA-CRYPTO-SHORT-TAG-LENGTH",
    "TANBA-CRYPTO-MALFORMED-SHORT-TAG",
    "TANBA-CRYPTO-BAD-SHORT-TAG",
    "TANBA-CRYPTO-CHAIN-BROKEN",
    "TANBA-CRYPTO-SEQUENCE-OVERFLOW",
    "TANBA-CRYPTO-CHECKPOINT-MISMATCH",
    "TANBA-CRYPTO-MALFORMED-CHAIN-HASH",
    "TANBA-CRYPTO-RING-FULL",
    "TANBA-CRYPTO-KEY-ID-SPACE-EXHAUSTED",
    "TANBA-CRYPTO-INVALID-KEY-RING",
    "TANBA-CRYPTO-INVALID-PUBLIC-KEY-SET",
    "TANBA-CRYPTO-UNSUPPORTED-FORMAT-VERSION",
    "TANBA-CRYPTO-KEY-FILE-PERMISSIONS",
    "TANBA-CRYPTO-KEY-FILE-NOT-ACCEPTABLE",
    "TANBA-CRYPTO-KEY-FILE-IO",
    "TANBA-CRYPTO-DOCUMENT-FORMAT",
    "TANBA-CRYPTO-MALFORMED-SIGN-IN",
    "TANBA-CRYPTO-BAD-SIGN-IN",
    "TANBA-CRYPTO-SIGN-IN-EXPIRED",
    "TANBA-CRYPTO-CERTIFICATE-MALFORMED",
    "TANBA-CRYPTO-CERTIFICATE-UNTRUSTED",
    "TANBA-CRYPTO-CERTIFICATE-EXPIRED",
    "TANBA-CRYPTO-CERTIFICATE-NOT-YET-VALID",
    "TANBA-CRYPTO-CERTIFICATE-USAGE",
    "TANBA-CRYPTO-CERTIFICATE-ALGORITHM",
    "TANBA-CRYPTO-CERTIFICATE-SUBJECT",
    "TANBA-CRYPTO-CERTIFICATE-REVOKED",
    "TANBA-CRYPTO-REVOCATION-UNKNOWN",
    "TANBA-CRYPTO-REVOCATION-LIST-MALFORMED",
    "TANBA-CRYPTO-REVOCATION-LIST-UNTRUSTED",
    "TANBA-CRYPTO-CMS-MALFORMED",
    "TANBA-CRYPTO-SIGNING-KEY",
];

impl CryptoError {
    /// The stable, never-reused code of this error, one of [`ALL_CODES`].
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidGtin => "TANBA-CRYPTO-INVALID-GTIN",
            Self::InvalidSerial => "TANBA-CRYPTO-INVALID-SERIAL",
            Self::MalformedKeyId => "TANBA-CRYPTO-MALFORMED-KEY-ID",
            Self::UnknownKeyId { .. } => "TANBA-CRYPTO-UNKNOWN-KEY-ID",
            Self::KeyRevoked { .. } => "TANBA-CRYPTO-KEY-REVOKED",
            Self::KeyNotActive { .. } => "TANBA-CRYPTO-KEY-NOT-ACTIVE",
            Self::RevokeActiveKey { .. } => "TANBA-CRYPTO-REVOKE-ACTIVE-KEY",
            Self::MalformedSignature => "TANBA-CRYPTO-MALFORMED-SIGNATURE",
            Self::BadSignature => "TANBA-CRYPTO-BAD-SIGNATURE",
            Self::MalformedPublicKey => "TANBA-CRYPTO-MALFORMED-PUBLIC-KEY",
            Self::ShortTagLength { .. } => "TANBA-CRYPTO-SHORT-TAG-LENGTH",
            Self::MalformedShortTag => "TANBA-CRYPTO-MALFORMED-SHORT-TAG",
            Self::BadShortTag => "TANBA-CRYPTO-BAD-SHORT-TAG",
            Self::ChainBroken { .. } => "TANBA-CRYPTO-CHAIN-BROKEN",
            Self::SequenceOverflow => "TANBA-CRYPTO-SEQUENCE-OVERFLOW",
            Self::CheckpointMismatch { .. } => "TANBA-CRYPTO-CHECKPOINT-MISMATCH",
            Self::MalformedChainHash => "TANBA-CRYPTO-MALFORMED-CHAIN-HASH",
            Self::RingFull { .. } => "TANBA-CRYPTO-RING-FULL",
            Self::KeyIdSpaceExhausted => "TANBA-CRYPTO-KEY-ID-SPACE-EXHAUSTED",
            Self::InvalidKeyRing { .. } => "TANBA-CRYPTO-INVALID-KEY-RING",
            Self::InvalidPublicKeySet { .. } => "TANBA-CRYPTO-INVALID-PUBLIC-KEY-SET",
            Self::UnsupportedFormatVersion { .. } => "TANBA-CRYPTO-UNSUPPORTED-FORMAT-VERSION",
            Self::KeyFilePermissions { .. } => "TANBA-CRYPTO-KEY-FILE-PERMISSIONS",
            Self::KeyFileNotAcceptable { .. } => "TANBA-CRYPTO-KEY-FILE-NOT-ACCEPTABLE",
            Self::KeyFileIo { .. } => "TANBA-CRYPTO-KEY-FILE-IO",
            Self::DocumentFormat { .. } => "TANBA-CRYPTO-DOCUMENT-FORMAT",
            Self::MalformedSignIn => "TANBA-CRYPTO-MALFORMED-SIGN-IN",
            Self::BadSignIn => "TANBA-CRYPTO-BAD-SIGN-IN",
            Self::SignInExpired => "TANBA-CRYPTO-SIGN-IN-EXPIRED",
            Self::MalformedCertificate => "TANBA-CRYPTO-CERTIFICATE-MALFORMED",
            Self::CertificateUntrusted => "TANBA-CRYPTO-CERTIFICATE-UNTRUSTED",
            Self::CertificateExpired => "TANBA-CRYPTO-CERTIFICATE-EXPIRED",
            Self::CertificateNotYetValid => "TANBA-CRYPTO-CERTIFICATE-NOT-YET-VALID",
            Self::CertificateUsage => "TANBA-CRYPTO-CERTIFICATE-USAGE",
            Self::CertificateAlgorithm => "TANBA-CRYPTO-CERTIFICATE-ALGORITHM",
            Self::CertificateSubject => "TANBA-CRYPTO-CERTIFICATE-SUBJECT",
            Self::CertificateRevoked => "TANBA-CRYPTO-CERTIFICATE-REVOKED",
            Self::RevocationUnknown => "TANBA-CRYPTO-REVOCATION-UNKNOWN",
            Self::MalformedRevocationList => "TANBA-CRYPTO-REVOCATION-LIST-MALFORMED",
            Self::RevocationListUntrusted => "TANBA-CRYPTO-REVOCATION-LIST-UNTRUSTED",
            Self::MalformedCms => "TANBA-CRYPTO-CMS-MALFORMED",
            Self::SigningKey => "TANBA-CRYPTO-SIGNING-KEY",
        }
    }

    /// Builds a [`CryptoError::DocumentFormat`] from a JSON error without keeping its message,
    /// which may quote the document (and so a secret).
    pub(crate) fn document_format(what: &'static str, error: &serde_json::Error) -> Self {
        let category = match error.classify() {
            serde_json::error::Category::Io => "io",
            serde_json::error::Category::Syntax => "syntax",
            serde_json::error::Category::Data => "data",
            serde_json::error::Category::Eof => "eof",
        };
        Self::DocumentFormat {
            what,
            category,
            line: error.line(),
            column: error.column(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// One value of every variant. The exhaustive `match` below fails to compile when a variant is
    /// added without being listed here, and the test then checks [`ALL_CODES`] against this list.
    fn one_of_each() -> Vec<CryptoError> {
        let all = vec![
            CryptoError::InvalidGtin,
            CryptoError::InvalidSerial,
            CryptoError::MalformedKeyId,
            CryptoError::UnknownKeyId {
                key_id: "AB12".into(),
            },
            CryptoError::KeyRevoked {
                key_id: "AB12".into(),
            },
            CryptoError::KeyNotActive {
                key_id: "AB12".into(),
                status: KeyStatus::Retired,
            },
            CryptoError::RevokeActiveKey {
                key_id: "AB12".into(),
            },
            CryptoError::MalformedSignature,
            CryptoError::BadSignature,
            CryptoError::MalformedPublicKey,
            CryptoError::ShortTagLength { length: 9 },
            CryptoError::MalformedShortTag,
            CryptoError::BadShortTag,
            CryptoError::ChainBroken { sequence: 3 },
            CryptoError::SequenceOverflow,
            CryptoError::CheckpointMismatch {
                checkpoint_sequence: 2,
                actual_sequence: 1,
            },
            CryptoError::MalformedChainHash,
            CryptoError::RingFull { keys_max: 1 },
            CryptoError::KeyIdSpaceExhausted,
            CryptoError::InvalidKeyRing { reason: "r" },
            CryptoError::InvalidPublicKeySet { reason: "r" },
            CryptoError::UnsupportedFormatVersion {
                found: 9,
                supported: 1,
            },
            CryptoError::KeyFilePermissions {
                path: "k".into(),
                mode: 0o644,
            },
            CryptoError::KeyFileNotAcceptable { path: "k".into() },
            CryptoError::KeyFileIo {
                path: "k".into(),
                source: std::io::Error::other("x"),
            },
            CryptoError::DocumentFormat {
                what: "w",
                category: "syntax",
                line: 1,
                column: 1,
            },
            CryptoError::MalformedSignIn,
            CryptoError::BadSignIn,
            CryptoError::SignInExpired,
            CryptoError::MalformedCertificate,
            CryptoError::CertificateUntrusted,
            CryptoError::CertificateExpired,
            CryptoError::CertificateNotYetValid,
            CryptoError::CertificateUsage,
            CryptoError::CertificateAlgorithm,
            CryptoError::CertificateSubject,
            CryptoError::CertificateRevoked,
            CryptoError::RevocationUnknown,
            CryptoError::MalformedRevocationList,
            CryptoError::RevocationListUntrusted,
            CryptoError::MalformedCms,
            CryptoError::SigningKey,
        ];
        for error in &all {
            match error {
                CryptoError::InvalidGtin
                | CryptoError::InvalidSerial
                | CryptoError::MalformedKeyId
                | CryptoError::UnknownKeyId { .. }
                | CryptoError::KeyRevoked { .. }
                | CryptoError::KeyNotActive { .. }
                | CryptoError::RevokeActiveKey { .. }
                | CryptoError::MalformedSignature
                | CryptoError::BadSignature
                | CryptoError::MalformedPublicKey
                | CryptoError::ShortTagLength { .. }
                | CryptoError::MalformedShortTag
                | CryptoError::BadShortTag
                | CryptoError::ChainBroken { .. }
                | CryptoError::SequenceOverflow
                | CryptoError::CheckpointMismatch { .. }
                | CryptoError::MalformedChainHash
                | CryptoError::RingFull { .. }
                | CryptoError::KeyIdSpaceExhausted
                | CryptoError::InvalidKeyRing { .. }
                | CryptoError::InvalidPublicKeySet { .. }
                | CryptoError::UnsupportedFormatVersion { .. }
                | CryptoError::KeyFilePermissions { .. }
                | CryptoError::KeyFileNotAcceptable { .. }
                | CryptoError::KeyFileIo { .. }
                | CryptoError::DocumentFormat { .. }
                | CryptoError::MalformedSignIn
                | CryptoError::BadSignIn
                | CryptoError::SignInExpired
                | CryptoError::MalformedCertificate
                | CryptoError::CertificateUntrusted
                | CryptoError::CertificateExpired
                | CryptoError::CertificateNotYetValid
                | CryptoError::CertificateUsage
                | CryptoError::CertificateAlgorithm
                | CryptoError::CertificateSubject
                | CryptoError::CertificateRevoked
                | CryptoError::RevocationUnknown
                | CryptoError::MalformedRevocationList
                | CryptoError::RevocationListUntrusted
                | CryptoError::MalformedCms
                | CryptoError::SigningKey => {}
            }
        }
        all
    }

    #[test]
    fn all_codes_lists_every_variant_code_exactly_once() {
        let from_variants: BTreeSet<&str> = one_of_each().iter().map(CryptoError::code).collect();
        let listed: BTreeSet<&str> = ALL_CODES.iter().copied().collect();
        assert_eq!(listed.len(), ALL_CODES.len(), "ALL_CODES has a duplicate");
        assert_eq!(
            from_variants.len(),
            one_of_each().len(),
            "two variants share a code"
        );
        assert_eq!(from_variants, listed);
    }

    #[test]
    fn codes_are_prefixed_uppercase_and_messages_are_non_empty() {
        for error in one_of_each() {
            let code = error.code();
            assert!(code.starts_with("TANBA-CRYPTO-"), "{code}");
            assert!(
                code.bytes()
                    .all(|byte| byte.is_ascii_uppercase() || byte == b'-'),
                "{code}"
            );
            assert!(!error.to_string().is_empty());
        }
    }

    #[test]
    fn document_format_error_never_quotes_the_document() {
        let secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQ";
        let json = format!("{{\"n\": \"{secret}\"}}");
        let parse_error = serde_json::from_str::<std::collections::BTreeMap<String, u64>>(&json)
            .expect_err("a string is not a u64");
        assert!(
            parse_error.to_string().contains(secret),
            "premise: serde quotes"
        );
        let error = CryptoError::document_format("key ring", &parse_error);
        assert!(!error.to_string().contains(secret));
        assert!(!format!("{error:?}").contains(secret));
    }
}
