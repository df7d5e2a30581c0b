//! Agents' time per status, and whether anyone could answer at a given instant, from the status
//! history (each change holds until the agent's next one).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::store::reports::StatusChange;
use crate::store::AgentStatus;

fn present(s: AgentStatus) -> bool {
    matches!(s, AgentStatus::Online | AgentStatus::Busy)
}

/// The spans during which at least one agent was online or busy.
pub struct Coverage {
    spans: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)>,
}

impl Coverage {
    /// From the changes, oldest first.
    pub fn new(changes: &[StatusChange]) -> Coverage {
        let mut now: HashMap<&str, AgentStatus> = HashMap::new();
        let mut spans = Vec::new();
        let mut open: Option<DateTime<Utc>> = None;
        for ch in changes {
            now.insert(ch.user_id.as_str(), ch.status);
            let anyone = now.values().any(|s| present(*s));
            match (anyone, open) {
                (true, None) => open = Some(ch.at),
                (false, Some(from)) => {
                    spans.push((from, Some(ch.at)));
                    open = None;
                }
                _ => {}
            }
        }
        if let Some(from) = open {
            spans.push((from, None));
        }
        Coverage { spans }
    }

    pub fn anyone_at(&self, at: DateTime<Utc>) -> bool {
        self.spans
            .iter()
            .any(|(from, to)| *from <= at && to.is_none_or(|to| at < to))
    }
}

/// Seconds per status of one agent inside the range.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StatusTime {
    pub online: i64,
    pub busy: i64,
    pub away: i64,
}

/// Per agent, their time in each status within `[start, until)`.
pub fn time_in_status(
    changes: &[StatusChange],
    start: DateTime<Utc>,
    until: DateTime<Utc>,
) -> HashMap<String, StatusTime> {
    let mut by_user: HashMap<&str, Vec<&StatusChange>> = HashMap::new();
    for ch in changes {
        by_user.entry(ch.user_id.as_str()).or_default().push(ch);
    }
    let mut out = HashMap::new();
    for (user, list) in by_user {
        let mut t = StatusTime::default();
        for (i, ch) in list.iter().enumerate() {
            let next = list.get(i + 1).map_or(until, |n| n.at.min(until));
            let from = ch.at.max(start);
            if next <= from {
                continue;
            }
            let secs = (next - from).num_seconds();
            match ch.status {
                AgentStatus::Online => t.online += secs,
                AgentStatus::Busy => t.busy += secs,
                AgentStatus::Away => t.away += secs,
                AgentStatus::Offline => {}
            }
        }
        out.insert(user.to_string(), t);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ch(user: &str, status: AgentStatus, at: &str) -> StatusChange {
        StatusChange {
            user_id: user.into(),
            status,
            at: at.parse().unwrap(),
        }
    }

    #[test]
    fn coverage_and_time() {
        let changes = vec![
            ch("a", AgentStatus::Online, "2026-03-01T23:00:00Z"),
            ch("a", AgentStatus::Away, "2026-03-02T09:00:00Z"),
            ch("b", AgentStatus::Busy, "2026-03-02T09:30:00Z"),
            ch("b", AgentStatus::Offline, "2026-03-02T10:00:00Z"),
        ];
        let c = Coverage::new(&changes);
        assert!(c.anyone_at("2026-03-02T08:59:59Z".parse().unwrap()));
        assert!(!c.anyone_at("2026-03-02T09:10:00Z".parse().unwrap()));
        assert!(c.anyone_at("2026-03-02T09:30:00Z".parse().unwrap()));
        assert!(!c.anyone_at("2026-03-02T10:00:00Z".parse().unwrap()));
        let t = time_in_status(
            &changes,
            "2026-03-02T08:00:00Z".parse().unwrap(),
            "2026-03-02T12:00:00Z".parse().unwrap(),
        );
        assert_eq!(
            t["a"],
            StatusTime {
                online: 3600,
                busy: 0,
                away: 3 * 3600
            }
        );
        assert_eq!(t["b"].busy, 1800);
    }
}
