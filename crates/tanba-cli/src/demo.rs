//! `tanba demo`: until the server exists, the README's run command shows the foundation at work:
//! a key ring, codes issued with both tail profiles, every form of one code, offline verification,
//! and forged codes refused with their error codes in Kazakh, Russian and English; then the
//! engine on RocksDB ([`crate::demo_engine`]).

use std::{path::PathBuf, process::ExitCode, time::Instant};

use anyhow::Context;
use clap::Args;
use tanba_crypto::{KeyRing, load_key_ring, save_key_ring};
use tanba_gs1::{MarkingCode, OutputForm, ParseOptions};
use tanba_types::Language;

use crate::{
    code_command::{Profile, Verifiers, issue, verify_report},
    output::{now_ms, say},
};

/// Demo GTIN-14s (valid check digits, Kazakhstan's GS1 prefix 487): mineral water, milk.
const DEMO_GTINS: [&str; 2] = ["04870000000005", "04870000000012"];
/// Most codes one demo run issues (they are kept in memory and written to a file).
const DEMO_CODES_MAX: i64 = 1_000_000;
/// Short tags on the demo's small packs.
const DEMO_SHORT_TAG_LENGTH: usize = 4;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Directory for the demo's key ring and issued codes.
    #[arg(long, value_name = "DIR", default_value = "tanba-data")]
    data: PathBuf,
    /// How many full-profile codes to issue (at most 1,000,000).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=DEMO_CODES_MAX))]
    codes: u32,
}

pub fn run(args: DemoArgs, language: Language) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(&args.data)
        .with_context(|| format!("creating {}", args.data.display()))?;
    let ring_path = args.data.join("keys.ring");
    let ring = if ring_path.exists() {
        load_key_ring(&ring_path).context("loading the demo key ring")?
    } else {
        let ring = KeyRing::generate(now_ms(), &mut rand_core::OsRng);
        save_key_ring(&ring, &ring_path).context("saving the demo key ring")?;
        ring
    };
    let public_keys_path = args.data.join("public-keys.json");
    std::fs::write(&public_keys_path, ring.public_key_set().to_json())?;
    say!("Tanba demo (data in {})", args.data.display());
    say!(
        "  key ring {} (mode 0600), active signing key {}",
        ring_path.display(),
        ring.active_signing_key().key_id()
    );
    say!(
        "  public keys for phones and tills: {}",
        public_keys_path.display()
    );

    let mut rng = rand_core::OsRng;
    let started = Instant::now();
    let codes = args.codes as usize;
    let mut issued = Vec::with_capacity(codes);
    let mut serials = std::collections::HashSet::with_capacity(codes);
    while issued.len() < codes {
        let serial = tanba_crypto::generate_serial(&mut rng);
        if serials.insert(serial.clone()) {
            issued.push(issue(&ring, DEMO_GTINS[0], &serial, Profile::Full, 0)?);
        }
    }
    let signing_seconds = started.elapsed().as_secs_f64();
    let short_code = issue(
        &ring,
        DEMO_GTINS[1],
        &tanba_crypto::generate_serial(&mut rng),
        Profile::Short,
        DEMO_SHORT_TAG_LENGTH,
    )?;
    let codes_path = args.data.join("demo-codes.txt");
    let lines: Vec<String> = issued
        .iter()
        .map(|code| code.format(&OutputForm::Bracketed))
        .collect::<Result<_, _>>()?;
    std::fs::write(&codes_path, lines.join("\n") + "\n")?;
    say!(
        "\nIssued {} full-profile codes in {:.2} s ({:.0} codes/s, one core), saved to {}",
        issued.len(),
        signing_seconds,
        issued.len() as f64 / signing_seconds.max(f64::EPSILON),
        codes_path.display()
    );

    let verifiers = Verifiers::from_ring(ring);
    let started = Instant::now();
    let mut genuine = 0;
    for code in &issued {
        let raw = code.format(&OutputForm::Raw)?;
        if verify_report(&raw, &verifiers, DEMO_SHORT_TAG_LENGTH, language).1 {
            genuine += 1;
        }
    }
    say!(
        "Parsed and verified all {} offline in {:.2} s: {genuine} genuine",
        issued.len(),
        started.elapsed().as_secs_f64()
    );
    anyhow::ensure!(
        genuine == issued.len(),
        "a freshly issued code failed to verify"
    );

    let Some(sample) = issued.first() else {
        return Ok(ExitCode::SUCCESS);
    };
    say!("\nOne code, every form (all parse to the same code):");
    for (name, form) in [
        ("bracketed   ", OutputForm::Bracketed),
        ("raw (GS=^]) ", OutputForm::Raw),
        ("scanner     ", OutputForm::ScanData),
        (
            "digital link",
            OutputForm::DigitalLink(Some("https://tanba.kz".into())),
        ),
    ] {
        let text = sample.format(&form)?;
        let again = MarkingCode::parse(&text, &ParseOptions::default())?;
        anyhow::ensure!(
            again.elements == sample.elements,
            "{name} did not round-trip"
        );
        say!("  {name}  {}", text.replace(tanba_gs1::GS, "^]"));
    }
    let short_text = short_code.format(&OutputForm::Bracketed)?;
    let short_ok = verify_report(&short_text, &verifiers, DEMO_SHORT_TAG_LENGTH, language).1;
    say!(
        "  short tail    {short_text}  (server check: {})",
        verdict(short_ok)
    );

    say!("\nForgeries:");
    let new_serial = tanba_crypto::generate_serial(&mut rng);
    let forgeries = [
        (
            "one character of the signature changed",
            forge(sample, "92", change_last_char),
        ),
        (
            "one character of the serial changed",
            forge(sample, "21", change_last_char),
        ),
        (
            "a genuine tail copied onto a new serial",
            forge(sample, "21", |_| new_serial.clone()),
        ),
        (
            "a bad GTIN check digit",
            forge(sample, "01", |_| "04870000000006".to_owned()),
        ),
    ];
    for (what, forged) in forgeries {
        let text = forged.format(&OutputForm::Bracketed)?;
        // One report per language; the verdict does not depend on the language.
        let reports = Language::ALL
            .map(|language| verify_report(&text, &verifiers, DEMO_SHORT_TAG_LENGTH, language));
        let (first_report, ok) = &reports[0];
        say!("  {what}: {}", verdict(*ok));
        for (language, (report, _)) in Language::ALL.iter().zip(&reports) {
            if let Some(message) = report["errors"][0]["message"].as_str() {
                say!("      [{language}] {message}");
            }
        }
        anyhow::ensure!(!ok, "a forged code verified: {first_report}");
    }
    let ring = load_key_ring(&ring_path).context("loading the demo key ring")?;
    crate::demo_engine::run(&args.data, ring)?;

    let tanba = std::env::current_exe()
        .map_or_else(|_| "tanba".to_owned(), |path| path.display().to_string());
    say!(
        "\nTry:\n  {tanba} code parse '{}'\n  {tanba} --lang kk code parse '(01)04870000000006(21)ABC'\n  \
         {tanba} code verify - --public-keys {} < {}",
        sample.format(&OutputForm::DigitalLink(Some("https://tanba.kz".into())))?,
        public_keys_path.display(),
        codes_path.display()
    );
    say!("The server (`tanba serve`) arrives in the next issue.");
    Ok(ExitCode::SUCCESS)
}

/// A copy of `code` with the value of `ai` changed by `change`. Forgeries are made on the
/// elements, not the printed text, so escaping in any form cannot hide the change.
fn forge(code: &MarkingCode, ai: &str, change: impl Fn(&str) -> String) -> MarkingCode {
    let mut forged = code.clone();
    for element in &mut forged.elements.elements {
        if element.ai == ai {
            element.value = change(&element.value);
        }
    }
    assert_ne!(&forged, code, "a forgery must differ from the genuine code");
    forged
}

fn verdict(genuine: bool) -> &'static str {
    if genuine { "GENUINE" } else { "REFUSED" }
}

/// The same text with its last character replaced by a different one of the same class.
fn change_last_char(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if let Some(last) = chars.last_mut() {
        *last = match *last {
            'A' => 'B',
            '0'..='8' => char::from(*last as u8 + 1),
            _ => 'A',
        };
    }
    chars.into_iter().collect()
}
