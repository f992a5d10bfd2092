//! The conformance suite every store runs (feature `testing`).
//!
//! A store crate implements [`StoreFactory`] (a fresh, empty, migrated store per case) and
//! expands [`conformance_tests!`](crate::conformance_tests) in a test file, which makes one
//! `#[tokio::test]` per case:
//!
//! ```ignore
//! struct Factory;
//! impl keyward_session::testing::StoreFactory for Factory {
//!     type Store = MyStore;
//!     async fn fresh(&self) -> MyStore { MyStore::open_temporary().await.unwrap() }
//! }
//! keyward_session::conformance_tests!(Factory);
//! ```
//!
//! The cases drive [`Sessions`] over the store with a [`TestClock`], so
//! expiry is tested by moving time, and race
//! the atomic operations with many concurrent calls (real concurrency on the database: the
//! store's calls run on its own threads or connections).

// Test code: every case panics, with a message, when the store breaks a rule.
#![allow(clippy::missing_panics_doc)]

mod accounts;
mod keys;
mod load;
mod races;
mod refresh;
mod throttle;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use keyward::PasswordHash;
use keyward::password::{Cost, PasswordHasher};
use keyward::token::Clock;

pub use accounts::*;
pub use keys::*;
pub use load::{LoadReport, cutoff_check_load, exchange_load};
pub use races::*;
pub use refresh::*;
pub use throttle::*;

use crate::{AccountName, AccountRecord, ClientId, SessionStore, Sessions};

/// Makes a fresh, empty store for one case.
pub trait StoreFactory: Send + Sync {
    /// The store.
    type Store: SessionStore + Clone + 'static;

    /// A new empty store, migrated. Panics (it is test code) when it cannot.
    fn fresh(&self) -> impl Future<Output = Self::Store> + Send;

    /// Whether the store's backend can run here; `false` skips every case (the factory says
    /// why on stderr). A factory whose backend must be present (in CI) panics instead.
    fn available(&self) -> bool {
        true
    }
}

/// One case's setting: the rules over a fresh store, on a clock the case moves.
pub struct Harness<S> {
    /// The rules.
    pub sessions: Sessions<S>,
    /// The clock the rules read.
    pub clock: Arc<TestClock>,
}

/// The clock's start: 2026-01-01T00:00:00Z.
pub const START: i64 = 1_767_225_600;

impl<S: SessionStore + Clone + 'static> Harness<S> {
    /// The rules over `store` with default policies, at [`START`].
    pub fn new(store: S) -> Self {
        let clock = Arc::new(TestClock::at_unix_seconds(START));
        Harness {
            sessions: Sessions::new(store).with_clock(Arc::clone(&clock)),
            clock,
        }
    }

    /// Registers a new account with a cheap bcrypt hash of `password`.
    ///
    /// # Panics
    ///
    /// When registration fails.
    pub async fn account(&self, name: &str, password: &str) -> AccountRecord {
        let name = AccountName::new(name).expect("valid name");
        self.sessions
            .register(&name, &hash(password))
            .await
            .expect("register")
    }
}

/// A bcrypt hash at the lowest cost (fast enough for tests).
///
/// # Panics
///
/// When hashing fails.
pub fn hash(password: &str) -> PasswordHash {
    PasswordHasher::default()
        .with_cost(Cost::MIN)
        .hash(password)
        .expect("hash")
}

/// The suite's client id.
///
/// # Panics
///
/// Never: the id is valid.
pub fn client() -> ClientId {
    ClientId::new("conformance-client").expect("valid client id")
}

/// A name unique within this process (`prefix-N`), so cases never collide.
pub fn unique(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("{prefix}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Expands to one `#[tokio::test]` per conformance case, each on `$factory.fresh()`.
#[macro_export]
macro_rules! conformance_tests {
    ($factory:expr) => {
        $crate::conformance_tests!(@cases $factory;
            register_then_find, name_taken_is_refused_and_quiet_registration_hides_it,
            exchange_rotates_once, reuse_revokes_the_whole_family, malformed_unknown_and_expired_tokens_are_refused,
            family_ends_at_its_absolute_lifetime, grace_replay_returns_the_same_successor,
            grace_does_not_outlive_its_interval, revoke_is_rfc7009, purge_forgets_expired_tokens,
            password_change_refuses_sessions_and_rehashes_based_on_old_credentials,
            password_change_ends_sessions_and_voids_access_tokens, end_all_sessions_voids_everything,
            subject_maps_to_exactly_one_account,
            pair_bucket_locks_out_only_the_guessing_network, success_gives_the_attempt_back,
            ipv6_networks_are_grouped_by_56, account_ceiling_spares_known_devices,
            registration_is_throttled_per_network, ipv6_lockout_is_not_for_sale,
            ring_installs_once_across_replicas, next_key_is_published_before_it_signs,
            retired_key_is_published_until_its_deadline_then_pruned,
            concurrent_exchanges_have_one_winner, logins_in_flight_lose_to_a_password_change,
            concurrent_throttle_takes_lose_no_count
        );
    };
    (@cases $factory:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                if !$crate::testing::StoreFactory::available(&$factory) {
                    return;
                }
                let store = $crate::testing::StoreFactory::fresh(&$factory).await;
                $crate::testing::$case(store).await;
            }
        )*
    };
}

/// A clock that stands still until told to move, in milliseconds (keyward's `FixedClock`
/// counts whole seconds; the grace interval and cutoffs need finer steps).
#[derive(Debug)]
pub struct TestClock(std::sync::atomic::AtomicI64);

impl TestClock {
    /// A clock at `seconds` after the Unix epoch.
    pub fn at_unix_seconds(seconds: i64) -> Self {
        TestClock(std::sync::atomic::AtomicI64::new(
            seconds.saturating_mul(1000),
        ))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: std::time::Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.0.fetch_add(ms, Ordering::SeqCst);
    }

    /// Sets the clock.
    pub fn set(&self, instant: DateTime<Utc>) {
        self.0.store(instant.timestamp_millis(), Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.0.load(Ordering::SeqCst))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}
