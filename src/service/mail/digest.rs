//! The digest: agents who are offline get, every `mail.digest_every_secs`, one mail listing
//! the conversations that started in that period and still wait for an answer.

use chrono::{DateTime, Utc};

use super::render::{self, Content, Line, Rendered};
use super::MailService;
use crate::service::ServiceResult;
use crate::store::{AgentStatus, Conversation, MailRow, NewMail, UserFilter};

/// The kind of the digest mail in the outbox.
pub const DIGEST: &str = "digest";

/// Most conversations one digest lists, and most agents one tenant's digest goes to.
const LISTED: u64 = 50;
const RECIPIENTS: u64 = 200;

impl MailService {
    fn digest_period(&self) -> chrono::Duration {
        chrono::Duration::seconds(self.config.digest_every_secs as i64)
    }

    /// Queues this period's digests: for each tenant that sends mail and has conversations
    /// started in the last period and still waiting, one mail to each enabled agent whose
    /// status is offline. Returns how many were queued.
    pub async fn queue_digests(&self) -> ServiceResult<usize> {
        let now = Utc::now();
        let mut queued = 0;
        for tenant_id in self.store.tenants_sending_mail().await? {
            let waiting = self
                .store
                .waiting_started_between(&tenant_id, now - self.digest_period(), now, 1)
                .await?;
            if waiting.is_empty() {
                continue;
            }
            let tenant = self.store.get_tenant(&tenant_id).await?;
            let filter = UserFilter {
                disabled: Some(false),
                ..Default::default()
            };
            let agents = self
                .store
                .list_users(&tenant_id, filter, None, RECIPIENTS)
                .await?;
            for agent in agents
                .into_iter()
                .filter(|u| u.status == AgentStatus::Offline)
            {
                let new = NewMail {
                    kind: DIGEST,
                    conversation_id: None,
                    recipient: agent.email,
                    subject: render::subject(DIGEST, false, &tenant.name),
                    language: "en".into(),
                    not_before: now,
                    domain: self.domain(),
                };
                if self
                    .store
                    .queue_mail(&tenant_id, new, false)
                    .await?
                    .is_some()
                {
                    queued += 1;
                }
            }
        }
        Ok(queued)
    }

    /// The digest's body: the conversations of its period still waiting when it is sent.
    pub(super) async fn compose_digest(
        &self,
        m: &MailRow,
        mut content: Content<'_>,
    ) -> ServiceResult<Rendered> {
        let to: DateTime<Utc> = m.created_at;
        let waiting = self
            .store
            .waiting_started_between(&m.tenant_id, to - self.digest_period(), to, LISTED)
            .await?;
        content.intro = match waiting.len() {
            0 => "The conversations that waited while you were away have all been answered."
                .into(),
            1 => "While you were away, 1 conversation started and is still waiting for an answer:"
                .into(),
            n => format!(
                "While you were away, {n} conversations started and are still waiting for an answer:"
            ),
        };
        for c in &waiting {
            content.lines.push(self.digest_line(c).await?);
        }
        content.link = Some((
            "Open the queue".into(),
            format!("{}/agent", self.public_url),
        ));
        Ok(render::render(&content))
    }

    /// A waiting conversation as one line: who, their first words, when.
    async fn digest_line(&self, c: &Conversation) -> ServiceResult<Line> {
        let visitor = self.store.get_visitor(&c.tenant_id, &c.visitor_id).await?;
        let first = self
            .store
            .list_public_messages_after(&c.tenant_id, &c.id, 0, 5)
            .await?
            .into_iter()
            .find(|msg| msg.sender_id.as_deref() == Some(visitor.id.as_str()));
        Ok(Line {
            who: visitor
                .name
                .or(visitor.email)
                .unwrap_or_else(|| "Visitor".into()),
            body: format!(
                "{} — {}/agent#conversation={}",
                first.map(|msg| msg.body).unwrap_or_default(),
                self.public_url,
                c.id
            ),
            at: c.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        })
    }
}
