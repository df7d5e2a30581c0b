//! Agents' presence: connections opening and closing, the status they set, and the offline
//! grace after which an absent agent's conversations go back to the queue.

use super::{ChatService, Participant};
use crate::cluster::{Duty, EventKind};
use crate::service::{ServiceError, ServiceResult};
use crate::store::AgentStatus;

impl ChatService {
    /// A connection of an agent opened. An agent who was offline comes online and gets work.
    pub async fn agent_connected(&self, who: &Participant) -> ServiceResult<()> {
        let Participant::Agent {
            tenant_id, user_id, ..
        } = who
        else {
            return Ok(());
        };
        self.presence.agent_connected(tenant_id, user_id);
        let user = self.store.get_user(tenant_id, user_id).await?;
        if user.status == AgentStatus::Offline {
            self.store
                .set_user_status(tenant_id, user_id, AgentStatus::Online)
                .await?;
        }
        self.route_queue(tenant_id).await
    }

    /// A connection of an agent closed. When it was their last and they do not come back within
    /// `grace`, they go offline and their open conversations go back to the queue.
    pub fn agent_disconnected(&self, who: &Participant) {
        let Participant::Agent {
            tenant_id, user_id, ..
        } = who
        else {
            return;
        };
        self.presence.agent_disconnected(tenant_id, user_id);
        self.offline_after_grace(tenant_id, user_id);
    }

    /// After a restart no agent is connected to this node: each one the database still counts
    /// as present goes through the same grace as a disconnect, so conversations held by
    /// someone who does not come back return to the queue.
    pub async fn settle_after_restart(&self) -> ServiceResult<usize> {
        let present = self.store.agents_present().await?;
        for (tenant_id, user_id) in &present {
            self.offline_after_grace(tenant_id, user_id);
        }
        Ok(present.len())
    }

    /// With several nodes: agents whose node vanished (died or left) get the offline grace,
    /// handled by the node holding `duty` (the hand-back lease), checked every `every`.
    pub fn spawn_hand_back(&self, duty: Duty, every: std::time::Duration) {
        let chat = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tokio::select! {
                    _ = chat.stopping.cancelled() => break,
                    _ = tick.tick() => {}
                }
                if !duty.held() {
                    continue;
                }
                for (tenant_id, user_id) in chat.presence.departed() {
                    chat.offline_after_grace(&tenant_id, &user_id);
                }
            }
        });
    }

    /// Unless the agent has a connection again after the grace, they go offline and their open
    /// conversations back to the queue.
    fn offline_after_grace(&self, tenant_id: &str, user_id: &str) {
        let (chat, tenant_id, user_id) = (self.clone(), tenant_id.to_string(), user_id.to_string());
        tokio::spawn(async move {
            tokio::select! {
                _ = chat.stopping.cancelled() => return,
                _ = tokio::time::sleep(chat.offline_grace) => {}
            }
            if chat.presence.online_agents(&tenant_id).contains(&user_id) {
                return;
            }
            if let Err(e) = chat.go_offline(&tenant_id, &user_id).await {
                tracing::warn!(error = %e, user = %user_id, "could not take an agent offline");
            }
        });
    }

    /// The agent sets their own status: online, away or busy (offline follows from connections).
    pub async fn set_status(
        &self,
        who: &Participant,
        status: AgentStatus,
    ) -> ServiceResult<AgentStatus> {
        let Participant::Agent {
            tenant_id, user_id, ..
        } = who
        else {
            return Err(ServiceError::Forbidden("only agents have a status"));
        };
        if status == AgentStatus::Offline {
            return Err(ServiceError::invalid(
                "status",
                "online, away or busy; offline follows from disconnecting",
            ));
        }
        self.store
            .set_user_status(tenant_id, user_id, status)
            .await?;
        if status == AgentStatus::Online {
            self.route_queue(tenant_id).await?;
        }
        Ok(status)
    }

    async fn go_offline(&self, tenant_id: &str, user_id: &str) -> ServiceResult<()> {
        self.store
            .set_user_status(tenant_id, user_id, AgentStatus::Offline)
            .await?;
        for c in self.store.requeue_agent(tenant_id, user_id).await? {
            self.system_message(
                tenant_id,
                &c.id,
                "The agent went offline; the conversation is back in the queue",
            )
            .await?;
            self.publish(&c, EventKind::Updated(c.clone()));
        }
        self.route_queue(tenant_id).await
    }
}
