//! An e-mail is unique per tenant, not across tenants: the same person may have an account in
//! several tenants (sign-in then asks which one). The unique index on `users.email` becomes one
//! on `(tenant_id, email)`, and a plain index on `email` keeps the sign-in lookup fast.

use sea_orm_migration::prelude::*;

use super::schema::{index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn drop(name: &str) -> IndexDropStatement {
    Index::drop()
        .name(name)
        .table(Alias::new("users"))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(unique("users", "tenant_email", &["tenant_id", "email"]))
            .await?;
        manager.drop_index(drop("ux_users_email")).await?;
        manager
            .create_index(index("users", "email", &["email"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(drop("ix_users_email")).await?;
        manager
            .create_index(unique("users", "email", &["email"]))
            .await?;
        manager.drop_index(drop("ux_users_tenant_email")).await
    }
}
