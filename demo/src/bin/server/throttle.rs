//! Guess throttling for password checks: token buckets per (account, client address), per client
//! address and per account.
//!
//! Every password check takes one token from each of three buckets before any hashing, and a
//! successful check gives them back, so only failures count:
//!
//! - **(account, address)**: the lockout a guesser meets. Keyed by both, so an attacker locks
//!   out only himself: the real user, from another address, is unaffected.
//! - **address**: one client's budget across all accounts (password spraying).
//! - **account**: a generous ceiling across all addresses (distributed guessing). This one can
//!   be spent by others: an attacker with many addresses who keeps it empty makes the account
//!   answer 429 for everyone until the attack stops. That is the price of capping distributed
//!   guessing at all; the ceiling is set high so that only a real attack reaches it.
//!
//! Accounts are keyed by the normalized name whether or not the account exists, and the
//! answers depend only on the buckets, so throttling tells nothing about which names exist.
//! IPv6 clients are keyed by their /64, the block one subscriber usually holds.
//!
//! Memory is bounded: each table holds at most `max_entries` keys. A full bucket is the same
//! as no entry, so those are dropped first; if a table is still full (an attack from very many
//! addresses or names), half of it is forgotten, which gives those keys a fresh budget: the
//! per-address bucket still limits what each address can do with it.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A bucket's shape: up to `burst` attempts at once, one more regained every `every`.
#[derive(Clone, Copy, Debug)]
pub struct Rate {
    /// Attempts available when the bucket is full.
    pub burst: u32,
    /// Time to regain one attempt.
    pub every: Duration,
}

/// The three buckets' shapes and the table size.
#[derive(Clone, Copy, Debug)]
pub struct ThrottleConfig {
    /// Failures per (account, address).
    pub account_and_address: Rate,
    /// Failures per address, all accounts together.
    pub address: Rate,
    /// Failures per account, all addresses together.
    pub account: Rate,
    /// Keys kept per table.
    pub max_entries: usize,
}

impl Default for ThrottleConfig {
    /// 5 failures, then one per minute, per (account, address); 20, then one per 10 s, per
    /// address; 100, then one per 36 s (100 an hour), per account; 100,000 keys per table.
    fn default() -> Self {
        ThrottleConfig {
            account_and_address: Rate {
                burst: 5,
                every: Duration::from_secs(60),
            },
            address: Rate {
                burst: 20,
                every: Duration::from_secs(10),
            },
            account: Rate {
                burst: 100,
                every: Duration::from_secs(36),
            },
            max_entries: 100_000,
        }
    }
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl Bucket {
    fn level(&self, rate: Rate, now: Instant) -> f64 {
        let regained = now.saturating_duration_since(self.updated).as_secs_f64()
            / rate.every.as_secs_f64().max(f64::EPSILON);
        (self.tokens + regained).min(f64::from(rate.burst))
    }
}

struct Table<K> {
    rate: Rate,
    max_entries: usize,
    buckets: HashMap<K, Bucket>,
}

impl<K: Eq + Hash + Clone> Table<K> {
    fn new(rate: Rate, max_entries: usize) -> Self {
        Table {
            rate,
            max_entries,
            buckets: HashMap::new(),
        }
    }

    fn level(&self, key: &K, now: Instant) -> f64 {
        self.buckets
            .get(key)
            .map_or(f64::from(self.rate.burst), |b| b.level(self.rate, now))
    }

    /// How long until one attempt is available (zero if one is).
    fn wait(&self, key: &K, now: Instant) -> Duration {
        let missing = 1.0 - self.level(key, now);
        if missing <= 0.0 {
            Duration::ZERO
        } else {
            self.rate.every.mul_f64(missing)
        }
    }

    fn add(&mut self, key: &K, delta: f64, now: Instant) {
        let tokens = (self.level(key, now) + delta).min(f64::from(self.rate.burst));
        if !self.buckets.contains_key(key) && self.buckets.len() >= self.max_entries {
            self.make_room(now);
        }
        self.buckets.insert(
            key.clone(),
            Bucket {
                tokens,
                updated: now,
            },
        );
    }

    fn make_room(&mut self, now: Instant) {
        let (rate, full) = (self.rate, f64::from(self.rate.burst));
        self.buckets
            .retain(|_, bucket| bucket.level(rate, now) < full);
        if self.buckets.len() >= self.max_entries {
            tracing::warn!(
                entries = self.buckets.len(),
                "throttle table full: forgetting half of it"
            );
            let mut keep = false;
            self.buckets.retain(|_, _| {
                keep = !keep;
                keep
            });
        }
    }
}

/// The client address as the throttle keys it: IPv4 as is, IPv6 by its /64.
fn address_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                IpAddr::V4(v4)
            } else {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(segments.into())
            }
        }
        v4 @ IpAddr::V4(_) => v4,
    }
}

/// The three tables.
pub struct Throttle {
    tables: Mutex<Tables>,
}

struct Tables {
    pair: Table<(String, IpAddr)>,
    address: Table<IpAddr>,
    account: Table<String>,
}

/// One attempt's tokens, to give back with [`Throttle::succeeded`] when the password was right.
#[must_use = "give the tokens back on success"]
pub struct Attempt {
    account: String,
    address: IpAddr,
}

impl Throttle {
    /// Empty tables with `config`'s shapes.
    pub fn new(config: ThrottleConfig) -> Self {
        Throttle {
            tables: Mutex::new(Tables {
                pair: Table::new(config.account_and_address, config.max_entries),
                address: Table::new(config.address, config.max_entries),
                account: Table::new(config.account, config.max_entries),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Tables> {
        self.tables
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes one attempt for `account` (a normalized name) from `address`, or says how long to
    /// wait when any of the three buckets is empty (then nothing is taken).
    pub fn attempt(&self, account: &str, address: IpAddr) -> Result<Attempt, Duration> {
        self.attempt_at(account, address, Instant::now())
    }

    fn attempt_at(
        &self,
        account: &str,
        address: IpAddr,
        now: Instant,
    ) -> Result<Attempt, Duration> {
        let address = address_key(address);
        let pair = (account.to_owned(), address);
        let account = account.to_owned();
        let mut tables = self.lock();
        let wait = tables
            .pair
            .wait(&pair, now)
            .max(tables.address.wait(&address, now))
            .max(tables.account.wait(&account, now));
        if !wait.is_zero() {
            return Err(wait);
        }
        tables.pair.add(&pair, -1.0, now);
        tables.address.add(&address, -1.0, now);
        tables.account.add(&account, -1.0, now);
        Ok(Attempt { account, address })
    }

    /// The password was right: the attempt does not count.
    pub fn succeeded(&self, attempt: Attempt) {
        let now = Instant::now();
        let mut tables = self.lock();
        let Attempt { account, address } = attempt;
        tables.address.add(&address, 1.0, now);
        tables.account.add(&account, 1.0, now);
        tables.pair.add(&(account, address), 1.0, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tight() -> ThrottleConfig {
        let rate = |burst| Rate {
            burst,
            every: Duration::from_secs(60),
        };
        ThrottleConfig {
            account_and_address: rate(2),
            address: rate(3),
            account: rate(4),
            max_entries: 8,
        }
    }

    #[test]
    fn ipv6_clients_share_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
    }

    #[test]
    fn buckets_refill_over_time() {
        let throttle = Throttle::new(tight());
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let t0 = Instant::now();
        let _ = throttle.attempt_at("alice", ip, t0).unwrap();
        let _ = throttle.attempt_at("alice", ip, t0).unwrap();
        let wait = throttle.attempt_at("alice", ip, t0).err().unwrap();
        assert_eq!(wait, Duration::from_secs(60));
        let _ = throttle
            .attempt_at("alice", ip, t0 + Duration::from_secs(60))
            .unwrap();
    }

    #[test]
    fn tables_stay_bounded() {
        let throttle = Throttle::new(tight());
        let t0 = Instant::now();
        for i in 0..100u8 {
            let ip = IpAddr::from([192, 0, 2, i]);
            let _ = throttle.attempt_at(&format!("user{i}"), ip, t0);
        }
        let tables = throttle.lock();
        assert!(tables.pair.buckets.len() <= 8);
        assert!(tables.address.buckets.len() <= 8);
        assert!(tables.account.buckets.len() <= 8);
    }
}
