//! Why a new password was refused, and why a policy could not be built.

use std::io;

use thiserror::Error;

/// Why [`PasswordPolicy::check`](crate::password::PasswordPolicy::check) refused a new
/// password. Every variant says what was wrong, so a server can tell the user (these are
/// answers for registration and password change, not for login: say them).
///
/// ```
/// use keyward::password::{PasswordHasher, PasswordPolicy, PolicyViolation};
///
/// let policy = PasswordPolicy::new();
/// let refused = policy.check(&PasswordHasher::new(), "short", &[]).unwrap_err();
/// assert_eq!(refused, PolicyViolation::TooShort { length: 5, min: 15 });
/// assert_eq!(refused.to_string(), "password is 5 characters long; at least 15 are needed");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PolicyViolation {
    /// Fewer characters (Unicode code points, after normalization) than the policy's minimum.
    #[error("password is {length} characters long; at least {min} are needed")]
    TooShort {
        /// The password's length in code points.
        length: usize,
        /// The policy's minimum.
        min: usize,
    },
    /// More characters than the policy's maximum.
    #[error("password is {length} characters long; at most {max} are allowed")]
    TooLong {
        /// The password's length in code points.
        length: usize,
        /// The policy's maximum.
        max: usize,
    },
    /// Over plain bcrypt's 72 bytes (in UTF-8, after normalization), which the hasher's
    /// settings refuse rather than truncate. [`LongPasswords::PreHash`] or
    /// [`PasswordAlgorithm::Argon2id`] would allow it.
    ///
    /// [`LongPasswords::PreHash`]: crate::password::LongPasswords::PreHash
    /// [`PasswordAlgorithm::Argon2id`]: crate::password::PasswordAlgorithm::Argon2id
    #[error(
        "password is {bytes} bytes in UTF-8, over plain bcrypt's 72; LongPasswords::PreHash or PasswordAlgorithm::Argon2id would allow it"
    )]
    OverBcryptLimit {
        /// The password's length in bytes.
        bytes: usize,
    },
    /// Over the byte cap of the pre-hashed and Argon2 formats (4096 bytes).
    #[error("password is {bytes} bytes in UTF-8; at most {max} bytes can be hashed")]
    TooManyBytes {
        /// The password's length in bytes.
        bytes: usize,
        /// The hasher's cap.
        max: usize,
    },
    /// Contains a NUL character, which plain bcrypt cannot hash portably;
    /// [`LongPasswords::PreHash`](crate::password::LongPasswords::PreHash) or Argon2id would
    /// allow it.
    #[error("password contains a NUL character, which plain bcrypt cannot hash")]
    ContainsNul,
    /// Made of a context word (the username, the service's name) with too little else: what is
    /// left after removing the word, compared case-insensitively, is shorter than the minimum.
    #[error("password is too close to \"{word}\"")]
    ContextWord {
        /// The context word found (as the caller gave it).
        word: String,
    },
    /// On the local blocklist of common or compromised passwords.
    #[error("password is on the list of common or compromised passwords")]
    Blocklisted,
    /// Found in a breach corpus by the k-anonymity range check at least as often as the
    /// threshold.
    #[error("password appears {count} times in known data breaches")]
    Breached {
        /// How often the range response says the password was seen.
        count: u64,
    },
}

/// Why a policy setting or a blocklist could not be made.
///
/// ```
/// use keyward::password::{LengthLimits, PolicyError};
///
/// assert_eq!(
///     LengthLimits::try_new(4, 64),
///     Err(PolicyError::MinimumBelowNist { min: 4 }),
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// A minimum below 8, which NIST SP 800-63B-4 §3.1.1.2 forbids even with a second factor.
    #[error("a minimum of {min} characters is below NIST's 8")]
    MinimumBelowNist {
        /// The minimum asked for.
        min: usize,
    },
    /// A maximum below 64, which NIST SP 800-63B-4 §3.1.1.2 says verifiers should permit.
    #[error("a maximum of {max} characters is below the 64 NIST says to permit")]
    MaximumBelowNist {
        /// The maximum asked for.
        max: usize,
    },
    /// A maximum above [`LengthLimits::MAX_CHARACTERS`](crate::password::LengthLimits::MAX_CHARACTERS).
    #[error("a maximum of {max} characters is above keyward's cap of {cap}")]
    MaximumAboveCap {
        /// The maximum asked for.
        max: usize,
        /// The cap.
        cap: usize,
    },
    /// A minimum above the maximum.
    #[error("the minimum ({min}) is above the maximum ({max})")]
    MinimumAboveMaximum {
        /// The minimum asked for.
        min: usize,
        /// The maximum asked for.
        max: usize,
    },
    /// A blocklist line could not be read.
    #[error("could not read line {line} of the blocklist: {kind}")]
    BlocklistUnreadable {
        /// The 1-based line number.
        line: usize,
        /// What the reader reported.
        kind: io::ErrorKind,
    },
    /// A line of a SHA-1 blocklist is not 40 hexadecimal digits (optionally followed by
    /// `:count`, as Pwned Passwords downloads are).
    #[error("line {line} of the SHA-1 blocklist is not 40 hex digits")]
    BlocklistDigest {
        /// The 1-based line number.
        line: usize,
    },
    /// A blocklist line is longer than
    /// [`Blocklist::MAX_LINE_BYTES`](crate::password::Blocklist::MAX_LINE_BYTES).
    #[error("line {line} of the blocklist is over {max} bytes")]
    BlocklistLineTooLong {
        /// The 1-based line number.
        line: usize,
        /// The cap.
        max: usize,
    },
}
