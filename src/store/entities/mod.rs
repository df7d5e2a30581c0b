//! One module per table.

pub mod api_token;
pub mod attachment;
pub mod audit_entry;
pub mod blacklist_entry;
pub mod conversation;
pub mod enums;
pub mod group;
pub mod group_member;
pub mod message;
pub mod quick_reply;
pub mod read_cursor;
pub mod refresh_token;
pub mod tenant;
pub mod tenant_settings;
pub mod two_factor;
pub mod user;
pub mod visitor;
