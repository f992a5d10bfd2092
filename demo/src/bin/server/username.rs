//! Usernames: one account per name however it is typed, and no look-alike of another name.
//!
//! **Registration** takes a name the library's [`Username`] accepts: RFC 8265's
//! `UsernameCaseMapped` profile (width mapping, lower case, NFC, the PRECIS `IdentifierClass`,
//! the bidi rule). Compatibility look-alikes are refused, not folded: `ﬁnn` (a ligature),
//! `𝐚𝐥𝐢𝐜𝐞` (mathematical bold), `ⓐlice` (circled), `ⅸmen` (a Roman numeral) answer 422 with the
//! character and the reason. On top of the profile this server keeps its own, narrower set:
//! letters of any script, digits, and `_`, `-`, `.`; 3 to 64 characters (not bytes) after the
//! mapping, and at most [`Username::MAX_BYTES`] bytes.
//!
//! **Login and lookup** map a name the same way ([`Username::mapped`]: fullwidth `ａｌｉｃｅ`,
//! `ALICE` and `alice` are one account; `Zoë` with a precomposed or a combining diaeresis is
//! one) but do not apply the profile's refusals: a name stored before them (a `ﬁnn` registered
//! under the old hand-written rule) still logs in, as it did.
//!
//! The mapped form is the account's key and its `sub` claim; clients may send any spelling.

use keyward::username::Username;

/// Shortest and longest name, in characters after the mapping.
pub const LENGTH: std::ops::RangeInclusive<usize> = 3..=64;

/// Why a name is refused by this server's own set, said so that the user can fix it.
pub const RULE: &str =
    "username must be 3 to 64 characters: letters (any script), digits, '_', '-' or '.'";

/// The key of a name that may have an account: its mapped form, when that is within this
/// server's set; `None` for a name no account can have. Used at login and lookup, where names
/// registered before the RFC 8265 refusals must still be found.
pub fn normalize(name: &str) -> Option<String> {
    let mapped = map(name);
    let length = mapped.chars().count();
    let allowed = mapped
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    (LENGTH.contains(&length) && allowed).then_some(mapped)
}

/// The mapping without any check (RFC 8265's width mapping, lower case, NFC): the key the
/// throttle uses for a name that is not allowed, so that refused and allowed names are counted
/// the same way.
pub fn map(name: &str) -> String {
    Username::mapped(name)
}

/// The name a new account gets, or why not: this server's set first (so the common mistakes get
/// one plain message), then the library's profile, whose message names the character and the
/// reason.
pub fn for_registration(name: &str) -> Result<Username, String> {
    if normalize(name).is_none() {
        return Err(RULE.to_owned());
    }
    Username::parse(name).map_err(|error| error.to_string())
}
