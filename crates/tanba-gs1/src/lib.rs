//! GS1 syntax for Tanba: everything a scanner, a printer or a person can hand us.
//!
//! - [`ai`]: the Application Identifier table (ours, checked against GS1's Syntax Dictionary);
//! - [`lint`]: GS1's content checks ("linters") for components of AI data;
//! - [`element`]: element strings in bracketed and unbracketed (FNC1/GS) form, with validation;
//! - [`scan`]: scanner output with symbology identifiers (`]d2`, `]Q3`, `]C1`, ...);
//! - [`digital_link`]: GS1 Digital Link URIs, parse and generate;
//! - [`check_digit`]: the GS1 mod-10 check digit;
//! - [`code`]: marking codes, detected from whatever form they arrive in.
//!
//! Architecture invariant: this crate is pure. It does no IO, reads no clock, holds no state, and
//! knows nothing of Tanba's domain (participants, statuses) or of cryptography: AI 91/92/93 are
//! just data fields here. Every input is bounded ([`INPUT_LENGTH_MAX`], [`ELEMENTS_MAX`]) and no
//! input, however malformed, makes it panic (a fuzz target checks this).

pub mod ai;
mod ai_table;
pub mod check_digit;
pub mod code;
pub mod digital_link;
pub mod element;
pub mod error;
pub mod lint;
pub mod scan;

pub use code::{InputForm, MarkingCode, OutputForm, Tail};
pub use element::{Element, ElementString, GS, ParseOptions};
pub use error::{Gs1Error, Gs1ErrorKind};

/// Longest input we read, in bytes: well above any GS1 symbol's capacity (a Data Matrix holds at
/// most 2,335 alphanumeric characters) and any practical Digital Link URI.
pub const INPUT_LENGTH_MAX: usize = 4096;

/// Most element strings in one input (GS1's own engine stops at 64 as well).
pub const ELEMENTS_MAX: usize = 64;
