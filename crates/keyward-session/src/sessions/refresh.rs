//! Refresh families: start, exchange, revoke, purge.

use keyward::token::TokenDigest;

use super::{Sessions, earlier, later};
use crate::store::{ExchangeOutcome, ExchangeRequest, FamilyStart, NewFamily};
use crate::{
    AccountName, AccountRecord, ClientId, Cutoff, FamilyId, RefreshToken, Rotated, SealedSuccessor,
    SessionError, SessionStore, Started,
};

impl<S: SessionStore> Sessions<S> {
    /// Starts a session for `account` (read with [`find_account`](Self::find_account), and
    /// its password checked): a new family with one refresh token, stored only if the
    /// account's credentials have not changed since `account` was read, in the same
    /// transaction. A login that checked the old password while a password change committed
    /// gets [`SessionError::CredentialsChanged`] and no session.
    ///
    /// # Errors
    ///
    /// [`SessionError::CredentialsChanged`]; [`SessionError::RandomnessUnavailable`];
    /// [`SessionError::Store`].
    ///
    /// ```no_run
    /// # async fn f<S: keyward_session::SessionStore>(sessions: keyward_session::Sessions<S>) -> Result<(), keyward_session::SessionError> {
    /// # let account = sessions.find_account(&keyward_session::AccountName::new("alice")?).await?.unwrap();
    /// let started = sessions.start(&account, &keyward_session::ClientId::new("web")?).await?;
    /// let for_client = started.refresh_token().expose_secret();
    /// # let _ = for_client;
    /// # Ok(()) }
    /// ```
    pub async fn start(
        &self,
        account: &AccountRecord,
        client: &ClientId,
    ) -> Result<Started, SessionError> {
        let now = self.now();
        let token = RefreshToken::generate()?;
        let family_expires_at = later(now, self.policy.family_lifetime());
        let token_expires_at =
            later(now, self.policy.refresh_ttl().as_duration()).min(family_expires_at);
        let family = NewFamily {
            family: FamilyId::generate()?,
            account: account.name().clone(),
            client: client.clone(),
            seen: account.credential_version(),
            digest: token.digest(),
            now,
            token_expires_at,
            family_expires_at,
        };
        match self.store.start_family(&family).await? {
            FamilyStart::Started { cutoff } => Ok(Started {
                family: family.family,
                refresh_token: token,
                refresh_expires_at: token_expires_at,
                cutoff: self.pending(cutoff),
            }),
            FamilyStart::CredentialsChanged => Err(SessionError::CredentialsChanged {
                account: account.name().clone(),
            }),
        }
    }

    /// Exchanges the refresh token `presented` for its successor, as one compare-and-set in
    /// the store: of any number of concurrent exchanges of one token, exactly one rotates.
    ///
    /// A token already exchanged, presented again, revokes its whole family (every token of
    /// that login) and is reported as [`SessionError::RefreshReused`], unless it comes within
    /// the policy's reuse grace interval, when it gets the successor the first exchange got
    /// ([`Rotated::replayed`]).
    ///
    /// # Errors
    ///
    /// [`SessionError::RefreshReused`]; [`SessionError::RefreshRefused`] for a malformed,
    /// unknown or expired token, a revoked family, or one past its absolute lifetime;
    /// [`SessionError::RandomnessUnavailable`]; [`SessionError::Store`].
    ///
    /// ```no_run
    /// # async fn f<S: keyward_session::SessionStore>(sessions: keyward_session::Sessions<S>) -> Result<(), keyward_session::SessionError> {
    /// # let presented = "A".repeat(43);
    /// match sessions.exchange(&presented).await {
    ///     Ok(rotated) => { let _ = rotated.refresh_token().expose_secret(); }
    ///     Err(keyward_session::SessionError::RefreshReused { account, family }) => { let _ = (account, family); } // log it
    ///     Err(other) => return Err(other),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn exchange(&self, presented: &str) -> Result<Rotated, SessionError> {
        let digest =
            TokenDigest::of_presented(presented).map_err(|_| SessionError::RefreshRefused)?;
        let now = self.now();
        let successor = RefreshToken::generate()?;
        let grace = self.policy.reuse_grace();
        let request = ExchangeRequest {
            presented: digest,
            successor: successor.digest(),
            sealed: (!grace.is_zero()).then(|| SealedSuccessor::seal(presented, &successor)),
            now,
            successor_expires_at: later(now, self.policy.refresh_ttl().as_duration()),
            grace_after: earlier(now, grace),
        };
        match self.store.exchange(&request).await? {
            ExchangeOutcome::Rotated {
                account,
                client,
                family,
                cutoff,
            } => Ok(Rotated {
                account,
                client,
                family,
                refresh_token: successor,
                replayed: false,
                cutoff: self.pending(cutoff),
            }),
            ExchangeOutcome::Replayed {
                account,
                client,
                family,
                cutoff,
                sealed,
            } => Ok(Rotated {
                account,
                client,
                family,
                refresh_token: sealed.open(presented)?,
                replayed: true,
                cutoff: self.pending(cutoff),
            }),
            ExchangeOutcome::Reused { account, family } => {
                Err(SessionError::RefreshReused { account, family })
            }
            ExchangeOutcome::Refused => Err(SessionError::RefreshRefused),
        }
    }

    /// Revokes the session of the refresh token `presented` (RFC 7009): its whole family.
    /// Returns the account and family, or `None` for a token that is malformed or was never
    /// issued, which RFC 7009 §2.2 answers as a success too.
    ///
    /// # Errors
    ///
    /// [`SessionError::Store`].
    ///
    /// ```no_run
    /// # async fn f<S: keyward_session::SessionStore>(sessions: keyward_session::Sessions<S>) -> Result<(), keyward_session::SessionError> {
    /// let ended = sessions.revoke("any token the client sent").await?; // None: nothing to end
    /// assert!(ended.is_none());
    /// # Ok(()) }
    /// ```
    pub async fn revoke(
        &self,
        presented: &str,
    ) -> Result<Option<(AccountName, FamilyId)>, SessionError> {
        let Ok(digest) = TokenDigest::of_presented(presented) else {
            return Ok(None);
        };
        Ok(self.store.revoke_family_of(&digest, self.now()).await?)
    }

    /// Deletes expired tokens and ended families; returns how many tokens. Run it now and
    /// then (a replica's timer), not on every request.
    ///
    /// # Errors
    ///
    /// [`SessionError::Store`].
    ///
    /// ```no_run
    /// # async fn f<S: keyward_session::SessionStore>(sessions: keyward_session::Sessions<S>) -> Result<(), keyward_session::SessionError> {
    /// let purged = sessions.purge_expired().await?;
    /// # let _ = purged;
    /// # Ok(()) }
    /// ```
    pub async fn purge_expired(&self) -> Result<u64, SessionError> {
        Ok(self.store.purge_expired(self.now()).await?)
    }

    /// The cutoff, if tokens issued now would still be void by it.
    fn pending(&self, cutoff: Option<Cutoff>) -> Option<Cutoff> {
        cutoff.filter(|cutoff| cutoff.voids(self.now()))
    }
}
