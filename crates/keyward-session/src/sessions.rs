//! [`Sessions`]: the session rules over a store.

mod accounts;
mod keys;
mod refresh;
mod throttle;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use keyward::token::{Clock, SystemClock};

use crate::{SessionPolicy, SessionStore, ThrottlePolicy};

/// The session rules, written once over any [`SessionStore`]: accounts' credentials and
/// cutoffs, refresh families, throttling and the signing-key ring.
///
/// Cheap to clone when the store is (stores are handles to a pool or a connection).
///
/// ```
/// # async fn f<S: keyward_session::SessionStore>(store: S, peer: std::net::IpAddr) -> Result<(), keyward_session::SessionError> {
/// use keyward::PasswordHasher;
/// use keyward_session::{AccountName, ClientId, Sessions};
///
/// let sessions = Sessions::new(store);
/// let hasher = PasswordHasher::default();
///
/// // Log in: throttle, read the credentials, check the password, start a session.
/// let name = AccountName::new("alice")?;
/// let attempt = sessions.throttle_login(name.as_str(), peer).await?;
/// let account = sessions.find_account(&name).await?.expect("registered");
/// if hasher.verify("correct horse", account.password_hash()).is_ok() {
///     sessions.login_succeeded(attempt).await?;
///     // Refused with CredentialsChanged if the password changed since the read above.
///     let started = sessions.start(&account, &ClientId::new("web")?).await?;
///     let refresh = started.refresh_token().expose_secret();
/// #   let _ = refresh;
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Sessions<S> {
    store: S,
    policy: SessionPolicy,
    throttle: ThrottlePolicy,
    clock: Arc<dyn Clock>,
}

impl<S: SessionStore> Sessions<S> {
    /// The rules over `store`, with the default [`SessionPolicy`] and [`ThrottlePolicy`] and
    /// the system clock.
    pub fn new(store: S) -> Self {
        Sessions {
            store,
            policy: SessionPolicy::default(),
            throttle: ThrottlePolicy::default(),
            clock: Arc::new(SystemClock),
        }
    }

    /// Replaces the session policy.
    #[must_use]
    pub fn with_policy(mut self, policy: SessionPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Replaces the throttle policy.
    #[must_use]
    pub fn with_throttle(mut self, throttle: ThrottlePolicy) -> Self {
        self.throttle = throttle;
        self
    }

    /// Reads time from `clock` (tests inject a [`FixedClock`](keyward::token::FixedClock)).
    #[must_use]
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The session policy.
    pub fn policy(&self) -> &SessionPolicy {
        &self.policy
    }

    /// The throttle policy.
    pub fn throttle_policy(&self) -> &ThrottlePolicy {
        &self.throttle
    }

    /// The rules' current time.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

impl<S> std::fmt::Debug for Sessions<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("policy", &self.policy)
            .field("throttle", &self.throttle)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

/// `instant + span`, saturating at the end of representable time.
pub(crate) fn later(instant: DateTime<Utc>, span: Duration) -> DateTime<Utc> {
    TimeDelta::from_std(span)
        .ok()
        .and_then(|delta| instant.checked_add_signed(delta))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// `instant - span`, saturating at the start of representable time.
pub(crate) fn earlier(instant: DateTime<Utc>, span: Duration) -> DateTime<Utc> {
    TimeDelta::from_std(span)
        .ok()
        .and_then(|delta| instant.checked_sub_signed(delta))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}
