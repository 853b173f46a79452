//! Consumers' opt-ins to direct recall notices (R-REC-07): the contacts, kept beside the log.
//! The calls (opt in, view, opt out) are [`crate::service::public`]'s, for every door.
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
use tanba_store::{Column, Durability, WriteBatch};

use crate::app::App;
use crate::error::ApiError;

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

fn key(opt_in: u64) -> Vec<u8> {
    let mut key = vec![OPT_IN_CONTACT];
    key.extend_from_slice(&opt_in.to_be_bytes());
    key
}

/// A phone number (`+` and 10 to 15 digits) or an e-mail address (one `@`, a name, and a
/// domain of dot-separated labels, none empty), at most [`CONTACT_CHARS_MAX`] characters with
/// no spaces or control characters: exactly the OpenAPI document's pattern.
pub(crate) fn check_contact(contact: &str) -> Result<(), ApiError> {
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

/// Keeps `contact` for `opt_in` under the hash of a new secret token, which it answers (shown
/// once to the consumer; only its hash is kept).
pub(crate) fn keep_contact(app: &App, opt_in: u64, contact: &str) -> Result<String, ApiError> {
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
    Ok(token)
}

/// The contact kept for `opt_in`, if `token` is its secret. A wrong token and a missing opt-in
/// read alike.
pub(crate) fn contact(app: &App, opt_in: u64, token: &str) -> Result<String, ApiError> {
    let stored = app
        .engine
        .store()
        .get(Column::Public, &key(opt_in))
        .map_err(|_| ApiError::internal())?
        .and_then(|bytes| postcard::from_bytes::<StoredContact>(&bytes).ok())
        .filter(|stored| stored.token_hash == *blake3::hash(token.as_bytes()).as_bytes());
    stored
        .map(|stored| stored.contact)
        .ok_or_else(|| ApiError::not_found("opt-in"))
}

/// Deletes the contact kept for `opt_in`: gone for good (the log never held it).
pub(crate) fn delete_contact(app: &App, opt_in: u64) -> Result<(), ApiError> {
    let mut batch = WriteBatch::new();
    batch
        .delete(Column::Public, key(opt_in))
        .map_err(|_| ApiError::internal())?;
    write(app, batch)
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
