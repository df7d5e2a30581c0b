//! Hybrid mode: the language model's drafts of replies, which an agent approves (edited or
//! not) or dismisses; kept for audit.

use sea_orm_migration::prelude::*;

use super::schema::{cascade, id, index, opt_id, opt_time, string, text, time, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

const DRAFTS: &str = "reply_drafts";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(Alias::new(DRAFTS))
                    .col(id("id").primary_key())
                    .col(id("tenant_id"))
                    .col(id("conversation_id"))
                    .col(id("message_id"))
                    .col(text("body"))
                    .col(ColumnDef::new(Alias::new("final_body")).text().null())
                    .col(string("status", 16))
                    .col(opt_id("approved_by"))
                    .col(time(b, "created_at"))
                    .col(opt_time(b, "decided_at"))
                    .foreign_key(&mut cascade(DRAFTS, "conversation_id", "conversations"))
                    .to_owned(),
            )
            .await?;
        // One draft per visitor message, whichever node drafts it.
        manager
            .create_index(unique(DRAFTS, "message", &["message_id"]))
            .await?;
        manager
            .create_index(index(
                DRAFTS,
                "conversation",
                &["conversation_id", "created_at"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new(DRAFTS)).to_owned())
            .await
    }
}
