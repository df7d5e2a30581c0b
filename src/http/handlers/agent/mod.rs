//! `/api/agent`: the agent workspace.

mod assists;
mod drafts;
pub mod inbox;
mod live;
mod quick_replies;
mod search;
mod sentiment;
pub(crate) mod suggestions;
mod team;

use utoipa_axum::router::OpenApiRouter;

use crate::http::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(inbox::router())
        .merge(search::router())
        .merge(quick_replies::router())
        .merge(team::router())
        .merge(live::router())
        .merge(sentiment::router())
        .merge(suggestions::router())
        .merge(drafts::router())
        .merge(assists::router())
        .merge(super::files::agent_router())
}
