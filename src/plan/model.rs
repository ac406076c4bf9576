//! The mixed-integer program of the specification, written as plain rows before any solver sees it.
//!
//! Building the program apart from solving it lets the planner time the two apart, hand the same
//! program to different backends (microlp for the integer program, clarabel for the relaxation,
//! CBC or HiGHS when compiled in), and leave out whole groups of constraints when it looks for
//! the ones that make a scenario infeasible.
//!
//! Variables: x[i,t] ∈ [0, 1] share of i's effort done in t; y[i,t] ∈ {0, 1} delivered by the
//! end of t; g_t ≥ 0 debt drag in t. Implied bounds and cuts are applied while building (an
//! item cannot be delivered before its team limit and its prerequisites allow; no work is left
//! after a delivery), which keeps the optimum and tightens the relaxation.

use std::collections::BTreeSet;

use super::data::PlanData;

/// A family of constraints that can be left out when looking for a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    /// The hard deadline of an item.
    Deadline(usize),
    /// The commitment of an item (delivered by T).
    Commit(usize),
    /// Item `.0` requires item `.1`.
    Dependency(usize, usize),
    /// The team limit of an item.
    Team(usize),
    /// The stability reserve (share min).
    RingFenceMin,
    /// The stability cap (share max).
    RingFenceMax,
}

/// How a row compares with its right-hand side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sense {
    Le,
    Ge,
    Eq,
}

/// What a row is, for reading its dual.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    Other,
    /// Capacity of (pool, period_idx): Σ e σ x + A g ≤ A.
    Capacity(usize, usize),
    /// Product cap of (pool, period_idx): Σ_product e σ x + (1 − min) A g ≤ (1 − min) A.
    Product(usize, usize),
    /// Stability cap of (pool, period_idx): Σ_stability e σ x + max A g ≤ max A.
    Stability(usize, usize),
}

/// One linear row: Σ coef × var (sense) rhs.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub terms: Vec<(usize, f64)>,
    pub sense: Sense,
    pub rhs: f64,
    pub kind: RowKind,
}

/// A variable's bounds and domain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VarDef {
    pub lower: f64,
    pub upper: f64,
    pub binary: bool,
}

/// The program: maximise Σ objective[v] × v + constant subject to rows and bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    pub n_items: usize,
    pub n_periods: usize,
    pub vars: Vec<VarDef>,
    pub objective: Vec<f64>,
    pub constant: f64,
    pub rows: Vec<Row>,
    /// True when some implied bound already contradicts a hard constraint.
    pub trivially_infeasible: bool,
}

impl LinearModel {
    /// Index of x[i,t] (t 1-based).
    pub fn x(&self, item_idx: usize, period: usize) -> usize {
        item_idx * self.n_periods + period - 1
    }

    /// Index of y[i,t] (t 1-based).
    pub fn y(&self, item_idx: usize, period: usize) -> usize {
        (self.n_items + item_idx) * self.n_periods + period - 1
    }

    /// Index of g_t (t 1-based).
    pub fn g(&self, period: usize) -> usize {
        2 * self.n_items * self.n_periods + period - 1
    }

    /// Free variables plus rows: what the planner's work limits measure a program by.
    pub fn size(&self) -> usize {
        self.vars.iter().filter(|v| v.upper > v.lower).count() + self.rows.len()
    }

    /// A proven upper bound from row multipliers (any sign-correct multipliers will do): by weak
    /// duality, max c·x over the bounds of c·x + Σ_r λ_r (b_r − a_r·x), with λ_r ≥ 0 on ≤ rows,
    /// ≤ 0 on ≥ rows and free on = rows. Every variable is bounded, so this is finite.
    pub fn lagrangian_bound(&self, multipliers: &[f64]) -> f64 {
        let mut reduced = self.objective.clone();
        let mut total = self.constant;
        for (row, &m) in self.rows.iter().zip(multipliers) {
            let lambda = match row.sense {
                Sense::Le => m.max(0.0),
                Sense::Ge => m.min(0.0),
                Sense::Eq => m,
            };
            if lambda == 0.0 || !lambda.is_finite() {
                continue;
            }
            total += lambda * row.rhs;
            for &(v, c) in &row.terms {
                reduced[v] -= lambda * c;
            }
        }
        for (def, r) in self.vars.iter().zip(&reduced) {
            total += if *r > 0.0 {
                r * def.upper
            } else {
                r * def.lower
            };
        }
        total
    }

    /// The largest violation of a bound or row by an assignment (0 when feasible).
    pub fn max_violation(&self, values: &[f64]) -> f64 {
        let mut worst: f64 = 0.0;
        for (def, v) in self.vars.iter().zip(values) {
            worst = worst.max(def.lower - v).max(v - def.upper);
        }
        for row in &self.rows {
            let lhs: f64 = row.terms.iter().map(|(v, c)| c * values[*v]).sum();
            let excess = match row.sense {
                Sense::Le => lhs - row.rhs,
                Sense::Ge => row.rhs - lhs,
                Sense::Eq => (lhs - row.rhs).abs(),
            };
            worst = worst.max(excess);
        }
        worst
    }
}

/// The least drag each period can have: every item's relief subtracted.
fn least_drag(data: &PlanData) -> Vec<f64> {
    let total_relief: f64 = data.items.iter().map(|i| i.debt_relief).sum();
    data.base_drag
        .iter()
        .map(|b| (b - total_relief).max(0.0))
        .collect()
}

/// The share of effective capacity an item's class may use.
fn class_share(data: &PlanData, stability: bool, relaxed: &BTreeSet<Group>) -> f64 {
    if stability {
        if relaxed.contains(&Group::RingFenceMax) {
            1.0
        } else {
            data.stability_max
        }
    } else if relaxed.contains(&Group::RingFenceMin) {
        1.0
    } else {
        1.0 - data.stability_min
    }
}

/// The earliest period by whose end each item could be delivered (None: not in the horizon),
/// and the earliest period its work may start, from team limits, class capacity and
/// prerequisites, ignoring every other item. Groups in `relaxed` are not applied.
pub fn earliest_periods(
    data: &PlanData,
    relaxed: &BTreeSet<Group>,
    with_capacity: bool,
) -> (Vec<Option<usize>>, Vec<usize>) {
    let n = data.n_items();
    let t_end = data.n_periods;
    let min_drag = least_drag(data);
    let mut earliest: Vec<Option<Option<usize>>> = vec![None; n];
    let mut start: Vec<usize> = vec![1; n];
    // Resolve in dependency order; cycles cannot occur in a validated scenario, but guard anyway.
    let mut changed = true;
    let mut rounds = 0;
    while changed && rounds <= n + 1 {
        changed = false;
        rounds += 1;
        for i in 0..n {
            if earliest[i].is_some() {
                continue;
            }
            let item = &data.items[i];
            let mut first = 1usize;
            let mut ready = true;
            for &j in &item.requires {
                if relaxed.contains(&Group::Dependency(i, j)) {
                    continue;
                }
                match earliest.get(j).copied().flatten() {
                    None => ready = false,
                    Some(None) => first = t_end + 1,
                    Some(Some(k)) => first = first.max(k + 1),
                }
            }
            if !ready {
                continue;
            }
            let team_weeks = if relaxed.contains(&Group::Team(i)) {
                f64::INFINITY
            } else {
                item.team_weeks
            };
            let class_share = class_share(data, item.stability, relaxed);
            let mut done = 0.0;
            let mut found = None;
            for t in first..=t_end {
                let room = if with_capacity {
                    // Lockstep: the item moves at the pace of its scarcest pool.
                    let pool_room = item
                        .shares
                        .iter()
                        .map(|&(j, share)| data.pool_allocatable[j][t - 1] / share)
                        .fold(f64::INFINITY, f64::min);
                    pool_room * (1.0 - min_drag[t - 1]) * class_share
                } else {
                    f64::INFINITY
                };
                done += team_weeks.min(room);
                if done >= item.effort_weeks * (1.0 - 1e-9) {
                    found = Some(t);
                    break;
                }
            }
            start[i] = first;
            earliest[i] = Some(found);
            changed = true;
        }
    }
    (earliest.into_iter().map(|e| e.flatten()).collect(), start)
}

/// Builds the program of the specification, leaving out the groups in `relaxed`.
pub fn build_model(data: &PlanData, relaxed: &BTreeSet<Group>) -> LinearModel {
    let n = data.n_items();
    let t_end = data.n_periods;
    let n_vars = 2 * n * t_end + t_end;
    let mut model = LinearModel {
        n_items: n,
        n_periods: t_end,
        vars: vec![
            VarDef {
                lower: 0.0,
                upper: 1.0,
                binary: false
            };
            n_vars
        ],
        objective: vec![0.0; n_vars],
        constant: data.objective_constant(),
        rows: Vec::with_capacity(4 * n * t_end),
        trivially_infeasible: false,
    };
    // Implied bounds from team limits and prerequisites only: bounds that depend on capacity
    // would hide capacity's value from the relaxation's duals (marginal_value).
    let (earliest, start) = earliest_periods(data, relaxed, false);

    for (i, item) in data.items.iter().enumerate() {
        let team_share = if relaxed.contains(&Group::Team(i)) || item.effort_weeks <= 0.0 {
            1.0
        } else {
            (item.team_weeks / item.effort_weeks).min(1.0)
        };
        // The most of the item one period can hold: its team limit.
        let per_period_share = vec![team_share; t_end];
        for t in 1..=t_end {
            let x = model.x(i, t);
            let y = model.y(i, t);
            // x: team limit as a bound; nothing before the prerequisites allow, nothing for an
            // item that cannot be delivered in the horizon (its work would earn nothing).
            model.vars[x].upper = if earliest[i].is_none() || t < start[i] {
                0.0
            } else {
                per_period_share[t - 1]
            };
            model.vars[y].binary = true;
            model.vars[y].upper = match earliest[i] {
                Some(k) if t >= k => 1.0,
                _ => 0.0,
            };
            model.objective[y] = data.y_coefficient(i, t);
            // delivery: y[i,t] ≤ Σ_{τ≤t} x[i,τ]
            let mut terms = vec![(y, 1.0)];
            terms.extend((1..=t).map(|tau| (model.x(i, tau), -1.0)));
            model.rows.push(Row {
                terms,
                sense: Sense::Le,
                rhs: 0.0,
                kind: RowKind::Other,
            });
            // monotone: y[i,t−1] ≤ y[i,t]
            if t > 1 {
                model.rows.push(Row {
                    terms: vec![(model.y(i, t - 1), 1.0), (y, -1.0)],
                    sense: Sense::Le,
                    rhs: 0.0,
                    kind: RowKind::Other,
                });
            }
            // Implied by the rows above for integer y (a cut for the relaxation): delivered by
            // t means done by t − s but for what periods t − s + 1..t can hold, so
            // (1 − Σ_{τ=t−s+1..t} cap_τ) y[i,t] ≤ Σ_{τ≤t−s} x[i,τ].
            if model.vars[y].upper > 0.0 {
                let mut held = 0.0;
                for s_back in 1..t {
                    held += per_period_share[t - s_back];
                    if held >= 1.0 - 1e-9 {
                        break;
                    }
                    let mut terms = vec![(y, 1.0 - held)];
                    terms.extend((1..=t - s_back).map(|tau| (model.x(i, tau), -1.0)));
                    model.rows.push(Row {
                        terms,
                        sense: Sense::Le,
                        rhs: 0.0,
                        kind: RowKind::Other,
                    });
                }
            }
        }
        // Implied for integer y (a cut for the relaxation): delivered by t − 1 means all the work
        // was done by then, so none is left for t: x[i,t] ≤ cap (1 − y[i,t−1]).
        for t in 2..=t_end {
            let x = model.x(i, t);
            let y_before = model.y(i, t - 1);
            let cap = per_period_share[t - 1];
            if model.vars[x].upper > 0.0 && model.vars[y_before].upper > 0.0 {
                model.rows.push(Row {
                    terms: vec![(x, 1.0), (y_before, cap)],
                    sense: Sense::Le,
                    rhs: cap,
                    kind: RowKind::Other,
                });
            }
        }
        // work: Σ_t x[i,t] ≤ 1
        model.rows.push(Row {
            terms: (1..=t_end).map(|t| (model.x(i, t), 1.0)).collect(),
            sense: Sense::Le,
            rhs: 1.0,
            kind: RowKind::Other,
        });
        // dependency (i requires j): Σ_{τ≤t} x[i,τ] ≤ y[j,t−1]
        let periods_needed = (1..=t_end)
            .find(|&d| d as f64 * team_share >= 1.0 - 1e-9)
            .unwrap_or(t_end + 1);
        for &j in &item.requires {
            if relaxed.contains(&Group::Dependency(i, j)) {
                continue;
            }
            for t in 1..=t_end {
                let mut terms: Vec<(usize, f64)> =
                    (1..=t).map(|tau| (model.x(i, tau), 1.0)).collect();
                if t > 1 {
                    terms.push((model.y(j, t - 1), -1.0));
                }
                model.rows.push(Row {
                    terms,
                    sense: Sense::Le,
                    rhs: 0.0,
                    kind: RowKind::Other,
                });
                // A cut implied for integer y: i needs at least `periods_needed` periods of work,
                // all after j's delivery, so y[i,t] ≤ y[j, t − periods_needed].
                if t > periods_needed && model.vars[model.y(i, t)].upper > 0.0 {
                    model.rows.push(Row {
                        terms: vec![(model.y(i, t), 1.0), (model.y(j, t - periods_needed), -1.0)],
                        sense: Sense::Le,
                        rhs: 0.0,
                        kind: RowKind::Other,
                    });
                }
            }
        }
        // hard deadline k: y[i,k] = 1; commit: y[i,T] = 1 (monotone rows carry it forward)
        let mut must_by = None;
        if let Some(k) = item.hard_deadline {
            if !relaxed.contains(&Group::Deadline(i)) {
                must_by = Some(k);
            }
        }
        if item.commit && !relaxed.contains(&Group::Commit(i)) {
            must_by = Some(must_by.map_or(t_end, |k: usize| k.min(t_end)));
        }
        if let Some(k) = must_by {
            for t in k..=t_end {
                let y = model.y(i, t);
                if model.vars[y].upper < 1.0 {
                    model.trivially_infeasible = true;
                }
                model.vars[y].lower = 1.0;
            }
        }
    }

    let has_drag = data.base_drag.iter().any(|b| *b > 0.0);
    for t in 1..=t_end {
        let g = model.g(t);
        if has_drag {
            // drag: g_t + Σ_j relief_j y[j,t−1] ≥ base_t
            model.vars[g].upper = 1.0;
            let mut terms = vec![(g, 1.0)];
            if t > 1 {
                terms.extend(
                    data.items
                        .iter()
                        .enumerate()
                        .filter(|(_, item)| item.debt_relief > 0.0)
                        .map(|(j, item)| (model.y(j, t - 1), item.debt_relief)),
                );
            }
            model.rows.push(Row {
                terms,
                sense: Sense::Ge,
                rhs: data.base_drag[t - 1],
                kind: RowKind::Other,
            });
        } else {
            model.vars[g].upper = 0.0;
        }
        // Per pool j (team, or the one pool): capacity Σ_i e σ_ij x[i,t] + A_j g ≤ A_j, and the
        // ring-fence: product ≤ (1 − min) A_j (1 − g); stability ≤ max A_j (1 − g).
        for pool in 0..data.n_pools() {
            let a = data.pool_allocatable[pool][t - 1];
            let class_terms = |stability: Option<bool>| -> Vec<(usize, f64)> {
                data.items
                    .iter()
                    .enumerate()
                    .filter(|(_, item)| stability.is_none_or(|s| item.stability == s))
                    .filter_map(|(i, item)| {
                        let (_, share) = item.shares.iter().find(|(j, _)| *j == pool)?;
                        Some((i * t_end + t - 1, item.effort_weeks * share))
                    })
                    .collect()
            };
            let mut terms = class_terms(None);
            terms.push((g, a));
            model.rows.push(Row {
                terms,
                sense: Sense::Le,
                rhs: a,
                kind: RowKind::Capacity(pool, t - 1),
            });
            let ring_fences = [
                (
                    data.stability_min > 0.0 && !relaxed.contains(&Group::RingFenceMin),
                    false,
                    1.0 - data.stability_min,
                    RowKind::Product(pool, t - 1),
                ),
                (
                    data.stability_max < 1.0 && !relaxed.contains(&Group::RingFenceMax),
                    true,
                    data.stability_max,
                    RowKind::Stability(pool, t - 1),
                ),
            ];
            for (binding, stability, share, kind) in ring_fences {
                if binding {
                    let mut terms = class_terms(Some(stability));
                    terms.push((g, share * a));
                    model.rows.push(Row {
                        terms,
                        sense: Sense::Le,
                        rhs: share * a,
                        kind,
                    });
                }
            }
        }
    }
    model
}

/// Programs up to this many work-profile variables get the extended relaxation for every item.
pub const PROFILE_MAX_VARS: usize = 40_000;

/// Larger programs get it for the items the program's own relaxation leaves partly delivered,
/// when those need at most this many work-profile variables.
pub const PARTIAL_PROFILE_MAX_VARS: usize = 120_000;

/// The items whose work profiles [`with_delivery_profiles_for`] should add, given the program's
/// own relaxation `values`: every item for programs of up to [`PROFILE_MAX_VARS`] profile
/// variables, else the items with a fractional y[i,t] (elsewhere the relaxation's answer
/// already is a whole schedule, and their profiles would barely move the bound: on the 200×12
/// and 1000×12 portfolios the bound with these items alone is within 0.005% of the bound with
/// all, at a quarter to a half of the time); `None` when even those are too many.
pub fn profile_items(model: &LinearModel, values: &[f64]) -> Option<Vec<bool>> {
    let per_item = model.n_periods * (model.n_periods + 1) / 2;
    if model.n_items * per_item <= PROFILE_MAX_VARS {
        return Some(vec![true; model.n_items]);
    }
    let chosen = partly_delivered(model, values);
    let n_chosen = chosen.iter().filter(|&&c| c).count();
    (n_chosen > 0 && n_chosen * per_item <= PARTIAL_PROFILE_MAX_VARS).then_some(chosen)
}

/// The items with a fractional y[i,t] (strictly between 0.001 and 0.999) in the relaxation's
/// `values`.
pub fn partly_delivered(model: &LinearModel, values: &[f64]) -> Vec<bool> {
    (0..model.n_items)
        .map(|i| {
            (1..=model.n_periods).any(|t| {
                let v = values.get(model.y(i, t)).copied().unwrap_or(0.0);
                v > 1e-3 && v < 1.0 - 1e-3
            })
        })
        .collect()
}

/// A tighter relaxation of the same program, for its bound: each item's work is split by the
/// period it is delivered in.
///
/// z[i,k] ≥ 0 (delivered in k) with y[i,t] = Σ_{k≤t} z[i,k]; w[i,k,t] ≥ 0 for t ≤ k (work in t
/// towards a delivery in k) with w[i,k,t] ≤ cap_i z[i,k] and Σ_{t≤k} w[i,k,t] = z[i,k]; and
/// x[i,t] ≥ Σ_{k≥t} w[i,k,t]. Every whole-number plan satisfies it (z the delivery, w its work,
/// which is all done by the delivery), so the optimum is unchanged; in the relaxation an item can
/// no longer be "partly delivered" with a work profile no whole plan could have. This is the
/// convex hull of each item's schedules (with its team limit), at n·T(T+1)/2 more variables:
/// worth it for the bound of mid-size programs, too slow inside branch and bound.
pub fn with_delivery_profiles(model: &LinearModel, data: &PlanData) -> LinearModel {
    with_delivery_profiles_for(model, data, &vec![true; data.n_items()])
}

/// [`with_delivery_profiles`] for the items `chosen` only (the others keep the program's own
/// rows): still a relaxation of the same program, since each item's rows only describe schedules
/// a whole plan could have, at the cost of the chosen items' profiles alone.
pub fn with_delivery_profiles_for(
    model: &LinearModel,
    data: &PlanData,
    chosen: &[bool],
) -> LinearModel {
    let mut m = model.clone();
    let t_end = model.n_periods;
    let free = VarDef {
        lower: 0.0,
        upper: 1.0,
        binary: false,
    };
    const NONE: VarDef = VarDef {
        lower: 0.0,
        upper: 0.0,
        binary: false,
    };
    let row = |terms: Vec<(usize, f64)>, sense: Sense| Row {
        terms,
        sense,
        rhs: 0.0,
        kind: RowKind::Other,
    };
    for (i, item) in data.items.iter().enumerate() {
        if !chosen.get(i).copied().unwrap_or(false) {
            continue;
        }
        let cap = if item.effort_weeks > 0.0 {
            (item.team_weeks / item.effort_weeks).min(1.0)
        } else {
            1.0
        };
        let z0 = m.vars.len();
        let z = |k: usize| z0 + k - 1;
        // Not deliverable by k (the program's implied bounds): nothing is delivered in k.
        for k in 1..=t_end {
            let deliverable = model.vars[model.y(i, k)].upper > 0.0;
            m.vars.push(if deliverable { free } else { NONE });
            m.objective.push(0.0);
        }
        // y[i,t] = Σ_{k≤t} z[i,k]
        for t in 1..=t_end {
            let mut terms = vec![(m.y(i, t), 1.0)];
            terms.extend((1..=t).map(|k| (z(k), -1.0)));
            m.rows.push(row(terms, Sense::Eq));
        }
        let mut work_in: Vec<Vec<usize>> = vec![Vec::new(); t_end + 1];
        for k in 1..=t_end {
            let mut total = vec![(z(k), -1.0)];
            for (t, work) in work_in.iter_mut().enumerate().take(k + 1).skip(1) {
                let w = m.vars.len();
                m.vars.push(free);
                m.objective.push(0.0);
                // w[i,k,t] ≤ cap z[i,k]; no work before the item may start
                m.rows.push(row(vec![(w, 1.0), (z(k), -cap)], Sense::Le));
                if model.vars[model.x(i, t)].upper <= 0.0 || m.vars[z(k)].upper <= 0.0 {
                    m.vars[w].upper = 0.0;
                }
                total.push((w, 1.0));
                work.push(w);
            }
            // Σ_{t≤k} w[i,k,t] = z[i,k]
            m.rows.push(row(total, Sense::Eq));
        }
        // x[i,t] ≥ Σ_{k≥t} w[i,k,t]
        for (t, work) in work_in.iter().enumerate().skip(1) {
            let mut terms = vec![(m.x(i, t), 1.0)];
            terms.extend(work.iter().map(|&w| (w, -1.0)));
            m.rows.push(row(terms, Sense::Ge));
        }
    }
    m
}
