//! The pack as a page laid out for A4 print (the print rules live in site.css:
//! `@page { size: A4 }`, no navigation, a section per page where it helps).

use super::{Pack, Table, OFFICE_TH};
use crate::dashboard::{figure, table_head, table_row};
use crate::domain::fiscal::thai_date;
use crate::pages::escape;

fn table(t: &Table) -> String {
    if t.rows.is_empty() {
        return format!("<h2 id=\"{}\">{}</h2><p>{}</p>", t.sheet, escape(&t.title), escape(t.empty));
    }
    let head = table_head(t.columns.iter().map(|c| c.heading.as_str()));
    let rows: String = t
        .rows
        .iter()
        .map(|r| table_row(&r.iter().map(|c| (c.display(), c.is_number())).collect::<Vec<_>>(), None))
        .collect();
    format!("<h2 id=\"{}\">{}</h2><table><thead>{head}</thead><tbody>{rows}</tbody></table>", t.sheet, escape(&t.title))
}

/// The body of the pack page (the site's layout frames it).
pub fn body(p: &Pack) -> String {
    let (fy, m) = (p.fy, p.month.number());
    let mut out = format!(
        "<p class=\"no-print\"><a href=\"/meeting-pack/{fy}/{m}.pdf\">ดาวน์โหลด PDF</a> · \
         <a href=\"/meeting-pack/{fy}/{m}.xlsx\">ดาวน์โหลด Excel</a> · <a href=\"/dashboard/{fy}?month={m}\">แดชบอร์ด</a></p>\
         <section class=\"pack-cover\" aria-label=\"ปก\"><p>{OFFICE_TH}</p><p class=\"pack-title\">{}</p>\
         <p>เสนอที่ประชุมคณะผู้บริหาร</p><p>ข้อมูล ณ วันที่ {}</p><p>จัดทำเมื่อ {}</p></section>",
        escape(&p.title()),
        p.as_of_th(),
        thai_date(p.generated)
    );
    let [headline, bureaus, categories, lagging, alerts, completeness] = p.tables();
    out.push_str(&format!("<section class=\"pack-section\">{}</section>", table(&headline)));
    out.push_str("<section class=\"pack-section\"><h2 id=\"charts\">แผนภูมิ</h2>");
    for chart in &p.charts {
        out.push_str(&figure(chart, &|_, _| None, true));
    }
    out.push_str("</section>");
    for t in [bureaus, categories, lagging, alerts, completeness] {
        out.push_str(&format!("<section class=\"pack-section\">{}</section>", table(&t)));
    }
    out
}
