//! One index fewer on `messages`, the table every message writes. The unique index on
//! (conversation, sender kind, sender, client id) was how a resend was recognised before m0004;
//! since then resends are found through the sender's index (store/resends.rs), in any of the
//! sender's conversations, under the write lock of the batch that would store them, so no query
//! reads it and its uniqueness adds nothing. Each batch paid for it with one more page written
//! per conversation (docs/performance.md).

use sea_orm_migration::prelude::*;

use super::schema::unique;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "messages";
const NAME: &str = "ux_messages_client_msg";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(NAME).table(Alias::new(TABLE)).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(unique(
                TABLE,
                "client_msg",
                &[
                    "conversation_id",
                    "sender_kind",
                    "sender_id",
                    "client_msg_id",
                ],
            ))
            .await
    }
}
