//! `POST /api/visitor/identify`: the widget's `uniqchat('identify', {...})`.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::visitor::OpenConversationView;
use crate::http::error::ApiResult;
use crate::http::extract::ApiJson;
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;
use crate::service::integrations::Identify;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(identify))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentifyBody {
    /// The token of the browser's session (`POST /api/visitor/session`).
    pub visitor_token: String,
    /// Your user's id (1 to 200 bytes).
    pub user_id: String,
    /// `hex(HMAC-SHA256(identity secret, user_id))`, computed by your server.
    pub user_hash: String,
    pub name: Option<String>,
    pub email: Option<String>,
    /// A flat object, at most 50 keys (1 to 64 characters); values are numbers, true/false,
    /// null or text of at most 500 characters. Replaces the earlier attributes.
    #[schema(value_type = Option<Object>)]
    pub attributes: Option<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct IdentifiedVisitorView {
    pub id: String,
    pub external_id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    #[schema(value_type = Object)]
    pub attributes: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct IdentifiedView {
    /// The verified visitor's token: keep it instead of the old one and reconnect with it.
    pub visitor_token: String,
    /// True when the browser became another visitor (the user's, from another device): drop
    /// the old conversation view and resume this visitor's conversation.
    pub switched: bool,
    pub visitor: IdentifiedVisitorView,
    pub conversation: Option<OpenConversationView>,
}

/// Verify the visitor's identity: with the right `user_hash` the browser becomes the visitor
/// bound to `user_id` (the same one on every device, with its history). A wrong hash answers
/// 403 and changes nothing; 403 also when the tenant has no identity secret yet.
#[utoipa::path(post, path = "/identify", tag = "visitor", request_body = IdentifyBody,
    responses((status = 200, body = IdentifiedView), StdErrors))]
async fn identify(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<IdentifyBody>,
) -> ApiResult<Json<IdentifiedView>> {
    let done = state
        .integrations
        .identify(
            &body.visitor_token,
            Identify {
                user_id: body.user_id,
                user_hash: body.user_hash,
                name: body.name,
                email: body.email,
                attributes: body.attributes,
            },
        )
        .await?;
    let v = done.visitor;
    Ok(Json(IdentifiedView {
        visitor_token: done.token,
        switched: done.switched,
        visitor: IdentifiedVisitorView {
            attributes: serde_json::from_str(&v.attributes).unwrap_or_default(),
            id: v.id,
            external_id: v.external_id,
            name: v.name,
            email: v.email,
        },
        conversation: done.conversation.map(Into::into),
    }))
}
