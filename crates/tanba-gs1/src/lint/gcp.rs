//! GS1 Company Prefix linters: `gcppos1` and `gcppos2`.
//!
//! The reference linters can consult a user-supplied GCP allocation data source (and then report
//! `GS1_LINTER_INVALID_GCP_PREFIX` for unallocated prefixes or `GS1_LINTER_GCP_DATASOURCE_OFFLINE`
//! when the source is down). Tanba has no such source, so these linters behave as the reference
//! does with none configured: the component must be at least as long as the shortest GCP, and
//! that many leading characters must be digits.

use super::{LintErrorKind, LintResult, fail, fail_whole, shifted};

/// The shortest GS1 Company Prefix has four digits.
pub(super) const GCP_LENGTH_MIN: usize = 4;

/// `gcppos2` looks for the GCP after a one-character prefix (an indicator digit or `I`).
const GCP_OFFSET_AT_SECOND: usize = 1;

/// `gcppos1`: the component starts with a GS1 Company Prefix.
pub(super) fn company_prefix_at_first(data: &[u8]) -> LintResult {
    let Some(prefix) = data.get(..GCP_LENGTH_MIN) else {
        return fail_whole(LintErrorKind::TooShortForGcp, data);
    };
    if let Some(position) = prefix.iter().position(|byte| !byte.is_ascii_digit()) {
        return fail(LintErrorKind::InvalidGcpPrefix, position, 1);
    }
    // No GCP data source is configured: a well-formed prefix passes.
    Ok(())
}

/// `gcppos2`: the component starts with a GS1 Company Prefix from its second character.
pub(super) fn company_prefix_at_second(data: &[u8]) -> LintResult {
    if data.len() <= GCP_OFFSET_AT_SECOND {
        return fail_whole(LintErrorKind::TooShortForGcp, data);
    }
    company_prefix_at_first(&data[GCP_OFFSET_AT_SECOND..])
        .map_err(|error| shifted(error, GCP_OFFSET_AT_SECOND))
}
