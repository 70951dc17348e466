//! `GET /meeting-pack/{fy}/{m}` (HTML for A4 print), `…/{m}.pdf`, `…/{m}.xlsx`.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::cache::Rendered;

use crate::auth::Identity;
use crate::db;
use crate::error::AppError;
use crate::http::{resolve_month, AppState, Year};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Html,
    Pdf,
    Xlsx,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Html => "text/html; charset=utf-8",
            Format::Pdf => "application/pdf",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// `"12"`, `"12.pdf"` or `"12.xlsx"` → the month as given and the format.
fn split(file: &str) -> Result<(&str, Format), AppError> {
    match file.split_once('.') {
        None => Ok((file, Format::Html)),
        Some((m, "pdf")) => Ok((m, Format::Pdf)),
        Some((m, "xlsx")) => Ok((m, Format::Xlsx)),
        Some((_, ext)) => Err(AppError::NotFound(format!("the meeting pack comes as HTML, .pdf or .xlsx, not .{ext}"))),
    }
}

pub async fn pack(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: Identity,
    Year(fy): Year,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (month, format) = split(&path.1)?;
    let month = month.to_string();
    let (today, now) = (state.today(), state.now());
    let me = who.clone();
    let inm = crate::cache::if_none_match(&req);
    let cache = state.clone();
    // Gathering and rendering run on the blocking pool, not on the async threads,
    // and only when this pack of this data version has not been made today.
    let (rendered, month) = db::blocking(&state.pool, move |conn| {
        crate::monitoring::queries::require_year_settings(conn, fy)?;
        let month = resolve_month(fy, Some(&month), today)?;
        let key = format!("pack|{fy}|{}|{format:?}", month.number());
        // The HTML's page frame names who is signed in: only the body is shared.
        let inm = if format == Format::Html { None } else { inm.as_deref() };
        let rendered = crate::cache::render_cached(conn, &cache.renders, &key, &today.to_string(), inm, |conn| {
            // The salt is the day: a month's reports fall due at a day's end.
            let p = super::load(conn, &cache.renders, &me, fy, month, now)?;
            Ok(match format {
                Format::Html => super::views::body(&p).into_string().into_bytes(),
                Format::Pdf => super::pdf::render(&p).map_err(AppError::Unexpected)?,
                Format::Xlsx => super::xlsx::render(&p)
                    .map_err(|e| AppError::Unexpected(anyhow::anyhow!("writing the meeting pack workbook: {e}")))?,
            })
        })?;
        Ok((rendered, month))
    })
    .await?;
    let name = format!("meeting-pack-{fy}-{:02}", month.number());
    Ok(match (format, rendered) {
        (Format::Html, Rendered::Bytes { bytes, hit, .. }) => {
            // The cached body is markup `views::body` wrote; the frame is the reader's.
            let body = crate::views::PreEscaped(String::from_utf8_lossy(&bytes).into_owned());
            let frame = crate::views::Frame::new(crate::i18n::Lang::Th, super::title(fy, month), Some(&who));
            HttpResponse::Ok()
                .content_type(format.content_type())
                .insert_header(("X-Cache", if hit { "hit" } else { "miss" }))
                .body(crate::views::page(&frame, body).into_string())
        }
        (Format::Pdf, r) => r.respond(format.content_type(), Some(format!("inline; filename=\"{name}.pdf\""))),
        (Format::Xlsx, r) => r.respond(format.content_type(), Some(format!("attachment; filename=\"{name}.xlsx\""))),
        (Format::Html, r) => r.respond(format.content_type(), None),
    })
}
