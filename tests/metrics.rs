//! `GET /metrics`: scraped from the real server and parsed as Prometheus text, after real
//! traffic (a visitor's messages over WebSocket, a wrong route, a malformed frame).

mod common;

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tokio_tungstenite::tungstenite::Message;

use common::api::{init_tenant, Api, API_ENV};
use common::server::TestServer;
use common::ws::{conv_of, Ws};

const TOKEN: &str = "metrics-token-0123456789";

/// One sample of the exposition: `name{labels} value`.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: Vec<(String, String)>,
    value: f64,
}

/// Parses the text format; panics on a line that is neither a comment nor a sample, so a
/// malformed exposition fails the test.
fn parse(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').expect("a sample line");
            let value: f64 = value.parse().unwrap_or_else(|_| panic!("value of {line}"));
            let (name, labels) = match series.split_once('{') {
                None => (series.to_string(), Vec::new()),
                Some((name, rest)) => {
                    let inner = rest.strip_suffix('}').expect("closing brace");
                    let labels = inner
                        .split("\",")
                        .filter(|p| !p.is_empty())
                        .map(|pair| {
                            let (k, v) = pair.split_once("=\"").expect("label=\"value\"");
                            (k.to_string(), v.trim_end_matches('"').to_string())
                        })
                        .collect();
                    (name.to_string(), labels)
                }
            };
            Sample {
                name,
                labels,
                value,
            }
        })
        .collect()
}

/// The sum of the samples named `name` carrying every label in `with`.
fn total(samples: &[Sample], name: &str, with: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|s| s.name == name)
        .filter(|s| {
            with.iter()
                .all(|(k, v)| s.labels.iter().any(|(lk, lv)| lk == k && lv == v))
        })
        .map(|s| s.value)
        .sum()
}

async fn scrape(api: &Api, token: Option<&str>) -> (StatusCode, String) {
    let mut request = api.client.get(format!("{}/metrics", api.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("scrape");
    let status = response.status();
    (status, response.text().await.expect("body"))
}

/// Scrapes until `check` holds on the samples (gauges sampled in the background), at most 15 s.
async fn eventually(
    api: &Api,
    token: Option<&str>,
    check: impl Fn(&[Sample]) -> bool,
) -> Vec<Sample> {
    let started = Instant::now();
    loop {
        let (status, text) = scrape(api, token).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let samples = parse(&text);
        if check(&samples) || started.elapsed() > Duration::from_secs(15) {
            return samples;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn traffic_shows_in_the_scrape() {
    let mut env = API_ENV.to_vec();
    env.push(("UNIQCHAT__METRICS__SAMPLE_SECS", "1"));
    let server = TestServer::start(&env).await;
    let api = Api::new(&server);
    let tenant = init_tenant(&server, "Metrics", "owner@metrics.test");

    // A visitor writes three messages; nobody is online, so the conversation waits.
    let (mut visitor, _) = Ws::visitor(&api, &tenant.site_key).await;
    let first = visitor.say(None, "m-1", "hello").await;
    let conversation = conv_of(&first);
    for n in 2..=3 {
        visitor
            .say(Some(&conversation), &format!("m-{n}"), "more")
            .await;
    }
    // A malformed frame and an unknown route: one error of each channel.
    visitor.send_raw(Message::text("{not json")).await;
    assert_eq!(visitor.next_of("error").await["code"], "invalid_frame");
    let missing = api.get("/api/agent/no-such-route", "").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let samples = eventually(&api, None, |s| {
        total(s, "uniqchat_conversations_waiting", &[]) >= 1.0
    })
    .await;
    assert!(total(&samples, "uniqchat_messages_stored_total", &[]) >= 3.0);
    assert_eq!(
        total(&samples, "uniqchat_connections", &[("kind", "visitor")]),
        1.0
    );
    assert!(
        total(
            &samples,
            "uniqchat_errors_total",
            &[("channel", "ws"), ("code", "invalid_frame")]
        ) >= 1.0
    );
    assert!(
        total(
            &samples,
            "uniqchat_errors_total",
            &[("channel", "http"), ("code", "not_found")]
        ) >= 1.0
    );
    assert!(
        total(
            &samples,
            "uniqchat_http_requests_total",
            &[("group", "visitor"), ("status", "2xx")]
        ) >= 1.0
    );
    // Histograms are Prometheus histograms: every batch lands in the +Inf bucket.
    let batches = total(&samples, "uniqchat_writer_batch_size_count", &[]);
    assert!(batches >= 1.0);
    assert_eq!(
        total(
            &samples,
            "uniqchat_writer_commit_seconds_bucket",
            &[("le", "+Inf")]
        ),
        batches
    );
    assert!(total(&samples, "uniqchat_conversations_waiting", &[]) >= 1.0);
    // No series per path or per id: the route group is a fixed label.
    assert!(samples
        .iter()
        .flat_map(|s| &s.labels)
        .all(|(_, v)| !v.contains(&conversation) && !v.contains("no-such-route")));

    // The visitor leaves: the gauge follows.
    visitor.close().await;
    let samples = eventually(&api, None, |s| {
        total(s, "uniqchat_connections", &[("kind", "visitor")]) == 0.0
    })
    .await;
    assert_eq!(
        total(&samples, "uniqchat_connections", &[("kind", "visitor")]),
        0.0
    );
}

#[tokio::test]
async fn a_configured_token_is_required() {
    let mut env = API_ENV.to_vec();
    env.push(("UNIQCHAT__METRICS__TOKEN", TOKEN));
    let server = TestServer::start(&env).await;
    let api = Api::new(&server);

    let (status, text) = scrape(&api, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{text}");
    assert!(text.contains("\"unauthorized\""), "{text}");
    let (status, _) = scrape(&api, Some("metrics-token-0123456780")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, text) = scrape(&api, Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK);
    // The refused scrapes above were counted before this one was answered.
    assert!(
        total(
            &parse(&text),
            "uniqchat_errors_total",
            &[("code", "unauthorized")]
        ) >= 2.0
    );
}

#[tokio::test]
async fn metrics_can_be_turned_off() {
    let mut env = API_ENV.to_vec();
    env.push(("UNIQCHAT__METRICS__ENABLED", "false"));
    let server = TestServer::start(&env).await;
    let api = Api::new(&server);
    let (status, text) = scrape(&api, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{text}");
}

#[test]
fn a_short_token_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::server::run(
        common::server::cli(dir.path())
            .env("UNIQCHAT__METRICS__TOKEN", "short")
            .arg("config"),
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("metrics.token"), "{stderr}");
}
