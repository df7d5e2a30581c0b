//! `/api/agent`: the agent workspace.

mod quick_replies;

use utoipa_axum::router::OpenApiRouter;

use crate::http::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().merge(quick_replies::router())
}
