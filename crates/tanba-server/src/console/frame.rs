//! What every console page shows around its content: the language switch, who is signed in
//! with the sign-out form, the menu of what the participant's roles may do, and flash messages.

use tanba_types::{Language, Participant, Role};

use super::assets;
use super::i18n::Words;

/// A menu entry: the page's id (also its message id `nav-<id>`), its path, and who sees it.
struct MenuEntry {
    id: &'static str,
    path: &'static str,
    /// Roles that see it; empty for everyone signed in.
    roles: &'static [Role],
}

/// The console's pages, in menu order.
const MENU: &[MenuEntry] = &[
    MenuEntry {
        id: "home",
        path: "/console/",
        roles: &[],
    },
    MenuEntry {
        id: "inbox",
        path: "/console/inbox",
        roles: &[],
    },
    MenuEntry {
        id: "shipments",
        path: "/console/shipments",
        roles: &[
            Role::Producer,
            Role::Importer,
            Role::Wholesaler,
            Role::Retailer,
        ],
    },
    MenuEntry {
        id: "products",
        path: "/console/products",
        roles: &[Role::Producer, Role::Importer],
    },
    MenuEntry {
        id: "goods",
        path: "/console/goods",
        roles: &[Role::Producer, Role::Importer, Role::Wholesaler],
    },
    MenuEntry {
        id: "cases",
        path: "/console/cases",
        roles: &[],
    },
    MenuEntry {
        id: "till",
        path: "/console/till",
        roles: &[Role::Retailer],
    },
    MenuEntry {
        id: "receipts",
        path: "/console/receipts",
        roles: &[Role::Retailer],
    },
    MenuEntry {
        id: "codes",
        path: "/console/codes",
        roles: &[],
    },
    MenuEntry {
        id: "audit",
        path: "/console/audit",
        roles: &[Role::Authority, Role::Operator],
    },
    MenuEntry {
        id: "reports",
        path: "/console/reports",
        roles: &[Role::Authority, Role::Operator],
    },
    MenuEntry {
        id: "participants",
        path: "/console/participants",
        roles: &[Role::Operator, Role::Authority, Role::Ministry],
    },
    MenuEntry {
        id: "reference",
        path: "/console/reference",
        roles: &[Role::Operator],
    },
    MenuEntry {
        id: "health",
        path: "/console/health",
        roles: &[Role::Operator],
    },
    MenuEntry {
        id: "registers",
        path: "/console/registers",
        roles: &[Role::Operator],
    },
    MenuEntry {
        id: "certificates",
        path: "/console/certificates",
        roles: &[],
    },
    MenuEntry {
        id: "statistics",
        path: "/console/statistics",
        roles: &[
            Role::Producer,
            Role::Importer,
            Role::Wholesaler,
            Role::Retailer,
            Role::Authority,
            Role::Ministry,
            Role::Operator,
        ],
    },
    MenuEntry {
        id: "feeds",
        path: "/console/feeds",
        roles: &[Role::Ministry, Role::Authority, Role::Operator],
    },
    MenuEntry {
        id: "orders",
        path: "/console/orders",
        roles: &[Role::Producer, Role::Importer],
    },
];

/// A link of the menu or of the language switch.
pub struct Link {
    /// Its text.
    pub label: String,
    /// Where it goes.
    pub href: String,
    /// Whether it is the page shown.
    pub current: bool,
    /// Its language (`kk`), for the language switch.
    pub lang: &'static str,
}

/// The signed-in participant, as the frame shows it.
pub struct Who {
    /// Name.
    pub name: String,
    /// IIN/BIN.
    pub id: String,
    /// "Signed in as ...", in the page's language.
    pub line: String,
    /// The session's CSRF token, for the sign-out form.
    pub csrf: String,
}

/// A message shown once at the top of a page.
pub struct Flash {
    /// `info`, `good` or `bad` (the CSS class).
    pub kind: &'static str,
    /// The text.
    pub text: String,
}

/// Flash messages a redirect may ask for by id (`?said=signed-out`): only these, so a link
/// cannot put words of its own on a page.
pub const SAYABLE: &[(&str, &str)] = &[
    ("signed-out", "info"),
    ("session-ended", "info"),
    ("participant-suspended", "bad"),
];

/// The frame of a page.
pub struct Frame {
    /// The page's words.
    pub words: Words,
    /// `kk`, `ru` or `en`.
    pub lang: &'static str,
    /// The stylesheet's URL.
    pub css: &'static str,
    /// The common script's URL.
    pub js: &'static str,
    /// The icon's URL.
    pub icon: &'static str,
    /// The language switch: this page in each language.
    pub languages: Vec<Link>,
    /// Who is signed in.
    pub who: Option<Who>,
    /// What the participant may open.
    pub menu: Vec<Link>,
    /// Messages to show once.
    pub flashes: Vec<Flash>,
    /// The menu id of the page shown (empty for a page outside the menu).
    page: &'static str,
}

impl Frame {
    /// The frame of page `page` (a menu id) at `path_and_query`, in `language`.
    pub fn new(language: Language, path_and_query: &str, page: &str) -> Frame {
        let words = Words::new(language);
        let languages = Language::ALL
            .into_iter()
            .map(|each| Link {
                label: language_name(each).to_owned(),
                href: with_language(path_and_query, each),
                current: each == language,
                lang: lang_code(each),
            })
            .collect();
        Frame {
            words,
            lang: lang_code(language),
            css: assets::url("console.css"),
            js: assets::url("console.js"),
            icon: assets::url("favicon.svg"),
            languages,
            who: None,
            menu: Vec::new(),
            flashes: Vec::new(),
            page: page_id(page),
        }
    }

    /// The frame for `participant`, signed in with a session whose CSRF token is `csrf`.
    pub fn signed_in(mut self, participant: &Participant, csrf: &str) -> Frame {
        self.menu = MENU
            .iter()
            .filter(|entry| {
                entry.roles.is_empty() || entry.roles.iter().any(|role| participant.has_role(*role))
            })
            .map(|entry| Link {
                label: self.words.text(&format!("nav-{}", entry.id)),
                href: entry.path.to_owned(),
                current: entry.id == self.page,
                lang: self.lang,
            })
            .collect();
        let shown = format!("{} ({})", participant.name, participant.id);
        self.who = Some(Who {
            name: participant.name.clone(),
            id: participant.id.to_string(),
            line: self.words.with("signed-in-as", &[("name", &shown)]),
            csrf: csrf.to_owned(),
        });
        self
    }

    /// Adds the flash message `id` (a message id of [`SAYABLE`]).
    pub fn say(mut self, id: &str) -> Frame {
        if let Some((id, kind)) = SAYABLE.iter().find(|(each, _)| *each == id) {
            self.flashes.push(Flash {
                kind,
                text: self.words.text(id),
            });
        }
        self
    }

    /// Message `id` (a shorthand for templates).
    pub fn t(&self, id: &str) -> String {
        self.words.text(id)
    }
}

/// The path of menu page `page`.
pub fn menu_path(page: &str) -> Option<&'static str> {
    MENU.iter()
        .find(|entry| entry.id == page)
        .map(|entry| entry.path)
}

/// A page id as a `'static` name (the menu's ids; anything else is no page of the menu).
fn page_id(page: &str) -> &'static str {
    MENU.iter()
        .find(|entry| entry.id == page)
        .map_or("", |entry| entry.id)
}

/// `kk`, `ru` or `en`.
pub fn lang_code(language: Language) -> &'static str {
    match language {
        Language::Kk => "kk",
        Language::Ru => "ru",
        Language::En => "en",
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

/// `path_and_query` with its `lang` parameter set to `language` (others kept in order).
pub fn with_language(path_and_query: &str, language: Language) -> String {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let mut pairs: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("lang=") && !pair.starts_with("said="))
        .collect();
    let lang = format!("lang={}", lang_code(language));
    pairs.push(&lang);
    format!("{path}?{}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_switch_keeps_the_page_and_its_other_parameters() {
        assert_eq!(
            with_language("/console/inbox?after=5&lang=ru", Language::Kk),
            "/console/inbox?after=5&lang=kk"
        );
        assert_eq!(
            with_language("/console/", Language::En),
            "/console/?lang=en"
        );
        // A flash message is shown once, not again in the next language.
        assert_eq!(
            with_language("/console/sign-in?said=signed-out", Language::En),
            "/console/sign-in?lang=en"
        );
    }
}
