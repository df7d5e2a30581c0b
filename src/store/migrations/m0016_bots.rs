//! Automation: each tenant's chain of bots and its settings, the knowledge base, one row per
//! visitor message a bot handled (which also keeps two nodes from answering the same message),
//! and the language-model tokens used per tenant per month.

use sea_orm_migration::prelude::*;

use super::schema::{
    big, boolean, cascade, composite_key, id, index, int, opt_id, opt_string, string, text, time,
    unique,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SETTINGS: &str = "bot_settings";
const ENTRIES: &str = "knowledge_entries";
const TURNS: &str = "bot_turns";
const USAGE: &str = "bot_usage";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(Alias::new(SETTINGS))
                    .col(id("tenant_id").primary_key())
                    .col(boolean("enabled"))
                    // The chain and every bot's settings, as JSON (docs/bots.md).
                    .col(text("config"))
                    // The language model's API key, sealed (service/sealing.rs).
                    .col(ColumnDef::new(Alias::new("model_key")).text().null())
                    .col(time(b, "updated_at"))
                    .foreign_key(&mut cascade(SETTINGS, "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new(ENTRIES))
                    .col(id("id").primary_key())
                    .col(id("tenant_id"))
                    // A JSON array of the ways a visitor may ask the question.
                    .col(text("questions"))
                    .col(text("answer"))
                    // A JSON array of labels.
                    .col(text("tags"))
                    .col(string("language", 16))
                    .col(int("helpful"))
                    .col(int("unhelpful"))
                    .col(time(b, "created_at"))
                    .col(time(b, "updated_at"))
                    .foreign_key(&mut cascade(ENTRIES, "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(ENTRIES, "tenant", &["tenant_id"]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new(TURNS))
                    .col(id("id").primary_key())
                    .col(id("tenant_id"))
                    .col(id("conversation_id"))
                    // The visitor's message the turn answers.
                    .col(id("message_id"))
                    .col(text("question"))
                    // `pending`, `answered` or `handover`.
                    .col(string("outcome", 16))
                    // The bot that answered, or why the conversation was handed over.
                    .col(opt_string("detail", 64))
                    // Confidence of the answer, in thousandths.
                    .col(int("confidence"))
                    .col(opt_id("entry_id"))
                    .col(opt_id("reply_id"))
                    // The visitor's rating of the reply: 1 helpful, -1 not helpful.
                    .col(ColumnDef::new(Alias::new("rating")).integer().null())
                    .col(int("tokens"))
                    .col(time(b, "created_at"))
                    .foreign_key(&mut cascade(TURNS, "conversation_id", "conversations"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(TURNS, "message", &["tenant_id", "message_id"]))
            .await?;
        manager
            .create_index(index(
                TURNS,
                "conversation",
                &["tenant_id", "conversation_id"],
            ))
            .await?;
        manager
            .create_index(index(TURNS, "reply", &["tenant_id", "reply_id"]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new(USAGE))
                    .col(id("tenant_id"))
                    // `YYYY-MM`, UTC.
                    .col(string("month", 7))
                    .col(big("tokens"))
                    .primary_key(&mut composite_key(&["tenant_id", "month"]))
                    .foreign_key(&mut cascade(USAGE, "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [USAGE, TURNS, ENTRIES, SETTINGS] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
