//! The languages people read Tanba in (R-IS-19): Kazakh, Russian, and English for visitors.

use std::{fmt, str::FromStr};

/// A language for messages a person reads.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Қазақ тілі (the state language, and the default).
    #[default]
    Kk,
    /// Русский язык.
    Ru,
    /// English.
    En,
}

impl Language {
    /// Every language, in order of preference when nothing else is known.
    pub const ALL: [Language; 3] = [Language::Kk, Language::Ru, Language::En];

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Language::Kk => "kk",
            Language::Ru => "ru",
            Language::En => "en",
        }
    }

    /// The first supported language in an HTTP `Accept-Language` header (quality values are
    /// honoured; `kk-KZ` counts as `kk`), or `None`.
    pub fn from_accept_language(header: &str) -> Option<Language> {
        let mut best: Option<(Language, f32)> = None;
        for item in header.split(',').take(ACCEPT_LANGUAGE_ITEMS_MAX) {
            let mut parts = item.trim().split(';');
            let tag = parts.next().unwrap_or_default();
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or_default();
            let Ok(language) = primary.parse::<Language>() else {
                continue;
            };
            if best.is_none_or(|(_, best_quality)| quality > best_quality) {
                best = Some((language, quality));
            }
        }
        best.map(|(language, _)| language)
    }
}

/// Most items read from an `Accept-Language` header (a bound on work per request).
pub const ACCEPT_LANGUAGE_ITEMS_MAX: usize = 16;

impl FromStr for Language {
    type Err = UnknownLanguage;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "kk" | "kaz" => Ok(Language::Kk),
            "ru" | "rus" => Ok(Language::Ru),
            "en" | "eng" => Ok(Language::En),
            _ => Err(UnknownLanguage),
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A language we do not speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unsupported language (use kk, ru or en)")]
pub struct UnknownLanguage;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language() {
        assert_eq!(
            Language::from_accept_language("ru-RU,ru;q=0.9,en;q=0.5"),
            Some(Language::Ru)
        );
        assert_eq!(
            Language::from_accept_language("de, kk-KZ;q=0.8"),
            Some(Language::Kk)
        );
        assert_eq!(Language::from_accept_language("fr"), None);
    }
}
