//! Refresh exchanges per second on the postgres store (in progress).

fn main() {}
