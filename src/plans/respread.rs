//! Keeping plans and allocations in step. After a transfer, cut or addition a
//! project's twelve monthly plans no longer add up to its allocation; strategy
//! re-spreads the months that have not yet ended (in proportion to what they
//! plan now, or evenly) in one previewed, audited action. The plan page lists
//! every project whose months and allocation differ. And a project's economic
//! classification (current or capital, for the cabinet's targets) is set here.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{Int4, Numeric, Text};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Actor};
use crate::domain::fiscal::last_ended_month;
use crate::domain::money::json as dj;
use crate::domain::plan::{self, Spread};
use crate::domain::{EconomicClass, FiscalYear};
use crate::error::{AppError, FieldError};
use crate::schema::{monthly_plans, projects};

/// A project whose twelve months do not add up to its allocation at year end.
#[derive(QueryableByName, Serialize, Debug, Clone)]
pub struct Unbalanced {
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(sql_type = Text)]
    pub name_th: String,
    #[diesel(sql_type = Text)]
    pub bureau: String,
    #[diesel(sql_type = Numeric)]
    #[serde(serialize_with = "dj::money")]
    pub allocation: Decimal,
    #[diesel(sql_type = Numeric)]
    #[serde(serialize_with = "dj::money")]
    pub planned: Decimal,
}

/// Every project of the year whose plans and year-end allocation differ.
pub fn unbalanced(conn: &mut PgConnection, fy: FiscalYear) -> QueryResult<Vec<Unbalanced>> {
    diesel::sql_query(
        "SELECT p.code, p.name_th, b.code AS bureau, m.allocation_year AS allocation, m.planned_year AS planned
         FROM project_months m JOIN projects p ON p.id = m.project_id JOIN bureaus b ON b.id = p.bureau_id
         WHERE m.fiscal_year = $1 AND m.month = 12 AND m.planned_year <> m.allocation_year
         ORDER BY b.code, p.code",
    )
    .bind::<Int4, _>(fy.be())
    .load(conn)
}

#[derive(Deserialize, Debug)]
pub struct RespreadInput {
    /// `proportional` (default) or `even`.
    #[serde(default)]
    pub method: Option<String>,
    /// Show what would be stored, store nothing.
    #[serde(default)]
    pub preview: bool,
}

#[derive(Serialize, Debug, Clone)]
pub struct Respread {
    pub fiscal_year: i32,
    pub code: String,
    pub method: Spread,
    /// The first month (1-12) re-spread: the months before it have ended.
    pub first_month: u8,
    #[serde(serialize_with = "dj::money")]
    pub allocation: Decimal,
    pub before: Vec<String>,
    pub after: Vec<String>,
    pub stored: bool,
}

fn method(raw: Option<&str>) -> Result<Spread, AppError> {
    match raw.map(str::trim).unwrap_or("proportional") {
        "proportional" | "" => Ok(Spread::Proportional),
        "even" | "evenly" => Ok(Spread::Evenly),
        other => {
            let shown: String = other.chars().take(40).collect();
            Err(AppError::validation(vec![FieldError::new("method", format!("{shown:?} is not proportional or even"))]))
        }
    }
}

/// Re-spreads the open months of project `code` (previewed, or stored and audited).
pub fn respread(
    conn: &mut PgConnection,
    fy: FiscalYear,
    code: &str,
    input: &RespreadInput,
    today: NaiveDate,
    actor: Actor<'_>,
) -> Result<Respread, AppError> {
    let how = method(input.method.as_deref())?;
    conn.transaction(|conn| {
        let project = super::project_state(conn, fy, code, "project").map_err(|_| {
            AppError::NotFound(format!("FY{fy} has no project {:?}", code.chars().take(40).collect::<String>()))
        })?;
        let rows: Vec<(i16, Decimal)> = monthly_plans::table
            .filter(monthly_plans::project_id.eq(project.id))
            .select((monthly_plans::month, monthly_plans::planned))
            .for_update()
            .load(conn)?;
        let mut current = [Decimal::ZERO; 12];
        for (m, v) in rows {
            current[(m - 1) as usize] = v;
        }
        // Months that have ended keep their plan; the year's end is the limit.
        let (last_fy, last) = last_ended_month(today);
        let first_open = if fy < last_fy {
            12
        } else if fy == last_fy {
            last.number() as usize
        } else {
            0
        };
        let after = plan::respread(&current, first_open, project.year_end_allocation, how)
            .map_err(|e| AppError::validation(vec![FieldError::new("project", format!("{code}: {e}"))]))?;
        let view = Respread {
            fiscal_year: fy.be(),
            code: code.to_string(),
            method: how,
            first_month: first_open as u8 + 1,
            allocation: project.year_end_allocation,
            before: current.iter().map(|d| crate::domain::money::fixed2(*d)).collect(),
            after: after.iter().map(|d| crate::domain::money::fixed2(*d)).collect(),
            stored: !input.preview,
        };
        if input.preview {
            return Ok(view);
        }
        diesel::delete(monthly_plans::table.filter(monthly_plans::project_id.eq(project.id))).execute(conn)?;
        let rows: Vec<_> = after
            .iter()
            .enumerate()
            .map(|(m, v)| {
                (
                    monthly_plans::project_id.eq(project.id),
                    monthly_plans::month.eq(m as i16 + 1),
                    monthly_plans::planned.eq(*v),
                )
            })
            .collect();
        diesel::insert_into(monthly_plans::table).values(rows).execute(conn)?;
        audit::record(
            conn,
            audit::Entry {
                user_id: actor.user_id,
                request_id: actor.request_id,
                action: "respread",
                entity: "monthly_plans",
                entity_id: format!("{fy}/{code}"),
                before: Some(json!(view.before)),
                after: Some(json!({"plans": view.after, "method": how, "from_month": view.first_month})),
            },
        )?;
        Ok(view)
    })
}

#[derive(Deserialize, Debug)]
pub struct ClassInput {
    pub economic_class: String,
}

/// Sets project `code`'s economic classification (audited).
pub fn classify(
    conn: &mut PgConnection,
    fy: FiscalYear,
    code: &str,
    input: &ClassInput,
    actor: Actor<'_>,
) -> Result<EconomicClass, AppError> {
    let class: EconomicClass = input
        .economic_class
        .trim()
        .parse()
        .map_err(|e: String| AppError::validation(vec![FieldError::new("economic_class", e)]))?;
    conn.transaction(|conn| {
        let before: Option<(i32, String)> = projects::table
            .filter(projects::fiscal_year.eq(fy.be()))
            .filter(projects::code.eq(code))
            .select((projects::id, projects::economic_class))
            .first(conn)
            .optional()?;
        let Some((id, before)) = before else {
            return Err(AppError::NotFound(format!(
                "FY{fy} has no project {:?}",
                code.chars().take(40).collect::<String>()
            )));
        };
        if before != class.as_str() {
            diesel::update(projects::table.find(id)).set(projects::economic_class.eq(class.as_str())).execute(conn)?;
            audit::record(
                conn,
                audit::Entry {
                    user_id: actor.user_id,
                    request_id: actor.request_id,
                    action: "classify",
                    entity: "project",
                    entity_id: format!("{fy}/{code}"),
                    before: Some(json!({"economic_class": before})),
                    after: Some(json!({"economic_class": class})),
                },
            )?;
        }
        Ok(class)
    })
}
