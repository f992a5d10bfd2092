//! The one error type of the password domain.

use thiserror::Error;

use super::{Argon2Params, Argon2ParamsProblem};

/// Everything that can go wrong when hashing or verifying a password.
///
/// Every variant is a distinct, matchable reason. Messages are short, lowercase and never contain
/// the password or the stored hash.
///
/// On a login path, map *every* error from [`verify`](crate::password::PasswordHasher::verify)
/// to the same "invalid credentials" response: telling `Mismatch` apart from `TooLong` in a
/// response body would tell an attacker more than the timing does.
///
/// ```
/// use keyward::password::{Cost, PasswordError, PasswordHasher};
///
/// let hasher = PasswordHasher::new().with_cost(Cost::new(4)?);
/// let hash = hasher.hash("correct horse")?;
/// match hasher.verify("wrong horse", &hash) {
///     Err(PasswordError::Mismatch) => {} // a wrong password, the everyday case
///     other => panic!("unexpected: {other:?}"),
/// }
/// # Ok::<(), PasswordError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PasswordError {
    /// The password does not match the stored hash.
    #[error("password does not match")]
    Mismatch,

    /// The password is longer than the format in use can hold without truncating it.
    ///
    /// `max` is 72 for plain bcrypt (the algorithm only reads 72 bytes) and
    /// [`PasswordHasher::MAX_PRE_HASHED_PASSWORD_BYTES`](crate::password::PasswordHasher::MAX_PRE_HASHED_PASSWORD_BYTES)
    /// for the pre-hashed formats. Lengths are in bytes, not characters.
    #[error("password is {len} bytes long; at most {max} bytes are allowed")]
    TooLong {
        /// The length of the password that was given, in bytes.
        len: usize,
        /// The largest length the format accepts, in bytes.
        max: usize,
    },

    /// The password contains a NUL byte, which plain bcrypt cannot hash portably.
    ///
    /// C implementations stop reading at the first NUL, so such a hash would not verify
    /// everywhere, and passwords made only of NUL bytes would all collide with the empty one.
    /// The pre-hashed format ([`LongPasswords::PreHash`](crate::password::LongPasswords::PreHash))
    /// accepts NUL bytes.
    #[error("password contains a NUL byte, which bcrypt cannot hash portably")]
    ContainsNul,

    /// A configured bcrypt cost is outside `4..=31`.
    #[error("bcrypt cost {cost} is outside the allowed range 4..=31")]
    InvalidCost {
        /// The cost that was asked for.
        cost: u32,
    },

    /// The stored hash asks for a cost above the hasher's `max_verify_cost`; no work was done.
    ///
    /// A forged or corrupted hash with cost 31 would otherwise burn days of CPU per attempt.
    #[error("stored hash has cost {cost}, above the allowed maximum of {max}")]
    CostTooHigh {
        /// The cost written in the stored hash.
        cost: u32,
        /// The highest cost this hasher agrees to verify.
        max: u32,
    },

    /// The string is not in any hash format keyward reads: bcrypt (`$2a$`, `$2b$`, `$2y$`),
    /// passlib's and Django's bcrypt-SHA256, Spring's `{bcrypt}`, or Argon2 in the PHC format
    /// (also Django's `argon2$` form). For example a SHA-crypt or PBKDF2 hash, an empty string,
    /// or plain text stored by mistake.
    ///
    /// `found` names the scheme when the string is one keyward recognises but does not verify
    /// (`"sha512-crypt"`, `"django-pbkdf2"`, ...). Nothing of the string itself is ever
    /// repeated: it may be a password stored by mistake.
    ///
    /// ```
    /// use keyward::password::{PasswordError, PasswordHasher};
    ///
    /// let error = PasswordHasher::new().verify("pw", "$6$salt$digest").unwrap_err();
    /// assert_eq!(error, PasswordError::UnknownFormat { found: Some("sha512-crypt") });
    /// assert_eq!(
    ///     error.to_string(),
    ///     "hash is sha512-crypt, which keyward does not verify; expected bcrypt, bcrypt-sha256 or argon2",
    /// );
    /// ```
    #[error("{}", unknown_format_message(*found))]
    UnknownFormat {
        /// The scheme recognised, if any (never text taken from the string).
        found: Option<&'static str>,
    },

    /// The string is a bcrypt variant keyward refuses: `$2x$` (`crypt_blowfish`'s marker for
    /// hashes made by its 2011 sign-extension bug) or the original `$2$`.
    ///
    /// The `bcrypt` crate does not reproduce that bug, so against such a hash it would reject
    /// the right password and could accept a different one.
    #[error("hash uses an unsupported bcrypt variant ($2x$ or $2$)")]
    UnsupportedVariant,

    /// The string starts like a known format but is broken: wrong length, a cost that is not
    /// two digits in `04..=31`, characters outside bcrypt's base64 alphabet, non-ASCII bytes,
    /// or a truncated salt or digest.
    #[error("hash is malformed")]
    MalformedHash,

    /// Argon2 parameters outside what [`Argon2Params::new`] accepts; the problem says which.
    #[error("invalid argon2 parameters: {0}")]
    InvalidArgon2Params(Argon2ParamsProblem),

    /// The stored Argon2 hash asks for more memory, iterations or lanes than the hasher's
    /// [`max_verify_argon2_params`](crate::password::PasswordHasher::max_verify_argon2_params);
    /// no work was done.
    ///
    /// A forged hash with `m=4194304` (4 GiB) or `t=1000000` would otherwise exhaust the
    /// server's memory or tie up a core for hours per attempt.
    #[error(
        "stored argon2 hash asks for m={memory_kib},t={iterations},p={parallelism}, above the allowed maximum of {max}"
    )]
    Argon2ParamsTooHigh {
        /// Memory in KiB written in the stored hash.
        memory_kib: u32,
        /// Iterations written in the stored hash.
        iterations: u32,
        /// Lanes written in the stored hash.
        parallelism: u32,
        /// The highest parameters this hasher agrees to verify.
        max: Argon2Params,
    },

    /// The string is an Argon2 hash keyward refuses: Argon2d (data-dependent memory access,
    /// which RFC 9106 §4 rules out where side channels matter, as on a login server), or a hash
    /// naming a secret key (`keyid=`) or associated data (`data=`) that keyward is not given.
    #[error("hash uses an unsupported argon2 variant (argon2d, keyid or data)")]
    UnsupportedArgon2Variant,

    /// The operating system's random number generator failed while making a salt.
    #[error("the system random number generator is unavailable")]
    RandomnessUnavailable,
}

fn unknown_format_message(found: Option<&'static str>) -> String {
    const EXPECTED: &str = "expected bcrypt, bcrypt-sha256 or argon2";
    match found {
        Some(scheme) => format!("hash is {scheme}, which keyward does not verify; {EXPECTED}"),
        None => format!("hash is in no format keyward reads; {EXPECTED}"),
    }
}
