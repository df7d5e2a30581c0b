//! Per-IP request rate limit (token bucket); over the limit answers 429 with Retry-After.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use super::client_ip::client_ip;
use crate::http::error::ApiError;

type KeyedLimiter = RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock>;

#[derive(Clone)]
pub struct IpRateLimit {
    limiter: Arc<KeyedLimiter>,
    trust_proxy: bool,
}

impl IpRateLimit {
    pub fn new(per_second: NonZeroU32, burst: NonZeroU32, trust_proxy: bool) -> Self {
        let quota = Quota::per_second(per_second).allow_burst(burst);
        IpRateLimit {
            limiter: Arc::new(RateLimiter::keyed(quota)),
            trust_proxy,
        }
    }

    /// Forgets addresses whose bucket is full again, so memory follows active clients only.
    pub fn spawn_cleanup(&self, every: Duration) {
        let limiter = Arc::downgrade(&self.limiter);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                let Some(limiter) = limiter.upgrade() else {
                    break;
                };
                limiter.retain_recent();
                limiter.shrink_to_fit();
            }
        });
    }
}

pub async fn limit(State(rl): State<IpRateLimit>, req: Request, next: Next) -> Response {
    let ip = client_ip(&req, rl.trust_proxy);
    match rl.limiter.check_key(&ip) {
        Ok(()) => next.run(req).await,
        Err(not_until) => {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let mut error = ApiError::from_status(StatusCode::TOO_MANY_REQUESTS);
            error.retry_after = Some(secs);
            error.into_response()
        }
    }
}
