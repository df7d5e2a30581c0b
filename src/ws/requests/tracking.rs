//! Visitors: `page`, the page the widget is on now.

use super::error_frame;
use crate::service::chat::Participant;
use crate::service::live::Navigation;
use crate::service::ServiceError;
use crate::ws::connection::Conn;
use crate::ws::protocol::ServerFrame;

pub(super) async fn page(conn: &mut Conn<'_>, id: Option<String>, nav: Navigation) {
    let result = match &conn.ctx.who {
        Participant::Visitor {
            tenant_id,
            visitor_id,
        } => {
            conn.ctx
                .gateway
                .live
                .navigate(tenant_id, visitor_id, nav)
                .await
        }
        Participant::Agent { .. } => Err(ServiceError::Forbidden(
            "only visitors report the page they are on",
        )),
    };
    let text = match result {
        // Answered only when asked (with an `id`): the widget sends these and moves on.
        Ok(()) => match id.as_deref() {
            Some(id) => ServerFrame::Tracked { id: Some(id) }.to_text(),
            None => return,
        },
        Err(e) => error_frame(id.as_deref(), &e),
    };
    conn.reply(text).await;
}
