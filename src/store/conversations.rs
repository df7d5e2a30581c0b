use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entities::conversation::{self, Column};
use super::{now, Conversation, ConversationState, Store, StoreError, StoreResult};

/// Which conversations a list returns; every field narrows it.
#[derive(Default)]
pub struct ConversationFilter {
    pub states: Vec<ConversationState>,
    pub agent_id: Option<String>,
    pub visitor_id: Option<String>,
    /// Only conversations with an id below this one (older), for paging newest first.
    pub before: Option<String>,
}

impl Store {
    pub async fn create_conversation(
        &self,
        tenant_id: &str,
        visitor_id: &str,
        group_id: Option<&str>,
        previous_id: Option<&str>,
    ) -> StoreResult<Conversation> {
        self.create_conversation_emitting(tenant_id, visitor_id, group_id, previous_id, None)
            .await
    }

    pub async fn get_conversation(&self, tenant_id: &str, id: &str) -> StoreResult<Conversation> {
        conversation::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound("conversation"))
    }

    /// Conversations newest first.
    pub async fn list_conversations(
        &self,
        tenant_id: &str,
        filter: ConversationFilter,
        limit: u64,
    ) -> StoreResult<Vec<Conversation>> {
        let mut query = conversation::Entity::find().filter(Column::TenantId.eq(tenant_id));
        if !filter.states.is_empty() {
            query = query.filter(Column::State.is_in(filter.states));
        }
        if let Some(agent) = filter.agent_id {
            query = query.filter(Column::AgentId.eq(agent));
        }
        if let Some(visitor) = filter.visitor_id {
            query = query.filter(Column::VisitorId.eq(visitor));
        }
        if let Some(before) = filter.before {
            query = query.filter(Column::Id.lt(before));
        }
        Ok(query
            .order_by_desc(Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// The visitor's conversation that is not closed yet, if any.
    pub async fn find_open_conversation(
        &self,
        tenant_id: &str,
        visitor_id: &str,
    ) -> StoreResult<Option<Conversation>> {
        Ok(conversation::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::VisitorId.eq(visitor_id))
            .filter(Column::State.ne(ConversationState::Closed))
            .order_by_desc(Column::Id)
            .one(&self.db)
            .await?)
    }

    /// How many conversations an agent holds that are not closed.
    pub async fn count_open_for_agent(&self, tenant_id: &str, agent_id: &str) -> StoreResult<u64> {
        Ok(conversation::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::AgentId.eq(agent_id))
            .filter(Column::State.ne(ConversationState::Closed))
            .count(&self.db)
            .await?)
    }

    /// Gives the conversation to `agent_id` if it is still in one of `from` states.
    /// Returns false when another decision got there first: the database decides the race.
    pub async fn assign_conversation(
        &self,
        tenant_id: &str,
        id: &str,
        agent_id: &str,
        from: &[ConversationState],
    ) -> StoreResult<bool> {
        let at = now();
        let res = conversation::Entity::update_many()
            .col_expr(Column::AgentId, Expr::value(agent_id))
            .col_expr(
                Column::State,
                Expr::value(ConversationState::Chatting.as_str()),
            )
            .col_expr(Column::AssignedAt, Expr::value(at))
            .col_expr(Column::UpdatedAt, Expr::value(at))
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .filter(Column::State.is_in(from.iter().copied()))
            .exec(&self.db)
            .await?;
        Ok(res.rows_affected == 1)
    }

    /// Moves the conversation from `from` to `to`, clearing the agent when `to` is waiting.
    /// Returns false when it was not in `from`.
    pub async fn set_conversation_state(
        &self,
        tenant_id: &str,
        id: &str,
        from: ConversationState,
        to: ConversationState,
        group_id: Option<&str>,
    ) -> StoreResult<bool> {
        self.set_conversation_state_emitting(tenant_id, id, from, to, group_id, None)
            .await
    }

    /// Closes the conversation unless it is closed already; returns whether this call closed it.
    pub async fn close_conversation(
        &self,
        tenant_id: &str,
        id: &str,
        reason: &str,
    ) -> StoreResult<bool> {
        self.close_conversation_emitting(tenant_id, id, reason, None)
            .await
    }

    /// Records the first agent reply time, once.
    pub async fn mark_first_response(&self, tenant_id: &str, id: &str) -> StoreResult<()> {
        conversation::Entity::update_many()
            .col_expr(Column::FirstResponseAt, Expr::value(now()))
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .filter(Column::FirstResponseAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Stores the visitor's rating of a closed conversation, once; false if it is not closed or
    /// was rated already.
    pub async fn rate_conversation(
        &self,
        tenant_id: &str,
        id: &str,
        rating: i32,
        comment: Option<&str>,
    ) -> StoreResult<bool> {
        self.rate_conversation_emitting(tenant_id, id, rating, comment, None)
            .await
    }
}

impl Store {
    /// Assigns the conversation to the agent if it is still in one of `from` states and the
    /// agent holds fewer than `max_chats` open conversations (see `assign_within_capacity_emitting`).
    pub async fn assign_within_capacity(
        &self,
        tenant_id: &str,
        conversation_id: &str,
        agent_id: &str,
        from: &[ConversationState],
    ) -> StoreResult<AssignOutcome> {
        self.assign_within_capacity_emitting(tenant_id, conversation_id, agent_id, from, None)
            .await
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignOutcome {
    Assigned,
    /// Another decision got the conversation first, or it is in another state.
    Taken,
    AtCapacity,
}

impl Store {
    /// Open conversations of the tenant with no activity since `before`, oldest first.
    pub async fn stale_conversations(
        &self,
        tenant_id: &str,
        before: chrono::DateTime<chrono::Utc>,
        limit: u64,
    ) -> StoreResult<Vec<Conversation>> {
        Ok(conversation::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::State.ne(ConversationState::Closed))
            .filter(Column::UpdatedAt.lt(before))
            .order_by_asc(Column::UpdatedAt)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// The waiting conversations of the tenant, oldest first: the queue.
    pub async fn queue(&self, tenant_id: &str, limit: u64) -> StoreResult<Vec<Conversation>> {
        Ok(conversation::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::State.eq(ConversationState::Waiting))
            .order_by_asc(Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// The agent whose conversation with this visitor was the most recent one, if any.
    pub async fn last_agent_of_visitor(
        &self,
        tenant_id: &str,
        visitor_id: &str,
    ) -> StoreResult<Option<String>> {
        Ok(conversation::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::VisitorId.eq(visitor_id))
            .filter(Column::AgentId.is_not_null())
            .order_by_desc(Column::Id)
            .one(&self.db)
            .await?
            .and_then(|c| c.agent_id))
    }

    /// Puts every open conversation of the agent back in the queue; returns them.
    pub async fn requeue_agent(
        &self,
        tenant_id: &str,
        agent_id: &str,
    ) -> StoreResult<Vec<Conversation>> {
        let held = conversation::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::AgentId.eq(agent_id))
            .filter(
                Column::State.is_in([ConversationState::Chatting, ConversationState::Transferring]),
            )
            .all(&self.db)
            .await?;
        let mut moved = Vec::new();
        for c in held {
            if self
                .set_conversation_state(tenant_id, &c.id, c.state, ConversationState::Waiting, None)
                .await?
            {
                moved.push(self.get_conversation(tenant_id, &c.id).await?);
            }
        }
        Ok(moved)
    }
}
