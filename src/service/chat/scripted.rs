//! The tenant's routing script, asked once a new conversation (one without a group) is queued:
//! it may put the conversation in a group and name the agent to try first.

use super::ChatService;
use crate::cluster::EventKind;
use crate::service::ServiceResult;
use crate::store::{Conversation, ConversationState};

/// Where routing looks: a group (None: any agent) and an agent to try first.
pub(super) struct Aim {
    pub group: Option<String>,
    pub agent: Option<String>,
}

impl ChatService {
    /// The conversation's own group when it has one; else what the tenant's routing script
    /// decides (the group is stored on the conversation); else no group and no preference.
    pub(super) async fn aim(&self, c: &Conversation) -> ServiceResult<Aim> {
        let unscripted = Aim {
            group: c.group_id.clone(),
            agent: None,
        };
        if c.group_id.is_some() {
            return Ok(unscripted);
        }
        let Some(script) = self.scripts.active(&c.tenant_id).await else {
            return Ok(unscripted);
        };
        let available = self.available_agents(&c.tenant_id, None).await?;
        let Some(decision) = self.scripts.decide(script, c, &available).await else {
            return Ok(unscripted);
        };
        if let Some(group) = &decision.group {
            let moved = self
                .store
                .set_conversation_state(
                    &c.tenant_id,
                    &c.id,
                    ConversationState::Waiting,
                    ConversationState::Waiting,
                    Some(group.as_str()),
                )
                .await?;
            if !moved {
                // Taken meanwhile: routing finds it no longer waiting.
                return Ok(unscripted);
            }
            let updated = self.store.get_conversation(&c.tenant_id, &c.id).await?;
            self.publish(&updated, EventKind::Updated(updated.clone()));
        }
        Ok(Aim {
            group: decision.group,
            agent: decision.agent,
        })
    }
}
