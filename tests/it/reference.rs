//! A slow twin of the simulator's fast replay, written from SPEC.md's words ("Simulator (Monte
//! Carlo)", "Replay of a strategy") with nothing shared but the scenario types and the sampled
//! future's numbers, and properties that the fast path must meet on random portfolios,
//! strategies and futures:
//! - the fast replay delivers the same items in the same periods as the reference, and its
//!   accounts equal the reference's to 1e-9 relative;
//! - capacity is never exceeded, dependencies are respected and the ring-fence floor holds
//!   (read from what the fast replay delivered and the capacity it reports);
//! - with uncertainty off, replaying `plan` reproduces the planner's objective and its parts.

use proptest::prelude::*;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

use tradeoff::internals::simulate::{priority_strategy, Strategy};
use tradeoff::internals::simulate::{replay, settle, Workspace};
use tradeoff::internals::simulate::{Future, Model};
use tradeoff::plan::{solve_plan, PlanOptions};
use tradeoff::progress::Silent;
use tradeoff::scenario::{Class, Deadline, Risk, Scenario};
use tradeoff::simulate::{simulate, SimOptions, StrategySpec};

/// What the reference replay found: delivery period per item (0 = not in the horizon), the
/// effective capacity per period, and the four accounts.
#[derive(Debug, Clone, PartialEq)]
struct Reference {
    delivered: Vec<usize>,
    capacity: Vec<f64>,
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

/// The replay of a priority order with reserved share `share`, period by period, as SPEC.md says.
fn reference_replay(s: &Scenario, future: &Future, order: &[usize], share: f64) -> Reference {
    let n = s.initiatives.len();
    let mut remaining: Vec<f64> = future.effort_weeks.clone();
    let mut delivered = vec![0usize; n];
    let mut capacity = Vec::with_capacity(s.periods);
    for t in 1..=s.periods {
        // Effective capacity: A_t × noise_t × (1 − drag_t), drag from the deliveries by t − 1.
        let relief: f64 = (0..n)
            .filter(|&j| delivered[j] != 0 && delivered[j] < t)
            .map(|j| s.initiatives[j].debt_relief)
            .sum();
        let base = (s.debt.drag + future.growth * (t as f64 - 1.0)).min(s.debt.ceiling);
        let drag = (base - relief).max(0.0);
        let allocatable = s.capacity.per_period[t - 1] * (1.0 - s.capacity.buffer);
        let k = (allocatable * future.capacity_factor[t - 1] * (1.0 - drag)).max(0.0);
        capacity.push(k);
        // Eligible: not delivered, every prerequisite delivered by the end of t − 1.
        let eligible: Vec<bool> = (0..n)
            .map(|i| {
                delivered[i] == 0
                    && s.initiatives[i]
                        .requires
                        .iter()
                        .all(|&j| delivered[j] != 0 && delivered[j] < t)
            })
            .collect();
        let mut given = vec![0.0f64; n];
        let limit = |i: usize| {
            s.initiatives[i]
                .team
                .map_or(f64::INFINITY, |team| team * s.weeks_per_period)
        };
        // The reserve s × K_t to stability items, then (1 − s) × K_t to everybody, both in
        // priority order, each item up to its team limit.
        let passes = [(share * k, true), (k - share * k, false)];
        for (mut budget, stability_only) in passes {
            for &i in order {
                if budget <= 0.0 {
                    break;
                }
                let stability = s.initiatives[i].class == Class::Stability;
                if !eligible[i] || (stability_only && !stability) {
                    continue;
                }
                let room = limit(i) - given[i];
                if room <= 0.0 {
                    continue;
                }
                let g = remaining[i].min(room).min(budget);
                given[i] += g;
                remaining[i] -= g;
                budget -= g;
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
    // Accounting, discounted with d_t.
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
    Reference {
        delivered,
        capacity,
        value_earned,
        cost_of_delay,
        incident_losses,
        penalties,
    }
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
        let reference = reference_replay(&s, &future, &order, share);

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
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    #[test]
    fn replaying_the_plan_without_uncertainty_gives_the_planners_objective_and_parts(
        n in 1usize..7,
        periods in 1usize..5,
        seed in 0u64..10_000,
    ) {
        let s = tradeoff::synthetic::portfolio(n, periods, seed);
        let Ok(plan) = solve_plan(&s, &PlanOptions { time_limit_secs: 20.0, ..Default::default() }) else {
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
