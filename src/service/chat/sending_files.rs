//! A file or image posted in a conversation: the upload (service/files) stored it; this
//! stores the message that refers to it, with the same guarantees as a text (committed before
//! the ack, a resend with the same `client_msg_id` is the same message).

use super::sending::{own_message, CLIENT_ID_MAX};
use super::{ChatService, Participant, Sent};
use crate::service::files::is_inline;
use crate::service::{ServiceError, ServiceResult};
use crate::store::{Attachment, MessageKind, StoreError};

/// The body of an image or file message: what a client shows before it asks for a link
/// (GET /api/{visitor|agent}/files/{attachment_id}).
pub fn attachment_body(a: &Attachment) -> String {
    serde_json::json!({
        "attachment_id": a.id,
        "name": a.name,
        "content_type": a.content_type,
        "size": a.size,
        "width": a.width,
        "height": a.height,
        "thumbnail": a.thumbnail_key.is_some(),
    })
    .to_string()
}

impl ChatService {
    /// Posts a file the participant uploaded to this conversation.
    pub async fn send_attachment(
        &self,
        who: &Participant,
        conversation_id: Option<&str>,
        client_msg_id: &str,
        attachment_id: &str,
    ) -> ServiceResult<Sent> {
        if client_msg_id.is_empty() || client_msg_id.len() > CLIENT_ID_MAX {
            return Err(ServiceError::invalid(
                "client_msg_id",
                format!("must be 1 to {CLIENT_ID_MAX} bytes"),
            ));
        }
        let Some(conversation_id) = conversation_id else {
            return Err(ServiceError::invalid(
                "conversation_id",
                "is required with attachment_id",
            ));
        };
        let a = self
            .store
            .get_attachment(who.tenant_id(), attachment_id)
            .await?;
        // Only its uploader posts a file, and only in the conversation it was uploaded to.
        if a.conversation_id != conversation_id
            || a.uploader_kind != who.kind()
            || a.uploader_id != who.id()
        {
            return Err(ServiceError::NotFound("file"));
        }
        let kind = if is_inline(&a.content_type) {
            MessageKind::Image
        } else {
            MessageKind::File
        };
        let message = own_message(
            who,
            conversation_id.to_string(),
            client_msg_id,
            kind,
            &attachment_body(&a),
        );
        let appended = match self.append(who.tenant_id(), message).await {
            Err(StoreError::Precondition(_)) => {
                return Err(match who {
                    Participant::Visitor { .. } => {
                        ServiceError::Conflict("the conversation is closed".into())
                    }
                    Participant::Agent { .. } => {
                        ServiceError::Forbidden("accept the conversation before writing in it")
                    }
                })
            }
            other => other?,
        };
        Ok(Sent {
            message: appended.message,
            duplicate: appended.duplicate,
            conversation: appended.conversation,
        })
    }
}
