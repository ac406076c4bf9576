//! Benchmark: the whole strategy-review report on `fintech-expansion.toml` with 10,000 trials —
//! plan, simulation of the default strategies, debt-budget sweep, sensitivity, every chart as
//! SVG and PNG, the HTML page and the exports. Target: under 10 s. Results: benches/README.md (Report).
//!
//! The whole report is timed once per planner time limit (`TRADEOFF_BENCH_TIME_LIMITS`, seconds,
//! comma-separated; default `60,5,1`), phase by phase one after the other, then once more as the
//! command runs it (`as_run_s`: the main plan beside the sweep's plans), and printed before
//! criterion runs: with a
//! planner that uses its whole time limit, one sample takes minutes. Criterion then times the
//! parts that do not plan: the simulation with sensitivity, and drawing and writing the folder.

use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use tradeoff::plan::{solve_plan, PlanOptions};
use tradeoff::progress::Silent;
use tradeoff::report::write_bundle;
use tradeoff::review::{self, compute, ReportData};
use tradeoff::review::{sensitivity_replaying, Replayed, DEFAULT_DELTA};
use tradeoff::scenario::Scenario;
use tradeoff::simulate::{simulate, SimOptions, StrategySpec};

fn scenario() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/fintech-expansion.toml");
    tradeoff::scenario::load_scenario(&path).expect("loads")
}

fn sim_options() -> SimOptions {
    SimOptions {
        n_trials: 10_000,
        ..SimOptions::default()
    }
}

/// Times `write_report` once, phase by phase, for each planner time limit.
fn one_shot() {
    let limits: Vec<f64> = std::env::var("TRADEOFF_BENCH_TIME_LIMITS")
        .unwrap_or_else(|_| "60,5,1".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let scenario = scenario();
    let sim = sim_options();
    println!(
        "time_limit_s  plan_s  simulate_s  sweep_s  sensitivity_s  files_s  total_s  plan_status  as_run_s"
    );
    for limit in limits {
        let plan_options = PlanOptions {
            time_limit_secs: limit,
            ..PlanOptions::default()
        };
        let out = tempfile::tempdir().expect("a temporary folder");
        let start = Instant::now();
        let t = Instant::now();
        let plan = solve_plan(&scenario, &plan_options).expect("plans");
        let plan_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let specs = StrategySpec::defaults(&scenario);
        let simulation =
            simulate(&scenario, Some(&plan), &specs, &sim, &Silent).expect("simulates");
        let simulate_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let shares = tradeoff::sweep::default_shares();
        let sweep_limit = (limit / shares.len() as f64)
            .max(review::SWEEP_MIN_TIME_LIMIT_SECS)
            .min(limit);
        let sweep_options = PlanOptions {
            time_limit_secs: sweep_limit,
            ..plan_options.clone()
        };
        let sweep = tradeoff::sweep::sweep(&scenario, &shares, &sweep_options, &sim, &Silent)
            .expect("sweeps");
        let sweep_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let recommendation = review::recommend(&scenario, &simulation);
        let sens_options = SimOptions {
            n_trials: review::SENSITIVITY_TRIALS,
            ..sim.clone()
        };
        // As the report does it: `robust` is replayed as the order its search found in the
        // simulation above, not searched again.
        let replayed =
            Replayed::recommended(&scenario, &specs, &simulation, recommendation.as_ref())
                .expect("the recommended strategy");
        let sensitivity = sensitivity_replaying(
            &scenario,
            Some(&plan),
            &replayed,
            &sens_options,
            DEFAULT_DELTA,
            &Silent,
        )
        .expect("sensitivity");
        let sensitivity_s = t.elapsed().as_secs_f64();
        let status = format!("{:?}", plan.status).to_lowercase();
        let data = ReportData {
            scenario: &scenario,
            plan,
            simulation,
            sweep,
            sweep_time_limit_secs: sweep_limit,
            sensitivity,
            recommendation,
            teams: Vec::new(),
            since: None,
        };
        let t = Instant::now();
        write_bundle(out.path(), &data, &Silent).expect("writes");
        let files_s = t.elapsed().as_secs_f64();
        let total_s = start.elapsed().as_secs_f64();
        // The command as it runs: `compute` solves the main plan beside the sweep's plans.
        let again = tempfile::tempdir().expect("a temporary folder");
        let t = Instant::now();
        let data = compute(&scenario, &plan_options, &sim, &Silent).expect("computes");
        write_bundle(again.path(), &data, &Silent).expect("writes");
        let as_run_s = t.elapsed().as_secs_f64();
        println!(
            "{limit:>12}  {plan_s:>6.2}  {simulate_s:>10.2}  {sweep_s:>7.2}  {sensitivity_s:>13.2}  {files_s:>7.2}  {total_s:>7.2}  {status:<11}  {as_run_s:>8.2}"
        );
    }
}

fn report_parts(c: &mut Criterion) {
    one_shot();
    let scenario = scenario();
    let sim = sim_options();
    // Plans with a short time limit: the parts timed below do not plan.
    let plan_options = PlanOptions {
        time_limit_secs: 1.0,
        ..PlanOptions::default()
    };
    let data = compute(&scenario, &plan_options, &sim, &Silent).expect("computes");
    let out = tempfile::tempdir().expect("a temporary folder");
    let mut group = c.benchmark_group("report");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("fintech-expansion: simulate 10000 trials", |b| {
        let specs = StrategySpec::defaults(&scenario);
        b.iter(|| simulate(&scenario, Some(&data.plan), &specs, &sim, &Silent).expect("simulates"))
    });
    group.bench_function("fintech-expansion: charts, page and exports", |b| {
        b.iter(|| write_bundle(out.path(), &data, &Silent).expect("the folder is written"))
    });
    group.finish();
}

criterion_group!(benches, report_parts);
criterion_main!(benches);
