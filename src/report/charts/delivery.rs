//! Delivery S-curves: P(delivered by the end of each period) for the items with a deadline or a
//! commitment, one panel per item, one line per strategy, the deadline marked.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{self, err, Canvas, Font, Px, Swatch, HEADER};
use super::fan::{grid, grid_height, panel_axes};
use super::style::{self, Dash};
use crate::scenario::{Deadline, Scenario};
use crate::simulate::Simulation;

/// At most this many panels; the rest are in the report's tables.
pub const MAX_PANELS: usize = 9;

pub struct Item {
    pub name: String,
    /// The period it is due by (the deadline, or the horizon for a commitment).
    pub due: usize,
    /// How the due date reads in the panel: "hard deadline", "soft deadline", "committed".
    pub due_kind: &'static str,
    /// One curve per strategy: `curves[s][k]` = P(delivered by the end of period k), k = 0..=T.
    pub curves: Vec<Vec<f64>>,
}

pub struct Data {
    pub labels: Vec<String>,
    pub strategies: Vec<String>,
    pub items: Vec<Item>,
    /// Items with a deadline or commitment left out for space.
    pub omitted: usize,
}

impl Data {
    pub fn height(&self) -> u32 {
        grid_height(grid(self.items.len()).1, 380) + 50
    }
}

/// The items worth a panel, most pressing first: hard deadlines, soft deadlines, commitments.
pub fn pressing_items(scenario: &Scenario) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..scenario.initiatives.len())
        .filter(|&i| {
            let it = &scenario.initiatives[i];
            it.deadline.is_some() || it.commit
        })
        .collect();
    idx.sort_by_key(|&i| {
        let it = &scenario.initiatives[i];
        match it.deadline {
            Some(Deadline::Hard { period }) => (0, period, i),
            Some(Deadline::Soft { period, .. }) => (1, period, i),
            None => (2, scenario.periods, i),
        }
    });
    idx
}

pub fn prepare(scenario: &Scenario, sim: &Simulation) -> Data {
    let all = pressing_items(scenario);
    let omitted = all.len().saturating_sub(MAX_PANELS);
    let items = all
        .into_iter()
        .take(MAX_PANELS)
        .map(|i| {
            let it = &scenario.initiatives[i];
            let (due, due_kind) = match it.deadline {
                Some(Deadline::Hard { period }) => (period, "hard deadline"),
                Some(Deadline::Soft { period, .. }) => (period, "soft deadline"),
                None => (scenario.periods, "committed"),
            };
            let curves = sim
                .strategies
                .iter()
                .map(|s| {
                    let by = s
                        .initiatives
                        .iter()
                        .find(|o| o.id == it.id)
                        .map(|o| o.delivered_by.clone())
                        .unwrap_or_default();
                    let mut curve = vec![0.0];
                    curve.extend((0..scenario.periods).map(|k| by.get(k).copied().unwrap_or(0.0)));
                    curve
                })
                .collect();
            Item {
                name: it.name.clone(),
                due,
                due_kind,
                curves,
            }
        })
        .collect();
    Data {
        labels: scenario.labels.clone(),
        strategies: sim.strategies.iter().map(|s| s.name.clone()).collect(),
        items,
        omitted,
    }
}

pub fn draw<DB: DrawingBackend>(data: &Data, root: &Canvas<DB>, (w, h): Px) -> Result<(), String> {
    draw::subtitle_omitting(
        root,
        "Chance each item is delivered by the end of each period, per strategy · grey: after the due date",
        data.omitted,
    )?;
    if data.items.is_empty() {
        return draw::empty_message(
            root,
            (w, h),
            "No initiative in this scenario has a deadline or a commitment.",
        );
    }
    let entries: Vec<(String, Swatch)> = data
        .strategies
        .iter()
        .enumerate()
        .map(|(k, s)| {
            (
                s.clone(),
                Swatch::Line(
                    style::series_color(k),
                    style::series_dash(k),
                    Some(style::series_marker(k)),
                ),
            )
        })
        .collect();
    let top = draw::legend_row(root, (draw::LEFT, HEADER - 8), w - 40, &entries)?;
    let (cols, rows) = grid(data.items.len());
    let body = root.margin(top as u32, 10, 10, 30);
    let cells = body.split_evenly((rows, cols));
    let periods = data.labels.len();
    // Item names as long as the panel is wide (bold glyphs ≈ 0.62 em).
    let cell_w = (w - 40) / cols as i32;
    let name_chars = ((cell_w - 110) as f64 / (style::LEGEND_SIZE * 0.62)).max(12.0) as usize;
    for (item, cell) in data.items.iter().zip(cells.iter()) {
        let percent = |v: &f64| style::percent(*v);
        let spec = draw::Axes {
            room: (60, 90),
            y: Some((5, &percent)),
            ..draw::Axes::default()
        };
        let plot = panel_axes(root, cell, 74, (0.0, 1.0), spec, &data.labels)?;
        let px = |x: f64, y: f64| plot.map_coordinate(&(x, y));
        // Late zone and due line.
        let due = item.due.min(periods) as f64;
        if item.due < periods {
            root.draw(&Rectangle::new(
                [px(due, 1.0), px(periods as f64, 0.0)],
                RGBColor(238, 238, 238).filled(),
            ))
            .map_err(err)?;
        }
        draw::line(
            root,
            &[px(due, 0.0), px(due, 1.0)],
            &style::INK,
            3,
            Dash::Dashed,
        )?;
        let due_label = data
            .labels
            .get(item.due.saturating_sub(1))
            .cloned()
            .unwrap_or_default();
        let (x0, ty) = px(0.0, 1.0);
        draw::label(
            root,
            &format!("{} {}", item.due_kind, due_label),
            (x0, ty - 10),
            style::NOTE_SIZE,
            &style::MUTED,
            HPos::Left,
            VPos::Bottom,
        )?;
        draw::label(
            root,
            &style::truncate(&item.name, name_chars),
            (x0, ty - 38),
            Font::bold(style::LEGEND_SIZE),
            &style::INK,
            HPos::Left,
            VPos::Bottom,
        )?;
        for (k, curve) in item.curves.iter().enumerate() {
            let color = style::series_color(k);
            let pts: Vec<Px> = curve
                .iter()
                .enumerate()
                .map(|(t, &p)| px(t as f64, p.clamp(0.0, 1.0)))
                .collect();
            draw::line(root, &pts, &color, 3, style::series_dash(k))?;
            for p in pts.iter().skip(1) {
                draw::marker(root, *p, style::series_marker(k), &color, 5)?;
            }
        }
    }
    Ok(())
}
