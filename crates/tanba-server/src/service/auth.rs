//! Sign-in: a challenge for a participant to sign, and the bearer token (a tool) or the console
//! session (a browser) its signature earns.
//! Both are anonymous calls, paid at the client's anonymous rate; an unknown participant and a
//! wrong signature answer alike ([`crate::App::sign_in`]).

use tanba_types::TaxpayerId;

use super::Given;
use crate::app::Call;
use crate::error::ApiError;
use crate::session::Session;

/// A challenge to sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The sealed challenge (opaque bytes).
    pub challenge: Vec<u8>,
    /// When it expires, unix milliseconds.
    pub expires_ms: u64,
}

/// A signed challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignIn {
    /// Who signs in.
    pub participant: TaxpayerId,
    /// The challenge, as received (a door that could not decode it passes why).
    pub challenge: Given<Vec<u8>>,
    /// The signature over the challenge's sign-in message: Ed25519 with a registered key, or
    /// made with the key of the certificate in `certificate_chain`.
    pub signature: Given<Vec<u8>>,
    /// A certificate of an accredited centre and its intermediates (DER, the signer's first);
    /// empty for a registered key.
    pub certificate_chain: Given<Vec<Vec<u8>>>,
}

/// A bearer token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The token (sent as `Authorization: Bearer ...`).
    pub token: String,
    /// When it expires, unix milliseconds.
    pub expires_ms: u64,
}

/// A challenge for `participant` to sign.
pub fn challenge(
    call: &mut Call<'_>,
    participant: Given<TaxpayerId>,
) -> Result<Challenge, ApiError> {
    call.anonymous()?;
    let participant = participant?;
    call.note_reference(participant);
    let (challenge, expires_ms) = call.app().challenge(&participant)?;
    Ok(Challenge {
        challenge,
        expires_ms,
    })
}

/// A token for a participant that signed its challenge.
pub fn sign_in(call: &mut Call<'_>, signed: Given<SignIn>) -> Result<Token, ApiError> {
    let signed = signed_challenge(call, signed)?;
    let (token, expires_ms) = call.app().sign_in(
        &signed.participant,
        &signed.challenge,
        &signed.signature,
        &signed.certificate_chain,
    )?;
    Ok(Token { token, expires_ms })
}

/// A console session for a participant that signed its challenge in the browser: the
/// session's cookie key and the session. The same checks as [`sign_in`]; a session instead of
/// a token.
pub fn open_session(
    call: &mut Call<'_>,
    signed: Given<SignIn>,
) -> Result<(String, Session), ApiError> {
    let signed = signed_challenge(call, signed)?;
    let app = call.app();
    let certificate = app.verify_sign_in(
        &signed.participant,
        &signed.challenge,
        &signed.signature,
        &signed.certificate_chain,
    )?;
    app.sessions
        .open(
            signed.participant,
            certificate,
            app.now_ms(),
            &mut rand_core::OsRng,
        )
        .map_err(|_| ApiError::rate_limited())
}

/// A sign-in whose parts all decoded.
struct Signed {
    participant: TaxpayerId,
    challenge: Vec<u8>,
    signature: Vec<u8>,
    certificate_chain: Vec<Vec<u8>>,
}

/// A sign-in's parts, in the order every door has checked them: the anonymous rate, the
/// participant named (noted), the challenge, the signature, the certificate chain if any.
fn signed_challenge(call: &mut Call<'_>, signed: Given<SignIn>) -> Result<Signed, ApiError> {
    call.anonymous()?;
    let signed = signed?;
    call.note_reference(signed.participant);
    Ok(Signed {
        participant: signed.participant,
        challenge: signed.challenge?,
        signature: signed.signature?,
        certificate_chain: signed.certificate_chain?,
    })
}
