//! `tanba client` commands of the registry: key files, participants, categories, product cards
//! and fiscal data operators' contracts.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use serde_json::{Value, json};
use tanba_client::{Connection, KeyFile};
use tanba_types::{
    Category, Date, FiscalAgency, Gtin, HsCode, Names, PackageLevel, ParticipantKey,
    ParticipantStatus, Role, TailProfile, TaxpayerId,
};

use super::input::{Refused, field, optional_field, optional_text, receipt};

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
    fn role(self) -> Role {
        match self {
            RoleArg::Producer => Role::Producer,
            RoleArg::Importer => Role::Importer,
            RoleArg::Wholesaler => Role::Wholesaler,
            RoleArg::Retailer => Role::Retailer,
            RoleArg::FiscalDataOperator => Role::FiscalDataOperator,
            RoleArg::Authority => Role::Authority,
            RoleArg::Ministry => Role::Ministry,
            RoleArg::Operator => Role::Operator,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LevelArg {
    Unit,
    Group,
    Transport,
}

/// `new-key`.
#[derive(Debug, Args)]
pub struct NewKey {
    /// The participant's IIN/BIN.
    #[arg(long)]
    participant: TaxpayerId,
    /// Where to write it; never replaced.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

impl NewKey {
    /// Writes the key file; needs no server.
    pub fn run(&self) -> anyhow::Result<Value> {
        let key = KeyFile::generate(self.participant);
        key.write(&self.out)?;
        Ok(json!({
            "participant": self.participant.to_string(),
            "public_key_hex": key.public_key_hex,
            "key_file": self.out.display().to_string(),
        }))
    }
}

/// `register-participant`.
#[derive(Debug, Args)]
pub struct RegisterParticipant {
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
}

impl RegisterParticipant {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        let keys = self
            .public_keys
            .iter()
            .map(|hex| {
                Ok(ParticipantKey {
                    algorithm: "ed25519".into(),
                    public_key: tanba_crypto::encoding::parse_hex::<32>(hex)
                        .context("a public key is 64 hex digits")?
                        .to_vec(),
                })
            })
            .collect::<anyhow::Result<_>>()?;
        let participant = tanba_types::Participant {
            id: self.id,
            name: self.name,
            roles: self.roles.iter().map(|role| role.role()).collect(),
            keys,
            status: ParticipantStatus::Active,
        };
        receipt(connection.register_participant(&participant).await?)
    }
}

/// `participant`, `suspend`, `reinstate`: one participant.
#[derive(Debug, Args)]
pub struct Participant {
    /// IIN/BIN.
    id: TaxpayerId,
}

impl Participant {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        Ok(serde_json::to_value(
            connection.get_participant(self.id).await?,
        )?)
    }

    pub async fn set_suspended(
        self,
        connection: &Connection,
        suspended: bool,
    ) -> anyhow::Result<Value> {
        receipt(connection.set_suspended(self.id, suspended).await?)
    }
}

/// `define-category`.
#[derive(Debug, Args)]
pub struct DefineCategory {
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
}

impl DefineCategory {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        let tail_profile = match self.short_tail {
            0 => TailProfile::Full,
            length => TailProfile::Short {
                length_chars: u8::try_from(length)
                    .map_err(|_| Refused::invalid("short_tail_length"))?,
            },
        };
        let category = Category {
            code: self.code,
            names: Names {
                kk: self.kk,
                ru: self.ru,
                en: optional_text(&self.en),
            },
            tail_profile,
            return_period_days: self.return_days,
            control_list_code: optional_text(&self.control_list_code),
        };
        receipt(connection.define_category(&category).await?)
    }
}

/// `assign-fiscal-operator`.
#[derive(Debug, Args)]
pub struct AssignFiscalOperator {
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
}

impl AssignFiscalOperator {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        let agency = FiscalAgency {
            operator: self.operator,
            seller: self.seller,
            valid_from: field::<Date>("agency.valid_from", &self.from)?,
            valid_until: optional_field("agency.valid_until", &self.until)?,
        };
        receipt(connection.assign_fiscal_operator(&agency).await?)
    }
}

/// `fiscal-agencies`.
#[derive(Debug, Args)]
pub struct FiscalAgencies {
    /// The fiscal data operator's BIN (yourself when not given).
    #[arg(long)]
    operator: Option<TaxpayerId>,
}

impl FiscalAgencies {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        let operator = match self.operator {
            Some(operator) => operator,
            None => connection.participant().context("this needs --key")?,
        };
        let agencies = connection.fiscal_agencies(operator).await?;
        Ok(json!({ "agencies": agencies }))
    }
}

/// `register-product`.
#[derive(Debug, Args)]
pub struct RegisterProduct {
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
}

impl RegisterProduct {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        let gtin: Gtin = field("product.gtin", self.gtin.trim())?;
        let hs_code = HsCode::parse(&self.hs_code).map_err(|error| Refused::of(&error))?;
        let product = tanba_types::Product {
            gtin,
            names: Names {
                kk: self.kk,
                ru: self.ru,
                en: optional_text(&self.en),
            },
            producer_name: self.producer_name,
            producer: self.producer,
            importer: self.importer,
            country: self.country,
            hs_code,
            category: self.category,
            level: match self.level {
                LevelArg::Unit => PackageLevel::Unit,
                LevelArg::Group => PackageLevel::Group,
                LevelArg::Transport => PackageLevel::Transport,
            },
            // Zero on the wire is "does not expire", as when not given.
            shelf_life_days: self.shelf_life_days.filter(|days| *days != 0),
        };
        receipt(connection.register_product(&product).await?)
    }
}

/// `product`.
#[derive(Debug, Args)]
pub struct Product {
    /// GTIN.
    gtin: String,
}

impl Product {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        let gtin: Gtin = field("gtin", self.gtin.trim())?;
        Ok(serde_json::to_value(connection.get_product(gtin).await?)?)
    }
}
