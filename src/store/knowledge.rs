//! The knowledge base: question-and-answer entries per tenant.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};

use super::entities::knowledge_entry::{self, Column};
use super::{now, Store, StoreError, StoreResult};
use crate::types::ids::new_id;

pub type KnowledgeEntry = knowledge_entry::Model;

/// An entry as an admin writes it (checked by the service; lists as JSON text).
pub struct KnowledgeInput {
    pub questions: String,
    pub answer: String,
    pub tags: String,
    pub language: String,
}

impl Store {
    pub async fn create_knowledge_entry(
        &self,
        tenant_id: &str,
        e: KnowledgeInput,
    ) -> StoreResult<KnowledgeEntry> {
        let at = now();
        let model = KnowledgeEntry {
            id: new_id(),
            tenant_id: tenant_id.to_string(),
            questions: e.questions,
            answer: e.answer,
            tags: e.tags,
            language: e.language,
            helpful: 0,
            unhelpful: 0,
            created_at: at,
            updated_at: at,
        };
        knowledge_entry::Entity::insert(model.clone().into_active_model())
            .exec_without_returning(&self.db)
            .await?;
        Ok(model)
    }

    pub async fn get_knowledge_entry(
        &self,
        tenant_id: &str,
        id: &str,
    ) -> StoreResult<KnowledgeEntry> {
        knowledge_entry::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound("knowledge entry"))
    }

    /// The tenant's entries, oldest first.
    pub async fn list_knowledge_entries(
        &self,
        tenant_id: &str,
    ) -> StoreResult<Vec<KnowledgeEntry>> {
        Ok(knowledge_entry::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .order_by_asc(Column::Id)
            .all(&self.db)
            .await?)
    }

    pub async fn update_knowledge_entry(
        &self,
        tenant_id: &str,
        id: &str,
        e: KnowledgeInput,
    ) -> StoreResult<KnowledgeEntry> {
        let res = knowledge_entry::Entity::update_many()
            .col_expr(Column::Questions, Expr::value(e.questions))
            .col_expr(Column::Answer, Expr::value(e.answer))
            .col_expr(Column::Tags, Expr::value(e.tags))
            .col_expr(Column::Language, Expr::value(e.language))
            .col_expr(Column::UpdatedAt, Expr::value(now()))
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound("knowledge entry"));
        }
        self.get_knowledge_entry(tenant_id, id).await
    }

    pub async fn delete_knowledge_entry(&self, tenant_id: &str, id: &str) -> StoreResult<()> {
        let res = knowledge_entry::Entity::delete_many()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound("knowledge entry"));
        }
        Ok(())
    }

    /// Counts a visitor's rating of the entry's answer.
    pub async fn count_knowledge_rating(
        &self,
        tenant_id: &str,
        id: &str,
        helpful: bool,
    ) -> StoreResult<()> {
        let col = if helpful {
            Column::Helpful
        } else {
            Column::Unhelpful
        };
        knowledge_entry::Entity::update_many()
            .col_expr(col, Expr::col(col).add(1))
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}
