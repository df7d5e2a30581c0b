//! A client's requests, one function per frame type: each calls the chat service and queues
//! its answer (docs/protocol.md §2). Every error that answers a frame with an `id` carries it.

use super::connection::Conn;
use super::protocol::{parse, ClientFrame, ServerFrame};

mod agent;
mod conversation;
mod sending;
mod sync;
mod tracking;

use crate::service::chat::Sent;
use crate::service::ServiceError;
use crate::store::Conversation;
use agent::{block, set_status, watch};
use conversation::{accept, close, note, rate, transfer};
pub(super) use sending::reply_sent;
use sending::{send, send_file};
use sync::{read, resume, typing};

/// A text message to a named conversation, which `send` can queue behind those in flight.
fn queueable(frame: &ClientFrame) -> bool {
    matches!(
        frame,
        ClientFrame::Send {
            conversation_id: Some(_),
            attachment_id: None,
            ..
        }
    )
}

/// Answers one text frame.
pub async fn handle(conn: &mut Conn<'_>, text: &str) {
    let frame = match parse(text) {
        Ok(f) => f,
        Err(e) => {
            conn.answer_in_flight().await;
            crate::telemetry::metrics::error("ws", e.code());
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
    // Only a message may pass the acks of those in flight; everything else is answered after.
    if !queueable(&frame) {
        conn.answer_in_flight().await;
    }
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
            draft,
        } => typing(conn, conversation_id, on, draft).await,
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
        ClientFrame::Page {
            id,
            url,
            title,
            referrer,
            timezone,
            language,
        } => {
            let nav = crate::service::live::Navigation {
                url,
                title,
                referrer,
                timezone,
                language,
            };
            tracking::page(conn, id, nav).await
        }
    }
}

pub fn error_frame(id: Option<&str>, e: &ServiceError) -> String {
    crate::telemetry::metrics::error("ws", e.code());
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
