//! Privacy requests about one visitor (docs/privacy.md): export everything stored about them
//! as one JSON document, or erase it all — rows, file bytes and archive objects. Owners and
//! admins, or API tokens with the `visitors:export` / `visitors:erase` scope; both recorded in
//! the audit log.

mod export;

pub use export::VisitorExport;

use std::sync::Arc;

use serde::Serialize;
use serde_json::json;

use super::archive::ArchiveReader;
use super::authz::{Actor, Permission};
use super::files::FileService;
use super::{ServiceError, ServiceResult};
use crate::cluster::{Block, Bus};
use crate::store::{BlacklistKind, NewAudit, Store};

/// What an erasure removed.
#[derive(Debug, Clone, Serialize)]
pub struct Erased {
    pub visitor_id: String,
    pub conversations: u64,
    pub messages: u64,
    pub files: u64,
    pub events: u64,
    /// Mail about the visitor's conversations, queued or sent.
    pub mails: u64,
    /// Webhook events (with their deliveries) whose payload named the visitor.
    pub webhook_events: u64,
    /// Storage keys that could not be deleted (a storage failure); normally empty.
    pub objects_left: Vec<String>,
}

#[derive(Clone)]
pub struct PrivacyService {
    store: Store,
    files: FileService,
    archive: ArchiveReader,
    bus: Arc<dyn Bus>,
}

impl PrivacyService {
    pub fn new(
        store: Store,
        files: FileService,
        archive: ArchiveReader,
        bus: Arc<dyn Bus>,
    ) -> Self {
        PrivacyService {
            store,
            files,
            archive,
            bus,
        }
    }

    /// Everything stored about the visitor, as one document.
    pub async fn export(&self, actor: &Actor, visitor_id: &str) -> ServiceResult<VisitorExport> {
        actor.require(Permission::VisitorsExport)?;
        let mut records = self
            .store
            .visitor_records(&actor.tenant_id, visitor_id)
            .await?;
        // An archived conversation's messages are in its archive object, not the hot tables.
        for c in &records.conversations {
            if let Some(doc) = self.archive.document(c).await? {
                records.messages.extend(doc.messages);
            }
        }
        let export = export::build(records, &self.files);
        self.audit(
            actor,
            "visitor.export",
            visitor_id,
            json!({ "conversations": export.conversations.len() }),
        )
        .await?;
        Ok(export)
    }

    /// Deletes the visitor and everything about them. `confirm` must repeat the visitor's id.
    pub async fn erase(
        &self,
        actor: &Actor,
        visitor_id: &str,
        confirm: &str,
    ) -> ServiceResult<Erased> {
        actor.require(Permission::VisitorsErase)?;
        // Another tenant's visitor is "not found" before the confirmation is looked at.
        self.store.get_visitor(&actor.tenant_id, visitor_id).await?;
        if confirm != visitor_id {
            return Err(ServiceError::invalid(
                "confirm",
                "must repeat the visitor's id exactly",
            ));
        }
        let rows = self
            .store
            .erase_visitor(&actor.tenant_id, visitor_id)
            .await?;
        // Their open widget connections close, on every node.
        self.bus.block(Block {
            tenant_id: actor.tenant_id.clone(),
            kind: BlacklistKind::Visitor,
            value: visitor_id.to_string(),
        });
        let objects_left = self
            .files
            .remove_objects(&actor.tenant_id, &rows.object_keys, &rows.conversation_ids)
            .await;
        let erased = Erased {
            visitor_id: visitor_id.to_string(),
            conversations: rows.conversation_ids.len() as u64,
            messages: rows.messages,
            files: rows.files,
            events: rows.events,
            mails: rows.mails,
            webhook_events: rows.webhook_events,
            objects_left,
        };
        tracing::warn!(visitor = %visitor_id, by = %actor.id(), "erased visitor");
        self.audit(
            actor,
            "visitor.erase",
            visitor_id,
            serde_json::to_value(&erased).unwrap_or_default(),
        )
        .await?;
        Ok(erased)
    }

    async fn audit(
        &self,
        actor: &Actor,
        action: &str,
        visitor_id: &str,
        details: serde_json::Value,
    ) -> ServiceResult<()> {
        self.store
            .append_audit(
                &actor.tenant_id,
                NewAudit {
                    actor_id: Some(actor.id()),
                    action,
                    target_kind: "visitor",
                    target_id: Some(visitor_id),
                    details,
                },
            )
            .await?;
        Ok(())
    }
}
