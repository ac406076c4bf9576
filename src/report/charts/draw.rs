//! Drawing helpers in pixel space shared by the charts: titles, legends, hatched fills, dashed
//! lines and markers.
//!
//! Charts use plotters' chart builder for axes, ticks and axis titles, then map their data to
//! pixels with `backend_coord` and draw the marks here, where dashes and hatching are under our
//! control and look the same in SVG and PNG.
//!
//! The row charts (the plan's timeline, the roadmap: one row per item over the periods, grouped
//! under headings) share their rows, frame, row marks and legend here too.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::RGBColor;

use super::style::{self, Dash, Hatch, Marker};
use crate::scenario::Kind;

/// A pixel position.
pub type Px = (i32, i32);

/// The whole chart, in pixels.
pub type Canvas<DB> = DrawingArea<DB, Shift>;

/// A chart's plotting area: maps `(x, y)` in the chart's units to pixels.
pub type Plot<DB> = DrawingArea<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Turns any plotters error into a message.
pub fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

const WHITE_INK: RGBColor = RGBColor(255, 255, 255);

/// The height taken by the title and subtitle.
pub const HEADER: i32 = 118;
/// Left margin of the title and notes.
pub const LEFT: i32 = 40;

/// Draws the chart's title at the top left.
pub fn title<DB: DrawingBackend>(root: &Canvas<DB>, title: &str, width: i32) -> Result<(), String> {
    // Shrink a long title a little, then cut it, so it stays inside the canvas.
    let room = (width - 2 * LEFT).max(100) as u32;
    let fits = |text: &str, size: f64| {
        root.estimate_text_size(text, &style::bold(size).color(&style::INK))
            .map_or(true, |(w, _)| w <= room)
    };
    // No title wider than the canvas needs more characters than a narrow glyph each takes
    // (several pixels), so measure at most that many: a name of 100,000 characters is cut at
    // once, not measured again and again.
    let title = style::truncate(title, room as usize / 4);
    let mut size = style::TITLE_SIZE;
    while size > 30.0 && !fits(&title, size) {
        size -= 2.0;
    }
    // The most characters that fit, by bisection (at least 10).
    let n = title.chars().count();
    let (mut lo, mut hi) = (10.min(n), n);
    if !fits(&title, size) {
        while lo + 1 < hi {
            let mid = (lo + hi) / 2;
            if fits(&style::truncate(&title, mid), size) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        hi = lo;
    }
    let title = style::truncate(&title, hi);
    let style = style::bold(size).color(&style::INK);
    root.draw(&Text::new(title, (LEFT, 24), style)).map_err(err)
}

/// Draws the line under the title that says how to read the chart.
pub fn subtitle<DB: DrawingBackend>(root: &Canvas<DB>, text: &str) -> Result<(), String> {
    let style = style::text(style::SUBTITLE_SIZE, &style::MUTED);
    root.draw(&Text::new(text.to_string(), (LEFT, 76), style))
        .map_err(err)
}

/// A text size in the regular face (what a bare `f64` size means) or, with [`Font::bold`], in
/// bold.
#[derive(Debug, Clone, Copy)]
pub struct Font {
    size: f64,
    bold: bool,
}

impl Font {
    /// Bold text of `size`.
    pub fn bold(size: f64) -> Font {
        Font { size, bold: true }
    }

    fn desc(self) -> FontDesc<'static> {
        if self.bold {
            style::bold(self.size)
        } else {
            style::font(self.size)
        }
    }
}

impl From<f64> for Font {
    fn from(size: f64) -> Font {
        Font { size, bold: false }
    }
}

/// Draws text anchored at `pos` as `h`/`v` say.
pub fn label<DB: DrawingBackend>(
    root: &Canvas<DB>,
    text: &str,
    pos: Px,
    font: impl Into<Font>,
    color: &RGBColor,
    h: HPos,
    v: VPos,
) -> Result<(), String> {
    let style = font.into().desc().color(color).pos(Pos::new(h, v));
    root.draw(&Text::new(text.to_string(), pos, style))
        .map_err(err)
}

/// A polyline, solid or dashed, `width` pixels wide.
pub fn line<DB: DrawingBackend>(
    root: &Canvas<DB>,
    points: &[Px],
    color: &RGBColor,
    width: u32,
    dash: Dash,
) -> Result<(), String> {
    if points.len() < 2 {
        return Ok(());
    }
    let stroke = color.stroke_width(width);
    let pattern: Option<(f64, f64)> = match dash {
        Dash::Solid => None,
        Dash::Dashed => Some((14.0, 8.0)),
        Dash::Dotted => Some((4.0, 7.0)),
        Dash::Long => Some((26.0, 8.0)),
    };
    let Some((on, off)) = pattern else {
        return root
            .draw(&PathElement::new(points.to_vec(), stroke))
            .map_err(err);
    };
    // Walk the polyline, emitting the "on" stretches of the pattern; a stretch may turn corners.
    let period = on + off;
    let mut phase = 0.0f64;
    let mut current: Vec<(f64, f64)> = Vec::new();
    for w in points.windows(2) {
        let (x0, y0) = (w[0].0 as f64, w[0].1 as f64);
        let (x1, y1) = (w[1].0 as f64, w[1].1 as f64);
        let len = ((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt();
        let at = |t: f64| (x0 + (x1 - x0) * t / len, y0 + (y1 - y0) * t / len);
        let mut t = 0.0;
        while t < len {
            if phase < on {
                let step = (on - phase).min(len - t);
                if current.is_empty() {
                    current.push(at(t));
                }
                t += step;
                phase += step;
                current.push(at(t));
                if phase >= on - 1e-9 {
                    flush(root, &mut current, stroke)?;
                }
            } else {
                let step = (period - phase).min(len - t);
                t += step;
                phase += step;
                if phase >= period - 1e-9 {
                    phase = 0.0;
                }
            }
        }
    }
    flush(root, &mut current, stroke)
}

fn flush<DB: DrawingBackend>(
    root: &Canvas<DB>,
    current: &mut Vec<(f64, f64)>,
    stroke: ShapeStyle,
) -> Result<(), String> {
    if current.len() >= 2 {
        let pts: Vec<Px> = current
            .iter()
            .map(|&(x, y)| (x.round() as i32, y.round() as i32))
            .collect();
        root.draw(&PathElement::new(pts, stroke)).map_err(err)?;
    }
    current.clear();
    Ok(())
}

/// A marker of `size` pixels (half-width) centred at `at`, outlined in white so it stands out
/// on lines and fills.
pub fn marker<DB: DrawingBackend>(
    root: &Canvas<DB>,
    at: Px,
    marker: Marker,
    color: &RGBColor,
    size: i32,
) -> Result<(), String> {
    let (x, y) = at;
    let fill = color.filled();
    let edge = WHITE.stroke_width(2);
    let s = size;
    let poly = |pts: Vec<Px>| -> Result<(), String> {
        root.draw(&Polygon::new(pts.clone(), fill)).map_err(err)?;
        let mut closed = pts;
        if let Some(&first) = closed.first() {
            closed.push(first);
        }
        root.draw(&PathElement::new(closed, edge)).map_err(err)
    };
    match marker {
        Marker::Circle => {
            root.draw(&Circle::new((x, y), s, fill)).map_err(err)?;
            root.draw(&Circle::new((x, y), s, edge)).map_err(err)
        }
        Marker::Square => poly(vec![
            (x - s, y - s),
            (x + s, y - s),
            (x + s, y + s),
            (x - s, y + s),
        ]),
        Marker::Triangle => poly(vec![(x, y - s - 2), (x + s + 1, y + s), (x - s - 1, y + s)]),
        Marker::TriangleDown => poly(vec![(x, y + s + 2), (x + s + 1, y - s), (x - s - 1, y - s)]),
        Marker::Diamond => poly(vec![
            (x, y - s - 2),
            (x + s + 2, y),
            (x, y + s + 2),
            (x - s - 2, y),
        ]),
        Marker::Cross => {
            let st = color.stroke_width(4);
            root.draw(&PathElement::new(vec![(x - s, y - s), (x + s, y + s)], st))
                .map_err(err)?;
            root.draw(&PathElement::new(vec![(x - s, y + s), (x + s, y - s)], st))
                .map_err(err)
        }
    }
}

/// A filled rectangle between two pixel corners, with an optional hatch in `ink` and a thin
/// white edge so neighbouring blocks stay apart in greyscale.
pub fn block<DB: DrawingBackend>(
    root: &Canvas<DB>,
    a: Px,
    b: Px,
    fill: &RGBColor,
    hatch: Hatch,
    ink: &RGBColor,
) -> Result<(), String> {
    let (x0, x1) = (a.0.min(b.0), a.0.max(b.0));
    let (y0, y1) = (a.1.min(b.1), a.1.max(b.1));
    if x1 <= x0 || y1 <= y0 {
        return Ok(());
    }
    root.draw(&Rectangle::new([(x0, y0), (x1, y1)], fill.filled()))
        .map_err(err)?;
    hatch_lines(root, (x0, y0), (x1, y1), hatch, ink)?;
    root.draw(&Rectangle::new([(x0, y0), (x1, y1)], WHITE.stroke_width(1)))
        .map_err(err)
}

/// Hatch lines across a pixel rectangle. The lines sit on a grid fixed to the canvas, so
/// neighbouring blocks with the same hatch line up.
pub fn hatch_lines<DB: DrawingBackend>(
    root: &Canvas<DB>,
    (x0, y0): Px,
    (x1, y1): Px,
    hatch: Hatch,
    ink: &RGBColor,
) -> Result<(), String> {
    const GAP: i32 = 11;
    let stroke = ink.stroke_width(2);
    let mut segs: Vec<(Px, Px)> = Vec::new();
    let forward = |segs: &mut Vec<(Px, Px)>| {
        // x + y = c: rises to the right on screen.
        let mut c = ((x0 + y0) / GAP) * GAP;
        while c <= x1 + y1 {
            let xa = x0.max(c - y1);
            let xb = x1.min(c - y0);
            if xa < xb {
                segs.push(((xa, c - xa), (xb, c - xb)));
            }
            c += GAP;
        }
    };
    let backward = |segs: &mut Vec<(Px, Px)>| {
        // x − y = c: falls to the right on screen.
        let mut c = ((x0 - y1) / GAP - 1) * GAP;
        while c <= x1 - y0 {
            let xa = x0.max(c + y0);
            let xb = x1.min(c + y1);
            if xa < xb {
                segs.push(((xa, xa - c), (xb, xb - c)));
            }
            c += GAP;
        }
    };
    match hatch {
        Hatch::None => {}
        Hatch::Forward => forward(&mut segs),
        Hatch::Backward => backward(&mut segs),
        Hatch::Cross => {
            forward(&mut segs);
            backward(&mut segs);
        }
        Hatch::Horizontal => {
            let mut y = (y0 / GAP + 1) * GAP;
            while y < y1 {
                segs.push(((x0, y), (x1, y)));
                y += GAP;
            }
        }
        Hatch::Vertical => {
            let mut x = (x0 / GAP + 1) * GAP;
            while x < x1 {
                segs.push(((x, y0), (x, y1)));
                x += GAP;
            }
        }
    }
    for (a, b) in segs {
        root.draw(&PathElement::new(vec![a, b], stroke))
            .map_err(err)?;
    }
    Ok(())
}

/// What a legend entry shows.
#[derive(Debug, Clone)]
pub enum Swatch {
    /// A filled block with a hatch.
    Fill(RGBColor, Hatch),
    /// An outlined empty block.
    Outline(RGBColor),
    /// A line with its dash and an optional marker.
    Line(RGBColor, Dash, Option<Marker>),
    /// A translucent band.
    Band(RGBColor),
    /// A marker alone.
    Point(RGBColor, Marker),
}

/// The translucent fill of bands, drawn as a light tint so it prints the same in PNG and SVG.
pub fn tint(color: &RGBColor, strength: f64) -> RGBColor {
    let mix = |c: u8| (255.0 - (255.0 - c as f64) * strength).round() as u8;
    RGBColor(mix(color.0), mix(color.1), mix(color.2))
}

/// Draws legend entries in a column starting at `(x, y)`; returns the y below the last entry.
pub fn legend<DB: DrawingBackend>(
    root: &Canvas<DB>,
    (x, y): Px,
    entries: &[(String, Swatch)],
    max_chars: usize,
) -> Result<i32, String> {
    let row = 40;
    let mut y = y;
    for (text, swatch) in entries {
        let cy = y + row / 2;
        let (sx0, sx1) = (x, x + 44);
        match swatch {
            Swatch::Fill(c, h) => {
                // Light fills get a grey hatch, dark ones a white one, as in the charts.
                let light = 0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64 > 200.0;
                let ink = if light {
                    RGBColor(170, 170, 170)
                } else {
                    WHITE_INK
                };
                block(root, (sx0, cy - 12), (sx1, cy + 12), c, *h, &ink)?
            }
            Swatch::Outline(c) => {
                root.draw(&Rectangle::new(
                    [(sx0, cy - 12), (sx1, cy + 12)],
                    c.stroke_width(2),
                ))
                .map_err(err)?;
            }
            Swatch::Line(c, d, m) => {
                line(root, &[(sx0, cy), (sx1, cy)], c, 4, *d)?;
                if let Some(m) = m {
                    marker(root, ((sx0 + sx1) / 2, cy), *m, c, 7)?;
                }
            }
            Swatch::Band(c) => {
                root.draw(&Rectangle::new(
                    [(sx0, cy - 12), (sx1, cy + 12)],
                    tint(c, 0.3).filled(),
                ))
                .map_err(err)?;
            }
            Swatch::Point(c, m) => marker(root, ((sx0 + sx1) / 2, cy), *m, c, 8)?,
        }
        label(
            root,
            &style::truncate(text, max_chars),
            (sx1 + 14, cy),
            style::LEGEND_SIZE,
            &style::INK,
            HPos::Left,
            VPos::Center,
        )?;
        y += row;
    }
    Ok(y)
}

/// A panel that says there is nothing to draw, in place of a chart.
pub fn empty_message<DB: DrawingBackend>(
    root: &Canvas<DB>,
    size: Px,
    message: &str,
) -> Result<(), String> {
    let (w, h) = size;
    root.draw(&Rectangle::new(
        [(LEFT, HEADER + 20), (w - LEFT, h - 40)],
        style::GRID.stroke_width(2),
    ))
    .map_err(err)?;
    label(
        root,
        message,
        (w / 2, (HEADER + h) / 2),
        style::AXIS_SIZE,
        &style::MUTED,
        HPos::Center,
        VPos::Center,
    )
}

/// Roughly how wide `text` is at `size` in the bundled face (average advance ≈ 0.55 em).
pub fn text_width(text: &str, size: f64) -> i32 {
    (text.chars().count() as f64 * size * 0.55) as i32
}

/// Draws legend entries in a row from `(x, y)`, wrapping at `right`; returns the y below.
pub fn legend_row<DB: DrawingBackend>(
    root: &Canvas<DB>,
    (x, y): Px,
    right: i32,
    entries: &[(String, Swatch)],
) -> Result<i32, String> {
    let mut cx = x;
    let mut cy = y;
    for entry in entries {
        let text = style::truncate(&entry.0, 34);
        let width = 44 + 14 + text_width(&text, style::LEGEND_SIZE) + 36;
        if cx + width > right && cx > x {
            cx = x;
            cy += 40;
        }
        legend(root, (cx, cy), &[(text, entry.1.clone())], 34)?;
        cx += width;
    }
    Ok(cy + 40)
}

/// Draws tick labels under an axis at evenly spaced pixel positions, keeping every k-th so
/// they never overlap.
pub fn axis_labels<DB: DrawingBackend>(
    root: &Canvas<DB>,
    items: &[(Px, String)],
) -> Result<(), String> {
    let spacing = match items {
        [a, b, ..] => (b.0 .0 - a.0 .0).abs().max(1),
        _ => i32::MAX,
    };
    let widest = items
        .iter()
        .map(|(_, t)| text_width(t, style::TICK_SIZE))
        .max()
        .unwrap_or(0);
    let need = widest + 10;
    let step = if need <= spacing {
        1
    } else {
        (need / spacing + 1).max(1) as usize
    };
    for (k, ((x, y), text)) in items.iter().enumerate() {
        if k % step != 0 {
            continue;
        }
        label(
            root,
            text,
            (*x, *y + 10),
            style::TICK_SIZE,
            &style::INK,
            HPos::Center,
            VPos::Top,
        )?;
    }
    Ok(())
}

/// Text on a white box, so it stays readable over lines and fills.
pub fn boxed_label<DB: DrawingBackend>(
    root: &Canvas<DB>,
    text: &str,
    (x, y): Px,
    font: impl Into<Font>,
    color: &RGBColor,
    h: HPos,
    v: VPos,
) -> Result<(), String> {
    let font = font.into();
    let (w, th) = root
        .estimate_text_size(text, &font.desc().color(color))
        .map(|(w, h)| (w as i32, h as i32))
        .unwrap_or((text_width(text, font.size), (font.size * 0.85) as i32));
    let x0 = match h {
        HPos::Left => x,
        HPos::Center => x - w / 2,
        HPos::Right => x - w,
    };
    let y0 = match v {
        VPos::Top => y,
        VPos::Center => y - th / 2,
        VPos::Bottom => y - th,
    };
    root.draw(&Rectangle::new(
        [(x0 - 5, y0 - 4), (x0 + w + 5, y0 + th + 4)],
        WHITE.mix(0.9).filled(),
    ))
    .map_err(err)?;
    label(root, text, (x, y), font, color, h, v)
}

/// The subtitle `text`, followed by the [`omitted_note`] when rows were left out.
pub fn subtitle_omitting<DB: DrawingBackend>(
    root: &Canvas<DB>,
    text: &str,
    omitted: usize,
) -> Result<(), String> {
    subtitle(root, &format!("{text}{}", omitted_note(omitted)))
}

/// " · N more items in the report's tables" when rows were left out of a chart, else nothing.
pub fn omitted_note(omitted: usize) -> String {
    if omitted > 0 {
        format!(" · {omitted} more items in the report's tables")
    } else {
        String::new()
    }
}

/// The labels along an axis: about how many (plotters picks round values) and how each reads.
pub type Ticks<'f> = (usize, &'f dyn Fn(&f64) -> String);

/// A chart's axes beyond what every chart shares (muted axis lines, tick labels in ink, a light
/// grid line at each labelled value, no minor lines), drawn by [`axes`].
#[derive(Default)]
pub struct Axes<'f> {
    /// The room under the plot for the x labels and left of it for the y labels, in pixels.
    pub room: (u32, u32),
    /// The x axis's labels; none when the chart writes its own.
    pub x: Option<Ticks<'f>>,
    /// The y axis's labels; none for no y axis at all, as when rows name themselves.
    pub y: Option<Ticks<'f>>,
    /// The axes' titles, under the x labels and beside the y labels.
    pub x_title: Option<String>,
    pub y_title: Option<String>,
    /// Axis titles small and muted, as in a grid of panels, rather than axis-sized in ink.
    pub quiet: bool,
}

/// Draws the axes of a chart on `area` over `x` × `y` as `spec` says; gives the plotting area.
pub fn axes<DB: DrawingBackend>(
    area: &Canvas<DB>,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
    spec: Axes,
) -> Result<Plot<DB>, String> {
    let mut chart = ChartBuilder::on(area)
        .x_label_area_size(spec.room.0)
        .y_label_area_size(spec.room.1)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    let mut mesh = chart.configure_mesh();
    mesh.max_light_lines(0)
        .bold_line_style(style::GRID.stroke_width(1))
        .axis_style(style::MUTED.stroke_width(2))
        .label_style(style::text(style::TICK_SIZE, &style::INK))
        .axis_desc_style(if spec.quiet {
            style::text(style::NOTE_SIZE, &style::MUTED)
        } else {
            style::text(style::AXIS_SIZE, &style::INK)
        });
    match spec.x {
        Some((n, format)) => mesh.x_labels(n).x_label_formatter(format),
        None => mesh.x_labels(0),
    };
    match spec.y {
        Some((n, format)) => mesh.y_labels(n).y_label_formatter(format),
        None => mesh.disable_y_mesh().disable_y_axis(),
    };
    if let Some(title) = spec.x_title {
        mesh.x_desc(title);
    }
    if let Some(title) = spec.y_title {
        mesh.y_desc(title);
    }
    mesh.draw().map_err(err)?;
    Ok(chart.plotting_area().clone())
}

/// An axis title for amounts of money: "`what` (EUR)".
pub fn money_title(what: &str, currency: &str) -> String {
    format!("{what} ({})", style::currency_unit(currency))
}

/// The axes of `rows` rows across amounts of money in `x`, on `root` below `top`: labels and
/// grid lines along the bottom, titled "`what` (currency)", and `names` pixels left of the plot
/// for the rows' names (see [`row_name`]). Row k from the top is centred at `rows − k − ½`.
pub fn money_rows<DB: DrawingBackend>(
    root: &Canvas<DB>,
    top: i32,
    names: u32,
    x: (f64, f64),
    rows: f64,
    currency: &str,
    what: &str,
) -> Result<Plot<DB>, String> {
    let money = |v: &f64| style::money(*v, currency);
    let spec = Axes {
        room: (90, names),
        x: Some((8, &money)),
        x_title: Some(money_title(what, currency)),
        ..Axes::default()
    };
    let area = root.margin(top as u32, 20, 20, 60);
    axes(&area, x, (0.0, rows), spec)
}

/// A row's name, cut to `max` characters, right-aligned left of the plot's edge at `(left, y)`.
pub fn row_name<DB: DrawingBackend>(
    root: &Canvas<DB>,
    name: &str,
    max: usize,
    (left, y): Px,
    font: impl Into<Font>,
) -> Result<(), String> {
    let name = style::truncate(name, max);
    let (h, v) = (HPos::Right, VPos::Center);
    label(root, &name, (left - 16, y), font, &style::INK, h, v)
}

/// The period labels under `plot`, one under the middle of each period's column (period k
/// runs from k to k + 1 along x), thinned when they would collide.
pub fn period_labels<DB: DrawingBackend>(
    root: &Canvas<DB>,
    plot: &Plot<DB>,
    labels: &[String],
) -> Result<(), String> {
    let ticks: Vec<(Px, String)> = labels
        .iter()
        .enumerate()
        .map(|(k, label)| (plot.map_coordinate(&(k as f64 + 0.5, 0.0)), label.clone()))
        .collect();
    axis_labels(root, &ticks)
}

/// The height of one row of a row chart.
const ROW_PX: u32 = 36;

/// Room left of a row chart's plot for the item names and group headings.
const ROW_LABELS: i32 = 530;

/// What a row chart shows: its rows (group headings and items) over the periods, the kinds of
/// the items shown (for the legend) and how many items were left out.
pub struct RowChart<R> {
    pub labels: Vec<String>,
    pub rows: Vec<R>,
    pub kinds: Vec<Kind>,
    pub omitted: usize,
}

impl<R> RowChart<R> {
    /// Item rows under group headings, at most `max` item rows: the items past that are
    /// counted, and a group none of whose items is shown gets no heading (its items are
    /// counted). A heading gets the group and how many items it holds, shown or not; groups
    /// with no items are skipped. `item` gives an item's row and its kind.
    pub fn grouped<G, T>(
        labels: &[String],
        groups: impl IntoIterator<Item = (G, Vec<T>)>,
        max: usize,
        mut heading: impl FnMut(G, usize) -> R,
        mut item: impl FnMut(T) -> (R, Kind),
    ) -> Self {
        let mut rows = Vec::new();
        let mut kinds: Vec<Kind> = Vec::new();
        let mut shown = 0;
        let mut omitted = 0;
        for (group, members) in groups {
            if members.is_empty() {
                continue;
            }
            if shown >= max {
                // No room left: no heading over an empty group, its items are counted.
                omitted += members.len();
                continue;
            }
            rows.push(heading(group, members.len()));
            for member in members {
                if shown >= max {
                    omitted += 1;
                    continue;
                }
                shown += 1;
                let (row, kind) = item(member);
                if !kinds.contains(&kind) {
                    kinds.push(kind);
                }
                rows.push(row);
            }
        }
        kinds.sort();
        RowChart {
            labels: labels.to_vec(),
            rows,
            kinds,
            omitted,
        }
    }

    /// The chart's height: a row per heading and item under the header.
    pub fn height(&self) -> u32 {
        style::HEIGHT.max(HEADER as u32 + 130 + self.rows.len() as u32 * ROW_PX)
    }

    /// Draws the subtitle (with the [`omitted_note`]), then the frame: the axis, room for the
    /// names on the left and for a legend `legend_w` wide on the right, alternate period columns
    /// shaded, the period labels at the bottom. With no rows or no periods it draws `empty` in
    /// the middle instead and gives none.
    pub fn frame<DB: DrawingBackend>(
        &self,
        root: &Canvas<DB>,
        (w, h): Px,
        subtitle: &str,
        empty: &str,
        legend_w: i32,
    ) -> Result<Option<RowFrame<DB>>, String> {
        subtitle_omitting(root, subtitle, self.omitted)?;
        let periods = self.labels.len();
        if self.rows.is_empty() || periods == 0 {
            empty_message(root, (w, h), empty)?;
            return Ok(None);
        }
        let n = self.rows.len() as f64;
        let area = root.margin(HEADER as u32, 20, 20, legend_w as u32);
        let spec = Axes {
            room: (60, 540),
            ..Axes::default()
        };
        let plot = axes(&area, (0.0, periods as f64), (0.0, n), spec)?;
        let px = |x: f64, y: f64| plot.map_coordinate(&(x, y));
        // Period columns: alternate shading, labels at the bottom.
        for k in (1..periods).step_by(2) {
            root.draw(&Rectangle::new(
                [px(k as f64, n), px(k as f64 + 1.0, 0.0)],
                RGBColor(246, 246, 246).filled(),
            ))
            .map_err(err)?;
        }
        period_labels(root, &plot, &self.labels)?;
        Ok(Some(RowFrame {
            xa: px(0.0, 0.0).0,
            xb: px(periods as f64, 0.0).0,
            plot,
            rows: self.rows.len(),
            legend_at: (w - legend_w + 20, HEADER + 10),
        }))
    }
}

/// The frame of a row chart, drawn by [`RowChart::frame`]: maps (period, row) to pixels.
pub struct RowFrame<DB: DrawingBackend> {
    plot: Plot<DB>,
    rows: usize,
    legend_at: Px,
    /// The pixel x of the first period's start.
    pub xa: i32,
    /// The pixel x of the last period's end.
    pub xb: i32,
}

impl<DB: DrawingBackend> RowFrame<DB> {
    /// The pixel of `(x, y)`: x in periods from the left edge, y in rows from the bottom.
    pub fn px(&self, x: f64, y: f64) -> Px {
        self.plot.map_coordinate(&(x, y))
    }

    /// Row `r`'s (counted from the top) centre in rows, and the pixel of its left end.
    pub fn row(&self, r: usize) -> (f64, Px) {
        let yc = self.rows as f64 - r as f64 - 0.5;
        (yc, self.px(0.0, yc))
    }

    /// The legend right of the plot: the `kinds`' fills, the chart's `marks`, then `notes`
    /// (text alone; "● committed" first).
    pub fn legend(
        &self,
        root: &Canvas<DB>,
        kinds: &[Kind],
        marks: Vec<(String, Swatch)>,
        notes: &[&str],
    ) -> Result<(), String> {
        let mut entries: Vec<(String, Swatch)> = kinds
            .iter()
            .map(|&k| {
                (
                    k.to_string(),
                    Swatch::Fill(style::kind_color(k), style::kind_hatch(k)),
                )
            })
            .collect();
        entries.extend(marks);
        for note in std::iter::once(&"● committed").chain(notes) {
            entries.push((note.to_string(), Swatch::Outline(WHITE)));
        }
        legend(root, self.legend_at, &entries, 18)?;
        Ok(())
    }
}

/// A group heading across the row whose left end is `(left, y)`: "TITLE · N items" over a rule
/// that runs to `xb`.
pub fn group_heading<DB: DrawingBackend>(
    root: &Canvas<DB>,
    title: &str,
    count: usize,
    (left, y): Px,
    xb: i32,
) -> Result<(), String> {
    root.draw(&PathElement::new(
        vec![(left - ROW_LABELS, y + 16), (xb, y + 16)],
        style::MUTED.stroke_width(1),
    ))
    .map_err(err)?;
    label(
        root,
        &format!(
            "{title} · {count} item{}",
            if count == 1 { "" } else { "s" }
        ),
        (left - ROW_LABELS, y + 4),
        Font::bold(style::LEGEND_SIZE),
        &style::INK,
        HPos::Left,
        VPos::Center,
    )
}

/// An item's name left of its row (whose left end is `(left, y)`), " ●" when it is committed.
pub fn item_name<DB: DrawingBackend>(
    root: &Canvas<DB>,
    name: &str,
    commit: bool,
    (left, y): Px,
) -> Result<(), String> {
    let mark = if commit { " ●" } else { "" };
    label(
        root,
        &format!("{}{mark}", style::truncate(name, 42)),
        (left - 14, y),
        style::TICK_SIZE,
        &style::INK,
        HPos::Right,
        VPos::Center,
    )
}

/// A muted note in a row with nothing to draw, from `(x, y)` rightwards.
pub fn row_note<DB: DrawingBackend>(
    root: &Canvas<DB>,
    text: &str,
    (x, y): Px,
) -> Result<(), String> {
    label(
        root,
        text,
        (x, y),
        style::NOTE_SIZE,
        &style::MUTED,
        HPos::Left,
        VPos::Center,
    )
}

/// The "delivered" marker above the row at `(x, y)`.
pub fn delivery_marker<DB: DrawingBackend>(root: &Canvas<DB>, (x, y): Px) -> Result<(), String> {
    marker(root, (x, y - 17), Marker::TriangleDown, &style::INK, 8)
}

/// A deadline: a red bar at `(x, y)`, `half` pixels above and below the row's centre.
pub fn deadline_bar<DB: DrawingBackend>(
    root: &Canvas<DB>,
    (x, y): Px,
    half: i32,
) -> Result<(), String> {
    root.draw(&Rectangle::new(
        [(x - 3, y - half), (x + 3, y + half)],
        style::okabe_ito::VERMILLION.filled(),
    ))
    .map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_past_the_row_limit_gets_no_heading() {
        let groups = vec![
            ("a", vec![Kind::Security, Kind::Debt]),
            ("empty", vec![]),
            ("b", vec![Kind::Feature, Kind::Debt]),
            ("c", vec![Kind::Feature]),
        ];
        let chart = RowChart::grouped(
            &["P1".to_string()],
            groups,
            3,
            |g, n| format!("{g}:{n}"),
            |k| (k.to_string(), k),
        );
        let rows: Vec<&str> = chart.rows.iter().map(String::as_str).collect();
        assert_eq!(rows, ["a:2", "security", "debt", "b:2", "feature"]);
        assert_eq!(chart.omitted, 2, "one of b's items and all of c's");
        assert_eq!(chart.kinds, [Kind::Feature, Kind::Debt, Kind::Security]);
    }
}
