//! OIDC discovery (issue 21): documents shaped like Keycloak's, Auth0's, Entra ID's, Google's
//! and Cognito's (`tests/fixtures/oidc/`, sources in its SOURCES.md), each pitfall refused with
//! its typed error, and `OidcKeySet` fetching through discovery within `RemoteKeySet`'s
//! cooldown. The fake provider counts and records every URL it is asked for.

use std::sync::Mutex;
use std::time::Duration;

use keyward::token::{
    DiscoveryError, FetchError, FixedClock, JwksResponse, KeyPairKind, Lifetime, OidcDiscovery,
    OidcKeySet, RemoteKeySet, SigningKey, TokenError, TokenIssuer, TokenVerifier,
};
use serde_json::Value;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/oidc/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn member(name: &str, member: &str) -> String {
    let document: Value = serde_json::from_str(&fixture(name)).unwrap();
    document[member].as_str().unwrap().to_owned()
}

const ENTRA_TENANT: &str = "6e2b8a7c-0f1d-4c3e-9a5b-2d4f6a8c0e1f";

mod documents {
    use super::*;

    #[test]
    fn each_providers_document_gives_its_issuer_and_jwks_uri() {
        for name in ["keycloak", "auth0", "google", "cognito"] {
            let issuer = member(name, "issuer");
            let metadata = OidcDiscovery::new(&issuer)
                .unwrap()
                .read(&fixture(name))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(metadata.issuer(), issuer, "{name}");
            assert_eq!(metadata.jwks_uri(), member(name, "jwks_uri"), "{name}");
        }
    }

    /// ministack #802: the key set URL is the document's, not a guessed path.
    #[test]
    fn keycloaks_jwks_uri_is_taken_from_the_document() {
        let issuer = member("keycloak", "issuer");
        let metadata = OidcDiscovery::new(&issuer)
            .unwrap()
            .read(&fixture("keycloak"))
            .unwrap();
        assert_eq!(
            metadata.jwks_uri(),
            format!("{issuer}/protocol/openid-connect/certs")
        );
    }

    /// go-oidc #203: Auth0's issuer ends with `/`; an issuer configured without it is refused,
    /// with both strings in the error, while the document URL is the same either way.
    #[test]
    fn a_trailing_slash_is_not_normalised_away() {
        let without = OidcDiscovery::new("https://shop-test.eu.auth0.com").unwrap();
        let with = OidcDiscovery::new("https://shop-test.eu.auth0.com/").unwrap();
        assert_eq!(without.document_url(), with.document_url());
        assert_eq!(
            without.read(&fixture("auth0")).unwrap_err(),
            DiscoveryError::IssuerMismatch {
                expected: "https://shop-test.eu.auth0.com".into(),
                found: "https://shop-test.eu.auth0.com/".into(),
            }
        );
        with.read(&fixture("auth0")).unwrap();
        // And the other way round: Google's issuer has none.
        let slash = OidcDiscovery::new("https://accounts.google.com/").unwrap();
        assert!(matches!(
            slash.read(&fixture("google")),
            Err(DiscoveryError::IssuerMismatch { .. })
        ));
    }

    #[test]
    fn case_is_not_folded() {
        let upper = OidcDiscovery::new("https://Accounts.Google.com").unwrap();
        assert!(matches!(
            upper.read(&fixture("google")),
            Err(DiscoveryError::IssuerMismatch { .. })
        ));
    }

    #[test]
    fn another_providers_document_is_refused() {
        let keycloak = OidcDiscovery::new(&member("keycloak", "issuer")).unwrap();
        assert!(matches!(
            keycloak.read(&fixture("google")),
            Err(DiscoveryError::IssuerMismatch { .. })
        ));
    }
}

/// openid-client #893: Entra ID's multi-tenant document has the issuer template
/// `https://login.microsoftonline.com/{tenantid}/v2.0`.
mod entra {
    use super::*;

    const COMMON: &str = "https://login.microsoftonline.com/common/v2.0";

    #[test]
    fn the_tenant_template_is_refused_without_a_tenant_id() {
        let error = OidcDiscovery::new(COMMON)
            .unwrap()
            .read(&fixture("entra-common-v2"))
            .unwrap_err();
        assert_eq!(
            error,
            DiscoveryError::TenantRequired {
                template: "https://login.microsoftonline.com/{tenantid}/v2.0".into()
            }
        );
        assert!(error.to_string().contains("configure the tenant id"));
    }

    #[test]
    fn a_configured_tenant_id_fills_the_template() {
        let metadata = OidcDiscovery::new(COMMON)
            .unwrap()
            .try_with_tenant_id(ENTRA_TENANT)
            .unwrap()
            .read(&fixture("entra-common-v2"))
            .unwrap();
        assert_eq!(
            metadata.issuer(),
            format!("https://login.microsoftonline.com/{ENTRA_TENANT}/v2.0")
        );
        assert_eq!(
            metadata.jwks_uri(),
            "https://login.microsoftonline.com/common/discovery/v2.0/keys"
        );
    }

    #[test]
    fn the_template_must_fit_the_configured_issuer() {
        let elsewhere = OidcDiscovery::new("https://login.example.com/common/v2.0")
            .unwrap()
            .try_with_tenant_id(ENTRA_TENANT)
            .unwrap();
        assert!(matches!(
            elsewhere.read(&fixture("entra-common-v2")),
            Err(DiscoveryError::IssuerMismatch { .. })
        ));
        let deeper = OidcDiscovery::new("https://login.microsoftonline.com/a/b/v2.0")
            .unwrap()
            .try_with_tenant_id(ENTRA_TENANT)
            .unwrap();
        assert!(matches!(
            deeper.read(&fixture("entra-common-v2")),
            Err(DiscoveryError::IssuerMismatch { .. })
        ));
    }

    #[test]
    fn a_tenant_id_must_be_one_plain_segment() {
        let common = OidcDiscovery::new(COMMON).unwrap();
        for bad in ["", "a/b", "..", "{tenantid}", "a b", "a?b"] {
            assert!(
                matches!(
                    common.clone().try_with_tenant_id(bad),
                    Err(DiscoveryError::InvalidTenantId { .. })
                ),
                "{bad:?}"
            );
        }
    }
}

mod urls {
    use super::*;

    fn document(issuer: &str, jwks_uri: &str) -> String {
        format!(r#"{{"issuer":"{issuer}","jwks_uri":"{jwks_uri}"}}"#)
    }

    #[test]
    fn plain_http_is_refused_except_on_loopback() {
        let issuer = "https://id.example.com";
        let discovery = OidcDiscovery::new(issuer).unwrap();
        assert_eq!(
            discovery
                .read(&document(issuer, "http://id.example.com/keys"))
                .unwrap_err(),
            DiscoveryError::InsecureUrl {
                what: "jwks_uri",
                url: "http://id.example.com/keys".into()
            }
        );
        for loopback in [
            "http://127.0.0.1:8080/keys",
            "http://127.9.9.9/keys",
            "http://[::1]:9000/keys",
            "http://localhost/keys",
        ] {
            discovery
                .read(&document(issuer, loopback))
                .unwrap_or_else(|e| panic!("{loopback}: {e}"));
        }
        for insecure in [
            "http://10.0.0.1/",
            "http://localhost.example.com/",
            "ftp://127.0.0.1/",
        ] {
            assert!(
                matches!(
                    OidcDiscovery::new(insecure),
                    Err(DiscoveryError::InsecureUrl { .. })
                ),
                "{insecure}"
            );
        }
    }

    #[test]
    fn issuers_and_jwks_uris_must_be_absolute_urls() {
        for bad in [
            "id.example.com",
            "/realms/x",
            "https://id.example.com/?a=b",
            "https://id.example.com/#x",
        ] {
            assert!(
                matches!(
                    OidcDiscovery::new(bad),
                    Err(DiscoveryError::InvalidUrl { .. })
                ),
                "{bad}"
            );
        }
        let issuer = "https://id.example.com";
        assert!(matches!(
            OidcDiscovery::new(issuer)
                .unwrap()
                .read(&document(issuer, "/keys")),
            Err(DiscoveryError::InvalidUrl {
                what: "jwks_uri",
                ..
            })
        ));
    }
}

mod malformed {
    use super::*;

    fn google() -> OidcDiscovery {
        OidcDiscovery::new("https://accounts.google.com").unwrap()
    }

    #[test]
    fn documents_that_are_not_objects_or_repeat_members_are_refused() {
        for body in [
            "",
            "null",
            "[]",
            "{",
            r#"{"issuer":"https://accounts.google.com","issuer":"https://evil.example.com","jwks_uri":"https://www.googleapis.com/oauth2/v3/certs"}"#,
        ] {
            assert_eq!(
                google().read(body).unwrap_err(),
                DiscoveryError::NotJson,
                "{body}"
            );
        }
    }

    #[test]
    fn issuer_and_jwks_uri_are_required_strings() {
        assert_eq!(
            google().read(r#"{"jwks_uri":"https://www.googleapis.com/oauth2/v3/certs"}"#),
            Err(DiscoveryError::MissingMember { member: "issuer" })
        );
        assert_eq!(
            google().read(r#"{"issuer":"https://accounts.google.com","jwks_uri":7}"#),
            Err(DiscoveryError::MissingMember { member: "jwks_uri" })
        );
    }

    #[test]
    fn an_oversized_document_is_refused_unparsed() {
        let body = format!(
            "{{\"x\":\"{}\"}}",
            "a".repeat(OidcDiscovery::DEFAULT_MAX_DOCUMENT_BYTES)
        );
        assert!(matches!(
            google().read(&body),
            Err(DiscoveryError::TooLarge { .. })
        ));
    }

    #[test]
    fn a_mismatch_shows_both_issuers_escaped_and_cut() {
        let hostile = format!("https://evil.example.com/\n{}", "x".repeat(1000));
        let body = serde_json::json!({"issuer": hostile, "jwks_uri": "https://evil.example.com/k"})
            .to_string();
        let message = google().read(&body).unwrap_err().to_string();
        assert!(message.contains("\\n"));
        assert!(!message.contains('\n'));
        assert!(message.contains("\"https://accounts.google.com\""));
        assert!(message.len() < 400, "{}", message.len());
    }
}

/// `OidcKeySet`: discovery inside `RemoteKeySet`'s fetch, counted.
mod key_set {
    use super::*;

    const START: i64 = 1_700_000_000;
    const ISSUER: &str = "https://keycloak.example.com/realms/shop";

    struct Provider {
        document: String,
        jwks: Mutex<Result<String, String>>,
        requests: Mutex<Vec<String>>,
    }

    impl Provider {
        fn new(key: &SigningKey) -> Self {
            Provider {
                document: fixture("keycloak"),
                jwks: Mutex::new(Ok(TokenVerifier::new(key.verifying_key()).to_jwks())),
                requests: Mutex::new(Vec::new()),
            }
        }

        fn fetch(&self, url: &str) -> Result<JwksResponse, FetchError> {
            self.requests.lock().unwrap().push(url.to_owned());
            if url == format!("{ISSUER}/.well-known/openid-configuration") {
                return Ok(JwksResponse::new(self.document.clone()));
            }
            if url == format!("{ISSUER}/protocol/openid-connect/certs") {
                return self
                    .jwks
                    .lock()
                    .unwrap()
                    .clone()
                    .map(JwksResponse::new)
                    .map_err(FetchError::new);
            }
            Err(FetchError::new(format!("404 {url}")))
        }

        fn requests(&self) -> Vec<String> {
            std::mem::take(&mut *self.requests.lock().unwrap())
        }
    }

    fn key(kid: &str) -> SigningKey {
        SigningKey::generate(KeyPairKind::Ed25519)
            .unwrap()
            .with_key_id(kid)
    }

    fn token(key: &SigningKey, issuer: &str, clock: &FixedClock) -> String {
        TokenIssuer::new(key.clone())
            .with_issuer(issuer)
            .with_ttl(Lifetime::MAX)
            .with_clock(clock.clone())
            .issue("alice", &())
            .unwrap()
    }

    fn key_set(clock: &FixedClock) -> OidcKeySet {
        let for_tokens = clock.clone();
        OidcKeySet::new(
            OidcDiscovery::new(ISSUER).unwrap(),
            RemoteKeySet::new(move |keys| TokenVerifier::new(keys).with_clock(for_tokens.clone()))
                .with_clock(clock.clone()),
        )
    }

    #[test]
    fn the_first_use_discovers_then_fetches_the_documents_jwks_uri() {
        let clock = FixedClock::at_unix_seconds(START);
        let k1 = key("k1");
        let provider = Provider::new(&k1);
        let keys = key_set(&clock);
        let claims = keys
            .verify_blocking::<()>(&token(&k1, ISSUER, &clock), |url| provider.fetch(url))
            .unwrap();
        assert_eq!(claims.subject, "alice");
        assert_eq!(
            provider.requests(),
            [
                format!("{ISSUER}/.well-known/openid-configuration"),
                format!("{ISSUER}/protocol/openid-connect/certs"),
            ]
        );
        assert_eq!(keys.metadata().unwrap().issuer(), ISSUER);
        // Cached: no request at all.
        keys.verify_blocking::<()>(&token(&k1, ISSUER, &clock), |url| provider.fetch(url))
            .unwrap();
        assert!(provider.requests().is_empty());
    }

    #[test]
    fn tokens_must_carry_the_discovered_issuer_whatever_the_policy() {
        let clock = FixedClock::at_unix_seconds(START);
        let k1 = key("k1");
        let provider = Provider::new(&k1);
        let keys = key_set(&clock);
        let other = token(&k1, "https://keycloak.example.com/realms/other", &clock);
        assert_eq!(
            keys.verify_blocking::<()>(&other, |url| provider.fetch(url)),
            Err(TokenError::InvalidIssuer {
                found: "https://keycloak.example.com/realms/other".to_owned()
            })
        );
    }

    /// Invented `kid`s and a provider whose key set is down: at most the discovery document
    /// and the key set once per cooldown, however many tokens arrive.
    #[test]
    fn rediscovery_never_storms_the_provider() {
        let clock = FixedClock::at_unix_seconds(START);
        let k1 = key("k1");
        let provider = Provider::new(&k1);
        let keys = key_set(&clock);
        keys.verify_blocking::<()>(&token(&k1, ISSUER, &clock), |url| provider.fetch(url))
            .unwrap();
        assert_eq!(provider.requests().len(), 2);

        *provider.jwks.lock().unwrap() = Err("503".into());
        for round in 0..3 {
            clock.advance(Duration::from_secs(31));
            for _ in 0..50 {
                let invented = token(&key("invented"), ISSUER, &clock);
                assert!(
                    keys.verify_blocking::<()>(&invented, |url| provider.fetch(url))
                        .is_err()
                );
            }
            let requests = provider.requests();
            // The first failure is the key set's alone; each later cooldown rediscovers too.
            let want = if round == 0 { 1 } else { 2 };
            assert_eq!(requests.len(), want, "round {round}: {requests:?}");
        }
        // The known key still verifies on the set held.
        keys.verify_blocking::<()>(&token(&k1, ISSUER, &clock), |url| provider.fetch(url))
            .unwrap();
    }

    #[test]
    fn a_discovery_failure_is_reported_with_its_cause() {
        let clock = FixedClock::at_unix_seconds(START);
        let keys = OidcKeySet::new(
            OidcDiscovery::new("https://keycloak.example.com/realms/other").unwrap(),
            RemoteKeySet::new(TokenVerifier::new).with_clock(clock.clone()),
        );
        // The document of another realm than the one configured.
        let error = keys
            .refresh_blocking(|_url| Ok(JwksResponse::new(fixture("keycloak"))))
            .unwrap_err();
        let cause =
            std::error::Error::source(&error).and_then(|e| e.downcast_ref::<DiscoveryError>());
        assert!(
            matches!(cause, Some(DiscoveryError::IssuerMismatch { .. })),
            "{error:?}"
        );
        assert!(keys.metadata().is_none());
    }

    #[test]
    fn the_async_path_discovers_too() {
        let clock = FixedClock::at_unix_seconds(START);
        let k1 = key("k1");
        let provider = Provider::new(&k1);
        let keys = key_set(&clock);
        let token = token(&k1, ISSUER, &clock);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let claims = runtime
            .block_on(keys.verify::<(), _, _>(&token, |url| {
                let outcome = provider.fetch(&url);
                async move { outcome }
            }))
            .unwrap();
        assert_eq!(claims.subject, "alice");
        assert_eq!(provider.requests().len(), 2);
    }
}
