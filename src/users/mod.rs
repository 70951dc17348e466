//! Accounts: creating users (admin API and CLI), deactivating them (history is
//! kept: the row stays, its tokens stop working), and listing them. Every change is
//! audited in its own transaction. Passwords follow `auth::password`'s policy.

pub mod routes;

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit;
use crate::auth::password;
use crate::domain::Role;
use crate::error::{AppError, FieldError};
use crate::schema::{api_tokens, bureaus, user_bureaus, user_roles, users};

#[derive(Deserialize, Debug, Clone, Default)]
pub struct NewUser {
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    pub email: Option<String>,
    pub password: String,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub bureaus: Vec<String>,
}

#[derive(Serialize, Debug)]
pub struct UserView {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub active: bool,
    pub roles: Vec<String>,
    pub bureaus: Vec<String>,
}

pub use crate::audit::Actor;

fn valid_username(u: &str) -> bool {
    let b = u.as_bytes();
    (2..=64).contains(&b.len())
        && b[0].is_ascii_lowercase() | b[0].is_ascii_digit()
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"._-".contains(c))
}

/// Checks every field, reporting all problems at once.
pub fn validate(input: &NewUser) -> Result<Vec<Role>, AppError> {
    let mut errors = Vec::new();
    if !valid_username(&input.username) {
        errors.push(FieldError::new(
            "username",
            format!("{:?} must be 2-64 lower-case letters, digits, '.', '_' or '-'", input.username),
        ));
    }
    if let Err(e) = password::check_policy(&input.username, &input.password) {
        errors.push(FieldError::new("password", e));
    }
    if let Some(email) = &input.email {
        if !email.is_empty() && (!email.contains('@') || email.contains(char::is_whitespace)) {
            errors.push(FieldError::new("email", format!("{email:?} is not an e-mail address")));
        }
    }
    let mut roles = Vec::new();
    for (i, r) in input.roles.iter().enumerate() {
        match r.parse::<Role>() {
            Ok(role) if !roles.contains(&role) => roles.push(role),
            Ok(_) => {}
            Err(e) => errors.push(FieldError::new(format!("roles[{i}]"), e)),
        }
    }
    if input.roles.is_empty() {
        errors.push(FieldError::new("roles", "give at least one role"));
    }
    if roles.contains(&Role::Reporter) && input.bureaus.is_empty() {
        errors.push(FieldError::new("bureaus", "a reporter must be bound to at least one bureau"));
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    Ok(roles)
}

pub fn create(conn: &mut PgConnection, input: &NewUser, actor: Actor<'_>) -> Result<i64, AppError> {
    let roles = validate(input)?;
    let hash = password::hash(&input.password)?;
    conn.transaction(|conn| {
        let bureau_ids: Vec<(String, i32)> = bureaus::table
            .filter(bureaus::code.eq_any(&input.bureaus))
            .select((bureaus::code, bureaus::id))
            .load(conn)?;
        let unknown: Vec<FieldError> = input
            .bureaus
            .iter()
            .enumerate()
            .filter(|(_, c)| !bureau_ids.iter().any(|(code, _)| code == *c))
            .map(|(i, c)| FieldError::new(format!("bureaus[{i}]"), format!("there is no bureau {c:?}")))
            .collect();
        if !unknown.is_empty() {
            return Err(AppError::validation(unknown));
        }
        let id: Option<i64> = diesel::insert_into(users::table)
            .values((
                users::username.eq(&input.username),
                users::display_name.eq(&input.display_name),
                users::email.eq(input.email.as_deref().filter(|e| !e.is_empty())),
                users::password_hash.eq(&hash),
            ))
            .on_conflict(users::username)
            .do_nothing()
            .returning(users::id)
            .get_result(conn)
            .optional()?;
        let Some(id) = id else {
            return Err(AppError::Conflict(format!("the user name {:?} is taken", input.username)));
        };
        diesel::insert_into(user_roles::table)
            .values(
                roles.iter().map(|r| (user_roles::user_id.eq(id), user_roles::role.eq(r.as_str()))).collect::<Vec<_>>(),
            )
            .execute(conn)?;
        diesel::insert_into(user_bureaus::table)
            .values(
                bureau_ids
                    .iter()
                    .map(|(_, b)| (user_bureaus::user_id.eq(id), user_bureaus::bureau_id.eq(*b)))
                    .collect::<Vec<_>>(),
            )
            .execute(conn)?;
        audit::record(
            conn,
            audit::Entry {
                user_id: actor.user_id,
                request_id: actor.request_id,
                action: "create",
                entity: "user",
                entity_id: input.username.clone(),
                before: None,
                after: Some(json!({
                    "username": input.username, "display_name": input.display_name, "email": input.email,
                    "roles": roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(), "bureaus": input.bureaus,
                })),
            },
        )?;
        Ok(id)
    })
}

/// Deactivates `username` and revokes its tokens; the account and its history stay.
pub fn deactivate(conn: &mut PgConnection, username: &str, actor: Actor<'_>) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let found: Option<(i64, bool)> = users::table
            .filter(users::username.eq(username))
            .select((users::id, users::active))
            .first(conn)
            .optional()?;
        let Some((id, active)) = found else {
            return Err(AppError::NotFound(format!("there is no user {username:?}")));
        };
        if !active {
            return Err(AppError::Conflict(format!("{username:?} is already deactivated")));
        }
        let now = chrono::Utc::now();
        diesel::update(users::table.find(id))
            .set((users::active.eq(false), users::deactivated_at.eq(now)))
            .execute(conn)?;
        diesel::update(api_tokens::table.filter(api_tokens::user_id.eq(id)).filter(api_tokens::revoked_at.is_null()))
            .set(api_tokens::revoked_at.eq(now))
            .execute(conn)?;
        audit::record(
            conn,
            audit::Entry {
                user_id: actor.user_id,
                request_id: actor.request_id,
                action: "deactivate",
                entity: "user",
                entity_id: username.to_string(),
                before: Some(json!({"active": true})),
                after: Some(json!({"active": false})),
            },
        )?;
        Ok(())
    })
}

pub fn list(conn: &mut PgConnection) -> QueryResult<Vec<UserView>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        username: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        display_name: String,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        email: Option<String>,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        active: bool,
        #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Text>)]
        roles: Vec<String>,
        #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Text>)]
        bureaus: Vec<String>,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT u.username, u.display_name, u.email, u.active,
                coalesce((SELECT array_agg(role ORDER BY role) FROM user_roles WHERE user_id = u.id), '{}') AS roles,
                coalesce((SELECT array_agg(b.code ORDER BY b.code) FROM user_bureaus ub JOIN bureaus b
                          ON b.id = ub.bureau_id WHERE ub.user_id = u.id), '{}') AS bureaus
         FROM users u ORDER BY u.username",
    )
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| UserView {
            username: r.username,
            display_name: r.display_name,
            email: r.email,
            active: r.active,
            roles: r.roles,
            bureaus: r.bureaus,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_with_a_new_user_is_named() {
        let bad = NewUser {
            username: "Bad Name".into(),
            password: "short".into(),
            roles: vec!["reporter".into(), "overlord".into()],
            email: Some("nope".into()),
            ..NewUser::default()
        };
        let Err(AppError::Validation { details, .. }) = validate(&bad) else { panic!("accepted") };
        let fields: Vec<&str> = details.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["username", "password", "email", "roles[1]", "bureaus"]);
    }
}
