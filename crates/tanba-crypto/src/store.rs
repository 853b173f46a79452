//! The key-ring file store: the one part of tanba-crypto that does IO.
//!
//! Writing is atomic and private: the ring is written to a temporary file created with mode 0600
//! in the target's own directory (so the rename cannot cross file systems), synced, renamed over
//! the target, and the directory is synced, so a crash leaves either the old ring or the new one,
//! never half of one, and the secrets are never readable by others, not even for a moment.
//!
//! Reading refuses (with [`CryptoError::KeyFilePermissions`]) a file that group or others can read
//! or write: such a file may already have leaked or been replaced, and a key that may have leaked
//! must be rotated, not quietly used. The mode is taken from the opened handle, so the file
//! checked is the file read. On non-unix systems the permission check is not available.
//!
//! File format (JSON, format version 1), secrets in unpadded base64url:
//!
//! ```json
//! {
//!   "format_version": 1,
//!   "signing_keys": [
//!     { "key_id": "EE06", "algorithm": "ed25519", "secret_key": "<32 bytes>",
//!       "created_at_ms": 1767225600000, "status": "active" }
//!   ],
//!   "short_tag_keys": [
//!     { "key_id": "K7Q2", "secret": "<32 bytes>", "created_at_ms": 1767225600000,
//!       "status": "active" }
//!   ]
//! }
//! ```
//!
//! Secret-bearing buffers are zeroized when dropped (best effort: the JSON library may copy).
//!
//! Must never know: where the ring file lives (the caller passes the path) or what the keys sign.

use std::{
    fs::File,
    io::{Read, Write},
    path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::{
    encoding::{base64url, base64url_decode},
    errors::CryptoError,
    key_id::KeyId,
    key_ring::{
        KEY_RING_KEYS_MAX, KeyRing, KeyStatus, RingSigningKey, SHORT_TAG_SECRET_LENGTH,
        ShortTagKey, ShortTagSecret,
    },
    scheme::Algorithm,
};

/// The ring file format version this build writes and reads.
pub const KEY_RING_FORMAT_VERSION: u32 = 1;

/// Largest ring file read: about 200 bytes per key for 2 · [`KEY_RING_KEYS_MAX`] keys, with room.
pub const KEY_RING_FILE_BYTES_MAX: u64 = 1024 * 1024;

const _: () = assert!((2 * KEY_RING_KEYS_MAX as u64) * 400 <= KEY_RING_FILE_BYTES_MAX);

/// Permission bits of a ring file: owner read and write only.
pub const KEY_RING_FILE_MODE: u32 = 0o600;

/// Permission bits that make a ring file unacceptable: anything for group or others.
pub const KEY_RING_FILE_MODE_FORBIDDEN: u32 = 0o077;

const _: () = assert!(KEY_RING_FILE_MODE & KEY_RING_FILE_MODE_FORBIDDEN == 0);

#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
struct KeyRingDocument {
    format_version: u32,
    signing_keys: Vec<SigningKeyDocument>,
    short_tag_keys: Vec<ShortTagKeyDocument>,
}

#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
struct SigningKeyDocument {
    #[zeroize(skip)]
    key_id: KeyId,
    #[zeroize(skip)]
    algorithm: Algorithm,
    secret_key: String,
    created_at_ms: u64,
    #[zeroize(skip)]
    status: KeyStatus,
}

#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
struct ShortTagKeyDocument {
    #[zeroize(skip)]
    key_id: KeyId,
    secret: String,
    created_at_ms: u64,
    #[zeroize(skip)]
    status: KeyStatus,
}

fn to_document(ring: &KeyRing) -> KeyRingDocument {
    let signing_keys = ring
        .signing_keys()
        .iter()
        .map(|key| SigningKeyDocument {
            key_id: key.key_id(),
            algorithm: key.algorithm(),
            secret_key: base64url(&key.signer().secret_key_bytes()),
            created_at_ms: key.created_at_ms(),
            status: key.status(),
        })
        .collect();
    let short_tag_keys = ring
        .short_tag_keys()
        .iter()
        .map(|key| ShortTagKeyDocument {
            key_id: key.key_id(),
            secret: base64url(key.secret().as_bytes()),
            created_at_ms: key.created_at_ms(),
            status: key.status(),
        })
        .collect();
    KeyRingDocument {
        format_version: KEY_RING_FORMAT_VERSION,
        signing_keys,
        short_tag_keys,
    }
}

fn from_document(document: &KeyRingDocument) -> Result<KeyRing, CryptoError> {
    if document.format_version != KEY_RING_FORMAT_VERSION {
        return Err(CryptoError::UnsupportedFormatVersion {
            found: document.format_version,
            supported: KEY_RING_FORMAT_VERSION,
        });
    }
    if document.signing_keys.len() > KEY_RING_KEYS_MAX
        || document.short_tag_keys.len() > KEY_RING_KEYS_MAX
    {
        return Err(CryptoError::InvalidKeyRing {
            reason: "more keys than KEY_RING_KEYS_MAX",
        });
    }
    let bad_secret = || CryptoError::InvalidKeyRing {
        reason: "a secret is not base64url of the right length",
    };
    let mut signing_keys = Vec::with_capacity(document.signing_keys.len());
    for key in &document.signing_keys {
        let secret = Zeroizing::new(base64url_decode(&key.secret_key).ok_or_else(bad_secret)?);
        let signer = key.algorithm.signer_from_secret(&secret)?;
        signing_keys.push(
            RingSigningKey::new(key.key_id, key.created_at_ms, signer).with_status(key.status),
        );
    }
    let mut short_tag_keys = Vec::with_capacity(document.short_tag_keys.len());
    for key in &document.short_tag_keys {
        let secret = Zeroizing::new(base64url_decode(&key.secret).ok_or_else(bad_secret)?);
        let bytes: Zeroizing<[u8; SHORT_TAG_SECRET_LENGTH]> =
            Zeroizing::new(secret.as_slice().try_into().map_err(|_| bad_secret())?);
        let secret = ShortTagSecret::from_bytes(*bytes);
        short_tag_keys
            .push(ShortTagKey::new(key.key_id, key.created_at_ms, secret).with_status(key.status));
    }
    KeyRing::from_keys(signing_keys, short_tag_keys)
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> CryptoError + '_ {
    move |source| CryptoError::KeyFileIo {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes the ring to `path` atomically with mode 0600 (see module docs), replacing any file there.
pub fn save_key_ring(ring: &KeyRing, path: &Path) -> Result<(), CryptoError> {
    write_key_ring(ring, path, Replace::Allowed)
}

/// Writes a new ring to `path` like [`save_key_ring`], but refuses (with
/// [`CryptoError::KeyFileIo`], kind `AlreadyExists`) if a file is already there, even one created
/// a moment earlier by another process: a ring must never be replaced by accident.
pub fn create_key_ring(ring: &KeyRing, path: &Path) -> Result<(), CryptoError> {
    write_key_ring(ring, path, Replace::Refused)
}

/// Whether writing a ring may replace an existing file.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Replace {
    Allowed,
    Refused,
}

fn write_key_ring(ring: &KeyRing, path: &Path, replace: Replace) -> Result<(), CryptoError> {
    let document = to_document(ring);
    let mut bytes = Zeroizing::new(Vec::with_capacity(
        512 * (ring.signing_keys().len() + ring.short_tag_keys().len() + 1),
    ));
    serde_json::to_writer_pretty(&mut *bytes, &document).expect("plain data serializes");
    bytes.push(b'\n');

    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".tanba-key-ring-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(KEY_RING_FILE_MODE));
    }
    let mut temporary = builder
        .tempfile_in(&directory)
        .map_err(io_error(&directory))?;
    temporary
        .write_all(&bytes)
        .map_err(io_error(temporary.path()))?;
    temporary
        .as_file()
        .sync_all()
        .map_err(io_error(temporary.path()))?;
    match replace {
        Replace::Allowed => temporary.persist(path),
        Replace::Refused => temporary.persist_noclobber(path),
    }
    .map_err(|error| io_error(path)(error.error))?;
    sync_directory(&directory)
}

#[cfg(unix)]
fn sync_directory(directory: &Path) -> Result<(), CryptoError> {
    // The rename is durable only once the directory entry is.
    File::open(directory)
        .and_then(|handle| handle.sync_all())
        .map_err(io_error(directory))
}

#[cfg(not(unix))]
fn sync_directory(_directory: &Path) -> Result<(), CryptoError> {
    Ok(())
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_a: &std::fs::Metadata, _b: &std::fs::Metadata) -> bool {
    true
}

#[cfg(unix)]
fn check_permissions(path: &Path, metadata: &std::fs::Metadata) -> Result<(), CryptoError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode() & 0o7777;
    if mode & KEY_RING_FILE_MODE_FORBIDDEN != 0 {
        return Err(CryptoError::KeyFilePermissions {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(_path: &Path, _metadata: &std::fs::Metadata) -> Result<(), CryptoError> {
    Ok(())
}

/// Reads a ring from `path`, refusing files others can access, oversized files and rings that
/// break the ring's invariants.
pub fn load_key_ring(path: &Path) -> Result<KeyRing, CryptoError> {
    // Look before opening: opening a FIFO would block, and a symlink could point anywhere.
    let before = std::fs::symlink_metadata(path).map_err(io_error(path))?;
    if !before.file_type().is_file() {
        return Err(CryptoError::KeyFileNotAcceptable {
            path: path.to_path_buf(),
        });
    }
    let file = File::open(path).map_err(io_error(path))?;
    let metadata = file.metadata().map_err(io_error(path))?;
    // The file opened must be the one looked at (not swapped in between).
    if !same_file(&before, &metadata) {
        return Err(CryptoError::KeyFileNotAcceptable {
            path: path.to_path_buf(),
        });
    }
    check_permissions(path, &metadata)?;
    if !metadata.is_file() || metadata.len() > KEY_RING_FILE_BYTES_MAX {
        return Err(CryptoError::KeyFileNotAcceptable {
            path: path.to_path_buf(),
        });
    }
    let mut bytes = Zeroizing::new(Vec::with_capacity(
        usize::try_from(metadata.len()).expect("bounded by KEY_RING_FILE_BYTES_MAX"),
    ));
    // `take` bounds the read even if the file grows after the size check.
    file.take(KEY_RING_FILE_BYTES_MAX + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error(path))?;
    if bytes.len() as u64 > KEY_RING_FILE_BYTES_MAX {
        return Err(CryptoError::KeyFileNotAcceptable {
            path: path.to_path_buf(),
        });
    }
    let document: KeyRingDocument = serde_json::from_slice(&bytes)
        .map_err(|error| CryptoError::document_format("key ring file", &error))?;
    from_document(&document)
}

#[cfg(test)]
mod tests {
    use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};

    use super::*;

    #[test]
    fn document_round_trip_keeps_keys_ids_times_and_statuses() {
        let mut rng = ChaCha20Rng::from_seed([50; 32]);
        let mut ring = KeyRing::generate(10, &mut rng);
        let first = ring.active_signing_key().key_id();
        ring.rotate(20, &mut rng).unwrap();
        ring.rotate(30, &mut rng).unwrap();
        ring.revoke(&first).unwrap();
        ring.rotate_short_tag_key(40, &mut rng).unwrap();

        let again = from_document(&to_document(&ring)).unwrap();
        assert_eq!(
            again.public_key_set().to_json(),
            ring.public_key_set().to_json()
        );
        for (left, right) in ring.short_tag_keys().iter().zip(again.short_tag_keys()) {
            assert_eq!(left.key_id(), right.key_id());
            assert_eq!(left.status(), right.status());
            assert_eq!(left.created_at_ms(), right.created_at_ms());
            assert_eq!(left.secret().as_bytes(), right.secret().as_bytes());
        }
        assert_eq!(again.short_tag_keys().len(), 2);
    }

    #[test]
    fn document_with_bad_secret_or_version_is_refused() {
        let ring = KeyRing::generate(0, &mut ChaCha20Rng::from_seed([51; 32]));
        let mut document = to_document(&ring);
        document.format_version = 2;
        assert!(matches!(
            from_document(&document),
            Err(CryptoError::UnsupportedFormatVersion { found: 2, .. })
        ));
        let mut document = to_document(&ring);
        document.short_tag_keys[0].secret = base64url(&[1; 31]);
        assert!(matches!(
            from_document(&document),
            Err(CryptoError::InvalidKeyRing { .. })
        ));
        let mut document = to_document(&ring);
        document.signing_keys[0].secret_key = "not base64!".into();
        assert!(matches!(
            from_document(&document),
            Err(CryptoError::InvalidKeyRing { .. })
        ));
    }
}
