//! Per-tenant file limits: a tenant may lower the server's `[storage]` limits for its own
//! uploads (never raise them). A missing row or a null column means "the server's limit".

use sea_orm_migration::prelude::*;

use super::schema::{cascade, id, time};

#[derive(DeriveMigrationName)]
pub struct Migration;

const LIMITS: &str = "tenant_file_limits";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(Alias::new(LIMITS))
                    .col(id("id").primary_key())
                    .col(
                        ColumnDef::new(Alias::new("max_file_bytes"))
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Alias::new("max_files_per_conversation"))
                            .big_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(Alias::new("allowed_types")).text().null())
                    .col(time(b, "updated_at"))
                    .foreign_key(&mut cascade(LIMITS, "id", "tenants"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new(LIMITS)).to_owned())
            .await
    }
}
