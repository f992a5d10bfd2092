//! The match key for subjects of foreign or legacy tokens.

use icu_normalizer::ComposingNormalizerBorrowed;

/// The key under which a foreign or legacy token's `sub` is matched to stored accounts: NFKC,
/// then Unicode lowercase, then NFKC again, so `Alice`, `ALICE` and the full-width `Ａｌｉｃｅ`
/// all have the key `alice`.
///
/// The rule ([`Sessions::resolve_subject`](crate::Sessions::resolve_subject)): a subject maps
/// to the one account whose key equals its key, and is refused when no account or more than
/// one account has that key. So a service that kept `alice` and `Alice` apart, migrated to a
/// store that holds both, refuses their old tokens instead of serving one as the other.
///
/// ```
/// use keyward_session::SubjectKey;
///
/// assert_eq!(SubjectKey::of("ALICE"), SubjectKey::of("alice"));
/// assert_eq!(SubjectKey::of("Ａｌｉｃｅ"), SubjectKey::of("alice"));
/// assert_ne!(SubjectKey::of("alice"), SubjectKey::of("alicia"));
/// assert_eq!(SubjectKey::of("Zoë").as_str(), "zoë");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubjectKey(String);

impl SubjectKey {
    /// The key of `subject`.
    pub fn of(subject: &str) -> Self {
        let nfkc = ComposingNormalizerBorrowed::new_nfkc();
        let lowered = nfkc.normalize(subject).to_lowercase();
        SubjectKey(nfkc.normalize(&lowered).into_owned())
    }

    /// The key (for store implementations: the indexed column).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
