//! JWT access and refresh tokens: typed claims, expiry, key rotation and safe validation.
//!
//! An auth service builds a [`TokenIssuer`] from a [`SigningKey`]; services that only check
//! tokens get a [`TokenVerifier`] from [`TokenIssuer::verifier`] or from the issuer's
//! published JWKS. Every failure is a [`TokenError`].
//!
//! ```
//! use keyward::token::{SigningKey, TokenError, TokenIssuer};
//!
//! let issuer = TokenIssuer::new(SigningKey::hs256(keyward::SecretKey::generate()?)?);
//! let token = issuer.issue("alice", &())?;
//! assert_eq!(issuer.verify::<()>(&token)?.subject, "alice");
//! assert!(matches!(issuer.verify::<()>("not.a.token"), Err(TokenError::Malformed(_))));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod algorithm;
mod backend;
mod bearer;
mod claims;
mod clock;
pub mod dangerous;
pub mod dpop;
mod duration;
mod error;
mod issuer;
mod json_object;
mod jws;
mod key;
mod opaque;
mod payload;
mod remote;
mod revocation;
mod strict_json;
mod verifier;

pub use algorithm::Algorithm;
pub use bearer::{MalformedBearer, bearer_token, parse_bearer};
pub use claims::{Audience, Claims, TokenKind, TokenResponse};
pub use clock::{Clock, FixedClock, SystemClock};
pub use duration::{Leeway, Lifetime};
pub use error::{Claim, TokenError, TokenPart};
pub use issuer::TokenIssuer;
pub use json_object::JsonObject;
pub use key::{JsonError, KeyError, KeyPairKind, KeySet, SigningKey, SkippedKey, VerifyingKey};
pub use opaque::{OpaqueToken, TokenDigest};
pub use remote::{
    BodyTooLarge, CacheDuration, CappedBody, DiscoveryError, FetchError, JwksResponse,
    OidcDiscovery, OidcKeySet, ProviderMetadata, RefreshError, RemoteKeySet,
};
pub use revocation::{RevocationCheck, TokenInfo};
pub use verifier::TokenVerifier;
