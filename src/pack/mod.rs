//! The executive committee's monthly meeting pack for a fiscal year and month:
//! cover (as-of date in BE), headline measures against their targets, the five
//! charts, bureaus sorted by lag, lagging bureaus with their obstacles and
//! suggestions, open alerts with their follow-ups, and reporting completeness.
//!
//! `load` gathers everything in one blocking call; the content is a list of
//! `Table`s of typed cells that the three renderers share, so the HTML page
//! (`html`), the PDF (`pdf`) and the workbook (`xlsx`) cannot disagree.

pub mod pdf;
pub mod routes;
pub mod views;
pub mod xlsx;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Int2, Int4, Nullable, Text, Timestamptz};
use rust_decimal::Decimal;

use crate::alerts::routes::{list as alert_list, AlertView, Filter};
use crate::auth::Identity;
use crate::charts::{self, Chart, Kind};
use crate::domain::fiscal::{thai_date, thai_datetime, thai_month_label};
use crate::domain::money::fixed2;
use crate::domain::{FiscalMonth, FiscalYear};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::monitoring::queries::{self, Scope, YearSettings};
use crate::monitoring::summary::{self, OfficeSummary};

/// The office the pack is for (the cover's first line).
pub const OFFICE_TH: &str = "สำนักงานคณะกรรมการสิทธิมนุษยชนแห่งชาติ";

/// The pack is the committee's document: Thai, from the catalogue.
const TH: Lang = Lang::Th;

/// One cell of a pack table: money and rates stay exact decimals until a
/// renderer formats them (HTML/PDF as text, XLSX as numbers with a format).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Money(Decimal),
    /// A percentage or percentage points, 2 dp; `None` where undefined (A = 0).
    Rate(Option<Decimal>),
    Int(i64),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    pub fn is_number(&self) -> bool {
        !matches!(self, Cell::Text(_))
    }

    /// The cell as the HTML page and the PDF show it.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Money(d) => crate::domain::money::format_baht(*d),
            Cell::Rate(Some(d)) => fixed2(*d),
            Cell::Rate(None) => "-".into(),
            Cell::Int(n) => n.to_string(),
        }
    }
}

/// A column: its heading and its share of the page width (PDF).
#[derive(Debug, Clone)]
pub struct Column {
    pub heading: String,
    pub width: f32,
}

fn col(heading: &str, width: f32) -> Column {
    Column { heading: heading.into(), width }
}

#[derive(Debug, Clone)]
pub struct Table {
    /// The XLSX sheet name (≤ 31 characters) and the HTML anchor.
    pub sheet: &'static str,
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    /// Said instead of an empty table.
    pub empty: &'static str,
}

/// A bureau behind plan by the warning threshold or more, with what it said.
#[derive(Debug, Clone)]
pub struct Lagging {
    pub code: String,
    pub name_th: String,
    pub lag_pp: Decimal,
    pub narrative: Option<Narrative>,
}

#[derive(QueryableByName, Debug, Clone)]
pub struct Narrative {
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(sql_type = Int4)]
    pub revision: i32,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub submitted_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Text)]
    pub obstacles: String,
    #[diesel(sql_type = Text)]
    pub limitations: String,
    #[diesel(sql_type = Text)]
    pub suggestions: String,
}

pub struct Pack {
    pub fy: FiscalYear,
    pub month: FiscalMonth,
    /// The last day of the month the figures are as of.
    pub as_of: NaiveDate,
    pub generated: NaiveDate,
    pub settings: YearSettings,
    pub office: OfficeSummary,
    pub charts: Vec<Chart>,
    pub lagging: Vec<Lagging>,
    pub alerts: Vec<AlertView>,
    pub narratives: Vec<Narrative>,
    /// The reports against the control ledger at the month's end.
    pub reconciliation: Option<crate::ledger::reconcile::Reconciliation>,
    /// Last year's commitments carried over, as they stand at the month's end.
    pub carry: Option<crate::ledger::carry::CarryOver>,
    /// When the pack was made: the month may still be in progress (reports not yet due).
    pub now: DateTime<Utc>,
}

/// The latest submitted revision of every bureau's report for the month.
fn narratives(conn: &mut PgConnection, fy: FiscalYear, month: FiscalMonth) -> QueryResult<Vec<Narrative>> {
    diesel::sql_query(
        "SELECT b.code, r.revision, r.submitted_at, r.obstacles, r.limitations, r.suggestions
         FROM reports rep
         JOIN report_revisions r ON r.id = rep.submitted_revision_id
         JOIN bureaus b ON b.id = rep.bureau_id
         WHERE rep.fiscal_year = $1 AND rep.month = $2
         ORDER BY b.code",
    )
    .bind::<Int4, _>(fy.be())
    .bind::<Int2, _>(month.number() as i16)
    .load(conn)
}

/// Everything the pack shows for (fy, month), as `who` may see it.
pub fn load(
    conn: &mut PgConnection,
    cache: &crate::cache::RenderCache,
    who: &Identity,
    fy: FiscalYear,
    month: FiscalMonth,
    now: DateTime<Utc>,
) -> Result<Pack, AppError> {
    let today = crate::domain::fiscal::bangkok_date(now);
    let settings = queries::require_year_settings(conn, fy)?;
    let office = summary::office(conn, fy, month, &settings, now)?;
    let charts = charts::load_many_cached(
        conn,
        cache,
        &Kind::ALL,
        fy,
        month,
        None,
        &settings,
        Some(&office),
        now,
        charts::data::Source::Reports,
    )?;
    let narratives = narratives(conn, fy, month)?;
    let mut lagging: Vec<Lagging> = office
        .bureaus
        .iter()
        .filter_map(|b| {
            let lag = b.rates.lag_pp.filter(|l| *l >= settings.warn_lag_pp)?;
            Some(Lagging {
                code: b.code.clone(),
                name_th: b.name_th.clone(),
                lag_pp: lag,
                narrative: narratives.iter().find(|n| n.code == b.code).cloned(),
            })
        })
        .collect();
    lagging.sort_by(|a, b| b.lag_pp.cmp(&a.lag_pp).then_with(|| a.code.cmp(&b.code)));
    let alerts = alert_list(conn, who, &Filter { fy: Some(fy.to_string()), status: None, kind: None, bureau: None })?
        .into_iter()
        .filter(|a| a.status != crate::alerts::AlertStatus::Resolved && a.month <= month.number() as i16)
        .collect();
    let reconciliation = crate::ledger::reconcile::bureaus(conn, fy, month, None)?;
    let carry = crate::ledger::carry::carried_over(conn, fy.previous(), fy.month_end(month))?;
    Ok(Pack {
        reconciliation,
        carry,
        fy,
        month,
        as_of: fy.month_end(month),
        generated: today,
        settings,
        office,
        charts,
        lagging,
        alerts,
        narratives,
        now,
    })
}

impl Pack {
    pub fn title(&self) -> String {
        title(self.fy, self.month)
    }

    /// `30 ก.ย. 2566`: the date the figures are as of, in the Buddhist era.
    pub fn as_of_th(&self) -> String {
        thai_date(self.as_of)
    }

    pub fn level5(&self) -> Decimal {
        self.settings.kpi_thresholds.last().copied().unwrap_or(Decimal::from(97))
    }

    /// Headline measures against their targets.
    pub fn headline_table(&self) -> Table {
        let h = &self.office.headline;
        let verdict = |ok: Option<bool>| {
            Cell::text(match ok {
                Some(true) => TH.t("pack.reached"),
                Some(false) => TH.t("pack.below"),
                None => "-",
            })
        };
        let at_least = |x: Option<Decimal>, t: Option<Decimal>| x.zip(t).map(|(x, t)| x >= t);
        let prev = self.office.previous_year.as_ref();
        let rows = vec![
            vec![Cell::text(TH.t("pack.row.allocation")), Cell::Money(h.allocation), Cell::text("-"), Cell::text("")],
            vec![Cell::text(TH.t("pack.row.disbursed")), Cell::Money(h.disbursed), Cell::text("-"), Cell::text("")],
            vec![Cell::text(TH.t("pack.row.committed")), Cell::Money(h.committed), Cell::text("-"), Cell::text("")],
            self.target_row(Scope::Overall),
            self.target_row(Scope::Current),
            self.target_row(Scope::Capital),
            vec![
                Cell::text(TH.t("pack.row.used_vs_plan")),
                Cell::Rate(h.disbursed_committed_rate),
                Cell::Rate(h.plan_rate),
                verdict(at_least(h.disbursed_committed_rate, h.plan_rate)),
            ],
            vec![
                Cell::text(TH.t("pack.row.lag_vs_warn")),
                Cell::Rate(h.lag_pp),
                Cell::Rate(Some(self.settings.warn_lag_pp)),
                verdict(h.lag_pp.map(|l| l < self.settings.warn_lag_pp)),
            ],
            vec![
                Cell::text(TH.t("pack.row.actual_vs_level5")),
                Cell::Rate(h.disbursed_committed_rate),
                Cell::Rate(Some(self.level5())),
                verdict(at_least(h.disbursed_committed_rate, Some(self.level5()))),
            ],
            vec![
                Cell::text(TH.t("pack.row.forecast_vs_level5")),
                Cell::Rate(h.forecast_year_end_rate),
                Cell::Rate(Some(self.level5())),
                verdict(at_least(h.forecast_year_end_rate, Some(self.level5()))),
            ],
            vec![
                Cell::text(TH.t("pack.row.best")),
                Cell::Rate(h.forecast_best_rate),
                Cell::Rate(Some(self.level5())),
                verdict(at_least(h.forecast_best_rate, Some(self.level5()))),
            ],
            vec![
                Cell::text(TH.t("pack.row.level_actual")),
                Cell::Int(h.kpi_level as i64),
                Cell::Int(5),
                Cell::text(
                    h.kpi_score.map(|s| TH.f("pack.score", &[("score", &fixed2(s))])).unwrap_or_else(|| "-".into()),
                ),
            ],
            vec![
                Cell::text(TH.t("pack.row.level_forecast")),
                Cell::Int(h.kpi_level_forecast as i64),
                Cell::Int(5),
                Cell::text(
                    h.kpi_score_forecast
                        .map(|s| TH.f("pack.score", &[("score", &fixed2(s))]))
                        .unwrap_or_else(|| "-".into()),
                ),
            ],
            vec![
                Cell::text(TH.t("pack.row.previous_year")),
                Cell::Rate(prev.and_then(|p| p.disbursed_committed_rate)),
                Cell::text("-"),
                Cell::text(""),
            ],
        ];
        Table {
            sheet: TH.t("pack.sheet.summary"),
            title: TH.t("pack.title.summary").into(),
            columns: vec![
                col(TH.t("pack.col.measure"), 0.42),
                col(TH.t("pack.col.result"), 0.2),
                col(TH.t("pack.col.target"), 0.18),
                col(TH.t("pack.col.verdict"), 0.2),
            ],
            rows,
            empty: "",
        }
    }

    /// A cabinet target row: the scope's disbursed rate against its quarter's target.
    fn target_row(&self, scope: Scope) -> Vec<Cell> {
        let t = self.office.headline.quarter_targets.get(scope);
        let (rate, target) = (t.and_then(|t| t.disbursed_rate), t.and_then(|t| t.target_rate));
        vec![
            Cell::text(TH.f("pack.row.cabinet_target", &[("scope", &scope.name_th()), ("q", &self.month.quarter())])),
            Cell::Rate(rate),
            Cell::Rate(target),
            Cell::text(match rate.zip(target) {
                Some((r, t)) if r >= t => TH.t("pack.reached"),
                Some(_) => TH.t("pack.below"),
                None => "-",
            }),
        ]
    }

    /// The note of a bureau whose month is not in (its commitments carried forward).
    fn carried(&self, b: &crate::monitoring::summary::BureauLine) -> String {
        charts::carried_note(self.fy, self.month, b.reported_through, b.carried_forward)
    }

    /// Every bureau, the most behind plan first.
    pub fn bureau_table(&self) -> Table {
        let mut bureaus: Vec<_> = self.office.bureaus.iter().collect();
        bureaus.sort_by(|a, b| b.rates.lag_pp.cmp(&a.rates.lag_pp).then_with(|| a.code.cmp(&b.code)));
        let rows = bureaus
            .iter()
            .map(|b| {
                let mut row = vec![Cell::text(&b.code), Cell::text(&b.name_th)];
                row.extend(rate_cells(&b.rates));
                let note = self.carried(b);
                row.push(Cell::text(if note.is_empty() {
                    report_status_th(b.report_status).to_string()
                } else {
                    format!("{}\n{note}", report_status_th(b.report_status))
                }));
                row
            })
            .collect();
        Table {
            sheet: TH.t("pack.sheet.bureaus"),
            title: TH.t("pack.title.bureaus").into(),
            columns: vec![
                col(TH.t("pack.col.code"), 0.07),
                col(TH.t("pack.col.bureau"), 0.2),
                col(TH.t("pack.col.allocation"), 0.135),
                col(TH.t("pack.col.disbursed"), 0.13),
                col(TH.t("pack.col.committed"), 0.13),
                col(TH.t("pack.col.plan_rate"), 0.075),
                col(TH.t("pack.col.used_rate"), 0.085),
                col(TH.t("pack.col.lag"), 0.07),
                col(TH.t("pack.col.report"), 0.105),
            ],
            rows,
            empty: TH.t("pack.empty.bureaus"),
        }
    }

    pub fn category_table(&self) -> Table {
        let rows = self
            .office
            .categories
            .iter()
            .map(|c| std::iter::once(Cell::text(c.name_th)).chain(rate_cells(&c.rates)).collect())
            .collect();
        Table {
            sheet: TH.t("pack.sheet.categories"),
            title: TH.t("pack.title.categories").into(),
            columns: vec![
                col(TH.t("pack.sheet.categories"), 0.2),
                col(TH.t("pack.col.allocation"), 0.16),
                col(TH.t("pack.col.disbursed"), 0.16),
                col(TH.t("pack.col.committed"), 0.16),
                col(TH.t("pack.col.plan_rate"), 0.1),
                col(TH.t("pack.col.used_rate"), 0.12),
                col(TH.t("pack.col.lag"), 0.1),
            ],
            rows,
            empty: "",
        }
    }

    pub fn lagging_table(&self) -> Table {
        let missing = TH.t("pack.no_report");
        let rows = self
            .lagging
            .iter()
            .map(|l| {
                let (o, lim, s) = match &l.narrative {
                    Some(n) => (n.obstacles.clone(), n.limitations.clone(), n.suggestions.clone()),
                    None => (missing.to_string(), String::new(), String::new()),
                };
                vec![
                    Cell::text(format!("{} {}", l.code, l.name_th)),
                    Cell::Rate(Some(l.lag_pp)),
                    Cell::text(o),
                    Cell::text(lim),
                    Cell::text(s),
                ]
            })
            .collect();
        Table {
            sheet: TH.t("pack.sheet.lagging"),
            title: TH.f("pack.title.lagging", &[("threshold", &fixed2(self.settings.warn_lag_pp))]),
            columns: vec![
                col(TH.t("pack.col.bureau"), 0.16),
                col(TH.t("pack.col.lag"), 0.08),
                col(TH.t("pack.col.obstacles"), 0.26),
                col(TH.t("pack.col.limitations"), 0.22),
                col(TH.t("pack.col.suggestions"), 0.28),
            ],
            rows,
            empty: TH.t("pack.empty.lagging"),
        }
    }

    pub fn alert_table(&self) -> Table {
        let rows = self
            .alerts
            .iter()
            .map(|a| {
                let follow: Vec<String> = a
                    .follow_ups
                    .iter()
                    .map(|f| {
                        let mut s = TH.f(
                            "pack.follow.line",
                            &[
                                ("bureau", &f.bureau_code.as_deref().map(|c| format!("{c}: ")).unwrap_or_default()),
                                ("instruction", &f.instruction),
                                ("due", &thai_date(f.due_on)),
                                ("status", &TH.t(f.status.label())),
                            ],
                        );
                        if let Some(r) = &f.response {
                            s.push_str(&TH.f("pack.follow.answer", &[("answer", r)]));
                            if let Some(at) = f.responded_at {
                                s.push_str(&format!(" ({})", thai_datetime(at)));
                            }
                        }
                        s
                    })
                    .collect();
                vec![
                    Cell::text(TH.t(a.severity.label())),
                    Cell::text(TH.t(a.kind.label())),
                    Cell::text(a.bureau_code.clone().unwrap_or_else(|| TH.t("pack.scope.office").into())),
                    Cell::text(&a.message_th),
                    Cell::text(TH.t(a.status.label())),
                    Cell::text(if follow.is_empty() { TH.t("pack.no_order").to_string() } else { follow.join("\n") }),
                ]
            })
            .collect();
        Table {
            sheet: TH.t("pack.sheet.alerts"),
            title: TH.t("pack.title.alerts").into(),
            columns: vec![
                col(TH.t("pack.col.severity"), 0.07),
                col(TH.t("pack.col.kind"), 0.13),
                col(TH.t("pack.col.scope"), 0.09),
                col(TH.t("pack.col.message"), 0.31),
                col(TH.t("pack.col.status"), 0.1),
                col(TH.t("pack.col.follow_up"), 0.3),
            ],
            rows,
            empty: TH.t("pack.empty.alerts"),
        }
    }

    pub fn completeness_table(&self) -> Table {
        let rows = self
            .office
            .bureaus
            .iter()
            .map(|b| {
                let n = self.narratives.iter().find(|n| n.code == b.code);
                let note = self.carried(b);
                vec![
                    Cell::text(&b.code),
                    Cell::text(&b.name_th),
                    Cell::text(if note.is_empty() {
                        report_status_th(b.report_status).to_string()
                    } else {
                        format!("{}\n{note}", report_status_th(b.report_status))
                    }),
                    Cell::text(n.and_then(|n| n.submitted_at).map(thai_datetime).unwrap_or_else(|| "-".into())),
                    n.map(|n| Cell::Int(n.revision as i64)).unwrap_or_else(|| Cell::text("-")),
                ]
            })
            .collect();
        let r = &self.office.reporting;
        let due = thai_date(r.due_at.date_naive());
        Table {
            sheet: TH.t("pack.sheet.reporting"),
            title: if r.in_progress(self.now) {
                TH.f(
                    "pack.title.reporting_pending",
                    &[("due", &due), ("submitted", &r.submitted), ("expected", &r.expected), ("pending", &r.pending)],
                )
            } else {
                TH.f(
                    "pack.title.reporting",
                    &[
                        ("due", &due),
                        ("submitted", &r.submitted),
                        ("expected", &r.expected),
                        ("on_time", &r.on_time),
                        ("late", &r.late),
                        ("missing", &r.missing),
                    ],
                )
            },
            columns: vec![
                col(TH.t("pack.col.code"), 0.1),
                col(TH.t("pack.col.bureau"), 0.4),
                col(TH.t("pack.col.report_status"), 0.18),
                col(TH.t("pack.col.submitted_at"), 0.22),
                col(TH.t("pack.col.revision"), 0.1),
            ],
            rows,
            empty: "",
        }
    }

    /// Whether the figures were checked against the control ledger: each bureau
    /// with ledger entries, its reported and ledger figures and the verdict. No
    /// table when the ledger has nothing for the year (the empty text says so).
    pub fn reconciliation_table(&self) -> Table {
        let checked: Vec<&crate::ledger::reconcile::BureauLine> = self
            .reconciliation
            .iter()
            .flat_map(|r| &r.bureaus)
            .filter(|b| b.figures.status != crate::ledger::reconcile::Status::NoLedger)
            .collect();
        let count = |s| self.reconciliation.iter().flat_map(|r| &r.bureaus).filter(|b| b.figures.status == s).count();
        use crate::ledger::reconcile::Status;
        Table {
            sheet: TH.t("pack.sheet.reconciliation"),
            title: TH.f(
                "pack.title.reconciliation",
                &[
                    ("date", &thai_date(self.as_of)),
                    ("tolerance", &fixed2(self.reconciliation.as_ref().map(|r| r.tolerance_rate).unwrap_or_default())),
                    ("agrees", &count(Status::Agrees)),
                    ("differs", &count(Status::Differs)),
                    ("none", &count(Status::NoLedger)),
                ],
            ),
            columns: vec![
                col(TH.t("pack.col.code"), 0.08),
                col(TH.t("pack.col.bureau"), 0.2),
                col(TH.t("ledger.col.reported_d"), 0.12),
                col(TH.t("ledger.col.ledger_d"), 0.12),
                col(TH.t("ledger.col.reported_c"), 0.12),
                col(TH.t("ledger.col.ledger_c"), 0.12),
                col(TH.t("ledger.col.difference"), 0.1),
                col(TH.t("ledger.col.status"), 0.14),
            ],
            rows: checked
                .iter()
                .map(|b| {
                    let f = &b.figures;
                    vec![
                        Cell::text(&b.code),
                        Cell::text(&b.name_th),
                        Cell::Money(f.reported_disbursed),
                        Cell::Money(f.ledger_disbursed),
                        Cell::Money(f.reported_committed),
                        Cell::Money(f.ledger_committed),
                        Cell::Rate(f.difference_rate),
                        Cell::text(TH.t(f.status.label())),
                    ]
                })
                .collect(),
            empty: TH.t("pack.empty.reconciliation"),
        }
    }

    /// Last year's carried-over commitments per bureau, as they stand.
    pub fn carry_over_table(&self) -> Table {
        let (year, lapses) = match &self.carry {
            Some(c) => (c.fiscal_year.to_string(), thai_date(c.lapses_on)),
            None => (self.fy.previous().to_string(), "-".into()),
        };
        Table {
            sheet: TH.t("pack.sheet.carry_over"),
            title: TH
                .f("pack.title.carry_over", &[("fy", &year), ("lapses", &lapses), ("date", &thai_date(self.as_of))]),
            columns: vec![
                col(TH.t("pack.col.code"), 0.12),
                col(TH.t("ledger.col.commitments"), 0.12),
                col(TH.t("ledger.col.open_at_year_end"), 0.19),
                col(TH.t("ledger.col.paid_since"), 0.19),
                col(TH.t("ledger.col.cancelled_since"), 0.19),
                col(TH.t("ledger.col.remaining"), 0.19),
            ],
            rows: self
                .carry
                .iter()
                .flat_map(|c| c.by_bureau())
                .map(|(code, n, open, paid, cancelled, remaining)| {
                    vec![
                        Cell::text(code),
                        Cell::Int(n),
                        Cell::Money(open),
                        Cell::Money(paid),
                        Cell::Money(cancelled),
                        Cell::Money(remaining),
                    ]
                })
                .collect(),
            empty: TH.t("pack.empty.carry_over"),
        }
    }

    /// The tables of the pack, in the order the pack shows them (charts come
    /// after the headline).
    pub fn tables(&self) -> [Table; 8] {
        [
            self.headline_table(),
            self.bureau_table(),
            self.category_table(),
            self.lagging_table(),
            self.alert_table(),
            self.completeness_table(),
            self.reconciliation_table(),
            self.carry_over_table(),
        ]
    }
}

/// The pack's title: the page's, the PDF's and the cover's.
pub fn title(fy: FiscalYear, month: FiscalMonth) -> String {
    TH.f("pack.title", &[("fy", &fy), ("month", &thai_month_label(fy, month))])
}

/// A line's figures in the order the pack's tables show them: allocation,
/// disbursed, committed, plan %, disbursed+committed %, lag.
fn rate_cells(r: &crate::monitoring::summary::Rates) -> [Cell; 6] {
    [
        Cell::Money(r.allocation),
        Cell::Money(r.disbursed),
        Cell::Money(r.committed),
        Cell::Rate(r.plan_rate),
        Cell::Rate(r.disbursed_committed_rate),
        Cell::Rate(r.lag_pp),
    ]
}

pub fn report_status_th(s: &str) -> &'static str {
    match s {
        "on_time" => TH.t("pack.status.on_time"),
        "late" => TH.t("pack.status.late"),
        "draft" => TH.t("pack.status.draft"),
        "pending" => TH.t("pack.status.pending"),
        _ => TH.t("pack.status.missing"),
    }
}
