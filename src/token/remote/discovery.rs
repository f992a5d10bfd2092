//! OpenID Connect discovery, sans-IO: which URL to fetch, and what a provider's
//! `/.well-known/openid-configuration` document says about its issuer and keys.

mod error;

use std::net::IpAddr;

use serde_json::Value;
use url::{Host, Url};

pub use error::DiscoveryError;

use crate::token::strict_json::StrictValue;

/// The template Microsoft Entra ID's multi-tenant documents put in their `issuer`.
const TENANT_TEMPLATE: &str = "{tenantid}";

/// Discovery for one configured issuer (OpenID Connect Discovery 1.0): the document's URL,
/// and the checks its content must pass before keyward uses it.
///
/// - The document's `issuer` must equal the configured issuer exactly (§4.3): no trailing
///   slash is added or removed (go-oidc #203), no case is folded.
/// - The key set's URL is the document's `jwks_uri`, never a path guessed from the issuer.
/// - The issuer and `jwks_uri` must be `https`, or `http` on loopback only.
/// - Entra ID's multi-tenant documents (`common`, `organizations`) give
///   `https://login.microsoftonline.com/{tenantid}/v2.0` as issuer: that is accepted only
///   with a configured tenant id ([`try_with_tenant_id`](Self::try_with_tenant_id)), which
///   fills the template; tokens must then carry that tenant's issuer.
///
/// ```
/// use keyward::token::OidcDiscovery;
///
/// let discovery = OidcDiscovery::new("https://keycloak.example.com/realms/shop")?;
/// assert_eq!(
///     discovery.document_url(),
///     "https://keycloak.example.com/realms/shop/.well-known/openid-configuration"
/// );
/// let body = r#"{"issuer":"https://keycloak.example.com/realms/shop",
///     "jwks_uri":"https://keycloak.example.com/realms/shop/protocol/openid-connect/certs"}"#;
/// let provider = discovery.read(body)?;
/// assert_eq!(provider.jwks_uri(), "https://keycloak.example.com/realms/shop/protocol/openid-connect/certs");
/// # Ok::<(), keyward::token::DiscoveryError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OidcDiscovery {
    issuer: String,
    tenant: Option<String>,
    max_document_bytes: usize,
}

/// What a checked discovery document says: the issuer tokens must carry and the key set's URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderMetadata {
    issuer: String,
    jwks_uri: String,
}

impl ProviderMetadata {
    /// The `iss` tokens must carry: the document's `issuer`, with a configured tenant id in
    /// place of Entra ID's `{tenantid}`.
    ///
    /// ```
    /// # use keyward::token::OidcDiscovery;
    /// let discovery = OidcDiscovery::new("https://login.microsoftonline.com/organizations/v2.0")?
    ///     .try_with_tenant_id("9188040d-6c67-4c5b-b112-36a304b66dad")?;
    /// let body = r#"{"issuer":"https://login.microsoftonline.com/{tenantid}/v2.0",
    ///     "jwks_uri":"https://login.microsoftonline.com/organizations/discovery/v2.0/keys"}"#;
    /// assert_eq!(
    ///     discovery.read(body)?.issuer(),
    ///     "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"
    /// );
    /// # Ok::<(), keyward::token::DiscoveryError>(())
    /// ```
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The key set's URL, the document's `jwks_uri`.
    ///
    /// ```
    /// # use keyward::token::OidcDiscovery;
    /// let body = r#"{"issuer":"https://accounts.google.com","jwks_uri":"https://www.googleapis.com/oauth2/v3/certs"}"#;
    /// let google = OidcDiscovery::new("https://accounts.google.com")?.read(body)?;
    /// assert_eq!(google.jwks_uri(), "https://www.googleapis.com/oauth2/v3/certs");
    /// # Ok::<(), keyward::token::DiscoveryError>(())
    /// ```
    pub fn jwks_uri(&self) -> &str {
        &self.jwks_uri
    }
}

impl OidcDiscovery {
    /// The default [`with_max_document_bytes`](Self::with_max_document_bytes): 64 KiB;
    /// providers' documents are 1 to 6 KiB.
    pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 64 * 1024;

    /// Discovery for `issuer`, exactly as tokens carry it in `iss`.
    ///
    /// # Errors
    ///
    /// [`DiscoveryError::InvalidUrl`] when `issuer` is not an absolute URL or has a query or
    /// fragment; [`DiscoveryError::InsecureUrl`] when it is not https (or http on loopback).
    ///
    /// ```
    /// use keyward::token::{DiscoveryError, OidcDiscovery};
    ///
    /// assert!(OidcDiscovery::new("http://127.0.0.1:8080/realms/test").is_ok());
    /// assert!(matches!(OidcDiscovery::new("http://id.example.com"), Err(DiscoveryError::InsecureUrl { .. })));
    /// ```
    pub fn new(issuer: &str) -> Result<Self, DiscoveryError> {
        let parsed = checked_url("issuer", issuer)?;
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(DiscoveryError::InvalidUrl {
                what: "issuer",
                url: issuer.to_owned(),
            });
        }
        Ok(OidcDiscovery {
            issuer: issuer.to_owned(),
            tenant: None,
            max_document_bytes: Self::DEFAULT_MAX_DOCUMENT_BYTES,
        })
    }

    /// Returns this discovery filling Entra ID's `{tenantid}` issuer template with `tenant`
    /// (a directory's GUID or domain). A document whose issuer has no template must still
    /// match the configured issuer exactly.
    ///
    /// # Errors
    ///
    /// [`DiscoveryError::InvalidTenantId`] unless `tenant` is one non-empty path segment of
    /// ASCII letters, digits, `-`, `.` and `_`.
    ///
    /// ```
    /// use keyward::token::OidcDiscovery;
    ///
    /// let entra = OidcDiscovery::new("https://login.microsoftonline.com/common/v2.0")?;
    /// assert!(entra.clone().try_with_tenant_id("contoso.onmicrosoft.com").is_ok());
    /// assert!(entra.try_with_tenant_id("a/../b").is_err());
    /// # Ok::<(), keyward::token::DiscoveryError>(())
    /// ```
    pub fn try_with_tenant_id(mut self, tenant: &str) -> Result<Self, DiscoveryError> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_');
        if tenant.is_empty() || tenant == "." || tenant == ".." || !tenant.chars().all(allowed) {
            return Err(DiscoveryError::InvalidTenantId {
                tenant: tenant.to_owned(),
            });
        }
        self.tenant = Some(tenant.to_owned());
        Ok(self)
    }

    /// Returns this discovery refusing documents longer than `max` bytes, unparsed.
    ///
    /// ```
    /// # use keyward::token::OidcDiscovery;
    /// let discovery = OidcDiscovery::new("https://id.example.com")?.with_max_document_bytes(16 * 1024);
    /// # Ok::<(), keyward::token::DiscoveryError>(())
    /// ```
    #[must_use]
    pub fn with_max_document_bytes(mut self, max: usize) -> Self {
        self.max_document_bytes = max;
        self
    }

    /// The configured issuer.
    ///
    /// ```
    /// # use keyward::token::OidcDiscovery;
    /// assert_eq!(OidcDiscovery::new("https://id.example.com/")?.issuer(), "https://id.example.com/");
    /// # Ok::<(), keyward::token::DiscoveryError>(())
    /// ```
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The discovery document's URL: the issuer, without a trailing `/`, then
    /// `/.well-known/openid-configuration` (OpenID Connect Discovery §4). Only the URL is
    /// built so; the issuer comparison stays exact.
    ///
    /// ```
    /// # use keyward::token::OidcDiscovery;
    /// let auth0 = OidcDiscovery::new("https://tenant.eu.auth0.com/")?;
    /// assert_eq!(auth0.document_url(), "https://tenant.eu.auth0.com/.well-known/openid-configuration");
    /// # Ok::<(), keyward::token::DiscoveryError>(())
    /// ```
    pub fn document_url(&self) -> String {
        format!(
            "{}/.well-known/openid-configuration",
            self.issuer.trim_end_matches('/')
        )
    }

    /// Checks a fetched discovery document and returns its issuer and key set URL.
    ///
    /// # Errors
    ///
    /// [`DiscoveryError::TooLarge`], [`NotJson`](DiscoveryError::NotJson),
    /// [`MissingMember`](DiscoveryError::MissingMember),
    /// [`IssuerMismatch`](DiscoveryError::IssuerMismatch),
    /// [`TenantRequired`](DiscoveryError::TenantRequired), and
    /// [`InvalidUrl`](DiscoveryError::InvalidUrl) or
    /// [`InsecureUrl`](DiscoveryError::InsecureUrl) for `jwks_uri`.
    ///
    /// ```
    /// use keyward::token::{DiscoveryError, OidcDiscovery};
    ///
    /// let entra = OidcDiscovery::new("https://login.microsoftonline.com/common/v2.0")?;
    /// let body = r#"{"issuer":"https://login.microsoftonline.com/{tenantid}/v2.0",
    ///     "jwks_uri":"https://login.microsoftonline.com/common/discovery/v2.0/keys"}"#;
    /// assert!(matches!(entra.read(body), Err(DiscoveryError::TenantRequired { .. })));
    /// # Ok::<(), DiscoveryError>(())
    /// ```
    pub fn read(&self, body: &str) -> Result<ProviderMetadata, DiscoveryError> {
        if body.len() > self.max_document_bytes {
            return Err(DiscoveryError::TooLarge {
                len: body.len(),
                max: self.max_document_bytes,
            });
        }
        let Ok(StrictValue(Value::Object(document))) = serde_json::from_str(body) else {
            return Err(DiscoveryError::NotJson);
        };
        let member = |member: &'static str| {
            document
                .get(member)
                .and_then(Value::as_str)
                .ok_or(DiscoveryError::MissingMember { member })
        };
        let issuer = self.expected_issuer(member("issuer")?)?;
        let jwks_uri = member("jwks_uri")?;
        checked_url("jwks_uri", jwks_uri)?;
        Ok(ProviderMetadata {
            issuer,
            jwks_uri: jwks_uri.to_owned(),
        })
    }

    /// The issuer tokens must carry, given the document's `issuer`.
    fn expected_issuer(&self, found: &str) -> Result<String, DiscoveryError> {
        let mismatch = || DiscoveryError::IssuerMismatch {
            expected: self.issuer.clone(),
            found: found.to_owned(),
        };
        let Some((prefix, suffix)) = found.split_once(TENANT_TEMPLATE) else {
            return if found == self.issuer {
                Ok(found.to_owned())
            } else {
                Err(mismatch())
            };
        };
        let Some(tenant) = &self.tenant else {
            return Err(DiscoveryError::TenantRequired {
                template: found.to_owned(),
            });
        };
        // The document answered for the configured issuer with one path segment (`common`,
        // `organizations`, the tenant itself) where the template stands; anything else is
        // another provider's document.
        let segment = self
            .issuer
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(suffix));
        match segment {
            Some(segment) if !segment.is_empty() && !segment.contains('/') => {
                Ok(format!("{prefix}{tenant}{suffix}"))
            }
            _ => Err(mismatch()),
        }
    }
}

/// `url` parsed, with a host, and https or loopback http.
fn checked_url(what: &'static str, url: &str) -> Result<Url, DiscoveryError> {
    let invalid = || DiscoveryError::InvalidUrl {
        what,
        url: url.to_owned(),
    };
    let parsed = Url::parse(url).map_err(|_| invalid())?;
    let host = parsed.host().ok_or_else(invalid)?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if is_loopback(&host) => Ok(parsed),
        _ => Err(DiscoveryError::InsecureUrl {
            what,
            url: url.to_owned(),
        }),
    }
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}
