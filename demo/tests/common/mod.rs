//! The helpers the demo's tests share with the core crate's tests (`tests/common` at the root).
#![allow(dead_code)]

pub mod python;
pub mod raw;
pub mod replica;
#[path = "../../../tests/common/temp.rs"]
pub mod temp;
