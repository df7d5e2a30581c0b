//! Which agents the database still counts as present: after a restart, nobody is connected to
//! this node, so each of them must go through the offline grace like any disconnect.

use std::collections::BTreeSet;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::entities::{conversation, user};
use super::{AgentStatus, ConversationState, Store, StoreResult};

impl Store {
    /// (tenant, agent) of every agent, in any tenant, who is not offline or who holds an open
    /// conversation.
    pub async fn agents_present(&self) -> StoreResult<BTreeSet<(String, String)>> {
        let not_offline: Vec<(String, String)> = user::Entity::find()
            .select_only()
            .column(user::Column::TenantId)
            .column(user::Column::Id)
            .filter(user::Column::Status.ne(AgentStatus::Offline))
            .into_tuple()
            .all(&self.db)
            .await?;
        let holding: Vec<(String, Option<String>)> = conversation::Entity::find()
            .select_only()
            .column(conversation::Column::TenantId)
            .column(conversation::Column::AgentId)
            .filter(conversation::Column::AgentId.is_not_null())
            .filter(
                conversation::Column::State
                    .is_in([ConversationState::Chatting, ConversationState::Transferring]),
            )
            .distinct()
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut present: BTreeSet<(String, String)> = not_offline.into_iter().collect();
        present.extend(
            holding
                .into_iter()
                .filter_map(|(tenant, agent)| Some((tenant, agent?))),
        );
        Ok(present)
    }
}
