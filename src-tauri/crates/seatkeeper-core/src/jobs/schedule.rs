//! When a daily job runs: the time of day the admin chose (this computer's clock), and the next
//! run after a run.

use chrono::{DateTime, Duration, LocalResult, NaiveTime, TimeZone, Utc};

use super::{not_found, JobSchedule, ScheduledJob};
use crate::clock::Clock;
use crate::db::Db;
use crate::error::{Error, Result};

/// Reads a time of day as the admin types it: "H:MM" or "HH:MM", 24-hour.
pub fn parse_time_of_day(text: &str) -> Result<NaiveTime> {
    let text = text.trim();
    let parsed = match text.split_once(':') {
        Some((h, m)) if (1..=2).contains(&h.len()) && m.len() == 2 => {
            NaiveTime::parse_from_str(text, "%H:%M").ok()
        }
        _ => None,
    };
    parsed.ok_or_else(|| Error::Validation {
        field: "timeOfDay".into(),
        message: format!(
            "“{text}” is not a time of day. Enter it as HH:MM on a 24-hour clock, for example 02:30."
        ),
    })
}

/// The first moment after `now` at which the clock of `tz` shows `time`. On a day when `time`
/// does not exist there (the clock jumps over it), the run is an hour later; on a day when it
/// happens twice, the first.
pub fn next_at_time_of_day<Tz: TimeZone>(time: NaiveTime, now: DateTime<Utc>, tz: &Tz) -> DateTime<Utc> {
    let mut day = now.with_timezone(tz).date_naive();
    loop {
        let local = day.and_time(time);
        let at = match tz.from_local_datetime(&local) {
            LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => Some(at),
            LocalResult::None => tz.from_local_datetime(&(local + Duration::hours(1))).earliest(),
        };
        if let Some(at) = at.map(|at| at.with_timezone(&Utc)).filter(|at| *at > now) {
            return at;
        }
        day = day.succ_opt().expect("a date before the end of chrono's calendar");
    }
}

/// Sets the time of day of a job's daily run (this computer's clock); its next run moves to the
/// next such time. Returns the job as stored.
pub async fn set_time_of_day(db: &Db, clock: &dyn Clock, job_id: i64, time: &str) -> Result<ScheduledJob> {
    let time = parse_time_of_day(time)?;
    let next = next_at_time_of_day(time, clock.now(), &chrono::Local);
    let text = time.format("%H:%M").to_string();
    let mut tx = db.write().await?;
    let schedule = sqlx::query_scalar!(
        r#"SELECT schedule AS "schedule: JobSchedule" FROM scheduled_jobs WHERE id = ?"#,
        job_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| not_found(job_id))?;
    if schedule == JobSchedule::OnDemand {
        return Err(Error::validation(
            "timeOfDay",
            "This job runs only on demand (when you confirm a reclaim or select Run now), so it has no time of day.",
        ));
    }
    sqlx::query!(
        "UPDATE scheduled_jobs SET time_of_day = ?, next_run_at = ? WHERE id = ?",
        text,
        next,
        job_id
    )
    .execute(&mut *tx)
    .await?;
    let job = super::load(&mut tx, job_id).await?;
    tx.commit().await?;
    Ok(job)
}

/// The first time after `now` that is `at` plus whole days (a job without a time of day keeps the
/// time of day it was published at).
pub(crate) fn next_run_after(at: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    if at > now {
        return at;
    }
    let mut next = at + Duration::days((now - at).num_days());
    while next <= now {
        next += Duration::days(1);
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn times_of_day_are_read_as_typed_and_refused_clearly() {
        assert_eq!(parse_time_of_day("02:30").unwrap(), NaiveTime::from_hms_opt(2, 30, 0).unwrap());
        assert_eq!(parse_time_of_day(" 7:05 ").unwrap(), NaiveTime::from_hms_opt(7, 5, 0).unwrap());
        assert_eq!(parse_time_of_day("23:59").unwrap(), NaiveTime::from_hms_opt(23, 59, 0).unwrap());
        for bad in ["", "24:00", "12:60", "2", "0230", "02:3", "02:30:00", "2:30 pm", "-1:30", "+2:30"] {
            match parse_time_of_day(bad) {
                Err(Error::Validation { field, message }) => {
                    assert_eq!(field, "timeOfDay");
                    assert!(message.contains("HH:MM"), "{message}");
                }
                other => panic!("{bad:?} was accepted: {other:?}"),
            }
        }
    }

    #[test]
    fn the_next_run_is_the_next_time_the_local_clock_shows() {
        let time = NaiveTime::from_hms_opt(2, 30, 0).unwrap();
        let zone = |hours_east: f64| chrono::FixedOffset::east_opt((hours_east * 3600.0) as i32).unwrap();
        let cases = [
            // Later today, or tomorrow when today's has passed (or is now).
            (zone(0.0), "2026-12-05T01:00:00Z", "2026-12-05T02:30:00Z"),
            (zone(0.0), "2026-12-05T02:30:00Z", "2026-12-06T02:30:00Z"),
            // 02:30 in Berlin in winter (UTC+1) is 01:30 UTC: at 01:00 UTC it is 02:00 there, so
            // today's is still ahead; at 02:00 UTC it has passed.
            (zone(1.0), "2026-12-05T01:00:00Z", "2026-12-05T01:30:00Z"),
            (zone(1.0), "2026-12-05T02:00:00Z", "2026-12-06T01:30:00Z"),
            // Kolkata (UTC+5:30): 21:00 UTC the day before. New York (UTC-5): 07:30 UTC.
            (zone(5.5), "2026-12-05T12:00:00Z", "2026-12-05T21:00:00Z"),
            (zone(-5.0), "2026-12-05T08:00:00Z", "2026-12-06T07:30:00Z"),
        ];
        for (tz, now, expected) in cases {
            assert_eq!(next_at_time_of_day(time, utc(now), &tz), utc(expected), "{tz} at {now}");
        }
    }

    /// A zone whose clock jumps from 02:00 to 03:00 on 2027-03-28 and back from 03:00 to 02:00 on
    /// 2027-10-31 (as Central Europe's does), UTC+1 in winter and UTC+2 in summer.
    #[derive(Debug, Clone, Copy)]
    struct CentralEurope;

    impl CentralEurope {
        fn summer(utc: &chrono::NaiveDateTime) -> bool {
            let start = chrono::NaiveDate::from_ymd_opt(2027, 3, 28).unwrap().and_hms_opt(1, 0, 0).unwrap();
            let end = chrono::NaiveDate::from_ymd_opt(2027, 10, 31).unwrap().and_hms_opt(1, 0, 0).unwrap();
            (start..end).contains(utc)
        }
        fn offset(summer: bool) -> chrono::FixedOffset {
            chrono::FixedOffset::east_opt(if summer { 7200 } else { 3600 }).unwrap()
        }
    }

    impl TimeZone for CentralEurope {
        type Offset = chrono::FixedOffset;
        fn from_offset(_: &chrono::FixedOffset) -> Self {
            CentralEurope
        }
        fn offset_from_utc_date(&self, utc: &chrono::NaiveDate) -> chrono::FixedOffset {
            self.offset_from_utc_datetime(&utc.and_time(NaiveTime::MIN))
        }
        fn offset_from_utc_datetime(&self, utc: &chrono::NaiveDateTime) -> chrono::FixedOffset {
            Self::offset(Self::summer(utc))
        }
        fn offset_from_local_date(&self, local: &chrono::NaiveDate) -> LocalResult<chrono::FixedOffset> {
            self.offset_from_local_datetime(&local.and_time(NaiveTime::MIN))
        }
        fn offset_from_local_datetime(
            &self,
            local: &chrono::NaiveDateTime,
        ) -> LocalResult<chrono::FixedOffset> {
            let (winter, summer) = (Self::offset(false), Self::offset(true));
            let as_winter = Self::summer(&(*local - Duration::seconds(3600)));
            let as_summer = Self::summer(&(*local - Duration::seconds(7200)));
            match (as_winter, as_summer) {
                (false, false) => LocalResult::Single(winter),
                (true, true) => LocalResult::Single(summer),
                (true, false) => LocalResult::None,
                (false, true) => LocalResult::Ambiguous(summer, winter),
            }
        }
    }

    #[test]
    fn a_time_the_clock_skips_runs_an_hour_later_and_a_doubled_one_runs_once() {
        let time = NaiveTime::from_hms_opt(2, 30, 0).unwrap();
        // Summer time starts: 02:30 does not exist on 2027-03-28; the run is at 03:30 CEST (01:30 UTC).
        let at = next_at_time_of_day(time, utc("2027-03-27T12:00:00Z"), &CentralEurope);
        assert_eq!(at, utc("2027-03-28T01:30:00Z"));
        // The day after, 02:30 CEST again.
        assert_eq!(next_at_time_of_day(time, at, &CentralEurope), utc("2027-03-29T00:30:00Z"));
        // Summer time ends: 02:30 happens twice on 2027-10-31; the first (CEST, 00:30 UTC) counts,
        // and the next run is the day after, not an hour later.
        let at = next_at_time_of_day(time, utc("2027-10-30T12:00:00Z"), &CentralEurope);
        assert_eq!(at, utc("2027-10-31T00:30:00Z"));
        assert_eq!(next_at_time_of_day(time, at, &CentralEurope), utc("2027-11-01T01:30:00Z"));
    }

    #[test]
    fn without_a_time_of_day_a_job_keeps_the_time_it_was_published_at() {
        let now = utc("2026-12-05T10:00:00Z");
        assert_eq!(next_run_after(utc("2026-12-05T02:00:00Z"), now), utc("2026-12-06T02:00:00Z"));
        assert_eq!(next_run_after(utc("2026-12-01T02:00:00Z"), now), utc("2026-12-06T02:00:00Z"));
        assert_eq!(next_run_after(utc("2026-12-01T12:00:00Z"), now), utc("2026-12-05T12:00:00Z"));
        assert_eq!(next_run_after(now, now), utc("2026-12-06T10:00:00Z"));
        assert_eq!(next_run_after(utc("2026-12-07T00:00:00Z"), now), utc("2026-12-07T00:00:00Z"));
    }
}
