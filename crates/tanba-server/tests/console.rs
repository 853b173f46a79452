//! The web console over real HTTP, as a hostile browser would use it: sign-in with a signed
//! challenge and a session cookie with its attributes, forms refused without their CSRF token
//! or with another session's, sessions that expire and end, a suspended participant signed
//! out at the next request, stored text escaped, and every refusal in the audit trail.

mod support;

use std::sync::atomic::Ordering;

use tanba_client::KeyFile;
use tanba_proto::v1 as pb;
use tanba_server::session::SESSION_IDLE_MS;

use support::{Fixture, start};

impl Fixture {
    /// Registers a producer named `name` and returns its key.
    async fn producer(&self, id: &str, name: &str) -> KeyFile {
        self.member(id, name, pb::Role::Producer).await
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
}

fn card(key: &KeyFile, name: &str, suspended: bool) -> pb::Participant {
    pb::Participant {
        suspended,
        ..support::participant(key, name, pb::Role::Producer)
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

    // The audit trail is written behind the answer (within AUDIT_DURABLE_WITHIN): look until
    // the record is there, as a busy machine may take a moment.
    let operator = fixture.operator().await;
    let started = std::time::Instant::now();
    loop {
        let records = operator
            .audit_records(pb::QueryAuditRequest {
                participant: water.participant.to_string(),
                ..Default::default()
            })
            .await
            .unwrap();
        if records.iter().any(|record| {
            record.method == "POST /console/sign-out" && record.outcome == "TANBA-SERVER-CSRF"
        }) {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "the refused form is in the audit trail"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_opened_with_a_signed_form_is_shown_only_to_those_it_concerns() {
    let fixture = start(|_| {}).await;
    let water = fixture.producer("960440000012", "Water").await;
    let milk = fixture.producer("960540000016", "Milk").await;
    let standards = fixture
        .member("871008401427", "Standards", pb::Role::Authority)
        .await;
    let mut browser = fixture.browser();
    browser.sign_in(&water).await;
    let csrf = browser.csrf().await;
    let now_ms = fixture.clock.0.load(Ordering::Relaxed);
    let day = |ms: u64| {
        let local_ms = ms + 5 * 3_600_000;
        let date = tanba_types::Date::from_unix_ms_in_kz(ms);
        format!("{date}T{:02}:00", (local_ms % 86_400_000) / 3_600_000)
    };
    let (arose, detected) = (day(now_ms - 86_400_000), day(now_ms - 2 * 86_400_000));
    let authority = standards.participant.to_string();
    let form = [
        ("csrf", csrf.as_str()),
        ("authority", authority.as_str()),
        ("f.ground_arose_at", arose.as_str()),
        ("f.detected_at", detected.as_str()),
        ("f.product_name", "Water, 1 l"),
        ("f.non_conformity", "<script>alert(1)</script>"),
    ];
    let action = "/console/cases/new/recall/establish_ground";
    let opened = browser.post_signed(&water, action, &form).await;
    assert_eq!(opened.status, 303, "{}", opened.body);
    let page_path = opened.location.clone();
    let page = browser.get(&page_path).await;
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains("<script>alert(1)"),
        "stored text escaped"
    );
    assert!(page.body.contains("&#60;script&#62;") || page.body.contains("&lt;script&gt;"));
    assert!(
        page.body.contains("step=start_recall"),
        "the next step is offered"
    );

    // A file uploaded first, then named by a signed opening: the case lists it, and it is
    // served as a download to those the case concerns.
    let file = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"laboratory report".to_vec())
                .file_name("lab report.txt")
                .mime_str("text/plain")
                .unwrap(),
        );
    let url = format!("{}/console/cases/files", fixture.http());
    // A stranger without a session stores nothing: refused before the body is read.
    let mut stranger = fixture.browser();
    let anonymous = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .part("file", reqwest::multipart::Part::bytes(vec![0; 1024]));
    let refused = stranger
        .send(stranger.client.post(&url).multipart(anonymous))
        .await;
    assert_eq!(refused.status, 401, "{}", refused.body);
    let uploaded = browser
        .send(browser.client.post(&url).multipart(file))
        .await;
    assert_eq!(uploaded.status, 200, "{}", uploaded.body);
    let json: serde_json::Value = serde_json::from_str(&uploaded.body).unwrap();
    assert_eq!(json["size"], 17);
    let named = format!(
        "{} {} {} {}",
        json["hash"].as_str().unwrap(),
        json["size"],
        json["media_type"].as_str().unwrap(),
        json["name"].as_str().unwrap()
    );
    let mut with_file = form.to_vec();
    with_file.push(("attachment", &named));
    let second = browser.post_signed(&water, action, &with_file).await;
    assert_eq!(second.status, 303, "{}", second.body);
    let page = browser.get(&second.location).await;
    assert!(page.body.contains("lab report.txt"), "{}", page.body);
    let link = format!(
        "{}/files/{}",
        second.location,
        json["hash"].as_str().unwrap()
    );
    let download = browser.get(&link).await;
    assert_eq!(download.status, 200);
    assert_eq!(download.body, "laboratory report");

    // A form signed by another key, or not at all, is refused by the engine.
    let unsigned = browser.post(action, &form).await;
    assert_eq!(unsigned.status, 403, "{}", unsigned.body);
    assert!(
        unsigned
            .body
            .contains("TANBA-SERVER-BAD-DOCUMENT-SIGNATURE")
    );

    // Another producer learns nothing of the case, not even that it exists.
    stranger.sign_in(&milk).await;
    assert_eq!(stranger.get(&page_path).await.status, 404);
    assert_eq!(stranger.get(&link).await.status, 404, "nor its files");
    let stranger_csrf = stranger.csrf().await;
    let step = format!("{page_path}/steps/start_recall/bytes");
    let refused = stranger.post(&step, &[("csrf", &stranger_csrf)]).await;
    assert_eq!(refused.status, 404, "{}", refused.body);
    // A step without the session's token is refused before anything is read.
    let without = browser.post(&step, &[]).await;
    assert_eq!(without.status, 403);

    // The authority finds it among its cases.
    let mut official = fixture.browser();
    official.sign_in(&standards).await;
    let listed = official.get("/console/cases?as=authority").await;
    let id = page_path.rsplit('/').next().unwrap();
    assert!(
        listed.body.contains(&format!("case-{id}\"")),
        "{}",
        listed.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_of_packages_is_bounded_and_its_job_is_its_owners_alone() {
    let fixture = start(|_| {}).await;
    let water = fixture.producer("960440000012", "Water").await;
    let milk = fixture.producer("960540000016", "Milk").await;
    let mut browser = fixture.browser();
    browser.sign_in(&water).await;
    let csrf = browser.csrf().await;
    let upload = |file: Vec<u8>, csrf: &str| {
        reqwest::multipart::Form::new()
            .text("csrf", csrf.to_owned())
            .part(
                "file",
                reqwest::multipart::Part::bytes(file).file_name("packages.csv"),
            )
    };
    let url = format!("{}/console/goods/aggregation", fixture.http());

    let too_big = vec![b'x'; tanba_server::console::AGGREGATION_FILE_BYTES_MAX + 1];
    let request = browser.client.post(&url).multipart(upload(too_big, &csrf));
    let answer = browser.send(request).await;
    assert!(
        answer.status == 400 || answer.status == 413,
        "{}",
        answer.status
    );

    let request = browser
        .client
        .post(&url)
        .multipart(upload(b"P1,C1\n".to_vec(), "wrong"));
    assert_eq!(
        browser.send(request).await.status,
        403,
        "the token is checked"
    );

    let request = browser
        .client
        .post(&url)
        .multipart(upload(b"P1,C1\nP2\n".to_vec(), &csrf));
    let answer = browser.send(request).await;
    assert_eq!(answer.status, 400);
    assert!(answer.body.contains("file line 2") || answer.body.contains("TANBA-SERVER-INVALID"));

    // A file that reads starts a job: each package refused here (no such codes), counted.
    let request = browser
        .client
        .post(&url)
        .multipart(upload(b"P1,C1\nP2,C2\n".to_vec(), &csrf));
    let answer = browser.send(request).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let job = answer.location.clone();
    let mut finished = false;
    for _ in 0..100 {
        let page = browser.get(&job).await;
        assert_eq!(page.status, 200);
        if page.body.contains("id=\"job-state\">Finished") {
            assert!(page.body.contains("id=\"refusals\""));
            finished = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(finished, "the job ends");
    let mut stranger = fixture.browser();
    stranger.sign_in(&milk).await;
    assert_eq!(
        stranger.get(&job).await.status,
        404,
        "another's job is not shown"
    );
}
