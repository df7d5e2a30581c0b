//! criterion benches of the paths every message takes: reading a client frame, writing the
//! frames it causes, fanning an event out to connections, and the group-commit writer.
//! `cargo bench --bench hot_paths`; figures in docs/performance.md.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use tokio::sync::mpsc;
use uniqchat::cluster::{Event, EventKind, Sink};
use uniqchat::service::chat::Participant;
use uniqchat::store::{
    ConnectSettings, Message, MessageKind, MessageWriter, NewMessage, NewTenant, NewUser,
    NewVisitor, Role, SenderKind, Store,
};
use uniqchat::ws::hub::{Frame, Hub};
use uniqchat::ws::protocol::{parse, ServerFrame};

const SEND: &str = r#"{"type":"send","id":"42","conversation_id":"0193a7c2-5f1e-7c4b-9a1d-2b3c4d5e6f70","client_msg_id":"c-0193a7c2-0042","body":"Hello, I ordered the green tea sampler last week and it has not arrived yet. Can you check?"}"#;

fn message() -> Message {
    Message {
        id: "0193a7c2-5f1e-7c4b-9a1d-2b3c4d5e6f71".into(),
        tenant_id: "0193a7c2-5f1e-7c4b-9a1d-2b3c4d5e6f72".into(),
        conversation_id: "0193a7c2-5f1e-7c4b-9a1d-2b3c4d5e6f70".into(),
        seq: 42,
        sender_kind: SenderKind::Visitor,
        sender_id: Some("0193a7c2-5f1e-7c4b-9a1d-2b3c4d5e6f73".into()),
        sender_name: None,
        client_msg_id: Some("c-0193a7c2-0042".into()),
        kind: MessageKind::Text,
        body: "Hello, I ordered the green tea sampler last week and it has not arrived yet.".into(),
        internal: false,
        created_at: chrono::Utc::now(),
    }
}

fn frames(c: &mut Criterion) {
    let mut g = c.benchmark_group("frames");
    g.throughput(Throughput::Elements(1));
    g.bench_function("parse_send", |b| {
        b.iter(|| parse(std::hint::black_box(SEND)).is_ok())
    });
    let m = message();
    g.bench_function("encode_message", |b| {
        b.iter(|| {
            ServerFrame::Message {
                message: std::hint::black_box(&m),
            }
            .to_text()
        })
    });
    g.finish();
}

/// A hub with `agents` agent connections of one tenant and `visitors` visitor connections.
fn hub_with(agents: usize, visitors: usize) -> (Hub, Vec<mpsc::Receiver<Frame>>) {
    let hub = Hub::default();
    let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let mut rxs = Vec::new();
    for i in 0..agents {
        let (tx, rx) = mpsc::channel(1024);
        let who = Participant::Agent {
            tenant_id: "t".into(),
            user_id: format!("a{i}"),
            name: None,
        };
        hub.register(&who, ip, tx);
        rxs.push(rx);
    }
    for i in 0..visitors {
        let (tx, rx) = mpsc::channel(1024);
        let who = Participant::Visitor {
            tenant_id: "t".into(),
            visitor_id: format!("v{i}"),
        };
        hub.register(&who, ip, tx);
        rxs.push(rx);
    }
    (hub, rxs)
}

fn drain(rxs: &mut [mpsc::Receiver<Frame>]) {
    for rx in rxs {
        while rx.try_recv().is_ok() {}
    }
}

fn fanout(c: &mut Criterion) {
    let mut g = c.benchmark_group("fanout");
    g.throughput(Throughput::Elements(1));
    // A message in an assigned conversation: its visitor and its agent, among many connections.
    for visitors in [100usize, 10_000] {
        let (hub, mut rxs) = hub_with(50, visitors);
        let event = Event {
            tenant_id: "t".into(),
            conversation_id: "c".into(),
            visitor_id: "v7".into(),
            agent_id: Some("a3".into()),
            kind: EventKind::Message(message()),
        };
        g.bench_with_input(
            BenchmarkId::new("assigned_message", visitors),
            &event,
            |b, e| {
                b.iter(|| {
                    hub.deliver(e);
                    drain(&mut rxs[3..4]);
                    drain(&mut rxs[50 + 7..50 + 8]);
                })
            },
        );
    }
    // A waiting conversation's message goes to every agent of the tenant.
    for agents in [10usize, 100] {
        let (hub, mut rxs) = hub_with(agents, 0);
        let event = Event {
            tenant_id: "t".into(),
            conversation_id: "c".into(),
            visitor_id: "v0".into(),
            agent_id: None,
            kind: EventKind::Message(message()),
        };
        g.bench_with_input(
            BenchmarkId::new("queue_message_to_agents", agents),
            &event,
            |b, e| {
                b.iter(|| {
                    hub.deliver(e);
                    drain(&mut rxs);
                })
            },
        );
    }
    g.finish();
}

/// A migrated SQLite store in a temp dir with one tenant and `n` conversations.
async fn store_with_conversations(dir: &std::path::Path, n: usize) -> (Store, String, Vec<String>) {
    let url = format!("sqlite://{}/bench.db?mode=rwc", dir.display());
    let store = Store::connect(&ConnectSettings {
        url,
        max_connections: 16,
        connect_timeout: Duration::from_secs(5),
    })
    .await
    .expect("connect");
    store.migrate().await.expect("migrate");
    let (tenant, _) = store
        .create_tenant_with_owner(
            NewTenant {
                name: "Bench".into(),
            },
            NewUser {
                email: "owner@bench.test".into(),
                name: "Owner".into(),
                role: Role::Owner,
                password_hash: "x".into(),
                max_chats: 5,
                must_change_password: false,
                password_expires_at: None,
            },
        )
        .await
        .expect("tenant");
    let mut conversations = Vec::new();
    for _ in 0..n {
        let v = store
            .create_visitor(&tenant.id, NewVisitor::default())
            .await
            .expect("visitor");
        let c = store
            .create_conversation(&tenant.id, &v.id, None, None)
            .await
            .expect("conversation");
        conversations.push(c.id);
    }
    (store, tenant.id, conversations)
}

/// Commits `iters` messages from 256 concurrent senders (as from 256 connections) and returns
/// the time it took.
async fn commit_concurrently(
    writer: &MessageWriter,
    tenant: &str,
    conversations: &[String],
    iters: u64,
) -> Duration {
    let started = Instant::now();
    let senders = 256u64;
    let mut tasks = Vec::new();
    for s in 0..senders {
        let (writer, tenant) = (writer.clone(), tenant.to_string());
        let conversation = conversations[s as usize % conversations.len()].clone();
        let share = iters / senders + u64::from(s < iters % senders);
        tasks.push(tokio::spawn(async move {
            for _ in 0..share {
                let message = NewMessage {
                    sentiment: None,
                    conversation_id: conversation.clone(),
                    sender_kind: SenderKind::Visitor,
                    sender_id: None,
                    sender_name: None,
                    client_msg_id: Some(uuid::Uuid::now_v7().to_string()),
                    kind: MessageKind::Text,
                    body: "Hello, is the green tea sampler in stock?".into(),
                    internal: false,
                    precondition: Default::default(),
                };
                writer.append(&tenant, message).await.expect("append");
            }
        }));
    }
    for t in tasks {
        t.await.expect("sender");
    }
    started.elapsed()
}

fn writer(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, tenant, conversations) = rt.block_on(store_with_conversations(dir.path(), 64));
    let mut g = c.benchmark_group("writer_sqlite");
    g.throughput(Throughput::Elements(1));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    // Batch 1 is one transaction per message: the ratio to 256 is what group commit buys.
    for batch in [1usize, 256] {
        let (writer, _handle) =
            rt.block_on(async { MessageWriter::spawn(store.clone(), batch, 4096, 1) });
        g.bench_with_input(BenchmarkId::new("commit_batch", batch), &batch, |b, _| {
            b.to_async(&rt)
                .iter_custom(|iters| commit_concurrently(&writer, &tenant, &conversations, iters))
        });
    }
    g.finish();
}

criterion_group!(benches, frames, fanout, writer);
criterion_main!(benches);
