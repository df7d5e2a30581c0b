//! Search on SQLite. Rows up to the indexer's cursor are found through the FTS5 trigram table
//! `message_search` (newest first, straight from the index); rows after it (the last second or
//! so of messages) by a scan of that short tail. Queries of 1–2 characters, which have no
//! trigram, scan at most `SHORT_QUERY_WINDOW` rows per request and hand back a cursor.

use sea_orm::{
    ConnectionTrait, DatabaseConnection, FromQueryResult, QueryResult, Statement, Value,
};

use super::{MessageHit, MessagePage, SearchCursor, SearchFilter, SHORT_QUERY_WINDOW};
use crate::store::{Message, StoreError, StoreResult};

const SELECT: &str = "SELECT m.*, m.rowid AS hit_rowid, c.state AS hit_state, \
    c.agent_id AS hit_agent, c.visitor_id AS hit_visitor FROM ";

/// The conditions every path shares, after `WHERE`, with their values.
fn conditions(tenant_id: &str, needle: &str, filter: &SearchFilter) -> (String, Vec<Value>) {
    let mut sql =
        String::from("m.tenant_id = ? AND m.kind <> 'event' AND instr(lower(m.body), ?) > 0");
    let mut values: Vec<Value> = vec![tenant_id.into(), needle.into()];
    if let Some(from) = filter.from {
        sql.push_str(" AND m.created_at >= ?");
        values.push(from.into());
    }
    if let Some(to) = filter.to {
        sql.push_str(" AND m.created_at < ?");
        values.push(to.into());
    }
    if let Some(agent) = &filter.agent_id {
        sql.push_str(" AND c.agent_id = ?");
        values.push(agent.as_str().into());
    }
    if let Some(state) = filter.state {
        sql.push_str(" AND c.state = ?");
        values.push(state.as_str().into());
    }
    (sql, values)
}

/// The needle's distinct trigrams as an FTS5 query: each one a quoted string, all required.
fn trigram_query(needle: &str) -> String {
    let chars: Vec<char> = needle.chars().collect();
    let mut seen = std::collections::HashSet::new();
    let mut terms = Vec::new();
    for w in chars.windows(3) {
        let t: String = w.iter().collect();
        if seen.insert(t.clone()) {
            terms.push(format!("\"{}\"", t.replace('"', "\"\"")));
        }
    }
    terms.join(" ")
}

fn hit(row: &QueryResult) -> StoreResult<(i64, MessageHit)> {
    let message = Message::from_query_result(row, "")?;
    let rowid: i64 = row.try_get("", "hit_rowid")?;
    let state: String = row.try_get("", "hit_state")?;
    let state = state.parse().map_err(StoreError::Corrupt)?;
    Ok((
        rowid,
        MessageHit {
            message,
            state,
            agent_id: row.try_get("", "hit_agent")?,
            visitor_id: row.try_get("", "hit_visitor")?,
        },
    ))
}

async fn rows(
    db: &DatabaseConnection,
    sql: String,
    values: Vec<Value>,
) -> StoreResult<Vec<(i64, MessageHit)>> {
    let stmt = Statement::from_sql_and_values(sea_orm::DbBackend::Sqlite, sql, values);
    db.query_all(stmt).await?.iter().map(hit).collect()
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> StoreResult<i64> {
    let stmt = Statement::from_string(sea_orm::DbBackend::Sqlite, sql.to_string());
    Ok(match db.query_one(stmt).await? {
        Some(row) => row.try_get_by_index::<Option<i64>>(0)?.unwrap_or(0),
        None => 0,
    })
}

pub(super) async fn search(
    db: &DatabaseConnection,
    tenant_id: &str,
    needle: &str,
    filter: &SearchFilter,
    before: Option<i64>,
    limit: u64,
) -> StoreResult<MessagePage> {
    let (cond, values) = conditions(tenant_id, needle, filter);
    let want = limit + 1;
    if needle.chars().count() < 3 {
        return short(db, cond, values, before, limit).await;
    }
    let before = before.unwrap_or(i64::MAX);
    // Rows up to `indexed` are in the FTS table (the cursor moves in the same transaction).
    let indexed = scalar(
        db,
        "SELECT last_rowid FROM search_cursor WHERE name = 'messages'",
    )
    .await?;
    let mut tail_values = values.clone();
    tail_values.extend([indexed.into(), before.into(), (want as i64).into()]);
    let mut found = rows(
        db,
        format!(
            "{SELECT}messages m JOIN conversations c ON c.id = m.conversation_id \
             WHERE {cond} AND m.rowid > ? AND m.rowid < ? ORDER BY m.rowid DESC LIMIT ?"
        ),
        tail_values,
    )
    .await?;
    if (found.len() as u64) < want {
        let mut fts_values: Vec<Value> = vec![trigram_query(needle).into()];
        fts_values.extend(values);
        fts_values.extend([
            indexed.min(before - 1).into(),
            ((want - found.len() as u64) as i64).into(),
        ]);
        let older = rows(
            db,
            format!(
                "{SELECT}message_search JOIN messages m ON m.rowid = message_search.rowid \
                 JOIN conversations c ON c.id = m.conversation_id \
                 WHERE message_search MATCH ? AND {cond} AND message_search.rowid <= ? \
                 ORDER BY message_search.rowid DESC LIMIT ?"
            ),
            fts_values,
        )
        .await?;
        found.extend(older);
    }
    Ok(page(found, limit, None))
}

/// Queries too short for trigrams: a newest-first scan of at most `SHORT_QUERY_WINDOW` rows.
async fn short(
    db: &DatabaseConnection,
    cond: String,
    mut values: Vec<Value>,
    before: Option<i64>,
    limit: u64,
) -> StoreResult<MessagePage> {
    let top = match before {
        Some(n) => n,
        None => scalar(db, "SELECT max(rowid) FROM messages").await? + 1,
    };
    let low = (top - SHORT_QUERY_WINDOW).max(1);
    values.extend([top.into(), low.into(), ((limit + 1) as i64).into()]);
    let found = rows(
        db,
        format!(
            "{SELECT}messages m JOIN conversations c ON c.id = m.conversation_id \
             WHERE {cond} AND m.rowid < ? AND m.rowid >= ? ORDER BY m.rowid DESC LIMIT ?"
        ),
        values,
    )
    .await?;
    Ok(page(found, limit, (low > 1).then_some(low)))
}

/// Keeps `limit` hits; the next page starts after the last one when more were found, else at
/// `resume` (where a bounded scan stopped), else nowhere.
fn page(mut found: Vec<(i64, MessageHit)>, limit: u64, resume: Option<i64>) -> MessagePage {
    let more = found.len() as u64 > limit;
    found.truncate(limit as usize);
    let next = match (more, found.last()) {
        (true, Some((rowid, _))) => Some(SearchCursor::Rowid(*rowid)),
        _ => resume.map(SearchCursor::Rowid),
    };
    MessagePage {
        hits: found.into_iter().map(|(_, h)| h).collect(),
        next,
    }
}

#[cfg(test)]
mod tests {
    use super::trigram_query;

    #[test]
    fn trigrams_are_quoted_and_distinct() {
        assert_eq!(trigram_query("aaaa"), "\"aaa\"");
        assert_eq!(trigram_query("a\"bc"), "\"a\"\"b\" \"\"\"bc\"");
        assert_eq!(trigram_query("我的包裹"), "\"我的包\" \"的包裹\"");
    }
}
