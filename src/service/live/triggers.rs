//! Triggers at work: on each navigation, a timer per matching trigger; when it runs out and
//! the visitor is still on that page, the trigger's conditions hold and it has not fired for
//! them today, their widget opens with the trigger's message.

use std::time::Duration;

use super::{rules, LiveService};
use crate::cluster::{Invitation, Notice};
use crate::service::{business_hours, ServiceResult};
use crate::store::Trigger;

impl LiveService {
    /// Starts the timers of the triggers that match `url` (a trigger of 0 seconds is evaluated
    /// at once, before the navigation is answered).
    pub(super) async fn arm_triggers(
        &self,
        tenant_id: &str,
        visitor_id: &str,
        url: &str,
        generation: u64,
    ) -> ServiceResult<()> {
        let triggers = self.store.list_triggers(tenant_id, true).await?;
        for t in triggers.into_iter().filter(|t| rules::matches(t, url)) {
            if t.seconds <= 0 {
                self.fire(tenant_id, visitor_id, &t, generation).await?;
                continue;
            }
            let this = self.clone();
            let (tenant, visitor) = (tenant_id.to_string(), visitor_id.to_string());
            let wait = Duration::from_secs(u64::try_from(t.seconds).unwrap_or(0));
            let task = tokio::spawn(async move {
                tokio::time::sleep(wait).await;
                if let Err(e) = this.fire(&tenant, &visitor, &t, generation).await {
                    tracing::warn!(error = %e, trigger = %t.id, "trigger not fired");
                }
            });
            self.registry()
                .add_timer(tenant_id, visitor_id, generation, task.abort_handle());
        }
        Ok(())
    }

    /// Opens the visitor's widget with the trigger's message if everything still holds;
    /// whether it did.
    async fn fire(
        &self,
        tenant_id: &str,
        visitor_id: &str,
        t: &Trigger,
        generation: u64,
    ) -> ServiceResult<bool> {
        let still_there = self.registry().still_on(tenant_id, visitor_id, generation);
        if !still_there || !self.conditions_hold(tenant_id, t).await? {
            return Ok(false);
        }
        // Someone already talking to us needs no invitation.
        let chatting = self
            .store
            .visitors_chatting(tenant_id, &[visitor_id.to_string()])
            .await?;
        if !chatting.is_empty() {
            return Ok(false);
        }
        if !self
            .store
            .record_trigger_fire(tenant_id, &t.id, visitor_id)
            .await?
        {
            return Ok(false);
        }
        tracing::info!(tenant = %tenant_id, visitor = %visitor_id, trigger = %t.id, "trigger fired");
        self.bus.notice(Notice::Invite {
            tenant_id: tenant_id.to_string(),
            visitor_id: visitor_id.to_string(),
            invitation: Invitation {
                conversation_id: None,
                trigger_id: Some(t.id.clone()),
                from_name: t.sender_name.clone(),
                body: t.message.clone(),
                sent_at: chrono::Utc::now(),
            },
        });
        Ok(true)
    }

    /// Business hours and agent availability, as far as the trigger asks for them.
    async fn conditions_hold(&self, tenant_id: &str, t: &Trigger) -> ServiceResult<bool> {
        if t.only_within_hours {
            let settings = self.store.get_settings(tenant_id).await?;
            let hours = serde_json::from_str(&settings.business_hours).unwrap_or_default();
            if !business_hours::is_open(&hours, &settings.timezone, chrono::Utc::now()) {
                return Ok(false);
            }
        }
        if t.only_when_available {
            let connected = self.presence.online_agents(tenant_id);
            if self
                .store
                .count_present_agents(tenant_id, &connected)
                .await?
                == 0
            {
                return Ok(false);
            }
        }
        Ok(true)
    }
}
