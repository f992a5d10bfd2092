//! The store traits: the atomic operations the session rules are built from.
//!
//! Each method is one atomic operation of the store: one statement, or one transaction. The
//! rules in [`Sessions`](crate::Sessions) depend on that: two replicas may call any of them at
//! the same instant, and the outcome must be as if one ran after the other. The conformance
//! suite (`keyward_session::testing`, feature `testing`) checks every method, and races them.
//!
//! Times are given by the caller (the rules' [`Clock`](keyward::token::Clock)), never read
//! from the database server's clock, so tests can move time and replicas agree on it as well
//! as their clocks do.
//!
//! The methods return `impl Future + Send`, so a store can be async (Postgres) or run
//! blocking calls on a thread pool (SQLite).

mod accounts;
mod keys;
mod refresh;
mod throttle;

pub use accounts::{AccountStore, CredentialChange, NewAccount};
pub use keys::KeyStore;
pub use refresh::{
    ExchangeOutcome, ExchangeRequest, FamilyStart, MissVerdict, MissedToken, NewFamily,
    RefreshStore,
};
pub use throttle::{TakeOutcome, ThrottleStore};

/// Everything the session rules need: the four stores in one.
pub trait SessionStore: AccountStore + RefreshStore + ThrottleStore + KeyStore {}

impl<S: AccountStore + RefreshStore + ThrottleStore + KeyStore> SessionStore for S {}
