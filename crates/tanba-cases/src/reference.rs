//! Reference data the forms are checked against, as versioned sets the operator publishes in the
//! log like the calendar: the service providers (names, addresses, signer titles; a provider
//! changes with an amendment, R-CER-12), EAEU 10-digit HS codes, control-list codes, ISO 4217
//! currencies, ISO 3166 countries and the EAEU units of measure. A case records the version of
//! every set in force when it opened, so its forms can be read again under the data they were
//! checked with.
//!
//! An entry may carry the days it is valid (a currency withdrawn, a provider replaced): a form
//! is checked against the entries valid on the day of the step.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;
use tanba_types::{Date, Localized, Texts};

/// The sets Tanba starts with, as shipped (`reference/*.toml`); the server publishes each on a
/// fresh store, and the operator publishes later versions without a release.
pub const SHIPPED_SETS: &[&str] = &[
    include_str!("../reference/providers-v1.toml"),
    include_str!("../reference/hs_codes-v1.toml"),
    include_str!("../reference/control_list-v1.toml"),
    include_str!("../reference/currencies-v1.toml"),
    include_str!("../reference/countries-v1.toml"),
    include_str!("../reference/units-v1.toml"),
];

/// Most entries of one set (the whole EAEU nomenclature has about 13,000 lines).
pub const ENTRIES_MAX: usize = 50_000;
/// Most characters of a code.
pub const CODE_CHARS_MAX: usize = 32;
/// Most characters of a name, an address or a source.
pub const NAME_CHARS_MAX: usize = 1_000;
/// The services (and parts of them) a provider entry may name.
pub const SERVICES: &[&str] = &[
    "permit",
    "certificate",
    "rex",
    "rex_organization",
    "quality_control",
];
/// Most signer titles of a provider.
pub const SIGNERS_MAX: usize = 16;

/// Which set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SetKind {
    /// The state-service providers and their signers.
    Providers,
    /// EAEU TN VED codes, 10 digits.
    HsCodes,
    /// Codes of the control lists of goods under export control.
    ControlList,
    /// ISO 4217 alphabetic currency codes.
    Currencies,
    /// ISO 3166-1 alpha-2 country codes.
    Countries,
    /// EAEU units of measure (3-digit codes).
    Units,
}

impl SetKind {
    /// Every set.
    pub const ALL: [SetKind; 6] = [
        SetKind::Providers,
        SetKind::HsCodes,
        SetKind::ControlList,
        SetKind::Currencies,
        SetKind::Countries,
        SetKind::Units,
    ];

    /// Its name in documents and keys (`hs_codes`).
    pub fn name(self) -> &'static str {
        match self {
            SetKind::Providers => "providers",
            SetKind::HsCodes => "hs_codes",
            SetKind::ControlList => "control_list",
            SetKind::Currencies => "currencies",
            SetKind::Countries => "countries",
            SetKind::Units => "units",
        }
    }

    /// The set named `name`.
    pub fn named(name: &str) -> Option<SetKind> {
        SetKind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// Whether `code` is written as this set's codes are (checked before any lookup, so a
    /// malformed code and an unknown one are told apart).
    pub fn well_formed(self, code: &str) -> bool {
        let digits = |text: &str, count: usize| {
            text.len() == count && text.bytes().all(|byte| byte.is_ascii_digit())
        };
        let capitals = |count: usize| {
            code.len() == count && code.bytes().all(|byte| byte.is_ascii_uppercase())
        };
        match self {
            SetKind::Providers => {
                !code.is_empty()
                    && code.len() <= CODE_CHARS_MAX
                    && code.bytes().all(|byte| {
                        byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-'
                    })
            }
            SetKind::HsCodes => digits(code, 10),
            SetKind::ControlList => is_control_list_code(code),
            SetKind::Currencies => capitals(3),
            SetKind::Countries => capitals(2),
            SetKind::Units => digits(code, 3),
        }
    }
}

pub use tanba_types::reference::is_control_list_code;

/// Why a reference document or lookup is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// The document does not parse or is inconsistent.
    #[error("reference data: {0}")]
    Invalid(String),
    /// No version of a set a form needs is published.
    #[error("no version of the reference set {0} is published")]
    NotPublished(&'static str),
}

impl ReferenceError {
    /// Every code.
    pub const CODES: &'static [&'static str] =
        &["TANBA-REFERENCE-INVALID", "TANBA-REFERENCE-NOT-PUBLISHED"];
}

impl Localized for ReferenceError {
    fn code(&self) -> &'static str {
        match self {
            ReferenceError::Invalid(_) => "TANBA-REFERENCE-INVALID",
            ReferenceError::NotPublished(_) => "TANBA-REFERENCE-NOT-PUBLISHED",
        }
    }

    fn detail(&self) -> Option<String> {
        Some(match self {
            ReferenceError::Invalid(reason) => reason.clone(),
            ReferenceError::NotPublished(set) => (*set).to_owned(),
        })
    }
}

/// A provider's signer title (head, acting head, deputy).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signer {
    /// Its code (`head`).
    pub code: String,
    /// Kazakh.
    pub kk: String,
    /// Russian.
    pub ru: String,
    /// English.
    pub en: String,
}

/// One entry of a set.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The code as written on forms.
    pub code: String,
    /// Kazakh name.
    pub kk: String,
    /// Russian name.
    pub ru: String,
    /// English name.
    pub en: String,
    /// The first day it is valid, if it came later than the set.
    pub valid_from: Option<Date>,
    /// The last day it is valid, if it ends.
    pub valid_until: Option<Date>,
    /// Providers: the service it provides (`permit`, `certificate`, `rex`), or its part in one
    /// (`rex_organization`: the REX verification's authorized organization;
    /// `quality_control`: the authority complaints may be addressed to).
    pub service: Option<String>,
    /// Providers: the participant who acts as it in Tanba (its IIN/BIN), which the operator
    /// names; a service whose provider names none cannot be applied for.
    pub participant: Option<tanba_types::TaxpayerId>,
    /// Providers: address in Kazakh.
    pub address_kk: Option<String>,
    /// Providers: address in Russian.
    pub address_ru: Option<String>,
    /// Providers: address in English.
    pub address_en: Option<String>,
    /// Providers: who signs its acts.
    #[serde(default, rename = "signer")]
    pub signers: Vec<Signer>,
}

impl Entry {
    /// Its name in the three languages.
    pub fn names(&self) -> Texts {
        Texts {
            kk: self.kk.clone(),
            ru: self.ru.clone(),
            en: self.en.clone(),
        }
    }

    /// Whether it is valid on `day`.
    pub fn valid_on(&self, day: Date) -> bool {
        self.valid_from.is_none_or(|from| from <= day)
            && self.valid_until.is_none_or(|until| day <= until)
    }

    /// Its address in the three languages (providers).
    pub fn address(&self) -> Option<Texts> {
        Some(Texts {
            kk: self.address_kk.clone()?,
            ru: self.address_ru.clone()?,
            en: self.address_en.clone()?,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    set: SetKind,
    version: u32,
    source: String,
    #[serde(rename = "entry")]
    entries: Vec<Entry>,
}

/// One version of one set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceSet {
    /// Which set.
    pub kind: SetKind,
    /// Which version (numbered from 1 per set).
    pub version: u32,
    /// The act or standard it rests on.
    pub source: String,
    /// Its entries by code.
    pub entries: BTreeMap<String, Entry>,
}

impl ReferenceSet {
    /// Reads and checks a document (the format of `reference/*.toml`): every code well formed
    /// for its set and listed once, every name given in three languages within
    /// [`NAME_CHARS_MAX`], validity days in order, providers with a service and their signers.
    pub fn from_toml(text: &str) -> Result<ReferenceSet, ReferenceError> {
        let set = ReferenceSet::from_published_toml(text)?;
        set.check()?;
        Ok(set)
    }

    /// Reads a version published before, as it was then (it was checked when published).
    pub fn from_published_toml(text: &str) -> Result<ReferenceSet, ReferenceError> {
        let document: Document =
            toml::from_str(text).map_err(|error| ReferenceError::Invalid(error.to_string()))?;
        let mut entries = BTreeMap::new();
        for entry in document.entries {
            let code = entry.code.clone();
            if entries.insert(code.clone(), entry).is_some() {
                return Err(ReferenceError::Invalid(format!("{code} is listed twice")));
            }
        }
        Ok(ReferenceSet {
            kind: document.set,
            version: document.version,
            source: document.source,
            entries,
        })
    }

    fn check(&self) -> Result<(), ReferenceError> {
        let invalid = |reason: String| Err(ReferenceError::Invalid(reason));
        if self.version == 0 || self.entries.is_empty() || self.entries.len() > ENTRIES_MAX {
            return invalid(format!("a version from 1 with 1 to {ENTRIES_MAX} entries"));
        }
        if !text_ok(&self.source) {
            return invalid("the source must be named".into());
        }
        for entry in self.entries.values() {
            let code = &entry.code;
            if !self.kind.well_formed(code) {
                return invalid(format!("{code} is not a {} code", self.kind.name()));
            }
            if ![&entry.kk, &entry.ru, &entry.en]
                .into_iter()
                .all(|name| text_ok(name))
            {
                return invalid(format!("{code} needs its name in kk, ru and en"));
            }
            if let (Some(from), Some(until)) = (entry.valid_from, entry.valid_until)
                && from > until
            {
                return invalid(format!("{code} ends before it starts"));
            }
            let provider_fields = entry.service.is_some()
                || entry.address_kk.is_some()
                || entry.participant.is_some()
                || !entry.signers.is_empty();
            if self.kind == SetKind::Providers {
                check_provider(entry)?;
            } else if provider_fields {
                return invalid(format!("{code}: only providers have services and signers"));
            }
        }
        Ok(())
    }

    /// The entry `code`, valid on `day`.
    pub fn valid(&self, code: &str, day: Date) -> Option<&Entry> {
        self.entries.get(code).filter(|entry| entry.valid_on(day))
    }
}

fn text_ok(text: &str) -> bool {
    !text.trim().is_empty()
        && text.chars().count() <= NAME_CHARS_MAX
        && !text.chars().any(char::is_control)
}

fn check_provider(entry: &Entry) -> Result<(), ReferenceError> {
    let code = &entry.code;
    let service_ok = entry
        .service
        .as_deref()
        .is_some_and(|service| SERVICES.contains(&service));
    let address_ok = [&entry.address_kk, &entry.address_ru, &entry.address_en]
        .into_iter()
        .all(|address| address.as_deref().is_some_and(text_ok));
    let signers_ok = !entry.signers.is_empty()
        && entry.signers.len() <= SIGNERS_MAX
        && entry.signers.iter().all(|signer| {
            SetKind::Providers.well_formed(&signer.code)
                && [&signer.kk, &signer.ru, &signer.en]
                    .into_iter()
                    .all(|title| text_ok(title))
        });
    if service_ok && address_ok && signers_ok {
        Ok(())
    } else {
        Err(ReferenceError::Invalid(format!(
            "provider {code} needs a service ({}), an address in kk, ru and en, and 1 to \
             {SIGNERS_MAX} signers",
            SERVICES.join(", ")
        )))
    }
}

/// The sets in force, as a step is decided: each at most once.
#[derive(Debug, Clone, Default)]
pub struct References {
    sets: BTreeMap<SetKind, Arc<ReferenceSet>>,
}

impl References {
    /// The sets given (a later one of a kind replaces an earlier).
    pub fn new(sets: impl IntoIterator<Item = Arc<ReferenceSet>>) -> References {
        References {
            sets: sets.into_iter().map(|set| (set.kind, set)).collect(),
        }
    }

    /// The shipped sets, parsed (for tests and tools; a store holds what was published).
    pub fn shipped() -> References {
        References::new(SHIPPED_SETS.iter().map(|text| {
            Arc::new(ReferenceSet::from_toml(text).expect("the shipped sets are valid (tested)"))
        }))
    }

    /// The set of `kind` in force.
    pub fn set(&self, kind: SetKind) -> Result<&ReferenceSet, ReferenceError> {
        self.sets
            .get(&kind)
            .map(Arc::as_ref)
            .ok_or(ReferenceError::NotPublished(kind.name()))
    }

    /// The version of each set in force, by name (what a case records when it opens).
    pub fn versions(&self) -> Vec<(String, u32)> {
        self.sets
            .values()
            .map(|set| (set.kind.name().to_owned(), set.version))
            .collect()
    }

    /// The provider of `service` on `day` (`permit`, `certificate`, `rex`).
    pub fn provider(&self, service: &str, day: Date) -> Result<Option<&Entry>, ReferenceError> {
        Ok(self
            .set(SetKind::Providers)?
            .entries
            .values()
            .find(|entry| entry.service.as_deref() == Some(service) && entry.valid_on(day)))
    }

    /// Whether `code` is listed in the set of `kind` on `day`. A control-list code with
    /// sub-items (`1C350.a`) is listed when its entry or a shorter prefix of it is.
    pub fn lists(&self, kind: SetKind, code: &str, day: Date) -> Result<bool, ReferenceError> {
        let set = self.set(kind)?;
        if kind != SetKind::ControlList {
            return Ok(set.valid(code, day).is_some());
        }
        let mut prefix = code;
        loop {
            if set.valid(prefix, day).is_some() {
                return Ok(true);
            }
            match prefix.rsplit_once('.') {
                Some((shorter, _)) => prefix = shorter,
                None => return Ok(false),
            }
        }
    }
}

/// A providers document with `participants` bound to its entries (by entry code) and numbered
/// `version`: what the operator publishes to name who acts as each provider (the demo and the
/// tests use it on the shipped document). An entry code not in the document is an error.
pub fn bind_providers(
    toml: &str,
    participants: &[(&str, tanba_types::TaxpayerId)],
    version: u32,
) -> Result<String, ReferenceError> {
    let mut out = String::with_capacity(toml.len() + 64 * participants.len());
    let mut bound = 0;
    for line in toml.lines() {
        if let Some(rest) = line.trim_start().strip_prefix("version = ")
            && rest.bytes().all(|byte| byte.is_ascii_digit())
        {
            out.push_str(&format!("version = {version}\n"));
            continue;
        }
        out.push_str(line);
        out.push('\n');
        let code = line
            .trim()
            .strip_prefix("code = \"")
            .and_then(|rest| rest.strip_suffix('"'));
        let binding = code.and_then(|code| participants.iter().find(|(entry, _)| *entry == code));
        if let Some((_, participant)) = binding {
            out.push_str(&format!("participant = \"{participant}\"\n"));
            bound += 1;
        }
    }
    if bound != participants.len() {
        return Err(ReferenceError::Invalid(
            "a provider to bind is not in the document".into(),
        ));
    }
    ReferenceSet::from_toml(&out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_sets_are_valid_and_cover_every_kind() {
        let references = References::shipped();
        for kind in SetKind::ALL {
            let set = references.set(kind).unwrap();
            assert_eq!(set.version, 1, "{}", kind.name());
        }
        let day: Date = "2026-12-04".parse().unwrap();
        assert!(references.lists(SetKind::Currencies, "KZT", day).unwrap());
        assert!(references.lists(SetKind::Countries, "NO", day).unwrap());
        assert!(references.lists(SetKind::Units, "796", day).unwrap());
        assert!(
            references
                .lists(SetKind::HsCodes, "2202100000", day)
                .unwrap()
        );
        assert!(references.lists(SetKind::ControlList, "ML1", day).unwrap());
    }

    #[test]
    fn shipped_currencies_and_countries_agree_with_the_format_checks() {
        let references = References::shipped();
        for code in references.set(SetKind::Currencies).unwrap().entries.keys() {
            assert!(tanba_types::reference::is_currency_code(code), "{code}");
        }
        for code in references.set(SetKind::Countries).unwrap().entries.keys() {
            assert!(tanba_types::reference::is_country_code(code), "{code}");
        }
    }

    /// R-CER-12: the certificate's provider changed with the 2026 amendment; the permit's did
    /// not.
    #[test]
    fn r_cer_12_the_provider_in_force_follows_the_day() {
        let references = References::shipped();
        let before: Date = "2025-12-01".parse().unwrap();
        let after: Date = "2026-12-01".parse().unwrap();
        let old = references.provider("certificate", before).unwrap().unwrap();
        let new = references.provider("certificate", after).unwrap().unwrap();
        assert_ne!(old.code, new.code);
        assert!(new.ru.contains("строительства"), "{}", new.ru);
        let permit = references.provider("permit", after).unwrap().unwrap();
        assert!(
            permit.ru.contains("индустриального развития"),
            "{}",
            permit.ru
        );
        assert!(!permit.signers.is_empty());
    }

    #[test]
    fn control_list_codes_are_read_with_their_sub_items() {
        for good in [
            "ML1",
            "ML22",
            "ML8.a",
            "1C350",
            "1C350.a",
            "5A002.a.1",
            "0A001",
        ] {
            assert!(is_control_list_code(good), "{good}");
        }
        for bad in [
            "ML0", "ML23", "ML01", "1F350", "1C35", "1c350", "1C350.", "1C350..a", "",
        ] {
            assert!(!is_control_list_code(bad), "{bad}");
        }
        let references = References::shipped();
        let day: Date = "2026-12-04".parse().unwrap();
        assert!(
            references
                .lists(SetKind::ControlList, "ML1.a", day)
                .unwrap()
        );
    }

    #[test]
    fn a_document_is_refused_for_each_inconsistency() {
        let good = "set = \"units\"\nversion = 1\nsource = \"s\"\n\
                    [[entry]]\ncode = \"796\"\nkk = \"дана\"\nru = \"штука\"\nen = \"piece\"\n";
        ReferenceSet::from_toml(good).unwrap();
        for bad in [
            good.replace("796", "79"),
            good.replace("version = 1", "version = 0"),
            good.replace("en = \"piece\"", "en = \" \""),
            format!("{good}[[entry]]\ncode = \"796\"\nkk = \"a\"\nru = \"b\"\nen = \"c\"\n"),
            format!("{good}service = \"permit\"\n"),
            good.replace("units", "weights"),
            format!("{good}colour = \"red\"\n"),
        ] {
            assert!(ReferenceSet::from_toml(&bad).is_err(), "{bad}");
        }
        let dated = format!("{good}valid_from = \"2027-01-01\"\n");
        let set = ReferenceSet::from_toml(&dated).unwrap();
        assert!(set.valid("796", "2026-12-31".parse().unwrap()).is_none());
        assert!(set.valid("796", "2027-01-01".parse().unwrap()).is_some());
    }
}
