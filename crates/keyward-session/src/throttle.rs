//! Failed-login and registration throttling, with counters shared through the store.
//!
//! Every password check takes one token from each of up to three token buckets before any
//! hashing, as one atomic store operation (all or none), and a successful check gives them
//! back, so only failures count:
//!
//! - **(account, address group)**: the lockout a guesser meets (default 5, then one a minute).
//!   Keyed by both, so a guesser locks out only his own network.
//! - **address group**: one network's budget across all accounts (password spraying; default
//!   20, then one every 10 s).
//! - **account**: a ceiling across all networks (distributed guessing; default 100, then 100
//!   an hour). This is the one an attacker could spend to lock the owner out, so it does not
//!   apply to **known devices**: networks from which the account logged in successfully within
//!   the last 30 days (OWASP Authentication Cheat Sheet, "Account lockout": lockouts should
//!   not let an attacker deny service to the real user). The owner keeps logging in from a
//!   known network during an attack; only networks new to the account meet the ceiling.
//!
//! **Address groups.** IPv4 addresses count one by one. IPv6 addresses count by prefix,
//! [`Ipv6Prefix::DEFAULT`] /56: a subscriber usually receives a /56 or a /48 (RIPE-690
//! recommends /56 at least, /48 for business), and every /64 inside it is theirs to use, so
//! keying by /64 gives one subscriber 256 budgets. That is how 21 /64s of one /56 at 5
//! guesses each emptied a 100-guess account ceiling in 1.2 s. By /56, that attacker has one
//! budget of 5, and reaching the account ceiling takes 20 separate subscribers' networks, and
//! even then the owner's known networks are not refused. /64 remains a named option
//! ([`Ipv6Prefix::new`]) for networks known to hand out /64s per subscriber.

mod address;
mod policy;
mod rate;

pub use address::{AddressGroup, Ipv6Prefix};
pub use policy::{LoginAttempt, ThrottlePolicy};
pub use rate::{BucketKey, Rate};
