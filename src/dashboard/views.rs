//! The dashboard pages' markup: the office (headline measures, reporting, open
//! alerts, the five charts), a bureau (its measures, charts and projects) and a
//! project (its measures, S-curve and months). Handlers in `mod.rs` gather the
//! data; everything a person reads comes from the catalogue, and the charts keep
//! their Thai labels (`views::figure` marks them `lang="th"`).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::alerts::routes::AlertView;
use crate::charts::data::MonthRow;
use crate::charts::{Chart, Kind};
use crate::domain::fiscal::{has_ended, thai_date};
use crate::domain::measures::Figures;
use crate::domain::money::fixed2;
use crate::domain::{Category, FiscalMonth, FiscalYear};
use crate::http::VisibleProject;
use crate::i18n::Lang;
use crate::monitoring::queries::{BureauRow, Scope};
use crate::monitoring::summary::{BureauSummary, Headline, OfficeSummary, Reporting};
use crate::plans::views::category_name;
use crate::views::{self, baht, html, month_picker, pct, table, Cell, Markup, Picker, Table};

/// Where a dashboard page stands: its language, year and month, the years on
/// record and today (for the month picker).
pub struct At<'a> {
    pub lang: Lang,
    pub fy: FiscalYear,
    pub month: FiscalMonth,
    pub years: &'a [i32],
    pub today: NaiveDate,
    /// Where the page's disbursed and committed come from.
    pub source: crate::monitoring::queries::Source,
}

/// Which figures the page shows, and the way to the other source (`here` is the
/// page in the reports' figures). Only for those who see every bureau.
fn source_switch(at: &At<'_>, here: &str, shown: bool) -> Markup {
    use crate::monitoring::queries::Source;
    let lang = at.lang;
    html! {
        @if at.source == Source::Ledger {
            p.notice role="status" {
                strong { (lang.t("dashboard.source.ledger")) } " "
                a href=(here) { (lang.t("dashboard.source.to_reports")) }
            }
        } @else if shown {
            p.no-print { a href={ (here) "&source=ledger" } { (lang.t("dashboard.source.to_ledger")) } }
        }
    }
}

/// The office's page at `month` in `lang`.
pub fn office_href(lang: Lang, fy: FiscalYear, month: u8) -> String {
    format!("/dashboard/{fy}?month={month}{}", lang.query(false))
}

/// A bureau's page.
pub fn bureau_href(lang: Lang, fy: FiscalYear, code: &str, month: u8) -> String {
    format!("/dashboard/{fy}/bureaus/{code}?month={month}{}", lang.query(false))
}

/// A project's page.
pub fn project_href(lang: Lang, fy: FiscalYear, code: &str, month: u8) -> String {
    format!("/dashboard/{fy}/projects/{code}?month={month}{}", lang.query(false))
}

/// A bureau's monthly report.
fn report_href(lang: Lang, fy: FiscalYear, month: u8, bureau: &str) -> String {
    format!("/reports/{fy}/{month}/{bureau}{}", lang.query(true))
}

/// A record's own name (a bureau's, a project's, an alert's message) in the
/// page's language: data, not catalogue text.
fn own<'a>(lang: Lang, th: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Th => th,
        Lang::En => en,
    }
}

pub fn office_title(at: &At<'_>) -> String {
    let lang = at.lang;
    lang.f("dashboard.office.title", &[("fy", &at.fy), ("month", &lang.month(at.fy, at.month))])
}

pub fn bureau_title(at: &At<'_>, s: &BureauSummary) -> String {
    let lang = at.lang;
    let name = own(lang, &s.bureau.name_th, &s.bureau.name_en);
    lang.f("dashboard.bureau.title", &[("name", &name), ("fy", &at.fy), ("month", &lang.month(at.fy, at.month))])
}

pub fn project_title(at: &At<'_>, p: &VisibleProject) -> String {
    let lang = at.lang;
    let name = own(lang, &p.name_th, &p.name_en);
    lang.f("dashboard.project.title", &[("code", &p.code), ("name", &name), ("month", &lang.month(at.fy, at.month))])
}

/// The month picker: every year on record, the ended months of this one.
fn picker(at: &At<'_>) -> Markup {
    let months = FiscalMonth::all().filter(|m| has_ended(at.fy, *m, at.today)).collect();
    month_picker(&Picker { lang: at.lang, action: "/dashboard", years: at.years, fy: at.fy, month: at.month, months })
}

/// Measures as `<dl>` tiles: (catalogue key of the label, value).
fn tiles(lang: Lang, list: &[(&str, String)]) -> Markup {
    html! {
        dl.figures {
            @for (key, value) in list {
                div { dt { (lang.t(key)) } dd { (value) } }
            }
        }
    }
}

fn lag_text(lang: Lang, lag: Option<Decimal>) -> String {
    match lag {
        Some(l) if l > Decimal::ZERO => lang.f("dashboard.lag.behind", &[("pp", &fixed2(l))]),
        Some(l) => lang.f("dashboard.lag.ahead", &[("pp", &fixed2(-l))]),
        None => "-".into(),
    }
}

/// A date as the page's language writes it: "8 ธ.ค. 2569", "8 Dec 2026".
fn date(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Th => thai_date(d),
        Lang::En => d.format("%-d %b %Y").to_string(),
    }
}

/// "กำหนดส่ง 8 ธ.ค. 2569: ส่งแล้ว 10 จาก 12" while the month's reports are not
/// yet due; afterwards who was on time, late and missing.
fn reporting_text(lang: Lang, r: &Reporting, now: chrono::DateTime<chrono::Utc>) -> String {
    let due = date(lang, r.due_at.date_naive());
    if r.in_progress(now) {
        lang.f(
            "dashboard.reporting.in_progress",
            &[("due", &due), ("submitted", &r.submitted), ("expected", &r.expected), ("pending", &r.pending)],
        )
    } else {
        lang.f(
            "dashboard.reporting.due",
            &[
                ("due", &due),
                ("submitted", &r.submitted),
                ("expected", &r.expected),
                ("on_time", &r.on_time),
                ("late", &r.late),
                ("missing", &r.missing),
            ],
        )
    }
}

/// The headline measures as tiles, then the money and the month's reporting.
fn headline(at: &At<'_>, h: &Headline, reporting: &Reporting, now: chrono::DateTime<chrono::Utc>) -> Markup {
    let lang = at.lang;
    let level = |level: u8, score: Option<Decimal>| {
        lang.f("dashboard.kpi_level", &[("level", &level), ("score", &score.map(fixed2).unwrap_or_else(|| "-".into()))])
    };
    let mut list = vec![
        ("tile.used", pct(h.disbursed_committed_rate)),
        ("tile.plan", pct(h.plan_rate)),
        ("tile.against_plan", lag_text(lang, h.lag_pp)),
        ("tile.disbursed", pct(h.disbursed_rate)),
        ("tile.kpi_actual", level(h.kpi_level, h.kpi_score)),
        ("tile.forecast", pct(h.forecast_year_end_rate)),
        ("tile.kpi_forecast", level(h.kpi_level_forecast, h.kpi_score_forecast)),
        ("tile.best_case", pct(h.forecast_best_rate)),
    ];
    for (scope, key) in [
        (Scope::Overall, "tile.target_overall"),
        (Scope::Current, "tile.target_current"),
        (Scope::Capital, "tile.target_capital"),
    ] {
        if let Some(t) = h.quarter_targets.get(scope) {
            list.push((key, format!("{} / {}", pct(t.disbursed_rate), pct(t.target_rate))));
        }
    }
    let money = lang.f(
        "dashboard.money",
        &[
            ("allocation", &baht(h.allocation)),
            ("disbursed", &baht(h.disbursed)),
            ("committed", &baht(h.committed)),
            ("month", &lang.month(at.fy, at.month)),
            ("reporting", &reporting_text(lang, reporting, now)),
        ],
    );
    html! {
        (tiles(lang, &list))
        p { (money) }
    }
}

/// Why a month's figures are an earlier month's: its report is not in.
fn carried_note(lang: Lang, fy: FiscalYear, month: FiscalMonth, reported_through: Option<u8>) -> String {
    match reported_through.and_then(|m| FiscalMonth::new(m as i64).ok()) {
        Some(m) => {
            lang.f("dashboard.carried.using", &[("month", &lang.month(fy, month)), ("through", &lang.month(fy, m))])
        }
        None => lang.f("dashboard.carried.none", &[("month", &lang.month(fy, month))]),
    }
}

fn open_alerts(lang: Lang, alerts: &[AlertView]) -> Markup {
    html! {
        @if !alerts.is_empty() {
            section aria-labelledby="alerts-h" {
                h2 id="alerts-h" { (lang.t("dashboard.alerts.title")) }
                ul {
                    @for a in alerts {
                        li {
                            @if a.severity == crate::alerts::Severity::Critical { strong { (lang.t("dashboard.alerts.critical")) } ": " }
                            (own(lang, &a.message_th, &a.message_en))
                        }
                    }
                }
                p { a href="/alerts" { (lang.t("dashboard.alerts.all")) } }
            }
        }
    }
}

/// The office's page body: picker, the meeting pack, the headline, the open
/// alerts (at most five) and the charts, whose bureaus and heatmap cells open
/// the bureau (at the cell's month) and whose S-curve months open the office.
pub fn office_page(
    at: &At<'_>,
    s: &OfficeSummary,
    charts: &[Chart],
    alerts: &[AlertView],
    now: chrono::DateTime<chrono::Utc>,
) -> Markup {
    let (lang, fy, m) = (at.lang, at.fy, at.month.number());
    html! {
        (picker(at))
        p.no-print {
            a href={ "/meeting-pack/" (fy) "/" (m) } { (lang.t("dashboard.pack")) } " · "
            a href={ "/meeting-pack/" (fy) "/" (m) ".pdf" } { (lang.t("dashboard.pack_pdf")) } " · "
            a href={ "/meeting-pack/" (fy) "/" (m) ".xlsx" } { (lang.t("dashboard.pack_xlsx")) }
        }
        (source_switch(at, &office_href(lang, fy, m), true))
        (headline(at, &s.headline, &s.reporting, now))
        (open_alerts(lang, alerts))
        @for chart in charts {
            @let link = |key: &str, month: Option<u8>| match chart.kind {
                Kind::Bureaus | Kind::Heatmap => Some(bureau_href(lang, fy, key, month.unwrap_or(m))),
                Kind::SCurve => month.map(|month| office_href(lang, fy, month)),
                _ => None,
            };
            (views::figure(lang, chart, &link, false))
        }
    }
}

/// The bureau's projects, each opening its page.
fn projects_table(at: &At<'_>, s: &BureauSummary) -> Markup {
    let (lang, fy, m) = (at.lang, at.fy, at.month.number());
    let rows = s
        .projects
        .iter()
        .map(|p| {
            vec![
                Cell::Link(
                    format!("{} {}", p.code, own(lang, &p.name_th, &p.name_en)),
                    project_href(lang, fy, &p.code, m),
                ),
                Cell::text(category_name(lang, p.category)),
                Cell::num(baht(p.rates.allocation)),
                Cell::num(pct(p.rates.plan_rate)),
                Cell::num(pct(p.rates.disbursed_committed_rate)),
                Cell::num(p.rates.lag_pp.map(fixed2).unwrap_or_else(|| "-".into())),
            ]
        })
        .collect();
    let headings = [
        "dashboard.projects.col_project",
        "dashboard.projects.col_category",
        "dashboard.projects.col_allocation",
        "dashboard.projects.col_plan",
        "dashboard.projects.col_used",
        "dashboard.projects.col_lag",
    ];
    table(&Table {
        caption: lang.t("dashboard.projects.caption"),
        headings: headings.iter().map(|k| lang.t(k).to_string()).collect(),
        rows,
    })
}

/// A bureau's page body: picker, the way back to the office (for those who see
/// it) and to the month's report, the headline, a note when the figures are an
/// earlier month's, its charts (whose months open the bureau at that month) and
/// its projects.
pub fn bureau_page(
    at: &At<'_>,
    s: &BureauSummary,
    charts: &[Chart],
    sees_office: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Markup {
    let (lang, fy, m) = (at.lang, at.fy, at.month.number());
    let code = s.bureau.code.as_str();
    let by_month = |_: &str, month: Option<u8>| month.map(|month| bureau_href(lang, fy, code, month));
    html! {
        (picker(at))
        p {
            @if sees_office {
                a href=(office_href(lang, fy, m)) { (lang.t("dashboard.bureau.back")) } " · "
            }
            a href=(report_href(lang, fy, m, code)) { (lang.t("dashboard.bureau.report")) }
        }
        (source_switch(at, &bureau_href(lang, fy, code, m), sees_office))
        (headline(at, &s.headline, &s.reporting, now))
        @if s.carried_forward {
            p.warning { (carried_note(lang, fy, at.month, s.reported_through)) }
        }
        @for chart in charts { (views::figure(lang, chart, &by_month, false)) }
        (projects_table(at, s))
    }
}

/// What a project's page shows.
pub struct ProjectData {
    pub project: VisibleProject,
    pub bureau: BureauRow,
    pub figures: Figures,
    pub chart: Chart,
    pub months: Vec<MonthRow>,
}

/// The project's months: planned, disbursed and committed in each; an ended
/// month links to its bureau's report and says when its figures are carried.
fn months_table(at: &At<'_>, d: &ProjectData) -> Markup {
    let (lang, fy) = (at.lang, at.fy);
    let rows = d
        .months
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let before = i.checked_sub(1).and_then(|j| d.months.get(j));
            let fm = FiscalMonth::new(r.month as i64).expect("months 1-12");
            let label = lang.month(fy, fm);
            let planned = Cell::num(baht(r.planned_in(before)));
            if fm > at.month {
                return vec![Cell::text(label), planned, Cell::num("-"), Cell::num("-")];
            }
            let through = (r.reported_month > 0).then_some(r.reported_month as u8);
            let first = html! {
                a href=(report_href(lang, fy, fm.number(), &d.bureau.code)) { (label) }
                @if r.reported_month != r.month {
                    " " span.note { "(" (carried_note(lang, fy, fm, through)) ")" }
                }
            };
            vec![Cell::Markup(first), planned, Cell::num(baht(r.disbursed_in(before))), Cell::num(baht(r.committed))]
        })
        .collect();
    let headings = [
        "dashboard.months.col_month",
        "dashboard.months.col_planned",
        "dashboard.months.col_disbursed",
        "dashboard.months.col_committed",
    ];
    table(&Table {
        caption: lang.t("dashboard.months.caption"),
        headings: headings.iter().map(|k| lang.t(k).to_string()).collect(),
        rows,
    })
}

/// A project's page body: picker, the way back to its bureau and its expense
/// category, its measures, its S-curve (whose months open the project at that
/// month) and its months.
pub fn project_page(at: &At<'_>, d: &ProjectData) -> Markup {
    let (lang, fy, m) = (at.lang, at.fy, at.month.number());
    let (p, b) = (&d.project, &d.bureau);
    let measures = d.figures.measures();
    let category = p.category.parse::<Category>().map(|c| category_name(lang, c)).unwrap_or("-");
    let list = [
        ("tile.budget_baht", baht(d.figures.allocation)),
        ("tile.plan", pct(measures.plan_rate)),
        ("tile.used", pct(measures.disbursed_committed_rate)),
        ("tile.against_plan", lag_text(lang, measures.lag_pp)),
        ("tile.disbursed_baht", baht(d.figures.disbursed)),
        ("tile.committed_baht", baht(d.figures.committed)),
    ];
    let by_month = |_: &str, month: Option<u8>| month.map(|month| project_href(lang, fy, &p.code, month));
    html! {
        (picker(at))
        p {
            a href=(bureau_href(lang, fy, &b.code, m)) {
                (lang.f("dashboard.project.back", &[("bureau", &own(lang, &b.name_th, &b.name_en))]))
            }
            " · " (lang.f("dashboard.project.category", &[("category", &category)]))
        }
        (tiles(lang, &list))
        (views::figure(lang, &d.chart, &by_month, false))
        (months_table(at, d))
    }
}
