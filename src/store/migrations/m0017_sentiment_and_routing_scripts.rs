//! The mood score of each visitor message (kept beside the messages, never in them) and the
//! versions of each tenant's routing script, at most one of them active.

use sea_orm_migration::prelude::*;

use super::schema::{boolean, cascade, id, index, int, opt_id, text, time, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SENTIMENT: &str = "message_sentiment";
const SCRIPTS: &str = "routing_scripts";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(Alias::new(SENTIMENT))
                    .col(id("message_id").primary_key())
                    .col(id("tenant_id"))
                    .col(id("conversation_id"))
                    .col(ColumnDef::new(Alias::new("score")).double().not_null())
                    .col(time(b, "created_at"))
                    .foreign_key(&mut cascade(SENTIMENT, "message_id", "messages"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                SENTIMENT,
                "conversation",
                &["tenant_id", "conversation_id", "created_at"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new(SCRIPTS))
                    .col(id("id").primary_key())
                    .col(id("tenant_id"))
                    .col(int("version"))
                    .col(text("source"))
                    .col(opt_id("created_by"))
                    .col(time(b, "created_at"))
                    .col(boolean("active"))
                    .foreign_key(&mut cascade(SCRIPTS, "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(SCRIPTS, "version", &["tenant_id", "version"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new(SCRIPTS)).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Alias::new(SENTIMENT)).to_owned())
            .await
    }
}
