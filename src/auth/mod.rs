//! Who is asking, and may they. `middleware::authenticate` turns a bearer token or
//! a session cookie into an `Identity` in the request's extensions (and checks CSRF
//! for cookie-borne writes); `middleware::authorize` applies the route's `Access`
//! rule from `crate::routes`, the one table every route is registered from, so no
//! route exists without a rule. Finer checks that depend on the thing asked for
//! (a reporter and another bureau's report) are made by `http::guard`, answering
//! 404 where existence itself is private.

pub mod account;
pub mod middleware;
pub mod pages;
pub mod password;
pub mod queries;
pub mod routes;
pub mod token;
pub mod views;

use std::future::{ready, Ready};

use actix_web::{FromRequest, HttpMessage, HttpRequest};
use serde::Serialize;

use crate::domain::Role;
use crate::error::AppError;

pub const SESSION_COOKIE: &str = "bw_session";
/// Double-submit cookie guarding forms sent before signing in (the sign-in form).
pub const CSRF_COOKIE: &str = "bw_csrf";
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "x-csrf-token";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    Token,
    Session,
}

#[derive(Clone, Debug, Serialize)]
pub struct Identity {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub bureau_ids: Vec<i32>,
    pub bureau_codes: Vec<String>,
    #[serde(skip)]
    pub token_id: i64,
    pub via: Via,
    /// The session's CSRF secret, for forms rendered to this user.
    #[serde(skip)]
    pub csrf: Option<String>,
}

impl Identity {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }

    /// Everyone but a pure reporter sees every bureau.
    pub fn sees_every_bureau(&self) -> bool {
        self.roles.iter().any(|r| *r != Role::Reporter)
    }
}

/// Who may call a route. Checked centrally before the handler runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user.
    SignedIn,
    /// A signed-in user holding at least one of these roles.
    Roles(&'static [Role]),
}

impl Access {
    pub fn allows(self, identity: Option<&Identity>) -> Result<(), AppError> {
        match (self, identity) {
            (Access::Public, _) => Ok(()),
            (_, None) => Err(AppError::Unauthorized("sign in first: send Authorization: Bearer TOKEN".into())),
            (Access::SignedIn, Some(_)) => Ok(()),
            (Access::Roles(roles), Some(id)) if id.has_any(roles) => Ok(()),
            (Access::Roles(roles), Some(_)) => {
                let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
                Err(AppError::Forbidden(format!("this needs the role {}", names.join(" or "))))
            }
        }
    }
}

/// Extracts the signed-in user; 401 when there is none.
impl FromRequest for Identity {
    type Error = AppError;
    type Future = Ready<Result<Identity, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<Identity>()
                .cloned()
                .ok_or_else(|| AppError::Unauthorized("sign in first: send Authorization: Bearer TOKEN".into())),
        )
    }
}

/// The signed-in user if any, for pages that show more to those who sign in.
pub struct MaybeIdentity(pub Option<Identity>);

impl FromRequest for MaybeIdentity {
    type Error = AppError;
    type Future = Ready<Result<MaybeIdentity, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(Ok(MaybeIdentity(req.extensions().get::<Identity>().cloned())))
    }
}
