//! The public's pages, what a phone's browser gets: the check of a code at its Digital Link
//! (the verdict, the product's card, blocks and a recall's notice, the recall opt-in form and
//! the violation report form), the home page that checks a typed code, the report form alone
//! (for goods without a code), and the answers to the forms.
//!
//! Pages are askama templates (`templates/public/`, compiled and escaped at build time), their
//! words from the console's Fluent catalogues (`console/locales/*-public.ftl`, every id
//! `public-`), their one stylesheet and one optional script embedded and served by content hash
//! like the console's. Every form works without the script, every page fits a 320 px screen,
//! and every answer carries the console's Content-Security-Policy (no inline script or style).
//! This module knows no request: the handlers in [`crate::http`] read it and call the service.

use askama::Template;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tanba_types::Language;

use crate::console::assets;
use crate::console::i18n::Words;
use crate::public::{
    PublicCheck, REPORT_COMMENT_CHARS_MAX, REPORT_PHOTO_BYTES_MAX, Verdict, ViolationKind,
};
use crate::service::public::OptedIn;

/// Where the report form posts.
pub const REPORT_FORM_PATH: &str = "/check/report";
/// Characters of a page's path and query a form's answer keeps to link back to it.
pub const BACK_PATH_CHARS_MAX: usize = 1_024;
/// Bytes in a megabyte as the page states the photo's limit.
const MEGABYTE_BYTES: usize = 1024 * 1024;

/// Where a page is: its path and its query without `lang`. The language switch keeps both: a
/// Digital Link's tail travels in the query, and switching language must not drop it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    path: String,
    query: Vec<String>,
}

impl Place {
    /// `path` with the `&`-separated `query` (as received, still percent-encoded).
    pub fn new(path: &str, query: Option<&str>) -> Place {
        let query = (query.unwrap_or_default().split('&'))
            .filter(|pair| !pair.is_empty() && !pair.starts_with("lang="))
            .map(str::to_owned)
            .collect();
        Place {
            path: path.to_owned(),
            query,
        }
    }

    /// The query without `lang`, as received.
    pub fn query(&self) -> String {
        self.query.join("&")
    }

    /// The path and query (without `lang`).
    pub fn path_and_query(&self) -> String {
        match self.query.is_empty() {
            true => self.path.clone(),
            false => format!("{}?{}", self.path, self.query()),
        }
    }

    /// This page in `language`.
    fn in_language(&self, language: Language) -> String {
        let mut pairs = self.query.clone();
        pairs.push(format!("lang={}", language.code()));
        format!("{}?{}", self.path, pairs.join("&"))
    }

    /// The page a form's answer links back to, from the form's `back` parameter: only a page
    /// of ours a code is checked on, within [`BACK_PATH_CHARS_MAX`].
    pub fn back(query: Option<&str>) -> Option<Place> {
        let back = crate::console::query_value(query, "back")?;
        let ours = ["/01/", "/00/", "/check?", REPORT_FORM_PATH]
            .iter()
            .any(|start| back.starts_with(start));
        let plain = !back.contains("//") && !back.contains('\\') && !back.contains('#');
        if !ours || !plain || back.chars().count() > BACK_PATH_CHARS_MAX {
            return None;
        }
        let (path, query) = back
            .split_once('?')
            .map_or((back.as_str(), None), |(p, q)| (p, Some(q)));
        Some(Place::new(path, query))
    }
}

/// Escapes text for HTML, for markup built outside a template (the console's map is SVG built
/// in code); templates escape by themselves.
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

/// The language `?lang=` names, if it names one of ours.
pub fn chosen_language(query: Option<&str>) -> Option<Language> {
    crate::console::query_value(query, "lang")?.parse().ok()
}

/// The language a visitor chose before (the console's cookie, shared with the public pages).
pub fn remembered_language(headers: &HeaderMap) -> Option<Language> {
    crate::console::cookie(headers, crate::console::LANGUAGE_COOKIE)?
        .parse()
        .ok()
}

/// A link of the language switch.
pub struct LanguageLink {
    /// The language's name in itself.
    pub label: &'static str,
    /// The page in that language.
    pub href: String,
    /// `kk`, `ru` or `en`.
    pub lang: &'static str,
    /// Whether it is the page's language.
    pub current: bool,
}

/// What every public page shows around its content.
pub struct Frame {
    /// The page's words.
    pub words: Words,
    /// `kk`, `ru` or `en`.
    pub lang: &'static str,
    /// The stylesheet's URL.
    pub css: &'static str,
    /// The script's URL (only the check page loads it).
    pub js: &'static str,
    /// The icon's URL.
    pub icon: &'static str,
    /// The language switch.
    pub languages: Vec<LanguageLink>,
    /// The home page in this language.
    pub home: String,
}

impl Frame {
    /// The frame of a page at `place` in `language`.
    pub fn new(language: Language, place: &Place) -> Frame {
        let languages = Language::ALL
            .into_iter()
            .map(|each| LanguageLink {
                label: language_name(each),
                href: place.in_language(each),
                lang: each.code(),
                current: each == language,
            })
            .collect();
        Frame {
            words: Words::new(language),
            lang: language.code(),
            css: assets::url("public.css"),
            js: assets::url("public.js"),
            icon: assets::url("favicon.svg"),
            languages,
            home: format!("/?lang={}", language.code()),
        }
    }

    /// Message `id`.
    pub fn t(&self, id: &str) -> String {
        self.words.text(id)
    }
}

/// A language's name in itself, as the switch shows it.
fn language_name(language: Language) -> &'static str {
    match language {
        Language::Kk => "Қазақша",
        Language::Ru => "Русский",
        Language::En => "English",
    }
}

/// A line of the code's card.
pub struct Row {
    /// What it is (`product`, `producer`, ...: its class on the page).
    pub key: &'static str,
    /// Its label.
    pub label: String,
    /// Its value.
    pub value: String,
}

/// A kind of violation the form offers.
pub struct Choice {
    /// The form's value (`sold_after_expiry`).
    pub value: &'static str,
    /// Its words.
    pub label: String,
    /// Chosen at first.
    pub selected: bool,
}

/// The report form (`templates/public/report_form.html`).
pub struct ReportForm {
    /// Where it posts: [`REPORT_FORM_PATH`] with the language and the page to link back to.
    pub action: String,
    /// The code it is about, sent along unseen; none: the visitor may type one.
    pub code: Option<String>,
    /// The kinds to choose from.
    pub kinds: Vec<Choice>,
    /// Shown open (the form is what the page is for, or the code is unknown).
    pub open: bool,
    /// What the form is for.
    pub lead: String,
    /// The longest comment, in characters.
    pub comment_chars_max: usize,
    /// The largest photo, in bytes (the script warns before sending a larger one).
    pub photo_bytes_max: usize,
    /// The photo's formats and limit, in words.
    pub photo_hint: String,
    /// What the script says of a photo too large.
    pub photo_too_large: String,
}

impl ReportForm {
    /// The form on the page at `place`, about `code` if the page is a code's.
    fn new(words: &Words, place: &Place, code: Option<&str>, open: bool) -> ReportForm {
        let first = if code.is_some() {
            ViolationKind::Counterfeit
        } else {
            ViolationKind::NoCode
        };
        let kinds = ViolationKind::ALL
            .into_iter()
            .map(|kind| {
                let value = kind.name();
                Choice {
                    value,
                    label: words.text(&format!("public-kind-{}", value.replace('_', "-"))),
                    selected: kind == first,
                }
            })
            .collect();
        let megabytes = (REPORT_PHOTO_BYTES_MAX / MEGABYTE_BYTES) as u64;
        let back = crate::console::percent_encode(&place.path_and_query());
        ReportForm {
            action: format!(
                "{REPORT_FORM_PATH}?lang={}&back={back}",
                words.language.code()
            ),
            code: code.map(str::to_owned),
            kinds,
            open,
            lead: words.text(match code {
                Some(_) => "public-report-lead",
                None => "public-report-lead-no-code",
            }),
            comment_chars_max: REPORT_COMMENT_CHARS_MAX,
            photo_bytes_max: REPORT_PHOTO_BYTES_MAX,
            photo_hint: words.count("public-report-photo-hint", megabytes),
            photo_too_large: words.count("public-report-photo-too-large", megabytes),
        }
    }
}

/// The page of a checked code.
#[derive(Template)]
#[template(path = "public/check.html")]
pub struct CheckPage {
    frame: Frame,
    verdict: &'static str,
    verdict_class: &'static str,
    verdict_text: String,
    rows: Vec<Row>,
    recall_notice: Option<String>,
    untailed: bool,
    flagged: bool,
    opt_in: bool,
    code: String,
    report: ReportForm,
}

/// The home page: a form that checks a code.
#[derive(Template)]
#[template(path = "public/home.html")]
pub struct HomePage {
    frame: Frame,
}

/// The report form alone (goods without a code, or a code typed by hand).
#[derive(Template)]
#[template(path = "public/report.html")]
pub struct ReportPage {
    frame: Frame,
    report: ReportForm,
}

/// The answer to a report: thanks, and its number.
#[derive(Template)]
#[template(path = "public/reported.html")]
pub struct ReportedPage {
    frame: Frame,
    report: u64,
    back: Option<String>,
}

/// The answer to the opt-in form: its number and its secret, shown once.
#[derive(Template)]
#[template(path = "public/opted_in.html")]
pub struct OptedInPage {
    frame: Frame,
    opt_in: u64,
    token: String,
}

/// A refusal, in words.
#[derive(Template)]
#[template(path = "public/error.html")]
pub struct ErrorPage {
    frame: Frame,
    message: String,
    back: Option<String>,
}

/// The verdict's name on the wire (`unknown_or_forged`) and its colour on the page.
fn verdict_look(verdict: Verdict) -> (&'static str, &'static str) {
    match verdict {
        Verdict::Genuine => ("genuine", "genuine"),
        Verdict::Sold => ("sold", "warn"),
        Verdict::NotInCirculation => ("not_in_circulation", "warn"),
        Verdict::Blocked => ("blocked", "bad"),
        Verdict::Recalled => ("recalled", "bad"),
        Verdict::Expired => ("expired", "bad"),
        Verdict::UnknownOrForged => ("unknown_or_forged", "bad"),
    }
}

/// The lines of a checked code's card, in the page's words.
fn card_rows(answer: &PublicCheck, words: &Words) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut row = |key: &'static str, value: String| {
        let label = words.text(&format!("public-{}", key.replace('_', "-")));
        rows.push(Row { key, label, value });
    };
    row("code", answer.code.clone());
    if let Some(product) = &answer.product {
        row("product", product.name.clone());
        row("producer", product.producer.clone());
        if let Some(importer) = &product.importer {
            row("importer", importer.clone());
        }
        row("country", product.country.clone());
    }
    if let Some(day) = answer.production_date {
        row("produced", words.date(day));
    }
    if let Some(day) = answer.expiry_date {
        row("expires", words.date(day));
    }
    for block in &answer.blocked_by {
        row(
            "blocked_by",
            format!("{}: {}", block.authority, block.reason),
        );
    }
    if let Some(recall) = &answer.recall {
        row("recalled_by", recall.by.clone());
    }
    rows
}

impl CheckPage {
    /// The page of `answer`, at `place`, in `language`.
    pub fn new(answer: &PublicCheck, language: Language, place: &Place) -> CheckPage {
        let frame = Frame::new(language, place);
        let (verdict, verdict_class) = verdict_look(answer.verdict);
        let known = answer.verdict != Verdict::UnknownOrForged;
        let report = ReportForm::new(&frame.words, place, Some(&answer.code), !known);
        CheckPage {
            verdict,
            verdict_class,
            verdict_text: answer.verdict_text.clone(),
            rows: card_rows(answer, &frame.words),
            recall_notice: answer.recall.as_ref().map(|recall| recall.notice.clone()),
            untailed: known && !answer.tail_checked,
            flagged: answer.flagged_as_likely_copy,
            // A consumer leaves a contact for a unit it holds (R-REC-07): units only.
            opt_in: known && answer.code.starts_with("(01)"),
            code: answer.code.clone(),
            report,
            frame,
        }
    }
}

impl HomePage {
    /// The home page in `language`.
    pub fn new(language: Language) -> HomePage {
        HomePage {
            frame: Frame::new(language, &Place::new("/", None)),
        }
    }
}

impl ReportPage {
    /// The report form alone, in `language`.
    pub fn new(language: Language) -> ReportPage {
        let place = Place::new(REPORT_FORM_PATH, None);
        let frame = Frame::new(language, &place);
        ReportPage {
            report: ReportForm::new(&frame.words, &place, None, true),
            frame,
        }
    }
}

impl ReportedPage {
    /// Thanks for report `report`; `back` is the page it was sent from.
    pub fn new(report: u64, language: Language, back: Option<&Place>) -> ReportedPage {
        ReportedPage {
            frame: answer_frame(language, back),
            report,
            back: back.map(|back| back.in_language(language)),
        }
    }
}

impl OptedInPage {
    /// The opt-in made.
    pub fn new(opted: &OptedIn, language: Language) -> OptedInPage {
        OptedInPage {
            frame: Frame::new(language, &Place::new("/", None)),
            opt_in: opted.opt_in,
            token: opted.token.clone(),
        }
    }
}

impl ErrorPage {
    /// The refusal `message`, on a page at `place` (a form's answer: the page it came from).
    pub fn new(message: String, language: Language, place: &Place, back: bool) -> ErrorPage {
        ErrorPage {
            frame: Frame::new(language, place),
            message,
            back: back.then(|| place.in_language(language)),
        }
    }
}

/// The frame of a form's answer: its language switch opens the page the form was on (the
/// answer's own URL cannot be fetched again), else the home page.
fn answer_frame(language: Language, back: Option<&Place>) -> Frame {
    let home = Place::new("/", None);
    Frame::new(language, back.unwrap_or(&home))
}

/// The headers every public page carries: the console's strict policy (our own style and
/// script only, none inline, forms posting only here, no framing), no sniffing, no referrer
/// outside, and no caching (a verdict changes; an opt-in's secret is shown once).
const PAGE_HEADERS: [(header::HeaderName, &str); 5] = [
    (
        header::CONTENT_SECURITY_POLICY,
        crate::console::CONTENT_SECURITY_POLICY,
    ),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "same-origin"),
    (header::CACHE_CONTROL, "no-store"),
];

/// A page as an answer with `status`, keeping `chosen` (a language the visitor picked on the
/// switch) in the console's language cookie for the next visits.
pub fn render(status: StatusCode, page: &impl Template, chosen: Option<Language>) -> Response {
    let html = match page.render() {
        Ok(html) => html,
        Err(error) => {
            tracing::error!(%error, "a public page failed to render");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    for (name, value) in PAGE_HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if let Some(language) = chosen {
        let cookie = format!(
            "{}={}; Path=/; Max-Age={}; SameSite=Lax",
            crate::console::LANGUAGE_COOKIE,
            language.code(),
            crate::console::LANGUAGE_COOKIE_SECONDS
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unknown(code: &str) -> PublicCheck {
        PublicCheck {
            code: code.into(),
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
        }
    }

    #[test]
    fn data_is_escaped_and_the_language_switch_keeps_the_tail() {
        let answer = unknown("(01)04600000000015(21)<script>");
        let place = Place::new("/01/04600000000015/21/x", Some("91=AB&92=C<D&lang=en"));
        let page = CheckPage::new(&answer, Language::Kk, &place)
            .render()
            .unwrap();
        assert_eq!(
            page.matches("<script").count(),
            page.matches("<script src=\"/console/assets/").count(),
            "no script inline, none from data: {page}"
        );
        assert!(!page.contains("style="), "no inline style");
        assert!(page.contains("data-verdict=\"unknown_or_forged\">"));
        assert!(page.contains("Таңбаны тексеру"));
        assert!(!page.contains(crate::console::i18n::MISSING_OPEN));
        assert!(
            page.contains("href=\"/01/04600000000015/21/x?91=AB&#38;92=C&#60;D&#38;lang=ru\"")
                || page
                    .contains("href=\"/01/04600000000015/21/x?91=AB&amp;92=C&lt;D&amp;lang=ru\""),
            "the tail stays: {page}"
        );
        assert!(page.contains("id=\"report-form\""));
        assert!(page.contains("enctype=\"multipart/form-data\""));
        assert!(
            !page.contains("id=\"opt-in-form\""),
            "no opt-in for an unknown code"
        );
    }

    #[test]
    fn text_is_escaped_for_markup_built_in_code() {
        assert_eq!(
            escape("<b a=\"x\">&'"),
            "&lt;b a=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn a_form_links_back_only_to_a_page_of_ours() {
        let back = |path: &str| {
            let query = format!("back={}", crate::console::percent_encode(path));
            Place::back(Some(&query)).map(|place| place.path_and_query())
        };
        assert_eq!(
            back("/01/04600000000015/21/x?93=Zx1_").as_deref(),
            Some("/01/04600000000015/21/x?93=Zx1_")
        );
        assert_eq!(back("/check?code=abc").as_deref(), Some("/check?code=abc"));
        for elsewhere in [
            "https://evil.example/",
            "//evil.example/01/",
            "/console/",
            "/01//x",
        ] {
            assert_eq!(back(elsewhere), None, "{elsewhere}");
        }
        assert_eq!(
            back(&format!("/01/{}", "x".repeat(BACK_PATH_CHARS_MAX))),
            None
        );
    }

    #[test]
    fn every_page_renders_in_every_language_without_a_missing_message() {
        let opted = OptedIn {
            opt_in: 7,
            token: "secret".into(),
        };
        let place = Place::new("/01/04600000000015/21/x", None);
        for language in Language::ALL {
            let pages = [
                CheckPage::new(&unknown("(01)04600000000015(21)x"), language, &place).render(),
                HomePage::new(language).render(),
                ReportPage::new(language).render(),
                ReportedPage::new(12, language, Some(&place)).render(),
                OptedInPage::new(&opted, language).render(),
                ErrorPage::new("TANBA-X: no".into(), language, &place, true).render(),
            ];
            for page in pages {
                let page = page.unwrap();
                assert!(!page.contains(crate::console::i18n::MISSING_OPEN), "{page}");
                assert!(page.contains(&format!("<html lang=\"{}\">", language.code())));
            }
        }
    }
}
