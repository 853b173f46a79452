//! The server end to end: the real `tanba demo` binary on free ports with a temporary data
//! directory, driven through the generated gRPC client and plain HTTP, as producers' software,
//! tills, phones and authorities would. Each test names the rule or the story it proves.

mod demo_harness;

use demo_harness::{
    Demo, accept_all, audit_record_where, audit_records, bring_into_circulation, gtin_of, on_shelf,
    order_codes, refusal, ship, sscc, yesterday,
};
use serde_json::{Value, json};
use tanba_client::{AuditQuery, ReceiptLine, ReturnReceipt, SalesReceipt, Withdrawal};
use tanba_proto::v1 as pb;
use tanba_types::Language;

/// Letters only Kazakh has among the three languages: a Kazakh answer contains some.
const KAZAKH_LETTERS: &[char] = &['ә', 'ғ', 'қ', 'ң', 'ө', 'ұ', 'ү', 'һ', 'і'];

fn is_kazakh(text: &str) -> bool {
    text.chars()
        .any(|c| KAZAKH_LETTERS.contains(&c.to_lowercase().next().unwrap()))
}

fn is_cyrillic(text: &str) -> bool {
    text.chars()
        .any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap()))
}

/// A receipt line.
fn line(code: &str, price_tiyn: u64) -> ReceiptLine {
    ReceiptLine {
        code: code.to_owned(),
        price_tiyn,
    }
}

/// Asserts that three answers, in kk, ru and en, are each in their own language.
fn assert_three_languages(kk: &str, ru: &str, en: &str) {
    assert!(is_kazakh(kk), "Kazakh: {kk}");
    assert!(is_cyrillic(ru) && !is_kazakh(ru), "Russian: {ru}");
    assert!(!is_cyrillic(en), "English: {en}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_lives_from_order_to_sale_and_return() {
    let demo = Demo::start();
    let water = demo.as_participant("water").await;
    let shop = demo.as_participant("shop_almaty").await;
    let gtin = gtin_of(&demo.code("genuine", 0));
    let codes = order_codes(&water, &gtin, 10).await;
    bring_into_circulation(&water, &codes).await;
    let document = ship(&water, demo.id("shop_almaty"), &codes).await;
    accept_all(&shop, document).await;

    // The till signs in over HTTP, checks the codes, and sends the receipt.
    let token = demo.http_token("shop_almaty").await;
    let checked: Value = demo
        .web
        .post(format!("{}/v1/till/check", demo.http))
        .bearer_auth(&token)
        .json(&json!({ "codes": &codes[..3] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for check in checked["checks"].as_array().unwrap() {
        assert_eq!(check["sellable"], true, "{check}");
        assert_eq!(check["owned_by_seller"], true);
        assert_eq!(check["tail_valid"], true);
        assert_eq!(check["status"], "introduced");
    }
    let receipt = json!({
        "receipt_id": "T-1",
        "time_ms": 1,
        "lines": [{ "code": codes[0], "price_tiyn": 25_000 }, { "code": codes[1], "price_tiyn": 25_000 }],
    });
    let post_receipt = || {
        demo.web
            .post(format!("{}/v1/till/receipts", demo.http))
            .bearer_auth(&token)
            .json(&receipt)
            .send()
    };
    let first: Value = post_receipt().await.unwrap().json().await.unwrap();
    assert_eq!(first["duplicate"], false, "{first}");
    assert_eq!(first["refused_lines"], json!([]));
    let again: Value = post_receipt().await.unwrap().json().await.unwrap();
    assert_eq!(
        again["duplicate"], true,
        "the same receipt changes nothing: {again}"
    );
    assert_eq!(again["sequence"], first["sequence"]);
    assert_eq!(again["time_ms"], first["time_ms"]);
    for language in ["kk", "ru", "en"] {
        assert_eq!(demo.check(&codes[0], language).await["verdict"], "sold");
    }

    // The customer brings one back: on sale again, the shop's.
    shop.submit_return(&ReturnReceipt {
        receipt_id: "RET-1".into(),
        sale_receipt_id: "T-1".into(),
        seller: None,
        codes: vec![codes[0].clone()],
    })
    .await
    .unwrap();
    assert_eq!(demo.check(&codes[0], "en").await["verdict"], "genuine");
    let history = shop.history(&codes[0], 0, 0).await.unwrap();
    let events: Vec<&str> = history.iter().map(|event| event.event.as_str()).collect();
    for expected in [
        "codes_issued",
        "codes_applied",
        "codes_introduced",
        "shipped",
        "accepted",
        "sold",
        "returned",
    ] {
        assert!(events.contains(&expected), "{expected} in {events:?}");
    }
    assert!(demo.stop().success(), "a graceful stop exits 0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pallet_goes_from_aggregation_through_shipment_and_acceptance_to_retail() {
    let demo = Demo::start();
    let water = demo.as_participant("water").await;
    let wholesaler = demo.as_participant("wholesaler").await;
    let shop = demo.as_participant("shop_astana").await;
    let units = order_codes(&water, &gtin_of(&demo.code("genuine", 0)), 12).await;
    bring_into_circulation(&water, &units).await;
    let (box_a, box_b, pallet) = (sscc(1), sscc(2), sscc(3));
    for (parent, children) in [
        (&box_a, units[..6].to_vec()),
        (&box_b, units[6..].to_vec()),
        (&pallet, vec![box_a.clone(), box_b.clone()]),
    ] {
        water.aggregate(parent, children).await.unwrap();
    }
    let document = ship(&water, demo.id("wholesaler"), std::slice::from_ref(&pallet)).await;
    let card = water.code_card(&pallet).await.unwrap();
    assert_eq!((card.units_inside, card.transports_inside), (12, 2));
    assert_eq!(card.in_transit, document);
    // In transit nobody may sell or ship it: the buyer has not accepted.
    assert_eq!(
        refusal(wholesaler.disaggregate(vec![box_a.clone()]).await),
        "TANBA-ENGINE-NOT-OWNER"
    );
    accept_all(&wholesaler, document).await;
    let entries = wholesaler.package_content(&pallet).await.unwrap();
    assert_eq!(entries.len(), 14, "two boxes and twelve units");
    wholesaler.disaggregate(vec![box_a.clone()]).await.unwrap();
    let document = ship(
        &wholesaler,
        demo.id("shop_astana"),
        std::slice::from_ref(&box_a),
    )
    .await;
    accept_all(&shop, document).await;
    let checks = shop
        .check_before_sale(None, vec![units[0].clone(), units[6].clone()])
        .await
        .unwrap();
    assert!(checks[0].sellable && checks[0].owned_by_seller);
    assert!(
        !checks[1].sellable && !checks[1].owned_by_seller,
        "still the wholesaler's"
    );
    assert_eq!(checks[1].refusal_code, "TANBA-ENGINE-NOT-OWNER");
    let sold = shop
        .submit_receipt(&SalesReceipt {
            receipt_id: "P-1".into(),
            seller: None,
            time_ms: 1,
            lines: vec![line(&units[0], 1)],
        })
        .await
        .unwrap();
    assert!(sold.receipt.is_some() && sold.refused_lines.is_empty());
    assert_eq!(demo.check(&units[0], "en").await["verdict"], "sold");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_code_and_a_code_sold_twice_are_caught_and_flagged() {
    let demo = Demo::start();
    // One character of the signature changed: unknown or forged, at the phone and at the till.
    let genuine = demo.code("genuine", 0);
    let mut forged = genuine.clone().into_bytes();
    let last = forged.len() - 1;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    let checked = demo.check(&genuine, "en").await;
    assert_eq!(
        (&checked["verdict"], &checked["tail_checked"]),
        (&json!("genuine"), &json!(true))
    );
    // Without its tail only the identity is known, and the page says so.
    let bare = demo_harness::key_of(&genuine).to_string();
    let untailed = demo.check(&bare, "en").await;
    assert_eq!(
        (&untailed["verdict"], &untailed["tail_checked"]),
        (&json!("genuine"), &json!(false))
    );
    let page = demo
        .web
        .get(format!("{}/check", demo.http))
        .query(&[("code", bare.as_str()), ("lang", "kk")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"untailed\""), "{page}");
    let answer = demo.check(&forged, "en").await;
    assert_eq!(answer["verdict"], "unknown_or_forged");
    assert_eq!(answer["product"], Value::Null, "a forger learns nothing");
    let shop = demo.as_participant("shop_astana").await;
    let checks = shop
        .check_before_sale(
            None,
            vec![forged.clone(), "(01)04870000000005(21)nothing".into()],
        )
        .await
        .unwrap();
    assert!(checks[0].found && !checks[0].tail_valid && !checks[0].sellable);
    assert_eq!(checks[0].refusal_code, "TANBA-ENGINE-FORGED-TAIL");
    assert!(!checks[1].found);
    assert_eq!(checks[1].refusal_code, "TANBA-ENGINE-UNKNOWN-CODE");

    // A code sold already comes through a till again: that line is refused, the rest of the
    // receipt is recorded, and the code is flagged as a likely copy.
    let sold = demo.code("sold", 0);
    assert_eq!(
        demo.check(&sold, "en").await["flagged_as_likely_copy"],
        false
    );
    let fiscal = demo.as_participant("fiscal").await;
    let water = demo.as_participant("water").await;
    let fresh = order_codes(&water, &gtin_of(&genuine), 1).await;
    bring_into_circulation(&water, &fresh).await;
    let document = ship(&water, demo.id("shop_almaty"), &fresh).await;
    accept_all(&demo.as_participant("shop_almaty").await, document).await;
    let receipt = SalesReceipt {
        receipt_id: "TWICE-1".into(),
        seller: Some(demo.id("shop_almaty")),
        time_ms: 1,
        lines: vec![line(&sold, 1), line(&fresh[0], 1)],
    };
    let outcome = fiscal.submit_receipt(&receipt).await.unwrap();
    assert!(outcome.receipt.is_some(), "the good line is recorded");
    assert_eq!(outcome.refused_lines.len(), 1);
    assert_eq!(outcome.refused_lines[0].code, sold);
    assert_eq!(
        outcome.refused_lines[0].refusal_code,
        "TANBA-CODE-WRONG-STATUS"
    );
    assert_eq!(demo.check(&fresh[0], "en").await["verdict"], "sold");
    // Sent again (the operator did not get the answer): the first answer, refused line included.
    let again = fiscal.submit_receipt(&receipt).await.unwrap();
    assert!(again.duplicate);
    assert_eq!(
        (again.receipt, again.refused_lines),
        (outcome.receipt, outcome.refused_lines)
    );
    // The same id with other content is not the same receipt.
    let mut changed = receipt;
    changed.lines[1].price_tiyn = 2;
    assert_eq!(
        refusal(fiscal.submit_receipt(&changed).await),
        "TANBA-ENGINE-RECEIPT-MISMATCH"
    );
    let flagged = demo.check(&sold, "en").await;
    assert_eq!(flagged["flagged_as_likely_copy"], true, "{flagged}");
    let page = demo
        .web
        .get(demo.link("sold", 0))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"flagged\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_is_refused_what_it_may_not_do_and_every_refusal_is_audited() {
    let demo = Demo::start();
    let genuine = demo.code("genuine", 0);
    let gtin = gtin_of(&genuine);
    let shop = demo.as_participant("shop_almaty").await;
    let wholesaler = demo.as_participant("wholesaler").await;
    let water = demo.as_participant("water").await;
    let importer = demo.as_participant("importer").await;
    let ministry = demo.as_participant("ministry").await;
    let fiscal = demo.as_participant("fiscal").await;
    let sanitary = demo.as_participant("sanitary").await;
    let operator = demo.as_participant("operator").await;
    let anonymous = demo.anonymous(Language::En).await;
    let head = demo.log_head().await;

    let gtin = tanba_types::Gtin::parse(&gtin).unwrap();
    let block = || vec![genuine.clone()];
    let write_off = Withdrawal {
        reason: tanba_types::WithdrawalReason::WriteOff,
        document: None,
        export: None,
        eaeu: None,
    };
    let stranger = tanba_types::Participant {
        id: "990140000384".parse().unwrap(),
        name: "x".into(),
        roles: [tanba_types::Role::Producer].into(),
        keys: vec![],
        status: tanba_types::ParticipantStatus::Active,
    };
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "retailer orders codes",
            refusal(shop.order_codes(gtin, 1).await),
            "TANBA-SERVER-FORBIDDEN",
        ),
        (
            "importer orders another's GTIN",
            refusal(importer.order_codes(gtin, 1).await),
            "TANBA-ENGINE-NOT-YOUR-PRODUCT",
        ),
        (
            "wholesaler blocks",
            refusal(wholesaler.block(block(), "no").await),
            "TANBA-ENGINE-ROLE-REQUIRED",
        ),
        (
            "producer registers a participant",
            refusal(water.register_participant(&stranger).await),
            "TANBA-ENGINE-ROLE-REQUIRED",
        ),
        (
            "ministry withdraws goods",
            refusal(ministry.withdraw(vec![genuine.clone()], &write_off).await),
            "TANBA-ENGINE-HOLDS-NO-GOODS",
        ),
        (
            "a shop reads another shop's card",
            refusal(shop.code_card(&genuine).await),
            "TANBA-SERVER-FORBIDDEN",
        ),
        (
            "anonymous reads a card",
            refusal(anonymous.code_card(&genuine).await),
            "TANBA-SERVER-UNAUTHENTICATED",
        ),
        (
            "a producer reads the audit",
            refusal(water.violation_reports(None).await),
            "TANBA-SERVER-FORBIDDEN",
        ),
        (
            "a shop sells for another seller",
            refusal(
                shop.submit_receipt(&SalesReceipt {
                    receipt_id: "X".into(),
                    seller: Some(demo.id("shop_astana")),
                    time_ms: 1,
                    lines: vec![line(&genuine, 1)],
                })
                .await,
            ),
            "TANBA-SERVER-FORBIDDEN",
        ),
        (
            "a document signed with a key not the signer's",
            refusal(
                shop.documents()
                    .ship(pb::ShipRequest {
                        buyer: demo.id("shop_astana").to_string(),
                        items: vec![genuine.clone()],
                        signature: vec![0; 64],
                    })
                    .await,
            ),
            "TANBA-SERVER-BAD-DOCUMENT-SIGNATURE",
        ),
        (
            "a fiscal data operator blocks",
            refusal(fiscal.block(block(), "no").await),
            "TANBA-ENGINE-ROLE-REQUIRED",
        ),
        (
            "an authority orders codes",
            refusal(sanitary.order_codes(gtin, 1).await),
            "TANBA-SERVER-FORBIDDEN",
        ),
        (
            "the ministry reads the audit trail",
            refusal(ministry.violation_reports(None).await),
            "TANBA-SERVER-FORBIDDEN",
        ),
        (
            "the operator ships goods (signed, but it holds none)",
            refusal(
                operator
                    .ship(demo.id("shop_astana"), vec![genuine.clone()])
                    .await,
            ),
            "TANBA-ENGINE-HOLDS-NO-GOODS",
        ),
    ];
    let mut failures = Vec::new();
    for (what, got, expected) in &cases {
        if got != expected {
            failures.push(format!("{what}: got {got}, expected {expected}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(demo.log_head().await, head, "no refusal wrote anything");

    // The authority finds every refused call of the shop in the audit trail, with its outcome.
    let query = AuditQuery {
        participant: Some(demo.id("shop_almaty")),
        ..Default::default()
    };
    let records = audit_records(&sanitary, query).await;
    let refused: Vec<(&str, &str)> = records
        .iter()
        .filter(|record| record.outcome != "OK")
        .map(|record| (record.method.as_str(), record.outcome.as_str()))
        .collect();
    for expected in [
        (
            "tanba.v1.EmissionService/OrderCodes",
            "TANBA-SERVER-FORBIDDEN",
        ),
        (
            "tanba.v1.CodesService/GetCodeCard",
            "TANBA-SERVER-FORBIDDEN",
        ),
        (
            "tanba.v1.RetailService/SubmitReceipt",
            "TANBA-SERVER-FORBIDDEN",
        ),
        (
            "tanba.v1.DocumentsService/Ship",
            "TANBA-SERVER-BAD-DOCUMENT-SIGNATURE",
        ),
    ] {
        assert!(refused.contains(&expected), "{expected:?} in {refused:?}");
    }
    for record in &records {
        assert_eq!(record.client_ip, "127.0.0.1");
        assert_eq!(record.hash.len(), 64);
    }
    // By code: the anonymous attempt is there too, without a participant.
    let query = AuditQuery {
        code: Some(genuine.clone()),
        ..Default::default()
    };
    let by_code = audit_records(&sanitary, query).await;
    assert!(
        by_code.iter().any(|record| record.participant.is_empty()
            && record.outcome == "TANBA-SERVER-UNAUTHENTICATED")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_code_is_refused_at_the_till_and_shown_blocked_in_three_languages() {
    let demo = Demo::start();
    let code = demo.code("genuine", 0);
    let sanitary = demo.as_participant("sanitary").await;
    sanitary
        .block(vec![code.clone()], "Recall 2026/17")
        .await
        .unwrap();
    let shop = demo.as_participant("shop_astana").await;
    let check = shop
        .check_before_sale(None, vec![code.clone()])
        .await
        .unwrap()
        .remove(0);
    assert!(!check.sellable);
    assert_eq!(check.refusal_code, "TANBA-CODE-BLOCKED");
    assert_eq!(check.blockers[0].authority, demo.id("sanitary").to_string());
    assert_eq!(check.blockers[0].reason, "Recall 2026/17");
    let mut pages = Vec::new();
    for language in ["kk", "ru", "en"] {
        let page = demo
            .web
            .get(format!("{}&lang={language}", demo.link("genuine", 0)))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("data-verdict=\"blocked\""), "{page}");
        assert!(page.contains("Recall 2026/17"));
        assert!(page.contains("Комитет санитарно-эпидемиологического контроля"));
        pages.push(page);
    }
    let verdict = |page: &str| {
        let start = page.find("data-verdict=\"blocked\">").unwrap() + 23;
        page[start..page[start..].find('<').unwrap() + start].to_owned()
    };
    assert_three_languages(
        &verdict(&pages[0]),
        &verdict(&pages[1]),
        &verdict(&pages[2]),
    );
    // The receipt's line is refused with the same code.
    let outcome = shop
        .submit_receipt(&SalesReceipt {
            receipt_id: "B-1".into(),
            seller: None,
            time_ms: 1,
            lines: vec![line(&code, 1)],
        })
        .await
        .unwrap();
    assert!(
        outcome.receipt.is_some(),
        "the receipt is recorded, its line set aside"
    );
    assert_eq!(outcome.refused_lines[0].refusal_code, "TANBA-CODE-BLOCKED");
    sanitary.unblock(vec![code.clone()]).await.unwrap();
    assert_eq!(demo.check(&code, "en").await["verdict"], "genuine");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_public_and_till_answer_speaks_kazakh_russian_and_english() {
    let demo = Demo::start();
    for verdict in [
        "genuine",
        "sold",
        "blocked",
        "expired",
        "not_in_circulation",
    ] {
        let code = demo.code(verdict, 0);
        let mut answers = Vec::new();
        for language in ["kk", "ru", "en"] {
            answers.push(demo.check(&code, language).await);
        }
        for answer in &answers {
            assert_eq!(answer["verdict"], verdict, "{answer}");
        }
        let text = |n: usize| answers[n]["verdict_text"].as_str().unwrap().to_owned();
        assert_three_languages(&text(0), &text(1), &text(2));
        let name = |n: usize| answers[n]["product"]["name"].as_str().unwrap().to_owned();
        assert_three_languages(&name(0), &name(1), &name(2));
        // gRPC, with the language in the request.
        let anonymous = demo.anonymous(Language::Ru).await;
        for (language, expected) in [(pb::Language::Kk, text(0)), (pb::Language::En, text(2))] {
            let answer = anonymous
                .public()
                .check(pb::CheckRequest {
                    code: code.clone(),
                    language: language as i32,
                })
                .await
                .unwrap()
                .into_inner();
            assert_eq!(answer.verdict_text, expected);
        }
    }
    // The till's refusals, and errors, in each language.
    let mut messages = Vec::new();
    for language in [Language::Kk, Language::Ru, Language::En] {
        let mut shop = demo.anonymous(language).await;
        shop.sign_in(&demo.key("shop_astana")).await.unwrap();
        let check = shop
            .check_before_sale(None, vec![demo.code("blocked", 0)])
            .await
            .unwrap()
            .remove(0);
        assert_eq!(check.refusal_code, "TANBA-ENGINE-NOT-OWNER");
        let error = demo
            .anonymous(language)
            .await
            .code_card("x")
            .await
            .unwrap_err();
        messages.push((check.refusal_message, error.to_string()));
    }
    assert_three_languages(&messages[0].0, &messages[1].0, &messages[2].0);
    assert_three_languages(&messages[0].1, &messages[1].1, &messages[2].1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_clear_coded_error_and_leaves_nothing_behind() {
    let demo = Demo::start();
    let head = demo.log_head().await;
    let error_code = |body: &Value| {
        body["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let post = |path: &str, content_type: &str, body: Vec<u8>| {
        demo.web
            .post(format!("{}{path}", demo.http))
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    // HTTP.
    let garbage = demo.check("\u{1}\u{2}garbage", "en").await;
    assert!(error_code(&garbage).starts_with("TANBA-GS1-"), "{garbage}");
    let response = post("/v1/check", "text/plain", b"{\"code\":\"x\"}".to_vec())
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(
        error_code(&response.json().await.unwrap()),
        "TANBA-SERVER-UNSUPPORTED-MEDIA"
    );
    let response = post("/v1/check", "application/json", b"{\"code\":".to_vec())
        .await
        .unwrap();
    assert_eq!(
        error_code(&response.json().await.unwrap()),
        "TANBA-SERVER-INVALID"
    );
    let response = post(
        "/v1/check",
        "application/json",
        br#"{"code":"x","extra":1}"#.to_vec(),
    )
    .await
    .unwrap();
    assert_eq!(
        error_code(&response.json().await.unwrap()),
        "TANBA-SERVER-INVALID",
        "unknown fields are refused"
    );
    // On a client of its own: the server answers before reading the whole body and closes the
    // connection, which a pooled client would otherwise try to reuse.
    // The client may still be writing when the server closes: a broken pipe then is the same
    // refusal, read from the other side.
    let response = reqwest::Client::new()
        .post(format!("{}/v1/reports", demo.http))
        .header("content-type", "application/json")
        .body(vec![b' '; 2 << 20])
        .send()
        .await;
    match response {
        Ok(response) => assert_eq!(
            error_code(&response.json().await.unwrap()),
            "TANBA-SERVER-TOO-MANY"
        ),
        Err(error) => assert!(
            error.is_request() && format!("{error:?}").contains("BrokenPipe"),
            "{error:?}"
        ),
    }
    let token = demo.http_token("shop_astana").await;
    let lines: Vec<Value> = (0..1001)
        .map(|n| json!({ "code": format!("(01)04870000000005(21){n}"), "price_tiyn": 1 }))
        .collect();
    let response = demo
        .web
        .post(format!("{}/v1/till/receipts", demo.http))
        .bearer_auth(&token)
        .json(&json!({ "receipt_id": "BIG", "time_ms": 1, "lines": lines }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(&response.json().await.unwrap()),
        "TANBA-SERVER-TOO-MANY"
    );
    // One character of the tag changed, well inside it: the last character carries bits a
    // decoder may ignore, so changing it could leave the same bytes (and a valid token).
    let mut altered = token.clone().into_bytes();
    let inside = altered.len() - 5;
    altered[inside] = if altered[inside] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap();
    for (token, expected) in [
        ("garbage", "TANBA-CRYPTO-MALFORMED-SIGN-IN"),
        (altered.as_str(), "TANBA-CRYPTO-BAD-SIGN-IN"),
    ] {
        let response = demo
            .web
            .post(format!("{}/v1/till/check", demo.http))
            .bearer_auth(token)
            .json(&json!({ "codes": ["x"] }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        assert_eq!(error_code(&response.json().await.unwrap()), expected);
    }
    let missing = demo
        .web
        .get(format!("{}/no/such/route", demo.http))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(
        error_code(&missing.json().await.unwrap()),
        "TANBA-SERVER-NOT-FOUND"
    );

    // gRPC: a body that is not protobuf, and one past the size limit.
    let grpc = reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()
        .unwrap();
    let frame = |payload: &[u8]| {
        let mut body = vec![0u8];
        body.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        body.extend_from_slice(payload);
        body
    };
    let call = |body: Vec<u8>| {
        grpc.post(format!(
            "http://{}/tanba.v1.PublicCheckService/Check",
            demo.grpc
        ))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .header("accept-language", "kk")
        .body(body)
        .send()
    };
    for (body, expected) in [
        (frame(&[0xff; 32]), "TANBA-SERVER-MALFORMED"),
        (frame(&vec![0x0a; 17 << 20]), "TANBA-SERVER-TOO-MANY"),
    ] {
        let response = call(body).await.unwrap();
        let details = response
            .headers()
            .get("grpc-status-details-bin")
            .expect("coded details");
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(details.to_str().unwrap().trim_end_matches('='))
            .unwrap();
        let detail = <pb::ErrorDetail as prost::Message>::decode(&bytes[..]).unwrap();
        assert_eq!(detail.code, expected);
        assert!(is_kazakh(&detail.message), "{}", detail.message);
    }
    let garbage = demo.anonymous(Language::En).await.check("]d2garbage").await;
    assert!(refusal(garbage).starts_with("TANBA-GS1-"));
    assert_eq!(demo.log_head().await, head, "nothing was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_client_orders_downloads_aggregates_and_reports_refusals_in_the_language_asked() {
    let demo = Demo::start();
    let key = |handle: &str| {
        let participants = demo.codes["participants"].as_array().unwrap();
        participants.iter().find(|p| p["handle"] == handle).unwrap()["key_file"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let client = |handle: Option<&str>, arguments: &[&str]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_tanba"));
        command.args(["client", "--server", &demo.grpc, "--format", "json"]);
        if let Some(handle) = handle {
            command.args(["--key", &key(handle)]);
        }
        command.args(arguments).output().unwrap()
    };
    let json = |output: &std::process::Output| -> Value {
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let codes_file = demo.directory.path().join("codes.txt");
    let gtin = gtin_of(&demo.code("genuine", 0));
    let ordered = json(&client(
        Some("water"),
        &[
            "order",
            "--gtin",
            &gtin,
            "--quantity",
            "20",
            "--out",
            codes_file.to_str().unwrap(),
        ],
    ));
    assert_eq!(ordered["codes"], 20);
    let codes: Vec<String> = std::fs::read_to_string(&codes_file)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(codes.len(), 20);
    let file = codes_file.to_str().unwrap();
    json(&client(
        Some("water"),
        &["applied", "--production-date", "2026-11-01", "--file", file],
    ));
    json(&client(Some("water"), &["introduce", "--file", file]));
    // Two boxes of ten from a PARENT CHILD file.
    let plan: String = codes
        .iter()
        .enumerate()
        .map(|(n, code)| format!("{} {code}\n", sscc(100 + n as u64 / 10)))
        .collect();
    let plan_file = demo.directory.path().join("plan.txt");
    std::fs::write(&plan_file, plan).unwrap();
    let aggregated = json(&client(
        Some("water"),
        &["aggregate-file", plan_file.to_str().unwrap()],
    ));
    assert_eq!(
        (
            aggregated["packages"].as_u64(),
            aggregated["children"].as_u64()
        ),
        (Some(2), Some(20))
    );
    let card = json(&client(Some("water"), &["card", &sscc(100)]));
    assert_eq!(card["units_inside"], 10);
    assert_eq!(card["status"], "CODE_STATUS_APPLIED");
    let unit = json(&client(Some("water"), &["card", &codes[0]]));
    assert_eq!(unit["status"], "CODE_STATUS_INTRODUCED");
    let checked = json(&client(None, &["check", &codes[0]]));
    assert_eq!(checked["verdict"], "VERDICT_GENUINE");
    // A table, and a refusal with its code in Kazakh.
    let table = std::process::Command::new(env!("CARGO_BIN_EXE_tanba"))
        .args([
            "client",
            "--server",
            &demo.grpc,
            "--key",
            &key("water"),
            "--format",
            "table",
        ])
        .arg("orders")
        .output()
        .unwrap();
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(
        text.lines().next().unwrap_or_default().contains("QUANTITY") && text.lines().count() >= 3,
        "{text}"
    );
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_tanba"))
        .args([
            "--lang",
            "kk",
            "client",
            "--server",
            &demo.grpc,
            "--key",
            &key("shop_almaty"),
        ])
        .args([
            "order",
            "--gtin",
            &gtin,
            "--quantity",
            "1",
            "--out",
            "/dev/null",
        ])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let message = String::from_utf8(refused.stderr).unwrap();
    assert!(message.starts_with("TANBA-SERVER-FORBIDDEN: "), "{message}");
    assert!(is_kazakh(&message), "{message}");

    // A suspended participant is refused everything, even with a token still valid; reinstated,
    // it works again.
    let shop = demo.id("shop_astana").to_string();
    let mut signed_in = demo.as_participant("shop_astana").await;
    let till_check = |connection: &mut tanba_client::Connection| {
        let codes = vec![demo.code("genuine", 0)];
        let connection = connection.clone();
        async move { connection.check_before_sale(None, codes).await }
    };
    till_check(&mut signed_in).await.unwrap();
    json(&client(Some("operator"), &["suspend", &shop]));
    assert_eq!(
        refusal(till_check(&mut signed_in).await),
        "TANBA-ENGINE-PARTICIPANT-SUSPENDED"
    );
    // Nor does its token buy a large message any more: cut at the anonymous limit, unread.
    let ship = pb::ShipRequest {
        buyer: demo.id("shop_almaty").to_string(),
        items: (0..9_000)
            .map(|n| format!("(01)04870000000005(21){n:013}"))
            .collect(),
        signature: vec![1; 64],
    };
    assert_eq!(
        refusal(signed_in.documents().ship(ship).await),
        "TANBA-SERVER-TOO-MANY"
    );
    let participant = json(&client(Some("operator"), &["participant", &shop]));
    assert_eq!(participant["suspended"], true);
    json(&client(Some("operator"), &["reinstate", &shop]));
    till_check(&mut signed_in).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_is_13_a_receipt_has_one_answer_whichever_door_and_an_operator_acts_only_for_sellers_it_serves()
 {
    let demo = Demo::start();
    let codes = on_shelf(&demo, "shop_astana", 2).await;
    let shop = demo.as_participant("shop_astana").await;
    let fiscal = demo.as_participant("fiscal").await;

    // The till posts the receipt over HTTP; its fiscal data operator resends it over gRPC.
    let token = demo.http_token("shop_astana").await;
    let first: Value = demo
        .web
        .post(format!("{}/v1/till/receipts", demo.http))
        .bearer_auth(&token)
        .json(&json!({
            "receipt_id": "DOORS-1",
            "time_ms": 7,
            "lines": [{ "code": codes[0], "price_tiyn": 500 }, { "code": "nonsense", "price_tiyn": 1 }],
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first["duplicate"], false, "{first}");
    let again = fiscal
        .submit_receipt(&SalesReceipt {
            receipt_id: "DOORS-1".into(),
            seller: Some(demo.id("shop_astana")),
            time_ms: 7,
            lines: vec![line(&codes[0], 500), line("nonsense", 1)],
        })
        .await
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(
        again.receipt.unwrap().first_sequence,
        first["sequence"].as_u64().unwrap()
    );
    assert_eq!(again.refused_lines.len(), 1);
    assert_eq!(
        json!(again.refused_lines[0].refusal_code),
        first["refused_lines"][0]["refusal_code"]
    );
    assert_eq!(demo.check(&codes[0], "en").await["verdict"], "sold");

    // A return names its sale; the same unit comes back once.
    let back = |id: &str| ReturnReceipt {
        receipt_id: id.into(),
        sale_receipt_id: "DOORS-1".into(),
        seller: None,
        codes: vec![codes[0].clone()],
    };
    shop.submit_return(&back("DOORS-B-1")).await.unwrap();
    assert_eq!(
        refusal(shop.submit_return(&back("DOORS-B-2")).await),
        "TANBA-ENGINE-ALREADY-RETURNED"
    );

    // The operator ends the fiscal data operator's contract with the Astana shop yesterday.
    let operator = demo.as_participant("operator").await;
    operator
        .assign_fiscal_operator(&tanba_types::FiscalAgency {
            operator: demo.id("fiscal"),
            seller: demo.id("shop_astana"),
            valid_from: "2025-01-01".parse().unwrap(),
            valid_until: Some(yesterday()),
        })
        .await
        .unwrap();
    let late = fiscal
        .submit_receipt(&SalesReceipt {
            receipt_id: "LATE-1".into(),
            seller: Some(demo.id("shop_astana")),
            time_ms: 8,
            lines: vec![line(&codes[1], 500)],
        })
        .await;
    assert_eq!(refusal(late), "TANBA-ENGINE-NOT-SERVED");
    assert_eq!(demo.check(&codes[1], "en").await["verdict"], "genuine");
    // Nor may it check the shop's goods before sale.
    let check = fiscal
        .check_before_sale(Some(demo.id("shop_astana")), vec![codes[1].clone()])
        .await;
    assert_eq!(refusal(check), "TANBA-ENGINE-NOT-SERVED");

    // The audit trail has the refused call under the seller too, naming both.
    let sanitary = demo.as_participant("sanitary").await;
    let query = AuditQuery {
        participant: Some(demo.id("shop_astana")),
        ..Default::default()
    };
    let refused = audit_record_where(&sanitary, query, |record| {
        record.outcome == "TANBA-ENGINE-NOT-SERVED"
    })
    .await;
    assert_eq!(refused.participant, demo.id("fiscal").to_string());
    assert_eq!(refused.acting_for, demo.id("shop_astana").to_string());
    let agencies = fiscal.fiscal_agencies(demo.id("fiscal")).await.unwrap();
    assert_eq!(agencies.len(), 2);
}

#[tokio::test]
async fn a_fresh_server_starts_with_the_calendar_and_the_cli_reads_it_beside_the_server() {
    let demo = Demo::start();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tanba"))
        .args(["calendar", "due", "--from", "2026-03-20T16:30+05:00"])
        .args(["--working-days", "3", "--data"])
        .arg(demo.data())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    // The start calendar is version 1; the demo's operator publishes 2027 as version 2, which
    // keeps 2026 as it was.
    assert_eq!(answer["calendar_version"], 2);
    assert_eq!(answer["due"], "2026-03-30T18:30:00+05:00");
}
