//! The report pages' markup: the monthly form (projects with allocation, plan to
//! date and what was disbursed before, this month's figures, the preview of rates
//! and lag, the narrative, the actions and the Excel import) and the revision
//! history. What a person reads comes from the catalogue.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;

use super::{Context, LineInput, Preview, ReportInput, RevisionStatus};
use crate::auth::{Identity, CSRF_FIELD};
use crate::domain::fiscal::{bangkok, thai_date, thai_datetime};
use crate::domain::money::{fixed2, RawAmount};
use crate::domain::{Category, Role};
use crate::error::FieldError;
use crate::i18n::Lang;
use crate::plans::views::category_name;
use crate::views::{self, baht, html, post_form, table, Cell, Markup, Problem, Table};

/// What the form holds: typed text, kept as typed.
#[derive(Default, Clone, Debug)]
pub struct Typed {
    pub disbursed: HashMap<String, String>,
    pub committed: HashMap<String, String>,
    pub obstacles: String,
    pub limitations: String,
    pub suggestions: String,
}

impl Typed {
    /// The latest revision's figures, or zeros.
    pub fn from_context(ctx: &Context) -> Typed {
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

    /// What a posted form holds.
    pub fn from_form(ctx: &Context, form: &HashMap<String, String>) -> Typed {
        let text = |k: &str| form.get(k).cloned().unwrap_or_default();
        let mut t = Typed {
            obstacles: text("obstacles"),
            limitations: text("limitations"),
            suggestions: text("suggestions"),
            ..Typed::default()
        };
        for p in &ctx.projects {
            t.disbursed.insert(p.project_code.clone(), text(&format!("d_{}", p.project_code)));
            t.committed.insert(p.project_code.clone(), text(&format!("c_{}", p.project_code)));
        }
        t
    }

    pub fn input(&self, ctx: &Context, status: &str) -> ReportInput {
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

/// The form's input id for an API field name: `lines[3].disbursed` → `d_PSB-04`.
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

/// How the error list names an input.
fn label_of(lang: Lang, ctx: &Context, id: &str) -> String {
    match id.split_once('_') {
        Some(("d", code)) => lang.f("report.label.disbursed", &[("code", &code)]),
        Some(("c", code)) => lang.f("report.label.committed", &[("code", &code)]),
        _ => match id {
            "obstacles" => lang.t("report.obstacles").to_string(),
            "limitations" => lang.t("report.limitations").to_string(),
            "suggestions" => lang.t("report.suggestions").to_string(),
            "month" => lang.f("report.label.month", &[("month", &lang.month(ctx.fy, ctx.month))]),
            other => other.to_string(),
        },
    }
}

/// Where the report's pages are, with the language carried.
pub fn report_href(ctx: &Context, suffix: &str, lang: Lang) -> String {
    format!("/reports/{}/{}/{}{suffix}{}", ctx.fy, ctx.month, ctx.bureau_code, lang.query(true))
}

pub fn title(lang: Lang, ctx: &Context) -> String {
    lang.f("report.title", &[("month", &lang.month(ctx.fy, ctx.month)), ("bureau", &ctx.bureau_code)])
}

/// The state line: submitted or draft or not started; due date; lock; links.
fn state_line(lang: Lang, ctx: &Context) -> Markup {
    let state = match &ctx.latest {
        None => lang.t("report.status.not_started").to_string(),
        Some((r, _)) if r.status == RevisionStatus::Submitted => format!(
            "{} {}",
            lang.f(
                "report.status.submitted",
                &[("n", &r.revision), ("at", &r.submitted_at.map(thai_datetime).unwrap_or_default())]
            ),
            lang.t(if r.on_time == Some(true) { "report.on_time" } else { "report.late" })
        ),
        Some((r, _)) => lang.f("report.status.draft", &[("n", &r.revision)]),
    };
    let due = thai_date(ctx.due_at.with_timezone(&bangkok()).date_naive());
    html! {
        p {
            (lang.t("report.status")) ": " strong { (state) } " · " (lang.f("report.due", &[("date", &due)]))
            @if ctx.locked { " · " strong { (lang.t("report.locked")) } }
            " · " a href=(report_href(ctx, "/revisions", lang)) { (lang.t("report.history")) }
            " · " a href={ "/api/v1/reports/" (ctx.fy) "/" (ctx.month) "/" (ctx.bureau_code) "/template.xlsx" } { (lang.t("report.excel")) }
        }
    }
}

fn preview_section(lang: Lang, ctx: &Context, p: &Preview) -> Markup {
    let rate = |r: Option<Decimal>| r.map(fixed2).unwrap_or_else(|| "-".into());
    html! {
        section aria-labelledby="preview-h" {
            h2 id="preview-h" { (lang.t("report.preview.title")) }
            dl.figures {
                div { dt { (lang.t("report.preview.plan_rate")) } dd { (rate(p.plan_rate)) } }
                div { dt { (lang.t("report.preview.used_rate")) } dd { (rate(p.disbursed_committed_rate)) } }
                div { dt { (lang.t("report.preview.lag")) } dd { (rate(p.lag_pp)) } }
                div { dt { (lang.t("report.preview.warn")) } dd { (fixed2(ctx.warn_lag_pp)) } }
            }
            @if p.narrative_required { p.warning { (lang.t("report.preview.narrative_required")) } }
        }
    }
}

/// A figure's input cell, with its error.
fn amount_input(id: String, value: &str, label: String, error: Option<&&FieldError>, disabled: bool) -> Markup {
    let error_id = format!("{id}-error");
    html! {
        input id=(id) name=(id) value=(value) inputmode="decimal" aria-label=(label)
            aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| error_id.as_str())] disabled[disabled];
        @if let Some(e) = error { span.field-error id=(error_id) { (e.message) } }
    }
}

fn lines_table(
    lang: Lang,
    ctx: &Context,
    typed: &Typed,
    by_id: &BTreeMap<String, &FieldError>,
    disabled: bool,
) -> Markup {
    let rows = ctx
        .projects
        .iter()
        .map(|p| {
            let code = &p.project_code;
            let input = |prefix: &str, values: &HashMap<String, String>, key: &str| {
                let id = format!("{prefix}_{code}");
                let error = by_id.get(&id);
                let value = values.get(code).map(String::as_str).unwrap_or("");
                Cell::Markup(amount_input(id, value, format!("{} {code}", lang.t(key)), error, disabled))
            };
            vec![
                Cell::text(format!("{code} {}", p.name_th)),
                Cell::text(p.category.parse::<Category>().map(|c| category_name(lang, c)).unwrap_or("")),
                Cell::num(baht(p.allocation)),
                Cell::num(baht(p.planned_to_date)),
                Cell::num(baht(p.disbursed_before)),
                input("d", &typed.disbursed, "report.col.disbursed"),
                input("c", &typed.committed, "report.col.committed"),
            ]
        })
        .collect();
    let headings = [
        "report.col.project",
        "report.col.category",
        "report.col.allocation",
        "report.col.planned",
        "report.col.before",
        "report.col.disbursed",
        "report.col.committed",
    ];
    table(&Table {
        caption: lang.t("report.table_caption"),
        headings: headings.iter().map(|k| lang.t(k).to_string()).collect(),
        rows,
    })
}

fn narrative(
    lang: Lang,
    typed: &Typed,
    by_id: &BTreeMap<String, &FieldError>,
    required: bool,
    disabled: bool,
) -> Markup {
    html! {
        @for (name, key, value, must) in [
            ("obstacles", "report.obstacles", &typed.obstacles, required),
            ("limitations", "report.limitations", &typed.limitations, false),
            ("suggestions", "report.suggestions", &typed.suggestions, required),
        ] {
            @let error = by_id.get(name);
            @let error_id = format!("{name}-error");
            p.narrative {
                label for=(name) {
                    (lang.t(key))
                    @if must { " " strong { (lang.t("report.required_to_submit")) } }
                }
                textarea id=(name) name=(name) rows="3" aria-required=[must.then_some("true")]
                    aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| error_id.as_str())]
                    disabled[disabled] { (value) }
                @if let Some(e) = error { span.field-error id=(error_id) { (e.message) } }
            }
        }
    }
}

/// The whole form page's body.
pub fn report_page(
    lang: Lang,
    ctx: &Context,
    who: &Identity,
    typed: &Typed,
    errors: &[FieldError],
    notice: Option<&str>,
) -> Markup {
    let can_write = who.has(Role::Reporter) && who.bureau_ids.contains(&ctx.bureau_id) && !ctx.locked;
    let by_id: BTreeMap<String, &FieldError> = errors.iter().map(|e| (field_id(ctx, &e.field), e)).collect();
    let labels: Vec<(String, String)> = by_id.keys().map(|id| (id.clone(), label_of(lang, ctx, id))).collect();
    let problems: Vec<Problem<'_>> =
        labels.iter().map(|(id, label)| Problem { input: Some(id), label, message: &by_id[id].message }).collect();
    let preview = super::check(ctx, &typed.input(ctx, "draft")).ok().map(|c| c.preview);
    let required = preview.as_ref().is_some_and(|p| p.narrative_required);
    let action = format!("/reports/{}/{}/{}", ctx.fy, ctx.month, ctx.bureau_code);
    html! {
        @if let Some(n) = notice { (views::notice(n)) }
        (views::problems(lang, &problems))
        (state_line(lang, ctx))
        @if let Some(p) = &preview { (preview_section(lang, ctx, p)) }
        form method="post" action=(action) {
            input type="hidden" name=(CSRF_FIELD) value=(who.csrf.as_deref().unwrap_or(""));
            input type="hidden" name="revision" value=(ctx.latest_revision);
            input type="hidden" name="lang" value=(lang.code());
            (lines_table(lang, ctx, typed, &by_id, !can_write))
            (narrative(lang, typed, &by_id, required, !can_write))
            @if can_write {
                p.actions {
                    button.secondary type="submit" name="action" value="preview" { (lang.t("report.action.preview")) } " "
                    button.secondary type="submit" name="action" value="draft" { (lang.t("report.action.draft")) } " "
                    button type="submit" name="action" value="submit" { (lang.t("report.action.submit")) }
                }
            }
        }
        @if can_write {
            section aria-labelledby="import-h" {
                h2 id="import-h" { (lang.t("report.import.title")) }
                (post_form(&format!("{action}/import{}", lang.query(true)), who, Some("stacked"), true, html! {
                    p {
                        label for="file" { (lang.t("report.import.label")) }
                        input id="file" name="file" type="file" accept=".xlsx" required;
                    }
                    p { button type="submit" { (lang.t("report.import.button")) } }
                }))
            }
        }
    }
}

/// One revision of the history, newest first when shown.
pub struct HistoryItem {
    pub revision: i32,
    pub submitted: bool,
    pub on_time: Option<bool>,
    pub at: chrono::DateTime<chrono::Utc>,
    pub by: Option<String>,
    pub total: Decimal,
    pub changes: Vec<Change>,
}

/// What changed from the revision before.
pub enum Change {
    First,
    Disbursed { code: String, from: Decimal, to: Decimal },
    Committed { code: String, from: Decimal, to: Decimal },
    Narrative(&'static str),
}

fn change_text(lang: Lang, c: &Change) -> String {
    match c {
        Change::First => lang.t("report.history.first").to_string(),
        Change::Disbursed { code, from, to } => {
            lang.f("report.history.disbursed", &[("code", code), ("from", &baht(*from)), ("to", &baht(*to))])
        }
        Change::Committed { code, from, to } => {
            lang.f("report.history.committed", &[("code", code), ("from", &baht(*from)), ("to", &baht(*to))])
        }
        Change::Narrative(key) => lang.f("report.history.edited", &[("what", &lang.t(key))]),
    }
}

pub fn history_page(lang: Lang, ctx: &Context, items: &[HistoryItem]) -> Markup {
    let state = |i: &HistoryItem| match (i.submitted, i.on_time) {
        (true, Some(true)) => lang.t("report.history.on_time"),
        (true, _) => lang.t("report.history.late"),
        (false, _) => lang.t("report.history.draft"),
    };
    let rows = items
        .iter()
        .map(|i| {
            let what = match i.changes.as_slice() {
                [] => lang.t("report.history.unchanged").to_string(),
                list => list.iter().map(|c| change_text(lang, c)).collect::<Vec<_>>().join("; "),
            };
            vec![
                Cell::text(i.revision.to_string()),
                Cell::text(state(i)),
                Cell::text(thai_datetime(i.at)),
                Cell::text(i.by.clone().unwrap_or_else(|| "-".into())),
                Cell::num(baht(i.total)),
                Cell::text(what),
            ]
        })
        .collect();
    let headings = [
        "report.history.col_revision",
        "report.history.col_state",
        "report.history.col_at",
        "report.history.col_by",
        "report.history.col_total",
        "report.history.col_changes",
    ];
    html! {
        p { a href=(report_href(ctx, "", lang)) { (lang.t("report.history.back")) } }
        @if items.is_empty() {
            p { (lang.t("report.history.none")) }
        } @else {
            (table(&Table {
                caption: lang.t("report.history.caption"),
                headings: headings.iter().map(|k| lang.t(k).to_string()).collect(),
                rows,
            }))
        }
    }
}
