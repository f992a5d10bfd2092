//! What a library must do to enter a row: issue a token with the bench claims and verify one
//! of its own, returning the custom claim.

/// One library set up for one algorithm, its keys parsed once.
pub trait Contestant {
    /// Issues a token with `sub`, `iat`, `exp`, `jti`, `iss`, `aud` and `role`.
    fn issue(&self) -> String;
    /// Verifies a token of its own (signature, `exp`, `iss`, `aud`, leeway 0) and returns
    /// the custom claim.
    fn verify(&self, token: &str) -> String;
}

/// Issues one token and verifies it, so a broken setup fails before anything is measured
/// instead of timing an error path. Returns the token the verify row uses.
pub fn checked(name: &str, contestant: &dyn Contestant) -> String {
    let token = contestant.issue();
    let role = contestant.verify(&token);
    assert_eq!(role, "admin", "{name}: the custom claim came back wrong");
    token
}
