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
    /// The Ed25519 signature over the challenge's sign-in message.
    pub signature: Given<Vec<u8>>,
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
    let (participant, challenge, signature) = signed_challenge(call, signed)?;
    let (token, expires_ms) = call.app().sign_in(&participant, &challenge, &signature)?;
    Ok(Token { token, expires_ms })
}

/// A console session for a participant that signed its challenge in the browser: the
/// session's cookie key and the session. The same checks as [`sign_in`]; a session instead of
/// a token.
pub fn open_session(
    call: &mut Call<'_>,
    signed: Given<SignIn>,
) -> Result<(String, Session), ApiError> {
    let (participant, challenge, signature) = signed_challenge(call, signed)?;
    let app = call.app();
    app.verify_sign_in(&participant, &challenge, &signature)?;
    app.sessions
        .open(participant, app.now_ms(), &mut rand_core::OsRng)
        .map_err(|_| ApiError::rate_limited())
}

/// A sign-in's parts, in the order every door has checked them: the anonymous rate, the
/// participant named (noted), the challenge, the signature.
fn signed_challenge(
    call: &mut Call<'_>,
    signed: Given<SignIn>,
) -> Result<(TaxpayerId, Vec<u8>, Vec<u8>), ApiError> {
    call.anonymous()?;
    let signed = signed?;
    call.note_reference(signed.participant);
    Ok((signed.participant, signed.challenge?, signed.signature?))
}
