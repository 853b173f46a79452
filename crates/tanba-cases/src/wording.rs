//! Fixed wording of the legal texts in Kazakh, Russian and English: refusal grounds numbered as
//! in the text, declarations and undertakings printed on the forms. The Kazakh is the text's own;
//! Russian and English are Tanba's translations (the texts are authoritative in Kazakh).

use tanba_types::Texts;

/// A fixed text in the three languages, as a constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wording {
    /// Kazakh: the text's own words.
    pub kk: &'static str,
    /// Russian.
    pub ru: &'static str,
    /// English.
    pub en: &'static str,
}

impl Wording {
    /// The three texts, owned (for notices and events).
    pub fn texts(&self) -> Texts {
        Texts {
            kk: self.kk.to_owned(),
            ru: self.ru.to_owned(),
            en: self.en.to_owned(),
        }
    }
}

/// A refusal ground (or a revocation condition), numbered as in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ground {
    /// Its number in the text (1-based).
    pub number: u8,
    /// Its words.
    pub wording: Wording,
}

/// The ground numbered `number` in `grounds`.
pub fn ground(grounds: &[Ground], number: u8) -> Option<&Ground> {
    grounds.iter().find(|ground| ground.number == number)
}

/// Checks a list of grounds is numbered 1, 2, ... with every text given: a test of each
/// procedure's table calls this.
pub fn check_numbering(grounds: &[Ground]) -> Result<(), String> {
    for (index, ground) in grounds.iter().enumerate() {
        if usize::from(ground.number) != index + 1 {
            return Err(format!(
                "ground {} is listed at place {}",
                ground.number,
                index + 1
            ));
        }
        let words = &ground.wording;
        if [words.kk, words.ru, words.en]
            .iter()
            .any(|text| text.trim().is_empty())
        {
            return Err(format!("ground {} lacks a text", ground.number));
        }
    }
    Ok(())
}
