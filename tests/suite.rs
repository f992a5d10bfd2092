//! keyward's integration tests, one module per behaviour, linked into one test binary: 28
//! binaries each linked the whole dependency tree, which cost CI more than the tests
//! themselves. Each module is still its own file and can be run alone by its path, e.g.
//! `cargo test --test suite attacks::`.

mod common;

#[path = "api_surface.rs"]
mod api_surface;

#[path = "attacks.rs"]
mod attacks;

#[path = "concurrency.rs"]
mod concurrency;

#[path = "differential.rs"]
mod differential;

#[path = "dpop.rs"]
mod dpop;

#[path = "dpop_interop.rs"]
mod dpop_interop;

#[path = "foreign_tokens.rs"]
mod foreign_tokens;

#[path = "fuzz_regressions.rs"]
mod fuzz_regressions;

#[path = "interop.rs"]
mod interop;

#[path = "jose_interop.rs"]
mod jose_interop;

#[path = "key_material.rs"]
mod key_material;

#[path = "oidc_discovery.rs"]
mod oidc_discovery;

#[path = "optional_subject.rs"]
mod optional_subject;

#[path = "password.rs"]
mod password;

#[path = "payload.rs"]
mod payload;

#[path = "password_argon2.rs"]
mod password_argon2;

#[path = "password_policy.rs"]
mod password_policy;

#[path = "password_unicode.rs"]
mod password_unicode;

#[path = "password_work.rs"]
mod password_work;

#[path = "properties.rs"]
mod properties;

#[path = "provider_jwks.rs"]
mod provider_jwks;

#[path = "readme.rs"]
mod readme;

#[path = "remote_bounded_wait.rs"]
mod remote_bounded_wait;

#[path = "remote_key_set.rs"]
mod remote_key_set;

#[path = "secret.rs"]
mod secret;

#[path = "token.rs"]
mod token;

#[path = "username.rs"]
mod username;

#[path = "vectors.rs"]
mod vectors;
