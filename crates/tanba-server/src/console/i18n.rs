//! The console's words: one Fluent catalogue per language (`console/locales/*.ftl`, embedded in
//! the binary), with the plural rules of Kazakh, Russian and English, and dates and numbers
//! written the way each language writes them. A message missing from a catalogue shows as
//! `⟦id⟧`, which the browser tests look for on every page in every language.

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use tanba_types::{Date, Language};

/// The catalogues' sources, by language: the console's own words, the words of the
/// procedures' cases (kinds, states, steps, fields, clocks: `console::cases::vocabulary`), and
/// the public page's at a code's Digital Link (`crate::page`, every id `public-`).
const SOURCES: [(Language, [&str; 3]); 3] = [
    (
        Language::Kk,
        [
            include_str!("../../console/locales/kk.ftl"),
            include_str!("../../console/locales/kk-cases.ftl"),
            include_str!("../../console/locales/kk-public.ftl"),
        ],
    ),
    (
        Language::Ru,
        [
            include_str!("../../console/locales/ru.ftl"),
            include_str!("../../console/locales/ru-cases.ftl"),
            include_str!("../../console/locales/ru-public.ftl"),
        ],
    ),
    (
        Language::En,
        [
            include_str!("../../console/locales/en.ftl"),
            include_str!("../../console/locales/en-cases.ftl"),
            include_str!("../../console/locales/en-public.ftl"),
        ],
    ),
];

/// The opening and closing marks of a message no catalogue has.
pub const MISSING_OPEN: char = '⟦';
/// See [`MISSING_OPEN`].
pub const MISSING_CLOSE: char = '⟧';

/// The three catalogues, parsed once.
struct Catalogues {
    bundles: Vec<(Language, FluentBundle<FluentResource>)>,
}

static CATALOGUES: LazyLock<Catalogues> = LazyLock::new(|| Catalogues {
    bundles: SOURCES
        .iter()
        .map(|(language, sources)| (*language, bundle(*language, sources)))
        .collect(),
});

/// A catalogue's bundle. The sources are ours and embedded: a syntax error in one, or a
/// message in two files, is a bug the unit tests catch, so it panics here.
fn bundle(language: Language, sources: &[&str]) -> FluentBundle<FluentResource> {
    let identifier: unic_langid::LanguageIdentifier = language
        .to_string()
        .parse()
        .expect("kk, ru and en are language identifiers");
    let mut bundle = FluentBundle::new_concurrent(vec![identifier]);
    // Every language here is written left to right: no isolation marks around arguments.
    bundle.set_use_isolating(false);
    for source in sources {
        let resource = FluentResource::try_new((*source).to_owned())
            .unwrap_or_else(|(_, errors)| panic!("console/locales/{language}*.ftl: {errors:?}"));
        bundle
            .add_resource(resource)
            .unwrap_or_else(|errors| panic!("console/locales/{language}*.ftl: {errors:?}"));
    }
    bundle
}

/// The words of one language: what every template asks for its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Words {
    /// The language.
    pub language: Language,
}

impl Words {
    /// The words in `language`.
    pub fn new(language: Language) -> Words {
        Words { language }
    }

    /// Message `id`.
    pub fn text(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// Message `id` with named text arguments.
    pub fn with(&self, id: &str, arguments: &[(&str, &str)]) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in arguments {
            args.set(*name, FluentValue::from(*value));
        }
        self.format(id, Some(&args))
    }

    /// Message `id` about `count` things: `$count` chooses the plural form, `$shown` is the
    /// number as the language writes it.
    pub fn count(&self, id: &str, count: u64) -> String {
        let mut args = FluentArgs::new();
        args.set("count", FluentValue::from(count));
        args.set("shown", FluentValue::from(self.number(count)));
        self.format(id, Some(&args))
    }

    /// A whole number as the language writes it: groups of three digits split by a
    /// no-break space in Kazakh and Russian, by a comma in English.
    pub fn number(&self, value: u64) -> String {
        let separator = match self.language {
            Language::Kk | Language::Ru => '\u{a0}',
            Language::En => ',',
        };
        let digits = value.to_string();
        let mut out = String::with_capacity(digits.len() * 2);
        for (index, digit) in digits.chars().enumerate() {
            if index > 0 && (digits.len() - index).is_multiple_of(3) {
                out.push(separator);
            }
            out.push(digit);
        }
        out
    }

    /// A calendar day written out (`4 December 2026`, `4 декабря 2026 г.`,
    /// `2026 жылғы 4 желтоқсан`).
    pub fn date(&self, day: Date) -> String {
        let (year, month, day) = day.ymd();
        let month = self.text(&format!("month-{month}"));
        self.with(
            "date-long",
            &[
                ("day", &day.to_string()),
                ("month", &month),
                ("year", &year.to_string()),
            ],
        )
    }

    /// A moment as its Kazakhstan day and time of day (`4 December 2026, 14:05`).
    pub fn moment(&self, time_ms: u64) -> String {
        let day = Date::from_unix_ms_in_kz(time_ms);
        let local_ms =
            (time_ms as i64 + tanba_types::date::KZ_UTC_OFFSET_MS).rem_euclid(86_400_000);
        let minutes = local_ms / 60_000;
        format!(
            "{}, {:02}:{:02}",
            self.date(day),
            minutes / 60,
            minutes % 60
        )
    }

    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        let bundle = &CATALOGUES
            .bundles
            .iter()
            .find(|(language, _)| *language == self.language)
            .expect("a catalogue for every language")
            .1;
        let Some(pattern) = bundle.get_message(id).and_then(|message| message.value()) else {
            return format!("{MISSING_OPEN}{id}{MISSING_CLOSE}");
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if errors.is_empty() {
            text.into_owned()
        } else {
            format!("{MISSING_OPEN}{id}{MISSING_CLOSE}")
        }
    }
}

/// The ids of the messages a catalogue defines.
pub fn message_ids(language: Language) -> Vec<String> {
    let sources = SOURCES
        .iter()
        .find(|(each, _)| *each == language)
        .expect("a source for every language")
        .1;
    let mut ids = Vec::new();
    for source in sources {
        let resource = FluentResource::try_new(source.to_owned()).expect("the catalogue parses");
        ids.extend(resource.entries().filter_map(|entry| match entry {
            fluent_syntax::ast::Entry::Message(message) => Some(message.id.name.to_owned()),
            _ => None,
        }));
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_has_every_message_of_the_others() {
        let english = message_ids(Language::En);
        for language in [Language::Kk, Language::Ru] {
            let ids = message_ids(language);
            for id in &english {
                assert!(ids.contains(id), "{language}.ftl lacks {id}");
            }
            for id in &ids {
                assert!(
                    english.contains(id),
                    "{language}.ftl has {id}, en.ftl does not"
                );
            }
        }
    }

    #[test]
    fn every_message_formats_in_every_language() {
        for language in Language::ALL {
            let words = Words::new(language);
            for id in message_ids(language) {
                // Every argument any message takes (a message ignores those it does not use).
                let arguments = [
                    ("name", "x"),
                    ("roles", "x"),
                    ("day", "4"),
                    ("month", "x"),
                    ("year", "2026"),
                    ("count", "5"),
                    ("shown", "5"),
                    ("issued", "1"),
                    ("quantity", "2"),
                    ("sequence", "7"),
                    ("reason", "x"),
                    ("units", "1"),
                    ("groups", "1"),
                    ("pallets", "1"),
                    ("step", "x"),
                    ("by", "x"),
                    ("done", "1"),
                    ("total", "2"),
                    ("refused", "0"),
                    ("sale", "R-1"),
                    ("owner", "x"),
                    ("from", "x"),
                    ("to", "x"),
                    ("codes", "3"),
                    ("blocked", "1"),
                ];
                let text = words.with(&id, &arguments);
                assert!(!text.contains(MISSING_OPEN), "{language} {id}: {text}");
            }
        }
    }

    #[test]
    fn russian_counts_take_the_three_forms() {
        let words = Words::new(Language::Ru);
        let forms: Vec<String> = [1, 2, 5, 11, 21, 22, 25, 1_000_000]
            .into_iter()
            .map(|count| words.count("codes-count", count))
            .collect();
        assert_eq!(
            forms,
            [
                "1 код",
                "2 кода",
                "5 кодов",
                "11 кодов",
                "21 код",
                "22 кода",
                "25 кодов",
                "1\u{a0}000\u{a0}000 кодов"
            ]
        );
        assert_eq!(
            words.count("home-unread", 0),
            "Непрочитанных уведомлений нет"
        );
    }

    #[test]
    fn kazakh_and_english_counts() {
        assert_eq!(Words::new(Language::Kk).count("codes-count", 21), "21 код");
        assert_eq!(Words::new(Language::En).count("codes-count", 1), "1 code");
        assert_eq!(
            Words::new(Language::En).count("codes-count", 1_500),
            "1,500 codes"
        );
    }

    #[test]
    fn dates_are_written_per_language() {
        let day = Date::from_ymd(2026, 12, 4).unwrap();
        assert_eq!(Words::new(Language::En).date(day), "4 December 2026");
        assert_eq!(Words::new(Language::Ru).date(day), "4 декабря 2026 г.");
        assert_eq!(Words::new(Language::Kk).date(day), "2026 жылғы 4 желтоқсан");
        // 2026-12-04 20:30 UTC is 01:30 on the 5th in Kazakhstan (UTC+5).
        let moment_ms = 1_796_416_200_000;
        assert_eq!(
            Words::new(Language::En).moment(moment_ms),
            "5 December 2026, 01:30"
        );
    }

    #[test]
    fn a_missing_message_is_marked() {
        assert_eq!(
            Words::new(Language::Kk).text("no-such-message"),
            "⟦no-such-message⟧"
        );
    }
}
