//! The notices' words in Kazakh, Russian and English (R-REC-06 asks for Kazakh and/or
//! Russian; Tanba gives all three). Facts from the forms are quoted as submitted.

use tanba_cases::form::text;
use tanba_types::{CaseId, FieldValue, Form, Scalar, TaxpayerId, Texts};

/// The mandatory warning of R-REC-06 (cl. 11).
pub fn warning() -> Texts {
    Texts {
        kk: "Ескерту: бұл өнімді пайдалану сатып алушының құқықтары мен заңды мүдделерін бұзуы, \
             адамның өмірі мен денсаулығына және қоршаған ортаға зиян келтіруі мүмкін."
            .into(),
        ru: "Предупреждение: использование этой продукции может нарушить права и законные \
             интересы покупателя, причинить вред жизни и здоровью человека и окружающей среде."
            .into(),
        en: "Warning: using this product may violate the buyer's rights and legitimate \
             interests and may harm human life and health and the environment."
            .into(),
    }
}

fn quoted(form: &Form, name: &str) -> String {
    text(form, name).unwrap_or("-").to_owned()
}

/// The subject of the authority's notice that a recall started.
pub fn recall_started_subject(case: CaseId) -> Texts {
    Texts {
        kk: format!("Өнімді кері қайтарып алу басталды (іс {case})"),
        ru: format!("Начат отзыв продукции (дело {case})"),
        en: format!("A product recall started (case {case})"),
    }
}

/// What the public check shows of a recalled unit: what is wrong, where to bring it, whom to
/// call, and the warning.
pub fn public_notice(data: &Form) -> Texts {
    let product = quoted(data, "product_name");
    let fault = quoted(data, "non_conformity");
    let contacts = quoted(data, "contacts");
    let points = quoted(data, "collection_points");
    let warning = warning();
    Texts {
        kk: format!(
            "Өнім кері қайтарылып алынуда: {product}. Себебі: {fault}. Қабылдау пункттері: \
             {points}. Байланыс: {contacts}. {}",
            warning.kk
        ),
        ru: format!(
            "Продукция отзывается: {product}. Причина: {fault}. Пункты приёма: {points}. \
             Контакты: {contacts}. {}",
            warning.ru
        ),
        en: format!(
            "This product is being recalled: {product}. Why: {fault}. Collection points: \
             {points}. Contacts: {contacts}. {}",
            warning.en
        ),
    }
}

/// The subject of a holder's notice: recalled units are in its hands.
pub fn holder_subject(case: CaseId, held: u64) -> Texts {
    Texts {
        kk: format!("Сізде кері қайтарып алынатын {held} өнім бірлігі бар (іс {case})"),
        ru: format!("У вас {held} ед. отзываемой продукции (дело {case})"),
        en: format!("You hold {held} recalled units (case {case})"),
    }
}

/// The body of a holder's notice: its exact count, where the list is, what to do.
pub fn holder_body(case: CaseId, ground: &Form, scope: &Form, held: u64, sold: u64) -> Texts {
    let product = quoted(ground, "product_name");
    let contacts = quoted(scope, "contacts");
    let points = quoted(scope, "collection_points");
    let warning = warning();
    Texts {
        kk: format!(
            "Өнім: {product}. Сізде {held} бірлік (кері қайтарып алу басталғанға дейін \
             сатылғаны: {sold}); тізімі {case} істің иелері бөлімінде. Оларды сатуға болмайды: \
             қабылдау пункттеріне қайтарыңыз: {points}. Байланыс: {contacts}. {}",
            warning.kk
        ),
        ru: format!(
            "Продукция: {product}. У вас {held} ед. (продано до начала отзыва: {sold}); \
             перечень — в разделе держателей дела {case}. Продавать их нельзя: верните их в \
             пункты приёма: {points}. Контакты: {contacts}. {}",
            warning.ru
        ),
        en: format!(
            "Product: {product}. You hold {held} units (sold before the recall: {sold}); the \
             list is under the holders of case {case}. They may not be sold: return them to \
             the collection points: {points}. Contacts: {contacts}. {}",
            warning.en
        ),
    }
}

/// The body of the authority's notice that a recall started: the product, the scope, whom to
/// contact, where the goods are taken back.
pub fn recall_started_body(ground: &Form, scope: &Form) -> Texts {
    let product = quoted(ground, "product_name");
    let gtin = quoted(scope, "gtin");
    let batch = quoted(scope, "batch");
    let contacts = quoted(scope, "contacts");
    let points = quoted(scope, "collection_points");
    let warning = warning();
    Texts {
        kk: format!(
            "Өнім: {product}; GTIN {gtin}; топтама: {batch}. Байланыс: {contacts}. \
             Қабылдау пункттері: {points}. {}",
            warning.kk
        ),
        ru: format!(
            "Продукция: {product}; GTIN {gtin}; партия: {batch}. Контакты: {contacts}. \
             Пункты приёма: {points}. {}",
            warning.ru
        ),
        en: format!(
            "Product: {product}; GTIN {gtin}; batch: {batch}. Contacts: {contacts}. \
             Collection points: {points}. {}",
            warning.en
        ),
    }
}

/// The subject of the report to the authority (R-REC-05).
pub fn report_subject(case: CaseId) -> Texts {
    Texts {
        kk: format!("Кері қайтарып алу нәтижелері туралы есеп (іс {case})"),
        ru: format!("Отчёт о результатах отзыва (дело {case})"),
        en: format!("Report on the results of a recall (case {case})"),
    }
}

/// The report's fields, one per line, as submitted (the signed step in the case history is
/// the record; the notice lets the authority read it in its inbox).
pub fn report_body(case: CaseId, form: &Form) -> Texts {
    let mut lines = Vec::new();
    for (name, value) in form {
        let rendered = match value {
            FieldValue::One(scalar) => scalar_text(scalar),
            FieldValue::List(values) => values
                .iter()
                .map(scalar_text)
                .collect::<Vec<_>>()
                .join("; "),
            FieldValue::Rows(rows) => rows
                .iter()
                .map(|row| row.values().map(scalar_text).collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
                .join("; "),
        };
        lines.push(format!("{name}: {rendered}"));
    }
    let fields = lines.join("\n");
    Texts {
        kk: format!("Іс {case}. Есеп деректері:\n{fields}"),
        ru: format!("Дело {case}. Данные отчёта:\n{fields}"),
        en: format!("Case {case}. The report:\n{fields}"),
    }
}

fn scalar_text(scalar: &Scalar) -> String {
    match scalar {
        Scalar::Text(text) => text.clone(),
        Scalar::Integer(number) => number.to_string(),
        Scalar::Decimal(number) => number.to_string(),
        Scalar::Date(day) => day.to_string(),
        Scalar::Moment(ms) => ms.to_string(),
        Scalar::Flag(flag) => flag.to_string(),
        Scalar::Taxpayer(id) => id.to_string(),
        Scalar::Code(code) => code.to_string(),
    }
}

/// The notice to an obligated party named in a buyer's claim.
pub fn claim_received(case: CaseId, buyer: TaxpayerId, form: &Form) -> (Texts, Texts) {
    let claim = quoted(form, "claim");
    (
        Texts {
            kk: format!("Сатып алушының өтініші (іс {case})"),
            ru: format!("Заявление покупателя (дело {case})"),
            en: format!("A buyer's claim (case {case})"),
        },
        Texts {
            kk: format!(
                "{buyer} сатып алушы өтініш берді: {claim}. Жауап беру мерзімі: 10 күнтізбелік күн."
            ),
            ru: format!(
                "Покупатель {buyer} подал заявление: {claim}. Срок ответа: 10 календарных дней."
            ),
            en: format!("Buyer {buyer} filed a claim: {claim}. Answer within 10 calendar days."),
        },
    )
}

/// The notice to the buyer that an obligated party answered.
pub fn claim_answered(case: CaseId, by: TaxpayerId, form: &Form) -> (Texts, Texts) {
    let answer = quoted(form, "answer");
    (
        Texts {
            kk: format!("Өтінішіңізге жауап (іс {case})"),
            ru: format!("Ответ на ваше заявление (дело {case})"),
            en: format!("An answer to your claim (case {case})"),
        },
        Texts {
            kk: format!("{by} жауап берді: {answer}"),
            ru: format!("{by} ответил: {answer}"),
            en: format!("{by} answered: {answer}"),
        },
    )
}

/// The notice to the authority that a claim is overdue.
pub fn claim_overdue(case: CaseId) -> (Texts, Texts) {
    (
        Texts {
            kk: format!("Өтінішке жауап мерзімі өтті (іс {case})"),
            ru: format!("Срок ответа на заявление истёк (дело {case})"),
            en: format!("A claim's answer is overdue (case {case})"),
        },
        Texts {
            kk: "Міндетті тұлғалар 10 күнтізбелік күн ішінде жауап бермеді (R-REC-08).".into(),
            ru: "Обязанные лица не ответили в течение 10 календарных дней (R-REC-08).".into(),
            en: "The obligated parties did not answer within 10 calendar days (R-REC-08).".into(),
        },
    )
}

/// The notice to the authority that a buyer escalated a claim.
pub fn claim_escalated(case: CaseId, form: &Form) -> (Texts, Texts) {
    let reason = quoted(form, "reason");
    (
        Texts {
            kk: format!("Сатып алушы уәкілетті органға жүгінді (іс {case})"),
            ru: format!("Покупатель обратился в уполномоченный орган (дело {case})"),
            en: format!("A buyer escalated a claim to the authority (case {case})"),
        },
        Texts {
            kk: format!("Себебі: {reason}"),
            ru: format!("Причина: {reason}"),
            en: format!("Reason: {reason}"),
        },
    )
}
