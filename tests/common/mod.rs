//! Helpers shared by the integration tests. Each test crate uses only some of them.

#![allow(dead_code)]

pub mod craft;
pub mod node;
pub mod python;
pub mod temp;
