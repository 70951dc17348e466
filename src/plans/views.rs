//! The plan pages' markup: the year's plan (projects, adjustments and, for
//! strategy, the forms that change them), the calendar (due dates, locks,
//! holidays) and a re-spread's preview. Handlers in `pages` and `tools` gather
//! the data; everything a person reads comes from the catalogue.

use rust_decimal::Decimal;

use super::calendar::{Holiday, MonthDue};
use super::queries::PlanRow;
use super::respread::{Respread, Unbalanced};
use super::{AdjustmentView, YearView};
use crate::auth::Identity;
use crate::domain::fiscal::thai_date;
use crate::domain::plan::Spread;
use crate::domain::{Category, EconomicClass, FiscalMonth, FiscalYear, Role};
use crate::error::FieldError;
use crate::i18n::Lang;
use crate::views::{self, baht, field, html, post_form, table, Cell, Field, Markup, Table};

/// What the plan page shows.
pub struct PlanData {
    pub year: YearView,
    pub projects: Vec<PlanRow>,
    pub adjustments: Vec<AdjustmentView>,
    pub unbalanced: Vec<Unbalanced>,
}

/// The adjustment form as sent (kept when it is refused).
#[derive(serde::Deserialize, Default, Clone)]
pub struct AdjustmentForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub project: String,
    #[serde(default)]
    pub from_project: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub effective_on: String,
    #[serde(default)]
    pub reason: String,
}

/// The settings form (settings, KPI levels, cabinet targets) as sent.
#[derive(serde::Deserialize, Default, Clone)]
pub struct SettingsForm {
    #[serde(default)]
    pub due_day: String,
    #[serde(default)]
    pub warn_lag_pp: String,
    #[serde(default)]
    pub critical_lag_pp: String,
    #[serde(default)]
    pub ledger_tolerance_pct: String,
    #[serde(default)]
    pub carry_over_until: String,
    #[serde(default)]
    pub plan_published: Option<String>,
    #[serde(default)]
    pub level_1: String,
    #[serde(default)]
    pub level_2: String,
    #[serde(default)]
    pub level_3: String,
    #[serde(default)]
    pub level_4: String,
    #[serde(default)]
    pub level_5: String,
    /// `q1_overall` … `q4_capital`, in a flat map since forms are flat.
    #[serde(flatten)]
    pub targets: std::collections::BTreeMap<String, String>,
}

impl SettingsForm {
    pub fn from_year(y: &YearView) -> SettingsForm {
        use crate::domain::money::fixed2;
        let level = |i: usize| y.kpi_levels.get(i).cloned().unwrap_or_default();
        let targets =
            y.cabinet_targets.iter().map(|t| (format!("q{}_{}", t.quarter, t.scope), fixed2(t.target_pct))).collect();
        SettingsForm {
            due_day: y.due_day.to_string(),
            warn_lag_pp: fixed2(y.warn_lag_pp),
            critical_lag_pp: fixed2(y.critical_lag_pp),
            ledger_tolerance_pct: fixed2(y.ledger_tolerance_pct),
            carry_over_until: y.carry_over_until.map(|d| d.to_string()).unwrap_or_default(),
            plan_published: y.plan_published.then(|| "on".to_string()),
            level_1: level(0),
            level_2: level(1),
            level_3: level(2),
            level_4: level(3),
            level_5: level(4),
            targets,
        }
    }

    pub fn levels(&self) -> [&String; 5] {
        [&self.level_1, &self.level_2, &self.level_3, &self.level_4, &self.level_5]
    }
}

/// The state of the page's forms: what was sent, what went wrong, what was done.
#[derive(Default)]
pub struct FormState<'a> {
    pub adjustment: AdjustmentForm,
    pub settings: Option<SettingsForm>,
    pub errors: &'a [FieldError],
    pub notice: Option<String>,
}

pub fn category_name(lang: Lang, c: Category) -> &'static str {
    lang.t(match c {
        Category::Personnel => "category.personnel",
        Category::Operating => "category.operating",
        Category::Investment => "category.investment",
        Category::Subsidy => "category.subsidy",
        Category::Other => "category.other",
    })
}

pub fn class_name(lang: Lang, c: EconomicClass) -> &'static str {
    lang.t(match c {
        EconomicClass::Current => "class.current",
        EconomicClass::Capital => "class.capital",
    })
}

fn kind_name(lang: Lang, kind: &str) -> &'static str {
    lang.t(match kind {
        "transfer_in" => "plan.kind.transfer_in",
        "transfer_out" => "plan.kind.transfer_out",
        "cut" => "plan.kind.cut",
        "addition" => "plan.kind.addition",
        _ => "plan.kind.other",
    })
}

fn spread_name(lang: Lang, s: Spread) -> &'static str {
    lang.t(match s {
        Spread::Proportional => "respread.proportional",
        Spread::Evenly => "respread.even",
    })
}

/// `/plan/{fy}` with the page's language.
fn plan_href(lang: Lang, fy: FiscalYear) -> String {
    format!("/plan/{fy}{}", lang.query(true))
}

/// The plan page's body.
pub fn plan_page(lang: Lang, fy: FiscalYear, who: &Identity, data: &PlanData, form: &FormState<'_>) -> Markup {
    let total: Decimal = data.projects.iter().map(|p| p.allocation).sum();
    let strategy = who.has(Role::Strategy);
    html! {
        @if let Some(n) = &form.notice { (views::notice(n)) }
        (views::errors(lang, form.errors))
        p {
            (lang.f("plan.total", &[("fy", &fy), ("total", &baht(total)), ("count", &data.projects.len())])) " · "
            a href={ "/api/v1/fiscal-years/" (fy) "/plan.xlsx" } { (lang.t("plan.download")) }
        }
        p { a href={ "/plan/" (fy) "/calendar" (lang.query(true)) } { (lang.t("plan.calendar_link")) } }
        @if strategy {
            (adjustment_section(lang, fy, who, data, &form.adjustment, form.errors))
            (upload_section(lang, fy, who))
            (unbalanced_section(lang, fy, who, &data.unbalanced))
            (class_section(lang, fy, who))
            (settings_section(lang, fy, who, form.settings.as_ref().unwrap_or(&SettingsForm::from_year(&data.year)), form.errors))
        }
        (projects_table(lang, &data.projects))
        (adjustments_table(lang, &data.adjustments))
    }
}

fn adjustment_section(
    lang: Lang,
    fy: FiscalYear,
    who: &Identity,
    data: &PlanData,
    f: &AdjustmentForm,
    errors: &[FieldError],
) -> Markup {
    let action = format!("/plan/{fy}/adjustments{}", lang.query(true));
    html! {
        section aria-labelledby="adjust-h" {
            h2 id="adjust-h" { (lang.t("plan.adjust.title")) }
            (post_form(&action, who, Some("stacked"), false, html! {
                p {
                    label for="kind" { (lang.t("plan.adjust.kind")) }
                    select id="kind" name="kind" {
                        option value="transfer" selected[f.kind == "transfer"] { (lang.t("plan.adjust.transfer")) }
                        option value="cut" selected[f.kind == "cut"] { (lang.t("plan.kind.cut")) }
                        option value="addition" selected[f.kind == "addition"] { (lang.t("plan.kind.addition")) }
                    }
                }
                (field(Field::new("from_project", lang.t("plan.adjust.from"), &f.from_project, errors).list("project-codes")))
                (field(Field::new("project", lang.t("plan.adjust.project"), &f.project, errors).list("project-codes").required()))
                (field(Field::new("amount", lang.t("plan.adjust.amount"), &f.amount, errors).decimal().required()))
                (field(Field::new("effective_on", lang.t("plan.adjust.effective_on"), &f.effective_on, errors).kind("date").required()))
                (field(Field::new("reason", lang.t("plan.adjust.reason"), &f.reason, errors).required().maxlength(2000)))
                p { button type="submit" { (lang.t("plan.adjust.save")) } }
                datalist id="project-codes" {
                    @for p in &data.projects { option value=(p.code) { (p.bureau) " · " (p.name_th) } }
                }
            }))
        }
    }
}

fn upload_section(lang: Lang, fy: FiscalYear, who: &Identity) -> Markup {
    let action = format!("/plan/{fy}/upload{}", lang.query(true));
    html! {
        section aria-labelledby="upload-h" {
            h2 id="upload-h" { (lang.t("plan.upload.title")) }
            (post_form(&action, who, Some("stacked"), true, html! {
                p {
                    label for="file" { (lang.t("plan.upload.file")) }
                    input id="file" name="file" type="file" accept=".xlsx" required;
                }
                p { button type="submit" { (lang.t("plan.upload.button")) } }
            }))
        }
    }
}

fn unbalanced_section(lang: Lang, fy: FiscalYear, who: &Identity, unbalanced: &[Unbalanced]) -> Markup {
    let rows = unbalanced
        .iter()
        .map(|u| {
            let action = format!("/plan/{fy}/projects/{}/respread{}", u.code, lang.query(true));
            let method_id = format!("method-{}", u.code);
            vec![
                Cell::text(format!("{} {} {}", u.bureau, u.code, u.name_th)),
                Cell::num(baht(u.allocation)),
                Cell::num(baht(u.planned)),
                Cell::Markup(post_form(
                    &action,
                    who,
                    Some("inline"),
                    false,
                    html! {
                        input type="hidden" name="preview" value="1";
                        label for=(method_id) { (lang.t("respread.method")) " " }
                        select id=(method_id) name="method" {
                            option value="proportional" { (lang.t("respread.proportional")) }
                            option value="even" { (lang.t("respread.even")) }
                        }
                        " " button.secondary type="submit" { (lang.t("respread.preview")) }
                    },
                )),
            ]
        })
        .collect();
    let list = Table {
        caption: lang.t("respread.unbalanced_caption"),
        headings: ["respread.col_project", "respread.col_allocation", "respread.col_planned", "respread.col_action"]
            .iter()
            .map(|k| lang.t(k).to_string())
            .collect(),
        rows,
    };
    html! {
        section aria-labelledby="unbalanced-h" {
            h2 id="unbalanced-h" { (lang.t("respread.unbalanced_title")) }
            @if unbalanced.is_empty() { p { (lang.t("respread.all_balanced")) } } @else { (table(&list)) }
        }
    }
}

fn class_section(lang: Lang, fy: FiscalYear, who: &Identity) -> Markup {
    let action = format!("/plan/{fy}/classification{}", lang.query(true));
    html! {
        section aria-labelledby="class-h" {
            h2 id="class-h" { (lang.t("class.title")) }
            p { (lang.t("class.explain")) }
            (post_form(&action, who, Some("stacked"), false, html! {
                p {
                    label for="class-project" { (lang.t("class.project")) }
                    input id="class-project" name="project" list="project-codes" required;
                }
                p {
                    label for="economic_class" { (lang.t("class.class")) }
                    select id="economic_class" name="economic_class" {
                        option value="current" { (lang.t("class.current")) }
                        option value="capital" { (lang.t("class.capital")) }
                    }
                }
                p { button type="submit" { (lang.t("class.save")) } }
            }))
        }
    }
}

fn settings_section(lang: Lang, fy: FiscalYear, who: &Identity, f: &SettingsForm, errors: &[FieldError]) -> Markup {
    let action = format!("/plan/{fy}/settings{}", lang.query(true));
    let level_names = ["level_1", "level_2", "level_3", "level_4", "level_5"];
    let level_labels: Vec<String> = (1..=5).map(|i| lang.f("plan.settings.level", &[("n", &i)])).collect();
    let scopes = [("overall", "plan.settings.overall"), ("current", "class.current"), ("capital", "class.capital")];
    html! {
        section aria-labelledby="settings-h" {
            h2 id="settings-h" { (lang.t("plan.settings.title")) }
            (post_form(&action, who, Some("stacked"), false, html! {
                (field(Field::new("due_day", lang.t("plan.settings.due_day"), &f.due_day, errors).numeric()))
                (field(Field::new("warn_lag_pp", lang.t("plan.settings.warn"), &f.warn_lag_pp, errors).decimal()))
                (field(Field::new("critical_lag_pp", lang.t("plan.settings.critical"), &f.critical_lag_pp, errors).decimal()))
                (field(Field::new("ledger_tolerance_pct", lang.t("plan.settings.tolerance"), &f.ledger_tolerance_pct, errors).decimal()))
                (field(Field::new("carry_over_until", lang.t("plan.settings.carry_over_until"), &f.carry_over_until, errors).kind("date")))
                p { label { input type="checkbox" name="plan_published" checked[f.plan_published.is_some()]; " " (lang.t("plan.settings.publish")) } }
                fieldset {
                    legend { (lang.t("plan.settings.levels")) }
                    @for ((name, value), label) in level_names.iter().zip(f.levels()).zip(&level_labels) {
                        (field(Field::new(name, label, value, errors).decimal()))
                    }
                }
                table {
                    caption { (lang.t("plan.settings.targets")) }
                    thead { tr { td {} @for (_, key) in scopes { th scope="col" { (lang.t(key)) } } } }
                    tbody {
                        @for q in 1..=4 {
                            @let quarter = lang.f("plan.settings.quarter", &[("q", &q)]);
                            tr {
                                th scope="row" { (quarter) }
                                @for (scope, key) in scopes {
                                    @let name = format!("q{q}_{scope}");
                                    td {
                                        input id=(name) name=(name) value=(f.targets.get(&name).map(String::as_str).unwrap_or(""))
                                            inputmode="decimal" aria-label={ (quarter) " " (lang.t(key)) }
                                            aria-invalid=[errors.iter().any(|e| e.field == name).then_some("true")];
                                    }
                                }
                            }
                        }
                    }
                }
                p { button type="submit" { (lang.t("plan.settings.save")) } }
            }))
            (post_form("/fiscal-years/new", who, None, false, html! {
                input type="hidden" name="fiscal_year" value=(fy.be() + 1);
                p { button type="submit" { (lang.f("plan.settings.new_year", &[("fy", &(fy.be() + 1))])) } }
            }))
        }
    }
}

fn projects_table(lang: Lang, projects: &[PlanRow]) -> Markup {
    let rows = projects
        .iter()
        .map(|p| {
            vec![
                Cell::text(p.bureau.clone()),
                Cell::text(p.code.clone()),
                Cell::text(p.name_th.clone()),
                Cell::text(p.category.parse::<Category>().map(|c| category_name(lang, c)).unwrap_or("")),
                Cell::text(p.economic_class.parse::<EconomicClass>().map(|c| class_name(lang, c)).unwrap_or("")),
                Cell::num(baht(p.allocation)),
            ]
        })
        .collect();
    let headings = [
        "plan.col.bureau",
        "plan.col.code",
        "plan.col.name",
        "plan.col.category",
        "plan.col.class",
        "plan.col.allocation",
    ];
    table(&Table {
        caption: lang.t("plan.projects_caption"),
        headings: headings.iter().map(|k| lang.t(k).to_string()).collect(),
        rows,
    })
}

fn adjustments_table(lang: Lang, adjustments: &[AdjustmentView]) -> Markup {
    let headings = [
        "plan.adj.col_id",
        "plan.adj.col_project",
        "plan.adj.col_kind",
        "plan.adj.col_amount",
        "plan.adj.col_effective",
        "plan.adj.col_reason",
    ];
    html! {
        @if adjustments.is_empty() {
            p { (lang.t("plan.adj.none")) }
        } @else {
            (table(&Table {
                caption: lang.t("plan.adj.caption"),
                headings: headings.iter().map(|k| lang.t(k).to_string()).collect(),
                rows: adjustments.iter().map(|a| vec![
                    Cell::text(a.id.to_string()),
                    Cell::text(a.project.clone()),
                    Cell::text(kind_name(lang, &a.kind)),
                    Cell::num(baht(a.amount)),
                    Cell::text(thai_date(a.effective_on)),
                    Cell::text(a.reason.clone()),
                ]).collect(),
            }))
        }
    }
}

/// The holiday form as sent.
#[derive(serde::Deserialize, Default, Clone)]
pub struct HolidayForm {
    #[serde(default)]
    pub day: String,
    #[serde(default)]
    pub name_th: String,
}

/// What the calendar page shows.
pub struct CalendarData {
    pub holidays: Vec<Holiday>,
    pub months: Vec<MonthDue>,
}

/// The calendar page's form state: what was done, what went wrong, the holiday
/// form as sent.
#[derive(Default)]
pub struct CalendarState<'a> {
    pub notice: Option<&'a str>,
    pub errors: &'a [FieldError],
    pub form: HolidayForm,
}

pub fn calendar_page(
    lang: Lang,
    fy: FiscalYear,
    who: &Identity,
    data: &CalendarData,
    st: &CalendarState<'_>,
) -> Markup {
    let strategy = who.has(Role::Strategy);
    let (notice, errors, form) = (st.notice, st.errors, &st.form);
    html! {
        @if let Some(n) = notice { (views::notice(n)) }
        (views::errors(lang, errors))
        p { a href=(plan_href(lang, fy)) { (lang.t("calendar.back")) } }
        (months_table(lang, fy, who, &data.months, strategy))
        (holidays_table(lang, fy, who, &data.holidays, strategy))
        @if strategy {
            section aria-labelledby="holiday-h" {
                h2 id="holiday-h" { (lang.t("calendar.add_title")) }
                (post_form(&format!("/plan/{fy}/holidays{}", lang.query(true)), who, Some("stacked"), false, html! {
                    p {
                        label for="day" { (lang.t("calendar.day")) }
                        input id="day" name="day" type="date" required value=(form.day) min=(fy.start()) max=(fy.end());
                    }
                    (field(Field::new("name_th", lang.t("calendar.name"), &form.name_th, errors).required().maxlength(200)))
                    p { button type="submit" { (lang.t("calendar.add")) } }
                }))
            }
        }
    }
}

fn months_table(lang: Lang, fy: FiscalYear, who: &Identity, months: &[MonthDue], strategy: bool) -> Markup {
    html! {
        table {
            caption { (lang.t("calendar.months_caption")) }
            thead { tr {
                th scope="col" { (lang.t("calendar.col_month")) } th scope="col" { (lang.t("calendar.col_due")) }
                th scope="col" { (lang.t("calendar.col_state")) }
                @if strategy { th scope="col" { (lang.t("calendar.col_action")) } }
            } }
            tbody {
                @for m in months {
                    @let fm = FiscalMonth::new(m.month as i64).expect("a fiscal month");
                    @let label = lang.month(fy, fm);
                    tr {
                        th scope="row" { (label) }
                        td {
                            (thai_date(m.due_on))
                            @if m.moved { " " (lang.f("calendar.moved", &[("from", &thai_date(m.nominal))])) }
                        }
                        td {
                            @if m.locked { (lang.t("calendar.locked")) }
                            @else if m.ended { (lang.t("calendar.open")) }
                            @else { (lang.t("calendar.not_ended")) }
                        }
                        @if strategy {
                            td {
                                @if m.locked {
                                    (post_form(&format!("/plan/{fy}/months/{}/reopen{}", m.month, lang.query(true)), who, Some("inline"), false, html! {
                                        label for={ "reason-" (m.month) } { (lang.t("calendar.reopen_reason")) " " }
                                        input id={ "reason-" (m.month) } name="reason" required maxlength="2000";
                                        " " button.secondary type="submit" { (lang.t("calendar.reopen")) }
                                    }))
                                } @else if m.ended {
                                    (post_form(&format!("/plan/{fy}/months/{}/lock{}", m.month, lang.query(true)), who, Some("inline"), false, html! {
                                        button.secondary type="submit" aria-label={ (lang.t("calendar.lock")) " " (label) } { (lang.t("calendar.lock")) }
                                    }))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn holidays_table(lang: Lang, fy: FiscalYear, who: &Identity, holidays: &[Holiday], strategy: bool) -> Markup {
    html! {
        table {
            caption { (lang.f("calendar.holidays_caption", &[("fy", &fy)])) }
            thead { tr {
                th scope="col" { (lang.t("calendar.col_day")) } th scope="col" { (lang.t("calendar.col_name")) }
                @if strategy { th scope="col" { (lang.t("calendar.col_action")) } }
            } }
            tbody {
                @if holidays.is_empty() { tr { td colspan="3" { (lang.t("calendar.no_holidays")) } } }
                @for h in holidays {
                    tr {
                        th scope="row" { (thai_date(h.day)) }
                        td { @if lang == Lang::En && !h.name_en.is_empty() { (h.name_en) } @else { (h.name_th) } }
                        @if strategy {
                            td {
                                (post_form(&format!("/plan/{fy}/holidays/{}/delete{}", h.day, lang.query(true)), who, Some("inline"), false, html! {
                                    button.secondary type="submit" aria-label={ (lang.t("calendar.remove")) " " (thai_date(h.day)) } { (lang.t("calendar.remove")) }
                                }))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A re-spread: the months before and after, and (for a preview) the form that
/// stores it.
pub fn respread_page(lang: Lang, who: &Identity, v: &Respread) -> Markup {
    let fy = FiscalYear::new(v.fiscal_year as i64).expect("a stored year");
    let method = match v.method {
        Spread::Proportional => "proportional",
        Spread::Evenly => "even",
    };
    let rows = v
        .before
        .iter()
        .zip(&v.after)
        .enumerate()
        .map(|(i, (b, a))| {
            let m = FiscalMonth::new(i as i64 + 1).expect("a fiscal month");
            vec![Cell::text(lang.month(fy, m)), Cell::num(b.clone()), Cell::num(a.clone())]
        })
        .collect();
    let months = Table {
        caption: lang.t("respread.months_caption"),
        headings: ["respread.col_month", "respread.col_before", "respread.col_after"]
            .iter()
            .map(|k| lang.t(k).to_string())
            .collect(),
        rows,
    };
    html! {
        p {
            (lang.f("respread.summary", &[
                ("code", &v.code), ("allocation", &baht(v.allocation)), ("from", &v.first_month),
                ("method", &spread_name(lang, v.method)),
            ]))
        }
        (table(&months))
        @if v.stored {
            (views::notice(lang.t("respread.stored")))
            p { a href=(plan_href(lang, fy)) { (lang.t("calendar.back")) } }
        } @else {
            (post_form(&format!("/plan/{fy}/projects/{}/respread{}", v.code, lang.query(true)), who, None, false, html! {
                input type="hidden" name="method" value=(method);
                button type="submit" { (lang.t("respread.confirm")) }
                " " a href=(plan_href(lang, fy)) { (lang.t("respread.cancel")) }
            }))
        }
    }
}
