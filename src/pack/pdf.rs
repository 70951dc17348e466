//! The pack as an A4 PDF written with krilla: Thai shaped by rustybuzz (inside
//! krilla) with the bundled Sarabun embedded, the charts drawn from their SVG as
//! vectors by krilla-svg. krilla does no layout, so this module does a small
//! one: it breaks Thai text into lines at the word boundaries of ICU4X's
//! dictionary segmenter (Thai has no spaces between words), measures with the
//! same font, flows blocks down the page, and repeats a table's header on every
//! page it continues on. Layout first produces pages of drawing operations, so
//! the footer can say "page n of N"; drawing them is the second pass.

use std::sync::OnceLock;

use icu_segmenter::options::LineBreakOptions;
use icu_segmenter::LineSegmenter;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::Document;
use krilla_svg::{SurfaceExt, SvgSettings};

use super::{Pack, Table, OFFICE_TH};
use crate::domain::fiscal::thai_date;

/// The pack is the committee's document: Thai, from the catalogue.
const TH: crate::i18n::Lang = crate::i18n::Lang::Th;

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/Sarabun-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/Sarabun-Bold.ttf");

/// A4 in points, and the margins.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 42.0;
const TOP: f32 = 48.0;
const BOTTOM: f32 = PAGE_H - 52.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;

const INK: (u8, u8, u8) = (0x1a, 0x1a, 0x1a);
const MUTED: (u8, u8, u8) = (0x55, 0x55, 0x55);
const RULE: (u8, u8, u8) = (0xb0, 0xb0, 0xb0);
const HEAD_BG: (u8, u8, u8) = (0xdc, 0xe6, 0xf2);

struct Fonts {
    regular: Font,
    bold: Font,
    regular_face: rustybuzz::Face<'static>,
    bold_face: rustybuzz::Face<'static>,
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| Fonts {
        regular: Font::new(REGULAR.to_vec().into(), 0).expect("the bundled Sarabun Regular is a font"),
        bold: Font::new(BOLD.to_vec().into(), 0).expect("the bundled Sarabun Bold is a font"),
        regular_face: rustybuzz::Face::from_slice(REGULAR, 0).expect("the bundled Sarabun Regular is a font"),
        bold_face: rustybuzz::Face::from_slice(BOLD, 0).expect("the bundled Sarabun Bold is a font"),
    })
}

/// The width of `text` set in one line at `size` points.
fn measure(text: &str, size: f32, bold: bool) -> f32 {
    let f = fonts();
    let face = if bold { &f.bold_face } else { &f.regular_face };
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.guess_segment_properties();
    let shaped = rustybuzz::shape(face, &[], buffer);
    let units: i32 = shaped.glyph_positions().iter().map(|p| p.x_advance).sum();
    units as f32 * size / face.units_per_em() as f32
}

/// Thai combining vowels and tone marks: never the first character of a line.
fn is_thai_mark(c: char) -> bool {
    matches!(c, '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}')
}

/// `text` broken into lines no wider than `width`: at line-break opportunities
/// (word boundaries in Thai), and inside a word only when the word alone is
/// wider than the line. Explicit newlines are kept.
pub fn wrap(text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
    static SEGMENTER: OnceLock<icu_segmenter::LineSegmenterBorrowed<'static>> = OnceLock::new();
    let segmenter = SEGMENTER.get_or_init(|| LineSegmenter::new_dictionary(LineBreakOptions::default()));
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        // Each piece is measured once; a line's width is the sum of its pieces'
        // (advances add up: Thai marks have none).
        let mut line = String::new();
        let mut line_w = 0.0;
        let mut last = 0;
        for brk in segmenter.segment_str(paragraph).skip(1) {
            let piece = &paragraph[last..brk];
            last = brk;
            let (full, trimmed) = (measure(piece, size, bold), measure(piece.trim_end(), size, bold));
            if line.is_empty() || line_w + trimmed <= width {
                line.push_str(piece);
                line_w += full;
                if line_w - full + trimmed <= width {
                    continue;
                }
            } else {
                lines.push(line.trim_end().to_string());
                line = piece.to_string();
                line_w = full;
                if trimmed <= width {
                    continue;
                }
            }
            // A single piece wider than the line: cut it between characters.
            let mut cut = String::new();
            let mut cut_w = 0.0;
            for c in line.chars() {
                let w = measure(c.encode_utf8(&mut [0; 4]), size, bold);
                if !cut.is_empty() && !is_thai_mark(c) && cut_w + w > width {
                    lines.push(std::mem::take(&mut cut));
                    cut_w = 0.0;
                }
                cut.push(c);
                cut_w += w;
            }
            line = cut;
            line_w = cut_w;
        }
        lines.push(line.trim_end().to_string());
    }
    lines
}

enum Op {
    Text { x: f32, y: f32, size: f32, bold: bool, color: (u8, u8, u8), text: String },
    Rect { x: f32, y: f32, w: f32, h: f32, color: (u8, u8, u8) },
    Line { x1: f32, y1: f32, x2: f32, y2: f32 },
    Chart { index: usize, x: f32, y: f32, w: f32, h: f32 },
}

/// Lays the pack out: pages of operations, and a cursor going down the page.
struct Layout {
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Layout {
    fn new() -> Layout {
        Layout { pages: vec![Vec::new()], y: TOP }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a page")
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Starts a new page unless `height` more fits on this one.
    fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > TOP {
            self.new_page();
        }
    }

    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, color: (u8, u8, u8), text: &str) {
        if !text.is_empty() {
            self.ops().push(Op::Text { x, y, size, bold, color, text: text.to_string() });
        }
    }

    /// A paragraph over the content width; `center` centres each line.
    fn paragraph(&mut self, text: &str, size: f32, bold: bool, center: bool) {
        let lead = size * 1.5;
        for line in wrap(text, size, bold, CONTENT_W) {
            self.ensure(lead);
            let x = if center { MARGIN + (CONTENT_W - measure(&line, size, bold)) / 2.0 } else { MARGIN };
            let y = self.y + size;
            self.text(x, y, size, bold, INK, &line);
            self.y += lead;
        }
    }

    fn heading(&mut self, text: &str) {
        self.ensure(80.0);
        self.y += 6.0;
        self.paragraph(text, 15.0, true, false);
        self.y += 2.0;
    }

    /// A table with wrapped cells; numbers right-aligned; the header row again
    /// on each page the table continues on.
    fn table(&mut self, t: &Table) {
        if t.rows.is_empty() {
            self.heading(&t.title);
            self.paragraph(t.empty, 12.0, false, false);
            return;
        }
        // Wide tables in a smaller size, so that every amount fits its column.
        let (size, lead) = if t.columns.len() >= 8 { (8.5, 11.5) } else { (10.0, 13.5) };
        const PAD: f32 = 3.0;
        let widths: Vec<f32> = t.columns.iter().map(|c| c.width * CONTENT_W).collect();
        let numeric: Vec<bool> = (0..t.columns.len())
            .map(|i| t.rows.iter().all(|r| r.get(i).is_some_and(|c| c.is_number() || c.display() == "-")))
            .collect();
        let header: Vec<Vec<String>> =
            t.columns.iter().zip(&widths).map(|(c, w)| wrap(&c.heading, size, true, w - 2.0 * PAD)).collect();
        let header_h = header.iter().map(Vec::len).max().unwrap_or(1) as f32 * lead + 2.0 * PAD;
        // A table's title never stands alone at the foot of a page: it goes on
        // with its header and the first rows.
        let title_h = wrap(&t.title, 15.0, true, CONTENT_W).len() as f32 * 22.5 + 8.0;
        self.ensure(title_h + header_h + 2.0 * (lead + 2.0 * PAD));
        self.heading(&t.title);
        let draw_header = |l: &mut Layout| {
            let y = l.y;
            l.ops().push(Op::Rect { x: MARGIN, y, w: CONTENT_W, h: header_h, color: HEAD_BG });
            let mut x = MARGIN;
            for (lines, w) in header.iter().zip(&widths) {
                for (k, line) in lines.iter().enumerate() {
                    l.text(x + PAD, y + PAD + size + k as f32 * lead, size, true, INK, line);
                }
                x += w;
            }
            l.y += header_h;
        };
        for (r, row) in t.rows.iter().enumerate() {
            // An amount is never broken across lines.
            let cells: Vec<Vec<String>> = row
                .iter()
                .zip(&widths)
                .map(
                    |(c, w)| {
                        if c.is_number() {
                            vec![c.display()]
                        } else {
                            wrap(&c.display(), size, false, w - 2.0 * PAD)
                        }
                    },
                )
                .collect();
            let lines = cells.iter().map(Vec::len).max().unwrap_or(1);
            let mut rest = 0;
            // A row taller than a page continues on the next one, header again.
            while rest < lines {
                if r == 0 && rest == 0 {
                    self.ensure(header_h + lead + 2.0 * PAD);
                    draw_header(self);
                } else if self.y + lead + 2.0 * PAD > BOTTOM {
                    self.new_page();
                    draw_header(self);
                }
                let fit = (((BOTTOM - self.y - 2.0 * PAD) / lead).floor() as usize).max(1).min(lines - rest);
                let y = self.y;
                let mut x = MARGIN;
                for ((cell, w), num) in cells.iter().zip(&widths).zip(&numeric) {
                    for (k, line) in cell.iter().skip(rest).take(fit).enumerate() {
                        let tx = if *num { x + w - PAD - measure(line, size, false) } else { x + PAD };
                        self.text(tx, y + PAD + size + k as f32 * lead, size, false, INK, line);
                    }
                    x += w;
                }
                self.y += fit as f32 * lead + 2.0 * PAD;
                let bottom = self.y;
                self.ops().push(Op::Line { x1: MARGIN, y1: bottom, x2: MARGIN + CONTENT_W, y2: bottom });
                rest += fit;
            }
        }
        self.y += 10.0;
    }

    fn chart(&mut self, index: usize, w: f32, h: f32, desc: &str) {
        let (w, h) = (CONTENT_W, CONTENT_W * h / w);
        self.ensure(h + 40.0);
        let y = self.y;
        self.ops().push(Op::Chart { index, x: MARGIN, y, w, h });
        self.y += h + 4.0;
        self.paragraph(desc, 10.5, false, false);
        self.y += 8.0;
    }
}

fn fill(color: (u8, u8, u8)) -> Fill {
    Fill {
        paint: rgb::Color::new(color.0, color.1, color.2).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

/// The pack as a PDF document.
pub fn render(p: &Pack) -> anyhow::Result<Vec<u8>> {
    let trees: Vec<resvg::usvg::Tree> =
        p.charts.iter().map(|c| crate::charts::parse(&c.svg)).collect::<Result<_, _>>()?;
    let mut l = Layout::new();

    // Cover.
    l.y = 220.0;
    l.paragraph(OFFICE_TH, 18.0, true, true);
    l.y += 20.0;
    l.paragraph(&p.title(), 22.0, true, true);
    l.y += 20.0;
    l.paragraph(TH.t("pack.for_committee"), 16.0, false, true);
    l.paragraph(&TH.f("pack.as_of", &[("date", &p.as_of_th())]), 16.0, false, true);
    l.paragraph(&TH.f("pack.made_on", &[("date", &thai_date(p.generated))]), 12.0, false, true);

    let [headline, bureaus, categories, lagging, alerts, completeness, reconciliation, carry] = p.tables();
    l.new_page();
    l.table(&headline);
    l.heading(TH.t("pack.charts"));
    for (i, (chart, tree)) in p.charts.iter().zip(&trees).enumerate() {
        let size = tree.size();
        l.chart(i, size.width(), size.height(), &chart.desc);
    }
    for t in [bureaus, categories, lagging, alerts, completeness, reconciliation, carry] {
        l.table(&t);
    }

    let f = fonts();
    let mut doc = Document::new();
    doc.set_metadata(Metadata::new().title(p.title()).language("th".into()).creator("budgetwatch".into()));
    let total = l.pages.len();
    let footer_title = p.title();
    for (n, ops) in l.pages.iter().enumerate() {
        let mut page = doc.start_page_with(PageSettings::from_wh(PAGE_W, PAGE_H).expect("A4 is a page size"));
        let mut s = page.surface();
        let mut footer = vec![
            Op::Line { x1: MARGIN, y1: PAGE_H - 40.0, x2: PAGE_W - MARGIN, y2: PAGE_H - 40.0 },
            Op::Text { x: MARGIN, y: PAGE_H - 26.0, size: 9.0, bold: false, color: MUTED, text: footer_title.clone() },
        ];
        let number = TH.f("pack.page", &[("n", &(n + 1)), ("total", &total)]);
        footer.push(Op::Text {
            x: PAGE_W - MARGIN - measure(&number, 9.0, false),
            y: PAGE_H - 26.0,
            size: 9.0,
            bold: false,
            color: MUTED,
            text: number,
        });
        let ops = if n == 0 { ops.iter().collect::<Vec<_>>() } else { ops.iter().chain(&footer).collect() };
        for op in ops {
            match op {
                Op::Text { x, y, size, bold, color, text } => {
                    s.set_fill(Some(fill(*color)));
                    let font = if *bold { f.bold.clone() } else { f.regular.clone() };
                    s.draw_text(Point::from_xy(*x, *y), font, *size, text, false, TextDirection::Auto);
                }
                Op::Rect { x, y, w, h, color } => {
                    let mut pb = PathBuilder::new();
                    if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                        pb.push_rect(rect);
                    }
                    if let Some(path) = pb.finish() {
                        s.set_fill(Some(fill(*color)));
                        s.set_stroke(None);
                        s.draw_path(&path);
                    }
                }
                Op::Line { x1, y1, x2, y2 } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(*x1, *y1);
                    pb.line_to(*x2, *y2);
                    if let Some(path) = pb.finish() {
                        s.set_fill(None);
                        s.set_stroke(Some(Stroke {
                            paint: rgb::Color::new(RULE.0, RULE.1, RULE.2).into(),
                            width: 0.5,
                            ..Default::default()
                        }));
                        s.draw_path(&path);
                        s.set_stroke(None);
                    }
                }
                Op::Chart { index, x, y, w, h } => {
                    s.push_transform(&Transform::from_translate(*x, *y));
                    let size = Size::from_wh(*w, *h).ok_or_else(|| anyhow::anyhow!("a chart of no size"))?;
                    s.draw_svg(&trees[*index], size, SvgSettings::default())
                        .ok_or_else(|| anyhow::anyhow!("krilla-svg could not draw chart {index}"))?;
                    s.pop();
                }
            }
        }
        s.finish();
        page.finish();
    }
    doc.finish().map_err(|e| anyhow::anyhow!("writing the PDF: {e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thai_wraps_between_words_and_never_before_a_mark() {
        let text = "การเบิกจ่ายล่าช้าเนื่องจากผู้รับจ้างส่งมอบงานไม่ทันตามกำหนดในสัญญา";
        let lines = wrap(text, 12.0, false, 120.0);
        assert!(lines.len() > 1, "{lines:?}");
        assert_eq!(lines.concat(), text, "nothing lost or added");
        for l in &lines {
            assert!(measure(l, 12.0, false) <= 120.0 + 0.01, "{l:?} is too wide");
            assert!(!l.starts_with(is_thai_mark), "{l:?} starts with a combining mark");
        }
        // The dictionary breaks between words: no break falls inside one.
        let mut at = 0;
        for l in &lines[..lines.len() - 1] {
            at += l.len();
            for word in ["กำหนด", "สัญญา", "ส่งมอบ"] {
                let start = text.find(word).unwrap();
                assert!(!(start < at && at < start + word.len()), "a break inside {word:?}: {lines:?}");
            }
        }
        assert_eq!(wrap("หนึ่ง\nสอง", 12.0, false, 500.0), vec!["หนึ่ง", "สอง"]);
        assert_eq!(wrap("", 12.0, false, 500.0), vec![""]);
    }

    #[test]
    fn a_table_title_goes_to_the_next_page_with_its_header_and_rows() {
        let t = Table {
            sheet: "x",
            title: "ผลการเบิกจ่ายรายสำนัก".into(),
            // A narrow column with a long heading: a header row several lines tall.
            columns: vec![
                super::super::col("สำนัก", 0.92),
                super::super::col("ร้อยละการเบิกจ่ายรวมก่อหนี้ผูกพันเทียบกับแผนสะสม", 0.08),
            ],
            rows: vec![vec![super::super::Cell::text("DHR"), super::super::Cell::Int(1)]; 3],
            empty: "",
        };
        let mut l = Layout::new();
        // Room for the title alone (and the 80 pt any heading asks for), not for
        // the title with the header and a row.
        l.y = BOTTOM - 85.0;
        l.table(&t);
        assert_eq!(l.pages.len(), 2);
        assert!(l.pages[0].is_empty(), "nothing is left behind at the foot of the first page");
        assert!(matches!(&l.pages[1][0], Op::Text { text, .. } if text == "ผลการเบิกจ่ายรายสำนัก"));
        let mut room = Layout::new();
        room.table(&t);
        assert_eq!(room.pages.len(), 1, "with room, it stays");
    }

    #[test]
    fn a_word_wider_than_the_line_is_cut_between_characters() {
        let lines = wrap("กกกกกกกกกกกกกกกกกกกกกกกกกกกกกกกกกกกกกกกก", 12.0, false, 40.0);
        assert!(lines.len() > 3 && lines.iter().all(|l| measure(l, 12.0, false) <= 40.01), "{lines:?}");
    }
}
