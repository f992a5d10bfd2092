//! `KeySet`: the keys a verifier chooses from by `kid`.

use serde::Serialize;

use super::jwk::{self, JwkDocument, Purpose};
use super::{KeyError, SkippedKey, VerifyingKey};
use crate::token::{Algorithm, TokenError};

/// The keys a [`TokenVerifier`](crate::token::TokenVerifier) chooses from by the token's `kid`:
/// never empty, and no key id twice.
///
/// Build one from keys ([`new`](Self::new), or `From<VerifyingKey>` for one key) or from a
/// published JWK set ([`from_jwks`](Self::from_jwks)), which skips the keys keyward cannot use
/// and says why in [`skipped`](Self::skipped).
///
/// ```
/// use keyward::token::{KeySet, SigningKey, TokenIssuer, TokenVerifier};
///
/// let old = SigningKey::hs256([1u8; 32])?.with_key_id("old");
/// let new = SigningKey::hs256([2u8; 32])?.with_key_id("new");
/// let old_token = TokenIssuer::new(old.clone()).issue("alice", &())?;
///
/// let keys = KeySet::new([new.verifying_key(), old.verifying_key()])?;
/// assert_eq!(TokenVerifier::new(keys).verify::<()>(&old_token)?.subject, "alice");
/// # Ok::<(), keyward::token::TokenError>(())
/// ```
#[derive(Clone, Debug)]
pub struct KeySet {
    keys: Vec<VerifyingKey>,
    skipped: Vec<SkippedKey>,
}

impl KeySet {
    /// The largest number of keys [`from_jwks`](Self::from_jwks) reads from one document:
    /// providers publish a handful, and each key costs a check at load.
    pub const MAX_JWKS_KEYS: usize = 100;

    /// The longest JWK set document [`from_jwks`](Self::from_jwks) reads, in bytes (1 MiB):
    /// a hundred RSA keys with their certificate chains fit several times over. A longer
    /// document is refused before any of it is parsed.
    pub const MAX_JWKS_BYTES: usize = 1024 * 1024;

    /// A key set of `keys`, in order.
    ///
    /// # Errors
    ///
    /// [`KeyError::EmptyKeySet`] when `keys` is empty, [`TokenError::DuplicateKeyId`] when two
    /// keys share a key id (or several have none).
    ///
    /// ```
    /// use keyward::token::{KeyError, KeySet, TokenError, VerifyingKey};
    ///
    /// let a = VerifyingKey::hs256([1u8; 32])?.with_key_id("a");
    /// assert!(KeySet::new([a.clone(), VerifyingKey::hs256([2u8; 32])?.with_key_id("b")]).is_ok());
    /// assert_eq!(KeySet::new([a.clone(), a]).unwrap_err(), TokenError::DuplicateKeyId { key_id: Some("a".into()) });
    /// assert_eq!(KeySet::new([]).unwrap_err(), TokenError::InvalidKey(KeyError::EmptyKeySet));
    /// # Ok::<(), TokenError>(())
    /// ```
    pub fn new(keys: impl IntoIterator<Item = VerifyingKey>) -> Result<Self, TokenError> {
        let mut set = KeySet {
            keys: Vec::new(),
            skipped: Vec::new(),
        };
        for key in keys {
            set.insert(key)?;
        }
        if set.keys.is_empty() {
            return Err(TokenError::InvalidKey(KeyError::EmptyKeySet));
        }
        Ok(set)
    }

    /// The usable signing keys of a JWK set document (RFC 7517 §5), `{"keys": [...]}`.
    ///
    /// Keys keyward cannot use are skipped, as RFC 7517 §5 asks, and listed in
    /// [`skipped`](Self::skipped) with the reason: an unknown `kty`, curve or `alg`, `use`
    /// other than `sig`, `key_ops` without `verify`, an RSA key without `alg` (RS256 and PS256
    /// are both possible; see [`from_jwks_assuming`](Self::from_jwks_assuming)), or key
    /// material that fails its checks (a small-order Ed25519 point, a weak RSA modulus, ...).
    ///
    /// Secret material is never skipped quietly: a private member or shared secret in a
    /// published key set means whoever reads the document can forge tokens, so the whole
    /// document is refused.
    ///
    /// # Errors
    ///
    /// [`TokenError::InvalidKey`] with:
    /// - [`KeyError::DocumentTooLarge`] for a document over
    ///   [`MAX_JWKS_BYTES`](Self::MAX_JWKS_BYTES), before any of it is parsed;
    /// - [`KeyError::TooManyKeys`] at the first key past [`MAX_JWKS_KEYS`](Self::MAX_JWKS_KEYS),
    ///   without reading the rest;
    /// - [`KeyError::NotJson`] when the text is not a JSON object with a `keys` array (or
    ///   repeats a member name at any depth);
    /// - [`KeyError::InKeySet`] wrapping [`KeyError::SecretNotAllowed`] when any key holds a
    ///   private member (`d`; RSA `p`, `q`, `dp`, `dq`, `qi`, `oth`; `oct` `k`), judged on the
    ///   member names even in a key too malformed to read;
    /// - [`KeyError::EmptyKeySet`] for `{"keys": []}`, [`KeyError::NoUsableKey`] when every
    ///   key was skipped;
    ///
    /// and [`TokenError::DuplicateKeyId`] when two usable keys share a `kid`.
    ///
    /// ```
    /// use keyward::token::{KeySet, KeyError};
    ///
    /// // RFC 7515 Appendix A.3's public key, beside an RSA encryption key.
    /// let jwks = r#"{"keys":[
    ///     {"kty":"EC","crv":"P-256","kid":"a3","use":"sig",
    ///      "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    ///      "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
    ///     {"kty":"RSA","kid":"enc-1","use":"enc","alg":"RSA-OAEP","n":"AQAB","e":"AQAB"}
    /// ]}"#;
    /// let set = KeySet::from_jwks(jwks)?;
    /// assert_eq!(set.keys()[0].key_id(), Some("a3"));
    /// assert_eq!(set.skipped()[0].reason(), &KeyError::NotForSigning("enc".into()));
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn from_jwks(json: &str) -> Result<Self, TokenError> {
        Self::import(json, None)
    }

    /// As [`from_jwks`](Self::from_jwks), except that RSA keys without `alg` are taken as
    /// keys for `rsa_algorithm` (RS256 or PS256) instead of skipped. Microsoft Entra ID, for
    /// one, publishes its RS256 keys without `alg`.
    ///
    /// Keys that name their `alg` keep it, and the verifier still accepts only the algorithm
    /// of the key a token's `kid` selects: assuming an algorithm for unlabelled RSA keys
    /// cannot let a token choose HMAC, `none`, or another key type.
    ///
    /// # Errors
    ///
    /// As [`from_jwks`](Self::from_jwks); [`KeyError::AlgorithmMismatch`] when
    /// `rsa_algorithm` is not an RSA algorithm.
    ///
    /// ```
    /// use keyward::token::{Algorithm, KeySet};
    ///
    /// // RFC 7638 §3.1's RSA key, published without `alg` as Entra ID does.
    /// let jwks = r#"{"keys":[{"kty":"RSA","use":"sig","kid":"k1","e":"AQAB","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}]}"#;
    /// assert!(KeySet::from_jwks(jwks).is_err()); // RS256 or PS256? keyward will not guess
    /// let set = KeySet::from_jwks_assuming(jwks, Algorithm::RS256)?;
    /// assert_eq!(set.keys()[0].algorithm(), Algorithm::RS256);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn from_jwks_assuming(json: &str, rsa_algorithm: Algorithm) -> Result<Self, TokenError> {
        if !matches!(rsa_algorithm, Algorithm::RS256 | Algorithm::PS256) {
            return Err(TokenError::InvalidKey(KeyError::AlgorithmMismatch {
                algorithm: rsa_algorithm,
                key_type: "RSA".to_owned(),
            }));
        }
        Self::import(json, Some(rsa_algorithm))
    }

    fn import(json: &str, rsa_default: Option<Algorithm>) -> Result<Self, TokenError> {
        let invalid = TokenError::InvalidKey;
        // The limits hold before and while the document is read: its length first, then its
        // key count, counted as the keys are read (the keys past the cap are never read).
        if json.len() > Self::MAX_JWKS_BYTES {
            return Err(invalid(KeyError::DocumentTooLarge {
                len: json.len(),
                max: Self::MAX_JWKS_BYTES,
            }));
        }
        let documents = jwk::read_set(json, Self::MAX_JWKS_KEYS).map_err(invalid)?;
        if documents.is_empty() {
            return Err(invalid(KeyError::EmptyKeySet));
        }
        // Secret material refuses the whole set, whichever key holds it, and before any key is
        // judged: judged on the raw member names, so that a secret is refused loudly even
        // inside a key too malformed to read.
        for (index, document) in documents.iter().enumerate() {
            if let Some(member) = document.private_member() {
                return Err(invalid(KeyError::InKeySet {
                    index,
                    key_id: document.kid.clone(),
                    error: Box::new(KeyError::SecretNotAllowed { member }),
                }));
            }
        }
        let purpose = Purpose {
            allow_secret: false,
            rsa_default,
        };
        let mut keys = Vec::new();
        let mut skipped = Vec::new();
        for (index, document) in documents.into_iter().enumerate() {
            let key_id = document.kid.clone();
            // A key missing a required member or of the wrong shape is skipped like any other
            // key keyward cannot use (RFC 7517 §5).
            match VerifyingKey::from_document(document, purpose) {
                Ok(key) => keys.push(key),
                Err(reason) => skipped.push(SkippedKey {
                    index,
                    key_id,
                    reason,
                }),
            }
        }
        if keys.is_empty() {
            return Err(invalid(KeyError::NoUsableKey(skipped)));
        }
        let mut set = KeySet::new(keys)?;
        set.skipped = skipped;
        Ok(set)
    }

    /// Adds a key.
    ///
    /// # Errors
    ///
    /// [`TokenError::DuplicateKeyId`] when the set already holds a key with the same key id
    /// (or, for a key without one, a key without one); the set is then unchanged.
    ///
    /// ```
    /// use keyward::token::{KeySet, VerifyingKey};
    ///
    /// let mut keys = KeySet::from(VerifyingKey::hs256([1u8; 32])?.with_key_id("a"));
    /// keys.insert(VerifyingKey::hs256([2u8; 32])?.with_key_id("b"))?;
    /// assert_eq!(keys.len(), 2);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn insert(&mut self, key: VerifyingKey) -> Result<(), TokenError> {
        if self.keys.iter().any(|held| held.key_id() == key.key_id()) {
            return Err(TokenError::DuplicateKeyId {
                key_id: key.key_id().map(str::to_owned),
            });
        }
        self.keys.push(key);
        Ok(())
    }

    /// The keys, in the order they were added.
    ///
    /// ```
    /// # use keyward::token::{KeySet, VerifyingKey};
    /// let keys = KeySet::from(VerifyingKey::hs256([1u8; 32])?);
    /// assert_eq!(keys.keys()[0].key_id(), None);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn keys(&self) -> &[VerifyingKey] {
        &self.keys
    }

    /// The number of keys (never 0).
    ///
    /// ```
    /// # use keyward::token::{KeySet, VerifyingKey};
    /// assert_eq!(KeySet::from(VerifyingKey::hs256([1u8; 32])?).len(), 1);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[allow(clippy::len_without_is_empty)] // a key set is never empty
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// The keys of the JWK set document that were skipped, with the reason; empty for a set
    /// built from keys.
    ///
    /// ```
    /// # use keyward::token::{KeySet, VerifyingKey};
    /// assert!(KeySet::from(VerifyingKey::hs256([1u8; 32])?).skipped().is_empty());
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn skipped(&self) -> &[SkippedKey] {
        &self.skipped
    }

    /// The public keys as a JWK set document, for serving at `/.well-known/jwks.json`. HMAC
    /// secrets are never included, so a set of shared secrets exports `{"keys":[]}`.
    ///
    /// ```
    /// use keyward::token::{KeySet, SigningKey};
    ///
    /// let key = SigningKey::from_pem(std::fs::read("tests/keys/ed25519-private.pem")?)?.with_key_id("k1");
    /// let jwks = KeySet::from(key.verifying_key()).to_jwks();
    /// assert!(jwks.starts_with(r#"{"keys":[{"kty":"OKP","use":"sig","alg":"EdDSA","kid":"k1""#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[allow(clippy::missing_panics_doc)] // serializing a struct of strings cannot fail
    pub fn to_jwks(&self) -> String {
        #[derive(Serialize)]
        struct Document {
            keys: Vec<JwkDocument>,
        }
        let keys = self
            .keys
            .iter()
            .filter_map(VerifyingKey::jwk_document)
            .collect();
        serde_json::to_string(&Document { keys }).expect("a JWKS serializes")
    }

    /// The key for a token's `kid`: the key with that id. A set of a single key also serves a
    /// token that names no `kid` (RFC 7515 §4.1.4 makes it optional, and `jose`'s `SignJWT`
    /// writes none unless asked), and a single key without an id serves every token (its id is
    /// then only a label). The signature and the key's one algorithm are checked either way.
    pub(crate) fn key_for(&self, kid: Option<&str>) -> Result<&VerifyingKey, TokenError> {
        if let [only] = self.keys.as_slice()
            && (only.key_id().is_none() || kid.is_none())
        {
            return Ok(only);
        }
        let kid = kid.ok_or(TokenError::MissingKeyId)?;
        self.keys
            .iter()
            .find(|key| key.key_id() == Some(kid))
            .ok_or_else(|| TokenError::UnknownKeyId {
                key_id: kid.to_owned(),
            })
    }
}

impl From<VerifyingKey> for KeySet {
    fn from(key: VerifyingKey) -> Self {
        KeySet {
            keys: vec![key],
            skipped: Vec::new(),
        }
    }
}
