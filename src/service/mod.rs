//! Business rules. Services know nothing of HTTP or WebSocket types; they call the store.

pub mod accounts;
pub mod admin;
pub mod auth;
pub mod authz;
pub mod business_hours;
pub mod chat;
pub mod demo;
mod error;
pub mod files;
pub mod health;
pub mod inbox;
pub mod integrations;
pub mod outbox;
pub mod page;
pub mod password;
pub mod sealing;
pub mod sso;
pub mod team;
pub mod totp;
pub mod two_factor;
pub mod validate;
pub mod visitors;
pub mod widget_text;

pub use accounts::AccountService;
pub use admin::AdminService;
pub use auth::AuthService;
pub use chat::ChatService;
pub use demo::DemoService;
pub use error::{Checks, FieldError, ServiceError, ServiceResult};
pub use files::FileService;
pub use health::HealthService;
pub use inbox::InboxService;
pub use integrations::IntegrationService;
pub use outbox::WebhookService;
pub use sso::SsoService;
pub use visitors::VisitorService;
