//! Accounts as the session rules see them: a name, a password hash, and the credential
//! version that ties sessions and rehashes to the password that was checked.

mod name;
mod record;
mod subject;

pub use name::AccountName;
pub use record::{AccountRecord, CredentialVersion, Cutoff};
pub use subject::SubjectKey;
