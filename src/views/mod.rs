//! Every page's HTML is built with maud, here and in each area's `views.rs`: each
//! interpolation is escaped by the compiler's generated code, so no page builds
//! HTML with `format!` and no caller has to remember to escape. This module is
//! the frame and the pieces pages share: `page` (header with who is signed in,
//! the language switch, main, footer), forms that carry their CSRF field first,
//! labelled fields that show their error, the error list naming fields, tables,
//! a chart as a figure with its data table (`figure`), the month picker. Text
//! comes from the catalogue (`crate::i18n`).

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::DOCTYPE;
pub use maud::{html, Markup, PreEscaped};
use rust_decimal::Decimal;

use crate::auth::{Identity, CSRF_FIELD};
use crate::domain::money::{fixed2, format_baht};
use crate::domain::Role;
use crate::error::FieldError;
use crate::i18n::Lang;

mod figure;
mod form;
mod table;

pub use figure::{figure, Link};
pub use form::{field, month_picker, post_form, Field, Picker};
pub use table::{table, Cell, Table};

/// A page's frame: its language, title, who is signed in, and where the same
/// page is in the other language (none: no switch).
pub struct Frame<'a> {
    pub lang: Lang,
    pub title: String,
    pub who: Option<&'a Identity>,
    pub switch: Option<String>,
}

impl<'a> Frame<'a> {
    pub fn new(lang: Lang, title: impl Into<String>, who: Option<&'a Identity>) -> Frame<'a> {
        Frame { lang, title: title.into(), who, switch: None }
    }

    /// With a link to `href` in the other language.
    pub fn switching(mut self, href: String) -> Frame<'a> {
        self.switch = Some(href);
        self
    }
}

/// A whole page: `<html lang>` says the language for screen readers.
pub fn page(frame: &Frame<'_>, body: Markup) -> Markup {
    let lang = frame.lang;
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (frame.title) " · budgetwatch" }
                link rel="stylesheet" href="/assets/site.css";
            }
            body {
                header {
                    div.bar {
                        a.brand href="/" { "budgetwatch" }
                        (account(lang, frame.who))
                    }
                    h1 { (frame.title) }
                    @if let Some(href) = &frame.switch {
                        p.switch { a href=(href) lang=(lang.other().code()) { (lang.t("common.switch")) } }
                    }
                }
                main { (body) }
                footer {
                    nav aria-label=(lang.t("common.status_nav")) {
                        a href="/healthz" { "healthz" } " · " a href="/readyz" { "readyz" } " · "
                        a href="/metrics" { "metrics" }
                    }
                }
            }
        }
    }
}

/// The answer carrying a page.
pub fn respond(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status).content_type("text/html; charset=utf-8").body(markup.into_string())
}

/// 303 to `to` (after a form's POST).
pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header(("Location", to.to_string())).finish()
}

/// Who is signed in, their account page and a sign-out form; or the sign-in link.
fn account(lang: Lang, who: Option<&Identity>) -> Markup {
    html! {
        nav.account aria-label=(lang.t("common.account_nav")) {
            @if let Some(id) = who {
                @if id.has(Role::Auditor) {
                    a href="/audit" { (lang.t("common.audit_log")) } " · "
                }
                a href="/account" { (lang.t("common.my_account")) } " · "
                span { (id.display_name) " (" (id.username) ")" }
                " "
                form method="post" action="/logout" {
                    (csrf(id))
                    button type="submit" { (lang.t("common.sign_out")) }
                }
            } @else {
                a href="/login" { (lang.t("common.sign_in")) }
            }
        }
    }
}

/// The hidden field carrying the session's CSRF token; first in every form.
pub fn csrf(who: &Identity) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(who.csrf.as_deref().unwrap_or("")); }
}

/// What went wrong, each problem naming its field, announced to screen readers.
/// A field that is an input of the page (its name is an id) is a link to it.
pub fn errors(lang: Lang, details: &[FieldError]) -> Markup {
    errors_titled(lang.t("common.errors_title"), details)
}

/// `errors` under another heading (a filter is corrected, not saved).
pub fn errors_titled(title: &str, details: &[FieldError]) -> Markup {
    let is_input = |f: &str| {
        !f.is_empty() && f.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
    };
    let items: Vec<Problem<'_>> = details
        .iter()
        .map(|d| Problem {
            input: is_input(&d.field).then_some(d.field.as_str()),
            label: &d.field,
            message: &d.message,
        })
        .collect();
    titled(title, &items)
}

/// One problem of a form: the input it is about (an id), how the page names it.
pub struct Problem<'a> {
    pub input: Option<&'a str>,
    pub label: &'a str,
    pub message: &'a str,
}

/// The list of a form's problems, each linked to its input when it has one.
pub fn problems(lang: Lang, items: &[Problem<'_>]) -> Markup {
    titled(lang.t("common.errors_title"), items)
}

fn titled(title: &str, items: &[Problem<'_>]) -> Markup {
    html! {
        @if !items.is_empty() {
            div.errors role="alert" tabindex="-1" id="errors" {
                p { (title) }
                ul {
                    @for p in items {
                        li {
                            @if let Some(id) = p.input { a href={ "#" (id) } { (p.label) } } @else { (p.label) }
                            ": " (p.message)
                        }
                    }
                }
            }
        }
    }
}

/// A success message.
pub fn notice(text: &str) -> Markup {
    html! { p.notice role="status" { (text) } }
}

/// A rate as the pages write it: "12.34%", or "-" when there is none.
pub fn pct(d: Option<Decimal>) -> String {
    d.map(|d| format!("{}%", fixed2(d))).unwrap_or_else(|| "-".into())
}

/// Baht with thousands separators and two places.
pub fn baht(d: Decimal) -> String {
    format_baht(d)
}
