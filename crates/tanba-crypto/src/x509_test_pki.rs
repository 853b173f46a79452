//! A certification centre made in the tests (feature `test-pki`): roots, intermediates,
//! participants' certificates of every broken kind, and revocation lists, signed by rcgen over
//! ring, an implementation other than the verifier's. Never built into the server.

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DistinguishedName,
    DnType, ExtendedKeyUsagePurpose, IsCa, KeyIdMethod, KeyPair, KeyUsagePurpose,
    RevokedCertParams, SerialNumber, SignatureAlgorithm, SigningKey,
};

/// RSA keys kept in `testdata/` (ring does not generate RSA keys).
const RSA_KEYS_PEM: [&str; 2] = [
    include_str!("../testdata/rsa-2048-a.pem"),
    include_str!("../testdata/rsa-2048-b.pem"),
];

/// Which key a test certificate gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestKey {
    /// ECDSA P-256 with SHA-256, generated.
    EcdsaP256,
    /// RSA 2048 with SHA-256, the first kept key.
    RsaA,
    /// RSA 2048 with SHA-256, the second kept key.
    RsaB,
}

impl TestKey {
    fn key_pair(self) -> KeyPair {
        match self {
            TestKey::EcdsaP256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256),
            TestKey::RsaA | TestKey::RsaB => {
                let pem = RSA_KEYS_PEM[usize::from(self == TestKey::RsaB)];
                KeyPair::from_pkcs8_pem_and_sign_algo(pem, rsa_sha256())
            }
        }
        .expect("test key")
    }
}

fn rsa_sha256() -> &'static SignatureAlgorithm {
    &rcgen::PKCS_RSA_SHA256
}

/// Validity of a test certificate, unix seconds.
#[derive(Debug, Clone, Copy)]
pub struct TestValidity {
    /// First valid second.
    pub not_before_s: i64,
    /// Last valid second.
    pub not_after_s: i64,
}

impl TestValidity {
    /// From `at_s - days` to `at_s + days`.
    pub fn around(at_s: i64, days: i64) -> TestValidity {
        TestValidity {
            not_before_s: at_s - days * 86_400,
            not_after_s: at_s + days * 86_400,
        }
    }
}

fn time(seconds: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(seconds).expect("test time")
}

/// A certification authority of the test PKI: its certificate and key.
pub struct TestCa {
    params: CertificateParams,
    key: KeyPair,
    /// Its certificate, DER.
    pub der: Vec<u8>,
    /// Its certificate, PEM.
    pub pem: String,
}

/// A participant's certificate and key.
pub struct TestHolder {
    key: KeyPair,
    /// Its certificate, DER.
    pub der: Vec<u8>,
    /// Its serial number's bytes.
    pub serial: Vec<u8>,
}

impl TestHolder {
    /// Signs `message` as a participant's tool would (PKCS#1 v1.5 or DER ECDSA, SHA-256).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.key.sign(message).expect("test signature")
    }

    /// Its private key as a client keeps it: PKCS#8, PEM.
    pub fn key_pem(&self) -> String {
        self.key.serialize_pem()
    }

    /// Its certificate, PEM.
    pub fn pem(&self) -> String {
        x509_cert::der::pem::encode_string(
            "CERTIFICATE",
            x509_cert::der::pem::LineEnding::LF,
            &self.der,
        )
        .expect("test certificate PEM")
    }
}

/// What is wrong with a holder's certificate, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestUsage {
    /// Digital signature, client authentication.
    Signing,
    /// Key encipherment only: may not sign.
    EnciphermentOnly,
    /// Digital signature but extended usage server authentication only.
    ServerOnly,
    /// Digital signature, client authentication, and with a BIN the centre's first-head role
    /// (the holder acts for its legal entity).
    Head,
    /// The centre's signing certificate: digital signature and non-repudiation, e-mail
    /// protection: signs documents and decisions (and may sign in).
    Documents,
}

fn ca_params(name: &str, validity: TestValidity) -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "KZ");
    dn.push(DnType::CommonName, name);
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = time(validity.not_before_s);
    params.not_after = time(validity.not_after_s);
    params.key_identifier_method = KeyIdMethod::Sha256;
    params
}

impl TestCa {
    /// A self-signed root.
    pub fn root(name: &str, key: TestKey, validity: TestValidity) -> TestCa {
        let params = ca_params(name, validity);
        let key = key.key_pair();
        let certificate = params.self_signed(&key).expect("test root");
        TestCa {
            der: certificate.der().to_vec(),
            pem: certificate.pem(),
            params,
            key,
        }
    }

    /// An intermediate CA issued by this one.
    pub fn intermediate(&self, name: &str, key: TestKey, validity: TestValidity) -> TestCa {
        self.intermediate_within(name, key, validity, None)
    }

    /// An intermediate CA issued by this one, with a path length constraint if given.
    pub fn intermediate_within(
        &self,
        name: &str,
        key: TestKey,
        validity: TestValidity,
        path_length: Option<u8>,
    ) -> TestCa {
        let mut params = ca_params(name, validity);
        if let Some(length) = path_length {
            params.is_ca = IsCa::Ca(BasicConstraints::Constrained(length));
        }
        let key = key.key_pair();
        let issuer = rcgen::Issuer::from_params(&self.params, &self.key);
        let certificate = params.signed_by(&key, &issuer).expect("test intermediate");
        TestCa {
            der: certificate.der().to_vec(),
            pem: certificate.pem(),
            params,
            key,
        }
    }

    /// A person's certificate (`SERIALNUMBER=IIN...`), or an employee's of a legal entity
    /// (`OU=BIN...` as well) when `bin` is given.
    pub fn holder(
        &self,
        iin: &str,
        bin: Option<&str>,
        key: TestKey,
        validity: TestValidity,
        usage: TestUsage,
        serial: u64,
    ) -> TestHolder {
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "KZ");
        dn.push(DnType::CommonName, format!("Holder {iin}"));
        dn.push(DnType::CustomDnType(vec![2, 5, 4, 5]), format!("IIN{iin}"));
        if let Some(bin) = bin {
            dn.push(DnType::OrganizationalUnitName, format!("BIN{bin}"));
        }
        params.distinguished_name = dn;
        params.is_ca = IsCa::ExplicitNoCa;
        params.not_before = time(validity.not_before_s);
        params.not_after = time(validity.not_after_s);
        let (usages, extended) = match usage {
            TestUsage::Signing => (
                vec![KeyUsagePurpose::DigitalSignature],
                vec![ExtendedKeyUsagePurpose::ClientAuth],
            ),
            TestUsage::EnciphermentOnly => (vec![KeyUsagePurpose::KeyEncipherment], vec![]),
            TestUsage::ServerOnly => (
                vec![KeyUsagePurpose::DigitalSignature],
                vec![ExtendedKeyUsagePurpose::ServerAuth],
            ),
            TestUsage::Documents => (
                vec![
                    KeyUsagePurpose::DigitalSignature,
                    KeyUsagePurpose::ContentCommitment,
                ],
                vec![ExtendedKeyUsagePurpose::EmailProtection],
            ),
            TestUsage::Head => (
                vec![KeyUsagePurpose::DigitalSignature],
                vec![
                    ExtendedKeyUsagePurpose::ClientAuth,
                    ExtendedKeyUsagePurpose::Other(vec![1, 2, 398, 3, 3, 4, 1, 2, 1]),
                ],
            ),
        };
        params.key_usages = usages;
        params.extended_key_usages = extended;
        params.use_authority_key_identifier_extension = true;
        let serial_bytes = serial_bytes(serial);
        params.serial_number = Some(SerialNumber::from_slice(&serial_bytes));
        let key = key.key_pair();
        let issuer = rcgen::Issuer::from_params(&self.params, &self.key);
        let certificate = params.signed_by(&key, &issuer).expect("test holder");
        TestHolder {
            key,
            der: certificate.der().to_vec(),
            serial: serial_bytes,
        }
    }

    /// A revocation list of this CA naming `revoked` serial numbers, issued at `this_update_s`.
    pub fn revocation_list(&self, revoked: &[u64], this_update_s: i64, number: u64) -> TestCrl {
        self.revocation_list_scoped(revoked, this_update_s, number, false)
    }

    /// [`TestCa::revocation_list`], partitioned to user certificates only when `scoped` (an
    /// issuing distribution point: a list that does not speak for every certificate).
    pub fn revocation_list_scoped(
        &self,
        revoked: &[u64],
        this_update_s: i64,
        number: u64,
        scoped: bool,
    ) -> TestCrl {
        let params = CertificateRevocationListParams {
            this_update: time(this_update_s),
            next_update: time(this_update_s + 86_400),
            crl_number: SerialNumber::from(number),
            issuing_distribution_point: scoped.then(|| rcgen::CrlIssuingDistributionPoint {
                distribution_point: rcgen::CrlDistributionPoint {
                    uris: vec!["http://crl.test/users.crl".into()],
                },
                scope: Some(rcgen::CrlScope::UserCertsOnly),
            }),
            revoked_certs: revoked
                .iter()
                .map(|serial| RevokedCertParams {
                    serial_number: SerialNumber::from_slice(&serial_bytes(*serial)),
                    revocation_time: time(this_update_s),
                    reason_code: Some(rcgen::RevocationReason::KeyCompromise),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: KeyIdMethod::Sha256,
        };
        let issuer = rcgen::Issuer::from_params(&self.params, &self.key);
        let list = params.signed_by(&issuer).expect("test revocation list");
        TestCrl {
            der: list.der().to_vec(),
            pem: list.pem().expect("test revocation list PEM"),
        }
    }
}

/// A revocation list.
pub struct TestCrl {
    /// DER.
    pub der: Vec<u8>,
    /// PEM (`X509 CRL`).
    pub pem: String,
}

/// A serial number's DER content bytes: big-endian, no leading zero byte unless the top bit
/// would make it negative.
pub fn serial_bytes(serial: u64) -> Vec<u8> {
    let bytes = serial.to_be_bytes();
    let first = bytes.iter().position(|byte| *byte != 0).unwrap_or(7);
    let mut trimmed = bytes[first..].to_vec();
    if trimmed[0] & 0x80 != 0 {
        trimmed.insert(0, 0);
    }
    trimmed
}
