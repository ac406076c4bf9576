//! Hands a [`LinearModel`] to a solver through good_lp and reads back values, bounds and duals.
//!
//! The default build uses two pure-Rust backends: microlp for the integer program (branch and
//! bound, seeded with the heuristic plan) and clarabel for the linear relaxation (an interior
//! point method; its dual objective bounds the integer optimum and its duals price capacity).
//! CBC is compiled in with the `cbc` feature. Branch and bound with microlp calls microlp
//! directly, for its node limit; the rest goes through good_lp.
//!
//! Fixed variables are substituted before the solver sees the program: interior point methods
//! dislike empty feasible intervals, and branch and bound has less to do. Every solver call runs
//! under `catch_unwind`, so a solver's internal assertion becomes an error, never a crash.

use std::panic::{catch_unwind, AssertUnwindSafe};

use good_lp::solvers::clarabel::clarabel;
#[cfg(feature = "cbc")]
use good_lp::WithInitialSolution;
use good_lp::{
    variable, Constraint, DualValues, Expression, ProblemVariables, ResolutionError, Solution,
    SolutionWithDual, SolverModel, Variable,
};

use super::model::{LinearModel, RowKind, Sense};

/// Whether two plans may be solved at once: not with CBC compiled in, whose library as
/// distributions ship it is not thread-safe.
pub const PLANS_IN_PARALLEL: bool = !cfg!(feature = "cbc");

/// Why a solver returned no usable answer.
#[derive(Debug, Clone, PartialEq)]
pub enum SolveFailure {
    /// The program has no feasible point.
    Infeasible,
    /// The wall-clock cap struck before any feasible point was found.
    OutOfTime,
    /// The work limit (nodes) ran out before any feasible point was found.
    OutOfWork,
    /// Anything else, in the solver's words.
    Other(String),
}

/// The linear relaxation's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Relaxation {
    /// A proven upper bound on the integer program's objective (constant included).
    pub bound: f64,
    /// The relaxation's primal values, one per model variable.
    pub values: Vec<f64>,
    /// Dual of every row, in objective units per unit of right-hand side (≥ 0 on binding ≤ rows).
    pub row_duals: Vec<(RowKind, f64)>,
}

/// The integer program's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct MilpAnswer {
    /// The best assignment found (integers rounded), if any.
    pub values: Option<Vec<f64>>,
    /// A proven upper bound on the objective (constant included), when the solver gives one.
    pub bound: Option<f64>,
    /// True when the solver proved optimality within the gap it was given.
    pub proven: bool,
    /// True when the wall-clock cap, not the work limit, stopped the search (the answer may then
    /// differ between runs).
    pub capped: bool,
    /// Branch-and-bound nodes solved (0 when the backend does not say).
    pub nodes: u64,
}

/// A free variable of the [`Reduced`] program.
struct FreeVar {
    /// Its index in the model.
    index: usize,
    lower: f64,
    upper: f64,
    binary: bool,
    /// Its objective coefficient divided by the program's scale.
    objective: f64,
}

/// A row of the [`Reduced`] program, over indexes into `Reduced::free`.
struct ReducedRow {
    /// Its index in the model.
    index: usize,
    terms: Vec<(usize, f64)>,
    sense: Sense,
    rhs: f64,
}

/// The program with its fixed variables substituted, in no solver's terms.
struct Reduced {
    free: Vec<FreeVar>,
    rows: Vec<ReducedRow>,
    /// The value of every model variable that is fixed (0 for the free ones).
    fixed: Vec<f64>,
    /// Σ objective × fixed value + the model's constant, added back to every objective read.
    offset: f64,
    /// Objective coefficients are divided by this for the solver.
    scale: f64,
}

fn reduce(model: &LinearModel, integer: bool) -> Result<Reduced, SolveFailure> {
    if model.trivially_infeasible {
        return Err(SolveFailure::Infeasible);
    }
    let scale = model
        .objective
        .iter()
        .fold(1.0_f64, |m, c| m.max(c.abs()))
        .max(1.0);
    let mut free = Vec::with_capacity(model.vars.len());
    let mut position = vec![None; model.vars.len()];
    let mut fixed = vec![0.0; model.vars.len()];
    let mut offset = model.constant;
    for (idx, def) in model.vars.iter().enumerate() {
        if def.lower > def.upper + 1e-12 {
            return Err(SolveFailure::Infeasible);
        }
        if def.upper - def.lower <= 1e-12 {
            fixed[idx] = def.lower;
            offset += model.objective[idx] * def.lower;
            continue;
        }
        position[idx] = Some(free.len());
        free.push(FreeVar {
            index: idx,
            lower: def.lower,
            upper: def.upper,
            binary: integer && def.binary,
            objective: model.objective[idx] / scale,
        });
    }
    let mut rows = Vec::with_capacity(model.rows.len());
    for (row_idx, row) in model.rows.iter().enumerate() {
        let mut terms = Vec::with_capacity(row.terms.len());
        let mut rhs = row.rhs;
        for &(v, c) in &row.terms {
            match position[v] {
                Some(k) => terms.push((k, c)),
                None => rhs -= c * fixed[v],
            }
        }
        if terms.is_empty() {
            let ok = match row.sense {
                Sense::Le => rhs >= -1e-9,
                Sense::Ge => rhs <= 1e-9,
                Sense::Eq => rhs.abs() <= 1e-9,
            };
            if !ok {
                return Err(SolveFailure::Infeasible);
            }
            continue;
        }
        rows.push(ReducedRow {
            index: row_idx,
            terms,
            sense: row.sense,
            rhs,
        });
    }
    Ok(Reduced {
        free,
        rows,
        fixed,
        offset,
        scale,
    })
}

/// The [`Reduced`] program in good_lp's terms.
struct Prepared {
    vars: ProblemVariables,
    /// good_lp variable of each model variable; `None` when fixed.
    handles: Vec<Option<Variable>>,
    fixed: Vec<f64>,
    objective: Expression,
    offset: f64,
    scale: f64,
    constraints: Vec<(usize, Constraint)>,
}

fn prepare(model: &LinearModel, integer: bool) -> Result<Prepared, SolveFailure> {
    let reduced = reduce(model, integer)?;
    let mut vars = ProblemVariables::new();
    let mut handles = vec![None; model.vars.len()];
    let mut by_position = Vec::with_capacity(reduced.free.len());
    let mut objective = Expression::with_capacity(reduced.free.len());
    for f in &reduced.free {
        let mut d = variable().min(f.lower).max(f.upper);
        if f.binary {
            d = d.integer();
        }
        let v = vars.add(d);
        if f.objective != 0.0 {
            objective.add_mul(f.objective, v);
        }
        handles[f.index] = Some(v);
        by_position.push(v);
    }
    let constraints = reduced
        .rows
        .iter()
        .map(|row| {
            let mut lhs = Expression::with_capacity(row.terms.len());
            for &(k, c) in &row.terms {
                lhs.add_mul(c, by_position[k]);
            }
            let constraint = match row.sense {
                Sense::Le => lhs.leq(row.rhs),
                Sense::Ge => lhs.geq(row.rhs),
                Sense::Eq => lhs.eq(row.rhs),
            };
            (row.index, constraint)
        })
        .collect();
    Ok(Prepared {
        vars,
        handles,
        fixed: reduced.fixed,
        objective,
        offset: reduced.offset,
        scale: reduced.scale,
        constraints,
    })
}

fn read_values(
    prepared_handles: &[Option<Variable>],
    fixed: &[f64],
    value: impl Fn(Variable) -> f64,
) -> Vec<f64> {
    prepared_handles
        .iter()
        .zip(fixed)
        .map(|(h, f)| h.map_or(*f, &value))
        .collect()
}

/// A good_lp failure by its type; `out_of_time` when the call used up its time limit (good_lp
/// gives a stop on the clock no type of its own, so it is judged by the clock, not the text).
fn failure_of(error: ResolutionError, out_of_time: bool) -> SolveFailure {
    match error {
        ResolutionError::Infeasible => SolveFailure::Infeasible,
        _ if out_of_time => SolveFailure::OutOfTime,
        other => SolveFailure::Other(other.to_string()),
    }
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> SolveFailure {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "the solver stopped unexpectedly".into());
    SolveFailure::Other(text)
}

/// How much capacity the relaxation is solved with beyond the scenario's, relative.
const SPARE_CAPACITY: f64 = 1e-6;

/// The program with every capacity row (total, product, stability) raised by
/// [`SPARE_CAPACITY`] of its capacity (at least that many engineer-weeks).
///
/// When the plan uses a period's capacity exactly and nothing else could use more (an item done
/// in full), the relaxation is degenerate: any capacity price between "what one week less costs"
/// and "what one week more earns" (often 0) is optimal, and an interior point method returns one
/// in between. Solving with a sliver of spare capacity makes the duals the price of one more week,
/// which is what `marginal_value` means. The bound stays proven: it is computed from these
/// multipliers on the unchanged program (weak duality holds for any multipliers).
fn with_spare_capacity(model: &LinearModel) -> LinearModel {
    let mut spare = model.clone();
    for row in &mut spare.rows {
        let (RowKind::Capacity(_, t) | RowKind::Product(_, t) | RowKind::Stability(_, t)) =
            row.kind
        else {
            continue;
        };
        // Σ e x + share·A·g ≤ share·A: raise A in both places.
        let g = model.g(t + 1);
        // At least a sliver of an engineer-week, so a period without capacity is priced too.
        row.rhs += SPARE_CAPACITY * row.rhs.max(1.0);
        for (v, c) in &mut row.terms {
            if *v == g {
                *c *= 1.0 + SPARE_CAPACITY;
            }
        }
    }
    spare
}

/// Solves the linear relaxation with clarabel; `time_limit_secs` bounds the solve.
pub fn solve_relaxation(
    model: &LinearModel,
    time_limit_secs: f64,
) -> Result<Relaxation, SolveFailure> {
    let prepared = prepare(&with_spare_capacity(model), false)?;
    if prepared.constraints.is_empty() && prepared.vars.is_empty() {
        return Ok(Relaxation {
            bound: prepared.offset,
            values: prepared.fixed,
            row_duals: Vec::new(),
        });
    }
    let Prepared {
        vars,
        handles,
        fixed,
        objective,
        scale,
        constraints,
        ..
    } = prepared;
    let run = catch_unwind(AssertUnwindSafe(move || {
        let mut problem = vars.maximise(objective).using(clarabel);
        problem
            .settings()
            .time_limit(time_limit_secs.max(0.01))
            .verbose(false);
        let mut refs = Vec::with_capacity(constraints.len());
        for (row_idx, c) in constraints {
            refs.push((row_idx, problem.add_constraint(c)));
        }
        let clock = std::time::Instant::now();
        let mut solution = problem
            .solve()
            .map_err(|e| failure_of(e, clock.elapsed().as_secs_f64() >= 0.95 * time_limit_secs))?;
        let values = read_values(&handles, &fixed, |v| solution.value(v));
        let duals = solution.compute_dual();
        let row_duals: Vec<(usize, f64)> = refs
            .iter()
            .map(|(row_idx, r)| (*row_idx, duals.dual(r.clone())))
            .collect();
        Ok::<_, SolveFailure>((values, row_duals))
    }));
    let (values, row_duals) = run.map_err(panic_message)??;
    // The bound comes from the multipliers by weak duality, so it holds however accurately the
    // interior point method converged (an inaccurate answer only makes it looser).
    let mut multipliers = vec![0.0; model.rows.len()];
    for (row_idx, d) in &row_duals {
        multipliers[*row_idx] = d * scale;
    }
    let bound = model.lagrangian_bound(&multipliers);
    if !bound.is_finite() {
        return Err(SolveFailure::Other(
            "the relaxation gave no finite bound".into(),
        ));
    }
    Ok(Relaxation {
        bound,
        values,
        row_duals: row_duals
            .into_iter()
            .map(|(row_idx, d)| (model.rows[row_idx].kind, d * scale))
            .collect(),
    })
}

/// Limits on one branch-and-bound call: a node budget that makes the answer repeatable, and a
/// wall-clock cap that only guards against a machine far slower than expected.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MilpLimits {
    /// Relative gap, measured without the objective's constant (as microlp measures it).
    pub mip_gap: f64,
    /// Branch-and-bound nodes (the root relaxation not counted).
    pub nodes: u64,
    /// Seconds after which the call stops whatever its node count.
    pub cap_secs: f64,
}

/// Branch and bound runs in this many chunks of its node limit (see [`solve_milp`])...
const MILP_CHUNKS: u64 = 32;
/// ...of at least this many nodes each, so small calls (a window's) run in one.
const MILP_MIN_CHUNK_NODES: u64 = 100;

/// Solves the integer program with microlp, seeded with `warm` (a full assignment) when given.
///
/// microlp is called directly rather than through good_lp, which exposes no node limit. Branch
/// and bound runs in chunks of nodes, each resuming the last, so that a numerical failure of
/// microlp part way keeps the last chunk's plan and bound (as an unproven answer).
pub fn solve_milp(
    model: &LinearModel,
    warm: Option<&[f64]>,
    limits: MilpLimits,
) -> Result<MilpAnswer, SolveFailure> {
    use microlp::{ComparisonOp, OptimizationDirection, Problem, SolveOptions, TerminationReason};
    let reduced = reduce(model, true)?;
    if reduced.free.is_empty() {
        return Ok(MilpAnswer {
            values: Some(reduced.fixed),
            bound: Some(reduced.offset),
            proven: true,
            capped: false,
            nodes: 0,
        });
    }
    let run = catch_unwind(AssertUnwindSafe(|| {
        let mut problem = Problem::new(OptimizationDirection::Maximize);
        let handles: Vec<microlp::Variable> = reduced
            .free
            .iter()
            .map(|f| {
                if f.binary {
                    problem.add_integer_var(
                        f.objective,
                        (f.lower.round() as i32, f.upper.round() as i32),
                    )
                } else {
                    problem.add_var(f.objective, (f.lower, f.upper))
                }
            })
            .collect();
        for row in &reduced.rows {
            let mut expr = microlp::LinearExpr::empty();
            for &(k, c) in &row.terms {
                expr.add(handles[k], c);
            }
            let op = match row.sense {
                Sense::Le => ComparisonOp::Le,
                Sense::Ge => ComparisonOp::Ge,
                Sense::Eq => ComparisonOp::Eq,
            };
            problem.add_constraint(expr, op, row.rhs);
        }
        // Branch and bound runs in chunks of nodes, each resuming the last: when microlp's
        // simplex fails part way (it has reported a singular basis after hundreds of nodes on
        // programs with small teams), the answer of the last chunk stands instead of nothing.
        let started = std::time::Instant::now();
        let cap = std::time::Duration::from_secs_f64(limits.cap_secs.clamp(0.01, 1e7));
        let chunk = (limits.nodes / MILP_CHUNKS).max(MILP_MIN_CHUNK_NODES);
        let mut nodes_left = limits.nodes;
        let mut options = SolveOptions::default();
        options.mip_gap = limits.mip_gap.max(0.0);
        options.node_limit = Some(chunk.min(nodes_left));
        options.time_limit = Some(cap);
        options.warm_start = warm.map(|warm| {
            reduced
                .free
                .iter()
                .zip(&handles)
                .filter(|(f, _)| f.binary)
                .map(|(f, h)| (*h, warm[f.index].round()))
                .collect()
        });
        let mut outcome = problem.solve_with(options).map_err(|e| match e {
            microlp::Error::Infeasible => SolveFailure::Infeasible,
            other => SolveFailure::Other(other.to_string()),
        })?;
        // What an outcome says: the plan (if any), the bound, why it stopped, nodes so far.
        let read = |outcome: &microlp::SolveOutcome| {
            let values = outcome.solution().map(|solution| {
                let mut values = reduced.fixed.clone();
                for (f, h) in reduced.free.iter().zip(&handles) {
                    values[f.index] = solution.var_value(*h);
                }
                values
            });
            let stats = outcome.stats();
            (
                values,
                stats.best_bound,
                outcome.termination_reason(),
                stats.nodes_solved,
            )
        };
        let mut last = read(&outcome);
        loop {
            nodes_left = nodes_left.saturating_sub(chunk);
            let (_, _, reason, _) = &last;
            if *reason != TerminationReason::NodeLimit || nodes_left == 0 {
                break;
            }
            let Some(time_left) = cap.checked_sub(started.elapsed()) else {
                last.2 = TerminationReason::TimeLimit;
                break;
            };
            let mut resume = microlp::ResumeOptions::default();
            resume.time_limit = Some(time_left);
            resume.node_limit = Some(chunk.min(nodes_left));
            resume.mip_gap = Some(limits.mip_gap.max(0.0));
            match outcome.resume_with(resume) {
                Ok(next) => {
                    outcome = next;
                    last = read(&outcome);
                }
                // The tree ran out with no plan at all: there is none.
                Err(microlp::Error::Infeasible) if last.0.is_none() => {
                    return Err(SolveFailure::Infeasible)
                }
                // A numerical failure: the last chunk's plan and bound stand, unproven.
                Err(_) => break,
            }
        }
        let (values, bound, reason, nodes) = last;
        let capped = reason == TerminationReason::TimeLimit;
        let Some(values) = values else {
            return Err(if capped {
                SolveFailure::OutOfTime
            } else {
                SolveFailure::OutOfWork
            });
        };
        let proven = matches!(
            reason,
            TerminationReason::ProvenOptimal | TerminationReason::MipGap
        );
        Ok((values, bound, proven, capped, nodes))
    }));
    let (values, bound, proven, capped, nodes) = run.map_err(panic_message)??;
    Ok(MilpAnswer {
        values: Some(values),
        bound: bound.map(|b| b * reduced.scale + reduced.offset),
        proven,
        capped,
        nodes,
    })
}

/// Serialises every use of CBC in the process. The CBC library that distributions ship is not
/// built thread-safe: two models built or solved at once (parallel tests, the sweep's parallel
/// plans) crash the process. coin_cbc's own lock covers only the solve call, so this one covers
/// building the model too.
#[cfg(feature = "cbc")]
static CBC_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Solves the integer program with CBC (feature `cbc`), seeded with `warm` when given.
#[cfg(feature = "cbc")]
///
/// good_lp reads no bound from CBC, so the answer carries none: the planner keeps the
/// relaxation's bound. Whether the clock stopped it is judged by the time the call took.
pub fn solve_milp_cbc(
    model: &LinearModel,
    warm: Option<&[f64]>,
    limits: MilpLimits,
) -> Result<MilpAnswer, SolveFailure> {
    use good_lp::solvers::coin_cbc::coin_cbc;
    let Prepared {
        vars,
        handles,
        fixed,
        objective,
        offset,
        constraints,
        ..
    } = prepare(model, true)?;
    if vars.is_empty() {
        return Ok(MilpAnswer {
            values: Some(fixed),
            bound: Some(offset),
            proven: true,
            capped: false,
            nodes: 0,
        });
    }
    // A poisoned lock only means another CBC call panicked; CBC holds no state between calls.
    let _only_one_cbc = CBC_LOCK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let clock = std::time::Instant::now();
    let run = catch_unwind(AssertUnwindSafe(move || {
        let mut problem = vars.maximise(objective).using(coin_cbc);
        problem.set_parameter("log", "0");
        // CBC 2.10.8 crashes in CglPreProcess::postProcess when its time limit stops the search
        // after preprocessing (seen under load, in parallel tests): leave preprocessing off.
        problem.set_parameter("preprocess", "off");
        problem.set_parameter("sec", &format!("{}", limits.cap_secs.max(0.01)));
        problem.set_parameter("maxNodes", &format!("{}", limits.nodes));
        problem.set_parameter("ratioGap", &format!("{}", limits.mip_gap));
        if let Some(warm) = warm {
            let hint: Vec<(Variable, f64)> = handles
                .iter()
                .zip(warm)
                .filter_map(|(h, v)| h.map(|h| (h, *v)))
                .collect();
            problem = problem.with_initial_solution(hint);
        }
        for (_, c) in constraints {
            problem.add_constraint(c);
        }
        let solution = problem
            .solve()
            .map_err(|e| failure_of(e, clock.elapsed().as_secs_f64() >= 0.95 * limits.cap_secs))?;
        let proven = matches!(
            solution.status(),
            good_lp::SolutionStatus::Optimal | good_lp::SolutionStatus::GapLimit
        );
        let values = read_values(&handles, &fixed, |v| solution.value(v));
        Ok::<_, SolveFailure>((values, proven))
    }));
    let (values, proven) = run.map_err(panic_message)??;
    Ok(MilpAnswer {
        values: Some(values),
        bound: None,
        proven,
        capped: !proven && clock.elapsed().as_secs_f64() >= 0.95 * limits.cap_secs,
        nodes: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::model::{Row, VarDef};

    /// A 0-1 knapsack as a program: maximise Σ value x subject to Σ weight x ≤ capacity.
    fn knapsack(values: &[f64], weights: &[f64], capacity: f64) -> LinearModel {
        let n = values.len();
        LinearModel {
            n_items: 0,
            n_periods: 0,
            vars: vec![
                VarDef {
                    lower: 0.0,
                    upper: 1.0,
                    binary: true,
                };
                n
            ],
            objective: values.to_vec(),
            constant: 0.0,
            rows: vec![Row {
                terms: weights.iter().copied().enumerate().collect(),
                sense: Sense::Le,
                rhs: capacity,
                kind: RowKind::Other,
            }],
            trivially_infeasible: false,
        }
    }

    /// The knapsack's optimum by dynamic programming over whole weights.
    fn best_by_dp(values: &[f64], weights: &[f64], capacity: f64) -> f64 {
        let cap = capacity as usize;
        let mut best = vec![0.0_f64; cap + 1];
        for (v, w) in values.iter().zip(weights) {
            let w = *w as usize;
            for c in (w..=cap).rev() {
                best[c] = best[c].max(best[c - w] + v);
            }
        }
        best[cap]
    }

    #[test]
    fn branch_and_bound_resumed_in_chunks_reaches_the_optimum() {
        // Values close to proportional to weights make the relaxation weak, so the proof
        // takes many chunks of nodes.
        let weights: Vec<f64> = (0..30).map(|i| f64::from(20 + (i * 37) % 41)).collect();
        let values: Vec<f64> = weights
            .iter()
            .enumerate()
            .map(|(i, w)| w * 10.0 + f64::from(((i * 13) % 7) as u8))
            .collect();
        let capacity = 400.0;
        let model = knapsack(&values, &weights, capacity);
        let limits = MilpLimits {
            mip_gap: 0.0,
            nodes: 200_000,
            cap_secs: 1e6,
        };
        let answer = solve_milp(&model, None, limits).expect("the knapsack solves");
        let values_found = answer.values.expect("a plan");
        let objective: f64 = values_found.iter().zip(&values).map(|(x, v)| x * v).sum();
        let expected = best_by_dp(&values, &weights, capacity);
        assert!(
            answer.nodes > MILP_MIN_CHUNK_NODES,
            "only {} nodes: the test would not resume a chunk",
            answer.nodes
        );
        assert!(answer.proven);
        assert!(
            (objective - expected).abs() < 1e-6,
            "{objective} vs {expected}"
        );
        let bound = answer.bound.expect("a bound");
        assert!((bound - expected).abs() < 1e-6 * expected, "bound {bound}");
    }

    #[test]
    fn a_node_limit_spread_over_chunks_is_kept_and_repeatable() {
        let weights: Vec<f64> = (0..30).map(|i| f64::from(20 + (i * 37) % 41)).collect();
        let values: Vec<f64> = weights.iter().map(|w| w * 10.0 + 1.0).collect();
        let model = knapsack(&values, &weights, 400.0);
        let limits = MilpLimits {
            mip_gap: 0.0,
            nodes: 350,
            cap_secs: 1e6,
        };
        let a = solve_milp(&model, None, limits).expect("a plan");
        let b = solve_milp(&model, None, limits).expect("a plan");
        assert!(a.nodes <= 350, "{} nodes", a.nodes);
        assert_eq!(a, b, "the same limits give the same answer");
    }
}
