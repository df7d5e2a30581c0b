//! Prometheus metrics: the names, one recorder per process, and the text a scrape gets.
//!
//! Parts of the server record with the `metrics` macros through the helpers below; `serve`
//! installs the recorder once ([`install`]); `GET /metrics` renders it ([`render`]). Without
//! an installed recorder (a command other than `serve`, a unit test) recording costs nothing.

use std::sync::OnceLock;
use std::time::Duration;

use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const CONNECTIONS: &str = "uniqchat_connections";
pub const CONNECTIONS_REFUSED: &str = "uniqchat_connections_refused_total";
pub const MESSAGES_STORED: &str = "uniqchat_messages_stored_total";
pub const WRITER_BATCH_SIZE: &str = "uniqchat_writer_batch_size";
pub const WRITER_COMMIT_SECONDS: &str = "uniqchat_writer_commit_seconds";
pub const WRITER_BATCH_FAILURES: &str = "uniqchat_writer_batch_failures_total";
pub const HTTP_REQUESTS: &str = "uniqchat_http_requests_total";
pub const HTTP_SECONDS: &str = "uniqchat_http_request_duration_seconds";
pub const ERRORS: &str = "uniqchat_errors_total";
pub const CONVERSATIONS_WAITING: &str = "uniqchat_conversations_waiting";
pub const WEBHOOK_DELIVERIES_PENDING: &str = "uniqchat_webhook_deliveries_pending";
pub const CLUSTER_REDIS_UP: &str = "uniqchat_cluster_redis_up";
pub const CLUSTER_BUS_DROPPED: &str = "uniqchat_cluster_bus_dropped_total";
pub const CLUSTER_LEASE_HELD: &str = "uniqchat_cluster_lease_held";
pub const ARCHIVE_CONVERSATIONS: &str = "uniqchat_archive_conversations_total";

const SECONDS_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
const BATCH_BUCKETS: [f64; 13] = [
    1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 2048.0, 4096.0,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process's recorder (once; later calls do nothing) and keeps its histograms
/// drained every `upkeep`.
pub fn install(upkeep: Duration) -> Result<(), String> {
    if HANDLE.get().is_some() {
        return Ok(());
    }
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &SECONDS_BUCKETS)
        .and_then(|b| {
            b.set_buckets_for_metric(Matcher::Full(WRITER_BATCH_SIZE.into()), &BATCH_BUCKETS)
        })
        .map_err(|e| e.to_string())?
        .install_recorder()
        .map_err(|e| e.to_string())?;
    describe();
    let upkeep_handle = handle.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(upkeep);
        loop {
            tick.tick().await;
            upkeep_handle.run_upkeep();
        }
    });
    let _ = HANDLE.set(handle);
    Ok(())
}

/// The exposition text, or `None` when no recorder is installed in this process.
pub fn render() -> Option<String> {
    HANDLE.get().map(PrometheusHandle::render)
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_gauge!(
        CONNECTIONS,
        "Open realtime connections, by kind (visitor, agent)."
    );
    describe_counter!(
        CONNECTIONS_REFUSED,
        "Realtime handshakes refused, by reason."
    );
    describe_counter!(MESSAGES_STORED, "Messages committed by the message writer.");
    describe_histogram!(
        WRITER_BATCH_SIZE,
        Unit::Count,
        "Messages per writer commit."
    );
    describe_histogram!(
        WRITER_COMMIT_SECONDS,
        Unit::Seconds,
        "Time to store and commit one writer batch."
    );
    describe_counter!(
        WRITER_BATCH_FAILURES,
        "Writer batches that failed (nothing of them stored)."
    );
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests answered, by route group and status class."
    );
    describe_histogram!(
        HTTP_SECONDS,
        Unit::Seconds,
        "HTTP request latency, by route group."
    );
    describe_counter!(
        ERRORS,
        "Errors answered to clients, by error code and channel (http, ws)."
    );
    describe_gauge!(
        CONVERSATIONS_WAITING,
        "Conversations waiting in a queue, all tenants."
    );
    describe_gauge!(
        WEBHOOK_DELIVERIES_PENDING,
        "Webhook deliveries not yet delivered or given up."
    );
    describe_gauge!(
        CLUSTER_REDIS_UP,
        "1 while Redis answers this node's commands and its bus subscription holds, else 0 (clustered nodes only)."
    );
    describe_counter!(
        CLUSTER_BUS_DROPPED,
        "Bus messages for the other nodes this node could not publish (Redis away or its queue full)."
    );
    describe_gauge!(
        CLUSTER_LEASE_HELD,
        "1 while this node holds the lease of a once-per-cluster duty, by lease name."
    );
    describe_counter!(
        ARCHIVE_CONVERSATIONS,
        "Conversations the archive job archived or deleted, by action."
    );
}

/// This node's link to Redis changed (clustered nodes only).
pub fn cluster_redis_up(up: bool) {
    gauge!(CLUSTER_REDIS_UP).set(if up { 1.0 } else { 0.0 });
}

/// A bus message for the other nodes was dropped.
pub fn cluster_bus_dropped() {
    counter!(CLUSTER_BUS_DROPPED).increment(1);
}

/// This node took (`true`) or lost the lease `name`.
pub fn cluster_lease(name: &str, held: bool) {
    gauge!(CLUSTER_LEASE_HELD, "lease" => name.to_string()).set(if held { 1.0 } else { 0.0 });
}

/// One tenant's archive run: conversations archived and deleted.
pub fn archive_run(archived: u64, deleted: u64) {
    counter!(ARCHIVE_CONVERSATIONS, "action" => "archived").increment(archived);
    counter!(ARCHIVE_CONVERSATIONS, "action" => "deleted").increment(deleted);
}

/// A realtime connection opened (`+1`) or closed (`-1`).
pub fn connection(kind: &'static str, delta: f64) {
    gauge!(CONNECTIONS, "kind" => kind).increment(delta);
}

pub fn connection_refused(reason: &'static str) {
    counter!(CONNECTIONS_REFUSED, "reason" => reason).increment(1);
}

/// One writer batch: its size, how long it took, whether it was committed.
pub fn writer_batch(size: usize, took: Duration, committed: bool) {
    histogram!(WRITER_BATCH_SIZE).record(size as f64);
    histogram!(WRITER_COMMIT_SECONDS).record(took.as_secs_f64());
    if committed {
        counter!(MESSAGES_STORED).increment(size as u64);
    } else {
        counter!(WRITER_BATCH_FAILURES).increment(1);
    }
}

/// One HTTP request answered.
pub fn http_request(group: &'static str, status: u16, took: Duration) {
    let class = match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    };
    counter!(HTTP_REQUESTS, "group" => group, "status" => class).increment(1);
    histogram!(HTTP_SECONDS, "group" => group).record(took.as_secs_f64());
}

/// An error answered to a client; `code` is the stable error code of docs/api.md.
pub fn error(channel: &'static str, code: &'static str) {
    counter!(ERRORS, "channel" => channel, "code" => code).increment(1);
}

/// Gauges sampled from the database now and then.
pub fn backlog(waiting_conversations: u64, pending_deliveries: u64) {
    gauge!(CONVERSATIONS_WAITING).set(waiting_conversations as f64);
    gauge!(WEBHOOK_DELIVERIES_PENDING).set(pending_deliveries as f64);
}

/// The route group of a path, a fixed set of labels (never the path itself: ids would make
/// one series per conversation).
pub fn route_group(path: &str) -> &'static str {
    const GROUPS: [(&str, &str); 9] = [
        ("/api/visitor", "visitor"),
        ("/api/auth", "auth"),
        ("/api/agent", "agent"),
        ("/api/admin", "admin"),
        ("/api/v1", "v1"),
        ("/files/", "files"),
        ("/ws/", "ws"),
        ("/healthz", "health"),
        ("/readyz", "health"),
    ];
    GROUPS
        .iter()
        .find(|(prefix, _)| path.starts_with(prefix))
        .map(|(_, group)| *group)
        .unwrap_or(if path.starts_with("/api/") {
            "api"
        } else {
            "web"
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [&str; 11] = [
        CONNECTIONS,
        CONNECTIONS_REFUSED,
        MESSAGES_STORED,
        WRITER_BATCH_SIZE,
        WRITER_COMMIT_SECONDS,
        WRITER_BATCH_FAILURES,
        HTTP_REQUESTS,
        HTTP_SECONDS,
        ERRORS,
        CONVERSATIONS_WAITING,
        WEBHOOK_DELIVERIES_PENDING,
    ];

    /// Every series the shipped Grafana dashboard queries is one this process records.
    #[test]
    fn the_dashboard_queries_only_recorded_metrics() {
        let dashboard = include_str!("../../deploy/grafana/uniqchat-dashboard.json");
        let mut named = 0;
        for (at, _) in dashboard.match_indices("uniqchat_") {
            let name: String = dashboard[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let base = name.strip_suffix("_bucket").unwrap_or(&name);
            assert!(ALL.contains(&base), "{name} is not recorded");
            named += 1;
        }
        assert!(named >= ALL.len(), "the dashboard names {named} series");
    }

    #[test]
    fn paths_fall_into_a_fixed_set_of_groups() {
        assert_eq!(
            route_group("/api/agent/conversations/abc/messages"),
            "agent"
        );
        assert_eq!(route_group("/api/v1/events"), "v1");
        assert_eq!(route_group("/ws/visitor"), "ws");
        assert_eq!(route_group("/api/openapi.json"), "api");
        assert_eq!(route_group("/widget.js"), "web");
        assert_eq!(route_group("/metrics"), "web");
    }
}
