//! The meeting's charts: cumulative S-curve, bureaus against plan, expense
//! categories, a bureau × month lag heatmap, and the KPI gauge. Each `Chart` has a
//! title, a description stating its message in words, its numbers as a table, and
//! the SVG (with `<title>` and `<desc>`); `png` rasterises the SVG with resvg and
//! the bundled Sarabun font. The S-curve shows cumulative progress against the
//! year's allocation (A(12)), so the year's lines share one scale.

pub mod data;
pub mod draw;
pub mod routes;

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use plotters::prelude::*;
use rust_decimal::Decimal;

use self::data::px;
use self::draw::*;
use crate::domain::fiscal::thai_month_label;
use crate::domain::measures::Figures;
use crate::domain::money::fixed2;
use crate::domain::{Category, FiscalMonth, FiscalYear};
use crate::error::AppError;
use crate::monitoring::queries::{self, Row};
use crate::monitoring::summary;

/// Charts are drawn in Thai (the committee's language), their words from the catalogue.
const TH: crate::i18n::Lang = crate::i18n::Lang::Th;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    SCurve,
    Bureaus,
    Categories,
    Heatmap,
    Kpi,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::SCurve, Kind::Bureaus, Kind::Categories, Kind::Heatmap, Kind::Kpi];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::SCurve => "s-curve",
            Kind::Bureaus => "bureaus",
            Kind::Categories => "categories",
            Kind::Heatmap => "heatmap",
            Kind::Kpi => "kpi",
        }
    }

    /// Kinds that show every bureau or the office's KPI, whatever scope is asked.
    pub fn is_office_wide(self) -> bool {
        matches!(self, Kind::Bureaus | Kind::Heatmap | Kind::Kpi)
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Chart {
    pub kind: Kind,
    pub title: String,
    pub desc: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub svg: String,
    /// Where each element of the chart is drawn, for pages to make it a link
    /// (drill-down); the SVG itself carries no links.
    pub hotspots: Vec<Hotspot>,
}

/// A chart element's box in SVG pixels: `key` is its table row's first cell (a
/// bureau's code, a month's label), `month` the fiscal month it stands for, if one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Hotspot {
    pub key: String,
    pub month: Option<u8>,
    pub label: String,
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub h: i32,
}

fn pct(d: Option<Decimal>) -> String {
    d.map(fixed2).unwrap_or_else(|| "-".into())
}

/// Adds `<title>`, `<desc>` and `role="img"` to plotters' SVG; ids carry the kind
/// so that several charts can stand in one page.
/// Text for SVG's `<title>` and `<desc>`, escaped as XML.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn accessible(kind: Kind, svg: String, title: &str, desc: &str) -> String {
    let Some(end) = svg.find('>') else { return svg };
    let (open, rest) = svg.split_at(end);
    let k = kind.as_str();
    format!(
        "{open} role=\"img\" aria-labelledby=\"chart-title-{k} chart-desc-{k}\"><title id=\"chart-title-{k}\">{}</title><desc id=\"chart-desc-{k}\">{}</desc>{}",
        escape(title),
        escape(desc),
        &rest[1..]
    )
}

fn month_short(fy: FiscalYear, m: u8) -> String {
    FiscalMonth::new(m as i64)
        .map(|m| thai_month_label(fy, m).split(' ').next().unwrap_or("").to_string())
        .unwrap_or_default()
}

pub struct SCurveInput {
    pub fy: FiscalYear,
    pub month: FiscalMonth,
    pub scope: String,
    pub curve: data::Curve,
    pub last_year: Option<data::Curve>,
    /// (month, overall target %) at quarter ends.
    pub targets: Vec<(u8, Decimal)>,
}

pub fn s_curve(i: &SCurveInput) -> anyhow::Result<Chart> {
    let label = thai_month_label(i.fy, i.month);
    let title = TH.f("chart.s_curve.title", &[("fy", &i.fy), ("scope", &i.scope)]);
    let now = i.curve.points.get(i.month.number() as usize - 1).copied().unwrap_or(data::Point {
        month: i.month.number(),
        plan: None,
        disbursed: None,
        used: None,
    });
    let lag = now.plan.zip(now.used).map(|(p, u)| p - u);
    let against = match lag {
        Some(l) if l > Decimal::ZERO => TH.f("chart.behind", &[("points", &fixed2(l))]),
        Some(l) => TH.f("chart.ahead", &[("points", &fixed2(-l))]),
        None => TH.t("chart.no_plan").to_string(),
    };
    let desc = TH.f(
        "chart.s_curve.desc",
        &[
            ("month", &label),
            ("disbursed", &pct(now.disbursed)),
            ("used", &pct(now.used)),
            ("plan", &pct(now.plan)),
            ("against", &against),
        ],
    );
    let mut hotspots = Vec::new();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W, H)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        heading(&root, &title, &TH.f("chart.s_curve.subtitle", &[("month", &label)]))?;
        // The legend names only the series drawn (a project has no last year's
        // line and no cabinet targets).
        let mut entries = vec![
            (TH.t("chart.legend.plan"), OI_BLUE, Marker::Circle, false),
            (TH.t("chart.legend.disbursed"), OI_ORANGE, Marker::Triangle, false),
            (TH.t("chart.legend.used"), OI_VERMILLION, Marker::Square, false),
        ];
        if i.last_year.is_some() {
            entries.push((TH.t("chart.legend.last_year"), OI_PURPLE, Marker::Cross, false));
        }
        if !i.targets.is_empty() {
            entries.push((TH.t("chart.legend.cabinet"), OI_GREEN, Marker::Diamond, false));
        }
        legend(&root, 28, 100, &entries)?;
        let area = root.margin(120, 10, 10, 30);
        let mut chart = ChartBuilder::on(&area)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0i32..13i32, 0f64..105f64)
            .map_err(err)?;
        let fy = i.fy;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(14)
            .y_labels(11)
            .x_label_formatter(&|x| if (1..=12).contains(x) { month_short(fy, *x as u8) } else { String::new() })
            .y_label_formatter(&|y| format!("{y:.0}%"))
            .label_style(text(16.0, &MUTED))
            .max_light_lines(1)
            .bold_line_style(GRID)
            .axis_style(MUTED)
            .draw()
            .map_err(err)?;
        let series = |pick: fn(&data::Point) -> Option<Decimal>, c: &data::Curve| {
            c.points.iter().filter_map(|p| pick(p).map(|v| (p.month as i32, px(v)))).collect::<Vec<_>>()
        };
        let plan = series(|p| p.plan, &i.curve);
        let spent = series(|p| p.disbursed, &i.curve);
        let used = series(|p| p.used, &i.curve);
        chart.draw_series(LineSeries::new(plan.clone(), OI_BLUE.stroke_width(2))).map_err(err)?;
        if let Some(ly) = &i.last_year {
            let last = series(|p| p.used, ly);
            chart.draw_series(LineSeries::new(last.clone(), OI_PURPLE.stroke_width(2))).map_err(err)?;
            for p in last {
                marker(&root, chart.backend_coord(&p), Marker::Cross, OI_PURPLE)?;
            }
        }
        chart.draw_series(LineSeries::new(spent.clone(), OI_ORANGE.stroke_width(3))).map_err(err)?;
        chart.draw_series(LineSeries::new(used.clone(), OI_VERMILLION.stroke_width(3))).map_err(err)?;
        for p in plan {
            marker(&root, chart.backend_coord(&p), Marker::Circle, OI_BLUE)?;
        }
        for p in spent {
            marker(&root, chart.backend_coord(&p), Marker::Triangle, OI_ORANGE)?;
        }
        for p in used {
            marker(&root, chart.backend_coord(&p), Marker::Square, OI_VERMILLION)?;
        }
        // One column per month up to the month shown: a click opens that month.
        let step = chart.backend_coord(&(2, 0.0)).0 - chart.backend_coord(&(1, 0.0)).0;
        for m in 1..=i.month.number() {
            let (x, bottom) = chart.backend_coord(&(m as i32, 0.0));
            let top = chart.backend_coord(&(m as i32, 105.0)).1;
            let label = thai_month_label(i.fy, FiscalMonth::new(m as i64).expect("month"));
            hotspots.push(Hotspot {
                key: label.clone(),
                month: Some(m),
                label,
                x: x - step / 2,
                y: top,
                w: step,
                h: bottom - top,
            });
        }
        for (m, t) in &i.targets {
            let at = chart.backend_coord(&(*m as i32, px(*t)));
            marker(&root, at, Marker::Diamond, OI_GREEN)?;
            root.draw(&Text::new(format!("{}%", fixed2(*t)), (at.0 + 10, at.1 - 14), text(15.0, &OI_GREEN)))
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    let columns = [
        "chart.col.month",
        "chart.col.plan",
        "chart.col.disbursed",
        "chart.col.used",
        "chart.col.last_year",
        "chart.col.cabinet",
    ]
    .map(|k| TH.t(k));
    let rows = i
        .curve
        .points
        .iter()
        .map(|p| {
            vec![
                thai_month_label(i.fy, FiscalMonth::new(p.month as i64).expect("month")),
                pct(p.plan),
                pct(p.disbursed),
                pct(p.used),
                pct(i.last_year.as_ref().and_then(|l| l.points.get(p.month as usize - 1)).and_then(|q| q.used)),
                i.targets.iter().find(|t| t.0 == p.month).map(|t| fixed2(t.1)).unwrap_or_default(),
            ]
        })
        .collect();
    Ok(Chart {
        kind: Kind::SCurve,
        svg: accessible(Kind::SCurve, svg, &title, &desc),
        title,
        desc,
        columns: columns.iter().map(|c| c.to_string()).collect(),
        rows,
        hotspots,
    })
}

/// One bar per line (a bureau or an expense category): disbursed + committed,
/// with the plan as a tick and the 97% target as a line.
pub struct Bar {
    pub label: String,
    pub name: String,
    pub plan_rate: Option<Decimal>,
    pub used_rate: Option<Decimal>,
    pub lag: Option<Decimal>,
    /// Said in words beside the numbers (a bureau whose figures are carried forward).
    pub note: String,
}

fn bars(
    kind: Kind,
    title: String,
    subtitle: String,
    desc: String,
    lines: &[Bar],
    target: Decimal,
) -> anyhow::Result<Chart> {
    let n = lines.len().max(1);
    let mut hotspots = Vec::new();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W, H)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        heading(&root, &title, &subtitle)?;
        legend(
            &root,
            28,
            100,
            &[
                (TH.t("chart.legend.used"), OI_BLUE, Marker::Square, false),
                (TH.t("chart.legend.plan"), INK, Marker::Cross, false),
                (TH.t("chart.legend.target"), OI_VERMILLION, Marker::Diamond, true),
            ],
        )?;
        let area = root.margin(120, 10, 190, 40);
        let mut chart = ChartBuilder::on(&area)
            .x_label_area_size(36)
            .y_label_area_size(0)
            .build_cartesian_2d(0f64..105f64, 0f64..n as f64)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(11)
            .x_label_formatter(&|x| format!("{x:.0}%"))
            .label_style(text(16.0, &MUTED))
            .max_light_lines(1)
            .bold_line_style(GRID)
            .axis_style(MUTED)
            .draw()
            .map_err(err)?;
        for (i, b) in lines.iter().enumerate() {
            // The most behind at the top.
            let y = (n - 1 - i) as f64;
            let used = b.used_rate.map(px).unwrap_or(0.0).clamp(0.0, 105.0);
            chart
                .draw_series(std::iter::once(Rectangle::new([(0.0, y + 0.18), (used, y + 0.82)], OI_BLUE.filled())))
                .map_err(err)?;
            if let Some(p) = b.plan_rate {
                let p = px(p).clamp(0.0, 105.0);
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(p, y + 0.05), (p, y + 0.95)],
                        INK.stroke_width(4),
                    )))
                    .map_err(err)?;
            }
            let (top, bottom) = (chart.backend_coord(&(0.0, y + 1.0)).1, chart.backend_coord(&(0.0, y)).1);
            let (x0, x1) = (chart.backend_coord(&(0.0, y)).0, chart.backend_coord(&(105.0, y)).0);
            hotspots.push(Hotspot {
                key: b.label.clone(),
                month: None,
                label: b.name.clone(),
                x: x0 - 150,
                y: top,
                w: x1 - x0 + 150,
                h: bottom - top,
            });
            let (lx, ly) = chart.backend_coord(&(0.0, y + 0.5));
            root.draw(&Text::new(b.label.clone(), (lx - 12, ly), right(16.0, &INK))).map_err(err)?;
            let (vx, vy) = chart.backend_coord(&(used, y + 0.5));
            root.draw(&Text::new(format!("{}%", pct(b.used_rate)), (vx + 6, vy), left(14.0, &INK))).map_err(err)?;
            if !b.note.is_empty() {
                // A carried-forward line says so on the bar itself, not only in the table:
                // after the figure when there is room, inside a long bar otherwise.
                if used < 55.0 {
                    root.draw(&Text::new(b.note.clone(), (vx + 70, vy), left(13.0, &MUTED))).map_err(err)?;
                } else {
                    root.draw(&Text::new(b.note.clone(), (lx + 8, ly), left(13.0, &WHITE))).map_err(err)?;
                }
            }
        }
        let t = px(target);
        chart
            .draw_series(DashedLineSeries::new(vec![(t, 0.0), (t, n as f64)], 8, 6, OI_VERMILLION.stroke_width(3)))
            .map_err(err)?;
        let (tx, ty) = chart.backend_coord(&(t, n as f64));
        root.draw(&Text::new(format!("{}%", fixed2(target)), (tx, ty - 12), centered(15.0, &OI_VERMILLION)))
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(Chart {
        kind,
        svg: accessible(kind, svg, &title, &desc),
        title,
        desc,
        columns: [
            "chart.col.code",
            "chart.col.name",
            "chart.col.plan_rate",
            "chart.col.used_rate",
            "chart.col.lag",
            "chart.col.note",
        ]
        .iter()
        .map(|c| TH.t(c).to_string())
        .collect(),
        rows: lines
            .iter()
            .map(|b| {
                vec![b.label.clone(), b.name.clone(), pct(b.plan_rate), pct(b.used_rate), pct(b.lag), b.note.clone()]
            })
            .collect(),
        hotspots,
    })
}

pub fn bureaus_chart(
    fy: FiscalYear,
    month: FiscalMonth,
    mut lines: Vec<Bar>,
    target: Decimal,
) -> anyhow::Result<Chart> {
    lines.sort_by(|a, b| b.lag.unwrap_or(Decimal::MIN).cmp(&a.lag.unwrap_or(Decimal::MIN)).then(a.label.cmp(&b.label)));
    let behind: Vec<&Bar> = lines.iter().filter(|b| b.lag.is_some_and(|l| l > Decimal::ZERO)).collect();
    let desc = match behind.first() {
        Some(worst) => TH.f(
            "chart.bureaus.desc",
            &[("name", &worst.name), ("lag", &pct(worst.lag)), ("behind", &behind.len()), ("all", &lines.len())],
        ),
        None => TH.f("chart.bureaus.all_on_plan", &[("all", &lines.len())]),
    };
    let shown: Vec<Bar> = lines.into_iter().take(20).collect();
    bars(
        Kind::Bureaus,
        TH.f("chart.bureaus.title", &[("fy", &fy)]),
        TH.f("chart.bureaus.subtitle", &[("month", &thai_month_label(fy, month))]),
        desc,
        &shown,
        target,
    )
}

pub fn categories_chart(fy: FiscalYear, month: FiscalMonth, lines: Vec<Bar>, target: Decimal) -> anyhow::Result<Chart> {
    let worst = lines.iter().filter(|b| b.lag.is_some()).max_by(|a, b| a.lag.cmp(&b.lag));
    let desc = match worst {
        Some(w) => TH.f(
            "chart.categories.desc",
            &[("name", &w.name), ("used", &pct(w.used_rate)), ("plan", &pct(w.plan_rate)), ("lag", &pct(w.lag))],
        ),
        None => TH.t("chart.categories.none").to_string(),
    };
    bars(
        Kind::Categories,
        TH.f("chart.categories.title", &[("fy", &fy)]),
        TH.f("chart.as_of", &[("month", &thai_month_label(fy, month))]),
        desc,
        &lines,
        target,
    )
}

pub struct HeatRow {
    pub code: String,
    /// Lag in points for months 1..=m (None where there is no allocation).
    pub lags: Vec<Option<Decimal>>,
}

fn heat_color(lag: Option<Decimal>, warn: Decimal, critical: Decimal) -> RGBColor {
    match lag {
        None => RGBColor(0xee, 0xee, 0xee),
        Some(l) if l >= critical => RGBColor(0xF4, 0xA5, 0x82),
        Some(l) if l >= warn => RGBColor(0xFD, 0xD4, 0x9E),
        Some(l) if l > Decimal::ZERO => RGBColor(0xFF, 0xF3, 0xC4),
        Some(_) => RGBColor(0xCF, 0xEB, 0xDC),
    }
}

pub fn heatmap(
    fy: FiscalYear,
    month: FiscalMonth,
    rows: &[HeatRow],
    warn: Decimal,
    critical: Decimal,
) -> anyhow::Result<Chart> {
    let title = TH.f("chart.heatmap.title", &[("fy", &fy)]);
    let last = month.number() as usize;
    let late_now = rows.iter().filter(|r| r.lags.get(last - 1).copied().flatten().is_some_and(|l| l >= warn)).count();
    let desc = TH.f(
        "chart.heatmap.desc",
        &[("month", &thai_month_label(fy, month)), ("count", &late_now), ("warn", &fixed2(warn))],
    );
    let shown: Vec<&HeatRow> = rows.iter().take(20).collect();
    let mut hotspots = Vec::new();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W, H)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        heading(
            &root,
            &title,
            &TH.f("chart.heatmap.subtitle", &[("warn", &fixed2(warn)), ("critical", &fixed2(critical))]),
        )?;
        let (x0, y0, cw) = (140i32, 110i32, ((W as i32 - 180) / 12).max(40));
        let ch = ((H as i32 - y0 - 20) / (shown.len().max(1) as i32 + 1)).clamp(18, 44);
        for m in 1..=12u8 {
            root.draw(&Text::new(
                month_short(fy, m),
                (x0 + (m as i32 - 1) * cw + cw / 2, y0 + ch / 2),
                centered(15.0, &MUTED),
            ))
            .map_err(err)?;
        }
        for (r, row) in shown.iter().enumerate() {
            let y = y0 + (r as i32 + 1) * ch;
            root.draw(&Text::new(row.code.clone(), (x0 - 12, y + ch / 2), right(15.0, &INK))).map_err(err)?;
            for (m, lag) in row.lags.iter().enumerate() {
                let x = x0 + m as i32 * cw;
                root.draw(&Rectangle::new(
                    [(x + 1, y + 1), (x + cw - 1, y + ch - 1)],
                    heat_color(*lag, warn, critical).filled(),
                ))
                .map_err(err)?;
                if let Some(l) = lag {
                    hotspots.push(Hotspot {
                        key: row.code.clone(),
                        month: Some(m as u8 + 1),
                        label: format!("{} {}", row.code, month_short(fy, m as u8 + 1)),
                        x: x + 1,
                        y: y + 1,
                        w: cw - 2,
                        h: ch - 2,
                    });
                    let mark = if *l >= critical {
                        "!! "
                    } else if *l >= warn {
                        "! "
                    } else {
                        ""
                    };
                    root.draw(&Text::new(
                        format!("{mark}{:.1}", px(*l)),
                        (x + cw / 2, y + ch / 2),
                        centered(13.0, &INK),
                    ))
                    .map_err(err)?;
                }
            }
        }
        root.present().map_err(err)?;
    }
    let mut columns = vec![TH.t("chart.col.bureau").to_string()];
    columns.extend((1..=last as u8).map(|m| month_short(fy, m)));
    Ok(Chart {
        kind: Kind::Heatmap,
        svg: accessible(Kind::Heatmap, svg, &title, &desc),
        title,
        desc,
        columns,
        rows: rows
            .iter()
            .map(|r| std::iter::once(r.code.clone()).chain(r.lags.iter().take(last).map(|l| pct(*l))).collect())
            .collect(),
        hotspots,
    })
}

/// The KPI now and as projected for the year's end, each with its level.
pub struct KpiInput {
    pub actual: Option<Decimal>,
    pub actual_level: u8,
    pub forecast: Option<Decimal>,
    pub forecast_level: u8,
    pub forecast_score: Option<Decimal>,
}

pub fn kpi_gauge(fy: FiscalYear, month: FiscalMonth, k: &KpiInput, thresholds: &[Decimal]) -> anyhow::Result<Chart> {
    let title = TH.f("chart.kpi.title", &[("fy", &fy)]);
    let desc = TH.f(
        "chart.kpi.desc",
        &[
            ("month", &thai_month_label(fy, month)),
            ("actual", &pct(k.actual)),
            ("actual_level", &k.actual_level),
            ("forecast", &pct(k.forecast)),
            ("forecast_level", &k.forecast_level),
            ("score", &pct(k.forecast_score)),
            ("level5", &thresholds.last().map(|t| fixed2(*t)).unwrap_or_else(|| "-".into())),
        ],
    );
    let lo =
        thresholds.first().map(|t| px(*t) - 4.0).unwrap_or(85.0).min(k.actual.map(px).unwrap_or(100.0) - 2.0).max(0.0);
    let (cx, cy, r_out, r_in) = (W as f64 / 2.0, 520.0, 320.0, 200.0);
    let angle = |v: f64| std::f64::consts::PI * (1.0 - ((v - lo) / (100.0 - lo)).clamp(0.0, 1.0));
    let at = |v: f64, r: f64| ((cx + r * angle(v).cos()).round() as i32, (cy - r * angle(v).sin()).round() as i32);
    let colors = [
        RGBColor(0xdd, 0xdd, 0xdd),
        RGBColor(0xF4, 0xA5, 0x82),
        OI_ORANGE,
        RGBColor(0xF0, 0xE4, 0x42),
        OI_SKY,
        OI_GREEN,
    ];
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W, H)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        heading(&root, &title, &TH.f("chart.kpi.subtitle", &[("month", &thai_month_label(fy, month))]))?;
        let mut edges = vec![lo];
        edges.extend(thresholds.iter().map(|t| px(*t)));
        edges.push(100.0);
        for (band, pair) in edges.windows(2).enumerate() {
            let (a, b) = (pair[0], pair[1]);
            let steps = 24;
            let mut pts: Vec<(i32, i32)> =
                (0..=steps).map(|s| at(a + (b - a) * s as f64 / steps as f64, r_out)).collect();
            pts.extend((0..=steps).rev().map(|s| at(a + (b - a) * s as f64 / steps as f64, r_in)));
            root.draw(&Polygon::new(pts, colors[band.min(colors.len() - 1)].filled())).map_err(err)?;
            root.draw(&PathElement::new(vec![at(a, r_in), at(a, r_out)], WHITE.stroke_width(3))).map_err(err)?;
            if band > 0 {
                let mid = at((a + b) / 2.0, (r_in + r_out) / 2.0);
                root.draw(&Text::new(TH.f("chart.kpi.level", &[("n", &band)]), mid, centered(17.0, &INK)))
                    .map_err(err)?;
                let edge = at(a, r_out + 22.0);
                root.draw(&Text::new(format!("{a:.0}%"), edge, centered(15.0, &MUTED))).map_err(err)?;
            }
        }
        if let Some(v) = k.actual {
            // The actual, as a marker inside the arc.
            let tip = at(px(v), r_in - 6.0);
            marker(&root, tip, Marker::Triangle, OI_BLUE)?;
            let label = at(px(v), r_in - 34.0);
            root.draw(&Text::new(format!("{}%", pct(k.actual)), label, centered(15.0, &OI_BLUE))).map_err(err)?;
        }
        if let Some(v) = k.forecast {
            let tip = at(px(v), r_out + 8.0);
            root.draw(&PathElement::new(vec![(cx as i32, cy as i32), tip], INK.stroke_width(6))).map_err(err)?;
            root.draw(&Circle::new((cx as i32, cy as i32), 14, INK.filled())).map_err(err)?;
        }
        root.draw(&Text::new(
            TH.f("chart.kpi.forecast", &[("forecast", &pct(k.forecast)), ("level", &k.forecast_level)]),
            (cx as i32, cy as i32 + 50),
            (FONT, 34.0).into_font().style(FontStyle::Bold).color(&INK).pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Center,
            )),
        ))
        .map_err(err)?;
        root.draw(&Text::new(
            TH.f(
                "chart.kpi.actual",
                &[("actual", &pct(k.actual)), ("level", &k.actual_level), ("score", &pct(k.forecast_score))],
            ),
            (cx as i32, cy as i32 + 96),
            centered(21.0, &INK),
        ))
        .map_err(err)?;
        root.present().map_err(err)?;
    }
    let mut rows: Vec<Vec<String>> = thresholds
        .iter()
        .enumerate()
        .map(|(i, t)| vec![TH.f("chart.kpi.level", &[("n", &(i + 1))]), fixed2(*t)])
        .collect();
    rows.push(vec![
        TH.f("chart.kpi.row_actual", &[("month", &thai_month_label(fy, month)), ("level", &k.actual_level)]),
        pct(k.actual),
    ]);
    rows.push(vec![TH.f("chart.kpi.row_forecast", &[("level", &k.forecast_level)]), pct(k.forecast)]);
    Ok(Chart {
        kind: Kind::Kpi,
        svg: accessible(Kind::Kpi, svg, &title, &desc),
        title,
        desc,
        columns: vec![TH.t("chart.col.threshold").into(), TH.t("chart.col.percent").into()],
        rows,
        hotspots: Vec::new(),
    })
}

fn fontdb() -> Arc<resvg::usvg::fontdb::Database> {
    static DB: OnceLock<Arc<resvg::usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = resvg::usvg::fontdb::Database::new();
        db.load_font_data(include_bytes!("../../assets/fonts/Sarabun-Regular.ttf").to_vec());
        db.load_font_data(include_bytes!("../../assets/fonts/Sarabun-Bold.ttf").to_vec());
        db.set_sans_serif_family(FONT);
        Arc::new(db)
    })
    .clone()
}

/// Parses the SVG, shaping its text with the bundled font (the costly half of `png`).
pub fn parse(svg: &str) -> anyhow::Result<resvg::usvg::Tree> {
    let opt = resvg::usvg::Options { fontdb: fontdb(), font_family: FONT.to_string(), ..Default::default() };
    resvg::usvg::Tree::from_str(svg, &opt).map_err(|e| anyhow::anyhow!("reading the chart SVG: {e}"))
}

/// The SVG as a PNG of the same size, text shaped with the bundled font.
pub fn png(svg: &str) -> anyhow::Result<Vec<u8>> {
    encode(&rasterise(&parse(svg)?)?)
}

/// Draws a parsed chart on an opaque white canvas of its size.
pub fn rasterise(tree: &resvg::usvg::Tree) -> anyhow::Result<resvg::tiny_skia::Pixmap> {
    let size = tree.size().to_int_size();
    let mut pixmap =
        resvg::tiny_skia::Pixmap::new(size.width(), size.height()).ok_or_else(|| anyhow::anyhow!("empty chart"))?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(tree, resvg::tiny_skia::Transform::default(), &mut pixmap.as_mut());
    Ok(pixmap)
}

/// Charts are drawn on an opaque background: encode RGB (no alpha) with fast
/// compression, several times quicker than tiny-skia's default RGBA encoding.
pub fn encode(pixmap: &resvg::tiny_skia::Pixmap) -> anyhow::Result<Vec<u8>> {
    let rgb: Vec<u8> = pixmap.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
    let mut out = Vec::with_capacity(rgb.len() / 8);
    {
        let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Fast);
        let mut writer = encoder.write_header().map_err(|e| anyhow::anyhow!("encoding the PNG: {e}"))?;
        writer.write_image_data(&rgb).map_err(|e| anyhow::anyhow!("encoding the PNG: {e}"))?;
    }
    Ok(out)
}

fn bar_of(label: String, name: String, f: &Figures) -> Bar {
    let m = f.measures();
    Bar {
        label,
        name,
        plan_rate: m.plan_rate,
        used_rate: m.disbursed_committed_rate,
        lag: m.lag_pp,
        note: String::new(),
    }
}

/// Loads the data of `kind` for (fy, month[, bureau]) and draws it.
pub fn load(
    conn: &mut PgConnection,
    kind: Kind,
    fy: FiscalYear,
    month: FiscalMonth,
    bureau: Option<&queries::BureauRow>,
    now: DateTime<Utc>,
) -> Result<Chart, AppError> {
    Ok(load_many(conn, &[kind], fy, month, bureau, now)?.remove(0))
}

/// `load_many` through the render cache: a page that shows the same charts of
/// the same data again costs a lookup (the charts are kept as JSON). A caller
/// that has the office summary already passes it, so a miss does not compute
/// it again. Charts depend on the data alone (not on the time of asking).
#[allow(clippy::too_many_arguments)]
pub fn load_many_cached(
    conn: &mut PgConnection,
    cache: &crate::cache::RenderCache,
    kinds: &[Kind],
    fy: FiscalYear,
    month: FiscalMonth,
    bureau: Option<&queries::BureauRow>,
    settings: &queries::YearSettings,
    office: Option<&summary::OfficeSummary>,
    now: DateTime<Utc>,
    source: data::Source,
) -> Result<Vec<Chart>, AppError> {
    let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    let key = format!(
        "charts|{}|{fy}|{}|{}|{source:?}",
        names.join(","),
        month.number(),
        bureau.map(|b| b.code.as_str()).unwrap_or("")
    );
    let rendered = crate::cache::render_cached(conn, cache, &key, "", None, |conn| {
        let computed;
        let office = match office {
            Some(o) => o,
            None => {
                computed = summary::office_from(conn, fy, month, settings, now, source)?;
                &computed
            }
        };
        let charts = draw_many(conn, kinds, fy, month, bureau, settings, office, source)?;
        serde_json::to_vec(&charts).map_err(|e| AppError::Unexpected(e.into()))
    })?;
    match rendered {
        crate::cache::Rendered::Bytes { bytes, .. } => {
            serde_json::from_slice(&bytes).map_err(|e| AppError::Unexpected(e.into()))
        }
        crate::cache::Rendered::NotModified { .. } => {
            Err(AppError::Unexpected(anyhow::anyhow!("the chart cache answered 'not modified' unasked")))
        }
    }
}

/// Draws several charts of one month from one computation of the summary.
pub fn load_many(
    conn: &mut PgConnection,
    kinds: &[Kind],
    fy: FiscalYear,
    month: FiscalMonth,
    bureau: Option<&queries::BureauRow>,
    now: DateTime<Utc>,
) -> Result<Vec<Chart>, AppError> {
    let settings = queries::require_year_settings(conn, fy)?;
    let office = summary::office(conn, fy, month, &settings, now)?;
    draw_many(conn, kinds, fy, month, bureau, &settings, &office, data::Source::Reports)
}

/// Draws several charts of one month from a summary already computed (of the
/// same `source`).
#[allow(clippy::too_many_arguments)]
pub fn draw_many(
    conn: &mut PgConnection,
    kinds: &[Kind],
    fy: FiscalYear,
    month: FiscalMonth,
    bureau: Option<&queries::BureauRow>,
    settings: &queries::YearSettings,
    office: &summary::OfficeSummary,
    source: data::Source,
) -> Result<Vec<Chart>, AppError> {
    kinds.iter().map(|k| draw_kind(conn, *k, fy, month, bureau, settings, office, source)).collect()
}

/// "ยังไม่ส่งรายงาน พ.ย. 2569 — ใช้ข้อมูล ต.ค. 2569" for a line whose month has no
/// submitted report (its commitments carried forward), empty otherwise.
pub fn carried_note(fy: FiscalYear, month: FiscalMonth, reported_through: Option<u8>, carried: bool) -> String {
    if !carried {
        return String::new();
    }
    let month = thai_month_label(fy, month);
    match reported_through.and_then(|m| FiscalMonth::new(m as i64).ok()) {
        Some(m) => TH.f("chart.carried", &[("month", &month), ("from", &thai_month_label(fy, m))]),
        None => TH.f("chart.carried_none", &[("month", &month)]),
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_kind(
    conn: &mut PgConnection,
    kind: Kind,
    fy: FiscalYear,
    month: FiscalMonth,
    bureau: Option<&queries::BureauRow>,
    settings: &queries::YearSettings,
    office: &summary::OfficeSummary,
    source: data::Source,
) -> Result<Chart, AppError> {
    let level5 = settings.kpi_thresholds.last().copied().unwrap_or(Decimal::from(97));
    let chart = match kind {
        Kind::SCurve => {
            let (scope, bureau_id) = match bureau {
                Some(b) => (b.name_th.clone(), Some(b.id)),
                None => (TH.t("chart.office").to_string(), None),
            };
            let months = data::months_from(conn, fy, bureau_id, None, source)?;
            let year_end = months.last().map(|m| m.allocation_year).unwrap_or_default();
            let curve = data::curve(&months, year_end, Some(month));
            let last_year = match queries::year_settings(conn, fy.previous())? {
                Some(_) => {
                    let prev = data::months_from(conn, fy.previous(), bureau_id, None, source)?;
                    let prev_end = prev.last().map(|m| m.allocation_year).unwrap_or_default();
                    Some(data::curve(&prev, prev_end, None))
                }
                None => None,
            };
            let targets = (1..=4u8)
                .filter_map(|q| settings.targets_overall.get(q as usize - 1).copied().flatten().map(|t| (q * 3, t)))
                .collect();
            s_curve(&SCurveInput { fy, month, scope, curve, last_year, targets })
        }
        Kind::Bureaus => bureaus_chart(
            fy,
            month,
            office
                .bureaus
                .iter()
                .map(|b| Bar {
                    label: b.code.clone(),
                    name: b.name_th.clone(),
                    plan_rate: b.rates.plan_rate,
                    used_rate: b.rates.disbursed_committed_rate,
                    lag: b.rates.lag_pp,
                    note: carried_note(fy, month, b.reported_through, b.carried_forward),
                })
                .collect(),
            level5,
        ),
        Kind::Categories => {
            let rows = match source {
                data::Source::Reports => queries::month_totals(conn, fy, month, bureau.map(|b| b.id))?,
                data::Source::Ledger => queries::month_totals_from_ledger(conn, fy, month, bureau.map(|b| b.id))?,
            };
            let lines = Category::ALL
                .iter()
                .filter_map(|c| {
                    let f: Figures = rows.iter().filter(|r| r.category() == *c).map(|r| r.figures()).sum();
                    (f.allocation > Decimal::ZERO).then(|| bar_of(c.name_th().to_string(), c.name_th().to_string(), &f))
                })
                .collect();
            categories_chart(fy, month, lines, level5)
        }
        Kind::Heatmap => {
            let cells = data::bureau_months(conn, fy, month, source)?;
            let mut rows: Vec<HeatRow> =
                office.bureaus.iter().map(|b| HeatRow { code: b.code.clone(), lags: Vec::new() }).collect();
            let ids = queries::bureaus(conn)?;
            for row in rows.iter_mut() {
                let id = ids.iter().find(|b| b.code == row.code).map(|b| b.id);
                row.lags = FiscalMonth::all()
                    .take(month.number() as usize)
                    .map(|m| {
                        cells
                            .iter()
                            .find(|c| Some(c.bureau_id) == id && c.month == m.number() as i16)
                            .and_then(|c| c.figures().measures().lag_pp)
                    })
                    .collect();
            }
            rows.sort_by_key(|r| std::cmp::Reverse(r.lags.last().copied().flatten()));
            heatmap(fy, month, &rows, settings.warn_lag_pp, settings.critical_lag_pp)
        }
        Kind::Kpi => {
            let h = &office.headline;
            kpi_gauge(
                fy,
                month,
                &KpiInput {
                    actual: h.disbursed_committed_rate,
                    actual_level: h.kpi_level,
                    forecast: h.forecast_year_end_rate,
                    forecast_level: h.kpi_level_forecast,
                    forecast_score: h.kpi_score_forecast,
                },
                &settings.kpi_thresholds,
            )
        }
    };
    chart.map_err(AppError::Unexpected)
}
