//! The one error type of the username domain.

use std::fmt;

use thiserror::Error;

/// Why a string is not a username under RFC 8265's `UsernameCaseMapped` profile.
///
/// Positions are 0-based indexes of code points in the string as given, so a server can point
/// at the character: "character 1 (U+FB01) is a compatibility form".
///
/// ```
/// use keyward::username::{Refusal, Username, UsernameError};
///
/// assert_eq!(
///     Username::parse("\u{fb01}nn"),
///     Err(UsernameError::Refused { position: 0, character: '\u{fb01}', reason: Refusal::Compatibility }),
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum UsernameError {
    /// Nothing left after the profile's rules (RFC 8265 §3.3.3: a username is not empty).
    #[error("username is empty")]
    Empty,
    /// Longer than [`Username::MAX_BYTES`](crate::username::Username::MAX_BYTES) in UTF-8.
    #[error("username is {bytes} bytes long; at most {max} are allowed")]
    TooLong {
        /// The length in bytes, after the profile's mappings.
        bytes: usize,
        /// The cap.
        max: usize,
    },
    /// A character the `IdentifierClass` does not allow, where the context rules do not allow it,
    /// or that breaks the Bidi Rule.
    #[error("character {position} ({}) {reason}", CodePoint(*character))]
    Refused {
        /// The 0-based index of the character in the string given.
        position: usize,
        /// The character.
        character: char,
        /// Which rule refused it.
        reason: Refusal,
    },
}

/// Which rule of RFC 8264/8265 refused a character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// Has a compatibility decomposition (RFC 8264 §9.17 `HasCompat`: `toNFKC(cp) != cp`):
    /// ligatures, mathematical letters, circled letters, Roman numerals, superscripts.
    Compatibility,
    /// A space (RFC 8264 §9.14, general category Zs).
    Space,
    /// A symbol outside ASCII (RFC 8264 §9.15: Sm, Sc, Sk, So).
    Symbol,
    /// Punctuation outside ASCII (RFC 8264 §9.16).
    Punctuation,
    /// A titlecase letter, letter number, other number or enclosing mark (RFC 8264 §9.12).
    OtherLetterDigit,
    /// A control character (RFC 8264 §9.10).
    Control,
    /// Default-ignorable or a noncharacter (RFC 8264 §9.13).
    Ignorable,
    /// An old Hangul jamo (RFC 8264 §9.9).
    OldHangulJamo,
    /// Unassigned in the Unicode version keyward's data has (RFC 8264 §9.5).
    Unassigned,
    /// Disallowed by RFC 5892's exceptions, or by no rule that would allow it (private use,
    /// surrogates, separators).
    Disallowed,
    /// A joiner or contextual character (RFC 5892 Appendix A) outside the context that allows
    /// it.
    Context,
    /// Breaks the Bidi Rule (RFC 5893 §2), which RFC 8265 §3.3.1 applies to usernames with
    /// right-to-left characters.
    Bidi,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Refusal::Compatibility => "is a compatibility form of another character",
            Refusal::Space => "is a space",
            Refusal::Symbol => "is a symbol",
            Refusal::Punctuation => "is punctuation outside ASCII",
            Refusal::OtherLetterDigit => "is a titlecase letter, letter number or other number",
            Refusal::Control => "is a control character",
            Refusal::Ignorable => "is an invisible (default-ignorable) or noncharacter code point",
            Refusal::OldHangulJamo => "is an old Hangul jamo",
            Refusal::Unassigned => "is unassigned in Unicode",
            Refusal::Disallowed => "is not allowed in usernames",
            Refusal::Context => "is not allowed in this position",
            Refusal::Bidi => "breaks the rule for right-to-left text",
        })
    }
}

/// `U+FB01` for a code point.
struct CodePoint(char);

impl fmt::Display for CodePoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "U+{:04X}", u32::from(self.0))
    }
}
