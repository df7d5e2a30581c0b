//! The CSAT and busiest-hours views, and their CSV.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::csv::{Cell, Csv};
use super::views::PeriodView;
use crate::service::reports::{Comment, Csat, Heatmap, Period};

#[derive(Serialize, ToSchema)]
pub struct RatingCount {
    pub rating: i32,
    pub count: u64,
}

#[derive(Serialize, ToSchema)]
pub struct CsatView {
    #[serde(flatten)]
    pub period: PeriodView,
    pub rated: u64,
    /// Mean rating (1–5), two decimals; null when nothing was rated.
    pub average: Option<f64>,
    /// Ratings 1 to 5 and how many conversations got each.
    pub distribution: Vec<RatingCount>,
}

impl CsatView {
    pub fn new(period: &Period, c: &Csat) -> Self {
        CsatView {
            period: PeriodView::of(period),
            rated: c.rated,
            average: c.average,
            distribution: (1..=5)
                .zip(c.distribution)
                .map(|(rating, count)| RatingCount { rating, count })
                .collect(),
        }
    }

    pub fn csv(&self) -> Csv {
        Csv {
            name: self.period.file("csat"),
            header: vec!["rating", "count"],
            rows: self
                .distribution
                .iter()
                .map(|d| vec![i64::from(d.rating).into(), d.count.into()])
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CommentView {
    pub conversation_id: String,
    pub agent_id: Option<String>,
    pub rating: i32,
    pub comment: String,
    pub started_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct CommentsView {
    #[serde(flatten)]
    pub period: PeriodView,
    /// Newest conversation first, at most 500.
    pub comments: Vec<CommentView>,
}

impl CommentsView {
    pub fn new(period: &Period, comments: &[Comment]) -> Self {
        CommentsView {
            period: PeriodView::of(period),
            comments: comments
                .iter()
                .map(|c| CommentView {
                    conversation_id: c.conversation_id.clone(),
                    agent_id: c.agent_id.clone(),
                    rating: c.rating,
                    comment: c.comment.clone(),
                    started_at: c.started_at,
                })
                .collect(),
        }
    }

    pub fn csv(&self) -> Csv {
        Csv {
            name: self.period.file("csat-comments"),
            header: vec![
                "conversation_id",
                "agent_id",
                "rating",
                "comment",
                "started_at",
            ],
            rows: self
                .comments
                .iter()
                .map(|c| {
                    vec![
                        c.conversation_id.as_str().into(),
                        c.agent_id.clone().unwrap_or_default().into(),
                        i64::from(c.rating).into(),
                        c.comment.as_str().into(),
                        Cell::Text(c.started_at.to_rfc3339()),
                    ]
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct HeatCell {
    /// ISO weekday in the tenant's zone: 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    /// Local hour, 0–23.
    pub hour: u8,
    pub started: u64,
}

#[derive(Serialize, ToSchema)]
pub struct HeatmapView {
    #[serde(flatten)]
    pub period: PeriodView,
    /// All 168 cells, Monday 00 first.
    pub cells: Vec<HeatCell>,
}

impl HeatmapView {
    pub fn new(period: &Period, h: &Heatmap) -> Self {
        let mut cells = Vec::with_capacity(168);
        for (day, hours) in (1u8..).zip(h.cells.iter()) {
            for (hour, started) in (0u8..).zip(hours.iter()) {
                cells.push(HeatCell {
                    weekday: day,
                    hour,
                    started: *started,
                });
            }
        }
        HeatmapView {
            period: PeriodView::of(period),
            cells,
        }
    }

    pub fn csv(&self) -> Csv {
        Csv {
            name: self.period.file("heatmap"),
            header: vec!["weekday", "hour", "started"],
            rows: self
                .cells
                .iter()
                .map(|c| {
                    vec![
                        i64::from(c.weekday).into(),
                        i64::from(c.hour).into(),
                        c.started.into(),
                    ]
                })
                .collect(),
        }
    }
}
