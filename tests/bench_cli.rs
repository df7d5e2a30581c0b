//! `uniqchat bench` against a real server: its argument checks, and short runs whose reported
//! counts are compared with what the server stored. Nothing here asserts a speed.

mod common;

use std::collections::BTreeSet;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use common::api::{init_tenant, Api, API_ENV, PASSWORD};
use common::server::{cli, run, TestServer, BIN};
use serde_json::Value;

/// The server settings a benchmark run uses: no per-address HTTP limit, a frame rate limit
/// above what the run sends.
const BENCH_ENV: [(&str, &str); 8] = [
    ("UNIQCHAT__RATE_LIMIT__ENABLED", "false"),
    ("UNIQCHAT__REALTIME__FRAMES_PER_SECOND", "1000"),
    ("UNIQCHAT__REALTIME__FRAME_BURST", "1000"),
    // The bench opens many connections from a few addresses, quickly.
    ("UNIQCHAT__CONNECTIONS__PER_ADDRESS", "100000"),
    ("UNIQCHAT__CONNECTIONS__HANDSHAKES_PER_SECOND", "100000"),
    ("UNIQCHAT__CONNECTIONS__HANDSHAKE_BURST", "100000"),
    (
        "UNIQCHAT__CONNECTIONS__VISITOR_MESSAGES_PER_SECOND",
        "100000",
    ),
    ("UNIQCHAT__CONNECTIONS__VISITOR_MESSAGE_BURST", "100000"),
];

async fn bench_server() -> (TestServer, Api, String) {
    let mut env: Vec<(&str, &str)> = API_ENV.to_vec();
    env.extend_from_slice(&BENCH_ENV);
    let server = TestServer::start(&env).await;
    let api = Api::new(&server);
    let tenant = init_tenant(&server, "Bench", "owner@bench.test");
    (server, api, tenant.owner_email)
}

fn bench(server: &TestServer, args: &[&str]) -> Output {
    let out = run(cli(server.workdir.path())
        .arg("bench")
        .args(args)
        .args(["--url", &server.url("")]));
    assert!(
        out.status.success(),
        "bench {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn report(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).expect("bench --json prints JSON")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn wrong_arguments_are_usage_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases: [(&[&str], &str); 6] = [
        (&["bench", "chat"], "--url"),
        (&["bench", "dance", "--url", "http://127.0.0.1:1"], "dance"),
        (
            &[
                "bench",
                "idle",
                "--url",
                "ftp://127.0.0.1:1",
                "--site-key",
                "k",
            ],
            "http://",
        ),
        (
            &[
                "bench",
                "idle",
                "--url",
                "http://127.0.0.1:1",
                "--site-key",
                "k",
                "--visitors",
                "0",
            ],
            "--visitors",
        ),
        (&["bench", "chat", "--url", "http://127.0.0.1:1"], "--email"),
        (
            &[
                "bench",
                "chat",
                "--url",
                "http://127.0.0.1:1",
                "--email",
                "a@b.c",
                "--password",
                "p",
                "--visitors",
                "500",
                "--agents",
                "2",
            ],
            "at least 5 agents",
        ),
    ];
    for (args, says) in cases {
        let out = run(cli(dir.path()).args(args));
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(says), "{args:?} should mention {says}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    }
    // Nobody listening: a runtime error, at once, not a run full of failures.
    let out = run(cli(dir.path()).args([
        "bench",
        "idle",
        "--url",
        "http://127.0.0.1:1",
        "--site-key",
        "k",
    ]));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot reach"), "{}", stderr(&out));
    assert!(std::path::Path::new(BIN).exists());
}

/// Every conversation of the tenant (the run closes them at the end; look at both lists).
async fn conversations(api: &Api, token: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for view in ["closed", "all"] {
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/api/agent/conversations?view={view}&limit=200");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let page = api.get(&path, token).await;
            assert_eq!(page.status, 200, "{}", page.body);
            for c in page.body["items"].as_array().expect("items") {
                ids.insert(c["id"].as_str().expect("id").to_string());
            }
            match page.body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_string()),
                None => break,
            }
        }
    }
    ids
}

/// Messages the visitors of the run wrote in the measured phase, as stored by the server.
async fn stored_bench_messages(api: &Api, token: &str) -> u64 {
    let mut count = 0;
    for id in conversations(api, token).await {
        let mut before: Option<i64> = None;
        loop {
            let mut path = format!("/api/agent/conversations/{id}/messages?limit=200");
            if let Some(b) = before {
                path.push_str(&format!("&before_seq={b}"));
            }
            let page = api.get(&path, token).await;
            assert_eq!(page.status, 200, "{}", page.body);
            let messages = page.body["messages"].as_array().expect("messages");
            count += messages
                .iter()
                .filter(|m| {
                    m["sender_kind"] == "visitor"
                        && m["body"].as_str().is_some_and(|b| b.starts_with("bench "))
                })
                .count() as u64;
            let lowest = messages.iter().filter_map(|m| m["seq"].as_i64()).min();
            match lowest {
                Some(seq) if seq > 1 => before = Some(seq),
                _ => break,
            }
        }
    }
    count
}

#[tokio::test]
async fn chat_reports_the_messages_the_server_stored_and_delivered() {
    let (server, api, owner) = bench_server().await;
    let pid = server.child.id().to_string();
    // A second process to measure (as PostgreSQL's backends would be): this test's own.
    let own_pid = std::process::id().to_string();
    let out = bench(
        &server,
        &[
            "chat",
            "--email",
            &owner,
            "--password",
            PASSWORD,
            "--visitors",
            "6",
            "--agents",
            "2",
            "--rate",
            "60",
            "--duration",
            "2",
            "--sources",
            "2",
            "--pid",
            &pid,
            "--pid",
            &own_pid,
            "--json",
        ],
    );
    let r = report(&out);
    assert_eq!(r["errors"], serde_json::json!({}), "{r}");
    let m = &r["messages"];
    let acked = m["acked"].as_u64().expect("acked");
    assert!(acked > 0, "{r}");
    assert_eq!(m["sent"].as_u64(), Some(acked), "{r}");
    assert_eq!(m["delivered"].as_u64(), Some(acked), "{r}");
    assert_eq!(r["connections"]["held"], 8, "{r}");
    assert_eq!(r["latency"]["send_to_ack"]["count"].as_u64(), Some(acked));
    assert_eq!(
        r["latency"]["send_to_delivery"]["count"].as_u64(),
        Some(acked)
    );
    // Storing and delivering messages costs the server CPU; the report divides it per message.
    let server_cpu = r["cpu"]["server_cpu_seconds"].as_f64().expect("server CPU");
    let per_message = m["server_cpu_us_per_message"]
        .as_f64()
        .expect("per message");
    assert!(server_cpu > 0.0, "{r}");
    // Rates and CPU per message are of the measured phase; acks in the drain are counted apart.
    let in_phase = m["acked_in_phase"].as_u64().expect("in phase");
    assert_eq!(
        in_phase + m["acked_after_phase"].as_u64().expect("after"),
        acked,
        "{r}"
    );
    assert!(in_phase > 0, "{r}");
    assert!(
        (per_message - server_cpu * 1e6 / in_phase as f64).abs() < 1e-6,
        "{r}"
    );
    assert!(
        r["cpu"]["server_cores"].as_f64().unwrap_or(0.0) > 0.0,
        "{r}"
    );

    // Every acked message matched to one delivery at its agent and one echo at its sender,
    // and all six conversations read back over REST agree with the acks.
    let d = &r["delivery"];
    assert_eq!(d["ok"], true, "{r}");
    assert_eq!(d["acked"].as_u64(), Some(acked), "{r}");
    for side in ["agent", "visitor_echo"] {
        assert_eq!(d[side]["delivered"].as_u64(), Some(acked), "{side}: {r}");
        for fault in [
            "missing",
            "duplicated",
            "out_of_order",
            "seq_gaps",
            "mismatched",
            "invalid",
        ] {
            assert_eq!(d[side][fault], 0, "{side} {fault}: {r}");
        }
    }
    assert_eq!(d["readback"]["conversations"], 6, "{r}");
    assert_eq!(d["readback"]["messages"].as_u64(), Some(acked), "{r}");
    // Two processes given: each measured, the sum reported.
    let processes = r["cpu"]["processes"].as_array().expect("per pid");
    assert_eq!(processes.len(), 2, "{r}");
    let sum: f64 = processes
        .iter()
        .map(|p| p["cpu_seconds"].as_f64().expect("readable"))
        .sum();
    assert!((sum - server_cpu).abs() < 1e-6, "{r}");

    let token = api.token(&owner, PASSWORD).await;
    assert_eq!(stored_bench_messages(&api, &token).await, acked);
    // The run's agents were disabled afterwards: only the owner is still active.
    let users = api.get("/api/admin/users?limit=100", &token).await;
    let active: Vec<&Value> = users.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|u| u["disabled"] == false)
        .collect();
    assert_eq!(active.len(), 1, "{}", users.body);
}

#[tokio::test]
async fn idle_and_storm_count_the_connections_that_happened() {
    let (server, _api, owner) = bench_server().await;
    let pid = server.child.id().to_string();
    let idle = report(&bench(
        &server,
        &[
            "idle",
            "--email",
            &owner,
            "--password",
            PASSWORD,
            "--visitors",
            "30",
            "--duration",
            "1",
            "--pid",
            &pid,
            "--json",
        ],
    ));
    assert_eq!(idle["errors"], serde_json::json!({}), "{idle}");
    assert_eq!(idle["connections"]["opened"], 30, "{idle}");
    assert_eq!(idle["connections"]["held"], 30, "{idle}");
    assert!(
        idle["server_memory"]["rss_after_mib"]
            .as_f64()
            .unwrap_or(0.0)
            > 1.0,
        "{idle}"
    );

    let storm = report(&bench(
        &server,
        &[
            "storm",
            "--email",
            &owner,
            "--password",
            PASSWORD,
            "--visitors",
            "5",
            "--connect-rate",
            "40",
            "--duration",
            "1",
            "--json",
        ],
    ));
    assert_eq!(storm["errors"], serde_json::json!({}), "{storm}");
    let attempted = storm["connections"]["attempted"]
        .as_u64()
        .expect("attempted");
    assert!(attempted > 0, "{storm}");
    assert_eq!(
        storm["connections"]["opened"].as_u64(),
        Some(attempted),
        "{storm}"
    );
    assert_eq!(
        storm["latency"]["connect"]["count"].as_u64(),
        Some(attempted)
    );

    let http = report(&bench(
        &server,
        &[
            "http",
            "--email",
            &owner,
            "--password",
            PASSWORD,
            "--visitors",
            "2",
            "--duration",
            "1",
            "--json",
        ],
    ));
    assert_eq!(http["errors"], serde_json::json!({}), "{http}");
    let requests = http["requests"].as_u64().expect("requests");
    assert!(requests > 0, "{http}");
    assert_eq!(http["latency"]["request"]["count"].as_u64(), Some(requests));
}

/// Several `--url`s (here one server under two names): with `--spread split` every visitor
/// is on the first and every agent on the second, and the report says so per node.
#[tokio::test]
async fn chat_spreads_over_several_urls_and_reports_per_node() {
    let (server, _api, owner) = bench_server().await;
    let port = server.base.rsplit(':').next().expect("port");
    let (first, second) = (
        format!("http://127.0.0.1:{port}/"),
        format!("http://localhost:{port}/"),
    );
    let out = run(cli(server.workdir.path()).args([
        "bench",
        "chat",
        "--url",
        &first,
        "--url",
        &second,
        "--spread",
        "split",
        "--email",
        &owner,
        "--password",
        PASSWORD,
        "--visitors",
        "4",
        "--agents",
        "2",
        "--rate",
        "40",
        "--duration",
        "2",
        "--sources",
        "2",
        "--json",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    let r = report(&out);
    assert_eq!(r["errors"], serde_json::json!({}), "{r}");
    assert_eq!(r["delivery"]["ok"], true, "{r}");
    let acked = r["messages"]["acked"].as_u64().expect("acked");
    assert!(acked > 0, "{r}");
    let nodes = r["nodes"].as_array().expect("per node");
    assert_eq!(nodes.len(), 2, "{r}");
    let (v, a) = (&nodes[0], &nodes[1]);
    assert_eq!(
        (v["url"].as_str(), a["url"].as_str()),
        (Some(first.as_str()), Some(second.as_str()))
    );
    assert_eq!(
        (v["visitors"].as_u64(), v["agents"].as_u64()),
        (Some(4), Some(0)),
        "{r}"
    );
    assert_eq!(
        (a["visitors"].as_u64(), a["agents"].as_u64()),
        (Some(0), Some(2)),
        "{r}"
    );
    assert_eq!(
        (v["sent"].as_u64(), v["acked"].as_u64()),
        (Some(acked), Some(acked)),
        "{r}"
    );
    assert_eq!(
        (a["sent"].as_u64(), a["delivered"].as_u64()),
        (Some(0), Some(acked)),
        "{r}"
    );
    assert_eq!(
        v["latency"]["send_to_ack"]["count"].as_u64(),
        Some(acked),
        "{r}"
    );
    assert!(v["latency"]["send_to_delivery"].is_null(), "{r}");
    assert_eq!(
        a["latency"]["send_to_delivery"]["count"].as_u64(),
        Some(acked),
        "{r}"
    );

    // Only chat spreads, and split needs somewhere to put the agents.
    for (args, says) in [
        (
            vec!["idle", "--url", &first, "--url", &second, "--site-key", "k"],
            "only the chat",
        ),
        (
            vec![
                "chat",
                "--url",
                &first,
                "--spread",
                "split",
                "--email",
                "a@b.c",
                "--password",
                "p",
            ],
            "two --url",
        ),
    ] {
        let out = run(cli(server.workdir.path()).arg("bench").args(&args));
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
}

/// The server is stopped with SIGTERM in the middle of a run (it closes every connection with
/// 1001) and started again on the same port and database: every client reconnects, resumes
/// and sends again what was not acked, and the run ends with each acked message stored and
/// delivered once.
#[tokio::test(flavor = "multi_thread")]
async fn chat_reconnects_and_resumes_across_a_server_restart() {
    let (mut server, api, owner) = bench_server().await;
    let port: u16 = server
        .base
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let dir = tempfile::tempdir().expect("tempdir");
    let bench = cli(dir.path())
        .args(["bench", "chat", "--url", &server.url("")])
        .args(["--email", &owner, "--password", PASSWORD])
        .args(["--visitors", "6", "--agents", "2", "--rate", "60"])
        .args(["--duration", "8", "--sources", "2", "--json"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn bench");
    // Every visitor in its conversation: the measured phase begins; stop the server into it.
    let token = api.token(&owner, PASSWORD).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while conversations(&api, &token).await.len() < 6 {
        assert!(Instant::now() < deadline, "the bench did not set up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(server.terminate().success(), "{}", server.stderr());
    let workdir = std::mem::replace(&mut server.workdir, tempfile::tempdir().expect("tempdir"));
    let mut env: Vec<(&str, &str)> = vec![("UNIQCHAT__DATABASE__URL", &server.database_url)];
    env.extend_from_slice(&API_ENV);
    env.extend_from_slice(&BENCH_ENV);
    let _restarted = TestServer::start_in_on(workdir, &env, port).await;

    let out = tokio::task::spawn_blocking(move || bench.wait_with_output())
        .await
        .expect("joined")
        .expect("bench ran");
    assert!(out.status.success(), "{}", stderr(&out));
    let r = report(&out);
    assert_eq!(r["errors"], serde_json::json!({}), "{r}");
    // The shutdown closed every connection: each came back at least once.
    let back = &r["reconnects"];
    assert!(back["visitors"].as_u64() >= Some(6), "{r}");
    assert!(back["agents"].as_u64() >= Some(2), "{r}");
    let m = &r["messages"];
    let acked = m["acked"].as_u64().expect("acked");
    assert!(acked > 0, "{r}");
    assert_eq!(m["sent"].as_u64(), Some(acked), "{r}");
    assert_eq!(m["delivered"].as_u64(), Some(acked), "{r}");
    let d = &r["delivery"];
    assert_eq!(d["ok"], true, "{r}");
    for side in ["agent", "visitor_echo"] {
        assert_eq!(d[side]["delivered"].as_u64(), Some(acked), "{side}: {r}");
    }
    assert_eq!(d["readback"]["conversations"], 6, "{r}");
    assert_eq!(d["readback"]["messages"].as_u64(), Some(acked), "{r}");
    let token = api.token(&owner, PASSWORD).await;
    assert_eq!(stored_bench_messages(&api, &token).await, acked);
}
