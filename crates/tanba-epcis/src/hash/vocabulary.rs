//! Bare CBV words (`shipping`, `po`, `owning_party`, `Temperature`) to their URIs, the way the
//! reference does it: it expands the whole document as JSON-LD under the EPCIS 2.0.0 context,
//! keeps every expanded string that starts with a CBV or GS1 vocabulary base, and then replaces
//! *every* string anywhere in the document that is the end (after a `-` or a `/`) of exactly
//! one of those URIs. So a user extension whose value is `shipping` becomes the business step's
//! URI if some event of the document ships, and stays `shipping` otherwise.
//!
//! This module reproduces the part of the expansion that can yield such URIs: the EPCIS
//! context's word lists for the vocabulary-typed fields, compact URIs with the context's
//! prefixes, and full URIs given as values; fields JSON-LD drops (an unprefixed key the context
//! does not define) yield nothing. It also reads the `@context`'s prefixes.

use std::collections::{BTreeSet, HashMap, hash_map::Entry};

use serde_json::{Map, Value};

use super::{DOCUMENT_NESTING_DEPTH_MAX, HashError};
use crate::vocab::Vocabulary;

/// Where the URIs the reference keeps from the expansion start.
const KEPT_BASES: [&str; 3] = [
    "https://ref.gs1.org/cbv",
    "https://gs1.org/voc",
    "https://ref.gs1.org/voc",
];

/// The EPCIS 2.0.0 context's own prefixes that lead into the kept bases (its `gs1` was
/// `https://gs1.org/voc/` when the reference's vectors were made).
const CONTEXT_PREFIXES: [(&str, &str); 2] = [
    ("cbv", "https://ref.gs1.org/cbv/"),
    ("gs1", "https://gs1.org/voc/"),
];

/// A vocabulary-typed field's words and the base they expand onto.
#[derive(Clone, Copy)]
struct Words {
    words: &'static [&'static str],
    base: &'static str,
}

/// A CBV vocabulary's words, as the capture's checks know them (one list for both).
const fn cbv(vocabulary: Vocabulary) -> Words {
    Words {
        words: vocabulary.words(),
        base: vocabulary.uri_base(),
    }
}

const BIZ_STEPS: Words = cbv(Vocabulary::BizStep);
const DISPOSITIONS: Words = cbv(Vocabulary::Disposition);
const BIZ_TRANSACTION_TYPES: Words = cbv(Vocabulary::BizTransactionType);
const SOURCE_DESTINATION_TYPES: Words = cbv(Vocabulary::SourceDestType);
const ERROR_REASONS: Words = cbv(Vocabulary::ErrorReason);

const COMPONENTS: Words = Words {
    base: "https://ref.gs1.org/cbv/Comp-",
    words: &[
        "x",
        "y",
        "z",
        "axial_distance",
        "azimuth",
        "height",
        "spherical_radius",
        "polar_angle",
        "elevation_angle",
        "easting",
        "northing",
        "latitude",
        "longitude",
        "altitude",
    ],
};

const ALARMS: Words = Words {
    base: "https://gs1.org/voc/",
    words: &["ALARM_CONDITION", "ERROR_CONDITION"],
};

const MEASUREMENT_TYPES: Words = Words {
    base: "https://gs1.org/voc/",
    words: &[
        "AbsoluteHumidity",
        "AbsorbedDose",
        "AbsorbedDoseRate",
        "Acceleration",
        "Radioactivity",
        "Altitude",
        "AmountOfSubstance",
        "AmountOfSubstancePerUnitVolume",
        "Angle",
        "AngularAcceleration",
        "AngularMomentum",
        "AngularVelocity",
        "Area",
        "Capacitance",
        "Conductance",
        "Conductivity",
        "Count",
        "Density",
        "Dimensionless",
        "DoseEquivalent",
        "DoseEquivalentRate",
        "DynamicViscosity",
        "ElectricCharge",
        "ElectricCurrent",
        "ElectricCurrentDensity",
        "ElectricFieldStrength",
        "Energy",
        "Exposure",
        "Force",
        "Frequency",
        "Illuminance",
        "Inductance",
        "Irradiance",
        "KinematicViscosity",
        "Length",
        "LinearMomentum",
        "Luminance",
        "LuminousFlux",
        "LuminousIntensity",
        "MagneticFlux",
        "MagneticFluxDensity",
        "MagneticVectorPotential",
        "Mass",
        "MassConcentration",
        "MassFlowRate",
        "MassPerAreaTime",
        "MemoryCapacity",
        "MolalityOfSolute",
        "MolarEnergy",
        "MolarMass",
        "MolarVolume",
        "Power",
        "Pressure",
        "RadiantFlux",
        "RadiantIntensity",
        "RelativeHumidity",
        "Resistance",
        "Resistivity",
        "SolidAngle",
        "SpecificVolume",
        "Speed",
        "SurfaceDensity",
        "SurfaceTension",
        "Temperature",
        "Time",
        "Torque",
        "Voltage",
        "Volume",
        "VolumeFlowRate",
        "VolumeFraction",
        "VolumetricFlux",
        "Wavenumber",
    ],
};

/// No words (an `@type`, whose terms expand outside the kept bases).
const NO_WORDS: Words = Words {
    base: "",
    words: &[],
};

/// Fields whose values are URIs (compact URIs expand, other text stays).
const IRI_FIELDS: &[&str] = &[
    "@id",
    "id",
    "eventID",
    "epcList",
    "parentID",
    "childEPCs",
    "inputEPCList",
    "outputEPCList",
    "epcClass",
    "transformationID",
    "certificationInfo",
    "readPoint",
    "bizLocation",
    "bizTransaction",
    "source",
    "destination",
    "deviceID",
    "deviceMetadata",
    "rawData",
    "dataProcessingMethod",
    "bizRules",
    "coordinateReferenceSystem",
    "microorganism",
    "chemicalSubstance",
    "uriValue",
    "correctiveEventIDs",
    "member",
    "children",
];

/// Fields the context defines with plain values or as containers of other fields.
const PLAIN_FIELDS: &[&str] = &[
    "@value",
    "eventTime",
    "recordTime",
    "eventTimeZoneOffset",
    "action",
    "quantity",
    "uom",
    "quantityList",
    "childQuantityList",
    "inputQuantityList",
    "outputQuantityList",
    "ilmd",
    "time",
    "startTime",
    "endTime",
    "value",
    "stringValue",
    "booleanValue",
    "hexBinaryValue",
    "minValue",
    "maxValue",
    "meanValue",
    "sDev",
    "percRank",
    "percValue",
    "declarationTime",
    "creationDate",
    "sender",
    "receiver",
    "instanceIdentifier",
    "schemaVersion",
    "epcisHeader",
    "masterData",
    "vocabularyList",
    "epcisBody",
    "queryResults",
    "subscriptionID",
    "queryName",
    "resultsBody",
    "eventList",
];

/// The EPCIS context's scoped contexts that change what a field means.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Outer,
    BizTransactions,
    SourcesOrDestinations,
    PersistentDisposition,
    SensorReport,
    ErrorDeclaration,
}

/// How JSON-LD expands a field's value.
#[derive(Clone, Copy)]
enum Position {
    Vocabulary(Words),
    Iri,
    Plain,
    Dropped,
}

/// What a field means in `scope`, and the scope of objects under it.
fn classify(key: &str, scope: Scope, namespaces: &[(String, String)]) -> (Position, Scope) {
    let vocabulary = |words| (Position::Vocabulary(words), Scope::Outer);
    match (key, scope) {
        ("@context", _) => (Position::Dropped, scope),
        ("type" | "@type", Scope::BizTransactions) => vocabulary(BIZ_TRANSACTION_TYPES),
        ("type" | "@type", Scope::SourcesOrDestinations) => vocabulary(SOURCE_DESTINATION_TYPES),
        ("type" | "@type", Scope::SensorReport) => vocabulary(MEASUREMENT_TYPES),
        ("type" | "@type", _) => vocabulary(NO_WORDS),
        ("bizStep", _) => vocabulary(BIZ_STEPS),
        ("disposition", _) | ("set" | "unset", Scope::PersistentDisposition) => {
            vocabulary(DISPOSITIONS)
        }
        ("exception", Scope::SensorReport) => vocabulary(ALARMS),
        ("component", Scope::SensorReport) => vocabulary(COMPONENTS),
        ("reason", Scope::ErrorDeclaration) => vocabulary(ERROR_REASONS),
        ("persistentDisposition", _) => (Position::Plain, Scope::PersistentDisposition),
        ("bizTransactionList", _) => (Position::Plain, Scope::BizTransactions),
        ("sourceList" | "destinationList", _) => (Position::Plain, Scope::SourcesOrDestinations),
        ("sensorElementList" | "sensorMetadata", _) => (Position::Plain, Scope::Outer),
        ("sensorReport", _) => (Position::Plain, Scope::SensorReport),
        ("errorDeclaration", _) => (Position::Plain, Scope::ErrorDeclaration),
        _ if IRI_FIELDS.contains(&key) => (Position::Iri, Scope::Outer),
        _ if PLAIN_FIELDS.contains(&key) || key.contains(':') => (Position::Plain, Scope::Outer),
        _ if namespaces.iter().any(|(term, _)| term == key) => (Position::Plain, Scope::Outer),
        _ => (Position::Dropped, scope),
    }
}

/// Adds to `out` the kept URIs `value` expands to, `value` being a document or an event.
pub(super) fn expanded_iris(
    value: &Value,
    namespaces: &[(String, String)],
    out: &mut BTreeSet<String>,
) -> Result<(), HashError> {
    let mut walk = Walk { namespaces, out };
    walk.value(value, Position::Plain, Scope::Outer, 0)
}

struct Walk<'a> {
    namespaces: &'a [(String, String)],
    out: &'a mut BTreeSet<String>,
}

impl Walk<'_> {
    fn value(
        &mut self,
        value: &Value,
        position: Position,
        scope: Scope,
        depth: usize,
    ) -> Result<(), HashError> {
        if depth > DOCUMENT_NESTING_DEPTH_MAX {
            return Err(HashError::NestingTooDeep {
                depth_max: DOCUMENT_NESTING_DEPTH_MAX,
            });
        }
        match value {
            Value::String(text) => self.text(text, position),
            Value::Array(items) => {
                for item in items {
                    self.value(item, position, scope, depth + 1)?;
                }
            }
            Value::Object(map) => self.object(map, scope, depth)?,
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
        Ok(())
    }

    fn object(
        &mut self,
        map: &Map<String, Value>,
        scope: Scope,
        depth: usize,
    ) -> Result<(), HashError> {
        for (key, value) in map {
            let (position, inner) = classify(key, scope, self.namespaces);
            if !matches!(position, Position::Dropped) {
                self.value(value, position, inner, depth + 1)?;
            }
        }
        Ok(())
    }

    fn text(&mut self, text: &str, position: Position) {
        let expanded = match position {
            Position::Vocabulary(words) if words.words.contains(&text) => {
                Some(format!("{}{text}", words.base))
            }
            Position::Vocabulary(_) | Position::Iri => self.compact_iri(text),
            Position::Plain | Position::Dropped => None,
        };
        let expanded = expanded.unwrap_or_else(|| text.to_owned());
        if KEPT_BASES.iter().any(|base| expanded.starts_with(base)) {
            self.out.insert(expanded);
        }
    }

    /// `prefix:local` with a known prefix (the EPCIS context's first, as it protects them).
    fn compact_iri(&self, text: &str) -> Option<String> {
        let (prefix, local) = text.split_once(':')?;
        if local.starts_with("//") {
            return None;
        }
        let context = CONTEXT_PREFIXES
            .iter()
            .find(|(name, _)| *name == prefix)
            .map(|(_, iri)| *iri);
        let document = || {
            let found = self
                .namespaces
                .iter()
                .rev()
                .find(|(name, _)| name == prefix);
            found.map(|(_, iri)| iri.as_str())
        };
        context
            .or_else(document)
            .map(|namespace| format!("{namespace}{local}"))
    }
}

/// The reference's replacement of bare words, indexed: every end of a kept URI after a `-` or
/// a `/`, and the URI it ends (or none, when it ends more than one).
pub(super) struct BareWords<'a> {
    by_end: HashMap<&'a str, Option<&'a str>>,
}

impl<'a> BareWords<'a> {
    pub(super) fn new(iris: &'a BTreeSet<String>) -> BareWords<'a> {
        let mut by_end: HashMap<&'a str, Option<&'a str>> = HashMap::new();
        for iri in iris {
            for (index, _) in iri.match_indices(['-', '/']) {
                match by_end.entry(&iri[index + 1..]) {
                    Entry::Vacant(entry) => {
                        entry.insert(Some(iri));
                    }
                    Entry::Occupied(mut entry) => {
                        entry.insert(None);
                    }
                }
            }
        }
        BareWords { by_end }
    }

    /// The one kept URI `word` is the end of, if exactly one.
    pub(super) fn expand(&self, word: &str) -> Option<&'a str> {
        self.by_end.get(word).copied().flatten()
    }
}

/// The prefixes of a `@context` (a list of context URLs, kept as they are, and objects of
/// prefix and namespace), their namespaces passed through `words` as the reference does.
pub(super) fn namespaces_of(
    context: &Value,
    words: Option<&BareWords<'_>>,
) -> Vec<(String, String)> {
    let Some(entries) = context.as_array() else {
        return Vec::new();
    };
    let replaced = |text: &str| match words.and_then(|words| words.expand(text)) {
        Some(iri) => iri.to_owned(),
        None => text.to_owned(),
    };
    let mut namespaces = Vec::new();
    for entry in entries {
        match entry {
            Value::String(url) => namespaces.push((url.clone(), replaced(url))),
            Value::Object(prefixes) => {
                for (prefix, namespace) in prefixes {
                    if let Value::String(namespace) = namespace {
                        namespaces.push((prefix.clone(), replaced(namespace)));
                    }
                }
            }
            _ => {}
        }
    }
    namespaces
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn kept(value: &Value) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        expanded_iris(
            value,
            &[("ex".into(), "https://ns.example.com/".into())],
            &mut out,
        )
        .unwrap();
        out
    }

    #[test]
    fn expands_the_vocabulary_fields_words_only() {
        let event = json!({
            "bizStep": "shipping",
            "disposition": "not_a_word",
            "bizTransactionList": [{"type": "po", "bizTransaction": "urn:x"}],
            "sensorElementList": [{"sensorReport": [{"type": "gs1:Angle", "component": "x"}]}],
            "persistentDisposition": {"set": ["recalled"]},
            "unknownField": "https://ref.gs1.org/cbv/BizStep-other",
            "ex:field": "https://gs1.org/voc/Mass",
        });
        let expected = [
            "https://gs1.org/voc/Angle",
            "https://gs1.org/voc/Mass",
            "https://ref.gs1.org/cbv/BTT-po",
            "https://ref.gs1.org/cbv/BizStep-shipping",
            "https://ref.gs1.org/cbv/Comp-x",
            "https://ref.gs1.org/cbv/Disp-recalled",
        ];
        assert_eq!(kept(&event).into_iter().collect::<Vec<_>>(), expected);
    }

    #[test]
    fn a_word_is_replaced_only_when_it_ends_one_uri() {
        let iris: BTreeSet<String> = [
            "https://ref.gs1.org/cbv/BizStep-shipping",
            "https://ref.gs1.org/cbv/SDT-owning_party",
            "https://ref.gs1.org/cbv/Comp-x",
            "https://gs1.org/voc/x",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        let words = BareWords::new(&iris);
        assert_eq!(
            words.expand("shipping"),
            Some("https://ref.gs1.org/cbv/BizStep-shipping")
        );
        assert_eq!(
            words.expand("BizStep-shipping"),
            Some("https://ref.gs1.org/cbv/BizStep-shipping")
        );
        assert_eq!(words.expand("party"), None, "after an underscore is no end");
        assert_eq!(words.expand("x"), None, "two URIs end with it");
    }

    #[test]
    fn reads_prefixes_of_a_context_list_only() {
        let context = json!(["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                             {"ex": "https://ns.example.com/"}, 5]);
        let namespaces = namespaces_of(&context, None);
        assert_eq!(namespaces.len(), 2);
        assert_eq!(
            namespaces[1],
            ("ex".to_owned(), "https://ns.example.com/".to_owned())
        );
        assert!(namespaces_of(&json!({"ex": "https://ns.example.com/"}), None).is_empty());
    }
}
