//! `tanba feed`: follow a feed into a file (resuming where the file ends), and prove a saved
//! feed complete against the operator's public keys.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use tanba_client::feeds::{FeedProof, verify_saved};
use tanba_client::{Connection, KeyFile};
use tanba_crypto::PublicKeySet;
use tanba_proto::feed::FeedLine;
use tanba_proto::v1 as pb;
use tanba_types::{Language, localize};

#[derive(Debug, Subcommand)]
pub enum FeedCommand {
    /// Follow a feed (tax, customs, eaeu, stages, goods, registry, cases, all), one JSON item
    /// per line, to --out (appending, and resuming after the file's last entry) or stdout.
    Tail(TailArgs),
    /// Prove a saved feed complete: no entry altered, dropped, reordered or left out, up to the
    /// last signed checkpoint. Exit status 1 if it does not verify.
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub struct TailArgs {
    /// The feed.
    kind: String,
    /// The server's gRPC address (`https://host:port` for TLS).
    #[arg(long, env = "TANBA_SERVER", default_value = "127.0.0.1:50051")]
    server: String,
    /// For `https://`: trust the certificates in this PEM file.
    #[arg(long, env = "TANBA_CA_FILE", value_name = "FILE")]
    ca_file: Option<PathBuf>,
    /// The participant's key file.
    #[arg(long, env = "TANBA_KEY", value_name = "FILE")]
    key: PathBuf,
    /// Append to this file, resuming after its last entry (a torn last line is cut off).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// The cursor to start after (default: where --out ends, or 0).
    #[arg(long)]
    after: Option<u64>,
    /// Stop after the entry at this sequence (default: follow for ever).
    #[arg(long)]
    until: Option<u64>,
    /// Leave out entries outside the feed entirely (no proof of completeness).
    #[arg(long)]
    without_proof: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The saved feed (one JSON item per line).
    file: PathBuf,
    /// Which feed it is.
    #[arg(long)]
    kind: String,
    /// The operator's public keys (`tanba keys export-public`).
    #[arg(long, value_name = "FILE")]
    keys: PathBuf,
}

pub fn run(command: FeedCommand, language: Language) -> anyhow::Result<ExitCode> {
    match command {
        FeedCommand::Tail(args) => tail(args, language),
        FeedCommand::Verify(args) => verify(args, language),
    }
}

fn verify(args: VerifyArgs, language: Language) -> anyhow::Result<ExitCode> {
    let keys = std::fs::read_to_string(&args.keys)
        .with_context(|| format!("reading {}", args.keys.display()))?;
    let keys = PublicKeySet::from_json(&keys).context("reading the operator's public keys")?;
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?;
    match verify_saved(keys, &args.kind, &text) {
        Ok(proof) => {
            println!("{}", proven(&proof));
            Ok(if proof.checkpoint.is_some() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Err(error) => {
            println!("{}", localize(&error, language));
            Ok(ExitCode::from(1))
        }
    }
}

/// What a proof says, in a sentence.
fn proven(proof: &FeedProof) -> String {
    match &proof.checkpoint {
        Some(checkpoint) => format!(
            "verified: entries 1..={} of the log walked ({} in the feed); proven up to the signed \
             checkpoint at {} (key {}, signed at {} ms); {} after it not yet signed for",
            proof.position,
            proof.included,
            checkpoint.sequence,
            checkpoint.key_id,
            checkpoint.time_ms,
            proof.uncovered()
        ),
        None => format!(
            "not proven: entries 1..={} walked ({} in the feed), but no signed checkpoint among them",
            proof.position, proof.included
        ),
    }
}

/// Reads where a saved feed ends (its last entry or heartbeat position), cutting off a torn
/// last line (a tail killed mid-write).
fn resume_position(path: &Path) -> anyhow::Result<u64> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(0);
    };
    let whole = match text.rfind('\n') {
        Some(end) => end + 1,
        None => 0,
    };
    if whole < text.len() {
        let file = std::fs::OpenOptions::new().write(true).open(path)?;
        file.set_len(whole as u64)?;
    }
    let mut position = 0;
    for line in text[..whole].lines().filter(|line| !line.trim().is_empty()) {
        let line: FeedLine = serde_json::from_str(line)
            .with_context(|| format!("{} holds a line that is not a feed item", path.display()))?;
        position = match line {
            FeedLine::Entry(entry) => entry.sequence,
            FeedLine::Heartbeat(heartbeat) => heartbeat.position.max(position),
            FeedLine::Checkpoint(_) => position,
        };
    }
    Ok(position)
}

fn tail(args: TailArgs, language: Language) -> anyhow::Result<ExitCode> {
    let after = match (&args.after, &args.out) {
        (Some(after), _) => *after,
        (None, Some(path)) => resume_position(path)?,
        (None, None) => 0,
    };
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .with_context(|| format!("opening {}", path.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut connection = Connection::connect_trusting(&args.server, args.ca_file.as_deref())
            .await?
            .with_language(language);
        connection.sign_in(&KeyFile::read(&args.key)?).await?;
        let request = pb::FollowFeedRequest {
            kind: args.kind.clone(),
            after,
            until: args.until.unwrap_or(0),
            without_proof: args.without_proof,
        };
        let mut stream = match connection.follow_feed(request).await {
            Ok(stream) => stream,
            Err(error) => return crate::client_command::refused(error.into(), language),
        };
        while let Some(batch) = stream.message().await? {
            let mut text = Vec::new();
            tanba_proto::feed::write_lines(&batch.items, &mut text);
            // One write per batch: a kill leaves at most one torn line, cut off on resume.
            out.write_all(&text)?;
            out.flush()?;
        }
        Ok(ExitCode::SUCCESS)
    })
}
