//! Single sign-on with OpenID Connect: one provider per tenant (`sso_providers`; the client
//! secret stored sealed) and the short-lived, single-use rows of sign-ins in flight
//! (`sso_logins`: the state of a redirect to the provider, then the one-time code that hands
//! the session to the web app).

use sea_orm_migration::prelude::*;

use super::schema::{boolean, cascade, id, index, opt_id, string, text, time};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("sso_providers"))
                    .col(id("tenant_id").primary_key())
                    .col(boolean("enabled"))
                    .col(string("display_name", 100))
                    .col(string("issuer", 500))
                    .col(string("client_id", 255))
                    .col(text("client_secret"))
                    .col(string("scopes", 500))
                    .col(boolean("auto_provision"))
                    .col(string("default_role", 16))
                    .col(text("allowed_domains"))
                    .col(time(b, "updated_at"))
                    .foreign_key(&mut cascade("sso_providers", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("sso_logins"))
                    .col(string("id", 64).primary_key())
                    .col(string("kind", 16))
                    .col(id("tenant_id"))
                    .col(opt_id("user_id"))
                    .col(string("app", 16))
                    .col(text("nonce"))
                    .col(text("verifier"))
                    .col(time(b, "expires_at"))
                    .foreign_key(&mut cascade("sso_logins", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("sso_logins", "expires", &["expires_at"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("sso_logins")).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Alias::new("sso_providers")).to_owned())
            .await
    }
}
