//! Rows of the SQLite batch writer, read and written exactly as sea-orm (through sqlx) reads
//! and writes them, so the rest of the store sees no difference: enums as their short strings,
//! booleans as 0/1, time stamps as RFC 3339 text.

use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use rusqlite::types::Type;
use rusqlite::Row;

use super::super::{Conversation, Message};

pub(super) const CONVERSATION_COLUMNS: &str = "id, tenant_id, visitor_id, agent_id, group_id, \
     state, previous_id, last_seq, created_at, updated_at, assigned_at, first_response_at, \
     closed_at, close_reason, rating, rating_comment";

pub(super) const MESSAGE_COLUMNS: &str = "id, tenant_id, conversation_id, seq, sender_kind, \
     sender_id, sender_name, client_msg_id, kind, body, internal, created_at";

/// A time stamp as sqlx writes a `DateTime<Utc>` to SQLite.
pub(super) fn time_text(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// A time stamp in any of the text forms sqlx writes or reads back.
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    ["%F %T%.f", "%FT%T%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .map(|naive| naive.and_utc())
}

fn corrupt(idx: usize, what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, what.into())
}

fn time(row: &Row, idx: usize) -> rusqlite::Result<DateTime<Utc>> {
    let text: String = row.get(idx)?;
    parse_time(&text).ok_or_else(|| corrupt(idx, format!("'{text}' is not a time stamp")))
}

fn time_opt(row: &Row, idx: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    match row.get::<_, Option<String>>(idx)? {
        None => Ok(None),
        Some(text) => parse_time(&text)
            .map(Some)
            .ok_or_else(|| corrupt(idx, format!("'{text}' is not a time stamp"))),
    }
}

fn enum_of<T: FromStr<Err = String>>(row: &Row, idx: usize) -> rusqlite::Result<T> {
    let text: String = row.get(idx)?;
    T::from_str(&text).map_err(|e| corrupt(idx, e))
}

/// A row selected with `CONVERSATION_COLUMNS`.
pub(super) fn conversation(row: &Row) -> rusqlite::Result<Conversation> {
    Ok(Conversation {
        id: row.get(0)?,
        tenant_id: row.get(1)?,
        visitor_id: row.get(2)?,
        agent_id: row.get(3)?,
        group_id: row.get(4)?,
        state: enum_of(row, 5)?,
        previous_id: row.get(6)?,
        last_seq: row.get(7)?,
        created_at: time(row, 8)?,
        updated_at: time(row, 9)?,
        assigned_at: time_opt(row, 10)?,
        first_response_at: time_opt(row, 11)?,
        closed_at: time_opt(row, 12)?,
        close_reason: row.get(13)?,
        rating: row.get(14)?,
        rating_comment: row.get(15)?,
    })
}

/// A row selected with `MESSAGE_COLUMNS`.
pub(super) fn message(row: &Row) -> rusqlite::Result<Message> {
    Ok(Message {
        id: row.get(0)?,
        tenant_id: row.get(1)?,
        conversation_id: row.get(2)?,
        seq: row.get(3)?,
        sender_kind: enum_of(row, 4)?,
        sender_id: row.get(5)?,
        sender_name: row.get(6)?,
        client_msg_id: row.get(7)?,
        kind: enum_of(row, 8)?,
        body: row.get(9)?,
        internal: row.get(10)?,
        created_at: time(row, 11)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_stamps_read_back_in_every_form_written() {
        let at = DateTime::parse_from_rfc3339("2026-11-30T10:20:30.123456Z")
            .map(|t| t.with_timezone(&Utc))
            .ok();
        let written = at.as_ref().map(time_text);
        assert_eq!(written.as_deref(), Some("2026-11-30T10:20:30.123456+00:00"));
        for text in [
            "2026-11-30T10:20:30.123456+00:00",
            "2026-11-30 10:20:30.123456",
            "2026-11-30T10:20:30.123456",
        ] {
            assert_eq!(parse_time(text), at, "{text}");
        }
        assert_eq!(parse_time("yesterday"), None);
    }
}
