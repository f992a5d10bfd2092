//! Usernames: one account per name however it is typed.
//!
//! The rule follows RFC 8265's `UsernameCaseMapped` profile (PRECIS), applied in its order:
//!
//! 1. **Width mapping**: fullwidth and halfwidth forms (U+FF00..U+FFEF, what an East Asian
//!    keyboard may produce) become their ordinary form (`ａｌｉｃｅ` is `alice`), by NFKC applied
//!    to those characters only, as RFC 8265 §3.3.1 says.
//! 2. **Case mapping**: Unicode's default lowercase mapping (`str::to_lowercase`, the
//!    `toLowerCase()` RFC 8265 §3.3.2 names), so `Alice`, `ALICE` and `alice` are one account.
//! 3. **Normalization**: NFC, so `Zoë` typed as one code point or as `e` plus a combining
//!    diaeresis is the same name.
//! 4. **Allowed characters** (stricter than PRECIS's `IdentifierClass`, and checked after the
//!    mapping): letters of any script, digits, and `_`, `-`, `.`; 3 to 64 characters (not bytes).
//!    Spaces, punctuation, symbols, emoji and invisible characters are refused.
//!
//! Not implemented from RFC 8265: the bidi rule (right-to-left names are accepted as they are).
//! The normalized form is the account's key and its `sub` claim; clients may send any spelling.

use icu_normalizer::ComposingNormalizerBorrowed;

/// Shortest and longest name, in characters after normalization.
pub const LENGTH: std::ops::RangeInclusive<usize> = 3..=64;

/// Why a name is refused, said so that the user can fix it.
pub const RULE: &str =
    "username must be 3 to 64 characters: letters (any script), digits, '_', '-' or '.'";

/// The account key for `name` under the rule above, or `None` when the name is not allowed.
pub fn normalize(name: &str) -> Option<String> {
    let mapped = map(name);
    let length = mapped.chars().count();
    let allowed = mapped
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    (LENGTH.contains(&length) && allowed).then_some(mapped)
}

/// Steps 1 to 3 without the check: the key the throttle uses for a name that is not allowed, so
/// that refused and allowed names are counted the same way.
pub fn map(name: &str) -> String {
    let nfkc = ComposingNormalizerBorrowed::new_nfkc();
    let mut widened = String::with_capacity(name.len());
    for c in name.chars() {
        if ('\u{FF00}'..='\u{FFEF}').contains(&c) {
            let mut buffer = [0u8; 4];
            widened.push_str(&nfkc.normalize(c.encode_utf8(&mut buffer)));
        } else {
            widened.push(c);
        }
    }
    let lower = widened.to_lowercase();
    ComposingNormalizerBorrowed::new_nfc()
        .normalize(&lower)
        .into_owned()
}
