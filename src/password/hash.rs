//! Parsing and formatting of stored hash strings.
//!
//! Everything here works on bytes, so a hash string with non-ASCII characters is refused without
//! ever slicing a `str` inside a multi-byte character.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;

use super::argon2::{self, ParsedArgon2};
use super::{Cost, PasswordError};

/// The storage formats keyward recognises.
///
/// keyward writes [`Bcrypt`](HashFormat::Bcrypt) by default,
/// [`BcryptSha256`](HashFormat::BcryptSha256) in
/// [`LongPasswords::PreHash`](crate::password::LongPasswords::PreHash) mode, and
/// [`Argon2id`](HashFormat::Argon2id) with
/// [`PasswordAlgorithm::Argon2id`](crate::password::PasswordAlgorithm::Argon2id). The other formats are
/// read so that users can move from another stack; [`needs_rehash`] always reports them, so they
/// are replaced on the next successful login.
///
/// [`needs_rehash`]: crate::password::PasswordHasher::needs_rehash
///
/// ```
/// use keyward::password::{HashFormat, PasswordHash};
///
/// let hash: PasswordHash = "{bcrypt}$2a$10$dXJ3SW6G7P50lGmMkkmwe.20cQQubK3.HZWzG3YB1tlRy.fqvM/BG".parse()?;
/// assert_eq!(hash.format(), HashFormat::SpringBcrypt);
/// # Ok::<(), keyward::password::PasswordError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashFormat {
    /// Plain bcrypt: `$2a$`, `$2b$` or `$2y$` (keyward writes `$2b$`). Passwords of at most 72
    /// bytes without NUL bytes.
    Bcrypt,
    /// passlib's `bcrypt_sha256` version 2:
    /// `$bcrypt-sha256$v=2,t=2b,r=<cost>$<salt>$<digest>`. The password is pre-hashed with
    /// HMAC-SHA256 keyed by the salt, so any length up to 4096 bytes (and NUL bytes) is accepted.
    BcryptSha256,
    /// passlib's `bcrypt_sha256` version 1 (`$bcrypt-sha256$2b,<cost>$...`), read for migration.
    PasslibBcryptSha256V1,
    /// Django's `BCryptSHA256PasswordHasher` (`bcrypt_sha256$$2b$...`), read for migration.
    DjangoBcryptSha256,
    /// Spring Security's `{bcrypt}`-prefixed bcrypt, read for migration.
    SpringBcrypt,
    /// Argon2id in the PHC string format (`$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>`), as
    /// argon2-cffi, pwdlib, passlib's `argon2` and keyward write it. Version 19 and the older
    /// 16 are read; keyward writes 19. Passwords of up to 4096 bytes, NUL bytes included.
    Argon2id,
    /// Argon2i in the PHC string format (`$argon2i$...`), read for migration (passlib and
    /// Django wrote it before Argon2id). Safe to verify: it is Argon2id's data-independent
    /// half. Argon2d hashes are refused instead
    /// ([`PasswordError::UnsupportedArgon2Variant`]).
    Argon2i,
    /// Django's `Argon2PasswordHasher` (`argon2$argon2id$v=19$...`, or `argon2$argon2i$...`
    /// from Django before 3.2), read for migration.
    DjangoArgon2,
}

impl HashFormat {
    /// Whether the format is one of the Argon2 ones.
    pub(crate) fn is_argon2(self) -> bool {
        matches!(
            self,
            HashFormat::Argon2id | HashFormat::Argon2i | HashFormat::DjangoArgon2
        )
    }

    /// Whether the password is pre-hashed before bcrypt, which lifts the 72-byte and NUL limits.
    pub(crate) fn is_pre_hashed(self) -> bool {
        matches!(
            self,
            HashFormat::BcryptSha256
                | HashFormat::PasslibBcryptSha256V1
                | HashFormat::DjangoBcryptSha256
        )
    }
}

/// The `$2?$` revision of an inner bcrypt hash. They differ only in historical bugs of other
/// implementations; for the bytes keyward accepts they compute the same digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Revision {
    A,
    B,
    Y,
}

impl Revision {
    pub(crate) fn as_bcrypt_version(self) -> bcrypt::Version {
        match self {
            Revision::A => bcrypt::Version::TwoA,
            Revision::B => bcrypt::Version::TwoB,
            Revision::Y => bcrypt::Version::TwoY,
        }
    }
}

/// Length of bcrypt's salt and digest in its own base64 alphabet.
const SALT_CHARS: usize = 22;
const DIGEST_CHARS: usize = 31;
/// `$2b$12$` + salt + digest.
const BCRYPT_LEN: usize = 7 + SALT_CHARS + DIGEST_CHARS;

const SPRING_PREFIX: &[u8] = b"{bcrypt}";
const DJANGO_PREFIX: &[u8] = b"bcrypt_sha256$";
const PASSLIB_V2_PREFIX: &[u8] = b"$bcrypt-sha256$v=2,t=2b,r=";
const PASSLIB_PREFIX: &[u8] = b"$bcrypt-sha256$";

/// A stored hash split into what verification needs. Borrowed from the caller's string.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ParsedHash<'a> {
    pub(crate) format: HashFormat,
    pub(crate) revision: Revision,
    pub(crate) cost: Cost,
    /// The salt exactly as stored (22 characters of bcrypt base64); passlib keys its HMAC with it.
    pub(crate) salt_text: &'a str,
    pub(crate) salt: [u8; 16],
    /// The digest exactly as stored (31 characters of bcrypt base64, canonical).
    pub(crate) digest_text: &'a str,
}

impl<'a> ParsedHash<'a> {
    pub(crate) fn parse(hash: &'a str) -> Result<Self, PasswordError> {
        let bytes = hash.as_bytes();
        if let Some(rest) = bytes.strip_prefix(SPRING_PREFIX) {
            let inner = parse_modular(&hash[SPRING_PREFIX.len()..], rest, HashFormat::SpringBcrypt);
            return inner.map_err(known_prefix_error);
        }
        if let Some(rest) = bytes.strip_prefix(DJANGO_PREFIX) {
            let inner = parse_modular(
                &hash[DJANGO_PREFIX.len()..],
                rest,
                HashFormat::DjangoBcryptSha256,
            );
            return inner.map_err(known_prefix_error);
        }
        if let Some(rest) = bytes.strip_prefix(PASSLIB_V2_PREFIX) {
            return parse_passlib_v2(hash, rest);
        }
        if let Some(rest) = bytes.strip_prefix(PASSLIB_PREFIX) {
            return parse_passlib_v1(hash, rest);
        }
        parse_modular(hash, bytes, HashFormat::Bcrypt)
    }
}

/// After a recognised scheme prefix, anything unrecognisable is a broken hash of that scheme.
fn known_prefix_error(error: PasswordError) -> PasswordError {
    match error {
        PasswordError::UnknownFormat { .. } => PasswordError::MalformedHash,
        other => other,
    }
}

/// The name of a password-hash scheme keyward recognises by its prefix but does not verify.
fn foreign_scheme(bytes: &[u8]) -> Option<&'static str> {
    const SCHEMES: [(&[u8], &str); 14] = [
        (b"$1$", "md5-crypt"),
        (b"$apr1$", "apache-md5-crypt"),
        (b"$5$", "sha256-crypt"),
        (b"$6$", "sha512-crypt"),
        (b"$y$", "yescrypt"),
        (b"$7$", "scrypt-crypt"),
        (b"$scrypt$", "scrypt"),
        (b"$pbkdf2", "passlib-pbkdf2"),
        (b"pbkdf2_", "django-pbkdf2"),
        (b"scrypt$", "django-scrypt"),
        (b"sha1$", "django-sha1"),
        (b"md5$", "django-md5"),
        (b"{SSHA}", "ldap-salted-sha1"),
        (b"{SHA}", "ldap-sha1"),
    ];
    SCHEMES
        .iter()
        .find(|(prefix, _)| bytes.starts_with(prefix))
        .map(|(_, name)| *name)
}

/// `$2b$12$<salt><digest>`, the Modular Crypt Format bcrypt string.
fn parse_modular<'a>(
    text: &'a str,
    bytes: &[u8],
    format: HashFormat,
) -> Result<ParsedHash<'a>, PasswordError> {
    let revision = match bytes {
        [b'$', b'2', b'a', b'$', ..] => Revision::A,
        [b'$', b'2', b'b', b'$', ..] => Revision::B,
        [b'$', b'2', b'y', b'$', ..] => Revision::Y,
        [b'$', b'2', b'x', b'$', ..] | [b'$', b'2', b'$', ..] => {
            return Err(PasswordError::UnsupportedVariant);
        }
        [b'$', b'2', ..] => return Err(PasswordError::MalformedHash),
        _ => {
            return Err(PasswordError::UnknownFormat {
                found: foreign_scheme(bytes),
            });
        }
    };
    if bytes.len() != BCRYPT_LEN || bytes[6] != b'$' {
        return Err(PasswordError::MalformedHash);
    }
    let cost = parse_cost(&bytes[4..6], CostDigits::Padded)?;
    let (salt_text, salt, digest_text) = parse_salt_and_digest(text, 7)?;
    Ok(ParsedHash {
        format,
        revision,
        cost,
        salt_text,
        salt,
        digest_text,
    })
}

/// `$bcrypt-sha256$v=2,t=2b,r=<cost>$<salt>$<digest>`.
fn parse_passlib_v2<'a>(text: &'a str, rest: &[u8]) -> Result<ParsedHash<'a>, PasswordError> {
    let cost_len = rest
        .iter()
        .position(|&b| b == b'$')
        .ok_or(PasswordError::MalformedHash)?;
    let cost = parse_cost(&rest[..cost_len], CostDigits::Unpadded)?;
    let start = PASSLIB_V2_PREFIX.len() + cost_len + 1;
    parse_salt_dollar_digest(text, start, HashFormat::BcryptSha256, Revision::B, cost)
}

/// `$bcrypt-sha256$2b,<cost>$<salt>$<digest>` (also `2a`).
fn parse_passlib_v1<'a>(text: &'a str, rest: &[u8]) -> Result<ParsedHash<'a>, PasswordError> {
    let revision = match rest {
        [b'2', b'a', b',', ..] => Revision::A,
        [b'2', b'b', b',', ..] => Revision::B,
        _ => return Err(PasswordError::MalformedHash),
    };
    let after_type = &rest[3..];
    let cost_len = after_type
        .iter()
        .position(|&b| b == b'$')
        .ok_or(PasswordError::MalformedHash)?;
    let cost = parse_cost(&after_type[..cost_len], CostDigits::Unpadded)?;
    let start = PASSLIB_PREFIX.len() + 3 + cost_len + 1;
    parse_salt_dollar_digest(
        text,
        start,
        HashFormat::PasslibBcryptSha256V1,
        revision,
        cost,
    )
}

/// passlib separates salt and digest with a `$`.
fn parse_salt_dollar_digest(
    text: &str,
    start: usize,
    format: HashFormat,
    revision: Revision,
    cost: Cost,
) -> Result<ParsedHash<'_>, PasswordError> {
    let bytes = text.as_bytes();
    if bytes.len() != start + SALT_CHARS + 1 + DIGEST_CHARS || bytes[start + SALT_CHARS] != b'$' {
        return Err(PasswordError::MalformedHash);
    }
    let salt_text = ascii_slice(text, start, start + SALT_CHARS)?;
    let digest_start = start + SALT_CHARS + 1;
    let digest_text = ascii_slice(text, digest_start, digest_start + DIGEST_CHARS)?;
    let salt = decode_salt(salt_text)?;
    check_digest(digest_text)?;
    Ok(ParsedHash {
        format,
        revision,
        cost,
        salt_text,
        salt,
        digest_text,
    })
}

fn parse_salt_and_digest(
    text: &str,
    start: usize,
) -> Result<(&str, [u8; 16], &str), PasswordError> {
    let salt_text = ascii_slice(text, start, start + SALT_CHARS)?;
    let digest_text = ascii_slice(text, start + SALT_CHARS, start + SALT_CHARS + DIGEST_CHARS)?;
    let salt = decode_salt(salt_text)?;
    check_digest(digest_text)?;
    Ok((salt_text, salt, digest_text))
}

/// Slices `text[start..end]` only when every byte in it is ASCII, so the slice can never split a
/// multi-byte character.
fn ascii_slice(text: &str, start: usize, end: usize) -> Result<&str, PasswordError> {
    match text.as_bytes().get(start..end) {
        Some(part) if part.is_ascii() => Ok(&text[start..end]),
        _ => Err(PasswordError::MalformedHash),
    }
}

/// The cost digits: exactly two in the Modular Crypt Format (`05`), one or two without zero
/// padding in passlib's formats (`r=5`; passlib itself refuses `r=05`).
fn parse_cost(digits: &[u8], padding: CostDigits) -> Result<Cost, PasswordError> {
    let well_formed = digits.iter().all(u8::is_ascii_digit)
        && match padding {
            CostDigits::Padded => digits.len() == 2,
            CostDigits::Unpadded => matches!(digits.len(), 1 | 2) && digits[0] != b'0',
        };
    if !well_formed {
        return Err(PasswordError::MalformedHash);
    }
    let value = digits
        .iter()
        .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
    Cost::new(value).map_err(|_| PasswordError::MalformedHash)
}

#[derive(Clone, Copy)]
enum CostDigits {
    Padded,
    Unpadded,
}

/// bcrypt's base64 decoder rejects characters outside its alphabet and non-canonical trailing
/// bits, so two different strings never name the same salt.
fn decode_salt(salt_text: &str) -> Result<[u8; 16], PasswordError> {
    let mut salt = [0u8; 16];
    match bcrypt::BASE_64.decode_slice(salt_text, &mut salt) {
        Ok(16) => Ok(salt),
        _ => Err(PasswordError::MalformedHash),
    }
}

fn check_digest(digest_text: &str) -> Result<(), PasswordError> {
    let mut digest = [0u8; 23];
    match bcrypt::BASE_64.decode_slice(digest_text, &mut digest) {
        Ok(23) => Ok(()),
        _ => Err(PasswordError::MalformedHash),
    }
}

/// A stored password hash in one of the [`HashFormat`]s, validated when it was made or parsed.
///
/// It is what [`PasswordHasher::hash`](crate::password::PasswordHasher::hash) returns; store it
/// as text with [`as_str`](PasswordHash::as_str) or [`into_string`](PasswordHash::into_string),
/// and read it back with [`str::parse`]. Every `PasswordHasher` method that takes a stored hash
/// takes anything that is `AsRef<str>`, so a `String` straight from the database works too.
///
/// A hash is not a secret the way a password is, but it is still sensitive: it is printed in
/// full by `Display` (that is how it is stored) and abbreviated by `Debug`.
///
/// ```
/// use keyward::password::{Cost, HashFormat, PasswordHash, PasswordHasher};
///
/// let hasher = PasswordHasher::new().with_cost(Cost::new(4)?);
/// let hash: PasswordHash = hasher.hash("hunter2")?;
/// let stored: String = hash.to_string();
/// let back: PasswordHash = stored.parse()?;
/// assert_eq!(back, hash);
/// assert_eq!(back.format(), HashFormat::Bcrypt);
/// assert_eq!(back.bcrypt_cost().map(|cost| cost.get()), Some(4));
/// assert!(stored.starts_with("$2b$04$"));
/// # Ok::<(), keyward::password::PasswordError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PasswordHash {
    encoded: String,
    format: HashFormat,
    cost: Cost,
}

impl PasswordHash {
    pub(crate) fn from_trusted(encoded: String, format: HashFormat, cost: Cost) -> Self {
        PasswordHash {
            encoded,
            format,
            cost,
        }
    }

    /// Parses and validates a stored hash string.
    ///
    /// # Errors
    ///
    /// [`PasswordError::UnknownFormat`], [`PasswordError::UnsupportedVariant`],
    /// [`PasswordError::UnsupportedArgon2Variant`] or [`PasswordError::MalformedHash`] when the
    /// string is not a usable hash.
    ///
    /// ```
    /// use keyward::password::{HashFormat, PasswordError, PasswordHash};
    ///
    /// assert_eq!(PasswordHash::parse("$2b$12$short"), Err(PasswordError::MalformedHash));
    /// assert_eq!(PasswordHash::parse("$argon2id$v=19$..."), Err(PasswordError::MalformedHash));
    /// assert_eq!(PasswordHash::parse("$1$saltsalt$hash"), Err(PasswordError::UnknownFormat { found: Some("md5-crypt") }));
    /// let pwdlib = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI";
    /// assert_eq!(PasswordHash::parse(pwdlib)?.format(), HashFormat::Argon2id);
    /// # Ok::<(), PasswordError>(())
    /// ```
    pub fn parse(hash: &str) -> Result<Self, PasswordError> {
        if argon2::is_argon2(hash) {
            let parsed = ParsedArgon2::parse(hash)?;
            return Ok(PasswordHash {
                encoded: hash.to_owned(),
                format: parsed.format,
                cost: Cost::MIN,
            });
        }
        let parsed = ParsedHash::parse(hash)?;
        Ok(PasswordHash {
            encoded: hash.to_owned(),
            format: parsed.format,
            cost: parsed.cost,
        })
    }

    /// The hash as stored text.
    ///
    /// ```
    /// # use keyward::password::PasswordHash;
    /// let text = "$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe";
    /// assert_eq!(PasswordHash::parse(text)?.as_str(), text);
    /// # Ok::<(), keyward::password::PasswordError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.encoded
    }

    /// Consumes the hash and returns its text.
    ///
    /// ```
    /// # use keyward::password::{Cost, PasswordHasher};
    /// let text: String = PasswordHasher::new().with_cost(Cost::new(4)?).hash("pw")?.into_string();
    /// assert_eq!(text.len(), 60);
    /// # Ok::<(), keyward::password::PasswordError>(())
    /// ```
    pub fn into_string(self) -> String {
        self.encoded
    }

    /// The storage format of this hash.
    ///
    /// ```
    /// # use keyward::password::{HashFormat, PasswordHash};
    /// let hash = PasswordHash::parse("$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe")?;
    /// assert_eq!(hash.format(), HashFormat::Bcrypt);
    /// # Ok::<(), keyward::password::PasswordError>(())
    /// ```
    pub fn format(&self) -> HashFormat {
        self.format
    }

    /// The bcrypt cost recorded in this hash, or `None` for an Argon2 hash.
    ///
    /// ```
    /// # use keyward::password::PasswordHash;
    /// let bcrypt = PasswordHash::parse("$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe")?;
    /// assert_eq!(bcrypt.bcrypt_cost().map(|c| c.get()), Some(6));
    /// let argon2 = PasswordHash::parse(
    ///     "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI",
    /// )?;
    /// assert_eq!(argon2.bcrypt_cost(), None);
    /// # Ok::<(), keyward::password::PasswordError>(())
    /// ```
    pub fn bcrypt_cost(&self) -> Option<Cost> {
        (!self.format.is_argon2()).then_some(self.cost)
    }
}

impl FromStr for PasswordHash {
    type Err = PasswordError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PasswordHash::parse(s)
    }
}

impl fmt::Display for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encoded)
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordHash")
            .field("format", &self.format)
            .field("cost", &self.cost.get())
            .finish_non_exhaustive()
    }
}

impl AsRef<str> for PasswordHash {
    fn as_ref(&self) -> &str {
        &self.encoded
    }
}

impl From<PasswordHash> for String {
    fn from(hash: PasswordHash) -> String {
        hash.encoded
    }
}

/// Writes the stored form of a freshly computed hash. `bcrypt_text` is the `$2b$NN$...` string
/// the `bcrypt` crate produced for `salt_text`.
pub(crate) fn encode(format: HashFormat, cost: Cost, salt_text: &str, bcrypt_text: &str) -> String {
    match format {
        HashFormat::BcryptSha256 => {
            let digest = &bcrypt_text[BCRYPT_LEN - DIGEST_CHARS..];
            // passlib writes the rounds without zero padding (`r=5`).
            format!("$bcrypt-sha256$v=2,t=2b,r={cost}${salt_text}${digest}")
        }
        _ => bcrypt_text.to_owned(),
    }
}

/// The digest part of a `$2?$NN$` string as the `bcrypt` crate formats it.
pub(crate) fn digest_of(bcrypt_text: &str) -> &str {
    &bcrypt_text[BCRYPT_LEN - DIGEST_CHARS..]
}
