//! `tanba client ...`: every operation of the gRPC API from the command line, signed in with a
//! participant's key file or a certificate of an accredited centre. Answers print as JSON or as a table; bulk work (ordering and
//! downloading a million codes, aggregating from a file) shows progress on a terminal; a refusal
//! prints its stable code and message in the language chosen with `--lang`.
//!
//! Each command is a struct of its flags with a `run` over `tanba_client`'s operations, in a
//! module per area of the API (`registry`, `emission`, `codes`, `documents`, `retail`,
//! `public`); this file holds what they share: where to connect, the list of commands, and the
//! dispatch from one to its `run`.

mod codes;
mod documents;
mod emission;
mod exports;
mod input;
mod public;
mod registry;
mod retail;
mod statistics;
mod table;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::Value;
use tanba_client::{ClientError, Connection, KeyFile};
use tanba_crypto::cms::CertificateSigner;
use tanba_types::Language;

pub use self::input::Refused;
use crate::{cases_command, services_command};

/// Where, as whom, and how to print.
#[derive(Debug, Args)]
pub struct ClientArgs {
    /// The server's gRPC address (`https://host:port` for TLS).
    #[arg(long, env = "TANBA_SERVER", default_value = "127.0.0.1:50051")]
    server: String,
    /// For `https://`: trust the certificates in this PEM file (a private CA, a self-signed
    /// server) instead of the system's root certificates.
    #[arg(long, env = "TANBA_CA_FILE", value_name = "FILE")]
    ca_file: Option<PathBuf>,
    /// The participant's key file (see `tanba client new-key`; the demo writes them to DIR/keys).
    #[arg(long, env = "TANBA_KEY", value_name = "FILE")]
    key: Option<PathBuf>,
    /// Instead of a key file: sign in, and sign documents and decisions, with a certificate of
    /// an accredited centre. Its chain, PEM, the holder's certificate first. Documents need the
    /// centre's signing certificate (non-repudiation); an authentication one only signs in.
    #[arg(
        long,
        env = "TANBA_CERTIFICATE",
        value_name = "FILE",
        requires = "certificate_key",
        conflicts_with = "key"
    )]
    certificate: Option<PathBuf>,
    /// The certificate's private key: PKCS#8 PEM (`PRIVATE KEY`), RSA or ECDSA P-256.
    #[arg(
        long,
        env = "TANBA_CERTIFICATE_KEY",
        value_name = "FILE",
        requires = "certificate"
    )]
    certificate_key: Option<PathBuf>,
    /// How answers print.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    #[command(subcommand)]
    command: ClientCommand,
}

/// Output format.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// JSON, one document per answer.
    Json,
    /// Aligned columns.
    Table,
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Cases of the legal procedures: open, step, read, inbox, files, the calendar.
    Cases {
        #[command(subcommand)]
        command: cases_command::CasesCommand,
    },
    /// Recalls: their holders and what became of the units.
    Recall {
        #[command(subcommand)]
        command: cases_command::RecallCommand,
    },
    /// Permits for extraterritorial re-export of controlled goods (Order 355).
    Permit {
        #[command(subcommand)]
        command: services_command::ProcedureCommand,
    },
    /// End-user and international import certificates (Order 309).
    Certificate {
        #[command(subcommand)]
        command: services_command::ProcedureCommand,
    },
    /// Verifications of exporters registered in REX (Order 358-NK).
    Rex {
        #[command(subcommand)]
        command: services_command::ProcedureCommand,
    },
    /// Reference data the state services' forms are checked against.
    Reference {
        #[command(subcommand)]
        command: services_command::ReferenceCommand,
    },
    /// The monitoring body: the stages of every state service.
    Monitoring {
        #[command(subcommand)]
        command: services_command::MonitoringCommand,
    },
    /// Make a participant key file (0600) and print its public key, for registration.
    NewKey(registry::NewKey),
    /// Operator: register a participant.
    RegisterParticipant(registry::RegisterParticipant),
    /// Operator: suspend a participant (every operation refused until reinstated).
    Suspend(registry::Participant),
    /// Operator: reinstate a suspended participant.
    Reinstate(registry::Participant),
    /// A participant's registration (yourself, or anyone for a supervising role).
    Participant(registry::Participant),
    /// Operator: define a product category.
    DefineCategory(registry::DefineCategory),
    /// Operator: register a fiscal data operator as serving a seller.
    AssignFiscalOperator(registry::AssignFiscalOperator),
    /// The sellers a fiscal data operator is registered to serve.
    FiscalAgencies(registry::FiscalAgencies),
    /// Producer or importer: register a product card.
    RegisterProduct(registry::RegisterProduct),
    /// A product card.
    Product(registry::Product),
    /// Producer or importer: order codes, wait for them, and download them to a file.
    Order(emission::Order),
    /// Your emission orders.
    Orders,
    /// Download an order's codes to a file, one raw code per line.
    Download(emission::Download),
    /// The codes are printed and on the goods.
    Applied(codes::Applied),
    /// Bring goods into circulation: own production unless --import or --eaeu-country.
    Introduce(codes::Introduce),
    /// Put codes into a package (an SSCC not yet known is created).
    Aggregate(codes::Aggregate),
    /// Aggregate in bulk from a file of `PARENT CHILD` lines (whitespace between).
    AggregateFile(codes::AggregateFile),
    /// Take codes out of their packages.
    Disaggregate(codes::Disaggregate),
    /// Take codes out of circulation.
    Withdraw(codes::Withdraw),
    /// Authority: block codes.
    Block(codes::Block),
    /// Authority: lift your block.
    Unblock(codes::Unblock),
    /// A code's card.
    Card(codes::Card),
    /// Everything inside a package.
    Content(codes::Content),
    /// A code's history.
    History(codes::History),
    /// Ship codes and packages to a buyer (signed with your key).
    Ship(documents::Ship),
    /// Accept a shipment (signed): everything, or the items given.
    Accept(documents::Accept),
    /// Refuse a shipment (signed).
    Reject(documents::Document),
    /// Call back a shipment the buyer has not answered (signed).
    Cancel(documents::Document),
    /// One document.
    Document(documents::Document),
    /// Your documents.
    Documents,
    /// Till: check codes before sale.
    TillCheck(retail::TillCheck),
    /// Till: a sales receipt; lines are CODE=PRICE_TIYN.
    Receipt(retail::Receipt),
    /// Till: a return receipt for goods of one sale.
    Return(retail::Return),
    /// Anyone: is this code genuine?
    Check(public::Check),
    /// Anyone: report a violation.
    Report(public::Report),
    /// Authority or operator: the audit trail.
    Audit(public::Audit),
    /// Authority or operator: violation reports from the public.
    Reports(public::Reports),
    /// Stock now and flows by day and product: yours, or any owner's for a supervising role.
    Stats(statistics::Stats),
    /// A ministry or the operator: data exports for analytical systems, as Parquet files.
    Export {
        #[command(subcommand)]
        command: exports::ExportCommand,
    },
}

pub fn run(args: ClientArgs, language: Language) -> anyhow::Result<ExitCode> {
    if let ClientCommand::NewKey(new_key) = &args.command {
        table::print(args.format, &new_key.run()?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut connection = Connection::connect_trusting(&args.server, args.ca_file.as_deref())
            .await?
            .with_language(language);
        if let Some(path) = &args.key {
            let key = KeyFile::read(path)?;
            connection.sign_in(&key).await?;
        }
        if let (Some(chain), Some(key)) = (&args.certificate, &args.certificate_key) {
            let signer = CertificateSigner::from_pem(&std::fs::read(chain)?, &std::fs::read(key)?)?;
            connection.sign_in_with_certificate(signer).await?;
        }
        match execute(&connection, args.command).await {
            Ok(answer) => {
                table::print(args.format, &answer)?;
                Ok(ExitCode::SUCCESS)
            }
            Err(error) => refused(error, language),
        }
    })
}

/// A refusal prints as the server said it (or would have: [`Refused`]), code first, in the
/// language asked, and exits 1; any other error is the command's failure to run.
pub fn refused(error: anyhow::Error, language: Language) -> anyhow::Result<ExitCode> {
    let refusal = if let Some(refused) = error.downcast_ref::<Refused>() {
        Some(refused.0.localize(language))
    } else if let Some(status) = error.downcast_ref::<tonic::Status>() {
        Some(ClientError::from(status.clone()).to_string())
    } else {
        error
            .downcast_ref::<ClientError>()
            .filter(|error| error.code().is_some())
            .map(ClientError::to_string)
    };
    match refusal {
        Some(refusal) => {
            eprintln!("{refusal}");
            Ok(ExitCode::from(1))
        }
        None => Err(error),
    }
}

/// Runs one command; its answer is what prints.
async fn execute(connection: &Connection, command: ClientCommand) -> anyhow::Result<Value> {
    use services_command::Procedure;
    match command {
        ClientCommand::NewKey(_) => unreachable!("handled before connecting"),
        ClientCommand::Cases { command } => cases_command::cases(connection, command).await,
        ClientCommand::Recall { command } => cases_command::recall(connection, command).await,
        ClientCommand::Permit { command } => {
            services_command::procedure(connection, Procedure::Permit, command).await
        }
        ClientCommand::Certificate { command } => {
            services_command::procedure(connection, Procedure::Certificate, command).await
        }
        ClientCommand::Rex { command } => {
            services_command::procedure(connection, Procedure::Rex, command).await
        }
        ClientCommand::Reference { command } => {
            services_command::reference(connection, command).await
        }
        ClientCommand::Monitoring { command } => {
            services_command::monitoring(connection, command).await
        }
        ClientCommand::RegisterParticipant(command) => command.run(connection).await,
        ClientCommand::Suspend(command) => command.set_suspended(connection, true).await,
        ClientCommand::Reinstate(command) => command.set_suspended(connection, false).await,
        ClientCommand::Participant(command) => command.run(connection).await,
        ClientCommand::DefineCategory(command) => command.run(connection).await,
        ClientCommand::AssignFiscalOperator(command) => command.run(connection).await,
        ClientCommand::FiscalAgencies(command) => command.run(connection).await,
        ClientCommand::RegisterProduct(command) => command.run(connection).await,
        ClientCommand::Product(command) => command.run(connection).await,
        ClientCommand::Order(command) => command.run(connection).await,
        ClientCommand::Orders => emission::orders(connection).await,
        ClientCommand::Download(command) => command.run(connection).await,
        ClientCommand::Applied(command) => command.run(connection).await,
        ClientCommand::Introduce(command) => command.run(connection).await,
        ClientCommand::Aggregate(command) => command.run(connection).await,
        ClientCommand::AggregateFile(command) => command.run(connection).await,
        ClientCommand::Disaggregate(command) => command.run(connection).await,
        ClientCommand::Withdraw(command) => command.run(connection).await,
        ClientCommand::Block(command) => command.run(connection).await,
        ClientCommand::Unblock(command) => command.run(connection).await,
        ClientCommand::Card(command) => command.run(connection).await,
        ClientCommand::Content(command) => command.run(connection).await,
        ClientCommand::History(command) => command.run(connection).await,
        ClientCommand::Ship(command) => command.run(connection).await,
        ClientCommand::Accept(command) => command.run(connection).await,
        ClientCommand::Reject(command) => command.reject(connection).await,
        ClientCommand::Cancel(command) => command.cancel(connection).await,
        ClientCommand::Document(command) => command.run(connection).await,
        ClientCommand::Documents => documents::list(connection).await,
        ClientCommand::TillCheck(command) => command.run(connection).await,
        ClientCommand::Receipt(command) => command.run(connection).await,
        ClientCommand::Return(command) => command.run(connection).await,
        ClientCommand::Check(command) => command.run(connection).await,
        ClientCommand::Report(command) => command.run(connection).await,
        ClientCommand::Audit(command) => command.run(connection).await,
        ClientCommand::Reports(command) => command.run(connection).await,
        ClientCommand::Stats(command) => command.run(connection).await,
        ClientCommand::Export { command } => exports::run(connection, command).await,
    }
}
