//! A client's requests, one function per frame type: each calls the chat service and queues
//! its answer (docs/protocol.md §2). Every error that answers a frame with an `id` carries it.

use std::collections::BTreeMap;

use super::connection::Conn;
use super::protocol::{parse, ClientFrame, ServerFrame};
use crate::service::chat::{Participant, Sent, TransferTo};
use crate::service::{ServiceError, ServiceResult};
use crate::store::{AgentStatus, Conversation};

/// Answers one text frame.
pub async fn handle(conn: &mut Conn<'_>, text: &str) {
    let frame = match parse(text) {
        Ok(f) => f,
        Err(e) => {
            let message = e.message();
            let answer = ServerFrame::Error {
                id: e.id.as_deref(),
                code: e.code(),
                message: &message,
            };
            conn.reply(answer.to_text()).await;
            return;
        }
    };
    match frame {
        ClientFrame::Send {
            id,
            conversation_id,
            client_msg_id,
            body,
            attachment_id,
        } => match attachment_id {
            Some(file) => send_file(conn, id, conversation_id, client_msg_id, file).await,
            None => send(conn, id, conversation_id, client_msg_id, body).await,
        },
        ClientFrame::Resume { id, conversations } => resume(conn, id, conversations).await,
        ClientFrame::Read {
            id,
            conversation_id,
            seq,
        } => read(conn, id, conversation_id, seq).await,
        ClientFrame::Typing {
            conversation_id,
            on,
        } => typing(conn, conversation_id, on).await,
        ClientFrame::Accept {
            id,
            conversation_id,
        } => accept(conn, id, conversation_id).await,
        ClientFrame::Close {
            id,
            conversation_id,
        } => close(conn, id, conversation_id).await,
        ClientFrame::Rate {
            id,
            conversation_id,
            rating,
            comment,
        } => rate(conn, id, conversation_id, rating, comment).await,
        ClientFrame::Note {
            id,
            conversation_id,
            client_msg_id,
            body,
        } => note(conn, id, conversation_id, client_msg_id, body).await,
        ClientFrame::Transfer {
            id,
            conversation_id,
            to_agent_id,
            to_group_id,
            note,
        } => transfer(conn, id, conversation_id, to_agent_id, to_group_id, note).await,
        ClientFrame::Block {
            id,
            conversation_id,
            reason,
        } => block(conn, id, conversation_id, reason).await,
        ClientFrame::Status { id, status } => set_status(conn, id, status).await,
        ClientFrame::Ping { id } => {
            let pong = ServerFrame::Pong { id: id.as_deref() }.to_text();
            conn.reply(pong).await;
        }
        ClientFrame::Watch {
            id,
            conversation_id,
        } => watch(conn, id, conversation_id).await,
    }
}

pub fn error_frame(id: Option<&str>, e: &ServiceError) -> String {
    let message = match e {
        ServiceError::Store(_) | ServiceError::Internal(_) => {
            tracing::error!(error = %e, "request failed");
            "internal error".to_string()
        }
        other => other.to_string(),
    };
    ServerFrame::Error {
        id,
        code: e.code(),
        message: &message,
    }
    .to_text()
}

fn ack(id: Option<&str>, sent: &Sent) -> String {
    ServerFrame::Ack {
        id,
        conversation_id: &sent.conversation.id,
        message_id: &sent.message.id,
        client_msg_id: sent.message.client_msg_id.as_deref(),
        seq: sent.message.seq,
        created_at: sent.message.created_at,
        duplicate: sent.duplicate,
    }
    .to_text()
}

/// The answer to a request that changes a conversation: `make` shapes the frame on success.
fn changed(
    id: Option<&str>,
    result: Result<Conversation, ServiceError>,
    make: impl FnOnce(Option<&str>, &Conversation) -> String,
) -> String {
    match result {
        Ok(c) => make(id, &c),
        Err(e) => error_frame(id, &e),
    }
}

async fn send(
    conn: &mut Conn<'_>,
    id: Option<String>,
    conversation_id: Option<String>,
    client_msg_id: String,
    body: String,
) {
    if !visitor_may_send(conn, id.as_deref()).await {
        return;
    }
    let sent = conn
        .ctx
        .chat
        .send(
            &conn.ctx.who,
            conversation_id.as_deref(),
            &client_msg_id,
            &body,
        )
        .await;
    reply_sent(conn, id.as_deref(), sent).await;
}

/// A `send` with `attachment_id`: the uploaded file posted as a message of kind image or file.
async fn send_file(
    conn: &mut Conn<'_>,
    id: Option<String>,
    conversation_id: Option<String>,
    client_msg_id: String,
    attachment_id: String,
) {
    if !visitor_may_send(conn, id.as_deref()).await {
        return;
    }
    let sent = conn
        .ctx
        .chat
        .send_attachment(
            &conn.ctx.who,
            conversation_id.as_deref(),
            &client_msg_id,
            &attachment_id,
        )
        .await;
    reply_sent(conn, id.as_deref(), sent).await;
}

/// A visitor's messages are limited across all their connections (more tabs do not mean more
/// messages); refuses this one with `rate_limited` when over.
async fn visitor_may_send(conn: &mut Conn<'_>, id: Option<&str>) -> bool {
    if let Participant::Visitor { visitor_id, .. } = &conn.ctx.who {
        if !conn.ctx.admission.visitor_message(visitor_id) {
            let refused = ServerFrame::Error {
                id,
                code: "rate_limited",
                message: "too many messages; slow down",
            };
            conn.reply(refused.to_text()).await;
            return false;
        }
    }
    true
}

async fn reply_sent(conn: &mut Conn<'_>, id: Option<&str>, sent: ServiceResult<Sent>) {
    let text = match sent {
        Ok(sent) => ack(id, &sent),
        Err(e) => error_frame(id, &e),
    };
    conn.reply(text).await;
}

async fn resume(conn: &mut Conn<'_>, id: Option<String>, conversations: BTreeMap<String, i64>) {
    let mut reached = BTreeMap::new();
    for (conversation_id, from) in conversations {
        let mut last = from;
        loop {
            let page = conn
                .ctx
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

async fn read(conn: &mut Conn<'_>, id: Option<String>, conversation_id: String, seq: i64) {
    let result = conn
        .ctx
        .chat
        .mark_read(&conn.ctx.who, &conversation_id, seq)
        .await;
    if let Err(e) = result {
        conn.reply(error_frame(id.as_deref(), &e)).await;
    }
}

async fn typing(conn: &mut Conn<'_>, conversation_id: String, on: bool) {
    let result = conn
        .ctx
        .chat
        .typing(&conn.ctx.who, &conversation_id, on)
        .await;
    if let Err(e) = result {
        conn.reply(error_frame(None, &e)).await;
    }
}

async fn accept(conn: &mut Conn<'_>, id: Option<String>, conversation_id: String) {
    let result = conn.ctx.chat.accept(&conn.ctx.who, &conversation_id).await;
    let text = changed(id.as_deref(), result, |id, c| {
        ServerFrame::Accepted {
            id,
            conversation: c,
        }
        .to_text()
    });
    conn.reply(text).await;
}

async fn close(conn: &mut Conn<'_>, id: Option<String>, conversation_id: String) {
    let result = conn.ctx.chat.close(&conn.ctx.who, &conversation_id).await;
    let text = changed(id.as_deref(), result, |id, c| {
        ServerFrame::Closed {
            id,
            conversation: c,
        }
        .to_text()
    });
    conn.reply(text).await;
}

async fn rate(
    conn: &mut Conn<'_>,
    id: Option<String>,
    conversation_id: String,
    rating: i32,
    comment: Option<String>,
) {
    let result = conn
        .ctx
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

async fn note(
    conn: &mut Conn<'_>,
    id: Option<String>,
    conversation_id: String,
    client_msg_id: String,
    body: String,
) {
    let sent = conn
        .ctx
        .chat
        .send_note(&conn.ctx.who, &conversation_id, &client_msg_id, &body)
        .await;
    let text = match sent {
        Ok(sent) => ack(id.as_deref(), &sent),
        Err(e) => error_frame(id.as_deref(), &e),
    };
    conn.reply(text).await;
}

async fn transfer(
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

async fn block(
    conn: &mut Conn<'_>,
    id: Option<String>,
    conversation_id: String,
    reason: Option<String>,
) {
    let result = conn
        .ctx
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

async fn set_status(conn: &mut Conn<'_>, id: Option<String>, status: AgentStatus) {
    let text = match conn.ctx.chat.set_status(&conn.ctx.who, status).await {
        Ok(status) => ServerFrame::Status {
            id: id.as_deref(),
            status,
        }
        .to_text(),
        Err(e) => error_frame(id.as_deref(), &e),
    };
    conn.reply(text).await;
}

async fn watch(conn: &mut Conn<'_>, id: Option<String>, conversation_id: Option<String>) {
    if let Some(c) = &conversation_id {
        if let Err(e) = conn.ctx.chat.watchable(&conn.ctx.who, c).await {
            conn.reply(error_frame(id.as_deref(), &e)).await;
            return;
        }
    }
    conn.ctx
        .hub
        .watch(conn.ctx.who.id(), &conn.handle, conversation_id.as_deref());
    let text = ServerFrame::Watching {
        id: id.as_deref(),
        conversation_id: conversation_id.as_deref(),
    };
    conn.reply(text.to_text()).await;
}
