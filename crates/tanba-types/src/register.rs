//! What the state's registers told Tanba (clause 2, R-IS-16): the register of individual
//! entrepreneurs and the national certification centre's revocation lists, fetched through the
//! e-government gateway by the server's adapters and written into the log as
//! [`crate::Command::RefreshRegister`], so every node agrees on what was known when.
//!
//! A refresh carries only what changed against what the log already knows, and never empties
//! it: a failed or partial fetch is simply not written.

use serde::{Deserialize, Serialize};

use crate::TaxpayerId;

/// Most entries one refresh command carries; an adapter splits a larger change into parts.
pub const REGISTER_CHANGES_MAX: usize = 10_000;
/// Longest name a register entry may carry, in bytes.
pub const REGISTER_NAME_BYTES_MAX: usize = 512;
/// Longest certificate serial number, in bytes as encoded: RFC 5280 allows 20 octets, and a
/// positive 20-octet number whose top bit is set takes a leading zero in DER.
pub const CERTIFICATE_SERIAL_BYTES_MAX: usize = 21;

/// Whether a registration is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    /// Registered and active.
    Active,
    /// The registration ceased (the entrepreneur stopped trading or was struck off).
    Ceased,
}

/// One entry of the register of individual entrepreneurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterEntry {
    /// IIN (or BIN).
    pub id: TaxpayerId,
    /// Registered name.
    pub name: String,
    /// Active or ceased.
    pub status: RegistrationStatus,
}

/// A certification centre's revocation list, as far as it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationUpdate {
    /// BLAKE3 of the issuing CA's distinguished name (DER), as `tanba_crypto::x509::IssuerId`.
    pub issuer: [u8; 32],
    /// The issuer's name, for people.
    pub issuer_name: String,
    /// When the list was issued, unix milliseconds; never older than the last one known.
    pub this_update_ms: u64,
    /// When the next list is due.
    pub next_update_ms: Option<u64>,
    /// BLAKE3 of the list's DER bytes.
    pub list_digest: [u8; 32],
    /// Serial numbers newly revoked.
    pub added: Vec<Vec<u8>>,
    /// Serial numbers no longer listed (a hold released).
    pub removed: Vec<Vec<u8>>,
    /// Whether this is the last part of the list: only then is the list's digest recorded as
    /// known, so a refresh cut between parts is finished by the next one.
    pub last_part: bool,
}

/// What one refresh learnt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegisterRefresh {
    /// The register of individual entrepreneurs: the entries that are new or changed.
    Entrepreneurs {
        /// BLAKE3 of the gateway's whole answer.
        answer_digest: [u8; 32],
        /// Entries in the answer.
        entries_total: u64,
        /// New or changed entries (at most [`REGISTER_CHANGES_MAX`]).
        changes: Vec<RegisterEntry>,
        /// Whether this is the last part of the answer.
        last_part: bool,
    },
    /// A revocation list of the national certification centre.
    Revocations(RevocationUpdate),
}

impl RegisterRefresh {
    /// The register's stable name (`entrepreneurs`, `revocations`), for metrics and pages.
    pub fn register(&self) -> &'static str {
        match self {
            RegisterRefresh::Entrepreneurs { .. } => "entrepreneurs",
            RegisterRefresh::Revocations(_) => "revocations",
        }
    }
}
