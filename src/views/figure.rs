//! A chart as a figure: the SVG with its elements made links, its message as the
//! caption, and its numbers as a table whose rows' first cells are linked the
//! same way (the table is what keyboards and screen readers use).

use super::{html, table, Cell, Markup, PreEscaped, Table};
use crate::charts::Chart;
use crate::i18n::Lang;

/// Where a chart element leads: its key (a table row's first cell) and the month
/// it stands for (`None` for a table row) → a page, if any.
pub type Link<'a> = &'a dyn Fn(&str, Option<u8>) -> Option<String>;

/// The chart's SVG (written by `charts`, its text escaped there) with its
/// elements made links. The links are for the mouse: hidden from assistive
/// technology and out of the tab order, since the table carries the same links.
fn with_hotspots(chart: &Chart, link: Link<'_>) -> Markup {
    let spots: Vec<(String, &crate::charts::Hotspot)> =
        chart.hotspots.iter().filter_map(|h| link(&h.key, h.month).map(|href| (href, h))).collect();
    let group = html! {
        g.hotspots {
            @for (href, h) in &spots {
                a href=(href) tabindex="-1" aria-hidden="true" {
                    rect.hotspot x=(h.x) y=(h.y) width=(h.w) height=(h.h) { title { (h.label) } }
                }
            }
        }
    };
    // An image's parts are not interactive (axe: nested-interactive), so the image
    // role moves from the <svg> to a group holding the drawing, and the links
    // stand beside it.
    let k = chart.kind.as_str();
    let role = format!(" role=\"img\" aria-labelledby=\"chart-title-{k} chart-desc-{k}\">");
    match (chart.svg.find(&role), chart.svg.rfind("</svg>")) {
        (Some(open), Some(end)) if !spots.is_empty() => PreEscaped(format!(
            "{}><g{}{}</g>{}</svg>",
            &chart.svg[..open],
            role,
            &chart.svg[open + role.len()..end],
            group.into_string()
        )),
        _ => PreEscaped(chart.svg.clone()),
    }
}

/// The figure; its data table is open (for print) when `open`.
pub fn figure(lang: Lang, chart: &Chart, link: Link<'_>, open: bool) -> Markup {
    let rows = chart
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .map(|(i, c)| match (i, link(c, None)) {
                    (0, Some(href)) => Cell::Link(c.clone(), href),
                    (0, None) => Cell::text(c.clone()),
                    _ => Cell::num(c.clone()),
                })
                .collect()
        })
        .collect();
    let data = Table { caption: &chart.title, headings: chart.columns.clone(), rows };
    html! {
        figure.chart id=(chart.kind.as_str()) lang="th" {
            (with_hotspots(chart, link))
            figcaption { (chart.desc) }
            details open[open] {
                summary lang=(lang.code()) { (lang.t("chart.data_table")) }
                (table(&data))
            }
        }
    }
}
