//! Closed-form checks of the simulator: each test derives the exact answer in its comments and
//! checks the engine against it (within Monte Carlo tolerance when sampling).

use super::pert::beta_cdf;
use super::replay::{replay, settle, Workspace};
use super::sampling::{Future, Model};
use super::strategy::compile_strategy;
use super::*;
use crate::plan::{PlanStatus, PlannedInitiative};
use crate::progress::Silent;
use crate::scenario::{
    Class, CustomStrategy, Deadline, Debt, Estimate, Initiative, Kind, Risk, Team,
};

fn scenario(periods: usize, capacity_weeks: f64, initiatives: Vec<Initiative>) -> Scenario {
    Scenario::new("test", periods, capacity_weeks, initiatives)
}

fn item(id: &str, class: Class, effort: Estimate) -> Initiative {
    let kind = if class == Class::Product {
        Kind::Feature
    } else {
        Kind::Debt
    };
    Initiative {
        class,
        ..Initiative::new(id, kind, effort)
    }
}

fn fixed(x: f64) -> Estimate {
    Estimate::fixed(x)
}

fn pert(low: f64, likely: f64, high: f64) -> Estimate {
    Estimate { low, likely, high }
}

fn options(n_trials: usize) -> SimOptions {
    SimOptions {
        n_trials,
        seed: 7,
        threads: Some(1),
        deterministic: false,
        robust: Default::default(),
    }
}

fn run(s: &Scenario, plan: Option<&Plan>, specs: &[StrategySpec], o: &SimOptions) -> Simulation {
    simulate(s, plan, specs, o, &Silent).expect("simulation runs")
}

/// Replays one strategy on the deterministic future and returns the workspace.
fn replay_means(s: &Scenario, plan: Option<&Plan>, spec: &StrategySpec) -> Workspace {
    let model = Model::new(s);
    let future = Future::deterministic(&model);
    let strategy = compile_strategy(s, plan, spec).unwrap();
    let mut ws = Workspace::new(&model);
    replay(&model, &future, &strategy, &mut ws);
    ws
}

/// An incident with probability p per period on an item delivered at the end of period k
/// (effort 10k against 10 engineer-weeks per period, no noise): incidents can strike in periods
/// 1..=k (undelivered by the end of t − 1), independently, so P(at least one) = 1 − (1 − p)^k and
/// the expected loss is k × p × impact (no discounting). With p = 0.1, k = 4, impact 1000:
/// P = 1 − 0.9⁴ = 0.3439, E[loss] = 400. 20,000 trials: SE of P ≈ 0.0034, of the loss ≈ 4.3.
#[test]
fn incident_probability_before_a_known_delivery() {
    let (p, k, impact) = (0.1, 4usize, 1000.0);
    let mut a = item("a", Class::Stability, fixed(10.0 * k as f64));
    a.risk = Some(Risk::Incident {
        probability: p,
        impact: fixed(impact),
    });
    let s = scenario(8, 10.0, vec![a]);
    let sim = run(&s, None, &[StrategySpec::Wsjf], &options(20_000));
    let r = &sim.strategies[0];
    assert_eq!(r.initiatives[0].delivery_p50, Some(k));
    let expected_loss = k as f64 * p * impact;
    let loss_sd = impact * (k as f64 * p * (1.0 - p)).sqrt();
    assert!(
        (r.incident_losses.mean - expected_loss).abs() < 4.0 * loss_sd / 20_000f64.sqrt(),
        "loss {}",
        r.incident_losses.mean
    );
    // Net value = −losses, so P(at least one incident) = P(net < 0), counted directly.
    let model = Model::new(&s);
    let strategy = compile_strategy(&s, None, &StrategySpec::Wsjf).unwrap();
    let mut future = Future::for_sampling(&model);
    let mut ws = Workspace::new(&model);
    let n = 20_000;
    let mut hit = 0;
    for trial in 0..n {
        future.sample(&model, 7, trial);
        replay(&model, &future, &strategy, &mut ws);
        if settle(&model, &future, &ws.delivered).incident_losses > 0.0 {
            hit += 1;
        }
    }
    let p_any = 1.0 - (1.0 - p).powi(k as i32);
    let se = (p_any * (1.0 - p_any) / n as f64).sqrt();
    assert!(
        (hit as f64 / n as f64 - p_any).abs() < 4.0 * se,
        "{hit} of {n}"
    );
    // No cost of delay: incidents are not expected losses outside --deterministic.
    assert_eq!(r.cost_of_delay.mean, 0.0);
}

/// PERT effort {10, 25, 40} against 10 engineer-weeks per period: the item is delivered by the
/// end of k iff its effort ≤ 10k, so P(delivered by k) = F(10k) = I_x(α, β) with
/// x = (10k − 10) / 30, α = 1 + 4 × 15 / 30 = 3, β = 3: 0, 0.1035, 0.5, 0.8965, 1 for k = 1..5.
#[test]
fn pert_effort_against_fixed_capacity_gives_the_pert_cdf() {
    let s = scenario(
        5,
        10.0,
        vec![item("a", Class::Product, pert(10.0, 25.0, 40.0))],
    );
    let n = 20_000;
    let sim = run(&s, None, &[StrategySpec::Wsjf], &options(n));
    let by = &sim.strategies[0].initiatives[0].delivered_by;
    for k in 1..=5 {
        let exact = beta_cdf(3.0, 3.0, (10.0 * k as f64 - 10.0) / 30.0);
        let se = (exact * (1.0 - exact) / n as f64).sqrt();
        assert!(
            (by[k - 1] - exact).abs() < 4.0 * se + 1.0 / 1024.0,
            "k={k}: {} vs {exact}",
            by[k - 1]
        );
    }
}

/// Two items, fixed numbers, 10 engineer-weeks per period, T = 4, terminal_periods = 2, no
/// discounting. A: effort 10, value 100, one-time 50. B: effort 15, value 40, risk 20 per period,
/// soft deadline 2 with penalty 500.
/// Order [A, B]: A done in 1; B gets 10 in 2 and 5 in 3 → delivered 3. Value: A 100 × 3
/// periods plus 50 = 350, B 40 × 1 = 40; terminal 2 × (100 + 40) = 280; cost of delay 20 × 3 = 60; B misses
/// its deadline: 500. Net = 350 + 40 + 280 − 60 − 500 = 110.
/// Order [B, A]: B gets 10 then 5 → delivered 2; A gets 5 in 2 and 5 in 3 → delivered 3. Value:
/// B 40 × 2 = 80, A 100 + 50 = 150; terminal 280; cost of delay 20 × 2 = 40; no penalty.
/// Net = 80 + 150 + 280 − 40 = 470. Paired difference 110 − 470 = −360, SE 0 (one trial).
#[test]
fn two_items_in_fixed_order_give_exact_net_value() {
    let mut a = item("a", Class::Product, fixed(10.0));
    a.value = fixed(100.0);
    a.one_time_value = fixed(50.0);
    let mut b = item("b", Class::Product, fixed(15.0));
    b.value = fixed(40.0);
    b.risk = Some(Risk::PerPeriod(fixed(20.0)));
    b.deadline = Some(Deadline::Soft {
        period: 2,
        penalty: 500.0,
    });
    let mut s = scenario(4, 10.0, vec![a, b]);
    s.terminal_periods = 2;
    s.strategies = vec![
        CustomStrategy {
            name: "a first".into(),
            order: vec![0, 1],
            stability_share: None,
        },
        CustomStrategy {
            name: "b first".into(),
            order: vec![1, 0],
            stability_share: None,
        },
    ];
    let specs = [StrategySpec::Custom(0), StrategySpec::Custom(1)];
    for o in [
        options(3),
        SimOptions {
            deterministic: true,
            ..options(50)
        },
    ] {
        let sim = run(&s, None, &specs, &o);
        let (first, second) = (&sim.strategies[0], &sim.strategies[1]);
        assert!((first.net_value.mean - 110.0).abs() < 1e-9);
        assert!((first.value_earned.mean - 670.0).abs() < 1e-9);
        assert!((first.cost_of_delay.mean - 60.0).abs() < 1e-9);
        assert!((first.penalties.mean - 500.0).abs() < 1e-9);
        assert!((second.net_value.mean - 470.0).abs() < 1e-9);
        assert_eq!(first.net_value.p10, 110.0);
        assert_eq!(first.initiatives[1].p_deadline_met, Some(0.0));
        assert_eq!(second.initiatives[1].p_deadline_met, Some(1.0));
        assert_eq!(second.p_best, 1.0);
        let d = &sim.paired[0];
        assert_eq!((d.a.as_str(), d.b.as_str()), ("a first", "b first"));
        assert!((d.mean_diff + 360.0).abs() < 1e-9);
        assert_eq!(d.se, 0.0);
        assert!((sim.paired[1].mean_diff - 360.0).abs() < 1e-9);
        // The fan chart ends at the net value.
        assert!((first.cumulative[3].p50 - 110.0).abs() < 1e-3);
    }
}

/// A ring-fenced share with no stability work: the reserve s × K idles, so a product item of 24
/// engineer-weeks gets (1 − s) × 10 per period. s = 0.4: 6 per period → delivered at 4;
/// s = 0: 10 per period → delivered at 3 (24 ≤ 30).
#[test]
fn ring_fenced_share_without_stability_work_idles() {
    let mut s = scenario(6, 10.0, vec![item("a", Class::Product, fixed(24.0))]);
    s.capacity.stability_min = 0.4;
    let sim = run(
        &s,
        None,
        &[
            StrategySpec::Wsjf,
            StrategySpec::Share {
                share: 0.0,
                text: "share:0".into(),
            },
            StrategySpec::DebtFirst,
        ],
        &options(2),
    );
    assert_eq!(sim.strategies[0].stability_share, 0.4);
    assert_eq!(sim.strategies[0].initiatives[0].delivery_p50, Some(4));
    assert_eq!(sim.strategies[1].initiatives[0].delivery_p50, Some(3));
    assert_eq!(sim.strategies[2].initiatives[0].delivery_p50, Some(4));
}

/// The drag law: drag 0.1, growth 0.05, ceiling 0.25, 100 engineer-weeks per period. A debt item
/// of 90 with relief 0.1 is done in period 1 (K_1 = 100 × 0.9 = 90). Then
/// drag_t = max(0, min(0.25, 0.1 + 0.05 (t − 1)) − 0.1): t = 2: 0.05, t = 3: 0.1, t = 4: 0.15
/// (ceiling 0.25 reached), t = 5: 0.15; K = 95, 90, 85, 85. Without the relief item the drag
/// would be 0.15, 0.2, 0.25, 0.25.
#[test]
fn drag_path_grows_caps_and_is_relieved() {
    let mut debt = item("debt", Class::Stability, fixed(90.0));
    debt.debt_relief = 0.1;
    let big = item("big", Class::Product, fixed(10_000.0));
    let mut s = scenario(5, 100.0, vec![debt, big]);
    s.debt = Debt {
        drag: 0.1,
        growth: fixed(0.05),
        ceiling: 0.25,
    };
    let ws = replay_means(&s, None, &StrategySpec::DebtFirst);
    assert_eq!(ws.delivered[0], 1);
    let expected = [90.0, 95.0, 90.0, 85.0, 85.0];
    for (k, e) in ws.capacity_weeks.iter().zip(expected) {
        assert!((k - e).abs() < 1e-9, "{:?}", ws.capacity_weeks);
    }
    let ws = replay_means(&s, None, &StrategySpec::FeaturesFirst);
    let expected = [0.1, 0.15, 0.2, 0.25, 0.25];
    for (d, e) in ws.drag.iter().zip(expected) {
        assert!((d - e).abs() < 1e-12, "{:?}", ws.drag);
    }
}

/// With growth uncertain, {0, 0.04, 0.14} (mean 0.05), no ceiling reached and no relief:
/// K_t = 100 (1 − 0.1 − g (t − 1)) is linear in g, so the mean capacity of period 3 is
/// 100 (0.9 − 2 × 0.05) = 80.
#[test]
fn drag_with_sampled_growth_has_the_mean_of_the_law() {
    let mut s = scenario(3, 100.0, vec![item("big", Class::Product, fixed(1e6))]);
    s.debt = Debt {
        drag: 0.1,
        growth: pert(0.0, 0.04, 0.14),
        ceiling: 1.0,
    };
    let model = Model::new(&s);
    let strategy = compile_strategy(&s, None, &StrategySpec::Wsjf).unwrap();
    let mut future = Future::for_sampling(&model);
    let mut ws = Workspace::new(&model);
    let n = 10_000;
    let mut sum = 0.0;
    for trial in 0..n {
        future.sample(&model, 3, trial);
        replay(&model, &future, &strategy, &mut ws);
        sum += ws.capacity_weeks[2];
    }
    // sd of growth = 0.14 × √(αβ / 252) with α = 1 + 4 × 0.04 / 0.14; K_3 sd = 200 × that.
    let alpha: f64 = 1.0 + 4.0 * 0.04 / 0.14;
    let sd = 200.0 * 0.14 * (alpha * (6.0 - alpha) / 252.0).sqrt();
    assert!((sum / n as f64 - 80.0).abs() < 4.0 * sd / (n as f64).sqrt());
}

fn noisy_scenario() -> Scenario {
    let mut items = Vec::new();
    for k in 0..12 {
        let class = if k % 3 == 0 {
            Class::Stability
        } else {
            Class::Product
        };
        let mut i = item(&format!("i{k}"), class, pert(5.0, 8.0 + k as f64, 30.0));
        i.value = pert(100.0, 200.0 + 10.0 * k as f64, 600.0);
        i.one_time_value = fixed(50.0 * k as f64);
        i.risk = Some(if k % 4 == 1 {
            Risk::Incident {
                probability: 0.05,
                impact: pert(1000.0, 2000.0, 5000.0),
            }
        } else {
            Risk::PerPeriod(pert(0.0, 30.0, 60.0))
        });
        i.team = Some(1.5);
        i.debt_relief = if class == Class::Stability { 0.03 } else { 0.0 };
        if k > 3 {
            i.requires = vec![k - 4];
        }
        if k % 5 == 2 {
            i.deadline = Some(Deadline::Soft {
                period: 3,
                penalty: 300.0,
            });
        }
        items.push(i);
    }
    let mut s = scenario(6, 30.0, items);
    s.capacity.noise = 0.1;
    s.capacity.stability_min = 0.2;
    s.capacity.buffer = 0.1;
    s.discount_rate = 0.08;
    s.terminal_periods = 2;
    s.debt = Debt {
        drag: 0.05,
        growth: pert(0.0, 0.02, 0.05),
        ceiling: 0.3,
    };
    s
}

/// The same seed gives byte-identical output on 1 and 2 threads (trials run in chunks on any
/// thread; the generator depends only on (seed, trial)).
#[test]
fn seed_reproduces_across_thread_counts() {
    let s = noisy_scenario();
    let specs = [
        StrategySpec::Wsjf,
        StrategySpec::FeaturesFirst,
        StrategySpec::DebtFirst,
        StrategySpec::DebtSprint(2),
    ];
    let mut outputs = Vec::new();
    for threads in [1, 2] {
        let o = SimOptions {
            threads: Some(threads),
            ..options(3_000)
        };
        let sim = run(&s, None, &specs, &o);
        outputs.push(serde_json::to_string(&sim).unwrap());
    }
    assert_eq!(outputs[0], outputs[1]);
    let other_seed = SimOptions {
        seed: 8,
        ..options(3_000)
    };
    let sim = run(&s, None, &specs, &other_seed);
    assert_ne!(serde_json::to_string(&sim).unwrap(), outputs[0]);
}

/// Batches of chunks only bound memory: any batch size gives byte-identical output.
#[test]
fn batch_size_does_not_change_results() {
    let s = noisy_scenario();
    let strategies: Vec<_> = [StrategySpec::Wsjf, StrategySpec::DebtFirst]
        .iter()
        .map(|spec| compile_strategy(&s, None, spec).unwrap())
        .collect();
    let o = SimOptions {
        threads: Some(2),
        ..options(2_500)
    };
    let whole = super::engine::run_in_batches(&s, &strategies, &o, &Silent, 1024).unwrap();
    let small = super::engine::run_in_batches(&s, &strategies, &o, &Silent, 2).unwrap();
    assert_eq!(
        serde_json::to_string(&whole).unwrap(),
        serde_json::to_string(&small).unwrap()
    );
}

/// The paired difference's standard error against a direct computation: replay both strategies
/// on each trial's future by hand, then mean and sd (n − 1) of the differences, SE = sd / √n.
#[test]
fn paired_difference_matches_a_direct_computation() {
    let s = noisy_scenario();
    let specs = [StrategySpec::Wsjf, StrategySpec::DebtFirst];
    let n = 2_000;
    let sim = run(&s, None, &specs, &options(n));
    let model = Model::new(&s);
    let a = compile_strategy(&s, None, &specs[0]).unwrap();
    let b = compile_strategy(&s, None, &specs[1]).unwrap();
    let mut future = Future::for_sampling(&model);
    let mut ws = Workspace::new(&model);
    let mut diffs = Vec::new();
    let mut wins_a = 0.0;
    for trial in 0..n {
        future.sample(&model, 7, trial as u64);
        replay(&model, &future, &a, &mut ws);
        let net_a = settle(&model, &future, &ws.delivered).net_value();
        replay(&model, &future, &b, &mut ws);
        let net_b = settle(&model, &future, &ws.delivered).net_value();
        diffs.push(net_a - net_b);
        wins_a += if net_a > net_b {
            1.0
        } else if net_a == net_b {
            0.5
        } else {
            0.0
        };
    }
    let mean = diffs.iter().sum::<f64>() / n as f64;
    let var = diffs.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let se = (var / n as f64).sqrt();
    let d = &sim.paired[0];
    assert!((d.mean_diff - mean).abs() < 1e-9 * mean.abs().max(1.0));
    assert!((d.se - se).abs() < 1e-9 * se.max(1.0), "{} vs {se}", d.se);
    assert!(se > 0.0);
    assert!((sim.strategies[0].p_best - wins_a / n as f64).abs() < 1e-12);
    let sd_a = sim.strategies[0].net_value.sd;
    assert!(sd_a > 0.0);
    let q = &sim.strategies[0].net_value;
    assert!(q.p5 <= q.p10 && q.p10 <= q.p50 && q.p50 <= q.p90 && q.p90 <= q.p95);
    // Histogram bins are shared and count every trial.
    assert_eq!(
        sim.strategies[0].histogram.edges,
        sim.strategies[1].histogram.edges
    );
    assert_eq!(
        sim.strategies[1].histogram.counts.iter().sum::<u64>(),
        n as u64
    );
}

/// Identical strategies tie in every trial and split P(best) equally.
#[test]
fn ties_split_probability_of_being_best() {
    let mut s = noisy_scenario();
    s.capacity.stability_min = 0.25;
    let sim = run(
        &s,
        None,
        &[
            StrategySpec::Wsjf,
            StrategySpec::Share {
                share: 0.25,
                text: "share:0.25".into(),
            },
        ],
        &options(600),
    );
    assert!((sim.strategies[0].p_best - 0.5).abs() < 1e-12);
    assert!((sim.strategies[1].p_best - 0.5).abs() < 1e-12);
}

fn planned(id: &str, shares: Vec<f64>, effort: f64, delivery: Option<usize>) -> PlannedInitiative {
    PlannedInitiative::new(id.into(), shares, effort, delivery)
}

fn plan_of(initiatives: Vec<PlannedInitiative>, stability_min: f64, objective: f64) -> Plan {
    Plan {
        status: PlanStatus::Optimal,
        objective,
        gap: 0.0,
        bound: objective,
        value_earned: 0.0,
        cost_of_delay: 0.0,
        penalties: 0.0,
        stability_min,
        stability_max: 1.0,
        time_limit_reached: false,
        initiatives,
        periods: vec![],
    }
}

/// Replaying a hand-made plan with means: A (product, 10) in period 1, B (stability, 20, relief)
/// half in 2 and half in 3, C held back: its work is in period 1 but the plan delivers it in 3.
/// Capacity 20 per period, T = 4, no drag. A delivered 1, B 3, C 3 (held), D left out never.
/// Values 100, 30, 10 and D 1000 per period: A earns 3 × 100, B 30, C 10; D's risk 5 per period
/// costs 4 × 5 = 20. Net = 300 + 30 + 10 − 20 = 320.
#[test]
fn plan_replay_follows_planned_amounts_and_holds() {
    let mut a = item("a", Class::Product, fixed(10.0));
    a.value = fixed(100.0);
    let mut b = item("b", Class::Stability, fixed(20.0));
    b.value = fixed(30.0);
    let mut c = item("c", Class::Product, fixed(5.0));
    c.value = fixed(10.0);
    let mut d = item("d", Class::Product, fixed(5.0));
    d.value = fixed(1000.0);
    d.risk = Some(Risk::PerPeriod(fixed(5.0)));
    let s = scenario(4, 20.0, vec![a, b, c, d]);
    let plan = plan_of(
        vec![
            planned("a", vec![1.0, 0.0, 0.0, 0.0], 10.0, Some(1)),
            planned("b", vec![0.0, 0.5, 0.5, 0.0], 20.0, Some(3)),
            planned("c", vec![1.0, 0.0, 0.0, 0.0], 5.0, Some(3)),
            planned("d", vec![0.0; 4], 5.0, None),
        ],
        0.0,
        320.0,
    );
    let ws = replay_means(&s, Some(&plan), &StrategySpec::Plan);
    assert_eq!(ws.delivered, vec![1, 3, 3, 0]);
    let sim = run(
        &s,
        Some(&plan),
        &[StrategySpec::Plan],
        &SimOptions {
            deterministic: true,
            ..options(1)
        },
    );
    assert!((sim.strategies[0].net_value.mean - 320.0).abs() < 1e-9);
}

/// Overruns and short capacity in the plan replay. The plan gives A (product) 10 in period 1 and
/// B (product) 10 in period 2, 20 per period. A's true effort is 14: it gets its 10 in period 1;
/// its planned work is then all received without delivery, so it is an overrun and takes 4 of
/// the 10 left over in the same period → delivered 1; B gets its planned 10 → delivered 2. With capacity 8 in period 1, A's 10 is scaled to 8; it becomes
/// an overrun in period 2 and gets its missing 6 from the 10 left after B → delivered 2.
#[test]
fn plan_replay_gives_leftover_to_overruns_and_scales_when_short() {
    let a = item("a", Class::Product, fixed(14.0));
    let b = item("b", Class::Product, fixed(10.0));
    let mut s = scenario(3, 20.0, vec![a, b]);
    let plan = plan_of(
        vec![
            planned("a", vec![1.0, 0.0, 0.0], 10.0, Some(1)),
            planned("b", vec![0.0, 1.0, 0.0], 10.0, Some(2)),
        ],
        0.0,
        0.0,
    );
    let ws = replay_means(&s, Some(&plan), &StrategySpec::Plan);
    assert_eq!(ws.delivered, vec![1, 2]);
    s.initiatives[0].effort = fixed(10.0);
    s.capacity.per_period = vec![8.0, 20.0, 20.0];
    let ws = replay_means(&s, Some(&plan), &StrategySpec::Plan);
    assert_eq!(ws.delivered, vec![2, 2]);
    // A reserved share of 0.5 caps product work at 10 of 20: in period 2, B's planned 10 plus
    // A's overrun cannot exceed 10, so A (first in plan order, delivery 1) waits for period 3.
    let mut plan = plan;
    plan.stability_min = 0.5;
    let ws = replay_means(&s, Some(&plan), &StrategySpec::Plan);
    assert_eq!(ws.delivered, vec![3, 2]);
}

/// `--deterministic`: one trial of means; incidents become expected losses (cost of delay).
#[test]
fn deterministic_mode_uses_means_and_expected_losses() {
    let s = noisy_scenario();
    let sim = run(
        &s,
        None,
        &[StrategySpec::Wsjf, StrategySpec::DebtFirst],
        &SimOptions {
            deterministic: true,
            ..options(10_000)
        },
    );
    assert_eq!(sim.trials, 1);
    let r = &sim.strategies[0];
    assert_eq!(r.net_value.sd, 0.0);
    assert_eq!(r.incident_losses.mean, 0.0);
    assert_eq!(r.net_value.p5, r.net_value.p95);
    assert_eq!(sim.paired[0].se, 0.0);
    assert!(r.cost_of_delay.mean > 0.0);
}

/// Team limits: an item with team 0.5 (6.5 engineer-weeks per quarter) and 13 weeks of effort
/// takes two periods even with 100 weeks of capacity.
#[test]
fn team_limit_caps_work_per_period() {
    let mut a = item("a", Class::Product, fixed(13.0));
    a.team = Some(0.5);
    let s = scenario(3, 100.0, vec![a]);
    let ws = replay_means(&s, None, &StrategySpec::Wsjf);
    assert_eq!(ws.delivered, vec![2]);
}

/// Prerequisites: B requires A; both fit in period 1, but B may only start once A is delivered
/// by the end of the previous period.
#[test]
fn prerequisites_delay_work_to_the_next_period() {
    let a = item("a", Class::Product, fixed(5.0));
    let mut b = item("b", Class::Product, fixed(5.0));
    b.requires = vec![0];
    b.value = fixed(1000.0);
    let s = scenario(3, 100.0, vec![a, b]);
    let ws = replay_means(&s, None, &StrategySpec::Wsjf);
    assert_eq!(ws.delivered, vec![1, 2]);
}

/// Every period's cumulative net value equals the flows of periods 1..=t summed item by item,
/// straight from SPEC's accounts (value after delivery, one-time value in the delivery period,
/// cost of delay and incidents while undelivered, a missed deadline's penalty at the deadline,
/// terminal value at T), and the last period's is the settled net value, trial by trial; the
/// accounts are the same whether the cumulative values are asked for or not.
#[test]
fn cumulative_value_matches_the_flows_and_ends_at_net_value() {
    let s = noisy_scenario();
    let model = Model::new(&s);
    let (n, t_end) = (model.n_items, model.n_periods);
    let d = &model.discount;
    let sum_d = |from: usize, to: usize| (from..=to).map(|t| d[t]).sum::<f64>();
    let mut future = Future::for_sampling(&model);
    let mut ws = Workspace::new(&model);
    let mut scratch = Vec::new();
    let mut cumulative = vec![0.0; t_end];
    let (mut checked_incidents, mut checked_penalties) = (false, false);
    let strategies = [StrategySpec::Wsjf, StrategySpec::DebtSprint(2)];
    for (trial, spec) in (0..400).zip(strategies.iter().cycle()) {
        let strategy = compile_strategy(&s, None, spec).unwrap();
        future.sample(&model, 7, trial);
        replay(&model, &future, &strategy, &mut ws);
        let net = settle(&model, &future, &ws.delivered).net_value();
        let again = super::replay::settle_into(
            &model,
            &future,
            &ws.delivered,
            Some(super::replay::Cumulative {
                delivered_items: &ws.delivered_items,
                scratch: &mut scratch,
                out: &mut cumulative[..],
            }),
        );
        assert_eq!(again.net_value(), net);
        let last = cumulative[t_end - 1];
        assert!(
            (last - net).abs() < 1e-9 * net.abs().max(1.0),
            "{last} vs {net}"
        );
        for t in 1..=t_end {
            let mut expected = 0.0;
            for i in 0..n {
                let p = ws.delivered[i] as usize;
                if p != 0 && p <= t {
                    expected += future.value[i] * sum_d(p + 1, t);
                    expected += future.one_time_value[i] * d[p];
                    if t == t_end {
                        expected += model.terminal_periods * future.value[i] * d[t_end];
                    }
                }
                let paid_until = if p == 0 { t_end } else { p }.min(t);
                if model.risk_items.contains(&(i as u32)) {
                    expected -= future.risk[i] * sum_d(1, paid_until);
                }
                let slot = model.incident_slot[i];
                if slot != u32::MAX {
                    for (tau, &discount) in d.iter().enumerate().take(paid_until + 1).skip(1) {
                        let word =
                            future.incidents[slot as usize * model.incident_words + (tau - 1) / 64];
                        if word >> ((tau - 1) % 64) & 1 == 1 {
                            expected -= future.impact[i] * discount;
                            checked_incidents = true;
                        }
                    }
                }
                let k = model.deadline_period[i] as usize;
                let missed = p == 0 || p > k;
                if model.penalty[i] != 0.0 && missed && k.clamp(1, t_end) <= t {
                    expected -= model.penalty[i];
                    checked_penalties = true;
                }
            }
            let got = cumulative[t - 1];
            assert!(
                (got - expected).abs() < 1e-9 * expected.abs().max(1.0),
                "trial {trial}, period {t}: {got} vs {expected}"
            );
        }
    }
    assert!(
        checked_incidents && checked_penalties,
        "the case exercises incidents and penalties"
    );
}

/// The comparison renders as a table (one row per strategy, the difference to the plan), CSV
/// (one record per strategy) and JSON with SPEC's fields.
#[test]
fn simulation_renders_in_every_format() {
    use crate::report::{sim_output::render_simulation, Format};
    let mut s = noisy_scenario();
    s.currency = "NOK".into();
    let n = s.initiatives.len();
    let plan = plan_of(
        (0..n)
            .map(|i| {
                let e = s.initiatives[i].remaining_effort_mean();
                if i < 4 {
                    planned(
                        &format!("i{i}"),
                        vec![0.0, 1.0, 0.0, 0.0, 0.0, 0.0],
                        e,
                        Some(2),
                    )
                } else {
                    planned(&format!("i{i}"), vec![0.0; 6], e, None)
                }
            })
            .collect(),
        0.2,
        0.0,
    );
    let sim = run(
        &s,
        Some(&plan),
        &[StrategySpec::Plan, StrategySpec::Wsjf],
        &options(1_000),
    );
    let table = render_simulation(&s, &sim, Format::Table).unwrap();
    assert!(table.contains("NOK"), "{table}");
    assert!(table.contains("vs plan ± SE"), "{table}");
    assert!(table.contains("deadlines met"), "{table}");
    assert!(table.lines().any(|l| l.starts_with("wsjf ")), "{table}");
    let csv = render_simulation(&s, &sim, Format::Csv).unwrap();
    assert_eq!(csv.lines().count(), 3);
    assert!(csv.starts_with("strategy,stability_share,trials,net_value_mean"));
    let json: serde_json::Value =
        serde_json::from_str(&render_simulation(&s, &sim, Format::Json).unwrap()).unwrap();
    assert_eq!(json["trials"], 1_000);
    assert_eq!(json["seed"], 7);
    let first = &json["strategies"][0];
    for key in [
        "name",
        "net_value",
        "p_best",
        "value_earned",
        "cost_of_delay",
        "incident_losses",
        "penalties",
        "initiatives",
    ] {
        assert!(!first[key].is_null(), "missing {key}");
    }
    for key in ["mean", "sd", "p5", "p10", "p50", "p90", "p95"] {
        assert!(first["net_value"][key].is_number(), "missing {key}");
    }
    let item = &first["initiatives"][2];
    for key in ["id", "p_delivered", "delivery_p50", "p_deadline_met"] {
        assert!(item.get(key).is_some(), "missing {key}");
    }
    assert_eq!(json["paired"][0]["a"], "plan");
    assert!(json["paired"][0]["se"].is_number());
}

/// Degenerate inputs run without panicking: no initiatives, no capacity, one period, huge
/// noise, a single trial.
#[test]
fn degenerate_scenarios_do_not_panic() {
    let empty = scenario(3, 10.0, vec![]);
    let sim = run(
        &empty,
        None,
        &StrategySpec::defaults(&empty)[1..],
        &options(10),
    );
    assert_eq!(sim.strategies[0].net_value.mean, 0.0);
    let mut starved = scenario(1, 0.0, vec![item("a", Class::Product, pert(1.0, 2.0, 3.0))]);
    starved.capacity.noise = 5.0;
    starved.initiatives[0].risk = Some(Risk::Incident {
        probability: 1.0,
        impact: fixed(10.0),
    });
    starved.initiatives[0].deadline = Some(Deadline::Soft {
        period: 1,
        penalty: 7.0,
    });
    let sim = run(
        &starved,
        None,
        &[StrategySpec::Wsjf, StrategySpec::DebtSprint(5)],
        &options(1),
    );
    let r = &sim.strategies[0];
    assert_eq!(r.net_value.mean, -17.0);
    assert_eq!(r.initiatives[0].p_delivered, 0.0);
    assert_eq!(r.initiatives[0].delivery_p50, None);
    assert_eq!(r.initiatives[0].p_deadline_met, Some(0.0));
    assert_eq!(r.net_value.sd, 0.0);
    assert!(simulate(&starved, None, &[StrategySpec::Plan], &options(1), &Silent).is_err());
}

/// `s` with its capacity cut into teams (id, engineer-weeks per period, noise); C_t becomes
/// their sum, as the loader makes it.
fn with_teams(mut s: Scenario, teams: &[(&str, f64, f64)]) -> Scenario {
    s.teams = teams
        .iter()
        .map(|&(id, per_period, noise)| Team {
            id: id.into(),
            name: id.into(),
            per_period: vec![per_period; s.periods],
            noise,
        })
        .collect();
    s.capacity.per_period = vec![teams.iter().map(|t| t.1).sum(); s.periods];
    s
}

/// An item's split by team ids of `s`.
fn split(s: &Scenario, shares: &[(&str, f64)]) -> Vec<(usize, f64)> {
    shares
        .iter()
        .map(|&(id, sigma)| (s.teams.iter().position(|t| t.id == id).unwrap(), sigma))
        .collect()
}

/// The scenario's `[[strategy]]` "listed" with this order and share.
fn listed(s: &mut Scenario, order: Vec<usize>, share: f64) -> StrategySpec {
    s.strategies = vec![CustomStrategy {
        name: "listed".into(),
        order,
        stability_share: Some(share),
    }];
    StrategySpec::Custom(0)
}

/// A split item is limited by its scarcer team. Team a has 10 engineer-weeks per period, team
/// b 2; X (first) is split a 0.5 / b 0.5 with effort 8, Y (second) is owned by a with effort 16.
/// Period 1: X takes w = min(8 remaining, a: 10 / 0.5 = 20, b: 2 / 0.5 = 4) = 4, 2 from each
/// team; b is spent, a has 8 left, all to Y. Period 2 the same: X gets its last 4 → delivered
/// in 2; Y gets 8 more, 16 in all → delivered in 2. Team a works 10 and 10, team b 2 and 2.
/// In one pool of 12, X would take its 8 in period 1 (delivered in 1), Y 4 then 12 (in 2).
#[test]
fn a_split_item_moves_at_the_pace_of_its_scarcer_team() {
    let x = item("x", Class::Product, fixed(8.0));
    let y = item("y", Class::Product, fixed(16.0));
    let mut pool = scenario(3, 12.0, vec![x, y]);
    let spec = listed(&mut pool, vec![0, 1], 0.0);
    assert_eq!(replay_means(&pool, None, &spec).delivered, vec![1, 2]);
    let mut s = with_teams(pool, &[("a", 10.0, 0.0), ("b", 2.0, 0.0)]);
    s.initiatives[0].split = split(&s, &[("a", 0.5), ("b", 0.5)]);
    s.initiatives[1].split = split(&s, &[("a", 1.0)]);
    let ws = replay_means(&s, None, &spec);
    assert_eq!(ws.delivered, vec![2, 2]);
    let tw = &ws.teams;
    assert_eq!(tw.capacity_weeks, [10.0, 10.0, 10.0, 2.0, 2.0, 2.0]);
    assert_eq!(tw.work_weeks, [10.0, 10.0, 0.0, 2.0, 2.0, 0.0]);
    assert_eq!(ws.capacity_weeks, [12.0, 12.0, 12.0]);
}

/// Each team has its own reserve, and a stability item takes its teams' reserves first, also
/// in the shared pass. Teams a and b have 10 each, s = 0.4: reserves 4 and 4, shared parts 6
/// and 6. In priority order: D1 (stability, owned by b, effort 1), D2 (stability, split a 0.8 /
/// b 0.2, effort 100), P (product, owned by b, effort 6). Reserve pass: D1 takes 1 of b's
/// reserve (3 left); D2 takes w = min(a: 4 / 0.8 = 5, b: 3 / 0.2 = 15) = 5, 4 from a's reserve
/// and 1 from b's (2 left). Shared pass: D2 may use a's shared 6 (a's reserve is spent) and b's
/// reserve 2 plus shared 6: w = min(6 / 0.8 = 7.5, 8 / 0.2 = 40) = 7.5, 6 from a's shared part
/// and 1.5 from b's reserve (first). P then finds b's whole shared part of 6 → delivered in 1.
/// Had D2 drawn on b's shared part, P would get 4.5 and miss. Team a works 4 + 6 = 10, team b
/// 1 + 1 + 1.5 + 6 = 9.5 (0.5 of its reserve idles).
#[test]
fn each_team_reserves_its_share_and_stability_work_takes_the_reserve_first() {
    let d1 = item("d1", Class::Stability, fixed(1.0));
    let d2 = item("d2", Class::Stability, fixed(100.0));
    let p = item("p", Class::Product, fixed(6.0));
    let mut s = with_teams(
        scenario(1, 0.0, vec![d1, d2, p]),
        &[("a", 10.0, 0.0), ("b", 10.0, 0.0)],
    );
    s.initiatives[0].split = split(&s, &[("b", 1.0)]);
    s.initiatives[1].split = split(&s, &[("a", 0.8), ("b", 0.2)]);
    s.initiatives[2].split = split(&s, &[("b", 1.0)]);
    let spec = listed(&mut s, vec![0, 1, 2], 0.4);
    let ws = replay_means(&s, None, &spec);
    assert_eq!(ws.delivered, vec![1, 0, 1]);
    let tw = &ws.teams;
    assert!(
        (tw.work_weeks[0] - 10.0).abs() < 1e-12,
        "{:?}",
        tw.work_weeks
    );
    assert!(
        (tw.work_weeks[1] - 9.5).abs() < 1e-12,
        "{:?}",
        tw.work_weeks
    );
    assert_eq!(tw.product_weeks, [0.0, 6.0]);
}

/// The plan replay scales per team and keeps lockstep. Teams a 10 and b 2 per period; the plan
/// gives X (split a 0.5 / b 0.5, effort 8) and Y (owned by a, effort 6) all their work in
/// period 1. Planned per team: a 4 + 6 = 10 (fits: factor 1), b 4 (> 2: factor 0.5). X is
/// scaled by the smaller factor over its teams, 0.5: it gets 4 (2 from each team); Y gets its
/// 6 → delivered in 1. Leftover: a 2, b 0, so X (an overrun now) can take nothing more in
/// period 1 (b has nothing to give). Period 2: X, an overrun, takes w = min(4, a: 10 / 0.5,
/// b: 2 / 0.5 = 4) = 4 → delivered in 2. Team a works 8 and 2, team b 2 and 2.
#[test]
fn plan_replay_scales_short_teams_and_keeps_split_items_in_lockstep() {
    let x = item("x", Class::Product, fixed(8.0));
    let y = item("y", Class::Product, fixed(6.0));
    let mut s = with_teams(
        scenario(2, 0.0, vec![x, y]),
        &[("a", 10.0, 0.0), ("b", 2.0, 0.0)],
    );
    s.initiatives[0].split = split(&s, &[("a", 0.5), ("b", 0.5)]);
    s.initiatives[1].split = split(&s, &[("a", 1.0)]);
    let plan = plan_of(
        vec![
            planned("x", vec![1.0, 0.0], 8.0, Some(1)),
            planned("y", vec![1.0, 0.0], 6.0, Some(1)),
        ],
        0.0,
        0.0,
    );
    let ws = replay_means(&s, Some(&plan), &StrategySpec::Plan);
    assert_eq!(ws.delivered, vec![2, 1]);
    assert_eq!(ws.teams.work_weeks, [8.0, 2.0, 2.0, 2.0]);
}

/// A scenario with exactly one team is the one-pool scenario: the team draws the same noise in
/// the same order, and its replay gives the same deliveries and the same numbers.
#[test]
fn one_team_is_the_one_pool() {
    let pool = noisy_scenario();
    let mut team = with_teams(pool.clone(), &[("all", 30.0, pool.capacity.noise)]);
    for item in &mut team.initiatives {
        item.split = vec![(0, 1.0)];
    }
    let specs = [
        StrategySpec::Wsjf,
        StrategySpec::FeaturesFirst,
        StrategySpec::DebtFirst,
        StrategySpec::DebtSprint(2),
    ];
    let a = run(&pool, None, &specs, &options(2_000));
    let b = run(&team, None, &specs, &options(2_000));
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
}

/// Capacity noise is drawn per team: a team without noise keeps factor 1, a noisy team's
/// factors have mean 1 and sd ≈ its noise (N(1, 0.2) floored at 0: the floor is 5 sd away).
#[test]
fn capacity_noise_is_drawn_per_team_and_period() {
    let a = item("a", Class::Product, fixed(1.0));
    let mut s = with_teams(
        scenario(4, 0.0, vec![a]),
        &[("calm", 10.0, 0.0), ("noisy", 10.0, 0.2)],
    );
    s.initiatives[0].split = vec![(0, 1.0)];
    let model = Model::new(&s);
    let mut future = Future::for_sampling(&model);
    let n = 5_000;
    let (mut sum, mut sum_sq) = (0.0, 0.0);
    for trial in 0..n {
        future.sample(&model, 11, trial);
        assert_eq!(future.team_capacity_factor[..4], [1.0; 4]);
        assert_eq!(future.capacity_factor, [1.0; 4]);
        for &f in &future.team_capacity_factor[4..] {
            sum += f;
            sum_sq += f * f;
        }
    }
    let m = (4 * n) as f64;
    let mean = sum / m;
    let sd = (sum_sq / m - mean * mean).sqrt();
    assert!((mean - 1.0).abs() < 4.0 * 0.2 / m.sqrt(), "mean {mean}");
    assert!((sd - 0.2).abs() < 0.01, "sd {sd}");
}

/// With teams, every strategy runs (the plan and `robust` included), no team is given more than
/// its K_jt, and the same seed gives byte-identical output on 1 and 3 threads.
#[test]
fn teams_run_every_strategy_and_reproduce_across_thread_counts() {
    let mut s = with_teams(
        noisy_scenario(),
        &[("a", 14.0, 0.1), ("b", 10.0, 0.15), ("c", 6.0, 0.0)],
    );
    for (k, item) in s.initiatives.iter_mut().enumerate() {
        item.split = match k % 4 {
            0 => vec![(0, 1.0)],
            1 => vec![(0, 0.6), (1, 0.4)],
            2 => vec![(1, 1.0)],
            _ => vec![(0, 0.2), (1, 0.3), (2, 0.5)],
        };
    }
    let n = s.initiatives.len();
    let plan = plan_of(
        (0..n)
            .map(|i| {
                let e = s.initiatives[i].remaining_effort_mean();
                let t = i % 5;
                let mut shares = vec![0.0; 6];
                shares[t] = 0.5;
                shares[t + 1] = 0.5;
                planned(&format!("i{i}"), shares, e, Some(t + 2))
            })
            .collect(),
        0.2,
        0.0,
    );
    let specs = [
        StrategySpec::Plan,
        StrategySpec::PlanOrder,
        StrategySpec::Wsjf,
        StrategySpec::DebtSprint(2),
        StrategySpec::Robust,
    ];
    let mut outputs = Vec::new();
    for threads in [1, 3] {
        let o = SimOptions {
            threads: Some(threads),
            robust: RobustOptions {
                n_train: 100,
                budget: 300,
            },
            ..options(1_500)
        };
        let mut sim = run(&s, Some(&plan), &specs, &o);
        for r in &mut sim.strategies {
            if let Some(search) = &mut r.search {
                search.seconds = 0.0;
            }
            assert!(
                r.initiatives.iter().any(|i| i.p_delivered > 0.0),
                "{}",
                r.name
            );
        }
        outputs.push(serde_json::to_string(&sim).unwrap());
    }
    assert_eq!(outputs[0], outputs[1]);
    // Per team and period, on sampled futures, for every compiled strategy.
    let model = Model::new(&s);
    let mut future = Future::for_sampling(&model);
    let mut ws = Workspace::new(&model);
    for spec in &specs[..4] {
        let strategy = compile_strategy(&s, Some(&plan), spec).unwrap();
        let slack = if *spec == StrategySpec::Plan {
            1e-5
        } else {
            1e-12
        };
        for trial in 0..300 {
            future.sample(&model, 5, trial);
            replay(&model, &future, &strategy, &mut ws);
            for (k, w) in ws.teams.capacity_weeks.iter().zip(&ws.teams.work_weeks) {
                assert!(*w <= k * (1.0 + slack) + 1e-12, "{spec:?}: {w} of {k}");
            }
        }
    }
}

/// The robust search's shortcut — a future in which the base order gave no work to any item
/// from the first changed position on replays identically under the neighbour — holds with
/// teams too: every neighbour's score from `evaluate_move` equals a full replay's.
#[test]
fn the_robust_shortcut_is_exact_with_teams() {
    let mut s = with_teams(
        noisy_scenario(),
        &[("a", 12.0, 0.1), ("b", 10.0, 0.2), ("c", 8.0, 0.0)],
    );
    for (k, item) in s.initiatives.iter_mut().enumerate() {
        item.split = match k % 3 {
            0 => vec![(k % 2, 1.0)],
            1 => vec![(0, 0.5), (2, 0.5)],
            _ => vec![(1, 0.7), (2, 0.3)],
        };
    }
    let mut trainer = super::robust::Trainer::new(&s, 9, 64, false);
    let base = super::strategy::wsjf_order(&s);
    let share = 0.2;
    trainer.evaluate(&base, share);
    trainer.keep_last();
    let n = base.len();
    for from in 0..n {
        for to in [0, n / 2, n - 1] {
            if from == to {
                continue;
            }
            let mut order = base.clone();
            let x = order.remove(from);
            order.insert(to, x);
            let fast = trainer.evaluate_move(&order, share, from.min(to));
            let full = trainer.evaluate(&order, share);
            assert_eq!(fast, full, "move {from} → {to}");
        }
    }
}
