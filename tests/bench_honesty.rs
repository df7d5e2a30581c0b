//! `uniqchat bench chat` against a server that gets one thing wrong on purpose (tests/
//! bench_honesty/fake.rs): the bench must name the fault and exit with code 3; against the same
//! server behaving, it must find nothing and exit 0. Nothing here asserts a speed.

mod common;
#[path = "bench_honesty/fake.rs"]
mod fake;

use std::process::Output;

use common::server::{cli, run};
use fake::{Fault, OWNER, SITE_KEY};
use serde_json::Value;

/// A short run: two visitors writing 20 messages a second each for a second, one agent.
async fn bench_against(fault: Fault) -> (Output, Value) {
    let url = fake::start(fault).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = cli(dir.path());
    cmd.args([
        "bench",
        "chat",
        "--url",
        &url,
        "--email",
        OWNER,
        "--password",
        "pw",
    ])
    .args(["--site-key", SITE_KEY, "--visitors", "2", "--agents", "1"])
    .args(["--rate", "40", "--duration", "1", "--drain", "2", "--json"]);
    // The fake server runs on this test's runtime: wait for the bench off it.
    let out = tokio::task::spawn_blocking(move || run(&mut cmd))
        .await
        .expect("bench ran");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "bench --json prints its report ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, report)
}

/// The fault classes the report lists (`section field` = count), all others being zero.
fn faults(report: &Value) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let d = &report["delivery"];
    for section in ["agent", "visitor_echo", "acks", "readback"] {
        let Some(fields) = d[section].as_object() else {
            continue;
        };
        for (field, n) in fields {
            let n = n.as_u64().expect("counts");
            if n > 0 && !["delivered", "conversations", "messages"].contains(&field.as_str()) {
                out.push((format!("{section} {field}"), n));
            }
        }
    }
    out.sort();
    out
}

fn assert_fails_with(out: &Output, report: &Value, expected: &[(&str, u64)]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}\n{report}");
    assert_eq!(report["delivery"]["ok"], false, "{report}");
    let expected: Vec<(String, u64)> = expected.iter().map(|(c, n)| (c.to_string(), *n)).collect();
    assert_eq!(faults(report), expected, "{report}");
    for (class, n) in &expected {
        assert!(
            stderr.contains(&format!("{class} {n}")),
            "stderr names {class}: {stderr}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_faithful_server_passes() {
    let (out, r) = bench_against(Fault::None).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{r}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(r["delivery"]["ok"], true, "{r}");
    assert_eq!(faults(&r), vec![], "{r}");
    let acked = r["messages"]["acked"].as_u64().expect("acked");
    assert!(
        acked > HIT_AT_LEAST,
        "enough messages for the faults to hit: {r}"
    );
    assert_eq!(r["delivery"]["acked"].as_u64(), Some(acked), "{r}");
    assert_eq!(
        r["delivery"]["agent"]["delivered"].as_u64(),
        Some(acked),
        "{r}"
    );
    assert_eq!(
        r["delivery"]["visitor_echo"]["delivered"].as_u64(),
        Some(acked),
        "{r}"
    );
    // Both conversations read back, every acked message compared.
    assert_eq!(r["delivery"]["readback"]["conversations"], 2, "{r}");
    assert_eq!(
        r["delivery"]["readback"]["messages"].as_u64(),
        Some(acked),
        "{r}"
    );
}

/// The fault hits the second measured message of the first conversation; a run sends far more.
const HIT_AT_LEAST: u64 = 4;

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_delivery_is_missing_and_leaves_a_gap() {
    let (out, r) = bench_against(Fault::Drop).await;
    assert_fails_with(&out, &r, &[("agent missing", 1), ("agent seq_gaps", 1)]);
    // Acked and echoed all the same: only the agent's side lacks it.
    let m = &r["messages"];
    assert_eq!(
        m["delivered"].as_u64().map(|d| d + 1),
        m["acked"].as_u64(),
        "{r}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_duplicated_delivery_is_named() {
    let (out, r) = bench_against(Fault::Duplicate).await;
    assert_fails_with(&out, &r, &[("agent duplicated", 1)]);
    assert_eq!(
        r["messages"]["delivered"], r["messages"]["acked"],
        "counted once: {r}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reordered_delivery_is_out_of_order() {
    let (out, r) = bench_against(Fault::Swap).await;
    assert_fails_with(&out, &r, &[("agent out_of_order", 1)]);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ack_without_seq_is_named() {
    let (out, r) = bench_against(Fault::AckWithoutSeq).await;
    assert_fails_with(&out, &r, &[("acks without_seq", 1)]);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_read_back_finds_a_stored_body_that_differs() {
    let (out, r) = bench_against(Fault::StoredBodyDiffers).await;
    assert_fails_with(&out, &r, &[("readback mismatched", 1)]);
}

/// The server closes the first visitor's and the agent's connections with 1001 right after
/// storing a message and before acking it, as at shutdown: both reconnect and resume, the
/// visitor sends the message again and gets the stored copy's ack, and the agent's replay
/// brings one message a second time (once live, once replayed). Nothing is a fault.
#[tokio::test(flavor = "multi_thread")]
async fn a_restart_is_resumed_without_a_fault() {
    let (out, r) = bench_against(Fault::Restart).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{r}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(faults(&r), vec![], "{r}");
    assert_eq!(r["errors"], serde_json::json!({}), "{r}");
    let back = &r["reconnects"];
    assert_eq!(
        (back["visitors"].as_u64(), back["agents"].as_u64()),
        (Some(1), Some(1)),
        "{r}"
    );
    assert!(back["resent_stored"].as_u64() >= Some(1), "{r}");
    assert!(back["replayed"].as_u64() >= Some(1), "{r}");
    let m = &r["messages"];
    assert!(m["acked"].as_u64() > Some(HIT_AT_LEAST), "{r}");
    assert_eq!(
        (&m["sent"], &m["delivered"]),
        (&m["acked"], &m["acked"]),
        "{r}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_the_resume_leaves_out_is_missing() {
    let (out, r) = bench_against(Fault::RestartLosesDelivery).await;
    assert_fails_with(&out, &r, &[("agent missing", 1), ("agent seq_gaps", 1)]);
    assert_eq!(r["reconnects"]["agents"], 1, "{r}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_live_duplicate_after_a_resume_is_named() {
    let (out, r) = bench_against(Fault::RestartDuplicatesLive).await;
    assert_fails_with(&out, &r, &[("agent duplicated", 1)]);
    assert_eq!(r["reconnects"]["agents"], 1, "{r}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_live_delivery_only_a_resume_repaired_is_skipped() {
    let (out, r) = bench_against(Fault::SkipThenRestart).await;
    assert_fails_with(&out, &r, &[("agent skipped", 1)]);
    assert_eq!(r["reconnects"]["agents"], 1, "{r}");
}
