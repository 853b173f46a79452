//! A case run in memory through the [`executor`](crate::executor), keeping what the engine
//! keeps of it (state, the latest value of each field, clocks, files, who took what, notices,
//! goods requests), so a procedure's crate tests its rules clause by clause without a store.
//! The engine's own tests run the same definitions over the log; this is their fast twin, not
//! a replacement: it holds no ownership, signature or storage rule.

use std::collections::BTreeMap;

use tanba_types::{
    AttachmentRef, CaseId, CaseOpening, DocumentNumber, Form, GoodsRequest, LegalClock, TaxpayerId,
};

use crate::calendar::Calendar;
use crate::clock::ClockRules;
use crate::definition::{CaseRole, CaseView, Definition, NoticeDraft, ParentView, StepContext};
use crate::error::CaseError;
use crate::executor::{self, Execution, Submitted};
use crate::reference::References;

/// One case of one definition, in memory.
#[derive(Clone)]
pub struct Sandbox<'d> {
    definition: &'d dyn Definition,
    calendar: Calendar,
    references: References,
    /// Its id.
    pub id: CaseId,
    /// What its opening fixed.
    pub opening: CaseOpening,
    /// Its state.
    pub state: String,
    /// Whether that state closes it.
    pub closed: bool,
    /// Every field submitted so far, the latest value of each.
    pub data: Form,
    /// Its clocks.
    pub clocks: BTreeMap<String, LegalClock>,
    /// Its files.
    pub attachments: Vec<AttachmentRef>,
    /// Who took which transition, in order (`tick` for the timer's state changes).
    pub taken: Vec<(String, TaxpayerId)>,
    /// When it opened.
    pub opened_ms: u64,
    /// Every notice made available, in order.
    pub notices: Vec<(TaxpayerId, NoticeDraft)>,
    /// Every goods request, in order.
    pub goods: Vec<GoodsRequest>,
    /// Every document number given, in order.
    pub numbers: Vec<DocumentNumber>,
    /// The last number of each series and year, shared by the cases of one test through
    /// [`Sandbox::numbering_from`].
    counters: BTreeMap<(String, i32), u32>,
}

/// The last numbers of `definition`'s series in the year of `now_ms`, from `counters`.
fn last_numbers(
    definition: &dyn Definition,
    calendar: &Calendar,
    counters: &BTreeMap<(String, i32), u32>,
    now_ms: u64,
) -> Vec<(&'static str, u32)> {
    let year = calendar.local(now_ms).0.ymd().0;
    definition
        .number_series()
        .iter()
        .map(|series| {
            let last = counters.get(&((*series).to_owned(), year)).copied();
            (*series, last.unwrap_or(0))
        })
        .collect()
}

impl<'d> Sandbox<'d> {
    /// Opens a case by `transition`, taken by `opening.party` at `now_ms`, belonging to
    /// `parent` if it names one (its id must be `opening.parent`).
    #[allow(clippy::too_many_arguments)]
    pub fn open(
        definition: &'d dyn Definition,
        calendar: Calendar,
        references: References,
        opening: CaseOpening,
        parent: Option<ParentView<'_>>,
        transition: &str,
        form: Form,
        attachments: Vec<AttachmentRef>,
        now_ms: u64,
    ) -> Result<Sandbox<'d>, CaseError> {
        assert_eq!(parent.map(|parent| parent.id), opening.parent);
        let id: CaseId = opening.parent.map_or(1, |parent| parent + 1);
        let counters = BTreeMap::new();
        let last = last_numbers(definition, &calendar, &counters, now_ms);
        let context = StepContext {
            now_ms,
            calendar: &calendar,
            references: &references,
            last_numbers: &last,
        };
        let submitted = Submitted {
            transition,
            form: &form,
            attachments: &attachments,
            actor: opening.party,
        };
        let execution = executor::open(definition, id, &opening, parent, &submitted, &context)?;
        let mut sandbox = Sandbox {
            definition,
            calendar,
            references,
            id,
            taken: vec![(transition.to_owned(), opening.party)],
            opening,
            state: String::new(),
            closed: false,
            data: form,
            clocks: BTreeMap::new(),
            attachments,
            opened_ms: now_ms,
            notices: Vec::new(),
            goods: Vec::new(),
            numbers: Vec::new(),
            counters,
        };
        sandbox.keep(execution);
        Ok(sandbox)
    }

    /// The roles `actor` holds in the case (as the engine gives them: the authority's id acts
    /// as its official).
    pub fn roles_of(&self, actor: TaxpayerId) -> Vec<CaseRole> {
        let mut roles = Vec::new();
        if self.opening.party == actor {
            roles.push(CaseRole::Party);
        }
        if self.opening.authority == Some(actor) {
            roles.push(CaseRole::Official);
        }
        if self.opening.named.contains(&actor) {
            roles.push(CaseRole::Named);
        }
        roles
    }

    /// Takes `transition` as `actor` at `now_ms`; on a refusal the case is unchanged.
    pub fn step(
        &mut self,
        actor: TaxpayerId,
        transition: &str,
        form: Form,
        attachments: Vec<AttachmentRef>,
        now_ms: u64,
    ) -> Result<Execution, CaseError> {
        let roles = self.roles_of(actor);
        let last = last_numbers(self.definition, &self.calendar, &self.counters, now_ms);
        let context = StepContext {
            now_ms,
            calendar: &self.calendar,
            references: &self.references,
            last_numbers: &last,
        };
        let submitted = Submitted {
            transition,
            form: &form,
            attachments: &attachments,
            actor,
        };
        let execution =
            executor::step(self.definition, &self.view(), &submitted, &roles, &context)?;
        self.data.extend(form);
        self.attachments.extend(attachments);
        self.taken.push((transition.to_owned(), actor));
        self.keep(execution.clone());
        Ok(execution)
    }

    /// Fires every warning rung due up to `until_ms`, each at its own moment, as the engine's
    /// ticks would; returns what each firing did.
    pub fn run_until(&mut self, until_ms: u64) -> Result<Vec<(u64, Execution)>, CaseError> {
        let mut fired = Vec::new();
        while let Some(at_ms) = self.next_rung_ms()?.filter(|at_ms| *at_ms <= until_ms) {
            let last = last_numbers(self.definition, &self.calendar, &self.counters, at_ms);
            let context = StepContext {
                now_ms: at_ms,
                calendar: &self.calendar,
                references: &self.references,
                last_numbers: &last,
            };
            let Some(execution) = executor::fire(self.definition, &self.view(), &context)? else {
                break;
            };
            if execution.state != self.state {
                self.taken.push(("tick".to_owned(), self.opening.party));
            }
            self.keep(execution.clone());
            fired.push((at_ms, execution));
        }
        Ok(fired)
    }

    /// The earliest next rung of the case's clocks.
    pub fn next_rung_ms(&self) -> Result<Option<u64>, CaseError> {
        let mut next = None;
        for clock in self.clocks.values() {
            if let Some(at_ms) = clock.next_rung_ms(&self.calendar)? {
                next = Some(next.map_or(at_ms, |earliest: u64| earliest.min(at_ms)));
            }
        }
        Ok(next)
    }

    /// The day a running clock is due (none when it is paused or stopped).
    pub fn due_day(&self, clock: &str) -> Option<tanba_types::Date> {
        self.clocks.get(clock)?.due().map(|due| due.day)
    }

    /// The calendar the case runs under.
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// The notices made available to `to`, in order.
    pub fn notices_to(&self, to: TaxpayerId) -> Vec<&NoticeDraft> {
        self.notices
            .iter()
            .filter(|(addressee, _)| *addressee == to)
            .map(|(_, notice)| notice)
            .collect()
    }

    /// What an opening of a case belonging to this one sees of it.
    pub fn as_parent(&self) -> ParentView<'_> {
        ParentView {
            id: self.id,
            opening: &self.opening,
            state: &self.state,
            data: &self.data,
        }
    }

    fn view(&self) -> CaseView<'_> {
        CaseView {
            id: self.id,
            opening: &self.opening,
            state: &self.state,
            data: &self.data,
            clocks: &self.clocks,
            attachments: &self.attachments,
            taken: &self.taken,
            opened_ms: self.opened_ms,
        }
    }

    fn keep(&mut self, execution: Execution) {
        self.state = execution.state;
        self.closed = execution.closed;
        for update in execution.clocks {
            self.clocks.insert(update.name, update.value);
        }
        self.notices.extend(execution.notices);
        self.goods.extend(execution.goods);
        for number in execution.numbers {
            self.counters
                .insert((number.series.clone(), number.year), number.number);
            self.numbers.push(number);
        }
    }

    /// Carries the document counters of `earlier` over (a second case of a test continues its
    /// series, as in one store).
    pub fn numbering_from(&mut self, earlier: &Sandbox<'_>) {
        self.counters.clone_from(&earlier.counters);
    }
}

/// Values for forms, as tests write them.
pub mod values {
    use std::collections::BTreeMap;

    use tanba_types::{AttachmentRef, Date, Decimal, FieldValue, Form, Scalar, TaxpayerId};

    /// A form from name-value pairs.
    pub fn form(fields: &[(&str, FieldValue)]) -> Form {
        fields
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone()))
            .collect()
    }

    /// A text value.
    pub fn text(value: &str) -> FieldValue {
        FieldValue::One(Scalar::Text(value.to_owned()))
    }

    /// A whole number.
    pub fn integer(value: i64) -> FieldValue {
        FieldValue::One(Scalar::Integer(value))
    }

    /// A decimal, as written (`12.5`).
    pub fn decimal(value: &str) -> FieldValue {
        FieldValue::One(Scalar::Decimal(Decimal::parse(value).expect("a decimal")))
    }

    /// A day, as written (`2026-12-04`).
    pub fn day(value: &str) -> FieldValue {
        FieldValue::One(Scalar::Date(value.parse::<Date>().expect("a date")))
    }

    /// A moment, unix milliseconds.
    pub fn moment(ms: u64) -> FieldValue {
        FieldValue::One(Scalar::Moment(ms))
    }

    /// Yes or no.
    pub fn flag(value: bool) -> FieldValue {
        FieldValue::One(Scalar::Flag(value))
    }

    /// A participant.
    pub fn taxpayer(value: &str) -> FieldValue {
        FieldValue::One(Scalar::Taxpayer(
            value.parse::<TaxpayerId>().expect("an IIN/BIN"),
        ))
    }

    /// A list of texts.
    pub fn texts(values: &[&str]) -> FieldValue {
        FieldValue::List(
            values
                .iter()
                .map(|value| Scalar::Text((*value).to_owned()))
                .collect(),
        )
    }

    /// A list of whole numbers.
    pub fn integers(values: &[i64]) -> FieldValue {
        FieldValue::List(values.iter().map(|value| Scalar::Integer(*value)).collect())
    }

    /// A table of rows, each from name-value pairs of one-value fields.
    pub fn rows(rows: &[Vec<(&str, FieldValue)>]) -> FieldValue {
        FieldValue::Rows(
            rows.iter()
                .map(|row| {
                    row.iter()
                        .map(|(name, value)| match value {
                            FieldValue::One(scalar) => ((*name).to_owned(), scalar.clone()),
                            _ => panic!("a row holds one-value fields"),
                        })
                        .collect::<BTreeMap<_, _>>()
                })
                .collect(),
        )
    }

    /// An attachment named `name` in `language`, its hash made from its name.
    pub fn file(name: &str, language: Option<&str>) -> AttachmentRef {
        AttachmentRef {
            hash: *blake3_like(name),
            name: name.to_owned(),
            media_type: "application/pdf".into(),
            size_bytes: 1_000,
            language: language.map(str::to_owned),
            translation_of: None,
        }
    }

    /// A translation of `original` into `language`.
    pub fn translation(original: &AttachmentRef, name: &str, language: &str) -> AttachmentRef {
        AttachmentRef {
            translation_of: Some(original.hash),
            ..file(name, Some(language))
        }
    }

    /// A stand-in content hash of `bytes` (the sandbox stores no content; one hash per content
    /// is all a test needs).
    pub fn stand_in_hash(bytes: &[u8]) -> [u8; 32] {
        let mut hash = [0u8; 32];
        for (index, byte) in bytes.iter().enumerate() {
            hash[index % 32] = hash[index % 32].wrapping_mul(31).wrapping_add(*byte);
        }
        hash
    }

    /// A stand-in content hash: the name's bytes, padded (tests never read content).
    fn blake3_like(name: &str) -> Box<[u8; 32]> {
        let mut hash = [0u8; 32];
        for (index, byte) in name.bytes().enumerate() {
            hash[index % 32] ^= byte.rotate_left((index / 32) as u32);
        }
        Box::new(hash)
    }
}

/// A moment given as a day and a time on the provider's clock in Astana (UTC+5 since
/// 2024-03-01), unix milliseconds.
pub fn astana(day: &str, hours: u64, minutes: u64) -> u64 {
    let day: tanba_types::Date = day.parse().expect("a date");
    let midnight_utc_ms = u64::try_from(day.days_since_epoch()).expect("after 1970") * 86_400_000;
    midnight_utc_ms + (hours * 60 + minutes) * 60_000 - 5 * 3_600_000
}

/// The shipped reference sets with the providers bound to participants (by provider entry
/// code), as the operator publishes them before a state service can be applied for.
pub fn bound_references(participants: &[(&str, TaxpayerId)]) -> References {
    use std::sync::Arc;

    use crate::reference::{ReferenceSet, SHIPPED_SETS, SetKind, bind_providers};
    References::new(SHIPPED_SETS.iter().map(|toml| {
        let set = ReferenceSet::from_toml(toml).expect("a shipped set");
        if set.kind != SetKind::Providers {
            return Arc::new(set);
        }
        let bound = bind_providers(toml, participants, 2).expect("the providers bind");
        Arc::new(ReferenceSet::from_toml(&bound).expect("bound providers"))
    }))
}
