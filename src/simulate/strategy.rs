//! Sequencing strategies compiled for replay: priority orders (from estimate means, never a
//! trial's samples), reserved stability shares, and the plan's per-period amounts.

use super::StrategySpec;
use crate::error::Error;
use crate::plan::Plan;
use crate::scenario::{Class, Scenario};

/// Items in priority order, highest first; `stability` is the same order restricted to
/// stability-class items (they alone may use the reserved share).
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub all: Vec<u32>,
    pub stability: Vec<u32>,
    /// Position of each item in `all`.
    pub rank_of: Vec<u32>,
    /// Bit r set when the item of rank r is stability-class (64 ranks per word).
    pub stability_mask: Vec<u64>,
    /// Bit r set when the item of rank r has no prerequisites (may take work from period 1).
    pub initial_alive: Vec<u64>,
}

impl Order {
    /// The order `all` (every initiative once, highest priority first).
    pub fn new(all: Vec<u32>, scenario: &Scenario) -> Order {
        let mut order = Order {
            all: Vec::new(),
            stability: Vec::new(),
            rank_of: Vec::new(),
            stability_mask: Vec::new(),
            initial_alive: Vec::new(),
        };
        order.assign(&all, scenario);
        order
    }

    /// Rewrites this order in place as `all`, reusing its buffers (the robust search replays
    /// thousands of candidate orders without allocating).
    pub fn assign(&mut self, all: &[u32], scenario: &Scenario) {
        let is_stability = |i: u32| scenario.initiatives[i as usize].class == Class::Stability;
        let words = all.len().div_ceil(64);
        self.all.clear();
        self.all.extend_from_slice(all);
        self.stability.clear();
        self.stability
            .extend(all.iter().copied().filter(|&i| is_stability(i)));
        self.rank_of.clear();
        self.rank_of.resize(all.len(), 0);
        self.stability_mask.clear();
        self.stability_mask.resize(words, 0);
        self.initial_alive.clear();
        self.initial_alive.resize(words, 0);
        for (rank, &i) in all.iter().enumerate() {
            self.rank_of[i as usize] = rank as u32;
            if is_stability(i) {
                self.stability_mask[rank / 64] |= 1 << (rank % 64);
            }
            if scenario.initiatives[i as usize].requires.is_empty() {
                self.initial_alive[rank / 64] |= 1 << (rank % 64);
            }
        }
    }
}

/// The plan as the replay needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanReplay {
    /// The planned work of each period, items in plan order:
    /// `work[work_start[period_idx]..work_start[period_idx + 1]]`.
    pub work_start: Vec<usize>,
    pub work: Vec<PlannedWork>,
    /// The last period (1-based) with planned work, 0 for items the plan leaves out.
    pub last_work_period: Vec<u32>,
    /// The planned delivery period when the plan holds the item back past its last work period,
    /// else 0 (delivered as soon as its work is done).
    pub hold_until: Vec<u32>,
    /// Items the plan works on, by planned delivery period, then start, then file order.
    pub order: Vec<u32>,
    /// Position of each item in `order` (`u32::MAX` for items the plan leaves out).
    pub rank_of: Vec<u32>,
    /// Plan ranks of the items whose last planned work is in each period (they may overrun from
    /// then on): `join_ranks[joins_start[period_idx]..joins_start[period_idx + 1]]`.
    pub joins_start: Vec<usize>,
    pub join_ranks: Vec<u32>,
}

/// One item's planned engineer-weeks in one period (e_i × x[i,t] > 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlannedWork {
    pub weeks: f64,
    pub item: u32,
    /// Product class: its work counts against the shared (1 − s) K_t.
    pub is_product: bool,
}

impl PlanReplay {
    /// The planned work of period `period_idx`, in plan order.
    #[inline]
    pub fn work_in(&self, period_idx: usize) -> &[PlannedWork] {
        &self.work[self.work_start[period_idx]..self.work_start[period_idx + 1]]
    }

    /// The plan ranks of the items that join the overrun pool at the end of `period_idx`.
    #[inline]
    pub fn joins_in(&self, period_idx: usize) -> &[u32] {
        &self.join_ranks[self.joins_start[period_idx]..self.joins_start[period_idx + 1]]
    }
}

/// How a strategy decides who gets capacity.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// Fill capacity in a priority order; `order_of_period[period_idx]` picks one of `orders`.
    Priority {
        orders: Vec<Order>,
        order_of_period: Vec<u8>,
    },
    /// Replay the plan's amounts.
    Plan(PlanReplay),
}

/// A strategy ready to replay.
#[derive(Debug, Clone, PartialEq)]
pub struct Strategy {
    pub name: String,
    /// The reserved stability share s.
    pub stability_share: f64,
    pub rule: Rule,
}

/// Initiatives by WSJF, highest first, ties in file order.
pub fn wsjf_order(scenario: &Scenario) -> Vec<u32> {
    let mut idx: Vec<u32> = (0..scenario.initiatives.len() as u32).collect();
    let score: Vec<f64> = scenario
        .initiatives
        .iter()
        .map(|i| {
            let s = i.wsjf();
            if s.is_nan() {
                f64::NEG_INFINITY
            } else {
                s
            }
        })
        .collect();
    idx.sort_by(|&a, &b| score[b as usize].total_cmp(&score[a as usize]));
    idx
}

/// The plan's priorities: the items the plan works on by planned delivery period (undelivered
/// last), then start, then file order; then the items it leaves out in WSJF order.
pub fn plan_order(scenario: &Scenario, plan: &Plan) -> Vec<u32> {
    let mut in_plan: Vec<(usize, usize, u32)> = plan
        .initiatives
        .iter()
        .enumerate()
        .filter(|(_, item)| item.shares.iter().any(|&x| x.is_finite() && x > 0.0))
        .map(|(i, item)| {
            (
                item.delivery.unwrap_or(usize::MAX),
                item.start.unwrap_or(usize::MAX),
                i as u32,
            )
        })
        .collect();
    in_plan.sort();
    let mut all: Vec<u32> = in_plan.iter().map(|&(_, _, i)| i).collect();
    let mut seen = vec![false; scenario.initiatives.len()];
    for &i in &all {
        seen[i as usize] = true;
    }
    all.extend(
        wsjf_order(scenario)
            .into_iter()
            .filter(|&i| !seen[i as usize]),
    );
    all
}

/// `listed` first (ids of the scenario, duplicates dropped), then every other item in WSJF order.
fn listed_then_wsjf(scenario: &Scenario, listed: &[usize]) -> Vec<u32> {
    let n = scenario.initiatives.len();
    let mut seen = vec![false; n];
    let mut all = Vec::with_capacity(n);
    let rest = wsjf_order(scenario).into_iter().map(|i| i as usize);
    for i in listed.iter().copied().chain(rest) {
        if i < n && !seen[i] {
            seen[i] = true;
            all.push(i as u32);
        }
    }
    all
}

/// A strategy that fills capacity in one priority order with reserved share `share`.
pub fn priority_strategy(name: String, all: Vec<u32>, share: f64, scenario: &Scenario) -> Strategy {
    Strategy {
        name,
        stability_share: share,
        rule: Rule::Priority {
            orders: vec![Order::new(all, scenario)],
            order_of_period: vec![0; scenario.periods],
        },
    }
}

/// WSJF order with one class first.
fn class_first_order(scenario: &Scenario, first: Class) -> Vec<u32> {
    let wsjf = wsjf_order(scenario);
    let (mut head, tail): (Vec<u32>, Vec<u32>) = wsjf
        .into_iter()
        .partition(|&i| scenario.initiatives[i as usize].class == first);
    head.extend(tail);
    head
}

/// Compiles one strategy. `plan` is needed for [`StrategySpec::Plan`].
pub fn compile_strategy(
    scenario: &Scenario,
    plan: Option<&Plan>,
    spec: &StrategySpec,
) -> Result<Strategy, Error> {
    let min_share = scenario.capacity.stability_min;
    let n_periods = scenario.periods;
    let single = |all: Vec<u32>| Rule::Priority {
        orders: vec![Order::new(all, scenario)],
        order_of_period: vec![0; n_periods],
    };
    let (stability_share, rule) = match spec {
        StrategySpec::Plan => {
            let plan = plan.ok_or_else(|| {
                Error::Internal("the `plan` strategy needs a plan to replay".into())
            })?;
            (
                plan.stability_min,
                Rule::Plan(compile_plan(scenario, plan)?),
            )
        }
        StrategySpec::Wsjf => (min_share, single(wsjf_order(scenario))),
        StrategySpec::FeaturesFirst => (
            min_share,
            single(class_first_order(scenario, Class::Product)),
        ),
        StrategySpec::DebtFirst => (
            min_share,
            single(class_first_order(scenario, Class::Stability)),
        ),
        StrategySpec::Share { share, .. } => (*share, single(wsjf_order(scenario))),
        StrategySpec::DebtSprint(k) => {
            let k = (*k).max(1);
            let orders = vec![
                Order::new(class_first_order(scenario, Class::Product), scenario),
                Order::new(class_first_order(scenario, Class::Stability), scenario),
            ];
            let order_of_period = (1..=n_periods).map(|t| u8::from(t % k == 0)).collect();
            (
                min_share,
                Rule::Priority {
                    orders,
                    order_of_period,
                },
            )
        }
        StrategySpec::PlanOrder => {
            let plan = plan
                .ok_or_else(|| Error::Internal("the `plan-order` strategy needs a plan".into()))?;
            (plan.stability_min, single(plan_order(scenario, plan)))
        }
        StrategySpec::Custom(idx) => {
            let custom = scenario.strategies.get(*idx).ok_or_else(|| {
                Error::Internal(format!("custom strategy #{idx} is not in the scenario"))
            })?;
            (
                custom.stability_share.unwrap_or(min_share),
                single(listed_then_wsjf(scenario, &custom.order)),
            )
        }
        StrategySpec::Robust => {
            return Err(Error::Internal(
                "the `robust` strategy is compiled from its search, not from a spec".into(),
            ))
        }
    };
    Ok(Strategy {
        name: spec.name(scenario),
        stability_share,
        rule,
    })
}

fn compile_plan(scenario: &Scenario, plan: &Plan) -> Result<PlanReplay, Error> {
    let n = scenario.initiatives.len();
    let n_periods = scenario.periods;
    if plan.initiatives.len() != n || plan.initiatives.iter().any(|p| p.shares.len() != n_periods) {
        return Err(Error::Internal(format!(
            "the plan does not match the scenario: expected {n} initiatives over {n_periods} periods"
        )));
    }
    let mut planned_weeks = vec![0.0; n * n_periods];
    let mut last_work_period = vec![0u32; n];
    let mut hold_until = vec![0u32; n];
    let mut in_plan = Vec::new();
    for (i, item) in plan.initiatives.iter().enumerate() {
        let effort = if item.effort.is_finite() && item.effort > 0.0 {
            item.effort
        } else {
            scenario.initiatives[i].remaining_effort_mean()
        };
        for (period_idx, &share) in item.shares.iter().enumerate() {
            if share.is_finite() && share > 0.0 {
                planned_weeks[i * n_periods + period_idx] = effort * share;
                last_work_period[i] = period_idx as u32 + 1;
            }
        }
        if last_work_period[i] > 0 {
            let start = item.start.unwrap_or(usize::MAX);
            let delivery = item.delivery.unwrap_or(usize::MAX);
            in_plan.push((delivery, start, i));
            if let Some(d) = item.delivery {
                if d as u32 > last_work_period[i] {
                    hold_until[i] = d as u32;
                }
            } else {
                // Worked on but never delivered by the plan: held back for good.
                hold_until[i] = u32::MAX;
            }
        }
    }
    in_plan.sort();
    let order: Vec<u32> = in_plan.iter().map(|&(_, _, i)| i as u32).collect();
    let mut rank_of = vec![u32::MAX; n];
    for (rank, &i) in order.iter().enumerate() {
        rank_of[i as usize] = rank as u32;
    }
    let mut joins_start = vec![0];
    let mut join_ranks = Vec::new();
    for period in 1..=n_periods as u32 {
        join_ranks.extend(
            (0..order.len() as u32)
                .filter(|&rank| last_work_period[order[rank as usize] as usize] == period),
        );
        joins_start.push(join_ranks.len());
    }
    let mut work_start = vec![0];
    let mut work = Vec::new();
    for period_idx in 0..n_periods {
        for &(_, _, i) in &in_plan {
            let weeks = planned_weeks[i * n_periods + period_idx];
            if weeks > 0.0 {
                work.push(PlannedWork {
                    weeks,
                    item: i as u32,
                    is_product: scenario.initiatives[i].class != Class::Stability,
                });
            }
        }
        work_start.push(work.len());
    }
    Ok(PlanReplay {
        work_start,
        work,
        last_work_period,
        hold_until,
        order,
        rank_of,
        joins_start,
        join_ranks,
    })
}
