//! Simulator throughput on the shipped `portfolio-200` scenario (200 initiatives × 12 periods):
//! trials per second and nanoseconds per initiative·period·trial·strategy, on 1 and 2 threads.
//!
//! Run with `cargo bench --bench simulate`; figures are recorded in `benches/README.md`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::path::Path;
use std::time::Duration;

use tradeoff::progress::Silent;
use tradeoff::scenario::{load_scenario, Scenario};
use tradeoff::simulate::{simulate, SimOptions, StrategySpec};

const TRIALS: usize = 10_000;

fn portfolio() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/portfolio-200.toml");
    load_scenario(&path).expect("the shipped portfolio-200 scenario loads")
}

fn bench_simulate(c: &mut Criterion) {
    let scenario = portfolio();
    let cells = (scenario.initiatives.len() * scenario.periods) as f64;
    // A plan to replay: any good plan will do, so the planner gets a short time limit.
    let plan = tradeoff::plan::solve_plan(
        &scenario,
        &tradeoff::plan::PlanOptions {
            time_limit_secs: 10.0,
            ..Default::default()
        },
    )
    .ok();
    let mut cases: Vec<(&str, Vec<StrategySpec>)> = vec![
        ("wsjf", vec![StrategySpec::Wsjf]),
        (
            "four-strategies",
            vec![
                StrategySpec::Wsjf,
                StrategySpec::FeaturesFirst,
                StrategySpec::DebtFirst,
                StrategySpec::DebtSprint(3),
            ],
        ),
    ];
    if plan.is_some() {
        cases.push(("plan", vec![StrategySpec::Plan]));
    }
    let mut group = c.benchmark_group("simulate/portfolio-200");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6));
    group.throughput(Throughput::Elements(TRIALS as u64));
    for (label, specs) in &cases {
        for threads in [1usize, 2] {
            let options = SimOptions {
                n_trials: TRIALS,
                seed: 42,
                threads: Some(threads),
                deterministic: false,
                robust: Default::default(),
            };
            let id = BenchmarkId::new(*label, format!("{threads}-thread"));
            group.bench_with_input(id, &options, |b, options| {
                b.iter(|| {
                    simulate(&scenario, plan.as_ref(), specs, options, &Silent).expect("runs")
                })
            });
            // One timed run (after a warm-up run) for the per-cell figure printed next to
            // criterion's numbers.
            simulate(&scenario, plan.as_ref(), specs, &options, &Silent).expect("runs");
            let start = std::time::Instant::now();
            simulate(&scenario, plan.as_ref(), specs, &options, &Silent).expect("runs");
            let secs = start.elapsed().as_secs_f64();
            println!(
                "{label}, {threads} thread(s): {:.0} trials/s, {:.2} ns per initiative·period·trial·strategy",
                TRIALS as f64 / secs,
                secs * 1e9 / (cells * TRIALS as f64 * specs.len() as f64)
            );
        }
    }
    group.finish();
}

/// The two halves of a trial on their own: sampling one future, and replaying one strategy on
/// a future (with settlement); plus the cost of single draws for calibration.
fn bench_parts(c: &mut Criterion) {
    use tradeoff::internals::simulate::compile_strategy;
    use tradeoff::internals::simulate::{replay, settle, Workspace};
    use tradeoff::internals::simulate::{Future, Model};
    let scenario = portfolio();
    let model = Model::new(&scenario);
    let mut future = Future::for_sampling(&model);
    let mut group = c.benchmark_group("trial-parts/portfolio-200");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    // Calibration: 1,000 uniform 64-bit draws, 1,000 Beta-PERT draws from the shared table
    // (four shape rows, blended cubically) and 1,000 from one estimate's row (as in a trial).
    {
        use rand::{Rng, SeedableRng};
        use tradeoff::internals::simulate::{pert_table, PertSampler};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(1);
        group.bench_function("1000-uniform-draws", |b| {
            b.iter(|| {
                let mut acc = 0u64;
                for _ in 0..1000 {
                    acc = acc.wrapping_add(rng.next_u64());
                }
                acc
            })
        });
        let table = pert_table();
        let sampler = PertSampler::new(&tradeoff::scenario::Estimate {
            low: 10.0,
            likely: 12.0,
            high: 20.0,
        })
        .expect("uncertain");
        group.bench_function("1000-pert-draws", |b| {
            b.iter(|| {
                let mut acc = 0.0;
                for _ in 0..1000 {
                    acc += sampler.sample(table, rng.next_u64());
                }
                acc
            })
        });
        // What a trial does: each estimate reads its shape's blended 16-bit row.
        let mut rows = tradeoff::internals::simulate::PertRows::default();
        let row = rows.push(table, &sampler, 1.0);
        group.bench_function("1000-pert-row-draws", |b| {
            b.iter(|| {
                let mut acc = 0.0;
                for _ in 0..1000 {
                    acc += rows.sample(&row, rng.next_u64());
                }
                acc
            })
        });
    }
    let mut trial = 0u64;
    group.bench_function("sample-future", |b| {
        b.iter(|| {
            trial += 1;
            future.sample(&model, 42, trial);
        })
    });
    let mut ws = Workspace::new(&model);
    for spec in [StrategySpec::Wsjf, StrategySpec::DebtSprint(3)] {
        let strategy = compile_strategy(&scenario, None, &spec).expect("compiles");
        let name = format!("replay-and-settle/{}", spec.name(&scenario));
        let mut trial = 0u64;
        group.bench_function(name, |b| {
            b.iter(|| {
                trial = (trial + 1) % 64;
                if trial == 0 {
                    future.sample(&model, 42, trial);
                }
                replay(&model, &future, &strategy, &mut ws);
                settle(&model, &future, &ws.delivered)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_simulate, bench_parts);
criterion_main!(benches);
