//! Marking codes: parse (each form), format, sign, verify, short tail, serial generation, and the
//! hash chain step. These are the per-code costs behind issuing a million codes and answering a
//! million phones.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tanba_crypto::{
    GENESIS, KeyRing, chain_next, generate_serial, short_tag, sign_code, verify_code,
    verify_short_tag,
};
use tanba_gs1::{GS, MarkingCode, OutputForm, ParseOptions};

const GTIN: &str = "04870000000005";
const SHORT_TAG_LENGTH: usize = 4;

/// A deterministic RNG for reproducible fixtures (not for production keys).
fn seeded_ring() -> KeyRing {
    KeyRing::generate(0, &mut rand_core::OsRng)
}

fn parse(c: &mut Criterion) {
    let ring = seeded_ring();
    let serial = generate_serial(&mut rand_core::OsRng);
    let tail = sign_code(ring.active_signing_key(), GTIN, &serial).unwrap();
    let raw = format!(
        "01{GTIN}21{serial}{GS}91{}{GS}92{}",
        tail.key_id, tail.signature_b64
    );
    let code = MarkingCode::parse(&raw, &ParseOptions::default()).unwrap();
    let forms = [
        ("raw", raw.clone()),
        ("scan_d2", format!("]d2{raw}")),
        ("bracketed", code.format(&OutputForm::Bracketed).unwrap()),
        (
            "digital_link",
            code.format(&OutputForm::DigitalLink(Some("https://tanba.kz".into())))
                .unwrap(),
        ),
    ];
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Elements(1));
    let options = ParseOptions::default();
    for (name, input) in &forms {
        group.bench_function(*name, |b| {
            b.iter(|| MarkingCode::parse(black_box(input), &options).unwrap())
        });
    }
    group.finish();

    let mut group = c.benchmark_group("format");
    group.throughput(Throughput::Elements(1));
    for (name, form) in [
        ("raw", OutputForm::Raw),
        ("bracketed", OutputForm::Bracketed),
        (
            "digital_link",
            OutputForm::DigitalLink(Some("https://tanba.kz".into())),
        ),
    ] {
        group.bench_function(name, |b| b.iter(|| black_box(&code).format(&form).unwrap()));
    }
    group.finish();
}

fn crypto(c: &mut Criterion) {
    let ring = seeded_ring();
    let keys = ring.public_key_set();
    let serial = generate_serial(&mut rand_core::OsRng);
    let tail = sign_code(ring.active_signing_key(), GTIN, &serial).unwrap();
    let key_id = tail.key_id.to_string();
    let tag = short_tag(ring.active_short_tag_key(), GTIN, &serial, SHORT_TAG_LENGTH).unwrap();

    let mut group = c.benchmark_group("crypto");
    group.throughput(Throughput::Elements(1));
    group.bench_function("sign_full", |b| {
        b.iter(|| sign_code(ring.active_signing_key(), black_box(GTIN), &serial).unwrap())
    });
    group.bench_function("verify_full", |b| {
        b.iter(|| {
            verify_code(
                &keys,
                GTIN,
                black_box(&serial),
                &key_id,
                &tail.signature_b64,
            )
            .unwrap()
        })
    });
    group.bench_function("short_tag", |b| {
        b.iter(|| {
            short_tag(
                ring.active_short_tag_key(),
                GTIN,
                black_box(&serial),
                SHORT_TAG_LENGTH,
            )
        })
    });
    group.bench_function("verify_short_tag", |b| {
        b.iter(|| {
            verify_short_tag(
                ring.active_short_tag_key(),
                GTIN,
                black_box(&serial),
                &tag,
                SHORT_TAG_LENGTH,
            )
            .unwrap()
        })
    });
    group.bench_function("generate_serial", |b| {
        let mut rng = rand_core::OsRng;
        b.iter(|| generate_serial(&mut rng))
    });
    let entry = vec![0x5a_u8; 200];
    group.bench_function("chain_next_200_bytes", |b| {
        b.iter(|| chain_next(&GENESIS, black_box(1), &entry))
    });
    group.finish();
}

/// The raw primitives under our wrappers, so BENCHMARKS.md can give ratios from one run (these
/// machines are noisy; ratios within a run are not).
fn baselines(c: &mut Criterion) {
    use ed25519_dalek::{Signer as _, SigningKey, Verifier as _};
    let mut group = c.benchmark_group("baseline");
    group.throughput(Throughput::Elements(1));
    let message = [0x42_u8; 45]; // the size of a code's canonical identity (14 + 1 + 13 + label)
    let key = SigningKey::from_bytes(&[7; 32]);
    let signature = key.sign(&message);
    let verifying_key = key.verifying_key();
    group.bench_function("ed25519_sign_raw", |b| {
        b.iter(|| key.sign(black_box(&message)))
    });
    group.bench_function("ed25519_verify_strict_raw", |b| {
        b.iter(|| {
            verifying_key
                .verify_strict(black_box(&message), &signature)
                .unwrap()
        })
    });
    let _ = verifying_key.verify(&message, &signature);
    group.bench_function("blake3_keyed_45_bytes", |b| {
        b.iter(|| blake3::keyed_hash(&[9; 32], black_box(&message)))
    });
    // The least a parser of a raw code must do: split at GS and copy the parts out.
    let raw = format!("01{GTIN}21ABCDEFGHIJKLM{GS}91EE06{GS}92{}", "x".repeat(86));
    group.bench_function("split_raw_code_at_gs", |b| {
        b.iter(|| {
            black_box(&raw)
                .split(GS)
                .map(str::to_owned)
                .collect::<Vec<String>>()
        })
    });
    group.finish();
}

criterion_group!(benches, parse, crypto, baselines);
criterion_main!(benches);
