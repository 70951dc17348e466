//! `GET /api/v1/fiscal-years/{fy}/charts/{kind}.{svg|png}?month=&bureau=`.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::Kind;
use crate::db;
use crate::error::{AppError, FieldError};
use crate::http::{require_office, resolve_month, AppState, QueryScope, Scope, Year};
use crate::monitoring::queries;

/// The month; the bureau is read by the `QueryScope` guard.
#[derive(Deserialize)]
pub struct ChartQuery {
    pub month: Option<String>,
}

/// `s-curve.png` → the chart and whether it is a PNG; 404 for anything else.
fn parse_file(file: &str) -> Result<(Kind, bool), AppError> {
    let (name, ext) = file.rsplit_once('.').unwrap_or((file, ""));
    let kind = Kind::parse(name).ok_or_else(|| AppError::NotFound(format!("there is no chart {name:?}")))?;
    match ext {
        "png" => Ok((kind, true)),
        "svg" => Ok((kind, false)),
        _ => Err(AppError::NotFound(format!("charts come as .svg or .png, not {ext:?}"))),
    }
}

/// Every bureau's lag and the office's KPI are office-wide whatever bureau is
/// named; the S-curve and the categories are of the office or of one bureau.
fn check_scope(kind: Kind, scope: &QueryScope) -> Result<(), AppError> {
    let office = matches!(scope.scope, Scope::Office);
    if office || kind.is_office_wide() {
        require_office(&scope.who)?;
    }
    if kind.is_office_wide() && !office {
        return Err(AppError::validation(vec![FieldError::new(
            "bureau",
            format!("the {} chart covers the whole office; bureau= applies to s-curve and categories", kind.as_str()),
        )]));
    }
    Ok(())
}

pub async fn chart(
    req: HttpRequest,
    state: web::Data<AppState>,
    Year(fy): Year,
    file: web::Path<(String, String)>,
    scope: QueryScope,
    q: web::Query<ChartQuery>,
) -> Result<HttpResponse, AppError> {
    let (kind, png) = parse_file(&file.1)?;
    check_scope(kind, &scope)?;
    let (today, now) = (state.today(), state.now());
    let q = q.into_inner();
    let inm = crate::cache::if_none_match(&req);
    let cache = state.clone();
    let rendered = db::blocking(&state.pool, move |conn| {
        queries::require_year_settings(conn, fy)?;
        let month = resolve_month(fy, q.month.as_deref(), today)?;
        let bureau = scope.scope.load(conn)?;
        // Drawing and rasterising run here, on the blocking pool, not on the async threads,
        // and only when this chart of this data version has not been drawn before.
        let format = if png { "png" } else { "svg" };
        let code = bureau.as_ref().map(|b| b.code.as_str()).unwrap_or("");
        let key = format!("chart|{}|{fy}|{}|{code}|{format}", kind.as_str(), month.number());
        let salt = format!("m{}", month.number());
        crate::cache::render_cached(conn, &cache.renders, &key, &salt, inm.as_deref(), |conn| {
            let chart = super::load(conn, kind, fy, month, bureau.as_ref(), now)?;
            if png {
                Ok(super::png(&chart.svg)?)
            } else {
                Ok(chart.svg.into_bytes())
            }
        })
    })
    .await?;
    Ok(rendered.respond(if png { "image/png" } else { "image/svg+xml; charset=utf-8" }, None))
}
