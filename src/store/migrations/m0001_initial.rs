//! The first schema: accounts, conversations, messages and tenant configuration.

use sea_orm_migration::prelude::*;

use super::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Creation order; dropped in reverse.
const TABLES: [&str; 14] = [
    "tenants",
    "users",
    "groups",
    "group_members",
    "visitors",
    "conversations",
    "messages",
    "read_cursors",
    "quick_replies",
    "blacklist_entries",
    "tenant_settings",
    "refresh_tokens",
    "api_tokens",
    "audit_log",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        let t = |name: &str| Table::create().table(Alias::new(name)).to_owned();

        manager
            .create_table(
                t("tenants")
                    .col(id("id").primary_key())
                    .col(string("name", 200))
                    .col(string("site_key", 64))
                    .col(time(b, "created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique("tenants", "site_key", &["site_key"]))
            .await?;

        manager
            .create_table(
                t("users")
                    .col(id("id").primary_key())
                    .col(id("tenant_id"))
                    .col(string("email", 254))
                    .col(string("name", 200))
                    .col(string("role", 16))
                    .col(string("password_hash", 255))
                    .col(int("max_chats"))
                    .col(string("status", 16))
                    .col(boolean("disabled"))
                    .col(boolean("must_change_password"))
                    .col(time(b, "created_at"))
                    .col(time(b, "updated_at"))
                    .foreign_key(&mut cascade("users", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique("users", "email", &["email"]))
            .await?;
        manager
            .create_index(index("users", "tenant", &["tenant_id", "created_at"]))
            .await?;

        manager
            .create_table(
                t("groups")
                    .col(id("id").primary_key())
                    .col(id("tenant_id"))
                    .col(string("name", 100))
                    .col(string("description", 500))
                    .col(time(b, "created_at"))
                    .foreign_key(&mut cascade("groups", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique("groups", "tenant_name", &["tenant_id", "name"]))
            .await?;

        manager
            .create_table(
                t("group_members")
                    .col(id("group_id"))
                    .col(id("user_id"))
                    .col(id("tenant_id"))
                    .primary_key(&mut composite_key(&["group_id", "user_id"]))
                    .foreign_key(&mut cascade("group_members", "group_id", "groups"))
                    .foreign_key(&mut cascade("group_members", "user_id", "users"))
                    .foreign_key(&mut cascade("group_members", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("group_members", "user", &["user_id"]))
            .await?;

        manager
            .create_table(
                t("visitors")
                    .col(id("id").primary_key())
                    .col(id("tenant_id"))
                    .col(opt_string("external_id", 200))
                    .col(opt_string("name", 200))
                    .col(opt_string("email", 254))
                    .col(opt_string("ip", 64))
                    .col(opt_string("user_agent", 512))
                    .col(opt_string("referrer", 2048))
                    .col(text("pages"))
                    .col(text("attributes"))
                    .col(time(b, "created_at"))
                    .col(time(b, "last_seen_at"))
                    .foreign_key(&mut cascade("visitors", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("visitors", "external", &["tenant_id", "external_id"]))
            .await?;

        manager
            .create_table(
                t("conversations")
                    .col(id("id").primary_key())
                    .col(id("tenant_id"))
                    .col(id("visitor_id"))
                    .col(opt_id("agent_id"))
                    .col(opt_id("group_id"))
                    .col(string("state", 16))
                    .col(opt_id("previous_id"))
                    .col(big("last_seq"))
                    .col(time(b, "created_at"))
                    .col(time(b, "updated_at"))
                    .col(opt_time(b, "assigned_at"))
                    .col(opt_time(b, "first_response_at"))
                    .col(opt_time(b, "closed_at"))
                    .col(opt_string("close_reason", 32))
                    .col(ColumnDef::new(Alias::new("rating")).integer().null())
                    .col(opt_string("rating_comment", 2000))
                    .foreign_key(&mut cascade("conversations", "tenant_id", "tenants"))
                    .foreign_key(&mut cascade("conversations", "visitor_id", "visitors"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "conversations",
                "state",
                &["tenant_id", "state", "created_at"],
            ))
            .await?;
        manager
            .create_index(index(
                "conversations",
                "agent",
                &["tenant_id", "agent_id", "state"],
            ))
            .await?;
        manager
            .create_index(index(
                "conversations",
                "visitor",
                &["tenant_id", "visitor_id"],
            ))
            .await?;

        manager
            .create_table(
                t("messages")
                    .col(id("id").primary_key())
                    .col(id("tenant_id"))
                    .col(id("conversation_id"))
                    .col(big("seq"))
                    .col(string("sender_kind", 16))
                    .col(opt_id("sender_id"))
                    .col(opt_string("client_msg_id", 64))
                    .col(string("kind", 16))
                    .col(text("body"))
                    .col(time(b, "created_at"))
                    .foreign_key(&mut cascade("messages", "tenant_id", "tenants"))
                    .foreign_key(&mut cascade("messages", "conversation_id", "conversations"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique("messages", "seq", &["conversation_id", "seq"]))
            .await?;
        manager
            .create_index(unique(
                "messages",
                "client_msg",
                &[
                    "conversation_id",
                    "sender_kind",
                    "sender_id",
                    "client_msg_id",
                ],
            ))
            .await?;

        manager
            .create_table(
                t("read_cursors")
                    .col(id("conversation_id"))
                    .col(string("participant_kind", 16))
                    .col(id("participant_id"))
                    .col(id("tenant_id"))
                    .col(big("last_read_seq"))
                    .col(time(b, "updated_at"))
                    .primary_key(&mut composite_key(&[
                        "conversation_id",
                        "participant_kind",
                        "participant_id",
                    ]))
                    .foreign_key(&mut cascade(
                        "read_cursors",
                        "conversation_id",
                        "conversations",
                    ))
                    .foreign_key(&mut cascade("read_cursors", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                t("quick_replies")
                    .col(id("id").primary_key())
                    .col(id("tenant_id"))
                    .col(opt_id("owner_id"))
                    .col(string("shortcut", 64))
                    .col(string("title", 200))
                    .col(text("body"))
                    .col(time(b, "created_at"))
                    .col(time(b, "updated_at"))
                    .foreign_key(&mut cascade("quick_replies", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "quick_replies",
                "shortcut",
                &["tenant_id", "shortcut"],
            ))
            .await?;

        manager
            .create_table(
                t("blacklist_entries")
                    .col(id("id").primary_key())
                    .col(id("tenant_id"))
                    .col(string("kind", 16))
                    .col(string("value", 64))
                    .col(string("reason", 500))
                    .col(opt_time(b, "expires_at"))
                    .col(opt_id("created_by"))
                    .col(time(b, "created_at"))
                    .foreign_key(&mut cascade("blacklist_entries", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "blacklist_entries",
                "value",
                &["tenant_id", "kind", "value"],
            ))
            .await?;

        manager
            .create_table(
                t("tenant_settings")
                    .col(id("tenant_id").primary_key())
                    .col(text("welcome_message"))
                    .col(text("offline_message"))
                    .col(text("business_hours"))
                    .col(string("timezone", 64))
                    .col(string("routing_strategy", 16))
                    .col(string("widget_color", 16))
                    .col(string("widget_title", 100))
                    .col(string("widget_position", 16))
                    .col(text("allowed_origins"))
                    .col(time(b, "updated_at"))
                    .foreign_key(
                        &mut ForeignKey::create()
                            .name("fk_tenant_settings_tenant_id")
                            .from(Alias::new("tenant_settings"), Alias::new("tenant_id"))
                            .to(Alias::new("tenants"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::Cascade)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                t("refresh_tokens")
                    .col(id("id").primary_key())
                    .col(id("tenant_id"))
                    .col(id("user_id"))
                    .col(id("family_id"))
                    .col(string("token_hash", 64))
                    .col(time(b, "expires_at"))
                    .col(opt_time(b, "revoked_at"))
                    .col(opt_id("replaced_by"))
                    .col(time(b, "created_at"))
                    .foreign_key(&mut cascade("refresh_tokens", "tenant_id", "tenants"))
                    .foreign_key(&mut cascade("refresh_tokens", "user_id", "users"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique("refresh_tokens", "hash", &["token_hash"]))
            .await?;
        manager
            .create_index(index("refresh_tokens", "family", &["family_id"]))
            .await?;

        manager
            .create_table(
                t("api_tokens")
                    .col(id("id").primary_key())
                    .col(id("tenant_id"))
                    .col(string("name", 100))
                    .col(string("token_hash", 64))
                    .col(text("scopes"))
                    .col(opt_id("created_by"))
                    .col(time(b, "created_at"))
                    .col(opt_time(b, "last_used_at"))
                    .col(opt_time(b, "revoked_at"))
                    .foreign_key(&mut cascade("api_tokens", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique("api_tokens", "hash", &["token_hash"]))
            .await?;

        manager
            .create_table(
                t("audit_log")
                    .col(id("id").primary_key())
                    .col(id("tenant_id"))
                    .col(opt_id("actor_id"))
                    .col(string("action", 64))
                    .col(string("target_kind", 32))
                    .col(opt_string("target_id", 64))
                    .col(text("details"))
                    .col(time(b, "created_at"))
                    .foreign_key(&mut cascade("audit_log", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("audit_log", "tenant", &["tenant_id", "id"]))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.iter().rev() {
            manager
                .drop_table(
                    Table::drop()
                        .table(Alias::new(*table))
                        .if_exists()
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
