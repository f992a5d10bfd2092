//! The README's code can be pasted as it stands.
//!
//! `src/lib.rs` makes README.md the crate-level documentation
//! (`#![doc = include_str!("../README.md")]`), so `cargo test --doc` already compiles and runs
//! every ```` ```rust ```` block in it. What rustdoc does not check is that a block works
//! *outside* rustdoc: it would happily run a snippet that relies on hidden `# ` lines or on
//! its implicit `fn main` wrapper. The tests here close that gap: each block must be a whole
//! `src/main.rs` with nothing hidden. Together, the doctest run and these tests are what show
//! that the snippets compile as pasted into a new project set up as the README says
//! (`cargo add keyward`, `cargo add serde --features derive`).

use std::collections::BTreeSet;

const README: &str = include_str!("../README.md");
const LIB_RS: &str = include_str!("../src/lib.rs");

/// A fenced code block: its info string (`rust`, `sh`, ...), first line number and body.
struct Block {
    info: String,
    line: usize,
    body: String,
}

fn blocks() -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for (index, line) in README.lines().enumerate() {
        let fence = line.trim_start();
        if let Some(info) = fence.strip_prefix("```") {
            match open.take() {
                None => {
                    open = Some(Block {
                        info: info.trim().to_owned(),
                        line: index + 1,
                        body: String::new(),
                    });
                }
                Some(block) => {
                    assert!(
                        info.trim().is_empty(),
                        "README.md:{}: a fence closes with text",
                        index + 1
                    );
                    blocks.push(block);
                }
            }
        } else if let Some(block) = open.as_mut() {
            block.body.push_str(line);
            block.body.push('\n');
        }
    }
    assert!(open.is_none(), "README.md ends inside a code block");
    blocks
}

fn rust_blocks() -> Vec<Block> {
    blocks()
        .into_iter()
        .filter(|block| block.info.starts_with("rust"))
        .collect()
}

#[test]
fn readme_is_the_crate_documentation() {
    // Without this, the README's blocks would not run as doctests, and nothing here would
    // show that they compile.
    assert!(
        LIB_RS.contains(r#"#![doc = include_str!("../README.md")]"#),
        "src/lib.rs no longer includes README.md as the crate documentation"
    );
    assert!(
        rust_blocks().len() >= 4,
        "expected the README's Rust examples"
    );
}

#[test]
fn every_fence_names_its_language_and_rust_blocks_all_run() {
    for block in blocks() {
        // rustdoc compiles an unlabelled fence as Rust; every block must say what it is.
        assert!(
            !block.info.is_empty(),
            "README.md:{}: fence without a language",
            block.line
        );
        // `ignore`, `no_run`, `compile_fail`, `should_panic`: each would let a broken or
        // non-runnable snippet through the doctest run.
        if block.info.starts_with("rust") {
            assert_eq!(
                block.info, "rust",
                "README.md:{}: the block must run as a plain doctest",
                block.line
            );
        }
    }
}

#[test]
fn rust_blocks_have_no_hidden_lines() {
    for block in rust_blocks() {
        for (offset, line) in block.body.lines().enumerate() {
            let code = line.trim_start();
            // rustdoc hides `# ...` and a bare `#`; attributes (`#[`, `#!`) stay visible.
            assert!(
                code != "#" && !code.starts_with("# ") && !code.starts_with("##"),
                "README.md:{}: rustdoc-hidden line {line:?} would be missing from a paste",
                block.line + 1 + offset
            );
        }
    }
}

#[test]
fn rust_blocks_are_whole_programs() {
    for block in rust_blocks() {
        assert!(
            block
                .body
                .contains("fn main() -> Result<(), Box<dyn std::error::Error>> {"),
            "README.md:{}: a pasteable example is a whole src/main.rs with `fn main`",
            block.line
        );
        assert_eq!(
            block.body.matches("fn main").count(),
            1,
            "README.md:{}",
            block.line
        );
    }
}

/// Every crate a block names is one the "Add it to your project" section tells the reader to
/// add (`keyward`, `serde`) or the standard library: a paste needs no other dependency.
#[test]
fn rust_blocks_use_only_keyward_serde_and_std() {
    let allowed: BTreeSet<&str> = ["keyward", "serde", "std", "core", "alloc"].into();
    for block in rust_blocks() {
        for (offset, line) in block.body.lines().enumerate() {
            for root in path_roots(line) {
                // Lower-case path roots are crates or modules; `Type::item` paths start with
                // a capital.
                if root.starts_with(|c: char| c.is_ascii_lowercase()) {
                    assert!(
                        allowed.contains(root.as_str()),
                        "README.md:{}: `{root}::` needs a dependency the README does not add",
                        block.line + 1 + offset
                    );
                }
            }
            let code = line.trim_start();
            if let Some(path) = code.strip_prefix("use ") {
                assert!(
                    path.starts_with("keyward::")
                        || path.starts_with("serde::")
                        || path.starts_with("std::"),
                    "README.md:{}: unexpected import {code:?}",
                    block.line + 1 + offset
                );
            }
        }
        assert!(
            block.body.contains("use keyward::"),
            "README.md:{}: imports nothing from keyward",
            block.line
        );
    }
}

/// The first segment of every `a::b` path that starts on a line (not method calls).
fn path_roots(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut roots = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
        // A path starts after neither an identifier, `::` nor `.` (a method call).
        if is_ident(chars[i])
            && (i == 0 || !(is_ident(chars[i - 1]) || matches!(chars[i - 1], ':' | '.')))
        {
            let start = i;
            while i < chars.len() && is_ident(chars[i]) {
                i += 1;
            }
            // `name::<T>` is a turbofish, not a path into `name`.
            if chars.get(i) == Some(&':')
                && chars.get(i + 1) == Some(&':')
                && chars.get(i + 2) != Some(&'<')
            {
                roots.push(chars[start..i].iter().collect());
            }
        } else {
            i += 1;
        }
    }
    roots
}

/// Names the API freeze removed or renamed: a README that shows one would not compile as
/// pasted (or teaches the old spelling in prose).
#[test]
fn readme_names_no_removed_api() {
    for gone in [
        "PasswordHasher::with_cost(",
        "TokenVerifier::from_keys",
        "with_keys(",
        "with_key(",
        "with_jwks",
        "MAX_LEEWAY",
        "WeakKey",
        "SecretKey::from(\"",
        "with_ttl(Duration",
        "with_leeway(Duration",
    ] {
        assert!(!README.contains(gone), "README.md still shows `{gone}`");
    }
    let first_block = &rust_blocks()[0].body;
    let all: String = rust_blocks()
        .iter()
        .map(|block| block.body.as_str())
        .collect();
    assert!(
        first_block.contains("use keyward::{"),
        "the first example imports from the crate root"
    );
    for root_export in ["PasswordHasher", "TokenIssuer", "TokenVerifier", "Claims"] {
        assert!(
            all.lines()
                .any(|line| line.starts_with("use keyward::{") && line.contains(root_export)),
            "no example imports `{root_export}` from the crate root"
        );
    }
}

/// The two set-up commands a newcomer runs, exactly as `scripts/test.sh` and the example
/// are named, in the Quick start block.
#[test]
fn readme_names_both_setup_commands() {
    let quick_start = blocks()
        .into_iter()
        .find(|block| block.info == "sh" && block.body.contains("--example quickstart"))
        .expect("a Quick start shell block");
    let commands: Vec<&str> = quick_start
        .body
        .lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|command| !command.is_empty())
        .collect();
    assert_eq!(
        commands,
        ["cargo run --example quickstart", "scripts/test.sh"]
    );
    assert!(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scripts/test.sh")
            .is_file()
    );
    assert!(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/quickstart.rs")
            .is_file()
    );
}

#[test]
fn readme_says_how_to_depend_on_keyward() {
    let add = blocks()
        .into_iter()
        .find(|block| block.info == "sh" && block.body.contains("cargo add keyward"))
        .expect("an `cargo add keyward` block");
    assert!(
        add.body
            .lines()
            .any(|line| line.trim() == "cargo add keyward")
    );
    assert!(add.body.contains("cargo add serde --features derive"));
    // The debug-build note: profile settings do not reach dependents.
    let profile = blocks()
        .into_iter()
        .find(|block| block.info == "toml")
        .expect("the profile snippet");
    for package in ["bcrypt", "blowfish"] {
        assert!(
            profile
                .body
                .contains(&format!("[profile.dev.package.{package}]\nopt-level = 3\n")),
            "the profile snippet sets opt-level 3 for {package}"
        );
    }
}

/// docs.rs and crates.io render the README away from the repository, where a relative link
/// to another file is broken.
#[test]
fn readme_links_are_absolute() {
    let repository = "https://github.com/keyward/keyward";
    let manifest = include_str!("../Cargo.toml");
    assert!(manifest.contains(&format!("repository = \"{repository}\"")));
    let mut rest = README;
    while let Some(start) = rest.find("](") {
        let target = &rest[start + 2..];
        let end = target.find(')').expect("a closed link");
        let url = &target[..end];
        assert!(
            url.starts_with("https://"),
            "relative link in README.md: {url}"
        );
        rest = &target[end..];
    }
    for file in ["SECURITY.md", "BENCHMARKS.md"] {
        assert!(
            README.contains(&format!("]({repository}/blob/main/{file})")),
            "no absolute link to {file}"
        );
    }
}
