//! What changed since the last review: two scenarios of one portfolio compared, both planned,
//! and the change of the planner's objective attributed to the changes that caused it.
//!
//! The attribution is a waterfall. Starting from OLD, each change that can move the plan (one
//! per initiative, per team and per section, see [`compare`]) is applied alone and re-planned;
//! its part is that plan's objective minus OLD's. The largest [`WATERFALL_STEPS`] are shown one
//! by one, the rest summed as "other changes", and the interaction term is what the changes do
//! together beyond their parts alone: total − Σ parts, so the waterfall always sums to the total.
//! A change that cannot stand alone (it needs a team only NEW has, or OLD with it alone has no
//! plan) has no part of its own; its effect lands in the interaction term, and it is listed with
//! the reason.
//!
//! Every plan uses the same planner options; the planner's work limits make each plan repeat
//! exactly, so the attribution does too. OLD and NEW are solved side by side, then the changes
//! alone, on the run's threads (one after another with the CBC backend), as the sweep solves
//! its shares: the same plans for any thread count.

mod compare;
mod variant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::plan::{solve_plan, Bucket, Plan, PlanOptions, PlanStatus};
use crate::progress::Progress;
use crate::scenario::Scenario;
use crate::sweep::infeasible_note;

pub use compare::{compare, show, Change, FieldChange, Status, Subject};
pub use variant::apply;

/// The waterfall shows at most this many changes one by one.
pub const WATERFALL_STEPS: usize = 12;

/// One scenario of the comparison and its plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Side {
    /// The file, as the user named it.
    pub file: String,
    pub name: String,
    /// The plan's summary; null when the planner finds no plan.
    pub plan: Option<PlanSummary>,
    /// Why there is no plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_note: Option<String>,
}

/// The numbers of a plan a diff compares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanSummary {
    pub status: PlanStatus,
    pub objective: f64,
    pub value_earned: f64,
    pub cost_of_delay: f64,
    pub penalties: f64,
    pub gap: f64,
    pub bound: f64,
}

impl PlanSummary {
    fn of(plan: &Plan) -> PlanSummary {
        PlanSummary {
            status: plan.status,
            objective: plan.objective,
            value_earned: plan.value_earned,
            cost_of_delay: plan.cost_of_delay,
            penalties: plan.penalties,
            gap: plan.gap,
            bound: plan.bound,
        }
    }
}

/// Where a plan puts an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    pub bucket: Bucket,
    /// First period with work (1-based), or null.
    pub start: Option<usize>,
    /// Delivery period (1-based), or null when not delivered in the horizon.
    pub delivery: Option<usize>,
}

impl Placement {
    /// `Next, delivered 2027-Q3`, `Unplanned` or `Later, not delivered`, with `s`'s labels.
    pub fn describe(&self, s: &Scenario) -> String {
        let bucket = match self.bucket {
            Bucket::Now => "Now",
            Bucket::Next => "Next",
            Bucket::Later => "Later",
            Bucket::Unplanned => return "Unplanned".into(),
        };
        match self.delivery {
            Some(t) => format!(
                "{bucket}, delivered {}",
                s.labels.get(t.wrapping_sub(1)).map_or("?", |l| l.as_str())
            ),
            None => format!("{bucket}, not delivered"),
        }
    }
}

/// An item whose bucket or delivery differs between the two plans (null on the side that does
/// not have the item).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Moved {
    pub id: String,
    pub name: String,
    pub old: Option<Placement>,
    pub new: Option<Placement>,
}

/// One change's part in the waterfall.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The change's label, e.g. `sso: effort, value`.
    pub change: String,
    pub subject: Subject,
    pub id: String,
    /// OLD's objective with this change alone, minus OLD's objective.
    pub delta: f64,
}

/// A change with no part of its own, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unattributed {
    pub change: String,
    pub subject: Subject,
    pub id: String,
    pub reason: String,
}

/// The changes beyond the largest [`WATERFALL_STEPS`], summed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OtherChanges {
    pub count: usize,
    pub delta: f64,
    pub steps: Vec<Step>,
}

/// Why the objective moved: OLD's objective + Σ steps + other changes + interaction = NEW's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    pub old_objective: f64,
    pub new_objective: f64,
    /// NEW's objective minus OLD's.
    pub total: f64,
    /// The largest parts by size, largest first.
    pub steps: Vec<Step>,
    /// Null when every part is a step.
    pub other_changes: Option<OtherChanges>,
    /// total − Σ parts: what the changes do together beyond their parts alone.
    pub interaction: f64,
    /// Changes that could not be applied alone.
    pub unattributed: Vec<Unattributed>,
    /// The largest planner gap among the plans behind the waterfall (each part is exact up to
    /// its plans' gaps).
    pub max_gap: f64,
}

impl Attribution {
    /// The waterfall's bars in order, (label, delta): the steps, other changes, interaction.
    pub fn bars(&self) -> Vec<(String, f64)> {
        let mut bars: Vec<(String, f64)> = self
            .steps
            .iter()
            .map(|s| (s.change.clone(), s.delta))
            .collect();
        if let Some(other) = &self.other_changes {
            bars.push((format!("other changes ({})", other.count), other.delta));
        }
        bars.push(("interaction".into(), self.interaction));
        bars
    }
}

/// Everything `tradeoff diff` reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diff {
    pub old: Side,
    pub new: Side,
    /// Initiatives, sections and teams that differ.
    pub changes: Vec<Change>,
    /// Items whose bucket or delivery moved (and where added and removed items are planned).
    pub moved: Vec<Moved>,
    /// Null when either scenario has no plan.
    pub attribution: Option<Attribution>,
}

impl Diff {
    /// How many initiatives were (added, removed, changed).
    pub fn initiative_counts(&self) -> (usize, usize, usize) {
        let n = |status: Status| {
            self.changes
                .iter()
                .filter(|c| c.subject == Subject::Initiative && c.status == status)
                .count()
        };
        (n(Status::Added), n(Status::Removed), n(Status::Changed))
    }
}

/// Compares OLD and NEW, plans both and attributes the objective's change.
pub fn diff(
    old: &Scenario,
    new: &Scenario,
    options: &PlanOptions,
    progress: &dyn Progress,
) -> Result<Diff, Error> {
    diff_plans(old, new, None, options, progress)
}

/// As [`diff`], with NEW's plan already solved with `options` (the report's main plan).
pub fn diff_with_plan(
    old: &Scenario,
    new: &Scenario,
    new_plan: Result<Plan, Error>,
    options: &PlanOptions,
    progress: &dyn Progress,
) -> Result<Diff, Error> {
    diff_plans(old, new, Some(new_plan), options, progress)
}

/// Solves `scenarios` with `options` in their order, side by side on the run's threads when
/// the backend allows it (see [`PlanOptions::side_by_side`]).
fn solve_side_by_side(
    scenarios: &[&Scenario],
    options: &PlanOptions,
    progress: &dyn Progress,
) -> Vec<Result<Plan, Error>> {
    let (at_once, options) = options.side_by_side(scenarios.len());
    let solve = |s: &&Scenario| {
        let plan = solve_plan(s, &options);
        progress.advance(1);
        plan
    };
    if at_once > 1 {
        scenarios.par_iter().map(solve).collect()
    } else {
        scenarios.iter().map(solve).collect()
    }
}

fn diff_plans(
    old: &Scenario,
    new: &Scenario,
    new_plan: Option<Result<Plan, Error>>,
    options: &PlanOptions,
    progress: &dyn Progress,
) -> Result<Diff, Error> {
    let changes = compare(old, new);
    let movers: Vec<&Change> = changes.iter().filter(|c| c.affects_plan()).collect();
    // One step per plan solved here: OLD, NEW unless it came solved, and each change alone.
    let n_plans = 1 + usize::from(new_plan.is_none()) + movers.len();
    progress.start("planning the changes", n_plans as u64);
    let settle = |plan: Result<Plan, Error>| match plan {
        Ok(plan) => Ok(Ok(plan)),
        Err(Error::Infeasible { conflicts }) => Ok(Err(infeasible_note(&conflicts))),
        Err(Error::Internal(message)) => Ok(Err(format!("the planner failed: {message}"))),
        Err(other) => Err(other),
    };
    let unplanned = || Error::Internal("a scenario of the diff was not planned".into());
    // OLD and NEW first (side by side when NEW is not solved yet); the changes alone only when
    // both have a plan.
    let first: Vec<&Scenario> = if new_plan.is_none() {
        vec![old, new]
    } else {
        vec![old]
    };
    let mut solved = solve_side_by_side(&first, options, progress).into_iter();
    let old_plan = settle(solved.next().ok_or_else(unplanned)?)?;
    let new_plan = settle(match new_plan {
        Some(plan) => plan,
        None => solved.next().ok_or_else(unplanned)?,
    })?;
    let side = |s: &Scenario, p: &Result<Plan, String>| Side {
        file: s.source.display().to_string(),
        name: s.name.clone(),
        plan: p.as_ref().ok().map(PlanSummary::of),
        plan_note: p.as_ref().err().cloned(),
    };
    let mut out = Diff {
        old: side(old, &old_plan),
        new: side(new, &new_plan),
        moved: Vec::new(),
        attribution: None,
        changes: Vec::new(),
    };
    if let (Ok(a), Ok(b)) = (&old_plan, &new_plan) {
        out.moved = moved(old, a, new, b);
        let mut parts = Vec::new();
        let mut unattributed = Vec::new();
        let mut max_gap = a.gap.max(b.gap);
        let variants: Vec<Result<Scenario, String>> = movers
            .iter()
            .map(|change| apply(old, new, change))
            .collect();
        let solvable: Vec<&Scenario> = variants.iter().filter_map(|v| v.as_ref().ok()).collect();
        let mut solved = solve_side_by_side(&solvable, options, progress).into_iter();
        for (change, variant) in movers.iter().zip(&variants) {
            let alone = match variant {
                Ok(_) => settle(solved.next().ok_or_else(unplanned)?)?,
                Err(reason) => {
                    progress.advance(1);
                    Err(format!("it cannot be applied alone: {reason}"))
                }
            };
            match alone {
                Ok(p) => {
                    max_gap = max_gap.max(p.gap);
                    parts.push(Step {
                        change: variant::label(old, new, change),
                        subject: change.subject,
                        id: change.id.clone(),
                        delta: p.objective - a.objective,
                    });
                }
                Err(reason) => unattributed.push(Unattributed {
                    change: change.label(),
                    subject: change.subject,
                    id: change.id.clone(),
                    reason: reason.replace("the plan is infeasible", "alone, it leaves no plan"),
                }),
            }
        }
        out.attribution = Some(waterfall(
            a.objective,
            b.objective,
            parts,
            unattributed,
            max_gap,
        ));
    } else {
        // Without both plans there is nothing to attribute; the changes are still listed.
        for _ in &movers {
            progress.advance(1);
        }
    }
    progress.finish();
    out.changes = changes;
    Ok(out)
}

/// Sorts the parts by size and closes the waterfall with other changes and the interaction.
pub fn waterfall(
    old_objective: f64,
    new_objective: f64,
    mut parts: Vec<Step>,
    unattributed: Vec<Unattributed>,
    max_gap: f64,
) -> Attribution {
    let total = new_objective - old_objective;
    // Largest first; equal sizes keep the order of the changes (a stable sort).
    parts.sort_by(|x, y| y.delta.abs().total_cmp(&x.delta.abs()));
    let sum: f64 = parts.iter().map(|s| s.delta).sum();
    let rest = if parts.len() > WATERFALL_STEPS {
        parts.split_off(WATERFALL_STEPS)
    } else {
        Vec::new()
    };
    let other_changes = (!rest.is_empty()).then(|| OtherChanges {
        count: rest.len(),
        delta: rest.iter().map(|s| s.delta).sum(),
        steps: rest,
    });
    Attribution {
        old_objective,
        new_objective,
        total,
        steps: parts,
        other_changes,
        interaction: total - sum,
        unattributed,
        max_gap,
    }
}

fn placement(plan: &Plan, k: usize) -> Placement {
    let p = &plan.initiatives[k];
    Placement {
        bucket: p.bucket,
        start: p.start,
        delivery: p.delivery,
    }
}

/// Items in both plans whose bucket or delivery differs, in OLD's order, then removed and
/// added items.
fn moved(old: &Scenario, a: &Plan, new: &Scenario, b: &Plan) -> Vec<Moved> {
    let mut out = Vec::new();
    let mut removed = Vec::new();
    for (k, item) in old.initiatives.iter().enumerate() {
        let before = placement(a, k);
        match new.initiatives.iter().position(|n| n.id == item.id) {
            Some(m) => {
                let after = placement(b, m);
                if before.bucket != after.bucket || before.delivery != after.delivery {
                    out.push(Moved {
                        id: item.id.clone(),
                        name: new.initiatives[m].name.clone(),
                        old: Some(before),
                        new: Some(after),
                    });
                }
            }
            None => removed.push(Moved {
                id: item.id.clone(),
                name: item.name.clone(),
                old: Some(before),
                new: None,
            }),
        }
    }
    out.extend(removed);
    for (m, item) in new.initiatives.iter().enumerate() {
        if !old.initiatives.iter().any(|o| o.id == item.id) {
            out.push(Moved {
                id: item.id.clone(),
                name: item.name.clone(),
                old: None,
                new: Some(placement(b, m)),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(id: &str, delta: f64) -> Step {
        Step {
            change: id.into(),
            subject: Subject::Initiative,
            id: id.into(),
            delta,
        }
    }

    #[test]
    fn the_waterfall_sums_to_the_total_with_the_largest_first() {
        let parts: Vec<Step> = (0..15)
            .map(|k| step(&format!("i{k}"), k as f64 - 7.0))
            .collect();
        let w = waterfall(100.0, 90.0, parts, Vec::new(), 0.0);
        assert_eq!(w.steps.len(), WATERFALL_STEPS);
        // Equal sizes keep the changes' order: −7 (the first change) before +7 (the last).
        assert_eq!(w.steps[0].delta, -7.0);
        assert_eq!(w.steps[1].delta, 7.0);
        let other = w.other_changes.as_ref().unwrap();
        assert_eq!(other.count, 3);
        let sum: f64 = w.bars().iter().map(|(_, d)| d).sum();
        assert!((sum - w.total).abs() < 1e-9);
        assert_eq!(w.total, -10.0);
        // Σ parts = Σ (k − 7) for k in 0..15 = 0, so the interaction is the whole total.
        assert!((w.interaction + 10.0).abs() < 1e-9);
    }

    /// The plans are solved side by side on the run's threads; the diff is the same on one
    /// thread and on two (the planner's work limits, not the clock, bound each plan).
    #[test]
    fn the_diff_does_not_depend_on_the_thread_count() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let old =
            crate::scenario::load_scenario(&root.join("last-review/oauth-vs-enterprise.toml"))
                .unwrap();
        let new = crate::scenario::load_scenario(&root.join("oauth-vs-enterprise.toml")).unwrap();
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let d = pool
                .install(|| {
                    diff(
                        &old,
                        &new,
                        &PlanOptions::default(),
                        &crate::progress::Silent,
                    )
                })
                .unwrap();
            serde_json::to_string(&d).unwrap()
        };
        let one = on(1);
        assert!(one.contains("\"attribution\":{"), "{one}");
        assert_eq!(one, on(2));
    }
}
