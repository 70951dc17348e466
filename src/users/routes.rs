//! Admin's user and bureau management over the API.

use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::NewUser;
use crate::audit;
use crate::db;
use crate::error::{AppError, FieldError};
use crate::http::{AppState, Writer};
use crate::schema::bureaus;

pub async fn list_users(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let users = db::blocking(&state.pool, |conn| Ok(super::list(conn)?)).await?;
    Ok(HttpResponse::Ok().json(users))
}

pub async fn create_user(
    state: web::Data<AppState>,
    writer: Writer,
    body: web::Json<NewUser>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    super::validate(&input)?;
    let username = input.username.clone();
    writer.write(&state.pool, move |conn, actor| super::create(conn, &input, actor)).await?;
    tracing::info!(%username, "user created");
    Ok(HttpResponse::Created().json(json!({"username": username})))
}

pub async fn deactivate_user(
    state: web::Data<AppState>,
    writer: Writer,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let username = path.into_inner();
    if username == writer.who.username {
        return Err(AppError::Conflict("you cannot deactivate your own account".into()));
    }
    writer.write(&state.pool, move |conn, actor| super::deactivate(conn, &username, actor)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize, Queryable)]
pub struct Bureau {
    pub code: String,
    pub name_th: String,
    pub name_en: String,
    pub active: bool,
}

pub async fn list_bureaus(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let rows: Vec<Bureau> = db::blocking(&state.pool, |conn| {
        Ok(bureaus::table
            .select((bureaus::code, bureaus::name_th, bureaus::name_en, bureaus::active))
            .order(bureaus::code)
            .load(conn)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(rows))
}

#[derive(Deserialize)]
pub struct BureauInput {
    pub code: Option<String>,
    pub name_th: String,
    pub name_en: String,
    pub active: Option<bool>,
}

fn check_bureau(code: &str, b: &BureauInput) -> Result<(), AppError> {
    let mut errors = Vec::new();
    let ok = code.len() >= 2
        && code.len() <= 16
        && code.as_bytes()[0].is_ascii_uppercase()
        && code.bytes().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_' || c == b'-');
    if !ok {
        errors.push(FieldError::new("code", format!("{code:?} must be 2-16 capital letters, digits, '_' or '-'")));
    }
    if b.name_th.trim().is_empty() {
        errors.push(FieldError::new("name_th", "is required"));
    }
    if b.name_en.trim().is_empty() {
        errors.push(FieldError::new("name_en", "is required"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::validation(errors))
    }
}

pub async fn create_bureau(
    state: web::Data<AppState>,
    writer: Writer,
    body: web::Json<BureauInput>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let code = b.code.clone().unwrap_or_default();
    check_bureau(&code, &b)?;
    let out = code.clone();
    writer.write(&state.pool, move |conn, actor| {
        conn.transaction(|conn| {
            let n = diesel::insert_into(bureaus::table)
                .values((
                    bureaus::code.eq(&code),
                    bureaus::name_th.eq(b.name_th.trim()),
                    bureaus::name_en.eq(b.name_en.trim()),
                    bureaus::active.eq(b.active.unwrap_or(true)),
                ))
                .on_conflict(bureaus::code)
                .do_nothing()
                .execute(conn)?;
            if n == 0 {
                return Err(AppError::Conflict(format!("there is already a bureau {code:?}")));
            }
            audit::record(
                conn,
                audit::Entry {
                    user_id: actor.user_id,
                    request_id: actor.request_id,
                    action: "create",
                    entity: "bureau",
                    entity_id: code.clone(),
                    before: None,
                    after: Some(json!({"name_th": b.name_th.trim(), "name_en": b.name_en.trim(), "active": b.active.unwrap_or(true)})),
                },
            )?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(json!({"code": out})))
}

pub async fn update_bureau(
    state: web::Data<AppState>,
    writer: Writer,
    path: web::Path<String>,
    body: web::Json<BureauInput>,
) -> Result<HttpResponse, AppError> {
    let code = path.into_inner();
    let b = body.into_inner();
    check_bureau(&code, &b)?;
    if b.code.as_deref().is_some_and(|c| c != code) {
        return Err(AppError::validation(vec![FieldError::new("code", "a bureau's code never changes")]));
    }
    writer
        .write(&state.pool, move |conn, actor| {
            conn.transaction(|conn| {
                let before: Option<Bureau> = bureaus::table
                    .filter(bureaus::code.eq(&code))
                    .select((bureaus::code, bureaus::name_th, bureaus::name_en, bureaus::active))
                    .first(conn)
                    .optional()?;
                let Some(before) = before else {
                    return Err(AppError::NotFound(format!("there is no bureau {code:?}")));
                };
                let active = b.active.unwrap_or(before.active);
                diesel::update(bureaus::table.filter(bureaus::code.eq(&code)))
                    .set((
                        bureaus::name_th.eq(b.name_th.trim()),
                        bureaus::name_en.eq(b.name_en.trim()),
                        bureaus::active.eq(active),
                    ))
                    .execute(conn)?;
                audit::record(
                    conn,
                    audit::Entry {
                        user_id: actor.user_id,
                        request_id: actor.request_id,
                        action: "update",
                        entity: "bureau",
                        entity_id: code.clone(),
                        before: Some(
                            json!({"name_th": before.name_th, "name_en": before.name_en, "active": before.active}),
                        ),
                        after: Some(
                            json!({"name_th": b.name_th.trim(), "name_en": b.name_en.trim(), "active": active}),
                        ),
                    },
                )?;
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
