//! Hot/cold archive and deletion (docs/retention.md): closed conversations older than their
//! tenant's `archive_after_days` move, whole, to one zstd JSON object each in the file
//! storage and leave the hot tables; those older than `delete_after_days` are deleted
//! everywhere (rows, archive object, attached files). Run by `serve` under the `archive`
//! lease and by `uniqchat archive`.
//!
//! Crash safety: the object is written (put completed) before the one transaction that
//! records the archive and deletes the hot rows; a crash between the two leaves the hot copy
//! intact and the rerun writes the same key again. Deletion removes the objects first and
//! the rows last, so a rerun finds what a crash left and finishes it.

mod format;
mod job;
mod read;
pub mod settings;

use chrono::Utc;

use crate::service::ServiceResult;
use crate::storage::Storage;
use crate::store::{ArchiveSettings, Conversation, NewArchive, Store};

pub use format::{object_key, ArchiveDoc, FORMAT, VERSION};
pub use job::spawn_job;
pub use read::{ArchiveReader, Span};

/// Conversations read per query.
const CHUNK: u64 = 100;

/// What to do in one run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Count what would be done, change nothing.
    pub dry_run: bool,
    /// Only this tenant (by id).
    pub tenant: Option<String>,
}

/// What one run did (or would do) for one tenant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantRun {
    pub tenant_id: String,
    pub archived: u64,
    pub deleted: u64,
    /// Conversations left for the next run: changed meanwhile, or their storage failed.
    pub skipped: u64,
}

/// Which closed conversations an archive pass takes.
struct Due {
    /// Closed before this.
    cutoff: chrono::DateTime<Utc>,
    /// Not those closed before this: they are for deletion.
    deleted_before: Option<chrono::DateTime<Utc>>,
}

impl Due {
    fn deleted(&self, c: &Conversation) -> bool {
        matches!((self.deleted_before, c.closed_at), (Some(d), Some(at)) if at < d)
    }
}

#[derive(Clone)]
pub struct ArchiveService {
    store: Store,
    storage: Storage,
}

impl ArchiveService {
    pub fn new(store: Store, storage: Storage) -> ArchiveService {
        ArchiveService { store, storage }
    }

    pub fn reader(&self) -> ArchiveReader {
        ArchiveReader::new(self.store.clone(), self.storage.clone())
    }

    /// One pass over every tenant that archives or deletes (or only `options.tenant`).
    pub async fn run(&self, options: &RunOptions) -> ServiceResult<Vec<TenantRun>> {
        let tenants = match &options.tenant {
            Some(t) => {
                self.store.get_tenant(t).await?;
                vec![(t.clone(), self.store.get_archive_settings(t).await?)]
            }
            None => self.store.tenants_archiving().await?,
        };
        let mut runs = Vec::new();
        for (tenant_id, settings) in tenants {
            if settings.is_off() {
                continue;
            }
            runs.push(
                self.run_tenant(&tenant_id, settings, options.dry_run)
                    .await?,
            );
        }
        Ok(runs)
    }

    async fn run_tenant(
        &self,
        tenant_id: &str,
        settings: ArchiveSettings,
        dry_run: bool,
    ) -> ServiceResult<TenantRun> {
        let mut run = TenantRun {
            tenant_id: tenant_id.to_string(),
            ..Default::default()
        };
        // Deletion first: nothing is archived only to be deleted a moment later.
        if settings.delete_after_days > 0 {
            let cutoff = Utc::now() - chrono::Duration::days(settings.delete_after_days.into());
            let mut after: Option<String> = None;
            loop {
                let due = self
                    .store
                    .due_for_deletion(tenant_id, cutoff, after.as_deref(), CHUNK)
                    .await?;
                let Some(last) = due.last() else { break };
                after = Some(last.id.clone());
                for c in &due {
                    if dry_run {
                        run.deleted += 1;
                        continue;
                    }
                    match self.delete_one(c).await {
                        Ok(true) => run.deleted += 1,
                        Ok(false) => {}
                        Err(e) => {
                            tracing::warn!(error = %e, conversation = %c.id, "could not delete a conversation");
                            run.skipped += 1;
                        }
                    }
                }
            }
        }
        if settings.archive_after_days > 0 {
            let cutoff = Utc::now() - chrono::Duration::days(settings.archive_after_days.into());
            // What is due for deletion is not archived (a dry run still sees it).
            let deleted_before = (settings.delete_after_days > 0)
                .then(|| Utc::now() - chrono::Duration::days(settings.delete_after_days.into()));
            let due = Due {
                cutoff,
                deleted_before,
            };
            self.archive_due(tenant_id, due, dry_run, &mut run).await?;
        }
        Ok(run)
    }

    async fn archive_due(
        &self,
        tenant_id: &str,
        due_at: Due,
        dry_run: bool,
        run: &mut TenantRun,
    ) -> ServiceResult<()> {
        // By id, each conversation once per run, even one skipped or only counted.
        let mut after: Option<String> = None;
        loop {
            let due = self
                .store
                .due_for_archive(tenant_id, due_at.cutoff, after.as_deref(), CHUNK)
                .await?;
            let Some(last) = due.last() else {
                return Ok(());
            };
            after = Some(last.id.clone());
            for c in due.iter().filter(|c| !due_at.deleted(c)) {
                if dry_run {
                    run.archived += 1;
                    continue;
                }
                match self.archive_one(c).await {
                    Ok(true) => run.archived += 1,
                    Ok(false) => run.skipped += 1,
                    Err(e) => {
                        tracing::warn!(error = %e, conversation = %c.id, "could not archive a conversation");
                        run.skipped += 1;
                    }
                }
            }
        }
    }

    /// Archives one closed conversation: object first, then the swap. Returns false when it
    /// changed meanwhile or is archived already (nothing deleted).
    pub async fn archive_one(&self, c: &Conversation) -> ServiceResult<bool> {
        let contents = self.store.archive_contents(&c.tenant_id, &c.id).await?;
        // The swap below checks the conversation against what was read here.
        let read = contents.conversation.clone();
        let agent = match &read.agent_id {
            Some(id) => self.store.get_user(&read.tenant_id, id).await.ok(),
            None => None,
        };
        let doc = ArchiveDoc::of(contents);
        let summary = format::summary(&doc, agent.as_ref().map(|u| u.name.as_str()));
        let key = object_key(&read.tenant_id, &read.id);
        self.storage
            .put(&key, doc.encode()?)
            .await
            .map_err(|e| crate::service::ServiceError::Internal(e.to_string()))?;
        fault::after_put();
        let new = NewArchive {
            object_key: &key,
            summary: &summary,
            message_count: doc.messages.len() as i64,
        };
        Ok(self.store.commit_archive(&read, new).await?)
    }

    /// Deletes one conversation everywhere: its files and archive object, then its rows.
    pub async fn delete_one(&self, c: &Conversation) -> ServiceResult<bool> {
        let internal =
            |e: crate::storage::StorageError| crate::service::ServiceError::Internal(e.to_string());
        for a in self
            .store
            .conversation_attachments(&c.tenant_id, &c.id)
            .await?
        {
            self.storage.delete(&a.object_key).await.map_err(internal)?;
            if let Some(thumb) = &a.thumbnail_key {
                self.storage.delete(thumb).await.map_err(internal)?;
            }
        }
        self.storage
            .delete(&object_key(&c.tenant_id, &c.id))
            .await
            .map_err(internal)?;
        Ok(self.store.delete_conversation(&c.tenant_id, &c.id).await?)
    }
}

/// A test-only fault: with `UNIQCHAT_TEST_ARCHIVE_ABORT_AFTER=N` in the environment the
/// process aborts right after its N-th archive object is written, before the transaction
/// that removes the hot rows: the crash the archive must survive.
mod fault {
    use std::sync::atomic::{AtomicU64, Ordering};

    static PUTS: AtomicU64 = AtomicU64::new(0);

    pub fn after_put() {
        let Some(limit) = std::env::var("UNIQCHAT_TEST_ARCHIVE_ABORT_AFTER")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
        else {
            return;
        };
        if PUTS.fetch_add(1, Ordering::SeqCst) + 1 >= limit {
            tracing::error!("UNIQCHAT_TEST_ARCHIVE_ABORT_AFTER reached: aborting");
            std::process::abort();
        }
    }
}
