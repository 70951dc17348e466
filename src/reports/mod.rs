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
pub mod queries;
pub mod routes;
pub mod views;
pub mod xlsx;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Actor};
use crate::domain::measures::{Figures, Project};
use crate::domain::money::{fixed2, format_baht, json as dj, RawAmount};
use crate::domain::{FiscalMonth, FiscalYear};
use crate::error::{AppError, FieldError};
pub use queries::{
    context, revisions, Context, LineFigures, ProjectContext, RevisionRow, RevisionStatus, RevisionSummary,
};

use crate::schema::{month_lock_events, month_locks, report_lines, report_revisions, reports};

/// Longest narrative accepted, in characters.
pub const NARRATIVE_MAX: usize = 5000;

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
