//! The front page's and the error page's markup.

use super::{MonthState, YearRow};
use crate::domain::{FiscalMonth, FiscalYear};
use crate::i18n::Lang;
use crate::reports::RevisionStatus;
use crate::views::{baht, html, table, Cell, Markup, Table};

/// What a signed-in user finds first: a reporter's months, the dashboard and
/// alerts for those who follow the office, strategy's plan.
pub struct Shortcuts {
    pub fy: FiscalYear,
    pub months: Vec<MonthState>,
    pub follows_office: bool,
    pub strategy: bool,
    /// Reads the control ledger and its reconciliation.
    pub ledger: bool,
}

fn shortcuts(lang: Lang, s: &Shortcuts) -> Markup {
    let fy = s.fy;
    html! {
        @if !s.months.is_empty() {
            section aria-labelledby="mine-h" {
                h2 id="mine-h" { (lang.t("index.my_reports")) }
                ul {
                    @for st in &s.months {
                        @let m = FiscalMonth::new(st.month as i64).expect("month from 1 to 12");
                        @let state = lang.t(match st.status {
                            Some(RevisionStatus::Submitted) => "index.report.submitted",
                            Some(RevisionStatus::Draft) => "index.report.draft",
                            None => "index.report.not_started",
                        });
                        li {
                            a href={ "/reports/" (fy) "/" (m.number()) "/" (st.bureau) (lang.query(true)) } {
                                (lang.month(fy, m)) " · " (st.bureau)
                            }
                            " — " (state)
                        }
                    }
                }
            }
        }
        @if s.follows_office {
            p {
                a href={ "/dashboard" (lang.query(true)) } { (lang.t("index.dashboard")) } " · "
                a href={ "/alerts" (lang.query(true)) } { (lang.t("index.alerts")) }
            }
        }
        @if s.ledger {
            p { a href={ "/ledger" (lang.query(true)) } { (lang.t("index.ledger")) } }
        }
        @if s.strategy {
            p { a href={ "/plan/" (fy) (lang.query(true)) } { (lang.f("index.plan", &[("fy", &fy)])) } }
        }
    }
}

pub fn index(lang: Lang, mine: Option<&Shortcuts>, rows: &[YearRow]) -> Markup {
    let headings = [
        "index.col.year",
        "index.col.bureaus",
        "index.col.projects",
        "index.col.allocation",
        "index.col.reports",
        "index.col.months",
    ];
    let years = Table {
        caption: lang.t("index.years_caption"),
        headings: headings.iter().map(|k| lang.t(k).to_string()).collect(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    Cell::text(lang.f("index.year", &[("fy", &r.fiscal_year)])),
                    Cell::num(r.bureaus.to_string()),
                    Cell::num(r.projects.to_string()),
                    Cell::num(baht(r.allocation)),
                    Cell::num(r.submitted.to_string()),
                    Cell::num(format!("{} / 12", r.months_reported)),
                ]
            })
            .collect(),
    };
    html! {
        @if let Some(s) = mine { (shortcuts(lang, s)) }
        p.lead { (lang.t("index.lead")) }
        @if rows.is_empty() {
            p { (lang.t("index.empty")) " " code { "./run demo" } }
        } @else {
            (table(&years))
        }
    }
}

/// A page for a browser that met an error: what went wrong, each problem named.
pub fn error(lang: Lang, message: &str, details: &[(String, String)]) -> Markup {
    html! {
        div.errors role="alert" {
            @if details.is_empty() {
                p { (message) }
            } @else {
                ul { @for (field, text) in details { li { (field) ": " (text) } } }
            }
        }
        p { a href="/" { (lang.t("error.home")) } }
    }
}

/// The error page's title for a status.
pub fn error_title(lang: Lang, status: u16) -> &'static str {
    lang.t(match status {
        401 => "error.401",
        403 => "error.403",
        404 => "error.404",
        400 | 409 | 412 | 422 => "error.invalid",
        429 => "error.429",
        _ => "error.other",
    })
}
