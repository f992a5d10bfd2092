//! A token's payload, the JSON object of its claims: written by the issuer and read by the
//! verifier in one pass each, with no intermediate JSON value.
//!
//! Both sides keep the same two rules. The registered claims (`sub`, `exp`, `iat`, `nbf`,
//! `iss`, `aud`, `jti`) are keyward's: a caller's claim may not set one when issuing, and the
//! caller's type never sees one when verifying. And no object names a member twice, at any
//! depth (RFC 7515 §5.2, RFC 7519 §4, RFC 8725 §3.12): issuing refuses to write such a payload
//! and verifying refuses to read one.

mod read;
mod write;

pub(crate) use read::{ReadClaims, Registered, read};
pub(crate) use write::{OutgoingAudience, RegisteredClaims, write};
