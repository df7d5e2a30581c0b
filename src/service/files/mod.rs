//! Files and images in conversations: checked by content, images re-encoded without their
//! metadata, kept in the object store under keys the server makes, served by signed links.

mod inspect;
mod links;
mod purge;
mod tenant_limits;

use bytes::Bytes;
use chrono::Utc;
use sha2::{Digest, Sha256};

pub use inspect::{clean_name, sniff, THUMBNAIL_PX};

/// Whether files of this (detected) type are re-encoded images, shown inline.
pub fn is_inline(content_type: &str) -> bool {
    inspect::raster_format(content_type).is_some()
}
pub use links::{LinkSigner, LinkTarget, Variant};
pub use tenant_limits::{EffectiveLimits, LimitOverride, TenantLimitsView};

use super::chat::Participant;
use super::{ServiceError, ServiceResult};
use crate::config::StorageConfig;
use crate::storage::Storage;
use crate::store::{Attachment, ConversationState, Store};
use crate::types::ids::new_id;

/// Limits on what is accepted.
#[derive(Clone)]
pub struct FileLimits {
    pub max_bytes: usize,
    pub max_per_conversation: u64,
    pub allowed_types: Vec<String>,
    pub link_ttl_secs: i64,
}

impl FileLimits {
    pub fn from_config(c: &StorageConfig) -> Self {
        FileLimits {
            max_bytes: c.max_file_bytes,
            max_per_conversation: c.max_files_per_conversation,
            allowed_types: c.allowed_types.clone(),
            link_ttl_secs: i64::try_from(c.link_ttl_secs).unwrap_or(i64::MAX / 2),
        }
    }
}

/// An attachment with links that work until `expires_at`.
pub struct Linked {
    pub attachment: Attachment,
    /// `/files/{id}?exp=…&sig=…`, relative to the server.
    pub url: String,
    pub thumbnail_url: Option<String>,
    pub expires_at: i64,
}

/// What a download serves.
pub struct Download {
    pub attachment: Attachment,
    pub bytes: Bytes,
    pub content_type: String,
    /// Shown in the page (a re-encoded image) rather than saved as a file.
    pub inline: bool,
}

#[derive(Clone)]
pub struct FileService {
    store: Store,
    storage: Storage,
    limits: FileLimits,
    signer: LinkSigner,
}

impl FileService {
    pub fn new(store: Store, storage: Storage, limits: FileLimits, signer: LinkSigner) -> Self {
        FileService {
            store,
            storage,
            limits,
            signer,
        }
    }

    pub fn max_bytes(&self) -> usize {
        self.limits.max_bytes
    }

    /// Checks, converts and stores a file sent into a conversation the participant takes part in.
    pub async fn upload(
        &self,
        who: &Participant,
        conversation_id: &str,
        name: &str,
        bytes: Bytes,
    ) -> ServiceResult<Linked> {
        if bytes.is_empty() {
            return Err(ServiceError::invalid("file", "is empty"));
        }
        let limits = self.limits_for(who.tenant_id()).await?;
        if bytes.len() > limits.max_bytes {
            return Err(ServiceError::TooLarge(format!(
                "a file may have at most {} bytes",
                limits.max_bytes
            )));
        }
        self.check_conversation(who, conversation_id).await?;
        let count = self
            .store
            .count_attachments(who.tenant_id(), conversation_id)
            .await?;
        if count >= limits.max_per_conversation {
            return Err(ServiceError::Conflict(format!(
                "this conversation has {count} files, the most it may have"
            )));
        }
        let detected = sniff(&bytes);
        if !limits.allowed_types.iter().any(|t| t == detected) {
            return Err(ServiceError::UnsupportedType(format!(
                "files of type {detected} (judged by their content) are not accepted"
            )));
        }
        let prepared = prepare(bytes, detected).await?;
        let id = new_id();
        let key = format!("{}/{conversation_id}/{id}", who.tenant_id());
        let attachment = Attachment {
            id: id.clone(),
            tenant_id: who.tenant_id().to_string(),
            conversation_id: conversation_id.to_string(),
            uploader_kind: who.kind(),
            uploader_id: who.id().to_string(),
            name: clean_name(name),
            content_type: detected.to_string(),
            size: i64::try_from(prepared.bytes.len()).unwrap_or(i64::MAX),
            sha256: hex::encode(Sha256::digest(&prepared.bytes)),
            thumbnail_key: prepared.thumbnail.as_ref().map(|_| format!("{key}.thumb")),
            object_key: key,
            width: i32::try_from(prepared.width).unwrap_or(0),
            height: i32::try_from(prepared.height).unwrap_or(0),
            created_at: Utc::now(),
        };
        self.keep(&attachment, prepared).await?;
        Ok(self.linked(attachment))
    }

    /// Writes the objects, then the record; objects of a record that could not be written go.
    async fn keep(&self, a: &Attachment, prepared: Prepared) -> ServiceResult<()> {
        let fail = |e: crate::storage::StorageError| ServiceError::Internal(e.to_string());
        self.storage
            .put(&a.object_key, prepared.bytes)
            .await
            .map_err(fail)?;
        if let (Some(key), Some(thumb)) = (&a.thumbnail_key, prepared.thumbnail) {
            self.storage.put(key, thumb).await.map_err(fail)?;
        }
        if let Err(e) = self.store.insert_attachment(a).await {
            for key in [Some(&a.object_key), a.thumbnail_key.as_ref()]
                .into_iter()
                .flatten()
            {
                if let Err(e) = self.storage.delete(key).await {
                    tracing::warn!(key = %key, error = %e, "cannot remove an unrecorded file");
                }
            }
            return Err(e.into());
        }
        Ok(())
    }

    /// A participant may attach files to a conversation they see that is not closed.
    async fn check_conversation(
        &self,
        who: &Participant,
        conversation_id: &str,
    ) -> ServiceResult<()> {
        let c = self
            .store
            .get_conversation(who.tenant_id(), conversation_id)
            .await?;
        if let Participant::Visitor { visitor_id, .. } = who {
            if &c.visitor_id != visitor_id {
                return Err(ServiceError::NotFound("conversation"));
            }
        }
        if c.state == ConversationState::Closed {
            return Err(ServiceError::Conflict("the conversation is closed".into()));
        }
        Ok(())
    }

    /// Fresh links to a file of a conversation the participant sees; any other is "not found".
    pub async fn link(&self, who: &Participant, id: &str) -> ServiceResult<Linked> {
        let a = self.store.get_attachment(who.tenant_id(), id).await?;
        if let Participant::Visitor { visitor_id, .. } = who {
            let c = self
                .store
                .get_conversation(who.tenant_id(), &a.conversation_id)
                .await?;
            if &c.visitor_id != visitor_id {
                return Err(ServiceError::NotFound("file"));
            }
        }
        Ok(self.linked(a))
    }

    fn linked(&self, attachment: Attachment) -> Linked {
        let exp = Utc::now().timestamp() + self.limits.link_ttl_secs;
        let url = |variant| {
            let t = target(&attachment, variant);
            format!("/files/{}?{}", attachment.id, self.signer.sign(&t, exp))
        };
        Linked {
            url: url(Variant::Original),
            thumbnail_url: attachment
                .thumbnail_key
                .as_ref()
                .map(|_| url(Variant::Thumbnail)),
            expires_at: exp,
            attachment,
        }
    }

    /// The bytes a signed link names; a wrong or expired signature serves nothing.
    pub async fn download(
        &self,
        id: &str,
        exp: i64,
        sig: &str,
        variant: Variant,
    ) -> ServiceResult<Download> {
        let a = self
            .store
            .find_attachment(id)
            .await?
            .ok_or(ServiceError::NotFound("file"))?;
        if !self.signer.verify(&target(&a, variant), exp, sig) {
            return Err(ServiceError::Forbidden(
                "the link is not valid for this file",
            ));
        }
        if exp < Utc::now().timestamp() {
            return Err(ServiceError::Forbidden(
                "the link has expired; ask for a new one",
            ));
        }
        let (key, content_type) = match (variant, &a.thumbnail_key) {
            (Variant::Original, _) => (&a.object_key, a.content_type.clone()),
            (Variant::Thumbnail, Some(k)) => {
                (k, inspect::thumbnail_type(&a.content_type).to_string())
            }
            (Variant::Thumbnail, None) => return Err(ServiceError::NotFound("thumbnail")),
        };
        let bytes = self.storage.get(key).await.map_err(|e| match e {
            crate::storage::StorageError::NotFound => ServiceError::NotFound("file"),
            other => ServiceError::Internal(other.to_string()),
        })?;
        Ok(Download {
            inline: inspect::raster_format(&a.content_type).is_some(),
            content_type,
            bytes,
            attachment: a,
        })
    }
}

fn target(a: &Attachment, variant: Variant) -> LinkTarget<'_> {
    LinkTarget {
        tenant_id: &a.tenant_id,
        conversation_id: &a.conversation_id,
        file_id: &a.id,
        variant,
    }
}

/// The bytes to keep: an image re-encoded (with its thumbnail), anything else as sent.
struct Prepared {
    bytes: Bytes,
    thumbnail: Option<Bytes>,
    width: u32,
    height: u32,
}

async fn prepare(bytes: Bytes, content_type: &'static str) -> ServiceResult<Prepared> {
    let Some(format) = inspect::raster_format(content_type) else {
        return Ok(Prepared {
            bytes,
            thumbnail: None,
            width: 0,
            height: 0,
        });
    };
    // Decoding is CPU work: off the async threads.
    let done = tokio::task::spawn_blocking(move || inspect::reencode(&bytes, format))
        .await
        .map_err(|e| ServiceError::Internal(format!("image task failed: {e}")))?;
    let image = done.map_err(|why| {
        ServiceError::invalid("file", format!("not a valid {content_type} image: {why}"))
    })?;
    Ok(Prepared {
        bytes: Bytes::from(image.bytes),
        thumbnail: image.thumbnail.map(Bytes::from),
        width: image.width,
        height: image.height,
    })
}
