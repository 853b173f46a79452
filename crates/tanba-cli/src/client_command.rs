//! `tanba client ...`: every operation of the gRPC API from the command line, signed in with a
//! participant's key file. Answers print as JSON or as a table; bulk work (ordering and
//! downloading a million codes, aggregating from a file) shows progress on a terminal; a refusal
//! prints its stable code and message in the language chosen with `--lang`.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};
use tanba_client::{ClientError, Connection, KeyFile};
use tanba_proto::v1 as pb;
use tanba_types::{Command as EngineCommand, Language, ScannedCode, TaxpayerId};

/// Longest line read from a codes file.
const LINE_BYTES_MAX: usize = 8 * 1024;
/// How long `order` waits for a million codes to be issued (about 10 s on two cores).
const ORDER_TIMEOUT: Duration = Duration::from_secs(600);
/// Codes sent per call when a file holds more than one call may carry.
const CODES_PER_CALL: usize = 10_000;

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

/// Codes given on the command line or in a file.
#[derive(Debug, Args)]
pub struct Codes {
    /// Codes in any form (quote them: raw codes hold GS characters).
    codes: Vec<String>,
    /// A file with one code per line (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
}

impl Codes {
    fn read(&self) -> anyhow::Result<Vec<String>> {
        let mut codes = self.codes.clone();
        if let Some(path) = &self.file {
            codes.extend(read_lines(path)?);
        }
        if codes.is_empty() {
            bail!("no codes: give them as arguments or with --file");
        }
        Ok(codes)
    }
}

fn read_lines(path: &Path) -> anyhow::Result<Vec<String>> {
    let reader: Box<dyn BufRead> = if path == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?,
        ))
    };
    let mut lines = Vec::new();
    for line in reader.lines() {
        let line = line?;
        if line.len() > LINE_BYTES_MAX {
            bail!(
                "a line of {} is longer than {LINE_BYTES_MAX} bytes",
                path.display()
            );
        }
        let line = line.trim_end_matches('\r');
        if !line.trim().is_empty() {
            lines.push(line.to_owned());
        }
    }
    Ok(lines)
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Producer,
    Importer,
    Wholesaler,
    Retailer,
    FiscalDataOperator,
    Authority,
    Ministry,
    Operator,
}

impl RoleArg {
    fn wire(self) -> pb::Role {
        match self {
            RoleArg::Producer => pb::Role::Producer,
            RoleArg::Importer => pb::Role::Importer,
            RoleArg::Wholesaler => pb::Role::Wholesaler,
            RoleArg::Retailer => pb::Role::Retailer,
            RoleArg::FiscalDataOperator => pb::Role::FiscalDataOperator,
            RoleArg::Authority => pb::Role::Authority,
            RoleArg::Ministry => pb::Role::Ministry,
            RoleArg::Operator => pb::Role::Operator,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LevelArg {
    Unit,
    Group,
    Transport,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReasonArg {
    ExportToEaeu,
    ExportOutsideEaeu,
    WriteOff,
    Destruction,
    RecallDisposal,
    Confiscation,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    Counterfeit,
    SoldAfterExpiry,
    NoCode,
    Price,
    Other,
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Cases of the legal procedures: open, step, read, inbox, files, the calendar.
    Cases {
        #[command(subcommand)]
        command: crate::cases_command::CasesCommand,
    },
    /// Recalls: their holders and what became of the units.
    Recall {
        #[command(subcommand)]
        command: crate::cases_command::RecallCommand,
    },
    /// Permits for extraterritorial re-export of controlled goods (Order 355).
    Permit {
        #[command(subcommand)]
        command: crate::services_command::ProcedureCommand,
    },
    /// End-user and international import certificates (Order 309).
    Certificate {
        #[command(subcommand)]
        command: crate::services_command::ProcedureCommand,
    },
    /// Verifications of exporters registered in REX (Order 358-NK).
    Rex {
        #[command(subcommand)]
        command: crate::services_command::ProcedureCommand,
    },
    /// Reference data the state services' forms are checked against.
    Reference {
        #[command(subcommand)]
        command: crate::services_command::ReferenceCommand,
    },
    /// The monitoring body: the stages of every state service.
    Monitoring {
        #[command(subcommand)]
        command: crate::services_command::MonitoringCommand,
    },
    /// Make a participant key file (0600) and print its public key, for registration.
    NewKey {
        /// The participant's IIN/BIN.
        #[arg(long)]
        participant: TaxpayerId,
        /// Where to write it; never replaced.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Operator: register a participant.
    RegisterParticipant {
        /// IIN/BIN.
        #[arg(long)]
        id: TaxpayerId,
        /// Registered name.
        #[arg(long)]
        name: String,
        /// A role (repeat for several).
        #[arg(long = "role", value_enum, required = true)]
        roles: Vec<RoleArg>,
        /// An Ed25519 public key, 64 hex digits (repeat for several).
        #[arg(long = "public-key-hex")]
        public_keys: Vec<String>,
    },
    /// Operator: suspend a participant (every operation refused until reinstated).
    Suspend {
        /// IIN/BIN.
        id: TaxpayerId,
    },
    /// Operator: reinstate a suspended participant.
    Reinstate {
        /// IIN/BIN.
        id: TaxpayerId,
    },
    /// A participant's registration (yourself, or anyone for a supervising role).
    Participant {
        /// IIN/BIN.
        id: TaxpayerId,
    },
    /// Operator: define a product category.
    DefineCategory {
        /// A short stable code (`water`).
        #[arg(long)]
        code: String,
        /// Name in Kazakh.
        #[arg(long)]
        kk: String,
        /// Name in Russian.
        #[arg(long)]
        ru: String,
        /// Name in English.
        #[arg(long, default_value = "")]
        en: String,
        /// 0 for full tails (AI 91/92), else the short tail's length (4-8, AI 93).
        #[arg(long, default_value_t = 0)]
        short_tail: u32,
        /// Days after a sale within which a consumer's return is taken (0: none).
        #[arg(long, default_value_t = 14)]
        return_days: u32,
        /// The control-list code of controlled goods (`ML3`): exported only under a permit.
        #[arg(long, default_value = "")]
        control_list_code: String,
    },
    /// Operator: register a fiscal data operator as serving a seller.
    AssignFiscalOperator {
        /// The fiscal data operator's BIN.
        #[arg(long)]
        operator: TaxpayerId,
        /// The seller's IIN/BIN.
        #[arg(long)]
        seller: TaxpayerId,
        /// The first day, YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// The last day, YYYY-MM-DD (none: until changed).
        #[arg(long, default_value = "")]
        until: String,
    },
    /// The sellers a fiscal data operator is registered to serve.
    FiscalAgencies {
        /// The fiscal data operator's BIN (yourself when not given).
        #[arg(long)]
        operator: Option<TaxpayerId>,
    },
    /// Producer or importer: register a product card.
    RegisterProduct {
        /// GTIN.
        #[arg(long)]
        gtin: String,
        /// Trade name in Kazakh.
        #[arg(long)]
        kk: String,
        /// Trade name in Russian.
        #[arg(long)]
        ru: String,
        /// Trade name in English.
        #[arg(long, default_value = "")]
        en: String,
        /// The maker's name as printed.
        #[arg(long)]
        producer_name: String,
        /// The producer's IIN/BIN (goods made in Kazakhstan).
        #[arg(long)]
        producer: Option<TaxpayerId>,
        /// The importer's IIN/BIN (imported goods).
        #[arg(long)]
        importer: Option<TaxpayerId>,
        /// Country of origin (ISO 3166-1 alpha-2).
        #[arg(long)]
        country: String,
        /// EAEU HS code, 10 digits.
        #[arg(long)]
        hs_code: String,
        /// Category code.
        #[arg(long)]
        category: String,
        /// Packaging level.
        #[arg(long, value_enum, default_value = "unit")]
        level: LevelArg,
        /// Shelf life in days.
        #[arg(long)]
        shelf_life_days: Option<u32>,
    },
    /// A product card.
    Product {
        /// GTIN.
        gtin: String,
    },
    /// Producer or importer: order codes, wait for them, and download them to a file.
    Order {
        /// GTIN.
        #[arg(long)]
        gtin: String,
        /// How many (at most 1,000,000).
        #[arg(long)]
        quantity: u32,
        /// Where to write the codes, one raw code per line.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Your emission orders.
    Orders,
    /// Download an order's codes to a file, one raw code per line.
    Download {
        /// The order.
        order: u64,
        /// Where.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// The codes are printed and on the goods.
    Applied {
        /// Production date, YYYY-MM-DD.
        #[arg(long)]
        production_date: String,
        /// Expiry date (computed from the shelf life when not given).
        #[arg(long, default_value = "")]
        expiry_date: String,
        /// Production batch.
        #[arg(long, default_value = "")]
        batch: String,
        #[command(flatten)]
        codes: Codes,
    },
    /// Bring goods into circulation: own production unless --import or --eaeu-country.
    Introduce {
        /// Imported: the customs declaration number.
        #[arg(long)]
        import: Option<String>,
        /// Received from an EAEU state: its ISO code (with --eaeu-document).
        #[arg(long, requires = "eaeu_document")]
        eaeu_country: Option<String>,
        /// The sender's document number.
        #[arg(long)]
        eaeu_document: Option<String>,
        #[command(flatten)]
        codes: Codes,
    },
    /// Put codes into a package (an SSCC not yet known is created).
    Aggregate {
        /// The package.
        #[arg(long)]
        parent: String,
        #[command(flatten)]
        codes: Codes,
    },
    /// Aggregate in bulk from a file of `PARENT CHILD` lines (whitespace between).
    AggregateFile {
        /// The file (`-` for stdin).
        file: PathBuf,
    },
    /// Take codes out of their packages.
    Disaggregate {
        #[command(flatten)]
        codes: Codes,
    },
    /// Take codes out of circulation.
    Withdraw {
        /// Why.
        #[arg(long, value_enum)]
        reason: ReasonArg,
        /// The paper behind it.
        #[arg(long, default_value = "")]
        document: String,
        /// Controlled goods exported outside the EAEU: the permit's number (`PER-2026-000001`).
        #[arg(long, default_value = "", requires = "end_user")]
        permit: String,
        /// With a permit: the end user, as the permit names it.
        #[arg(long, default_value = "")]
        end_user: String,
        #[command(flatten)]
        codes: Codes,
    },
    /// Authority: block codes.
    Block {
        /// Why, as the public will read it.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        codes: Codes,
    },
    /// Authority: lift your block.
    Unblock {
        #[command(flatten)]
        codes: Codes,
    },
    /// A code's card.
    Card {
        /// The code.
        code: String,
    },
    /// Everything inside a package.
    Content {
        /// The package.
        package: String,
    },
    /// A code's history.
    History {
        /// The code.
        code: String,
        /// After this log sequence.
        #[arg(long, default_value_t = 0)]
        after: u64,
        /// At most this many events.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Ship codes and packages to a buyer (signed with your key).
    Ship {
        /// The buyer's IIN/BIN.
        #[arg(long)]
        buyer: TaxpayerId,
        #[command(flatten)]
        codes: Codes,
    },
    /// Accept a shipment (signed): everything, or the items given.
    Accept {
        /// The document id.
        document: u64,
        /// Only these items.
        items: Vec<String>,
    },
    /// Refuse a shipment (signed).
    Reject {
        /// The document id.
        document: u64,
    },
    /// Call back a shipment the buyer has not answered (signed).
    Cancel {
        /// The document id.
        document: u64,
    },
    /// One document.
    Document {
        /// The document id.
        document: u64,
    },
    /// Your documents.
    Documents,
    /// Till: check codes before sale.
    TillCheck {
        /// The seller (a fiscal data operator checks for a seller).
        #[arg(long)]
        seller: Option<TaxpayerId>,
        #[command(flatten)]
        codes: Codes,
    },
    /// Till: a sales receipt; lines are CODE=PRICE_TIYN.
    Receipt {
        /// The receipt id.
        #[arg(long)]
        id: String,
        /// The seller (a fiscal data operator sends for a seller).
        #[arg(long)]
        seller: Option<TaxpayerId>,
        /// Lines: CODE=PRICE_TIYN.
        #[arg(required = true)]
        lines: Vec<String>,
    },
    /// Till: a return receipt for goods of one sale.
    Return {
        /// The return receipt's id.
        #[arg(long)]
        id: String,
        /// The id of the sales receipt the goods were sold on.
        #[arg(long)]
        sale: String,
        /// The seller (a fiscal data operator sends for a seller).
        #[arg(long)]
        seller: Option<TaxpayerId>,
        #[command(flatten)]
        codes: Codes,
    },
    /// Anyone: is this code genuine?
    Check {
        /// The code in any form, or a Digital Link URL.
        code: String,
    },
    /// Anyone: report a violation.
    Report {
        /// What kind.
        #[arg(long, value_enum)]
        kind: KindArg,
        /// The code concerned.
        #[arg(long, default_value = "")]
        code: String,
        /// A comment.
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// Authority or operator: the audit trail.
    Audit {
        /// Only this participant's calls.
        #[arg(long, default_value = "")]
        participant: String,
        /// Only calls that named this code.
        #[arg(long, default_value = "")]
        code: String,
        /// From this time (unix ms).
        #[arg(long, default_value_t = 0)]
        from_ms: u64,
        /// Before this time (unix ms; 0: no end).
        #[arg(long, default_value_t = 0)]
        until_ms: u64,
        /// At most this many.
        #[arg(long, default_value_t = 1000)]
        limit: u32,
    },
    /// Authority or operator: violation reports from the public.
    Reports {
        /// Only about this code.
        #[arg(long, default_value = "")]
        code: String,
    },
}

fn progress(length: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(length);
    bar.set_style(
        ProgressStyle::with_template("{msg:12} [{bar:40}] {pos}/{len} {per_sec} eta {eta}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.set_message(what.to_owned());
    bar
}

fn receipt(receipt: Option<pb::Receipt>) -> Value {
    serde_json::to_value(receipt).unwrap_or(Value::Null)
}

pub fn run(args: ClientArgs, language: Language) -> anyhow::Result<ExitCode> {
    if let ClientCommand::NewKey { participant, out } = &args.command {
        let key = KeyFile::generate(*participant);
        key.write(out)?;
        print(
            args.format,
            &json!({
                "participant": participant.to_string(),
                "public_key_hex": key.public_key_hex,
                "key_file": out.display().to_string(),
            }),
        )?;
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
        match execute(&connection, args.command).await {
            Ok(answer) => {
                print(args.format, &answer)?;
                Ok(ExitCode::SUCCESS)
            }
            Err(error) => {
                // A refusal prints as the server said it, code first, in the language asked.
                let refusal = match error.downcast_ref::<tonic::Status>() {
                    Some(status) => Some(ClientError::from(status.clone())),
                    None => error
                        .downcast_ref::<ClientError>()
                        .filter(|error| error.code().is_some())
                        .cloned(),
                };
                match refusal {
                    Some(refusal) => {
                        eprintln!("{refusal}");
                        Ok(ExitCode::from(1))
                    }
                    None => Err(error),
                }
            }
        }
    })
}

async fn execute(connection: &Connection, command: ClientCommand) -> anyhow::Result<Value> {
    let me = || connection.participant().context("this needs --key");
    let answer = match command {
        ClientCommand::NewKey { .. } => unreachable!("handled before connecting"),
        ClientCommand::Cases { command } => {
            crate::cases_command::cases(connection, command).await?
        }
        ClientCommand::Recall { command } => {
            crate::cases_command::recall(connection, command).await?
        }
        ClientCommand::Permit { command } => {
            use crate::services_command::{Procedure, procedure};
            procedure(connection, Procedure::Permit, command).await?
        }
        ClientCommand::Certificate { command } => {
            use crate::services_command::{Procedure, procedure};
            procedure(connection, Procedure::Certificate, command).await?
        }
        ClientCommand::Rex { command } => {
            use crate::services_command::{Procedure, procedure};
            procedure(connection, Procedure::Rex, command).await?
        }
        ClientCommand::Reference { command } => {
            crate::services_command::reference(connection, command).await?
        }
        ClientCommand::Monitoring { command } => {
            crate::services_command::monitoring(connection, command).await?
        }
        ClientCommand::RegisterParticipant {
            id,
            name,
            roles,
            public_keys,
        } => {
            let keys = public_keys
                .iter()
                .map(|hex| {
                    Ok(pb::ParticipantKey {
                        algorithm: "ed25519".into(),
                        public_key: tanba_crypto::encoding::parse_hex::<32>(hex)
                            .context("a public key is 64 hex digits")?
                            .to_vec(),
                    })
                })
                .collect::<anyhow::Result<_>>()?;
            let participant = pb::Participant {
                id: id.to_string(),
                name,
                roles: roles.iter().map(|role| role.wire() as i32).collect(),
                keys,
                suspended: false,
            };
            let request = pb::RegisterParticipantRequest {
                participant: Some(participant),
            };
            receipt(
                connection
                    .registry()
                    .register_participant(request)
                    .await?
                    .into_inner()
                    .receipt,
            )
        }
        ClientCommand::Suspend { id } | ClientCommand::Reinstate { id } => {
            let suspend = matches!(command, ClientCommand::Suspend { .. });
            let request = pb::GetParticipantRequest { id: id.to_string() };
            let mut participant = connection
                .registry()
                .get_participant(request)
                .await?
                .into_inner()
                .participant
                .context("no participant")?;
            participant.suspended = suspend;
            let request = pb::UpdateParticipantRequest {
                participant: Some(participant),
            };
            receipt(
                connection
                    .registry()
                    .update_participant(request)
                    .await?
                    .into_inner()
                    .receipt,
            )
        }
        ClientCommand::Participant { id } => {
            let request = pb::GetParticipantRequest { id: id.to_string() };
            serde_json::to_value(
                connection
                    .registry()
                    .get_participant(request)
                    .await?
                    .into_inner()
                    .participant,
            )?
        }
        ClientCommand::DefineCategory {
            code,
            kk,
            ru,
            en,
            short_tail,
            return_days,
            control_list_code,
        } => {
            let category = pb::Category {
                code,
                names: Some(pb::Names { kk, ru, en }),
                short_tail_length: short_tail,
                return_period_days: return_days,
                control_list_code,
            };
            let request = pb::DefineCategoryRequest {
                category: Some(category),
            };
            receipt(
                connection
                    .registry()
                    .define_category(request)
                    .await?
                    .into_inner()
                    .receipt,
            )
        }
        ClientCommand::AssignFiscalOperator {
            operator,
            seller,
            from,
            until,
        } => {
            let request = pb::AssignFiscalOperatorRequest {
                agency: Some(pb::FiscalAgency {
                    operator: operator.to_string(),
                    seller: seller.to_string(),
                    valid_from: from,
                    valid_until: until,
                }),
            };
            receipt(
                connection
                    .registry()
                    .assign_fiscal_operator(request)
                    .await?
                    .into_inner()
                    .receipt,
            )
        }
        ClientCommand::FiscalAgencies { operator } => {
            let operator = match operator {
                Some(operator) => operator.to_string(),
                None => me()?.to_string(),
            };
            let request = pb::ListFiscalAgenciesRequest { operator };
            serde_json::to_value(
                connection
                    .registry()
                    .list_fiscal_agencies(request)
                    .await?
                    .into_inner(),
            )?
        }
        ClientCommand::RegisterProduct {
            gtin,
            kk,
            ru,
            en,
            producer_name,
            producer,
            importer,
            country,
            hs_code,
            category,
            level,
            shelf_life_days,
        } => {
            let product = pb::Product {
                gtin,
                names: Some(pb::Names { kk, ru, en }),
                producer_name,
                producer: producer.map(|id| id.to_string()).unwrap_or_default(),
                importer: importer.map(|id| id.to_string()).unwrap_or_default(),
                country,
                hs_code,
                category,
                level: match level {
                    LevelArg::Unit => pb::PackageLevel::Unit,
                    LevelArg::Group => pb::PackageLevel::Group,
                    LevelArg::Transport => pb::PackageLevel::Transport,
                } as i32,
                shelf_life_days: shelf_life_days.unwrap_or(0),
            };
            let request = pb::RegisterProductRequest {
                product: Some(product),
            };
            receipt(
                connection
                    .registry()
                    .register_product(request)
                    .await?
                    .into_inner()
                    .receipt,
            )
        }
        ClientCommand::Product { gtin } => {
            let request = pb::GetProductRequest { gtin };
            serde_json::to_value(
                connection
                    .registry()
                    .get_product(request)
                    .await?
                    .into_inner()
                    .product,
            )?
        }
        ClientCommand::Order {
            gtin,
            quantity,
            out,
        } => {
            // The GTIN goes as given, for the server to judge.
            let request = pb::OrderCodesRequest { gtin, quantity };
            let order = connection
                .emission()
                .order_codes(request)
                .await?
                .into_inner()
                .order;
            let bar = progress(u64::from(quantity), "issuing");
            connection
                .wait_issued(order, ORDER_TIMEOUT, |issued| {
                    bar.set_position(u64::from(issued));
                })
                .await?;
            bar.finish();
            let written = download(connection, order, &out).await?;
            json!({ "order": order, "codes": written, "file": out.display().to_string() })
        }
        ClientCommand::Orders => {
            let request = pb::ListOrdersRequest { page: None };
            serde_json::to_value(
                connection
                    .emission()
                    .list_orders(request)
                    .await?
                    .into_inner()
                    .orders,
            )?
        }
        ClientCommand::Download { order, out } => {
            let written = download(connection, order, &out).await?;
            json!({ "order": order, "codes": written, "file": out.display().to_string() })
        }
        ClientCommand::Applied {
            production_date,
            expiry_date,
            batch,
            codes,
        } => {
            let mut last = None;
            for chunk in codes.read()?.chunks(CODES_PER_CALL) {
                let request = pb::ReportAppliedRequest {
                    codes: chunk.to_vec(),
                    production_date: production_date.clone(),
                    expiry_date: expiry_date.clone(),
                    batch: batch.clone(),
                };
                last = connection
                    .codes()
                    .report_applied(request)
                    .await?
                    .into_inner()
                    .receipt;
            }
            receipt(last)
        }
        ClientCommand::Introduce {
            import,
            eaeu_country,
            eaeu_document,
            codes,
        } => {
            let how = match (import, eaeu_country) {
                (Some(customs_declaration), _) => pb::introduce_request::How::Import(pb::Import {
                    customs_declaration,
                }),
                (None, Some(from_country)) => {
                    pb::introduce_request::How::EaeuReceipt(pb::EaeuReceipt {
                        from_country,
                        document_number: eaeu_document.unwrap_or_default(),
                    })
                }
                (None, None) => pb::introduce_request::How::OwnProduction(pb::OwnProduction {}),
            };
            let mut last = None;
            for chunk in codes.read()?.chunks(CODES_PER_CALL) {
                let request = pb::IntroduceRequest {
                    codes: chunk.to_vec(),
                    how: Some(how.clone()),
                };
                last = connection
                    .codes()
                    .introduce(request)
                    .await?
                    .into_inner()
                    .receipt;
            }
            receipt(last)
        }
        ClientCommand::Aggregate { parent, codes } => {
            let request = pb::AggregateRequest {
                parent,
                children: codes.read()?,
            };
            receipt(
                connection
                    .codes()
                    .aggregate(request)
                    .await?
                    .into_inner()
                    .receipt,
            )
        }
        ClientCommand::AggregateFile { file } => {
            // Parents in the order first seen, each with its children.
            let mut packages: Vec<(String, Vec<String>)> = Vec::new();
            let mut position: BTreeMap<String, usize> = BTreeMap::new();
            for line in read_lines(&file)? {
                let mut fields = line.split_whitespace();
                let (Some(parent), Some(child), None) =
                    (fields.next(), fields.next(), fields.next())
                else {
                    bail!("not a PARENT CHILD line: {line:?}");
                };
                let index = *position.entry(parent.to_owned()).or_insert_with(|| {
                    packages.push((parent.to_owned(), Vec::new()));
                    packages.len() - 1
                });
                packages[index].1.push(child.to_owned());
            }
            let bar = progress(packages.len() as u64, "packages");
            let mut children = 0;
            for (parent, members) in packages.iter() {
                children += members.len();
                let request = pb::AggregateRequest {
                    parent: parent.clone(),
                    children: members.clone(),
                };
                connection.codes().aggregate(request).await?;
                bar.inc(1);
            }
            bar.finish();
            json!({ "packages": packages.len(), "children": children })
        }
        ClientCommand::Disaggregate { codes } => {
            let request = pb::DisaggregateRequest {
                codes: codes.read()?,
            };
            receipt(
                connection
                    .codes()
                    .disaggregate(request)
                    .await?
                    .into_inner()
                    .receipt,
            )
        }
        ClientCommand::Withdraw {
            reason,
            document,
            permit,
            end_user,
            codes,
        } => {
            let reason = match reason {
                ReasonArg::ExportToEaeu => pb::WithdrawalReason::ExportToEaeu,
                ReasonArg::ExportOutsideEaeu => pb::WithdrawalReason::ExportOutsideEaeu,
                ReasonArg::WriteOff => pb::WithdrawalReason::WriteOff,
                ReasonArg::Destruction => pb::WithdrawalReason::Destruction,
                ReasonArg::RecallDisposal => pb::WithdrawalReason::RecallDisposal,
                ReasonArg::Confiscation => pb::WithdrawalReason::Confiscation,
            };
            let request = pb::WithdrawRequest {
                codes: codes.read()?,
                reason: reason as i32,
                document,
                permit,
                end_user,
            };
            receipt(
                connection
                    .codes()
                    .withdraw(request)
                    .await?
                    .into_inner()
                    .receipt,
            )
        }
        ClientCommand::Block { reason, codes } => {
            let request = pb::BlockRequest {
                codes: codes.read()?,
                reason,
            };
            receipt(
                connection
                    .codes()
                    .block(request)
                    .await?
                    .into_inner()
                    .receipt,
            )
        }
        ClientCommand::Unblock { codes } => {
            let request = pb::UnblockRequest {
                codes: codes.read()?,
            };
            receipt(
                connection
                    .codes()
                    .unblock(request)
                    .await?
                    .into_inner()
                    .receipt,
            )
        }
        ClientCommand::Card { code } => {
            let request = pb::GetCodeCardRequest { code };
            serde_json::to_value(
                connection
                    .codes()
                    .get_code_card(request)
                    .await?
                    .into_inner()
                    .card,
            )?
        }
        ClientCommand::Content { package } => {
            let request = pb::GetPackageContentRequest { package };
            let mut stream = connection
                .codes()
                .get_package_content(request)
                .await?
                .into_inner();
            let mut entries = Vec::new();
            while let Some(page) = stream.message().await? {
                entries.extend(page.entries);
            }
            serde_json::to_value(entries)?
        }
        ClientCommand::History { code, after, limit } => {
            let request = pb::GetHistoryRequest {
                code,
                page: Some(pb::Page { after, limit }),
            };
            serde_json::to_value(
                connection
                    .codes()
                    .get_history(request)
                    .await?
                    .into_inner()
                    .events,
            )?
        }
        ClientCommand::Ship { buyer, codes } => {
            let document = connection.ship(buyer, codes.read()?).await?;
            json!({ "document": document })
        }
        ClientCommand::Accept { document, items } => {
            let keys = items
                .iter()
                .map(|item| ScannedCode::read(item).map(|s| s.key))
                .collect::<Result<Vec<_>, _>>()?;
            let command = EngineCommand::Accept {
                document,
                items: (!keys.is_empty()).then_some(keys),
                signature: Vec::new(),
            };
            let request = pb::AcceptRequest {
                document,
                items,
                signature: connection.sign_document(&command),
            };
            receipt(
                connection
                    .documents()
                    .accept(request)
                    .await?
                    .into_inner()
                    .receipt,
            )
        }
        ClientCommand::Reject { document } => {
            let signature = connection.sign_document(&EngineCommand::Reject {
                document,
                signature: Vec::new(),
            });
            let request = pb::RejectRequest {
                document,
                signature,
            };
            receipt(
                connection
                    .documents()
                    .reject(request)
                    .await?
                    .into_inner()
                    .receipt,
            )
        }
        ClientCommand::Cancel { document } => {
            let signature = connection.sign_document(&EngineCommand::CancelShipment {
                document,
                signature: Vec::new(),
            });
            let request = pb::CancelRequest {
                document,
                signature,
            };
            receipt(
                connection
                    .documents()
                    .cancel(request)
                    .await?
                    .into_inner()
                    .receipt,
            )
        }
        ClientCommand::Document { document } => {
            let request = pb::GetDocumentRequest { document };
            serde_json::to_value(
                connection
                    .documents()
                    .get_document(request)
                    .await?
                    .into_inner()
                    .document,
            )?
        }
        ClientCommand::Documents => {
            let request = pb::ListDocumentsRequest { page: None };
            serde_json::to_value(
                connection
                    .documents()
                    .list_documents(request)
                    .await?
                    .into_inner()
                    .documents,
            )?
        }
        ClientCommand::TillCheck { seller, codes } => {
            let request = pb::CheckBeforeSaleRequest {
                seller: seller.map(|id| id.to_string()).unwrap_or_default(),
                codes: codes.read()?,
            };
            serde_json::to_value(
                connection
                    .retail()
                    .check_before_sale(request)
                    .await?
                    .into_inner()
                    .checks,
            )?
        }
        ClientCommand::Receipt { id, seller, lines } => {
            let lines = lines
                .iter()
                .map(|line| {
                    let (code, price) =
                        line.rsplit_once('=').context("a line is CODE=PRICE_TIYN")?;
                    Ok(pb::ReceiptLine {
                        code: code.to_owned(),
                        price_tiyn: price.parse().context("a price in tiyn")?,
                    })
                })
                .collect::<anyhow::Result<_>>()?;
            let request = pb::SubmitReceiptRequest {
                receipt_id: id,
                seller: seller
                    .map(|id| id.to_string())
                    .unwrap_or_else(|| me().map(|id| id.to_string()).unwrap_or_default()),
                time_ms: crate::output::now_ms(),
                lines,
            };
            serde_json::to_value(
                connection
                    .retail()
                    .submit_receipt(request)
                    .await?
                    .into_inner(),
            )?
        }
        ClientCommand::Return {
            id,
            sale,
            seller,
            codes,
        } => {
            let request = pb::SubmitReturnRequest {
                receipt_id: id,
                sale_receipt_id: sale,
                seller: seller.map(|id| id.to_string()).unwrap_or_default(),
                codes: codes.read()?,
            };
            serde_json::to_value(
                connection
                    .retail()
                    .submit_return(request)
                    .await?
                    .into_inner(),
            )?
        }
        ClientCommand::Check { code } => {
            let request = pb::CheckRequest { code, language: 0 };
            serde_json::to_value(connection.public().check(request).await?.into_inner())?
        }
        ClientCommand::Report {
            kind,
            code,
            comment,
        } => {
            let kind = match kind {
                KindArg::Counterfeit => pb::ViolationKind::Counterfeit,
                KindArg::SoldAfterExpiry => pb::ViolationKind::SoldAfterExpiry,
                KindArg::NoCode => pb::ViolationKind::NoCode,
                KindArg::Price => pb::ViolationKind::Price,
                KindArg::Other => pb::ViolationKind::Other,
            };
            let request = pb::ReportViolationRequest {
                code,
                kind: kind as i32,
                comment,
                ..Default::default()
            };
            serde_json::to_value(
                connection
                    .public()
                    .report_violation(request)
                    .await?
                    .into_inner(),
            )?
        }
        ClientCommand::Audit {
            participant,
            code,
            from_ms,
            until_ms,
            limit,
        } => {
            let request = pb::QueryAuditRequest {
                participant,
                code,
                from_ms,
                until_ms,
                page: Some(pb::Page { after: 0, limit }),
            };
            serde_json::to_value(connection.audit_records(request).await?)?
        }
        ClientCommand::Reports { code } => {
            let request = pb::ListViolationReportsRequest { code, page: None };
            serde_json::to_value(
                connection
                    .audit()
                    .list_violation_reports(request)
                    .await?
                    .into_inner()
                    .reports,
            )?
        }
    };
    Ok(answer)
}

/// Streams an order's codes into a file, one raw code per line; returns how many.
async fn download(connection: &Connection, order: u64, out: &Path) -> anyhow::Result<u64> {
    let state = connection
        .emission()
        .get_order(pb::GetOrderRequest { order })
        .await?
        .into_inner()
        .order
        .context("the order")?;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(out)
        .with_context(|| format!("creating {} (never replaced)", out.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    let bar = progress(u64::from(state.issued), "downloading");
    let mut written = 0;
    connection
        .download(order, |page| {
            for code in page {
                writer.write_all(code.raw.as_bytes())?;
                writer.write_all(b"\n")?;
                written += 1;
            }
            bar.set_position(written);
            Ok(())
        })
        .await?;
    writer.flush()?;
    writer.get_ref().sync_all()?;
    bar.finish();
    Ok(written)
}

/// Prints an answer as JSON or as a table.
fn print(format: Format, answer: &Value) -> anyhow::Result<()> {
    let text = match format {
        Format::Json => serde_json::to_string_pretty(answer)?,
        Format::Table => table(answer),
    };
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}")?;
    Ok(())
}

/// A cell: text as is, anything else as compact JSON; control characters (GS in raw codes)
/// shown as `\u{1d}`-style escapes so columns stay aligned.
fn cell(value: &Value) -> String {
    let text = match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    text.chars()
        .map(|c| {
            if c.is_control() {
                format!("\\x{:02x}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Renders JSON as a table: an array of objects (or an object holding one) as rows and
/// columns, any other object as field and value.
fn table(answer: &Value) -> String {
    let rows: Option<&Vec<Value>> = match answer {
        Value::Array(rows) => Some(rows),
        Value::Object(fields) => {
            let arrays: Vec<&Vec<Value>> = fields
                .values()
                .filter_map(|value| value.as_array())
                .filter(|rows| rows.iter().all(Value::is_object) && !rows.is_empty())
                .collect();
            (fields.len() == 1 && arrays.len() == 1).then(|| arrays[0])
        }
        _ => None,
    };
    let grid: Vec<Vec<String>> = match rows {
        Some(rows) if rows.iter().all(Value::is_object) => {
            let mut columns: Vec<String> = Vec::new();
            for row in rows {
                for key in row.as_object().expect("objects").keys() {
                    if !columns.contains(key) {
                        columns.push(key.clone());
                    }
                }
            }
            let mut grid = vec![columns.iter().map(|c| c.to_uppercase()).collect::<Vec<_>>()];
            for row in rows {
                grid.push(
                    columns
                        .iter()
                        .map(|column| cell(&row[column.as_str()]))
                        .collect(),
                );
            }
            grid
        }
        Some(rows) => rows.iter().map(|value| vec![cell(value)]).collect(),
        None => match answer {
            Value::Object(fields) => fields
                .iter()
                .map(|(key, value)| vec![key.clone(), cell(value)])
                .collect(),
            other => vec![vec![cell(other)]],
        },
    };
    let widths: Vec<usize> = (0..grid.iter().map(Vec::len).max().unwrap_or(0))
        .map(|column| {
            grid.iter()
                .filter_map(|row| row.get(column))
                .map(|text| text.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    grid.iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(column, text)| format!("{text:width$}", width = widths[column]))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_rows_of_objects_and_show_fields_of_one() {
        let rows = json!({ "checks": [{ "code": "a\u{1d}b", "sellable": true }, { "code": "cc", "sellable": false }] });
        assert_eq!(
            table(&rows),
            "CODE    SELLABLE\na\\x1db  true\ncc      false"
        );
        assert_eq!(
            table(&json!({ "order": 7, "file": "x" })),
            "file   x\norder  7"
        );
    }
}
