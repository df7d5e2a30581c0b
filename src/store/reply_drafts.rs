//! The model's reply drafts of hybrid mode (reply_drafts).

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect};

use super::entities::reply_draft::{self, Column};
use super::{now, Store, StoreError, StoreResult};
use crate::types::ids::new_id;

pub type ReplyDraft = reply_draft::Model;

/// Drafts of a conversation listed at most.
const LIST_MAX: u64 = 50;

/// Where a draft stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftStatus {
    /// Claimed by a node whose model is writing it; never listed.
    Drafting,
    Pending,
    Approved,
    Dismissed,
}

impl DraftStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DraftStatus::Drafting => "drafting",
            DraftStatus::Pending => "pending",
            DraftStatus::Approved => "approved",
            DraftStatus::Dismissed => "dismissed",
        }
    }
}

impl Store {
    /// Claims the drafting of the reply to `message_id` (status `drafting`, no body yet);
    /// None when another node has it, so the model is asked once per message.
    pub async fn claim_reply_draft(
        &self,
        tenant_id: &str,
        conversation_id: &str,
        message_id: &str,
    ) -> StoreResult<Option<ReplyDraft>> {
        let model = reply_draft::Model {
            id: new_id(),
            tenant_id: tenant_id.to_string(),
            conversation_id: conversation_id.to_string(),
            message_id: message_id.to_string(),
            body: String::new(),
            final_body: None,
            status: DraftStatus::Drafting.as_str().to_string(),
            approved_by: None,
            created_at: now(),
            decided_at: None,
        };
        match reply_draft::Entity::insert(model.clone().into_active_model())
            .exec_without_returning(&self.db)
            .await
            .map_err(StoreError::unique("reply draft"))
        {
            Ok(_) => Ok(Some(model)),
            Err(StoreError::Conflict(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The model's text of a claimed draft: it becomes pending, for the agent.
    pub async fn fill_reply_draft(&self, id: &str, body: &str) -> StoreResult<bool> {
        let done = reply_draft::Entity::update_many()
            .col_expr(Column::Body, Expr::value(body.to_string()))
            .col_expr(Column::Status, Expr::value(DraftStatus::Pending.as_str()))
            .filter(Column::Id.eq(id))
            .filter(Column::Status.eq(DraftStatus::Drafting.as_str()))
            .exec(&self.db)
            .await?;
        Ok(done.rows_affected == 1)
    }

    /// Forgets a claimed draft the model could not write.
    pub async fn drop_reply_draft(&self, id: &str) -> StoreResult<()> {
        reply_draft::Entity::delete_many()
            .filter(Column::Id.eq(id))
            .filter(Column::Status.eq(DraftStatus::Drafting.as_str()))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    pub async fn get_reply_draft(&self, tenant_id: &str, id: &str) -> StoreResult<ReplyDraft> {
        reply_draft::Entity::find_by_id(id)
            .filter(Column::TenantId.eq(tenant_id))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound("draft"))
    }

    /// The conversation's drafts in `status`, oldest first.
    pub async fn list_reply_drafts(
        &self,
        tenant_id: &str,
        conversation_id: &str,
        status: DraftStatus,
    ) -> StoreResult<Vec<ReplyDraft>> {
        Ok(reply_draft::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::ConversationId.eq(conversation_id))
            .filter(Column::Status.eq(status.as_str()))
            .order_by_asc(Column::CreatedAt)
            .order_by_asc(Column::Id)
            .limit(LIST_MAX)
            .all(&self.db)
            .await?)
    }

    /// Records the agent's decision on a pending draft; false when it was decided already.
    pub async fn decide_reply_draft(
        &self,
        tenant_id: &str,
        id: &str,
        status: DraftStatus,
        decided_by: &str,
        final_body: Option<&str>,
    ) -> StoreResult<bool> {
        let done = reply_draft::Entity::update_many()
            .col_expr(Column::Status, Expr::value(status.as_str()))
            .col_expr(Column::ApprovedBy, Expr::value(decided_by.to_string()))
            .col_expr(
                Column::FinalBody,
                Expr::value(final_body.map(str::to_string)),
            )
            .col_expr(Column::DecidedAt, Expr::value(now()))
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .filter(Column::Status.eq(DraftStatus::Pending.as_str()))
            .exec(&self.db)
            .await?;
        Ok(done.rows_affected == 1)
    }
}
