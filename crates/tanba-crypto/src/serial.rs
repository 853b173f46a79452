//! Serial numbers (AI 21) for new codes: 13 characters drawn uniformly from GS1 CSET 82.
//!
//! # Why 13 characters are enough
//!
//! * Space: 82^13 = 7,578,444,614,164,591,651,397,632 ≈ 7.58 × 10^24 serials per GTIN, which is
//!   13 · log2(82) = 13 × 6.3576 ≈ 82.65 bits of entropy per serial.
//! * Guessing: an attacker who knows the GTIN and wants to hit *any* of the N serials issued for
//!   it succeeds per guess with probability N / 82^13. For N = 10^9 codes of one GTIN that is
//!   10^9 / 7.58 × 10^24 ≈ 1.32 × 10^-16, about 7.6 × 10^11 times below the EU bound of
//!   1 in 10,000 (10^-4) for the guessability of serial numbers (Delegated Regulation (EU)
//!   2016/161, Art. 4). Even N = 10^12 gives ≈ 1.32 × 10^-13 per guess.
//! * Collisions: by the birthday bound, N random serials for one GTIN collide with probability
//!   about N^2 / (2 · 82^13): ≈ 6.6 × 10^-8 for N = 10^9, ≈ 6.6 × 10^-4 for N = 10^11 and
//!   ≈ 0.066 for N = 10^12. That is small but not zero, so **uniqueness is enforced by the engine,
//!   not assumed**: it checks every drawn serial against all codes ever issued for the GTIN and
//!   redraws a duplicate (R-IS-01: a code is never issued twice, whatever its status).
//!
//! Uniformity: each character comes from one random byte by rejection sampling. Bytes below
//! 246 = 3 · 82 are kept and mapped with `% 82` (each character then has exactly 3 of the 246
//! kept values); bytes 246..=255 are thrown away. A plain `byte % 82` would make the first 10
//! characters 4/256 likely and the rest 3/256, a bias an attacker could exploit to guess better.
//!
//! Must never know: which serials exist (the engine owns uniqueness) or where the randomness
//! comes from (it is injected, so simulations replay the same serials from the same seed).

use rand_core::CryptoRngCore;

use crate::identity::CSET_82;

/// Characters in a serial this crate generates.
pub const SERIAL_LENGTH: usize = 13;

/// Random bytes at or above this are rejected so that `byte % 82` is uniform.
const SERIAL_BYTE_ACCEPT_BELOW: u8 = 246;
const _: () = assert!((SERIAL_BYTE_ACCEPT_BELOW as usize).is_multiple_of(CSET_82.len()));
const _: () = assert!(256 - (SERIAL_BYTE_ACCEPT_BELOW as usize) < CSET_82.len());
const _: () = assert!(SERIAL_LENGTH <= crate::identity::SERIAL_LENGTH_MAX);

/// Random bytes fetched per call into the RNG. A serial needs 13 accepted bytes and each byte is
/// accepted with probability 246/256, so one buffer almost always suffices.
const SERIAL_RANDOM_BUFFER_BYTES: usize = 32;

/// Draws a fresh serial: [`SERIAL_LENGTH`] characters, each uniform over GS1 CSET 82.
///
/// The caller must still check it is unused for its GTIN and redraw if not (see module docs).
pub fn generate_serial(rng: &mut (impl CryptoRngCore + ?Sized)) -> String {
    let mut serial = [0u8; SERIAL_LENGTH];
    let mut filled = 0;
    let mut buffer = [0u8; SERIAL_RANDOM_BUFFER_BYTES];
    while filled < SERIAL_LENGTH {
        rng.fill_bytes(&mut buffer);
        for &byte in &buffer {
            if filled == SERIAL_LENGTH {
                break;
            }
            if byte < SERIAL_BYTE_ACCEPT_BELOW {
                serial[filled] = CSET_82[usize::from(byte) % CSET_82.len()];
                filled += 1;
            }
        }
    }
    // CSET 82 is ASCII, so every byte is a char.
    serial.iter().map(|&byte| char::from(byte)).collect()
}

#[cfg(test)]
mod tests {
    use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};

    use super::*;
    use crate::identity::is_cset_82;

    #[test]
    fn arithmetic_in_the_docs_holds() {
        let space = 82u128.pow(13);
        assert_eq!(space, 7_578_444_614_164_591_651_397_632);
        let bits = 13.0 * 82f64.log2();
        assert!((bits - 82.65).abs() < 0.005, "{bits}");
        let guess = 1e9 / space as f64;
        assert!((guess / 1.32e-16 - 1.0).abs() < 0.01, "{guess}");
        let collision = 1e18 / (2.0 * space as f64);
        assert!((collision / 6.6e-8 - 1.0).abs() < 0.01, "{collision}");
    }

    #[test]
    fn serials_are_13_cset_82_characters() {
        let mut rng = ChaCha20Rng::from_seed([2; 32]);
        for _ in 0..1_000 {
            let serial = generate_serial(&mut rng);
            assert_eq!(serial.len(), SERIAL_LENGTH);
            assert!(serial.bytes().all(is_cset_82), "{serial}");
        }
    }

    /// A `byte % 82` without rejection makes the first 10 characters 4/3 as likely as the others;
    /// with 82,000 characters the expected counts are 1,000 vs 1,333, far beyond noise.
    #[test]
    fn characters_are_uniform_no_modulo_bias() {
        let mut rng = ChaCha20Rng::from_seed([3; 32]);
        let mut counts = [0u32; 256];
        let serials = 82_000 / SERIAL_LENGTH + 1;
        for _ in 0..serials {
            for byte in generate_serial(&mut rng).bytes() {
                counts[usize::from(byte)] += 1;
            }
        }
        let total: u32 = counts.iter().sum();
        let expected = f64::from(total) / 82.0;
        let low_chars: f64 = CSET_82[..10]
            .iter()
            .map(|&b| f64::from(counts[usize::from(b)]))
            .sum();
        let high_chars: f64 = CSET_82[10..]
            .iter()
            .map(|&b| f64::from(counts[usize::from(b)]))
            .sum();
        let ratio = (low_chars / 10.0) / (high_chars / 72.0);
        assert!((0.93..1.07).contains(&ratio), "bias ratio {ratio}");
        for &symbol in CSET_82 {
            let count = f64::from(counts[usize::from(symbol)]);
            assert!(
                (count - expected).abs() < expected * 0.2,
                "{} {count}",
                symbol as char
            );
        }
    }

    #[test]
    fn same_seed_same_serials() {
        let first = generate_serial(&mut ChaCha20Rng::from_seed([4; 32]));
        let second = generate_serial(&mut ChaCha20Rng::from_seed([4; 32]));
        assert_eq!(first, second);
    }
}
