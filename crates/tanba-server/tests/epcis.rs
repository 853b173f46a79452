//! EPCIS 2.0 over real sockets: a producer's partner system captures commissioning, packing and
//! introduction as EPCIS documents (all or nothing), refused documents say why, and the events
//! come back through the REST query interface, a page at a time, each the viewer's to see.

mod support;

use serde_json::{Value, json};
use support::Fixture;
use tanba_epcis::export::code_uri;
use tanba_proto::v1 as pb;
use tanba_types::CodeKey;
use tanba_types::scanned::ScannedCode;

const PRODUCER: &str = "960440000012";
const RETAILER: &str = "870412300416";

fn key_of(raw: &str) -> CodeKey {
    ScannedCode::read(raw).unwrap().key
}

fn sscc() -> String {
    let digits = "04870000000000001";
    let check = tanba_gs1::check_digit::compute(digits).unwrap();
    format!("https://id.gs1.org/00/{digits}{check}")
}

fn document(events: Vec<Value>) -> Value {
    json!({
        "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", { "tanba": "https://id.tanba.kz/voc/" }],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-17T10:00:00.000+05:00",
        "epcisBody": { "eventList": events },
    })
}

fn event(kind: &str, action: &str, step: &str, fields: Value) -> Value {
    let mut event = json!({
        "type": kind,
        "action": action,
        "bizStep": step,
        "eventTime": "2026-11-17T09:00:00.000+05:00",
        "eventTimeZoneOffset": "+05:00",
    });
    event
        .as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    event
}

struct Partner {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Partner {
    async fn capture(&self, body: &Value, behaviour: Option<&str>) -> (u16, Value) {
        let mut request = self
            .http
            .post(format!("{}/epcis/capture", self.base))
            .bearer_auth(&self.token)
            .header("content-type", "application/ld+json")
            .body(serde_json::to_vec(body).unwrap());
        if let Some(behaviour) = behaviour {
            request = request.header("GS1-Capture-Error-Behaviour", behaviour);
        }
        let answer = request.send().await.unwrap();
        let status = answer.status().as_u16();
        (status, answer.json().await.unwrap())
    }

    async fn get(&self, path_and_query: &str) -> (u16, Option<String>, Value) {
        let answer = self
            .http
            .get(format!("{}{path_and_query}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        let status = answer.status().as_u16();
        let link = answer
            .headers()
            .get("link")
            .map(|value| value.to_str().unwrap().to_owned());
        (status, link, answer.json().await.unwrap())
    }

    /// Every event a query answers, following the `Link` header page by page.
    async fn all_events(&self, query: &str) -> Vec<Value> {
        let mut found = Vec::new();
        let mut next = Some(format!("/epcis/events?{query}"));
        while let Some(path) = next.take() {
            let (status, link, body) = self.get(&path).await;
            assert_eq!(status, 200, "{body}");
            assert!(tanba_epcis::schema::is_valid(&body), "{body}");
            found.extend(
                body["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .cloned(),
            );
            next = link.map(|link| {
                link.trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap()
                    .to_owned()
            });
        }
        found
    }
}

async fn partner(fixture: &Fixture, id: &str, role: pb::Role) -> Partner {
    let key = fixture.member(id, "Partner", role).await;
    Partner {
        http: reqwest::Client::new(),
        base: fixture.http(),
        token: fixture.http_token(&key).await,
    }
}

/// A query string of `params`, encoded.
fn query(params: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(params).unwrap()
}

fn steps(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|event| {
            event["bizStep"]
                .as_str()
                .unwrap()
                .rsplit('-')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn a_partner_captures_commissioning_packing_and_introduction_all_or_nothing_and_queries_them_back()
 {
    let fixture = support::start(|_| {}).await;
    let producer_key = fixture
        .member(PRODUCER, "Су зауыты", pb::Role::Producer)
        .await;
    let (_connection, codes) = fixture.issued_codes(&producer_key, 4).await;
    let producer = Partner {
        http: reqwest::Client::new(),
        base: fixture.http(),
        token: fixture.http_token(&producer_key).await,
    };
    let uris: Vec<String> = codes.iter().map(|raw| code_uri(&key_of(raw))).collect();

    let made = document(vec![
        event(
            "ObjectEvent",
            "ADD",
            "commissioning",
            json!({
                "epcList": uris,
                "disposition": "active",
                "ilmd": { "cbvmda:lotNumber": "L-1", "cbvmda:itemExpirationDate": "2027-11-20" },
            }),
        ),
        event(
            "AggregationEvent",
            "ADD",
            "packing",
            json!({ "parentID": sscc(), "childEPCs": [uris[0], uris[1]] }),
        ),
        event(
            "ObjectEvent",
            "OBSERVE",
            "https://id.tanba.kz/voc/BizStep-introducing",
            json!({ "epcList": [sscc(), uris[2], uris[3]] }),
        ),
    ]);
    let (status, job) = producer.capture(&made, None).await;
    assert_eq!(status, 202, "{job}");
    assert_eq!(
        (job["success"].clone(), job["tanba:done"].clone()),
        (json!(true), json!(3)),
        "{job}"
    );
    let (status, _, again) = producer
        .get(&format!(
            "/epcis/capture/{}",
            job["captureID"].as_str().unwrap()
        ))
        .await;
    assert_eq!((status, again), (200, job.clone()));

    // All or nothing: unpacking a unit is fine alone, but the second event names a code Tanba
    // never issued, so the unit stays packed.
    let stranger = "https://id.gs1.org/01/04870000000005/21/NOPE";
    let broken = document(vec![
        event(
            "AggregationEvent",
            "DELETE",
            "unpacking",
            json!({ "childEPCs": [uris[0]] }),
        ),
        event(
            "ObjectEvent",
            "DELETE",
            "destroying",
            json!({ "epcList": [stranger] }),
        ),
    ]);
    let (status, job) = producer.capture(&broken, None).await;
    assert_eq!(status, 202, "{job}");
    assert_eq!(job["success"], false);
    assert_eq!(job["tanba:done"], 0);
    assert_eq!(job["errors"][0]["event"], 1, "{job}");
    assert_eq!(
        job["errors"][0]["code"], "TANBA-ENGINE-UNKNOWN-CODE",
        "{job}"
    );
    let unpacked = producer
        .all_events(&query(&[
            ("EQ_bizStep", "unpacking"),
            ("MATCH_anyEPC", &uris[0]),
        ]))
        .await;
    assert!(
        unpacked.is_empty(),
        "nothing of the refused capture was done: {unpacked:?}"
    );

    // Proceed: what can be done is, the rest is reported.
    let (status, job) = producer.capture(&broken, Some("proceed")).await;
    assert_eq!(status, 202);
    assert_eq!(
        (job["success"].clone(), job["tanba:done"].clone()),
        (json!(false), json!(1)),
        "{job}"
    );

    // The producer's events, in log order: encoding (the issue), commissioning, packing, the
    // pallet made, introduction, unpacking.
    let everything = producer.all_events("").await;
    assert_eq!(
        steps(&everything),
        [
            "encoding",
            "commissioning",
            "commissioning",
            "packing",
            "introducing",
            "unpacking"
        ]
    );
    let paged = producer.all_events("perPage=1").await;
    assert_eq!(paged, everything, "page by page, the same events");
    let newest_first = producer.all_events("orderDirection=DESC&perPage=2").await;
    assert_eq!(
        newest_first,
        everything.iter().rev().cloned().collect::<Vec<_>>()
    );
    let packing = producer.all_events("EQ_bizStep=packing").await;
    assert_eq!(packing, [everything[3].clone()]);
    let of_one = producer
        .all_events(&query(&[("MATCH_epc", &uris[3])]))
        .await;
    assert_eq!(steps(&of_one), ["encoding", "commissioning", "introducing"]);
    assert!(
        producer
            .all_events("GE_eventTime=2099-01-01T00:00:00Z")
            .await
            .is_empty()
    );

    // Another participant sees none of it; the operator sees it all.
    let retailer = partner(&fixture, RETAILER, pb::Role::Retailer).await;
    assert!(retailer.all_events("").await.is_empty());
    let (status, _, _) = retailer
        .get(&format!(
            "/epcis/capture/{}",
            job["captureID"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 404, "another's capture job is not there for it");
    let operator = Partner {
        http: reqwest::Client::new(),
        base: fixture.http(),
        token: fixture.http_token(&fixture.operator).await,
    };
    assert_eq!(operator.all_events("").await, everything);
}

#[tokio::test]
async fn a_bad_document_or_query_is_refused_whole_with_a_coded_reason() {
    let fixture = support::start(|_| {}).await;
    let producer = partner(&fixture, PRODUCER, pb::Role::Producer).await;
    let bad_step = document(vec![event(
        "ObjectEvent",
        "OBSERVE",
        "transforming",
        json!({ "epcList": [sscc()] }),
    )]);
    // A document GS1's schema or the vocabulary refuses is a capture job of its problems, as
    // EPCIS reports them: nothing done.
    let (status, job) = producer.capture(&bad_step, None).await;
    assert_eq!(status, 202, "{job}");
    assert_eq!(
        (job["success"].clone(), job["tanba:done"].clone()),
        (json!(false), json!(0))
    );
    let code = job["errors"][0]["code"].as_str().unwrap();
    assert!(
        [
            "TANBA-EPCIS-CAPTURE-SCHEMA",
            "TANBA-EPCIS-CAPTURE-VOCABULARY"
        ]
        .contains(&code),
        "{job}"
    );
    let not_an_object = json!(["a list, not a document"]);
    let (status, refused) = producer.capture(&not_an_object, None).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str().unwrap()),
        (400, "TANBA-EPCIS-CAPTURE-MALFORMED")
    );
    assert!(!refused["error"]["problems"].as_array().unwrap().is_empty());

    let send = |body: Vec<u8>, content_type: &str| {
        producer
            .http
            .post(format!("{}/epcis/capture", producer.base))
            .bearer_auth(&producer.token)
            .header("content-type", content_type.to_owned())
            .body(body)
            .send()
    };
    let malformed = send(b"{\"type\": ".to_vec(), "application/json")
        .await
        .unwrap();
    assert_eq!(malformed.status().as_u16(), 400);
    assert_eq!(
        malformed.json::<Value>().await.unwrap()["error"]["code"],
        "TANBA-EPCIS-CAPTURE-MALFORMED"
    );
    let huge = send(
        vec![b' '; tanba_epcis::capture::CAPTURE_BYTES_MAX + 1],
        "application/json",
    )
    .await
    .unwrap();
    assert_eq!(huge.status().as_u16(), 400);
    assert_eq!(
        huge.json::<Value>().await.unwrap()["error"]["code"],
        "TANBA-SERVER-TOO-MANY"
    );
    let not_json = send(b"<epcis/>".to_vec(), "application/xml").await.unwrap();
    assert_eq!(
        not_json.json::<Value>().await.unwrap()["error"]["code"],
        "TANBA-SERVER-UNSUPPORTED-MEDIA"
    );
    let anonymous = reqwest::Client::new()
        .post(format!("{}/epcis/capture", producer.base))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);

    for (query, code) in [
        (
            "GE_eventDate=2026-01-01T00:00:00Z",
            "TANBA-EPCIS-QUERY-UNKNOWN-PARAMETER",
        ),
        ("GE_eventTime=not-a-date", "TANBA-EPCIS-QUERY-VALUE"),
        ("EQ_action=SHIPPED", "TANBA-EPCIS-QUERY-VALUE"),
        ("perPage=100000", "TANBA-EPCIS-QUERY-VALUE"),
        ("nextPageToken=abc", "TANBA-EPCIS-QUERY-PAGE-TOKEN"),
        ("EQ_bizStep=shipping||receiving", "TANBA-EPCIS-QUERY-VALUE"),
        ("perPage=1001", "TANBA-EPCIS-QUERY-VALUE"),
    ] {
        let (status, _, body) = producer.get(&format!("/epcis/events?{query}")).await;
        assert_eq!(
            (status, body["error"]["code"].as_str().unwrap()),
            (400, code),
            "{query}"
        );
    }
}

/// What a webhook receiver got: each delivery's signature, id and body.
type Received = std::sync::Arc<std::sync::Mutex<Vec<(String, String, Vec<u8>)>>>;

/// A receiver on loopback that refuses its first delivery (503) and takes the rest.
async fn receiver() -> (String, Received) {
    use axum::http::HeaderMap;
    let received: Received = Default::default();
    let refused_once = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (kept, refused) = (received.clone(), refused_once.clone());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let (kept, refused) = (kept.clone(), refused.clone());
            async move {
                if !refused.swap(true, std::sync::atomic::Ordering::SeqCst) {
                    return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                }
                let header = |name: &str| headers.get(name).unwrap().to_str().unwrap().to_owned();
                kept.lock().unwrap().push((
                    header("GS1-Signature"),
                    header("GS1-Delivery"),
                    body.to_vec(),
                ));
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}/hook"), received)
}

#[tokio::test]
async fn a_subscribers_webhook_gets_exactly_the_matching_events_in_order_signed_after_a_retry() {
    let fixture = support::start(|config| {
        config.webhooks.allow_plain_http = true;
        config.webhooks.allow_private_destinations = true;
    })
    .await;
    let producer_key = fixture
        .member(PRODUCER, "Су зауыты", pb::Role::Producer)
        .await;
    let (_connection, codes) = fixture.issued_codes(&producer_key, 4).await;
    let producer = Partner {
        http: reqwest::Client::new(),
        base: fixture.http(),
        token: fixture.http_token(&producer_key).await,
    };
    let uris: Vec<String> = codes.iter().map(|raw| code_uri(&key_of(raw))).collect();
    let (dest, received) = receiver().await;
    let secret = "a-receivers-token-0123456789";

    let post = |path: String, body: Value| {
        producer
            .http
            .post(format!("{}{path}", producer.base))
            .bearer_auth(&producer.token)
            .json(&body)
            .send()
    };
    let defined = post(
        "/epcis/queries".into(),
        json!({ "name": "packing", "query": { "EQ_bizStep": ["packing"] } }),
    )
    .await
    .unwrap();
    assert_eq!(defined.status().as_u16(), 201);
    let refused = post(
        "/epcis/queries/packing/subscriptions".into(),
        json!({ "dest": "ftp://127.0.0.1/x", "signatureToken": secret, "stream": true }),
    )
    .await
    .unwrap();
    assert_eq!(refused.status().as_u16(), 400, "not http(s)");
    let weak = post(
        "/epcis/queries/packing/subscriptions".into(),
        json!({ "dest": dest, "signatureToken": "short", "stream": true }),
    )
    .await
    .unwrap();
    assert_eq!(
        weak.status().as_u16(),
        400,
        "a token too short to be a secret"
    );
    let subscribed = post(
        "/epcis/queries/packing/subscriptions".into(),
        json!({ "dest": dest, "signatureToken": secret, "stream": true }),
    )
    .await
    .unwrap();
    assert_eq!(subscribed.status().as_u16(), 201);
    let subscription: Value = subscribed.json().await.unwrap();
    assert!(
        subscription.get("signatureToken").is_none(),
        "the token is never shown again"
    );

    let second_pallet = {
        let digits = "04870000000000002";
        format!(
            "https://id.gs1.org/00/{digits}{}",
            tanba_gs1::check_digit::compute(digits).unwrap()
        )
    };
    let made = document(vec![
        event(
            "ObjectEvent",
            "ADD",
            "commissioning",
            json!({ "epcList": uris }),
        ),
        event(
            "AggregationEvent",
            "ADD",
            "packing",
            json!({ "parentID": sscc(), "childEPCs": [uris[0], uris[1]] }),
        ),
        event(
            "AggregationEvent",
            "ADD",
            "packing",
            json!({ "parentID": second_pallet, "childEPCs": [uris[2]] }),
        ),
    ]);
    let (status, job) = producer.capture(&made, None).await;
    assert_eq!(
        (status, job["success"].clone()),
        (202, json!(true)),
        "{job}"
    );

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let delivered: Vec<Value> = loop {
        let events: Vec<Value> = received
            .lock()
            .unwrap()
            .iter()
            .flat_map(|(_, _, body)| {
                let body: Value = serde_json::from_slice(body).unwrap();
                body["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
                    .as_array()
                    .unwrap()
                    .clone()
            })
            .collect();
        if events.len() >= 2 || std::time::Instant::now() > deadline {
            break events;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let parents: Vec<&str> = delivered
        .iter()
        .map(|event| event["parentID"].as_str().unwrap())
        .collect();
    assert_eq!(
        parents,
        [sscc().as_str(), second_pallet.as_str()],
        "the packing events, in order, once"
    );
    for (signature, delivery, body) in received.lock().unwrap().iter() {
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
        let hex = signature.strip_prefix("sha256=").unwrap();
        let mac: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|at| u8::from_str_radix(&hex[at..at + 2], 16).unwrap())
            .collect();
        ring::hmac::verify(&key, body, &mac).expect("signed with the subscription's token");
        assert!(delivery.starts_with(subscription["subscriptionID"].as_str().unwrap()));
        assert!(tanba_epcis::schema::is_valid(
            &serde_json::from_slice(body).unwrap()
        ));
    }

    let id = subscription["subscriptionID"].as_str().unwrap();
    let gone = producer
        .http
        .delete(format!(
            "{}/epcis/queries/packing/subscriptions/{id}",
            producer.base
        ))
        .bearer_auth(&producer.token)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status().as_u16(), 204);
    let (status, _, left) = producer.get("/epcis/queries/packing/subscriptions").await;
    assert_eq!((status, left), (200, json!([])));
    let (status, _, named) = producer.get("/epcis/queries/packing/events").await;
    assert_eq!(status, 200);
    assert_eq!(
        named["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}
