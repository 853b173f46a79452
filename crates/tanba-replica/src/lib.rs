//! Tanba's scale-out (issue 15; ARCHITECTURE.md, "Scale-out over NATS JetStream"): the engine's
//! [`CommandLog`] carried by a NATS JetStream stream, replicated by Raft across the NATS
//! servers, which every Tanba node reads in one order.
//!
//! - [`JetStreamLog`]: a batch is one stream message, published with `Nats-Msg-Id` = its id (the
//!   stream drops a duplicate within its window and answers with the first position; one sent
//!   while the first is still being stored is answered "in process", and is sent again until
//!   it gets that answer), and acknowledged once the stream's replicas stored it; its stream
//!   sequence is its position.
//!   Reads go through an ordered consumer kept between calls.
//! - The same connection keeps the cluster's [`HeadBoard`]: a key-value bucket (replicated as
//!   the stream is) holding each node's latest published log head, by node name.
//! - And the steward's lease ([`StewardLease`]): a key-value bucket whose one key lapses after
//!   `STEWARD_LEASE_TTL` unless its holder writes it again.
//! - And the shelf of blobs' bytes ([`BlobShelf`]): an object store bucket, one object per blob
//!   named by its BLAKE3 hash in hex, so a node reads an attachment or a photo another node took.
//! - And the stream of the nodes' audit trails ([`TrailStream`]): one subject per node, each
//!   message a page of its trail.
//! - And the shelf of the nodes' snapshots ([`SnapshotShelf`]): an object store bucket, one
//!   archive per snapshot.
//! - [`cluster`]: NATS servers started on loopback (one, or a cluster of three), for tests and
//!   benchmarks, from the server that `scripts/setup.sh` installs.
//!
//! The interface is synchronous, as the engine's writer is a thread: each call runs on this
//! log's own runtime, and must not be made from inside another async runtime.

pub mod cluster;

use std::path::Path;
use std::sync::Mutex;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, consumer, kv, object_store, stream};
use tanba_engine::blobs::BlobShelf;
use tanba_engine::command_log::{
    AppendFinished, Appended, Batch, BatchId, CommandLog, CommandLogError, Position,
    READ_BATCHES_MAX, READ_BYTES_MAX, check_batch,
};
use tanba_engine::heads::{BOARD_NODES_MAX, HEAD_STALE_AFTER, HeadBoard, NodeName, PublishedHead};
use tanba_engine::snapshot_shelf::{ShelvedArchive, SnapshotShelf};
use tanba_engine::steward::{STEWARD_LEASE_TTL, StewardLease};
use tanba_engine::trails::{TRAIL_READ_PAGES_MAX, TrailPage, TrailRead, TrailStream, page_id};
use tokio_stream::StreamExt;

/// The header JetStream de-duplicates by.
const MESSAGE_ID_HEADER: &str = "Nats-Msg-Id";

/// Bytes of one stream message at most, headers and subject included: the `max_payload` the
/// NATS servers carrying the log must run with (NATS's default is 1 MiB), which leaves a batch
/// of `BATCH_BYTES_MAX` room for its headers.
pub const MESSAGE_BYTES_MAX: i32 = 16 << 20;

const _: () =
    assert!(tanba_engine::command_log::BATCH_BYTES_MAX + 1_024 < MESSAGE_BYTES_MAX as usize);

/// How long [`JetStreamLog::connect_waiting`] pauses between two tries.
pub const CONNECT_RETRY_PAUSE: Duration = Duration::from_millis(250);

/// How long a call waits for the NATS servers before it answers `Unavailable`.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// How the command stream is made.
#[derive(Debug, Clone)]
pub struct StreamSettings {
    /// The stream's name.
    pub name: String,
    /// The one subject its batches are published on.
    pub subject: String,
    /// Servers that store each batch (3 in production: one may fail).
    pub replicas: usize,
    /// How long an id is remembered for de-duplication.
    pub duplicate_window: Duration,
    /// Bytes the stream holds at most until it is trimmed behind the nodes' snapshots.
    pub bytes_max: i64,
    /// The key-value bucket of the nodes' published heads (the [`HeadBoard`]).
    pub heads_bucket: String,
    /// The key-value bucket of the steward's lease (the [`StewardLease`]).
    pub steward_bucket: String,
    /// The object store bucket of blobs' bytes (the [`BlobShelf`]); it holds at most
    /// `bytes_max` bytes too.
    pub blobs_bucket: String,
    /// The object store bucket of the nodes' snapshots ([`SnapshotShelf`]); it holds at most
    /// `bytes_max` bytes too.
    pub snapshots_bucket: String,
    /// The stream of the nodes' audit trails ([`TrailStream`]); it holds at most `bytes_max`
    /// bytes too, and refuses pages past them rather than drop old ones.
    pub trails_stream: String,
    /// The prefix of its subjects: a node's trail is published on `<prefix>.<node name>`.
    pub trails_subject: String,
    /// Who this node is to the NATS servers and how it knows them.
    pub access: NatsAccess,
}

/// A node's access to the NATS servers (deploy/nats): the user of the account that holds
/// Tanba's stream and board (no other account sees them), and the certificate authority that
/// signed the servers' TLS certificates. With an authority, a node speaks TLS only, to servers
/// it signed; without one, plain TCP (loopback tests, a private network of its own).
#[derive(Clone, Default)]
pub struct NatsAccess {
    /// The user and its password.
    pub user: Option<(String, String)>,
    /// The authority's certificate (a PEM file).
    pub ca_certificate: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for NatsAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The password is never in a log line.
        f.debug_struct("NatsAccess")
            .field("user", &self.user.as_ref().map(|(user, _)| user))
            .field("ca_certificate", &self.ca_certificate)
            .finish()
    }
}

impl NatsAccess {
    /// The client's options: timeouts, the user, and TLS if an authority is given.
    fn options(&self) -> async_nats::ConnectOptions {
        let mut options = async_nats::ConnectOptions::new()
            .connection_timeout(REQUEST_TIMEOUT)
            .request_timeout(Some(REQUEST_TIMEOUT));
        if let Some((user, password)) = &self.user {
            options = options.user_and_password(user.clone(), password.clone());
        }
        if let Some(authority) = &self.ca_certificate {
            options = options
                .add_root_certificates(authority.clone())
                .require_tls(true);
        }
        options
    }
}

/// Bytes of one published head at most (a node name and a few numbers).
const HEAD_BYTES_MAX: i32 = 1_024;

/// Bytes the command stream holds by default, and each of the other three stores (the trail
/// stream, the blob and snapshot buckets). Each replica reserves all four on its disk when they
/// are made (a server without the room refuses the store made last), so a deployment sizes both
/// (deploy/nats: `max_file_store`).
pub const STREAM_BYTES_MAX_DEFAULT: i64 = 16 << 30;

impl Default for StreamSettings {
    fn default() -> Self {
        StreamSettings {
            name: "TANBA_COMMANDS".into(),
            subject: "tanba.commands".into(),
            replicas: 3,
            duplicate_window: Duration::from_secs(120),
            bytes_max: STREAM_BYTES_MAX_DEFAULT,
            heads_bucket: "tanba_heads".into(),
            steward_bucket: "tanba_steward".into(),
            blobs_bucket: "tanba_blobs".into(),
            snapshots_bucket: "tanba_snapshots".into(),
            trails_stream: "TANBA_AUDIT".into(),
            trails_subject: "tanba.audit".into(),
            access: NatsAccess::default(),
        }
    }
}

/// The command log on a JetStream stream.
pub struct JetStreamLog {
    runtime: tokio::runtime::Runtime,
    context: jetstream::Context,
    settings: StreamSettings,
    reader: Mutex<Option<Reader>>,
    heads: kv::Store,
    steward: kv::Store,
    blobs: object_store::ObjectStore,
    snapshots: object_store::ObjectStore,
}

/// An ordered consumer positioned at `next`.
struct Reader {
    next: Position,
    /// The stream's last position as far as this reader knows: the stream's word when the
    /// reader was made, then each message's (its position and how many follow it). Every batch
    /// up to it is on its way, so a read need not ask the stream (a round trip) while batches
    /// come.
    known_last: Position,
    messages: consumer::pull::Ordered,
}

fn unavailable(error: impl std::fmt::Display) -> CommandLogError {
    CommandLogError::Unavailable(error.to_string())
}

impl JetStreamLog {
    /// Connects to the NATS servers at `urls` (`nats://host:port`, comma-separated) and makes
    /// the stream if it does not exist (its settings are checked if it does).
    pub fn connect(urls: &str, settings: StreamSettings) -> Result<JetStreamLog, CommandLogError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("tanba-jetstream")
            .enable_all()
            .build()
            .map_err(unavailable)?;
        let (context, heads, steward, blobs, snapshots) = runtime.block_on(async {
            let client = (settings.access.options())
                .connect(urls.split(',').map(str::trim).collect::<Vec<_>>())
                .await
                .map_err(unavailable)?;
            let context = jetstream::new(client);
            let subjects = std::slice::from_ref(&settings.subject);
            made_stream(&context, &settings.name, subjects, &settings).await?;
            let heads = context.create_or_update_key_value(kv::Config {
                bucket: settings.heads_bucket.clone(),
                history: 1,
                // A node that stops publishing (stopped, or diverged) drops off the board.
                max_age: HEAD_STALE_AFTER,
                max_value_size: HEAD_BYTES_MAX,
                storage: stream::StorageType::File,
                num_replicas: settings.replicas,
                ..kv::Config::default()
            });
            let heads = heads.await.map_err(unavailable)?;
            let steward = context.create_or_update_key_value(kv::Config {
                bucket: settings.steward_bucket.clone(),
                history: 1,
                // The lease lapses unless its holder writes it again.
                max_age: STEWARD_LEASE_TTL,
                max_value_size: HEAD_BYTES_MAX,
                storage: stream::StorageType::File,
                num_replicas: settings.replicas,
                ..kv::Config::default()
            });
            let steward = steward.await.map_err(unavailable)?;
            let blobs = object_bucket(&context, &settings, &settings.blobs_bucket).await?;
            let snapshots = object_bucket(&context, &settings, &settings.snapshots_bucket).await?;
            let trail_subjects = [format!("{}.*", settings.trails_subject)];
            made_stream(
                &context,
                &settings.trails_stream,
                &trail_subjects,
                &settings,
            )
            .await?;
            Ok((context, heads, steward, blobs, snapshots))
        })?;
        Ok(JetStreamLog {
            runtime,
            context,
            settings,
            reader: Mutex::new(None),
            heads,
            steward,
            blobs,
            snapshots,
        })
    }

    /// [`JetStreamLog::connect`], tried again while the servers cannot be reached or have not
    /// yet elected the stream's leader (a node may start with its cluster), for at most `wait`.
    pub fn connect_waiting(
        urls: &str,
        settings: StreamSettings,
        wait: Duration,
    ) -> Result<JetStreamLog, CommandLogError> {
        let deadline = Instant::now() + wait;
        loop {
            match JetStreamLog::connect(urls, settings.clone()) {
                Err(error) if error.retryable() && Instant::now() < deadline => {
                    std::thread::sleep(CONNECT_RETRY_PAUSE);
                }
                outcome => return outcome,
            }
        }
    }

    /// The name of the server leading the stream now (its Raft leader), if it has one.
    pub fn leader(&self) -> Result<Option<String>, CommandLogError> {
        self.runtime.block_on(async {
            let stream = self.stream().await?;
            let cluster = stream.cached_info().cluster.as_ref();
            Ok(cluster.and_then(|cluster| cluster.leader.clone()))
        })
    }

    async fn stream(&self) -> Result<stream::Stream, CommandLogError> {
        (self.context.get_stream(&self.settings.name).await).map_err(unavailable)
    }

    /// [`CommandLogError::Trimmed`] if the stream now starts past `position`: what a gap in the
    /// delivered batches at `position` is when the stream was trimmed as it was read. A batch is
    /// never deleted otherwise, so any other gap is corruption.
    async fn trimmed_at(
        &self,
        position: Position,
    ) -> Result<Option<CommandLogError>, CommandLogError> {
        let first = self.stream().await?.cached_info().state.first_sequence;
        Ok((first > position).then_some(CommandLogError::Trimmed {
            asked: position,
            first,
        }))
    }

    /// An ordered consumer from `from`, after checking that `from` was not trimmed.
    async fn reader_at(&self, from: Position) -> Result<Reader, CommandLogError> {
        let stream = self.stream().await?;
        let first = stream.cached_info().state.first_sequence;
        if from < first {
            return Err(CommandLogError::Trimmed { asked: from, first });
        }
        let config = consumer::pull::OrderedConfig {
            deliver_policy: consumer::DeliverPolicy::ByStartSequence {
                start_sequence: from,
            },
            ..consumer::pull::OrderedConfig::default()
        };
        let consumer = stream.create_consumer(config).await.map_err(unavailable)?;
        let messages = consumer.messages().await.map_err(unavailable)?;
        Ok(Reader {
            next: from,
            known_last: stream.cached_info().state.last_sequence,
            messages,
        })
    }
}

/// An object store bucket (blobs' bytes, snapshots): the one the cluster has, else a new one
/// (bounded, refusing a put past its bound rather than dropping an object).
async fn object_bucket(
    context: &jetstream::Context,
    settings: &StreamSettings,
    name: &str,
) -> Result<object_store::ObjectStore, CommandLogError> {
    if let Ok(bucket) = context.get_object_store(name).await {
        return Ok(bucket);
    }
    let config = object_store::Config {
        bucket: name.to_owned(),
        max_bytes: settings.bytes_max,
        storage: stream::StorageType::File,
        num_replicas: settings.replicas,
        ..object_store::Config::default()
    };
    context
        .create_object_store(config)
        .await
        .map_err(unavailable)
}

impl SnapshotShelf for JetStreamLog {
    fn put_archive(&self, name: &str, label: &str, path: &Path) -> Result<(), CommandLogError> {
        let meta = object_store::ObjectMetadata {
            name: name.to_owned(),
            description: Some(label.to_owned()),
            ..object_store::ObjectMetadata::default()
        };
        self.runtime.block_on(async {
            let mut file = (tokio::fs::File::open(path).await).map_err(unavailable)?;
            (self.snapshots.put(meta, &mut file).await).map_err(unavailable)?;
            Ok(())
        })
    }

    fn archives(&self) -> Result<Vec<ShelvedArchive>, CommandLogError> {
        self.runtime.block_on(async {
            let mut listed = self.snapshots.list().await.map_err(unavailable)?;
            let mut archives = Vec::new();
            while let Some(info) = listed.next().await {
                let info = info.map_err(unavailable)?;
                if !info.deleted {
                    archives.push(ShelvedArchive {
                        name: info.name,
                        size_bytes: info.size as u64,
                        label: info.description.unwrap_or_default(),
                    });
                }
            }
            Ok(archives)
        })
    }

    fn take_archive(
        &self,
        name: &str,
        path: &Path,
        bytes_max: u64,
    ) -> Result<bool, CommandLogError> {
        self.runtime.block_on(async {
            let file = (tokio::fs::File::create(path).await).map_err(unavailable)?;
            let copied = copy_object(&self.snapshots, name, bytes_max, "archive", file).await?;
            Ok(copied.is_some())
        })
    }

    fn remove_archive(&self, name: &str) -> Result<(), CommandLogError> {
        self.runtime.block_on(async {
            match self.snapshots.delete(name).await {
                Ok(()) => Ok(()),
                Err(error) if error.kind() == object_store::DeleteErrorKind::NotFound => Ok(()),
                Err(error) => Err(unavailable(error)),
            }
        })
    }
}

/// Makes one of Tanba's streams (the command stream, the stream of audit trails) if it does not
/// exist, and checks it if it does ([`check_stream`]): file storage, replicated, bounded, and
/// a full stream refuses new messages: it never drops old ones (JetStream's default discard
/// policy would), which may not be read yet (batches not applied, pages not copied).
async fn made_stream(
    context: &jetstream::Context,
    name: &str,
    subjects: &[String],
    settings: &StreamSettings,
) -> Result<(), CommandLogError> {
    let config = stream::Config {
        name: name.to_owned(),
        subjects: subjects.to_vec(),
        num_replicas: settings.replicas,
        duplicate_window: settings.duplicate_window,
        storage: stream::StorageType::File,
        max_message_size: MESSAGE_BYTES_MAX,
        max_bytes: settings.bytes_max,
        discard: stream::DiscardPolicy::New,
        ..stream::Config::default()
    };
    let made = (context.get_or_create_stream(config).await).map_err(unavailable)?;
    check_stream(&made.cached_info().config, name, subjects, settings)
}

/// The header a trail page's first record's number travels in.
const TRAIL_FIRST_HEADER: &str = "Tanba-Trail-First";

/// How often a read of the trails looks again for a page while it waits.
const TRAIL_POLL_PAUSE: Duration = Duration::from_millis(100);

/// Copies object `name` of `bucket` into `into`, refusing one past `bytes_max` unread, and
/// reading no further than its stated size and one byte more, whatever its chunks say; what
/// it was copied into, none if the bucket does not hold it. `what` names it in a refusal.
async fn copy_object<W: tokio::io::AsyncWrite + Unpin>(
    bucket: &object_store::ObjectStore,
    name: &str,
    bytes_max: u64,
    what: &str,
    mut into: W,
) -> Result<Option<W>, CommandLogError> {
    let mut object = match bucket.get(name).await {
        Ok(object) => object,
        Err(error) if error.kind() == object_store::GetErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(unavailable(error)),
    };
    let size = object.info().size as u64;
    if size > bytes_max {
        return Err(CommandLogError::Corrupt(format!(
            "a shelved {what} of {size} bytes is past its limit of {bytes_max}"
        )));
    }
    let mut limited = tokio::io::AsyncReadExt::take(&mut object, size + 1);
    let copied = tokio::io::copy(&mut limited, &mut into).await;
    let copied = copied.map_err(unavailable)?;
    tokio::io::AsyncWriteExt::flush(&mut into)
        .await
        .map_err(unavailable)?;
    if copied != size {
        return Err(CommandLogError::Corrupt(format!(
            "a shelved {what} said {size} bytes and gave {copied}"
        )));
    }
    Ok(Some(into))
}

/// The stream's message-get request for the next message on a subject at or after a sequence.
#[derive(serde::Serialize)]
struct NextMessage<'a> {
    seq: u64,
    next_by_subj: &'a str,
}

/// A message as the message-get API answers it: headers and payload in base64.
#[derive(serde::Deserialize)]
struct GotMessage {
    subject: String,
    seq: u64,
    #[serde(default)]
    hdrs: Option<String>,
    #[serde(default)]
    data: String,
}

/// The message-get API's answer.
#[derive(serde::Deserialize)]
struct Got {
    message: GotMessage,
}

/// The value of header `name` in a message's raw headers (`NATS/1.0` and `Name: value` lines).
fn header_value(raw: &[u8], name: &str) -> Option<String> {
    let text = std::str::from_utf8(raw).ok()?;
    text.split("\r\n").skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}

/// A stream message as a page of a trail, if it is one: a message on the stream's subjects
/// without a node's name or a first record's number, or whose bytes do not decode, is no
/// node's, and is passed over. Read by hand, not by the client library, which refuses headers
/// it cannot read: such a message would otherwise be a wall no reader passes.
fn trail_page_of(prefix: &str, message: GotMessage) -> Option<TrailPage> {
    use base64::Engine as _;
    let base64 = base64::engine::general_purpose::STANDARD;
    let name = message.subject.strip_prefix(prefix)?.strip_prefix('.')?;
    let headers = base64.decode(message.hdrs?).ok()?;
    let first = header_value(&headers, TRAIL_FIRST_HEADER)?.parse().ok()?;
    Some(TrailPage {
        position: message.seq,
        trail: NodeName::parse(name).ok()?,
        first,
        bytes: base64.decode(message.data).ok()?,
    })
}

impl JetStreamLog {
    /// The next message of the stream of trails on `subject` at or after `sequence`, if any.
    async fn next_trail_message(
        &self,
        subject: &str,
        sequence: u64,
    ) -> Result<Option<GotMessage>, CommandLogError> {
        use jetstream::response::Response;
        let asked = NextMessage {
            seq: sequence,
            next_by_subj: subject,
        };
        let api = format!("STREAM.MSG.GET.{}", self.settings.trails_stream);
        let answer: Response<Got> =
            (self.context.request(api, &asked).await).map_err(unavailable)?;
        match answer {
            Response::Ok(got) => Ok(Some(got.message)),
            Response::Err { error }
                if error.error_code() == jetstream::ErrorCode::NO_MESSAGE_FOUND =>
            {
                Ok(None)
            }
            Response::Err { error } => Err(unavailable(error)),
        }
    }
}

impl TrailStream for JetStreamLog {
    fn publish_page(
        &self,
        trail: &NodeName,
        first: u64,
        bytes: Vec<u8>,
    ) -> Result<u64, CommandLogError> {
        self.runtime.block_on(async {
            let mut headers = async_nats::HeaderMap::new();
            headers.insert(MESSAGE_ID_HEADER, page_id(trail, first, &bytes).as_str());
            headers.insert(TRAIL_FIRST_HEADER, first.to_string().as_str());
            let subject = format!("{}.{trail}", self.settings.trails_subject);
            let sent = (self.context)
                .publish_with_headers(subject, headers, bytes.into())
                .await
                .map_err(unavailable)?;
            Ok(sent.await.map_err(unavailable)?.sequence)
        })
    }

    fn read_pages(
        &self,
        trail: Option<&NodeName>,
        after: u64,
        pages_max: usize,
        wait: Duration,
    ) -> Result<TrailRead, CommandLogError> {
        let prefix = &self.settings.trails_subject;
        let subject = match trail {
            Some(trail) => format!("{prefix}.{trail}"),
            None => format!("{prefix}.*"),
        };
        let pages_max = pages_max.min(TRAIL_READ_PAGES_MAX);
        let deadline = Instant::now() + wait;
        self.runtime.block_on(async {
            let mut read = TrailRead {
                pages: Vec::new(),
                through: after,
            };
            let mut bytes_read = 0;
            while read.pages.len() < pages_max && bytes_read < READ_BYTES_MAX {
                let next = self.next_trail_message(&subject, read.through + 1).await?;
                let Some(message) = next else {
                    if !read.pages.is_empty() || Instant::now() >= deadline {
                        break;
                    }
                    tokio::time::sleep(TRAIL_POLL_PAUSE).await;
                    continue;
                };
                // Past whatever it is: a message that is no node's page is passed over.
                read.through = message.seq;
                bytes_read += message.data.len();
                read.pages.extend(trail_page_of(prefix, message));
            }
            Ok(read)
        })
    }
}

/// A blob's name in the bucket: its hash in hex.
fn blob_name(hash: &[u8; 32]) -> String {
    hash.iter().map(|byte| format!("{byte:02x}")).collect()
}

impl BlobShelf for JetStreamLog {
    fn put(&self, hash: &[u8; 32], bytes: &[u8]) -> Result<(), CommandLogError> {
        let name = blob_name(hash);
        // Always written, never skipped as "there already": bytes planted under the name by
        // whoever else can write the bucket are replaced by the genuine ones.
        let mut reader = bytes;
        let put = self
            .runtime
            .block_on(self.blobs.put(name.as_str(), &mut reader));
        put.map(|_| ()).map_err(unavailable)
    }

    fn take(&self, hash: &[u8; 32], bytes_max: u64) -> Result<Option<Vec<u8>>, CommandLogError> {
        let name = blob_name(hash);
        self.runtime.block_on(async {
            let copied = copy_object(&self.blobs, &name, bytes_max, "blob", Vec::new()).await?;
            Ok(copied)
        })
    }
}

/// A stream message as a batch, checked to be the one expected at `position`, and the stream's
/// last position as the message tells it (its own, and how many follow it).
fn batch_of(
    message: &jetstream::Message,
    position: Position,
) -> Result<(Batch, Position), CommandLogError> {
    let info = message
        .info()
        .map_err(|error| CommandLogError::Corrupt(error.to_string()))?;
    let last_known = info.stream_sequence.saturating_add(info.pending);
    if info.stream_sequence != position {
        return Err(CommandLogError::Corrupt(format!(
            "expected position {position}, the stream gave {}",
            info.stream_sequence
        )));
    }
    let id = (message.headers.as_ref())
        .and_then(|headers| headers.get(MESSAGE_ID_HEADER))
        .and_then(|value| parse_id(value.as_str()));
    let batch = match id {
        Some(id) => Batch {
            position,
            id,
            bytes: message.payload.to_vec(),
        },
        // No node appends a batch without its id: whoever published this is no node. It keeps
        // its place, with no commands, and every reader passes over it alike (refusing it
        // instead would stop every node at this position for good).
        None => Batch {
            position,
            id: NO_BATCH_ID,
            bytes: Vec::new(),
        },
    };
    Ok((batch, last_known))
}

/// The id a message published without a batch id is read with.
pub const NO_BATCH_ID: BatchId = BatchId([0; 16]);

/// Reads an id back from its hex form.
fn parse_id(text: &str) -> Option<BatchId> {
    let bytes = text.as_bytes();
    if bytes.len() != 32 {
        return None;
    }
    let mut id = [0u8; 16];
    for (index, pair) in bytes.chunks_exact(2).enumerate() {
        let pair = std::str::from_utf8(pair).ok()?;
        id[index] = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(BatchId(id))
}

/// How long an append waits before it publishes a batch again whose id the stream was still
/// storing from an earlier publish ([`publish_in_process`]).
const IN_PROCESS_PAUSE: Duration = Duration::from_millis(10);
/// How many times it publishes such a batch again before it gives up (unavailable): a second
/// in all, much longer than the stream takes to store one batch.
const IN_PROCESS_REPUBLISHES_MAX: u32 = 100;

/// A batch on its way to the stream, kept (shared, not copied) until it is acknowledged.
struct Publication {
    context: jetstream::Context,
    subject: String,
    id: BatchId,
    bytes: bytes::Bytes,
}

impl Publication {
    /// Publishes the batch under its id (the stream's de-duplication key); the
    /// acknowledgement is still to come.
    async fn send(&self) -> Result<jetstream::context::PublishAckFuture, CommandLogError> {
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(MESSAGE_ID_HEADER, self.id.to_string().as_str());
        let sending =
            (self.context).publish_with_headers(self.subject.clone(), headers, self.bytes.clone());
        sending.await.map_err(unavailable)
    }

    /// Where the batch landed, once the stream acknowledges it. The stream answers "in
    /// process" to a publish whose id it is still storing from an earlier publish (an append
    /// of the same batch again, at once, or a retry): the batch is published again after a
    /// pause, until the stream answers it as the duplicate it is, with the first's position.
    async fn landed(
        self,
        mut sent: jetstream::context::PublishAckFuture,
    ) -> Result<Appended, CommandLogError> {
        let mut republished = 0;
        loop {
            match sent.await {
                Ok(ack) => {
                    return Ok(Appended {
                        position: ack.sequence,
                        duplicate: ack.duplicate,
                    });
                }
                Err(error)
                    if publish_in_process(&error) && republished < IN_PROCESS_REPUBLISHES_MAX =>
                {
                    republished += 1;
                    tokio::time::sleep(IN_PROCESS_PAUSE).await;
                    sent = self.send().await?;
                }
                Err(error) => return Err(unavailable(error)),
            }
        }
    }
}

/// Whether the stream refused a publish because an earlier publish of its id is still being
/// stored (JetStream's error 10158).
fn publish_in_process(error: &jetstream::context::PublishError) -> bool {
    let source = std::error::Error::source(error);
    let api_error = source.and_then(|source| source.downcast_ref::<jetstream::Error>());
    api_error.is_some_and(|api_error| {
        api_error.error_code() == jetstream::ErrorCode::STREAM_DUPLICATE_MESSAGE_CONFLICT
    })
}

impl JetStreamLog {
    /// Publishes a batch under its id; the acknowledgement is still to come.
    fn publish(
        &self,
        id: BatchId,
        bytes: Vec<u8>,
    ) -> Result<(Publication, jetstream::context::PublishAckFuture), CommandLogError> {
        check_batch(&bytes)?;
        let publication = Publication {
            context: self.context.clone(),
            subject: self.settings.subject.clone(),
            id,
            bytes: bytes.into(),
        };
        let sent = self.runtime.block_on(publication.send())?;
        Ok((publication, sent))
    }
}

impl CommandLog for JetStreamLog {
    fn append(&self, id: BatchId, bytes: Vec<u8>) -> Result<Appended, CommandLogError> {
        let (publication, sent) = self.publish(id, bytes)?;
        self.runtime.block_on(publication.landed(sent))
    }

    /// Published here, in the order of the calls (one connection carries them), and the
    /// acknowledgement awaited on the log's runtime, which reports it.
    fn start_append(&self, id: BatchId, bytes: Vec<u8>, finished: &Sender<AppendFinished>) {
        match self.publish(id, bytes) {
            Ok((publication, sent)) => {
                let finished = finished.clone();
                self.runtime.spawn(async move {
                    AppendFinished::report(&finished, id, publication.landed(sent).await);
                });
            }
            Err(error) => AppendFinished::report(finished, id, Err(error)),
        }
    }

    fn read(
        &self,
        from: Position,
        batches_max: usize,
        wait: Duration,
    ) -> Result<Vec<Batch>, CommandLogError> {
        let from = from.max(1);
        let batches_max = batches_max.min(READ_BATCHES_MAX);
        let mut held = self.reader.lock().expect("no panics while reading");
        self.runtime.block_on(async {
            let mut reader = match held.take() {
                Some(reader) if reader.next == from => reader,
                _ => self.reader_at(from).await?,
            };
            // Every batch known to be on the stream comes (it is on its way); past those, the
            // first is waited for `wait`, and the rest only if already here.
            let mut batches: Vec<Batch> = Vec::new();
            let mut bytes_read = 0;
            while batches.len() < batches_max && bytes_read < READ_BYTES_MAX {
                let on_its_way = reader.next <= reader.known_last;
                let patience = match (on_its_way, batches.is_empty()) {
                    (true, _) => REQUEST_TIMEOUT,
                    (false, true) => wait,
                    (false, false) => Duration::ZERO,
                };
                let next = tokio::time::timeout(patience, reader.messages.next()).await;
                let message = match next {
                    Ok(Some(message)) => message.map_err(unavailable)?,
                    Ok(None) => break,
                    Err(_) if on_its_way => {
                        return Err(CommandLogError::Unavailable(format!(
                            "batch {} did not come in {REQUEST_TIMEOUT:?}",
                            reader.next
                        )));
                    }
                    // Nothing came: a quiet stream, or one that holds more than this reader
                    // knows of and a stalled reader. The stream's word (a round trip, only
                    // while nothing comes) tells them apart: what it holds must come.
                    Err(_) if batches.is_empty() => {
                        let last = self.stream().await?.cached_info().state.last_sequence;
                        match last < reader.next {
                            true => break,
                            false => reader.known_last = last,
                        }
                        continue;
                    }
                    Err(_) => break,
                };
                let (batch, last_known) = match batch_of(&message, reader.next) {
                    Err(error @ CommandLogError::Corrupt(_)) => {
                        return Err(self.trimmed_at(reader.next).await?.unwrap_or(error));
                    }
                    read => read?,
                };
                reader.known_last = reader.known_last.max(last_known);
                bytes_read += batch.bytes.len();
                batches.push(batch);
                reader.next += 1;
            }
            *held = Some(reader);
            Ok(batches)
        })
    }

    fn last_position(&self) -> Result<Position, CommandLogError> {
        self.runtime.block_on(async {
            let stream = self.stream().await?;
            Ok(stream.cached_info().state.last_sequence)
        })
    }

    fn first_position(&self) -> Result<Position, CommandLogError> {
        self.runtime.block_on(async {
            let stream = self.stream().await?;
            // An empty stream says 0; a stream trimmed whole says one past its last.
            Ok(stream.cached_info().state.first_sequence.max(1))
        })
    }

    fn trim_before(&self, position: Position) -> Result<(), CommandLogError> {
        // Nothing lies before the first position; and NATS reads a purge up to sequence 0 as
        // a purge of the whole stream.
        if position <= 1 {
            return Ok(());
        }
        self.runtime.block_on(async {
            let stream = self.stream().await?;
            stream
                .purge()
                .sequence(position)
                .await
                .map_err(unavailable)?;
            Ok(())
        })
    }
}

impl HeadBoard for JetStreamLog {
    fn publish(&self, head: &PublishedHead) -> Result<(), CommandLogError> {
        self.runtime.block_on(async {
            let put = self.heads.put(head.node.as_str(), head.to_bytes().into());
            put.await.map_err(unavailable)?;
            Ok(())
        })
    }

    fn heads(&self) -> Result<Vec<PublishedHead>, CommandLogError> {
        self.runtime.block_on(async {
            let keys = self.heads.keys().await.map_err(unavailable)?;
            let keys: Result<Vec<String>, _> = keys.take(BOARD_NODES_MAX).collect().await;
            let keys = keys.map_err(unavailable)?;
            let mut heads = Vec::with_capacity(keys.len());
            for key in keys {
                // A key deleted since it was listed is passed over, and so are bytes that are
                // no head.
                if let Some(bytes) = self.heads.get(&key).await.map_err(unavailable)? {
                    // A head under another node's key is no one's (a copy made to be counted
                    // twice).
                    let head = PublishedHead::from_bytes(&bytes).ok();
                    heads.extend(head.filter(|head| head.node.as_str() == key));
                }
            }
            Ok(heads)
        })
    }
}

/// Checks that a stream found under one of Tanba's names (`name`, with `subjects`) is made as
/// Tanba makes it: a stream made otherwise (by hand, or by another program) could drop messages
/// not yet read (discard old), take other subjects' messages, or remember ids for less long
/// than a publisher retries.
fn check_stream(
    found: &stream::Config,
    name: &str,
    subjects: &[String],
    settings: &StreamSettings,
) -> Result<(), CommandLogError> {
    let differences = [
        ("replicas", found.num_replicas != settings.replicas),
        ("subjects", found.subjects != subjects),
        (
            "discard policy",
            found.discard != stream::DiscardPolicy::New,
        ),
        (
            "duplicate window",
            found.duplicate_window != settings.duplicate_window,
        ),
        ("storage", found.storage != stream::StorageType::File),
    ];
    match differences.iter().find(|(_, differs)| *differs) {
        Some((what, _)) => Err(CommandLogError::Unavailable(format!(
            "stream {name} exists with another {what} than a node makes it with ({found:?})"
        ))),
        None => Ok(()),
    }
}

/// The key of the steward's lease in its bucket.
const STEWARD_KEY: &str = "steward";

impl StewardLease for JetStreamLog {
    /// Renews the lease by writing it again at the revision it holds (refused if another
    /// node took it meanwhile), or takes it by creating the key (refused if another node holds
    /// it): the stream orders the writes, so one node holds it at a time.
    fn hold(&self, node: &NodeName) -> Result<bool, CommandLogError> {
        let name = node.as_str().as_bytes();
        self.runtime.block_on(async {
            let entry = self.steward.entry(STEWARD_KEY).await.map_err(unavailable)?;
            match entry {
                Some(entry) if entry.operation == kv::Operation::Put => {
                    if entry.value.as_ref() != name {
                        return Ok(false);
                    }
                    let renewed = (self.steward)
                        .update(STEWARD_KEY, name.to_vec().into(), entry.revision)
                        .await;
                    match renewed {
                        Ok(_) => Ok(true),
                        Err(error) if error.kind() == kv::UpdateErrorKind::WrongLastRevision => {
                            Ok(false)
                        }
                        Err(error) => Err(unavailable(error)),
                    }
                }
                // Free: never taken, lapsed, or given up.
                _ => match self.steward.create(STEWARD_KEY, name.to_vec().into()).await {
                    Ok(_) => Ok(true),
                    Err(error) if error.kind() == kv::CreateErrorKind::AlreadyExists => Ok(false),
                    Err(error) => Err(unavailable(error)),
                },
            }
        })
    }

    fn release(&self, node: &NodeName) -> Result<(), CommandLogError> {
        self.runtime.block_on(async {
            let entry = self.steward.entry(STEWARD_KEY).await.map_err(unavailable)?;
            if let Some(entry) = entry
                && entry.operation == kv::Operation::Put
                && entry.value.as_ref() == node.as_str().as_bytes()
            {
                // Only at the revision it holds: a lease taken over meanwhile stays.
                let deleted = self
                    .steward
                    .delete_expect_revision(STEWARD_KEY, Some(entry.revision));
                deleted.await.map_err(unavailable)?;
            }
            Ok(())
        })
    }
}
