//! What a script is given (the visitor, the agents, the groups) and the run itself, on a
//! blocking thread with a deadline.

use std::net::IpAddr;
use std::time::Duration;

use super::sandbox::{self, AgentInfo, Decision, GroupInfo, ScriptError, VisitorInfo, LIMITS};
use crate::service::bots::sentiment::SentimentService;
use crate::service::live::Geo;
use crate::service::ServiceResult;
use crate::store::{Conversation, Store, User};

/// Time allowed to the blocking thread beyond the script's own wall-time limit (starting the
/// state, converting the input), after which routing goes on without it.
const GRACE: Duration = Duration::from_millis(400);

pub(super) async fn groups(store: &Store, tenant_id: &str) -> ServiceResult<Vec<GroupInfo>> {
    Ok(store
        .list_groups(tenant_id)
        .await?
        .into_iter()
        .map(|g| GroupInfo {
            id: g.id,
            name: g.name,
        })
        .collect())
}

pub(super) async fn agents(
    store: &Store,
    tenant_id: &str,
    users: &[User],
) -> ServiceResult<Vec<AgentInfo>> {
    let mut out = Vec::with_capacity(users.len());
    for u in users {
        let groups = store.list_user_groups(tenant_id, &u.id).await?;
        out.push(AgentInfo {
            id: u.id.clone(),
            name: u.name.clone(),
            groups: groups.into_iter().map(|g| g.id).collect(),
        });
    }
    Ok(out)
}

/// The visitor of `c` as a script sees them, the available agents and the tenant's groups.
pub(super) async fn gather(
    store: &Store,
    geo: &Geo,
    sentiment: &SentimentService,
    c: &Conversation,
    available: &[User],
) -> ServiceResult<(VisitorInfo, Vec<AgentInfo>, Vec<GroupInfo>)> {
    let v = store.get_visitor(&c.tenant_id, &c.visitor_id).await?;
    let pages: Vec<String> = serde_json::from_str(&v.pages).unwrap_or_default();
    let attributes = serde_json::from_str(&v.attributes).unwrap_or_default();
    let country =
        v.ip.as_deref()
            .and_then(|ip| ip.parse::<IpAddr>().ok())
            .and_then(|ip| geo.lookup(ip).country);
    // This conversation's mood, else the one it continues.
    let mut mood = sentiment.trend(&c.tenant_id, &c.id).await?.average;
    if let (None, Some(previous)) = (mood, &c.previous_id) {
        mood = sentiment.trend(&c.tenant_id, previous).await?.average;
    }
    let visitor = VisitorInfo {
        page: pages.last().cloned(),
        referrer: v.referrer,
        language: v.language,
        country,
        attributes,
        visits: i64::from(v.visits),
        sentiment: mood,
        previous_agent: store
            .last_agent_of_visitor(&c.tenant_id, &c.visitor_id)
            .await?,
    };
    Ok((
        visitor,
        agents(store, &c.tenant_id, available).await?,
        groups(store, &c.tenant_id).await?,
    ))
}

/// Runs the script on a blocking thread with a fresh state; past the limits (or if the
/// thread cannot be had) it is a failure, never a wait.
pub(super) async fn run_blocking(
    source: String,
    visitor: VisitorInfo,
    agents: Vec<AgentInfo>,
    groups: Vec<GroupInfo>,
) -> Result<Option<Decision>, ScriptError> {
    let task = tokio::task::spawn_blocking(move || {
        sandbox::run(&source, &visitor, &agents, &groups, LIMITS)
    });
    match tokio::time::timeout(LIMITS.wall + GRACE, task).await {
        Ok(Ok(result)) => result,
        Ok(Err(e)) => Err(ScriptError::Runtime(format!(
            "the script's thread failed: {e}"
        ))),
        Err(_) => Err(ScriptError::Timeout(LIMITS.wall.as_millis())),
    }
}
