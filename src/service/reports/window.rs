//! The date range of a report, in the tenant's time zone, and its day or hour buckets.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use crate::service::{ServiceError, ServiceResult};

/// Longest range by day, and by hour.
pub const MAX_DAYS: i64 = 366;
pub const MAX_HOUR_DAYS: i64 = 31;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interval {
    Day,
    Hour,
}

/// `from`..=`to` (local dates) as the UTC instants `[start, end)`.
#[derive(Clone, Debug)]
pub struct Window {
    pub tz: Tz,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub interval: Interval,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// One row of a report by time: its label and the instant it starts.
#[derive(Clone, Debug)]
pub struct Bucket {
    pub label: String,
    pub start: DateTime<Utc>,
}

impl Window {
    /// Checks and reads `from`, `to` (YYYY-MM-DD, both included) and `interval` (`day`, `hour`).
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        interval: Option<&str>,
        tz: Tz,
    ) -> ServiceResult<Window> {
        // chrono also reads "2026-3-2"; the format promises exactly YYYY-MM-DD.
        let date = |field: &str, raw: Option<&str>| {
            let raw = raw.ok_or_else(|| ServiceError::invalid(field, "required (YYYY-MM-DD)"))?;
            NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .ok()
                .filter(|_| raw.len() == 10)
                .ok_or_else(|| ServiceError::invalid(field, "a date as YYYY-MM-DD"))
        };
        let (from, to) = (date("from", from)?, date("to", to)?);
        let interval = match interval.unwrap_or("day") {
            "day" => Interval::Day,
            "hour" => Interval::Hour,
            _ => return Err(ServiceError::invalid("interval", "day or hour")),
        };
        if to < from {
            return Err(ServiceError::invalid("to", "on or after from"));
        }
        let days = (to - from).num_days() + 1;
        let most = match interval {
            Interval::Day => MAX_DAYS,
            Interval::Hour => MAX_HOUR_DAYS,
        };
        if days > most {
            return Err(ServiceError::invalid(
                "to",
                format!("at most {most} days after from with this interval"),
            ));
        }
        let next = to
            .succ_opt()
            .ok_or_else(|| ServiceError::invalid("to", "a date in range"))?;
        Ok(Window {
            start: local_midnight(tz, from),
            end: local_midnight(tz, next),
            tz,
            from,
            to,
            interval,
        })
    }

    /// The rows of a report by time, oldest first: each local day, or each hour from the
    /// first local midnight (labelled with its local time and UTC offset).
    pub fn buckets(&self) -> Vec<Bucket> {
        match self.interval {
            Interval::Day => self
                .from
                .iter_days()
                .take_while(|d| *d <= self.to)
                .map(|d| Bucket {
                    label: d.format("%Y-%m-%d").to_string(),
                    start: local_midnight(self.tz, d),
                })
                .collect(),
            Interval::Hour => {
                let mut out = Vec::new();
                let mut at = self.start;
                while at < self.end {
                    out.push(Bucket {
                        label: at
                            .with_timezone(&self.tz)
                            .format("%Y-%m-%dT%H:%M%:z")
                            .to_string(),
                        start: at,
                    });
                    at += Duration::hours(1);
                }
                out
            }
        }
    }
}

/// The index of the bucket holding `at` (buckets sorted by start, `at` within the window).
pub fn bucket_of(buckets: &[Bucket], at: DateTime<Utc>) -> Option<usize> {
    buckets.partition_point(|b| b.start <= at).checked_sub(1)
}

/// The first instant of `date` in `tz` (where midnight does not exist, the first one after it).
pub fn local_midnight(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    let mut naive = date.and_time(chrono::NaiveTime::MIN);
    for _ in 0..4 {
        if let Some(t) = tz.from_local_datetime(&naive).earliest() {
            return t.with_timezone(&Utc);
        }
        naive += Duration::minutes(30);
    }
    Utc.from_utc_datetime(&date.and_time(chrono::NaiveTime::MIN))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_in_the_tenant_zone() {
        let w = Window::parse(
            Some("2026-03-02"),
            Some("2026-03-03"),
            None,
            chrono_tz::Europe::Berlin,
        )
        .expect("valid");
        assert_eq!(w.start.to_rfc3339(), "2026-03-01T23:00:00+00:00");
        assert_eq!(w.end.to_rfc3339(), "2026-03-03T23:00:00+00:00");
        let b = w.buckets();
        assert_eq!(b.len(), 2);
        assert_eq!(b[1].label, "2026-03-03");
        let at = "2026-03-02T23:30:00Z".parse().unwrap();
        assert_eq!(bucket_of(&b, at), Some(1));
    }

    #[test]
    fn hours_across_a_clock_change() {
        // 2026-03-29: Berlin skips 02:00-03:00, so the day has 23 hours.
        let w = Window::parse(
            Some("2026-03-29"),
            Some("2026-03-29"),
            Some("hour"),
            chrono_tz::Europe::Berlin,
        )
        .expect("valid");
        let b = w.buckets();
        assert_eq!(b.len(), 23);
        assert_eq!(b[0].label, "2026-03-29T00:00+01:00");
        assert_eq!(b[2].label, "2026-03-29T03:00+02:00");
    }

    #[test]
    fn bad_ranges_are_refused() {
        let utc = chrono_tz::UTC;
        assert!(Window::parse(Some("2026-03-02"), Some("2026-03-01"), None, utc).is_err());
        assert!(Window::parse(Some("2026-3-2"), Some("2026-03-03"), None, utc).is_err());
        assert!(Window::parse(Some("2026-03-02"), Some("2026-03-03"), None, utc).is_ok());
        assert!(Window::parse(Some("2026-01-01"), Some("2026-03-01"), Some("hour"), utc).is_err());
        assert!(Window::parse(Some("2025-01-01"), Some("2026-03-01"), None, utc).is_err());
        assert!(Window::parse(Some("2026-01-01"), Some("2026-01-01"), Some("week"), utc).is_err());
    }
}
