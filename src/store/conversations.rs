use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::entities::conversation::{self, Column};
use super::{now, Conversation, ConversationState, Store, StoreError, StoreResult};
use crate::types::ids::new_id;

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
        self.get_visitor(tenant_id, visitor_id).await?;
        let at = now();
        let model = conversation::Model {
            id: new_id(),
            tenant_id: tenant_id.to_string(),
            visitor_id: visitor_id.to_string(),
            agent_id: None,
            group_id: group_id.map(str::to_string),
            state: ConversationState::Waiting,
            previous_id: previous_id.map(str::to_string),
            last_seq: 0,
            created_at: at,
            updated_at: at,
            assigned_at: None,
            first_response_at: None,
            closed_at: None,
            close_reason: None,
            rating: None,
            rating_comment: None,
        };
        conversation::Entity::insert(model.clone().into_active_model())
            .exec_without_returning(&self.db)
            .await?;
        Ok(model)
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
        let mut update = conversation::Entity::update_many()
            .col_expr(Column::State, Expr::value(to.as_str()))
            .col_expr(Column::UpdatedAt, Expr::value(now()));
        if to == ConversationState::Waiting {
            update = update.col_expr(Column::AgentId, Expr::value(Option::<String>::None));
        }
        if let Some(group) = group_id {
            update = update.col_expr(Column::GroupId, Expr::value(group));
        }
        let res = update
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .filter(Column::State.eq(from))
            .exec(&self.db)
            .await?;
        Ok(res.rows_affected == 1)
    }

    /// Closes the conversation unless it is closed already; returns whether this call closed it.
    pub async fn close_conversation(
        &self,
        tenant_id: &str,
        id: &str,
        reason: &str,
    ) -> StoreResult<bool> {
        let at = now();
        let res = conversation::Entity::update_many()
            .col_expr(
                Column::State,
                Expr::value(ConversationState::Closed.as_str()),
            )
            .col_expr(Column::ClosedAt, Expr::value(at))
            .col_expr(Column::CloseReason, Expr::value(reason))
            .col_expr(Column::UpdatedAt, Expr::value(at))
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .filter(Column::State.ne(ConversationState::Closed))
            .exec(&self.db)
            .await?;
        Ok(res.rows_affected == 1)
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
        let res = conversation::Entity::update_many()
            .col_expr(Column::Rating, Expr::value(rating))
            .col_expr(
                Column::RatingComment,
                Expr::value(comment.map(str::to_string)),
            )
            .filter(
                Condition::all()
                    .add(Column::TenantId.eq(tenant_id))
                    .add(Column::Id.eq(id))
                    .add(Column::State.eq(ConversationState::Closed))
                    .add(Column::Rating.is_null()),
            )
            .exec(&self.db)
            .await?;
        Ok(res.rows_affected == 1)
    }
}

impl Store {
    /// Assigns the conversation to the agent if it is still in one of `from` states and the
    /// agent holds fewer than `max_chats` open conversations. The agent's row is locked first, so
    /// concurrent assignments to one agent are decided one after the other by the database.
    pub async fn assign_within_capacity(
        &self,
        tenant_id: &str,
        conversation_id: &str,
        agent_id: &str,
        from: &[ConversationState],
    ) -> StoreResult<AssignOutcome> {
        use sea_orm::TransactionTrait;

        use super::entities::user;

        let txn = self.db.begin().await?;
        let locked = user::Entity::update_many()
            .col_expr(user::Column::UpdatedAt, Expr::value(now()))
            .filter(user::Column::TenantId.eq(tenant_id))
            .filter(user::Column::Id.eq(agent_id))
            .exec(&txn)
            .await?;
        if locked.rows_affected == 0 {
            return Err(StoreError::NotFound("agent"));
        }
        let agent = user::Entity::find_by_id(agent_id.to_string())
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("agent"))?;
        let open = conversation::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::AgentId.eq(agent_id))
            .filter(Column::State.ne(ConversationState::Closed))
            .count(&txn)
            .await?;
        if open >= agent.max_chats.max(0) as u64 {
            return Ok(AssignOutcome::AtCapacity);
        }
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
            .filter(Column::Id.eq(conversation_id))
            .filter(Column::State.is_in(from.iter().copied()))
            .exec(&txn)
            .await?;
        if res.rows_affected != 1 {
            return Ok(AssignOutcome::Taken);
        }
        txn.commit().await?;
        Ok(AssignOutcome::Assigned)
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
