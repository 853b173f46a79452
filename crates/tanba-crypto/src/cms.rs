//! Documents and decisions signed with a certificate of an accredited centre (R-IS-16): a
//! detached CMS `SignedData` (RFC 5652), as signing tools such as NCALayer make it.
//!
//! What is signed is the document's canonical bytes, which the server makes itself from the
//! request; the CMS therefore carries no content (a signature over content of its own would
//! sign something other than what the engine executes). It carries one signer, that signer's
//! certificate (and any intermediates), SHA-256, and the signed attributes `contentType` (data)
//! and `messageDigest`; other signed attributes (signing time, signing certificate) are allowed
//! and not read, and unsigned attributes (time stamps) are ignored. The signature over the
//! attributes' DER is PKCS#1 v1.5 or ECDSA P-256, with SHA-256.
//!
//! Opening and verifying here answers only "did this certificate's key sign these bytes, and
//! whom does it name"; whether the chain reaches a root and the certificate still stands is the
//! caller's ([`crate::x509::check_chain`] and the revocation state in the log).
//!
//! [`CertificateSigner`] is the other side, for clients: a certificate and its PKCS#8 key sign
//! in (a raw signature) and sign documents (a CMS), with ring's constant-time RSA.
//!
//! Must never know: the log, participants, the network or the clock.

use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::der::asn1::{Any, OctetString, SetOfVec};
use x509_cert::der::{Decode, Encode, oid::ObjectIdentifier};
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use x509_cert::spki::AlgorithmIdentifierOwned;

use crate::errors::CryptoError;
use crate::x509::{self, CHAIN_CERTIFICATES_MAX, CertificateKey};

/// Largest CMS signature read: a few certificates of a few KiB each and the signature. The
/// engine's limit on a stored document signature is at least this.
pub const CMS_SIGNATURE_BYTES_MAX: usize = 16 * 1024;
/// Most signed attributes read (a signing tool adds three or four).
pub const SIGNED_ATTRIBUTES_MAX: usize = 16;
/// Most bytes of the signed attributes (content type, digest, signing time, signing
/// certificate and a policy take a few hundred): what a signer may add to the log beyond its
/// certificates.
pub const SIGNED_ATTRIBUTES_BYTES_MAX: usize = 2048;

const OID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const OID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const OID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const OID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const OID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const OID_RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const OID_ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");

/// A detached CMS signature, opened: its certificates and what its signer signed.
#[derive(Debug, Clone)]
pub struct DocumentSignature {
    /// The certificates it carries (DER), the signer's first.
    chain: Vec<Vec<u8>>,
    /// The `SignedData` and signer versions as given (they follow from the signer identifier).
    versions: (CmsVersion, CmsVersion),
    /// How the signer is named.
    sid: SignerIdentifier,
    /// The signed attributes as parsed.
    attributes: SetOfVec<Attribute>,
    /// The signed attributes as signed (DER `SET OF`).
    signed_attributes: Vec<u8>,
    /// The `messageDigest` attribute: SHA-256 of the signed bytes.
    message_digest: Vec<u8>,
    /// The signature algorithm as given.
    given_algorithm: AlgorithmIdentifierOwned,
    /// The signature algorithm as an X.509 one (`sha256WithRSAEncryption` or
    /// `ecdsa-with-SHA256`).
    algorithm: AlgorithmIdentifierOwned,
    /// The signature over `signed_attributes`.
    signature: Vec<u8>,
}

/// Whether a document signature is a CMS (anything else is an Ed25519 signature of 64 bytes):
/// a DER `SEQUENCE` longer than any raw signature.
pub fn is_cms(signature: &[u8]) -> bool {
    signature.len() > crate::Algorithm::Ed25519.signature_length() && signature[0] == 0x30
}

/// Opens a detached CMS signature: exactly one signer, identified among the certificates it
/// carries, with SHA-256 and the signed attributes read here; nothing is verified yet.
pub fn open(der: &[u8]) -> Result<DocumentSignature, CryptoError> {
    let malformed = |_| CryptoError::MalformedCms;
    if der.len() > CMS_SIGNATURE_BYTES_MAX {
        return Err(CryptoError::MalformedCms);
    }
    let info = ContentInfo::from_der(der).map_err(malformed)?;
    if info.content_type != OID_SIGNED_DATA {
        return Err(CryptoError::MalformedCms);
    }
    let data: SignedData = info.content.decode_as().map_err(malformed)?;
    // Detached: the signed bytes are the document the server makes, never content the CMS brings.
    if data.encap_content_info.econtent_type != OID_DATA
        || data.encap_content_info.econtent.is_some()
    {
        return Err(CryptoError::MalformedCms);
    }
    let [signer] = data.signer_infos.0.as_slice() else {
        return Err(CryptoError::MalformedCms);
    };
    if signer.digest_alg.oid != OID_SHA256 {
        return Err(CryptoError::CertificateAlgorithm);
    }
    let certificates = carried_certificates(&data)?;
    let signer_at = certificates
        .iter()
        .position(|certificate| identifies(&signer.sid, certificate))
        .ok_or(CryptoError::MalformedCms)?;
    let mut chain = Vec::with_capacity(certificates.len());
    chain.push(certificates[signer_at].to_der().map_err(malformed)?);
    for (at, certificate) in certificates.iter().enumerate() {
        if at != signer_at {
            chain.push(certificate.to_der().map_err(malformed)?);
        }
    }
    let attributes = signer
        .signed_attrs
        .as_ref()
        .ok_or(CryptoError::MalformedCms)?;
    let content_type = single_value(attributes, OID_CONTENT_TYPE)?
        .decode_as::<ObjectIdentifier>()
        .map_err(malformed)?;
    if content_type != OID_DATA {
        return Err(CryptoError::MalformedCms);
    }
    let message_digest = single_value(attributes, OID_MESSAGE_DIGEST)?
        .decode_as::<OctetString>()
        .map_err(malformed)?;
    let signed_attributes = attributes.to_der().map_err(malformed)?;
    if signed_attributes.len() > SIGNED_ATTRIBUTES_BYTES_MAX {
        return Err(CryptoError::MalformedCms);
    }
    Ok(DocumentSignature {
        chain,
        versions: (data.version, signer.version),
        sid: signer.sid.clone(),
        attributes: attributes.clone(),
        signed_attributes,
        message_digest: message_digest.as_bytes().to_vec(),
        given_algorithm: signer.signature_algorithm.clone(),
        algorithm: x509_algorithm(&signer.signature_algorithm)?,
        signature: signer.signature.as_bytes().to_vec(),
    })
}

impl DocumentSignature {
    /// The certificates it carries (DER), the signer's first: at least one.
    pub fn chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    /// The signature as it is kept: the same signer, signed attributes and signature, with
    /// only the certificates of `path` (the signer's and the intermediates that chained it,
    /// DER) and nothing unsigned (no revocation lists, no unsigned attributes), so what a signer
    /// adds to the log is bounded by what was checked.
    pub fn canonical(&self, path: &[Vec<u8>]) -> Result<Vec<u8>, CryptoError> {
        let malformed = |_| CryptoError::MalformedCms;
        let certificates = path
            .iter()
            .map(|der| {
                Certificate::from_der(der)
                    .map(cms::cert::CertificateChoices::Certificate)
                    .map_err(|_| CryptoError::MalformedCertificate)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let signer = SignerInfo {
            version: self.versions.1,
            sid: self.sid.clone(),
            digest_alg: sha256(),
            signed_attrs: Some(self.attributes.clone()),
            signature_algorithm: self.given_algorithm.clone(),
            signature: OctetString::new(self.signature.clone()).map_err(malformed)?,
            unsigned_attrs: None,
        };
        signed_data(self.versions.0, certificates, signer)
    }

    /// Checks that the signer's certificate key signed `message`, and returns whom the
    /// certificate names (IIN/BIN) as the signer claims it; the chain is not checked here.
    pub fn verify(&self, message: &[u8]) -> Result<String, CryptoError> {
        let (named, key) = x509::claimed_signer(&self.chain[0])?;
        if Sha256::digest(message).as_slice() != self.message_digest.as_slice() {
            return Err(CryptoError::BadSignature);
        }
        key.verify(&self.algorithm, &self.signed_attributes, &self.signature)?;
        Ok(named)
    }
}

/// The X.509 certificates a `SignedData` carries: at least one (the signer's), at most a chain.
fn carried_certificates(data: &SignedData) -> Result<Vec<Certificate>, CryptoError> {
    let set = data
        .certificates
        .as_ref()
        .ok_or(CryptoError::MalformedCms)?;
    if set.0.is_empty() || set.0.len() > CHAIN_CERTIFICATES_MAX {
        return Err(CryptoError::MalformedCms);
    }
    set.0
        .iter()
        .map(|choice| match choice {
            cms::cert::CertificateChoices::Certificate(certificate) => Ok(certificate.clone()),
            cms::cert::CertificateChoices::Other(_) => Err(CryptoError::MalformedCms),
        })
        .collect()
}

/// Whether a signer identifier names `certificate`: by issuer and serial, or by its subject
/// key identifier.
fn identifies(sid: &SignerIdentifier, certificate: &Certificate) -> bool {
    let tbs = certificate.tbs_certificate();
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(named) => {
            named.issuer == *tbs.issuer() && named.serial_number == *tbs.serial_number()
        }
        SignerIdentifier::SubjectKeyIdentifier(named) => tbs
            .get_extension::<SubjectKeyIdentifier>()
            .ok()
            .flatten()
            .is_some_and(|(_, key_id)| key_id == *named),
    }
}

/// The one value of the one attribute of type `oid` (RFC 5652 section 11: these attributes
/// occur once, with one value).
fn single_value(
    attributes: &SetOfVec<Attribute>,
    oid: ObjectIdentifier,
) -> Result<&Any, CryptoError> {
    if attributes.len() > SIGNED_ATTRIBUTES_MAX {
        return Err(CryptoError::MalformedCms);
    }
    let mut found = attributes.iter().filter(|attribute| attribute.oid == oid);
    let (Some(attribute), None) = (found.next(), found.next()) else {
        return Err(CryptoError::MalformedCms);
    };
    let [value] = attribute.values.as_slice() else {
        return Err(CryptoError::MalformedCms);
    };
    Ok(value)
}

/// A CMS signature algorithm as the X.509 one the key checks: `rsaEncryption` (which CMS uses
/// with the digest named beside it, here SHA-256) is PKCS#1 v1.5 with SHA-256.
fn x509_algorithm(
    algorithm: &AlgorithmIdentifierOwned,
) -> Result<AlgorithmIdentifierOwned, CryptoError> {
    let oid = match algorithm.oid {
        OID_RSA_ENCRYPTION | OID_SHA256_WITH_RSA => OID_SHA256_WITH_RSA,
        OID_ECDSA_WITH_SHA256 => OID_ECDSA_WITH_SHA256,
        _ => return Err(CryptoError::CertificateAlgorithm),
    };
    Ok(AlgorithmIdentifierOwned {
        oid,
        parameters: None,
    })
}

/// Makes a detached CMS signature over `message` by the holder of `chain[0]`, with `sign`
/// signing the signed attributes' DER with its key (PKCS#1 v1.5 or DER ECDSA, SHA-256).
pub fn sign_detached(
    message: &[u8],
    chain: &[Vec<u8>],
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, CryptoError>,
) -> Result<Vec<u8>, CryptoError> {
    let malformed = |_| CryptoError::MalformedCms;
    let certificates = chain
        .iter()
        .map(|der| Certificate::from_der(der).map_err(|_| CryptoError::MalformedCertificate))
        .collect::<Result<Vec<_>, _>>()?;
    let leaf = certificates
        .first()
        .ok_or(CryptoError::MalformedCertificate)?;
    let (_, key) = x509::claimed_signer(&chain[0])?;
    let attribute = |oid, value: Any| -> Result<Attribute, CryptoError> {
        Ok(Attribute {
            oid,
            values: SetOfVec::try_from(vec![value]).map_err(malformed)?,
        })
    };
    let digest = OctetString::new(Sha256::digest(message).to_vec()).map_err(malformed)?;
    let attributes = SetOfVec::try_from(vec![
        attribute(
            OID_CONTENT_TYPE,
            Any::encode_from(&OID_DATA).map_err(malformed)?,
        )?,
        attribute(
            OID_MESSAGE_DIGEST,
            Any::encode_from(&digest).map_err(malformed)?,
        )?,
    ])
    .map_err(malformed)?;
    let signature = sign(&attributes.to_der().map_err(malformed)?)?;
    let signer = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(cms::cert::IssuerAndSerialNumber {
            issuer: leaf.tbs_certificate().issuer().clone(),
            serial_number: leaf.tbs_certificate().serial_number().clone(),
        }),
        digest_alg: sha256(),
        signed_attrs: Some(attributes),
        signature_algorithm: AlgorithmIdentifierOwned {
            oid: match key {
                CertificateKey::Rsa(_) => OID_SHA256_WITH_RSA,
                CertificateKey::EcdsaP256(_) => OID_ECDSA_WITH_SHA256,
            },
            parameters: None,
        },
        signature: OctetString::new(signature).map_err(malformed)?,
        unsigned_attrs: None,
    };
    let certificates = certificates
        .into_iter()
        .map(cms::cert::CertificateChoices::Certificate)
        .collect();
    signed_data(CmsVersion::V1, certificates, signer)
}

fn sha256() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: OID_SHA256,
        parameters: None,
    }
}

/// A detached `SignedData` of one signer with `certificates`, DER.
fn signed_data(
    version: CmsVersion,
    certificates: Vec<cms::cert::CertificateChoices>,
    signer: SignerInfo,
) -> Result<Vec<u8>, CryptoError> {
    let malformed = |_| CryptoError::MalformedCms;
    let data = SignedData {
        version,
        digest_algorithms: SetOfVec::try_from(vec![sha256()]).map_err(malformed)?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: OID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet(
            SetOfVec::try_from(certificates).map_err(malformed)?,
        )),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer]).map_err(malformed)?),
    };
    ContentInfo {
        content_type: OID_SIGNED_DATA,
        content: Any::encode_from(&data).map_err(malformed)?,
    }
    .to_der()
    .map_err(malformed)
}

/// A certificate and its private key, for a client: signs in (a raw signature over the
/// challenge) and signs documents (a detached CMS).
pub struct CertificateSigner {
    chain: Vec<Vec<u8>>,
    key: PrivateKey,
}

enum PrivateKey {
    Rsa(ring::signature::RsaKeyPair),
    EcdsaP256(ring::signature::EcdsaKeyPair),
}

impl std::fmt::Debug for CertificateSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.debug_struct("CertificateSigner")
            .field("certificates", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl CertificateSigner {
    /// Reads a chain (PEM, the holder's certificate first) and the holder's PKCS#8 private key
    /// (PEM `PRIVATE KEY`, RSA or ECDSA P-256), and checks that the key is the certificate's.
    pub fn from_pem(chain_pem: &[u8], key_pem: &[u8]) -> Result<CertificateSigner, CryptoError> {
        let chain = x509::certificates_from_pem(chain_pem)?;
        if chain.is_empty() || chain.len() > CHAIN_CERTIFICATES_MAX {
            return Err(CryptoError::MalformedCertificate);
        }
        let (label, der) =
            x509_cert::der::pem::decode_vec(key_pem).map_err(|_| CryptoError::SigningKey)?;
        if label != "PRIVATE KEY" {
            return Err(CryptoError::SigningKey);
        }
        let (_, public) = x509::claimed_signer(&chain[0])?;
        let key = match public {
            CertificateKey::Rsa(_) => PrivateKey::Rsa(
                ring::signature::RsaKeyPair::from_pkcs8(&der)
                    .map_err(|_| CryptoError::SigningKey)?,
            ),
            CertificateKey::EcdsaP256(_) => PrivateKey::EcdsaP256(
                ring::signature::EcdsaKeyPair::from_pkcs8(
                    &ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
                    &der,
                    &ring::rand::SystemRandom::new(),
                )
                .map_err(|_| CryptoError::SigningKey)?,
            ),
        };
        let signer = CertificateSigner { chain, key };
        // A key of another certificate would make signatures nobody can check.
        let probe = b"tanba-certificate-signer-probe";
        public
            .verify_document(probe, &signer.sign(probe)?)
            .map_err(|_| CryptoError::SigningKey)?;
        Ok(signer)
    }

    /// The chain (DER, the holder's certificate first), as sign-in presents it.
    pub fn chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    /// Signs `message` with the certificate's key: PKCS#1 v1.5 or DER ECDSA, SHA-256.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let random = ring::rand::SystemRandom::new();
        match &self.key {
            PrivateKey::Rsa(key) => {
                let mut signature = vec![0; key.public().modulus_len()];
                key.sign(
                    &ring::signature::RSA_PKCS1_SHA256,
                    &random,
                    message,
                    &mut signature,
                )
                .map_err(|_| CryptoError::SigningKey)?;
                Ok(signature)
            }
            PrivateKey::EcdsaP256(key) => key
                .sign(&random, message)
                .map(|signature| signature.as_ref().to_vec())
                .map_err(|_| CryptoError::SigningKey),
        }
    }

    /// Signs a document's canonical bytes: a detached CMS with the chain.
    pub fn sign_document(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        sign_detached(message, &self.chain, |attributes| self.sign(attributes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x509::TrustRoots;
    use crate::x509_test_pki::{TestCa, TestHolder, TestKey, TestUsage, TestValidity};

    const NOW_S: i64 = 1_796_000_000;
    const NOW_MS: u64 = NOW_S as u64 * 1000;
    const IIN: &str = "870412300416";
    const DOCUMENT: &[u8] = b"tanba-document-v1\nkind: ship\nsigner: 870412300416\n";

    struct Pki {
        root: TestCa,
        middle: TestCa,
        holder: TestHolder,
    }

    fn pki(key: TestKey) -> Pki {
        let valid = TestValidity::around(NOW_S, 365);
        let root = TestCa::root("Test NCA Root", TestKey::RsaA, valid);
        let middle = root.intermediate("Test NCA", TestKey::EcdsaP256, valid);
        let holder = middle.holder(IIN, None, key, valid, TestUsage::Signing, 11);
        Pki {
            root,
            middle,
            holder,
        }
    }

    impl Pki {
        fn signer(&self) -> CertificateSigner {
            let chain = format!("{}{}", self.holder.pem(), self.middle.pem);
            CertificateSigner::from_pem(chain.as_bytes(), self.holder.key_pem().as_bytes())
                .expect("signer")
        }
    }

    /// Re-encodes a CMS after `change` alters its `SignedData` (the signature is left as made).
    fn altered(der: &[u8], change: impl FnOnce(&mut SignedData)) -> Vec<u8> {
        let info = ContentInfo::from_der(der).unwrap();
        let mut data: SignedData = info.content.decode_as().unwrap();
        change(&mut data);
        ContentInfo {
            content_type: info.content_type,
            content: Any::encode_from(&data).unwrap(),
        }
        .to_der()
        .unwrap()
    }

    fn signer_info(data: &mut SignedData, change: impl FnOnce(&mut SignerInfo)) {
        let mut signer = data.signer_infos.0.as_slice()[0].clone();
        change(&mut signer);
        data.signer_infos = SignerInfos(SetOfVec::try_from(vec![signer]).unwrap());
    }

    /// Rewrites the signer's signed attributes (the signature is left as made).
    fn signed_attributes(data: &mut SignedData, change: impl FnOnce(&mut Vec<Attribute>)) {
        signer_info(data, |signer| {
            let attributes = signer.signed_attrs.as_mut().unwrap();
            let mut all: Vec<Attribute> = attributes.iter().cloned().collect();
            change(&mut all);
            *attributes = SetOfVec::try_from(all).unwrap();
        })
    }

    /// An attribute of one octet-string value.
    fn one_valued(oid: &str, value: &OctetString) -> Attribute {
        Attribute {
            oid: ObjectIdentifier::new_unwrap(oid),
            values: SetOfVec::try_from(vec![Any::encode_from(value).unwrap()]).unwrap(),
        }
    }

    /// The certificates a CMS carries, from DER.
    fn carrying(certificates: &[&[u8]]) -> Option<CertificateSet> {
        let choices: Vec<_> = certificates
            .iter()
            .map(|der| {
                cms::cert::CertificateChoices::Certificate(Certificate::from_der(der).unwrap())
            })
            .collect();
        Some(CertificateSet(SetOfVec::try_from(choices).unwrap()))
    }

    #[test]
    fn r_is_16_a_document_signed_with_an_rsa_or_ecdsa_certificate_names_its_holder() {
        for key in [TestKey::RsaB, TestKey::EcdsaP256] {
            let pki = pki(key);
            let signature = pki.signer().sign_document(DOCUMENT).expect("signed");
            assert!(is_cms(&signature));
            let opened = open(&signature).expect("opened");
            assert_eq!(opened.verify(DOCUMENT).expect("verifies"), IIN);
            // The chain it carries (signer first) checks up to the root like a sign-in's.
            let roots = TrustRoots::from_pem(pki.root.pem.as_bytes()).unwrap();
            let checked = x509::check_chain(opened.chain(), &roots, NOW_MS).expect("chain");
            assert_eq!(checked.serial, pki.holder.serial);
            // Another document, or the same one altered by a byte, is not what was signed.
            assert!(matches!(
                opened.verify(b"tanba-document-v1\nkind: ship\nsigner: 870412300417\n"),
                Err(CryptoError::BadSignature)
            ));
        }
    }

    #[test]
    fn r_is_16_a_signature_made_by_another_tool_with_the_same_key_verifies() {
        // rcgen's signer (the test PKI's) makes the attributes' signature: two implementations.
        let pki = pki(TestKey::RsaB);
        let chain = [pki.holder.der.clone(), pki.middle.der.clone()];
        let signature =
            sign_detached(DOCUMENT, &chain, |bytes| Ok(pki.holder.sign(bytes))).expect("cms");
        assert_eq!(open(&signature).unwrap().verify(DOCUMENT).unwrap(), IIN);
    }

    #[test]
    fn r_is_16_cms_signatures_made_by_openssl_open_and_verify() {
        // Another implementation's output, with its default attributes (signing time, S/MIME
        // capabilities) and both ways of naming the signer (testdata/README.md).
        let document = include_bytes!("../testdata/openssl-cms/document.txt");
        for signature in [
            &include_bytes!("../testdata/openssl-cms/rsa.der")[..],
            &include_bytes!("../testdata/openssl-cms/ecdsa-keyid.der")[..],
        ] {
            assert!(is_cms(signature));
            let opened = open(signature).expect("OpenSSL's CMS opens");
            assert_eq!(opened.verify(document).expect("and verifies"), IIN);
            let mut altered = document.to_vec();
            altered[0] ^= 1;
            assert!(matches!(
                opened.verify(&altered),
                Err(CryptoError::BadSignature)
            ));
        }
    }

    #[test]
    fn r_is_16_a_forged_or_altered_cms_signature_is_refused() {
        let pki = pki(TestKey::EcdsaP256);
        let good = pki.signer().sign_document(DOCUMENT).unwrap();
        let refused = |der: &[u8]| open(der).and_then(|opened| opened.verify(DOCUMENT));
        // The signature value changed.
        let forged = altered(&good, |data| {
            signer_info(data, |signer| {
                let mut bytes = signer.signature.as_bytes().to_vec();
                let last = bytes.len() - 2;
                bytes[last] ^= 1;
                signer.signature = OctetString::new(bytes).unwrap();
            })
        });
        assert!(refused(&forged).is_err());
        // The digest attribute names other bytes (the attributes no longer match the signature).
        let other_digest = altered(&good, |data| {
            signed_attributes(data, |all| {
                all.retain(|attribute| attribute.oid != OID_MESSAGE_DIGEST);
                let digest = OctetString::new(Sha256::digest(b"other").to_vec()).unwrap();
                all.push(one_valued("1.2.840.113549.1.9.4", &digest));
            })
        });
        assert!(matches!(
            refused(&other_digest),
            Err(CryptoError::BadSignature)
        ));
        // Another certificate presented as the signer's (same name, another key).
        let impostor = pki.middle.holder(
            IIN,
            None,
            TestKey::EcdsaP256,
            TestValidity::around(NOW_S, 365),
            TestUsage::Signing,
            11,
        );
        let swapped = altered(&good, |data| data.certificates = carrying(&[&impostor.der]));
        assert!(matches!(refused(&swapped), Err(CryptoError::BadSignature)));
    }

    #[test]
    fn r_is_16_the_kept_signature_carries_only_what_was_checked() {
        let pki = pki(TestKey::RsaB);
        let good = pki.signer().sign_document(DOCUMENT).unwrap();
        // Padding a signer could add: a stranger's certificate, a revocation list's place,
        // unsigned attributes.
        let padded = altered(&good, |data| {
            let carried = [&pki.holder.der[..], &pki.middle.der, &pki.root.der];
            data.certificates = carrying(&carried);
            signer_info(data, |signer| {
                let time_stamp = OctetString::new(vec![0xAA; 4000]).unwrap();
                let padding = one_valued("1.2.840.113549.1.9.16.2.14", &time_stamp);
                signer.unsigned_attrs = Some(SetOfVec::try_from(vec![padding]).unwrap());
            });
        });
        let opened = open(&padded).expect("opens");
        assert_eq!(opened.chain().len(), 3);
        assert_eq!(opened.verify(DOCUMENT).unwrap(), IIN);
        let path = [pki.holder.der.clone(), pki.middle.der.clone()];
        let kept = opened.canonical(&path).unwrap();
        assert!(
            kept.len() < padded.len() - 4000,
            "{} of {}",
            kept.len(),
            padded.len()
        );
        let reopened = open(&kept).expect("the kept form opens");
        assert_eq!(reopened.chain(), &path[..]);
        assert_eq!(reopened.verify(DOCUMENT).unwrap(), IIN);
        assert_eq!(
            reopened.canonical(&path).unwrap(),
            kept,
            "and is its own canonical form"
        );
        // Signed attributes past their limit are refused.
        let bloated = altered(&good, |data| {
            signed_attributes(data, |all| {
                let policy = OctetString::new(vec![0; SIGNED_ATTRIBUTES_BYTES_MAX]).unwrap();
                all.push(one_valued("1.2.840.113549.1.9.16.2.15", &policy));
            })
        });
        assert!(matches!(open(&bloated), Err(CryptoError::MalformedCms)));
    }

    #[test]
    fn r_is_16_a_cms_this_server_does_not_read_is_refused_with_its_code() {
        let pki = pki(TestKey::RsaB);
        let good = pki.signer().sign_document(DOCUMENT).unwrap();
        let code = |der: &[u8]| open(der).map(|_| ()).map_err(|error| error.code());
        assert_eq!(code(&good), Ok(()));
        let malformed = Err("TANBA-CRYPTO-CMS-MALFORMED");
        // Content of its own: what would be signed is not the document the server makes.
        let attached = altered(&good, |data| {
            data.encap_content_info.econtent =
                Some(Any::encode_from(&OctetString::new(DOCUMENT.to_vec()).unwrap()).unwrap());
        });
        assert_eq!(code(&attached), malformed);
        // No certificates: the signer cannot be known.
        assert_eq!(
            code(&altered(&good, |data| data.certificates = None)),
            malformed
        );
        // Two signers.
        let twice = altered(&good, |data| {
            let first = data.signer_infos.0.as_slice()[0].clone();
            let mut second = first.clone();
            second.signature = OctetString::new(vec![1; 256]).unwrap();
            data.signer_infos = SignerInfos(SetOfVec::try_from(vec![first, second]).unwrap());
        });
        assert_eq!(code(&twice), malformed);
        // A signer identifier naming none of the certificates.
        let stranger = altered(&good, |data| {
            signer_info(data, |signer| {
                signer.sid = SignerIdentifier::SubjectKeyIdentifier(SubjectKeyIdentifier(
                    OctetString::new(vec![7; 20]).unwrap(),
                ))
            })
        });
        assert_eq!(code(&stranger), malformed);
        // Signed attributes missing, or the digest missing.
        let bare = altered(&good, |data| {
            signer_info(data, |signer| signer.signed_attrs = None)
        });
        assert_eq!(code(&bare), malformed);
        let no_digest = altered(&good, |data| {
            signed_attributes(data, |all| {
                all.retain(|attribute| attribute.oid != OID_MESSAGE_DIGEST)
            })
        });
        assert_eq!(code(&no_digest), malformed);
        // SHA-1 as the digest: refused by algorithm.
        let sha1 = altered(&good, |data| {
            signer_info(data, |signer| {
                signer.digest_alg.oid = ObjectIdentifier::new_unwrap("1.3.14.3.2.26")
            })
        });
        assert_eq!(code(&sha1), Err("TANBA-CRYPTO-CERTIFICATE-ALGORITHM"));
        // Not a SignedData, garbage, truncated, oversized.
        assert_eq!(code(b"\x30\x03\x02\x01\x00"), malformed);
        assert_eq!(code(&good[..good.len() - 1]), malformed);
        assert_eq!(code(&vec![0x30; CMS_SIGNATURE_BYTES_MAX + 1]), malformed);
        assert!(!is_cms(&[0x30; 64]));
    }

    #[test]
    fn r_is_16_a_key_that_is_not_the_certificates_is_refused_when_loaded() {
        let pki = pki(TestKey::RsaB);
        let other = pki.middle.holder(
            IIN,
            None,
            TestKey::RsaA,
            TestValidity::around(NOW_S, 365),
            TestUsage::Signing,
            12,
        );
        let refused =
            CertificateSigner::from_pem(pki.holder.pem().as_bytes(), other.key_pem().as_bytes());
        assert!(matches!(refused, Err(CryptoError::SigningKey)));
        let garbage = CertificateSigner::from_pem(pki.holder.pem().as_bytes(), b"not a key");
        assert!(matches!(garbage, Err(CryptoError::SigningKey)));
    }
}
