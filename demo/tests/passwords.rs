//! The login server's rules for new passwords (NIST SP 800-63B-4 §3.1.1.2) and usernames
//! (RFC 8265), and the equal work of its failed logins, over HTTP on 127.0.0.1 with a temporary
//! SQLite store. The breached-password range API is a local fake in Pwned Passwords' shape
//! (<https://haveibeenpwned.com/API/v3#SearchingPwnedPasswordsByRange>); nothing reaches the
//! internet. Equal work is shown by counting (bcrypt rounds, Argon2 KiB-passes), never timed.

#[path = "../src/bin/server/app.rs"]
mod app;
#[path = "common/mod.rs"]
mod common;
#[path = "../src/bin/server/keys.rs"]
mod keys;

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::passwords::{PasswordWork, Passwords, RangeCheck};
use axum::extract::Path as UrlPath;
use axum::http::HeaderMap;
use keyward::password::{
    Argon2Params, Cost, LongPasswords, Normalization, PasswordAlgorithm, PasswordHasher, Work,
    WorkFloor,
};
use keyward::token::{FixedClock, SigningKey, TokenIssuer};
use keyward_session::{AccountName, Rate, Sessions, ThrottlePolicy};
use keyward_session_sqlite::SqliteStore;
use reqwest::StatusCode;
use serde_json::Value;
use sha1::{Digest, Sha1};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use common::temp::TempDb;

const PASSWORD: &str = "correct horse battery staple";

/// What `main.rs` builds by default (bcrypt in the pre-hashed format, NFC), at cost 4.
fn nist_hasher() -> PasswordHasher {
    PasswordHasher::new()
        .with_cost(Cost::new(4).unwrap())
        .with_long_passwords(LongPasswords::PreHash)
        .with_normalization(Normalization::Nfc)
}

/// A running server, with the meter of the work it hashed.
struct Server {
    addr: SocketAddr,
    work: Arc<PasswordWork>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// The server over the store at `db`, as `main.rs` starts it: the work floor from a scan of
    /// the stored hashes when `scan` is set.
    async fn start(db: &Path, hasher: PasswordHasher, passwords: Passwords, scan: bool) -> Server {
        let store = SqliteStore::open(db).await.unwrap();
        let floor = if scan {
            app::passwords::scan(&keyward_session::Sessions::new(store.clone()))
                .await
                .unwrap()
        } else {
            WorkFloor::new()
        };
        let clock = FixedClock::at(chrono::Utc::now());
        let clock: Arc<dyn keyward::token::Clock> = Arc::new(clock);
        let for_issuer = Arc::clone(&clock);
        let keys = keys::Keys::fixed(
            SigningKey::hs256(*b"password-test-secret-0123456789a").unwrap(),
            Arc::clone(&clock),
            Box::new(move |key| {
                TokenIssuer::new(key)
                    .with_issuer("keyward-example-server")
                    .with_audience("keyward-example-api")
                    .with_clock(Arc::clone(&for_issuer))
            }),
        );
        // Many registrations and failures from one address: the throttle is not under test.
        let lenient = Rate::new(1000, Duration::from_secs(60)).unwrap();
        let sessions = Sessions::new(store).with_clock(clock).with_throttle(
            ThrottlePolicy::default()
                .with_registration(lenient)
                .with_account_and_address(lenient)
                .with_address(lenient),
        );
        let state = app::AppState::new(sessions, hasher, keys, 2, Duration::from_secs(30))
            .with_passwords(passwords)
            .with_work_floor(floor);
        let work = Arc::clone(&state.password_work);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(app::serve(listener, state, async {
            let _ = stopped.await;
        }));
        Server {
            addr,
            work,
            stop,
            task,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    async fn register(&self, username: &str, password: &str) -> reqwest::Response {
        reqwest::Client::new()
            .post(self.url("/users"))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap()
    }

    async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        reqwest::Client::new()
            .post(self.url("/token"))
            .form(&[("username", username), ("password", password)])
            .send()
            .await
            .unwrap()
    }

    /// The access token of a login that must succeed.
    async fn access(&self, username: &str, password: &str) -> String {
        let response = self.login(username, password).await;
        assert_eq!(response.status(), StatusCode::OK, "{username}");
        let body: Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    async fn change_password(&self, access: &str, current: &str, new: &str) -> reqwest::Response {
        reqwest::Client::new()
            .post(self.url("/users/me/password"))
            .bearer_auth(access)
            .json(&serde_json::json!({"current_password": current, "new_password": new}))
            .send()
            .await
            .unwrap()
    }

    /// The counted work of one failed login.
    async fn failed_login_work(&self, username: &str) -> Work {
        let before = self.work.counted();
        let response = self.login(username, "a wrong guess, long enough").await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{username}");
        self.work.counted() - before
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap();
    }
}

/// A 422 whose one field error (FastAPI's shape) says `reason`.
async fn assert_refused(response: reqwest::Response, reason: &str) {
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["detail"][0]["msg"], reason, "{body}");
    assert_eq!(body["detail"][0]["type"], "value_error", "{body}");
}

/// Creates `name` directly in the store with `hash`: an account from before the server's rules.
async fn existing_account(db: &Path, name: &str, hash: &keyward::PasswordHash) {
    Sessions::new(SqliteStore::open(db).await.unwrap())
        .register(&AccountName::new(name).unwrap(), hash)
        .await
        .unwrap();
}

async fn stored_hash(db: &Path, name: &str) -> String {
    Sessions::new(SqliteStore::open(db).await.unwrap())
        .find_account(&AccountName::new(name).unwrap())
        .await
        .unwrap()
        .unwrap()
        .password_hash()
        .to_owned()
}

fn sha1_hex(password: &str) -> String {
    Sha1::digest(password.as_bytes())
        .iter()
        .fold(String::new(), |mut hex, byte| {
            let _ = write!(hex, "{byte:02X}");
            hex
        })
}

/// A fake of the Pwned Passwords range API on 127.0.0.1: `GET /range/{prefix}` answers the
/// `SUFFIX:COUNT` lines of `breached` under that prefix, and, when asked with
/// `Add-Padding: true`, padding lines with a count of 0 as the real API does. Every request's
/// path and padding header are recorded.
struct FakeRange {
    url: String,
    seen: Arc<Mutex<Vec<(String, bool)>>>,
}

impl FakeRange {
    async fn start(breached: &[(&str, u64)]) -> FakeRange {
        let lines: Vec<(String, u64)> = breached
            .iter()
            .map(|(password, count)| (sha1_hex(password), *count))
            .collect();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let recorder = Arc::clone(&seen);
        let app = axum::Router::new().route(
            "/range/{prefix}",
            axum::routing::get(
                move |UrlPath(prefix): UrlPath<String>, headers: HeaderMap| {
                    let padded = headers
                        .get("add-padding")
                        .is_some_and(|value| value == "true");
                    recorder.lock().unwrap().push((prefix.clone(), padded));
                    let mut body = String::new();
                    for (digest, count) in &lines {
                        if let Some(suffix) = digest.strip_prefix(&prefix) {
                            let _ = write!(body, "{suffix}:{count}\r\n");
                        }
                    }
                    if padded {
                        for filler in 0..900u32 {
                            let _ = write!(body, "{:035X}:0\r\n", u128::from(filler) << 40);
                        }
                    }
                    async move { body }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeRange { url, seen }
    }
}

/// An address on 127.0.0.1 where nothing listens: the range service down.
async fn closed_port() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

mod new_passwords {
    use super::*;

    #[tokio::test]
    async fn breached_passwords_are_refused_through_the_range_api_and_the_local_lists() {
        let db = TempDb::new("pw-breached");
        let breached = "jellyfish sandwich 1987";
        let range = FakeRange::start(&[(breached, 42), ("another leaked passphrase", 3)]).await;
        let extra = TempDb::new("pw-list");
        std::fs::write(&extra.0, "our own leaked passphrase\n").unwrap();
        let rules = Passwords::try_new("Example Bank", Some(&extra.0))
            .unwrap()
            .with_range_check(RangeCheck::try_new(&range.url).unwrap());
        let server = Server::start(&db.0, nist_hasher(), rules, false).await;

        // The range API: only the first five hex digits of the SHA-1 left the server, padded.
        assert_refused(
            server.register("alice", breached).await,
            "password appears 42 times in known data breaches",
        )
        .await;
        let seen = range.seen.lock().unwrap().clone();
        assert_eq!(seen, vec![(sha1_hex(breached)[..5].to_owned(), true)]);

        // The local lists: the built-in one, and --blocklist's file.
        for listed in ["correcthorsebatterystaple", "our own leaked passphrase"] {
            assert_refused(
                server.register("alice", listed).await,
                "password is on the list of common or compromised passwords",
            )
            .await;
        }
        // Context words: the username and the service's name, in any case.
        assert_refused(
            server.register("alice", "Alice alice ALICE!").await,
            "password is too close to \"alice\"",
        )
        .await;
        assert_refused(
            server.register("alice", "example bank 2026").await,
            "password is too close to \"Example Bank\"",
        )
        .await;
        // NIST's single-factor minimum, in code points.
        assert_refused(
            server.register("alice", "fourteen chars").await,
            "password is 14 characters long; at least 15 are needed",
        )
        .await;

        // A password the range knows nothing of (its prefix's answer is all padding) registers.
        assert_eq!(
            server.register("alice", PASSWORD).await.status(),
            StatusCode::CREATED
        );
        // A password change is held to the same rules.
        let access = server.access("alice", PASSWORD).await;
        assert_refused(
            server
                .change_password(&access, PASSWORD, "another leaked passphrase")
                .await,
            "password appears 3 times in known data breaches",
        )
        .await;
        assert_eq!(
            server
                .change_password(&access, PASSWORD, "a brand new passphrase")
                .await
                .status(),
            StatusCode::NO_CONTENT
        );
        server.stop().await;
    }

    #[tokio::test]
    async fn a_range_service_that_is_down_lets_passwords_through_unless_required() {
        let db = TempDb::new("pw-down");
        let down = closed_port().await;
        let open = Passwords::default().with_range_check(RangeCheck::try_new(&down).unwrap());
        let server = Server::start(&db.0, nist_hasher(), open, false).await;
        // Fail open: the local checks still apply, the range check is logged as skipped.
        assert_eq!(
            server.register("alice", PASSWORD).await.status(),
            StatusCode::CREATED
        );
        assert_refused(
            server.register("bob", "correcthorsebatterystaple").await,
            "password is on the list of common or compromised passwords",
        )
        .await;
        server.stop().await;

        let required = Passwords::default()
            .with_range_check(RangeCheck::try_new(&down).unwrap().with_required(true));
        let server = Server::start(&db.0, nist_hasher(), required, false).await;
        let refused = server.register("carol", PASSWORD).await;
        assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(refused.headers().contains_key("retry-after"));
        server.stop().await;
    }

    #[test]
    fn only_plain_http_range_urls_are_accepted() {
        assert!(RangeCheck::try_new("http://127.0.0.1:9/").is_ok());
        let https = RangeCheck::try_new("https://api.pwnedpasswords.com")
            .err()
            .unwrap();
        assert!(https.contains("only http://"), "{https}");
    }

    /// 64 code points in three scripts, each far over bcrypt's 72 bytes.
    fn long_passwords() -> [(&'static str, String); 3] {
        let take = |text: &str| text.chars().cycle().take(64).collect::<String>();
        [
            (
                "cyrillic",
                take("съешь же ещё этих мягких французских булок, да выпей чаю "),
            ),
            (
                "devanagari",
                take("ऋषियों को सताने वाले दुष्ट राक्षसों के राजा रावण का सर्वनाश करने वाले "),
            ),
            ("emoji", take("🔐🦀🌍🎉🐧🚀")),
        ]
    }

    #[tokio::test]
    async fn sixty_four_characters_in_any_script_register_and_log_in() {
        let db = TempDb::new("pw-scripts");
        let server = Server::start(&db.0, nist_hasher(), Passwords::default(), false).await;
        for (name, password) in long_passwords() {
            assert_eq!(password.chars().count(), 64);
            assert!(password.len() > 72, "{name}: {} bytes", password.len());
            assert_eq!(
                server.register(name, &password).await.status(),
                StatusCode::CREATED,
                "{name}"
            );
            server.access(name, &password).await;
            // The whole password counts: one character less is a wrong password.
            let shorter: String = password.chars().take(63).collect();
            assert_eq!(
                server.login(name, &shorter).await.status(),
                StatusCode::BAD_REQUEST
            );
        }
        server.stop().await;

        // `--password-algorithm argon2id` holds them as well.
        let argon2 = TempDb::new("pw-scripts-argon2");
        let hasher = nist_hasher()
            .with_algorithm(PasswordAlgorithm::Argon2id)
            .with_argon2_params(Argon2Params::OWASP_MINIMUM);
        let server = Server::start(&argon2.0, hasher, Passwords::default(), false).await;
        for (name, password) in long_passwords() {
            assert_eq!(
                server.register(name, &password).await.status(),
                StatusCode::CREATED,
                "{name}"
            );
            server.access(name, &password).await;
        }
        assert!(
            stored_hash(&argon2.0, "emoji")
                .await
                .starts_with("$argon2id$")
        );
        server.stop().await;

        // `--long-passwords reject` (plain $2b$): refused with the setting that would allow it.
        let plain = TempDb::new("pw-plain");
        let hasher = nist_hasher().with_long_passwords(LongPasswords::Reject);
        let server = Server::start(&plain.0, hasher, Passwords::default(), false).await;
        let [(_, cyrillic), ..] = long_passwords();
        assert_refused(
            server.register("ivan", &cyrillic).await,
            &format!(
                "password is {} bytes in UTF-8, over plain bcrypt's 72; \
                 LongPasswords::PreHash or PasswordAlgorithm::Argon2id would allow it",
                cyrillic.len()
            ),
        )
        .await;
        server.stop().await;
    }

    #[tokio::test]
    async fn a_precomposed_and_a_decomposed_accent_are_one_password() {
        let db = TempDb::new("pw-nfc");
        let precomposed = "caf\u{e9} cr\u{e8}me br\u{fb}l\u{e9}e";
        let decomposed = "cafe\u{301} cre\u{300}me bru\u{302}le\u{301}e";
        // Made before normalization was turned on: the hash of the decomposed bytes as typed.
        let before = nist_hasher().with_normalization(Normalization::None);
        existing_account(&db.0, "olga", &before.hash(decomposed).unwrap()).await;
        let old_hash = stored_hash(&db.0, "olga").await;

        let server = Server::start(&db.0, nist_hasher(), Passwords::default(), true).await;
        for (name, registered, typed) in [
            ("alice", precomposed, decomposed),
            ("bob", decomposed, precomposed),
        ] {
            assert_eq!(
                server.register(name, registered).await.status(),
                StatusCode::CREATED
            );
            server.access(name, typed).await;
            server.access(name, registered).await;
        }
        // The old hash verifies from the raw form and is rehashed under NFC: then the other
        // keyboard's form logs in too.
        server.access("olga", decomposed).await;
        assert_ne!(stored_hash(&db.0, "olga").await, old_hash);
        server.access("olga", precomposed).await;
        server.stop().await;
    }

    #[tokio::test]
    async fn accounts_with_passwords_from_before_the_rules_still_log_in() {
        let db = TempDb::new("pw-old");
        // "hunter2" (7 characters) and a common one: chosen under the old 8-character rule or
        // none at all. NIST applies the rules when a password is chosen, not at login.
        let old = PasswordHasher::new().with_cost(Cost::new(4).unwrap());
        existing_account(&db.0, "dave", &old.hash("hunter2").unwrap()).await;
        existing_account(&db.0, "erin", &old.hash("password123").unwrap()).await;
        let server = Server::start(&db.0, nist_hasher(), Passwords::default(), true).await;
        let access = server.access("dave", "hunter2").await;
        server.access("erin", "password123").await;
        // Moved to the configured format at login, still the same password.
        assert!(
            stored_hash(&db.0, "dave")
                .await
                .starts_with("$bcrypt-sha256$")
        );
        server.access("dave", "hunter2").await;
        // A new password is held to the rules.
        assert_refused(
            server.change_password(&access, "hunter2", "hunter3").await,
            "password is 7 characters long; at least 15 are needed",
        )
        .await;
        assert_eq!(
            server
                .change_password(&access, "hunter2", PASSWORD)
                .await
                .status(),
            StatusCode::NO_CONTENT
        );
        server.stop().await;
    }
}

mod usernames {
    use super::*;

    #[tokio::test]
    async fn compatibility_look_alikes_are_refused_and_old_names_still_log_in() {
        let db = TempDb::new("pw-names");
        // Registered under the old hand-written rule, which let look-alikes through.
        let old = PasswordHasher::new().with_cost(Cost::new(4).unwrap());
        existing_account(&db.0, "\u{fb01}nn", &old.hash(PASSWORD).unwrap()).await;
        let server = Server::start(&db.0, nist_hasher(), Passwords::default(), false).await;
        // RFC 8265 (IdentifierClass): characters with a compatibility decomposition are
        // disallowed. The reason names the character.
        for (look_alike, character) in [
            ("\u{fb01}nn", "U+FB01"),                                     // ﬁ ligature
            ("\u{1d41a}\u{1d425}\u{1d422}\u{1d41c}\u{1d41e}", "U+1D41A"), // mathematical bold
            ("\u{24d0}lice", "U+24D0"),                                   // circled a
            ("\u{2178}men", "U+2178"),                                    // Roman numeral ix
        ] {
            let response = server.register(look_alike, PASSWORD).await;
            assert_eq!(
                response.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{look_alike}"
            );
            let detail: Value = response.json().await.unwrap();
            assert_eq!(
                detail["detail"][0]["loc"],
                serde_json::json!(["body", "username"])
            );
            let detail = detail["detail"][0]["msg"].as_str().unwrap().to_owned();
            assert!(detail.contains(character), "{look_alike}: {detail}");
        }
        for plain in ["finn", "alice", "ixmen"] {
            assert_eq!(
                server.register(plain, PASSWORD).await.status(),
                StatusCode::CREATED,
                "{plain}"
            );
        }
        // Width and case still fold: ＡＬＩＣＥ is alice.
        assert_eq!(
            server
                .register("\u{ff21}\u{ff2c}\u{ff29}\u{ff23}\u{ff25}", PASSWORD)
                .await
                .status(),
            StatusCode::CONFLICT
        );
        // The stored look-alike logs in as it did.
        server.access("\u{fb01}nn", PASSWORD).await;
        server.stop().await;
    }
}

mod equal_work {
    use super::*;

    /// A bcrypt account at a cost above the configured 4, and a pwdlib-style Argon2id account.
    async fn mixed_store(db: &Path) {
        let bcrypt = PasswordHasher::new().with_cost(Cost::new(6).unwrap());
        existing_account(db, "bcrypt-user", &bcrypt.hash(PASSWORD).unwrap()).await;
        let argon2 = PasswordHasher::new()
            .with_algorithm(PasswordAlgorithm::Argon2id)
            .with_argon2_params(Argon2Params::OWASP_MINIMUM);
        existing_account(db, "argon2-user", &argon2.hash(PASSWORD).unwrap()).await;
    }

    #[tokio::test]
    async fn failed_logins_count_the_same_work_whatever_the_stored_algorithm() {
        let db = TempDb::new("pw-work");
        mixed_store(&db.0).await;
        let server = Server::start(&db.0, nist_hasher(), Passwords::default(), true).await;
        let unknown = server.failed_login_work("nobody").await;
        let on_bcrypt = server.failed_login_work("bcrypt-user").await;
        let on_argon2 = server.failed_login_work("argon2-user").await;
        // The floor: one bcrypt computation at the highest stored cost (2^6 rounds) and one
        // Argon2 computation at the stored parameters (19,456 KiB x 2 passes).
        assert_eq!(unknown.bcrypt_rounds(), 1 << 6, "{unknown}");
        assert_eq!(
            unknown.argon2_kib_passes(),
            u64::from(Argon2Params::OWASP_MINIMUM.memory_kib()) * 2,
            "{unknown}"
        );
        assert_eq!(on_bcrypt, unknown);
        assert_eq!(on_argon2, unknown);
        // A password that is not in NFC is tried twice (NFC, then as typed): the same doubled
        // work for every account and for none.
        let before = server.work.counted();
        server
            .login("nobody", "caf\u{65}\u{301} wrong guess xx")
            .await;
        let unknown_nfd = server.work.counted() - before;
        let before = server.work.counted();
        server
            .login("argon2-user", "caf\u{65}\u{301} wrong guess xx")
            .await;
        let argon2_nfd = server.work.counted() - before;
        assert_eq!(unknown_nfd, argon2_nfd);
        assert_eq!(unknown_nfd, unknown + unknown);
        server.stop().await;
    }

    #[tokio::test]
    async fn without_the_startup_scan_the_first_failures_tell_the_algorithm() {
        // Why the server scans its store at startup: before any Argon2id hash is read, an
        // unknown user costs only the configured bcrypt work, and a wrong password on an
        // Argon2id account costs more. Reading that hash raises the floor from then on.
        let db = TempDb::new("pw-noscan");
        mixed_store(&db.0).await;
        let server = Server::start(&db.0, nist_hasher(), Passwords::default(), false).await;
        let unknown_before = server.failed_login_work("nobody").await;
        assert_eq!(unknown_before.bcrypt_rounds(), 1 << 4);
        assert_eq!(unknown_before.argon2_kib_passes(), 0);
        let on_argon2 = server.failed_login_work("argon2-user").await;
        assert_ne!(on_argon2, unknown_before);
        let unknown_after = server.failed_login_work("nobody").await;
        assert_eq!(unknown_after, on_argon2);
        server.stop().await;
    }
}
