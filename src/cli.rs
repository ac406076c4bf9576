//! The command line: clap definitions only, converted into the plain option structs of
//! [`crate::commands`]. Nothing outside this file imports clap's derive types.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

use crate::commands::{
    Command, Common, DiffCommand, FrontierCommand, PlanCommand, ReportCommand, SimulateCommand,
    SweepCommand, ValidateCommand,
};
use crate::plan::{MarginalMethod, PlanOptions};
use crate::report::Format;

/// Decide how to spend engineering capacity between features, migrations, security and
/// technical-debt paydown.
#[derive(Debug, Parser)]
#[command(name = "tradeoff", version, about, long_about = None)]
pub struct Args {
    /// Print no progress on stderr.
    #[arg(long, global = true)]
    pub quiet: bool,
    /// Overwrite existing output files and folders.
    #[arg(long, global = true)]
    pub force: bool,
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Table,
    Csv,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ValidateFormatArg {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DiffFormatArg {
    Table,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MarginalArg {
    Estimate,
    Exact,
}

/// How and where `plan`, `simulate`, `sweep` and `frontier` write their result.
#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    /// table for a terminal, csv or json for other tools, markdown to paste into a review
    /// document.
    #[arg(long, value_enum, default_value = "table")]
    pub format: FormatArg,
    /// Write to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// What `sweep` and `frontier` share: each point of their grid is planned and simulated.
#[derive(Debug, clap::Args)]
pub struct GridArgs {
    #[command(flatten)]
    pub trials: TrialArgs,
    #[command(flatten)]
    pub written: OutputArgs,
    #[command(flatten)]
    pub solver: SolverArgs,
}

impl GridArgs {
    /// The output format, the output file, the planner's and the simulator's options.
    fn split(
        self,
    ) -> (
        Format,
        Option<PathBuf>,
        PlanOptions,
        crate::simulate::SimOptions,
    ) {
        (
            self.written.format.into(),
            self.written.output,
            self.solver.plan_options(None, MarginalMethod::Estimate),
            self.trials.sim_options(false),
        )
    }
}

/// Options of every command that plans.
#[derive(Debug, clap::Args)]
pub struct SolverArgs {
    /// Stop when the plan is proven within this relative gap of the best possible.
    #[arg(long, default_value_t = 1e-4, value_name = "G", value_parser = relative_gap)]
    pub gap: f64,
    /// The planner's work, sized for this many seconds: fixed counts, so the same plan on every
    /// run; the clock also stops planning here, as a safety cap.
    #[arg(long = "time-limit", default_value_t = 60.0, value_name = "SECS", value_parser = seconds)]
    pub time_limit: f64,
}

/// Options of every command that simulates.
#[derive(Debug, clap::Args)]
pub struct TrialArgs {
    /// Number of sampled futures.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub trials: usize,
    /// Random seed: the same seed gives the same numbers.
    #[arg(long, default_value_t = 42, value_name = "S")]
    pub seed: u64,
    /// Worker threads (default: every core, at most 256); results do not depend on it.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Training futures the `robust` strategy is optimised on (streams of their own, never
    /// the run's futures).
    #[arg(long = "robust-trials", default_value = "1000", value_name = "K",
          allow_negative_numbers = true, value_parser = positive_count)]
    pub robust_trials: usize,
    /// At most this many replays of the training set in the `robust` search.
    #[arg(long = "robust-budget", default_value = "20000", value_name = "N",
          allow_negative_numbers = true, value_parser = positive_count)]
    pub robust_budget: usize,
}

/// A whole number ≥ 1, with a message that says so for 0, negatives and fractions.
fn positive_count(text: &str) -> Result<usize, String> {
    match text.trim().parse::<i128>() {
        Ok(n) if n >= 1 => {
            usize::try_from(n).map_err(|_| format!("expected at most {}, found {text}", usize::MAX))
        }
        Ok(_) => Err(format!(
            "expected a whole number of at least 1, found {text}"
        )),
        Err(_) => Err(format!(
            "expected a whole number of at least 1, found `{text}`"
        )),
    }
}

/// `--gap`: a finite relative gap of at least 0.
fn relative_gap(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(g) if g.is_finite() && g >= 0.0 => Ok(g),
        _ => Err(format!(
            "expected a non-negative relative gap such as 0.01, found `{text}`"
        )),
    }
}

/// `--time-limit`: a finite positive number of seconds (at most ten million).
fn seconds(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 1e7 => Ok(s),
        _ => Err(format!(
            "expected a positive number of seconds of at most 10000000, found `{text}`"
        )),
    }
}

#[derive(Debug, Subcommand)]
pub enum Sub {
    /// Check a scenario and summarise it.
    Validate {
        scenario: PathBuf,
        #[arg(long, value_enum, default_value = "table")]
        format: ValidateFormatArg,
    },
    /// Allocate capacity per period with a mixed-integer program.
    Plan {
        scenario: PathBuf,
        #[command(flatten)]
        written: OutputArgs,
        /// Fix the stability share (ring-fence min = max = X).
        #[arg(long = "stability-share", value_name = "X")]
        stability_share: Option<f64>,
        #[command(flatten)]
        solver: SolverArgs,
        /// How the value of one more engineer-week per period is computed.
        #[arg(long, value_enum, default_value = "estimate")]
        marginal: MarginalArg,
    },
    /// Compare sequencing strategies on sampled futures.
    Simulate {
        scenario: PathBuf,
        #[command(flatten)]
        trials: TrialArgs,
        /// Comma-separated: plan, plan-order, wsjf, features-first, debt-first, share:X,
        /// debt-sprint:K, robust and the scenario's [[strategy]] names.
        #[arg(long, value_name = "LIST")]
        strategies: Option<String>,
        /// Write the `robust` strategy's order and share as a [[strategy]] table to this file.
        #[arg(long = "save-strategy", value_name = "FILE")]
        save_strategy: Option<PathBuf>,
        /// One trial with means everywhere and no noise.
        #[arg(long)]
        deterministic: bool,
        /// Replay a plan saved by `plan --format json` instead of planning again.
        #[arg(long, value_name = "PLAN.json")]
        plan: Option<PathBuf>,
        #[command(flatten)]
        written: OutputArgs,
        #[command(flatten)]
        solver: SolverArgs,
    },
    /// Size the stability budget: plan and simulate across stability shares.
    Sweep {
        scenario: PathBuf,
        /// The grid of shares, FROM:TO:STEP.
        #[arg(long, default_value = "0:0.5:0.05", value_name = "FROM:TO:STEP")]
        shares: String,
        #[command(flatten)]
        grid: GridArgs,
    },
    /// What more or less capacity buys: re-plan and simulate `robust` with capacity scaled.
    Frontier {
        scenario: PathBuf,
        /// The grid of capacity factors, FROM:TO:STEP (1 = the scenario's capacity).
        #[arg(long, default_value = "0.7:1.3:0.1", value_name = "FROM:TO:STEP")]
        capacity: String,
        /// Scale only this team's capacity (a [[team]] id); default: every team's.
        #[arg(long, value_name = "ID")]
        team: Option<String>,
        /// Also draw the frontier as a chart: FILE.svg or FILE.png.
        #[arg(long, value_name = "FILE")]
        chart: Option<PathBuf>,
        #[command(flatten)]
        grid: GridArgs,
    },
    /// What changed since the last review: two versions of a scenario, both planned, and why
    /// the objective moved.
    Diff {
        /// The earlier scenario (last review's).
        old: PathBuf,
        /// The current scenario.
        new: PathBuf,
        /// table for a terminal, json for other tools, markdown to paste into a review document.
        #[arg(long, value_enum, default_value = "table")]
        format: DiffFormatArg,
        /// Write to this file instead of stdout.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Also draw the attribution waterfall as a chart: FILE.svg or FILE.png.
        #[arg(long, value_name = "FILE")]
        chart: Option<PathBuf>,
        #[command(flatten)]
        solver: SolverArgs,
    },
    /// Write the strategy-review report: HTML, charts and exports in one folder.
    Report {
        scenario: PathBuf,
        /// The folder to write.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Last review's scenario: add "Since the last review" (what changed, what moved in the
        /// plan, and why the objective moved).
        #[arg(long, value_name = "OLD.toml")]
        previous: Option<PathBuf>,
        #[command(flatten)]
        trials: TrialArgs,
        #[command(flatten)]
        solver: SolverArgs,
    },
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Table => Format::Table,
            FormatArg::Csv => Format::Csv,
            FormatArg::Json => Format::Json,
            FormatArg::Markdown => Format::Markdown,
        }
    }
}

impl SolverArgs {
    fn plan_options(&self, stability_share: Option<f64>, marginal: MarginalMethod) -> PlanOptions {
        PlanOptions {
            stability_share,
            gap: self.gap,
            time_limit_secs: self.time_limit,
            work_secs: None,
            marginal,
        }
    }
}

impl TrialArgs {
    fn sim_options(&self, deterministic: bool) -> crate::simulate::SimOptions {
        crate::simulate::SimOptions {
            n_trials: self.trials,
            seed: self.seed,
            threads: self.threads,
            deterministic,
            robust: crate::simulate::RobustOptions {
                n_train: self.robust_trials,
                budget: self.robust_budget,
            },
        }
    }
}

impl Args {
    /// Converts what the user typed into the plain options the commands run on.
    pub fn into_command(self) -> Command {
        let common = Common {
            quiet: self.quiet,
            force: self.force,
        };
        match self.command {
            Sub::Validate { scenario, format } => Command::Validate(ValidateCommand {
                common,
                scenario,
                json: matches!(format, ValidateFormatArg::Json),
            }),
            Sub::Plan {
                scenario,
                written,
                stability_share,
                solver,
                marginal,
            } => Command::Plan(PlanCommand {
                common,
                scenario,
                format: written.format.into(),
                output: written.output,
                options: solver.plan_options(
                    stability_share,
                    match marginal {
                        MarginalArg::Estimate => MarginalMethod::Estimate,
                        MarginalArg::Exact => MarginalMethod::Exact,
                    },
                ),
            }),
            Sub::Simulate {
                scenario,
                trials,
                strategies,
                save_strategy,
                deterministic,
                plan,
                written,
                solver,
            } => Command::Simulate(SimulateCommand {
                common,
                scenario,
                strategies,
                save_strategy,
                plan_file: plan,
                format: written.format.into(),
                output: written.output,
                plan_options: solver.plan_options(None, MarginalMethod::Estimate),
                sim_options: trials.sim_options(deterministic),
            }),
            Sub::Sweep {
                scenario,
                shares,
                grid,
            } => {
                let (format, output, plan_options, sim_options) = grid.split();
                Command::Sweep(SweepCommand {
                    common,
                    scenario,
                    shares,
                    format,
                    output,
                    plan_options,
                    sim_options,
                })
            }
            Sub::Frontier {
                scenario,
                capacity,
                team,
                chart,
                grid,
            } => {
                let (format, output, plan_options, sim_options) = grid.split();
                Command::Frontier(FrontierCommand {
                    common,
                    scenario,
                    factors: capacity,
                    team,
                    chart,
                    format,
                    output,
                    plan_options,
                    sim_options,
                })
            }
            Sub::Diff {
                old,
                new,
                format,
                output,
                chart,
                solver,
            } => Command::Diff(DiffCommand {
                common,
                old,
                new,
                format: match format {
                    DiffFormatArg::Table => Format::Table,
                    DiffFormatArg::Json => Format::Json,
                    DiffFormatArg::Markdown => Format::Markdown,
                },
                output,
                chart,
                plan_options: solver.plan_options(None, MarginalMethod::Estimate),
            }),
            Sub::Report {
                scenario,
                out,
                previous,
                trials,
                solver,
            } => Command::Report(ReportCommand {
                common,
                scenario,
                out,
                previous,
                plan_options: solver.plan_options(None, MarginalMethod::Estimate),
                sim_options: trials.sim_options(false),
            }),
        }
    }
}
