//! `tanba client cases ...` and `tanba client recall ...`: cases of the legal procedures from
//! the command line. A form is given field by field, each value with its kind:
//!
//! ```text
//! --field gtin=text:04870001234569 --field produced_from=date:2026-11-01
//! --field ground_arose_at=moment:2026-11-20T09:00+05:00 --field codes=code:'(01)...(21)...'
//! --row quantities='quantity=decimal:120;unit=text:piece'
//! ```
//!
//! A name given twice makes a list. Kinds: `text`, `int`, `decimal`, `date` (YYYY-MM-DD),
//! `moment` (ISO 8601 with its offset, or unix milliseconds), `flag` (true/false), `taxpayer`,
//! `code`. Files are uploaded first and attached by `--attach FILE[:MEDIA-TYPE[:LANGUAGE]]`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use serde_json::{Value, json};
use tanba_client::{Connection, Listing};
use tanba_types::{
    AttachmentRef, CaseCommand, Decimal, FieldValue, Form, Scalar, ScannedCode, TaxpayerId,
};

/// A form and its files, as flags.
#[derive(Debug, Args)]
pub struct FormArgs {
    /// A JSON file of fields (`{"name": "KIND:VALUE", "list": [...], "rows": [{...}]}`); the
    /// flags below add to it.
    #[arg(long = "form", value_name = "FILE.json")]
    form_file: Option<PathBuf>,
    /// A field: NAME=KIND:VALUE (repeat; a name given twice makes a list).
    #[arg(long = "field", value_name = "NAME=KIND:VALUE")]
    fields: Vec<String>,
    /// A table row: NAME='COLUMN=KIND:VALUE;COLUMN=KIND:VALUE' (repeat for more rows).
    #[arg(long = "row", value_name = "NAME=ROW")]
    rows: Vec<String>,
    /// A file to upload and attach: FILE[:MEDIA-TYPE[:LANGUAGE]] (repeat).
    #[arg(long = "attach", value_name = "FILE")]
    attach: Vec<String>,
    /// A translation to upload and attach: FILE[:MEDIA-TYPE[:LANGUAGE]]@ORIGINAL, the original
    /// named by its file name among this step's attachments (repeat).
    #[arg(long = "translation", value_name = "FILE@ORIGINAL")]
    translations: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum CasesCommand {
    /// Open a case of a procedure by its opening transition.
    Open {
        /// The procedure (`recall`, `recall_claim`).
        #[arg(long)]
        kind: String,
        /// The opening transition (`establish_ground`, `claim`).
        #[arg(long)]
        transition: String,
        /// The authority's IIN/BIN, when the procedure has one.
        #[arg(long)]
        authority: Option<TaxpayerId>,
        /// The case it belongs to (a claim's recall).
        #[arg(long)]
        parent: Option<u64>,
        /// A party the case names (repeat).
        #[arg(long = "named")]
        named: Vec<TaxpayerId>,
        #[command(flatten)]
        form: FormArgs,
    },
    /// Take a transition of a case.
    Step {
        /// The case.
        case: u64,
        /// The transition (`start_recall`, `dispose`, `report`, ...).
        #[arg(long)]
        transition: String,
        #[command(flatten)]
        form: FormArgs,
    },
    /// One case.
    Get {
        /// The case.
        case: u64,
    },
    /// Your cases (as party or named), or your authority's.
    List {
        /// An official: the cases of your authority.
        #[arg(long)]
        as_authority: bool,
        /// Continue after this case id.
        #[arg(long, default_value_t = 0)]
        after: u64,
    },
    /// A case's events.
    History {
        /// The case.
        case: u64,
    },
    /// Your notices.
    Inbox {
        /// Continue after this notice id.
        #[arg(long, default_value_t = 0)]
        after: u64,
    },
    /// Mark a notice read.
    Read {
        /// The notice.
        notice: u64,
    },
    /// Download a file a case names.
    Download {
        /// The case.
        case: u64,
        /// The file's BLAKE3 hash, 64 hex digits.
        hash: String,
        /// Where to write it.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Operator: publish a new version of the working-day calendar.
    PublishCalendar {
        /// The calendar, TOML.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum RecallCommand {
    /// The recall's holders: units recalled, returned, disposed, still held, sold before.
    Holders {
        /// The recall case.
        case: u64,
        /// Continue after this holder.
        #[arg(long)]
        after: Option<TaxpayerId>,
    },
    /// One holder's recalled units (yours when no holder is given).
    Units {
        /// The recall case.
        case: u64,
        /// The holder.
        #[arg(long)]
        holder: Option<TaxpayerId>,
        /// Continue after this code.
        #[arg(long, default_value = "")]
        after: String,
    },
}

/// Runs a `cases` command.
pub async fn cases(connection: &Connection, command: CasesCommand) -> anyhow::Result<Value> {
    Ok(match command {
        CasesCommand::Open {
            kind,
            transition,
            authority,
            parent,
            named,
            form,
        } => {
            let opening = Opening {
                kind,
                transition,
                authority,
                parent,
                named,
            };
            open(connection, opening, &form).await?
        }
        CasesCommand::Step {
            case,
            transition,
            form,
        } => step(connection, case, transition, &form).await?,
        CasesCommand::Get { case } => serde_json::to_value(connection.get_case(case).await?)?,
        CasesCommand::List {
            as_authority,
            after,
        } => {
            let listing = match as_authority {
                true => Listing::AsAuthority,
                false => Listing::AsParty,
            };
            serde_json::to_value(connection.list_cases(listing, after).await?)?
        }
        CasesCommand::History { case } => {
            serde_json::to_value(connection.case_history(case).await?)?
        }
        CasesCommand::Inbox { after } => serde_json::to_value(connection.inbox(after).await?)?,
        CasesCommand::Read { notice } => {
            serde_json::to_value(connection.read_notice(notice).await?)?
        }
        CasesCommand::Download { case, hash, out } => {
            download(connection, case, &hash, out).await?
        }
        CasesCommand::PublishCalendar { file } => {
            let toml = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            serde_json::to_value(connection.publish_calendar(toml).await?)?
        }
    })
}

/// Writes a file a case names to `out`, created once the server has agreed to send it.
async fn download(
    connection: &Connection,
    case: u64,
    hash: &str,
    out: PathBuf,
) -> anyhow::Result<Value> {
    let hash =
        tanba_crypto::encoding::parse_hex::<32>(hash).context("the hash is 64 hex digits")?;
    let mut file = None;
    let written = connection
        .download_attachment(case, hash, |chunk| {
            let file = match &mut file {
                Some(file) => file,
                None => file.insert(create(&out)?),
            };
            std::io::Write::write_all(file, chunk)
        })
        .await?;
    if file.is_none() {
        create(&out)?;
    }
    Ok(json!({ "file": out, "bytes": written }))
}

/// Creates (or empties) the file a download writes, naming it in the error.
fn create(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    std::fs::File::create(path).map_err(|error| {
        std::io::Error::new(
            error.kind(),
            format!("creating {}: {error}", path.display()),
        )
    })
}

/// What an opening fixes besides its form.
pub struct Opening {
    /// The procedure.
    pub kind: String,
    /// Its opening transition.
    pub transition: String,
    /// The authority.
    pub authority: Option<TaxpayerId>,
    /// The case it belongs to.
    pub parent: Option<u64>,
    /// The parties it names.
    pub named: Vec<TaxpayerId>,
}

/// Opens a case with the form and files the flags give, signed by the caller; answers its id.
pub async fn open(
    connection: &Connection,
    opening: Opening,
    form: &FormArgs,
) -> anyhow::Result<Value> {
    let (form, attachments) = form.read(connection).await?;
    let case = connection
        .open_case(CaseCommand::Open {
            kind: opening.kind,
            transition: opening.transition,
            authority: opening.authority,
            parent: opening.parent,
            named: opening.named,
            form,
            attachments,
            signature: Vec::new(),
        })
        .await?;
    Ok(json!({ "case": case }))
}

/// Takes a step of a case with the form and files the flags give, signed by the caller;
/// answers its receipt.
pub async fn step(
    connection: &Connection,
    case: u64,
    transition: String,
    form: &FormArgs,
) -> anyhow::Result<Value> {
    let (form, attachments) = form.read(connection).await?;
    let receipt = connection
        .step_case(CaseCommand::Step {
            case,
            transition,
            form,
            attachments,
            signature: Vec::new(),
        })
        .await?;
    Ok(serde_json::to_value(receipt)?)
}

/// Runs a `recall` command.
pub async fn recall(connection: &Connection, command: RecallCommand) -> anyhow::Result<Value> {
    Ok(match command {
        RecallCommand::Holders { case, after } => {
            serde_json::to_value(connection.recall_holders(case, after).await?)?
        }
        RecallCommand::Units {
            case,
            holder,
            after,
        } => {
            let after = (!after.is_empty()).then_some(after.as_str());
            serde_json::to_value(connection.recall_units(case, holder, after).await?)?
        }
    })
}

impl FormArgs {
    /// The form the flags give, with their files uploaded.
    pub async fn read(
        &self,
        connection: &Connection,
    ) -> anyhow::Result<(Form, Vec<AttachmentRef>)> {
        let mut lists: BTreeMap<String, Vec<Scalar>> = BTreeMap::new();
        for field in &self.fields {
            let (name, value) = field
                .split_once('=')
                .with_context(|| format!("--field {field:?}: NAME=KIND:VALUE expected"))?;
            lists
                .entry(name.to_owned())
                .or_default()
                .push(scalar(value).with_context(|| format!("--field {name}"))?);
        }
        let mut form: Form = lists
            .into_iter()
            .map(|(name, mut values)| match values.len() {
                1 => (name, FieldValue::One(values.remove(0))),
                _ => (name, FieldValue::List(values)),
            })
            .collect();
        let mut tables: BTreeMap<String, Vec<BTreeMap<String, Scalar>>> = BTreeMap::new();
        for row in &self.rows {
            let (name, cells) = row
                .split_once('=')
                .with_context(|| format!("--row {row:?}: NAME=ROW expected"))?;
            let mut parsed = BTreeMap::new();
            for cell in cells.split(';').filter(|cell| !cell.is_empty()) {
                let (column, value) = cell
                    .split_once('=')
                    .with_context(|| format!("--row {name}: COLUMN=KIND:VALUE expected"))?;
                parsed.insert(column.to_owned(), scalar(value)?);
            }
            tables.entry(name.to_owned()).or_default().push(parsed);
        }
        for (name, rows) in tables {
            if form.insert(name.clone(), FieldValue::Rows(rows)).is_some() {
                bail!("{name} is given both as a field and as rows");
            }
        }
        if let Some(path) = &self.form_file {
            for (name, value) in form_file(path)? {
                if form.contains_key(&name) {
                    bail!("{name} is given both in {} and as a flag", path.display());
                }
                form.insert(name, value);
            }
        }
        let mut attachments = Vec::new();
        for attach in &self.attach {
            attachments.push(upload(connection, attach).await?);
        }
        for translation in &self.translations {
            let (spec, original) = translation
                .rsplit_once('@')
                .with_context(|| format!("--translation {translation:?}: FILE@ORIGINAL"))?;
            let original = attachments
                .iter()
                .find(|attachment| attachment.name == original)
                .with_context(|| format!("--translation: no attached file {original}"))?
                .hash;
            let mut attachment = upload(connection, spec).await?;
            attachment.translation_of = Some(original);
            attachments.push(attachment);
        }
        Ok((form, attachments))
    }
}

/// A JSON form file: each value `KIND:VALUE`, a list as an array of them, a table as an array
/// of objects of them.
fn form_file(path: &std::path::Path) -> anyhow::Result<Form> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let object: serde_json::Map<String, Value> = serde_json::from_str(&text)
        .with_context(|| format!("{}: a JSON object", path.display()))?;
    let one = |name: &str, value: &Value| -> anyhow::Result<Scalar> {
        let text = value
            .as_str()
            .with_context(|| format!("{name}: \"KIND:VALUE\" expected"))?;
        scalar(text).with_context(|| name.to_owned())
    };
    let mut form = Form::new();
    for (name, value) in &object {
        let field = match value {
            Value::Array(items) if items.iter().all(Value::is_object) && !items.is_empty() => {
                let rows = items
                    .iter()
                    .map(|item| {
                        item.as_object()
                            .into_iter()
                            .flatten()
                            .map(|(column, value)| Ok((column.clone(), one(column, value)?)))
                            .collect::<anyhow::Result<BTreeMap<_, _>>>()
                    })
                    .collect::<anyhow::Result<Vec<_>>>()?;
                FieldValue::Rows(rows)
            }
            Value::Array(items) => FieldValue::List(
                items
                    .iter()
                    .map(|item| one(name, item))
                    .collect::<anyhow::Result<_>>()?,
            ),
            other => FieldValue::One(one(name, other)?),
        };
        form.insert(name.clone(), field);
    }
    Ok(form)
}

/// One `KIND:VALUE`.
fn scalar(text: &str) -> anyhow::Result<Scalar> {
    let (kind, value) = text
        .split_once(':')
        .with_context(|| format!("{text:?}: KIND:VALUE expected"))?;
    Ok(match kind {
        "text" => Scalar::Text(value.to_owned()),
        "int" => Scalar::Integer(value.parse().context("a whole number")?),
        "decimal" => Scalar::Decimal(Decimal::parse(value).context("a decimal number")?),
        "date" => Scalar::Date(value.parse().map_err(|_| anyhow::anyhow!("YYYY-MM-DD"))?),
        "moment" => Scalar::Moment(match value.parse::<u64>() {
            Ok(ms) => ms,
            Err(_) => crate::calendar_command::parse_moment(value)?,
        }),
        "flag" => Scalar::Flag(value.parse().context("true or false")?),
        "taxpayer" => Scalar::Taxpayer(value.parse().map_err(|_| anyhow::anyhow!("an IIN/BIN"))?),
        "code" => Scalar::Code(ScannedCode::read(value)?.key),
        other => {
            bail!("unknown kind {other:?}: text, int, decimal, date, moment, flag, taxpayer, code")
        }
    })
}

/// Uploads `FILE[:MEDIA-TYPE[:LANGUAGE]]` and names it for a step.
async fn upload(connection: &Connection, spec: &str) -> anyhow::Result<AttachmentRef> {
    let mut parts = spec.splitn(3, ':');
    let path = PathBuf::from(parts.next().unwrap_or_default());
    let media_type = parts
        .next()
        .unwrap_or("application/octet-stream")
        .to_owned();
    let language = parts.next().map(str::to_owned);
    let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let (hash, size_bytes) = connection.upload_attachment(bytes).await?;
    Ok(AttachmentRef {
        hash,
        name: path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default(),
        media_type,
        size_bytes,
        language,
        translation_of: None,
    })
}
