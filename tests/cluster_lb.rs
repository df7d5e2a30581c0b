//! Three nodes behind HAProxy (docs/cluster.md): a node killed with -9 under a steady stream
//! of visitor messages, a rolling restart (SIGTERM, drain, start again, next) under load, and
//! two agents on different nodes accepting the same conversation. The clients reconnect
//! through the balancer as the widget and the workspace do (tests/common/steady.rs).

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use uniqchat::store::Backend;

use common::api::{init_tenant, Api, PASSWORD};
use common::cluster::{ClusterEnv, Haproxy};
use common::server::TestServer;
use common::steady::{self, Seen, Sent};
use common::ws::{conv_of, Ws};

const VISITORS: usize = 6;

/// Polls `check` until it holds; fails the test after 30 s.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check().await {
        assert!(Instant::now() < deadline, "not in time: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Three nodes, HAProxy in front, a tenant with an owner and an agent who takes 20 chats.
struct Cluster {
    env: ClusterEnv,
    nodes: Vec<TestServer>,
    proxy: Haproxy,
    lb: Api,
    owner: String,
    agent: String,
    site_key: String,
}

impl Cluster {
    async fn start(backend: Backend) -> Option<Cluster> {
        let mut env = ClusterEnv::new(backend).await?;
        // Long enough for HAProxy (checks every 100 ms, down after 2) to move away first.
        env.set("UNIQCHAT__SERVER__DRAIN_SECS", "1");
        let mut nodes = Vec::new();
        for _ in 0..3 {
            nodes.push(env.node().await);
        }
        let bases: Vec<&str> = nodes.iter().map(|n| n.base.as_str()).collect();
        let proxy = Haproxy::start(&bases)?;
        let lb = Api {
            base: proxy.base.clone(),
            client: reqwest::Client::new(),
        };
        let t = init_tenant(&nodes[0], "Acme", "owner@acme.test");
        let owner = lb.token(&t.owner_email, PASSWORD).await;
        let r = lb
            .post(
                "/api/admin/users",
                &owner,
                json!({ "email": "agent@acme.test", "role": "agent", "password": PASSWORD, "name": "Ann", "max_chats": 20 }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let agent = lb.token("agent@acme.test", PASSWORD).await;
        let cluster = Cluster {
            env,
            nodes,
            proxy,
            lb,
            owner,
            agent,
            site_key: t.site_key,
        };
        // Every node answers through the balancer before any test traffic.
        for node in &cluster.nodes {
            let api = Api::new(node);
            eventually("the node is ready", || async {
                api.get("/readyz", "").await.status == StatusCode::OK
            })
            .await;
        }
        Some(cluster)
    }

    async fn online_agents(&self, n: u64) {
        let overview = |api: Api| async move {
            api.get("/api/admin/overview", &self.owner).await.body["online_agents"] == n
        };
        for node in &self.nodes {
            eventually("every node sees the agent", || overview(Api::new(node))).await;
        }
    }

    /// Visitor sessions made through the balancer, one after another.
    async fn visitor_tokens(&self) -> Vec<String> {
        let mut tokens = Vec::new();
        for _ in 0..VISITORS {
            let s = self
                .lb
                .call(
                    reqwest::Method::POST,
                    "/api/visitor/session",
                    None,
                    Some(json!({ "site_key": self.site_key })),
                )
                .await;
            assert_eq!(s.status, StatusCode::OK, "{}", s.body);
            tokens.push(s.body["visitor_token"].as_str().unwrap().to_string());
        }
        tokens
    }
}

/// The steady load: visitors through `base`, writing every 40 ms until `stop`.
struct Load {
    stop: CancellationToken,
    acked: Arc<AtomicUsize>,
    visitors: Vec<tokio::task::JoinHandle<Sent>>,
}

impl Load {
    fn start(base: &str, tokens: Vec<String>) -> Load {
        let stop = CancellationToken::new();
        let acked = Arc::new(AtomicUsize::new(0));
        let visitors = tokens
            .into_iter()
            .enumerate()
            .map(|(i, token)| {
                tokio::spawn(steady::visitor(
                    base.to_string(),
                    token,
                    format!("v{i}"),
                    Duration::from_millis(40),
                    stop.clone(),
                    acked.clone(),
                ))
            })
            .collect();
        Load {
            stop,
            acked,
            visitors,
        }
    }

    /// Waits until `more` further messages were acknowledged.
    async fn flows(&self, more: usize) {
        let goal = self.acked.load(Ordering::Relaxed) + more;
        eventually("messages are acknowledged", || async {
            self.acked.load(Ordering::Relaxed) >= goal
        })
        .await;
    }

    async fn finish(self) -> Vec<Sent> {
        self.stop.cancel();
        let mut sent = Vec::new();
        for v in self.visitors {
            sent.push(v.await.expect("visitor task"));
        }
        sent
    }
}

/// Every acknowledged message was delivered to the agent at its seq, and the database holds
/// each client_msg_id once (the agent's final resume replays all that is stored).
async fn check_delivery(sent: &[Sent], seen: &Seen, resume: &Notify) {
    let acked: usize = sent.iter().map(|s| s.acked.len()).sum();
    assert!(acked > 0, "nothing was sent");
    resume.notify_one();
    eventually("every acknowledged message reaches the agent", || async {
        let seen = seen.lock().unwrap();
        sent.iter().all(|s| {
            s.acked
                .values()
                .all(|seq| seen.contains_key(&(s.conversation.clone(), *seq)))
        })
    })
    .await;
    let seen = seen.lock().unwrap();
    for s in sent {
        let stored: Vec<(&i64, &String)> = seen
            .iter()
            .filter(|((c, _), id)| *c == s.conversation && !id.is_empty())
            .map(|((_, seq), id)| (seq, id))
            .collect();
        let mut by_id: BTreeMap<&String, Vec<i64>> = BTreeMap::new();
        for (seq, id) in &stored {
            by_id.entry(id).or_default().push(**seq);
        }
        for (id, seq) in &s.acked {
            assert_eq!(
                by_id.get(id),
                Some(&vec![*seq]),
                "{id}: stored once, at the acknowledged seq"
            );
        }
        assert_eq!(
            by_id.len(),
            s.acked.len(),
            "nothing stored that was not acknowledged once"
        );
    }
}

/// kill -9 of one node while visitors write through the balancer: its visitors reconnect to
/// the others and resend; every acknowledged message is stored once and reaches the agent.
async fn a_node_killed_under_load(backend: Backend) {
    let Some(mut c) = Cluster::start(backend).await else {
        return;
    };
    // The agent on node 0 directly (it survives); node 1 dies.
    let seen: Seen = Default::default();
    let (resume, agent_stop) = (Arc::new(Notify::new()), CancellationToken::new());
    let agent = tokio::spawn(steady::agent(
        c.nodes[0].base.clone(),
        c.agent.clone(),
        seen.clone(),
        resume.clone(),
        agent_stop.clone(),
    ));
    c.online_agents(1).await;
    let load = Load::start(&c.proxy.base, c.visitor_tokens().await);
    load.flows(3 * VISITORS).await;

    c.nodes[1].child.kill().unwrap();
    c.nodes[1].child.wait().unwrap();
    load.flows(5 * VISITORS).await;
    let sent = load.finish().await;
    let reconnects: u32 = sent.iter().map(|s| s.reconnects).sum();
    assert!(
        reconnects > 0,
        "the balancer gave node 1 none of the visitors"
    );
    check_delivery(&sent, &seen, &resume).await;
    agent_stop.cancel();
    assert_eq!(agent.await.unwrap(), 0, "the agent's node stayed up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_killed_under_load_on_postgres() {
    a_node_killed_under_load(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_killed_under_load_on_mysql() {
    a_node_killed_under_load(Backend::MySql).await;
}

/// Each node in turn gets SIGTERM (it drains: /readyz 503, HAProxy moves away, connections
/// closed with 1001), exits cleanly and starts again, while visitors and the agent stay on
/// through the balancer: sent = acked = delivered, nothing twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolling_restart_loses_nothing() {
    let Some(mut c) = Cluster::start(Backend::Postgres).await else {
        return;
    };
    let seen: Seen = Default::default();
    let (resume, agent_stop) = (Arc::new(Notify::new()), CancellationToken::new());
    let agent = tokio::spawn(steady::agent(
        c.proxy.base.clone(),
        c.agent.clone(),
        seen.clone(),
        resume.clone(),
        agent_stop.clone(),
    ));
    c.online_agents(1).await;
    let load = Load::start(&c.proxy.base, c.visitor_tokens().await);
    load.flows(2 * VISITORS).await;
    for i in 0..c.nodes.len() {
        let port: u16 = c.nodes[i].base.rsplit(':').next().unwrap().parse().unwrap();
        let node = Api::new(&c.nodes[i]);
        let pid = c.nodes[i].child.id().to_string();
        let ok = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(ok.success());
        // Draining: not ready, while the process still serves for server.drain_secs.
        eventually("the stopping node answers 503 draining", || async {
            let r = node.get("/readyz", "").await;
            r.status == StatusCode::SERVICE_UNAVAILABLE && r.code() == "draining"
        })
        .await;
        let status = c.nodes[i].terminate_wait();
        assert!(status.success(), "node {i} stopped cleanly: {status}");
        load.flows(VISITORS).await;
        c.nodes[i] = c.env.node_at(port).await;
        load.flows(VISITORS).await;
    }
    let sent = load.finish().await;
    check_delivery(&sent, &seen, &resume).await;
    agent_stop.cancel();
    assert!(
        agent.await.unwrap() > 0,
        "the agent's node was restarted too"
    );
}

/// Two agents, on two different nodes, accept the same queued conversation at once: the
/// database gives it to exactly one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accept_race_across_nodes_has_one_winner() {
    let Some(c) = Cluster::start(Backend::Postgres).await else {
        return;
    };
    let r = c
        .lb
        .post(
            "/api/admin/users",
            &c.owner,
            json!({ "email": "bob@acme.test", "role": "agent", "password": PASSWORD, "name": "Bob" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let bob = c.lb.token("bob@acme.test", PASSWORD).await;
    // Both away: the conversation waits in the queue for someone to accept it.
    let mut ann = away(&Api::new(&c.nodes[0]), &c.agent).await;
    let mut bob = away(&Api::new(&c.nodes[1]), &bob).await;
    let (mut visitor, _) = Ws::visitor(&Api::new(&c.nodes[2]), &c.site_key).await;
    let conversation = conv_of(&visitor.say(None, "m", "help").await);
    let frame = json!({ "type": "accept", "id": "race", "conversation_id": conversation });
    tokio::join!(ann.send(frame.clone()), bob.send(frame));
    let mut outcomes = Vec::new();
    for ws in [&mut ann, &mut bob] {
        let f = loop {
            let f = ws.next().await;
            if f["id"] == "race" {
                break f;
            }
        };
        outcomes.push(outcome(&f));
    }
    outcomes.sort();
    assert_eq!(
        outcomes,
        vec![
            ("accepted".to_string(), String::new()),
            ("error".to_string(), "conflict".to_string())
        ]
    );
}

async fn away(api: &Api, token: &str) -> Ws {
    let mut ws = Ws::agent(api, token).await;
    ws.send(json!({ "type": "status", "id": "away", "status": "away" }))
        .await;
    assert_eq!(ws.next_of("status").await["status"], "away");
    ws
}

fn outcome(f: &Value) -> (String, String) {
    (
        f["type"].as_str().unwrap_or_default().to_string(),
        f["code"].as_str().unwrap_or_default().to_string(),
    )
}
