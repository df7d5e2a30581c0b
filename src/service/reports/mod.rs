//! Reports over a date range in the tenant's time zone, and the live monitor. The store hands
//! over plain rows; every figure is computed here, the same way on every database
//! (docs/reports.md defines them).

mod availability;
mod figures;
mod monitor;
mod tables;
mod window;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use chrono_tz::Tz;

use super::authz::{Actor, Permission};
use super::business_hours;
use super::ServiceResult;
use crate::cluster::Presence;
use crate::store::reports::StatusChange;
use crate::store::{Conversation, Store, UserFilter};

/// Teams are small; a tenant with more accounts than this reports on the first ones.
const MAX_USERS: u64 = 1000;

pub use availability::StatusTime;
pub use figures::{Figures, Spread};
pub use monitor::{Alert, Monitor, MonitorAgent};
pub use tables::{AgentRow, ByTime, Comment, Csat, GroupRow, Heatmap};
pub use window::{Interval, Window};

/// What a report is asked for: `from`, `to` (YYYY-MM-DD in the tenant's zone, both included)
/// and, for reports by time, `interval` (`day` or `hour`) and the agent or group to narrow to.
#[derive(Default)]
pub struct ReportQuery<'a> {
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub interval: Option<&'a str>,
    pub agent_id: Option<&'a str>,
    pub group_id: Option<&'a str>,
}

/// The range a report covers, as answered.
#[derive(Clone, Debug)]
pub struct Period {
    pub timezone: String,
    pub from: String,
    pub to: String,
    pub interval: Interval,
}

/// A report with the range it covers.
pub struct Report<T> {
    pub period: Period,
    pub body: T,
}

#[derive(Clone)]
pub struct ReportService {
    store: Store,
    presence: Arc<dyn Presence>,
}

/// Everything the reports of one range are computed from.
struct Data {
    window: Window,
    period: Period,
    conversations: Vec<Conversation>,
    messages: HashMap<String, i64>,
    offline: Vec<bool>,
    changes: Vec<StatusChange>,
}

impl Data {
    fn facts(&self) -> Vec<figures::Facts<'_>> {
        self.conversations
            .iter()
            .zip(&self.offline)
            .map(|(c, offline)| figures::Facts {
                c,
                offline: *offline,
                messages: self.messages.get(&c.id).copied().unwrap_or(0),
            })
            .collect()
    }

    fn report<T>(&self, body: T) -> Report<T> {
        Report {
            period: self.period.clone(),
            body,
        }
    }
}

impl ReportService {
    pub fn new(store: Store, presence: Arc<dyn Presence>) -> Self {
        ReportService { store, presence }
    }

    /// The tenant's zone (UTC when unset or unknown) and its name.
    async fn zone(&self, tenant_id: &str) -> ServiceResult<(Tz, String, String)> {
        let settings = self.store.get_settings(tenant_id).await?;
        let tz: Tz = settings.timezone.parse().unwrap_or(chrono_tz::UTC);
        Ok((tz, tz.name().to_string(), settings.business_hours))
    }

    async fn load(&self, actor: &Actor, q: &ReportQuery<'_>) -> ServiceResult<Data> {
        actor.require(Permission::ConversationsRead)?;
        let tenant = &actor.tenant_id;
        let (tz, timezone, hours) = self.zone(tenant).await?;
        let window = Window::parse(q.from, q.to, q.interval, tz)?;
        let conversations = self
            .store
            .conversations_started(tenant, window.start, window.end)
            .await?;
        let messages = self
            .store
            .messages_per_conversation(tenant, window.start, window.end)
            .await?;
        let changes = self
            .store
            .status_changes(tenant, window.start, window.end)
            .await?;
        let hours: super::admin::BusinessHours = serde_json::from_str(&hours).unwrap_or_default();
        let coverage = availability::Coverage::new(&changes);
        let offline = conversations
            .iter()
            .map(|c| {
                !business_hours::is_open(&hours, &timezone, c.created_at)
                    || !coverage.anyone_at(c.created_at)
            })
            .collect();
        Ok(Data {
            period: Period {
                timezone,
                from: window.from.to_string(),
                to: window.to.to_string(),
                interval: window.interval,
            },
            window,
            conversations,
            messages,
            offline,
            changes,
        })
    }

    /// Conversations by day or hour, with the range's total; only those the agent holds or held
    /// last, or of the group, when asked (an id not of the tenant: not found).
    pub async fn by_time(
        &self,
        actor: &Actor,
        q: &ReportQuery<'_>,
    ) -> ServiceResult<Report<ByTime>> {
        let data = self.load(actor, q).await?;
        let tenant = &actor.tenant_id;
        if let Some(id) = q.agent_id {
            self.store.get_user(tenant, id).await?;
        }
        if let Some(id) = q.group_id {
            self.store.get_group(tenant, id).await?;
        }
        let is = |want: Option<&str>, have: Option<&str>| want.is_none() || want == have;
        let facts: Vec<figures::Facts<'_>> = data
            .facts()
            .into_iter()
            .filter(|f| is(q.agent_id, f.c.agent_id.as_deref()))
            .filter(|f| is(q.group_id, f.c.group_id.as_deref()))
            .collect();
        Ok(data.report(tables::by_time(&data.window, &facts)))
    }

    /// One row per agent: their conversations, replies, time per status and load.
    pub async fn agents(
        &self,
        actor: &Actor,
        q: &ReportQuery<'_>,
    ) -> ServiceResult<Report<Vec<AgentRow>>> {
        let data = self.load(actor, q).await?;
        let tenant = &actor.tenant_id;
        let everyone = UserFilter {
            role: None,
            disabled: None,
        };
        let users = self
            .store
            .list_users(tenant, everyone, None, MAX_USERS)
            .await?;
        let sent = self
            .store
            .messages_by_agent(tenant, data.window.start, data.window.end)
            .await?;
        let until = data.window.end.min(Utc::now());
        let time = availability::time_in_status(&data.changes, data.window.start, until);
        let rows = tables::agents(&users, &data.facts(), &sent, &time, until);
        Ok(data.report(rows))
    }

    /// One row per group, and one for conversations in no group.
    pub async fn groups(
        &self,
        actor: &Actor,
        q: &ReportQuery<'_>,
    ) -> ServiceResult<Report<Vec<GroupRow>>> {
        let data = self.load(actor, q).await?;
        let groups = self.store.list_groups(&actor.tenant_id).await?;
        Ok(data.report(tables::groups(&groups, &data.facts())))
    }

    /// Ratings: their distribution, average and comments.
    pub async fn csat(&self, actor: &Actor, q: &ReportQuery<'_>) -> ServiceResult<Report<Csat>> {
        let data = self.load(actor, q).await?;
        Ok(data.report(tables::csat(&data.conversations)))
    }

    /// Conversations started per local weekday and hour.
    pub async fn heatmap(
        &self,
        actor: &Actor,
        q: &ReportQuery<'_>,
    ) -> ServiceResult<Report<Heatmap>> {
        let data = self.load(actor, q).await?;
        Ok(data.report(tables::heatmap(&data.conversations, data.window.tz)))
    }
}
