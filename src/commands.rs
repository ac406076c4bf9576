//! Runs each command: load the scenario, call the core, write the result where the user asked.
//!
//! This is the only place (with `scenario::load` and `report`) that touches files and the
//! terminal. The core it calls takes values and returns values.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Diagnostic, Error, Setting};
use crate::plan::{solve_plan, Plan, PlanOptions, PlanStatus};
use crate::progress::{Progress, Silent};
use crate::report::{self, Format};
use crate::scenario::{load_scenario, Scenario};
use crate::simulate::{simulate, SimOptions, StrategySpec};

/// Options every command has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Common {
    pub quiet: bool,
    pub force: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValidateCommand {
    pub common: Common,
    pub scenario: PathBuf,
    pub json: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlanCommand {
    pub common: Common,
    pub scenario: PathBuf,
    pub format: Format,
    pub output: Option<PathBuf>,
    pub options: PlanOptions,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SimulateCommand {
    pub common: Common,
    pub scenario: PathBuf,
    /// The raw `--strategies` list, parsed once the scenario (and its custom names) is known.
    pub strategies: Option<String>,
    /// Where to write the `robust` strategy as a `[[strategy]]` table.
    pub save_strategy: Option<PathBuf>,
    pub plan_file: Option<PathBuf>,
    pub format: Format,
    pub output: Option<PathBuf>,
    pub plan_options: PlanOptions,
    pub sim_options: SimOptions,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SweepCommand {
    pub common: Common,
    pub scenario: PathBuf,
    /// The raw `--shares FROM:TO:STEP`.
    pub shares: String,
    pub format: Format,
    pub output: Option<PathBuf>,
    pub plan_options: PlanOptions,
    pub sim_options: SimOptions,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FrontierCommand {
    pub common: Common,
    pub scenario: PathBuf,
    /// The raw `--capacity FROM:TO:STEP`.
    pub factors: String,
    /// `--team ID`.
    pub team: Option<String>,
    /// `--chart FILE`: the frontier drawn as SVG or PNG (by the file's extension).
    pub chart: Option<PathBuf>,
    pub format: Format,
    pub output: Option<PathBuf>,
    pub plan_options: PlanOptions,
    pub sim_options: SimOptions,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DiffCommand {
    pub common: Common,
    pub old: PathBuf,
    pub new: PathBuf,
    pub format: Format,
    pub output: Option<PathBuf>,
    /// `--chart FILE`: the attribution waterfall drawn as SVG or PNG.
    pub chart: Option<PathBuf>,
    pub plan_options: PlanOptions,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReportCommand {
    pub common: Common,
    pub scenario: PathBuf,
    pub out: PathBuf,
    /// `--previous OLD.toml`: last review's scenario.
    pub previous: Option<PathBuf>,
    pub plan_options: PlanOptions,
    pub sim_options: SimOptions,
}

/// One command, with everything it needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Validate(ValidateCommand),
    Plan(PlanCommand),
    Simulate(SimulateCommand),
    Sweep(SweepCommand),
    Frontier(FrontierCommand),
    Diff(DiffCommand),
    Report(ReportCommand),
}

/// Runs a command to completion.
pub fn run(command: Command) -> Result<(), Error> {
    let result = match command {
        Command::Validate(cmd) => run_validate(&cmd),
        Command::Plan(cmd) => run_plan(&cmd),
        Command::Simulate(cmd) => run_simulate(&cmd),
        Command::Sweep(cmd) => run_sweep(&cmd),
        Command::Frontier(cmd) => run_frontier(&cmd),
        Command::Diff(cmd) => run_diff(&cmd),
        Command::Report(cmd) => run_report(&cmd),
    };
    result.map_err(|e| match e {
        Error::Setting { setting, message } => {
            Error::Usage(format!("{}: {message}", flag_of(setting)))
        }
        other => other,
    })
}

/// The flag a user types for an option the core checked.
fn flag_of(setting: Setting) -> &'static str {
    match setting {
        Setting::Strategies => "--strategies",
        Setting::Shares => "--shares",
        Setting::RobustTrials => "--robust-trials",
        Setting::RobustBudget => "--robust-budget",
    }
}

fn run_validate(cmd: &ValidateCommand) -> Result<(), Error> {
    let scenario = load_scenario(&cmd.scenario)?;
    let text = if cmd.json {
        report::validate_output::render_json(&scenario)
    } else {
        report::validate_output::render_table(&scenario)
    };
    write_output(&text, None, cmd.common.force)
}

fn run_plan(cmd: &PlanCommand) -> Result<(), Error> {
    let scenario = load_scenario(&cmd.scenario)?;
    check_plan_options(&scenario, &cmd.options)?;
    refuse_clashes(&inputs_of(&[&scenario], &[]), &[cmd.output.as_deref()])?;
    if let Some(output) = &cmd.output {
        refuse_overwrite(output, cmd.common.force)?;
    }
    let plan = solve_or_report(&scenario, &cmd.options, cmd.format)?;
    let text = report::plan_output::render_plan(&scenario, &plan, cmd.format)?;
    write_output(&text, cmd.output.as_deref(), cmd.common.force)
}

fn run_simulate(cmd: &SimulateCommand) -> Result<(), Error> {
    let scenario = load_scenario(&cmd.scenario)?;
    check_sim_options(&cmd.sim_options)?;
    check_plan_options(&scenario, &cmd.plan_options)?;
    refuse_clashes(
        &inputs_of(&[&scenario], &[cmd.plan_file.as_deref()]),
        &[cmd.output.as_deref(), cmd.save_strategy.as_deref()],
    )?;
    if let Some(output) = &cmd.output {
        refuse_overwrite(output, cmd.common.force)?;
    }
    let strategies = match &cmd.strategies {
        None => StrategySpec::defaults(&scenario),
        Some(list) => parse_strategies(list, &scenario)?,
    };
    if let Some(path) = &cmd.save_strategy {
        if !strategies.contains(&StrategySpec::Robust) {
            return Err(Error::Usage(
                "--save-strategy: the strategy list holds no `robust` to save\n  hint: add `robust` to --strategies".into(),
            ));
        }
        refuse_overwrite(path, cmd.common.force)?;
    }
    let replays_plan = strategies
        .iter()
        .any(|s| matches!(s, StrategySpec::Plan | StrategySpec::PlanOrder));
    let plan = match &cmd.plan_file {
        Some(path) if strategies.iter().any(StrategySpec::needs_plan) => {
            Some(load_plan(path, &scenario)?)
        }
        _ if replays_plan => Some(solve_or_report(&scenario, &cmd.plan_options, cmd.format)?),
        // `robust` alone starts from `plan-order` when there is a plan, and from the other
        // starts when the planner finds none.
        _ if strategies.contains(&StrategySpec::Robust) => {
            match solve_plan(&scenario, &cmd.plan_options) {
                Ok(plan) => Some(plan),
                Err(Error::Infeasible { .. }) => {
                    if !cmd.common.quiet {
                        eprintln!(
                            "note: the plan is infeasible, so the robust search starts without `plan-order`"
                        );
                    }
                    None
                }
                Err(other) => return Err(other),
            }
        }
        _ => None,
    };
    let progress = progress_for(cmd.common);
    let simulation = simulate(
        &scenario,
        plan.as_ref(),
        &strategies,
        &cmd.sim_options,
        progress.as_ref(),
    )?;
    let text = report::sim_output::render_simulation(&scenario, &simulation, cmd.format)?;
    if let Some(path) = &cmd.save_strategy {
        let search = simulation
            .strategies
            .iter()
            .find_map(|s| s.search.as_ref())
            .ok_or_else(|| Error::Internal("the robust strategy carries no search".into()))?;
        let toml = report::sim_output::render_saved_strategy(&scenario, &simulation, search);
        write_output(&toml, Some(path), cmd.common.force)?;
    }
    write_output(&text, cmd.output.as_deref(), cmd.common.force)
}

fn run_sweep(cmd: &SweepCommand) -> Result<(), Error> {
    let scenario = load_scenario(&cmd.scenario)?;
    check_sim_options(&cmd.sim_options)?;
    check_plan_options(&scenario, &cmd.plan_options)?;
    refuse_clashes(&inputs_of(&[&scenario], &[]), &[cmd.output.as_deref()])?;
    if let Some(output) = &cmd.output {
        refuse_overwrite(output, cmd.common.force)?;
    }
    let shares = parse_shares(&cmd.shares)?;
    let progress = progress_for(cmd.common);
    let sweep = crate::sweep::sweep(
        &scenario,
        &shares,
        &cmd.plan_options,
        &cmd.sim_options,
        progress.as_ref(),
    )?;
    let text = report::sim_output::render_sweep(&scenario, &sweep, cmd.format)?;
    write_output(&text, cmd.output.as_deref(), cmd.common.force)
}

fn run_frontier(cmd: &FrontierCommand) -> Result<(), Error> {
    let scenario = load_scenario(&cmd.scenario)?;
    check_sim_options(&cmd.sim_options)?;
    check_plan_options(&scenario, &cmd.plan_options)?;
    refuse_clashes(
        &inputs_of(&[&scenario], &[]),
        &[cmd.output.as_deref(), cmd.chart.as_deref()],
    )?;
    if let Some(output) = &cmd.output {
        refuse_overwrite(output, cmd.common.force)?;
    }
    let chart_png = chart_is_png(cmd.chart.as_deref(), cmd.common.force)?;
    // At least a thousandth of today's capacity: a point of no capacity plans nothing, and the
    // grid is kept to 1e-9, so much smaller factors would round to it.
    let factors = parse_grid("--capacity", &cmd.factors, (0.001, 10.0), "0.7:1.3:0.1")?;
    let team = match &cmd.team {
        None => None,
        Some(id) => Some(team_index(&scenario, id)?),
    };
    let progress = progress_for(cmd.common);
    let frontier = crate::frontier::frontier(
        &scenario,
        &factors,
        team,
        &cmd.plan_options,
        &cmd.sim_options,
        progress.as_ref(),
    )?;
    let text = report::sim_output::render_frontier(&scenario, &frontier, cmd.format)?;
    if let Some(path) = &cmd.chart {
        write_chart(
            &report::charts::capacity_frontier(&scenario, &frontier),
            path,
            chart_png,
        )?;
    }
    write_output(&text, cmd.output.as_deref(), cmd.common.force)
}

/// `--chart FILE`: refused when it exists (without `--force`) or is neither `.svg` nor `.png`;
/// true for PNG. Checked before any work, so a long run never ends on a refusal.
fn chart_is_png(chart: Option<&Path>, force: bool) -> Result<bool, Error> {
    let Some(path) = chart else {
        return Ok(false);
    };
    refuse_overwrite(path, force)?;
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
    {
        Some(e) if e == "svg" => Ok(false),
        Some(e) if e == "png" => Ok(true),
        _ => Err(Error::Usage(format!(
            "--chart: expected a file name ending in .svg or .png, found `{}`",
            path.display()
        ))),
    }
}

/// Writes a chart whole or not at all, as PNG or SVG.
fn write_chart(chart: &report::charts::Chart, path: &Path, png: bool) -> Result<(), Error> {
    if png {
        report::atomic::replace_atomically(path, |tmp| chart.write_png(tmp))
    } else {
        report::atomic::write_atomically(path, chart.svg()?.as_bytes())
    }
}

fn run_diff(cmd: &DiffCommand) -> Result<(), Error> {
    let old = load_scenario(&cmd.old)?;
    let new = load_scenario(&cmd.new)?;
    for scenario in [&old, &new] {
        check_plan_options(scenario, &cmd.plan_options)?;
    }
    refuse_clashes(
        &inputs_of(&[&old, &new], &[]),
        &[cmd.output.as_deref(), cmd.chart.as_deref()],
    )?;
    if let Some(output) = &cmd.output {
        refuse_overwrite(output, cmd.common.force)?;
    }
    let chart_png = chart_is_png(cmd.chart.as_deref(), cmd.common.force)?;
    let progress = progress_for(cmd.common);
    let diff = crate::diff::diff(&old, &new, &cmd.plan_options, progress.as_ref())?;
    let text = report::export::diff::render_diff(&old, &new, &diff, cmd.format)?;
    if let Some(path) = &cmd.chart {
        write_chart(&report::charts::waterfall(&new, &diff), path, chart_png)?;
    }
    write_output(&text, cmd.output.as_deref(), cmd.common.force)
}

/// `--team ID`: the index of a `[[team]]`, or a usage error listing the teams.
fn team_index(scenario: &Scenario, id: &str) -> Result<usize, Error> {
    if scenario.teams.is_empty() {
        return Err(Error::Usage(format!(
            "--team: the scenario has no [[team]] tables, found `--team {id}`\n  hint: leave out --team to scale the whole capacity"
        )));
    }
    scenario
        .teams
        .iter()
        .position(|t| t.id == id)
        .ok_or_else(|| {
            let ids: Vec<&str> = scenario.teams.iter().map(|t| t.id.as_str()).collect();
            Error::Usage(format!(
                "--team: expected one of the scenario's teams ({}), found `{id}`",
                ids.join(", ")
            ))
        })
}

fn run_report(cmd: &ReportCommand) -> Result<(), Error> {
    report::bundle::check_dir(&cmd.out, cmd.common.force)?;
    let scenario = load_scenario(&cmd.scenario)?;
    let previous = cmd.previous.as_deref().map(load_scenario).transpose()?;
    check_sim_options(&cmd.sim_options)?;
    check_plan_options(&scenario, &cmd.plan_options)?;
    let progress = progress_for(cmd.common);
    let summary = report::bundle::write_report(
        &scenario,
        previous.as_ref(),
        &cmd.out,
        &cmd.plan_options,
        &cmd.sim_options,
        cmd.common.force,
        progress.as_ref(),
    )?;
    if !cmd.common.quiet {
        let recommended = summary
            .recommended
            .map(|name| format!(" (recommended strategy: {name})"))
            .unwrap_or_default();
        eprintln!(
            "wrote {} files to `{}`; open `{}`{recommended}",
            summary.files.len(),
            summary.out_dir.display(),
            summary.out_dir.join("index.html").display()
        );
    }
    Ok(())
}

/// Plans, and on infeasibility prints the JSON status first when JSON was asked for.
fn solve_or_report(
    scenario: &Scenario,
    options: &PlanOptions,
    format: Format,
) -> Result<Plan, Error> {
    match solve_plan(scenario, options) {
        Err(Error::Infeasible { conflicts }) => {
            if format == Format::Json {
                let json = serde_json::json!({ "status": "infeasible", "conflicts": conflicts });
                // The infeasibility is the error to report, not a failed write of its JSON.
                let _ = writeln!(
                    std::io::stdout(),
                    "{}",
                    serde_json::to_string_pretty(&json).unwrap_or_default()
                );
            }
            Err(Error::Infeasible { conflicts })
        }
        other => other,
    }
}

/// Checks `--gap`, `--time-limit` and `--stability-share` against the scenario.
pub fn check_plan_options(scenario: &Scenario, options: &PlanOptions) -> Result<(), Error> {
    if let Some(share) = options.stability_share {
        check_share(scenario, share, "--stability-share")?;
    }
    Ok(())
}

/// A fixed stability share must lie in [0, 1] and leave buffer + share ≤ 1.
pub fn check_share(scenario: &Scenario, share: f64, flag: &str) -> Result<(), Error> {
    if !(share.is_finite() && (0.0..=1.0).contains(&share)) {
        return Err(Error::Usage(format!(
            "{flag}: expected a share between 0 and 1, found {share}"
        )));
    }
    let buffer = scenario.capacity.buffer;
    if buffer + share > 1.0 + 1e-12 {
        return Err(Error::Usage(format!(
            "{flag}: buffer {buffer} + stability share {share} exceeds 1\n  hint: use a share of at most {}",
            1.0 - buffer
        )));
    }
    Ok(())
}

/// The most worker threads `--threads` accepts: more only add start-up and scheduling cost.
pub const MAX_THREADS: usize = 256;

fn check_sim_options(options: &SimOptions) -> Result<(), Error> {
    if options.n_trials == 0 {
        return Err(Error::Usage(
            "--trials: expected at least 1 trial, found 0".into(),
        ));
    }
    match options.threads {
        Some(0) => Err(Error::Usage(
            "--threads: expected at least 1 thread, found 0".into(),
        )),
        Some(n) if n > MAX_THREADS => Err(Error::Usage(format!(
            "--threads: expected at most {MAX_THREADS} threads, found {n}\n  hint: leave --threads out to use every core"
        ))),
        _ => Ok(()),
    }
}

fn parse_strategies(list: &str, scenario: &Scenario) -> Result<Vec<StrategySpec>, Error> {
    let mut specs = Vec::new();
    if list.trim().is_empty() {
        return Err(Error::Usage(
            "--strategies: expected at least one strategy, found an empty list".into(),
        ));
    }
    for (k, item) in list.split(',').map(str::trim).enumerate() {
        if item.is_empty() {
            return Err(Error::Usage(format!(
                "--strategies: expected a strategy at position {} of the list, found nothing
  hint: remove the extra comma",
                k + 1
            )));
        }
        let spec = StrategySpec::parse(item, scenario)?;
        if specs.contains(&spec) {
            return Err(Error::Usage(format!(
                "--strategies: `{item}` is listed twice"
            )));
        }
        specs.push(spec);
    }
    if specs.is_empty() {
        return Err(Error::Usage(
            "--strategies: expected at least one strategy, found an empty list".into(),
        ));
    }
    Ok(specs)
}

/// Parses `FROM:TO:STEP` into the grid of shares, inclusive of TO (within rounding).
pub fn parse_shares(text: &str) -> Result<Vec<f64>, Error> {
    parse_grid("--shares", text, (0.0, 1.0), "0:0.5:0.05")
}

/// Parses `flag`'s `FROM:TO:STEP` into a grid within `range`, inclusive of TO (within rounding).
fn parse_grid(flag: &str, text: &str, range: (f64, f64), example: &str) -> Result<Vec<f64>, Error> {
    let bad = |why: &str| {
        Error::Usage(format!(
            "{flag}: {why}, found `{text}`\n  hint: write FROM:TO:STEP, e.g. {example}"
        ))
    };
    let parts: Vec<&str> = text.split(':').collect();
    if parts.len() != 3 {
        return Err(bad("expected three numbers separated by `:`"));
    }
    let nums: Vec<f64> = parts
        .iter()
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad("expected numbers"))?;
    let (from, to, step) = (nums[0], nums[1], nums[2]);
    let (lo, hi) = range;
    if !nums.iter().all(|x| x.is_finite()) || !(lo..=hi).contains(&from) || !(lo..=hi).contains(&to)
    {
        return Err(bad(&format!("expected numbers between {lo} and {hi}")));
    }
    if from > to {
        return Err(bad("expected FROM ≤ TO"));
    }
    if step <= 0.0 {
        return Err(bad("expected a positive STEP"));
    }
    let n = ((to - from) / step + 1e-9).floor() as usize;
    if n > 1000 {
        return Err(bad("expected at most 1001 points"));
    }
    Ok((0..=n)
        .map(|k| ((from + k as f64 * step) * 1e9).round() / 1e9)
        .collect())
}

/// Reads a plan saved by `plan --format json` and checks it belongs to this scenario as strictly
/// as the loader checks a scenario: every problem found, in file order, located by its JSON path.
pub fn load_plan(path: &Path, scenario: &Scenario) -> Result<Plan, Error> {
    let hint = || {
        Some("write the plan with `tradeoff plan SCENARIO --format json --output PLAN.json`".into())
    };
    let bad = |message: String, line: Option<usize>| Error::LoadPlan {
        path: path.to_path_buf(),
        diagnostics: vec![Diagnostic {
            file: path.to_path_buf(),
            line,
            field: None,
            message,
            hint: hint(),
        }],
    };
    let bytes = crate::scenario::load::read_input(path)
        .map_err(|e| bad(format!("cannot read the file: {e}"), None))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| bad("expected UTF-8 text, found other bytes".into(), None))?;
    let plan: Plan = serde_json::from_str(&text).map_err(|e| {
        bad(
            format!("expected a plan saved by `tradeoff plan --format json`: {e}"),
            Some(e.line()),
        )
    })?;
    if plan.status == PlanStatus::Infeasible {
        return Err(bad("the saved plan is infeasible".into(), None));
    }
    let problems = plan_problems(&plan, scenario);
    if problems.is_empty() {
        return Ok(plan);
    }
    let last = problems.len() - 1;
    Err(Error::LoadPlan {
        path: path.to_path_buf(),
        diagnostics: problems
            .into_iter()
            .enumerate()
            .map(|(k, (field, message))| Diagnostic {
                file: path.to_path_buf(),
                line: None,
                field: Some(field),
                message,
                hint: if k == last { hint() } else { None },
            })
            .collect(),
    })
}

/// How far a plan's shares of one item may sum above 1 (rounding of a normalised plan).
const PLAN_SUM_TOLERANCE: f64 = 1e-6;

/// The largest effort a plan may hold: the loader's limit for every number.
const PLAN_MAX_EFFORT: f64 = 1e15;

/// What is wrong with a parsed plan for `scenario`: (JSON path, expected and found), in file order.
fn plan_problems(plan: &Plan, scenario: &Scenario) -> Vec<(String, String)> {
    fn shown(x: f64) -> String {
        if x != 0.0 && !(1e-4..1e16).contains(&x.abs()) {
            format!("{x:e}")
        } else {
            format!("{x}")
        }
    }
    let share_ok = |x: f64| x.is_finite() && (0.0..=1.0).contains(&x);
    let t = scenario.periods;
    let in_horizon = |p: Option<usize>| p.is_none_or(|p| (1..=t).contains(&p));
    let mut out: Vec<(String, String)> = Vec::new();
    for (key, x) in [
        ("stability_min", plan.stability_min),
        ("stability_max", plan.stability_max),
    ] {
        if !share_ok(x) {
            out.push((
                key.into(),
                format!("expected a share between 0 and 1, found {}", shown(x)),
            ));
        }
    }
    if share_ok(plan.stability_min) && share_ok(plan.stability_max) {
        let buffer = scenario.capacity.buffer;
        if plan.stability_min > plan.stability_max {
            out.push((
                "stability_min".into(),
                format!(
                    "expected at most stability_max {}, found {}",
                    shown(plan.stability_max),
                    shown(plan.stability_min)
                ),
            ));
        } else if buffer + plan.stability_min > 1.0 + 1e-12 {
            out.push((
                "stability_min".into(),
                format!(
                    "expected at most 1 − buffer {} = {}, found {}",
                    shown(buffer),
                    shown(1.0 - buffer),
                    shown(plan.stability_min)
                ),
            ));
        }
    }
    let expected = &scenario.initiatives;
    if plan.initiatives.len() != expected.len() {
        out.push((
            "initiatives".into(),
            format!(
                "expected the {} initiatives of `{}` in file order, found {}",
                expected.len(),
                scenario.source.display(),
                plan.initiatives.len()
            ),
        ));
    }
    for (i, item) in plan.initiatives.iter().enumerate() {
        let at = |key: &str| format!("initiatives[{i}].{key}");
        match expected.get(i) {
            Some(want) if want.id == item.id => {}
            Some(want) => out.push((
                at("id"),
                format!(
                    "expected `{}` (initiative {} of `{}`), found `{}`",
                    want.id,
                    i + 1,
                    scenario.source.display(),
                    item.id
                ),
            )),
            None => out.push((
                at("id"),
                format!(
                    "expected no initiative here (the scenario has {}), found `{}`",
                    expected.len(),
                    item.id
                ),
            )),
        }
        if !(item.effort.is_finite() && item.effort > 0.0 && item.effort <= PLAN_MAX_EFFORT) {
            out.push((
                at("effort"),
                format!(
                    "expected a positive number of engineer-weeks of at most 1e15, found {}",
                    shown(item.effort)
                ),
            ));
        }
        if item.shares.len() != t {
            out.push((
                at("shares"),
                format!(
                    "expected {t} shares (one per period), found {}",
                    item.shares.len()
                ),
            ));
        } else {
            let mut valid = true;
            for (k, &x) in item.shares.iter().enumerate() {
                if !share_ok(x) {
                    valid = false;
                    out.push((
                        format!("initiatives[{i}].shares[{k}]"),
                        format!("expected a share between 0 and 1, found {}", shown(x)),
                    ));
                }
            }
            let sum: f64 = item.shares.iter().sum();
            if valid && sum > 1.0 + PLAN_SUM_TOLERANCE {
                out.push((
                    at("shares"),
                    format!(
                        "expected shares summing to at most 1 (the whole effort), found {}",
                        shown(sum)
                    ),
                ));
            }
            // The first period with work, as `plan` writes it.
            let first = item.shares.iter().position(|&x| x >= 1e-6).map(|k| k + 1);
            if valid && in_horizon(item.start) && item.start != first {
                out.push((
                    at("start"),
                    format!(
                        "expected {} (the first period with work), found {}",
                        period_or_null(first),
                        period_or_null(item.start)
                    ),
                ));
            }
        }
        for (key, value) in [("start", item.start), ("delivery", item.delivery)] {
            if !in_horizon(value) {
                out.push((
                    at(key),
                    format!(
                        "expected a period from 1 to {t} or null, found {}",
                        period_or_null(value)
                    ),
                ));
            }
        }
        if let (Some(start), Some(delivery)) = (item.start, item.delivery) {
            if in_horizon(item.start) && in_horizon(item.delivery) && delivery < start {
                out.push((
                    at("delivery"),
                    format!("expected a period no earlier than start {start}, found {delivery}"),
                ));
            }
        }
    }
    if plan.periods.len() != t {
        out.push((
            "periods".into(),
            format!("expected {t} periods, found {}", plan.periods.len()),
        ));
    }
    for (k, period) in plan.periods.iter().enumerate() {
        if period.period != k + 1 {
            out.push((
                format!("periods[{k}].period"),
                format!("expected {}, found {}", k + 1, period.period),
            ));
        }
    }
    // The teams it was made for: a plan for other teams would replay their work on these.
    let teams: Vec<&str> = scenario.teams.iter().map(|t| t.id.as_str()).collect();
    let listed = |ids: &[&str]| ids.join(", ");
    let mismatch = plan.periods.iter().enumerate().find_map(|(k, period)| {
        let found: Vec<&str> = period.teams.iter().map(|t| t.id.as_str()).collect();
        (found != teams).then_some((k, found))
    });
    if let Some((k, found)) = mismatch {
        let source = scenario.source.display();
        let expected = if teams.is_empty() {
            format!("no teams (`{source}` has no [[team]])")
        } else {
            format!("the teams of `{source}` in order ({})", listed(&teams))
        };
        let found = if found.is_empty() {
            "none (a plan made without teams)".to_string()
        } else {
            listed(&found)
        };
        out.push((
            format!("periods[{k}].teams"),
            format!("expected {expected}, found {found}"),
        ));
    }
    out
}

fn period_or_null(p: Option<usize>) -> String {
    p.map_or_else(|| "null".into(), |p| p.to_string())
}

/// The files a command read: each scenario and the CSV, workbook or export it read, then
/// `more` (a `--plan` file).
fn inputs_of(scenarios: &[&Scenario], more: &[Option<&Path>]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    let files = scenarios.iter().flat_map(|s| {
        std::iter::once(&s.source)
            .chain(&s.inputs)
            .map(PathBuf::as_path)
    });
    for file in files.chain(more.iter().flatten().copied()) {
        if !file.as_os_str().is_empty() && !out.iter().any(|f| f == file) {
            out.push(file.to_path_buf());
        }
    }
    out
}

/// The path with its folder resolved (the file itself need not exist yet), so `./a.json`,
/// `a.json` and `/abs/a.json` compare equal; as written when the folder cannot be resolved.
fn resolved(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match (folder.canonicalize(), path.file_name()) {
        (Ok(folder), Some(name)) => folder.join(name),
        _ => path.to_path_buf(),
    }
}

/// Refuses, `--force` or not, an output that is one of the command's input files (writing the
/// results over the scenario would lose it) or that another output of the same run also names
/// (one would silently replace the other).
fn refuse_clashes(inputs: &[PathBuf], outputs: &[Option<&Path>]) -> Result<(), Error> {
    let inputs: Vec<PathBuf> = inputs.iter().map(|p| resolved(p)).collect();
    let mut seen: Vec<(PathBuf, &Path)> = Vec::new();
    for &out in outputs.iter().flatten() {
        let r = resolved(out);
        if inputs.contains(&r) {
            return Err(Error::Usage(format!(
                "expected an output file of its own, found `{}`, which this command reads\n  hint: write the output to another file",
                out.display()
            )));
        }
        if let Some((_, first)) = seen.iter().find(|(p, _)| *p == r) {
            return Err(Error::Usage(format!(
                "expected one file per output, found `{}` and `{}`, which are the same file\n  hint: give each output a file of its own",
                first.display(),
                out.display()
            )));
        }
        seen.push((r, out));
    }
    Ok(())
}

/// Fails when `path` is a directory (even with `--force`: a file never replaces a folder), or
/// exists and `--force` was not given.
pub fn refuse_overwrite(path: &Path, force: bool) -> Result<(), Error> {
    if path.is_dir() {
        return Err(Error::Usage(format!(
            "expected a file to write, found the directory `{}`\n  hint: name a file inside it, e.g. `{}`",
            path.display(),
            path.join("out.json").display()
        )));
    }
    if path.exists() && !force {
        return Err(Error::OutputExists(path.to_path_buf()));
    }
    Ok(())
}

/// Writes `text` to the file (refusing to overwrite without `--force`; written whole or not at
/// all) or to stdout.
pub fn write_output(text: &str, output: Option<&Path>, force: bool) -> Result<(), Error> {
    match output {
        Some(path) => {
            refuse_overwrite(path, force)?;
            report::atomic::write_atomically(path, text.as_bytes())
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                // A closed pipe (e.g. `| head`) means the reader has seen enough.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(source) => Err(Error::Stdout(source)),
                Ok(()) => Ok(()),
            }
        }
    }
}

/// A progress bar on stderr when it is a terminal and `--quiet` was not given; else silence.
pub fn progress_for(common: Common) -> Box<dyn Progress> {
    if common.quiet || !std::io::stderr().is_terminal() {
        Box::new(Silent)
    } else {
        Box::new(TerminalProgress {
            bar: Mutex::new(None),
        })
    }
}

struct TerminalProgress {
    bar: Mutex<Option<ProgressBar>>,
}

impl Progress for TerminalProgress {
    fn start(&self, label: &str, total: u64) {
        let bar = ProgressBar::new(total);
        if let Ok(style) = ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({eta})")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(label.to_string());
        if let Ok(mut slot) = self.bar.lock() {
            *slot = Some(bar);
        }
    }

    fn advance(&self, n: u64) {
        if let Ok(slot) = self.bar.lock() {
            if let Some(bar) = slot.as_ref() {
                bar.inc(n);
            }
        }
    }

    fn finish(&self) {
        if let Ok(mut slot) = self.bar.lock() {
            if let Some(bar) = slot.take() {
                bar.finish_and_clear();
            }
        }
    }
}
