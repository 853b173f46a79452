//! The cluster's audit trails (issue 15; ARCHITECTURE.md, "The audit trail"). Each node keeps
//! its own audit trail, a chain of the records of the calls it served; a node of a cluster also
//! publishes it, page by page, on a stream the cluster shares ([`TrailStream`]), one trail per
//! node name. Every node copies every other node's trail from there, so an authority's query
//! about any node's calls is answered by any node, and a node restored from an older snapshot
//! takes back its own records from there.
//!
//! The engine knows pages of bytes only: what a record is and how its chain is checked is the
//! server's audit trail's. A page's first record's number travels with it, so a reader tells a
//! page it already has (published again after a crash) from one past a gap.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::command_log::CommandLogError;
use crate::heads::NodeName;

/// Bytes of one page at most: a JetStream message carries it with room to spare.
pub const TRAIL_PAGE_BYTES_MAX: usize = 1 << 20;
/// Pages one read hands back at most.
pub const TRAIL_READ_PAGES_MAX: usize = 256;

/// One page of a node's trail, as the stream holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailPage {
    /// Its place in the stream (all trails share one order).
    pub position: u64,
    /// Whose trail.
    pub trail: NodeName,
    /// The number of its first record in that trail.
    pub first: u64,
    /// Its records, as the trail's owner wrote them.
    pub bytes: Vec<u8>,
}

/// What a read of the stream found: the pages, and the position it read through (messages on
/// the stream that are no node's pages are passed over, and the reader moves past them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrailRead {
    /// The pages, oldest first.
    pub pages: Vec<TrailPage>,
    /// The last position read (the `after` asked, if nothing was).
    pub through: u64,
}

/// The stream of the cluster's audit trails. `tanba_replica::JetStreamLog` keeps it on a
/// JetStream stream replicated as the command stream is; [`MemoryTrails`] in memory, for tests.
/// Calls block: make them from a thread that may (the blocking pool), never from an async task.
pub trait TrailStream: Send + Sync {
    /// Publishes a page of `trail` whose first record is `first`, once stored by the stream's
    /// replicas; its position. The same bytes published again (a node that crashed before
    /// hearing its answer) are stored once; other bytes from the same first record (a retry
    /// that carries more records) are another page.
    fn publish_page(
        &self,
        trail: &NodeName,
        first: u64,
        bytes: Vec<u8>,
    ) -> Result<u64, CommandLogError>;

    /// The pages after position `after`, of `trail` only or of every trail, oldest first, at
    /// most `pages_max` (and [`TRAIL_READ_PAGES_MAX`]); when none is there yet, the first is
    /// waited for at most `wait`.
    fn read_pages(
        &self,
        trail: Option<&NodeName>,
        after: u64,
        pages_max: usize,
        wait: Duration,
    ) -> Result<TrailRead, CommandLogError>;
}

/// The id a page is stored once by: its trail, its first record, and a hash of its bytes (so
/// nobody who does not know the bytes can take a page's place by publishing first).
pub fn page_id(trail: &NodeName, first: u64, bytes: &[u8]) -> String {
    let hash = blake3::hash(bytes).to_hex();
    format!("{trail}.{first}.{}", &hash.as_str()[..32])
}

/// A stream of trails in this process.
#[derive(Default)]
pub struct MemoryTrails {
    pages: Mutex<Held>,
}

/// What a [`MemoryTrails`] holds: the pages in order, and where each page id went.
#[derive(Default)]
struct Held {
    pages: Vec<TrailPage>,
    published: HashMap<String, u64>,
}

impl MemoryTrails {
    /// Puts a page on the stream as whoever else could write it would (a forgery, in tests).
    pub fn publish_unchecked(&self, trail: &NodeName, first: u64, bytes: Vec<u8>) -> u64 {
        push(
            &mut self.pages.lock().expect("trails lock"),
            trail,
            first,
            bytes,
        )
    }
}

fn push(held: &mut Held, trail: &NodeName, first: u64, bytes: Vec<u8>) -> u64 {
    let position = held.pages.len() as u64 + 1;
    held.pages.push(TrailPage {
        position,
        trail: trail.clone(),
        first,
        bytes,
    });
    position
}

impl TrailStream for MemoryTrails {
    fn publish_page(
        &self,
        trail: &NodeName,
        first: u64,
        bytes: Vec<u8>,
    ) -> Result<u64, CommandLogError> {
        let id = page_id(trail, first, &bytes);
        let mut held = self.pages.lock().expect("trails lock");
        if let Some(position) = held.published.get(&id) {
            return Ok(*position);
        }
        let position = push(&mut held, trail, first, bytes);
        held.published.insert(id, position);
        Ok(position)
    }

    fn read_pages(
        &self,
        trail: Option<&NodeName>,
        after: u64,
        pages_max: usize,
        wait: Duration,
    ) -> Result<TrailRead, CommandLogError> {
        let deadline = Instant::now() + wait;
        loop {
            let held = self.pages.lock().expect("trails lock");
            let (mut read, mut through) = (Vec::new(), after);
            for page in held.pages.iter().skip(after as usize) {
                if read.len() == pages_max.min(TRAIL_READ_PAGES_MAX) {
                    break;
                }
                through = page.position;
                if trail.is_none_or(|trail| page.trail == *trail) {
                    read.push(page.clone());
                }
            }
            drop(held);
            if !read.is_empty() || Instant::now() >= deadline {
                return Ok(TrailRead {
                    pages: read,
                    through,
                });
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str) -> NodeName {
        NodeName::parse(name).expect("a name")
    }

    #[test]
    fn a_page_published_again_is_stored_once_and_reads_filter_by_trail() {
        let trails = MemoryTrails::default();
        let first = trails
            .publish_page(&node("a"), 1, vec![1])
            .expect("published");
        trails
            .publish_page(&node("b"), 1, vec![2])
            .expect("published");
        let again = trails
            .publish_page(&node("a"), 1, vec![1])
            .expect("published");
        assert_eq!(first, again);
        let longer = trails
            .publish_page(&node("a"), 1, vec![1, 3])
            .expect("published");
        assert_eq!(longer, 3, "more records from the same first: another page");
        let all = trails
            .read_pages(None, 0, 10, Duration::ZERO)
            .expect("read");
        assert_eq!((all.pages.len(), all.through), (3, 3));
        let of_b = trails.read_pages(Some(&node("b")), 0, 10, Duration::ZERO);
        let of_b = of_b.expect("read");
        assert_eq!(of_b.pages.len(), 1);
        assert_eq!((of_b.pages[0].bytes.clone(), of_b.through), (vec![2], 3));
        let after = trails
            .read_pages(None, 3, 10, Duration::ZERO)
            .expect("read");
        assert_eq!((after.pages.len(), after.through), (0, 3));
    }
}
