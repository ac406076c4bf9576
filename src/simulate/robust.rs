//! The `robust` strategy: the priority order and stability share with the highest mean net value
//! over sampled training futures, subject to hard deadlines and commitments being met about as
//! reliably as by the most reliable of the strategies it starts from (SPEC "The robust strategy").
//!
//! Training futures come from streams of their own: training future k is sampled from the trial
//! stream 2^63 + k of the seed, which no run reaches (runs use trial indexes below 2^63), so the
//! run's figures for `robust` are out of sample. They are sampled once and kept; a candidate is
//! judged by replaying it on every one of them with the simulator's own replay and settlement.
//!
//! The search is a first-improvement local search from the three best feasible starts, with
//! moves tried in a fixed order: the share one grid step up, then down; then every insertion
//! (item at position a moved to position b, skipping b = a − 1, which is the adjacent swap
//! already tried as a → a + 1); then every swap of two items that are not adjacent. After an
//! accepted move the scan goes on from the next move, cyclically, and a start's search ends at a
//! local optimum (a whole cycle without an improving feasible move) or when its share of the
//! budget is spent. Moves that cannot change any replay are skipped without counting: the
//! relative order of an item and one of its (transitive) prerequisites never matters, since the
//! dependent may take work only once the prerequisite is delivered.
//!
//! Determinism: candidates are evaluated on fixed chunks of training futures in parallel; each
//! chunk sums its own net values in future order and the chunk sums are added in chunk order, and
//! the delivery counts are integers, so the same seed gives the same search for any thread count.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::time::Instant;

use super::replay::{replay, settle, Workspace};
use super::sampling::{Future, Model};
use super::strategy::{compile_strategy, wsjf_order, Order, Rule, Strategy};
use super::{SimOptions, StrategySpec};
use crate::error::{Error, Setting};
use crate::plan::Plan;
use crate::progress::Progress;
use crate::scenario::Scenario;

/// Training futures per candidate by default (`--robust-trials`).
pub const DEFAULT_TRAINING_FUTURES: usize = 1_000;
/// Replays of the training set by default (`--robust-budget`).
pub const DEFAULT_BUDGET: usize = 20_000;
/// A candidate is feasible when its training reliability is at least R* minus this.
pub const RELIABILITY_SLACK: f64 = 0.05;
/// Step of the share grid.
pub const SHARE_STEP: f64 = 0.05;
/// The training futures' trial indexes start here; a run's trials are all below it.
pub const TRAINING_STREAM: u64 = 1 << 63;
/// The most memory the kept training futures may take (4 GiB).
const MAX_TRAINING_BYTES: u128 = 4 << 30;
/// Training futures per parallel chunk.
const CHUNK_FUTURES: usize = 32;
/// Most starts the local search grows from.
const N_STARTS: usize = 3;

/// The search's options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RobustOptions {
    /// K, the number of training futures (1 with `--deterministic`).
    pub n_train: usize,
    /// At most this many replays of the training set, starts included.
    pub budget: usize,
}

impl Default for RobustOptions {
    fn default() -> Self {
        RobustOptions {
            n_train: DEFAULT_TRAINING_FUTURES,
            budget: DEFAULT_BUDGET,
        }
    }
}

/// What the search found, as `simulate --format json` reports it under the strategy's `search`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RobustSearch {
    /// Every initiative's id, highest priority first.
    pub order: Vec<String>,
    pub stability_share: f64,
    /// The strategy the winning candidate grew from.
    pub start: String,
    /// Mean net value over the training futures.
    pub train_mean: f64,
    /// The lowest share of training futures in which a hard-deadline or committed item is
    /// delivered by its due period (1 when there are none).
    pub train_reliability: f64,
    /// The reliability every candidate had to keep: R* − 0.05, R* the best start's.
    pub reliability_floor: f64,
    /// Replays of the training set, the starts' included.
    pub evaluations: usize,
    pub training_futures: usize,
    pub seconds: f64,
}

/// The search's answer: the report of it and the strategy ready to replay.
#[derive(Debug, Clone)]
pub struct RobustFound {
    pub search: RobustSearch,
    pub strategy: Strategy,
    /// The order as initiative indexes.
    pub order: Vec<u32>,
}

/// Candidates' training score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    pub mean: f64,
    pub reliability: f64,
}

/// The grid of shares a candidate may take: min, min + 0.05, …, and the top itself, where the
/// top is `max` capped at 1 − `buffer` (a share must keep buffer + share ≤ 1, as a pasted
/// `[[strategy]]` must). Inner points are rounded to 1e-9 so that saved strategies print short
/// numbers; the two ends are kept exactly.
pub fn share_grid(min: f64, max: f64, buffer: f64) -> Vec<f64> {
    let round = |x: f64| (x * 1e9).round() / 1e9;
    let top = max.min(1.0 - buffer).max(min);
    let mut grid = vec![min];
    let mut j = 1u32;
    loop {
        let s = round(min + f64::from(j) * SHARE_STEP);
        if s >= top - 1e-9 {
            break;
        }
        grid.push(s);
        j += 1;
    }
    if top > min {
        grid.push(top);
    }
    grid
}

/// The grid value nearest to `share` (the lower one on a tie).
fn snap(grid: &[f64], share: f64) -> f64 {
    grid.iter()
        .copied()
        .fold(None::<f64>, |best, s| match best {
            Some(b) if (b - share).abs() <= (s - share).abs() => Some(b),
            _ => Some(s),
        })
        .unwrap_or(share)
}

/// A start of the search: a strategy's name, order and share.
#[derive(Debug, Clone)]
struct Start {
    name: String,
    order: Vec<u32>,
    share: f64,
}

/// The strategies the search may start from: `plan-order` (when there is a plan), `wsjf`,
/// `features-first`, `debt-first` and the scenario's `[[strategy]]` entries, compiled as they
/// replay, each with its share moved to the nearest value of `grid` (a candidate's share is
/// always on the grid; the sweep's grid is its one fixed share).
fn starts(scenario: &Scenario, plan: Option<&Plan>, grid: &[f64]) -> Result<Vec<Start>, Error> {
    let mut specs = Vec::new();
    if plan.is_some() {
        specs.push(StrategySpec::PlanOrder);
    }
    specs.extend([
        StrategySpec::Wsjf,
        StrategySpec::FeaturesFirst,
        StrategySpec::DebtFirst,
    ]);
    specs.extend((0..scenario.strategies.len()).map(StrategySpec::Custom));
    specs
        .iter()
        .map(|spec| {
            let strategy = compile_strategy(scenario, plan, spec)?;
            let Rule::Priority { orders, .. } = strategy.rule else {
                return Err(Error::Internal(format!(
                    "the robust search cannot start from `{}`",
                    strategy.name
                )));
            };
            let order = orders.into_iter().next().map(|o| o.all).unwrap_or_default();
            Ok(Start {
                name: strategy.name,
                order,
                share: snap(grid, strategy.stability_share),
            })
        })
        .collect()
}

/// Per training future of a chunk: what one candidate's replay gave.
#[derive(Debug, Clone, Default)]
struct Outcomes {
    net: Vec<f64>,
    /// `met[local × n_due + slot]`: due item `slot` delivered by its due period.
    met: Vec<bool>,
    /// 1 + the highest rank of an item given work in any period (0 when none was).
    worked_ranks: Vec<u32>,
}

impl Outcomes {
    fn new(n_futures: usize, n_due: usize) -> Outcomes {
        Outcomes {
            net: vec![0.0; n_futures],
            met: vec![false; n_futures * n_due],
            worked_ranks: vec![0; n_futures],
        }
    }
}

/// One chunk of training futures and its scratch.
struct Chunk {
    first: usize,
    end: usize,
    ws: Workspace,
    net_sum: f64,
    /// Per due item, the futures in which it is delivered by its due period.
    met: Vec<u32>,
    /// The outcomes of the candidate the moves are made from, and of the one just evaluated.
    base: Outcomes,
    last: Outcomes,
}

/// The outcomes of every training future under one candidate (a start kept for its search).
#[derive(Debug, Clone)]
pub struct Snapshot(Vec<Outcomes>);

/// The training futures and everything a candidate's evaluation needs, allocated once.
pub struct Trainer<'a> {
    scenario: &'a Scenario,
    model: Model,
    futures: Vec<Future>,
    /// Hard-deadline and committed items with their due period (the deadline, else T).
    due: Vec<(u32, u32)>,
    chunks: Vec<Chunk>,
    /// The candidate's strategy, rewritten in place for each evaluation.
    candidate: Strategy,
    met_total: Vec<u64>,
    /// Evaluations so far.
    pub evaluations: usize,
}

impl<'a> Trainer<'a> {
    /// Samples the training futures: `n_train` of them from the training streams of `seed`, or
    /// the one future of means when `deterministic`.
    pub fn new(scenario: &'a Scenario, seed: u64, n_train: usize, deterministic: bool) -> Self {
        let model = Model::new(scenario);
        let n_train = if deterministic { 1 } else { n_train.max(1) };
        let futures: Vec<Future> = (0..n_train)
            .into_par_iter()
            .map(|k| {
                if deterministic {
                    Future::deterministic(&model)
                } else {
                    let mut future = Future::for_sampling(&model);
                    future.sample(&model, seed, TRAINING_STREAM | k as u64);
                    future
                }
            })
            .collect();
        let due: Vec<(u32, u32)> = scenario
            .initiatives
            .iter()
            .enumerate()
            .filter_map(|(i, item)| match item.deadline {
                Some(d) if d.is_hard() => Some((i as u32, d.period() as u32)),
                _ if item.commit => Some((i as u32, scenario.periods as u32)),
                _ => None,
            })
            .collect();
        let chunks = (0..n_train.div_ceil(CHUNK_FUTURES))
            .map(|c| {
                let (first, end) = (c * CHUNK_FUTURES, ((c + 1) * CHUNK_FUTURES).min(n_train));
                Chunk {
                    first,
                    end,
                    ws: Workspace::new(&model),
                    net_sum: 0.0,
                    met: vec![0; due.len()],
                    base: Outcomes::new(end - first, due.len()),
                    last: Outcomes::new(end - first, due.len()),
                }
            })
            .collect();
        let candidate = Strategy {
            name: "robust".into(),
            stability_share: 0.0,
            rule: Rule::Priority {
                orders: vec![Order::new(wsjf_order(scenario), scenario)],
                order_of_period: vec![0; scenario.periods],
            },
        };
        let met_total = vec![0; due.len()];
        Trainer {
            scenario,
            model,
            futures,
            due,
            chunks,
            candidate,
            met_total,
            evaluations: 0,
        }
    }

    /// The number of training futures.
    pub fn n_train(&self) -> usize {
        self.futures.len()
    }

    /// Replays the priority order `order` with reserved share `share` on every training future.
    pub fn evaluate(&mut self, order: &[u32], share: f64) -> Score {
        self.run(order, share, None)
    }

    /// [`Trainer::evaluate`] for a neighbour of the base candidate (the last one passed to
    /// [`Trainer::keep_last`] or [`Trainer::restore`]) that has the same share and the same items
    /// at positions `0..first_changed`. A future in which the base gave no work to any item
    /// at position `first_changed` or later replays identically under the neighbour: in every
    /// period the items ahead are filled alike, and whatever reached the later positions found
    /// nothing it could use, whatever their order. Its outcome is reused, so the result is
    /// exactly that of a full replay.
    pub fn evaluate_move(&mut self, order: &[u32], share: f64, first_changed: usize) -> Score {
        self.run(order, share, Some(first_changed as u32))
    }

    /// Makes the candidate just evaluated the base of the next moves.
    pub fn keep_last(&mut self) {
        for chunk in &mut self.chunks {
            std::mem::swap(&mut chunk.base, &mut chunk.last);
        }
    }

    /// The outcomes of the candidate just evaluated.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot(self.chunks.iter().map(|c| c.last.clone()).collect())
    }

    /// Makes a snapshot's candidate the base of the next moves.
    pub fn restore(&mut self, snapshot: &Snapshot) {
        for (chunk, outcomes) in self.chunks.iter_mut().zip(&snapshot.0) {
            chunk.base.clone_from(outcomes);
        }
    }

    fn run(&mut self, order: &[u32], share: f64, reuse_below: Option<u32>) -> Score {
        self.evaluations += 1;
        self.candidate.stability_share = share;
        if let Rule::Priority { orders, .. } = &mut self.candidate.rule {
            orders[0].assign(order, self.scenario);
        }
        let (model, futures, due, candidate) =
            (&self.model, &self.futures, &self.due, &self.candidate);
        let Rule::Priority { orders, .. } = &candidate.rule else {
            unreachable!("the candidate is a priority order");
        };
        let rank_of: &[u32] = &orders[0].rank_of;
        let n_due = due.len();
        self.chunks.par_iter_mut().for_each(|chunk| {
            chunk.net_sum = 0.0;
            chunk.met.fill(0);
            for (local, future) in futures[chunk.first..chunk.end].iter().enumerate() {
                let met = local * n_due..(local + 1) * n_due;
                let unchanged = reuse_below.is_some_and(|p| chunk.base.worked_ranks[local] <= p);
                if unchanged {
                    chunk.last.net[local] = chunk.base.net[local];
                    chunk.last.worked_ranks[local] = chunk.base.worked_ranks[local];
                    let (base, last) = (&chunk.base.met[met.clone()], &mut chunk.last.met);
                    last[met.clone()].copy_from_slice(base);
                } else {
                    let ws = &mut chunk.ws;
                    replay(model, future, candidate, ws);
                    chunk.last.net[local] = settle(model, future, &ws.delivered).net_value();
                    chunk.last.worked_ranks[local] = ws
                        .started_items
                        .iter()
                        .map(|&i| rank_of[i as usize] + 1)
                        .max()
                        .unwrap_or(0);
                    for (slot, &(i, period)) in due.iter().enumerate() {
                        let d = ws.delivered[i as usize];
                        chunk.last.met[local * n_due + slot] = d != 0 && d <= period;
                    }
                }
                chunk.net_sum += chunk.last.net[local];
                for (count, &m) in chunk.met.iter_mut().zip(&chunk.last.met[met]) {
                    *count += u32::from(m);
                }
            }
        });
        let mut total = 0.0;
        self.met_total.fill(0);
        for chunk in &self.chunks {
            total += chunk.net_sum;
            for (sum, &m) in self.met_total.iter_mut().zip(&chunk.met) {
                *sum += u64::from(m);
            }
        }
        let n = self.futures.len() as f64;
        let worst = self.met_total.iter().copied().min();
        Score {
            mean: total / n,
            reliability: worst.map_or(1.0, |m| m as f64 / n),
        }
    }
}

/// Pairs of items whose relative order never changes a replay: one (transitively) requires the
/// other. `comparable[a * n + b]`.
fn comparable_pairs(scenario: &Scenario) -> Vec<bool> {
    let n = scenario.initiatives.len();
    let mut reach = vec![false; n * n];
    // Depth-first from every item over `requires` (the graph is acyclic).
    let mut stack = Vec::new();
    for a in 0..n {
        stack.clear();
        stack.extend(scenario.initiatives[a].requires.iter().copied());
        while let Some(j) = stack.pop() {
            if !reach[a * n + j] {
                reach[a * n + j] = true;
                stack.extend(scenario.initiatives[j].requires.iter().copied());
            }
        }
    }
    let mut comparable = vec![false; n * n];
    for a in 0..n {
        for b in 0..n {
            comparable[a * n + b] = reach[a * n + b] || reach[b * n + a];
        }
    }
    comparable
}

/// One neighbour of the current candidate.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Move {
    ShareUp,
    ShareDown,
    /// The item at position `from` moved to position `to`.
    Insert {
        from: usize,
        to: usize,
    },
    Swap {
        a: usize,
        b: usize,
    },
}

/// Every move, in the fixed order the search tries them.
fn moves(n: usize) -> Vec<Move> {
    let mut out = vec![Move::ShareUp, Move::ShareDown];
    for from in 0..n {
        for to in 0..n {
            if to != from && to + 1 != from {
                out.push(Move::Insert { from, to });
            }
        }
    }
    for a in 0..n {
        for b in a + 2..n {
            out.push(Move::Swap { a, b });
        }
    }
    out
}

/// The next share of the grid above (`up`) or below `share`.
fn grid_step(grid: &[f64], share: f64, up: bool) -> Option<f64> {
    if up {
        grid.iter().copied().find(|&s| s > share + 1e-12)
    } else {
        grid.iter().rev().copied().find(|&s| s < share - 1e-12)
    }
}

/// Applies `mv` to `order` into `out`; `None` when it cannot change any replay.
fn apply(mv: Move, order: &[u32], comparable: &[bool], out: &mut Vec<u32>) -> Option<()> {
    let n = order.len();
    let cmp = |x: u32, y: u32| comparable[x as usize * n + y as usize];
    out.clear();
    out.extend_from_slice(order);
    match mv {
        Move::Insert { from, to } => {
            let x = order[from];
            let between = if from < to {
                &order[from + 1..=to]
            } else {
                &order[to..from]
            };
            if between.iter().all(|&m| cmp(x, m)) {
                return None;
            }
            let item = out.remove(from);
            out.insert(to, item);
        }
        Move::Swap { a, b } => {
            let (x, y) = (order[a], order[b]);
            if cmp(x, y) && order[a + 1..b].iter().all(|&m| cmp(x, m) && cmp(y, m)) {
                return None;
            }
            out.swap(a, b);
        }
        Move::ShareUp | Move::ShareDown => {}
    }
    Some(())
}

/// The current candidate of one start's search.
#[derive(Debug, Clone)]
struct Candidate {
    order: Vec<u32>,
    share: f64,
    score: Score,
}

/// First-improvement local search from `start` with at most `budget` evaluations.
fn local_search(
    trainer: &mut Trainer,
    grid: &[f64],
    floor: f64,
    mut current: Candidate,
    budget: usize,
    comparable: &[bool],
    progress: &dyn Progress,
) -> Candidate {
    let n = current.order.len();
    let all_moves = moves(n);
    let mut scratch = Vec::with_capacity(n);
    let mut used = 0;
    let mut next = 0;
    let mut since_improvement = 0;
    while since_improvement < all_moves.len() && used < budget {
        let mv = all_moves[next];
        next = (next + 1) % all_moves.len();
        since_improvement += 1;
        let share = match mv {
            Move::ShareUp | Move::ShareDown => {
                match grid_step(grid, current.share, mv == Move::ShareUp) {
                    Some(s) => s,
                    None => continue,
                }
            }
            _ => current.share,
        };
        if apply(mv, &current.order, comparable, &mut scratch).is_none() {
            continue;
        }
        used += 1;
        progress.advance(1);
        let first_changed = match mv {
            Move::ShareUp | Move::ShareDown => 0,
            Move::Insert { from, to } => from.min(to),
            Move::Swap { a, .. } => a,
        };
        let score = trainer.evaluate_move(&scratch, share, first_changed);
        if score.reliability >= floor - 1e-12 && score.mean > current.score.mean {
            std::mem::swap(&mut current.order, &mut scratch);
            current.share = share;
            current.score = score;
            trainer.keep_last();
            since_improvement = 0;
        }
    }
    current
}

/// Searches the robust order and share. With `fixed_share` (the sweep) every candidate and every
/// start has that share; otherwise shares run over the grid of `stability_share` min..max.
pub fn search(
    scenario: &Scenario,
    plan: Option<&Plan>,
    fixed_share: Option<f64>,
    sim: &SimOptions,
    options: &RobustOptions,
    progress: &dyn Progress,
) -> Result<RobustFound, Error> {
    if options.n_train == 0 {
        return Err(Error::setting(
            Setting::RobustTrials,
            "expected at least 1 training future, found 0",
        ));
    }
    if options.budget == 0 {
        return Err(Error::setting(
            Setting::RobustBudget,
            "expected at least 1 replay of the training set, found 0",
        ));
    }
    // Every training future is kept: refuse a K whose futures would not fit in memory.
    let words_per_future =
        6 * scenario.initiatives.len() + (2 + scenario.teams.len()) * scenario.periods + 8;
    let bytes = (options.n_train as u128) * (words_per_future as u128) * 8;
    if !sim.deterministic && bytes > MAX_TRAINING_BYTES {
        let most = MAX_TRAINING_BYTES / (words_per_future as u128 * 8);
        return Err(Error::setting(Setting::RobustTrials, format!(
            "{} training futures of this scenario would need {} GiB of memory\n  hint: use at most {most}",
            options.n_train,
            bytes >> 30
        )));
    }
    super::on_threads(sim.threads, || {
        search_on_pool(scenario, plan, fixed_share, sim, options, progress)
    })?
}

fn search_on_pool(
    scenario: &Scenario,
    plan: Option<&Plan>,
    fixed_share: Option<f64>,
    sim: &SimOptions,
    options: &RobustOptions,
    progress: &dyn Progress,
) -> Result<RobustFound, Error> {
    let clock = Instant::now();
    let grid = match fixed_share {
        Some(x) => vec![x],
        None => share_grid(
            scenario.capacity.stability_min,
            scenario.capacity.stability_max,
            scenario.capacity.buffer,
        ),
    };
    let mut trainer = Trainer::new(scenario, sim.seed, options.n_train, sim.deterministic);
    progress.start("robust search", options.budget as u64);
    // Evaluate every distinct start (identical order and share are evaluated once).
    let mut seen: Vec<(Vec<u32>, u64)> = Vec::new();
    let mut scored: Vec<(Start, Score, Snapshot)> = Vec::new();
    for start in starts(scenario, plan, &grid)? {
        let key = (start.order.clone(), start.share.to_bits());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        if trainer.evaluations >= options.budget {
            break;
        }
        progress.advance(1);
        let score = trainer.evaluate(&start.order, start.share);
        scored.push((start, score, trainer.snapshot()));
    }
    let best_reliability = scored
        .iter()
        .map(|(_, s, _)| s.reliability)
        .fold(f64::NEG_INFINITY, f64::max);
    let floor = best_reliability - RELIABILITY_SLACK;
    let mut feasible: Vec<&(Start, Score, Snapshot)> = scored
        .iter()
        .filter(|(_, s, _)| s.reliability >= floor - 1e-12)
        .collect();
    // Highest training mean first; ties keep the starts' order.
    feasible.sort_by(|a, b| b.1.mean.total_cmp(&a.1.mean));
    feasible.truncate(N_STARTS);
    let comparable = comparable_pairs(scenario);
    let mut best: Option<(String, Candidate)> = None;
    let n_chosen = feasible.len();
    for (k, (start, score, snapshot)) in feasible.into_iter().enumerate() {
        trainer.restore(snapshot);
        let left = options.budget.saturating_sub(trainer.evaluations);
        let share_of_budget = left / (n_chosen - k);
        let found = local_search(
            &mut trainer,
            &grid,
            floor,
            Candidate {
                order: start.order.clone(),
                share: start.share,
                score: *score,
            },
            share_of_budget,
            &comparable,
            progress,
        );
        let better = best
            .as_ref()
            .is_none_or(|(_, b)| found.score.mean > b.score.mean);
        if better {
            best = Some((start.name.clone(), found));
        }
    }
    progress.finish();
    let (start_name, best) = best
        .ok_or_else(|| Error::Internal("the robust search had no strategy to start from".into()))?;
    let evaluations = trainer.evaluations;
    let strategy = Strategy {
        name: StrategySpec::Robust.name(scenario),
        stability_share: best.share,
        rule: Rule::Priority {
            orders: vec![Order::new(best.order.clone(), scenario)],
            order_of_period: vec![0; scenario.periods],
        },
    };
    let search = RobustSearch {
        order: best
            .order
            .iter()
            .map(|&i| scenario.initiatives[i as usize].id.clone())
            .collect(),
        stability_share: best.share,
        start: start_name,
        train_mean: best.score.mean,
        train_reliability: best.score.reliability,
        reliability_floor: floor.max(0.0),
        evaluations,
        training_futures: trainer.n_train(),
        seconds: clock.elapsed().as_secs_f64(),
    };
    Ok(RobustFound {
        search,
        strategy,
        order: best.order,
    })
}

/// Compiles a strategy spec, or takes the robust search's answer for [`StrategySpec::Robust`].
pub fn compile_with(
    scenario: &Scenario,
    plan: Option<&Plan>,
    spec: &StrategySpec,
    robust: Option<&RobustFound>,
) -> Result<Strategy, Error> {
    match (spec, robust) {
        (StrategySpec::Robust, Some(found)) => Ok(found.strategy.clone()),
        _ => compile_strategy(scenario, plan, spec),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;
    use crate::scenario::load_scenario_str;
    use proptest::prelude::*;

    /// One quarter of 10 engineer-weeks and two features. `steady` needs exactly 10 weeks and
    /// earns 100 at delivery; `gamble` needs {2, 3, 40} weeks (mean 9) and earns 120. In the mean
    /// future `gamble` first earns 120 (it takes 9 weeks; `steady` cannot finish in the last one)
    /// and `steady` first earns 100, so the best order for the mean future is gamble first (it is
    /// also WSJF's: 120 / 9 > 100 / 10). Under uncertainty `gamble` fits in 10 weeks only with
    /// probability q = P(effort ≤ 10) ≈ 0.68 (Beta(1.105, 4.895) at 8/38), so gamble first earns
    /// about 120 q ≈ 82 on average while steady first earns 100 in every future: the order flips.
    const FLIP: &str = r#"
        [scenario]
        periods = 1
        [capacity]
        per_period = 10
        [[initiative]]
        id = "gamble"
        kind = "feature"
        effort = { low = 2, likely = 3, high = 40 }
        one_time_value = 120
        [[initiative]]
        id = "steady"
        kind = "feature"
        effort = 10
        one_time_value = 100
    "#;

    fn options(seed: u64, threads: usize) -> SimOptions {
        SimOptions {
            n_trials: 1,
            seed,
            threads: Some(threads),
            deterministic: false,
            robust: RobustOptions {
                n_train: 400,
                budget: 2_000,
            },
        }
    }

    fn run(scenario: &Scenario, sim: &SimOptions) -> RobustFound {
        search(scenario, None, None, sim, &sim.robust, &Silent).expect("the search runs")
    }

    #[test]
    fn the_best_order_flips_under_uncertainty_and_the_search_finds_both() {
        let scenario = load_scenario_str("flip.toml", FLIP).unwrap();
        let sampled = run(&scenario, &options(42, 1));
        assert_eq!(sampled.search.order, ["steady", "gamble"]);
        assert_eq!(sampled.search.start, "wsjf");
        assert!((sampled.search.train_mean - 100.0).abs() < 1e-9);
        let deterministic = run(
            &scenario,
            &SimOptions {
                deterministic: true,
                ..options(42, 1)
            },
        );
        assert_eq!(deterministic.search.order, ["gamble", "steady"]);
        assert_eq!(deterministic.search.training_futures, 1);
        assert!((deterministic.search.train_mean - 120.0).abs() < 1e-9);
    }

    #[test]
    fn reliability_is_kept_against_a_more_valuable_but_late_order() {
        // `audit` must be delivered by the end of period 1 (a hard deadline, 10 weeks of work
        // in a period of 10); `sales` is worth far more but pushes the audit out. The most
        // reliable start meets the deadline in every future, so the search keeps it first.
        let text = r#"
            [scenario]
            periods = 2
            [capacity]
            per_period = 10
            noise = 0.0
            [[initiative]]
            id = "sales"
            kind = "feature"
            effort = 10
            value = 1000
            [[initiative]]
            id = "audit"
            kind = "compliance"
            effort = { low = 6, likely = 8, high = 10 }
            deadline = 1
            [[strategy]]
            name = "audit first"
            order = ["audit"]
        "#;
        let scenario = load_scenario_str("reliable.toml", text).unwrap();
        let found = run(&scenario, &options(3, 1));
        assert_eq!(found.search.order[0], "audit");
        assert_eq!(found.search.train_reliability, 1.0);
        assert!((found.search.reliability_floor - 0.95).abs() < 1e-12);
    }

    #[test]
    fn the_share_grid_runs_from_min_to_max_by_five_points() {
        assert_eq!(share_grid(0.2, 0.3, 0.1), [0.2, 0.25, 0.3]);
        assert_eq!(share_grid(0.1, 0.22, 0.0), [0.1, 0.15, 0.2, 0.22]);
        assert_eq!(share_grid(0.25, 0.25, 0.0), [0.25]);
        assert_eq!(share_grid(0.0, 1.0, 0.0).len(), 21);
        // Never past 1 − buffer: a saved strategy must load again.
        assert_eq!(share_grid(0.5, 1.0, 0.3), [0.5, 0.55, 0.6, 0.65, 0.7]);
        // The ends are kept exactly.
        assert_eq!(share_grid(0.100000000123, 0.2, 0.0)[0], 0.100000000123);
    }

    #[test]
    fn starts_off_the_grid_move_to_its_nearest_share() {
        let grid = share_grid(0.3, 0.3, 0.0);
        assert_eq!(snap(&grid, 0.1), 0.3);
        let grid = share_grid(0.2, 0.3, 0.0);
        assert_eq!(snap(&grid, 0.4), 0.3);
        assert_eq!(snap(&grid, 0.225), 0.2);
        assert_eq!(snap(&grid, 0.24), 0.25);
    }

    #[test]
    fn moves_skip_the_duplicate_adjacent_insertion() {
        let all = moves(4);
        assert_eq!(all[..2], [Move::ShareUp, Move::ShareDown]);
        // 9 insertions ((n − 1)²) and 3 non-adjacent swaps ((n − 1)(n − 2) / 2).
        assert_eq!(all.len(), 2 + 9 + 3);
        assert!(!all.contains(&Move::Insert { from: 1, to: 0 }));
        assert!(all.contains(&Move::Insert { from: 0, to: 1 }));
    }

    #[test]
    fn moves_between_an_item_and_its_prerequisites_are_skipped() {
        let text = r#"
            [scenario]
            periods = 2
            [capacity]
            per_period = 10
            [[initiative]]
            id = "base"
            kind = "infrastructure"
            effort = 4
            [[initiative]]
            id = "top"
            kind = "feature"
            effort = 4
            requires = ["base"]
            [[initiative]]
            id = "other"
            kind = "feature"
            effort = 4
        "#;
        let scenario = load_scenario_str("deps.toml", text).unwrap();
        let comparable = comparable_pairs(&scenario);
        let mut out = Vec::new();
        // base, top, other: moving `top` before `base` changes nothing; moving it past `other`
        // does.
        let order = [0, 1, 2];
        assert!(apply(
            Move::Insert { from: 1, to: 0 },
            &order,
            &comparable,
            &mut out
        )
        .is_none());
        assert!(apply(
            Move::Insert { from: 1, to: 2 },
            &order,
            &comparable,
            &mut out
        )
        .is_some());
        assert_eq!(out, [0, 2, 1]);
        assert!(apply(Move::Swap { a: 0, b: 2 }, &order, &comparable, &mut out).is_some());
    }

    #[test]
    fn training_futures_are_not_the_runs_futures() {
        let scenario = load_scenario_str("flip.toml", FLIP).unwrap();
        let trainer = Trainer::new(&scenario, 42, 50, false);
        let model = Model::new(&scenario);
        let mut run_future = Future::for_sampling(&model);
        for k in 0..50u64 {
            run_future.sample(&model, 42, k);
            for train in &trainer.futures {
                assert_ne!(run_future.effort_weeks, train.effort_weeks);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

        /// On random portfolios: the search's answer is at least as good on the training
        /// futures as every feasible start, it is feasible, and 1 and 2 threads agree exactly.
        #[test]
        fn robust_is_at_least_every_feasible_start_and_thread_independent(
            n in 3usize..9,
            periods in 2usize..6,
            seed in 0u64..1_000,
        ) {
            let scenario = crate::synthetic::portfolio(n, periods, seed);
            let sim = SimOptions {
                robust: RobustOptions { n_train: 60, budget: 600 },
                ..options(seed, 1)
            };
            let found = run(&scenario, &sim);
            let mut trainer = Trainer::new(&scenario, seed, 60, false);
            let grid = share_grid(
                scenario.capacity.stability_min,
                scenario.capacity.stability_max,
                scenario.capacity.buffer,
            );
            let scores: Vec<Score> = starts(&scenario, None, &grid)
                .unwrap()
                .iter()
                .map(|s| trainer.evaluate(&s.order, s.share))
                .collect();
            let best_reliability = scores.iter().map(|s| s.reliability).fold(0.0, f64::max);
            let floor = best_reliability - RELIABILITY_SLACK;
            prop_assert!(found.search.train_reliability >= floor - 1e-12);
            for score in scores.iter().filter(|s| s.reliability >= floor - 1e-12) {
                prop_assert!(found.search.train_mean >= score.mean - 1e-9 * score.mean.abs().max(1.0));
            }
            // Its own score, recomputed from its order and share.
            let again = trainer.evaluate(&found.order, found.search.stability_share);
            prop_assert_eq!(again.mean, found.search.train_mean);
            let two = run(&scenario, &SimOptions { threads: Some(2), ..sim.clone() });
            prop_assert_eq!(&two.search.order, &found.search.order);
            prop_assert_eq!(two.search.stability_share, found.search.stability_share);
            prop_assert_eq!(two.search.train_mean, found.search.train_mean);
            prop_assert_eq!(two.search.evaluations, found.search.evaluations);
        }
    }
}
