//! Unicode normalization of passwords (opt-in), and the candidate forms a check tries.

use icu_normalizer::ComposingNormalizerBorrowed;
use zeroize::Zeroizing;

/// Whether passwords are Unicode-normalized before they are hashed and checked.
///
/// The same password typed on two keyboards can arrive as different code points: a
/// precomposed `é` (U+00E9) from one, `e` followed by U+0301 from another. Without
/// normalization the second is a wrong password. NIST SP 800-63B-4 §3.1.1.2 and RFC 8265 §4
/// point to normalization; keyward uses NFC (canonical composition), which joins such pairs but
/// keeps compatibility forms apart: full-width `Ａ` stays distinct from `A`, and `ﬁ` from `fi`.
/// NFKC would fold those and shrink the password space (the reason wildfly-elytron moved from
/// NFKC to NFC).
///
/// Passwords that are not UTF-8 are used as they are. Turning normalization on is safe for
/// existing hashes: see
/// [`PasswordHasher::with_normalization`](crate::password::PasswordHasher::with_normalization).
///
/// ```
/// use keyward::password::{Cost, Normalization, PasswordHasher};
///
/// let hasher = PasswordHasher::new()
///     .with_cost(Cost::new(4)?)
///     .with_normalization(Normalization::Nfc);
/// let hash = hasher.hash("caf\u{e9} au lait, s'il vous pla\u{ee}t")?;
/// hasher.verify("cafe\u{301} au lait, s'il vous plai\u{302}t", &hash)?;
/// # Ok::<(), keyward::password::PasswordError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Normalization {
    /// Passwords are hashed and checked byte for byte, as typed (the default, and what every
    /// other library keyward reads hashes from does).
    #[default]
    None,
    /// Passwords that are UTF-8 are hashed and checked in Unicode Normalization Form C.
    Nfc,
}

impl Normalization {
    /// The form of `password` this setting hashes: the NFC form when normalizing a UTF-8
    /// password that is not already in NFC, `None` when the password is used as it is.
    pub(crate) fn normalized(self, password: &[u8]) -> Option<Zeroizing<String>> {
        if self == Normalization::None {
            return None;
        }
        let text = std::str::from_utf8(password).ok()?;
        let nfc = ComposingNormalizerBorrowed::new_nfc();
        if nfc.is_normalized(text) {
            return None;
        }
        Some(Zeroizing::new(nfc.normalize(text).into_owned()))
    }

    /// The forms a check of `password` tries, in order.
    pub(crate) fn candidates(self, password: &[u8]) -> Candidates<'_> {
        Candidates {
            normalized: self.normalized(password),
            raw: password,
        }
    }
}

/// The forms of one password a check tries: the normalized form first, then, for hashes made
/// before normalization was turned on, the bytes as typed.
pub(crate) struct Candidates<'a> {
    normalized: Option<Zeroizing<String>>,
    raw: &'a [u8],
}

impl Candidates<'_> {
    /// The form new hashes are made from.
    pub(crate) fn first(&self) -> &[u8] {
        match &self.normalized {
            Some(text) => text.as_bytes(),
            None => self.raw,
        }
    }

    /// The bytes as typed, when they differ from [`first`](Self::first).
    pub(crate) fn fallback(&self) -> Option<&[u8]> {
        self.normalized.as_ref().map(|_| self.raw)
    }

    /// How many computations a failed check of these forms does: the count depends only on the
    /// input, never on the account.
    pub(crate) fn attempts(&self) -> u64 {
        if self.normalized.is_some() { 2 } else { 1 }
    }
}
