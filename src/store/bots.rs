//! The tenant's bot settings, the turns the bots took, and the model tokens used per month.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::entities::bot_settings;
use super::entities::bot_turn::{self, Column};
use super::entities::bot_usage;
use super::entities::message;
use super::{now, SenderKind, Store, StoreError, StoreResult};
use crate::types::ids::new_id;

pub type BotSettingsRow = bot_settings::Model;
pub type BotTurn = bot_turn::Model;

/// What became of a turn, as `finish_bot_turn` records it.
pub struct TurnEnd<'a> {
    /// `answered` or `handover`.
    pub outcome: &'a str,
    pub detail: &'a str,
    pub confidence: i32,
    pub entry_id: Option<&'a str>,
    pub reply_id: Option<&'a str>,
    pub tokens: i32,
}

impl Store {
    pub async fn get_bot_settings(&self, tenant_id: &str) -> StoreResult<Option<BotSettingsRow>> {
        Ok(bot_settings::Entity::find_by_id(tenant_id.to_string())
            .one(&self.db)
            .await?)
    }

    /// Whether new conversations of the tenant start with its bots.
    pub async fn bots_enabled(&self, tenant_id: &str) -> StoreResult<bool> {
        Ok(self
            .get_bot_settings(tenant_id)
            .await?
            .is_some_and(|s| s.enabled))
    }

    /// Writes the tenant's settings; `model_key` None keeps the stored key.
    pub async fn put_bot_settings(
        &self,
        tenant_id: &str,
        enabled: bool,
        config: String,
        model_key: Option<Option<String>>,
    ) -> StoreResult<BotSettingsRow> {
        let existing = self.get_bot_settings(tenant_id).await?;
        let key = match (model_key, &existing) {
            (Some(k), _) => k,
            (None, Some(e)) => e.model_key.clone(),
            (None, None) => None,
        };
        let row = BotSettingsRow {
            tenant_id: tenant_id.to_string(),
            enabled,
            config,
            model_key: key,
            updated_at: now(),
        };
        if existing.is_some() {
            bot_settings::Entity::update_many()
                .col_expr(bot_settings::Column::Enabled, Expr::value(row.enabled))
                .col_expr(
                    bot_settings::Column::Config,
                    Expr::value(row.config.clone()),
                )
                .col_expr(
                    bot_settings::Column::ModelKey,
                    Expr::value(row.model_key.clone()),
                )
                .col_expr(bot_settings::Column::UpdatedAt, Expr::value(row.updated_at))
                .filter(bot_settings::Column::TenantId.eq(tenant_id))
                .exec(&self.db)
                .await?;
        } else {
            bot_settings::Entity::insert(row.clone().into_active_model())
                .exec_without_returning(&self.db)
                .await
                .map_err(StoreError::unique("bot settings"))?;
        }
        Ok(row)
    }

    /// Claims the visitor's message for the bots; None when a turn for it exists already
    /// (another node, or a second delivery of the same event, took it).
    pub async fn claim_bot_turn(
        &self,
        tenant_id: &str,
        conversation_id: &str,
        message_id: &str,
        question: &str,
    ) -> StoreResult<Option<BotTurn>> {
        let model = BotTurn {
            id: new_id(),
            tenant_id: tenant_id.to_string(),
            conversation_id: conversation_id.to_string(),
            message_id: message_id.to_string(),
            question: question.to_string(),
            outcome: "pending".into(),
            detail: None,
            confidence: 0,
            entry_id: None,
            reply_id: None,
            rating: None,
            tokens: 0,
            created_at: now(),
        };
        match bot_turn::Entity::insert(model.clone().into_active_model())
            .exec_without_returning(&self.db)
            .await
            .map_err(StoreError::unique("bot turn"))
        {
            Ok(_) => Ok(Some(model)),
            Err(StoreError::Conflict(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn finish_bot_turn(
        &self,
        tenant_id: &str,
        turn_id: &str,
        end: TurnEnd<'_>,
    ) -> StoreResult<()> {
        bot_turn::Entity::update_many()
            .col_expr(Column::Outcome, Expr::value(end.outcome))
            .col_expr(Column::Detail, Expr::value(end.detail))
            .col_expr(Column::Confidence, Expr::value(end.confidence))
            .col_expr(Column::EntryId, Expr::value(end.entry_id))
            .col_expr(Column::ReplyId, Expr::value(end.reply_id))
            .col_expr(Column::Tokens, Expr::value(end.tokens))
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(turn_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// How many times the bots answered in the conversation: their stored replies (a reply's
    /// client id is `re:` and the id of the message it answers). Counted from the messages,
    /// which are committed before anyone sees them, not from the turns, which are marked
    /// answered just after: a visitor who asks again at once would find one answer fewer.
    pub async fn count_bot_replies(
        &self,
        tenant_id: &str,
        conversation_id: &str,
    ) -> StoreResult<u64> {
        Ok(message::Entity::find()
            .filter(message::Column::TenantId.eq(tenant_id))
            .filter(message::Column::ConversationId.eq(conversation_id))
            .filter(message::Column::SenderKind.eq(SenderKind::Bot))
            .filter(message::Column::ClientMsgId.starts_with("re:"))
            .count(&self.db)
            .await?)
    }

    /// The turn whose reply is the message `reply_id`.
    pub async fn bot_turn_by_reply(&self, tenant_id: &str, reply_id: &str) -> StoreResult<BotTurn> {
        bot_turn::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::ReplyId.eq(reply_id))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound("bot reply"))
    }

    /// Records the visitor's rating once; false when the reply was rated already.
    pub async fn rate_bot_turn(
        &self,
        tenant_id: &str,
        turn_id: &str,
        rating: i32,
    ) -> StoreResult<bool> {
        let res = bot_turn::Entity::update_many()
            .col_expr(Column::Rating, Expr::value(rating))
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(turn_id))
            .filter(Column::Rating.is_null())
            .exec(&self.db)
            .await?;
        Ok(res.rows_affected == 1)
    }

    /// Turns of the tenant still pending since before `before` (their node stopped mid-turn).
    pub async fn stale_bot_turns(
        &self,
        tenant_id: &str,
        before: chrono::DateTime<chrono::Utc>,
        limit: u64,
    ) -> StoreResult<Vec<BotTurn>> {
        Ok(bot_turn::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Outcome.eq("pending"))
            .filter(Column::CreatedAt.lt(before))
            .order_by_asc(Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// Questions no knowledge-base entry answered, newest first.
    pub async fn unanswered_turns(&self, tenant_id: &str, limit: u64) -> StoreResult<Vec<BotTurn>> {
        Ok(bot_turn::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::EntryId.is_null())
            .filter(Column::Outcome.ne("pending"))
            .order_by_desc(Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// Tokens the tenant used in `month` (`YYYY-MM`).
    pub async fn bot_tokens(&self, tenant_id: &str, month: &str) -> StoreResult<i64> {
        Ok(
            bot_usage::Entity::find_by_id((tenant_id.to_string(), month.to_string()))
                .one(&self.db)
                .await?
                .map_or(0, |u| u.tokens),
        )
    }

    /// Adds `tokens` to the tenant's count for `month`.
    pub async fn add_bot_tokens(
        &self,
        tenant_id: &str,
        month: &str,
        tokens: i64,
    ) -> StoreResult<()> {
        let bump = || {
            bot_usage::Entity::update_many()
                .col_expr(
                    bot_usage::Column::Tokens,
                    Expr::col(bot_usage::Column::Tokens).add(tokens),
                )
                .filter(bot_usage::Column::TenantId.eq(tenant_id))
                .filter(bot_usage::Column::Month.eq(month))
                .exec(&self.db)
        };
        if bump().await?.rows_affected > 0 {
            return Ok(());
        }
        let first = bot_usage::Model {
            tenant_id: tenant_id.to_string(),
            month: month.to_string(),
            tokens,
        };
        match bot_usage::Entity::insert(first.into_active_model())
            .exec_without_returning(&self.db)
            .await
            .map_err(StoreError::unique("bot usage"))
        {
            // Another writer created the month's row meanwhile.
            Err(StoreError::Conflict(_)) => {
                bump().await?;
                Ok(())
            }
            other => other.map(|_| ()),
        }
    }
}
