//! The register adapters and X.509 sign-in over real sockets (clause 2, R-IS-16): a fixture
//! gateway (a real HTTP server this test starts) serves the register of entrepreneurs and a
//! certification centre made by the test (root, issuing CA, participants' certificates,
//! revocation lists). A participant signs in with its certificate; after the centre revokes it
//! and the adapter refreshes, its token stops working and its next sign-in is refused; an
//! entrepreneur the register marks ceased is suspended and reinstated when active again; broken,
//! slow, failing and replayed answers change nothing and are counted.

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::response::IntoResponse;
use serde_json::{Value, json};
use tanba_client::KeyFile;
use tanba_crypto::encoding::{base64url, base64url_decode};
use tanba_crypto::x509_test_pki::{TestCa, TestHolder, TestKey, TestUsage, TestValidity};
use tanba_proto::v1 as pb;
use tanba_server::config::RegistersConfig;

use support::{Fixture, START_MS, start};

/// The retailer who signs in with a certificate: an entrepreneur (IIN).
const RETAILER: &str = "870412300416";
/// Another person, whose certificate the retailer must not be able to use.
const STRANGER: &str = "900101300126";
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

/// Starts the fixture gateway; its base URL and its answers.
async fn gateway() -> (String, Answers) {
    let answers: Answers = Arc::default();
    let router = axum::Router::new()
        .route("/{*path}", axum::routing::get(serve))
        .with_state(answers.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{address}/"), answers)
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
    retailer: TestHolder,
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
    Centre {
        root,
        issuing,
        retailer,
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
    let mut connection = tanba_client::Connection::connect(&fixture.grpc())
        .await
        .unwrap();
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

async fn register_retailer(fixture: &Fixture) -> KeyFile {
    let key = KeyFile::generate(RETAILER.parse().unwrap());
    fixture
        .operator()
        .await
        .registry()
        .register_participant(pb::RegisterParticipantRequest {
            participant: Some(pb::Participant {
                id: RETAILER.into(),
                name: "ИП Ахметова".into(),
                roles: vec![pb::Role::Retailer as i32],
                keys: vec![pb::ParticipantKey {
                    algorithm: "ed25519".into(),
                    public_key: key.public_key(),
                }],
                suspended: false,
                registration_ceased: false,
            }),
        })
        .await
        .unwrap();
    key
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_is_16_a_certificate_signs_in_until_the_centre_revokes_it_and_ceased_entrepreneurs_are_suspended()
 {
    let centre = centre();
    let (gateway_url, answers) = gateway().await;
    let crl_path = "registers/nca/crl";
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
        crl_path,
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
        });
        config.certificate_roots = Some(roots_path);
    })
    .await;
    let key = register_retailer(&fixture).await;
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
