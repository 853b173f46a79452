//! The public page over real HTTP, as a phone's browser without JavaScript uses it: a genuine
//! code's page in each language with its card, its language switch keeping the code's tail and
//! a strict policy; a violation report through the page's form (with and without a photo), a
//! photo too large or not an image refused with its code and nothing stored, the report rate
//! applying to the form as to the JSON API, and a comment's HTML escaped where an authority
//! reads it. And the GS1 resolver at the same path: a unit's linkset (every link followed), a
//! redirect for each link type, nothing for a forged or unknown code, the page and the JSON
//! unchanged.

mod support;

use std::time::Duration;

use tanba_client::KeyFile;
use tanba_crypto::Signer;
use tanba_gs1::{MarkingCode, OutputForm, ParseOptions};
use tanba_proto::v1 as pb;
use tanba_server::console::i18n::Words;
use tanba_server::public::REPORT_PHOTO_BYTES_MAX;
use tanba_types::{Date, Language};

use support::{Fixture, START_MS, start};

/// The producer's IIN/BIN.
const PRODUCER: &str = "960440000012";
/// The authority's.
const AUTHORITY: &str = "871008401427";
/// A 1×1 PNG image.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

impl Fixture {
    /// A producer's bottle of water in circulation: its Digital Link path (with its tail).
    async fn genuine_bottle(&self) -> String {
        let (_, codes) = self.goods_in_circulation(PRODUCER, 1).await;
        let code = MarkingCode::parse(&codes[0], &ParseOptions::default()).unwrap();
        let link = code
            .format(&OutputForm::DigitalLink(Some("https://id.tanba.kz".into())))
            .unwrap();
        let link = link.strip_prefix("https://id.tanba.kz").unwrap().to_owned();
        assert!(link.starts_with("/01/04870000000005/21/"), "{link}");
        link
    }

    fn web(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// The reports the log holds, oldest first.
    fn reports(&self) -> Vec<(u64, tanba_types::ViolationReport)> {
        let snapshot = self.server.app.engine.snapshot();
        tanba_engine::public::reports(snapshot.as_ref(), None, 0, 1_000)
            .unwrap()
            .into_iter()
            .map(|(id, record)| (id, record.report))
            .collect()
    }

    /// How many reports the log holds.
    fn reports_stored(&self) -> usize {
        self.reports().len()
    }

    /// The photo report `id` came with, if any, from the node's blobs.
    async fn photo(&self, id: u64) -> Option<tanba_server::public::Photo> {
        let snapshot = self.server.app.engine.snapshot();
        let record = tanba_engine::public::report_of(snapshot.as_ref(), id)
            .unwrap()
            .unwrap();
        let named = record.report.photo?;
        Some(self.server.app.public.photo(&named).await.unwrap().unwrap())
    }
}

/// A `multipart/form-data` body as a browser sends one: its `Content-Type` and its bytes.
/// A part named `photo` is a file.
fn multipart(fields: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----TanbaTestBoundary7f3a9c";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        if *name == "photo" {
            body.extend_from_slice(
                b"Content-Disposition: form-data; name=\"photo\"; filename=\"p.png\"\r\n\
                  Content-Type: image/png\r\n\r\n",
            );
        } else {
            body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            );
        }
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts the report form as the page's browser does; the status and the page.
async fn post_report(fixture: &Fixture, query: &str, fields: &[(&str, &[u8])]) -> (u16, String) {
    let (content_type, body) = multipart(fields);
    let response = fixture
        .web()
        .post(format!("{}/check/report?{query}", fixture.http()))
        .header("content-type", content_type)
        .header("sec-fetch-site", "same-origin")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// The text between `start` and the next `<` after it.
fn text_after(page: &str, start: &str) -> String {
    let from = page
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {page}"))
        + start.len();
    page[from..from + page[from..].find('<').unwrap()].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_codes_page_speaks_each_language_keeps_its_tail_and_carries_a_strict_policy() {
    let fixture = start(|_| {}).await;
    let link = fixture.genuine_bottle().await;
    let (path, tail) = link.split_once('?').expect("a tail in the query");
    let web = fixture.web();
    let expected = [
        (Language::Kk, "Ауыз су, 1 л", "Таңбаны тексеру"),
        (Language::Ru, "Питьевая вода, 1 л", "Проверка маркировки"),
        (Language::En, "Drinking water, 1 l", "Marking check"),
    ];
    for (language, product, title) in expected {
        let code = language.code();
        let produced = Words::new(language).date(Date::from_unix_ms_in_kz(START_MS));
        let response = (web.get(format!("{}{link}&lang={code}", fixture.http())))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let headers = response.headers().clone();
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(policy.contains("script-src 'self'") && policy.contains("style-src 'self'"));
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        let cookie = headers["set-cookie"].to_str().unwrap();
        assert!(
            cookie.starts_with(&format!("tanba_lang={code};")),
            "{cookie}"
        );
        let page = response.text().await.unwrap();
        assert!(page.contains(&format!("<html lang=\"{code}\">")));
        assert!(page.contains("data-verdict=\"genuine\">"), "{page}");
        for text in [product, title, "Су зауыты", &produced] {
            assert!(page.contains(text), "{code}: no {text} in {page}");
        }
        assert!(!page.contains('⟦'), "a message is missing: {page}");
        assert!(!page.contains("style="), "no inline style");
        assert!(!page.contains("<script>"), "no inline script");
        assert!(!page.contains("id=\"untailed\""), "checked with its tail");
        assert!(page.contains("id=\"opt-in-form\"") && page.contains("id=\"report-form\""));
        // Every language link keeps the tail (the query as received, `&` escaped).
        for other in ["kk", "ru", "en"] {
            let href = format!(
                "href=\"{path}?{}&#38;lang={other}\"",
                tail.replace('&', "&#38;")
            );
            assert!(page.contains(&href), "{href} in {page}");
        }
    }

    // The language chosen is kept for the next visit; the stylesheet is ours and served.
    let page = (web.get(format!("{}{link}", fixture.http())))
        .header("cookie", "tanba_lang=en")
        .header("accept-language", "ru")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<html lang=\"en\">"));
    let marker = "<link rel=\"stylesheet\" href=\"";
    let css = &page[page.find(marker).unwrap() + marker.len()..];
    let css = &css[..css.find('"').unwrap()];
    assert!(css.starts_with("/console/assets/public."), "{css}");
    let served = web
        .get(format!("{}{css}", fixture.http()))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "text/css; charset=utf-8");

    // Without the tail, the page says only the code's identity was checked; JSON still answers.
    let bare = web
        .get(format!("{}{path}?lang=en", fixture.http()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(bare.contains("id=\"untailed\""));
    let json: serde_json::Value = (web.get(format!("{}{link}", fixture.http())))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json["verdict"], "genuine");

    // The home page and the report form alone, in each language.
    for code in ["kk", "ru", "en"] {
        for route in ["/", "/check/report"] {
            let response = (web.get(format!("{}{route}?lang={code}", fixture.http())))
                .send()
                .await
                .unwrap();
            assert!(response.headers().contains_key("content-security-policy"));
            let page = response.text().await.unwrap();
            assert!(page.contains(&format!("<html lang=\"{code}\">")), "{page}");
            assert!(!page.contains('⟦'), "{page}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_through_the_form_is_stored_with_its_photo_and_thanked_in_the_visitors_language() {
    let fixture = start(|_| {}).await;
    let link = fixture.genuine_bottle().await;
    let back = tanba_server::console::percent_encode(&link);
    let (status, page) = post_report(
        &fixture,
        &format!("lang=ru&back={back}"),
        &[
            ("code", b"(01)04870000000005(21)unknown-serial"),
            ("kind", b"sold_after_expiry"),
            ("comment", "Продают на рынке\r\nпосле срока".as_bytes()),
            ("latitude", b"43.25"),
            ("longitude", b"76,95"),
            ("photo", PNG),
        ],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("<html lang=\"ru\">") && page.contains("Спасибо"),
        "{page}"
    );
    let number: u64 = text_after(&page, "id=\"report-number\">").parse().unwrap();
    assert!(
        page.contains(&format!(
            "href=\"{}&#38;lang=ru\"",
            link.replace('&', "&#38;")
        )),
        "back to the product: {page}"
    );

    let stored = fixture.reports();
    let (id, report) = &stored[0];
    assert_eq!(*id, number);
    assert_eq!(report.comment, "Продают на рынке\nпосле срока");
    assert_eq!(
        report.location.map(|place| place.degrees()),
        Some((43.25, 76.95))
    );
    assert_eq!(
        report.kind,
        tanba_server::public::ViolationKind::SoldAfterExpiry
    );
    let photo = fixture.photo(number).await.unwrap();
    assert_eq!(photo.bytes(), PNG);
    assert_eq!(photo.format().content_type(), "image/png");

    // Without a photo, an empty file input, in English; without a code, only "no code".
    let empty: &[u8] = b"";
    let (status, page) = post_report(
        &fixture,
        "lang=en",
        &[("code", empty), ("kind", b"no_code"), ("photo", empty)],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Thank you"));
    let second: u64 = text_after(&page, "id=\"report-number\">").parse().unwrap();
    assert_eq!(fixture.photo(second).await, None);
    let (status, page) = post_report(&fixture, "lang=kk", &[("kind", b"counterfeit")]).await;
    assert_eq!(status, 400);
    assert!(page.contains("<html lang=\"kk\">") && page.contains("TANBA-SERVER-INVALID"));

    // In the audit trail under its own door's name (records are durable within moments).
    let operator = fixture.operator().await;
    let mut audited = false;
    for _ in 0..50 {
        let records = operator
            .audit_records(pb::QueryAuditRequest {
                code: "(01)04870000000005(21)unknown-serial".into(),
                ..Default::default()
            })
            .await
            .unwrap();
        audited = records
            .iter()
            .any(|record| record.method == "POST /check/report");
        if audited {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(audited, "the report's call is audited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_too_large_or_not_an_image_is_refused_with_its_code_and_nothing_is_stored() {
    let fixture = start(|_| {}).await;
    let code: &[u8] = b"(01)04870000000005(21)abc";
    let mut large = PNG.to_vec();
    large.resize(REPORT_PHOTO_BYTES_MAX + 1, 0);
    let (status, page) = post_report(
        &fixture,
        "lang=en",
        &[("code", code), ("kind", b"counterfeit"), ("photo", &large)],
    )
    .await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("TANBA-SERVER-TOO-MANY") && page.contains("photo bytes"));
    // A GIF, an SVG and a page named photo.png are none of ours, whatever they are called.
    for not_ours in [
        &b"GIF89a\x01\x00\x01\x00"[..],
        b"<svg onload=alert(1)>",
        b"<html>",
    ] {
        let (status, page) = post_report(
            &fixture,
            "lang=ru",
            &[
                ("code", code),
                ("kind", b"counterfeit"),
                ("photo", not_ours),
            ],
        )
        .await;
        assert_eq!(status, 400, "{page}");
        assert!(page.contains("TANBA-SERVER-UNSUPPORTED-MEDIA"), "{page}");
    }
    // A body declared larger than the form's limit is refused before it is read.
    let response = fixture
        .web()
        .post(format!("{}/check/report?lang=en", fixture.http()))
        .header("content-type", "multipart/form-data; boundary=x")
        .header("content-length", (64 * 1024 * 1024).to_string())
        .body(reqwest::Body::from(vec![b'x'; 16]))
        .timeout(Duration::from_secs(10))
        .send()
        .await;
    if let Ok(response) = response {
        assert_eq!(response.status(), 400);
    }
    // Not a form at all; a field of another name.
    let json = fixture
        .web()
        .post(format!("{}/check/report", fixture.http()))
        .header("content-type", "application/json")
        .body("{\"kind\":\"other\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), 400);
    assert!(
        json.text()
            .await
            .unwrap()
            .contains("TANBA-SERVER-UNSUPPORTED-MEDIA")
    );
    let (status, _) = post_report(
        &fixture,
        "",
        &[("code", code), ("kind", b"other"), ("admin", b"1")],
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(fixture.reports_stored(), 0, "nothing stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_rate_applies_to_the_form_as_to_the_json_api() {
    let fixture = start(|config| config.rates.reports_per_ip_per_hour = 3).await;
    let web = fixture.web();
    let json = || async {
        web.post(format!("{}/v1/reports", fixture.http()))
            .json(&serde_json::json!({ "kind": "no_code", "comment": "json" }))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(json().await, 200);
    let form = [("kind", &b"no_code"[..]), ("photo", PNG)];
    assert_eq!(post_report(&fixture, "lang=en", &form).await.0, 200);
    assert_eq!(json().await, 200);
    // The fourth, by either door, is over the rate: refused before its body is read.
    let (status, page) = post_report(&fixture, "lang=kk", &form).await;
    assert_eq!(status, 429, "{page}");
    assert!(page.contains("TANBA-SERVER-RATE-LIMITED") && page.contains("<html lang=\"kk\">"));
    assert_eq!(json().await, 429);
    assert_eq!(fixture.reports_stored(), 3);
    // A post from another site's page is refused outright.
    let (content_type, body) = multipart(&form);
    let cross_site = web
        .post(format!("{}/check/report", fixture.http()))
        .header("content-type", content_type)
        .header("sec-fetch-site", "cross-site")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
}

/// Signs in to the console as the console's page script does; the session cookie.
async fn console_session(fixture: &Fixture, key: &KeyFile) -> String {
    let web = fixture.web();
    let page = web
        .get(format!("{}/console/sign-in?lang=en", fixture.http()))
        .send()
        .await
        .unwrap();
    let token = (page.headers().get_all("set-cookie").iter())
        .filter_map(|value| value.to_str().ok())
        .find_map(|line| line.strip_prefix("tanba_sign_in="))
        .and_then(|rest| rest.split(';').next())
        .expect("a sign-in form token")
        .to_owned();
    let cookie = format!("tanba_sign_in={token}");
    let participant = key.participant.to_string();
    let challenge: serde_json::Value = web
        .post(format!("{}/console/sign-in/challenge", fixture.http()))
        .header("cookie", &cookie)
        .form(&[("participant", participant.as_str()), ("csrf", &token)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let message =
        tanba_crypto::encoding::base64url_decode(challenge["message"].as_str().unwrap()).unwrap();
    let signature = tanba_crypto::encoding::base64url(&key.signer().sign(&message));
    let signed_in = web
        .post(format!("{}/console/sign-in", fixture.http()))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", token.as_str()),
            ("participant", &participant),
            ("challenge", challenge["challenge"].as_str().unwrap()),
            ("signature", &signature),
            ("next", "/console/reports"),
        ])
        .send()
        .await
        .unwrap();
    (signed_in.headers().get_all("set-cookie").iter())
        .filter_map(|value| value.to_str().ok())
        .find_map(|line| line.strip_prefix("tanba_session="))
        .and_then(|rest| rest.split(';').next())
        .map(|session| format!("tanba_session={session}"))
        .expect("a session")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_in_a_report_is_escaped_on_every_page_that_shows_it() {
    let fixture = start(|_| {}).await;
    let authority = fixture
        .member(AUTHORITY, "Sanitary control", pb::Role::Authority)
        .await;
    let script = "<script>alert(1)</script> fake";
    let (status, page) = post_report(
        &fixture,
        "lang=en",
        &[
            ("code", b"(01)04870000000005(21)abc"),
            ("kind", b"counterfeit"),
            ("comment", script.as_bytes()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(fixture.reports()[0].1.comment, script);
    // A code that is markup is refused, and the refusal shows it as text.
    let (status, page) = post_report(
        &fixture,
        "lang=en",
        &[
            ("code", b"<script>alert(2)</script>"),
            ("kind", b"counterfeit"),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert!(!page.contains("<script>alert(2)"), "{page}");

    let session = console_session(&fixture, &authority).await;
    let reports = fixture
        .web()
        .get(format!("{}/console/reports", fixture.http()))
        .header("cookie", session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        reports.contains("alert(1)"),
        "the authority reads the report: {reports}"
    );
    assert!(
        !reports.contains("<script>alert(1)"),
        "stored text is escaped"
    );
    assert!(reports.contains("&#60;script&#62;") || reports.contains("&lt;script&gt;"));
}

/// The GS1 Web Vocabulary terms of the link types Tanba lists for a unit in circulation.
const UNIT_LINK_TYPES: [&str; 4] = ["defaultLink", "pip", "verificationService", "recallStatus"];

/// GETs `url` as a client that accepts `accept`, following no redirect.
async fn fetch(fixture: &Fixture, url: &str, accept: &str) -> reqwest::Response {
    fixture
        .web()
        .get(url)
        .header("accept", accept)
        .send()
        .await
        .unwrap()
}

/// A header of `response` as text ("" when absent).
fn header_text(response: &reqwest::Response, name: &str) -> String {
    (response.headers().get_all(name).iter())
        .filter_map(|value| value.to_str().ok())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The linkset at `url` (a `200` of `application/linkset+json`, never cached): its one link
/// context.
async fn linkset(fixture: &Fixture, url: &str, accept: &str) -> serde_json::Value {
    let response = fetch(fixture, url, accept).await;
    assert_eq!(response.status(), 200, "{url}");
    assert_eq!(
        header_text(&response, "content-type"),
        "application/linkset+json"
    );
    assert_eq!(header_text(&response, "cache-control"), "no-store");
    let mut document: serde_json::Value = response.json().await.unwrap();
    let contexts = document["linkset"].as_array_mut().expect("a linkset array");
    assert_eq!(contexts.len(), 1, "one link context: the item's");
    contexts.remove(0)
}

/// The links of a link context: (relation type, target) pairs.
fn targets(context: &serde_json::Value) -> Vec<(String, serde_json::Value)> {
    let mut targets = Vec::new();
    for (relation, links) in context.as_object().unwrap() {
        if relation != "anchor" {
            for link in links.as_array().expect("a relation's targets are an array") {
                targets.push((relation.clone(), link.clone()));
            }
        }
    }
    targets
}

/// Where a `307` for `url` sends a client that accepts `accept`; the redirect also points to the
/// linkset (`linkset_header`).
async fn redirected(fixture: &Fixture, url: String, accept: &str, linkset_header: &str) -> String {
    let response = fetch(fixture, &url, accept).await;
    assert_eq!(response.status(), 307, "{url}");
    assert_eq!(header_text(&response, "link"), linkset_header, "{url}");
    header_text(&response, "location")
}

/// A refusal as JSON: its status and its code.
async fn refusal(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap();
    (
        status,
        body["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_units_linkset_names_tanbas_links_by_gs1_uri_and_every_href_answers() {
    let fixture = start(|_| {}).await;
    let link = fixture.genuine_bottle().await;
    let (path, _) = link.split_once('?').unwrap();
    let http = fixture.http();
    let context = linkset(&fixture, &format!("{http}{link}&linkType=all"), "*/*").await;
    assert_eq!(
        context["anchor"],
        format!("{http}{path}"),
        "the item's own URI"
    );
    let targets = targets(&context);
    let mut relations: Vec<&str> = targets
        .iter()
        .map(|(relation, _)| relation.as_str())
        .collect();
    relations.dedup();
    let mut expected: Vec<String> = (UNIT_LINK_TYPES.iter())
        .map(|term| format!("https://gs1.org/voc/{term}"))
        .collect();
    // The order of a JSON object's members says nothing.
    relations.sort();
    expected.sort();
    assert_eq!(relations, expected);
    for (relation, target) in &targets {
        let href = target["href"].as_str().unwrap();
        let media_type = target["type"].as_str().unwrap();
        assert!(!target["title"].as_str().unwrap().is_empty(), "{relation}");
        assert_eq!(target["hreflang"], serde_json::json!(["kk", "ru", "en"]));
        assert!(href.starts_with(&http), "{relation}: {href} is ours");
        // Every target answers, in its media type, and checks the code with its tail.
        let response = fetch(&fixture, href, media_type).await;
        assert_eq!(response.status(), 200, "{relation}: {href}");
        assert!(header_text(&response, "content-type").starts_with(media_type));
        let body = response.text().await.unwrap();
        if media_type == "application/json" {
            let check: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(
                (&check["verdict"], &check["tail_checked"]),
                (&"genuine".into(), &true.into())
            );
        } else {
            assert!(body.contains("data-verdict=\"genuine\">"), "{href}: {body}");
            assert!(!body.contains("id=\"untailed\""), "{href} carries the tail");
        }
    }

    // Asked by media type, or by release 1.2's name, it is the same linkset; with `lang=` the
    // titles are in that language and the links keep it.
    let by_accept = linkset(
        &fixture,
        &format!("{http}{link}"),
        "application/linkset+json",
    )
    .await;
    assert_eq!(by_accept, context);
    let by_name = linkset(&fixture, &format!("{http}{link}&linkType=linkset"), "*/*").await;
    assert_eq!(by_name, context);
    let kazakh = linkset(
        &fixture,
        &format!("{http}{link}&lang=kk&linkType=all"),
        "*/*",
    )
    .await;
    let pip = &kazakh["https://gs1.org/voc/pip"][0];
    assert_eq!(pip["title"], "Тауар туралы ақпарат: Ауыз су, 1 л");
    assert_eq!(pip["hreflang"], serde_json::json!(["kk"]));
    assert_eq!(pip["href"], format!("{http}{link}&lang=kk"));

    // Blocked by an authority: still its links, and its recall status says so.
    let authority = fixture
        .member(AUTHORITY, "Sanitary control", pb::Role::Authority)
        .await;
    let mut inspector = tanba_client::Connection::connect(&fixture.grpc())
        .await
        .unwrap();
    inspector.sign_in(&authority).await.unwrap();
    let code = MarkingCode::parse(
        &format!("https://id.tanba.kz{link}"),
        &ParseOptions::default(),
    )
    .unwrap()
    .format(&OutputForm::Bracketed)
    .unwrap();
    inspector.block(vec![code], "Unsafe water").await.unwrap();
    let context = linkset(&fixture, &format!("{http}{link}&linkType=all"), "*/*").await;
    let recall = &context["https://gs1.org/voc/recallStatus"];
    let json = (recall.as_array().unwrap().iter())
        .find(|target| target["type"] == "application/json")
        .expect("a recall status as JSON");
    let status: serde_json::Value = fetch(&fixture, json["href"].as_str().unwrap(), "*/*")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["verdict"], "blocked");
    assert_eq!(status["blocked_by"][0]["reason"], "Unsafe water");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_link_type_redirects_to_its_link_and_an_unknown_one_to_the_default_link() {
    let fixture = start(|_| {}).await;
    let link = fixture.genuine_bottle().await;
    let http = fixture.http();
    let context = linkset(&fixture, &format!("{http}{link}&linkType=all"), "*/*").await;
    let linkset_header =
        format!("<{http}{link}&linkType=all>; rel=\"linkset\"; type=\"application/linkset+json\"");
    let first_of = |term: &str, media_type: &str| {
        let targets = context[format!("https://gs1.org/voc/{term}")]
            .as_array()
            .unwrap();
        (targets.iter())
            .find(|target| target["type"] == media_type)
            .map(|target| target["href"].as_str().unwrap().to_owned())
    };
    let redirect = |name: String, accept: &'static str| {
        let url = format!("{http}{link}&linkType={name}");
        redirected(&fixture, url, accept, &linkset_header)
    };
    for term in UNIT_LINK_TYPES {
        let page = first_of(term, "text/html").expect("every type has a page");
        for name in [
            format!("gs1:{term}"),
            tanba_server::console::percent_encode(&format!("https://gs1.org/voc/{term}")),
        ] {
            assert_eq!(redirect(name, "text/html,*/*;q=0.8").await, page, "{term}");
        }
        // A client that asks for JSON gets a type's JSON link, when it has one.
        if let Some(json) = first_of(term, "application/json") {
            assert_eq!(
                redirect(format!("gs1:{term}"), "application/json").await,
                json
            );
        }
    }
    // A link type Tanba has not for this item, or none GS1 defines: the default link.
    let default = first_of("defaultLink", "text/html").unwrap();
    for name in [
        "gs1:certificationInfo",
        "gs1:nonsense",
        "",
        "https%3A%2F%2Fevil.example%2Fpip",
    ] {
        assert_eq!(redirect(name.to_owned(), "*/*").await, default, "{name}");
    }
    // A link type named with an escaped letter is the same parameter: the redirect drops it
    // (else it would ask again and loop).
    let escaped = format!("{http}{link}&link%54ype=gs1:pip");
    let target = redirected(&fixture, escaped, "text/html", &linkset_header).await;
    assert!(
        !target.to_ascii_lowercase().contains("link%54ype"),
        "{target}"
    );
    assert_eq!(target, first_of("pip", "text/html").unwrap());
    let followed = fetch(&fixture, &default, "text/html").await;
    assert_eq!(followed.status(), 200);
    assert!(
        followed
            .text()
            .await
            .unwrap()
            .contains("data-verdict=\"genuine\">")
    );

    // Each request is the door's call, audited with the link type it asked for.
    let code = MarkingCode::parse(
        &format!("https://id.tanba.kz{link}"),
        &ParseOptions::default(),
    )
    .unwrap()
    .format(&OutputForm::Bracketed)
    .unwrap();
    let operator = fixture.operator().await;
    let mut asked = false;
    for _ in 0..50 {
        let records = operator
            .audit_records(pb::QueryAuditRequest {
                code: code.clone(),
                ..Default::default()
            })
            .await
            .unwrap();
        asked = records.iter().any(|record| {
            record.method == "GET /01/{gtin}/21/{serial}"
                && record.outcome == "OK"
                && record
                    .arguments
                    .iter()
                    .any(|argument| argument == "linkType=gs1:nonsense")
        });
        if asked {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(asked, "the redirect's call is audited with its link type");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_tail_or_an_unknown_code_gets_no_linkset_and_no_redirect() {
    let fixture = start(|_| {}).await;
    let link = fixture.genuine_bottle().await;
    let http = fixture.http();
    // The last character of the signature (AI 92, the last attribute) changed.
    let last = link.chars().last().unwrap();
    let forged = format!(
        "{}{}",
        &link[..link.len() - 1],
        if last == 'A' { 'B' } else { 'A' }
    );
    let unknown = "/01/04870000000005/21/NoSuchSerial1";
    for item in [forged.as_str(), unknown] {
        let separator = if item.contains('?') { '&' } else { '?' };
        for ask in ["linkType=all", "linkType=gs1:pip", "linkType=gs1:nonsense"] {
            let url = format!("{http}{item}{separator}{ask}");
            let refused = refusal(fetch(&fixture, &url, "*/*").await).await;
            assert_eq!(refused, (404, "TANBA-ENGINE-UNKNOWN-CODE".into()), "{url}");
        }
        let bare = format!("{http}{item}");
        let by_accept = fetch(&fixture, &bare, "application/linkset+json").await;
        assert_eq!(refusal(by_accept).await.0, 404);
        // The page and the JSON still answer as before (the verdict says it), with no linkset.
        let page = fetch(&fixture, &format!("{http}{item}"), "text/html").await;
        assert_eq!(page.status(), 200);
        assert_eq!(header_text(&page, "link"), "");
        assert!(
            page.text()
                .await
                .unwrap()
                .contains("data-verdict=\"unknown_or_forged\">")
        );
        let json = fetch(&fixture, &format!("{http}{item}"), "application/json").await;
        assert_eq!(header_text(&json, "link"), "");
        let json: serde_json::Value = json.json().await.unwrap();
        assert_eq!(json["verdict"], "unknown_or_forged");
    }
    // Not a code at all (a wrong check digit): refused as malformed, as the JSON answer is.
    let malformed = format!("{http}/01/04870000000006/21/x?linkType=all");
    let (status, code) = refusal(fetch(&fixture, &malformed, "*/*").await).await;
    assert_eq!(status, 400);
    assert!(code.starts_with("TANBA-GS1-"), "{code}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_still_gets_the_page_and_a_client_the_json_each_pointing_to_the_linkset() {
    let fixture = start(|_| {}).await;
    let link = fixture.genuine_bottle().await;
    let http = fixture.http();
    let linkset_header =
        format!("<{http}{link}&linkType=all>; rel=\"linkset\"; type=\"application/linkset+json\"");
    let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    let page = fetch(&fixture, &format!("{http}{link}"), browser).await;
    assert_eq!(page.status(), 200);
    assert_eq!(
        header_text(&page, "content-type"),
        "text/html; charset=utf-8"
    );
    assert_eq!(header_text(&page, "link"), linkset_header);
    assert!(header_text(&page, "vary").contains("Accept"));
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("data-verdict=\"genuine\">")
    );
    let json = fetch(&fixture, &format!("{http}{link}"), "application/json").await;
    assert_eq!(json.status(), 200);
    assert_eq!(header_text(&json, "content-type"), "application/json");
    assert_eq!(header_text(&json, "link"), linkset_header);
    let json: serde_json::Value = json.json().await.unwrap();
    assert_eq!(json["verdict"], "genuine");
    assert_eq!(json["tail_checked"], true);
    // The header's target is the linkset.
    let context = linkset(&fixture, &format!("{http}{link}&linkType=all"), "*/*").await;
    assert!(context["https://gs1.org/voc/pip"].is_array());
}
