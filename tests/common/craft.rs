//! Hand-made tokens for attack and edge-case tests: any header and payload text, signed with
//! HMAC by the `hmac` crate, so tests control every byte keyward is given.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::{Sha256, Sha512};

/// base64url without padding.
pub fn b64url(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// `header.payload` of the given JSON texts.
pub fn signing_input(header: &str, payload: &str) -> String {
    format!("{}.{}", b64url(header), b64url(payload))
}

/// A compact token signed with HMAC-SHA256 under `secret`.
pub fn hs256(secret: &[u8], header: &str, payload: &str) -> String {
    let input = signing_input(header, payload);
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", b64url(mac.finalize().into_bytes()))
}

/// A compact token signed with HMAC-SHA512 under `secret`.
pub fn hs512(secret: &[u8], header: &str, payload: &str) -> String {
    let input = signing_input(header, payload);
    let mut mac = Hmac::<Sha512>::new_from_slice(secret).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", b64url(mac.finalize().into_bytes()))
}

/// An access-token header for HS256.
pub const AT_HS256: &str = r#"{"alg":"HS256","typ":"at+jwt"}"#;

/// A payload valid at `now` (Unix seconds) for an hour, with `more` appended as raw JSON
/// members (start it with a comma).
pub fn payload_at(now: i64, more: &str) -> String {
    format!(
        r#"{{"sub":"alice","iat":{now},"exp":{}{more}}}"#,
        now + 3600
    )
}
