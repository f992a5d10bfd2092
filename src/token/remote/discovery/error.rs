//! `DiscoveryError`: why a provider's discovery document, or the issuer it was asked for,
//! cannot be used.

use thiserror::Error;

/// Why OIDC discovery failed. Strings taken from a document or a configuration are shown
/// quoted, escaped and cut to 120 characters.
///
/// ```
/// use keyward::token::{DiscoveryError, OidcDiscovery};
///
/// let discovery = OidcDiscovery::new("https://tenant.eu.auth0.example.com")?;
/// let body = r#"{"issuer":"https://tenant.eu.auth0.example.com/","jwks_uri":"https://tenant.eu.auth0.example.com/.well-known/jwks.json"}"#;
/// let error = discovery.read(body).unwrap_err();
/// assert!(matches!(error, DiscoveryError::IssuerMismatch { .. }));
/// assert_eq!(
///     error.to_string(),
///     r#"the discovery document's issuer is "https://tenant.eu.auth0.example.com/", expected exactly "https://tenant.eu.auth0.example.com""#
/// );
/// # Ok::<(), DiscoveryError>(())
/// ```
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiscoveryError {
    /// A URL (the configured issuer, or a member of the document) is not an absolute URL, or
    /// the issuer has a query or fragment (OpenID Connect Discovery §3).
    #[error("{what} is {}, not an absolute URL without query or fragment", shown(.url))]
    InvalidUrl {
        /// `issuer` or the document member's name.
        what: &'static str,
        /// The URL found.
        url: String,
    },

    /// A URL is not `https` (plain `http` is accepted only on loopback: `127.0.0.0/8`, `::1`,
    /// `localhost`).
    #[error("{what} is {}; only https is accepted, or http on loopback", shown(.url))]
    InsecureUrl {
        /// `issuer` or the document member's name.
        what: &'static str,
        /// The URL found.
        url: String,
    },

    /// A tenant id is not one path segment of letters, digits, `-`, `.` or `_`.
    #[error("tenant id {} is not a single path segment", shown(.tenant))]
    InvalidTenantId {
        /// The tenant id given.
        tenant: String,
    },

    /// The document is longer than the cap; it was not parsed.
    #[error("discovery document is {len} bytes long; at most {max} bytes are accepted")]
    TooLarge {
        /// The document's length in bytes.
        len: usize,
        /// The cap in bytes.
        max: usize,
    },

    /// The document is not a JSON object, or repeats a member.
    #[error("discovery document is not a JSON object with each member once")]
    NotJson,

    /// A member the document must have (`issuer`, `jwks_uri`) is absent or not a string.
    #[error("discovery document has no string member {member:?}")]
    MissingMember {
        /// The member's name.
        member: &'static str,
    },

    /// The document's `issuer` is not exactly the configured issuer (OpenID Connect Discovery
    /// §4.3): no trailing slash, case or other normalisation is applied.
    #[error("the discovery document's issuer is {}, expected exactly {}", shown(.found), shown(.expected))]
    IssuerMismatch {
        /// The configured issuer.
        expected: String,
        /// The document's `issuer`.
        found: String,
    },

    /// The document's `issuer` is a template with `{tenantid}` (Microsoft Entra ID's
    /// multi-tenant documents), and no tenant id was configured to fill it: keyward never
    /// accepts tokens from any tenant.
    #[error(
        "the discovery document's issuer {} is a tenant template; configure the tenant id to accept",
        shown(.template)
    )]
    TenantRequired {
        /// The document's `issuer`.
        template: String,
    },
}

fn shown(value: &str) -> String {
    const MAX: usize = 120;
    let mut cut: String = value.chars().take(MAX).collect();
    if cut.len() < value.len() {
        cut.push('…');
    }
    format!("\"{}\"", cut.escape_debug())
}
