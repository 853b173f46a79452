//! The operator's key ring: signing keys for AI 92 and checkpoints, and the secrets for AI 93
//! short tags, each with a key id, a creation time and a status.
//!
//! Invariants, checked whenever a ring is built or changed:
//! * exactly one [`KeyStatus::Active`] signing key and exactly one active short-tag key: new codes
//!   and checkpoints are signed by the active key only;
//! * key ids are unique across the whole ring (both kinds), so an id names one key;
//! * at most [`KEY_RING_KEYS_MAX`] keys of each kind.
//!
//! Status moves only forward: Active -> Retired (by rotation; still verifies what it signed) and
//! Active/Retired -> Revoked (nothing it signed is trusted any more). Keys are never removed, so a
//! revoked id can never be reissued to a new key.
//!
//! Must never know: clocks (time comes in as unix milliseconds), where randomness comes from, or
//! files (see [`crate::store`]). Secret material never appears in `Debug` output and is zeroized
//! on drop.

use std::fmt;

use rand_core::CryptoRngCore;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::{
    errors::CryptoError,
    key_id::KeyId,
    public_keys::{PublicKeyEntry, PublicKeySet},
    scheme::{Algorithm, Signer},
};

/// Most keys of one kind (signing or short-tag) a ring holds. Rotating yearly, this is centuries;
/// it bounds the ring file and the public key set.
pub const KEY_RING_KEYS_MAX: usize = 1024;

/// Random key-id draws before giving up. With at most 2·1024 ids taken out of 1,679,616, one draw
/// collides with probability below 0.0013, so 64 draws all collide with probability below 10^-180.
pub const KEY_ID_DRAWS_MAX: usize = 64;

/// Bytes in a short-tag secret: a BLAKE3 key.
pub const SHORT_TAG_SECRET_LENGTH: usize = blake3::KEY_LEN;

/// The algorithm new signing keys use.
pub const SIGNING_ALGORITHM_DEFAULT: Algorithm = Algorithm::Ed25519;

/// Where a key is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyStatus {
    /// Signs (or tags) everything new; exactly one per kind.
    Active,
    /// Replaced by rotation; what it signed still verifies.
    Retired,
    /// Withdrawn: what it signed no longer verifies.
    Revoked,
}

/// A signing key in the ring, with its id, creation time and status.
pub struct RingSigningKey {
    key_id: KeyId,
    created_at_ms: u64,
    status: KeyStatus,
    signer: Box<dyn Signer>,
}

impl RingSigningKey {
    /// Wraps an existing secret key as an active ring key. The ring, not this constructor, checks
    /// that ids are unique and only one key is active.
    pub fn new(key_id: KeyId, created_at_ms: u64, signer: Box<dyn Signer>) -> Self {
        Self {
            key_id,
            created_at_ms,
            status: KeyStatus::Active,
            signer,
        }
    }

    pub(crate) fn with_status(mut self, status: KeyStatus) -> Self {
        self.status = status;
        self
    }

    /// The key's id, printed in AI 91.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// When the key was made, unix milliseconds.
    pub fn created_at_ms(&self) -> u64 {
        self.created_at_ms
    }

    /// The key's status.
    pub fn status(&self) -> KeyStatus {
        self.status
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.signer.algorithm()
    }

    /// The key's public half, for export and for checks that two ids do not share one key.
    pub fn public_key_bytes(&self) -> Vec<u8> {
        self.signer.public_key_bytes()
    }

    /// The signer itself: crate-private, so that nothing outside can sign with a retired or
    /// revoked key or read its secret; signing goes through [`Self::sign_if_active`].
    pub(crate) fn signer(&self) -> &dyn Signer {
        self.signer.as_ref()
    }

    /// Signs `message` if and only if this key is active: a retired or revoked key must not put
    /// its name on anything new.
    pub(crate) fn sign_if_active(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if self.status != KeyStatus::Active {
            return Err(CryptoError::KeyNotActive {
                key_id: self.key_id.to_string(),
                status: self.status,
            });
        }
        Ok(self.signer.sign(message))
    }

    fn public_entry(&self) -> Result<PublicKeyEntry, CryptoError> {
        PublicKeyEntry::new(
            self.key_id,
            self.algorithm(),
            &self.signer.public_key_bytes(),
            self.created_at_ms,
            self.status,
        )
    }
}

impl fmt::Debug for RingSigningKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("RingSigningKey")
            .field("key_id", &self.key_id)
            .field("created_at_ms", &self.created_at_ms)
            .field("status", &self.status)
            .field("algorithm", &self.algorithm())
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// The 32-byte BLAKE3 key behind AI 93 short tags. Zeroized on drop; never printed.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct ShortTagSecret([u8; SHORT_TAG_SECRET_LENGTH]);

impl ShortTagSecret {
    /// Wraps secret bytes.
    pub fn from_bytes(bytes: [u8; SHORT_TAG_SECRET_LENGTH]) -> Self {
        Self(bytes)
    }

    /// Draws a fresh secret.
    pub fn generate(rng: &mut (impl CryptoRngCore + ?Sized)) -> Self {
        let mut secret = Self([0u8; SHORT_TAG_SECRET_LENGTH]);
        // Filled in place: no copy of the secret is left behind on the stack.
        rng.fill_bytes(&mut secret.0);
        secret
    }

    pub(crate) fn as_bytes(&self) -> &[u8; SHORT_TAG_SECRET_LENGTH] {
        &self.0
    }
}

impl fmt::Debug for ShortTagSecret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("ShortTagSecret(<redacted>)")
    }
}

/// A short-tag secret in the ring, with its id, creation time and status. Its id is never printed
/// on a code: the engine records which short-tag key tagged each code.
#[derive(Debug)]
pub struct ShortTagKey {
    key_id: KeyId,
    created_at_ms: u64,
    status: KeyStatus,
    secret: ShortTagSecret,
}

impl ShortTagKey {
    /// Wraps a secret as an active short-tag key.
    pub fn new(key_id: KeyId, created_at_ms: u64, secret: ShortTagSecret) -> Self {
        Self {
            key_id,
            created_at_ms,
            status: KeyStatus::Active,
            secret,
        }
    }

    pub(crate) fn with_status(mut self, status: KeyStatus) -> Self {
        self.status = status;
        self
    }

    /// The key's id (kept with each code by the engine, never printed).
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// When the key was made, unix milliseconds.
    pub fn created_at_ms(&self) -> u64 {
        self.created_at_ms
    }

    /// The key's status.
    pub fn status(&self) -> KeyStatus {
        self.status
    }

    pub(crate) fn secret(&self) -> &ShortTagSecret {
        &self.secret
    }
}

/// The ring: all signing keys and short-tag keys, in creation order.
#[derive(Debug)]
pub struct KeyRing {
    signing_keys: Vec<RingSigningKey>,
    short_tag_keys: Vec<ShortTagKey>,
}

impl KeyRing {
    /// A new ring with one active signing key and one active short-tag key.
    pub fn generate(now_ms: u64, rng: &mut (impl CryptoRngCore + ?Sized)) -> Self {
        let signing_id = KeyId::generate(rng);
        let signer = SIGNING_ALGORITHM_DEFAULT.generate(rng);
        let mut short_tag_id = KeyId::generate(rng);
        // The two ids collide with probability 1/1,679,616; redraw rather than assume.
        while short_tag_id == signing_id {
            short_tag_id = KeyId::generate(rng);
        }
        let ring = Self {
            signing_keys: vec![RingSigningKey::new(signing_id, now_ms, signer)],
            short_tag_keys: vec![ShortTagKey::new(
                short_tag_id,
                now_ms,
                ShortTagSecret::generate(rng),
            )],
        };
        debug_assert!(ring.check_invariants().is_ok());
        ring
    }

    /// Rebuilds a ring from its keys, refusing any that break the ring's invariants.
    pub fn from_keys(
        signing_keys: Vec<RingSigningKey>,
        short_tag_keys: Vec<ShortTagKey>,
    ) -> Result<Self, CryptoError> {
        let ring = Self {
            signing_keys,
            short_tag_keys,
        };
        ring.check_invariants()?;
        Ok(ring)
    }

    fn check_invariants(&self) -> Result<(), CryptoError> {
        let invalid = |reason| Err(CryptoError::InvalidKeyRing { reason });
        if self.signing_keys.len() > KEY_RING_KEYS_MAX
            || self.short_tag_keys.len() > KEY_RING_KEYS_MAX
        {
            return invalid("more keys than KEY_RING_KEYS_MAX");
        }
        let active_signing = self
            .signing_keys
            .iter()
            .filter(|key| key.status == KeyStatus::Active);
        if active_signing.count() != 1 {
            return invalid("there must be exactly one active signing key");
        }
        let active_short = self
            .short_tag_keys
            .iter()
            .filter(|key| key.status == KeyStatus::Active);
        if active_short.count() != 1 {
            return invalid("there must be exactly one active short-tag key");
        }
        let mut ids: Vec<KeyId> = self.all_key_ids().collect();
        ids.sort_unstable();
        if ids.windows(2).any(|pair| pair[0] == pair[1]) {
            return invalid("key ids must be unique across the ring");
        }
        // One key under two ids would let a code signed by a revoked id verify under the other.
        let mut public_keys: Vec<Vec<u8>> = self
            .signing_keys
            .iter()
            .map(RingSigningKey::public_key_bytes)
            .collect();
        public_keys.sort_unstable();
        if public_keys.windows(2).any(|pair| pair[0] == pair[1]) {
            return invalid("a signing key appears under two ids");
        }
        let mut secrets: Vec<&[u8; SHORT_TAG_SECRET_LENGTH]> = self
            .short_tag_keys
            .iter()
            .map(|key| &key.secret.0)
            .collect();
        secrets.sort_unstable();
        if secrets.windows(2).any(|pair| pair[0] == pair[1]) {
            return invalid("a short-tag secret appears under two ids");
        }
        Ok(())
    }

    fn all_key_ids(&self) -> impl Iterator<Item = KeyId> + '_ {
        let signing = self.signing_keys.iter().map(RingSigningKey::key_id);
        signing.chain(self.short_tag_keys.iter().map(ShortTagKey::key_id))
    }

    fn draw_unused_key_id(
        &self,
        rng: &mut (impl CryptoRngCore + ?Sized),
    ) -> Result<KeyId, CryptoError> {
        for _ in 0..KEY_ID_DRAWS_MAX {
            let candidate = KeyId::generate(rng);
            if !self.all_key_ids().any(|used| used == candidate) {
                return Ok(candidate);
            }
        }
        Err(CryptoError::KeyIdSpaceExhausted)
    }

    /// All signing keys, oldest first.
    pub fn signing_keys(&self) -> &[RingSigningKey] {
        &self.signing_keys
    }

    /// All short-tag keys, oldest first.
    pub fn short_tag_keys(&self) -> &[ShortTagKey] {
        &self.short_tag_keys
    }

    /// The one signing key that signs new codes and checkpoints.
    pub fn active_signing_key(&self) -> &RingSigningKey {
        self.signing_keys
            .iter()
            .find(|key| key.status == KeyStatus::Active)
            .expect("ring invariant: exactly one active signing key")
    }

    /// The one short-tag key that tags new codes.
    pub fn active_short_tag_key(&self) -> &ShortTagKey {
        self.short_tag_keys
            .iter()
            .find(|key| key.status == KeyStatus::Active)
            .expect("ring invariant: exactly one active short-tag key")
    }

    /// The signing key with this id, whatever its status.
    pub fn signing_key(&self, key_id: &KeyId) -> Option<&RingSigningKey> {
        self.signing_keys.iter().find(|key| key.key_id == *key_id)
    }

    /// The short-tag key with this id, whatever its status.
    pub fn short_tag_key(&self, key_id: &KeyId) -> Option<&ShortTagKey> {
        self.short_tag_keys.iter().find(|key| key.key_id == *key_id)
    }

    /// Makes a new active signing key and retires the old one (which still verifies). Returns the
    /// new key's id.
    pub fn rotate(
        &mut self,
        now_ms: u64,
        rng: &mut (impl CryptoRngCore + ?Sized),
    ) -> Result<KeyId, CryptoError> {
        if self.signing_keys.len() >= KEY_RING_KEYS_MAX {
            return Err(CryptoError::RingFull {
                keys_max: KEY_RING_KEYS_MAX,
            });
        }
        let key_id = self.draw_unused_key_id(rng)?;
        let signer = SIGNING_ALGORITHM_DEFAULT.generate(rng);
        for key in &mut self.signing_keys {
            if key.status == KeyStatus::Active {
                key.status = KeyStatus::Retired;
            }
        }
        self.signing_keys
            .push(RingSigningKey::new(key_id, now_ms, signer));
        debug_assert!(self.check_invariants().is_ok());
        Ok(key_id)
    }

    /// Makes a new active short-tag secret and retires the old one. Returns the new key's id.
    pub fn rotate_short_tag_key(
        &mut self,
        now_ms: u64,
        rng: &mut (impl CryptoRngCore + ?Sized),
    ) -> Result<KeyId, CryptoError> {
        if self.short_tag_keys.len() >= KEY_RING_KEYS_MAX {
            return Err(CryptoError::RingFull {
                keys_max: KEY_RING_KEYS_MAX,
            });
        }
        let key_id = self.draw_unused_key_id(rng)?;
        let secret = ShortTagSecret::generate(rng);
        for key in &mut self.short_tag_keys {
            if key.status == KeyStatus::Active {
                key.status = KeyStatus::Retired;
            }
        }
        self.short_tag_keys
            .push(ShortTagKey::new(key_id, now_ms, secret));
        debug_assert!(self.check_invariants().is_ok());
        Ok(key_id)
    }

    /// Revokes the key (of either kind) with this id. Revoking twice is a no-op. The active key
    /// cannot be revoked: rotate first, so the ring always has a key to sign with.
    pub fn revoke(&mut self, key_id: &KeyId) -> Result<(), CryptoError> {
        let status = if let Some(key) = self
            .signing_keys
            .iter_mut()
            .find(|key| key.key_id == *key_id)
        {
            &mut key.status
        } else if let Some(key) = self
            .short_tag_keys
            .iter_mut()
            .find(|key| key.key_id == *key_id)
        {
            &mut key.status
        } else {
            return Err(CryptoError::UnknownKeyId {
                key_id: key_id.to_string(),
            });
        };
        if *status == KeyStatus::Active {
            return Err(CryptoError::RevokeActiveKey {
                key_id: key_id.to_string(),
            });
        }
        *status = KeyStatus::Revoked;
        Ok(())
    }

    /// The public half of every signing key, for phones, tills and feed consumers to pin.
    /// Short-tag secrets are never part of it.
    pub fn public_key_set(&self) -> PublicKeySet {
        let entries = self
            .signing_keys
            .iter()
            .map(RingSigningKey::public_entry)
            .collect::<Result<Vec<_>, _>>()
            .expect("ring keys have valid public keys");
        PublicKeySet::from_entries(entries).expect("ring invariants imply set invariants")
    }
}

#[cfg(test)]
mod tests {
    use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};

    use super::*;

    fn rng(seed: u8) -> ChaCha20Rng {
        ChaCha20Rng::from_seed([seed; 32])
    }

    #[test]
    fn generated_ring_has_one_active_key_of_each_kind() {
        let ring = KeyRing::generate(1_000, &mut rng(1));
        assert_eq!(ring.signing_keys().len(), 1);
        assert_eq!(ring.short_tag_keys().len(), 1);
        assert_eq!(ring.active_signing_key().status(), KeyStatus::Active);
        assert_eq!(ring.active_signing_key().created_at_ms(), 1_000);
        assert_ne!(
            ring.active_signing_key().key_id(),
            ring.active_short_tag_key().key_id()
        );
    }

    #[test]
    fn rotation_retires_the_old_key_and_keeps_ids_unique() {
        let mut ring = KeyRing::generate(1, &mut rng(2));
        let first = ring.active_signing_key().key_id();
        let mut random = rng(3);
        for now in 2..50 {
            let new = ring.rotate(now, &mut random).unwrap();
            assert_eq!(ring.active_signing_key().key_id(), new);
            assert_eq!(ring.active_signing_key().created_at_ms(), now);
        }
        assert_eq!(
            ring.signing_key(&first).unwrap().status(),
            KeyStatus::Retired
        );
        let active = ring
            .signing_keys()
            .iter()
            .filter(|key| key.status() == KeyStatus::Active);
        assert_eq!(active.count(), 1);
        ring.check_invariants().unwrap();

        let old_tag = ring.active_short_tag_key().key_id();
        let new_tag = ring.rotate_short_tag_key(60, &mut random).unwrap();
        assert_eq!(ring.active_short_tag_key().key_id(), new_tag);
        assert_eq!(
            ring.short_tag_key(&old_tag).unwrap().status(),
            KeyStatus::Retired
        );
    }

    #[test]
    fn revoke_refuses_the_active_key_and_unknown_ids() {
        let mut ring = KeyRing::generate(1, &mut rng(4));
        let first = ring.active_signing_key().key_id();
        assert!(matches!(
            ring.revoke(&first),
            Err(CryptoError::RevokeActiveKey { .. })
        ));
        let short = ring.active_short_tag_key().key_id();
        assert!(matches!(
            ring.revoke(&short),
            Err(CryptoError::RevokeActiveKey { .. })
        ));
        let unknown = KeyId::parse("ZZZZ").unwrap();
        assert!(matches!(
            ring.revoke(&unknown),
            Err(CryptoError::UnknownKeyId { .. })
        ));

        ring.rotate(2, &mut rng(5)).unwrap();
        ring.revoke(&first).unwrap();
        ring.revoke(&first).unwrap();
        assert_eq!(
            ring.signing_key(&first).unwrap().status(),
            KeyStatus::Revoked
        );
        let message = b"anything";
        assert!(matches!(
            ring.signing_key(&first).unwrap().sign_if_active(message),
            Err(CryptoError::KeyNotActive {
                status: KeyStatus::Revoked,
                ..
            })
        ));
    }

    #[test]
    fn from_keys_refuses_broken_invariants() {
        let mut random = rng(6);
        let signing = |id: &str, random: &mut ChaCha20Rng| {
            RingSigningKey::new(
                KeyId::parse(id).unwrap(),
                0,
                Algorithm::Ed25519.generate(random),
            )
        };
        let short = |id: &str, random: &mut ChaCha20Rng| {
            ShortTagKey::new(
                KeyId::parse(id).unwrap(),
                0,
                ShortTagSecret::generate(random),
            )
        };
        let two_active = KeyRing::from_keys(
            vec![signing("AAAA", &mut random), signing("BBBB", &mut random)],
            vec![short("CCCC", &mut random)],
        );
        assert!(matches!(
            two_active,
            Err(CryptoError::InvalidKeyRing { .. })
        ));
        let none_active = KeyRing::from_keys(
            vec![signing("AAAA", &mut random).with_status(KeyStatus::Retired)],
            vec![short("CCCC", &mut random)],
        );
        assert!(matches!(
            none_active,
            Err(CryptoError::InvalidKeyRing { .. })
        ));
        let shared_id = KeyRing::from_keys(
            vec![signing("AAAA", &mut random)],
            vec![short("AAAA", &mut random)],
        );
        assert!(matches!(shared_id, Err(CryptoError::InvalidKeyRing { .. })));
        let fine = KeyRing::from_keys(
            vec![signing("AAAA", &mut random)],
            vec![short("CCCC", &mut random)],
        );
        assert!(fine.is_ok());
    }

    #[test]
    fn ring_full_is_a_typed_error() {
        let mut ring = KeyRing::generate(0, &mut rng(7));
        let mut random = rng(8);
        for now in 1..KEY_RING_KEYS_MAX as u64 {
            ring.rotate(now, &mut random).unwrap();
        }
        assert_eq!(ring.signing_keys().len(), KEY_RING_KEYS_MAX);
        assert!(matches!(
            ring.rotate(0, &mut random),
            Err(CryptoError::RingFull { .. })
        ));
    }

    #[test]
    fn debug_output_redacts_every_secret() {
        let ring = KeyRing::generate(0, &mut rng(9));
        let debug = format!("{ring:?}");
        let signing_secret = ring.active_signing_key().signer().secret_key_bytes();
        let tag_secret = ring.active_short_tag_key().secret().as_bytes();
        for secret in [signing_secret.as_slice(), tag_secret.as_slice()] {
            assert!(!debug.contains(&crate::encoding::base64url(secret)));
            assert!(!debug.contains(&format!("{secret:?}")));
            assert!(
                !debug.contains(
                    &format!("{:?}", &secret[..4])
                        .trim_end_matches(']')
                        .to_string()
                )
            );
            let hex: String = secret.iter().map(|byte| format!("{byte:02x}")).collect();
            assert!(!debug.contains(&hex));
        }
        assert!(debug.contains("<redacted>"));
        assert!(debug.contains(&ring.active_signing_key().key_id().to_string()));
    }

    #[test]
    fn public_key_set_has_only_signing_keys() {
        let mut ring = KeyRing::generate(0, &mut rng(10));
        ring.rotate(1, &mut rng(11)).unwrap();
        let set = ring.public_key_set();
        assert_eq!(set.keys().len(), 2);
        let short_id = ring.active_short_tag_key().key_id();
        assert!(set.key(&short_id).is_none());
        let json = set.to_json();
        assert!(!json.contains(&crate::encoding::base64url(
            ring.active_short_tag_key().secret().as_bytes()
        )));
        assert!(!json.contains(short_id.as_str()));
    }
}
