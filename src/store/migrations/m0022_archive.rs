//! Hot/cold archive: per tenant, when closed conversations go to object storage and when they
//! are deleted; per archived conversation, its searchable summary and where its object is.
//! The conversation row itself stays (state, times, rating); its messages leave the hot tables.

use sea_orm_migration::prelude::*;

use super::schema::{big, cascade, id, index, int, string, text, time};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SETTINGS: &str = "archive_settings";
const ARCHIVES: &str = "conversation_archives";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(Alias::new(SETTINGS))
                    .col(id("tenant_id").primary_key())
                    .col(int("archive_after_days"))
                    .col(int("delete_after_days"))
                    .col(time(b, "updated_at"))
                    .foreign_key(&mut cascade(SETTINGS, "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new(ARCHIVES))
                    .col(id("conversation_id").primary_key())
                    .col(id("tenant_id"))
                    .col(string("object_key", 200))
                    .col(big("message_count"))
                    .col(text("summary"))
                    .col(time(b, "archived_at"))
                    .foreign_key(&mut cascade(ARCHIVES, "conversation_id", "conversations"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(ARCHIVES, "tenant", &["tenant_id", "archived_at"]))
            .await?;
        // Closed conversations by closing time: what the archive job looks for.
        manager
            .create_index(index(
                "conversations",
                "closed",
                &["tenant_id", "state", "closed_at"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_conversations_closed")
                    .table(Alias::new("conversations"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Alias::new(ARCHIVES)).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Alias::new(SETTINGS)).to_owned())
            .await
    }
}
