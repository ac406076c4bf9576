//! `tradeoff` decides how to spend scarce engineering capacity between features, migrations,
//! security work and technical-debt paydown.
//!
//! The flow is one direction: [`scenario`] loads and validates a scenario file; [`plan`] solves a
//! mixed-integer program for a capacity plan; [`simulate`] replays sequencing strategies on
//! sampled futures; [`sweep`] sizes the stability budget; [`report`] turns results into tables,
//! exports, charts and an HTML page; [`review`] decides what the report shows. The command line
//! (`cli`, `commands`), generated portfolios for benchmarks (`synthetic`) and the parts the
//! benchmarks and tests reach into (`internals`) are public for the binary, the tests and the
//! benchmarks, and hidden from the documentation.
//!
//! ```
//! let scenario = tradeoff::scenario::load_scenario_str(
//!     "example.toml",
//!     r#"
//!     [scenario]
//!     periods = 4
//!     [capacity]
//!     per_period = 20
//!     [[initiative]]
//!     id = "sso"
//!     kind = "feature"
//!     effort = { low = 8, likely = 10, high = 18 }
//!     value = 5000
//!     "#,
//! )
//! .unwrap();
//! assert_eq!(scenario.initiatives[0].remaining_effort_mean(), 11.0);
//! ```

#![forbid(unsafe_code)]

#[doc(hidden)]
pub mod cli;
#[doc(hidden)]
pub mod commands;
pub mod diff;
mod economics;
pub mod error;
pub mod frontier;
pub(crate) mod number;
pub mod objectives;
pub mod plan;
pub mod progress;
pub mod report;
pub mod review;
pub mod scenario;
pub mod simulate;
pub mod sweep;
#[doc(hidden)]
pub mod synthetic;

pub use error::Error;

/// The pieces under the public surface that the benchmarks and the integration tests measure
/// and check directly (the replay, the sampler, the planner's model and heuristic). Not part of
/// the library's interface: they change with the implementation.
#[doc(hidden)]
pub mod internals {
    pub use crate::economics::drag_after_relief;
    pub use crate::report::html::external_references;

    /// The planner's parts.
    pub mod plan {
        pub use crate::plan::backend::solve_relaxation;
        pub use crate::plan::data::PlanData;
        pub use crate::plan::heuristic::{Priority, Replayer};
        pub use crate::plan::model::{
            build_model, partly_delivered, with_delivery_profiles, with_delivery_profiles_for,
        };
        pub use crate::plan::solve::{heuristic_plan, solve_plan_with_report};
    }

    /// The simulator's parts.
    pub mod simulate {
        pub use crate::simulate::pert::{pert_table, PertRows, PertSampler};
        pub use crate::simulate::replay::{replay, settle, Workspace};
        pub use crate::simulate::robust::{search, Trainer};
        pub use crate::simulate::sampling::{Future, Model};
        pub use crate::simulate::strategy::{
            compile_strategy, plan_order, priority_strategy, wsjf_order, Strategy,
        };
    }
}
