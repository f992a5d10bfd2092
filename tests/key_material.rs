//! Key material keyward must refuse when a key is loaded, not one token at a time later.
//!
//! Every public-key check of `src/token/key/checks.rs` is exercised here through the public
//! API, from every door a key comes in by (a JWK, a JWK set, a PEM document), and each refusal
//! is asserted as the exact [`KeyError`]. The attacks are built for real: the Ed25519
//! small-order forgery is crafted and shown to pass the raw crypto backend, so the test proves
//! the check is what stands between an attacker and a forged `admin` token.
//!
//! Everything runs on both backends:
//! `cargo test --test key_material` (aws-lc-rs) and
//! `cargo test --test key_material --no-default-features --features rust-crypto`.

use keyward::TokenError;
use keyward::token::{KeyError, VerifyingKey};

/// Builders for the hand-made keys and documents the tests feed keyward. Test scaffolding:
/// small on purpose, and checked against the real key files in `sanity` below.
mod support {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

    use super::{KeyError, TokenError};

    /// The error every refusal in this file is compared with.
    pub fn invalid(error: KeyError) -> TokenError {
        TokenError::InvalidKey(error)
    }

    /// Bytes from hex text (test constants only; panics on bad input).
    pub fn hex(text: &str) -> Vec<u8> {
        assert_eq!(text.len() % 2, 0, "odd hex length: {text}");
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex constant"))
            .collect()
    }

    /// base64url without padding, as JWKs and JWS use it (RFC 7515 §2).
    pub fn b64url(bytes: impl AsRef<[u8]>) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The inverse of [`b64url`].
    pub fn unb64url(text: &str) -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(text).expect("base64url")
    }

    /// An Ed25519 public JWK (RFC 8037 §2) with `x` as given.
    pub fn okp_jwk(x: &[u8]) -> String {
        format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#, b64url(x))
    }

    /// A P-256 public JWK (RFC 7518 §6.2.1).
    pub fn ec_jwk(x: &[u8], y: &[u8]) -> String {
        format!(
            r#"{{"kty":"EC","crv":"P-256","x":"{}","y":"{}"}}"#,
            b64url(x),
            b64url(y)
        )
    }

    /// An RS256 public JWK (RFC 7518 §6.3.1) with `n` and `e` given as their base64url text,
    /// so tests can also hand over text that is not canonical.
    pub fn rsa_jwk_text(n: &str, e: &str) -> String {
        format!(r#"{{"kty":"RSA","alg":"RS256","n":"{n}","e":"{e}"}}"#)
    }

    /// An RS256 public JWK of these big-endian integers, encoded as given (leading zeros kept).
    pub fn rsa_jwk(n: &[u8], e: &[u8]) -> String {
        rsa_jwk_text(&b64url(n), &b64url(e))
    }

    /// RFC 8037 Appendix A.2's Ed25519 public key (also RFC 8032 §7.1 TEST 1): an honest key.
    pub const RFC8032_TEST1_PUBLIC: &str =
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

    /// A JWK set with an honest Ed25519 key (`kid` "good") and `jwk` (given `kid` "bad").
    pub fn jwks_with_good_and(bad_jwk: &str) -> String {
        let good = okp_jwk(&hex(RFC8032_TEST1_PUBLIC)).replacen('{', r#"{"kid":"good","#, 1);
        let bad = bad_jwk.replacen('{', r#"{"kid":"bad","#, 1);
        format!(r#"{{"keys":[{good},{bad}]}}"#)
    }

    /// A JWK set holding only `jwk` (given `kid` "bad").
    pub fn jwks_with_only(bad_jwk: &str) -> String {
        let bad = bad_jwk.replacen('{', r#"{"kid":"bad","#, 1);
        format!(r#"{{"keys":[{bad}]}}"#)
    }

    /// Minimal DER (X.690) writing: enough to build `SubjectPublicKeyInfo` and `RSAPublicKey`
    /// structures by hand, including ones no honest encoder would produce.
    pub mod der {
        /// A tag-length-value with a definite length (X.690 §8.1.3: short form below 128,
        /// else 0x80 | number of length octets, then the length big-endian).
        pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
            let len = content.len();
            let mut out = vec![tag];
            if len < 0x80 {
                out.push(u8::try_from(len).unwrap());
            } else {
                let octets: Vec<u8> = len
                    .to_be_bytes()
                    .into_iter()
                    .skip_while(|&b| b == 0)
                    .collect();
                out.push(0x80 | u8::try_from(octets.len()).unwrap());
                out.extend(octets);
            }
            out.extend_from_slice(content);
            out
        }

        pub fn sequence(parts: &[Vec<u8>]) -> Vec<u8> {
            tlv(0x30, &parts.concat())
        }

        /// A non-negative INTEGER: minimal, with a 0x00 octet when the top bit is set
        /// (X.690 §8.3.2).
        pub fn uint(big_endian: &[u8]) -> Vec<u8> {
            let first = big_endian
                .iter()
                .position(|&b| b != 0)
                .unwrap_or(big_endian.len() - 1);
            let digits = &big_endian[first..];
            let mut content = Vec::with_capacity(digits.len() + 1);
            if digits[0] & 0x80 != 0 {
                content.push(0);
            }
            content.extend_from_slice(digits);
            tlv(0x02, &content)
        }

        /// A BIT STRING of whole octets (no unused bits).
        pub fn bit_string(bytes: &[u8]) -> Vec<u8> {
            tlv(0x03, &[&[0u8][..], bytes].concat())
        }

        /// An OBJECT IDENTIFIER from its encoded content octets.
        pub fn oid(content: &[u8]) -> Vec<u8> {
            tlv(0x06, content)
        }

        pub const NULL: [u8; 2] = [0x05, 0x00];

        /// rsaEncryption, 1.2.840.113549.1.1.1 (RFC 8017 Appendix C).
        pub const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
        /// id-Ed25519, 1.3.101.112 (RFC 8410 §3).
        pub const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
        /// id-ecPublicKey, 1.2.840.10045.2.1 (RFC 5480 §2.1.1).
        pub const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
        /// secp256r1, 1.2.840.10045.3.1.7 (RFC 5480 §2.1.1.1).
        pub const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

        /// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`
        /// (RFC 8017 Appendix A.1.1).
        pub fn rsa_public_key(n: &[u8], e: &[u8]) -> Vec<u8> {
            sequence(&[uint(n), uint(e)])
        }

        /// An RSA `SubjectPublicKeyInfo` (RFC 5280 §4.1, RFC 3279 §2.3.1).
        pub fn rsa_spki(n: &[u8], e: &[u8]) -> Vec<u8> {
            sequence(&[
                sequence(&[oid(RSA_ENCRYPTION), NULL.to_vec()]),
                bit_string(&rsa_public_key(n, e)),
            ])
        }

        /// An Ed25519 `SubjectPublicKeyInfo` (RFC 8410 §4): for 32 bytes this is
        /// `302a300506032b6570032100 || key`.
        pub fn ed25519_spki(key: &[u8]) -> Vec<u8> {
            sequence(&[sequence(&[oid(ED25519)]), bit_string(key)])
        }

        /// A P-256 `SubjectPublicKeyInfo` (RFC 5480 §2) around SEC1 point bytes.
        pub fn p256_spki(sec1: &[u8]) -> Vec<u8> {
            sequence(&[sequence(&[oid(EC_PUBLIC_KEY), oid(P256)]), bit_string(sec1)])
        }

        /// Reads one TLV at the start of `der`: (tag, content, rest). Definite lengths only.
        pub fn read(der: &[u8]) -> (u8, &[u8], &[u8]) {
            let tag = der[0];
            let (len, header) = match der[1] {
                short @ 0..0x80 => (usize::from(short), 2),
                long => {
                    let count = usize::from(long & 0x7f);
                    let len = der[2..2 + count]
                        .iter()
                        .fold(0usize, |len, &b| (len << 8) | usize::from(b));
                    (len, 2 + count)
                }
            };
            (tag, &der[header..header + len], &der[header + len..])
        }

        /// The modulus and exponent of an RSA `SubjectPublicKeyInfo`, as big-endian integers
        /// without the sign octet.
        pub fn read_rsa_spki(spki: &[u8]) -> (Vec<u8>, Vec<u8>) {
            let (_, info, _) = read(spki);
            let (_, _algorithm, rest) = read(info);
            let (tag, bits, _) = read(rest);
            assert_eq!(tag, 0x03, "BIT STRING");
            let (_, key, _) = read(&bits[1..]);
            let (_, n, rest) = read(key);
            let (_, e, _) = read(rest);
            let strip = |int: &[u8]| int.strip_prefix(&[0]).unwrap_or(int).to_vec();
            (strip(n), strip(e))
        }
    }

    /// PEM text (RFC 7468) of `der` under `label`, wrapped at 64 columns.
    pub fn pem(label: &str, der: &[u8]) -> String {
        let body = STANDARD.encode(der);
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|line| std::str::from_utf8(line).unwrap())
            .collect();
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            lines.join("\n")
        )
    }

    /// The DER inside a one-block PEM document.
    pub fn unpem(text: &str) -> Vec<u8> {
        let body: String = text
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .collect();
        STANDARD.decode(body).expect("PEM body")
    }

    /// A test key file from `tests/keys/`.
    pub fn key_file(name: &str) -> String {
        let path = format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }
}

/// The scaffolding builds what real encoders build; without this, a refusal below could be a
/// refusal of a malformed test document rather than of the key inside it.
mod sanity {
    use super::support::{self, der, hex};
    use super::*;

    #[test]
    fn hand_built_ed25519_spki_matches_openssl() {
        let file = support::unpem(&support::key_file("ed25519-public.pem"));
        // RFC 8410 §10.1's prefix, as OpenSSL writes it.
        assert_eq!(&file[..12], hex("302a300506032b6570032100").as_slice());
        assert_eq!(der::ed25519_spki(&file[12..]), file);
    }

    #[test]
    fn hand_built_rsa_spki_matches_openssl() {
        let file = support::unpem(&support::key_file("rsa2048-public.pem"));
        let (n, e) = der::read_rsa_spki(&file);
        assert_eq!(der::rsa_spki(&n, &e), file);
        // And the DER reader agrees with keyward's own export of the key.
        let jwk: serde_json::Value = serde_json::from_str(
            &VerifyingKey::from_pem(support::key_file("rsa2048-public.pem"))
                .unwrap()
                .to_jwk()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(support::unb64url(jwk["n"].as_str().unwrap()), n);
        assert_eq!(support::unb64url(jwk["e"].as_str().unwrap()), e);
    }

    #[test]
    fn honest_keys_built_the_same_way_load() {
        let ed = hex(support::RFC8032_TEST1_PUBLIC);
        VerifyingKey::from_jwk(&support::okp_jwk(&ed)).unwrap();
        VerifyingKey::from_pem(support::pem("PUBLIC KEY", &der::ed25519_spki(&ed))).unwrap();

        let (n, e) = der::read_rsa_spki(&support::unpem(&support::key_file("rsa2048-public.pem")));
        VerifyingKey::from_jwk(&support::rsa_jwk(&n, &e)).unwrap();
        VerifyingKey::from_pem(support::pem("PUBLIC KEY", &der::rsa_spki(&n, &e))).unwrap();
        VerifyingKey::from_pem(support::pem("RSA PUBLIC KEY", &der::rsa_public_key(&n, &e)))
            .unwrap();

        let (x, y) = (p256_a3::x(), p256_a3::y());
        VerifyingKey::from_jwk(&support::ec_jwk(&x, &y)).unwrap();
        let sec1 = [&[0x04][..], &x, &y].concat();
        VerifyingKey::from_pem(support::pem("PUBLIC KEY", &der::p256_spki(&sec1))).unwrap();
    }
}

/// RFC 7515 Appendix A.3's P-256 public key, used by the P-256 tests.
mod p256_a3 {
    pub fn x() -> Vec<u8> {
        super::support::unb64url("f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU")
    }
    pub fn y() -> Vec<u8> {
        super::support::unb64url("x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0")
    }
}

/// Ed25519 public keys of small order, and every way of encoding them.
///
/// The attack (last round's finding): `TokenVerifier::from_jwks` accepted an `OKP` key whose
/// `x` is a point of small order. RFC 8032 §5.1.7 verification checks `[8][S]B = [8]R +
/// [8][k]A`, or the cofactorless `[S]B = R + [k]A` that ed25519-dalek's `verify` and
/// aws-lc's `ED25519_verify` use. With `A` the identity, `R = identity, S = 0` satisfies both
/// for every `k`: one constant signature verifies every payload. With `A` of order 2, 4 or 8,
/// the same signature passes the cofactorless check for the payloads whose `k` is a multiple
/// of the order (a fraction of arbitrary tokens) and the cofactored check for all of them.
/// Sources: Chalkias, Garillot, Nikolaenko, "Taming the many `EdDSAs`" (SSR 2020, IACR ePrint
/// 2020/1244), on small-order and mixed-order keys, and its test vectors in
/// `novifinancial/ed25519-speccheck`; libsodium's `has_small_order` blocklist in
/// `src/libsodium/crypto_core/ed25519/ref10/ed25519_ref10.c`.
mod ed25519_small_order {
    use keyward::token::{KeySet, TokenVerifier};

    use super::support::{self, der, hex, invalid};
    use super::*;

    /// The 8 points of order dividing 8 on edwards25519, canonically encoded (little-endian
    /// `y`, sign of `x` in the top bit; RFC 8032 §5.1.2). The torsion subgroup is cyclic of
    /// order 8: the identity, one point of order 2, two of order 4 and four of order 8. The
    /// order-8 encodings are libsodium's blocklist entries (`c7176a70...037a` and
    /// `26e8958f...fc05`) with either sign bit, and the small-order points of the
    /// `ed25519-speccheck` vectors are among these eight. Checked independently (decode, then multiply by 1, 2, 4, 8) with a short
    /// big-integer script while writing this test.
    pub const SMALL_ORDER: [(&str, &str); 8] = [
        // (0, 1): order 1, the identity.
        (
            "identity",
            "0100000000000000000000000000000000000000000000000000000000000000",
        ),
        // (0, -1): order 2; y = p - 1.
        (
            "order 2",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        ),
        // (±sqrt(-1), 0): order 4.
        (
            "order 4, x even",
            "0000000000000000000000000000000000000000000000000000000000000000",
        ),
        (
            "order 4, x odd",
            "0000000000000000000000000000000000000000000000000000000000000080",
        ),
        // Order 8.
        (
            "order 8 (c717..), x even",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        ),
        (
            "order 8 (c717..), x odd",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
        ),
        (
            "order 8 (26e8..), x even",
            "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        ),
        (
            "order 8 (26e8..), x odd",
            "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
        ),
    ];

    /// Non-canonical encodings of small-order points, which RFC 8032 §5.1.3 says must fail to
    /// decode (step 1: `y` ≥ p; step 4: `x = 0` with the sign bit set) but which lenient
    /// decoders (curve25519-dalek's `decompress`, ref10's `ge_frombytes`) reduce to one of the
    /// points above. An implementation that only blocks the canonical bytes is bypassed by
    /// these; libsodium's blocklist includes `y = p` and `y = p + 1` for that reason, and
    /// speccheck's vectors exercise them.
    pub const NON_CANONICAL_SMALL_ORDER: [(&str, &str); 6] = [
        // y = p ≡ 0: the order-4 point with x even.
        (
            "y = p (0 + p)",
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        ),
        // y = p + 1 ≡ 1: the identity.
        (
            "y = p + 1 (1 + p)",
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        ),
        // The identity with x = "-0".
        (
            "identity, sign bit set",
            "0100000000000000000000000000000000000000000000000000000000000080",
        ),
        // The order-2 point with x = "-0".
        (
            "order 2, sign bit set",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        ),
        // y = p + 1 and the sign bit: the identity, non-canonical twice over.
        (
            "y = p + 1, sign bit set",
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        ),
        // y = p and the sign bit: the order-4 point with x odd.
        (
            "y = p, sign bit set",
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        ),
    ];

    fn all_encodings() -> impl Iterator<Item = (&'static str, Vec<u8>)> {
        SMALL_ORDER
            .into_iter()
            .chain(NON_CANONICAL_SMALL_ORDER)
            .map(|(name, encoding)| (name, hex(encoding)))
    }

    #[test]
    fn there_are_eight_distinct_canonical_small_order_encodings() {
        let mut encodings: Vec<_> = SMALL_ORDER.iter().map(|(_, e)| *e).collect();
        encodings.sort_unstable();
        encodings.dedup();
        assert_eq!(encodings.len(), 8);
    }

    #[test]
    fn refused_by_from_jwk() {
        for (name, x) in all_encodings() {
            assert_eq!(
                VerifyingKey::from_jwk(&support::okp_jwk(&x)).unwrap_err(),
                invalid(KeyError::SmallOrderPoint),
                "{name}"
            );
        }
    }

    #[test]
    fn refused_by_from_pem() {
        for (name, x) in all_encodings() {
            let pem = support::pem("PUBLIC KEY", &der::ed25519_spki(&x));
            assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA"));
            assert_eq!(
                VerifyingKey::from_pem(&pem).unwrap_err(),
                invalid(KeyError::SmallOrderPoint),
                "{name}"
            );
            assert_eq!(
                VerifyingKey::ed25519_pem(&pem).unwrap_err(),
                invalid(KeyError::SmallOrderPoint),
                "{name}"
            );
        }
    }

    /// Beside an honest key, the small-order key is skipped (RFC 7517 §5: keys that cannot be
    /// used are ignored) with its reason, and only the honest key is kept.
    #[test]
    fn skipped_from_a_jwk_set_beside_an_honest_key() {
        for (name, x) in all_encodings() {
            let set = KeySet::from_jwks(&support::jwks_with_good_and(&support::okp_jwk(&x)))
                .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(set.len(), 1, "{name}");
            assert_eq!(set.keys()[0].key_id(), Some("good"), "{name}");
            let [skipped] = set.skipped() else {
                panic!("{name}: {:?}", set.skipped());
            };
            assert_eq!(
                (skipped.index(), skipped.key_id(), skipped.reason()),
                (1, Some("bad"), &KeyError::SmallOrderPoint),
                "{name}"
            );
        }
    }

    /// Alone, it leaves no usable key: the set, and a verifier, cannot be built at all.
    #[test]
    fn a_jwk_set_of_only_a_small_order_key_is_refused() {
        for (name, x) in all_encodings() {
            let jwks = support::jwks_with_only(&support::okp_jwk(&x));
            for error in [
                KeySet::from_jwks(&jwks).unwrap_err(),
                TokenVerifier::from_jwks(&jwks).unwrap_err(),
            ] {
                let TokenError::InvalidKey(KeyError::NoUsableKey(skipped)) = error else {
                    panic!("{name}: {error:?}");
                };
                let [skipped] = skipped.as_slice() else {
                    panic!("{name}: {skipped:?}");
                };
                assert_eq!(
                    (skipped.index(), skipped.key_id(), skipped.reason()),
                    (0, Some("bad"), &KeyError::SmallOrderPoint),
                    "{name}"
                );
            }
        }
    }
}

/// The small-order forgery, built: a token with `"sub":"admin"` whose signature is a constant,
/// made without any private key. The raw backend primitive accepts it (so the attack is real);
/// keyward refuses the key at load (so no keyward verifier can exist that accepts it).
///
/// Sources: "Taming the many `EdDSAs`" (Chalkias et al. 2020) and the `ed25519-speccheck`
/// vectors with a small-order `A` and `R`; RFC 8032 §5.1.7 (the verification equation, which
/// holds trivially for `A = identity, R = identity, S = 0`).
mod ed25519_forgery {
    use keyward::token::{KeySet, TokenVerifier};

    use super::ed25519_small_order::SMALL_ORDER;
    use super::support::{self, b64url, der, hex, invalid};
    use super::*;

    const IDENTITY: &str = "0100000000000000000000000000000000000000000000000000000000000000";
    const ZERO: &str = "0000000000000000000000000000000000000000000000000000000000000000";

    /// `R = identity || S = 0`: the signature that needs no private key.
    fn constant_signature() -> Vec<u8> {
        [hex(IDENTITY), vec![0; 32]].concat()
    }

    /// A forged access token: the header and payload an attacker wants, the constant
    /// signature. Returns (token, signing input).
    fn forge(header: &str, payload: &str) -> (String, String) {
        let input = format!("{}.{}", b64url(header), b64url(payload));
        let token = format!("{input}.{}", b64url(constant_signature()));
        (token, input)
    }

    /// `exp` in 2100, `iat` in 2026: valid for the rest of the century.
    const ADMIN: &str = r#"{"sub":"admin","iat":1767225600,"exp":4102444800}"#;

    /// What the crypto backend under keyward (jsonwebtoken's provider for the enabled
    /// feature, as `src/token/backend.rs` picks it) says about `signature` over `message` for
    /// the raw 32-byte Ed25519 key `x`, with no keyward check in front of it.
    fn raw_backend_accepts(x: &[u8], message: &[u8], signature: &[u8]) -> bool {
        #[cfg(feature = "aws-lc-rs")]
        let provider = &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;
        #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
        let provider = &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;

        let key = jsonwebtoken::DecodingKey::from_ed_der(x);
        match (provider.verifier_factory)(&jsonwebtoken::Algorithm::EdDSA, &key) {
            Ok(verifier) => verifier.verify(message, &signature.to_vec()).is_ok(),
            // A backend that refuses the key outright accepts nothing.
            Err(_) => false,
        }
    }

    /// With the identity as public key, the constant signature verifies the admin token in the
    /// raw backend: the forgery is real.
    #[test]
    fn identity_key_the_raw_backend_accepts_the_forged_admin_token() {
        let (_, input) = forge(r#"{"alg":"EdDSA","typ":"at+jwt"}"#, ADMIN);
        assert!(
            raw_backend_accepts(&hex(IDENTITY), input.as_bytes(), &constant_signature()),
            "the backend refused R = identity, S = 0 under the identity key; the attack \
             premise no longer holds on this backend"
        );
        // And, the forgery being message-independent, any payload at all.
        for sub in ["root", "alice", "anyone"] {
            let payload = ADMIN.replace("admin", sub);
            let (_, input) = forge(r#"{"alg":"EdDSA","typ":"at+jwt"}"#, &payload);
            assert!(raw_backend_accepts(
                &hex(IDENTITY),
                input.as_bytes(),
                &constant_signature()
            ));
        }
    }

    /// An honest key does not accept the constant signature: the backend is sound, the key is
    /// the problem.
    #[test]
    fn an_honest_key_does_not_accept_the_constant_signature() {
        let (_, input) = forge(r#"{"alg":"EdDSA","typ":"at+jwt"}"#, ADMIN);
        assert!(!raw_backend_accepts(
            &hex(support::RFC8032_TEST1_PUBLIC),
            input.as_bytes(),
            &constant_signature()
        ));
    }

    /// With the all-zero key (order 4), the same constant signature verifies only the
    /// payloads whose challenge `k` is a multiple of 4 (about a quarter): a forger just varies
    /// a claim until one passes.
    #[test]
    fn zero_key_the_raw_backend_accepts_a_fraction_of_arbitrary_payloads() {
        let tries = 64;
        let accepted = (0..tries)
            .filter(|jti| {
                let payload = ADMIN.replace('}', &format!(r#","jti":"{jti}"}}"#));
                let (_, input) = forge(r#"{"alg":"EdDSA","typ":"at+jwt"}"#, &payload);
                raw_backend_accepts(&hex(ZERO), input.as_bytes(), &constant_signature())
            })
            .count();
        assert!(
            0 < accepted && accepted < tries,
            "{accepted} of {tries} forged payloads accepted"
        );
    }

    /// keyward refuses both keys at every entry point, so the forged token has nothing to be
    /// verified with.
    #[test]
    fn keyward_refuses_the_forgery_keys_at_load() {
        for x in [hex(IDENTITY), hex(ZERO)] {
            assert_eq!(
                VerifyingKey::from_jwk(&support::okp_jwk(&x)).unwrap_err(),
                invalid(KeyError::SmallOrderPoint)
            );
            assert_eq!(
                VerifyingKey::from_pem(support::pem("PUBLIC KEY", &der::ed25519_spki(&x)))
                    .unwrap_err(),
                invalid(KeyError::SmallOrderPoint)
            );
            let only = support::jwks_with_only(&support::okp_jwk(&x));
            assert!(matches!(
                TokenVerifier::from_jwks(&only),
                Err(TokenError::InvalidKey(KeyError::NoUsableKey(_)))
            ));
        }
    }

    /// Last round's scenario end to end: the attacker's key sits in a published JWK set beside
    /// the real one, and the forged token names it by `kid`. The key was skipped at load, so
    /// the token is refused for naming a key the verifier does not have, before any
    /// signature check.
    #[test]
    fn a_forged_token_naming_the_planted_key_is_refused() {
        for (name, x) in SMALL_ORDER {
            let jwks = support::jwks_with_good_and(&support::okp_jwk(&hex(x)));
            let verifier = TokenVerifier::from_jwks(&jwks).unwrap();
            assert_eq!(verifier.key_set().len(), 1, "{name}");
            let (token, _) = forge(r#"{"alg":"EdDSA","typ":"at+jwt","kid":"bad"}"#, ADMIN);
            assert_eq!(
                verifier.verify::<()>(&token).unwrap_err(),
                TokenError::UnknownKeyId {
                    key_id: "bad".into()
                },
                "{name}"
            );
            // And naming the honest key gets a plain signature failure.
            let (token, _) = forge(r#"{"alg":"EdDSA","typ":"at+jwt","kid":"good"}"#, ADMIN);
            assert_eq!(
                verifier.verify::<()>(&token).unwrap_err(),
                TokenError::InvalidSignature,
                "{name}"
            );
        }
        // The set keyward built holds only the honest key, so nothing can re-export the
        // planted one either.
        let set = KeySet::from_jwks(&support::jwks_with_good_and(&support::okp_jwk(&hex(
            IDENTITY,
        ))))
        .unwrap();
        assert!(!set.to_jwks().contains(&b64url(hex(IDENTITY))));
    }
}

/// Ed25519 keys that are not small-order but still not honest public keys: non-canonical
/// encodings, points off the curve, points outside the prime-order subgroup, wrong lengths.
mod ed25519_encoding {
    use keyward::token::KeySet;

    use super::support::{self, der, hex, invalid};
    use super::*;

    /// The `y` values below 19 that are on the curve (RFC 8032 §5.1.3: x² = (y² − 1)/(d y² + 1)
    /// has a square root). None is one of the small-order `y` (0, 1, −1, and the two order-8
    /// ones), so each is a point of large order; none is in the prime-order subgroup either
    /// (each has a torsion component). Found with a short big-integer script; 2, 7, 8, 11, 12,
    /// 13 and 17 are off the curve.
    const ON_CURVE_SMALL_Y: [u8; 10] = [3, 4, 5, 6, 9, 10, 14, 15, 16, 18];
    const OFF_CURVE_SMALL_Y: [u8; 7] = [2, 7, 8, 11, 12, 13, 17];

    /// The 32-byte little-endian encoding of `y` (sign bit clear).
    fn encode_y(y: u8) -> Vec<u8> {
        let mut bytes = vec![0; 32];
        bytes[0] = y;
        bytes
    }

    /// The encoding of `y + p` for y < 19, the only `y` for which y + p still fits in 255
    /// bits (p = 2²⁵⁵ − 19, whose little-endian bytes are `ed ff .. ff 7f`).
    fn encode_y_plus_p(y: u8) -> Vec<u8> {
        let mut bytes = vec![0xff; 32];
        bytes[0] = 0xed + y;
        bytes[31] = 0x7f;
        bytes
    }

    /// RFC 8032 §5.1.3 step 1: a `y` at or above p must fail to decode. y + p fits in 255 bits
    /// only when y < 19, and the other non-canonical form (step 4: x = 0 with the sign bit
    /// set) only exists for the two small-order points with x = 0. So the large-order points
    /// with a non-canonical encoding are exactly these ten `y`, each with either sign of x:
    /// twenty encodings in all, none of them a point an honest key is likely to be. Lenient
    /// decoders reduce `y` mod p and accept them.
    #[test]
    fn y_plus_p_of_a_large_order_point_is_non_canonical() {
        for y in ON_CURVE_SMALL_Y {
            for sign in [0x00, 0x80] {
                let mut x = encode_y_plus_p(y);
                x[31] |= sign;
                assert_eq!(
                    VerifyingKey::from_jwk(&support::okp_jwk(&x)).unwrap_err(),
                    invalid(KeyError::NonCanonicalPoint),
                    "y = {y} + p, sign {sign:#x}"
                );
                assert_eq!(
                    VerifyingKey::from_pem(support::pem("PUBLIC KEY", &der::ed25519_spki(&x)))
                        .unwrap_err(),
                    invalid(KeyError::NonCanonicalPoint),
                    "y = {y} + p, sign {sign:#x}"
                );
            }
        }
    }

    /// RFC 8032 §5.1.3 steps 2–3 fail (no square root), so there is no point: about half of all
    /// `y` are like this.
    #[test]
    fn a_y_with_no_x_is_not_on_the_curve() {
        for y in OFF_CURVE_SMALL_Y {
            assert_eq!(
                VerifyingKey::from_jwk(&support::okp_jwk(&encode_y(y))).unwrap_err(),
                invalid(KeyError::NotOnCurve),
                "y = {y}"
            );
        }
        // And through PEM and a key set.
        let x = encode_y(2);
        assert_eq!(
            VerifyingKey::from_pem(support::pem("PUBLIC KEY", &der::ed25519_spki(&x))).unwrap_err(),
            invalid(KeyError::NotOnCurve)
        );
        let set = KeySet::from_jwks(&support::jwks_with_good_and(&support::okp_jwk(&x))).unwrap();
        assert_eq!(set.skipped()[0].reason(), &KeyError::NotOnCurve);
    }

    /// Canonical, on the curve, large order, but with a torsion component: not `[s]B` for any
    /// `s`, so no honest key (RFC 8032 §5.1.5) is like this. "Taming the many `EdDSAs`" calls
    /// these mixed-order keys: with them, cofactored and cofactorless verifiers disagree.
    #[test]
    fn a_point_outside_the_prime_order_subgroup_is_refused() {
        for y in ON_CURVE_SMALL_Y {
            assert_eq!(
                VerifyingKey::from_jwk(&support::okp_jwk(&encode_y(y))).unwrap_err(),
                invalid(KeyError::NotInPrimeOrderSubgroup),
                "y = {y}"
            );
        }
        // RFC 8032 §7.1 TEST 1's public key plus the order-8 point c7176a70...037a: an honest
        // key with an 8-torsion component added (computed with a big-integer script).
        let mixed = hex("9158312a9a8d6e3b34c891d6d61444f8b8211c5117ebad15bdb0bd68b07e0245");
        assert_eq!(
            VerifyingKey::from_jwk(&support::okp_jwk(&mixed)).unwrap_err(),
            invalid(KeyError::NotInPrimeOrderSubgroup)
        );
        assert_eq!(
            VerifyingKey::from_pem(support::pem("PUBLIC KEY", &der::ed25519_spki(&mixed)))
                .unwrap_err(),
            invalid(KeyError::NotInPrimeOrderSubgroup)
        );
    }

    /// RFC 8032 §5.1.5: a public key is exactly 32 octets.
    #[test]
    fn a_key_of_the_wrong_length_is_refused() {
        let honest = hex(support::RFC8032_TEST1_PUBLIC);
        for len in [0, 31, 33, 64] {
            let x: Vec<u8> = honest.iter().copied().cycle().take(len).collect();
            let expected = invalid(KeyError::WrongLength {
                name: "x",
                len,
                expected: 32,
            });
            assert_eq!(
                VerifyingKey::from_jwk(&support::okp_jwk(&x)).unwrap_err(),
                expected,
                "{len} bytes"
            );
            assert_eq!(
                VerifyingKey::from_pem(support::pem("PUBLIC KEY", &der::ed25519_spki(&x)))
                    .unwrap_err(),
                expected,
                "{len} bytes"
            );
        }
    }
}

/// RSA public keys refused at load, by the same rules whether they come as a JWK, a
/// `SubjectPublicKeyInfo` PEM or a PKCS#1 `RSA PUBLIC KEY` PEM. RFC 7518 §6.3.1 defines the JWK
/// members; NIST SP 800-89 §5.3.3 and SP 800-56B §6.4.2.2 the partial public-key validation
/// (n odd, 2¹⁶ < e < 2²⁵⁶ odd for generation; keyward accepts 3 ≤ e ≤ 2³³ − 1 odd, the
/// backends' range); RFC 7518 §3.3 and SP 800-57 the 2048-bit floor.
mod rsa {
    use keyward::token::{Algorithm, KeySet, SigningKey};

    use super::support::{self, b64url, der, invalid};
    use super::*;

    /// tests/keys/rsa2048-public.pem's modulus and exponent (65537).
    fn rsa2048() -> (Vec<u8>, Vec<u8>) {
        der::read_rsa_spki(&support::unpem(&support::key_file("rsa2048-public.pem")))
    }

    /// Asserts that `n`, `e` are refused with `expected` from a JWK, a JWK set (as the skip
    /// reason), an SPKI PEM and a PKCS#1 PEM.
    fn assert_refused_everywhere(n: &[u8], e: &[u8], expected: &KeyError, case: &str) {
        let jwk = support::rsa_jwk(n, e);
        assert_eq!(
            VerifyingKey::from_jwk(&jwk).unwrap_err(),
            invalid(expected.clone()),
            "{case}: JWK"
        );
        let set = KeySet::from_jwks(&support::jwks_with_good_and(&jwk)).unwrap();
        assert_eq!(set.skipped()[0].reason(), expected, "{case}: JWK set");
        let spki = support::pem("PUBLIC KEY", &der::rsa_spki(n, e));
        assert_eq!(
            VerifyingKey::from_pem(&spki).unwrap_err(),
            invalid(expected.clone()),
            "{case}: SPKI PEM"
        );
        assert_eq!(
            VerifyingKey::rs256_pem(&spki).unwrap_err(),
            invalid(expected.clone()),
            "{case}: rs256_pem"
        );
        let pkcs1 = support::pem("RSA PUBLIC KEY", &der::rsa_public_key(n, e));
        assert_eq!(
            VerifyingKey::from_pem(&pkcs1).unwrap_err(),
            invalid(expected.clone()),
            "{case}: PKCS#1 PEM"
        );
    }

    /// An even modulus is not a product of two odd primes (SP 800-89 §5.3.3: n odd); a key a
    /// backend may still "verify" with, with results no one can vouch for.
    #[test]
    fn an_even_modulus_is_refused() {
        let (mut n, e) = rsa2048();
        *n.last_mut().unwrap() &= 0xfe;
        assert_refused_everywhere(&n, &e, &KeyError::RsaModulusEven, "n even");
    }

    /// e = 1 makes the signature the encoded message itself: anyone can "sign". e = 2 is
    /// Rabin, not RSA (and even). Both are below 3.
    #[test]
    fn an_exponent_below_3_is_refused() {
        let (n, _) = rsa2048();
        for e in [&[1u8][..], &[2]] {
            assert_refused_everywhere(&n, e, &KeyError::RsaExponentTooSmall, &format!("e = {e:?}"));
        }
    }

    /// An even e is never coprime to φ(n), which is even: no private exponent exists.
    #[test]
    fn an_even_exponent_is_refused() {
        let (n, _) = rsa2048();
        for e in [
            &[4u8][..],
            &[0x01, 0x00, 0x00],
            &[0x01, 0x00, 0x00, 0x00, 0x00],
        ] {
            assert_refused_everywhere(&n, e, &KeyError::RsaExponentEven, &format!("e = {e:?}"));
        }
    }

    /// Above 2³³ − 1, neither backend verifies (aws-lc and the `rsa` crate's
    /// `MAX_PUB_EXPONENT` both stop at 33 bits); 257 octets of 0xff is also above n.
    #[test]
    fn an_exponent_too_large_is_refused() {
        let (n, _) = rsa2048();
        let cases: [(&str, Vec<u8>); 3] = [
            ("257 bytes of 0xff (> n)", vec![0xff; 257]),
            ("2^33 + 1", vec![0x02, 0x00, 0x00, 0x00, 0x01]),
            ("2^64 - 1", vec![0xff; 8]),
        ];
        for (case, e) in cases {
            assert_refused_everywhere(&n, &e, &KeyError::RsaExponentTooLarge, case);
        }
    }

    /// The limits are where the documentation says: 3 and 2³³ − 1 are accepted.
    #[test]
    fn exponents_at_the_limits_are_accepted() {
        let (n, _) = rsa2048();
        for e in [&[3u8][..], &[0x01, 0xff, 0xff, 0xff, 0xff]] {
            VerifyingKey::from_jwk(&support::rsa_jwk(&n, e)).unwrap();
            VerifyingKey::from_pem(support::pem("PUBLIC KEY", &der::rsa_spki(&n, e))).unwrap();
        }
    }

    /// A huge modulus costs time on every token and the backend would only fail later; refuse
    /// it at load with the cap named.
    #[test]
    fn a_modulus_above_the_backend_cap_is_refused() {
        let e = [0x01, 0x00, 0x01];
        let n16384 = vec![0xff; 16384 / 8];
        assert_refused_everywhere(
            &n16384,
            &e,
            &KeyError::RsaModulusTooLarge {
                bits: 16384,
                max_bits: VerifyingKey::MAX_RSA_BITS,
            },
            "16384 bits",
        );
        // One bit over the cap.
        let mut over = vec![0x01];
        over.extend(vec![0xff; VerifyingKey::MAX_RSA_BITS / 8]);
        assert_refused_everywhere(
            &over,
            &e,
            &KeyError::RsaModulusTooLarge {
                bits: VerifyingKey::MAX_RSA_BITS + 1,
                max_bits: VerifyingKey::MAX_RSA_BITS,
            },
            "MAX_RSA_BITS + 1",
        );
    }

    /// RFC 7518 §3.3: "A key of size 2048 bits or larger MUST be used".
    #[test]
    fn a_1024_bit_modulus_is_weak() {
        let weak = |algorithm| {
            invalid(KeyError::Weak {
                algorithm,
                bits: 1024,
                min_bits: VerifyingKey::MIN_RSA_BITS,
            })
        };
        assert_eq!(VerifyingKey::MIN_RSA_BITS, 2048);
        let pem = support::key_file("rsa1024-public.pem");
        assert_eq!(
            VerifyingKey::from_pem(&pem).unwrap_err(),
            weak(Algorithm::RS256)
        );
        assert_eq!(
            VerifyingKey::from_pem_as(&pem, Algorithm::PS256).unwrap_err(),
            weak(Algorithm::PS256)
        );
        let (n, e) = der::read_rsa_spki(&support::unpem(&pem));
        assert_refused_everywhere(
            &n,
            &e,
            &KeyError::Weak {
                algorithm: Algorithm::RS256,
                bits: 1024,
                min_bits: 2048,
            },
            "1024 bits",
        );
        // And the private half cannot be used to sign.
        let private = support::key_file("rsa1024-private.pem");
        assert_eq!(
            SigningKey::from_pem(&private).unwrap_err(),
            weak(Algorithm::RS256)
        );
        assert_eq!(
            SigningKey::ps256_pem(&private).unwrap_err(),
            weak(Algorithm::PS256)
        );
    }

    /// RFC 7518 §2 (`Base64urlUInt`): "the minimum number of octets", so a leading zero octet
    /// is refused rather than silently trimmed (two spellings of one key would have two
    /// RFC 7638 thumbprints). DER forbids it too, so this is JWK only.
    #[test]
    fn a_leading_zero_octet_is_not_minimal() {
        let (n, e) = rsa2048();
        let padded_n = [&[0u8][..], &n].concat();
        assert_eq!(
            VerifyingKey::from_jwk(&support::rsa_jwk(&padded_n, &e)).unwrap_err(),
            invalid(KeyError::NotMinimal("n"))
        );
        let padded_e = [&[0u8][..], &e].concat();
        assert_eq!(
            VerifyingKey::from_jwk(&support::rsa_jwk(&n, &padded_e)).unwrap_err(),
            invalid(KeyError::NotMinimal("e"))
        );
    }

    /// RFC 7515 §2 / RFC 7518 §6.3.1: base64url without padding. Padded text, the standard
    /// alphabet and an empty integer are refused, naming the member.
    #[test]
    fn a_non_canonical_base64url_member_is_refused() {
        use base64::Engine as _;
        use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE};

        let (n, e) = rsa2048();
        let (n_text, e_text) = (b64url(&n), b64url(&e));

        // 256 octets: padded base64 ends "==".
        let padded_n = URL_SAFE.encode(&n);
        assert!(padded_n.ends_with('='));
        assert_eq!(
            VerifyingKey::from_jwk(&support::rsa_jwk_text(&padded_n, &e_text)).unwrap_err(),
            invalid(KeyError::InvalidEncoding("n"))
        );
        // e = 2^24 + 1 (odd, 4 octets) so that padding exists: "AQAAAQ==".
        let padded_e = URL_SAFE.encode([0x01, 0x00, 0x00, 0x01]);
        assert_eq!(padded_e, "AQAAAQ==");
        assert_eq!(
            VerifyingKey::from_jwk(&support::rsa_jwk_text(&n_text, &padded_e)).unwrap_err(),
            invalid(KeyError::InvalidEncoding("e"))
        );
        // The same e unpadded loads, so it is the padding that was refused.
        VerifyingKey::from_jwk(&support::rsa_jwk_text(&n_text, "AQAAAQ")).unwrap();

        let standard_n = STANDARD_NO_PAD.encode(&n);
        assert!(
            standard_n.contains(['+', '/']),
            "pick a modulus with + or /"
        );
        assert_eq!(
            VerifyingKey::from_jwk(&support::rsa_jwk_text(&standard_n, &e_text)).unwrap_err(),
            invalid(KeyError::InvalidEncoding("n"))
        );
        assert_eq!(
            VerifyingKey::from_jwk(&support::rsa_jwk_text(&n_text, "")).unwrap_err(),
            invalid(KeyError::InvalidEncoding("e"))
        );
        assert_eq!(
            VerifyingKey::from_jwk(&format!(r#"{{"kty":"RSA","alg":"RS256","e":"{e_text}"}}"#))
                .unwrap_err(),
            invalid(KeyError::MissingParameter("n"))
        );
    }
}

/// P-256 public keys refused at load: NIST SP 800-56A §5.6.2.3.3 (ECC public-key validation:
/// not the identity, coordinates in range, on the curve; for a cofactor-1 curve such as P-256
/// that is the whole check) and SEC 1 v2 §3.2.2.1. An off-curve point is the entry of the
/// invalid-curve attack (Biehl, Meyer, Müller, "Differential fault attacks on elliptic curve
/// cryptosystems", CRYPTO 2000; Jager, Schwenk, Somorovsky, "Practical Invalid Curve Attacks
/// on TLS-ECDH", ESORICS 2015), which reached JOSE through JWE's ECDH-ES in 2017 (Antonio
/// Sanso's disclosure; node-jose before 0.9.3, GHSA-rvj9-8cvx-3vq9).
mod p256 {
    use keyward::token::KeySet;

    use super::p256_a3;
    use super::support::{self, der, invalid};
    use super::*;

    /// `bytes + 1` as a 32-byte big-endian integer.
    fn plus_one(bytes: &[u8]) -> Vec<u8> {
        let mut out = bytes.to_vec();
        for byte in out.iter_mut().rev() {
            let (sum, carry) = byte.overflowing_add(1);
            *byte = sum;
            if !carry {
                break;
            }
        }
        out
    }

    /// RFC 7515 A.3's point with y + 1: for a given x only ±y are on the curve.
    #[test]
    fn a_point_off_the_curve_is_refused() {
        let (x, y) = (p256_a3::x(), plus_one(&p256_a3::y()));
        assert_eq!(
            VerifyingKey::from_jwk(&support::ec_jwk(&x, &y)).unwrap_err(),
            invalid(KeyError::NotOnCurve)
        );
        let sec1 = [&[0x04][..], &x, &y].concat();
        assert_eq!(
            VerifyingKey::from_pem(support::pem("PUBLIC KEY", &der::p256_spki(&sec1))).unwrap_err(),
            invalid(KeyError::NotOnCurve)
        );
        let set =
            KeySet::from_jwks(&support::jwks_with_good_and(&support::ec_jwk(&x, &y))).unwrap();
        assert_eq!(set.skipped()[0].reason(), &KeyError::NotOnCurve);
    }

    /// (0, 0) is not on P-256 (b ≠ 0); some libraries use it to stand for the point at
    /// infinity.
    #[test]
    fn the_zero_point_is_not_on_the_curve() {
        assert_eq!(
            VerifyingKey::from_jwk(&support::ec_jwk(&[0; 32], &[0; 32])).unwrap_err(),
            invalid(KeyError::NotOnCurve)
        );
    }

    /// SP 800-56A §5.6.2.3.3 step 1: the identity is refused. SEC1 encodes it as the single
    /// octet 0x00, which only a PEM can carry.
    #[test]
    fn the_point_at_infinity_is_refused() {
        assert_eq!(
            VerifyingKey::from_pem(support::pem("PUBLIC KEY", &der::p256_spki(&[0x00])))
                .unwrap_err(),
            invalid(KeyError::SmallOrderPoint)
        );
    }

    /// RFC 7518 §6.2.1.2: x and y are the full 32 octets, leading zeros kept.
    #[test]
    fn a_coordinate_of_the_wrong_length_is_refused() {
        let (x, y) = (p256_a3::x(), p256_a3::y());
        assert_eq!(
            VerifyingKey::from_jwk(&support::ec_jwk(&x[1..], &y)).unwrap_err(),
            invalid(KeyError::WrongLength {
                name: "x",
                len: 31,
                expected: 32
            })
        );
        let long_y = [&[0u8][..], &y].concat();
        assert_eq!(
            VerifyingKey::from_jwk(&support::ec_jwk(&x, &long_y)).unwrap_err(),
            invalid(KeyError::WrongLength {
                name: "y",
                len: 33,
                expected: 32
            })
        );
    }
}

/// Keys of the wrong kind for the call, and documents that are not keys at all.
mod wrong_kind_and_shape {
    use keyward::token::{Algorithm, KeySet, SigningKey, TokenVerifier};

    use super::support::{self, invalid};
    use super::*;

    /// RFC 7518 §3.4: ES256 is P-256 with SHA-256, so a P-384 key cannot serve. The error
    /// names what was found.
    #[test]
    fn a_p384_key_is_not_an_es256_key() {
        let p384 = support::key_file("p384-public.pem");
        let expected = invalid(KeyError::WrongKeyType {
            found: "EC P-384".into(),
            expected: "EC P-256",
        });
        assert_eq!(
            VerifyingKey::from_pem_as(&p384, Algorithm::ES256).unwrap_err(),
            expected
        );
        assert_eq!(VerifyingKey::es256_pem(&p384).unwrap_err(), expected);
        assert_eq!(
            SigningKey::es256_pem(support::key_file("p384-private.pem")).unwrap_err(),
            expected
        );
    }

    #[test]
    fn an_rsa_key_is_not_an_es256_key() {
        assert_eq!(
            SigningKey::es256_pem(support::key_file("rsa2048-private.pem")).unwrap_err(),
            invalid(KeyError::WrongKeyType {
                found: "RSA".into(),
                expected: "EC P-256"
            })
        );
        assert_eq!(
            VerifyingKey::es256_pem(support::key_file("rsa2048-public.pem")).unwrap_err(),
            invalid(KeyError::WrongKeyType {
                found: "RSA".into(),
                expected: "EC P-256"
            })
        );
    }

    /// A public key cannot sign, and a private key is not accepted where only a public one
    /// belongs (it should never have been copied there).
    #[test]
    fn public_and_private_pems_are_not_interchangeable() {
        assert_eq!(
            SigningKey::from_pem(support::key_file("p256-1-public.pem")).unwrap_err(),
            invalid(KeyError::WrongPemType {
                found: "PUBLIC KEY".into(),
                expected: "PRIVATE KEY"
            })
        );
        assert_eq!(
            VerifyingKey::from_pem(support::key_file("p256-1-private.pem")).unwrap_err(),
            invalid(KeyError::WrongPemType {
                found: "PRIVATE KEY".into(),
                expected: "PUBLIC KEY"
            })
        );
    }

    #[test]
    fn text_that_is_not_pem_is_refused() {
        for text in [
            "",
            "not a key",
            "{\"kty\":\"OKP\"}",
            "-----BEGIN PUBLIC KEY-----",
        ] {
            assert_eq!(
                VerifyingKey::from_pem(text).unwrap_err(),
                invalid(KeyError::NotPem),
                "{text:?}"
            );
            assert_eq!(
                SigningKey::from_pem(text).unwrap_err(),
                invalid(KeyError::NotPem),
                "{text:?}"
            );
        }
    }

    /// Two keys in one PEM document: keyward will not pick one silently.
    #[test]
    fn a_pem_bundle_is_refused() {
        let bundle =
            support::key_file("p256-1-public.pem") + &support::key_file("p256-2-public.pem");
        assert_eq!(
            VerifyingKey::from_pem(bundle).unwrap_err(),
            invalid(KeyError::MalformedPem("PEM document with a single key"))
        );
    }

    /// The parser's error is kept as `source()`, so a log shows where the JSON broke.
    #[test]
    fn a_jwk_that_is_not_json_keeps_the_parser_error() {
        let error = VerifyingKey::from_jwk("{\"kty\": RSA}").unwrap_err();
        let TokenError::InvalidKey(key_error @ KeyError::NotJson(json)) = &error else {
            panic!("{error:?}");
        };
        assert_eq!((json.line(), json.column()), (1, 9));
        assert!(std::error::Error::source(key_error).is_some());
        assert!(std::error::Error::source(&error).is_some());

        for jwks in ["not json", "[]", r#"{"keys":{}}"#] {
            assert!(
                matches!(
                    KeySet::from_jwks(jwks),
                    Err(TokenError::InvalidKey(KeyError::NotJson(_)))
                ),
                "{jwks}"
            );
        }
    }

    #[test]
    fn an_empty_key_set_is_refused() {
        assert_eq!(
            KeySet::from_jwks(r#"{"keys":[]}"#).unwrap_err(),
            invalid(KeyError::EmptyKeySet)
        );
        assert_eq!(
            TokenVerifier::from_jwks(r#"{"keys":[]}"#).unwrap_err(),
            invalid(KeyError::EmptyKeySet)
        );
    }

    /// RFC 7517 §5: members a reader does not understand make the key unusable, not the set.
    /// Typos are skipped with the name that was not understood.
    #[test]
    fn typos_in_a_jwk_set_are_skipped_with_the_reason() {
        let x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
        let cases = [
            (
                format!(r#"{{"kty":"ECC","crv":"P-256","x":"{x}","y":"{x}"}}"#),
                KeyError::UnsupportedKeyType("ECC".into()),
            ),
            (
                format!(r#"{{"kty":"okp","crv":"Ed25519","x":"{x}"}}"#),
                KeyError::UnsupportedKeyType("okp".into()),
            ),
            (
                format!(r#"{{"kty":"OKP","crv":"ed25519","x":"{x}"}}"#),
                KeyError::UnsupportedCurve("ed25519".into()),
            ),
            (
                format!(r#"{{"kty":"EC","crv":"P256","x":"{x}","y":"{x}"}}"#),
                KeyError::UnsupportedCurve("P256".into()),
            ),
            (
                format!(r#"{{"kty":"OKP","crv":"Ed25519","alg":"Ed25519","x":"{x}"}}"#),
                KeyError::UnsupportedAlgorithm("Ed25519".into()),
            ),
            (
                format!(r#"{{"kty":"OKP","crv":"Ed25519","use":"sign","x":"{x}"}}"#),
                KeyError::NotForSigning("sign".into()),
            ),
        ];
        for (jwk, reason) in cases {
            let set = KeySet::from_jwks(&support::jwks_with_good_and(&jwk)).unwrap();
            assert_eq!(set.len(), 1, "{jwk}");
            let [skipped] = set.skipped() else {
                panic!("{jwk}: {:?}", set.skipped());
            };
            assert_eq!(
                (skipped.index(), skipped.key_id(), skipped.reason()),
                (1, Some("bad"), &reason),
                "{jwk}"
            );
        }
    }
}

/// Generated keys survive being saved and loaded again, and are fresh each time.
mod key_generation {
    use keyward::TokenIssuer;
    use keyward::token::{KeyPairKind, SigningKey};

    use super::*;

    /// RSA only at 2048 bits: 3072 and 4096 take seconds to generate on a small machine.
    const KINDS: [KeyPairKind; 3] = [
        KeyPairKind::Ed25519,
        KeyPairKind::P256,
        KeyPairKind::Rsa2048,
    ];

    #[test]
    fn generated_keys_round_trip_through_pkcs8_pem() -> Result<(), TokenError> {
        for kind in KINDS {
            let original = SigningKey::generate(kind)?;
            let pem = original.to_pkcs8_pem().expect("a key pair exports");
            assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{kind:?}");
            let reloaded = SigningKey::from_pem(pem.as_bytes())?;
            assert_eq!(reloaded.algorithm(), original.algorithm(), "{kind:?}");
            assert_eq!(
                reloaded.verifying_key().thumbprint(),
                original.verifying_key().thumbprint(),
                "{kind:?}"
            );

            // Signed by the original, verified by the reloaded key's public half, and back.
            let token = TokenIssuer::new(original.clone()).issue("alice", &())?;
            let verifier = keyward::TokenVerifier::new(reloaded.verifying_key());
            assert_eq!(verifier.verify::<()>(&token)?.subject, "alice", "{kind:?}");
            let token = TokenIssuer::new(reloaded).issue("bob", &())?;
            let verifier = keyward::TokenVerifier::new(original.verifying_key());
            assert_eq!(verifier.verify::<()>(&token)?.subject, "bob", "{kind:?}");
        }
        Ok(())
    }

    /// Each generation draws fresh randomness: two keys differ, and one does not verify the
    /// other's tokens.
    #[test]
    fn two_generated_keys_differ() -> Result<(), TokenError> {
        for kind in [KeyPairKind::Ed25519, KeyPairKind::P256] {
            let a = SigningKey::generate(kind)?;
            let b = SigningKey::generate(kind)?;
            assert_ne!(
                a.verifying_key().thumbprint(),
                b.verifying_key().thumbprint()
            );
            assert_ne!(*a.to_pkcs8_pem().unwrap(), *b.to_pkcs8_pem().unwrap());
            let token = TokenIssuer::new(a).issue("alice", &())?;
            assert_eq!(
                keyward::TokenVerifier::new(b.verifying_key())
                    .verify::<()>(&token)
                    .unwrap_err(),
                TokenError::InvalidSignature,
                "{kind:?}"
            );
        }
        Ok(())
    }
}

/// SEC1 `EC PRIVATE KEY` documents (RFC 5915): the curve is read from the structure, so a
/// corrupt P-256 key is called malformed and a key on another curve is named by its curve.
mod sec1 {
    use keyward::token::SigningKey;

    use super::support;
    use super::*;

    /// The 32-byte scalar of `tests/keys/p256-1-private.pem`, and a SEC1 `ECPrivateKey` around
    /// a scalar, with the named curve `curve` (an OID's DER) when given.
    fn sec1(scalar: &[u8], curve: Option<&[u8]>) -> Vec<u8> {
        let mut content = vec![0x02, 0x01, 0x01, 0x04, u8::try_from(scalar.len()).unwrap()];
        content.extend_from_slice(scalar);
        if let Some(curve) = curve {
            content.extend_from_slice(&[0xa0, u8::try_from(curve.len()).unwrap()]);
            content.extend_from_slice(curve);
        }
        let mut der = vec![0x30, u8::try_from(content.len()).unwrap()];
        der.extend_from_slice(&content);
        der
    }

    fn p256_scalar() -> Vec<u8> {
        let pem = std::fs::read("tests/keys/p256-1-private.pem").unwrap();
        let der = pem::parse(pem).unwrap().into_contents();
        // PKCS#8 for P-256 as OpenSSL writes it: 29 bytes of header, then the SEC1 structure,
        // whose scalar starts 7 bytes in.
        der[29 + 7..29 + 7 + 32].to_vec()
    }

    const P256_OID: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    const P384_OID: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];

    #[test]
    fn a_good_p256_key_loads_with_or_without_its_curve() {
        let scalar = p256_scalar();
        for curve in [None, Some(P256_OID)] {
            let pem = support::pem("EC PRIVATE KEY", &sec1(&scalar, curve));
            let from_sec1 = SigningKey::from_pem(pem).unwrap();
            let from_pkcs8 =
                SigningKey::from_pem(std::fs::read("tests/keys/p256-1-private.pem").unwrap())
                    .unwrap();
            assert_eq!(
                from_sec1.verifying_key().thumbprint(),
                from_pkcs8.verifying_key().thumbprint()
            );
        }
    }

    /// The outside review's finding: a corrupt key used to be reported as "not on P-256".
    #[test]
    fn a_corrupt_p256_key_is_malformed_not_another_curve() {
        // A scalar at or above the group order is no P-256 private key (SEC 1 v2 §3.2.1).
        let scalar = [0xff; 32];
        for curve in [None, Some(P256_OID)] {
            let pem = support::pem("EC PRIVATE KEY", &sec1(&scalar, curve));
            assert_eq!(
                SigningKey::from_pem(pem).unwrap_err(),
                TokenError::InvalidKey(KeyError::MalformedPem("SEC1 EC private key"))
            );
        }
        let truncated = &sec1(&p256_scalar(), None)[..20];
        assert_eq!(
            SigningKey::from_pem(support::pem("EC PRIVATE KEY", truncated)).unwrap_err(),
            TokenError::InvalidKey(KeyError::MalformedPem("SEC1 EC private key"))
        );
    }

    #[test]
    fn a_p384_key_is_named_by_its_curve() {
        let pem = support::pem("EC PRIVATE KEY", &sec1(&[0x11; 48], Some(P384_OID)));
        assert_eq!(
            SigningKey::from_pem(pem).unwrap_err(),
            TokenError::InvalidKey(KeyError::WrongKeyType {
                found: "EC P-384".into(),
                expected: "RSA, EC P-256 or Ed25519"
            })
        );
    }
}
