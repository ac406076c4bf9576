//! Benchmark: the whole strategy-review report on `fintech-expansion.toml` with 10,000 trials —
//! plan, simulation of the default strategies, debt-budget sweep, sensitivity, every chart as
//! SVG and PNG, the HTML page and the exports. Target: under 10 s. Results: README-report.md.

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::Path;
use std::time::Duration;

use tradeoff::plan::PlanOptions;
use tradeoff::progress::Silent;
use tradeoff::report::bundle::{compute, write_bundle, write_report};
use tradeoff::simulate::SimOptions;

fn report_fintech(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/fintech-expansion.toml");
    let scenario = tradeoff::scenario::load_scenario(&path).expect("loads");
    let out = tempfile::tempdir().expect("a temporary folder");
    let sim = SimOptions {
        n_trials: 10_000,
        ..SimOptions::default()
    };
    let mut group = c.benchmark_group("report");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(60));
    group.bench_function("fintech-expansion, 10000 trials", |b| {
        b.iter(|| {
            write_report(
                &scenario,
                out.path(),
                &PlanOptions::default(),
                &sim,
                true,
                &Silent,
            )
            .expect("the report is written")
        })
    });
    // The drawing and writing half alone: seven charts as SVG and PNG, the page, the exports.
    let data = compute(&scenario, &PlanOptions::default(), &sim, &Silent).expect("computes");
    group.bench_function("fintech-expansion, charts and files only", |b| {
        b.iter(|| write_bundle(out.path(), &data, &Silent).expect("the folder is written"))
    });
    group.finish();
}

criterion_group!(benches, report_fintech);
criterion_main!(benches);
