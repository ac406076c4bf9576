//! The OKR roll-up (SPEC "Objectives"): what the plan gives each `[[objective]]` — its share of
//! the weights beside its share of the planned work, and the planner's value earned and cost of
//! delay of its items — and the warning when an objective gets far less work than its weight.
//!
//! An item linked to several objectives counts in full for each, so the objectives' rows
//! overlap; the rows "any objective" (items with at least one link) and "no objective" (items
//! with none) do not, and together they are the whole plan. Values are settled item by item with
//! the planner's own accounting (`PlanData::item_parts`, the settlement of
//! [`crate::economics`]), so the items' parts sum to the plan's value earned and cost of delay.
//! Weights are for reporting only: the program never reads them.
//!
//! The simulator rolls its trials up by the same rows ([`member_rows`]); a scenario without
//! objectives has no rows, and nothing here runs for it.

use serde::Serialize;

use crate::number::percent;
use crate::plan::data::{ObjectiveParts, PlanData};
use crate::plan::Plan;
use crate::scenario::Scenario;

/// A roll-up row's work and value in the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollupFigures {
    /// Initiatives counted in the row.
    pub n_initiatives: usize,
    /// Engineer-weeks the plan gives the row's items over the horizon.
    pub planned_weeks: f64,
    /// The same per period, `planned_weeks_by_period[period_idx]`.
    pub planned_weeks_by_period: Vec<f64>,
    /// planned_weeks ÷ all planned engineer-weeks (0 when the plan plans no work).
    pub work_share: f64,
    /// The planner's value earned by the row's items.
    pub value_earned: f64,
    /// The planner's cost of delay of the row's items.
    pub cost_of_delay: f64,
}

/// One objective's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectiveRollup {
    pub id: String,
    pub name: String,
    pub weight: f64,
    /// weight ÷ Σ weights (0 for every objective when all weights are 0).
    pub weight_share: f64,
    #[serde(flatten)]
    pub figures: RollupFigures,
}

/// The plan's roll-up by objective. Serialised flat beside the plan's own fields (`plan --format
/// json`, `results.json`): `objectives`, `any_objective`, `no_objective`, `objective_warnings`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanObjectives {
    /// In `[[objective]]` order.
    pub objectives: Vec<ObjectiveRollup>,
    /// Items linked to at least one objective, each counted once.
    pub any_objective: RollupFigures,
    /// Items linked to none.
    pub no_objective: RollupFigures,
    /// Objectives whose share of the planned work is under half their weight share, or that
    /// get no work at all (objectives of weight 0 never warn), in `[[objective]]` order.
    pub objective_warnings: Vec<String>,
}

/// The items of each roll-up row, in file order: one row per objective in `[[objective]]`
/// order, then "any objective", then "no objective". Empty when the scenario has no objectives.
pub fn member_rows(scenario: &Scenario) -> Vec<Vec<usize>> {
    let n_objectives = scenario.objectives.len();
    if n_objectives == 0 {
        return Vec::new();
    }
    let mut rows = vec![Vec::new(); n_objectives + 2];
    for (i, item) in scenario.initiatives.iter().enumerate() {
        let mut linked = false;
        for (k, &o) in item.objectives.iter().enumerate() {
            // An id listed twice counts once.
            if o < n_objectives && !item.objectives[..k].contains(&o) {
                rows[o].push(i);
                linked = true;
            }
        }
        rows[n_objectives + usize::from(!linked)].push(i);
    }
    rows
}

/// Each item's value earned, cost of delay and penalty in `plan`, settled as the planner settles
/// the plan's totals (their sums are the plan's parts).
pub fn item_parts(scenario: &Scenario, plan: &Plan) -> Vec<ObjectiveParts> {
    let data = PlanData::from_scenario(scenario, None);
    (0..scenario.initiatives.len())
        .map(|i| data.item_parts(i, plan.initiatives.get(i).and_then(|p| p.delivery)))
        .collect()
}

/// The plan's roll-up by objective; none when the scenario has no objectives.
pub fn plan_objectives(scenario: &Scenario, plan: &Plan) -> Option<PlanObjectives> {
    let rows = member_rows(scenario);
    if rows.is_empty() {
        return None;
    }
    let parts = item_parts(scenario, plan);
    let n_periods = plan.periods.len();
    // Engineer-weeks of each item per period.
    let weeks: Vec<Vec<f64>> = plan
        .initiatives
        .iter()
        .map(|p| p.shares.iter().map(|s| s * p.effort).collect())
        .collect();
    let total: f64 = weeks.iter().flatten().sum();
    let figures = |members: &[usize]| {
        let mut by_period = vec![0.0; n_periods];
        let (mut value_earned, mut cost_of_delay) = (0.0, 0.0);
        for &i in members {
            if let Some(w) = weeks.get(i) {
                for (slot, x) in by_period.iter_mut().zip(w) {
                    *slot += x;
                }
            }
            if let Some(p) = parts.get(i) {
                value_earned += p.value_earned;
                cost_of_delay += p.cost_of_delay;
            }
        }
        let planned_weeks: f64 = by_period.iter().sum();
        RollupFigures {
            n_initiatives: members.len(),
            planned_weeks,
            planned_weeks_by_period: by_period,
            work_share: if total > 0.0 {
                planned_weeks / total
            } else {
                0.0
            },
            value_earned,
            cost_of_delay,
        }
    };
    let weight_sum: f64 = scenario.objectives.iter().map(|o| o.weight).sum();
    let objectives: Vec<ObjectiveRollup> = scenario
        .objectives
        .iter()
        .zip(&rows)
        .map(|(o, members)| ObjectiveRollup {
            id: o.id.clone(),
            name: o.name.clone(),
            weight: o.weight,
            weight_share: if weight_sum > 0.0 {
                o.weight / weight_sum
            } else {
                0.0
            },
            figures: figures(members),
        })
        .collect();
    let n = scenario.objectives.len();
    let objective_warnings = objectives.iter().filter_map(warning).collect();
    Some(PlanObjectives {
        objectives,
        any_objective: figures(&rows[n]),
        no_objective: figures(&rows[n + 1]),
        objective_warnings,
    })
}

/// Planned work below this many engineer-weeks counts as none.
const NO_WORK_WEEKS: f64 = 1e-9;

/// The warning for one objective, if it gets under half its weight share of the planned work
/// or none at all: "`growth` carries 40% of the weight but 6% of the planned work".
fn warning(row: &ObjectiveRollup) -> Option<String> {
    if row.weight_share <= 0.0 {
        return None;
    }
    let f = &row.figures;
    let carries = format!(
        "`{}` carries {} of the weight but",
        row.id,
        percent(row.weight_share)
    );
    if f.planned_weeks <= NO_WORK_WEEKS {
        Some(format!("{carries} gets no planned work"))
    } else if f.work_share < 0.5 * row.weight_share {
        Some(format!(
            "{carries} {} of the planned work",
            share_text(f.work_share)
        ))
    } else {
        None
    }
}

/// A share as a whole percentage, "under 1%" rather than a misleading "0%" for a little work.
pub fn share_text(share: f64) -> String {
    if share > 0.0 && share < 0.005 {
        "under 1%".into()
    } else {
        percent(share)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{PlanStatus, PlannedInitiative};

    /// Two objectives (weights 3 and 1), `both` linked to each, `loose` to none; 2 periods.
    fn scenario() -> Scenario {
        crate::scenario::load_scenario_str(
            "okr.toml",
            r#"
            [scenario]
            periods = 2
            [capacity]
            per_period = 20
            [[objective]]
            id = "growth"
            weight = 3
            [[objective]]
            id = "trust"
            weight = 1
            [[initiative]]
            id = "both"
            kind = "feature"
            effort = 10
            value = 100
            risk_if_deferred = 7
            objectives = ["growth", "trust"]
            [[initiative]]
            id = "grow"
            kind = "feature"
            effort = 6
            one_time_value = 50
            objectives = ["growth"]
            [[initiative]]
            id = "loose"
            kind = "debt"
            effort = 4
            risk_if_deferred = 5
            deadline = { period = 1, penalty = 30 }
            "#,
        )
        .unwrap()
    }

    /// `both` in P1, `grow` split over P1 and P2, `loose` never: planned by hand, then the
    /// plan's parts recomputed by the planner's own accounting.
    fn plan(scenario: &Scenario) -> Plan {
        let initiatives = vec![
            PlannedInitiative::new("both".into(), vec![1.0, 0.0], 10.0, Some(1)),
            PlannedInitiative::new("grow".into(), vec![0.5, 0.5], 6.0, Some(2)),
            PlannedInitiative::new("loose".into(), vec![0.0, 0.0], 4.0, None),
        ];
        let deliveries: Vec<Option<usize>> = initiatives.iter().map(|p| p.delivery).collect();
        let parts = PlanData::from_scenario(scenario, None).parts_for(&deliveries);
        let period = |t: usize| crate::plan::PlannedPeriod {
            period: t,
            label: format!("P{t}"),
            capacity: 20.0,
            allocatable: 20.0,
            drag: 0.0,
            product: 0.0,
            stability: 0.0,
            by_kind: Default::default(),
            buffer: 0.0,
            idle: 0.0,
            marginal_value: 0.0,
            teams: Vec::new(),
        };
        Plan {
            status: PlanStatus::Optimal,
            objective: parts.objective(),
            gap: 0.0,
            bound: parts.objective(),
            value_earned: parts.value_earned,
            cost_of_delay: parts.cost_of_delay,
            penalties: parts.penalties,
            stability_min: 0.0,
            stability_max: 1.0,
            time_limit_reached: false,
            initiatives,
            periods: vec![period(1), period(2)],
        }
    }

    #[test]
    fn rows_overlap_for_objectives_and_split_the_plan_into_any_and_none() {
        let s = scenario();
        assert_eq!(
            member_rows(&s),
            vec![vec![0, 1], vec![0], vec![0, 1], vec![2]]
        );
        let r = plan_objectives(&s, &plan(&s)).unwrap();
        let (growth, trust) = (&r.objectives[0], &r.objectives[1]);
        assert_eq!((growth.weight_share, trust.weight_share), (0.75, 0.25));
        // 16 engineer-weeks planned: growth 13 + 3, trust 10; any 16, none 0.
        assert_eq!(growth.figures.planned_weeks_by_period, vec![13.0, 3.0]);
        assert_eq!(growth.figures.work_share, 1.0);
        assert_eq!(trust.figures.planned_weeks, 10.0);
        assert_eq!(trust.figures.work_share, 10.0 / 16.0);
        assert_eq!(r.any_objective.planned_weeks, 16.0);
        assert_eq!(
            (r.no_objective.planned_weeks, r.no_objective.work_share),
            (0.0, 0.0)
        );
        // No discounting: `both` delivered in P1 earns 100 in P2 and pays 7 in P1; `grow`
        // delivered in P2 earns its 50 once; `loose` pays 5 twice (and its penalty).
        assert_eq!(
            (growth.figures.value_earned, growth.figures.cost_of_delay),
            (150.0, 7.0)
        );
        assert_eq!(
            (trust.figures.value_earned, trust.figures.cost_of_delay),
            (100.0, 7.0)
        );
        assert_eq!(
            (r.no_objective.value_earned, r.no_objective.cost_of_delay),
            (0.0, 10.0)
        );
        assert!(
            r.objective_warnings.is_empty(),
            "{:?}",
            r.objective_warnings
        );
    }

    #[test]
    fn items_parts_sum_to_the_plans_totals() {
        let s = scenario();
        let p = plan(&s);
        let parts = item_parts(&s, &p);
        let sum = |f: fn(&ObjectiveParts) -> f64| parts.iter().map(f).sum::<f64>();
        assert!((sum(|x| x.value_earned) - p.value_earned).abs() < 1e-9);
        assert!((sum(|x| x.cost_of_delay) - p.cost_of_delay).abs() < 1e-9);
        assert!((sum(|x| x.penalties) - p.penalties).abs() < 1e-9);
        let r = plan_objectives(&s, &p).unwrap();
        let any_and_none = r.any_objective.value_earned + r.no_objective.value_earned;
        assert!((any_and_none - p.value_earned).abs() < 1e-9);
        let delay = r.any_objective.cost_of_delay + r.no_objective.cost_of_delay;
        assert!((delay - p.cost_of_delay).abs() < 1e-9);
    }

    #[test]
    fn objectives_far_below_their_weight_warn() {
        let mut s = scenario();
        s.objectives[0].weight = 1.0;
        s.objectives[1].weight = 1.0;
        s.objectives.push(crate::scenario::Objective {
            id: "idle".into(),
            name: "idle".into(),
            weight: 2.0,
        });
        let mut p = plan(&s);
        // trust: 25% of the weight, 2 of 40 planned weeks = 5%.
        p.initiatives[0].effort = 2.0;
        p.initiatives[1].effort = 38.0;
        let r = plan_objectives(&s, &p).unwrap();
        assert_eq!(
            r.objective_warnings,
            vec![
                "`trust` carries 25% of the weight but 5% of the planned work".to_string(),
                "`idle` carries 50% of the weight but gets no planned work".to_string(),
            ]
        );
        // Weight 0 never warns; a tiny share reads "under 1%".
        s.objectives[2].weight = 0.0;
        assert_eq!(plan_objectives(&s, &p).unwrap().objective_warnings.len(), 1);
        assert_eq!(share_text(0.001), "under 1%");
        assert_eq!(share_text(0.0), "0%");
    }

    #[test]
    fn no_objectives_no_rollup() {
        let mut s = scenario();
        s.objectives.clear();
        for it in &mut s.initiatives {
            it.objectives.clear();
        }
        assert!(member_rows(&s).is_empty());
        assert!(plan_objectives(&s, &plan(&s)).is_none());
    }
}
