//! The HTTP side: router, middleware, controllers, and the server loop.

pub mod error;
mod extract;
mod handlers;
mod middleware;
mod openapi;
pub mod router;
pub mod server;

use std::sync::Arc;

use crate::config::Config;
use crate::service::auth::AuthSettings;
use crate::service::{AdminService, AuthService, HealthService};
use crate::store::{Backend, Store};

/// What handlers reach: the settings and the services. Never the store directly.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub backend: Backend,
    pub auth: AuthService,
    pub admin: AdminService,
    pub health: HealthService,
}

impl AppState {
    pub fn new(config: Arc<Config>, store: Store) -> Self {
        let auth = AuthService::new(
            store.clone(),
            AuthSettings {
                jwt_secret: config.auth.jwt_secret.clone(),
                access_ttl_secs: config.auth.access_token_ttl_secs,
                refresh_ttl_secs: config.auth.refresh_token_ttl_secs,
                login_per_minute_account: config.auth.login_per_minute_account,
                login_per_minute_ip: config.auth.login_per_minute_ip,
            },
        );
        AppState {
            backend: store.backend(),
            auth,
            admin: AdminService::new(store.clone()),
            health: HealthService::new(store),
            config,
        }
    }
}
