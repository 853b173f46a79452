//! GS1 reference linters ("Barcode Syntax Tests"): content checks applied to one component of an
//! AI's data field, named as in the GS1 Barcode Syntax Dictionary (`csum`, `yymmd0`, `iso3166`, ...).
//!
//! The behaviour, the error kinds and the reported error ranges follow the GS1 reference linters
//! (`gs1/gs1-syntax-dictionary`, `src/lint_*.c`, Apache-2.0), checked against their unit-test
//! vectors by `tests/conformance_linters.rs`. The code is written from scratch in Rust; only the
//! factual code lists (ISO 3166, ISO 4217, UN/ECE Rec. 21 package types, AIDC media types) were
//! taken over, as Rust data in the submodules.
//!
//! This module knows nothing about AIs, element strings or scanners: it receives one component
//! (a `&str`) and answers whether it passes one linter. It performs no IO, reads no clock and holds
//! no state; every linter runs in time linear in the component's length.
//!
//! # Error ranges and non-ASCII input
//!
//! A failing linter reports the offending range as a byte offset and byte length within the
//! component ([`LintError::position`], [`LintError::length`]); the range may be empty (for
//! example for an empty component). The range always lies on `char` boundaries, so
//! `&component[error.position..error.position + error.length]` never panics.
//!
//! The reference linters work on bytes of an 8-bit string. Every character that any linter
//! accepts is ASCII, so a non-ASCII character is invalid wherever it appears. To keep the
//! reference's behaviour for such input, each non-ASCII character counts as one character (as a
//! byte above 0x7F counts for the reference) that belongs to no character set; its error range
//! covers the whole character. The linters never panic, whatever the input.
//!
//! # GS1 Company Prefix lookups
//!
//! `gcppos1` and `gcppos2` (and the GCP checks inside `couponcode`) are implemented as the
//! reference linters behave with no GCP data source configured: they check the length and the
//! all-digit minimum-length prefix only and pass otherwise.

mod charset;
mod checksum;
mod coupon;
mod datetime;
mod gcp;
mod iso3166;
mod iso4217;
mod package_type;
mod value;

pub use charset::is_cset82;
pub use iso3166::is_alpha2 as is_iso3166_alpha2;

use std::fmt;

/// Declares [`Linter`] from one table: variant, Syntax Dictionary name, documentation.
macro_rules! linters {
    ($($variant:ident => $name:literal, $doc:literal;)*) => {
        /// A GS1 reference linter, named as in the Syntax Dictionary.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Linter {
            $(
                #[doc = $doc]
                $variant,
            )*
        }

        impl Linter {
            /// Every linter, in Syntax Dictionary name order (character sets first).
            pub const ALL: &'static [Linter] = &[$(Linter::$variant,)*];

            /// Looks a linter up by its Syntax Dictionary name (`"csum"`, `"yymmd0"`, ...).
            pub fn from_name(name: &str) -> Option<Linter> {
                match name {
                    $($name => Some(Linter::$variant),)*
                    _ => None,
                }
            }

            /// The linter's Syntax Dictionary name; the inverse of [`Linter::from_name`].
            pub const fn name(self) -> &'static str {
                match self {
                    $(Linter::$variant => $name,)*
                }
            }
        }
    };
}

linters! {
    CsetNumeric => "csetnumeric", "Numeric characters only (applied to every `N` component).";
    Cset82 => "cset82", "GS1 AI encodable character set 82 (applied to every `X` component).";
    Cset39 => "cset39", "GS1 AI encodable character set 39 (applied to every `Y` component).";
    Cset64 => "cset64", "base64url, GS1 character set 64 (applied to every `Z` component).";
    CouponCode => "couponcode", "North American Coupon Code data, as carried in AI (8110).";
    CouponPosOffer => "couponposoffer", "Positive offer file coupon data, as carried in AI (8112).";
    Csum => "csum", "GS1 mod-10 check digit.";
    CsumAlpha => "csumalpha", "GS1 alphanumeric check character pair.";
    GcpPos1 => "gcppos1", "Starts with a GS1 Company Prefix.";
    GcpPos2 => "gcppos2", "Starts with a GS1 Company Prefix from its second character.";
    HasNonDigit => "hasnondigit", "Contains at least one character that is not a digit.";
    Hh => "hh", "An hour, HH (00 to 23).";
    Hhmi => "hhmi", "An hour and minute, HHMI (0000 to 2359).";
    Hyphen => "hyphen", "Hyphens only.";
    Iban => "iban", "An International Bank Account Number (ISO 13616).";
    ImporterIdx => "importeridx", "A single-character importer index (`-`, `0-9`, `A-Z`, `_`, `a-z`).";
    Iso3166 => "iso3166", "An ISO 3166 numeric country code.";
    Iso3166999 => "iso3166999", "An ISO 3166 numeric country code, or 999.";
    Iso3166Alpha2 => "iso3166alpha2", "An ISO 3166 alpha-2 country code.";
    Iso4217 => "iso4217", "An ISO 4217 numeric currency code.";
    Iso5218 => "iso5218", "An ISO/IEC 5218 biological sex code (0, 1, 2 or 9).";
    Latitude => "latitude", "A latitude as 10 digits, 0000000000 to 1800000000.";
    Longitude => "longitude", "A longitude as 10 digits, 0000000000 to 3600000000.";
    MediaType => "mediatype", "An AIDC media type (01 to 10, 80 to 99).";
    Mi => "mi", "A minute, MI (00 to 59).";
    NonZero => "nonzero", "A number that is not zero.";
    NoZeroPrefix => "nozeroprefix", "A number without a leading zero.";
    PackageType => "packagetype", "A PackageTypeCode (UN/ECE Recommendation 21 plus GS1 codes).";
    PcEnc => "pcenc", "Well-formed percent-encoding (`%` followed by two hex digits).";
    PieceOfTotal => "pieceoftotal", "A piece number followed by a total of equal length, 1 <= piece <= total.";
    PosInSeqSlash => "posinseqslash", "A position in a sequence as `<pos>/<end>`, 1 <= pos <= end.";
    Ss => "ss", "A second, SS (00 to 59).";
    Winding => "winding", "A winding direction (0, 1 or 9).";
    YesNo => "yesno", "A flag, 0 or 1.";
    Yymmd0 => "yymmd0", "A date YYMMDD where the day may be 00.";
    Yymmdd => "yymmdd", "A date YYMMDD.";
    Yyyymmd0 => "yyyymmd0", "A date YYYYMMDD where the day may be 00.";
    Yyyymmdd => "yyyymmdd", "A date YYYYMMDD.";
    Zero => "zero", "Zeros only.";
}

/// Declares [`LintErrorKind`] from one table: variant, GS1 name, Tanba code, English text.
macro_rules! lint_error_kinds {
    ($($variant:ident { gs1: $gs1:literal, code: $code:literal, text: $text:literal, })*) => {
        /// What a linter found wrong: one variant per `GS1_LINTER_*` error code of the reference
        /// linters (except `GS1_LINTER_OK` and the unused placeholders).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum LintErrorKind {
            $(
                #[doc = $text]
                $variant,
            )*
        }

        impl LintErrorKind {
            /// Every error kind, in the order of the reference's `gs1_lint_err_t`.
            pub const ALL: &'static [LintErrorKind] = &[$(LintErrorKind::$variant,)*];

            /// The reference's name for this error, e.g. `"GS1_LINTER_NON_DIGIT_CHARACTER"`.
            pub const fn gs1_name(self) -> &'static str {
                match self {
                    $(LintErrorKind::$variant => $gs1,)*
                }
            }

            /// Looks an error kind up by the reference's name; the inverse of
            /// [`LintErrorKind::gs1_name`].
            pub fn from_gs1_name(name: &str) -> Option<LintErrorKind> {
                match name {
                    $($gs1 => Some(LintErrorKind::$variant),)*
                    _ => None,
                }
            }

            /// The stable Tanba error code, e.g. `"TANBA-GS1-LINT-NON-DIGIT-CHARACTER"`.
            pub const fn code(self) -> &'static str {
                match self {
                    $(LintErrorKind::$variant => $code,)*
                }
            }

            /// A short English description; the fallback text for the code.
            pub const fn description(self) -> &'static str {
                match self {
                    $(LintErrorKind::$variant => $text,)*
                }
            }
        }
    };
}

// `GS1_LINTER_COUPON_INVALID_EXIPIRATION_DATE` is spelled as in the reference; the Rust variant
// and the Tanba code use the corrected spelling.
lint_error_kinds! {
    NonDigitCharacter {
        gs1: "GS1_LINTER_NON_DIGIT_CHARACTER",
        code: "TANBA-GS1-LINT-NON-DIGIT-CHARACTER",
        text: "A character other than a digit was found where a digit is required.",
    }
    InvalidCset82Character {
        gs1: "GS1_LINTER_INVALID_CSET82_CHARACTER",
        code: "TANBA-GS1-LINT-INVALID-CSET82-CHARACTER",
        text: "A character outside GS1 character set 82 was found.",
    }
    InvalidCset39Character {
        gs1: "GS1_LINTER_INVALID_CSET39_CHARACTER",
        code: "TANBA-GS1-LINT-INVALID-CSET39-CHARACTER",
        text: "A character outside GS1 character set 39 was found.",
    }
    InvalidCset32Character {
        gs1: "GS1_LINTER_INVALID_CSET32_CHARACTER",
        code: "TANBA-GS1-LINT-INVALID-CSET32-CHARACTER",
        text: "A character outside GS1 character set 32 was found.",
    }
    IncorrectCheckDigit {
        gs1: "GS1_LINTER_INCORRECT_CHECK_DIGIT",
        code: "TANBA-GS1-LINT-INCORRECT-CHECK-DIGIT",
        text: "The numeric check digit is incorrect.",
    }
    TooShortForCheckDigit {
        gs1: "GS1_LINTER_TOO_SHORT_FOR_CHECK_DIGIT",
        code: "TANBA-GS1-LINT-TOO-SHORT-FOR-CHECK-DIGIT",
        text: "The component is too short to carry a numeric check digit.",
    }
    IncorrectCheckPair {
        gs1: "GS1_LINTER_INCORRECT_CHECK_PAIR",
        code: "TANBA-GS1-LINT-INCORRECT-CHECK-PAIR",
        text: "The alphanumeric check character pair is incorrect.",
    }
    TooShortForCheckPair {
        gs1: "GS1_LINTER_TOO_SHORT_FOR_CHECK_PAIR",
        code: "TANBA-GS1-LINT-TOO-SHORT-FOR-CHECK-PAIR",
        text: "The component is too short to carry an alphanumeric check character pair.",
    }
    TooLongForCheckPairImplementation {
        gs1: "GS1_LINTER_TOO_LONG_FOR_CHECK_PAIR_IMPLEMENTATION",
        code: "TANBA-GS1-LINT-TOO-LONG-FOR-CHECK-PAIR-IMPLEMENTATION",
        text: "The component is too long for the alphanumeric check character pair calculation.",
    }
    GcpDatasourceOffline {
        gs1: "GS1_LINTER_GCP_DATASOURCE_OFFLINE",
        code: "TANBA-GS1-LINT-GCP-DATASOURCE-OFFLINE",
        text: "The data source for GS1 Company Prefix lookups is offline.",
    }
    InvalidGcpPrefix {
        gs1: "GS1_LINTER_INVALID_GCP_PREFIX",
        code: "TANBA-GS1-LINT-INVALID-GCP-PREFIX",
        text: "The component does not start with a valid GS1 Company Prefix.",
    }
    ImporterIdxMustBeOneCharacter {
        gs1: "GS1_LINTER_IMPORTER_IDX_MUST_BE_ONE_CHARACTER",
        code: "TANBA-GS1-LINT-IMPORTER-IDX-MUST-BE-ONE-CHARACTER",
        text: "The importer index must be exactly one character.",
    }
    InvalidImportIdxCharacter {
        gs1: "GS1_LINTER_INVALID_IMPORT_IDX_CHARACTER",
        code: "TANBA-GS1-LINT-INVALID-IMPORT-IDX-CHARACTER",
        text: "The importer index is not a permitted character.",
    }
    IllegalZeroValue {
        gs1: "GS1_LINTER_ILLEGAL_ZERO_VALUE",
        code: "TANBA-GS1-LINT-ILLEGAL-ZERO-VALUE",
        text: "A non-zero value is required.",
    }
    NotZero {
        gs1: "GS1_LINTER_NOT_ZERO",
        code: "TANBA-GS1-LINT-NOT-ZERO",
        text: "A zero value is required.",
    }
    IllegalZeroPrefix {
        gs1: "GS1_LINTER_ILLEGAL_ZERO_PREFIX",
        code: "TANBA-GS1-LINT-ILLEGAL-ZERO-PREFIX",
        text: "A leading zero is not permitted.",
    }
    NotZeroOrOne {
        gs1: "GS1_LINTER_NOT_ZERO_OR_ONE",
        code: "TANBA-GS1-LINT-NOT-ZERO-OR-ONE",
        text: "The value must be 0 or 1.",
    }
    InvalidWindingDirection {
        gs1: "GS1_LINTER_INVALID_WINDING_DIRECTION",
        code: "TANBA-GS1-LINT-INVALID-WINDING-DIRECTION",
        text: "The winding direction must be 0, 1 or 9.",
    }
    NotIso3166 {
        gs1: "GS1_LINTER_NOT_ISO3166",
        code: "TANBA-GS1-LINT-NOT-ISO3166",
        text: "A valid ISO 3166 numeric country code is required.",
    }
    NotIso3166Or999 {
        gs1: "GS1_LINTER_NOT_ISO3166_OR_999",
        code: "TANBA-GS1-LINT-NOT-ISO3166-OR-999",
        text: "A valid ISO 3166 numeric country code or 999 is required.",
    }
    NotIso3166Alpha2 {
        gs1: "GS1_LINTER_NOT_ISO3166_ALPHA2",
        code: "TANBA-GS1-LINT-NOT-ISO3166-ALPHA2",
        text: "A valid ISO 3166 alpha-2 country code is required.",
    }
    NotIso4217 {
        gs1: "GS1_LINTER_NOT_ISO4217",
        code: "TANBA-GS1-LINT-NOT-ISO4217",
        text: "A valid ISO 4217 numeric currency code is required.",
    }
    IbanTooShort {
        gs1: "GS1_LINTER_IBAN_TOO_SHORT",
        code: "TANBA-GS1-LINT-IBAN-TOO-SHORT",
        text: "The IBAN is too short.",
    }
    InvalidIbanCharacter {
        gs1: "GS1_LINTER_INVALID_IBAN_CHARACTER",
        code: "TANBA-GS1-LINT-INVALID-IBAN-CHARACTER",
        text: "The IBAN contains a character that is not permitted.",
    }
    IllegalIbanCountryCode {
        gs1: "GS1_LINTER_ILLEGAL_IBAN_COUNTRY_CODE",
        code: "TANBA-GS1-LINT-ILLEGAL-IBAN-COUNTRY-CODE",
        text: "The IBAN must start with a valid ISO 3166 alpha-2 country code.",
    }
    IncorrectIbanChecksum {
        gs1: "GS1_LINTER_INCORRECT_IBAN_CHECKSUM",
        code: "TANBA-GS1-LINT-INCORRECT-IBAN-CHECKSUM",
        text: "The IBAN check digits are incorrect.",
    }
    DateTooShort {
        gs1: "GS1_LINTER_DATE_TOO_SHORT",
        code: "TANBA-GS1-LINT-DATE-TOO-SHORT",
        text: "The date is too short for its format.",
    }
    DateTooLong {
        gs1: "GS1_LINTER_DATE_TOO_LONG",
        code: "TANBA-GS1-LINT-DATE-TOO-LONG",
        text: "The date is too long for its format.",
    }
    HourWithMinuteTooShort {
        gs1: "GS1_LINTER_HOUR_WITH_MINUTE_TOO_SHORT",
        code: "TANBA-GS1-LINT-HOUR-WITH-MINUTE-TOO-SHORT",
        text: "The time is too short for the HHMI format.",
    }
    HourWithMinuteTooLong {
        gs1: "GS1_LINTER_HOUR_WITH_MINUTE_TOO_LONG",
        code: "TANBA-GS1-LINT-HOUR-WITH-MINUTE-TOO-LONG",
        text: "The time is too long for the HHMI format.",
    }
    IllegalMonth {
        gs1: "GS1_LINTER_ILLEGAL_MONTH",
        code: "TANBA-GS1-LINT-ILLEGAL-MONTH",
        text: "The date contains an invalid month.",
    }
    IllegalDay {
        gs1: "GS1_LINTER_ILLEGAL_DAY",
        code: "TANBA-GS1-LINT-ILLEGAL-DAY",
        text: "The date contains an invalid day of the month.",
    }
    IllegalHour {
        gs1: "GS1_LINTER_ILLEGAL_HOUR",
        code: "TANBA-GS1-LINT-ILLEGAL-HOUR",
        text: "The time contains an invalid hour.",
    }
    IllegalMinute {
        gs1: "GS1_LINTER_ILLEGAL_MINUTE",
        code: "TANBA-GS1-LINT-ILLEGAL-MINUTE",
        text: "The time contains an invalid minute.",
    }
    IllegalSecond {
        gs1: "GS1_LINTER_ILLEGAL_SECOND",
        code: "TANBA-GS1-LINT-ILLEGAL-SECOND",
        text: "The time contains an invalid second.",
    }
    InvalidLengthForPieceOfTotal {
        gs1: "GS1_LINTER_INVALID_LENGTH_FOR_PIECE_OF_TOTAL",
        code: "TANBA-GS1-LINT-INVALID-LENGTH-FOR-PIECE-OF-TOTAL",
        text: "The piece and total must be two equal-length numbers (an even, non-zero length).",
    }
    ZeroPieceNumber {
        gs1: "GS1_LINTER_ZERO_PIECE_NUMBER",
        code: "TANBA-GS1-LINT-ZERO-PIECE-NUMBER",
        text: "The piece number must not be zero.",
    }
    ZeroTotalPieces {
        gs1: "GS1_LINTER_ZERO_TOTAL_PIECES",
        code: "TANBA-GS1-LINT-ZERO-TOTAL-PIECES",
        text: "The total number of pieces must not be zero.",
    }
    PieceNumberExceedsTotal {
        gs1: "GS1_LINTER_PIECE_NUMBER_EXCEEDS_TOTAL",
        code: "TANBA-GS1-LINT-PIECE-NUMBER-EXCEEDS-TOTAL",
        text: "The piece number must not exceed the total number of pieces.",
    }
    InvalidPercentSequence {
        gs1: "GS1_LINTER_INVALID_PERCENT_SEQUENCE",
        code: "TANBA-GS1-LINT-INVALID-PERCENT-SEQUENCE",
        text: "The data contains an invalid percent-encoding (%hh) sequence.",
    }
    CouponMissingFormatCode {
        gs1: "GS1_LINTER_COUPON_MISSING_FORMAT_CODE",
        code: "TANBA-GS1-LINT-COUPON-MISSING-FORMAT-CODE",
        text: "The coupon's Format Code is missing.",
    }
    CouponInvalidFormatCode {
        gs1: "GS1_LINTER_COUPON_INVALID_FORMAT_CODE",
        code: "TANBA-GS1-LINT-COUPON-INVALID-FORMAT-CODE",
        text: "The coupon's Format Code must be 0 or 1.",
    }
    CouponMissingFunderVli {
        gs1: "GS1_LINTER_COUPON_MISSING_FUNDER_VLI",
        code: "TANBA-GS1-LINT-COUPON-MISSING-FUNDER-VLI",
        text: "The coupon's Funder length indicator is missing.",
    }
    CouponInvalidFunderLength {
        gs1: "GS1_LINTER_COUPON_INVALID_FUNDER_LENGTH",
        code: "TANBA-GS1-LINT-COUPON-INVALID-FUNDER-LENGTH",
        text: "The coupon's Funder length indicator must be 0 to 6.",
    }
    CouponTruncatedFunder {
        gs1: "GS1_LINTER_COUPON_TRUNCATED_FUNDER",
        code: "TANBA-GS1-LINT-COUPON-TRUNCATED-FUNDER",
        text: "The coupon's Funder is shorter than its length indicator says.",
    }
    CouponTruncatedOfferCode {
        gs1: "GS1_LINTER_COUPON_TRUNCATED_OFFER_CODE",
        code: "TANBA-GS1-LINT-COUPON-TRUNCATED-OFFER-CODE",
        text: "The coupon's Offer Code is shorter than six digits.",
    }
    CouponMissingSerialNumberVli {
        gs1: "GS1_LINTER_COUPON_MISSING_SERIAL_NUMBER_VLI",
        code: "TANBA-GS1-LINT-COUPON-MISSING-SERIAL-NUMBER-VLI",
        text: "The coupon's Serial Number length indicator is missing.",
    }
    CouponTruncatedSerialNumber {
        gs1: "GS1_LINTER_COUPON_TRUNCATED_SERIAL_NUMBER",
        code: "TANBA-GS1-LINT-COUPON-TRUNCATED-SERIAL-NUMBER",
        text: "The coupon's Serial Number is shorter than its length indicator says.",
    }
    CouponMissingGcpVli {
        gs1: "GS1_LINTER_COUPON_MISSING_GCP_VLI",
        code: "TANBA-GS1-LINT-COUPON-MISSING-GCP-VLI",
        text: "The coupon's primary GS1 Company Prefix length indicator is missing.",
    }
    CouponInvalidGcpLength {
        gs1: "GS1_LINTER_COUPON_INVALID_GCP_LENGTH",
        code: "TANBA-GS1-LINT-COUPON-INVALID-GCP-LENGTH",
        text: "The coupon's primary GS1 Company Prefix length indicator must be 0 to 6.",
    }
    CouponTruncatedGcp {
        gs1: "GS1_LINTER_COUPON_TRUNCATED_GCP",
        code: "TANBA-GS1-LINT-COUPON-TRUNCATED-GCP",
        text: "The coupon's primary GS1 Company Prefix is shorter than its length indicator says.",
    }
    CouponMissingSaveValueVli {
        gs1: "GS1_LINTER_COUPON_MISSING_SAVE_VALUE_VLI",
        code: "TANBA-GS1-LINT-COUPON-MISSING-SAVE-VALUE-VLI",
        text: "The coupon's Save Value length indicator is missing.",
    }
    CouponInvalidSaveValueLength {
        gs1: "GS1_LINTER_COUPON_INVALID_SAVE_VALUE_LENGTH",
        code: "TANBA-GS1-LINT-COUPON-INVALID-SAVE-VALUE-LENGTH",
        text: "The coupon's Save Value length indicator must be 1 to 5.",
    }
    CouponTruncatedSaveValue {
        gs1: "GS1_LINTER_COUPON_TRUNCATED_SAVE_VALUE",
        code: "TANBA-GS1-LINT-COUPON-TRUNCATED-SAVE-VALUE",
        text: "The coupon's Save Value is shorter than its length indicator says.",
    }
    CouponMissing1stPurchaseRequirementVli {
        gs1: "GS1_LINTER_COUPON_MISSING_1ST_PURCHASE_REQUIREMENT_VLI",
        code: "TANBA-GS1-LINT-COUPON-MISSING-1ST-PURCHASE-REQUIREMENT-VLI",
        text: "The coupon's primary purchase requirement length indicator is missing.",
    }
    CouponInvalid1stPurchaseRequirementLength {
        gs1: "GS1_LINTER_COUPON_INVALID_1ST_PURCHASE_REQUIREMENT_LENGTH",
        code: "TANBA-GS1-LINT-COUPON-INVALID-1ST-PURCHASE-REQUIREMENT-LENGTH",
        text: "The coupon's primary purchase requirement length indicator must be 1 to 5.",
    }
    CouponTruncated1stPurchaseRequirement {
        gs1: "GS1_LINTER_COUPON_TRUNCATED_1ST_PURCHASE_REQUIREMENT",
        code: "TANBA-GS1-LINT-COUPON-TRUNCATED-1ST-PURCHASE-REQUIREMENT",
        text: "The coupon's primary purchase requirement is shorter than its length indicator says.",
    }
    CouponMissing1stPurchaseRequirementCode {
        gs1: "GS1_LINTER_COUPON_MISSING_1ST_PURCHASE_REQUIREMENT_CODE",
        code: "TANBA-GS1-LINT-COUPON-MISSING-1ST-PURCHASE-REQUIREMENT-CODE",
        text: "The coupon's primary purchase requirement code is missing.",
    }
    CouponInvalid1stPurchaseRequirementCode {
        gs1: "GS1_LINTER_COUPON_INVALID_1ST_PURCHASE_REQUIREMENT_CODE",
        code: "TANBA-GS1-LINT-COUPON-INVALID-1ST-PURCHASE-REQUIREMENT-CODE",
        text: "The coupon's primary purchase requirement code must be 0 to 4 or 9.",
    }
    CouponTruncated1stPurchaseFamilyCode {
        gs1: "GS1_LINTER_COUPON_TRUNCATED_1ST_PURCHASE_FAMILY_CODE",
        code: "TANBA-GS1-LINT-COUPON-TRUNCATED-1ST-PURCHASE-FAMILY-CODE",
        text: "The coupon's primary purchase family code is shorter than three digits.",
    }
    CouponMissingAdditionalPurchaseRulesCode {
        gs1: "GS1_LINTER_COUPON_MISSING_ADDITIONAL_PURCHASE_RULES_CODE",
        code: "TANBA-GS1-LINT-COUPON-MISSING-ADDITIONAL-PURCHASE-RULES-CODE",
        text: "The coupon's additional purchase rules code is missing.",
    }
    CouponInvalidAdditionalPurchaseRulesCode {
        gs1: "GS1_LINTER_COUPON_INVALID_ADDITIONAL_PURCHASE_RULES_CODE",
        code: "TANBA-GS1-LINT-COUPON-INVALID-ADDITIONAL-PURCHASE-RULES-CODE",
        text: "The coupon's additional purchase rules code must be 0 to 3.",
    }
    CouponMissing2ndPurchaseRequirementVli {
        gs1: "GS1_LINTER_COUPON_MISSING_2ND_PURCHASE_REQUIREMENT_VLI",
        code: "TANBA-GS1-LINT-COUPON-MISSING-2ND-PURCHASE-REQUIREMENT-VLI",
        text: "The coupon's second purchase requirement length indicator is missing.",
    }
    CouponInvalid2ndPurchaseRequirementLength {
        gs1: "GS1_LINTER_COUPON_INVALID_2ND_PURCHASE_REQUIREMENT_LENGTH",
        code: "TANBA-GS1-LINT-COUPON-INVALID-2ND-PURCHASE-REQUIREMENT-LENGTH",
        text: "The coupon's second purchase requirement length indicator must be 1 to 5.",
    }
    CouponTruncated2ndPurchaseRequirement {
        gs1: "GS1_LINTER_COUPON_TRUNCATED_2ND_PURCHASE_REQUIREMENT",
        code: "TANBA-GS1-LINT-COUPON-TRUNCATED-2ND-PURCHASE-REQUIREMENT",
        text: "The coupon's second purchase requirement is shorter than its length indicator says.",
    }
    CouponMissing2ndPurchaseRequirementCode {
        gs1: "GS1_LINTER_COUPON_MISSING_2ND_PURCHASE_REQUIREMENT_CODE",
        code: "TANBA-GS1-LINT-COUPON-MISSING-2ND-PURCHASE-REQUIREMENT-CODE",
        text: "The coupon's second purchase requirement code is missing.",
    }
    CouponInvalid2ndPurchaseRequirementCode {
        gs1: "GS1_LINTER_COUPON_INVALID_2ND_PURCHASE_REQUIREMENT_CODE",
        code: "TANBA-GS1-LINT-COUPON-INVALID-2ND-PURCHASE-REQUIREMENT-CODE",
        text: "The coupon's second purchase requirement code must be 0 to 4 or 9.",
    }
    CouponTruncated2ndPurchaseFamilyCode {
        gs1: "GS1_LINTER_COUPON_TRUNCATED_2ND_PURCHASE_FAMILY_CODE",
        code: "TANBA-GS1-LINT-COUPON-TRUNCATED-2ND-PURCHASE-FAMILY-CODE",
        text: "The coupon's second purchase family code is shorter than three digits.",
    }
    CouponMissing2ndPurchaseGcpVli {
        gs1: "GS1_LINTER_COUPON_MISSING_2ND_PURCHASE_GCP_VLI",
        code: "TANBA-GS1-LINT-COUPON-MISSING-2ND-PURCHASE-GCP-VLI",
        text: "The coupon's second purchase GS1 Company Prefix length indicator is missing.",
    }
    CouponInvalid2ndPurchaseGcpLength {
        gs1: "GS1_LINTER_COUPON_INVALID_2ND_PURCHASE_GCP_LENGTH",
        code: "TANBA-GS1-LINT-COUPON-INVALID-2ND-PURCHASE-GCP-LENGTH",
        text: "The coupon's second purchase GS1 Company Prefix length indicator must be 0 to 6 or 9.",
    }
    CouponTruncated2ndPurchaseGcp {
        gs1: "GS1_LINTER_COUPON_TRUNCATED_2ND_PURCHASE_GCP",
        code: "TANBA-GS1-LINT-COUPON-TRUNCATED-2ND-PURCHASE-GCP",
        text: "The coupon's second purchase GS1 Company Prefix is shorter than its length indicator says.",
    }
    CouponMissing3rdPurchaseRequirementVli {
        gs1: "GS1_LINTER_COUPON_MISSING_3RD_PURCHASE_REQUIREMENT_VLI",
        code: "TANBA-GS1-LINT-COUPON-MISSING-3RD-PURCHASE-REQUIREMENT-VLI",
        text: "The coupon's third purchase requirement length indicator is missing.",
    }
    CouponInvalid3rdPurchaseRequirementLength {
        gs1: "GS1_LINTER_COUPON_INVALID_3RD_PURCHASE_REQUIREMENT_LENGTH",
        code: "TANBA-GS1-LINT-COUPON-INVALID-3RD-PURCHASE-REQUIREMENT-LENGTH",
        text: "The coupon's third purchase requirement length indicator must be 1 to 5.",
    }
    CouponTruncated3rdPurchaseRequirement {
        gs1: "GS1_LINTER_COUPON_TRUNCATED_3RD_PURCHASE_REQUIREMENT",
        code: "TANBA-GS1-LINT-COUPON-TRUNCATED-3RD-PURCHASE-REQUIREMENT",
        text: "The coupon's third purchase requirement is shorter than its length indicator says.",
    }
    CouponMissing3rdPurchaseRequirementCode {
        gs1: "GS1_LINTER_COUPON_MISSING_3RD_PURCHASE_REQUIREMENT_CODE",
        code: "TANBA-GS1-LINT-COUPON-MISSING-3RD-PURCHASE-REQUIREMENT-CODE",
        text: "The coupon's third purchase requirement code is missing.",
    }
    CouponInvalid3rdPurchaseRequirementCode {
        gs1: "GS1_LINTER_COUPON_INVALID_3RD_PURCHASE_REQUIREMENT_CODE",
        code: "TANBA-GS1-LINT-COUPON-INVALID-3RD-PURCHASE-REQUIREMENT-CODE",
        text: "The coupon's third purchase requirement code must be 0 to 4 or 9.",
    }
    CouponTruncated3rdPurchaseFamilyCode {
        gs1: "GS1_LINTER_COUPON_TRUNCATED_3RD_PURCHASE_FAMILY_CODE",
        code: "TANBA-GS1-LINT-COUPON-TRUNCATED-3RD-PURCHASE-FAMILY-CODE",
        text: "The coupon's third purchase family code is shorter than three digits.",
    }
    CouponMissing3rdPurchaseGcpVli {
        gs1: "GS1_LINTER_COUPON_MISSING_3RD_PURCHASE_GCP_VLI",
        code: "TANBA-GS1-LINT-COUPON-MISSING-3RD-PURCHASE-GCP-VLI",
        text: "The coupon's third purchase GS1 Company Prefix length indicator is missing.",
    }
    CouponInvalid3rdPurchaseGcpLength {
        gs1: "GS1_LINTER_COUPON_INVALID_3RD_PURCHASE_GCP_LENGTH",
        code: "TANBA-GS1-LINT-COUPON-INVALID-3RD-PURCHASE-GCP-LENGTH",
        text: "The coupon's third purchase GS1 Company Prefix length indicator must be 0 to 6 or 9.",
    }
    CouponTruncated3rdPurchaseGcp {
        gs1: "GS1_LINTER_COUPON_TRUNCATED_3RD_PURCHASE_GCP",
        code: "TANBA-GS1-LINT-COUPON-TRUNCATED-3RD-PURCHASE-GCP",
        text: "The coupon's third purchase GS1 Company Prefix is shorter than its length indicator says.",
    }
    CouponTooShortForExpirationDate {
        gs1: "GS1_LINTER_COUPON_TOO_SHORT_FOR_EXPIRATION_DATE",
        code: "TANBA-GS1-LINT-COUPON-TOO-SHORT-FOR-EXPIRATION-DATE",
        text: "The coupon's expiration date is too short for the YYMMDD format.",
    }
    CouponInvalidExpirationDate {
        gs1: "GS1_LINTER_COUPON_INVALID_EXIPIRATION_DATE",
        code: "TANBA-GS1-LINT-COUPON-INVALID-EXPIRATION-DATE",
        text: "The coupon's expiration date is not a valid YYMMDD date.",
    }
    CouponTooShortForStartDate {
        gs1: "GS1_LINTER_COUPON_TOO_SHORT_FOR_START_DATE",
        code: "TANBA-GS1-LINT-COUPON-TOO-SHORT-FOR-START-DATE",
        text: "The coupon's start date is too short for the YYMMDD format.",
    }
    CouponInvalidStartDate {
        gs1: "GS1_LINTER_COUPON_INVALID_START_DATE",
        code: "TANBA-GS1-LINT-COUPON-INVALID-START-DATE",
        text: "The coupon's start date is not a valid YYMMDD date.",
    }
    CouponExpirationBeforeStart {
        gs1: "GS1_LINTER_COUPON_EXPIRATION_BEFORE_START",
        code: "TANBA-GS1-LINT-COUPON-EXPIRATION-BEFORE-START",
        text: "The coupon's expiration date is before its start date.",
    }
    CouponMissingRetailerGcpOrGlnVli {
        gs1: "GS1_LINTER_COUPON_MISSING_RETAILER_GCP_OR_GLN_VLI",
        code: "TANBA-GS1-LINT-COUPON-MISSING-RETAILER-GCP-OR-GLN-VLI",
        text: "The coupon's retailer GCP/GLN length indicator is missing.",
    }
    CouponInvalidRetailerGcpOrGlnLength {
        gs1: "GS1_LINTER_COUPON_INVALID_RETAILER_GCP_OR_GLN_LENGTH",
        code: "TANBA-GS1-LINT-COUPON-INVALID-RETAILER-GCP-OR-GLN-LENGTH",
        text: "The coupon's retailer GCP/GLN length indicator must be 1 to 7.",
    }
    CouponTruncatedRetailerGcpOrGln {
        gs1: "GS1_LINTER_COUPON_TRUNCATED_RETAILER_GCP_OR_GLN",
        code: "TANBA-GS1-LINT-COUPON-TRUNCATED-RETAILER-GCP-OR-GLN",
        text: "The coupon's retailer GCP/GLN is shorter than its length indicator says.",
    }
    CouponMissingSaveValueCode {
        gs1: "GS1_LINTER_COUPON_MISSING_SAVE_VALUE_CODE",
        code: "TANBA-GS1-LINT-COUPON-MISSING-SAVE-VALUE-CODE",
        text: "The coupon's Save Value Code is missing.",
    }
    CouponInvalidSaveValueCode {
        gs1: "GS1_LINTER_COUPON_INVALID_SAVE_VALUE_CODE",
        code: "TANBA-GS1-LINT-COUPON-INVALID-SAVE-VALUE-CODE",
        text: "The coupon's Save Value Code must be 0, 1, 2, 5 or 6.",
    }
    CouponMissingSaveValueAppliesToItem {
        gs1: "GS1_LINTER_COUPON_MISSING_SAVE_VALUE_APPLIES_TO_ITEM",
        code: "TANBA-GS1-LINT-COUPON-MISSING-SAVE-VALUE-APPLIES-TO-ITEM",
        text: "The coupon's Save Value Applies to Item is missing.",
    }
    CouponInvalidSaveValueAppliesToItem {
        gs1: "GS1_LINTER_COUPON_INVALID_SAVE_VALUE_APPLIES_TO_ITEM",
        code: "TANBA-GS1-LINT-COUPON-INVALID-SAVE-VALUE-APPLIES-TO-ITEM",
        text: "The coupon's Save Value Applies to Item must be 0 to 2.",
    }
    CouponMissingStoreCouponFlag {
        gs1: "GS1_LINTER_COUPON_MISSING_STORE_COUPON_FLAG",
        code: "TANBA-GS1-LINT-COUPON-MISSING-STORE-COUPON-FLAG",
        text: "The coupon's Store Coupon Flag is missing.",
    }
    CouponMissingDontMultiplyFlag {
        gs1: "GS1_LINTER_COUPON_MISSING_DONT_MULTIPLY_FLAG",
        code: "TANBA-GS1-LINT-COUPON-MISSING-DONT-MULTIPLY-FLAG",
        text: "The coupon's Don't Multiply Flag is missing.",
    }
    CouponInvalidDontMultiplyFlag {
        gs1: "GS1_LINTER_COUPON_INVALID_DONT_MULTIPLY_FLAG",
        code: "TANBA-GS1-LINT-COUPON-INVALID-DONT-MULTIPLY-FLAG",
        text: "The coupon's Don't Multiply Flag must be 0 or 1.",
    }
    CouponExcessData {
        gs1: "GS1_LINTER_COUPON_EXCESS_DATA",
        code: "TANBA-GS1-LINT-COUPON-EXCESS-DATA",
        text: "The coupon has data left over after its recognised fields.",
    }
    InvalidLatitude {
        gs1: "GS1_LINTER_INVALID_LATITUDE",
        code: "TANBA-GS1-LINT-INVALID-LATITUDE",
        text: "The latitude is outside the range 0000000000 to 1800000000.",
    }
    InvalidLongitude {
        gs1: "GS1_LINTER_INVALID_LONGITUDE",
        code: "TANBA-GS1-LINT-INVALID-LONGITUDE",
        text: "The longitude is outside the range 0000000000 to 3600000000.",
    }
    InvalidMediaType {
        gs1: "GS1_LINTER_INVALID_MEDIA_TYPE",
        code: "TANBA-GS1-LINT-INVALID-MEDIA-TYPE",
        text: "A valid AIDC media type is required.",
    }
    LatitudeInvalidLength {
        gs1: "GS1_LINTER_LATITUDE_INVALID_LENGTH",
        code: "TANBA-GS1-LINT-LATITUDE-INVALID-LENGTH",
        text: "The latitude must be exactly 10 digits.",
    }
    LongitudeInvalidLength {
        gs1: "GS1_LINTER_LONGITUDE_INVALID_LENGTH",
        code: "TANBA-GS1-LINT-LONGITUDE-INVALID-LENGTH",
        text: "The longitude must be exactly 10 digits.",
    }
    InvalidCset64Character {
        gs1: "GS1_LINTER_INVALID_CSET64_CHARACTER",
        code: "TANBA-GS1-LINT-INVALID-CSET64-CHARACTER",
        text: "A character outside GS1 character set 64 (base64url) was found.",
    }
    InvalidCset64Padding {
        gs1: "GS1_LINTER_INVALID_CSET64_PADDING",
        code: "TANBA-GS1-LINT-INVALID-CSET64-PADDING",
        text: "The GS1 character set 64 data has incorrect `=` padding.",
    }
    NotHyphen {
        gs1: "GS1_LINTER_NOT_HYPHEN",
        code: "TANBA-GS1-LINT-NOT-HYPHEN",
        text: "Only hyphens are permitted.",
    }
    InvalidBiologicalSexCode {
        gs1: "GS1_LINTER_INVALID_BIOLOGICAL_SEX_CODE",
        code: "TANBA-GS1-LINT-INVALID-BIOLOGICAL-SEX-CODE",
        text: "A valid ISO/IEC 5218 biological sex code (0, 1, 2 or 9) is required.",
    }
    PositionInSequenceMalformed {
        gs1: "GS1_LINTER_POSITION_IN_SEQUENCE_MALFORMED",
        code: "TANBA-GS1-LINT-POSITION-IN-SEQUENCE-MALFORMED",
        text: "The data must have the form POSITION/END, for example 2/3.",
    }
    PositionExceedsEnd {
        gs1: "GS1_LINTER_POSITION_EXCEEDS_END",
        code: "TANBA-GS1-LINT-POSITION-EXCEEDS-END",
        text: "The position must not exceed the end of the sequence.",
    }
    RequiresNonDigitCharacter {
        gs1: "GS1_LINTER_REQUIRES_NON_DIGIT_CHARACTER",
        code: "TANBA-GS1-LINT-REQUIRES-NON-DIGIT-CHARACTER",
        text: "At least one character other than a digit is required.",
    }
    HourTooShort {
        gs1: "GS1_LINTER_HOUR_TOO_SHORT",
        code: "TANBA-GS1-LINT-HOUR-TOO-SHORT",
        text: "The hour is too short for the HH format.",
    }
    HourTooLong {
        gs1: "GS1_LINTER_HOUR_TOO_LONG",
        code: "TANBA-GS1-LINT-HOUR-TOO-LONG",
        text: "The hour is too long for the HH format.",
    }
    MinuteTooShort {
        gs1: "GS1_LINTER_MINUTE_TOO_SHORT",
        code: "TANBA-GS1-LINT-MINUTE-TOO-SHORT",
        text: "The minute is too short for the MI format.",
    }
    MinuteTooLong {
        gs1: "GS1_LINTER_MINUTE_TOO_LONG",
        code: "TANBA-GS1-LINT-MINUTE-TOO-LONG",
        text: "The minute is too long for the MI format.",
    }
    SecondTooShort {
        gs1: "GS1_LINTER_SECOND_TOO_SHORT",
        code: "TANBA-GS1-LINT-SECOND-TOO-SHORT",
        text: "The second is too short for the SS format.",
    }
    SecondTooLong {
        gs1: "GS1_LINTER_SECOND_TOO_LONG",
        code: "TANBA-GS1-LINT-SECOND-TOO-LONG",
        text: "The second is too long for the SS format.",
    }
    InvalidPackageType {
        gs1: "GS1_LINTER_INVALID_PACKAGE_TYPE",
        code: "TANBA-GS1-LINT-INVALID-PACKAGE-TYPE",
        text: "A valid PackageTypeCode is required.",
    }
    TooShortForGcp {
        gs1: "GS1_LINTER_TOO_SHORT_FOR_GCP",
        code: "TANBA-GS1-LINT-TOO-SHORT-FOR-GCP",
        text: "The component is shorter than the shortest GS1 Company Prefix.",
    }
    IbanTooLong {
        gs1: "GS1_LINTER_IBAN_TOO_LONG",
        code: "TANBA-GS1-LINT-IBAN-TOO-LONG",
        text: "The IBAN is too long.",
    }
}

impl fmt::Display for LintErrorKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.description())
    }
}

/// A linter's finding: what is wrong and which bytes of the component are at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LintError {
    /// What is wrong.
    pub kind: LintErrorKind,
    /// Byte offset of the offending part within the component (on a `char` boundary).
    pub position: usize,
    /// Length in bytes of the offending part (possibly 0; ends on a `char` boundary).
    pub length: usize,
}

impl fmt::Display for LintError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{} ({}, bytes {}..{})",
            self.kind.description(),
            self.kind.code(),
            self.position,
            self.position.saturating_add(self.length),
        )
    }
}

impl std::error::Error for LintError {}

/// Runs one linter over one component value.
///
/// On failure the error names the offending byte range of `component`; see the module
/// documentation for how non-ASCII characters are treated.
pub fn lint(linter: Linter, component: &str) -> Result<(), LintError> {
    if component.is_ascii() {
        return run(linter, component.as_bytes());
    }
    // One unit per character, so that positions count characters as the reference counts bytes.
    let units: Vec<u8> = component
        .chars()
        .map(|character| {
            if character.is_ascii() {
                character as u8
            } else {
                NON_ASCII_UNIT
            }
        })
        .collect();
    run(linter, &units).map_err(|error| units_to_bytes(component, error))
}

/// The unit that stands for a non-ASCII character: a byte outside every GS1 character set.
const NON_ASCII_UNIT: u8 = 0x80;
const _: () = assert!(!NON_ASCII_UNIT.is_ascii());

/// The outcome of one linter over the bytes (or character units) of a component.
type LintResult = Result<(), LintError>;

fn run(linter: Linter, data: &[u8]) -> LintResult {
    match linter {
        Linter::CsetNumeric => charset::numeric(data),
        Linter::Cset82 => charset::cset82(data),
        Linter::Cset39 => charset::cset39(data),
        Linter::Cset64 => charset::cset64(data),
        Linter::CouponCode => coupon::coupon_code(data),
        Linter::CouponPosOffer => coupon::coupon_positive_offer(data),
        Linter::Csum => checksum::check_digit(data),
        Linter::CsumAlpha => checksum::check_pair(data),
        Linter::GcpPos1 => gcp::company_prefix_at_first(data),
        Linter::GcpPos2 => gcp::company_prefix_at_second(data),
        Linter::HasNonDigit => charset::has_non_digit(data),
        Linter::Hh => datetime::hour(data),
        Linter::Hhmi => datetime::hour_minute(data),
        Linter::Hyphen => charset::hyphens(data),
        Linter::Iban => checksum::iban(data),
        Linter::ImporterIdx => charset::importer_index(data),
        Linter::Iso3166 => iso3166::numeric(data),
        Linter::Iso3166999 => iso3166::numeric_or_999(data),
        Linter::Iso3166Alpha2 => iso3166::alpha2(data),
        Linter::Iso4217 => iso4217::numeric(data),
        Linter::Iso5218 => value::biological_sex(data),
        Linter::Latitude => value::latitude(data),
        Linter::Longitude => value::longitude(data),
        Linter::MediaType => value::media_type(data),
        Linter::Mi => datetime::minute(data),
        Linter::NonZero => value::non_zero(data),
        Linter::NoZeroPrefix => value::no_zero_prefix(data),
        Linter::PackageType => package_type::package_type(data),
        Linter::PcEnc => charset::percent_encoding(data),
        Linter::PieceOfTotal => value::piece_of_total(data),
        Linter::PosInSeqSlash => value::position_in_sequence(data),
        Linter::Ss => datetime::second(data),
        Linter::Winding => value::winding(data),
        Linter::YesNo => value::yes_no(data),
        Linter::Yymmd0 => datetime::yymmd0(data),
        Linter::Yymmdd => datetime::yymmdd(data),
        Linter::Yyyymmd0 => datetime::yyyymmd0(data),
        Linter::Yyyymmdd => datetime::yyyymmdd(data),
        Linter::Zero => value::zero(data),
    }
}

/// Maps an error range counted in characters back to byte offsets within `component`.
fn units_to_bytes(component: &str, error: LintError) -> LintError {
    let byte_offset = |unit: usize| {
        component
            .char_indices()
            .nth(unit)
            .map_or(component.len(), |(offset, _)| offset)
    };
    let start = byte_offset(error.position);
    let end = byte_offset(error.position.saturating_add(error.length));
    LintError {
        kind: error.kind,
        position: start,
        length: end.saturating_sub(start),
    }
}

/// An error at `position` of length `length`.
const fn error(kind: LintErrorKind, position: usize, length: usize) -> LintError {
    LintError {
        kind,
        position,
        length,
    }
}

/// Fails with an error at `position` of length `length`.
const fn fail(kind: LintErrorKind, position: usize, length: usize) -> LintResult {
    Err(error(kind, position, length))
}

/// Fails with an error covering the whole of `data`.
const fn fail_whole(kind: LintErrorKind, data: &[u8]) -> LintResult {
    fail(kind, 0, data.len())
}

/// Moves an error found in a sub-slice that starts at `offset` into the enclosing data.
const fn shifted(error: LintError, offset: usize) -> LintError {
    LintError {
        kind: error.kind,
        position: error.position.saturating_add(offset),
        length: error.length,
    }
}

/// Fails with [`LintErrorKind::NonDigitCharacter`] at the first byte that is not `0-9`.
fn require_digits(data: &[u8]) -> LintResult {
    match data.iter().position(|byte| !byte.is_ascii_digit()) {
        Some(position) => fail(LintErrorKind::NonDigitCharacter, position, 1),
        None => Ok(()),
    }
}

/// The value of a run of ASCII digits (saturating; callers pass short, checked runs).
fn decimal(digits: &[u8]) -> u64 {
    digits.iter().fold(0, |value: u64, digit| {
        value
            .saturating_mul(10)
            .saturating_add(u64::from(digit.wrapping_sub(b'0')))
    })
}

/// Whether `list` is strictly ascending, so that binary search finds every member.
const fn is_strictly_ascending_numbers(list: &[u16]) -> bool {
    let mut index = 1;
    while index < list.len() {
        if list[index - 1] >= list[index] {
            return false;
        }
        index += 1;
    }
    true
}

/// Whether `list` is strictly ascending in byte order, so that binary search finds every member.
const fn is_strictly_ascending_strings(list: &[&str]) -> bool {
    let mut index = 1;
    while index < list.len() {
        if !is_less(list[index - 1].as_bytes(), list[index].as_bytes()) {
            return false;
        }
        index += 1;
    }
    true
}

/// Byte-order comparison `left < right`, usable in constants.
const fn is_less(left: &[u8], right: &[u8]) -> bool {
    let mut index = 0;
    while index < left.len() && index < right.len() {
        if left[index] != right[index] {
            return left[index] < right[index];
        }
        index += 1;
    }
    left.len() < right.len()
}

/// The value of `data` if it is exactly three ASCII digits (an ISO numeric code).
fn three_digit_code(data: &[u8]) -> Option<u16> {
    match data {
        [a, b, c] if data.iter().all(u8::is_ascii_digit) => {
            Some(u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0'))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn fails_with(linter: Linter, input: &str, kind: LintErrorKind, range: (usize, usize)) {
        let expected = LintError {
            kind,
            position: range.0,
            length: range.1 - range.0,
        };
        assert_eq!(
            lint(linter, input),
            Err(expected),
            "{} {input:?}",
            linter.name()
        );
    }

    fn passes(linter: Linter, input: &str) {
        assert_eq!(lint(linter, input), Ok(()), "{} {input:?}", linter.name());
    }

    #[test]
    fn gtin_check_digits() {
        passes(Linter::Csum, "4006381333931"); // GTIN-13
        fails_with(
            Linter::Csum,
            "4006381333932",
            LintErrorKind::IncorrectCheckDigit,
            (12, 13),
        );
        passes(Linter::Csum, "10614141000415"); // GTIN-14
        passes(Linter::Csum, "00614141123452"); // GTIN-12 as GTIN-14
        fails_with(
            Linter::Csum,
            "10614141000410",
            LintErrorKind::IncorrectCheckDigit,
            (13, 14),
        );
        fails_with(
            Linter::Csum,
            "1061414100041X",
            LintErrorKind::NonDigitCharacter,
            (13, 14),
        );
        fails_with(
            Linter::Csum,
            "",
            LintErrorKind::TooShortForCheckDigit,
            (0, 0),
        );
        passes(Linter::Csum, "0");
    }

    #[test]
    fn sscc_check_digit() {
        passes(Linter::Csum, "106141411234567897");
        fails_with(
            Linter::Csum,
            "106141411234567898",
            LintErrorKind::IncorrectCheckDigit,
            (17, 18),
        );
        fails_with(
            Linter::Csum,
            "106141411234567879",
            LintErrorKind::IncorrectCheckDigit,
            (17, 18),
        );
    }

    #[test]
    fn yymmd0_allows_day_zero_and_yymmdd_does_not() {
        passes(Linter::Yymmd0, "260200");
        passes(Linter::Yymmd0, "000229"); // 2000 is a leap year
        fails_with(Linter::Yymmdd, "260200", LintErrorKind::IllegalDay, (4, 6));
        fails_with(Linter::Yymmd0, "260230", LintErrorKind::IllegalDay, (4, 6));
        fails_with(
            Linter::Yymmd0,
            "261300",
            LintErrorKind::IllegalMonth,
            (2, 4),
        );
        fails_with(
            Linter::Yymmd0,
            "260000",
            LintErrorKind::IllegalMonth,
            (2, 4),
        );
        passes(Linter::Yyyymmd0, "20260700");
        fails_with(
            Linter::Yyyymmdd,
            "20260700",
            LintErrorKind::IllegalDay,
            (6, 8),
        );
    }

    #[test]
    fn cset82_edges() {
        passes(Linter::Cset82, "");
        passes(Linter::Cset82, "!");
        passes(Linter::Cset82, "z");
        passes(Linter::Cset82, "\"%&'()*+,-./09:;<=>?AZ_az");
        for excluded in [
            " ", "#", "$", "@", "[", "\\", "]", "^", "`", "{", "|", "}", "~", "\x7f",
        ] {
            fails_with(
                Linter::Cset82,
                excluded,
                LintErrorKind::InvalidCset82Character,
                (0, 1),
            );
        }
        fails_with(
            Linter::Cset82,
            "AB C",
            LintErrorKind::InvalidCset82Character,
            (2, 3),
        );
        // A non-ASCII character is one invalid character; the range covers all its bytes.
        fails_with(
            Linter::Cset82,
            "é",
            LintErrorKind::InvalidCset82Character,
            (0, 2),
        );
        fails_with(
            Linter::Cset82,
            "Aé",
            LintErrorKind::InvalidCset82Character,
            (1, 3),
        );
        fails_with(
            Linter::Cset82,
            "A€B",
            LintErrorKind::InvalidCset82Character,
            (1, 4),
        );
    }

    #[test]
    fn non_ascii_characters_count_as_one_character() {
        fails_with(
            Linter::ImporterIdx,
            "é",
            LintErrorKind::InvalidImportIdxCharacter,
            (0, 2),
        );
        fails_with(Linter::Hh, "1é", LintErrorKind::NonDigitCharacter, (1, 3));
        fails_with(Linter::Hh, "é", LintErrorKind::HourTooShort, (0, 2));
        fails_with(
            Linter::Csum,
            "12€",
            LintErrorKind::NonDigitCharacter,
            (2, 5),
        );
        fails_with(
            Linter::PcEnc,
            "a%é1",
            LintErrorKind::InvalidPercentSequence,
            (1, 5),
        );
        passes(Linter::HasNonDigit, "1é");
    }

    /// The upstream `gcppos1`/`gcppos2` tests that build their inputs in loops (not among the
    /// extracted vectors).
    #[test]
    fn company_prefix_length_and_format() {
        passes(Linter::GcpPos1, "0123");
        passes(Linter::GcpPos1, "01234");
        passes(Linter::GcpPos1, "0123A");
        for short in ["", "0", "01", "012"] {
            fails_with(
                Linter::GcpPos1,
                short,
                LintErrorKind::TooShortForGcp,
                (0, short.len()),
            );
        }
        fails_with(
            Linter::GcpPos1,
            "012AA",
            LintErrorKind::InvalidGcpPrefix,
            (3, 4),
        );
        fails_with(
            Linter::GcpPos1,
            "AAAAA",
            LintErrorKind::InvalidGcpPrefix,
            (0, 1),
        );
        passes(Linter::GcpPos2, "I0123");
        passes(Linter::GcpPos2, "I0123A");
        fails_with(
            Linter::GcpPos2,
            "I012",
            LintErrorKind::TooShortForGcp,
            (1, 4),
        );
        fails_with(Linter::GcpPos2, "I0", LintErrorKind::TooShortForGcp, (1, 2));
        fails_with(Linter::GcpPos2, "I", LintErrorKind::TooShortForGcp, (0, 1));
        fails_with(Linter::GcpPos2, "", LintErrorKind::TooShortForGcp, (0, 0));
        fails_with(
            Linter::GcpPos2,
            "I0A23",
            LintErrorKind::InvalidGcpPrefix,
            (2, 3),
        );
    }

    #[test]
    fn linter_names_round_trip() {
        assert_eq!(Linter::ALL.len(), 39);
        for &linter in Linter::ALL {
            assert_eq!(Linter::from_name(linter.name()), Some(linter));
        }
        assert_eq!(Linter::from_name("gs1_lint_csum"), None);
        assert_eq!(Linter::from_name("CSUM"), None);
    }

    #[test]
    fn error_kinds_have_unique_names_and_codes() {
        let mut gs1_names = std::collections::HashSet::new();
        let mut codes = std::collections::HashSet::new();
        for &kind in LintErrorKind::ALL {
            assert!(kind.gs1_name().starts_with("GS1_LINTER_"), "{kind:?}");
            assert!(kind.code().starts_with("TANBA-GS1-LINT-"), "{kind:?}");
            assert!(kind.description().ends_with('.'), "{kind:?}");
            assert!(gs1_names.insert(kind.gs1_name()), "{kind:?}");
            assert!(codes.insert(kind.code()), "{kind:?}");
            assert_eq!(LintErrorKind::from_gs1_name(kind.gs1_name()), Some(kind));
        }
        assert_eq!(LintErrorKind::from_gs1_name("GS1_LINTER_OK"), None);
    }

    proptest! {
        #[test]
        fn never_panics_and_ranges_lie_on_char_boundaries(input in any::<String>()) {
            for &linter in Linter::ALL {
                if let Err(error) = lint(linter, &input) {
                    let end = error.position.checked_add(error.length);
                    prop_assert!(end.is_some_and(|end| input.get(error.position..end).is_some()));
                }
            }
        }

        #[test]
        fn never_panics_on_printable_ascii(input in "[ -~]{0,40}") {
            for &linter in Linter::ALL {
                if let Err(error) = lint(linter, &input) {
                    prop_assert!(error.position + error.length <= input.len());
                }
            }
        }

        #[test]
        fn never_panics_on_digit_strings(input in "[0-9]{0,40}") {
            for &linter in Linter::ALL {
                if let Err(error) = lint(linter, &input) {
                    prop_assert!(error.position + error.length <= input.len());
                }
            }
        }
    }
}
