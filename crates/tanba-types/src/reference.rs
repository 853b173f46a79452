//! Reference data (R-IS-09, R-IS-20): participants, product categories and product cards. Each
//! change is an event in the log, so every past state of the registry can be shown.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::code_key::Gtin;
use crate::date::Date;
use crate::kz::{HsCode, TaxpayerId};
use crate::package::PackageLevel;
use crate::participant::{ParticipantStatus, Role};

/// Most characters in a name (a participant's, a product's in one language).
pub const NAME_CHARS_MAX: usize = 256;
/// Most public keys one participant may register.
pub const PARTICIPANT_KEYS_MAX: usize = 16;
/// Most characters in a product category code.
pub const CATEGORY_CODE_CHARS_MAX: usize = 32;
/// Longest shelf life a product may declare (50 years).
pub const SHELF_LIFE_DAYS_MAX: u32 = 50 * 366;

/// A text in the three languages people read Tanba in (R-IS-19). Kazakh and Russian are required;
/// English is optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Names {
    /// Kazakh.
    pub kk: String,
    /// Russian.
    pub ru: String,
    /// English, if given.
    pub en: Option<String>,
}

/// A participant's public key, for sign-in and document signatures (R-IS-16).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantKey {
    /// The algorithm's name (`ed25519`).
    pub algorithm: String,
    /// The public key bytes.
    pub public_key: Vec<u8>,
}

/// A registered participant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    /// IIN or BIN.
    pub id: TaxpayerId,
    /// Registered name.
    pub name: String,
    /// What it may do.
    pub roles: BTreeSet<Role>,
    /// Keys it signs with.
    pub keys: Vec<ParticipantKey>,
    /// Active or suspended.
    pub status: ParticipantStatus,
}

impl Participant {
    /// Whether the participant holds `role`.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// What tail the codes of a category carry (R-IS-02).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TailProfile {
    /// AI 91 key id + AI 92 Ed25519 signature, verifiable offline.
    Full,
    /// AI 93: a keyed tag of `length_chars` characters (4-8), verifiable by the server only.
    Short {
        /// The tag's length.
        length_chars: u8,
    },
}

/// A product category (tobacco, medicines, ...): a class of goods with one tail profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// A short stable code (`tobacco`).
    pub code: String,
    /// What people read.
    pub names: Names,
    /// The tail its codes carry.
    pub tail_profile: TailProfile,
    /// Days after a sale within which a consumer's return is taken (0: returns are not taken,
    /// as for medicines).
    pub return_period_days: u32,
    /// The control-list code of goods under export control (`ML3`, `6A003`), if the category
    /// is controlled: its codes leave for export outside the EAEU only under a permit.
    #[serde(default)]
    pub control_list_code: Option<String>,
}

/// Most days a category's return period may run (a year: warranty returns are a claim, not a
/// retail return).
pub const RETURN_PERIOD_DAYS_MAX: u32 = 366;

/// A fiscal data operator registered as serving a seller (R-IS-13), from one day to another:
/// only then may it forward that seller's receipts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiscalAgency {
    /// The fiscal data operator.
    pub operator: TaxpayerId,
    /// The seller (a retailer).
    pub seller: TaxpayerId,
    /// The first day it serves the seller (Kazakhstan time).
    pub valid_from: Date,
    /// The last day, if the contract ends.
    pub valid_until: Option<Date>,
}

impl FiscalAgency {
    /// Whether the agency holds on `day`.
    pub fn holds_on(&self, day: Date) -> bool {
        self.valid_from <= day && self.valid_until.is_none_or(|until| day <= until)
    }
}

/// A product card: one GTIN (R-IS-20).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// The GTIN.
    pub gtin: Gtin,
    /// Trade names.
    pub names: Names,
    /// Who makes it, as printed on the pack (a foreign maker has no IIN/BIN).
    pub producer_name: String,
    /// The maker, if it is a participant registered in Kazakhstan.
    pub producer: Option<TaxpayerId>,
    /// Who imports it, for imported goods.
    pub importer: Option<TaxpayerId>,
    /// ISO 3166-1 alpha-2 country of origin.
    pub country: String,
    /// EAEU HS code.
    pub hs_code: HsCode,
    /// Category code (see [`Category`]).
    pub category: String,
    /// What a code of this GTIN marks: a consumer unit or a group package.
    pub level: PackageLevel,
    /// Shelf life, if the goods expire.
    pub shelf_life_days: Option<u32>,
}

impl Product {
    /// Whether `participant` puts these goods on the market (and may order their codes).
    pub fn is_marketed_by(&self, participant: TaxpayerId) -> bool {
        self.producer == Some(participant) || self.importer == Some(participant)
    }
}

/// Most characters of a control-list code.
pub const CONTROL_LIST_CODE_CHARS_MAX: usize = 32;

/// Whether `code` is written as a control-list code: a Munitions List category (`ML1` to
/// `ML22`) or a dual-use entry (category digit, group letter A-E, three digits: `1C350`), either
/// followed by sub-items (`.a`, `.b.3`).
pub fn is_control_list_code(code: &str) -> bool {
    if code.len() > CONTROL_LIST_CODE_CHARS_MAX {
        return false;
    }
    let mut parts = code.split('.');
    let head = parts.next().unwrap_or_default();
    let head_ok = match head.strip_prefix("ML") {
        Some(number) => {
            !number.starts_with('0')
                && number.bytes().all(|byte| byte.is_ascii_digit())
                && number
                    .parse::<u8>()
                    .is_ok_and(|number| (1..=22).contains(&number))
        }
        None => {
            let bytes = head.as_bytes();
            bytes.len() == 5
                && bytes[0].is_ascii_digit()
                && (b'A'..=b'E').contains(&bytes[1])
                && bytes[2..].iter().all(u8::is_ascii_digit)
        }
    };
    head_ok
        && parts.all(|part| {
            !part.is_empty()
                && part.len() <= 3
                && part
                    .bytes()
                    .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit())
        })
}

/// Whether `country` is an ISO 3166-1 alpha-2 code (as GS1's linters list them).
pub fn is_country_code(country: &str) -> bool {
    tanba_gs1::lint::is_iso3166_alpha2(country.as_bytes())
}

/// ISO 4217 alphabetic currency codes in use (with the funds and metals codes, without `XTS`
/// for testing and `XXX` for no currency), sorted. A value on a form names one of these.
const CURRENCY_CODES: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD",
    "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUC", "CUP",
    "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP",
    "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS",
    "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW",
    "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD",
    "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN",
    "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR",
    "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL",
    "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY",
    "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VES",
    "VND", "VUV", "WST", "XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XCG", "XDR",
    "XOF", "XPD", "XPF", "XPT", "XSU", "XUA", "YER", "ZAR", "ZMW", "ZWG", "ZWL",
];

/// Whether `code` is an ISO 4217 alphabetic currency code.
pub fn is_currency_code(code: &str) -> bool {
    CURRENCY_CODES.binary_search(&code).is_ok()
}
