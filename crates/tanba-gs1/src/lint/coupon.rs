//! Coupon linters: `couponcode` (North American Coupon Code, AI 8110) and `couponposoffer`
//! (positive offer file coupon, AI 8112).
//!
//! Both are all-digit strings of fields, several of them prefixed by a one-digit variable length
//! indicator (VLI). The error ranges follow the reference: a missing field marks the whole data, a
//! field cut short marks what is left of the data (or the whole data when nothing is left).

use super::{
    LintError, LintErrorKind as Kind, LintResult, datetime, error, fail, gcp, require_digits,
};

/// Many lengths are encoded as a VLI digit plus this offset (a GCP of 6 to 12 digits, ...).
const VLI_LENGTH_OFFSET: usize = 6;
/// The Offer Code has six digits.
const OFFER_CODE_LENGTH: usize = 6;
/// A purchase Family Code has three digits.
const FAMILY_CODE_LENGTH: usize = 3;
/// Expiration and start dates are `YYMMDD`.
const DATE_LENGTH: usize = 6;
/// An optional field starts with a one-digit indicator.
const INDICATOR_LENGTH: usize = 1;
/// An optional date field: indicator and date.
const DATE_FIELD_LENGTH: usize = INDICATOR_LENGTH + DATE_LENGTH;

/// Primary GCP VLI: 0 to 6 (a GCP of 6 to 12 digits).
const GCP_VLI_MAX: u8 = 6;
/// Funder VLI (positive offer): 0 to 6.
const FUNDER_VLI_MAX: u8 = 6;
/// Second and third purchase GCP VLI: 0 to 6, or 9 for "no GCP".
const PURCHASE_GCP_VLI_MAX: u8 = 6;
const PURCHASE_GCP_VLI_NONE: u8 = 9;
/// Save Value and purchase requirement VLI: 1 to 5 digits.
const VALUE_VLI_MIN: u8 = 1;
const VALUE_VLI_MAX: u8 = 5;
/// Purchase requirement code: 0 to 4, or 9.
const REQUIREMENT_CODE_MAX: u8 = 4;
const REQUIREMENT_CODE_OTHER: u8 = 9;
/// Additional purchase rules code: 0 to 3.
const ADDITIONAL_RULES_CODE_MAX: u8 = 3;
/// Retailer GCP/GLN VLI: 1 to 7 (6 to 13 digits).
const RETAILER_VLI_MIN: u8 = 1;
const RETAILER_VLI_MAX: u8 = 7;
/// Save Value Code: 0, 1, 2, 5 or 6.
const SAVE_VALUE_CODES: [u8; 5] = [0, 1, 2, 5, 6];
/// Save Value Applies to Item: 0 to 2.
const APPLIES_TO_ITEM_MAX: u8 = 2;
/// Format Code and Don't Multiply Flag: 0 or 1.
const FLAG_MAX: u8 = 1;

/// Optional field indicators of `couponcode`, in the order the fields must appear.
const FIELD_SECOND_PURCHASE: u8 = b'1';
const FIELD_THIRD_PURCHASE: u8 = b'2';
const FIELD_EXPIRATION_DATE: u8 = b'3';
const FIELD_START_DATE: u8 = b'4';
const FIELD_SERIAL_NUMBER: u8 = b'5';
const FIELD_RETAILER: u8 = b'6';
const FIELD_MISCELLANEOUS: u8 = b'9';

/// A reading position within all-digit coupon data.
struct Cursor<'a> {
    data: &'a [u8],
    position: usize,
}

impl<'a> Cursor<'a> {
    fn new(data: &'a [u8]) -> Cursor<'a> {
        Cursor { data, position: 0 }
    }

    fn remaining(&self) -> usize {
        self.data.len() - self.position
    }

    /// Reads one digit; fails with `missing` (over the whole data) at the end of the data.
    fn digit(&mut self, missing: Kind) -> Result<u8, LintError> {
        let Some(&digit) = self.data.get(self.position) else {
            return Err(error(missing, 0, self.data.len()));
        };
        self.position += 1;
        Ok(digit.wrapping_sub(b'0'))
    }

    /// Reads one digit that must satisfy `valid`; fails with `invalid` at the digit otherwise.
    fn checked_digit(
        &mut self,
        missing: Kind,
        invalid: Kind,
        valid: impl Fn(u8) -> bool,
    ) -> Result<u8, LintError> {
        let position = self.position;
        let digit = self.digit(missing)?;
        if !valid(digit) {
            return Err(error(invalid, position, 1));
        }
        Ok(digit)
    }

    /// Skips a field of `length` digits and returns where it starts; fails with `truncated`.
    fn take(&mut self, length: usize, truncated: Kind) -> Result<usize, LintError> {
        let start = self.position;
        if self.remaining() < length {
            return Err(if self.remaining() == 0 {
                error(truncated, 0, self.data.len())
            } else {
                error(truncated, start, self.remaining())
            });
        }
        self.position += length;
        Ok(start)
    }

    /// Skips a GS1 Company Prefix (or GLN) of `length` digits and checks it as `gcppos1` does.
    fn company_prefix(&mut self, length: usize, truncated: Kind) -> LintResult {
        let start = self.take(length, truncated)?;
        gcp::company_prefix_at_first(&self.data[start..start + length])
            .map_err(|found| error(found.kind, start, length))
    }

    /// Skips a `YYMMDD` date and returns where it starts.
    fn date(&mut self, too_short: Kind, invalid: Kind) -> Result<usize, LintError> {
        let start = self.take(DATE_LENGTH, too_short)?;
        datetime::yymmdd(&self.data[start..start + DATE_LENGTH])
            .map_err(|_| error(invalid, start, DATE_LENGTH))?;
        Ok(start)
    }

    /// Consumes `indicator` if the next digit is that optional field indicator.
    fn optional_field(&mut self, indicator: u8) -> bool {
        let present = self.data.get(self.position) == Some(&indicator);
        if present {
            self.position += INDICATOR_LENGTH;
        }
        present
    }

    /// Fails with `excess` over whatever is left unread.
    fn finish(&self, excess: Kind) -> LintResult {
        if self.remaining() > 0 {
            return fail(excess, self.position, self.remaining());
        }
        Ok(())
    }
}

fn is_value_vli(digit: u8) -> bool {
    (VALUE_VLI_MIN..=VALUE_VLI_MAX).contains(&digit)
}

fn is_requirement_code(digit: u8) -> bool {
    digit <= REQUIREMENT_CODE_MAX || digit == REQUIREMENT_CODE_OTHER
}

fn is_purchase_gcp_vli(digit: u8) -> bool {
    digit <= PURCHASE_GCP_VLI_MAX || digit == PURCHASE_GCP_VLI_NONE
}

/// The error kinds of one purchase (requirement, code, family code and optionally a GCP).
struct PurchaseKinds {
    missing_requirement_vli: Kind,
    invalid_requirement_length: Kind,
    truncated_requirement: Kind,
    missing_requirement_code: Kind,
    invalid_requirement_code: Kind,
    truncated_family_code: Kind,
}

/// The error kinds of the GCP of the second or third purchase.
struct PurchaseGcpKinds {
    missing_vli: Kind,
    invalid_length: Kind,
    truncated: Kind,
}

const FIRST_PURCHASE: PurchaseKinds = PurchaseKinds {
    missing_requirement_vli: Kind::CouponMissing1stPurchaseRequirementVli,
    invalid_requirement_length: Kind::CouponInvalid1stPurchaseRequirementLength,
    truncated_requirement: Kind::CouponTruncated1stPurchaseRequirement,
    missing_requirement_code: Kind::CouponMissing1stPurchaseRequirementCode,
    invalid_requirement_code: Kind::CouponInvalid1stPurchaseRequirementCode,
    truncated_family_code: Kind::CouponTruncated1stPurchaseFamilyCode,
};

const SECOND_PURCHASE: PurchaseKinds = PurchaseKinds {
    missing_requirement_vli: Kind::CouponMissing2ndPurchaseRequirementVli,
    invalid_requirement_length: Kind::CouponInvalid2ndPurchaseRequirementLength,
    truncated_requirement: Kind::CouponTruncated2ndPurchaseRequirement,
    missing_requirement_code: Kind::CouponMissing2ndPurchaseRequirementCode,
    invalid_requirement_code: Kind::CouponInvalid2ndPurchaseRequirementCode,
    truncated_family_code: Kind::CouponTruncated2ndPurchaseFamilyCode,
};

const SECOND_PURCHASE_GCP: PurchaseGcpKinds = PurchaseGcpKinds {
    missing_vli: Kind::CouponMissing2ndPurchaseGcpVli,
    invalid_length: Kind::CouponInvalid2ndPurchaseGcpLength,
    truncated: Kind::CouponTruncated2ndPurchaseGcp,
};

const THIRD_PURCHASE: PurchaseKinds = PurchaseKinds {
    missing_requirement_vli: Kind::CouponMissing3rdPurchaseRequirementVli,
    invalid_requirement_length: Kind::CouponInvalid3rdPurchaseRequirementLength,
    truncated_requirement: Kind::CouponTruncated3rdPurchaseRequirement,
    missing_requirement_code: Kind::CouponMissing3rdPurchaseRequirementCode,
    invalid_requirement_code: Kind::CouponInvalid3rdPurchaseRequirementCode,
    truncated_family_code: Kind::CouponTruncated3rdPurchaseFamilyCode,
};

const THIRD_PURCHASE_GCP: PurchaseGcpKinds = PurchaseGcpKinds {
    missing_vli: Kind::CouponMissing3rdPurchaseGcpVli,
    invalid_length: Kind::CouponInvalid3rdPurchaseGcpLength,
    truncated: Kind::CouponTruncated3rdPurchaseGcp,
};

/// A purchase requirement (VLI and value), its code and its family code.
fn purchase(cursor: &mut Cursor<'_>, kinds: &PurchaseKinds) -> LintResult {
    let vli = cursor.checked_digit(
        kinds.missing_requirement_vli,
        kinds.invalid_requirement_length,
        is_value_vli,
    )?;
    cursor.take(usize::from(vli), kinds.truncated_requirement)?;
    cursor.checked_digit(
        kinds.missing_requirement_code,
        kinds.invalid_requirement_code,
        is_requirement_code,
    )?;
    cursor.take(FAMILY_CODE_LENGTH, kinds.truncated_family_code)?;
    Ok(())
}

/// The GCP of the second or third purchase; VLI 9 means there is none.
fn purchase_company_prefix(cursor: &mut Cursor<'_>, kinds: &PurchaseGcpKinds) -> LintResult {
    let vli = cursor.checked_digit(kinds.missing_vli, kinds.invalid_length, is_purchase_gcp_vli)?;
    if vli == PURCHASE_GCP_VLI_NONE {
        return Ok(());
    }
    cursor.company_prefix(usize::from(vli) + VLI_LENGTH_OFFSET, kinds.truncated)
}

/// `couponcode`: the North American Coupon Code (AI 8110).
pub(super) fn coupon_code(data: &[u8]) -> LintResult {
    require_digits(data)?;
    let mut cursor = Cursor::new(data);

    let vli = cursor.checked_digit(
        Kind::CouponMissingGcpVli,
        Kind::CouponInvalidGcpLength,
        |d| d <= GCP_VLI_MAX,
    )?;
    cursor.company_prefix(
        usize::from(vli) + VLI_LENGTH_OFFSET,
        Kind::CouponTruncatedGcp,
    )?;
    cursor.take(OFFER_CODE_LENGTH, Kind::CouponTruncatedOfferCode)?;
    let vli = cursor.checked_digit(
        Kind::CouponMissingSaveValueVli,
        Kind::CouponInvalidSaveValueLength,
        is_value_vli,
    )?;
    cursor.take(usize::from(vli), Kind::CouponTruncatedSaveValue)?;
    purchase(&mut cursor, &FIRST_PURCHASE)?;

    if cursor.optional_field(FIELD_SECOND_PURCHASE) {
        cursor.checked_digit(
            Kind::CouponMissingAdditionalPurchaseRulesCode,
            Kind::CouponInvalidAdditionalPurchaseRulesCode,
            |d| d <= ADDITIONAL_RULES_CODE_MAX,
        )?;
        purchase(&mut cursor, &SECOND_PURCHASE)?;
        purchase_company_prefix(&mut cursor, &SECOND_PURCHASE_GCP)?;
    }
    if cursor.optional_field(FIELD_THIRD_PURCHASE) {
        purchase(&mut cursor, &THIRD_PURCHASE)?;
        purchase_company_prefix(&mut cursor, &THIRD_PURCHASE_GCP)?;
    }
    dates(&mut cursor)?;
    if cursor.optional_field(FIELD_SERIAL_NUMBER) {
        let vli = cursor.digit(Kind::CouponMissingSerialNumberVli)?;
        cursor.take(
            usize::from(vli) + VLI_LENGTH_OFFSET,
            Kind::CouponTruncatedSerialNumber,
        )?;
    }
    if cursor.optional_field(FIELD_RETAILER) {
        let vli = cursor.checked_digit(
            Kind::CouponMissingRetailerGcpOrGlnVli,
            Kind::CouponInvalidRetailerGcpOrGlnLength,
            |d| (RETAILER_VLI_MIN..=RETAILER_VLI_MAX).contains(&d),
        )?;
        cursor.company_prefix(
            usize::from(vli) + VLI_LENGTH_OFFSET,
            Kind::CouponTruncatedRetailerGcpOrGln,
        )?;
    }
    if cursor.optional_field(FIELD_MISCELLANEOUS) {
        miscellaneous(&mut cursor)?;
    }
    cursor.finish(Kind::CouponExcessData)
}

/// The optional expiration and start dates; the expiration may not precede the start.
fn dates(cursor: &mut Cursor<'_>) -> LintResult {
    let mut expiration = None;
    if cursor.optional_field(FIELD_EXPIRATION_DATE) {
        expiration = Some(cursor.date(
            Kind::CouponTooShortForExpirationDate,
            Kind::CouponInvalidExpirationDate,
        )?);
    }
    if cursor.optional_field(FIELD_START_DATE) {
        let start = cursor.date(
            Kind::CouponTooShortForStartDate,
            Kind::CouponInvalidStartDate,
        )?;
        if let Some(expiration) = expiration {
            // Same-century YYMMDD dates compare as their digits do, as in the reference.
            let start_date = &cursor.data[start..start + DATE_LENGTH];
            let expiration_date = &cursor.data[expiration..expiration + DATE_LENGTH];
            if start_date > expiration_date {
                // Mark both date fields: "3YYMMDD4YYMMDD".
                let fields_start = start.saturating_sub(DATE_FIELD_LENGTH + INDICATOR_LENGTH);
                return fail(
                    Kind::CouponExpirationBeforeStart,
                    fields_start,
                    2 * DATE_FIELD_LENGTH,
                );
            }
        }
    }
    Ok(())
}

/// Optional field 9: Save Value Code, Applies to Item, Store Coupon Flag, Don't Multiply Flag.
fn miscellaneous(cursor: &mut Cursor<'_>) -> LintResult {
    cursor.checked_digit(
        Kind::CouponMissingSaveValueCode,
        Kind::CouponInvalidSaveValueCode,
        |d| SAVE_VALUE_CODES.contains(&d),
    )?;
    cursor.checked_digit(
        Kind::CouponMissingSaveValueAppliesToItem,
        Kind::CouponInvalidSaveValueAppliesToItem,
        |d| d <= APPLIES_TO_ITEM_MAX,
    )?;
    cursor.digit(Kind::CouponMissingStoreCouponFlag)?;
    cursor.checked_digit(
        Kind::CouponMissingDontMultiplyFlag,
        Kind::CouponInvalidDontMultiplyFlag,
        |d| d <= FLAG_MAX,
    )?;
    Ok(())
}

/// `couponposoffer`: the positive offer file coupon (AI 8112).
pub(super) fn coupon_positive_offer(data: &[u8]) -> LintResult {
    require_digits(data)?;
    let mut cursor = Cursor::new(data);

    cursor.checked_digit(
        Kind::CouponMissingFormatCode,
        Kind::CouponInvalidFormatCode,
        |d| d <= FLAG_MAX,
    )?;
    let vli = cursor.checked_digit(
        Kind::CouponMissingFunderVli,
        Kind::CouponInvalidFunderLength,
        |d| d <= FUNDER_VLI_MAX,
    )?;
    cursor.take(
        usize::from(vli) + VLI_LENGTH_OFFSET,
        Kind::CouponTruncatedFunder,
    )?;
    cursor.take(OFFER_CODE_LENGTH, Kind::CouponTruncatedOfferCode)?;
    let vli = cursor.digit(Kind::CouponMissingSerialNumberVli)?;
    cursor.take(
        usize::from(vli) + VLI_LENGTH_OFFSET,
        Kind::CouponTruncatedSerialNumber,
    )?;
    cursor.finish(Kind::CouponExcessData)
}
