//! A resend is recognised by its sender and client id in any of the sender's conversations
//! (store/resends.rs): an index to find it without reading the tenant's messages.

use sea_orm_migration::prelude::*;

use super::schema::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NAME: &str = "ix_messages_sender_client_msg";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(index(
                "messages",
                "sender_client_msg",
                &["sender_id", "client_msg_id"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(NAME)
                    .table(Alias::new("messages"))
                    .to_owned(),
            )
            .await
    }
}
