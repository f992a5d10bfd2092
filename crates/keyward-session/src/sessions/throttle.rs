//! Throttling logins and registrations.

use std::net::IpAddr;

use super::{Sessions, later};
use crate::store::TakeOutcome;
use crate::{AddressGroup, BucketKey, LoginAttempt, SessionError, SessionStore};

impl<S: SessionStore> Sessions<S> {
    /// Takes one failed-login allowance for `account` (the name as the client typed it, after
    /// the application's normalization; names that do not exist are counted the same way)
    /// from `address`, before any password hashing. See the [throttle rules](crate::throttle).
    ///
    /// Give the attempt back with [`login_succeeded`](Self::login_succeeded) when the
    /// password was right; drop it when it was wrong.
    ///
    /// # Errors
    ///
    /// [`SessionError::Throttled`] with the wait (nothing taken); [`SessionError::Store`].
    ///
    /// ```no_run
    /// # async fn f<S: keyward_session::SessionStore>(sessions: keyward_session::Sessions<S>) -> Result<(), keyward_session::SessionError> {
    /// let peer: std::net::IpAddr = "2001:db8::1".parse().unwrap();
    /// let attempt = sessions.throttle_login("alice", peer).await?; // Throttled: answer 429
    /// // ...the password was right:
    /// sessions.login_succeeded(attempt).await?;
    /// # Ok(()) }
    /// ```
    pub async fn throttle_login(
        &self,
        account: &str,
        address: IpAddr,
    ) -> Result<LoginAttempt, SessionError> {
        let now = self.now();
        let group = AddressGroup::of(address, self.throttle.ipv6_prefix());
        let group_text = group.to_string();
        let account = bounded(account);
        let device = BucketKey::new("login-pair", &[account, &group_text]);
        let mut buckets = vec![
            (device.clone(), self.throttle.account_and_address()),
            (
                BucketKey::new("login-address", &[&group_text]),
                self.throttle.address(),
            ),
        ];
        if !self.store.is_known_device(&device, now).await? {
            buckets.push((
                BucketKey::new("login-account", &[account]),
                self.throttle.account(),
            ));
        }
        match self.store.take(&buckets, now).await? {
            TakeOutcome::Taken => Ok(LoginAttempt {
                buckets,
                device,
                group,
            }),
            TakeOutcome::Empty { retry_after } => Err(SessionError::Throttled { retry_after }),
        }
    }

    /// The password of `attempt` was right: its allowances are given back, and its network
    /// becomes known to the account (exempt from the account-wide ceiling) for the policy's
    /// known-device period.
    ///
    /// # Errors
    ///
    /// [`SessionError::Store`].
    ///
    /// ```no_run
    /// # async fn f<S: keyward_session::SessionStore>(sessions: keyward_session::Sessions<S>) -> Result<(), keyward_session::SessionError> {
    /// let attempt = sessions.throttle_login("alice", [192, 0, 2, 1].into()).await?;
    /// sessions.login_succeeded(attempt).await?;
    /// # Ok(()) }
    /// ```
    pub async fn login_succeeded(&self, attempt: LoginAttempt) -> Result<(), SessionError> {
        let now = self.now();
        self.store.refund(&attempt.buckets, now).await?;
        let until = later(now, self.throttle.known_device_for());
        self.store.remember_device(&attempt.device, until).await?;
        Ok(())
    }

    /// Takes one registration allowance from `address`'s group.
    ///
    /// # Errors
    ///
    /// [`SessionError::Throttled`] with the wait; [`SessionError::Store`].
    ///
    /// ```no_run
    /// # async fn f<S: keyward_session::SessionStore>(sessions: keyward_session::Sessions<S>) -> Result<(), keyward_session::SessionError> {
    /// sessions.throttle_registration([192, 0, 2, 1].into()).await?; // Throttled: 429
    /// # Ok(()) }
    /// ```
    pub async fn throttle_registration(&self, address: IpAddr) -> Result<(), SessionError> {
        let group = AddressGroup::of(address, self.throttle.ipv6_prefix()).to_string();
        let buckets = [(
            BucketKey::new("register-address", &[&group]),
            self.throttle.registration(),
        )];
        match self.store.take(&buckets, self.now()).await? {
            TakeOutcome::Taken => Ok(()),
            TakeOutcome::Empty { retry_after } => Err(SessionError::Throttled { retry_after }),
        }
    }
}

/// At most 256 bytes of `name` (at a character boundary), so bucket keys stay small whatever
/// a client sends.
fn bounded(name: &str) -> &str {
    let mut end = name.len().min(crate::AccountName::MAX_BYTES);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}
