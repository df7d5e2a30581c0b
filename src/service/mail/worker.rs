//! The mail worker: claims due mails atomically in the database, renders each from the
//! conversation as it is now, sends it over the tenant's SMTP server, and records the attempt
//! (retry with exponential backoff, dead after `mail.max_attempts` or a permanent refusal).
//! Each mail keeps its Message-ID across attempts, so a resend after a crash between the
//! server's acceptance and the record is recognisable.

use std::time::Duration;

use chrono::Utc;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message as Email, Tokio1Executor};
use tokio_util::sync::CancellationToken;

use super::digest::DIGEST;
use super::render::{self, Content, Line, Rendered};
use super::{password_purpose, MailService};
use crate::cluster::Duty;
use crate::service::outbox::backoff;
use crate::store::{MailRow, MailSettings, SenderKind, MAIL_DEAD, MAIL_PENDING, MAIL_SENT};

/// Why an attempt failed, and whether trying again may help.
struct Failure {
    why: String,
    permanent: bool,
}

impl Failure {
    fn retry(why: impl Into<String>) -> Self {
        Failure {
            why: why.into(),
            permanent: false,
        }
    }
    fn fatal(why: impl Into<String>) -> Self {
        Failure {
            why: why.into(),
            permanent: true,
        }
    }
}

impl MailService {
    /// Starts the worker; it stops when `shutdown` fires (a send cut short is retried when
    /// its claim runs out).
    /// Works only while `duty` is held (in a cluster: while this node holds the mail lease).
    pub fn spawn_worker(
        &self,
        shutdown: CancellationToken,
        duty: Duty,
    ) -> tokio::task::JoinHandle<()> {
        let service = self.clone();
        tokio::spawn(async move {
            let poll = Duration::from_millis(service.config.poll_ms);
            let every = Duration::from_secs(service.config.digest_every_secs);
            let mut digest_due = tokio::time::Instant::now() + every;
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(poll) => {}
                }
                if !duty.held() {
                    continue;
                }
                if !every.is_zero() && tokio::time::Instant::now() >= digest_due {
                    digest_due = tokio::time::Instant::now() + every;
                    match service.queue_digests().await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(mails = n, "digests queued"),
                        Err(e) => tracing::warn!(error = %e, "cannot queue the digests"),
                    }
                }
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    result = service.round() => if let Err(e) = result {
                        tracing::warn!(error = %e, "mail round failed");
                    },
                }
            }
            tracing::debug!("mail worker stopped");
        })
    }

    async fn round(&self) -> crate::service::ServiceResult<()> {
        let lease = chrono::Duration::seconds((self.config.timeout_secs * 2 + 10) as i64);
        let claimed = self.store.claim_mail(self.config.batch, lease).await?;
        futures_util::future::join_all(claimed.into_iter().map(|m| self.attempt(m))).await;
        Ok(())
    }

    async fn attempt(&self, m: MailRow) {
        let outcome = self.send(&m).await;
        let now = Utc::now();
        let (status, next, error) = match outcome {
            Ok(()) => (MAIL_SENT, now, None),
            Err(f) => {
                let failed = (m.attempts + 1).max(1) as u32;
                let wait = backoff(
                    failed,
                    Duration::from_millis(self.config.backoff_base_ms),
                    Duration::from_secs(self.config.backoff_max_secs),
                );
                let next =
                    now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1));
                let status = if f.permanent || failed >= self.config.max_attempts {
                    MAIL_DEAD
                } else {
                    MAIL_PENDING
                };
                tracing::info!(mail = %m.id, tenant = %m.tenant_id, error = %f.why, status, "mail attempt failed");
                (status, next, Some(f.why))
            }
        };
        if let Err(e) = self
            .store
            .record_mail_attempt(&m.id, status, next, error)
            .await
        {
            tracing::warn!(error = %e, mail = %m.id, "cannot record a mail attempt");
        }
    }

    async fn send(&self, m: &MailRow) -> Result<(), Failure> {
        let settings = self
            .store
            .get_mail_settings(&m.tenant_id)
            .await
            .map_err(|e| Failure::retry(e.to_string()))?
            .ok_or_else(|| Failure::fatal("the tenant has no SMTP settings"))?;
        let body = self
            .compose(m)
            .await
            .map_err(|e| Failure::fatal(format!("cannot render the mail: {e}")))?;
        let from = Mailbox::new(
            Some(settings.from_name.clone()).filter(|n| !n.is_empty()),
            settings
                .from_address
                .parse()
                .map_err(|e| Failure::fatal(format!("from address: {e}")))?,
        );
        let to: Mailbox = m
            .recipient
            .parse()
            .map_err(|e| Failure::fatal(format!("recipient: {e}")))?;
        let email = Email::builder()
            .from(from)
            .to(to)
            .subject(m.subject.clone())
            .message_id(Some(m.message_id.clone()))
            .multipart(MultiPart::alternative_plain_html(body.text, body.html))
            .map_err(|e| Failure::fatal(format!("cannot build the mail: {e}")))?;
        let transport = self.transport(&settings)?;
        match transport.send(email).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(Failure::fatal(format!("refused: {e}"))),
            Err(e) => Err(Failure::retry(describe(&e))),
        }
    }

    fn transport(&self, s: &MailSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, Failure> {
        let port = u16::try_from(s.port).map_err(|_| Failure::fatal("bad port"))?;
        let builder = match s.tls.as_str() {
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host),
            "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host),
            _ => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                &s.host,
            )),
        }
        .map_err(|e| Failure::fatal(format!("TLS setup: {e}")))?;
        let mut builder = builder
            .port(port)
            .timeout(Some(Duration::from_secs(self.config.timeout_secs)));
        if let Some(sealed) = &s.password {
            let password = self
                .sealer
                .open(&password_purpose(&s.tenant_id), sealed)
                .map_err(|_| Failure::fatal("the SMTP password cannot be opened"))?;
            builder = builder.credentials(Credentials::new(s.username.clone(), password));
        }
        Ok(builder.build())
    }

    /// The mail's body, from the conversation as it is now.
    async fn compose(&self, m: &MailRow) -> crate::service::ServiceResult<Rendered> {
        let tenant = self.store.get_tenant(&m.tenant_id).await?;
        let look = self.store.get_settings(&m.tenant_id).await?;
        let zh = render::is_zh(&m.language);
        let mut content = Content {
            zh,
            tenant: &tenant.name,
            color: &look.widget_color,
            intro: String::new(),
            lines: Vec::new(),
            link: None,
        };
        if m.kind == DIGEST {
            return self.compose_digest(m, content).await;
        }
        let Some(cid) = &m.conversation_id else {
            content.intro = format!(
                "This is a test mail from uniqchat for {}: the SMTP settings work.",
                tenant.name
            );
            return Ok(render::render(&content));
        };
        let c = self.store.get_conversation(&m.tenant_id, cid).await?;
        let visitor = self.store.get_visitor(&m.tenant_id, &c.visitor_id).await?;
        let visitor_name = visitor
            .name
            .clone()
            .or(visitor.email.clone())
            .unwrap_or_else(|| if zh { "访客" } else { "Visitor" }.into());
        let messages = self
            .store
            .list_public_messages_after(&m.tenant_id, cid, 0, 500)
            .await?;
        content.lines = messages
            .iter()
            .filter(|msg| msg.sender_kind != SenderKind::System)
            .map(|msg| Line {
                who: render::who(msg, zh, &visitor_name),
                body: msg.body.clone(),
                at: msg.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            })
            .collect();
        match m.kind.as_str() {
            "offline_alert" => {
                content.lines.truncate(5);
                content.intro = format!(
                    "{visitor_name} wrote while nobody was available{}.",
                    visitor
                        .email
                        .as_deref()
                        .map(|e| format!(" (reply to {e})"))
                        .unwrap_or_default()
                );
                content.link = Some((
                    "Open in the workspace".into(),
                    format!("{}/agent#conversation={cid}", self.public_url),
                ));
            }
            "reply" => {
                content.intro = if zh {
                    "我们回复了您的消息。以下是目前的会话内容：".into()
                } else {
                    "We answered your message. Here is the conversation so far:".into()
                };
                let token = self
                    .links
                    .sign(&m.tenant_id, &visitor.id, self.config.link_ttl_secs);
                let page = reopen_page(&visitor.pages)
                    .unwrap_or_else(|| format!("{}/demo?key={}", self.public_url, tenant.site_key));
                let label = if zh {
                    "继续会话"
                } else {
                    "Continue the conversation"
                };
                content.link = Some((label.into(), format!("{page}#uniqchat_reopen={token}")));
            }
            _ => {
                content.intro = if zh {
                    "以下是您的会话记录：".into()
                } else {
                    "Here is the transcript of your conversation:".into()
                };
            }
        }
        Ok(render::render(&content))
    }
}

/// The last page the visitor was seen on (http or https, without its fragment).
fn reopen_page(pages: &str) -> Option<String> {
    let pages: Vec<String> = serde_json::from_str(pages).ok()?;
    let last = pages.last()?;
    let mut url = url::Url::parse(last).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    url.set_fragment(None);
    Some(url.to_string())
}

/// A transport error in words an admin can act on.
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail = format!("{detail}: {s}");
        source = s.source();
    }
    detail
}
