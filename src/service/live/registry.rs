//! The in-memory record of the visitors on the site now, per tenant (this node's connections).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use tokio::task::AbortHandle;

use super::agent_info::Device;
use super::geo::Place;
use super::insight::{LiveDetails, PageVisit};
use super::names::friendly_name;
use super::Navigation;
use crate::cluster::LiveVisitor;
use crate::store::Visitor;

/// Pages of one visit kept in memory (the oldest are dropped).
const PAGES_KEPT: usize = 50;

struct Page {
    url: String,
    title: Option<String>,
    at: DateTime<Utc>,
}

struct Entry {
    name: Option<String>,
    language: Option<String>,
    timezone: Option<String>,
    referrer: Option<String>,
    place: Place,
    device: Device,
    connections: usize,
    /// Bumped by every connect, navigation and last disconnect: a timer or a pending removal
    /// that carries an older one is stale.
    generation: u64,
    arrived_at: DateTime<Utc>,
    pages: Vec<Page>,
    /// Trigger timers running for the current page.
    timers: Vec<AbortHandle>,
}

impl Entry {
    fn view(&self, visitor_id: &str) -> LiveVisitor {
        let current = self.pages.last();
        LiveVisitor {
            visitor_id: visitor_id.to_string(),
            name: self
                .name
                .clone()
                .unwrap_or_else(|| friendly_name(visitor_id, self.language.as_deref())),
            page_url: current.map(|p| p.url.clone()),
            page_title: current.and_then(|p| p.title.clone()),
            page_since: current.map_or(self.arrived_at, |p| p.at),
            arrived_at: self.arrived_at,
            country: self.place.country.clone(),
            city: self.place.city.clone(),
            browser: self.device.browser.clone(),
            os: self.device.os.clone(),
            chatting: false,
        }
    }

    fn stop_timers(&mut self) {
        for t in self.timers.drain(..) {
            t.abort();
        }
    }
}

#[derive(Default)]
pub(super) struct Registry {
    tenants: HashMap<String, HashMap<String, Entry>>,
}

impl Registry {
    fn entry(&mut self, tenant_id: &str, visitor_id: &str) -> Option<&mut Entry> {
        self.tenants.get_mut(tenant_id)?.get_mut(visitor_id)
    }

    pub(super) fn connect(
        &mut self,
        tenant_id: &str,
        visitor: &Visitor,
        place: Place,
        device: Device,
        referrer: Option<String>,
    ) -> Option<LiveVisitor> {
        let now = Utc::now();
        let e = self
            .tenants
            .entry(tenant_id.to_string())
            .or_default()
            .entry(visitor.id.clone())
            .or_insert_with(|| Entry {
                // The page the session was opened on, until the widget reports one.
                pages: serde_json::from_str::<Vec<String>>(&visitor.pages)
                    .ok()
                    .and_then(|p| p.last().cloned())
                    .map(|url| Page {
                        url,
                        title: None,
                        at: now,
                    })
                    .into_iter()
                    .collect(),
                name: None,
                language: None,
                timezone: None,
                referrer,
                place: Place::default(),
                device: Device::default(),
                connections: 0,
                generation: 0,
                arrived_at: now,
                timers: Vec::new(),
            });
        e.connections += 1;
        e.generation += 1;
        e.name = visitor.name.clone().filter(|n| !n.trim().is_empty());
        e.place = place;
        e.device = device;
        Some(e.view(&visitor.id))
    }

    /// One connection fewer; the generation to remove them at when it was their last.
    pub(super) fn disconnect(&mut self, tenant_id: &str, visitor_id: &str) -> Option<u64> {
        let e = self.entry(tenant_id, visitor_id)?;
        e.connections = e.connections.saturating_sub(1);
        if e.connections > 0 {
            return None;
        }
        e.generation += 1;
        e.stop_timers();
        Some(e.generation)
    }

    pub(super) fn remove_if_gone(&mut self, tenant_id: &str, visitor_id: &str, gen: u64) -> bool {
        let Some(visitors) = self.tenants.get_mut(tenant_id) else {
            return false;
        };
        let gone = visitors
            .get(visitor_id)
            .is_some_and(|e| e.connections == 0 && e.generation == gen);
        if gone {
            visitors.remove(visitor_id);
            if visitors.is_empty() {
                self.tenants.remove(tenant_id);
            }
        }
        gone
    }

    /// Records the page the visitor is on now; None when they have no connection here.
    pub(super) fn navigate(
        &mut self,
        tenant_id: &str,
        visitor_id: &str,
        nav: &Navigation,
    ) -> Option<(LiveVisitor, u64)> {
        let e = self.entry(tenant_id, visitor_id)?;
        if e.connections == 0 {
            return None;
        }
        if nav.timezone.is_some() {
            e.timezone.clone_from(&nav.timezone);
        }
        if nav.language.is_some() {
            e.language.clone_from(&nav.language);
        }
        if e.pages.is_empty() && nav.referrer.is_some() {
            e.referrer.clone_from(&nav.referrer);
        }
        if let Some(last) = e.pages.last_mut().filter(|p| p.url == nav.url) {
            if nav.title.is_some() {
                last.title.clone_from(&nav.title);
            }
        } else {
            e.pages.push(Page {
                url: nav.url.clone(),
                title: nav.title.clone(),
                at: Utc::now(),
            });
            let skip = e.pages.len().saturating_sub(PAGES_KEPT);
            e.pages.drain(..skip);
        }
        e.generation += 1;
        e.stop_timers();
        Some((e.view(visitor_id), e.generation))
    }

    /// Keeps a trigger timer for the current page; a stale one is stopped at once.
    pub(super) fn add_timer(
        &mut self,
        tenant_id: &str,
        visitor_id: &str,
        gen: u64,
        t: AbortHandle,
    ) {
        match self.entry(tenant_id, visitor_id) {
            Some(e) if e.generation == gen => e.timers.push(t),
            _ => t.abort(),
        }
    }

    /// Whether the visitor is still on the page of generation `gen`.
    pub(super) fn still_on(&mut self, tenant_id: &str, visitor_id: &str, gen: u64) -> bool {
        self.entry(tenant_id, visitor_id)
            .is_some_and(|e| e.generation == gen && e.connections > 0)
    }

    pub(super) fn view(&mut self, tenant_id: &str, visitor_id: &str) -> Option<LiveVisitor> {
        self.entry(tenant_id, visitor_id)
            .map(|e| e.view(visitor_id))
    }

    /// The language the visitor's browser reported, if they are here.
    pub(super) fn language(&mut self, tenant_id: &str, visitor_id: &str) -> Option<String> {
        self.entry(tenant_id, visitor_id)?.language.clone()
    }

    pub(super) fn list(&self, tenant_id: &str) -> Vec<LiveVisitor> {
        let mut list: Vec<LiveVisitor> = self
            .tenants
            .get(tenant_id)
            .into_iter()
            .flat_map(|m| m.iter().map(|(id, e)| e.view(id)))
            .collect();
        list.sort_by_key(|v| v.arrived_at);
        list
    }

    pub(super) fn details(&mut self, tenant_id: &str, visitor_id: &str) -> Option<LiveDetails> {
        let e = self.entry(tenant_id, visitor_id)?;
        let now = Utc::now();
        let pages = e
            .pages
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let until = e.pages.get(i + 1).map_or(now, |next| next.at);
                PageVisit {
                    url: p.url.clone(),
                    title: p.title.clone(),
                    at: p.at,
                    seconds: (until - p.at).num_seconds().max(0),
                }
            })
            .collect();
        Some(LiveDetails {
            online: e.connections > 0,
            current_page: e.pages.last().map(|p| p.url.clone()),
            utm_source: e.pages.first().and_then(|p| utm_source(&p.url)),
            referrer: e.referrer.clone(),
            timezone: e.timezone.clone(),
            local_time: e.timezone.as_deref().and_then(local_time),
            language: e.language.clone(),
            arrived_at: e.arrived_at,
            pages,
        })
    }
}

/// The `utm_source` query parameter of a URL.
pub(super) fn utm_source(page: &str) -> Option<String> {
    let url = url::Url::parse(page).ok()?;
    let found = url
        .query_pairs()
        .find(|(k, _)| k == "utm_source")
        .map(|(_, v)| v.chars().take(100).collect::<String>());
    found.filter(|v| !v.is_empty())
}

/// The time now in the IANA zone `tz`, as `YYYY-MM-DDTHH:MM:SS±HH:MM`.
fn local_time(tz: &str) -> Option<String> {
    let tz: chrono_tz::Tz = tz.parse().ok()?;
    Some(
        Utc::now()
            .with_timezone(&tz)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
    )
}
