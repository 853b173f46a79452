//! The vocabulary of cases: the legal procedures (recall, REX verification, re-export permits,
//! end-user and import certificates) that run over the same log as goods.
//!
//! Only data lives here, because commands and events carry it; the rules live above: the
//! calendar, the clocks and the definition trait in `tanba-cases`, each procedure in its own
//! crate, their execution in the engine. A case's facts are plain values (state names, field
//! maps, clock values with the calendar version they were computed under), so replaying the log
//! needs no workflow code.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::code_key::{CodeKey, Gtin};
use crate::date::Date;
use crate::kz::TaxpayerId;

/// A case's id: the log sequence of the event that opened it.
pub type CaseId = u64;
/// A notice's id: the log sequence of the event that made it available.
pub type NoticeId = u64;

// ---------------------------------------------------------------------------------------------
// Clocks (their rules: `tanba_cases::clock`).

/// A deadline: its last day and the moment it ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    /// The last day of the term (provider's local day).
    pub day: Date,
    /// The moment the term ends, unix milliseconds.
    pub at_ms: u64,
    /// The calendar version it was computed with.
    pub calendar_version: u32,
    /// The listed days the term ran over that changed the count (days off on Monday-Friday,
    /// working Saturdays and Sundays), oldest first.
    pub listed_days_crossed: Vec<Date>,
}

/// Days of which kind a term counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayUnit {
    /// Working days of the calendar.
    WorkingDays,
    /// Calendar days.
    CalendarDays,
}

/// A warning rung of a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rung {
    /// Two working days before the due day.
    Approaching,
    /// The due day has begun.
    DueToday,
    /// The due moment has passed.
    Overdue,
}

impl Rung {
    /// The rung's name in feeds and pages.
    pub fn name(self) -> &'static str {
        match self {
            Rung::Approaching => "approaching",
            Rung::DueToday => "due_today",
            Rung::Overdue => "overdue",
        }
    }
}

/// Whether a clock runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Run {
    /// Running from the day after `since`, due at `due` (computed under a calendar version).
    Running {
        /// The day the run started (not counted).
        since: Date,
        /// When it ends if nothing changes.
        due: Due,
    },
    /// Paused on `since` (that day consumed).
    Paused {
        /// The day of the pause.
        since: Date,
    },
    /// Stopped on `at` (the step it timed was taken): it fires nothing more.
    Stopped {
        /// The day it stopped.
        at: Date,
    },
}

/// One legal term of a case: its budget, what earlier runs consumed, and the run in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalClock {
    /// The unit it counts.
    pub unit: DayUnit,
    /// The budget, in days of `unit`, an extension included.
    pub budget_days: u32,
    /// Days consumed by runs before the current one.
    pub consumed_days: u32,
    /// The extension granted, if any (days of `unit`).
    pub extended_by_days: Option<u32>,
    /// Running, paused or stopped.
    pub run: Run,
    /// Rungs already fired in the current run.
    pub fired: BTreeSet<Rung>,
}

impl LegalClock {
    /// The deadline of the current run, if it runs.
    pub fn due(&self) -> Option<&Due> {
        match &self.run {
            Run::Running { due, .. } => Some(due),
            Run::Paused { .. } | Run::Stopped { .. } => None,
        }
    }
}

/// What changed a clock: the reason a case's history gives for its new value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockChange {
    /// The term began.
    Started,
    /// The term was paused (waiting for another body).
    Paused,
    /// The term runs again.
    Resumed,
    /// The term was extended (once).
    Extended,
    /// The step it timed was taken.
    Stopped,
    /// A new calendar version moved its due moment (forward only: consumed days stay).
    Recomputed {
        /// The calendar version it was computed under before.
        from_version: u32,
    },
    /// A warning rung fired.
    Fired(Rung),
}

// ---------------------------------------------------------------------------------------------
// Forms.

/// A decimal number: `mantissa` × 10^-`scale` (quantities, values). Kept exact, never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Decimal {
    /// The digits.
    pub mantissa: i64,
    /// Digits after the point.
    pub scale: u8,
}

/// Most digits after a decimal point.
pub const DECIMAL_SCALE_MAX: u8 = 6;

impl Decimal {
    /// Reads `12`, `-3.50`, `0.001` (at most [`DECIMAL_SCALE_MAX`] digits after the point; no
    /// exponent, no sign on zero's behalf, no spaces).
    pub fn parse(text: &str) -> Option<Decimal> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = match digits.split_once('.') {
            Some((whole, fraction)) if !fraction.is_empty() => (whole, fraction),
            Some(_) => return None,
            None => (digits, ""),
        };
        let all_digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return None;
        }
        let scale = u8::try_from(fraction.len())
            .ok()
            .filter(|scale| *scale <= DECIMAL_SCALE_MAX)?;
        let magnitude: i64 = format!("{whole}{fraction}").parse().ok()?;
        Some(Decimal {
            mantissa: if negative { -magnitude } else { magnitude },
            scale,
        })
    }

    /// Whether the number is above zero.
    pub fn is_positive(&self) -> bool {
        self.mantissa > 0
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let digits = self.mantissa.unsigned_abs().to_string();
        let scale = usize::from(self.scale);
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (whole, fraction) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{whole}.{fraction}")
    }
}

/// One value of a form field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scalar {
    /// Text (names, numbers of outside documents, codes of classifiers: the field's kind says
    /// which checks apply).
    Text(String),
    /// A whole number.
    Integer(i64),
    /// An exact decimal.
    Decimal(Decimal),
    /// A calendar day.
    Date(Date),
    /// A moment, unix milliseconds.
    Moment(u64),
    /// Yes or no.
    Flag(bool),
    /// A participant (IIN or BIN).
    Taxpayer(TaxpayerId),
    /// A marked code or package.
    Code(CodeKey),
}

/// A form field's value: one scalar, a list of them, or a table of rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldValue {
    /// One value.
    One(Scalar),
    /// Several values of one kind.
    List(Vec<Scalar>),
    /// Rows of named values (goods lines, quantities with units).
    Rows(Vec<BTreeMap<String, Scalar>>),
}

/// The data a step submits, by field name. Ordered, so its bytes (and signature) are canonical.
pub type Form = BTreeMap<String, FieldValue>;

// ---------------------------------------------------------------------------------------------
// Attachments, texts, notices.

/// A file a case step names: content-addressed, stored once outside the state columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentRef {
    /// BLAKE3 of the content.
    pub hash: [u8; 32],
    /// The file's name as the submitter gave it.
    pub name: String,
    /// Its media type (`application/pdf`).
    pub media_type: String,
    /// Its size in bytes.
    pub size_bytes: u64,
    /// The language of its text (`kk`, `ru`, `en`, or another ISO 639-1 code), if it has one.
    pub language: Option<String>,
    /// The attachment it translates, if it is a translation (R-CER-04).
    pub translation_of: Option<[u8; 32]>,
}

/// A text in Kazakh, Russian and English, all three given (notices, grounds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Texts {
    /// Kazakh.
    pub kk: String,
    /// Russian.
    pub ru: String,
    /// English.
    pub en: String,
}

impl Texts {
    /// The text in `language`.
    pub fn in_language(&self, language: crate::Language) -> &str {
        match language {
            crate::Language::Kk => &self.kk,
            crate::Language::Ru => &self.ru,
            crate::Language::En => &self.en,
        }
    }
}

/// A notice made available to a party: written once, as an event, when it is made available;
/// legal terms run from that moment (the log record's time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// Who it is for.
    pub to: TaxpayerId,
    /// The case it belongs to.
    pub case: CaseId,
    /// Its kind, for filters (`recall_holder`, `claim_overdue`).
    pub kind: String,
    /// Its subject line.
    pub subject: Texts,
    /// Its text.
    pub body: Texts,
}

// ---------------------------------------------------------------------------------------------
// Goods a case acts on.

/// Goods a recall names (R-REC-02): a product, narrowed by batch, production dates or explicit
/// codes and packages. Every part given must match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoodsScope {
    /// The product.
    pub gtin: Gtin,
    /// Its batch or series, if the scope is one.
    pub batch: Option<String>,
    /// Produced on or after, if given.
    pub produced_from: Option<Date>,
    /// Produced on or before, if given.
    pub produced_through: Option<Date>,
    /// Explicit codes or packages (with their content), if the scope is a list.
    pub codes: Vec<CodeKey>,
}

/// What a case step asks of the engine about goods: decided by the engine's own rules and
/// recorded in the same atomic group as the case's event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoodsRequest {
    /// Refuse every unit in scope at tills and show it recalled at the public check, at once.
    BlockScope(GoodsScope),
    /// Lift the case's scope block (conformity confirmed).
    ReleaseScope,
    /// The units of the case's scope that its party holds leave circulation as disposed of
    /// (R-REC-03): withdrawn page by page on the writer's ticks.
    WithdrawHeld,
    /// The case's permit authorizes its party to export controlled goods outside the EAEU.
    Authorize(ExportAuthorization),
    /// The case's authorization ends (the permit revoked or expired).
    EndAuthorization,
}

/// What a permit authorizes: its party may withdraw, for export outside the EAEU, units of
/// controlled goods of this HS code and control-list code for this end user, up to `units`
/// units, through `valid_until`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportAuthorization {
    /// The permit's number.
    pub number: DocumentNumber,
    /// The goods' 10-digit HS code.
    pub hs_code: String,
    /// The goods' control-list code (a unit's category code matches it or one of its sub-items).
    pub control_code: String,
    /// The end user, as the permit names it.
    pub end_user: String,
    /// How many units (pieces) it covers.
    pub units: u64,
    /// Its last valid day.
    pub valid_until: Date,
}

/// A withdrawal for export under a permit, as the withdrawal names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportUse {
    /// The permit's number.
    pub permit: DocumentNumber,
    /// The end user the goods go to (compared with the permit's, ignoring case and spacing).
    pub end_user: String,
}

/// A withdrawal that used a permit: which, of which case, for how many units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportUsed {
    /// The permit's number.
    pub permit: DocumentNumber,
    /// Its case.
    pub case: CaseId,
    /// The units withdrawn.
    pub units: u64,
}

/// A stage of a state service as the monitoring body sees it (R-PER-10, R-CER-19): the case,
/// what was done, the state reached, the deadline that stood over it and whether it was met.
/// Its moment is its log record's time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageReport {
    /// The case.
    pub case: CaseId,
    /// The procedure's kind name.
    pub kind: String,
    /// The stage: the transition taken, or `tick` for the timer's.
    pub stage: String,
    /// The state it led to.
    pub state: String,
    /// The term that stood over the stage: its clock and due moment (unix milliseconds).
    pub deadline: Option<(String, u64)>,
    /// Whether the stage came by that deadline (true when none stood).
    pub on_time: bool,
}

/// A document's number in a yearly series (`EUC-2026-000017`): sequential per series and
/// year, never reused (A-CER-10), assigned by the engine in log order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DocumentNumber {
    /// The series: capital letters (`EUC`, `IIC`, `PER`).
    pub series: String,
    /// The year, in the provider's time zone, of the day it was assigned.
    pub year: i32,
    /// Its place in the series' year, from 1.
    pub number: u32,
}

/// Most characters of a document series.
pub const DOCUMENT_SERIES_CHARS_MAX: usize = 8;

impl DocumentNumber {
    /// Reads `EUC-2026-000017` (six digits at least: a series past 999,999 in a year prints
    /// more, as [`Display`](fmt::Display) does).
    pub fn parse(text: &str) -> Option<DocumentNumber> {
        let mut parts = text.splitn(3, '-');
        let series = parts.next()?;
        let year = parts.next()?;
        let number = parts.next()?;
        let series_ok = (1..=DOCUMENT_SERIES_CHARS_MAX).contains(&series.len())
            && series.bytes().all(|byte| byte.is_ascii_uppercase());
        let digits = |text: &str, count: usize| {
            text.len() == count && text.bytes().all(|byte| byte.is_ascii_digit())
        };
        let number_ok = (6..=10).contains(&number.len()) && digits(number, number.len());
        if !series_ok || !digits(year, 4) || !number_ok {
            return None;
        }
        Some(DocumentNumber {
            series: series.to_owned(),
            year: year.parse().ok()?,
            number: number.parse().ok().filter(|number| *number > 0)?,
        })
    }
}

impl fmt::Display for DocumentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:04}-{:06}", self.series, self.year, self.number)
    }
}

/// A sweep over a case's goods, done page by page on the writer's ticks so that a million units
/// never make one commit: counting who holds what, notifying the holders, withdrawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SweepPhase {
    /// Who holds each unit of the scope as the block took effect (R-REC holders' counts).
    Census,
    /// Each holder is sent its count.
    Notify,
    /// The units the party holds are withdrawn as disposed of.
    Withdraw,
}

/// Where a sweep stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepJob {
    /// What it does.
    pub phase: SweepPhase,
    /// The key, within the phase's order, of the last entry done; `None` before the first.
    pub after: Option<Vec<u8>>,
}

/// How many units of a case's scope one holder had as the block took effect.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolderCounts {
    /// Units in its hands.
    pub held: u64,
    /// Units it had sold to consumers before.
    pub sold: u64,
    /// Units that had left circulation otherwise before.
    pub gone: u64,
}

impl HolderCounts {
    /// Adds a census page's units.
    pub fn add(&mut self, holding: &Holding) {
        self.held += holding.held.len() as u64;
        self.sold += holding.sold.len() as u64;
        self.gone += holding.gone.len() as u64;
    }
}

/// One holder's units of a recall's scope as the block took effect, in one census page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holding {
    /// Who held them (the owner of the outermost package, in transit or not).
    pub holder: TaxpayerId,
    /// Units in its hands.
    pub held: Vec<CodeKey>,
    /// Units it had sold to consumers before the recall.
    pub sold: Vec<CodeKey>,
    /// Units that had left circulation otherwise before the recall (written off, exported).
    pub gone: Vec<CodeKey>,
}

// ---------------------------------------------------------------------------------------------
// The command.

impl CaseStep {
    /// The command this step was taken by, as its signer signed it (an opening's fields from
    /// `opening`): what a signature in the log is checked against, offline.
    pub fn signed_command(&self, opening: Option<&CaseOpening>) -> CaseCommand {
        match opening {
            Some(opening) => CaseCommand::Open {
                kind: opening.kind.clone(),
                transition: self.transition.clone(),
                authority: opening.authority,
                parent: opening.parent,
                named: opening.named.clone(),
                form: self.form.clone(),
                attachments: self.attachments.clone(),
                signature: self.signature.clone(),
            },
            None => CaseCommand::Step {
                case: self.case,
                transition: self.transition.clone(),
                form: self.form.clone(),
                attachments: self.attachments.clone(),
                signature: self.signature.clone(),
            },
        }
    }
}

/// A command on cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseCommand {
    /// Opens a case of `kind` by its opening transition. The actor becomes its party (the
    /// applicant or obligated party).
    Open {
        /// The definition's kind name (`recall`).
        kind: String,
        /// The opening transition.
        transition: String,
        /// The authority whose officials handle it, if the procedure has one.
        authority: Option<TaxpayerId>,
        /// The case this one belongs to (a claim under a recall, a complaint under a permit).
        parent: Option<CaseId>,
        /// Other parties the case names (a claim's obligated parties).
        named: Vec<TaxpayerId>,
        /// The form.
        form: Form,
        /// Files it rests on.
        attachments: Vec<AttachmentRef>,
        /// The actor's detached signature over the step's canonical bytes.
        signature: Vec<u8>,
    },
    /// Takes a transition of an open case.
    Step {
        /// The case.
        case: CaseId,
        /// The transition's name.
        transition: String,
        /// The form.
        form: Form,
        /// Files it rests on.
        attachments: Vec<AttachmentRef>,
        /// The actor's detached signature over the step's canonical bytes.
        signature: Vec<u8>,
    },
    /// The addressee marks a notice read.
    ReadNotice {
        /// The notice.
        notice: NoticeId,
    },
    /// The system's timer: fires the clock rungs due at the stamped time. Only the system.
    Tick,
}

/// A case's facts at one step, as an event records them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseStep {
    /// The case.
    pub case: CaseId,
    /// The transition taken.
    pub transition: String,
    /// The state it led to.
    pub state: String,
    /// Whether that state closes the case.
    pub closed: bool,
    /// The form submitted.
    pub form: Form,
    /// Files named.
    pub attachments: Vec<AttachmentRef>,
    /// The actor's signature.
    pub signature: Vec<u8>,
}

/// The facts of a case's opening that later steps do not change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseOpening {
    /// The definition's kind name.
    pub kind: String,
    /// The text version governing it (order number and amendment).
    pub text_version: String,
    /// The applicant or obligated party.
    pub party: TaxpayerId,
    /// The authority, if any.
    pub authority: Option<TaxpayerId>,
    /// The case it belongs to.
    pub parent: Option<CaseId>,
    /// Other parties named.
    pub named: Vec<TaxpayerId>,
    /// The version of each reference set in force when it opened, by set name: its forms were
    /// checked against these.
    pub references: Vec<(String, u32)>,
}

impl CaseCommand {
    /// The command's name in logs and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            CaseCommand::Open { .. } => "case_open",
            CaseCommand::Step { .. } => "case_step",
            CaseCommand::ReadNotice { .. } => "notice_read",
            CaseCommand::Tick => "case_tick",
        }
    }

    /// The canonical bytes the actor signs for an opening or a step (detached Ed25519, like
    /// documents), or `None` for the others. Lines of UTF-8 text, each ending in `\n`, in this
    /// order:
    ///
    /// ```text
    /// tanba-case-step-v1
    /// signer: <IIN/BIN>
    /// kind: <kind>                      (open)       | case: <id>   (step)
    /// authority: <IIN/BIN>              (open, if any)
    /// parent: <id>                      (open, if any)
    /// named: <IIN/BIN>                  (open, one line each, in the order sent)
    /// transition: <name>
    /// field: <name> = <value>           (one per scalar, fields in name order;
    /// field: <name>[<i>] = <value>       lists by index, rows by index and column name)
    /// field: <name>[<i>].<column> = <value>
    /// attachment: <BLAKE3 hex> <size> <name>
    /// ```
    ///
    /// Values: text as is, numbers in decimal, dates `YYYY-MM-DD`, moments as unix milliseconds,
    /// flags `true`/`false`, taxpayers by number, codes in GS1's bracketed form. In text and
    /// names `\` is written `\\` and a line break `\n`, so every value stays on its line.
    pub fn signed_bytes(&self, signer: &TaxpayerId) -> Option<Vec<u8>> {
        let mut out = String::from("tanba-case-step-v1\n");
        out.push_str(&format!("signer: {signer}\n"));
        let (transition, form, attachments) = match self {
            CaseCommand::Open {
                kind,
                transition,
                authority,
                parent,
                named,
                form,
                attachments,
                ..
            } => {
                out.push_str(&format!("kind: {}\n", escaped(kind)));
                if let Some(authority) = authority {
                    out.push_str(&format!("authority: {authority}\n"));
                }
                if let Some(parent) = parent {
                    out.push_str(&format!("parent: {parent}\n"));
                }
                for party in named {
                    out.push_str(&format!("named: {party}\n"));
                }
                (transition, form, attachments)
            }
            CaseCommand::Step {
                case,
                transition,
                form,
                attachments,
                ..
            } => {
                out.push_str(&format!("case: {case}\n"));
                (transition, form, attachments)
            }
            CaseCommand::ReadNotice { .. } | CaseCommand::Tick => return None,
        };
        out.push_str(&format!("transition: {}\n", escaped(transition)));
        for (name, value) in form {
            let name = escaped(name);
            match value {
                FieldValue::One(scalar) => {
                    out.push_str(&format!("field: {name} = {}\n", canonical(scalar)));
                }
                FieldValue::List(values) => {
                    for (index, scalar) in values.iter().enumerate() {
                        out.push_str(&format!("field: {name}[{index}] = {}\n", canonical(scalar)));
                    }
                }
                FieldValue::Rows(rows) => {
                    for (index, row) in rows.iter().enumerate() {
                        for (column, scalar) in row {
                            out.push_str(&format!(
                                "field: {name}[{index}].{} = {}\n",
                                escaped(column),
                                canonical(scalar)
                            ));
                        }
                    }
                }
            }
        }
        for attachment in attachments {
            let hash: String = attachment
                .hash
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect();
            out.push_str(&format!(
                "attachment: {hash} {} {}\n",
                attachment.size_bytes,
                escaped(&attachment.name)
            ));
        }
        Some(out.into_bytes())
    }
}

/// `text` with `\` and line breaks escaped, so it stays on one line.
fn escaped(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

/// A scalar's canonical text.
fn canonical(scalar: &Scalar) -> String {
    match scalar {
        Scalar::Text(text) => escaped(text),
        Scalar::Integer(number) => number.to_string(),
        Scalar::Decimal(number) => number.to_string(),
        Scalar::Date(date) => date.to_string(),
        Scalar::Moment(ms) => ms.to_string(),
        Scalar::Flag(flag) => flag.to_string(),
        Scalar::Taxpayer(id) => id.to_string(),
        Scalar::Code(code) => code.to_string(),
    }
}
