//! The delivery worker: fans new events out into deliveries, claims due ones atomically in the
//! database, POSTs them signed, and records each attempt (retry with backoff, dead after the
//! maximum age, endpoint disabled after a run of failures).

use std::time::{Duration, Instant};

use chrono::Utc;
use rand::Rng;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::{guard, signature, WebhookService};
use crate::cluster::Duty;
use crate::store::{Attempt, Claimed, DeliveryStatus, NewAudit};

/// The most of a receiver's answer kept in the delivery log.
const EXCERPT_BYTES: usize = 1024;

/// The wait before attempt `n + 1` after `n` failed ones: base · 2^(n-1), at most `max`,
/// ±20 % jitter so that many deliveries failing together do not retry together.
pub fn backoff(failed: u32, base: Duration, max: Duration) -> Duration {
    let exp = failed.saturating_sub(1).min(30);
    let plain = base.saturating_mul(1u32 << exp).min(max);
    plain.mul_f64(rand::thread_rng().gen_range(0.8..1.2))
}

impl WebhookService {
    /// Starts the worker; it stops when `shutdown` fires (an attempt cut short is retried:
    /// its claim runs out). It works only while `duty` is held (in a cluster: while this node
    /// holds the webhook lease).
    pub fn spawn_worker(
        &self,
        shutdown: CancellationToken,
        duty: Duty,
    ) -> tokio::task::JoinHandle<()> {
        let service = self.clone();
        tokio::spawn(async move {
            let poll = Duration::from_millis(service.settings.poll_ms);
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(poll) => {}
                }
                if !duty.held() {
                    continue;
                }
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    result = service.round() => if let Err(e) = result {
                        tracing::warn!(error = %e, "webhook round failed");
                    },
                }
            }
            tracing::debug!("webhook worker stopped");
        })
    }

    /// One round: fan out new events, then send what is due.
    async fn round(&self) -> crate::service::ServiceResult<()> {
        let s = &self.settings;
        let expires = Utc::now() + chrono::Duration::seconds(s.max_age_secs as i64);
        self.store.fan_out_events(s.batch, expires).await?;
        let lease = chrono::Duration::seconds((s.timeout_secs * 2 + 5) as i64);
        let claimed = self.store.claim_deliveries(s.batch, lease).await?;
        futures_util::future::join_all(claimed.into_iter().map(|c| self.attempt(c))).await;
        Ok(())
    }

    async fn attempt(&self, c: Claimed) {
        let started = Instant::now();
        let outcome = self.send(&c).await;
        let latency_ms = started.elapsed().as_millis() as i64;
        let (code, excerpt, error) = match outcome {
            Ok((code, excerpt)) => {
                let error = match code {
                    200..=299 => None,
                    300..=399 => Some(format!("answered {code}: redirects are not followed")),
                    _ => Some(format!("answered {code}")),
                };
                (Some(code as i32), Some(excerpt), error)
            }
            Err(error) => (None, None, Some(error)),
        };
        let s = &self.settings;
        let now = Utc::now();
        let (status, next) = if error.is_none() {
            (DeliveryStatus::Delivered, now)
        } else {
            let failed = (c.delivery.attempts + 1).max(1) as u32;
            let wait = backoff(
                failed,
                Duration::from_millis(s.backoff_base_ms),
                Duration::from_secs(s.backoff_max_secs),
            );
            let next = now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1));
            if next > c.delivery.expires_at {
                (DeliveryStatus::Dead, next)
            } else {
                (DeliveryStatus::Pending, next)
            }
        };
        let attempt = Attempt {
            status,
            next_attempt_at: next,
            response_code: code,
            latency_ms,
            body_excerpt: excerpt,
            error: error.clone(),
        };
        if let Err(e) = self.store.record_attempt(&c.delivery.id, attempt).await {
            tracing::warn!(error = %e, delivery = %c.delivery.id, "cannot record a webhook attempt");
            return;
        }
        match error {
            None => {
                if let Err(e) = self.store.endpoint_succeeded(&c.endpoint.id).await {
                    tracing::warn!(error = %e, "cannot reset an endpoint's failures");
                }
            }
            Some(why) => self.count_failure(&c, &why).await,
        }
    }

    async fn count_failure(&self, c: &Claimed, why: &str) {
        let n = self.settings.disable_after;
        let reason = format!("disabled after {n} failed attempts in a row; the last: {why}");
        match self.store.endpoint_failed(&c.endpoint.id, n, &reason).await {
            Ok(true) => {
                tracing::warn!(endpoint = %c.endpoint.id, tenant = %c.endpoint.tenant_id, "webhook endpoint disabled");
                self.subscriptions.invalidate(&c.endpoint.tenant_id);
                let audit = NewAudit {
                    actor_id: None,
                    action: "webhook.disabled",
                    target_kind: "webhook",
                    target_id: Some(&c.endpoint.id),
                    details: json!({ "url": c.endpoint.url, "reason": reason }),
                };
                if let Err(e) = self.store.append_audit(&c.endpoint.tenant_id, audit).await {
                    tracing::warn!(error = %e, "cannot audit a disabled endpoint");
                }
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "cannot count an endpoint's failure"),
        }
    }

    /// POSTs the event; the status code and the start of the answer, or why nothing came back.
    async fn send(&self, c: &Claimed) -> Result<(u16, String), String> {
        let secret = self
            .sealer
            .open(&super::secret_purpose(&c.endpoint.id), &c.endpoint.secret)
            .map_err(|_| "the signing secret cannot be opened".to_string())?;
        let url = guard::parse(&c.endpoint.url).map_err(|e| format!("URL {e}"))?;
        let allow_private =
            self.settings.allow_private_addresses && c.endpoint.allow_private_network;
        guard::check(&url, allow_private)
            .await
            .map_err(|e| format!("refused: {e}"))?;
        let client = if allow_private {
            &self.open_client
        } else {
            &self.public_client
        };
        let data: serde_json::Value =
            serde_json::from_str(&c.event.payload).unwrap_or(serde_json::Value::Null);
        let body = json!({
            "id": c.event.id,
            "type": c.event.event_type,
            "created_at": c.event.created_at,
            "data": data,
        })
        .to_string();
        let timestamp = Utc::now().timestamp();
        let mut response = client
            .post(url)
            .header("content-type", "application/json")
            .header("uniqchat-event-id", &c.event.id)
            .header("uniqchat-event-type", &c.event.event_type)
            .header("uniqchat-delivery-id", &c.delivery.id)
            .header("uniqchat-timestamp", timestamp.to_string())
            .header(
                "uniqchat-signature",
                signature::sign(&secret, timestamp, body.as_bytes()),
            )
            .body(body)
            .send()
            .await
            .map_err(describe)?;
        let code = response.status().as_u16();
        let mut kept = Vec::new();
        while kept.len() < EXCERPT_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => kept.extend_from_slice(&chunk),
                Ok(None) | Err(_) => break,
            }
        }
        kept.truncate(EXCERPT_BYTES);
        let mut text = String::from_utf8_lossy(&kept).into_owned();
        if text.len() > EXCERPT_BYTES {
            let mut cut = EXCERPT_BYTES;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
        }
        Ok((code, text))
    }
}

/// A transport error in words an admin can act on.
fn describe(e: reqwest::Error) -> String {
    if e.is_timeout() {
        "no answer within the time limit".into()
    } else if e.is_connect() {
        let mut source: Option<&dyn std::error::Error> = std::error::Error::source(&e);
        let mut detail = String::new();
        while let Some(s) = source {
            detail = s.to_string();
            source = s.source();
        }
        format!("cannot connect: {detail}")
    } else {
        format!("request failed: {e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_stops_at_the_maximum() {
        let base = Duration::from_secs(30);
        let max = Duration::from_secs(3600);
        for (failed, plain) in [
            (1u32, 30f64),
            (2, 60.0),
            (3, 120.0),
            (8, 3600.0),
            (40, 3600.0),
        ] {
            let got = backoff(failed, base, max).as_secs_f64();
            assert!(got >= plain * 0.8 && got <= plain * 1.2, "{failed}: {got}");
        }
    }
}
