//! What a [`PasswordHasher`] does with its settings: hash, verify, upgrade, and the equal work of
//! every failure. The bcrypt and Argon2 computations themselves are in `bcrypt` and `argon2`.

use subtle::ConstantTimeEq as _;

use super::argon2::{self, ParsedArgon2};
use super::hash::{self, HashFormat, ParsedHash, Revision};
use super::normalization::Candidates;
use super::{
    Argon2Params, Cost, PasswordAlgorithm, PasswordError, PasswordHash, PasswordHasher, WorkFloor,
    bcrypt, prehash, work,
};

/// A stored hash of either family, parsed.
enum Stored<'a> {
    Bcrypt(ParsedHash<'a>),
    Argon2(ParsedArgon2),
}

impl<'a> Stored<'a> {
    fn parse(hash: &'a str) -> Result<Self, PasswordError> {
        if argon2::is_argon2(hash) {
            ParsedArgon2::parse(hash).map(Stored::Argon2)
        } else {
            ParsedHash::parse(hash).map(Stored::Bcrypt)
        }
    }

    fn format(&self) -> HashFormat {
        match self {
            Stored::Bcrypt(parsed) => parsed.format,
            Stored::Argon2(parsed) => parsed.format,
        }
    }
}

/// Which form of the password matched.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Matched {
    /// The normalized form (or the only form, without normalization).
    First,
    /// The bytes as typed, against a hash made before normalization was turned on.
    Raw,
}

impl PasswordHasher {
    /// Hashes `password` with a fresh random salt, with the configured algorithm, format and
    /// cost or parameters.
    ///
    /// Every byte of the password counts; nothing is truncated. Passwords are bytes, so
    /// non-UTF-8 input works.
    ///
    /// # Errors
    ///
    /// - [`PasswordError::TooLong`] when the password is over 72 bytes (or over 4096 bytes with
    ///   [`LongPasswords::PreHash`](crate::password::LongPasswords::PreHash) or [`PasswordAlgorithm::Argon2id`]).
    /// - [`PasswordError::ContainsNul`] when it contains a NUL byte and the format is plain
    ///   bcrypt (Argon2id takes NUL bytes).
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
        let candidates = self.normalization().candidates(password.as_ref());
        self.hash_in(self.target_format(), candidates.first())
    }

    /// The format new hashes are written in.
    pub(crate) fn target_format(&self) -> HashFormat {
        match self.algorithm() {
            PasswordAlgorithm::Argon2id => HashFormat::Argon2id,
            PasswordAlgorithm::Bcrypt => self.long_passwords().format(),
        }
    }

    fn hash_in(&self, format: HashFormat, password: &[u8]) -> Result<PasswordHash, PasswordError> {
        prehash::check_fits(format, password)?;
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|_| PasswordError::RandomnessUnavailable)?;
        if format == HashFormat::Argon2id {
            let encoded = argon2::hash_new(self.argon2_params(), password, &salt)?;
            return Ok(PasswordHash::from_trusted(encoded, format, Cost::MIN));
        }
        let salt_text = bcrypt::salt_text(salt);
        let key = prehash::bcrypt_key(format, password, &salt_text)?;
        let bcrypt_text = bcrypt::run(&key, self.cost(), salt, Revision::B);
        let encoded = hash::encode(format, self.cost(), &salt_text, &bcrypt_text);
        Ok(PasswordHash::from_trusted(encoded, format, self.cost()))
    }

    /// Checks `password` against a stored hash in any [`HashFormat`], bcrypt or Argon2,
    /// whatever the configured algorithm and policy.
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
    ///   [`PasswordError::UnsupportedArgon2Variant`], [`PasswordError::MalformedHash`]: the
    ///   stored hash is unusable. Never reported as a mismatch, so a corrupt row is noticed.
    /// - [`PasswordError::CostTooHigh`]: the stored cost is above
    ///   [`max_verify_cost`](Self::max_verify_cost); refused before any work.
    /// - [`PasswordError::Argon2ParamsTooHigh`]: the stored Argon2 parameters are above
    ///   [`max_verify_argon2_params`](Self::max_verify_argon2_params); refused before any work.
    ///
    /// A mismatch, `TooLong` or `ContainsNul` against a stored hash weaker than the
    /// configured settings takes at least the work of one computation at the configured
    /// settings (see [`with_harden_runtime`](Self::with_harden_runtime)).
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
        let stored = Stored::parse(hash.as_ref())?;
        let candidates = self.normalization().candidates(password.as_ref());
        self.check(&candidates, &stored).map(|_| ())
    }

    /// The whole check: bounds first (no work), then the normalized form, then the raw form,
    /// then, on failure, the work that brings this check up to the floor.
    fn check(
        &self,
        candidates: &Candidates<'_>,
        stored: &Stored<'_>,
    ) -> Result<Matched, PasswordError> {
        self.refuse_absurd(stored)?;
        let before = work::total();
        let outcome = match self.check_once(candidates.first(), stored) {
            Ok(()) => Ok(Matched::First),
            Err(first) => match candidates.fallback() {
                Some(raw) => self
                    .check_once(raw, stored)
                    .map(|()| Matched::Raw)
                    .map_err(|_| first),
                None => Err(first),
            },
        };
        if outcome.is_err() && self.hardens_runtime() {
            self.effective_floor()
                .even_up(work::total() - before, candidates.attempts());
        }
        outcome
    }

    /// Refuses, before any work, stored settings above the `max_verify_*` bounds.
    fn refuse_absurd(&self, stored: &Stored<'_>) -> Result<(), PasswordError> {
        match stored {
            Stored::Bcrypt(parsed) => {
                let max = self.max_verify_cost();
                if parsed.cost > max {
                    return Err(PasswordError::CostTooHigh {
                        cost: parsed.cost.get(),
                        max: max.get(),
                    });
                }
            }
            Stored::Argon2(parsed) => {
                let max = self.max_verify_argon2_params();
                if parsed.exceeds(max) {
                    return Err(PasswordError::Argon2ParamsTooHigh {
                        memory_kib: parsed.memory_kib,
                        iterations: parsed.iterations,
                        parallelism: parsed.parallelism,
                        max,
                    });
                }
            }
        }
        Ok(())
    }

    /// One computation of `password` against `stored`, whatever the outcome.
    fn check_once(&self, password: &[u8], stored: &Stored<'_>) -> Result<(), PasswordError> {
        match stored {
            Stored::Argon2(parsed) => parsed.check(password),
            Stored::Bcrypt(parsed) => {
                let password = self.as_stored(parsed.format, password);
                bcrypt::compute(password, parsed).and_then(|computed| {
                    let same = hash::digest_of(&computed)
                        .as_bytes()
                        .ct_eq(parsed.digest_text.as_bytes());
                    if bool::from(same) {
                        Ok(())
                    } else {
                        Err(PasswordError::Mismatch)
                    }
                })
            }
        }
    }

    /// The floor failures are brought up to: the configured [`WorkFloor`] raised to the
    /// hasher's own algorithm and settings.
    pub(crate) fn effective_floor(&self) -> WorkFloor {
        let own = match self.algorithm() {
            PasswordAlgorithm::Bcrypt => WorkFloor::new().with_bcrypt(self.cost()),
            PasswordAlgorithm::Argon2id => WorkFloor::new().with_argon2(self.argon2_params()),
        };
        if !self.hardens_runtime() {
            return own;
        }
        // Never above what verify agrees to compute: a forged row in the store must not make
        // every failed login allocate gigabytes.
        let floor = self.work_floor();
        let own = match floor.bcrypt() {
            Some(cost) => own.with_bcrypt(cost.min(self.max_verify_cost())),
            None => own,
        };
        match floor.argon2() {
            Some(params) => {
                let max = self.max_verify_argon2_params();
                own.with_argon2(Argon2Params::raw(
                    params.memory_kib().min(max.memory_kib()),
                    params.iterations().min(max.iterations()),
                    params.parallelism().min(max.parallelism()),
                ))
            }
            None => own,
        }
    }

    /// The bytes a stored hash of `format` was made from: the first 72 of an over-long password
    /// when truncated legacy hashes are accepted, otherwise all of them.
    fn as_stored<'a>(&self, format: HashFormat, password: &'a [u8]) -> &'a [u8] {
        match password.get(..Self::MAX_PASSWORD_BYTES) {
            Some(first) if self.truncates(format, password) => first,
            _ => password,
        }
    }

    fn truncates(&self, format: HashFormat, password: &[u8]) -> bool {
        self.accepts_truncated_legacy_hashes()
            && matches!(format, HashFormat::Bcrypt | HashFormat::SpringBcrypt)
            && password.len() > Self::MAX_PASSWORD_BYTES
    }

    /// Whether this hasher decides `password` against `hash` by its first 72 bytes only: truncated
    /// legacy hashes are accepted (see
    /// [`with_truncated_legacy_hashes`](Self::with_truncated_legacy_hashes)), `hash` is plain
    /// bcrypt, and `password` is over 72 bytes.
    ///
    /// Ask it after a successful login. When it is true, the account is still on a hash that
    /// ignores everything past byte 72, and [`verify_and_update`](Self::verify_and_update) has
    /// kept that hash rather than adopt bytes it never checked; have the user set their
    /// password again to move off it. It does no bcrypt work and says nothing about whether
    /// `password` matches.
    ///
    /// # Errors
    ///
    /// The hash-parsing errors of [`verify`](Self::verify).
    ///
    /// ```
    /// use keyward::password::{Cost, PasswordHasher};
    ///
    /// let migrating = PasswordHasher::new().with_truncated_legacy_hashes(true);
    /// let plain = PasswordHasher::new().with_cost(Cost::new(4)?).hash("x".repeat(72))?;
    /// assert!(migrating.is_truncated_match("x".repeat(80), &plain)?);
    /// assert!(!migrating.is_truncated_match("x".repeat(72), &plain)?);
    /// // Without the switch, such a password is refused as too long instead.
    /// assert!(!PasswordHasher::new().is_truncated_match("x".repeat(80), &plain)?);
    /// # Ok::<(), keyward::password::PasswordError>(())
    /// ```
    pub fn is_truncated_match(
        &self,
        password: impl AsRef<[u8]>,
        hash: impl AsRef<str>,
    ) -> Result<bool, PasswordError> {
        let stored = Stored::parse(hash.as_ref())?;
        Ok(self.truncates(stored.format(), password.as_ref()))
    }

    /// Whether a stored hash should be replaced: it is of the other algorithm, its cost or
    /// Argon2 parameters (memory, iterations, parallelism, output length, version) differ from
    /// the configured ones, or it is not in the configured format (`$2a$`/`$2y$` instead of
    /// `$2b$`, plain instead of pre-hashed or the other way round, Argon2i, or any migration
    /// format such as Django's `argon2$...`).
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
    /// // pwdlib's default hash is current for keyward's default Argon2id parameters.
    /// let argon2 = PasswordHasher::new().with_algorithm(keyward::password::PasswordAlgorithm::Argon2id);
    /// assert!(argon2.needs_rehash(&old)?);
    /// let pwdlib = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI";
    /// assert!(!argon2.needs_rehash(pwdlib)?);
    /// # Ok::<(), keyward::password::PasswordError>(())
    /// ```
    pub fn needs_rehash(&self, hash: impl AsRef<str>) -> Result<bool, PasswordError> {
        let stored = Stored::parse(hash.as_ref())?;
        Ok(!self.is_current_stored(&stored, self.target_format()))
    }

    fn is_current_stored(&self, stored: &Stored<'_>, target: HashFormat) -> bool {
        match stored {
            Stored::Bcrypt(parsed) => {
                parsed.format == target
                    && parsed.cost == self.cost()
                    && parsed.revision == Revision::B
            }
            Stored::Argon2(parsed) => {
                target == HashFormat::Argon2id && parsed.is_current(self.argon2_params())
            }
        }
    }

    /// Verifies `password` and, when it matches a hash that [`needs_rehash`](Self::needs_rehash),
    /// returns a replacement to store: the login-time upgrade path (passlib's
    /// `verify_and_update`).
    ///
    /// Returns `Ok(None)` when the password matches and the stored hash is current, and
    /// `Ok(Some(new_hash))` when it matches and should be replaced. The replacement is in the
    /// configured algorithm and format: a bcrypt hash becomes Argon2id when Argon2id is
    /// configured, and an Argon2 hash becomes bcrypt when bcrypt is. With bcrypt configured, a
    /// password the configured format cannot hold (over 72 bytes or with a NUL, which only a
    /// pre-hashed format or Argon2 could have stored) moves to [`HashFormat::BcryptSha256`]
    /// rather than being truncated.
    ///
    /// A replacement is only ever made from bytes the stored hash checked. A match decided by
    /// the first 72 bytes alone (a truncated legacy hash, see
    /// [`is_truncated_match`](Self::is_truncated_match)) therefore returns `Ok(None)` whatever
    /// the stored cost or format: hashing the whole password would adopt whatever was typed
    /// after byte 72, typos included.
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
    /// assert_eq!(replacement.bcrypt_cost().map(|cost| cost.get()), Some(5));
    /// assert_eq!(stronger.verify_and_update("hunter2", &replacement)?, None);
    /// # Ok::<(), keyward::password::PasswordError>(())
    /// ```
    pub fn verify_and_update(
        &self,
        password: impl AsRef<[u8]>,
        hash: impl AsRef<str>,
    ) -> Result<Option<PasswordHash>, PasswordError> {
        let stored = Stored::parse(hash.as_ref())?;
        let candidates = self.normalization().candidates(password.as_ref());
        let matched = self.check(&candidates, &stored)?;
        let password = match (matched, candidates.fallback()) {
            (Matched::Raw, Some(raw)) => raw,
            _ => candidates.first(),
        };
        if self.truncates(stored.format(), password) {
            // Bytes past 72 matched nothing: a new hash must not adopt them.
            return Ok(None);
        }
        let configured = self.target_format();
        let target = if prehash::check_fits(configured, candidates.first()).is_ok() {
            configured
        } else {
            HashFormat::BcryptSha256
        };
        if matched == Matched::First && self.is_current_stored(&stored, target) {
            Ok(None)
        } else {
            // A raw match is rehashed from the normalized form, so the next login matches first.
            self.hash_in(target, candidates.first()).map(Some)
        }
    }

    /// Does the work of a failed [`verify`](Self::verify) against a hash of the configured
    /// format and cost, for a login name that has no account, and returns the error such a
    /// verify would return.
    ///
    /// The result is [`PasswordError::Mismatch`], or [`PasswordError::TooLong`] /
    /// [`PasswordError::ContainsNul`] when the configured format cannot hold `password`, exactly
    /// as `verify` would answer for an existing account. Either way one computation at the
    /// configured cost (or Argon2id parameters, when Argon2id is configured) is done: the work of a failed `verify` against a current hash, and, with
    /// [`with_harden_runtime`](Self::with_harden_runtime) on (the default), against any hash
    /// whose cost is not above the configured one. Timing therefore does not reveal whether the
    /// account exists.
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
        let candidates = self.normalization().candidates(password.as_ref());
        // The work first, whatever the password: as many computations at the floor as a failed
        // check of these forms does. Then the answer verify would give.
        self.effective_floor()
            .even_up(work::Work::NONE, candidates.attempts());
        let target = self.target_format();
        match prehash::check_fits(target, self.as_stored(target, candidates.first())) {
            Ok(()) => PasswordError::Mismatch,
            Err(unusable) => unusable,
        }
    }
}
