//! Monthly reports: a bureau's disbursements in the month and commitments at its
//! end, per project, with the narrative behind any lag. Every save is a new,
//! immutable revision (draft or submitted); the report's header points at the
//! latest one (its number is the ETag) and at the latest submitted one (what the
//! measures read). A locked month takes no writes.
//!
//! `context` gathers what a bureau needs to see and what validation needs, in a
//! fixed number of queries; `check` applies DOMAIN.md's rules and reports every
//! problem at once, naming the field (Thai first); `save` writes one revision in
//! one transaction with its audit record.

pub mod pages;
pub mod routes;
pub mod views;
pub mod xlsx;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Int2, Int4, Nullable, Numeric, Text, Timestamptz};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Actor};
use crate::domain::measures::{Figures, Project};
use crate::domain::money::{fixed2, format_baht, json as dj, RawAmount};
use crate::domain::{FiscalMonth, FiscalYear};
use crate::error::{AppError, FieldError};
use crate::schema::{month_lock_events, month_locks, report_lines, report_revisions, reports};

/// Longest narrative accepted, in characters.
pub const NARRATIVE_MAX: usize = 5000;

#[derive(QueryableByName, Debug, Clone, Serialize)]
pub struct ProjectContext {
    #[diesel(sql_type = Int4)]
    #[serde(skip)]
    pub id: i32,
    #[diesel(sql_type = Text)]
    pub project_code: String,
    #[diesel(sql_type = Text)]
    pub name_th: String,
    #[diesel(sql_type = Text)]
    pub category: String,
    /// A(m)
    #[diesel(sql_type = Numeric)]
    #[serde(serialize_with = "dj::money")]
    pub allocation: Decimal,
    /// P(m)
    #[diesel(sql_type = Numeric)]
    #[serde(serialize_with = "dj::money")]
    pub planned_to_date: Decimal,
    /// D(m−1): disbursed in months before this one (latest submitted revisions).
    #[diesel(sql_type = Numeric)]
    #[serde(serialize_with = "dj::money")]
    pub disbursed_before: Decimal,
}

#[derive(QueryableByName, Debug, Clone)]
struct Header {
    #[diesel(sql_type = Nullable<BigInt>)]
    report_id: Option<i64>,
    #[diesel(sql_type = Int4)]
    latest_revision: i32,
    #[diesel(sql_type = Bool)]
    locked: bool,
    #[diesel(sql_type = Int2)]
    due_day: i16,
    #[diesel(sql_type = Numeric)]
    warn_lag_pp: Decimal,
    /// Holidays in the weeks after the month, which may move its due date.
    #[diesel(sql_type = diesel::sql_types::Array<Date>)]
    holidays: Vec<chrono::NaiveDate>,
}

crate::text_enum! {
    /// A revision's state (`report_revisions.status`).
    pub enum RevisionStatus { Draft = "draft", Submitted = "submitted" }
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = report_revisions, check_for_backend(diesel::pg::Pg))]
pub struct RevisionRow {
    pub id: i64,
    pub revision: i32,
    pub status: RevisionStatus,
    pub obstacles: String,
    pub limitations: String,
    pub suggestions: String,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub on_time: Option<bool>,
}

/// A revision's lines: project id → (disbursed, committed).
pub type LineFigures = HashMap<i32, (Decimal, Decimal)>;

/// Everything about one bureau's month.
#[derive(Debug, Clone)]
pub struct Context {
    pub fy: FiscalYear,
    pub month: FiscalMonth,
    pub bureau_id: i32,
    pub bureau_code: String,
    pub report_id: Option<i64>,
    pub latest_revision: i32,
    pub locked: bool,
    pub due_at: DateTime<Utc>,
    pub warn_lag_pp: Decimal,
    pub projects: Vec<ProjectContext>,
    /// The latest revision and its lines (project id → disbursed, committed).
    pub latest: Option<(RevisionRow, LineFigures)>,
}

/// Loads the context of `bureau_id`'s report for (fy, month); 404 for a year that
/// does not exist.
pub fn context(
    conn: &mut PgConnection,
    fy: FiscalYear,
    month: FiscalMonth,
    bureau_id: i32,
    bureau_code: &str,
) -> Result<Context, AppError> {
    let header: Option<Header> = diesel::sql_query(
        "SELECT r.id AS report_id, coalesce(r.latest_revision, 0) AS latest_revision,
                EXISTS (SELECT 1 FROM month_locks l WHERE l.fiscal_year = f.id AND l.month = $2) AS locked,
                f.due_day, f.warn_lag_pp,
                ARRAY(SELECT h.day FROM holidays h WHERE h.day BETWEEN $4 AND $4 + 62 ORDER BY h.day) AS holidays
         FROM fiscal_years f
         LEFT JOIN reports r ON r.fiscal_year = f.id AND r.month = $2 AND r.bureau_id = $3
         WHERE f.id = $1",
    )
    .bind::<Int4, _>(fy.be())
    .bind::<Int2, _>(month.number() as i16)
    .bind::<Int4, _>(bureau_id)
    .bind::<Date, _>(fy.month_end(month))
    .get_result(conn)
    .optional()?;
    let header = header.ok_or_else(|| AppError::NotFound(format!("there is no fiscal year {fy}")))?;
    // One pass over each table for the bureau's projects (not a lookup per project).
    let projects: Vec<ProjectContext> = diesel::sql_query(
        "WITH p AS (
             SELECT id, code, name_th, category, allocation FROM projects WHERE fiscal_year = $1 AND bureau_id = $4
         ), adj AS (
             SELECT a.project_id, sum(a.amount) AS total FROM allocation_adjustments a JOIN p ON p.id = a.project_id
             WHERE a.effective_on <= $3 GROUP BY a.project_id
         ), pl AS (
             SELECT m.project_id, sum(m.planned) AS total FROM monthly_plans m JOIN p ON p.id = m.project_id
             WHERE m.month <= $2 GROUP BY m.project_id
         ), d AS (
             SELECT l.project_id, sum(l.disbursed) AS total
             FROM reports r JOIN report_lines l ON l.revision_id = r.submitted_revision_id
             WHERE r.fiscal_year = $1 AND r.bureau_id = $4 AND r.month < $2 GROUP BY l.project_id
         )
         SELECT p.id, p.code AS project_code, p.name_th, p.category,
                p.allocation + coalesce(adj.total, 0) AS allocation,
                coalesce(pl.total, 0) AS planned_to_date, coalesce(d.total, 0) AS disbursed_before
         FROM p LEFT JOIN adj ON adj.project_id = p.id LEFT JOIN pl ON pl.project_id = p.id
         LEFT JOIN d ON d.project_id = p.id ORDER BY p.code",
    )
    .bind::<Int4, _>(fy.be())
    .bind::<Int2, _>(month.number() as i16)
    .bind::<Date, _>(fy.month_end(month))
    .bind::<Int4, _>(bureau_id)
    .load(conn)?;
    let latest = match header.report_id {
        Some(report_id) if header.latest_revision > 0 => {
            let rev: RevisionRow = report_revisions::table
                .filter(report_revisions::report_id.eq(report_id))
                .filter(report_revisions::revision.eq(header.latest_revision))
                .select(RevisionRow::as_select())
                .first(conn)?;
            let lines: Vec<(i32, Decimal, Decimal)> = report_lines::table
                .filter(report_lines::revision_id.eq(rev.id))
                .select((report_lines::project_id, report_lines::disbursed, report_lines::committed))
                .load(conn)?;
            Some((rev, lines.into_iter().map(|(p, d, c)| (p, (d, c))).collect()))
        }
        _ => None,
    };
    Ok(Context {
        fy,
        month,
        bureau_id,
        bureau_code: bureau_code.to_string(),
        report_id: header.report_id,
        latest_revision: header.latest_revision,
        locked: header.locked,
        due_at: fy.due_at(month, header.due_day as u32, &header.holidays).with_timezone(&Utc),
        warn_lag_pp: header.warn_lag_pp,
        projects,
        latest,
    })
}

#[derive(Deserialize, Debug, Clone)]
pub struct LineInput {
    #[serde(default)]
    pub project_code: String,
    pub disbursed: Option<RawAmount>,
    pub committed: Option<RawAmount>,
}

#[derive(Deserialize, Debug, Clone)]
pub struct ReportInput {
    pub status: String,
    #[serde(default)]
    pub lines: Vec<LineInput>,
    #[serde(default)]
    pub obstacles: String,
    #[serde(default)]
    pub limitations: String,
    #[serde(default)]
    pub suggestions: String,
}

/// A report that passed every check, ready to store.
#[derive(Debug, Clone)]
pub struct Checked {
    pub submit: bool,
    /// (project id, disbursed, committed) for every project of the bureau.
    pub lines: Vec<(i32, Decimal, Decimal)>,
    pub obstacles: String,
    pub limitations: String,
    pub suggestions: String,
    pub preview: Preview,
}

impl Checked {
    pub fn status(&self) -> RevisionStatus {
        if self.submit {
            RevisionStatus::Submitted
        } else {
            RevisionStatus::Draft
        }
    }
}

/// What the report would make of the bureau: its figures and measures, and
/// whether the narrative is required.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    #[serde(serialize_with = "dj::money")]
    pub allocation: Decimal,
    #[serde(serialize_with = "dj::money")]
    pub planned: Decimal,
    #[serde(serialize_with = "dj::money")]
    pub disbursed: Decimal,
    #[serde(serialize_with = "dj::money")]
    pub committed: Decimal,
    #[serde(serialize_with = "dj::rate")]
    pub disbursed_committed_rate: Option<Decimal>,
    #[serde(serialize_with = "dj::rate")]
    pub plan_rate: Option<Decimal>,
    #[serde(serialize_with = "dj::rate")]
    pub lag_pp: Option<Decimal>,
    pub narrative_required: bool,
}

fn preview(ctx: &Context, lines: &[(i32, Decimal, Decimal)]) -> Preview {
    let by_id: HashMap<i32, (Decimal, Decimal)> = lines.iter().map(|(p, d, c)| (*p, (*d, *c))).collect();
    let f: Figures = ctx
        .projects
        .iter()
        .map(|p| {
            let (d, c) = by_id.get(&p.id).copied().unwrap_or_default();
            Figures::from(Project {
                allocation: p.allocation,
                allocation_year_end: p.allocation,
                planned: p.planned_to_date,
                planned_year: p.planned_to_date,
                disbursed: p.disbursed_before + d,
                committed: c,
            })
        })
        .sum();
    let m = f.measures();
    Preview {
        allocation: f.allocation,
        planned: f.planned,
        disbursed: f.disbursed,
        committed: f.committed,
        disbursed_committed_rate: m.disbursed_committed_rate,
        plan_rate: m.plan_rate,
        lag_pp: m.lag_pp,
        narrative_required: m.lag_pp.is_some_and(|l| l >= ctx.warn_lag_pp),
    }
}

fn parse_amount(raw: &Option<RawAmount>, field: String, errors: &mut Vec<FieldError>) -> Decimal {
    match raw {
        None => Decimal::ZERO,
        Some(r) => match r.parse() {
            Ok(m) => m.amount(),
            Err(e) => {
                errors.push(FieldError::new(field, e.message_th()));
                Decimal::ZERO
            }
        },
    }
}

/// Applies every rule of DOMAIN.md (and what an officer would expect) to `input`.
/// A draft may be incomplete in its narrative; its figures must still be valid.
pub fn check(ctx: &Context, input: &ReportInput) -> Result<Checked, AppError> {
    let mut errors = Vec::new();
    let submit = match input.status.as_str() {
        "submitted" => true,
        "draft" => false,
        other => {
            errors.push(FieldError::new("status", format!("{other:?} ต้องเป็น draft (ร่าง) หรือ submitted (ส่ง)")));
            false
        }
    };
    let by_code: HashMap<&str, &ProjectContext> = ctx.projects.iter().map(|p| (p.project_code.as_str(), p)).collect();
    let mut seen = HashSet::new();
    let mut given: HashMap<i32, (Decimal, Decimal)> = HashMap::new();
    for (i, line) in input.lines.iter().enumerate() {
        let code = line.project_code.trim();
        let Some(project) = by_code.get(code) else {
            errors.push(FieldError::new(
                format!("lines[{i}].project_code"),
                format!(
                    "ไม่พบโครงการ {code:?} ของ {} ในปีงบประมาณ {} (a project of this bureau and year)",
                    ctx.bureau_code, ctx.fy
                ),
            ));
            continue;
        };
        if !seen.insert(code.to_string()) {
            errors.push(FieldError::new(
                format!("lines[{i}].project_code"),
                format!("โครงการ {code} ซ้ำกันในรายงาน (duplicate line)"),
            ));
            continue;
        }
        let d = parse_amount(&line.disbursed, format!("lines[{i}].disbursed"), &mut errors);
        let c = parse_amount(&line.committed, format!("lines[{i}].committed"), &mut errors);
        let used = project.disbursed_before + d + c;
        if used > project.allocation {
            errors.push(FieldError::new(
                format!("lines[{i}].disbursed"),
                format!(
                    "{code}: เบิกจ่ายสะสม {} + ก่อหนี้ผูกพัน {} = {} เกินงบประมาณ {} (disbursed + committed exceeds the allocation)",
                    format_baht(project.disbursed_before + d),
                    format_baht(c),
                    format_baht(used),
                    format_baht(project.allocation)
                ),
            ));
        }
        given.insert(project.id, (d, c));
    }
    for (field, text) in
        [("obstacles", &input.obstacles), ("limitations", &input.limitations), ("suggestions", &input.suggestions)]
    {
        if text.chars().count() > NARRATIVE_MAX {
            errors.push(FieldError::new(field, format!("ยาวเกิน {NARRATIVE_MAX} ตัวอักษร")));
        }
    }
    let lines: Vec<(i32, Decimal, Decimal)> = ctx
        .projects
        .iter()
        .map(|p| {
            (p.id, given.get(&p.id).map(|x| x.0).unwrap_or_default(), given.get(&p.id).map(|x| x.1).unwrap_or_default())
        })
        .collect();
    let preview = preview(ctx, &lines);
    if submit && preview.narrative_required {
        let lag = preview.lag_pp.map(fixed2).unwrap_or_default();
        for (field, text, name) in
            [("obstacles", &input.obstacles, "ปัญหาอุปสรรค"), ("suggestions", &input.suggestions, "ข้อเสนอแนะ/แนวทางแก้ไข")]
        {
            if text.trim().is_empty() {
                errors.push(FieldError::new(
                    field,
                    format!(
                        "ต้องระบุ{name} เพราะสำนักล่าช้ากว่าแผน {lag} จุด (เกณฑ์เตือน {} จุด) — required when behind plan",
                        fixed2(ctx.warn_lag_pp)
                    ),
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    Ok(Checked {
        submit,
        lines,
        obstacles: input.obstacles.trim().to_string(),
        limitations: input.limitations.trim().to_string(),
        suggestions: input.suggestions.trim().to_string(),
        preview,
    })
}

/// The ETag of a report at `revision`.
pub fn etag(revision: i32) -> String {
    format!("\"r{revision}\"")
}

/// What an If-Match header asks for (RFC 9110 §13.1.1): `*`, or a list of
/// entity tags of which only strong ones of the form `"rN"` can ever match a
/// report. Anything else — a weak tag, a tag of another form, a value that is
/// not text — matches nothing, and the write is refused with 412.
pub fn if_match<'a>(mut headers: impl Iterator<Item = &'a actix_web::http::header::HeaderValue>) -> Option<IfMatch> {
    // Several If-Match lines are one list (RFC 9110 §5.3).
    let first = headers.next()?;
    let mut lines = vec![first];
    lines.extend(headers);
    let Ok(texts) = lines.iter().map(|h| h.to_str()).collect::<Result<Vec<&str>, _>>() else {
        return Some(IfMatch::Revisions(Vec::new()));
    };
    let h = texts.join(",");
    if h.trim() == "*" {
        return Some(IfMatch::Any);
    }
    let revisions = h
        .split(',')
        .map(str::trim)
        .filter_map(|tag| tag.strip_prefix("\"r")?.strip_suffix('"')?.parse::<i32>().ok())
        .collect();
    Some(IfMatch::Revisions(revisions))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    Any,
    /// The revisions named by strong tags; empty when none could match.
    Revisions(Vec<i32>),
}

impl IfMatch {
    pub fn revision(n: i32) -> IfMatch {
        IfMatch::Revisions(vec![n])
    }

    fn matches(&self, latest: i32) -> bool {
        match self {
            IfMatch::Any => true,
            IfMatch::Revisions(r) => r.contains(&latest),
        }
    }
}

/// The outcome of a save.
#[derive(Debug, Clone)]
pub struct Saved {
    pub revision: i32,
    pub submitted_at: Option<DateTime<Utc>>,
    pub on_time: Option<bool>,
    /// The context as it stands after the save (without reading it again).
    pub context: Context,
}

/// Stores `checked` as the next revision of the report, in the caller's
/// transaction: refuses a locked month (409) and a stale ETag (412).
pub fn save(
    conn: &mut PgConnection,
    ctx: &Context,
    checked: &Checked,
    expected: Option<IfMatch>,
    now: DateTime<Utc>,
    actor: Actor<'_>,
) -> Result<Saved, AppError> {
    // Serialise writers of this report: create the header if needed, then lock it.
    diesel::insert_into(reports::table)
        .values((
            reports::bureau_id.eq(ctx.bureau_id),
            reports::fiscal_year.eq(ctx.fy.be()),
            reports::month.eq(ctx.month.number() as i16),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    let (report_id, latest): (i64, i32) = reports::table
        .filter(reports::bureau_id.eq(ctx.bureau_id))
        .filter(reports::fiscal_year.eq(ctx.fy.be()))
        .filter(reports::month.eq(ctx.month.number() as i16))
        .select((reports::id, reports::latest_revision))
        .for_update()
        .first(conn)?;
    let locked: bool = diesel::select(diesel::dsl::exists(
        month_locks::table
            .filter(month_locks::fiscal_year.eq(ctx.fy.be()))
            .filter(month_locks::month.eq(ctx.month.number() as i16)),
    ))
    .get_result(conn)?;
    if locked {
        return Err(AppError::Conflict(format!(
            "เดือน {} ของปีงบประมาณ {} ถูกปิดแล้ว แก้ไขไม่ได้ (the month is locked; ask the Policy and Strategy Bureau to reopen it)",
            ctx.month, ctx.fy
        )));
    }
    match &expected {
        Some(m) if !m.matches(latest) => {
            return Err(AppError::PreconditionFailed(format!(
                "รายงานถูกแก้ไขไปแล้ว ฉบับปัจจุบันคือ {} แต่คุณส่ง If-Match ของฉบับอื่น: โหลดใหม่แล้วบันทึกอีกครั้ง \
                 (stale revision: the current ETag is {})",
                latest,
                etag(latest)
            )))
        }
        None if latest > 0 => {
            return Err(AppError::PreconditionRequired(format!(
                "send If-Match: {} (the ETag you read) so that no one else's revision is overwritten",
                etag(latest)
            )))
        }
        _ => {}
    }
    let revision = latest + 1;
    let submitted_at = checked.submit.then_some(now);
    let on_time = checked.submit.then(|| now <= ctx.due_at);
    let revision_id: i64 = diesel::insert_into(report_revisions::table)
        .values((
            report_revisions::report_id.eq(report_id),
            report_revisions::bureau_id.eq(ctx.bureau_id),
            report_revisions::fiscal_year.eq(ctx.fy.be()),
            report_revisions::revision.eq(revision),
            report_revisions::status.eq(checked.status()),
            report_revisions::obstacles.eq(&checked.obstacles),
            report_revisions::limitations.eq(&checked.limitations),
            report_revisions::suggestions.eq(&checked.suggestions),
            report_revisions::created_by.eq(actor.user_id),
            report_revisions::created_at.eq(now),
            report_revisions::submitted_at.eq(submitted_at),
            report_revisions::on_time.eq(on_time),
        ))
        .returning(report_revisions::id)
        .get_result(conn)?;
    let rows: Vec<_> = checked
        .lines
        .iter()
        .map(|(project, d, c)| {
            (
                report_lines::revision_id.eq(revision_id),
                report_lines::project_id.eq(*project),
                report_lines::bureau_id.eq(ctx.bureau_id),
                report_lines::fiscal_year.eq(ctx.fy.be()),
                report_lines::disbursed.eq(*d),
                report_lines::committed.eq(*c),
            )
        })
        .collect();
    for chunk in rows.chunks(5000) {
        diesel::insert_into(report_lines::table).values(chunk).execute(conn)?;
    }
    if checked.submit {
        diesel::update(reports::table.find(report_id))
            .set((
                reports::latest_revision.eq(revision),
                reports::updated_at.eq(now),
                reports::submitted_revision_id.eq(revision_id),
            ))
            .execute(conn)?;
    } else {
        diesel::update(reports::table.find(report_id))
            .set((reports::latest_revision.eq(revision), reports::updated_at.eq(now)))
            .execute(conn)?;
    }
    let codes: HashMap<i32, &str> = ctx.projects.iter().map(|p| (p.id, p.project_code.as_str())).collect();
    audit::record(
        conn,
        audit::Entry {
            user_id: actor.user_id,
            request_id: actor.request_id,
            action: if checked.submit { "submit" } else { "save_draft" },
            entity: "report",
            entity_id: format!("{}/{}/{}", ctx.fy, ctx.month, ctx.bureau_code),
            before: (latest > 0).then(|| json!({"revision": latest})),
            after: Some(json!({
                "revision": revision,
                "status": if checked.submit { "submitted" } else { "draft" },
                "on_time": on_time,
                "lines": checked.lines.iter().map(|(p, d, c)| json!({"project": codes.get(p), "disbursed": d, "committed": c})).collect::<Vec<_>>(),
                "obstacles": checked.obstacles, "limitations": checked.limitations, "suggestions": checked.suggestions,
            })),
        },
    )?;
    let mut after = ctx.clone();
    after.report_id = Some(report_id);
    after.latest_revision = revision;
    after.latest = Some((
        RevisionRow {
            id: revision_id,
            revision,
            status: checked.status(),
            obstacles: checked.obstacles.clone(),
            limitations: checked.limitations.clone(),
            suggestions: checked.suggestions.clone(),
            created_at: now,
            submitted_at,
            on_time,
        },
        checked.lines.iter().map(|(p, d, c)| (*p, (*d, *c))).collect(),
    ));
    Ok(Saved { revision, submitted_at, on_time, context: after })
}

#[derive(QueryableByName, Debug, Serialize)]
pub struct RevisionSummary {
    #[diesel(sql_type = Int4)]
    pub revision: i32,
    #[diesel(sql_type = Text)]
    pub status: RevisionStatus,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub submitted_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Bool>)]
    pub on_time: Option<bool>,
    #[diesel(sql_type = Nullable<Text>)]
    pub created_by: Option<String>,
    #[diesel(sql_type = Numeric)]
    #[serde(serialize_with = "dj::money")]
    pub disbursed: Decimal,
    #[diesel(sql_type = Numeric)]
    #[serde(serialize_with = "dj::money")]
    pub committed: Decimal,
}

/// Every revision of a report, newest first, with its totals (from the rollups).
pub fn revisions(conn: &mut PgConnection, report_id: i64) -> QueryResult<Vec<RevisionSummary>> {
    diesel::sql_query(
        "SELECT v.revision, v.status, v.created_at, v.submitted_at, v.on_time, u.username AS created_by,
                coalesce(sum(t.disbursed), 0) AS disbursed, coalesce(sum(t.committed), 0) AS committed
         FROM report_revisions v LEFT JOIN users u ON u.id = v.created_by
         LEFT JOIN revision_rollups t ON t.revision_id = v.id
         WHERE v.report_id = $1 GROUP BY v.id, u.username ORDER BY v.revision DESC",
    )
    .bind::<BigInt, _>(report_id)
    .load(conn)
}

/// Locks a month (no more report writes) or reopens it with a reason.
pub fn set_lock(
    conn: &mut PgConnection,
    fy: FiscalYear,
    month: FiscalMonth,
    lock: bool,
    reason: &str,
    actor: Actor<'_>,
) -> Result<(), AppError> {
    if !lock && reason.trim().is_empty() {
        return Err(AppError::validation(vec![FieldError::new(
            "reason",
            "ต้องระบุเหตุผลในการเปิดเดือนที่ปิดแล้ว (a reason is required)",
        )]));
    }
    if reason.chars().count() > 2000 {
        return Err(AppError::validation(vec![FieldError::new("reason", "ยาวเกิน 2000 ตัวอักษร (at most 2000)")]));
    }
    conn.transaction(|conn| {
        crate::plans::year(conn, fy)?;
        let m = month.number() as i16;
        let changed = if lock {
            diesel::insert_into(month_locks::table)
                .values((month_locks::fiscal_year.eq(fy.be()), month_locks::month.eq(m)))
                .on_conflict_do_nothing()
                .execute(conn)?
        } else {
            diesel::delete(
                month_locks::table.filter(month_locks::fiscal_year.eq(fy.be())).filter(month_locks::month.eq(m)),
            )
            .execute(conn)?
        };
        if changed == 0 {
            return Err(AppError::Conflict(format!(
                "month {month} of FY{fy} is already {}",
                if lock { "locked" } else { "open" }
            )));
        }
        diesel::insert_into(month_lock_events::table)
            .values((
                month_lock_events::fiscal_year.eq(fy.be()),
                month_lock_events::month.eq(m),
                month_lock_events::action.eq(if lock { "lock" } else { "reopen" }),
                month_lock_events::reason.eq(reason.trim()),
                month_lock_events::user_id.eq(actor.user_id),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            audit::Entry {
                user_id: actor.user_id,
                request_id: actor.request_id,
                action: if lock { "lock" } else { "reopen" },
                entity: "month",
                entity_id: format!("{fy}/{month}"),
                before: Some(json!({"locked": !lock})),
                after: Some(json!({"locked": lock, "reason": reason.trim()})),
            },
        )?;
        Ok(())
    })
}
