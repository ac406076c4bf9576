//! Where the next engineer pays off: each team's frontier over one engineer fewer, today's
//! capacity and one engineer more — the robust strategy's median net value (solid, circles) and
//! the re-planned plan's objective (dotted) — one colour, dash and marker per team.

use plotters::prelude::*;

use super::draw::{self, Canvas, Px, Swatch, HEADER};
use super::style::{self, Dash, Marker};
use crate::review::TeamOutlook;
use crate::scenario::Scenario;

/// One point of a team's line: engineers against today, the robust P50, the plan's objective.
type Point = (f64, f64, Option<f64>);

pub struct Data {
    pub currency: String,
    /// (team name, its points from one engineer fewer to one more).
    pub teams: Vec<(String, Vec<Point>)>,
}

pub fn prepare(scenario: &Scenario, teams: &[TeamOutlook]) -> Data {
    Data {
        currency: scenario.currency.clone(),
        teams: teams
            .iter()
            .map(|t| {
                let points = t
                    .points
                    .iter()
                    .zip([-1.0, 0.0, 1.0])
                    .map(|(p, dx)| (dx, p.robust.p50, p.plan.as_ref().map(|q| q.objective)))
                    .collect();
                (t.name.clone(), points)
            })
            .collect(),
    }
}

pub fn draw<DB: DrawingBackend>(data: &Data, root: &Canvas<DB>, (w, h): Px) -> Result<(), String> {
    draw::subtitle(
        root,
        "Each team one engineer lower and higher, re-planned from today's plan and the robust strategy searched again",
    )?;
    if data.teams.is_empty() {
        return draw::empty_message(root, (w, h), "The scenario has no teams.");
    }
    let values = data.teams.iter().flat_map(|(_, points)| {
        points
            .iter()
            .flat_map(|(_, r, p)| std::iter::once(*r).chain(*p))
    });
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let y_range = style::padded_range(lo, hi, 0.1);
    let legend_w = 420;
    let area = root.margin(HEADER as u32, 20, 20, legend_w as u32);
    let engineers = |v: &f64| match v.round() as i64 {
        0 => "today".to_string(),
        n => format!("{n:+} engineer"),
    };
    let money = |v: &f64| style::money(*v, &data.currency);
    let spec = draw::Axes {
        room: (90, 130),
        x: Some((3, &engineers)),
        y: Some((8, &money)),
        x_title: Some("Engineers in the team, against today".into()),
        y_title: Some(draw::money_title(
            "Net value over the horizon",
            &data.currency,
        )),
        quiet: false,
    };
    let plot = draw::axes(&area, (-1.15, 1.15), y_range, spec)?;
    let px = |x: f64, y: f64| plot.map_coordinate(&(x, y));
    let markers = [
        Marker::Circle,
        Marker::Square,
        Marker::Triangle,
        Marker::Diamond,
        Marker::Cross,
    ];
    // Dotted is the plan's: the robust lines take the other dashes.
    let dashes = [Dash::Solid, Dash::Dashed, Dash::Long];
    let mut entries = Vec::new();
    for (k, (name, points)) in data.teams.iter().enumerate() {
        let color = style::series_color(k);
        let marker = markers[k % markers.len()];
        let dash = dashes[k % dashes.len()];
        let robust: Vec<Px> = points.iter().map(|(x, r, _)| px(*x, *r)).collect();
        draw::line(root, &robust, &color, 4, dash)?;
        for p in &robust {
            draw::marker(root, *p, marker, &color, 7)?;
        }
        let plan: Vec<Px> = points
            .iter()
            .filter_map(|(x, _, p)| p.map(|v| px(*x, v)))
            .collect();
        draw::line(root, &plan, &color, 2, Dash::Dotted)?;
        entries.push((
            format!("{name}: robust P50"),
            Swatch::Line(color, dash, Some(marker)),
        ));
    }
    entries.push((
        "dotted: re-planned plan".to_string(),
        Swatch::Line(style::MUTED, Dash::Dotted, None),
    ));
    draw::legend(root, (w - legend_w + 30, HEADER + 10), &entries, 28)?;
    Ok(())
}
