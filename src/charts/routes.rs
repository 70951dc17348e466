//! `GET /api/v1/fiscal-years/{fy}/charts/{kind}.{svg|png}?month=&bureau=`.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::Kind;
use crate::auth::Identity;
use crate::db;
use crate::error::{AppError, FieldError};
use crate::monitoring::queries;
use crate::monitoring::routes::{parse_year, resolve_month};
use crate::startup::AppState;

#[derive(Deserialize)]
pub struct ChartQuery {
    pub month: Option<String>,
    pub bureau: Option<String>,
}

pub async fn chart(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: Identity,
    path: web::Path<(String, String)>,
    q: web::Query<ChartQuery>,
) -> Result<HttpResponse, AppError> {
    let (year, file) = path.into_inner();
    let fy = parse_year(&year)?;
    let (name, ext) = file.rsplit_once('.').unwrap_or((&file, ""));
    let kind = Kind::parse(name).ok_or_else(|| AppError::NotFound(format!("there is no chart {name:?}")))?;
    let png = match ext {
        "png" => true,
        "svg" => false,
        _ => return Err(AppError::NotFound(format!("charts come as .svg or .png, not {ext:?}"))),
    };
    let today = state.today();
    let q = q.into_inner();
    let inm = crate::cache::if_none_match(&req);
    let cache = state.clone();
    let rendered = db::blocking(&state.pool, move |conn| {
        queries::require_year_settings(conn, fy)?;
        let month = resolve_month(fy, q.month.as_deref(), today)?;
        let bureau = match q.bureau.as_deref().filter(|b| !b.is_empty()) {
            Some(code) => {
                let b = queries::bureau_by_code(conn, code)?.ok_or_else(|| {
                    AppError::validation(vec![FieldError::new("bureau", format!("there is no bureau {code:?}"))])
                })?;
                if !who.can_see_bureau(b.id) {
                    return Err(AppError::Forbidden(format!(
                        "you may see only your own bureau ({})",
                        who.bureau_codes.join(", ")
                    )));
                }
                Some(b)
            }
            None if !who.sees_every_bureau() => {
                return Err(AppError::Forbidden("office charts are for those who see every bureau; add bureau=".into()))
            }
            None => None,
        };
        // Drawing and rasterising run here, on the blocking pool, not on the async threads,
        // and only when this chart of this data version has not been drawn before.
        let key = format!(
            "chart|{}|{fy}|{}|{}|{}",
            kind.as_str(),
            month.number(),
            bureau.as_ref().map(|b| b.code.as_str()).unwrap_or(""),
            if png { "png" } else { "svg" }
        );
        crate::cache::render_cached(
            conn,
            &cache.renders,
            &key,
            &format!("m{}", month.number()),
            inm.as_deref(),
            |conn| {
                let chart = super::load(conn, kind, fy, month, bureau.as_ref())?;
                if png {
                    Ok(super::png(&chart.svg)?)
                } else {
                    Ok(chart.svg.into_bytes())
                }
            },
        )
    })
    .await?;
    Ok(rendered.respond(if png { "image/png" } else { "image/svg+xml; charset=utf-8" }, None))
}
