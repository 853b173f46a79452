//! Making the codes of an emission order (R-IS-01, R-IS-02): fresh serials from a CSPRNG, and
//! their tails (a signature, or a keyed short tag) computed on several threads. This happens
//! outside the state machine: the result travels to it inside an `IssueCodes` command, which is
//! how randomness enters a deterministic engine. The state machine then refuses any serial that
//! was ever issued for the GTIN.

use rand_core::CryptoRngCore;
use tanba_crypto::{KeyRing, generate_serial, short_tag, sign_code};
use tanba_types::{Gtin, IssuedCode, IssuedTail, Serial, TailProfile};

use crate::error::EngineError;

/// Makes `count` codes of `gtin` with the active keys of `ring`, signing on `threads` threads.
pub fn prepare_chunk(
    ring: &KeyRing,
    gtin: Gtin,
    profile: TailProfile,
    count: usize,
    rng: &mut impl CryptoRngCore,
    threads: usize,
) -> Result<Vec<IssuedCode>, EngineError> {
    let serials: Vec<Serial> = (0..count)
        .map(|_| Serial::parse(&generate_serial(rng)).expect("generated serials are CSET 82"))
        .collect();
    let per_thread = count.div_ceil(threads.max(1)).max(1);
    let tail = |serial: &Serial| -> Result<IssuedTail, EngineError> {
        let failed = |error: tanba_crypto::CryptoError| EngineError::Invalid {
            field: "key_ring",
            reason: if matches!(error, tanba_crypto::CryptoError::KeyNotActive { .. }) {
                "the active key cannot sign"
            } else {
                "a tail could not be made"
            },
        };
        match profile {
            TailProfile::Full => {
                let signed = sign_code(ring.active_signing_key(), gtin.as_str(), serial.as_str())
                    .map_err(failed)?;
                Ok(IssuedTail::Full {
                    key_id: signed.key_id.as_str().to_owned(),
                    signature: signed.signature_b64,
                })
            }
            TailProfile::Short { length_chars } => {
                let key = ring.active_short_tag_key();
                let tag = short_tag(
                    key,
                    gtin.as_str(),
                    serial.as_str(),
                    usize::from(length_chars),
                )
                .map_err(failed)?;
                Ok(IssuedTail::Short {
                    key_id: key.key_id().as_str().to_owned(),
                    tag,
                })
            }
        }
    };
    let tails: Vec<Result<Vec<IssuedTail>, EngineError>> = std::thread::scope(|scope| {
        let workers: Vec<_> = serials
            .chunks(per_thread)
            .map(|part| scope.spawn(move || part.iter().map(tail).collect()))
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("signing does not panic"))
            .collect()
    });
    let mut codes = Vec::with_capacity(count);
    let mut serials = serials.into_iter();
    for part in tails {
        for tail in part? {
            let serial = serials.next().expect("one serial per tail");
            codes.push(IssuedCode { serial, tail });
        }
    }
    Ok(codes)
}
