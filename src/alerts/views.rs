//! The markup of the secretary-general's inbox and of a bureau's orders page.
//! Each alert is an article headed by its severity, kind and scope; the forms
//! that act on it carry the page's language in their action, and a refused
//! action names its fields as links to the inputs of the alert it was about.

use chrono::{DateTime, NaiveDate, Utc};

use super::routes::{AlertView, FollowUpView};
use super::{AlertStatus, FollowUpStatus, Severity, TEXT_MAX};
use crate::auth::Identity;
use crate::domain::fiscal::{bangkok, bangkok_date, thai_date, thai_datetime};
use crate::error::FieldError;
use crate::i18n::Lang;
use crate::views::{html, notice, post_form, problems, Markup, Problem};

/// A refused action: the alert (or follow-up) it was about and what was wrong.
pub struct Refusal<'a> {
    pub about: i64,
    pub details: &'a [FieldError],
}

/// The inbox's state beyond its alerts.
pub struct Inbox<'a> {
    pub alerts: &'a [AlertView],
    pub refusal: Option<Refusal<'a>>,
    pub notice: Option<&'a str>,
    pub today: NaiveDate,
    /// Whether the reader may acknowledge, order and resolve.
    pub can_act: bool,
}

fn when(lang: Lang, at: DateTime<Utc>) -> String {
    match lang {
        Lang::Th => thai_datetime(at),
        Lang::En => at.with_timezone(&bangkok()).format("%-d %b %Y %H:%M").to_string(),
    }
}

fn day(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Th => thai_date(d),
        Lang::En => d.format("%-d %b %Y").to_string(),
    }
}

fn class(s: Severity) -> &'static str {
    s.as_str()
}

/// The problems of a refused action, each linked to `{field}-{about}`, the input
/// of the article it was about; a problem that is not an input's is plain.
fn refused(lang: Lang, refusal: &Option<Refusal<'_>>) -> Markup {
    let Some(r) = refusal else { return html! {} };
    let ids: Vec<Option<String>> = r
        .details
        .iter()
        .map(|d| {
            ["instruction", "due_on", "note", "response"]
                .contains(&d.field.as_str())
                .then(|| format!("{}-{}", d.field, r.about))
        })
        .collect();
    let items: Vec<Problem<'_>> = r
        .details
        .iter()
        .zip(&ids)
        .map(|(d, id)| Problem { input: id.as_deref(), label: &d.field, message: &d.message })
        .collect();
    problems(lang, &items)
}

fn follow_up_line(lang: Lang, f: &FollowUpView) -> Markup {
    html! {
        li {
            (lang.f("alerts.follow_line", &[
                ("instruction", &f.instruction),
                ("due", &day(lang, f.due_on)),
                ("status", &lang.t(f.status.label())),
            ]))
            @if let Some(r) = &f.response { " " (lang.f("alerts.answered", &[("answer", r)])) }
        }
    }
}

fn actions(lang: Lang, who: &Identity, a: &AlertView) -> Markup {
    let id = a.id;
    let q = lang.query(true);
    html! {
        @if a.status == AlertStatus::Open {
            (post_form(&format!("/alerts/{id}/acknowledge{q}"), who, None, false, html! {
                button type="submit" class="secondary" { (lang.t("alerts.acknowledge")) }
            }))
        }
        (post_form(&format!("/alerts/{id}/follow-up{q}"), who, Some("inline"), false, html! {
            label for={ "instruction-" (id) } { (lang.t("alerts.instruction")) }
            input id={ "instruction-" (id) } name="instruction" required maxlength=(TEXT_MAX);
            label for={ "due_on-" (id) } { (lang.t("alerts.due_on")) }
            input id={ "due_on-" (id) } name="due_on" type="date" required;
            button type="submit" { (lang.t("alerts.order")) }
        }))
        (post_form(&format!("/alerts/{id}/resolve{q}"), who, Some("inline"), false, html! {
            label for={ "note-" (id) } { (lang.t("alerts.note")) }
            input id={ "note-" (id) } name="note" maxlength=(TEXT_MAX);
            button type="submit" class="secondary" { (lang.t("alerts.resolve")) }
        }))
    }
}

/// Open alerts, most severe and oldest first, with what has been ordered and
/// answered, and the actions for those who command.
pub fn inbox(lang: Lang, who: &Identity, page: &Inbox<'_>) -> Markup {
    let open: Vec<&AlertView> = page.alerts.iter().filter(|a| a.status != AlertStatus::Resolved).collect();
    html! {
        @if let Some(n) = page.notice { (notice(n)) }
        (refused(lang, &page.refusal))
        p { (lang.f("alerts.count", &[("n", &open.len())])) }
        @if open.is_empty() { p { (lang.t("alerts.none")) } }
        @for a in open {
            @let days = (page.today - bangkok_date(a.created_at)).num_days().max(0);
            article class={ "alert " (class(a.severity)) } aria-labelledby={ "alert-" (a.id) } {
                h2 id={ "alert-" (a.id) } {
                    span.badge { (lang.t(a.severity.label())) } " "
                    (lang.t(a.kind.label())) " · "
                    (a.bureau_code.as_deref().unwrap_or(lang.t("alerts.office")))
                }
                p { (if lang == Lang::En { &a.message_en } else { &a.message_th }) }
                p.meta {
                    (lang.f("alerts.meta", &[
                        ("status", &lang.t(a.status.label())),
                        ("at", &when(lang, a.created_at)),
                        ("days", &days),
                    ]))
                }
                @if !a.follow_ups.is_empty() {
                    ul { @for f in &a.follow_ups { (follow_up_line(lang, f)) } }
                }
                @if page.can_act { (actions(lang, who, a)) }
            }
        }
    }
}

/// The orders addressed to the reader's bureaus that are still open, each with
/// the form to answer it or the answer given.
pub fn follow_ups(
    lang: Lang,
    who: &Identity,
    alerts: &[AlertView],
    refusal: Option<Refusal<'_>>,
    done: Option<&str>,
) -> Markup {
    let orders: Vec<(&AlertView, &FollowUpView)> = alerts
        .iter()
        .filter(|a| a.status != AlertStatus::Resolved)
        .flat_map(|a| a.follow_ups.iter().map(move |f| (a, f)))
        .collect();
    html! {
        @if let Some(n) = done { (notice(n)) }
        (refused(lang, &refusal))
        @if orders.is_empty() { p { (lang.t("follow_ups.none")) } }
        @for (a, f) in orders {
            article class={ "alert " (class(a.severity)) } aria-labelledby={ "order-" (f.id) } {
                h2 id={ "order-" (f.id) } { (lang.f("follow_ups.heading", &[("instruction", &f.instruction)])) }
                p {
                    (lang.f("follow_ups.meta", &[
                        ("due", &day(lang, f.due_on)),
                        ("about", if lang == Lang::En { &a.message_en } else { &a.message_th }),
                    ]))
                }
                @if f.status == FollowUpStatus::Ordered {
                    (post_form(&format!("/follow-ups/{}/respond{}", f.id, lang.query(true)), who, Some("stacked"), false, html! {
                        p {
                            label for={ "response-" (f.id) } { (lang.t("follow_ups.response")) }
                            textarea id={ "response-" (f.id) } name="response" rows="3" required maxlength=(TEXT_MAX) {}
                        }
                        p { button type="submit" { (lang.t("follow_ups.send")) } }
                    }))
                } @else {
                    p { (lang.f("follow_ups.answered", &[("answer", &f.response.as_deref().unwrap_or(""))])) }
                }
            }
        }
    }
}
