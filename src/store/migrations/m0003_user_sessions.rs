//! Accounts get a token generation (bumped on sign-out, password change, reset and disabling;
//! access tokens of an older generation are refused at once) and an expiry for one-time
//! passwords (an invite or reset password stops working after it).

use sea_orm_migration::prelude::*;

use super::schema::{big, opt_time};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        // One column per statement: SQLite alters one thing at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("users"))
                    .add_column(big("token_generation").default(0).to_owned())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("users"))
                    .add_column(opt_time(b, "password_expires_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["password_expires_at", "token_generation"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("users"))
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
