//! An agent's own state and powers: `block`, `status` and `watch`.

use super::{changed, error_frame};
use crate::store::AgentStatus;
use crate::ws::connection::Conn;
use crate::ws::protocol::ServerFrame;

pub(super) async fn block(
    conn: &mut Conn<'_>,
    id: Option<String>,
    conversation_id: String,
    reason: Option<String>,
) {
    let result = conn
        .ctx
        .gateway
        .chat
        .block_visitor(&conn.ctx.who, &conversation_id, reason.as_deref())
        .await;
    let text = changed(id.as_deref(), result, |id, c| {
        ServerFrame::Blocked {
            id,
            conversation: c,
        }
        .to_text()
    });
    conn.reply(text).await;
}

pub(super) async fn set_status(conn: &mut Conn<'_>, id: Option<String>, status: AgentStatus) {
    let text = match conn
        .ctx
        .gateway
        .chat
        .set_status(&conn.ctx.who, status)
        .await
    {
        Ok(status) => ServerFrame::Status {
            id: id.as_deref(),
            status,
        }
        .to_text(),
        Err(e) => error_frame(id.as_deref(), &e),
    };
    conn.reply(text).await;
}

pub(super) async fn watch(
    conn: &mut Conn<'_>,
    id: Option<String>,
    conversation_id: Option<String>,
) {
    if let Some(c) = &conversation_id {
        if let Err(e) = conn.ctx.gateway.chat.watchable(&conn.ctx.who, c).await {
            conn.reply(error_frame(id.as_deref(), &e)).await;
            return;
        }
    }
    conn.ctx
        .gateway
        .hub
        .watch(conn.ctx.who.id(), &conn.handle, conversation_id.as_deref());
    let text = ServerFrame::Watching {
        id: id.as_deref(),
        conversation_id: conversation_id.as_deref(),
    };
    conn.reply(text.to_text()).await;
}
