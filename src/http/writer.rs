//! Who is writing: the signed-in user and the request's id, the two things every
//! audited write records. A handler that changes something takes a `Writer` and
//! runs its work through `Writer::write`, which hands the area function its
//! `audit::Actor` on the blocking pool.

use std::future::{ready, Ready};

use actix_web::{FromRequest, HttpRequest};
use diesel::PgConnection;

use super::guard::identity;
use crate::audit::Actor;
use crate::auth::Identity;
use crate::db::{self, PgPool};
use crate::error::AppError;
use crate::ops::middleware::RequestId;

#[derive(Clone, Debug)]
pub struct Writer {
    pub who: Identity,
    pub request_id: Option<String>,
}

impl Writer {
    pub fn actor(&self) -> Actor<'_> {
        Actor { user_id: Some(self.who.user_id), request_id: self.request_id.as_deref() }
    }

    /// Runs `f` on the blocking pool with this writer as the audit actor.
    pub async fn write<T, F>(&self, pool: &PgPool, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut PgConnection, Actor<'_>) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let me = self.clone();
        db::blocking(pool, move |conn| f(conn, me.actor())).await
    }
}

impl FromRequest for Writer {
    type Error = AppError;
    type Future = Ready<Result<Writer, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(identity(req).map(|who| Writer { who, request_id: RequestId::of(req) }))
    }
}
