//! Whether a tenant is inside its business hours, in its own time zone.

use chrono::{DateTime, Datelike, NaiveTime, Utc};
use chrono_tz::Tz;

use super::admin::{BusinessHours, DAYS};

/// The weekdays in words, in the order of `DAYS`, for messages people read.
const DAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// "Monday" for "mon"; the key itself when it is not a day.
pub fn day_name(key: &str) -> &str {
    DAYS.iter()
        .position(|d| *d == key)
        .map_or(key, |i| DAY_NAMES[i])
}

/// A time of day as people type it: `09:00`, `9:30`, `9` or `17` (whole hours); `24` or
/// `24:00` is the end of the day (23:59:59.999…, so a range may run to midnight).
pub fn parse_time(raw: &str) -> Option<NaiveTime> {
    let t = raw.trim();
    let (h, m) = t.split_once(':').unwrap_or((t, "00"));
    let ok = |s: &str, max: usize| {
        !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !ok(h, 2) || !ok(m, 2) || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    if h == 24 && m == 0 {
        return NaiveTime::from_hms_nano_opt(23, 59, 59, 999_999_999);
    }
    NaiveTime::from_hms_opt(h, m, 0)
}

/// The stored spelling of a time typed as `9` or `9:30`: `09:00`, `09:30` (`24:00` stays).
pub fn normalise_time(raw: &str) -> Option<String> {
    let t = parse_time(raw)?;
    if t == NaiveTime::from_hms_nano_opt(23, 59, 59, 999_999_999)? {
        return Some("24:00".to_string());
    }
    Some(t.format("%H:%M").to_string())
}

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
    hours.get(day).into_iter().flatten().any(|[from, to]| {
        match (parse_time(from), parse_time(to)) {
            (Some(a), Some(b)) => a <= time && time < b,
            _ => false,
        }
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
    fn times_as_people_type_them() {
        for (raw, stored) in [
            ("09:00", "09:00"),
            ("9", "09:00"),
            ("9:30", "09:30"),
            ("17", "17:00"),
            (" 0 ", "00:00"),
            ("24", "24:00"),
        ] {
            assert_eq!(normalise_time(raw).as_deref(), Some(stored), "{raw}");
        }
        for bad in ["", "9am", "25", "9:5", "9:60", "-1", "123", "24:30", "9:"] {
            assert_eq!(normalise_time(bad), None, "{bad}");
        }
        let h = hours("mon", "9", "17");
        assert!(is_open(&h, "UTC", at("2026-11-23T09:00:00Z")));
        assert!(!is_open(&h, "UTC", at("2026-11-23T17:00:00Z")));
        let late = hours("mon", "18:00", "24:00");
        assert!(is_open(&late, "UTC", at("2026-11-23T23:59:30Z")));
        assert_eq!(day_name("wed"), "Wednesday");
    }

    #[test]
    fn an_unknown_zone_counts_as_utc() {
        let h = hours("mon", "09:00", "17:00");
        assert!(is_open(&h, "Mars/Olympus", at("2026-11-23T10:00:00Z")));
    }
}
