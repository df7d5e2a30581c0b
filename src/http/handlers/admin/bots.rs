//! `/api/admin/bots`: the tenant's chain of bots, the model settings and key, and the model
//! tokens used this month (docs/bots.md).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::ApiResult;
use crate::http::extract::{ApiJson, Authed};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;
use crate::service::bots::{BotConfig, BotSettingsView, KeyChange};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_bots, put_bots))
}

/// Present (even as null) or absent: the difference between "remove" and "keep".
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BotsBody {
    /// New conversations start with the bots (state `bot`); needs a non-empty chain.
    pub enabled: bool,
    /// The chain and each bot's settings; absent fields take their defaults.
    pub config: BotConfig,
    /// The model API key: a string sets it, null removes it, absent keeps it. Stored sealed,
    /// never shown again.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub model_key: Option<Option<String>>,
}

#[derive(Serialize, ToSchema)]
pub struct BotsView {
    pub enabled: bool,
    pub config: BotConfig,
    /// Whether a model key is stored.
    pub model_key_set: bool,
    /// This month (`YYYY-MM`, UTC).
    pub month: String,
    /// Model tokens used this month.
    pub tokens_this_month: i64,
}

impl From<BotSettingsView> for BotsView {
    fn from(v: BotSettingsView) -> Self {
        BotsView {
            enabled: v.enabled,
            config: v.config,
            model_key_set: v.model_key_set,
            month: v.month,
            tokens_this_month: v.tokens_this_month,
        }
    }
}

/// The tenant's bot settings.
#[utoipa::path(get, path = "/bots", tag = "admin", security(("bearer" = ["settings:read"])),
    responses((status = 200, body = BotsView), StdErrors))]
async fn get_bots(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> ApiResult<Json<BotsView>> {
    Ok(Json(state.bots.settings(&actor).await?.into()))
}

/// Replace the tenant's bot settings (every field but `model_key`, which is kept when absent).
#[utoipa::path(put, path = "/bots", tag = "admin", request_body = BotsBody, security(("bearer" = ["settings:write"])),
    responses((status = 200, body = BotsView), StdErrors))]
async fn put_bots(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiJson(b): ApiJson<BotsBody>,
) -> ApiResult<Json<BotsView>> {
    let key = match b.model_key {
        None => KeyChange::Keep,
        Some(None) => KeyChange::Clear,
        Some(Some(k)) => KeyChange::Set(k),
    };
    let view = state
        .bots
        .put_settings(&actor, b.enabled, b.config, key)
        .await?;
    Ok(Json(view.into()))
}
