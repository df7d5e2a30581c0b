//! `uniqchat bench search`: latency of the agent search and of the workspace's conversation
//! lists against a running server (over HTTP, as the workspace asks), one request at a time,
//! reported as p50/p90/p99 per kind of request (docs/performance.md).

use std::time::Instant;

use chrono::{TimeDelta, Utc};
use clap::Args;
use serde_json::{json, Value};

use super::report::Tally;
use crate::cli::CliError;

#[derive(Args, Debug)]
pub struct SearchBenchArgs {
    /// The server, e.g. http://127.0.0.1:8080
    #[arg(long)]
    pub url: String,
    /// An account of the seeded tenant
    #[arg(long, env = "UNIQCHAT_BENCH_EMAIL")]
    pub email: String,
    #[arg(long, env = "UNIQCHAT_BENCH_PASSWORD", hide_env_values = true)]
    pub password: String,
    /// Requests of each kind
    #[arg(long, default_value_t = 50)]
    pub rounds: u32,
}

/// The request kinds measured: label and path.
fn requests() -> Vec<(&'static str, String)> {
    let since = (Utc::now() - TimeDelta::days(90)).to_rfc3339();
    let since: String = url::form_urlencoded::byte_serialize(since.as_bytes()).collect();
    let q = |s: &str| -> String { url::form_urlencoded::byte_serialize(s.as_bytes()).collect() };
    vec![
        (
            "search common word (order)",
            "/api/agent/search?q=order".into(),
        ),
        (
            "search rare word (xylophone)",
            "/api/agent/search?q=xylophone".into(),
        ),
        (
            "search Chinese 2 chars (退款)",
            format!("/api/agent/search?q={}", q("退款")),
        ),
        (
            "search Chinese 4 chars (物流信息)",
            format!("/api/agent/search?q={}", q("物流信息")),
        ),
        (
            "search filtered (refund, closed, last 90 days)",
            format!("/api/agent/search?q=refund&state=closed&from={since}"),
        ),
        ("list queue", "/api/agent/conversations?view=queue".into()),
        ("list mine", "/api/agent/conversations?view=mine".into()),
        ("list all open", "/api/agent/conversations?view=all".into()),
        ("list closed", "/api/agent/conversations?view=closed".into()),
    ]
}

async fn get(client: &reqwest::Client, url: &str, token: &str) -> Result<Value, String> {
    let resp = client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    let status = resp.status();
    let body: Value = resp.json().await.map_err(|e| format!("{url}: {e}"))?;
    if !status.is_success() {
        return Err(format!("{url}: {status} {body}"));
    }
    Ok(body)
}

pub async fn run(args: SearchBenchArgs) -> Result<(), CliError> {
    crate::telemetry::init_cli();
    let base = args.url.trim_end_matches('/').to_string();
    let client = reqwest::Client::new();
    let login = client
        .post(format!("{base}/api/auth/login"))
        .json(&json!({ "email": args.email, "password": args.password }))
        .send()
        .await
        .map_err(|e| CliError::Runtime(format!("login: {e}")))?;
    let login: Value = login
        .json()
        .await
        .map_err(|e| CliError::Runtime(format!("login: {e}")))?;
    let token = login["access_token"]
        .as_str()
        .ok_or_else(|| CliError::Runtime(format!("login refused: {login}")))?
        .to_string();
    let mut tally = Tally::default();
    let mut hits = serde_json::Map::new();
    for (label, path) in requests() {
        let url = format!("{base}{path}");
        // One unmeasured request first, so every kind starts with the same warm caches.
        let first = get(&client, &url, &token)
            .await
            .map_err(CliError::Runtime)?;
        hits.insert(
            label.into(),
            json!(first["items"].as_array().map_or(0, Vec::len)),
        );
        for _ in 0..args.rounds {
            let begun = Instant::now();
            match get(&client, &url, &token).await {
                Ok(_) => tally.sample(label, begun.elapsed()),
                Err(e) => tally.error(e),
            }
        }
    }
    let latency = tally.latencies();
    for (label, l) in &latency {
        println!(
            "{label:<48} p50 {:>8.1} ms  p99 {:>8.1} ms  max {:>8.1} ms  items {}",
            l.p50_ms, l.p99_ms, l.max_ms, hits[*label]
        );
    }
    println!(
        "{}",
        json!({ "latency": latency, "items": hits, "errors": tally.errors })
    );
    if tally.errors.is_empty() {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "{} kinds of error",
            tally.errors.len()
        )))
    }
}
