//! How a token's payload is written and read, each in one pass with no intermediate JSON value
//! (issue 23): every member name once at any depth whatever the caller's type reads, the
//! registered claims kept from the caller's type, and refusals in the same order as before.
//!
//! Sources: RFC 7515 §5.2 and RFC 7519 §4 (a JWS/JWT with a repeated member name is refused),
//! RFC 8725 §3.12 (parsers that disagree on duplicates), RFC 7519 §4.1 (the registered claims).

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use keyward::token::{
    Claim, Claims, FixedClock, SigningKey, TokenError, TokenIssuer, TokenPart, TokenVerifier,
    VerifyingKey,
};
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::common::craft::{self, AT_HS256, payload_at};

const NOW: i64 = 1_700_000_000;
const SECRET: [u8; 32] = *b"0123456789abcdef0123456789abcdef";

fn issuer() -> TokenIssuer {
    TokenIssuer::new(SigningKey::hs256(SECRET).unwrap())
        .with_clock(FixedClock::at_unix_seconds(NOW))
}

fn verifier() -> TokenVerifier {
    TokenVerifier::new(VerifyingKey::hs256(SECRET).unwrap())
        .with_clock(FixedClock::at_unix_seconds(NOW))
}

fn signed(payload: &str) -> String {
    craft::hs256(&SECRET, AT_HS256, payload)
}

/// The payload of a token, parsed as plain JSON.
fn payload_of(token: &str) -> Value {
    use base64::Engine as _;
    let part = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Role {
    role: String,
}

/// A claims type that reads the first member the payload offers it and stops: the rest of the
/// payload must still be read and judged.
#[derive(Debug)]
struct FirstOnly(Option<String>);

impl<'de> Deserialize<'de> for FirstOnly {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct First;
        impl<'de> Visitor<'de> for First {
            type Value = FirstOnly;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FirstOnly, A::Error> {
                Ok(FirstOnly(
                    map.next_entry::<String, IgnoredAny>()?
                        .map(|(name, _)| name),
                ))
            }
        }
        deserializer.deserialize_map(First)
    }
}

mod reading {
    use super::*;

    /// Every way of reading the caller's claims, each of which must refuse the payload.
    fn refusals(token: &str) -> Vec<(&'static str, TokenError)> {
        let verifier = verifier();
        vec![
            ("()", verifier.verify::<()>(token).unwrap_err()),
            ("Value", verifier.verify::<Value>(token).unwrap_err()),
            (
                "HashMap",
                verifier
                    .verify::<HashMap<String, Value>>(token)
                    .unwrap_err(),
            ),
            (
                "IgnoredAny",
                verifier.verify::<IgnoredAny>(token).unwrap_err(),
            ),
            (
                "FirstOnly",
                verifier.verify::<FirstOnly>(token).unwrap_err(),
            ),
            (
                "Option<Role>",
                verifier.verify::<Option<Role>>(token).unwrap_err(),
            ),
        ]
    }

    /// A repeated name is refused at every depth, including in members the caller's type
    /// ignores or never reads: the next service may read them, and read the other value.
    #[test]
    fn a_repeated_name_is_refused_whatever_the_claims_type_reads() {
        for more in [
            r#","role":"user","role":"admin""#,
            r#","role":"user","ignored":{"a":1,"a":2}"#,
            r#","role":"user","deep":{"b":{"c":[{"d":1,"d":2}]}}"#,
            r#","role":"user","list":[[{"x":1,"x":2}]]"#,
            r#","role":"user","r\u00f4le":1,"rôle":2"#,
            r#","role":"user","aud":[{"x":1,"x":2}]"#,
            r#","role":"user","nbf":null,"nbf":1"#,
            r#","role":"user","jti":{"a":null,"a":null}"#,
            r#","role":{"role":"user","role":"admin"}"#,
        ] {
            let token = signed(&payload_at(NOW, more));
            for (reader, error) in refusals(&token) {
                assert_eq!(
                    error,
                    TokenError::Malformed(TokenPart::Payload),
                    "{reader}: {more}"
                );
            }
            let role = verifier().verify::<Role>(&token);
            assert!(
                matches!(role, Err(TokenError::Malformed(TokenPart::Payload))),
                "Role: {more}: {role:?}"
            );
        }
    }

    /// The same name in two different objects is no repetition.
    #[test]
    fn the_same_name_in_different_objects_is_read() {
        let token = signed(&payload_at(
            NOW,
            r#","a":{"n":1},"b":{"n":2},"c":[{"n":3},{"n":4}],"n":5"#,
        ));
        let claims = verifier().verify::<Value>(&token).unwrap();
        assert_eq!(
            claims.extra,
            json!({"a":{"n":1},"b":{"n":2},"c":[{"n":3},{"n":4}],"n":5})
        );
    }

    /// Objects with many members switch to the tree of names; a repeat far apart is found.
    #[test]
    fn a_repeat_among_many_names_is_found() {
        let members = (0..40).fold(String::new(), |members, i| {
            members + &format!(r#","m{i}":{i}"#)
        });
        let token = signed(&payload_at(NOW, &members));
        assert_eq!(
            verifier()
                .verify::<Value>(&token)
                .unwrap()
                .extra
                .as_object()
                .unwrap()
                .len(),
            40
        );
        let repeated = signed(&payload_at(NOW, &format!(r#"{members},"m3":0"#)));
        for (reader, error) in refusals(&repeated) {
            assert_eq!(error, TokenError::Malformed(TokenPart::Payload), "{reader}");
        }
    }

    /// RFC 7519 §4.1: `sub`, `exp` and the rest are the verifier's; the caller's type reads the
    /// other members, all of them, as they were.
    #[test]
    fn the_callers_type_sees_every_other_member_and_no_registered_claim() {
        let token = signed(&payload_at(
            NOW,
            r#","iss":"https://auth.example.com","jti":"t1","nbf":1,"role":"admin","n":[1,{"k":null}]"#,
        ));
        let claims = verifier()
            .with_issuer("https://auth.example.com")
            .verify::<BTreeMap<String, Value>>(&token)
            .unwrap();
        assert_eq!(
            claims.extra,
            BTreeMap::from([
                ("n".to_owned(), json!([1, {"k": null}])),
                ("role".to_owned(), json!("admin")),
            ])
        );
        assert_eq!(claims.token_id.as_deref(), Some("t1"));
    }

    /// A type that stops reading early still has every registered claim judged: an `exp` after
    /// the member it read still expires the token.
    #[test]
    fn a_type_that_stops_early_still_has_every_claim_judged() {
        let past = NOW - 10;
        let token = signed(&format!(
            r#"{{"role":"user","sub":"alice","iat":{past},"exp":{past}}}"#
        ));
        assert!(matches!(
            verifier().verify::<FirstOnly>(&token),
            Err(TokenError::Expired { .. })
        ));
        let fresh = signed(&format!(
            r#"{{"role":"user","sub":"alice","iat":{NOW},"exp":{}}}"#,
            NOW + 60
        ));
        let claims = verifier().verify::<FirstOnly>(&fresh).unwrap();
        assert_eq!(claims.extra.0.as_deref(), Some("role"));
        assert_eq!(claims.subject, "alice");
    }

    /// The order of refusals: a payload that is not one object with unique names is malformed;
    /// then the registered claims; only then the caller's type.
    #[test]
    fn registered_claims_are_judged_before_the_callers_type() {
        let bad_role = r#","role":42"#;
        let expired = signed(&format!(
            r#"{{"sub":"alice","iat":{},"exp":{}{bad_role}}}"#,
            NOW - 20,
            NOW - 10
        ));
        assert!(matches!(
            verifier().verify::<Role>(&expired),
            Err(TokenError::Expired { .. })
        ));
        let wrong_tenant = signed(&payload_at(NOW, r#","role":42,"tenant":"other""#));
        assert_eq!(
            verifier()
                .with_required_claims([("tenant", "acme")])
                .verify::<Role>(&wrong_tenant)
                .unwrap_err(),
            TokenError::ClaimMismatch {
                name: "tenant".into(),
                found: Some("other".into())
            }
        );
        let valid = signed(&payload_at(NOW, bad_role));
        let error = verifier().verify::<Role>(&valid).unwrap_err();
        assert!(
            matches!(&error, TokenError::InvalidExtraClaims(e) if e.to_string().contains("invalid type")),
            "{error:?}"
        );
        let missing = signed(&payload_at(NOW, ""));
        assert!(matches!(
            verifier().verify::<Role>(&missing),
            Err(TokenError::InvalidExtraClaims(_))
        ));
        let repeated = signed(&payload_at(NOW, r#","role":42,"x":1,"x":1"#));
        assert_eq!(
            verifier().verify::<Role>(&repeated).unwrap_err(),
            TokenError::Malformed(TokenPart::Payload)
        );
    }

    /// A required claim is checked and still reaches the caller's type, wherever it stands and
    /// however often it is listed.
    #[test]
    fn a_required_claim_is_checked_and_still_read() {
        #[derive(Deserialize)]
        struct Tenant {
            tenant: String,
            role: String,
        }
        let token = signed(&payload_at(NOW, r#","tenant":"acme","role":"admin""#));
        let verifier = verifier().with_required_claims([("tenant", "acme"), ("tenant", "acme")]);
        let claims: Claims<Tenant> = verifier.verify(&token).unwrap();
        assert_eq!(
            (claims.extra.tenant.as_str(), claims.extra.role.as_str()),
            ("acme", "admin")
        );
        let not_a_string = signed(&payload_at(NOW, r#","tenant":{"id":"acme"}"#));
        assert_eq!(
            verifier.verify::<()>(&not_a_string).unwrap_err(),
            TokenError::ClaimMismatch {
                name: "tenant".into(),
                found: None
            }
        );
    }

    /// A type that takes a required claim's name and stops before its value: the value held
    /// for it is dropped, and the next required claim is read for itself.
    #[test]
    fn a_required_value_left_unread_does_not_stand_for_the_next() {
        #[derive(Debug)]
        struct FirstName;
        impl<'de> Deserialize<'de> for FirstName {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct KeyOnly;
                impl<'de> Visitor<'de> for KeyOnly {
                    type Value = FirstName;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("an object")
                    }
                    fn visit_map<A: MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<FirstName, A::Error> {
                        map.next_key::<IgnoredAny>()?;
                        Ok(FirstName)
                    }
                }
                deserializer.deserialize_map(KeyOnly)
            }
        }
        let token = signed(&payload_at(NOW, r#","tenant":"acme","team":"blue""#));
        let verifier = verifier().with_required_claims([("tenant", "acme"), ("team", "blue")]);
        verifier.verify::<FirstName>(&token).unwrap();
        let wrong_team = signed(&payload_at(NOW, r#","tenant":"acme","team":"red""#));
        assert_eq!(
            verifier.verify::<FirstName>(&wrong_team).unwrap_err(),
            TokenError::ClaimMismatch {
                name: "team".into(),
                found: Some("red".into())
            }
        );
    }

    /// Member names read the way `serde_json` reads map keys: as strings, or as numbers and
    /// booleans spelled as strings.
    #[test]
    fn names_read_as_numbers_where_the_type_asks() {
        let token = signed(&payload_at(NOW, r#","7":"seven","-1":"minus one""#));
        let claims = verifier().verify::<HashMap<i32, String>>(&token).unwrap();
        assert_eq!(
            claims.extra,
            HashMap::from([(7, "seven".to_owned()), (-1, "minus one".to_owned())])
        );
        let words = signed(&payload_at(NOW, r#","seven":"7""#));
        let error = verifier()
            .verify::<HashMap<i32, String>>(&words)
            .unwrap_err();
        assert!(
            matches!(&error, TokenError::InvalidExtraClaims(e) if e.to_string().contains("seven")),
            "{error:?}"
        );
    }

    /// Escaped names are compared unescaped: `"r\u00f4le"` and `"rôle"` are one name, and the
    /// type reads it unescaped.
    #[test]
    fn escaped_names_are_read_unescaped() {
        let token = signed(&payload_at(NOW, r#","r\u00f4le":"admin""#));
        let claims = verifier()
            .verify::<HashMap<String, String>>(&token)
            .unwrap();
        assert_eq!(claims.extra["rôle"], "admin");
    }
}

mod writing {
    use super::*;

    /// A map that writes the entries it is given, in order, repeats included: what a
    /// hand-written `Serialize` can do.
    struct Entries<K, V>(Vec<(K, V)>);

    impl<K: Serialize, V: Serialize> Serialize for Entries<K, V> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(Some(self.0.len()))?;
            for (key, value) in &self.0 {
                map.serialize_entry(key, value)?;
            }
            map.end()
        }
    }

    fn refused<T: Serialize + ?Sized>(extra: &T) -> TokenError {
        issuer().issue("alice", extra).unwrap_err()
    }

    fn duplicate_of(error: &TokenError) -> Option<String> {
        match error {
            TokenError::InvalidExtraClaims(error) => error
                .to_string()
                .split('`')
                .nth(1)
                .filter(|_| error.to_string().contains("duplicate member"))
                .map(str::to_owned),
            _ => None,
        }
    }

    /// RFC 7519 §4.1: keyward sets the registered claims; a caller's claim naming one is
    /// refused, whatever type it came from, and the first in RFC order is named.
    #[test]
    fn a_callers_claim_may_not_set_a_registered_one() {
        #[derive(Serialize)]
        struct Sneaky {
            #[serde(rename = "jti")]
            id: String,
        }
        #[derive(Serialize)]
        enum Variant {
            #[serde(rename = "aud")]
            Audience(String),
        }
        assert_eq!(
            refused(&Sneaky { id: "x".into() }),
            TokenError::ReservedClaim(Claim::TokenId)
        );
        assert_eq!(
            refused(&Variant::Audience("everyone".into())),
            TokenError::ReservedClaim(Claim::Audience)
        );
        assert_eq!(
            refused(&Entries(vec![("exp", json!(1)), ("iss", json!("x"))])),
            TokenError::ReservedClaim(Claim::Issuer)
        );
        assert_eq!(
            refused(&json!({ "sub": "admin" })),
            TokenError::ReservedClaim(Claim::Subject)
        );
        // A name that only contains a registered one is the caller's.
        issuer()
            .issue("alice", &json!({ "subject": 1, "exp_": 2, "\"sub\"": 3 }))
            .unwrap();
    }

    /// A name written twice is refused, however the two came about: repeated entries, a
    /// flattened map beside a field, or a number key beside the same string.
    #[test]
    fn a_name_written_twice_is_refused() {
        #[derive(Serialize)]
        #[serde(untagged)]
        enum Key {
            Number(u32),
            Text(&'static str),
        }
        #[derive(Serialize)]
        struct Flattened {
            role: String,
            #[serde(flatten)]
            more: HashMap<String, String>,
        }
        let flattened = Flattened {
            role: "user".into(),
            more: HashMap::from([("role".into(), "admin".into())]),
        };
        for (case, error) in [
            (
                "entries",
                refused(&Entries(vec![("role", "user"), ("role", "admin")])),
            ),
            ("flatten", refused(&flattened)),
            (
                "apart",
                refused(&Entries(vec![
                    ("role", "user"),
                    ("x", "1"),
                    ("role", "admin"),
                ])),
            ),
        ] {
            assert_eq!(
                duplicate_of(&error).as_deref(),
                Some("role"),
                "{case}: {error:?}"
            );
        }
        let error = refused(&Entries(vec![(Key::Number(1), 1), (Key::Text("1"), 2)]));
        assert_eq!(duplicate_of(&error).as_deref(), Some("1"), "{error:?}");
        let error = refused(&Entries(vec![("a\"b\n", 1), ("a\"b\n", 2)]));
        assert_eq!(duplicate_of(&error).as_deref(), Some("a\"b\n"), "{error:?}");
    }

    /// The caller's claims are an object, or nothing: `()`, `None` and a unit struct add no
    /// member; anything else is refused with what it was.
    #[test]
    fn extra_claims_are_an_object_or_nothing() {
        #[derive(Serialize)]
        enum Shape {
            Unit,
            Tuple(u8, u8),
            Struct { n: u8 },
        }
        #[derive(Serialize)]
        struct Nothing;
        for (case, error, found) in [
            ("string", refused("admin"), "a string"),
            ("number", refused(&7), "a number"),
            ("bool", refused(&true), "a boolean"),
            ("array", refused(&[1, 2]), "an array"),
            ("vec", refused(&vec!["a"]), "an array"),
            ("unit variant", refused(&Shape::Unit), "a string"),
            (
                "tuple variant",
                refused(&Shape::Tuple(1, 2)),
                "an enum variant",
            ),
            (
                "struct variant",
                refused(&Shape::Struct { n: 1 }),
                "an enum variant",
            ),
            ("Some(string)", refused(&Some("x")), "a string"),
        ] {
            assert!(
                matches!(&error, TokenError::InvalidExtraClaims(e) if e.to_string().contains(found)),
                "{case}: {error:?}"
            );
        }
        let registered = ["exp", "iat", "jti", "sub"];
        for token in [
            issuer().issue("alice", &()).unwrap(),
            issuer().issue("alice", &None::<Role>).unwrap(),
            issuer().issue("alice", &Nothing).unwrap(),
            issuer().issue("alice", &json!(null)).unwrap(),
            issuer()
                .issue("alice", &HashMap::<String, u8>::new())
                .unwrap(),
        ] {
            let payload = payload_of(&token);
            let mut names: Vec<&str> = payload
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            names.sort_unstable();
            assert_eq!(names, registered);
        }
    }

    /// What the caller gave is what the token carries: nested values, options, unicode and
    /// escapes, byte for byte after a JSON parse, and read back by the verifier.
    #[test]
    fn the_payload_carries_the_claims_as_given() {
        #[derive(Serialize)]
        enum Grant {
            #[serde(rename = "grant")]
            Scoped(Vec<String>),
        }
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Profile {
            role: String,
            scopes: Vec<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            team: Option<String>,
            limits: BTreeMap<String, u32>,
            #[serde(rename = "naïve \"quoted\"\n")]
            odd_name: i64,
        }
        let profile = Profile {
            role: "admin".into(),
            scopes: vec!["read".into(), "write".into()],
            team: None,
            limits: BTreeMap::from([("rps".into(), 10)]),
            odd_name: -5,
        };
        let issuer = issuer()
            .with_issuer("https://auth.example.com")
            .with_audience("api");
        let token = issuer.issue("alice", &profile).unwrap();
        let payload = payload_of(&token);
        assert_eq!(payload["role"], "admin");
        assert_eq!(payload["scopes"], json!(["read", "write"]));
        assert_eq!(payload["limits"], json!({"rps": 10}));
        assert_eq!(payload["naïve \"quoted\"\n"], -5);
        assert!(payload.get("team").is_none());
        assert_eq!(payload["sub"], "alice");
        assert_eq!(payload["aud"], "api");
        assert_eq!(payload["iss"], "https://auth.example.com");
        assert_eq!(payload["exp"], NOW + 900);
        assert_eq!(payload.as_object().unwrap().len(), 6 + 4);
        assert_eq!(issuer.verify::<Profile>(&token).unwrap().extra, profile);

        let token = issuer
            .issue("alice", &Grant::Scoped(vec!["read".into()]))
            .unwrap();
        assert_eq!(payload_of(&token)["grant"], json!(["read"]));
    }

    /// A `Serialize` that fails fails the issue, with its own message.
    #[test]
    fn a_failing_serialize_is_reported() {
        struct Broken;
        impl Serialize for Broken {
            fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("the claims store is down"))
            }
        }
        let error = refused(&Broken);
        assert!(
            matches!(&error, TokenError::InvalidExtraClaims(e) if e.to_string().contains("the claims store is down")),
            "{error:?}"
        );
        let error = refused(&HashMap::from([((1, 2), "tuple key")]));
        assert!(
            matches!(error, TokenError::InvalidExtraClaims(_)),
            "{error:?}"
        );
    }
}
