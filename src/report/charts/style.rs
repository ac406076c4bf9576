//! The look shared by every chart: the bundled font, a colour-blind-safe palette, sizes and
//! hatching; numbers are written by [`crate::number`], re-exported here under the names
//! the charts use.
//!
//! Text is drawn with DejaVu Sans compiled into the binary and registered with plotters once, so
//! charts render on a machine with no system fonts. Colours are the Okabe–Ito palette; every
//! series also differs by dash, marker or hatching, so charts still read in greyscale.

use std::sync::OnceLock;

use plotters::style::{register_font, FontDesc, FontFamily, FontStyle, RGBColor, TextStyle};

use crate::error::Error;
use crate::scenario::{Class, Kind};

static SANS: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
static SANS_BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// The family every chart draws with. Registered under plotters' generic `sans-serif` name so the
/// SVG files also name a family every viewer has.
pub const FAMILY: &str = "sans-serif";

/// What SVG text asks the viewer for: the bundled face first (same metrics as the PNG), then
/// widely available faces of similar width.
pub const SVG_FONT_FAMILY: &str = "DejaVu Sans,Verdana,Arial,sans-serif";

/// Registers the bundled fonts with plotters, once per process.
pub fn ensure_fonts() -> Result<(), Error> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            register_font(FAMILY, FontStyle::Normal, SANS)
                .and_then(|()| register_font(FAMILY, FontStyle::Bold, SANS_BOLD))
                .map_err(|_| "the bundled DejaVu Sans font cannot be read".to_string())
        })
        .clone()
        .map_err(Error::Internal)
}

/// Okabe & Ito (2008), "Color Universal Design": eight colours told apart with every common
/// colour-vision deficiency.
pub mod okabe_ito {
    use plotters::style::RGBColor;
    pub const BLACK: RGBColor = RGBColor(0, 0, 0);
    pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
    pub const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
    pub const BLUISH_GREEN: RGBColor = RGBColor(0, 158, 115);
    /// Too pale on white for a line or a label; listed so the palette is whole.
    #[allow(dead_code)]
    pub const YELLOW: RGBColor = RGBColor(240, 228, 66);
    pub const BLUE: RGBColor = RGBColor(0, 114, 178);
    pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
    pub const REDDISH_PURPLE: RGBColor = RGBColor(204, 121, 167);
}

use okabe_ito::{BLACK, BLUE, BLUISH_GREEN, ORANGE, REDDISH_PURPLE, SKY_BLUE, VERMILLION};

pub const INK: RGBColor = RGBColor(34, 34, 34);
pub const MUTED: RGBColor = RGBColor(110, 110, 110);
pub const GRID: RGBColor = RGBColor(225, 225, 225);
pub const BUFFER_GREY: RGBColor = RGBColor(205, 205, 205);
pub const DRAG_GREY: RGBColor = RGBColor(95, 95, 95);

/// Series colours in order of use: strategies, items and lines. Dark and light alternate so
/// neighbours differ in greyscale too.
pub const SERIES: [RGBColor; 7] = [
    BLUE,
    ORANGE,
    BLUISH_GREEN,
    VERMILLION,
    SKY_BLUE,
    REDDISH_PURPLE,
    BLACK,
];

/// The colour of series `k`.
pub fn series_color(k: usize) -> RGBColor {
    SERIES[k % SERIES.len()]
}

/// How series `k`'s line is drawn, so lines differ without colour: solid, dashed, dotted, …
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dash {
    Solid,
    Dashed,
    Dotted,
    Long,
}

pub fn series_dash(k: usize) -> Dash {
    [Dash::Solid, Dash::Dashed, Dash::Dotted, Dash::Long][k % 4]
}

/// The marker drawn on series `k`'s points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
    Cross,
    /// A triangle pointing down (used for "delivered here").
    TriangleDown,
}

pub fn series_marker(k: usize) -> Marker {
    [
        Marker::Circle,
        Marker::Square,
        Marker::Triangle,
        Marker::Diamond,
        Marker::Cross,
    ][k % 5]
}

/// The fill of each kind of work. Product kinds are blues, stability kinds warm or green.
pub fn kind_color(kind: Kind) -> RGBColor {
    match kind {
        Kind::Feature => BLUE,
        Kind::Compliance => SKY_BLUE,
        Kind::Debt => VERMILLION,
        Kind::Migration => ORANGE,
        Kind::Infrastructure => BLUISH_GREEN,
        Kind::Security => REDDISH_PURPLE,
    }
}

/// A pattern drawn over a filled area so areas differ in greyscale as well as in colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hatch {
    None,
    /// Lines rising to the right.
    Forward,
    /// Lines falling to the right.
    Backward,
    /// Both diagonals.
    Cross,
    Horizontal,
    Vertical,
}

/// The hatch of each kind: product kinds plain or horizontal, stability kinds diagonal.
pub fn kind_hatch(kind: Kind) -> Hatch {
    match kind {
        Kind::Feature => Hatch::None,
        Kind::Compliance => Hatch::Horizontal,
        Kind::Debt => Hatch::Forward,
        Kind::Migration => Hatch::Backward,
        Kind::Infrastructure => Hatch::Cross,
        Kind::Security => Hatch::Vertical,
    }
}

/// The order kinds are stacked and listed in: product kinds first, then stability kinds.
pub fn kinds_in_class_order() -> Vec<(Class, Kind)> {
    let mut kinds: Vec<(Class, Kind)> = Kind::ALL.iter().map(|&k| (k.default_class(), k)).collect();
    kinds.sort_by_key(|&(class, kind)| (class, kind));
    kinds
}

/// Chart sizes in pixels: 16:9, large enough to stay sharp on a slide.
pub const WIDTH: u32 = 1600;
pub const HEIGHT: u32 = 900;

/// Text sizes in pixels (plotters' units).
pub const TITLE_SIZE: f64 = 40.0;
pub const SUBTITLE_SIZE: f64 = 24.0;
pub const AXIS_SIZE: f64 = 26.0;
pub const TICK_SIZE: f64 = 22.0;
pub const LEGEND_SIZE: f64 = 22.0;
pub const NOTE_SIZE: f64 = 20.0;

pub fn font(size: f64) -> FontDesc<'static> {
    FontDesc::new(FontFamily::Name(FAMILY), size, FontStyle::Normal)
}

pub fn bold(size: f64) -> FontDesc<'static> {
    FontDesc::new(FontFamily::Name(FAMILY), size, FontStyle::Bold)
}

/// A text style in `color`.
pub fn text(size: f64, color: &RGBColor) -> TextStyle<'static> {
    font(size).color(color)
}

// The numbers charts write come from the one formatter, `report::number` (its `//!` doc holds
// the rules); the names charts, the page and the review call are kept here.
pub use crate::number::{
    count, currency_unit, gap_percent, percent, short as compact, short_amount as money,
};

/// Shortens `s` to at most `max` characters, with an ellipsis.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A "nice" axis range containing [lo, hi] with a little headroom; never empty.
pub fn padded_range(lo: f64, hi: f64, pad: f64) -> (f64, f64) {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() {
        (lo.min(hi), lo.max(hi))
    } else {
        (0.0, 1.0)
    };
    let span = hi - lo;
    if span <= 0.0 {
        let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        return (lo - d, hi + d);
    }
    (lo - span * pad, hi + span * pad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_numbers_are_the_formatters() {
        assert_eq!(money(-45_000.0, "USD"), "−$45k");
        assert_eq!(compact(1_234_567.0), "1.23M");
        assert_eq!(count(10_000), "10,000");
        assert_eq!(percent(0.934), "93%");
    }

    #[test]
    fn fonts_register_once_and_again_without_error() {
        assert!(ensure_fonts().is_ok());
        assert!(ensure_fonts().is_ok());
    }

    #[test]
    fn padded_range_is_never_empty() {
        let (lo, hi) = padded_range(5.0, 5.0, 0.05);
        assert!(lo < 5.0 && hi > 5.0);
        let (lo, hi) = padded_range(0.0, 0.0, 0.05);
        assert!(lo < 0.0 && hi > 0.0);
        let (lo, hi) = padded_range(f64::NAN, 1.0, 0.05);
        assert!(lo < hi);
    }

    #[test]
    fn truncate_keeps_short_names() {
        assert_eq!(truncate("sso", 10), "sso");
        assert_eq!(truncate("abcdefghijk", 5), "abcd…");
    }
}
