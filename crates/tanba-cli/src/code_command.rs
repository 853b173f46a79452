//! `tanba code ...`: parse, format, sign and verify marking codes.

use std::{
    io::{BufRead, Read, Write},
    path::PathBuf,
    process::ExitCode,
};

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Value, json};
use tanba_crypto::{
    CodeIdentity, CryptoError, KeyRing, PublicKeySet, load_key_ring, sign_code, verify_code,
};
use tanba_gs1::{
    ElementString, MarkingCode, OutputForm, ParseOptions, Tail, check_digit, element::Element,
};
use tanba_types::Language;

use crate::output::{CryptoErrorMessage, ErrorCode, code_json, error_json, say};

/// Longest line read from standard input in bulk mode (a bound on memory per code).
const STDIN_LINE_BYTES_MAX: usize = tanba_gs1::INPUT_LENGTH_MAX;
/// Most codes one `tanba code sign` call prints.
const SIGN_SERIALS_MAX: u64 = 10_000_000;

#[derive(Debug, Subcommand)]
pub enum CodeCommand {
    /// Parse a code in any form and print it as JSON (exit 0 valid, 1 invalid). `-` reads one
    /// code per line from standard input and prints one JSON object per line.
    Parse {
        /// The code, or `-` for standard input.
        input: String,
        #[command(flatten)]
        options: ParseFlags,
    },
    /// Print a code in another form.
    Format {
        /// The code, in any form.
        input: String,
        /// Target form: bracketed, raw, scan, or digital-link[=https://host].
        #[arg(long = "as", value_name = "FORM")]
        form: String,
    },
    /// Issue N codes for a GTIN with fresh serial numbers and signed tails, one per line.
    Sign {
        /// The GTIN (8, 12, 13 or 14 digits).
        gtin: String,
        /// How many codes.
        #[arg(long, default_value_t = 1)]
        serials: u64,
        /// The key ring file.
        #[arg(long, value_name = "FILE", env = "TANBA_KEYS")]
        keys: PathBuf,
        /// Tail profile.
        #[arg(long, value_enum, default_value_t = Profile::Full)]
        profile: Profile,
        /// Length of a short tag (AI 93), 4 to 8 characters.
        #[arg(long, default_value_t = 4)]
        short_tag_length: usize,
        /// Output form: raw (GS separators), bracketed, scan, or digital-link[=https://host].
        #[arg(long = "as", value_name = "FORM", default_value = "bracketed")]
        form: String,
    },
    /// Verify a code's tail. Full tails need only the public keys; short tails need the ring.
    /// `-` reads one code per line from standard input.
    Verify {
        /// The code, or `-` for standard input.
        input: String,
        /// Public key set (JSON, as exported by `tanba keys export-public`).
        #[arg(long, value_name = "FILE")]
        public_keys: Option<PathBuf>,
        /// The key ring (needed for short tails).
        #[arg(long, value_name = "FILE")]
        keys: Option<PathBuf>,
        /// Expected short tag length for this product category.
        #[arg(long, default_value_t = 4)]
        short_tag_length: usize,
    },
}

/// Parsing leniency flags.
#[derive(Debug, Args)]
pub struct ParseFlags {
    /// Accept AIs GS1 has not defined (bracketed and Digital Link input only).
    #[arg(long)]
    permit_unknown_ais: bool,
    /// Accept GTIN-8/12/13 in Digital Link URIs.
    #[arg(long)]
    permit_zero_suppressed_gtin: bool,
}

impl ParseFlags {
    fn options(&self) -> ParseOptions {
        ParseOptions {
            permit_unknown_ais: self.permit_unknown_ais,
            permit_zero_suppressed_gtin_in_dl: self.permit_zero_suppressed_gtin,
            ..ParseOptions::default()
        }
    }
}

/// The two tail profiles.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Profile {
    /// AI 91 key id + AI 92 Ed25519 signature, verifiable offline.
    Full,
    /// AI 93 keyed BLAKE3 tag, verifiable by the server only.
    Short,
}

pub fn run(command: CodeCommand, language: Language) -> anyhow::Result<ExitCode> {
    match command {
        CodeCommand::Parse { input, options } => {
            let options = options.options();
            each_input(&input, |line| parse_report(line, &options, language))
        }
        CodeCommand::Format { input, form } => {
            let form = parse_output_form(&form)?;
            match MarkingCode::parse(&input, &ParseOptions::default()) {
                Ok(code) => match code.format(&form) {
                    Ok(text) => {
                        say!("{text}");
                        Ok(ExitCode::SUCCESS)
                    }
                    Err(error) => report_error(&error_json(&error, language)),
                },
                Err(error) => report_error(&error_json(&error, language)),
            }
        }
        CodeCommand::Sign {
            gtin,
            serials,
            keys,
            profile,
            short_tag_length,
            form,
        } => {
            let ring = load_key_ring(&keys)
                .map_err(|error| crypto_failure(error, language))
                .with_context(|| format!("loading the key ring {}", keys.display()))?;
            let form = parse_output_form(&form)?;
            sign(
                &ring,
                &gtin,
                serials,
                profile,
                short_tag_length,
                &form,
                language,
            )
        }
        CodeCommand::Verify {
            input,
            public_keys,
            keys,
            short_tag_length,
        } => {
            let verifier = Verifiers::load(public_keys, keys, language)?;
            each_input(&input, |line| {
                verify_report(line, &verifier, short_tag_length, language)
            })
        }
    }
}

fn report_error(error: &Value) -> anyhow::Result<ExitCode> {
    say!("{error}");
    Ok(ExitCode::FAILURE)
}

/// A crypto error for the user: the localized message, then the English cause chain (which
/// names the file and the operating system's reason, never a secret).
fn crypto_failure(error: CryptoError, language: Language) -> anyhow::Error {
    let message = tanba_types::localize(&CryptoErrorMessage(&error), language);
    anyhow::Error::new(error).context(message)
}

/// Reads one line into `buffer`, keeping at most [`STDIN_LINE_BYTES_MAX`] + 1 bytes of it (the
/// rest of a longer line is skipped, so memory stays bounded). `false` at end of input.
fn read_line_bounded(reader: &mut impl BufRead, buffer: &mut Vec<u8>) -> std::io::Result<bool> {
    buffer.clear();
    let limit = STDIN_LINE_BYTES_MAX as u64 + 1;
    let read = Read::take(&mut *reader, limit).read_until(b'\n', buffer)?;
    if read == 0 {
        return Ok(false);
    }
    if buffer.last() != Some(&b'\n') && buffer.len() as u64 == limit {
        reader.skip_until(b'\n')?;
    }
    Ok(true)
}

/// Runs `report` on the argument, or on each line of standard input for `-`; exit status 1 if
/// any input was invalid.
fn each_input(
    input: &str,
    mut report: impl FnMut(&str) -> (Value, bool),
) -> anyhow::Result<ExitCode> {
    let mut all_valid = true;
    if input != "-" {
        let (value, valid) = report(input);
        say!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(if valid {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    let mut stdin = std::io::stdin().lock();
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let mut buffer = Vec::with_capacity(STDIN_LINE_BYTES_MAX + 1);
    while read_line_bounded(&mut stdin, &mut buffer)? {
        let line = String::from_utf8_lossy(&buffer);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            continue;
        }
        // An over-long line arrives cut at the limit + 1 byte: the parser refuses it as too long.
        let (value, valid) = report(line);
        all_valid &= valid;
        writeln!(stdout, "{value}")?;
    }
    stdout.flush()?;
    Ok(if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The `tanba code parse` report for one input.
pub fn parse_report(input: &str, options: &ParseOptions, language: Language) -> (Value, bool) {
    match MarkingCode::parse(input, options) {
        Ok(code) => {
            let mut value = code_json(&code);
            value["input"] = json!(input);
            value["valid"] = json!(true);
            value["errors"] = json!([]);
            (value, true)
        }
        Err(error) => (
            json!({"input": input, "valid": false, "errors": [error_json(&error, language)]}),
            false,
        ),
    }
}

pub fn parse_output_form(text: &str) -> anyhow::Result<OutputForm> {
    Ok(match text {
        "bracketed" => OutputForm::Bracketed,
        "raw" => OutputForm::Raw,
        "scan" => OutputForm::ScanData,
        "digital-link" | "dl" => OutputForm::DigitalLink(None),
        other => match other.strip_prefix("digital-link=") {
            Some(stem) => {
                tanba_gs1::digital_link::check_stem(stem)
                    .map_err(|error| anyhow::anyhow!("bad Digital Link stem {stem:?}: {error}"))?;
                OutputForm::DigitalLink(Some(stem.to_owned()))
            }
            None => bail!("unknown form {other:?}: use bracketed, raw, scan or digital-link[=URL]"),
        },
    })
}

fn sign(
    ring: &KeyRing,
    gtin: &str,
    serials: u64,
    profile: Profile,
    short_tag_length: usize,
    form: &OutputForm,
    language: Language,
) -> anyhow::Result<ExitCode> {
    if serials > SIGN_SERIALS_MAX {
        bail!("at most {SIGN_SERIALS_MAX} codes per call");
    }
    let gtin = check_digit::to_gtin14(gtin)
        .with_context(|| format!("{gtin:?} is not a GTIN with a valid check digit"))?;
    let mut rng = rand_core::OsRng;
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let mut issued = std::collections::HashSet::new();
    while (issued.len() as u64) < serials {
        let serial = tanba_crypto::generate_serial(&mut rng);
        // Serials are unguessable, not unique by construction: a repeat is drawn again.
        if !issued.insert(serial.clone()) {
            continue;
        }
        let code = issue(ring, &gtin, &serial, profile, short_tag_length)
            .map_err(|error| crypto_failure(error, language))?;
        writeln!(stdout, "{}", code.format(form)?)?;
    }
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Builds one signed code: GTIN, serial, and the tail of the chosen profile.
pub fn issue(
    ring: &KeyRing,
    gtin: &str,
    serial: &str,
    profile: Profile,
    short_tag_length: usize,
) -> Result<MarkingCode, CryptoError> {
    let element = |ai: &'static str, value: String| Element {
        ai: ai.into(),
        value,
    };
    let mut elements = vec![
        element("01", gtin.to_owned()),
        element("21", serial.to_owned()),
    ];
    match profile {
        Profile::Full => {
            let tail = sign_code(ring.active_signing_key(), gtin, serial)?;
            elements.push(element("91", tail.key_id.to_string()));
            elements.push(element("92", tail.signature_b64));
        }
        Profile::Short => {
            let tag = tanba_crypto::short_tag(
                ring.active_short_tag_key(),
                gtin,
                serial,
                short_tag_length,
            )?;
            elements.push(element("93", tag));
        }
    }
    Ok(MarkingCode::from_elements(ElementString { elements }))
}

/// What `tanba code verify` checks with: public keys for full tails, the ring for short ones.
pub struct Verifiers {
    public_keys: Option<PublicKeySet>,
    ring: Option<KeyRing>,
}

impl Verifiers {
    fn load(
        public_keys: Option<PathBuf>,
        keys: Option<PathBuf>,
        language: Language,
    ) -> anyhow::Result<Verifiers> {
        let ring = keys
            .map(|path| {
                load_key_ring(&path)
                    .map_err(|error| crypto_failure(error, language))
                    .with_context(|| format!("loading the key ring {}", path.display()))
            })
            .transpose()?;
        let public_keys = match public_keys {
            Some(path) => {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?;
                Some(PublicKeySet::from_json(&text).map_err(|e| crypto_failure(e, language))?)
            }
            None => ring.as_ref().map(KeyRing::public_key_set),
        };
        if public_keys.is_none() {
            bail!("give --public-keys FILE (full tails) or --keys FILE (full and short tails)");
        }
        Ok(Verifiers { public_keys, ring })
    }

    /// Checks the code's tail; the error is a stable error code.
    fn verify(&self, code: &MarkingCode, short_tag_length: usize) -> Result<(), &'static str> {
        let (Some(gtin), Some(serial)) = (code.gtin(), code.serial()) else {
            let kind = if code.gtin().is_none() {
                tanba_gs1::Gs1ErrorKind::MissingGtin
            } else {
                tanba_gs1::Gs1ErrorKind::MissingSerial
            };
            return Err(kind.code());
        };
        let result = match code.tail() {
            Tail::Full { key_id, signature } => {
                let keys = self.public_keys.as_ref().expect("checked at load");
                verify_code(keys, gtin, serial, key_id, signature)
            }
            Tail::Short { tag } => match &self.ring {
                Some(ring) => verify_short(ring, gtin, serial, tag, short_tag_length),
                None => return Err(CODE_SHORT_TAIL_NEEDS_RING),
            },
            Tail::None => return Err(CODE_NO_TAIL),
            Tail::Malformed => return Err(CODE_MALFORMED_TAIL),
        };
        result.map_err(|error| error.code())
    }
}

/// A code without a cryptographic tail.
const CODE_NO_TAIL: &str = "TANBA-CODE-NO-TAIL";
/// A partial or mixed tail: 91 without 92, or 91/92 together with 93.
const CODE_MALFORMED_TAIL: &str = "TANBA-CODE-MALFORMED-TAIL";
/// A short tail offered for checking without the ring that holds its secret.
const CODE_SHORT_TAIL_NEEDS_RING: &str = "TANBA-CODE-SHORT-TAIL-NEEDS-RING";

/// A short tag names no key, so it is checked against each short-tag key of the ring, newest
/// first (rotation keeps old keys until their codes are gone).
fn verify_short(
    ring: &KeyRing,
    gtin: &str,
    serial: &str,
    tag: &str,
    length: usize,
) -> Result<(), CryptoError> {
    CodeIdentity::new(gtin, serial)?;
    let mut last_error = CryptoError::BadShortTag;
    for key in ring.short_tag_keys().iter().rev() {
        match tanba_crypto::verify_short_tag(key, gtin, serial, tag, length) {
            Ok(()) => return Ok(()),
            Err(error) => last_error = error,
        }
    }
    Err(last_error)
}

/// The `tanba code verify` report for one input.
pub fn verify_report(
    input: &str,
    verifiers: &Verifiers,
    short_tag_length: usize,
    language: Language,
) -> (Value, bool) {
    let code = match MarkingCode::parse(input, &ParseOptions::default()) {
        Ok(code) => code,
        Err(error) => {
            let value =
                json!({"input": input, "genuine": false, "errors": [error_json(&error, language)]});
            return (value, false);
        }
    };
    let mut value = code_json(&code);
    value["input"] = json!(input);
    match verifiers.verify(&code, short_tag_length) {
        Ok(()) => {
            value["genuine"] = json!(true);
            value["errors"] = json!([]);
            (value, true)
        }
        Err(error_code) => {
            value["genuine"] = json!(false);
            value["errors"] = json!([error_json(&ErrorCode(error_code), language)]);
            (value, false)
        }
    }
}
