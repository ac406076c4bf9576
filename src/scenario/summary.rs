//! The numbers `tradeoff validate` shows: initiatives by kind and class, mean remaining effort
//! against allocatable capacity, the longest dependency chain, deadlines and commitments.

use serde::Serialize;

use super::checks::{deadline_terms, fits};
use super::model::{Class, Deadline, Kind, Scenario};

/// A short description of a scenario for a leader's first look.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub name: String,
    pub periods: usize,
    pub first_period: String,
    pub last_period: String,
    pub currency: String,
    pub initiatives: usize,
    /// (kind, count), every kind present.
    pub by_kind: Vec<(Kind, usize)>,
    /// (class, count).
    pub by_class: Vec<(Class, usize)>,
    /// Σ mean remaining effort, engineer-weeks.
    pub effort_weeks: f64,
    /// Σ_t A_t = Σ_t C_t (1 − buffer), engineer-weeks.
    pub allocatable_weeks: f64,
    /// Σ_t A_t (1 − base drag), the capacity left if no debt is paid down.
    pub effective_weeks: f64,
    /// effort / allocatable.
    pub overcommitment: f64,
    /// The longest chain of `requires`, first prerequisite first.
    pub longest_chain: Vec<String>,
    pub deadlines: Vec<DeadlineLine>,
    /// With teams: each team's demand against its capacity, in `[[team]]` order.
    pub teams: Vec<TeamLine>,
    pub warnings: Vec<String>,
}

/// One team's share of the work against its allocatable capacity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamLine {
    pub id: String,
    pub name: String,
    /// Σ_i σ_ij × mean remaining effort of the items it works on.
    pub effort_weeks: f64,
    /// Σ_t C_jt (1 − buffer).
    pub allocatable_weeks: f64,
}

/// A deadline or commitment, with how much of the capacity before it the item would need.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeadlineLine {
    pub id: String,
    /// "hard", "soft" or "commit".
    pub kind: &'static str,
    pub period: usize,
    pub label: String,
    pub penalty: Option<f64>,
    pub effort_weeks: f64,
    /// Σ_{t ≤ period} min(A_t, team × weeks_per_period): the most that could be done by then.
    /// With teams, each of its teams' A_jt and its share σ_j of the team limit, divided by σ_j:
    /// the least over its teams of the effort their capacity could carry by then.
    pub max_weeks_by_then: f64,
    /// For an item split over teams, the team whose share is tightest by then (none when its
    /// teams tie, e.g. when the item's own `team` limit is what binds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
}

/// Summarises a validated scenario.
pub fn summarize(s: &Scenario) -> Summary {
    let by_kind = Kind::ALL
        .into_iter()
        .map(|k| (k, s.initiatives.iter().filter(|i| i.kind == k).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    let by_class = [Class::Product, Class::Stability]
        .into_iter()
        .map(|c| (c, s.initiatives.iter().filter(|i| i.class == c).count()))
        .collect();
    // Folded from +0: `sum()` of no floats is −0, which would print as "-0.00×".
    let effort_weeks: f64 = s
        .initiatives
        .iter()
        .map(|i| i.remaining_effort_mean())
        .fold(0.0, |acc, e| acc + e);
    let allocatable_weeks = s.total_allocatable();
    let effective_weeks = (1..=s.periods)
        .map(|t| s.allocatable(t) * (1.0 - s.debt.base_drag(t, s.debt.growth.mean()).max(0.0)))
        .sum();
    let mut deadlines = Vec::new();
    for i in &s.initiatives {
        let team_cap = i.team_limit_weeks(s.weeks_per_period);
        // The loader's pre-check, pool by pool for the item's share.
        let by_team = |k: usize, (pool, share): (usize, f64)| -> f64 {
            let per_period = s
                .teams
                .get(pool)
                .map_or(&s.capacity.per_period, |t| &t.per_period);
            let terms = deadline_terms(per_period, s.capacity.buffer, team_cap * share, k);
            fits(&terms) / share
        };
        let mut push = |kind, period: usize, penalty| {
            let fits: Vec<(f64, usize)> = s
                .shares(i)
                .iter()
                .map(|&pool| (by_team(period, pool), pool.0))
                .collect();
            let max_weeks_by_then = fits.iter().map(|f| f.0).fold(f64::INFINITY, f64::min);
            // A split item's tightest team, when one is tighter than the others.
            let tightest: Vec<usize> = fits
                .iter()
                .filter(|f| f.0 <= max_weeks_by_then * (1.0 + 1e-9))
                .map(|f| f.1)
                .collect();
            let team = match tightest[..] {
                [pool] if fits.len() > 1 => s.teams.get(pool).map(|t| t.id.clone()),
                _ => None,
            };
            deadlines.push(DeadlineLine {
                id: i.id.clone(),
                kind,
                period,
                label: s.label(period).to_string(),
                penalty,
                effort_weeks: i.remaining_effort_mean(),
                max_weeks_by_then,
                team,
            })
        };
        match i.deadline {
            Some(Deadline::Hard { period }) => push("hard", period, None),
            Some(Deadline::Soft { period, penalty }) => push("soft", period, Some(penalty)),
            None => {}
        }
        if i.commit {
            push("commit", s.periods, None);
        }
    }
    deadlines.sort_by_key(|d| d.period);
    Summary {
        name: s.name.clone(),
        periods: s.periods,
        first_period: s.label(1).to_string(),
        last_period: s.label(s.periods).to_string(),
        currency: s.currency.clone(),
        initiatives: s.initiatives.len(),
        by_kind,
        by_class,
        effort_weeks,
        allocatable_weeks,
        effective_weeks,
        overcommitment: if effort_weeks == 0.0 {
            0.0
        } else if allocatable_weeks > 0.0 {
            effort_weeks / allocatable_weeks
        } else {
            f64::INFINITY
        },
        longest_chain: longest_chain(s),
        deadlines,
        teams: s
            .teams
            .iter()
            .enumerate()
            .map(|(j, team)| TeamLine {
                id: team.id.clone(),
                name: team.name.clone(),
                effort_weeks: s
                    .initiatives
                    .iter()
                    .flat_map(|i| {
                        i.split
                            .iter()
                            .filter(|(p, _)| *p == j)
                            .map(|(_, share)| share * i.remaining_effort_mean())
                    })
                    .fold(0.0, |acc, e| acc + e),
                allocatable_weeks: (1..=s.periods)
                    .map(|t| s.pool_capacity(j, t) * (1.0 - s.capacity.buffer))
                    .sum(),
            })
            .collect(),
        warnings: s.warnings.clone(),
    }
}

/// The longest path through `requires` (the scenario is acyclic once validated).
fn longest_chain(s: &Scenario) -> Vec<String> {
    let n = s.initiatives.len();
    // depth[i] = length of the longest chain ending at i; computed in dependency order.
    let mut depth: Vec<Option<usize>> = vec![None; n];
    let mut prev: Vec<Option<usize>> = vec![None; n];
    fn visit(
        i: usize,
        s: &Scenario,
        depth: &mut [Option<usize>],
        prev: &mut [Option<usize>],
    ) -> usize {
        if let Some(d) = depth[i] {
            return d;
        }
        depth[i] = Some(1); // guards against a cycle, which validation already rejected
        let mut best = (1, None);
        for &j in &s.initiatives[i].requires {
            let d = visit(j, s, depth, prev) + 1;
            if d > best.0 {
                best = (d, Some(j));
            }
        }
        depth[i] = Some(best.0);
        prev[i] = best.1;
        best.0
    }
    let mut end = None;
    let mut best = 0;
    for i in 0..n {
        let d = visit(i, s, &mut depth, &mut prev);
        if d > best {
            best = d;
            end = Some(i);
        }
    }
    let mut chain = Vec::new();
    while let Some(i) = end {
        chain.push(s.initiatives[i].id.clone());
        end = prev[i];
    }
    chain.reverse();
    chain
}
