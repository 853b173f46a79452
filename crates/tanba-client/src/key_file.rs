//! A participant's key file: who it is and its Ed25519 secret key, as JSON in a file only its
//! owner may read (0600), the way the operator's key ring is kept. Sign-in and document
//! signatures are made with it.

use std::path::{Path, PathBuf};

use rand_core::OsRng;
use serde::{Deserialize, Serialize};
use tanba_crypto::encoding::{hex, parse_hex};
use tanba_crypto::{Ed25519Signer, Signer};
use tanba_types::TaxpayerId;

/// Largest key file read, in bytes.
pub const KEY_FILE_BYTES_MAX: u64 = 64 * 1024;

/// A participant and its key. Made only by [`KeyFile::generate`] or [`KeyFile::read`], which
/// checks the secret, so [`KeyFile::signer`] cannot fail; the secret is wiped when dropped.
#[derive(Clone, Serialize)]
pub struct KeyFile {
    /// The participant's IIN/BIN.
    pub participant: TaxpayerId,
    /// Always `ed25519`.
    pub algorithm: String,
    /// The public key, hex.
    pub public_key_hex: String,
    /// The secret key (32-byte seed), hex.
    secret_key_hex: String,
}

/// The file's JSON, before its secret is checked.
#[derive(Deserialize)]
struct KeyFileJson {
    participant: TaxpayerId,
    algorithm: String,
    public_key_hex: String,
    secret_key_hex: String,
}

impl Drop for KeyFile {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.secret_key_hex.zeroize();
    }
}

impl std::fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyFile")
            .field("participant", &self.participant)
            .field("public_key_hex", &self.public_key_hex)
            .finish_non_exhaustive()
    }
}

/// Why a key file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// Cannot read or write it.
    #[error("{path}: {reason}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Group or others may read it.
    #[error("{0}: readable by others; chmod 600 it")]
    TooOpen(PathBuf),
    /// Not a key file.
    #[error("{0}: not a Tanba participant key file")]
    Malformed(PathBuf),
}

impl KeyFile {
    /// A new key for `participant`.
    pub fn generate(participant: TaxpayerId) -> KeyFile {
        let signer = Ed25519Signer::generate(&mut OsRng);
        KeyFile {
            participant,
            algorithm: "ed25519".into(),
            public_key_hex: hex(&signer.public_key_bytes()),
            secret_key_hex: hex(&signer.secret_key_bytes()),
        }
    }

    /// The public key's bytes, as the registry keeps them.
    pub fn public_key(&self) -> Vec<u8> {
        parse_hex::<32>(&self.public_key_hex).map_or_else(Vec::new, |key| key.to_vec())
    }

    /// The signer.
    pub fn signer(&self) -> Ed25519Signer {
        let secret =
            zeroize::Zeroizing::new(parse_hex::<32>(&self.secret_key_hex).unwrap_or_default());
        Ed25519Signer::from_secret_bytes(&*secret).expect("checked when generated or read")
    }

    /// Writes the file, readable by its owner only; never replaces an existing one.
    pub fn write(&self, path: &Path) -> Result<(), KeyFileError> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let io = |error: std::io::Error| KeyFileError::Io {
            path: path.to_path_buf(),
            reason: error.to_string(),
        };
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(io)?;
        let text = serde_json::to_string_pretty(self).expect("key files serialize");
        file.write_all(text.as_bytes())
            .and_then(|()| file.write_all(b"\n"))
            .and_then(|()| file.sync_all())
            .map_err(io)
    }

    /// Reads a key file, refusing one that others may read.
    pub fn read(path: &Path) -> Result<KeyFile, KeyFileError> {
        use std::os::unix::fs::PermissionsExt;
        let io = |error: std::io::Error| KeyFileError::Io {
            path: path.to_path_buf(),
            reason: error.to_string(),
        };
        let metadata = std::fs::metadata(path).map_err(io)?;
        if metadata.permissions().mode() & 0o077 != 0 {
            return Err(KeyFileError::TooOpen(path.to_path_buf()));
        }
        if metadata.len() > KEY_FILE_BYTES_MAX {
            return Err(KeyFileError::Malformed(path.to_path_buf()));
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        let json: KeyFileJson =
            serde_json::from_str(&text).map_err(|_| KeyFileError::Malformed(path.to_path_buf()))?;
        let key = KeyFile {
            participant: json.participant,
            algorithm: json.algorithm,
            public_key_hex: json.public_key_hex,
            secret_key_hex: json.secret_key_hex,
        };
        let secret = parse_hex::<32>(&key.secret_key_hex)
            .ok_or(KeyFileError::Malformed(path.to_path_buf()))?;
        let signer = Ed25519Signer::from_secret_bytes(&secret)
            .map_err(|_| KeyFileError::Malformed(path.to_path_buf()))?;
        if key.algorithm != "ed25519" || hex(&signer.public_key_bytes()) != key.public_key_hex {
            return Err(KeyFileError::Malformed(path.to_path_buf()));
        }
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_round_trips_and_is_kept_private() {
        use std::os::unix::fs::PermissionsExt;
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("producer.key.json");
        let key = KeyFile::generate("990140000384".parse().unwrap());
        key.write(&path).unwrap();
        assert!(key.write(&path).is_err(), "never replaced");
        let read = KeyFile::read(&path).unwrap();
        assert_eq!(read.public_key(), key.public_key());
        assert_eq!(read.signer().public_key_bytes(), key.public_key());
        assert!(!format!("{read:?}").contains(&key.secret_key_hex));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            KeyFile::read(&path),
            Err(KeyFileError::TooOpen(_))
        ));
    }
}
