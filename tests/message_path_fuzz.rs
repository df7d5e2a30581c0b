//! A property test of the message path through a real server: random sequences of frames from a
//! visitor over a real WebSocket — valid sends, resends with the same `client_msg_id`, refused
//! sends, reads, typing, pings, junk — and then the protocol's promises (docs/protocol.md §2, §3):
//! the connection stays open, every frame with an `id` gets exactly one answer with that `id`
//! (`read` only when refused), acked `seq`s of a conversation rise and the `message` frames cover
//! them without gaps, and a resend answers the first message's `seq` with `duplicate: true`.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use common::api::{init_tenant, Api, API_ENV};
use common::server::TestServer;
use common::ws::Ws;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{json, Value};

#[derive(Debug, Clone)]
enum Op {
    /// A new message with a fresh `client_msg_id`.
    Send {
        body: String,
    },
    /// The `k`-th earlier valid send again (modulo how many there were), same `client_msg_id`.
    Resend {
        k: usize,
    },
    /// A send the server must refuse.
    BadSend(Bad),
    Read {
        real_conversation: bool,
        seq: i64,
    },
    Typing {
        on: bool,
        with_id: bool,
    },
    Ping,
    /// Not a frame the server can read, with an `id` it must echo.
    Junk(String),
}

#[derive(Debug, Clone)]
enum Bad {
    EmptyBody,
    BlankBody,
    ControlChar,
    LongClientMsgId,
    LongBody,
    UnknownConversation,
    BodyNotText,
}

fn op() -> impl Strategy<Value = Op> {
    let bad = prop_oneof![
        Just(Bad::EmptyBody),
        Just(Bad::BlankBody),
        Just(Bad::ControlChar),
        Just(Bad::LongClientMsgId),
        Just(Bad::LongBody),
        Just(Bad::UnknownConversation),
        Just(Bad::BodyNotText),
    ];
    prop_oneof![
        // At least one character that is not a space: a blank body is refused (BlankBody).
        4 => "[a-zA-Z0-9äé漢😀.,!?][a-zA-Z0-9 äé漢😀.,!?]{0,39}".prop_map(|body| Op::Send { body }),
        2 => any::<usize>().prop_map(|k| Op::Resend { k }),
        2 => bad.prop_map(Op::BadSend),
        1 => (any::<bool>(), prop_oneof![Just(0i64), Just(1), Just(-1), Just(i64::MAX), any::<i64>()])
            .prop_map(|(real_conversation, seq)| Op::Read { real_conversation, seq }),
        1 => (any::<bool>(), any::<bool>()).prop_map(|(on, with_id)| Op::Typing { on, with_id }),
        1 => Just(Op::Ping),
        1 => prop_oneof![
            Just("{\"type\":\"dance\"}".to_string()),
            Just("{\"type\":\"send\",\"body\":5}".to_string()),
            Just("{\"type\":\"ping\",\"extra\":[1,{\"x\":null}]}".to_string()),
            Just("{\"type\":\"resume\",\"conversations\":{\"x\":1e400}}".to_string()),
        ].prop_map(Op::Junk),
    ]
}

/// What an `id` must be answered with.
#[derive(Debug)]
enum Expect {
    Ack {
        cmid: String,
    },
    Duplicate {
        cmid: String,
    },
    Error,
    /// Nothing, or an `error`.
    AtMostError,
    Pong,
}

struct World {
    server: TestServer,
    site_key: String,
}

async fn case(world: &World, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let api = Api::new(&world.server);
    let (mut ws, _) = Ws::visitor(&api, &world.site_key).await;
    // One message first, so reads and typing can name the real conversation.
    let first = ws.say(None, "first", "hello").await;
    prop_assert_eq!(&first["type"], "ack", "{}", first);
    let conversation = first["conversation_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();

    let mut expect: Vec<(String, Expect)> = Vec::new();
    let mut sent_cmids: Vec<String> = vec!["first".into()];
    for (n, op) in ops.into_iter().enumerate() {
        let id = format!("f{n}");
        let (frame, what) = match op {
            Op::Send { body } => {
                let cmid = format!("c{n}");
                sent_cmids.push(cmid.clone());
                (
                    json!({"type": "send", "id": id, "client_msg_id": cmid, "body": body})
                        .to_string(),
                    Expect::Ack { cmid },
                )
            }
            Op::Resend { k } => {
                let cmid = sent_cmids[k % sent_cmids.len()].clone();
                (
                    json!({"type": "send", "id": id, "client_msg_id": cmid, "body": "again"})
                        .to_string(),
                    Expect::Duplicate { cmid },
                )
            }
            Op::BadSend(bad) => {
                let mut f = json!({"type": "send", "id": id, "client_msg_id": format!("bad{n}"), "body": "x"});
                match bad {
                    Bad::EmptyBody => f["body"] = json!(""),
                    Bad::BlankBody => f["body"] = json!("  \n\t "),
                    Bad::ControlChar => f["body"] = json!("a\u{7}b"),
                    Bad::LongClientMsgId => f["client_msg_id"] = json!("k".repeat(65)),
                    Bad::LongBody => f["body"] = json!("b".repeat(4001)),
                    Bad::UnknownConversation => {
                        f["conversation_id"] = json!(uuid::Uuid::now_v7().to_string())
                    }
                    Bad::BodyNotText => f["body"] = json!({"nested": [1, 2]}),
                }
                (f.to_string(), Expect::Error)
            }
            Op::Read {
                real_conversation,
                seq,
            } => {
                let c = if real_conversation {
                    conversation.clone()
                } else {
                    uuid::Uuid::now_v7().to_string()
                };
                (
                    json!({"type": "read", "id": id, "conversation_id": c, "seq": seq}).to_string(),
                    Expect::AtMostError,
                )
            }
            Op::Typing { on, with_id } => {
                let mut f = json!({"type": "typing", "conversation_id": conversation, "on": on});
                if !with_id {
                    ws.send(f).await;
                    continue;
                }
                // `typing` has no `id` field: one is an unknown field, refused with that id.
                f["id"] = json!(id);
                (f.to_string(), Expect::Error)
            }
            Op::Ping => (json!({"type": "ping", "id": id}).to_string(), Expect::Pong),
            Op::Junk(text) => {
                let mut v: Value = serde_json::from_str(&text).unwrap_or(json!({}));
                if let Some(m) = v.as_object_mut() {
                    m.insert("id".into(), json!(id));
                }
                let text = if v.is_object() { v.to_string() } else { text };
                (text, Expect::Error)
            }
        };
        let ok = ws
            .send_raw(tokio_tungstenite::tungstenite::Message::Text(frame.into()))
            .await;
        prop_assert!(
            ok,
            "the server closed the connection while frames were sent"
        );
        expect.push((id, what));
    }
    ws.send(json!({"type": "ping", "id": "barrier"})).await;

    // Everything up to the barrier's pong (answers of one connection come in order), then the
    // `message` echoes that may trail their acks.
    let mut answers: HashMap<String, Vec<Value>> = HashMap::new();
    let mut seen: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    let mut barrier = false;
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut wanted: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    loop {
        let missing = wanted
            .iter()
            .any(|(c, seqs)| seen.get(c).is_none_or(|s| !seqs.is_subset(s)));
        if barrier && !missing {
            break;
        }
        prop_assert!(Instant::now() < deadline, "waiting for answers timed out");
        let Some(f) = ws.try_next(Duration::from_secs(10)).await else {
            return Err(TestCaseError::fail(
                "the connection ended (or went silent) before the barrier's pong",
            ));
        };
        match f["type"].as_str() {
            Some("message") => {
                let m = &f["message"];
                if let (Some(c), Some(s)) = (m["conversation_id"].as_str(), m["seq"].as_i64()) {
                    seen.entry(c.to_string()).or_default().insert(s);
                }
            }
            Some("pong") if f["id"] == "barrier" => barrier = true,
            _ => {
                if f["type"] == "ack" {
                    if let (Some(c), Some(s)) = (f["conversation_id"].as_str(), f["seq"].as_i64()) {
                        wanted.entry(c.to_string()).or_default().insert(s);
                    }
                }
                if let Some(id) = f["id"].as_str() {
                    answers.entry(id.to_string()).or_default().push(f.clone());
                }
            }
        }
    }

    // The first ack of each client_msg_id, to compare resends with.
    let mut firsts: HashMap<String, (String, i64)> = HashMap::new();
    firsts.insert(
        "first".into(),
        (conversation.clone(), first["seq"].as_i64().unwrap_or(-1)),
    );
    let mut acked: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    acked
        .entry(conversation.clone())
        .or_default()
        .push(first["seq"].as_i64().unwrap_or(-1));
    for (id, what) in &expect {
        let got = answers.remove(id).unwrap_or_default();
        if let Expect::AtMostError = what {
            prop_assert!(got.len() <= 1, "{id}: {got:?}");
            if let Some(f) = got.first() {
                prop_assert_eq!(&f["type"], "error", "{}: {}", id, f);
            }
            continue;
        }
        prop_assert_eq!(got.len(), 1, "{} ({:?}) answered {:?}", id, what, got);
        let f = &got[0];
        let place = (
            f["conversation_id"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            f["seq"].as_i64().unwrap_or(-1),
        );
        match what {
            Expect::Ack { cmid } => {
                prop_assert_eq!(&f["type"], "ack", "{}: {}", id, f);
                prop_assert_eq!(&f["duplicate"], false, "{}: {}", id, f);
                acked.entry(place.0.clone()).or_default().push(place.1);
                firsts.insert(cmid.clone(), place);
            }
            Expect::Duplicate { cmid } => {
                prop_assert_eq!(&f["type"], "ack", "{}: {}", id, f);
                prop_assert_eq!(&f["duplicate"], true, "{}: {}", id, f);
                prop_assert_eq!(Some(&place), firsts.get(cmid), "{}: {}", id, f);
            }
            Expect::Error => prop_assert_eq!(&f["type"], "error", "{}: {}", id, f),
            Expect::Pong => prop_assert_eq!(&f["type"], "pong", "{}: {}", id, f),
            Expect::AtMostError => {}
        }
    }
    prop_assert!(answers.is_empty(), "answers to ids never sent: {answers:?}");
    for (c, seqs) in &acked {
        prop_assert!(
            seqs.windows(2).all(|w| w[0] < w[1]),
            "{c}: acked seqs {seqs:?}"
        );
        let top = seqs.last().copied().unwrap_or(0);
        let delivered = seen.get(c).cloned().unwrap_or_default();
        let gaps: Vec<i64> = (1..=top).filter(|s| !delivered.contains(s)).collect();
        prop_assert!(gaps.is_empty(), "{c}: no message frame for seqs {gaps:?}");
    }
    ws.close().await;
    Ok(())
}

#[test]
fn random_frame_sequences_keep_the_promises() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let world = rt.block_on(async {
        let mut env: Vec<(&str, &str)> = API_ENV.to_vec();
        env.extend_from_slice(&[
            ("UNIQCHAT__REALTIME__FRAMES_PER_SECOND", "10000"),
            ("UNIQCHAT__REALTIME__FRAME_BURST", "10000"),
            (
                "UNIQCHAT__CONNECTIONS__VISITOR_MESSAGES_PER_SECOND",
                "10000",
            ),
            ("UNIQCHAT__CONNECTIONS__VISITOR_MESSAGE_BURST", "10000"),
        ]);
        let server = TestServer::start(&env).await;
        let tenant = init_tenant(&server, "Fuzz", "owner@fuzz.test");
        World {
            server,
            site_key: tenant.site_key,
        }
    });
    let config = Config {
        cases: 16,
        max_shrink_iters: 32,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&prop::collection::vec(op(), 1..16), |ops| {
        rt.block_on(case(&world, ops))
    });
    if let Err(e) = result {
        panic!("{e}\nserver log:\n{}", world.server.stderr());
    }
}
