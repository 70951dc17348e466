//! HTTP for the action plan: fiscal years, settings, KPI levels, cabinet targets,
//! projects with monthly plans, and allocation adjustments.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use super::{AdjustmentInput, Levels, NewProject, NewYear, PlanInput, Settings, Targets};
use crate::db;
use crate::error::AppError;
use crate::http::{AppState, ProjectCode, Writer, Year};

pub async fn list_years(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(db::blocking(&state.pool, |conn| super::load_years(conn, None)).await?))
}

pub async fn get_year(state: web::Data<AppState>, Year(fy): Year) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(db::blocking(&state.pool, move |conn| super::year(conn, fy)).await?))
}

pub async fn create_year(
    state: web::Data<AppState>,
    writer: Writer,
    body: web::Json<NewYear>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let view = writer
        .write(&state.pool, move |conn, actor| {
            let fy = super::create_year(conn, &input, actor)?;
            super::year(conn, fy)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

pub async fn update_settings(
    state: web::Data<AppState>,
    writer: Writer,
    Year(fy): Year,
    body: web::Json<Settings>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let view = writer
        .write(&state.pool, move |conn, actor| {
            super::update_settings(conn, fy, &input, actor)?;
            super::year(conn, fy)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

pub async fn set_kpi_levels(
    state: web::Data<AppState>,
    writer: Writer,
    Year(fy): Year,
    body: web::Json<Levels>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let view = writer
        .write(&state.pool, move |conn, actor| {
            super::set_kpi_levels(conn, fy, &input, actor)?;
            super::year(conn, fy)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

pub async fn set_cabinet_targets(
    state: web::Data<AppState>,
    writer: Writer,
    Year(fy): Year,
    body: web::Json<Targets>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let view = writer
        .write(&state.pool, move |conn, actor| {
            super::set_cabinet_targets(conn, fy, &input, actor)?;
            super::year(conn, fy)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

pub async fn create_project(
    state: web::Data<AppState>,
    writer: Writer,
    Year(fy): Year,
    body: web::Json<NewProject>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let code = input.code.clone();
    writer.write(&state.pool, move |conn, actor| super::create_project(conn, fy, &input, actor)).await?;
    Ok(HttpResponse::Created().json(json!({"fiscal_year": fy.be(), "code": code})))
}

pub async fn set_plans(
    state: web::Data<AppState>,
    writer: Writer,
    Year(fy): Year,
    ProjectCode(code): ProjectCode,
    body: web::Json<PlanInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    writer.write(&state.pool, move |conn, actor| super::set_plans(conn, fy, &code, &input, actor)).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn list_adjustments(state: web::Data<AppState>, Year(fy): Year) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(db::blocking(&state.pool, move |conn| super::adjustments(conn, fy)).await?))
}

pub async fn create_adjustment(
    state: web::Data<AppState>,
    writer: Writer,
    Year(fy): Year,
    body: web::Json<AdjustmentInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let rows = writer.write(&state.pool, move |conn, actor| super::adjust(conn, fy, &input, actor)).await?;
    tracing::info!(fiscal_year = fy.be(), rows = rows.len(), "allocation adjusted");
    state.after_writes.request();
    Ok(HttpResponse::Created().json(rows))
}

pub async fn export_plan(state: web::Data<AppState>, Year(fy): Year) -> Result<HttpResponse, AppError> {
    let bytes = db::blocking(&state.pool, move |conn| super::xlsx::export(conn, fy)).await?;
    Ok(HttpResponse::Ok()
        .content_type(crate::xlsx::CONTENT_TYPE)
        .insert_header(("Content-Disposition", format!("attachment; filename=\"plan-{fy}.xlsx\"")))
        .body(bytes))
}

pub async fn import_plan(
    state: web::Data<AppState>,
    writer: Writer,
    Year(fy): Year,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let bytes = crate::xlsx::read_upload(&req, payload).await?;
    let result = writer.write(&state.pool, move |conn, actor| super::xlsx::import(conn, fy, &bytes, actor)).await?;
    tracing::info!(fiscal_year = fy.be(), created = result.created, updated = result.updated, "plan imported");
    state.after_writes.request();
    Ok(HttpResponse::Ok().json(result))
}
