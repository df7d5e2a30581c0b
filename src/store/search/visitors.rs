//! Visitor fields in a search: name, e-mail and custom attributes (the JSON text), compared in
//! lower case. Visitors are far fewer than messages; a tenant's visitors are scanned newest
//! seen first and the scan stops at the limit.

use sea_orm::sea_query::{Expr, Func, LikeExpr};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::like_pattern;
use crate::store::entities::visitor;
use crate::store::{Store, StoreResult, Visitor};

/// A visitor one of whose fields contains the text.
pub type VisitorHit = Visitor;

impl Store {
    pub async fn search_visitors(
        &self,
        tenant_id: &str,
        text: &str,
        limit: u64,
    ) -> StoreResult<Vec<VisitorHit>> {
        let pattern = like_pattern(&text.to_lowercase());
        let field = |col: visitor::Column| {
            Expr::expr(Func::lower(Expr::col(col))).like(LikeExpr::new(pattern.clone()).escape('!'))
        };
        Ok(visitor::Entity::find()
            .filter(visitor::Column::TenantId.eq(tenant_id))
            .filter(
                Condition::any()
                    .add(field(visitor::Column::Name))
                    .add(field(visitor::Column::Email))
                    .add(field(visitor::Column::Attributes)),
            )
            .order_by_desc(visitor::Column::LastSeenAt)
            .limit(limit)
            .all(&self.db)
            .await?)
    }
}
