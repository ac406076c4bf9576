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
    match load_scenario(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("portfolio-200 unavailable ({e}); using a generated 200 × 12 portfolio");
            generated_portfolio()
        }
    }
}

/// A 200-initiative, 12-period portfolio shaped like the shipped one (used only when the
/// scenario cannot be loaded).
fn generated_portfolio() -> Scenario {
    use tradeoff::scenario::*;
    let mut state = 12345u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64) / (1u64 << 53) as f64
    };
    let periods = 12;
    let mut initiatives = Vec::new();
    for k in 0..200 {
        let class = if next() < 0.35 {
            Class::Stability
        } else {
            Class::Product
        };
        let low = 2.0 + 20.0 * next();
        let likely = low * (1.0 + 0.5 * next());
        let high = likely * (1.3 + next());
        let v = 1000.0 + 20_000.0 * next();
        let risk = if next() < 0.2 {
            Some(Risk::Incident {
                probability: 0.02 + 0.05 * next(),
                impact: Estimate {
                    low: 50_000.0,
                    likely: 100_000.0,
                    high: 400_000.0,
                },
            })
        } else {
            Some(Risk::PerPeriod(Estimate {
                low: 0.0,
                likely: v * 0.2,
                high: v * 0.5,
            }))
        };
        initiatives.push(Initiative {
            id: format!("i{k}"),
            name: format!("i{k}"),
            kind: if class == Class::Product {
                Kind::Feature
            } else {
                Kind::Debt
            },
            class,
            effort: Estimate { low, likely, high },
            progress: 0.0,
            team: Some(2.0 + 4.0 * next()),
            value: Estimate {
                low: v * 0.5,
                likely: v,
                high: v * 2.0,
            },
            one_time_value: Estimate::fixed(if next() < 0.3 { 50_000.0 } else { 0.0 }),
            risk,
            deadline: if next() < 0.1 {
                Some(Deadline::Soft {
                    period: 4 + (next() * 8.0) as usize,
                    penalty: 100_000.0,
                })
            } else {
                None
            },
            requires: if k > 10 && next() < 0.3 {
                vec![(next() * k as f64) as usize]
            } else {
                vec![]
            },
            objectives: vec![],
            commit: false,
            business_outcome: None,
            debt_relief: if class == Class::Stability {
                0.005
            } else {
                0.0
            },
            origin: Origin::default(),
        });
    }
    Scenario {
        name: "generated-200".into(),
        periods,
        period_label: PeriodLabel::Month,
        labels: (1..=periods).map(|t| format!("P{t}")).collect(),
        weeks_per_period: 4.33,
        discount_rate: 0.08,
        periods_per_year: 12.0,
        terminal_periods: 4,
        currency: "EUR".into(),
        capacity: Capacity {
            per_period: vec![400.0; periods],
            buffer: 0.1,
            stability_min: 0.2,
            stability_max: 0.4,
            noise: 0.1,
        },
        debt: Debt {
            drag: 0.1,
            growth: Estimate {
                low: 0.0,
                likely: 0.01,
                high: 0.03,
            },
            ceiling: 0.4,
        },
        objectives: vec![],
        initiatives,
        strategies: vec![],
        warnings: vec![],
        source: "generated".into(),
    }
}

fn bench_simulate(c: &mut Criterion) {
    let scenario = portfolio();
    let cells = (scenario.initiatives.len() * scenario.periods) as f64;
    let cases: [(&str, Vec<StrategySpec>); 2] = [
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
            };
            let id = BenchmarkId::new(*label, format!("{threads}-thread"));
            group.bench_with_input(id, &options, |b, options| {
                b.iter(|| simulate(&scenario, None, specs, options, &Silent).expect("runs"))
            });
            // One timed run (after a warm-up run) for the per-cell figure printed next to
            // criterion's numbers.
            simulate(&scenario, None, specs, &options, &Silent).expect("runs");
            let start = std::time::Instant::now();
            simulate(&scenario, None, specs, &options, &Silent).expect("runs");
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
    use tradeoff::simulate::replay::{replay, settle, Workspace};
    use tradeoff::simulate::sampling::{Future, Model};
    use tradeoff::simulate::strategy::compile_strategy;
    let scenario = portfolio();
    let model = Model::new(&scenario);
    let mut future = Future::for_sampling(&model);
    let mut group = c.benchmark_group("trial-parts/portfolio-200");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    // Calibration: 1,000 uniform 64-bit draws, and 1,000 Beta-PERT draws from the table.
    {
        use rand::{Rng, SeedableRng};
        use tradeoff::simulate::pert::{pert_table, PertSampler};
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
