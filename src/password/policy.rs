//! Which new passwords a server accepts: NIST SP 800-63B-4 §3.1.1.2, without I/O.
//!
//! - Length in Unicode code points ([`LengthLimits`]), and the byte limits of the hash format.
//! - Context words (username, service name), case-insensitively.
//! - A local [`Blocklist`], and the k-anonymity range check ([`PwnedRangeQuery`]) whose fetch
//!   is the caller's.
//!
//! No composition rules (NIST: SHALL NOT require mixtures of character types) and no forced
//! rotation (SHALL NOT require periodic changes): keyward offers neither. The rules apply when a
//! password is *chosen* (registration, change, reset), never at login: an account whose password
//! predates the policy still logs in.

mod blocklist;
mod length;
mod range;
mod violation;

use std::sync::Arc;

use icu_normalizer::ComposingNormalizerBorrowed;
use zeroize::Zeroizing;

pub use blocklist::Blocklist;
pub use length::LengthLimits;
pub use range::{PwnedRangeQuery, RangeOutcome, RangeProblem};
pub use violation::{PolicyError, PolicyViolation};

use super::{PasswordError, PasswordHasher, prehash};

/// The rules a new password must meet before it is hashed.
///
/// | NIST SP 800-63B-4 §3.1.1.2 | here |
/// |---|---|
/// | at least 15 characters as the only factor (8 with another) | [`LengthLimits`], default 15 |
/// | permit at least 64 characters | default maximum 256; [`LengthLimits::try_new`] refuses a maximum below 64 |
/// | count each Unicode code point as one character; normalization advised | lengths in code points, of the NFC form when [`Normalization::Nfc`](crate::password::Normalization::Nfc) is on |
/// | all printing characters and spaces allowed | anything but NUL for plain bcrypt (NUL is allowed with the pre-hashed format or Argon2id) |
/// | compare against a blocklist of common, expected or compromised values | [`with_blocklist`](Self::with_blocklist), [`PwnedRangeQuery`] |
/// | context-specific words (service name, username) | [`with_context_word`](Self::with_context_word) and the `context` of [`check`](Self::check) |
/// | no composition rules, no periodic rotation | none offered |
///
/// ```
/// use keyward::password::{LongPasswords, PasswordHasher, PasswordPolicy, PolicyViolation};
///
/// let hasher = PasswordHasher::new().with_long_passwords(LongPasswords::PreHash);
/// let policy = PasswordPolicy::new().with_context_word("keyward");
/// // 63 characters, mostly Cyrillic: 117 bytes, which only the pre-hashed format can hold.
/// policy.check(&hasher, &"пароль ".repeat(9)[..], &["alice"])?;
/// assert_eq!(
///     policy.check(&hasher, "alice-alice-alice", &["alice"]),
///     Err(PolicyViolation::ContextWord { word: "alice".into() }),
/// );
/// # Ok::<(), PolicyViolation>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct PasswordPolicy {
    lengths: LengthLimits,
    context_words: Vec<String>,
    blocklist: Option<Arc<Blocklist>>,
}

impl PasswordPolicy {
    /// Context words shorter than this (in code points) are not looked for: two letters inside
    /// a long password say nothing.
    pub const MIN_CONTEXT_WORD: usize = 3;

    /// NIST's single-factor rules: 15 to 256 code points, no blocklist yet, no context words.
    ///
    /// ```
    /// # use keyward::password::{LengthLimits, PasswordPolicy};
    /// assert_eq!(PasswordPolicy::new().lengths(), LengthLimits::NIST_SINGLE_FACTOR);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Returns this policy with other length limits.
    ///
    /// ```
    /// # use keyward::password::{LengthLimits, PasswordPolicy};
    /// let policy = PasswordPolicy::new().with_lengths(LengthLimits::NIST_MULTI_FACTOR);
    /// assert_eq!(policy.lengths().min(), 8);
    /// ```
    #[must_use]
    pub fn with_lengths(mut self, lengths: LengthLimits) -> Self {
        self.lengths = lengths;
        self
    }

    /// The length limits.
    ///
    /// ```
    /// # use keyward::password::PasswordPolicy;
    /// assert_eq!(PasswordPolicy::new().lengths().max(), 256);
    /// ```
    pub fn lengths(&self) -> LengthLimits {
        self.lengths
    }

    /// Returns this policy refusing passwords on `blocklist` (shared, not copied).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use keyward::password::{Blocklist, PasswordHasher, PasswordPolicy, PolicyViolation};
    ///
    /// let list = Arc::new(Blocklist::from_passwords("correcthorsebatterystaple\n".as_bytes())?);
    /// let policy = PasswordPolicy::new().with_blocklist(list);
    /// assert_eq!(
    ///     policy.check(&PasswordHasher::new(), "correcthorsebatterystaple", &[]),
    ///     Err(PolicyViolation::Blocklisted),
    /// );
    /// # Ok::<(), keyward::password::PolicyError>(())
    /// ```
    #[must_use]
    pub fn with_blocklist(mut self, blocklist: Arc<Blocklist>) -> Self {
        self.blocklist = Some(blocklist);
        self
    }

    /// Returns this policy also refusing passwords made of `word` (the service's name, say),
    /// as [`check`](Self::check) does with its per-call context words.
    ///
    /// ```
    /// # use keyward::password::{PasswordHasher, PasswordPolicy};
    /// let policy = PasswordPolicy::new().with_context_word("Example Bank");
    /// assert!(policy.check(&PasswordHasher::new(), "EXAMPLE BANK 2024!", &[]).is_err());
    /// ```
    #[must_use]
    pub fn with_context_word(mut self, word: impl Into<String>) -> Self {
        self.context_words.push(word.into());
        self
    }

    /// Checks a new password against the rules, as `hasher` would store it: normalized when the
    /// hasher normalizes, within the byte limits of its format. `context` holds this user's
    /// context words (username, email, display name).
    ///
    /// The order: length (code points), what the format can hold (bytes, NUL), context words,
    /// the local blocklist. Then, if the server uses it, the range check
    /// ([`PwnedRangeQuery`]).
    ///
    /// # Errors
    ///
    /// The first [`PolicyViolation`] found.
    ///
    /// ```
    /// use keyward::password::{PasswordHasher, PasswordPolicy, PolicyViolation};
    ///
    /// let policy = PasswordPolicy::new();
    /// let bcrypt = PasswordHasher::new();
    /// assert_eq!(
    ///     policy.check(&bcrypt, &"ä".repeat(40)[..], &[]),
    ///     Err(PolicyViolation::OverBcryptLimit { bytes: 80 }),
    /// );
    /// ```
    pub fn check(
        &self,
        hasher: &PasswordHasher,
        password: &str,
        context: &[&str],
    ) -> Result<(), PolicyViolation> {
        let normalized = hasher.normalization().normalized(password.as_bytes());
        let candidate = normalized.as_ref().map_or(password, |nfc| nfc.as_str());
        let length = candidate.chars().count();
        if length < self.lengths.min() {
            return Err(PolicyViolation::TooShort {
                length,
                min: self.lengths.min(),
            });
        }
        if length > self.lengths.max() {
            return Err(PolicyViolation::TooLong {
                length,
                max: self.lengths.max(),
            });
        }
        match prehash::check_fits(hasher.target_format(), candidate.as_bytes()) {
            Ok(()) => {}
            Err(PasswordError::TooLong { len, max })
                if max == PasswordHasher::MAX_PASSWORD_BYTES =>
            {
                return Err(PolicyViolation::OverBcryptLimit { bytes: len });
            }
            Err(PasswordError::TooLong { len, max }) => {
                return Err(PolicyViolation::TooManyBytes { bytes: len, max });
            }
            Err(_) => return Err(PolicyViolation::ContainsNul),
        }
        let words = self
            .context_words
            .iter()
            .map(String::as_str)
            .chain(context.iter().copied());
        for word in words {
            if self.is_made_of(candidate, word) {
                return Err(PolicyViolation::ContextWord {
                    word: word.to_owned(),
                });
            }
        }
        if self
            .blocklist
            .as_ref()
            .is_some_and(|list| list.contains(candidate))
        {
            return Err(PolicyViolation::Blocklisted);
        }
        Ok(())
    }

    /// Whether `password` with every occurrence of `word` removed (both NFC, lower-cased) is
    /// shorter than the minimum length.
    fn is_made_of(&self, password: &str, word: &str) -> bool {
        let word = fold(word);
        let word = word.trim();
        if word.chars().count() < Self::MIN_CONTEXT_WORD {
            return false;
        }
        let password = fold(password);
        password.contains(word)
            && Zeroizing::new(password.replace(word, "")).chars().count() < self.lengths.min()
    }
}

/// The comparison form of a context word or password: NFC, then lower case; wiped on drop.
fn fold(text: &str) -> Zeroizing<String> {
    let lower = Zeroizing::new(text.to_lowercase());
    Zeroizing::new(
        ComposingNormalizerBorrowed::new_nfc()
            .normalize(&lower)
            .into_owned(),
    )
}
