//! ISO 4217 currency code linter: `iso4217` (numeric codes).
//!
//! The list is ISO 4217 List One (current currencies and funds), numeric codes. It is the GS1
//! reference linter's table (`lint_iso4217.c`; the newest copy we could read has 181 codes) with
//! the List One changes made since then, which the pinned reference (gs1-syntax-dictionary
//! ff2eb4bf) also has, as its unit tests show:
//!
//! - added 396 (XAD, Arab Accounting Dinar) and 926 (VED, Bolívar Soberano, digital);
//! - removed 191 (HRK, Kuna: Croatia adopted the euro), 694 (SLL, Leone: replaced by SLE 925),
//!   931 (CUC, Peso Convertible: withdrawn) and 932 (ZWL, Zimbabwe Dollar: replaced by ZWG 924).
//!
//! Maintenance: updates are published by the ISO 4217 Maintenance Agency (SIX Group).

use super::{
    LintErrorKind, LintResult, fail_whole, is_strictly_ascending_numbers, three_digit_code,
};

/// The number of numeric codes in ISO 4217 List One.
const CURRENCY_COUNT: usize = 179;

/// ISO 4217 numeric currency codes, ascending.
const NUMERIC: [u16; CURRENCY_COUNT] = [
    8, 12, 32, 36, 44, 48, 50, 51, 52, 60, 64, 68, 72, 84, 90, 96, 104, 108, 116, 124, 132, 136,
    144, 152, 156, 170, 174, 188, 192, 203, 208, 214, 222, 230, 232, 238, 242, 262, 270, 292, 320,
    324, 328, 332, 340, 344, 348, 352, 356, 360, 364, 368, 376, 388, 392, 396, 398, 400, 404, 408,
    410, 414, 417, 418, 422, 426, 430, 434, 446, 454, 458, 462, 480, 484, 496, 498, 504, 512, 516,
    524, 532, 533, 548, 554, 558, 566, 578, 586, 590, 598, 600, 604, 608, 634, 643, 646, 654, 682,
    690, 702, 704, 706, 710, 728, 748, 752, 756, 760, 764, 776, 780, 784, 788, 800, 807, 818, 826,
    834, 840, 858, 860, 882, 886, 901, 924, 925, 926, 927, 928, 929, 930, 933, 934, 936, 938, 940,
    941, 943, 944, 946, 947, 948, 949, 950, 951, 952, 953, 955, 956, 957, 958, 959, 960, 961, 962,
    963, 964, 965, 967, 968, 969, 970, 971, 972, 973, 975, 976, 977, 978, 979, 980, 981, 984, 985,
    986, 990, 994, 997, 999,
];

const _: () = assert!(is_strictly_ascending_numbers(&NUMERIC));

/// `iso4217`: an ISO 4217 numeric currency code.
pub(super) fn numeric(data: &[u8]) -> LintResult {
    let known = three_digit_code(data).is_some_and(|code| NUMERIC.binary_search(&code).is_ok());
    if !known {
        return fail_whole(LintErrorKind::NotIso4217, data);
    }
    Ok(())
}
