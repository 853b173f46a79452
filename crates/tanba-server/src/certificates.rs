//! Signing in, and signing documents and decisions, with an X.509 certificate of an accredited
//! certification centre (R-IS-16).
//!
//! A participant presents its certificate chain with its signature over the sign-in challenge.
//! The chain is checked up to the configured roots at the server's time, the certificate must
//! name the participant's IIN/BIN, and the latest revocation list of its issuer that the log
//! holds (refreshed by [`crate::registers`]) must be current and not name it. The token (or
//! console session) then carries the certificate's issuer and serial, and every later call
//! checks them again with one point read, so a revoked certificate's sessions end at their next
//! call after the refresh that revoked it. A document or a case's decision may carry, instead
//! of an Ed25519 signature by a registered key, a detached CMS made with such a certificate
//! ([`tanba_crypto::cms`]); it is checked the same way when it is submitted, and the log keeps
//! the CMS rebuilt from what was checked (the certificate and its path, the signed attributes,
//! the signature) as the signature.

use tanba_crypto::x509::{self, TrustRoots};
use tanba_engine::registers::{self, CertificateStanding};
use tanba_types::TaxpayerId;

use crate::app::App;
use crate::error::ApiError;

// Every CMS this server accepts fits the engine's limit on a stored document signature.
const _: () =
    assert!(tanba_crypto::cms::CMS_SIGNATURE_BYTES_MAX <= tanba_types::limits::SIGNATURE_BYTES_MAX);

/// A certificate a token or session rests on: its issuer and serial number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRef {
    /// BLAKE3 of the issuer's name.
    pub issuer: [u8; 32],
    /// The serial number's bytes.
    pub serial: Vec<u8>,
}

/// Separates the parts of a token's subject: an IIN/BIN, then for a certificate sign-in its
/// issuer and serial in hex.
const SUBJECT_SEPARATOR: char = ':';

/// The subject a token is sealed for.
pub fn token_subject(participant: &TaxpayerId, certificate: Option<&CertificateRef>) -> String {
    match certificate {
        None => participant.to_string(),
        Some(certificate) => format!(
            "{participant}{SUBJECT_SEPARATOR}{}{SUBJECT_SEPARATOR}{}",
            tanba_crypto::encoding::hex(&certificate.issuer),
            tanba_crypto::encoding::hex(&certificate.serial)
        ),
    }
}

/// Reads a token's subject back: the participant and, for a certificate sign-in, the
/// certificate.
pub fn parse_subject(subject: &str) -> Option<(TaxpayerId, Option<CertificateRef>)> {
    let mut parts = subject.split(SUBJECT_SEPARATOR);
    let participant = parts.next()?.parse().ok()?;
    let Some(issuer) = parts.next() else {
        return Some((participant, None));
    };
    let issuer = tanba_crypto::encoding::parse_hex::<32>(issuer)?;
    let serial_hex = parts.next()?;
    if parts.next().is_some()
        || serial_hex.is_empty()
        || serial_hex.len() % 2 != 0
        || serial_hex.len() > 2 * tanba_types::register::CERTIFICATE_SERIAL_BYTES_MAX
    {
        return None;
    }
    let serial = (0..serial_hex.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(serial_hex.get(at..at + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    Some((participant, Some(CertificateRef { issuer, serial })))
}

impl App {
    /// The configured roots of accredited centres (none configured: no certificate is trusted).
    pub fn trust_roots(&self) -> &TrustRoots {
        &self.trust_roots
    }

    /// Whether a certificate still stands now: its issuer's revocation list is current and does
    /// not name it.
    pub fn certificate_stands(&self, certificate: &CertificateRef) -> Result<(), ApiError> {
        let standing = registers::certificate_standing(
            self.engine.snapshot().as_ref(),
            &certificate.issuer,
            &certificate.serial,
            self.now_ms(),
        )?;
        match standing {
            CertificateStanding::Good => Ok(()),
            CertificateStanding::Revoked => {
                Err(tanba_crypto::CryptoError::CertificateRevoked.into())
            }
            CertificateStanding::NoList => Err(tanba_crypto::CryptoError::RevocationUnknown.into()),
        }
    }

    /// Checks a signature made with a certificate's key for `participant`: first the signature
    /// with the presented certificate's key and the participant it names (a stranger's chain
    /// costs one signature check), then the chain up to a root at the server's time, then its
    /// standing and that of its intermediates. What it rests on is returned for the token or
    /// session.
    pub fn check_certificate_signature(
        &self,
        participant: &TaxpayerId,
        chain: &[Vec<u8>],
        message: &[u8],
        signature: &[u8],
    ) -> Result<CertificateRef, ApiError> {
        let leaf = chain
            .first()
            .ok_or(tanba_crypto::CryptoError::MalformedCertificate)?;
        let (named, key) = x509::claimed_signer(leaf)?;
        // Another participant's certificate and a wrong signature answer alike.
        if named != participant.to_string() || key.verify_document(message, signature).is_err() {
            return Err(tanba_crypto::CryptoError::BadSignIn.into());
        }
        self.chain_stands(chain)
    }

    /// Checks a document or decision `signer` signed with a certificate: a detached CMS over
    /// the document's canonical bytes (`message`), whose certificate names `signer`, may sign
    /// documents (non-repudiation) and stands now, exactly as at sign-in. The signature is
    /// checked before the chain. Returns the CMS as the log keeps it: the checked path only.
    pub fn check_certificate_document(
        &self,
        signer: &TaxpayerId,
        message: &[u8],
        cms_der: &[u8],
    ) -> Result<Vec<u8>, ApiError> {
        self.checked_document(signer, message, cms_der)
            .map_err(|mut error| {
                // The caller is signed in: a certificate that does not serve refuses the
                // document, never the session (which may rest on a key).
                if error.kind == crate::error::ErrorKind::Unauthenticated {
                    error.kind = crate::error::ErrorKind::PermissionDenied;
                }
                error
            })
    }

    fn checked_document(
        &self,
        signer: &TaxpayerId,
        message: &[u8],
        cms_der: &[u8],
    ) -> Result<Vec<u8>, ApiError> {
        let opened = tanba_crypto::cms::open(cms_der)?;
        // Another participant's certificate and a wrong signature answer alike.
        match opened.verify(message) {
            Ok(named) if named == signer.to_string() => {}
            Ok(_) | Err(tanba_crypto::CryptoError::BadSignature) => {
                return Err(ApiError::bad_document_signature());
            }
            Err(error) => return Err(error.into()),
        }
        x509::check_document_use(&opened.chain()[0])?;
        let checked = x509::check_chain(opened.chain(), &self.trust_roots, self.now_ms())?;
        self.checked_stands(&checked)?;
        Ok(opened.canonical(&checked.path)?)
    }

    /// A chain (the holder's certificate first) checked up to a root at the server's time,
    /// standing now with its intermediates: what a token or session rests on.
    fn chain_stands(&self, chain: &[Vec<u8>]) -> Result<CertificateRef, ApiError> {
        let checked = x509::check_chain(chain, &self.trust_roots, self.now_ms())?;
        self.checked_stands(&checked)
    }

    /// Whether a checked certificate stands now, with its intermediates.
    pub(crate) fn checked_stands(
        &self,
        checked: &x509::CheckedCertificate,
    ) -> Result<CertificateRef, ApiError> {
        let certificate = CertificateRef {
            issuer: checked.issuer.0,
            serial: checked.serial.clone(),
        };
        self.certificate_stands(&certificate)?;
        self.intermediates_stand(&checked.intermediates)?;
        Ok(certificate)
    }

    /// An intermediate its issuer's current list revokes is refused; without a list of its
    /// issuer (a root's lists rarely travel through the gateway) it passes.
    fn intermediates_stand(
        &self,
        intermediates: &[(x509::IssuerId, Vec<u8>)],
    ) -> Result<(), ApiError> {
        let snapshot = self.engine.snapshot();
        for (issuer, serial) in intermediates {
            let standing = registers::certificate_standing(
                snapshot.as_ref(),
                &issuer.0,
                serial,
                self.now_ms(),
            )?;
            if standing == CertificateStanding::Revoked {
                return Err(tanba_crypto::CryptoError::CertificateRevoked.into());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_is_16_a_token_subject_names_its_certificate_and_reads_back() {
        let participant: TaxpayerId = "870412300416".parse().unwrap();
        let certificate = CertificateRef {
            issuer: [0xA5; 32],
            serial: vec![0x00, 0x80, 0x01],
        };
        let subject = token_subject(&participant, Some(&certificate));
        assert!(subject.len() <= tanba_crypto::sign_in::SUBJECT_BYTES_MAX);
        // The longest serial (21 bytes: 20 and a sign byte) still fits a token.
        let longest = CertificateRef {
            issuer: [0xA5; 32],
            serial: vec![0x80; tanba_types::register::CERTIFICATE_SERIAL_BYTES_MAX],
        };
        let subject_longest = token_subject(&participant, Some(&longest));
        assert!(subject_longest.len() <= tanba_crypto::sign_in::SUBJECT_BYTES_MAX);
        assert_eq!(
            parse_subject(&subject_longest),
            Some((participant, Some(longest)))
        );
        assert_eq!(
            parse_subject(&subject),
            Some((participant, Some(certificate)))
        );
        assert_eq!(
            parse_subject(&token_subject(&participant, None)),
            Some((participant, None))
        );
        for broken in [
            "870412300416:",
            "870412300416:zz",
            "870412300416:a5a5:01",
            &format!("870412300416:{}:", "a5".repeat(32)),
            &format!("870412300416:{}:0", "a5".repeat(32)),
            &format!("870412300416:{}:01:02", "a5".repeat(32)),
            &format!("870412300416:{}:{}", "a5".repeat(32), "01".repeat(22)),
        ] {
            assert_eq!(parse_subject(broken), None, "{broken}");
        }
    }
}
