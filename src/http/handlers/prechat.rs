//! `POST /api/visitor/prechat`: the visitor's answers to the tenant's pre-chat form.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::identify::IdentifiedVisitorView;
use crate::http::error::ApiResult;
use crate::http::extract::ApiJson;
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;
use crate::service::widget_text::prechat::PrechatAnswers;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(prechat))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrechatBody {
    /// The token of the browser's session (`POST /api/visitor/session`).
    pub visitor_token: String,
    /// Required, optional or refused as the form's `name` says; at most 200 characters.
    pub name: Option<String>,
    /// Required, optional or refused as the form's `email` says.
    pub email: Option<String>,
    /// Answers to the custom fields by key: a text of at most 500 characters, or one of a
    /// select field's options.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

/// Send the pre-chat form: the answers are checked against the tenant's form and stored on the
/// visitor (name, e-mail; custom answers as attributes, next to those from `identify`), where
/// agents see them (`GET /api/agent/visitors/{id}`). 409 `conflict` when the form is off.
#[utoipa::path(post, path = "/prechat", tag = "visitor", request_body = PrechatBody,
    responses((status = 200, body = IdentifiedVisitorView), StdErrors))]
async fn prechat(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<PrechatBody>,
) -> ApiResult<Json<IdentifiedVisitorView>> {
    let v = state
        .visitors
        .prechat(
            &body.visitor_token,
            PrechatAnswers {
                name: body.name,
                email: body.email,
                fields: body.fields,
            },
        )
        .await?;
    Ok(Json(IdentifiedVisitorView {
        attributes: serde_json::from_str(&v.attributes).unwrap_or_default(),
        id: v.id,
        external_id: v.external_id,
        name: v.name,
        email: v.email,
    }))
}
