//! What the commands read besides their flags, and what they share: codes given as arguments
//! or in a file, flags read as the typed values the operations take, the progress bar of bulk
//! work, a receipt as JSON.
//!
//! Flags the server used to read (a GTIN, a date, a document number) are read here now, since
//! `tanba_client`'s operations take typed values. Text that does not read is refused as the
//! server refuses it, `TANBA-SERVER-INVALID` naming the request's field (or the type's own code,
//! as for an HS code), and prints as a refusal: the same message in the language asked, exit
//! status 1. Such a call never reaches the server, so it leaves no audit record, and a caller
//! the server would have turned away first (not signed in, not allowed) hears of the field.

use std::fmt;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;
use tanba_proto::v1 as pb;
use tanba_types::{ErrorNote, Localized};

/// Longest line read from a codes file.
const LINE_BYTES_MAX: usize = 8 * 1024;

/// Codes given on the command line or in a file.
#[derive(Debug, Args)]
pub struct Codes {
    /// Codes in any form (quote them: raw codes hold GS characters).
    codes: Vec<String>,
    /// A file with one code per line (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
}

impl Codes {
    /// The codes of the arguments, then the file's.
    pub fn read(&self) -> anyhow::Result<Vec<String>> {
        let mut codes = self.codes.clone();
        if let Some(path) = &self.file {
            codes.extend(read_lines(path)?);
        }
        if codes.is_empty() {
            bail!("no codes: give them as arguments or with --file");
        }
        Ok(codes)
    }
}

/// The lines of a file (`-`: stdin) that hold more than blanks, each at most
/// [`LINE_BYTES_MAX`] bytes.
pub fn read_lines(path: &Path) -> anyhow::Result<Vec<String>> {
    let reader: Box<dyn BufRead> = if path == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?,
        ))
    };
    let mut lines = Vec::new();
    for line in reader.lines() {
        let line = line?;
        if line.len() > LINE_BYTES_MAX {
            bail!(
                "a line of {} is longer than {LINE_BYTES_MAX} bytes",
                path.display()
            );
        }
        let line = line.trim_end_matches('\r');
        if !line.trim().is_empty() {
            lines.push(line.to_owned());
        }
    }
    Ok(lines)
}

/// A flag refused before any call, as the server refuses the same text.
#[derive(Debug)]
pub struct Refused(pub ErrorNote);

impl Refused {
    /// `TANBA-SERVER-INVALID` naming the request's `field`.
    pub fn invalid(field: &str) -> Refused {
        Refused(ErrorNote {
            code: "TANBA-SERVER-INVALID".to_owned(),
            ai: None,
            position: None,
            detail: Some(field.to_owned()),
        })
    }

    /// The refusal an error of a type's own reading gives (`TANBA-KZ-HS-CODE-FORMAT`).
    pub fn of(error: &dyn Localized) -> Refused {
        Refused(ErrorNote::of(error))
    }
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.code)
    }
}

impl std::error::Error for Refused {}

/// A flag's text as the request's `field` holds it, read as a `T`.
pub fn field<T: FromStr>(field: &str, text: &str) -> Result<T, Refused> {
    text.parse().map_err(|_| Refused::invalid(field))
}

/// [`field`] of a flag whose default is empty: `None` when empty.
pub fn optional_field<T: FromStr>(name: &str, text: &str) -> Result<Option<T>, Refused> {
    if text.is_empty() {
        return Ok(None);
    }
    field(name, text).map(Some)
}

/// A flag whose default is empty: `None` when empty.
pub fn optional_text(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

/// A progress bar of `length` steps of `what`, drawn only on a terminal.
pub fn progress(length: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(length);
    bar.set_style(
        ProgressStyle::with_template("{msg:12} [{bar:40}] {pos}/{len} {per_sec} eta {eta}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.set_message(what.to_owned());
    bar
}

/// A write's receipt as it prints.
pub fn receipt(receipt: pb::Receipt) -> anyhow::Result<Value> {
    Ok(serde_json::to_value(receipt)?)
}
