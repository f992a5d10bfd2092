//! The session rules of a login service, written once over a store trait: refresh-token
//! families with reuse detection, credential changes that end every session, failed-login
//! throttling with shared counters, and the signing-key ring.
//!
//! [`Sessions`] holds the rules; a [`SessionStore`] holds the state, in a database every
//! replica shares. The stores are companion crates: `keyward-session-sqlite` (embedded, one
//! process) and `keyward-session-postgres` (one database, many replicas). Each store method is
//! one atomic operation, and the conformance suite in [`testing`] (feature `testing`) runs
//! against every store, races included.
//!
//! | rule | methods |
//! |---|---|
//! | accounts and credentials | [`Sessions::register`], [`Sessions::find_account`], [`Sessions::update_hash`], [`Sessions::change_password`], [`Sessions::resolve_subject`] |
//! | refresh families | [`Sessions::start`], [`Sessions::exchange`], [`Sessions::revoke`], [`Sessions::end_all_sessions`] |
//! | access-token cutoff | [`Sessions::is_access_voided`] |
//! | throttling | [`Sessions::throttle_login`], [`Sessions::login_succeeded`], [`Sessions::throttle_registration`] |
//! | signing keys | [`Sessions::key_ring`], [`Sessions::install_signing_key`], [`Sessions::stage_next_key`], [`Sessions::rotate_keys`] |
//!
//! **Credentials unchanged.** A password check reads the account's hash with its
//! [`CredentialVersion`]; [`Sessions::start`] and [`Sessions::update_hash`] write only if that
//! version is still current, in the same transaction, and a password change moves it, revokes
//! every family and sets the [`Cutoff`] in one transaction. A login in flight during a password
//! change gets no session, and its rehash cannot write the old password back.
//!
//! **Access tokens across replicas.** Access tokens are stateless; a password change or a
//! "log out everywhere" voids those issued before it by the account's cutoff. Check
//! [`Sessions::is_access_voided`] on every request: one primary-key read, so every replica
//! refuses them from its next request on (no cache to invalidate, no notification to miss).
//!
//! A login service's handlers, in outline (any store; errors map to HTTP answers):
//!
//! ```no_run
//! use std::net::IpAddr;
//! use keyward::{PasswordHasher, TokenIssuer};
//! use keyward_session::{AccountName, ClientId, SessionError, SessionStore, Sessions};
//!
//! async fn login<S: SessionStore>(
//!     sessions: &Sessions<S>, hasher: &PasswordHasher, issuer: &TokenIssuer,
//!     name: &str, password: &str, peer: IpAddr,
//! ) -> Result<Option<(String, String)>, SessionError> {
//!     let attempt = sessions.throttle_login(name, peer).await?; // Throttled: 429
//!     let Some(account) = sessions.find_account(&AccountName::new(name)?).await? else {
//!         let _ = hasher.dummy_verify(password); // equal work for unknown names
//!         return Ok(None); // 401
//!     };
//!     if hasher.verify(password, account.password_hash()).is_err() {
//!         return Ok(None); // 401; the attempt stays counted
//!     }
//!     sessions.login_succeeded(attempt).await?;
//!     if hasher.needs_rehash(account.password_hash()).unwrap_or(false) {
//!         if let Ok(upgraded) = hasher.hash(password) {
//!             // CredentialsChanged: the password changed meanwhile; nothing written.
//!             let _ = sessions.update_hash(&account, &upgraded).await;
//!         }
//!     }
//!     // CredentialsChanged: a password change committed after the check; 401.
//!     let started = sessions.start(&account, &ClientId::new("web")?).await?;
//!     // started.access_not_before(): wait until then (at most a second) before signing.
//!     let access = issuer.issue(account.name().as_str(), &()).expect("sign");
//!     Ok(Some((access, started.refresh_token().expose_secret().to_owned())))
//! }
//!
//! async fn refresh<S: SessionStore>(
//!     sessions: &Sessions<S>, issuer: &TokenIssuer, presented: &str,
//! ) -> Result<(String, String), SessionError> {
//!     // RefreshReused (log it: a stolen token) and RefreshRefused are both 401.
//!     let rotated = sessions.exchange(presented).await?;
//!     let access = issuer.issue(rotated.account().as_str(), &()).expect("sign");
//!     Ok((access, rotated.refresh_token().expose_secret().to_owned()))
//! }
//!
//! async fn authenticate<S: SessionStore>(
//!     sessions: &Sessions<S>, issuer: &TokenIssuer, bearer: &str,
//! ) -> Result<Option<String>, SessionError> {
//!     let Ok(claims) = issuer.verify::<()>(bearer) else { return Ok(None) };
//!     // Per request: a password change on any replica voids older tokens everywhere.
//!     if sessions.is_access_voided(&claims.subject, claims.issued_at).await? {
//!         return Ok(None);
//!     }
//!     Ok(Some(claims.subject))
//! }
//! ```
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

pub mod account;
mod error;
pub mod keys;
mod policy;
pub mod refresh;
mod sessions;
pub mod store;
pub mod throttle;

#[cfg(feature = "testing")]
pub mod testing;

pub use account::{AccountName, AccountRecord, CredentialVersion, Cutoff, SubjectKey};
pub use error::{SessionError, StoreError, StoreErrorKind};
pub use keys::{KeyRing, KeyRotation, KeyState, RotationOutcome, StoredKey};
pub use policy::SessionPolicy;
pub use refresh::{ClientId, FamilyId, RefreshToken, Rotated, SealedSuccessor, Started};
pub use sessions::Sessions;
pub use store::SessionStore;
pub use throttle::{AddressGroup, BucketKey, Ipv6Prefix, LoginAttempt, Rate, ThrottlePolicy};
