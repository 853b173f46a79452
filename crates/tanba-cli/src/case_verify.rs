//! `tanba case-verify`: checks, offline, the signatures on a case's openings and steps (a
//! decision, a report, a refusal) against the signers' public keys. The input is the case's
//! history as `tanba client --format json cases history N` prints it; nothing else is needed,
//! no server, no store: the signed text is rebuilt from each event as the signer built it.
//!
//! A step signed with a certificate (a detached CMS) carries the certificate: it verifies when
//! the signature is the certificate's over the rebuilt text and the certificate names the
//! signer; with `--roots`, its chain must also reach one of those roots at the step's time.
//! Whether the centre had revoked it was checked by the server when the step was taken.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use serde_json::{Value, json};
use tanba_crypto::Algorithm;
use tanba_crypto::x509::{self, TrustRoots};
use tanba_types::{Event, TaxpayerId};

/// Arguments of `tanba case-verify`.
#[derive(Debug, Args)]
pub struct CaseVerifyArgs {
    /// The case's history, JSON (`-` for stdin).
    history: PathBuf,
    /// A signer's Ed25519 public key: IIN/BIN=64 hex digits (repeat for each signer and key).
    #[arg(long = "key", value_name = "IIN=HEX")]
    keys: Vec<String>,
    /// Roots (PEM) the certificates of steps signed with a certificate must chain to.
    #[arg(long, value_name = "FILE")]
    roots: Option<PathBuf>,
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
    let roots = match &args.roots {
        Some(path) => Some(TrustRoots::from_pem(
            &std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
        )?),
        None => None,
    };
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
        let verified = if tanba_crypto::cms::is_cms(&step.signature) {
            let at_ms = entry["time_ms"]
                .as_u64()
                .or_else(|| entry["time_ms"].as_str()?.parse().ok())
                .unwrap_or_default();
            certificate_signed(&step.signature, &bytes, &signer, roots.as_ref(), at_ms)
        } else {
            keys.iter()
                .filter(|(id, _)| *id == signer)
                .any(|(_, public)| {
                    Algorithm::Ed25519
                        .verifier_from_public(public)
                        .is_ok_and(|verifier| verifier.verify(&bytes, &step.signature).is_ok())
                })
        };
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

/// Whether a CMS signature is `signer`'s certificate's over `bytes` (and, given roots, the
/// certificate chains to one of them at `at_ms`).
fn certificate_signed(
    signature: &[u8],
    bytes: &[u8],
    signer: &TaxpayerId,
    roots: Option<&TrustRoots>,
    at_ms: u64,
) -> bool {
    let Ok(opened) = tanba_crypto::cms::open(signature) else {
        return false;
    };
    let names_signer = opened
        .verify(bytes)
        .is_ok_and(|named| named == signer.to_string());
    names_signer
        && roots.is_none_or(|roots| x509::check_chain(opened.chain(), roots, at_ms).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tanba_crypto::x509_test_pki::{TestCa, TestKey, TestUsage, TestValidity};

    #[test]
    fn r_is_16_a_step_signed_with_a_certificate_verifies_offline_for_its_signer_only() {
        const AT_S: i64 = 1_796_000_000;
        let valid = TestValidity::around(AT_S, 30);
        let root = TestCa::root("Root", TestKey::EcdsaP256, valid);
        let holder = root.holder(
            "870412300416",
            None,
            TestKey::EcdsaP256,
            valid,
            TestUsage::Documents,
            3,
        );
        let bytes = b"tanba-document-v1\nkind: case-step\n";
        let chain = [holder.der.clone()];
        let signature =
            tanba_crypto::cms::sign_detached(bytes, &chain, |message| Ok(holder.sign(message)))
                .unwrap();
        let signer: TaxpayerId = "870412300416".parse().unwrap();
        let roots = TrustRoots::from_pem(root.pem.as_bytes()).unwrap();
        let at_ms = AT_S as u64 * 1000;
        assert!(certificate_signed(&signature, bytes, &signer, None, at_ms));
        assert!(certificate_signed(
            &signature,
            bytes,
            &signer,
            Some(&roots),
            at_ms
        ));
        // Another signer, other bytes, a time outside the certificate, other roots.
        let other: TaxpayerId = "900101300126".parse().unwrap();
        assert!(!certificate_signed(&signature, bytes, &other, None, at_ms));
        assert!(!certificate_signed(
            &signature, b"other", &signer, None, at_ms
        ));
        let late_ms = (AT_S as u64 + 400 * 86_400) * 1000;
        assert!(!certificate_signed(
            &signature,
            bytes,
            &signer,
            Some(&roots),
            late_ms
        ));
        let elsewhere = TestCa::root("Elsewhere", TestKey::EcdsaP256, valid);
        let other_roots = TrustRoots::from_pem(elsewhere.pem.as_bytes()).unwrap();
        assert!(!certificate_signed(
            &signature,
            bytes,
            &signer,
            Some(&other_roots),
            at_ms
        ));
    }
}
