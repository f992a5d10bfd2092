//! Usernames under RFC 8265's `UsernameCaseMapped` profile (the PRECIS `IdentifierClass` of RFC
//! 8264): one canonical form per name, and compatibility look-alikes refused.
//!
//! `Alice`, `ALICE` and full-width `ＡＬＩＣＥ` are all the username `alice`. `ﬁnn` (the `ﬁ`
//! ligature), `𝐚𝐥𝐢𝐜𝐞` (mathematical bold), `ⓐlice` (circled) and `ⅸmen` (a Roman numeral) are
//! refused, not folded: they look like other names, and folding them (NFKC) would let two
//! people believe they registered different names.

mod class;
mod error;

use std::fmt;

use icu_normalizer::ComposingNormalizerBorrowed;
use icu_properties::CodePointMapData;
use icu_properties::props::BidiClass;

use class::Property;
pub use error::{Refusal, UsernameError};

/// A username in its canonical form under RFC 8265 §3.3 (`UsernameCaseMapped`): full-width and
/// half-width characters mapped to their ordinary forms, lower-cased, in NFC, every character
/// in the `IdentifierClass`, and right-to-left names meeting the Bidi Rule.
///
/// Two inputs that make equal `Username`s are the same account. Store
/// [`as_str`](Self::as_str) and look accounts up by it.
///
/// ```
/// use keyward::username::Username;
///
/// let alice = Username::parse("Alice")?;
/// assert_eq!(alice.as_str(), "alice");
/// assert_eq!(Username::parse("ＡＬＩＣＥ")?, alice); // full width: the same name
/// assert!(Username::parse("ⓐlice").is_err());       // circled: refused, not folded
/// # Ok::<(), keyward::username::UsernameError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Username(String);

impl Username {
    /// The longest username accepted, in UTF-8 bytes after the profile's mappings. RFC 8265
    /// leaves the limit to the application (§3.1); 64 bytes hold 16 to 64 characters.
    pub const MAX_BYTES: usize = 64;

    /// Enforces the `UsernameCaseMapped` profile on `input` (RFC 8265 §3.3.3): width mapping,
    /// case mapping (Unicode `toLowerCase`), NFC, then the `IdentifierClass`, the context rules
    /// and the Bidi Rule on the result.
    ///
    /// # Errors
    ///
    /// [`UsernameError::Refused`] with the position (in `input`, in code points), the
    /// character and the rule; [`UsernameError::Empty`]; [`UsernameError::TooLong`].
    ///
    /// ```
    /// use keyward::username::{Refusal, Username, UsernameError};
    ///
    /// assert_eq!(
    ///     Username::parse("alice smith"),
    ///     Err(UsernameError::Refused { position: 5, character: ' ', reason: Refusal::Space }),
    /// );
    /// assert_eq!(Username::parse("bob@example.com")?.as_str(), "bob@example.com");
    /// # Ok::<(), UsernameError>(())
    /// ```
    pub fn parse(input: &str) -> Result<Self, UsernameError> {
        // Preparation (§3.3.2): width mapping, then every character in the `IdentifierClass`.
        let mapped: Vec<char> = input.chars().map(width_map).collect();
        check_class(&mapped)?;
        // Enforcement (§3.3.3): case mapping, normalization, then the class again on the
        // result, and the Bidi Rule (§3.3.1 rule 5).
        let name = case_and_nfc(&mapped.into_iter().collect::<String>());
        let chars: Vec<char> = name.chars().collect();
        if chars.is_empty() {
            return Err(UsernameError::Empty);
        }
        // A position in the enforced string is one in the input whenever the mappings kept
        // the count of code points (they do for every character that gets this far except a
        // few case mappings, such as U+0130, and NFC compositions).
        check_class(&chars)?;
        check_bidi(&chars)?;
        if name.len() > Self::MAX_BYTES {
            return Err(UsernameError::TooLong {
                bytes: name.len(),
                max: Self::MAX_BYTES,
            });
        }
        Ok(Username(name))
    }

    /// The profile's mappings (width, case, NFC) without its checks: the same key for every
    /// spelling of a name, refused or not. For counting attempts per name (a throttle) or for
    /// finding a stored row whose name predates these rules, never for creating an account.
    ///
    /// ```
    /// # use keyward::username::Username;
    /// assert_eq!(Username::mapped("ＡＬＩＣＥ Smith"), "alice smith");
    /// assert_eq!(Username::mapped("\u{fb01}nn"), "\u{fb01}nn"); // refused by parse, kept here
    /// ```
    pub fn mapped(input: &str) -> String {
        case_and_nfc(&input.chars().map(width_map).collect::<String>())
    }

    /// The canonical form, to store and compare.
    ///
    /// ```
    /// # use keyward::username::Username;
    /// assert_eq!(Username::parse("Émile")?.as_str(), "émile");
    /// # Ok::<(), keyward::username::UsernameError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Username").field(&self.0).finish()
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Username {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for Username {
    type Err = UsernameError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Username::parse(input)
    }
}

/// RFC 8265 §3.3.1 rules 3 and 4: Unicode `toLowerCase`, then NFC.
fn case_and_nfc(text: &str) -> String {
    ComposingNormalizerBorrowed::new_nfc()
        .normalize(&text.to_lowercase())
        .into_owned()
}

/// RFC 8265 §3.3.1 rule 1: full-width and half-width characters to their decomposition
/// mappings (`<wide>` and `<narrow>` in `UnicodeData.txt`: U+3000, U+FF01..U+FFEE, U+20A9 has
/// none). Each maps to one code point, which NFKC of the single character gives.
fn width_map(c: char) -> char {
    if c == '\u{3000}' || ('\u{ff01}'..='\u{ffee}').contains(&c) {
        let mut buffer = [0u8; 4];
        let text = c.encode_utf8(&mut buffer);
        let nfkc = ComposingNormalizerBorrowed::new_nfkc().normalize(text);
        let mut mapped = nfkc.chars();
        if let (Some(single), None) = (mapped.next(), mapped.next()) {
            return single;
        }
    }
    c
}

fn check_class(chars: &[char]) -> Result<(), UsernameError> {
    for (position, &character) in chars.iter().enumerate() {
        let refused = |reason| UsernameError::Refused {
            position,
            character,
            reason,
        };
        match class::property(character) {
            Property::Pvalid => {}
            Property::ContextJ | Property::ContextO => {
                if !class::context_allows(chars, position) {
                    return Err(refused(Refusal::Context));
                }
            }
            Property::Refused(reason) => return Err(refused(reason)),
        }
    }
    Ok(())
}

/// RFC 5893 §2, for strings with a right-to-left character (R, AL or AN).
fn check_bidi(chars: &[char]) -> Result<(), UsernameError> {
    use BidiClass as B;
    let classes: Vec<BidiClass> = chars
        .iter()
        .map(|&c| CodePointMapData::<BidiClass>::new().get(c))
        .collect();
    let rtl_string = classes
        .iter()
        .any(|c| matches!(*c, B::RightToLeft | B::ArabicLetter | B::ArabicNumber));
    if !rtl_string {
        return Ok(());
    }
    let refused = |position: usize| UsernameError::Refused {
        position,
        character: chars[position],
        reason: Refusal::Bidi,
    };
    // Rule 1: the first character is L, R or AL.
    let rtl = match classes[0] {
        B::RightToLeft | B::ArabicLetter => true,
        B::LeftToRight => false,
        _ => return Err(refused(0)),
    };
    // The last character that is not NSM.
    let last = classes
        .iter()
        .rposition(|c| *c != B::NonspacingMark)
        .unwrap_or(0);
    if rtl {
        // Rule 2: only R, AL, AN, EN, ES, CS, ET, ON, BN, NSM.
        let allowed = |c: BidiClass| {
            matches!(
                c,
                B::RightToLeft
                    | B::ArabicLetter
                    | B::ArabicNumber
                    | B::EuropeanNumber
                    | B::EuropeanSeparator
                    | B::CommonSeparator
                    | B::EuropeanTerminator
                    | B::OtherNeutral
                    | B::BoundaryNeutral
                    | B::NonspacingMark
            )
        };
        if let Some(position) = classes.iter().position(|&c| !allowed(c)) {
            return Err(refused(position));
        }
        // Rule 3: ends with R, AL, EN or AN (then NSM).
        if !matches!(
            classes[last],
            B::RightToLeft | B::ArabicLetter | B::EuropeanNumber | B::ArabicNumber
        ) {
            return Err(refused(last));
        }
        // Rule 4: not both EN and AN.
        let en = classes.iter().position(|&c| c == B::EuropeanNumber);
        let an = classes.iter().position(|&c| c == B::ArabicNumber);
        if let (Some(en), Some(an)) = (en, an) {
            return Err(refused(en.max(an)));
        }
    } else {
        // Rule 5: only L, EN, ES, CS, ET, ON, BN, NSM.
        let allowed = |c: BidiClass| {
            matches!(
                c,
                B::LeftToRight
                    | B::EuropeanNumber
                    | B::EuropeanSeparator
                    | B::CommonSeparator
                    | B::EuropeanTerminator
                    | B::OtherNeutral
                    | B::BoundaryNeutral
                    | B::NonspacingMark
            )
        };
        if let Some(position) = classes.iter().position(|&c| !allowed(c)) {
            return Err(refused(position));
        }
        // Rule 6: ends with L or EN (then NSM).
        if !matches!(classes[last], B::LeftToRight | B::EuropeanNumber) {
            return Err(refused(last));
        }
    }
    Ok(())
}
