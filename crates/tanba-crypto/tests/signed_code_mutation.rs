//! A signed code, as printed, must not survive any one-character change: whatever is altered
//! (GTIN, serial, AI digits, separators, key id or signature), the result either fails to parse
//! or fails verification. This joins tanba-gs1 (reading the code) to this crate (checking it), as
//! a till or phone does.

use proptest::prelude::*;
use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};
use tanba_crypto::{KeyRing, PublicKeySet, generate_serial, sign_code, verify_code};
use tanba_gs1::{GS, MarkingCode, ParseOptions, Tail};

const GTIN: &str = "04870000000005";

/// Whether a scanned code would be accepted as genuine.
fn accepted(keys: &PublicKeySet, scanned: &str) -> bool {
    let Ok(code) = MarkingCode::parse(scanned, &ParseOptions::default()) else {
        return false;
    };
    let (Some(gtin), Some(serial), Tail::Full { key_id, signature }) =
        (code.gtin(), code.serial(), code.tail())
    else {
        return false;
    };
    verify_code(keys, gtin, serial, key_id, signature).is_ok()
}

/// Characters a mutation may write: the GS1 set 82, GS, and a few bytes scanners mangle.
fn replacement_characters() -> Vec<char> {
    let mut characters: Vec<char> =
        "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
            .chars()
            .collect();
    characters.extend([GS, ' ', '^', 'é']);
    characters
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_one_character_change_is_refused(
        seed in any::<u64>(),
        position_fraction in 0.0f64..1.0,
        replacement in prop::sample::select(replacement_characters()),
    ) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let ring = KeyRing::generate(0, &mut rng);
        let keys = ring.public_key_set();
        let serial = generate_serial(&mut rng);
        let tail = sign_code(ring.active_signing_key(), GTIN, &serial).unwrap();
        let printed = format!("01{GTIN}21{serial}{GS}91{}{GS}92{}", tail.key_id, tail.signature_b64);
        prop_assert!(accepted(&keys, &printed), "the genuine code verifies");

        let mut characters: Vec<char> = printed.chars().collect();
        let position = ((characters.len() as f64) * position_fraction) as usize;
        let position = position.min(characters.len() - 1);
        prop_assume!(characters[position] != replacement);
        characters[position] = replacement;
        let mutated: String = characters.into_iter().collect();
        prop_assert!(!accepted(&keys, &mutated), "accepted after a change at {}: {:?}", position, mutated);
    }
}

#[test]
fn every_position_of_one_code_is_covered() {
    // Exhaustive over positions for one code, with a replacement that always differs.
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let ring = KeyRing::generate(0, &mut rng);
    let keys = ring.public_key_set();
    let serial = generate_serial(&mut rng);
    let tail = sign_code(ring.active_signing_key(), GTIN, &serial).unwrap();
    let printed = format!(
        "01{GTIN}21{serial}{GS}91{}{GS}92{}",
        tail.key_id, tail.signature_b64
    );
    let characters: Vec<char> = printed.chars().collect();
    for position in 0..characters.len() {
        for replacement in ['A', '0', GS] {
            if characters[position] == replacement {
                continue;
            }
            let mut mutated = characters.clone();
            mutated[position] = replacement;
            let mutated: String = mutated.into_iter().collect();
            assert!(!accepted(&keys, &mutated), "accepted: {mutated:?}");
        }
    }
}
