//! Hands a [`LinearModel`] to a solver through good_lp and reads back values, bounds and duals.
//!
//! The default build uses two pure-Rust backends: microlp for the integer program (branch and
//! bound, seeded with the heuristic plan) and clarabel for the linear relaxation (an interior
//! point method; its dual objective bounds the integer optimum and its duals price capacity).
//! CBC and HiGHS are compiled in with the `cbc` and `highs` features.
//!
//! Fixed variables are substituted before the solver sees the program: interior point methods
//! dislike empty feasible intervals, and branch and bound has less to do. Every solver call runs
//! under `catch_unwind`, so a solver's internal assertion becomes an error, never a crash.

use std::panic::{catch_unwind, AssertUnwindSafe};

use good_lp::solvers::clarabel::clarabel;
use good_lp::solvers::microlp::microlp;
use good_lp::{
    variable, Constraint, DualValues, Expression, ProblemVariables, ResolutionError, Solution,
    SolutionWithDual, SolverModel, Variable, WithInitialSolution, WithMipGap, WithTimeLimit,
};

use super::model::{LinearModel, RowKind, Sense};

/// Why a solver returned no usable answer.
#[derive(Debug, Clone, PartialEq)]
pub enum SolveFailure {
    /// The program has no feasible point.
    Infeasible,
    /// The time ran out before any feasible point was found.
    OutOfTime,
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
}

/// The program with its fixed variables substituted, ready for good_lp.
struct Prepared {
    vars: ProblemVariables,
    /// good_lp variable of each model variable; `None` when fixed.
    handles: Vec<Option<Variable>>,
    fixed: Vec<f64>,
    objective: Expression,
    /// Σ objective × fixed value + the model's constant, added back to every objective read.
    offset: f64,
    /// Objective coefficients are divided by this for the solver.
    scale: f64,
    constraints: Vec<(usize, Constraint)>,
}

fn prepare(model: &LinearModel, integer: bool) -> Result<Prepared, SolveFailure> {
    if model.trivially_infeasible {
        return Err(SolveFailure::Infeasible);
    }
    let scale = model
        .objective
        .iter()
        .fold(1.0_f64, |m, c| m.max(c.abs()))
        .max(1.0);
    let mut vars = ProblemVariables::new();
    let mut handles = Vec::with_capacity(model.vars.len());
    let mut fixed = vec![0.0; model.vars.len()];
    let mut objective = Expression::with_capacity(model.vars.len());
    let mut offset = model.constant;
    for (idx, def) in model.vars.iter().enumerate() {
        if def.lower > def.upper + 1e-12 {
            return Err(SolveFailure::Infeasible);
        }
        if def.upper - def.lower <= 1e-12 {
            fixed[idx] = def.lower;
            offset += model.objective[idx] * def.lower;
            handles.push(None);
            continue;
        }
        let mut d = variable().min(def.lower).max(def.upper);
        if integer && def.binary {
            d = d.integer();
        }
        let v = vars.add(d);
        if model.objective[idx] != 0.0 {
            objective.add_mul(model.objective[idx] / scale, v);
        }
        handles.push(Some(v));
    }
    let mut constraints = Vec::with_capacity(model.rows.len());
    for (row_idx, row) in model.rows.iter().enumerate() {
        let mut lhs = Expression::with_capacity(row.terms.len());
        let mut rhs = row.rhs;
        let mut n_free = 0;
        for &(v, c) in &row.terms {
            match handles[v] {
                Some(h) => {
                    lhs.add_mul(c, h);
                    n_free += 1;
                }
                None => rhs -= c * fixed[v],
            }
        }
        if n_free == 0 {
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
        let constraint = match row.sense {
            Sense::Le => lhs.leq(rhs),
            Sense::Ge => lhs.geq(rhs),
            Sense::Eq => lhs.eq(rhs),
        };
        constraints.push((row_idx, constraint));
    }
    Ok(Prepared {
        vars,
        handles,
        fixed,
        objective,
        offset,
        scale,
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

fn failure_of(error: ResolutionError) -> SolveFailure {
    match error {
        ResolutionError::Infeasible => SolveFailure::Infeasible,
        ResolutionError::Other(msg) if msg.contains("Time limit") => SolveFailure::OutOfTime,
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
        let (RowKind::Capacity(t) | RowKind::Product(t) | RowKind::Stability(t)) = row.kind else {
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
        let mut solution = problem.solve().map_err(failure_of)?;
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

/// Solves the integer program with microlp, seeded with `warm` (a full assignment) when given.
/// `mip_gap` is relative to the objective without its constant, as microlp measures it.
pub fn solve_milp(
    model: &LinearModel,
    warm: Option<&[f64]>,
    mip_gap: f64,
    time_limit_secs: f64,
) -> Result<MilpAnswer, SolveFailure> {
    let prepared = prepare(model, true)?;
    let Prepared {
        vars,
        handles,
        fixed,
        objective,
        offset,
        scale,
        constraints,
    } = prepared;
    if vars.is_empty() {
        return Ok(MilpAnswer {
            values: Some(fixed),
            bound: Some(offset),
            proven: true,
        });
    }
    let run = catch_unwind(AssertUnwindSafe(move || {
        let mut problem = vars
            .maximise(objective)
            .using(microlp)
            .with_time_limit(time_limit_secs.max(0.01));
        if mip_gap > 0.0 {
            problem = problem
                .with_mip_gap(mip_gap as f32)
                .map_err(|e| SolveFailure::Other(e.to_string()))?;
        }
        if let Some(warm) = warm {
            let hint: Vec<(Variable, f64)> = handles
                .iter()
                .zip(warm)
                .zip(&model.vars)
                .filter_map(|((h, v), def)| h.filter(|_| def.binary).map(|h| (h, v.round())))
                .collect();
            problem = problem.with_initial_solution(hint);
        }
        for (_, c) in constraints {
            problem.add_constraint(c);
        }
        let solution = problem.solve().map_err(failure_of)?;
        let proven = matches!(
            solution.status(),
            good_lp::SolutionStatus::Optimal | good_lp::SolutionStatus::GapLimit
        );
        let values = read_values(&handles, &fixed, |v| solution.value(v));
        let inner = solution.into_inner();
        let bound = inner.stats().best_bound;
        Ok::<_, SolveFailure>((values, bound, proven))
    }));
    let (values, bound, proven) = run.map_err(panic_message)??;
    Ok(MilpAnswer {
        values: Some(values),
        bound: bound.map(|b| b * scale + offset),
        proven,
    })
}

/// An answer from a backend that reports optimality within its gap but no bound: the bound is
/// the objective plus the gap it was given (relative to the objective without constants).
#[cfg(any(feature = "cbc", feature = "highs"))]
fn proven_answer(
    model: &LinearModel,
    values: Vec<f64>,
    proven: bool,
    mip_gap: f64,
    offset: f64,
) -> MilpAnswer {
    let objective = model.objective_of(&values);
    let bound = proven.then(|| objective + mip_gap * (objective - offset).abs());
    MilpAnswer {
        values: Some(values),
        bound,
        proven,
    }
}

/// Serialises every use of CBC in the process. The CBC library that distributions ship is not
/// built thread-safe: two models built or solved at once (parallel tests, the sweep's parallel
/// plans) crash the process. coin_cbc's own lock covers only the solve call, so this one covers
/// building the model too.
#[cfg(feature = "cbc")]
static CBC_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Solves the integer program with CBC (feature `cbc`), seeded with `warm` when given.
#[cfg(feature = "cbc")]
pub fn solve_milp_cbc(
    model: &LinearModel,
    warm: Option<&[f64]>,
    mip_gap: f64,
    time_limit_secs: f64,
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
        });
    }
    // A poisoned lock only means another CBC call panicked; CBC holds no state between calls.
    let _only_one_cbc = CBC_LOCK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let run = catch_unwind(AssertUnwindSafe(move || {
        let mut problem = vars.maximise(objective).using(coin_cbc);
        problem.set_parameter("log", "0");
        // CBC 2.10.8 crashes in CglPreProcess::postProcess when its time limit stops the search
        // after preprocessing (seen under load, in parallel tests): leave preprocessing off.
        problem.set_parameter("preprocess", "off");
        problem.set_parameter("sec", &format!("{}", time_limit_secs.max(0.01)));
        problem.set_parameter("ratioGap", &format!("{mip_gap}"));
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
        let solution = problem.solve().map_err(failure_of)?;
        let proven = matches!(
            solution.status(),
            good_lp::SolutionStatus::Optimal | good_lp::SolutionStatus::GapLimit
        );
        let values = read_values(&handles, &fixed, |v| solution.value(v));
        Ok::<_, SolveFailure>((values, proven))
    }));
    let (values, proven) = run.map_err(panic_message)??;
    Ok(proven_answer(model, values, proven, mip_gap, offset))
}

/// Solves the integer program with HiGHS (feature `highs`).
#[cfg(feature = "highs")]
pub fn solve_milp_highs(
    model: &LinearModel,
    mip_gap: f64,
    time_limit_secs: f64,
) -> Result<MilpAnswer, SolveFailure> {
    use good_lp::solvers::highs::highs;
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
        });
    }
    let run = catch_unwind(AssertUnwindSafe(move || {
        let mut problem = vars
            .maximise(objective)
            .using(highs)
            .set_time_limit(time_limit_secs.max(0.01))
            .set_mip_rel_gap(mip_gap as f32)
            .map_err(|e| SolveFailure::Other(e.to_string()))?;
        for (_, c) in constraints {
            problem.add_constraint(c);
        }
        let solution = problem.solve().map_err(failure_of)?;
        let proven = matches!(
            solution.status(),
            good_lp::SolutionStatus::Optimal | good_lp::SolutionStatus::GapLimit
        );
        let values = read_values(&handles, &fixed, |v| solution.value(v));
        Ok::<_, SolveFailure>((values, proven))
    }));
    let (values, proven) = run.map_err(panic_message)??;
    Ok(proven_answer(model, values, proven, mip_gap, offset))
}
