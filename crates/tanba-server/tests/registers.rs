//! The register adapters and X.509 sign-in over real sockets (clause 2, R-IS-16): a fixture
//! gateway (a real HTTP server this test starts) serves the register of entrepreneurs and a
//! certification centre made by the test (root, issuing CA, participants' certificates,
//! revocation lists). A participant signs in with its certificate; after the centre revokes it
//! and the adapter refreshes, its token stops working and its next sign-in is refused, and a
//! document signed with it (a detached CMS, kept in the log as the signature) is refused; an
//! entrepreneur the register marks ceased is suspended and reinstated when active again; broken,
//! slow, failing and replayed answers change nothing and are counted.

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::response::IntoResponse;
use serde_json::{Value, json};
use tanba_client::{Connection, KeyFile};
use tanba_crypto::cms::CertificateSigner;
use tanba_crypto::encoding::{base64url, base64url_decode};
use tanba_crypto::x509_test_pki::{TestCa, TestHolder, TestKey, TestUsage, TestValidity};
use tanba_proto::v1 as pb;
use tanba_server::config::RegistersConfig;
use tanba_types::TaxpayerId;

use support::{Fixture, START_MS, start};

/// The retailer who signs in with a certificate: an entrepreneur (IIN).
const RETAILER: &str = "870412300416";
/// Another person, whose certificate the retailer must not be able to use.
const STRANGER: &str = "900101300126";
/// The producer who ships to the retailer.
const PRODUCER: &str = "960440000012";
const NOW_S: i64 = (START_MS / 1000) as i64;

/// What the fixture gateway answers at one path.
#[derive(Clone)]
struct Answer {
    status: u16,
    body: Vec<u8>,
    delay: Duration,
}

type Answers = Arc<Mutex<HashMap<String, Answer>>>;

async fn serve(
    State(answers): State<Answers>,
    Path(path): Path<String>,
) -> axum::response::Response {
    let answer = answers.lock().unwrap().get(&path).cloned();
    let Some(answer) = answer else {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    };
    tokio::time::sleep(answer.delay).await;
    (
        axum::http::StatusCode::from_u16(answer.status).unwrap(),
        answer.body,
    )
        .into_response()
}

fn gateway_router(answers: &Answers) -> axum::Router {
    axum::Router::new()
        .route("/{*path}", axum::routing::get(serve))
        .with_state(answers.clone())
}

/// Starts the fixture gateway; its base URL and its answers.
async fn gateway() -> (String, Answers) {
    let answers: Answers = Arc::default();
    let router = gateway_router(&answers);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{address}/"), answers)
}

/// A test CA's certificate (PEM) and its issuer, for TLS certificates.
fn tls_ca(name: &str) -> (String, rcgen::Issuer<'static, rcgen::KeyPair>) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let certificate = params.self_signed(&key).unwrap();
    (certificate.pem(), rcgen::Issuer::new(params, key))
}

/// Starts the fixture gateway over TLS only, with a certificate for `localhost` issued by a
/// test CA: its base URL and the CA's certificate (PEM).
async fn tls_gateway(answers: &Answers, directory: &std::path::Path) -> (String, String) {
    let (ca_pem, issuer) = tls_ca("Test gateway CA");
    let key = rcgen::KeyPair::generate().unwrap();
    let params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    let certificate = params.signed_by(&key, &issuer).unwrap();
    let (certificate_path, key_path) = (directory.join("gateway.pem"), directory.join("key.pem"));
    std::fs::write(&certificate_path, certificate.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    let acceptor = tanba_server::net::tls_acceptor(&certificate_path, &key_path).unwrap();
    let router = gateway_router(answers);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            let (acceptor, router) = (acceptor.clone(), router.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = hyper_util::service::TowerToHyperService::new(router);
                let builder = hyper_util::server::conn::auto::Builder::new(
                    hyper_util::rt::TokioExecutor::new(),
                );
                let _ = builder
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    (format!("https://localhost:{port}/"), ca_pem)
}

fn set(answers: &Answers, path: &str, status: u16, body: impl Into<Vec<u8>>, delay: Duration) {
    answers.lock().unwrap().insert(
        path.to_owned(),
        Answer {
            status,
            body: body.into(),
            delay,
        },
    );
}

fn register(entries: &[(&str, &str)]) -> Vec<u8> {
    let entries: Vec<Value> = entries
        .iter()
        .map(|(id, status)| json!({"id": id, "name": format!("ИП {id}"), "status": status}))
        .collect();
    serde_json::to_vec(&json!({ "entries": entries })).unwrap()
}

struct Centre {
    root: TestCa,
    issuing: TestCa,
    /// The retailer's authentication certificate: signs in.
    retailer: TestHolder,
    /// The retailer's signing certificate (non-repudiation): signs documents.
    retailer_signing: TestHolder,
}

fn centre() -> Centre {
    let valid = TestValidity::around(NOW_S, 365);
    let root = TestCa::root("Test NCA Root", TestKey::RsaA, valid);
    let issuing = root.intermediate("Test NCA (RSA)", TestKey::RsaB, valid);
    let retailer = issuing.holder(
        RETAILER,
        None,
        TestKey::EcdsaP256,
        valid,
        TestUsage::Signing,
        41,
    );
    let retailer_signing = issuing.holder(
        RETAILER,
        None,
        TestKey::EcdsaP256,
        valid,
        TestUsage::Documents,
        43,
    );
    Centre {
        root,
        issuing,
        retailer,
        retailer_signing,
    }
}

/// A fresh challenge for `participant`.
async fn challenge(http: &reqwest::Client, base: &str, participant: &str) -> Vec<u8> {
    let answer: Value = http
        .post(format!("{base}/v1/auth/challenge"))
        .json(&json!({ "participant": participant }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    base64url_decode(answer["challenge"].as_str().unwrap()).unwrap()
}

/// Signs in as `participant` with `holder`'s certificate (and `chain` after it): the status and
/// the answer.
async fn certificate_sign_in(
    http: &reqwest::Client,
    base: &str,
    participant: &str,
    holder: &TestHolder,
    chain: &[&[u8]],
) -> (u16, Value) {
    let challenge = challenge(http, base, participant).await;
    let signature = holder.sign(&tanba_crypto::sign_in::sign_in_message(&challenge));
    let mut certificates = vec![base64url(&holder.der)];
    certificates.extend(chain.iter().map(|der| base64url(der)));
    let response = http
        .post(format!("{base}/v1/auth/sign-in"))
        .json(&json!({
            "participant": participant,
            "challenge": base64url(&challenge),
            "signature": base64url(&signature),
            "certificate_chain": certificates,
        }))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// A call that needs a signed-in retailer; 401 when the token no longer holds.
async fn till_status(http: &reqwest::Client, base: &str, token: &str) -> (u16, Value) {
    let response = http
        .post(format!("{base}/v1/till/check"))
        .bearer_auth(token)
        .json(&json!({ "codes": [] }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Waits (at most 20 s) for `condition`.
async fn eventually<F: Future<Output = bool>>(what: &str, mut condition: impl FnMut() -> F) {
    for _ in 0..200 {
        if condition().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

/// Signs in over gRPC with the participant's registered key: the refusal's text, if refused.
async fn key_sign_in(fixture: &Fixture, key: &KeyFile) -> Result<(), String> {
    let mut connection = Connection::connect(&fixture.grpc()).await.unwrap();
    connection
        .sign_in(key)
        .await
        .map_err(|error| error.to_string())
}

/// Whether the console page at `path` comes to show `text` within 20 s (read every 100 ms).
async fn page_shows(browser: &mut support::browser::Browser, path: &str, text: &str) -> bool {
    for _ in 0..200 {
        if browser.get(path).await.body.contains(text) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

async fn metric(http: &reqwest::Client, base: &str, line_start: &str) -> Option<f64> {
    let text = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find(|line| line.starts_with(line_start))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

/// Where the fixture gateway serves the centre's revocation lists.
const CRL_PATH: &str = "registers/nca/crl";

/// A server reading its registers from a fixture gateway (the retailer active, the centre's
/// issuing CA, its first list revoking nothing) and trusting the centre's root, with the
/// retailer registered.
struct Scene {
    centre: Centre,
    answers: Answers,
    fixture: Fixture,
    /// The retailer's registered key.
    key: KeyFile,
    /// The centre's first list, revoking nothing.
    first_list: tanba_crypto::x509_test_pki::TestCrl,
    _roots: tempfile::NamedTempFile,
}

async fn scene() -> Scene {
    let centre = centre();
    let (gateway_url, answers) = gateway().await;
    set(
        &answers,
        "registers/entrepreneurs",
        200,
        register(&[(RETAILER, "active")]),
        Duration::ZERO,
    );
    set(
        &answers,
        "registers/nca/certificates",
        200,
        centre.issuing.pem.clone(),
        Duration::ZERO,
    );
    let first_list = centre.issuing.revocation_list(&[], NOW_S - 120, 1);
    set(
        &answers,
        CRL_PATH,
        200,
        first_list.pem.clone(),
        Duration::ZERO,
    );
    let roots = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(roots.path(), &centre.root.pem).unwrap();
    let roots_path = roots.path().to_path_buf();
    let fixture = start(move |config| {
        config.registers = Some(RegistersConfig {
            gateway_url,
            refresh_seconds: 1,
            timeout_seconds: 1,
            gateway_ca_file: None,
        });
        config.certificate_roots = Some(roots_path);
    })
    .await;
    let key = fixture
        .member(RETAILER, "ИП Ахметова", pb::Role::Retailer)
        .await;
    Scene {
        centre,
        answers,
        fixture,
        key,
        first_list,
        _roots: roots,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_is_16_a_certificate_signs_in_until_the_centre_revokes_it_and_ceased_entrepreneurs_are_suspended()
 {
    let Scene {
        centre,
        answers,
        fixture,
        key,
        first_list,
        _roots,
    } = scene().await;
    let crl_path = CRL_PATH;
    let http = reqwest::Client::new();
    let base = fixture.http();
    let chain: [&[u8]; 1] = [&centre.issuing.der];

    // Signed in with the certificate once the centre's list is known.
    let mut signed_in = None;
    for _ in 0..200 {
        let (status, answer) =
            certificate_sign_in(&http, &base, RETAILER, &centre.retailer, &chain).await;
        if status == 200 {
            signed_in = Some(answer["token"].as_str().unwrap().to_owned());
            break;
        }
        // Until the centre's first list is in the log, the certificate cannot be checked.
        assert_eq!(answer["error"]["code"], "TANBA-CRYPTO-REVOCATION-UNKNOWN");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let token = signed_in.expect("a certificate sign-in once the centre's list is known");
    assert_ne!(till_status(&http, &base, &token).await.0, 401);
    // And in the console, as a signing tool posts it: a session resting on the certificate.
    let mut browser = fixture.browser();
    let holder = &centre.retailer;
    let signed_in = browser
        .sign_in_with(
            RETAILER,
            |message| holder.sign(message),
            &[&holder.der, &centre.issuing.der],
        )
        .await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    assert_eq!(browser.get("/console/inbox").await.status, 200);
    certificates_page_checks_chains(&mut browser, &centre).await;

    // Certificates of every broken kind are refused at sign-in, each with its code.
    broken_certificates_are_refused(&http, &base, &centre).await;

    // A feed followed with the certificate's token (its own goods).
    let mut feed = http
        .get(format!("{base}/v1/feeds/goods"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(feed.status(), 200);

    // The centre revokes the certificate: after the refresh the token stops, sign-in is refused,
    // and the feed ends.
    let revoking = centre.issuing.revocation_list(&[41], NOW_S - 60, 2);
    set(
        &answers,
        crl_path,
        200,
        revoking.pem.clone(),
        Duration::ZERO,
    );
    eventually("the revocation to reach the token", || async {
        till_status(&http, &base, &token).await.0 == 401
    })
    .await;
    let (_, answer) = till_status(&http, &base, &token).await;
    assert_eq!(answer["error"]["code"], "TANBA-CRYPTO-CERTIFICATE-REVOKED");
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        while let Ok(Some(_)) = feed.chunk().await {}
    })
    .await;
    assert!(
        ended.is_ok(),
        "the feed ends once the certificate is revoked"
    );
    let (status, answer) =
        certificate_sign_in(&http, &base, RETAILER, &centre.retailer, &chain).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (401, Some("TANBA-CRYPTO-CERTIFICATE-REVOKED"))
    );
    let ended = browser.get("/console/inbox").await;
    assert_eq!(
        ended.status, 303,
        "the console session ends at its next request"
    );
    assert!(
        ended.location.starts_with("/console/sign-in"),
        "{}",
        ended.location
    );
    // The operator sees the adapters and the centre's list on the registers page.
    let mut operator = fixture.browser();
    operator.sign_in(&fixture.operator).await;
    let page = operator.get("/console/registers?lang=en").await;
    assert_eq!(page.status, 200);
    for shown in [
        "Individual entrepreneurs",
        "Test NCA (RSA)",
        "Revoked certificates",
    ] {
        assert!(
            page.body.contains(shown),
            "the registers page shows {shown}"
        );
    }
    // The registry feed carries the refreshes; the feeds page shows its follower and verifies
    // the last checkpoint.
    feeds_page_shows_a_follower(&http, &base, &fixture, &mut operator).await;

    // A gateway replaying the older list cannot un-revoke it: the refresh fails, is counted.
    set(
        &answers,
        crl_path,
        200,
        first_list.pem.clone(),
        Duration::ZERO,
    );
    let stale = "TANBA-ENGINE-REGISTER-STALE";
    assert!(
        page_shows(&mut operator, "/console/registers?lang=en", stale).await,
        "the replayed list is refused as stale"
    );
    let failed = metric(
        &http,
        &base,
        "tanba_register_refreshes_total{register=\"revocations\",outcome=\"failed\"}",
    )
    .await;
    assert!(failed.is_some_and(|failed| failed >= 1.0), "and counted");
    let (status, answer) =
        certificate_sign_in(&http, &base, RETAILER, &centre.retailer, &chain).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (401, Some("TANBA-CRYPTO-CERTIFICATE-REVOKED"))
    );

    // The register says the entrepreneur ceased: suspended; active again: reinstated. Its own
    // key is refused meanwhile with the reason.
    set(
        &answers,
        "registers/entrepreneurs",
        200,
        register(&[(RETAILER, "ceased")]),
        Duration::ZERO,
    );
    eventually("the suspension", || async {
        key_sign_in(&fixture, &key)
            .await
            .is_err_and(|error| error.contains("TANBA-ENGINE-REGISTRATION-CEASED"))
    })
    .await;
    broken_answers_change_nothing(&mut operator, &answers, &fixture, &key).await;
    set(
        &answers,
        "registers/entrepreneurs",
        200,
        register(&[(RETAILER, "active")]),
        Duration::ZERO,
    );
    eventually("the reinstatement", || async {
        key_sign_in(&fixture, &key).await.is_ok()
    })
    .await;
    fixture.server.shutdown().await;
}

/// A retailer's certificate and key as a client keeps them (the chain with its issuing CA).
fn signer_of(centre: &Centre, holder: &TestHolder) -> CertificateSigner {
    let chain = format!("{}{}", holder.pem(), centre.issuing.pem);
    CertificateSigner::from_pem(chain.as_bytes(), holder.key_pem().as_bytes()).unwrap()
}

/// The buyer's signature of the acceptance of `document`, as the retailer's own-goods feed
/// carries the log's record.
async fn accepted_signature(base: &str, token: &str, document: u64) -> Vec<u8> {
    let http = reqwest::Client::new();
    let mut feed = http
        .get(format!("{base}/v1/feeds/goods?after=0"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(feed.status(), 200);
    let mut text = Vec::new();
    let found = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(chunk) = feed.chunk().await.unwrap() {
            text.extend_from_slice(&chunk);
            while let Some(end) = text.iter().position(|byte| *byte == b'\n') {
                let line: Vec<u8> = text.drain(..=end).collect();
                let line = serde_json::from_slice(&line).unwrap();
                let item = tanba_proto::feed::item_of(&line).unwrap();
                let Some(pb::feed_item::Item::Entry(entry)) = item.item else {
                    continue;
                };
                let record = tanba_log::decode(&entry.record).unwrap();
                if let tanba_types::Event::Accepted {
                    document: accepted,
                    signature,
                    ..
                } = record.event
                    && accepted == document
                {
                    return signature;
                }
            }
        }
        panic!("the feed ended without the acceptance");
    })
    .await;
    found.expect("the acceptance on the retailer's feed")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_is_16_documents_signed_with_a_certificate_are_accepted_until_it_is_revoked() {
    let Scene {
        centre,
        answers,
        fixture,
        key,
        _roots,
        ..
    } = scene().await;
    let (producer, codes) = fixture.goods_in_circulation(PRODUCER, 3).await;
    let retailer: TaxpayerId = RETAILER.parse().unwrap();
    let mut shipments = Vec::new();
    for code in &codes {
        shipments.push(producer.ship(retailer, vec![code.clone()]).await.unwrap());
    }

    // Signed in with the certificate (once the centre's list is known), the client signs the
    // acceptance with it: a detached CMS, which the log keeps as the buyer's signature.
    let mut with_certificate = None;
    for _ in 0..200 {
        let mut connection = Connection::connect(&fixture.grpc()).await.unwrap();
        match connection
            .sign_in_with_certificate(signer_of(&centre, &centre.retailer_signing))
            .await
        {
            Ok(()) => {
                with_certificate = Some(connection);
                break;
            }
            Err(error) => assert_eq!(
                error.code(),
                Some("TANBA-CRYPTO-REVOCATION-UNKNOWN"),
                "{error}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let with_certificate = with_certificate.expect("a certificate sign-in");
    with_certificate
        .accept_all(shipments[0])
        .await
        .expect("an acceptance signed with the certificate");
    let http = reqwest::Client::new();
    let base = fixture.http();
    let chain: [&[u8]; 1] = [&centre.issuing.der];
    let (_, answer) = certificate_sign_in(&http, &base, RETAILER, &centre.retailer, &chain).await;
    let token = answer["token"].as_str().unwrap();
    let kept = accepted_signature(&base, token, shipments[0]).await;
    let accept = |document| tanba_types::Command::Accept {
        document,
        items: None,
        signature: Vec::new(),
    };
    let signed = accept(shipments[0]).document_bytes(&retailer).unwrap();
    let opened = tanba_crypto::cms::open(&kept).expect("the log keeps the CMS");
    assert_eq!(opened.verify(&signed).unwrap(), RETAILER);
    assert_eq!(
        opened.chain(),
        &[
            centre.retailer_signing.der.clone(),
            centre.issuing.der.clone()
        ][..],
        "with its certificate and the issuing CA that chained it"
    );

    // Signed in with its key, the retailer presents a CMS: by another person's certificate it
    // is not the retailer's signature; by its own it is accepted (the second shipment).
    let mut with_key = Connection::connect(&fixture.grpc()).await.unwrap();
    with_key.sign_in(&key).await.unwrap();
    let stranger = centre.issuing.holder(
        STRANGER,
        None,
        TestKey::EcdsaP256,
        TestValidity::around(NOW_S, 365),
        TestUsage::Signing,
        42,
    );
    let stranger_chain = [stranger.der.clone(), centre.issuing.der.clone()];
    let second = accept(shipments[1]).document_bytes(&retailer).unwrap();
    let by_stranger =
        tanba_crypto::cms::sign_detached(
            &second,
            &stranger_chain,
            |bytes| Ok(stranger.sign(bytes)),
        )
        .unwrap();
    let refusal = accept_with(&with_key, shipments[1], by_stranger).await;
    assert_eq!(refusal, Some("TANBA-SERVER-BAD-DOCUMENT-SIGNATURE".into()));
    // The retailer's authentication certificate signs in but signs no document.
    let by_authentication = signer_of(&centre, &centre.retailer)
        .sign_document(&second)
        .unwrap();
    assert_eq!(
        accept_with(&with_key, shipments[1], by_authentication).await,
        Some("TANBA-CRYPTO-CERTIFICATE-USAGE".into())
    );
    let own = signer_of(&centre, &centre.retailer_signing)
        .sign_document(&second)
        .unwrap();
    assert_eq!(accept_with(&with_key, shipments[1], own).await, None);

    // The centre revokes the certificate: after the refresh a document signed with it is
    // refused with the reason, and the same document signed with the key is accepted.
    let revoking = centre.issuing.revocation_list(&[41, 43], NOW_S - 60, 2);
    set(
        &answers,
        CRL_PATH,
        200,
        revoking.pem.clone(),
        Duration::ZERO,
    );
    let third = accept(shipments[2]).document_bytes(&retailer).unwrap();
    let revoked = signer_of(&centre, &centre.retailer_signing)
        .sign_document(&third)
        .unwrap();
    eventually("the revocation to be refreshed", || async {
        certificate_sign_in(&http, &base, RETAILER, &centre.retailer, &chain)
            .await
            .0
            == 401
    })
    .await;
    assert_eq!(
        accept_with(&with_key, shipments[2], revoked).await,
        Some("TANBA-CRYPTO-CERTIFICATE-REVOKED".into())
    );
    with_key
        .accept_all(shipments[2])
        .await
        .expect("the key still signs");
    fixture.server.shutdown().await;
}

/// Accepts a whole shipment with `signature` as given: the refusal's code, if refused.
/// A refusal of a document signed with a certificate is the document's, never the session's:
/// PermissionDenied (or InvalidArgument for what does not read), not Unauthenticated.
async fn accept_with(connection: &Connection, document: u64, signature: Vec<u8>) -> Option<String> {
    let request = pb::AcceptRequest {
        document,
        items: Vec::new(),
        signature,
    };
    match connection.documents().accept(request).await {
        Ok(_) => None,
        Err(status) => {
            assert_ne!(status.code(), tonic::Code::Unauthenticated, "{status:?}");
            tanba_client::ClientError::from(status)
                .code()
                .map(str::to_owned)
        }
    }
}

/// The certificates page: the session's certificate standing, the trusted root, and checks of
/// the retailer's chain (it stands), a chain to another root and garbage (refused with codes).
async fn certificates_page_checks_chains(browser: &mut support::browser::Browser, centre: &Centre) {
    let page = browser.get("/console/certificates?lang=en").await;
    assert_eq!(page.status, 200);
    for shown in ["Test NCA (RSA)", "29", "stands", "Test NCA Root"] {
        assert!(
            page.body.contains(shown),
            "the page shows {shown}: {}",
            page.body
        );
    }
    let csrf = browser.csrf().await;
    let chain = format!("{}{}", centre.retailer.pem(), centre.issuing.pem);
    let checked = browser
        .post(
            "/console/certificates?lang=en",
            &[("csrf", &csrf), ("chain", &chain)],
        )
        .await;
    assert_eq!(checked.status, 200, "{}", checked.body);
    assert!(checked.body.contains("id=\"checked\""), "{}", checked.body);
    assert!(checked.body.contains(RETAILER) && checked.body.contains("stands"));
    let elsewhere = TestCa::root(
        "Another root",
        TestKey::EcdsaP256,
        TestValidity::around(NOW_S, 9),
    );
    let stranger = elsewhere.holder(
        RETAILER,
        None,
        TestKey::EcdsaP256,
        TestValidity::around(NOW_S, 9),
        TestUsage::Signing,
        5,
    );
    for (chain, code) in [
        (stranger.pem(), "TANBA-CRYPTO-CERTIFICATE-UNTRUSTED"),
        (
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".to_owned(),
            "TANBA-CRYPTO-CERTIFICATE-MALFORMED",
        ),
    ] {
        let refused = browser
            .post(
                "/console/certificates?lang=en",
                &[("csrf", &csrf), ("chain", &chain)],
            )
            .await;
        assert_eq!(refused.status, 200, "{}", refused.body);
        assert!(
            refused.body.contains("id=\"check-refused\"") && refused.body.contains(code),
            "{code}"
        );
    }
}

async fn feeds_page_shows_a_follower(
    http: &reqwest::Client,
    base: &str,
    fixture: &Fixture,
    operator: &mut support::browser::Browser,
) {
    let challenge = challenge(http, base, &fixture.operator.participant.to_string()).await;
    let message = tanba_crypto::sign_in::sign_in_message(&challenge);
    let signature = tanba_crypto::Signer::sign(&fixture.operator.signer(), &message);
    let signed: Value = http
        .post(format!("{base}/v1/auth/sign-in"))
        .json(&json!({
            "participant": fixture.operator.participant.to_string(),
            "challenge": base64url(&challenge),
            "signature": base64url(&signature),
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = signed["token"].as_str().unwrap();
    let mut feed = http
        .get(format!("{base}/v1/feeds/registry"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(feed.status(), 200);
    let mut read = Vec::new();
    while !String::from_utf8_lossy(&read).contains("register_refreshed") {
        let chunk = tokio::time::timeout(Duration::from_secs(10), feed.chunk())
            .await
            .expect("the registry feed carries the refreshes")
            .unwrap()
            .expect("the feed goes on");
        read.extend_from_slice(&chunk);
    }
    let page = operator.get("/console/feeds?lang=en").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<td>registry</td>"),
        "the follower is listed"
    );
    // A quiet log's head is signed once its last entry is old enough.
    let age_ms = tanba_engine::engine::CHECKPOINT_AGE_MAX.as_millis() as u64;
    (fixture.clock.0).fetch_add(2 * age_ms, std::sync::atomic::Ordering::SeqCst);
    let verified = "signature and chain verified";
    assert!(
        page_shows(operator, "/console/feeds?lang=en", verified).await,
        "the feeds page verifies the last checkpoint"
    );
    drop(feed);
}

async fn broken_certificates_are_refused(http: &reqwest::Client, base: &str, centre: &Centre) {
    let valid = TestValidity::around(NOW_S, 365);
    let expired = TestValidity {
        not_before_s: NOW_S - 800 * 86_400,
        not_after_s: NOW_S - 86_400,
    };
    let other_root = TestCa::root("Test NCA Root", TestKey::EcdsaP256, valid);
    let issuing = &centre.issuing;
    let cases = [
        (
            issuing.holder(
                RETAILER,
                None,
                TestKey::EcdsaP256,
                expired,
                TestUsage::Signing,
                50,
            ),
            "TANBA-CRYPTO-CERTIFICATE-EXPIRED",
        ),
        (
            issuing.holder(
                RETAILER,
                None,
                TestKey::EcdsaP256,
                valid,
                TestUsage::EnciphermentOnly,
                51,
            ),
            "TANBA-CRYPTO-CERTIFICATE-USAGE",
        ),
        (
            other_root.holder(
                RETAILER,
                None,
                TestKey::EcdsaP256,
                valid,
                TestUsage::Signing,
                52,
            ),
            "TANBA-CRYPTO-CERTIFICATE-UNTRUSTED",
        ),
        // Another person's valid certificate does not sign the retailer in.
        (
            issuing.holder(
                STRANGER,
                None,
                TestKey::EcdsaP256,
                valid,
                TestUsage::Signing,
                53,
            ),
            "TANBA-CRYPTO-BAD-SIGN-IN",
        ),
    ];
    for (holder, code) in &cases {
        let (status, answer) =
            certificate_sign_in(http, base, RETAILER, holder, &[&issuing.der]).await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (401, Some(*code))
        );
    }
    // Garbage instead of a certificate.
    let challenge = challenge(http, base, RETAILER).await;
    let response = http
        .post(format!("{base}/v1/auth/sign-in"))
        .json(&json!({
            "participant": RETAILER,
            "challenge": base64url(&challenge),
            "signature": base64url(&[1; 64]),
            "certificate_chain": [base64url(b"not a certificate")],
        }))
        .send()
        .await
        .unwrap();
    let answer: Value = response.json().await.unwrap();
    assert_eq!(
        answer["error"]["code"],
        "TANBA-CRYPTO-CERTIFICATE-MALFORMED"
    );
}

/// Broken, failing and slow answers: counted as failures, and the participant stays as the last
/// good answer left it (suspended).
async fn broken_answers_change_nothing(
    operator: &mut support::browser::Browser,
    answers: &Answers,
    fixture: &Fixture,
    key: &KeyFile,
) {
    for (status, body, delay, code) in [
        (
            200,
            b"{\"entries\": [".to_vec(),
            Duration::ZERO,
            "TANBA-REGISTER-MALFORMED",
        ),
        (
            500,
            b"gateway down".to_vec(),
            Duration::ZERO,
            "TANBA-REGISTER-STATUS",
        ),
        (
            200,
            register(&[(RETAILER, "active")]),
            Duration::from_secs(3),
            "TANBA-REGISTER-FETCH",
        ),
    ] {
        set(answers, "registers/entrepreneurs", status, body, delay);
        // The operator's page names the last error: each broken answer's own.
        assert!(
            page_shows(operator, "/console/registers?lang=en", code).await,
            "the registers page shows {code}"
        );
        let refused = key_sign_in(fixture, key).await.unwrap_err();
        assert!(
            refused.contains("TANBA-ENGINE-REGISTRATION-CEASED"),
            "{refused}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clause_2_the_gateway_is_reached_over_tls_trusting_only_its_configured_roots() {
    let answers: Answers = Arc::default();
    set(
        &answers,
        "registers/entrepreneurs",
        200,
        register(&[(RETAILER, "active"), (STRANGER, "active")]),
        Duration::ZERO,
    );
    let directory = tempfile::tempdir().unwrap();
    let (gateway_url, gateway_ca) = tls_gateway(&answers, directory.path()).await;
    let (trusted, other) = (
        directory.path().join("trusted.pem"),
        directory.path().join("other.pem"),
    );
    std::fs::write(&trusted, gateway_ca).unwrap();
    std::fs::write(&other, tls_ca("Another CA").0).unwrap();
    let entries_known = "Entries in the register</th><td>2</td>";
    for (roots, refreshes) in [(trusted, true), (other, false)] {
        let url = gateway_url.clone();
        let fixture = start(move |config| {
            config.registers = Some(RegistersConfig {
                gateway_url: url,
                refresh_seconds: 1,
                timeout_seconds: 2,
                gateway_ca_file: Some(roots),
            });
        })
        .await;
        let mut operator = fixture.browser();
        operator.sign_in(&fixture.operator).await;
        if refreshes {
            // Trusting the gateway's CA: the register arrives over TLS.
            assert!(
                page_shows(&mut operator, "/console/registers?lang=en", entries_known).await,
                "the register refreshed over TLS"
            );
        } else {
            // Trusting another CA: every fetch fails before a byte is read, nothing is written.
            assert!(
                page_shows(
                    &mut operator,
                    "/console/registers?lang=en",
                    "TANBA-REGISTER-FETCH"
                )
                .await,
                "the untrusted gateway is refused"
            );
            let page = operator.get("/console/registers?lang=en").await;
            assert!(!page.body.contains(entries_known));
            assert!(page.body.contains("UnknownIssuer"), "and says why");
        }
        fixture.server.shutdown().await;
    }
}
