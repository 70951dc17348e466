//! The markup of the ledger's pages: finance's upload form and the history of
//! imports with their outcome; the reconciliation of a month by bureau, a
//! bureau's projects, and the documents behind a project's ledger figures.

use super::carry::CarryOver;
use super::reconcile::{BureauLine, Compared, Document, ProjectLine, Reconciliation};
use super::routes::ImportView;
use crate::auth::Identity;
use crate::domain::fiscal::{thai_date, thai_datetime};
use crate::domain::{FiscalMonth, FiscalYear};
use crate::error::FieldError;
use crate::i18n::Lang;
use crate::views::{baht, errors, html, month_picker, notice, pct, post_form, table, Cell, Markup, Picker, Table};

/// The index page's state.
pub struct Index<'a> {
    pub imports: &'a [ImportView],
    pub can_import: bool,
    pub refused: &'a [FieldError],
    pub done: Option<String>,
    /// Where the reconciliation of the latest ended month is.
    pub latest: Option<(FiscalYear, FiscalMonth)>,
}

fn outcome(lang: Lang, i: &ImportView) -> String {
    if i.outcome == "refused" {
        lang.f("ledger.outcome.refused", &[("n", &i.problems)])
    } else {
        lang.f("ledger.outcome.imported", &[("added", &i.added), ("present", &i.already_present)])
    }
}

/// The outcome, and for a refused file the problems it was refused for.
fn outcome_cell(lang: Lang, i: &ImportView) -> Markup {
    let problems: Vec<(String, String)> = i
        .errors
        .as_array()
        .map(|list| {
            list.iter()
                .map(|e| {
                    let at = format!("row {}, column {}", e["row"], e["column"].as_str().unwrap_or("-"));
                    (at, e["message"].as_str().unwrap_or("").to_string())
                })
                .collect()
        })
        .unwrap_or_default();
    html! {
        (outcome(lang, i))
        @if !problems.is_empty() {
            details {
                summary { (lang.t("ledger.outcome.problems")) }
                ul { @for (at, m) in &problems { li { (at) ": " (m) } } }
            }
        }
    }
}

/// Upload (finance), the way to the reconciliation, the history.
pub fn index(lang: Lang, who: &Identity, page: &Index<'_>) -> Markup {
    let q = lang.query(true);
    html! {
        @if let Some(d) = &page.done { (notice(d)) }
        (errors(lang, page.refused))
        @if let Some((fy, m)) = page.latest {
            p { a href={ "/ledger/reconciliation?fy=" (fy) "&month=" (m.number()) (lang.query(false)) } {
                (lang.f("ledger.to_reconciliation", &[("month", &lang.month(fy, m))]))
            } }
        }
        p { a href={ "/ledger/carry-over" (q) } { (lang.t("ledger.carry.link")) } }
        @if page.can_import {
            section aria-labelledby="upload" {
                h2 id="upload" { (lang.t("ledger.upload.title")) }
                p { (lang.t("ledger.upload.help")) }
                (post_form(&format!("/ledger/imports{q}"), who, Some("stacked"), true, html! {
                    p {
                        label for="file" { (lang.t("ledger.upload.file")) }
                        input id="file" name="file" type="file" required accept=".csv,.xlsx,text/csv";
                    }
                    p { button type="submit" { (lang.t("ledger.upload.submit")) } }
                }))
            }
        }
        (table(&Table {
            caption: lang.t("ledger.history.caption"),
            headings: ["ledger.col.import", "ledger.col.file", "ledger.col.by", "ledger.col.at", "ledger.col.rows", "ledger.col.outcome"]
                .iter()
                .map(|k| lang.t(k).to_string())
                .collect(),
            rows: page
                .imports
                .iter()
                .map(|i| {
                    vec![
                        Cell::num(i.id.to_string()),
                        Cell::text(format!("{} ({})", i.filename, i.format)),
                        Cell::text(i.imported_by.clone().unwrap_or_default()),
                        Cell::text(thai_datetime(i.imported_at)),
                        Cell::num(i.rows.to_string()),
                        Cell::Markup(outcome_cell(lang, i)),
                    ]
                })
                .collect(),
        }))
    }
}

fn status(lang: Lang, c: &Compared) -> Cell {
    Cell::Markup(html! { span class={ "status " (css_class(c)) } { (lang.t(c.status.label())) } })
}

fn css_class(c: &Compared) -> &'static str {
    match c.status {
        super::reconcile::Status::Agrees => "agrees",
        super::reconcile::Status::Differs => "differs",
        super::reconcile::Status::NoLedger => "no-ledger",
    }
}

fn figures(lang: Lang, c: &Compared) -> Vec<Cell> {
    vec![
        Cell::num(baht(c.reported_disbursed)),
        Cell::num(baht(c.ledger_disbursed)),
        Cell::num(baht(c.reported_committed)),
        Cell::num(baht(c.ledger_committed)),
        Cell::num(pct(c.difference_rate)),
        status(lang, c),
    ]
}

fn headings(lang: Lang, first: &str) -> Vec<String> {
    [
        first,
        "ledger.col.reported_d",
        "ledger.col.ledger_d",
        "ledger.col.reported_c",
        "ledger.col.ledger_c",
        "ledger.col.difference",
        "ledger.col.status",
    ]
    .iter()
    .map(|k| lang.t(k).to_string())
    .collect()
}

/// Where a page of the reconciliation is.
pub struct At {
    pub lang: Lang,
    pub fy: FiscalYear,
    pub month: FiscalMonth,
    pub years: Vec<i32>,
    pub months: Vec<FiscalMonth>,
}

impl At {
    fn query(&self) -> String {
        format!("?fy={}&month={}{}", self.fy, self.month.number(), self.lang.query(false))
    }
}

/// Every bureau of the month, the worst first.
pub fn office(at: &At, r: &Reconciliation) -> Markup {
    let lang = at.lang;
    let mut lines: Vec<&BureauLine> = r.bureaus.iter().collect();
    // What differs first, the largest difference first; then what agrees; then
    // the bureaus the ledger has nothing of.
    let rank = |b: &BureauLine| match b.figures.status {
        super::reconcile::Status::Differs => 0,
        super::reconcile::Status::Agrees => 1,
        super::reconcile::Status::NoLedger => 2,
    };
    lines.sort_by(|a, b| {
        rank(a).cmp(&rank(b)).then(b.figures.difference_rate.cmp(&a.figures.difference_rate)).then(a.code.cmp(&b.code))
    });
    html! {
        (month_picker(&Picker { lang, action: "/ledger/reconciliation", years: &at.years, fy: at.fy, month: at.month, months: at.months.clone() }))
        p { (lang.f("ledger.reconciliation.lead", &[("date", &thai_date(r.as_of)), ("tolerance", &pct(Some(r.tolerance_rate)))])) }
        (table(&Table {
            caption: &lang.f("ledger.reconciliation.caption", &[("month", &lang.month(at.fy, at.month))]),
            headings: headings(lang, "ledger.col.bureau"),
            rows: lines
                .iter()
                .map(|b| {
                    let mut row = vec![Cell::Link(
                        format!("{} {}", b.code, b.name_th),
                        format!("/ledger/reconciliation/{}{}", b.code, at.query()),
                    )];
                    row.extend(figures(lang, &b.figures));
                    row
                })
                .collect(),
        }))
    }
}

/// A bureau's projects.
pub fn bureau(at: &At, line: &BureauLine, projects: &[ProjectLine]) -> Markup {
    let lang = at.lang;
    html! {
        p { a href={ "/ledger/reconciliation" (at.query()) } { (lang.t("ledger.back_to_office")) } }
        (table(&Table {
            caption: &lang.f("ledger.bureau.caption", &[("bureau", &line.code), ("month", &lang.month(at.fy, at.month))]),
            headings: headings(lang, "ledger.col.project"),
            rows: projects
                .iter()
                .map(|p| {
                    let mut row = vec![Cell::Link(format!("{} {}", p.code, p.name_th), format!("/ledger/documents/{}{}", p.code, at.query()))];
                    row.extend(figures(lang, &p.figures));
                    row
                })
                .collect(),
        }))
    }
}

/// The documents behind a project's ledger figures.
pub fn documents(at: &At, bureau: &str, project: &str, docs: &[Document]) -> Markup {
    let lang = at.lang;
    html! {
        p { a href={ "/ledger/reconciliation/" (bureau) (at.query()) } { (lang.f("ledger.back_to_bureau", &[("bureau", &bureau)])) } }
        (table(&Table {
            caption: &lang.f("ledger.documents.caption", &[("project", &project), ("date", &thai_date(at.fy.month_end(at.month)))]),
            headings: ["ledger.col.date", "ledger.col.document", "ledger.col.kind", "ledger.col.reference", "ledger.col.amount", "ledger.col.d_effect", "ledger.col.c_effect", "ledger.col.import"]
                .iter()
                .map(|k| lang.t(k).to_string())
                .collect(),
            rows: docs
                .iter()
                .map(|d| {
                    vec![
                        Cell::text(thai_date(d.entry_date)),
                        Cell::text(&d.document_no),
                        Cell::text(lang.t(d.kind.label())),
                        Cell::text(d.reference.clone().unwrap_or_default()),
                        Cell::num(baht(d.amount)),
                        Cell::num(baht(d.d_effect)),
                        Cell::num(baht(d.c_effect)),
                        Cell::num(d.import_id.map(|i| i.to_string()).unwrap_or_default()),
                    ]
                })
                .collect(),
        }))
    }
}

/// Last year's commitments still open at its end, each with what became of it.
pub fn carry_over(lang: Lang, c: &CarryOver) -> Markup {
    html! {
        p {
            (lang.f("ledger.carry.lead", &[
                ("year_end", &thai_date(c.year_end)),
                ("lapses", &thai_date(c.lapses_on)),
                ("date", &thai_date(c.state_on)),
            ]))
        }
        (table(&Table {
            caption: &lang.f("ledger.carry.caption", &[("fy", &c.fiscal_year)]),
            headings: ["ledger.col.bureau", "ledger.col.document", "ledger.col.project", "ledger.col.date", "ledger.col.amount",
                       "ledger.col.open_at_year_end", "ledger.col.paid_since", "ledger.col.cancelled_since", "ledger.col.remaining",
                       "ledger.col.status"]
                .iter()
                .map(|k| lang.t(k).to_string())
                .collect(),
            rows: c
                .commitments
                .iter()
                .map(|(k, state)| {
                    vec![
                        Cell::text(&k.bureau_code),
                        Cell::text(&k.document_no),
                        Cell::text(&k.project_code),
                        Cell::text(thai_date(k.entry_date)),
                        Cell::num(baht(k.amount)),
                        Cell::num(baht(k.open_at_year_end)),
                        Cell::num(baht(k.paid_since)),
                        Cell::num(baht(k.cancelled_since)),
                        Cell::num(baht(k.remaining)),
                        Cell::text(lang.t(state.label())),
                    ]
                })
                .collect(),
        }))
        @if c.commitments.is_empty() { p { (lang.t("ledger.carry.none")) } }
    }
}
