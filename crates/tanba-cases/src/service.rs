//! What the state services (the re-export permit, the end-user and import certificates) share:
//! the applicant's list of documents with their files, intake (what is missing or expired,
//! A-PER-10), translations of foreign-language documents (R-CER-04), the signer of the
//! provider's acts (the head, the acting head or a deputy), and the wording of refusals. Each
//! procedure's crate names its own documents and terms; the rules are written here once.

use tanba_types::{AttachmentRef, Date, FieldValue, Form, Scalar, Texts};

use crate::definition::{Addressee, FieldKind, FieldSpec, NoticeDraft, Shape, StepContext};
use crate::error::CaseError;
use crate::form::text;
use crate::wording::{Ground, Wording};

/// Every refusal code of these shared rules (their kk/ru/en texts are in
/// `tanba_types::messages`).
pub const CODES: &[&str] = &[
    "TANBA-SERVICE-FILE-NOT-ATTACHED",
    "TANBA-SERVICE-DOCUMENT-DATES",
    "TANBA-SERVICE-TRANSLATION-MISSING",
    "TANBA-SERVICE-GROUND",
    "TANBA-SERVICE-DATE-FUTURE",
    "TANBA-SERVICE-NOT-REGISTERED",
    "TANBA-SERVICE-PROVIDER-UNBOUND",
    "TANBA-SERVICE-NOT-THE-PROVIDER",
];

/// Most documents one application lists.
pub const DOCUMENTS_MAX: usize = 32;
/// Most characters of a document's number or file name on the list.
pub const DOCUMENT_TEXT_CHARS_MAX: usize = 255;
/// Languages a translation of a foreign-language document may be in (R-CER-04: the state
/// language and/or Russian).
pub const TRANSLATION_LANGUAGES: &[&str] = &["kk", "ru"];
/// Who may sign the provider's acts (R-PER-04, R-PER-07, R-CER-06, R-CER-18).
pub const SIGNERS: &[&str] = &["head", "acting_head", "deputy"];

const fn one(name: &'static str, kind: FieldKind, required: bool) -> FieldSpec {
    FieldSpec::one(name, kind, required)
}

const DOCUMENT_TEXT: FieldKind = FieldKind::Text {
    max_chars: DOCUMENT_TEXT_CHARS_MAX,
};

/// The columns of an application's list of documents, whose kinds are `kinds`: what each is,
/// the file attached for it (by the attachment's name), its number, the day it was issued and
/// the last day it is valid, when it has one.
pub const fn document_columns(kinds: &'static [&'static str]) -> [FieldSpec; 5] {
    [
        one("kind", FieldKind::Choice(kinds), true),
        one("file", DOCUMENT_TEXT, true),
        one("number", DOCUMENT_TEXT, false),
        one("issued_on", FieldKind::Date, false),
        one("valid_until", FieldKind::Date, false),
    ]
}

/// The list-of-documents field over `columns` (from [`document_columns`]).
pub const fn documents_field(columns: &'static [FieldSpec]) -> FieldSpec {
    FieldSpec {
        name: "documents",
        kind: FieldKind::Flag,
        shape: Shape::Rows {
            columns,
            max: DOCUMENTS_MAX,
        },
        required: true,
    }
}

/// The fields naming who signed a provider's act.
pub const SIGNER_FIELDS: [FieldSpec; 2] = [
    one("signer_position", FieldKind::Choice(SIGNERS), true),
    one(
        "signer_name",
        FieldKind::Text {
            max_chars: DOCUMENT_TEXT_CHARS_MAX,
        },
        false,
    ),
];

/// One row of the list of documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// What it is (one of the procedure's kinds).
    pub kind: String,
    /// The attachment's name.
    pub file: String,
    /// Its number, if it has one.
    pub number: Option<String>,
    /// The day it was issued.
    pub issued_on: Option<Date>,
    /// The last day it is valid.
    pub valid_until: Option<Date>,
}

/// The list of documents of a form (none if it has no list).
pub fn documents(form: &Form) -> Vec<Document> {
    let Some(FieldValue::Rows(rows)) = form.get("documents") else {
        return Vec::new();
    };
    let text =
        |row: &std::collections::BTreeMap<String, Scalar>, column: &str| match row.get(column) {
            Some(Scalar::Text(text)) => Some(text.clone()),
            _ => None,
        };
    let date =
        |row: &std::collections::BTreeMap<String, Scalar>, column: &str| match row.get(column) {
            Some(Scalar::Date(day)) => Some(*day),
            _ => None,
        };
    rows.iter()
        .map(|row| Document {
            kind: text(row, "kind").unwrap_or_default(),
            file: text(row, "file").unwrap_or_default(),
            number: text(row, "number"),
            issued_on: date(row, "issued_on"),
            valid_until: date(row, "valid_until"),
        })
        .collect()
}

/// What intake finds wrong with an application's documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntakeProblem {
    /// A required document is not listed with a file.
    Missing(String),
    /// A listed document's validity ended before the day of intake (A-PER-10).
    Expired {
        /// Its kind.
        kind: String,
        /// Its last valid day.
        valid_until: Date,
    },
}

impl IntakeProblem {
    /// The problem in the three languages, naming the document by `name` (its kind's name).
    pub fn texts(&self, name: &Wording) -> Texts {
        match self {
            IntakeProblem::Missing(_) => Texts {
                kk: format!("{} (ұсынылмаған)", name.kk),
                ru: format!("{} (не представлен)", name.ru),
                en: format!("{} (not submitted)", name.en),
            },
            IntakeProblem::Expired { valid_until, .. } => Texts {
                kk: format!("{} (қолданылу мерзімі {valid_until} өткен)", name.kk),
                ru: format!("{} (срок действия истёк {valid_until})", name.ru),
                en: format!("{} (validity ended {valid_until})", name.en),
            },
        }
    }

    /// The kind of document it concerns.
    pub fn kind(&self) -> &str {
        match self {
            IntakeProblem::Missing(kind) | IntakeProblem::Expired { kind, .. } => kind,
        }
    }
}

/// Checks each listed document names a file the step attaches (a list naming no file is
/// malformed: the step is refused, nothing is written).
pub fn check_files(documents: &[Document], attachments: &[AttachmentRef]) -> Result<(), CaseError> {
    for (index, document) in documents.iter().enumerate() {
        let attached = attachments.iter().any(|attachment| {
            attachment.name == document.file && attachment.translation_of.is_none()
        });
        if !attached {
            return Err(CaseError::field(
                "TANBA-SERVICE-FILE-NOT-ATTACHED",
                format!("documents[{index}].file"),
                document.file.clone(),
            ));
        }
        if let (Some(issued), Some(until)) = (document.issued_on, document.valid_until)
            && issued > until
        {
            return Err(CaseError::field(
                "TANBA-SERVICE-DOCUMENT-DATES",
                format!("documents[{index}]"),
                format!("{issued} > {until}"),
            ));
        }
    }
    Ok(())
}

/// What intake finds: each required kind not listed, and each listed document whose validity
/// ended before `today` (the day the application arrives), in that order.
pub fn intake_problems(
    documents: &[Document],
    required: &[&str],
    today: Date,
) -> Vec<IntakeProblem> {
    let mut problems: Vec<IntakeProblem> = required
        .iter()
        .filter(|kind| !documents.iter().any(|document| document.kind == **kind))
        .map(|kind| IntakeProblem::Missing((*kind).to_owned()))
        .collect();
    problems.extend(documents.iter().filter_map(|document| {
        let valid_until = document.valid_until?;
        (valid_until < today).then(|| IntakeProblem::Expired {
            kind: document.kind.clone(),
            valid_until,
        })
    }));
    problems
}

/// R-CER-04: every attachment in a language other than Kazakh or Russian comes with a
/// translation into one of them, attached with it or before it.
pub fn check_translations(
    attachments: &[AttachmentRef],
    earlier: &[AttachmentRef],
) -> Result<(), CaseError> {
    for attachment in attachments {
        let foreign = attachment.translation_of.is_none()
            && attachment
                .language
                .as_deref()
                .is_some_and(|language| !TRANSLATION_LANGUAGES.contains(&language));
        if !foreign {
            continue;
        }
        let translated = attachments.iter().chain(earlier).any(|other| {
            other.translation_of == Some(attachment.hash)
                && other
                    .language
                    .as_deref()
                    .is_some_and(|language| TRANSLATION_LANGUAGES.contains(&language))
        });
        if !translated {
            return Err(CaseError::rule(
                "TANBA-SERVICE-TRANSLATION-MISSING",
                attachment.name.clone(),
            ));
        }
    }
    Ok(())
}

/// The provider acts on an application from the day it registers (R-PER-14, R-CER-15): an
/// application made after hours or on a day off waits for that day, and a step before it is
/// refused. `clock` is a term that starts at registration.
pub fn check_registered(
    case: &crate::definition::CaseView<'_>,
    clock: &str,
    today: Date,
) -> Result<(), CaseError> {
    let since = case.clocks.get(clock).and_then(|clock| match &clock.run {
        tanba_types::Run::Running { since, .. } => Some(*since),
        _ => None,
    });
    match since {
        Some(registered) if today < registered => Err(CaseError::rule(
            "TANBA-SERVICE-NOT-REGISTERED",
            registered.to_string(),
        )),
        _ => Ok(()),
    }
}

/// The participant the reference data in force names as acting for `service` (`permit`,
/// `certificate`, `rex`, `rex_organization`, `quality_control`) today. Until the operator has
/// named one, the service cannot be applied for: no one else may act as its provider.
pub fn provider_participant(
    service: &str,
    context: &StepContext<'_>,
) -> Result<tanba_types::TaxpayerId, CaseError> {
    context
        .references
        .provider(service, context.today())?
        .and_then(|entry| entry.participant)
        .ok_or_else(|| CaseError::rule("TANBA-SERVICE-PROVIDER-UNBOUND", service.to_owned()))
}

/// An application of `service` names its provider in force as the case's authority, and is
/// not the provider's own (an authority never decides its own application).
pub fn check_provider(
    step: &crate::definition::StepView<'_>,
    service: &str,
    context: &StepContext<'_>,
) -> Result<(), CaseError> {
    let provider = provider_participant(service, context)?;
    if step.opening.authority != Some(provider) || step.actor == provider {
        return Err(CaseError::rule(
            "TANBA-SERVICE-NOT-THE-PROVIDER",
            format!("{service}: {provider}"),
        ));
    }
    Ok(())
}

/// The earliest last-valid day of the documents listed (what a permit's validity is bounded by,
/// R-PER-07).
pub fn earliest_validity_end(documents: &[Document]) -> Option<Date> {
    documents
        .iter()
        .filter_map(|document| document.valid_until)
        .min()
}

/// The signer's title and name as the form gives them, in the three languages: the title as
/// the reference data names it for the provider of `service` in force (the text names the
/// signer only by function), else the function itself.
pub fn signer(form: &Form, service: &str, context: &StepContext<'_>) -> Texts {
    let position = text(form, "signer_position").unwrap_or("head");
    let code = position.replace('_', "-");
    let titled = context
        .references
        .provider(service, context.today())
        .ok()
        .flatten()
        .and_then(|provider| provider.signers.iter().find(|signer| signer.code == code))
        .map(|signer| Texts {
            kk: signer.kk.clone(),
            ru: signer.ru.clone(),
            en: signer.en.clone(),
        });
    let mut texts = titled.unwrap_or_else(|| function(position).texts());
    if let Some(name) = text(form, "signer_name") {
        for line in [&mut texts.kk, &mut texts.ru, &mut texts.en] {
            line.push_str(": ");
            line.push_str(name);
        }
    }
    texts
}

/// The signer's function, as the texts name it.
fn function(position: &str) -> Wording {
    match position {
        "acting_head" => Wording {
            kk: "басшының міндетін атқарушы",
            ru: "исполняющий обязанности руководителя",
            en: "acting head",
        },
        "deputy" => Wording {
            kk: "басшының орынбасары",
            ru: "заместитель руководителя",
            en: "deputy head",
        },
        _ => Wording {
            kk: "басшы",
            ru: "руководитель",
            en: "head",
        },
    }
}

/// The grounds numbered in a form's `grounds` list, each once, each one of `table`'s.
pub fn grounds<'t>(form: &Form, table: &'t [Ground]) -> Result<Vec<&'t Ground>, CaseError> {
    let Some(FieldValue::List(values)) = form.get("grounds") else {
        return Err(CaseError::field(
            "TANBA-CASE-FIELD-MISSING",
            "grounds",
            "required",
        ));
    };
    let mut found: Vec<&Ground> = Vec::new();
    for value in values {
        let Scalar::Integer(number) = value else {
            continue;
        };
        let ground = u8::try_from(*number)
            .ok()
            .and_then(|number| crate::wording::ground(table, number))
            .ok_or_else(|| {
                CaseError::field(
                    "TANBA-SERVICE-GROUND",
                    "grounds",
                    format!(
                        "{number} is not a ground of this service (1 to {})",
                        table.len()
                    ),
                )
            })?;
        if found.contains(&ground) {
            return Err(CaseError::field(
                "TANBA-SERVICE-GROUND",
                "grounds",
                format!("{number} is named twice"),
            ));
        }
        found.push(ground);
    }
    Ok(found)
}

/// The field naming grounds by number, for a service with `count` grounds.
pub const fn grounds_field(count: i64) -> FieldSpec {
    FieldSpec {
        name: "grounds",
        kind: FieldKind::Integer { min: 1, max: count },
        shape: Shape::List { max: 32 },
        required: true,
    }
}

/// Grounds as numbered lines, in each language (`1) ...`).
pub fn numbered(grounds: &[&Ground]) -> Texts {
    let lines = |pick: fn(&Wording) -> &'static str| {
        grounds
            .iter()
            .map(|ground| format!("{}) {}", ground.number, pick(&ground.wording)))
            .collect::<Vec<_>>()
            .join("\n")
    };
    Texts {
        kk: lines(|wording| wording.kk),
        ru: lines(|wording| wording.ru),
        en: lines(|wording| wording.en),
    }
}

/// Fills `{name}` placeholders of a fixed wording with per-language values.
pub fn fill(wording: &Wording, values: &[(&str, &Texts)]) -> Texts {
    let apply = |template: &str, pick: fn(&Texts) -> &String| {
        values
            .iter()
            .fold(template.to_owned(), |text, (name, value)| {
                text.replace(&format!("{{{name}}}"), pick(value))
            })
    };
    Texts {
        kk: apply(wording.kk, |texts| &texts.kk),
        ru: apply(wording.ru, |texts| &texts.ru),
        en: apply(wording.en, |texts| &texts.en),
    }
}

/// The same text in the three languages (a number, a name as written).
pub fn same(text: impl Into<String>) -> Texts {
    let text = text.into();
    Texts {
        kk: text.clone(),
        ru: text.clone(),
        en: text,
    }
}

/// Joins texts language by language.
pub fn join(parts: &[Texts], separator: &str) -> Texts {
    let pick = |get: fn(&Texts) -> &String| {
        parts
            .iter()
            .map(|part| get(part).as_str())
            .collect::<Vec<_>>()
            .join(separator)
    };
    Texts {
        kk: pick(|texts| &texts.kk),
        ru: pick(|texts| &texts.ru),
        en: pick(|texts| &texts.en),
    }
}

/// A notice's subject naming its case.
pub fn subject(kk: &str, ru: &str, en: &str, case: tanba_types::CaseId) -> Texts {
    Texts {
        kk: format!("{kk} (іс {case})"),
        ru: format!("{ru} (дело {case})"),
        en: format!("{en} (case {case})"),
    }
}

/// R-PER-12, R-PER-13, R-CER-04: the applicant's receipt: "request for the state service
/// accepted", the registration day and the day the result is due, then `notes` (what the term
/// leaves out, where to learn more).
pub fn accepted_notice(
    kind: &'static str,
    case: tanba_types::CaseId,
    registered: Date,
    result_due: Date,
    notes: &[&Wording],
) -> NoticeDraft {
    let body = Texts {
        kk: format!("Өтініш {registered} тіркелді. Нәтиже {result_due} дейін беріледі."),
        ru: format!(
            "Заявление зарегистрировано {registered}. Результат будет выдан до {result_due}."
        ),
        en: format!(
            "The application is registered on {registered}. The result is due by {result_due}."
        ),
    };
    NoticeDraft {
        to: Addressee::Party,
        kind,
        subject: subject(
            "Мемлекеттік қызметке сұрау салу қабылданды",
            "Запрос на оказание государственной услуги принят",
            "Request for the state service accepted",
            case,
        ),
        body: join(
            &std::iter::once(body)
                .chain(notes.iter().map(|note| note.texts()))
                .collect::<Vec<_>>(),
            " ",
        ),
    }
}

/// To the provider: an application registered, with what it is about.
pub fn registered_notice(
    kind: &'static str,
    case: tanba_types::CaseId,
    summary: &str,
    registered: Date,
) -> NoticeDraft {
    NoticeDraft {
        to: Addressee::Authority,
        kind,
        subject: subject(
            "Өтініш тіркелді",
            "Заявление зарегистрировано",
            "An application is registered",
            case,
        ),
        body: same(format!("{summary} ({registered})")),
    }
}

/// R-PER-18, R-CER-14: the provider asks the applicant for documents or information (the term
/// runs on).
pub fn documents_requested_notice(
    kind: &'static str,
    case: tanba_types::CaseId,
    form: &Form,
) -> NoticeDraft {
    NoticeDraft {
        to: Addressee::Party,
        kind,
        subject: subject(
            "Құжаттар сұратылды",
            "Запрошены документы",
            "Documents requested",
            case,
        ),
        body: same(text(form, "requested").unwrap_or("-")),
    }
}

/// The applicant's answer to a request for documents.
pub fn documents_provided_notice(
    kind: &'static str,
    case: tanba_types::CaseId,
    form: &Form,
) -> NoticeDraft {
    NoticeDraft {
        to: Addressee::Authority,
        kind,
        subject: subject(
            "Құжаттар ұсынылды",
            "Представлены документы",
            "Documents provided",
            case,
        ),
        body: same(text(form, "provided").unwrap_or("-")),
    }
}

/// A term of the provider passed: the provider is told.
pub fn overdue_notice(kind: &'static str, case: tanba_types::CaseId, clock: &str) -> NoticeDraft {
    NoticeDraft {
        to: Addressee::Authority,
        kind,
        subject: subject("Мерзім өтті", "Срок пропущен", "A term has passed", case),
        body: same(clock.to_owned()),
    }
}

/// A form's `missing` list, numbered `1) ...` one per line.
pub fn missing_list(form: &Form) -> Texts {
    let lines = match form.get("missing") {
        Some(FieldValue::List(values)) => values
            .iter()
            .filter_map(|value| match value {
                Scalar::Text(name) => Some(name.as_str()),
                _ => None,
            })
            .enumerate()
            .map(|(index, name)| format!("{}) {name}", index + 1))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    };
    same(lines)
}

/// The provider of `service` in force today, by name; the service's own name when the set
/// lists none.
pub fn provider_name(service: &str, fallback: &Wording, context: &StepContext<'_>) -> Texts {
    context
        .references
        .provider(service, context.today())
        .ok()
        .flatten()
        .map_or_else(|| fallback.texts(), |entry| entry.names())
}

/// A file of a sample application (the demo uploads these; tests attach them by name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleFile {
    /// Its name, as the list of documents names it.
    pub name: &'static str,
    /// The language of its text.
    pub language: &'static str,
    /// The file it translates, by name.
    pub translation_of: Option<&'static str>,
    /// Its content.
    pub text: &'static str,
}

impl SampleFile {
    /// Its attachment reference, with a hash of its content (BLAKE3 in the store; tests only
    /// need one per content).
    pub fn attachment(&self, hash: impl Fn(&[u8]) -> [u8; 32]) -> AttachmentRef {
        AttachmentRef {
            hash: hash(self.text.as_bytes()),
            name: self.name.to_owned(),
            media_type: "text/plain".into(),
            size_bytes: self.text.len() as u64,
            language: Some(self.language.to_owned()),
            translation_of: None,
        }
    }

    /// The attachment references of `files`, translations pointing at their originals.
    pub fn attachments(
        files: &[SampleFile],
        hash: impl Fn(&[u8]) -> [u8; 32] + Copy,
    ) -> Vec<AttachmentRef> {
        files
            .iter()
            .map(|file| AttachmentRef {
                translation_of: file.translation_of.and_then(|original| {
                    files
                        .iter()
                        .find(|other| other.name == original)
                        .map(|other| hash(other.text.as_bytes()))
                }),
                ..file.attachment(hash)
            })
            .collect()
    }
}
