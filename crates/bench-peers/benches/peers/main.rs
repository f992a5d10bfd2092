//! Every token row (HS256 to EdDSA, issue and verify): keyward against the bare signature
//! primitive of its backend, `jsonwebtoken` and `jwt-simple`, the four measured interleaved in
//! one run (`interleave.rs`), so every ratio is of the same load.
//!
//! Each library issues and verifies its own tokens with the same claims (`sub`, `iat`, `exp`,
//! `jti`, `iss`, `aud`, `role`), the same keys (`tests/keys`, parsed once up front) and the
//! same checks (signature, `exp`, `iss`, `aud`, leeway 0, `sub` required); each setup is
//! checked once before anything is measured.
//!
//! Run: `cargo bench -p keyward-bench-peers` (aws-lc-rs: keyward's backend, jsonwebtoken's
//! `aws_lc_rs` provider, the aws-lc-rs primitives) or
//! `cargo bench -p keyward-bench-peers --no-default-features --features rust-crypto`.
//! Arguments select rows by name (`cargo bench -p keyward-bench-peers -- HS256`);
//! `KEYWARD_PEERS_SECONDS` sets the seconds per row (default 2).

mod contestant;
mod fixture;
mod interleave;
mod keyward;
mod peer_jsonwebtoken;
mod peer_jwt_simple;
mod primitive;

use std::hint::black_box;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use contestant::{Contestant, checked};
use fixture::Alg;
use interleave::{Measured, Settings, interleaved};

const NAMES: [&str; 4] = ["keyward", "primitive", "jsonwebtoken", "jwt-simple"];

const BACKEND: &str = if cfg!(feature = "aws-lc-rs") {
    "aws-lc-rs"
} else {
    "RustCrypto"
};

fn main() {
    // `cargo bench` passes `--bench`; any other argument is a row filter.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|argument| !argument.starts_with('-'))
        .collect();
    let selected = |row: &str| {
        filters.is_empty() || filters.iter().any(|filter| row.contains(filter.as_str()))
    };
    let settings = Settings::from_env();
    peer_jsonwebtoken::install_provider();

    println!(
        "keyward {BACKEND} backend; jsonwebtoken's {BACKEND} provider; jwt-simple pure-rust. \
         {:.1} s per row, interleaved; medians per call, ratios are medians of per-round ratios.\n",
        settings.measure.as_secs_f64()
    );
    println!(
        "| algorithm | op | keyward | primitive | jsonwebtoken | jwt-simple | keyward / primitive | keyward / jsonwebtoken | keyward / jwt-simple | rounds x batch |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for alg in Alg::ALL {
        let issue_row = format!("{} issue", alg.name());
        let verify_row = format!("{} verify", alg.name());
        if !selected(&issue_row) && !selected(&verify_row) {
            continue;
        }
        let libraries: [Box<dyn Contestant>; 3] = [
            Box::new(keyward::Keyward::new(alg)),
            Box::new(peer_jsonwebtoken::JsonWebToken::new(alg)),
            Box::new(peer_jwt_simple::JwtSimple::new(alg)),
        ];
        let tokens: Vec<String> = libraries
            .iter()
            .zip([NAMES[0], NAMES[2], NAMES[3]])
            .map(|(library, name)| checked(&format!("{name} {}", alg.name()), library.as_ref()))
            .collect();

        // The primitive works on keyward's token: its signing input and its signature.
        let bare = primitive::for_algorithm(alg);
        let (input, signature) = tokens[0].rsplit_once('.').expect("a compact JWS");
        let signature = URL_SAFE_NO_PAD.decode(signature).expect("base64url");
        bare.verify(input.as_bytes(), &signature);

        if selected(&issue_row) {
            let [keyward, jsonwebtoken, jwt_simple] = &libraries;
            let measured = interleaved(
                &[
                    &|| drop(black_box(keyward.issue())),
                    &|| {
                        black_box(bare.sign(black_box(input.as_bytes())));
                    },
                    &|| drop(black_box(jsonwebtoken.issue())),
                    &|| drop(black_box(jwt_simple.issue())),
                ],
                &settings,
            );
            report(alg, "issue", &measured);
        }
        if selected(&verify_row) {
            let [keyward, jsonwebtoken, jwt_simple] = &libraries;
            let measured = interleaved(
                &[
                    &|| drop(black_box(keyward.verify(black_box(&tokens[0])))),
                    &|| bare.verify(black_box(input.as_bytes()), black_box(&signature)),
                    &|| drop(black_box(jsonwebtoken.verify(black_box(&tokens[1])))),
                    &|| drop(black_box(jwt_simple.verify(black_box(&tokens[2])))),
                ],
                &settings,
            );
            report(alg, "verify", &measured);
        }
    }
}

/// One markdown row: the medians, then keyward's ratio to each other contestant.
fn report(alg: Alg, op: &str, measured: &Measured) {
    let times: Vec<String> = (0..NAMES.len())
        .map(|index| time(measured.median(index)))
        .collect();
    let ratios: Vec<String> = (1..NAMES.len())
        .map(|index| format!("{:.2}x", measured.ratio(0, index)))
        .collect();
    println!(
        "| {} | {op} | {} | {} | {} x {} |",
        alg.name(),
        times.join(" | "),
        ratios.join(" | "),
        measured.rounds(),
        measured.batch
    );
}

/// Nanoseconds as µs or ms with three or four significant digits.
fn time(nanos: f64) -> String {
    if nanos >= 1e6 {
        format!("{:.3} ms", nanos / 1e6)
    } else if nanos >= 1e4 {
        format!("{:.1} µs", nanos / 1e3)
    } else {
        format!("{:.3} µs", nanos / 1e3)
    }
}
