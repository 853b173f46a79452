//! Console sessions: a participant signed in with its key in a browser holds a random session
//! key in an `HttpOnly`, `SameSite=Strict` cookie; the server keeps, by the key's BLAKE3 hash
//! (a memory dump yields no usable cookie), who it is, the session's CSRF token and its times.
//! A session ends when its holder signs out, when it has been idle for [`SESSION_IDLE_MS`],
//! [`SESSION_LIFETIME_MS`] after sign-in, or when its participant is suspended (checked at
//! every request), or when the certificate it was signed in with is revoked (checked at every
//! request, [`crate::App::find_session`]). Sessions live in this node's memory: a restart signs everyone out.

use dashmap::DashMap;
use rand_core::CryptoRngCore;
use tanba_types::TaxpayerId;

/// A session unused this long ends, in milliseconds.
pub const SESSION_IDLE_MS: u64 = 30 * 60 * 1000;
/// A session ends this long after its sign-in however busy, in milliseconds.
pub const SESSION_LIFETIME_MS: u64 = 12 * 60 * 60 * 1000;
/// Sessions open at once on this node; past it a sign-in is refused until some end.
pub const SESSIONS_MAX: usize = 100_000;
/// Sessions one participant may hold at once; a new sign-in past it ends the oldest.
pub const SESSIONS_PER_PARTICIPANT_MAX: usize = 20;
/// Random bytes in a session key and in a CSRF token.
pub const SECRET_BYTES: usize = 32;

/// The cookie that carries the session key.
pub const SESSION_COOKIE: &str = "tanba_session";

/// One signed-in browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Who signed in.
    pub participant: TaxpayerId,
    /// The token every form of this session carries (hex).
    pub csrf: String,
    /// When it was opened, unix milliseconds.
    pub opened_ms: u64,
    /// When it was last used, unix milliseconds.
    pub seen_ms: u64,
    /// The certificate it was signed in with, if any: checked at every request.
    pub certificate: Option<crate::certificates::CertificateRef>,
}

impl Session {
    /// Whether it is still alive at `now_ms`.
    pub fn alive(&self, now_ms: u64) -> bool {
        now_ms < self.seen_ms.saturating_add(SESSION_IDLE_MS)
            && now_ms < self.opened_ms.saturating_add(SESSION_LIFETIME_MS)
    }
}

/// Why a session could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionsFull;

/// The open sessions, by the hash of their key.
#[derive(Debug, Default)]
pub struct Sessions {
    open: DashMap<[u8; 32], Session>,
}

/// Fresh random hex.
pub fn random_hex(rng: &mut impl CryptoRngCore) -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rng.fill_bytes(&mut bytes);
    tanba_crypto::encoding::hex(&bytes)
}

fn key_hash(key: &str) -> [u8; 32] {
    *blake3::hash(key.as_bytes()).as_bytes()
}

impl Sessions {
    /// Opens a session for `participant`: its key (for the cookie) and the session. The
    /// participant's oldest session ends if it holds [`SESSIONS_PER_PARTICIPANT_MAX`] already.
    pub fn open(
        &self,
        participant: TaxpayerId,
        certificate: Option<crate::certificates::CertificateRef>,
        now_ms: u64,
        rng: &mut impl CryptoRngCore,
    ) -> Result<(String, Session), SessionsFull> {
        if self.open.len() >= SESSIONS_MAX {
            self.sweep(now_ms);
            if self.open.len() >= SESSIONS_MAX {
                return Err(SessionsFull);
            }
        }
        let mut own: Vec<([u8; 32], u64)> = (self.open.iter())
            .filter(|entry| entry.value().participant == participant)
            .map(|entry| (*entry.key(), entry.value().opened_ms))
            .collect();
        own.sort_by_key(|(_, opened_ms)| *opened_ms);
        let excess = (own.len() + 1).saturating_sub(SESSIONS_PER_PARTICIPANT_MAX);
        for (hash, _) in own.into_iter().take(excess) {
            self.open.remove(&hash);
        }
        let key = random_hex(rng);
        let session = Session {
            participant,
            csrf: random_hex(rng),
            opened_ms: now_ms,
            seen_ms: now_ms,
            certificate,
        };
        self.open.insert(key_hash(&key), session.clone());
        Ok((key, session))
    }

    /// The live session of a cookie's key, marked as used now; a dead one is forgotten.
    pub fn find(&self, key: &str, now_ms: u64) -> Option<Session> {
        if key.len() != SECRET_BYTES * 2 {
            return None;
        }
        let hash = key_hash(key);
        let mut entry = self.open.get_mut(&hash)?;
        if !entry.alive(now_ms) {
            drop(entry);
            self.open.remove(&hash);
            return None;
        }
        entry.seen_ms = now_ms;
        Some(entry.clone())
    }

    /// Ends the session of a cookie's key.
    pub fn end(&self, key: &str) {
        self.open.remove(&key_hash(key));
    }

    /// Ends every session of `participant` (signing out everywhere, or a suspension).
    pub fn end_all(&self, participant: &TaxpayerId) {
        self.open
            .retain(|_, session| session.participant != *participant);
    }

    /// Forgets sessions that are no longer alive.
    pub fn sweep(&self, now_ms: u64) {
        self.open.retain(|_, session| session.alive(now_ms));
    }

    /// Sessions open now.
    pub fn len(&self) -> usize {
        self.open.len()
    }

    /// Whether none is open.
    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    use super::*;

    /// The `n`-th valid BIN after 9601 4000 000.
    fn participant(n: u64) -> TaxpayerId {
        (0..)
            .filter_map(|step| {
                let first = format!("{:011}", 96_014_000_000 + n * 100 + step);
                let digits: Vec<u8> = first.bytes().map(|byte| byte - b'0').collect();
                let check = tanba_types::kz::taxpayer_check_digit(&digits.try_into().ok()?)?;
                TaxpayerId::parse(&format!("{first}{check}")).ok()
            })
            .next()
            .expect("a valid BIN within a hundred")
    }

    #[test]
    fn a_session_expires_when_idle_and_after_its_lifetime() {
        let sessions = Sessions::default();
        let rng = &mut ChaCha20Rng::seed_from_u64(1);
        let (key, _) = sessions.open(participant(1), None, 0, rng).unwrap();
        assert!(sessions.find(&key, SESSION_IDLE_MS - 1).is_some());
        // Used just now: idle time counts from the last use.
        assert!(sessions.find(&key, 2 * SESSION_IDLE_MS - 2).is_some());
        assert!(sessions.find(&key, 3 * SESSION_IDLE_MS).is_none());
        assert!(sessions.is_empty(), "a dead session is forgotten");

        let (busy, _) = sessions.open(participant(1), None, 0, rng).unwrap();
        let mut now_ms = 0;
        while now_ms + SESSION_IDLE_MS / 2 < SESSION_LIFETIME_MS {
            now_ms += SESSION_IDLE_MS / 2;
            assert!(sessions.find(&busy, now_ms).is_some());
        }
        assert!(sessions.find(&busy, SESSION_LIFETIME_MS).is_none());
    }

    #[test]
    fn sessions_end_one_by_one_or_all_at_once() {
        let sessions = Sessions::default();
        let rng = &mut ChaCha20Rng::seed_from_u64(2);
        let (a, _) = sessions.open(participant(1), None, 0, rng).unwrap();
        let (b, _) = sessions.open(participant(1), None, 0, rng).unwrap();
        let (other, _) = sessions.open(participant(2), None, 0, rng).unwrap();
        sessions.end(&a);
        assert!(sessions.find(&a, 1).is_none());
        assert!(sessions.find(&b, 1).is_some());
        sessions.end_all(&participant(1));
        assert!(sessions.find(&b, 1).is_none());
        assert!(sessions.find(&other, 1).is_some());
    }

    #[test]
    fn a_participant_holds_a_bounded_number_of_sessions() {
        let sessions = Sessions::default();
        let rng = &mut ChaCha20Rng::seed_from_u64(3);
        let keys: Vec<String> = (0..SESSIONS_PER_PARTICIPANT_MAX as u64 + 1)
            .map(|n| sessions.open(participant(1), None, n, rng).unwrap().0)
            .collect();
        assert_eq!(sessions.len(), SESSIONS_PER_PARTICIPANT_MAX);
        assert!(sessions.find(&keys[0], 100).is_none(), "the oldest ended");
        assert!(sessions.find(&keys[1], 100).is_some());
    }

    #[test]
    fn a_malformed_or_unknown_key_finds_nothing() {
        let sessions = Sessions::default();
        let rng = &mut ChaCha20Rng::seed_from_u64(4);
        sessions.open(participant(1), None, 0, rng).unwrap();
        assert!(sessions.find("", 1).is_none());
        assert!(sessions.find(&"0".repeat(64), 1).is_none());
        assert!(sessions.find(&"x".repeat(10_000), 1).is_none());
    }
}
