//! The one error type of the password domain.

use thiserror::Error;

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

    /// The string is not in any hash format keyward knows (for example an Argon2 hash, an
    /// empty string, or plain text stored by mistake).
    #[error("hash is not in a recognised bcrypt format")]
    UnknownFormat,

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

    /// The operating system's random number generator failed while making a salt.
    #[error("the system random number generator is unavailable")]
    RandomnessUnavailable,
}
