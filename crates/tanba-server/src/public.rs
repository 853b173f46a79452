//! The public check (R-IS-07) and what the public tells us back: a phone scans a code and learns
//! whether it is genuine and what it is; a person reports a violation. A code is flagged as a
//! likely copy (R-IS-02, R-IS-08) only on evidence that it was seen: checked with its genuine
//! tail from many networks at once, or sold twice; a flag counts its evidence, and an authority
//! may clear it with a reason. The same answer serves HTTP/JSON, the HTML page and gRPC: the
//! calls themselves are [`crate::service::public`]'s.
//!
//! Reports and flags are facts of the log ([`tanba_engine::public`]), so every node lists and
//! answers them alike. What stays with this node: the sightings it counts (minutes of memory,
//! per node) and the photos' bytes, kept as blobs (an image of possibly anyone does not belong
//! in a log kept forever; the log names each by its hash). A photo is at most
//! [`REPORT_PHOTO_BYTES_MAX`], a JPEG, PNG or WebP image by its first bytes, and all reports
//! together store at most [`REPORT_PHOTO_BYTES_PER_HOUR_MAX`] of photos an hour: per-client
//! rates bound one visitor, this bounds the disk a crowd of addresses could fill.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use dashmap::DashMap;
use serde::{Deserialize, Serialize};
use tanba_engine::blobs::{self, BlobUpload};
use tanba_engine::query::{self, CodeCard};
use tanba_store::{Snapshot, Store};
pub use tanba_types::limits::{REPORT_COMMENT_CHARS_MAX, REPORT_PHOTO_BYTES_MAX};
use tanba_types::{
    CodeKey, CodeStatus, Date, Language, PhotoRef, ScannedCode, ScannedTail, WithdrawalReason,
};
pub use tanba_types::{FlagReason, PhotoFormat, ViolationKind};

use crate::error::ApiError;

/// Distinct networks (IPv4 /24, IPv6 /48) checking one code within [`SIGHTING_WINDOW_MS`] that
/// flag it: one bottle is scanned in one shop, not in five cities in ten minutes.
pub const FLAG_NETWORKS_MIN: usize = 5;
/// The window sightings are counted in.
pub const SIGHTING_WINDOW_MS: u64 = 10 * 60 * 1000;
/// Codes whose sightings are tracked at once; past it, new codes go untracked until the sweep.
pub const SIGHTED_CODES_MAX: usize = 1_000_000;
/// Most reports one listing returns.
pub const REPORT_PAGE_MAX: usize = 1_000;
/// Photo bytes all reports together may store within [`PHOTO_BUDGET_WINDOW_MS`]; past it a
/// report with a photo is refused as over the rate until the window turns.
pub const REPORT_PHOTO_BYTES_PER_HOUR_MAX: u64 = 256 * 1024 * 1024;
/// The window [`REPORT_PHOTO_BYTES_PER_HOUR_MAX`] is counted in.
pub const PHOTO_BUDGET_WINDOW_MS: u64 = 60 * 60 * 1000;
// One photo always fits an hour's budget.
const _: () = assert!(REPORT_PHOTO_BYTES_MAX as u64 <= REPORT_PHOTO_BYTES_PER_HOUR_MAX);

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
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// Sightings, and the photos reports come with, as this node's blobs (the cluster's shelf is
/// `crate::shelf`'s).
pub struct PublicDesk {
    store: Arc<dyn Store>,
    sightings: DashMap<CodeKey, Sightings>,
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

impl PublicDesk {
    /// Over the node's store (for the photos' blobs).
    pub fn new(store: Arc<dyn Store>) -> PublicDesk {
        PublicDesk {
            store,
            sightings: DashMap::new(),
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

    /// Forgets the sightings of a code whose flag was cleared: a window under way starts again
    /// from nothing.
    pub fn forget_sightings(&self, code: &CodeKey) {
        self.sightings.remove(code);
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

    /// Stores a report's photo as a blob of this node, within everyone's hourly budget (past
    /// it, refused as over the rate); what the report's entry names it by. `upload` is an id
    /// drawn at random.
    pub async fn store_photo(
        &self,
        photo: Photo,
        upload: u64,
        now_ms: u64,
    ) -> Result<PhotoRef, ApiError> {
        assert!(photo.bytes.len() <= REPORT_PHOTO_BYTES_MAX);
        let size_bytes = photo.bytes.len() as u64;
        if !self
            .photo_budget
            .lock()
            .expect("photo budget")
            .take(size_bytes, now_ms)
        {
            metrics::counter!("tanba_report_photos_over_budget_total").increment(1);
            return Err(ApiError::rate_limited());
        }
        let format = photo.format;
        let store = self.store.clone();
        let stored = tokio::task::spawn_blocking(move || {
            let mut blob = BlobUpload::new(store, upload);
            blob.write(&photo.bytes)?;
            blob.finish()
        })
        .await;
        let (hash, size) = stored.map_err(|_| ApiError::internal())?.map_err(|error| {
            tracing::error!(%error, "a report's photo could not be stored");
            ApiError::from(error)
        })?;
        metrics::counter!("tanba_report_photo_bytes_total").increment(size_bytes);
        Ok(PhotoRef {
            hash,
            size_bytes: u32::try_from(size).expect("a photo is at most 2 MiB"),
            format,
        })
    }

    /// The photo a report names, if this node holds it (`crate::shelf::hold_from_task` takes
    /// it from the cluster's shelf first).
    pub async fn photo(&self, named: &PhotoRef) -> Result<Option<Photo>, ApiError> {
        let (store, hash) = (self.store.clone(), named.hash);
        let read = tokio::task::spawn_blocking(move || {
            blobs::blob_bytes(store.snapshot().as_ref(), &hash)
        })
        .await;
        let bytes = read.map_err(|_| ApiError::internal())?.map_err(|error| {
            tracing::error!(%error, "a report's photo could not be read");
            ApiError::from(error)
        })?;
        let Some(bytes) = bytes else {
            return Ok(None);
        };
        // Checked again as it is read: what the store gives back is the image the log names.
        let photo = Photo::read(bytes).map_err(|_| ApiError::internal())?;
        if photo.format != named.format || *blake3::hash(&photo.bytes).as_bytes() != named.hash {
            tracing::error!("a stored photo is not the one its report names");
            return Err(ApiError::internal());
        }
        Ok(Some(photo))
    }
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
    let flag = tanba_engine::public::flag_of(snapshot, &scanned.key)?;
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

    fn png(bytes: usize) -> Vec<u8> {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.resize(bytes, 0);
        png
    }

    #[test]
    fn a_photo_is_an_image_of_ours_by_its_first_bytes_and_within_its_size() {
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn a_photo_is_kept_by_its_hash_and_all_photos_stay_within_an_hourly_budget() {
        let desk = PublicDesk::new(Arc::new(MemoryStore::new()));
        let photo = Photo::read(png(REPORT_PHOTO_BYTES_MAX)).unwrap();
        let named = desk.store_photo(photo.clone(), 1, 1).await.unwrap();
        assert_eq!(named.hash, *blake3::hash(photo.bytes()).as_bytes());
        assert_eq!(named.size_bytes as usize, REPORT_PHOTO_BYTES_MAX);
        assert_eq!(desk.photo(&named).await.unwrap(), Some(photo.clone()));
        // Another node's desk does not hold it (`crate::shelf` brings it there).
        let other = PublicDesk::new(Arc::new(MemoryStore::new()));
        assert_eq!(other.photo(&named).await.unwrap(), None);
        // A name that does not match the bytes is a fault, not a photo.
        let misnamed = PhotoRef {
            format: PhotoFormat::Jpeg,
            ..named
        };
        assert!(desk.photo(&misnamed).await.is_err());
        // The budget is spent (as by a crowd of addresses): a photo waits for the next hour.
        desk.photo_budget.lock().unwrap().bytes = REPORT_PHOTO_BYTES_PER_HOUR_MAX - 1;
        let over = desk.store_photo(photo.clone(), 2, 2).await.unwrap_err();
        assert_eq!(over.code, "TANBA-SERVER-RATE-LIMITED");
        let next_hour = desk.store_photo(photo, 3, 1 + PHOTO_BUDGET_WINDOW_MS).await;
        assert_eq!(next_hour.unwrap(), named, "the same bytes, the same blob");
    }
}
