//! The front page (what the service holds, per fiscal year, from one aggregate
//! query, and a signed-in user's shortcuts), the stylesheet and fonts, and the
//! error page a browser gets instead of the API's JSON. Pages link one stylesheet
//! from `assets/` and carry no inline script or style. The markup is in `views`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

pub mod views;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Numeric};
use rust_decimal::Decimal;

use crate::auth::{Identity, MaybeIdentity};
use crate::db;
use crate::domain::Role;
use crate::error::AppError;
use crate::http::AppState;
use crate::http::PageLang;
use crate::i18n::Lang;
use crate::views::{page, respond, Frame};

const SITE_CSS: &str = include_str!("../../assets/css/site.css");

#[derive(QueryableByName, Debug)]
pub struct YearRow {
    #[diesel(sql_type = Integer)]
    pub fiscal_year: i32,
    #[diesel(sql_type = BigInt)]
    pub bureaus: i64,
    #[diesel(sql_type = BigInt)]
    pub projects: i64,
    #[diesel(sql_type = Numeric)]
    pub allocation: Decimal,
    #[diesel(sql_type = BigInt)]
    pub submitted: i64,
    #[diesel(sql_type = BigInt)]
    pub months_reported: i64,
}

/// Per fiscal year: bureaus and projects in the plan, the allocation at year end
/// (every adjustment of the year), and submitted reports — from `month_totals`
/// and the report headers, whatever the number of years or bureaus.
pub fn year_overview(conn: &mut PgConnection) -> QueryResult<Vec<YearRow>> {
    diesel::sql_query(
        "SELECT f.id AS fiscal_year,
                coalesce(p.bureaus, 0) AS bureaus, coalesce(p.projects, 0) AS projects,
                coalesce(p.allocation, 0) AS allocation,
                coalesce(r.submitted, 0) AS submitted, coalesce(r.months, 0) AS months_reported
         FROM fiscal_years f
         LEFT JOIN (SELECT t.fiscal_year, count(DISTINCT t.bureau_id) AS bureaus, sum(t.projects) AS projects,
                           sum(t.allocation_year) AS allocation
                    FROM month_totals t WHERE t.month = 12
                    GROUP BY t.fiscal_year) p ON p.fiscal_year = f.id
         LEFT JOIN (SELECT fiscal_year, count(*) FILTER (WHERE submitted_revision_id IS NOT NULL) AS submitted,
                           count(DISTINCT month) FILTER (WHERE submitted_revision_id IS NOT NULL) AS months
                    FROM reports GROUP BY fiscal_year) r ON r.fiscal_year = f.id
         ORDER BY f.id DESC",
    )
    .load(conn)
}

/// A reporter's month: its bureau, the month, the latest revision's status.
#[derive(QueryableByName, Debug)]
pub struct MonthState {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub bureau: String,
    #[diesel(sql_type = diesel::sql_types::SmallInt)]
    pub month: i16,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub status: Option<crate::reports::RevisionStatus>,
}

/// A signed-in user's shortcuts: a reporter's months of the current year (one
/// query for all its bureaus), the dashboard, strategy's plan page.
fn shortcuts(conn: &mut PgConnection, who: &Identity, today: chrono::NaiveDate) -> QueryResult<views::Shortcuts> {
    let (fy, last) = crate::domain::fiscal::last_ended_month(today);
    let months = if who.has(Role::Reporter) && !who.bureau_codes.is_empty() {
        diesel::sql_query(
            "SELECT b.code AS bureau, m::smallint AS month, v.status
             FROM bureaus b CROSS JOIN generate_series(1, $2) m
             LEFT JOIN reports r ON r.bureau_id = b.id AND r.fiscal_year = $1 AND r.month = m
             LEFT JOIN report_revisions v ON v.report_id = r.id AND v.revision = r.latest_revision
             WHERE b.code = ANY($3) ORDER BY b.code, m DESC",
        )
        .bind::<diesel::sql_types::Int4, _>(fy.be())
        .bind::<diesel::sql_types::Int4, _>(last.number() as i32)
        .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(&who.bureau_codes)
        .load(conn)?
    } else {
        Vec::new()
    };
    Ok(views::Shortcuts {
        fy,
        months,
        follows_office: who.roles.iter().any(|r| !matches!(r, Role::Reporter | Role::Admin)),
        strategy: who.has(Role::Strategy),
        ledger: who.has_any(&[Role::Finance, Role::Strategy, Role::SecretaryGeneral, Role::Auditor]),
    })
}

pub async fn index(
    state: web::Data<AppState>,
    who: MaybeIdentity,
    PageLang(lang): PageLang,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let me = who.0.clone();
    let (rows, mine) = db::blocking(&state.pool, move |conn| {
        let mine = me.as_ref().map(|id| shortcuts(conn, id, today)).transpose()?;
        Ok((year_overview(conn)?, mine))
    })
    .await?;
    let frame =
        Frame::new(lang, lang.t("index.title"), who.0.as_ref()).switching(format!("/{}", lang.other().query(true)));
    Ok(respond(StatusCode::OK, page(&frame, views::index(lang, mine.as_ref(), &rows))))
}

/// The bundled Sarabun (OFL), so that Thai shows the same in every browser,
/// whatever fonts the machine has: `/assets/fonts/Sarabun-{Regular,Bold}.ttf`.
pub async fn font(path: actix_web::web::Path<String>) -> Result<HttpResponse, crate::error::AppError> {
    let bytes: &'static [u8] = match path.as_str() {
        "Sarabun-Regular.ttf" => include_bytes!("../../assets/fonts/Sarabun-Regular.ttf"),
        "Sarabun-Bold.ttf" => include_bytes!("../../assets/fonts/Sarabun-Bold.ttf"),
        other => return Err(crate::error::AppError::NotFound(format!("there is no font {other:?}"))),
    };
    Ok(HttpResponse::Ok()
        .content_type("font/ttf")
        .insert_header(("Cache-Control", "public, max-age=604800, immutable"))
        .body(bytes))
}

pub async fn site_css() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(SITE_CSS)
}

/// A browser that opens a page and meets an error (a month that has not ended,
/// a bureau that is not there, a page it may not see) gets a page saying so in
/// Thai, with the field named, instead of the API's JSON error body. The status
/// stays; `/api/…` and clients that do not ask for HTML keep the JSON.
pub async fn html_errors(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let wants_html = !req.path().starts_with("/api/")
        && req
            .headers()
            .get(actix_web::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"));
    let res = next.call(req).await?.map_into_boxed_body();
    let is_json = res
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json"));
    if !wants_html || !is_json || !(res.status().is_client_error() || res.status().is_server_error()) {
        return Ok(res);
    }
    let status = res.status();
    let (req, res) = res.into_parts();
    let headers = res.headers().clone();
    let body = actix_web::body::to_bytes(res.into_body()).await.unwrap_or_default();
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let error = &json["error"];
    let details: Vec<(String, String)> = error["details"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|x| {
                    (x["field"].as_str().unwrap_or("").to_string(), x["message"].as_str().unwrap_or("").to_string())
                })
                .collect()
        })
        .unwrap_or_default();
    let lang = if req.query_string().split('&').any(|p| p == "lang=en") { Lang::En } else { Lang::Th };
    // Who is signed in, as `authenticate` found them, for the page's header.
    let who = actix_web::HttpMessage::extensions(&req).get::<Identity>().cloned();
    let frame = Frame::new(lang, views::error_title(lang, status.as_u16()), who.as_ref());
    let page = page(&frame, views::error(lang, error["message"].as_str().unwrap_or(""), &details)).into_string();
    let mut out = HttpResponse::build(status);
    for (name, value) in headers
        .iter()
        .filter(|(n, _)| *n != actix_web::http::header::CONTENT_TYPE && *n != actix_web::http::header::CONTENT_LENGTH)
    {
        out.append_header((name.clone(), value.clone()));
    }
    let out = out.content_type("text/html; charset=utf-8").body(page);
    Ok(actix_web::dev::ServiceResponse::new(req, out))
}
