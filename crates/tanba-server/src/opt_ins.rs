//! Consumers' opt-ins to direct recall notices (R-REC-07): the contact, checked and sealed.
//! The calls (opt in, view, opt out) are [`crate::service::public`]'s, for every door.
//!
//! A consumer holding a unit leaves a contact for its code on the public check: the minimum
//! data (a phone number or an e-mail address) and nothing else. The server draws a secret,
//! hands it to the consumer once and keeps nothing: the contact goes into the log sealed under
//! it ([`tanba_crypto::contact`]), so every node can show it back to the consumer who presents
//! the secret, and nobody else can read it. Opting out deletes the sealed contact from the
//! state; the log's copy stays sealed under a secret the server never had to keep.

use tanba_crypto::contact::{
    CONTACT_SECRET_BYTES, ContactSecret, contact_verifier, open_contact, seal_contact,
};
pub use tanba_types::limits::CONTACT_CHARS_MAX;
use tanba_types::{CodeKey, SealedContact};

use crate::error::ApiError;

/// Notices one view lists.
pub const OPT_IN_NOTICES_MAX: usize = 100;

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

/// `contact` sealed for `unit` under a new secret, and the secret as the consumer receives it
/// (hex; shown once, kept nowhere).
pub(crate) fn seal(unit: &CodeKey, contact: &str) -> (SealedContact, String) {
    let mut secret: ContactSecret = [0; CONTACT_SECRET_BYTES];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut secret);
    let sealed = SealedContact {
        verifier: contact_verifier(&secret),
        ciphertext: seal_contact(&secret, unit.to_string().as_bytes(), contact),
    };
    (sealed, tanba_crypto::encoding::hex(&secret))
}

/// The contact `sealed` holds for `unit`, if `token` is its secret. A wrong token, a token of
/// the wrong shape and a missing opt-in read alike.
pub(crate) fn open(
    unit: &CodeKey,
    sealed: Option<&SealedContact>,
    token: &str,
) -> Result<String, ApiError> {
    let secret: Option<ContactSecret> = tanba_crypto::encoding::parse_hex(token);
    secret
        .zip(sealed)
        .and_then(|(secret, sealed)| {
            open_contact(
                &secret,
                &sealed.verifier,
                unit.to_string().as_bytes(),
                &sealed.ciphertext,
            )
        })
        .ok_or_else(|| ApiError::not_found("opt-in"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_contact_opens_with_its_token_for_its_unit_only() {
        let unit: CodeKey = "(01)04600000000015(21)abc".parse().unwrap();
        let other: CodeKey = "(01)04600000000015(21)abd".parse().unwrap();
        let (sealed, token) = seal(&unit, "+77011234567");
        assert_eq!(token.len(), 2 * CONTACT_SECRET_BYTES);
        assert_eq!(open(&unit, Some(&sealed), &token).unwrap(), "+77011234567");
        for (unit, sealed, token) in [
            (&other, Some(&sealed), token.as_str()),
            (&unit, None, token.as_str()),
            (&unit, Some(&sealed), "00"),
            (&unit, Some(&sealed), "not hex"),
            (&unit, Some(&sealed), &"0".repeat(2 * CONTACT_SECRET_BYTES)),
        ] {
            assert_eq!(
                open(unit, sealed, token).unwrap_err().code,
                "TANBA-SERVER-NOT-FOUND"
            );
        }
    }

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
