//! The full tail profile: AI 91 (key id) + AI 92 (signature over the code's identity).
//!
//! * AI 91: the signing key's [`KeyId`], 4 characters `A-Z0-9`.
//! * AI 92: the Ed25519 signature (64 bytes) over [`CodeIdentity`] bytes, unpadded base64url:
//!   exactly [`FULL_TAIL_SIGNATURE_CHARS`] = ceil(64·8/6) = 86 characters, all in CSET 82.
//!
//! The message signed is exactly the canonical identity (see [`crate::identity`]):
//! `"tanba.code.v1" 0x00 || gtin (14 ASCII digits) || 0x1D || serial`. Anyone holding the
//! exported [`PublicKeySet`] verifies offline; the operator's secret never leaves the ring.
//!
//! Must never know: GS1 element-string syntax (the caller splits AIs), code status, or the network.

use crate::{
    encoding::{base64url, base64url_decode, base64url_length},
    errors::CryptoError,
    identity::CodeIdentity,
    key_id::KeyId,
    key_ring::RingSigningKey,
    public_keys::PublicKeySet,
    scheme::ED25519_SIGNATURE_LENGTH,
};

/// Characters of an Ed25519 signature in AI 92.
pub const FULL_TAIL_SIGNATURE_CHARS: usize = base64url_length(ED25519_SIGNATURE_LENGTH);

/// The longest value GS1 allows in AI 92 (X..90).
pub const AI_92_LENGTH_MAX: usize = 90;

const _: () = assert!(FULL_TAIL_SIGNATURE_CHARS == 86);
const _: () = assert!(FULL_TAIL_SIGNATURE_CHARS <= AI_92_LENGTH_MAX);

/// The AI 91 and AI 92 values of one code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FullTail {
    /// AI 91: which key signed.
    pub key_id: KeyId,
    /// AI 92: the signature, unpadded base64url.
    pub signature_b64: String,
}

/// Signs a code's identity with the ring's signing key, which must be active.
pub fn sign_code(
    signing_key: &RingSigningKey,
    gtin: &str,
    serial: &str,
) -> Result<FullTail, CryptoError> {
    let identity = CodeIdentity::new(gtin, serial)?;
    let signature = signing_key.sign_if_active(identity.as_bytes())?;
    let signature_b64 = base64url(&signature);
    // A scheme whose signatures do not fit AI 92 must get its own tail profile, not a cut one.
    assert!(signature_b64.len() <= AI_92_LENGTH_MAX);
    Ok(FullTail {
        key_id: signing_key.key_id(),
        signature_b64,
    })
}

/// Verifies a scanned code's AI 91/92 against the pinned public keys, offline.
///
/// Errors, in the order checked: [`CryptoError::InvalidGtin`] / [`CryptoError::InvalidSerial`],
/// [`CryptoError::MalformedKeyId`], [`CryptoError::UnknownKeyId`], [`CryptoError::KeyRevoked`],
/// [`CryptoError::MalformedSignature`] (wrong length or not strict base64url), and
/// [`CryptoError::BadSignature`].
pub fn verify_code(
    keys: &PublicKeySet,
    gtin: &str,
    serial: &str,
    key_id: &str,
    signature_b64: &str,
) -> Result<(), CryptoError> {
    let identity = CodeIdentity::new(gtin, serial)?;
    let verifier = keys.usable_verifier(key_id)?;
    let expected_chars = base64url_length(verifier.algorithm().signature_length());
    if signature_b64.len() != expected_chars {
        return Err(CryptoError::MalformedSignature);
    }
    let signature = base64url_decode(signature_b64).ok_or(CryptoError::MalformedSignature)?;
    verifier.verify(identity.as_bytes(), &signature)
}

#[cfg(test)]
mod tests {
    use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};

    use super::*;
    use crate::key_ring::KeyRing;

    const GTIN: &str = "04870000000004";
    const SERIAL: &str = "5Kz!q9_x(P-3a";

    fn ring() -> KeyRing {
        KeyRing::generate(0, &mut ChaCha20Rng::from_seed([30; 32]))
    }

    #[test]
    fn signs_86_characters_that_verify() {
        let ring = ring();
        let tail = sign_code(ring.active_signing_key(), GTIN, SERIAL).unwrap();
        assert_eq!(tail.signature_b64.len(), FULL_TAIL_SIGNATURE_CHARS);
        assert!(tail.signature_b64.bytes().all(crate::identity::is_cset_82));
        let keys = ring.public_key_set();
        verify_code(
            &keys,
            GTIN,
            SERIAL,
            tail.key_id.as_str(),
            &tail.signature_b64,
        )
        .unwrap();
    }

    #[test]
    fn each_failure_has_its_own_error() {
        let ring = ring();
        let keys = ring.public_key_set();
        let tail = sign_code(ring.active_signing_key(), GTIN, SERIAL).unwrap();
        let id = tail.key_id.as_str();
        let signature = tail.signature_b64.as_str();
        let verify = |gtin, serial, id, signature| verify_code(&keys, gtin, serial, id, signature);

        assert!(matches!(
            verify("0487", SERIAL, id, signature),
            Err(CryptoError::InvalidGtin)
        ));
        assert!(matches!(
            verify(GTIN, "a b", id, signature),
            Err(CryptoError::InvalidSerial)
        ));
        assert!(matches!(
            verify(GTIN, SERIAL, "e", signature),
            Err(CryptoError::MalformedKeyId)
        ));
        let unknown = if id == "ZZZZ" { "YYYY" } else { "ZZZZ" };
        assert!(matches!(
            verify(GTIN, SERIAL, unknown, signature),
            Err(CryptoError::UnknownKeyId { .. })
        ));
        assert!(matches!(
            verify(GTIN, SERIAL, id, &signature[1..]),
            Err(CryptoError::MalformedSignature)
        ));
        let not_base64 = format!("{}+", &signature[1..]);
        assert!(matches!(
            verify(GTIN, SERIAL, id, &not_base64),
            Err(CryptoError::MalformedSignature)
        ));
        assert!(matches!(
            verify(GTIN, "5Kz!q9_x(P-3b", id, signature),
            Err(CryptoError::BadSignature)
        ));
    }

    #[test]
    fn only_the_active_key_signs() {
        let mut ring = ring();
        let old = ring.active_signing_key().key_id();
        ring.rotate(1, &mut ChaCha20Rng::from_seed([31; 32]))
            .unwrap();
        assert!(matches!(
            sign_code(ring.signing_key(&old).unwrap(), GTIN, SERIAL),
            Err(CryptoError::KeyNotActive { .. })
        ));
    }
}
