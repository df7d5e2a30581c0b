//! The mood of visitor messages: scored when the message is handed to the writer, stored in
//! the transaction that stores the message, and read back as a conversation's trend by agents,
//! routing scripts and handover rules.

mod lexicon;
mod score;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use score::score;

use crate::service::authz::{Actor, Permission};
use crate::service::ServiceResult;
use crate::store::{MessageKind, MessageSentiment, NewMessage, SenderKind, Store};

/// Scores a trend looks at.
const TREND_WINDOW: u64 = 20;
/// How far the recent mean must move from the earlier one to count as rising or falling.
const TREND_STEP: f64 = 0.2;

/// Where a conversation's mood goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Rising,
    Falling,
    Steady,
}

/// One scored message.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Point {
    pub message_id: String,
    pub score: f64,
    pub at: DateTime<Utc>,
}

/// A conversation's mood: the latest score, the mean of the recent ones, where it goes.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Trend {
    /// The latest visitor message's score, −1..1; null before any was scored.
    pub latest: Option<f64>,
    /// The mean of the recent scores (up to 20), −1..1; null before any was scored.
    pub average: Option<f64>,
    pub direction: Direction,
    /// The recent scores, oldest first.
    pub points: Vec<Point>,
}

impl Trend {
    fn of(mut rows: Vec<MessageSentiment>) -> Trend {
        rows.reverse();
        let scores: Vec<f64> = rows.iter().map(|r| r.score).collect();
        let mean = |s: &[f64]| (!s.is_empty()).then(|| s.iter().sum::<f64>() / s.len() as f64);
        let half = scores.len() / 2;
        let direction = match (mean(&scores[..half]), mean(&scores[half..])) {
            (Some(before), Some(after)) if after - before >= TREND_STEP => Direction::Rising,
            (Some(before), Some(after)) if before - after >= TREND_STEP => Direction::Falling,
            _ => Direction::Steady,
        };
        Trend {
            latest: scores.last().copied(),
            average: mean(&scores).map(|m| (m * 1000.0).round() / 1000.0),
            direction,
            points: rows
                .into_iter()
                .map(|r| Point {
                    message_id: r.message_id,
                    score: r.score,
                    at: r.created_at,
                })
                .collect(),
        }
    }
}

/// The score a new message is stored with: what visitors write as text is scored, nothing else.
pub fn mood(m: &NewMessage) -> Option<f64> {
    (m.sender_kind == SenderKind::Visitor && m.kind == MessageKind::Text)
        .then(|| f64::from(score(&m.body)))
}

#[derive(Clone)]
pub struct SentimentService {
    store: Store,
}

impl SentimentService {
    pub fn new(store: Store) -> Self {
        SentimentService { store }
    }

    /// The conversation's mood, for the services (routing, handover rules). Unknown or
    /// unscored conversations have an empty trend.
    pub async fn trend(&self, tenant_id: &str, conversation_id: &str) -> ServiceResult<Trend> {
        let rows = self
            .store
            .recent_sentiment(tenant_id, conversation_id, TREND_WINDOW)
            .await?;
        Ok(Trend::of(rows))
    }

    /// The latest score of the conversation, if any.
    pub async fn latest(
        &self,
        tenant_id: &str,
        conversation_id: &str,
    ) -> ServiceResult<Option<f64>> {
        let rows = self
            .store
            .recent_sentiment(tenant_id, conversation_id, 1)
            .await?;
        Ok(rows.first().map(|r| r.score))
    }

    /// The trend an agent sees in the workspace.
    pub async fn conversation_trend(
        &self,
        actor: &Actor,
        conversation_id: &str,
    ) -> ServiceResult<Trend> {
        actor.require(Permission::Chat)?;
        self.store
            .get_conversation(&actor.tenant_id, conversation_id)
            .await?;
        self.trend(&actor.tenant_id, conversation_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(score: f64, n: i64) -> MessageSentiment {
        MessageSentiment {
            message_id: format!("m{n}"),
            tenant_id: "t".into(),
            conversation_id: "c".into(),
            score,
            created_at: DateTime::from_timestamp(n, 0).unwrap_or_default(),
        }
    }

    #[test]
    fn trend_reads_newest_first_rows() {
        // Newest first, as the store returns them: the mood went from good to bad.
        let t = Trend::of(vec![row(-0.8, 4), row(-0.5, 3), row(0.6, 2), row(0.7, 1)]);
        assert_eq!(t.latest, Some(-0.8));
        assert_eq!(t.direction, Direction::Falling);
        assert_eq!(t.points.first().map(|p| p.message_id.as_str()), Some("m1"));
        let t = Trend::of(vec![row(0.5, 2), row(-0.5, 1)]);
        assert_eq!(t.direction, Direction::Rising);
        assert_eq!(t.average, Some(0.0));
        let t = Trend::of(vec![]);
        assert_eq!(
            (t.latest, t.average, t.direction),
            (None, None, Direction::Steady)
        );
    }
}
