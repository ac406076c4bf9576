//! Checks across the whole scenario, once every section is read: unique initiative ids, ids
//! resolved to indices (with a suggestion for a typo), dependency cycles, the pre-check that each
//! hard deadline or commitment fits the capacity, and the warnings a valid scenario carries.

use std::collections::HashMap;
use std::path::Path;

use super::fields::quoted;
use super::load::{Draft, Loader};
use super::model::*;
use super::sections::Header;
use crate::number::{as_written, count, fixed, plain};

impl Loader {
    pub(super) fn check_ids(&mut self, drafts: &[Draft]) -> HashMap<String, usize> {
        let mut ids: HashMap<String, usize> = HashMap::new();
        for (k, d) in drafts.iter().enumerate() {
            let id = &d.initiative.id;
            if let Some(&first) = ids.get(id) {
                let f = &drafts[first];
                let message = format!(
                    "expected a unique id, found {} again (first in {} line {})",
                    quoted(id),
                    file_name(&f.file),
                    f.id_line
                );
                let file = d.file.clone();
                self.error(&file, Some(d.id_line), &d.field("id"), message, None);
            } else {
                ids.insert(id.clone(), k);
            }
        }
        ids
    }

    pub(super) fn resolve<'a>(
        &mut self,
        drafts: impl Iterator<Item = &'a Draft>,
        ids: &HashMap<String, usize>,
        objective_ids: &HashMap<&str, usize>,
    ) -> Option<Vec<Initiative>> {
        let mut out = Vec::new();
        let mut ok = true;
        for d in drafts {
            let mut initiative = d.initiative.clone();
            for (req, line) in &d.requires {
                match ids.get(req) {
                    Some(&j) if *req == initiative.id => {
                        let _ = j;
                        self.error(d.file_for("requires"), Some(*line), &d.field("requires"), format!("expected the ids of other initiatives, found `{}` requiring itself", initiative.id), None);
                        ok = false;
                    }
                    Some(&j) => {
                        if !initiative.requires.contains(&j) {
                            initiative.requires.push(j);
                        }
                    }
                    // Already reported for its own fields.
                    None if self.refused_initiatives.contains(req) => ok = false,
                    None => {
                        self.error(
                            d.file_for("requires"),
                            Some(*line),
                            &d.field("requires"),
                            format!(
                                "expected the id of an initiative, found {} (no initiative has it)",
                                quoted(req)
                            ),
                            closest_id(req, ids.keys().map(String::as_str)),
                        );
                        ok = false;
                    }
                }
            }
            for (obj, line) in &d.objectives {
                match objective_ids.get(obj.as_str()) {
                    Some(&j) => {
                        if !initiative.objectives.contains(&j) {
                            initiative.objectives.push(j);
                        }
                    }
                    // Already reported for its own fields.
                    None if self.refused_objectives.contains(obj) => ok = false,
                    None => {
                        let hint = if objective_ids.is_empty() {
                            Some("define it in an [[objective]] table with this id".into())
                        } else {
                            closest_id(obj, objective_ids.keys().copied())
                        };
                        self.error(
                            d.file_for("objectives"),
                            Some(*line),
                            &d.field("objectives"),
                            format!("expected the id of an [[objective]], found {}", quoted(obj)),
                            hint,
                        );
                        ok = false;
                    }
                }
            }
            out.push(initiative);
        }
        ok.then_some(out)
    }

    /// A dependency cycle is an error that names its members in order.
    pub(super) fn check_cycles(&mut self, drafts: &[Draft], initiatives: &[Initiative]) {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Open,
            Done,
        }
        let n = initiatives.len();
        let mut mark = vec![Mark::New; n];
        let mut reported = vec![false; n];
        for root in 0..n {
            if mark[root] != Mark::New {
                continue;
            }
            // Iterative depth-first search: (node, next child index).
            let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
            mark[root] = Mark::Open;
            while let Some(&mut (node, ref mut child)) = stack.last_mut() {
                if let Some(&next) = initiatives[node].requires.get(*child) {
                    *child += 1;
                    match mark[next] {
                        Mark::New => {
                            mark[next] = Mark::Open;
                            stack.push((next, 0));
                        }
                        Mark::Open => {
                            let pos = stack.iter().position(|&(k, _)| k == next).unwrap_or(0);
                            let members: Vec<usize> =
                                stack[pos..].iter().map(|&(k, _)| k).collect();
                            if members.iter().all(|&k| !reported[k]) {
                                for &k in &members {
                                    reported[k] = true;
                                }
                                let mut names: Vec<&str> = members
                                    .iter()
                                    .map(|&k| initiatives[k].id.as_str())
                                    .collect();
                                names.push(initiatives[next].id.as_str());
                                let d = &drafts[next];
                                let (file, line, field) =
                                    (d.file.clone(), d.id_line, d.field("requires"));
                                self.error(
                                    &file,
                                    Some(line),
                                    &field,
                                    format!(
                                        "expected dependencies without cycles, found the cycle {}",
                                        names.join(" → ")
                                    ),
                                    Some("remove one of these `requires` links".into()),
                                );
                            }
                        }
                        Mark::Done => {}
                    }
                } else {
                    mark[node] = Mark::Done;
                    stack.pop();
                }
            }
        }
    }

    /// Resolves each item's `owner` or `split` to team indices: required with teams, refused
    /// without. A team in `refused_teams` was already reported for its own fields, so the items
    /// that name it are not. False when anything was wrong.
    pub(super) fn resolve_teams(
        &mut self,
        drafts: &[Draft],
        initiatives: &mut [Initiative],
        teams: &[Team],
        has_teams: bool,
    ) -> bool {
        let mut ok = true;
        for (d, initiative) in drafts.iter().zip(initiatives.iter_mut()) {
            match (&d.teams, has_teams) {
                (None, false) => {}
                (None, true) => {
                    let example = teams.first().map_or("payments", |t| t.id.as_str());
                    self.error(
                        &d.file,
                        Some(d.id_line),
                        "initiative.owner",
                        format!(
                            "expected `owner` or `split` naming the teams that do `{}` (the scenario has [[team]] tables), found neither",
                            initiative.id
                        ),
                        Some(format!("for example owner = \"{example}\", or split = {{ {example} = 0.5, … }}")),
                    );
                    ok = false;
                }
                (Some(written), false) => {
                    let key = written.key;
                    self.error(
                        d.file_for(key),
                        Some(written.line),
                        &format!("initiative.{key}"),
                        format!("expected no `{key}` without [[team]] tables, found one"),
                        Some("add [[team]] tables with id and per_period, or remove it".into()),
                    );
                    ok = false;
                }
                (Some(written), true) => {
                    let (line, key) = (written.line, written.key);
                    for (id, share) in &written.shares {
                        match teams.iter().position(|t| t.id == *id) {
                            Some(j) => initiative.split.push((j, *share)),
                            // Already reported for its own fields.
                            None if self.refused_teams.contains(id) => ok = false,
                            None => {
                                self.error(
                                    d.file_for(key),
                                    Some(line),
                                    &format!("initiative.{key}"),
                                    format!("expected the id of a [[team]], found {}", quoted(id)),
                                    closest_id(id, teams.iter().map(|t| t.id.as_str())),
                                );
                                ok = false;
                            }
                        }
                    }
                }
            }
        }
        ok
    }

    /// A hard deadline or commitment that cannot be met even with all the capacity (with teams,
    /// all of each of its teams' capacity for its share).
    pub(super) fn precheck_deadlines(
        &mut self,
        drafts: &[Draft],
        header: &Header,
        capacity: &Capacity,
        teams: &[Team],
        initiatives: &[Initiative],
    ) {
        for (d, resolved) in drafts.iter().zip(initiatives) {
            let i = &d.initiative;
            let pools: Vec<Option<(&Team, f64)>> = if teams.is_empty() {
                vec![None]
            } else {
                resolved
                    .split
                    .iter()
                    .map(|&(j, share)| Some((&teams[j], share)))
                    .collect()
            };
            let checks = [
                i.deadline
                    .filter(Deadline::is_hard)
                    .map(|dl| (dl.period(), "deadline", d.deadline_line)),
                i.commit
                    .then_some((header.periods, "commit", d.commit_line)),
            ];
            for ((k, what, line), pool) in checks
                .into_iter()
                .flatten()
                .flat_map(|check| pools.iter().map(move |pool| (check, *pool)))
            {
                if let Some(message) = deadline_shortfall(i, k, what, header, capacity, pool) {
                    let field = format!("initiative.{what}");
                    self.error(
                        d.file_for(what),
                        Some(line),
                        &field,
                        message,
                        Some(deadline_hint(i, what)),
                    );
                }
            }
        }
    }
}

/// The deadline pre-check's terms for periods 1..=k: each period's allocatable capacity
/// C_t (1 − buffer) beside `limit`, the item's team limit for this pool's share. The most that
/// fits by then is [`fits`] of them.
pub(super) fn deadline_terms(
    per_period: &[f64],
    buffer: f64,
    limit: f64,
    k: usize,
) -> Vec<(f64, f64)> {
    per_period[..k]
        .iter()
        .map(|c| (c * (1.0 - buffer), limit))
        .collect()
}

/// Σ min(allocatable, limit) over the terms of [`deadline_terms`].
pub(super) fn fits(terms: &[(f64, f64)]) -> f64 {
    terms.iter().map(|(a, b)| a.min(*b)).sum()
}

/// The arithmetic of the deadline pre-check, or None when the work fits.
fn deadline_shortfall(
    i: &Initiative,
    k: usize,
    what: &str,
    header: &Header,
    capacity: &Capacity,
    pool: Option<(&Team, f64)>,
) -> Option<String> {
    let share = pool.map_or(1.0, |(_, share)| share);
    let per_period = pool.map_or(&capacity.per_period, |(team, _)| &team.per_period);
    let need = i.remaining_effort_mean() * share;
    let team_cap = i.team_limit_weeks(header.weeks_per_period) * share;
    let terms = deadline_terms(per_period, capacity.buffer, team_cap, k);
    let fit = fits(&terms);
    // Work of any size on a pool that has no room by then never moves (a split item advances
    // in lockstep), so no tolerance applies.
    if need <= fit * (1.0 + 1e-9) + 1e-9 && (fit > 0.0 || need <= 0.0) {
        return None;
    }
    // A share too small to show with two decimals is written as it is, never as `0`.
    let plain = |x: f64| {
        if x > 0.0 && x < 0.005 {
            as_written(x)
        } else {
            plain(x)
        }
    };
    let sum = if terms.len() <= 4 {
        let parts: Vec<String> = terms
            .iter()
            .map(|(a, b)| {
                if b.is_finite() {
                    format!("min({}, {})", plain(*a), plain(*b))
                } else {
                    plain(*a)
                }
            })
            .collect();
        format!("{} = {}", parts.join(" + "), plain(fit))
    } else {
        format!(
            "Σ over periods 1..{k} of min(allocatable, team limit) = {}",
            plain(fit)
        )
    };
    let effort = match (i.progress > 0.0, pool) {
        (true, None) => format!(
            "{} × (1 − progress {}) = {}",
            plain(i.effort.mean()),
            as_written(i.progress),
            plain(need)
        ),
        (false, None) => plain(need),
        (_, Some(_)) => format!(
            "{} × share {} = {}",
            plain(i.remaining_effort_mean()),
            as_written(share),
            plain(need)
        ),
    };
    let whose = pool.map_or("it".to_string(), |(team, _)| {
        format!("its share for team `{}`", team.id)
    });
    let team = match i.team {
        Some(t) => format!(
            " (team = {}, weeks_per_period = {}, buffer = {})",
            as_written(t),
            as_written(header.weeks_per_period),
            as_written(capacity.buffer)
        ),
        None => format!(" (buffer = {})", as_written(capacity.buffer)),
    };
    let by = if what == "commit" {
        format!("within the horizon ({k} periods, commit = true)")
    } else {
        format!("by the end of period {k} (hard deadline)")
    };
    Some(format!(
        "`{}` must be delivered {by}, but {whose} needs {effort} engineer-weeks and at most {sum} fit by then{team}",
        i.id
    ))
}

fn deadline_hint(i: &Initiative, what: &str) -> String {
    let mut options = vec!["a later deadline".to_string()];
    if i.team.is_some() {
        options.push("a larger team".into());
    }
    options.push("less effort".into());
    if what == "deadline" {
        options.push("a soft deadline { period, penalty }".into());
    }
    format!("consider {}", options.join(", "))
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// The known id nearest to `id` by edit distance, when it is close enough to be a typo.
pub(super) fn closest_id<'a>(id: &str, known: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut best: Option<(usize, &str)> = None;
    for k in known {
        let d = strsim::levenshtein(id, k);
        if d <= 2.max(k.len() / 4) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, k));
        }
    }
    best.map(|(_, k)| format!("did you mean {}?", quoted(k)))
}

/// Warnings: unlinked initiatives, initiatives worth nothing, a heavily overcommitted roadmap.
pub(super) fn warnings(s: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    if !s.objectives.is_empty() {
        let unlinked: Vec<&str> = s
            .initiatives
            .iter()
            .filter(|i| i.objectives.is_empty())
            .map(|i| i.id.as_str())
            .collect();
        if !unlinked.is_empty() {
            out.push(format!(
                "{} initiative(s) linked to no objective: {}",
                count(unlinked.len()),
                list_ids(&unlinked)
            ));
        }
    }
    let worthless: Vec<&str> = s
        .initiatives
        .iter()
        .filter(|i| {
            i.value == Estimate::ZERO && i.one_time_value == Estimate::ZERO && i.risk.is_none()
        })
        .map(|i| i.id.as_str())
        .collect();
    if !worthless.is_empty() {
        out.push(format!(
            "{} initiative(s) with neither value, one-time value nor risk (the planner has no reason to do them): {}",
            count(worthless.len()),
            list_ids(&worthless)
        ));
    }
    let effort: f64 = s
        .initiatives
        .iter()
        .map(Initiative::remaining_effort_mean)
        .sum();
    let capacity = s.total_allocatable();
    if effort > 2.0 * capacity {
        out.push(format!(
            "the roadmap needs {} engineer-weeks (mean) but the horizon has {} allocatable: {}× overcommitted",
            plain(effort),
            plain(capacity),
            fixed(if capacity > 0.0 { effort / capacity } else { f64::INFINITY }, 1)
        ));
    }
    out
}

fn list_ids(ids: &[&str]) -> String {
    const SHOW: usize = 8;
    let mut text = ids
        .iter()
        .take(SHOW)
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > SHOW {
        text.push_str(&format!(" and {} more", count(ids.len() - SHOW)));
    }
    text
}
