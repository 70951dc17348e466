//! The markup of the auditor's page: the filter form (each field labelled, a
//! refused value named beside it) and the trail, newest first.

use super::routes::{json_text, Filter, Row};
use crate::domain::fiscal::bangkok;
use crate::error::FieldError;
use crate::i18n::Lang;
use crate::views::{errors_titled, field, html, table, Cell, Field, Markup, Table};

/// The page: the filter as asked, then the rows it found or what was wrong with it.
pub fn page(lang: Lang, filter: &Filter, found: Result<&[Row], &[FieldError]>) -> Markup {
    let refused: &[FieldError] = found.err().unwrap_or(&[]);
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let (user, entity, from, to) = (v(&filter.user), v(&filter.entity), v(&filter.from), v(&filter.to));
    html! {
        (errors_titled(lang.t("audit.refused"), refused))
        form method="get" action="/audit" class="filters" {
            @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
            (field(Field::new("user", lang.t("audit.user"), &user, refused)))
            (field(Field::new("entity", lang.t("audit.entity"), &entity, refused)))
            (field(Field::new("from", lang.t("audit.from"), &from, refused).kind("date")))
            (field(Field::new("to", lang.t("audit.to"), &to, refused).kind("date")))
            p { button type="submit" { (lang.t("audit.filter")) } }
        }
        @if let Ok(rows) = found {
            @let query = serde_urlencoded::to_string([("user", &user), ("entity", &entity), ("from", &from), ("to", &to)])
                .unwrap_or_default();
            p {
                a href={ "/audit.csv?" (query) } { (lang.t("audit.csv")) }
                " · " (lang.f("audit.count", &[("n", &rows.len())]))
            }
            (table(&Table {
                caption: lang.t("audit.caption"),
                headings: ["#", "audit.col.at", "audit.col.user", "audit.col.action", "audit.col.record", "audit.col.before", "audit.col.after"]
                    .iter()
                    .map(|k| if k.starts_with("audit.") { lang.t(k).to_string() } else { (*k).to_string() })
                    .collect(),
                rows: rows.iter().map(|r| row(lang, r)).collect(),
            }))
        }
    }
}

fn row(lang: Lang, r: &Row) -> Vec<Cell> {
    let code = |s: String| Cell::Markup(html! { code { (s) } });
    vec![
        Cell::num(r.id.to_string()),
        Cell::text(r.at.with_timezone(&bangkok()).format("%Y-%m-%d %H:%M:%S").to_string()),
        Cell::text(r.username.as_deref().unwrap_or(lang.t("audit.system"))),
        Cell::text(&r.action),
        Cell::text(format!("{} {}", r.entity, r.entity_id)),
        code(json_text(&r.before)),
        code(json_text(&r.after)),
    ]
}
