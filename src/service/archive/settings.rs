//! The tenant's `archive_after_days` and `delete_after_days`, as the admin settings change
//! them: checked together, since deletion must come after archiving.

use crate::service::Checks;
use crate::store::ArchiveSettings;

/// Longest age accepted, in days (a century).
pub const DAYS_MAX: u32 = 36_500;

/// Applies a change of either setting to `current`; a bad combination is recorded in
/// `checks`. Returns the new settings, or None when neither was given.
pub fn apply(
    checks: &mut Checks,
    current: ArchiveSettings,
    archive_after_days: Option<u32>,
    delete_after_days: Option<u32>,
) -> Option<ArchiveSettings> {
    if archive_after_days.is_none() && delete_after_days.is_none() {
        return None;
    }
    let next = ArchiveSettings {
        archive_after_days: archive_after_days.unwrap_or(current.archive_after_days),
        delete_after_days: delete_after_days.unwrap_or(current.delete_after_days),
    };
    for (field, value) in [
        ("archive_after_days", next.archive_after_days),
        ("delete_after_days", next.delete_after_days),
    ] {
        if value > DAYS_MAX {
            checks.fail(field, format!("must be 0 (never) to {DAYS_MAX} days"));
        }
    }
    if next.archive_after_days > 0
        && next.delete_after_days > 0
        && next.delete_after_days <= next.archive_after_days
    {
        checks.fail(
            "delete_after_days",
            format!(
                "must be more than archive_after_days ({}), or 0 (never)",
                next.archive_after_days
            ),
        );
    }
    Some(next)
}
