//! Planner benchmarks on generated portfolios: model building and solving timed apart.
//!
//! Criterion times building the program for every size and solving for the two smaller ones
//! (ten samples each). Solving the 1000-initiative portfolios takes up to a minute per run, so
//! those are timed once each and printed with the gap and bound reached, before criterion runs;
//! `benches/README.md` records the figures. Set `TRADEOFF_BENCH_SIZES=50x8,200x12` to choose the
//! one-shot sizes.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use tradeoff::plan::solve::solve_plan_with_report;
use tradeoff::plan::{build_program, PlanOptions};
use tradeoff::synthetic::portfolio;

const SIZES: [(usize, usize, f64, f64); 4] = [
    // (initiatives, periods, time limit s, target gap)
    (50, 8, 10.0, 0.01),
    (200, 12, 10.0, 0.01),
    (1000, 12, 60.0, 0.02),
    (1000, 24, 60.0, 0.02),
];

fn options(time_limit_secs: f64, gap: f64) -> PlanOptions {
    PlanOptions {
        time_limit_secs,
        gap,
        ..PlanOptions::default()
    }
}

/// Plans each size once and prints what it reached.
fn one_shot() {
    let chosen = std::env::var("TRADEOFF_BENCH_SIZES").ok();
    println!(
        "size       build_ms  heuristic_s  relax_s  milp_s  total_s  status    gap      source"
    );
    for (n, t, limit, gap) in SIZES {
        let name = format!("{n}x{t}");
        if chosen
            .as_deref()
            .is_some_and(|c| !c.split(',').any(|s| s == name))
        {
            continue;
        }
        let scenario = portfolio(n, t, 42);
        let started = Instant::now();
        match solve_plan_with_report(&scenario, &options(limit, gap)) {
            Ok((plan, report)) => println!(
                "{name:<10} {:>8.1}  {:>11.2}  {:>7.2}  {:>6.2}  {:>7.2}  {:<8}  {:>7.4}%  {} (heuristic {:?}, relaxation bound {:.0}, milp bound {:?})",
                report.build.as_secs_f64() * 1e3,
                report.heuristic.as_secs_f64(),
                report.relaxation.as_secs_f64(),
                report.milp.as_secs_f64(),
                started.elapsed().as_secs_f64(),
                format!("{:?}", plan.status).to_lowercase(),
                plan.gap * 100.0,
                report.source,
                report.heuristic_objective.map(|o| o.round()),
                report.relaxation_bound,
                report.milp_bound.map(|b| b.round()),
            ),
            Err(e) => println!("{name:<10} error: {e}"),
        }
    }
}

fn bench_build(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan/build");
    for (n, t, _, _) in SIZES {
        let scenario = portfolio(n, t, 42);
        let opts = PlanOptions::default();
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{n}x{t}")),
            &scenario,
            |b, s| b.iter(|| black_box(build_program(s, &opts))),
        );
    }
    group.finish();
}

fn bench_solve(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan/solve");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    for (n, t, limit, gap) in SIZES.into_iter().take(2) {
        let scenario = portfolio(n, t, 42);
        let opts = options(limit, gap);
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{n}x{t}")),
            &scenario,
            |b, s| b.iter(|| black_box(solve_plan_with_report(s, &opts).map(|(p, _)| p.objective))),
        );
    }
    group.finish();
}

fn main() {
    let test_mode = std::env::args().any(|a| a == "--test");
    if !test_mode && std::env::var("TRADEOFF_BENCH_SKIP_ONE_SHOT").is_err() {
        one_shot();
    }
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    bench_build(&mut c);
    bench_solve(&mut c);
    c.final_summary();
}
