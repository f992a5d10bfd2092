//! Refresh exchanges per second on the sqlite store (in progress).

fn main() {}
