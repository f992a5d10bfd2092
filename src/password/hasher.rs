//! `PasswordHasher`: the policy around bcrypt and Argon2id.

use subtle::ConstantTimeEq as _;

use super::argon2::{self, ParsedArgon2};
use super::hash::{self, HashFormat, ParsedHash, Revision};
use super::prehash::{self, BcryptKey};
use super::{Argon2Params, Cost, PasswordAlgorithm, PasswordError, PasswordHash};

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

/// Hashes and verifies passwords with bcrypt or Argon2id, without ever truncating one silently.
///
/// A `PasswordHasher` is a small `Copy` value of settings; build it once and share it. Hashing
/// is deliberately slow (about a quarter of a second at the default cost on a 2020s server
/// core): in an async server, call it from a blocking thread (`spawn_blocking`).
///
/// | setting | default | change with |
/// |---|---|---|
/// | algorithm for new hashes | bcrypt ([`PasswordAlgorithm::Bcrypt`]) | [`with_algorithm`](Self::with_algorithm) |
/// | cost (bcrypt) | 12 | [`with_cost`](Self::with_cost) |
/// | Argon2id parameters | 64 MiB, t = 3, p = 4 ([`Argon2Params::DEFAULT`]) | [`with_argon2_params`](Self::with_argon2_params) |
/// | highest stored Argon2 parameters verified | 256 MiB, t = 12, p = 16 (or the configured ones, if higher) | [`with_max_verify_argon2_params`](Self::with_max_verify_argon2_params) |
/// | passwords over 72 bytes | refused ([`LongPasswords::Reject`]) | [`with_long_passwords`](Self::with_long_passwords) |
/// | highest stored cost verified | 16 (or the cost, if higher) | [`with_max_verify_cost`](Self::with_max_verify_cost) |
/// | truncated legacy hashes | refused | [`with_truncated_legacy_hashes`](Self::with_truncated_legacy_hashes) |
/// | failed checks against weaker stored hashes take the configured work | on | [`with_harden_runtime`](Self::with_harden_runtime) |
///
/// Builder methods: `with_*` replaces one setting and never fails; values that can be wrong are
/// checked when their newtype is made ([`Cost::new`]), so
/// `PasswordHasher::new().with_cost(Cost::new(10)?)` is the one place a bad cost is reported.
///
/// # Timing and unknown users
///
/// Every call to [`verify`](Self::verify) that gets past parsing the stored hash does one bcrypt
/// computation at the stored hash's cost, whatever the password: a password that is too long or
/// contains a NUL byte is refused only *after* that work. When the check fails and the stored
/// cost is below the configured one, verify then does the missing work (see
/// [`with_harden_runtime`](Self::with_harden_runtime)), so every failed login costs the same as
/// one computation at the configured cost. For a login name with no account, call
/// [`dummy_verify`](Self::dummy_verify), which does exactly that: one computation at the
/// configured cost. A failed login therefore takes the same time whether the account exists, and
/// whether its hash is current or predates a cost change (the traps of Spring Security's
/// CVE-2025-22234 and Django's CVE-2016-2513), as long as no stored cost is *above* the
/// configured one. The same holds with Argon2id configured, with memory × iterations in place
/// of the cost; across algorithms (a bcrypt hash while Argon2id is configured, or the other way
/// round) a failed check costs the stored computation *plus* one at the configured settings,
/// never less than an unknown user (see [`with_harden_runtime`](Self::with_harden_runtime)).
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
    algorithm: PasswordAlgorithm,
    cost: Cost,
    max_verify_cost: Cost,
    argon2: Argon2Params,
    max_verify_argon2: Argon2Params,
    long_passwords: LongPasswords,
    truncated_legacy_hashes: bool,
    harden_runtime: bool,
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
    /// The longest password hashed or verified with Argon2 (4096 bytes, NUL bytes allowed).
    ///
    /// Argon2 itself takes any length (a longer password only adds a `BLAKE2b` pass over it),
    /// but a cap bounds what one request can make the server read and hash; 4096 is the
    /// pre-hashed bcrypt formats' cap (passlib's), far above any password manager's output. A
    /// longer password is [`PasswordError::TooLong`], after the same work as a mismatch. An
    /// argon2-cffi hash of a longer password therefore cannot be verified by keyward.
    pub const MAX_ARGON2_PASSWORD_BYTES: usize = argon2::ARGON2_MAX_PASSWORD_BYTES;

    /// A hasher with the safe defaults: cost 12, passwords over 72 bytes refused, stored costs
    /// above 16 refused, failed checks against lower stored costs hardened.
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
            algorithm: PasswordAlgorithm::Bcrypt,
            cost: Cost::DEFAULT,
            max_verify_cost: Cost::DEFAULT_MAX_VERIFY,
            argon2: Argon2Params::DEFAULT,
            max_verify_argon2: Argon2Params::DEFAULT_MAX_VERIFY,
            long_passwords: LongPasswords::Reject,
            truncated_legacy_hashes: false,
            harden_runtime: true,
        }
    }

    /// Returns this hasher making new hashes with another algorithm.
    ///
    /// Switching is safe at any time: [`verify`](Self::verify) still reads the other
    /// algorithm's hashes, [`needs_rehash`](Self::needs_rehash) reports them, and
    /// [`verify_and_update`](Self::verify_and_update) replaces them at the next successful
    /// login, bcrypt → Argon2id or Argon2id → bcrypt.
    ///
    /// ```
    /// use keyward::password::{Argon2Params, PasswordAlgorithm, PasswordHasher};
    ///
    /// let hasher = PasswordHasher::new()
    ///     .with_algorithm(PasswordAlgorithm::Argon2id)
    ///     .with_argon2_params(Argon2Params::OWASP_MINIMUM);
    /// let hash = hasher.hash("hunter2")?;
    /// assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    /// hasher.verify("hunter2", &hash)?;
    /// # Ok::<(), keyward::password::PasswordError>(())
    /// ```
    #[must_use]
    pub const fn with_algorithm(mut self, algorithm: PasswordAlgorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// The algorithm new hashes are made with.
    ///
    /// ```
    /// # use keyward::password::{PasswordAlgorithm, PasswordHasher};
    /// assert_eq!(PasswordHasher::new().algorithm(), PasswordAlgorithm::Bcrypt);
    /// ```
    pub const fn algorithm(&self) -> PasswordAlgorithm {
        self.algorithm
    }

    /// Returns this hasher with other Argon2id parameters for new hashes (used when the
    /// algorithm is [`PasswordAlgorithm::Argon2id`]).
    ///
    /// The parameters are an [`Argon2Params`], so values below OWASP's minimum are refused by
    /// [`Argon2Params::new`] before they get here.
    ///
    /// ```
    /// use keyward::password::{Argon2Params, PasswordHasher};
    ///
    /// let hasher = PasswordHasher::new().with_argon2_params(Argon2Params::new(47_104, 1, 1)?);
    /// assert_eq!(hasher.argon2_params().memory_kib(), 47_104);
    /// # Ok::<(), keyward::password::PasswordError>(())
    /// ```
    #[must_use]
    pub const fn with_argon2_params(mut self, params: Argon2Params) -> Self {
        self.argon2 = params;
        self
    }

    /// The Argon2id parameters new hashes are made with.
    ///
    /// ```
    /// # use keyward::password::{Argon2Params, PasswordHasher};
    /// assert_eq!(PasswordHasher::new().argon2_params(), Argon2Params::DEFAULT);
    /// ```
    pub const fn argon2_params(&self) -> Argon2Params {
        self.argon2
    }

    /// Returns this hasher with another bound on the parameters of stored Argon2 hashes it
    /// agrees to verify.
    ///
    /// A stored hash whose memory, iterations or parallelism is above the bound's is refused
    /// with [`PasswordError::Argon2ParamsTooHigh`] before any memory is allocated; a forged
    /// `m=4194304` cannot make the server allocate 4 GiB. The configured parameters are always
    /// allowed, so the effective bound is the higher of the two in each dimension (see
    /// [`max_verify_argon2_params`](Self::max_verify_argon2_params)). The bound's output length
    /// plays no part: the PHC format caps digests at 64 bytes.
    ///
    /// ```
    /// use keyward::password::{Argon2Params, PasswordError, PasswordHasher};
    ///
    /// let hasher = PasswordHasher::new().with_max_verify_argon2_params(Argon2Params::DEFAULT);
    /// let forged = "$argon2id$v=19$m=4194304,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI";
    /// assert!(matches!(
    ///     hasher.verify("password", forged),
    ///     Err(PasswordError::Argon2ParamsTooHigh { memory_kib: 4194304, .. }),
    /// ));
    /// ```
    #[must_use]
    pub const fn with_max_verify_argon2_params(mut self, max: Argon2Params) -> Self {
        self.max_verify_argon2 = max;
        self
    }

    /// The highest stored Argon2 parameters [`verify`](Self::verify) agrees to compute: in
    /// each of memory, iterations and parallelism, the configured bound or the hasher's own
    /// parameter, whichever is higher.
    ///
    /// ```
    /// # use keyward::password::{Argon2Params, PasswordHasher};
    /// let max = PasswordHasher::new().max_verify_argon2_params();
    /// assert_eq!((max.memory_kib(), max.iterations(), max.parallelism()), (262_144, 12, 16));
    /// ```
    pub const fn max_verify_argon2_params(&self) -> Argon2Params {
        const fn higher(a: u32, b: u32) -> u32 {
            if a > b { a } else { b }
        }
        match Argon2Params::new(
            higher(
                self.max_verify_argon2.memory_kib(),
                self.argon2.memory_kib(),
            ),
            higher(
                self.max_verify_argon2.iterations(),
                self.argon2.iterations(),
            ),
            higher(
                self.max_verify_argon2.parallelism(),
                self.argon2.parallelism(),
            ),
        ) {
            Ok(max) => max,
            // Unreachable: the component-wise maximum of two valid parameter sets is valid.
            Err(_) => self.max_verify_argon2,
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
    /// 72 bytes of such a user's password matches, exactly as on the old system. Because those
    /// hashes never checked the bytes past 72, a login cannot move such an account to a hash of
    /// the whole password: what was typed may differ from the real password after byte 72 (a
    /// typo there still matches), and storing it would lock the user out of their real
    /// password. So [`verify_and_update`](Self::verify_and_update) keeps such a hash
    /// (`Ok(None)`), and [`is_truncated_match`](Self::is_truncated_match) tells you the account
    /// is still on it. Move those accounts by having the user set their password again in a
    /// flow that confirms the new one (a password change typed twice, or a reset), hashed in
    /// [`LongPasswords::PreHash`] mode; turn this off once the old hashes are gone.
    ///
    /// ```
    /// use keyward::password::{Cost, PasswordHasher};
    ///
    /// let long = "a sentence longer than seventy-two bytes, as passphrase advice recommends!!";
    /// // What a truncating library stored: the hash of the first 72 bytes.
    /// let legacy = PasswordHasher::new().with_cost(Cost::new(4)?).hash(&long[..72])?;
    ///
    /// let migrating = PasswordHasher::new()
    ///     .with_cost(Cost::new(4)?)
    ///     .with_truncated_legacy_hashes(true);
    /// // The whole password logs in, and so does a typo past byte 72: nothing is rehashed from
    /// // either, so the stored hash stays as it is.
    /// let typo = format!("{}TYPO", &long[..72]);
    /// assert_eq!(migrating.verify_and_update(long, &legacy)?, None);
    /// assert_eq!(migrating.verify_and_update(&typo, &legacy)?, None);
    /// // Time to ask this user to set their password again.
    /// assert!(migrating.is_truncated_match(long, &legacy)?);
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

    /// Returns this hasher with runtime hardening switched on (the default) or off.
    ///
    /// bcrypt's work doubles with each cost step, so after the cost is raised, a failed login
    /// against an account still stored at the old cost answers measurably faster than a failed
    /// login for an unknown user ([`dummy_verify`](Self::dummy_verify) works at the configured
    /// cost), and faster than one against an upgraded account. With hardening on, a failed
    /// [`verify`](Self::verify) or [`verify_and_update`](Self::verify_and_update) against a
    /// stored cost `c` below the configured cost `C` then does the missing work: one extra
    /// computation at each cost `c, c + 1, ..., C - 1`, since `2^c + (2^c + ... + 2^(C-1)) =
    /// 2^C`. This is Django's `harden_runtime` (its fix for CVE-2016-2513). It applies to every stored format, the
    /// pre-hashed ones included.
    ///
    /// With Argon2id configured, work is measured as memory × iterations (KiB-passes; lanes
    /// split the same work). A failed check against stored Argon2 parameters with less work
    /// than the configured ones then does one extra computation at the configured memory and
    /// parallelism with just enough passes to reach the configured work, rounded up: the total
    /// is at least the configured work and less than one configured pass over it. Across
    /// algorithms (a bcrypt hash while Argon2id is configured, an Argon2 hash while bcrypt is)
    /// the units do not compare, so the extra work is one whole computation at the configured
    /// settings: such a failed check costs the stored computation plus an unknown user's, never
    /// less than an unknown user's, but more, so it stays distinguishable until
    /// [`verify_and_update`](Self::verify_and_update) moves the account over.
    ///
    /// It is on by default because it only spends time the configuration already accepted:
    /// no failed login costs more than one computation at the configured cost, which is what
    /// every new hash and every unknown user costs anyway. Turn it off only if failed logins
    /// against old hashes must stay cheap, for example while a large cost increase is rolled
    /// out on tight hardware, and accept that timing then reveals those accounts.
    ///
    /// Limits:
    ///
    /// - It cannot hide a stored cost *above* the configured one (after lowering the cost):
    ///   making every other login as slow is the only way, and that is a choice of cost, not of
    ///   this switch. Keep the configured cost at least as high as any stored one, or let
    ///   [`verify_and_update`](Self::verify_and_update) bring such hashes to the configured cost
    ///   at their next successful login; [`dummy_verify`](Self::dummy_verify) always works at the
    ///   configured cost.
    /// - It does not apply when the password matches: a success is not a secret to the person
    ///   who typed the password, and [`verify_and_update`](Self::verify_and_update) replaces
    ///   the outdated hash then, which ends the difference for that account.
    ///
    /// ```
    /// use keyward::password::{Cost, PasswordHasher};
    ///
    /// let hasher = PasswordHasher::new().with_cost(Cost::new(5)?);
    /// assert!(hasher.hardens_runtime());
    /// let old = PasswordHasher::new().with_cost(Cost::new(4)?).hash("hunter2")?;
    /// // Does the work of one cost-5 computation, not just the stored cost-4 one.
    /// assert!(hasher.verify("wrong", &old).is_err());
    ///
    /// let cheap_failures = hasher.with_harden_runtime(false);
    /// assert!(!cheap_failures.hardens_runtime());
    /// # Ok::<(), keyward::password::PasswordError>(())
    /// ```
    #[must_use]
    pub const fn with_harden_runtime(mut self, harden: bool) -> Self {
        self.harden_runtime = harden;
        self
    }

    /// Whether a failed check against a lower stored cost does the missing work; see
    /// [`with_harden_runtime`](Self::with_harden_runtime).
    ///
    /// ```
    /// # use keyward::password::PasswordHasher;
    /// assert!(PasswordHasher::new().hardens_runtime());
    /// ```
    pub const fn hardens_runtime(&self) -> bool {
        self.harden_runtime
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

    /// Hashes `password` with a fresh random salt, with the configured algorithm, format and
    /// cost or parameters.
    ///
    /// Every byte of the password counts; nothing is truncated. Passwords are bytes, so
    /// non-UTF-8 input works.
    ///
    /// # Errors
    ///
    /// - [`PasswordError::TooLong`] when the password is over 72 bytes (or over 4096 bytes with
    ///   [`LongPasswords::PreHash`] or [`PasswordAlgorithm::Argon2id`]).
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
        self.hash_in(self.target_format(), password.as_ref())
    }

    /// The format new hashes are written in.
    fn target_format(&self) -> HashFormat {
        match self.algorithm {
            PasswordAlgorithm::Argon2id => HashFormat::Argon2id,
            PasswordAlgorithm::Bcrypt => self.long_passwords.format(),
        }
    }

    fn hash_in(&self, format: HashFormat, password: &[u8]) -> Result<PasswordHash, PasswordError> {
        prehash::check_fits(format, password)?;
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|_| PasswordError::RandomnessUnavailable)?;
        if format == HashFormat::Argon2id {
            let encoded = argon2::hash_new(self.argon2, password, &salt)?;
            return Ok(PasswordHash::from_trusted(encoded, format, Cost::MIN));
        }
        let salt_text = bcrypt_salt_text(salt);
        let key = prehash::bcrypt_key(format, password, &salt_text)?;
        let bcrypt_text = run_bcrypt(&key, self.cost, salt, Revision::B);
        let encoded = hash::encode(format, self.cost, &salt_text, &bcrypt_text);
        Ok(PasswordHash::from_trusted(encoded, format, self.cost))
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
        self.verify_stored(password.as_ref(), &stored)
    }

    fn verify_stored(&self, password: &[u8], stored: &Stored<'_>) -> Result<(), PasswordError> {
        match stored {
            Stored::Bcrypt(parsed) => self.verify_parsed(password, parsed),
            Stored::Argon2(parsed) => self.verify_argon2(password, parsed),
        }
    }

    fn verify_argon2(&self, password: &[u8], parsed: &ParsedArgon2) -> Result<(), PasswordError> {
        let max = self.max_verify_argon2_params();
        if parsed.exceeds(max) {
            return Err(PasswordError::Argon2ParamsTooHigh {
                memory_kib: parsed.memory_kib,
                iterations: parsed.iterations,
                parallelism: parsed.parallelism,
                max,
            });
        }
        let outcome = parsed.check(password);
        if outcome.is_err() && self.harden_runtime {
            match self.algorithm {
                PasswordAlgorithm::Argon2id => self.do_missing_argon2_work(parsed.work()),
                PasswordAlgorithm::Bcrypt => self.do_configured_bcrypt_work(),
            }
        }
        outcome
    }

    /// After a failed check that did `done` KiB-passes of Argon2 work, brings the work up to
    /// the configured memory × iterations: one computation at the configured memory with just
    /// enough passes, rounded up (so at most one pass over).
    fn do_missing_argon2_work(&self, done: u64) {
        let configured = self.argon2;
        let missing = configured.work().saturating_sub(done);
        if missing == 0 {
            return;
        }
        let passes = missing.div_ceil(u64::from(configured.memory_kib()));
        // At most the configured iterations, since `missing` is at most the configured work.
        let passes = u32::try_from(passes).unwrap_or(configured.iterations());
        argon2::burn(configured, passes);
    }

    /// After a failed check against an Argon2 hash while bcrypt is configured: one bcrypt
    /// computation at the configured cost, the work of an unknown user.
    fn do_configured_bcrypt_work(&self) {
        const DUMMY_SALT: [u8; 16] = *b"keyward-dummy-sa";
        std::hint::black_box(run_bcrypt(
            &BcryptKey::Password(b""),
            self.cost,
            DUMMY_SALT,
            Revision::B,
        ));
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
        let outcome = compute(password, parsed).and_then(|computed| {
            let same = hash::digest_of(&computed)
                .as_bytes()
                .ct_eq(parsed.digest_text.as_bytes());
            if bool::from(same) {
                Ok(())
            } else {
                Err(PasswordError::Mismatch)
            }
        });
        if outcome.is_err() && self.harden_runtime {
            match self.algorithm {
                PasswordAlgorithm::Bcrypt => self.do_missing_work(parsed),
                // Units of bcrypt and Argon2 work do not compare: do all of the configured.
                PasswordAlgorithm::Argon2id => {
                    argon2::burn(self.argon2, self.argon2.iterations());
                }
            }
        }
        outcome
    }

    /// After a failed check against `parsed`, brings the work done up to one computation at the
    /// configured cost. Work at cost `k` is `2^k` rounds and `2^C - 2^c` is the sum of `2^k` for
    /// `k` in `c..C`, so one computation at each of those costs is exactly what is missing.
    fn do_missing_work(&self, parsed: &ParsedHash<'_>) {
        for cost in (parsed.cost.get()..self.cost.get()).filter_map(|k| Cost::new(k).ok()) {
            // black_box: the result is thrown away, and the work must not be optimised out.
            std::hint::black_box(run_bcrypt(
                &BcryptKey::Password(b""),
                cost,
                parsed.salt,
                parsed.revision,
            ));
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
        self.truncated_legacy_hashes
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
            Stored::Bcrypt(parsed) => self.is_current(parsed, target),
            Stored::Argon2(parsed) => {
                target == HashFormat::Argon2id && parsed.is_current(self.argon2)
            }
        }
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
        let password = password.as_ref();
        let stored = Stored::parse(hash.as_ref())?;
        self.verify_stored(password, &stored)?;
        if self.truncates(stored.format(), password) {
            // Bytes past 72 matched nothing: a new hash must not adopt them.
            return Ok(None);
        }
        let configured = self.target_format();
        let target = if prehash::check_fits(configured, password).is_ok() {
            configured
        } else {
            HashFormat::BcryptSha256
        };
        if self.is_current_stored(&stored, target) {
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
        // A fixed salt is fine: nothing is stored, and the work does not depend on the salt.
        // The digest is never compared; only the work and the error matter.
        const DUMMY_SALT: [u8; 16] = *b"keyward-dummy-sa";
        if self.algorithm == PasswordAlgorithm::Argon2id {
            // The work first, whatever the password, then the answer verify would give.
            argon2::burn(self.argon2, self.argon2.iterations());
            return match prehash::check_fits(HashFormat::Argon2id, password.as_ref()) {
                Ok(()) => PasswordError::Mismatch,
                Err(unusable) => unusable,
            };
        }
        let format = self.long_passwords.format();
        let salt_text = bcrypt_salt_text(DUMMY_SALT);
        let dummy = ParsedHash {
            format,
            revision: Revision::B,
            cost: self.cost,
            salt_text: &salt_text,
            salt: DUMMY_SALT,
            digest_text: "",
        };
        // The same path as a failed verify against a current hash: a stored cost equal to the
        // configured one leaves no missing work, so nothing more is needed for hardening.
        let password = self.as_stored(format, password.as_ref());
        match compute(password, &dummy) {
            Ok(_) => PasswordError::Mismatch,
            Err(unusable) => unusable,
        }
    }
}

/// One bcrypt computation of `password` in `parsed`'s format, salt, cost and revision; the
/// bcrypt text on success. A password the format cannot hold is refused only after the same
/// computation on an empty key, so it is not answered faster.
fn compute(password: &[u8], parsed: &ParsedHash<'_>) -> Result<String, PasswordError> {
    match prehash::bcrypt_key(parsed.format, password, parsed.salt_text) {
        Ok(key) => Ok(run_bcrypt(&key, parsed.cost, parsed.salt, parsed.revision)),
        Err(unusable) => {
            std::hint::black_box(run_bcrypt(
                &BcryptKey::Password(b""),
                parsed.cost,
                parsed.salt,
                parsed.revision,
            ));
            Err(unusable)
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
    #[cfg(test)]
    work_meter::record(cost);
    bcrypt::hash_with_salt(key.as_bytes(), cost.get(), salt)
        .expect("cost is validated by Cost")
        .format_for_version(revision.as_bcrypt_version())
}

/// The bcrypt work done on this thread, in units of `2^cost` (bcrypt's rounds), so tests can
/// check how much work a path did by counting instead of timing it.
#[cfg(test)]
mod work_meter {
    use std::cell::Cell;

    use super::Cost;

    thread_local! {
        static UNITS: Cell<u64> = const { Cell::new(0) };
    }

    pub(super) fn record(cost: Cost) {
        UNITS.with(|units| units.set(units.get() + (1 << cost.get())));
    }

    /// The work recorded since the last call, and a fresh start.
    pub(super) fn take() -> u64 {
        UNITS.with(|units| units.replace(0))
    }
}

/// Work is counted, not timed. The behaviour is Django's `harden_runtime`
/// (django/contrib/auth/hashers.py: `check_password` calls it after a failed check against a hash
/// that `must_update`; `BCryptSHA256PasswordHasher.harden_runtime` makes up the missing bcrypt
/// rounds), applied to the cost-change case of the issue: users stored at one cost, the server
/// configured with another.
#[cfg(test)]
mod tests {
    use super::*;

    fn at(cost: u32) -> PasswordHasher {
        PasswordHasher::new().with_cost(Cost::new(cost).unwrap())
    }

    /// A stored hash made at `cost`, with the meter reset afterwards.
    fn stored_at(cost: u32, password: &str, hasher: PasswordHasher) -> PasswordHash {
        let hash = hasher
            .with_cost(Cost::new(cost).unwrap())
            .hash(password)
            .unwrap();
        work_meter::take();
        hash
    }

    fn work_of<T>(f: impl FnOnce() -> T) -> (T, u64) {
        work_meter::take();
        let result = f();
        (result, work_meter::take())
    }

    #[test]
    fn the_meter_counts_two_to_the_cost_per_computation() {
        let (_, work) = work_of(|| at(7).hash("pw").unwrap());
        assert_eq!(work, 1 << 7);
    }

    #[test]
    fn a_failed_verify_against_a_lower_stored_cost_does_the_configured_work() {
        // The issue's case: users stored at cost 4 (their old policy), the policy now cost 6.
        let stored = stored_at(4, "right", at(4));
        let (result, work) = work_of(|| at(6).verify("wrong", &stored));
        assert_eq!(result, Err(PasswordError::Mismatch));
        assert_eq!(work, 1 << 6);
    }

    #[test]
    fn a_failed_verify_and_update_against_a_lower_stored_cost_does_the_configured_work() {
        let stored = stored_at(4, "right", at(4));
        let (result, work) = work_of(|| at(7).verify_and_update("wrong", &stored));
        assert_eq!(result, Err(PasswordError::Mismatch));
        assert_eq!(work, 1 << 7);
    }

    #[test]
    fn a_successful_verify_does_only_the_stored_work() {
        let stored = stored_at(4, "right", at(4));
        let (result, work) = work_of(|| at(6).verify("right", &stored));
        assert_eq!(result, Ok(()));
        assert_eq!(work, 1 << 4);
    }

    #[test]
    fn a_successful_verify_and_update_does_the_stored_work_then_one_new_hash() {
        let stored = stored_at(4, "right", at(4));
        let (result, work) = work_of(|| at(6).verify_and_update("right", &stored));
        assert!(result.unwrap().is_some());
        assert_eq!(work, (1 << 4) + (1 << 6));
    }

    #[test]
    fn an_unknown_user_costs_the_configured_work() {
        let (error, work) = work_of(|| at(6).dummy_verify("anything"));
        assert_eq!(error, PasswordError::Mismatch);
        assert_eq!(work, 1 << 6);
        let (error, work) = work_of(|| at(6).dummy_verify("x".repeat(73)));
        assert_eq!(error, PasswordError::TooLong { len: 73, max: 72 });
        assert_eq!(work, 1 << 6);
    }

    #[test]
    fn a_too_long_password_against_a_lower_stored_cost_does_the_configured_work() {
        let stored = stored_at(4, "right", at(4));
        let (result, work) = work_of(|| at(6).verify("x".repeat(73), &stored));
        assert_eq!(result, Err(PasswordError::TooLong { len: 73, max: 72 }));
        assert_eq!(work, 1 << 6);
        let (result, work) = work_of(|| at(6).verify("a\0", &stored));
        assert_eq!(result, Err(PasswordError::ContainsNul));
        assert_eq!(work, 1 << 6);
    }

    #[test]
    fn with_hardening_off_a_failed_verify_does_only_the_stored_work() {
        let stored = stored_at(4, "right", at(4));
        let lenient = at(6).with_harden_runtime(false);
        assert!(!lenient.hardens_runtime());
        let (result, work) = work_of(|| lenient.verify("wrong", &stored));
        assert_eq!(result, Err(PasswordError::Mismatch));
        assert_eq!(work, 1 << 4);
        // An unknown user still costs the configured work: only known, outdated accounts differ.
        let (_, work) = work_of(|| lenient.dummy_verify("wrong"));
        assert_eq!(work, 1 << 6);
    }

    #[test]
    fn hardening_applies_to_pre_hashed_formats() {
        let prehash = at(4).with_long_passwords(LongPasswords::PreHash);
        let stored = stored_at(4, "right", prehash);
        assert_eq!(stored.format(), HashFormat::BcryptSha256);
        let (result, work) = work_of(|| at(6).verify("wrong", &stored));
        assert_eq!(result, Err(PasswordError::Mismatch));
        assert_eq!(work, 1 << 6);
    }

    #[test]
    fn a_current_stored_cost_needs_no_extra_work() {
        let stored = stored_at(6, "right", at(6));
        let (result, work) = work_of(|| at(6).verify("wrong", &stored));
        assert_eq!(result, Err(PasswordError::Mismatch));
        assert_eq!(work, 1 << 6);
    }

    #[test]
    fn a_higher_stored_cost_cannot_be_hidden_and_is_not_cut_short() {
        // The documented limit: after lowering the cost, old hashes still take their own work.
        let stored = stored_at(7, "right", at(7));
        let (result, work) = work_of(|| at(6).verify("wrong", &stored));
        assert_eq!(result, Err(PasswordError::Mismatch));
        assert_eq!(work, 1 << 7);
    }
}

/// The Argon2 side of the counted-work tests: units are KiB-passes (memory × iterations), the
/// measure `do_missing_argon2_work` makes up. Parameters below the floor can only come from
/// stored hashes (passlib's defaults are 512 KiB), so these tests write such hashes with the
/// crate-internal constructor.
#[cfg(test)]
mod argon2_tests {
    use super::argon2::work_meter as argon2_meter;
    use super::*;

    /// OWASP's minimum: 19 MiB, two passes.
    const CONFIGURED: Argon2Params = Argon2Params::OWASP_MINIMUM;

    fn argon2_hasher() -> PasswordHasher {
        PasswordHasher::new()
            .with_algorithm(PasswordAlgorithm::Argon2id)
            .with_argon2_params(CONFIGURED)
    }

    /// A stored Argon2id hash of `password` at any parameters, the meters reset afterwards.
    fn stored(memory_kib: u32, iterations: u32, password: &str) -> String {
        let params = Argon2Params::raw(memory_kib, iterations, 1);
        let hash = argon2::hash_new(params, password.as_bytes(), b"0123456789abcdef").unwrap();
        argon2_meter::take();
        work_meter::take();
        hash
    }

    /// (result, Argon2 KiB-passes, bcrypt units) of `f`.
    fn work_of<T>(f: impl FnOnce() -> T) -> (T, u64, u64) {
        argon2_meter::take();
        work_meter::take();
        let result = f();
        (result, argon2_meter::take(), work_meter::take())
    }

    #[test]
    fn the_meter_counts_memory_times_passes() {
        let (_, argon2, bcrypt) = work_of(|| argon2_hasher().hash("pw").unwrap());
        assert_eq!((argon2, bcrypt), (19_456 * 2, 0));
    }

    #[test]
    fn a_failed_verify_against_weaker_stored_parameters_does_the_missing_passes() {
        // Same memory, one pass stored, two configured: exactly one more pass.
        let hash = stored(19_456, 1, "right");
        let (result, work, _) = work_of(|| argon2_hasher().verify("wrong", &hash));
        assert_eq!(result, Err(PasswordError::Mismatch));
        assert_eq!(work, CONFIGURED.work());
        // passlib-like 8 MiB × 1: 8192 done, 30720 missing, made up as two 19 MiB passes.
        let hash = stored(8_192, 1, "right");
        let (result, work, _) = work_of(|| argon2_hasher().verify_and_update("wrong", &hash));
        assert_eq!(result, Err(PasswordError::Mismatch));
        assert_eq!(work, 8_192 + 2 * 19_456);
        assert!(work >= CONFIGURED.work() && work - CONFIGURED.work() < 19_456);
    }

    #[test]
    fn too_long_passwords_against_weaker_parameters_do_the_same_work() {
        let hash = stored(8_192, 1, "right");
        let long = vec![b'x'; 4097];
        let (result, work, _) = work_of(|| argon2_hasher().verify(&long, &hash));
        assert_eq!(
            result,
            Err(PasswordError::TooLong {
                len: 4097,
                max: 4096
            })
        );
        assert_eq!(work, 8_192 + 2 * 19_456);
    }

    #[test]
    fn a_successful_verify_does_only_the_stored_work() {
        let hash = stored(8_192, 1, "right");
        let (result, work, _) = work_of(|| argon2_hasher().verify("right", &hash));
        assert_eq!(result, Ok(()));
        assert_eq!(work, 8_192);
    }

    #[test]
    fn stronger_or_current_stored_parameters_need_no_extra_work() {
        let hash = stored(19_456, 3, "right");
        let (_, work, _) = work_of(|| argon2_hasher().verify("wrong", &hash));
        assert_eq!(work, 19_456 * 3);
        let hash = stored(19_456, 2, "right");
        let (_, work, _) = work_of(|| argon2_hasher().verify("wrong", &hash));
        assert_eq!(work, CONFIGURED.work());
    }

    #[test]
    fn with_hardening_off_only_the_stored_work_is_done() {
        let hash = stored(8_192, 1, "right");
        let lenient = argon2_hasher().with_harden_runtime(false);
        let (_, work, _) = work_of(|| lenient.verify("wrong", &hash));
        assert_eq!(work, 8_192);
    }

    #[test]
    fn an_unknown_user_costs_one_configured_computation() {
        let (error, work, bcrypt) = work_of(|| argon2_hasher().dummy_verify("anything"));
        assert_eq!(
            (error, work, bcrypt),
            (PasswordError::Mismatch, CONFIGURED.work(), 0)
        );
        let (error, work, _) = work_of(|| argon2_hasher().dummy_verify(vec![0u8; 4097]));
        assert_eq!(
            error,
            PasswordError::TooLong {
                len: 4097,
                max: 4096
            }
        );
        assert_eq!(work, CONFIGURED.work());
    }

    #[test]
    fn across_algorithms_a_failure_adds_one_configured_computation() {
        // bcrypt stored, Argon2id configured.
        let bcrypt = PasswordHasher::new().with_cost(Cost::new(4).unwrap());
        let hash = bcrypt.hash("right").unwrap();
        let (result, argon2, units) = work_of(|| argon2_hasher().verify("wrong", &hash));
        assert_eq!(result, Err(PasswordError::Mismatch));
        assert_eq!((argon2, units), (CONFIGURED.work(), 1 << 4));
        // Argon2 stored, bcrypt (cost 5) configured.
        let hash = stored(8_192, 1, "right");
        let configured = PasswordHasher::new().with_cost(Cost::new(5).unwrap());
        let (result, argon2, units) = work_of(|| configured.verify("wrong", &hash));
        assert_eq!(result, Err(PasswordError::Mismatch));
        assert_eq!((argon2, units), (8_192, 1 << 5));
    }

    #[test]
    fn absurd_stored_parameters_are_refused_before_any_work() {
        for hash in [
            "$argon2id$v=19$m=4194304,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI",
            "$argon2id$v=19$m=65536,t=1000000,p=4$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI",
            "$argon2id$v=19$m=65536,t=3,p=255$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI",
        ] {
            let (result, work, _) = work_of(|| argon2_hasher().verify("password", hash));
            assert!(
                matches!(result, Err(PasswordError::Argon2ParamsTooHigh { .. })),
                "{result:?}"
            );
            assert_eq!(work, 0, "{hash}");
        }
    }
}
