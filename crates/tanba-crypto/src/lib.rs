//! tanba-crypto: the cryptography of Tanba's marking codes and event log.
//!
//! * [`full_tail`]: the full code tail, AI 91 key id + AI 92 Ed25519 signature over the code's
//!   canonical identity ([`identity`]), verifiable offline with an exported [`PublicKeySet`].
//! * [`mod@short_tag`]: the short code tail, AI 93, a 4 to 8 character keyed BLAKE3 tag that only the
//!   server can check.
//! * [`serial`]: 13-character serial numbers from GS1 CSET 82, with the guessing and collision
//!   arithmetic.
//! * [`key_ring`], [`key_id`], [`public_keys`], [`store`]: the operator's keys, their ids and
//!   statuses, the public set phones and tills pin, and the 0600 ring file.
//! * [`chain`], [`checkpoint`]: the BLAKE3 hash chain over the event log and the signed
//!   checkpoints that let anyone prove a feed is complete and unaltered.
//! * [`sign_in`]: sign-in challenges and short-lived bearer tokens, sealed by the server with a
//!   keyed BLAKE3 tag (R-IS-16).
//! * [`scheme`]: the [`Signer`]/[`Verifier`] traits every signature goes through, so an RSA/GOST
//!   adapter for the national certification centre can be added beside Ed25519.
//! * [`x509`]: certificates of accredited certification centres (RSA, ECDSA P-256): chains up
//!   to configured roots, key usage, the subject's IIN/BIN, revocation lists (R-IS-16);
//!   `x509_test_pki` (feature `test-pki`) makes a centre for tests.
//! * [`contact`]: a consumer's contact sealed under a secret only the consumer holds, so the
//!   log can carry it and nobody else read it (R-REC-07).
//! * [`domain`]: the registry of domain-separation labels; [`errors`]: [`CryptoError`] and its
//!   stable codes.
//!
//! Architecture invariant: pure. No network and no clock (time arrives as `u64` unix
//! milliseconds), no ambient randomness (an RNG is passed in as `&mut impl CryptoRngCore`), so a
//! seed replays everything. The only IO is [`store`], which reads and writes the ring file.
//!
//! Must never know: other tanba crates (GTINs and serials arrive as `&str`, already validated by
//! the caller with tanba-gs1), storage engines, transports, or localized messages.

pub mod chain;
pub mod checkpoint;
pub mod cms;
pub mod contact;
pub mod domain;
pub mod encoding;
pub mod errors;
pub mod full_tail;
pub mod identity;
pub mod key_id;
pub mod key_ring;
pub mod public_keys;
pub mod scheme;
pub mod serial;
pub mod short_tag;
pub mod sign_in;
pub mod store;
pub mod x509;
#[cfg(any(test, feature = "test-pki"))]
pub mod x509_test_pki;

pub use chain::{ChainHash, FIRST_SEQUENCE, GENESIS, chain_next, verify_chain};
pub use checkpoint::{
    Checkpoint, sign_checkpoint, verify_checkpoint, verify_segment_to_checkpoint,
};
pub use errors::{ALL_CODES, CryptoError};
pub use full_tail::{FULL_TAIL_SIGNATURE_CHARS, FullTail, sign_code, verify_code};
pub use identity::{CodeIdentity, GTIN_LENGTH, SERIAL_LENGTH_MAX};
pub use key_id::{KEY_ID_LENGTH, KeyId};
pub use key_ring::{
    KEY_RING_KEYS_MAX, KeyRing, KeyStatus, RingSigningKey, ShortTagKey, ShortTagSecret,
};
pub use public_keys::{PublicKeyEntry, PublicKeySet};
pub use scheme::{Algorithm, Ed25519Signer, Ed25519Verifier, Signer, Verifier};
pub use serial::{SERIAL_LENGTH, generate_serial};
pub use short_tag::{SHORT_TAG_LENGTH_MAX, SHORT_TAG_LENGTH_MIN, short_tag, verify_short_tag};
pub use store::{KEY_RING_FILE_BYTES_MAX, create_key_ring, load_key_ring, save_key_ring};
