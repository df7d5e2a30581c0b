//! Integrations: messages an agent may see but the visitor not (event cards sent with
//! `visible_to_visitor: false`), the business events posted through `/api/v1/events` (the
//! visitor's timeline and the idempotency record), a tenant's identity secret (sealed), and one
//! visitor per verified external id.

use sea_orm_migration::prelude::*;

use super::schema::{boolean, cascade, id, opt_id, string, text, time, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("messages"))
                    .add_column(boolean("internal").default(false).to_owned())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("visitor_events"))
                    .col(id("id").primary_key())
                    .col(id("tenant_id"))
                    .col(id("visitor_id"))
                    .col(string("idempotency_key", 64))
                    .col(string("event_type", 64))
                    .col(text("body"))
                    .col(boolean("visible_to_visitor"))
                    .col(opt_id("conversation_id"))
                    .col(opt_id("message_id"))
                    .col(ColumnDef::new(Alias::new("seq")).big_integer().null())
                    .col(time(b, "created_at"))
                    .foreign_key(&mut cascade("visitor_events", "tenant_id", "tenants"))
                    .foreign_key(&mut cascade("visitor_events", "visitor_id", "visitors"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "visitor_events",
                "idempotency",
                &["tenant_id", "idempotency_key"],
            ))
            .await?;
        manager
            .create_index(super::schema::index(
                "visitor_events",
                "visitor",
                &["tenant_id", "visitor_id"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("identity_secrets"))
                    .col(id("tenant_id").primary_key())
                    .col(text("secret"))
                    .col(time(b, "created_at"))
                    .foreign_key(&mut cascade("identity_secrets", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "visitors",
                "tenant_external",
                &["tenant_id", "external_id"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ux_visitors_tenant_external")
                    .table(Alias::new("visitors"))
                    .to_owned(),
            )
            .await?;
        for table in ["identity_secrets", "visitor_events"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("messages"))
                    .drop_column(Alias::new("internal"))
                    .to_owned(),
            )
            .await
    }
}
