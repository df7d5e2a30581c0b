//! Several nodes on one database and one Redis (docs/cluster.md): chat across nodes, presence,
//! blocks and settings reaching every node, the lease of once-per-cluster work, Redis failure.

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use uniqchat::store::Backend;

use common::api::{init_tenant, Api, PASSWORD};
use common::cluster::{ClusterEnv, OwnRedis};
use common::server::{cli, run, TestServer};
use common::ws::{conv_of, until_state, Closed, Ws};

/// Polls `check` until it holds; fails the test after 20 s.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check().await {
        assert!(Instant::now() < deadline, "not in time: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until `node` counts `n` agents online (its presence includes the other nodes').
async fn sees_online(api: &Api, owner: &str, n: u64) {
    eventually("the node sees the agents of the other nodes", || async {
        api.get("/api/admin/overview", owner).await.body["online_agents"] == n
    })
    .await;
}

async fn readyz(api: &Api) -> Value {
    let r = api.get("/readyz", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

/// A tenant with an owner and one agent: (owner token, agent token, agent id, site key).
async fn team(node: &TestServer, api: &Api) -> (String, String, String, String) {
    let t = init_tenant(node, "Acme", "owner@acme.test");
    let owner = api.token(&t.owner_email, PASSWORD).await;
    let r = api
        .post(
            "/api/admin/users",
            &owner,
            json!({ "email": "agent@acme.test", "role": "agent", "password": PASSWORD, "name": "Ann" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let agent = api.token("agent@acme.test", PASSWORD).await;
    let id = r.body["id"].as_str().unwrap().to_string();
    (owner, agent, id, t.site_key)
}

/// Reads `message` frames until one with `seq`; returns every message frame's seq seen.
async fn until_seq(ws: &mut Ws, seq: i64, seen: &mut Vec<i64>) -> Value {
    loop {
        let f = ws.next_of("message").await;
        let s = f["message"]["seq"].as_i64().unwrap();
        seen.push(s);
        if s == seq {
            return f;
        }
    }
}

/// The conversation's messages as a `resume` from 0 replays them: their seqs.
async fn replay(ws: &mut Ws, conversation: &str) -> Vec<i64> {
    ws.send(json!({ "type": "resume", "id": "replay", "conversations": { conversation: 0 } }))
        .await;
    let mut seqs = Vec::new();
    loop {
        let f = ws.next().await;
        if f["type"] == "resumed" && f["id"] == "replay" {
            return seqs;
        }
        if f["type"] == "message" && !seqs.contains(&f["message"]["seq"].as_i64().unwrap()) {
            seqs.push(f["message"]["seq"].as_i64().unwrap());
        }
    }
}

/// Visitor on node A, agent on node B: routing, messages both ways in order without
/// duplicates, typing, read, a settings change and a block all cross the nodes.
async fn chat_across_nodes(backend: Backend) {
    let Some(env) = ClusterEnv::new(backend).await else {
        return;
    };
    let (a, b) = (env.node().await, env.node().await);
    let (api_a, api_b) = (Api::new(&a), Api::new(&b));
    let (owner, agent_token, agent_id, key) = team(&a, &api_a).await;
    assert_eq!(readyz(&api_a).await["redis"], "up");
    assert_ne!(readyz(&api_a).await["node"], readyz(&api_b).await["node"]);

    let mut agent = Ws::agent(&api_b, &agent_token).await;
    sees_online(&api_a, &owner, 1).await;
    let (mut visitor, session) = Ws::visitor(&api_a, &key).await;
    assert_eq!(
        session["agents_online"], true,
        "node A's routing sees B's agent"
    );

    let first = visitor.say(None, "v0", "Hello from node A").await;
    let c = conv_of(&first);
    let assigned = until_state(&mut agent, &c, "chatting").await;
    assert_eq!(
        assigned["agent_id"],
        agent_id.as_str(),
        "routed on A to B's agent"
    );

    // (The first message reached the agent before the assignment, among the frames skipped.)
    let (mut seen_v, mut seen_a) = (Vec::new(), Vec::new());
    let mut texts = vec![first["seq"].as_i64().unwrap()];
    for i in 1..=4 {
        let ack = agent
            .say(Some(&c), &format!("a{i}"), &format!("agent {i}"))
            .await;
        assert_eq!(ack["type"], "ack", "{ack}");
        let s = ack["seq"].as_i64().unwrap();
        let got = until_seq(&mut visitor, s, &mut seen_v).await;
        assert_eq!(got["message"]["body"], format!("agent {i}"));
        let ack = visitor
            .say(Some(&c), &format!("v{i}"), &format!("visitor {i}"))
            .await;
        let t = ack["seq"].as_i64().unwrap();
        assert!(t > s, "the database orders the conversation");
        let got = until_seq(&mut agent, t, &mut seen_a).await;
        assert_eq!(got["message"]["body"], format!("visitor {i}"));
        texts.extend([s, t]);
    }
    // The resend of an acknowledged message on the other node's side is the same message.
    let again = visitor.say(Some(&c), "v1", "visitor 1").await;
    assert_eq!(again["duplicate"], true);

    // Typing and read receipts cross.
    visitor
        .send(json!({ "type": "typing", "conversation_id": c, "on": true }))
        .await;
    let typing = agent.next_of("typing").await;
    assert_eq!(
        (typing["from"].as_str(), typing["on"].as_bool()),
        (Some("visitor"), Some(true))
    );
    agent
        .send(json!({ "type": "typing", "conversation_id": c, "on": true }))
        .await;
    assert_eq!(visitor.next_of("typing").await["from"], "agent");
    let last = *texts.last().unwrap();
    agent
        .send(json!({ "type": "read", "conversation_id": c, "seq": last }))
        .await;
    let read = visitor.next_of("read").await;
    assert_eq!(
        (read["by"].as_str(), read["seq"].as_i64()),
        (Some("agent"), Some(last))
    );

    // Live frames: no duplicates; the two sides' texts in order; nothing the replay lacks.
    for seen in [&seen_v, &seen_a] {
        let unique: BTreeSet<i64> = seen.iter().copied().collect();
        assert_eq!(
            unique.len(),
            seen.len(),
            "a message delivered twice: {seen:?}"
        );
        let in_texts: Vec<i64> = seen.iter().copied().filter(|s| texts.contains(s)).collect();
        assert!(
            in_texts.windows(2).all(|w| w[0] < w[1]),
            "out of order: {seen:?}"
        );
    }
    let stored = replay(&mut visitor, &c).await;
    assert_eq!(
        stored,
        (1..=last).collect::<Vec<_>>(),
        "gap-free, nothing lost"
    );

    // A settings change made on B reaches the widget open on A.
    let r = api_b
        .patch(
            "/api/admin/settings",
            &owner,
            json!({ "widget_title": "Across nodes" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let settings = visitor.next_of("settings").await;
    assert_eq!(settings["settings"]["widget_title"], "Across nodes");

    // The agent on B blocks the visitor: their connection on A closes.
    let blocked = agent
        .request(json!({ "type": "block", "id": "b", "conversation_id": c }))
        .await;
    assert_eq!(blocked["type"], "blocked", "{blocked}");
    assert_eq!(visitor.closed().await, Closed::Code(4003));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_across_nodes_on_postgres() {
    chat_across_nodes(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_across_nodes_on_mysql() {
    chat_across_nodes(Backend::MySql).await;
}

/// Reads the lease's holder from the test's Redis.
async fn lease_holder(redis_url: &str, prefix: &str, name: &str) -> Option<String> {
    let client = redis::Client::open(redis_url).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    redis::cmd("GET")
        .arg(format!("{prefix}:lease:{name}"))
        .query_async(&mut conn)
        .await
        .unwrap()
}

/// One node holds the inactivity lease; after a kill -9 of the holder the other takes it
/// over and idle conversations still get closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lease_moves_when_its_holder_dies() {
    let Some(mut env) = ClusterEnv::new(Backend::Postgres).await else {
        return;
    };
    env.set("UNIQCHAT__REALTIME__INACTIVITY_CLOSE_SECS", "2");
    let mut nodes = [env.node().await, env.node().await];
    let apis: Vec<Api> = nodes.iter().map(Api::new).collect();
    let mut ids = Vec::new();
    for api in &apis {
        ids.push(readyz(api).await["node"].as_str().unwrap().to_string());
    }
    eventually("one node holds the inactivity lease", || async {
        lease_holder(&env.redis_url, &env.prefix, "inactivity")
            .await
            .is_some()
    })
    .await;
    let holder = lease_holder(&env.redis_url, &env.prefix, "inactivity")
        .await
        .unwrap();
    let h = ids
        .iter()
        .position(|id| *id == holder)
        .expect("the holder is one of the nodes");
    let survivor = 1 - h;
    let held = r#"uniqchat_cluster_lease_held{lease="inactivity"}"#;
    assert_eq!(metric(&apis[h], held).await, Some(1.0));
    assert_eq!(metric(&apis[survivor], held).await, Some(0.0));
    let t = init_tenant(&nodes[0], "Acme", "owner@acme.test");

    // While both run, an idle conversation is closed (by the holder alone).
    let (mut visitor, _) = Ws::visitor(&apis[survivor], &t.site_key).await;
    let c = conv_of(&visitor.say(None, "m1", "anyone?").await);
    let closed = until_state(&mut visitor, &c, "closed").await;
    assert_eq!(closed["close_reason"], "inactivity");

    // kill -9 the holder: within the lease's TTL the survivor takes over.
    nodes[h].child.kill().unwrap();
    nodes[h].child.wait().unwrap();
    let (mut visitor, _) = Ws::visitor(&apis[survivor], &t.site_key).await;
    let c = conv_of(&visitor.say(None, "m2", "still anyone?").await);
    let closed = until_state(&mut visitor, &c, "closed").await;
    assert_eq!(closed["close_reason"], "inactivity");
    assert_eq!(
        lease_holder(&env.redis_url, &env.prefix, "inactivity").await,
        Some(ids[survivor].clone())
    );
    assert_eq!(metric(&apis[survivor], held).await, Some(1.0));
}

/// Redis dies mid-conversation: each node still acknowledges its own clients' messages;
/// when Redis is back, the clients are told to resume and catch up, and live delivery
/// across nodes works again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_outage_loses_nothing_acknowledged() {
    let Some(mut redis) = OwnRedis::start() else {
        return;
    };
    let Some(mut env) = ClusterEnv::new(Backend::Postgres).await else {
        return;
    };
    env.redis_url = redis.url();
    let (a, b) = (env.node().await, env.node().await);
    let (api_a, api_b) = (Api::new(&a), Api::new(&b));
    let (owner, agent_token, _, key) = team(&a, &api_a).await;
    let mut agent = Ws::agent(&api_b, &agent_token).await;
    sees_online(&api_a, &owner, 1).await;
    let (mut visitor, session) = Ws::visitor(&api_a, &key).await;
    let first = visitor.say(None, "v1", "before the outage").await;
    let c = conv_of(&first);
    until_state(&mut agent, &c, "chatting").await;

    redis.kill();
    eventually("node A reports Redis down", || async {
        readyz(&api_a).await["redis"] == "down"
    })
    .await;
    assert_eq!(readyz(&api_a).await["status"], "degraded");
    assert_eq!(metric(&api_a, "uniqchat_cluster_redis_up").await, Some(0.0));
    // The visitor's message is still stored and acknowledged on A.
    let during = visitor.say(Some(&c), "v2", "during the outage").await;
    assert_eq!(during["type"], "ack", "{during}");
    let missed = during["seq"].as_i64().unwrap();
    eventually("node A counts what it could not publish", || async {
        metric(&api_a, "uniqchat_cluster_bus_dropped_total")
            .await
            .is_some_and(|n| n >= 1.0)
    })
    .await;

    redis.restart();
    // B's subscription comes back and tells its connections to resume.
    assert_eq!(agent.closed().await, Closed::Code(4012));
    let mut agent = Ws::agent(&api_b, &agent_token).await;
    let have = first["seq"].as_i64().unwrap();
    let resume = json!({ "type": "resume", "id": "r", "conversations": { c.clone(): have } });
    agent.send(resume.clone()).await;
    let caught = follow(&mut agent, missed, (&api_b, &agent_token, &resume)).await;
    assert_eq!(caught["message"]["body"], "during the outage");
    eventually("node A reports Redis up", || async {
        readyz(&api_a).await["redis"] == "up"
    })
    .await;
    assert_eq!(metric(&api_a, "uniqchat_cluster_redis_up").await, Some(1.0));

    // Live delivery across nodes again (A's clients were told to resume as well).
    if visitor.try_next(Duration::from_millis(500)).await.is_some() {
        visitor.clear().await;
    }
    let token = session["visitor_token"].as_str().unwrap();
    let mut visitor = match Ws::connect(&api_a.base, "/ws/visitor", token).await {
        Ok(ws) => ws,
        Err(e) => panic!("visitor reconnect: {e:?}"),
    };
    let after = visitor.say(Some(&c), "v3", "after the outage").await;
    let got = follow(
        &mut agent,
        after["seq"].as_i64().unwrap(),
        (&api_b, &agent_token, &resume),
    )
    .await;
    assert_eq!(got["message"]["body"], "after the outage");
}

/// The value of the series `name` (with its labels, as exposed) in the node's `/metrics`,
/// scraped from loopback.
async fn metric(api: &Api, name: &str) -> Option<f64> {
    let text = reqwest::get(format!("{}/metrics", api.base))
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

/// Reads until the message `seq`, as a real client does: when the server tells it to resume
/// (another node's late `Resync` may close it once more), it reconnects and resumes.
async fn follow(ws: &mut Ws, seq: i64, again: (&Api, &str, &Value)) -> Value {
    for _ in 0..4 {
        while let Some(f) = ws.try_next(common::ws::WAIT).await {
            if f["type"] == "message" && f["message"]["seq"] == seq {
                return f;
            }
        }
        *ws = Ws::agent(again.0, again.1).await;
        ws.send(again.2.clone()).await;
    }
    panic!("message {seq} never arrived");
}

/// SQLite cannot be shared by several nodes: cluster mode on it is refused at start.
#[test]
fn sqlite_refuses_cluster_mode() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(cli(dir.path())
        .arg("serve")
        .env("UNIQCHAT__DATABASE__URL", "sqlite://data/x.db?mode=rwc")
        .env("UNIQCHAT__CLUSTER__REDIS_URL", "redis://127.0.0.1:6379"));
    assert_eq!(out.status.code(), Some(1), "a bad setup");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cluster.redis_url") && stderr.contains("SQLite"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("data/x.db").exists(),
        "nothing was created"
    );
}

/// kill -9 of the node an agent is connected to: once its presence expires and the offline
/// grace passes, the agent's conversation goes back to the queue (handled on another node).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_nodes_agents_hand_their_conversations_back() {
    let Some(mut env) = ClusterEnv::new(Backend::Postgres).await else {
        return;
    };
    env.set("UNIQCHAT__REALTIME__OFFLINE_GRACE_SECS", "1");
    let (a, mut b) = (env.node().await, env.node().await);
    let (api_a, api_b) = (Api::new(&a), Api::new(&b));
    let (owner, agent_token, agent_id, key) = team(&a, &api_a).await;
    let agent = Ws::agent(&api_b, &agent_token).await;
    sees_online(&api_a, &owner, 1).await;
    let (mut visitor, _) = Ws::visitor(&api_a, &key).await;
    let c = conv_of(&visitor.say(None, "v1", "hello").await);
    let held = until_state(&mut visitor, &c, "chatting").await;
    assert_eq!(held["agent_id"], agent_id.as_str());

    b.child.kill().unwrap();
    b.child.wait().unwrap();
    drop(agent);
    let back = until_state(&mut visitor, &c, "waiting").await;
    assert!(back["agent_id"].is_null(), "{back}");
    sees_online(&api_a, &owner, 0).await;
}

/// The visitors `api`'s node lists as on the site now: (id, page).
async fn live_list(api: &Api, token: &str) -> Vec<(String, String)> {
    let r = api.get("/api/agent/live-visitors", token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let page = v["page_url"].as_str().unwrap_or_default().to_string();
            (v["visitor_id"].as_str().unwrap().to_string(), page)
        })
        .collect()
}

/// A visitor on node A is in the live list of an agent on node B, on the page they moved to;
/// once they leave they are gone from it, and so are the visitors of a node that died.
#[tokio::test]
async fn live_visitors_of_every_node() {
    let Some(env) = ClusterEnv::new(Backend::Postgres).await else {
        return;
    };
    let (mut a, b) = (env.node().await, env.node().await);
    let (api_a, api_b) = (Api::new(&a), Api::new(&b));
    let (owner, _agent, _, key) = team(&a, &api_a).await;
    let other = init_tenant(&b, "Other", "owner@other.test");
    let other_owner = api_b.token(&other.owner_email, PASSWORD).await;

    let (mut on_a, session) = Ws::visitor(&api_a, &key).await;
    let id_a = session["visitor"]["id"].as_str().unwrap().to_string();
    let (mut on_b, session) = Ws::visitor(&api_b, &key).await;
    let id_b = session["visitor"]["id"].as_str().unwrap().to_string();
    for (ws, url) in [
        (&mut on_a, "https://shop.test/a"),
        (&mut on_b, "https://shop.test/b"),
    ] {
        let r = ws
            .request(json!({ "type": "page", "id": "p", "url": url }))
            .await;
        assert_eq!(r["type"], "tracked", "{r}");
    }
    let both = |list: &[(String, String)]| {
        list.contains(&(id_a.clone(), "https://shop.test/a".into()))
            && list.contains(&(id_b.clone(), "https://shop.test/b".into()))
            && list.len() == 2
    };
    eventually("each node lists the visitors of both", || async {
        both(&live_list(&api_a, &owner).await) && both(&live_list(&api_b, &owner).await)
    })
    .await;
    assert!(live_list(&api_b, &other_owner).await.is_empty());

    // The visitor on A moves: B shows the new page.
    let r = on_a
        .request(json!({ "type": "page", "id": "p2", "url": "https://shop.test/checkout" }))
        .await;
    assert_eq!(r["type"], "tracked", "{r}");
    eventually("B sees where A's visitor went", || async {
        live_list(&api_b, &owner)
            .await
            .contains(&(id_a.clone(), "https://shop.test/checkout".into()))
    })
    .await;

    // B's visitor leaves (after the grace for a page load): gone from A's list.
    on_b.close().await;
    eventually("A forgets B's visitor who left", || async {
        let list = live_list(&api_a, &owner).await;
        list.len() == 1 && list[0].0 == id_a
    })
    .await;

    // Node A dies with its visitor connected: B stops listing them once A's presence expires.
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    drop(on_a);
    eventually("B forgets the dead node's visitor", || async {
        live_list(&api_b, &owner).await.is_empty()
    })
    .await;
}

/// A burst through a bus queue one message long (which overflows whenever the publisher falls
/// behind) never loses a live delivery silently: the agent on the other node either gets every
/// acknowledged message live or is told to resume (4012), and the resume brings every one.
#[tokio::test]
async fn a_burst_through_a_tiny_bus_queue_loses_no_live_delivery_silently() {
    let Some(mut env) = ClusterEnv::new(Backend::Postgres).await else {
        return;
    };
    env.set("UNIQCHAT__CLUSTER__PUBLISH_QUEUE", "1");
    let (a, b) = (env.node().await, env.node().await);
    let (api_a, api_b) = (Api::new(&a), Api::new(&b));
    let (owner, agent_token, _, key) = team(&a, &api_a).await;
    let mut agent = Ws::agent(&api_b, &agent_token).await;
    sees_online(&api_a, &owner, 1).await;
    let (mut visitor, _) = Ws::visitor(&api_a, &key).await;
    let first = visitor.say(None, "b0", "burst 0").await;
    let c = conv_of(&first);
    until_state(&mut agent, &c, "chatting").await;

    const BURST: usize = 30; // within a visitor's burst allowance (40)
    for i in 1..=BURST {
        let frame = json!({ "type": "send", "client_msg_id": format!("b{i}"),
                            "conversation_id": c, "body": format!("burst {i}") });
        visitor.send(frame).await;
    }
    let mut acked = BTreeSet::new();
    for _ in 0..BURST {
        let ack = visitor.next_of("ack").await;
        acked.insert(ack["seq"].as_i64().unwrap());
    }
    let last = *acked.last().unwrap();
    let mut live = BTreeSet::new();
    let told_to_resume = loop {
        match agent.next_or_closed(Duration::from_secs(3)).await {
            Ok(Some(f))
                if f["type"] == "message" && f["message"]["conversation_id"] == c.as_str() =>
            {
                live.insert(f["message"]["seq"].as_i64().unwrap());
            }
            Ok(Some(_)) => {}
            Ok(None) => break false,
            Err(closed) => {
                assert_eq!(closed, Closed::Code(4012), "closed otherwise");
                break true;
            }
        }
        if live.last() == Some(&last) {
            break false;
        }
    };
    if !told_to_resume {
        assert!(
            acked.is_subset(&live),
            "live deliveries missing without a resync: {:?}",
            acked.difference(&live).collect::<Vec<_>>()
        );
        return;
    }
    let mut agent = Ws::agent(&api_b, &agent_token).await;
    let seqs: BTreeSet<i64> = replay(&mut agent, &c).await.into_iter().collect();
    assert!(
        acked.is_subset(&seqs),
        "the resume brings the burst: {seqs:?}"
    );
}
