//! A clock for black-box tests of legal terms: the system's time plus an offset that only moves
//! forward, moved by `POST /test/clock` from a loopback caller. The server runs on it only when
//! started for tests ([`crate::ServerConfig::test_clock`], which no configuration file can set),
//! and logs a warning at start: a production server's time is the system's.
//!
//! The demo also seeds on one ([`TestClock::lagging`]): its story happens on the last working
//! morning (an application registers the day it arrives, officials act on it), then the clock
//! catches up with the system's and stays there. Time only ever moves forward.

use std::sync::atomic::{AtomicU64, Ordering};

use tanba_engine::{Clock, SystemClock};

/// Longest single step forward: a year.
pub const TEST_CLOCK_STEP_MS_MAX: u64 = 366 * 86_400_000;

/// The system's clock, moved forward by what tests asked.
#[derive(Debug, Default)]
pub struct TestClock {
    offset_ms: AtomicU64,
    lag_ms: AtomicU64,
}

impl TestClock {
    /// A clock `lag_ms` behind the system's until [`TestClock::catch_up`].
    pub fn lagging(lag_ms: u64) -> TestClock {
        TestClock {
            offset_ms: AtomicU64::new(0),
            lag_ms: AtomicU64::new(lag_ms),
        }
    }

    /// Catches up with the system's time (a jump forward; the lag never comes back).
    pub fn catch_up(&self) {
        self.lag_ms.store(0, Ordering::SeqCst);
    }

    /// Moves the clock forward by `step_ms` (at most [`TEST_CLOCK_STEP_MS_MAX`]); returns the
    /// new time.
    pub fn advance(&self, step_ms: u64) -> Option<u64> {
        if step_ms > TEST_CLOCK_STEP_MS_MAX {
            return None;
        }
        self.offset_ms.fetch_add(step_ms, Ordering::SeqCst);
        Some(self.now_ms())
    }
}

impl Clock for TestClock {
    fn now_ms(&self) -> u64 {
        (SystemClock.now_ms() + self.offset_ms.load(Ordering::SeqCst))
            .saturating_sub(self.lag_ms.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_clock_only_moves_forward_and_by_at_most_a_year() {
        let clock = TestClock::default();
        let before = clock.now_ms();
        let after = clock.advance(86_400_000).unwrap();
        assert!(after >= before + 86_400_000);
        assert_eq!(clock.advance(TEST_CLOCK_STEP_MS_MAX + 1), None);
        assert!(clock.now_ms() >= after);
    }

    #[test]
    fn a_lagging_clock_runs_behind_until_it_catches_up() {
        let lag_ms = 7 * 86_400_000;
        let clock = TestClock::lagging(lag_ms);
        let system = SystemClock.now_ms();
        let behind = clock.now_ms();
        assert!(behind + lag_ms >= system && behind + lag_ms < system + 60_000);
        clock.catch_up();
        assert!(clock.now_ms() >= system);
    }
}
