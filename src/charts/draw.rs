//! Drawing with plotters' SVG backend. Text is written as SVG text in Sarabun (the
//! bundled font), so browsers and resvg shape Thai properly; plotters' own bitmap
//! backend would misplace Thai vowel and tone marks, so PNG is made from the SVG.
//! Colours are the Okabe–Ito palette, safe for colour-blind readers, and every
//! series also has its own marker or dash.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub const W: u32 = 1200;
pub const H: u32 = 675;
pub const FONT: &str = "Sarabun";

pub const INK: RGBColor = RGBColor(0x1b, 0x1f, 0x24);
pub const MUTED: RGBColor = RGBColor(0x4a, 0x53, 0x60);
pub const GRID: RGBColor = RGBColor(0xe3, 0xe7, 0xec);
pub const OI_BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
pub const OI_ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
pub const OI_VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
pub const OI_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
pub const OI_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
pub const OI_SKY: RGBColor = RGBColor(0x56, 0xB4, 0xE9);

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

pub fn err<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow::anyhow!("drawing a chart: {e}")
}

pub fn text<'a>(size: f64, color: &RGBColor) -> TextStyle<'a> {
    (FONT, size).into_font().color(color)
}

pub fn bold<'a>(size: f64, color: &RGBColor) -> TextStyle<'a> {
    (FONT, size).into_font().style(FontStyle::Bold).color(color)
}

/// The title and subtitle at the top of every chart.
pub fn heading(root: &Area<'_>, title: &str, subtitle: &str) -> anyhow::Result<()> {
    root.draw(&Text::new(title.to_string(), (28, 18), bold(28.0, &INK))).map_err(err)?;
    root.draw(&Text::new(subtitle.to_string(), (28, 56), text(18.0, &MUTED))).map_err(err)?;
    Ok(())
}

#[derive(Clone, Copy)]
pub enum Marker {
    Circle,
    Triangle,
    Square,
    Diamond,
    Cross,
}

pub fn marker(area: &Area<'_>, at: (i32, i32), m: Marker, color: RGBColor) -> anyhow::Result<()> {
    let (x, y) = at;
    match m {
        Marker::Circle => area.draw(&Circle::new(at, 6, color.filled())).map_err(err),
        Marker::Triangle => {
            area.draw(&Polygon::new(vec![(x, y - 7), (x - 7, y + 6), (x + 7, y + 6)], color.filled())).map_err(err)
        }
        Marker::Square => area.draw(&Rectangle::new([(x - 6, y - 6), (x + 6, y + 6)], color.filled())).map_err(err),
        Marker::Diamond => {
            area.draw(&Polygon::new(vec![(x, y - 8), (x + 8, y), (x, y + 8), (x - 8, y)], color.filled())).map_err(err)
        }
        Marker::Cross => {
            area.draw(&PathElement::new(vec![(x - 6, y - 6), (x + 6, y + 6)], color.stroke_width(3))).map_err(err)?;
            area.draw(&PathElement::new(vec![(x - 6, y + 6), (x + 6, y - 6)], color.stroke_width(3))).map_err(err)
        }
    }
}

/// A legend row at (x, y): marker, line sample and label for each entry.
pub fn legend(root: &Area<'_>, x: i32, y: i32, entries: &[(&str, RGBColor, Marker, bool)]) -> anyhow::Result<()> {
    let mut cx = x;
    for (label, color, m, dashed) in entries {
        if *dashed {
            for i in 0..3 {
                root.draw(&PathElement::new(vec![(cx + i * 10, y), (cx + i * 10 + 6, y)], color.stroke_width(3)))
                    .map_err(err)?;
            }
        } else {
            root.draw(&PathElement::new(vec![(cx, y), (cx + 26, y)], color.stroke_width(3))).map_err(err)?;
        }
        marker(root, (cx + 13, y), *m, *color)?;
        root.draw(&Text::new(
            label.to_string(),
            (cx + 34, y),
            text(17.0, &INK).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(err)?;
        cx += 44 + (label.chars().count() as i32) * 9;
    }
    Ok(())
}

pub fn centered<'a>(size: f64, color: &RGBColor) -> TextStyle<'a> {
    text(size, color).pos(Pos::new(HPos::Center, VPos::Center))
}

pub fn right<'a>(size: f64, color: &RGBColor) -> TextStyle<'a> {
    text(size, color).pos(Pos::new(HPos::Right, VPos::Center))
}

pub fn left<'a>(size: f64, color: &RGBColor) -> TextStyle<'a> {
    text(size, color).pos(Pos::new(HPos::Left, VPos::Center))
}
