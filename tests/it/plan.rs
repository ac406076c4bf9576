//! Integration tests: the planner on hand-computed scenarios, brute force and plan properties.
//!
//! Hand-made scenarios are built in code so each test shows every number its arithmetic uses.
//! Unless a test says otherwise: no discounting, no terminal value, no buffer, no drag, no
//! ring-fence, quarters of 13 weeks.

use tradeoff::internals::drag_after_relief;

use good_lp::solvers::microlp::microlp;
use good_lp::{variable, Expression, ProblemVariables, SolverModel};
use proptest::prelude::*;

use tradeoff::plan::{solve_plan, Bucket, Plan, PlanOptions, PlanStatus};
use tradeoff::scenario::{Class, Deadline, Debt, Estimate, Initiative, Kind, Risk, Scenario, Team};
use tradeoff::Error;

use super::common::{finish, tradeoff, write_scenario, Run};

// ---------------------------------------------------------------------------------------------
// Builders

fn scenario(periods: usize, capacity: f64, initiatives: Vec<Initiative>) -> Scenario {
    Scenario::new("hand-made", periods, capacity, initiatives)
}

fn item(id: &str, kind: Kind, effort: f64) -> Initiative {
    Initiative::new(id, kind, Estimate::fixed(effort))
}

fn feature(id: &str, effort: f64, value: f64, one_time: f64) -> Initiative {
    let mut i = item(id, Kind::Feature, effort);
    i.value = Estimate::fixed(value);
    i.one_time_value = Estimate::fixed(one_time);
    i
}

fn exact() -> PlanOptions {
    PlanOptions {
        gap: 0.0,
        time_limit_secs: 30.0,
        ..PlanOptions::default()
    }
}

fn plan(s: &Scenario) -> Plan {
    match solve_plan(s, &exact()) {
        Ok(p) => p,
        Err(e) => panic!("planning failed: {e}"),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

fn delivery(p: &Plan, id: &str) -> Option<usize> {
    p.initiatives
        .iter()
        .find(|i| i.id == id)
        .and_then(|i| i.delivery)
}

// ---------------------------------------------------------------------------------------------
// Hand-computed scenarios

#[test]
fn knapsack_in_one_period() {
    // One period of 10 engineer-weeks; only one-time values count (no period after delivery).
    // a: 6 weeks, 60; b: 5 weeks, 40; c: 5 weeks, 35.
    // a+b = 11 > 10 and a+c = 11 > 10, so the choices are {a} = 60 or {b, c} = 75.
    let s = scenario(
        1,
        10.0,
        vec![
            feature("a", 6.0, 0.0, 60.0),
            feature("b", 5.0, 0.0, 40.0),
            feature("c", 5.0, 0.0, 35.0),
        ],
    );
    let p = plan(&s);
    assert!(close(p.objective, 75.0), "objective {}", p.objective);
    assert_eq!(delivery(&p, "a"), None);
    assert_eq!(delivery(&p, "b"), Some(1));
    assert_eq!(delivery(&p, "c"), Some(1));
    assert_eq!(p.status, PlanStatus::Optimal);
    assert_eq!(p.initiatives[0].bucket, Bucket::Unplanned);
    assert_eq!(p.initiatives[1].bucket, Bucket::Now);
    // value earned 75, no cost of delay, no penalties
    assert!(close(p.value_earned, 75.0) && p.cost_of_delay == 0.0 && p.penalties == 0.0);
}

#[test]
fn dependency_forces_an_order() {
    // Three periods of 10 weeks; a and b take 10 weeks each, so one item per period.
    // a: 10 per period; b: 100 per period, but b requires a.
    // Without the dependency: b in P1 earns 100 in P2 and P3 (200), a in P2 earns 10 in P3: 210.
    // With it: a in P1 earns 10 × 2 = 20, b in P2 earns 100 × 1 = 100: 120.
    let mut b = feature("b", 10.0, 100.0, 0.0);
    b.requires = vec![0];
    let s = scenario(3, 10.0, vec![feature("a", 10.0, 10.0, 0.0), b]);
    let p = plan(&s);
    assert!(close(p.objective, 120.0), "objective {}", p.objective);
    assert_eq!(delivery(&p, "a"), Some(1));
    assert_eq!(delivery(&p, "b"), Some(2));
    assert_eq!(p.initiatives[1].start, Some(2));
}

#[test]
fn team_limit_spreads_work_over_periods() {
    // 100 weeks of capacity, but a (30 weeks) has team = 1: at most 1 × 13 weeks per period.
    // 13 + 13 + 4 = 30, so a is delivered in P3; its one-time value 100 is the objective.
    let mut a = feature("a", 30.0, 0.0, 100.0);
    a.team = Some(1.0);
    let s = scenario(3, 100.0, vec![a]);
    let p = plan(&s);
    assert!(close(p.objective, 100.0));
    let a = &p.initiatives[0];
    assert_eq!((a.start, a.delivery), (Some(1), Some(3)));
    let expected = [13.0 / 30.0, 13.0 / 30.0, 4.0 / 30.0];
    for (got, want) in a.shares.iter().zip(expected) {
        assert!((got - want).abs() < 1e-6, "shares {:?}", a.shares);
    }
    assert!((p.periods[0].product - 13.0).abs() < 1e-6);
}

#[test]
fn hard_deadline_overrides_value() {
    // Two periods of 10 weeks, items of 10 weeks: one per period.
    // a: 100 per period; b: 1 per period, hard deadline P1.
    // Free choice would be a first (100 in P2). The deadline puts b in P1 (1 in P2), a in P2
    // (nothing left of the horizon): objective 1.
    let mut b = feature("b", 10.0, 1.0, 0.0);
    b.deadline = Some(Deadline::Hard { period: 1 });
    let s = scenario(2, 10.0, vec![feature("a", 10.0, 100.0, 0.0), b]);
    let p = plan(&s);
    assert!(close(p.objective, 1.0), "objective {}", p.objective);
    assert_eq!(delivery(&p, "b"), Some(1));
}

#[test]
fn soft_deadline_worth_missing() {
    // As above, but b's deadline is soft with penalty 50.
    // a first: 100 − 50 (b misses P1) = 50; b first: 1. Missing the deadline is worth it.
    let mut b = feature("b", 10.0, 1.0, 0.0);
    b.deadline = Some(Deadline::Soft {
        period: 1,
        penalty: 50.0,
    });
    let s = scenario(2, 10.0, vec![feature("a", 10.0, 100.0, 0.0), b.clone()]);
    let p = plan(&s);
    assert!(close(p.objective, 50.0), "objective {}", p.objective);
    assert!(close(p.penalties, 50.0));
    assert_eq!(delivery(&p, "a"), Some(1));
    // With penalty 150: a first gives 100 − 150 = −50, b first gives 1: now b goes first.
    b.deadline = Some(Deadline::Soft {
        period: 1,
        penalty: 150.0,
    });
    let s = scenario(2, 10.0, vec![feature("a", 10.0, 100.0, 0.0), b]);
    let p = plan(&s);
    assert!(close(p.objective, 1.0), "objective {}", p.objective);
    assert_eq!(delivery(&p, "b"), Some(1));
}

#[test]
fn drag_relief_pays_off() {
    // Three periods of 10 weeks with a constant drag of 0.5: 5 effective weeks per period.
    // f1, f2: 10 weeks, one-time 100 each. d: debt, 5 weeks, relief 0.5.
    // Without d: 15 effective weeks in all, one feature: 100.
    // d in P1 (5 weeks), then drag 0 from P2: 10 + 10 weeks, both features: 200.
    let mut s = scenario(
        3,
        10.0,
        vec![
            feature("f1", 10.0, 0.0, 100.0),
            feature("f2", 10.0, 0.0, 100.0),
            {
                let mut d = item("d", Kind::Debt, 5.0);
                d.debt_relief = 0.5;
                d
            },
        ],
    );
    s.debt = Debt {
        drag: 0.5,
        growth: Estimate::ZERO,
        ceiling: 1.0,
    };
    let p = plan(&s);
    assert!(close(p.objective, 200.0), "objective {}", p.objective);
    assert_eq!(delivery(&p, "d"), Some(1));
    assert!((p.periods[0].drag - 0.5).abs() < 1e-12);
    assert_eq!(p.periods[1].drag, 0.0);
    assert!((p.periods[0].stability - 5.0).abs() < 1e-6);
}

#[test]
fn discounting_flips_an_order() {
    // Two periods of 10 weeks, one item per period, one period per year.
    // a: one-time 1000 at delivery; b: 50 per period once delivered.
    // (a, b): 1000 d1; (b, a): 50 d2 + 1000 d2 (b earns in P2, a is paid in P2).
    // r = 0: 1000 vs 1050, b first. r = 10%: d1 = 1/1.1, d2 = 1/1.21:
    // 909.09 vs 867.77, a first.
    let mut s = scenario(
        2,
        10.0,
        vec![
            feature("a", 10.0, 0.0, 1000.0),
            feature("b", 10.0, 50.0, 0.0),
        ],
    );
    s.periods_per_year = 1.0;
    let p = plan(&s);
    assert!(close(p.objective, 1050.0), "objective {}", p.objective);
    assert_eq!(delivery(&p, "b"), Some(1));
    s.discount_rate = 0.10;
    let p = plan(&s);
    assert!(
        close(p.objective, 1000.0 / 1.1),
        "objective {}",
        p.objective
    );
    assert_eq!(delivery(&p, "a"), Some(1));
}

#[test]
fn ring_fence_reserves_stability_capacity() {
    // One period of 10 weeks, stability_share.min = 0.4: product work ≤ 6 weeks.
    // f: 8 weeks, 100 (does not fit the product side); g: 6 weeks, 50; d: debt, 4 weeks, 10.
    // Best: g + d = 60 (without the reserve it would be f alone, 100).
    let mut d = item("d", Kind::Debt, 4.0);
    d.one_time_value = Estimate::fixed(10.0);
    let mut s = scenario(
        1,
        10.0,
        vec![
            feature("f", 8.0, 0.0, 100.0),
            feature("g", 6.0, 0.0, 50.0),
            d,
        ],
    );
    let free = plan(&s);
    assert!(close(free.objective, 100.0));
    s.capacity.stability_min = 0.4;
    let p = plan(&s);
    assert!(close(p.objective, 60.0), "objective {}", p.objective);
    assert!(p.periods[0].product <= 6.0 + 1e-6);
    assert_eq!(p.stability_min, 0.4);
    // --stability-share 0.3 sets min = max = 0.3: d (4 weeks) no longer fits in 3, and
    // product gets 7 weeks: g alone (50).
    let fixed = solve_plan(
        &s,
        &PlanOptions {
            stability_share: Some(0.3),
            ..exact()
        },
    )
    .expect("feasible");
    assert!(
        close(fixed.objective, 50.0),
        "objective {}",
        fixed.objective
    );
    assert_eq!((fixed.stability_min, fixed.stability_max), (0.3, 0.3));
}

#[test]
fn commitment_is_delivered_at_a_loss() {
    // One period of 10 weeks. a: committed, 10 weeks, one-time −20 (a net cost);
    // b: 10 weeks, one-time 100. Only one fits, and the commitment wins: objective −20.
    let mut a = feature("a", 10.0, 0.0, -20.0);
    a.commit = true;
    let s = scenario(1, 10.0, vec![a, feature("b", 10.0, 0.0, 100.0)]);
    let p = plan(&s);
    assert!(close(p.objective, -20.0), "objective {}", p.objective);
    assert_eq!(delivery(&p, "a"), Some(1));
    assert_eq!(p.initiatives[1].bucket, Bucket::Unplanned);
    assert!(p.initiatives[1].shares.iter().all(|s| *s == 0.0));
}

#[test]
fn cost_of_delay_counts_until_delivery() {
    // Two periods of 10 weeks; a: 10 weeks, cost of delay 30 per period while undelivered.
    // Delivered in P1: pays 30 in P1 only (t − 1 < 1); objective −30, value earned 0.
    let mut a = item("a", Kind::Security, 10.0);
    a.risk = Some(Risk::PerPeriod(Estimate::fixed(30.0)));
    let s = scenario(2, 10.0, vec![a]);
    let p = plan(&s);
    assert!(close(p.objective, -30.0), "objective {}", p.objective);
    assert!(close(p.cost_of_delay, 30.0));
}

#[test]
fn infeasible_deadline_names_the_dependency() {
    // b (5 weeks, hard deadline P1) requires a (10 weeks): b's work can start only in P2.
    let mut b = feature("b", 5.0, 0.0, 0.0);
    b.requires = vec![0];
    b.deadline = Some(Deadline::Hard { period: 1 });
    let s = scenario(2, 20.0, vec![feature("a", 10.0, 0.0, 0.0), b]);
    match solve_plan(&s, &exact()) {
        Err(Error::Infeasible { conflicts }) => {
            let text = conflicts.join("\n");
            assert!(text.contains("`b` must be delivered by period 1"), "{text}");
            assert!(text.contains("`b` requires `a`"), "{text}");
        }
        other => panic!("expected infeasible, got {other:?}"),
    }
}

#[test]
fn infeasible_team_limit_is_explained_with_numbers() {
    // gdpr (40 weeks, team 1) must be done by P2: at most 2 × 13 = 26 weeks fit.
    let mut g = item("gdpr-export", Kind::Compliance, 40.0);
    g.team = Some(1.0);
    g.deadline = Some(Deadline::Hard { period: 2 });
    let s = scenario(3, 100.0, vec![g]);
    match solve_plan(&s, &exact()) {
        Err(Error::Infeasible { conflicts }) => {
            let text = conflicts.join("\n");
            assert!(
                text.contains("`gdpr-export` must be delivered by period 2")
                    && text.contains("needs 40 engineer-weeks and at most 26 fit before then")
                    && text.contains("team = 1, weeks_per_period = 13"),
                "{text}"
            );
        }
        other => panic!("expected infeasible, got {other:?}"),
    }
}

#[test]
fn infeasible_deadline_that_fits_only_with_free_relief_says_so() {
    // Two periods of 10 weeks under a constant drag of 0.1: 18 effective weeks. x needs 19 by
    // P2. All of d's relief from P1 would lift the drag (20 weeks), but d takes 5 weeks itself
    // and relieves only from the period after: no plan, and the reason is the drag.
    let mut x = feature("x", 19.0, 0.0, 100.0);
    x.deadline = Some(Deadline::Hard { period: 2 });
    let mut d = item("d", Kind::Debt, 5.0);
    d.debt_relief = 0.1;
    let mut s = scenario(2, 10.0, vec![x, d]);
    s.debt = Debt {
        drag: 0.1,
        growth: Estimate::ZERO,
        ceiling: 1.0,
    };
    match solve_plan(&s, &exact()) {
        Err(Error::Infeasible { conflicts }) => {
            let text = conflicts.join("\n");
            assert!(
                text.contains(
                    "`x` must be delivered by period 2 (P2, deadline), but it needs 19 \
                     engineer-weeks and at most 18 fit before then under the debt drag (20 only \
                     if all the scenario's debt relief applied from the first period"
                ),
                "{text}"
            );
        }
        other => panic!("expected infeasible, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Independent checks: the objective from deliveries, plan feasibility, brute force

/// value earned, cost of delay and penalties of a set of deliveries, straight from SPEC's words.
fn parts_from_deliveries(s: &Scenario, deliveries: &[Option<usize>]) -> (f64, f64, f64) {
    let t_end = s.periods;
    let d = |t: usize| s.discount(t);
    let (mut value, mut delay, mut penalties) = (0.0, 0.0, 0.0);
    for (init, del) in s.initiatives.iter().zip(deliveries) {
        let v = init.value.mean();
        let c = init.cost_of_delay_mean();
        for t in 1..=t_end {
            // earns v in every period after its delivery period
            if del.is_some_and(|k| k < t) {
                value += d(t) * v;
            }
            // pays c in every period it starts undelivered
            if del.is_none_or(|k| k >= t) {
                delay += d(t) * c;
            }
        }
        if let Some(k) = del {
            value += d(*k) * init.one_time_value.mean();
            value += d(t_end) * v * f64::from(s.terminal_periods);
        }
        if let Some(Deadline::Soft { period, penalty }) = init.deadline {
            if del.is_none_or(|k| k > period) {
                penalties += penalty;
            }
        }
    }
    (value, delay, penalties)
}

/// The capacity pools, straight from SPEC's "Teams": each team's C_jt (1 − buffer) per period
/// and every item's share σ_ij of its effort in it; one pool of all the capacity without teams.
fn pools(s: &Scenario) -> Vec<(Vec<f64>, Vec<f64>)> {
    let keep = 1.0 - s.capacity.buffer;
    if s.teams.is_empty() {
        let allocatable = s.capacity.per_period.iter().map(|c| c * keep).collect();
        return vec![(allocatable, vec![1.0; s.initiatives.len()])];
    }
    (0..s.teams.len())
        .map(|j| {
            let allocatable = s.teams[j].per_period.iter().map(|c| c * keep).collect();
            let shares = s
                .initiatives
                .iter()
                .map(|i| {
                    i.split
                        .iter()
                        .find(|(k, _)| *k == j)
                        .map_or(0.0, |(_, x)| *x)
                })
                .collect();
            (allocatable, shares)
        })
        .collect()
}

/// Every constraint of the program, checked on a normalised plan.
fn check_plan(s: &Scenario, p: &Plan, share_min: f64, share_max: f64) {
    let t_end = s.periods;
    let tol = 1e-6;
    let deliveries: Vec<Option<usize>> = p.initiatives.iter().map(|i| i.delivery).collect();
    let growth = s.debt.growth.mean();
    for t in 1..=t_end {
        let relief: f64 = s
            .initiatives
            .iter()
            .zip(&deliveries)
            .filter(|(_, d)| d.is_some_and(|k| k < t))
            .map(|(i, _)| i.debt_relief)
            .sum();
        let drag = drag_after_relief(s.debt.base_drag(t, growth), relief);
        let effective = s.allocatable(t) * (1.0 - drag);
        for (allocatable, shares) in pools(s) {
            let effective = allocatable[t - 1] * (1.0 - drag);
            let (mut product, mut stability) = (0.0, 0.0);
            for (i, init) in s.initiatives.iter().enumerate() {
                let weeks =
                    p.initiatives[i].shares[t - 1] * init.remaining_effort_mean() * shares[i];
                match init.class {
                    Class::Product => product += weeks,
                    Class::Stability => stability += weeks,
                }
            }
            let scale = effective.max(1.0);
            assert!(
                product + stability <= effective + tol * scale,
                "capacity in period {t}"
            );
            assert!(
                product <= (1.0 - share_min) * effective + tol * scale,
                "reserve in period {t}"
            );
            assert!(
                stability <= share_max * effective + tol * scale,
                "stability cap in period {t}"
            );
        }
        let (mut product, mut stability) = (0.0, 0.0);
        for (i, init) in s.initiatives.iter().enumerate() {
            let weeks = p.initiatives[i].shares[t - 1] * init.remaining_effort_mean();
            assert!(weeks >= 0.0);
            if let Some(team) = init.team {
                assert!(
                    weeks <= team * s.weeks_per_period * (1.0 + tol) + tol,
                    "team limit of {}",
                    init.id
                );
            }
            if weeks > 0.0 {
                for &j in &init.requires {
                    assert!(
                        deliveries[j].is_some_and(|k| k < t),
                        "{} works before its prerequisite",
                        init.id
                    );
                }
            }
            match init.class {
                Class::Product => product += weeks,
                Class::Stability => stability += weeks,
            }
        }
        let scale = effective.max(1.0);
        assert!((p.periods[t - 1].drag - drag).abs() < 1e-9);
        let idle = effective - product - stability;
        assert!((p.periods[t - 1].idle - idle).abs() < 1e-6 * scale);
    }
    for (init, planned) in s.initiatives.iter().zip(&p.initiatives) {
        let sum: f64 = planned.shares.iter().sum();
        match planned.delivery {
            Some(k) => {
                assert!((sum - 1.0).abs() < 1e-9, "{} shares sum to {sum}", init.id);
                assert!(planned.shares[k..].iter().all(|x| *x == 0.0));
            }
            None => assert_eq!(sum, 0.0),
        }
        assert!(planned.shares.iter().all(|x| *x == 0.0 || *x >= 1e-6));
        if let Some(Deadline::Hard { period }) = init.deadline {
            assert!(
                planned.delivery.is_some_and(|k| k <= period),
                "{} misses its deadline",
                init.id
            );
        }
        if init.commit {
            assert!(planned.delivery.is_some());
        }
    }
    let (value, delay, penalties) = parts_from_deliveries(s, &deliveries);
    assert!(
        close(p.value_earned, value),
        "value {} vs {value}",
        p.value_earned
    );
    assert!(close(p.cost_of_delay, delay));
    assert!(close(p.penalties, penalties));
    assert!(close(p.objective, value - delay - penalties));
    assert!(p.bound >= p.objective - 1e-9 * p.objective.abs().max(1.0));
    assert!(p.gap >= 0.0);
}

/// Whether some shares meet every constraint for the given deliveries (an LP written apart from
/// the planner's model: the drag is fixed by the deliveries).
#[allow(clippy::needless_range_loop)]
fn schedule_is_feasible(s: &Scenario, deliveries: &[Option<usize>]) -> bool {
    let t_end = s.periods;
    let n = s.initiatives.len();
    // Quick necessary checks first.
    for (i, init) in s.initiatives.iter().enumerate() {
        match init.deadline {
            Some(Deadline::Hard { period }) if deliveries[i].is_none_or(|k| k > period) => {
                return false
            }
            _ => {}
        }
        if init.commit && deliveries[i].is_none() {
            return false;
        }
        if let Some(k) = deliveries[i] {
            for &j in &init.requires {
                if deliveries[j].is_none_or(|kj| kj >= k) {
                    return false;
                }
            }
        }
    }
    let growth = s.debt.growth.mean();
    let mut vars = ProblemVariables::new();
    let mut x = vec![vec![None; t_end]; n];
    for i in 0..n {
        let Some(k) = deliveries[i] else { continue };
        let init = &s.initiatives[i];
        let e = init.remaining_effort_mean();
        let cap = init
            .team
            .map_or(1.0, |team| (team * s.weeks_per_period / e).min(1.0));
        for t in 1..=k {
            let ready = init
                .requires
                .iter()
                .all(|&j| deliveries[j].is_some_and(|kj| kj < t));
            if ready {
                x[i][t - 1] = Some(vars.add(variable().min(0.0).max(cap)));
            }
        }
    }
    let mut constraints = Vec::new();
    for i in 0..n {
        if deliveries[i].is_some() {
            let mut total = Expression::from(0.0);
            for v in x[i].iter().flatten() {
                total += *v;
            }
            constraints.push(total.eq(1.0));
        }
    }
    for t in 1..=t_end {
        let relief: f64 = (0..n)
            .filter(|&j| deliveries[j].is_some_and(|k| k < t))
            .map(|j| s.initiatives[j].debt_relief)
            .sum();
        let kept = 1.0 - drag_after_relief(s.debt.base_drag(t, growth), relief);
        // Capacity and ring-fence hold in every pool (team), each item σ of its work there.
        for (allocatable, shares) in pools(s) {
            let effective = allocatable[t - 1] * kept;
            let mut all = Expression::from(0.0);
            let mut product = Expression::from(0.0);
            let mut stability = Expression::from(0.0);
            for i in 0..n {
                if let Some(v) = x[i][t - 1] {
                    let e = s.initiatives[i].remaining_effort_mean() * shares[i];
                    all.add_mul(e, v);
                    match s.initiatives[i].class {
                        Class::Product => product.add_mul(e, v),
                        Class::Stability => stability.add_mul(e, v),
                    }
                }
            }
            constraints.push(all.leq(effective));
            constraints.push(product.leq((1.0 - s.capacity.stability_min) * effective));
            constraints.push(stability.leq(s.capacity.stability_max * effective));
        }
    }
    let problem = vars
        .minimise(Expression::from(0.0))
        .using(microlp)
        .with_all(constraints);
    problem.solve().is_ok()
}

/// The best objective over every delivery schedule (None when none is feasible).
fn brute_force(s: &Scenario) -> Option<f64> {
    let n = s.initiatives.len();
    let t_end = s.periods;
    let mut best: Option<f64> = None;
    let mut choice = vec![0usize; n]; // 0 = never, k = delivered by the end of k
    loop {
        let deliveries: Vec<Option<usize>> = choice.iter().map(|&c| (c > 0).then_some(c)).collect();
        let (v, c, p) = parts_from_deliveries(s, &deliveries);
        let objective = v - c - p;
        if best.is_none_or(|b| objective > b + 1e-9) && schedule_is_feasible(s, &deliveries) {
            best = Some(objective);
        }
        // next choice vector
        let mut pos = 0;
        loop {
            if pos == n {
                return best;
            }
            choice[pos] += 1;
            if choice[pos] <= t_end {
                break;
            }
            choice[pos] = 0;
            pos += 1;
        }
    }
}

/// A random small scenario: up to 6 initiatives, at most 3 periods ((T + 1)^n ≤ 1024).
fn small_scenario() -> impl Strategy<Value = Scenario> {
    (1usize..=6, 1usize..=3)
        .prop_filter("brute force stays small", |(n, t)| {
            (t + 1).pow(*n as u32) <= 1024
        })
        .prop_flat_map(|(n, t)| {
            let item = (
                1u32..=20,                  // effort
                0u32..=60,                  // value per period
                -20i32..=120,               // one-time value
                0u32..=15,                  // cost of delay
                prop::option::of(1u32..=2), // team
                any::<bool>(),              // stability class
                0u32..=10,                  // selector for deadlines and commitments
                0u32..=20,                  // relief in %
                any::<u8>(),                // selector for the dependency
            );
            (
                Just(t),
                prop::collection::vec(item, n),
                8u32..=30, // capacity per period
                0u32..=3,  // stability min in tenths
                6u32..=10, // stability max in tenths
                0u32..=30, // drag in %
                0u32..=20, // discount rate in %
                0u32..=2,  // terminal periods
            )
        })
        .prop_map(|(t, items, cap, smin, smax, drag, rate, terminal)| {
            let n = items.len();
            let initiatives = items
                .into_iter()
                .enumerate()
                .map(|(i, (e, v, o, c, team, stab, sel, relief, dep))| {
                    let mut it = item(
                        &format!("i{i}"),
                        if stab { Kind::Debt } else { Kind::Feature },
                        f64::from(e),
                    );
                    it.value = Estimate::fixed(f64::from(v));
                    it.one_time_value = Estimate::fixed(f64::from(o));
                    it.risk = (c > 0).then(|| Risk::PerPeriod(Estimate::fixed(f64::from(c))));
                    it.team = team.map(f64::from);
                    it.debt_relief = f64::from(relief) / 100.0;
                    match sel {
                        0 => {
                            it.deadline = Some(Deadline::Hard {
                                period: 1 + (dep as usize) % t,
                            })
                        }
                        1 | 2 => {
                            it.deadline = Some(Deadline::Soft {
                                period: 1 + (dep as usize) % t,
                                penalty: f64::from(o.unsigned_abs() + 10),
                            })
                        }
                        3 => it.commit = true,
                        _ => {}
                    }
                    if i > 0 && dep % 3 == 0 {
                        it.requires = vec![(dep as usize / 3) % i];
                    }
                    it
                })
                .collect();
            let mut s = scenario(t, f64::from(cap), initiatives);
            let _ = n;
            s.weeks_per_period = 4.0;
            s.capacity.stability_min = f64::from(smin) / 10.0;
            s.capacity.stability_max = f64::from(smax) / 10.0;
            s.debt = Debt {
                drag: f64::from(drag) / 100.0,
                growth: Estimate::fixed(0.05),
                ceiling: 0.4,
            };
            s.discount_rate = f64::from(rate) / 100.0;
            s.terminal_periods = terminal;
            s
        })
}

/// The bounds of the program's own relaxation, of the extended one (work by delivery period) and
/// of the extended one for every other item only.
fn relaxation_bounds(s: &Scenario) -> (f64, f64, f64) {
    use tradeoff::internals::plan::solve_relaxation;
    use tradeoff::internals::plan::{
        build_model, with_delivery_profiles, with_delivery_profiles_for,
    };
    let data = tradeoff::internals::plan::PlanData::from_scenario(s, None);
    let model = build_model(&data, &std::collections::BTreeSet::new());
    let compact = solve_relaxation(&model, 10.0).expect("the relaxation solves");
    let extended = solve_relaxation(&with_delivery_profiles(&model, &data), 10.0)
        .expect("the extended relaxation solves");
    let every_other: Vec<bool> = (0..data.n_items()).map(|i| i % 2 == 0).collect();
    let partial = solve_relaxation(
        &with_delivery_profiles_for(&model, &data, &every_other),
        10.0,
    )
    .expect("the partly extended relaxation solves");
    (compact.bound, extended.bound, partial.bound)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn optimum_equals_brute_force(s in small_scenario()) {
        let expected = brute_force(&s);
        match (solve_plan(&s, &exact()), expected) {
            (Ok(p), Some(best)) => {
                prop_assert!(close(p.objective, best), "planner {} vs brute force {best}", p.objective);
                check_plan(&s, &p, s.capacity.stability_min, s.capacity.stability_max);
                // Both relaxations bound the optimum; the extended one is at least as tight.
                let (compact, extended, partial) = relaxation_bounds(&s);
                let tol = 1e-6 * best.abs().max(1.0);
                prop_assert!(extended >= best - tol, "extended bound {extended} below optimum {best}");
                prop_assert!(partial >= best - tol, "partial bound {partial} below optimum {best}");
                // (An interior point method's duals are approximate: allow it a little slack.)
                prop_assert!(
                    extended <= compact + 1e-4 * compact.abs().max(1.0),
                    "extended {extended} looser than {compact}"
                );
            }
            (Err(Error::Infeasible { conflicts }), None) => prop_assert!(!conflicts.is_empty()),
            (got, want) => prop_assert!(false, "planner {got:?} vs brute force {want:?}"),
        }
    }

    #[test]
    fn optimum_equals_brute_force_with_teams(
        s in small_scenario(),
        teams in prop::collection::vec((3u32..=20, 0u8..=4), 2..=3),
    ) {
        // The same small scenarios with their capacity in two or three teams; each item owned
        // by one team or split half and half with the next.
        let mut s = s;
        let n_teams = teams.len();
        s.teams = teams
            .iter()
            .enumerate()
            .map(|(j, (cap, _))| Team {
                id: format!("t{j}"),
                name: format!("t{j}"),
                per_period: vec![f64::from(*cap); s.periods],
                noise: 0.0,
            })
            .collect();
        s.sum_team_capacity();
        for (i, item) in s.initiatives.iter_mut().enumerate() {
            let (_, how) = teams[i % n_teams];
            let j = (i + usize::from(how)) % n_teams;
            item.split = if how % 2 == 0 {
                vec![(j, 1.0)]
            } else {
                vec![(j, 0.5), ((j + 1) % n_teams, 0.5)]
            };
        }
        let expected = brute_force(&s);
        match (solve_plan(&s, &exact()), expected) {
            (Ok(p), Some(best)) => {
                prop_assert!(close(p.objective, best), "planner {} vs brute force {best}", p.objective);
                check_plan(&s, &p, s.capacity.stability_min, s.capacity.stability_max);
            }
            (Err(Error::Infeasible { conflicts }), None) => prop_assert!(!conflicts.is_empty()),
            (got, want) => prop_assert!(false, "planner {got:?} vs brute force {want:?}"),
        }
    }

    #[test]
    fn generated_plans_respect_every_constraint(n in 5usize..30, t in 1usize..7, seed in 0u64..1000) {
        let s = tradeoff::synthetic::portfolio(n, t, seed);
        let options = PlanOptions { time_limit_secs: 1.0, gap: 1e-3, ..PlanOptions::default() };
        let p = solve_plan(&s, &options).expect("generated portfolios are feasible");
        check_plan(&s, &p, s.capacity.stability_min, s.capacity.stability_max);
    }
}

#[test]
fn marginal_value_prices_a_binding_period() {
    // One period of 10 weeks; a: 20 weeks, one-time 100. The relaxation does half of a for 50,
    // so a week of capacity is worth 100 / 20 = 5 (the estimate). The plan itself delivers
    // nothing (a does not fit). Exact: one more engineer (+13 weeks) makes 23 ≥ 20 weeks, a is
    // delivered for 100, so 100 / 13 per engineer-week.
    let s = scenario(1, 10.0, vec![feature("a", 20.0, 0.0, 100.0)]);
    let p = plan(&s);
    assert!(close(p.objective, 0.0));
    assert!(
        (p.periods[0].marginal_value - 5.0).abs() < 1e-3,
        "{}",
        p.periods[0].marginal_value
    );
    assert_eq!(p.status, PlanStatus::Optimal);
    let exact = solve_plan(
        &s,
        &PlanOptions {
            marginal: tradeoff::plan::MarginalMethod::Exact,
            ..exact()
        },
    )
    .expect("feasible");
    assert!((exact.periods[0].marginal_value - 100.0 / 13.0).abs() < 1e-6);
}

#[test]
fn marginal_value_is_zero_where_no_work_could_use_more() {
    // One period of 10 weeks; a: exactly 10 weeks, one-time 100. The plan uses every week, and
    // nothing could use an eleventh: one more week earns 0. (One week less would cost 100 / 10
    // per week in the relaxation: the dual is degenerate, and the estimate must give the price
    // of one more week, as `--marginal exact` does.)
    let s = scenario(1, 10.0, vec![feature("a", 10.0, 0.0, 100.0)]);
    let p = plan(&s);
    assert!(close(p.objective, 100.0));
    assert!(
        p.periods[0].marginal_value.abs() < 0.01,
        "{}",
        p.periods[0].marginal_value
    );
}

// ---------------------------------------------------------------------------------------------
// The command line

const SMALL_TOML: &str = r#"
[scenario]
name = "CLI check"
periods = 4
start = "2027-Q1"
currency = "EUR"

[capacity]
per_period = 20
buffer = 0.1
stability_share = { min = 0.1, max = 0.6 }

[debt]
drag = 0.1
growth = 0.01
ceiling = 0.3

[[initiative]]
id = "sso"
kind = "feature"
effort = { low = 8, likely = 10, high = 18 }
value = 5000

[[initiative]]
id = "audit-log"
kind = "compliance"
effort = 6
value = 1000
deadline = { period = 2, penalty = 20000 }

[[initiative]]
id = "flaky-tests"
kind = "debt"
effort = 5
debt_relief = 0.05

[[initiative]]
id = "reports"
kind = "feature"
effort = 12
value = 3000
requires = ["sso"]
"#;

/// `tradeoff plan` with `args` on the scenario at `path`.
fn run_plan(args: &[&str], path: &std::path::Path) -> Run {
    finish(tradeoff().arg("plan").args(args).arg(path))
}

#[test]
fn cli_plans_a_scenario_in_every_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write_scenario(dir.path(), "small.toml", SMALL_TOML);

    let table = run_plan(&[], &path).expect_code(0, "plan").text();
    for needle in ["status optimal", "EUR", "2027-Q1", "Now", "marginal", "sso"] {
        assert!(table.contains(needle), "missing {needle:?} in\n{table}");
    }

    let out = run_plan(&["--format", "json"], &path);
    assert_eq!(out.code, Some(0));
    let json = out.json();
    for key in [
        "status",
        "objective",
        "gap",
        "bound",
        "value_earned",
        "cost_of_delay",
        "penalties",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    let first = &json["initiatives"][0];
    for key in ["id", "start", "delivery", "bucket", "shares", "effort"] {
        assert!(first.get(key).is_some(), "missing initiatives[].{key}");
    }
    let period = &json["periods"][0];
    for key in [
        "period",
        "capacity",
        "allocatable",
        "drag",
        "product",
        "stability",
        "idle",
        "marginal_value",
    ] {
        assert!(period.get(key).is_some(), "missing periods[].{key}");
    }
    // The saved plan reads back as a Plan.
    let _: Plan = serde_json::from_slice(&out.stdout).expect("a plan");

    let out = run_plan(&["--format", "csv"], &path);
    assert_eq!(out.code, Some(0));
    let csv = out.text();
    assert!(csv.starts_with("id,name,kind,class,effort_weeks,start,delivery"));
    assert_eq!(csv.lines().count(), 5);
}

#[test]
fn cli_refuses_to_overwrite_output_without_force() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write_scenario(dir.path(), "small.toml", SMALL_TOML);
    let output = dir.path().join("plan.json");
    std::fs::write(&output, "keep me").expect("write");
    let save = |force: &[&str]| {
        finish(
            tradeoff()
                .args(force)
                .args(["plan", "--format", "json", "--output"])
                .arg(&output)
                .arg(&path),
        )
    };
    assert_eq!(save(&[]).code, Some(2));
    assert_eq!(std::fs::read_to_string(&output).expect("read"), "keep me");
    save(&["--force"]).expect_code(0, "--force");
    assert!(std::fs::read_to_string(&output)
        .expect("read")
        .contains("\"status\""));
}

#[test]
fn cli_exits_3_on_an_infeasible_scenario() {
    // b must be done by P1 but requires a (10 weeks): its work can start only in P2.
    let text = r#"
[scenario]
periods = 3
[capacity]
per_period = 30
[[initiative]]
id = "a"
kind = "feature"
effort = 10
[[initiative]]
id = "b"
kind = "feature"
effort = 5
requires = ["a"]
deadline = 1
"#;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write_scenario(dir.path(), "infeasible.toml", text);
    let out = run_plan(&[], &path);
    assert_eq!(out.code, Some(3));
    let stderr = out.stderr;
    assert!(
        stderr.contains("infeasible") && stderr.contains("`b` requires `a`"),
        "{stderr}"
    );
    let out = run_plan(&["--format", "json"], &path);
    assert_eq!(out.code, Some(3));
    let json = out.json();
    assert_eq!(json["status"], "infeasible");
    assert!(json["conflicts"].as_array().is_some_and(|c| !c.is_empty()));
}

#[test]
fn cli_names_every_independent_conflict_with_its_own_numbers() {
    // Drag 0.3 leaves 70 of 100 weeks a period; stability work (security) gets at most half: 35.
    // s (security, 40 weeks) cannot meet its P1 deadline: 35 < 40. Independently, p (150 weeks,
    // committed) cannot be done in two periods even with s dropped and no ring-fence: 140 < 150.
    let text = r#"
[scenario]
periods = 2
[capacity]
per_period = 100
stability_share = { min = 0.2, max = 0.5 }
[debt]
drag = 0.3
[[initiative]]
id = "s"
kind = "security"
effort = 40
deadline = 1
[[initiative]]
id = "p"
kind = "feature"
effort = 150
requires = ["s"]
commit = true
"#;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write_scenario(dir.path(), "two-conflicts.toml", text);
    let out = run_plan(&[], &path);
    assert_eq!(out.code, Some(3));
    let stderr = out.stderr;
    assert!(
        stderr.contains("`p` must be delivered by period 2")
            && stderr.contains("150 engineer-weeks and at most 140 fit")
            && stderr.contains("`s` must be delivered by period 1")
            && stderr.contains("40 engineer-weeks and at most 35 fit")
            && stderr.contains("stability_share.max = 0.5")
            && !stderr.contains("-0"),
        "{stderr}"
    );
}

#[test]
fn mid_size_plans_respect_every_constraint() {
    // Large enough (over a thousand free binaries) for branch and bound on windows of periods.
    let s = tradeoff::synthetic::portfolio(150, 10, 5);
    let options = PlanOptions {
        time_limit_secs: 4.0,
        gap: 1e-4,
        ..PlanOptions::default()
    };
    let p = solve_plan(&s, &options).expect("generated portfolios are feasible");
    check_plan(&s, &p, s.capacity.stability_min, s.capacity.stability_max);
    assert!(p.gap >= 0.0 && p.bound >= p.objective);
}
