//! `tanba case-verify`: checks, offline, the signatures on a case's openings and steps (a
//! decision, a report, a refusal) against the signers' public keys. The input is the case's
//! history as `tanba client --format json cases history N` prints it; nothing else is needed,
//! no server, no store: the signed text is rebuilt from each event as the signer built it.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use serde_json::{Value, json};
use tanba_crypto::Algorithm;
use tanba_types::{Event, TaxpayerId};

/// Arguments of `tanba case-verify`.
#[derive(Debug, Args)]
pub struct CaseVerifyArgs {
    /// The case's history, JSON (`-` for stdin).
    history: PathBuf,
    /// A signer's Ed25519 public key: IIN/BIN=64 hex digits (repeat for each signer and key).
    #[arg(long = "key", value_name = "IIN=HEX", required = true)]
    keys: Vec<String>,
}

/// Prints one line per signed event, `verified` true or false; status 1 if any is false.
pub fn run(args: CaseVerifyArgs) -> Result<ExitCode> {
    let mut keys: Vec<(TaxpayerId, [u8; 32])> = Vec::new();
    for key in &args.keys {
        let (id, hex) = key.split_once('=').context("--key IIN=HEX")?;
        let id: TaxpayerId = id
            .parse()
            .map_err(|_| anyhow::anyhow!("{id}: not an IIN/BIN"))?;
        let public = tanba_crypto::encoding::parse_hex::<32>(hex).context("64 hex digits")?;
        keys.push((id, public));
    }
    let text = if args.history == std::path::Path::new("-") {
        std::io::read_to_string(std::io::stdin())?
    } else {
        std::fs::read_to_string(&args.history)
            .with_context(|| format!("reading {}", args.history.display()))?
    };
    let events: Vec<Value> = serde_json::from_str(&text).context("a JSON array of events")?;
    let mut all_verified = true;
    for entry in &events {
        let event: Event = serde_json::from_str(entry["event_json"].as_str().unwrap_or_default())
            .context("an event of the case's history")?;
        let (step, opening) = match &event {
            Event::CaseOpened { opening, step } => (step, Some(opening)),
            Event::CaseStepped(step) if !step.signature.is_empty() => (step, None),
            _ => continue,
        };
        let Some(signer) = entry["actor"].as_str().and_then(|id| id.parse().ok()) else {
            bail!("event {} names no signer", entry["sequence"]);
        };
        let bytes = tanba_types::Command::Case(step.signed_command(opening))
            .document_bytes(&signer)
            .context("a signed command")?;
        let verified = keys
            .iter()
            .filter(|(id, _)| *id == signer)
            .any(|(_, public)| {
                Algorithm::Ed25519
                    .verifier_from_public(public)
                    .is_ok_and(|verifier| verifier.verify(&bytes, &step.signature).is_ok())
            });
        all_verified &= verified;
        let line = json!({
            "sequence": entry["sequence"],
            "transition": step.transition,
            "signer": signer.to_string(),
            "verified": verified,
        });
        println!("{line}");
    }
    Ok(if all_verified {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
