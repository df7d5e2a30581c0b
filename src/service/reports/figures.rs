//! The figures of a set of conversations (docs/reports.md defines each one).

use chrono::{DateTime, Utc};

use crate::store::{Conversation, ConversationState};

/// One conversation started in the range, with what the report needs to know about it.
pub struct Facts<'a> {
    pub c: &'a Conversation,
    /// Started outside business hours or while no agent was online or busy.
    pub offline: bool,
    /// Messages said in it by the visitor, agents and bots.
    pub messages: i64,
}

impl Facts<'_> {
    pub fn answered(&self) -> bool {
        self.c.first_response_at.is_some()
    }

    pub fn missed(&self) -> bool {
        self.c.state == ConversationState::Closed && !self.answered() && !self.offline
    }

    pub fn first_response_ms(&self) -> Option<i64> {
        self.c.first_response_at.map(|t| ms(self.c.created_at, t))
    }

    pub fn resolution_ms(&self) -> Option<i64> {
        match (self.c.closed_at, self.answered()) {
            (Some(closed), true) => Some(ms(self.c.created_at, closed)),
            _ => None,
        }
    }

    /// Until the (last) assignment, or the first reply if that came earlier.
    pub fn waiting_ms(&self) -> Option<i64> {
        let assigned = self.c.assigned_at?;
        let until = match self.c.first_response_at {
            Some(reply) if reply < assigned => reply,
            _ => assigned,
        };
        Some(ms(self.c.created_at, until))
    }
}

fn ms(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (to - from).num_milliseconds().max(0)
}

/// Median and 90th percentile of durations, in seconds; None without any duration.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Spread {
    pub median: Option<f64>,
    pub p90: Option<f64>,
}

impl Spread {
    pub fn of(mut ms: Vec<i64>) -> Spread {
        ms.sort_unstable();
        Spread {
            median: median(&ms).map(|v| v / 1000.0),
            p90: nearest_rank(&ms, 90).map(|v| v as f64 / 1000.0),
        }
    }
}

/// The middle value, or the mean of the two middle values; `sorted` ascending.
pub fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2] as f64),
        _ => Some((sorted[n / 2 - 1] as f64 + sorted[n / 2] as f64) / 2.0),
    }
}

/// The smallest value with at least `p` percent of the values at or below it; `sorted` ascending.
pub fn nearest_rank(sorted: &[i64], p: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// Rounded to two decimals, for means people read.
pub fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Figures {
    pub started: u64,
    pub answered: u64,
    pub missed: u64,
    pub offline: u64,
    pub first_response: Spread,
    pub resolution: Spread,
    pub waiting: Spread,
    pub messages_per_conversation: Option<f64>,
    pub csat_average: Option<f64>,
    pub rated: u64,
}

impl Figures {
    pub fn of<'a, 'b: 'a>(facts: impl IntoIterator<Item = &'a Facts<'b>>) -> Figures {
        let mut f = Figures::default();
        let (mut frt, mut res, mut wait) = (Vec::new(), Vec::new(), Vec::new());
        let (mut messages, mut ratings) = (0i64, 0i64);
        for x in facts {
            f.started += 1;
            f.answered += u64::from(x.answered());
            f.missed += u64::from(x.missed());
            f.offline += u64::from(x.offline);
            frt.extend(x.first_response_ms());
            res.extend(x.resolution_ms());
            wait.extend(x.waiting_ms());
            messages += x.messages;
            if let Some(r) = x.c.rating {
                f.rated += 1;
                ratings += i64::from(r);
            }
        }
        f.first_response = Spread::of(frt);
        f.resolution = Spread::of(res);
        f.waiting = Spread::of(wait);
        if f.started > 0 {
            f.messages_per_conversation = Some(round2(messages as f64 / f.started as f64));
        }
        if f.rated > 0 {
            f.csat_average = Some(round2(ratings as f64 / f.rated as f64));
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_p90() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[5]), Some(5.0));
        assert_eq!(median(&[1, 2, 3, 10]), Some(2.5));
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(nearest_rank(&ten, 90), Some(9));
        assert_eq!(nearest_rank(&[7], 90), Some(7));
        assert_eq!(nearest_rank(&[1, 2, 3], 90), Some(3));
        let s = Spread::of(vec![30_000, 10_000, 20_000]);
        assert_eq!(s.median, Some(20.0));
        assert_eq!(s.p90, Some(30.0));
    }
}
