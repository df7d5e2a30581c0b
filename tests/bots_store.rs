//! The bots' tables on SQLite, PostgreSQL and MySQL: one turn per visitor message whichever node
//! claims it, turns lost with their node found by the sweep, ratings once, token counts per
//! month, settings with a kept key — each scoped to its tenant.

mod common;

use chrono::{Duration, Utc};
use uniqchat::store::{
    MessageKind, NewMessage, NewTenant, NewUser, NewVisitor, Role, SenderKind, Store, TurnEnd,
};

async fn tenant(store: &Store, name: &str) -> String {
    let (t, _) = store
        .create_tenant_with_owner(
            NewTenant { name: name.into() },
            NewUser {
                email: format!("owner@{}.test", name.to_lowercase()),
                name: "Owner".into(),
                role: Role::Owner,
                password_hash: "$argon2id$test".into(),
                max_chats: 3,
                must_change_password: false,
                password_expires_at: None,
            },
        )
        .await
        .expect("tenant");
    t.id
}

async fn bot_turns_usage_and_settings(store: Store) {
    let a = tenant(&store, "Acme").await;
    let b = tenant(&store, "Globex").await;
    let visitor = store
        .create_visitor(&a, NewVisitor::default())
        .await
        .unwrap();
    let c = store
        .create_conversation(&a, &visitor.id, None, None)
        .await
        .unwrap();

    // One turn per message: a second claim (another node) gets nothing.
    let turn = store
        .claim_bot_turn(&a, &c.id, "m-1", "forgot password")
        .await
        .unwrap()
        .expect("first claim");
    assert!(store
        .claim_bot_turn(&a, &c.id, "m-1", "forgot password")
        .await
        .unwrap()
        .is_none());

    // A pending turn is lost once it is older than the cut-off; only in its own tenant.
    let later = Utc::now() + Duration::seconds(5);
    let stale = store.stale_bot_turns(&a, later, 10).await.unwrap();
    assert_eq!(
        stale.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
        [turn.id.as_str()]
    );
    assert!(store
        .stale_bot_turns(&b, later, 10)
        .await
        .unwrap()
        .is_empty());
    let earlier = Utc::now() - Duration::hours(1);
    assert!(store
        .stale_bot_turns(&a, earlier, 10)
        .await
        .unwrap()
        .is_empty());

    store
        .finish_bot_turn(
            &a,
            &turn.id,
            TurnEnd {
                outcome: "answered",
                detail: "model",
                confidence: 1000,
                entry_id: None,
                reply_id: Some("r-1"),
                tokens: 42,
            },
        )
        .await
        .unwrap();
    assert!(store
        .stale_bot_turns(&a, later, 10)
        .await
        .unwrap()
        .is_empty());
    // The bots' answers are counted from their stored replies (client id `re:…`), not from
    // the turns: a visitor's own message and a bot's notice without that id do not count.
    for (sender, client_id) in [
        (SenderKind::Visitor, Some("m-1")),
        (SenderKind::Bot, Some("re:m-1")),
        (SenderKind::Bot, None),
    ] {
        let mut m = NewMessage {
            conversation_id: c.id.clone(),
            sender_kind: sender,
            sender_id: None,
            sender_name: None,
            client_msg_id: client_id.map(str::to_string),
            kind: MessageKind::Text,
            body: "hello".into(),
            internal: false,
            precondition: Default::default(),
            sentiment: None,
        };
        if sender == SenderKind::Visitor {
            m.sender_id = Some(visitor.id.clone());
        }
        store.append_message(&a, m).await.unwrap();
    }
    assert_eq!(store.count_bot_replies(&a, &c.id).await.unwrap(), 1);
    assert_eq!(store.count_bot_replies(&b, &c.id).await.unwrap(), 0);

    // Rated once, found by its reply, listed as unanswered by the knowledge base.
    assert_eq!(
        store.bot_turn_by_reply(&a, "r-1").await.unwrap().id,
        turn.id
    );
    assert!(store.bot_turn_by_reply(&b, "r-1").await.is_err());
    assert!(store.rate_bot_turn(&a, &turn.id, 1).await.unwrap());
    assert!(!store.rate_bot_turn(&a, &turn.id, -1).await.unwrap());
    let open = store.unanswered_turns(&a, 10).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].rating, Some(1));
    assert!(store.unanswered_turns(&b, 10).await.unwrap().is_empty());

    // Tokens add up per tenant and month.
    store.add_bot_tokens(&a, "2026-11", 42).await.unwrap();
    store.add_bot_tokens(&a, "2026-11", 17).await.unwrap();
    store.add_bot_tokens(&a, "2026-12", 5).await.unwrap();
    assert_eq!(store.bot_tokens(&a, "2026-11").await.unwrap(), 59);
    assert_eq!(store.bot_tokens(&a, "2026-12").await.unwrap(), 5);
    assert_eq!(store.bot_tokens(&b, "2026-11").await.unwrap(), 0);

    // Settings: off by default; the key is kept when a write leaves it out, removed on request.
    assert!(!store.bots_enabled(&a).await.unwrap());
    store
        .put_bot_settings(&a, true, "{}".into(), Some(Some("sealed1:x".into())))
        .await
        .unwrap();
    store
        .put_bot_settings(&a, true, "{\"max_turns\":2}".into(), None)
        .await
        .unwrap();
    let row = store.get_bot_settings(&a).await.unwrap().unwrap();
    assert_eq!(row.model_key.as_deref(), Some("sealed1:x"));
    assert_eq!(row.config, "{\"max_turns\":2}");
    assert!(store.bots_enabled(&a).await.unwrap());
    assert!(!store.bots_enabled(&b).await.unwrap());
    store
        .put_bot_settings(&a, false, "{}".into(), Some(None))
        .await
        .unwrap();
    let row = store.get_bot_settings(&a).await.unwrap().unwrap();
    assert_eq!(row.model_key, None);
    assert!(!store.bots_enabled(&a).await.unwrap());
}

on_every_backend!(bot_turns_usage_and_settings);
