//! The certificates' notices in Kazakh, Russian and English: the request to co-sign the
//! guarantee obligation, the receipts, the reasoned refusals (Rules app. 2), the hearing notice
//! (cl. 13), the certificates (Rules app. 4, forms 1 and 2) and the presentation term. Facts
//! from the forms are quoted as submitted; the provider's name comes from the reference set in
//! force (it changed in 2026, R-CER-12).

use tanba_cases::definition::{Addressee, CaseView, NoticeDraft, StepContext};
use tanba_cases::form::text;
use tanba_cases::service::{self, fill, join, numbered, same, subject};
use tanba_cases::{Ground, Wording};
use tanba_types::{CaseId, Date, DocumentNumber, FieldValue, Form, Scalar, TaxpayerId, Texts};

use crate::wording;

/// To the importer or end user who must sign the guarantee obligation (A-CER-4).
pub fn signature_requested(case: CaseId, to: TaxpayerId, form: &Form) -> NoticeDraft {
    NoticeDraft {
        to: Addressee::Participant(to),
        kind: "certificate_signature_requested",
        subject: subject(
            "Кепілдік міндеттемесіне қол қойыңыз",
            "Подпишите гарантийное обязательство",
            "Sign the guarantee obligation",
            case,
        ),
        body: join(
            &[
                same(format!(
                    "{} / {} / {}",
                    text(form, "applicant_name").unwrap_or("-"),
                    text(form, "contract_number").unwrap_or("-"),
                    goods_line(form)
                )),
                wording::GUARANTEE_UNDERTAKING.texts(),
            ],
            "\n",
        ),
    }
}

fn goods_line(form: &Form) -> String {
    let Some(FieldValue::Rows(rows)) = form.get("goods") else {
        return "-".into();
    };
    rows.iter()
        .map(|row| {
            let value = |name: &str| match row.get(name) {
                Some(Scalar::Text(text)) => text.clone(),
                Some(Scalar::Decimal(number)) => number.to_string(),
                _ => "-".into(),
            };
            format!(
                "{} ({}, {}): {} x {}",
                value("description"),
                value("hs_code"),
                value("control_code"),
                value("quantity"),
                value("unit")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// R-CER-04: the receipt, with the registration day and the day the result is due.
pub fn accepted(case: CaseId, registered: Date, result_due: Date) -> NoticeDraft {
    service::accepted_notice(
        "certificate_accepted",
        case,
        registered,
        result_due,
        &[&INFORMATION_POINTS],
    )
}

/// R-CER-27: the status and the procedure, remotely: the provider's help desk and the Unified
/// Contact Centre.
pub const INFORMATION_POINTS: Wording = Wording {
    kk: "Мәртебе мен тәртіп туралы ақпарат: көрсетілетін қызметті берушінің анықтама қызметі, \
         www.egov.kz, Бірыңғай байланыс орталығы 1414, 8-800-080-7777.",
    ru: "Информация о статусе и порядке: справочная служба услугодателя, www.egov.kz, Единый \
         контакт-центр 1414, 8-800-080-7777.",
    en: "Status and procedure: the provider's help desk, www.egov.kz, the Unified Contact \
         Centre 1414, 8-800-080-7777.",
};

/// To the provider: a new application registered.
pub fn registered(case: CaseId, form: &Form, registered: Date) -> NoticeDraft {
    let summary = format!(
        "{}: {}",
        text(form, "applicant_name").unwrap_or("-"),
        goods_line(form)
    );
    service::registered_notice("certificate_registered", case, &summary, registered)
}

fn reasoned(case: &CaseView<'_>, grounds: Texts, form: &Form, context: &StepContext<'_>) -> Texts {
    let year = context.calendar.local(case.opened_ms).0.ymd().0;
    let body = fill(
        &wording::REASONED_REFUSAL_BODY,
        &[
            (
                "provider",
                &service::provider_name("certificate", &wording::SERVICE_NAME, context),
            ),
            ("year", &same(year.to_string())),
            ("application", &same(case.id.to_string())),
            ("grounds", &grounds),
        ],
    );
    join(&[body, service::signer(form, "certificate", context)], "\n")
}

/// R-CER-06, A-CER-1: the reasoned refusal of further consideration (no hearing precedes it).
pub fn refused_incomplete(
    case: &CaseView<'_>,
    form: &Form,
    context: &StepContext<'_>,
) -> NoticeDraft {
    let grounds = join(
        &[wording::INCOMPLETE.texts(), service::missing_list(form)],
        "\n",
    );
    NoticeDraft {
        to: Addressee::Party,
        kind: "certificate_refused_incomplete",
        subject: subject(
            "Дәлелді бас тарту",
            "Мотивированный отказ",
            "Reasoned refusal",
            case.id,
        ),
        body: reasoned(case, grounds, form, context),
    }
}

/// R-CER-14: the provider asks for documents (the term runs on).
pub fn documents_requested(case: &CaseView<'_>, form: &Form) -> NoticeDraft {
    service::documents_requested_notice("certificate_documents_requested", case.id, form)
}

/// The applicant's answer to a request for documents.
pub fn documents_provided(case: &CaseView<'_>, form: &Form) -> NoticeDraft {
    service::documents_provided_notice("certificate_documents_provided", case.id, form)
}

/// R-CER-26: a certificate (form 1 or 2) with its number, goods and fixed confirmation, in the
/// applicant's personal cabinet (R-CER-18).
pub fn issued(
    case: &CaseView<'_>,
    form: &Form,
    certificate: &str,
    number: &DocumentNumber,
    (signed_on, present_by): (Date, Date),
    context: &StepContext<'_>,
) -> NoticeDraft {
    let data = case.data;
    let (title, confirmation, kind) = if certificate == "euc" {
        (
            Wording {
                kk: "Түпкілікті пайдаланушының сертификаты",
                ru: "Сертификат конечного пользователя",
                en: "End-user certificate",
            },
            &wording::EUC_CONFIRMATION,
            "certificate_euc_issued",
        )
    } else {
        (
            Wording {
                kk: "Халықаралық импорттық сертификат",
                ru: "Международный импортный сертификат",
                en: "International import certificate",
            },
            &wording::IIC_CONFIRMATION,
            "certificate_iic_issued",
        )
    };
    let parties = if certificate == "euc" {
        // Form 1 fields 1-5: the parties, the place of installation and the purpose (A-CER-2).
        format!(
            "{} / {} / {}\n{} / {}",
            text(data, "importer_name").unwrap_or("-"),
            text(data, "end_user_name").unwrap_or("-"),
            text(data, "exporter_name").unwrap_or("-"),
            text(data, "installation_place").unwrap_or("-"),
            text(data, "purpose").unwrap_or("-")
        )
    } else {
        format!(
            "{} / {}",
            text(data, "importer_name").unwrap_or("-"),
            text(data, "exporter_name").unwrap_or("-")
        )
    };
    let facts = same(format!(
        "{parties}\n{}\n{} {}\n{signed_on} / {present_by}",
        goods_line(data),
        text(data, "contract_number").unwrap_or("-"),
        tanba_cases::form::date(data, "contract_date").map_or_else(String::new, |d| d.to_string()),
    ));
    let signer = match text(form, "paper_signed_by") {
        Some(paper) => same(paper.to_owned()),
        None => service::signer(form, "certificate", context),
    };
    NoticeDraft {
        to: Addressee::Party,
        kind,
        subject: Texts {
            kk: format!("{} № {number}", title.kk),
            ru: format!("{} № {number}", title.ru),
            en: format!("{} No. {number}", title.en),
        },
        body: join(&[facts, confirmation.texts(), signer], "\n"),
    }
}

/// R-CER-08: the preliminary decision to refuse and the hearing's time and place.
pub fn hearing_notice(
    case: &CaseView<'_>,
    form: &Form,
    grounds: &[&Ground],
    deadline: Date,
) -> NoticeDraft {
    let hearing = format!(
        "{} {}",
        tanba_cases::form::date(form, "hearing_on").map_or_else(String::new, |d| d.to_string()),
        text(form, "hearing_time").unwrap_or("-")
    );
    let grounds = join(
        &[
            numbered(grounds),
            same(text(form, "reasons").unwrap_or("-")),
        ],
        "\n",
    );
    NoticeDraft {
        to: Addressee::Party,
        kind: "certificate_hearing",
        subject: subject(
            "Бас тарту туралы алдын ала шешім және тыңдау",
            "Предварительное решение об отказе и заслушивание",
            "Preliminary decision to refuse, and the hearing",
            case.id,
        ),
        body: fill(
            &wording::HEARING_NOTICE,
            &[
                ("grounds", &grounds),
                ("hearing_at", &same(hearing)),
                ("place", &same(text(form, "hearing_place").unwrap_or("-"))),
                ("deadline", &same(deadline.to_string())),
            ],
        ),
    }
}

/// R-CER-07, R-CER-11: the reasoned refusal of the service on the grounds confirmed.
pub fn refused(
    case: &CaseView<'_>,
    form: &Form,
    grounds: &[&Ground],
    context: &StepContext<'_>,
) -> NoticeDraft {
    let reasons = same(text(form, "refusal_reasons").unwrap_or("-"));
    NoticeDraft {
        to: Addressee::Party,
        kind: "certificate_refused",
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

/// Two working days before the 6 months end (R-CER-09).
pub fn presentation_due(case: &CaseView<'_>) -> NoticeDraft {
    NoticeDraft {
        to: Addressee::Party,
        kind: "certificate_presentation_due",
        subject: subject(
            "Сертификатты ұсыну мерзімі аяқталуға жақын",
            "Срок представления сертификата истекает",
            "The certificate's presentation term ends soon",
            case.id,
        ),
        body: Texts {
            kk:
                "Сертификат қол қойылған күннен бастап алты ай ішінде экспорттаушы елдің уәкілетті \
                 мемлекеттік органына ұсынылуы тиіс."
                    .into(),
            ru: "Сертификат должен быть представлен уполномоченному государственному органу \
                 страны-экспортёра в течение шести месяцев со дня подписания."
                .into(),
            en: "The certificate must be presented to the exporting country's authorized state \
                 body within six months of signing."
                .into(),
        },
    }
}

/// The 6 months passed without a recorded presentation (the text states no consequence).
pub fn presentation_overdue(case: &CaseView<'_>) -> NoticeDraft {
    NoticeDraft {
        to: Addressee::Authority,
        kind: "certificate_presentation_overdue",
        subject: subject(
            "Сертификат алты ай ішінде ұсынылмады",
            "Сертификат не представлен в течение шести месяцев",
            "The certificate was not presented within six months",
            case.id,
        ),
        body: same(text(case.data, "applicant_name").unwrap_or("-").to_owned()),
    }
}

/// A term of the provider passed: the provider is told.
pub fn overdue(case: &CaseView<'_>, clock: &str) -> NoticeDraft {
    service::overdue_notice("certificate_overdue", case.id, clock)
}
