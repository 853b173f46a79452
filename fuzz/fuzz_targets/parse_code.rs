//! Any byte string, in any form, must parse or fail with a typed error, never panic; and whatever
//! parses must format and parse back to the same elements.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tanba_gs1::{MarkingCode, OutputForm, ParseOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for options in [
        ParseOptions::default(),
        ParseOptions {
            permit_unknown_ais: true,
            permit_zero_suppressed_gtin_in_dl: true,
            permit_convenience_alphas: true,
            unknown_ai_not_dl_attribute: false,
            permit_spaces_around_ais: true,
            validate_associations: false,
        },
    ] {
        let Ok(code) = MarkingCode::parse(text, &options) else {
            continue;
        };
        // AIs missing from the table (accepted by the lenient options in bracketed and Digital
        // Link input) have no known length, so unbracketed forms cannot carry them back.
        let all_known = code
            .elements
            .elements
            .iter()
            .all(|element| element.entry().is_some());
        let forms: &[OutputForm] = if all_known {
            &[OutputForm::Raw, OutputForm::Bracketed, OutputForm::ScanData]
        } else {
            &[OutputForm::Bracketed]
        };
        for form in forms {
            let formatted = code
                .format(form)
                .expect("raw, bracketed and scan forms always format");
            // Brackets and `\(` escapes can grow a maximal raw input past the input limit; real
            // codes (at most a Data Matrix's 2,335 characters) are far below it.
            if formatted.len() > tanba_gs1::INPUT_LENGTH_MAX {
                continue;
            }
            let again = MarkingCode::parse(&formatted, &options)
                .unwrap_or_else(|error| panic!("{formatted:?} does not parse back: {error}"));
            assert_eq!(again.elements, code.elements, "{form:?}: {formatted:?}");
        }
    }
});
