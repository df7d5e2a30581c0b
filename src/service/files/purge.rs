//! Removing file objects whose records are gone: a tenant's whole prefix when it is deleted,
//! and a visitor's files and conversation archives when they are erased (docs/privacy.md).

use super::{FileService, Linked};
use crate::service::archive::object_key as archive_key;
use crate::store::Attachment;

impl FileService {
    /// Signed links for records read elsewhere (an export).
    pub fn linked_all(&self, attachments: Vec<Attachment>) -> Vec<Linked> {
        attachments.into_iter().map(|a| self.linked(a)).collect()
    }

    /// Deletes every object of a deleted tenant: its files (`{tenant}/…`) and its archive
    /// (`archive/{tenant}/…`). Returns the keys' count; a failure is logged and returned.
    pub async fn purge_tenant(&self, tenant_id: &str) -> Result<u64, String> {
        let mut removed = 0;
        let mut failed = Vec::new();
        for prefix in [tenant_id.to_string(), format!("archive/{tenant_id}")] {
            match self.storage.delete_prefix(&prefix).await {
                Ok(n) => removed += n,
                Err(e) => {
                    tracing::warn!(prefix = %prefix, error = %e, "cannot remove a deleted tenant's objects");
                    failed.push(format!("{prefix}: {e}"));
                }
            }
        }
        if failed.is_empty() {
            Ok(removed)
        } else {
            Err(failed.join("; "))
        }
    }

    /// Deletes the given file objects and the archive objects of the given conversations
    /// (a missing one is fine). Returns the keys that could not be deleted.
    pub async fn remove_objects(
        &self,
        tenant_id: &str,
        object_keys: &[String],
        conversation_ids: &[String],
    ) -> Vec<String> {
        let archives = conversation_ids.iter().map(|c| archive_key(tenant_id, c));
        let mut left = Vec::new();
        for key in object_keys.iter().cloned().chain(archives) {
            if let Err(e) = self.storage.delete(&key).await {
                tracing::warn!(key = %key, error = %e, "cannot remove an erased visitor's object");
                left.push(key);
            }
        }
        left
    }
}
