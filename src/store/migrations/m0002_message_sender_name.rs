//! Messages keep the name their sender had when writing, so a visitor sees which agent answered
//! and history still reads right after an agent is renamed or removed.

use sea_orm_migration::prelude::*;

use super::schema::opt_string;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("messages"))
                    .add_column(opt_string("sender_name", 200))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("messages"))
                    .drop_column(Alias::new("sender_name"))
                    .to_owned(),
            )
            .await
    }
}
