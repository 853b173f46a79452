//! What the register adapters read from the e-government gateway and what a stranger presents
//! at sign-in: any bytes as the register of entrepreneurs parse or fail whole with a coded
//! error; as a certificate chain, a PEM bundle of certificates or revocation lists, or a DER
//! revocation list, or a document's detached CMS signature, they are read or refused with a
//! `CryptoError`, never a panic; any text as a token subject reads back to the same subject or is
//! refused.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tanba_crypto::x509;

/// A time inside every test certificate's life (late 2026), unix milliseconds.
const AT_MS: u64 = 1_795_000_000_000;

fuzz_target!(|data: &[u8]| {
    if let Ok(parsed) = tanba_server::registers::parse_entrepreneurs(data) {
        assert!(parsed.entries.windows(2).all(|pair| pair[0].id < pair[1].id));
    }
    let roots = x509::TrustRoots::default();
    let split = data.len() / 2;
    let _ = x509::check_chain(&[data.to_vec()], &roots, AT_MS);
    let _ = x509::check_chain(&[data[..split].to_vec(), data[split..].to_vec()], &roots, AT_MS);
    let _ = x509::check_issuing_ca(data, &roots, AT_MS);
    let _ = x509::check_revocation_list(data, &[], AT_MS);
    let _ = x509::revocation_lists_from_pem(data);
    let _ = x509::certificates_from_pem(data);
    let _ = x509::TrustRoots::from_pem(data);
    if let Ok(signature) = tanba_crypto::cms::open(data) {
        let carried = signature.chain().len();
        assert!((1..=x509::CHAIN_CERTIFICATES_MAX).contains(&carried));
        let _ = signature.verify(b"tanba-document-v1\n");
    }
    if let Ok(text) = std::str::from_utf8(data)
        && let Some((participant, certificate)) = tanba_server::certificates::parse_subject(text)
    {
        let again = tanba_server::certificates::token_subject(&participant, certificate.as_ref());
        assert_eq!(
            tanba_server::certificates::parse_subject(&again),
            Some((participant, certificate))
        );
    }
});
