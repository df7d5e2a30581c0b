//! Visitor fields in a search: name, e-mail and custom attributes (the JSON text), compared in
//! lower case, among the tenant's `VISITOR_SCAN` most recently created visitors: no index
//! serves a substring of three fields on every backend, and a scan of all of a large tenant's
//! visitors cost a third of a second per search (docs/performance.md).

use sea_orm::sea_query::{Expr, Func, LikeExpr};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::like_pattern;

/// Visitors scanned per search, newest first.
pub const VISITOR_SCAN: u64 = 20_000;
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
        // The oldest id among the newest VISITOR_SCAN: where the scan stops.
        let floor = visitor::Entity::find()
            .select_only()
            .column(visitor::Column::Id)
            .filter(visitor::Column::TenantId.eq(tenant_id))
            .order_by_desc(visitor::Column::Id)
            .offset(VISITOR_SCAN - 1)
            .limit(1)
            .into_tuple::<String>()
            .one(&self.db)
            .await?;
        let field = |col: visitor::Column| {
            Expr::expr(Func::lower(Expr::col(col))).like(LikeExpr::new(pattern.clone()).escape('!'))
        };
        let mut query = visitor::Entity::find().filter(visitor::Column::TenantId.eq(tenant_id));
        if let Some(floor) = floor {
            query = query.filter(visitor::Column::Id.gte(floor));
        }
        Ok(query
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
