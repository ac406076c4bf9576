//! The capacity frontier: net value against engineer-weeks over the horizon — the robust
//! strategy's P10–P90 band and median, and the re-planned plan's objective — one point per
//! capacity factor, each re-planned and searched again.

use plotters::prelude::*;

use super::draw::{self, err, Canvas, Px, Swatch, HEADER};
use super::style::{self, okabe_ito, Dash, Marker};
use crate::frontier::Frontier;
use crate::scenario::Scenario;

pub struct Data {
    pub currency: String,
    /// What the x axis counts: all engineer-weeks, or one team's.
    pub x_title: String,
    /// (engineer-weeks, robust P10, P50, P90, plan objective).
    pub points: Vec<(f64, f64, f64, f64, Option<f64>)>,
    pub trials: usize,
}

pub fn prepare(scenario: &Scenario, frontier: &Frontier) -> Data {
    Data {
        currency: scenario.currency.clone(),
        x_title: match &frontier.team {
            Some(team) => format!("Engineer-weeks of team {team} over the horizon"),
            None => "Engineer-weeks over the horizon".to_string(),
        },
        points: frontier
            .points
            .iter()
            .map(|p| {
                let r = &p.robust;
                let x = p.team_weeks.unwrap_or(p.engineer_weeks);
                (x, r.p10, r.p50, r.p90, p.plan.as_ref().map(|q| q.objective))
            })
            .collect(),
        trials: frontier.trials,
    }
}

pub fn draw<DB: DrawingBackend>(data: &Data, root: &Canvas<DB>, (w, h): Px) -> Result<(), String> {
    draw::subtitle(
        root,
        &format!(
            "At each capacity: re-planned, and the robust order searched again, on {} sampled futures",
            style::count(data.trials)
        ),
    )?;
    if data.points.is_empty() {
        return draw::empty_message(root, (w, h), "The frontier has no points.");
    }
    let x_range = x_range(data.points.iter().map(|p| p.0));
    let (lo, hi) = data
        .points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            let plan = p.4.unwrap_or(p.2);
            (a.min(p.1).min(plan), b.max(p.3).max(plan))
        });
    let y_range = style::padded_range(lo, hi, 0.1);
    let legend_w = 380;
    let area = root.margin(HEADER as u32, 20, 20, legend_w as u32);
    let weeks = |v: &f64| style::compact(*v);
    let money = |v: &f64| style::money(*v, &data.currency);
    let spec = draw::Axes {
        room: (90, 130),
        x: Some((8, &weeks)),
        y: Some((8, &money)),
        x_title: Some(data.x_title.clone()),
        y_title: Some(draw::money_title(
            "Net value over the horizon",
            &data.currency,
        )),
        quiet: false,
    };
    let plot = draw::axes(&area, x_range, y_range, spec)?;
    let px = |x: f64, y: f64| plot.map_coordinate(&(x, y));
    let band: Vec<Px> = data
        .points
        .iter()
        .map(|p| px(p.0, p.3))
        .chain(data.points.iter().rev().map(|p| px(p.0, p.1)))
        .collect();
    root.draw(&Polygon::new(
        band,
        draw::tint(&okabe_ito::SKY_BLUE, 0.35).filled(),
    ))
    .map_err(err)?;
    let plan: Vec<Px> = data
        .points
        .iter()
        .filter_map(|p| p.4.map(|v| px(p.0, v)))
        .collect();
    draw::line(root, &plan, &style::MUTED, 3, Dash::Dotted)?;
    for p in &plan {
        draw::marker(root, *p, Marker::Cross, &style::MUTED, 6)?;
    }
    let p50: Vec<Px> = data.points.iter().map(|p| px(p.0, p.2)).collect();
    draw::line(root, &p50, &okabe_ito::BLUE, 4, Dash::Solid)?;
    for p in &p50 {
        draw::marker(root, *p, Marker::Circle, &okabe_ito::BLUE, 7)?;
    }
    let entries = vec![
        (
            "robust P50 (median)".to_string(),
            Swatch::Line(okabe_ito::BLUE, Dash::Solid, Some(Marker::Circle)),
        ),
        (
            "robust P10–P90 band".to_string(),
            Swatch::Band(okabe_ito::SKY_BLUE),
        ),
        (
            "re-planned plan".to_string(),
            Swatch::Line(style::MUTED, Dash::Dotted, Some(Marker::Cross)),
        ),
    ];
    draw::legend(root, (w - legend_w + 30, HEADER + 10), &entries, 28)?;
    Ok(())
}

/// The engineer-weeks axis: the points' range padded by 4% (at least one engineer-week), never
/// below 0 when no point is: a team of no capacity sits at the axis's 0, not mid-axis.
fn x_range(weeks: impl Iterator<Item = f64>) -> (f64, f64) {
    let (x0, x1) = weeks.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    let pad = ((x1 - x0) * 0.04).max(1.0);
    ((x0 - pad).max(x0.min(0.0)), x1 + pad)
}

#[cfg(test)]
mod tests {
    use super::x_range;

    #[test]
    fn the_weeks_axis_never_goes_below_zero() {
        assert_eq!(x_range([0.0, 0.0].into_iter()), (0.0, 1.0));
        assert_eq!(x_range([100.0, 200.0].into_iter()), (96.0, 204.0));
        assert_eq!(x_range([0.5, 2.0].into_iter()), (0.0, 3.0));
    }
}
