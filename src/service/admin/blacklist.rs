use std::net::IpAddr;

use chrono::{DateTime, Utc};
use ipnet::IpNet;
use serde_json::json;

use super::AdminService;
use crate::cluster::Block;
use crate::service::authz::{Actor, Permission};
use crate::service::page::{self, Page};
use crate::service::{Checks, ServiceResult};
use crate::store::{BlacklistEntry, BlacklistKind, StoreError};

const REASON_MAX: usize = 500;

pub struct NewBlacklistEntry {
    pub kind: BlacklistKind,
    pub value: String,
    pub reason: String,
    pub expires_at: Option<DateTime<Utc>>,
}

impl AdminService {
    /// Entries newest first, optionally of one kind.
    pub async fn list_blacklist(
        &self,
        actor: &Actor,
        kind: Option<BlacklistKind>,
        cursor: Option<&str>,
        limit: Option<u64>,
    ) -> ServiceResult<Page<BlacklistEntry>> {
        actor.require(Permission::BlacklistRead)?;
        let limit = page::limit(limit)?;
        let rows = self
            .store
            .list_blacklist(&actor.tenant_id, kind, cursor, limit + 1)
            .await?;
        Ok(Page::from_rows(rows, limit, |e| e.id.clone()))
    }

    pub async fn create_blacklist_entry(
        &self,
        actor: &Actor,
        new: NewBlacklistEntry,
    ) -> ServiceResult<BlacklistEntry> {
        actor.require(Permission::BlacklistWrite)?;
        let mut checks = Checks::default();
        let raw = new.value.trim();
        // Stored in canonical form so that matching compares like with like.
        let value = match new.kind {
            BlacklistKind::Ip => raw.parse::<IpAddr>().map(|ip| ip.to_string()).ok(),
            BlacklistKind::Cidr => raw.parse::<IpNet>().map(|net| net.trunc().to_string()).ok(),
            BlacklistKind::Visitor => match self.store.get_visitor(&actor.tenant_id, raw).await {
                Ok(v) => Some(v.id),
                Err(StoreError::NotFound(_)) => None,
                Err(e) => return Err(e.into()),
            },
        };
        if value.is_none() {
            let expected = match new.kind {
                BlacklistKind::Ip => "an IPv4 or IPv6 address",
                BlacklistKind::Cidr => "a CIDR block such as 203.0.113.0/24",
                BlacklistKind::Visitor => "the id of a visitor of this tenant",
            };
            checks.fail("value", format!("must be {expected}"));
        }
        if new.reason.chars().count() > REASON_MAX {
            checks.fail("reason", format!("must be at most {REASON_MAX} characters"));
        }
        if new.expires_at.is_some_and(|at| at <= Utc::now()) {
            checks.fail("expires_at", "must be in the future");
        }
        checks.finish()?;
        let value = value.unwrap_or_default();
        let entry = self
            .store
            .create_blacklist_entry(
                &actor.tenant_id,
                new.kind,
                &value,
                new.reason.trim(),
                new.expires_at,
                actor.user_id(),
            )
            .await?;
        // Open connections it matches close at once, on every node.
        self.bus.block(Block {
            tenant_id: entry.tenant_id.clone(),
            kind: entry.kind,
            value: entry.value.clone(),
        });
        self.audit(
            actor,
            "blacklist.create",
            "blacklist_entry",
            Some(&entry.id),
            json!({ "kind": entry.kind, "value": entry.value, "expires_at": entry.expires_at }),
        )
        .await?;
        Ok(entry)
    }

    pub async fn delete_blacklist_entry(&self, actor: &Actor, id: &str) -> ServiceResult<()> {
        actor.require(Permission::BlacklistWrite)?;
        self.store
            .delete_blacklist_entry(&actor.tenant_id, id)
            .await?;
        self.audit(
            actor,
            "blacklist.delete",
            "blacklist_entry",
            Some(id),
            json!({}),
        )
        .await
    }
}
