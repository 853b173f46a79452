//! Shared pieces of the CLI's output: codes as JSON, errors with code and localized message,
//! and the clock and random source that the libraries take as arguments.

use std::time::{SystemTime, UNIX_EPOCH};

/// `println!` that returns write errors (a closed pipe, a full disk) instead of panicking, so
/// `tanba code parse - | head` ends quietly. Use inside functions returning `anyhow::Result`.
macro_rules! say {
    ($($argument:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($argument)*)?;
    }};
}
pub(crate) use say;

use serde_json::{Value, json};
use tanba_gs1::{MarkingCode, Tail, ai};
use tanba_types::{Language, Localized, localize};

/// Milliseconds since the Unix epoch, from the wall clock.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
        })
}

/// One error as JSON: stable code, message in the chosen language, and where.
pub fn error_json(error: &dyn Localized, language: Language) -> Value {
    json!({
        "code": error.code(),
        "message": localize(error, language),
        "ai": error.ai(),
        "position": error.position(),
    })
}

/// The JSON description of a parsed code (without the `valid`/`errors` verdict).
pub fn code_json(code: &MarkingCode) -> Value {
    let elements: Vec<Value> = code
        .elements
        .elements
        .iter()
        .map(|element| {
            json!({
                "ai": element.ai,
                "title": ai::lookup(&element.ai).map(|entry| entry.title),
                "value": element.value,
            })
        })
        .collect();
    let tail = match code.tail() {
        Tail::None => Value::Null,
        Tail::Full { key_id, signature } => {
            json!({"profile": "full", "key_id": key_id, "signature": signature})
        }
        Tail::Short { tag } => json!({"profile": "short", "tag": tag}),
        Tail::Malformed => json!({"profile": "malformed"}),
    };
    json!({
        "form": code.form,
        "gtin": code.gtin(),
        "serial": code.serial(),
        "sscc": code.sscc(),
        "tail": tail,
        "elements": elements,
    })
}

/// Lets crypto errors be shown like any other (tanba-types sits below tanba-crypto, so the
/// adapter lives here, at the edge).
pub struct CryptoErrorMessage<'a>(pub &'a tanba_crypto::CryptoError);

impl Localized for CryptoErrorMessage<'_> {
    fn code(&self) -> &'static str {
        self.0.code()
    }
}

/// A bare stable error code, shown like any other error.
pub struct ErrorCode(pub &'static str);

impl Localized for ErrorCode {
    fn code(&self) -> &'static str {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use tanba_types::messages::template;

    use super::*;

    #[test]
    fn every_crypto_code_has_a_message_in_every_language() {
        for code in tanba_crypto::ALL_CODES {
            for language in Language::ALL {
                assert!(template(code, language).is_some(), "{code} in {language}");
            }
        }
    }

    #[test]
    fn cli_codes_have_messages() {
        for code in ["TANBA-CODE-NO-TAIL", "TANBA-CODE-SHORT-TAIL-NEEDS-RING"] {
            for language in Language::ALL {
                assert!(template(code, language).is_some(), "{code} in {language}");
            }
        }
    }
}
