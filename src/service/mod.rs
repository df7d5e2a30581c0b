//! Business rules. Services know nothing of HTTP or WebSocket types; they call the store.

pub mod accounts;
mod error;
pub mod health;
pub mod password;
pub mod validate;

pub use accounts::AccountService;
pub use error::{ServiceError, ServiceResult};
pub use health::HealthService;
