//! The pack as a page laid out for A4 print (the print rules live in site.css:
//! `@page { size: A4 }`, no navigation, a section per page where it helps).

use super::{Pack, Table, OFFICE_TH};
use crate::domain::fiscal::thai_date;
use crate::i18n::Lang;
use crate::views::{self, html, Markup};

fn section_table(t: &Table) -> Markup {
    let rows = t
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| if c.is_number() { views::Cell::num(c.display()) } else { views::Cell::text(c.display()) })
                .collect()
        })
        .collect();
    let headings = t.columns.iter().map(|c| c.heading.clone()).collect();
    html! {
        h2 id=(t.sheet) { (t.title) }
        @if t.rows.is_empty() {
            p { (t.empty) }
        } @else {
            (views::table(&views::Table { caption: &t.title, headings, rows }))
        }
    }
}

/// The body of the pack page (the site's frame holds it), always in Thai: the
/// pack is the committee's document.
pub fn body(p: &Pack) -> Markup {
    let lang = Lang::Th;
    let (fy, m) = (p.fy, p.month.number());
    let [headline, bureaus, categories, lagging, alerts, completeness, reconciliation, carry] = p.tables();
    html! {
        p.no-print {
            a href={ "/meeting-pack/" (fy) "/" (m) ".pdf" } { (lang.t("pack.download_pdf")) } " · "
            a href={ "/meeting-pack/" (fy) "/" (m) ".xlsx" } { (lang.t("pack.download_xlsx")) } " · "
            a href={ "/dashboard/" (fy) "?month=" (m) } { (lang.t("pack.dashboard")) }
        }
        section.pack-cover aria-label=(lang.t("pack.cover")) {
            p { (OFFICE_TH) }
            p.pack-title { (p.title()) }
            p { (lang.t("pack.for_committee")) }
            p { (lang.f("pack.as_of", &[("date", &p.as_of_th())])) }
            p { (lang.f("pack.made_on", &[("date", &thai_date(p.generated))])) }
        }
        section.pack-section { (section_table(&headline)) }
        section.pack-section {
            h2 id="charts" { (lang.t("pack.charts")) }
            @for chart in &p.charts { (views::figure(lang, chart, &|_, _| None, true)) }
        }
        @for t in [bureaus, categories, lagging, alerts, completeness, reconciliation, carry] {
            section.pack-section { (section_table(&t)) }
        }
    }
}
