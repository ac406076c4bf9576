//! Turns a solver's (or the heuristic's) raw answer into the normalised [`Plan`] users see.
//!
//! Normalisation (SPEC "Planner"): shares below 1e-6 are dropped, an item's shares sum to
//! exactly 1 by its delivery period, an item not delivered in the horizon gets no work. The
//! per-period figures are recomputed from the normalised shares and the deliveries (the drag by
//! the drag law), never read back from solver variables.

use std::collections::BTreeMap;

use super::data::PlanData;
use super::{Plan, PlanStatus, PlannedInitiative, PlannedPeriod, PlannedTeamPeriod};
use crate::scenario::Scenario;

/// Shares below this are dropped.
pub const MIN_SHARE: f64 = 1e-6;

/// A raw answer: deliveries and shares of effort per item and period.
#[derive(Debug, Clone, PartialEq)]
pub struct RawPlan {
    pub deliveries: Vec<Option<usize>>,
    /// `shares[item_idx][period_idx]`, before normalisation.
    pub shares: Vec<Vec<f64>>,
}

impl RawPlan {
    /// Reads deliveries (first period with y ≥ 0.5) and shares (x) from a model assignment.
    pub fn from_values(data: &PlanData, values: &[f64]) -> RawPlan {
        let t_end = data.n_periods;
        let n = data.n_items();
        let deliveries = (0..n)
            .map(|i| (1..=t_end).find(|&t| values[(n + i) * t_end + t - 1] >= 0.5))
            .collect();
        let shares = (0..n)
            .map(|i| values[i * t_end..(i + 1) * t_end].to_vec())
            .collect();
        RawPlan { deliveries, shares }
    }

    /// Reads a replayed schedule (work in engineer-weeks).
    pub fn from_work(data: &PlanData, deliveries: &[Option<usize>], work_weeks: &[f64]) -> RawPlan {
        let t_end = data.n_periods;
        let shares = data
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                work_weeks[i * t_end..(i + 1) * t_end]
                    .iter()
                    .map(|w| w / item.effort_weeks)
                    .collect()
            })
            .collect();
        RawPlan {
            deliveries: deliveries.to_vec(),
            shares,
        }
    }

    /// The full model assignment (x, y, g) of this answer, for seeding a solver.
    pub fn to_values(&self, data: &PlanData) -> Vec<f64> {
        let t_end = data.n_periods;
        let n = data.n_items();
        let mut values = vec![0.0; 2 * n * t_end + t_end];
        for i in 0..n {
            for t in 1..=t_end {
                values[i * t_end + t - 1] = self.shares[i][t - 1];
                if self.deliveries[i].is_some_and(|k| k <= t) {
                    values[(n + i) * t_end + t - 1] = 1.0;
                }
            }
        }
        for t in 1..=t_end {
            values[2 * n * t_end + t - 1] = data.drag_for(t, &self.deliveries);
        }
        values
    }
}

/// Normalises an item's shares given its delivery period.
pub fn normalise_shares(raw: &[f64], delivery: Option<usize>) -> Vec<f64> {
    let mut shares = vec![0.0; raw.len()];
    let Some(k) = delivery else {
        return shares;
    };
    for (t, s) in raw.iter().enumerate().take(k) {
        if s.is_finite() && *s >= MIN_SHARE {
            shares[t] = *s;
        }
    }
    let sum: f64 = shares.iter().sum();
    if sum > 0.0 {
        for s in shares.iter_mut() {
            *s /= sum;
        }
        // Make the sum exactly 1 by putting the rounding on the largest share.
        let total: f64 = shares.iter().sum();
        if let Some((idx, _)) = shares.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)) {
            shares[idx] += 1.0 - total;
        }
    } else {
        // Delivered with no recorded work (cannot happen for positive effort): book it in k.
        shares[k - 1] = 1.0;
    }
    shares
}

/// Builds the plan's initiatives and periods; marginal values are filled in later.
pub fn build_plan(
    scenario: &Scenario,
    data: &PlanData,
    raw: &RawPlan,
    status: PlanStatus,
    bound: f64,
) -> Plan {
    let t_end = data.n_periods;
    let initiatives: Vec<PlannedInitiative> = scenario
        .initiatives
        .iter()
        .enumerate()
        .map(|(i, init)| {
            let delivery = raw.deliveries[i];
            let shares = normalise_shares(&raw.shares[i], delivery);
            PlannedInitiative::new(
                init.id.clone(),
                shares,
                data.items[i].effort_weeks,
                delivery,
            )
        })
        .collect();
    let periods = (1..=t_end)
        .map(|t| {
            let mut product = 0.0;
            let mut stability = 0.0;
            let mut by_kind: BTreeMap<String, f64> = BTreeMap::new();
            for (i, planned) in initiatives.iter().enumerate() {
                let weeks = planned.shares[t - 1] * planned.effort;
                if weeks <= 0.0 {
                    continue;
                }
                if data.items[i].stability {
                    stability += weeks;
                } else {
                    product += weeks;
                }
                *by_kind
                    .entry(scenario.initiatives[i].kind.as_str().to_string())
                    .or_insert(0.0) += weeks;
            }
            let capacity = scenario.capacity.per_period[t - 1];
            let allocatable = data.allocatable_weeks[t - 1];
            let drag = data.drag_for(t, &raw.deliveries);
            let idle = idle_of(allocatable, drag, product, stability);
            let teams = scenario
                .teams
                .iter()
                .enumerate()
                .map(|(j, team)| {
                    let (mut product, mut stability) = (0.0, 0.0);
                    for (i, planned) in initiatives.iter().enumerate() {
                        let item = &data.items[i];
                        let Some(&(_, share)) = item.shares.iter().find(|(p, _)| *p == j) else {
                            continue;
                        };
                        let weeks = planned.shares[t - 1] * planned.effort * share;
                        if item.stability {
                            stability += weeks;
                        } else {
                            product += weeks;
                        }
                    }
                    let allocatable = data.pool_allocatable[j][t - 1];
                    PlannedTeamPeriod {
                        id: team.id.clone(),
                        capacity: team.per_period[t - 1],
                        allocatable,
                        product,
                        stability,
                        idle: idle_of(allocatable, drag, product, stability),
                        marginal_value: 0.0,
                    }
                })
                .collect();
            PlannedPeriod {
                period: t,
                label: scenario.label(t).to_string(),
                capacity,
                allocatable,
                drag,
                product,
                stability,
                by_kind,
                buffer: capacity - allocatable,
                idle,
                marginal_value: 0.0,
                teams,
            }
        })
        .collect();
    let parts = data.parts_for(&raw.deliveries);
    let objective = parts.objective();
    let bound = bound.max(objective);
    Plan {
        status,
        objective,
        gap: relative_gap(bound, objective),
        bound,
        value_earned: parts.value_earned,
        cost_of_delay: parts.cost_of_delay,
        penalties: parts.penalties,
        stability_min: data.stability_min,
        stability_max: data.stability_max,
        time_limit_reached: false,
        initiatives,
        periods,
    }
}

/// A (1 − drag) − product − stability, with rounding noise shown as 0.
fn idle_of(allocatable: f64, drag: f64, product: f64, stability: f64) -> f64 {
    let idle = allocatable * (1.0 - drag) - product - stability;
    if idle.abs() < 1e-9 * allocatable.max(1.0) {
        0.0
    } else {
        idle
    }
}

/// gap = (bound − objective) / max(1, |objective|), never negative.
pub fn relative_gap(bound: f64, objective: f64) -> f64 {
    ((bound - objective) / objective.abs().max(1.0)).max(0.0)
}
