//! Serde for identifiers that have one canonical text form. In human-readable formats (JSON)
//! they are that text; in binary formats (the engine's postcard records) they are their compact
//! bytes ([`CompactBytes`]), since formatting and re-parsing text was a measurable share of the
//! writer's time. Either way they deserialize through a checking parser, so a stored or received
//! identifier is always valid.

/// The compact binary form of an identifier.
pub trait CompactBytes: Sized {
    /// Appends the compact bytes.
    fn write_compact(&self, out: &mut Vec<u8>);
    /// Reads the compact bytes back, checking them.
    fn read_compact(bytes: &[u8]) -> Option<Self>;
}

/// Implements `Serialize` and `Deserialize`: text when human-readable, compact bytes otherwise.
macro_rules! serde_as_text {
    ($type:ty) => {
        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                if serializer.is_human_readable() {
                    serializer.collect_str(self)
                } else {
                    let mut bytes = Vec::with_capacity(40);
                    $crate::serde_text::CompactBytes::write_compact(self, &mut bytes);
                    serializer.serialize_bytes(&bytes)
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl<'de> serde::de::Visitor<'de> for Visitor {
                    type Value = $type;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(stringify!($type))
                    }
                    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<$type, E> {
                        text.parse().map_err(E::custom)
                    }
                    fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<$type, E> {
                        <$type as $crate::serde_text::CompactBytes>::read_compact(bytes)
                            .ok_or_else(|| E::custom(concat!("malformed ", stringify!($type))))
                    }
                }
                if deserializer.is_human_readable() {
                    deserializer.deserialize_str(Visitor)
                } else {
                    deserializer.deserialize_bytes(Visitor)
                }
            }
        }
    };
}

pub(crate) use serde_as_text;
