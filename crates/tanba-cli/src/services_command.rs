//! `tanba client permit|certificate|rex|reference|monitoring ...`: the state services from the
//! command line. Each procedure lists its steps (from its definition's own tables), writes a
//! complete sample application to start from, applies, and takes steps; forms come as flags
//! (`--field`, `--row`, as for `tanba client cases`) or as a JSON file of the same values:
//!
//! ```text
//! { "channel": "text:portal", "quantity": "decimal:1000", "bodies": ["text:NSC"],
//!   "documents": [{ "kind": "text:contract", "file": "text:contract.txt" }] }
//! ```
//!
//! Each procedure adds its own: a permit's use by exports, a certificate found by number, the
//! REX verification's origin evidence built and attached in one command.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Subcommand;
use serde_json::{Map, Value, json};
use tanba_cases::Definition;
use tanba_cases::service::SampleFile;
use tanba_client::Connection;
use tanba_types::{CaseCommand, DocumentNumber, FieldValue, Form, Scalar, TaxpayerId};

use crate::cases_command::{self, FormArgs, Opening};
use crate::client_command::Refused;

/// What every procedure offers.
#[derive(Debug, Subcommand)]
pub enum ProcedureCommand {
    /// Its steps: each transition, the states it leaves and reaches, who takes it, its fields.
    Steps,
    /// Write a complete sample application (`application.json`) and its files into a
    /// directory, and print the command that applies with them.
    Sample {
        /// Where to write.
        #[arg(long)]
        dir: PathBuf,
        /// The applicant (the sample names it in the form).
        #[arg(long)]
        applicant: TaxpayerId,
        /// Certificates: the end user who co-signs; REX: the exporter.
        #[arg(long)]
        other: Option<TaxpayerId>,
    },
    /// Apply (permit, certificate) or register a request (REX): open a case.
    Apply {
        /// The provider's (the authority's) IIN/BIN.
        #[arg(long)]
        authority: TaxpayerId,
        /// A party the case names: a certificate's co-signers, REX's authorized organization.
        #[arg(long = "named")]
        named: Vec<TaxpayerId>,
        /// The case it belongs to: the certificate a new one replaces.
        #[arg(long)]
        parent: Option<u64>,
        #[command(flatten)]
        form: FormArgs,
    },
    /// Take a step of a case (`tanba client <procedure> steps` lists them).
    Step {
        /// The case.
        case: u64,
        /// The step.
        transition: String,
        #[command(flatten)]
        form: FormArgs,
    },
    /// File a complaint about a case (permit, certificate): addressed to the provider, or to
    /// the quality-control authority named with `--named`.
    Complain {
        /// The case complained about.
        case: u64,
        /// The provider's IIN/BIN.
        #[arg(long)]
        authority: TaxpayerId,
        /// The quality-control authority, when the complaint is addressed to it.
        #[arg(long = "named")]
        named: Vec<TaxpayerId>,
        #[command(flatten)]
        form: FormArgs,
    },
    /// A permit's export authorization and the withdrawals that used it (permits), or the case
    /// that gave a certificate's number (certificates).
    Number {
        /// The number (`PER-2026-000001`, `EUC-2026-000001`).
        number: String,
    },
    /// REX: build the exporter's origin evidence from its goods in Tanba and attach it to the
    /// verification, in one command.
    Evidence {
        /// The verification case.
        case: u64,
        /// What the evidence shows, for the case's history.
        #[arg(
            long,
            default_value = "the exporter's products, production and exports in Tanba"
        )]
        note: String,
    },
}

/// Reference data.
#[derive(Debug, Subcommand)]
pub enum ReferenceCommand {
    /// Operator: publish the next version of a reference set (its TOML document).
    Publish {
        /// The document.
        file: PathBuf,
    },
    /// A reference set's version in force, or a given one.
    Get {
        /// providers, hs_codes, control_list, currencies, countries, units.
        set: String,
        /// The version (the one in force when absent).
        #[arg(long, default_value_t = 0)]
        version: u32,
    },
}

/// The monitoring body's view.
#[derive(Debug, Subcommand)]
pub enum MonitoringCommand {
    /// The stages of every state service, in log order.
    Stages {
        /// Continue after this log sequence.
        #[arg(long, default_value_t = 0)]
        after: u64,
    },
}

/// The procedures, by their command's name.
#[derive(Debug, Clone, Copy)]
pub enum Procedure {
    /// `tanba client permit`.
    Permit,
    /// `tanba client certificate`.
    Certificate,
    /// `tanba client rex`.
    Rex,
}

impl Procedure {
    fn definition(self) -> &'static dyn Definition {
        match self {
            Procedure::Permit => &tanba_permit::Permit,
            Procedure::Certificate => &tanba_certificate::Certificate,
            Procedure::Rex => &tanba_rex::Rex,
        }
    }

    fn opening(self) -> &'static str {
        match self {
            Procedure::Rex => "register_request",
            Procedure::Permit | Procedure::Certificate => "apply",
        }
    }

    fn files(self) -> &'static [SampleFile] {
        match self {
            Procedure::Permit => tanba_permit::sample::FILES,
            Procedure::Certificate => tanba_certificate::sample::FILES,
            Procedure::Rex => tanba_rex::sample::FILES,
        }
    }
}

/// Runs a procedure's command.
pub async fn procedure(
    connection: &Connection,
    procedure: Procedure,
    command: ProcedureCommand,
) -> anyhow::Result<Value> {
    let definition = procedure.definition();
    Ok(match command {
        ProcedureCommand::Steps => steps(definition),
        ProcedureCommand::Sample {
            dir,
            applicant,
            other,
        } => sample(procedure, &dir, applicant, other)?,
        ProcedureCommand::Apply {
            authority,
            named,
            parent,
            form,
        } => {
            let opening = Opening {
                kind: definition.kind().into(),
                transition: procedure.opening().into(),
                authority: Some(authority),
                parent,
                named,
            };
            cases_command::open(connection, opening, &form).await?
        }
        ProcedureCommand::Step {
            case,
            transition,
            form,
        } => cases_command::step(connection, case, transition, &form).await?,
        ProcedureCommand::Complain {
            case,
            authority,
            named,
            form,
        } => {
            let kind = match procedure {
                Procedure::Permit => tanba_permit::COMPLAINT.kind,
                Procedure::Certificate => tanba_certificate::COMPLAINT.kind,
                Procedure::Rex => bail!("the REX verification has no complaint"),
            };
            let opening = Opening {
                kind: kind.into(),
                transition: "file".into(),
                authority: Some(authority),
                parent: Some(case),
                named,
            };
            cases_command::open(connection, opening, &form).await?
        }
        ProcedureCommand::Number { number } => document(connection, procedure, number).await?,
        ProcedureCommand::Evidence { case, note } => {
            if !matches!(procedure, Procedure::Rex) {
                bail!("origin evidence is the REX verification's");
            }
            evidence(connection, case, note).await?
        }
    })
}

/// The steps of a definition, from its tables.
fn steps(definition: &dyn Definition) -> Value {
    let transitions: Vec<Value> = definition
        .transitions()
        .iter()
        .map(|transition| {
            let fields: Vec<Value> = transition
                .fields
                .iter()
                .map(|field| {
                    json!({
                        "name": field.name,
                        "kind": format!("{:?}", field.kind),
                        "shape": format!("{:?}", field.shape),
                        "required": field.required,
                    })
                })
                .collect();
            json!({
                "transition": transition.name,
                "from": transition.from,
                "to": transition.to,
                "by": transition.by.iter().map(|role| format!("{role:?}")).collect::<Vec<_>>(),
                "clause": transition.clause,
                "fields": fields,
            })
        })
        .collect();
    json!({
        "kind": definition.kind(),
        "text_version": definition.text_version(),
        "transitions": transitions,
    })
}

/// Writes a procedure's sample application and files into `dir`.
fn sample(
    procedure: Procedure,
    dir: &Path,
    applicant: TaxpayerId,
    other: Option<TaxpayerId>,
) -> anyhow::Result<Value> {
    let today = tanba_types::Date::from_unix_ms_in_kz(crate::output::now_ms());
    let form = match procedure {
        Procedure::Permit => tanba_permit::sample::application(applicant, today),
        Procedure::Certificate => {
            let end_user = other.context("--other names the end user")?;
            tanba_certificate::sample::application(applicant, end_user, &["euc", "iic"], today)
        }
        Procedure::Rex => {
            let exporter = other.context("--other names the exporter")?;
            tanba_rex::sample::request(
                exporter,
                "Steppe Wool LLP",
                crate::output::now_ms() - 3_600_000,
            )
        }
    };
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let application = dir.join("application.json");
    std::fs::write(&application, format!("{:#}\n", form_to_json(&form)))?;
    let mut flags = vec![format!("--form {}", application.display())];
    for file in procedure.files() {
        let path = dir.join(file.name);
        std::fs::write(&path, file.text)?;
        flags.push(match file.translation_of {
            Some(original) => format!(
                "--translation {}:text/plain:{}@{original}",
                path.display(),
                file.language
            ),
            None => format!("--attach {}:text/plain:{}", path.display(), file.language),
        });
    }
    Ok(json!({ "application": application, "flags": flags.join(" ") }))
}

/// A form as the JSON file `--form` reads: each value `KIND:VALUE`, lists as arrays, rows as
/// arrays of objects.
pub fn form_to_json(form: &Form) -> Value {
    let scalar = |value: &Scalar| -> Value {
        Value::String(match value {
            Scalar::Text(text) => format!("text:{text}"),
            Scalar::Integer(number) => format!("int:{number}"),
            Scalar::Decimal(number) => format!("decimal:{number}"),
            Scalar::Date(day) => format!("date:{day}"),
            Scalar::Moment(ms) => format!("moment:{ms}"),
            Scalar::Flag(flag) => format!("flag:{flag}"),
            Scalar::Taxpayer(id) => format!("taxpayer:{id}"),
            Scalar::Code(code) => format!("code:{code}"),
        })
    };
    let mut object = Map::new();
    for (name, value) in form {
        let value = match value {
            FieldValue::One(one) => scalar(one),
            FieldValue::List(values) => Value::Array(values.iter().map(scalar).collect()),
            FieldValue::Rows(rows) => Value::Array(
                rows.iter()
                    .map(|row| {
                        Value::Object(
                            row.iter()
                                .map(|(column, value)| (column.clone(), scalar(value)))
                                .collect(),
                        )
                    })
                    .collect(),
            ),
        };
        object.insert(name.clone(), value);
    }
    Value::Object(object)
}

/// A permit's use, or the case that gave a certificate's number.
async fn document(
    connection: &Connection,
    procedure: Procedure,
    number: String,
) -> anyhow::Result<Value> {
    // Refused as the server refuses a number that is not one (`tanba client` prints it).
    let number = DocumentNumber::parse(&number).ok_or_else(|| Refused::invalid("number"))?;
    Ok(match procedure {
        Procedure::Permit => serde_json::to_value(connection.permit_usage(&number).await?)?,
        Procedure::Certificate | Procedure::Rex => {
            serde_json::to_value(connection.find_document(&number).await?)?
        }
    })
}

/// Builds the REX evidence on the server (uploaded as the caller's), then attaches it with the
/// caller's signed step.
async fn evidence(connection: &Connection, case: u64, note: String) -> anyhow::Result<Value> {
    let built = connection.build_origin_evidence(case).await?;
    let form: Form = [(
        "evidence_note".to_owned(),
        FieldValue::One(Scalar::Text(note)),
    )]
    .into_iter()
    .collect();
    let receipt = connection
        .step_case(CaseCommand::Step {
            case,
            transition: "attach_evidence".into(),
            form,
            attachments: vec![built.attachment],
            signature: Vec::new(),
        })
        .await?;
    Ok(json!({
        "products": built.products,
        "orders": built.orders,
        "shipments": built.shipments,
        "exports": built.exports,
        "receipt": receipt,
    }))
}

/// Runs a `reference` command.
pub async fn reference(
    connection: &Connection,
    command: ReferenceCommand,
) -> anyhow::Result<Value> {
    Ok(match command {
        ReferenceCommand::Publish { file } => {
            let toml = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            serde_json::to_value(connection.publish_reference(toml).await?)?
        }
        ReferenceCommand::Get { set, version } => {
            let version = (version != 0).then_some(version);
            serde_json::to_value(connection.get_reference(&set, version).await?)?
        }
    })
}

/// Runs a `monitoring` command.
pub async fn monitoring(
    connection: &Connection,
    command: MonitoringCommand,
) -> anyhow::Result<Value> {
    Ok(match command {
        MonitoringCommand::Stages { after } => {
            serde_json::to_value(connection.list_stages(after).await?)?
        }
    })
}
