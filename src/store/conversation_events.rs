//! Conversation changes that may write an outbox event in their own transaction: the event is
//! committed with the change or not at all.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, DatabaseTransaction, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, TransactionTrait,
};

use super::entities::conversation::{self, Column};
use super::outbox::{insert_event, NewEvent};
use super::{now, AssignOutcome, Conversation, ConversationState, Store, StoreError, StoreResult};
use crate::types::ids::new_id;

/// Builds the event from the conversation as the change left it; `None`: write no event.
pub type EventFor<'a> = Option<&'a (dyn Fn(&Conversation) -> NewEvent + Sync)>;

/// Writes the event for the conversation as it now stands, inside `txn`.
async fn emit(
    txn: &DatabaseTransaction,
    tenant_id: &str,
    id: &str,
    event: EventFor<'_>,
) -> StoreResult<()> {
    let Some(build) = event else { return Ok(()) };
    let c = conversation::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound("conversation"))?;
    insert_event(txn, tenant_id, &build(&c), false).await?;
    Ok(())
}

impl Store {
    pub async fn create_conversation_emitting(
        &self,
        tenant_id: &str,
        visitor_id: &str,
        group_id: Option<&str>,
        previous_id: Option<&str>,
        event: EventFor<'_>,
    ) -> StoreResult<Conversation> {
        self.create_conversation_in(
            tenant_id,
            visitor_id,
            (group_id, previous_id),
            ConversationState::Waiting,
            event,
        )
        .await
    }

    /// A new conversation that starts in `state` (waiting, or `bot` when the tenant's bots
    /// answer first); `links` are its group and the conversation it continues.
    pub async fn create_conversation_in(
        &self,
        tenant_id: &str,
        visitor_id: &str,
        links: (Option<&str>, Option<&str>),
        state: ConversationState,
        event: EventFor<'_>,
    ) -> StoreResult<Conversation> {
        let (group_id, previous_id) = links;
        self.get_visitor(tenant_id, visitor_id).await?;
        let at = now();
        let model = conversation::Model {
            id: new_id(),
            tenant_id: tenant_id.to_string(),
            visitor_id: visitor_id.to_string(),
            agent_id: None,
            group_id: group_id.map(str::to_string),
            state,
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
        let txn = self.db.begin().await?;
        conversation::Entity::insert(model.clone().into_active_model())
            .exec_without_returning(&txn)
            .await?;
        if let Some(build) = event {
            insert_event(&txn, tenant_id, &build(&model), false).await?;
        }
        txn.commit().await?;
        Ok(model)
    }

    /// Moves the conversation from `from` to `to`, clearing the agent when `to` is waiting.
    /// Returns false when it was not in `from` (and writes no event).
    pub async fn set_conversation_state_emitting(
        &self,
        tenant_id: &str,
        id: &str,
        from: ConversationState,
        to: ConversationState,
        group_id: Option<&str>,
        event: EventFor<'_>,
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
        let txn = self.db.begin().await?;
        let res = update
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .filter(Column::State.eq(from))
            .exec(&txn)
            .await?;
        if res.rows_affected != 1 {
            return Ok(false);
        }
        emit(&txn, tenant_id, id, event).await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Closes the conversation unless it is closed already; returns whether this call closed it.
    pub async fn close_conversation_emitting(
        &self,
        tenant_id: &str,
        id: &str,
        reason: &str,
        event: EventFor<'_>,
    ) -> StoreResult<bool> {
        let at = now();
        let txn = self.db.begin().await?;
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
            .exec(&txn)
            .await?;
        if res.rows_affected != 1 {
            return Ok(false);
        }
        emit(&txn, tenant_id, id, event).await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Stores the visitor's rating of a closed conversation, once; false if it is not closed or
    /// was rated already.
    pub async fn rate_conversation_emitting(
        &self,
        tenant_id: &str,
        id: &str,
        rating: i32,
        comment: Option<&str>,
        event: EventFor<'_>,
    ) -> StoreResult<bool> {
        let txn = self.db.begin().await?;
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
            .exec(&txn)
            .await?;
        if res.rows_affected != 1 {
            return Ok(false);
        }
        emit(&txn, tenant_id, id, event).await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Assigns the conversation to the agent if it is still in one of `from` states and the
    /// agent holds fewer than `max_chats` open conversations. The agent's row is locked first, so
    /// concurrent assignments to one agent are decided one after the other by the database.
    pub async fn assign_within_capacity_emitting(
        &self,
        tenant_id: &str,
        conversation_id: &str,
        agent_id: &str,
        from: &[ConversationState],
        event: EventFor<'_>,
    ) -> StoreResult<AssignOutcome> {
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
        emit(&txn, tenant_id, conversation_id, event).await?;
        txn.commit().await?;
        Ok(AssignOutcome::Assigned)
    }
}
