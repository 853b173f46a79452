//! Feeds (R-IS-05, R-IS-06, R-IS-12): who may follow which feed, and the task that follows one
//! for gRPC and HTTP alike. The task reads the store from the follower's cursor (never a queue
//! the writer fills), so a stalled follower slows nobody; what it has read waits in a bounded
//! buffer, and a follower that takes nothing for [`STREAM_SEND_TIMEOUT`] is dropped (it resumes
//! with its cursor).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tanba_engine::EngineError;
use tanba_log::{FeedKind, FeedName};
use tanba_proto::v1 as pb;
use tanba_types::{Role, TaxpayerId};
use tokio::sync::mpsc;

use crate::app::{App, Call, StreamSlot};
use crate::error::ApiError;
use crate::grpc::STREAM_SEND_TIMEOUT;

/// Feeds one participant may follow at once (of each of the two pools below).
pub const FEEDS_PER_PARTICIPANT_MAX: usize = 4;
/// Own-goods feeds followed at once, over every participant.
pub const GOODS_FEEDS_OPEN_MAX: usize = 256;
/// The state's feeds followed at once (tax, customs, EAEU, stages, registry, cases, all), over
/// every ministry, authority and the operator: a pool of its own, which participants following
/// their own goods cannot fill.
pub const STATE_FEEDS_OPEN_MAX: usize = 64;
/// Entries read per batch at most (about 1 MiB of sales).
pub const FEED_BATCH_ENTRIES_MAX: usize = 2048;
/// Bytes of records per batch at most (a batch ends after the entry that passes it).
pub const FEED_BATCH_BYTES_MAX: usize = 1 << 20;
/// Batches read ahead of the follower at most: with [`FEED_BATCH_BYTES_MAX`], what one feed
/// holds in memory.
pub const FEED_BUFFER_BATCHES: usize = 4;
/// A heartbeat is sent whenever this passes with nothing else sent.
pub const FEED_HEARTBEAT_INTERVAL: Duration = Duration::from_secs(1);
/// How often a caught-up feed looks for new entries.
pub const FEED_IDLE_POLL_INTERVAL: Duration = Duration::from_millis(20);

/// Who may follow the feed `name` (the operator follows every feed).
pub fn readers(name: FeedName) -> &'static [Role] {
    match name {
        FeedName::Kind(FeedKind::Tax | FeedKind::Eaeu | FeedKind::Stages) => {
            &[Role::Ministry, Role::Operator]
        }
        FeedName::Kind(FeedKind::Customs | FeedKind::Registry) => {
            &[Role::Ministry, Role::Authority, Role::Operator]
        }
        FeedName::Kind(FeedKind::Goods) => &[
            Role::Producer,
            Role::Importer,
            Role::Wholesaler,
            Role::Retailer,
            Role::Operator,
        ],
        FeedName::Kind(FeedKind::Cases) | FeedName::All => &[Role::Operator],
    }
}

/// What a follower asks.
#[derive(Debug, Clone, Default)]
pub struct FeedRequest {
    /// The feed's name.
    pub kind: String,
    /// The cursor: the last sequence received.
    pub after: u64,
    /// End after this sequence (0: never).
    pub until: u64,
    /// Leave out entries outside the feed entirely.
    pub without_proof: bool,
}

/// A feed being followed: where it stands, and its place among the caller's feeds.
pub struct Feed {
    slot: StreamSlot,
    name: FeedName,
    /// The last sequence read.
    position: u64,
    until: Option<u64>,
    proof: bool,
    /// The last checkpoint sent: one signed after its entry went out is sent when found.
    checkpoint_sent: u64,
}

/// Opens a feed for the caller, by the role rule of its name, from a cursor not past the head.
pub fn open(call: &mut Call<'_>, request: FeedRequest) -> Result<Feed, ApiError> {
    let name = FeedName::parse(&request.kind).ok_or_else(|| ApiError::invalid("kind"))?;
    let who = call.participant_with(readers(name))?;
    let head = call.app().engine.head().sequence;
    if request.after > head {
        return Err(ApiError::cursor(request.after, head));
    }
    if request.until != 0 && request.until < request.after {
        return Err(ApiError::invalid("until"));
    }
    let pool = if name.is_own_goods() {
        &call.app().goods_feeds
    } else {
        &call.app().state_feeds
    };
    let slot = pool.begin(who.id, call.certificate(), readers(name))?;
    Ok(Feed {
        slot,
        name,
        position: request.after,
        until: (request.until != 0).then_some(request.until),
        // The own-goods feed never sends other entries' leaves: a left-out record of a few
        // guessable fields (an order's GTIN, quantity and time) could be recovered from its
        // hash, and whether it was the follower's is not in the leaf anyway.
        proof: !request.without_proof && !name.is_own_goods(),
        checkpoint_sent: 0,
    })
}

/// What one read gave.
struct Read {
    items: Vec<pb::FeedItem>,
    /// Nothing more to read now.
    caught_up: bool,
    /// `until` is reached: the feed is over.
    ended: bool,
}

impl Feed {
    fn follower(&self) -> TaxpayerId {
        self.slot.participant()
    }

    /// Whether the entry is in the feed: of its kinds, and for the own-goods feed one the
    /// follower took part in.
    fn includes(
        &self,
        snapshot: &dyn tanba_store::Snapshot,
        entry: &tanba_engine::feed::FeedRead,
    ) -> Result<bool, EngineError> {
        if !self.name.includes(entry.kinds) {
            return Ok(false);
        }
        if !self.name.is_own_goods() {
            return Ok(true);
        }
        let record = tanba_engine::log::decode_record(&entry.record)?;
        tanba_engine::feed::takes_part(snapshot, &record, &self.follower())
    }

    /// Reads the next batch after the position, and moves the position past it.
    fn read(&mut self, app: &App) -> Result<Read, EngineError> {
        let limit = match self.until {
            Some(until) => FEED_BATCH_ENTRIES_MAX.min((until - self.position) as usize),
            None => FEED_BATCH_ENTRIES_MAX,
        };
        if limit == 0 {
            return Ok(Read {
                items: Vec::new(),
                caught_up: true,
                ended: true,
            });
        }
        let snapshot = app.engine.snapshot();
        let entries = tanba_engine::feed::entries_after(
            snapshot.as_ref(),
            self.position,
            limit,
            FEED_BATCH_BYTES_MAX,
        )?;
        let through = entries.last().map_or(self.position, |entry| entry.sequence);
        // From the position itself: the writer signs a quiet log's head after its entry was
        // read, and that checkpoint must still reach the follower.
        let checkpoints = tanba_engine::feed::checkpoints_between(
            snapshot.as_ref(),
            self.position.saturating_sub(1),
            through,
        )?;
        let mut items = Vec::new();
        if let Some(checkpoint) = checkpoints.get(&self.position) {
            self.push_checkpoint(&mut items, checkpoint);
        }
        // The store gave fewer than asked, without its byte budget cutting them: nothing more now.
        let read_bytes: usize = entries.iter().map(|entry| entry.record.len()).sum();
        let caught_up = entries.len() < limit.min(tanba_store::SCAN_ENTRIES_MAX)
            && read_bytes < FEED_BATCH_BYTES_MAX;
        for mut entry in entries {
            self.position = entry.sequence;
            let sequence = entry.sequence;
            if self.includes(snapshot.as_ref(), &entry)? {
                let record = std::mem::take(&mut entry.record);
                items.push(entry_item(&entry, record, Vec::new()));
            } else if self.proof {
                let digest = blake3::hash(&entry.record).as_bytes().to_vec();
                items.push(entry_item(&entry, Vec::new(), digest));
            }
            if let Some(checkpoint) = checkpoints.get(&sequence) {
                self.push_checkpoint(&mut items, checkpoint);
            }
        }
        Ok(Read {
            items,
            caught_up,
            ended: self.until == Some(self.position),
        })
    }

    /// Adds a checkpoint not sent before.
    fn push_checkpoint(
        &mut self,
        items: &mut Vec<pb::FeedItem>,
        checkpoint: &tanba_crypto::Checkpoint,
    ) {
        if checkpoint.sequence > self.checkpoint_sent {
            self.checkpoint_sent = checkpoint.sequence;
            items.push(checkpoint_item(checkpoint));
        }
    }

    fn heartbeat(&self, app: &App) -> pb::FeedItem {
        pb::FeedItem {
            item: Some(pb::feed_item::Item::Heartbeat(pb::FeedHeartbeat {
                position: self.position,
                head: app.engine.head().sequence,
            })),
        }
    }
}

/// Where one followed feed stands, for the console's feeds page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowerView {
    /// Who follows.
    pub participant: TaxpayerId,
    /// The feed's name (`tax`).
    pub feed: &'static str,
    /// When it was opened, unix milliseconds.
    pub opened_ms: u64,
    /// The last sequence sent.
    pub position: u64,
    /// The last signed checkpoint sent (0: none yet).
    pub checkpoint_sent: u64,
    /// When a batch last went out, unix milliseconds.
    pub last_sent_ms: u64,
}

/// The feeds being followed on this node.
#[derive(Debug, Default)]
pub struct Followers {
    open: dashmap::DashMap<u64, FollowerView>,
    next: std::sync::atomic::AtomicU64,
}

impl Followers {
    /// Every feed followed now, by `participant` only unless `None`, oldest first.
    pub fn views(&self, participant: Option<&TaxpayerId>) -> Vec<FollowerView> {
        let mut views: Vec<(u64, FollowerView)> = (self.open.iter())
            .filter(|entry| participant.is_none_or(|id| entry.value().participant == *id))
            .map(|entry| (*entry.key(), entry.value().clone()))
            .collect();
        views.sort_by_key(|(id, _)| *id);
        views.into_iter().map(|(_, view)| view).collect()
    }
}

/// A feed counted as open (`tanba_feeds_open`, by feed, and on the feeds page) while its task
/// runs.
struct OpenFeed {
    name: &'static str,
    id: u64,
    followers: Arc<Followers>,
}

impl OpenFeed {
    fn count(app: &App, feed: &Feed) -> OpenFeed {
        let name = feed.name.name();
        metrics::gauge!("tanba_feeds_open", "feed" => name).increment(1.0);
        let followers = app.feed_followers.clone();
        let id = followers
            .next
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let now_ms = app.now_ms();
        let view = FollowerView {
            participant: feed.follower(),
            feed: name,
            opened_ms: now_ms,
            position: feed.position,
            checkpoint_sent: 0,
            last_sent_ms: now_ms,
        };
        followers.open.insert(id, view);
        OpenFeed {
            name,
            id,
            followers,
        }
    }

    /// The feed sent a batch: where it stands now.
    fn sent(&self, feed: &Feed, now_ms: u64) {
        if let Some(mut view) = self.followers.open.get_mut(&self.id) {
            view.position = feed.position;
            view.checkpoint_sent = feed.checkpoint_sent;
            view.last_sent_ms = now_ms;
        }
    }
}

impl Drop for OpenFeed {
    fn drop(&mut self) {
        metrics::gauge!("tanba_feeds_open", "feed" => self.name).decrement(1.0);
        self.followers.open.remove(&self.id);
    }
}

fn entry_item(
    entry: &tanba_engine::feed::FeedRead,
    record: Vec<u8>,
    record_digest: Vec<u8>,
) -> pb::FeedItem {
    pb::FeedItem {
        item: Some(pb::feed_item::Item::Entry(pb::FeedEntry {
            sequence: entry.sequence,
            chain_hash: entry.hash.as_bytes().to_vec().into(),
            kinds: entry.kinds.0,
            record: record.into(),
            record_digest: record_digest.into(),
        })),
    }
}

fn checkpoint_item(checkpoint: &tanba_crypto::Checkpoint) -> pb::FeedItem {
    pb::FeedItem {
        item: Some(pb::feed_item::Item::Checkpoint(pb::FeedCheckpoint {
            sequence: checkpoint.sequence,
            head_hash: checkpoint.head_hash.as_bytes().to_vec(),
            time_ms: checkpoint.time_ms,
            key_id: checkpoint.key_id.to_string(),
            signature: checkpoint.signature.clone(),
        })),
    }
}

/// Follows `feed` on a task: batches into a buffer of [`FEED_BUFFER_BATCHES`], a heartbeat after
/// every [`FEED_HEARTBEAT_INTERVAL`] of silence, until `until`, the follower goes away or stops
/// reading for [`STREAM_SEND_TIMEOUT`], the follower is suspended or its certificate revoked,
/// or the server stops (the task
/// holds the app weakly and no snapshot across an await).
pub fn follow(app: &Arc<App>, mut feed: Feed) -> mpsc::Receiver<pb::FeedBatch> {
    let (sender, receiver) = mpsc::channel(FEED_BUFFER_BATCHES);
    let open = OpenFeed::count(app, &feed);
    let app = Arc::downgrade(app);
    tokio::spawn(async move {
        let mut last_sent = Instant::now();
        loop {
            let (read, heartbeat) = {
                let Some(app) = app.upgrade() else { return };
                if !app.stream_holder_stands(&feed.slot) {
                    return;
                }
                let Ok(read) = feed.read(&app) else { return };
                (read, feed.heartbeat(&app))
            };
            let mut items = read.items;
            if items.is_empty() && last_sent.elapsed() >= FEED_HEARTBEAT_INTERVAL {
                items.push(heartbeat);
            }
            if !items.is_empty() {
                let entries = items
                    .iter()
                    .filter(|item| matches!(item.item, Some(pb::feed_item::Item::Entry(_))))
                    .count();
                let batch = pb::FeedBatch { items };
                match tokio::time::timeout(STREAM_SEND_TIMEOUT, sender.send(batch)).await {
                    Ok(Ok(())) => {}
                    // The follower went away.
                    Ok(Err(_)) => return,
                    // The follower stopped reading: dropped, it resumes with its cursor.
                    Err(_) => {
                        metrics::counter!("tanba_feed_followers_dropped_total").increment(1);
                        return;
                    }
                }
                metrics::counter!("tanba_feed_entries_sent_total").increment(entries as u64);
                last_sent = Instant::now();
                if let Some(app) = app.upgrade() {
                    open.sent(&feed, app.now_ms());
                }
            }
            if read.ended {
                return;
            }
            if read.caught_up {
                tokio::select! {
                    _ = sender.closed() => return,
                    _ = tokio::time::sleep(FEED_IDLE_POLL_INTERVAL) => {}
                }
            }
        }
    });
    receiver
}
