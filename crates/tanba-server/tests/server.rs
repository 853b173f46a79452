//! The server in process, on real sockets, with the clock in the test's hand: token expiry,
//! challenges used once, rate limits per client IP and what a trusted proxy may say about it,
//! the OpenAPI document against the routes served, health and reflection, and what a graceful
//! stop leaves on disk (a final signed checkpoint, an audit trail that verifies), and a feed that
//! ends when its follower loses the role it was opened with.

mod support;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use serde_json::Value;
use tanba_client::{ClientError, Connection, KeyFile};
use tanba_proto::v1 as pb;
use tanba_store::{RocksStore, Store};

use support::{START_MS, start};

fn code_of(error: tonic::Status) -> String {
    ClientError::from(error).code().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_expires_after_an_hour_and_a_challenge_is_answered_once() {
    let fixture = start(|_| {}).await;
    let operator = fixture.operator().await;
    let get = pb::GetParticipantRequest {
        id: fixture.operator.participant.to_string(),
    };
    operator
        .registry()
        .get_participant(get.clone())
        .await
        .unwrap();
    fixture
        .clock
        .0
        .fetch_add(tanba_crypto::sign_in::TOKEN_TTL_MS, Ordering::SeqCst);
    let expired = operator.registry().get_participant(get.clone()).await;
    assert_eq!(
        code_of(expired.unwrap_err()),
        "TANBA-CRYPTO-SIGN-IN-EXPIRED"
    );
    // A challenge answered twice: the second answer is refused.
    let anonymous = Connection::connect(&fixture.grpc()).await.unwrap();
    let challenge = anonymous
        .auth()
        .get_challenge(pb::GetChallengeRequest {
            participant: fixture.operator.participant.to_string(),
        })
        .await
        .unwrap()
        .into_inner()
        .challenge;
    use tanba_crypto::Signer;
    let request = pb::SignInRequest {
        participant: fixture.operator.participant.to_string(),
        signature: fixture
            .operator
            .signer()
            .sign(&tanba_crypto::sign_in::sign_in_message(&challenge)),
        challenge,
        certificate_chain: Vec::new(),
    };
    anonymous.auth().sign_in(request.clone()).await.unwrap();
    let again = anonymous.auth().sign_in(request.clone()).await;
    assert_eq!(code_of(again.unwrap_err()), "TANBA-SERVER-CHALLENGE-USED");
    // Someone else's key on this participant's challenge.
    let stranger = KeyFile::generate(fixture.operator.participant);
    let forged = pb::SignInRequest {
        signature: stranger
            .signer()
            .sign(&tanba_crypto::sign_in::sign_in_message(&request.challenge)),
        ..request
    };
    assert_eq!(
        code_of(anonymous.auth().sign_in(forged).await.unwrap_err()),
        "TANBA-CRYPTO-BAD-SIGN-IN"
    );
    fixture.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_callers_are_rate_limited_per_client_ip_and_only_a_trusted_proxy_names_it() {
    let fixture = start(|config| {
        config.rates.anonymous_per_ip_per_second = 1;
        config.rates.anonymous_burst = 3;
        config.trusted_proxies = vec!["127.0.0.2".parse().unwrap()];
    })
    .await;
    let web = reqwest::Client::new();
    let check = |forwarded: &'static str| {
        web.get(format!(
            "{}/v1/check?code=(01)04600000000015(21)x",
            fixture.http()
        ))
        .header("x-forwarded-for", forwarded)
        .send()
    };
    // From 127.0.0.1, which is no trusted proxy: the header is ignored, the socket counts.
    for _ in 0..3 {
        assert_eq!(check("203.0.113.1").await.unwrap().status(), 200);
    }
    let limited = check("203.0.113.2").await.unwrap();
    assert_eq!(limited.status(), 429);
    let body: Value = limited.json().await.unwrap();
    assert_eq!(body["error"]["code"], "TANBA-SERVER-RATE-LIMITED");
    // Time passes: one more.
    fixture.clock.0.fetch_add(1_000, Ordering::SeqCst);
    // governor reads its own monotonic clock; give it a real second too.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    assert_eq!(check("203.0.113.3").await.unwrap().status(), 200);
    fixture.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forwarded_address_from_a_trusted_proxy_is_the_one_audited() {
    let fixture = start(|config| {
        config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let web = reqwest::Client::new();
    let response = web
        .get(format!(
            "{}/v1/check?code=(01)04600000000015(21)x",
            fixture.http()
        ))
        .header("x-forwarded-for", "1.2.3.4, 203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let operator = fixture.operator().await;
    let records = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            let query = pb::QueryAuditRequest {
                code: "(01)04600000000015(21)x".into(),
                ..Default::default()
            };
            let records = operator.audit_records(query).await.unwrap();
            if !records.is_empty() {
                return records;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap();
    assert_eq!(records[0].client_ip, "203.0.113.9");
    assert_eq!(records[0].method, "GET /v1/check");
    assert_eq!(records[0].time_ms, START_MS);
    fixture.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_and_the_served_routes_agree() {
    let fixture = start(|_| {}).await;
    let web = reqwest::Client::new();
    let document: Value = web
        .get(format!("{}/openapi.json", fixture.http()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut documented: Vec<String> = Vec::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            documented.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    let mut served: Vec<String> = tanba_server::http::ROUTES
        .iter()
        .map(ToString::to_string)
        .collect();
    documented.sort();
    served.sort();
    assert_eq!(documented, served);
    // And every listed route is really served: none falls through to "no such route".
    for route in tanba_server::http::ROUTES {
        let (method, path) = route.split_once(' ').unwrap();
        let path = path
            .replace("{gtin}", "04600000000015")
            .replace("{serial}", "x")
            .replace("{sscc}", "106141411234567897")
            .replace("{kind}", "tax")
            .replace("{job}", "1")
            .replace("{day}", "day=2026-12-01")
            .replace("{file}", "part-0.parquet")
            .replace("{capture_id}", "1")
            .replace("{name}", "stock")
            .replace("{subscription_id}", "1");
        let url = format!("{}{path}", fixture.http());
        let response = match method {
            "GET" => web.get(&url).send().await.unwrap(),
            _ => web
                .post(&url)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap(),
        };
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(
            !(status == 404 && text.contains("TANBA-SERVER-NOT-FOUND")),
            "{route} is not served"
        );
    }
    fixture.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_serving() {
    let fixture = start(|_| {}).await;
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", fixture.grpc()))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
    let status = health
        .check(tonic_health::pb::HealthCheckRequest {
            service: String::new(),
        })
        .await
        .unwrap()
        .into_inner()
        .status;
    assert_eq!(
        status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );
    fixture.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_stop_signs_a_final_checkpoint_and_leaves_an_audit_trail_that_verifies() {
    let fixture = start(|_| {}).await;
    let operator = fixture.operator().await;
    for n in 0..5 {
        let _ = operator
            .registry()
            .get_product(pb::GetProductRequest {
                gtin: format!("0460000000001{n}"),
            })
            .await;
    }
    let data = fixture.directory.path().join("data");
    let head = fixture.server.app.engine.head().sequence;
    let public_keys = tanba_server::open_key_ring(&data, 0)
        .unwrap()
        .public_key_set();
    fixture.server.shutdown().await;
    let store: Arc<dyn Store> = Arc::new(RocksStore::open(&data.join("engine")).unwrap());
    let proof = tanba_engine::verify_log(store.as_ref(), &public_keys, None).unwrap();
    assert_eq!(proof.head, head);
    assert!(proof.checkpoints >= 1, "a checkpoint signed at the stop");
    let checkpoint = tanba_engine::verify_log(store.as_ref(), &public_keys, Some(head)).unwrap();
    assert_eq!(checkpoint.head, head, "the last checkpoint is the head");
    // Sign-in (2 calls) and five lookups, each audited, the chain whole.
    let audit = tanba_server::audit::verify(store.as_ref(), &public_keys).unwrap();
    assert_eq!((audit.records, audit.signed_through), (7, 7));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_certificate_both_ports_speak_tls_only() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::rustls;
    let directory = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let (certificate, key) = (
        directory.path().join("cert.pem"),
        directory.path().join("key.pem"),
    );
    std::fs::write(&certificate, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    let fixture = start(|config| {
        config.tls = Some(tanba_server::config::TlsConfig {
            certificate: certificate.clone(),
            key: key.clone(),
        });
    })
    .await;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(certified.cert.der().clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    client.alpn_protocols = vec![b"http/1.1".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client));
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let tcp = tokio::net::TcpStream::connect(fixture.server.http_addr)
        .await
        .unwrap();
    let mut tls = connector.connect(name.clone(), tcp).await.unwrap();
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    tls.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("ok"));
    // Plain HTTP on the same port gets no answer: the handshake fails and the server hangs up.
    let plain = reqwest::Client::new()
        .get(format!("http://{}/healthz", fixture.server.http_addr))
        .send()
        .await;
    assert!(plain.is_err());
    // The gRPC port speaks TLS too.
    let tcp = tokio::net::TcpStream::connect(fixture.server.grpc_addr)
        .await
        .unwrap();
    assert!(connector.connect(name, tcp).await.is_ok());
    // Tanba's own client (and so `tanba client --ca-file`) speaks TLS, trusting the CA file;
    // without it (the system's roots) the self-signed server is refused.
    let address = format!("https://localhost:{}", fixture.server.grpc_addr.port());
    let connection = Connection::connect_trusting(&address, Some(&certificate))
        .await
        .unwrap();
    let checked = connection
        .public()
        .check(pb::CheckRequest {
            code: "(01)04870000000005(21)ABC".into(),
            language: 0,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(checked.verdict, pb::Verdict::UnknownOrForged as i32);
    let untrusted = match Connection::connect(&address).await {
        Ok(connection) => connection
            .public()
            .check(pb::CheckRequest::default())
            .await
            .map(drop)
            .is_err(),
        Err(_) => true,
    };
    assert!(
        untrusted,
        "a self-signed server is not trusted by the system's roots"
    );
    fixture.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_is_05_a_feed_ends_once_its_follower_no_longer_holds_a_role_that_may_read_it() {
    let fixture = start(|_| {}).await;
    let key = fixture
        .member("871008401427", "Ministry of Finance", pb::Role::Ministry)
        .await;
    let mut ministry = Connection::connect(&fixture.grpc()).await.unwrap();
    ministry.sign_in(&key).await.unwrap();
    let mut feed = ministry
        .feeds()
        .follow(pb::FollowFeedRequest {
            kind: "tax".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    // Following: a heartbeat or entries arrive.
    let first = tokio::time::timeout(std::time::Duration::from_secs(10), feed.message()).await;
    assert!(matches!(first, Ok(Ok(Some(_)))), "{first:?}");
    // The operator makes it an authority, which may not read the tax feed: the stream ends at
    // its next read, though the token still holds.
    let card = support::participant(&key, "Ministry of Finance", pb::Role::Authority);
    fixture
        .operator()
        .await
        .registry()
        .update_participant(pb::UpdateParticipantRequest {
            participant: Some(card),
        })
        .await
        .unwrap();
    let ended = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while let Ok(Some(_)) = feed.message().await {}
    })
    .await;
    assert!(ended.is_ok(), "the feed ends without the role");
    fixture.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_is_14_owners_read_their_statistics_over_grpc_and_in_the_console() {
    use tanba_client::statistics::StatisticsQuery;
    let fixture = start(|_| {}).await;
    let producer_id = "960440000012";
    let producer_key = fixture
        .member(producer_id, "Су зауыты", pb::Role::Producer)
        .await;
    let (producer, _codes) = fixture.goods_of(&producer_key, 5).await;
    let own = producer
        .owner_statistics(&StatisticsQuery::default())
        .await
        .unwrap();
    assert_eq!(own.owner, producer_id);
    let today = tanba_types::Date::from_unix_ms_in_kz(START_MS).to_string();
    assert_eq!(own.to, today, "the period ends today by default");
    let stock: Vec<_> = (own.stock.iter())
        .map(|row| (row.gtin.as_str(), row.status(), row.codes, row.blocked))
        .collect();
    assert_eq!(
        stock,
        [("04870000000005", pb::CodeStatus::Introduced, 5, 0)]
    );
    let flows: Vec<_> = (own.flows.iter())
        .map(|row| (row.day.as_str(), row.flow.as_str(), row.codes))
        .collect();
    let made = ["issued", "applied", "introduced"].map(|flow| (today.as_str(), flow, 5));
    assert_eq!(flows, made);

    // Another participant may not read them; the operator may, and bad asks are refused.
    let stranger_key = fixture
        .member("870412300416", "Көтерме", pb::Role::Wholesaler)
        .await;
    let mut stranger = Connection::connect(&fixture.grpc()).await.unwrap();
    stranger.sign_in(&stranger_key).await.unwrap();
    let theirs = StatisticsQuery {
        owner: Some(producer_id.parse().unwrap()),
        ..StatisticsQuery::default()
    };
    let refused = stranger.owner_statistics(&theirs).await.unwrap_err();
    assert_eq!(refused.code(), Some("TANBA-SERVER-FORBIDDEN"));
    let operator = fixture.operator().await;
    assert_eq!(
        operator.owner_statistics(&theirs).await.unwrap().stock,
        own.stock
    );
    let day = |text: &str| Some(text.parse().unwrap());
    let backwards = StatisticsQuery {
        from: day("2026-12-02"),
        to: day("2026-12-01"),
        ..StatisticsQuery::default()
    };
    let refused = producer.owner_statistics(&backwards).await.unwrap_err();
    assert_eq!(refused.code(), Some("TANBA-ENGINE-INVALID"));
    let too_long = StatisticsQuery {
        from: day("2024-01-01"),
        to: day("2026-12-01"),
        ..StatisticsQuery::default()
    };
    let refused = producer.owner_statistics(&too_long).await.unwrap_err();
    assert_eq!(refused.code(), Some("TANBA-ENGINE-LIMIT-EXCEEDED"));
    let malformed = producer
        .statistics()
        .get_owner_statistics(pb::GetOwnerStatisticsRequest {
            owner: "12345".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(code_of(malformed), "TANBA-SERVER-INVALID");

    // The console draws the same figures.
    let mut browser = fixture.browser();
    browser.sign_in(&producer_key).await;
    let page = browser.get("/console/statistics?lang=en").await;
    assert_eq!(page.status, 200, "{}", page.body);
    for shown in [
        "<svg class=\"chart\"",
        "Stock now by status",
        "in circulation",
        "Drinking water, 1 l (04870000000005)",
        "<th>introduced</th>",
        "Flows per day",
    ] {
        assert!(
            page.body.contains(shown),
            "the page shows {shown}: {}",
            page.body
        );
    }
    let kazakh = browser.get("/console/statistics?lang=kk").await;
    assert!(kazakh.body.contains("Мәртебелер бойынша қалдықтар"));
    let not_theirs = browser
        .get(&format!("/console/statistics?owner={}", "990440000395"))
        .await;
    assert_eq!(not_theirs.status, 403);
    let garbage = browser.get("/console/statistics?from=yesterday").await;
    assert_eq!(garbage.status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_is_15_a_ministry_exports_parquet_once_per_key_and_downloads_it_over_grpc_and_http() {
    use tanba_types::{DataExportKind, Date};
    let fixture = start(|_| {}).await;
    let producer_key = fixture
        .member("960440000012", "Су зауыты", pb::Role::Producer)
        .await;
    let (producer, _codes) = fixture.goods_of(&producer_key, 5).await;
    let ministry_key = fixture
        .member("870412300416", "Министрлік", pb::Role::Ministry)
        .await;
    let mut ministry = Connection::connect(&fixture.grpc()).await.unwrap();
    ministry.sign_in(&ministry_key).await.unwrap();
    let today = Date::from_unix_ms_in_kz(START_MS);
    let asked = ministry
        .request_data_export("codes-today", DataExportKind::Codes, today, today)
        .await
        .unwrap();
    // The same key again is the same job.
    let again = ministry
        .request_data_export("codes-today", DataExportKind::Codes, today, today)
        .await
        .unwrap();
    assert_eq!(again.job, asked.job);
    let job = ministry
        .wait_for_data_export(asked.job, std::time::Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(
        (job.state.as_str(), job.rows, job.files.len()),
        ("done", 5, 1),
        "{job:?}"
    );
    let directory = tempfile::tempdir().unwrap();
    let written = ministry
        .download_data_export(&job, directory.path())
        .await
        .unwrap();
    let bytes = std::fs::read(&written[0]).unwrap();
    assert_eq!(&bytes[..4], b"PAR1", "a Parquet file");
    assert_eq!(bytes.len() as u64, job.files[0].bytes);

    // Over HTTP with the ministry's token: the same bytes; a file the job does not list, or a
    // path that climbs out, is not found; without a token, nothing.
    let token = fixture.http_token(&ministry_key).await;
    let web = reqwest::Client::new();
    let get = |path: String| {
        web.get(format!("{}{path}", fixture.http()))
            .bearer_auth(&token)
    };
    let served = get(format!("/v1/exports/{}/{}", job.job, job.files[0].path))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.bytes().await.unwrap().to_vec(), bytes);
    for path in [
        "day=2001-01-01/part-0.parquet",
        "..%2F..%2Fengine/CURRENT",
        "day=x/..%2F..%2Fmanifest.json",
    ] {
        let refused = get(format!("/v1/exports/{}/{path}", job.job))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 404, "{path}");
    }
    let anonymous = web
        .get(format!(
            "{}/v1/exports/{}/{}",
            fixture.http(),
            job.job,
            job.files[0].path
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);

    // A producer may neither ask nor read the ministry's job; the operator may read it.
    let refused = producer
        .request_data_export("mine", DataExportKind::Sales, today, today)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some("TANBA-SERVER-FORBIDDEN"));
    // The whole log and the cases are the operator's, as their feeds are.
    for kind in [DataExportKind::Events, DataExportKind::Cases] {
        let refused = ministry
            .request_data_export(kind.name(), kind, today, today)
            .await
            .unwrap_err();
        assert_eq!(
            refused.code(),
            Some("TANBA-ENGINE-ROLE-REQUIRED"),
            "{kind:?}"
        );
    }
    // A key used before, asked with something else, is refused with the job it made.
    let refused = ministry
        .request_data_export("codes-today", DataExportKind::Sales, today, today)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some("TANBA-ENGINE-DATA-EXPORT-KEY-USED"));
    let refused = producer.get_data_export(job.job).await.unwrap_err();
    assert_eq!(refused.code(), Some("TANBA-SERVER-FORBIDDEN"));
    let operator = fixture.operator().await;
    assert_eq!(
        operator.get_data_export(job.job).await.unwrap().state,
        "done"
    );

    // Deleted: its files are gone and it is never written again.
    let deleted = ministry.delete_data_export(job.job).await.unwrap();
    assert_eq!(deleted.state, "deleted");
    let gone = get(format!("/v1/exports/{}/{}", job.job, job.files[0].path))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
    assert!(fixture.server.app.exports.used_bytes() < job.files[0].bytes);
}
