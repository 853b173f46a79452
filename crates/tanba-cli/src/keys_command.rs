//! `tanba keys ...`: the operator's key ring (generate, list, rotate, revoke, export-public).

use std::{path::PathBuf, process::ExitCode};

use anyhow::{Context, bail};
use clap::Subcommand;
use serde_json::json;
use tanba_crypto::{KeyId, KeyRing, create_key_ring, load_key_ring, save_key_ring};

use crate::output::{now_ms, say};

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a new key ring file (mode 0600) with one signing key and one short-tag key.
    Generate {
        /// Where to write the ring; refuses to overwrite.
        #[arg(long, value_name = "FILE", env = "TANBA_KEYS")]
        keys: PathBuf,
    },
    /// List the keys in a ring (ids, statuses, creation times; never secrets).
    List {
        /// The key ring file.
        #[arg(long, value_name = "FILE", env = "TANBA_KEYS")]
        keys: PathBuf,
    },
    /// Make a new active signing key (and short-tag key); old keys keep verifying.
    Rotate {
        /// The key ring file.
        #[arg(long, value_name = "FILE", env = "TANBA_KEYS")]
        keys: PathBuf,
    },
    /// Revoke a retired key: codes signed with it stop verifying.
    Revoke {
        /// The key ring file.
        #[arg(long, value_name = "FILE", env = "TANBA_KEYS")]
        keys: PathBuf,
        /// The key id (4 characters).
        key_id: String,
    },
    /// Print the public key set (JSON) that phones and tills pin.
    ExportPublic {
        /// The key ring file.
        #[arg(long, value_name = "FILE", env = "TANBA_KEYS")]
        keys: PathBuf,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

pub fn run(command: KeysCommand) -> anyhow::Result<ExitCode> {
    let mut rng = rand_core::OsRng;
    match command {
        KeysCommand::Generate { keys } => {
            if keys.exists() {
                bail!(
                    "{} exists; refusing to overwrite a key ring",
                    keys.display()
                );
            }
            let ring = KeyRing::generate(now_ms(), &mut rng);
            // Refuses atomically too, should another process create the file meanwhile.
            create_key_ring(&ring, &keys)
                .with_context(|| format!("creating the key ring {}", keys.display()))?;
            say!(
                "created {} with signing key {}",
                keys.display(),
                ring.active_signing_key().key_id()
            );
        }
        KeysCommand::List { keys } => {
            let ring = load(&keys)?;
            let signing: Vec<_> = ring
                .signing_keys()
                .iter()
                .map(|key| {
                    json!({
                        "key_id": key.key_id().to_string(),
                        "kind": "signing",
                        "algorithm": format!("{:?}", key.algorithm()).to_lowercase(),
                        "status": format!("{:?}", key.status()).to_lowercase(),
                        "created_at_ms": key.created_at_ms(),
                    })
                })
                .collect();
            let short: Vec<_> = ring
                .short_tag_keys()
                .iter()
                .map(|key| {
                    json!({
                        "key_id": key.key_id().to_string(),
                        "kind": "short-tag",
                        "status": format!("{:?}", key.status()).to_lowercase(),
                        "created_at_ms": key.created_at_ms(),
                    })
                })
                .collect();
            let all: Vec<_> = signing.into_iter().chain(short).collect();
            say!("{}", serde_json::to_string_pretty(&all)?);
        }
        KeysCommand::Rotate { keys } => {
            let mut ring = load(&keys)?;
            let now = now_ms();
            ring.rotate(now, &mut rng)
                .context("rotating the signing key")?;
            ring.rotate_short_tag_key(now, &mut rng)
                .context("rotating the short-tag key")?;
            save(&ring, &keys)?;
            say!(
                "new active signing key {}",
                ring.active_signing_key().key_id()
            );
        }
        KeysCommand::Revoke { keys, key_id } => {
            let mut ring = load(&keys)?;
            let key_id: KeyId = key_id.parse().context("a key id is 4 characters A-Z0-9")?;
            ring.revoke(&key_id).context("revoking")?;
            save(&ring, &keys)?;
            say!("revoked {key_id}");
        }
        KeysCommand::ExportPublic { keys, out } => {
            let json = load(&keys)?.public_key_set().to_json();
            match out {
                Some(path) => std::fs::write(&path, json + "\n")
                    .with_context(|| format!("writing {}", path.display()))?,
                None => say!("{json}"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn load(path: &std::path::Path) -> anyhow::Result<KeyRing> {
    load_key_ring(path).with_context(|| format!("loading the key ring {}", path.display()))
}

fn save(ring: &KeyRing, path: &std::path::Path) -> anyhow::Result<()> {
    save_key_ring(ring, path).with_context(|| format!("saving the key ring {}", path.display()))
}
