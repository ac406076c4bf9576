//! The `robust` search (SPEC "The robust strategy"): the whole search on the shipped scenarios at
//! the defaults (1,000 training futures, a budget of 20,000 replays), on 1 and 2 threads, and one
//! candidate's evaluation (one replay of the training set).
//!
//! Run with `cargo bench --bench robust`; `TRADEOFF_BENCH_SCENARIO=NAME` picks one shipped
//! scenario (default: fintech-expansion). Figures are recorded in `benches/README.md`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::path::Path;
use std::time::Duration;

use tradeoff::internals::simulate::wsjf_order;
use tradeoff::internals::simulate::{search, Trainer};
use tradeoff::plan::{solve_plan, PlanOptions};
use tradeoff::progress::Silent;
use tradeoff::scenario::load_scenario;
use tradeoff::simulate::RobustOptions;
use tradeoff::simulate::SimOptions;

fn bench_robust(c: &mut Criterion) {
    let name = std::env::var("TRADEOFF_BENCH_SCENARIO")
        .unwrap_or_else(|_| "fintech-expansion".to_string());
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"));
    let scenario = load_scenario(&path).expect("the shipped scenario loads");
    // The plan the search starts `plan-order` from; solved once, outside the timings.
    let plan = solve_plan(&scenario, &PlanOptions::default()).ok();
    let robust = RobustOptions::default();

    let mut group = c.benchmark_group(format!("robust/{name}"));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20));
    for threads in [1usize, 2] {
        let sim = SimOptions {
            threads: Some(threads),
            robust,
            ..SimOptions::default()
        };
        let found = search(&scenario, plan.as_ref(), None, &sim, &robust, &Silent).expect("runs");
        println!(
            "{name}, {threads} thread(s): {} evaluations, start {}, training mean {:.0}, {:.2} s",
            found.search.evaluations,
            found.search.start,
            found.search.train_mean,
            found.search.seconds
        );
        group.bench_with_input(
            BenchmarkId::new("search", format!("{threads}-thread")),
            &sim,
            |b, sim| {
                b.iter(|| {
                    search(&scenario, plan.as_ref(), None, sim, &robust, &Silent).expect("runs")
                })
            },
        );
    }
    group.finish();

    let mut group = c.benchmark_group(format!("robust/{name}"));
    group.sample_size(30);
    let order = wsjf_order(&scenario);
    let share = scenario.capacity.stability_min;
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        let mut trainer = Trainer::new(&scenario, 42, robust.n_train, false);
        group.bench_function(
            BenchmarkId::new("one-evaluation", format!("{threads}-thread")),
            |b| b.iter(|| pool.install(|| trainer.evaluate(&order, share))),
        );
    }
    group.finish();
}

criterion_group!(benches, bench_robust);
criterion_main!(benches);
