//! Several issuers, each with its own keys and policy, chosen by the token's `iss`.

use std::collections::HashMap;
use std::fmt;

use keyward::token::{Claim, Claims, TokenError, dangerous};
use serde::de::DeserializeOwned;

use crate::KeySource;

/// The issuers a service accepts tokens from, each with its own [`KeySource`]: a token is
/// checked by the source registered for its `iss` claim.
///
/// The `iss` is read from the unverified payload only to pick the source. The chosen source's
/// verifier then checks the whole token, and the verified `iss` must again be the one that
/// picked it, so a token can never be verified under another issuer's policy. A token with no
/// `iss`, or one not registered here, is refused as
/// [`TokenError::InvalidIssuer`] before any signature is checked. Picking reads the token
/// with [`dangerous::decode_unverified`], so a token over
/// [`TokenVerifier::DEFAULT_MAX_TOKEN_BYTES`](keyward::token::TokenVerifier::DEFAULT_MAX_TOKEN_BYTES)
/// is refused (`TooLarge`) whatever cap the issuer's own verifier has.
///
/// ```
/// use keyward::token::TokenIssuer;
/// use keyward_tower::{BearerAuth, Issuers};
///
/// let staff = TokenIssuer::hs256([1u8; 32])?.with_issuer("https://staff.example.com");
/// let partners = TokenIssuer::hs256([2u8; 32])?.with_issuer("https://partners.example.com");
/// let auth: BearerAuth = BearerAuth::by_issuer(
///     Issuers::new()
///         .with_issuer("https://staff.example.com", staff.verifier().with_issuer("https://staff.example.com"))
///         .with_issuer("https://partners.example.com", partners.verifier().with_issuer("https://partners.example.com")),
/// );
/// # let _ = auth;
/// # Ok::<(), keyward::token::TokenError>(())
/// ```
#[derive(Clone, Default)]
pub struct Issuers {
    by_name: HashMap<String, KeySource>,
}

impl Issuers {
    /// No issuers yet: every token is refused until one is added.
    ///
    /// ```
    /// # use keyward_tower::Issuers;
    /// let issuers = Issuers::new();
    /// # let _ = issuers;
    /// ```
    pub fn new() -> Self {
        Issuers::default()
    }

    /// Returns these issuers with `issuer`'s tokens checked by `source`; a second call for
    /// the same `issuer` replaces the first. `issuer` is compared byte for byte with the
    /// token's `iss` (RFC 7519 §4.1.1: a case-sensitive string).
    ///
    /// ```
    /// # use keyward::token::TokenIssuer;
    /// # use keyward_tower::Issuers;
    /// let issuer = TokenIssuer::hs256([1u8; 32])?.with_issuer("a");
    /// let issuers = Issuers::new().with_issuer("a", issuer.verifier().with_issuer("a"));
    /// # let _ = issuers;
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_issuer(mut self, issuer: impl Into<String>, source: impl Into<KeySource>) -> Self {
        self.by_name.insert(issuer.into(), source.into());
        self
    }

    /// The registered name and source for the token's unverified `iss`.
    fn pick(&self, token: &str) -> Result<(&str, &KeySource), TokenError> {
        let seen = dangerous::decode_unverified::<serde_json::Value>(token)?;
        let claimed = match seen.claims.get("iss") {
            None => return Err(TokenError::MissingClaim(Claim::Issuer)),
            Some(serde_json::Value::String(issuer)) => issuer.as_str(),
            Some(other) => {
                return Err(TokenError::InvalidIssuer {
                    found: other.to_string(),
                });
            }
        };
        self.by_name
            .get_key_value(claimed)
            .map(|(name, source)| (name.as_str(), source))
            .ok_or_else(|| TokenError::InvalidIssuer {
                found: claimed.to_owned(),
            })
    }

    /// Verifies now when the picked source needs no fetch; `None` when it may.
    pub(crate) fn verify_now<T: DeserializeOwned>(
        &self,
        token: &str,
    ) -> Option<Result<Claims<T>, TokenError>> {
        match self.pick(token) {
            Ok((name, source)) => Some(same_issuer(name, source.verify_now(token)?)),
            Err(error) => Some(Err(error)),
        }
    }

    pub(crate) async fn verify<T: DeserializeOwned>(
        &self,
        token: &str,
    ) -> Result<Claims<T>, TokenError> {
        let (name, source) = self.pick(token)?;
        same_issuer(name, source.verify::<T>(token).await)
    }
}

/// The verified `iss` must be the one that picked the verifier.
fn same_issuer<T>(
    name: &str,
    verified: Result<Claims<T>, TokenError>,
) -> Result<Claims<T>, TokenError> {
    let claims = verified?;
    match claims.issuer.as_deref() {
        Some(issuer) if issuer == name => Ok(claims),
        Some(issuer) => Err(TokenError::InvalidIssuer {
            found: issuer.to_owned(),
        }),
        None => Err(TokenError::MissingClaim(Claim::Issuer)),
    }
}

impl fmt::Debug for Issuers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&String> = self.by_name.keys().collect();
        names.sort();
        f.debug_struct("Issuers").field("issuers", &names).finish()
    }
}
