//! The `cnf` claim of a DPoP-bound access token (RFC 9449 §6.1, RFC 7800): `{"cnf": {"jkt":
//! thumbprint}}`, as extra claims to issue and to read back.

use serde::{Deserialize, Serialize};

/// The key confirmation of a DPoP-bound token: `cnf.jkt`, the RFC 7638 thumbprint of the key
/// every request must prove it holds. Issue it as (part of) the extra claims, and read it back
/// from the verified token's [`Claims::extra`](crate::token::Claims::extra); with claims of
/// your own, put it in your claims struct with `#[serde(flatten)]`.
///
/// Reading a token as `KeyConfirmation` fails unless it carries `cnf.jkt`: a resource server
/// that wants DPoP-bound tokens only reads them so. Other members of `cnf` are ignored.
///
/// ```
/// use keyward::token::dpop::{DpopProver, KeyConfirmation};
/// use keyward::token::{KeyPairKind, SigningKey, TokenIssuer};
///
/// let client = DpopProver::new(SigningKey::generate(KeyPairKind::Ed25519)?)?;
/// let issuer = TokenIssuer::new(SigningKey::generate(KeyPairKind::Ed25519)?);
/// let token = issuer.issue("alice", &KeyConfirmation::new(client.thumbprint()))?;
/// let claims = issuer.verify::<KeyConfirmation>(&token)?;
/// assert_eq!(claims.extra.jkt(), client.thumbprint());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KeyConfirmation {
    cnf: Confirmation,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct Confirmation {
    jkt: String,
}

impl KeyConfirmation {
    /// A confirmation binding a token to the key whose RFC 7638 thumbprint is `jkt`
    /// ([`DpopProof::thumbprint`](super::DpopProof::thumbprint) at the token endpoint).
    ///
    /// ```
    /// # use keyward::token::dpop::KeyConfirmation;
    /// let json = serde_json::to_string(&KeyConfirmation::new("0ZcOCORZ")).unwrap();
    /// assert_eq!(json, r#"{"cnf":{"jkt":"0ZcOCORZ"}}"#);
    /// ```
    pub fn new(jkt: impl Into<String>) -> Self {
        KeyConfirmation {
            cnf: Confirmation { jkt: jkt.into() },
        }
    }

    /// The bound key's thumbprint, `cnf.jkt`.
    ///
    /// ```
    /// # use keyward::token::dpop::KeyConfirmation;
    /// assert_eq!(KeyConfirmation::new("abc").jkt(), "abc");
    /// ```
    pub fn jkt(&self) -> &str {
        &self.cnf.jkt
    }
}
