//! Password hashing with bcrypt or Argon2id: no silent truncation, typed errors, rehash on
//! login (between costs, parameters and algorithms).
//!
//! Start with [`PasswordHasher`]. Stored hashes are [`PasswordHash`] values (or plain strings),
//! and every failure is a [`PasswordError`].
//!
//! ```
//! use keyward::password::{PasswordError, PasswordHasher};
//!
//! let hasher = PasswordHasher::new();
//! # let hasher = PasswordHasher::new().with_cost(keyward::password::Cost::new(4)?);
//! let hash = hasher.hash("hunter2")?;      // store hash.as_str()
//! hasher.verify("hunter2", &hash)?;       // Ok(()) only on a match
//! assert_eq!(hasher.verify("hunter3", &hash), Err(PasswordError::Mismatch));
//! # Ok::<(), PasswordError>(())
//! ```
//!
//! Argon2id instead, with bcrypt hashes moved over as users log in:
//!
//! ```
//! use keyward::password::{Argon2Params, PasswordAlgorithm, PasswordHasher};
//!
//! let hasher = PasswordHasher::new().with_algorithm(PasswordAlgorithm::Argon2id);
//! # let hasher = hasher.with_argon2_params(Argon2Params::OWASP_MINIMUM);
//! # let old = PasswordHasher::new().with_cost(keyward::password::Cost::new(4)?).hash("hunter2")?;
//! let new = hasher.verify_and_update("hunter2", &old)?.expect("bcrypt is not the policy");
//! assert!(new.as_str().starts_with("$argon2id$v=19$"));
//! # Ok::<(), keyward::password::PasswordError>(())
//! ```

mod algorithm;
mod argon2;
mod bcrypt;
mod calibrate;
mod cost;
mod error;
mod hash;
mod hasher;
mod long_passwords;
mod normalization;
mod policy;
mod prehash;
mod verify;
mod work;
#[cfg(test)]
mod work_tests;

pub use algorithm::PasswordAlgorithm;
pub use argon2::{Argon2Params, Argon2ParamsProblem};
pub use calibrate::{Argon2Calibration, Calibration};
pub use cost::Cost;
pub use error::PasswordError;
pub use hash::{HashFormat, PasswordHash};
pub use hasher::PasswordHasher;
pub use long_passwords::LongPasswords;
pub use normalization::Normalization;
pub use policy::{
    Blocklist, LengthLimits, PasswordPolicy, PolicyError, PolicyViolation, PwnedRangeQuery,
    RangeOutcome, RangeProblem,
};
pub use work::{Work, WorkFloor, count_work};
