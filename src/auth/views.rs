//! The sign-in page's and the account page's markup.

use chrono::Utc;

use super::account::TokenView;
use super::{Identity, CSRF_FIELD};
use crate::domain::fiscal::thai_datetime;
use crate::error::FieldError;
use crate::i18n::Lang;
use crate::views::{self, html, post_form, Markup};

/// The sign-in form (its CSRF token is the double-submit cookie's, since there is
/// no session yet); an error is announced and describes both fields.
pub fn login(lang: Lang, csrf: &str, next: &str, error: Option<&str>, username: &str) -> Markup {
    let described = error.map(|_| "login-error");
    html! {
        @if let Some(e) = error {
            div.errors role="alert" id="login-error" { p { (e) } }
        }
        form.signin method="post" action={ "/login" (lang.query(true)) } {
            input type="hidden" name=(CSRF_FIELD) value=(csrf);
            input type="hidden" name="next" value=(next);
            p {
                label for="username" { (lang.t("login.username")) }
                input id="username" name="username" autocomplete="username" required value=(username)
                    aria-describedby=[described];
            }
            p {
                label for="password" { (lang.t("login.password")) }
                input id="password" name="password" type="password" autocomplete="current-password" required
                    aria-describedby=[described];
            }
            p { button type="submit" { (lang.t("common.sign_in")) } }
        }
    }
}

/// What the account page shows besides the lists: a notice, errors, or a new token.
#[derive(Default)]
pub struct Outcome {
    pub notice: Option<&'static str>,
    pub errors: Vec<FieldError>,
    pub new_token: Option<String>,
}

fn tokens_table(lang: Lang, who: &Identity, tokens: &[TokenView]) -> Markup {
    let now = Utc::now();
    let when = |t: Option<chrono::DateTime<Utc>>| t.map(thai_datetime).unwrap_or_else(|| "-".into());
    html! {
        table {
            caption { (lang.t("account.tokens_caption")) }
            thead { tr {
                th scope="col" { (lang.t("account.col.name")) } th scope="col" { (lang.t("account.col.created")) }
                th scope="col" { (lang.t("account.col.used")) } th scope="col" { (lang.t("account.col.expires")) }
                th scope="col" { (lang.t("account.col.state")) }
            } }
            tbody {
                @if tokens.is_empty() { tr { td colspan="5" { (lang.t("account.no_tokens")) } } }
                @for t in tokens {
                    tr {
                        th scope="row" { @if t.label.is_empty() { (lang.t("account.unnamed")) } @else { (t.label) } }
                        td { (thai_datetime(t.created_at)) }
                        td { (when(t.last_used_at)) }
                        td { (thai_datetime(t.expires_at)) }
                        td {
                            @if t.is_live(now) {
                                (post_form(&format!("/account/tokens/{}/revoke{}", t.id, lang.query(true)), who, None, false, html! {
                                    button.secondary type="submit" aria-label={ (lang.t("account.revoke")) " " (t.label) } { (lang.t("account.revoke")) }
                                }))
                            } @else if t.revoked_at.is_some() {
                                (lang.f("account.revoked_at", &[("at", &when(t.revoked_at))]))
                            } @else {
                                (lang.t("account.expired"))
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn account(lang: Lang, who: &Identity, tokens: &[TokenView], outcome: &Outcome) -> Markup {
    html! {
        @if let Some(n) = outcome.notice { (views::notice(n)) }
        (views::errors(lang, &outcome.errors))
        @if let Some(token) = &outcome.new_token {
            section.notice aria-labelledby="new-token-h" {
                h2 id="new-token-h" { (lang.t("account.new_token_title")) }
                p { (lang.t("account.new_token_copy")) }
                p { code id="new-token" { (token) } }
            }
        }
        section aria-labelledby="tokens-h" {
            h2 id="tokens-h" { (lang.t("account.tokens_title")) }
            (tokens_table(lang, who, tokens))
            h3 { (lang.t("account.create_title")) }
            (post_form(&format!("/account/tokens{}", lang.query(true)), who, Some("stacked"), false, html! {
                p { label for="label" { (lang.t("account.label")) } input id="label" name="label" maxlength="100"; }
                p { label for="days" { (lang.t("account.days")) } input id="days" name="days" type="number" min="1" max="730" value="90"; }
                p {
                    label for="token-password" { (lang.t("account.confirm_password")) }
                    input id="token-password" name="password" type="password" autocomplete="current-password" required;
                }
                p { button type="submit" { (lang.t("account.create")) } }
            }))
        }
        section aria-labelledby="password-h" {
            h2 id="password-h" { (lang.t("account.password_title")) }
            p { (lang.t("account.password_rules")) }
            (post_form(&format!("/account/password{}", lang.query(true)), who, Some("stacked"), false, html! {
                p {
                    label for="current_password" { (lang.t("account.current_password")) }
                    input id="current_password" name="current_password" type="password" autocomplete="current-password" required;
                }
                p {
                    label for="new_password" { (lang.t("account.new_password")) }
                    input id="new_password" name="new_password" type="password" autocomplete="new-password" minlength="10" required;
                }
                p { button type="submit" { (lang.t("account.change_password")) } }
            }))
        }
    }
}
