//! The signature scheme boundary: [`Signer`] and [`Verifier`] traits, the [`Algorithm`] registry,
//! and the Ed25519 implementation.
//!
//! Everything else in the crate signs and verifies through these traits only, so an adapter for
//! the national certification centre's RSA or GOST keys is one new [`Algorithm`] variant, one
//! `Signer` and one `Verifier` implementation, and one arm in each `Algorithm` constructor.
//!
//! Ed25519 verification uses `verify_strict`: it refuses small-order keys and non-canonical
//! signatures, so one (message, key) pair has exactly one accepted signature encoding.
//!
//! Must never know: what the signed bytes mean (callers build domain-separated messages, see
//! [`crate::domain`]), key ids, key status, or files.

use std::fmt;

use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use rand_core::CryptoRngCore;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::errors::CryptoError;

/// Bytes in an Ed25519 signature.
pub const ED25519_SIGNATURE_LENGTH: usize = ed25519_dalek::SIGNATURE_LENGTH;
/// Bytes in an Ed25519 public key.
pub const ED25519_PUBLIC_KEY_LENGTH: usize = ed25519_dalek::PUBLIC_KEY_LENGTH;
/// Bytes in an Ed25519 secret key (the seed).
pub const ED25519_SECRET_KEY_LENGTH: usize = ed25519_dalek::SECRET_KEY_LENGTH;

const _: () = assert!(ED25519_SIGNATURE_LENGTH == 64);
const _: () = assert!(ED25519_PUBLIC_KEY_LENGTH == 32);

/// A signature algorithm. Serialized in lowercase (`"ed25519"`) in the public key set and ring file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    /// Ed25519 (RFC 8032), strict verification.
    Ed25519,
}

impl Algorithm {
    /// Bytes in one signature of this algorithm.
    pub fn signature_length(self) -> usize {
        match self {
            Self::Ed25519 => ED25519_SIGNATURE_LENGTH,
        }
    }

    /// Generates a new secret key of this algorithm.
    pub fn generate(self, rng: &mut (impl CryptoRngCore + ?Sized)) -> Box<dyn Signer> {
        match self {
            Self::Ed25519 => Box::new(Ed25519Signer::generate(rng)),
        }
    }

    /// Rebuilds a signer from the bytes [`Signer::secret_key_bytes`] returned.
    pub fn signer_from_secret(self, secret: &[u8]) -> Result<Box<dyn Signer>, CryptoError> {
        match self {
            Self::Ed25519 => Ok(Box::new(Ed25519Signer::from_secret_bytes(secret)?)),
        }
    }

    /// Builds a verifier from public key bytes, refusing malformed or weak keys.
    pub fn verifier_from_public(self, public: &[u8]) -> Result<Box<dyn Verifier>, CryptoError> {
        match self {
            Self::Ed25519 => Ok(Box::new(Ed25519Verifier::from_public_bytes(public)?)),
        }
    }
}

/// Something that makes signatures with one secret key.
///
/// Implementations must not print the secret in their `Debug` output and should zeroize it on drop.
pub trait Signer: Send + Sync + fmt::Debug {
    /// The algorithm of this key.
    fn algorithm(&self) -> Algorithm;
    /// Signs `message` (already domain-separated by the caller).
    fn sign(&self, message: &[u8]) -> Vec<u8>;
    /// The matching public key's bytes.
    fn public_key_bytes(&self) -> Vec<u8>;
    /// The matching verifier.
    fn verifier(&self) -> Box<dyn Verifier>;
    /// The secret key's bytes, for the key-ring store only; wiped when dropped.
    fn secret_key_bytes(&self) -> Zeroizing<Vec<u8>>;
}

/// Something that checks signatures against one public key.
pub trait Verifier: Send + Sync + fmt::Debug {
    /// The algorithm of this key.
    fn algorithm(&self) -> Algorithm;
    /// Checks `signature` over `message`: [`CryptoError::MalformedSignature`] if it is not even
    /// a signature of this algorithm, [`CryptoError::BadSignature`] if it does not verify.
    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), CryptoError>;
    /// The public key's bytes.
    fn public_key_bytes(&self) -> Vec<u8>;
}

/// An Ed25519 secret key. Debug prints only the public key; the secret is zeroized on drop (by
/// ed25519-dalek's `zeroize` feature).
pub struct Ed25519Signer {
    key: SigningKey,
}

impl Ed25519Signer {
    /// Generates a new key from `rng`.
    pub fn generate(rng: &mut (impl CryptoRngCore + ?Sized)) -> Self {
        Self {
            key: SigningKey::generate(rng),
        }
    }

    /// Builds a key from its 32-byte secret (seed).
    pub fn from_secret_bytes(secret: &[u8]) -> Result<Self, CryptoError> {
        let secret: &[u8; ED25519_SECRET_KEY_LENGTH] =
            secret.try_into().map_err(|_| CryptoError::InvalidKeyRing {
                reason: "Ed25519 secret key must be 32 bytes",
            })?;
        Ok(Self {
            key: SigningKey::from_bytes(secret),
        })
    }

    /// The public half.
    pub fn verifying_key(&self) -> Ed25519Verifier {
        Ed25519Verifier {
            key: self.key.verifying_key(),
        }
    }
}

impl fmt::Debug for Ed25519Signer {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Ed25519Signer")
            .field(
                "public_key",
                &crate::encoding::base64url(self.key.verifying_key().as_bytes()),
            )
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl Signer for Ed25519Signer {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Ed25519
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.key.sign(message).to_bytes().to_vec()
    }

    fn public_key_bytes(&self) -> Vec<u8> {
        self.key.verifying_key().to_bytes().to_vec()
    }

    fn verifier(&self) -> Box<dyn Verifier> {
        Box::new(self.verifying_key())
    }

    fn secret_key_bytes(&self) -> Zeroizing<Vec<u8>> {
        let bytes = Zeroizing::new(self.key.to_bytes());
        Zeroizing::new(bytes.to_vec())
    }
}

/// An Ed25519 public key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Ed25519Verifier {
    key: VerifyingKey,
}

impl Ed25519Verifier {
    /// Parses a 32-byte public key, refusing invalid points and small-order (weak) keys, which
    /// would let anyone forge signatures that verify.
    pub fn from_public_bytes(public: &[u8]) -> Result<Self, CryptoError> {
        let public: &[u8; ED25519_PUBLIC_KEY_LENGTH] = public
            .try_into()
            .map_err(|_| CryptoError::MalformedPublicKey)?;
        let key = VerifyingKey::from_bytes(public).map_err(|_| CryptoError::MalformedPublicKey)?;
        if key.is_weak() {
            return Err(CryptoError::MalformedPublicKey);
        }
        Ok(Self { key })
    }
}

impl fmt::Debug for Ed25519Verifier {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "Ed25519Verifier({})",
            crate::encoding::base64url(self.key.as_bytes())
        )
    }
}

impl Verifier for Ed25519Verifier {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Ed25519
    }

    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), CryptoError> {
        let signature: &[u8; ED25519_SIGNATURE_LENGTH] = signature
            .try_into()
            .map_err(|_| CryptoError::MalformedSignature)?;
        let signature = ed25519_dalek::Signature::from_bytes(signature);
        self.key
            .verify_strict(message, &signature)
            .map_err(|_| CryptoError::BadSignature)
    }

    fn public_key_bytes(&self) -> Vec<u8> {
        self.key.to_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};

    use super::*;

    #[test]
    fn sign_then_verify_and_reject_changes() {
        let signer = Algorithm::Ed25519.generate(&mut ChaCha20Rng::from_seed([5; 32]));
        let signature = signer.sign(b"message");
        assert_eq!(signature.len(), Algorithm::Ed25519.signature_length());
        let verifier = signer.verifier();
        verifier.verify(b"message", &signature).unwrap();
        assert!(matches!(
            verifier.verify(b"messagE", &signature),
            Err(CryptoError::BadSignature)
        ));
        let mut flipped = signature.clone();
        flipped[10] ^= 1;
        assert!(matches!(
            verifier.verify(b"message", &flipped),
            Err(CryptoError::BadSignature)
        ));
        assert!(matches!(
            verifier.verify(b"message", &signature[..63]),
            Err(CryptoError::MalformedSignature)
        ));
    }

    #[test]
    fn secret_round_trips_and_public_key_rebuilds_the_verifier() {
        let signer = Algorithm::Ed25519.generate(&mut ChaCha20Rng::from_seed([6; 32]));
        let again = Algorithm::Ed25519
            .signer_from_secret(&signer.secret_key_bytes())
            .unwrap();
        assert_eq!(signer.public_key_bytes(), again.public_key_bytes());
        let verifier = Algorithm::Ed25519
            .verifier_from_public(&signer.public_key_bytes())
            .unwrap();
        verifier.verify(b"m", &again.sign(b"m")).unwrap();
    }

    #[test]
    fn weak_and_malformed_public_keys_are_refused() {
        // The identity point (y = 1) has small order: it "verifies" forged signatures.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(matches!(
            Ed25519Verifier::from_public_bytes(&identity),
            Err(CryptoError::MalformedPublicKey)
        ));
        assert!(matches!(
            Ed25519Verifier::from_public_bytes(&[1u8; 31]),
            Err(CryptoError::MalformedPublicKey)
        ));
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let signer = Ed25519Signer::from_secret_bytes(&[7; 32]).unwrap();
        let debug = format!("{signer:?}");
        assert!(debug.contains("<redacted>"));
        assert!(!debug.contains(&crate::encoding::base64url(&[7; 32])));
        assert!(!debug.contains("7, 7, 7"));
        assert!(!debug.contains("0707"));
    }
}
