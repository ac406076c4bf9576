//! `tradeoff report`: plans, simulates, sweeps and tests sensitivity, then writes one folder —
//! `index.html` (self-contained), every chart as SVG and PNG, `plan.csv`, `comparison.csv` and
//! `results.json`.
//!
//! [`write_report`] does the work end to end; [`compute`] and [`write_bundle`] are its two halves
//! (values, then files), so the page can be written from results computed elsewhere.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use super::charts::roadmap::{self, Roadmap};
use super::charts::{self, Chart};
use super::sensitivity::{self, Replayed, Sensitivity};
use super::{html, plan_output, sim_output, Format};
use crate::error::Error;
use crate::plan::{solve_plan, Plan, PlanOptions};
use crate::progress::Progress;
use crate::scenario::Scenario;
use crate::simulate::{simulate, RobustOptions, SimOptions, Simulation, StrategySpec};
use crate::sweep::{self, Sweep};

/// Sampled futures per sensitivity replay, at most (the headline simulation uses `--trials`).
pub const SENSITIVITY_TRIALS: usize = 2_000;

/// The least time the sweep gives the planner for one share, in seconds.
pub const SWEEP_MIN_TIME_LIMIT_SECS: f64 = 1.0;

/// The fewest replays of the training set the report's sweep gives one share's robust search.
pub const SWEEP_MIN_ROBUST_BUDGET: usize = 1_000;

/// A strategy is not recommended when its worst deadline or commitment is met this much less
/// often than under the most reliable strategy.
pub const RELIABILITY_TOLERANCE: f64 = 0.05;

/// Everything the report shows.
pub struct ReportData<'a> {
    pub scenario: &'a Scenario,
    pub plan: Plan,
    pub simulation: Simulation,
    pub sweep: Sweep,
    /// The planner's time limit for each share of the sweep, in seconds.
    pub sweep_time_limit_secs: f64,
    pub sensitivity: Sensitivity,
    pub recommendation: Option<Recommendation>,
}

/// The strategy the report recommends, and the numbers that make the case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    pub strategy: String,
    /// Position in the simulation's strategies.
    pub index: usize,
    pub mean: f64,
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
    pub p_best: f64,
    /// The lowest chance, over hard deadlines and commitments, that the item is delivered in
    /// time; none when the scenario has neither.
    pub deadline_reliability: Option<f64>,
    pub runner_up: Option<RunnerUp>,
    /// Strategies passed over because they miss hard deadlines or commitments more often.
    pub excluded: Vec<Excluded>,
    /// The case in one sentence.
    pub reason: String,
}

/// The second-best eligible strategy and the paired difference to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunnerUp {
    pub strategy: String,
    pub mean: f64,
    /// Mean of (recommended − runner-up) over the same sampled futures.
    pub mean_diff: f64,
    /// Its standard error.
    pub se: f64,
}

/// A strategy left out of the recommendation, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Excluded {
    pub strategy: String,
    pub mean: f64,
    pub deadline_reliability: f64,
}

/// What optimising is worth: `robust` against the best strategy the scenario's authors wrote and
/// against `plan`, as paired mean differences over the run's sampled futures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptimisingWorth {
    /// The optimised strategy, `robust`.
    pub strategy: String,
    /// `robust` − the best (highest mean) `[[strategy]]` of the scenario, or without any the best
    /// built-in rule (wsjf, features-first, debt-first, …; never `plan` or `robust`).
    pub vs_best_written: Option<Gain>,
    /// `robust` − `plan`, the optimum for the mean future.
    pub vs_plan: Option<Gain>,
}

/// A paired difference of mean net value against one baseline strategy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gain {
    pub baseline: String,
    /// Where the baseline comes from: `scenario` (a `[[strategy]]`), `built-in` or `plan`.
    pub source: &'static str,
    pub baseline_mean: f64,
    /// Mean of (strategy − baseline) over the same sampled futures.
    pub mean_diff: f64,
    /// Its standard error (0 for one trial).
    pub se: f64,
}

/// What optimising is worth in this simulation; none without a `robust` strategy.
pub fn optimising_worth(scenario: &Scenario, sim: &Simulation) -> Option<OptimisingWorth> {
    let name = StrategySpec::Robust.name(scenario);
    let robust = sim.strategies.iter().find(|s| s.name == name)?;
    let gain = |baseline: &crate::simulate::StrategyResult, source: &'static str| {
        let paired = sim
            .paired
            .iter()
            .find(|p| p.a == robust.name && p.b == baseline.name)?;
        Some(Gain {
            baseline: baseline.name.clone(),
            source,
            baseline_mean: baseline.net_value.mean,
            mean_diff: paired.mean_diff,
            se: paired.se,
        })
    };
    let best_of = |keep: &dyn Fn(&str) -> bool| {
        sim.strategies
            .iter()
            .filter(|s| keep(&s.name))
            .reduce(|a, b| {
                if b.net_value.mean > a.net_value.mean {
                    b
                } else {
                    a
                }
            })
    };
    let written = |n: &str| scenario.strategies.iter().any(|c| c.name == n);
    let plan_name = StrategySpec::Plan.name(scenario);
    let vs_best_written = match best_of(&written) {
        Some(best) => gain(best, "scenario"),
        None => best_of(&|n: &str| n != name && n != plan_name).and_then(|b| gain(b, "built-in")),
    };
    let vs_plan = sim
        .strategies
        .iter()
        .find(|s| s.name == plan_name)
        .and_then(|p| gain(p, "plan"));
    Some(OptimisingWorth {
        strategy: name,
        vs_best_written,
        vs_plan,
    })
}

/// The recommended strategy's roadmap over the sampled futures; none without a recommendation.
pub fn recommended_roadmap(data: &ReportData) -> Option<Roadmap> {
    let rec = data.recommendation.as_ref()?;
    roadmap::roadmap(data.scenario, &data.simulation, rec.index)
}

/// What `write_report` wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportSummary {
    pub out_dir: PathBuf,
    /// Every file written, in order.
    pub files: Vec<PathBuf>,
    /// The recommended strategy, when there is one.
    pub recommended: Option<String>,
}

/// The lowest chance over hard deadlines and commitments under strategy `s`; none when the
/// scenario has neither (soft deadlines are priced by their penalty instead).
pub fn reliability(scenario: &Scenario, sim: &Simulation, s: usize) -> Option<f64> {
    sim.strategies[s].deadline_reliability(scenario)
}

/// Picks the strategy with the highest mean net value among those that meet hard deadlines and
/// commitments about as reliably as the best (within [`RELIABILITY_TOLERANCE`]); ties go to the
/// higher P10, then to the earlier strategy.
pub fn recommend(scenario: &Scenario, sim: &Simulation) -> Option<Recommendation> {
    let n = sim.strategies.len();
    if n == 0 {
        return None;
    }
    let rel: Vec<Option<f64>> = (0..n).map(|s| reliability(scenario, sim, s)).collect();
    let best_rel = rel
        .iter()
        .flatten()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let eligible = |s: usize| rel[s].is_none_or(|r| r >= best_rel - RELIABILITY_TOLERANCE - 1e-12);
    let mut ranked: Vec<usize> = (0..n).filter(|&s| eligible(s)).collect();
    ranked.sort_by(|&a, &b| {
        let (da, db) = (&sim.strategies[a].net_value, &sim.strategies[b].net_value);
        db.mean
            .total_cmp(&da.mean)
            .then(db.p10.total_cmp(&da.p10))
            .then(a.cmp(&b))
    });
    let &best = ranked.first()?;
    let r = &sim.strategies[best];
    let runner_up = ranked.get(1).map(|&s| {
        let other = &sim.strategies[s];
        let paired = sim
            .paired
            .iter()
            .find(|p| p.a == r.name && p.b == other.name);
        RunnerUp {
            strategy: other.name.clone(),
            mean: other.net_value.mean,
            mean_diff: paired.map_or(r.net_value.mean - other.net_value.mean, |p| p.mean_diff),
            se: paired.map_or(0.0, |p| p.se),
        }
    });
    let excluded: Vec<Excluded> = (0..n)
        .filter(|&s| !eligible(s))
        .map(|s| Excluded {
            strategy: sim.strategies[s].name.clone(),
            mean: sim.strategies[s].net_value.mean,
            deadline_reliability: rel[s].unwrap_or(1.0),
        })
        .collect();
    let cur = &scenario.currency;
    let money = |x: f64| charts::style::money(x, cur);
    // Nothing to choose between two strategies that earn the same in every sampled future.
    let tied = runner_up.as_ref().is_some_and(|u| {
        u.mean_diff.abs() <= 1e-9 * r.net_value.mean.abs().max(1.0) && u.se <= 1e-9
    });
    let reason = match (tied, &runner_up) {
        (true, Some(u)) => format!(
            "{} and {} earn the same in every sampled future, {} on average (median {}, P10 {}): \
             nothing separates them in this scenario, and {} is shown first",
            r.name,
            u.strategy,
            money(r.net_value.mean),
            money(r.net_value.p50),
            money(r.net_value.p10),
            r.name
        ),
        _ => ranked_reason(r, rel[best].is_some(), runner_up.as_ref(), &money),
    };
    Some(Recommendation {
        strategy: r.name.clone(),
        index: best,
        mean: r.net_value.mean,
        p10: r.net_value.p10,
        p50: r.net_value.p50,
        p90: r.net_value.p90,
        p_best: r.p_best,
        deadline_reliability: rel[best],
        runner_up,
        excluded,
        reason,
    })
}

/// Why the pick wins, in numbers: its value, the runner-up's distance and the chance it is best.
fn ranked_reason(
    r: &crate::simulate::StrategyResult,
    has_deadlines: bool,
    runner_up: Option<&RunnerUp>,
    money: &dyn Fn(f64) -> String,
) -> String {
    let mut reason = format!(
        "{} has the highest expected net value, {} (median {}, P10 {}),",
        r.name,
        money(r.net_value.mean),
        money(r.net_value.p50),
        money(r.net_value.p10)
    );
    if has_deadlines {
        reason.push_str(" among the strategies that meet hard deadlines and commitments as reliably as the best,");
    }
    match runner_up {
        Some(u) => reason.push_str(&format!(
            " ahead of {} by {} ± {} (two standard errors) on the same sampled futures, and is the best strategy in {} of them",
            u.strategy,
            money(u.mean_diff),
            money(2.0 * u.se),
            charts::style::percent(r.p_best)
        )),
        None => reason.push_str(" and is the only strategy that qualifies"),
    }
    reason
}

/// Refuses an existing non-empty folder without `force`, and before anything is computed, a
/// file in its place or on its path and a parent folder the report could not be built in.
pub fn check_dir(out_dir: &Path, force: bool) -> Result<(), Error> {
    // The folder itself when it exists, else the nearest folder above it that does.
    let existing = out_dir
        .ancestors()
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .find(|p| p.exists())
        .unwrap_or(Path::new("."));
    if !existing.is_dir() {
        let what = if existing == out_dir {
            "not a folder".to_string()
        } else {
            format!("so `{}` cannot be a folder", out_dir.display())
        };
        return Err(Error::Usage(format!(
            "--out: `{}` is a file, {what}\n  hint: name a new or existing folder",
            existing.display()
        )));
    }
    // The report is built beside the folder, in its parent.
    let parent = match std::fs::canonicalize(out_dir) {
        Ok(real) if existing == out_dir => real.parent().map(Path::to_path_buf),
        _ => None,
    };
    probe_writable(parent.as_deref().unwrap_or(existing))?;
    if out_dir.exists() {
        let non_empty = std::fs::read_dir(out_dir)
            .map_err(|source| Error::Io {
                action: "read folder",
                path: out_dir.to_path_buf(),
                source,
            })?
            .next()
            .is_some();
        if non_empty && !force {
            return Err(Error::OutputExists(out_dir.to_path_buf()));
        }
    }
    Ok(())
}

/// Fails, naming the folder and the cause, when a file cannot be created in `dir`.
fn probe_writable(dir: &Path) -> Result<(), Error> {
    let probe = dir.join(format!(".tmp-{}-probe", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .map_err(|source| Error::Io {
            action: "write in folder",
            path: dir.to_path_buf(),
            source,
        })?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Computes every result the report shows: the plan, the simulation of the default strategies,
/// the debt-budget sweep and the sensitivity of the recommended strategy.
pub fn compute<'a>(
    scenario: &'a Scenario,
    plan_options: &PlanOptions,
    sim_options: &SimOptions,
    progress: &dyn Progress,
) -> Result<ReportData<'a>, Error> {
    // The sweep plans once per share: each share's work is sized for its part of one
    // `--time-limit`, so the report takes about as long as one plan; the whole limit stays the
    // cap of each, so a busy machine does not change the plans.
    let shares = sweep::default_shares();
    let sweep_time_limit_secs = (plan_options.time_limit_secs / shares.len() as f64)
        .max(SWEEP_MIN_TIME_LIMIT_SECS)
        .min(plan_options.time_limit_secs);
    let sweep_plan_options = PlanOptions {
        work_secs: Some(sweep_time_limit_secs),
        ..plan_options.clone()
    };
    // Likewise the robust searches: the shares share one `--robust-budget` (at least
    // `SWEEP_MIN_ROBUST_BUDGET` each), so the sweep searches about as long as the main search.
    let budget = sim_options.robust.budget;
    let sweep_sim_options = SimOptions {
        robust: RobustOptions {
            budget: (budget / shares.len())
                .max(SWEEP_MIN_ROBUST_BUDGET)
                .min(budget),
            ..sim_options.robust
        },
        ..sim_options.clone()
    };
    // The main plan is solved beside the sweep's plans: each plan is single-threaded, so the
    // main plan and the shares keep every core busy.
    let (sweep, plan) = sweep::sweep_alongside(
        scenario,
        &shares,
        &sweep_plan_options,
        &sweep_sim_options,
        progress,
        || solve_plan(scenario, plan_options),
    );
    // The plan's own errors (an infeasible scenario) come first, as if it had been solved alone.
    let plan = match plan {
        Some(plan) => plan?,
        None => solve_plan(scenario, plan_options)?,
    };
    let sweep = sweep?;
    let specs = StrategySpec::defaults(scenario);
    let simulation = simulate(scenario, Some(&plan), &specs, sim_options, progress)?;
    let recommendation = recommend(scenario, &simulation);
    let spec = recommendation
        .as_ref()
        .and_then(|r| specs.get(r.index))
        .unwrap_or(&StrategySpec::Plan);
    // `robust` is replayed as the order and share its search found, never searched again per
    // scaled input (see `sensitivity`).
    let search = recommendation
        .as_ref()
        .and_then(|r| simulation.strategies.get(r.index))
        .and_then(|r| r.search.as_ref());
    let replayed = match (spec, search) {
        (StrategySpec::Robust, Some(search)) => Replayed::robust(scenario, search)?,
        _ => Replayed::Spec(spec),
    };
    let sens_options = SimOptions {
        n_trials: sim_options.n_trials.min(SENSITIVITY_TRIALS),
        ..sim_options.clone()
    };
    let sensitivity = sensitivity::sensitivity_replaying(
        scenario,
        Some(&plan),
        &replayed,
        &sens_options,
        sensitivity::DEFAULT_DELTA,
        progress,
    )?;
    Ok(ReportData {
        scenario,
        plan,
        simulation,
        sweep,
        sweep_time_limit_secs,
        sensitivity,
        recommendation,
    })
}

/// The machine-readable twin of the page.
#[derive(Serialize)]
struct Results<'a> {
    tool: &'static str,
    version: &'static str,
    scenario: ScenarioHeader<'a>,
    recommendation: &'a Option<Recommendation>,
    optimising_worth: Option<OptimisingWorth>,
    /// The recommended strategy's roadmap over the sampled futures.
    roadmap: Option<Roadmap>,
    plan: &'a Plan,
    simulation: &'a Simulation,
    sweep: &'a Sweep,
    sensitivity: &'a Sensitivity,
}

#[derive(Serialize)]
struct ScenarioHeader<'a> {
    name: &'a str,
    file: String,
    periods: usize,
    labels: &'a [String],
    currency: &'a str,
    warnings: &'a [String],
}

/// `results.json`: the recommendation, what optimising is worth, the recommended strategy's
/// roadmap, the plan, simulation (with the robust search), sweep and sensitivity.
pub fn results_json(data: &ReportData) -> Result<String, Error> {
    let s = data.scenario;
    let results = Results {
        tool: "tradeoff",
        version: env!("CARGO_PKG_VERSION"),
        scenario: ScenarioHeader {
            name: &s.name,
            file: s
                .source
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default(),
            periods: s.periods,
            labels: &s.labels,
            currency: &s.currency,
            warnings: &s.warnings,
        },
        recommendation: &data.recommendation,
        optimising_worth: optimising_worth(s, &data.simulation),
        roadmap: recommended_roadmap(data),
        plan: &data.plan,
        simulation: &data.simulation,
        sweep: &data.sweep,
        sensitivity: &data.sensitivity,
    };
    serde_json::to_string_pretty(&results)
        .map(|mut text| {
            text.push('\n');
            text
        })
        .map_err(|e| Error::Internal(format!("cannot write results.json: {e}")))
}

/// Every chart of the report for these results.
pub fn charts_of(data: &ReportData) -> Vec<Chart> {
    charts::all_charts(
        data.scenario,
        &data.plan,
        &data.simulation,
        recommended_roadmap(data).as_ref(),
        &data.sweep,
        &data.sensitivity,
    )
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    super::atomic::write_atomically(path, bytes)
}

/// Writes the folder's files for computed results; returns their paths, `index.html` first.
///
/// The report is built whole in a hidden folder beside `out_dir` and then put in place at once
/// (see [`super::atomic::replace_folder`]): an error or a kill leaves the previous report whole,
/// or the new one whole, or without a previous one no folder. Files in `out_dir` the report does
/// not write are kept.
pub fn write_bundle(
    out_dir: &Path,
    data: &ReportData,
    progress: &dyn Progress,
) -> Result<Vec<PathBuf>, Error> {
    let mut files = super::atomic::replace_folder(out_dir, |tmp| {
        let mut files = write_files(tmp, data, progress)?;
        // Where the folder cannot be swapped whole, the page moves last.
        files.rotate_left(1);
        Ok(files)
    })?;
    files.rotate_right(1);
    Ok(files)
}

/// Writes every file of the report into the folder `out_dir`; returns their paths, `index.html`
/// first.
fn write_files(
    out_dir: &Path,
    data: &ReportData,
    progress: &dyn Progress,
) -> Result<Vec<PathBuf>, Error> {
    let charts = charts_of(data);
    progress.start("charts", charts.len() as u64);
    let drawn: Vec<Result<(String, Vec<PathBuf>), Error>> = charts
        .par_iter()
        .map(|chart| {
            let svg = chart.svg()?;
            let svg_path = out_dir.join(format!("{}.svg", chart.name));
            write_file(&svg_path, svg.as_bytes())?;
            let png_path = out_dir.join(format!("{}.png", chart.name));
            super::atomic::replace_atomically(&png_path, |tmp| chart.write_png(tmp))?;
            progress.advance(1);
            Ok((svg, vec![svg_path, png_path]))
        })
        .collect();
    progress.finish();
    let mut files = Vec::new();
    let mut svgs = Vec::with_capacity(charts.len());
    for result in drawn {
        let (svg, paths) = result?;
        svgs.push(svg);
        files.extend(paths);
    }
    let figures: Vec<(&Chart, &str)> = charts.iter().zip(svgs.iter().map(String::as_str)).collect();
    let page = html::render(data, &figures);
    let index = out_dir.join("index.html");
    write_file(&index, page.as_bytes())?;
    files.insert(0, index);

    let plan_csv = plan_output::render_plan(data.scenario, &data.plan, Format::Csv)?;
    let path = out_dir.join("plan.csv");
    write_file(&path, plan_csv.as_bytes())?;
    files.push(path);
    let comparison = sim_output::render_simulation(data.scenario, &data.simulation, Format::Csv)?;
    let path = out_dir.join("comparison.csv");
    write_file(&path, comparison.as_bytes())?;
    files.push(path);
    let path = out_dir.join("results.json");
    write_file(&path, results_json(data)?.as_bytes())?;
    files.push(path);
    Ok(files)
}

/// The whole report: refuses a non-empty `out_dir` without `force`, computes every result and
/// writes the folder.
pub fn write_report(
    scenario: &Scenario,
    out_dir: &Path,
    plan_options: &PlanOptions,
    sim_options: &SimOptions,
    force: bool,
    progress: &dyn Progress,
) -> Result<ReportSummary, Error> {
    check_dir(out_dir, force)?;
    let data = compute(scenario, plan_options, sim_options, progress)?;
    let files = write_bundle(out_dir, &data, progress)?;
    Ok(ReportSummary {
        out_dir: out_dir.to_path_buf(),
        files,
        recommended: data.recommendation.map(|r| r.strategy),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::fixture;

    /// The fixture without its `robust` strategy (and the pairs that name it).
    fn without_robust(mut sim: Simulation) -> Simulation {
        sim.strategies.retain(|s| s.name != "robust");
        sim.paired.retain(|p| p.a != "robust" && p.b != "robust");
        sim
    }

    #[test]
    fn names_a_tie_when_two_strategies_earn_the_same_in_every_future() {
        let scenario = fixture::scenario(8);
        let mut sim = without_robust(fixture::simulation(&scenario));
        // debt-first becomes plan's twin: the same outcomes, so every paired difference is 0 ± 0.
        let mut twin = sim.strategies[0].clone();
        twin.name = "debt-first".into();
        sim.strategies[3] = twin;
        for p in &mut sim.paired {
            if (p.a == "plan" && p.b == "debt-first") || (p.a == "debt-first" && p.b == "plan") {
                p.mean_diff = 0.0;
                p.se = 0.0;
            }
        }
        let rec = recommend(&scenario, &sim).expect("a recommendation");
        assert_eq!(rec.strategy, "plan");
        assert!(
            rec.reason
                .starts_with("plan and debt-first earn the same in every sampled future"),
            "{}",
            rec.reason
        );
    }

    #[test]
    fn recommends_the_best_mean_among_reliable_strategies() {
        let scenario = fixture::scenario(8);
        let sim = without_robust(fixture::simulation(&scenario));
        let rec = recommend(&scenario, &sim).expect("a recommendation");
        // plan and debt-first meet the GDPR deadline in 50% of futures, the others far less.
        assert_eq!(rec.strategy, "plan");
        assert_eq!(
            rec.runner_up.as_ref().map(|u| u.strategy.as_str()),
            Some("debt-first")
        );
        let excluded: Vec<&str> = rec.excluded.iter().map(|e| e.strategy.as_str()).collect();
        assert_eq!(excluded, ["wsjf", "features-first", "CTO proposal"]);
        assert!((rec.deadline_reliability.unwrap() - 0.5).abs() < 1e-9);
        assert!(rec
            .reason
            .starts_with("plan has the highest expected net value"));
    }

    #[test]
    fn robust_is_recommended_like_any_other_strategy() {
        let scenario = fixture::scenario(8);
        let mut sim = fixture::simulation(&scenario);
        // As reliable as plan and with the highest mean: robust wins, plan is the runner-up.
        let rec = recommend(&scenario, &sim).expect("a recommendation");
        assert_eq!(rec.strategy, "robust");
        assert_eq!(rec.index, 5);
        assert_eq!(
            rec.runner_up.as_ref().map(|u| u.strategy.as_str()),
            Some("plan")
        );
        // Less reliable than the rest allow, it is passed over like any other.
        let wsjf = sim.strategies[1].initiatives.clone();
        sim.strategies[5].initiatives = wsjf;
        let rec = recommend(&scenario, &sim).expect("a recommendation");
        assert_eq!(rec.strategy, "plan");
        assert!(rec.excluded.iter().any(|e| e.strategy == "robust"));
    }

    #[test]
    fn optimising_is_worth_robust_minus_the_best_written_strategy_and_the_plan() {
        let scenario = fixture::scenario(8);
        let sim = fixture::simulation(&scenario);
        let worth = optimising_worth(&scenario, &sim).expect("robust was simulated");
        assert_eq!(worth.strategy, "robust");
        // The scenario's one [[strategy]] is the baseline, though built-ins earn more.
        let written = worth.vs_best_written.as_ref().unwrap();
        assert_eq!(written.baseline, "CTO proposal");
        assert_eq!(written.source, "scenario");
        assert!((written.mean_diff - (1_480_000.0 - 1_100_000.0) * 0.9).abs() < 1e-6);
        assert_eq!(written.se, 4_000.0);
        let plan = worth.vs_plan.as_ref().unwrap();
        assert_eq!((plan.baseline.as_str(), plan.source), ("plan", "plan"));
        assert!((plan.mean_diff - 80_000.0 * 0.9).abs() < 1e-6);

        // Without [[strategy]] entries, the best built-in rule other than plan and robust.
        let mut bare = scenario.clone();
        bare.strategies.clear();
        let mut sim = sim.clone();
        sim.strategies.retain(|s| s.name != "CTO proposal");
        let worth = optimising_worth(&bare, &sim).unwrap();
        let builtin = worth.vs_best_written.unwrap();
        assert_eq!(
            (builtin.baseline.as_str(), builtin.source),
            ("features-first", "built-in")
        );

        assert!(optimising_worth(&scenario, &without_robust(sim)).is_none());
    }

    #[test]
    fn without_deadlines_the_highest_mean_wins() {
        let mut scenario = fixture::scenario(8);
        for it in &mut scenario.initiatives {
            it.deadline = None;
            it.commit = false;
        }
        let mut sim = fixture::simulation(&scenario);
        sim.strategies[2].net_value.mean = 9e9;
        let rec = recommend(&scenario, &sim).expect("a recommendation");
        assert_eq!(rec.strategy, "features-first");
        assert_eq!(rec.deadline_reliability, None);
        assert!(rec.excluded.is_empty());
    }

    #[test]
    fn ties_go_to_the_better_bad_case() {
        let scenario = fixture::scenario(8);
        let mut sim = fixture::simulation(&scenario);
        let robust_mean = sim.strategies[5].net_value.mean;
        sim.strategies[3].net_value.mean = robust_mean;
        sim.strategies[3].net_value.p10 = sim.strategies[5].net_value.p10 + 1.0;
        assert_eq!(recommend(&scenario, &sim).unwrap().strategy, "debt-first");
    }

    #[test]
    fn no_strategy_means_no_recommendation() {
        let scenario = fixture::scenario(4);
        let mut sim = fixture::simulation(&scenario);
        sim.strategies.clear();
        assert!(recommend(&scenario, &sim).is_none());
    }

    #[test]
    fn a_non_empty_folder_is_refused_without_force() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            check_dir(dir.path(), false).is_ok(),
            "an empty folder is fine"
        );
        assert!(
            check_dir(&dir.path().join("new"), false).is_ok(),
            "a new folder is fine"
        );
        std::fs::write(dir.path().join("x"), "x").unwrap();
        match check_dir(dir.path(), false) {
            Err(Error::OutputExists(p)) => assert_eq!(p, dir.path()),
            other => panic!("expected OutputExists, got {other:?}"),
        }
        assert!(check_dir(dir.path(), true).is_ok());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "the probe file is gone"
        );
    }

    #[test]
    fn a_file_in_the_folder_s_place_or_path_is_refused_even_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("review");
        std::fs::write(&file, "x").unwrap();
        for out in [file.clone(), file.join("sub")] {
            match check_dir(&out, true) {
                Err(e @ Error::Usage(_)) => assert!(e.to_string().contains("is a file"), "{e}"),
                other => panic!(
                    "expected a usage error for {}, got {other:?}",
                    out.display()
                ),
            }
        }
    }

    #[test]
    fn results_json_carries_every_part() {
        let scenario = fixture::scenario(8);
        let data = fixture::report_data(&scenario);
        let json: serde_json::Value = serde_json::from_str(&results_json(&data).unwrap()).unwrap();
        assert_eq!(json["scenario"]["file"], "fixture.toml");
        assert_eq!(json["recommendation"]["strategy"], "robust");
        let strategies = json["simulation"]["strategies"].as_array().unwrap();
        assert_eq!(strategies.len(), 6);
        let search = &strategies[5]["search"];
        for key in [
            "order",
            "stability_share",
            "start",
            "train_mean",
            "train_reliability",
            "reliability_floor",
            "evaluations",
            "training_futures",
            "seconds",
        ] {
            assert!(!search[key].is_null(), "search lacks {key}");
        }
        assert!(strategies[0].get("search").is_none());
        let worth = &json["optimising_worth"];
        assert_eq!(worth["strategy"], "robust");
        assert_eq!(worth["vs_best_written"]["baseline"], "CTO proposal");
        assert_eq!(worth["vs_best_written"]["source"], "scenario");
        assert_eq!(worth["vs_plan"]["baseline"], "plan");
        assert!(worth["vs_plan"]["mean_diff"].as_f64().unwrap() > 0.0);
        assert!(worth["vs_plan"]["se"].as_f64().is_some());
        let roadmap = &json["roadmap"];
        assert_eq!(roadmap["strategy"], "robust");
        let items = roadmap["items"].as_array().unwrap();
        assert_eq!(items.len(), 7);
        for key in [
            "start_p50",
            "delivery_p10",
            "delivery_p50",
            "delivery_p90",
            "group",
        ] {
            assert!(items[0].get(key).is_some(), "roadmap items lack {key}");
        }
        assert_eq!(
            json["sensitivity"]["replayed_order"]["stability_share"],
            0.25
        );
        assert_eq!(json["sweep"]["best_p50"], 0.25);
        assert_eq!(json["sensitivity"]["rows"].as_array().unwrap().len(), 6);
        assert_eq!(json["plan"]["status"], "optimal");
    }
}
