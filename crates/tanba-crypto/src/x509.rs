//! X.509 certificates of accredited certification centres (R-IS-16): a chain checked up to a
//! configured root, validity at a given moment, key usage, the subject's IIN/BIN; signatures made
//! with a certificate's key; certificate revocation lists checked against their issuer.
//!
//! Algorithms: RSA PKCS#1 v1.5 with SHA-256 (what the Kazakh centre's RSA certificates use) and
//! ECDSA P-256 with SHA-256 (RustCrypto `rsa`, `p256`); RSASSA-PSS is refused until a centre
//! issues it. GOST R 34.10-2012 and Kazakhstan's GOST 34.310-2004 are recognised by their
//! OIDs and refused as [`CryptoError::CertificateAlgorithm`]: no maintained Rust implementation
//! exists today; one would be one more arm of [`CertificateKey`].
//!
//! Whether a certificate is revoked is the caller's question: the revocation state lives in the
//! event log, and this module only names a certificate by ([`IssuerId`], serial) and reads a
//! revocation list into the serials it revokes.
//!
//! Must never know: the log, participants, the network or the clock (time is an argument).

use std::fmt;

use sha2::Sha256;
use x509_cert::crl::CertificateList;
use x509_cert::der::{Decode, DecodePem, Encode, oid::ObjectIdentifier};
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage};
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::time::Time;

/// A parsed X.509 certificate (RustCrypto `x509-cert`).
pub use x509_cert::Certificate;

use crate::errors::CryptoError;

/// Most certificates a presented chain may hold (leaf and intermediates), so a stranger cannot
/// make the server verify a long chain before signing in.
pub const CHAIN_CERTIFICATES_MAX: usize = 4;
/// Largest DER certificate read.
pub const CERTIFICATE_BYTES_MAX: usize = 16 * 1024;
/// Largest revocation list read (the national centre's lists are a few MiB).
pub const REVOCATION_LIST_BYTES_MAX: usize = 64 * 1024 * 1024;
/// Most roots a trust store holds.
pub const TRUST_ROOTS_MAX: usize = 64;
/// Smallest RSA modulus accepted, in bits.
pub const RSA_MODULUS_BITS_MIN: usize = 2048;
/// Largest RSA modulus accepted, in bits (a stranger's 8192-bit key would cost its
/// verification for free), with the public exponent 65537 only.
pub const RSA_MODULUS_BITS_MAX: usize = 4096;

const OID_RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_PRIME256V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
/// The signature algorithms a certificate may be signed with.
const KNOWN_SIGNATURES: [ObjectIdentifier; 2] = [OID_SHA256_WITH_RSA, OID_ECDSA_WITH_SHA256];
/// Extended key usage of the Kazakh centre: the first head of a legal entity.
pub const OID_FIRST_HEAD: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.398.3.3.4.1.2.1");
/// Extended key usage of the Kazakh centre: a person with the right to sign for a legal entity.
pub const OID_SIGNATORY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.398.3.3.4.1.2.2");
/// Subject attribute `serialNumber`: the Kazakh centre writes `IIN` and the person's 12 digits.
const OID_SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");
/// Subject attribute `organizationalUnitName`: `BIN` and the legal entity's 12 digits.
const OID_ORGANIZATIONAL_UNIT: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.11");
/// Extensions this module reads or may ignore; any other marked critical refuses the certificate
/// (RFC 5280 section 4.2).
const KNOWN_EXTENSIONS: [&str; 8] = [
    "2.5.29.14", // subject key identifier
    "2.5.29.15", // key usage
    "2.5.29.17", // subject alternative name
    "2.5.29.19", // basic constraints
    "2.5.29.31", // CRL distribution points
    "2.5.29.32", // certificate policies
    "2.5.29.35", // authority key identifier
    "2.5.29.37", // extended key usage
];

/// Who issued a certificate: BLAKE3 of the issuing CA's distinguished name and public key (DER),
/// so two keys of one centre (across a key change) are two issuers. The revocation state is
/// keyed by it; a certificate and a revocation list name their issuer the same way, by the CA
/// whose key verified them.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IssuerId(pub [u8; 32]);

impl IssuerId {
    /// The issuer that `ca` (a CA's certificate) is.
    pub fn of(ca: &Certificate) -> Result<IssuerId, CryptoError> {
        let tbs = ca.tbs_certificate();
        let name = der_of(tbs.subject())?;
        let key = der_of(tbs.subject_public_key_info())?;
        let mut hasher = blake3::Hasher::new();
        hasher.update(&(name.len() as u64).to_be_bytes());
        hasher.update(&name);
        hasher.update(&key);
        Ok(IssuerId(*hasher.finalize().as_bytes()))
    }

    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        crate::encoding::hex(&self.0)
    }
}

impl fmt::Debug for IssuerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IssuerId({})", self.to_hex())
    }
}

/// The configured root certificates: the only certificates trusted without an issuer.
#[derive(Clone, Debug, Default)]
pub struct TrustRoots {
    roots: Vec<Certificate>,
}

impl TrustRoots {
    /// Reads a PEM bundle of root certificates (each checked for its own signature and CA use).
    pub fn from_pem(pem: &[u8]) -> Result<TrustRoots, CryptoError> {
        let roots =
            Certificate::load_pem_chain(pem).map_err(|_| CryptoError::MalformedCertificate)?;
        if roots.len() > TRUST_ROOTS_MAX {
            return Err(CryptoError::MalformedCertificate);
        }
        for root in &roots {
            check_issuer_use(root)?;
            check_signed_by(root, root)?;
        }
        Ok(TrustRoots { roots })
    }

    /// Whether no root is configured (then no certificate is trusted).
    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }

    /// How many roots.
    pub fn len(&self) -> usize {
        self.roots.len()
    }

    /// The roots' certificates.
    pub fn certificates(&self) -> &[Certificate] {
        &self.roots
    }
}

/// A certificate whose chain checked out: whose it is and how to name it for revocation.
#[derive(Debug, Clone)]
pub struct CheckedCertificate {
    /// The subject's IIN or BIN (12 digits): the BIN of the organizational unit when the
    /// certificate is an employee's of a legal entity, else the IIN of the serial number.
    pub taxpayer: String,
    /// The certificate's serial number (big-endian bytes as encoded).
    pub serial: Vec<u8>,
    /// Its issuer.
    pub issuer: IssuerId,
    /// Its issuer's name, for people.
    pub issuer_name: String,
    /// Its subject's name, for people.
    pub subject_name: String,
    /// End of validity, unix milliseconds.
    pub not_after_ms: u64,
    /// Its key, to check what it signs.
    pub key: CertificateKey,
    /// The intermediates of its path, each as (its issuer, its serial), nearest first: each is
    /// checked against its issuer's revocation list when the log holds one.
    pub intermediates: Vec<(IssuerId, Vec<u8>)>,
    /// Its path as presented, DER: the certificate and the intermediates that chained it, not
    /// the root (what a kept signature carries).
    pub path: Vec<Vec<u8>>,
}

/// The signer of a presented chain, read before anything else is checked (a stranger's chain
/// costs one signature check, not a path): whose it claims to be and its key.
pub fn claimed_signer(leaf_der: &[u8]) -> Result<(String, CertificateKey), CryptoError> {
    let leaf = parse_certificate(leaf_der)?;
    let tbs = leaf.tbs_certificate();
    Ok((
        subject_taxpayer(&leaf)?,
        CertificateKey::from_spki(tbs.subject_public_key_info())?,
    ))
}

/// Checks a presented chain (DER, the signer's certificate first, then intermediates in any
/// order) up to one of `roots`, at `at_ms`: every signature, every validity period, issuers that
/// are CAs within their path length, a leaf whose key usage allows signing and whose subject
/// names an IIN/BIN.
pub fn check_chain(
    chain_der: &[Vec<u8>],
    roots: &TrustRoots,
    at_ms: u64,
) -> Result<CheckedCertificate, CryptoError> {
    if chain_der.is_empty() || chain_der.len() > CHAIN_CERTIFICATES_MAX {
        return Err(CryptoError::MalformedCertificate);
    }
    let chain = chain_der
        .iter()
        .map(|der| parse_certificate(der))
        .collect::<Result<Vec<_>, _>>()?;
    let leaf = &chain[0];
    check_extensions(leaf)?;
    check_validity(leaf, at_ms)?;
    check_signing_use(leaf)?;
    let mut path: Vec<&Certificate> = vec![leaf];
    // Each step climbs one issuer; a path longer than the chain plus a root is a loop.
    for cas_below in 0..=CHAIN_CERTIFICATES_MAX {
        let current = path[path.len() - 1];
        if !KNOWN_SIGNATURES.contains(&current.signature_algorithm().oid) {
            return Err(CryptoError::CertificateAlgorithm);
        }
        let issuer_name = current.tbs_certificate().issuer();
        let named = |candidate: &&Certificate| candidate.tbs_certificate().subject() == issuer_name;
        // The one that signed it: a centre may hold two roots of one name across a key change.
        let signer = |candidate: &&Certificate| check_signed_by(current, candidate).is_ok();
        if roots.roots.iter().any(|root| named(&root)) {
            let root = (roots.roots.iter().filter(named).find(signer))
                .ok_or(CryptoError::CertificateUntrusted)?;
            check_validity(root, at_ms)?;
            check_path_length(root, cas_below)?;
            path.push(root);
            return checked(&path);
        }
        // A certificate already on the path is never tried again: a presented chain of
        // same-name, self-issuing certificates costs at most one check per pair.
        let unused =
            |candidate: &&Certificate| !path.iter().any(|on| std::ptr::eq(*on, *candidate));
        let issuer = (chain[1..].iter().filter(named).filter(unused).find(signer))
            .ok_or(CryptoError::CertificateUntrusted)?;
        check_extensions(issuer)?;
        check_validity(issuer, at_ms)?;
        check_issuer_use(issuer)?;
        check_path_length(issuer, cas_below)?;
        path.push(issuer);
    }
    Err(CryptoError::CertificateUntrusted)
}

/// An issuer with `cas_below` CA certificates between it and the leaf, within its basic
/// constraints' path length.
fn check_path_length(issuer: &Certificate, cas_below: usize) -> Result<(), CryptoError> {
    let constraints = issuer
        .tbs_certificate()
        .get_extension::<BasicConstraints>()
        .map_err(|_| CryptoError::MalformedCertificate)?;
    let allowed = constraints
        .and_then(|(_, constraints)| constraints.path_len_constraint)
        .is_none_or(|length| cas_below <= usize::from(length));
    if allowed {
        Ok(())
    } else {
        Err(CryptoError::CertificateUsage)
    }
}

/// Checks an issuing CA's certificate (from the centre's bundle) up to a root at `at_ms`, for
/// revocation lists: returns it when it may sign certificates.
pub fn check_issuing_ca(
    der: &[u8],
    roots: &TrustRoots,
    at_ms: u64,
) -> Result<Certificate, CryptoError> {
    let certificate = parse_certificate(der)?;
    check_extensions(&certificate)?;
    check_validity(&certificate, at_ms)?;
    check_issuer_use(&certificate)?;
    let signed_by_a_root = roots.roots.iter().any(|root| {
        root.tbs_certificate().subject() == certificate.tbs_certificate().issuer()
            && check_signed_by(&certificate, root).is_ok()
    });
    if !(roots.roots.contains(&certificate) || signed_by_a_root) {
        return Err(CryptoError::CertificateUntrusted);
    }
    Ok(certificate)
}

/// What a revocation list says, once its signature checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationList {
    /// Whose certificates it revokes.
    pub issuer: IssuerId,
    /// The issuer's name, for people.
    pub issuer_name: String,
    /// When it was issued, unix milliseconds.
    pub this_update_ms: u64,
    /// When the next one is due, unix milliseconds.
    pub next_update_ms: Option<u64>,
    /// The revoked serial numbers, sorted, without duplicates.
    pub serials: Vec<Vec<u8>>,
    /// BLAKE3 of the list's DER bytes.
    pub digest: [u8; 32],
}

/// Reads a DER revocation list and checks it was signed by one of `issuers` (CA certificates
/// already checked by [`check_issuing_ca`]) and is not issued after `at_ms`.
pub fn check_revocation_list(
    der: &[u8],
    issuers: &[Certificate],
    at_ms: u64,
) -> Result<RevocationList, CryptoError> {
    if der.len() > REVOCATION_LIST_BYTES_MAX {
        return Err(CryptoError::MalformedRevocationList);
    }
    let list = CertificateList::<x509_cert::certificate::Rfc5280>::from_der(der)
        .map_err(|_| CryptoError::MalformedRevocationList)?;
    let tbs = &list.tbs_cert_list;
    check_complete_list(&list)?;
    let signed = tbs
        .to_der()
        .map_err(|_| CryptoError::MalformedRevocationList)?;
    let signature = list
        .signature
        .as_bytes()
        .ok_or(CryptoError::MalformedRevocationList)?;
    // The CA of that name whose key signed it, and may sign lists (one centre may hold two keys
    // of one name across a key change).
    let issuer = issuers
        .iter()
        .filter(|ca| ca.tbs_certificate().subject() == &tbs.issuer)
        .filter(|ca| key_usage(ca).is_ok_and(|usage| usage.is_none_or(|usage| usage.crl_sign())))
        .find(|ca| {
            CertificateKey::from_spki(ca.tbs_certificate().subject_public_key_info())
                .and_then(|key| key.verify(&list.signature_algorithm, &signed, signature))
                .is_ok()
        })
        .ok_or(CryptoError::RevocationListUntrusted)?;
    let this_update_ms = unix_ms(&tbs.this_update);
    let next_update_ms = tbs
        .next_update
        .as_ref()
        .map(unix_ms)
        .ok_or(CryptoError::MalformedRevocationList)?;
    if this_update_ms > at_ms || next_update_ms < this_update_ms {
        return Err(CryptoError::MalformedRevocationList);
    }
    let mut serials: Vec<Vec<u8>> = tbs
        .revoked_certificates
        .iter()
        .flatten()
        .map(|revoked| revoked.serial_number.as_bytes().to_vec())
        .collect();
    serials.sort_unstable();
    serials.dedup();
    Ok(RevocationList {
        issuer: IssuerId::of(issuer)?,
        issuer_name: tbs.issuer.to_string(),
        this_update_ms,
        next_update_ms: Some(next_update_ms),
        serials,
        digest: *blake3::hash(der).as_bytes(),
    })
}

/// A list that speaks for every certificate of its issuer: not a delta list, not partitioned by
/// an issuing distribution point, not indirect, and no other extension it marks critical.
/// (Read as complete, a delta list would un-revoke whatever only the full list names.)
fn check_complete_list(
    list: &CertificateList<x509_cert::certificate::Rfc5280>,
) -> Result<(), CryptoError> {
    let tbs = &list.tbs_cert_list;
    let list_extension_refused = tbs.crl_extensions.iter().flatten().any(|extension| {
        let oid = extension.extn_id.to_string();
        let scoped = oid == "2.5.29.27" || oid == "2.5.29.28"; // delta indicator, distribution point
        let understood = oid == "2.5.29.20" || oid == "2.5.29.35"; // CRL number, authority key id
        scoped || (extension.critical && !understood)
    });
    let entry_extension_refused = (tbs.revoked_certificates.iter().flatten())
        .flat_map(|revoked| revoked.crl_entry_extensions.iter().flatten())
        .any(|extension| extension.critical);
    if list_extension_refused || entry_extension_refused {
        return Err(CryptoError::MalformedRevocationList);
    }
    Ok(())
}

/// Reads every `X509 CRL` block of a PEM bundle into DER.
pub fn revocation_lists_from_pem(pem: &[u8]) -> Result<Vec<Vec<u8>>, CryptoError> {
    if pem.len() > REVOCATION_LIST_BYTES_MAX {
        return Err(CryptoError::MalformedRevocationList);
    }
    let text = std::str::from_utf8(pem).map_err(|_| CryptoError::MalformedRevocationList)?;
    let mut lists = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN X509 CRL-----") {
        let block = &rest[start..];
        let end = block
            .find("-----END X509 CRL-----")
            .ok_or(CryptoError::MalformedRevocationList)?
            + "-----END X509 CRL-----".len();
        let (label, der) = x509_cert::der::pem::decode_vec(&block.as_bytes()[..end])
            .map_err(|_| CryptoError::MalformedRevocationList)?;
        if label != "X509 CRL" {
            return Err(CryptoError::MalformedRevocationList);
        }
        lists.push(der);
        rest = &block[end..];
    }
    Ok(lists)
}

/// Reads every certificate of a PEM bundle into DER.
pub fn certificates_from_pem(pem: &[u8]) -> Result<Vec<Vec<u8>>, CryptoError> {
    Certificate::load_pem_chain(pem)
        .map_err(|_| CryptoError::MalformedCertificate)?
        .iter()
        .map(der_of)
        .collect()
}

/// Reads one certificate from PEM (for tests and tools).
pub fn certificate_der_from_pem(pem: &[u8]) -> Result<Vec<u8>, CryptoError> {
    der_of(&Certificate::from_pem(pem).map_err(|_| CryptoError::MalformedCertificate)?)
}

/// A certificate's public key, with the algorithms it may verify.
#[derive(Clone)]
pub enum CertificateKey {
    /// An RSA key (PKCS#1 v1.5 signatures, SHA-256).
    Rsa(rsa::PublicKey),
    /// An ECDSA P-256 key (SHA-256).
    EcdsaP256(p256::ecdsa::VerifyingKey),
}

impl fmt::Debug for CertificateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CertificateKey::Rsa(_) => "CertificateKey::Rsa",
            CertificateKey::EcdsaP256(_) => "CertificateKey::EcdsaP256",
        })
    }
}

impl CertificateKey {
    /// Reads a subject public key: RSA of at least [`RSA_MODULUS_BITS_MIN`] bits or P-256.
    pub fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<CertificateKey, CryptoError> {
        let der = der_of(spki)?;
        let oid = spki.algorithm.oid;
        if oid == OID_RSA_ENCRYPTION {
            use rsa::pkcs8::DecodePublicKey;
            use rsa::traits::PublicKeyParts;
            let key = rsa::PublicKey::from_public_key_der(&der)
                .map_err(|_| CryptoError::MalformedPublicKey)?;
            let bits = key.size() * 8;
            let exponent_65537 = key
                .e()
                .to_be_bytes()
                .iter()
                .skip_while(|byte| **byte == 0)
                .eq([1u8, 0, 1].iter());
            if !(RSA_MODULUS_BITS_MIN..=RSA_MODULUS_BITS_MAX).contains(&bits) || !exponent_65537 {
                return Err(CryptoError::CertificateAlgorithm);
            }
            return Ok(CertificateKey::Rsa(key));
        }
        if oid == OID_EC_PUBLIC_KEY {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|any| any.decode_as::<ObjectIdentifier>().ok());
            if curve != Some(OID_PRIME256V1) {
                return Err(CryptoError::CertificateAlgorithm);
            }
            use p256::pkcs8::DecodePublicKey;
            let key = p256::ecdsa::VerifyingKey::from_public_key_der(&der)
                .map_err(|_| CryptoError::MalformedPublicKey)?;
            return Ok(CertificateKey::EcdsaP256(key));
        }
        Err(CryptoError::CertificateAlgorithm)
    }

    /// Checks `signature` over `message` made with `algorithm` (an X.509 signature algorithm
    /// identifier): the algorithm must fit the key.
    pub fn verify(
        &self,
        algorithm: &AlgorithmIdentifierOwned,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        use p256::ecdsa::signature::Verifier as _;
        match self {
            CertificateKey::Rsa(key) if algorithm.oid == OID_SHA256_WITH_RSA => {
                let signature = rsa::pkcs1v15::Signature::try_from(signature)
                    .map_err(|_| CryptoError::MalformedSignature)?;
                rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key.clone())
                    .verify(message, &signature)
                    .map_err(|_| CryptoError::BadSignature)
            }
            CertificateKey::EcdsaP256(key) if algorithm.oid == OID_ECDSA_WITH_SHA256 => {
                let signature = p256::ecdsa::Signature::from_der(signature)
                    .map_err(|_| CryptoError::MalformedSignature)?;
                key.verify(message, &signature)
                    .map_err(|_| CryptoError::BadSignature)
            }
            _ => Err(CryptoError::CertificateAlgorithm),
        }
    }

    /// Checks a signature made with the key's usual algorithm for documents and sign-in: PKCS#1
    /// v1.5 with SHA-256 for RSA, DER ECDSA with SHA-256 for P-256.
    pub fn verify_document(&self, message: &[u8], signature: &[u8]) -> Result<(), CryptoError> {
        let oid = match self {
            CertificateKey::Rsa(_) => OID_SHA256_WITH_RSA,
            CertificateKey::EcdsaP256(_) => OID_ECDSA_WITH_SHA256,
        };
        let algorithm = AlgorithmIdentifierOwned {
            oid,
            parameters: None,
        };
        self.verify(&algorithm, message, signature)
    }
}

/// The DER of a certificate or one of its parts (one that does not encode is malformed).
fn der_of(value: &impl Encode) -> Result<Vec<u8>, CryptoError> {
    value
        .to_der()
        .map_err(|_| CryptoError::MalformedCertificate)
}

fn parse_certificate(der: &[u8]) -> Result<Certificate, CryptoError> {
    if der.len() > CERTIFICATE_BYTES_MAX {
        return Err(CryptoError::MalformedCertificate);
    }
    Certificate::from_der(der).map_err(|_| CryptoError::MalformedCertificate)
}

/// What a checked path (leaf first, root last) names.
fn checked(path: &[&Certificate]) -> Result<CheckedCertificate, CryptoError> {
    let leaf = path[0];
    let tbs = leaf.tbs_certificate();
    let intermediates = path[1..path.len() - 1]
        .iter()
        .zip(&path[2..])
        .map(|(intermediate, issuer)| {
            let serial = intermediate
                .tbs_certificate()
                .serial_number()
                .as_bytes()
                .to_vec();
            Ok((IssuerId::of(issuer)?, serial))
        })
        .collect::<Result<_, CryptoError>>()?;
    let presented = path[..path.len() - 1]
        .iter()
        .map(|certificate| der_of(*certificate))
        .collect::<Result<_, _>>()?;
    Ok(CheckedCertificate {
        path: presented,
        taxpayer: subject_taxpayer(leaf)?,
        serial: tbs.serial_number().as_bytes().to_vec(),
        issuer: IssuerId::of(path[1])?,
        issuer_name: tbs.issuer().to_string(),
        subject_name: tbs.subject().to_string(),
        not_after_ms: unix_ms(&tbs.validity().not_after),
        key: CertificateKey::from_spki(tbs.subject_public_key_info())?,
        intermediates,
    })
}

/// The IIN/BIN a Kazakh certificate names: `OU=BIN...` when it is a legal entity's head's or
/// signatory's (extended key usage [`OID_FIRST_HEAD`] or [`OID_SIGNATORY`]); otherwise the
/// person of `SERIALNUMBER=IIN...` (an employee without signing rights is only itself).
fn subject_taxpayer(certificate: &Certificate) -> Result<String, CryptoError> {
    let subject = certificate.tbs_certificate().subject();
    let attribute = |oid: ObjectIdentifier, prefix: &str| -> Option<String> {
        subject
            .iter()
            .filter(|atav| atav.oid == oid)
            .find_map(|atav| {
                let text = atav.value.decode_as::<String>().ok().or_else(|| {
                    atav.value
                        .decode_as::<x509_cert::der::asn1::PrintableString>()
                        .ok()
                        .map(|printable| printable.to_string())
                })?;
                let digits = text.strip_prefix(prefix)?;
                (digits.len() == 12 && digits.bytes().all(|byte| byte.is_ascii_digit()))
                    .then(|| digits.to_owned())
            })
    };
    let acts_for_entity = extended_usages(certificate)?
        .is_some_and(|usages| usages.contains(&OID_FIRST_HEAD) || usages.contains(&OID_SIGNATORY));
    let entity = acts_for_entity
        .then(|| attribute(OID_ORGANIZATIONAL_UNIT, "BIN"))
        .flatten();
    entity
        .or_else(|| attribute(OID_SERIAL_NUMBER, "IIN"))
        .ok_or(CryptoError::CertificateSubject)
}

fn extended_usages(
    certificate: &Certificate,
) -> Result<Option<Vec<ObjectIdentifier>>, CryptoError> {
    let extended = certificate
        .tbs_certificate()
        .get_extension::<ExtendedKeyUsage>()
        .map_err(|_| CryptoError::MalformedCertificate)?;
    Ok(extended.map(|(_, usages)| usages.0))
}

/// Whether `issuer`'s key made `certificate`'s signature (any failure, a key of another
/// algorithm included, is [`CryptoError::CertificateUntrusted`]).
fn check_signed_by(certificate: &Certificate, issuer: &Certificate) -> Result<(), CryptoError> {
    let signed = der_of(certificate.tbs_certificate())?;
    let signature = certificate
        .signature()
        .as_bytes()
        .ok_or(CryptoError::MalformedCertificate)?;
    if certificate.signature_algorithm() != certificate.tbs_certificate().signature() {
        return Err(CryptoError::MalformedCertificate);
    }
    CertificateKey::from_spki(issuer.tbs_certificate().subject_public_key_info())
        .and_then(|key| key.verify(certificate.signature_algorithm(), &signed, signature))
        .map_err(|_| CryptoError::CertificateUntrusted)
}

fn check_validity(certificate: &Certificate, at_ms: u64) -> Result<(), CryptoError> {
    let validity = certificate.tbs_certificate().validity();
    if at_ms < unix_ms(&validity.not_before) {
        return Err(CryptoError::CertificateNotYetValid);
    }
    if at_ms > unix_ms(&validity.not_after) {
        return Err(CryptoError::CertificateExpired);
    }
    Ok(())
}

fn key_usage(certificate: &Certificate) -> Result<Option<KeyUsage>, CryptoError> {
    certificate
        .tbs_certificate()
        .get_extension::<KeyUsage>()
        .map(|found| found.map(|(_, usage)| usage))
        .map_err(|_| CryptoError::MalformedCertificate)
}

/// A signer's certificate: key usage present with digital signature or non-repudiation, and
/// no extended key usage that confines it to something else (a TLS server's, say).
fn check_signing_use(certificate: &Certificate) -> Result<(), CryptoError> {
    let usage = key_usage(certificate)?.ok_or(CryptoError::CertificateUsage)?;
    if !(usage.digital_signature() || usage.non_repudiation()) {
        return Err(CryptoError::CertificateUsage);
    }
    if let Some(usages) = extended_usages(certificate)? {
        // id-kp-clientAuth, id-kp-emailProtection, anyExtendedKeyUsage, and the Kazakh
        // centre's own purposes (1.2.398.*) allow signing in and signing documents.
        let allowed = usages.iter().any(|purpose| {
            let text = purpose.to_string();
            text == "1.3.6.1.5.5.7.3.2"
                || text == "1.3.6.1.5.5.7.3.4"
                || text == "2.5.29.37.0"
                || text.starts_with("1.2.398.")
        });
        if !allowed {
            return Err(CryptoError::CertificateUsage);
        }
    }
    Ok(())
}

/// Checks that a certificate (DER) may sign documents and decisions, which bind its holder: key
/// usage with non-repudiation (content commitment), as the centre's signing certificates carry;
/// an authentication certificate (digital signature alone) signs in but signs no document.
pub fn check_document_use(certificate_der: &[u8]) -> Result<(), CryptoError> {
    let certificate = parse_certificate(certificate_der)?;
    let usage = key_usage(&certificate)?.ok_or(CryptoError::CertificateUsage)?;
    if usage.non_repudiation() {
        Ok(())
    } else {
        Err(CryptoError::CertificateUsage)
    }
}

/// An issuer: a CA by its basic constraints, and allowed to sign certificates when it states
/// its key usage.
fn check_issuer_use(certificate: &Certificate) -> Result<(), CryptoError> {
    let constraints = certificate
        .tbs_certificate()
        .get_extension::<BasicConstraints>()
        .map_err(|_| CryptoError::MalformedCertificate)?;
    if !constraints.is_some_and(|(_, constraints)| constraints.ca) {
        return Err(CryptoError::CertificateUsage);
    }
    if let Some(usage) = key_usage(certificate)?
        && !usage.key_cert_sign()
    {
        return Err(CryptoError::CertificateUsage);
    }
    Ok(())
}

fn check_extensions(certificate: &Certificate) -> Result<(), CryptoError> {
    let unknown_critical = certificate
        .tbs_certificate()
        .extensions()
        .into_iter()
        .flatten()
        .any(|extension| {
            extension.critical
                && !KNOWN_EXTENSIONS.contains(&extension.extn_id.to_string().as_str())
        });
    if unknown_critical {
        return Err(CryptoError::CertificateUsage);
    }
    Ok(())
}

fn unix_ms(time: &Time) -> u64 {
    u64::try_from(time.to_unix_duration().as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x509_test_pki::{TestCa, TestKey, TestUsage, TestValidity};

    const NOW_S: i64 = 1_796_000_000;
    const NOW_MS: u64 = NOW_S as u64 * 1000;
    const IIN: &str = "870412300416";
    const BIN: &str = "040340004565";

    fn roots(cas: &[&TestCa]) -> TrustRoots {
        let pem: String = cas.iter().map(|ca| ca.pem.clone()).collect();
        TrustRoots::from_pem(pem.as_bytes()).expect("roots")
    }

    fn valid() -> TestValidity {
        TestValidity::around(NOW_S, 365)
    }

    #[test]
    fn r_is_16_rsa_and_ecdsa_chains_to_a_root_name_the_holder_and_verify_its_signatures() {
        for (root_key, middle_key, holder_key) in [
            (TestKey::RsaA, TestKey::RsaB, TestKey::RsaB),
            (TestKey::EcdsaP256, TestKey::EcdsaP256, TestKey::EcdsaP256),
            (TestKey::RsaA, TestKey::EcdsaP256, TestKey::RsaB),
        ] {
            let root = TestCa::root("Test NCA Root", root_key, valid());
            let middle = root.intermediate("Test NCA", middle_key, valid());
            let holder = middle.holder(IIN, None, holder_key, valid(), TestUsage::Signing, 7);
            let chain = [holder.der.clone(), middle.der.clone()];
            let checked = check_chain(&chain, &roots(&[&root]), NOW_MS).expect("chain");
            assert_eq!(checked.taxpayer, IIN);
            assert_eq!(checked.serial, holder.serial);
            assert_eq!(
                checked.path,
                chain.to_vec(),
                "the path as presented, without the root"
            );
            let ca = check_issuing_ca(&middle.der, &roots(&[&root]), NOW_MS).unwrap();
            assert_eq!(checked.issuer, IssuerId::of(&ca).unwrap());
            // The intermediate is named for its own issuer's list.
            let root_ca = parse_certificate(&root.der).unwrap();
            let middle_serial = ca.tbs_certificate().serial_number().as_bytes().to_vec();
            assert_eq!(
                checked.intermediates,
                vec![(IssuerId::of(&root_ca).unwrap(), middle_serial)]
            );
            let signature = holder.sign(b"challenge");
            checked
                .key
                .verify_document(b"challenge", &signature)
                .expect("signed");
            assert!(matches!(
                checked.key.verify_document(b"another", &signature),
                Err(CryptoError::BadSignature)
            ));
        }
    }

    #[test]
    fn r_is_16_only_a_signing_certificate_signs_documents_an_authentication_one_signs_in() {
        let root = TestCa::root("Root", TestKey::EcdsaP256, valid());
        let trusted = roots(&[&root]);
        let holder =
            |usage, serial| root.holder(IIN, None, TestKey::EcdsaP256, valid(), usage, serial);
        let (signing, authentication) = (
            holder(TestUsage::Documents, 1),
            holder(TestUsage::Signing, 2),
        );
        for certificate in [&signing, &authentication] {
            check_chain(std::slice::from_ref(&certificate.der), &trusted, NOW_MS)
                .expect("signs in");
        }
        check_document_use(&signing.der).expect("signs documents");
        assert!(matches!(
            check_document_use(&authentication.der),
            Err(CryptoError::CertificateUsage)
        ));
        assert!(matches!(
            check_document_use(b"garbage"),
            Err(CryptoError::MalformedCertificate)
        ));
    }

    #[test]
    fn r_is_16_only_a_head_or_signatory_certificate_names_its_legal_entity() {
        let root = TestCa::root("Root", TestKey::EcdsaP256, valid());
        let trusted = roots(&[&root]);
        let head = root.holder(
            IIN,
            Some(BIN),
            TestKey::EcdsaP256,
            valid(),
            TestUsage::Head,
            9,
        );
        let checked = check_chain(&[head.der], &trusted, NOW_MS).expect("chain");
        assert_eq!(checked.taxpayer, BIN);
        // An employee without signing rights is only itself.
        let employee = root.holder(
            IIN,
            Some(BIN),
            TestKey::EcdsaP256,
            valid(),
            TestUsage::Signing,
            10,
        );
        let checked = check_chain(&[employee.der], &trusted, NOW_MS).expect("chain");
        assert_eq!(checked.taxpayer, IIN);
    }

    #[test]
    fn r_is_16_path_lengths_bind_and_a_same_name_ca_of_another_key_is_another_issuer() {
        let root = TestCa::root("Root", TestKey::RsaA, valid());
        let trusted = roots(&[&root]);
        // A CA allowed no CA below it issues one anyway: the holder below that is refused.
        let bounded = root.intermediate_within("Bounded", TestKey::EcdsaP256, valid(), Some(0));
        let below = bounded.intermediate("Below", TestKey::EcdsaP256, valid());
        let holder = below.holder(
            IIN,
            None,
            TestKey::EcdsaP256,
            valid(),
            TestUsage::Signing,
            1,
        );
        let outcome = check_chain(&[holder.der, below.der, bounded.der], &trusted, NOW_MS);
        assert!(matches!(outcome, Err(CryptoError::CertificateUsage)));
        // Two issuing CAs of one name (a key change): two issuers, each list read as its own.
        let old = root.intermediate("NCA", TestKey::EcdsaP256, valid());
        let new = root.intermediate("NCA", TestKey::RsaB, valid());
        let cas = [&old, &new].map(|ca| check_issuing_ca(&ca.der, &trusted, NOW_MS).unwrap());
        let ids = cas.each_ref().map(|ca| IssuerId::of(ca).unwrap());
        assert_ne!(ids[0], ids[1]);
        let listed = new.revocation_list(&[3], NOW_S - 60, 1);
        let read = check_revocation_list(&listed.der, &cas, NOW_MS).expect("the new key's list");
        assert_eq!(read.issuer, ids[1]);
        let holder = new.holder(
            IIN,
            None,
            TestKey::EcdsaP256,
            valid(),
            TestUsage::Signing,
            3,
        );
        let checked = check_chain(&[holder.der, new.der.clone()], &trusted, NOW_MS).unwrap();
        assert_eq!(checked.issuer, ids[1]);
    }

    #[test]
    fn r_is_16_a_list_that_does_not_speak_for_every_certificate_is_refused() {
        let root = TestCa::root("Root", TestKey::RsaA, valid());
        let middle = root.intermediate("NCA", TestKey::EcdsaP256, valid());
        let ca = check_issuing_ca(&middle.der, &roots(&[&root]), NOW_MS).unwrap();
        let scoped = middle.revocation_list_scoped(&[1], NOW_S - 60, 1, true);
        assert!(matches!(
            check_revocation_list(&scoped.der, std::slice::from_ref(&ca), NOW_MS),
            Err(CryptoError::MalformedRevocationList)
        ));
    }

    #[test]
    fn r_is_16_broken_certificates_are_refused_each_with_its_code() {
        let root = TestCa::root("Root", TestKey::EcdsaP256, valid());
        let other_root = TestCa::root("Other Root", TestKey::EcdsaP256, valid());
        let trusted = roots(&[&root]);
        let past = TestValidity {
            not_before_s: NOW_S - 800 * 86_400,
            not_after_s: NOW_S - 400 * 86_400,
        };
        let future = TestValidity {
            not_before_s: NOW_S + 86_400,
            not_after_s: NOW_S + 400 * 86_400,
        };
        let cases: Vec<(&str, Vec<Vec<u8>>, &str)> = vec![
            (
                "expired",
                vec![
                    root.holder(IIN, None, TestKey::EcdsaP256, past, TestUsage::Signing, 1)
                        .der,
                ],
                "TANBA-CRYPTO-CERTIFICATE-EXPIRED",
            ),
            (
                "not yet valid",
                vec![
                    root.holder(IIN, None, TestKey::EcdsaP256, future, TestUsage::Signing, 2)
                        .der,
                ],
                "TANBA-CRYPTO-CERTIFICATE-NOT-YET-VALID",
            ),
            (
                "wrong usage",
                vec![
                    root.holder(
                        IIN,
                        None,
                        TestKey::EcdsaP256,
                        valid(),
                        TestUsage::EnciphermentOnly,
                        3,
                    )
                    .der,
                ],
                "TANBA-CRYPTO-CERTIFICATE-USAGE",
            ),
            (
                "server only",
                vec![
                    root.holder(
                        IIN,
                        None,
                        TestKey::EcdsaP256,
                        valid(),
                        TestUsage::ServerOnly,
                        4,
                    )
                    .der,
                ],
                "TANBA-CRYPTO-CERTIFICATE-USAGE",
            ),
            (
                "wrong root",
                vec![
                    other_root
                        .holder(
                            IIN,
                            None,
                            TestKey::EcdsaP256,
                            valid(),
                            TestUsage::Signing,
                            5,
                        )
                        .der,
                ],
                "TANBA-CRYPTO-CERTIFICATE-UNTRUSTED",
            ),
            (
                "no IIN",
                vec![
                    root.holder("", None, TestKey::EcdsaP256, valid(), TestUsage::Signing, 6)
                        .der,
                ],
                "TANBA-CRYPTO-CERTIFICATE-SUBJECT",
            ),
            (
                "garbage",
                vec![b"not a certificate".to_vec()],
                "TANBA-CRYPTO-CERTIFICATE-MALFORMED",
            ),
            ("empty", vec![], "TANBA-CRYPTO-CERTIFICATE-MALFORMED"),
            (
                "too long",
                vec![root.der.clone(); CHAIN_CERTIFICATES_MAX + 1],
                "TANBA-CRYPTO-CERTIFICATE-MALFORMED",
            ),
            (
                "a CA's certificate as a signer's",
                vec![root.der.clone()],
                "TANBA-CRYPTO-CERTIFICATE-USAGE",
            ),
        ];
        for (what, chain, code) in cases {
            let outcome = check_chain(&chain, &trusted, NOW_MS);
            assert_eq!(
                outcome.err().map(|error| error.code()),
                Some(code),
                "{what}"
            );
        }
    }

    #[test]
    fn r_is_16_an_expired_or_missing_intermediate_breaks_the_path() {
        let root = TestCa::root("Root", TestKey::EcdsaP256, valid());
        let expired_middle = root.intermediate(
            "Old CA",
            TestKey::EcdsaP256,
            TestValidity {
                not_before_s: NOW_S - 800 * 86_400,
                not_after_s: NOW_S - 1,
            },
        );
        let holder = expired_middle.holder(
            IIN,
            None,
            TestKey::EcdsaP256,
            valid(),
            TestUsage::Signing,
            3,
        );
        let outcome = check_chain(&[holder.der, expired_middle.der], &roots(&[&root]), NOW_MS);
        assert!(matches!(outcome, Err(CryptoError::CertificateExpired)));
        // Without the intermediate the holder has no path.
        let middle = root.intermediate("CA", TestKey::EcdsaP256, valid());
        let holder = middle.holder(
            IIN,
            None,
            TestKey::EcdsaP256,
            valid(),
            TestUsage::Signing,
            4,
        );
        let outcome = check_chain(&[holder.der], &roots(&[&root]), NOW_MS);
        assert!(matches!(outcome, Err(CryptoError::CertificateUntrusted)));
    }

    #[test]
    fn r_is_16_a_signature_swapped_onto_another_key_does_not_verify() {
        let root = TestCa::root("Root", TestKey::RsaA, valid());
        let rsa = root.holder(IIN, None, TestKey::RsaB, valid(), TestUsage::Signing, 10);
        let ecdsa = root.holder(
            IIN,
            None,
            TestKey::EcdsaP256,
            valid(),
            TestUsage::Signing,
            11,
        );
        let trusted = roots(&[&root]);
        let rsa_checked = check_chain(std::slice::from_ref(&rsa.der), &trusted, NOW_MS).unwrap();
        let ecdsa_checked =
            check_chain(std::slice::from_ref(&ecdsa.der), &trusted, NOW_MS).unwrap();
        let by_rsa = rsa.sign(b"m");
        assert!(ecdsa_checked.key.verify_document(b"m", &by_rsa).is_err());
        assert!(
            rsa_checked
                .key
                .verify_document(b"m", &ecdsa.sign(b"m"))
                .is_err()
        );
        assert!(
            rsa_checked
                .key
                .verify_document(b"m", &by_rsa[..10])
                .is_err()
        );
    }

    #[test]
    fn r_is_16_revocation_lists_are_read_only_from_their_signed_issuer() {
        let root = TestCa::root("Root", TestKey::RsaA, valid());
        let middle = root.intermediate("NCA", TestKey::EcdsaP256, valid());
        let trusted = roots(&[&root]);
        let ca = check_issuing_ca(&middle.der, &trusted, NOW_MS).expect("issuing CA");
        let list = middle.revocation_list(&[5, 300, 5], NOW_S - 60, 1);
        let read =
            check_revocation_list(&list.der, std::slice::from_ref(&ca), NOW_MS).expect("list");
        // Sorted as bytes: 300 is [1, 44], before [5].
        let serials = [300, 5].map(crate::x509_test_pki::serial_bytes).to_vec();
        assert_eq!(read.serials, serials);
        assert_eq!(read.this_update_ms, (NOW_S as u64 - 60) * 1000);
        assert_eq!(read.issuer, IssuerId::of(&ca).unwrap());
        // The same list read from PEM.
        let from_pem = revocation_lists_from_pem(list.pem.as_bytes()).expect("PEM");
        assert_eq!(from_pem, vec![list.der.clone()]);
        // A list by a CA nobody checked is untrusted; a list from the future is refused.
        let stranger = TestCa::root("NCA", TestKey::EcdsaP256, valid());
        let forged = stranger.revocation_list(&[], NOW_S - 60, 2);
        assert!(matches!(
            check_revocation_list(&forged.der, std::slice::from_ref(&ca), NOW_MS),
            Err(CryptoError::RevocationListUntrusted)
        ));
        let early = middle.revocation_list(&[], NOW_S + 3600, 3);
        assert!(matches!(
            check_revocation_list(&early.der, std::slice::from_ref(&ca), NOW_MS),
            Err(CryptoError::MalformedRevocationList)
        ));
        let mut flipped = list.der.clone();
        let last = flipped.len() - 3;
        flipped[last] ^= 1;
        assert!(check_revocation_list(&flipped, &[ca], NOW_MS).is_err());
        // An issuing CA that does not reach a root is refused.
        assert!(matches!(
            check_issuing_ca(&stranger.der, &trusted, NOW_MS),
            Err(CryptoError::CertificateUntrusted)
        ));
    }

    #[test]
    fn r_is_16_gost_keys_are_named_as_unsupported() {
        // GOST R 34.10-2012 256-bit public key algorithm (1.2.643.7.1.1.1.1): recognised,
        // refused with the algorithm code, never misread as RSA or P-256.
        let spki = SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned {
                oid: ObjectIdentifier::new_unwrap("1.2.643.7.1.1.1.1"),
                parameters: None,
            },
            subject_public_key: x509_cert::der::asn1::BitString::from_bytes(&[4; 65]).unwrap(),
        };
        assert!(matches!(
            CertificateKey::from_spki(&spki),
            Err(CryptoError::CertificateAlgorithm)
        ));
    }
}
