//! Scenarios: the validated model, and the loader that reads TOML (and CSV) into it.
//!
//! Only the loader (`load`, and `csv_rows`, `workbook` and `import` for initiatives in a CSV
//! file, a workbook or a tracker export) touches files. Everything
//! downstream takes a [`Scenario`] value that has passed every check of the specification.

mod checks;
mod csv_rows;
pub(crate) mod fields;
mod import;
mod labels;
pub(crate) mod load;
pub(crate) mod model;
mod raw;
mod sections;
pub(crate) mod summary;
mod workbook;

pub use load::{load_scenario, load_scenario_str, MAX_INPUT_BYTES};
pub use model::*;
pub use summary::{summarize, Summary};
