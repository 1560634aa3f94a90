//! Limits on password guessing that hold across connections.
//!
//! The protocol libraries close a connection after `max_auth_failures` failed logins (3 by
//! default). That alone still lets a client guess as fast as it can open connections, so
//! the server adds, per [`AuthLimits`]:
//!
//! - a pause before each failed login is answered, growing with the failures of the
//!   connection ([`AuthGuard::delay`]);
//! - a cap on failures per client address and per user name within a window: beyond it,
//!   every login from that address or for that user is refused without the password being
//!   checked ([`AuthGuard::refuses`]), so a correct guess is worth nothing.
//!
//! The tables are bounded ([`MAX_TRACKED`] entries each): a client cannot grow the server's
//! memory by failing with endless new user names.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The limits on failed logins. [`AuthLimits::default`] gives the values the README states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthLimits {
    /// Failed logins one client address may have within [`window`](Self::window) before
    /// every further login from it is refused. Default 10.
    pub per_address: u32,
    /// Failed logins for one user name, from any address, within the window before every
    /// further login for it is refused. Default 30.
    pub per_user: u32,
    /// How long failures count. Default 15 minutes.
    pub window: Duration,
    /// The pause before the answer to a connection's n-th failed login is n times this.
    /// Default 1 s.
    pub delay: Duration,
    /// The longest such pause. Default 5 s.
    pub max_delay: Duration,
}

impl Default for AuthLimits {
    fn default() -> Self {
        Self {
            per_address: 10,
            per_user: 30,
            window: Duration::from_secs(15 * 60),
            delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(5),
        }
    }
}

/// The most addresses, and the most user names, whose failures are remembered at once.
pub const MAX_TRACKED: usize = 100_000;

/// The longest user name kept as a key; longer names are cut (they are no user's anyway).
const MAX_NAME: usize = 256;

/// Failures counted since `start`.
#[derive(Debug, Clone, Copy)]
struct Window {
    start: Instant,
    failures: u32,
}

/// Failure counts by key, bounded in size.
#[derive(Debug)]
struct Table<K> {
    entries: HashMap<K, Window>,
}

impl<K: std::hash::Hash + Eq> Table<K> {
    fn new() -> Self {
        Self {
            entries: HashMap::new(),
        }
    }

    /// Returns the failures of `key` within the window ending now.
    fn failures(&self, key: &K, window: Duration, now: Instant) -> u32 {
        self.entries
            .get(key)
            .filter(|w| now.duration_since(w.start) < window)
            .map_or(0, |w| w.failures)
    }

    /// Counts one failure for `key`.
    fn fail(&mut self, key: K, window: Duration, now: Instant) {
        if !self.entries.contains_key(&key) && self.entries.len() >= MAX_TRACKED {
            self.entries
                .retain(|_, w| now.duration_since(w.start) < window);
            if self.entries.len() >= MAX_TRACKED {
                // Full of live entries: this key goes uncounted (the per-connection limit
                // and the delay still hold).
                return;
            }
        }
        let w = self.entries.entry(key).or_insert(Window {
            start: now,
            failures: 0,
        });
        if now.duration_since(w.start) >= window {
            *w = Window {
                start: now,
                failures: 0,
            };
        }
        w.failures = w.failures.saturating_add(1);
    }
}

/// The failed-login counts a server's connections share (one per server, in an `Arc`).
#[derive(Debug)]
pub struct AuthGuard {
    limits: AuthLimits,
    tables: Mutex<(Table<IpAddr>, Table<String>)>,
}

impl Default for AuthGuard {
    fn default() -> Self {
        Self::new(AuthLimits::default())
    }
}

fn name_key(user: &str) -> String {
    user.chars().take(MAX_NAME).collect()
}

impl AuthGuard {
    /// Returns a guard with no failures counted yet.
    pub fn new(limits: AuthLimits) -> Self {
        Self {
            limits,
            tables: Mutex::new((Table::new(), Table::new())),
        }
    }

    /// Returns the limits.
    pub fn limits(&self) -> &AuthLimits {
        &self.limits
    }

    /// Returns whether a login from `address` for `user` is to be refused without checking
    /// its password: either has used up its failures.
    pub fn refuses(&self, address: Option<IpAddr>, user: Option<&str>) -> bool {
        let Ok(tables) = self.tables.lock() else {
            return true;
        };
        let now = Instant::now();
        let window = self.limits.window;
        let by_address =
            address.is_some_and(|a| tables.0.failures(&a, window, now) >= self.limits.per_address);
        let by_user = user
            .is_some_and(|u| tables.1.failures(&name_key(u), window, now) >= self.limits.per_user);
        by_address || by_user
    }

    /// Counts one failed login from `address` for `user`.
    pub fn failed(&self, address: Option<IpAddr>, user: Option<&str>) {
        let Ok(mut tables) = self.tables.lock() else {
            return;
        };
        let now = Instant::now();
        let window = self.limits.window;
        if let Some(a) = address {
            tables.0.fail(a, window, now);
        }
        if let Some(u) = user {
            tables.1.fail(name_key(u), window, now);
        }
    }

    /// Returns the pause before answering a connection's `failures`-th failed login.
    pub fn delay(&self, failures: u32) -> Duration {
        self.limits
            .delay
            .saturating_mul(failures)
            .min(self.limits.max_delay)
    }
}

/// What a session keeps to apply the guard: its client's address, the user its last login
/// named, the failures already counted, and the pause owed before the next answer.
#[derive(Debug)]
pub struct LoginWatch {
    guard: std::sync::Arc<AuthGuard>,
    address: Option<IpAddr>,
    user: Option<String>,
    counted: u32,
    delay: Option<Duration>,
}

impl LoginWatch {
    /// Returns the watch for a client at `peer` (`IP:PORT`, as the accept loop gives it).
    pub fn new(guard: std::sync::Arc<AuthGuard>, peer: &str) -> Self {
        Self {
            guard,
            address: peer.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()),
            user: None,
            counted: 0,
            delay: None,
        }
    }

    /// Notes a login attempt for `user` and returns whether it is to be refused without
    /// checking the password.
    pub fn attempt(&mut self, user: Option<&str>) -> bool {
        self.user = user.map(name_key);
        let refused = self.guard.refuses(self.address, user);
        if refused {
            tracing::warn!(
                address = ?self.address,
                user = ?user.map(crate::smtp::log_safe),
                "login refused: too many failed logins"
            );
        }
        refused
    }

    /// Takes note of the connection's failed-login count after its events were handled:
    /// every new failure is counted for the address and the user, and a pause is owed.
    pub fn update(&mut self, failures: u32) {
        while self.counted < failures {
            self.counted += 1;
            self.guard.failed(self.address, self.user.as_deref());
            self.delay = Some(self.guard.delay(self.counted));
        }
    }

    /// Returns the pause owed, once.
    pub fn take_delay(&mut self) -> Option<Duration> {
        self.delay.take().filter(|d| !d.is_zero())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn limits() -> AuthLimits {
        AuthLimits {
            per_address: 3,
            per_user: 5,
            window: Duration::from_secs(60),
            delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(250),
        }
    }

    #[test]
    fn an_address_is_refused_after_its_failures_and_others_are_not() {
        let guard = AuthGuard::new(limits());
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        for n in 0..3 {
            assert!(!guard.refuses(Some(a), Some("alice")), "after {n}");
            guard.failed(Some(a), Some(&format!("user{n}")));
        }
        assert!(guard.refuses(Some(a), Some("bob")));
        assert!(!guard.refuses(Some(b), Some("bob")));
    }

    #[test]
    fn a_user_is_refused_after_its_failures_from_any_address() {
        let guard = AuthGuard::new(limits());
        for n in 0..5u8 {
            let a = IpAddr::from([127, 0, 1, n]);
            assert!(!guard.refuses(None, Some("alice")));
            guard.failed(Some(a), Some("alice"));
        }
        assert!(guard.refuses(Some(IpAddr::from([127, 0, 2, 1])), Some("alice")));
        assert!(!guard.refuses(Some(IpAddr::from([127, 0, 2, 1])), Some("bob")));
    }

    #[test]
    fn failures_expire_with_the_window() {
        let mut l = limits();
        l.window = Duration::from_millis(50);
        let guard = AuthGuard::new(l);
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        for _ in 0..3 {
            guard.failed(Some(a), None);
        }
        assert!(guard.refuses(Some(a), None));
        std::thread::sleep(Duration::from_millis(80));
        assert!(!guard.refuses(Some(a), None));
    }

    #[test]
    fn the_delay_grows_with_failures_up_to_its_maximum() {
        let guard = AuthGuard::new(limits());
        assert_eq!(guard.delay(1), Duration::from_millis(100));
        assert_eq!(guard.delay(2), Duration::from_millis(200));
        assert_eq!(guard.delay(3), Duration::from_millis(250));
        let mut watch = LoginWatch::new(std::sync::Arc::new(guard), "127.0.0.9:4000");
        assert!(!watch.attempt(Some("alice")));
        watch.update(0);
        assert_eq!(watch.take_delay(), None);
        watch.update(2);
        assert_eq!(watch.take_delay(), Some(Duration::from_millis(200)));
        assert_eq!(watch.take_delay(), None);
    }

    #[test]
    fn the_tables_stay_bounded() {
        let mut table = Table::new();
        let now = Instant::now();
        for n in 0..MAX_TRACKED + 10 {
            table.fail(n, Duration::from_secs(60), now);
        }
        assert_eq!(table.entries.len(), MAX_TRACKED);
        assert!(name_key(&"x".repeat(10_000)).len() <= MAX_NAME);
    }
}
