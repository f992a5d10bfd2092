//! New passwords by NIST SP 800-63B-4 §3.1.1.2, and equal counted work for every failed login.
//!
//! The rules are the library's ([`PasswordPolicy`], [`Blocklist`], [`PwnedRangeQuery`]); this
//! file only wires them to the server's flags and does the one piece of I/O the library leaves
//! to its caller, the range fetch. They apply when a password is *chosen* (registration,
//! password change), never at login: an account whose password predates them still logs in.
//!
//! | rule | default | flag |
//! |---|---|---|
//! | 15 to 256 code points (NIST: at least 15 as the only factor, permit at least 64) | on | `--min-password-length`, `--max-password-length` |
//! | any script: bcrypt in the pre-hashed format, so 64 Cyrillic, Devanagari or emoji characters fit | `prehash` | `--long-passwords reject` (plain `$2b$`; over 72 bytes answers 422), or `--password-algorithm argon2id` |
//! | NFC normalization (`é` typed either way is one password; old hashes verify raw and are rehashed) | `nfc` | `--password-normalization none` |
//! | common passwords (a small built-in list) | on | `--blocklist FILE` (one password a line) and `--blocklist-sha1 FILE` (HIBP's `SHA1:COUNT` lines) add more |
//! | context words: the username, and the service's name | `keyward` | `--service-name` |
//! | breached passwords through the k-anonymity range API (`URL/range/{5 hex}`, `Add-Padding: true`) | off | `--pwned-range-url URL`, `--pwned-threshold N` |
//! | range service down or answering garbage: allow, with a warning in the log | allow | `--pwned-required` answers 503 instead |
//!
//! **Down-service behaviour.** The library reports an unreachable or unreadable range service as
//! [`RangeOutcome::Unchecked`] (fail open). By default the server then accepts the password (it
//! has already passed the length, context and local-list checks) and logs a warning with the
//! reason, so an outage of a third-party service does not stop sign-ups. With `--pwned-required`
//! it answers 503 with `Retry-After` instead: nothing is stored that was not checked.
//!
//! **Equal work.** A failed login does the same counted work whatever the account's hash:
//! the checking hasher's [`WorkFloor`] covers the most expensive hash of each algorithm in the
//! store, found by a scan of the accounts at startup ([`scan`]) and raised
//! whenever a hash is read or written. Every computation on a hashing slot is counted
//! ([`count_work`]) into [`PasswordWork`], which the tests read.

use std::io::Read as _;
use std::path::Path;
use std::sync::{Mutex, PoisonError, RwLock};
use std::time::Duration;

use axum::http::StatusCode;
use keyward::password::{
    Blocklist, PasswordHasher, PasswordPolicy, PolicyViolation, PwnedRangeQuery, RangeOutcome,
    Work, WorkFloor, count_work,
};

use keyward_session::{SessionStore, Sessions};

use super::ApiError;

/// The built-in blocklist: well-known entries of published common-password lists and the
/// patterns people reach for when told "at least 15 characters" (keyboard walks, repeats,
/// sequences, famous examples). Small on purpose; a breach corpus comes from `--blocklist`,
/// `--blocklist-sha1` or `--pwned-range-url`.
pub const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

/// The service's name, a context word no password may be made of.
pub const DEFAULT_SERVICE_NAME: &str = "keyward";

/// How long the range fetch may take before the service counts as down.
pub const RANGE_TIMEOUT: Duration = Duration::from_secs(5);

/// The rules a new password must meet.
pub struct Passwords {
    policy: PasswordPolicy,
    /// A list of SHA-1 digests (Have I Been Pwned's downloadable `SHA1:COUNT` format).
    sha1_list: Option<Blocklist>,
    range: Option<RangeCheck>,
}

impl Default for Passwords {
    /// NIST's single-factor rules, the built-in list, the default service name, no range check.
    fn default() -> Self {
        Passwords::try_new(DEFAULT_SERVICE_NAME, None).expect("the built-in list reads")
    }
}

impl Passwords {
    /// NIST's single-factor lengths, the built-in list plus the passwords in `extra` (one a
    /// line), and `service` as a context word.
    ///
    /// # Errors
    ///
    /// A line of `extra` that cannot be read, with its number.
    pub fn try_new(service: &str, extra: Option<&Path>) -> Result<Self, String> {
        let built_in = COMMON_PASSWORDS.as_bytes();
        let list = match extra {
            None => Blocklist::from_passwords(built_in),
            Some(path) => {
                let file = std::fs::File::open(path)
                    .map_err(|error| format!("{}: {error}", path.display()))?;
                Blocklist::from_passwords(built_in.chain(std::io::BufReader::new(file)))
            }
        }
        .map_err(|error| match extra {
            Some(path) => format!("{}: {error}", path.display()),
            None => error.to_string(),
        })?;
        Ok(Passwords {
            policy: PasswordPolicy::new()
                .with_blocklist(std::sync::Arc::new(list))
                .with_context_word(service),
            sha1_list: None,
            range: None,
        })
    }

    /// Replaces the length limits (and keeps the lists and context words).
    #[must_use]
    pub fn with_lengths(mut self, lengths: keyward::password::LengthLimits) -> Self {
        self.policy = self.policy.with_lengths(lengths);
        self
    }

    /// Also refuses passwords whose SHA-1 is in the file at `path` (`SHA1` or `SHA1:COUNT` a
    /// line, as Have I Been Pwned's downloader writes them).
    ///
    /// # Errors
    ///
    /// The file cannot be opened, or a line is not 40 hex digits.
    pub fn try_with_sha1_list(mut self, path: &Path) -> Result<Self, String> {
        let file =
            std::fs::File::open(path).map_err(|error| format!("{}: {error}", path.display()))?;
        let list = Blocklist::from_sha1_digests(std::io::BufReader::new(file))
            .map_err(|error| format!("{}: {error}", path.display()))?;
        tracing::info!(
            entries = list.len(),
            heap_bytes = list.heap_bytes(),
            "SHA-1 blocklist loaded"
        );
        self.sha1_list = Some(list);
        Ok(self)
    }

    /// Also asks the range API for every new password.
    #[must_use]
    pub fn with_range_check(mut self, range: RangeCheck) -> Self {
        self.range = Some(range);
        self
    }

    /// Checks a new password for the account `name`, as `hasher` would store it: 422 with the
    /// reason at the body's `field` when a rule refuses it, 503 when the range service is down
    /// and required.
    pub async fn check_new(
        &self,
        hasher: &PasswordHasher,
        password: &str,
        name: &str,
        field: &'static str,
    ) -> Result<(), ApiError> {
        self.policy
            .check(hasher, password, &[name])
            .map_err(|violation| refused(field, &violation))?;
        if self
            .sha1_list
            .as_ref()
            .is_some_and(|list| list.contains(password))
        {
            return Err(refused(field, &PolicyViolation::Blocklisted));
        }
        let Some(range) = &self.range else {
            return Ok(());
        };
        let query = PwnedRangeQuery::new(hasher, password).with_threshold(range.threshold);
        let outcome = match range.fetch(query.prefix()).await {
            Some(body) => query
                .check(body)
                .map_err(|violation| refused(field, &violation))?,
            None => query.unavailable(),
        };
        match outcome {
            RangeOutcome::Unchecked { reason } if range.required => {
                tracing::warn!(%reason, "breached-password check failed: password refused (--pwned-required)");
                Err(ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the breached-password check is unavailable; retry shortly",
                ))
            }
            RangeOutcome::Unchecked { reason } => {
                tracing::warn!(%reason, "breached-password check failed: password accepted unchecked");
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// A refused new password: 422 at the body's `field`, with the library's message (what was
/// wrong, and by how much).
fn refused(field: &str, violation: &PolicyViolation) -> ApiError {
    ApiError::invalid_field(field, violation.to_string())
}

/// Where and how to ask the k-anonymity range API (Pwned Passwords' shape): only the first five
/// hex digits of the password's SHA-1 leave the server.
pub struct RangeCheck {
    base: String,
    client: reqwest::Client,
    threshold: u64,
    required: bool,
}

impl RangeCheck {
    /// The API at `url` (`URL/range/{prefix}` is fetched): refused unless it is `http://`, since
    /// the demo builds no TLS stack; put a TLS-originating proxy or a local mirror in front of
    /// `https://api.pwnedpasswords.com`.
    ///
    /// # Errors
    ///
    /// The URL does not parse or is not `http://`.
    pub fn try_new(url: &str) -> Result<Self, String> {
        let parsed = reqwest::Url::parse(url).map_err(|error| format!("{url}: {error}"))?;
        if parsed.scheme() != "http" {
            return Err(format!(
                "{url}: only http:// is supported (this demo has no TLS client); \
                 put a local mirror or a TLS-originating proxy in front of the API"
            ));
        }
        let client = reqwest::Client::builder()
            .timeout(RANGE_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| format!("range client: {error}"))?;
        Ok(RangeCheck {
            base: url.trim_end_matches('/').to_owned(),
            client,
            threshold: 1,
            required: false,
        })
    }

    /// Refuses only passwords seen at least `count` times (at least 1).
    #[must_use]
    pub fn with_threshold(mut self, count: u64) -> Self {
        self.threshold = count.max(1);
        self
    }

    /// Answers 503 instead of accepting unchecked when the service is down.
    #[must_use]
    pub fn with_required(mut self, required: bool) -> Self {
        self.required = required;
        self
    }

    /// The range body for `prefix`, at most one byte over the library's cap (so that an
    /// oversized answer is reported as such); `None` when the service cannot be used.
    async fn fetch(&self, prefix: &str) -> Option<Vec<u8>> {
        let url = format!("{}/range/{prefix}", self.base);
        let answer = self
            .client
            .get(&url)
            // Every answer padded to 800 to 1,000 lines, so its size does not tell an observer
            // of the traffic which prefix was asked for.
            .header("Add-Padding", "true")
            .send()
            .await;
        let mut response = match answer {
            Ok(response) if response.status().is_success() => response,
            Ok(response) => {
                tracing::warn!(status = %response.status(), "range service answered with an error");
                return None;
            }
            Err(error) => {
                tracing::warn!(%error, "range service unreachable");
                return None;
            }
        };
        let cap = PwnedRangeQuery::MAX_RESPONSE_BYTES + 1;
        let mut body = Vec::new();
        while body.len() < cap {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    body.extend_from_slice(&chunk[..chunk.len().min(cap - body.len())]);
                }
                Ok(None) => break,
                Err(error) => {
                    tracing::warn!(%error, "range response cut off");
                    return None;
                }
            }
        }
        Some(body)
    }
}

/// The work floor of the checking hasher, and the counted work of every computation done on a
/// hashing slot.
#[derive(Debug, Default)]
pub struct PasswordWork {
    floor: RwLock<WorkFloor>,
    counted: Mutex<Work>,
}

impl PasswordWork {
    /// Starts from `floor` (the startup scan's).
    pub fn new(floor: WorkFloor) -> Self {
        PasswordWork {
            floor: RwLock::new(floor),
            counted: Mutex::default(),
        }
    }

    /// The floor so far.
    pub fn floor(&self) -> WorkFloor {
        *self.floor.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Raises the floor to cover `hash` (read from the store, or just written), so that from now
    /// on a failed login costs at least what a check against it does. An unusable hash raises
    /// nothing; the check that reads it logs it.
    pub fn observe(&self, hash: &str) {
        let current = self.floor();
        let Ok(raised) = current.try_covering([hash]) else {
            return;
        };
        if raised == current {
            // The common case, every login: no write lock.
            return;
        }
        let mut floor = self.floor.write().unwrap_or_else(PoisonError::into_inner);
        let before = *floor;
        // Raised from the value under the lock: two observers cannot undo each other.
        *floor = merge(before, raised);
        if *floor != before {
            tracing::info!(
                work = %floor.work(),
                "work floor raised to a stored hash"
            );
        }
    }

    /// `hasher` with the floor: what checks passwords, so that failures and unknown users do the
    /// work of the most expensive stored hash of each algorithm.
    pub fn checker(&self, hasher: PasswordHasher) -> PasswordHasher {
        hasher.with_work_floor(merge(hasher.work_floor(), self.floor()))
    }

    /// Runs `work`, adding what it computed to the count.
    pub fn count<T>(&self, work: impl FnOnce() -> T) -> T {
        let (result, done) = count_work(work);
        let mut counted = self.counted.lock().unwrap_or_else(PoisonError::into_inner);
        *counted = *counted + done;
        result
    }

    /// Every computation counted since start: bcrypt rounds and Argon2 KiB-passes.
    pub fn counted(&self) -> Work {
        *self.counted.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The higher setting of each algorithm.
fn merge(a: WorkFloor, b: WorkFloor) -> WorkFloor {
    let a = match b.bcrypt() {
        Some(cost) => a.with_bcrypt(cost),
        None => a,
    };
    match b.argon2() {
        Some(params) => a.with_argon2(params),
        None => a,
    }
}

/// Folds stored hashes into a floor; hashes keyward cannot parse are counted, not fatal.
#[derive(Default)]
struct Scan {
    floor: WorkFloor,
    hashes: u64,
    unusable: u64,
}

impl Scan {
    fn add(&mut self, hash: &str) {
        self.hashes += 1;
        match self.floor.try_covering([hash]) {
            Ok(floor) => self.floor = floor,
            Err(_) => self.unusable += 1,
        }
    }

    fn done(self) -> WorkFloor {
        if self.unusable > 0 {
            tracing::warn!(
                unusable = self.unusable,
                "stored password hashes keyward cannot read"
            );
        }
        tracing::info!(
            hashes = self.hashes,
            work = %self.floor.work(),
            "work floor from the stored hashes"
        );
        self.floor
    }
}

/// The floor covering every hash in the store, read through the session rules' scan
/// ([`Sessions::for_each_account`], a page of accounts per statement), once at startup.
///
/// # Errors
///
/// The store cannot be read.
pub async fn scan<S: SessionStore>(sessions: &Sessions<S>) -> Result<WorkFloor, String> {
    let mut scan = Scan::default();
    sessions
        .for_each_account(|account| scan.add(account.password_hash()))
        .await
        .map_err(|error| format!("scanning the stored hashes: {error}"))?;
    Ok(scan.done())
}
