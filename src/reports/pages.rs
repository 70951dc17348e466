//! The bureau's monthly report as a web form, Thai first. A reporter sees its
//! projects with allocation, plan to date and what was disbursed before this month,
//! types this month's figures, previews the rates and lag, saves a draft or
//! submits. On error the page comes back with everything typed, the errors listed
//! at the top (each a link to its field) and each field marked for screen readers.
//! The revision history shows what changed from one revision to the next.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use rust_decimal::Decimal;

use super::routes::{load, locate, submit};
use super::{Context, IfMatch, LineInput, ReportInput};
use crate::auth::{Identity, CSRF_FIELD};
use crate::db;
use crate::domain::fiscal::{bangkok, thai_date, thai_datetime, thai_month_label};
use crate::domain::money::{fixed2, format_baht, RawAmount};
use crate::domain::{Category, Role};
use crate::error::{AppError, FieldError};
use crate::i18n::Lang;
use crate::pages::{escape, layout, layout_in};
use crate::schema::{report_lines, report_revisions, users};
use crate::startup::AppState;

/// What the form holds: typed text, kept as typed.
#[derive(Default, Clone, Debug)]
struct Typed {
    disbursed: HashMap<String, String>,
    committed: HashMap<String, String>,
    obstacles: String,
    limitations: String,
    suggestions: String,
}

impl Typed {
    fn from_context(ctx: &Context) -> Typed {
        let mut t = Typed::default();
        let lines = ctx.latest.as_ref().map(|l| &l.1);
        for p in &ctx.projects {
            let (d, c) = lines.and_then(|l| l.get(&p.id)).copied().unwrap_or_default();
            t.disbursed.insert(p.project_code.clone(), fixed2(d));
            t.committed.insert(p.project_code.clone(), fixed2(c));
        }
        if let Some((r, _)) = &ctx.latest {
            t.obstacles = r.obstacles.clone();
            t.limitations = r.limitations.clone();
            t.suggestions = r.suggestions.clone();
        }
        t
    }

    fn input(&self, ctx: &Context, status: &str) -> ReportInput {
        ReportInput {
            status: status.to_string(),
            lines: ctx
                .projects
                .iter()
                .map(|p| LineInput {
                    project_code: p.project_code.clone(),
                    disbursed: Some(RawAmount(self.disbursed.get(&p.project_code).cloned().unwrap_or_default())),
                    committed: Some(RawAmount(self.committed.get(&p.project_code).cloned().unwrap_or_default())),
                })
                .collect(),
            obstacles: self.obstacles.clone(),
            limitations: self.limitations.clone(),
            suggestions: self.suggestions.clone(),
        }
    }
}

/// Form field id for an API field name: `lines[3].disbursed` → `d_PSB-04`.
fn field_id(ctx: &Context, field: &str) -> String {
    if let Some(rest) = field.strip_prefix("lines[") {
        let (index, part) = rest.split_once("].").unwrap_or((rest, ""));
        if let Some(p) = index.parse::<usize>().ok().and_then(|i| ctx.projects.get(i)) {
            let prefix = if part == "committed" { "c" } else { "d" };
            return format!("{prefix}_{}", p.project_code);
        }
    }
    field.to_string()
}

fn label_of(ctx: &Context, id: &str) -> String {
    match id.split_once('_') {
        Some(("d", code)) => format!("เบิกจ่าย {code}"),
        Some(("c", code)) => format!("ก่อหนี้ผูกพัน {code}"),
        _ => match id {
            "obstacles" => "ปัญหาอุปสรรค".into(),
            "limitations" => "ข้อจำกัด".into(),
            "suggestions" => "ข้อเสนอแนะ/แนวทางแก้ไข".into(),
            "month" => format!("เดือน {}", thai_month_label(ctx.fy, ctx.month)),
            other => other.into(),
        },
    }
}

fn render(
    ctx: &Context,
    who: &Identity,
    typed: &Typed,
    errors: &[FieldError],
    notice: Option<&str>,
    lang: Lang,
) -> String {
    let can_write = who.has(Role::Reporter) && who.bureau_ids.contains(&ctx.bureau_id) && !ctx.locked;
    let by_id: BTreeMap<String, &FieldError> = errors.iter().map(|e| (field_id(ctx, &e.field), e)).collect();
    let preview = super::check(ctx, &typed.input(ctx, "draft")).ok().map(|c| c.preview);
    let mut body = String::new();
    if let Some(n) = notice {
        body.push_str(&format!("<div class=\"notice\" role=\"status\"><p>{}</p></div>", escape(n)));
    }
    if !errors.is_empty() {
        body.push_str(&format!(
            "<div class=\"errors\" role=\"alert\" id=\"errors\"><p>{}</p><ul>",
            lang.t("errors.title")
        ));
        for (id, e) in &by_id {
            body.push_str(&format!(
                "<li><a href=\"#{}\">{}</a>: {}</li>",
                escape(id),
                escape(&label_of(ctx, id)),
                escape(&e.message)
            ));
        }
        body.push_str("</ul></div>");
    }
    let state = match &ctx.latest {
        None => lang.t("status.not_started").to_string(),
        Some((r, _)) if r.status == "submitted" => format!(
            "{} {}",
            lang.t("status.submitted")
                .replace("{n}", &r.revision.to_string())
                .replace("{at}", &r.submitted_at.map(thai_datetime).unwrap_or_default()),
            lang.t(if r.on_time == Some(true) { "on_time" } else { "late" })
        ),
        Some((r, _)) => lang.t("status.draft").replace("{n}", &r.revision.to_string()),
    };
    let q = if lang == Lang::En { "?lang=en" } else { "" };
    let switch = if lang == Lang::En { "" } else { "?lang=en" };
    body.push_str(&format!(
        "<p>{}: <strong>{}</strong> · {}{} · <a href=\"/reports/{}/{}/{}/revisions{q}\">{}</a> · \
         <a href=\"/api/v1/reports/{}/{}/{}/template.xlsx\">{}</a> · <a href=\"/reports/{}/{}/{}{switch}\" lang=\"{}\">{}</a></p>",
        lang.t("status"),
        escape(&state),
        lang.t("due").replace("{date}", &thai_date(ctx.due_at.with_timezone(&bangkok()).date_naive())),
        if ctx.locked { format!(" · <strong>{}</strong>", lang.t("locked")) } else { String::new() },
        ctx.fy,
        ctx.month,
        escape(&ctx.bureau_code),
        lang.t("history"),
        ctx.fy,
        ctx.month,
        escape(&ctx.bureau_code),
        lang.t("excel"),
        ctx.fy,
        ctx.month,
        escape(&ctx.bureau_code),
        if lang == Lang::En { "th" } else { "en" },
        lang.t("switch"),
    ));
    if let Some(p) = &preview {
        let rate = |r: Option<Decimal>| r.map(fixed2).unwrap_or_else(|| "-".into());
        body.push_str(&format!(
            "<section aria-labelledby=\"preview-h\"><h2 id=\"preview-h\">{}</h2><dl class=\"figures\">\
             <div><dt>{}</dt><dd>{}</dd></div><div><dt>{}</dt><dd>{}</dd></div>\
             <div><dt>{}</dt><dd>{}</dd></div><div><dt>{}</dt><dd>{}</dd></div></dl>{}</section>",
            lang.t("preview.title"),
            lang.t("preview.plan_rate"),
            rate(p.plan_rate),
            lang.t("preview.used_rate"),
            rate(p.disbursed_committed_rate),
            lang.t("preview.lag"),
            rate(p.lag_pp),
            lang.t("preview.warn"),
            fixed2(ctx.warn_lag_pp),
            if p.narrative_required {
                format!("<p class=\"warning\">{}</p>", lang.t("preview.narrative_required"))
            } else {
                String::new()
            }
        ));
    }
    let disabled = if can_write { "" } else { " disabled" };
    body.push_str(&format!(
        "<form method=\"post\" action=\"/reports/{}/{}/{}\"><input type=\"hidden\" name=\"{CSRF_FIELD}\" value=\"{}\">\
         <input type=\"hidden\" name=\"revision\" value=\"{}\"><input type=\"hidden\" name=\"lang\" value=\"{}\">\
         <table><caption>{}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        ctx.fy,
        ctx.month,
        escape(&ctx.bureau_code),
        escape(who.csrf.as_deref().unwrap_or("")),
        ctx.latest_revision,
        lang.code(),
        lang.t("table.caption"),
        lang.t("col.project"),
        lang.t("col.category"),
        lang.t("col.allocation"),
        lang.t("col.planned"),
        lang.t("col.before"),
        lang.t("col.disbursed"),
        lang.t("col.committed"),
    ));
    let cell = |id: String, value: &str, label: String| {
        let (invalid, described, message) = match by_id.get(&id) {
            Some(e) => (
                " aria-invalid=\"true\"",
                format!(" aria-describedby=\"{id}-error\""),
                format!("<span class=\"field-error\" id=\"{id}-error\">{}</span>", escape(&e.message)),
            ),
            None => ("", String::new(), String::new()),
        };
        format!(
            "<td><input id=\"{id}\" name=\"{id}\" value=\"{}\" inputmode=\"decimal\" aria-label=\"{}\"{invalid}{described}{disabled}>{message}</td>",
            escape(value),
            escape(&label)
        )
    };
    for p in &ctx.projects {
        let cat = p
            .category
            .parse::<Category>()
            .map(|c| if lang == Lang::En { c.as_str() } else { c.name_th() })
            .unwrap_or("");
        body.push_str(&format!(
            "<tr><th scope=\"row\">{} {}</th><td>{cat}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>{}{}</tr>",
            escape(&p.project_code),
            escape(&p.name_th),
            format_baht(p.allocation),
            format_baht(p.planned_to_date),
            format_baht(p.disbursed_before),
            cell(format!("d_{}", p.project_code), typed.disbursed.get(&p.project_code).map(String::as_str).unwrap_or(""), format!("{} {}", lang.t("col.disbursed"), p.project_code)),
            cell(format!("c_{}", p.project_code), typed.committed.get(&p.project_code).map(String::as_str).unwrap_or(""), format!("{} {}", lang.t("col.committed"), p.project_code)),
        ));
    }
    body.push_str("</tbody></table>");
    let required = preview.as_ref().is_some_and(|p| p.narrative_required);
    for (name, value, must) in [
        ("obstacles", &typed.obstacles, required),
        ("limitations", &typed.limitations, false),
        ("suggestions", &typed.suggestions, required),
    ] {
        let label = lang.t(name);
        let (invalid, described, message) = match by_id.get(name) {
            Some(e) => (
                " aria-invalid=\"true\"",
                format!(" aria-describedby=\"{name}-error\""),
                format!("<span class=\"field-error\" id=\"{name}-error\">{}</span>", escape(&e.message)),
            ),
            None => ("", String::new(), String::new()),
        };
        body.push_str(&format!(
            "<p class=\"narrative\"><label for=\"{name}\">{label}{}</label><textarea id=\"{name}\" name=\"{name}\" rows=\"3\"{}{invalid}{described}{disabled}>{}</textarea>{message}</p>",
            if must { format!(" <strong>{}</strong>", lang.t("required_to_submit")) } else { String::new() },
            if must { " aria-required=\"true\"" } else { "" },
            escape(value)
        ));
    }
    if can_write {
        body.push_str(&format!(
            "<p class=\"actions\"><button type=\"submit\" name=\"action\" value=\"preview\" class=\"secondary\">{}</button> \
             <button type=\"submit\" name=\"action\" value=\"draft\" class=\"secondary\">{}</button> \
             <button type=\"submit\" name=\"action\" value=\"submit\">{}</button></p>",
            lang.t("action.preview"),
            lang.t("action.draft"),
            lang.t("action.submit")
        ));
    }
    body.push_str("</form>");
    if can_write {
        body.push_str(&format!(
            "<section aria-labelledby=\"import-h\"><h2 id=\"import-h\">{}</h2>\
             <form method=\"post\" action=\"/reports/{}/{}/{}/import\" enctype=\"multipart/form-data\" class=\"stacked\">\
             <input type=\"hidden\" name=\"{CSRF_FIELD}\" value=\"{}\">\
             <p><label for=\"file\">{}</label>\
             <input id=\"file\" name=\"file\" type=\"file\" accept=\".xlsx\" required></p>\
             <p><button type=\"submit\">{}</button></p></form></section>",
            lang.t("import.title"),
            ctx.fy,
            ctx.month,
            escape(&ctx.bureau_code),
            escape(who.csrf.as_deref().unwrap_or("")),
            lang.t("import.label"),
            lang.t("import.button")
        ));
    }
    let title = format!("{} {} · {}", lang.t("report.title"), thai_month_label(ctx.fy, ctx.month), ctx.bureau_code);
    layout_in(lang, &title, Some(who), &body)
}

fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status).content_type("text/html; charset=utf-8").body(body)
}

pub async fn page(
    state: web::Data<AppState>,
    who: Identity,
    path: web::Path<(String, String, String)>,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let ctx = load(&state, &who, path.into_inner()).await?;
    let lang = Lang::from_query(q.get("lang").map(String::as_str));
    let notice = match q.get("done").map(String::as_str) {
        Some("draft") => Some(lang.t("done.draft")),
        Some("submitted") => Some(lang.t("done.submitted")),
        _ => None,
    };
    Ok(html(StatusCode::OK, render(&ctx, &who, &Typed::from_context(&ctx), &[], notice, lang)))
}

pub async fn post(
    state: web::Data<AppState>,
    who: Identity,
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (year, month, code) = path.into_inner();
    let form = form.into_inner();
    let ctx = load(&state, &who, (year.clone(), month.clone(), code.clone())).await?;
    let mut typed = Typed {
        obstacles: form.get("obstacles").cloned().unwrap_or_default(),
        limitations: form.get("limitations").cloned().unwrap_or_default(),
        suggestions: form.get("suggestions").cloned().unwrap_or_default(),
        ..Typed::default()
    };
    for p in &ctx.projects {
        typed
            .disbursed
            .insert(p.project_code.clone(), form.get(&format!("d_{}", p.project_code)).cloned().unwrap_or_default());
        typed
            .committed
            .insert(p.project_code.clone(), form.get(&format!("c_{}", p.project_code)).cloned().unwrap_or_default());
    }
    let action = form.get("action").map(String::as_str).unwrap_or("draft");
    let lang = Lang::from_query(form.get("lang").map(String::as_str));
    if action == "preview" {
        let errors = match super::check(&ctx, &typed.input(&ctx, "draft")) {
            Err(AppError::Validation { details, .. }) => details,
            _ => Vec::new(),
        };
        return Ok(html(
            if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY },
            render(&ctx, &who, &typed, &errors, None, lang),
        ));
    }
    let status = if action == "submit" { "submitted" } else { "draft" };
    let expected = form.get("revision").and_then(|r| r.parse::<i32>().ok()).map(IfMatch::revision);
    let input = typed.input(&ctx, status);
    match submit(&state, &who, &req, (year.clone(), month.clone(), code.clone()), input, &[], expected).await {
        Ok(_) => {
            crate::alerts::AfterWrites::request(&state);
            Ok(HttpResponse::SeeOther()
                .insert_header((
                    "Location",
                    format!(
                        "/reports/{year}/{month}/{code}?done={status}{}",
                        if lang == Lang::En { "&lang=en" } else { "" }
                    ),
                ))
                .finish())
        }
        Err(AppError::Validation { details, .. }) => {
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, render(&ctx, &who, &typed, &details, None, lang)))
        }
        Err(e @ (AppError::PreconditionFailed(_) | AppError::Conflict(_))) => {
            let message = e.to_string();
            let field = FieldError::new("report", message);
            Ok(html(e.status_code_for_page(), render(&ctx, &who, &typed, &[field], None, lang)))
        }
        Err(e) => Err(e),
    }
}

/// Revision history: every revision, newest first, with what changed from the one
/// before (lines and narrative).
pub async fn history(
    state: web::Data<AppState>,
    who: Identity,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, AppError> {
    let (year, month, code) = path.into_inner();
    let today = state.today();
    let who2 = who.clone();
    type Rev = (i64, i32, String, String, String, String, chrono::DateTime<chrono::Utc>, Option<bool>, Option<String>);
    let (ctx, revs, lines) = db::blocking(&state.pool, move |conn| {
        let (fy, m, b) = locate(conn, &who2, &year, &month, &code, today)?;
        let ctx = super::context(conn, fy, m, b.id, &b.code)?;
        let Some(report_id) = ctx.report_id else { return Ok((ctx, Vec::new(), Vec::new())) };
        let revs: Vec<Rev> = report_revisions::table
            .left_join(users::table)
            .filter(report_revisions::report_id.eq(report_id))
            .order(report_revisions::revision.asc())
            .select((
                report_revisions::id,
                report_revisions::revision,
                report_revisions::status,
                report_revisions::obstacles,
                report_revisions::limitations,
                report_revisions::suggestions,
                report_revisions::created_at,
                report_revisions::on_time,
                users::username.nullable(),
            ))
            .load(conn)?;
        let ids: Vec<i64> = revs.iter().map(|r| r.0).collect();
        let lines: Vec<(i64, i32, Decimal, Decimal)> = report_lines::table
            .filter(report_lines::revision_id.eq_any(&ids))
            .select((
                report_lines::revision_id,
                report_lines::project_id,
                report_lines::disbursed,
                report_lines::committed,
            ))
            .load(conn)?;
        Ok((ctx, revs, lines))
    })
    .await?;
    let code_of: HashMap<i32, &str> = ctx.projects.iter().map(|p| (p.id, p.project_code.as_str())).collect();
    let mut by_rev: HashMap<i64, BTreeMap<String, (Decimal, Decimal)>> = HashMap::new();
    for (rev, project, d, c) in lines {
        by_rev.entry(rev).or_default().insert(code_of.get(&project).copied().unwrap_or("?").to_string(), (d, c));
    }
    let empty = BTreeMap::new();
    let mut items = Vec::new();
    for (i, r) in revs.iter().enumerate() {
        let now = by_rev.get(&r.0).unwrap_or(&empty);
        let before = if i == 0 { None } else { Some(by_rev.get(&revs[i - 1].0).unwrap_or(&empty)) };
        let mut changes = Vec::new();
        for (code, (d, c)) in now {
            let (od, oc) = before.and_then(|b| b.get(code)).copied().unwrap_or_default();
            if before.is_none() || od != *d || oc != *c {
                if before.is_some() && od != *d {
                    changes.push(format!("{code} เบิกจ่าย {} → {}", format_baht(od), format_baht(*d)));
                }
                if before.is_some() && oc != *c {
                    changes.push(format!("{code} ก่อหนี้ผูกพัน {} → {}", format_baht(oc), format_baht(*c)));
                }
            }
        }
        if let Some(p) = (i > 0).then(|| &revs[i - 1]) {
            for (name, old, new) in [("ปัญหาอุปสรรค", &p.3, &r.3), ("ข้อจำกัด", &p.4, &r.4), ("ข้อเสนอแนะ", &p.5, &r.5)]
            {
                if old != new {
                    changes.push(format!("แก้ไข{name}"));
                }
            }
        }
        let total: Decimal = now.values().map(|(d, _)| *d).sum();
        let what = if i == 0 {
            "ฉบับแรก".to_string()
        } else if changes.is_empty() {
            "ไม่มีการเปลี่ยนตัวเลขหรือคำอธิบาย".into()
        } else {
            changes.join("; ")
        };
        items.push(format!(
            "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            r.1,
            if r.2 == "submitted" {
                if r.7 == Some(true) {
                    "ส่งแล้ว (ทันกำหนด)"
                } else {
                    "ส่งแล้ว (เกินกำหนด)"
                }
            } else {
                "ร่าง"
            },
            escape(&thai_datetime(r.6)),
            escape(r.8.as_deref().unwrap_or("-")),
            format_baht(total),
            escape(&what)
        ));
    }
    items.reverse();
    let body = format!(
        "<p><a href=\"/reports/{}/{}/{}\">กลับไปที่รายงาน</a></p><table><caption>ประวัติการแก้ไข (ล่าสุดก่อน)</caption><thead><tr>\
         <th scope=\"col\">ฉบับที่</th><th scope=\"col\">สถานะ</th><th scope=\"col\">เวลา</th><th scope=\"col\">ผู้บันทึก</th>\
         <th scope=\"col\">เบิกจ่ายเดือนนี้รวม (บาท)</th><th scope=\"col\">สิ่งที่เปลี่ยน</th></tr></thead><tbody>{}</tbody></table>",
        ctx.fy,
        ctx.month,
        escape(&ctx.bureau_code),
        if items.is_empty() { "<tr><td colspan=\"6\">ยังไม่มีการบันทึก</td></tr>".to_string() } else { items.join("") }
    );
    let title = format!("ประวัติรายงาน {} · {}", thai_month_label(ctx.fy, ctx.month), ctx.bureau_code);
    Ok(html(StatusCode::OK, layout(&title, Some(&who), &body)))
}

/// The page's Excel upload: saved as a draft, or the page again with the file's
/// errors by row and column.
pub async fn import(
    state: web::Data<AppState>,
    who: Identity,
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let (year, month, code) = path.into_inner();
    let outcome = super::routes::import_file(
        &state,
        &who,
        &req,
        (year.clone(), month.clone(), code.clone()),
        Some("draft"),
        payload,
    )
    .await;
    match outcome {
        Ok(_) => Ok(HttpResponse::SeeOther()
            .insert_header(("Location", format!("/reports/{year}/{month}/{code}?done=draft")))
            .finish()),
        Err(e @ (AppError::Validation { .. } | AppError::PreconditionFailed(_) | AppError::Conflict(_))) => {
            let status = e.status_code_for_page();
            let details = match e {
                AppError::Validation { details, .. } => details,
                other => vec![FieldError::new("report", other.to_string())],
            };
            let ctx = load(&state, &who, (year, month, code)).await?;
            Ok(html(status, render(&ctx, &who, &Typed::from_context(&ctx), &details, None, Lang::Th)))
        }
        Err(e) => Err(e),
    }
}
