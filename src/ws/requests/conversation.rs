//! Changing a conversation: `accept`, `close`, `rate`, `note` and `transfer`.

use super::{ack, changed, error_frame};
use crate::service::chat::TransferTo;
use crate::service::ServiceError;
use crate::ws::connection::Conn;
use crate::ws::protocol::ServerFrame;

pub(super) async fn accept(conn: &mut Conn<'_>, id: Option<String>, conversation_id: String) {
    let result = conn
        .ctx
        .gateway
        .chat
        .accept(&conn.ctx.who, &conversation_id)
        .await;
    let text = changed(id.as_deref(), result, |id, c| {
        ServerFrame::Accepted {
            id,
            conversation: c,
        }
        .to_text()
    });
    conn.reply(text).await;
}

pub(super) async fn close(conn: &mut Conn<'_>, id: Option<String>, conversation_id: String) {
    let result = conn
        .ctx
        .gateway
        .chat
        .close(&conn.ctx.who, &conversation_id)
        .await;
    let text = changed(id.as_deref(), result, |id, c| {
        ServerFrame::Closed {
            id,
            conversation: c,
        }
        .to_text()
    });
    conn.reply(text).await;
}

pub(super) async fn rate(
    conn: &mut Conn<'_>,
    id: Option<String>,
    conversation_id: String,
    rating: i32,
    comment: Option<String>,
) {
    let result = conn
        .ctx
        .gateway
        .chat
        .rate(&conn.ctx.who, &conversation_id, rating, comment.as_deref())
        .await;
    let text = changed(id.as_deref(), result, |id, c| {
        ServerFrame::Rated {
            id,
            conversation: c,
        }
        .to_text()
    });
    conn.reply(text).await;
}

pub(super) async fn note(
    conn: &mut Conn<'_>,
    id: Option<String>,
    conversation_id: String,
    client_msg_id: String,
    body: String,
) {
    let sent = conn
        .ctx
        .gateway
        .chat
        .send_note(&conn.ctx.who, &conversation_id, &client_msg_id, &body)
        .await;
    let text = match sent {
        Ok(sent) => ack(id.as_deref(), &sent),
        Err(e) => error_frame(id.as_deref(), &e),
    };
    conn.reply(text).await;
}

pub(super) async fn transfer(
    conn: &mut Conn<'_>,
    id: Option<String>,
    conversation_id: String,
    to_agent_id: Option<String>,
    to_group_id: Option<String>,
    note: Option<String>,
) {
    let to = match (to_agent_id, to_group_id) {
        (Some(agent), None) => TransferTo::Agent(agent),
        (None, Some(group)) => TransferTo::Group(group),
        _ => {
            let e = ServiceError::invalid("to_agent_id", "give either to_agent_id or to_group_id");
            conn.reply(error_frame(id.as_deref(), &e)).await;
            return;
        }
    };
    let result = conn
        .ctx
        .gateway
        .chat
        .transfer(&conn.ctx.who, &conversation_id, to, note.as_deref())
        .await;
    let text = changed(id.as_deref(), result, |id, c| {
        ServerFrame::Transferred {
            id,
            conversation: c,
        }
        .to_text()
    });
    conn.reply(text).await;
}
