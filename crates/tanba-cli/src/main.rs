//! The `tanba` binary: code tools, key management, the server, benchmarks and the demo.
//!
//! Architecture invariant: this is the only place that reads the wall clock and the operating
//! system's random source for the libraries below it, and the only crate that uses `anyhow`.
//! Every subcommand is a thin shell over a library call.

mod bench_analytics;
mod bench_cases;
mod bench_cluster;
mod bench_command;
mod bench_feeds;
mod bench_replay;
mod calendar_command;
mod case_verify;
mod cases_command;
mod client_command;
mod code_command;
mod demo;
mod demo_seed;
mod demo_services;
mod feed_command;
mod keys_command;
mod output;
mod serve_command;
mod services_command;
mod snapshot_command;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tanba_types::Language;

/// The process's allocator: jemalloc, unprefixed, so RocksDB's C++ allocates from it as Rust
/// does. glibc's malloc handed back and re-faulted the pages of the short-lived buffers that
/// block reads and feed batches churn through (a quarter of a follower's time was the kernel
/// zeroing pages); BENCHMARKS.md, "Feeds", has the same code with and without it.
#[cfg(all(target_os = "linux", not(target_env = "musl")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Tanba: the national marking-code traceability engine.
///
/// Exit status: 0 success (every code valid or genuine), 1 some code invalid or not genuine,
/// 2 the command could not run (bad arguments, unreadable files).
#[derive(Debug, Parser)]
#[command(name = "tanba", version, about, long_about = None)]
struct Cli {
    /// Language for error messages: kk, ru or en.
    #[arg(long, global = true, default_value = "en", env = "TANBA_LANG")]
    lang: Language,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse, format, sign and verify marking codes.
    #[command(subcommand)]
    Code(code_command::CodeCommand),
    /// Manage the operator's key ring.
    #[command(subcommand)]
    Keys(keys_command::KeysCommand),
    /// Run the server: RocksDB in ./tanba-data (or --data), gRPC and HTTP ports.
    Serve(serve_command::ServeArgs),
    /// Seed a fresh data directory with believable data, then serve it and print what to try.
    Demo(demo::DemoArgs),
    /// Every operation of the gRPC API, signed in with a participant's key file or certificate.
    Client(Box<client_command::ClientArgs>),
    /// Run the engine's workloads on a fresh temporary data directory; one JSON line each.
    Bench(bench_command::BenchArgs),
    /// The working-day calendar of the legal terms: when a term ends.
    #[command(subcommand)]
    Calendar(calendar_command::CalendarCommand),
    /// Check a case's signed steps offline, from its history and the signers' public keys.
    CaseVerify(case_verify::CaseVerifyArgs),
    /// Feeds of the log: follow one into a file, prove a saved one complete.
    #[command(subcommand)]
    Feed(feed_command::FeedCommand),
    /// A node's snapshots: list them, restore one into a new data directory.
    #[command(subcommand)]
    Snapshot(snapshot_command::SnapshotCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Code(command) => code_command::run(command, cli.lang),
        Command::Keys(command) => keys_command::run(command),
        Command::Serve(args) => serve_command::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Bench(args) => bench_command::run(args),
        Command::Calendar(command) => calendar_command::run(command, cli.lang),
        Command::Client(args) => client_command::run(*args, cli.lang),
        Command::CaseVerify(args) => case_verify::run(args),
        Command::Feed(command) => feed_command::run(command, cli.lang),
        Command::Snapshot(command) => snapshot_command::run(command),
    };
    match result {
        Ok(code) => code,
        // The reader went away (`tanba code parse - | head`): not an error of ours.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("tanba: {error:#}");
            ExitCode::from(EXIT_USAGE_OR_IO)
        }
    }
}

/// Exit status when the command could not do its work (bad arguments, unreadable files); an
/// invalid or forged code is status 1, as `grep` reports "not found".
const EXIT_USAGE_OR_IO: u8 = 2;

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|cause| cause.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}
