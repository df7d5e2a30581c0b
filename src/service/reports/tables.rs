//! The tables of the reports, from the facts of the conversations started in the range.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Tz;

use super::availability::StatusTime;
use super::figures::{round2, Facts, Figures};
use super::window::{bucket_of, Window};
use crate::store::{Conversation, Group, User};

/// Most comments a CSAT report lists (newest first).
pub const MAX_COMMENTS: usize = 500;

pub struct ByTime {
    /// (bucket label, its figures), oldest first, every bucket present.
    pub rows: Vec<(String, Figures)>,
    pub total: Figures,
}

pub fn by_time(window: &Window, facts: &[Facts<'_>]) -> ByTime {
    let buckets = window.buckets();
    let mut members: Vec<Vec<&Facts<'_>>> = vec![Vec::new(); buckets.len()];
    for f in facts {
        if let Some(i) = bucket_of(&buckets, f.c.created_at) {
            members[i].push(f);
        }
    }
    ByTime {
        rows: buckets
            .into_iter()
            .zip(members)
            .map(|(b, m)| (b.label, Figures::of(m)))
            .collect(),
        total: Figures::of(facts),
    }
}

pub struct AgentRow {
    pub agent_id: String,
    pub name: String,
    /// Of the conversations started in the range that this agent holds or held last.
    pub figures: Figures,
    /// Messages they said in the range.
    pub messages_sent: i64,
    pub time: StatusTime,
    /// Most of their conversations open at the same time.
    pub peak_concurrent: u64,
}

pub fn agents(
    users: &[User],
    facts: &[Facts<'_>],
    sent: &HashMap<String, i64>,
    time: &HashMap<String, StatusTime>,
    until: DateTime<Utc>,
) -> Vec<AgentRow> {
    let mut rows: Vec<AgentRow> = users
        .iter()
        .filter_map(|u| {
            let theirs: Vec<&Facts<'_>> = facts
                .iter()
                .filter(|f| f.c.agent_id.as_deref() == Some(u.id.as_str()))
                .collect();
            let messages_sent = sent.get(&u.id).copied().unwrap_or(0);
            let t = time.get(&u.id).copied().unwrap_or_default();
            let active = !theirs.is_empty() || messages_sent > 0 || t != StatusTime::default();
            if u.disabled && !active {
                return None;
            }
            Some(AgentRow {
                agent_id: u.id.clone(),
                name: u.name.clone(),
                peak_concurrent: peak(&theirs, until),
                figures: Figures::of(theirs),
                messages_sent,
                time: t,
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        a.name
            .cmp(&b.name)
            .then_with(|| a.agent_id.cmp(&b.agent_id))
    });
    rows
}

/// The most conversations open at once, each from its assignment to its close (or `until`).
fn peak(facts: &[&Facts<'_>], until: DateTime<Utc>) -> u64 {
    let mut edges: Vec<(DateTime<Utc>, i64)> = Vec::new();
    for f in facts {
        let Some(from) = f.c.assigned_at else {
            continue;
        };
        let to = f.c.closed_at.unwrap_or(until);
        if to > from {
            edges.push((from, 1));
            edges.push((to, -1));
        }
    }
    // A close at the same instant as an assignment frees the slot first.
    edges.sort();
    let (mut now, mut most) = (0i64, 0i64);
    for (_, d) in edges {
        now += d;
        most = most.max(now);
    }
    most as u64
}

pub struct GroupRow {
    /// None: conversations in no group.
    pub group_id: Option<String>,
    pub name: String,
    pub figures: Figures,
}

pub fn groups(groups: &[Group], facts: &[Facts<'_>]) -> Vec<GroupRow> {
    let mut rows: Vec<GroupRow> = groups
        .iter()
        .map(|g| GroupRow {
            group_id: Some(g.id.clone()),
            name: g.name.clone(),
            figures: Figures::of(
                facts
                    .iter()
                    .filter(|f| f.c.group_id.as_deref() == Some(g.id.as_str())),
            ),
        })
        .collect();
    let known = |id: &str| groups.iter().any(|g| g.id == id);
    let none: Vec<&Facts<'_>> = facts
        .iter()
        .filter(|f| f.c.group_id.as_deref().is_none_or(|g| !known(g)))
        .collect();
    if !none.is_empty() {
        rows.push(GroupRow {
            group_id: None,
            name: "(no group)".into(),
            figures: Figures::of(none),
        });
    }
    rows
}

pub struct Comment {
    pub conversation_id: String,
    pub agent_id: Option<String>,
    pub rating: i32,
    pub comment: String,
    pub started_at: DateTime<Utc>,
}

pub struct Csat {
    /// Conversations rated 1, 2, 3, 4 and 5.
    pub distribution: [u64; 5],
    pub rated: u64,
    pub average: Option<f64>,
    pub comments: Vec<Comment>,
}

pub fn csat(conversations: &[Conversation]) -> Csat {
    let mut distribution = [0u64; 5];
    let mut sum = 0i64;
    let mut comments = Vec::new();
    for c in conversations {
        let Some(r) = c.rating.filter(|r| (1..=5).contains(r)) else {
            continue;
        };
        distribution[(r - 1) as usize] += 1;
        sum += i64::from(r);
        if let Some(text) = c.rating_comment.as_deref().map(str::trim) {
            if !text.is_empty() {
                comments.push(Comment {
                    conversation_id: c.id.clone(),
                    agent_id: c.agent_id.clone(),
                    rating: r,
                    comment: text.to_string(),
                    started_at: c.created_at,
                });
            }
        }
    }
    comments.sort_by_key(|c| std::cmp::Reverse(c.started_at));
    comments.truncate(MAX_COMMENTS);
    let rated: u64 = distribution.iter().sum();
    Csat {
        distribution,
        rated,
        average: (rated > 0).then(|| round2(sum as f64 / rated as f64)),
        comments,
    }
}

pub struct Heatmap {
    /// `[weekday][hour]`: Monday = 0, local hours 0–23.
    pub cells: [[u64; 24]; 7],
}

pub fn heatmap(conversations: &[Conversation], tz: Tz) -> Heatmap {
    let mut cells = [[0u64; 24]; 7];
    for c in conversations {
        let local = c.created_at.with_timezone(&tz);
        cells[local.weekday().num_days_from_monday() as usize][local.hour() as usize] += 1;
    }
    Heatmap { cells }
}
