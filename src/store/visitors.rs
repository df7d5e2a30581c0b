use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};

use super::entities::visitor::{self, Column};
use super::{now, Store, StoreError, StoreResult, Visitor};
use crate::types::ids::new_id;

/// How many page URLs a visitor's profile keeps (newest last).
const PAGES_KEPT: usize = 50;

#[derive(Default)]
pub struct NewVisitor {
    pub external_id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub referrer: Option<String>,
    pub page_url: Option<String>,
}

impl Store {
    pub async fn create_visitor(&self, tenant_id: &str, new: NewVisitor) -> StoreResult<Visitor> {
        let at = now();
        let pages: Vec<String> = new.page_url.into_iter().collect();
        let model = visitor::Model {
            id: new_id(),
            tenant_id: tenant_id.to_string(),
            external_id: new.external_id,
            name: new.name,
            email: new.email,
            ip: new.ip,
            user_agent: new.user_agent,
            referrer: new.referrer,
            pages: serde_json::to_string(&pages).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            attributes: "{}".into(),
            language: None,
            visits: 1,
            created_at: at,
            last_seen_at: at,
        };
        visitor::Entity::insert(model.clone().into_active_model())
            .exec_without_returning(&self.db)
            .await
            .map_err(StoreError::unique("visitor"))?;
        Ok(model)
    }

    pub async fn get_visitor(&self, tenant_id: &str, id: &str) -> StoreResult<Visitor> {
        visitor::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound("visitor"))
    }

    pub async fn find_visitor_by_external_id(
        &self,
        tenant_id: &str,
        external_id: &str,
    ) -> StoreResult<Option<Visitor>> {
        Ok(visitor::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::ExternalId.eq(external_id))
            .one(&self.db)
            .await?)
    }

    /// Records a new visit: address, browser and page, and when.
    pub async fn touch_visitor(
        &self,
        tenant_id: &str,
        id: &str,
        ip: Option<&str>,
        user_agent: Option<&str>,
        page_url: Option<&str>,
    ) -> StoreResult<Visitor> {
        let current = self.get_visitor(tenant_id, id).await?;
        let mut update =
            visitor::Entity::update_many().col_expr(Column::LastSeenAt, Expr::value(now()));
        if let Some(ip) = ip {
            update = update.col_expr(Column::Ip, Expr::value(ip));
        }
        if let Some(ua) = user_agent {
            update = update.col_expr(Column::UserAgent, Expr::value(ua));
        }
        if let Some(page) = page_url {
            let mut pages: Vec<String> = serde_json::from_str(&current.pages).unwrap_or_default();
            if pages.last().map(String::as_str) != Some(page) {
                pages.push(page.to_string());
            }
            let skip = pages.len().saturating_sub(PAGES_KEPT);
            let pages: Vec<String> = pages.into_iter().skip(skip).collect();
            let json =
                serde_json::to_string(&pages).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            update = update.col_expr(Column::Pages, Expr::value(json));
        }
        update
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        self.get_visitor(tenant_id, id).await
    }

    /// Sets what the visitor told about themselves; `None` leaves a field as it is.
    pub async fn update_visitor_profile(
        &self,
        tenant_id: &str,
        id: &str,
        name: Option<&str>,
        email: Option<&str>,
        external_id: Option<&str>,
        attributes: Option<&serde_json::Value>,
    ) -> StoreResult<Visitor> {
        let mut update =
            visitor::Entity::update_many().col_expr(Column::LastSeenAt, Expr::value(now()));
        if let Some(name) = name {
            update = update.col_expr(Column::Name, Expr::value(name));
        }
        if let Some(email) = email {
            update = update.col_expr(Column::Email, Expr::value(email));
        }
        if let Some(external_id) = external_id {
            update = update.col_expr(Column::ExternalId, Expr::value(external_id));
        }
        if let Some(attributes) = attributes {
            update = update.col_expr(Column::Attributes, Expr::value(attributes.to_string()));
        }
        update
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        self.get_visitor(tenant_id, id).await
    }
}

impl Store {
    /// Binds an anonymous visitor to a verified external id; `Conflict` when another visitor
    /// of the tenant has it.
    pub async fn bind_visitor_external_id(
        &self,
        tenant_id: &str,
        id: &str,
        external_id: &str,
    ) -> StoreResult<Visitor> {
        visitor::Entity::update_many()
            .col_expr(Column::ExternalId, Expr::value(external_id))
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .filter(Column::ExternalId.is_null())
            .exec(&self.db)
            .await
            .map_err(StoreError::unique("visitor"))?;
        let v = self.get_visitor(tenant_id, id).await?;
        if v.external_id.as_deref() != Some(external_id) {
            return Err(StoreError::Conflict("visitor"));
        }
        Ok(v)
    }
}

impl Store {
    /// Counts one more visit of the visitor.
    pub async fn add_visit(&self, tenant_id: &str, id: &str) -> StoreResult<()> {
        visitor::Entity::update_many()
            .col_expr(Column::Visits, Expr::col(Column::Visits).add(1))
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Which of these visitors of the tenant have an open conversation.
    pub async fn visitors_chatting(
        &self,
        tenant_id: &str,
        ids: &[String],
    ) -> StoreResult<std::collections::HashSet<String>> {
        use super::entities::conversation;
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let open = conversation::Entity::find()
            .filter(conversation::Column::TenantId.eq(tenant_id))
            .filter(conversation::Column::VisitorId.is_in(ids.iter().cloned()))
            .filter(conversation::Column::State.ne(super::ConversationState::Closed))
            .all(&self.db)
            .await?;
        Ok(open.into_iter().map(|c| c.visitor_id).collect())
    }
}
