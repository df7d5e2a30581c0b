//! The JSON of the reports, and the same tables as CSV.

use serde::Serialize;
use utoipa::ToSchema;

use super::csv::{Cell, Csv};
use crate::service::reports::{AgentRow, ByTime, Figures, GroupRow, Interval, Period};

#[derive(Serialize, ToSchema)]
pub struct PeriodView {
    /// The tenant's time zone (IANA name) the dates are in.
    #[schema(example = "Europe/Berlin")]
    pub timezone: String,
    #[schema(example = "2026-03-02")]
    pub from: String,
    #[schema(example = "2026-03-08")]
    pub to: String,
    #[schema(example = "day")]
    pub interval: String,
}

impl PeriodView {
    pub fn of(p: &Period) -> Self {
        PeriodView {
            timezone: p.timezone.clone(),
            from: p.from.clone(),
            to: p.to.clone(),
            interval: match p.interval {
                Interval::Day => "day",
                Interval::Hour => "hour",
            }
            .into(),
        }
    }

    /// `<report>-<from>-<to>`, the CSV file's name.
    pub fn file(&self, report: &str) -> String {
        format!("{report}-{}-{}", self.from, self.to)
    }
}

/// The figures of a set of conversations (docs/reports.md); durations in seconds, null when
/// there is nothing to measure.
#[derive(Serialize, ToSchema)]
pub struct FiguresView {
    pub started: u64,
    pub answered: u64,
    pub missed: u64,
    pub offline: u64,
    pub first_response_median_secs: Option<f64>,
    pub first_response_p90_secs: Option<f64>,
    pub resolution_median_secs: Option<f64>,
    pub resolution_p90_secs: Option<f64>,
    pub waiting_median_secs: Option<f64>,
    pub waiting_p90_secs: Option<f64>,
    pub messages_per_conversation: Option<f64>,
    pub csat_average: Option<f64>,
    pub rated: u64,
}

const FIGURES: [&str; 13] = [
    "started",
    "answered",
    "missed",
    "offline",
    "first_response_median_secs",
    "first_response_p90_secs",
    "resolution_median_secs",
    "resolution_p90_secs",
    "waiting_median_secs",
    "waiting_p90_secs",
    "messages_per_conversation",
    "csat_average",
    "rated",
];

impl From<&Figures> for FiguresView {
    fn from(f: &Figures) -> Self {
        FiguresView {
            started: f.started,
            answered: f.answered,
            missed: f.missed,
            offline: f.offline,
            first_response_median_secs: f.first_response.median,
            first_response_p90_secs: f.first_response.p90,
            resolution_median_secs: f.resolution.median,
            resolution_p90_secs: f.resolution.p90,
            waiting_median_secs: f.waiting.median,
            waiting_p90_secs: f.waiting.p90,
            messages_per_conversation: f.messages_per_conversation,
            csat_average: f.csat_average,
            rated: f.rated,
        }
    }
}

impl FiguresView {
    fn cells(&self) -> Vec<Cell> {
        vec![
            self.started.into(),
            self.answered.into(),
            self.missed.into(),
            self.offline.into(),
            self.first_response_median_secs.into(),
            self.first_response_p90_secs.into(),
            self.resolution_median_secs.into(),
            self.resolution_p90_secs.into(),
            self.waiting_median_secs.into(),
            self.waiting_p90_secs.into(),
            self.messages_per_conversation.into(),
            self.csat_average.into(),
            self.rated.into(),
        ]
    }
}

fn header(first: &[&'static str], last: &[&'static str]) -> Vec<&'static str> {
    first
        .iter()
        .chain(FIGURES.iter())
        .chain(last)
        .copied()
        .collect()
}

#[derive(Serialize, ToSchema)]
pub struct TimeRowView {
    /// `YYYY-MM-DD`, or the hour's local start `YYYY-MM-DDTHH:MM+HH:MM`.
    pub bucket: String,
    #[serde(flatten)]
    pub figures: FiguresView,
}

#[derive(Serialize, ToSchema)]
pub struct ByTimeView {
    #[serde(flatten)]
    pub period: PeriodView,
    pub rows: Vec<TimeRowView>,
    pub total: FiguresView,
}

impl ByTimeView {
    pub fn new(period: &Period, b: &ByTime) -> Self {
        ByTimeView {
            period: PeriodView::of(period),
            rows: b
                .rows
                .iter()
                .map(|(bucket, f)| TimeRowView {
                    bucket: bucket.clone(),
                    figures: f.into(),
                })
                .collect(),
            total: (&b.total).into(),
        }
    }

    /// One row per bucket, then `total`.
    pub fn csv(&self) -> Csv {
        let mut rows: Vec<Vec<Cell>> = self
            .rows
            .iter()
            .map(|r| [vec![r.bucket.as_str().into()], r.figures.cells()].concat())
            .collect();
        rows.push([vec!["total".into()], self.total.cells()].concat());
        Csv {
            name: self.period.file("conversations"),
            header: header(&["bucket"], &[]),
            rows,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AgentRowView {
    pub agent_id: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: FiguresView,
    pub messages_sent: i64,
    pub online_secs: i64,
    pub busy_secs: i64,
    pub away_secs: i64,
    pub peak_concurrent: u64,
}

#[derive(Serialize, ToSchema)]
pub struct AgentsView {
    #[serde(flatten)]
    pub period: PeriodView,
    pub rows: Vec<AgentRowView>,
}

impl AgentsView {
    pub fn new(period: &Period, rows: &[AgentRow]) -> Self {
        AgentsView {
            period: PeriodView::of(period),
            rows: rows
                .iter()
                .map(|r| AgentRowView {
                    agent_id: r.agent_id.clone(),
                    name: r.name.clone(),
                    figures: (&r.figures).into(),
                    messages_sent: r.messages_sent,
                    online_secs: r.time.online,
                    busy_secs: r.time.busy,
                    away_secs: r.time.away,
                    peak_concurrent: r.peak_concurrent,
                })
                .collect(),
        }
    }

    pub fn csv(&self) -> Csv {
        let rows = self
            .rows
            .iter()
            .map(|r| {
                let first: Vec<Cell> = vec![r.agent_id.as_str().into(), r.name.as_str().into()];
                let last: Vec<Cell> = vec![
                    r.messages_sent.into(),
                    r.online_secs.into(),
                    r.busy_secs.into(),
                    r.away_secs.into(),
                    r.peak_concurrent.into(),
                ];
                [first, r.figures.cells(), last].concat()
            })
            .collect();
        Csv {
            name: self.period.file("agents"),
            header: header(
                &["agent_id", "name"],
                &[
                    "messages_sent",
                    "online_secs",
                    "busy_secs",
                    "away_secs",
                    "peak_concurrent",
                ],
            ),
            rows,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct GroupRowView {
    /// null: conversations in no group.
    pub group_id: Option<String>,
    pub name: String,
    #[serde(flatten)]
    pub figures: FiguresView,
}

#[derive(Serialize, ToSchema)]
pub struct GroupsView {
    #[serde(flatten)]
    pub period: PeriodView,
    pub rows: Vec<GroupRowView>,
}

impl GroupsView {
    pub fn new(period: &Period, rows: &[GroupRow]) -> Self {
        GroupsView {
            period: PeriodView::of(period),
            rows: rows
                .iter()
                .map(|r| GroupRowView {
                    group_id: r.group_id.clone(),
                    name: r.name.clone(),
                    figures: (&r.figures).into(),
                })
                .collect(),
        }
    }

    pub fn csv(&self) -> Csv {
        let rows = self
            .rows
            .iter()
            .map(|r| {
                let id = r.group_id.clone().unwrap_or_default();
                [vec![id.into(), r.name.as_str().into()], r.figures.cells()].concat()
            })
            .collect();
        Csv {
            name: self.period.file("groups"),
            header: header(&["group_id", "name"], &[]),
            rows,
        }
    }
}
