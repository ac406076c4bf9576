//! OLD with one change of NEW applied alone: the scenario the attribution re-plans.
//!
//! Ids tie the two scenarios together: an item taken from NEW has its prerequisites, objectives
//! and teams found again by id in OLD. A prerequisite or objective that only NEW has is left out
//! (the change that adds it is attributed on its own); a team that only NEW has, a horizon whose
//! capacity cannot be carried over, or a result that breaks a rule of the scenario format makes
//! the change one that cannot stand alone, and the reason is returned.

use super::compare::{Change, Status, Subject};
use crate::scenario::{Initiative, Scenario};

/// Why a capacity list for NEW's horizon has no step of its own: the `scenario` change, which
/// brings NEW's horizon, brings the lists with it (its label says so, see [`label`]).
const NEW_HORIZON_CAPACITY: &str = "its capacity list is for the new horizon, so it comes with \
                                    the horizon: its effect is in the `scenario` step";

/// The waterfall's name for `change` applied alone: its own label, and for a new horizon the
/// capacity lists that come with it.
pub fn label(old: &Scenario, new: &Scenario, change: &Change) -> String {
    let own = change.label();
    if change.subject == Subject::Section && change.id == "scenario" && old.periods != new.periods {
        format!("{own}, with the new capacity lists")
    } else if capacity_left_out(old, new, change).is_some() {
        let fields: Vec<&str> = change
            .fields
            .iter()
            .map(|f| f.field.as_str())
            .filter(|f| *f != "per_period")
            .collect();
        format!("capacity: {} (not per_period)", fields.join(", "))
    } else {
        own
    }
}

/// Why the `capacity` section's `per_period` cannot be applied alone, if it changed and
/// cannot: teams on one side only, or another horizon.
fn capacity_left_out(old: &Scenario, new: &Scenario, change: &Change) -> Option<&'static str> {
    let is_capacity = change.subject == Subject::Section && change.id == "capacity";
    if !is_capacity || !change.fields.iter().any(|f| f.field == "per_period") {
        return None;
    }
    if old.teams.is_empty() != new.teams.is_empty() {
        Some("one scenario has teams and the other has none: the capacity comes and goes with the teams")
    } else if old.periods != new.periods {
        Some(NEW_HORIZON_CAPACITY)
    } else {
        None
    }
}

/// OLD with `change` applied alone, or why it cannot be.
pub fn apply(old: &Scenario, new: &Scenario, change: &Change) -> Result<Scenario, String> {
    let mut v = old.clone();
    match (change.subject, change.status) {
        (Subject::Initiative, Status::Changed) => {
            let k = position(&old.initiatives, &change.id)?;
            let item = translate(
                new,
                &new.initiatives[position(&new.initiatives, &change.id)?],
                &v,
            )?;
            v.initiatives[k] = item;
        }
        (Subject::Initiative, Status::Added) => {
            let item = translate(
                new,
                &new.initiatives[position(&new.initiatives, &change.id)?],
                &v,
            )?;
            v.initiatives.push(item);
        }
        (Subject::Initiative, Status::Removed) => {
            remove_item(&mut v, position(&old.initiatives, &change.id)?);
        }
        (Subject::Section, _) => match change.id.as_str() {
            "scenario" => scenario_section(&mut v, new)?,
            "capacity" => {
                let c = &new.capacity;
                // `per_period` alone cannot move here: with teams on one side only it comes
                // with the teams, and for another horizon with the `scenario` step. The rest
                // of the section still makes a step (its label says what it leaves out).
                if let Some(reason) = capacity_left_out(old, new, change) {
                    if !change
                        .fields
                        .iter()
                        .any(|f| f.field != "per_period" && f.affects_plan)
                    {
                        return Err(reason.into());
                    }
                } else if old.teams.is_empty() && new.teams.is_empty() && old.periods == new.periods
                {
                    v.capacity.per_period = c.per_period.clone();
                }
                v.capacity.buffer = c.buffer;
                v.capacity.stability_min = c.stability_min;
                v.capacity.stability_max = c.stability_max;
                v.capacity.noise = c.noise;
            }
            "debt" => v.debt = new.debt.clone(),
            _ => {}
        },
        (Subject::Team, status) => {
            if old.teams.is_empty() || new.teams.is_empty() {
                return Err(
                    "one scenario has teams and the other has none: every item's owner changes with it"
                        .into(),
                );
            }
            match status {
                Status::Changed => {
                    let team = &new.teams[new
                        .teams
                        .iter()
                        .position(|t| t.id == change.id)
                        .ok_or("gone")?];
                    let j = v
                        .teams
                        .iter()
                        .position(|t| t.id == change.id)
                        .ok_or("gone")?;
                    if team.per_period.len() != v.periods {
                        return Err(NEW_HORIZON_CAPACITY.into());
                    }
                    v.teams[j] = team.clone();
                }
                Status::Added => {
                    let team = &new.teams[new
                        .teams
                        .iter()
                        .position(|t| t.id == change.id)
                        .ok_or("gone")?];
                    if team.per_period.len() != v.periods {
                        return Err("its capacity list is for another horizon".into());
                    }
                    v.teams.push(team.clone());
                }
                Status::Removed => {
                    let j = v
                        .teams
                        .iter()
                        .position(|t| t.id == change.id)
                        .ok_or("gone")?;
                    if let Some(item) = v
                        .initiatives
                        .iter()
                        .find(|i| i.split.iter().any(|&(k, _)| k == j))
                    {
                        return Err(format!("`{}` still needs the team", item.id));
                    }
                    v.teams.remove(j);
                    for item in &mut v.initiatives {
                        for (k, _) in &mut item.split {
                            if *k > j {
                                *k -= 1;
                            }
                        }
                    }
                }
            }
            v.sum_team_capacity();
        }
    }
    consistent(&v)?;
    Ok(v)
}

fn position(items: &[Initiative], id: &str) -> Result<usize, String> {
    items
        .iter()
        .position(|i| i.id == id)
        .ok_or_else(|| format!("`{id}` is not in the scenario"))
}

/// NEW's item with its references found again by id in `into`.
fn translate(new: &Scenario, item: &Initiative, into: &Scenario) -> Result<Initiative, String> {
    let mut out = item.clone();
    out.requires = item
        .requires
        .iter()
        .filter_map(|&r| {
            let id = &new.initiatives[r].id;
            into.initiatives.iter().position(|i| &i.id == id)
        })
        .collect();
    out.objectives = item
        .objectives
        .iter()
        .filter_map(|&k| {
            let id = &new.objectives[k].id;
            into.objectives.iter().position(|o| &o.id == id)
        })
        .collect();
    out.split = item
        .split
        .iter()
        .map(|&(j, share)| {
            let id = &new.teams[j].id;
            into.teams
                .iter()
                .position(|t| &t.id == id)
                .map(|k| (k, share))
                .ok_or_else(|| format!("it names team `{id}`, which only the new scenario has"))
        })
        .collect::<Result<_, _>>()?;
    Ok(out)
}

/// Removes item `k`, and every reference to it (prerequisites, strategy orders).
fn remove_item(s: &mut Scenario, k: usize) {
    s.initiatives.remove(k);
    let reindex = |list: &mut Vec<usize>| {
        list.retain(|&i| i != k);
        for i in list.iter_mut() {
            if *i > k {
                *i -= 1;
            }
        }
    };
    for item in &mut s.initiatives {
        reindex(&mut item.requires);
    }
    for strategy in &mut s.strategies {
        reindex(&mut strategy.order);
    }
}

/// NEW's `[scenario]` settings; a new horizon brings NEW's capacity lists with it.
fn scenario_section(v: &mut Scenario, new: &Scenario) -> Result<(), String> {
    if v.periods != new.periods {
        if v.teams.is_empty() != new.teams.is_empty() {
            return Err("the horizon changes together with the teams".into());
        }
        if new.teams.is_empty() {
            v.capacity.per_period = new.capacity.per_period.clone();
        } else {
            for team in &mut v.teams {
                let Some(t) = new.teams.iter().find(|t| t.id == team.id) else {
                    return Err(format!(
                        "team `{}` has no capacity for the new horizon",
                        team.id
                    ));
                };
                team.per_period = t.per_period.clone();
            }
        }
    }
    v.periods = new.periods;
    v.period_label = new.period_label;
    v.labels = new.labels.clone();
    v.weeks_per_period = new.weeks_per_period;
    v.discount_rate = new.discount_rate;
    v.periods_per_year = new.periods_per_year;
    v.terminal_periods = new.terminal_periods;
    v.currency = new.currency.clone();
    if !v.teams.is_empty() {
        v.sum_team_capacity();
    }
    Ok(())
}

/// The rules of the scenario format a combination of OLD and NEW could break.
fn consistent(s: &Scenario) -> Result<(), String> {
    let t = s.periods;
    if s.capacity.per_period.len() != t || s.labels.len() != t {
        return Err("its capacity is for another horizon".into());
    }
    if s.capacity.buffer + s.capacity.stability_min > 1.0 {
        return Err("buffer + stability_share.min would exceed 1".into());
    }
    if s.capacity.stability_min > s.capacity.stability_max {
        return Err("stability_share.min would exceed its max".into());
    }
    for item in &s.initiatives {
        if let Some(d) = item.deadline {
            if d.period() > t {
                return Err(format!(
                    "`{}` would have its deadline (period {}) after the horizon ({t} periods)",
                    item.id,
                    d.period()
                ));
            }
        }
        if s.teams.is_empty() != item.split.is_empty() {
            return Err(format!(
                "`{}` would have no team, or a team without teams",
                item.id
            ));
        }
    }
    if let Some(cycle) = cycle(s) {
        return Err(format!(
            "the prerequisites would form a cycle through `{cycle}`"
        ));
    }
    Ok(())
}

/// An item on a dependency cycle, if any (depth-first search, colours 0 new, 1 open, 2 done).
fn cycle(s: &Scenario) -> Option<String> {
    fn visit(s: &Scenario, i: usize, colour: &mut [u8]) -> Option<usize> {
        colour[i] = 1;
        for &r in &s.initiatives[i].requires {
            match colour[r] {
                1 => return Some(r),
                0 => {
                    if let Some(c) = visit(s, r, colour) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        colour[i] = 2;
        None
    }
    let mut colour = vec![0u8; s.initiatives.len()];
    (0..s.initiatives.len())
        .find_map(|i| {
            if colour[i] == 0 {
                visit(s, i, &mut colour)
            } else {
                None
            }
        })
        .map(|i| s.initiatives[i].id.clone())
}
