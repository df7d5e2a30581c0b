//! Keeping a client in step: `resume`, `read` and `typing`.

use std::collections::BTreeMap;

use super::error_frame;
use crate::ws::connection::Conn;
use crate::ws::protocol::ServerFrame;

pub(super) async fn resume(
    conn: &mut Conn<'_>,
    id: Option<String>,
    conversations: BTreeMap<String, i64>,
) {
    let mut reached = BTreeMap::new();
    for (conversation_id, from) in conversations {
        let mut last = from;
        loop {
            let page = conn
                .ctx
                .gateway
                .chat
                .messages_after(&conn.ctx.who, &conversation_id, last)
                .await;
            let page = match page {
                Ok(p) => p,
                Err(e) => {
                    conn.reply(error_frame(id.as_deref(), &e)).await;
                    break;
                }
            };
            let Some(tail) = page.last() else { break };
            last = tail.seq;
            for m in &page {
                // Through the replies queue: a replay waits for room instead of cutting the
                // client off, and `resumed` comes after all of it.
                if !conn
                    .reply(ServerFrame::Message { message: m }.to_text())
                    .await
                {
                    return;
                }
            }
        }
        reached.insert(conversation_id, last);
    }
    let done = ServerFrame::Resumed {
        id: id.as_deref(),
        conversations: &reached,
    };
    conn.reply(done.to_text()).await;
}

pub(super) async fn read(
    conn: &mut Conn<'_>,
    id: Option<String>,
    conversation_id: String,
    seq: i64,
) {
    let result = conn
        .ctx
        .gateway
        .chat
        .mark_read(&conn.ctx.who, &conversation_id, seq)
        .await;
    if let Err(e) = result {
        conn.reply(error_frame(id.as_deref(), &e)).await;
    }
}

pub(super) async fn typing(
    conn: &mut Conn<'_>,
    conversation_id: String,
    on: bool,
    draft: Option<String>,
) {
    let result = conn
        .ctx
        .gateway
        .chat
        .typing(&conn.ctx.who, &conversation_id, on, draft.as_deref())
        .await;
    if let Err(e) = result {
        conn.reply(error_frame(None, &e)).await;
    }
}
