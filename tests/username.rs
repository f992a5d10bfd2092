//! Usernames under RFC 8265 §3.3 (UsernameCaseMapped), the PRECIS IdentifierClass of RFC 8264.

#![allow(clippy::doc_markdown)]

use keyward::username::{Refusal, Username, UsernameError};

fn refusal(input: &str) -> (usize, char, Refusal) {
    match Username::parse(input) {
        Err(UsernameError::Refused {
            position,
            character,
            reason,
        }) => (position, character, reason),
        other => panic!("{input:?}: {other:?}"),
    }
}

/// The look-alikes: each has a compatibility decomposition (RFC 8264 §9.17 HasCompat),
/// which the IdentifierClass disallows (§8, "HasCompat → ID_DIS").
#[test]
fn compatibility_look_alikes_are_refused_at_their_position() {
    for (input, position, character) in [
        ("\u{fb01}nn", 0, '\u{fb01}'), // LATIN SMALL LIGATURE FI
        (
            "\u{1d41a}\u{1d425}\u{1d422}\u{1d41c}\u{1d41e}",
            0,
            '\u{1d41a}',
        ), // MATHEMATICAL BOLD
        ("\u{24d0}lice", 0, '\u{24d0}'), // CIRCLED LATIN SMALL LETTER A
        ("\u{2178}men", 0, '\u{2178}'), // SMALL ROMAN NUMERAL NINE
        ("x\u{b2}", 1, '\u{b2}'),      // SUPERSCRIPT TWO
    ] {
        assert_eq!(
            refusal(input),
            (position, character, Refusal::Compatibility),
            "{input:?}"
        );
    }
}

/// RFC 8265 §3.3.1 rule 1 (width mapping) and rule 3 (case mapping), then NFC (rule 4):
/// these are the same username, not look-alikes.
#[test]
fn width_case_and_composition_give_one_canonical_name() {
    let alice = Username::parse("alice").unwrap();
    for input in ["Alice", "ALICE", "\u{ff21}\u{ff2c}\u{ff29}\u{ff23}\u{ff25}"] {
        assert_eq!(Username::parse(input).unwrap(), alice, "{input:?}");
    }
    assert_eq!(
        Username::parse("E\u{301}mile").unwrap().as_str(),
        "\u{e9}mile"
    );
    // Half-width katakana KA + voiced mark compose to GA after width mapping and NFC.
    assert_eq!(
        Username::parse("\u{ff76}\u{ff9e}").unwrap().as_str(),
        "\u{30ac}"
    );
}

/// RFC 8264 §9.14 (Spaces), §9.15 (Symbols), §9.10 (Controls), §9.13 (ignorables): outside
/// the IdentifierClass. ASCII symbols stay allowed (§9.11 ASCII7).
#[test]
fn spaces_symbols_controls_and_invisibles_are_refused() {
    assert_eq!(refusal("alice smith"), (5, ' ', Refusal::Space));
    assert_eq!(refusal("alice\u{3000}x"), (5, ' ', Refusal::Space)); // width-mapped to a space
    assert_eq!(refusal("i\u{2665}u"), (1, '\u{2665}', Refusal::Symbol));
    assert_eq!(refusal("a\u{7}"), (1, '\u{7}', Refusal::Control));
    assert_eq!(refusal("ad\u{ad}min"), (2, '\u{ad}', Refusal::Ignorable));
    assert_eq!(refusal("a\u{200b}b"), (1, '\u{200b}', Refusal::Ignorable));
    assert_eq!(
        Username::parse("o'brien+test@example.com")
            .unwrap()
            .as_str(),
        "o'brien+test@example.com"
    );
}

/// RFC 5892 Appendix A.1 (ZWNJ after a virama) and A.3 (MIDDLE DOT between two `l`).
#[test]
fn contextual_characters_need_their_context() {
    assert!(Username::parse("l\u{b7}l").is_ok());
    assert_eq!(refusal("a\u{b7}b"), (1, '\u{b7}', Refusal::Context));
    // Devanagari KA + VIRAMA + ZWNJ + SSA: allowed; ZWNJ after a Latin letter is not.
    assert!(Username::parse("\u{915}\u{94d}\u{200c}\u{937}").is_ok());
    assert_eq!(refusal("a\u{200c}b"), (1, '\u{200c}', Refusal::Context));
}

/// RFC 5893 §2, which RFC 8265 §3.3.1 rule 5 applies: a right-to-left name starts and ends
/// with a right-to-left character, and does not mix in left-to-right letters.
#[test]
fn right_to_left_names_follow_the_bidi_rule() {
    assert!(Username::parse("\u{5e9}\u{5dc}\u{5d5}\u{5dd}").is_ok()); // Hebrew
    assert!(Username::parse("\u{645}\u{631}\u{62d}\u{628}\u{627}").is_ok()); // Arabic
    assert_eq!(refusal("\u{5e9}\u{5dc}a").2, Refusal::Bidi);
    assert_eq!(refusal("1\u{5e9}").2, Refusal::Bidi);
}

#[test]
fn empty_and_overlong_names_are_refused() {
    assert_eq!(Username::parse(""), Err(UsernameError::Empty));
    assert_eq!(
        Username::parse(&"a".repeat(65)),
        Err(UsernameError::TooLong { bytes: 65, max: 64 })
    );
}

#[test]
fn errors_say_which_character_and_why() {
    let message = Username::parse("\u{fb01}nn").unwrap_err().to_string();
    assert_eq!(
        message,
        "character 0 (U+FB01) is a compatibility form of another character"
    );
}

#[test]
fn scripts_beyond_latin_are_usernames() {
    for name in [
        "\u{43f}\u{451}\u{442}\u{440}",
        "\u{5c71}\u{7530}",
        "\u{928}\u{947}\u{939}\u{93e}",
    ] {
        assert!(Username::parse(name).is_ok(), "{name}");
    }
}
