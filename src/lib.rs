#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod password;
mod secret;
pub mod token;
pub mod username;

pub use password::{PasswordError, PasswordHash, PasswordHasher};
pub use secret::{SecretEncoding, SecretError, SecretKey};
pub use token::{Claims, TokenError, TokenIssuer, TokenVerifier};
pub use username::{Username, UsernameError};
