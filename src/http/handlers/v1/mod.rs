//! `/api/v1`: the integration API for API tokens (`Authorization: Bearer uc_…`), tenant-scoped by
//! the token. docs/integrations.md has a worked example of every route.

mod conversations;
mod events;
mod privacy;
pub mod views;
mod visitors;

use utoipa_axum::router::OpenApiRouter;

use crate::http::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(events::router())
        .merge(conversations::router())
        .merge(visitors::router())
        .merge(privacy::router())
}
