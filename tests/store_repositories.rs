//! Every repository function, on SQLite, PostgreSQL and MySQL.

mod common;

use chrono::{Duration, Utc};
use uniqchat::store::{
    AgentStatus, Attempt, BlacklistKind, ConversationFilter, ConversationState, DeliveryStatus,
    MessageKind, NewAudit, NewEndpoint, NewEvent, NewMessage, NewTenant, NewUser, NewVisitor, Role,
    RoutingStrategy, SenderKind, Store, StoreError, Tenant, User, UserFilter, UserPatch,
};

fn new_user(email: &str, role: Role) -> NewUser {
    NewUser {
        email: email.to_string(),
        name: email.split('@').next().unwrap().to_string(),
        role,
        password_hash: "$argon2id$test".into(),
        max_chats: 3,
        must_change_password: false,
        password_expires_at: None,
    }
}

async fn tenant(store: &Store, name: &str) -> (Tenant, User) {
    store
        .create_tenant_with_owner(
            NewTenant { name: name.into() },
            new_user(&format!("owner@{}.test", name.to_lowercase()), Role::Owner),
        )
        .await
        .expect("create tenant")
}

async fn conversation(store: &Store, tenant_id: &str) -> String {
    let visitor = store
        .create_visitor(tenant_id, NewVisitor::default())
        .await
        .unwrap();
    store
        .create_conversation(tenant_id, &visitor.id, None, None)
        .await
        .unwrap()
        .id
}

fn text(conversation_id: &str, sender: &str, client_id: Option<&str>, body: &str) -> NewMessage {
    NewMessage {
        sentiment: None,
        conversation_id: conversation_id.to_string(),
        sender_kind: SenderKind::Visitor,
        sender_id: Some(sender.to_string()),
        sender_name: None,
        client_msg_id: client_id.map(str::to_string),
        kind: MessageKind::Text,
        body: body.to_string(),
        internal: false,
        precondition: Default::default(),
    }
}

async fn migrations_are_idempotent(store: Store) {
    assert!(store.pending_migrations().await.unwrap().is_empty());
    assert!(
        store.migrate().await.unwrap().is_empty(),
        "second run applies nothing"
    );
    store.ping().await.unwrap();
    tenant(&store, "Before").await;
    store.reset().await.unwrap();
    assert_eq!(
        store.count_tenants().await.unwrap(),
        0,
        "reset empties every table"
    );
    assert!(store.pending_migrations().await.unwrap().is_empty());
}

async fn tenants(store: Store) {
    assert_eq!(store.count_tenants().await.unwrap(), 0);
    let (acme, owner) = tenant(&store, "Acme").await;
    assert_eq!(owner.tenant_id, acme.id);
    assert_eq!(owner.role, Role::Owner);
    assert!(acme.site_key.starts_with("sk_"));
    assert_eq!(store.get_tenant(&acme.id).await.unwrap(), acme);
    assert_eq!(
        store.find_tenant_by_site_key(&acme.site_key).await.unwrap(),
        Some(acme.clone())
    );
    assert_eq!(
        store.find_tenant_by_site_key("sk_nope").await.unwrap(),
        None
    );
    let settings = store.get_settings(&acme.id).await.unwrap();
    assert_eq!(settings.widget_title, "Acme");

    let renamed = store.rename_tenant(&acme.id, "Acme Ltd").await.unwrap();
    assert_eq!(renamed.name, "Acme Ltd");

    // An e-mail is unique per tenant: the same owner may own a second tenant.
    let (dup, dup_owner) = store
        .create_tenant_with_owner(
            NewTenant { name: "Dup".into() },
            new_user(&owner.email, Role::Owner),
        )
        .await
        .expect("the same owner e-mail in a new tenant");
    assert_eq!(dup_owner.email, owner.email);
    assert_ne!(dup_owner.id, owner.id);
    store.delete_tenant(&dup.id).await.unwrap();
    assert_eq!(store.count_tenants().await.unwrap(), 1);

    let (globex, _) = tenant(&store, "Globex").await;
    assert_eq!(store.list_tenants(None, 10).await.unwrap().len(), 2);
    let first = store.list_tenants(None, 1).await.unwrap();
    assert_eq!(
        store
            .list_tenants(Some(&first[0].id), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    conversation(&store, &globex.id).await;
    store.delete_tenant(&globex.id).await.unwrap();
    assert!(matches!(
        store.get_tenant(&globex.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.delete_tenant(&globex.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(store.count_tenants().await.unwrap(), 1);
}

async fn users(store: Store) {
    let (acme, owner) = tenant(&store, "Acme").await;
    let (globex, _) = tenant(&store, "Globex").await;
    let agent = store
        .create_user(&acme.id, new_user("ann@acme.test", Role::Agent))
        .await
        .unwrap();
    assert_eq!(store.get_user(&acme.id, &agent.id).await.unwrap(), agent);
    assert!(
        matches!(
            store.get_user(&globex.id, &agent.id).await,
            Err(StoreError::NotFound(_))
        ),
        "another tenant's user is not found"
    );
    // An e-mail is unique per tenant: the same person may have an account in another tenant.
    let twin = store
        .create_user(&globex.id, new_user("ann@acme.test", Role::Agent))
        .await
        .expect("the same e-mail in another tenant");
    let dup = store
        .create_user(&globex.id, new_user("ann@acme.test", Role::Agent))
        .await;
    assert!(
        matches!(dup, Err(StoreError::Conflict(_))),
        "e-mail is unique within a tenant"
    );

    assert_eq!(
        store
            .find_user_by_email(&acme.id, "ann@acme.test")
            .await
            .unwrap()
            .map(|u| u.id),
        Some(agent.id.clone())
    );
    assert_eq!(
        store
            .find_user_by_email(&globex.id, "ann@acme.test")
            .await
            .unwrap()
            .map(|u| u.id),
        Some(twin.id.clone())
    );
    let mut both: Vec<String> = store
        .find_users_by_email("ann@acme.test")
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.id)
        .collect();
    both.sort();
    let mut expected = vec![agent.id.clone(), twin.id.clone()];
    expected.sort();
    assert_eq!(both, expected);
    assert_eq!(
        store
            .find_user_by_email(&acme.id, "nobody@acme.test")
            .await
            .unwrap(),
        None
    );

    let all = UserFilter::default();
    let page1 = store.list_users(&acme.id, all, None, 1).await.unwrap();
    assert_eq!(
        page1.iter().map(|u| &u.id).collect::<Vec<_>>(),
        vec![&owner.id]
    );
    let page2 = store
        .list_users(&acme.id, all, Some(&owner.id), 10)
        .await
        .unwrap();
    assert_eq!(
        page2.iter().map(|u| &u.id).collect::<Vec<_>>(),
        vec![&agent.id]
    );
    let agents = UserFilter {
        role: Some(Role::Agent),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_users(&acme.id, agents, None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    let disabled = UserFilter {
        disabled: Some(true),
        ..Default::default()
    };
    assert!(store
        .list_users(&acme.id, disabled, None, 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.count_users(&acme.id, None).await.unwrap(), 2);
    assert_eq!(
        store
            .count_users(&acme.id, Some(Role::Agent))
            .await
            .unwrap(),
        1
    );

    let patched = store
        .update_user(
            &acme.id,
            &agent.id,
            UserPatch {
                name: Some("Ann B".into()),
                role: Some(Role::Admin),
                max_chats: Some(7),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (patched.name.as_str(), patched.role, patched.max_chats),
        ("Ann B", Role::Admin, 7)
    );
    let cross = store
        .update_user(
            &globex.id,
            &agent.id,
            UserPatch {
                name: Some("x".into()),
                ..Default::default()
            },
        )
        .await;
    assert!(matches!(cross, Err(StoreError::NotFound(_))));
    assert_eq!(
        store.get_user(&acme.id, &agent.id).await.unwrap().name,
        "Ann B",
        "cross-tenant update changed nothing"
    );

    let u = store
        .set_user_password(&acme.id, &agent.id, "$argon2id$new", true)
        .await
        .unwrap();
    assert_eq!(
        (u.password_hash.as_str(), u.must_change_password),
        ("$argon2id$new", true)
    );
    assert!(
        store
            .set_user_disabled(&acme.id, &agent.id, true)
            .await
            .unwrap()
            .disabled
    );
    assert!(
        !store
            .set_user_disabled(&acme.id, &agent.id, false)
            .await
            .unwrap()
            .disabled
    );
    assert_eq!(
        store
            .set_user_status(&acme.id, &agent.id, AgentStatus::Online)
            .await
            .unwrap()
            .status,
        AgentStatus::Online
    );
}

async fn groups(store: Store) {
    let (acme, owner) = tenant(&store, "Acme").await;
    let (globex, globex_owner) = tenant(&store, "Globex").await;
    let sales = store
        .create_group(&acme.id, "Sales", "Pre-sales questions")
        .await
        .unwrap();
    let billing = store.create_group(&acme.id, "Billing", "").await.unwrap();
    assert!(matches!(
        store.create_group(&acme.id, "Sales", "again").await,
        Err(StoreError::Conflict(_))
    ));
    store
        .create_group(&globex.id, "Sales", "same name, other tenant")
        .await
        .unwrap();
    assert_eq!(
        store
            .list_groups(&acme.id)
            .await
            .unwrap()
            .iter()
            .map(|g| g.name.as_str())
            .collect::<Vec<_>>(),
        vec!["Billing", "Sales"]
    );
    assert_eq!(store.get_group(&acme.id, &sales.id).await.unwrap(), sales);
    assert!(matches!(
        store.get_group(&globex.id, &sales.id).await,
        Err(StoreError::NotFound(_))
    ));
    let renamed = store
        .update_group(&acme.id, &sales.id, "Presales", "x")
        .await
        .unwrap();
    assert_eq!(renamed.name, "Presales");
    assert!(matches!(
        store
            .update_group(&acme.id, &billing.id, "Presales", "")
            .await,
        Err(StoreError::Conflict(_))
    ));

    store
        .add_group_member(&acme.id, &sales.id, &owner.id)
        .await
        .unwrap();
    store
        .add_group_member(&acme.id, &sales.id, &owner.id)
        .await
        .unwrap();
    assert!(
        matches!(
            store
                .add_group_member(&acme.id, &sales.id, &globex_owner.id)
                .await,
            Err(StoreError::NotFound(_))
        ),
        "a user of another tenant cannot join"
    );
    let members = store.list_group_members(&acme.id, &sales.id).await.unwrap();
    assert_eq!(
        members.iter().map(|u| &u.id).collect::<Vec<_>>(),
        vec![&owner.id]
    );
    let of_user = store.list_user_groups(&acme.id, &owner.id).await.unwrap();
    assert_eq!(
        of_user.iter().map(|g| &g.id).collect::<Vec<_>>(),
        vec![&sales.id]
    );

    store
        .remove_group_member(&acme.id, &sales.id, &owner.id)
        .await
        .unwrap();
    assert!(store
        .list_group_members(&acme.id, &sales.id)
        .await
        .unwrap()
        .is_empty());
    assert!(matches!(
        store
            .remove_group_member(&acme.id, &sales.id, &owner.id)
            .await,
        Err(StoreError::NotFound(_))
    ));
    store.delete_group(&acme.id, &billing.id).await.unwrap();
    assert!(matches!(
        store.delete_group(&acme.id, &billing.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.delete_group(&globex.id, &sales.id).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn visitors(store: Store) {
    let (acme, _) = tenant(&store, "Acme").await;
    let (globex, _) = tenant(&store, "Globex").await;
    let v = store
        .create_visitor(
            &acme.id,
            NewVisitor {
                ip: Some("203.0.113.9".into()),
                user_agent: Some("Firefox".into()),
                referrer: Some("https://search.example/".into()),
                page_url: Some("https://acme.test/".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(store.get_visitor(&acme.id, &v.id).await.unwrap(), v);
    assert!(matches!(
        store.get_visitor(&globex.id, &v.id).await,
        Err(StoreError::NotFound(_))
    ));

    let touched = store
        .touch_visitor(
            &acme.id,
            &v.id,
            Some("198.51.100.1"),
            None,
            Some("https://acme.test/pricing"),
        )
        .await
        .unwrap();
    assert_eq!(touched.ip.as_deref(), Some("198.51.100.1"));
    assert_eq!(touched.user_agent.as_deref(), Some("Firefox"));
    let pages: Vec<String> = serde_json::from_str(&touched.pages).unwrap();
    assert_eq!(
        pages,
        vec!["https://acme.test/", "https://acme.test/pricing"]
    );
    assert!(touched.last_seen_at >= v.last_seen_at);

    let attrs = serde_json::json!({"plan": "pro"});
    let updated = store
        .update_visitor_profile(
            &acme.id,
            &v.id,
            Some("Vic"),
            Some("vic@example.com"),
            Some("cust-42"),
            Some(&attrs),
        )
        .await
        .unwrap();
    assert_eq!(updated.name.as_deref(), Some("Vic"));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&updated.attributes).unwrap(),
        attrs
    );
    assert_eq!(
        store
            .find_visitor_by_external_id(&acme.id, "cust-42")
            .await
            .unwrap()
            .map(|x| x.id),
        Some(v.id.clone())
    );
    assert_eq!(
        store
            .find_visitor_by_external_id(&globex.id, "cust-42")
            .await
            .unwrap(),
        None
    );
    assert!(matches!(
        store
            .update_visitor_profile(&globex.id, &v.id, Some("x"), None, None, None)
            .await,
        Err(StoreError::NotFound(_))
    ));
}

async fn conversations(store: Store) {
    let (acme, owner) = tenant(&store, "Acme").await;
    let (globex, _) = tenant(&store, "Globex").await;
    let visitor = store
        .create_visitor(&acme.id, NewVisitor::default())
        .await
        .unwrap();
    assert!(
        matches!(
            store
                .create_conversation(&globex.id, &visitor.id, None, None)
                .await,
            Err(StoreError::NotFound(_))
        ),
        "a conversation cannot use another tenant's visitor"
    );

    let c = store
        .create_conversation(&acme.id, &visitor.id, None, None)
        .await
        .unwrap();
    assert_eq!((c.state, c.last_seq), (ConversationState::Waiting, 0));
    assert_eq!(store.get_conversation(&acme.id, &c.id).await.unwrap(), c);
    assert!(matches!(
        store.get_conversation(&globex.id, &c.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        store
            .find_open_conversation(&acme.id, &visitor.id)
            .await
            .unwrap()
            .map(|x| x.id),
        Some(c.id.clone())
    );

    // Only one of two assignments from `waiting` wins.
    let waiting = [ConversationState::Waiting];
    assert!(store
        .assign_conversation(&acme.id, &c.id, &owner.id, &waiting)
        .await
        .unwrap());
    assert!(!store
        .assign_conversation(&acme.id, &c.id, "someone-else", &waiting)
        .await
        .unwrap());
    let c2 = store.get_conversation(&acme.id, &c.id).await.unwrap();
    assert_eq!(
        (c2.state, c2.agent_id.as_deref()),
        (ConversationState::Chatting, Some(owner.id.as_str()))
    );
    assert!(c2.assigned_at.is_some());
    assert_eq!(
        store
            .count_open_for_agent(&acme.id, &owner.id)
            .await
            .unwrap(),
        1
    );
    assert!(!store
        .assign_conversation(&globex.id, &c.id, &owner.id, &[ConversationState::Chatting])
        .await
        .unwrap());

    store.mark_first_response(&acme.id, &c.id).await.unwrap();
    let first = store
        .get_conversation(&acme.id, &c.id)
        .await
        .unwrap()
        .first_response_at;
    assert!(first.is_some());
    store.mark_first_response(&acme.id, &c.id).await.unwrap();
    assert_eq!(
        store
            .get_conversation(&acme.id, &c.id)
            .await
            .unwrap()
            .first_response_at,
        first,
        "set once"
    );

    let filter = |states: Vec<ConversationState>| ConversationFilter {
        states,
        ..Default::default()
    };
    assert_eq!(
        store
            .list_conversations(&acme.id, filter(vec![ConversationState::Chatting]), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(store
        .list_conversations(&acme.id, filter(vec![ConversationState::Waiting]), 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .list_conversations(&globex.id, filter(vec![]), 10)
        .await
        .unwrap()
        .is_empty());

    // chatting → transferring → waiting (back to the queue, agent cleared, new group).
    let group = store.create_group(&acme.id, "Tier 2", "").await.unwrap();
    assert!(store
        .set_conversation_state(
            &acme.id,
            &c.id,
            ConversationState::Chatting,
            ConversationState::Transferring,
            None
        )
        .await
        .unwrap());
    assert!(!store
        .set_conversation_state(
            &acme.id,
            &c.id,
            ConversationState::Chatting,
            ConversationState::Waiting,
            None
        )
        .await
        .unwrap());
    assert!(store
        .set_conversation_state(
            &acme.id,
            &c.id,
            ConversationState::Transferring,
            ConversationState::Waiting,
            Some(&group.id)
        )
        .await
        .unwrap());
    let queued = store.get_conversation(&acme.id, &c.id).await.unwrap();
    assert_eq!(
        (queued.agent_id, queued.group_id.as_deref()),
        (None, Some(group.id.as_str()))
    );

    assert!(
        !store
            .rate_conversation(&acme.id, &c.id, 5, None)
            .await
            .unwrap(),
        "only closed ones are rated"
    );
    assert!(!store
        .close_conversation(&globex.id, &c.id, "agent")
        .await
        .unwrap());
    assert!(store
        .close_conversation(&acme.id, &c.id, "agent")
        .await
        .unwrap());
    assert!(
        !store
            .close_conversation(&acme.id, &c.id, "agent")
            .await
            .unwrap(),
        "closing twice does nothing"
    );
    assert!(store
        .rate_conversation(&acme.id, &c.id, 4, Some("quick, thanks"))
        .await
        .unwrap());
    let closed = store.get_conversation(&acme.id, &c.id).await.unwrap();
    assert_eq!(
        (closed.state, closed.rating, closed.close_reason.as_deref()),
        (ConversationState::Closed, Some(4), Some("agent"))
    );
    assert!(closed.closed_at.is_some());
    assert_eq!(
        store
            .find_open_conversation(&acme.id, &visitor.id)
            .await
            .unwrap(),
        None
    );

    let next = store
        .create_conversation(&acme.id, &visitor.id, None, Some(&c.id))
        .await
        .unwrap();
    assert_eq!(next.previous_id.as_deref(), Some(c.id.as_str()));
    let by_visitor = ConversationFilter {
        visitor_id: Some(visitor.id.clone()),
        ..Default::default()
    };
    let all = store
        .list_conversations(&acme.id, by_visitor, 10)
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|x| &x.id).collect::<Vec<_>>(),
        vec![&next.id, &c.id],
        "newest first"
    );
    let older = ConversationFilter {
        before: Some(next.id.clone()),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_conversations(&acme.id, older, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    let mine = ConversationFilter {
        agent_id: Some(owner.id.clone()),
        ..Default::default()
    };
    assert!(store
        .list_conversations(&acme.id, mine, 10)
        .await
        .unwrap()
        .is_empty());
}

async fn messages(store: Store) {
    let (acme, _) = tenant(&store, "Acme").await;
    let (globex, _) = tenant(&store, "Globex").await;
    let c = conversation(&store, &acme.id).await;

    let a = store
        .append_message(&acme.id, text(&c, "v1", Some("m-1"), "hello"))
        .await
        .unwrap();
    assert_eq!((a.message.seq, a.duplicate), (1, false));
    let b = store
        .append_message(&acme.id, text(&c, "v1", Some("m-2"), "anyone?"))
        .await
        .unwrap();
    assert_eq!(b.message.seq, 2);
    let again = store
        .append_message(&acme.id, text(&c, "v1", Some("m-1"), "hello"))
        .await
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(again.message, a.message, "a resend returns the first copy");
    let other_sender = store
        .append_message(&acme.id, text(&c, "v2", Some("m-1"), "same client id"))
        .await
        .unwrap();
    assert_eq!(
        (other_sender.message.seq, other_sender.duplicate),
        (3, false)
    );
    let no_client_id = store
        .append_message(&acme.id, text(&c, "v1", None, "no id"))
        .await
        .unwrap();
    assert_eq!(no_client_id.message.seq, 4);
    assert_eq!(
        store.get_conversation(&acme.id, &c).await.unwrap().last_seq,
        4,
        "duplicates leave no gap"
    );

    assert!(matches!(
        store
            .append_message(&globex.id, text(&c, "v1", Some("x"), "sneaky"))
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store
            .append_message(&acme.id, text("no-such-conversation", "v1", None, "x"))
            .await,
        Err(StoreError::NotFound(_))
    ));

    let after = store
        .list_messages_after(&acme.id, &c, 1, 100)
        .await
        .unwrap();
    assert_eq!(
        after.iter().map(|m| m.seq).collect::<Vec<_>>(),
        vec![2, 3, 4]
    );
    assert_eq!(after[0], b.message, "read back equals what was written");
    assert_eq!(
        store
            .list_messages_after(&acme.id, &c, 0, 2)
            .await
            .unwrap()
            .len(),
        2
    );
    let before = store
        .list_messages_before(&acme.id, &c, 4, 2)
        .await
        .unwrap();
    assert_eq!(before.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![2, 3]);
    assert!(store
        .list_messages_after(&globex.id, &c, 0, 100)
        .await
        .unwrap()
        .is_empty());
}

/// Many writers in one conversation at once still give 1..=N with no gap and no duplicate.
async fn concurrent_appends_are_gap_free(store: Store) {
    let (acme, _) = tenant(&store, "Acme").await;
    let c = conversation(&store, &acme.id).await;
    let mut tasks = Vec::new();
    for writer in 0..4 {
        for n in 0..10 {
            let store = store.clone();
            let (tenant_id, c) = (acme.id.clone(), c.clone());
            tasks.push(tokio::spawn(async move {
                let sender = format!("w{writer}");
                let id = format!("{n}");
                // Every message is sent twice, as a client that lost the first ack would.
                let first = store
                    .append_message(&tenant_id, text(&c, &sender, Some(&id), "x"))
                    .await
                    .unwrap();
                let second = store
                    .append_message(&tenant_id, text(&c, &sender, Some(&id), "x"))
                    .await
                    .unwrap();
                assert!(second.duplicate);
                assert_eq!(first.message.seq, second.message.seq);
            }));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    let all = store
        .list_messages_after(&acme.id, &c, 0, 1000)
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|m| m.seq).collect::<Vec<_>>(),
        (1..=40).collect::<Vec<i64>>()
    );
}

async fn read_cursors(store: Store) {
    let (acme, owner) = tenant(&store, "Acme").await;
    let (globex, _) = tenant(&store, "Globex").await;
    let c = conversation(&store, &acme.id).await;
    let cur = store
        .advance_read_cursor(&acme.id, &c, SenderKind::Agent, &owner.id, 3)
        .await
        .unwrap();
    assert_eq!(cur.last_read_seq, 3);
    let back = store
        .advance_read_cursor(&acme.id, &c, SenderKind::Agent, &owner.id, 2)
        .await
        .unwrap();
    assert_eq!(back.last_read_seq, 3, "a cursor never moves back");
    let fwd = store
        .advance_read_cursor(&acme.id, &c, SenderKind::Agent, &owner.id, 9)
        .await
        .unwrap();
    assert_eq!(fwd.last_read_seq, 9);
    store
        .advance_read_cursor(&acme.id, &c, SenderKind::Visitor, "v1", 1)
        .await
        .unwrap();
    assert_eq!(
        store.list_read_cursors(&acme.id, &c).await.unwrap().len(),
        2
    );
    assert_eq!(
        store
            .get_read_cursor(&acme.id, &c, SenderKind::Visitor, "v1")
            .await
            .unwrap()
            .map(|r| r.last_read_seq),
        Some(1)
    );
    assert!(matches!(
        store
            .advance_read_cursor(&globex.id, &c, SenderKind::Agent, &owner.id, 10)
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(store
        .list_read_cursors(&globex.id, &c)
        .await
        .unwrap()
        .is_empty());
}

async fn quick_replies(store: Store) {
    let (acme, owner) = tenant(&store, "Acme").await;
    let (globex, _) = tenant(&store, "Globex").await;
    let agent = store
        .create_user(&acme.id, new_user("ann@acme.test", Role::Agent))
        .await
        .unwrap();
    let shared = store
        .create_quick_reply(&acme.id, None, "hello", "Greeting", "Hi! How can I help?")
        .await
        .unwrap();
    let mine = store
        .create_quick_reply(
            &acme.id,
            Some(&agent.id),
            "bye",
            "Goodbye",
            "Have a nice day",
        )
        .await
        .unwrap();
    store
        .create_quick_reply(&acme.id, Some(&owner.id), "owner", "Owner's", "x")
        .await
        .unwrap();

    let for_agent = store
        .list_quick_replies(&acme.id, Some(&agent.id))
        .await
        .unwrap();
    assert_eq!(
        for_agent
            .iter()
            .map(|q| q.shortcut.as_str())
            .collect::<Vec<_>>(),
        vec!["bye", "hello"]
    );
    assert_eq!(
        store.list_quick_replies(&acme.id, None).await.unwrap(),
        vec![shared.clone()]
    );
    assert!(store
        .list_quick_replies(&globex.id, None)
        .await
        .unwrap()
        .is_empty());

    let edited = store
        .update_quick_reply(&acme.id, &mine.id, "cya", "Bye", "See you")
        .await
        .unwrap();
    assert_eq!(
        (edited.shortcut.as_str(), edited.body.as_str()),
        ("cya", "See you")
    );
    assert_eq!(
        store.get_quick_reply(&acme.id, &mine.id).await.unwrap(),
        edited
    );
    assert!(matches!(
        store.get_quick_reply(&globex.id, &mine.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store
            .update_quick_reply(&globex.id, &mine.id, "x", "x", "x")
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.delete_quick_reply(&globex.id, &shared.id).await,
        Err(StoreError::NotFound(_))
    ));
    store
        .delete_quick_reply(&acme.id, &shared.id)
        .await
        .unwrap();
    assert!(matches!(
        store.get_quick_reply(&acme.id, &shared.id).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn blacklist(store: Store) {
    let (acme, owner) = tenant(&store, "Acme").await;
    let (globex, _) = tenant(&store, "Globex").await;
    let now = Utc::now();
    let ip = store
        .create_blacklist_entry(
            &acme.id,
            BlacklistKind::Ip,
            "203.0.113.7",
            "spam",
            None,
            Some(&owner.id),
        )
        .await
        .unwrap();
    let cidr = store
        .create_blacklist_entry(
            &acme.id,
            BlacklistKind::Cidr,
            "198.51.100.0/24",
            "abuse",
            Some(now + Duration::hours(1)),
            None,
        )
        .await
        .unwrap();
    let expired = store
        .create_blacklist_entry(
            &acme.id,
            BlacklistKind::Visitor,
            "v-1",
            "old",
            Some(now - Duration::hours(1)),
            None,
        )
        .await
        .unwrap();

    assert_eq!(
        store
            .list_blacklist(&acme.id, None, None, 10)
            .await
            .unwrap()
            .len(),
        3
    );
    let ips = store
        .list_blacklist(&acme.id, Some(BlacklistKind::Ip), None, 10)
        .await
        .unwrap();
    assert_eq!(ips.iter().map(|e| &e.id).collect::<Vec<_>>(), vec![&ip.id]);
    let newest = store.list_blacklist(&acme.id, None, None, 1).await.unwrap();
    assert_eq!(newest[0].id, expired.id, "newest first");
    let older = store
        .list_blacklist(&acme.id, None, Some(&expired.id), 10)
        .await
        .unwrap();
    assert_eq!(
        older.iter().map(|e| &e.id).collect::<Vec<_>>(),
        vec![&cidr.id, &ip.id]
    );
    let active: Vec<String> = store
        .active_blacklist(&acme.id, now)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert!(active.contains(&ip.id) && active.contains(&cidr.id) && !active.contains(&expired.id));
    let later: Vec<String> = store
        .active_blacklist(&acme.id, now + Duration::hours(2))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(later, vec![ip.id.clone()]);
    assert!(store
        .list_blacklist(&globex.id, None, None, 10)
        .await
        .unwrap()
        .is_empty());

    assert!(matches!(
        store.delete_blacklist_entry(&globex.id, &ip.id).await,
        Err(StoreError::NotFound(_))
    ));
    store
        .delete_blacklist_entry(&acme.id, &ip.id)
        .await
        .unwrap();
    assert_eq!(
        store
            .list_blacklist(&acme.id, None, None, 10)
            .await
            .unwrap()
            .len(),
        2
    );
    // The checks read a recent copy of the blacklist; changes through this store apply at once.
    let in_force = || async {
        let entries = store.active_blacklist(&acme.id, now).await.unwrap();
        entries.into_iter().map(|e| e.value).collect::<Vec<_>>()
    };
    assert_eq!(in_force().await, vec!["198.51.100.0/24"]);
    store
        .create_blacklist_entry(&acme.id, BlacklistKind::Visitor, "v-2", "", None, None)
        .await
        .unwrap();
    assert_eq!(in_force().await, vec!["v-2", "198.51.100.0/24"]);
}

async fn settings(store: Store) {
    let (acme, _) = tenant(&store, "Acme").await;
    let (globex, _) = tenant(&store, "Globex").await;
    let mut s = store.get_settings(&acme.id).await.unwrap();
    assert_eq!(s.routing_strategy, RoutingStrategy::RoundRobin);
    s.welcome_message = "Welcome to Acme".into();
    s.routing_strategy = RoutingStrategy::LeastBusy;
    s.allowed_origins = r#"["https://acme.test"]"#.into();
    s.timezone = "Europe/Berlin".into();
    let saved = store.save_settings(s.clone()).await.unwrap();
    assert_eq!(saved.welcome_message, "Welcome to Acme");
    assert_eq!(saved.routing_strategy, RoutingStrategy::LeastBusy);
    assert_eq!(store.get_settings(&acme.id).await.unwrap(), saved);
    assert_ne!(
        store
            .get_settings(&globex.id)
            .await
            .unwrap()
            .welcome_message,
        "Welcome to Acme"
    );
    let mut missing = saved.clone();
    missing.tenant_id = "no-such-tenant".into();
    assert!(matches!(
        store.save_settings(missing).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn refresh_tokens(store: Store) {
    let (acme, owner) = tenant(&store, "Acme").await;
    let (globex, _) = tenant(&store, "Globex").await;
    let exp = Utc::now() + Duration::days(30);
    let t1 = store
        .insert_refresh_token(&acme.id, &owner.id, "fam-1", "hash-1", exp)
        .await
        .unwrap();
    let found = store.find_refresh_token("hash-1").await.unwrap().unwrap();
    assert_eq!(found, t1);
    assert_eq!(store.find_refresh_token("hash-x").await.unwrap(), None);

    let t2 = store
        .insert_refresh_token(&acme.id, &owner.id, "fam-1", "hash-2", exp)
        .await
        .unwrap();
    assert!(!store
        .rotate_refresh_token(&globex.id, &t1.id, &t2.id)
        .await
        .unwrap());
    assert!(store
        .rotate_refresh_token(&acme.id, &t1.id, &t2.id)
        .await
        .unwrap());
    assert!(
        !store
            .rotate_refresh_token(&acme.id, &t1.id, &t2.id)
            .await
            .unwrap(),
        "a token rotates once"
    );
    let used = store.find_refresh_token("hash-1").await.unwrap().unwrap();
    assert!(used.revoked_at.is_some());
    assert_eq!(used.replaced_by.as_deref(), Some(t2.id.as_str()));

    assert_eq!(
        store
            .revoke_refresh_family(&acme.id, "fam-1")
            .await
            .unwrap(),
        1,
        "only the live one"
    );
    assert!(store
        .find_refresh_token("hash-2")
        .await
        .unwrap()
        .unwrap()
        .revoked_at
        .is_some());
    store
        .insert_refresh_token(&acme.id, &owner.id, "fam-2", "hash-3", exp)
        .await
        .unwrap();
    assert_eq!(
        store
            .revoke_user_refresh_tokens(&globex.id, &owner.id)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .revoke_user_refresh_tokens(&acme.id, &owner.id)
            .await
            .unwrap(),
        1
    );
}

async fn api_tokens(store: Store) {
    let (acme, owner) = tenant(&store, "Acme").await;
    let (globex, _) = tenant(&store, "Globex").await;
    let scopes = vec!["conversations:read".to_string()];
    let t = store
        .create_api_token(&acme.id, "CRM", "h-1", &scopes, Some(&owner.id))
        .await
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Vec<String>>(&t.scopes).unwrap(),
        scopes
    );
    assert!(matches!(
        store
            .create_api_token(&acme.id, "CRM 2", "h-1", &scopes, None)
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.find_active_api_token("h-1").await.unwrap(),
        Some(t.clone())
    );
    store.touch_api_token(&acme.id, &t.id).await.unwrap();
    assert!(store
        .find_active_api_token("h-1")
        .await
        .unwrap()
        .unwrap()
        .last_used_at
        .is_some());
    assert_eq!(store.list_api_tokens(&acme.id).await.unwrap().len(), 1);
    assert!(store.list_api_tokens(&globex.id).await.unwrap().is_empty());
    assert!(matches!(
        store.revoke_api_token(&globex.id, &t.id).await,
        Err(StoreError::NotFound(_))
    ));
    store.revoke_api_token(&acme.id, &t.id).await.unwrap();
    assert_eq!(store.find_active_api_token("h-1").await.unwrap(), None);
    assert!(matches!(
        store.revoke_api_token(&acme.id, &t.id).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn audit_log(store: Store) {
    let (acme, owner) = tenant(&store, "Acme").await;
    let (globex, _) = tenant(&store, "Globex").await;
    for n in 0..3 {
        store
            .append_audit(
                &acme.id,
                NewAudit {
                    actor_id: Some(&owner.id),
                    action: "user.update",
                    target_kind: "user",
                    target_id: Some(&owner.id),
                    details: serde_json::json!({ "n": n }),
                },
            )
            .await
            .unwrap();
    }
    let page = store.list_audit(&acme.id, None, 2).await.unwrap();
    let ns: Vec<i64> = page
        .iter()
        .map(|e| {
            serde_json::from_str::<serde_json::Value>(&e.details).unwrap()["n"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(ns, vec![2, 1], "newest first");
    let rest = store
        .list_audit(&acme.id, Some(&page[1].id), 10)
        .await
        .unwrap();
    assert_eq!(rest.len(), 1);
    assert!(store
        .list_audit(&globex.id, None, 10)
        .await
        .unwrap()
        .is_empty());
}

/// Old audit entries and finished deliveries go; newer ones and pending deliveries stay.
async fn retention(store: Store) {
    let (acme, owner) = tenant(&store, "Acme").await;
    for n in 0..3 {
        let entry = NewAudit {
            actor_id: Some(&owner.id),
            action: "user.update",
            target_kind: "user",
            target_id: Some(&owner.id),
            details: serde_json::json!({ "n": n }),
        };
        store.append_audit(&acme.id, entry).await.unwrap();
    }
    let yesterday = Utc::now() - Duration::days(1);
    assert_eq!(store.purge_audit_before(yesterday).await.unwrap(), 0);
    assert_eq!(store.list_audit(&acme.id, None, 10).await.unwrap().len(), 3);
    let soon = Utc::now() + Duration::seconds(1);
    assert_eq!(store.purge_audit_before(soon).await.unwrap(), 3);
    assert!(store
        .list_audit(&acme.id, None, 10)
        .await
        .unwrap()
        .is_empty());

    let endpoint = store
        .create_webhook_endpoint(
            &acme.id,
            NewEndpoint {
                id: "ep-retention".into(),
                url: "https://example.test/hook".into(),
                events: vec!["ping".into()],
                sealed_secret: "sealed".into(),
                allow_private_network: false,
            },
        )
        .await
        .unwrap();
    let ping = NewEvent {
        event_type: "ping",
        payload: serde_json::json!({}),
    };
    let expires = Utc::now() + Duration::days(1);
    let delivered = store.queue_ping(&endpoint, &ping, expires).await.unwrap();
    let pending = store.queue_ping(&endpoint, &ping, expires).await.unwrap();
    let attempt = Attempt {
        status: DeliveryStatus::Delivered,
        next_attempt_at: Utc::now(),
        response_code: Some(200),
        latency_ms: 3,
        body_excerpt: None,
        error: None,
    };
    store.record_attempt(&delivered.id, attempt).await.unwrap();
    assert_eq!(
        store
            .purge_finished_deliveries_before(yesterday)
            .await
            .unwrap(),
        (0, 0)
    );
    assert_eq!(
        store.purge_finished_deliveries_before(soon).await.unwrap(),
        (1, 1),
        "the delivered one and its event"
    );
    let left = store
        .list_deliveries(&acme.id, &endpoint.id, None, 10)
        .await
        .unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].0.id, pending.id);
    assert_eq!(
        left[0].1.id, pending.event_id,
        "the pending one keeps its event"
    );

    // Agents' status history: changes older than the cutoff go, newer ones stay.
    let old = Utc::now() - Duration::days(800);
    store
        .record_status_change(&acme.id, &owner.id, AgentStatus::Online, old)
        .await
        .unwrap();
    store
        .record_status_change(&acme.id, &owner.id, AgentStatus::Away, Utc::now())
        .await
        .unwrap();
    let cutoff = Utc::now() - Duration::days(730);
    assert_eq!(store.purge_status_changes_before(cutoff).await.unwrap(), 1);
    assert_eq!(store.purge_status_changes_before(cutoff).await.unwrap(), 0);
    let left = store
        .status_changes(&acme.id, old, Utc::now() + Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(left.len(), 1, "the recent change stays");
}

/// How a batch reaches the database: through the pool (sea-orm), or on the message writer's
/// own connection (below the ORM, SQLite only; the pool elsewhere).
#[derive(Clone, Copy)]
enum Via {
    Pool,
    Own,
}

async fn append_via(
    store: &Store,
    via: Via,
    batch: Vec<(String, NewMessage)>,
) -> Vec<uniqchat::store::StoreResult<uniqchat::store::Appended>> {
    let own = match via {
        Via::Pool => None,
        Via::Own => store.sqlite_batch_writer().unwrap(),
    };
    match own {
        Some(mut own) => {
            let hooks = vec![None; batch.len()];
            let results = store.append_messages_sqlite(&mut own, batch, hooks).await;
            results.unwrap()
        }
        None => store.append_messages(batch).await.unwrap(),
    }
}

async fn batched_appends(store: Store) {
    batched_appends_via(store, Via::Pool).await
}

async fn batched_appends_on_own_connection(store: Store) {
    batched_appends_via(store, Via::Own).await
}

async fn conditional_appends(store: Store) {
    conditional_appends_via(store, Via::Pool).await
}

async fn conditional_appends_on_own_connection(store: Store) {
    conditional_appends_via(store, Via::Own).await
}

/// One transaction for many messages; a bad one costs only itself. What is stored reads back
/// through the ORM exactly as the batch returned it.
async fn batched_appends_via(store: Store, via: Via) {
    let (acme, _) = tenant(&store, "Acme").await;
    let (globex, _) = tenant(&store, "Globex").await;
    let c1 = conversation(&store, &acme.id).await;
    let c2 = conversation(&store, &acme.id).await;
    let t = acme.id.clone();
    let batch = vec![
        (t.clone(), text(&c1, "v1", Some("a"), "one")),
        (t.clone(), text(&c2, "v2", Some("a"), "other conversation")),
        (t.clone(), text("missing", "v1", Some("b"), "lost")),
        (t.clone(), text(&c1, "v1", Some("a"), "resent")),
        (t.clone(), text(&c1, "v1", Some("c"), "two")),
        // Another tenant's conversation id is unknown to this one.
        (globex.id.clone(), text(&c1, "v9", Some("z"), "intruder")),
    ];
    let results = append_via(&store, via, batch).await;
    assert_eq!(results.len(), 6);
    assert!(matches!(results[5], Err(StoreError::NotFound(_))));
    assert_eq!(results[0].as_ref().unwrap().message.seq, 1);
    assert_eq!(results[1].as_ref().unwrap().message.seq, 1);
    assert!(matches!(results[2], Err(StoreError::NotFound(_))));
    let dup = results[3].as_ref().unwrap();
    assert!(dup.duplicate && dup.message.seq == 1 && dup.message.body == "one");
    assert_eq!(
        results[4].as_ref().unwrap().message.seq,
        2,
        "no gap after the failure and the duplicate"
    );
    let stored = store
        .list_messages_after(&acme.id, &c1, 0, 10)
        .await
        .unwrap();
    assert_eq!(
        stored.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
        vec!["one", "two"]
    );
    assert_eq!(stored[0], results[0].as_ref().unwrap().message);
    assert_eq!(stored[1], results[4].as_ref().unwrap().message);
    let c1_now = store.get_conversation(&acme.id, &c1).await.unwrap();
    assert_eq!(c1_now, results[4].as_ref().unwrap().conversation);
}

/// A message that requires something of its conversation is stored only if the locked row
/// meets it; a refusal hands back the conversation as it was and changes nothing, while a
/// resend of a message stored before is still a duplicate. Batched and single paths alike.
async fn conditional_appends_via(store: Store, via: Via) {
    use uniqchat::store::Precondition;
    const OPEN: &[ConversationState] = &[ConversationState::Waiting, ConversationState::Chatting];
    let (acme, _) = tenant(&store, "Acme").await;
    let t = acme.id.clone();
    let c = conversation(&store, &t).await;
    let visitor = store.get_conversation(&t, &c).await.unwrap().visitor_id;
    let by = |who: &str, id: &str, states: &'static [ConversationState]| {
        let mut m = text(&c, &visitor, Some(id), "hello");
        m.precondition = Precondition {
            visitor_id: Some(who.to_string()),
            states,
            ..Default::default()
        };
        (t.clone(), m)
    };
    let results = append_via(
        &store,
        via,
        vec![
            by(&visitor, "a", OPEN),
            by("someone-else", "b", OPEN),
            by(&visitor, "c", &[ConversationState::Chatting]),
            by(&visitor, "d", OPEN),
        ],
    )
    .await;
    let stored = results[0].as_ref().unwrap();
    assert_eq!((stored.message.seq, stored.conversation.last_seq), (1, 1));
    match &results[1] {
        Err(StoreError::Precondition(was)) => {
            assert_eq!(
                (was.id.as_str(), was.visitor_id.as_str()),
                (c.as_str(), visitor.as_str())
            )
        }
        other => panic!("a stranger's message must be refused: {other:?}"),
    }
    match &results[2] {
        Err(StoreError::Precondition(was)) => assert_eq!(was.state, ConversationState::Waiting),
        other => panic!("a waiting conversation is not chatting: {other:?}"),
    }
    let after = results[3].as_ref().unwrap();
    assert_eq!(after.message.seq, 2, "refusals leave no gap");
    let before_close = store.get_conversation(&t, &c).await.unwrap();
    assert_eq!(before_close.last_seq, 2);

    assert!(store.close_conversation(&t, &c, "done").await.unwrap());
    let closed = store.get_conversation(&t, &c).await.unwrap();
    // A resend of "a" after the close is answered with the stored copy; "e" is refused.
    let results = append_via(
        &store,
        via,
        vec![by(&visitor, "a", OPEN), by(&visitor, "e", OPEN)],
    )
    .await;
    let dup = results[0].as_ref().unwrap();
    assert!(dup.duplicate && dup.message.seq == 1, "{dup:?}");
    assert!(
        matches!(&results[1], Err(StoreError::Precondition(was)) if was.state == ConversationState::Closed)
    );
    let (_, single) = by(&visitor, "f", OPEN);
    assert!(matches!(
        store.append_message(&t, single).await,
        Err(StoreError::Precondition(_))
    ));
    let (_, resent) = by(&visitor, "d", OPEN);
    let dup = store.append_message(&t, resent).await.unwrap();
    assert!(dup.duplicate && dup.message.seq == 2, "{dup:?}");

    let now = store.get_conversation(&t, &c).await.unwrap();
    assert_eq!(now, closed, "refused and resent messages change nothing");
    let bodies = store.list_messages_after(&t, &c, 0, 10).await.unwrap();
    assert_eq!(bodies.len(), 2);
}

/// The writers commit in batches and answer each sender; with several writers side by side
/// (here three, on every backend) each conversation still gets gap-free seqs.
async fn message_writer(store: Store) {
    let (acme, _) = tenant(&store, "Acme").await;
    let mut conversations = Vec::new();
    for _ in 0..4 {
        conversations.push(conversation(&store, &acme.id).await);
    }
    let (writer, handle) = uniqchat::store::MessageWriter::spawn(store.clone(), 16, 64, 3);
    let mut tasks = Vec::new();
    for n in 0..40 {
        let c = conversations[n % conversations.len()].clone();
        let (w, t) = (writer.clone(), acme.id.clone());
        tasks.push(tokio::spawn(async move {
            let appended = w.append(&t, text(&c, "v", Some(&n.to_string()), "x")).await;
            (c, appended.unwrap().message.seq)
        }));
    }
    let mut seqs: std::collections::BTreeMap<String, Vec<i64>> = Default::default();
    for task in tasks {
        let (c, seq) = task.await.unwrap();
        seqs.entry(c).or_default().push(seq);
    }
    for (c, mut got) in seqs {
        got.sort();
        assert_eq!(got, (1..=10).collect::<Vec<i64>>(), "conversation {c}");
    }
    drop(writer);
    handle.await.unwrap();
}

/// Two agents' worth of concurrent assignments never push one agent past their limit.
async fn capacity_is_decided_by_the_database(store: Store) {
    use uniqchat::store::AssignOutcome;
    let (acme, _) = tenant(&store, "Acme").await;
    let mut agent = new_user("ann@acme.test", Role::Agent);
    agent.max_chats = 2;
    let agent = store.create_user(&acme.id, agent).await.unwrap();
    let mut convs = Vec::new();
    for _ in 0..6 {
        convs.push(conversation(&store, &acme.id).await);
    }
    let waiting = [ConversationState::Waiting];
    let mut tasks = Vec::new();
    for c in &convs {
        let (store, t, c, a) = (store.clone(), acme.id.clone(), c.clone(), agent.id.clone());
        tasks.push(tokio::spawn(async move {
            store
                .assign_within_capacity(&t, &c, &a, &waiting)
                .await
                .unwrap()
        }));
    }
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap());
    }
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| **o == AssignOutcome::Assigned)
            .count(),
        2,
        "{outcomes:?}"
    );
    assert_eq!(
        store
            .count_open_for_agent(&acme.id, &agent.id)
            .await
            .unwrap(),
        2
    );
    // The same conversation twice: only one wins.
    let taken = store
        .assign_within_capacity(&acme.id, &convs[0], &agent.id, &waiting)
        .await
        .unwrap();
    assert_ne!(taken, AssignOutcome::Assigned);
    assert!(matches!(
        store
            .assign_within_capacity(&acme.id, &convs[0], "nobody", &waiting)
            .await,
        Err(StoreError::NotFound(_))
    ));
}

/// The archive swap: conditional on the conversation as it was read, once only; settings
/// per tenant; summaries searched within the tenant; deletion takes everything with it.
async fn archive_swap(store: Store) {
    let (acme, _) = tenant(&store, "Acme").await;
    let (globex, _) = tenant(&store, "Globex").await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let id = conversation(&store, &acme.id).await;
        for (n, body) in ["hello", "world"].into_iter().enumerate() {
            let m = text(&id, "v", Some(&format!("{id}-{n}")), body);
            store.append_message(&acme.id, m).await.unwrap();
        }
        assert!(store
            .close_conversation(&acme.id, &id, "agent")
            .await
            .unwrap());
        ids.push(id);
    }
    let soon = Utc::now() + Duration::seconds(5);
    let due = store
        .due_for_archive(&acme.id, soon, None, 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 2);
    assert!(store
        .due_for_archive(&globex.id, soon, None, 10)
        .await
        .unwrap()
        .is_empty());
    let after_first = store
        .due_for_archive(&acme.id, soon, Some(&due[0].id), 10)
        .await
        .unwrap();
    assert_eq!(after_first.len(), 1);
    let new = |key: &'static str| uniqchat::store::NewArchive {
        object_key: key,
        summary: "ann | ann@example.test | hello",
        message_count: 2,
    };
    // Read, then a message arrives: the swap refuses and deletes nothing.
    let stale = store.get_conversation(&acme.id, &ids[1]).await.unwrap();
    store
        .append_message(&acme.id, text(&ids[1], "s", None, "late"))
        .await
        .unwrap();
    assert!(!store.commit_archive(&stale, new("k1")).await.unwrap());
    assert_eq!(
        store
            .list_messages_after(&acme.id, &ids[1], 0, 10)
            .await
            .unwrap()
            .len(),
        3
    );
    let c = store.get_conversation(&acme.id, &ids[0]).await.unwrap();
    assert!(store.commit_archive(&c, new("k0")).await.unwrap());
    assert!(
        !store.commit_archive(&c, new("k0")).await.unwrap(),
        "once only"
    );
    assert!(store
        .list_messages_after(&acme.id, &ids[0], 0, 10)
        .await
        .unwrap()
        .is_empty());
    let row = store.get_archive(&acme.id, &ids[0]).await.unwrap().unwrap();
    assert_eq!((row.object_key.as_str(), row.message_count), ("k0", 2));
    assert!(store
        .get_archive(&globex.id, &ids[0])
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        store
            .due_for_archive(&acme.id, soon, None, 10)
            .await
            .unwrap()
            .len(),
        1,
        "archived ones are not due again"
    );
    let found = store
        .search_archived(&acme.id, "ANN@EXAMPLE", 10)
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert!(store
        .search_archived(&acme.id, "100%", 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .search_archived(&globex.id, "ann", 10)
        .await
        .unwrap()
        .is_empty());

    let off = store.get_archive_settings(&acme.id).await.unwrap();
    assert!(off.is_off());
    let on = uniqchat::store::ArchiveSettings {
        archive_after_days: 30,
        delete_after_days: 400,
    };
    store.save_archive_settings(&acme.id, on).await.unwrap();
    store.save_archive_settings(&acme.id, on).await.unwrap();
    assert_eq!(store.get_archive_settings(&acme.id).await.unwrap(), on);
    assert_eq!(
        store.tenants_archiving().await.unwrap(),
        vec![(acme.id.clone(), on)]
    );

    assert_eq!(
        store
            .due_for_deletion(&acme.id, soon, None, 10)
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(store.delete_conversation(&acme.id, &ids[0]).await.unwrap());
    assert!(!store.delete_conversation(&acme.id, &ids[0]).await.unwrap());
    assert!(store
        .get_archive(&acme.id, &ids[0])
        .await
        .unwrap()
        .is_none());
    assert!(!store
        .delete_conversation(&globex.id, &ids[1])
        .await
        .unwrap());
    assert!(store.get_conversation(&acme.id, &ids[1]).await.is_ok());
}

on_every_backend!(
    archive_swap,
    retention,
    batched_appends,
    batched_appends_on_own_connection,
    conditional_appends,
    conditional_appends_on_own_connection,
    message_writer,
    capacity_is_decided_by_the_database,
    migrations_are_idempotent,
    tenants,
    users,
    groups,
    visitors,
    conversations,
    messages,
    concurrent_appends_are_gap_free,
    read_cursors,
    quick_replies,
    blacklist,
    settings,
    refresh_tokens,
    api_tokens,
    audit_log,
);
