//! `PasswordHasher`: the policy around bcrypt.

use subtle::ConstantTimeEq as _;

use super::hash::{self, HashFormat, ParsedHash, Revision};
use super::prehash::{self, BcryptKey};
use super::{Cost, PasswordError, PasswordHash};

/// What to do with passwords longer than bcrypt's 72 bytes.
///
/// ```
/// use keyward::password::{Cost, LongPasswords, PasswordHasher};
///
/// let hasher = PasswordHasher::new()
///     .with_cost(Cost::new(4)?)
///     .with_long_passwords(LongPasswords::PreHash);
/// let long = "correct horse battery staple ".repeat(5); // 145 bytes
/// let hash = hasher.hash(&long)?;
/// assert!(hash.as_str().starts_with("$bcrypt-sha256$v=2,t=2b,r=4$"));
/// hasher.verify(&long, &hash)?;
/// # Ok::<(), keyward::password::PasswordError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum LongPasswords {
    /// Plain bcrypt (`$2b$`); a password over 72 bytes is [`PasswordError::TooLong`] and one
    /// with a NUL byte is [`PasswordError::ContainsNul`]. The default: every bcrypt
    /// implementation can verify these hashes.
    #[default]
    Reject,
    /// passlib's `bcrypt_sha256` version 2 format: the password is pre-hashed with HMAC-SHA256
    /// (keyed by the salt) before bcrypt, so passwords up to
    /// [`PasswordHasher::MAX_PRE_HASHED_PASSWORD_BYTES`] bytes, NUL bytes included, are hashed
    /// whole. The hashes verify in passlib and move between Python and Rust unchanged.
    PreHash,
}

impl LongPasswords {
    fn format(self) -> HashFormat {
        match self {
            LongPasswords::Reject => HashFormat::Bcrypt,
            LongPasswords::PreHash => HashFormat::BcryptSha256,
        }
    }
}

/// Hashes and verifies passwords with bcrypt, without ever truncating one silently.
///
/// A `PasswordHasher` is a small `Copy` value of settings; build it once and share it. Hashing
/// is deliberately slow (about a quarter of a second at the default cost on a 2020s server
/// core): in an async server, call it from a blocking thread (`spawn_blocking`).
///
/// | setting | default | change with |
/// |---|---|---|
/// | cost | 12 | [`with_cost`](Self::with_cost) |
/// | passwords over 72 bytes | refused ([`LongPasswords::Reject`]) | [`with_long_passwords`](Self::with_long_passwords) |
/// | highest stored cost verified | 16 (or the cost, if higher) | [`with_max_verify_cost`](Self::with_max_verify_cost) |
/// | truncated legacy hashes | refused | [`with_truncated_legacy_hashes`](Self::with_truncated_legacy_hashes) |
///
/// Builder methods: `with_*` replaces one setting and never fails; values that can be wrong are
/// checked when their newtype is made ([`Cost::new`]), so
/// `PasswordHasher::new().with_cost(Cost::new(10)?)` is the one place a bad cost is reported.
///
/// # Timing and unknown users
///
/// Every call to [`verify`](Self::verify) that gets past parsing the stored hash does exactly
/// one bcrypt computation at the stored hash's cost, whatever the password: a password that is
/// too long or contains a NUL byte is refused only *after* that work. For a login name with no
/// account, call [`dummy_verify`](Self::dummy_verify), which does the same single computation at
/// the configured cost. The time a login takes therefore depends on the stored cost only, never
/// on the password or on whether the account exists (the trap of Spring Security's
/// CVE-2025-22234).
///
/// ```
/// use keyward::password::{PasswordError, PasswordHasher};
///
/// let hasher = PasswordHasher::new(); // cost 12, long passwords refused
/// # let hasher = PasswordHasher::new().with_cost(keyward::password::Cost::new(4)?);
/// let hash = hasher.hash("correct horse battery staple")?;
/// hasher.verify("correct horse battery staple", &hash)?;
/// assert_eq!(hasher.verify("Tr0ub4dor&3", &hash), Err(PasswordError::Mismatch));
///
/// let too_long = "x".repeat(73);
/// assert_eq!(hasher.hash(&too_long), Err(PasswordError::TooLong { len: 73, max: 72 }));
/// # Ok::<(), PasswordError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordHasher {
    cost: Cost,
    max_verify_cost: Cost,
    long_passwords: LongPasswords,
    truncated_legacy_hashes: bool,
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::new()
    }
}

impl PasswordHasher {
    /// Plain bcrypt reads at most this many bytes of a password.
    pub const MAX_PASSWORD_BYTES: usize = prehash::BCRYPT_MAX_BYTES;
    /// The longest password the pre-hashed formats accept (passlib's limit).
    pub const MAX_PRE_HASHED_PASSWORD_BYTES: usize = prehash::PRE_HASHED_MAX_BYTES;

    /// A hasher with the safe defaults: cost 12, passwords over 72 bytes refused, stored costs
    /// above 16 refused.
    ///
    /// ```
    /// use keyward::password::{Cost, LongPasswords, PasswordHasher};
    ///
    /// let hasher = PasswordHasher::new();
    /// assert_eq!(hasher.cost(), Cost::DEFAULT);
    /// assert_eq!(hasher.long_passwords(), LongPasswords::Reject);
    /// ```
    pub const fn new() -> Self {
        PasswordHasher {
            cost: Cost::DEFAULT,
            max_verify_cost: Cost::DEFAULT_MAX_VERIFY,
            long_passwords: LongPasswords::Reject,
            truncated_legacy_hashes: false,
        }
    }

    /// Returns this hasher with another cost for new hashes.
    ///
    /// The cost is a [`Cost`], so a value outside `4..=31` is refused by [`Cost::new`] before it
    /// gets here.
    ///
    /// ```
    /// use keyward::password::{Cost, PasswordError, PasswordHasher};
    ///
    /// let hasher = PasswordHasher::new().with_cost(Cost::new(10)?);
    /// assert_eq!(hasher.cost().get(), 10);
    /// assert_eq!(Cost::new(32), Err(PasswordError::InvalidCost { cost: 32 }));
    /// # Ok::<(), PasswordError>(())
    /// ```
    #[must_use]
    pub const fn with_cost(mut self, cost: Cost) -> Self {
        self.cost = cost;
        self
    }

    /// Returns this hasher with another policy for passwords over 72 bytes.
    ///
    /// Switching an existing system to [`LongPasswords::PreHash`] is safe: old `$2b$` hashes
    /// still verify, and [`needs_rehash`](Self::needs_rehash) reports them so that
    /// [`verify_and_update`](Self::verify_and_update) moves them over on the next login.
    ///
    /// ```
    /// use keyward::password::{LongPasswords, PasswordHasher};
    ///
    /// let hasher = PasswordHasher::new().with_long_passwords(LongPasswords::PreHash);
    /// assert_eq!(hasher.long_passwords(), LongPasswords::PreHash);
    /// ```
    #[must_use]
    pub const fn with_long_passwords(mut self, policy: LongPasswords) -> Self {
        self.long_passwords = policy;
        self
    }

    /// Returns this hasher with another bound on the cost of stored hashes it agrees to verify.
    ///
    /// A stored hash above the bound is refused with [`PasswordError::CostTooHigh`] before any
    /// work. The hasher's own cost is always allowed, so the effective bound is the higher of
    /// the two (see [`max_verify_cost`](Self::max_verify_cost)).
    ///
    /// ```
    /// use keyward::password::{Cost, PasswordHasher};
    ///
    /// let hasher = PasswordHasher::new().with_max_verify_cost(Cost::new(14)?);
    /// assert_eq!(hasher.max_verify_cost().get(), 14);
    /// # Ok::<(), keyward::password::PasswordError>(())
    /// ```
    #[must_use]
    pub const fn with_max_verify_cost(mut self, max: Cost) -> Self {
        self.max_verify_cost = max;
        self
    }

    /// Returns this hasher accepting, against *plain* bcrypt hashes only, a password over 72
    /// bytes by checking its first 72 bytes: what a truncating implementation (pyca `bcrypt`
    /// 4.x, passlib before it refused, most C libraries) hashed when the user registered.
    ///
    /// This is a migration aid and off by default: while it is on, anything sharing the first
    /// 72 bytes of such a user's password matches, exactly as on the old system. Use it with
    /// [`verify_and_update`](Self::verify_and_update), which replaces a matching hash with a
    /// [`HashFormat::BcryptSha256`] hash of the *whole* password, so each account leaves the
    /// truncating format at its next login; turn it off once the old hashes are gone.
    ///
    /// ```
    /// use keyward::password::{Cost, HashFormat, PasswordHasher};
    ///
    /// let long = "a sentence longer than seventy-two bytes, as passphrase advice recommends!!";
    /// // What a truncating library stored: the hash of the first 72 bytes.
    /// let legacy = PasswordHasher::new().with_cost(Cost::new(4)?).hash(&long.as_bytes()[..72])?;
    ///
    /// let migrating = PasswordHasher::new()
    ///     .with_cost(Cost::new(4)?)
    ///     .with_truncated_legacy_hashes(true);
    /// let replacement = migrating.verify_and_update(long, &legacy)?.expect("moved off plain bcrypt");
    /// assert_eq!(replacement.format(), HashFormat::BcryptSha256);
    /// # Ok::<(), keyward::password::PasswordError>(())
    /// ```
    #[must_use]
    pub const fn with_truncated_legacy_hashes(mut self, accept: bool) -> Self {
        self.truncated_legacy_hashes = accept;
        self
    }

    /// Whether over-long passwords are checked by their first 72 bytes against plain bcrypt
    /// hashes; see [`with_truncated_legacy_hashes`](Self::with_truncated_legacy_hashes).
    ///
    /// ```
    /// # use keyward::password::PasswordHasher;
    /// assert!(!PasswordHasher::new().accepts_truncated_legacy_hashes());
    /// ```
    pub const fn accepts_truncated_legacy_hashes(&self) -> bool {
        self.truncated_legacy_hashes
    }

    /// The cost new hashes are made with.
    ///
    /// ```
    /// # use keyward::password::PasswordHasher;
    /// assert_eq!(PasswordHasher::new().cost().get(), 12);
    /// ```
    pub const fn cost(&self) -> Cost {
        self.cost
    }

    /// The highest stored cost [`verify`](Self::verify) agrees to compute: the configured bound,
    /// or the hasher's own cost if that is higher.
    ///
    /// ```
    /// # use keyward::password::{Cost, PasswordHasher};
    /// assert_eq!(PasswordHasher::new().max_verify_cost().get(), 16);
    /// assert_eq!(PasswordHasher::new().with_cost(Cost::new(18)?).max_verify_cost().get(), 18);
    /// # Ok::<(), keyward::password::PasswordError>(())
    /// ```
    pub const fn max_verify_cost(&self) -> Cost {
        if self.cost.get() > self.max_verify_cost.get() {
            self.cost
        } else {
            self.max_verify_cost
        }
    }

    /// The policy for passwords over 72 bytes.
    ///
    /// ```
    /// # use keyward::password::{LongPasswords, PasswordHasher};
    /// assert_eq!(PasswordHasher::new().long_passwords(), LongPasswords::Reject);
    /// ```
    pub const fn long_passwords(&self) -> LongPasswords {
        self.long_passwords
    }

    /// Hashes `password` with a fresh random salt, in the configured format and cost.
    ///
    /// Every byte of the password counts; nothing is truncated. Passwords are bytes, so
    /// non-UTF-8 input works.
    ///
    /// # Errors
    ///
    /// - [`PasswordError::TooLong`] when the password is over 72 bytes (or over 4096 bytes with
    ///   [`LongPasswords::PreHash`]).
    /// - [`PasswordError::ContainsNul`] when it contains a NUL byte and the format is plain bcrypt.
    /// - [`PasswordError::RandomnessUnavailable`] when no salt can be generated.
    ///
    /// ```
    /// use keyward::password::{Cost, PasswordError, PasswordHasher};
    ///
    /// let hasher = PasswordHasher::new().with_cost(Cost::new(4)?);
    /// let hash = hasher.hash(b"\xff non-UTF-8 is fine")?;
    /// assert!(hash.as_str().starts_with("$2b$04$"));
    /// assert_eq!(hasher.hash("a\0b"), Err(PasswordError::ContainsNul));
    /// # Ok::<(), PasswordError>(())
    /// ```
    pub fn hash(&self, password: impl AsRef<[u8]>) -> Result<PasswordHash, PasswordError> {
        self.hash_in(self.long_passwords.format(), password.as_ref())
    }

    fn hash_in(&self, format: HashFormat, password: &[u8]) -> Result<PasswordHash, PasswordError> {
        prehash::check_fits(format, password)?;
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|_| PasswordError::RandomnessUnavailable)?;
        let salt_text = bcrypt_salt_text(salt);
        let key = prehash::bcrypt_key(format, password, &salt_text)?;
        let bcrypt_text = run_bcrypt(&key, self.cost, salt, Revision::B);
        let encoded = hash::encode(format, self.cost, &salt_text, &bcrypt_text);
        Ok(PasswordHash::from_trusted(encoded, format, self.cost))
    }

    /// Checks `password` against a stored hash in any [`HashFormat`], whatever the configured
    /// policy.
    ///
    /// Returns `Ok(())` only when the password matches. A wrong password is
    /// `Err(PasswordError::Mismatch)`, so `hasher.verify(pw, &hash)?;` is the safe short form.
    ///
    /// # Errors
    ///
    /// - [`PasswordError::Mismatch`]: the password is wrong.
    /// - [`PasswordError::TooLong`] / [`PasswordError::ContainsNul`]: the password cannot be
    ///   what the stored format hashed (over 72 bytes or with a NUL against plain bcrypt; over
    ///   4096 bytes against a pre-hashed format). Returned after the same work as a mismatch.
    /// - [`PasswordError::UnknownFormat`], [`PasswordError::UnsupportedVariant`],
    ///   [`PasswordError::MalformedHash`]: the stored hash is unusable. Never reported as a
    ///   mismatch, so a corrupt row is noticed.
    /// - [`PasswordError::CostTooHigh`]: the stored cost is above
    ///   [`max_verify_cost`](Self::max_verify_cost); refused before any work.
    ///
    /// ```
    /// use keyward::password::{PasswordError, PasswordHasher};
    ///
    /// let hasher = PasswordHasher::new();
    /// // jBCrypt's test vector for "a" (Damien Miller, TestBCrypt.java), cost 6.
    /// let stored = "$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe";
    /// hasher.verify("a", stored)?;
    /// assert_eq!(hasher.verify("wrong", stored), Err(PasswordError::Mismatch));
    /// assert_eq!(hasher.verify("x", "$2b$04$broken"), Err(PasswordError::MalformedHash));
    /// # Ok::<(), PasswordError>(())
    /// ```
    pub fn verify(
        &self,
        password: impl AsRef<[u8]>,
        hash: impl AsRef<str>,
    ) -> Result<(), PasswordError> {
        let parsed = ParsedHash::parse(hash.as_ref())?;
        self.verify_parsed(password.as_ref(), &parsed)
    }

    fn verify_parsed(&self, password: &[u8], parsed: &ParsedHash<'_>) -> Result<(), PasswordError> {
        let max = self.max_verify_cost();
        if parsed.cost > max {
            return Err(PasswordError::CostTooHigh {
                cost: parsed.cost.get(),
                max: max.get(),
            });
        }
        let password = self.as_stored(parsed.format, password);
        match prehash::bcrypt_key(parsed.format, password, parsed.salt_text) {
            Ok(key) => {
                let computed = run_bcrypt(&key, parsed.cost, parsed.salt, parsed.revision);
                let same = hash::digest_of(&computed)
                    .as_bytes()
                    .ct_eq(parsed.digest_text.as_bytes());
                if bool::from(same) {
                    Ok(())
                } else {
                    Err(PasswordError::Mismatch)
                }
            }
            Err(unusable) => {
                // Same work as a real check, so a too-long password is not answered faster.
                run_bcrypt(
                    &BcryptKey::Password(b""),
                    parsed.cost,
                    parsed.salt,
                    parsed.revision,
                );
                Err(unusable)
            }
        }
    }

    /// The bytes a stored hash of `format` was made from: the first 72 of an over-long password
    /// when truncated legacy hashes are accepted, otherwise all of them.
    fn as_stored<'a>(&self, format: HashFormat, password: &'a [u8]) -> &'a [u8] {
        let truncated = self.truncated_legacy_hashes && !format.is_pre_hashed();
        match password.get(..Self::MAX_PASSWORD_BYTES) {
            Some(first) if truncated => first,
            _ => password,
        }
    }

    /// Whether a stored hash should be replaced: its cost differs from the configured one, or
    /// it is not in the configured format (`$2a$`/`$2y$` instead of `$2b$`, plain instead of
    /// pre-hashed or the other way round, or any migration format).
    ///
    /// # Errors
    ///
    /// The hash-parsing errors of [`verify`](Self::verify).
    ///
    /// ```
    /// use keyward::password::{Cost, PasswordHasher};
    ///
    /// let old = PasswordHasher::new().with_cost(Cost::new(4)?).hash("pw")?;
    /// assert!(!PasswordHasher::new().with_cost(Cost::new(4)?).needs_rehash(&old)?);
    /// assert!(PasswordHasher::new().with_cost(Cost::new(5)?).needs_rehash(&old)?);
    /// # Ok::<(), keyward::password::PasswordError>(())
    /// ```
    pub fn needs_rehash(&self, hash: impl AsRef<str>) -> Result<bool, PasswordError> {
        let parsed = ParsedHash::parse(hash.as_ref())?;
        Ok(!self.is_current(&parsed, self.long_passwords.format()))
    }

    fn is_current(&self, parsed: &ParsedHash<'_>, target: HashFormat) -> bool {
        parsed.format == target && parsed.cost == self.cost && parsed.revision == Revision::B
    }

    /// Verifies `password` and, when it matches a hash that [`needs_rehash`](Self::needs_rehash),
    /// returns a replacement to store: the login-time upgrade path (passlib's
    /// `verify_and_update`).
    ///
    /// Returns `Ok(None)` when the password matches and the stored hash is current, and
    /// `Ok(Some(new_hash))` when it matches and should be replaced. The replacement is in the
    /// configured format, except that a password the configured format cannot hold (over 72
    /// bytes or with a NUL, which only a pre-hashed format could have stored) moves to
    /// [`HashFormat::BcryptSha256`] rather than being truncated.
    ///
    /// # Errors
    ///
    /// Those of [`verify`](Self::verify) (a wrong password is [`PasswordError::Mismatch`]), and
    /// [`PasswordError::RandomnessUnavailable`] when the new salt cannot be generated.
    ///
    /// ```
    /// use keyward::password::{Cost, PasswordHasher};
    ///
    /// let stored = PasswordHasher::new().with_cost(Cost::new(4)?).hash("hunter2")?;
    /// let stronger = PasswordHasher::new().with_cost(Cost::new(5)?);
    /// let replacement = stronger.verify_and_update("hunter2", &stored)?.expect("cost changed");
    /// assert_eq!(replacement.cost().get(), 5);
    /// assert_eq!(stronger.verify_and_update("hunter2", &replacement)?, None);
    /// # Ok::<(), keyward::password::PasswordError>(())
    /// ```
    pub fn verify_and_update(
        &self,
        password: impl AsRef<[u8]>,
        hash: impl AsRef<str>,
    ) -> Result<Option<PasswordHash>, PasswordError> {
        let password = password.as_ref();
        let parsed = ParsedHash::parse(hash.as_ref())?;
        self.verify_parsed(password, &parsed)?;
        let configured = self.long_passwords.format();
        let target = if prehash::check_fits(configured, password).is_ok() {
            configured
        } else {
            HashFormat::BcryptSha256
        };
        if self.is_current(&parsed, target) {
            Ok(None)
        } else {
            self.hash_in(target, password).map(Some)
        }
    }

    /// Does the work of a failed [`verify`](Self::verify) against a hash of the configured
    /// format and cost, for a login name that has no account, and returns the error such a
    /// verify would return.
    ///
    /// The result is [`PasswordError::Mismatch`], or [`PasswordError::TooLong`] /
    /// [`PasswordError::ContainsNul`] when the configured format cannot hold `password`, exactly
    /// as `verify` would answer for an existing account. Either way one bcrypt computation at the
    /// configured cost is done, so timing does not reveal whether the account exists.
    ///
    /// ```
    /// use keyward::password::{Cost, PasswordError, PasswordHasher};
    ///
    /// let hasher = PasswordHasher::new().with_cost(Cost::new(4)?);
    /// # let find_user = |_: &str| -> Option<String> { None };
    /// let result = match find_user("mallory") {
    ///     Some(stored) => hasher.verify("guess", &stored),
    ///     None => Err(hasher.dummy_verify("guess")),
    /// };
    /// assert_eq!(result, Err(PasswordError::Mismatch));
    /// # Ok::<(), PasswordError>(())
    /// ```
    pub fn dummy_verify(&self, password: impl AsRef<[u8]>) -> PasswordError {
        // A fixed salt is fine: nothing is stored, and the work does not depend on the salt.
        const DUMMY_SALT: [u8; 16] = *b"keyward-dummy-sa";
        let format = self.long_passwords.format();
        let salt_text = bcrypt_salt_text(DUMMY_SALT);
        let password = self.as_stored(format, password.as_ref());
        match prehash::bcrypt_key(format, password, &salt_text) {
            Ok(key) => {
                run_bcrypt(&key, self.cost, DUMMY_SALT, Revision::B);
                PasswordError::Mismatch
            }
            Err(unusable) => {
                run_bcrypt(
                    &BcryptKey::Password(b""),
                    self.cost,
                    DUMMY_SALT,
                    Revision::B,
                );
                unusable
            }
        }
    }
}

fn bcrypt_salt_text(salt: [u8; 16]) -> String {
    use base64::Engine as _;
    bcrypt::BASE_64.encode(salt)
}

/// One bcrypt computation. The key has passed `prehash::check_fits` (or is empty), so the
/// `bcrypt` crate's silent truncation can never apply.
fn run_bcrypt(key: &BcryptKey<'_>, cost: Cost, salt: [u8; 16], revision: Revision) -> String {
    bcrypt::hash_with_salt(key.as_bytes(), cost.get(), salt)
        .expect("cost is validated by Cost")
        .format_for_version(revision.as_bcrypt_version())
}
