//! Reports and the live monitor over a known history with controlled timestamps
//! (docs/reports.md defines each figure). Runs on the backend of UNIQCHAT_TEST_BACKEND.

mod common;

use chrono::{DateTime, Utc};
use common::api::{World, PASSWORD};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, Database, DatabaseConnection, EntityTrait, IntoActiveModel};
use serde_json::{json, Value};
use uniqchat::store::entities::{agent_status_change, conversation, message, visitor};
use uniqchat::store::{AgentStatus, ConversationState, MessageKind, SenderKind};

fn t(s: &str) -> DateTime<Utc> {
    s.parse().expect("an RFC 3339 instant")
}

/// Writes rows straight into the server's database, with the timestamps the test chooses.
struct History {
    db: DatabaseConnection,
    tenant: String,
    n: usize,
}

/// One conversation of the known history.
#[derive(Default)]
struct Conv<'a> {
    created: &'a str,
    agent: Option<&'a str>,
    group: Option<&'a str>,
    assigned: Option<&'a str>,
    first_response: Option<&'a str>,
    closed: Option<&'a str>,
    rating: Option<(i32, Option<&'a str>)>,
    /// (sender kind, agent id for agents, kind, at)
    messages: Vec<(SenderKind, Option<&'a str>, MessageKind, &'a str)>,
}

impl History {
    async fn new(url: &str, tenant: &str) -> History {
        History {
            db: Database::connect(url)
                .await
                .expect("connect to the server's database"),
            tenant: tenant.to_string(),
            n: 0,
        }
    }

    fn id(&mut self, kind: &str) -> String {
        self.n += 1;
        format!(
            "{kind}-{:04}-{}",
            self.n,
            self.tenant.chars().take(8).collect::<String>()
        )
    }

    async fn status(&mut self, user: &str, status: AgentStatus, at: &str) {
        agent_status_change::Model {
            id: self.id("st"),
            tenant_id: self.tenant.clone(),
            user_id: user.to_string(),
            status,
            changed_at: t(at),
        }
        .into_active_model()
        .insert(&self.db)
        .await
        .expect("insert a status change");
    }

    async fn conversation(&mut self, c: Conv<'_>) -> String {
        let visitor_id = self.id("v");
        let created = t(c.created);
        visitor::Entity::insert(
            visitor::Model {
                id: visitor_id.clone(),
                tenant_id: self.tenant.clone(),
                external_id: None,
                name: None,
                email: None,
                ip: None,
                user_agent: None,
                referrer: None,
                pages: "[]".into(),
                attributes: "{}".into(),
                language: None,
                visits: 1,
                created_at: created,
                last_seen_at: created,
            }
            .into_active_model(),
        )
        .exec_without_returning(&self.db)
        .await
        .expect("insert a visitor");
        let id = self.id("c");
        let closed = c.closed.map(t);
        conversation::Entity::insert(
            conversation::Model {
                id: id.clone(),
                tenant_id: self.tenant.clone(),
                visitor_id: visitor_id.clone(),
                agent_id: c.agent.map(str::to_string),
                group_id: c.group.map(str::to_string),
                state: match (closed, c.agent) {
                    (Some(_), _) => ConversationState::Closed,
                    (None, Some(_)) => ConversationState::Chatting,
                    (None, None) => ConversationState::Waiting,
                },
                previous_id: None,
                last_seq: c.messages.len() as i64,
                created_at: created,
                updated_at: created,
                assigned_at: c.assigned.map(t),
                first_response_at: c.first_response.map(t),
                closed_at: closed,
                close_reason: closed.map(|_| "agent".to_string()),
                rating: c.rating.map(|r| r.0),
                rating_comment: c.rating.and_then(|r| r.1).map(str::to_string),
            }
            .into_active_model(),
        )
        .exec_without_returning(&self.db)
        .await
        .expect("insert a conversation");
        for (seq, (sender, agent, kind, at)) in c.messages.into_iter().enumerate() {
            let sender_id = match sender {
                SenderKind::Visitor => Some(visitor_id.clone()),
                _ => agent.map(str::to_string),
            };
            message::Entity::insert(
                message::Model {
                    id: self.id("m"),
                    tenant_id: self.tenant.clone(),
                    conversation_id: id.clone(),
                    seq: seq as i64 + 1,
                    sender_kind: sender,
                    sender_id,
                    sender_name: None,
                    client_msg_id: None,
                    kind,
                    body: "hello".into(),
                    internal: kind == MessageKind::Note,
                    created_at: t(at),
                }
                .into_active_model(),
            )
            .exec_without_returning(&self.db)
            .await
            .expect("insert a message");
        }
        id
    }
}

use MessageKind::{Note, Text};
use SenderKind::{Agent, System, Visitor};

async fn user(w: &World, email: &str, name: &str) -> String {
    let r = w
        .api
        .post(
            "/api/admin/users",
            &w.owner,
            json!({ "email": email, "name": name, "role": "agent", "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

async fn group(w: &World, name: &str) -> String {
    let r = w
        .api
        .post("/api/admin/groups", &w.owner, json!({ "name": name }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

/// The known history (docs/reports.md walks through it): tenant Acme in Europe/Berlin (UTC+1
/// in March 2026), open Monday–Friday 08:00–20:00, agents Ann and Bob, group Sales, and the
/// report range 2026-03-02 (Mon) to 2026-03-03 (Tue) = [2026-03-01T23:00Z, 2026-03-03T23:00Z).
struct Known {
    w: World,
    ann: String,
    bob: String,
    sales: String,
    support: String,
    c1: String,
    c5: String,
}

async fn known() -> Known {
    let w = World::new().await;
    let settings = w
        .api
        .patch(
            "/api/admin/settings",
            &w.owner,
            json!({ "timezone": "Europe/Berlin", "business_hours": {
                "mon": [["08:00", "20:00"]], "tue": [["08:00", "20:00"]], "wed": [["08:00", "20:00"]],
                "thu": [["08:00", "20:00"]], "fri": [["08:00", "20:00"]] } }),
        )
        .await;
    assert_eq!(settings.status, StatusCode::OK, "{}", settings.body);
    let ann = user(&w, "ann@acme.test", "Ann").await;
    let bob = user(&w, "bob@acme.test", "Bob").await;
    let sales = group(&w, "Sales").await;
    let support = group(&w, "Support").await;
    let mut h = History::new(&w.server.database_url, &w.a.id).await;

    // Ann: online from the evening before, away 12–13, offline 17:00; Tuesday online 07–16.
    h.status(&ann, AgentStatus::Online, "2026-03-01T20:00:00Z")
        .await;
    h.status(&ann, AgentStatus::Away, "2026-03-02T12:00:00Z")
        .await;
    h.status(&ann, AgentStatus::Online, "2026-03-02T13:00:00Z")
        .await;
    h.status(&ann, AgentStatus::Offline, "2026-03-02T17:00:00Z")
        .await;
    h.status(&ann, AgentStatus::Online, "2026-03-03T07:00:00Z")
        .await;
    h.status(&ann, AgentStatus::Offline, "2026-03-03T16:00:00Z")
        .await;
    // Bob: busy 09–11 on Monday.
    h.status(&bob, AgentStatus::Busy, "2026-03-02T09:00:00Z")
        .await;
    h.status(&bob, AgentStatus::Offline, "2026-03-02T11:00:00Z")
        .await;

    // Before the range (Sunday 23:59:59 local) and after it (Wednesday 00:00 local).
    for created in ["2026-03-01T22:59:59Z", "2026-03-03T23:00:00Z"] {
        h.conversation(Conv {
            created,
            messages: vec![(Visitor, None, Text, created)],
            ..Conv::default()
        })
        .await;
    }
    // C1, Mon 09:00 local: Ann, Sales; waits 30 s, answered in 60 s, resolved in 1200 s; 5 + comment.
    let c1 = h
        .conversation(Conv {
            created: "2026-03-02T08:00:00Z",
            agent: Some(&ann),
            group: Some(&sales),
            assigned: Some("2026-03-02T08:00:30Z"),
            first_response: Some("2026-03-02T08:01:00Z"),
            closed: Some("2026-03-02T08:20:00Z"),
            rating: Some((5, Some("Great, thanks"))),
            messages: vec![
                (Visitor, None, Text, "2026-03-02T08:00:00Z"),
                (Agent, Some(&ann), Text, "2026-03-02T08:01:00Z"),
                (Visitor, None, Text, "2026-03-02T08:05:00Z"),
                (Agent, Some(&ann), Text, "2026-03-02T08:10:00Z"),
                (Agent, Some(&ann), Note, "2026-03-02T08:11:00Z"),
                (System, None, Text, "2026-03-02T08:20:00Z"),
            ],
        })
        .await;
    // C2, Mon 10:30: Bob, Sales; waits 120 s, answered in 180 s, resolved in 1800 s; rated 3.
    h.conversation(Conv {
        created: "2026-03-02T09:30:00Z",
        agent: Some(&bob),
        group: Some(&sales),
        assigned: Some("2026-03-02T09:32:00Z"),
        first_response: Some("2026-03-02T09:33:00Z"),
        closed: Some("2026-03-02T10:00:00Z"),
        rating: Some((3, None)),
        messages: vec![
            (Visitor, None, Text, "2026-03-02T09:30:00Z"),
            (Agent, Some(&bob), Text, "2026-03-02T09:33:00Z"),
        ],
    })
    .await;
    // C3, Mon 13:30: Ann away, Bob offline: nobody could answer → offline; closed unanswered.
    h.conversation(Conv {
        created: "2026-03-02T12:30:00Z",
        closed: Some("2026-03-02T13:30:00Z"),
        messages: vec![(Visitor, None, Text, "2026-03-02T12:30:00Z")],
        ..Conv::default()
    })
    .await;
    // C4, Mon 15:00: Ann online; the visitor leaves the queue after 10 minutes → missed.
    h.conversation(Conv {
        created: "2026-03-02T14:00:00Z",
        closed: Some("2026-03-02T14:10:00Z"),
        messages: vec![(Visitor, None, Text, "2026-03-02T14:00:00Z")],
        ..Conv::default()
    })
    .await;
    // C5, Mon 20:30 (after hours) → offline, answered by Ann on Tuesday: assigned 10:05,
    // first reply 10:06, closed 10:30 (UTC); rated 4 with a comment that looks like a formula.
    let c5 = h
        .conversation(Conv {
            created: "2026-03-02T19:30:00Z",
            agent: Some(&ann),
            assigned: Some("2026-03-03T10:05:00Z"),
            first_response: Some("2026-03-03T10:06:00Z"),
            closed: Some("2026-03-03T10:30:00Z"),
            rating: Some((4, Some("=SUM(A1) ok, \"fine\""))),
            messages: vec![
                (Visitor, None, Text, "2026-03-02T19:30:00Z"),
                (Agent, Some(&ann), Text, "2026-03-03T10:06:00Z"),
            ],
            ..Conv::default()
        })
        .await;
    // C6, Tue 11:00: Ann, Sales; waits 10 s, answered in 40 s, still open (overlaps C5).
    h.conversation(Conv {
        created: "2026-03-03T10:00:00Z",
        agent: Some(&ann),
        group: Some(&sales),
        assigned: Some("2026-03-03T10:00:10Z"),
        first_response: Some("2026-03-03T10:00:40Z"),
        messages: vec![
            (Visitor, None, Text, "2026-03-03T10:00:00Z"),
            (Agent, Some(&ann), Text, "2026-03-03T10:00:40Z"),
            (Visitor, None, Text, "2026-03-03T10:01:00Z"),
        ],
        ..Conv::default()
    })
    .await;
    // C8, Tue 23:30 local (after hours) → offline, still waiting.
    h.conversation(Conv {
        created: "2026-03-03T22:30:00Z",
        messages: vec![
            (Visitor, None, Text, "2026-03-03T22:30:00Z"),
            (Visitor, None, Text, "2026-03-03T22:31:00Z"),
        ],
        ..Conv::default()
    })
    .await;
    // Another tenant's conversation in the range counts nowhere.
    let mut other = History::new(&w.server.database_url, &w.b.id).await;
    other
        .conversation(Conv {
            created: "2026-03-02T08:00:00Z",
            closed: Some("2026-03-02T08:30:00Z"),
            rating: Some((1, Some("other tenant"))),
            messages: vec![(Visitor, None, Text, "2026-03-02T08:00:00Z")],
            ..Conv::default()
        })
        .await;
    Known {
        w,
        ann,
        bob,
        sales,
        support,
        c1,
        c5,
    }
}

const RANGE: &str = "from=2026-03-02&to=2026-03-03";

async fn get(k: &Known, path: &str) -> Value {
    let r = k.w.api.get(path, &k.w.owner).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    r.body
}

async fn csv(k: &Known, path: &str) -> String {
    let r =
        k.w.api
            .client
            .get(format!("{}{path}", k.w.api.base))
            .bearer_auth(&k.w.owner)
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\""));
    r.text().await.unwrap()
}

/// The figures of a row, in the order of the CSV columns after the leading ones.
fn figures(v: &Value) -> Value {
    json!([
        v["started"],
        v["answered"],
        v["missed"],
        v["offline"],
        v["first_response_median_secs"],
        v["first_response_p90_secs"],
        v["resolution_median_secs"],
        v["resolution_p90_secs"],
        v["waiting_median_secs"],
        v["waiting_p90_secs"],
        v["messages_per_conversation"],
        v["csat_average"],
        v["rated"],
    ])
}

#[tokio::test]
async fn every_figure_of_a_known_history() {
    let k = known().await;

    // By day, in the tenant's zone.
    let r = get(&k, &format!("/api/admin/reports/conversations?{RANGE}")).await;
    assert_eq!(r["timezone"], "Europe/Berlin");
    assert_eq!(r["interval"], "day");
    let rows = r["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["bucket"], "2026-03-02");
    assert_eq!(
        figures(&rows[0]),
        json!([5, 3, 1, 2, 180.0, 52560.0, 1800.0, 54000.0, 120.0, 52500.0, 2.0, 4.0, 3])
    );
    assert_eq!(rows[1]["bucket"], "2026-03-03");
    assert_eq!(
        figures(&rows[1]),
        json!([2, 1, 0, 1, 40.0, 40.0, null, null, 10.0, 10.0, 2.5, null, 0])
    );
    assert_eq!(
        figures(&r["total"]),
        json!([7, 4, 1, 3, 120.0, 52560.0, 1800.0, 54000.0, 75.0, 52500.0, 2.14, 4.0, 3])
    );
    let text = csv(
        &k,
        &format!("/api/admin/reports/conversations?{RANGE}&format=csv"),
    )
    .await;
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "bucket,started,answered,missed,offline,first_response_median_secs,first_response_p90_secs,\
         resolution_median_secs,resolution_p90_secs,waiting_median_secs,waiting_p90_secs,\
         messages_per_conversation,csat_average,rated"
    );
    assert_eq!(
        lines[1],
        "2026-03-02,5,3,1,2,180,52560,1800,54000,120,52500,2,4,3"
    );
    assert_eq!(lines[2], "2026-03-03,2,1,0,1,40,40,,,10,10,2.5,,0");
    assert_eq!(
        lines[3],
        "total,7,4,1,3,120,52560,1800,54000,75,52500,2.14,4,3"
    );
    assert_eq!(lines[4], "");
    assert_eq!(lines.len(), 5);

    // By hour: Monday has 24 local hours; C1 is in 09:00.
    let r = get(
        &k,
        "/api/admin/reports/conversations?from=2026-03-02&to=2026-03-02&interval=hour",
    )
    .await;
    let rows = r["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 24);
    assert_eq!(rows[9]["bucket"], "2026-03-02T09:00+01:00");
    assert_eq!(rows[9]["started"], 1);
    assert_eq!(rows[9]["answered"], 1);
    let per_hour: Vec<u64> = rows
        .iter()
        .map(|r| r["started"].as_u64().unwrap())
        .collect();
    let busy: Vec<usize> = (0..24).filter(|h| per_hour[*h] > 0).collect();
    assert_eq!(busy, vec![9, 10, 13, 15, 20]);
    assert_eq!(r["total"]["started"], 5);

    // By day, narrowed to an agent, or to a group: the same figures as their rows below.
    let r = get(
        &k,
        &format!(
            "/api/admin/reports/conversations?{RANGE}&agent_id={}",
            k.ann
        ),
    )
    .await;
    assert_eq!(
        figures(&r["total"]),
        json!([3, 3, 0, 1, 60.0, 52560.0, 27600.0, 54000.0, 30.0, 52500.0, 3.0, 4.5, 2])
    );
    assert_eq!(r["rows"][0]["started"], 2);
    assert_eq!(r["rows"][1]["started"], 1);
    let r = get(
        &k,
        &format!(
            "/api/admin/reports/conversations?{RANGE}&group_id={}&agent_id={}",
            k.sales, k.bob
        ),
    )
    .await;
    assert_eq!(r["total"]["started"], 1);
    assert_eq!(r["total"]["first_response_median_secs"], 180.0);
    for query in [
        "agent_id=no-such-agent".to_string(),
        format!("group_id={}", k.w.b.id),
    ] {
        let r =
            k.w.api
                .get(
                    &format!("/api/admin/reports/conversations?{RANGE}&{query}"),
                    &k.w.owner,
                )
                .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{query}: {}", r.body);
    }
    let other =
        k.w.api
            .get(
                &format!(
                    "/api/admin/reports/conversations?{RANGE}&agent_id={}",
                    k.ann
                ),
                &k.w.other_owner,
            )
            .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.body);

    // Per agent.
    let r = get(&k, &format!("/api/admin/reports/agents?{RANGE}")).await;
    let row = |id: &str| {
        r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["agent_id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no row for {id}: {r}"))
    };
    let ann = row(&k.ann);
    assert_eq!(ann["name"], "Ann");
    assert_eq!(
        figures(&ann),
        json!([3, 3, 0, 1, 60.0, 52560.0, 27600.0, 54000.0, 30.0, 52500.0, 3.0, 4.5, 2])
    );
    assert_eq!(
        [
            &ann["messages_sent"],
            &ann["online_secs"],
            &ann["busy_secs"],
            &ann["away_secs"],
            &ann["peak_concurrent"]
        ],
        [&json!(4), &json!(93600), &json!(0), &json!(3600), &json!(2)]
    );
    let bob = row(&k.bob);
    assert_eq!(
        figures(&bob),
        json!([1, 1, 0, 0, 180.0, 180.0, 1800.0, 1800.0, 120.0, 120.0, 2.0, 3.0, 1])
    );
    assert_eq!(
        [
            &bob["messages_sent"],
            &bob["online_secs"],
            &bob["busy_secs"],
            &bob["away_secs"],
            &bob["peak_concurrent"]
        ],
        [&json!(1), &json!(0), &json!(7200), &json!(0), &json!(1)]
    );
    let idle = row(&k.w.agent_id);
    assert_eq!(idle["started"], 0);
    assert_eq!(idle["first_response_median_secs"], Value::Null);
    let text = csv(&k, &format!("/api/admin/reports/agents?{RANGE}&format=csv")).await;
    assert!(text.starts_with("agent_id,name,started,"), "{text}");
    assert!(
        text.contains(&format!(
            "\r\n{},Ann,3,3,0,1,60,52560,27600,54000,30,52500,3,4.5,2,4,93600,0,3600,2\r\n",
            k.ann
        )),
        "{text}"
    );

    // Per group.
    let r = get(&k, &format!("/api/admin/reports/groups?{RANGE}")).await;
    let rows = r["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "{r}");
    assert_eq!(rows[0]["group_id"], k.sales.as_str());
    assert_eq!(
        figures(&rows[0]),
        json!([3, 3, 0, 0, 60.0, 180.0, 1500.0, 1800.0, 30.0, 120.0, 3.0, 4.0, 2])
    );
    assert_eq!(rows[1]["group_id"], k.support.as_str());
    assert_eq!(
        figures(&rows[1]),
        json!([0, 0, 0, 0, null, null, null, null, null, null, null, null, 0])
    );
    assert_eq!(rows[2]["group_id"], Value::Null);
    assert_eq!(rows[2]["name"], "(no group)");
    assert_eq!(
        figures(&rows[2]),
        json!([4, 1, 1, 3, 52560.0, 52560.0, 54000.0, 54000.0, 52500.0, 52500.0, 1.5, 4.0, 1])
    );
    let text = csv(&k, &format!("/api/admin/reports/groups?{RANGE}&format=csv")).await;
    assert!(text.contains("\r\n,(no group),4,1,1,3,"), "{text}");

    // CSAT.
    let r = get(&k, &format!("/api/admin/reports/csat?{RANGE}")).await;
    assert_eq!(r["rated"], 3);
    assert_eq!(r["average"], 4.0);
    assert_eq!(
        r["distribution"],
        json!([{"rating": 1, "count": 0}, {"rating": 2, "count": 0}, {"rating": 3, "count": 1},
               {"rating": 4, "count": 1}, {"rating": 5, "count": 1}])
    );
    assert_eq!(
        csv(&k, &format!("/api/admin/reports/csat?{RANGE}&format=csv")).await,
        "rating,count\r\n1,0\r\n2,0\r\n3,1\r\n4,1\r\n5,1\r\n"
    );
    let r = get(&k, &format!("/api/admin/reports/csat/comments?{RANGE}")).await;
    let comments = r["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0]["conversation_id"], k.c5.as_str());
    assert_eq!(comments[0]["comment"], "=SUM(A1) ok, \"fine\"");
    assert_eq!(comments[1]["conversation_id"], k.c1.as_str());
    assert_eq!(comments[1]["rating"], 5);
    let text = csv(
        &k,
        &format!("/api/admin/reports/csat/comments?{RANGE}&format=csv"),
    )
    .await;
    assert!(
        text.contains(&format!(
            "{},{},4,\"'=SUM(A1) ok, \"\"fine\"\"\",2026-03-02T19:30:00+00:00\r\n",
            k.c5, k.ann
        )),
        "{text}"
    );

    // Busiest hours: weekday (1 = Monday) × local hour.
    let r = get(&k, &format!("/api/admin/reports/heatmap?{RANGE}")).await;
    let cells = r["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 168);
    let hot: Vec<(u64, u64, u64)> = cells
        .iter()
        .filter(|c| c["started"].as_u64().unwrap() > 0)
        .map(|c| {
            (
                c["weekday"].as_u64().unwrap(),
                c["hour"].as_u64().unwrap(),
                c["started"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        hot,
        vec![
            (1, 9, 1),
            (1, 10, 1),
            (1, 13, 1),
            (1, 15, 1),
            (1, 20, 1),
            (2, 11, 1),
            (2, 23, 1)
        ]
    );
    let text = csv(
        &k,
        &format!("/api/admin/reports/heatmap?{RANGE}&format=csv"),
    )
    .await;
    assert!(text.starts_with("weekday,hour,started\r\n1,0,0\r\n"));
    assert!(text.contains("\r\n2,23,1\r\n"));
}

#[tokio::test]
async fn bad_ranges_and_roles_are_refused() {
    let w = World::new().await;
    for (query, field) in [
        ("from=2026-03-02&to=2026-03-01", "to"),
        ("from=2026-3-2&to=2026-03-03", "from"),
        ("from=2026-03-02&to=2026-03-03&interval=week", "interval"),
        ("from=2026-01-01&to=2026-03-03&interval=hour", "to"),
        ("from=2025-01-01&to=2026-03-03", "to"),
        ("from=2026-03-02&to=2026-03-03&format=xml", "format"),
    ] {
        let r = w
            .api
            .get(
                &format!("/api/admin/reports/conversations?{query}"),
                &w.owner,
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            r.body
        );
        assert_eq!(r.field_errors(), vec![field.to_string()], "{query}");
    }
    let r = w
        .api
        .get("/api/admin/reports/agents?from=2026-03-02", &w.owner)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.field_errors(), vec!["to".to_string()]);
    let r = w
        .api
        .get(
            "/api/admin/reports/csat?from=2026-03-02&to=2026-03-02&x=1",
            &w.owner,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = w
        .api
        .get(&format!("/api/admin/reports/groups?{RANGE}"), &w.agent)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = w.api.get("/api/admin/monitor", &w.agent).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = w
        .api
        .get("/api/admin/monitor?alert_after_minutes=1441", &w.owner)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
}

#[tokio::test]
async fn the_monitor_and_the_status_history_follow_live_changes() {
    let w = World::new().await;
    // A visitor who has waited 10 minutes, written straight into the database.
    let mut h = History::new(&w.server.database_url, &w.a.id).await;
    let ten_ago = (Utc::now() - chrono::Duration::minutes(10)).to_rfc3339();
    let waiting = h
        .conversation(Conv {
            created: &ten_ago,
            messages: vec![(Visitor, None, Text, &ten_ago)],
            ..Conv::default()
        })
        .await;
    let m = w.api.get("/api/admin/monitor", &w.owner).await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.body);
    assert_eq!(m.body["waiting"], 1);
    assert_eq!(m.body["alert_after_minutes"], 5);
    let longest = m.body["longest_wait_secs"].as_i64().unwrap();
    assert!((599..700).contains(&longest), "{longest}");
    assert_eq!(m.body["alerts"][0]["conversation_id"], waiting.as_str());
    let agent = m.body["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == w.agent_id.as_str())
        .cloned()
        .unwrap();
    assert_eq!(agent["online"], false);
    assert_eq!(agent["status"], "offline");
    let m = w
        .api
        .get("/api/admin/monitor?alert_after_minutes=15", &w.owner)
        .await;
    assert_eq!(m.body["alerts"], json!([]));

    // The agent connects: online now, in the monitor and in the status history; the waiting
    // visitor is routed to them.
    let mut ws = common::ws::Ws::agent(&w.api, &w.agent).await;
    let m = w.api.get("/api/admin/monitor", &w.owner).await;
    let agent = m.body["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == w.agent_id.as_str())
        .cloned()
        .unwrap();
    assert_eq!(agent["online"], true);
    assert_eq!(agent["status"], "online");
    let away = ws
        .request(json!({ "type": "status", "id": "s1", "status": "away" }))
        .await;
    assert_ne!(away["type"], "error", "{away}");
    let today = Utc::now().date_naive().to_string();
    let r = w
        .api
        .get(
            &format!("/api/admin/reports/agents?from={today}&to={today}"),
            &w.owner,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rows = r.body["rows"].as_array().unwrap();
    let mine = rows
        .iter()
        .find(|x| x["agent_id"] == w.agent_id.as_str())
        .unwrap();
    assert!(mine["online_secs"].as_i64().unwrap() >= 0);
    let changes: Vec<agent_status_change::Model> = agent_status_change::Entity::find()
        .all(&h.db)
        .await
        .unwrap();
    let statuses: Vec<AgentStatus> = changes
        .iter()
        .filter(|c| c.user_id == w.agent_id)
        .map(|c| c.status)
        .collect();
    assert_eq!(
        statuses,
        vec![AgentStatus::Online, AgentStatus::Away],
        "{changes:?}"
    );
}
