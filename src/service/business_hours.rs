//! Whether a tenant is inside its business hours, in its own time zone.

use chrono::{DateTime, Datelike, NaiveTime, Utc};
use chrono_tz::Tz;

use super::admin::{BusinessHours, DAYS};

/// No hours at all means always open; once some are set, a day without ranges is closed.
/// Ranges are `[from, to)` in the tenant's local time; an unknown zone counts as UTC.
pub fn is_open(hours: &BusinessHours, timezone: &str, now: DateTime<Utc>) -> bool {
    if hours.is_empty() {
        return true;
    }
    let tz: Tz = timezone.parse().unwrap_or(chrono_tz::UTC);
    let local = now.with_timezone(&tz);
    let day = DAYS[local.weekday().num_days_from_monday() as usize];
    let time = local.time();
    let parse = |t: &str| NaiveTime::parse_from_str(t, "%H:%M").ok();
    hours
        .get(day)
        .into_iter()
        .flatten()
        .any(|[from, to]| match (parse(from), parse(to)) {
            (Some(a), Some(b)) => a <= time && time < b,
            _ => false,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(day: &str, from: &str, to: &str) -> BusinessHours {
        BusinessHours::from([(day.to_string(), vec![[from.to_string(), to.to_string()]])])
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn no_hours_means_always_open() {
        assert!(is_open(
            &BusinessHours::new(),
            "UTC",
            at("2026-11-22T03:00:00Z")
        ));
    }

    #[test]
    fn inside_and_outside_a_range() {
        // 2026-11-23 is a Monday.
        let h = hours("mon", "09:00", "17:00");
        assert!(is_open(&h, "UTC", at("2026-11-23T09:00:00Z")));
        assert!(is_open(&h, "UTC", at("2026-11-23T16:59:59Z")));
        assert!(!is_open(&h, "UTC", at("2026-11-23T17:00:00Z")));
        assert!(!is_open(&h, "UTC", at("2026-11-23T08:59:00Z")));
        // Tuesday has no ranges: closed all day.
        assert!(!is_open(&h, "UTC", at("2026-11-24T12:00:00Z")));
    }

    #[test]
    fn hours_are_in_the_tenants_zone() {
        let h = hours("mon", "09:00", "17:00");
        // 09:30 in Shanghai (UTC+8) is 01:30 UTC the same Monday.
        assert!(is_open(&h, "Asia/Shanghai", at("2026-11-23T01:30:00Z")));
        assert!(!is_open(&h, "Asia/Shanghai", at("2026-11-23T10:00:00Z")));
        // 23:30 UTC on Sunday is already Monday 07:30 in Shanghai: not yet open.
        assert!(!is_open(&h, "Asia/Shanghai", at("2026-11-22T23:30:00Z")));
    }

    #[test]
    fn an_unknown_zone_counts_as_utc() {
        let h = hours("mon", "09:00", "17:00");
        assert!(is_open(&h, "Mars/Olympus", at("2026-11-23T10:00:00Z")));
    }
}
