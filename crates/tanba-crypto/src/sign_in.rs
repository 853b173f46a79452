//! Sign-in (R-IS-16), the pattern national systems use with qualified signatures: the server
//! hands a participant a challenge, the participant signs [`sign_in_message`] of it with a
//! registered key, and the server answers with a short-lived bearer token.
//!
//! Challenges and tokens are sealed by the server itself: their fields followed by a keyed
//! BLAKE3 tag under a [`SignInSecret`] only the server holds, so it keeps no table of tokens
//! and can check one in a microsecond. Layout of the sealed bytes:
//!
//! `kind (1 byte: c or t) || issued_ms (u64 BE) || expires_ms (u64 BE) || nonce (16 bytes) ||
//! subject length (1 byte) || subject || tag (32 bytes)`, where the tag is the keyed BLAKE3 of
//! `domain::SIGN_IN_SEAL || everything before it`. A token travels as unpadded base64url.
//!
//! What the server keeps is only what sealing cannot give: a challenge must be used once, so the
//! server remembers the nonces of used challenges until they expire.
//!
//! Must never know: participants, roles or the registry (a subject is any short printable
//! string, an IIN/BIN in practice), the clock (times are arguments), transports.

use std::fmt;

use rand_core::CryptoRngCore;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::{
    domain,
    encoding::{base64url, base64url_decode},
    errors::CryptoError,
};

/// How long a challenge may be answered.
pub const CHALLENGE_TTL_MS: u64 = 5 * 60 * 1000;
/// How long a token is good for.
pub const TOKEN_TTL_MS: u64 = 60 * 60 * 1000;
/// Most bytes of a subject (an IIN/BIN is 12; with a certificate's issuer and serial in hex,
/// up to 118).
pub const SUBJECT_BYTES_MAX: usize = 128;
const _: () = assert!(SUBJECT_BYTES_MAX <= u8::MAX as usize);
/// Most characters of a token a server reads: anything longer is refused unread.
pub const TOKEN_CHARS_MAX: usize = 512;
/// Bytes of the server's sealing secret.
pub const SIGN_IN_SECRET_LENGTH: usize = blake3::KEY_LEN;

const KIND_CHALLENGE: u8 = b'c';
const KIND_TOKEN: u8 = b't';
const NONCE_LENGTH: usize = 16;
const TAG_LENGTH: usize = blake3::OUT_LEN;
/// Bytes before the subject: kind, two times, nonce, subject length.
const HEADER_LENGTH: usize = 1 + 8 + 8 + NONCE_LENGTH + 1;

/// The server's secret that seals challenges and tokens. Zeroized on drop; never printed.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct SignInSecret([u8; SIGN_IN_SECRET_LENGTH]);

impl SignInSecret {
    /// Wraps secret bytes.
    pub fn from_bytes(bytes: [u8; SIGN_IN_SECRET_LENGTH]) -> Self {
        Self(bytes)
    }

    /// Draws a fresh secret (a server restart with a fresh secret signs everyone out).
    pub fn generate(rng: &mut (impl CryptoRngCore + ?Sized)) -> Self {
        let mut secret = Self([0; SIGN_IN_SECRET_LENGTH]);
        rng.fill_bytes(&mut secret.0);
        secret
    }

    /// A key for another use of the same secret (BLAKE3's `derive_key` with `context`, which
    /// names the use): nothing one use shows tells anything of the other's key.
    pub fn derive_key(&self, context: &str) -> [u8; 32] {
        blake3::derive_key(context, &self.0)
    }
}

impl fmt::Debug for SignInSecret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("SignInSecret(<redacted>)")
    }
}

/// What a valid token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenClaims {
    /// Who signed in.
    pub subject: String,
    /// When, unix milliseconds.
    pub issued_ms: u64,
    /// Until when it is good, unix milliseconds.
    pub expires_ms: u64,
}

/// A challenge as the server checked it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedChallenge {
    /// Its nonce: the server remembers it until `expires_ms` so the challenge is used once.
    pub nonce: [u8; NONCE_LENGTH],
    /// Until when it could be answered.
    pub expires_ms: u64,
}

fn check_subject(subject: &str) -> Result<(), CryptoError> {
    let printable = subject.bytes().all(|byte| byte.is_ascii_graphic());
    if subject.is_empty() || subject.len() > SUBJECT_BYTES_MAX || !printable {
        return Err(CryptoError::MalformedSignIn);
    }
    Ok(())
}

fn tag(secret: &SignInSecret, sealed: &[u8]) -> [u8; TAG_LENGTH] {
    let mut hasher = blake3::Hasher::new_keyed(&secret.0);
    hasher.update(domain::SIGN_IN_SEAL);
    hasher.update(sealed);
    *hasher.finalize().as_bytes()
}

fn seal(
    secret: &SignInSecret,
    kind: u8,
    subject: &str,
    now_ms: u64,
    ttl_ms: u64,
    rng: &mut (impl CryptoRngCore + ?Sized),
) -> Result<Vec<u8>, CryptoError> {
    check_subject(subject)?;
    let mut nonce = [0; NONCE_LENGTH];
    rng.fill_bytes(&mut nonce);
    let mut sealed = Vec::with_capacity(HEADER_LENGTH + subject.len() + TAG_LENGTH);
    sealed.push(kind);
    sealed.extend_from_slice(&now_ms.to_be_bytes());
    sealed.extend_from_slice(&now_ms.saturating_add(ttl_ms).to_be_bytes());
    sealed.extend_from_slice(&nonce);
    // At most SUBJECT_BYTES_MAX (128): fits the length byte.
    sealed.push(subject.len() as u8);
    sealed.extend_from_slice(subject.as_bytes());
    let tag = tag(secret, &sealed);
    sealed.extend_from_slice(&tag);
    Ok(sealed)
}

/// The fields of sealed bytes whose tag checked out.
struct Opened {
    issued_ms: u64,
    expires_ms: u64,
    nonce: [u8; NONCE_LENGTH],
    subject: String,
}

fn open(
    secret: &SignInSecret,
    kind: u8,
    sealed: &[u8],
    now_ms: u64,
) -> Result<Opened, CryptoError> {
    let body_length = sealed
        .len()
        .checked_sub(TAG_LENGTH)
        .filter(|length| *length > HEADER_LENGTH)
        .ok_or(CryptoError::MalformedSignIn)?;
    let (body, claimed) = sealed.split_at(body_length);
    // The tag first, in constant time: nothing of a forged token is believed, not even its kind.
    if !bool::from(tag(secret, body).ct_eq(claimed)) {
        return Err(CryptoError::BadSignIn);
    }
    let field = |range: std::ops::Range<usize>| &body[range];
    let issued_ms = u64::from_be_bytes(field(1..9).try_into().expect("8 bytes"));
    let expires_ms = u64::from_be_bytes(field(9..17).try_into().expect("8 bytes"));
    let nonce: [u8; NONCE_LENGTH] = field(17..33).try_into().expect("16 bytes");
    let subject_length = usize::from(body[33]);
    if body[0] != kind || body.len() != HEADER_LENGTH + subject_length {
        return Err(CryptoError::BadSignIn);
    }
    let subject =
        String::from_utf8(body[HEADER_LENGTH..].to_vec()).map_err(|_| CryptoError::BadSignIn)?;
    if now_ms >= expires_ms || now_ms < issued_ms {
        return Err(CryptoError::SignInExpired);
    }
    Ok(Opened {
        issued_ms,
        expires_ms,
        nonce,
        subject,
    })
}

/// A challenge for `subject`, good for [`CHALLENGE_TTL_MS`].
pub fn issue_challenge(
    secret: &SignInSecret,
    subject: &str,
    now_ms: u64,
    rng: &mut (impl CryptoRngCore + ?Sized),
) -> Result<Vec<u8>, CryptoError> {
    seal(
        secret,
        KIND_CHALLENGE,
        subject,
        now_ms,
        CHALLENGE_TTL_MS,
        rng,
    )
}

/// What a participant signs to answer `challenge`: the sign-in label, then the challenge, so
/// a sign-in signature can never pass for a signature on anything else.
pub fn sign_in_message(challenge: &[u8]) -> Vec<u8> {
    [domain::SIGN_IN, challenge].concat()
}

/// Checks a returned challenge: sealed by this server, for `subject`, not expired. The caller
/// then checks the signature over [`sign_in_message`] with the subject's registered key, and
/// that the nonce was not used before.
pub fn open_challenge(
    secret: &SignInSecret,
    challenge: &[u8],
    subject: &str,
    now_ms: u64,
) -> Result<OpenedChallenge, CryptoError> {
    let opened = open(secret, KIND_CHALLENGE, challenge, now_ms)?;
    if opened.subject != subject {
        return Err(CryptoError::BadSignIn);
    }
    Ok(OpenedChallenge {
        nonce: opened.nonce,
        expires_ms: opened.expires_ms,
    })
}

/// A bearer token for `subject`, good for [`TOKEN_TTL_MS`].
pub fn issue_token(
    secret: &SignInSecret,
    subject: &str,
    now_ms: u64,
    rng: &mut (impl CryptoRngCore + ?Sized),
) -> Result<String, CryptoError> {
    let token = base64url(&seal(
        secret,
        KIND_TOKEN,
        subject,
        now_ms,
        TOKEN_TTL_MS,
        rng,
    )?);
    assert!(token.len() <= TOKEN_CHARS_MAX, "a token fits its own limit");
    Ok(token)
}

/// Checks a bearer token and says who it is for.
pub fn verify_token(
    secret: &SignInSecret,
    token: &str,
    now_ms: u64,
) -> Result<TokenClaims, CryptoError> {
    if token.len() > TOKEN_CHARS_MAX {
        return Err(CryptoError::MalformedSignIn);
    }
    let sealed = base64url_decode(token).ok_or(CryptoError::MalformedSignIn)?;
    let opened = open(secret, KIND_TOKEN, &sealed, now_ms)?;
    Ok(TokenClaims {
        subject: opened.subject,
        issued_ms: opened.issued_ms,
        expires_ms: opened.expires_ms,
    })
}

#[cfg(test)]
mod tests {
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    use super::*;

    const NOW: u64 = 1_795_327_200_000;
    const BIN: &str = "990140000384";

    fn setup() -> (SignInSecret, ChaCha20Rng) {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        (SignInSecret::generate(&mut rng), rng)
    }

    #[test]
    fn a_token_says_who_until_it_expires() {
        let (secret, mut rng) = setup();
        let token = issue_token(&secret, BIN, NOW, &mut rng).unwrap();
        let claims = verify_token(&secret, &token, NOW + 1).unwrap();
        assert_eq!(
            (claims.subject.as_str(), claims.expires_ms),
            (BIN, NOW + TOKEN_TTL_MS)
        );
        let late = verify_token(&secret, &token, NOW + TOKEN_TTL_MS);
        assert!(matches!(late, Err(CryptoError::SignInExpired)));
    }

    #[test]
    fn forged_altered_and_foreign_tokens_are_refused() {
        let (secret, mut rng) = setup();
        let token = issue_token(&secret, BIN, NOW, &mut rng).unwrap();
        let other = SignInSecret::generate(&mut rng);
        assert!(matches!(
            verify_token(&other, &token, NOW),
            Err(CryptoError::BadSignIn)
        ));
        // Every single-byte change of the sealed bytes is caught.
        let sealed = base64url_decode(&token).unwrap();
        for index in 0..sealed.len() {
            let mut altered = sealed.clone();
            altered[index] ^= 0x01;
            let result = verify_token(&secret, &base64url(&altered), NOW);
            assert!(
                matches!(result, Err(CryptoError::BadSignIn)),
                "byte {index}"
            );
        }
        for garbage in ["", "!!!", &"A".repeat(TOKEN_CHARS_MAX + 1)] {
            let result = verify_token(&secret, garbage, NOW);
            assert!(
                matches!(result, Err(CryptoError::MalformedSignIn)),
                "{garbage:.10}"
            );
        }
    }

    #[test]
    fn a_challenge_is_no_token_and_a_token_no_challenge() {
        let (secret, mut rng) = setup();
        let challenge = issue_challenge(&secret, BIN, NOW, &mut rng).unwrap();
        let as_token = verify_token(&secret, &base64url(&challenge), NOW);
        assert!(matches!(as_token, Err(CryptoError::BadSignIn)));
        let token = issue_token(&secret, BIN, NOW, &mut rng).unwrap();
        let as_challenge = open_challenge(&secret, &base64url_decode(&token).unwrap(), BIN, NOW);
        assert!(matches!(as_challenge, Err(CryptoError::BadSignIn)));
    }

    #[test]
    fn a_challenge_answers_for_its_subject_within_its_time() {
        let (secret, mut rng) = setup();
        let challenge = issue_challenge(&secret, BIN, NOW, &mut rng).unwrap();
        let opened = open_challenge(&secret, &challenge, BIN, NOW + 1_000).unwrap();
        assert_eq!(opened.expires_ms, NOW + CHALLENGE_TTL_MS);
        let wrong = open_challenge(&secret, &challenge, "990240000398", NOW);
        assert!(matches!(wrong, Err(CryptoError::BadSignIn)));
        let late = open_challenge(&secret, &challenge, BIN, NOW + CHALLENGE_TTL_MS);
        assert!(matches!(late, Err(CryptoError::SignInExpired)));
        let message = sign_in_message(&challenge);
        assert!(message.starts_with(domain::SIGN_IN) && message.ends_with(&challenge));
    }

    #[test]
    fn subjects_are_short_printable_text() {
        let (secret, mut rng) = setup();
        for subject in ["", "a b", &"9".repeat(SUBJECT_BYTES_MAX + 1), "bin\u{0}"] {
            let result = issue_token(&secret, subject, NOW, &mut rng);
            assert!(
                matches!(result, Err(CryptoError::MalformedSignIn)),
                "{subject:?}"
            );
        }
        assert_eq!(format!("{secret:?}"), "SignInSecret(<redacted>)");
    }
}
