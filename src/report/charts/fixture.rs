//! Hand-built result values for the report's unit tests: a small scenario with a plan, a
//! simulation, a sweep and a sensitivity analysis that look like the real thing.

use std::collections::BTreeMap;

use crate::plan::{Bucket, Plan, PlanStatus, PlannedInitiative, PlannedPeriod};
use crate::review::{Sensitivity, SensitivityRow};
use crate::scenario::{
    Capacity, CustomStrategy, Deadline, Debt, Estimate, Initiative, Kind, Risk, Scenario,
};
use crate::simulate::{
    Band, Distribution, Histogram, InitiativeOutcome, Mean, PairedDiff, Simulation, StrategyResult,
};
use crate::sweep::{SharePlanRow, SkippedShare, Sweep, SweepRow};

fn item(id: &str, name: &str, kind: Kind, effort: f64, value: f64) -> Initiative {
    let effort = Estimate {
        low: effort * 0.8,
        likely: effort,
        high: effort * 1.6,
    };
    Initiative {
        name: name.into(),
        team: Some(3.0),
        value: Estimate::fixed(value),
        business_outcome: Some(format!("Outcome of {name} <b>&</b>")),
        ..Initiative::new(id, kind, effort)
    }
}

/// A scenario of `periods` quarters with seven initiatives of every kind.
pub fn scenario(periods: usize) -> Scenario {
    let mut items = vec![
        item(
            "sso",
            "SSO for enterprise customers",
            Kind::Feature,
            30.0,
            40_000.0,
        ),
        item(
            "oauth",
            "Migrate auth to OAuth 2.0 / OIDC",
            Kind::Migration,
            24.0,
            5_000.0,
        ),
        item("gdpr", "GDPR data export", Kind::Compliance, 18.0, 0.0),
        item(
            "db",
            "Database scaling",
            Kind::Infrastructure,
            40.0,
            15_000.0,
        ),
        item(
            "pentest",
            "Fix pen-test findings",
            Kind::Security,
            12.0,
            0.0,
        ),
        item(
            "legacy",
            "Retire the legacy billing module",
            Kind::Debt,
            26.0,
            2_000.0,
        ),
        item(
            "mobile",
            "Mobile app v2 with a rather long name that needs truncating",
            Kind::Feature,
            60.0,
            30_000.0,
        ),
    ];
    items[2].deadline = Some(Deadline::Hard {
        period: 3.min(periods),
    });
    items[2].risk = Some(Risk::PerPeriod(Estimate::fixed(8_000.0)));
    items[4].risk = Some(Risk::Incident {
        probability: 0.05,
        impact: Estimate {
            low: 100_000.0,
            likely: 250_000.0,
            high: 700_000.0,
        },
    });
    items[0].deadline = Some(Deadline::Soft {
        period: 5.min(periods),
        penalty: 50_000.0,
    });
    items[1].commit = true;
    items[5].debt_relief = 0.05;
    items[0].one_time_value = Estimate::fixed(120_000.0);
    let mut scenario = Scenario::new("fixture", periods, 120.0, items);
    scenario.name = "Nordic fintech 2027".into();
    scenario.labels = (0..periods)
        .map(|k| format!("{}-Q{}", 2027 + k / 4, k % 4 + 1))
        .collect();
    scenario.capacity = Capacity {
        buffer: 0.15,
        stability_min: 0.2,
        stability_max: 0.3,
        noise: 0.08,
        ..scenario.capacity
    };
    scenario.debt = Debt {
        drag: 0.1,
        growth: Estimate::fixed(0.02),
        ceiling: 0.4,
    };
    scenario.strategies = vec![CustomStrategy {
        name: "CTO proposal".into(),
        order: vec![3, 5, 4, 0, 1, 2, 6],
        stability_share: None,
    }];
    scenario.warnings =
        vec!["initiative `pentest` has neither value, one-time value nor risk".into()];
    scenario
}

/// A plan that starts items in order, two periods each.
pub fn plan(scenario: &Scenario) -> Plan {
    let t_max = scenario.periods;
    let initiatives: Vec<PlannedInitiative> = scenario
        .initiatives
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let start = if i == 6 {
                None
            } else {
                Some((i / 2 + 1).min(t_max))
            };
            let mut shares = vec![0.0; t_max];
            let mut delivery = None;
            if let Some(s) = start {
                let end = (s + 1).min(t_max);
                let n = end - s + 1;
                for share in shares.iter_mut().take(end).skip(s - 1) {
                    *share = 1.0 / n as f64;
                }
                delivery = Some(if i == 3 { (end + 1).min(t_max) } else { end });
            }
            PlannedInitiative {
                id: it.id.clone(),
                start,
                delivery,
                bucket: Bucket::from_start(start),
                shares,
                effort: it.remaining_effort_mean(),
            }
        })
        .collect();
    let periods = (1..=t_max)
        .map(|t| {
            let mut by_kind = BTreeMap::new();
            let (mut product, mut stability) = (0.0, 0.0);
            for (p, it) in initiatives.iter().zip(&scenario.initiatives) {
                let w = p.shares[t - 1] * p.effort;
                if w > 0.0 {
                    *by_kind.entry(it.kind.as_str().to_string()).or_insert(0.0) += w;
                    match it.class {
                        crate::scenario::Class::Product => product += w,
                        crate::scenario::Class::Stability => stability += w,
                    }
                }
            }
            let allocatable = scenario.allocatable(t);
            let drag = crate::economics::drag_after_relief(
                scenario.debt.base_drag(t, 0.02),
                if t > 4 { 0.05 } else { 0.0 },
            );
            PlannedPeriod {
                period: t,
                label: scenario.label(t).to_string(),
                capacity: scenario.capacity.per_period[t - 1],
                allocatable,
                drag,
                product,
                stability,
                by_kind,
                buffer: scenario.capacity.per_period[t - 1] - allocatable,
                idle: (allocatable * (1.0 - drag) - product - stability).max(0.0),
                marginal_value: 1_000.0,
                teams: Vec::new(),
            }
        })
        .collect();
    Plan {
        status: PlanStatus::Optimal,
        objective: 1_450_000.0,
        gap: 0.0,
        bound: 1_450_000.0,
        value_earned: 1_700_000.0,
        cost_of_delay: 250_000.0,
        penalties: 0.0,
        stability_min: 0.2,
        stability_max: 0.3,
        time_limit_reached: false,
        initiatives,
        periods,
    }
}

fn dist(center: f64, spread: f64) -> Distribution {
    Distribution {
        mean: center - 0.05 * spread,
        sd: spread / 2.5,
        p5: center - 1.6 * spread,
        p10: center - 1.25 * spread,
        p50: center,
        p90: center + 1.1 * spread,
        p95: center + 1.4 * spread,
    }
}

/// A simulation of six strategies with a shared histogram: the built-ins, the scenario's own
/// "CTO proposal" and `robust`, which delivers like `plan` (so is as reliable) and earns most.
pub fn simulation(scenario: &Scenario) -> Simulation {
    let names = [
        "plan",
        "wsjf",
        "features-first",
        "debt-first",
        "CTO proposal",
        "robust",
    ];
    let centers = [
        1_400_000.0,
        1_250_000.0,
        1_300_000.0,
        900_000.0,
        1_100_000.0,
        1_480_000.0,
    ];
    let edges: Vec<f64> = (0..=40).map(|k| -200_000.0 + k as f64 * 60_000.0).collect();
    let strategies: Vec<StrategyResult> = names
        .iter()
        .zip(centers)
        .enumerate()
        .map(|(s, (name, c))| {
            let spread = 200_000.0 + 40_000.0 * s as f64;
            // `robust` delivers like `plan`.
            let pattern = if *name == "robust" { 0 } else { s };
            let counts = edges
                .windows(2)
                .map(|w| {
                    let x = (w[0] + w[1]) / 2.0;
                    (10_000.0 * (-((x - c) / spread).powi(2) / 2.0).exp()) as u64
                })
                .collect();
            let initiatives = scenario
                .initiatives
                .iter()
                .enumerate()
                .map(|(i, it)| {
                    let mid = (i / 2 + 2 + pattern % 3) as f64;
                    let delivered_by: Vec<f64> = (1..=scenario.periods)
                        .map(|k| 1.0 / (1.0 + (-(k as f64 - mid) * 1.8).exp()))
                        .collect();
                    let started_by: Vec<f64> = (1..=scenario.periods)
                        .map(|k| 1.0 / (1.0 + (-(k as f64 - mid + 1.5) * 1.8).exp()))
                        .collect();
                    InitiativeOutcome {
                        id: it.id.clone(),
                        p_delivered: *delivered_by.last().unwrap_or(&0.0),
                        delivery_p50: delivered_by.iter().position(|&p| p >= 0.5).map(|k| k + 1),
                        p_deadline_met: it.deadline.map(|d| delivered_by[d.period() - 1]),
                        start_p50: started_by.iter().position(|&p| p >= 0.5).map(|k| k + 1),
                        delivered_by,
                        started_by,
                    }
                })
                .collect();
            let cumulative = (1..=scenario.periods)
                .map(|k| {
                    let f = k as f64 / scenario.periods as f64;
                    let m = c * f * f - 150_000.0 * (1.0 - f);
                    Band {
                        p10: m - spread * f,
                        p50: m,
                        p90: m + spread * f * 0.9,
                    }
                })
                .collect();
            StrategyResult {
                name: name.to_string(),
                stability_share: if *name == "robust" { 0.25 } else { 0.2 },
                net_value: dist(c, spread),
                p_best: [0.30, 0.10, 0.20, 0.05, 0.05, 0.30][s],
                value_earned: Mean {
                    mean: c + 300_000.0,
                },
                cost_of_delay: Mean { mean: 250_000.0 },
                incident_losses: Mean { mean: 50_000.0 },
                penalties: Mean {
                    mean: 10_000.0 * s as f64,
                },
                initiatives,
                objectives: Vec::new(),
                any_objective: None,
                no_objective: None,
                cumulative,
                histogram: Histogram {
                    edges: edges.clone(),
                    counts,
                },
                search: (*name == "robust").then(|| robust_search(0.25, c + 20_000.0)),
            }
        })
        .collect();
    let paired = names
        .iter()
        .enumerate()
        .flat_map(|(a, na)| {
            names
                .iter()
                .enumerate()
                .filter(move |(b, _)| *b != a)
                .map(move |(b, nb)| PairedDiff {
                    a: na.to_string(),
                    b: nb.to_string(),
                    mean_diff: (centers[a] - centers[b]) * 0.9,
                    se: 4_000.0,
                })
        })
        .collect();
    Simulation {
        trials: 10_000,
        seed: 42,
        deterministic: false,
        quantile_trials: 10_000,
        band_trials: 10_000,
        strategies,
        paired,
    }
}

/// A robust search's report with the given share.
pub fn robust_search(share: f64, train_mean: f64) -> crate::simulate::RobustSearch {
    crate::simulate::RobustSearch {
        order: ["gdpr", "oauth", "sso", "pentest", "db", "legacy", "mobile"]
            .map(String::from)
            .to_vec(),
        stability_share: share,
        start: "CTO proposal".into(),
        train_mean,
        train_reliability: 0.99,
        reliability_floor: 0.94,
        evaluations: 4_321,
        training_futures: 1_000,
        seconds: 1.5,
    }
}

/// A sweep from 0 to 45% with the best robust median at 25%; the plan is infeasible at 45%.
pub fn sweep() -> Sweep {
    let rows = (0..=9)
        .map(|k| {
            let share = k as f64 * 0.05;
            let c = 1_400_000.0 - 6_000_000.0 * (share - 0.25).powi(2);
            let plan = (k < 9).then(|| SharePlanRow {
                objective: c + 80_000.0,
                // The second-to-last share's plan stopped on its work limits, 1.23% from its bound.
                status: if k == 8 {
                    PlanStatus::Feasible
                } else {
                    PlanStatus::Optimal
                },
                gap: if k == 8 { 0.0123 } else { 0.0 },
                bound: (c + 80_000.0) * if k == 8 { 1.0123 } else { 1.0 },
                time_limit_reached: false,
                net_value: dist(c - 300_000.0, 180_000.0 + 200_000.0 * share),
            });
            SweepRow {
                share,
                plan,
                plan_note: (k == 9).then(|| "the plan is infeasible".to_string()),
                robust: dist(c, 150_000.0 + 150_000.0 * share),
                robust_reliability: Some(0.97),
                robust_search: robust_search(share, c),
            }
        })
        .collect();
    Sweep {
        trials: 10_000,
        seed: 42,
        robust_trials: 1_000,
        robust_budget: 1_818,
        rows,
        skipped: vec![SkippedShare {
            share: 0.5,
            reason: "buffer 0.55 + share 0.5 exceeds 1".into(),
        }],
        best_p50: Some(0.25),
        best_p10: Some(0.2),
        plan_best_p50: Some(0.25),
        plan_best_p10: Some(0.2),
    }
}

/// A sensitivity analysis with rows in no particular order.
pub fn sensitivity() -> Sensitivity {
    let row = |input: &str, label: &str, low: f64, high: f64| SensitivityRow {
        input: input.into(),
        label: label.into(),
        low,
        high,
    };
    Sensitivity {
        strategy: "robust".into(),
        replayed_order: Some(crate::review::FixedOrder {
            order: robust_search(0.25, 0.0).order,
            stability_share: 0.25,
        }),
        delta: 0.2,
        trials: 2_000,
        seed: 42,
        deterministic: false,
        base: 1_380_000.0,
        rows: vec![
            row("risk", "Risk if deferred", 1_420_000.0, 1_340_000.0),
            row(
                "capacity",
                "Capacity (engineer-weeks)",
                1_050_000.0,
                1_600_000.0,
            ),
            row("effort", "Effort of every item", 1_590_000.0, 1_120_000.0),
            row("value", "Value of every item", 1_100_000.0, 1_660_000.0),
            row("drag_growth", "Debt drag growth", 1_400_000.0, 1_360_000.0),
            row(
                "value:sso",
                "Value of SSO for enterprise customers",
                1_300_000.0,
                1_460_000.0,
            ),
        ],
    }
}

/// Everything a report page is made from, built from the fixtures above.
pub fn report_data(scenario: &Scenario) -> crate::review::ReportData<'_> {
    let simulation = simulation(scenario);
    crate::review::ReportData {
        scenario,
        plan: plan(scenario),
        recommendation: crate::review::recommend(scenario, &simulation),
        simulation,
        sweep: sweep(),
        sweep_time_limit_secs: 6.0,
        sensitivity: sensitivity(),
        teams: Vec::new(),
        since: None,
    }
}
