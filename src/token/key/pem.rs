//! Reading keys out of PEM text: which kind of key it is, found from the DER structure's
//! algorithm identifier, not guessed from which parser happens to accept it.

use pkcs8::PrivateKeyInfoRef;
use pkcs8::der::asn1::{AnyRef, ObjectIdentifier, OctetStringRef};
use pkcs8::der::{Decode as _, Encode as _};
use pkcs8::spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

use super::super::KeyError;

/// rsaEncryption (RFC 8017 Appendix C).
const RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// id-RSASSA-PSS (RFC 8017 Appendix C): a key restricted to PSS, which keyward does not read.
const RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
/// id-ecPublicKey (RFC 5480 §2.1.1).
const EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// The named curves of RFC 5480 §2.1.1.1.
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
const SECP256K1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.10");
/// RFC 8410 §3.
const X25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.110");
const X448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.111");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const ED448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.113");

/// The kinds of asymmetric key keyward signs and verifies with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Rsa,
    P256,
    Ed25519,
}

impl KeyKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            KeyKind::Rsa => "RSA",
            KeyKind::P256 => "EC P-256",
            KeyKind::Ed25519 => "Ed25519",
        }
    }
}

/// A private key as PKCS#8 DER (RFC 5958), whatever PEM form it came in.
pub(crate) struct PrivateKey {
    pub(crate) kind: KeyKind,
    pub(crate) pkcs8: Zeroizing<Vec<u8>>,
}

/// A public key's raw material: an RSA `RSAPublicKey` (PKCS#1) DER, a SEC1 P-256 point, or the
/// 32 bytes of an Ed25519 key.
pub(crate) struct PublicKey {
    pub(crate) kind: KeyKind,
    pub(crate) key: Vec<u8>,
}

/// Reads a private key: `PRIVATE KEY` (PKCS#8), `RSA PRIVATE KEY` (PKCS#1) or `EC PRIVATE KEY`
/// (SEC1, P-256 only).
pub(crate) fn private_key(pem: &[u8]) -> Result<PrivateKey, KeyError> {
    let (label, der) = single_block(pem)?;
    match label.as_str() {
        "PRIVATE KEY" => {
            let info = PrivateKeyInfoRef::from_der(&der)
                .map_err(|_| KeyError::MalformedPem("PKCS#8 private key"))?;
            let kind = kind_of(info.algorithm)?;
            Ok(PrivateKey { kind, pkcs8: der })
        }
        "RSA PRIVATE KEY" => {
            pkcs1::RsaPrivateKeyRef::from_der(&der)
                .map_err(|_| KeyError::MalformedPem("PKCS#1 RSA private key"))?;
            let algorithm = AlgorithmIdentifierRef {
                oid: RSA,
                parameters: Some(AnyRef::NULL),
            };
            let pkcs8 = OctetStringRef::new(&der)
                .and_then(|key| PrivateKeyInfoRef::new(algorithm, key).to_der())
                .map_err(|_| KeyError::MalformedPem("PKCS#1 RSA private key"))?;
            Ok(PrivateKey {
                kind: KeyKind::Rsa,
                pkcs8: Zeroizing::new(pkcs8),
            })
        }
        "EC PRIVATE KEY" => {
            use p256::pkcs8::EncodePrivateKey as _;
            // The curve is read from the structure first, so that a key on another curve is
            // named as such, and a corrupt P-256 key is called corrupt, not "another curve".
            let malformed = KeyError::MalformedPem("SEC1 EC private key");
            match sec1_curve(&der).map_err(|_| malformed.clone())? {
                Some(P256) | None => {}
                Some(other) => return Err(curve_kind(other).err().unwrap_or(malformed)),
            }
            let key = p256::SecretKey::from_sec1_der(&der).map_err(|_| malformed)?;
            let pkcs8 = key.to_pkcs8_der().map_err(|_| KeyError::NotEncodable)?;
            Ok(PrivateKey {
                kind: KeyKind::P256,
                pkcs8: Zeroizing::new(pkcs8.as_bytes().to_vec()),
            })
        }
        _ => Err(KeyError::WrongPemType {
            found: label,
            expected: "PRIVATE KEY",
        }),
    }
}

/// Reads a public key: `PUBLIC KEY` (`SubjectPublicKeyInfo`) or `RSA PUBLIC KEY` (PKCS#1).
pub(crate) fn public_key(pem: &[u8]) -> Result<PublicKey, KeyError> {
    let (label, der) = single_block(pem)?;
    match label.as_str() {
        "PUBLIC KEY" => {
            let info = SubjectPublicKeyInfoRef::from_der(&der)
                .map_err(|_| KeyError::MalformedPem("SubjectPublicKeyInfo"))?;
            let kind = kind_of(info.algorithm)?;
            let key = info
                .subject_public_key
                .as_bytes()
                .ok_or(KeyError::MalformedPem("SubjectPublicKeyInfo"))?
                .to_vec();
            Ok(PublicKey { kind, key })
        }
        "RSA PUBLIC KEY" => Ok(PublicKey {
            kind: KeyKind::Rsa,
            key: der.to_vec(),
        }),
        _ => Err(KeyError::WrongPemType {
            found: label,
            expected: "PUBLIC KEY",
        }),
    }
}

/// The one key block of a PEM document, its label and DER body. `EC PARAMETERS` blocks (which
/// `openssl ecparam -genkey` writes before the key) are passed over; any other second block is
/// refused, so a key is never picked out of a bundle silently.
fn single_block(pem: &[u8]) -> Result<(String, Zeroizing<Vec<u8>>), KeyError> {
    let blocks = ::pem::parse_many(pem).map_err(|_| KeyError::NotPem)?;
    let mut keys = blocks
        .into_iter()
        .filter(|block| block.tag() != "EC PARAMETERS");
    match (keys.next(), keys.next()) {
        (Some(block), None) => {
            let label = block.tag().to_owned();
            Ok((label, Zeroizing::new(block.into_contents())))
        }
        (None, _) => Err(KeyError::NotPem),
        (Some(_), Some(_)) => Err(KeyError::MalformedPem("PEM document with a single key")),
    }
}

/// The key kind an algorithm identifier names, or the error that says what it is instead.
fn kind_of(algorithm: AlgorithmIdentifierRef<'_>) -> Result<KeyKind, KeyError> {
    let unsupported = |found: &str| KeyError::WrongKeyType {
        found: found.to_owned(),
        expected: "RSA, EC P-256 or Ed25519",
    };
    match algorithm.oid {
        RSA => Ok(KeyKind::Rsa),
        // RFC 8410 §3: the parameters MUST be absent.
        ED25519 if algorithm.parameters.is_some() => Err(KeyError::MalformedPem(
            "Ed25519 key (parameters must be absent)",
        )),
        ED25519 => Ok(KeyKind::Ed25519),
        EC => match algorithm.parameters_oid() {
            Ok(curve) => curve_kind(curve),
            Err(_) => Err(unsupported("EC without a named curve")),
        },
        RSA_PSS => Err(unsupported("RSASSA-PSS-only RSA")),
        ED448 => Err(unsupported("Ed448")),
        X25519 => Err(unsupported("X25519")),
        X448 => Err(unsupported("X448")),
        other => Err(unsupported(&format!("algorithm {other}"))),
    }
}

/// The key kind of an EC key on `curve`, or the error that names the curve.
fn curve_kind(curve: ObjectIdentifier) -> Result<KeyKind, KeyError> {
    let unsupported = |found: &str| KeyError::WrongKeyType {
        found: found.to_owned(),
        expected: "RSA, EC P-256 or Ed25519",
    };
    match curve {
        P256 => Ok(KeyKind::P256),
        P384 => Err(unsupported("EC P-384")),
        P521 => Err(unsupported("EC P-521")),
        SECP256K1 => Err(unsupported("EC secp256k1")),
        other => Err(unsupported(&format!("EC on curve {other}"))),
    }
}

/// The named curve of a SEC1 `ECPrivateKey` (RFC 5915 §3), if it names one.
fn sec1_curve(der: &[u8]) -> Result<Option<ObjectIdentifier>, pkcs8::der::Error> {
    use pkcs8::der::asn1::ContextSpecific;
    use pkcs8::der::{Reader as _, SliceReader, TagNumber};

    let mut reader = SliceReader::new(der)?;
    let curve = reader.sequence(|inner| {
        let _version = u8::decode(inner)?;
        let _private_key = <&OctetStringRef>::decode(inner)?;
        let curve = ContextSpecific::<ObjectIdentifier>::decode_explicit(inner, TagNumber(0))?;
        // The optional public key after it is read by p256 itself.
        inner.read_slice(inner.remaining_len())?;
        Ok::<_, pkcs8::der::Error>(curve.map(|field| field.value))
    })?;
    reader.finish()?;
    Ok(curve)
}

/// The inner `RSAPrivateKey` (PKCS#1) of an RSA PKCS#8 key.
pub(crate) fn pkcs8_inner(pkcs8: &[u8]) -> Result<&[u8], KeyError> {
    PrivateKeyInfoRef::from_der(pkcs8)
        .map(|info| info.private_key.as_bytes())
        .map_err(|_| KeyError::MalformedPem("PKCS#8 private key"))
}

/// An Ed25519 private key seed as PKCS#8 v1 DER (RFC 8410 §7).
pub(crate) fn ed25519_pkcs8(seed: &[u8; 32]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let curve_private_key = Zeroizing::new(
        OctetStringRef::new(seed)
            .and_then(|octets| octets.to_der())
            .map_err(|_| KeyError::NotEncodable)?,
    );
    let algorithm = AlgorithmIdentifierRef {
        oid: ED25519,
        parameters: None,
    };
    OctetStringRef::new(&curve_private_key)
        .and_then(|key| PrivateKeyInfoRef::new(algorithm, key).to_der())
        .map(Zeroizing::new)
        .map_err(|_| KeyError::NotEncodable)
}

/// PKCS#8 DER as PEM text.
pub(crate) fn pkcs8_pem(pkcs8: &[u8]) -> Zeroizing<String> {
    let block = ::pem::Pem::new("PRIVATE KEY", pkcs8.to_vec());
    let text = Zeroizing::new(::pem::encode_config(
        &block,
        ::pem::EncodeConfig::new().set_line_ending(::pem::LineEnding::LF),
    ));
    // The block's copy of the DER is wiped before it is freed.
    let mut contents = block.into_contents();
    zeroize::Zeroize::zeroize(&mut contents);
    text
}
