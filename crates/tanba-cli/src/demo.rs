//! `tanba demo`: a fresh data directory seeded with believable data through the server's own
//! API ([`crate::demo_seed`]), then served, with what to try printed: codes of every verdict to
//! open in a browser, `curl` lines, and the participants' key files. Scripts read
//! `DIR/demo-codes.json` and `DIR/addresses.json`. Run again on the same directory, it serves
//! what is there. With `--nats`, the demo is the first node of a cluster.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use std::sync::Arc;

use tanba_engine::Clock;
use tanba_server::config::BootstrapOperator;
use tanba_server::test_clock::TestClock;
use tanba_server::{RunningServer, ServerConfig};

use crate::demo_seed;
use crate::output::now_ms;
use crate::serve_command::{self, ClusterArgs, LogFormat};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The demo's data directory: created and seeded if missing, served as it is otherwise.
    #[arg(long, value_name = "DIR", default_value = "tanba-demo")]
    data: PathBuf,
    /// HTTP/JSON address (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    http_addr: SocketAddr,
    /// gRPC address (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:50051")]
    grpc_addr: SocketAddr,
    /// Log format.
    #[arg(long, value_enum, default_value = "text", env = "TANBA_LOG_FORMAT")]
    log_format: LogFormat,
    /// As a node of a cluster (the other nodes join with `tanba serve --nats`, given this
    /// directory's `keys.json` and `sign-in.secret`).
    #[command(flatten)]
    cluster: ClusterArgs,
}

const DEMO_CODES_FILE: &str = "demo-codes.json";

pub fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    serve_command::init_logs(args.log_format);
    let codes_path = args.data.join(DEMO_CODES_FILE);
    let seeded = codes_path.exists();
    if !seeded
        && args.data.exists()
        && std::fs::read_dir(&args.data)
            .with_context(|| format!("reading {}", args.data.display()))?
            .next()
            .is_some()
    {
        bail!(
            "{} is not empty and holds no demo: give a fresh --data directory",
            args.data.display()
        );
    }
    let keys = args.data.join("keys");
    std::fs::create_dir_all(&keys).with_context(|| format!("creating {}", keys.display()))?;
    let cast = if seeded {
        Vec::new()
    } else {
        demo_seed::cast()
    };
    for member in &cast {
        member
            .key
            .write(&keys.join(format!("{}.json", member.handle)))?;
    }
    let mut config = ServerConfig::load(None)?;
    config.data_dir = args.data.clone();
    config.http_addr = args.http_addr;
    config.grpc_addr = args.grpc_addr;
    args.cluster.apply(&mut config)?;
    // Only for black-box tests of legal terms: the test harness starts the demo with it.
    let test_clock = std::env::var("TANBA_TEST_CLOCK").is_ok_and(|value| value == "1");
    if let Some(operator) = cast.iter().find(|member| member.handle == "operator") {
        config.bootstrap_operator = Some(BootstrapOperator {
            id: operator.key.participant,
            name: operator.name.into(),
            public_key_hex: tanba_crypto::encoding::hex(&operator.key.public_key()),
        });
    }
    // A fresh demo's story happens on the last working morning, so its applications register
    // the day they arrive and officials act on them; then the clock catches up.
    let lag_ms = if seeded {
        0
    } else {
        lag_to_working_morning(now_ms())
    };
    let clock = Arc::new(TestClock::lagging(lag_ms));
    serve_command::runtime()?.block_on(async {
        let server = RunningServer::start_with_clock(config.clone(), clock.clone())
            .await
            .context("starting the server")?;
        if test_clock {
            tracing::warn!("started for tests: loopback callers may move this server's clock");
            server.app.set_test_clock(clock.clone());
        }
        serve_command::announce(&server, &config);
        let http = format!("http://{}", server.http_addr);
        let grpc = server.grpc_addr.to_string();
        let codes = if seeded {
            let text = std::fs::read_to_string(&codes_path)?;
            let mut codes: serde_json::Value = serde_json::from_str(&text)?;
            codes["http"] = http.clone().into();
            codes["grpc"] = grpc.clone().into();
            codes
        } else {
            println!("seeding the demo through the gRPC API ...");
            let started = std::time::Instant::now();
            let head = server.app.engine.head().sequence;
            let codes = demo_seed::seed(&grpc, &http, &args.data, &cast, clock.now_ms(), head)
                .await
                .context("seeding the demo")?;
            clock.catch_up();
            println!("seeded in {:.1} s", started.elapsed().as_secs_f64());
            serde_json::to_value(&codes)?
        };
        // Written whole, then renamed into place: a script waiting for the file never reads
        // half of it.
        let partial = codes_path.with_extension("json.partial");
        std::fs::write(&partial, format!("{codes:#}\n"))?;
        std::fs::rename(&partial, &codes_path)?;
        print_what_to_try(&codes, &codes_path);
        serve_command::stop_signal().await;
        println!("stopping ...");
        server.shutdown().await;
        anyhow::Ok(ExitCode::SUCCESS)
    })
}

/// How far `now_ms` is past the last working morning (10:00 provider time of today, when today
/// is a working day past 10:00, else of the working day before): what the demo's seeding clock
/// lags by. Zero past the years the shipped calendar covers.
fn lag_to_working_morning(now_ms: u64) -> u64 {
    let Ok(calendar) = tanba_cases::Calendar::from_toml(tanba_cases::calendar::CALENDAR_2027_TOML)
    else {
        return 0;
    };
    let morning_minutes = 10 * 60;
    let (today, minutes) = calendar.local(now_ms);
    let mut day = today;
    if !(calendar.is_working_day(today).unwrap_or(false) && minutes >= morning_minutes) {
        day = tanba_types::Date::from_days_since_epoch(today.days_since_epoch() - 1);
        for _ in 0..30 {
            match calendar.is_working_day(day) {
                Ok(true) => break,
                Ok(false) => {
                    day = tanba_types::Date::from_days_since_epoch(day.days_since_epoch() - 1);
                }
                Err(_) => return 0,
            }
        }
    }
    now_ms.saturating_sub(calendar.moment_ms(day, morning_minutes))
}

fn print_what_to_try(codes: &serde_json::Value, path: &Path) {
    let link = |verdict: &str| {
        codes[verdict][0]["digital_link"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    println!();
    println!("Tanba is serving the demo. Open in a browser (add ?lang=kk, ru or en):");
    for (verdict, label) in [
        ("genuine", "genuine, on sale"),
        ("sold", "already sold"),
        ("blocked", "blocked by an authority"),
        ("expired", "past its expiry date"),
        ("not_in_circulation", "issued, not in circulation"),
        ("recalled", "recalled by its producer"),
    ] {
        println!("  {label:28} {}", link(verdict));
    }
    let http = codes["http"].as_str().unwrap_or_default();
    println!();
    println!("As JSON:");
    println!(
        "  curl -s -H 'Accept: application/json' '{}'",
        link("blocked")
    );
    println!("  curl -s '{http}/v1/check?lang=en&code=(01)04870000000005(21)forged'");
    println!("  curl -s {http}/openapi.json | head");
    println!("  curl -s {http}/metrics | grep tanba_");
    println!();
    println!(
        "gRPC at {} (reflection on: grpcurl -plaintext {} list)",
        codes["grpc"].as_str().unwrap_or_default(),
        codes["grpc"].as_str().unwrap_or_default()
    );
    if let Some(cases) = codes["cases"].as_array() {
        println!("State services (tanba client --key DIR/keys/<handle>.json cases get <id>):");
        for case in cases {
            println!(
                "  {:12} case {:<6} {:30} {}",
                case["kind"].as_str().unwrap_or_default(),
                case["id"],
                case["stage"].as_str().unwrap_or_default(),
                case["note"].as_str().unwrap_or_default()
            );
        }
        println!();
    }
    println!(
        "Codes of every verdict, participants and their key files: {}",
        path.display()
    );
    println!();
    if let Some(keys) = path.parent().map(|directory| directory.join("keys")) {
        println!(
            "The web console: {http}/console/ (sign in with a participant's key file, read only"
        );
        println!(
            "in your browser), e.g. a producer {}, a shop {},",
            keys.join("water.json").display(),
            keys.join("shop_almaty.json").display()
        );
        println!("an authority {}.", keys.join("sanitary.json").display());
    }
    println!("Stop with Ctrl-C.");
}
