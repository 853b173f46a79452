//! The GS1 resolver at a code's Digital Link (issue 14): the conventions of the GS1-Conformant
//! Resolver standard 1.x, with RFC 9264 linksets, answered at the path the public check is
//! answered at (`/01/{gtin}/21/{serial}`, `/00/{sscc}`).
//!
//! - `?linkType=all` (or `linkset`, release 1.2's name), or `Accept: application/linkset+json`:
//!   `200` with the item's linkset ([`LINKSET_MEDIA_TYPE`]). Its anchor is the item's canonical
//!   Digital Link URI under the host the request reached; each relation type is named by its
//!   full GS1 Web Vocabulary URI ([`GS1_VOCABULARY`]).
//! - `?linkType=gs1:pip` (or the term's full URI, under any namespace GS1 publishes it in):
//!   `307` to that link; a type Tanba does not have for the item, to the default link
//!   ([`Links::link_for`] says why).
//! - Neither: the door's own answer (the page, or the check's JSON), unchanged, with a `Link`
//!   header to the linkset ([`advertise`]).
//!
//! The links Tanba has for a known code ([`Links::of`]), every one a route this server answers:
//!
//! | link type | target |
//! |---|---|
//! | `defaultLink` | the code's page (verdict, card, recall notice) |
//! | `pip` | the same page, for a code with a product card (its only public product page) |
//! | `verificationService` | the public check: `/check?code=` (page), `/v1/check?code=` (JSON) |
//! | `recallStatus` | not for a transport package: the page and the JSON (verdict, recall) |
//!
//! Certification info (`gs1:certificationInfo`) is not listed: no certificate of a product or an
//! item is public in Tanba (the end-user and import certificates are cases between their
//! parties). A link carries the request's tail and other data attributes (the `code=` of a check
//! link is the item's Digital Link with them) and its `lang=` if it chose one.
//!
//! Every answer rests on the one public check the Digital Link's handler made
//! ([`crate::service::public::check`]: the anonymous rate, the sighting, the audit record, which
//! also names the `linkType` asked): the resolver decides nothing about the code itself. It never
//! lists links for a code the check did not find: an unknown code and a forged tail get the same
//! refusal (`TANBA-ENGINE-UNKNOWN-CODE`, 404), as at the opt-in form. This module knows no route:
//! [`crate::http`] calls [`answer`] and [`advertise`].

use std::net::SocketAddr;

use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use tanba_engine::EngineError;
use tanba_gs1::digital_link::{check_stem, escape_path};
use tanba_types::{CodeKey, Language};

use crate::app::{App, Call};
use crate::console::i18n::Words;
use crate::console::{percent_encode, query_value};
use crate::error::ApiError;
use crate::page::Place;
use crate::public::{PublicCheck, Verdict};

/// The query parameter a resolver's client names the link it wants with.
pub const LINK_TYPE_PARAMETER: &str = "linkType";
/// The values of [`LINK_TYPE_PARAMETER`] that ask for the whole linkset: `all` (releases 1.0
/// and 1.1 of the standard) and `linkset` (release 1.2).
pub const LINKSET_LINK_TYPES: [&str; 2] = ["all", "linkset"];
/// RFC 9264's media type of a linkset in JSON.
pub const LINKSET_MEDIA_TYPE: &str = "application/linkset+json";
/// The namespace of the relation types in Tanba's linksets: the GS1 Web Vocabulary as releases
/// 1.0 and 1.1 write it (release 1.2 writes the equivalent `https://ref.gs1.org/voc/`).
pub const GS1_VOCABULARY: &str = "https://gs1.org/voc/";
/// The ways a client may name a GS1 link type: the compact `gs1:` and every namespace GS1
/// publishes its vocabulary under.
const GS1_NAMESPACES: [&str; 6] = [
    "gs1:",
    GS1_VOCABULARY,
    "https://www.gs1.org/voc/",
    "https://ref.gs1.org/voc/",
    "http://gs1.org/voc/",
    "http://www.gs1.org/voc/",
];
/// Longest host (with its port) a link is written under: a DNS name's 253 bytes, `:` and a
/// port of 5 digits.
pub const HOST_BYTES_MAX: usize = 253 + 6;
/// The media type of the pages.
const PAGE_MEDIA_TYPE: &str = "text/html";
/// The media type of the check's JSON.
const JSON_MEDIA_TYPE: &str = "application/json";

/// A kind of link Tanba has for a code, by its GS1 Web Vocabulary term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkType {
    /// `gs1:defaultLink`: where a request that names no better link goes: the code's page.
    DefaultLink,
    /// `gs1:pip`: the product information page.
    Pip,
    /// `gs1:verificationService`: the public check.
    VerificationService,
    /// `gs1:recallStatus`: whether the item is recalled (or blocked), and the notice.
    RecallStatus,
}

impl LinkType {
    /// Every link type Tanba has, in the order a linkset lists them.
    pub const ALL: [LinkType; 4] = [
        LinkType::DefaultLink,
        LinkType::Pip,
        LinkType::VerificationService,
        LinkType::RecallStatus,
    ];

    /// Its term in the GS1 Web Vocabulary.
    pub fn term(self) -> &'static str {
        match self {
            LinkType::DefaultLink => "defaultLink",
            LinkType::Pip => "pip",
            LinkType::VerificationService => "verificationService",
            LinkType::RecallStatus => "recallStatus",
        }
    }

    /// Its relation type as a linkset names it: the term's full URI.
    pub fn uri(self) -> String {
        format!("{GS1_VOCABULARY}{}", self.term())
    }

    /// The link type `name` names (`gs1:pip`, `https://gs1.org/voc/pip`, ...), if one of ours.
    pub fn named(name: &str) -> Option<LinkType> {
        let term = GS1_NAMESPACES
            .iter()
            .find_map(|namespace| name.strip_prefix(namespace))?;
        LinkType::ALL.into_iter().find(|each| each.term() == term)
    }
}

/// What a request at a Digital Link asks of the resolver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asked {
    /// The whole linkset.
    Linkset,
    /// One link, by the link type named (kept as given for the audit record).
    Link(String),
}

impl Asked {
    /// What the request asks: its first `linkType` wins over its `Accept`; none, the door's own
    /// answer.
    pub fn of(query: Option<&str>, headers: &HeaderMap) -> Option<Asked> {
        if let Some(name) = query_value(query, LINK_TYPE_PARAMETER) {
            return Some(match LINKSET_LINK_TYPES.contains(&name.as_str()) {
                true => Asked::Linkset,
                false => Asked::Link(name),
            });
        }
        accepts(&accept_of(headers), LINKSET_MEDIA_TYPE).then_some(Asked::Linkset)
    }

    /// How the audit record names it.
    fn reference(&self) -> String {
        match self {
            Asked::Linkset => format!("{LINK_TYPE_PARAMETER}=all"),
            Asked::Link(name) => format!("{LINK_TYPE_PARAMETER}={name}"),
        }
    }
}

/// Every `Accept` line of a request, as one list.
fn accept_of(headers: &HeaderMap) -> String {
    let lines: Vec<&str> = (headers.get_all(header::ACCEPT).iter())
        .filter_map(|value| value.to_str().ok())
        .collect();
    lines.join(",")
}

/// Whether an `Accept` list names `media_type` itself (not through a wildcard).
fn accepts(accept: &str, media_type: &str) -> bool {
    accept.split(',').any(|range| {
        let essence = range.split(';').next().unwrap_or_default().trim();
        essence.eq_ignore_ascii_case(media_type)
    })
}

/// A request at a Digital Link as the resolver sees it: where it was sent, what data it carries
/// besides the code's identity, and what its caller takes.
#[derive(Debug, Clone)]
pub struct Item {
    /// `https://host[:port]`, when the request names a host a link can be written under.
    origin: Option<String>,
    /// The query as received without `linkType` and `lang`: the tail and any other attribute.
    query: Vec<String>,
    /// The language `?lang=` chose: the links keep it.
    chosen: Option<Language>,
    /// The request's `Accept` list.
    accept: String,
}

impl Item {
    /// The request at `uri` (its path and query read as `place`), from `peer`.
    pub fn new(
        app: &App,
        peer: Option<SocketAddr>,
        uri: &Uri,
        headers: &HeaderMap,
        place: &Place,
    ) -> Item {
        // By the decoded name, as `Asked::of` reads it: `link%54ype=` is `linkType` too, and a
        // redirect that kept it would ask again, for ever.
        let is_link_type = |pair: &str| {
            let name = pair.split('=').next().unwrap_or_default();
            let decoded = serde_urlencoded::from_str::<Vec<(String, String)>>(name)
                .ok()
                .and_then(|pairs| pairs.into_iter().next())
                .map(|(key, _)| key);
            decoded.as_deref() == Some(LINK_TYPE_PARAMETER)
        };
        let query = (place.query().split('&'))
            .filter(|pair| !pair.is_empty() && !is_link_type(pair))
            .map(str::to_owned)
            .collect();
        Item {
            origin: origin(app, peer, uri, headers),
            query,
            chosen: crate::page::chosen_language(uri.query()),
            accept: accept_of(headers),
        }
    }

    /// `base` with the request's attributes, and its language if `with_language`.
    fn url(&self, base: &str, with_language: bool) -> String {
        let mut pairs = self.query.clone();
        if let Some(language) = self.chosen.filter(|_| with_language) {
            pairs.push(format!("lang={}", language.code()));
        }
        match pairs.is_empty() {
            true => base.to_owned(),
            false => format!("{base}?{}", pairs.join("&")),
        }
    }

    /// The URL of the linkset of the code `answer` is about, if it has one (a known code, a
    /// request with a host).
    pub fn linkset_url(&self, answer: &PublicCheck) -> Option<String> {
        let key = known(answer).ok()?;
        let anchor = format!("{}{}", self.origin.as_deref()?, path_of(&key));
        Some(linkset_url(&self.url(&anchor, true)))
    }
}

/// `page` asking for its linkset.
fn linkset_url(page: &str) -> String {
    let separator = if page.contains('?') { '&' } else { '?' };
    format!("{page}{separator}{LINK_TYPE_PARAMETER}=all")
}

/// The scheme and host a request reached this server at, for absolute links: the host its URI
/// names (HTTP/2) or its `Host` header; `https` under TLS, or when a trusted proxy says the
/// request reached it so (`X-Forwarded-Proto`). The host is the caller's word: a caller that
/// names another gets links to it in its own answer (never cached: see [`answer`]).
fn origin(app: &App, peer: Option<SocketAddr>, uri: &Uri, headers: &HeaderMap) -> Option<String> {
    let host = match uri.authority() {
        Some(authority) => authority.as_str(),
        None => headers.get(header::HOST)?.to_str().ok()?,
    };
    let trusted = |peer: SocketAddr| {
        let ip = peer.ip().to_canonical();
        (app.config.trusted_proxies.iter()).any(|proxy| proxy.to_canonical() == ip)
    };
    let forwarded_https = peer.is_some_and(trusted)
        && headers
            .get("x-forwarded-proto")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"));
    let scheme = match app.config.tls.is_some() || forwarded_https {
        true => "https",
        false => "http",
    };
    origin_of(scheme, host)
}

/// `scheme://host` when `host` is a host (and port) a Digital Link may be written under, within
/// [`HOST_BYTES_MAX`]: no user, path, query or stray character.
fn origin_of(scheme: &str, host: &str) -> Option<String> {
    let plain = !host.is_empty()
        && host.len() <= HOST_BYTES_MAX
        && (host.bytes()).all(|byte| byte.is_ascii_alphanumeric() || b"-.:[]".contains(&byte));
    let origin = format!("{scheme}://{}", host.to_ascii_lowercase());
    (plain && check_stem(&origin).is_ok()).then_some(origin)
}

/// The path of a code's own Digital Link, as GS1 writes it.
fn path_of(key: &CodeKey) -> String {
    match key {
        CodeKey::Item { gtin, serial } => {
            format!("/01/{}/21/{}", gtin.as_str(), escape_path(serial.as_str()))
        }
        CodeKey::Sscc(sscc) => format!("/00/{}", sscc.as_str()),
    }
}

/// The code a check found, or the refusal of a code it did not: an unknown code and a forged
/// tail alike (a forger learns nothing from the difference).
fn known(answer: &PublicCheck) -> Result<CodeKey, ApiError> {
    let key: CodeKey = answer.code.parse().map_err(|_| {
        tracing::error!(code = answer.code, "a checked code does not read back");
        ApiError::internal()
    })?;
    match answer.verdict {
        Verdict::UnknownOrForged => Err(EngineError::UnknownCode(key).into()),
        _ => Ok(key),
    }
}

/// One link of a linkset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Its link type.
    pub relation: LinkType,
    /// Where it goes.
    pub href: String,
    /// What it is, in the answer's language.
    pub title: String,
    /// The media type its target answers in.
    pub media_type: &'static str,
}

/// The links Tanba has for a known code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    /// The link context: the item's canonical Digital Link URI.
    pub anchor: String,
    /// The languages the targets answer in: the one the request chose, else all three (each
    /// target then picks by the language cookie or `Accept-Language`, as the pages do).
    pub hreflang: Vec<&'static str>,
    /// The links, in [`LinkType::ALL`]'s order, a page before JSON within a type.
    pub links: Vec<Link>,
    /// This linkset's own URL.
    pub linkset: String,
}

impl Links {
    /// The links for the code `answer` is about, their titles in `language`; refused for a code
    /// the check did not find, or a request whose host no link can be written under.
    pub fn of(answer: &PublicCheck, item: &Item, language: Language) -> Result<Links, ApiError> {
        let key = known(answer)?;
        let origin = item
            .origin
            .as_deref()
            .ok_or_else(|| ApiError::invalid("Host"))?;
        let anchor = format!("{origin}{}", path_of(&key));
        let page = item.url(&anchor, true);
        let code = percent_encode(&item.url(&anchor, false));
        let language_pair = (item.chosen)
            .map(|chosen| format!("&lang={}", chosen.code()))
            .unwrap_or_default();
        let check = format!("{origin}/check?code={code}{language_pair}");
        let api = format!("{origin}/v1/check?code={code}{language_pair}");
        // A transport package's recall status is not the public's: its check tells the verdict.
        let unit = matches!(key, CodeKey::Item { .. });
        let has_product = answer.product.is_some();
        // Each link: its type, target, title (`public-link-...`), media type, and whether the
        // code has it.
        #[rustfmt::skip]
        let rows = [
            (LinkType::DefaultLink, &page, "default", PAGE_MEDIA_TYPE, true),
            (LinkType::Pip, &page, "pip", PAGE_MEDIA_TYPE, has_product),
            (LinkType::VerificationService, &check, "verification", PAGE_MEDIA_TYPE, true),
            (LinkType::VerificationService, &api, "verification-json", JSON_MEDIA_TYPE, true),
            (LinkType::RecallStatus, &page, "recall-status", PAGE_MEDIA_TYPE, unit),
            (LinkType::RecallStatus, &api, "recall-status-json", JSON_MEDIA_TYPE, unit),
        ];
        let words = Words::new(language);
        let product = (answer.product.as_ref()).map_or("", |product| product.name.as_str());
        let links = (rows.into_iter())
            .filter(|(_, _, _, _, present)| *present)
            .map(|(relation, href, title, media_type, _)| Link {
                relation,
                href: href.clone(),
                title: words.with(&format!("public-link-{title}"), &[("name", product)]),
                media_type,
            })
            .collect();
        Ok(Links {
            hreflang: match item.chosen {
                Some(chosen) => vec![chosen.code()],
                None => Language::ALL.map(Language::code).to_vec(),
            },
            linkset: linkset_url(&page),
            anchor,
            links,
        })
    }

    /// The linkset as RFC 9264 JSON: one link context, the item's, its relation types named by
    /// their full URIs, each target with its title, media type and languages.
    pub fn to_json(&self) -> serde_json::Value {
        let mut context = serde_json::Map::new();
        context.insert("anchor".into(), self.anchor.clone().into());
        for link in &self.links {
            let target = serde_json::json!({
                "href": link.href,
                "title": link.title,
                "type": link.media_type,
                "hreflang": self.hreflang,
            });
            let targets = context
                .entry(link.relation.uri())
                .or_insert_with(|| serde_json::Value::Array(Vec::new()));
            if let serde_json::Value::Array(targets) = targets {
                targets.push(target);
            }
        }
        serde_json::json!({ "linkset": [context] })
    }

    /// The link a request for the link type `name` is sent to: of that type, the first whose
    /// media type `accept` names, else its first (a page).
    ///
    /// A type Tanba does not know, or has not for this item, goes to the default link, as the
    /// GS1-Conformant Resolver standard has it (a resolver redirects to the default link
    /// unless the request carries something that matches a better one) and as GS1's own
    /// resolvers do. A coded 404 would leave a phone with nothing, where the default link, the
    /// code's page, tells it what it came for; the audit record keeps the name asked.
    pub fn link_for(&self, name: &str, accept: &str) -> &Link {
        let relation = LinkType::named(name)
            .filter(|relation| self.links.iter().any(|link| link.relation == *relation))
            .unwrap_or(LinkType::DefaultLink);
        let mut of_type = self.links.iter().filter(|link| link.relation == relation);
        let first = of_type
            .clone()
            .next()
            .expect("the default link is always there");
        of_type
            .find(|link| accepts(accept, link.media_type))
            .unwrap_or(first)
    }

    /// The `Link` header value that points at this linkset.
    fn header(&self) -> Option<HeaderValue> {
        linkset_header(&self.linkset)
    }
}

/// `Link: <url>; rel="linkset"; type="application/linkset+json"`.
fn linkset_header(url: &str) -> Option<HeaderValue> {
    let value = format!("<{url}>; rel=\"linkset\"; type=\"{LINKSET_MEDIA_TYPE}\"");
    HeaderValue::from_str(&value).ok()
}

/// The resolver's answer to `asked`, from the check the handler made (`checked`): the linkset,
/// or a `307` to the link asked for; a refusal as the JSON error. Finishes the call (its audit
/// record names the `linkType` asked). Never cached: it rests on a verdict and the request's
/// host.
pub async fn answer(
    mut call: Call<'_>,
    checked: Result<PublicCheck, ApiError>,
    asked: &Asked,
    item: &Item,
) -> Response {
    call.note_reference(asked.reference());
    let language = call.language;
    let links = checked.and_then(|answer| Links::of(&answer, item, language));
    let mut response = match (call.finish(links).await, asked) {
        (Err(error), _) => crate::http::error_response(&error, language),
        (Ok(links), Asked::Linkset) => {
            let body = links.to_json().to_string();
            let mut response = (StatusCode::OK, body).into_response();
            (response.headers_mut()).insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(LINKSET_MEDIA_TYPE),
            );
            response
        }
        (Ok(links), Asked::Link(name)) => redirect(&links, links.link_for(name, &item.accept)),
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    response
}

/// A `307` to `link`, with the `Link` header to the linkset (as the standard asks even when
/// redirecting).
fn redirect(links: &Links, link: &Link) -> Response {
    let Ok(location) = HeaderValue::from_str(&link.href) else {
        tracing::error!(href = link.href, "a link is not a header value");
        return crate::http::error_response(&ApiError::internal(), Language::En);
    };
    let mut response = StatusCode::TEMPORARY_REDIRECT.into_response();
    let headers = response.headers_mut();
    headers.insert(header::LOCATION, location);
    if let Some(value) = links.header() {
        headers.insert(header::LINK, value);
    }
    response
}

/// The door's own answer at a Digital Link (the page, the check's JSON), with a `Link` header
/// to the linkset at `linkset` ([`Item::linkset_url`]: none for a code the check did not find),
/// varying by `Accept`.
pub fn advertise(mut response: Response, linkset: Option<&str>) -> Response {
    let headers = response.headers_mut();
    if let Some(value) = linkset.and_then(linkset_header) {
        headers.insert(header::LINK, value);
    }
    headers.append(header::VARY, HeaderValue::from_static("Accept"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::public::PublicProduct;

    fn checked(code: &str, verdict: Verdict, product: bool) -> PublicCheck {
        PublicCheck {
            code: code.into(),
            verdict,
            verdict_text: verdict.text(Language::En).into(),
            language: "en",
            blocked_by: Vec::new(),
            recall: None,
            product: product.then(|| PublicProduct {
                gtin: "04600000000015".into(),
                name: "Water".into(),
                producer: "Su".into(),
                importer: None,
                country: "KZ".into(),
            }),
            production_date: None,
            expiry_date: None,
            flagged_as_likely_copy: false,
            likely_copy_evidence: 0,
            tail_checked: true,
        }
    }

    fn item(query: &[&str], chosen: Option<Language>) -> Item {
        Item {
            origin: Some("https://id.tanba.kz".into()),
            query: query.iter().map(|pair| pair.to_string()).collect(),
            chosen,
            accept: String::new(),
        }
    }

    fn relations(links: &Links) -> Vec<LinkType> {
        let mut relations: Vec<LinkType> = links.links.iter().map(|link| link.relation).collect();
        relations.dedup();
        relations
    }

    #[test]
    fn a_link_type_is_named_in_any_of_gs1s_forms_and_nothing_else() {
        for name in [
            "gs1:pip",
            "https://gs1.org/voc/pip",
            "https://www.gs1.org/voc/pip",
            "https://ref.gs1.org/voc/pip",
            "http://gs1.org/voc/pip",
        ] {
            assert_eq!(LinkType::named(name), Some(LinkType::Pip), "{name}");
        }
        assert_eq!(
            LinkType::named("gs1:verificationService"),
            Some(LinkType::VerificationService)
        );
        for name in [
            "pip",
            "gs1:PIP",
            "gs1:epil",
            "https://evil.example/voc/pip",
            "",
        ] {
            assert_eq!(LinkType::named(name), None, "{name}");
        }
        assert_eq!(
            LinkType::RecallStatus.uri(),
            "https://gs1.org/voc/recallStatus"
        );
    }

    #[test]
    fn the_link_type_parameter_wins_over_accept() {
        let mut linkset = HeaderMap::new();
        linkset.insert(
            header::ACCEPT,
            HeaderValue::from_static("application/linkset+json"),
        );
        let asked = |query, headers: &HeaderMap| Asked::of(Some(query), headers);
        assert_eq!(
            asked("91=A&linkType=all", &HeaderMap::new()),
            Some(Asked::Linkset)
        );
        assert_eq!(
            asked("linkType=linkset", &HeaderMap::new()),
            Some(Asked::Linkset)
        );
        assert_eq!(
            asked("linkType=gs1%3Apip", &linkset),
            Some(Asked::Link("gs1:pip".into()))
        );
        assert_eq!(asked("lang=kk", &linkset), Some(Asked::Linkset));
        assert_eq!(asked("lang=kk", &HeaderMap::new()), None);
        let mut json = HeaderMap::new();
        json.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        assert_eq!(asked("", &json), None);
    }

    #[test]
    fn only_a_plain_host_is_written_into_links() {
        let origin = |host| origin_of("https", host);
        assert_eq!(
            origin("id.tanba.kz").as_deref(),
            Some("https://id.tanba.kz")
        );
        assert_eq!(
            origin("127.0.0.1:8080").as_deref(),
            Some("https://127.0.0.1:8080")
        );
        assert_eq!(origin("[::1]:8080").as_deref(), Some("https://[::1]:8080"));
        assert_eq!(
            origin("ID.Tanba.KZ").as_deref(),
            Some("https://id.tanba.kz")
        );
        let long = format!("{}.kz", "a".repeat(HOST_BYTES_MAX));
        for bad in [
            "",
            "evil.example/x",
            "user@evil.example",
            "a b",
            "x:99999",
            &long,
        ] {
            assert_eq!(origin(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_known_unit_has_every_link_and_keeps_its_tail_and_language() {
        let answer = checked("(01)04600000000015(21)a/b", Verdict::Genuine, true);
        let links = Links::of(
            &answer,
            &item(&["91=K1", "92=S%2B"], Some(Language::Kk)),
            Language::Kk,
        )
        .unwrap();
        assert_eq!(
            links.anchor,
            "https://id.tanba.kz/01/04600000000015/21/a%2Fb"
        );
        assert_eq!(relations(&links), LinkType::ALL);
        assert_eq!(links.hreflang, ["kk"]);
        let page = "https://id.tanba.kz/01/04600000000015/21/a%2Fb?91=K1&92=S%2B&lang=kk";
        assert_eq!(links.link_for("gs1:pip", "").href, page);
        assert_eq!(links.linkset, format!("{page}&linkType=all"));
        let json = links.link_for("gs1:verificationService", "application/json");
        assert_eq!(
            json.href,
            "https://id.tanba.kz/v1/check?code=https%3A//id.tanba.kz/01/04600000000015/21/\
             a%252Fb%3F91%3DK1%2692%3DS%252B&lang=kk"
        );
        assert!(links.link_for("gs1:pip", "").title.contains("Water"));
        assert!(
            !links.to_json().to_string().contains('⟦'),
            "every title exists"
        );
        // A type it does not have, or no type of ours, goes to the default link.
        for name in [
            "gs1:certificationInfo",
            "gs1:nonsense",
            "https://evil.example/voc/pip",
        ] {
            assert_eq!(links.link_for(name, "").relation, LinkType::DefaultLink);
        }
    }

    #[test]
    fn a_transport_package_has_its_check_and_page_only() {
        let answer = checked("(00)106141411234567897", Verdict::Genuine, false);
        let links = Links::of(&answer, &item(&[], None), Language::Ru).unwrap();
        assert_eq!(links.anchor, "https://id.tanba.kz/00/106141411234567897");
        assert_eq!(
            relations(&links),
            [LinkType::DefaultLink, LinkType::VerificationService]
        );
        assert_eq!(links.hreflang, ["kk", "ru", "en"]);
        let json = links.to_json();
        let context = &json["linkset"][0];
        assert_eq!(
            context["anchor"],
            "https://id.tanba.kz/00/106141411234567897"
        );
        assert_eq!(
            context["https://gs1.org/voc/defaultLink"][0]["href"],
            "https://id.tanba.kz/00/106141411234567897"
        );
        assert!(context.get("https://gs1.org/voc/recallStatus").is_none());
    }

    #[test]
    fn an_unknown_or_forged_code_has_no_links() {
        let answer = checked("(01)04600000000015(21)x", Verdict::UnknownOrForged, false);
        let refused = Links::of(&answer, &item(&[], None), Language::En).unwrap_err();
        assert_eq!(refused.code, "TANBA-ENGINE-UNKNOWN-CODE");
        assert_eq!(refused.http_status(), 404);
        assert_eq!(item(&[], None).linkset_url(&answer), None);
        let mut hostless = item(&[], None);
        hostless.origin = None;
        let known = checked("(01)04600000000015(21)x", Verdict::Sold, true);
        assert_eq!(
            Links::of(&known, &hostless, Language::En).unwrap_err().code,
            "TANBA-SERVER-INVALID"
        );
    }
}
