//! Work, counted: the meter every bcrypt and Argon2 computation records into, and the floor that
//! failed checks and unknown users are brought up to.
//!
//! Equal-time claims in keyward are claims about *counted work*: bcrypt rounds (`2^cost` per
//! computation) and Argon2 KiB-passes (memory × iterations per computation). Both are counted
//! on the calling thread for every computation the library does, so a test (keyward's own or a
//! server's) can prove two paths do the same work with [`count_work`] instead of a stopwatch.

use std::cell::Cell;
use std::fmt;
use std::ops::{Add, Sub};

use super::argon2::{self, ParsedArgon2};
use super::hash::ParsedHash;
use super::{Argon2Params, Cost, PasswordError};

thread_local! {
    static METER: Cell<Work> = const { Cell::new(Work::NONE) };
}

pub(crate) fn record_bcrypt(cost: Cost) {
    METER.with(|meter| {
        let mut work = meter.get();
        work.bcrypt_rounds = work.bcrypt_rounds.saturating_add(1 << cost.get());
        meter.set(work);
    });
}

pub(crate) fn record_argon2(kib_passes: u64) {
    METER.with(|meter| {
        let mut work = meter.get();
        work.argon2_kib_passes = work.argon2_kib_passes.saturating_add(kib_passes);
        meter.set(work);
    });
}

/// The running total of work done on this thread.
pub(crate) fn total() -> Work {
    METER.with(Cell::get)
}

/// An amount of password-hashing work, in the units each algorithm's cost is defined in.
///
/// The two units do not convert into each other, so equal work means equal in *both*.
///
/// ```
/// use keyward::password::{count_work, Cost, PasswordHasher};
///
/// let hasher = PasswordHasher::new().with_cost(Cost::new(5)?);
/// let (_, work) = count_work(|| hasher.hash("correct horse battery staple"));
/// assert_eq!(work.bcrypt_rounds(), 1 << 5);
/// assert_eq!(work.argon2_kib_passes(), 0);
/// # Ok::<(), keyward::password::PasswordError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Work {
    bcrypt_rounds: u64,
    argon2_kib_passes: u64,
}

impl Work {
    /// No work.
    pub const NONE: Work = Work {
        bcrypt_rounds: 0,
        argon2_kib_passes: 0,
    };

    /// bcrypt key-expansion rounds: `2^cost` for each computation.
    ///
    /// ```
    /// # use keyward::password::Work;
    /// assert_eq!(Work::NONE.bcrypt_rounds(), 0);
    /// ```
    pub const fn bcrypt_rounds(&self) -> u64 {
        self.bcrypt_rounds
    }

    /// Argon2 KiB-passes: memory (KiB) × iterations for each computation.
    ///
    /// ```
    /// # use keyward::password::Work;
    /// assert_eq!(Work::NONE.argon2_kib_passes(), 0);
    /// ```
    pub const fn argon2_kib_passes(&self) -> u64 {
        self.argon2_kib_passes
    }
}

impl Add for Work {
    type Output = Work;
    fn add(self, other: Work) -> Work {
        Work {
            bcrypt_rounds: self.bcrypt_rounds.saturating_add(other.bcrypt_rounds),
            argon2_kib_passes: self
                .argon2_kib_passes
                .saturating_add(other.argon2_kib_passes),
        }
    }
}

impl Sub for Work {
    type Output = Work;
    /// Saturating: what `self` has beyond `other`, in each unit.
    fn sub(self, other: Work) -> Work {
        Work {
            bcrypt_rounds: self.bcrypt_rounds.saturating_sub(other.bcrypt_rounds),
            argon2_kib_passes: self
                .argon2_kib_passes
                .saturating_sub(other.argon2_kib_passes),
        }
    }
}

impl fmt::Display for Work {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} bcrypt rounds, {} argon2 KiB-passes",
            self.bcrypt_rounds, self.argon2_kib_passes
        )
    }
}

/// Runs `f` and returns its result with the password-hashing work it did on this thread.
///
/// Every bcrypt and Argon2 computation keyward makes is counted, whatever the build; the count
/// is two additions per computation. Use it to prove that two login paths do the same work
/// (the failed check, the unknown user, the too-long password) without timing them. Work done
/// on other threads (say, inside `spawn_blocking`) is not counted: call it on the thread that
/// hashes.
///
/// ```
/// use keyward::password::{count_work, Cost, PasswordHasher};
///
/// let hasher = PasswordHasher::new().with_cost(Cost::new(6)?);
/// let stored = PasswordHasher::new().with_cost(Cost::new(4)?).hash("right")?;
/// let (_, failed) = count_work(|| hasher.verify("wrong", &stored));
/// let (_, unknown) = count_work(|| hasher.dummy_verify("wrong"));
/// assert_eq!(failed, unknown);
/// # Ok::<(), keyward::password::PasswordError>(())
/// ```
pub fn count_work<T>(f: impl FnOnce() -> T) -> (T, Work) {
    let before = total();
    let result = f();
    (result, total() - before)
}

/// The work every failed check, unknown user and unusable password is brought up to, per
/// algorithm: a bcrypt cost and Argon2 parameters, each optional.
///
/// A [`PasswordHasher`](crate::password::PasswordHasher) always evens failures up to its own
/// algorithm's settings. That hides *which cost* an account's hash has, but not *which
/// algorithm*: with Argon2id configured, a failed check against a stored bcrypt hash does
/// bcrypt work an unknown user does not. A server that stores hashes of both algorithms (in the
/// middle of a migration, or after importing pwdlib or Django users) sets a floor covering the
/// strongest hash of each algorithm it stores, and then every failure does exactly the floor's
/// work in both units, whatever the stored hash.
///
/// Build it from the stored hashes at start-up with [`try_covering`](Self::try_covering), or
/// from known settings with [`with_bcrypt`](Self::with_bcrypt) and
/// [`with_argon2`](Self::with_argon2).
///
/// ```
/// use keyward::password::{count_work, Argon2Params, Cost, PasswordAlgorithm, PasswordHasher, WorkFloor};
///
/// let old_bcrypt = PasswordHasher::new().with_cost(Cost::new(5)?).hash("right")?;
/// let argon2 = PasswordHasher::new()
///     .with_algorithm(PasswordAlgorithm::Argon2id)
///     .with_argon2_params(Argon2Params::OWASP_MINIMUM);
/// let floor = WorkFloor::new().try_covering([old_bcrypt.as_str()])?;
/// let hasher = argon2.with_work_floor(floor);
///
/// let (_, failed) = count_work(|| hasher.verify("wrong", &old_bcrypt));
/// let (_, unknown) = count_work(|| hasher.dummy_verify("wrong"));
/// assert_eq!(failed, unknown);
/// assert_eq!(unknown.bcrypt_rounds(), 1 << 5);
/// # Ok::<(), keyward::password::PasswordError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WorkFloor {
    bcrypt: Option<Cost>,
    argon2: Option<Argon2Params>,
}

impl WorkFloor {
    /// No floor beyond the hasher's own settings.
    ///
    /// ```
    /// # use keyward::password::WorkFloor;
    /// assert_eq!(WorkFloor::new().bcrypt(), None);
    /// ```
    pub const fn new() -> Self {
        WorkFloor {
            bcrypt: None,
            argon2: None,
        }
    }

    /// Returns this floor with bcrypt work of at least one computation at `cost`.
    ///
    /// ```
    /// # use keyward::password::{Cost, WorkFloor};
    /// let floor = WorkFloor::new().with_bcrypt(Cost::new(12)?);
    /// assert_eq!(floor.bcrypt(), Some(Cost::new(12)?));
    /// # Ok::<(), keyward::password::PasswordError>(())
    /// ```
    #[must_use]
    pub const fn with_bcrypt(mut self, cost: Cost) -> Self {
        self.bcrypt = Some(higher_cost(self.bcrypt, cost));
        self
    }

    /// Returns this floor with Argon2 work of at least one computation at `params` (memory ×
    /// iterations; the floor keeps whichever parameters have the most).
    ///
    /// ```
    /// # use keyward::password::{Argon2Params, WorkFloor};
    /// let floor = WorkFloor::new().with_argon2(Argon2Params::DEFAULT);
    /// assert_eq!(floor.argon2(), Some(Argon2Params::DEFAULT));
    /// ```
    #[must_use]
    pub const fn with_argon2(mut self, params: Argon2Params) -> Self {
        self.argon2 = Some(more_argon2(self.argon2, params));
        self
    }

    /// Returns this floor raised to cover every hash in `hashes`: the highest bcrypt cost and
    /// the Argon2 parameters with the most work among them. A hasher never evens up beyond its
    /// own `max_verify_*` bounds, so a forged row (`m=4194304`) cannot make every failed login
    /// allocate gigabytes.
    ///
    /// # Errors
    ///
    /// The hash-parsing errors of
    /// [`PasswordHasher::verify`](crate::password::PasswordHasher::verify), for the first
    /// unusable hash.
    ///
    /// ```
    /// use keyward::password::{Cost, WorkFloor};
    ///
    /// let pwdlib = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI";
    /// let jbcrypt = "$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe";
    /// let floor = WorkFloor::new().try_covering([pwdlib, jbcrypt])?;
    /// assert_eq!(floor.bcrypt(), Some(Cost::new(6)?));
    /// assert_eq!(floor.argon2().map(|p| p.memory_kib()), Some(65_536));
    /// # Ok::<(), keyward::password::PasswordError>(())
    /// ```
    pub fn try_covering<'a>(
        mut self,
        hashes: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, PasswordError> {
        for hash in hashes {
            if argon2::is_argon2(hash) {
                let parsed = ParsedArgon2::parse(hash)?;
                self = self.with_argon2(Argon2Params::raw(
                    parsed.memory_kib,
                    parsed.iterations,
                    parsed.parallelism,
                ));
            } else {
                self = self.with_bcrypt(ParsedHash::parse(hash)?.cost);
            }
        }
        Ok(self)
    }

    /// The bcrypt cost of the floor, if any.
    ///
    /// ```
    /// # use keyward::password::WorkFloor;
    /// assert_eq!(WorkFloor::default().bcrypt(), None);
    /// ```
    pub const fn bcrypt(&self) -> Option<Cost> {
        self.bcrypt
    }

    /// The Argon2 parameters of the floor, if any.
    ///
    /// ```
    /// # use keyward::password::WorkFloor;
    /// assert_eq!(WorkFloor::default().argon2(), None);
    /// ```
    pub const fn argon2(&self) -> Option<Argon2Params> {
        self.argon2
    }

    /// The work of one computation at each setting of the floor.
    ///
    /// ```
    /// # use keyward::password::{Cost, WorkFloor};
    /// let floor = WorkFloor::new().with_bcrypt(Cost::new(10)?);
    /// assert_eq!(floor.work().bcrypt_rounds(), 1024);
    /// # Ok::<(), keyward::password::PasswordError>(())
    /// ```
    pub const fn work(&self) -> Work {
        Work {
            bcrypt_rounds: match self.bcrypt {
                Some(cost) => 1 << cost.get(),
                None => 0,
            },
            argon2_kib_passes: match self.argon2 {
                Some(params) => params.work(),
                None => 0,
            },
        }
    }

    /// Brings `done` (the work a failed operation already did, over `attempts` computations)
    /// up to `attempts` times the floor, in each unit.
    pub(crate) fn even_up(&self, done: Work, attempts: u64) {
        let target = self.work();
        if self.bcrypt.is_some() {
            let want = target.bcrypt_rounds.saturating_mul(attempts);
            super::bcrypt::burn_rounds(want.saturating_sub(done.bcrypt_rounds));
        }
        if let Some(params) = self.argon2 {
            let want = target.argon2_kib_passes.saturating_mul(attempts);
            let missing = want.saturating_sub(done.argon2_kib_passes);
            if missing > 0 {
                argon2::burn_units(params, missing);
            }
        }
    }
}

const fn higher_cost(current: Option<Cost>, cost: Cost) -> Cost {
    match current {
        Some(current) if current.get() > cost.get() => current,
        _ => cost,
    }
}

const fn more_argon2(current: Option<Argon2Params>, params: Argon2Params) -> Argon2Params {
    match current {
        Some(current) if current.work() >= params.work() => current,
        _ => params,
    }
}
