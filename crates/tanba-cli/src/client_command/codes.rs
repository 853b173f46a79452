//! `tanba client` commands of a code's life after emission: applied, introduced, packed and
//! unpacked (one package, or many from a file), withdrawn, blocked; and the reads of one code.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, ValueEnum};
use serde_json::{Value, json};
use tanba_client::Connection;
use tanba_types::{Date, DocumentNumber, ExportUse, Introduction, WithdrawalReason};

use super::input::{
    Codes, Refused, field, optional_field, optional_text, progress, read_lines, receipt,
};

/// Codes sent per call when a file holds more than one call may carry.
const CODES_PER_CALL: usize = 10_000;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReasonArg {
    ExportToEaeu,
    ExportOutsideEaeu,
    WriteOff,
    Destruction,
    RecallDisposal,
    Confiscation,
}

/// `applied`.
#[derive(Debug, Args)]
pub struct Applied {
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
}

impl Applied {
    /// Reports the codes in calls of at most [`CODES_PER_CALL`]; answers the last receipt.
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        let codes = self.codes.read()?;
        let applied = tanba_client::Applied {
            production_date: field::<Date>("production_date", &self.production_date)?,
            expiry_date: optional_field("expiry_date", &self.expiry_date)?,
            batch: optional_text(&self.batch),
        };
        let mut last = Value::Null;
        for chunk in codes.chunks(CODES_PER_CALL) {
            last = receipt(connection.report_applied(chunk.to_vec(), &applied).await?)?;
        }
        Ok(last)
    }
}

/// `introduce`.
#[derive(Debug, Args)]
pub struct Introduce {
    /// Imported: the customs declaration number.
    #[arg(long)]
    import: Option<String>,
    /// Received from an EAEU state: its ISO code (with --eaeu-document, --eaeu-seller and
    /// --eaeu-date).
    #[arg(long, requires_all = ["eaeu_document", "eaeu_seller", "eaeu_date"])]
    eaeu_country: Option<String>,
    /// The sender's document number.
    #[arg(long)]
    eaeu_document: Option<String>,
    /// The seller's taxpayer number in its state.
    #[arg(long)]
    eaeu_seller: Option<String>,
    /// The sender's document date, YYYY-MM-DD.
    #[arg(long)]
    eaeu_date: Option<String>,
    #[command(flatten)]
    codes: Codes,
}

impl Introduce {
    /// Introduces the codes in calls of at most [`CODES_PER_CALL`]; answers the last receipt.
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        let introduction = match (self.import, self.eaeu_country) {
            (Some(customs_declaration), _) => Introduction::Import {
                customs_declaration,
            },
            (None, Some(from_country)) => Introduction::EaeuReceipt {
                from_country,
                document_number: self.eaeu_document.unwrap_or_default(),
                seller_taxpayer: self.eaeu_seller,
                document_date: match self.eaeu_date {
                    Some(text) => Some(text.parse().map_err(|_| Refused::invalid("eaeu_date"))?),
                    None => None,
                },
            },
            (None, None) => Introduction::OwnProduction,
        };
        let mut last = Value::Null;
        for chunk in self.codes.read()?.chunks(CODES_PER_CALL) {
            last = receipt(connection.introduce(chunk.to_vec(), &introduction).await?)?;
        }
        Ok(last)
    }
}

/// `aggregate`.
#[derive(Debug, Args)]
pub struct Aggregate {
    /// The package.
    #[arg(long)]
    parent: String,
    #[command(flatten)]
    codes: Codes,
}

impl Aggregate {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        receipt(
            connection
                .aggregate(&self.parent, self.codes.read()?)
                .await?,
        )
    }
}

/// `aggregate-file`.
#[derive(Debug, Args)]
pub struct AggregateFile {
    /// The file (`-` for stdin).
    file: PathBuf,
}

impl AggregateFile {
    /// One call per package, in the order the file first names each.
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        let packages = self.packages()?;
        let bar = progress(packages.len() as u64, "packages");
        let mut children = 0;
        for (parent, members) in &packages {
            children += members.len();
            connection.aggregate(parent, members.clone()).await?;
            bar.inc(1);
        }
        bar.finish();
        Ok(json!({ "packages": packages.len(), "children": children }))
    }

    /// The file's `PARENT CHILD` lines as packages in the order first seen, each with its
    /// children.
    fn packages(&self) -> anyhow::Result<Vec<(String, Vec<String>)>> {
        let mut packages: Vec<(String, Vec<String>)> = Vec::new();
        let mut position: BTreeMap<String, usize> = BTreeMap::new();
        for line in read_lines(&self.file)? {
            let mut fields = line.split_whitespace();
            let (Some(parent), Some(child), None) = (fields.next(), fields.next(), fields.next())
            else {
                bail!("not a PARENT CHILD line: {line:?}");
            };
            let index = *position.entry(parent.to_owned()).or_insert_with(|| {
                packages.push((parent.to_owned(), Vec::new()));
                packages.len() - 1
            });
            packages[index].1.push(child.to_owned());
        }
        Ok(packages)
    }
}

/// `disaggregate`.
#[derive(Debug, Args)]
pub struct Disaggregate {
    #[command(flatten)]
    codes: Codes,
}

impl Disaggregate {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        receipt(connection.disaggregate(self.codes.read()?).await?)
    }
}

/// `withdraw`.
#[derive(Debug, Args)]
pub struct Withdraw {
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
    /// Sold or shipped to a buyer in another EAEU state: the cross-border document.
    #[command(flatten)]
    eaeu: EaeuArgs,
    #[command(flatten)]
    codes: Codes,
}

impl Withdraw {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        let reason = match self.reason {
            ReasonArg::ExportToEaeu => WithdrawalReason::ExportToEaeu,
            ReasonArg::ExportOutsideEaeu => WithdrawalReason::ExportOutsideEaeu,
            ReasonArg::WriteOff => WithdrawalReason::WriteOff,
            ReasonArg::Destruction => WithdrawalReason::Destruction,
            ReasonArg::RecallDisposal => WithdrawalReason::RecallDisposal,
            ReasonArg::Confiscation => WithdrawalReason::Confiscation,
        };
        let codes = self.codes.read()?;
        let withdrawal = tanba_client::Withdrawal {
            reason,
            document: optional_text(&self.document),
            export: self.export()?,
            eaeu: self.eaeu.document()?,
        };
        receipt(connection.withdraw(codes, &withdrawal).await?)
    }

    /// The permit the goods leave under, when one is named.
    fn export(&self) -> Result<Option<ExportUse>, Refused> {
        if self.permit.is_empty() {
            if !self.end_user.is_empty() {
                return Err(Refused::invalid("end_user"));
            }
            return Ok(None);
        }
        let permit =
            DocumentNumber::parse(&self.permit).ok_or_else(|| Refused::invalid("permit"))?;
        Ok(Some(ExportUse {
            permit,
            end_user: self.end_user.clone(),
        }))
    }
}

/// The cross-border document of an export to another EAEU state (`--reason export-to-eaeu`).
#[derive(Debug, Args)]
pub struct EaeuArgs {
    /// The buyer's state: RU, BY, AM or KG.
    #[arg(long, requires_all = ["buyer_taxpayer", "buyer_name", "eaeu_document", "eaeu_date", "value_tiyn"])]
    buyer_country: Option<String>,
    /// The buyer's taxpayer number in its state.
    #[arg(long, requires = "buyer_country")]
    buyer_taxpayer: Option<String>,
    /// The buyer's name.
    #[arg(long, requires = "buyer_country")]
    buyer_name: Option<String>,
    /// The cross-border document's number.
    #[arg(long, requires = "buyer_country")]
    eaeu_document: Option<String>,
    /// The cross-border document's date, YYYY-MM-DD.
    #[arg(long, requires = "buyer_country")]
    eaeu_date: Option<String>,
    /// The goods' value, in tiyn.
    #[arg(long, requires = "buyer_country")]
    value_tiyn: Option<u64>,
}

impl EaeuArgs {
    /// The document, when the buyer's state is given (clap requires the rest with it).
    fn document(&self) -> Result<Option<tanba_types::EaeuDocument>, Refused> {
        let Some(country) = &self.buyer_country else {
            return Ok(None);
        };
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        Ok(Some(tanba_types::EaeuDocument {
            buyer_state: tanba_types::EaeuState::parse(country)
                .ok_or_else(|| Refused::invalid("buyer_country"))?,
            buyer_taxpayer: text(&self.buyer_taxpayer),
            buyer_name: text(&self.buyer_name),
            number: text(&self.eaeu_document),
            date: text(&self.eaeu_date)
                .parse()
                .map_err(|_| Refused::invalid("eaeu_date"))?,
            value_tiyn: self.value_tiyn.unwrap_or_default(),
        }))
    }
}

/// `block`.
#[derive(Debug, Args)]
pub struct Block {
    /// Why, as the public will read it.
    #[arg(long)]
    reason: String,
    #[command(flatten)]
    codes: Codes,
}

impl Block {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        receipt(connection.block(self.codes.read()?, &self.reason).await?)
    }
}

/// `unblock`.
#[derive(Debug, Args)]
pub struct Unblock {
    #[command(flatten)]
    codes: Codes,
}

impl Unblock {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        receipt(connection.unblock(self.codes.read()?).await?)
    }
}

/// `card`.
#[derive(Debug, Args)]
pub struct Card {
    /// The code.
    code: String,
}

impl Card {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        Ok(serde_json::to_value(
            connection.code_card(&self.code).await?,
        )?)
    }
}

/// `content`.
#[derive(Debug, Args)]
pub struct Content {
    /// The package.
    package: String,
}

impl Content {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        Ok(serde_json::to_value(
            connection.package_content(&self.package).await?,
        )?)
    }
}

/// `history`.
#[derive(Debug, Args)]
pub struct History {
    /// The code.
    code: String,
    /// After this log sequence.
    #[arg(long, default_value_t = 0)]
    after: u64,
    /// At most this many events.
    #[arg(long, default_value_t = 100)]
    limit: u32,
}

impl History {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        let events = connection
            .history(&self.code, self.after, self.limit)
            .await?;
        Ok(serde_json::to_value(events)?)
    }
}
