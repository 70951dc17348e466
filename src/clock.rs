//! What time it is: the wall clock, or — for demos, tests and rehearsals of a past
//! month — noon of a fixed Bangkok date (`BUDGETWATCH_TODAY`). Everything that
//! asks "is this month over, is this report late" asks a `Clock`, never
//! `Utc::now()` directly, so that a fixed date is obeyed everywhere.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use crate::domain::fiscal::{bangkok, bangkok_date};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Clock {
    fixed: Option<NaiveDate>,
}

impl Clock {
    /// The wall clock, or noon of `fixed` in Bangkok.
    pub fn new(fixed: Option<NaiveDate>) -> Clock {
        Clock { fixed }
    }

    /// Today in Bangkok.
    pub fn today(&self) -> NaiveDate {
        self.fixed.unwrap_or_else(|| bangkok_date(Utc::now()))
    }

    /// Now.
    pub fn now(&self) -> DateTime<Utc> {
        match self.fixed {
            Some(d) => bangkok()
                .from_local_datetime(&d.and_hms_opt(12, 0, 0).expect("noon"))
                .single()
                .expect("fixed offset")
                .with_timezone(&Utc),
            None => Utc::now(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_date_is_noon_in_bangkok_and_today_is_that_date() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let c = Clock::new(Some(day));
        assert_eq!(c.today(), day);
        assert_eq!(c.now(), Utc.with_ymd_and_hms(2026, 12, 1, 5, 0, 0).unwrap());
        let wall = Clock::new(None);
        assert_eq!(wall.today(), bangkok_date(wall.now()));
    }
}
