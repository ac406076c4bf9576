//! A slow twin of the simulator's fast replay, written from SPEC.md's words ("Simulator (Monte
//! Carlo)", "Replay of a strategy", and "With teams, capacity noise is drawn per team and
//! period …") with nothing shared but the scenario types and the sampled future's numbers, and
//! properties that the fast path must meet on random portfolios, strategies and futures:
//! - the fast replay delivers the same items in the same periods as the reference, and its
//!   accounts equal the reference's to 1e-9 relative — one pool, and 1 to 3 teams with owner
//!   and split items, for random priority orders, debt sprints and random plans;
//! - capacity is never exceeded, dependencies are respected and the ring-fence floor holds
//!   (read from what the fast replay delivered and the capacity it reports); with teams, every
//!   team's work in every period stays within its own effective capacity K_jt;
//! - with uncertainty off, replaying `plan` reproduces the planner's objective and its parts
//!   (one pool, and teams solved to a gap of 0).
//!
//! The reference reads the one pool as a single team with shares σ = 1: K_t, its reserve and its
//! shared part are then the team's. Its readings where SPEC leaves room (the simulator documents
//! the same in `simulate::teams`): a priority order fills the reserves first (stability items
//! only, what team j can give is its reserve left) and then everybody (team j gives its shared
//! part left, and a stability item its reserve left first); the plan replay scales each team's
//! planned total to K_jt, then its product total to (1 − s) K_jt, and scales an item by the
//! smallest factor over its teams, with the replay's documented 1e-5 relative slack on both
//! comparisons and on the leftover that overruns may use.

use proptest::prelude::*;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

use tradeoff::internals::simulate::{compile_strategy, priority_strategy, Strategy};
use tradeoff::internals::simulate::{replay, settle, Workspace};
use tradeoff::internals::simulate::{Future, Model};
use tradeoff::plan::{solve_plan, Bucket, Plan, PlanOptions, PlanStatus, PlannedInitiative};
use tradeoff::progress::Silent;
use tradeoff::scenario::{Class, Deadline, Risk, Scenario, Team};
use tradeoff::simulate::{simulate, SimOptions, StrategySpec};

/// What the reference replay found: delivery period per item (0 = not in the horizon), the
/// effective capacity per period (all teams together), per team and period the effective
/// capacity K_jt, the work given and the product part of it (`[team_idx][period_idx]`; the one
/// pool is team 0), and the four accounts.
#[derive(Debug, Clone, PartialEq)]
struct Reference {
    delivered: Vec<usize>,
    capacity: Vec<f64>,
    team_capacity: Vec<Vec<f64>>,
    team_work: Vec<Vec<f64>>,
    team_product: Vec<Vec<f64>>,
    value_earned: f64,
    cost_of_delay: f64,
    incident_losses: f64,
    penalties: f64,
}

/// d_t = (1 + r)^(−t / periods_per_year).
fn discount(s: &Scenario, t: usize) -> f64 {
    (1.0 + s.discount_rate).powf(-(t as f64) / s.periods_per_year)
}

/// Whether item `i` has an incident in period t (1-based) of `future`: incident items take the
/// slots of the incident masks in file order.
fn incident(s: &Scenario, future: &Future, i: usize, t: usize) -> bool {
    let slot = s.initiatives[..i]
        .iter()
        .filter(|item| matches!(item.risk, Some(Risk::Incident { .. })))
        .count();
    let words = s.periods.div_ceil(64);
    let word = future.incidents[slot * words + (t - 1) / 64];
    word >> ((t - 1) % 64) & 1 == 1
}

/// The teams work is done by: `[[team]]`, or the one pool as team 0.
fn n_teams(s: &Scenario) -> usize {
    s.teams.len().max(1)
}

/// Item `i`'s teams and shares σ_ij: its split (an owner is a split of 1), or the one pool.
fn shares(s: &Scenario, i: usize) -> Vec<(usize, f64)> {
    if s.teams.is_empty() {
        vec![(0, 1.0)]
    } else {
        s.initiatives[i].split.clone()
    }
}

/// K_jt = A_jt × noise_jt × (1 − drag_t) for every team j, with A_jt = C_jt (1 − buffer) and the
/// drag from the deliveries by the end of t − 1 (one law for the whole scenario).
fn effective_capacity(s: &Scenario, future: &Future, delivered: &[usize], t: usize) -> Vec<f64> {
    let relief: f64 = (0..s.initiatives.len())
        .filter(|&j| delivered[j] != 0 && delivered[j] < t)
        .map(|j| s.initiatives[j].debt_relief)
        .sum();
    let base = (s.debt.drag + future.growth * (t as f64 - 1.0)).min(s.debt.ceiling);
    let drag = (base - relief).max(0.0);
    (0..n_teams(s))
        .map(|j| {
            let (capacity, noise) = if s.teams.is_empty() {
                (s.capacity.per_period[t - 1], future.capacity_factor[t - 1])
            } else {
                (
                    s.teams[j].per_period[t - 1],
                    future.team_capacity_factor[j * s.periods + t - 1],
                )
            };
            (capacity * (1.0 - s.capacity.buffer) * noise * (1.0 - drag)).max(0.0)
        })
        .collect()
}

/// Eligible in period t: not delivered, every prerequisite delivered by the end of t − 1.
fn prerequisites_met(s: &Scenario, delivered: &[usize], i: usize, t: usize) -> bool {
    s.initiatives[i]
        .requires
        .iter()
        .all(|&j| delivered[j] != 0 && delivered[j] < t)
}

fn team_limit(s: &Scenario, i: usize) -> f64 {
    s.initiatives[i]
        .team
        .map_or(f64::INFINITY, |team| team * s.weeks_per_period)
}

/// What every replay keeps per team and period.
struct Ledger {
    capacity: Vec<f64>,
    team_capacity: Vec<Vec<f64>>,
    team_work: Vec<Vec<f64>>,
    team_product: Vec<Vec<f64>>,
}

impl Ledger {
    fn new(s: &Scenario) -> Ledger {
        let rows = vec![vec![0.0; s.periods]; n_teams(s)];
        Ledger {
            capacity: vec![0.0; s.periods],
            team_capacity: rows.clone(),
            team_work: rows.clone(),
            team_product: rows,
        }
    }

    fn open(&mut self, t: usize, k: &[f64]) {
        self.capacity[t - 1] = k.iter().sum();
        for (j, &kj) in k.iter().enumerate() {
            self.team_capacity[j][t - 1] = kj;
        }
    }

    fn record(&mut self, s: &Scenario, i: usize, t: usize, team: usize, weeks: f64) {
        self.team_work[team][t - 1] += weeks;
        if s.initiatives[i].class == Class::Product {
            self.team_product[team][t - 1] += weeks;
        }
    }

    fn close(self, s: &Scenario, future: &Future, delivered: Vec<usize>) -> Reference {
        let (value_earned, cost_of_delay, incident_losses, penalties) =
            accounts(s, future, &delivered);
        Reference {
            delivered,
            capacity: self.capacity,
            team_capacity: self.team_capacity,
            team_work: self.team_work,
            team_product: self.team_product,
            value_earned,
            cost_of_delay,
            incident_losses,
            penalties,
        }
    }
}

/// The replay of priority orders (`orders[period_idx]`) with reserved share `share`, period by
/// period, as SPEC.md says.
fn reference_replay(s: &Scenario, future: &Future, orders: &[Vec<usize>], share: f64) -> Reference {
    let n = s.initiatives.len();
    let mut remaining: Vec<f64> = future.effort_weeks.clone();
    let mut delivered = vec![0usize; n];
    let mut ledger = Ledger::new(s);
    for t in 1..=s.periods {
        let k = effective_capacity(s, future, &delivered, t);
        ledger.open(t, &k);
        let eligible: Vec<bool> = (0..n)
            .map(|i| delivered[i] == 0 && prerequisites_met(s, &delivered, i, t))
            .collect();
        let mut given = vec![0.0f64; n];
        // Each team's reserve s × K_jt and shared part (1 − s) × K_jt.
        let mut reserve: Vec<f64> = k.iter().map(|&kj| share * kj).collect();
        let mut shared: Vec<f64> = k.iter().zip(&reserve).map(|(&kj, &r)| kj - r).collect();
        // The reserves to stability items, then the shared parts to everybody (a stability item
        // from its teams' reserves first), both in priority order. An item takes w = min(team
        // limit left, remaining effort, min over its teams of what the team can give ÷ σ),
        // σ × w from each of its teams.
        for reserve_pass in [true, false] {
            for &i in &orders[t - 1] {
                let stability = s.initiatives[i].class == Class::Stability;
                if !eligible[i] || (reserve_pass && !stability) {
                    continue;
                }
                let room = team_limit(s, i) - given[i];
                if room <= 0.0 {
                    continue;
                }
                let mut w = remaining[i].min(room);
                for &(j, sigma) in &shares(s, i) {
                    let can_give = match (reserve_pass, stability) {
                        (true, _) => reserve[j],
                        (false, true) => reserve[j] + shared[j],
                        (false, false) => shared[j],
                    };
                    w = w.min(can_give / sigma);
                }
                if w <= 0.0 {
                    continue;
                }
                for &(j, sigma) in &shares(s, i) {
                    let part = sigma * w;
                    if reserve_pass {
                        reserve[j] = (reserve[j] - part).max(0.0);
                    } else if stability {
                        let from_reserve = part.min(reserve[j]);
                        reserve[j] -= from_reserve;
                        shared[j] = (shared[j] - (part - from_reserve)).max(0.0);
                    } else {
                        shared[j] = (shared[j] - part).max(0.0);
                    }
                    ledger.record(s, i, t, j, part);
                }
                given[i] += w;
                remaining[i] -= w;
            }
        }
        // Delivered in t when the sampled remaining effort is done (1e-9 relative).
        for i in 0..n {
            if eligible[i] && given[i] > 0.0 && remaining[i] <= 1e-9 * future.effort_weeks[i].abs()
            {
                delivered[i] = t;
            }
        }
    }
    ledger.close(s, future, delivered)
}

/// Relative slack of the plan replay's capacity comparisons (the plan's own rounding).
const PLAN_SLACK: f64 = 1e-5;

/// The replay of `plan` with reserved share `share`, as SPEC.md says for the `plan` strategy,
/// per team: planned amounts e_i × x[i,t], scaled when a team is short, leftover to overruns
/// in plan order.
fn reference_plan_replay(s: &Scenario, future: &Future, plan: &Plan, share: f64) -> Reference {
    let n = s.initiatives.len();
    let periods = s.periods;
    // e_i × x[i,t], the items the plan works on, their last planned period and plan order.
    let planned = |i: usize, t: usize| -> f64 {
        let p = &plan.initiatives[i];
        let x = p.shares[t - 1];
        if x.is_finite() && x > 0.0 {
            p.effort * x
        } else {
            0.0
        }
    };
    let last_work: Vec<usize> = (0..n)
        .map(|i| {
            (1..=periods)
                .rev()
                .find(|&t| planned(i, t) > 0.0)
                .unwrap_or(0)
        })
        .collect();
    let mut order: Vec<usize> = (0..n).filter(|&i| last_work[i] > 0).collect();
    order.sort_by_key(|&i| {
        let p = &plan.initiatives[i];
        (
            p.delivery.unwrap_or(usize::MAX),
            p.start.unwrap_or(usize::MAX),
            i,
        )
    });
    // Held back: delivered at the planned period when it is after the last planned work, never
    // when the plan works on an item it never delivers.
    let hold: Vec<usize> = (0..n)
        .map(|i| match plan.initiatives[i].delivery {
            _ if last_work[i] == 0 => 0,
            Some(d) if d > last_work[i] => d,
            Some(_) => 0,
            None => usize::MAX,
        })
        .collect();
    let mut remaining: Vec<f64> = future.effort_weeks.clone();
    let mut done_in = vec![0usize; n];
    let mut delivered = vec![0usize; n];
    let mut ledger = Ledger::new(s);
    for t in 1..=periods {
        let k = effective_capacity(s, future, &delivered, t);
        ledger.open(t, &k);
        let may_work = |i: usize, done_in: &[usize]| {
            done_in[i] == 0 && delivered[i] == 0 && prerequisites_met(s, &delivered, i, t)
        };
        let product_cap: Vec<f64> = k.iter().map(|&kj| (1.0 - share) * kj).collect();
        // Planned amounts of the eligible items, never more than they still need.
        let amount: Vec<f64> = (0..n)
            .map(|i| {
                if may_work(i, &done_in) {
                    planned(i, t).min(remaining[i]).max(0.0)
                } else {
                    0.0
                }
            })
            .collect();
        let is_product = |i: usize| s.initiatives[i].class == Class::Product;
        let team_total = |j: usize, product_only: bool| -> f64 {
            (0..n)
                .filter(|&i| !product_only || is_product(i))
                .flat_map(|i| shares(s, i).into_iter().map(move |sh| (i, sh)))
                .filter(|&(_, (team, _))| team == j)
                .map(|(i, (_, sigma))| sigma * amount[i])
                .sum()
        };
        let mut factor_of_team = Vec::new();
        for (j, &kj) in k.iter().enumerate() {
            let total = team_total(j, false);
            let scale = if total > kj * (1.0 + PLAN_SLACK) {
                kj / total
            } else {
                1.0
            };
            let product = team_total(j, true) * scale;
            let product_scale = if product > product_cap[j] * (1.0 + PLAN_SLACK) {
                product_cap[j] / product
            } else {
                1.0
            };
            factor_of_team.push((scale, scale * product_scale));
        }
        let mut left = k.clone();
        let mut product_left = product_cap.clone();
        let mut given = vec![0.0f64; n];
        for i in 0..n {
            if amount[i] <= 0.0 {
                continue;
            }
            // Lockstep: the smallest factor over the item's teams.
            let factor = shares(s, i)
                .iter()
                .map(|&(j, _)| {
                    let (all, product) = factor_of_team[j];
                    if is_product(i) {
                        product
                    } else {
                        all
                    }
                })
                .fold(f64::INFINITY, f64::min);
            let g = amount[i] * factor;
            given[i] = g;
            remaining[i] -= g;
            for &(j, sigma) in &shares(s, i) {
                left[j] -= sigma * g;
                if is_product(i) {
                    product_left[j] -= sigma * g;
                }
                ledger.record(s, i, t, j, sigma * g);
            }
            if remaining[i] <= 1e-9 * future.effort_weeks[i].abs() {
                done_in[i] = t;
            }
        }
        // Overruns: items whose planned work is all scheduled by t, in plan order, within their
        // team limit and what each of their teams has left (product items also within the
        // teams' product room); a team's leftover counts when above the slack.
        for (j, left) in left.iter_mut().enumerate() {
            if *left <= k[j] * PLAN_SLACK {
                *left = 0.0;
            }
        }
        for &i in &order {
            if last_work[i] > t || !may_work(i, &done_in) {
                continue;
            }
            let mut w = remaining[i].min(team_limit(s, i) - given[i]);
            for &(j, sigma) in &shares(s, i) {
                let can_give = if is_product(i) {
                    left[j].min(product_left[j])
                } else {
                    left[j]
                };
                w = w.min(can_give.max(0.0) / sigma);
            }
            if w <= 0.0 {
                continue;
            }
            given[i] += w;
            remaining[i] -= w;
            for &(j, sigma) in &shares(s, i) {
                left[j] = (left[j] - sigma * w).max(0.0);
                if is_product(i) {
                    product_left[j] -= sigma * w;
                }
                ledger.record(s, i, t, j, sigma * w);
            }
            if remaining[i] <= 1e-9 * future.effort_weeks[i].abs() {
                done_in[i] = t;
            }
        }
        // Done items are delivered as soon as the plan delivers them.
        for i in 0..n {
            if done_in[i] != 0 && delivered[i] == 0 && hold[i] <= t {
                delivered[i] = t;
            }
        }
    }
    ledger.close(s, future, delivered)
}

/// Value earned, cost of delay, incident losses and penalties of `delivered`, discounted with
/// d_t.
fn accounts(s: &Scenario, future: &Future, delivered: &[usize]) -> (f64, f64, f64, f64) {
    let big_t = s.periods;
    let (mut value_earned, mut cost_of_delay, mut incident_losses, mut penalties) =
        (0.0, 0.0, 0.0, 0.0);
    for (i, item) in s.initiatives.iter().enumerate() {
        let d = delivered[i];
        if d != 0 {
            value_earned += future.value[i] * (d + 1..=big_t).map(|t| discount(s, t)).sum::<f64>();
            value_earned += future.one_time_value[i] * discount(s, d);
            value_earned += s.terminal_periods as f64 * future.value[i] * discount(s, big_t);
        }
        // Not delivered by the end of t − 1: pays in period t.
        let unpaid_until = if d == 0 { big_t } else { d };
        match item.risk {
            Some(Risk::Incident { .. }) => {
                for t in 1..=unpaid_until {
                    if incident(s, future, i, t) {
                        incident_losses += future.impact[i] * discount(s, t);
                    }
                }
            }
            _ => {
                for t in 1..=unpaid_until {
                    cost_of_delay += future.risk[i] * discount(s, t);
                }
            }
        }
        if let Some(Deadline::Soft { period, penalty }) = item.deadline {
            if d == 0 || d > period {
                penalties += penalty;
            }
        }
    }
    (value_earned, cost_of_delay, incident_losses, penalties)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// A random priority order over every item and a share that keeps buffer + share ≤ 1.
fn random_strategy(s: &Scenario, seed: u64) -> (Vec<usize>, f64, Strategy) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..s.initiatives.len()).collect();
    order.shuffle(&mut rng);
    let share = match rng.random_range(0..3u32) {
        0 => 0.0,
        _ => rng.random_range(0.0..(1.0 - s.capacity.buffer)),
    };
    let compiled = priority_strategy(
        "random".into(),
        order.iter().map(|&i| i as u32).collect(),
        share,
        s,
    );
    (order, share, compiled)
}

/// Initiatives by WSJF — cost of delay per period (value + expected risk) over mean remaining
/// effort — highest first, ties in file order; with `first`, that class's items first.
fn wsjf_with_class_first(s: &Scenario, first: Option<Class>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..s.initiatives.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&s.initiatives[a], &s.initiatives[b]);
        let class_rank = |c: Class| u8::from(Some(c) != first);
        class_rank(x.class)
            .cmp(&class_rank(y.class))
            .then(y.wsjf().total_cmp(&x.wsjf()))
    });
    order
}

/// The scenario with its capacity cut into `n_teams` teams (random shares of C_t, varying by
/// period, each with a noise of its own or none), every item owned by one team or split
/// between two or more; 0 teams leaves the one pool.
fn with_teams(mut s: Scenario, n_teams: usize, seed: u64) -> Scenario {
    if n_teams == 0 {
        return s;
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x7ea3);
    let weights: Vec<f64> = (0..n_teams).map(|_| rng.random_range(0.2..1.0)).collect();
    let sum: f64 = weights.iter().sum();
    s.teams = (0..n_teams)
        .map(|j| Team {
            id: format!("team-{j}"),
            name: format!("Team {j}"),
            per_period: s
                .capacity
                .per_period
                .iter()
                .map(|c| (c * weights[j] / sum * rng.random_range(0.6..1.4)).round())
                .collect(),
            noise: if rng.random_bool(0.3) {
                0.0
            } else {
                rng.random_range(0.02..0.25)
            },
        })
        .collect();
    s.capacity.per_period = (0..s.periods)
        .map(|t| s.teams.iter().map(|team| team.per_period[t]).sum())
        .collect();
    for item in &mut s.initiatives {
        let mut teams: Vec<usize> = (0..n_teams).collect();
        teams.shuffle(&mut rng);
        let k = if n_teams > 1 && rng.random_bool(0.5) {
            rng.random_range(2..=n_teams)
        } else {
            1
        };
        let raw: Vec<f64> = (0..k).map(|_| rng.random_range(0.1..1.0)).collect();
        let total: f64 = raw.iter().sum();
        let mut split: Vec<(usize, f64)> = teams[..k]
            .iter()
            .zip(&raw)
            .map(|(&j, &x)| (j, x / total))
            .collect();
        let rest: f64 = split[..k - 1].iter().map(|&(_, x)| x).sum();
        split[k - 1].1 = 1.0 - rest;
        split.sort_by_key(|&(j, _)| j);
        item.split = split;
    }
    s
}

/// A random plan: each item left out, or worked on over a random run of periods (shares
/// summing to 1, planned effort 0.6 to 1.4 times the mean, so planned amounts under- and
/// overrun the sampled efforts and may not fit the capacity), delivered at its last planned
/// period, later (held back) or never; a random ring-fence minimum.
fn random_plan(s: &Scenario, seed: u64) -> Plan {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x9a7);
    let periods = s.periods;
    let initiatives = s
        .initiatives
        .iter()
        .map(|item| {
            let mut shares = vec![0.0; periods];
            let mut delivery = None;
            if rng.random_bool(0.75) {
                let first = rng.random_range(1..=periods);
                let last = rng.random_range(first..=periods);
                let raw: Vec<f64> = (first..=last).map(|_| rng.random_range(0.1..1.0)).collect();
                let total: f64 = raw.iter().sum();
                for (t, x) in (first..=last).zip(&raw) {
                    shares[t - 1] = x / total;
                }
                delivery = match rng.random_range(0..6u32) {
                    0 => None,
                    1 => Some(rng.random_range(last..=periods)),
                    _ => Some(last),
                };
            }
            let start = shares.iter().position(|&x| x > 0.0).map(|p| p + 1);
            PlannedInitiative {
                id: item.id.clone(),
                start,
                delivery,
                bucket: Bucket::from_start(start),
                shares,
                effort: item.remaining_effort_mean() * rng.random_range(0.6..1.4),
            }
        })
        .collect();
    let stability_min = match rng.random_range(0..3u32) {
        0 => 0.0,
        _ => rng.random_range(0.0..(1.0 - s.capacity.buffer)),
    };
    Plan {
        status: PlanStatus::Feasible,
        objective: 0.0,
        gap: 0.0,
        bound: 0.0,
        value_earned: 0.0,
        cost_of_delay: 0.0,
        penalties: 0.0,
        stability_min,
        stability_max: 1.0,
        time_limit_reached: false,
        initiatives,
        periods: Vec::new(),
    }
}

/// A random strategy and its reference: a random priority order and share, the debt sprint of
/// a random period (debt-first order in periods K, 2K, …, features-first otherwise, s the
/// ring-fence minimum), or a random plan. Returns the compiled strategy, its share, and the
/// reference replay on `future`.
fn random_case(s: &Scenario, future: &Future, seed: u64, kind: u32) -> (Strategy, f64, Reference) {
    match kind {
        0 => {
            let (order, share, strategy) = random_strategy(s, seed);
            let orders = vec![order; s.periods];
            let reference = reference_replay(s, future, &orders, share);
            (strategy, share, reference)
        }
        1 => {
            let k = (seed % 3) as usize + 1;
            let strategy = compile_strategy(s, None, &StrategySpec::DebtSprint(k)).unwrap();
            let (features, debt) = (
                wsjf_with_class_first(s, Some(Class::Product)),
                wsjf_with_class_first(s, Some(Class::Stability)),
            );
            let orders: Vec<Vec<usize>> = (1..=s.periods)
                .map(|t| {
                    if t % k == 0 {
                        debt.clone()
                    } else {
                        features.clone()
                    }
                })
                .collect();
            let share = s.capacity.stability_min;
            let reference = reference_replay(s, future, &orders, share);
            (strategy, share, reference)
        }
        _ => {
            let plan = random_plan(s, seed);
            let strategy = compile_strategy(s, Some(&plan), &StrategySpec::Plan).unwrap();
            let share = plan.stability_min;
            let reference = reference_plan_replay(s, future, &plan, share);
            (strategy, share, reference)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn the_fast_replay_equals_the_reference_and_keeps_the_rules(
        n in 1usize..14,
        periods in 1usize..9,
        scenario_seed in 0u64..10_000,
        strategy_seed in any::<u64>(),
        future_seed in any::<u64>(),
        trial in 0u64..1_000_000,
    ) {
        let s = tradeoff::synthetic::portfolio(n, periods, scenario_seed);
        let model = Model::new(&s);
        let mut future = Future::for_sampling(&model);
        future.sample(&model, future_seed, trial);
        let (order, share, strategy) = random_strategy(&s, strategy_seed);
        let mut ws = Workspace::new(&model);
        replay(&model, &future, &strategy, &mut ws);
        let accounts = settle(&model, &future, &ws.delivered);
        let reference = reference_replay(&s, &future, &vec![order; periods], share);

        let fast: Vec<usize> = ws.delivered.iter().map(|&d| d as usize).collect();
        prop_assert_eq!(&fast, &reference.delivered);
        for (a, b) in ws.capacity_weeks.iter().zip(&reference.capacity) {
            prop_assert!(close(*a, *b), "capacity {} vs {}", a, b);
        }
        prop_assert!(close(accounts.value_earned, reference.value_earned));
        prop_assert!(close(accounts.cost_of_delay, reference.cost_of_delay));
        prop_assert!(close(accounts.incident_losses, reference.incident_losses));
        prop_assert!(close(accounts.penalties, reference.penalties));

        // Dependencies: an item is delivered only after each prerequisite, in a later period.
        for (i, item) in s.initiatives.iter().enumerate() {
            if fast[i] != 0 {
                for &j in &item.requires {
                    prop_assert!(fast[j] != 0 && fast[j] < fast[i], "{} before {}", i, j);
                }
            }
        }
        // Capacity and the ring-fence floor: what is delivered by the end of t needed at most
        // the effective capacity of periods 1..=t, and product work at most (1 − s) of it.
        for t in 1..=s.periods {
            let by_t = |product_only: bool| -> f64 {
                (0..n)
                    .filter(|&i| fast[i] != 0 && fast[i] <= t)
                    .filter(|&i| !product_only || s.initiatives[i].class == Class::Product)
                    .map(|i| future.effort_weeks[i])
                    .sum()
            };
            let capacity: f64 = ws.capacity_weeks[..t].iter().sum();
            prop_assert!(by_t(false) <= capacity * (1.0 + 1e-9) + 1e-9);
            prop_assert!(by_t(true) <= (1.0 - share) * capacity * (1.0 + 1e-9) + 1e-9);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, .. ProptestConfig::default() })]

    /// Teams (mostly 2 or 3; also the one pool and a single team): random portfolios with owner
    /// and split items, random strategies of every kind (priority orders, debt sprints, plans)
    /// and random sampled futures. The simulator delivers what the reference delivers, its
    /// capacity per team and period and the work each team gives equal the reference's, and
    /// its accounts equal the reference's to 1e-9 relative. No team is ever given more than its
    /// own K_jt in a period, nor product work beyond (1 − s) K_jt (the plan's amounts within
    /// their documented 1e-5 slack).
    #[test]
    fn the_team_replay_equals_the_reference_and_no_team_exceeds_its_capacity(
        n in 1usize..12,
        periods in 1usize..7,
        n_teams in prop_oneof![4 => 2usize..=3, 1 => 0usize..=1],
        scenario_seed in 0u64..10_000,
        strategy_seed in any::<u64>(),
        kind in 0u32..3,
        future_seed in any::<u64>(),
        trial in 0u64..1_000_000,
    ) {
        let s = with_teams(
            tradeoff::synthetic::portfolio(n, periods, scenario_seed),
            n_teams,
            scenario_seed,
        );
        let model = Model::new(&s);
        let mut future = Future::for_sampling(&model);
        future.sample(&model, future_seed, trial);
        let (strategy, share, reference) = random_case(&s, &future, strategy_seed, kind);
        let mut ws = Workspace::new(&model);
        replay(&model, &future, &strategy, &mut ws);
        let accounts = settle(&model, &future, &ws.delivered);

        let fast: Vec<usize> = ws.delivered.iter().map(|&d| d as usize).collect();
        prop_assert_eq!(&fast, &reference.delivered);
        for (a, b) in ws.capacity_weeks.iter().zip(&reference.capacity) {
            prop_assert!(close(*a, *b), "capacity {} vs {}", a, b);
        }
        prop_assert!(close(accounts.value_earned, reference.value_earned),
            "value {} vs {}", accounts.value_earned, reference.value_earned);
        prop_assert!(close(accounts.cost_of_delay, reference.cost_of_delay));
        prop_assert!(close(accounts.incident_losses, reference.incident_losses));
        prop_assert!(close(accounts.penalties, reference.penalties));
        for (i, item) in s.initiatives.iter().enumerate() {
            if fast[i] != 0 {
                for &j in &item.requires {
                    prop_assert!(fast[j] != 0 && fast[j] < fast[i], "{} before {}", i, j);
                }
            }
        }
        if s.teams.is_empty() {
            return Ok(());
        }
        // What the simulator reports per team and period: K_jt and the work given.
        let slack = if kind == 2 { 1e-5 } else { 1e-9 };
        let tw = &ws.teams;
        for j in 0..s.teams.len() {
            for t in 0..periods {
                let slot = j * periods + t;
                let (k, work, product) =
                    (tw.capacity_weeks[slot], tw.work_weeks[slot], tw.product_weeks[slot]);
                prop_assert!(close(k, reference.team_capacity[j][t]), "K {} vs {}", k,
                    reference.team_capacity[j][t]);
                prop_assert!(close(work, reference.team_work[j][t]),
                    "team {} period {}: work {} vs {}", j, t + 1, work, reference.team_work[j][t]);
                prop_assert!(close(product, reference.team_product[j][t]));
                prop_assert!(work <= k * (1.0 + slack) + 1e-9,
                    "team {} period {}: {} of {}", j, t + 1, work, k);
                prop_assert!(product <= (1.0 - share) * k * (1.0 + slack) + 1e-9,
                    "team {} period {}: product {} of {}", j, t + 1, product, (1.0 - share) * k);
            }
        }
        // The per-team totals add up to the scenario's effective capacity.
        for t in 0..periods {
            let sum: f64 = (0..s.teams.len()).map(|j| tw.capacity_weeks[j * periods + t]).sum();
            prop_assert!(close(sum, ws.capacity_weeks[t]));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    #[test]
    fn replaying_the_plan_without_uncertainty_gives_the_planners_objective_and_parts(
        n in 1usize..7,
        periods in 1usize..5,
        n_teams in prop_oneof![Just(0usize), 2usize..=3],
        seed in 0u64..10_000,
    ) {
        let s = with_teams(tradeoff::synthetic::portfolio(n, periods, seed), n_teams, seed);
        // With teams, solved to a gap of 0: the plan is the proven optimum.
        let gap = if n_teams == 0 { 1e-4 } else { 0.0 };
        let options = PlanOptions { time_limit_secs: 20.0, gap, ..Default::default() };
        let Ok(plan) = solve_plan(&s, &options) else {
            return Ok(());
        };
        let sim = simulate(
            &s,
            Some(&plan),
            &[StrategySpec::Plan],
            &SimOptions { deterministic: true, ..SimOptions::default() },
            &Silent,
        )
        .unwrap();
        let r = &sim.strategies[0];
        let tolerance = 1e-6 * plan.objective.abs().max(1.0);
        prop_assert!((r.net_value.mean - plan.objective).abs() <= tolerance,
            "replay {} vs objective {}", r.net_value.mean, plan.objective);
        prop_assert!((r.value_earned.mean - plan.value_earned).abs() <= tolerance);
        prop_assert!((r.cost_of_delay.mean - plan.cost_of_delay).abs() <= tolerance);
        prop_assert!((r.penalties.mean - plan.penalties).abs() <= tolerance);
    }
}
