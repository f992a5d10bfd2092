//! The root README's "Protecting a route" snippet is not compiled there (the core crate's
//! doctests cannot use this crate); it must stay the lines this crate's README runs.

#[test]
fn the_root_readme_shows_the_tested_snippet() {
    let root = include_str!("../../../README.md");
    let ours = include_str!("../README.md");
    let start = root
        .find("```text\nasync fn orders")
        .expect("the root README's snippet");
    let snippet = &root[start + "```text\n".len()..];
    let snippet = &snippet[..snippet.find("```").expect("the snippet's end")];
    assert!(snippet.lines().count() < 10, "more than ten lines");
    assert!(
        ours.contains(snippet),
        "the root README's snippet drifted:\n{snippet}"
    );
}
