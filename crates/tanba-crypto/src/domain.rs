//! Domain-separation labels: the registry of every prefix and context string this crate signs,
//! tags or hashes under.
//!
//! The same operator key signs both codes and checkpoints, so a signature made for one purpose
//! must never be valid for another. Each signed or tagged message therefore starts with its own
//! label, and every label ends in a NUL byte and is no prefix of another (checked at compile time
//! below), so no message of one kind can be parsed as a message of another kind.
//!
//! Must never know: keys, time, or what the labelled messages mean to the engine. A label is part
//! of the canonical bytes: changing one silently invalidates every code and checkpoint ever signed
//! (the test vectors in `tests/vectors.rs` exist to catch that).

/// Prefix of a code's canonical identity, the message an AI 92 signature covers.
pub const CODE_IDENTITY: &[u8] = b"tanba.code.v1\0";

/// Prefix placed before the code identity in the keyed-BLAKE3 input of an AI 93 short tag.
pub const SHORT_TAG: &[u8] = b"tanba.short-tag.v1\0";

/// Prefix of a checkpoint's canonical bytes, the message a checkpoint signature covers.
pub const CHECKPOINT: &[u8] = b"tanba.checkpoint.v1\0";

/// Prefix of what a participant signs to answer a sign-in challenge.
pub const SIGN_IN: &[u8] = b"tanba.sign-in.v1\0";

/// Prefix of the keyed-BLAKE3 input that seals the server's sign-in challenges and tokens.
pub const SIGN_IN_SEAL: &[u8] = b"tanba.sign-in-seal.v1\0";

/// BLAKE3 `derive_key` context of the event-log hash chain (BLAKE3 asks for a hard-coded,
/// globally unique, application-specific string).
pub const CHAIN_CONTEXT: &str = "tanba 2026 event-log hash chain entry v1";

/// BLAKE3 `derive_key` context of the key that seals a consumer's contact under its secret.
pub const CONTACT_KEY_CONTEXT: &str = "tanba 2026 consumer contact sealing key v1";

/// BLAKE3 `derive_key` context of what a consumer's secret is checked against (never the key).
pub const CONTACT_VERIFIER_CONTEXT: &str = "tanba 2026 consumer contact secret verifier v1";

/// Every NUL-terminated message prefix, checked together for prefix-freeness.
const MESSAGE_PREFIXES: &[&[u8]] = &[CODE_IDENTITY, SHORT_TAG, CHECKPOINT, SIGN_IN, SIGN_IN_SEAL];

const fn ends_with_nul_once(label: &[u8]) -> bool {
    if label.is_empty() || label[label.len() - 1] != 0 {
        return false;
    }
    let mut index = 0;
    while index + 1 < label.len() {
        if label[index] == 0 {
            return false;
        }
        index += 1;
    }
    true
}

const fn is_prefix(short: &[u8], long: &[u8]) -> bool {
    if short.len() > long.len() {
        return false;
    }
    let mut index = 0;
    while index < short.len() {
        if short[index] != long[index] {
            return false;
        }
        index += 1;
    }
    true
}

const fn prefixes_are_separated(prefixes: &[&[u8]]) -> bool {
    let mut outer = 0;
    while outer < prefixes.len() {
        if !ends_with_nul_once(prefixes[outer]) {
            return false;
        }
        let mut inner = 0;
        while inner < prefixes.len() {
            if inner != outer && is_prefix(prefixes[inner], prefixes[outer]) {
                return false;
            }
            inner += 1;
        }
        outer += 1;
    }
    true
}

const _: () = assert!(prefixes_are_separated(MESSAGE_PREFIXES));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separation_check_rejects_a_prefix_and_a_missing_nul() {
        assert!(prefixes_are_separated(MESSAGE_PREFIXES));
        assert!(!prefixes_are_separated(&[b"a\0", b"a\0b\0"]));
        assert!(!prefixes_are_separated(&[b"a"]));
        assert!(!prefixes_are_separated(&[b"a\0b\0"]));
    }
}
