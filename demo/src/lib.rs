//! What the demo's binaries share: the accept loop and the connection and request limits
//! that keep both example servers up under abuse ([`serve`]).

pub mod serve;
