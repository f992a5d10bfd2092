//! The caller's hook for refusing tokens that are otherwise valid.

use chrono::{DateTime, Utc};

use super::TokenKind;

/// What a [`RevocationCheck`] sees of a token whose signature and claims are already valid.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct TokenInfo<'a> {
    /// `sub`.
    pub subject: &'a str,
    /// `jti`, when the token has one (keyward's tokens always do).
    pub token_id: Option<&'a str>,
    /// `iat`; `None` only when the verifier accepts tokens without it.
    pub issued_at: Option<DateTime<Utc>>,
    /// `exp`.
    pub expires_at: DateTime<Utc>,
    /// Access or refresh.
    pub kind: TokenKind,
}

/// A caller-supplied check run after every other check passes; returning `true` refuses the
/// token with [`TokenError::Revoked`](crate::token::TokenError::Revoked).
///
/// keyward stores nothing: the check consults the caller's own state, such as a denylist of
/// `jti`s or a per-user "tokens issued before T are void" time. Any
/// `Fn(&TokenInfo) -> bool + Send + Sync` is a `RevocationCheck`. It
/// runs on every verification, so keep it fast (an in-memory lookup, not a network call).
///
/// Key it on `jti` or on the subject and `iat`, never on the token's text: ECDSA signatures
/// are malleable (anyone can turn a valid `(r, s)` into the equally valid `(r, n − s)`), so one
/// ES256 token can be presented in two spellings, and a denylist of token strings would miss
/// the second.
///
/// ```
/// use std::collections::HashSet;
/// use std::sync::{Arc, RwLock};
/// use keyward::token::{SigningKey, TokenError, TokenInfo, TokenIssuer};
///
/// let denied: Arc<RwLock<HashSet<String>>> = Arc::default();
/// let list = Arc::clone(&denied);
/// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?).with_revocation_check(move |token: &TokenInfo<'_>| {
///     token.token_id.is_some_and(|id| list.read().unwrap().contains(id))
/// });
///
/// let token = issuer.issue("alice", &())?;
/// let claims = issuer.verify::<()>(&token)?;
/// denied.write().unwrap().insert(claims.token_id.unwrap()); // log out
/// assert_eq!(issuer.verify::<()>(&token).unwrap_err(), TokenError::Revoked);
/// # Ok::<(), TokenError>(())
/// ```
pub trait RevocationCheck: Send + Sync {
    /// Whether the token must be refused.
    fn is_revoked(&self, token: &TokenInfo<'_>) -> bool;
}

impl<F> RevocationCheck for F
where
    F: Fn(&TokenInfo<'_>) -> bool + Send + Sync,
{
    fn is_revoked(&self, token: &TokenInfo<'_>) -> bool {
        self(token)
    }
}
