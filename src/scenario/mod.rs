//! Scenarios: the validated model, and the loader that reads TOML (and CSV) into it.
//!
//! Only `load` touches files. Everything downstream takes a [`Scenario`] value that has passed
//! every check of the specification.

pub(crate) mod fields;
mod labels;
pub mod load;
pub mod model;
mod raw;
pub mod summary;

pub use load::{load_scenario, load_scenario_str};
pub use model::*;
