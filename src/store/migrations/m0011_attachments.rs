//! Files and images attached to conversations: what was checked and stored, never the bytes
//! (those are in the object store under `object_key`, a key the server made up).

use sea_orm_migration::prelude::*;

use super::schema::{big, cascade, id, index, int, opt_string, string, time};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "attachments";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(Alias::new(TABLE))
                    .col(id("id").primary_key())
                    .col(id("tenant_id"))
                    .col(id("conversation_id"))
                    .col(string("uploader_kind", 16))
                    .col(id("uploader_id"))
                    .col(string("name", 255))
                    .col(string("content_type", 100))
                    .col(big("size"))
                    .col(string("sha256", 64))
                    .col(string("object_key", 200))
                    .col(opt_string("thumbnail_key", 200))
                    .col(int("width"))
                    .col(int("height"))
                    .col(time(b, "created_at"))
                    .foreign_key(&mut cascade(TABLE, "conversation_id", "conversations"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                TABLE,
                "tenant_conversation",
                &["tenant_id", "conversation_id"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new(TABLE)).to_owned())
            .await
    }
}
