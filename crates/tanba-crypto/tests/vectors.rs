//! Fixed test vectors. If one of these fails, a canonical byte layout, a domain label, an encoding
//! or a sampler changed, and every code or checkpoint already issued would stop verifying (or, for
//! the samplers, seeded simulations would stop replaying). Change a vector only together with a
//! new version label.
//!
//! The Ed25519 signatures were cross-checked against an independent implementation (Python
//! `cryptography`), and the short tag and chain hashes against the BLAKE3 reference bindings
//! (Python `blake3`), from the byte layouts written in the module docs.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tanba_crypto::{
    ChainHash, CodeIdentity, Ed25519Signer, FIRST_SEQUENCE, GENESIS, KeyId, KeyRing, PublicKeySet,
    RingSigningKey, ShortTagKey, ShortTagSecret, chain_next,
    checkpoint::checkpoint_canonical_bytes, generate_serial, short_tag, sign_checkpoint, sign_code,
    verify_checkpoint, verify_code, verify_short_tag,
};

const GTIN: &str = "04870000000004";
const SERIAL: &str = "5Kz!q9_x(P-3a";
const TIME_MS: u64 = 1_767_225_600_000;

/// Ed25519 secret [7; 32] under key id EE06.
fn fixed_signing_key() -> RingSigningKey {
    let signer = Ed25519Signer::from_secret_bytes(&[7; 32]).unwrap();
    RingSigningKey::new(KeyId::parse("EE06").unwrap(), TIME_MS, Box::new(signer))
}

fn fixed_public_keys() -> PublicKeySet {
    let entry = tanba_crypto::PublicKeyEntry::new(
        KeyId::parse("EE06").unwrap(),
        tanba_crypto::Algorithm::Ed25519,
        &fixed_signing_key().public_key_bytes(),
        TIME_MS,
        tanba_crypto::KeyStatus::Active,
    )
    .unwrap();
    PublicKeySet::from_entries(vec![entry]).unwrap()
}

#[test]
fn code_identity_bytes() {
    let identity = CodeIdentity::new(GTIN, SERIAL).unwrap();
    assert_eq!(
        identity.as_bytes(),
        b"tanba.code.v1\x0004870000000004\x1d5Kz!q9_x(P-3a"
    );
}

#[test]
fn full_tail_signature() {
    let tail = sign_code(&fixed_signing_key(), GTIN, SERIAL).unwrap();
    assert_eq!(tail.key_id.as_str(), "EE06");
    assert_eq!(
        tail.signature_b64,
        "4wEryWCjEaqyjvA28ZeGrOCgOdjQTGLs2uFhs8F9ZdGDcE96NLNxlRZMt-pSWHwrWm4LaxsrmZrja2RfJjFoDA"
    );
    verify_code(
        &fixed_public_keys(),
        GTIN,
        SERIAL,
        "EE06",
        &tail.signature_b64,
    )
    .unwrap();
}

#[test]
fn short_tag_of_each_length() {
    let key = ShortTagKey::new(
        KeyId::parse("TAG1").unwrap(),
        0,
        ShortTagSecret::from_bytes([9; 32]),
    );
    let expected = "ZoXzhrRg";
    for length in 4..=8 {
        let tag = short_tag(&key, GTIN, SERIAL, length).unwrap();
        assert_eq!(tag, expected[..length]);
        verify_short_tag(&key, GTIN, SERIAL, &tag, length).unwrap();
    }
}

#[test]
fn chain_hashes() {
    let first = chain_next(&GENESIS, FIRST_SEQUENCE, b"first event");
    assert_eq!(
        first.to_string(),
        "f1ae8754ee9ce518621a4f9f83aee06727af538b1608187795bd43023f092107"
    );
    let second = chain_next(&first, FIRST_SEQUENCE + 1, b"");
    assert_eq!(
        second.to_string(),
        "edf6eebfe3891de43d150bfa84fdcd39c7ac7ec2ba1eea16b4f9dc041ee4afea"
    );
}

#[test]
fn checkpoint_signature_and_json() {
    let head: ChainHash = "edf6eebfe3891de43d150bfa84fdcd39c7ac7ec2ba1eea16b4f9dc041ee4afea"
        .parse()
        .unwrap();
    let bytes = checkpoint_canonical_bytes(2, &head, TIME_MS, &KeyId::parse("EE06").unwrap());
    let mut expected = b"tanba.checkpoint.v1\0".to_vec();
    expected.extend_from_slice(&2u64.to_be_bytes());
    expected.extend_from_slice(head.as_bytes());
    expected.extend_from_slice(&TIME_MS.to_be_bytes());
    expected.extend_from_slice(b"EE06");
    assert_eq!(bytes.as_slice(), expected.as_slice());

    let checkpoint = sign_checkpoint(&fixed_signing_key(), 2, head, TIME_MS).unwrap();
    assert_eq!(
        serde_json::to_string(&checkpoint).unwrap(),
        concat!(
            r#"{"sequence":2,"head_hash":"edf6eebfe3891de43d150bfa84fdcd39c7ac7ec2ba1eea16b4f9dc041ee4afea","#,
            r#""time_ms":1767225600000,"key_id":"EE06","#,
            r#""signature":"ZdSduQzIEfvArXdDRhVyRzm3mVLfi8WYJ4QlCPeVH-I3fl96fy8ySOBpV6QUJQaImVjoqcujJeRt4LQTPpxjBA"}"#
        )
    );
    verify_checkpoint(&fixed_public_keys(), &checkpoint).unwrap();
}

#[test]
fn seeded_serials_key_ids_and_ring() {
    let mut rng = ChaCha20Rng::from_seed([42; 32]);
    let serials: Vec<String> = (0..3).map(|_| generate_serial(&mut rng)).collect();
    assert_eq!(serials, ["o<CojU%9m%ZnZ", "MGm0*dZbNtndR", "Zu1(TSYBbYmVY"]);

    let mut rng = ChaCha20Rng::from_seed([42; 32]);
    assert_eq!(KeyId::generate(&mut rng).as_str(), "IZ58");
    assert_eq!(KeyId::generate(&mut rng).as_str(), "WWC1");

    let ring = KeyRing::generate(TIME_MS, &mut ChaCha20Rng::from_seed([42; 32]));
    let set = ring.public_key_set();
    assert_eq!(set.keys()[0].key_id().as_str(), "IZ58");
    assert_eq!(
        tanba_crypto_public_key(&set),
        "Y8i5crrUX2FzZbPoy2DXve1CpuWpAgFCTtAOfbiwYTw"
    );
}

fn tanba_crypto_public_key(set: &PublicKeySet) -> String {
    let value: serde_json::Value = serde_json::from_str(&set.to_json()).unwrap();
    value["keys"][0]["public_key"].as_str().unwrap().to_owned()
}
