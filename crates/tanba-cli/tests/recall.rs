//! A recall end to end through the real `tanba demo` binary (R-REC): the demo seeds a batch of
//! lemonade spread over the producer, a wholesaler and two shops, and its producer recalls it.
//! Each holder is told its count; tills refuse the units in kk/ru/en; the public page shows the
//! recall with its collection points; units go back only to the producer; disposal withdraws
//! what came back; the report reaches the authority; a buyer's claim answered late shows
//! overdue once the test clock has moved on eleven days.

mod demo_harness;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use demo_harness::{Demo, refusal};
use serde_json::{Value, json};
use tanba_client::Connection;
use tanba_proto::v1 as pb;
use tanba_types::{CaseCommand, Decimal, FieldValue, Form, Scalar};

/// How long the census of a recall may take after its start.
const CENSUS_TIMEOUT: Duration = Duration::from_secs(30);

fn form(fields: &[(&str, FieldValue)]) -> Form {
    fields
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.clone()))
        .collect()
}

fn text(value: &str) -> FieldValue {
    FieldValue::One(Scalar::Text(value.to_owned()))
}

async fn step(connection: &Connection, case: u64, transition: &str, form: Form) {
    connection
        .step_case(CaseCommand::Step {
            case,
            transition: transition.into(),
            form,
            attachments: Vec::new(),
            signature: Vec::new(),
        })
        .await
        .unwrap_or_else(|error| panic!("{transition}: {error}"));
}

/// The recall's holders once its census is complete, by handle: (recalled, returned, disposed,
/// still held, sold before).
async fn holders(demo: &Demo, producer: &Connection, case: u64) -> BTreeMap<String, [u64; 5]> {
    let started = Instant::now();
    loop {
        let answer = producer.recall_holders(case, None).await.unwrap();
        if answer.census_complete {
            let handle = |id: &str| -> String {
                demo.codes["participants"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|p| p["id"] == id)
                    .map(|p| p["handle"].as_str().unwrap().to_owned())
                    .unwrap()
            };
            return answer
                .holders
                .iter()
                .map(|h| {
                    let counts = [
                        h.recalled,
                        h.returned,
                        h.disposed,
                        h.still_held,
                        h.sold_before,
                    ];
                    (handle(&h.holder), counts)
                })
                .collect();
        }
        assert!(started.elapsed() < CENSUS_TIMEOUT, "the census never ended");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn inbox(connection: &Connection) -> Vec<pb::CaseNotice> {
    connection.inbox(0).await.unwrap()
}

/// Waits until `connection`'s inbox holds a notice of `kind`.
async fn notice_of(connection: &Connection, kind: &str) -> pb::CaseNotice {
    let started = Instant::now();
    loop {
        if let Some(notice) = inbox(connection).await.into_iter().find(|n| n.kind == kind) {
            return notice;
        }
        assert!(started.elapsed() < CENSUS_TIMEOUT, "no {kind} notice");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn advance_clock(demo: &Demo, step_ms: u64) {
    let answer = demo
        .web
        .post(format!("{}/test/clock", demo.http))
        .json(&json!({ "advance_ms": step_ms }))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{}", answer.status());
}

fn report_form() -> Form {
    let row = |quantity: &str, unit: &str| {
        BTreeMap::from([
            (
                "quantity".to_owned(),
                Scalar::Decimal(Decimal::parse(quantity).unwrap()),
            ),
            ("unit".to_owned(), Scalar::Text(unit.to_owned())),
        ])
    };
    form(&[
        ("report_product_name", text("Лимонад «Алматы», 1 л")),
        ("hs_code", text("2202100000")),
        ("quantities", FieldValue::Rows(vec![row("60", "piece")])),
        (
            "value",
            FieldValue::One(Scalar::Decimal(Decimal::parse("27000.00").unwrap())),
        ),
        ("currency", text("KZT")),
        ("report_batch", text("B-LEMON")),
        (
            "production_date",
            FieldValue::One(Scalar::Date(demo_harness::yesterday())),
        ),
        (
            "conformity_assessment",
            text("EAEU declaration D-KZ.AB12.B.00123/26"),
        ),
        (
            "violated_clauses",
            FieldValue::List(vec![Scalar::Text("TR CU 029/2012 art. 7".into())]),
        ),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_rec_a_recall_reaches_every_holder_tills_phones_and_the_authority() {
    let demo = Demo::start_with(&[("TANBA_TEST_CLOCK", "1")]);
    let case = demo.codes["recall_case"].as_u64().unwrap();
    let water = demo.as_participant("water").await;
    let shop_almaty = demo.as_participant("shop_almaty").await;
    let shop_astana = demo.as_participant("shop_astana").await;
    let standards = demo.as_participant("standards").await;

    // R-REC-04: every holder, its exact count; effectiveness as exact counts.
    let expected = BTreeMap::from([
        ("shop_almaty".to_owned(), [8, 0, 0, 8, 2]),
        ("shop_astana".to_owned(), [10, 0, 0, 10, 0]),
        ("water".to_owned(), [30, 0, 0, 30, 0]),
        ("wholesaler".to_owned(), [10, 0, 0, 10, 0]),
    ]);
    assert_eq!(holders(&demo, &water, case).await, expected);
    let notice = notice_of(&shop_almaty, "recall_holder").await;
    assert!(
        notice.subject.contains("You hold 8 recalled units"),
        "{notice:?}"
    );
    assert!(
        inbox(&water)
            .await
            .iter()
            .all(|n| n.kind != "recall_holder")
    );
    // The inbox as a stream: what is there at once, and a bounded number of watches.
    let watch = || async {
        shop_almaty
            .cases()
            .watch_inbox(pb::WatchInboxRequest { after: 0 })
            .await
    };
    let mut watches = Vec::new();
    for _ in 0..4 {
        watches.push(watch().await.unwrap().into_inner());
    }
    let streamed = watches[0].message().await.unwrap().unwrap();
    assert_eq!(streamed.notice_id, notice.notice_id);
    assert_eq!(refusal(watch().await), "TANBA-SERVER-RATE-LIMITED");
    drop(watches);

    // R-REC-06: the till refuses, in each language.
    let recalled = demo.code("recalled", 0);
    let token = demo.http_token("shop_almaty").await;
    for language in ["kk", "ru", "en"] {
        let checked: Value = demo
            .web
            .post(format!("{}/v1/till/check", demo.http))
            .bearer_auth(&token)
            .header("accept-language", language)
            .json(&json!({ "codes": [recalled] }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let check = &checked["checks"][0];
        assert_eq!(check["sellable"], false, "{check}");
        assert_eq!(check["refusal_code"], "TANBA-ENGINE-RECALLED", "{check}");
    }
    // The phone: recalled, with the collection points, as JSON and as the page.
    let public = demo.check(&recalled, "en").await;
    assert_eq!(public["verdict"], "recalled", "{public}");
    let notice = public["recall"]["notice"].as_str().unwrap();
    assert!(notice.contains("Collection points") && notice.contains("recall@almaty-su.kz"));
    let page = demo
        .web
        .get(demo.link("recalled", 0))
        .query(&[("lang", "kk")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"recall\"") && page.contains("Қабылдау пункттері"));

    // R-REC-10: back to the producer, and nowhere else.
    let units = shop_astana.recall_units(case, None, None).await.unwrap();
    let codes: Vec<String> = units.iter().map(|unit| unit.code.clone()).collect();
    assert_eq!(codes.len(), 10);
    let onward = shop_astana
        .ship(demo.id("shop_almaty"), codes.clone())
        .await;
    assert_eq!(
        onward.unwrap_err().code(),
        Some("TANBA-ENGINE-RECALL-RETURN-ONLY")
    );
    let back = shop_astana.ship(demo.id("water"), codes).await.unwrap();
    water.accept_all(back).await.unwrap();

    // R-REC-03: disposal within 30 CD withdraws what the producer holds.
    let reason = form(&[("reason", text("E211 cannot be removed"))]);
    step(&water, case, "assess_irremovable", reason).await;
    let destroyed = form(&[("outcome", text("destroyed"))]);
    step(&water, case, "dispose", destroyed).await;
    let started = Instant::now();
    while holders(&demo, &water, case).await["shop_astana"][2] < 10 {
        assert!(
            started.elapsed() < CENSUS_TIMEOUT,
            "the disposal never ended"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(holders(&demo, &water, case).await["water"][2], 30);

    // R-REC-05: the report reaches the authority, signed (an unsigned one is refused).
    let unsigned = pb::StepCaseRequest {
        case_id: case,
        transition: "report".into(),
        form: tanba_proto::forms::form_to_wire(&report_form()),
        attachments: Vec::new(),
        signature: vec![0; 64],
    };
    assert_eq!(
        refusal(water.cases().step_case(unsigned).await),
        "TANBA-SERVER-BAD-DOCUMENT-SIGNATURE"
    );
    step(&water, case, "report", report_form()).await;
    let report = notice_of(&standards, "recall_report").await;
    assert_eq!(report.case_id, case);
    // Every signed step verifies offline from the history and the producer's public key; a
    // step altered after the fact does not.
    let history = water.case_history(case).await.unwrap();
    let key = format!(
        "{}={}",
        demo.id("water"),
        tanba_crypto::encoding::hex(&demo.key("water").public_key())
    );
    let verify = |history: &Value| {
        let path = demo.directory.path().join("history.json");
        std::fs::write(&path, history.to_string()).unwrap();
        std::process::Command::new(env!("CARGO_BIN_EXE_tanba"))
            .args(["case-verify", path.to_str().unwrap(), "--key", &key])
            .output()
            .unwrap()
    };
    let mut history = serde_json::to_value(&history).unwrap();
    let checked = verify(&history);
    assert!(checked.status.success(), "{checked:?}");
    let lines = String::from_utf8(checked.stdout).unwrap();
    assert_eq!(lines.matches("\"verified\":true").count(), 5, "{lines}");
    let report_event = history
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|event| event["event_json"].as_str().unwrap().contains("\"report\""))
        .unwrap();
    let forged = report_event["event_json"]
        .as_str()
        .unwrap()
        .replace("27000", "2700");
    report_event["event_json"] = Value::String(forged);
    assert_eq!(verify(&history).status.code(), Some(1));

    // R-REC-08: a buyer's claim, not answered in 10 CD, shows overdue to the authority.
    let claim = shop_almaty
        .open_case(CaseCommand::Open {
            kind: "recall_claim".into(),
            transition: "claim".into(),
            authority: Some(demo.id("standards")),
            parent: Some(case),
            named: vec![demo.id("water")],
            form: form(&[("claim", text("The lemonade tastes of preservative"))]),
            attachments: Vec::new(),
            signature: Vec::new(),
        })
        .await
        .unwrap();
    advance_clock(&demo, 11 * 86_400_000).await;
    // Eleven days on, sign-in tokens have expired too.
    let standards = demo.as_participant("standards").await;
    let overdue = notice_of(&standards, "claim_overdue").await;
    assert_eq!(overdue.case_id, claim);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_clock_is_not_there_unless_the_server_was_started_for_tests() {
    let demo = Demo::start();
    let answer = demo
        .web
        .post(format!("{}/test/clock", demo.http))
        .json(&json!({ "advance_ms": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_rec_07_a_consumer_leaves_a_contact_is_told_of_the_recall_and_deletes_it() {
    let demo = Demo::start();
    let post = |path: &str, body: Value| {
        demo.web
            .post(format!("{}{path}", demo.http))
            .header("accept-language", "en")
            .json(&body)
            .send()
    };
    // A bad contact is refused with its code, and nothing is kept.
    let refused: Value = post(
        "/v1/opt-ins",
        json!({ "code": demo.code("recalled", 1), "contact": "call me" }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(
        refused["error"]["code"], "TANBA-SERVER-INVALID",
        "{refused}"
    );

    // Another site's page cannot make a visitor's browser opt in.
    let cross_site = demo
        .web
        .post(format!("{}/check/opt-in", demo.http))
        .header("sec-fetch-site", "cross-site")
        .form(&[
            ("code", demo.code("recalled", 1).as_str()),
            ("contact", "+77011234567"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status().as_u16(), 403);

    // The page's form: the unit is recalled already, so the notice is there at once.
    let page = demo
        .web
        .post(format!("{}/check/opt-in", demo.http))
        .form(&[
            ("code", demo.code("recalled", 1).as_str()),
            ("contact", "+77011234567"),
            ("lang", "en"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let between = |start: &str, end: &str| -> String {
        let from = page.find(start).unwrap_or_else(|| panic!("{page}")) + start.len();
        page[from..from + page[from..].find(end).unwrap()].to_owned()
    };
    let opt_in: u64 = between("id=\"opt-in\">", "<").parse().unwrap();
    let token = between("id=\"opt-in-token\"><code>", "<");
    let view: Value = post(
        "/v1/opt-ins/view",
        json!({ "opt_in": opt_in, "token": token }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(view["contact"], "+77011234567", "{view}");
    assert_eq!(view["notices"][0]["case"], demo.codes["recall_case"]);
    let notice = view["notices"][0]["notice"].as_str().unwrap();
    assert!(notice.contains("Collection points"), "{notice}");
    // A wrong secret learns nothing.
    let wrong = post(
        "/v1/opt-ins/view",
        json!({ "opt_in": opt_in, "token": "00" }),
    )
    .await
    .unwrap();
    assert_eq!(wrong.status().as_u16(), 404);

    // Deleted by the consumer: the contact is gone.
    let deleted: Value = post(
        "/v1/opt-ins/delete",
        json!({ "opt_in": opt_in, "token": token }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(deleted["deleted"], true, "{deleted}");
    let gone = post(
        "/v1/opt-ins/view",
        json!({ "opt_in": opt_in, "token": token }),
    )
    .await
    .unwrap();
    assert_eq!(gone.status().as_u16(), 404);
}
