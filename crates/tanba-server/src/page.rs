//! The readable pages a phone's browser gets: the check of a code at its Digital Link, the home
//! page with a form, and errors. Plain HTML with inline style, no scripts: fast on any phone.
//! Every text is in the caller's language; every value from data is escaped.

use tanba_types::Language;

use crate::public::{PublicCheck, Verdict};

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// Labels on the pages, by language.
fn label(key: &str, language: Language) -> &'static str {
    let [kk, ru, en] = match key {
        "title" => ["Таңбаны тексеру", "Проверка маркировки", "Marking check"],
        "product" => ["Тауар", "Товар", "Product"],
        "producer" => ["Өндіруші", "Производитель", "Producer"],
        "importer" => ["Импорттаушы", "Импортёр", "Importer"],
        "country" => ["Шыққан елі", "Страна происхождения", "Country of origin"],
        "produced" => ["Өндірілген күні", "Дата производства", "Production date"],
        "expires" => ["Жарамдылық мерзімі", "Срок годности", "Expiry date"],
        "blocked_by" => ["Бұғаттаған", "Заблокировал", "Blocked by"],
        "recalled_by" => ["Кері қайтарып алушы", "Отзывает", "Recalled by"],
        "opt_in" => [
            "Бұл тауар кері қайтарылып алынса, маған хабарлаңыз (телефон немесе e-mail):",
            "Сообщите мне, если этот товар отзовут (телефон или e-mail):",
            "Tell me if this product is recalled (phone or e-mail):",
        ],
        "opt_in_button" => ["Жазылу", "Подписаться", "Subscribe"],
        "opted_in" => [
            "Жазылдыңыз. Хабарламаларды оқу немесе байланысты жою үшін мына нөмір мен кілтті сақтаңыз:",
            "Вы подписаны. Сохраните номер и ключ: с ними можно прочитать уведомления или удалить контакт:",
            "You are subscribed. Keep this number and key: with them you read your notices or delete your contact:",
        ],
        "flagged" => [
            "Бұл кодты көп жерде тексерген немесе ол туралы шағымдар бар: көшірме болуы мүмкін",
            "Этот код проверяли во многих местах или на него жаловались: возможна копия",
            "This code was checked in many places or reported: it may be a copy",
        ],
        "code" => ["Код", "Код", "Code"],
        "untailed" => [
            "Код криптоқұйрықсыз тексерілді: түпнұсқалықты тек қаптамадағы толық код дәлелдейді",
            "Код проверен без криптохвоста: подлинность доказывает только полный код с упаковки",
            "Checked without the code's crypto tail: only the full code on the package proves it genuine",
        ],
        "check" => ["Тексеру", "Проверить", "Check"],
        "prompt" => [
            "Тауардағы кодты енгізіңіз немесе сканерлеңіз",
            "Введите или отсканируйте код с товара",
            "Enter or scan the code on the goods",
        ],
        _ => ["?", "?", "?"],
    };
    match language {
        Language::Kk => kk,
        Language::Ru => ru,
        Language::En => en,
    }
}

/// The page frame. `query` is the request's query without `lang`: the language links keep it,
/// since a Digital Link's tail travels there (switching language must not drop the tail).
fn frame(title: &str, body: &str, language: Language, query: &str) -> String {
    let link = |lang: &str| {
        if query.is_empty() {
            format!("?lang={lang}")
        } else {
            escape(&format!("?{query}&lang={lang}"))
        }
    };
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>\
         body{{font-family:system-ui,sans-serif;max-width:36rem;margin:1rem auto;padding:0 1rem;color:#222}}\
         .verdict{{padding:1rem;border-radius:.5rem;font-size:1.2rem;font-weight:600}}\
         .genuine{{background:#e3f6e8}}.warn{{background:#fff3d6}}.bad{{background:#fde2e1}}\
         dt{{color:#666;margin-top:.6rem}}dd{{margin:0;font-size:1.05rem}}\
         </style></head><body><h1>Tanba · {title}</h1>{body}\
         <p><a href=\"{kk}\">Қазақша</a> · <a href=\"{ru}\">Русский</a> · \
         <a href=\"{en}\">English</a></p></body></html>",
        lang = language.code(),
        kk = link("kk"),
        ru = link("ru"),
        en = link("en"),
    )
}

/// The page for a checked code.
pub fn check_page(answer: &PublicCheck, language: Language, query: &str) -> String {
    let class = match answer.verdict {
        Verdict::Genuine => "genuine",
        Verdict::Sold | Verdict::NotInCirculation => "warn",
        Verdict::Blocked | Verdict::Recalled | Verdict::Expired | Verdict::UnknownOrForged => "bad",
    };
    let mut body = format!(
        "<div class=\"verdict {class}\" id=\"verdict\" data-verdict=\"{verdict}\">{text}</div><dl>",
        verdict = serde_json::to_value(answer.verdict)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or_default(),
        text = escape(&answer.verdict_text),
    );
    let mut row = |key: &str, value: &str| {
        body.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>",
            label(key, language),
            escape(value)
        ));
    };
    row("code", &answer.code);
    if let Some(product) = &answer.product {
        row("product", &product.name);
        row("producer", &product.producer);
        if let Some(importer) = &product.importer {
            row("importer", importer);
        }
        row("country", &product.country);
    }
    if let Some(date) = answer.production_date {
        row("produced", &date.to_string());
    }
    if let Some(date) = answer.expiry_date {
        row("expires", &date.to_string());
    }
    for block in &answer.blocked_by {
        row(
            "blocked_by",
            &format!("{}: {}", block.authority, block.reason),
        );
    }
    if let Some(recall) = &answer.recall {
        row("recalled_by", &recall.by);
    }
    body.push_str("</dl>");
    if let Some(recall) = &answer.recall {
        body.push_str(&format!(
            "<p class=\"verdict bad\" id=\"recall\">{}</p>",
            escape(&recall.notice)
        ));
    }
    // A consumer may leave a contact to be told directly of a recall (R-REC-07): units only.
    if answer.verdict != Verdict::UnknownOrForged && answer.code.starts_with("(01)") {
        body.push_str(&format!(
            "<form action=\"/check/opt-in\" method=\"post\" id=\"opt-in-form\"><p>{prompt}</p>\
             <input type=\"hidden\" name=\"code\" value=\"{code}\">\
             <input type=\"hidden\" name=\"lang\" value=\"{lang}\">\
             <input name=\"contact\" size=\"30\" maxlength=\"254\" required> \
             <button>{button}</button></form>",
            prompt = label("opt_in", language),
            code = escape(&answer.code),
            lang = language.code(),
            button = label("opt_in_button", language),
        ));
    }
    if !answer.tail_checked && answer.verdict != Verdict::UnknownOrForged {
        body.push_str(&format!(
            "<p class=\"verdict warn\" id=\"untailed\">{}</p>",
            label("untailed", language)
        ));
    }
    if answer.flagged_as_likely_copy {
        body.push_str(&format!(
            "<p class=\"verdict warn\" id=\"flagged\">{}</p>",
            label("flagged", language)
        ));
    }
    frame(label("title", language), &body, language, query)
}

/// The answer to the opt-in form: the opt-in's number and its secret, shown once.
pub fn opted_in_page(opted: &crate::service::public::OptedIn, language: Language) -> String {
    let body = format!(
        "<p>{text}</p><dl><dt>№</dt><dd id=\"opt-in\">{id}</dd><dt>key</dt>\
         <dd id=\"opt-in-token\"><code>{token}</code></dd></dl>",
        text = label("opted_in", language),
        id = opted.opt_in,
        token = escape(&opted.token),
    );
    frame(label("title", language), &body, language, "")
}

/// The home page: a form that checks a code.
pub fn home_page(language: Language) -> String {
    let body = format!(
        "<form action=\"/check\" method=\"get\"><p>{prompt}</p>\
         <input name=\"code\" size=\"40\" autofocus> <input type=\"hidden\" name=\"lang\" value=\"{lang}\">\
         <button>{check}</button></form>",
        prompt = label("prompt", language),
        check = label("check", language),
        lang = language.code(),
    );
    frame(label("title", language), &body, language, "")
}

/// A page for a refusal.
pub fn error_page(message: &str, language: Language, query: &str) -> String {
    let body = format!("<div class=\"verdict bad\">{}</div>", escape(message));
    frame(label("title", language), &body, language, query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_escaped() {
        assert_eq!(
            escape("<b a=\"x\">&'"),
            "&lt;b a=&quot;x&quot;&gt;&amp;&#39;"
        );
        let answer = PublicCheck {
            code: "(01)04600000000015(21)<script>".into(),
            verdict: Verdict::UnknownOrForged,
            verdict_text: Verdict::UnknownOrForged.text(Language::Kk).into(),
            language: "kk",
            blocked_by: Vec::new(),
            recall: None,
            product: None,
            production_date: None,
            expiry_date: None,
            flagged_as_likely_copy: false,
            likely_copy_evidence: 0,
            tail_checked: false,
        };
        let page = check_page(&answer, Language::Kk, "91=AB&92=C<D");
        assert!(!page.contains("<script>"));
        assert!(page.contains("data-verdict=\"unknown_or_forged\""));
        assert!(page.contains("Таңбаны тексеру"));
        assert!(
            page.contains("href=\"?91=AB&amp;92=C&lt;D&amp;lang=ru\""),
            "the tail stays"
        );
    }
}
