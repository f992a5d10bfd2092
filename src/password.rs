//! Password hashing with bcrypt: no silent truncation, typed errors, rehash on login.
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

mod calibrate;
mod cost;
mod error;
mod hash;
mod hasher;
mod prehash;

pub use calibrate::Calibration;
pub use cost::Cost;
pub use error::PasswordError;
pub use hash::{HashFormat, PasswordHash};
pub use hasher::{LongPasswords, PasswordHasher};
