//! Generated portfolios of any size, for benchmarks and property tests (deterministic per seed).
//!
//! A portfolio looks like a real roadmap: mostly features, some debt paydown that relieves drag,
//! migrations and infrastructure, security items with incident risk, compliance items with
//! deadlines; a sixth of the items require an earlier one; efforts are three-point estimates;
//! the capacity covers a bit more than half of the work, so the plan has to choose. Hard
//! deadlines are few, on small items without prerequisites and late enough to be met, so every
//! generated portfolio has a feasible plan.

use std::path::PathBuf;

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::scenario::{
    Capacity, Deadline, Debt, Estimate, Initiative, Kind, Origin, PeriodLabel, Risk, Scenario, Team,
};

/// A portfolio of `n_initiatives` over `n_periods` quarters starting 2027-Q1.
pub fn portfolio(n_initiatives: usize, n_periods: usize, seed: u64) -> Scenario {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x5eed_7ade_0ff5);
    let n_periods = n_periods.max(1);
    let weeks_per_period = 13.0;
    let mut initiatives = Vec::with_capacity(n_initiatives);
    for idx in 0..n_initiatives {
        let roll: f64 = rng.random();
        let kind = match roll {
            r if r < 0.45 => Kind::Feature,
            r if r < 0.60 => Kind::Debt,
            r if r < 0.70 => Kind::Migration,
            r if r < 0.80 => Kind::Infrastructure,
            r if r < 0.92 => Kind::Security,
            _ => Kind::Compliance,
        };
        let likely: f64 = (rng.random_range(4.0..40.0_f64)).round();
        let effort = Estimate {
            low: (likely * 0.8).round().max(1.0),
            likely,
            high: (likely * rng.random_range(1.2..2.0_f64)).round(),
        };
        let team = f64::from(rng.random_range(1..=5u32));
        let weekly = rng.random_range(150.0..1_500.0_f64);
        let (value, risk, debt_relief) = match kind {
            Kind::Feature => (likely * weekly, None, 0.0),
            Kind::Compliance => (
                likely * weekly * 0.3,
                Some(Risk::PerPeriod(Estimate::fixed(
                    (likely * weekly * 0.4).round(),
                ))),
                0.0,
            ),
            Kind::Debt => (
                likely * weekly * 0.1,
                None,
                (rng.random_range(0.004..0.02_f64) * 1_000.0).round() / 1_000.0,
            ),
            Kind::Security => (
                0.0,
                Some(Risk::Incident {
                    probability: (rng.random_range(0.01..0.08_f64) * 1_000.0).round() / 1_000.0,
                    impact: Estimate::fixed((likely * weekly * 8.0).round()),
                }),
                0.0,
            ),
            Kind::Migration | Kind::Infrastructure => (
                likely * weekly * 0.5,
                Some(Risk::PerPeriod(Estimate::fixed(
                    (likely * weekly * 0.2).round(),
                ))),
                (rng.random_range(0.0..0.01_f64) * 1_000.0).round() / 1_000.0,
            ),
        };
        let one_time_value = if kind == Kind::Feature && rng.random_bool(0.3) {
            (likely * weekly * 3.0).round()
        } else {
            0.0
        };
        // A sixth require one earlier item.
        let requires = if idx > 0 && rng.random_bool(1.0 / 6.0) {
            vec![rng.random_range(0..idx)]
        } else {
            Vec::new()
        };
        // Deadlines: a few hard ones on small items without prerequisites, a few soft ones.
        let team_weeks = team * weeks_per_period;
        let mean_effort = effort.mean();
        let earliest = (mean_effort / team_weeks).ceil() as usize + 1;
        let deadline = if requires.is_empty()
            && mean_effort <= 20.0
            && earliest < n_periods
            && rng.random_bool(0.02)
        {
            let from = earliest.max(n_periods.div_ceil(2));
            Some(Deadline::Hard {
                period: rng.random_range(from..=n_periods),
            })
        } else if kind == Kind::Compliance || rng.random_bool(0.03) {
            Some(Deadline::Soft {
                period: rng.random_range(1..=n_periods),
                penalty: (likely * weekly * 2.0).round(),
            })
        } else {
            None
        };
        initiatives.push(Initiative {
            id: format!("{}-{idx:04}", kind.as_str()),
            name: format!("{} {idx}", kind.as_str()),
            kind,
            class: kind.default_class(),
            effort,
            progress: if rng.random_bool(0.1) { 0.25 } else { 0.0 },
            team: Some(team),
            value: Estimate::fixed(value.round()),
            one_time_value: Estimate::fixed(one_time_value),
            risk,
            deadline,
            requires,
            objectives: Vec::new(),
            commit: false,
            business_outcome: None,
            debt_relief,
            split: Vec::new(),
            origin: Origin {
                file: PathBuf::from("synthetic.toml"),
                line: idx + 1,
            },
        });
    }
    let total_effort: f64 = initiatives.iter().map(|i| i.remaining_effort_mean()).sum();
    let buffer = 0.10;
    // Capacity for a bit more than half of the work, rounded to whole engineers.
    let per_period = ((0.55 * total_effort / n_periods as f64 / (1.0 - buffer)) / weeks_per_period)
        .ceil()
        .max(1.0)
        * weeks_per_period;
    Scenario {
        name: format!("synthetic {n_initiatives}x{n_periods} (seed {seed})"),
        periods: n_periods,
        period_label: PeriodLabel::Quarter,
        labels: (0..n_periods)
            .map(|k| format!("{}-Q{}", 2027 + k / 4, k % 4 + 1))
            .collect(),
        weeks_per_period,
        discount_rate: 0.08,
        periods_per_year: 4.0,
        terminal_periods: 4,
        currency: "EUR".into(),
        teams: Vec::new(),
        capacity: Capacity {
            per_period: vec![per_period; n_periods],
            buffer,
            stability_min: 0.15,
            stability_max: 0.5,
            noise: 0.08,
        },
        debt: Debt {
            drag: 0.08,
            growth: Estimate::fixed(0.005),
            ceiling: 0.3,
        },
        objectives: Vec::new(),
        initiatives,
        strategies: Vec::new(),
        warnings: Vec::new(),
        source: PathBuf::from("synthetic.toml"),
        inputs: Vec::new(),
    }
}

/// The same portfolio with its capacity in `n_teams` teams (`team-0`, `team-1`, …): each item
/// owned by one team, or (one in five) split 60/40 with the next; each team's capacity is the
/// pool's in proportion to its share of the work, in whole engineers, so the teams are as
/// stretched as the pool.
pub fn with_teams(mut scenario: Scenario, n_teams: usize, seed: u64) -> Scenario {
    let n_teams = n_teams.max(1);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x7ea5_0ff1);
    let mut demand = vec![0.0; n_teams];
    for item in &mut scenario.initiatives {
        let j = rng.random_range(0..n_teams);
        item.split = if n_teams > 1 && rng.random_bool(0.2) {
            vec![(j, 0.6), ((j + 1) % n_teams, 0.4)]
        } else {
            vec![(j, 1.0)]
        };
        for &(k, share) in &item.split {
            demand[k] += share * item.remaining_effort_mean();
        }
    }
    let total: f64 = demand.iter().sum::<f64>().max(1e-9);
    let weeks = scenario.weeks_per_period;
    let capacity = &scenario.capacity;
    let teams = (0..n_teams)
        .map(|j| {
            // The team's share of the work, in whole engineers (at least one).
            let engineers = |c: &f64| (c * demand[j] / total / weeks).round().max(1.0);
            let per_period = capacity.per_period.iter().map(|c| engineers(c) * weeks);
            Team {
                id: format!("team-{j}"),
                name: format!("Team {j}"),
                per_period: per_period.collect(),
                noise: capacity.noise,
            }
        })
        .collect();
    scenario.teams = teams;
    scenario.sum_team_capacity();
    scenario.name = format!("{} in {n_teams} teams", scenario.name);
    scenario
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_portfolio() {
        assert_eq!(portfolio(30, 8, 7), portfolio(30, 8, 7));
        assert_ne!(portfolio(30, 8, 7), portfolio(30, 8, 8));
    }

    #[test]
    fn requirements_point_backwards() {
        let s = portfolio(200, 12, 1);
        for (i, init) in s.initiatives.iter().enumerate() {
            assert!(init.requires.iter().all(|&j| j < i));
        }
        assert_eq!(s.capacity.per_period.len(), 12);
    }
}
