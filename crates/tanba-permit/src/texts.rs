//! The permit's notices in Kazakh, Russian and English: the receipts of intake (R-PER-03,
//! R-PER-12, R-PER-13), the reasoned refusals (Rules app. 3), the permit (Rules app. 4), and the
//! warnings of its clocks. Facts from the forms are quoted as submitted; the provider's name
//! comes from the reference set in force.

use tanba_cases::definition::{Addressee, CaseView, NoticeDraft, StepContext};
use tanba_cases::form::text;
use tanba_cases::service::{self, IntakeProblem, fill, join, numbered, same, subject};
use tanba_cases::{Ground, Wording};
use tanba_types::{CaseId, Date, DocumentNumber, Form, Texts};

use crate::wording;

/// A document kind's name.
pub fn document_name(kind: &str) -> Wording {
    match kind {
        "guarantee_obligation" => Wording {
            kk: "Импорттаушы елдің кепілдік міндеттемесі",
            ru: "Гарантийное обязательство страны-импортёра",
            en: "The importing country's guarantee obligation",
        },
        "contract" => Wording {
            kk: "Сыртқы сауда келісімшарты",
            ru: "Внешнеторговый договор (контракт)",
            en: "The foreign-trade contract",
        },
        "intent_document" => Wording {
            kk: "Тараптардың ниетін растайтын құжат",
            ru: "Документ, подтверждающий намерения сторон",
            en: "A document confirming the parties' intentions",
        },
        "registration_certificate" => Wording {
            kk: "Мемлекеттік тіркеу (қайта тіркеу) туралы куәлік",
            ru: "Свидетельство о государственной регистрации (перерегистрации)",
            en: "The certificate of state registration (re-registration)",
        },
        "identity_document" => Wording {
            kk: "Жеке басын куәландыратын құжаттың көшірмесі",
            ru: "Копия документа, удостоверяющего личность",
            en: "A copy of the identity document",
        },
        "entrepreneur_certificate" => Wording {
            kk: "Жеке кәсіпкер ретінде тіркеу туралы куәліктің көшірмесі",
            ru: "Копия свидетельства о регистрации индивидуального предпринимателя",
            en: "A copy of the individual entrepreneur's registration certificate",
        },
        "power_of_attorney" => Wording {
            kk: "Сенімхат",
            ru: "Доверенность",
            en: "Power of attorney",
        },
        _ => Wording {
            kk: "Өзге құжат",
            ru: "Иной документ",
            en: "Another document",
        },
    }
}

/// R-PER-03, A-PER-10: the receipt of refusal to accept documents, listing each missing or
/// expired document, numbered (Rules app. 2).
pub fn intake_refusal(form: &Form, problems: &[IntakeProblem]) -> NoticeDraft {
    let expired = problems
        .iter()
        .any(|problem| matches!(problem, IntakeProblem::Expired { .. }));
    let reason = if expired {
        &wording::INTAKE_EXPIRED
    } else {
        &wording::INTAKE_INCOMPLETE
    };
    let lines: Vec<Texts> = problems
        .iter()
        .enumerate()
        .map(|(index, problem)| {
            let texts = problem.texts(&document_name(problem.kind()));
            join(&[same(format!("{})", index + 1)), texts], " ")
        })
        .collect();
    let office = same(text(form, "channel").map_or("-", |channel| {
        if channel == "state_corporation" {
            "State Corporation"
        } else {
            "egov.kz / elicense.kz"
        }
    }));
    let body = fill(
        &wording::INTAKE_RECEIPT_BODY,
        &[
            ("provider", &office),
            ("service", &wording::SERVICE_NAME.texts()),
        ],
    );
    NoticeDraft {
        to: Addressee::Party,
        kind: "permit_intake_refused",
        subject: Texts {
            kk: "Құжаттарды қабылдаудан бас тарту туралы қолхат".into(),
            ru: "Расписка об отказе в приёме документов".into(),
            en: "Receipt of refusal to accept documents".into(),
        },
        body: join(
            &[body, join(&lines, "\n"), reason.texts(), TWO_COPIES.texts()],
            "\n",
        ),
    }
}

/// R-PER-23: the receipt's closing words.
const TWO_COPIES: Wording = Wording {
    kk: "Қолхат әр тарапқа бір-бірден 2 данада жасалды.",
    ru: "Расписка составлена в 2 экземплярах, по одному для каждой стороны.",
    en: "This receipt is made in 2 copies, one for each party.",
};

/// R-PER-25: where the applicant learns about the service and its status.
pub const INFORMATION_POINTS: Wording = Wording {
    kk: "Ақпарат: www.miid.gov.kz, www.comprom.miid.gov.kz («Мемлекеттік қызметтер» бөлімі), \
         www.egov.kz, www.elicense.kz; Бірыңғай байланыс орталығы: 1414, 8-800-080-7777.",
    ru: "Информация: www.miid.gov.kz, www.comprom.miid.gov.kz (раздел «Государственные \
         услуги»), www.egov.kz, www.elicense.kz; Единый контакт-центр: 1414, 8-800-080-7777.",
    en: "Information: www.miid.gov.kz, www.comprom.miid.gov.kz (\"State services\"), \
         www.egov.kz, www.elicense.kz; Unified Contact Centre: 1414, 8-800-080-7777.",
};

/// R-PER-12, R-PER-13: the receipt of acceptance with the result date, which waiting for the
/// MFA moves (A-PER-2).
pub fn accepted(case: CaseId, registered: Date, result_due: Date) -> NoticeDraft {
    service::accepted_notice(
        "permit_accepted",
        case,
        registered,
        result_due,
        &[
            &Wording {
                kk: "СІМ-нің растауын күту мерзімге кірмейді.",
                ru: "Ожидание подтверждения МИД в срок не входит.",
                en: "Waiting for the MFA's confirmation is not counted.",
            },
            &INFORMATION_POINTS,
        ],
    )
}

/// To the provider: a new application registered.
pub fn registered(case: CaseId, form: &Form, registered: Date) -> NoticeDraft {
    let summary = format!(
        "{}: {}",
        text(form, "applicant_name").unwrap_or("-"),
        text(form, "goods_name").unwrap_or("-")
    );
    service::registered_notice("permit_registered", case, &summary, registered)
}

fn reasoned(case: &CaseView<'_>, grounds: Texts, form: &Form, context: &StepContext<'_>) -> Texts {
    let opened = context.calendar.local(case.opened_ms).0;
    let body = fill(
        &wording::REASONED_REFUSAL_BODY,
        &[
            (
                "provider",
                &service::provider_name("permit", &wording::SERVICE_NAME, context),
            ),
            ("application", &same(case.id.to_string())),
            ("date", &same(opened.to_string())),
            ("grounds", &grounds),
        ],
    );
    join(&[body, service::signer(form, "permit", context)], "\n")
}

/// R-PER-04: the reasoned refusal of further consideration, naming what is missing; the case
/// records the reading of cl. 12 (A-PER-1).
pub fn refused_incomplete(
    case: &CaseView<'_>,
    form: &Form,
    context: &StepContext<'_>,
) -> NoticeDraft {
    let missing = service::missing_list(form);
    let reading = Texts {
        kk: "(12-тармақ толық еместік ретінде оқылды: A-PER-1)".into(),
        ru: "(пункт 12 прочитан как неполнота: A-PER-1)".into(),
        en: "(cl. 12 read as incompleteness: A-PER-1)".into(),
    };
    let grounds = join(&[wording::INCOMPLETE.texts(), missing, reading], "\n");
    NoticeDraft {
        to: Addressee::Party,
        kind: "permit_refused_incomplete",
        subject: subject(
            "Дәлелді бас тарту",
            "Мотивированный отказ",
            "Reasoned refusal",
            case.id,
        ),
        body: reasoned(case, grounds, form, context),
    }
}

/// The set is complete: requests sent, the term waits for the MFA (A-PER-2, A-PER-4).
pub fn under_review(case: &CaseView<'_>) -> NoticeDraft {
    NoticeDraft {
        to: Addressee::Party,
        kind: "permit_under_review",
        subject: subject(
            "Құжаттар толық: өтініш қаралуда",
            "Документы полные: заявление на рассмотрении",
            "Documents complete: the application is under review",
            case.id,
        ),
        body: Texts {
            kk: "Сұраулар бақылау органдарына жіберілді; кепілдік міндеттемесі СІМ-ге растауға \
                 жіберілді. Растауды күту 30 жұмыс күніне кірмейді."
                .into(),
            ru: "Запросы направлены органам экспортного контроля; гарантийное обязательство \
                 направлено в МИД на подтверждение. Ожидание подтверждения в 30 рабочих дней не \
                 входит."
                .into(),
            en: "Requests went to the export-control bodies; the guarantee obligation went to the \
                 MFA for confirmation. Waiting for the confirmation is not counted in the 30 \
                 working days."
                .into(),
        },
    }
}

/// R-PER-18: the provider asks the applicant for documents or information.
pub fn documents_requested(case: &CaseView<'_>, form: &Form) -> NoticeDraft {
    service::documents_requested_notice("permit_documents_requested", case.id, form)
}

/// The applicant's answer to a request for documents.
pub fn documents_provided(case: &CaseView<'_>, form: &Form) -> NoticeDraft {
    service::documents_provided_notice("permit_documents_provided", case.id, form)
}

/// R-PER-07: the permit (Rules app. 4), in the applicant's personal cabinet.
pub fn issued(
    case: &CaseView<'_>,
    form: &Form,
    number: &DocumentNumber,
    (issued_on, valid_until): (Date, Date),
    context: &StepContext<'_>,
) -> NoticeDraft {
    let data = case.data;
    let goods = format!(
        "{} / {} / {} / {} {} / {} {}",
        text(data, "goods_name").unwrap_or("-"),
        text(data, "hs_code").unwrap_or("-"),
        text(data, "control_code").unwrap_or("-"),
        quantity(data),
        text(data, "unit").unwrap_or("-"),
        value(data),
        text(data, "currency").unwrap_or("-"),
    );
    let conditions = text(form, "special_conditions").unwrap_or("-");
    NoticeDraft {
        to: Addressee::Party,
        kind: "permit_issued",
        subject: subject(
            &format!("Рұқсат № {number}"),
            &format!("Разрешение № {number}"),
            &format!("Permit No. {number}"),
            case.id,
        ),
        body: join(
            &[
                Texts {
                    kk: format!(
                        "Берілген күні {issued_on}; қолданылу мерзімі {valid_until} дейін. \
                         Тауар: {goods}. Ерекше шарттар: {conditions}."
                    ),
                    ru: format!(
                        "Дата выдачи {issued_on}; срок действия до {valid_until}. Товар: \
                         {goods}. Особые условия: {conditions}."
                    ),
                    en: format!(
                        "Issued {issued_on}; valid until {valid_until}. Goods: {goods}. Special \
                         conditions: {conditions}."
                    ),
                },
                wording::CONSENT.texts(),
                service::signer(form, "permit", context),
            ],
            "\n",
        ),
    }
}

fn quantity(data: &Form) -> String {
    decimal(data, "quantity")
}

fn value(data: &Form) -> String {
    decimal(data, "value")
}

fn decimal(data: &Form, name: &str) -> String {
    match tanba_cases::form::one(data, name) {
        Some(tanba_types::Scalar::Decimal(number)) => number.to_string(),
        _ => "-".into(),
    }
}

/// R-PER-07, R-PER-08: the reasoned refusal of the service, its grounds numbered as in row 9.
pub fn refused(
    case: &CaseView<'_>,
    form: &Form,
    grounds: &[&Ground],
    context: &StepContext<'_>,
) -> NoticeDraft {
    let reasons = same(text(form, "reasons").unwrap_or("-"));
    NoticeDraft {
        to: Addressee::Party,
        kind: "permit_refused",
        subject: subject(
            "Дәлелді бас тарту",
            "Мотивированный отказ",
            "Reasoned refusal",
            case.id,
        ),
        body: reasoned(
            case,
            join(&[numbered(grounds), reasons], "\n"),
            form,
            context,
        ),
    }
}

/// The permit was revoked.
pub fn revoked(case: &CaseView<'_>, form: &Form, context: &StepContext<'_>) -> NoticeDraft {
    NoticeDraft {
        to: Addressee::Party,
        kind: "permit_revoked",
        subject: subject(
            "Рұқсат кері қайтарылды",
            "Разрешение отозвано",
            "Permit revoked",
            case.id,
        ),
        body: join(
            &[
                same(text(form, "revocation_reason").unwrap_or("-")),
                service::signer(form, "permit", context),
            ],
            "\n",
        ),
    }
}

/// T14: the permit's validity ended.
pub fn expired(case: &CaseView<'_>) -> NoticeDraft {
    NoticeDraft {
        to: Addressee::Party,
        kind: "permit_expired",
        subject: subject(
            "Рұқсаттың қолданылу мерзімі аяқталды",
            "Срок действия разрешения истёк",
            "The permit has expired",
            case.id,
        ),
        body: same(
            tanba_cases::form::date(case.data, "valid_until")
                .map(|day| day.to_string())
                .unwrap_or_default(),
        ),
    }
}

/// Two working days before the permit's last valid day.
pub fn expiring(case: &CaseView<'_>) -> NoticeDraft {
    NoticeDraft {
        to: Addressee::Party,
        kind: "permit_expiring",
        subject: subject(
            "Рұқсаттың мерзімі аяқталуға жақын",
            "Срок действия разрешения истекает",
            "The permit expires soon",
            case.id,
        ),
        body: Texts {
            kk: "Рұқсаттың қолданылу мерзімі екі жұмыс күнінен кейін аяқталады.".into(),
            ru: "Срок действия разрешения истекает через два рабочих дня.".into(),
            en: "The permit's validity ends in two working days.".into(),
        },
    }
}

/// A term of the provider passed: the provider is told (monitoring sees it late).
pub fn overdue(case: &CaseView<'_>, clock: &str) -> NoticeDraft {
    service::overdue_notice("permit_overdue", case.id, clock)
}
