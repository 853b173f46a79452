//! Feeds, black box (the real binary, a seeded demo; R-IS-05, R-IS-06):
//! - a ministry's `tanba feed tail tax` follows the tax feed while a shop sells, is killed with
//!   SIGKILL and started again on the same file, and `tanba feed verify` proves the saved feed
//!   complete: every acknowledged sale in it exactly once, nothing lost or repeated;
//! - the same file with one record byte changed fails verification at that entry; an entry of
//!   the feed turned into a left-out one fails as left out;
//! - a filtered feed with no matching entries advances by heartbeats;
//! - the HTTP twin sends the same items as newline-delimited JSON;
//! - role rules and bad input: coded refusals.

mod demo_harness;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use demo_harness::{Demo, on_shelf, refusal};
use tanba_client::feeds::{FeedVerifier, FeedVerifyError, verify_saved};
use tanba_client::{ReceiptLine, SalesReceipt};
use tanba_crypto::PublicKeySet;
use tanba_proto::feed::FeedLine;
use tanba_proto::v1 as pb;
use tanba_types::Event;

/// Sales the shop makes while the ministry follows.
const SALES: usize = 40;

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn keys(demo: &Demo) -> PublicKeySet {
    let text = std::fs::read_to_string(demo.data().join("public-keys.json")).unwrap();
    PublicKeySet::from_json(&text).unwrap()
}

/// `tanba feed tail tax` as the ministry, appending to `out`.
fn tail(demo: &Demo, out: &Path, until: Option<u64>) -> std::process::Child {
    let key = demo.directory.path().join("ministry-key.json");
    if !key.exists() {
        let participants = demo.codes["participants"].as_array().unwrap();
        let ministry = participants
            .iter()
            .find(|p| p["handle"] == "ministry")
            .unwrap();
        std::fs::copy(ministry["key_file"].as_str().unwrap(), &key).unwrap();
    }
    let mut command = Command::new(env!("CARGO_BIN_EXE_tanba"));
    command
        .args(["feed", "tail", "tax", "--server", &demo.grpc, "--key"])
        .arg(&key)
        .arg("--out")
        .arg(out);
    if let Some(until) = until {
        command.args(["--until", &until.to_string()]);
    }
    command.stdout(Stdio::null()).spawn().unwrap()
}

/// The receipt ids of the sales in a saved feed, in feed order.
fn sold_receipts(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(
            |line| match serde_json::from_str::<FeedLine>(line).unwrap() {
                FeedLine::Entry(entry) => entry.record,
                _ => None,
            },
        )
        .filter_map(|record| {
            use base64::Engine;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(record)
                .unwrap();
            match tanba_log::decode(&bytes).unwrap().event {
                Event::Sold { receipt_id, .. } => Some(receipt_id),
                _ => None,
            }
        })
        .collect()
}

fn verify_command(demo: &Demo, file: &Path) -> (bool, String) {
    let keys = demo.directory.path().join("public-keys.json");
    std::fs::copy(demo.data().join("public-keys.json"), &keys).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_tanba"))
        .args(["feed", "verify", "--kind", "tax", "--keys"])
        .arg(&keys)
        .arg(file)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ministry_follows_the_tax_feed_through_a_kill_and_proves_it_complete() {
    let demo = Demo::start();
    let codes = on_shelf(&demo, "shop_almaty", SALES as u32).await;
    let shop = demo.as_participant("shop_almaty").await;
    let saved = demo.directory.path().join("tax.jsonl");
    let mut follower = tail(&demo, &saved, None);
    let mut sold = Vec::new();
    for (number, code) in codes.iter().enumerate() {
        let receipt = SalesReceipt {
            receipt_id: format!("feed-{number}"),
            seller: None,
            time_ms: now_ms(),
            lines: vec![ReceiptLine {
                code: code.clone(),
                price_tiyn: 31_000,
            }],
        };
        shop.submit_receipt(&receipt).await.unwrap();
        sold.push(receipt.receipt_id);
        if number == SALES / 2 {
            // The ministry's client dies mid-stream and comes back on the same file.
            follower.kill().unwrap();
            follower.wait().unwrap();
            follower = tail(&demo, &saved, None);
        }
    }
    // Follow to the head, and past the writer's next checkpoint of it.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let head = demo.log_head().await;
    follower.kill().unwrap();
    follower.wait().unwrap();
    let mut last = tail(&demo, &saved, Some(head));
    assert!(last.wait().unwrap().success(), "the tail ends at --until");

    let text = std::fs::read_to_string(&saved).unwrap();
    let found = sold_receipts(&text);
    let ours: Vec<&String> = found.iter().filter(|id| id.starts_with("feed-")).collect();
    assert_eq!(
        ours,
        sold.iter().collect::<Vec<_>>(),
        "every sale once, in order"
    );
    let proof = verify_saved(keys(&demo), "tax", &text).unwrap();
    assert_eq!(proof.position, head, "every entry up to the head walked");
    assert!(
        proof.checkpoint.is_some(),
        "a signed checkpoint in the feed"
    );
    let (verified, said) = verify_command(&demo, &saved);
    assert!(verified, "{said}");
    assert!(said.starts_with("verified:"), "{said}");

    // One byte of one sale's record changed: refused at that entry.
    let tampered = demo.directory.path().join("tampered.jsonl");
    let (altered_at, lines) = alter_first_sale(&text);
    std::fs::write(&tampered, lines).unwrap();
    let error = verify_saved(
        keys(&demo),
        "tax",
        &std::fs::read_to_string(&tampered).unwrap(),
    )
    .unwrap_err();
    // The changed byte may leave the record readable (its hash then fails) or not (a code no
    // longer reads): either way verification stops at that entry.
    assert!(
        matches!(
            error,
            FeedVerifyError::Altered(_) | FeedVerifyError::BadRecord { .. }
        ),
        "{error:?}"
    );
    assert_eq!(error.at(), Some(altered_at));
    let (verified, said) = verify_command(&demo, &tampered);
    assert!(!verified);
    assert!(said.contains(&altered_at.to_string()), "{said}");

    // The same sale sent as an entry outside the feed: it is of the tax kind, so left out.
    let hidden = hide_first_sale(&text);
    let error = verify_saved(keys(&demo), "tax", &hidden).unwrap_err();
    assert_eq!(error, FeedVerifyError::LeftOut(altered_at));

    // A line dropped: the next entry comes out of order.
    let dropped: String = text
        .lines()
        .filter(|line| !line.contains(&format!("\"sequence\":{altered_at},")))
        .map(|line| format!("{line}\n"))
        .collect();
    let error = verify_saved(keys(&demo), "tax", &dropped).unwrap_err();
    assert!(
        matches!(error, FeedVerifyError::OutOfOrder { expected, .. } if expected == altered_at)
    );
}

/// The saved feed with the first sale's record changed in one byte (re-encoded), and where.
fn alter_first_sale(text: &str) -> (u64, String) {
    use base64::Engine;
    let engine = base64::engine::general_purpose::STANDARD;
    let mut at = None;
    let lines = text
        .lines()
        .map(|line| {
            let mut parsed: FeedLine = serde_json::from_str(line).unwrap();
            if let (None, FeedLine::Entry(entry)) = (at, &mut parsed)
                && let Some(record) = &entry.record
            {
                let mut bytes = engine.decode(record).unwrap();
                if let Event::Sold { .. } = tanba_log::decode(&bytes).unwrap().event {
                    // The last byte is inside the sale's last field (a price or a code).
                    *bytes.last_mut().unwrap() ^= 1;
                    entry.record = Some(engine.encode(&bytes));
                    at = Some(entry.sequence);
                }
            }
            serde_json::to_string(&parsed).unwrap() + "\n"
        })
        .collect();
    (at.expect("a sale in the feed"), lines)
}

/// The saved feed with the first sale sent as if outside the feed (its kinds and digest only).
fn hide_first_sale(text: &str) -> String {
    use base64::Engine;
    let engine = base64::engine::general_purpose::STANDARD;
    let mut done = false;
    text.lines()
        .map(|line| {
            let mut parsed: FeedLine = serde_json::from_str(line).unwrap();
            if let (false, FeedLine::Entry(entry)) = (done, &mut parsed)
                && let Some(record) = entry.record.take()
            {
                let bytes = engine.decode(&record).unwrap();
                if let Event::Sold { .. } = tanba_log::decode(&bytes).unwrap().event {
                    let digest = blake3::hash(&bytes);
                    entry.record_digest = Some(digest.to_hex().to_string());
                    entry.event = None;
                    done = true;
                } else {
                    entry.record = Some(record);
                }
            }
            serde_json::to_string(&parsed).unwrap() + "\n"
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiet_feed_advances_by_heartbeats_and_the_http_twin_sends_the_same_items() {
    let demo = Demo::start();
    let ministry = demo.as_participant("ministry").await;
    let head = demo.log_head().await;

    // No EAEU trade in the demo: without the proof, only heartbeats come, and they reach the head.
    let mut stream = ministry
        .follow_feed(pb::FollowFeedRequest {
            kind: "eaeu".into(),
            after: 0,
            until: 0,
            without_proof: true,
        })
        .await
        .unwrap();
    let started = Instant::now();
    let position = loop {
        let batch = tokio::time::timeout(Duration::from_secs(10), stream.message())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let mut reached = None;
        for item in batch.items {
            match item.item.unwrap() {
                pb::feed_item::Item::Heartbeat(beat) => reached = Some(beat.position),
                pb::feed_item::Item::Checkpoint(_) => {}
                pb::feed_item::Item::Entry(entry) => panic!("no EAEU entry: {}", entry.sequence),
            }
        }
        if reached.is_some_and(|position| position >= head) {
            break reached.unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "heartbeats advance"
        );
    };
    assert!(position >= head);
    // The open feed is counted where Prometheus reads.
    let metrics = demo
        .web
        .get(format!("{}/metrics", demo.http))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("tanba_feeds_open{feed=\"eaeu\"} 1"),
        "{metrics}"
    );
    drop(stream);

    // The proof version of the same feed: every entry comes, none with a record, and verifies.
    let mut stream = ministry
        .follow_feed(pb::FollowFeedRequest {
            kind: "eaeu".into(),
            after: 0,
            until: head,
            without_proof: false,
        })
        .await
        .unwrap();
    let mut verifier = FeedVerifier::new(keys(&demo), "eaeu").unwrap();
    let mut grpc_items = Vec::new();
    while let Some(batch) = stream.message().await.unwrap() {
        for item in batch.items {
            verifier.push(&item).unwrap();
            grpc_items.push(item);
        }
    }
    assert_eq!(verifier.position(), head);
    assert_eq!(verifier.proof().included, 0);

    // The HTTP twin: the same items, one JSON line each.
    let token = demo.http_token("ministry").await;
    let response = demo
        .web
        .get(format!("{}/v1/feeds/eaeu?after=0&until={head}", demo.http))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/x-ndjson"
    );
    let text = response.text().await.unwrap();
    let http_items: Vec<pb::FeedItem> = text
        .lines()
        .map(|line| tanba_proto::feed::item_of(&serde_json::from_str(line).unwrap()).unwrap())
        .filter(|item| !matches!(item.item, Some(pb::feed_item::Item::Heartbeat(_))))
        .collect();
    let grpc_items: Vec<pb::FeedItem> = grpc_items
        .into_iter()
        .filter(|item| !matches!(item.item, Some(pb::feed_item::Item::Heartbeat(_))))
        .collect();
    assert_eq!(http_items, grpc_items);
    verify_saved(keys(&demo), "eaeu", &text).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_follows_which_feed_is_a_role_rule_and_bad_cursors_are_refused_by_code() {
    let demo = Demo::start();
    let head = demo.log_head().await;
    let follow = |kind: &str, after: u64| pb::FollowFeedRequest {
        kind: kind.into(),
        after,
        until: 0,
        without_proof: false,
    };
    let shop = demo.as_participant("shop_almaty").await;
    let ministry = demo.as_participant("ministry").await;
    let authority = demo.as_participant("sanitary").await;
    let operator = demo.as_participant("operator").await;
    for (who, kind, code) in [
        (&shop, "tax", "TANBA-SERVER-FORBIDDEN"),
        (&shop, "all", "TANBA-SERVER-FORBIDDEN"),
        (&ministry, "cases", "TANBA-SERVER-FORBIDDEN"),
        (&ministry, "goods", "TANBA-SERVER-FORBIDDEN"),
        (&authority, "tax", "TANBA-SERVER-FORBIDDEN"),
        (&ministry, "vat", "TANBA-SERVER-INVALID"),
    ] {
        let refused = refusal(who.follow_feed(follow(kind, 0)).await);
        assert_eq!(refused, code, "{kind}");
    }
    for (who, kind) in [
        (&ministry, "tax"),
        (&ministry, "stages"),
        (&authority, "customs"),
        (&authority, "registry"),
        (&shop, "goods"),
        (&operator, "all"),
        (&operator, "cases"),
    ] {
        who.follow_feed(follow(kind, head)).await.unwrap();
    }
    let refused = refusal(ministry.follow_feed(follow("tax", head + 1_000)).await);
    assert_eq!(refused, "TANBA-SERVER-CURSOR");

    let token = demo.http_token("ministry").await;
    for (query, code) in [
        ("after=abc", "TANBA-SERVER-INVALID"),
        ("after=-1", "TANBA-SERVER-INVALID"),
        ("after=99999999999999999999999", "TANBA-SERVER-INVALID"),
        ("without_proof=maybe", "TANBA-SERVER-INVALID"),
        ("after=5&until=2", "TANBA-SERVER-INVALID"),
        (&format!("after={}", head + 1_000), "TANBA-SERVER-CURSOR"),
    ] {
        let response = demo
            .web
            .get(format!("{}/v1/feeds/tax?{query}", demo.http))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{query}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{query}");
    }
    let anonymous = demo
        .web
        .get(format!("{}/v1/feeds/tax", demo.http))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_is_12_a_sale_to_a_russian_buyer_goes_out_on_the_eaeu_feed_and_leaves_kazakhstan() {
    use tanba_client::Withdrawal;
    use tanba_types::{EaeuDocument, EaeuState, WithdrawalReason};
    let demo = Demo::start();
    let codes = on_shelf(&demo, "shop_almaty", 2).await;
    let shop = demo.as_participant("shop_almaty").await;
    let document = |taxpayer: &str| EaeuDocument {
        buyer_state: EaeuState::Russia,
        buyer_taxpayer: taxpayer.into(),
        buyer_name: "ООО «Покупатель»".into(),
        number: "UPD-2026-0042".into(),
        date: "2026-12-01".parse().unwrap(),
        value_tiyn: 4_200_000,
    };
    let export = |eaeu: Option<EaeuDocument>, reason| Withdrawal {
        reason,
        document: None,
        export: None,
        eaeu,
    };
    // Format-logical control of the buyer's number, and the document with its reason only.
    for (withdrawal, code) in [
        (
            export(Some(document("7707083894")), WithdrawalReason::ExportToEaeu),
            "TANBA-ENGINE-FOREIGN-TAXPAYER",
        ),
        (
            export(None, WithdrawalReason::ExportToEaeu),
            "TANBA-ENGINE-INVALID",
        ),
        (
            export(Some(document("7707083893")), WithdrawalReason::WriteOff),
            "TANBA-ENGINE-INVALID",
        ),
    ] {
        let refused = refusal(shop.withdraw(vec![codes[0].clone()], &withdrawal).await);
        assert_eq!(refused, code);
    }
    let receipt = shop
        .withdraw(
            vec![codes[0].clone()],
            &export(Some(document("7707083893")), WithdrawalReason::ExportToEaeu),
        )
        .await
        .unwrap();

    // The codes can no longer be sold in Kazakhstan.
    let sale = SalesReceipt {
        receipt_id: "after-export".into(),
        seller: None,
        time_ms: now_ms(),
        lines: vec![ReceiptLine {
            code: codes[0].clone(),
            price_tiyn: 10_000,
        }],
    };
    let answer = shop.submit_receipt(&sale).await.unwrap();
    assert_eq!(
        answer.refused_lines.len(),
        1,
        "the exported unit is refused at the till"
    );

    // The EAEU feed carries the document: one entry of the feed, the export, and it verifies.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let head = demo.log_head().await;
    let ministry = demo.as_participant("ministry").await;
    let mut stream = ministry
        .follow_feed(pb::FollowFeedRequest {
            kind: "eaeu".into(),
            after: 0,
            until: head,
            without_proof: false,
        })
        .await
        .unwrap();
    let mut verifier = FeedVerifier::new(keys(&demo), "eaeu").unwrap();
    let mut exports = Vec::new();
    while let Some(batch) = stream.message().await.unwrap() {
        for item in batch.items {
            verifier.push(&item).unwrap();
            if let Some(pb::feed_item::Item::Entry(entry)) = &item.item
                && !entry.record.is_empty()
            {
                exports.push(tanba_log::decode(&entry.record).unwrap());
            }
        }
    }
    assert!(verifier.proof().checkpoint.is_some());
    assert_eq!(exports.len(), 1, "{exports:?}");
    assert_eq!(exports[0].sequence, receipt.last_sequence);
    match &exports[0].event {
        Event::Withdrawn {
            reason: WithdrawalReason::ExportToEaeu,
            eaeu: Some(carried),
            ..
        } => assert_eq!(carried, &document("7707083893")),
        other => panic!("not the export: {other:?}"),
    }
}
