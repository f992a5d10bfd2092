//! `PasswordHasher`: the settings (algorithm, cost, bounds, hardening, normalization). What it
//! does with them is in `verify`.

use super::argon2;
use super::prehash;
use super::{Argon2Params, Cost, LongPasswords, Normalization, PasswordAlgorithm, WorkFloor};

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
/// | work every failure is brought up to, across algorithms | the configured algorithm's settings | [`with_work_floor`](Self::with_work_floor) |
/// | Unicode normalization of passwords | off ([`Normalization::None`]) | [`with_normalization`](Self::with_normalization) |
///
/// Builder methods: `with_*` replaces one setting and never fails; values that can be wrong are
/// checked when their newtype is made ([`Cost::new`]), so
/// `PasswordHasher::new().with_cost(Cost::new(10)?)` is the one place a bad cost is reported.
///
/// # Timing and unknown users
///
/// Work is counted, not timed: bcrypt rounds (`2^cost` per computation) and Argon2 KiB-passes
/// (memory × iterations), both reported by [`count_work`](crate::password::count_work).
///
/// - Every [`verify`](Self::verify) that gets past parsing the stored hash does the stored
///   hash's computation, whatever the password: a password that is too long or contains a NUL
///   byte is refused only *after* that work.
/// - A failed check (a mismatch, a password too long or with a NUL byte) is then brought up to
///   the *work floor*, in both units: one computation at the configured algorithm's settings,
///   raised by [`with_work_floor`](Self::with_work_floor) to cover the strongest stored hash of
///   each algorithm. See [`with_harden_runtime`](Self::with_harden_runtime).
/// - For a login name with no account, [`dummy_verify`](Self::dummy_verify) does exactly the
///   floor's work.
///
/// So a failed login costs the same whether the account exists, whether its hash predates a cost
/// change (the traps of Spring Security's CVE-2025-22234 and Django's CVE-2016-2513), and,
/// once the floor covers every algorithm stored, which algorithm its hash uses. What cannot be
/// hidden is a stored hash *stronger* than the floor: raise the floor to it.
///
/// With [`Normalization::Nfc`], a password that is not already in NFC is checked twice (the
/// NFC form, then the bytes as typed, for hashes made before): every failure and every unknown
/// user then does the floor's work twice. The count depends only on what was typed, never on the
/// account.
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
    work_floor: WorkFloor,
    normalization: Normalization,
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
    /// longer password is [`PasswordError::TooLong`](crate::password::PasswordError::TooLong), after the same work as a mismatch. An
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
            work_floor: WorkFloor::new(),
            normalization: Normalization::None,
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
    /// with [`PasswordError::Argon2ParamsTooHigh`](crate::password::PasswordError::Argon2ParamsTooHigh) before any memory is allocated; a forged
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
    /// A stored hash above the bound is refused with [`PasswordError::CostTooHigh`](crate::password::PasswordError::CostTooHigh) before any
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
    /// cost). With hardening on, a failed [`verify`](Self::verify) or
    /// [`verify_and_update`](Self::verify_and_update) then does the missing work, counted in
    /// each algorithm's own unit, up to the *work floor*: one computation at the configured
    /// settings, raised by [`with_work_floor`](Self::with_work_floor).
    ///
    /// - bcrypt (rounds, `2^cost`): against a stored cost `c` below the floor's `C`, one extra
    ///   computation at each cost `c, c + 1, ..., C - 1`, since `2^c + (2^c + ... + 2^(C-1)) =
    ///   2^C`: exactly the floor. This is Django's `harden_runtime` (its fix for
    ///   CVE-2016-2513), applied to every stored format, the pre-hashed ones included.
    /// - Argon2 (KiB-passes, memory × iterations; lanes split the same work): passes at the
    ///   floor's memory and one pass over the remaining KiB, exactly the floor (up to 7
    ///   KiB-passes over when less than Argon2's 8 KiB minimum is missing).
    /// - Across algorithms the units do not compare, so the floor holds one setting per
    ///   algorithm, and a failure does the floor's work in *both*. Against a stored bcrypt hash
    ///   with Argon2id configured, that is the stored bcrypt work made up to the floor's bcrypt
    ///   cost, plus the floor's Argon2 work: what an unknown user does, once the floor covers
    ///   bcrypt. Without a floor for the other algorithm, the stored hash's own work is extra, and
    ///   timing tells such accounts apart until [`verify_and_update`](Self::verify_and_update)
    ///   moves them over.
    ///
    /// It is on by default because it only spends time the configuration already accepted:
    /// no failed login costs more than the floor, which is what every unknown user costs anyway.
    /// Turn it off only if failed logins against old hashes must stay cheap, for example while a
    /// large cost increase is rolled out on tight hardware, and accept that timing then reveals
    /// those accounts.
    ///
    /// Limits:
    ///
    /// - It cannot hide a stored hash *stronger* than the floor (after lowering the cost):
    ///   making every other login as slow is the only way, and that is what
    ///   [`with_work_floor`](Self::with_work_floor) is for. Or let
    ///   [`verify_and_update`](Self::verify_and_update) bring such hashes to the configured
    ///   settings at their next successful login.
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

    /// Returns this hasher bringing every failed check and unknown user up to `floor` as well as
    /// to its own settings (see [`WorkFloor`]).
    ///
    /// Set it from the strongest stored hash of each algorithm
    /// ([`WorkFloor::try_covering`]) when the store holds more than one algorithm or costs above
    /// the configured one: then a failure does the same counted work whatever the account's
    /// hash. It has effect only with [`with_harden_runtime`](Self::with_harden_runtime) on.
    ///
    /// ```
    /// use keyward::password::{count_work, Argon2Params, Cost, PasswordHasher, WorkFloor};
    ///
    /// let bcrypt = PasswordHasher::new().with_cost(Cost::new(4)?);
    /// let pwdlib = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI";
    /// let hasher = bcrypt.with_work_floor(WorkFloor::new().try_covering([pwdlib])?);
    /// let (_, unknown) = count_work(|| hasher.dummy_verify("guess"));
    /// assert_eq!(unknown.argon2_kib_passes(), 65_536 * 3);
    /// assert_eq!(unknown.bcrypt_rounds(), 1 << 4);
    /// # Ok::<(), keyward::password::PasswordError>(())
    /// ```
    #[must_use]
    pub const fn with_work_floor(mut self, floor: WorkFloor) -> Self {
        self.work_floor = floor;
        self
    }

    /// The configured work floor (without the hasher's own settings).
    ///
    /// ```
    /// # use keyward::password::{PasswordHasher, WorkFloor};
    /// assert_eq!(PasswordHasher::new().work_floor(), WorkFloor::new());
    /// ```
    pub const fn work_floor(&self) -> WorkFloor {
        self.work_floor
    }

    /// Returns this hasher normalizing passwords as `normalization` says (see
    /// [`Normalization`]).
    ///
    /// With [`Normalization::Nfc`], [`hash`](Self::hash) hashes the NFC form, and the length
    /// limits (72 bytes for plain bcrypt) apply to it. [`verify`](Self::verify) tries the NFC
    /// form first, then the bytes as typed, so hashes made before normalization was turned on
    /// (by keyward, passlib, Django or pwdlib) still verify; [`verify_and_update`](Self::verify_and_update)
    /// replaces a hash that matched only as typed with a hash of the NFC form. Full-width and
    /// other compatibility characters are not folded (NFC, not NFKC).
    ///
    /// ```
    /// use keyward::password::{Cost, Normalization, PasswordHasher};
    ///
    /// let plain = PasswordHasher::new().with_cost(Cost::new(4)?);
    /// let decomposed = "re\u{301}sume\u{301} of a long passphrase";
    /// let old = plain.hash(decomposed)?; // made before normalization
    ///
    /// let nfc = plain.with_normalization(Normalization::Nfc);
    /// let new = nfc.verify_and_update(decomposed, &old)?.expect("rehashed under NFC");
    /// nfc.verify("r\u{e9}sum\u{e9} of a long passphrase", &new)?;
    /// # Ok::<(), keyward::password::PasswordError>(())
    /// ```
    #[must_use]
    pub const fn with_normalization(mut self, normalization: Normalization) -> Self {
        self.normalization = normalization;
        self
    }

    /// The normalization applied to passwords.
    ///
    /// ```
    /// # use keyward::password::{Normalization, PasswordHasher};
    /// assert_eq!(PasswordHasher::new().normalization(), Normalization::None);
    /// ```
    pub const fn normalization(&self) -> Normalization {
        self.normalization
    }
}
