//! The language a page is asked in: `?lang=en` for English, Thai otherwise. A
//! form's action carries the query string, so a POST answers in the language of
//! the page it came from.

use std::future::{ready, Ready};

use actix_web::{FromRequest, HttpRequest};

use crate::error::AppError;
use crate::i18n::Lang;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageLang(pub Lang);

impl FromRequest for PageLang {
    type Error = AppError;
    type Future = Ready<Result<PageLang, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let english = req.query_string().split('&').any(|pair| pair == "lang=en");
        ready(Ok(PageLang(if english { Lang::En } else { Lang::Th })))
    }
}
