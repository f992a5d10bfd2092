//! Argon2id: the parameter newtype, PHC parsing (through the `argon2` crate's `password-hash`
//! support) and the one computation everything else calls.

use std::fmt;

use argon2::password_hash::phc;
use argon2::{Algorithm, Argon2, Params, Version};
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

use super::PasswordError;
use super::hash::HashFormat;

/// Argon2id takes passwords of any length; keyward refuses longer ones than this so that one
/// request cannot make the server hash megabytes (the pre-hashed bcrypt formats' cap).
pub(crate) const ARGON2_MAX_PASSWORD_BYTES: usize = super::prehash::PRE_HASHED_MAX_BYTES;

/// A stored Argon2 string longer than this is refused before it is parsed. The longest one
/// keyward can verify (48-byte salt, 64-byte digest, ten-digit parameters) is about 200 bytes.
const MAX_HASH_LEN: usize = 512;

/// Why [`Argon2Params::new`] or [`Argon2Params::try_with_output_len`] refused a value.
///
/// ```
/// use keyward::password::{Argon2Params, Argon2ParamsProblem, PasswordError};
///
/// assert_eq!(
///     Argon2Params::new(8 * 1024, 2, 1),
///     Err(PasswordError::InvalidArgon2Params(Argon2ParamsProblem::BelowOwaspMinimum)),
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Argon2ParamsProblem {
    /// Memory and iterations are weaker than every one of OWASP's equivalent minimum
    /// configurations (see [`Argon2Params::OWASP_MINIMUMS`]).
    BelowOwaspMinimum,
    /// Memory above [`Argon2Params::MAX_MEMORY_KIB`] (4 GiB).
    MemoryTooLarge,
    /// Iterations outside `1..=`[`Argon2Params::MAX_ITERATIONS`].
    IterationsOutOfRange,
    /// Parallelism outside `1..=`[`Argon2Params::MAX_PARALLELISM`].
    ParallelismOutOfRange,
    /// Output length outside
    /// [`Argon2Params::MIN_OUTPUT_LEN`]`..=`[`Argon2Params::MAX_OUTPUT_LEN`] bytes.
    OutputLengthOutOfRange,
}

impl fmt::Display for Argon2ParamsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Argon2ParamsProblem::BelowOwaspMinimum => "memory and iterations below OWASP's minimum",
            Argon2ParamsProblem::MemoryTooLarge => "memory above 4 GiB",
            Argon2ParamsProblem::IterationsOutOfRange => "iterations outside 1..=256",
            Argon2ParamsProblem::ParallelismOutOfRange => "parallelism outside 1..=64",
            Argon2ParamsProblem::OutputLengthOutOfRange => "output length outside 16..=64 bytes",
        })
    }
}

/// Argon2id parameters for new hashes, always at or above OWASP's minimum.
///
/// Memory is in KiB (as in the PHC string's `m=`), iterations are passes over that memory
/// (`t=`), parallelism is the number of lanes (`p=`), and the output length is the digest size
/// in bytes. A value that cannot be wrong once made: [`new`](Self::new) checks it.
///
/// | | memory | iterations | parallelism | why |
/// |---|---|---|---|---|
/// | [`DEFAULT`](Self::DEFAULT) | 64 MiB | 3 | 4 | RFC 9106 §4's second recommendation; argon2-cffi's and so pwdlib's default, so their hashes need no rehash |
/// | [`OWASP_MINIMUM`](Self::OWASP_MINIMUM) | 19 MiB | 2 | 1 | OWASP Password Storage Cheat Sheet's first Argon2id configuration |
/// | [`DEFAULT_MAX_VERIFY`](Self::DEFAULT_MAX_VERIFY) | 256 MiB | 12 | 16 | the default ceiling for *stored* hashes: 16 times the default's memory × passes |
///
/// Work grows with memory × iterations; parallelism splits the same work into lanes that
/// other implementations (argon2-cffi) run on several threads, while keyward computes them one
/// after the other on the calling thread. Choose with
/// [`PasswordHasher::calibrate_argon2`](crate::password::PasswordHasher::calibrate_argon2).
///
/// ```
/// use keyward::password::{Argon2Params, PasswordError};
///
/// let params = Argon2Params::new(19 * 1024, 2, 1)?;
/// assert_eq!(params, Argon2Params::OWASP_MINIMUM);
/// assert_eq!(params.output_len(), 32);
/// assert_eq!(Argon2Params::DEFAULT.memory_kib(), 65536);
/// # Ok::<(), PasswordError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Argon2Params {
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
    output_len: u32,
}

impl Argon2Params {
    /// OWASP's equivalent minimum Argon2id configurations as `(memory_kib, iterations)`, all
    /// with parallelism 1 (Password Storage Cheat Sheet): 46 MiB × 1, 19 MiB × 2, 12 MiB × 3,
    /// 9 MiB × 4, 7 MiB × 5. [`new`](Self::new) accepts memory and iterations at or above one
    /// of them.
    pub const OWASP_MINIMUMS: [(u32, u32); 5] = [
        (47_104, 1),
        (19_456, 2),
        (12_288, 3),
        (9_216, 4),
        (7_168, 5),
    ];
    /// OWASP's first-named minimum: 19 MiB, 2 iterations, 1 lane, 32-byte output.
    pub const OWASP_MINIMUM: Argon2Params = Argon2Params::raw(19_456, 2, 1);
    /// The default: 64 MiB, 3 iterations, 4 lanes, 32-byte output (RFC 9106 §4, argon2-cffi's
    /// `RFC_9106_LOW_MEMORY` profile, pwdlib's default).
    pub const DEFAULT: Argon2Params = Argon2Params::raw(65_536, 3, 4);
    /// The default ceiling for stored hashes (see
    /// [`PasswordHasher::with_max_verify_argon2_params`](crate::password::PasswordHasher::with_max_verify_argon2_params)):
    /// 256 MiB, 12 iterations, 16 lanes. Django's default (100 MiB, 2, 8) and RFC 9106's
    /// low-memory recommendation fit; RFC 9106's 2 GiB option does not, on purpose.
    pub const DEFAULT_MAX_VERIFY: Argon2Params = Argon2Params::raw(262_144, 12, 16);
    /// The largest memory accepted, in KiB (4 GiB).
    pub const MAX_MEMORY_KIB: u32 = 4 * 1024 * 1024;
    /// The most iterations accepted.
    pub const MAX_ITERATIONS: u32 = 256;
    /// The most lanes accepted.
    pub const MAX_PARALLELISM: u32 = 64;
    /// The shortest digest accepted, in bytes (128 bits).
    pub const MIN_OUTPUT_LEN: usize = 16;
    /// The longest digest accepted, in bytes (the PHC format's limit).
    pub const MAX_OUTPUT_LEN: usize = 64;

    pub(crate) const fn raw(memory_kib: u32, iterations: u32, parallelism: u32) -> Self {
        Argon2Params {
            memory_kib,
            iterations,
            parallelism,
            output_len: 32,
        }
    }

    /// Parameters with a 32-byte output, if they are at or above OWASP's minimum and within
    /// keyward's bounds.
    ///
    /// # Errors
    ///
    /// [`PasswordError::InvalidArgon2Params`] with the [`Argon2ParamsProblem`]: memory and
    /// iterations below every configuration of [`OWASP_MINIMUMS`](Self::OWASP_MINIMUMS),
    /// memory above 4 GiB, iterations outside `1..=256` or parallelism outside `1..=64`.
    ///
    /// ```
    /// use keyward::password::{Argon2Params, Argon2ParamsProblem, PasswordError};
    ///
    /// assert!(Argon2Params::new(47_104, 1, 1).is_ok()); // OWASP: 46 MiB, one pass
    /// assert_eq!(
    ///     Argon2Params::new(19_456, 2, 0),
    ///     Err(PasswordError::InvalidArgon2Params(Argon2ParamsProblem::ParallelismOutOfRange)),
    /// );
    /// ```
    pub const fn new(
        memory_kib: u32,
        iterations: u32,
        parallelism: u32,
    ) -> Result<Self, PasswordError> {
        let problem = if iterations == 0 || iterations > Self::MAX_ITERATIONS {
            Some(Argon2ParamsProblem::IterationsOutOfRange)
        } else if parallelism == 0 || parallelism > Self::MAX_PARALLELISM {
            Some(Argon2ParamsProblem::ParallelismOutOfRange)
        } else if memory_kib > Self::MAX_MEMORY_KIB {
            Some(Argon2ParamsProblem::MemoryTooLarge)
        } else if !meets_owasp(memory_kib, iterations) {
            Some(Argon2ParamsProblem::BelowOwaspMinimum)
        } else {
            None
        };
        // OWASP's smallest memory (7 MiB) is above Argon2's own floor of 8 KiB per lane for
        // every parallelism allowed here, so the `argon2` crate accepts all of these.
        match problem {
            Some(problem) => Err(PasswordError::InvalidArgon2Params(problem)),
            None => Ok(Self::raw(memory_kib, iterations, parallelism)),
        }
    }

    /// Returns these parameters with another digest length, in bytes.
    ///
    /// # Errors
    ///
    /// [`PasswordError::InvalidArgon2Params`] with
    /// [`Argon2ParamsProblem::OutputLengthOutOfRange`] outside `16..=64`.
    ///
    /// ```
    /// use keyward::password::Argon2Params;
    ///
    /// let params = Argon2Params::DEFAULT.try_with_output_len(64)?;
    /// assert_eq!(params.output_len(), 64);
    /// assert!(Argon2Params::DEFAULT.try_with_output_len(8).is_err());
    /// # Ok::<(), keyward::password::PasswordError>(())
    /// ```
    pub const fn try_with_output_len(mut self, output_len: usize) -> Result<Self, PasswordError> {
        if output_len < Self::MIN_OUTPUT_LEN || output_len > Self::MAX_OUTPUT_LEN {
            return Err(PasswordError::InvalidArgon2Params(
                Argon2ParamsProblem::OutputLengthOutOfRange,
            ));
        }
        #[allow(clippy::cast_possible_truncation)] // at most 64
        {
            self.output_len = output_len as u32;
        }
        Ok(self)
    }

    /// Memory in KiB (`m=`).
    ///
    /// ```
    /// # use keyward::password::Argon2Params;
    /// assert_eq!(Argon2Params::OWASP_MINIMUM.memory_kib(), 19 * 1024);
    /// ```
    pub const fn memory_kib(&self) -> u32 {
        self.memory_kib
    }

    /// Passes over the memory (`t=`).
    ///
    /// ```
    /// # use keyward::password::Argon2Params;
    /// assert_eq!(Argon2Params::DEFAULT.iterations(), 3);
    /// ```
    pub const fn iterations(&self) -> u32 {
        self.iterations
    }

    /// Lanes (`p=`).
    ///
    /// ```
    /// # use keyward::password::Argon2Params;
    /// assert_eq!(Argon2Params::DEFAULT.parallelism(), 4);
    /// ```
    pub const fn parallelism(&self) -> u32 {
        self.parallelism
    }

    /// Digest length in bytes.
    ///
    /// ```
    /// # use keyward::password::Argon2Params;
    /// assert_eq!(Argon2Params::DEFAULT.output_len(), 32);
    /// ```
    pub const fn output_len(&self) -> usize {
        self.output_len as usize
    }

    /// Memory × iterations, the measure of work keyward uses (KiB-passes).
    pub(crate) const fn work(&self) -> u64 {
        self.memory_kib as u64 * self.iterations as u64
    }
}

impl Default for Argon2Params {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Display for Argon2Params {
    /// The PHC parameter string, `m=65536,t=3,p=4`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "m={},t={},p={}",
            self.memory_kib, self.iterations, self.parallelism
        )
    }
}

const fn meets_owasp(memory_kib: u32, iterations: u32) -> bool {
    let mut i = 0;
    while i < Argon2Params::OWASP_MINIMUMS.len() {
        let (m, t) = Argon2Params::OWASP_MINIMUMS[i];
        if memory_kib >= m && iterations >= t {
            return true;
        }
        i += 1;
    }
    false
}

/// A stored Argon2 hash split into what verification needs. Its parameters are whatever the
/// string says (they may be below the floor: passlib's defaults are), within Argon2's own rules.
#[derive(Clone)]
pub(crate) struct ParsedArgon2 {
    pub(crate) format: HashFormat,
    pub(crate) algorithm: Algorithm,
    pub(crate) version: Version,
    pub(crate) memory_kib: u32,
    pub(crate) iterations: u32,
    pub(crate) parallelism: u32,
    salt: phc::Salt,
    digest: phc::Output,
}

/// Whether `hash` claims to be an Argon2 hash (PHC `$argon2…$` or Django's `argon2$argon2…$`).
pub(crate) fn is_argon2(hash: &str) -> bool {
    hash.starts_with("$argon2") || hash.starts_with("argon2$argon2")
}

impl ParsedArgon2 {
    /// Parses a string that [`is_argon2`]. Every failure is a typed error; no work is done.
    pub(crate) fn parse(hash: &str) -> Result<Self, PasswordError> {
        if hash.len() > MAX_HASH_LEN {
            return Err(PasswordError::MalformedHash);
        }
        // Django: `"argon2" + argon2.low_level.hash_secret(...)`, verified as `"$" + rest`
        // after splitting on the first `$` (django/contrib/auth/hashers.py,
        // Argon2PasswordHasher.encode / verify).
        let (phc_text, django) = match hash.strip_prefix("argon2") {
            Some(rest) => (rest, true),
            None => (hash, false),
        };
        let phc = phc::PasswordHash::new(phc_text).map_err(|_| PasswordError::MalformedHash)?;
        let algorithm = match phc.algorithm.as_str() {
            "argon2id" => Algorithm::Argon2id,
            "argon2i" => Algorithm::Argon2i,
            // Data-dependent memory access: not for servers that check passwords (RFC 9106 §4).
            "argon2d" => return Err(PasswordError::UnsupportedArgon2Variant),
            _ => return Err(PasswordError::MalformedHash),
        };
        // The PHC format: no `v=` means version 0x10 (what the reference implementation and
        // argon2-cffi read it as).
        let version = match phc.version {
            None | Some(16) => Version::V0x10,
            Some(19) => Version::V0x13,
            Some(_) => return Err(PasswordError::MalformedHash),
        };
        let mut seen = [false; 3];
        for (name, value) in phc.params.iter() {
            let slot = match name.as_str() {
                "m" => 0,
                "t" => 1,
                "p" => 2,
                // A secret key or associated data keyward is not given: refused rather than
                // reported as a mismatch of every password.
                "keyid" | "data" => return Err(PasswordError::UnsupportedArgon2Variant),
                _ => return Err(PasswordError::MalformedHash),
            };
            if seen[slot] || value.decimal().is_err() {
                return Err(PasswordError::MalformedHash);
            }
            seen[slot] = true;
        }
        if seen != [true; 3] {
            return Err(PasswordError::MalformedHash);
        }
        let params = Params::try_from(&phc).map_err(|_| PasswordError::MalformedHash)?;
        let (Some(salt), Some(digest)) = (phc.salt, phc.hash) else {
            return Err(PasswordError::MalformedHash);
        };
        let format = match (django, algorithm) {
            (true, _) => HashFormat::DjangoArgon2,
            (false, Algorithm::Argon2id) => HashFormat::Argon2id,
            (false, _) => HashFormat::Argon2i,
        };
        Ok(ParsedArgon2 {
            format,
            algorithm,
            version,
            memory_kib: params.m_cost(),
            iterations: params.t_cost(),
            parallelism: params.p_cost(),
            salt,
            digest,
        })
    }

    /// Whether this is exactly what a hasher configured with `params` writes.
    pub(crate) fn is_current(&self, params: Argon2Params) -> bool {
        self.format == HashFormat::Argon2id
            && self.version == Version::V0x13
            && self.memory_kib == params.memory_kib
            && self.iterations == params.iterations
            && self.parallelism == params.parallelism
            && self.digest.len() == params.output_len()
    }

    /// Whether any parameter is above the ceiling.
    pub(crate) fn exceeds(&self, max: Argon2Params) -> bool {
        self.memory_kib > max.memory_kib
            || self.iterations > max.iterations
            || self.parallelism > max.parallelism
    }

    /// One Argon2 computation of `password` with the stored salt and parameters, compared with
    /// the stored digest in constant time. A password over the cap is refused only after the
    /// same computation on an empty password.
    pub(crate) fn check(&self, password: &[u8]) -> Result<(), PasswordError> {
        let fits = password.len() <= ARGON2_MAX_PASSWORD_BYTES;
        let input = if fits { password } else { b"" };
        let params = Params::new(
            self.memory_kib,
            self.iterations,
            self.parallelism,
            Some(self.digest.len()),
        )
        .map_err(|_| PasswordError::MalformedHash)?;
        let mut out = Zeroizing::new([0u8; phc::Output::MAX_LENGTH]);
        let out = &mut out[..self.digest.len()];
        run(
            self.algorithm,
            self.version,
            &params,
            input,
            &self.salt,
            out,
        )?;
        if !fits {
            return Err(PasswordError::TooLong {
                len: password.len(),
                max: ARGON2_MAX_PASSWORD_BYTES,
            });
        }
        if bool::from(out.ct_eq(self.digest.as_bytes())) {
            Ok(())
        } else {
            Err(PasswordError::Mismatch)
        }
    }
}

/// `params` as the `argon2` crate's type, with `iterations` replaced when given.
fn crate_params(params: Argon2Params, iterations: u32) -> Params {
    Params::new(
        params.memory_kib,
        iterations,
        params.parallelism,
        Some(params.output_len()),
    )
    .expect("Argon2Params::new keeps every value within the argon2 crate's bounds")
}

/// Hashes `password` (already checked against the cap) with Argon2id v19 and `salt`, and
/// writes the PHC string argon2-cffi writes.
pub(crate) fn hash_new(
    params: Argon2Params,
    password: &[u8],
    salt: &[u8; 16],
) -> Result<String, PasswordError> {
    let crate_params = crate_params(params, params.iterations);
    let mut out = Zeroizing::new([0u8; phc::Output::MAX_LENGTH]);
    let out = &mut out[..params.output_len()];
    run(
        Algorithm::Argon2id,
        Version::V0x13,
        &crate_params,
        password,
        salt,
        out,
    )?;
    let salt = phc::Salt::new(salt).map_err(|_| PasswordError::MalformedHash)?;
    let digest = phc::Output::new(out).map_err(|_| PasswordError::MalformedHash)?;
    let phc = phc::PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: phc::ParamsString::try_from(&crate_params)
            .map_err(|_| PasswordError::MalformedHash)?,
        salt: Some(salt),
        hash: Some(digest),
    };
    Ok(phc.to_string())
}

/// A fixed salt for work whose result is thrown away: nothing is stored, and the work does not
/// depend on the salt.
const DUMMY_SALT: &[u8; 16] = b"keyward-dummy-sa";

/// One computation at `params`, `iterations` passes, on an empty password; the result is thrown
/// away. `dummy_verify` and the runtime hardening call it.
pub(crate) fn burn(params: Argon2Params, iterations: u32) {
    let crate_params = crate_params(params, iterations);
    let mut out = Zeroizing::new([0u8; phc::Output::MAX_LENGTH]);
    let out = &mut out[..params.output_len()];
    let _ = std::hint::black_box(run(
        Algorithm::Argon2id,
        Version::V0x13,
        &crate_params,
        b"",
        DUMMY_SALT,
        out,
    ));
}

/// Does `units` KiB-passes of Argon2id work on an empty password: whole passes at `params`'
/// memory, then the remainder as one pass over that many KiB. Argon2 needs at least 8 KiB, so
/// a remainder below 8 is folded into the last whole pass (exact), or, with no whole pass to
/// fold into, rounded up to 8 KiB (at most 7 KiB-passes over).
pub(crate) fn burn_units(params: Argon2Params, units: u64) {
    let memory = u64::from(params.memory_kib).max(MIN_BURN_KIB);
    let (mut passes, mut rest) = (units / memory, units % memory);
    if rest != 0 && rest < MIN_BURN_KIB && passes > 0 {
        passes -= 1;
        rest += memory;
    }
    if passes > 0 {
        burn(params, u32::try_from(passes).unwrap_or(u32::MAX));
    }
    if rest > 0 {
        let kib = u32::try_from(rest.max(MIN_BURN_KIB)).unwrap_or(u32::MAX);
        if let Ok(one_pass) = Params::new(kib, 1, 1, Some(32)) {
            let mut out = Zeroizing::new([0u8; 32]);
            let _ = std::hint::black_box(run(
                Algorithm::Argon2id,
                Version::V0x13,
                &one_pass,
                b"",
                DUMMY_SALT,
                &mut out[..],
            ));
        }
    }
}

/// Argon2's smallest memory for one lane, in KiB.
const MIN_BURN_KIB: u64 = 8;

/// The one Argon2 computation; the work meter counts memory × passes.
fn run(
    algorithm: Algorithm,
    version: Version,
    params: &Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), PasswordError> {
    super::work::record_argon2(u64::from(params.m_cost()) * u64::from(params.t_cost()));
    Argon2::new(algorithm, version, params.clone())
        .hash_password_into(password, salt, out)
        // Parsing and `Argon2Params` leave only allocation failure: report the hash unusable.
        .map_err(|_| PasswordError::MalformedHash)
}
