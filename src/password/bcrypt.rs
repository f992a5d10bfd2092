//! The bcrypt mechanics: one computation, with its failure path doing the same work, and the
//! counted work a hardened failure makes up. Policy (which cost, when to harden) stays in
//! [`hasher`](super::hasher).

use base64::Engine as _;

use super::hash::{ParsedHash, Revision};
use super::prehash::{self, BcryptKey};
use super::{Cost, PasswordError, work};

/// A fixed salt for work whose result is thrown away: nothing is stored, and the work does not
/// depend on the salt.
pub(crate) const DUMMY_SALT: [u8; 16] = *b"keyward-dummy-sa";

/// One bcrypt computation of `password` in `parsed`'s format, salt, cost and revision; the
/// bcrypt text on success. A password the format cannot hold is refused only after the same
/// computation on an empty key, so it is not answered faster.
pub(crate) fn compute(password: &[u8], parsed: &ParsedHash<'_>) -> Result<String, PasswordError> {
    match prehash::bcrypt_key(parsed.format, password, parsed.salt_text) {
        Ok(key) => Ok(run(&key, parsed.cost, parsed.salt, parsed.revision)),
        Err(unusable) => {
            burn(parsed.cost);
            Err(unusable)
        }
    }
}

/// The 22-character bcrypt-base64 text of a salt.
pub(crate) fn salt_text(salt: [u8; 16]) -> String {
    bcrypt::BASE_64.encode(salt)
}

/// One bcrypt computation. The key has passed `prehash::check_fits` (or is empty), so the
/// `bcrypt` crate's silent truncation can never apply.
pub(crate) fn run(key: &BcryptKey<'_>, cost: Cost, salt: [u8; 16], revision: Revision) -> String {
    work::record_bcrypt(cost);
    bcrypt::hash_with_salt(key.as_bytes(), cost.get(), salt)
        .expect("cost is validated by Cost")
        .format_for_version(revision.as_bcrypt_version())
}

/// One computation at `cost` on an empty key; the result is thrown away.
pub(crate) fn burn(cost: Cost) {
    // black_box: the result is thrown away, and the work must not be optimised out.
    std::hint::black_box(run(
        &BcryptKey::Password(b""),
        cost,
        DUMMY_SALT,
        Revision::B,
    ));
}

/// Does `rounds` more rounds of bcrypt work (units of `2^cost`), as computations at the costs
/// of the set bits of `rounds`, highest first. Every count of bcrypt work is a sum of `2^c` with
/// `c >= 4`, so a difference of two counts is a multiple of 16 and is made up exactly; a
/// remainder below 16 rounds (which no sum of computations can leave) is ignored.
pub(crate) fn burn_rounds(mut rounds: u64) {
    while rounds >= 1 << Cost::MIN.get() {
        let bit = rounds.ilog2().min(Cost::MAX.get());
        let Ok(cost) = Cost::new(bit) else { return };
        burn(cost);
        rounds -= 1 << bit;
    }
}
