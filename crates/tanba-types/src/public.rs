//! What the public tells Tanba, as the log records it: a violation report (R-IS-07's feedback), a
//! code flagged as a likely copy on evidence the server saw (R-IS-02, R-IS-08), and a consumer's
//! contact for direct recall notices (R-REC-07), sealed so that only the consumer reads it.
//!
//! The rules on a report's fields live here, once: the public door checks them before it stores
//! a photo, and the engine checks them again when it decides.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use crate::CodeKey;
use crate::limits::{REPORT_COMMENT_CHARS_MAX, REPORT_PHOTO_BYTES_MAX};

/// What kind of violation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

impl ViolationKind {
    /// Every kind.
    pub const ALL: [ViolationKind; 5] = [
        ViolationKind::Counterfeit,
        ViolationKind::SoldAfterExpiry,
        ViolationKind::NoCode,
        ViolationKind::Price,
        ViolationKind::Other,
    ];

    /// The kind's stable name (the wire's and the API's).
    pub fn name(self) -> &'static str {
        match self {
            ViolationKind::Counterfeit => "counterfeit",
            ViolationKind::SoldAfterExpiry => "sold_after_expiry",
            ViolationKind::NoCode => "no_code",
            ViolationKind::Price => "price",
            ViolationKind::Other => "other",
        }
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<ViolationKind> {
        ViolationKind::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
    }
}

/// A place on the Earth, in millionths of a degree (about 11 cm): integers, so that a report
/// encodes alike on every machine and compares exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Location {
    /// Latitude, -90,000,000 to 90,000,000.
    pub latitude_microdegrees: i32,
    /// Longitude, -180,000,000 to 180,000,000.
    pub longitude_microdegrees: i32,
}

impl Location {
    /// The place `(latitude, longitude)` in degrees, rounded to a millionth; none outside the
    /// Earth's ranges (or not a number).
    pub fn from_degrees(latitude: f64, longitude: f64) -> Option<Location> {
        if !(-90.0..=90.0).contains(&latitude) || !(-180.0..=180.0).contains(&longitude) {
            return None;
        }
        // In range, so the rounded values fit an i32 (at most 180,000,000).
        Some(Location {
            latitude_microdegrees: (latitude * 1e6).round() as i32,
            longitude_microdegrees: (longitude * 1e6).round() as i32,
        })
    }

    /// `(latitude, longitude)` in degrees.
    pub fn degrees(self) -> (f64, f64) {
        (
            f64::from(self.latitude_microdegrees) / 1e6,
            f64::from(self.longitude_microdegrees) / 1e6,
        )
    }

    /// Whether both coordinates are within the Earth's ranges.
    pub fn is_on_earth(self) -> bool {
        (-90_000_000..=90_000_000).contains(&self.latitude_microdegrees)
            && (-180_000_000..=180_000_000).contains(&self.longitude_microdegrees)
    }
}

/// The image formats a report's photo may be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    /// Every format.
    pub const ALL: [PhotoFormat; 3] = [PhotoFormat::Jpeg, PhotoFormat::Png, PhotoFormat::Webp];

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

    /// The format's stable name (the wire's).
    pub fn name(self) -> &'static str {
        match self {
            PhotoFormat::Jpeg => "jpeg",
            PhotoFormat::Png => "png",
            PhotoFormat::Webp => "webp",
        }
    }

    /// The format named `name`.
    pub fn from_name(name: &str) -> Option<PhotoFormat> {
        PhotoFormat::ALL
            .into_iter()
            .find(|format| format.name() == name)
    }
}

/// A report's photo as the log names it: its bytes are a blob of the node that took the report
/// (an image of possibly anyone does not belong in a log kept forever), found by their hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PhotoRef {
    /// BLAKE3 of its bytes.
    pub hash: [u8; 32],
    /// Its size, 1 to [`REPORT_PHOTO_BYTES_MAX`].
    pub size_bytes: u32,
    /// Its format, by its first bytes.
    pub format: PhotoFormat,
}

/// A report from the public about a code (or about goods sold without one). A claim for the
/// authorities' lists, never evidence: no number of reports flags a code. Its id is its log
/// entry's sequence, its time the entry's.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ViolationReport {
    /// About which code (none for "sold without a code").
    pub code: Option<CodeKey>,
    /// What kind.
    pub kind: ViolationKind,
    /// The reporter's words, at most [`REPORT_COMMENT_CHARS_MAX`] characters.
    pub comment: String,
    /// Where, if given.
    pub location: Option<Location>,
    /// The network the report came from ([`reporter_network`]: IPv4 /24, IPv6 /48), by which
    /// the authorities weigh a crowd of reports; the address itself is in the node's audit
    /// trail, not in the log kept forever.
    pub reporter: IpAddr,
    /// The photo it came with, if any.
    pub photo: Option<PhotoRef>,
}

/// The network an address is in, as a report keeps it: IPv4 /24, IPv6 /48 (an IPv4 address in
/// IPv6 form as IPv4), host bits zero.
pub fn reporter_network(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V4(v4) => IpAddr::V4(Ipv4Addr::from(u32::from(v4) & !0xFF)),
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 80) - 1))),
    }
}

/// Why a report is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFault {
    /// A comment longer than [`REPORT_COMMENT_CHARS_MAX`] characters.
    CommentTooLong,
    /// No code, and the kind is not "sold without a code".
    CodeMissing,
    /// A place outside the Earth's ranges.
    LocationOffEarth,
    /// A photo of no bytes or more than [`REPORT_PHOTO_BYTES_MAX`].
    PhotoSize,
    /// A reporter that is an address, not its network ([`reporter_network`]).
    ReporterNotANetwork,
}

impl ReportFault {
    /// The field at fault.
    pub fn field(self) -> &'static str {
        match self {
            ReportFault::CommentTooLong => "comment",
            ReportFault::CodeMissing => "code",
            ReportFault::LocationOffEarth => "location",
            ReportFault::PhotoSize => "photo",
            ReportFault::ReporterNotANetwork => "reporter",
        }
    }
}

impl ReportFault {
    /// What is wrong, in a few words.
    pub fn reason(self) -> &'static str {
        match self {
            ReportFault::CommentTooLong => "the comment is too long",
            ReportFault::CodeMissing => "only goods sold without a code are reported without one",
            ReportFault::LocationOffEarth => "latitude -90..90, longitude -180..180",
            ReportFault::PhotoSize => "a photo has at least one byte and at most its limit",
            ReportFault::ReporterNotANetwork => "a report keeps its network, not an address",
        }
    }
}

impl fmt::Display for ReportFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

impl ViolationReport {
    /// The first rule the report breaks, if any.
    pub fn fault(&self) -> Option<ReportFault> {
        if self.comment.chars().count() > REPORT_COMMENT_CHARS_MAX {
            return Some(ReportFault::CommentTooLong);
        }
        if reporter_network(self.reporter) != self.reporter {
            return Some(ReportFault::ReporterNotANetwork);
        }
        if self.code.is_none() && self.kind != ViolationKind::NoCode {
            return Some(ReportFault::CodeMissing);
        }
        if self
            .location
            .is_some_and(|location| !location.is_on_earth())
        {
            return Some(ReportFault::LocationOffEarth);
        }
        let photo_size = |photo: &PhotoRef| photo.size_bytes as usize;
        if (self.photo.as_ref().map(photo_size))
            .is_some_and(|size| size == 0 || size > REPORT_PHOTO_BYTES_MAX)
        {
            return Some(ReportFault::PhotoSize);
        }
        None
    }
}

/// Why a code is a likely copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagReason {
    /// Checked, with its genuine tail, from many networks within minutes.
    SeenInManyPlaces,
    /// A till tried to sell it after it was sold.
    SoldTwice,
}

impl FlagReason {
    /// Every reason.
    pub const ALL: [FlagReason; 2] = [FlagReason::SeenInManyPlaces, FlagReason::SoldTwice];

    /// The reason's stable name (the wire's).
    pub fn name(self) -> &'static str {
        match self {
            FlagReason::SeenInManyPlaces => "seen_in_many_places",
            FlagReason::SoldTwice => "sold_twice",
        }
    }

    /// The reason named `name`.
    pub fn from_name(name: &str) -> Option<FlagReason> {
        FlagReason::ALL
            .into_iter()
            .find(|reason| reason.name() == name)
    }
}

/// A consumer's contact (R-REC-07), sealed under a key derived from a secret only the consumer
/// holds (`tanba_crypto::contact`): the log keeps it, every node can answer the consumer, and
/// nobody else, the operator included, can read it. Opting out deletes it from the state; the
/// log's copy stays unreadable for want of the secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SealedContact {
    /// What the secret derives to, for checking it (not the key).
    pub verifier: [u8; 32],
    /// The contact, encrypted and authenticated, at most
    /// [`SEALED_CONTACT_BYTES_MAX`](crate::limits::SEALED_CONTACT_BYTES_MAX).
    pub ciphertext: Vec<u8>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> ViolationReport {
        ViolationReport {
            code: None,
            kind: ViolationKind::NoCode,
            comment: "ә".repeat(REPORT_COMMENT_CHARS_MAX),
            location: Location::from_degrees(43.24, 76.95),
            reporter: IpAddr::from([192, 0, 2, 0]),
            photo: Some(PhotoRef {
                hash: [7; 32],
                size_bytes: REPORT_PHOTO_BYTES_MAX as u32,
                format: PhotoFormat::Png,
            }),
        }
    }

    #[test]
    fn a_report_within_every_rule_passes_and_each_rule_names_its_field() {
        assert_eq!(report().fault(), None);
        let mut long = report();
        long.comment.push('a');
        assert_eq!(long.fault(), Some(ReportFault::CommentTooLong));
        let mut codeless = report();
        codeless.kind = ViolationKind::Counterfeit;
        assert_eq!(codeless.fault().map(ReportFault::field), Some("code"));
        let mut off = report();
        off.location = Some(Location {
            latitude_microdegrees: 90_000_001,
            longitude_microdegrees: 0,
        });
        assert_eq!(off.fault(), Some(ReportFault::LocationOffEarth));
        let mut address = report();
        address.reporter = IpAddr::from([192, 0, 2, 1]);
        assert_eq!(address.fault(), Some(ReportFault::ReporterNotANetwork));
        for size in [0, REPORT_PHOTO_BYTES_MAX as u32 + 1] {
            let mut photo = report();
            photo.photo.as_mut().unwrap().size_bytes = size;
            assert_eq!(photo.fault(), Some(ReportFault::PhotoSize));
        }
    }

    #[test]
    fn a_place_is_kept_to_a_millionth_of_a_degree_and_only_on_the_earth() {
        let place = Location::from_degrees(43.24, -76.95).unwrap();
        assert_eq!(place.degrees(), (43.24, -76.95));
        assert_eq!(
            Location::from_degrees(-90.0, 180.0).unwrap().degrees(),
            (-90.0, 180.0)
        );
        assert_eq!(Location::from_degrees(90.5, 0.0), None);
        assert_eq!(Location::from_degrees(0.0, -181.0), None);
        assert_eq!(Location::from_degrees(f64::NAN, 0.0), None);
    }

    #[test]
    fn a_reporter_is_kept_as_its_network() {
        let network = |text: &str| reporter_network(text.parse().unwrap()).to_string();
        assert_eq!(network("203.0.113.77"), "203.0.113.0");
        assert_eq!(network("::ffff:203.0.113.77"), "203.0.113.0");
        assert_eq!(network("2001:db8:aa:bb::1"), "2001:db8:aa::");
    }

    #[test]
    fn names_read_back() {
        for kind in ViolationKind::ALL {
            assert_eq!(ViolationKind::from_name(kind.name()), Some(kind));
        }
        for format in PhotoFormat::ALL {
            assert_eq!(PhotoFormat::from_name(format.name()), Some(format));
        }
        for reason in FlagReason::ALL {
            assert_eq!(FlagReason::from_name(reason.name()), Some(reason));
        }
    }

    #[test]
    fn a_photo_is_an_image_of_ours_by_its_first_bytes() {
        assert_eq!(
            PhotoFormat::of(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(PhotoFormat::Jpeg)
        );
        assert_eq!(
            PhotoFormat::of(b"\x89PNG\r\n\x1a\n"),
            Some(PhotoFormat::Png)
        );
        assert_eq!(
            PhotoFormat::of(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(PhotoFormat::Webp)
        );
        assert_eq!(PhotoFormat::of(b"RIFF\0\0\0\0WAVE"), None);
        assert_eq!(PhotoFormat::of(b"GIF89a"), None);
        assert_eq!(PhotoFormat::of(b"<svg"), None);
        assert_eq!(PhotoFormat::of(&[]), None);
    }
}
