//! Check-character linters: `csum` (GS1 mod-10 check digit), `csumalpha` (GS1 alphanumeric check
//! character pair) and `iban` (ISO 13616 mod-97 check digits).

use super::{LintErrorKind, LintResult, fail, fail_whole, iso3166, require_digits};

/// `csum`: the last digit is the GS1 mod-10 check digit of the others (GTIN, GLN, SSCC, ...).
pub(super) fn check_digit(data: &[u8]) -> LintResult {
    let Some((&check, payload)) = data.split_last() else {
        return fail(LintErrorKind::TooShortForCheckDigit, 0, 0);
    };
    require_digits(data)?;
    if check != mod10_check_digit(payload) {
        return fail(LintErrorKind::IncorrectCheckDigit, payload.len(), 1);
    }
    Ok(())
}

/// The GS1 mod-10 check digit for `payload` (ASCII digits): weights 3, 1, 3, ... from the right.
fn mod10_check_digit(payload: &[u8]) -> u8 {
    let sum: u64 = payload
        .iter()
        .rev()
        .zip([3, 1].into_iter().cycle())
        .map(|(digit, weight)| u64::from(digit - b'0') * weight)
        .sum();
    // The remainder is below 10, so the narrowing is exact.
    b'0' + ((10 - sum % 10) % 10) as u8
}

/// The alphanumeric check pair is two characters long.
const CHECK_PAIR_LENGTH: usize = 2;

/// The most data characters the check pair calculation supports: one prime weight each, enough
/// for the longest AI (99 characters including the pair).
const CHECK_PAIR_DATA_LENGTH_MAX: usize = 97;

/// The check pair sum is taken modulo this prime.
const CHECK_PAIR_MODULUS: u32 = 1021;

/// Bits of the check sum carried by each of the two check characters.
const CHECK_CHARACTER_BITS: u32 = 5;

/// GS1 character set 82 in weight order: a character's weight is its index.
const CSET82_BY_WEIGHT: &[u8; 82] =
    b"!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

/// GS1 character set 32 in weight order: the check characters.
const CSET32_BY_WEIGHT: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

const _: () = assert!(CSET32_BY_WEIGHT.len() == 1 << CHECK_CHARACTER_BITS);
const _: () = assert!((CHECK_PAIR_MODULUS as usize) <= 1 << (2 * CHECK_CHARACTER_BITS));

/// The first [`CHECK_PAIR_DATA_LENGTH_MAX`] primes: the check pair weights, rightmost first.
const PRIMES: [u32; CHECK_PAIR_DATA_LENGTH_MAX] = first_primes();

const fn first_primes() -> [u32; CHECK_PAIR_DATA_LENGTH_MAX] {
    let mut primes = [0; CHECK_PAIR_DATA_LENGTH_MAX];
    let mut count = 0;
    let mut candidate: u32 = 2;
    while count < CHECK_PAIR_DATA_LENGTH_MAX {
        let mut divisor_index = 0;
        let mut is_prime = true;
        while divisor_index < count {
            if candidate.is_multiple_of(primes[divisor_index]) {
                is_prime = false;
                break;
            }
            divisor_index += 1;
        }
        if is_prime {
            primes[count] = candidate;
            count += 1;
        }
        candidate += 1;
    }
    primes
}

const _: () = assert!(PRIMES[0] == 2 && PRIMES[CHECK_PAIR_DATA_LENGTH_MAX - 1] == 509);

/// `csumalpha`: the last two characters are the GS1 check character pair of the others.
pub(super) fn check_pair(data: &[u8]) -> LintResult {
    if data.len() < CHECK_PAIR_LENGTH {
        return fail_whole(LintErrorKind::TooShortForCheckPair, data);
    }
    let payload_length = data.len() - CHECK_PAIR_LENGTH;
    if payload_length > CHECK_PAIR_DATA_LENGTH_MAX {
        return fail_whole(LintErrorKind::TooLongForCheckPairImplementation, data);
    }
    let (payload, pair) = data.split_at(payload_length);
    let mut sum: u32 = 0;
    let weights = PRIMES[..payload_length].iter().rev();
    for (position, (&character, &prime)) in payload.iter().zip(weights).enumerate() {
        let Some(weight) = CSET82_BY_WEIGHT
            .iter()
            .position(|&member| member == character)
        else {
            return fail(LintErrorKind::InvalidCset82Character, position, 1);
        };
        // Weights are below 82 and primes below 510: each term and the sum fit easily.
        sum += weight as u32 * prime;
    }
    let sum = (sum % CHECK_PAIR_MODULUS) as usize;
    let mask = (1 << CHECK_CHARACTER_BITS) - 1;
    let expected = [
        CSET32_BY_WEIGHT[sum >> CHECK_CHARACTER_BITS],
        CSET32_BY_WEIGHT[sum & mask],
    ];
    if pair != expected {
        return fail(
            LintErrorKind::IncorrectCheckPair,
            payload_length,
            CHECK_PAIR_LENGTH,
        );
    }
    Ok(())
}

/// The country code and check digits that start every IBAN.
const IBAN_HEADER_LENGTH: usize = 4;
/// The country code is the first two characters.
const IBAN_COUNTRY_CODE_LENGTH: usize = 2;
/// The check digits follow the country code.
const IBAN_CHECK_DIGITS_LENGTH: usize = 2;
/// The reference accepts no IBAN of 10 characters or fewer (no country uses so few).
const IBAN_LENGTH_MIN: usize = 11;
/// ISO 13616: an IBAN has at most 34 characters.
const IBAN_LENGTH_MAX: usize = 34;
/// ISO 7064 MOD 97-10: a valid IBAN leaves this remainder.
const IBAN_MODULUS: u32 = 97;
const IBAN_REMAINDER_VALID: u32 = 1;

const _: () = assert!(IBAN_COUNTRY_CODE_LENGTH + IBAN_CHECK_DIGITS_LENGTH == IBAN_HEADER_LENGTH);
const _: () = assert!(IBAN_HEADER_LENGTH < IBAN_LENGTH_MIN && IBAN_LENGTH_MIN < IBAN_LENGTH_MAX);

/// `iban`: an ISO 3166 alpha-2 country code, two check digits and an alphanumeric account part,
/// 11 to 34 characters, whose ISO 7064 MOD 97-10 check is 1.
pub(super) fn iban(data: &[u8]) -> LintResult {
    if data.len() < IBAN_HEADER_LENGTH {
        return fail_whole(LintErrorKind::IbanTooShort, data);
    }
    if !iso3166::is_alpha2(&data[..IBAN_COUNTRY_CODE_LENGTH]) {
        return fail(
            LintErrorKind::IllegalIbanCountryCode,
            0,
            IBAN_COUNTRY_CODE_LENGTH,
        );
    }
    if data.len() > IBAN_LENGTH_MAX {
        return fail_whole(LintErrorKind::IbanTooLong, data);
    }
    if data.len() < IBAN_LENGTH_MIN {
        return fail_whole(LintErrorKind::IbanTooShort, data);
    }
    // The check moves the header to the end and reads letters as two-digit numbers (A = 10).
    let rotated = (IBAN_HEADER_LENGTH..data.len()).chain(0..IBAN_HEADER_LENGTH);
    let mut remainder: u32 = 0;
    for position in rotated {
        let value = match data[position] {
            digit @ b'0'..=b'9' => (u32::from(digit - b'0'), 10),
            letter @ b'A'..=b'Z' => (u32::from(letter - b'A') + 10, 100),
            _ => return fail(LintErrorKind::InvalidIbanCharacter, position, 1),
        };
        remainder = (remainder * value.1 + value.0) % IBAN_MODULUS;
    }
    if remainder != IBAN_REMAINDER_VALID {
        return fail(
            LintErrorKind::IncorrectIbanChecksum,
            IBAN_COUNTRY_CODE_LENGTH,
            IBAN_CHECK_DIGITS_LENGTH,
        );
    }
    Ok(())
}
