//! The k-anonymity range check, in the shape of the Pwned Passwords API, without I/O: keyward
//! gives the prefix to ask for and reads the answer; the caller fetches with any HTTP client.

use std::fmt;

use zeroize::Zeroizing;

use super::PolicyViolation;
use super::blocklist::{digest_of, hex_value};
use crate::password::PasswordHasher;

/// One range check of one password: the 5-hex-digit SHA-1 prefix to send, and the reading of
/// the response.
///
/// Only the prefix leaves the server; the range response lists the suffixes of every
/// breached password's SHA-1 that start with it (about a thousand), and keyward looks for this
/// password's suffix among them. Pwned Passwords serves it at
/// `https://api.pwnedpasswords.com/range/{prefix}`; send `Add-Padding: true` so the response
/// size says nothing about the prefix (padding entries have count 0 and never match).
///
/// The password checked is the form the hasher stores (NFC when it normalizes).
///
/// # When the range service is down
///
/// keyward **fails open, with a warning**: a fetch that failed
/// ([`unavailable`](Self::unavailable)) or a response that cannot be read gives
/// [`RangeOutcome::Unchecked`], never a refusal, and the server decides what to log. The
/// reasons: the local [`Blocklist`](crate::password::Blocklist), which a
/// [`PasswordPolicy`](crate::password::PasswordPolicy) always checks, is the NIST-required
/// comparison and runs without a network; the range check widens it. Failing closed would turn
/// any outage of a third party (or of the route to it) into refusing every registration and
/// every password change, including the change a user makes because their password leaked.
/// A server that prefers to refuse maps `Unchecked` to an error itself; one that allows should
/// re-check the account at its next login, which [`check`](Self::check) supports as well.
///
/// ```
/// use keyward::password::{PasswordHasher, PwnedRangeQuery, PolicyViolation, RangeOutcome};
///
/// let query = PwnedRangeQuery::new(&PasswordHasher::new(), "password");
/// assert_eq!(query.prefix(), "5BAA6");
/// // What GET https://api.pwnedpasswords.com/range/5BAA6 answers (abridged):
/// let body = "1E4C9B93F3F0682250B6CF8331B7EE68FD8:10434004\r\n0018A45C4D1DEF81644B54AB7F969B88D65:0\r\n";
/// assert_eq!(query.check(body), Err(PolicyViolation::Breached { count: 10_434_004 }));
/// assert!(matches!(query.unavailable(), RangeOutcome::Unchecked { .. }));
/// ```
pub struct PwnedRangeQuery {
    digest: Zeroizing<[u8; 20]>,
    prefix: String,
    threshold: u64,
}

impl fmt::Debug for PwnedRangeQuery {
    /// Shows the prefix (which is sent anyway) and the threshold, never the rest of the digest.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PwnedRangeQuery")
            .field("prefix", &self.prefix)
            .field("threshold", &self.threshold)
            .finish_non_exhaustive()
    }
}

/// What a range check found, when it did not refuse the password.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[must_use = "an Unchecked outcome is a warning to log"]
pub enum RangeOutcome {
    /// The suffix is absent, or present fewer times than the threshold.
    Clear {
        /// How often the response says the password was seen (0 when absent).
        count: u64,
    },
    /// The check could not be made; the password was allowed (keyward fails open: see
    /// [`PwnedRangeQuery`]).
    Unchecked {
        /// Why.
        reason: RangeProblem,
    },
}

/// Why a range check could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RangeProblem {
    /// The caller could not fetch the range (network error, timeout, non-2xx status).
    Unavailable,
    /// The body is over [`PwnedRangeQuery::MAX_RESPONSE_BYTES`].
    TooLarge {
        /// The body's length in bytes.
        bytes: usize,
    },
    /// A line is not `SUFFIX:COUNT` (35 hex digits, a colon, a decimal count).
    Malformed {
        /// The 1-based line number.
        line: usize,
    },
}

impl fmt::Display for RangeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RangeProblem::Unavailable => f.write_str("the range service could not be reached"),
            RangeProblem::TooLarge { bytes } => write!(
                f,
                "the range response is {bytes} bytes; at most {} are read",
                PwnedRangeQuery::MAX_RESPONSE_BYTES
            ),
            RangeProblem::Malformed { line } => {
                write!(f, "line {line} of the range response is not SUFFIX:COUNT")
            }
        }
    }
}

impl PwnedRangeQuery {
    /// The largest response read, in bytes (1 MiB). A padded Pwned Passwords range is about
    /// 40 KB (800 to 1,000 lines of 37 to 45 bytes).
    pub const MAX_RESPONSE_BYTES: usize = 1 << 20;

    /// The query for `password` in the form `hasher` stores (NFC when it normalizes), refusing
    /// any password seen at least once.
    ///
    /// ```
    /// # use keyward::password::{PasswordHasher, PwnedRangeQuery};
    /// assert_eq!(PwnedRangeQuery::new(&PasswordHasher::new(), "P@ssw0rd").prefix(), "21BD1");
    /// ```
    pub fn new(hasher: &PasswordHasher, password: impl AsRef<[u8]>) -> Self {
        let password = password.as_ref();
        let digest = Zeroizing::new(match hasher.normalization().normalized(password) {
            Some(nfc) => digest_of(nfc.as_bytes()),
            None => digest_of(password),
        });
        let prefix = format!("{:02X}{:02X}{:X}", digest[0], digest[1], digest[2] >> 4);
        PwnedRangeQuery {
            digest,
            prefix,
            threshold: 1,
        }
    }

    /// Returns this query refusing only passwords seen at least `count` times (at least 1).
    ///
    /// ```
    /// # use keyward::password::{PasswordHasher, PwnedRangeQuery, RangeOutcome};
    /// let query = PwnedRangeQuery::new(&PasswordHasher::new(), "password").with_threshold(20_000_000);
    /// let body = "1E4C9B93F3F0682250B6CF8331B7EE68FD8:10434004\n";
    /// assert_eq!(query.check(body), Ok(RangeOutcome::Clear { count: 10_434_004 }));
    /// ```
    #[must_use]
    pub fn with_threshold(mut self, count: u64) -> Self {
        self.threshold = count.max(1);
        self
    }

    /// The five upper-case hex digits to request: `GET {base}/range/{prefix}`.
    ///
    /// ```
    /// # use keyward::password::{PasswordHasher, PwnedRangeQuery};
    /// let query = PwnedRangeQuery::new(&PasswordHasher::new(), "password");
    /// assert_eq!(format!("https://api.pwnedpasswords.com/range/{}", query.prefix()), "https://api.pwnedpasswords.com/range/5BAA6");
    /// ```
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Reads a range response: lines of `SUFFIX:COUNT` (35 hex digits in either case, a colon,
    /// a decimal count), separated by LF or CRLF, padding entries (count 0) included.
    ///
    /// Never panics and reads at most [`MAX_RESPONSE_BYTES`](Self::MAX_RESPONSE_BYTES).
    ///
    /// # Errors
    ///
    /// [`PolicyViolation::Breached`] when the password's suffix is listed with a count at or
    /// above the threshold. A response that cannot be read is not an error: it is
    /// [`RangeOutcome::Unchecked`].
    ///
    /// ```
    /// # use keyward::password::{PasswordHasher, PwnedRangeQuery, RangeOutcome, RangeProblem};
    /// let query = PwnedRangeQuery::new(&PasswordHasher::new(), "a long unlisted passphrase");
    /// assert_eq!(query.check(""), Ok(RangeOutcome::Clear { count: 0 }));
    /// assert_eq!(
    ///     query.check("<html>rate limited</html>"),
    ///     Ok(RangeOutcome::Unchecked { reason: RangeProblem::Malformed { line: 1 } }),
    /// );
    /// ```
    pub fn check(&self, body: impl AsRef<[u8]>) -> Result<RangeOutcome, PolicyViolation> {
        let body = body.as_ref();
        if body.len() > Self::MAX_RESPONSE_BYTES {
            return Ok(RangeOutcome::Unchecked {
                reason: RangeProblem::TooLarge { bytes: body.len() },
            });
        }
        let mut count = 0;
        for (index, line) in body.split(|&b| b == b'\n').enumerate() {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.is_empty() {
                continue;
            }
            let Some((suffix, seen)) = parse_line(line) else {
                return Ok(RangeOutcome::Unchecked {
                    reason: RangeProblem::Malformed { line: index + 1 },
                });
            };
            if self.is_suffix(suffix) {
                count = count.max(seen);
            }
        }
        if count >= self.threshold {
            Err(PolicyViolation::Breached { count })
        } else {
            Ok(RangeOutcome::Clear { count })
        }
    }

    /// The outcome when the range could not be fetched: the password is allowed, with a
    /// warning (see [When the range service is down](Self#when-the-range-service-is-down)).
    ///
    /// ```
    /// # use keyward::password::{PasswordHasher, PwnedRangeQuery, RangeOutcome, RangeProblem};
    /// let query = PwnedRangeQuery::new(&PasswordHasher::new(), "anything");
    /// assert_eq!(query.unavailable(), RangeOutcome::Unchecked { reason: RangeProblem::Unavailable });
    /// ```
    pub fn unavailable(&self) -> RangeOutcome {
        RangeOutcome::Unchecked {
            reason: RangeProblem::Unavailable,
        }
    }

    /// Whether 35 hex digits are the last 35 of this password's digest.
    fn is_suffix(&self, suffix: &[u8]) -> bool {
        // Nibbles 5..40 of the digest.
        suffix.iter().enumerate().all(|(i, &c)| {
            let nibble = i + 5;
            let byte = self.digest[nibble / 2];
            let want = if nibble % 2 == 0 {
                byte >> 4
            } else {
                byte & 0x0f
            };
            hex_value(c) == Some(want)
        })
    }
}

/// `SUFFIX:COUNT` with a 35-hex-digit suffix and a decimal count that fits a `u64`.
fn parse_line(line: &[u8]) -> Option<(&[u8], u64)> {
    let (suffix, count) = (line.get(..35)?, line.get(35..)?);
    let count = count.strip_prefix(b":")?;
    if !suffix.iter().all(|&c| hex_value(c).is_some())
        || count.is_empty()
        || count.len() > 20
        || !count.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    let count = std::str::from_utf8(count).ok()?.parse().ok()?;
    Some((suffix, count))
}
