//! Webhooks on a persistent outbox: the endpoints admins register, the events written in the
//! same transaction as the change that causes them, and one delivery per event and endpoint
//! (status, attempts, the next attempt, the claim that keeps two workers from sending it at
//! once, and what the last attempt answered).

use sea_orm_migration::prelude::*;

use super::schema::{
    boolean, cascade, id, index, int, opt_string, opt_time, string, text, time, unique,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("webhook_endpoints"))
                    .col(id("id").primary_key())
                    .col(id("tenant_id"))
                    .col(string("url", 2048))
                    .col(text("events"))
                    .col(text("secret"))
                    .col(boolean("enabled"))
                    .col(boolean("allow_private_network"))
                    .col(int("failure_count"))
                    .col(opt_string("disabled_reason", 500))
                    .col(time(b, "created_at"))
                    .col(time(b, "updated_at"))
                    .foreign_key(&mut cascade("webhook_endpoints", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("webhook_endpoints", "tenant", &["tenant_id"]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("outbox_events"))
                    .col(id("id").primary_key())
                    .col(id("tenant_id"))
                    .col(string("event_type", 64))
                    .col(text("payload"))
                    .col(boolean("fanned_out"))
                    .col(time(b, "created_at"))
                    .foreign_key(&mut cascade("outbox_events", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("outbox_events", "pending", &["fanned_out", "id"]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("webhook_deliveries"))
                    .col(id("id").primary_key())
                    .col(id("tenant_id"))
                    .col(id("event_id"))
                    .col(id("endpoint_id"))
                    .col(string("status", 16))
                    .col(int("attempts"))
                    .col(time(b, "next_attempt_at"))
                    .col(time(b, "claimed_until"))
                    .col(time(b, "expires_at"))
                    .col(opt_time(b, "last_attempt_at"))
                    .col(ColumnDef::new(Alias::new("response_code")).integer().null())
                    .col(
                        ColumnDef::new(Alias::new("latency_ms"))
                            .big_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(Alias::new("body_excerpt")).text().null())
                    .col(ColumnDef::new(Alias::new("error")).text().null())
                    .col(time(b, "created_at"))
                    .foreign_key(&mut cascade(
                        "webhook_deliveries",
                        "event_id",
                        "outbox_events",
                    ))
                    .foreign_key(&mut cascade(
                        "webhook_deliveries",
                        "endpoint_id",
                        "webhook_endpoints",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "webhook_deliveries",
                "event_endpoint",
                &["event_id", "endpoint_id"],
            ))
            .await?;
        manager
            .create_index(index(
                "webhook_deliveries",
                "due",
                &["status", "next_attempt_at"],
            ))
            .await?;
        manager
            .create_index(index(
                "webhook_deliveries",
                "endpoint",
                &["endpoint_id", "id"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["webhook_deliveries", "outbox_events", "webhook_endpoints"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
