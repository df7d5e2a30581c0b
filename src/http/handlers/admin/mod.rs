//! `/api/admin`: tenant administration.

mod api_tokens;
mod audit;
mod blacklist;
mod bots;
mod file_limits;
mod groups;
mod identity;
mod knowledge;
mod mail;
mod overview;
pub mod privacy;
pub mod quick_replies;
mod reports;
mod routing_scripts;
mod security;
pub mod settings;
mod sso;
mod tenant;
mod triggers;
mod users;
mod webhooks;

use utoipa_axum::router::OpenApiRouter;

use crate::http::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(users::router())
        .merge(groups::router())
        .merge(quick_replies::router())
        .merge(blacklist::router())
        .merge(settings::router())
        .merge(security::router())
        .merge(sso::router())
        .merge(api_tokens::router())
        .merge(identity::router())
        .merge(audit::router())
        .merge(tenant::router())
        .merge(overview::router())
        .merge(webhooks::router())
        .merge(mail::router())
        .merge(triggers::router())
        .merge(reports::router())
        .merge(routing_scripts::router())
        .merge(bots::router())
        .merge(knowledge::router())
        .merge(privacy::router())
        .merge(file_limits::router())
}
