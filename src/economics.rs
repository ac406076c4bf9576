//! The model's economics in one home (SPEC "Planner", "Simulator"): the drag law, the discount
//! factors, and the settlement of an item's value, one-time value, terminal value, cost of delay
//! and soft-deadline penalty by the period it is delivered in.
//!
//! The planner's program, its heuristic and infeasibility explainer, `validate`'s summary and the
//! simulator all call these functions, so the law and the accounting are written once. Delivery
//! periods are 1-based; 0 means "not delivered within the horizon".

use crate::scenario::Debt;

/// d_t = (1 + r)^(−t / periods_per_year) for period t (t = 0 gives 1): end-of-period discounting
/// from t = 1 at the annual rate `rate`.
pub fn discount_factor(rate: f64, periods_per_year: f64, period: usize) -> f64 {
    (1.0 + rate).powf(-(period as f64) / periods_per_year)
}

/// d_t for t = 0..=T.
pub fn discount_factors(rate: f64, periods_per_year: f64, n_periods: usize) -> Vec<f64> {
    (0..=n_periods)
        .map(|t| discount_factor(rate, periods_per_year, t))
        .collect()
}

/// The drag before relief in period t (1-based): min(ceiling, drag + growth × (t − 1)). It grows
/// every period whether or not debt is paid down.
pub fn base_drag(debt: &Debt, period: usize, growth: f64) -> f64 {
    debt.ceiling.min(debt.drag + growth * (period as f64 - 1.0))
}

/// The drag after relief: relief (Σ debt_relief of the items delivered by the end of t − 1) is
/// subtracted after the ceiling, and the drag never goes below 0.
#[inline]
pub fn drag_after_relief(base: f64, relief: f64) -> f64 {
    (base - relief).max(0.0)
}

/// What one unit of per-period value earns when the item is delivered in period `delivered`
/// (`discount[t]` = d_t, t = 0..=T): Σ_{t = D+1..T} d_t + terminal_periods × d_T; 0 when not
/// delivered in the horizon.
pub fn value_weight(discount: &[f64], terminal_periods: f64, delivered: usize) -> f64 {
    let t_end = discount.len() - 1;
    if delivered == 0 || delivered > t_end {
        return 0.0;
    }
    discount[delivered + 1..=t_end].iter().sum::<f64>() + terminal_periods * discount[t_end]
}

/// What one unit of one-time value earns when delivered in period `delivered`: d_D (0 when not
/// delivered in the horizon).
pub fn one_time_weight(discount: &[f64], delivered: usize) -> f64 {
    let t_end = discount.len() - 1;
    if delivered == 0 || delivered > t_end {
        0.0
    } else {
        discount[delivered]
    }
}

/// What one unit of cost of delay per period costs when the item is delivered in `delivered`:
/// it is paid in every period t not yet delivered at its start, Σ_{t = 1..min(D, T)} d_t, or
/// Σ_{t = 1..T} d_t when not delivered in the horizon.
pub fn delay_weight(discount: &[f64], delivered: usize) -> f64 {
    let t_end = discount.len() - 1;
    let paid_until = if delivered == 0 {
        t_end
    } else {
        delivered.min(t_end)
    };
    discount[1..=paid_until].iter().sum()
}

/// Whether a soft deadline at `deadline` is missed by a delivery in `delivered` (0: never): its
/// penalty is then paid once, undiscounted.
#[inline]
pub fn deadline_missed(delivered: usize, deadline: usize) -> bool {
    delivered == 0 || delivered > deadline
}

/// One item's numbers for its settlement.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ItemTerms {
    /// Value per period once delivered.
    pub value: f64,
    pub one_time_value: f64,
    /// Cost of delay per period while undelivered.
    pub cost_of_delay: f64,
    /// Soft deadline (period, penalty).
    pub soft_deadline: Option<(usize, f64)>,
}

/// One item's settlement: value earned, cost of delay and penalty for a delivery in `delivered`
/// (0: not in the horizon), discounted with `discount`.
pub fn settle_item(
    discount: &[f64],
    terminal_periods: f64,
    item: &ItemTerms,
    delivered: usize,
) -> (f64, f64, f64) {
    let value_earned = item.value * value_weight(discount, terminal_periods, delivered)
        + item.one_time_value * one_time_weight(discount, delivered);
    let cost_of_delay = item.cost_of_delay * delay_weight(discount, delivered);
    let penalty = match item.soft_deadline {
        Some((k, p)) if deadline_missed(delivered, k) => p,
        _ => 0.0,
    };
    (value_earned, cost_of_delay, penalty)
}

/// The same accounting written over the program's delivery variables y[i,t] ("delivered by the
/// end of t"): the coefficient of y[i,t] in the objective (t 1-based). With D the delivery
/// period, net(D) = Σ_{t ≥ D} coefficient(t) + [`objective_constant_of`], so y_t (t < T) gets
/// d_{t+1} (v + c) + o (d_t − d_{t+1}) and y_T gets d_T (o + v × terminal_periods); a soft
/// deadline adds its penalty to y_k.
pub fn y_coefficient(
    discount: &[f64],
    terminal_periods: f64,
    item: &ItemTerms,
    period: usize,
) -> f64 {
    let d = discount;
    let t_end = d.len() - 1;
    let mut coef = if period < t_end {
        d[period + 1] * (item.value + item.cost_of_delay)
            + item.one_time_value * (d[period] - d[period + 1])
    } else {
        d[t_end] * (item.one_time_value + item.value * terminal_periods)
    };
    if let Some((k, penalty)) = item.soft_deadline {
        if k == period {
            coef += penalty;
        }
    }
    coef
}

/// The objective's constant term for one item over y: what never delivering it costs,
/// −p − c Σ_{t=1..T} d_t.
pub fn objective_constant_of(discount: &[f64], item: &ItemTerms) -> f64 {
    let discount_sum: f64 = discount[1..].iter().sum();
    -(item.soft_deadline.map_or(0.0, |(_, p)| p) + item.cost_of_delay * discount_sum)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Estimate;

    #[test]
    fn the_drag_law_grows_to_its_ceiling_and_relief_comes_after_it() {
        let debt = Debt {
            drag: 0.10,
            growth: Estimate::fixed(0.05),
            ceiling: 0.25,
        };
        assert!((base_drag(&debt, 1, 0.05) - 0.10).abs() < 1e-12);
        assert!((base_drag(&debt, 3, 0.05) - 0.20).abs() < 1e-12);
        assert!((base_drag(&debt, 5, 0.05) - 0.25).abs() < 1e-12);
        assert!((drag_after_relief(base_drag(&debt, 5, 0.05), 0.10) - 0.15).abs() < 1e-12);
        assert_eq!(drag_after_relief(0.1, 0.3), 0.0);
    }

    #[test]
    fn settlement_by_hand_and_over_y_agree() {
        // 8% a year, quarters, 5 periods, 2 terminal periods.
        let d = discount_factors(0.08, 4.0, 5);
        assert_eq!(d[0], 1.0);
        assert!((d[4] - 1.0 / 1.08).abs() < 1e-12);
        let item = ItemTerms {
            value: 100.0,
            one_time_value: 500.0,
            cost_of_delay: 30.0,
            soft_deadline: Some((2, 70.0)),
        };
        // Delivered in 3: value in 4 and 5 plus 2 × d_5, one-time at d_3, delay in 1..=3, the
        // deadline of 2 missed.
        let (v, c, p) = settle_item(&d, 2.0, &item, 3);
        assert!((v - (100.0 * (d[4] + d[5] + 2.0 * d[5]) + 500.0 * d[3])).abs() < 1e-9);
        assert!((c - 30.0 * (d[1] + d[2] + d[3])).abs() < 1e-9);
        assert_eq!(p, 70.0);
        // Never delivered: no value, delay in every period, the penalty.
        let (v, c, p) = settle_item(&d, 2.0, &item, 0);
        assert_eq!(v, 0.0);
        assert!((c - 30.0 * d[1..].iter().sum::<f64>()).abs() < 1e-9);
        assert_eq!(p, 70.0);
        // Over y: the coefficients from D on plus the constant give the same net value.
        for delivered in 0..=5usize {
            let (v, c, p) = settle_item(&d, 2.0, &item, delivered);
            let over_y: f64 = if delivered == 0 {
                0.0
            } else {
                (delivered..=5)
                    .map(|t| y_coefficient(&d, 2.0, &item, t))
                    .sum()
            };
            let net = over_y + objective_constant_of(&d, &item);
            assert!(
                (net - (v - c - p)).abs() < 1e-9,
                "delivered {delivered}: {net} vs {}",
                v - c - p
            );
        }
    }
}
