//! The executive dashboard: the office at a glance for a fiscal year and month
//! (headline measures against plan, the cabinet target and the 97% KPI; reporting;
//! the five charts, each with its message and its numbers as a table; open
//! alerts), a bureau's page with its projects, and a project's page with its
//! months. A month picker moves through time; each chart's rows drill down (the
//! office's bureaus to the bureau, a bureau's projects to the project, a
//! project's months to the bureau's report). Thai by default, `?lang=en` for
//! English page text (the charts keep their Thai labels, marked `lang="th"`).

use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::alerts::routes::{list as alert_list, Filter};
use crate::auth::Identity;
use crate::charts::{self, data, Chart, Kind, SCurveInput};
use crate::db;
use crate::domain::fiscal::{english_month_label, last_ended_month, thai_month_label};
use crate::domain::measures::Figures;
use crate::domain::money::{fixed2, format_baht};
use crate::domain::{FiscalMonth, FiscalYear};
use crate::error::AppError;
use crate::http::AppState;
use crate::http::{parse_year, resolve_month};
use crate::http::{VisibleBureau, VisibleProject};
use crate::i18n::Lang;
use crate::monitoring::queries::{self, Row};
use crate::monitoring::summary::{self, Headline, Reporting};
use crate::pages::{escape, layout_in};

#[derive(Deserialize)]
pub struct PageQuery {
    pub month: Option<String>,
    pub lang: Option<String>,
}

/// The Thai or the English of a piece of page text.
fn tr<'a>(lang: Lang, th: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Th => th,
        Lang::En => en,
    }
}

fn month_label(lang: Lang, fy: FiscalYear, m: FiscalMonth) -> String {
    match lang {
        Lang::Th => thai_month_label(fy, m),
        Lang::En => english_month_label(fy, m),
    }
}

/// `&lang=en` to carry the language through links (empty for Thai).
fn lang_q(lang: Lang) -> &'static str {
    tr(lang, "", "&lang=en")
}

pub(crate) fn pct(d: Option<Decimal>) -> String {
    d.map(|d| format!("{}%", fixed2(d))).unwrap_or_else(|| "-".into())
}

fn html(body: String) -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(body)
}

/// The month picker: every year on record, the months of the chosen one that
/// have ended. It GETs `/dashboard?fy=&month=`, which redirects.
fn picker(lang: Lang, years: &[i32], fy: FiscalYear, month: FiscalMonth, today: chrono::NaiveDate) -> String {
    let year_options: String = years
        .iter()
        .map(|y| {
            let label = match lang {
                Lang::Th => format!("พ.ศ. {y}"),
                Lang::En => format!("FY{y} BE ({})", y - 543),
            };
            format!("<option value=\"{y}\"{}>{label}</option>", if *y == fy.be() { " selected" } else { "" })
        })
        .collect();
    let month_options: String = FiscalMonth::all()
        .filter(|m| crate::domain::fiscal::has_ended(fy, *m, today))
        .map(|m| {
            format!(
                "<option value=\"{}\"{}>{}</option>",
                m.number(),
                if m == month { " selected" } else { "" },
                month_label(lang, fy, m)
            )
        })
        .collect();
    let hidden_lang = tr(lang, "", "<input type=\"hidden\" name=\"lang\" value=\"en\">");
    format!(
        "<form method=\"get\" action=\"/dashboard\" class=\"filters picker\">{hidden_lang}<label>{} <select name=\"fy\">{year_options}</select></label>\
         <label>{} <select name=\"month\">{month_options}</select></label><button type=\"submit\">{}</button></form>",
        tr(lang, "ปีงบประมาณ", "Fiscal year"),
        tr(lang, "ณ เดือน", "As of month"),
        tr(lang, "แสดง", "Show"),
    )
}

/// The link to the same page in the other language.
fn switch(lang: Lang, path: &str, month: FiscalMonth) -> String {
    match lang {
        Lang::Th => format!("<a href=\"{path}?month={}&amp;lang=en\" lang=\"en\">English</a>", month.number()),
        Lang::En => format!("<a href=\"{path}?month={}\" lang=\"th\">ภาษาไทย</a>", month.number()),
    }
}

struct Tile {
    th: &'static str,
    en: &'static str,
    value: String,
}

fn tiles(lang: Lang, tiles: &[Tile]) -> String {
    let inner: String = tiles
        .iter()
        .map(|t| format!("<div><dt>{}</dt><dd>{}</dd></div>", tr(lang, t.th, t.en), escape(&t.value)))
        .collect();
    format!("<dl class=\"figures\">{inner}</dl>")
}

fn lag_text(lang: Lang, lag: Option<Decimal>) -> String {
    match (lag, lang) {
        (Some(l), Lang::Th) if l > Decimal::ZERO => format!("ล่าช้า {} จุด", fixed2(l)),
        (Some(l), Lang::Th) => format!("เร็วกว่าแผน {} จุด", fixed2(-l)),
        (Some(l), Lang::En) if l > Decimal::ZERO => format!("{} pp behind", fixed2(l)),
        (Some(l), Lang::En) => format!("{} pp ahead", fixed2(-l)),
        (None, _) => "-".into(),
    }
}

/// "กำหนดส่ง 8 ธ.ค. 2569: ส่งแล้ว 10 จาก 12" while the month's reports are not
/// yet due; afterwards who was on time, late and missing.
pub(crate) fn reporting_text(lang: Lang, r: &Reporting, now: chrono::DateTime<chrono::Utc>) -> String {
    let due = r.due_at.date_naive();
    match (lang, r.in_progress(now)) {
        (Lang::Th, true) => format!(
            "กำหนดส่ง {}: ส่งแล้ว {} จาก {} (ยังไม่ครบกำหนด {} แห่ง)",
            crate::domain::fiscal::thai_date(due),
            r.submitted,
            r.expected,
            r.pending
        ),
        (Lang::En, true) => format!(
            "Due {}: {} of {} submitted ({} not yet due)",
            due.format("%-d %b %Y"),
            r.submitted,
            r.expected,
            r.pending
        ),
        (Lang::Th, false) => format!(
            "กำหนดส่ง {}: ส่งแล้ว {} จาก {} (ทันกำหนด {}, เกินกำหนด {}, ยังไม่ส่ง {})",
            crate::domain::fiscal::thai_date(due),
            r.submitted,
            r.expected,
            r.on_time,
            r.late,
            r.missing
        ),
        (Lang::En, false) => format!(
            "Due {}: {} of {} submitted ({} on time, {} late, {} missing)",
            due.format("%-d %b %Y"),
            r.submitted,
            r.expected,
            r.on_time,
            r.late,
            r.missing
        ),
    }
}

fn headline(
    lang: Lang,
    fy: FiscalYear,
    month: FiscalMonth,
    h: &Headline,
    reporting: &Reporting,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    let level = |level: u8, score: Option<Decimal>| {
        format!("{level} ({} {})", tr(lang, "คะแนน", "score"), score.map(fixed2).unwrap_or_else(|| "-".into()))
    };
    let target = |scope: queries::Scope| {
        h.quarter_targets.get(scope).map(|t| format!("{} / {}", pct(t.disbursed_rate), pct(t.target_rate)))
    };
    let mut list = vec![
        Tile {
            th: "เบิกจ่าย+ก่อหนี้ผูกพัน", en: "Disbursed + committed", value: pct(h.disbursed_committed_rate)
        },
        Tile { th: "ตามแผน", en: "Plan", value: pct(h.plan_rate) },
        Tile { th: "เทียบแผน", en: "Against plan", value: lag_text(lang, h.lag_pp) },
        Tile { th: "เบิกจ่าย", en: "Disbursed", value: pct(h.disbursed_rate) },
        Tile {
            th: "ระดับตัวชี้วัด (ผลจริง)", en: "KPI level (actual)", value: level(h.kpi_level, h.kpi_score)
        },
        Tile {
            th: "คาดการณ์สิ้นปี", en: "Year-end forecast", value: pct(h.forecast_year_end_rate)
        },
        Tile {
            th: "ระดับตัวชี้วัด (คาดการณ์)",
            en: "KPI level (projected)",
            value: level(h.kpi_level_forecast, h.kpi_score_forecast),
        },
        Tile {
            th: "กรณีดีที่สุด (ถ้าทำได้ตามแผนที่เหลือ)",
            en: "Best case (if the rest of the plan happens)",
            value: pct(h.forecast_best_rate),
        },
    ];
    for (scope, th, en) in [
        (queries::Scope::Overall, "เบิกจ่าย/เป้า ครม. ภาพรวม", "Disbursed / cabinet target, overall"),
        (queries::Scope::Current, "เบิกจ่าย/เป้า ครม. รายจ่ายประจำ", "Disbursed / cabinet target, current"),
        (queries::Scope::Capital, "เบิกจ่าย/เป้า ครม. รายจ่ายลงทุน", "Disbursed / cabinet target, capital"),
    ] {
        if let Some(value) = target(scope) {
            list.push(Tile { th, en, value });
        }
    }
    let figures = tiles(lang, &list);
    let money = match lang {
        Lang::Th => format!(
            "งบประมาณ {} บาท · เบิกจ่าย {} บาท · ก่อหนี้ผูกพัน {} บาท · รายงาน{} {}",
            format_baht(h.allocation),
            format_baht(h.disbursed),
            format_baht(h.committed),
            month_label(lang, fy, month),
            reporting_text(lang, reporting, now)
        ),
        Lang::En => format!(
            "Budget {} baht · disbursed {} baht · committed {} baht · {} reports: {}",
            format_baht(h.allocation),
            format_baht(h.disbursed),
            format_baht(h.committed),
            month_label(lang, fy, month),
            reporting_text(lang, reporting, now)
        ),
    };
    format!("{figures}<p>{}</p>", escape(&money))
}

/// A table's header row of column headings.
pub(crate) fn table_head<'a>(headings: impl Iterator<Item = &'a str>) -> String {
    let cells: String = headings.map(|h| format!("<th scope=\"col\">{}</th>", escape(h))).collect();
    format!("<tr>{cells}</tr>")
}

/// A table row of (text, numeric) cells: the first is the row's header, linked
/// to `href` when given; numbers are right-aligned; text is escaped here and its
/// line breaks kept.
pub(crate) fn table_row(cells: &[(String, bool)], href: Option<&str>) -> String {
    let inner: String = cells
        .iter()
        .enumerate()
        .map(|(i, (text, numeric))| {
            let text = escape(text).replace('\n', "<br>");
            match (i, href) {
                (0, Some(href)) => format!("<th scope=\"row\"><a href=\"{}\">{text}</a></th>", escape(href)),
                (0, None) => format!("<th scope=\"row\">{text}</th>"),
                _ if *numeric => format!("<td class=\"num\">{text}</td>"),
                _ => format!("<td>{text}</td>"),
            }
        })
        .collect();
    format!("<tr>{inner}</tr>")
}

/// Where a chart element leads: its key (a table row's first cell) and the
/// month it stands for (`None` for a table row) → a page, if any.
pub(crate) type Link<'a> = &'a dyn Fn(&str, Option<u8>) -> Option<String>;

/// The chart's SVG with its elements made links (bars, heatmap cells, the
/// S-curve's months). They are for the mouse: hidden from assistive technology
/// and out of the tab order, since the table beside the chart carries the same
/// links for keyboards and screen readers.
fn with_hotspots(chart: &Chart, link: Link<'_>) -> String {
    let spots: String = chart
        .hotspots
        .iter()
        .filter_map(|h| {
            link(&h.key, h.month).map(|href| {
                format!(
                    "<a href=\"{}\" tabindex=\"-1\" aria-hidden=\"true\"><rect class=\"hotspot\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>{}</title></rect></a>",
                    escape(&href),
                    h.x,
                    h.y,
                    h.w,
                    h.h,
                    escape(&h.label)
                )
            })
        })
        .collect();
    // An image's parts are not interactive (axe: nested-interactive), so the
    // image role moves from the <svg> to a group holding the drawing, and the
    // links stand beside it.
    let k = chart.kind.as_str();
    let role = format!(" role=\"img\" aria-labelledby=\"chart-title-{k} chart-desc-{k}\">");
    match (chart.svg.find(&role), chart.svg.rfind("</svg>")) {
        (Some(open), Some(end)) if !spots.is_empty() => format!(
            "{}><g{}{}</g><g class=\"hotspots\">{spots}</g></svg>",
            &chart.svg[..open],
            role,
            &chart.svg[open + role.len()..end]
        ),
        _ => chart.svg.clone(),
    }
}

/// A chart as a figure: the SVG (its elements linked by `link`), its message as
/// the caption, its numbers as a table (open for print when `open`) whose rows'
/// first cells are linked the same way.
pub(crate) fn figure(chart: &Chart, link: Link<'_>, open: bool) -> String {
    let head = table_head(chart.columns.iter().map(String::as_str));
    let rows: String = chart
        .rows
        .iter()
        .map(|r| {
            let cells: Vec<(String, bool)> = r.iter().enumerate().map(|(i, c)| (c.clone(), i > 0)).collect();
            table_row(&cells, r.first().and_then(|c| link(c, None)).as_deref())
        })
        .collect();
    format!(
        "<figure class=\"chart\" id=\"{}\" lang=\"th\">{}<figcaption>{}</figcaption><details{}><summary>ตารางข้อมูลของแผนภูมิ</summary>\
         <table><caption>{}</caption><thead>{head}</thead><tbody>{rows}</tbody></table></details></figure>",
        chart.kind.as_str(),
        with_hotspots(chart, link),
        escape(&chart.desc),
        if open { " open" } else { "" },
        escape(&chart.title)
    )
}

#[derive(Deserialize)]
pub struct PickerQuery {
    pub fy: Option<String>,
    pub month: Option<String>,
    pub lang: Option<String>,
}

/// `/dashboard` goes to the last month that has ended; the month picker's GET
/// (`?fy=&month=`) lands here too and goes to the chosen year and month.
pub async fn current(state: web::Data<AppState>, q: web::Query<PickerQuery>) -> Result<HttpResponse, AppError> {
    let lang = lang_q(Lang::from_query(q.lang.as_deref()));
    let location = match q.fy.as_deref() {
        Some(fy) => {
            let fy = parse_year(fy)?;
            // The month goes on as given: the year's page checks it and names it
            // when it is wrong, rather than this redirect dropping it unseen.
            match q.month.as_deref().filter(|m| !m.is_empty()) {
                Some(m) => {
                    format!("/dashboard/{fy}?{}{lang}", serde_urlencoded::to_string([("month", m)]).unwrap_or_default())
                }
                None => format!("/dashboard/{fy}{}", lang.replacen('&', "?", 1)),
            }
        }
        None => {
            let (fy, month) = last_ended_month(state.today());
            format!("/dashboard/{fy}?month={}{lang}", month.number())
        }
    };
    Ok(HttpResponse::SeeOther().insert_header(("Location", location)).finish())
}

fn years(conn: &mut PgConnection) -> Result<Vec<i32>, AppError> {
    Ok(crate::plans::load_years(conn, None)?.iter().map(|y| y.fiscal_year).collect())
}

pub async fn office(
    state: web::Data<AppState>,
    who: Identity,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let fy = parse_year(&path)?;
    let lang = Lang::from_query(q.lang.as_deref());
    let (today, now) = (state.today(), state.now());
    let me = who.clone();
    let cache = state.clone();
    let (summary, charts, alerts, years, month) = db::blocking(&state.pool, move |conn| {
        let settings = queries::require_year_settings(conn, fy)?;
        let month = resolve_month(fy, q.month.as_deref(), today)?;
        let s = summary::office(conn, fy, month, &settings, now)?;
        let charts =
            charts::load_many_cached(conn, &cache.renders, &Kind::ALL, fy, month, None, &settings, Some(&s), now)?;
        let alerts =
            alert_list(conn, &me, &Filter { fy: Some(fy.to_string()), status: None, kind: None, bureau: None })?;
        Ok((s, charts, alerts, years(conn)?, month))
    })
    .await?;
    let m = month.number();
    let l = lang_q(lang);
    let mut body = picker(lang, &years, fy, month, today);
    body.push_str(&format!(
        "<p class=\"no-print\"><a href=\"/meeting-pack/{fy}/{m}\">{}</a> · <a href=\"/meeting-pack/{fy}/{m}.pdf\">PDF</a> · \
         <a href=\"/meeting-pack/{fy}/{m}.xlsx\">Excel</a> · {}</p>",
        tr(lang, "ชุดเอกสารประชุมผู้บริหาร", "Meeting pack"),
        switch(lang, &format!("/dashboard/{fy}"), month)
    ));
    body.push_str(&headline(lang, fy, month, &summary.headline, &summary.reporting, now));
    let open: Vec<_> = alerts.iter().filter(|a| a.status != "resolved").take(5).collect();
    if !open.is_empty() {
        body.push_str(&format!(
            "<section aria-labelledby=\"alerts-h\"><h2 id=\"alerts-h\">{}</h2><ul>",
            tr(lang, "การแจ้งเตือนที่ยังไม่ปิด", "Open alerts")
        ));
        for a in &open {
            let critical = if a.severity == "critical" {
                format!("<strong>{}</strong>: ", tr(lang, "วิกฤต", "Critical"))
            } else {
                String::new()
            };
            let message = tr(lang, &a.message_th, &a.message_en);
            body.push_str(&format!("<li>{critical}{}</li>", escape(message)));
        }
        body.push_str(&format!(
            "</ul><p><a href=\"/alerts\">{}</a></p></section>",
            tr(lang, "ดูทั้งหมดและสั่งการ", "See all and order follow-up")
        ));
    }
    for chart in &charts {
        // Bureaus and heatmap cells open the bureau (at the cell's month); the
        // S-curve's months open the office at that month.
        let link = |key: &str, at: Option<u8>| -> Option<String> {
            match chart.kind {
                Kind::Bureaus | Kind::Heatmap => {
                    Some(format!("/dashboard/{fy}/bureaus/{key}?month={}{l}", at.unwrap_or(m)))
                }
                Kind::SCurve => at.map(|at| format!("/dashboard/{fy}?month={at}{l}")),
                _ => None,
            }
        };
        body.push_str(&figure(chart, &link, false));
    }
    let title = match lang {
        Lang::Th => format!("ภาพรวมการเบิกจ่าย ปีงบประมาณ พ.ศ. {fy} ณ {}", month_label(lang, fy, month)),
        Lang::En => format!("Disbursement overview, fiscal year {fy} BE, as of {}", month_label(lang, fy, month)),
    };
    Ok(html(layout_in(lang, &title, Some(&who), &body)))
}

pub async fn bureau(
    state: web::Data<AppState>,
    who: Identity,
    visible: VisibleBureau,
    path: web::Path<(String, String)>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let fy = parse_year(&path.0)?;
    let lang = Lang::from_query(q.lang.as_deref());
    let (today, now) = (state.today(), state.now());
    let cache = state.clone();
    let (s, charts, years, month) = db::blocking(&state.pool, move |conn| {
        let b = visible.load(conn)?;
        let settings = queries::require_year_settings(conn, fy)?;
        let month = resolve_month(fy, q.month.as_deref(), today)?;
        let s = summary::bureau(conn, fy, month, &settings, &b, now)?;
        let charts = charts::load_many_cached(
            conn,
            &cache.renders,
            &[Kind::SCurve, Kind::Categories],
            fy,
            month,
            Some(&b),
            &settings,
            None,
            now,
        )?;
        Ok((s, charts, years(conn)?, month))
    })
    .await?;
    let code = s.bureau.code.clone();
    let m = month.number();
    let l = lang_q(lang);
    let mut body = picker(lang, &years, fy, month, today);
    body.push_str(&format!(
        "<p>{}<a href=\"/reports/{fy}/{m}/{}\">{}</a> · {}</p>",
        if who.sees_every_bureau() {
            format!(
                "<a href=\"/dashboard/{fy}?month={m}{l}\">{}</a> · ",
                tr(lang, "กลับไปภาพรวมสำนักงาน", "Back to the office")
            )
        } else {
            String::new()
        },
        escape(&code),
        tr(lang, "รายงานเดือนนี้ของสำนัก", "This month's report of the bureau"),
        switch(lang, &format!("/dashboard/{fy}/bureaus/{}", escape(&code)), month)
    ));
    body.push_str(&headline(lang, fy, month, &s.headline, &s.reporting, now));
    if s.carried_forward {
        body.push_str(&format!(
            "<p class=\"warning\">{}</p>",
            escape(&charts::carried_note(fy, month, s.reported_through, true))
        ));
    }
    for chart in &charts {
        let by_month = |_: &str, at: Option<u8>| at.map(|at| format!("/dashboard/{fy}/bureaus/{code}?month={at}{l}"));
        body.push_str(&figure(chart, &by_month, false));
    }
    body.push_str(&format!(
        "<table><caption>{}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        tr(lang, "โครงการ/กิจกรรม", "Projects and activities"),
        tr(lang, "โครงการ", "Project"),
        tr(lang, "งบรายจ่าย", "Expense category"),
        tr(lang, "งบประมาณ (บาท)", "Budget (baht)"),
        tr(lang, "ตามแผน", "Plan"),
        tr(lang, "เบิกจ่าย+ผูกพัน", "Disbursed + committed"),
        tr(lang, "เทียบแผน (จุด)", "Behind plan (pp)"),
    ));
    for p in &s.projects {
        body.push_str(&format!(
            "<tr><th scope=\"row\"><a href=\"/dashboard/{fy}/projects/{}?month={m}{l}\">{} {}</a></th><td>{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(&p.code),
            escape(&p.code),
            escape(tr(lang, &p.name_th, &p.name_en)),
            tr(lang, p.category.name_th(), p.category.as_str()),
            format_baht(p.rates.allocation),
            pct(p.rates.plan_rate),
            pct(p.rates.disbursed_committed_rate),
            p.rates.lag_pp.map(fixed2).unwrap_or_else(|| "-".into())
        ));
    }
    body.push_str("</tbody></table>");
    let name = tr(lang, &s.bureau.name_th, &s.bureau.name_en);
    let title = match lang {
        Lang::Th => format!("{name} · ปีงบประมาณ พ.ศ. {fy} ณ {}", month_label(lang, fy, month)),
        Lang::En => format!("{name} · fiscal year {fy} BE, as of {}", month_label(lang, fy, month)),
    };
    Ok(html(layout_in(lang, &title, Some(&who), &body)))
}

pub async fn project(
    state: web::Data<AppState>,
    who: Identity,
    path: web::Path<(String, String)>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let (year, code) = path.into_inner();
    let fy = parse_year(&year)?;
    let lang = Lang::from_query(q.lang.as_deref());
    let today = state.today();
    let me = who.clone();
    let (row, b, figures, chart, months, years, month) = db::blocking(&state.pool, move |conn| {
        let (p, b) = VisibleProject::load(conn, &me, fy, &code)?;
        let month = resolve_month(fy, q.month.as_deref(), today)?;
        let figures = queries::project_rows(conn, fy, month, Some(b.id))?
            .into_iter()
            .find(|r| r.project_id == p.id)
            .map(|r| r.figures())
            .ok_or_else(|| AppError::NotFound(format!("there is no project {code:?}")))?;
        let months = data::months(conn, fy, None, Some(p.id))?;
        let chart = charts::s_curve(&SCurveInput {
            fy,
            month,
            scope: format!("{} {}", p.code, p.name_th),
            curve: data::curve(&months, figures.allocation_year_end, Some(month)),
            last_year: None,
            targets: Vec::new(),
        })?;
        let category = p.category.clone();
        Ok((p, b, figures, chart, months, years(conn)?, (month, category)))
    })
    .await?;
    let (month, category) = month;
    let m = month.number();
    let l = lang_q(lang);
    let measures = Figures::measures(&figures);
    let mut body = picker(lang, &years, fy, month, today);
    body.push_str(&format!(
        "<p><a href=\"/dashboard/{fy}/bureaus/{}?month={m}{l}\">{} {}</a> · {}: {} · {}</p>",
        escape(&b.code),
        tr(lang, "กลับไปหน้าสำนัก", "Back to the bureau"),
        escape(tr(lang, &b.name_th, &b.name_en)),
        tr(lang, "งบรายจ่าย", "Expense category"),
        category.parse::<crate::domain::Category>().map(|c| tr(lang, c.name_th(), c.as_str())).unwrap_or("-"),
        switch(lang, &format!("/dashboard/{fy}/projects/{}", escape(&row.code)), month)
    ));
    body.push_str(&tiles(
        lang,
        &[
            Tile {
                th: "งบประมาณ (บาท)", en: "Budget (baht)", value: format_baht(figures.allocation)
            },
            Tile { th: "ตามแผน", en: "Plan", value: pct(measures.plan_rate) },
            Tile {
                th: "เบิกจ่าย+ก่อหนี้ผูกพัน", en: "Disbursed + committed", value: pct(measures.disbursed_committed_rate)
            },
            Tile { th: "เทียบแผน", en: "Against plan", value: lag_text(lang, measures.lag_pp) },
            Tile {
                th: "เบิกจ่าย (บาท)", en: "Disbursed (baht)", value: format_baht(figures.disbursed)
            },
            Tile {
                th: "ก่อหนี้ผูกพัน (บาท)", en: "Committed (baht)", value: format_baht(figures.committed)
            },
        ],
    ));
    let by_month =
        |_: &str, at: Option<u8>| at.map(|at| format!("/dashboard/{fy}/projects/{}?month={at}{l}", row.code));
    body.push_str(&figure(&chart, &by_month, false));
    body.push_str(&format!(
        "<table><caption>{}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th></tr></thead><tbody>",
        tr(lang, "แผนและผลรายเดือน (บาท)", "Plan and results by month (baht)"),
        tr(lang, "เดือน", "Month"),
        tr(lang, "แผน", "Planned"),
        tr(lang, "เบิกจ่าย", "Disbursed"),
        tr(lang, "ก่อหนี้ผูกพัน ณ สิ้นเดือน", "Committed at month end"),
    ));
    for (i, r) in months.iter().enumerate() {
        let before = i.checked_sub(1).and_then(|j| months.get(j));
        let fm = FiscalMonth::new(r.month as i64).expect("months 1-12");
        let label = month_label(lang, fy, fm);
        let (first, disbursed, committed) = if fm <= month {
            let carried = r.reported_month != r.month;
            let note = if carried {
                format!(
                    " <span class=\"note\">({})</span>",
                    escape(&charts::carried_note(
                        fy,
                        fm,
                        (r.reported_month > 0).then_some(r.reported_month as u8),
                        true
                    ))
                )
            } else {
                String::new()
            };
            (
                format!("<a href=\"/reports/{fy}/{}/{}\">{label}</a>{note}", fm.number(), escape(&b.code)),
                format_baht(r.disbursed_in(before)),
                format_baht(r.committed),
            )
        } else {
            (label, "-".into(), "-".into())
        };
        body.push_str(&format!(
            "<tr><th scope=\"row\">{first}</th><td class=\"num\">{}</td><td class=\"num\">{disbursed}</td><td class=\"num\">{committed}</td></tr>",
            format_baht(r.planned_in(before))
        ));
    }
    body.push_str("</tbody></table>");
    let name = tr(lang, &row.name_th, &row.name_en);
    let title = match lang {
        Lang::Th => format!("{} {name} · ณ {}", row.code, month_label(lang, fy, month)),
        Lang::En => format!("{} {name} · as of {}", row.code, month_label(lang, fy, month)),
    };
    Ok(html(layout_in(lang, &title, Some(&who), &body)))
}
