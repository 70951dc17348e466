//! Typed pieces of a path. A handler names what it needs — `Year`, `YearMonth`,
//! `ReportAt` — and never parses a `{fy}` or `{month}` segment by hand, so that
//! every route answers a bad one the same way: 404 for a year that cannot exist,
//! 422 naming `month` for a month outside 1–12, and the bureau decided by the one
//! visibility check (`guard::VisibleBureau`).

use std::future::{ready, Ready};

use actix_web::{FromRequest, HttpRequest};
use chrono::NaiveDate;

use super::guard::{identity, VisibleBureau};
use crate::domain::fiscal::{has_ended, last_ended_month, thai_date};
use crate::domain::{FiscalMonth, FiscalYear};
use crate::error::{AppError, FieldError};

/// The fiscal year of a path segment; 404 for anything that is not a plausible
/// Buddhist-era year.
pub fn parse_year(raw: &str) -> Result<FiscalYear, AppError> {
    raw.parse::<i64>().ok().and_then(|n| FiscalYear::new(n).ok()).ok_or_else(|| {
        let shown: String = raw.chars().filter(|c| !c.is_control()).take(20).collect();
        AppError::NotFound(format!("there is no fiscal year {shown:?}"))
    })
}

/// A fiscal month of a path segment or a form; 422 naming `month` otherwise.
pub fn parse_month(raw: &str) -> Result<FiscalMonth, AppError> {
    raw.trim().parse::<i64>().ok().and_then(|m| FiscalMonth::new(m).ok()).ok_or_else(|| {
        let shown: String = raw.chars().filter(|c| !c.is_control()).take(20).collect();
        AppError::validation(vec![FieldError::new(
            "month",
            format!("{shown:?} ไม่ใช่เดือนงบประมาณ 1 (ต.ค.) ถึง 12 (ก.ย.) (not a fiscal month from 1 to 12)"),
        )])
    })
}

/// The month a summary is asked for (`?month=`), or by default the last ended
/// month of the year; a month that has not ended yet cannot be summarised.
pub fn resolve_month(fy: FiscalYear, raw: Option<&str>, today: NaiveDate) -> Result<FiscalMonth, AppError> {
    let month_error = |msg: String| AppError::validation(vec![FieldError::new("month", msg)]);
    let month = match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => s.parse::<i64>().ok().and_then(|n| FiscalMonth::new(n).ok()).ok_or_else(|| {
            let shown: String = s.chars().take(20).collect();
            month_error(format!("{shown:?} is not a fiscal month from 1 (October) to 12 (September)"))
        })?,
        None if fy.end() < today => FiscalMonth::LAST,
        None => match last_ended_month(today) {
            (year, m) if year == fy => m,
            _ => return Err(month_error(format!("no month of FY{fy} has ended yet"))),
        },
    };
    if !has_ended(fy, month, today) {
        return Err(month_error(format!(
            "month {month} of FY{fy} ends on {}; it cannot be summarised before it ends",
            thai_date(fy.month_end(month))
        )));
    }
    Ok(month)
}

fn segment<'a>(req: &'a HttpRequest, names: &[&str]) -> &'a str {
    names.iter().find_map(|n| req.match_info().get(n)).unwrap_or("")
}

/// `{fy}`.
#[derive(Clone, Copy, Debug)]
pub struct Year(pub FiscalYear);

impl FromRequest for Year {
    type Error = AppError;
    type Future = Ready<Result<Year, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(parse_year(segment(req, &["fy"])).map(Year))
    }
}

/// `{fy}` and `{month}` (or `{m}`).
#[derive(Clone, Copy, Debug)]
pub struct YearMonth {
    pub fy: FiscalYear,
    pub month: FiscalMonth,
}

impl FromRequest for YearMonth {
    type Error = AppError;
    type Future = Ready<Result<YearMonth, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready((|| {
            let fy = parse_year(segment(req, &["fy"]))?;
            let month = parse_month(segment(req, &["month", "m"]))?;
            Ok(YearMonth { fy, month })
        })())
    }
}

/// `{fy}/{month}/{bureau}`: a bureau's report of a month, the bureau one the
/// caller may see (404 alike for one that is not there and one that is not theirs).
#[derive(Clone, Debug)]
pub struct ReportAt {
    pub fy: FiscalYear,
    pub month: FiscalMonth,
    pub bureau: VisibleBureau,
}

impl FromRequest for ReportAt {
    type Error = AppError;
    type Future = Ready<Result<ReportAt, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready((|| {
            let fy = parse_year(segment(req, &["fy"]))?;
            let month = parse_month(segment(req, &["month", "m"]))?;
            let bureau = VisibleBureau::check(&identity(req)?, segment(req, &["bureau"]))?;
            Ok(ReportAt { fy, month, bureau })
        })())
    }
}

/// `{code}` of a project (its shape is checked where it is looked up).
#[derive(Clone, Debug)]
pub struct ProjectCode(pub String);

impl FromRequest for ProjectCode {
    type Error = AppError;
    type Future = Ready<Result<ProjectCode, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(Ok(ProjectCode(segment(req, &["code"]).to_string())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_are_404_and_months_are_422_naming_the_field() {
        assert!(matches!(parse_year("2566"), Ok(fy) if fy.be() == 2566));
        for bad in ["", "abc", "99999999999999999999", "-1", "2566\0"] {
            assert!(matches!(parse_year(bad), Err(AppError::NotFound(_))), "{bad:?}");
        }
        assert_eq!(parse_month("12").unwrap().number(), 12);
        for bad in ["0", "13", "x", ""] {
            match parse_month(bad) {
                Err(AppError::Validation { details, .. }) => assert_eq!(details[0].field, "month"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
    }
}
