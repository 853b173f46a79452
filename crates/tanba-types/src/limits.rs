//! The named limits of commands and queries. Past a limit the caller gets a typed error that
//! names it, never an unbounded allocation or an unbounded write batch.

/// Most codes one command may name (R-IS-10 documents, bulk reports).
pub const COMMAND_CODES_MAX: usize = 100_000;
/// Most codes one command may change, counting every code inside the packages it names: it
/// bounds one command's share of a write batch (a 40-foot container of cigarettes is ~500,000
/// packs; ship it as its pallets).
pub const COMMAND_AFFECTED_CODES_MAX: usize = 250_000;
/// Most codes one emission order may ask for.
pub const ORDER_QUANTITY_MAX: u32 = 1_000_000;
/// Most emission orders one participant may have waiting to be issued.
pub const ORDERS_WAITING_MAX: u32 = 100;
/// Most codes one participant may have ordered and not yet issued.
pub const CODES_WAITING_MAX: u64 = 10_000_000;
/// Most codes issued by one `IssueCodes` command: orders are issued in chunks of this size.
pub const ISSUE_CHUNK_CODES_MAX: usize = 10_000;
/// Most direct children one package may hold.
pub const PACKAGE_CHILDREN_MAX: usize = 50_000;
/// Most items (codes or packages) one accompanying document may list.
pub const DOCUMENT_ITEMS_MAX: usize = 10_000;
/// Most bytes of a detached signature on a document: an Ed25519 signature (64) or a CMS made
/// with a certificate, which carries the certificate (`tanba_crypto::cms`, at most 16 KiB).
pub const SIGNATURE_BYTES_MAX: usize = 16 * 1024;
/// Most characters of a free-text reason (why a code is blocked).
pub const REASON_CHARS_MAX: usize = 1000;
/// Most characters of a reference to an outside document (receipt id, customs declaration
/// number, batch number).
pub const REFERENCE_CHARS_MAX: usize = 128;
/// Most entries one page of a query returns.
pub const PAGE_ENTRIES_MAX: usize = 10_000;
/// Most codes a package-content query returns in one answer.
pub const PACKAGE_CONTENT_MAX: usize = 100_000;
/// Most lines one fiscal receipt may carry.
pub const RECEIPT_LINES_MAX: usize = 1_000;
/// Most characters of a code as scanned and sent on a receipt line (a full tail in a Digital
/// Link with its host is under 200).
pub const SCANNED_CODE_CHARS_MAX: usize = 512;

/// Longest key a caller gives a data export job (R-IS-15), in characters.
pub const DATA_EXPORT_KEY_CHARS_MAX: usize = 64;

/// Longest period one data export covers, in days (one Parquet file per day).
pub const DATA_EXPORT_DAYS_MAX: u32 = 366;

/// Data export jobs one participant may make in one day: each reads up to a year of the log,
/// and the server runs them one at a time.
pub const DATA_EXPORT_JOBS_PER_DAY_MAX: u32 = 20;

/// Largest working-day calendar document, in bytes: fifty years of holidays and transfers with
/// their names in three languages fit several times over.
pub const CALENDAR_BYTES_MAX: usize = 1024 * 1024;

/// Largest reference-set document, in bytes: the whole EAEU nomenclature (about 13,000 codes)
/// with names in three languages fits.
pub const REFERENCE_BYTES_MAX: usize = 8 * 1024 * 1024;

/// Most characters of a case kind, transition, state, clock or field name.
pub const CASE_NAME_CHARS_MAX: usize = 64;
/// Most fields one case step's form may hold.
pub const FORM_FIELDS_MAX: usize = 200;
/// Most values in one list field, or rows in one table field.
pub const FORM_FIELD_VALUES_MAX: usize = 1_000;
/// Most columns in one row of a table field.
pub const FORM_ROW_COLUMNS_MAX: usize = 32;
/// Most characters of one text value in a form.
pub const FORM_TEXT_CHARS_MAX: usize = 4_000;
/// Most scalar values one form may hold in all (lists and rows counted value by value).
pub const FORM_VALUES_MAX: usize = 20_000;
/// Most attachments one step may name.
pub const STEP_ATTACHMENTS_MAX: usize = 50;
/// Most attachments one case may hold over its life.
pub const CASE_ATTACHMENTS_MAX: usize = 500;
/// Most steps one case may take over its life (its record keeps who took each).
pub const CASE_STEPS_MAX: usize = 1_000;
/// Most other parties one case may name.
pub const CASE_NAMED_MAX: usize = 50;

/// Most open cases one participant may be the party of at once (applications, recalls, claims,
/// complaints): each opening writes a case and notifies its authority, so no participant floods
/// a provider's inbox or the due-time index.
pub const OPEN_CASES_PER_PARTY_MAX: u32 = 1_000;
/// Most characters of an attachment's file name or media type.
pub const ATTACHMENT_NAME_CHARS_MAX: usize = 255;
/// Most bytes of one attachment.
pub const ATTACHMENT_BYTES_MAX: u64 = 64 * 1024 * 1024;
/// Most characters of one language's text of a notice.
pub const NOTICE_TEXT_CHARS_MAX: usize = 8_000;
/// Most cases one tick handles: the rest wait for the next tick, a moment later.
pub const TICK_CASES_MAX: usize = 1_000;

/// Consumers who may opt in to direct notices about one unit (its buyer, and a few others of
/// the household): a bound on what anyone can pile onto one code.
pub const OPT_INS_PER_CODE_MAX: usize = 3;

/// Longest contact a consumer leaves for direct notices, in characters (an e-mail address's
/// limit).
pub const CONTACT_CHARS_MAX: usize = 254;
/// Most bytes of a sealed contact: the longest contact in UTF-8 and its 16-byte tag.
pub const SEALED_CONTACT_BYTES_MAX: usize = CONTACT_CHARS_MAX * 4 + 16;
/// Longest comment on a violation report, in characters.
pub const REPORT_COMMENT_CHARS_MAX: usize = 1_000;
/// Largest photo a violation report may carry, in bytes.
pub const REPORT_PHOTO_BYTES_MAX: usize = 2 * 1024 * 1024;

/// Most commands one capture (an EPCIS document's events) carries.
pub const CAPTURE_COMMANDS_MAX: usize = 500;
/// Most codes the commands of one capture name together.
pub const CAPTURE_CODES_MAX: usize = COMMAND_CODES_MAX;
