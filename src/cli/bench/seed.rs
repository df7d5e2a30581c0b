//! `uniqchat bench seed`: a generated history (visitors, conversations, messages in mixed
//! English and Chinese) written straight into the configured database, in the normal schema,
//! so that a server started on it serves it. For measuring search and lists at scale
//! (docs/performance.md); never on a database holding real conversations.

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use clap::Args;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::seed_text::{text, NAMES, PLANS};
use crate::cli::{connect_migrated, load_config, CliError, GlobalArgs};
use crate::store::{
    Conversation, ConversationState, Message, MessageKind, SeedBatch, SenderKind, Store,
    UserFilter, Visitor,
};

#[derive(Args, Debug)]
pub struct SeedArgs {
    /// Messages to write
    #[arg(long)]
    pub messages: u64,
    /// Conversations to spread them over (default: one per 20 messages)
    #[arg(long)]
    pub conversations: Option<u64>,
    /// The tenant to fill: its id or its site key (make one with `uniqchat init`)
    #[arg(long)]
    pub tenant: String,
    /// Days of history, ending now
    #[arg(long, default_value_t = 365)]
    pub days: u32,
    /// Messages per transaction
    #[arg(long, default_value_t = 50_000)]
    pub batch: u64,
    /// Seed of the generator, for the same history twice
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// A UUIDv7 for `at`, so generated ids sort by their time as real ones do.
fn id_at(at: DateTime<Utc>) -> String {
    let ts = uuid::Timestamp::from_unix(
        uuid::NoContext,
        at.timestamp() as u64,
        at.timestamp_subsec_nanos(),
    );
    uuid::Uuid::new_v7(ts).to_string()
}

struct Plan {
    tenant_id: String,
    agents: Vec<String>,
    messages: u64,
    conversations: u64,
    start: DateTime<Utc>,
    /// Time between two conversations' starts.
    every: TimeDelta,
    batch: u64,
}

impl Plan {
    /// Messages of conversation `i` (the remainder goes to the first ones).
    fn messages_of(&self, i: u64) -> u64 {
        self.messages / self.conversations + u64::from(i < self.messages % self.conversations)
    }
}

/// Conversation `i` with its visitor (a returning one every other time) and messages.
fn conversation(plan: &Plan, i: u64, rng: &mut StdRng, batch: &mut SeedBatch) {
    let started = plan.start + plan.every * i as i32;
    let count = plan.messages_of(i);
    // Messages fit in the gap before the next conversation, so time order is insert order.
    let step = (plan.every / (count.max(1) as i32 + 1)).max(TimeDelta::milliseconds(2));
    let new_visitor = i % 2 == 0 || batch.visitors.is_empty();
    let visitor_id = if new_visitor {
        let name = NAMES[rng.gen_range(0..NAMES.len())];
        let v = Visitor {
            id: id_at(started),
            tenant_id: plan.tenant_id.clone(),
            external_id: None,
            name: Some(format!("{name} {i}")),
            email: Some(format!("customer{i}@example.com")),
            ip: Some("192.0.2.1".into()),
            user_agent: None,
            referrer: None,
            pages: "[]".into(),
            attributes: format!(
                "{{\"plan\":\"{}\",\"customer_no\":{i}}}",
                PLANS[rng.gen_range(0..PLANS.len())]
            ),
            language: None,
            visits: 1,
            created_at: started,
            last_seen_at: started,
        };
        let id = v.id.clone();
        batch.visitors.push(v);
        id
    } else {
        batch.visitors[batch.visitors.len() - 1].id.clone()
    };
    let open = plan.conversations - i;
    let state = match open {
        1..=50 => ConversationState::Waiting,
        51..=250 => ConversationState::Chatting,
        _ => ConversationState::Closed,
    };
    let agent_id = (state != ConversationState::Waiting)
        .then(|| plan.agents[(i as usize) % plan.agents.len()].clone());
    let ended = started + step * count as i32;
    let conversation_id = id_at(started);
    for seq in 1..=count {
        let at = started + step * seq as i32;
        let (sender_kind, sender_id) = if seq % 2 == 1 || agent_id.is_none() {
            (SenderKind::Visitor, Some(visitor_id.clone()))
        } else {
            (SenderKind::Agent, agent_id.clone())
        };
        let note = sender_kind == SenderKind::Agent && rng.gen_ratio(1, 50);
        batch.messages.push(Message {
            id: id_at(at),
            tenant_id: plan.tenant_id.clone(),
            conversation_id: conversation_id.clone(),
            seq: seq as i64,
            sender_kind,
            sender_id,
            sender_name: None,
            client_msg_id: None,
            kind: if note {
                MessageKind::Note
            } else {
                MessageKind::Text
            },
            body: text(rng),
            internal: false,
            created_at: at,
        });
    }
    batch.conversations.push(Conversation {
        id: conversation_id,
        tenant_id: plan.tenant_id.clone(),
        visitor_id,
        agent_id: agent_id.clone(),
        group_id: None,
        state,
        previous_id: None,
        last_seq: count as i64,
        created_at: started,
        updated_at: ended,
        assigned_at: agent_id.as_ref().map(|_| started),
        first_response_at: agent_id.as_ref().map(|_| started + step * 2),
        closed_at: (state == ConversationState::Closed).then_some(ended),
        close_reason: (state == ConversationState::Closed).then(|| "agent".to_string()),
        rating: None,
        rating_comment: None,
    });
}

async fn plan_of(store: &Store, args: &SeedArgs) -> Result<Plan, CliError> {
    if args.messages == 0 || args.batch == 0 {
        return Err(CliError::Usage(
            "--messages and --batch must be above 0".into(),
        ));
    }
    let conversations = args.conversations.unwrap_or((args.messages / 20).max(1));
    if conversations == 0 || conversations > args.messages {
        return Err(CliError::Usage(
            "--conversations must be between 1 and --messages".into(),
        ));
    }
    let tenant = match store.find_tenant_by_site_key(&args.tenant).await? {
        Some(t) => t,
        None => store
            .get_tenant(&args.tenant)
            .await
            .map_err(|_| CliError::Usage(format!("no tenant {}", args.tenant)))?,
    };
    let agents: Vec<String> = store
        .list_users(&tenant.id, UserFilter::default(), None, 100)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    if agents.is_empty() {
        return Err(CliError::Usage("the tenant has no accounts".into()));
    }
    let span = TimeDelta::days(args.days.max(1).into());
    Ok(Plan {
        tenant_id: tenant.id,
        agents,
        messages: args.messages,
        conversations,
        start: Utc::now() - span,
        every: span / conversations.min(i32::MAX as u64) as i32,
        batch: args.batch,
    })
}

pub async fn run(global: &GlobalArgs, args: SeedArgs) -> Result<(), CliError> {
    crate::telemetry::init_cli();
    let config = load_config(global, Vec::new())?;
    let store = connect_migrated(&config).await?;
    let plan = plan_of(&store, &args).await?;
    let mut rng = StdRng::seed_from_u64(args.seed);
    let began = Instant::now();
    let mut batch = SeedBatch::default();
    let mut written = 0u64;
    for i in 0..plan.conversations {
        conversation(&plan, i, &mut rng, &mut batch);
        if batch.messages.len() as u64 >= plan.batch || i + 1 == plan.conversations {
            written += batch.messages.len() as u64;
            store.seed_batch(std::mem::take(&mut batch)).await?;
            tracing::info!(messages = written, "seeded");
        }
    }
    let seeded = began.elapsed();
    // SQLite: build the search index now rather than in the server's first minutes.
    let indexing = Instant::now();
    while store.index_search_batch().await? > 0 {}
    let indexed = indexing.elapsed();
    store.close().await?;
    println!(
        "{}",
        serde_json::json!({
            "messages": written,
            "conversations": plan.conversations,
            "seed_seconds": secs(seeded),
            "index_seconds": secs(indexed),
        })
    );
    Ok(())
}

fn secs(d: Duration) -> f64 {
    (d.as_secs_f64() * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_mix_languages_and_ids_follow_time() {
        let mut rng = StdRng::seed_from_u64(7);
        let texts: Vec<String> = (0..200).map(|_| text(&mut rng)).collect();
        assert!(texts
            .iter()
            .any(|t| t.contains("订单") || t.contains("退款")));
        assert!(texts.iter().any(|t| t.contains("order")));
        let now = Utc::now();
        assert!(id_at(now) < id_at(now + TimeDelta::milliseconds(1)));
    }
}
