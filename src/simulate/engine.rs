//! Runs the trials in parallel and summarises them into a [`Simulation`].
//!
//! Trials are cut into fixed chunks of 512; chunks run on rayon's pool in any order, and each
//! writes only its own slots (net values, band values, its floating-point partial sums). The
//! partial sums are merged in chunk order afterwards and the delivery counts are integers, so the
//! output is byte-identical for any thread count.
//!
//! Memory. Exact quantiles need every net value: we store one `f64` per trial and strategy while
//! trials × strategies ≤ 2^24 (128 MiB); beyond that, quantiles and the histogram come from the
//! first 2^24 / strategies trials (a deterministic subsample; `quantile_trials` says how many),
//! while means, standard deviations, paired differences, P(best) and delivery probabilities
//! always use every trial. The cumulative-value bands of the fan chart are exact quantiles over
//! the first min(100,000, 2^22 / (strategies × periods)) trials (`band_trials`), stored as `f32`.

use rayon::prelude::*;

use super::replay::{item_value_earned, replay, settle_into, Accounts, Cumulative, Workspace};
use super::sampling::{Future, Model};
use super::stats::{histogram_counts, histogram_edges, quantiles_unsorted, Moments};
use super::strategy::Strategy;
use super::{
    Band, Distribution, GroupOutcome, Histogram, InitiativeOutcome, Mean, ObjectiveOutcome,
    PairedDiff, SimOptions, Simulation, StrategyResult,
};
use crate::error::Error;
use crate::progress::Progress;
use crate::scenario::Scenario;

/// Trials per chunk: the unit of parallel work, progress and ordered merging.
pub const CHUNK_TRIALS: usize = 512;
/// Most net values kept for exact quantiles (f64).
pub const EXACT_VALUES_LIMIT: usize = 1 << 24;
/// Most cumulative values kept for the fan-chart bands (f32).
pub const BAND_VALUES_LIMIT: usize = 1 << 22;
/// Most trials the fan-chart bands use.
pub const BAND_TRIALS_MAX: usize = 100_000;
/// Chunks per batch: the partial sums of one batch (a few hundred bytes per chunk) are all that
/// is kept at once besides the stored values.
pub const BATCH_CHUNKS: usize = 1024;
/// Bins of the net-value histogram.
pub const HISTOGRAM_BINS: usize = 40;

/// Floating-point partial sums of one chunk.
#[derive(Debug, Clone, Default)]
struct ChunkSums {
    net: Vec<Moments>,
    /// value earned, cost of delay, incident losses, penalties per strategy.
    parts: Vec<[f64; 4]>,
    p_best: Vec<f64>,
    /// Differences a − b for a < b, row-major over the upper triangle.
    pairs: Vec<Moments>,
    /// Value earned by each item, `[s × items + item]`, for the objective roll-up's rows (empty
    /// without objectives): a row's value is the sum of its items', added up once at the end.
    item_value: Vec<f64>,
    /// Trials in which every item of the row was delivered within the horizon,
    /// `[s × rows + row]`.
    objective_all: Vec<u64>,
}

impl ChunkSums {
    fn new(n_strategies: usize, index: &RollupIndex) -> ChunkSums {
        let n_items = if index.is_empty() { 0 } else { index.n_items };
        ChunkSums {
            net: vec![Moments::default(); n_strategies],
            parts: vec![[0.0; 4]; n_strategies],
            p_best: vec![0.0; n_strategies],
            pairs: vec![Moments::default(); n_strategies * n_strategies.saturating_sub(1) / 2],
            item_value: vec![0.0; n_strategies * n_items],
            objective_all: vec![0; n_strategies * index.n_rows()],
        }
    }

    fn merge(&mut self, other: &ChunkSums) {
        for (a, b) in self.net.iter_mut().zip(&other.net) {
            a.merge(b);
        }
        for (a, b) in self.parts.iter_mut().zip(&other.parts) {
            for k in 0..4 {
                a[k] += b[k];
            }
        }
        for (a, b) in self.p_best.iter_mut().zip(&other.p_best) {
            *a += b;
        }
        for (a, b) in self.pairs.iter_mut().zip(&other.pairs) {
            a.merge(b);
        }
        for (a, b) in self.item_value.iter_mut().zip(&other.item_value) {
            *a += b;
        }
        for (a, b) in self.objective_all.iter_mut().zip(&other.objective_all) {
            *a += b;
        }
    }
}

/// The objective roll-up's rows ([`crate::objectives::member_rows`]) for the replays. Empty
/// without objectives, and then nothing is rolled up.
struct RollupIndex<'a> {
    /// Each row's items.
    rows: &'a [Vec<usize>],
    n_items: usize,
}

impl RollupIndex<'_> {
    fn n_rows(&self) -> usize {
        self.rows.len()
    }

    fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// Adds one replay's value earned by item and counts the rows whose items were all delivered,
/// into strategy `s`'s sums. An item not delivered earns nothing, so only the delivered ones
/// are visited. Each item has a slot of its own: the rows' sums, which would add into the same
/// few slots item after item (each addition waiting for the last), are formed once at the end.
fn roll_up(
    model: &Model,
    future: &Future,
    ws: &Workspace,
    index: &RollupIndex,
    s: usize,
    sums: &mut ChunkSums,
) {
    let n_items = index.n_items;
    let value = &mut sums.item_value[s * n_items..(s + 1) * n_items];
    for &i in &ws.delivered_items {
        let i = i as usize;
        value[i] += item_value_earned(model, future, i, ws.delivered[i]);
    }
    let all = &mut sums.objective_all[s * index.n_rows()..(s + 1) * index.n_rows()];
    for (slot, members) in all.iter_mut().zip(index.rows) {
        let delivered = &ws.delivered;
        *slot += u64::from(!members.is_empty() && members.iter().all(|&i| delivered[i] != 0));
    }
}

/// A worker's scratch and integer counts.
struct Worker {
    future: Future,
    ws: Workspace,
    nets: Vec<f64>,
    cumulative: Vec<f64>,
    scratch: Vec<f64>,
    /// Deliveries by period: `counts[(s × n_items + i) × (T + 1) + period]` (period 0, never,
    /// is not counted: it is what the others leave).
    counts: Vec<u64>,
    /// First periods with work, laid out like `counts`.
    start_counts: Vec<u64>,
}

/// What every chunk needs to know.
struct Context<'a> {
    model: &'a Model,
    strategies: &'a [Strategy],
    seed: u64,
    deterministic: bool,
    n_trials: usize,
    n_band: usize,
    /// The objective roll-up's rows; empty without objectives.
    rollup: &'a RollupIndex<'a>,
}

impl Worker {
    fn new(ctx: &Context) -> Worker {
        let m = ctx.model;
        let future = if ctx.deterministic {
            Future::deterministic(m)
        } else {
            Future::for_sampling(m)
        };
        Worker {
            future,
            ws: Workspace::new(m),
            nets: vec![0.0; ctx.strategies.len()],
            cumulative: vec![0.0; m.n_periods],
            scratch: Vec::new(),
            counts: vec![0; ctx.strategies.len() * m.n_items * (m.n_periods + 1)],
            start_counts: vec![0; ctx.strategies.len() * m.n_items * (m.n_periods + 1)],
        }
    }

    fn run_chunk(
        &mut self,
        ctx: &Context,
        chunk_idx: usize,
        net_out: &mut [f64],
        band_out: &mut [f32],
        sums: &mut ChunkSums,
    ) {
        let model = ctx.model;
        let n_strategies = ctx.strategies.len();
        let n_periods = model.n_periods;
        let first = chunk_idx * CHUNK_TRIALS;
        let last = (first + CHUNK_TRIALS).min(ctx.n_trials);
        // Summed here and stored once at the end: the chunks' slots are small neighbouring
        // allocations, which two threads must not write trial by trial (false sharing).
        let out = sums;
        let sums = &mut ChunkSums::new(n_strategies, ctx.rollup);
        for trial in first..last {
            if !ctx.deterministic {
                self.future.sample(model, ctx.seed, trial as u64);
            }
            for (s, strategy) in ctx.strategies.iter().enumerate() {
                replay(model, &self.future, strategy, &mut self.ws);
                let keep_band = trial < ctx.n_band;
                let acc: Accounts = settle_into(
                    model,
                    &self.future,
                    &self.ws.delivered,
                    keep_band.then_some(Cumulative {
                        delivered_items: &self.ws.delivered_items,
                        scratch: &mut self.scratch,
                        out: &mut self.cumulative[..],
                    }),
                );
                let net = acc.net_value();
                self.nets[s] = net;
                sums.net[s].push(net);
                let p = &mut sums.parts[s];
                p[0] += acc.value_earned;
                p[1] += acc.cost_of_delay;
                p[2] += acc.incident_losses;
                p[3] += acc.penalties;
                if !ctx.rollup.is_empty() {
                    roll_up(model, &self.future, &self.ws, ctx.rollup, s, sums);
                }
                let base = s * model.n_items * (n_periods + 1);
                for &i in &self.ws.delivered_items {
                    let i = i as usize;
                    let d = self.ws.delivered[i] as usize;
                    self.counts[base + i * (n_periods + 1) + d] += 1;
                }
                for &i in &self.ws.started_items {
                    let i = i as usize;
                    let p = self.ws.started[i] as usize;
                    self.start_counts[base + i * (n_periods + 1) + p] += 1;
                }
                if keep_band {
                    let offset = ((trial - first) * n_strategies + s) * n_periods;
                    for (slot, value) in band_out[offset..offset + n_periods]
                        .iter_mut()
                        .zip(&self.cumulative)
                    {
                        *slot = *value as f32;
                    }
                }
            }
            let local = trial - first;
            if (local + 1) * n_strategies <= net_out.len() {
                net_out[local * n_strategies..(local + 1) * n_strategies]
                    .copy_from_slice(&self.nets);
            }
            // P(best), ties split equally.
            let best = self.nets.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let n_best = self.nets.iter().filter(|&&x| x == best).count().max(1);
            for (s, &x) in self.nets.iter().enumerate() {
                if x == best {
                    sums.p_best[s] += 1.0 / n_best as f64;
                }
            }
            let mut pair = 0;
            for a in 0..n_strategies {
                for b in a + 1..n_strategies {
                    sums.pairs[pair].push(self.nets[a] - self.nets[b]);
                    pair += 1;
                }
            }
        }
        *out = std::mem::take(sums);
    }
}

/// Runs every trial and summarises.
pub fn run(
    scenario: &Scenario,
    strategies: &[Strategy],
    options: &SimOptions,
    progress: &dyn Progress,
) -> Result<Simulation, Error> {
    run_in_batches(scenario, strategies, options, progress, BATCH_CHUNKS)
}

/// [`run`] with `batch_chunks` chunks per batch (the results do not depend on it).
pub fn run_in_batches(
    scenario: &Scenario,
    strategies: &[Strategy],
    options: &SimOptions,
    progress: &dyn Progress,
    batch_chunks: usize,
) -> Result<Simulation, Error> {
    let batch_chunks = batch_chunks.max(1);
    // Built on the run's threads: the first use in a process builds the PERT table.
    let model = super::on_threads(options.threads, || Model::new(scenario))?;
    let n_trials = if options.deterministic {
        1
    } else {
        options.n_trials.max(1)
    };
    let n_strategies = strategies.len();
    if n_strategies == 0 {
        return Err(Error::setting(
            crate::error::Setting::Strategies,
            "expected at least one strategy",
        ));
    }
    let n_periods = model.n_periods;
    let n_store = n_trials.min((EXACT_VALUES_LIMIT / n_strategies).max(1));
    let n_band = n_trials
        .min(BAND_TRIALS_MAX)
        .min((BAND_VALUES_LIMIT / (n_strategies * n_periods.max(1))).max(1));
    let n_chunks = n_trials.div_ceil(CHUNK_TRIALS);
    let rows = crate::objectives::member_rows(scenario);
    let rollup = RollupIndex {
        rows: &rows,
        n_items: model.n_items,
    };
    let ctx = Context {
        model: &model,
        strategies,
        seed: options.seed,
        deterministic: options.deterministic,
        n_trials,
        n_band,
        rollup: &rollup,
    };

    let mut net_values = vec![0.0f64; n_store * n_strategies];
    let mut band_values = vec![0.0f32; n_band * n_strategies * n_periods];
    let counts_len = n_strategies * model.n_items * (n_periods + 1);
    let mut counts = vec![0u64; counts_len];
    let mut start_counts = vec![0u64; counts_len];
    let mut totals = ChunkSums::new(n_strategies, &rollup);

    progress.start("simulating", n_trials as u64);
    let work = || {
        let mut nets = net_values.chunks_mut(CHUNK_TRIALS * n_strategies);
        let mut bands = band_values.chunks_mut(CHUNK_TRIALS * n_strategies * n_periods.max(1));
        // Batches bound the partial sums kept at once; they are merged in chunk order.
        for batch_start in (0..n_chunks).step_by(batch_chunks) {
            let batch_end = (batch_start + batch_chunks).min(n_chunks);
            let mut chunk_sums =
                vec![ChunkSums::new(n_strategies, &rollup); batch_end - batch_start];
            let mut jobs = Vec::with_capacity(chunk_sums.len());
            for (offset, sums) in chunk_sums.iter_mut().enumerate() {
                let net: &mut [f64] = nets.next().unwrap_or(&mut []);
                let band: &mut [f32] = bands.next().unwrap_or(&mut []);
                jobs.push((batch_start + offset, net, band, sums));
            }
            let batch_counts = jobs
                .into_par_iter()
                .fold(
                    || Worker::new(&ctx),
                    |mut worker, (chunk_idx, net, band, sums)| {
                        worker.run_chunk(&ctx, chunk_idx, net, band, sums);
                        let done = (n_trials - chunk_idx * CHUNK_TRIALS).min(CHUNK_TRIALS);
                        progress.advance(done as u64);
                        worker
                    },
                )
                .map(|worker| (worker.counts, worker.start_counts))
                .reduce(
                    || (vec![0u64; counts_len], vec![0u64; counts_len]),
                    |mut a, b| {
                        for (x, y) in a.0.iter_mut().zip(&b.0) {
                            *x += y;
                        }
                        for (x, y) in a.1.iter_mut().zip(&b.1) {
                            *x += y;
                        }
                        a
                    },
                );
            for (x, y) in counts.iter_mut().zip(&batch_counts.0) {
                *x += y;
            }
            for (x, y) in start_counts.iter_mut().zip(&batch_counts.1) {
                *x += y;
            }
            for sums in &chunk_sums {
                totals.merge(sums);
            }
        }
    };
    super::on_threads(options.threads, work)?;
    progress.finish();
    Ok(summarise(
        scenario,
        &model,
        strategies,
        options,
        n_trials,
        SummaryInput {
            rows: &rows,
            totals,
            counts,
            start_counts,
            net_values,
            n_store,
            band_values,
            n_band,
        },
    ))
}

struct SummaryInput<'a> {
    rows: &'a [Vec<usize>],
    totals: ChunkSums,
    counts: Vec<u64>,
    start_counts: Vec<u64>,
    net_values: Vec<f64>,
    n_store: usize,
    band_values: Vec<f32>,
    n_band: usize,
}

fn summarise(
    scenario: &Scenario,
    model: &Model,
    strategies: &[Strategy],
    options: &SimOptions,
    n_trials: usize,
    input: SummaryInput<'_>,
) -> Simulation {
    let n_strategies = strategies.len();
    let n_periods = model.n_periods;
    let n = n_trials as f64;

    // Shared histogram bins over every stored net value.
    let (lo, hi) = input
        .net_values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    let edges = histogram_edges(lo, hi, HISTOGRAM_BINS);

    let mut results = Vec::with_capacity(n_strategies);
    let mut column = vec![0.0f64; input.n_store];
    let mut band_column = vec![0.0f64; input.n_band];
    for (s, strategy) in strategies.iter().enumerate() {
        for (trial, slot) in column.iter_mut().enumerate() {
            *slot = input.net_values[trial * n_strategies + s];
        }
        let histogram = Histogram {
            edges: edges.clone(),
            counts: histogram_counts(&column, &edges),
        };
        let q = quantiles_unsorted(&mut column, &[0.05, 0.10, 0.50, 0.90, 0.95]);
        let moments = input.totals.net[s];
        let net_value = Distribution {
            mean: moments.mean,
            sd: moments.sd(),
            p5: q[0],
            p10: q[1],
            p50: q[2],
            p90: q[3],
            p95: q[4],
        };
        let cumulative = (0..n_periods)
            .map(|period_idx| {
                for (trial, slot) in band_column.iter_mut().enumerate() {
                    *slot = input.band_values[(trial * n_strategies + s) * n_periods + period_idx]
                        as f64;
                }
                let q = quantiles_unsorted(&mut band_column, &[0.10, 0.50, 0.90]);
                Band {
                    p10: q[0],
                    p50: q[1],
                    p90: q[2],
                }
            })
            .collect();
        let initiatives = scenario
            .initiatives
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let base = (s * model.n_items + i) * (n_periods + 1);
                let hist = &input.counts[base..base + n_periods + 1];
                let mut delivered_by = Vec::with_capacity(n_periods);
                let mut running = 0u64;
                for &c in &hist[1..] {
                    running += c;
                    delivered_by.push(running as f64 / n);
                }
                let p_delivered = delivered_by.last().copied().unwrap_or(0.0);
                let delivery_p50 = delivered_by
                    .iter()
                    .position(|&p| p >= 0.5)
                    .map(|idx| idx + 1);
                let p_deadline_met = item
                    .deadline
                    .map(|d| delivered_by[d.period().clamp(1, n_periods) - 1]);
                let starts = &input.start_counts[base..base + n_periods + 1];
                let mut started_by = Vec::with_capacity(n_periods);
                let mut running = 0u64;
                for &c in &starts[1..] {
                    running += c;
                    started_by.push(running as f64 / n);
                }
                let start_p50 = started_by.iter().position(|&p| p >= 0.5).map(|idx| idx + 1);
                InitiativeOutcome {
                    id: item.id.clone(),
                    p_delivered,
                    delivery_p50,
                    p_deadline_met,
                    start_p50,
                    delivered_by,
                    started_by,
                }
            })
            .collect();
        let parts = input.totals.parts[s];
        let (objectives, any_objective, no_objective) =
            objective_outcomes(scenario, input.rows, &input.totals, s, n);
        results.push(StrategyResult {
            name: strategy.name.clone(),
            stability_share: strategy.stability_share,
            net_value,
            p_best: input.totals.p_best[s] / n,
            value_earned: Mean { mean: parts[0] / n },
            cost_of_delay: Mean { mean: parts[1] / n },
            incident_losses: Mean { mean: parts[2] / n },
            penalties: Mean { mean: parts[3] / n },
            initiatives,
            objectives,
            any_objective,
            no_objective,
            cumulative,
            histogram,
            search: None,
        });
    }

    let mut paired = Vec::with_capacity(n_strategies * n_strategies.saturating_sub(1));
    let pair_index = |a: usize, b: usize| a * n_strategies - a * (a + 1) / 2 + (b - a - 1);
    for a in 0..n_strategies {
        for b in 0..n_strategies {
            if a == b {
                continue;
            }
            let (m, sign) = if a < b {
                (input.totals.pairs[pair_index(a, b)], 1.0)
            } else {
                (input.totals.pairs[pair_index(b, a)], -1.0)
            };
            paired.push(PairedDiff {
                a: strategies[a].name.clone(),
                b: strategies[b].name.clone(),
                mean_diff: sign * m.mean,
                se: m.standard_error(),
            });
        }
    }

    Simulation {
        trials: n_trials,
        seed: options.seed,
        deterministic: options.deterministic,
        quantile_trials: input.n_store,
        band_trials: input.n_band,
        strategies: results,
        paired,
    }
}

/// Strategy `s`'s roll-up by objective, then its "any objective" and "no objective" rows; all
/// empty without objectives.
fn objective_outcomes(
    scenario: &Scenario,
    rows: &[Vec<usize>],
    totals: &ChunkSums,
    s: usize,
    n: f64,
) -> (
    Vec<ObjectiveOutcome>,
    Option<GroupOutcome>,
    Option<GroupOutcome>,
) {
    if rows.is_empty() {
        return (Vec::new(), None, None);
    }
    let base = s * rows.len();
    let n_items = scenario.initiatives.len();
    let item_value = &totals.item_value[s * n_items..(s + 1) * n_items];
    let group = |r: usize| GroupOutcome {
        value_earned_mean: rows[r].iter().map(|&i| item_value[i]).sum::<f64>() / n,
        p_all_delivered: (!rows[r].is_empty()).then(|| totals.objective_all[base + r] as f64 / n),
    };
    let n_objectives = scenario.objectives.len();
    let objectives = scenario
        .objectives
        .iter()
        .enumerate()
        .map(|(r, o)| {
            let g = group(r);
            ObjectiveOutcome {
                id: o.id.clone(),
                value_earned_mean: g.value_earned_mean,
                p_all_delivered: g.p_all_delivered,
            }
        })
        .collect();
    (
        objectives,
        Some(group(n_objectives)),
        Some(group(n_objectives + 1)),
    )
}
