//! The mails that changes queue. Each needs the tenant's SMTP settings (without them nothing
//! is queued) and is sent later by the worker, never inline.

use chrono::Utc;

use super::render::{language, subject};
use super::MailService;
use crate::service::{validate, ServiceError, ServiceResult};
use crate::store::{Conversation, ConversationState, Message, NewMail, SenderKind, UserFilter};

/// Most transcripts a visitor may ask for per conversation (the address is theirs to type).
const TRANSCRIPTS_PER_CONVERSATION: u64 = 5;

/// Most agents one offline alert goes to (when the tenant has no team address).
const ALERT_RECIPIENTS: usize = 50;

impl MailService {
    async fn queue(
        &self,
        c: &Conversation,
        kind: &'static str,
        to: String,
        lang: &str,
        delay_secs: u64,
        once: bool,
    ) -> ServiceResult<bool> {
        let tenant = self.store.get_tenant(&c.tenant_id).await?;
        let new = NewMail {
            kind,
            conversation_id: Some(c.id.clone()),
            recipient: to,
            subject: subject(kind, lang == "zh", &tenant.name),
            language: lang.to_string(),
            not_before: Utc::now() + chrono::Duration::seconds(delay_secs as i64),
            domain: self.domain(),
        };
        Ok(self
            .store
            .queue_mail(&c.tenant_id, new, once)
            .await?
            .is_some())
    }

    /// A conversation started while nobody could answer: the team address hears of it, or
    /// else the agents of the conversation's group (or of the tenant).
    pub async fn offline_alert(&self, c: &Conversation) -> ServiceResult<()> {
        let Some(settings) = self.store.get_mail_settings(&c.tenant_id).await? else {
            return Ok(());
        };
        let recipients: Vec<String> = if !settings.team_address.is_empty() {
            vec![settings.team_address]
        } else {
            let users = match &c.group_id {
                Some(g) => self.store.list_group_members(&c.tenant_id, g).await?,
                None => {
                    let filter = UserFilter {
                        disabled: Some(false),
                        ..Default::default()
                    };
                    self.store
                        .list_users(&c.tenant_id, filter, None, ALERT_RECIPIENTS as u64)
                        .await?
                }
            };
            users
                .into_iter()
                .filter(|u| !u.disabled)
                .map(|u| u.email)
                .take(ALERT_RECIPIENTS)
                .collect()
        };
        for to in recipients {
            self.queue(c, "offline_alert", to, "en", 0, true).await?;
        }
        Ok(())
    }

    /// An agent answered: a visitor who is not connected and left an e-mail address gets the
    /// answer by mail, after a short delay that gathers a burst of answers into one mail.
    pub async fn reply_if_absent(&self, c: &Conversation, m: &Message) -> ServiceResult<()> {
        if m.sender_kind != SenderKind::Agent || self.online.is_connected(&c.visitor_id) {
            return Ok(());
        }
        if self.store.get_mail_settings(&c.tenant_id).await?.is_none() {
            return Ok(());
        }
        let visitor = self.store.get_visitor(&c.tenant_id, &c.visitor_id).await?;
        let Some(email) = visitor.email.filter(|e| !e.is_empty()) else {
            return Ok(());
        };
        let lang = language(visitor.language.as_deref());
        self.queue(c, "reply", email, lang, self.config.reply_delay_secs, true)
            .await?;
        Ok(())
    }

    /// The visitor asks for the transcript of their conversation, to `email` (or the address
    /// they left).
    pub async fn request_transcript(
        &self,
        tenant_id: &str,
        visitor_id: &str,
        conversation_id: &str,
        email: Option<&str>,
        lang: Option<&str>,
    ) -> ServiceResult<()> {
        let c = self
            .store
            .get_conversation(tenant_id, conversation_id)
            .await?;
        if c.visitor_id != visitor_id {
            return Err(ServiceError::NotFound("conversation"));
        }
        let visitor = self.store.get_visitor(tenant_id, visitor_id).await?;
        let to = match email.map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => validate::email(e)?,
            None => visitor
                .email
                .clone()
                .filter(|e| !e.is_empty())
                .ok_or_else(|| {
                    ServiceError::invalid("email", "is required: no address is known")
                })?,
        };
        if self.store.get_mail_settings(tenant_id).await?.is_none() {
            return Err(ServiceError::Conflict(
                "this site does not send e-mail".into(),
            ));
        }
        let asked = self
            .store
            .count_mail(tenant_id, &c.id, "transcript")
            .await?;
        if asked >= TRANSCRIPTS_PER_CONVERSATION {
            return Err(ServiceError::Conflict(format!(
                "at most {TRANSCRIPTS_PER_CONVERSATION} transcripts per conversation"
            )));
        }
        let lang = language(lang.or(visitor.language.as_deref()));
        self.queue(&c, "transcript", to, lang, 0, true).await?;
        Ok(())
    }

    /// At close, with `transcript_on_close` on and an address left, the transcript goes out.
    pub async fn transcript_on_close(&self, c: &Conversation) -> ServiceResult<()> {
        if c.state != ConversationState::Closed {
            return Ok(());
        }
        let Some(settings) = self.store.get_mail_settings(&c.tenant_id).await? else {
            return Ok(());
        };
        if !settings.transcript_on_close {
            return Ok(());
        }
        let visitor = self.store.get_visitor(&c.tenant_id, &c.visitor_id).await?;
        let Some(email) = visitor.email.filter(|e| !e.is_empty()) else {
            return Ok(());
        };
        let lang = language(visitor.language.as_deref());
        self.queue(c, "transcript", email, lang, 0, true).await?;
        Ok(())
    }

    /// Remembers the widget's language for the visitor's mail.
    pub async fn remember_language(
        &self,
        tenant_id: &str,
        visitor_id: &str,
        tag: Option<&str>,
    ) -> ServiceResult<()> {
        if let Some(tag) = tag {
            self.store
                .set_visitor_language(tenant_id, visitor_id, language(Some(tag)))
                .await?;
        }
        Ok(())
    }
}
