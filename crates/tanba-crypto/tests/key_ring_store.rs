//! The key ring through its file: round trip, permissions, rotation and revocation as a verifier
//! holding only the exported public key set sees them.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tanba_crypto::{
    CryptoError, GENESIS, KeyRing, KeyStatus, PublicKeySet, create_key_ring, load_key_ring,
    save_key_ring, short_tag, sign_checkpoint, sign_code, verify_checkpoint, verify_code,
    verify_short_tag,
};

const GTIN: &str = "04870000000004";
const SERIAL: &str = "5Kz!q9_x(P-3a";

fn rng(seed: u8) -> ChaCha20Rng {
    ChaCha20Rng::from_seed([seed; 32])
}

#[test]
fn round_trip_through_the_file_keeps_every_key_working() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("ring.json");
    let mut ring = KeyRing::generate(1_000, &mut rng(1));
    let old_tail = sign_code(ring.active_signing_key(), GTIN, SERIAL).unwrap();
    let old_tag = short_tag(ring.active_short_tag_key(), GTIN, SERIAL, 6).unwrap();
    let old_tag_key = ring.active_short_tag_key().key_id();
    ring.rotate(2_000, &mut rng(2)).unwrap();
    ring.rotate_short_tag_key(2_000, &mut rng(3)).unwrap();

    save_key_ring(&ring, &path).unwrap();
    let loaded = load_key_ring(&path).unwrap();

    assert_eq!(
        loaded.public_key_set().to_json(),
        ring.public_key_set().to_json()
    );
    assert_eq!(
        loaded.active_signing_key().key_id(),
        ring.active_signing_key().key_id()
    );
    let keys = loaded.public_key_set();
    verify_code(
        &keys,
        GTIN,
        SERIAL,
        old_tail.key_id.as_str(),
        &old_tail.signature_b64,
    )
    .unwrap();
    let new_tail = sign_code(loaded.active_signing_key(), GTIN, SERIAL).unwrap();
    // The reloaded secret is the same secret: its signatures verify under the original set.
    verify_code(
        &ring.public_key_set(),
        GTIN,
        SERIAL,
        new_tail.key_id.as_str(),
        &new_tail.signature_b64,
    )
    .unwrap();
    let tag_key = loaded.short_tag_key(&old_tag_key).unwrap();
    assert_eq!(tag_key.status(), KeyStatus::Retired);
    verify_short_tag(tag_key, GTIN, SERIAL, &old_tag, 6).unwrap();
    let new_tag = short_tag(loaded.active_short_tag_key(), GTIN, SERIAL, 8).unwrap();
    verify_short_tag(ring.active_short_tag_key(), GTIN, SERIAL, &new_tag, 8).unwrap();

    // The file holds no leftover temporary files.
    let names: Vec<_> = std::fs::read_dir(directory.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("ring.json")]);
}

#[cfg(unix)]
#[test]
fn file_is_written_0600_and_group_or_world_access_is_refused() {
    use std::os::unix::fs::PermissionsExt;

    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("ring.json");
    // A pre-existing world-readable file is replaced, not reused with its mode.
    std::fs::write(&path, b"old").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();

    save_key_ring(&KeyRing::generate(0, &mut rng(4)), &path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    load_key_ring(&path).unwrap();

    for refused in [0o644, 0o640, 0o604, 0o620, 0o602, 0o660] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(refused)).unwrap();
        let error = load_key_ring(&path).unwrap_err();
        assert!(
            matches!(error, CryptoError::KeyFilePermissions { mode, .. } if mode == refused),
            "{refused:o}: {error}"
        );
        assert_eq!(error.code(), "TANBA-CRYPTO-KEY-FILE-PERMISSIONS");
    }
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
    load_key_ring(&path).unwrap();
}

#[test]
fn missing_garbage_and_oversized_files_are_typed_errors() {
    let directory = tempfile::tempdir().unwrap();
    let missing = directory.path().join("missing.json");
    assert!(matches!(
        load_key_ring(&missing),
        Err(CryptoError::KeyFileIo { .. })
    ));

    let garbage = directory.path().join("garbage.json");
    std::fs::write(
        &garbage,
        b"{\"format_version\": 1, \"signing_keys\": \"c2VjcmV0\"}",
    )
    .unwrap();
    restrict(&garbage);
    let error = load_key_ring(&garbage).unwrap_err();
    assert!(
        matches!(error, CryptoError::DocumentFormat { .. }),
        "{error}"
    );
    assert!(!error.to_string().contains("c2VjcmV0"));

    let huge = directory.path().join("huge.json");
    std::fs::write(
        &huge,
        vec![b' '; (tanba_crypto::KEY_RING_FILE_BYTES_MAX + 1) as usize],
    )
    .unwrap();
    restrict(&huge);
    assert!(matches!(
        load_key_ring(&huge),
        Err(CryptoError::KeyFileNotAcceptable { .. })
    ));
}

#[test]
fn saved_file_never_prints_secrets_in_errors_or_debug() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("ring.json");
    let ring = KeyRing::generate(0, &mut rng(5));
    save_key_ring(&ring, &path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let secret = value["signing_keys"][0]["secret_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let tag_secret = value["short_tag_keys"][0]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(secret.len(), 43);
    let debug = format!("{:?}", load_key_ring(&path).unwrap());
    assert!(!debug.contains(&secret));
    assert!(!debug.contains(&tag_secret));
    // Nor in the public set.
    let public = ring.public_key_set().to_json();
    assert!(!public.contains(&secret) && !public.contains(&tag_secret));
}

#[test]
fn rotation_keeps_old_keys_verifying_and_revocation_stops_them() {
    let mut ring = KeyRing::generate(0, &mut rng(6));
    let first = ring.active_signing_key().key_id();
    let old_tail = sign_code(ring.active_signing_key(), GTIN, SERIAL).unwrap();
    let old_checkpoint = sign_checkpoint(ring.active_signing_key(), 0, GENESIS, 5).unwrap();
    ring.rotate(10, &mut rng(7)).unwrap();
    ring.rotate(20, &mut rng(8)).unwrap();

    // A phone holding only the exported JSON.
    let pinned = PublicKeySet::from_json(&ring.public_key_set().to_json()).unwrap();
    verify_code(
        &pinned,
        GTIN,
        SERIAL,
        first.as_str(),
        &old_tail.signature_b64,
    )
    .unwrap();
    verify_checkpoint(&pinned, &old_checkpoint).unwrap();
    let new_tail = sign_code(ring.active_signing_key(), GTIN, SERIAL).unwrap();
    verify_code(
        &pinned,
        GTIN,
        SERIAL,
        new_tail.key_id.as_str(),
        &new_tail.signature_b64,
    )
    .unwrap();

    ring.revoke(&first).unwrap();
    let pinned = PublicKeySet::from_json(&ring.public_key_set().to_json()).unwrap();
    let error = verify_code(
        &pinned,
        GTIN,
        SERIAL,
        first.as_str(),
        &old_tail.signature_b64,
    )
    .unwrap_err();
    assert!(matches!(error, CryptoError::KeyRevoked { .. }), "{error}");
    assert_eq!(error.code(), "TANBA-CRYPTO-KEY-REVOKED");
    assert!(matches!(
        verify_checkpoint(&pinned, &old_checkpoint),
        Err(CryptoError::KeyRevoked { .. })
    ));
    verify_code(
        &pinned,
        GTIN,
        SERIAL,
        new_tail.key_id.as_str(),
        &new_tail.signature_b64,
    )
    .unwrap();

    // Revocation survives the file.
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("ring.json");
    save_key_ring(&ring, &path).unwrap();
    let loaded = load_key_ring(&path).unwrap();
    assert_eq!(
        loaded.signing_key(&first).unwrap().status(),
        KeyStatus::Revoked
    );
}

#[test]
fn revoked_short_tag_key_fails() {
    let mut ring = KeyRing::generate(0, &mut rng(9));
    let old = ring.active_short_tag_key().key_id();
    let tag = short_tag(ring.active_short_tag_key(), GTIN, SERIAL, 8).unwrap();
    ring.rotate_short_tag_key(1, &mut rng(10)).unwrap();
    ring.revoke(&old).unwrap();
    let error =
        verify_short_tag(ring.short_tag_key(&old).unwrap(), GTIN, SERIAL, &tag, 8).unwrap_err();
    assert!(matches!(error, CryptoError::KeyRevoked { .. }), "{error}");
}

fn restrict(path: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[test]
fn create_refuses_to_replace_an_existing_ring() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("ops.ring");
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let first = KeyRing::generate(0, &mut rng);
    create_key_ring(&first, &path).unwrap();
    let second = KeyRing::generate(0, &mut rng);
    let error = create_key_ring(&second, &path).unwrap_err();
    assert_eq!(error.code(), "TANBA-CRYPTO-KEY-FILE-IO");
    let kept = load_key_ring(&path).unwrap();
    assert_eq!(
        kept.active_signing_key().key_id(),
        first.active_signing_key().key_id(),
        "the first ring is still there"
    );
}

#[test]
fn one_key_under_two_ids_is_refused() {
    // A revoked id must not be re-introduced under another id with the same key material.
    let ring = KeyRing::generate(0, &mut rng(21));
    let key = ring.active_signing_key();
    let entry = |id: &str, status| {
        tanba_crypto::PublicKeyEntry::new(
            id.parse().unwrap(),
            key.algorithm(),
            &key.public_key_bytes(),
            0,
            status,
        )
        .unwrap()
    };
    let twice = vec![
        entry("AAAA", KeyStatus::Revoked),
        entry("BBBB", KeyStatus::Active),
    ];
    let error = PublicKeySet::from_entries(twice).unwrap_err();
    assert_eq!(error.code(), "TANBA-CRYPTO-INVALID-PUBLIC-KEY-SET");
}

#[cfg(unix)]
#[test]
fn a_fifo_or_symlink_is_refused_without_blocking() {
    let directory = tempfile::tempdir().unwrap();
    let fifo = directory.path().join("ring.fifo");
    let made = std::process::Command::new("mkfifo")
        .args(["-m", "600"])
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let error = load_key_ring(&fifo).unwrap_err();
    assert_eq!(error.code(), "TANBA-CRYPTO-KEY-FILE-NOT-ACCEPTABLE");

    let real = directory.path().join("ring.json");
    save_key_ring(&KeyRing::generate(0, &mut rng(22)), &real).unwrap();
    let link = directory.path().join("ring.link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let error = load_key_ring(&link).unwrap_err();
    assert_eq!(error.code(), "TANBA-CRYPTO-KEY-FILE-NOT-ACCEPTABLE");
}

#[test]
fn a_chain_cannot_start_at_sequence_zero() {
    let entries: Vec<(Vec<u8>, tanba_crypto::ChainHash)> = Vec::new();
    assert!(tanba_crypto::verify_chain(GENESIS, 0, entries).is_err());
}

#[test]
fn a_signature_with_s_plus_the_group_order_is_refused() {
    // Ed25519 malleability: (R, S + l) is the same point equation; strict verification refuses
    // S >= l, so only one printed tail verifies per code.
    use base64::Engine as _;
    const GROUP_ORDER_LE: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let ring = KeyRing::generate(0, &mut rng(23));
    let keys = ring.public_key_set();
    let tail = sign_code(ring.active_signing_key(), GTIN, SERIAL).unwrap();
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut signature = engine.decode(&tail.signature_b64).unwrap();
    let mut carry = 0u16;
    for (byte, order) in signature[32..].iter_mut().zip(GROUP_ORDER_LE) {
        let sum = u16::from(*byte) + u16::from(order) + carry;
        *byte = sum as u8;
        carry = sum >> 8;
    }
    let malleated = engine.encode(&signature);
    assert_ne!(malleated, tail.signature_b64);
    let key_id = tail.key_id.to_string();
    assert!(verify_code(&keys, GTIN, SERIAL, &key_id, &tail.signature_b64).is_ok());
    assert!(verify_code(&keys, GTIN, SERIAL, &key_id, &malleated).is_err());
}

#[test]
fn retired_and_revoked_keys_sign_no_checkpoint() {
    let mut ring = KeyRing::generate(0, &mut rng(24));
    let first = ring.active_signing_key().key_id();
    ring.rotate(1, &mut rng(25)).unwrap();
    let retired = ring.signing_key(&first).unwrap();
    let error = sign_checkpoint(retired, 1, GENESIS, 2).unwrap_err();
    assert_eq!(error.code(), "TANBA-CRYPTO-KEY-NOT-ACTIVE");
    ring.revoke(&first).unwrap();
    let revoked = ring.signing_key(&first).unwrap();
    assert_eq!(
        sign_checkpoint(revoked, 1, GENESIS, 2).unwrap_err().code(),
        "TANBA-CRYPTO-KEY-NOT-ACTIVE"
    );
    let active = ring.active_signing_key();
    assert!(sign_checkpoint(active, 1, GENESIS, 2).is_ok());
}
