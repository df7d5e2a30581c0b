//! Who is on the team right now, and the tenant at a glance.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Duration, Utc};

use super::authz::{Actor, Permission};
use super::ServiceResult;
use crate::cluster::Presence;
use crate::store::{AgentStatus, ConversationState, Group, Role, Store, UserFilter};

/// Teams are small; a tenant with more accounts than this lists the first ones.
const TEAM_MAX: u64 = 1000;

pub struct Member {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub status: AgentStatus,
    /// Has a live connection (on any node).
    pub online: bool,
    pub open_chats: i64,
    pub max_chats: i32,
}

pub struct Overview {
    pub open: u64,
    pub waiting: u64,
    pub online_agents: u64,
    /// Conversations started in the last 24 hours.
    pub today: u64,
}

#[derive(Clone)]
pub struct TeamService {
    store: Store,
    presence: Arc<dyn Presence>,
}

impl TeamService {
    pub fn new(store: Store, presence: Arc<dyn Presence>) -> Self {
        TeamService { store, presence }
    }

    /// Every active account with presence and load, for agents choosing whom to transfer to.
    pub async fn members(&self, actor: &Actor) -> ServiceResult<Vec<Member>> {
        actor.require(Permission::Chat)?;
        let tenant = &actor.tenant_id;
        let users = self
            .store
            .list_users(
                tenant,
                UserFilter {
                    role: None,
                    disabled: Some(false),
                },
                None,
                TEAM_MAX,
            )
            .await?;
        let online = self.presence.online_agents(tenant);
        let load: HashMap<String, i64> = self
            .store
            .open_chats_by_agent(tenant)
            .await?
            .into_iter()
            .collect();
        let mut members: Vec<Member> = users
            .into_iter()
            .map(|u| Member {
                online: online.contains(&u.id),
                open_chats: load.get(&u.id).copied().unwrap_or(0),
                id: u.id,
                name: u.name,
                email: u.email,
                role: u.role,
                status: u.status,
                max_chats: u.max_chats,
            })
            .collect();
        members.sort_by(|a, b| b.online.cmp(&a.online).then_with(|| a.name.cmp(&b.name)));
        Ok(members)
    }

    /// The tenant's groups, for agents handing a conversation to a group's queue.
    pub async fn groups(&self, actor: &Actor) -> ServiceResult<Vec<Group>> {
        actor.require(Permission::Chat)?;
        Ok(self.store.list_groups(&actor.tenant_id).await?)
    }

    pub async fn overview(&self, actor: &Actor) -> ServiceResult<Overview> {
        actor.require(Permission::UsersRead)?;
        let tenant = &actor.tenant_id;
        let open = [
            ConversationState::Waiting,
            ConversationState::Bot,
            ConversationState::Chatting,
            ConversationState::Transferring,
        ];
        Ok(Overview {
            open: self.store.count_conversations(tenant, &open, None).await?,
            waiting: self
                .store
                .count_conversations(tenant, &[ConversationState::Waiting], None)
                .await?,
            online_agents: self.presence.online_agents(tenant).len() as u64,
            today: self
                .store
                .count_conversations(tenant, &[], Some(Utc::now() - Duration::hours(24)))
                .await?,
        })
    }
}
