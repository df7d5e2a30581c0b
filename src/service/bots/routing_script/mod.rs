//! Tenants' routing scripts: an admin writes `function route(visitor, agents, groups)` in Lua,
//! keeps versions of it, tries a version on a sample visitor, and activates one. When a new
//! conversation is queued the active version picks a group and/or an agent; any failure
//! (error, budget, time, memory, nonsense) means default routing, and the last failure is
//! shown to admins.

mod context;
mod patterns;
mod sample;
pub mod sandbox;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use sample::Sample;
pub use sandbox::{AgentInfo, Decision, GroupInfo, ScriptError, VisitorInfo, LIMITS};

use super::sentiment::SentimentService;
use crate::service::authz::{Actor, Permission};
use crate::service::live::Geo;
use crate::service::{ServiceError, ServiceResult};
use crate::store::{Conversation, RoutingScript, Store, User, UserFilter};

/// Longest script, in bytes.
pub const MAX_SOURCE: usize = 64 * 1024;
/// Agents offered to a test run when the sample names none.
const SAMPLE_AGENTS: u64 = 200;
/// How long a node trusts what it last read of a tenant's active version (another node's
/// activation reaches it within this; its own at once).
const ACTIVE_TTL: Duration = Duration::from_secs(5);
/// Counter of runs that fell back to default routing, by reason.
const FAILURES: &str = "uniqchat_routing_script_failures_total";

/// A tenant's active version as read at an instant.
type Read = (Instant, Option<RoutingScript>);

/// The last time a tenant's active script failed (on this node).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LastError {
    pub version: i32,
    pub message: String,
    pub at: DateTime<Utc>,
}

/// The tenant's versions, newest first, and how the active one fares.
pub struct ScriptList {
    pub versions: Vec<RoutingScript>,
    pub last_error: Option<LastError>,
}

/// What a test run gave: a decision (null: default routing) or the error.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Outcome {
    pub ok: bool,
    pub decision: Option<Decision>,
    pub error: Option<String>,
}

impl From<Result<Option<Decision>, ScriptError>> for Outcome {
    fn from(r: Result<Option<Decision>, ScriptError>) -> Self {
        match r {
            Ok(decision) => Outcome {
                ok: true,
                decision,
                error: None,
            },
            Err(e) => Outcome {
                ok: false,
                decision: None,
                error: Some(e.to_string()),
            },
        }
    }
}

#[derive(Clone)]
pub struct RoutingScriptService {
    store: Store,
    geo: Arc<Geo>,
    sentiment: SentimentService,
    last_errors: Arc<Mutex<HashMap<String, LastError>>>,
    /// Each tenant's active version as last read, and when: routing asks for every new
    /// conversation, and most tenants have none.
    active: Arc<Mutex<HashMap<String, Read>>>,
}

impl RoutingScriptService {
    pub fn new(store: Store, geo: Arc<Geo>, sentiment: SentimentService) -> Self {
        RoutingScriptService {
            store,
            geo,
            sentiment,
            last_errors: Arc::default(),
            active: Arc::default(),
        }
    }

    pub async fn list(&self, actor: &Actor) -> ServiceResult<ScriptList> {
        actor.require(Permission::SettingsRead)?;
        let versions = self.store.list_routing_scripts(&actor.tenant_id).await?;
        let last_error = self
            .last_errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&actor.tenant_id)
            .cloned();
        Ok(ScriptList {
            versions,
            last_error,
        })
    }

    /// Stores `source` as the next version, inactive; it must compile.
    pub async fn create(&self, actor: &Actor, source: &str) -> ServiceResult<RoutingScript> {
        actor.require(Permission::SettingsWrite)?;
        if source.trim().is_empty() || source.len() > MAX_SOURCE {
            return Err(ServiceError::invalid(
                "source",
                format!("must be 1 to {MAX_SOURCE} bytes"),
            ));
        }
        sandbox::check_syntax(source)
            .map_err(|e| ServiceError::invalid("source", e.to_string()))?;
        Ok(self
            .store
            .create_routing_script(&actor.tenant_id, source, actor.user_id())
            .await?)
    }

    /// Runs a version once on a sample, exactly as routing would (same sandbox and limits).
    pub async fn test(&self, actor: &Actor, id: &str, sample: Sample) -> ServiceResult<Outcome> {
        actor.require(Permission::SettingsWrite)?;
        let script = self.store.get_routing_script(&actor.tenant_id, id).await?;
        let groups = match sample.groups {
            Some(g) => g,
            None => context::groups(&self.store, &actor.tenant_id).await?,
        };
        let agents = match sample.agents {
            Some(a) => a,
            None => {
                let filter = UserFilter {
                    disabled: Some(false),
                    ..UserFilter::default()
                };
                let users = self
                    .store
                    .list_users(&actor.tenant_id, filter, None, SAMPLE_AGENTS)
                    .await?;
                context::agents(&self.store, &actor.tenant_id, &users).await?
            }
        };
        Ok(
            context::run_blocking(script.source, sample.visitor, agents, groups)
                .await
                .into(),
        )
    }

    pub async fn activate(&self, actor: &Actor, id: &str) -> ServiceResult<RoutingScript> {
        actor.require(Permission::SettingsWrite)?;
        self.store
            .activate_routing_script(&actor.tenant_id, id)
            .await?;
        self.forget(&actor.tenant_id);
        Ok(self.store.get_routing_script(&actor.tenant_id, id).await?)
    }

    /// Back to default routing.
    pub async fn deactivate(&self, actor: &Actor) -> ServiceResult<()> {
        actor.require(Permission::SettingsWrite)?;
        self.store
            .deactivate_routing_scripts(&actor.tenant_id)
            .await?;
        self.forget(&actor.tenant_id);
        Ok(())
    }

    /// The tenant's active version, if any (None too when it cannot be read: default routing).
    pub async fn active(&self, tenant_id: &str) -> Option<RoutingScript> {
        if let Some((at, script)) = self.cached().get(tenant_id) {
            if at.elapsed() < ACTIVE_TTL {
                return script.clone();
            }
        }
        match self.store.active_routing_script(tenant_id).await {
            Ok(script) => {
                self.cached()
                    .insert(tenant_id.to_string(), (Instant::now(), script.clone()));
                script
            }
            Err(e) => {
                tracing::warn!(error = %e, tenant = %tenant_id, "cannot read the routing script");
                None
            }
        }
    }

    fn cached(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, Option<RoutingScript>)>> {
        self.active.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What `script` decides for this waiting conversation, given the agents available now;
    /// None for default routing (it said so, or it failed: recorded).
    pub async fn decide(
        &self,
        script: RoutingScript,
        c: &Conversation,
        available: &[User],
    ) -> Option<Decision> {
        let input = context::gather(&self.store, &self.geo, &self.sentiment, c, available).await;
        let (visitor, agents, groups) = match input {
            Ok(i) => i,
            Err(e) => {
                tracing::warn!(error = %e, tenant = %c.tenant_id, "cannot gather a routing script's input");
                return None;
            }
        };
        match context::run_blocking(script.source, visitor, agents, groups).await {
            Ok(d) => {
                tracing::debug!(tenant = %c.tenant_id, conversation = %c.id, version = script.version, decision = ?d, "routing script decided");
                d
            }
            Err(e) => {
                tracing::warn!(
                    tenant = %c.tenant_id,
                    conversation = %c.id,
                    version = script.version,
                    error = %e,
                    "routing script failed: default routing"
                );
                metrics::counter!(FAILURES, "reason" => reason(&e)).increment(1);
                self.last_errors
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(
                        c.tenant_id.clone(),
                        LastError {
                            version: script.version,
                            message: e.to_string(),
                            at: Utc::now(),
                        },
                    );
                None
            }
        }
    }

    /// After an activation or deactivation: the last failure goes, and this node's next routing
    /// reads the new state.
    fn forget(&self, tenant_id: &str) {
        self.cached().remove(tenant_id);
        self.last_errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(tenant_id);
    }
}

fn reason(e: &ScriptError) -> &'static str {
    match e {
        ScriptError::Syntax(_) => "syntax",
        ScriptError::Runtime(_) => "error",
        ScriptError::Budget(_) => "budget",
        ScriptError::Timeout(_) => "timeout",
        ScriptError::Memory(_) => "memory",
        ScriptError::BadReturn(_) => "bad_return",
    }
}
