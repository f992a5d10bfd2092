//! Server-provided nonces (RFC 9449 §8): the server decides what a nonce is and for how long
//! one is good; keyward asks it.

/// The nonces a server hands out in `DPoP-Nonce` and accepts in proofs. A verifier given one
/// ([`DpopVerifier::with_nonces`](super::DpopVerifier::with_nonces)) refuses proofs without an
/// accepted nonce with `use_dpop_nonce` and a fresh one; without one (the default) nonces are
/// not required, and a nonce a proof carries is ignored.
///
/// Replicas must agree: a nonce one replica handed out must be accepted by the others (an
/// HMAC of a time slot under a shared key is a common choice).
///
/// ```
/// use keyward::token::dpop::DpopNonces;
///
/// /// One fixed nonce, for a test.
/// struct Fixed(&'static str);
///
/// impl DpopNonces for Fixed {
///     fn current(&self) -> String {
///         self.0.to_owned()
///     }
///     fn accepts(&self, nonce: &str) -> bool {
///         nonce == self.0
///     }
/// }
/// assert!(Fixed("n-1").accepts("n-1"));
/// ```
pub trait DpopNonces: Send + Sync {
    /// The nonce to send now: in the `DPoP-Nonce` header of a `use_dpop_nonce` answer, and of
    /// successful answers when it changes.
    fn current(&self) -> String;

    /// Whether a proof's `nonce` is (still) accepted.
    fn accepts(&self, nonce: &str) -> bool;
}
