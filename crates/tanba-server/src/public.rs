//! The public check (R-IS-07) and what the public tells us back: a phone scans a code and learns
//! whether it is genuine and what it is; a person reports a violation. Reports are stored and
//! listed per code for the authorities. A code is flagged as a likely copy (R-IS-02, R-IS-08)
//! only on evidence that it was seen: checked with its genuine tail from many networks at once,
//! or sold twice; a flag counts its evidence, and an authority may clear it with a reason. The
//! same answer serves HTTP/JSON, the HTML page and gRPC: the calls themselves are
//! [`crate::service::public`]'s.
//!
//! Layout of the public column:
//!
//! | key | value |
//! |---|---|
//! | `n` | the last report id (u64 BE) |
//! | `r` + report id (u64 BE) | [`ViolationReport`] (postcard) |
//! | `i` + code + report id | empty: the reports about a code |
//! | `f` + code | [`Flag`] (postcard): why the code is a likely copy |
//! | `p` + report id (u64 BE) | [`Photo`] (postcard): the photo a report came with |
//! | `q` + report id (u64 BE) | empty: the report came with a photo (for lists) |
//!
//! A report's photo is kept beside its report, in the same write, under its own key (the
//! report's record keeps its layout). A photo is at most [`REPORT_PHOTO_BYTES_MAX`], a JPEG, PNG
//! or WebP image by its first bytes, and all reports together store at most
//! [`REPORT_PHOTO_BYTES_PER_HOUR_MAX`] of photos an hour: per-client rates bound one visitor,
//! this bounds the disk a crowd of addresses could fill.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use dashmap::DashMap;
use serde::{Deserialize, Serialize};
use tanba_engine::query::{self, CodeCard};
use tanba_store::{Column, Durability, Snapshot, Store, WriteBatch};
use tanba_types::{
    CodeKey, CodeStatus, Date, Language, ScannedCode, ScannedTail, WithdrawalReason,
};

use crate::error::ApiError;

/// Distinct networks (IPv4 /24, IPv6 /48) checking one code within [`SIGHTING_WINDOW_MS`] that
/// flag it: one bottle is scanned in one shop, not in five cities in ten minutes.
pub const FLAG_NETWORKS_MIN: usize = 5;
/// The window sightings are counted in.
pub const SIGHTING_WINDOW_MS: u64 = 10 * 60 * 1000;
/// Codes whose sightings are tracked at once; past it, new codes go untracked until the sweep.
pub const SIGHTED_CODES_MAX: usize = 1_000_000;
/// Longest comment on a report, in characters.
pub const REPORT_COMMENT_CHARS_MAX: usize = 1_000;
/// Most reports one listing returns.
pub const REPORT_PAGE_MAX: usize = 1_000;
/// Largest photo a report may carry, in bytes.
pub const REPORT_PHOTO_BYTES_MAX: usize = 2 * 1024 * 1024;
/// Photo bytes all reports together may store within [`PHOTO_BUDGET_WINDOW_MS`]; past it a
/// report with a photo is refused as over the rate until the window turns.
pub const REPORT_PHOTO_BYTES_PER_HOUR_MAX: u64 = 256 * 1024 * 1024;
/// The window [`REPORT_PHOTO_BYTES_PER_HOUR_MAX`] is counted in.
pub const PHOTO_BUDGET_WINDOW_MS: u64 = 60 * 60 * 1000;
// One photo always fits an hour's budget.
const _: () = assert!(REPORT_PHOTO_BYTES_MAX as u64 <= REPORT_PHOTO_BYTES_PER_HOUR_MAX);

const LAST_REPORT: &[u8] = b"n";
const REPORT: u8 = b'r';
const REPORTS_BY_CODE: u8 = b'i';
const FLAG: u8 = b'f';
const PHOTO: u8 = b'p';
/// Marks a report that came with a photo (read for a list without reading the photo).
const PHOTO_MARK: u8 = b'q';

/// What the public may learn of a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Genuine and on sale.
    Genuine,
    /// Genuine, already sold to a consumer.
    Sold,
    /// Blocked by an authority.
    Blocked,
    /// Recalled by its producer, importer or seller (R-REC-06): see the recall's notice.
    Recalled,
    /// Past its expiry date.
    Expired,
    /// Known, but not (or no longer) in circulation.
    NotInCirculation,
    /// Unknown, or its tail is forged.
    UnknownOrForged,
}

impl Verdict {
    /// The verdict as a sentence.
    pub fn text(self, language: Language) -> &'static str {
        let [kk, ru, en] = match self {
            Verdict::Genuine => [
                "Түпнұсқа: тауар айналымда, сатуға болады",
                "Подлинный: товар в обороте, может продаваться",
                "Genuine: the goods are in circulation and may be sold",
            ],
            Verdict::Sold => [
                "Түпнұсқа, бірақ бұл тауар бұрын сатылған",
                "Подлинный, но этот товар уже продан",
                "Genuine, but this item has already been sold",
            ],
            Verdict::Blocked => [
                "Тауар бұғатталған: сатуға болмайды",
                "Товар заблокирован: продавать нельзя",
                "Blocked: must not be sold",
            ],
            Verdict::Recalled => [
                "Тауар кері қайтарылып алынуда: оны пайдаланбаңыз және сатпаңыз",
                "Товар отзывается: не используйте и не продавайте его",
                "Recalled: do not use or sell it",
            ],
            Verdict::Expired => [
                "Жарамдылық мерзімі өткен",
                "Срок годности истёк",
                "Past its expiry date",
            ],
            Verdict::NotInCirculation => [
                "Код белгілі, бірақ тауар айналымда емес",
                "Код известен, но товар не в обороте",
                "The code is known, but the goods are not in circulation",
            ],
            Verdict::UnknownOrForged => [
                "Код белгісіз немесе жалған: мүмкін контрафакт",
                "Код неизвестен или подделан: возможно, контрафакт",
                "Unknown or forged code: possibly a counterfeit",
            ],
        };
        match language {
            Language::Kk => kk,
            Language::Ru => ru,
            Language::En => en,
        }
    }
}

/// A block as the public sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicBlock {
    /// The authority's name.
    pub authority: String,
    /// Why.
    pub reason: String,
    /// Since when, unix milliseconds.
    pub since_ms: u64,
}

/// A recall as the public sees it, in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicRecall {
    /// The recall's case.
    pub case: u64,
    /// Who recalls (its registered name).
    pub by: String,
    /// Since when, unix milliseconds.
    pub since_ms: u64,
    /// The recall's notice: what is wrong, the collection points, the contacts, the warning.
    pub notice: String,
}

/// The product as the public sees it, in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicProduct {
    /// GTIN.
    pub gtin: String,
    /// Trade name.
    pub name: String,
    /// The maker.
    pub producer: String,
    /// The importer's name, for imported goods.
    pub importer: Option<String>,
    /// Country of origin.
    pub country: String,
}

/// The answer to a public check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicCheck {
    /// The code, bracketed, without its tail.
    pub code: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The verdict as a sentence.
    pub verdict_text: String,
    /// The language of the texts.
    pub language: &'static str,
    /// Who blocks it and why.
    pub blocked_by: Vec<PublicBlock>,
    /// The recall it is under, if any.
    pub recall: Option<PublicRecall>,
    /// The product, for a genuine code.
    pub product: Option<PublicProduct>,
    /// Production date.
    pub production_date: Option<Date>,
    /// Expiry date.
    pub expiry_date: Option<Date>,
    /// Seen so as to prove copies: checked with its genuine tail from many networks at once,
    /// or sold twice. Reports and checks without a tail never set it.
    pub flagged_as_likely_copy: bool,
    /// How many pieces of evidence the flag rests on (0 when not flagged).
    pub likely_copy_evidence: u32,
    /// Whether the code came with its crypto tail and the tail is the one issued. Without it,
    /// only the code's identity is known: a copy of a genuine code's text looks the same.
    pub tail_checked: bool,
}

/// Why a code is a likely copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagReason {
    /// Checked, with its genuine tail, from [`FLAG_NETWORKS_MIN`] networks within [`SIGHTING_WINDOW_MS`].
    SeenInManyPlaces,
    /// A till tried to sell it after it was sold.
    SoldTwice,
}

/// A flagged code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    /// Since when.
    pub since_ms: u64,
    /// Why, each reason once.
    pub reasons: Vec<FlagReason>,
    /// Pieces of evidence: each window of sightings that flagged it, each second sale.
    pub evidence: u32,
}

/// What kind of violation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViolationKind {
    /// A counterfeit.
    Counterfeit,
    /// Sold after its expiry date.
    SoldAfterExpiry,
    /// Sold without a code.
    NoCode,
    /// A price above the one allowed.
    Price,
    /// Anything else.
    Other,
}

/// A report from the public.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViolationReport {
    /// When, unix milliseconds.
    pub time_ms: u64,
    /// From where.
    pub client_ip: IpAddr,
    /// About which code (none for "sold without a code").
    pub code: Option<CodeKey>,
    /// What kind.
    pub kind: ViolationKind,
    /// The reporter's words.
    pub comment: String,
    /// Where, if given: latitude and longitude in degrees.
    pub location: Option<(f64, f64)>,
}

/// The image formats a report's photo may be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhotoFormat {
    /// JPEG (`FF D8 FF`).
    Jpeg,
    /// PNG (its eight-byte signature).
    Png,
    /// WebP (`RIFF` .... `WEBP`).
    Webp,
}

impl PhotoFormat {
    /// The format the first bytes of `bytes` say, if one of ours. The bytes are all the server
    /// trusts: the name and the type a browser sends are the sender's words.
    pub fn of(bytes: &[u8]) -> Option<PhotoFormat> {
        const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(PhotoFormat::Jpeg)
        } else if bytes.starts_with(PNG_SIGNATURE) {
            Some(PhotoFormat::Png)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(PhotoFormat::Webp)
        } else {
            None
        }
    }

    /// Its `Content-Type`.
    pub fn content_type(self) -> &'static str {
        match self {
            PhotoFormat::Jpeg => "image/jpeg",
            PhotoFormat::Png => "image/png",
            PhotoFormat::Webp => "image/webp",
        }
    }
}

/// Why a report's photo is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    /// Larger than [`REPORT_PHOTO_BYTES_MAX`].
    #[error("a report's photo is larger than {REPORT_PHOTO_BYTES_MAX} bytes")]
    TooLarge,
    /// Not a JPEG, PNG or WebP image by its first bytes.
    #[error("a report's photo is not a JPEG, PNG or WebP image")]
    NotAnImage,
}

impl From<PhotoError> for ApiError {
    /// The server's codes for a body too large and a body of the wrong type.
    fn from(error: PhotoError) -> ApiError {
        match error {
            PhotoError::TooLarge => ApiError::too_many("photo bytes", REPORT_PHOTO_BYTES_MAX),
            PhotoError::NotAnImage => {
                ApiError::unsupported_media("image/jpeg, image/png, image/webp")
            }
        }
    }
}

/// A report's photo: an image of ours, within [`REPORT_PHOTO_BYTES_MAX`], checked when made and
/// again when read back from the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Photo {
    format: PhotoFormat,
    bytes: Vec<u8>,
}

impl Photo {
    /// The photo these bytes are, or why they are none.
    pub fn read(bytes: Vec<u8>) -> Result<Photo, PhotoError> {
        if bytes.len() > REPORT_PHOTO_BYTES_MAX {
            return Err(PhotoError::TooLarge);
        }
        let format = PhotoFormat::of(&bytes).ok_or(PhotoError::NotAnImage)?;
        Ok(Photo { format, bytes })
    }

    /// Its format.
    pub fn format(&self) -> PhotoFormat {
        self.format
    }

    /// Its bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// Photo bytes stored in the current window.
struct PhotoBudget {
    window_start_ms: u64,
    bytes: u64,
}

impl PhotoBudget {
    /// Takes `bytes` from the window of `now_ms`; false (nothing taken) past the budget.
    fn take(&mut self, bytes: u64, now_ms: u64) -> bool {
        if now_ms >= self.window_start_ms.saturating_add(PHOTO_BUDGET_WINDOW_MS) {
            self.window_start_ms = now_ms;
            self.bytes = 0;
        }
        if self.bytes + bytes > REPORT_PHOTO_BYTES_PER_HOUR_MAX {
            return false;
        }
        self.bytes += bytes;
        true
    }
}

/// Reports, flags and sightings.
pub struct PublicDesk {
    store: Arc<dyn Store>,
    sightings: DashMap<CodeKey, Sightings>,
    report_writer: Mutex<()>,
    photo_budget: Mutex<PhotoBudget>,
}

struct Sightings {
    window_start_ms: u64,
    networks: Vec<u64>,
}

/// The network a client is in: IPv4 /24, IPv6 /48.
fn network(ip: IpAddr) -> u64 {
    match ip.to_canonical() {
        IpAddr::V4(v4) => u64::from(u32::from(v4) >> 8),
        IpAddr::V6(v6) => (1 << 63) | (u128::from(v6) >> 80) as u64,
    }
}

fn id_key(tag: u8, id: u64) -> Vec<u8> {
    let mut key = vec![tag];
    key.extend_from_slice(&id.to_be_bytes());
    key
}

fn code_key(tag: u8, code: &CodeKey) -> Vec<u8> {
    let mut key = vec![tag];
    code.write_bytes(&mut key);
    key
}

impl PublicDesk {
    /// Over the server's store.
    pub fn new(store: Arc<dyn Store>) -> PublicDesk {
        PublicDesk {
            store,
            sightings: DashMap::new(),
            report_writer: Mutex::new(()),
            photo_budget: Mutex::new(PhotoBudget {
                window_start_ms: 0,
                bytes: 0,
            }),
        }
    }

    /// Drops sighting windows that have closed.
    pub fn sweep(&self, now_ms: u64) {
        self.sightings
            .retain(|_, sightings| now_ms < sightings.window_start_ms + SIGHTING_WINDOW_MS);
    }

    /// The flag on a code, if any.
    pub fn flag(&self, code: &CodeKey) -> Result<Option<Flag>, ApiError> {
        let Some(bytes) = self
            .store
            .get(Column::Public, &code_key(FLAG, code))
            .map_err(store_fault)?
        else {
            return Ok(None);
        };
        postcard::from_bytes(&bytes).map(Some).map_err(|_| {
            tracing::error!(%code, "a stored flag does not decode");
            ApiError::internal()
        })
    }

    /// Flags a code (idempotent per reason).
    pub fn raise_flag(
        &self,
        code: &CodeKey,
        reason: FlagReason,
        now_ms: u64,
    ) -> Result<(), ApiError> {
        let _writer = self.report_writer.lock().expect("report writer");
        let mut flag = self.flag(code)?.unwrap_or(Flag {
            since_ms: now_ms,
            reasons: Vec::new(),
            evidence: 0,
        });
        if !flag.reasons.contains(&reason) {
            flag.reasons.push(reason);
        }
        flag.evidence = flag.evidence.saturating_add(1);
        tracing::info!(%code, ?reason, evidence = flag.evidence, "code flagged as a likely copy");
        metrics::counter!("tanba_flags_raised_total").increment(1);
        let mut batch = WriteBatch::new();
        batch
            .put(
                Column::Public,
                code_key(FLAG, code),
                postcard::to_stdvec(&flag).expect("flags serialize"),
            )
            .map_err(store_fault)?;
        blocking(|| self.store.write(batch, Durability::Synced)).map_err(store_fault)
    }

    /// Clears a code's flag (an authority found the evidence explained); whether there was
    /// one. The call's audit record keeps who, when and why.
    pub fn clear_flag(&self, code: &CodeKey) -> Result<bool, ApiError> {
        let _writer = self.report_writer.lock().expect("report writer");
        if self.flag(code)?.is_none() {
            return Ok(false);
        }
        let mut batch = WriteBatch::new();
        batch
            .delete(Column::Public, code_key(FLAG, code))
            .map_err(store_fault)?;
        blocking(|| self.store.write(batch, Durability::Synced)).map_err(store_fault)?;
        // A window of sightings under way starts again from nothing.
        self.sightings.remove(code);
        metrics::counter!("tanba_flags_cleared_total").increment(1);
        Ok(true)
    }

    /// Notes that a client checked a known code; returns whether this sighting flags it.
    pub fn sighted(&self, code: &CodeKey, client_ip: IpAddr, now_ms: u64) -> bool {
        let network = network(client_ip);
        if !self.sightings.contains_key(code) && self.sightings.len() >= SIGHTED_CODES_MAX {
            metrics::counter!("tanba_sightings_untracked_total").increment(1);
            return false;
        }
        let mut entry = self.sightings.entry(*code).or_insert_with(|| Sightings {
            window_start_ms: now_ms,
            networks: Vec::new(),
        });
        if now_ms >= entry.window_start_ms + SIGHTING_WINDOW_MS {
            entry.window_start_ms = now_ms;
            entry.networks.clear();
        }
        if entry.networks.len() >= FLAG_NETWORKS_MIN || entry.networks.contains(&network) {
            return false;
        }
        entry.networks.push(network);
        entry.networks.len() == FLAG_NETWORKS_MIN
    }

    /// Stores a report for the authorities' lists, with its photo if it came with one, in one
    /// write; returns its id. A report is a claim, not evidence: it never flags a code on every
    /// phone. A photo past everyone's hourly budget is refused as over the rate.
    pub fn report(&self, report: &ViolationReport, photo: Option<&Photo>) -> Result<u64, ApiError> {
        let _writer = self.report_writer.lock().expect("report writer");
        if let Some(photo) = photo {
            assert!(photo.bytes.len() <= REPORT_PHOTO_BYTES_MAX);
            let mut budget = self.photo_budget.lock().expect("photo budget");
            if !budget.take(photo.bytes.len() as u64, report.time_ms) {
                metrics::counter!("tanba_report_photos_over_budget_total").increment(1);
                return Err(ApiError::rate_limited());
            }
        }
        let last = match self
            .store
            .get(Column::Public, LAST_REPORT)
            .map_err(store_fault)?
        {
            Some(bytes) => u64::from_be_bytes(bytes.try_into().map_err(|_| ApiError::internal())?),
            None => 0,
        };
        let id = last + 1;
        let mut batch = WriteBatch::new();
        let mut key = vec![REPORT];
        key.extend_from_slice(&id.to_be_bytes());
        batch
            .put(
                Column::Public,
                key,
                postcard::to_stdvec(report).expect("reports serialize"),
            )
            .map_err(store_fault)?;
        batch
            .put(
                Column::Public,
                LAST_REPORT.to_vec(),
                id.to_be_bytes().to_vec(),
            )
            .map_err(store_fault)?;
        if let Some(code) = &report.code {
            let mut index = code_key(REPORTS_BY_CODE, code);
            index.extend_from_slice(&id.to_be_bytes());
            batch
                .put(Column::Public, index, Vec::new())
                .map_err(store_fault)?;
        }
        if let Some(photo) = photo {
            batch
                .put(
                    Column::Public,
                    id_key(PHOTO, id),
                    postcard::to_stdvec(photo).expect("photos serialize"),
                )
                .map_err(store_fault)?;
            batch
                .put(Column::Public, id_key(PHOTO_MARK, id), Vec::new())
                .map_err(store_fault)?;
            metrics::counter!("tanba_report_photo_bytes_total").increment(photo.bytes.len() as u64);
        }
        blocking(|| self.store.write(batch, Durability::Synced)).map_err(store_fault)?;
        metrics::counter!("tanba_violation_reports_total").increment(1);
        Ok(id)
    }

    /// Whether report `id` came with a photo.
    pub fn has_photo(&self, id: u64) -> Result<bool, ApiError> {
        let mark = self.store.get(Column::Public, &id_key(PHOTO_MARK, id));
        Ok(mark.map_err(store_fault)?.is_some())
    }

    /// The photo report `id` came with, if it came with one.
    pub fn photo(&self, id: u64) -> Result<Option<Photo>, ApiError> {
        let Some(bytes) = self
            .store
            .get(Column::Public, &id_key(PHOTO, id))
            .map_err(store_fault)?
        else {
            return Ok(None);
        };
        // Checked again as it is read: what the store gives back is an image of ours.
        let stored: Photo = postcard::from_bytes(&bytes).map_err(|_| ApiError::internal())?;
        let photo = Photo::read(stored.bytes).map_err(|_| ApiError::internal())?;
        if photo.format != stored.format {
            tracing::error!(report = id, "a stored photo's format is not its bytes'");
            return Err(ApiError::internal());
        }
        Ok(Some(photo))
    }

    /// Reports after `after`, oldest first, at most `limit`; only those about `code` if given.
    pub fn reports(
        &self,
        code: Option<&CodeKey>,
        after: u64,
        limit: usize,
    ) -> Result<Vec<(u64, ViolationReport)>, ApiError> {
        let limit = limit.clamp(1, REPORT_PAGE_MAX);
        let snapshot = self.store.snapshot();
        let read = |id: u64| -> Result<ViolationReport, ApiError> {
            let mut key = vec![REPORT];
            key.extend_from_slice(&id.to_be_bytes());
            let bytes = snapshot
                .get(Column::Public, &key)
                .map_err(store_fault)?
                .ok_or_else(ApiError::internal)?;
            postcard::from_bytes(&bytes).map_err(|_| ApiError::internal())
        };
        let (prefix, mut start) = match code {
            Some(code) => (
                code_key(REPORTS_BY_CODE, code),
                code_key(REPORTS_BY_CODE, code),
            ),
            None => (vec![REPORT], vec![REPORT]),
        };
        start.extend_from_slice(&after.saturating_add(1).to_be_bytes());
        let entries = snapshot
            .scan_from(Column::Public, &prefix, &start, limit)
            .map_err(store_fault)?;
        entries
            .iter()
            .map(|(key, _)| {
                let id = u64::from_be_bytes(key[key.len() - 8..].try_into().expect("8 bytes"));
                Ok((id, read(id)?))
            })
            .collect()
    }
}

/// Runs a synced write from an async handler: on the runtime's worker threads it tells tokio to
/// move other tasks elsewhere meanwhile (flags, reports and receipts are rare next to checks).
fn blocking<T>(write: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) if runtime.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(write)
        }
        _ => write(),
    }
}

fn store_fault(error: tanba_store::StoreError) -> ApiError {
    tracing::error!(%error, "public store");
    ApiError::internal()
}

/// What a scanned code turned out to be.
#[derive(Debug)]
pub enum Lookup {
    /// No such code.
    Unknown,
    /// Known, but the tail scanned is not the tail issued.
    TailMismatch,
    /// Known, with the tail issued (or none scanned): its card.
    Genuine(Box<CodeCard>),
}

impl Lookup {
    /// The card of a genuine code; `None` for an unknown or forged one alike (a forger learns
    /// nothing from the difference).
    pub fn genuine(self) -> Option<CodeCard> {
        match self {
            Lookup::Genuine(card) => Some(*card),
            Lookup::Unknown | Lookup::TailMismatch => None,
        }
    }
}

/// What a scanned code is, read on one snapshot: the card, then (when a tail was scanned) the
/// tail issued with it, found from the card without reading the code's record twice.
pub fn lookup(snapshot: &dyn Snapshot, scanned: &ScannedCode) -> Result<Lookup, ApiError> {
    let Some(card) = query::code_card(snapshot, &scanned.key)? else {
        return Ok(Lookup::Unknown);
    };
    if !matches!(scanned.tail, ScannedTail::None) {
        let issued = match card.issued {
            Some((order, index)) => query::order_code_tail(snapshot, order, index)?,
            None => None,
        };
        if !scanned.tail.matches(issued.as_ref()) {
            return Ok(Lookup::TailMismatch);
        }
    }
    Ok(Lookup::Genuine(Box::new(card)))
}

/// The verdict on a genuine code's card, `today` in Kazakhstan.
pub fn verdict(card: &CodeCard, today: Date) -> Verdict {
    if card.is_blocked() {
        return Verdict::Blocked;
    }
    match card.status {
        CodeStatus::Withdrawn(WithdrawalReason::RetailSale) => Verdict::Sold,
        CodeStatus::Introduced if card.expiry_date.is_some_and(|expiry| expiry < today) => {
            Verdict::Expired
        }
        CodeStatus::Introduced => Verdict::Genuine,
        _ => Verdict::NotInCirculation,
    }
}

/// The whole public answer for a scanned code.
pub fn check(
    snapshot: &dyn Snapshot,
    cases: &tanba_engine::Cases,
    desk: &PublicDesk,
    scanned: &ScannedCode,
    language: Language,
    today: Date,
) -> Result<PublicCheck, ApiError> {
    let card = lookup(snapshot, scanned)?.genuine();
    let verdict = card
        .as_ref()
        .map_or(Verdict::UnknownOrForged, |card| verdict(card, today));
    let mut answer = PublicCheck {
        code: scanned.key.to_string(),
        verdict,
        verdict_text: verdict.text(language).to_owned(),
        language: language.code(),
        blocked_by: Vec::new(),
        recall: None,
        product: None,
        production_date: None,
        expiry_date: None,
        flagged_as_likely_copy: false,
        likely_copy_evidence: 0,
        tail_checked: card.is_some() && !matches!(scanned.tail, ScannedTail::None),
    };
    let Some(card) = card else {
        return Ok(answer);
    };
    // A transport package is logistics, not goods a phone buys: its verdict is all a phone
    // needs; who blocks it, why and since when stay with the participants who handle it.
    if matches!(scanned.key, CodeKey::Sscc(_)) {
        return Ok(answer);
    }
    let name_of = |id| -> Result<String, ApiError> {
        Ok(query::participant(snapshot, &id)?.map_or_else(|| id.to_string(), |p| p.name))
    };
    for blocker in &card.blockers {
        answer.blocked_by.push(PublicBlock {
            authority: name_of(blocker.authority)?,
            reason: blocker.reason.clone(),
            since_ms: blocker.since_ms,
        });
    }
    if let Some(product) = &card.product {
        let name = match language {
            Language::Kk => &product.names.kk,
            Language::Ru => &product.names.ru,
            Language::En => product.names.en.as_ref().unwrap_or(&product.names.ru),
        };
        answer.product = Some(PublicProduct {
            gtin: product.gtin.to_string(),
            name: name.clone(),
            producer: product.producer_name.clone(),
            importer: product.importer.map(name_of).transpose()?,
            country: product.country.clone(),
        });
    }
    answer.production_date = card.production_date;
    answer.expiry_date = card.expiry_date;
    if let Some(recall) = recall(snapshot, cases, &card, language, name_of)? {
        // Recalled outranks every other verdict: a consumer who bought it must learn it.
        answer.verdict = Verdict::Recalled;
        answer.verdict_text = Verdict::Recalled.text(language).to_owned();
        answer.recall = Some(recall);
    }
    let flag = desk.flag(&scanned.key)?;
    answer.flagged_as_likely_copy = flag.is_some();
    answer.likely_copy_evidence = flag.map_or(0, |flag| flag.evidence);
    Ok(answer)
}

/// The recall a unit is under, as the public sees it.
fn recall(
    snapshot: &dyn Snapshot,
    cases: &tanba_engine::Cases,
    card: &CodeCard,
    language: Language,
    name_of: impl Fn(tanba_types::TaxpayerId) -> Result<String, ApiError>,
) -> Result<Option<PublicRecall>, ApiError> {
    let Some(block) = query::scope_block_of_code(snapshot, &card.code)? else {
        return Ok(None);
    };
    let notice = query::case(snapshot, block.case)?
        .and_then(|record| cases.public_notice(block.case, &record))
        .map(|texts| texts.in_language(language).to_owned())
        .unwrap_or_default();
    Ok(Some(PublicRecall {
        case: block.case,
        by: name_of(block.party)?,
        since_ms: block.since_ms,
        notice,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tanba_store::MemoryStore;

    fn code() -> CodeKey {
        "(01)04600000000015(21)abc".parse().unwrap()
    }

    #[test]
    fn many_networks_at_once_flag_a_code_and_one_network_never_does() {
        let desk = PublicDesk::new(Arc::new(MemoryStore::new()));
        for host in 0..100u8 {
            assert!(!desk.sighted(&code(), IpAddr::from([192, 0, 2, host]), 1_000));
        }
        let flags: Vec<bool> = (0..FLAG_NETWORKS_MIN as u8 + 2)
            .map(|n| desk.sighted(&code(), IpAddr::from([198, 51, n, 1]), 2_000))
            .collect();
        // The /24 seen first already counts once: the fourth new one makes five.
        assert_eq!(flags.iter().filter(|flagged| **flagged).count(), 1);
        assert!(flags[FLAG_NETWORKS_MIN - 2]);
        desk.sweep(2_000 + SIGHTING_WINDOW_MS);
        assert!(desk.sightings.is_empty());
    }

    #[test]
    fn reports_are_numbered_and_listed_per_code_and_never_flag_a_code() {
        let desk = PublicDesk::new(Arc::new(MemoryStore::new()));
        let report = |code, network: u8| ViolationReport {
            time_ms: 5,
            client_ip: IpAddr::from([192, 0, network, 1]),
            code,
            kind: ViolationKind::Counterfeit,
            comment: "смотрите".into(),
            location: Some((43.24, 76.95)),
        };
        assert_eq!(desk.report(&report(None, 1), None).unwrap(), 1);
        // One network reporting again and again flags nothing.
        for expected in 2..=5 {
            assert_eq!(
                desk.report(&report(Some(code()), 1), None).unwrap(),
                expected
            );
        }
        // Nor do many networks: a report is a claim, for the authorities' lists.
        for network in 2..=3 {
            desk.report(&report(Some(code()), network), None).unwrap();
        }
        assert_eq!(desk.flag(&code()).unwrap(), None);
        let all = desk.reports(None, 0, 100).unwrap();
        assert_eq!(all.len(), 7);
        let about = desk.reports(Some(&code()), 4, 100).unwrap();
        assert_eq!(
            about.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
            [5, 6, 7]
        );
        assert_eq!(about[0].1, report(Some(code()), 1));
        assert!(desk.reports(None, u64::MAX, 10).unwrap().is_empty());
    }

    fn png(bytes: usize) -> Vec<u8> {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.resize(bytes, 0);
        png
    }

    #[test]
    fn a_photo_is_an_image_of_ours_by_its_first_bytes_and_within_its_size() {
        assert_eq!(
            PhotoFormat::of(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(PhotoFormat::Jpeg)
        );
        assert_eq!(PhotoFormat::of(&png(8)), Some(PhotoFormat::Png));
        assert_eq!(
            PhotoFormat::of(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(PhotoFormat::Webp)
        );
        assert_eq!(PhotoFormat::of(b"RIFF\0\0\0\0WAVE"), None);
        assert_eq!(PhotoFormat::of(b"GIF89a"), None);
        assert_eq!(PhotoFormat::of(b"<svg"), None);
        assert_eq!(PhotoFormat::of(&[]), None);
        assert_eq!(
            Photo::read(png(REPORT_PHOTO_BYTES_MAX)).unwrap().format(),
            PhotoFormat::Png
        );
        assert_eq!(
            Photo::read(png(REPORT_PHOTO_BYTES_MAX + 1)),
            Err(PhotoError::TooLarge)
        );
        assert_eq!(Photo::read(b"<html>".to_vec()), Err(PhotoError::NotAnImage));
        assert_eq!(
            ApiError::from(PhotoError::TooLarge).code,
            "TANBA-SERVER-TOO-MANY"
        );
        assert_eq!(
            ApiError::from(PhotoError::NotAnImage).code,
            "TANBA-SERVER-UNSUPPORTED-MEDIA"
        );
    }

    #[test]
    fn a_photo_is_stored_with_its_report_and_all_photos_stay_within_an_hourly_budget() {
        let desk = PublicDesk::new(Arc::new(MemoryStore::new()));
        let report = |time_ms| ViolationReport {
            time_ms,
            client_ip: IpAddr::from([192, 0, 2, 1]),
            code: Some(code()),
            kind: ViolationKind::Counterfeit,
            comment: String::new(),
            location: None,
        };
        let photo = Photo::read(png(REPORT_PHOTO_BYTES_MAX)).unwrap();
        let first = desk.report(&report(1), Some(&photo)).unwrap();
        assert_eq!(desk.photo(first).unwrap(), Some(photo.clone()));
        let bare = desk.report(&report(1), None).unwrap();
        assert_eq!(desk.photo(bare).unwrap(), None);
        // The budget is spent (as by a crowd of addresses): a photo waits for the next hour,
        // a report without one still passes.
        desk.photo_budget.lock().unwrap().bytes = REPORT_PHOTO_BYTES_PER_HOUR_MAX - 1;
        let over = desk.report(&report(2), Some(&photo)).unwrap_err();
        assert_eq!(over.code, "TANBA-SERVER-RATE-LIMITED");
        assert_eq!(
            desk.reports(None, 0, 10).unwrap().len(),
            2,
            "nothing stored"
        );
        desk.report(&report(2), None).unwrap();
        let next_hour = desk.report(&report(1 + PHOTO_BUDGET_WINDOW_MS), Some(&photo));
        assert_eq!(desk.photo(next_hour.unwrap()).unwrap(), Some(photo));
    }

    #[test]
    fn a_flag_counts_its_evidence_and_an_authority_clears_it() {
        let desk = PublicDesk::new(Arc::new(MemoryStore::new()));
        assert!(!desk.clear_flag(&code()).unwrap());
        desk.raise_flag(&code(), FlagReason::SoldTwice, 1).unwrap();
        desk.raise_flag(&code(), FlagReason::SoldTwice, 2).unwrap();
        desk.raise_flag(&code(), FlagReason::SeenInManyPlaces, 3)
            .unwrap();
        let flag = desk.flag(&code()).unwrap().unwrap();
        assert_eq!(flag.evidence, 3);
        assert_eq!(flag.since_ms, 1);
        assert_eq!(
            flag.reasons,
            [FlagReason::SoldTwice, FlagReason::SeenInManyPlaces]
        );
        assert!(desk.clear_flag(&code()).unwrap());
        assert_eq!(desk.flag(&code()).unwrap(), None);
    }
}
