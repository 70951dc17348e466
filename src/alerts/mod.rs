//! Lag alerts for the secretary-general. `evaluate` computes the month's measures,
//! applies `rules`, and reconciles with the alerts that are open: new conditions
//! are raised, changed ones updated (a warning that becomes critical), cleared or
//! superseded ones resolved with the reason — in one transaction, under an advisory
//! lock so that two replicas never evaluate at once (the scheduled run skips when
//! another holds it). The database keeps one open alert per kind, scope, year and
//! month. Then people act: acknowledge, order a follow-up (secretary-general or
//! strategy), the bureau responds, someone resolves; every step is an alert event
//! and an audit record.

pub mod pages;
pub mod routes;
pub mod rules;
mod views;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Int4, Text};
use serde::Serialize;
use serde_json::json;

use crate::audit::{self, Actor};
use crate::domain::fiscal::{last_ended_month, thai_month_label};
use crate::domain::{FiscalMonth, FiscalYear};
use crate::error::{AppError, FieldError};
use crate::monitoring::{queries, summary};
use crate::schema::{alert_events, alerts, bureaus, follow_ups};

crate::text_enum! {
    /// What an alert is about (DOMAIN.md, Alerts).
    pub enum AlertKind {
        BehindPlan = "behind_plan",
        BelowTarget = "below_target",
        MissingReport = "missing_report",
        KpiAtRisk = "kpi_at_risk",
        OverCommitment = "over_commitment",
        LedgerMismatch = "ledger_mismatch",
    }
}

crate::text_enum! {
    /// How bad: a warning, or critical (ordered: critical is the greater).
    pub enum Severity {
        Warning = "warning",
        Critical = "critical",
    }
}

crate::text_enum! {
    /// Where an alert is in its life: raised, seen, acted on, answered, closed.
    pub enum AlertStatus {
        Open = "open",
        Acknowledged = "acknowledged",
        FollowUp = "follow_up",
        Responded = "responded",
        Resolved = "resolved",
    }
}

crate::text_enum! {
    /// A follow-up order: waiting for the bureau, answered, or closed with its alert.
    pub enum FollowUpStatus {
        Ordered = "ordered",
        Responded = "responded",
        Closed = "closed",
    }
}

impl AlertKind {
    /// The catalogue key of the kind's name.
    pub fn label(self) -> &'static str {
        match self {
            AlertKind::BehindPlan => "alert.kind.behind_plan",
            AlertKind::BelowTarget => "alert.kind.below_target",
            AlertKind::MissingReport => "alert.kind.missing_report",
            AlertKind::KpiAtRisk => "alert.kind.kpi_at_risk",
            AlertKind::OverCommitment => "alert.kind.over_commitment",
            AlertKind::LedgerMismatch => "alert.kind.ledger_mismatch",
        }
    }
}

impl Severity {
    /// The catalogue key of the severity's name.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Warning => "alert.severity.warning",
            Severity::Critical => "alert.severity.critical",
        }
    }
}

impl AlertStatus {
    /// The catalogue key of the status's name.
    pub fn label(self) -> &'static str {
        match self {
            AlertStatus::Open => "alert.status.open",
            AlertStatus::Acknowledged => "alert.status.acknowledged",
            AlertStatus::FollowUp => "alert.status.follow_up",
            AlertStatus::Responded => "alert.status.responded",
            AlertStatus::Resolved => "alert.status.resolved",
        }
    }
}

impl FollowUpStatus {
    /// The catalogue key of the status's name.
    pub fn label(self) -> &'static str {
        match self {
            FollowUpStatus::Ordered => "follow_up.status.ordered",
            FollowUpStatus::Responded => "follow_up.status.responded",
            FollowUpStatus::Closed => "follow_up.status.closed",
        }
    }
}

/// The advisory lock one evaluation at a time holds (across replicas).
pub const EVALUATION_LOCK: i64 = 7263583;
const LOCK: i64 = EVALUATION_LOCK;

/// Evaluation after writes, coalesced: however many writes ask, at most one
/// evaluation per process runs or waits, and a write that comes while one runs
/// makes it run once more. It takes the lock with a try (another replica may be
/// evaluating), so it never holds a pooled connection waiting: when it cannot
/// have the lock it sleeps, without a connection, and tries again.
#[derive(Clone)]
pub struct AfterWrites {
    inner: std::sync::Arc<Pending>,
}

struct Pending {
    running: std::sync::atomic::AtomicBool,
    again: std::sync::atomic::AtomicBool,
    pool: crate::db::PgPool,
    clock: crate::clock::Clock,
    delivery: crate::config::Delivery,
}

/// How often, and how far apart, a run tries for the lock before leaving the
/// change to the schedule.
const TRIES: u32 = 40;
const PAUSE: std::time::Duration = std::time::Duration::from_millis(250);

impl AfterWrites {
    pub fn new(pool: crate::db::PgPool, clock: crate::clock::Clock, delivery: crate::config::Delivery) -> AfterWrites {
        AfterWrites {
            inner: std::sync::Arc::new(Pending {
                running: Default::default(),
                again: Default::default(),
                pool,
                clock,
                delivery,
            }),
        }
    }

    /// Asks for an evaluation soon; returns at once.
    pub fn request(&self) {
        use std::sync::atomic::Ordering::SeqCst;
        let me = &self.inner;
        me.again.store(true, SeqCst);
        if me.running.swap(true, SeqCst) {
            return; // the running one will see `again`
        }
        let me = self.inner.clone();
        actix_web::rt::spawn(async move {
            let mut tries = 0;
            loop {
                if !me.again.swap(false, SeqCst) {
                    me.running.store(false, SeqCst);
                    // A request between the swap and the store would be lost: take it.
                    if me.again.load(SeqCst) && !me.running.swap(true, SeqCst) {
                        continue;
                    }
                    return;
                }
                let now = me.clock.now();
                let delivery = me.delivery.clone();
                let result = crate::db::blocking(&me.pool, move |conn| evaluate(conn, now, false, &delivery)).await;
                match result {
                    Ok(e) if !e.ran && tries < TRIES => {
                        // Another process is evaluating, perhaps from before this write.
                        tries += 1;
                        me.again.store(true, SeqCst);
                        actix_web::rt::time::sleep(PAUSE).await;
                    }
                    Ok(e) if !e.ran => tracing::warn!("alert evaluation after a write left to the schedule"),
                    Ok(e) => {
                        tries = 0;
                        if e.raised + e.updated + e.resolved > 0 {
                            tracing::info!(
                                raised = e.raised,
                                updated = e.updated,
                                resolved = e.resolved,
                                "alerts evaluated after a write"
                            );
                        }
                    }
                    Err(e) => tracing::error!(error = %e, "alert evaluation after a write failed"),
                }
            }
        });
    }
}
/// Kinds this engine raises and resolves: all of them.
const KINDS: &[AlertKind] = AlertKind::ALL;
const SYSTEM: Actor<'static> = Actor { user_id: None, request_id: Some("alerts") };
/// The longest instruction, response or note accepted, in characters.
pub const TEXT_MAX: usize = 2000;

fn too_long(field: &str, text: &str) -> Option<FieldError> {
    (text.chars().count() > TEXT_MAX)
        .then(|| FieldError::new(field, format!("ยาวเกิน {TEXT_MAX} ตัวอักษร (at most {TEXT_MAX} characters)")))
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Evaluation {
    pub fiscal_year: Option<i32>,
    pub month: Option<u8>,
    pub raised: usize,
    pub updated: usize,
    pub resolved: usize,
    pub open: usize,
    /// False when another process was evaluating and this run stood aside.
    pub ran: bool,
}

#[derive(QueryableByName)]
struct MissingRow {
    #[diesel(sql_type = Int4)]
    id: i32,
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = Text)]
    name_th: String,
    #[diesel(sql_type = Int4)]
    month: i32,
}

#[derive(Queryable, Debug)]
struct OpenAlert {
    id: i64,
    kind: AlertKind,
    severity: Severity,
    fiscal_year: i32,
    month: i16,
    scope_key: String,
    status: AlertStatus,
    message_th: String,
}

fn event(conn: &mut PgConnection, alert_id: i64, action: &str, note: &str, user: Option<i64>) -> QueryResult<()> {
    diesel::insert_into(alert_events::table)
        .values((
            alert_events::alert_id.eq(alert_id),
            alert_events::action.eq(action),
            alert_events::note.eq(note),
            alert_events::user_id.eq(user),
        ))
        .execute(conn)
        .map(|_| ())
}

fn record(
    conn: &mut PgConnection,
    actor: Actor<'_>,
    action: &str,
    id: i64,
    after: serde_json::Value,
) -> QueryResult<()> {
    audit::record(
        conn,
        audit::Entry {
            user_id: actor.user_id,
            request_id: actor.request_id,
            action,
            entity: "alert",
            entity_id: id.to_string(),
            before: None,
            after: Some(after),
        },
    )
}

fn resolve_row(conn: &mut PgConnection, id: i64, reason: &str, actor: Actor<'_>) -> QueryResult<()> {
    let now = Utc::now();
    diesel::update(alerts::table.find(id))
        .set((
            alerts::status.eq(AlertStatus::Resolved),
            alerts::resolved_at.eq(now),
            alerts::resolution.eq(reason),
            alerts::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(
        follow_ups::table.filter(follow_ups::alert_id.eq(id)).filter(follow_ups::status.ne(FollowUpStatus::Closed)),
    )
    .set(follow_ups::status.eq(FollowUpStatus::Closed))
    .execute(conn)?;
    event(conn, id, "resolved", reason, actor.user_id)?;
    record(conn, actor, "resolve", id, json!({"status": "resolved", "resolution": reason}))
}

/// Evaluates every rule as of `now` (Bangkok's date decides the month). With
/// `wait` false, stands aside when another evaluation holds the lock. Notices of
/// newly raised alerts go to the outbox in the same transaction, as `delivery` says.
pub fn evaluate(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    wait: bool,
    delivery: &crate::config::Delivery,
) -> Result<Evaluation, AppError> {
    conn.transaction(|conn| {
        if wait {
            conn.batch_execute(&format!("SELECT pg_advisory_xact_lock({LOCK})"))?;
        } else {
            let got: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!("pg_try_advisory_xact_lock({LOCK})")))
                .get_result(conn)?;
            if !got {
                return Ok(Evaluation::default());
            }
        }
        let Some((fy, month, settings)) = judged_month(conn, now)? else {
            return Ok(Evaluation { ran: true, ..Evaluation::default() });
        };
        let office = summary::office(conn, fy, month, &settings, now)?;
        let codes: Vec<String> = office.bureaus.iter().map(|b| b.code.clone()).collect();
        let ids: Vec<(String, i32)> = bureaus::table.filter(bureaus::code.eq_any(&codes)).select((bureaus::code, bureaus::id)).load(conn)?;
        let id_of = |code: &str| ids.iter().find(|(c, _)| c == code).map(|(_, id)| *id).unwrap_or_default();
        // Expected bureaus (active, with projects this year) with a month past its due date and no submission.
        let missing: Vec<MissingRow> = diesel::sql_query(
            "SELECT b.id, b.code, b.name_th, g.m AS month
             FROM bureaus b CROSS JOIN generate_series(1, $2) g(m)
             WHERE b.active AND EXISTS (SELECT 1 FROM projects p WHERE p.bureau_id = b.id AND p.fiscal_year = $1)
               AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.bureau_id = b.id AND r.fiscal_year = $1 AND r.month = g.m
                                                     AND r.submitted_revision_id IS NOT NULL)
             ORDER BY b.code, g.m",
        )
        .bind::<Int4, _>(fy.be())
        .bind::<Int4, _>(month.number() as i32)
        .load(conn)?;
        let inputs = rules::Inputs {
            fy,
            month,
            warn_pp: settings.warn_lag_pp,
            critical_pp: settings.critical_lag_pp,
            office_lag_pp: office.headline.lag_pp,
            targets: queries::Scope::ALL
                .iter()
                .map(|scope| rules::ScopeTarget {
                    scope: *scope,
                    disbursed_rate: office.headline.quarter_targets.get(*scope).and_then(|t| t.disbursed_rate),
                    target: settings.target(*scope, month),
                })
                .collect(),
            forecast: office.headline.forecast_year_end_rate,
            level5: settings.kpi_thresholds.get(4).copied(),
            bureaus: office
                .bureaus
                .iter()
                .map(|b| rules::BureauLag {
                    id: id_of(&b.code),
                    code: b.code.clone(),
                    name_th: b.name_th.clone(),
                    lag_pp: b.rates.lag_pp,
                    reported: !b.carried_forward,
                })
                .collect(),
            missing: missing
                .into_iter()
                .filter_map(|r| {
                    let m = FiscalMonth::new(r.month as i64).ok()?;
                    let due = settings.due_at(fy, m);
                    (due.with_timezone(&Utc) < now).then(|| rules::Missing {
                        bureau_id: r.id,
                        code: r.code,
                        name_th: r.name_th,
                        month: m,
                        due: due.date_naive(),
                    })
                })
                .collect(),
            mismatches: ledger_mismatches(conn, fy, month, &id_of)?,
            over: over_committed(conn, fy, crate::domain::fiscal::bangkok_date(now))?,
        };
        let desired = rules::evaluate(&inputs);
        // This year's open alerts, and any of a later month raised before its
        // reports were due (the rule was once to judge every ended month).
        let open: Vec<OpenAlert> = alerts::table
            .filter(alerts::fiscal_year.ge(fy.be()))
            .filter(alerts::status.ne(AlertStatus::Resolved))
            .filter(alerts::kind.eq_any(KINDS))
            .select((alerts::id, alerts::kind, alerts::severity, alerts::fiscal_year, alerts::month, alerts::scope_key, alerts::status, alerts::message_th))
            .load(conn)?;
        let open: Vec<OpenAlert> =
            open.into_iter().filter(|a| a.fiscal_year == fy.be() || a.kind != AlertKind::MissingReport).collect();
        let mut result = Evaluation { fiscal_year: Some(fy.be()), month: Some(month.number()), ran: true, ..Evaluation::default() };
        let mut raised = Vec::new();
        for d in &desired {
            let same = open.iter().find(|a| a.kind == d.kind && a.scope_key == d.scope_key && a.month == d.month.number() as i16);
            match same {
                Some(a) if a.severity == d.severity && a.message_th == d.message_th => {}
                Some(a) => {
                    diesel::update(alerts::table.find(a.id))
                        .set((
                            alerts::severity.eq(d.severity),
                            alerts::message_th.eq(&d.message_th),
                            alerts::message_en.eq(&d.message_en),
                            alerts::details.eq(&d.details),
                            alerts::updated_at.eq(Utc::now()),
                        ))
                        .execute(conn)?;
                    event(conn, a.id, "raised", &format!("{} → {}: {}", a.severity, d.severity, d.message_th), None)?;
                    record(conn, SYSTEM, "update", a.id, json!({"severity": d.severity, "message_th": d.message_th}))?;
                    result.updated += 1;
                }
                None => {
                    let id: i64 = diesel::insert_into(alerts::table)
                        .values((
                            alerts::kind.eq(d.kind),
                            alerts::severity.eq(d.severity),
                            alerts::fiscal_year.eq(fy.be()),
                            alerts::month.eq(d.month.number() as i16),
                            alerts::bureau_id.eq(d.bureau_id),
                            alerts::project_id.eq(d.project_id),
                            alerts::scope_key.eq(&d.scope_key),
                            alerts::message_th.eq(&d.message_th),
                            alerts::message_en.eq(&d.message_en),
                            alerts::details.eq(&d.details),
                        ))
                        .returning(alerts::id)
                        .get_result(conn)?;
                    event(conn, id, "raised", &d.message_th, None)?;
                    record(conn, SYSTEM, "raise", id, json!({"kind": d.kind, "severity": d.severity, "scope": d.scope_key,
                                                             "month": d.month.number(), "message_th": d.message_th}))?;
                    tracing::info!(alert_id = id, kind = %d.kind, scope = %d.scope_key, severity = %d.severity, "alert raised");
                    raised.push(crate::delivery::Raised {
                        id,
                        bureau_id: d.bureau_id,
                        severity: d.severity.as_str(),
                        kind: d.kind.as_str(),
                        fiscal_year: fy.be(),
                        month: d.month.number() as i16,
                        scope_key: d.scope_key.clone(),
                        message_th: d.message_th.clone(),
                        message_en: d.message_en.clone(),
                    });
                    result.raised += 1;
                }
            }
        }
        for a in &open {
            let still = a.fiscal_year == fy.be()
                && desired.iter().any(|d| d.kind == a.kind && d.scope_key == a.scope_key && d.month.number() as i16 == a.month);
            if still {
                continue;
            }
            // A missing report that arrived has cleared, whatever the follow-up. A
            // month's lag or target that is no longer true, or an older month's alert
            // now followed by this month's, is closed unless people are working on it.
            let later = (a.fiscal_year, a.month) > (fy.be(), month.number() as i16);
            let superseded = !later && a.month < month.number() as i16 && a.kind != AlertKind::MissingReport;
            let unreported = a.kind == AlertKind::BehindPlan
                && a.month == month.number() as i16
                && inputs.bureaus.iter().any(|b| !b.reported && a.scope_key == format!("bureau:{}", b.code));
            let in_hand = matches!(a.status, AlertStatus::FollowUp | AlertStatus::Responded);
            if a.kind != AlertKind::MissingReport && in_hand {
                continue;
            }
            let reason = if a.kind == AlertKind::MissingReport {
                "ได้รับรายงานแล้ว (the report has been submitted)".to_string()
            } else if later {
                let (afy, am) = (FiscalYear::new(a.fiscal_year as i64), FiscalMonth::new(a.month as i64));
                let label = match (afy, am) {
                    (Ok(y), Ok(m)) => thai_month_label(y, m),
                    _ => format!("{}/{}", a.fiscal_year, a.month),
                };
                format!(
                    "เดือน {label} ยังไม่ถึงกำหนดส่งรายงาน จึงยังไม่ประเมิน; ประเมินเดือน {} แทน \
                     (a month is judged only after its reports are due)",
                    thai_month_label(fy, month)
                )
            } else if unreported {
                "สำนักยังไม่ส่งรายงานเดือนนี้: แจ้งเตือนการไม่ส่งรายงานแทน ไม่ประเมินจากตัวเลขที่ยกมา \
                 (no report: missing_report instead of a lag computed from carried-forward figures)"
                    .to_string()
            } else if superseded {
                format!("แทนที่ด้วยผลการประเมินเดือนที่ {month} (superseded by month {month})")
            } else {
                "เงื่อนไขไม่เป็นจริงแล้ว (the condition has cleared)".to_string()
            };
            resolve_row(conn, a.id, &reason, SYSTEM)?;
            result.resolved += 1;
        }
        crate::delivery::enqueue(conn, &raised, delivery)?;
        result.open = alerts::table
            .filter(alerts::fiscal_year.eq(fy.be()))
            .filter(alerts::status.ne(AlertStatus::Resolved))
            .count()
            .get_result::<i64>(conn)? as usize;
        Ok(result)
    })
}

/// Bureaus whose submitted report of the judged month differs from the ledger
/// past the year's tolerance (a bureau without entries is not judged).
fn ledger_mismatches(
    conn: &mut PgConnection,
    fy: FiscalYear,
    month: FiscalMonth,
    id_of: &dyn Fn(&str) -> i32,
) -> QueryResult<Vec<rules::Mismatch>> {
    let Some(r) = crate::ledger::reconcile::bureaus(conn, fy, month, None)? else { return Ok(Vec::new()) };
    Ok(r.bureaus
        .into_iter()
        .filter(|b| b.reported_month == month.number() as i16)
        .filter(|b| b.figures.status == crate::ledger::reconcile::Status::Differs)
        .map(|b| rules::Mismatch {
            bureau_id: id_of(&b.code),
            difference_rate: b.figures.difference_rate.unwrap_or_default(),
            tolerance: r.tolerance_rate,
            code: b.code,
            name_th: b.name_th,
        })
        .collect())
}

#[derive(QueryableByName)]
struct OverRow {
    #[diesel(sql_type = Int4)]
    project_id: i32,
    #[diesel(sql_type = Int4)]
    bureau_id: i32,
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = Text)]
    bureau_code: String,
    #[diesel(sql_type = diesel::sql_types::Numeric)]
    allocation: rust_decimal::Decimal,
    #[diesel(sql_type = diesel::sql_types::Numeric)]
    used: rust_decimal::Decimal,
}

/// Projects of the year whose ledger D + C, to date, is beyond their allocation in force today.
fn over_committed(conn: &mut PgConnection, fy: FiscalYear, today: NaiveDate) -> QueryResult<Vec<rules::OverCommitted>> {
    let rows: Vec<OverRow> = diesel::sql_query(
        "SELECT p.id AS project_id, p.bureau_id, p.code, b.code AS bureau_code,
                allocation_on(p, $2) AS allocation, u.used
         FROM (SELECT project_id, sum(d_effect + c_effect) AS used FROM ledger_entries
               WHERE fiscal_year = $1 GROUP BY project_id) u
         JOIN projects p ON p.id = u.project_id JOIN bureaus b ON b.id = p.bureau_id
         WHERE u.used > allocation_on(p, $2)
         ORDER BY b.code, p.code",
    )
    .bind::<Int4, _>(fy.be())
    .bind::<diesel::sql_types::Date, _>(today)
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| rules::OverCommitted {
            project_id: r.project_id,
            bureau_id: r.bureau_id,
            code: r.code,
            bureau_code: r.bureau_code,
            allocation: r.allocation,
            used: r.used,
        })
        .collect())
}

/// The month the rules judge as of `now`: the latest ended month whose reports
/// are due (a month in progress keeps the one before it), with its year's
/// settings; `None` when there is no such year.
pub fn judged_month(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
) -> QueryResult<Option<(FiscalYear, FiscalMonth, queries::YearSettings)>> {
    let (mut fy, mut month) = last_ended_month(crate::domain::fiscal::bangkok_date(now));
    // Reports are due within weeks of a month's end: two steps back at most.
    for _ in 0..3 {
        let Some(settings) = queries::year_settings(conn, fy)? else { return Ok(None) };
        if settings.due_at(fy, month).with_timezone(&Utc) < now {
            return Ok(Some((fy, month, settings)));
        }
        (fy, month) = match month.number() {
            1 => (fy.previous(), FiscalMonth::LAST),
            n => (fy, FiscalMonth::new(n as i64 - 1).expect("a fiscal month")),
        };
    }
    Ok(None)
}

#[derive(Queryable, Debug, Clone)]
pub struct AlertRow {
    pub id: i64,
    pub kind: AlertKind,
    pub severity: Severity,
    pub fiscal_year: i32,
    pub month: i16,
    pub bureau_id: Option<i32>,
    pub status: AlertStatus,
}

fn load(conn: &mut PgConnection, id: i64) -> Result<AlertRow, AppError> {
    alerts::table
        .find(id)
        .select((
            alerts::id,
            alerts::kind,
            alerts::severity,
            alerts::fiscal_year,
            alerts::month,
            alerts::bureau_id,
            alerts::status,
        ))
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("there is no alert {id}")))
}

fn set_status(conn: &mut PgConnection, id: i64, status: AlertStatus) -> QueryResult<usize> {
    diesel::update(alerts::table.find(id))
        .set((alerts::status.eq(status), alerts::updated_at.eq(Utc::now())))
        .execute(conn)
}

pub fn acknowledge(conn: &mut PgConnection, id: i64, actor: Actor<'_>) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let a = load(conn, id)?;
        if a.status != AlertStatus::Open {
            return Err(AppError::Conflict(format!("alert {id} is {}, not open", a.status)));
        }
        set_status(conn, id, AlertStatus::Acknowledged)?;
        event(conn, id, "acknowledged", "", actor.user_id)?;
        record(conn, actor, "acknowledge", id, json!({"status": "acknowledged"}))?;
        Ok(())
    })
}

/// Orders acceleration: a follow-up addressed to the alert's bureau (or the one
/// named), with an instruction and a due date.
pub fn order_follow_up(
    conn: &mut PgConnection,
    id: i64,
    instruction: &str,
    due_on: &str,
    bureau_code: Option<&str>,
    today: NaiveDate,
    actor: Actor<'_>,
) -> Result<i64, AppError> {
    let mut errors = Vec::new();
    if instruction.trim().is_empty() {
        errors.push(FieldError::new("instruction", "ระบุสิ่งที่ให้เร่งดำเนินการ (an instruction is required)"));
    }
    errors.extend(too_long("instruction", instruction));
    let due = match NaiveDate::parse_from_str(due_on.trim(), "%Y-%m-%d") {
        Ok(d) if d >= today => Some(d),
        Ok(d) => {
            errors.push(FieldError::new("due_on", format!("{d} ผ่านไปแล้ว (the due date is in the past)")));
            None
        }
        Err(_) => {
            errors.push(FieldError::new("due_on", format!("{due_on:?} ไม่ใช่วันที่รูปแบบ YYYY-MM-DD")));
            None
        }
    };
    conn.transaction(|conn| {
        let a = load(conn, id)?;
        if a.status == AlertStatus::Resolved {
            return Err(AppError::Conflict(format!("alert {id} is resolved")));
        }
        let bureau = match bureau_code.map(str::trim).filter(|c| !c.is_empty()) {
            Some(code) => {
                let found: Option<i32> =
                    bureaus::table.filter(bureaus::code.eq(code)).select(bureaus::id).first(conn).optional()?;
                if found.is_none() {
                    errors.push(FieldError::new("bureau_code", format!("there is no bureau {code:?}")));
                }
                found
            }
            None => a.bureau_id,
        };
        if !errors.is_empty() {
            return Err(AppError::validation(errors));
        }
        let Some(actor_id) = actor.user_id else {
            return Err(AppError::Forbidden("a follow-up is ordered by a person".into()));
        };
        let follow_up: i64 = diesel::insert_into(follow_ups::table)
            .values((
                follow_ups::alert_id.eq(id),
                follow_ups::bureau_id.eq(bureau),
                follow_ups::ordered_by.eq(actor_id),
                follow_ups::instruction.eq(instruction.trim()),
                follow_ups::due_on.eq(due.expect("checked")),
            ))
            .returning(follow_ups::id)
            .get_result(conn)?;
        set_status(conn, id, AlertStatus::FollowUp)?;
        event(conn, id, "follow_up_ordered", instruction.trim(), actor.user_id)?;
        record(
            conn,
            actor,
            "order_follow_up",
            id,
            json!({"follow_up": follow_up, "instruction": instruction.trim(), "due_on": due}),
        )?;
        Ok(follow_up)
    })
}

/// The bureau's answer to a follow-up; only a reporter of that bureau may give it.
pub fn respond(
    conn: &mut PgConnection,
    follow_up: i64,
    response: &str,
    bureau_ids: &[i32],
    actor: Actor<'_>,
) -> Result<(), AppError> {
    if response.trim().is_empty() {
        return Err(AppError::validation(vec![FieldError::new(
            "response",
            "ระบุผลการดำเนินการ (a response is required)",
        )]));
    }
    if let Some(e) = too_long("response", response) {
        return Err(AppError::validation(vec![e]));
    }
    conn.transaction(|conn| {
        let row: Option<(i64, Option<i32>, FollowUpStatus)> = follow_ups::table
            .find(follow_up)
            .select((follow_ups::alert_id, follow_ups::bureau_id, follow_ups::status))
            .first(conn)
            .optional()?;
        let Some((alert_id, _, status)) = row.filter(|r| r.1.is_some_and(|b| bureau_ids.contains(&b))) else {
            return Err(AppError::NotFound(format!("there is no follow-up {follow_up} for your bureau")));
        };
        if status != FollowUpStatus::Ordered {
            return Err(AppError::Conflict(format!("follow-up {follow_up} is already {status}")));
        }
        diesel::update(follow_ups::table.find(follow_up))
            .set((
                follow_ups::status.eq(FollowUpStatus::Responded),
                follow_ups::response.eq(response.trim()),
                follow_ups::responded_by.eq(actor.user_id),
                follow_ups::responded_at.eq(Utc::now()),
            ))
            .execute(conn)?;
        set_status(conn, alert_id, AlertStatus::Responded)?;
        event(conn, alert_id, "responded", response.trim(), actor.user_id)?;
        record(conn, actor, "respond", alert_id, json!({"follow_up": follow_up, "response": response.trim()}))?;
        Ok(())
    })
}

pub fn resolve(conn: &mut PgConnection, id: i64, note: &str, actor: Actor<'_>) -> Result<(), AppError> {
    if let Some(e) = too_long("note", note) {
        return Err(AppError::validation(vec![e]));
    }
    conn.transaction(|conn| {
        let a = load(conn, id)?;
        if a.status == AlertStatus::Resolved {
            return Err(AppError::Conflict(format!("alert {id} is already resolved")));
        }
        let note =
            if note.trim().is_empty() { "ปิดโดยผู้บริหาร (closed)" } else { note.trim() };
        resolve_row(conn, id, note, actor)?;
        Ok(())
    })
}
