//! Tanba's wire contract: the messages and the tonic clients and servers generated from
//! `proto/tanba/v1/*.proto` (the only stable wire contract), and the encoded descriptor set for
//! gRPC server reflection.
//!
//! Architecture invariant: generated code and conversions only; it may use `tanba-types` and
//! `tanba-log` (the record contract a feed carries), and nothing else of Tanba. Everything a caller can send is described, with its limit, in the
//! `.proto` files; a test holds every service, method, message, field and enum value to a
//! comment.

pub mod feed;
pub mod forms;
pub mod json;

/// `tanba.v1`: every service and message.
#[allow(missing_docs, unused_qualifications, clippy::large_enum_variant)]
pub mod v1 {
    include!(concat!(env!("OUT_DIR"), "/tanba.v1.rs"));
}

/// The encoded `FileDescriptorSet` of `tanba.v1`, with comments, for gRPC server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/tanba_descriptor.bin"));
