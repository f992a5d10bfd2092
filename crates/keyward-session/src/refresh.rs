//! Refresh-token families: one per login, rotated on every exchange, revoked as a whole.
//!
//! A login starts a *family* holding one opaque refresh token. Each exchange marks the
//! presented token used and stores its successor, as one compare-and-set: of any number of
//! concurrent exchanges of one token, exactly one wins. A used token presented again (after
//! the optional grace interval) means two parties hold it, one of them a thief, and nobody can
//! tell which: the whole family is revoked (RFC 9700 §4.14.2). A family also ends at its
//! absolute lifetime, however often it was rotated.

mod family;
mod seal;
mod token;

pub use family::{ClientId, FamilyId, Rotated, Started};
pub use seal::SealedSuccessor;
pub use token::RefreshToken;
