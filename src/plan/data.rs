//! The planner's numbers: a scenario reduced to the arrays the program and the heuristic read.
//!
//! Everything here is a mean (efforts, values, costs of delay) or a derived per-period figure
//! (allocatable capacity, the drag law before relief, discount factors). The objective of a set
//! of deliveries is computed here, on the user's objective (constant term included), so every
//! solver path reports the same number for the same deliveries.

use crate::scenario::{Class, Scenario};

/// One initiative as the planner sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemData {
    /// e_i: mean remaining effort, engineer-weeks.
    pub effort_weeks: f64,
    /// v_i: value per period once delivered.
    pub value: f64,
    /// c_i: expected cost of delay per period while undelivered.
    pub cost_of_delay: f64,
    /// o_i: value realised at delivery.
    pub one_time_value: f64,
    /// The most engineer-weeks the item can absorb in one period (team × weeks_per_period).
    pub team_weeks: f64,
    pub stability: bool,
    /// Indexes of the initiatives this one requires.
    pub requires: Vec<usize>,
    /// Hard deadline period k (1-based): delivered by the end of k.
    pub hard_deadline: Option<usize>,
    /// Soft deadline (period, penalty).
    pub soft_deadline: Option<(usize, f64)>,
    /// Must be delivered within the horizon.
    pub commit: bool,
    /// Drag removed for good once delivered.
    pub debt_relief: f64,
    /// The capacity pools that do the work with σ, the share of the effort each does: the
    /// item's teams, or `[(0, 1.0)]` for one pool.
    pub shares: Vec<(usize, f64)>,
}

/// The scenario reduced to plain numbers, with the ring-fence the plan is made with.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanData {
    /// T.
    pub n_periods: usize,
    pub items: Vec<ItemData>,
    /// A_t, `allocatable_weeks[period_idx]`: all pools together.
    pub allocatable_weeks: Vec<f64>,
    /// A_jt = C_jt (1 − buffer) of each pool (team), `pool_allocatable[pool][period_idx]`; one
    /// pool equal to `allocatable_weeks` without teams.
    pub pool_allocatable: Vec<Vec<f64>>,
    /// min(ceiling, drag + growth × (t − 1)), `base_drag[period_idx]`.
    pub base_drag: Vec<f64>,
    /// d_t for t = 0..=T, `discount[t]`.
    pub discount: Vec<f64>,
    pub terminal_periods: f64,
    pub stability_min: f64,
    pub stability_max: f64,
    pub weeks_per_period: f64,
}

/// The objective split as the report shows it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ObjectiveParts {
    pub value_earned: f64,
    pub cost_of_delay: f64,
    pub penalties: f64,
}

impl ObjectiveParts {
    /// value_earned − cost_of_delay − penalties.
    pub fn objective(&self) -> f64 {
        self.value_earned - self.cost_of_delay - self.penalties
    }
}

impl PlanData {
    /// Reduces a scenario; `stability_share` (from `--stability-share`) sets min = max.
    pub fn from_scenario(scenario: &Scenario, stability_share: Option<f64>) -> PlanData {
        let n_periods = scenario.periods;
        let growth = scenario.debt.growth.mean();
        let items = scenario
            .initiatives
            .iter()
            .map(|init| {
                let (hard_deadline, soft_deadline) = match init.deadline {
                    Some(crate::scenario::Deadline::Hard { period }) => (Some(period), None),
                    Some(crate::scenario::Deadline::Soft { period, penalty }) => {
                        (None, Some((period, penalty)))
                    }
                    None => (None, None),
                };
                ItemData {
                    effort_weeks: init.remaining_effort_mean(),
                    value: init.value.mean(),
                    cost_of_delay: init.cost_of_delay_mean(),
                    one_time_value: init.one_time_value.mean(),
                    team_weeks: init.team_limit_weeks(scenario.weeks_per_period),
                    stability: init.class == Class::Stability,
                    requires: init.requires.clone(),
                    hard_deadline,
                    soft_deadline,
                    commit: init.commit,
                    debt_relief: init.debt_relief,
                    shares: scenario.shares(init).to_vec(),
                }
            })
            .collect();
        let (stability_min, stability_max) = match stability_share {
            Some(x) => (x, x),
            None => (
                scenario.capacity.stability_min,
                scenario.capacity.stability_max,
            ),
        };
        PlanData {
            n_periods,
            items,
            allocatable_weeks: (1..=n_periods).map(|t| scenario.allocatable(t)).collect(),
            pool_allocatable: (0..scenario.pools())
                .map(|j| {
                    (1..=n_periods)
                        .map(|t| scenario.pool_capacity(j, t) * (1.0 - scenario.capacity.buffer))
                        .collect()
                })
                .collect(),
            base_drag: (1..=n_periods)
                .map(|t| crate::economics::base_drag(&scenario.debt, t, growth))
                .collect(),
            discount: crate::economics::discount_factors(
                scenario.discount_rate,
                scenario.periods_per_year,
                n_periods,
            ),
            terminal_periods: f64::from(scenario.terminal_periods),
            stability_min,
            stability_max,
            weeks_per_period: scenario.weeks_per_period,
        }
    }

    pub fn n_items(&self) -> usize {
        self.items.len()
    }

    /// The number of capacity pools (teams, or 1).
    pub fn n_pools(&self) -> usize {
        self.pool_allocatable.len()
    }

    /// Adds `weeks` of allocatable capacity to pool j in period_idx (and to the total).
    pub fn add_allocatable(&mut self, pool: usize, period_idx: usize, weeks: f64) {
        self.pool_allocatable[pool][period_idx] += weeks;
        self.allocatable_weeks[period_idx] += weeks;
    }

    /// The drag in period t (1-based) by the drag law, given each item's delivery period.
    pub fn drag_for(&self, period: usize, deliveries: &[Option<usize>]) -> f64 {
        let relief: f64 = self
            .items
            .iter()
            .zip(deliveries)
            .filter(|(_, d)| matches!(d, Some(k) if *k < period))
            .map(|(item, _)| item.debt_relief)
            .sum();
        crate::economics::drag_after_relief(self.base_drag[period - 1], relief)
    }

    /// Item i's numbers for the settlement in [`crate::economics`].
    pub fn terms(&self, item_idx: usize) -> crate::economics::ItemTerms {
        let item = &self.items[item_idx];
        crate::economics::ItemTerms {
            value: item.value,
            one_time_value: item.one_time_value,
            cost_of_delay: item.cost_of_delay,
            soft_deadline: item.soft_deadline,
        }
    }

    /// The objective's coefficient on y[i,t] (t 1-based) once the objective is written over y
    /// ([`crate::economics::y_coefficient`]).
    pub fn y_coefficient(&self, item_idx: usize, period: usize) -> f64 {
        crate::economics::y_coefficient(
            &self.discount,
            self.terminal_periods,
            &self.terms(item_idx),
            period,
        )
    }

    /// The objective's constant term: −Σ_i p_i − Σ_i Σ_t d_t c_i.
    pub fn objective_constant(&self) -> f64 {
        (0..self.items.len())
            .map(|i| crate::economics::objective_constant_of(&self.discount, &self.terms(i)))
            .sum()
    }

    /// What delivering item i by the end of `period` adds to the objective over never delivering it.
    #[cfg(test)]
    fn delivery_gain(&self, item_idx: usize, period: usize) -> f64 {
        (period..=self.n_periods)
            .map(|t| self.y_coefficient(item_idx, t))
            .sum()
    }

    /// The objective's parts for one item delivered at `delivery` (or never), settled by
    /// [`crate::economics::settle_item`] as the simulator settles a trial.
    pub fn item_parts(&self, item_idx: usize, delivery: Option<usize>) -> ObjectiveParts {
        let (value_earned, cost_of_delay, penalties) = crate::economics::settle_item(
            &self.discount,
            self.terminal_periods,
            &self.terms(item_idx),
            delivery.unwrap_or(0),
        );
        ObjectiveParts {
            value_earned,
            cost_of_delay,
            penalties,
        }
    }

    /// The objective's parts for a full set of deliveries (one entry per item).
    pub fn parts_for(&self, deliveries: &[Option<usize>]) -> ObjectiveParts {
        let mut total = ObjectiveParts::default();
        for (idx, delivery) in deliveries.iter().enumerate() {
            let p = self.item_parts(idx, *delivery);
            total.value_earned += p.value_earned;
            total.cost_of_delay += p.cost_of_delay;
            total.penalties += p.penalties;
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_item(periods: usize) -> PlanData {
        PlanData {
            n_periods: periods,
            items: vec![ItemData {
                effort_weeks: 10.0,
                value: 100.0,
                cost_of_delay: 30.0,
                one_time_value: 500.0,
                team_weeks: f64::INFINITY,
                stability: false,
                requires: Vec::new(),
                hard_deadline: None,
                soft_deadline: Some((1, 70.0)),
                commit: false,
                debt_relief: 0.0,
                shares: vec![(0, 1.0)],
            }],
            allocatable_weeks: vec![10.0; periods],
            pool_allocatable: vec![vec![10.0; periods]],
            base_drag: vec![0.0; periods],
            discount: vec![1.0; periods + 1],
            terminal_periods: 2.0,
            stability_min: 0.0,
            stability_max: 1.0,
            weeks_per_period: 13.0,
        }
    }

    #[test]
    fn parts_follow_the_spec_by_hand() {
        let data = one_item(3);
        // Delivered in P2: value 100 in P3 + 500 once + 2 × 100 terminal = 800;
        // cost of delay in P1 and P2 = 60; soft deadline P1 missed: 70.
        let p = data.item_parts(0, Some(2));
        assert_eq!(
            (p.value_earned, p.cost_of_delay, p.penalties),
            (800.0, 60.0, 70.0)
        );
        // Never delivered: cost of delay in all 3 periods, the penalty, no value.
        let p = data.item_parts(0, None);
        assert_eq!(
            (p.value_earned, p.cost_of_delay, p.penalties),
            (0.0, 90.0, 70.0)
        );
    }

    #[test]
    fn y_coefficients_and_constant_reproduce_the_parts() {
        let data = one_item(3);
        for delivery in [None, Some(1), Some(2), Some(3)] {
            let from_y =
                data.objective_constant() + delivery.map_or(0.0, |k| data.delivery_gain(0, k));
            let direct = data.parts_for(&[delivery]).objective();
            assert!(
                (from_y - direct).abs() < 1e-9,
                "{delivery:?}: {from_y} vs {direct}"
            );
        }
    }
}
