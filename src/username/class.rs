//! The `IdentifierClass` derived property (RFC 8264 §8, §9) and the context rules it refers to
//! (RFC 5892 Appendix A).

use icu_normalizer::ComposingNormalizerBorrowed;
use icu_properties::props::{
    CanonicalCombiningClass, DefaultIgnorableCodePoint, GeneralCategory, HangulSyllableType,
    JoiningType, NoncharacterCodePoint, Script,
};
use icu_properties::{CodePointMapData, CodePointSetData};

use super::Refusal;

/// The derived property of one code point, as far as the `IdentifierClass` cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Property {
    Pvalid,
    ContextJ,
    ContextO,
    Refused(Refusal),
}

/// RFC 8264 §8, in its order.
pub(crate) fn property(c: char) -> Property {
    use GeneralCategory as Gc;
    if let Some(exception) = exception(c) {
        return exception;
    }
    let category = CodePointMapData::<GeneralCategory>::new().get(c);
    // §9.5 Unassigned: Cn and not a noncharacter.
    let noncharacter = CodePointSetData::new::<NoncharacterCodePoint>().contains(c);
    if category == GeneralCategory::Unassigned && !noncharacter {
        return Property::Refused(Refusal::Unassigned);
    }
    // §9.11 `ASCII7`: U+0021..U+007E.
    if ('\u{21}'..='\u{7e}').contains(&c) {
        return Property::Pvalid;
    }
    // §9.8 `JoinControl`.
    if c == '\u{200c}' || c == '\u{200d}' {
        return Property::ContextJ;
    }
    // §9.9 `OldHangulJamo`: `Hangul_Syllable_Type` L, V or T.
    let jamo = CodePointMapData::<HangulSyllableType>::new().get(c);
    if matches!(
        jamo,
        HangulSyllableType::LeadingJamo
            | HangulSyllableType::VowelJamo
            | HangulSyllableType::TrailingJamo
    ) {
        return Property::Refused(Refusal::OldHangulJamo);
    }
    // §9.13 `PrecisIgnorableProperties`.
    if noncharacter || CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c) {
        return Property::Refused(Refusal::Ignorable);
    }
    // §9.10 Controls.
    if category == GeneralCategory::Control {
        return Property::Refused(Refusal::Control);
    }
    // §9.17 `HasCompat`: toNFKC(cp) != cp.
    let mut buffer = [0u8; 4];
    let text = c.encode_utf8(&mut buffer);
    if ComposingNormalizerBorrowed::new_nfkc().normalize(text) != *text {
        return Property::Refused(Refusal::Compatibility);
    }
    match category {
        // §9.1 `LetterDigits`.
        Gc::LowercaseLetter
        | Gc::UppercaseLetter
        | Gc::OtherLetter
        | Gc::DecimalNumber
        | Gc::ModifierLetter
        | Gc::NonspacingMark
        | Gc::SpacingMark => Property::Pvalid,
        // §9.12 `OtherLetterDigits`.
        Gc::TitlecaseLetter | Gc::LetterNumber | Gc::OtherNumber | Gc::EnclosingMark => {
            Property::Refused(Refusal::OtherLetterDigit)
        }
        // §9.14 Spaces.
        Gc::SpaceSeparator => Property::Refused(Refusal::Space),
        // §9.15 Symbols.
        Gc::MathSymbol | Gc::CurrencySymbol | Gc::ModifierSymbol | Gc::OtherSymbol => {
            Property::Refused(Refusal::Symbol)
        }
        // §9.16 Punctuation.
        Gc::ConnectorPunctuation
        | Gc::DashPunctuation
        | Gc::OpenPunctuation
        | Gc::ClosePunctuation
        | Gc::InitialPunctuation
        | Gc::FinalPunctuation
        | Gc::OtherPunctuation => Property::Refused(Refusal::Punctuation),
        _ => Property::Refused(Refusal::Disallowed),
    }
}

/// RFC 5892 §2.6 Exceptions (F), which RFC 8264 §9.6 takes over.
fn exception(c: char) -> Option<Property> {
    Some(match c {
        '\u{00df}' | '\u{03c2}' | '\u{06fd}' | '\u{06fe}' | '\u{0f0b}' | '\u{3007}' => {
            Property::Pvalid
        }
        '\u{00b7}'
        | '\u{0375}'
        | '\u{05f3}'
        | '\u{05f4}'
        | '\u{30fb}'
        | '\u{0660}'..='\u{0669}'
        | '\u{06f0}'..='\u{06f9}' => Property::ContextO,
        '\u{0640}'
        | '\u{07fa}'
        | '\u{302e}'
        | '\u{302f}'
        | '\u{3031}'..='\u{3035}'
        | '\u{303b}' => Property::Refused(Refusal::Disallowed),
        _ => return None,
    })
}

/// Whether the contextual character at `index` of `chars` is allowed there (RFC 5892
/// Appendix A).
pub(crate) fn context_allows(chars: &[char], index: usize) -> bool {
    let c = chars[index];
    let before = index.checked_sub(1).map(|i| chars[i]);
    let after = chars.get(index + 1).copied();
    let script = |c: char| CodePointMapData::<Script>::new().get(c);
    match c {
        // A.1 ZERO WIDTH NON-JOINER, A.2 ZERO WIDTH JOINER.
        '\u{200c}' | '\u{200d}' => {
            let virama = before.is_some_and(|b| {
                CodePointMapData::<CanonicalCombiningClass>::new().get(b)
                    == CanonicalCombiningClass::Virama
            });
            virama || (c == '\u{200c}' && zwnj_joins(chars, index))
        }
        // A.3 MIDDLE DOT: between two 'l'.
        '\u{00b7}' => before == Some('l') && after == Some('l'),
        // A.4 GREEK LOWER NUMERAL SIGN (KERAIA): followed by Greek.
        '\u{0375}' => after.is_some_and(|a| script(a) == Script::Greek),
        // A.5, A.6 HEBREW PUNCTUATION GERESH and GERSHAYIM: preceded by Hebrew.
        '\u{05f3}' | '\u{05f4}' => before.is_some_and(|b| script(b) == Script::Hebrew),
        // A.7 KATAKANA MIDDLE DOT: with Hiragana, Katakana or Han somewhere.
        '\u{30fb}' => chars.iter().any(|&other| {
            other != '\u{30fb}'
                && matches!(
                    script(other),
                    Script::Hiragana | Script::Katakana | Script::Han
                )
        }),
        // A.8 ARABIC-INDIC DIGITS: not mixed with EXTENDED ARABIC-INDIC DIGITS.
        '\u{0660}'..='\u{0669}' => !chars.iter().any(|d| ('\u{06f0}'..='\u{06f9}').contains(d)),
        // A.9 EXTENDED ARABIC-INDIC DIGITS: not mixed with ARABIC-INDIC DIGITS.
        '\u{06f0}'..='\u{06f9}' => !chars.iter().any(|d| ('\u{0660}'..='\u{0669}').contains(d)),
        _ => false,
    }
}

/// A.1's regular expression:
/// `(Joining_Type:{L,D})(Joining_Type:T)*\u200C(Joining_Type:T)*(Joining_Type:{R,D})`.
fn zwnj_joins(chars: &[char], index: usize) -> bool {
    let joining = |c: char| CodePointMapData::<JoiningType>::new().get(c);
    let left = chars[..index]
        .iter()
        .rev()
        .map(|&c| joining(c))
        .find(|&j| j != JoiningType::Transparent);
    let right = chars[index + 1..]
        .iter()
        .map(|&c| joining(c))
        .find(|&j| j != JoiningType::Transparent);
    matches!(
        left,
        Some(JoiningType::LeftJoining | JoiningType::DualJoining)
    ) && matches!(
        right,
        Some(JoiningType::RightJoining | JoiningType::DualJoining)
    )
}
