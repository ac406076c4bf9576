//! The plan as a timeline (Gantt): one row per initiative, grouped Now / Next / Later, a block in
//! every period the item is worked on coloured by kind, its delivery and deadline marked.

use plotters::prelude::*;

use super::draw::{self, Canvas, Px, Swatch};
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

pub type Data = draw::RowChart<Row>;

pub fn bucket_title(bucket: Bucket) -> &'static str {
    match bucket {
        Bucket::Now => "NOW",
        Bucket::Next => "NEXT",
        Bucket::Later => "LATER",
        Bucket::Unplanned => "NOT IN THE HORIZON",
    }
}

pub fn prepare(scenario: &Scenario, plan: &Plan) -> Data {
    let groups = [Bucket::Now, Bucket::Next, Bucket::Later, Bucket::Unplanned]
        .map(|bucket| (bucket, plan.bucket_members(bucket)));
    Data::grouped(&scenario.labels, groups, MAX_ROWS, Row::Group, |i| {
        let p = &plan.initiatives[i];
        let it = scenario.initiatives.get(i);
        let kind = it.map_or(Kind::Feature, |it| it.kind);
        let row = Row::Item(ItemRow {
            name: it.map_or_else(|| p.id.clone(), |it| it.name.clone()),
            kind,
            shares: p.shares.clone(),
            delivery: p.delivery,
            deadline: it.and_then(|it| it.deadline.map(|d| d.period())),
            commit: it.is_some_and(|it| it.commit),
        });
        (row, kind)
    })
}

pub fn draw<DB: DrawingBackend>(data: &Data, root: &Canvas<DB>, size: Px) -> Result<(), String> {
    let Some(frame) = data.frame(
        root,
        size,
        "Blocks: periods the item is worked on · ▼ delivered · red bar: deadline",
        "The plan has no initiatives.",
        270,
    )?
    else {
        return Ok(());
    };
    let px = |x: f64, y: f64| frame.px(x, y);
    for (r, row) in data.rows.iter().enumerate() {
        let (yc, (left, ypx)) = frame.row(r);
        match row {
            Row::Group(bucket, count) => {
                draw::group_heading(root, bucket_title(*bucket), *count, (left, ypx), frame.xb)?;
            }
            Row::Item(item) => {
                draw::item_name(root, &item.name, item.commit, (left, ypx))?;
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
                    draw::row_note(root, "no work planned", (frame.xa + 10, ypx))?;
                }
                if let Some(d) = item.deadline {
                    draw::deadline_bar(root, (px(d as f64, yc).0, ypx), 15)?;
                }
                if let Some(d) = item.delivery {
                    draw::delivery_marker(root, (px(d as f64, yc).0, ypx))?;
                }
            }
        }
    }
    let marks = vec![
        (
            "delivered".into(),
            Swatch::Point(style::INK, Marker::TriangleDown),
        ),
        (
            "deadline".into(),
            Swatch::Fill(style::okabe_ito::VERMILLION, style::Hatch::None),
        ),
    ];
    frame.legend(root, &data.kinds, marks, &[])
}
