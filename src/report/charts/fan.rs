//! The fan chart: cumulative net value by the end of each period, P10–P90 band and median, one
//! panel per strategy on a shared scale.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{self, err, Canvas, Font, Plot, Px, HEADER};
use super::style::{self, Dash};
use crate::scenario::Scenario;
use crate::simulate::{Band, Simulation};

pub struct Panel {
    pub name: String,
    /// `bands[k]` at the end of period k; `bands[0]` is the start (all zero).
    pub bands: Vec<Band>,
}

pub struct Data {
    /// The scenario counts value earned after the horizon (in the last period).
    pub terminal: bool,
    pub currency: String,
    pub trials: usize,
    pub labels: Vec<String>,
    pub panels: Vec<Panel>,
    pub y_range: (f64, f64),
}

/// Columns and rows of the panel grid.
pub fn grid(n: usize) -> (usize, usize) {
    let cols = match n {
        0 | 1 => 1,
        2 | 4 => 2,
        _ => 3,
    };
    (cols, n.max(1).div_ceil(cols))
}

/// Height of a grid of `rows` panels, each at least `panel` pixels high.
pub fn grid_height(rows: usize, panel: u32) -> u32 {
    style::HEIGHT.max(HEADER as u32 + rows as u32 * panel + 20)
}

impl Data {
    pub fn height(&self) -> u32 {
        grid_height(grid(self.panels.len()).1, 400)
    }
}

pub fn prepare(scenario: &Scenario, sim: &Simulation) -> Data {
    let start = Band::default();
    let panels: Vec<Panel> = sim
        .strategies
        .iter()
        .map(|s| {
            let mut bands = vec![start];
            bands.extend(s.cumulative.iter().copied());
            Panel {
                name: s.name.clone(),
                bands,
            }
        })
        .collect();
    let (lo, hi) = panels
        .iter()
        .flat_map(|p| p.bands.iter())
        .fold((0.0f64, 0.0f64), |(lo, hi), b| {
            (lo.min(b.p10).min(b.p50), hi.max(b.p90).max(b.p50))
        });
    Data {
        terminal: scenario.terminal_periods > 0,
        currency: scenario.currency.clone(),
        trials: if sim.band_trials > 0 {
            sim.band_trials
        } else {
            sim.trials
        },
        labels: scenario.labels.clone(),
        panels,
        y_range: style::padded_range(lo, hi, 0.06),
    }
}

/// The label of the end of period `k` (0 is the start).
pub fn period_tick(labels: &[String], k: f64) -> String {
    if (k - k.round()).abs() > 1e-6 || k < 0.0 {
        return String::new();
    }
    let k = k.round() as usize;
    if k == 0 {
        "start".into()
    } else {
        labels.get(k - 1).cloned().unwrap_or_default()
    }
}

/// Draws the axes of a panel on `cell`, `top` pixels under its top: the periods' ends along x,
/// labelled under the plot (see [`period_tick`]), and `y` up the side, as `spec` says.
pub fn panel_axes<DB: DrawingBackend>(
    root: &Canvas<DB>,
    cell: &Canvas<DB>,
    top: i32,
    y: (f64, f64),
    spec: draw::Axes,
    labels: &[String],
) -> Result<Plot<DB>, String> {
    let x = (0.0, labels.len() as f64);
    let plot = draw::axes(&cell.margin(top, 0, 0, 44), x, y, spec)?;
    let ticks: Vec<(Px, String)> = (0..=labels.len())
        .map(|t| {
            let at = plot.map_coordinate(&(t as f64, y.0));
            (at, period_tick(labels, t as f64))
        })
        .collect();
    draw::axis_labels(root, &ticks)?;
    Ok(plot)
}

pub fn draw<DB: DrawingBackend>(data: &Data, root: &Canvas<DB>, (w, h): Px) -> Result<(), String> {
    draw::subtitle(
        root,
        &format!(
            "Net value so far, by the end of each period · shaded: P10–P90 of {} sampled futures · line: median{}",
            style::count(data.trials),
            if data.terminal {
                " · the last period adds the value earned after the horizon"
            } else {
                ""
            }
        ),
    )?;
    if data.panels.is_empty() {
        return draw::empty_message(root, (w, h), "No strategy was simulated.");
    }
    let (cols, rows) = grid(data.panels.len());
    let body = root.margin(HEADER as u32, 10, 10, 30);
    let cells = body.split_evenly((rows, cols));
    let periods = data.labels.len();
    for (k, (panel, cell)) in data.panels.iter().zip(cells.iter()).enumerate() {
        let color = style::series_color(k);
        let money = |v: &f64| style::money(*v, &data.currency);
        // The y axis's title once per row of panels, at its left.
        let y_title = match k % cols {
            0 => draw::money_title("Cumulative net value", &data.currency),
            _ => String::new(),
        };
        let spec = draw::Axes {
            room: (64, 130),
            y: Some((6, &money)),
            y_title: Some(y_title),
            quiet: true,
            ..draw::Axes::default()
        };
        let plot = panel_axes(root, cell, 48, data.y_range, spec, &data.labels)?;
        let px = |x: f64, y: f64| plot.map_coordinate(&(x, y));
        // Panel title.
        let (x0, _) = px(0.0, 0.0);
        let (_, ytop) = px(0.0, data.y_range.1);
        draw::label(
            root,
            &style::truncate(&panel.name, 40),
            (x0, ytop - 14),
            Font::bold(style::LEGEND_SIZE + 2.0),
            &color,
            HPos::Left,
            VPos::Bottom,
        )?;
        if data.y_range.0 < 0.0 {
            let zero = [px(0.0, 0.0), px(periods as f64, 0.0)];
            draw::line(root, &zero, &style::MUTED, 2, Dash::Dashed)?;
        }
        let mut band: Vec<Px> = panel
            .bands
            .iter()
            .enumerate()
            .map(|(t, b)| px(t as f64, b.p90))
            .collect();
        band.extend(
            panel
                .bands
                .iter()
                .enumerate()
                .rev()
                .map(|(t, b)| px(t as f64, b.p10)),
        );
        root.draw(&Polygon::new(band, draw::tint(&color, 0.3).filled()))
            .map_err(err)?;
        for upper in [false, true] {
            let pts: Vec<Px> = panel
                .bands
                .iter()
                .enumerate()
                .map(|(t, b)| px(t as f64, if upper { b.p90 } else { b.p10 }))
                .collect();
            draw::line(root, &pts, &draw::tint(&color, 0.6), 1, Dash::Solid)?;
        }
        let median: Vec<Px> = panel
            .bands
            .iter()
            .enumerate()
            .map(|(t, b)| px(t as f64, b.p50))
            .collect();
        draw::line(root, &median, &color, 4, Dash::Solid)?;
        for p in median.iter().skip(1) {
            draw::marker(root, *p, style::series_marker(k), &color, 6)?;
        }
        // The final median, written at the end of the line.
        if let Some(last) = panel.bands.last() {
            let (ex, ey) = px(periods as f64, last.p50);
            draw::label(
                root,
                &style::money(last.p50, &data.currency),
                (ex - 10, ey - 14),
                style::NOTE_SIZE,
                &style::INK,
                HPos::Right,
                VPos::Bottom,
            )?;
        }
    }
    Ok(())
}
