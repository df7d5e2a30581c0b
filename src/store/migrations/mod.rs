//! The one migration history, applied the same way on SQLite, PostgreSQL and MySQL.

use sea_orm_migration::prelude::*;

mod m0001_initial;
mod m0002_message_sender_name;
mod m0003_user_sessions;
mod m0004_message_resend_index;
mod m0005_email_per_tenant;
mod m0006_two_factor;
mod m0007_sso;
mod m0008_webhooks;
mod m0009_integrations;
mod m0010_tenant_two_factor_policy;
mod m0011_attachments;
mod m0012_mail;
mod m0014_widget_texts;
mod m0015_triggers_and_visits;
mod m0016_bots;
mod m0017_sentiment_and_routing_scripts;
mod m0018_reports;
mod m0019_message_index_diet;
mod m0020_reply_drafts;
mod m0021_search_index;
mod m0022_archive;
mod m0023_tenant_file_limits;
mod schema;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_initial::Migration),
            Box::new(m0002_message_sender_name::Migration),
            Box::new(m0003_user_sessions::Migration),
            Box::new(m0004_message_resend_index::Migration),
            Box::new(m0005_email_per_tenant::Migration),
            Box::new(m0006_two_factor::Migration),
            Box::new(m0007_sso::Migration),
            Box::new(m0008_webhooks::Migration),
            Box::new(m0009_integrations::Migration),
            Box::new(m0010_tenant_two_factor_policy::Migration),
            Box::new(m0011_attachments::Migration),
            Box::new(m0012_mail::Migration),
            Box::new(m0014_widget_texts::Migration),
            Box::new(m0015_triggers_and_visits::Migration),
            Box::new(m0016_bots::Migration),
            Box::new(m0017_sentiment_and_routing_scripts::Migration),
            Box::new(m0018_reports::Migration),
            Box::new(m0019_message_index_diet::Migration),
            Box::new(m0020_reply_drafts::Migration),
            Box::new(m0021_search_index::Migration),
            Box::new(m0022_archive::Migration),
            Box::new(m0023_tenant_file_limits::Migration),
        ]
    }
}
