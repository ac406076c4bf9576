//! The plan as a timeline (Gantt): one row per initiative, grouped Now / Next / Later, a block in
//! every period the item is worked on coloured by kind, its delivery and deadline marked.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{self, err, Px, Swatch, HEADER};
use super::style::{self, Dash, Marker};
use crate::plan::{Bucket, Plan};
use crate::scenario::{Kind, Scenario};

/// At most this many item rows; the rest are counted in a note.
pub const MAX_ROWS: usize = 60;

pub enum Row {
    /// A group heading: the bucket and how many items it holds.
    Group(Bucket, usize),
    Item(ItemRow),
}

pub struct ItemRow {
    pub name: String,
    pub kind: Kind,
    /// Share of the item's effort in each period.
    pub shares: Vec<f64>,
    pub delivery: Option<usize>,
    pub deadline: Option<usize>,
    pub commit: bool,
}

pub struct Data {
    pub labels: Vec<String>,
    pub rows: Vec<Row>,
    pub kinds: Vec<Kind>,
    pub omitted: usize,
}

const ROW_PX: u32 = 36;

impl Data {
    pub fn height(&self) -> u32 {
        style::HEIGHT.max(HEADER as u32 + 130 + self.rows.len() as u32 * ROW_PX)
    }
}

pub fn bucket_title(bucket: Bucket) -> &'static str {
    match bucket {
        Bucket::Now => "NOW",
        Bucket::Next => "NEXT",
        Bucket::Later => "LATER",
        Bucket::Unplanned => "NOT IN THE HORIZON",
    }
}

pub fn prepare(scenario: &Scenario, plan: &Plan) -> Data {
    let mut rows = Vec::new();
    let mut kinds: Vec<Kind> = Vec::new();
    let mut shown = 0;
    let mut omitted = 0;
    for bucket in [Bucket::Now, Bucket::Next, Bucket::Later, Bucket::Unplanned] {
        let members = plan.bucket_members(bucket);
        if members.is_empty() {
            continue;
        }
        rows.push(Row::Group(bucket, members.len()));
        for i in members {
            if shown >= MAX_ROWS {
                omitted += 1;
                continue;
            }
            shown += 1;
            let p = &plan.initiatives[i];
            let it = scenario.initiatives.get(i);
            let kind = it.map_or(Kind::Feature, |it| it.kind);
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
            rows.push(Row::Item(ItemRow {
                name: it.map_or_else(|| p.id.clone(), |it| it.name.clone()),
                kind,
                shares: p.shares.clone(),
                delivery: p.delivery,
                deadline: it.and_then(|it| it.deadline.map(|d| d.period())),
                commit: it.is_some_and(|it| it.commit),
            }));
        }
    }
    kinds.sort();
    Data {
        labels: scenario.labels.clone(),
        rows,
        kinds,
        omitted,
    }
}

pub fn draw<DB: DrawingBackend>(
    data: &Data,
    root: &DrawingArea<DB, Shift>,
    (w, h): Px,
) -> Result<(), String> {
    let more = draw::omitted_note(data.omitted);
    draw::subtitle(
        root,
        &format!("Blocks: periods the item is worked on · ▼ delivered · red bar: deadline{more}"),
    )?;
    let periods = data.labels.len();
    if data.rows.is_empty() || periods == 0 {
        return draw::empty_message(root, (w, h), "The plan has no initiatives.");
    }
    let n = data.rows.len() as f64;
    let legend_w = 270;
    let area = root.margin(HEADER as u32, 20, 20, legend_w as u32);
    let mut chart = ChartBuilder::on(&area)
        .x_label_area_size(60)
        .y_label_area_size(540)
        .build_cartesian_2d(0.0..periods as f64, 0.0..n)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_x_mesh()
        .disable_y_axis()
        .max_light_lines(0)
        .axis_style(style::MUTED.stroke_width(2))
        .x_labels(0)
        .label_style(style::text(style::TICK_SIZE, &style::INK))
        .draw()
        .map_err(err)?;
    let px = |x: f64, y: f64| chart.backend_coord(&(x, y));
    // Period columns: alternate shading, labels at the bottom.
    let (xa, _) = px(0.0, 0.0);
    let (xb, _) = px(periods as f64, 0.0);
    for k in (1..periods).step_by(2) {
        root.draw(&Rectangle::new(
            [px(k as f64, n), px(k as f64 + 1.0, 0.0)],
            RGBColor(246, 246, 246).filled(),
        ))
        .map_err(err)?;
    }
    let ticks: Vec<(Px, String)> = data
        .labels
        .iter()
        .enumerate()
        .map(|(k, label)| (px(k as f64 + 0.5, 0.0), label.clone()))
        .collect();
    draw::axis_labels(root, &ticks)?;
    for (r, row) in data.rows.iter().enumerate() {
        let yc = n - r as f64 - 0.5;
        let (left, ypx) = px(0.0, yc);
        match row {
            Row::Group(bucket, count) => {
                let (a, _) = px(0.0, yc);
                root.draw(&PathElement::new(
                    vec![(a - 530, ypx + 16), (xb, ypx + 16)],
                    style::MUTED.stroke_width(1),
                ))
                .map_err(err)?;
                draw::bold_label(
                    root,
                    &format!(
                        "{} · {count} item{}",
                        bucket_title(*bucket),
                        if *count == 1 { "" } else { "s" }
                    ),
                    (left - 530, ypx + 4),
                    style::LEGEND_SIZE,
                    &style::INK,
                    HPos::Left,
                    VPos::Center,
                )?;
            }
            Row::Item(item) => {
                let mark = if item.commit { " ●" } else { "" };
                draw::label(
                    root,
                    &format!("{}{mark}", style::truncate(&item.name, 42)),
                    (left - 14, ypx),
                    style::TICK_SIZE,
                    &style::INK,
                    HPos::Right,
                    VPos::Center,
                )?;
                let color = style::kind_color(item.kind);
                let worked: Vec<usize> = item
                    .shares
                    .iter()
                    .enumerate()
                    .filter(|(_, &s)| s > 1e-6)
                    .map(|(t, _)| t)
                    .collect();
                if let (Some(&first), Some(&last)) = (worked.first(), worked.last()) {
                    // A thin line through the item's span, blocks where it gets work.
                    let end = item.delivery.map_or(last + 1, |d| d.max(last + 1));
                    draw::line(
                        root,
                        &[px(first as f64 + 0.1, yc), px(end as f64 - 0.1, yc)],
                        &color,
                        3,
                        Dash::Solid,
                    )?;
                    for &t in &worked {
                        draw::block(
                            root,
                            px(t as f64 + 0.04, yc - 0.34),
                            px(t as f64 + 0.96, yc + 0.34),
                            &color,
                            style::kind_hatch(item.kind),
                            &WHITE,
                        )?;
                    }
                } else {
                    draw::label(
                        root,
                        "no work planned",
                        (xa + 10, ypx),
                        style::NOTE_SIZE,
                        &style::MUTED,
                        HPos::Left,
                        VPos::Center,
                    )?;
                }
                if let Some(d) = item.deadline {
                    let (dx, _) = px(d as f64, yc);
                    root.draw(&Rectangle::new(
                        [(dx - 3, ypx - 15), (dx + 3, ypx + 15)],
                        style::okabe_ito::VERMILLION.filled(),
                    ))
                    .map_err(err)?;
                }
                if let Some(d) = item.delivery {
                    let (dx, _) = px(d as f64, yc);
                    draw::marker(root, (dx, ypx - 17), Marker::TriangleDown, &style::INK, 8)?;
                }
            }
        }
    }
    let mut entries: Vec<(String, Swatch)> = data
        .kinds
        .iter()
        .map(|&k| {
            (
                k.to_string(),
                Swatch::Fill(style::kind_color(k), style::kind_hatch(k)),
            )
        })
        .collect();
    entries.push((
        "delivered".into(),
        Swatch::Point(style::INK, Marker::TriangleDown),
    ));
    entries.push((
        "deadline".into(),
        Swatch::Fill(style::okabe_ito::VERMILLION, style::Hatch::None),
    ));
    entries.push(("● committed".into(), Swatch::Outline(WHITE)));
    draw::legend(root, (w - legend_w + 20, HEADER + 10), &entries, 18)?;
    Ok(())
}
