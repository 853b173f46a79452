//! The `tanba` binary: code tools, key management, and (in later issues) the server and client.
//!
//! Architecture invariant: this is the only place that reads the wall clock and the operating
//! system's random source for the libraries below it, and the only crate that uses `anyhow`.
//! Every subcommand is a thin shell over a library call.

mod code_command;
mod demo;
mod keys_command;
mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tanba_types::Language;

/// Tanba: the national marking-code traceability engine.
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
    /// Run the server (not yet: the engine and server arrive in later issues).
    Serve,
    /// Issue signed codes with a throw-away key ring and verify them, including forged ones.
    Demo(demo::DemoArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Code(command) => code_command::run(command, cli.lang),
        Command::Keys(command) => keys_command::run(command),
        Command::Serve => {
            eprintln!(
                "tanba serve: not yet. The server arrives with the engine; try `tanba demo`."
            );
            Ok(ExitCode::from(2))
        }
        Command::Demo(args) => demo::run(args, cli.lang),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("tanba: {error:#}");
            ExitCode::FAILURE
        }
    }
}
