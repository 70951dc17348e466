//! The Thai fiscal calendar. FY N (Buddhist Era) runs from 1 October of CE year
//! N − 544 to 30 September of N − 543. Fiscal month 1 is October, 12 is September;
//! quarter q holds months 3q−2 … 3q. Every date and deadline is in Asia/Bangkok,
//! which has been UTC+7 without daylight saving since 1920, so a fixed offset is
//! exact and spares a time-zone database.

use std::fmt;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};

pub const BE_OFFSET: i32 = 543;

/// Asia/Bangkok.
pub fn bangkok() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// The calendar date in Bangkok at instant `now`.
pub fn bangkok_date(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&bangkok()).date_naive()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FiscalYear(i32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("fiscal year {0} is not a Buddhist Era year between 2400 and 2800")]
    Year(i64),
    #[error("month {0} is not a fiscal month from 1 (October) to 12 (September)")]
    Month(i64),
}

impl FiscalYear {
    pub const MIN: i32 = 2400;
    pub const MAX: i32 = 2800;

    pub fn new(be: i64) -> Result<FiscalYear, CalendarError> {
        if (Self::MIN as i64..=Self::MAX as i64).contains(&be) {
            Ok(FiscalYear(be as i32))
        } else {
            Err(CalendarError::Year(be))
        }
    }

    /// The fiscal year that holds `date`.
    pub fn containing(date: NaiveDate) -> FiscalYear {
        let ce = if date.month() >= 10 { date.year() + 1 } else { date.year() };
        FiscalYear(ce + BE_OFFSET)
    }

    pub fn be(self) -> i32 {
        self.0
    }

    pub fn previous(self) -> FiscalYear {
        FiscalYear(self.0 - 1)
    }

    pub fn start(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0 - BE_OFFSET - 1, 10, 1).expect("valid fiscal year start")
    }

    pub fn end(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0 - BE_OFFSET, 9, 30).expect("valid fiscal year end")
    }

    /// First day of fiscal month `m` of this year.
    pub fn month_start(self, m: FiscalMonth) -> NaiveDate {
        let (year, month) = m.calendar_month_in(self);
        NaiveDate::from_ymd_opt(year, month, 1).expect("valid month start")
    }

    /// Last day of fiscal month `m` of this year.
    pub fn month_end(self, m: FiscalMonth) -> NaiveDate {
        match m.next() {
            Some(n) => self.month_start(n).pred_opt().expect("valid date"),
            None => self.end(),
        }
    }

    /// Day `due_day` of the month after `m`, whatever day of the week it is.
    pub fn nominal_due_date(self, m: FiscalMonth, due_day: u32) -> NaiveDate {
        let after = self.month_end(m).succ_opt().expect("valid date");
        NaiveDate::from_ymd_opt(after.year(), after.month(), due_day.clamp(1, 28)).expect("valid due day")
    }

    /// The day month `m`'s report is due: day `due_day` of the following month, or
    /// the next working day when that is a Saturday, a Sunday or one of `holidays`.
    pub fn due_date(self, m: FiscalMonth, due_day: u32, holidays: &[NaiveDate]) -> NaiveDate {
        let mut day = self.nominal_due_date(m, due_day);
        while is_day_off(day, holidays) {
            day = day.succ_opt().expect("valid date");
        }
        day
    }

    /// The deadline of month `m`'s report: the end of its due date (23:59:59 in
    /// Bangkok).
    pub fn due_at(self, m: FiscalMonth, due_day: u32, holidays: &[NaiveDate]) -> DateTime<FixedOffset> {
        let time = NaiveTime::from_hms_opt(23, 59, 59).expect("valid time");
        bangkok()
            .from_local_datetime(&self.due_date(m, due_day, holidays).and_time(time))
            .single()
            .expect("fixed offset is unambiguous")
    }
}

/// A Saturday, a Sunday, or a public holiday.
pub fn is_day_off(day: NaiveDate, holidays: &[NaiveDate]) -> bool {
    matches!(day.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun) || holidays.contains(&day)
}

impl fmt::Display for FiscalYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FiscalMonth(u8);

impl FiscalMonth {
    pub const FIRST: FiscalMonth = FiscalMonth(1);
    pub const LAST: FiscalMonth = FiscalMonth(12);

    pub fn new(m: i64) -> Result<FiscalMonth, CalendarError> {
        if (1..=12).contains(&m) {
            Ok(FiscalMonth(m as u8))
        } else {
            Err(CalendarError::Month(m))
        }
    }

    pub fn all() -> impl Iterator<Item = FiscalMonth> {
        (1..=12).map(FiscalMonth)
    }

    pub fn number(self) -> u8 {
        self.0
    }

    pub fn quarter(self) -> u8 {
        (self.0 - 1) / 3 + 1
    }

    pub fn is_quarter_end(self) -> bool {
        self.0.is_multiple_of(3)
    }

    pub fn next(self) -> Option<FiscalMonth> {
        (self.0 < 12).then_some(FiscalMonth(self.0 + 1))
    }

    /// Calendar month number (1 = January) of this fiscal month.
    pub fn calendar_month(self) -> u32 {
        (self.0 as u32 + 8) % 12 + 1
    }

    /// (CE year, calendar month) of this fiscal month within fiscal year `fy`.
    pub fn calendar_month_in(self, fy: FiscalYear) -> (i32, u32) {
        let ce_end = fy.be() - BE_OFFSET;
        let year = if self.0 <= 3 { ce_end - 1 } else { ce_end };
        (year, self.calendar_month())
    }

    /// The fiscal year and month holding `date`.
    pub fn of(date: NaiveDate) -> (FiscalYear, FiscalMonth) {
        let m = (date.month() + 2) % 12 + 1;
        (FiscalYear::containing(date), FiscalMonth(m as u8))
    }
}

impl fmt::Display for FiscalMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The last fiscal month that has fully ended on `today` (Bangkok date): the month
/// before the one `today` is in.
pub fn last_ended_month(today: NaiveDate) -> (FiscalYear, FiscalMonth) {
    let first_of_month = today.with_day(1).expect("day 1 exists");
    FiscalMonth::of(first_of_month.pred_opt().expect("valid date"))
}

/// Whether fiscal month `m` of `fy` has ended on `today`.
pub fn has_ended(fy: FiscalYear, m: FiscalMonth, today: NaiveDate) -> bool {
    fy.month_end(m) < today
}

const THAI_MONTHS_SHORT: [&str; 12] =
    ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."];

/// `ต.ค. 2565` for fiscal month 1 of FY2566.
pub fn thai_month_label(fy: FiscalYear, m: FiscalMonth) -> String {
    let (year, month) = m.calendar_month_in(fy);
    format!("{} {}", THAI_MONTHS_SHORT[month as usize - 1], year + BE_OFFSET)
}

const ENGLISH_MONTHS_SHORT: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// `Oct 2022` for fiscal month 1 of FY2566 (calendar year, Common Era).
pub fn english_month_label(fy: FiscalYear, m: FiscalMonth) -> String {
    let (year, month) = m.calendar_month_in(fy);
    format!("{} {year}", ENGLISH_MONTHS_SHORT[month as usize - 1])
}

/// `30 ก.ย. 2566`.
pub fn thai_date(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), THAI_MONTHS_SHORT[d.month0() as usize], d.year() + BE_OFFSET)
}

/// `2 พ.ย. 2569 16:13 น.` in Bangkok time.
pub fn thai_datetime(t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&bangkok());
    format!("{} {} น.", thai_date(local.date_naive()), local.format("%H:%M"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn english_month_labels_use_the_calendar_year() {
        let fy = FiscalYear::new(2566).unwrap();
        assert_eq!(english_month_label(fy, FiscalMonth::new(1).unwrap()), "Oct 2022");
        assert_eq!(english_month_label(fy, FiscalMonth::new(12).unwrap()), "Sep 2023");
    }

    #[test]
    fn fy2566_runs_from_october_2022_to_september_2023() {
        let fy = FiscalYear::new(2566).unwrap();
        assert_eq!(fy.start(), d(2022, 10, 1));
        assert_eq!(fy.end(), d(2023, 9, 30));
        assert_eq!(FiscalYear::containing(d(2022, 10, 1)), fy);
        assert_eq!(FiscalYear::containing(d(2023, 9, 30)), fy);
        assert_eq!(FiscalYear::containing(d(2023, 10, 1)).be(), 2567);
    }

    #[test]
    fn fiscal_months_map_to_calendar_months_and_quarters() {
        let fy = FiscalYear::new(2566).unwrap();
        let m = |n| FiscalMonth::new(n).unwrap();
        assert_eq!(m(1).calendar_month_in(fy), (2022, 10));
        assert_eq!(m(3).calendar_month_in(fy), (2022, 12));
        assert_eq!(m(4).calendar_month_in(fy), (2023, 1));
        assert_eq!(m(12).calendar_month_in(fy), (2023, 9));
        assert_eq!((m(3).quarter(), m(4).quarter(), m(12).quarter()), (1, 2, 4));
        assert_eq!(fy.month_end(m(5)), d(2023, 2, 28));
        for n in FiscalMonth::all() {
            assert_eq!(FiscalMonth::of(fy.month_start(n)), (fy, n));
            assert_eq!(FiscalMonth::of(fy.month_end(n)), (fy, n));
        }
    }

    #[test]
    fn a_report_is_due_on_the_fifth_of_the_next_month_at_midnight_bangkok() {
        let fy = FiscalYear::new(2566).unwrap();
        // 5 January 2023 was a Thursday.
        let due = fy.due_at(FiscalMonth::new(3).unwrap(), 5, &[]);
        assert_eq!(due.to_rfc3339(), "2023-01-05T23:59:59+07:00");
        // 5 October 2023 was a Thursday too.
        let due = fy.due_at(FiscalMonth::LAST, 5, &[]);
        assert_eq!(due.to_rfc3339(), "2023-10-05T23:59:59+07:00");
    }

    #[test]
    fn a_due_date_on_a_weekend_or_a_holiday_moves_to_the_next_working_day() {
        let fy = FiscalYear::new(2566).unwrap();
        // October 2022's report: 5 November 2022 was a Saturday, so Monday the 7th.
        assert_eq!(fy.due_date(FiscalMonth::FIRST, 5, &[]), d(2022, 11, 7));
        // With Monday the 7th a holiday as well: Tuesday the 8th.
        assert_eq!(fy.due_date(FiscalMonth::FIRST, 5, &[d(2022, 11, 7)]), d(2022, 11, 8));
        // November 2022's: 5 December 2022 (a Monday) is a public holiday, so the 6th.
        assert_eq!(fy.due_date(FiscalMonth::new(2).unwrap(), 5, &[d(2022, 12, 5)]), d(2022, 12, 6));
        // November 2026's: 5 December 2026 is a Saturday and a holiday; Monday the 7th
        // is the holiday's substitute: Tuesday the 8th.
        let fy70 = FiscalYear::new(2570).unwrap();
        assert_eq!(fy70.due_date(FiscalMonth::new(2).unwrap(), 5, &[d(2026, 12, 5), d(2026, 12, 7)]), d(2026, 12, 8));
    }

    #[test]
    fn the_last_ended_month_is_the_one_before_today() {
        assert_eq!(last_ended_month(d(2026, 11, 24)), (FiscalYear::new(2570).unwrap(), FiscalMonth::FIRST));
        assert_eq!(last_ended_month(d(2026, 10, 1)), (FiscalYear::new(2569).unwrap(), FiscalMonth::LAST));
        assert!(has_ended(FiscalYear::new(2570).unwrap(), FiscalMonth::FIRST, d(2026, 11, 1)));
        assert!(!has_ended(FiscalYear::new(2570).unwrap(), FiscalMonth::FIRST, d(2026, 10, 31)));
    }

    #[test]
    fn thai_labels_use_buddhist_era_years() {
        let fy = FiscalYear::new(2566).unwrap();
        assert_eq!(thai_month_label(fy, FiscalMonth::FIRST), "ต.ค. 2565");
        assert_eq!(thai_date(d(2023, 9, 30)), "30 ก.ย. 2566");
        let t = Utc.with_ymd_and_hms(2026, 11, 2, 9, 13, 0).unwrap();
        assert_eq!(thai_datetime(t), "2 พ.ย. 2569 16:13 น.");
    }

    #[test]
    fn out_of_range_years_and_months_are_refused() {
        assert_eq!(FiscalYear::new(2026), Err(CalendarError::Year(2026)));
        assert_eq!(FiscalMonth::new(0), Err(CalendarError::Month(0)));
        assert_eq!(FiscalMonth::new(13), Err(CalendarError::Month(13)));
    }
}
