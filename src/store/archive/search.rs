//! Finding archived conversations by their summary (visitor, agent, first lines). Message
//! search does not see them: their messages are no longer in `messages`.

use sea_orm::sea_query::{Expr, Func, LikeExpr};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::super::entities::conversation_archive;
use super::super::{Store, StoreResult};
use super::ConversationArchive;

impl Store {
    /// Archived conversations of the tenant whose summary contains `query` (any case),
    /// newest archived first.
    pub async fn search_archived(
        &self,
        tenant_id: &str,
        query: &str,
        limit: u64,
    ) -> StoreResult<Vec<ConversationArchive>> {
        let escaped = query
            .to_lowercase()
            .replace('!', "!!")
            .replace('%', "!%")
            .replace('_', "!_");
        let pattern = LikeExpr::new(format!("%{escaped}%")).escape('!');
        Ok(conversation_archive::Entity::find()
            .filter(conversation_archive::Column::TenantId.eq(tenant_id))
            .filter(
                Expr::expr(Func::lower(Expr::col(
                    conversation_archive::Column::Summary,
                )))
                .like(pattern),
            )
            .order_by_desc(conversation_archive::Column::ArchivedAt)
            .limit(limit)
            .all(&self.db)
            .await?)
    }
}
