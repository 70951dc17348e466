//! The auditor's page of the trail; the markup is in `views`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::routes::{fetch, Filter};
use super::views;
use crate::auth::Identity;
use crate::error::AppError;
use crate::http::{AppState, PageLang};
use crate::views::{page as frame, respond, Frame};

/// `GET /audit`: the filter and what it finds; a refused filter is 422 with its
/// fields named and nothing listed.
pub async fn page(
    state: web::Data<AppState>,
    who: Identity,
    PageLang(lang): PageLang,
    filter: web::Query<Filter>,
) -> Result<HttpResponse, AppError> {
    let filter = filter.into_inner();
    let (status, body) = match fetch(&state, &filter).await {
        Ok(rows) => (StatusCode::OK, views::page(lang, &filter, Ok(&rows))),
        Err(AppError::Validation { details, .. }) => {
            (StatusCode::UNPROCESSABLE_ENTITY, views::page(lang, &filter, Err(&details)))
        }
        Err(e) => return Err(e),
    };
    let page =
        Frame::new(lang, lang.t("audit.title"), Some(&who)).switching(format!("/audit{}", lang.other().query(true)));
    Ok(respond(status, frame(&page, body)))
}
