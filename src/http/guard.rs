//! Who may see which bureau: decided here and nowhere else. Every handler that
//! reads something of one bureau takes a `VisibleBureau` (a bureau code from
//! the path, checked against the caller), a `VisibleProject`, or a `Scope` (the
//! `bureau` of the query string, or the whole office), so that visibility cannot
//! be forgotten or answered two ways.
//!
//! One status: a bureau the caller may not see is "not found" (404), exactly as a
//! bureau that does not exist, because its existence is not the caller's business
//! (DOMAIN.md). Asking for the whole office without seeing every bureau is a
//! question of role, not of existence, and is refused with 403.

use std::future::{ready, Ready};

use actix_web::{FromRequest, HttpMessage, HttpRequest};
use diesel::prelude::*;
use diesel::sql_types::{Int4, Text};
use serde::Deserialize;

use crate::auth::Identity;
use crate::error::AppError;
use crate::monitoring::queries::{self, BureauRow};

/// Whether `code` has the shape of a bureau code (`^[A-Z][A-Z0-9_-]{1,15}$`, the
/// database's CHECK): anything else names no bureau and is never looked up.
pub fn is_bureau_code(code: &str) -> bool {
    let b = code.as_bytes();
    (2..=16).contains(&b.len())
        && b[0].is_ascii_uppercase()
        && b[1..].iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_' || *c == b'-')
}

fn not_found(code: &str) -> AppError {
    let shown: String = code.chars().filter(|c| !c.is_control()).take(40).collect();
    AppError::NotFound(format!("there is no bureau {shown:?} for you"))
}

/// A bureau code the caller may see. Checked without the database: a reporter
/// sees the bureaus bound to it (their codes came with its identity); everyone
/// else every bureau that exists, which `load` finds out.
#[derive(Clone, Debug)]
pub struct VisibleBureau {
    code: String,
}

impl VisibleBureau {
    /// The one visibility check: `code` as `who` may see it, or 404.
    pub fn check(who: &Identity, code: &str) -> Result<VisibleBureau, AppError> {
        if !is_bureau_code(code) || !(who.sees_every_bureau() || who.bureau_codes.iter().any(|c| c == code)) {
            return Err(not_found(code));
        }
        Ok(VisibleBureau { code: code.to_string() })
    }

    pub fn code(&self) -> &str {
        &self.code
    }

    /// The bureau's row; 404 (the same answer as `check`'s) when there is none.
    pub fn load(&self, conn: &mut PgConnection) -> Result<BureauRow, AppError> {
        queries::bureau_by_code(conn, &self.code)?.ok_or_else(|| not_found(&self.code))
    }
}

pub(crate) fn identity(req: &HttpRequest) -> Result<Identity, AppError> {
    req.extensions()
        .get::<Identity>()
        .cloned()
        .ok_or_else(|| AppError::Unauthorized("sign in first: send Authorization: Bearer TOKEN".into()))
}

/// From the path's `{code}` or `{bureau}` segment.
impl FromRequest for VisibleBureau {
    type Error = AppError;
    type Future = Ready<Result<VisibleBureau, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(identity(req).and_then(|who| {
            let code = req.match_info().get("code").or_else(|| req.match_info().get("bureau")).unwrap_or("");
            VisibleBureau::check(&who, code)
        }))
    }
}

/// What a read covers: the whole office, or one bureau the caller may see. From
/// the query string's `bureau` (absent or empty: the office).
#[derive(Clone, Debug)]
pub enum Scope {
    Office,
    Bureau(VisibleBureau),
}

impl Scope {
    pub fn check(who: &Identity, bureau: Option<&str>) -> Result<Scope, AppError> {
        match bureau.filter(|b| !b.is_empty()) {
            Some(code) => Ok(Scope::Bureau(VisibleBureau::check(who, code)?)),
            None => Ok(Scope::Office),
        }
    }

    /// The bureau's row, or `None` for the office.
    pub fn load(&self, conn: &mut PgConnection) -> Result<Option<BureauRow>, AppError> {
        match self {
            Scope::Office => Ok(None),
            Scope::Bureau(b) => b.load(conn).map(Some),
        }
    }
}

/// Office-wide figures (every bureau's lag, the office's KPI) are for those who
/// see every bureau; anyone else is refused whatever bureau they name.
pub fn require_office(who: &Identity) -> Result<(), AppError> {
    if who.sees_every_bureau() {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "office-wide figures are for those who see every bureau; you see {}",
            who.bureau_codes.join(", ")
        )))
    }
}

#[derive(Deserialize)]
struct BureauQuery {
    bureau: Option<String>,
}

/// The query string's `bureau`, checked; a query that cannot be read is 422.
pub struct QueryScope {
    pub who: Identity,
    pub scope: Scope,
}

impl FromRequest for QueryScope {
    type Error = AppError;
    type Future = Ready<Result<QueryScope, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(identity(req).and_then(|who| {
            let q = serde_urlencoded::from_str::<BureauQuery>(req.query_string())
                .map_err(|e| AppError::validation(vec![crate::error::FieldError::new("query", e.to_string())]))?;
            let scope = Scope::check(&who, q.bureau.as_deref())?;
            Ok(QueryScope { who, scope })
        }))
    }
}

/// A project of a fiscal year, found by its code, whose bureau the caller may see.
#[derive(QueryableByName, Debug, Clone)]
pub struct VisibleProject {
    #[diesel(sql_type = Int4)]
    pub id: i32,
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(sql_type = Text)]
    pub name_th: String,
    #[diesel(sql_type = Text)]
    pub name_en: String,
    #[diesel(sql_type = Text)]
    pub bureau_code: String,
    #[diesel(sql_type = Text)]
    pub category: String,
}

impl VisibleProject {
    /// The project and its bureau, or 404 alike for a project that is not there
    /// and one of a bureau the caller may not see.
    pub fn load(
        conn: &mut PgConnection,
        who: &Identity,
        fy: crate::domain::FiscalYear,
        code: &str,
    ) -> Result<(VisibleProject, BureauRow), AppError> {
        let shown: String = code.chars().filter(|c| !c.is_control()).take(40).collect();
        let gone = || AppError::NotFound(format!("there is no project {shown:?} in fiscal year {fy} for you"));
        let p: VisibleProject = diesel::sql_query(
            "SELECT p.id, p.code, p.name_th, p.name_en, b.code AS bureau_code, p.category
             FROM projects p JOIN bureaus b ON b.id = p.bureau_id
             WHERE p.fiscal_year = $1 AND p.code = $2",
        )
        .bind::<Int4, _>(fy.be())
        .bind::<Text, _>(code)
        .get_result(conn)
        .optional()?
        .ok_or_else(gone)?;
        let b = VisibleBureau::check(who, &p.bureau_code).map_err(|_| gone())?.load(conn).map_err(|_| gone())?;
        Ok((p, b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    fn who(roles: &[Role], codes: &[&str]) -> Identity {
        Identity {
            user_id: 1,
            username: "u".into(),
            display_name: String::new(),
            roles: roles.to_vec(),
            bureau_ids: vec![],
            bureau_codes: codes.iter().map(|c| c.to_string()).collect(),
            token_id: 1,
            via: crate::auth::Via::Token,
            csrf: None,
        }
    }

    #[test]
    fn a_reporter_sees_its_own_bureaus_and_nothing_else_alike() {
        let r = who(&[Role::Reporter], &["DHR"]);
        assert!(VisibleBureau::check(&r, "DHR").is_ok());
        for other in ["PSB", "NOPE", "dhr", "", "DHR\0", "../DHR"] {
            let e = VisibleBureau::check(&r, other).unwrap_err();
            assert!(matches!(e, AppError::NotFound(_)), "{other:?}: {e:?}");
        }
        assert!(matches!(require_office(&r), Err(AppError::Forbidden(_))));
        assert!(
            matches!(Scope::check(&r, None), Ok(Scope::Office)),
            "the scope itself says office; require_office refuses"
        );
    }

    #[test]
    fn everyone_else_sees_every_well_formed_code_and_the_office() {
        let e = who(&[Role::Executive], &[]);
        assert!(VisibleBureau::check(&e, "PSB").is_ok());
        assert!(VisibleBureau::check(&e, "psb").is_err(), "not a bureau code");
        assert!(require_office(&e).is_ok());
        let both = who(&[Role::Reporter, Role::Strategy], &["PSB"]);
        assert!(VisibleBureau::check(&both, "DHR").is_ok());
    }
}
