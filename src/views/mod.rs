//! Every page's HTML, built with maud: each interpolation is escaped by the
//! compiler's generated code, so no page builds HTML with `format!` or asks a
//! caller to remember to escape. `page` is the frame (header with who is signed
//! in, main, footer); the components are the pieces pages share: the CSRF field
//! of a form, the list of errors naming their fields, a notice.

use maud::DOCTYPE;
pub use maud::{html, Markup, PreEscaped};

use crate::auth::{Identity, CSRF_FIELD};
use crate::domain::Role;
use crate::error::FieldError;
use crate::i18n::Lang;

/// A whole page: `<html lang>` says the language for screen readers.
pub fn page(lang: Lang, title: &str, who: Option<&Identity>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · budgetwatch" }
                link rel="stylesheet" href="/assets/site.css";
            }
            body {
                header {
                    div.bar {
                        a.brand href="/" { "budgetwatch" }
                        (account(who))
                    }
                    h1 { (title) }
                }
                main { (body) }
                footer {
                    nav aria-label="สถานะระบบ" {
                        a href="/healthz" { "healthz" } " · " a href="/readyz" { "readyz" } " · "
                        a href="/metrics" { "metrics" }
                    }
                }
            }
        }
    }
}

/// Who is signed in, their account page and a sign-out form; or the sign-in link.
fn account(who: Option<&Identity>) -> Markup {
    html! {
        nav.account aria-label="บัญชีผู้ใช้" {
            @if let Some(id) = who {
                @if id.has(Role::Auditor) {
                    a href="/audit" { "บันทึกการตรวจสอบ" } " · "
                }
                a href="/account" { "บัญชีของฉัน" } " · "
                span { (id.display_name) " (" (id.username) ")" }
                " "
                form method="post" action="/logout" {
                    (csrf(id))
                    button type="submit" { "ออกจากระบบ" }
                }
            } @else {
                a href="/login" { "เข้าสู่ระบบ" }
            }
        }
    }
}

/// The hidden field carrying the session's CSRF token; first in every form.
pub fn csrf(who: &Identity) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(who.csrf.as_deref().unwrap_or("")); }
}

/// What went wrong, each problem naming its field, announced to screen readers.
pub fn errors(title: &str, details: &[FieldError]) -> Markup {
    html! {
        @if !details.is_empty() {
            div.errors role="alert" {
                p { (title) }
                ul { @for d in details { li { (d.field) ": " (d.message) } } }
            }
        }
    }
}

/// A success message.
pub fn notice(text: &str) -> Markup {
    html! { p.notice role="status" { (text) } }
}

/// A page body built elsewhere as HTML text, put into the frame as it is. Only
/// for pages not yet written with maud; their text is escaped where it is built.
pub fn trusted(html: &str) -> Markup {
    PreEscaped(html.to_string())
}
