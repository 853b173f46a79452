//! Consumers' opt-ins to direct recall notices (R-REC-07), one entry point for every door.
//!
//! A consumer holding a unit leaves a contact for its code on the public check: the minimum
//! data (a phone number or an e-mail address) and nothing else. The engine's log records only
//! that an opt-in exists for the code ([`tanba_engine::consumers`]); the contact is kept here,
//! beside the log, under the opt-in's id with the hash of a secret token the consumer alone
//! receives. With it the consumer reads its notices and deletes the contact, which is then gone
//! for good (the log never held it).
//!
//! Public column layout: `o` + opt-in id (u64 BE): [`StoredContact`] (postcard).

use serde::{Deserialize, Serialize};
use tanba_engine::consumers;
use tanba_store::{Column, Durability, WriteBatch};
use tanba_types::{Actor, Command, ScannedCode};

use crate::app::{App, Call};
use crate::error::ApiError;
use crate::public::{Lookup, lookup};

/// Longest contact, in characters (an e-mail address's limit).
pub const CONTACT_CHARS_MAX: usize = 254;
/// Notices one view lists.
pub const OPT_IN_NOTICES_MAX: usize = 100;
/// Bytes of the secret token the consumer receives.
const TOKEN_BYTES: usize = 16;
/// Public column prefix: an opt-in's contact.
const OPT_IN_CONTACT: u8 = b'o';

/// What is kept of an opt-in beside the log.
#[derive(Debug, Serialize, Deserialize)]
struct StoredContact {
    contact: String,
    token_hash: [u8; 32],
    created_ms: u64,
}

/// An opt-in made: its id and the secret the consumer needs to read or delete it.
#[derive(Debug, Serialize)]
pub struct OptedIn {
    /// The opt-in's id.
    pub opt_in: u64,
    /// The secret (shown once; only its hash is kept).
    pub token: String,
}

/// A direct notice to a consumer.
#[derive(Debug, Serialize)]
pub struct ConsumerNotice {
    /// The case.
    pub case: u64,
    /// When it was made available, unix milliseconds.
    pub made_available_ms: u64,
    /// Its text in the language asked for.
    pub notice: String,
}

/// An opt-in as its consumer sees it.
#[derive(Debug, Serialize)]
pub struct OptInView {
    /// Its id.
    pub opt_in: u64,
    /// The unit, bracketed.
    pub code: String,
    /// The contact left.
    pub contact: String,
    /// The notices made available to it.
    pub notices: Vec<ConsumerNotice>,
}

fn key(opt_in: u64) -> Vec<u8> {
    let mut key = vec![OPT_IN_CONTACT];
    key.extend_from_slice(&opt_in.to_be_bytes());
    key
}

/// A phone number (`+` and 10 to 15 digits) or an e-mail address (one `@`, a name, and a
/// domain of dot-separated labels, none empty), at most [`CONTACT_CHARS_MAX`] characters with
/// no spaces or control characters: exactly the OpenAPI document's pattern.
fn check_contact(contact: &str) -> Result<(), ApiError> {
    let phone = contact.strip_prefix('+').is_some_and(|digits| {
        (10..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
    });
    // ECMAScript's `\s` (the pattern's) counts U+FEFF as a space; Rust's does not.
    let plain = |part: &str| {
        !part.is_empty()
            && !part
                .chars()
                .any(|c| c == '@' || c == '\u{feff}' || c.is_whitespace() || c.is_control())
    };
    let email = contact.chars().count() <= CONTACT_CHARS_MAX
        && contact.split_once('@').is_some_and(|(user, domain)| {
            let labels: Vec<&str> = domain.split('.').collect();
            plain(user) && labels.len() >= 2 && labels.iter().all(|label| plain(label))
        });
    if phone || email {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "contact (a phone number +7... or an e-mail address)",
        ))
    }
}

/// Opts in: the unit must be genuine (its tail, if scanned, the one issued).
pub async fn opt_in(call: &mut Call<'_>, code: &str, contact: &str) -> Result<OptedIn, ApiError> {
    call.writing_for_the_public()?;
    check_contact(contact)?;
    let scanned = ScannedCode::read(code)?;
    call.note_codes([&scanned.key]);
    let app = call.app();
    // A consumer holds a unit: a package, an unknown code and a forged tail read alike.
    let unit = match lookup(app.engine.snapshot().as_ref(), &scanned)? {
        Lookup::Genuine(card) => card.level == tanba_types::PackageLevel::Unit,
        Lookup::Unknown | Lookup::TailMismatch => false,
    };
    if !unit {
        return Err(tanba_engine::EngineError::UnknownCode(scanned.key).into());
    }
    let receipt = call
        .submit(Actor::Public, Command::ConsumerOptIn { code: scanned.key })
        .await
        .map_err(|error| {
            // The unit's places are taken: a conflict with what is stored, not a bad request.
            let taken = matches!(error, tanba_engine::EngineError::LimitExceeded { .. });
            let mut error = ApiError::from(error);
            if taken {
                error.kind = crate::error::ErrorKind::AlreadyExists;
            }
            error
        })?;
    let opt_in = receipt.first_sequence;
    call.note_reference(opt_in);
    let mut secret = [0u8; TOKEN_BYTES];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut secret);
    let token = tanba_crypto::encoding::hex(&secret);
    let stored = StoredContact {
        contact: contact.to_owned(),
        token_hash: *blake3::hash(token.as_bytes()).as_bytes(),
        created_ms: app.now_ms(),
    };
    let mut batch = WriteBatch::new();
    batch
        .put(
            Column::Public,
            key(opt_in),
            postcard::to_stdvec(&stored).expect("encodes"),
        )
        .map_err(|_| ApiError::internal())?;
    write(app, batch)?;
    Ok(OptedIn { opt_in, token })
}

/// The stored contact of `opt_in`, if `token` is its secret. A wrong token and a missing opt-in
/// read alike.
fn contact(app: &App, opt_in: u64, token: &str) -> Result<StoredContact, ApiError> {
    let stored = app
        .engine
        .store()
        .get(Column::Public, &key(opt_in))
        .map_err(|_| ApiError::internal())?
        .and_then(|bytes| postcard::from_bytes::<StoredContact>(&bytes).ok())
        .filter(|stored| stored.token_hash == *blake3::hash(token.as_bytes()).as_bytes());
    stored.ok_or_else(|| ApiError::not_found("opt-in"))
}

/// An opt-in and its notices, for its consumer.
pub fn view(call: &mut Call<'_>, opt_in: u64, token: &str) -> Result<OptInView, ApiError> {
    call.reporting()?;
    call.note_reference(opt_in);
    let app = call.app();
    let stored = contact(app, opt_in, token)?;
    let snapshot = app.engine.snapshot();
    let code = consumers::opt_in_code(snapshot.as_ref(), opt_in)?
        .ok_or_else(|| ApiError::not_found("opt-in"))?;
    let mut notices = Vec::new();
    for (case, made_available_ms) in
        consumers::opt_in_notices(snapshot.as_ref(), opt_in, OPT_IN_NOTICES_MAX)?
    {
        let texts = tanba_engine::query::case(snapshot.as_ref(), case)?
            .and_then(|record| app.engine.cases().public_notice(case, &record));
        notices.push(ConsumerNotice {
            case,
            made_available_ms,
            notice: texts
                .map(|texts| texts.in_language(call.language).to_owned())
                .unwrap_or_default(),
        });
    }
    Ok(OptInView {
        opt_in,
        code: code.to_string(),
        contact: stored.contact,
        notices,
    })
}

/// Deletes the contact (first: the personal data goes whatever happens next), then ends the
/// opt-in in the engine.
pub async fn opt_out(call: &mut Call<'_>, opt_in: u64, token: &str) -> Result<(), ApiError> {
    call.writing_for_the_public()?;
    call.note_reference(opt_in);
    let app = call.app();
    contact(app, opt_in, token)?;
    let mut batch = WriteBatch::new();
    batch
        .delete(Column::Public, key(opt_in))
        .map_err(|_| ApiError::internal())?;
    write(app, batch)?;
    call.submit(Actor::Public, Command::ConsumerOptOut { opt_in })
        .await?;
    Ok(())
}

fn write(app: &App, batch: WriteBatch) -> Result<(), ApiError> {
    app.engine
        .store()
        .write(batch, Durability::Synced)
        .map_err(|error| {
            tracing::error!(%error, "opt-in store");
            ApiError::internal()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contact_is_a_phone_number_or_an_e_mail_address_and_nothing_else() {
        for good in [
            "+77011234567",
            "aigerim@example.kz",
            "a.b+c@mail.example.com",
        ] {
            assert!(check_contact(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "77011234567",
            "+7701",
            "+7701123456x",
            "no at sign",
            "two@@example.kz",
            "a@localhost",
            "a b@example.kz",
            "@example.kz",
            &format!("{}@example.kz", "a".repeat(CONTACT_CHARS_MAX)),
        ] {
            assert!(check_contact(bad).is_err(), "{bad}");
        }
    }
}
