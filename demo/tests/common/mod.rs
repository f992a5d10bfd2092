//! The helpers the demo's tests share with the core crate's tests (`tests/common` at the root).
#![allow(dead_code)]

#[path = "../../../tests/common/python.rs"]
pub mod python;
pub mod raw;
#[path = "../../../tests/common/temp.rs"]
pub mod temp;
