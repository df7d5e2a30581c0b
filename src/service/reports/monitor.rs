//! The live monitor: the team and the queue now, the last minute's traffic, today's CSAT.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::window::local_midnight;
use super::{ReportService, MAX_USERS};
use crate::service::authz::{Actor, Permission};
use crate::service::{ServiceError, ServiceResult};
use crate::store::{AgentStatus, ConversationState, Role, UserFilter};

/// Waiting conversations read for the alerts; the count itself is exact.
const MAX_ALERTS: u64 = 50;
/// The alert threshold may be 0 (every waiting visitor) to a day.
const MAX_ALERT_MINUTES: u32 = 24 * 60;

pub struct MonitorAgent {
    pub id: String,
    pub name: String,
    pub status: AgentStatus,
    /// Has a live connection (on any node).
    pub online: bool,
    pub open_chats: i64,
    pub max_chats: i32,
}

/// A visitor waiting at least as long as the threshold.
pub struct Alert {
    pub conversation_id: String,
    pub waiting_secs: i64,
}

pub struct Monitor {
    pub at: DateTime<Utc>,
    pub agents: Vec<MonitorAgent>,
    pub waiting: u64,
    pub longest_wait_secs: Option<i64>,
    pub open: u64,
    pub conversations_last_minute: u64,
    pub messages_last_minute: u64,
    pub csat_today: Option<f64>,
    pub rated_today: u64,
    pub alert_after_minutes: u32,
    pub alerts: Vec<Alert>,
}

impl ReportService {
    /// `alert_after_minutes`: a visitor waiting longer than this is an alert (0–1440).
    pub async fn monitor(&self, actor: &Actor, alert_after_minutes: u32) -> ServiceResult<Monitor> {
        actor.require(Permission::ConversationsRead)?;
        if alert_after_minutes > MAX_ALERT_MINUTES {
            return Err(ServiceError::invalid(
                "alert_after_minutes",
                format!("0 to {MAX_ALERT_MINUTES}"),
            ));
        }
        let tenant = &actor.tenant_id;
        let now = Utc::now();
        let users = self
            .store
            .list_users(
                tenant,
                UserFilter {
                    role: None,
                    disabled: Some(false),
                },
                None,
                MAX_USERS,
            )
            .await?;
        let online = self.presence.online_agents(tenant);
        let load: HashMap<String, i64> = self
            .store
            .open_chats_by_agent(tenant)
            .await?
            .into_iter()
            .collect();
        let mut agents: Vec<MonitorAgent> = users
            .into_iter()
            .filter(|u| u.role == Role::Agent || online.contains(&u.id) || load.contains_key(&u.id))
            .map(|u| MonitorAgent {
                online: online.contains(&u.id),
                open_chats: load.get(&u.id).copied().unwrap_or(0),
                id: u.id,
                name: u.name,
                status: u.status,
                max_chats: u.max_chats,
            })
            .collect();
        agents.sort_by(|a, b| b.online.cmp(&a.online).then_with(|| a.name.cmp(&b.name)));

        let waiting = self
            .store
            .count_conversations(tenant, &[ConversationState::Waiting], None)
            .await?;
        let open = self
            .store
            .count_conversations(
                tenant,
                &[
                    ConversationState::Waiting,
                    ConversationState::Bot,
                    ConversationState::Chatting,
                    ConversationState::Transferring,
                ],
                None,
            )
            .await?;
        let queue = self.store.waiting_since(tenant, MAX_ALERTS).await?;
        let secs = |since: DateTime<Utc>| (now - since).num_seconds().max(0);
        let threshold = i64::from(alert_after_minutes) * 60;
        let alerts = queue
            .iter()
            .filter(|(_, since)| secs(*since) >= threshold)
            .map(|(id, since)| Alert {
                conversation_id: id.clone(),
                waiting_secs: secs(*since),
            })
            .collect();

        let minute_ago = now - Duration::minutes(1);
        let (tz, _, _) = self.zone(tenant).await?;
        let today = local_midnight(tz, now.with_timezone(&tz).date_naive());
        let started_today = self.store.conversations_started(tenant, today, now).await?;
        let ratings: Vec<i64> = started_today
            .iter()
            .filter_map(|c| c.rating.map(i64::from))
            .collect();
        Ok(Monitor {
            at: now,
            agents,
            waiting,
            longest_wait_secs: queue.first().map(|(_, since)| secs(*since)),
            open,
            conversations_last_minute: self
                .store
                .count_conversations(tenant, &[], Some(minute_ago))
                .await?,
            messages_last_minute: self.store.count_messages_since(tenant, minute_ago).await?,
            csat_today: (!ratings.is_empty()).then(|| {
                super::figures::round2(ratings.iter().sum::<i64>() as f64 / ratings.len() as f64)
            }),
            rated_today: ratings.len() as u64,
            alert_after_minutes,
            alerts,
        })
    }
}
