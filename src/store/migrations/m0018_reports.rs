//! Reports: the history of agents' statuses (time online / busy / away / offline), written on
//! every change, and indexes to read a tenant's conversations and messages by time.

use sea_orm_migration::prelude::*;

use super::schema::{cascade, id, index, string, time};

#[derive(DeriveMigrationName)]
pub struct Migration;

const CHANGES: &str = "agent_status_changes";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(Alias::new(CHANGES))
                    .col(id("id").primary_key())
                    .col(id("tenant_id"))
                    .col(id("user_id"))
                    .col(string("status", 16))
                    .col(time(b, "changed_at"))
                    .foreign_key(&mut cascade(CHANGES, "user_id", "users"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(CHANGES, "tenant", &["tenant_id", "changed_at"]))
            .await?;
        // Each agent's last change before a report's range (store/reports/availability.rs).
        manager
            .create_index(index(CHANGES, "user", &["user_id", "changed_at"]))
            .await?;
        manager
            .create_index(index(
                "conversations",
                "created",
                &["tenant_id", "created_at"],
            ))
            .await?;
        // Not led by tenant_id: MySQL would make it the index of the messages' tenant foreign
        // key, and then refuse to drop it in `down`. The monitor reads the last minute of
        // messages, a short range of this index whatever the number of tenants.
        manager
            .create_index(index("messages", "created", &["created_at"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_messages_created")
                    .table(Alias::new("messages"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_conversations_created")
                    .table(Alias::new("conversations"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Alias::new(CHANGES)).to_owned())
            .await
    }
}
