//! Search on PostgreSQL and MySQL/MariaDB: `lower(body) LIKE '%…%'`, newest first by id (ids
//! sort by time). On PostgreSQL the pg_trgm GIN index of m0021 answers the LIKE for 3+
//! characters; MariaDB has no index that can (no ngram parser), so there it is a newest-first
//! scan that stops at the page's end.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Asterisk, Expr, Func, LikeExpr, Order, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, FromQueryResult, Value};

use super::{like_pattern, MessageHit, MessagePage, SearchCursor, SearchFilter};
use crate::store::entities::{conversation, message};
use crate::store::{Message, StoreError, StoreResult};

/// A time to compare with a stored one. MySQL gets a DATETIME: sqlx sends a `DateTime<Utc>` as
/// a TIMESTAMP, which ends in 2038, so a later bound (`to=2999-…`) would compare as nothing.
fn instant(backend: DbBackend, at: DateTime<Utc>) -> Value {
    match backend {
        DbBackend::MySql => at.naive_utc().into(),
        _ => at.into(),
    }
}

pub(super) async fn search(
    db: &DatabaseConnection,
    tenant_id: &str,
    needle: &str,
    filter: &SearchFilter,
    before: Option<&str>,
    limit: u64,
) -> StoreResult<MessagePage> {
    let m = message::Entity;
    let c = conversation::Entity;
    let mut q = Query::select();
    q.column((m, Asterisk))
        .expr_as(
            Expr::col((c, conversation::Column::State)),
            Alias::new("hit_state"),
        )
        .expr_as(
            Expr::col((c, conversation::Column::AgentId)),
            Alias::new("hit_agent"),
        )
        .expr_as(
            Expr::col((c, conversation::Column::VisitorId)),
            Alias::new("hit_visitor"),
        )
        .from(m)
        .inner_join(
            c,
            Expr::col((c, conversation::Column::Id)).equals((m, message::Column::ConversationId)),
        )
        .and_where(Expr::col((m, message::Column::TenantId)).eq(tenant_id))
        .and_where(Expr::col((m, message::Column::Kind)).ne("event"))
        .and_where(
            Expr::expr(Func::lower(Expr::col((m, message::Column::Body))))
                .like(LikeExpr::new(like_pattern(needle)).escape('!')),
        )
        .order_by((m, message::Column::Id), Order::Desc)
        .limit(limit + 1);
    if let Some(id) = before {
        q.and_where(Expr::col((m, message::Column::Id)).lt(id));
    }
    let backend = db.get_database_backend();
    if let Some(from) = filter.from {
        q.and_where(Expr::col((m, message::Column::CreatedAt)).gte(instant(backend, from)));
    }
    if let Some(to) = filter.to {
        q.and_where(Expr::col((m, message::Column::CreatedAt)).lt(instant(backend, to)));
    }
    if let Some(agent) = &filter.agent_id {
        q.and_where(Expr::col((c, conversation::Column::AgentId)).eq(agent.as_str()));
    }
    if let Some(state) = filter.state {
        q.and_where(Expr::col((c, conversation::Column::State)).eq(state.as_str()));
    }
    let stmt = backend.build(&q);
    let mut hits = Vec::new();
    for row in db.query_all(stmt).await? {
        let state: String = row.try_get("", "hit_state")?;
        hits.push(MessageHit {
            message: Message::from_query_result(&row, "")?,
            state: state.parse().map_err(StoreError::Corrupt)?,
            agent_id: row.try_get("", "hit_agent")?,
            visitor_id: row.try_get("", "hit_visitor")?,
        });
    }
    let more = hits.len() as u64 > limit;
    hits.truncate(limit as usize);
    let next = match (more, hits.last()) {
        (true, Some(h)) => Some(SearchCursor::Id(h.message.id.clone())),
        _ => None,
    };
    Ok(MessagePage { hits, next })
}
