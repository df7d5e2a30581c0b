//! `send`: a text message, or an uploaded file posted as a message.

use super::{ack, error_frame};
use crate::service::chat::{Participant, Sent};
use crate::service::ServiceResult;
use crate::ws::connection::Conn;
use crate::ws::protocol::ServerFrame;

pub(super) async fn send(
    conn: &mut Conn<'_>,
    id: Option<String>,
    conversation_id: Option<String>,
    client_msg_id: String,
    body: String,
) {
    if !visitor_may_send(conn, id.as_deref()).await {
        return;
    }
    let ctx = conn.ctx;
    if let Some(conversation) = conversation_id.as_deref() {
        if conn.in_flight.is_full() {
            conn.answer_oldest().await;
        }
        match ctx
            .gateway
            .chat
            .queue_send(&ctx.who, conversation, &client_msg_id, &body)
            .await
        {
            Ok(Some(queued)) => return conn.in_flight.push(id, queued),
            Ok(None) => conn.answer_in_flight().await,
            Err(e) => {
                conn.answer_in_flight().await;
                return reply_sent(conn, id.as_deref(), Err(e)).await;
            }
        }
    }
    // Boxed, so the queued path above (the usual one) does not carry this one's space.
    let sent = Box::pin(ctx.gateway.chat.send(
        &ctx.who,
        conversation_id.as_deref(),
        &client_msg_id,
        &body,
    ))
    .await;
    reply_sent(conn, id.as_deref(), sent).await;
}

/// A `send` with `attachment_id`: the uploaded file posted as a message of kind image or file.
pub(super) async fn send_file(
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
        .gateway
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
pub(super) async fn visitor_may_send(conn: &mut Conn<'_>, id: Option<&str>) -> bool {
    if let Participant::Visitor { visitor_id, .. } = &conn.ctx.who {
        if !conn.ctx.gateway.admission.visitor_message(visitor_id) {
            // After the acks of what came before it.
            conn.answer_in_flight().await;
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

pub(crate) async fn reply_sent(conn: &mut Conn<'_>, id: Option<&str>, sent: ServiceResult<Sent>) {
    let text = match sent {
        Ok(sent) => ack(id, &sent),
        Err(e) => error_frame(id, &e),
    };
    conn.reply(text).await;
}
