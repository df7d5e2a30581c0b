//! What agents learn about a visitor: their device and place, the pages of this visit, and the
//! live list; and the navigation reports that feed them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{agent_info, friendly_name, LiveService, Navigation};
use crate::cluster::LiveVisitor;
use crate::service::authz::{Actor, Permission};
use crate::service::{ServiceError, ServiceResult};
use crate::store::Visitor;

/// Longest page URL accepted, in characters.
pub const URL_MAX: usize = 2048;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PageVisit {
    pub url: String,
    pub title: Option<String>,
    /// When they came to it.
    pub at: DateTime<Utc>,
    /// Time spent on it, in seconds (until now for the current page).
    pub seconds: i64,
}

/// The visit in progress, while the visitor's widget is connected to this node.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LiveDetails {
    /// False during the short grace after their last widget closed.
    pub online: bool,
    pub current_page: Option<String>,
    /// Pages of this visit, oldest first, with the time on each.
    pub pages: Vec<PageVisit>,
    pub referrer: Option<String>,
    /// The `utm_source` of the visit's first page.
    pub utm_source: Option<String>,
    /// The browser's IANA time zone and the visitor's local time now (RFC 3339).
    pub timezone: Option<String>,
    pub local_time: Option<String>,
    pub language: Option<String>,
    pub arrived_at: DateTime<Utc>,
}

/// Everything derived about a visitor for the agent's details panel.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VisitorInsight {
    /// Their name, or a friendly generated one (adjective + animal, in their language).
    pub display_name: String,
    pub browser: Option<String>,
    pub os: Option<String>,
    /// pc, smartphone, mobilephone, appliance, crawler or misc.
    pub device: Option<String>,
    /// From the GeoIP database (`geoip.database`); null without one or for an unknown address.
    pub country: Option<String>,
    pub city: Option<String>,
    /// Number of visits (an arrival after 30 minutes or more without one counts anew).
    pub visits: i32,
    /// The visit in progress; null when the visitor is not on the site now.
    pub live: Option<LiveDetails>,
}

fn clean(field: &'static str, v: Option<String>, max: usize) -> ServiceResult<Option<String>> {
    match v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
        Some(s) if s.chars().count() > max => Err(ServiceError::invalid(
            field,
            format!("must be at most {max} characters"),
        )),
        other => Ok(other),
    }
}

/// Checks a navigation report: an http(s) URL of at most `URL_MAX` characters, short texts.
fn checked(nav: Navigation) -> ServiceResult<Navigation> {
    let url = nav.url.trim().to_string();
    if url.is_empty() || url.chars().count() > URL_MAX {
        return Err(ServiceError::invalid(
            "url",
            format!("must be 1 to {URL_MAX} characters"),
        ));
    }
    match url::Url::parse(&url) {
        Ok(u) if u.scheme() == "http" || u.scheme() == "https" => {}
        _ => return Err(ServiceError::invalid("url", "must be an http or https URL")),
    }
    let timezone = clean("timezone", nav.timezone, 64)?;
    if timezone
        .as_deref()
        .is_some_and(|tz| tz.parse::<chrono_tz::Tz>().is_err())
    {
        return Err(ServiceError::invalid("timezone", "unknown time zone"));
    }
    Ok(Navigation {
        url,
        title: clean("title", nav.title, 300)?,
        referrer: clean("referrer", nav.referrer, URL_MAX)?,
        timezone,
        language: clean("language", nav.language, 35)?,
    })
}

impl LiveService {
    /// The widget reports the page it is on: the visit's pages, the live view and the page
    /// triggers follow it.
    pub async fn navigate(
        &self,
        tenant_id: &str,
        visitor_id: &str,
        nav: Navigation,
    ) -> ServiceResult<()> {
        let nav = checked(nav)?;
        let moved = self.registry().navigate(tenant_id, visitor_id, &nav);
        let Some((view, generation)) = moved else {
            return Err(ServiceError::Conflict(
                "no widget of this visitor is connected".into(),
            ));
        };
        self.store
            .touch_visitor(tenant_id, visitor_id, None, None, Some(&nav.url))
            .await?;
        self.announce(tenant_id, Some(view)).await;
        self.arm_triggers(tenant_id, visitor_id, &nav.url, generation)
            .await
    }

    /// The visitors on the site now (every node), oldest visit first.
    pub async fn list(&self, actor: &Actor) -> ServiceResult<Vec<LiveVisitor>> {
        actor.require(Permission::Chat)?;
        let mine = self.registry().list(&actor.tenant_id);
        let others = self.directory.others(&actor.tenant_id).await;
        let mut list = merge(mine, others);
        let ids: Vec<String> = list.iter().map(|v| v.visitor_id.clone()).collect();
        let chatting = self.store.visitors_chatting(&actor.tenant_id, &ids).await?;
        for v in &mut list {
            v.chatting = chatting.contains(&v.visitor_id);
        }
        Ok(list)
    }

    /// What the details panel shows beyond the stored profile.
    pub fn insight(&self, v: &Visitor) -> VisitorInsight {
        let device = agent_info::parse(v.user_agent.as_deref());
        let place =
            v.ip.as_deref()
                .and_then(|ip| ip.parse().ok())
                .map(|ip| self.geo.lookup(ip))
                .unwrap_or_default();
        let mut registry = self.registry();
        let language = registry.language(&v.tenant_id, &v.id);
        VisitorInsight {
            display_name: v
                .name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| friendly_name(&v.id, language.as_deref())),
            browser: device.browser,
            os: device.os,
            device: device.device,
            country: place.country,
            city: place.city,
            visits: v.visits,
            live: registry.details(&v.tenant_id, &v.id),
        }
    }
}

/// This node's visitors and the other nodes', each visitor once (one with tabs on several nodes
/// counts where they came to their current page last), oldest visit first.
fn merge(mine: Vec<LiveVisitor>, others: Vec<LiveVisitor>) -> Vec<LiveVisitor> {
    let mut by_id: HashMap<String, LiveVisitor> = HashMap::new();
    for v in mine.into_iter().chain(others) {
        match by_id.get(&v.visitor_id) {
            Some(seen) if seen.page_since >= v.page_since => {}
            _ => {
                by_id.insert(v.visitor_id.clone(), v);
            }
        }
    }
    let mut list: Vec<LiveVisitor> = by_id.into_values().collect();
    list.sort_by(|a, b| (a.arrived_at, &a.visitor_id).cmp(&(b.arrived_at, &b.visitor_id)));
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visitor(id: &str, arrived: i64, page_since: i64, page: &str) -> LiveVisitor {
        let at = |s| DateTime::from_timestamp(s, 0).unwrap_or_default();
        LiveVisitor {
            visitor_id: id.into(),
            name: id.into(),
            page_url: Some(page.into()),
            page_title: None,
            page_since: at(page_since),
            arrived_at: at(arrived),
            country: None,
            city: None,
            browser: None,
            os: None,
            chatting: false,
        }
    }

    #[test]
    fn each_visitor_once_where_they_moved_last_oldest_visit_first() {
        let mine = vec![visitor("b", 20, 25, "/cart"), visitor("c", 30, 30, "/")];
        let others = vec![visitor("a", 10, 12, "/"), visitor("b", 20, 40, "/checkout")];
        let list = merge(mine, others);
        let shown: Vec<(&str, Option<&str>)> = list
            .iter()
            .map(|v| (v.visitor_id.as_str(), v.page_url.as_deref()))
            .collect();
        assert_eq!(
            shown,
            [("a", Some("/")), ("b", Some("/checkout")), ("c", Some("/"))]
        );
    }
}
