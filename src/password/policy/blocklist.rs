//! A local blocklist of common or compromised passwords, held as sorted SHA-1 digests.

use std::fmt;
use std::io::BufRead;

use sha1::{Digest, Sha1};

use super::PolicyError;
use crate::password::Normalization;

/// A list of passwords no one may choose, loaded once and shared (wrap it in an `Arc`).
///
/// Entries are kept as sorted SHA-1 digests, 20 bytes each, whichever file format they came
/// from: one million entries take 20 MB, and a lookup is a binary search. Load it from a file
/// of passwords, one a line (for example a top-100,000 list from `SecLists`), or of SHA-1
/// digests in hex, one a line, optionally followed by `:count` as the Pwned Passwords
/// downloads are.
///
/// Matching is exact, as NIST SP 800-63B-4 §3.1.1.2 describes the comparison; a password in
/// the list in another Unicode form (decomposed `é`) still matches, because both the entries
/// of a password list and the candidate are compared in NFC.
///
/// ```
/// use keyward::password::Blocklist;
///
/// let list = Blocklist::from_passwords("123456\r\npassword\nqwertyuiopasdfgh\n".as_bytes())?;
/// assert_eq!(list.len(), 3);
/// assert!(list.contains("qwertyuiopasdfgh"));
/// assert!(!list.contains("Password"));
/// # Ok::<(), keyward::password::PolicyError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Blocklist {
    digests: Vec<[u8; 20]>,
}

impl fmt::Debug for Blocklist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Blocklist")
            .field("entries", &self.digests.len())
            .finish()
    }
}

impl Blocklist {
    /// The longest line accepted, in bytes.
    pub const MAX_LINE_BYTES: usize = 4096;

    /// Loads a list of passwords, one a line (LF or CRLF). Empty lines are skipped; every other
    /// line is an entry exactly as written, normalized to NFC when it is UTF-8.
    ///
    /// # Errors
    ///
    /// [`PolicyError::BlocklistUnreadable`] when reading fails, and
    /// [`PolicyError::BlocklistLineTooLong`] for a line over
    /// [`MAX_LINE_BYTES`](Self::MAX_LINE_BYTES).
    ///
    /// ```
    /// # use keyward::password::Blocklist;
    /// let list = Blocklist::from_passwords("iloveyou\n\n".as_bytes())?;
    /// assert_eq!(list.len(), 1);
    /// # Ok::<(), keyward::password::PolicyError>(())
    /// ```
    pub fn from_passwords(reader: impl BufRead) -> Result<Self, PolicyError> {
        let mut digests = Vec::new();
        for_each_line(reader, |_, line| {
            digests.push(digest_of(&nfc_bytes(line)));
            Ok(())
        })?;
        Ok(Self::sorted(digests))
    }

    /// Loads a list of SHA-1 digests of passwords, 40 hex digits a line, upper or lower case,
    /// each optionally followed by `:count` (the Pwned Passwords download format). Empty lines
    /// are skipped.
    ///
    /// # Errors
    ///
    /// [`PolicyError::BlocklistDigest`] for a line that is not such a digest, and the reading
    /// errors of [`from_passwords`](Self::from_passwords).
    ///
    /// ```
    /// # use keyward::password::Blocklist;
    /// // SHA-1("password")
    /// let list = Blocklist::from_sha1_digests("5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:10434004\n".as_bytes())?;
    /// assert!(list.contains("password"));
    /// # Ok::<(), keyward::password::PolicyError>(())
    /// ```
    pub fn from_sha1_digests(reader: impl BufRead) -> Result<Self, PolicyError> {
        let mut digests = Vec::new();
        for_each_line(reader, |number, line| {
            let hex = line.split(|&b| b == b':').next().unwrap_or_default();
            let digest =
                parse_hex_digest(hex).ok_or(PolicyError::BlocklistDigest { line: number })?;
            digests.push(digest);
            Ok(())
        })?;
        Ok(Self::sorted(digests))
    }

    fn sorted(mut digests: Vec<[u8; 20]>) -> Self {
        digests.sort_unstable();
        digests.dedup();
        digests.shrink_to_fit();
        Blocklist { digests }
    }

    /// Whether `password` is on the list: its NFC form or, when that differs, the bytes as
    /// given (digest lists hold what was typed at the breached service, in any form).
    ///
    /// ```
    /// # use keyward::password::Blocklist;
    /// let list = Blocklist::from_passwords("caf\u{e9}caf\u{e9}caf\u{e9}\n".as_bytes())?;
    /// assert!(list.contains("cafe\u{301}cafe\u{301}cafe\u{301}"));
    /// # Ok::<(), keyward::password::PolicyError>(())
    /// ```
    pub fn contains(&self, password: impl AsRef<[u8]>) -> bool {
        let password = password.as_ref();
        let found = |bytes: &[u8]| self.digests.binary_search(&digest_of(bytes)).is_ok();
        match Normalization::Nfc.normalized(password) {
            Some(nfc) => found(nfc.as_bytes()) || found(password),
            None => found(password),
        }
    }

    /// The number of distinct entries.
    ///
    /// ```
    /// # use keyward::password::Blocklist;
    /// assert_eq!(Blocklist::from_passwords("a\na\n".as_bytes())?.len(), 1);
    /// # Ok::<(), keyward::password::PolicyError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.digests.len()
    }

    /// Whether the list has no entries.
    ///
    /// ```
    /// # use keyward::password::Blocklist;
    /// assert!(Blocklist::from_passwords("".as_bytes())?.is_empty());
    /// # Ok::<(), keyward::password::PolicyError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.digests.is_empty()
    }

    /// The heap memory the entries take, in bytes (20 per entry).
    ///
    /// ```
    /// # use keyward::password::Blocklist;
    /// assert_eq!(Blocklist::from_passwords("a\nb\n".as_bytes())?.heap_bytes(), 40);
    /// # Ok::<(), keyward::password::PolicyError>(())
    /// ```
    pub fn heap_bytes(&self) -> usize {
        self.digests.capacity() * 20
    }
}

/// SHA-1 of `bytes`, the form breach corpora are published in.
pub(crate) fn digest_of(bytes: &[u8]) -> [u8; 20] {
    Sha1::digest(bytes).into()
}

fn nfc_bytes(line: &[u8]) -> Vec<u8> {
    match Normalization::Nfc.normalized(line) {
        Some(nfc) => nfc.as_bytes().to_vec(),
        None => line.to_vec(),
    }
}

/// 40 hex digits, either case, as 20 bytes.
pub(crate) fn parse_hex_digest(hex: &[u8]) -> Option<[u8; 20]> {
    if hex.len() != 40 {
        return None;
    }
    let mut digest = [0u8; 20];
    for (byte, pair) in digest.iter_mut().zip(hex.chunks_exact(2)) {
        *byte = (hex_value(pair[0])? << 4) | hex_value(pair[1])?;
    }
    Some(digest)
}

pub(crate) fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Calls `f` with each non-empty line (1-based number, bytes without the LF or CRLF), reading at
/// most `MAX_LINE_BYTES + 2` bytes of any line.
fn for_each_line(
    mut reader: impl BufRead,
    mut f: impl FnMut(usize, &[u8]) -> Result<(), PolicyError>,
) -> Result<(), PolicyError> {
    use std::io::Read as _;
    let max = Blocklist::MAX_LINE_BYTES;
    let mut line = Vec::new();
    for number in 1.. {
        line.clear();
        let limit = u64::try_from(max + 2).unwrap_or(u64::MAX);
        let read = (&mut reader)
            .take(limit)
            .read_until(b'\n', &mut line)
            .map_err(|error| PolicyError::BlocklistUnreadable {
                line: number,
                kind: error.kind(),
            })?;
        if read == 0 {
            return Ok(());
        }
        let ended = line.last() == Some(&b'\n');
        if ended {
            line.pop();
        }
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        if line.len() > max || (!ended && read as u64 == limit) {
            return Err(PolicyError::BlocklistLineTooLong { line: number, max });
        }
        if !line.is_empty() {
            f(number, &line)?;
        }
    }
    Ok(())
}
