//! A hostile client against the real `tanba demo` binary, with small caps and short timeouts so
//! that each attack runs in seconds: what a stranger gets for free must stay bounded, and the
//! server must keep answering everyone else. Each test names the hole it closes (issue 9).

mod demo_harness;

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use demo_harness::{Demo, bring_into_circulation, gtin_of, order_codes, refusal, sscc};
use tanba_proto::v1 as pb;
use tanba_types::Language;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// Connects to `address` from the loopback address `from` (127.0.0.x: another client).
async fn connect_from(from: [u8; 4], address: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::from((from, 0)))?;
    socket.connect(address).await
}

/// Whether the server closes `stream` within `within` (EOF or reset on read).
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut byte = [0u8; 1];
    matches!(
        tokio::time::timeout(within, stream.read(&mut byte)).await,
        Ok(Ok(0) | Err(_))
    )
}

/// `/healthz` from the loopback address `from`, over a fresh connection.
async fn healthz_from(from: [u8; 4], http: &str) -> bool {
    let client = reqwest::Client::builder()
        .local_address(IpAddr::from(from))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    client
        .get(format!("{http}/healthz"))
        .send()
        .await
        .is_ok_and(|response| response.status().is_success())
}

fn address_of(url: &str) -> SocketAddr {
    url.trim_start_matches("http://").parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sockets_that_say_nothing_or_say_it_slowly_are_capped_and_timed_out() {
    let demo = Demo::start_with(&[
        ("TANBA_CONNECTIONS_PER_CLIENT_MAX", "40"),
        ("TANBA_CONNECTION_PROTOCOL_SECONDS", "5"),
        ("TANBA_CONNECTION_IDLE_SECONDS", "3"),
    ]);
    let http = address_of(&demo.http);
    // 120 silent sockets from one client: 40 are held (for a while), the rest closed at once.
    let mut silent = Vec::new();
    for _ in 0..120 {
        silent.push(connect_from([127, 0, 0, 9], http).await.unwrap());
    }
    let mut closed_at_once = 0;
    for stream in &mut silent {
        if closed_within(stream, Duration::from_millis(20)).await {
            closed_at_once += 1;
        }
    }
    assert!(
        (75..=80).contains(&closed_at_once),
        "{closed_at_once} of 120 closed at once past a cap of 40"
    );
    // Everyone else is served meanwhile, on both ports.
    assert!(healthz_from([127, 0, 0, 10], &demo.http).await);
    let grpc = address_of(&demo.grpc);
    assert!(connect_from([127, 0, 0, 10], grpc).await.is_ok());
    // The held ones never showed a protocol: closed once its time is up.
    let started = Instant::now();
    for stream in &mut silent {
        assert!(closed_within(stream, Duration::from_secs(8)).await);
    }
    assert!(started.elapsed() < Duration::from_secs(8));
    // Headers sent a byte at a time, then nothing: closed too (idle, no call under way).
    let mut slow = connect_from([127, 0, 0, 9], http).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    assert!(closed_within(&mut slow, Duration::from_secs(8)).await);
    // Half an HTTP/2 preface, then nothing: closed once the protocol's time is up.
    let mut half = connect_from([127, 0, 0, 9], http).await.unwrap();
    half.write_all(b"PRI * HTTP/2.0\r\n").await.unwrap();
    assert!(closed_within(&mut half, Duration::from_secs(7)).await);
    // A keep-alive connection left idle after its call is closed as well.
    let mut kept = connect_from([127, 0, 0, 9], http).await.unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut answer = [0u8; 12];
    kept.read_exact(&mut answer).await.unwrap();
    assert_eq!(&answer, b"HTTP/1.1 200");
    let mut rest = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(8), kept.read_to_end(&mut rest)).await;
    assert!(read.is_ok(), "an idle keep-alive connection is closed");
    assert!(healthz_from([127, 0, 0, 9], &demo.http).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_without_a_token_pay_the_anonymous_rate_even_with_no_header_at_all() {
    let demo = Demo::start_with(&[
        ("TANBA_ANONYMOUS_BURST", "30"),
        ("TANBA_ANONYMOUS_PER_IP_PER_SECOND", "1"),
    ]);
    let client = reqwest::Client::builder()
        .local_address(IpAddr::from([127, 0, 0, 20]))
        .build()
        .unwrap();
    let mut statuses = Vec::new();
    for path in ["/v1/till/check", "/no/such/route"] {
        for _ in 0..40 {
            let response = client
                .post(format!("{}{path}", demo.http))
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            statuses.push(response.status().as_u16());
        }
    }
    let limited = statuses.iter().filter(|status| **status == 429).count();
    assert!(limited >= 45, "{limited} of 80 answered 429: {statuses:?}");
    // gRPC alike: no token, no free calls.
    let anonymous = tanba_client::Connection::connect(&demo.grpc)
        .await
        .unwrap()
        .with_language(Language::En);
    let mut codes = Vec::new();
    for _ in 0..40 {
        let card = anonymous.code_card(&demo.code("genuine", 0)).await;
        codes.push(refusal(card));
    }
    assert!(
        codes.iter().any(|code| code == "TANBA-SERVER-RATE-LIMITED"),
        "{codes:?}"
    );
    // Another client is not held back by this one.
    let other = reqwest::Client::builder()
        .local_address(IpAddr::from([127, 0, 0, 21]))
        .build()
        .unwrap();
    let check = other
        .get(format!("{}/v1/check", demo.http))
        .query(&[("code", demo.code("genuine", 0))])
        .send()
        .await
        .unwrap();
    assert_eq!(check.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_sends_no_large_message_and_names_no_long_list() {
    let demo = Demo::start();
    let anonymous = tanba_client::Connection::connect(&demo.grpc)
        .await
        .unwrap()
        .with_language(Language::En);
    // Over 300 KiB of items without a token: cut off at the anonymous limit, unread.
    let items: Vec<String> = (0..9_000)
        .map(|n| format!("(01)04870000000005(21){n:013}"))
        .collect();
    let ship = pb::ShipRequest {
        buyer: demo.id("shop_almaty").to_string(),
        items: items.clone(),
        signature: vec![1; 64],
    };
    let refused = refusal(anonymous.documents().ship(ship).await);
    assert_eq!(refused, "TANBA-SERVER-TOO-MANY");
    // A small list without a token: refused, and the audit names no more than a few codes.
    let small = pb::ShipRequest {
        buyer: demo.id("shop_almaty").to_string(),
        items: items[..200].to_vec(),
        signature: vec![1; 64],
    };
    assert_eq!(
        refusal(anonymous.documents().ship(small).await),
        "TANBA-SERVER-UNAUTHENTICATED"
    );
    let sanitary = demo.as_participant("sanitary").await;
    let query = tanba_client::AuditQuery {
        code: Some(items[0].clone()),
        ..Default::default()
    };
    let record = demo_harness::audit_record_where(&sanitary, query, |record| {
        record.outcome == "TANBA-SERVER-UNAUTHENTICATED"
    })
    .await;
    assert!(
        record.arguments.len() <= tanba_server::app::ANONYMOUS_CODES_NOTED_MAX + 2,
        "{:?}",
        record.arguments
    );
    // The same large message with a token is read (and refused on its merits).
    let wholesaler = demo.as_participant("wholesaler").await;
    let ship = pb::ShipRequest {
        buyer: demo.id("shop_almaty").to_string(),
        items,
        signature: vec![1; 64],
    };
    assert_ne!(
        refusal(wholesaler.documents().ship(ship).await),
        "TANBA-SERVER-TOO-MANY"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_tells_a_stranger_nothing_about_who_is_registered_or_suspended() {
    let demo = Demo::start();
    let stranger = tanba_client::KeyFile::generate(demo.id("shop_astana"));
    let mut connection = tanba_client::Connection::connect(&demo.grpc)
        .await
        .unwrap()
        .with_language(Language::En);
    let registered = connection.sign_in(&stranger).await.unwrap_err();
    let nobody = tanba_client::KeyFile::generate("990140000384".parse().unwrap());
    let unknown = connection.sign_in(&nobody).await.unwrap_err();
    assert_eq!(registered.code(), unknown.code());
    assert_eq!(registered.code(), Some("TANBA-CRYPTO-BAD-SIGN-IN"));
}

/// The public check of `code` from the loopback address `from`.
async fn check_from(from: [u8; 4], http: &str, code: &str) -> serde_json::Value {
    reqwest::Client::builder()
        .local_address(IpAddr::from(from))
        .build()
        .unwrap()
        .get(format!("{http}/v1/check"))
        .query(&[("code", code)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_evidence_flags_a_likely_copy_and_an_authority_clears_it() {
    let demo = Demo::start();
    let genuine = demo.code("genuine", 0);
    let untailed = demo_harness::key_of(&genuine).to_string();
    // Typed without its tail from ten networks: the code's text is on every photo of the pack.
    for network in 1..=10u8 {
        let answer = check_from([127, 0, network, 1], &demo.http, &untailed).await;
        assert_eq!(answer["tail_checked"], false);
        assert_eq!(answer["flagged_as_likely_copy"], false, "{answer}");
    }
    // Reports from many networks go to the authorities' list, not to every phone. A crowd of
    // them spends the public's budget of log writes, and no more.
    let mut refused = 0;
    for network in 100..=140u8 {
        let response = reqwest::Client::builder()
            .local_address(IpAddr::from([127, 0, network, 1]))
            .build()
            .unwrap()
            .post(format!("{}/v1/reports", demo.http))
            .json(&serde_json::json!({ "code": untailed, "kind": "counterfeit", "comment": "x" }))
            .send()
            .await
            .unwrap();
        match response.status().as_u16() {
            200 => {}
            429 => refused += 1,
            other => panic!("a report answered {other}"),
        }
    }
    assert!(refused > 0, "41 reports at once within the public's budget");
    assert_eq!(
        check_from([127, 0, 16, 1], &demo.http, &genuine).await["flagged_as_likely_copy"],
        false
    );
    // Scanned with its genuine tail in many places within minutes: the code itself was seen,
    // and flagged though the reports spent the public's budget (flags have their own).
    let mut last = serde_json::Value::Null;
    for network in 20..=26u8 {
        last = check_from([127, 0, network, 1], &demo.http, &genuine).await;
    }
    assert_eq!(last["flagged_as_likely_copy"], true, "{last}");
    assert!(last["likely_copy_evidence"].as_u64().unwrap() >= 1);
    // An authority clears it, with a reason; a producer may not.
    let water = demo.as_participant("water").await;
    assert_eq!(
        refusal(water.clear_flag(&genuine, "mine").await),
        "TANBA-SERVER-FORBIDDEN"
    );
    let sanitary = demo.as_participant("sanitary").await;
    let cleared = sanitary
        .clear_flag(&genuine, "a promotion in five cities")
        .await
        .unwrap();
    assert!(cleared);
    let after = check_from([127, 0, 30, 1], &demo.http, &genuine).await;
    assert_eq!(after["flagged_as_likely_copy"], false, "{after}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_learns_of_a_transport_package_only_its_verdict() {
    let demo = Demo::start();
    let water = demo.as_participant("water").await;
    let units = order_codes(&water, &gtin_of(&demo.code("genuine", 0)), 2).await;
    bring_into_circulation(&water, &units).await;
    let pallet = sscc(77);
    water.aggregate(&pallet, units).await.unwrap();
    demo.as_participant("sanitary")
        .await
        .block(
            vec![pallet.clone()],
            "Investigation 12/77 at the Almaty warehouse",
        )
        .await
        .unwrap();
    let answer = check_from([127, 0, 40, 1], &demo.http, &pallet).await;
    assert_eq!(answer["verdict"], "blocked", "{answer}");
    assert_eq!(answer["blocked_by"], serde_json::json!([]), "{answer}");
    assert!(answer["product"].is_null() && answer["expiry_date"].is_null());
    assert!(!answer.to_string().contains("Investigation"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_sold_at_one_shop_and_scanned_with_its_tail_at_another_is_flagged() {
    let demo = Demo::start();
    let sold = demo.code("sold", 0);
    let untailed = demo_harness::key_of(&sold).to_string();
    let other_shop = demo.as_participant("shop_astana").await;
    let receipt = |id: &str, code: &str| tanba_client::SalesReceipt {
        receipt_id: id.into(),
        seller: None,
        time_ms: 1,
        lines: vec![tanba_client::ReceiptLine {
            code: code.into(),
            price_tiyn: 1,
        }],
    };
    // Its text alone proves nothing: anyone can type a sold code.
    let typed = other_shop
        .submit_receipt(&receipt("COPY-1", &untailed))
        .await
        .unwrap();
    assert_eq!(
        typed.refused_lines[0].refusal_code,
        "TANBA-ENGINE-NOT-OWNER"
    );
    let phone = check_from([127, 0, 50, 1], &demo.http, &untailed).await;
    assert_eq!(phone["flagged_as_likely_copy"], false, "{phone}");
    // Scanned with its genuine tail at another shop: a copy of the pack was on that shelf.
    let scanned = other_shop
        .submit_receipt(&receipt("COPY-2", &sold))
        .await
        .unwrap();
    assert_eq!(
        scanned.refused_lines[0].refusal_code,
        "TANBA-ENGINE-NOT-OWNER"
    );
    let phone = check_from([127, 0, 51, 1], &demo.http, &sold).await;
    assert_eq!(phone["flagged_as_likely_copy"], true, "{phone}");
    assert_eq!(phone["likely_copy_evidence"], 1, "{phone}");
    // A receipt naming that code on every one of its lines is one more piece of evidence, not
    // a log entry per line.
    let mut repeated = receipt("COPY-3", &sold);
    repeated.lines = vec![repeated.lines[0].clone(); 200];
    let answer = other_shop.submit_receipt(&repeated).await.unwrap();
    assert_eq!(answer.refused_lines.len(), 200);
    let phone = check_from([127, 0, 52, 1], &demo.http, &sold).await;
    assert_eq!(phone["likely_copy_evidence"], 2, "{phone}");
}

/// A stranger naming a log entry far ahead (`x-tanba-after`) holds nothing open: a lone node's
/// own receipts name entries it has applied, so it refuses at once rather than waiting, and it
/// tells no stranger how far its log is (`x-tanba-sequence` is for signed-in callers).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_naming_an_entry_far_ahead_holds_nothing_and_a_stranger_learns_no_head() {
    let demo = Demo::start();
    let client = reqwest::Client::new();
    let check = format!("{}/v1/check", demo.http);
    let started = Instant::now();
    let mut answers = Vec::new();
    for _ in 0..20 {
        let answer = (client.get(&check))
            .query(&[("code", demo.code("genuine", 0))])
            .header("x-tanba-after", u64::MAX.to_string())
            .send()
            .await
            .unwrap();
        assert!(answer.headers().get("x-tanba-sequence").is_none());
        answers.push((answer.status().as_u16(), answer.text().await.unwrap()));
    }
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(2),
        "20 refusals took {waited:?}"
    );
    for (status, body) in &answers {
        assert_eq!(*status, 503, "{body}");
        assert!(body.contains("TANBA-SERVER-BEHIND"), "{body}");
    }
    // Within the head it is answered as any call, still without the head.
    let answer = (client.get(&check))
        .query(&[("code", demo.code("genuine", 0))])
        .header("x-tanba-after", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert!(answer.headers().get("x-tanba-sequence").is_none());
}
