//! The HTTP side: router, middleware, controllers, and the server loop.

pub mod error;
mod handlers;
mod middleware;
pub mod router;
pub mod server;

use std::sync::Arc;

use crate::config::Config;
use crate::service::{AccountService, HealthService};
use crate::store::{Backend, Store};

/// What handlers reach: the settings and the services. Never the store directly.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub backend: Backend,
    pub accounts: AccountService,
    pub health: HealthService,
}

impl AppState {
    pub fn new(config: Arc<Config>, store: Store) -> Self {
        AppState {
            config,
            backend: store.backend(),
            accounts: AccountService::new(store.clone()),
            health: HealthService::new(store),
        }
    }
}
