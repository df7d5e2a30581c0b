//! Proactive triggers set by admins ("on /checkout for 30 s → open the widget with this message"),
//! the record of which trigger fired for which visitor on which day (at most once a day), and the
//! number of visits of each visitor.

use sea_orm_migration::prelude::*;

use super::schema::{boolean, cascade, id, int, string, text, time, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TRIGGERS: &str = "triggers";
const FIRES: &str = "trigger_fires";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(Alias::new(TRIGGERS))
                    .col(id("id").primary_key())
                    .col(id("tenant_id"))
                    .col(string("name", 100))
                    .col(string("url_match", 16))
                    .col(text("url_value"))
                    .col(int("seconds"))
                    .col(boolean("only_when_available"))
                    .col(boolean("only_within_hours"))
                    .col(text("message"))
                    .col(string("sender_name", 100))
                    .col(boolean("enabled"))
                    .col(time(b, "created_at"))
                    .col(time(b, "updated_at"))
                    .foreign_key(&mut cascade(TRIGGERS, "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new(FIRES))
                    .col(id("id").primary_key())
                    .col(id("tenant_id"))
                    .col(id("trigger_id"))
                    .col(id("visitor_id"))
                    .col(string("day", 10))
                    .col(time(b, "fired_at"))
                    .foreign_key(&mut cascade(FIRES, "trigger_id", TRIGGERS))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                FIRES,
                "once_a_day",
                &["trigger_id", "visitor_id", "day"],
            ))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("visitors"))
                    .add_column(int("visits").default(1).to_owned())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("visitors"))
                    .drop_column(Alias::new("visits"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Alias::new(FIRES)).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Alias::new(TRIGGERS)).to_owned())
            .await
    }
}
