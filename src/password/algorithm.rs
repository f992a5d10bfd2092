//! Which algorithm new hashes are made with.

/// The algorithm a [`PasswordHasher`](crate::password::PasswordHasher) makes new hashes with.
///
/// Whatever is chosen, [`verify`](crate::password::PasswordHasher::verify) reads every format
/// keyward knows, and [`verify_and_update`](crate::password::PasswordHasher::verify_and_update)
/// moves a stored hash of the other algorithm to the chosen one at the next successful login.
///
/// ```
/// use keyward::password::{PasswordAlgorithm, PasswordHasher};
///
/// assert_eq!(PasswordHasher::new().algorithm(), PasswordAlgorithm::Bcrypt);
/// let hasher = PasswordHasher::new().with_algorithm(PasswordAlgorithm::Argon2id);
/// assert_eq!(hasher.algorithm(), PasswordAlgorithm::Argon2id);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum PasswordAlgorithm {
    /// bcrypt at [`cost`](crate::password::PasswordHasher::cost), in the format that
    /// [`LongPasswords`](crate::password::LongPasswords) chooses. The default.
    #[default]
    Bcrypt,
    /// Argon2id (RFC 9106), version 19, at
    /// [`argon2_params`](crate::password::PasswordHasher::argon2_params), written as a PHC
    /// string (`$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>`) exactly as argon2-cffi, pwdlib
    /// and passlib write it. Passwords of up to
    /// [`MAX_ARGON2_PASSWORD_BYTES`](crate::password::PasswordHasher::MAX_ARGON2_PASSWORD_BYTES)
    /// bytes, NUL bytes included, are hashed whole.
    Argon2id,
}
