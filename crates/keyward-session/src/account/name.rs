//! The account name newtype.

use std::fmt;

use crate::SessionError;

/// An account's stored name: the key of its credential row and the `sub` of its tokens.
///
/// The session rules take names as the application has already normalized them (for example
/// under RFC 8265's `UsernameCaseMapped` profile); this type only refuses what no store should
/// hold: an empty name, more than [`MAX_BYTES`](Self::MAX_BYTES) bytes, or control characters.
///
/// ```
/// use keyward_session::AccountName;
///
/// let name = AccountName::new("alice")?;
/// assert_eq!(name.as_str(), "alice");
/// assert!(AccountName::new("").is_err());
/// assert!(AccountName::new("a\u{0}b").is_err());
/// # Ok::<(), keyward_session::SessionError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountName(String);

impl AccountName {
    /// The longest name accepted, in bytes of UTF-8.
    pub const MAX_BYTES: usize = 256;

    /// The name `name`.
    ///
    /// # Errors
    ///
    /// [`SessionError::Invalid`] for an empty name, one longer than
    /// [`MAX_BYTES`](Self::MAX_BYTES), or one with a control character.
    ///
    /// ```
    /// # use keyward_session::AccountName;
    /// assert!(AccountName::new("x".repeat(257)).is_err());
    /// ```
    pub fn new(name: impl Into<String>) -> Result<Self, SessionError> {
        let name = name.into();
        let problem = if name.is_empty() {
            Some("empty, wanted 1 or more characters".to_owned())
        } else if name.len() > Self::MAX_BYTES {
            Some(format!(
                "{} bytes, wanted at most {}",
                name.len(),
                Self::MAX_BYTES
            ))
        } else if name.chars().any(char::is_control) {
            Some("contains a control character".to_owned())
        } else {
            None
        };
        match problem {
            Some(problem) => Err(SessionError::Invalid {
                what: "account name",
                problem,
            }),
            None => Ok(AccountName(name)),
        }
    }

    /// The name.
    ///
    /// ```
    /// # use keyward_session::AccountName;
    /// assert_eq!(AccountName::new("bob")?.as_str(), "bob");
    /// # Ok::<(), keyward_session::SessionError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for AccountName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountName({:?})", self.0)
    }
}

impl AsRef<str> for AccountName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}
