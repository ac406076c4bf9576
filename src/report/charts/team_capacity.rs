//! The plan's capacity by team: small multiples of the capacity chart, one panel per team on
//! one scale — product and stability work, idle capacity, what debt drag takes and the buffer,
//! stacked to the team's capacity in each period.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{self, Canvas, Px, Swatch, HEADER};
use super::style::{self, okabe_ito, Hatch};
use crate::plan::Plan;
use crate::scenario::Scenario;

/// One team's panel: its name and, per period, the stacked layers bottom first.
pub struct Panel {
    pub name: String,
    /// [product, stability, idle, drag, buffer] per period.
    pub stacks: Vec<[f64; 5]>,
}

pub struct Data {
    pub labels: Vec<String>,
    pub panels: Vec<Panel>,
}

/// Panels side by side in a row of the chart.
const COLUMNS: usize = 2;
/// Height of one row of panels, in pixels.
const PANEL_H: u32 = 420;

const LAYERS: [(&str, RGBColor, Hatch); 5] = [
    ("product work", okabe_ito::BLUE, Hatch::None),
    ("stability work", okabe_ito::ORANGE, Hatch::Forward),
    ("idle (unused)", RGBColor(255, 255, 255), Hatch::None),
    ("lost to debt drag", style::DRAG_GREY, Hatch::Cross),
    ("strategic buffer", style::BUFFER_GREY, Hatch::None),
];

pub fn prepare(scenario: &Scenario, plan: &Plan) -> Data {
    let panels = scenario
        .teams
        .iter()
        .enumerate()
        .map(|(j, team)| Panel {
            name: team.name.clone(),
            stacks: plan
                .periods
                .iter()
                .map(|p| {
                    p.teams.get(j).map_or([0.0; 5], |t| {
                        [
                            t.product,
                            t.stability,
                            t.idle.max(0.0),
                            t.allocatable * p.drag,
                            (t.capacity - t.allocatable).max(0.0),
                        ]
                    })
                })
                .collect(),
        })
        .collect();
    Data {
        labels: plan.periods.iter().map(|p| p.label.clone()).collect(),
        panels,
    }
}

impl Data {
    pub fn height(&self) -> u32 {
        let rows = self.panels.len().div_ceil(COLUMNS).max(1) as u32;
        HEADER as u32 + rows * PANEL_H + 40
    }
}

pub fn draw<DB: DrawingBackend>(data: &Data, root: &Canvas<DB>, (w, h): Px) -> Result<(), String> {
    draw::subtitle(
        root,
        "Engineer-weeks per period in the optimized plan, one panel per team on one scale",
    )?;
    if data.panels.is_empty() || data.labels.is_empty() {
        return draw::empty_message(root, (w, h), "The scenario has no teams.");
    }
    let top = data
        .panels
        .iter()
        .flat_map(|p| p.stacks.iter().map(|s| s.iter().sum::<f64>()))
        .fold(0.0f64, f64::max);
    let y_max = if top > 0.0 { top * 1.1 } else { 1.0 };
    let legend_w = 330;
    let body = root.margin(HEADER as u32, 20, 10, legend_w as u32);
    let rows = data.panels.len().div_ceil(COLUMNS);
    let cells = body.split_evenly((rows, COLUMNS));
    let periods = data.labels.len();
    let compact = |v: &f64| style::compact(*v);
    for (panel, cell) in data.panels.iter().zip(&cells) {
        let spec = draw::Axes {
            room: (50, 90),
            y: Some((5, &compact)),
            quiet: true,
            ..draw::Axes::default()
        };
        let area = cell.margin(40, 10, 10, 10);
        let plot = draw::axes(&area, (0.0, periods as f64), (0.0, y_max), spec)?;
        let px = |x: f64, y: f64| plot.map_coordinate(&(x, y));
        draw::period_labels(root, &plot, &data.labels)?;
        let (x0, y0) = px(0.0, y_max);
        draw::label(
            root,
            &style::truncate(&panel.name, 40),
            (x0, y0 - 8),
            draw::Font::bold(style::LEGEND_SIZE),
            &style::INK,
            HPos::Left,
            VPos::Bottom,
        )?;
        for (t, stack) in panel.stacks.iter().enumerate() {
            let (a, b) = (t as f64 + 0.15, t as f64 + 0.85);
            let mut base = 0.0;
            for (v, (_, color, hatch)) in stack.iter().zip(LAYERS) {
                if *v <= 1e-9 {
                    continue;
                }
                let white = color == RGBColor(255, 255, 255);
                let ink = if white || color == style::BUFFER_GREY {
                    style::MUTED
                } else {
                    RGBColor(255, 255, 255)
                };
                draw::block(root, px(a, base), px(b, base + v), &color, hatch, &ink)?;
                if white {
                    root.draw(&Rectangle::new(
                        [px(a, base), px(b, base + v)],
                        style::MUTED.stroke_width(1),
                    ))
                    .map_err(draw::err)?;
                }
                base += v;
            }
        }
    }
    let entries: Vec<(String, Swatch)> = LAYERS
        .iter()
        .rev()
        .map(|(label, color, hatch)| {
            let swatch = if *color == RGBColor(255, 255, 255) {
                Swatch::Outline(style::MUTED)
            } else {
                Swatch::Fill(*color, *hatch)
            };
            (label.to_string(), swatch)
        })
        .collect();
    draw::legend(root, (w - legend_w + 20, HEADER + 10), &entries, 22)?;
    Ok(())
}
