//! Every route of the service, with who may call it, in one table. `startup`
//! registers routes only from here, each wrapped in `auth::middleware::authorize`
//! with its own `access`, so a route cannot exist without a rule. Each row
//! carries an `example` path that the table-driven authorization test calls with
//! every role.

use actix_web::body::BoxBody;
use actix_web::dev::ServiceRequest;
use actix_web::http::Method;
use actix_web::middleware::{self, Next};
use actix_web::{guard, web, Route};

use crate::auth::Access;
use crate::domain::Role::{self, *};
use crate::{
    alerts, audit, auth, charts, dashboard, delivery, ledger, monitoring, ops, pack, pages, plans, reports, users,
};

pub struct Rule {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    /// A concrete path for tests (demo data makes it meaningful).
    pub example: &'static str,
    pub route: fn() -> Route,
}

const ADMIN: &[Role] = &[Admin];
const AUDITOR: &[Role] = &[Auditor];
const ADMIN_OR_AUDITOR: &[Role] = &[Admin, Auditor];
const STRATEGY: &[Role] = &[Strategy];
const REPORTER: &[Role] = &[Reporter];
const FINANCE: &[Role] = &[Finance];
/// Who reads the ledger and its reconciliation with the reports.
const LEDGER: &[Role] = &[Finance, Strategy, SecretaryGeneral, Auditor];
/// Who orders acceleration and closes alerts.
const COMMAND: &[Role] = &[SecretaryGeneral, Strategy];
/// Everyone who sees every bureau's figures (admin sees no report content).
const SEE_ALL: &[Role] = &[Strategy, Finance, Executive, SecretaryGeneral, Auditor];
/// Those, and a reporter for its own bureau (checked by the handler).
const SEE_BUREAU: &[Role] = &[Strategy, Finance, Executive, SecretaryGeneral, Auditor, Reporter];

macro_rules! rule {
    ($m:ident $path:literal, $access:expr, $example:literal, $handler:path) => {
        Rule {
            method: Method::$m,
            path: $path,
            access: $access,
            example: $example,
            route: || route(Method::$m).to($handler),
        }
    };
}

/// A route for `method`; a GET route answers HEAD too (RFC 9110: the same
/// answer without its body, which actix leaves out).
fn route(method: Method) -> Route {
    if method == Method::GET {
        web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
    } else {
        web::method(method)
    }
}

pub fn table() -> Vec<Rule> {
    use Access::*;
    vec![
        rule!(GET "/", Public, "/", pages::index),
        rule!(GET "/assets/site.css", Public, "/assets/site.css", pages::site_css),
        rule!(GET "/assets/fonts/{file}", Public, "/assets/fonts/Sarabun-Regular.ttf", pages::font),
        rule!(GET "/healthz", Public, "/healthz", ops::routes::healthz),
        rule!(GET "/readyz", Public, "/readyz", ops::routes::readyz),
        rule!(GET "/metrics", Public, "/metrics", ops::routes::metrics),
        rule!(GET "/login", Public, "/login", auth::routes::login_form),
        rule!(POST "/login", Public, "/login", auth::routes::login_submit),
        rule!(POST "/logout", SignedIn, "/logout", auth::routes::logout),
        rule!(POST "/api/v1/auth/login", Public, "/api/v1/auth/login", auth::routes::api_login),
        rule!(POST "/api/v1/auth/logout", SignedIn, "/api/v1/auth/logout", auth::routes::api_logout),
        rule!(GET "/api/v1/me", SignedIn, "/api/v1/me", auth::routes::me),
        rule!(GET "/api/v1/tokens", SignedIn, "/api/v1/tokens", auth::routes::list_tokens),
        rule!(POST "/api/v1/tokens", SignedIn, "/api/v1/tokens", auth::routes::create_token),
        rule!(POST "/api/v1/me/password", SignedIn, "/api/v1/me/password", auth::routes::change_password),
        rule!(GET "/account", SignedIn, "/account", auth::pages::page),
        rule!(POST "/account/tokens", SignedIn, "/account/tokens", auth::pages::create_token),
        rule!(POST "/account/tokens/{id}/revoke", SignedIn, "/account/tokens/999999/revoke", auth::pages::revoke_token),
        rule!(POST "/account/password", SignedIn, "/account/password", auth::pages::change_password),
        rule!(POST "/api/v1/tokens/{id}/revoke", SignedIn, "/api/v1/tokens/999999/revoke", auth::routes::revoke_token),
        rule!(GET "/api/v1/users", Roles(ADMIN_OR_AUDITOR), "/api/v1/users", users::routes::list_users),
        rule!(POST "/api/v1/users", Roles(ADMIN), "/api/v1/users", users::routes::create_user),
        rule!(POST "/api/v1/users/{username}/deactivate", Roles(ADMIN), "/api/v1/users/nobody-here/deactivate", users::routes::deactivate_user),
        rule!(GET "/api/v1/bureaus", SignedIn, "/api/v1/bureaus", users::routes::list_bureaus),
        rule!(POST "/api/v1/bureaus", Roles(ADMIN), "/api/v1/bureaus", users::routes::create_bureau),
        rule!(PUT "/api/v1/bureaus/{code}", Roles(ADMIN), "/api/v1/bureaus/NOPE", users::routes::update_bureau),
        rule!(GET "/api/v1/fiscal-years", SignedIn, "/api/v1/fiscal-years", plans::routes::list_years),
        rule!(POST "/api/v1/fiscal-years", Roles(STRATEGY), "/api/v1/fiscal-years", plans::routes::create_year),
        rule!(GET "/api/v1/fiscal-years/{fy}", SignedIn, "/api/v1/fiscal-years/2566", plans::routes::get_year),
        rule!(PUT "/api/v1/fiscal-years/{fy}/settings", Roles(STRATEGY), "/api/v1/fiscal-years/2599/settings", plans::routes::update_settings),
        rule!(PUT "/api/v1/fiscal-years/{fy}/kpi-levels", Roles(STRATEGY), "/api/v1/fiscal-years/2599/kpi-levels", plans::routes::set_kpi_levels),
        rule!(PUT "/api/v1/fiscal-years/{fy}/cabinet-targets", Roles(STRATEGY), "/api/v1/fiscal-years/2599/cabinet-targets", plans::routes::set_cabinet_targets),
        rule!(POST "/api/v1/fiscal-years/{fy}/projects", Roles(STRATEGY), "/api/v1/fiscal-years/2599/projects", plans::routes::create_project),
        rule!(PUT "/api/v1/fiscal-years/{fy}/projects/{code}/plans", Roles(STRATEGY), "/api/v1/fiscal-years/2599/projects/X/plans", plans::routes::set_plans),
        rule!(GET "/api/v1/fiscal-years/{fy}/adjustments", Roles(SEE_ALL), "/api/v1/fiscal-years/2566/adjustments", plans::routes::list_adjustments),
        rule!(POST "/api/v1/fiscal-years/{fy}/adjustments", Roles(STRATEGY), "/api/v1/fiscal-years/2599/adjustments", plans::routes::create_adjustment),
        rule!(GET "/api/v1/fiscal-years/{fy}/plan.xlsx", Roles(SEE_ALL), "/api/v1/fiscal-years/2566/plan.xlsx", plans::routes::export_plan),
        rule!(POST "/api/v1/fiscal-years/{fy}/plan.xlsx", Roles(STRATEGY), "/api/v1/fiscal-years/2599/plan.xlsx", plans::routes::import_plan),
        rule!(GET "/api/v1/fiscal-years/{fy}/calendar", SignedIn, "/api/v1/fiscal-years/2570/calendar", plans::tools::api_calendar),
        rule!(PUT "/api/v1/fiscal-years/{fy}/holidays", Roles(STRATEGY), "/api/v1/fiscal-years/2599/holidays", plans::tools::api_set_holidays),
        rule!(POST "/api/v1/fiscal-years/{fy}/projects/{code}/respread", Roles(STRATEGY), "/api/v1/fiscal-years/2599/projects/X/respread", plans::tools::api_respread),
        rule!(PUT "/api/v1/fiscal-years/{fy}/projects/{code}/classification", Roles(STRATEGY), "/api/v1/fiscal-years/2599/projects/X/classification", plans::tools::api_classify),
        rule!(GET "/plan/{fy}", Roles(SEE_ALL), "/plan/2566", plans::pages::page),
        rule!(GET "/plan/{fy}/calendar", Roles(SEE_ALL), "/plan/2570/calendar", plans::tools::calendar_page),
        rule!(POST "/plan/{fy}/holidays", Roles(STRATEGY), "/plan/2599/holidays", plans::tools::add_holiday),
        rule!(POST "/plan/{fy}/holidays/{day}/delete", Roles(STRATEGY), "/plan/2599/holidays/2099-01-01/delete", plans::tools::remove_holiday),
        rule!(POST "/plan/{fy}/months/{month}/lock", Roles(STRATEGY), "/plan/2599/months/1/lock", plans::tools::lock_month),
        rule!(POST "/plan/{fy}/months/{month}/reopen", Roles(STRATEGY), "/plan/2599/months/1/reopen", plans::tools::reopen_month),
        rule!(POST "/plan/{fy}/projects/{code}/respread", Roles(STRATEGY), "/plan/2599/projects/X/respread", plans::tools::respread_form),
        rule!(POST "/plan/{fy}/classification", Roles(STRATEGY), "/plan/2599/classification", plans::tools::classify_form),
        rule!(POST "/plan/{fy}/adjustments", Roles(STRATEGY), "/plan/2599/adjustments", plans::pages::submit_adjustment),
        rule!(POST "/plan/{fy}/settings", Roles(STRATEGY), "/plan/2599/settings", plans::pages::submit_settings),
        rule!(POST "/fiscal-years/new", Roles(STRATEGY), "/fiscal-years/new", plans::pages::submit_new_year),
        rule!(POST "/plan/{fy}/upload", Roles(STRATEGY), "/plan/2599/upload", plans::pages::submit_upload),
        rule!(GET "/api/v1/fiscal-years/{fy}/charts/{chart}", Roles(SEE_BUREAU), "/api/v1/fiscal-years/2566/charts/s-curve.svg?month=12&bureau=PSB", charts::routes::chart),
        rule!(GET "/api/v1/fiscal-years/{fy}/summary", Roles(SEE_ALL), "/api/v1/fiscal-years/2566/summary", monitoring::routes::office_summary),
        rule!(GET "/api/v1/fiscal-years/{fy}/bureaus/{code}/summary", Roles(SEE_BUREAU), "/api/v1/fiscal-years/2566/bureaus/PSB/summary", monitoring::routes::bureau_summary),
        rule!(GET "/api/v1/reports/{fy}/{month}/{bureau}", Roles(SEE_BUREAU), "/api/v1/reports/2566/12/PSB", reports::routes::get_report),
        rule!(PUT "/api/v1/reports/{fy}/{month}/{bureau}", Roles(REPORTER), "/api/v1/reports/2599/1/PSB", reports::routes::put_report),
        rule!(GET "/api/v1/reports/{fy}/{month}/{bureau}/revisions", Roles(SEE_BUREAU), "/api/v1/reports/2566/12/PSB/revisions", reports::routes::list_revisions),
        rule!(POST "/api/v1/fiscal-years/{fy}/months/{month}/lock", Roles(STRATEGY), "/api/v1/fiscal-years/2599/months/1/lock", reports::routes::lock_month),
        rule!(POST "/api/v1/fiscal-years/{fy}/months/{month}/reopen", Roles(STRATEGY), "/api/v1/fiscal-years/2599/months/1/reopen", reports::routes::reopen_month),
        rule!(GET "/api/v1/reports/{fy}/{month}/{bureau}/template.xlsx", Roles(SEE_BUREAU), "/api/v1/reports/2566/12/PSB/template.xlsx", reports::routes::template),
        rule!(POST "/api/v1/reports/{fy}/{month}/{bureau}/import", Roles(REPORTER), "/api/v1/reports/2599/1/PSB/import", reports::routes::import),
        rule!(GET "/reports/{fy}/{month}/{bureau}", Roles(SEE_BUREAU), "/reports/2566/12/PSB", reports::pages::page),
        rule!(POST "/reports/{fy}/{month}/{bureau}", Roles(REPORTER), "/reports/2599/1/PSB", reports::pages::post),
        rule!(POST "/reports/{fy}/{month}/{bureau}/import", Roles(REPORTER), "/reports/2599/1/PSB/import", reports::pages::import),
        rule!(GET "/reports/{fy}/{month}/{bureau}/revisions", Roles(SEE_BUREAU), "/reports/2566/12/PSB/revisions", reports::pages::history),
        rule!(GET "/api/v1/alerts", Roles(SEE_BUREAU), "/api/v1/alerts", alerts::routes::api_list),
        rule!(POST "/api/v1/alerts/{id}/acknowledge", Roles(COMMAND), "/api/v1/alerts/999999/acknowledge", alerts::routes::acknowledge),
        rule!(POST "/api/v1/alerts/{id}/follow-ups", Roles(COMMAND), "/api/v1/alerts/999999/follow-ups", alerts::routes::follow_up),
        rule!(POST "/api/v1/alerts/{id}/resolve", Roles(COMMAND), "/api/v1/alerts/999999/resolve", alerts::routes::resolve),
        rule!(POST "/api/v1/follow-ups/{id}/respond", Roles(REPORTER), "/api/v1/follow-ups/999999/respond", alerts::routes::respond),
        rule!(GET "/dashboard", Roles(SEE_ALL), "/dashboard", dashboard::current),
        rule!(GET "/dashboard/{fy}", Roles(SEE_ALL), "/dashboard/2566?month=12", dashboard::office),
        rule!(GET "/dashboard/{fy}/bureaus/{code}", Roles(SEE_BUREAU), "/dashboard/2566/bureaus/PSB?month=12", dashboard::bureau),
        rule!(GET "/dashboard/{fy}/projects/{code}", Roles(SEE_BUREAU), "/dashboard/2566/projects/PSB-01?month=12", dashboard::project),
        rule!(GET "/meeting-pack/{fy}/{m}", Roles(SEE_ALL), "/meeting-pack/2566/12.pdf", pack::routes::pack),
        rule!(GET "/alerts", Roles(SEE_ALL), "/alerts", alerts::pages::page),
        rule!(POST "/alerts/{id}/acknowledge", Roles(COMMAND), "/alerts/999999/acknowledge", alerts::pages::acknowledge),
        rule!(POST "/alerts/{id}/follow-up", Roles(COMMAND), "/alerts/999999/follow-up", alerts::pages::follow_up),
        rule!(POST "/alerts/{id}/resolve", Roles(COMMAND), "/alerts/999999/resolve", alerts::pages::resolve),
        rule!(GET "/follow-ups", Roles(REPORTER), "/follow-ups", alerts::pages::follow_ups),
        rule!(POST "/follow-ups/{id}/respond", Roles(REPORTER), "/follow-ups/999999/respond", alerts::pages::respond),
        rule!(GET "/api/v1/outbox", Roles(ADMIN), "/api/v1/outbox", delivery::routes::list),
        rule!(POST "/api/v1/outbox/{id}/retry", Roles(ADMIN), "/api/v1/outbox/999999/retry", delivery::routes::retry),
        rule!(POST "/api/v1/ledger/imports", Roles(FINANCE), "/api/v1/ledger/imports", ledger::routes::create_import),
        rule!(GET "/api/v1/ledger/imports", Roles(LEDGER), "/api/v1/ledger/imports", ledger::routes::list_imports),
        rule!(GET "/api/v1/fiscal-years/{fy}/reconciliation", Roles(LEDGER), "/api/v1/fiscal-years/2566/reconciliation", ledger::routes::reconciliation),
        rule!(GET "/api/v1/fiscal-years/{fy}/reconciliation/{code}", Roles(LEDGER), "/api/v1/fiscal-years/2566/reconciliation/DHR", ledger::routes::bureau_reconciliation),
        rule!(GET "/ledger", Roles(LEDGER), "/ledger", ledger::pages::index),
        rule!(POST "/ledger/imports", Roles(FINANCE), "/ledger/imports", ledger::pages::upload),
        rule!(GET "/ledger/reconciliation", Roles(LEDGER), "/ledger/reconciliation", ledger::pages::office),
        rule!(GET "/ledger/reconciliation/{code}", Roles(LEDGER), "/ledger/reconciliation/DHR", ledger::pages::bureau),
        rule!(GET "/ledger/carry-over", Roles(LEDGER), "/ledger/carry-over", ledger::pages::carry_over),
        rule!(GET "/ledger/documents/{code}", Roles(LEDGER), "/ledger/documents/DHR-01", ledger::pages::documents),
        rule!(GET "/api/v1/audit-events", Roles(AUDITOR), "/api/v1/audit-events", audit::routes::api_list),
        rule!(GET "/audit", Roles(AUDITOR), "/audit", audit::pages::page),
        rule!(GET "/audit.csv", Roles(AUDITOR), "/audit.csv", audit::routes::csv),
    ]
}

/// The methods the table serves at `path` (empty when no route matches it), for
/// `Allow` on a 405.
pub fn methods_at(path: &str) -> Vec<Method> {
    static DEFS: std::sync::OnceLock<Vec<(actix_web::dev::ResourceDef, Method)>> = std::sync::OnceLock::new();
    let defs = DEFS
        .get_or_init(|| table().into_iter().map(|r| (actix_web::dev::ResourceDef::new(r.path), r.method)).collect());
    let mut methods: Vec<Method> = defs.iter().filter(|(d, _)| d.is_match(path)).map(|(_, m)| m.clone()).collect();
    if methods.contains(&Method::GET) {
        methods.push(Method::HEAD);
    }
    methods.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    methods.dedup();
    methods
}

/// Registers every route of the table, each as its own resource guarded by its
/// method and wrapped in its own access check. The check therefore belongs to the
/// route that actually serves the request, even where two patterns match the same
/// path (`/plan/new-year` and `/plan/{fy}`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    for rule in table() {
        let access = rule.access;
        let method = rule.method.clone();
        let serves = move |ctx: &guard::GuardContext<'_>| {
            ctx.head().method == method || (method == Method::GET && ctx.head().method == Method::HEAD)
        };
        cfg.service(
            web::resource(rule.path)
                .guard(guard::fn_guard(serves))
                .wrap(middleware::from_fn(move |req: ServiceRequest, next: Next<BoxBody>| {
                    auth::middleware::authorize(access, req, next)
                }))
                .route((rule.route)()),
        );
    }
}
