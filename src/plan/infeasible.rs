//! Explains an infeasible scenario: which deadlines, commitments, dependency chains, team limits
//! or ring-fence bounds conflict, in the scenario's words.
//!
//! The conflict is found by relaxing constraint groups (a deletion filter): starting from every
//! group, a group is left out for good when the program stays infeasible without it. What
//! remains is a minimal set of groups that cannot hold together. Groups of items that no
//! deadline or commitment depends on never take part (such items can simply get no work), so
//! they are left out without a check.

use std::collections::BTreeSet;
use std::time::Instant;

use super::backend::{solve_milp, MilpLimits, SolveFailure};
use super::data::PlanData;
use super::heuristic::{construct, Replayer};
use super::model::{build_model, earliest_periods, Group};
use crate::scenario::Scenario;

/// The scenario's data with the groups in `relaxed` left out.
pub fn relax_data(data: &PlanData, relaxed: &BTreeSet<Group>) -> PlanData {
    let mut out = data.clone();
    for group in relaxed {
        match *group {
            Group::Deadline(i) => out.items[i].hard_deadline = None,
            Group::Commit(i) => out.items[i].commit = false,
            Group::Dependency(i, j) => out.items[i].requires.retain(|&r| r != j),
            Group::Team(i) => out.items[i].team_weeks = f64::INFINITY,
            Group::RingFenceMin => out.stability_min = 0.0,
            Group::RingFenceMax => out.stability_max = 1.0,
        }
    }
    out
}

/// Work for one feasibility check by branch and bound, in the planner's units (a node costs as
/// many as the program has free variables and rows): a node limit, so the explanation is the
/// same on every run.
const CHECK_WORK: f64 = 5e7;

/// Whether the program holds with `relaxed` left out; `None` when the check's node limit or the
/// `deadline` (a safety cap, at most 10 s per check) ran out undecided.
pub fn is_feasible(data: &PlanData, relaxed: &BTreeSet<Group>, deadline: Instant) -> Option<bool> {
    let data = relax_data(data, relaxed);
    let mut model = build_model(&data, &BTreeSet::new());
    if model.trivially_infeasible {
        return Some(false);
    }
    let replayer = Replayer::new(&data);
    if construct(&data, &replayer, None).is_some() {
        return Some(true);
    }
    // Pure feasibility: no objective, stop at the first integer point.
    model.objective.iter_mut().for_each(|c| *c = 0.0);
    let left = deadline
        .saturating_duration_since(Instant::now())
        .as_secs_f64();
    if left <= 0.0 {
        return None;
    }
    let size = model.size();
    let limits = MilpLimits {
        mip_gap: 1.0,
        nodes: ((CHECK_WORK / size.max(1) as f64) as u64).max(50),
        cap_secs: left.min(10.0),
    };
    match solve_milp(&model, None, limits) {
        Ok(answer) => Some(answer.values.is_some()),
        Err(SolveFailure::Infeasible) => Some(false),
        Err(_) => None,
    }
}

/// Every group present in the scenario that a deadline or commitment can depend on.
fn related_groups(data: &PlanData) -> Vec<Group> {
    let n = data.n_items();
    let t_end = data.n_periods;
    // Items with a hard deadline or commitment and everything they require, transitively.
    let mut related = vec![false; n];
    let mut stack: Vec<usize> = (0..n)
        .filter(|&i| data.items[i].hard_deadline.is_some() || data.items[i].commit)
        .collect();
    while let Some(i) = stack.pop() {
        if related[i] {
            continue;
        }
        related[i] = true;
        stack.extend(data.items[i].requires.iter().copied());
    }
    let mut groups = Vec::new();
    for (i, item) in data.items.iter().enumerate() {
        if item.hard_deadline.is_some_and(|k| k <= t_end) {
            groups.push(Group::Deadline(i));
        }
        if item.commit {
            groups.push(Group::Commit(i));
        }
    }
    for (i, item) in data.items.iter().enumerate() {
        if !related[i] {
            continue;
        }
        for &j in &item.requires {
            groups.push(Group::Dependency(i, j));
        }
        if item.team_weeks.is_finite() {
            groups.push(Group::Team(i));
        }
    }
    if data.stability_min > 0.0 {
        groups.push(Group::RingFenceMin);
    }
    if data.stability_max < 1.0 {
        groups.push(Group::RingFenceMax);
    }
    groups
}

/// All groups that exist in the scenario (relaxing every one always leaves a feasible program).
fn all_groups(data: &PlanData) -> BTreeSet<Group> {
    let mut out = BTreeSet::new();
    for (i, item) in data.items.iter().enumerate() {
        if item.hard_deadline.is_some() {
            out.insert(Group::Deadline(i));
        }
        if item.commit {
            out.insert(Group::Commit(i));
        }
        for &j in &item.requires {
            out.insert(Group::Dependency(i, j));
        }
        if item.team_weeks.is_finite() {
            out.insert(Group::Team(i));
        }
    }
    out.insert(Group::RingFenceMin);
    out.insert(Group::RingFenceMax);
    out
}

/// The most independent conflicts one explanation names.
const MAX_CONFLICTS: usize = 4;

/// Finds minimal sets of conflicting groups and explains each in the scenario's words.
///
/// After the first minimal conflict is found its groups are left out and the rest of the program
/// is checked again, so independent conflicts (two deadlines that each cannot be met) are all
/// named, up to [`MAX_CONFLICTS`]. Each conflict is described with every other group left out:
/// its numbers hold on their own.
pub fn explain(scenario: &Scenario, data: &PlanData, deadline: Instant) -> Vec<String> {
    let related: BTreeSet<Group> = related_groups(data).into_iter().collect();
    let all = all_groups(data);
    // Groups of conflicts already named, left out when looking for the next one.
    let mut named: BTreeSet<Group> = BTreeSet::new();
    let mut lines = Vec::new();
    for round in 0..MAX_CONFLICTS {
        if round > 0 && is_feasible(data, &named, deadline) != Some(false) {
            break;
        }
        let kept = minimal_conflict(data, &all, &related, &named, deadline);
        if kept.is_empty() {
            break;
        }
        // Describe the conflict on the program that holds only its own groups.
        let others: BTreeSet<Group> = all
            .iter()
            .chain(&related)
            .filter(|g| !kept.contains(g))
            .copied()
            .collect();
        let alone = relax_data(data, &others);
        // What must happen first, then what stands in the way.
        let mut shown = kept.clone();
        shown.sort_by_key(|g| match g {
            Group::Deadline(_) | Group::Commit(_) => 0,
            Group::Dependency(..) => 1,
            Group::Team(_) => 2,
            Group::RingFenceMin | Group::RingFenceMax => 3,
        });
        let mut described = describe(scenario, &alone, &shown);
        if round > 0 {
            if let Some(first) = described.first_mut() {
                *first = format!("independently, {first}");
            }
        }
        lines.extend(described);
        named.extend(kept);
    }
    if lines.is_empty() {
        return vec![
            "no plan meets every hard deadline, commitment, dependency, team limit and \
             ring-fence bound together"
                .to_string(),
        ];
    }
    lines
}

/// A deletion filter over the related groups not yet `named`: each is left out for good when the
/// program stays infeasible without it. Returns the groups that remain (empty when the program
/// without `named` is feasible or undecided).
fn minimal_conflict(
    data: &PlanData,
    all: &BTreeSet<Group>,
    related: &BTreeSet<Group>,
    named: &BTreeSet<Group>,
    deadline: Instant,
) -> Vec<Group> {
    // Start with every unrelated group relaxed: they cannot be part of a minimal conflict.
    let mut relaxed: BTreeSet<Group> = all.difference(related).copied().collect();
    relaxed.extend(named.iter().copied());
    // Try to leave out the groups that are least often the "cause" first, so the deadlines and
    // commitments a user set are what the message names.
    let mut order: Vec<Group> = related.difference(named).copied().collect();
    order.sort_by_key(|g| match g {
        Group::Team(_) => 0,
        Group::RingFenceMax => 1,
        Group::Dependency(..) => 2,
        Group::RingFenceMin => 3,
        Group::Commit(_) => 4,
        Group::Deadline(_) => 5,
    });
    let mut kept = Vec::new();
    for group in order {
        relaxed.insert(group);
        match is_feasible(data, &relaxed, deadline) {
            Some(false) => {} // still infeasible without it: not needed
            Some(true) | None => {
                relaxed.remove(&group);
                kept.push(group);
            }
        }
    }
    kept
}

/// A number for a message: integers without decimals, others with up to two (the one formatter's
/// [`crate::number::plain`], under the name the planner's messages call).
pub use crate::number::plain as fmt_num;

fn describe(scenario: &Scenario, data: &PlanData, groups: &[Group]) -> Vec<String> {
    let relaxed_none = BTreeSet::new();
    let (_, start) = earliest_periods(data, &relaxed_none, true);
    let total_relief: f64 = data.items.iter().map(|i| i.debt_relief).sum();
    let wpp = fmt_num(scenario.weeks_per_period);
    let id = |i: usize| format!("`{}`", scenario.initiatives[i].id);
    // The most of item i's effort that fits by the end of k on its own, with `relief` of the
    // drag lifted from the first period.
    let fits_by = |i: usize, k: usize, with_team: bool, relief: f64| -> f64 {
        let item = &data.items[i];
        let share = if item.stability {
            data.stability_max
        } else {
            1.0 - data.stability_min
        };
        (start[i]..=k.min(data.n_periods))
            .map(|t| {
                // Lockstep: the item's scarcest pool (team) sets how much of it fits.
                let pool_room = item
                    .shares
                    .iter()
                    .map(|&(j, share)| data.pool_allocatable[j][t - 1] / share)
                    .fold(f64::INFINITY, f64::min);
                let room = pool_room
                    * (1.0 - crate::economics::drag_after_relief(data.base_drag[t - 1], relief))
                    * share;
                if with_team {
                    room.min(item.team_weeks)
                } else {
                    room
                }
            })
            .sum()
    };
    let mut lines = Vec::new();
    let mut due_items = Vec::new();
    for group in groups {
        let line = match *group {
            Group::Deadline(i) | Group::Commit(i) => {
                let item = &data.items[i];
                let (k, what) = match *group {
                    Group::Deadline(_) => (item.hard_deadline.unwrap_or(data.n_periods), "deadline"),
                    _ => (data.n_periods, "commitment"),
                };
                due_items.push((i, k));
                let with_team = groups.contains(&Group::Team(i));
                let fits = fits_by(i, k, with_team, total_relief);
                // Fitting only with every item's debt relief from the first period is no
                // proof of fitting: that relief is work of its own.
                let bare = fits_by(i, k, with_team, 0.0);
                let mut line = format!(
                    "{} must be delivered by period {} ({}, {})",
                    id(i),
                    k,
                    scenario.label(k.clamp(1, data.n_periods)),
                    what
                );
                if fits + 1e-9 < item.effort_weeks {
                    line.push_str(&format!(
                        ", but it needs {} engineer-weeks and at most {} fit before then",
                        fmt_num(item.effort_weeks),
                        fmt_num(fits)
                    ));
                    if with_team {
                        if let Some(team) = scenario.initiatives[i].team {
                            line.push_str(&format!(
                                " (team = {}, weeks_per_period = {})",
                                fmt_num(team),
                                wpp
                            ));
                        }
                    }
                } else if bare + 1e-9 < item.effort_weeks {
                    line.push_str(&format!(
                        ", but it needs {} engineer-weeks and at most {} fit before then under \
                         the debt drag ({} only if all the scenario's debt relief applied from \
                         the first period, and that relief takes capacity of its own)",
                        fmt_num(item.effort_weeks),
                        fmt_num(bare),
                        fmt_num(fits)
                    ));
                } else {
                    line.push_str(&format!(
                        " and needs {} engineer-weeks",
                        fmt_num(item.effort_weeks)
                    ));
                }
                line
            }
            Group::Dependency(i, j) => format!(
                "{} requires {}, so its work starts only after {} is delivered (needs {} engineer-weeks)",
                id(i),
                id(j),
                id(j),
                fmt_num(data.items[j].effort_weeks)
            ),
            Group::Team(i) => match scenario.initiatives[i].team {
                Some(team) => format!(
                    "{} has team = {}: at most {} engineer-weeks per period (weeks_per_period = {})",
                    id(i),
                    fmt_num(team),
                    fmt_num(data.items[i].team_weeks),
                    wpp
                ),
                None => continue,
            },
            Group::RingFenceMin => format!(
                "the stability reserve (stability_share.min = {}) keeps that share of effective \
                 capacity away from product work",
                fmt_num(data.stability_min)
            ),
            Group::RingFenceMax => format!(
                "stability work gets at most stability_share.max = {} of effective capacity",
                fmt_num(data.stability_max)
            ),
        };
        lines.push(line);
    }
    if due_items.len() >= 2 {
        let k = due_items
            .iter()
            .map(|(_, k)| *k)
            .max()
            .unwrap_or(data.n_periods);
        let need: f64 = due_items
            .iter()
            .map(|(i, _)| data.items[*i].effort_weeks)
            .sum();
        let capacity: f64 = (1..=k.min(data.n_periods))
            .map(|t| {
                data.allocatable_weeks[t - 1]
                    * (1.0
                        - crate::economics::drag_after_relief(data.base_drag[t - 1], total_relief))
            })
            .sum();
        lines.push(format!(
            "together they need {} engineer-weeks by period {} and the effective capacity up to \
             then is {} engineer-weeks, shared by class and period",
            fmt_num(need),
            k,
            fmt_num(capacity)
        ));
    }
    lines.extend(team_shortfalls(scenario, data, &due_items, total_relief));
    lines
}

/// With teams: each team whose share of the due items needs more than its effective capacity
/// by their latest due period ("`platform` has 26 engineer-weeks by 2027-Q2; `sso` and
/// `audit-log` need 40 of them").
fn team_shortfalls(
    scenario: &Scenario,
    data: &PlanData,
    due_items: &[(usize, usize)],
    total_relief: f64,
) -> Vec<String> {
    let mut lines = Vec::new();
    for (j, team) in scenario.teams.iter().enumerate() {
        let parts: Vec<(usize, usize, f64)> = due_items
            .iter()
            .filter_map(|&(i, k)| {
                let (_, share) = data.items[i].shares.iter().find(|(p, _)| *p == j)?;
                Some((i, k, data.items[i].effort_weeks * share))
            })
            .collect();
        let Some(k) = parts.iter().map(|(_, k, _)| *k).max() else {
            continue;
        };
        let k = k.clamp(1, data.n_periods);
        let has_with = |relief: f64| -> f64 {
            (1..=k)
                .map(|t| {
                    data.pool_allocatable[j][t - 1]
                        * (1.0 - crate::economics::drag_after_relief(data.base_drag[t - 1], relief))
                })
                .sum()
        };
        let (has, bare) = (has_with(total_relief), has_with(0.0));
        // All its due work against all its capacity, then each class against its ring-fence.
        let classes = [
            (None, 1.0, "effective capacity"),
            (
                Some(true),
                data.stability_max,
                "capacity for stability work (stability_share.max)",
            ),
            (
                Some(false),
                1.0 - data.stability_min,
                "capacity for product work (after stability_share.min)",
            ),
        ];
        let short = |class: Option<bool>, share: f64, room: f64| {
            let members: Vec<&(usize, usize, f64)> = parts
                .iter()
                .filter(|(i, _, _)| class.is_none_or(|s| data.items[*i].stability == s))
                .collect();
            let need: f64 = members.iter().map(|(_, _, w)| w).sum();
            (!members.is_empty() && need > share * room * (1.0 + 1e-9)).then_some((members, need))
        };
        // A class short even with every item's relief from the first period is a sure cause;
        // only when there is none, the first one short under the drag alone.
        let found = [(has, false), (bare, true)]
            .iter()
            .find_map(|&(room, under_drag)| {
                classes.iter().find_map(|&(class, share, what)| {
                    short(class, share, room).map(|m| (m, share, what, under_drag))
                })
            });
        if let Some(((members, need), share, what, under_drag)) = found {
            let (room, drag_note) = if under_drag {
                (
                    share * bare,
                    format!(
                        " under the debt drag ({} only if all the scenario's debt relief applied \
                         from the first period)",
                        fmt_num(share * has)
                    ),
                )
            } else {
                (share * has, String::new())
            };
            let ids: Vec<String> = members
                .iter()
                .map(|(i, _, _)| format!("`{}`", scenario.initiatives[*i].id))
                .collect();
            let ids = match ids.len() {
                1 => ids[0].clone(),
                n => format!("{} and {}", ids[..n - 1].join(", "), ids[n - 1]),
            };
            let verb = if members.len() == 1 { "needs" } else { "need" };
            lines.push(format!(
                "team `{}` has {} engineer-weeks of {what} by the end of {}{drag_note}; {} {verb} \
                 {} of them",
                team.id,
                fmt_num(room),
                scenario.label(k),
                ids,
                fmt_num(need)
            ));
        }
    }
    lines
}
