//! Two-factor sign-in: one row per account that set it up — the TOTP shared secret (never
//! returned after enrolment), whether it is on, the last code's time step (a code works once)
//! and the recovery codes' SHA-256 hashes.

use sea_orm_migration::prelude::*;

use super::schema::{big, boolean, cascade, id, text, time};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("two_factor"))
                    .col(id("user_id").primary_key())
                    .col(id("tenant_id"))
                    .col(text("secret"))
                    .col(boolean("enabled"))
                    .col(big("last_step"))
                    .col(text("recovery_codes"))
                    .col(time(b, "updated_at"))
                    .foreign_key(&mut cascade("two_factor", "user_id", "users"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("two_factor")).to_owned())
            .await
    }
}
