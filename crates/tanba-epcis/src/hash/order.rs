//! The canonical property order of CBV 2.0 section 8.9, as the reference applies it (its
//! `PROP_ORDER`): which fields are written first, in which order, and in which order their own
//! fields are written.
//!
//! Two departures from the standard's table, both the reference's and both in its vectors:
//! `certificationInfo` comes right after `eventTimeZoneOffset`, and the business transaction,
//! source and destination lists have an order that matches none of their items, so they are
//! written with what is left after the ordered fields, sorted with it.

/// A field and, if its own fields are ordered too, their order.
pub(super) struct Field {
    pub(super) name: &'static str,
    pub(super) children: Option<&'static [Field]>,
}

const fn field(name: &'static str) -> Field {
    Field {
        name,
        children: None,
    }
}

const fn parent(name: &'static str, children: &'static [Field]) -> Field {
    Field {
        name,
        children: Some(children),
    }
}

const EPC: &[Field] = &[field("epc")];

const QUANTITY_ELEMENT: &[Field] = &[parent(
    "quantityElement",
    &[field("epcClass"), field("quantity"), field("uom")],
)];

const PERSISTENT_DISPOSITION: &[Field] = &[field("set"), field("unset")];

const ID: &[Field] = &[field("id")];

/// The reference's order for the typed lists: one that no item matches.
const TYPED_LIST_ITEM: &[Field] = &[];

const SENSOR_METADATA: &[Field] = &[
    field("time"),
    field("startTime"),
    field("endTime"),
    field("deviceID"),
    field("deviceMetadata"),
    field("rawData"),
    field("dataProcessingMethod"),
    field("bizRules"),
];

const SENSOR_REPORT: &[Field] = &[
    field("type"),
    field("exception"),
    field("deviceID"),
    field("deviceMetadata"),
    field("rawData"),
    field("dataProcessingMethod"),
    field("time"),
    field("microorganism"),
    field("chemicalSubstance"),
    field("value"),
    field("component"),
    field("stringValue"),
    field("booleanValue"),
    field("hexBinaryValue"),
    field("uriValue"),
    field("minValue"),
    field("maxValue"),
    field("meanValue"),
    field("sDev"),
    field("percRank"),
    field("percValue"),
    field("uom"),
    field("coordinateReferenceSystem"),
];

const SENSOR_ELEMENT: &[Field] = &[parent(
    "sensorElement",
    &[
        parent("sensorMetadata", SENSOR_METADATA),
        parent("sensorReport", SENSOR_REPORT),
    ],
)];

/// The order of an event's fields.
pub(super) const EVENT: &[Field] = &[
    field("eventTime"),
    field("eventTimeZoneOffset"),
    field("certificationInfo"),
    parent("epcList", EPC),
    field("parentID"),
    parent("inputEPCList", EPC),
    parent("childEPCs", EPC),
    parent("quantityList", QUANTITY_ELEMENT),
    parent("childQuantityList", QUANTITY_ELEMENT),
    parent("inputQuantityList", QUANTITY_ELEMENT),
    parent("outputEPCList", EPC),
    parent("outputQuantityList", QUANTITY_ELEMENT),
    field("action"),
    field("transformationID"),
    field("bizStep"),
    field("disposition"),
    parent("persistentDisposition", PERSISTENT_DISPOSITION),
    parent("readPoint", ID),
    parent("bizLocation", ID),
    parent("bizTransactionList", TYPED_LIST_ITEM),
    parent("sourceList", TYPED_LIST_ITEM),
    parent("destinationList", TYPED_LIST_ITEM),
    parent("sensorElementList", SENSOR_ELEMENT),
];

/// Event fields never hashed (with what is left after the ordered fields).
pub(super) const NOT_HASHED: [&str; 4] = ["recordTime", "eventID", "type", "errorDeclaration"];
