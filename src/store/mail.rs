//! E-mail: the tenant's SMTP settings and the mail outbox (queued, claimed atomically by a
//! worker, recorded).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::entities::{mail_outbox, mail_settings, visitor};
use super::{micros, now, Store, StoreResult};
use crate::types::ids::new_id;

pub type MailSettings = mail_settings::Model;
pub type MailRow = mail_outbox::Model;

pub const MAIL_PENDING: &str = "pending";
pub const MAIL_SENT: &str = "sent";
pub const MAIL_DEAD: &str = "dead";

/// A mail to queue.
pub struct NewMail {
    pub kind: &'static str,
    pub conversation_id: Option<String>,
    pub recipient: String,
    pub subject: String,
    pub language: String,
    /// Not sent before then.
    pub not_before: DateTime<Utc>,
    /// The domain part of the Message-ID.
    pub domain: String,
}

impl Store {
    pub async fn get_mail_settings(&self, tenant_id: &str) -> StoreResult<Option<MailSettings>> {
        Ok(mail_settings::Entity::find_by_id(tenant_id)
            .one(&self.db)
            .await?)
    }

    /// Creates or replaces the tenant's settings.
    pub async fn put_mail_settings(&self, mut s: MailSettings) -> StoreResult<MailSettings> {
        s.updated_at = now();
        let exists = self.get_mail_settings(&s.tenant_id).await?.is_some();
        let active = s.clone().into_active_model();
        if exists {
            mail_settings::Entity::update(active.reset_all())
                .exec(&self.db)
                .await?;
        } else {
            mail_settings::Entity::insert(active)
                .exec_without_returning(&self.db)
                .await?;
        }
        Ok(s)
    }

    /// Queues a mail; with `once`, nothing when a pending mail of the same kind to the same
    /// recipient waits for the same conversation (a burst of replies makes one mail).
    pub async fn queue_mail(
        &self,
        tenant_id: &str,
        new: NewMail,
        once: bool,
    ) -> StoreResult<Option<MailRow>> {
        if once {
            let waiting = mail_outbox::Entity::find()
                .filter(mail_outbox::Column::TenantId.eq(tenant_id))
                .filter(mail_outbox::Column::ConversationId.eq(new.conversation_id.clone()))
                .filter(mail_outbox::Column::Kind.eq(new.kind))
                .filter(mail_outbox::Column::Recipient.eq(&new.recipient))
                .filter(mail_outbox::Column::Status.eq(MAIL_PENDING))
                .one(&self.db)
                .await?;
            if waiting.is_some() {
                return Ok(None);
            }
        }
        let at = now();
        let id = new_id();
        let row = mail_outbox::Model {
            message_id: format!("<{id}@{}>", new.domain),
            id,
            tenant_id: tenant_id.to_string(),
            kind: new.kind.to_string(),
            conversation_id: new.conversation_id,
            recipient: new.recipient,
            subject: new.subject,
            language: new.language,
            status: MAIL_PENDING.to_string(),
            attempts: 0,
            next_attempt_at: micros(new.not_before),
            claimed_until: at,
            last_attempt_at: None,
            sent_at: None,
            error: None,
            created_at: at,
        };
        mail_outbox::Entity::insert(row.clone().into_active_model())
            .exec_without_returning(&self.db)
            .await?;
        Ok(Some(row))
    }

    /// How many mails of `kind` were queued for the conversation.
    pub async fn count_mail(
        &self,
        tenant_id: &str,
        conversation_id: &str,
        kind: &str,
    ) -> StoreResult<u64> {
        use sea_orm::PaginatorTrait;
        Ok(mail_outbox::Entity::find()
            .filter(mail_outbox::Column::TenantId.eq(tenant_id))
            .filter(mail_outbox::Column::ConversationId.eq(conversation_id))
            .filter(mail_outbox::Column::Kind.eq(kind))
            .count(&self.db)
            .await?)
    }

    /// Claims up to `limit` due mails until `now + lease`, each with one conditional UPDATE.
    pub async fn claim_mail(
        &self,
        limit: u64,
        lease: chrono::Duration,
    ) -> StoreResult<Vec<MailRow>> {
        let at = now();
        let due = mail_outbox::Entity::find()
            .filter(mail_outbox::Column::Status.eq(MAIL_PENDING))
            .filter(mail_outbox::Column::NextAttemptAt.lte(at))
            .filter(mail_outbox::Column::ClaimedUntil.lte(at))
            .order_by_asc(mail_outbox::Column::NextAttemptAt)
            .limit(limit)
            .all(&self.db)
            .await?;
        let until = micros(at + lease);
        let mut mine = Vec::new();
        for m in due {
            let res = mail_outbox::Entity::update_many()
                .col_expr(mail_outbox::Column::ClaimedUntil, Expr::value(until))
                .filter(mail_outbox::Column::Id.eq(&m.id))
                .filter(mail_outbox::Column::Status.eq(MAIL_PENDING))
                .filter(mail_outbox::Column::ClaimedUntil.lte(at))
                .exec(&self.db)
                .await?;
            if res.rows_affected == 1 {
                mine.push(MailRow {
                    claimed_until: until,
                    ..m
                });
            }
        }
        Ok(mine)
    }

    /// Records an attempt of a claimed mail and releases the claim.
    pub async fn record_mail_attempt(
        &self,
        id: &str,
        status: &str,
        next_attempt_at: DateTime<Utc>,
        error: Option<String>,
    ) -> StoreResult<()> {
        let at = now();
        let sent_at = (status == MAIL_SENT).then_some(at);
        mail_outbox::Entity::update_many()
            .col_expr(
                mail_outbox::Column::Attempts,
                Expr::col(mail_outbox::Column::Attempts).add(1),
            )
            .col_expr(mail_outbox::Column::Status, Expr::value(status))
            .col_expr(
                mail_outbox::Column::NextAttemptAt,
                Expr::value(micros(next_attempt_at)),
            )
            .col_expr(mail_outbox::Column::ClaimedUntil, Expr::value(at))
            .col_expr(mail_outbox::Column::LastAttemptAt, Expr::value(at))
            .col_expr(mail_outbox::Column::SentAt, Expr::value(sent_at))
            .col_expr(mail_outbox::Column::Error, Expr::value(error))
            .filter(mail_outbox::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// The tenant's outbox, newest first, before the mail id `before`.
    pub async fn list_mail(
        &self,
        tenant_id: &str,
        before: Option<&str>,
        limit: u64,
    ) -> StoreResult<Vec<MailRow>> {
        let mut q = mail_outbox::Entity::find().filter(mail_outbox::Column::TenantId.eq(tenant_id));
        if let Some(before) = before {
            q = q.filter(mail_outbox::Column::Id.lt(before));
        }
        Ok(q.order_by_desc(mail_outbox::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// Remembers the widget's language for the visitor's mail.
    pub async fn set_visitor_language(
        &self,
        tenant_id: &str,
        visitor_id: &str,
        language: &str,
    ) -> StoreResult<()> {
        visitor::Entity::update_many()
            .col_expr(visitor::Column::Language, Expr::value(language))
            .filter(visitor::Column::TenantId.eq(tenant_id))
            .filter(visitor::Column::Id.eq(visitor_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}
