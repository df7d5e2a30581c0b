//! Routing: which online agent gets a waiting conversation, presence changes, the queue.

use super::ChatService;
use crate::cluster::EventKind;
use crate::service::ServiceResult;
use crate::store::{
    AgentStatus, AssignOutcome, Conversation, ConversationState, RoutingStrategy, User,
};

/// Most waiting conversations looked at in one pass over the queue.
const QUEUE_PASS: u64 = 200;

impl ChatService {
    /// Offers a waiting conversation to the available agents, best first by the tenant's
    /// strategy; the visitor's previous agent first when available, and before them the agent a
    /// routing script named (a new conversation's group may come from the script). Returns the agent it went
    /// to, or None when nobody can take it now (it stays in the queue).
    pub async fn route(&self, c: &Conversation) -> ServiceResult<Option<String>> {
        if c.state != ConversationState::Waiting {
            return Ok(None);
        }
        let aim = self.aim(c).await?;
        let mut candidates = self
            .available_agents(&c.tenant_id, aim.group.as_deref())
            .await?;
        if candidates.is_empty() {
            return Ok(None);
        }
        let strategy = self
            .store
            .get_settings(&c.tenant_id)
            .await?
            .routing_strategy;
        match strategy {
            RoutingStrategy::LeastBusy => {
                let mut loads = Vec::with_capacity(candidates.len());
                for a in candidates {
                    let open = self.store.count_open_for_agent(&c.tenant_id, &a.id).await?;
                    loads.push((open, a));
                }
                loads.sort_by(|x, y| x.0.cmp(&y.0).then_with(|| x.1.id.cmp(&y.1.id)));
                candidates = loads.into_iter().map(|(_, a)| a).collect();
            }
            RoutingStrategy::RoundRobin => {
                candidates.sort_by(|x, y| x.id.cmp(&y.id));
                let turn = {
                    let mut turns = self.turns.lock().unwrap_or_else(|e| e.into_inner());
                    let t = turns.entry(c.tenant_id.clone()).or_default();
                    *t = t.wrapping_add(1);
                    *t
                };
                let len = candidates.len();
                candidates.rotate_left(turn % len);
            }
        }
        if let Some(previous) = self
            .store
            .last_agent_of_visitor(&c.tenant_id, &c.visitor_id)
            .await?
        {
            if let Some(pos) = candidates.iter().position(|a| a.id == previous) {
                let sticky = candidates.remove(pos);
                candidates.insert(0, sticky);
            }
        }
        // The agent a routing script named goes before anyone else.
        if let Some(pos) = aim
            .agent
            .and_then(|id| candidates.iter().position(|a| a.id == id))
        {
            let chosen = candidates.remove(pos);
            candidates.insert(0, chosen);
        }
        let event = self.on_assigned(&c.tenant_id).await;
        for agent in candidates {
            match self
                .store
                .assign_within_capacity_emitting(
                    &c.tenant_id,
                    &c.id,
                    &agent.id,
                    &[ConversationState::Waiting],
                    event,
                )
                .await?
            {
                AssignOutcome::Assigned => {
                    self.joined(&c.tenant_id, &c.id, &agent).await?;
                    return Ok(Some(agent.id));
                }
                AssignOutcome::AtCapacity => continue,
                AssignOutcome::Taken => return Ok(None),
            }
        }
        Ok(None)
    }

    /// Routes what waits in the tenant's queue, oldest first, while agents have room.
    pub async fn route_queue(&self, tenant_id: &str) -> ServiceResult<()> {
        for c in self.store.queue(tenant_id, QUEUE_PASS).await? {
            if self.route(&c).await?.is_none()
                && self.available_agents(tenant_id, None).await?.is_empty()
            {
                break;
            }
        }
        self.publish_queue(tenant_id).await
    }

    /// Tells each waiting visitor their place in the queue (1 = next).
    pub async fn publish_queue(&self, tenant_id: &str) -> ServiceResult<()> {
        for (i, c) in self
            .store
            .queue(tenant_id, QUEUE_PASS)
            .await?
            .iter()
            .enumerate()
        {
            self.publish(
                c,
                EventKind::Queue {
                    position: i as u64 + 1,
                },
            );
        }
        Ok(())
    }

    /// Agents who are connected, chose "online", are enabled, and (for a group) are members.
    pub(super) async fn available_agents(
        &self,
        tenant_id: &str,
        group_id: Option<&str>,
    ) -> ServiceResult<Vec<User>> {
        let members = match group_id {
            Some(g) => Some(self.store.list_group_members(tenant_id, g).await?),
            None => None,
        };
        let mut agents = Vec::new();
        for id in self.presence.online_agents(tenant_id) {
            let Ok(user) = self.store.get_user(tenant_id, &id).await else {
                continue;
            };
            let in_group = members
                .as_ref()
                .is_none_or(|m| m.iter().any(|u| u.id == user.id));
            if user.status == AgentStatus::Online && !user.disabled && in_group {
                agents.push(user);
            }
        }
        Ok(agents)
    }

    /// Records and announces that `agent` took the conversation.
    pub(super) async fn joined(
        &self,
        tenant_id: &str,
        conversation_id: &str,
        agent: &User,
    ) -> ServiceResult<Conversation> {
        self.system_message(
            tenant_id,
            conversation_id,
            &format!("{} joined the conversation", agent.name),
        )
        .await?;
        let c = self
            .store
            .get_conversation(tenant_id, conversation_id)
            .await?;
        self.publish(&c, EventKind::Updated(c.clone()));
        self.publish_queue(tenant_id).await?;
        Ok(c)
    }
}
