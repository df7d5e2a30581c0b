//! The widget's entry: a visitor arrives on a site, is recognised or created, and learns what
//! the widget should show.

use std::net::IpAddr;
use std::sync::Arc;

use super::admin::{settings_view, SettingsView};
use super::auth::AuthService;
use super::mail::ReopenLinks;
use super::{business_hours, validate, ServiceError, ServiceResult};
use crate::cluster::{Block, Presence};
use crate::store::{Conversation, NewVisitor, Store, Visitor};

/// What the widget sends when it starts.
pub struct Arrival {
    pub site_key: String,
    /// The `Origin` header of the page that embeds the widget.
    pub origin: Option<String>,
    pub ip: IpAddr,
    pub user_agent: Option<String>,
    pub visitor_token: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub page_url: Option<String>,
    pub referrer: Option<String>,
    /// The token from a mail's "continue the conversation" link: comes back as that visitor.
    pub reopen_token: Option<String>,
    /// The widget's language (a browser language tag); picks the visitor's mail templates.
    pub language: Option<String>,
}

pub struct VisitorSession {
    pub token: String,
    pub visitor: Visitor,
    pub settings: SettingsView,
    /// Someone can answer: an agent is connected with status `online` or `busy` (busy agents
    /// take no new conversation now, but the visitor may queue for them). With everyone `away`
    /// or offline, the widget shows its offline form instead of a queue.
    pub agents_online: bool,
    /// Inside the tenant's business hours now.
    pub within_hours: bool,
    /// The tenant's bots answer new conversations first (docs/bots.md).
    pub bots: bool,
    pub conversation: Option<Conversation>,
}

#[derive(Clone)]
pub struct VisitorService {
    store: Store,
    auth: AuthService,
    presence: Arc<dyn Presence>,
    reopen: ReopenLinks,
}

impl VisitorService {
    pub fn new(
        store: Store,
        auth: AuthService,
        presence: Arc<dyn Presence>,
        reopen: ReopenLinks,
    ) -> Self {
        VisitorService {
            store,
            auth,
            presence,
            reopen,
        }
    }

    pub async fn arrive(&self, a: Arrival) -> ServiceResult<VisitorSession> {
        let tenant = self
            .store
            .find_tenant_by_site_key(&a.site_key)
            .await?
            .ok_or(ServiceError::NotFound("site"))?;
        let settings = self.store.get_settings(&tenant.id).await?;
        let allowed: Vec<String> =
            serde_json::from_str(&settings.allowed_origins).unwrap_or_default();
        if !allowed.is_empty() {
            let origin = a
                .origin
                .as_deref()
                .map(|o| o.trim_end_matches('/').to_lowercase());
            if !origin.is_some_and(|o| allowed.contains(&o)) {
                return Err(ServiceError::Forbidden(
                    "this site may not embed the widget",
                ));
            }
        }
        let email = match a.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => Some(validate::email(e)?),
            None => None,
        };
        let name = match a.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => Some(validate::name("name", n, 200)?),
            None => None,
        };
        let page = a.page_url.as_deref().map(|p| truncate(p, 2048));

        // A link from a mail names the visitor; a bad or expired one is ignored.
        let reopened = a
            .reopen_token
            .as_deref()
            .and_then(|t| self.reopen.verify(t))
            .filter(|r| r.tenant_id == tenant.id);
        // A token from another tenant, or an expired one, just means a new visitor.
        let known = match a
            .visitor_token
            .as_deref()
            .map(|t| self.auth.authenticate_visitor(t))
        {
            Some(Ok(id)) if id.tenant_id == tenant.id => self
                .store
                .get_visitor(&tenant.id, &id.visitor_id)
                .await
                .ok(),
            _ => None,
        };
        let known = match reopened {
            Some(r) => self.store.get_visitor(&tenant.id, &r.visitor_id).await.ok(),
            None => known,
        };
        let ip = a.ip.to_string();
        let ua = a.user_agent.as_deref().map(|u| truncate(u, 512));
        let visitor = match known {
            Some(v) => {
                if chrono::Utc::now() - v.last_seen_at >= chrono::Duration::minutes(30) {
                    self.store.add_visit(&tenant.id, &v.id).await?;
                }
                self.store
                    .touch_visitor(&tenant.id, &v.id, Some(&ip), ua.as_deref(), page.as_deref())
                    .await?;
                self.store
                    .update_visitor_profile(
                        &tenant.id,
                        &v.id,
                        name.as_deref(),
                        email.as_deref(),
                        None,
                        None,
                    )
                    .await?
            }
            None => {
                self.store
                    .create_visitor(
                        &tenant.id,
                        NewVisitor {
                            name,
                            email,
                            ip: Some(ip),
                            user_agent: ua,
                            referrer: a.referrer.as_deref().map(|r| truncate(r, 2048)),
                            page_url: page,
                            ..Default::default()
                        },
                    )
                    .await?
            }
        };
        if let Some(tag) = a.language.as_deref() {
            let lang = if tag.to_lowercase().starts_with("zh") {
                "zh"
            } else {
                "en"
            };
            if visitor.language.as_deref() != Some(lang) {
                self.store
                    .set_visitor_language(&tenant.id, &visitor.id, lang)
                    .await?;
            }
        }
        if self.is_blocked(&tenant.id, a.ip, &visitor.id).await? {
            return Err(ServiceError::Forbidden("you cannot start a chat here"));
        }
        let conversation = self
            .store
            .find_open_conversation(&tenant.id, &visitor.id)
            .await?;
        let mut settings_view = settings_view(&self.store, &tenant.id).await?;
        // The widget needs no list of the other sites allowed to embed it.
        settings_view.allowed_origins.clear();
        let within_hours = business_hours::is_open(
            &settings_view.business_hours,
            &settings_view.timezone,
            chrono::Utc::now(),
        );
        let connected = self.presence.online_agents(&tenant.id);
        let agents_online = self
            .store
            .count_present_agents(&tenant.id, &connected)
            .await?
            > 0;
        let bots = self.store.bots_enabled(&tenant.id).await?;
        Ok(VisitorSession {
            within_hours,
            bots,
            token: self.auth.issue_visitor_token(&tenant.id, &visitor.id)?,
            agents_online,
            visitor,
            settings: settings_view,
            conversation,
        })
    }

    /// Stores the visitor's answers to the tenant's pre-chat form (`service::widget_text`).
    pub async fn prechat(
        &self,
        visitor_token: &str,
        answers: super::widget_text::prechat::PrechatAnswers,
    ) -> ServiceResult<Visitor> {
        super::widget_text::prechat::submit(&self.store, &self.auth, visitor_token, answers).await
    }

    /// Lets a visitor token in: its visitor must still exist (an erased visitor's token is
    /// refused 401, docs/privacy.md) and not be blocked (403).
    pub async fn admit(&self, tenant_id: &str, ip: IpAddr, visitor_id: &str) -> ServiceResult<()> {
        match self.store.get_visitor(tenant_id, visitor_id).await {
            Ok(_) => {}
            Err(crate::store::StoreError::NotFound(_)) => {
                return Err(ServiceError::Unauthorized(
                    "this visitor no longer exists; start a new session",
                ))
            }
            Err(e) => return Err(e.into()),
        }
        if self.is_blocked(tenant_id, ip, visitor_id).await? {
            return Err(ServiceError::Forbidden("you cannot start a chat here"));
        }
        Ok(())
    }

    /// Whether an active blacklist entry matches the address or the visitor.
    pub async fn is_blocked(
        &self,
        tenant_id: &str,
        ip: IpAddr,
        visitor_id: &str,
    ) -> ServiceResult<bool> {
        let entries = self
            .store
            .active_blacklist(tenant_id, chrono::Utc::now())
            .await?;
        Ok(entries.into_iter().any(|e| {
            Block {
                tenant_id: e.tenant_id,
                kind: e.kind,
                value: e.value,
            }
            .matches(visitor_id, ip)
        }))
    }
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}
