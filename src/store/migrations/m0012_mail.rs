//! E-mail: each tenant's SMTP settings (the password sealed), the mail outbox (one row per
//! message and recipient, sent by a worker with retries), and the visitor's language (which
//! picks the templates).

use sea_orm_migration::prelude::*;

use super::schema::{boolean, cascade, id, index, int, opt_id, opt_string, opt_time, string, time};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("mail_settings"))
                    .col(id("tenant_id").primary_key())
                    .col(string("host", 255))
                    .col(int("port"))
                    .col(string("tls", 16))
                    .col(string("username", 255))
                    .col(ColumnDef::new(Alias::new("password")).text().null())
                    .col(string("from_address", 320))
                    .col(string("from_name", 200))
                    .col(string("team_address", 320))
                    .col(boolean("transcript_on_close"))
                    .col(time(b, "updated_at"))
                    .foreign_key(&mut cascade("mail_settings", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("mail_outbox"))
                    .col(id("id").primary_key())
                    .col(id("tenant_id"))
                    .col(string("kind", 32))
                    .col(opt_id("conversation_id"))
                    .col(string("recipient", 320))
                    .col(string("subject", 500))
                    .col(string("language", 16))
                    .col(string("message_id", 255))
                    .col(string("status", 16))
                    .col(int("attempts"))
                    .col(time(b, "next_attempt_at"))
                    .col(time(b, "claimed_until"))
                    .col(opt_time(b, "last_attempt_at"))
                    .col(opt_time(b, "sent_at"))
                    .col(ColumnDef::new(Alias::new("error")).text().null())
                    .col(time(b, "created_at"))
                    .foreign_key(&mut cascade("mail_outbox", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("mail_outbox", "due", &["status", "next_attempt_at"]))
            .await?;
        manager
            .create_index(index("mail_outbox", "tenant", &["tenant_id", "id"]))
            .await?;
        manager
            .create_index(index(
                "mail_outbox",
                "conversation",
                &["conversation_id", "kind", "status"],
            ))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("visitors"))
                    .add_column(opt_string("language", 16))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("visitors"))
                    .drop_column(Alias::new("language"))
                    .to_owned(),
            )
            .await?;
        for table in ["mail_outbox", "mail_settings"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
