//! Property tests: each property fails if the rule it names is broken.

use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tanba_crypto::{
    ChainHash, CryptoError, FIRST_SEQUENCE, GENESIS, KeyRing, SERIAL_LENGTH, SHORT_TAG_LENGTH_MAX,
    SHORT_TAG_LENGTH_MIN, chain_next, generate_serial, identity::CSET_82, short_tag,
    sign_checkpoint, sign_code, verify_chain, verify_code, verify_segment_to_checkpoint,
    verify_short_tag,
};

/// `prop_assert!(matches!(..))` that prints the value on failure (and accepts braces in patterns,
/// which `prop_assert!` would read as a format string).
macro_rules! prop_assert_matches {
    ($value:expr, $($pattern:tt)+) => {{
        let value = $value;
        prop_assert!(matches!(value, $($pattern)+), "unexpected: {:?}", value);
    }};
}

const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const KEY_ID_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

fn gtin() -> impl Strategy<Value = String> {
    "[0-9]{14}"
}

fn serial() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(CSET_82.to_vec()), 1..=20)
        .prop_map(|bytes| bytes.into_iter().map(char::from).collect())
}

fn ring(seed: [u8; 32]) -> KeyRing {
    KeyRing::generate(1_767_225_600_000, &mut ChaCha20Rng::from_seed(seed))
}

/// Replaces the character at `index % len` with another from `alphabet` (never the same one).
fn mutate(text: &str, index: usize, pick: usize, alphabet: &[u8]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let index = index % bytes.len();
    let others: Vec<u8> = alphabet
        .iter()
        .copied()
        .filter(|&c| c != bytes[index])
        .collect();
    bytes[index] = others[pick % others.len()];
    String::from_utf8(bytes).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn full_tail_verifies_for_its_own_code_and_key(
        seed in any::<[u8; 32]>(), gtin in gtin(), serial in serial(),
    ) {
        let ring = ring(seed);
        let keys = ring.public_key_set();
        let tail = sign_code(ring.active_signing_key(), &gtin, &serial).unwrap();
        prop_assert!(verify_code(&keys, &gtin, &serial, tail.key_id.as_str(), &tail.signature_b64).is_ok());
    }

    #[test]
    fn full_tail_fails_for_another_code_or_another_key(
        seed in any::<[u8; 32]>(), other_seed in any::<[u8; 32]>(),
        gtin in gtin(), serial in serial(), other_gtin in gtin(), other_serial in serial(),
    ) {
        prop_assume!(seed != other_seed);
        prop_assume!((gtin.as_str(), serial.as_str()) != (other_gtin.as_str(), other_serial.as_str()));
        let ring = ring(seed);
        let keys = ring.public_key_set();
        let tail = sign_code(ring.active_signing_key(), &gtin, &serial).unwrap();
        let id = tail.key_id.as_str();
        prop_assert_matches!(
            verify_code(&keys, &other_gtin, &other_serial, id, &tail.signature_b64),
            Err(CryptoError::BadSignature)
        );
        // Another operator's key set, relabelled to claim the same key id, must still refuse.
        let other = ring_with_key_id(other_seed, tail.key_id);
        prop_assert_matches!(
            verify_code(&other, &gtin, &serial, id, &tail.signature_b64),
            Err(CryptoError::BadSignature)
        );
    }

    #[test]
    fn changing_any_single_character_fails_verification(
        seed in any::<[u8; 32]>(), gtin in gtin(), serial in serial(),
        index in any::<usize>(), pick in any::<usize>(),
    ) {
        let ring = ring(seed);
        let keys = ring.public_key_set();
        let tail = sign_code(ring.active_signing_key(), &gtin, &serial).unwrap();
        let id = tail.key_id.as_str();
        let signature = tail.signature_b64.as_str();

        let digits: Vec<u8> = (b'0'..=b'9').collect();
        let changed_gtin = mutate(&gtin, index, pick, &digits);
        prop_assert!(verify_code(&keys, &changed_gtin, &serial, id, signature).is_err());
        let changed_serial = mutate(&serial, index, pick, CSET_82);
        prop_assert!(verify_code(&keys, &gtin, &changed_serial, id, signature).is_err());
        let changed_id = mutate(id, index, pick, KEY_ID_ALPHABET);
        prop_assert!(verify_code(&keys, &gtin, &serial, &changed_id, signature).is_err());
        let changed_signature = mutate(signature, index, pick, BASE64URL);
        prop_assert!(verify_code(&keys, &gtin, &serial, id, &changed_signature).is_err());
    }

    #[test]
    fn short_tag_verifies_for_its_own_code_and_key_only(
        seed in any::<[u8; 32]>(), other_seed in any::<[u8; 32]>(),
        gtin in gtin(), serial in serial(), other_serial in serial(),
        length in SHORT_TAG_LENGTH_MIN..=SHORT_TAG_LENGTH_MAX,
        index in any::<usize>(), pick in any::<usize>(),
    ) {
        prop_assume!(seed != other_seed && serial != other_serial);
        let ring = ring(seed);
        let key = ring.active_short_tag_key();
        let tag = short_tag(key, &gtin, &serial, length).unwrap();
        prop_assert!(verify_short_tag(key, &gtin, &serial, &tag, length).is_ok());
        prop_assert!(verify_short_tag(key, &gtin, &serial, &mutate(&tag, index, pick, BASE64URL), length).is_err());

        // Another code or key collides with probability 64^-n; at n = 8 that is 3.6e-15 per case,
        // so the full length is used here to keep the test from ever flaking.
        let full = short_tag(key, &gtin, &serial, SHORT_TAG_LENGTH_MAX).unwrap();
        prop_assert_matches!(
            verify_short_tag(key, &gtin, &other_serial, &full, SHORT_TAG_LENGTH_MAX),
            Err(CryptoError::BadShortTag)
        );
        let other_ring = self::ring(other_seed);
        prop_assert_matches!(
            verify_short_tag(other_ring.active_short_tag_key(), &gtin, &serial, &full, SHORT_TAG_LENGTH_MAX),
            Err(CryptoError::BadShortTag)
        );
    }

    #[test]
    fn serials_are_13_characters_from_cset_82(seed in any::<[u8; 32]>()) {
        let mut rng = ChaCha20Rng::from_seed(seed);
        for _ in 0..16 {
            let serial = generate_serial(&mut rng);
            prop_assert_eq!(serial.len(), SERIAL_LENGTH);
            prop_assert!(serial.bytes().all(|byte| CSET_82.contains(&byte)), "{}", serial);
        }
    }

    #[test]
    fn chain_fails_if_an_entry_is_altered(
        entries in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 1..20),
        index in any::<usize>(), byte in any::<u8>(),
    ) {
        let chain = build_chain(&entries);
        prop_assert_eq!(verify_chain(GENESIS, FIRST_SEQUENCE, chain.clone()).unwrap(), chain.last().unwrap().1);
        let index = index % chain.len();
        let mut altered = chain.clone();
        // Either flip a byte or, for an empty entry, append one: the bytes always change.
        match altered[index].0.first_mut() {
            Some(first) => *first ^= byte | 1,
            None => altered[index].0.push(byte),
        }
        prop_assert_matches!(
            verify_chain(GENESIS, FIRST_SEQUENCE, altered),
            Err(CryptoError::ChainBroken { sequence }) if sequence == FIRST_SEQUENCE + index as u64
        );
    }

    #[test]
    fn chain_fails_if_an_entry_is_dropped(
        entries in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 2..20),
        index in any::<usize>(),
    ) {
        let chain = build_chain(&entries);
        let index = index % chain.len();
        let mut dropped = chain.clone();
        dropped.remove(index);
        let result = verify_chain(GENESIS, FIRST_SEQUENCE, dropped.clone());
        if index + 1 < chain.len() {
            prop_assert_matches!(result, Err(CryptoError::ChainBroken { .. }));
        } else {
            // A prefix of a chain is a valid chain: only a signed checkpoint of the head catches a
            // dropped tail.
            prop_assert!(result.is_ok());
            let ring = ring([9; 32]);
            let head = chain.last().unwrap().1;
            let checkpoint = sign_checkpoint(ring.active_signing_key(), chain.len() as u64, head, 1).unwrap();
            let keys = ring.public_key_set();
            prop_assert!(verify_segment_to_checkpoint(&keys, &checkpoint, GENESIS, FIRST_SEQUENCE, chain).is_ok());
            prop_assert_matches!(
                verify_segment_to_checkpoint(&keys, &checkpoint, GENESIS, FIRST_SEQUENCE, dropped),
                Err(CryptoError::CheckpointMismatch { .. })
            );
        }
    }

    #[test]
    fn chain_fails_if_entries_are_reordered(
        entries in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 2..20),
        first in any::<usize>(), second in any::<usize>(),
    ) {
        let chain = build_chain(&entries);
        let (first, second) = (first % chain.len(), second % chain.len());
        prop_assume!(chain[first].0 != chain[second].0);
        let mut reordered = chain.clone();
        reordered.swap(first, second);
        prop_assert_matches!(
            verify_chain(GENESIS, FIRST_SEQUENCE, reordered),
            Err(CryptoError::ChainBroken { sequence }) if sequence == FIRST_SEQUENCE + first.min(second) as u64
        );
    }

    #[test]
    fn rewritten_chain_does_not_match_the_signed_checkpoint(
        entries in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..40), 1..20),
        index in any::<usize>(),
    ) {
        // An attacker who alters an entry and recomputes every later hash gets a consistent chain,
        // but not the head the operator signed.
        let chain = build_chain(&entries);
        let ring = ring([8; 32]);
        let keys = ring.public_key_set();
        let checkpoint = sign_checkpoint(ring.active_signing_key(), chain.len() as u64, chain.last().unwrap().1, 1).unwrap();
        let mut forged_entries = entries.clone();
        let index = index % forged_entries.len();
        forged_entries[index][0] ^= 0x80;
        let forged = build_chain(&forged_entries);
        prop_assert!(verify_chain(GENESIS, FIRST_SEQUENCE, forged.clone()).is_ok());
        prop_assert_matches!(
            verify_segment_to_checkpoint(&keys, &checkpoint, GENESIS, FIRST_SEQUENCE, forged),
            Err(CryptoError::CheckpointMismatch { .. })
        );
    }
}

fn build_chain(entries: &[Vec<u8>]) -> Vec<(Vec<u8>, ChainHash)> {
    let mut head = GENESIS;
    entries
        .iter()
        .zip(FIRST_SEQUENCE..)
        .map(|(entry, sequence)| {
            head = chain_next(&head, sequence, entry);
            (entry.clone(), head)
        })
        .collect()
}

/// A public key set from a different ring, whose active key is relabelled with `key_id`.
fn ring_with_key_id(seed: [u8; 32], key_id: tanba_crypto::KeyId) -> tanba_crypto::PublicKeySet {
    let ring = ring(seed);
    let mut value: serde_json::Value =
        serde_json::from_str(&ring.public_key_set().to_json()).unwrap();
    value["keys"][0]["key_id"] = key_id.as_str().into();
    tanba_crypto::PublicKeySet::from_json(&value.to_string()).unwrap()
}
