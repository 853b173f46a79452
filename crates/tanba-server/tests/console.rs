//! The web console over real HTTP, as a hostile browser would use it: sign-in with a signed
//! challenge and a session cookie with its attributes, forms refused without their CSRF token
//! or with another session's, sessions that expire and end, a suspended participant signed
//! out at the next request, stored text escaped, and every refusal in the audit trail.

mod support;

use std::sync::atomic::Ordering;

use tanba_client::KeyFile;
use tanba_crypto::Signer;
use tanba_proto::v1 as pb;
use tanba_server::session::SESSION_IDLE_MS;

use support::{Fixture, start};

impl Fixture {
    /// Registers a producer named `name` and returns its key.
    async fn producer(&self, id: &str, name: &str) -> KeyFile {
        let key = KeyFile::generate(id.parse().unwrap());
        self.operator()
            .await
            .registry()
            .register_participant(pb::RegisterParticipantRequest {
                participant: Some(card(&key, name, false)),
            })
            .await
            .unwrap();
        key
    }

    async fn set_suspended(&self, key: &KeyFile, name: &str, suspended: bool) {
        self.operator()
            .await
            .registry()
            .update_participant(pb::UpdateParticipantRequest {
                participant: Some(card(key, name, suspended)),
            })
            .await
            .unwrap();
    }

    fn browser(&self) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: self.http(),
            cookies: Vec::new(),
        }
    }
}

fn card(key: &KeyFile, name: &str, suspended: bool) -> pb::Participant {
    pb::Participant {
        id: key.participant.to_string(),
        name: name.to_owned(),
        roles: vec![pb::Role::Producer as i32],
        keys: vec![pb::ParticipantKey {
            algorithm: "ed25519".into(),
            public_key: key.public_key(),
        }],
        suspended,
    }
}

/// A browser without JavaScript: it keeps the cookies it is given and follows nothing itself.
struct Browser {
    client: reqwest::Client,
    base: String,
    cookies: Vec<(String, String)>,
}

/// An answer: status, where it sends the browser, the `Set-Cookie` lines and the body.
struct Answer {
    status: u16,
    location: String,
    set_cookies: Vec<String>,
    body: String,
}

impl Browser {
    fn cookie_header(&self) -> String {
        let pairs: Vec<String> = (self.cookies.iter())
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        pairs.join("; ")
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Answer {
        let response = request
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        let header = |name: &str| -> Vec<String> {
            (response.headers().get_all(name).iter())
                .map(|value| value.to_str().unwrap().to_owned())
                .collect()
        };
        let set_cookies = header("set-cookie");
        let location = header("location").concat();
        for line in &set_cookies {
            let (pair, attributes) = line.split_once(';').unwrap_or((line, ""));
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(each, _)| each != name);
            if !value.is_empty() && !attributes.contains("Max-Age=0") {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
        let status = response.status().as_u16();
        Answer {
            status,
            location,
            set_cookies,
            body: response.text().await.unwrap(),
        }
    }

    async fn get(&mut self, path: &str) -> Answer {
        let request = self.client.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        let request = self.client.post(format!("{}{path}", self.base)).form(form);
        self.send(request).await
    }

    fn cookie(&self, name: &str) -> Option<String> {
        (self.cookies.iter())
            .find(|(each, _)| each == name)
            .map(|(_, value)| value.clone())
    }

    /// Signs in as the page's script does: a challenge, signed with the key, posted back.
    async fn sign_in(&mut self, key: &KeyFile) -> Answer {
        let page = self.get("/console/sign-in?lang=en").await;
        assert_eq!(page.status, 200);
        let token = self.cookie("tanba_sign_in").expect("a sign-in form token");
        assert!(
            page.body.contains(&token),
            "the form carries its cookie's token"
        );
        let participant = key.participant.to_string();
        let challenge = self
            .post(
                "/console/sign-in/challenge",
                &[("participant", &participant), ("csrf", &token)],
            )
            .await;
        assert_eq!(challenge.status, 200, "{}", challenge.body);
        let json: serde_json::Value = serde_json::from_str(&challenge.body).unwrap();
        let message =
            tanba_crypto::encoding::base64url_decode(json["message"].as_str().unwrap()).unwrap();
        let signature = tanba_crypto::encoding::base64url(&key.signer().sign(&message));
        let form = [
            ("csrf", token.as_str()),
            ("participant", participant.as_str()),
            ("challenge", json["challenge"].as_str().unwrap()),
            ("signature", signature.as_str()),
            ("next", "/console/inbox"),
        ];
        self.post("/console/sign-in", &form).await
    }

    /// The CSRF token of the session's forms, read from a page as a browser would.
    async fn csrf(&mut self) -> String {
        let page = self.get("/console/inbox").await;
        let marker = "name=\"csrf\" value=\"";
        let start = page.body.find(marker).expect("a form on the page") + marker.len();
        page.body[start..start + 64].to_owned()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participant_signs_in_with_its_key_and_gets_a_strict_session_cookie() {
    let fixture = start(|_| {}).await;
    let key = fixture.producer("960440000012", "Су зауыты").await;
    let mut browser = fixture.browser();
    let home = browser.get("/console/").await;
    assert_eq!(home.status, 303);
    assert_eq!(home.location, "/console/sign-in?next=/console/");

    let signed_in = browser.sign_in(&key).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    assert_eq!(
        signed_in.location, "/console/inbox",
        "back where it was going"
    );
    let session = (signed_in.set_cookies.iter())
        .find(|line| line.starts_with("tanba_session="))
        .expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
        assert!(session.contains(attribute), "{session} lacks {attribute}");
    }
    assert!(
        !session.contains("Secure"),
        "no TLS here: Secure would lose the cookie"
    );

    let home = browser.get("/console/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Су зауыты"));
    assert!(home.body.contains("960440000012"));

    // The challenge may not be answered twice, nor a signature of another key pass.
    let stranger = KeyFile::generate("960440000012".parse().unwrap());
    let mut other = fixture.browser();
    let refused = other.sign_in(&stranger).await;
    assert_eq!(refused.status, 401);
    assert!(other.cookie("tanba_session").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_without_their_token_or_with_another_sessions_are_refused_and_audited() {
    let fixture = start(|_| {}).await;
    let water = fixture.producer("960440000012", "Water").await;
    let milk = fixture.producer("960540000016", "Milk").await;
    let mut water_browser = fixture.browser();
    water_browser.sign_in(&water).await;
    let mut milk_browser = fixture.browser();
    milk_browser.sign_in(&milk).await;
    let milk_token = milk_browser.csrf().await;

    let without = water_browser.post("/console/sign-out", &[]).await;
    assert_eq!(without.status, 403, "a form without its token");
    let foreign = (water_browser)
        .post("/console/sign-out", &[("csrf", &milk_token)])
        .await;
    assert_eq!(foreign.status, 403);
    assert!(foreign.body.contains("TANBA-SERVER-CSRF"));
    assert_eq!(
        water_browser.get("/console/").await.status,
        200,
        "still signed in"
    );

    // A sign-in form without the cookie it was served with.
    let mut bare = fixture.browser();
    let refused = bare
        .post(
            "/console/sign-in/challenge",
            &[("participant", "960440000012"), ("csrf", "00")],
        )
        .await;
    assert_eq!(refused.status, 403);

    let records = fixture
        .operator()
        .await
        .audit_records(pb::QueryAuditRequest {
            participant: water.participant.to_string(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        records
            .iter()
            .any(|record| record.method == "POST /console/sign-out"
                && record.outcome == "TANBA-SERVER-CSRF"),
        "the refused form is in the audit trail"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_expire_end_on_sign_out_and_end_when_the_participant_is_suspended() {
    let fixture = start(|_| {}).await;
    let key = fixture.producer("960440000012", "Water").await;

    let mut idle = fixture.browser();
    idle.sign_in(&key).await;
    fixture.clock.0.fetch_add(SESSION_IDLE_MS, Ordering::SeqCst);
    assert_eq!(idle.get("/console/").await.status, 303, "idle too long");

    let mut leaving = fixture.browser();
    leaving.sign_in(&key).await;
    let kept = leaving.cookie("tanba_session").unwrap();
    let token = leaving.csrf().await;
    let out = leaving.post("/console/sign-out", &[("csrf", &token)]).await;
    assert_eq!(out.location, "/console/sign-in?said=signed-out");
    assert!(
        leaving.cookie("tanba_session").is_none(),
        "the cookie is cleared"
    );
    leaving.cookies.push(("tanba_session".into(), kept));
    assert_eq!(
        leaving.get("/console/").await.status,
        303,
        "the session is over"
    );

    let mut suspended = fixture.browser();
    suspended.sign_in(&key).await;
    fixture.set_suspended(&key, "Water", true).await;
    let refused = suspended.get("/console/inbox").await;
    assert_eq!(
        refused.location,
        "/console/sign-in?said=participant-suspended"
    );
    fixture.set_suspended(&key, "Water", false).await;
    assert_eq!(
        suspended.get("/console/").await.status,
        303,
        "reinstated, it signs in again: the old session stays ended"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_text_is_escaped_and_pages_carry_a_strict_policy() {
    let fixture = start(|_| {}).await;
    let key = fixture
        .producer("960440000012", "<script>alert(1)</script> & Co")
        .await;
    let mut browser = fixture.browser();
    browser.sign_in(&key).await;
    let response = browser
        .client
        .get(format!("{}/console/", browser.base))
        .header("cookie", browser.cookie_header())
        .send()
        .await
        .unwrap();
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"));
    assert_eq!(response.headers()["x-frame-options"], "DENY");
    let body = response.text().await.unwrap();
    assert!(!body.contains("<script>alert(1)"), "stored text is escaped");
    assert!(body.contains("&#60;script&#62;") || body.contains("&lt;script&gt;"));
    assert!(!body.contains("<script>"), "no inline script at all");
}
