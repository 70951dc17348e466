//! A fiscal year's calendar: its public holidays (which move a report's due
//! date to the next working day), the due date of each month as moved, and
//! which months are locked. Strategy keeps the holidays and locks and reopens
//! months (with a reason) on the calendar page or through the API; every change
//! is audited.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Actor};
use crate::domain::fiscal::last_ended_month;
use crate::domain::{FiscalMonth, FiscalYear};
use crate::error::{AppError, FieldError};
use crate::schema::{holidays, month_locks};

#[derive(Queryable, Selectable, Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[diesel(table_name = holidays)]
pub struct Holiday {
    pub day: NaiveDate,
    pub name_th: String,
    #[serde(default)]
    pub name_en: String,
}

/// The holidays that fall in the fiscal year.
pub fn holidays(conn: &mut PgConnection, fy: FiscalYear) -> QueryResult<Vec<Holiday>> {
    holidays::table
        .filter(holidays::day.between(fy.start(), fy.end()))
        .order(holidays::day)
        .select(Holiday::as_select())
        .load(conn)
}

/// One month of the calendar: when its report is due (and whether a weekend or
/// holiday moved it), whether it has ended and whether it is locked.
#[derive(Serialize, Debug, Clone)]
pub struct MonthDue {
    pub month: u8,
    /// The due day as the settings say, before moving.
    pub nominal: NaiveDate,
    pub due_on: NaiveDate,
    pub moved: bool,
    pub ended: bool,
    pub locked: bool,
}

pub fn months(conn: &mut PgConnection, fy: FiscalYear, today: NaiveDate) -> Result<Vec<MonthDue>, AppError> {
    let settings = crate::monitoring::queries::require_year_settings(conn, fy)?;
    let locked: Vec<i16> =
        month_locks::table.filter(month_locks::fiscal_year.eq(fy.be())).select(month_locks::month).load(conn)?;
    Ok(FiscalMonth::all()
        .map(|m| {
            let nominal = fy.nominal_due_date(m, settings.due_day as u32);
            let due_on = fy.due_date(m, settings.due_day as u32, &settings.holidays);
            MonthDue {
                month: m.number(),
                nominal,
                due_on,
                moved: due_on != nominal,
                ended: crate::domain::fiscal::has_ended(fy, m, today),
                locked: locked.contains(&(m.number() as i16)),
            }
        })
        .collect())
}

#[derive(Deserialize, Debug)]
pub struct HolidaysInput {
    pub holidays: Vec<HolidayInput>,
}

#[derive(Deserialize, Debug)]
pub struct HolidayInput {
    pub day: String,
    pub name_th: String,
    #[serde(default)]
    pub name_en: String,
}

fn check(fy: FiscalYear, items: &[HolidayInput]) -> Result<Vec<Holiday>, AppError> {
    let mut errors = Vec::new();
    let mut out: Vec<Holiday> = Vec::new();
    for (i, h) in items.iter().enumerate() {
        let day = match NaiveDate::parse_from_str(h.day.trim(), "%Y-%m-%d") {
            Ok(d) if d >= fy.start() && d <= fy.end() => Some(d),
            Ok(d) => {
                errors.push(FieldError::new(
                    format!("holidays[{i}].day"),
                    format!("{d} is not in fiscal year {fy} ({} to {})", fy.start(), fy.end()),
                ));
                None
            }
            Err(_) => {
                let shown: String = h.day.chars().take(40).collect();
                errors
                    .push(FieldError::new(format!("holidays[{i}].day"), format!("{shown:?} is not a date YYYY-MM-DD")));
                None
            }
        };
        let name = h.name_th.trim();
        if name.is_empty() || name.chars().count() > 200 {
            errors
                .push(FieldError::new(format!("holidays[{i}].name_th"), "give the holiday's name (1-200 characters)"));
        }
        if h.name_en.chars().count() > 200 {
            errors.push(FieldError::new(format!("holidays[{i}].name_en"), "at most 200 characters"));
        }
        if let Some(d) = day {
            if out.iter().any(|o| o.day == d) {
                errors.push(FieldError::new(format!("holidays[{i}].day"), format!("{d} is given twice")));
            }
            out.push(Holiday { day: d, name_th: name.to_string(), name_en: h.name_en.trim().to_string() });
        }
    }
    if items.len() > 100 {
        errors.push(FieldError::new("holidays", "a year has far fewer than 100 holidays"));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(AppError::validation(errors))
    }
}

/// Replaces the fiscal year's holidays.
pub fn set_holidays(
    conn: &mut PgConnection,
    fy: FiscalYear,
    input: &HolidaysInput,
    actor: Actor<'_>,
) -> Result<Vec<Holiday>, AppError> {
    let new = check(fy, &input.holidays)?;
    conn.transaction(|conn| {
        super::year(conn, fy)?;
        let before = holidays(conn, fy)?;
        diesel::delete(holidays::table.filter(holidays::day.between(fy.start(), fy.end()))).execute(conn)?;
        let rows: Vec<_> = new
            .iter()
            .map(|h| (holidays::day.eq(h.day), holidays::name_th.eq(&h.name_th), holidays::name_en.eq(&h.name_en)))
            .collect();
        diesel::insert_into(holidays::table).values(rows).execute(conn)?;
        audit::record(
            conn,
            audit::Entry {
                user_id: actor.user_id,
                request_id: actor.request_id,
                action: "update",
                entity: "holidays",
                entity_id: fy.to_string(),
                before: Some(json!(before)),
                after: Some(json!(new)),
            },
        )?;
        Ok(new)
    })
}

/// Adds one holiday (the calendar page's form).
pub fn add_holiday(
    conn: &mut PgConnection,
    fy: FiscalYear,
    h: &HolidayInput,
    actor: Actor<'_>,
) -> Result<(), AppError> {
    let mut all: Vec<HolidayInput> = holidays(conn, fy)?
        .into_iter()
        .map(|h| HolidayInput { day: h.day.to_string(), name_th: h.name_th, name_en: h.name_en })
        .collect();
    let index = all.len();
    all.push(HolidayInput { day: h.day.clone(), name_th: h.name_th.clone(), name_en: h.name_en.clone() });
    set_holidays(conn, fy, &HolidaysInput { holidays: all }, actor)
        .map_err(|e| match e {
            // The form has one holiday: its fields by their own names.
            AppError::Validation { details, .. } => AppError::validation(
                details
                    .into_iter()
                    .map(|d| FieldError::new(d.field.replace(&format!("holidays[{index}]."), ""), d.message))
                    .collect(),
            ),
            other => other,
        })
        .map(|_| ())
}

/// Removes one holiday (the calendar page's button).
pub fn remove_holiday(
    conn: &mut PgConnection,
    fy: FiscalYear,
    day: NaiveDate,
    actor: Actor<'_>,
) -> Result<(), AppError> {
    let all = holidays(conn, fy)?;
    if !all.iter().any(|h| h.day == day) {
        return Err(AppError::NotFound(format!("{day} is not a holiday of fiscal year {fy}")));
    }
    let rest = all
        .into_iter()
        .filter(|h| h.day != day)
        .map(|h| HolidayInput { day: h.day.to_string(), name_th: h.name_th, name_en: h.name_en })
        .collect();
    set_holidays(conn, fy, &HolidaysInput { holidays: rest }, actor).map(|_| ())
}

/// The months of `fy` that have ended by `today`, for the lock forms.
pub fn ended_months(fy: FiscalYear, today: NaiveDate) -> impl Iterator<Item = FiscalMonth> {
    let (last_fy, last) = last_ended_month(today);
    FiscalMonth::all().filter(move |m| fy < last_fy || (fy == last_fy && *m <= last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holidays_are_checked_whole() {
        let fy = FiscalYear::new(2570).unwrap();
        let ok = HolidayInput {
            day: "2026-12-05".into(), name_th: "วันพ่อแห่งชาติ".into(), name_en: String::new()
        };
        assert_eq!(check(fy, &[ok]).unwrap()[0].day, NaiveDate::from_ymd_opt(2026, 12, 5).unwrap());
        let bad = [
            HolidayInput { day: "2027-10-13".into(), name_th: "x".into(), name_en: String::new() },
            HolidayInput { day: "05/12/2026".into(), name_th: "x".into(), name_en: String::new() },
            HolidayInput { day: "2026-12-10".into(), name_th: " ".into(), name_en: String::new() },
        ];
        let Err(AppError::Validation { details, .. }) = check(fy, &bad) else { panic!("accepted") };
        let fields: Vec<&str> = details.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["holidays[0].day", "holidays[1].day", "holidays[2].name_th"]);
    }
}
