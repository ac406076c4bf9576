//! Benchmark: loading and validating the 200-initiative portfolio (TOML + CSV).

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::Path;

fn load_portfolio(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/portfolio-200.toml");
    c.bench_function("load portfolio-200", |b| {
        b.iter(|| tradeoff::scenario::load_scenario(&path).expect("loads"))
    });
}

criterion_group!(benches, load_portfolio);
criterion_main!(benches);
