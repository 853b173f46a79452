//! The recall case (WORKFLOWS 1.3, T1-T10).

use tanba_cases::CaseError;
use tanba_cases::definition::{
    Addressee, CaseRole, CaseView, ClockOp, Definition, FieldKind, FieldSpec, NoticeDraft, Outcome,
    Shape, StateSpec, StepContext, StepView, TransitionSpec,
};
use tanba_cases::form::{codes, date, moment, text};
use tanba_types::limits::{FORM_FIELD_VALUES_MAX, REFERENCE_CHARS_MAX};
use tanba_types::{
    DayUnit, Form, GoodsRequest, GoodsScope, Gtin, HolderCounts, Role, TaxpayerId, Texts,
};

use crate::texts;

/// The state after the ground is established (T1).
pub const GROUND_ESTABLISHED: &str = "ground_established";
/// Recalling: the scope is blocked, buyers are being notified and goods taken back (T2-T5).
pub const RECALLING: &str = "recalling";
/// A removable non-conformity is being corrected (T6).
pub const CORRECTING: &str = "correcting";
/// Corrected under an R-REC-11 condition (T7).
pub const CORRECTED: &str = "corrected";
/// An irremovable non-conformity: disposal under way (T8).
pub const DISPOSING: &str = "disposing";
/// Disposed of (T9).
pub const DISPOSED: &str = "disposed";
/// Reported to the authority (T10): closed.
pub const REPORTED: &str = "reported";

const STATES: &[StateSpec] = &[
    StateSpec {
        name: GROUND_ESTABLISHED,
        closed: false,
    },
    StateSpec {
        name: RECALLING,
        closed: false,
    },
    StateSpec {
        name: CORRECTING,
        closed: false,
    },
    StateSpec {
        name: CORRECTED,
        closed: false,
    },
    StateSpec {
        name: DISPOSING,
        closed: false,
    },
    StateSpec {
        name: DISPOSED,
        closed: false,
    },
    StateSpec {
        name: REPORTED,
        closed: true,
    },
];

/// D-REC-1: 3 calendar days from the moment the ground arose, to notify buyers directly.
pub const DIRECT_NOTICE_CLOCK: &str = "D-REC-1";
/// D-REC-2: 30 calendar days from the day the non-conformity was detected, to dispose.
pub const DISPOSAL_CLOCK: &str = "D-REC-2";
/// D-REC-3: the term agreed with the buyer, to correct.
pub const CORRECTION_CLOCK: &str = "D-REC-3";
/// Calendar days of D-REC-1.
pub const DIRECT_NOTICE_DAYS: u32 = 3;
/// Calendar days of D-REC-2.
pub const DISPOSAL_DAYS: u32 = 30;

/// The R-REC-11 conditions under which a violation counts as removed.
pub const CONDITIONS: &[&str] = &[
    "corrective_actions_agreed",
    "design_changed",
    "technology_change_harmless",
    "corrective_actions_with_testing",
];
/// The condition that needs a conformity document (repeated testing and assessment).
const CONDITION_WITH_TESTING: &str = "corrective_actions_with_testing";
/// The disposal outcomes of R-REC-03 with A-REC-2.
pub const DISPOSALS: &[&str] = &[
    "reprocessed",
    "recycled",
    "destroyed",
    "exported",
    "already_exported",
];
/// Units of the report's quantities (A-REC-3).
pub const UNITS: &[&str] = &["piece", "kg", "l"];

const TEXT: FieldKind = FieldKind::Text { max_chars: 4_000 };
const SHORT: FieldKind = FieldKind::Text {
    max_chars: REFERENCE_CHARS_MAX,
};
const COUNT: FieldKind = FieldKind::Integer {
    min: 0,
    max: i64::MAX,
};

const fn field(name: &'static str, kind: FieldKind, required: bool) -> FieldSpec {
    FieldSpec::one(name, kind, required)
}

const GROUND_FIELDS: &[FieldSpec] = &[
    field("ground_arose_at", FieldKind::PastMoment, true),
    field("detected_at", FieldKind::PastMoment, true),
    field("product_name", TEXT, true),
    field("non_conformity", TEXT, true),
];
const SCOPE_FIELDS: &[FieldSpec] = &[
    field("gtin", FieldKind::Gtin, true),
    field("batch", SHORT, false),
    field("produced_from", FieldKind::Date, false),
    field("produced_through", FieldKind::Date, false),
    FieldSpec {
        name: "codes",
        kind: FieldKind::Code,
        shape: Shape::List {
            max: FORM_FIELD_VALUES_MAX,
        },
        required: false,
    },
    field("quantity", COUNT, false),
    field("contacts", TEXT, true),
    field("collection_points", TEXT, true),
    field("responsible_persons", TEXT, true),
];
const DIRECT_NOTICE_FIELDS: &[FieldSpec] = &[
    field("buyers_notified", COUNT, true),
    field("channel", TEXT, true),
];
const REFUND_FIELDS: &[FieldSpec] = &[
    field(
        "units_refunded",
        FieldKind::Integer {
            min: 1,
            max: i64::MAX,
        },
        true,
    ),
    field("note", TEXT, false),
];
const REMOVABLE_FIELDS: &[FieldSpec] = &[
    field("agreed_until", FieldKind::Date, true),
    field("corrective_actions", TEXT, true),
];
const CORRECTED_FIELDS: &[FieldSpec] = &[
    field("condition", FieldKind::Choice(CONDITIONS), true),
    field("conformity_document", SHORT, false),
];
const IRREMOVABLE_FIELDS: &[FieldSpec] = &[field("reason", TEXT, true)];
const DISPOSE_FIELDS: &[FieldSpec] = &[
    field("outcome", FieldKind::Choice(DISPOSALS), true),
    field("export_document", SHORT, false),
    field("conformity_document", SHORT, false),
    field("note", TEXT, false),
];
const CONFORMITY_FIELDS: &[FieldSpec] = &[field("conformity_document", SHORT, true)];
const QUANTITY_COLUMNS: &[FieldSpec] = &[
    field("quantity", FieldKind::PositiveDecimal, true),
    field("unit", FieldKind::Choice(UNITS), true),
];
const REPORT_FIELDS: &[FieldSpec] = &[
    field("report_product_name", TEXT, true),
    field("hs_code", FieldKind::HsCode, true),
    FieldSpec {
        name: "quantities",
        kind: FieldKind::PositiveDecimal,
        shape: Shape::Rows {
            columns: QUANTITY_COLUMNS,
            max: 3,
        },
        required: true,
    },
    field("value", FieldKind::PositiveDecimal, true),
    field("currency", FieldKind::Currency, true),
    field("report_batch", SHORT, true),
    field("production_date", FieldKind::Date, true),
    field("conformity_assessment", TEXT, true),
    FieldSpec {
        name: "violated_clauses",
        kind: SHORT,
        shape: Shape::List { max: 100 },
        required: true,
    },
];

const PARTY: &[CaseRole] = &[CaseRole::Party];
const UNDER_WAY: &[&str] = &[RECALLING, CORRECTING, DISPOSING];

const TRANSITIONS: &[TransitionSpec] = &[
    TransitionSpec {
        name: "establish_ground",
        from: &[],
        to: &[GROUND_ESTABLISHED],
        by: PARTY,
        fields: GROUND_FIELDS,
        clause: "cl. 3",
    },
    TransitionSpec {
        name: "start_recall",
        from: &[GROUND_ESTABLISHED],
        to: &[RECALLING],
        by: PARTY,
        fields: SCOPE_FIELDS,
        clause: "cl. 4, 5, 11",
    },
    TransitionSpec {
        name: "notify_buyers_directly",
        from: UNDER_WAY,
        to: UNDER_WAY,
        by: PARTY,
        fields: DIRECT_NOTICE_FIELDS,
        clause: "cl. 12",
    },
    TransitionSpec {
        name: "refund",
        from: UNDER_WAY,
        to: UNDER_WAY,
        by: PARTY,
        fields: REFUND_FIELDS,
        clause: "cl. 5, 6",
    },
    TransitionSpec {
        name: "assess_removable",
        from: &[RECALLING],
        to: &[CORRECTING],
        by: PARTY,
        fields: REMOVABLE_FIELDS,
        clause: "cl. 8",
    },
    TransitionSpec {
        name: "correct",
        from: &[CORRECTING],
        to: &[CORRECTED],
        by: PARTY,
        fields: CORRECTED_FIELDS,
        clause: "cl. 8, 9",
    },
    TransitionSpec {
        name: "assess_irremovable",
        from: &[RECALLING],
        to: &[DISPOSING],
        by: PARTY,
        fields: IRREMOVABLE_FIELDS,
        clause: "cl. 7",
    },
    TransitionSpec {
        name: "dispose",
        from: &[DISPOSING],
        to: &[DISPOSED],
        by: PARTY,
        fields: DISPOSE_FIELDS,
        clause: "cl. 7",
    },
    TransitionSpec {
        name: "confirm_conformity",
        from: &[DISPOSED],
        to: &[DISPOSED],
        by: PARTY,
        fields: CONFORMITY_FIELDS,
        clause: "cl. 13",
    },
    TransitionSpec {
        name: "report",
        from: &[CORRECTED, DISPOSED],
        to: &[REPORTED],
        by: PARTY,
        fields: REPORT_FIELDS,
        clause: "cl. 10",
    },
];

/// The recall procedure.
#[derive(Debug, Clone, Copy, Default)]
pub struct Recall;

/// Its kind name.
pub const KIND: &str = "recall";

impl Definition for Recall {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn text_version(&self) -> &'static str {
        crate::TEXT_VERSION
    }

    fn states(&self) -> &'static [StateSpec] {
        STATES
    }

    fn transitions(&self) -> &'static [TransitionSpec] {
        TRANSITIONS
    }

    /// R-REC-01: the producer (or its authorized person), the importer, the seller.
    fn clocks(&self) -> &'static [&'static str] {
        &[DIRECT_NOTICE_CLOCK, DISPOSAL_CLOCK, CORRECTION_CLOCK]
    }

    fn opener_roles(&self) -> &'static [Role] {
        &[
            Role::Producer,
            Role::Importer,
            Role::Wholesaler,
            Role::Retailer,
        ]
    }

    /// The technical-regulation authority receives the report (R-REC-05).
    fn requires_authority(&self) -> bool {
        true
    }

    fn decide(
        &self,
        case: Option<&CaseView<'_>>,
        step: &StepView<'_>,
        context: &StepContext<'_>,
    ) -> Result<Outcome, CaseError> {
        let form = step.form;
        let mut outcome = Outcome::default();
        match (step.transition.name, case) {
            ("establish_ground", None) => {
                let arose = moment(form, "ground_arose_at").expect("a checked field");
                outcome.clocks.push(ClockOp::Start {
                    name: DIRECT_NOTICE_CLOCK,
                    unit: DayUnit::CalendarDays,
                    days: DIRECT_NOTICE_DAYS,
                    on: context.calendar.local(arose).0,
                });
            }
            ("start_recall", Some(case)) => {
                let scope = scope(form)?;
                outcome.notices.push(NoticeDraft {
                    to: Addressee::Authority,
                    kind: "recall_started",
                    subject: texts::recall_started_subject(case.id),
                    body: texts::recall_started_body(case.data, form),
                });
                outcome.goods.push(GoodsRequest::BlockScope(scope));
            }
            ("notify_buyers_directly", Some(_)) => {
                outcome.clocks.push(ClockOp::Stop(DIRECT_NOTICE_CLOCK));
            }
            ("refund", Some(_)) => {}
            ("assess_removable", Some(_)) => {
                let until = date(form, "agreed_until").expect("a checked field");
                let today = context.today();
                let days = until.days_since_epoch() - today.days_since_epoch();
                let days = u32::try_from(days)
                    .ok()
                    .filter(|days| *days > 0)
                    .ok_or_else(|| {
                        CaseError::rule("TANBA-RECALL-AGREED-TERM", until.to_string())
                    })?;
                outcome.clocks.push(ClockOp::Start {
                    name: CORRECTION_CLOCK,
                    unit: DayUnit::CalendarDays,
                    days,
                    on: today,
                });
            }
            ("correct", Some(_)) => correct(form, &mut outcome)?,
            ("assess_irremovable", Some(case)) => {
                let detected = moment(case.data, "detected_at").expect("recorded at T1");
                outcome.clocks.push(ClockOp::Start {
                    name: DISPOSAL_CLOCK,
                    unit: DayUnit::CalendarDays,
                    days: DISPOSAL_DAYS,
                    on: context.calendar.local(detected).0,
                });
            }
            ("dispose", Some(_)) => dispose(form, &mut outcome)?,
            ("confirm_conformity", Some(case)) => {
                if text(case.data, "outcome") != Some("reprocessed") {
                    return Err(CaseError::rule(
                        "TANBA-RECALL-NOT-REPROCESSED",
                        "confirm_conformity",
                    ));
                }
                outcome.goods.push(GoodsRequest::ReleaseScope);
            }
            ("report", Some(case)) => {
                outcome.notices.push(NoticeDraft {
                    to: Addressee::Authority,
                    kind: "recall_report",
                    subject: texts::report_subject(case.id),
                    body: texts::report_body(case.id, form),
                });
            }
            (name, _) => unreachable!("the executor passes only {KIND} steps, not {name}"),
        }
        Ok(outcome)
    }

    /// The public check shows the recall's notice with its collection points and contacts
    /// (R-REC-06, cl. 11), to the consumer holding a unit.
    fn public_notice(&self, case: &CaseView<'_>) -> Option<Texts> {
        Some(texts::public_notice(case.data))
    }

    /// Every registered holder of recalled units learns its exact count (R-REC-04, cl. 11).
    fn holder_notice(
        &self,
        case: &CaseView<'_>,
        holder: TaxpayerId,
        counts: &HolderCounts,
    ) -> Option<NoticeDraft> {
        Some(NoticeDraft {
            to: Addressee::Participant(holder),
            kind: "recall_holder",
            subject: texts::holder_subject(case.id, counts.held),
            body: texts::holder_body(case.id, case.data, case.data, counts.held, counts.sold),
        })
    }
}

/// The goods a start names (R-REC-02).
fn scope(form: &Form) -> Result<GoodsScope, CaseError> {
    let gtin: Gtin = text(form, "gtin")
        .and_then(|gtin| gtin.parse().ok())
        .expect("a checked field");
    let produced_from = date(form, "produced_from");
    let produced_through = date(form, "produced_through");
    if let (Some(from), Some(through)) = (produced_from, produced_through)
        && from > through
    {
        return Err(CaseError::rule(
            "TANBA-RECALL-DATES",
            format!("{from} > {through}"),
        ));
    }
    Ok(GoodsScope {
        gtin,
        batch: text(form, "batch").map(str::to_owned),
        produced_from,
        produced_through,
        codes: codes(form, "codes"),
    })
}

/// T7: corrected under an R-REC-11 condition; the goods circulate again (the fourth condition,
/// with repeated testing, needs its conformity document).
fn correct(form: &Form, outcome: &mut Outcome) -> Result<(), CaseError> {
    let condition = text(form, "condition").expect("a checked field");
    if condition == CONDITION_WITH_TESTING && text(form, "conformity_document").is_none() {
        return Err(CaseError::rule(
            "TANBA-RECALL-CONFORMITY-DOCUMENT",
            condition,
        ));
    }
    outcome.clocks.push(ClockOp::Stop(CORRECTION_CLOCK));
    outcome.goods.push(GoodsRequest::ReleaseScope);
    Ok(())
}

/// T9: disposed of. Exports name their document (A-REC-2); reprocessed goods stay blocked until
/// their conformity is confirmed (R-REC-12), here or by a later step.
fn dispose(form: &Form, outcome: &mut Outcome) -> Result<(), CaseError> {
    let how = text(form, "outcome").expect("a checked field");
    if matches!(how, "exported" | "already_exported") && text(form, "export_document").is_none() {
        return Err(CaseError::rule("TANBA-RECALL-EXPORT-DOCUMENT", how));
    }
    let conformity = text(form, "conformity_document");
    if conformity.is_some() && how != "reprocessed" {
        return Err(CaseError::rule("TANBA-RECALL-NOT-REPROCESSED", how));
    }
    outcome.clocks.push(ClockOp::Stop(DISPOSAL_CLOCK));
    if how != "reprocessed" {
        // The codes leave circulation with the disposal as their reason (cl. 7); reprocessed
        // goods stay blocked until their conformity is confirmed (R-REC-12).
        outcome.goods.push(GoodsRequest::WithdrawHeld);
    } else if conformity.is_some() {
        outcome.goods.push(GoodsRequest::ReleaseScope);
    }
    Ok(())
}
