//! The claims a token carries, the kinds of token, and the OAuth2 token response.

use std::fmt;
use std::hash::{Hash, Hasher};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, Serializer};

use super::Lifetime;

/// The verified claims of a token: the registered claims as typed fields, and the caller's own
/// claims `T` in [`extra`](Claims::extra).
///
/// On the wire the fields have their registered names (`sub`, `exp`, `iat`, `nbf`, `iss`,
/// `aud`, `jti`), instants are NumericDate seconds, and `T`'s fields sit beside them.
///
/// ```
/// use keyward::token::{Claims, SigningKey, TokenIssuer};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize, Debug, PartialEq)]
/// struct Role {
///     role: String,
/// }
///
/// let issuer = TokenIssuer::new(SigningKey::hs256([9u8; 32])?).with_issuer("https://auth.example.com");
/// let token = issuer.issue("alice", &Role { role: "admin".into() })?;
/// let claims: Claims<Role> = issuer.verify(&token)?;
/// assert_eq!(claims.subject, "alice");
/// assert_eq!(claims.issuer.as_deref(), Some("https://auth.example.com"));
/// assert_eq!(claims.extra, Role { role: "admin".into() });
/// assert!(Some(claims.expires_at) > claims.issued_at);
/// # Ok::<(), keyward::token::TokenError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Claims<T> {
    /// `sub`: whom the token is about, usually a user id. Never empty, except for a token
    /// without `sub` accepted by a verifier
    /// [`with_optional_subject`](crate::token::TokenVerifier::with_optional_subject): read
    /// [`optional_subject`](Self::optional_subject) there.
    #[serde(rename = "sub", skip_serializing_if = "String::is_empty")]
    pub subject: String,
    /// `exp`: the instant the token stops being valid.
    #[serde(rename = "exp", serialize_with = "numeric_date")]
    pub expires_at: DateTime<Utc>,
    /// `iat`: the instant the token was issued. keyward's own tokens always have it; `None`
    /// only for a token without `iat` accepted by a verifier
    /// [`with_optional_iat`](crate::token::TokenVerifier::with_optional_iat).
    #[serde(
        rename = "iat",
        serialize_with = "optional_numeric_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub issued_at: Option<DateTime<Utc>>,
    /// `nbf`: the instant before which the token is not valid, if set.
    #[serde(
        rename = "nbf",
        serialize_with = "optional_numeric_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub not_before: Option<DateTime<Utc>>,
    /// `iss`: who issued the token, if set.
    #[serde(rename = "iss", skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// `aud`: whom the token is meant for, if set.
    #[serde(rename = "aud", skip_serializing_if = "Option::is_none")]
    pub audience: Option<Audience>,
    /// `jti`: the token's unique id, if set (keyward always sets one).
    #[serde(rename = "jti", skip_serializing_if = "Option::is_none")]
    pub token_id: Option<String>,
    /// The caller's own claims.
    #[serde(flatten)]
    pub extra: T,
}

impl<T> Claims<T> {
    /// `sub`, or `None` for a token without one (accepted only by a verifier
    /// [`with_optional_subject`](crate::token::TokenVerifier::with_optional_subject)).
    ///
    /// ```
    /// use keyward::token::{SigningKey, TokenIssuer};
    ///
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?);
    /// let claims = issuer.verify::<()>(&issuer.issue("alice", &())?)?;
    /// assert_eq!(claims.optional_subject(), Some("alice"));
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn optional_subject(&self) -> Option<&str> {
        (!self.subject.is_empty()).then_some(self.subject.as_str())
    }

    /// The same claims with the caller's own claims replaced by `map(extra)`: for a layer
    /// that reads a wrapper of the caller's claims (e.g. with the token's `cnf`) and hands the
    /// caller's back.
    ///
    /// ```
    /// use keyward::token::{SigningKey, TokenIssuer};
    /// use keyward::token::dpop::KeyConfirmation;
    ///
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?);
    /// let token = issuer.issue("alice", &KeyConfirmation::new("jkt-1"))?;
    /// let claims = issuer.verify::<KeyConfirmation>(&token)?;
    /// let jkt = claims.map_extra(|confirmation| confirmation.jkt().to_owned());
    /// assert_eq!((jkt.subject.as_str(), jkt.extra.as_str()), ("alice", "jkt-1"));
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn map_extra<U>(self, map: impl FnOnce(T) -> U) -> Claims<U> {
        Claims {
            subject: self.subject,
            expires_at: self.expires_at,
            issued_at: self.issued_at,
            not_before: self.not_before,
            issuer: self.issuer,
            audience: self.audience,
            token_id: self.token_id,
            extra: map(self.extra),
        }
    }
}

// Instants are whole seconds on the wire (RFC 7519 §2, NumericDate).
#[allow(clippy::trivially_copy_pass_by_ref)] // serde's serialize_with passes a reference
fn numeric_date<S: Serializer>(instant: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_i64(instant.timestamp())
}

#[allow(clippy::ref_option)] // serde's serialize_with passes a reference
fn optional_numeric_date<S: Serializer>(
    instant: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match instant {
        Some(instant) => numeric_date(instant, serializer),
        None => serializer.serialize_none(),
    }
}

/// The `aud` claim: one or more audiences. Serialized as a string when there is one, as an
/// array otherwise (RFC 7519 §4.1.3).
///
/// ```
/// use keyward::token::Audience;
///
/// let one = Audience::from("api");
/// assert!(one.contains("api"));
/// assert_eq!(serde_json::to_string(&one).unwrap(), r#""api""#);
/// let two = Audience::from_iter(["api", "admin"]);
/// assert_eq!(serde_json::to_string(&two).unwrap(), r#"["api","admin"]"#);
/// // Equal by their values, however they were made.
/// assert_eq!(one, Audience::from_iter(["api"]));
/// assert_eq!(format!("{one:?}"), r#"Audience(["api"])"#);
/// ```
#[derive(Clone)]
pub struct Audience(Values);

/// One audience (what almost every token carries) without the allocation of a one-element
/// list, or several.
#[derive(Clone)]
enum Values {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    /// Whether `audience` is one of the values.
    ///
    /// ```
    /// # use keyward::token::Audience;
    /// assert!(!Audience::from("api").contains("API"));
    /// ```
    pub fn contains(&self, audience: &str) -> bool {
        self.values().iter().any(|value| value == audience)
    }

    /// The values, in order.
    ///
    /// ```
    /// # use keyward::token::Audience;
    /// let audience = Audience::from_iter(["a", "b"]);
    /// let values: Vec<&str> = audience.iter().collect();
    /// assert_eq!(values, ["a", "b"]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.values().iter().map(String::as_str)
    }

    fn values(&self) -> &[String] {
        match &self.0 {
            Values::One(single) => std::slice::from_ref(single),
            Values::Many(values) => values,
        }
    }

    pub(crate) fn from_values(values: Vec<String>) -> Self {
        Audience(Values::Many(values))
    }
}

// Compared, hashed and shown by their values, however they are held.
impl PartialEq for Audience {
    fn eq(&self, other: &Self) -> bool {
        self.values() == other.values()
    }
}

impl Eq for Audience {}

impl Hash for Audience {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.values().hash(state);
    }
}

impl fmt::Debug for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Audience").field(&self.values()).finish()
    }
}

impl From<&str> for Audience {
    fn from(audience: &str) -> Self {
        Audience(Values::One(audience.to_owned()))
    }
}

impl From<String> for Audience {
    fn from(audience: String) -> Self {
        Audience(Values::One(audience))
    }
}

impl<S: Into<String>> FromIterator<S> for Audience {
    fn from_iter<I: IntoIterator<Item = S>>(values: I) -> Self {
        Audience(Values::Many(values.into_iter().map(Into::into).collect()))
    }
}

impl Serialize for Audience {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.values() {
            [single] => serializer.serialize_str(single),
            many => many.serialize(serializer),
        }
    }
}

/// The kinds of token keyward issues. Each has its own JWS `typ`, so one can never be
/// accepted as the other.
///
/// ```
/// use keyward::token::TokenKind;
/// assert_eq!(TokenKind::Access.media_type(), "at+jwt");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenKind {
    /// A short-lived access token, `typ: at+jwt` (RFC 9068 §2.1).
    Access,
    /// A longer-lived refresh token, `typ: refresh+jwt`, accepted only by
    /// [`verify_refresh`](crate::token::TokenVerifier::verify_refresh).
    Refresh,
}

impl TokenKind {
    /// The `typ` header value.
    ///
    /// ```
    /// # use keyward::token::TokenKind;
    /// assert_eq!(TokenKind::Refresh.media_type(), "refresh+jwt");
    /// ```
    pub const fn media_type(self) -> &'static str {
        match self {
            TokenKind::Access => "at+jwt",
            TokenKind::Refresh => "refresh+jwt",
        }
    }

    /// Whether a header's `typ` names this kind.
    pub(crate) fn matches(self, typ: &str) -> bool {
        media_types_match(self.media_type(), typ)
    }
}

/// Whether two `typ` values name the same media type (RFC 7515 §4.1.9): compared without case,
/// with or without the `application/` prefix.
pub(crate) fn media_types_match(a: &str, b: &str) -> bool {
    fn bare(typ: &str) -> &str {
        match typ.get(..12) {
            Some(prefix) if prefix.eq_ignore_ascii_case("application/") => &typ[12..],
            _ => typ,
        }
    }
    bare(a).eq_ignore_ascii_case(bare(b))
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenKind::Access => "access",
            TokenKind::Refresh => "refresh",
        })
    }
}

/// An OAuth2 access token response (RFC 6749 §5.1), ready to serialize as a `/token`
/// endpoint's JSON body.
///
/// `Debug` does not print the tokens: they are bearer credentials.
///
/// ```
/// use keyward::token::{SigningKey, TokenIssuer};
///
/// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?);
/// let response = issuer.issue_response("alice", &())?;
/// let json = serde_json::to_value(&response).unwrap();
/// assert_eq!(json["token_type"], "bearer");
/// assert_eq!(json["expires_in"], 900);
/// assert!(json["refresh_token"].is_string());
/// assert!(!format!("{response:?}").contains(&response.access_token));
/// # Ok::<(), keyward::token::TokenError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TokenResponse {
    /// The access token.
    pub access_token: String,
    /// `"bearer"` (RFC 6750), or `"DPoP"` for a DPoP-bound access token (RFC 9449 §5,
    /// [`with_dpop_token_type`](Self::with_dpop_token_type)).
    pub token_type: String,
    /// The access token's lifetime in seconds.
    pub expires_in: u64,
    /// A refresh token, when one was issued.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub refresh_token: Option<String>,
}

impl TokenResponse {
    /// A bearer response carrying `access_token`, valid for `expires_in`, without a refresh
    /// token; add one with [`with_refresh_token`](Self::with_refresh_token). For a server whose
    /// refresh tokens are opaque ([`OpaqueToken`](crate::token::OpaqueToken)).
    ///
    /// ```
    /// use keyward::token::{OpaqueToken, SigningKey, TokenIssuer, TokenResponse};
    ///
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?);
    /// let refresh = OpaqueToken::generate()?;
    /// let response = TokenResponse::new(issuer.issue("alice", &())?, issuer.ttl())
    ///     .with_refresh_token(refresh.expose_secret());
    /// assert_eq!(response.expires_in, 900);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn new(access_token: impl Into<String>, expires_in: Lifetime) -> Self {
        TokenResponse {
            access_token: access_token.into(),
            token_type: "bearer".to_owned(),
            expires_in: expires_in.as_secs(),
            refresh_token: None,
        }
    }

    /// Returns this response with `token_type: "DPoP"`, for an access token bound to the
    /// client's key ([`KeyConfirmation`](crate::token::dpop::KeyConfirmation), RFC 9449 §5).
    ///
    /// ```
    /// # use keyward::token::{Lifetime, TokenResponse};
    /// let response = TokenResponse::new("a.b.c", Lifetime::from_mins(15)?).with_dpop_token_type();
    /// assert_eq!(response.token_type, "DPoP");
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_dpop_token_type(mut self) -> Self {
        "DPoP".clone_into(&mut self.token_type);
        self
    }

    /// Returns this response carrying `refresh_token`.
    ///
    /// ```
    /// # use keyward::token::{Lifetime, TokenResponse};
    /// let response = TokenResponse::new("a.b.c", Lifetime::from_mins(15)?).with_refresh_token("r");
    /// assert_eq!(response.refresh_token.as_deref(), Some("r"));
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_refresh_token(mut self, refresh_token: impl Into<String>) -> Self {
        self.refresh_token = Some(refresh_token.into());
        self
    }
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"[REDACTED]")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[REDACTED]"),
            )
            .finish()
    }
}
