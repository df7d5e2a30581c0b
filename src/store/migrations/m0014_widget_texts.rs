//! The widget's options per tenant that go beyond its look: typing preview, the pre-chat form
//! and the texts per language (JSON in text columns, checked by the service before they are
//! written). One row per tenant, made on the first save; no row means the defaults.

use sea_orm_migration::prelude::*;

use super::schema::{boolean, cascade, id, string, text, time};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "widget_options";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(Alias::new(TABLE))
                    .col(id("tenant_id").primary_key())
                    .col(boolean("typing_preview"))
                    .col(text("prechat"))
                    .col(string("default_language", 16))
                    .col(text("languages"))
                    .col(time(b, "updated_at"))
                    .foreign_key(&mut cascade(TABLE, "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new(TABLE)).to_owned())
            .await
    }
}
