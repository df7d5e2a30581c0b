//! One module per table.

pub mod api_token;
pub mod attachment;
pub mod audit_entry;
pub mod blacklist_entry;
pub mod conversation;
pub mod enums;
pub mod group;
pub mod group_member;
pub mod identity_secret;
pub mod message;
pub mod outbox_event;
pub mod quick_reply;
pub mod read_cursor;
pub mod refresh_token;
pub mod sso_login;
pub mod sso_provider;
pub mod tenant;
pub mod tenant_settings;
pub mod trigger;
pub mod trigger_fire;
pub mod two_factor;
pub mod user;
pub mod visitor;
pub mod visitor_event;
pub mod webhook_delivery;
pub mod webhook_endpoint;
