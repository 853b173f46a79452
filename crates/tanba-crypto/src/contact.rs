//! A consumer's contact, sealed under a secret only the consumer holds (R-REC-07).
//!
//! The contact travels in the log, so every node can show it back to its consumer, while the
//! log is kept forever and read by operators and backups. So it is encrypted and authenticated
//! (ChaCha20-Poly1305) under a key derived from a fresh 16-byte secret the server hands the
//! consumer once and never keeps. The log keeps a verifier derived from the secret under another
//! context, to tell a wrong secret from a right one; neither derivation reveals the other, nor
//! the secret (128 bits: no guessing). Each secret seals one contact only, so the nonce is
//! fixed. The unit's identity is authenticated with it: a sealed contact moved to another
//! unit's opt-in does not open.

use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, UnboundKey};
use subtle::ConstantTimeEq;

use crate::domain::{CONTACT_KEY_CONTEXT, CONTACT_VERIFIER_CONTEXT};

/// Bytes of a consumer's secret.
pub const CONTACT_SECRET_BYTES: usize = 16;
/// Bytes the seal adds to a contact (its tag).
pub const CONTACT_TAG_BYTES: usize = 16;

/// A consumer's secret.
pub type ContactSecret = [u8; CONTACT_SECRET_BYTES];

/// What the log keeps to check a secret.
pub fn contact_verifier(secret: &ContactSecret) -> [u8; 32] {
    blake3::derive_key(CONTACT_VERIFIER_CONTEXT, secret)
}

fn sealing_key(secret: &ContactSecret) -> LessSafeKey {
    let key = blake3::derive_key(CONTACT_KEY_CONTEXT, secret);
    LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, &key).expect("a 32-byte key"))
}

/// The contact sealed under `secret`, bound to `unit` (the code's canonical bytes).
pub fn seal_contact(secret: &ContactSecret, unit: &[u8], contact: &str) -> Vec<u8> {
    let mut sealed = contact.as_bytes().to_vec();
    sealing_key(secret)
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key([0; 12]),
            Aad::from(unit),
            &mut sealed,
        )
        .expect("a contact is far below ChaCha20-Poly1305's message limit");
    sealed
}

/// The contact, if `secret` is the one it was sealed under (checked against `verifier` first,
/// in constant time), for `unit`, and the bytes are unaltered.
pub fn open_contact(
    secret: &ContactSecret,
    verifier: &[u8; 32],
    unit: &[u8],
    sealed: &[u8],
) -> Option<String> {
    if !bool::from(contact_verifier(secret).ct_eq(verifier)) {
        return None;
    }
    let mut bytes = sealed.to_vec();
    let opened = sealing_key(secret)
        .open_in_place(
            Nonce::assume_unique_for_key([0; 12]),
            Aad::from(unit),
            &mut bytes,
        )
        .ok()?;
    String::from_utf8(opened.to_vec()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: ContactSecret = [7; CONTACT_SECRET_BYTES];

    #[test]
    fn a_contact_opens_only_with_its_secret_for_its_unit_and_unaltered() {
        let sealed = seal_contact(&SECRET, b"unit-1", "+77011234567");
        assert_eq!(sealed.len(), "+77011234567".len() + CONTACT_TAG_BYTES);
        assert!(!sealed.windows(4).any(|window| window == b"7011"));
        let verifier = contact_verifier(&SECRET);
        assert_eq!(
            open_contact(&SECRET, &verifier, b"unit-1", &sealed).as_deref(),
            Some("+77011234567")
        );
        let other: ContactSecret = [8; CONTACT_SECRET_BYTES];
        assert_eq!(open_contact(&other, &verifier, b"unit-1", &sealed), None);
        assert_eq!(
            open_contact(&other, &contact_verifier(&other), b"unit-1", &sealed),
            None,
            "the verifier is checked, and the key is the secret's"
        );
        assert_eq!(open_contact(&SECRET, &verifier, b"unit-2", &sealed), None);
        let mut altered = sealed.clone();
        altered[0] ^= 1;
        assert_eq!(open_contact(&SECRET, &verifier, b"unit-1", &altered), None);
        assert_ne!(
            contact_verifier(&SECRET),
            blake3::derive_key(CONTACT_KEY_CONTEXT, &SECRET)
        );
    }
}
