use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::ApiResult;
use crate::http::extract::{ApiJson, Authed};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;
use crate::service::admin::{SettingsPatch, SettingsView};
use crate::service::widget_text::WidgetTextsPatch;
use crate::store::RoutingStrategy;
use crate::types::widget_text::{LanguageTexts, Prechat};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_settings, update_settings))
}

#[derive(Serialize, ToSchema)]
pub struct SettingsBody {
    /// The tenant's (company's) name.
    pub name: String,
    pub welcome_message: String,
    pub offline_message: String,
    /// Opening hours per weekday (mon … sun) as lists of `["HH:MM", "HH:MM"]`; `{}` is always open.
    #[schema(example = json!({"mon": [["09:00", "17:00"]]}))]
    pub business_hours: BTreeMap<String, Vec<[String; 2]>>,
    /// IANA time zone of the business hours.
    #[schema(example = "Europe/Berlin")]
    pub timezone: String,
    /// round_robin or least_busy
    #[schema(value_type = String, example = "round_robin")]
    pub routing_strategy: RoutingStrategy,
    #[schema(example = "#2563eb")]
    pub widget_color: String,
    pub widget_title: String,
    /// left or right
    pub widget_position: String,
    /// Origins allowed to embed the widget; empty allows any.
    pub allowed_origins: Vec<String>,
    /// Agents see what the visitor types before it is sent (the widget says so). Off by default.
    pub typing_preview: bool,
    /// The form shown before the visitor's first message.
    pub prechat: Prechat,
    /// The language the widget uses when the visitor's browser asks for none of `languages`.
    #[schema(example = "en")]
    pub default_language: String,
    /// The enabled languages (`en`, `zh`, `zh-tw`, …) and the widget's texts in each.
    pub languages: BTreeMap<String, LanguageTexts>,
    /// Closed conversations older than this many days move to the archive (read-only, found
    /// by their summary); 0 never archives. docs/retention.md.
    #[schema(example = 90)]
    pub archive_after_days: u32,
    /// Closed conversations older than this many days are deleted everywhere (messages,
    /// archive, files); 0 never deletes. More than `archive_after_days` when both are set.
    #[schema(example = 730)]
    pub delete_after_days: u32,
}

impl From<SettingsView> for SettingsBody {
    fn from(s: SettingsView) -> Self {
        SettingsBody {
            name: s.name,
            welcome_message: s.welcome_message,
            offline_message: s.offline_message,
            business_hours: s.business_hours,
            timezone: s.timezone,
            routing_strategy: s.routing_strategy,
            widget_color: s.widget_color,
            widget_title: s.widget_title,
            widget_position: s.widget_position,
            allowed_origins: s.allowed_origins,
            typing_preview: s.widget.typing_preview,
            prechat: s.widget.prechat,
            default_language: s.widget.default_language,
            languages: s.widget.languages,
            archive_after_days: s.archive.archive_after_days,
            delete_after_days: s.archive.delete_after_days,
        }
    }
}

/// Any subset of the settings; what is left out stays as it is.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsUpdate {
    pub name: Option<String>,
    pub welcome_message: Option<String>,
    pub offline_message: Option<String>,
    pub business_hours: Option<BTreeMap<String, Vec<[String; 2]>>>,
    pub timezone: Option<String>,
    #[schema(value_type = Option<String>)]
    pub routing_strategy: Option<RoutingStrategy>,
    pub widget_color: Option<String>,
    pub widget_title: Option<String>,
    pub widget_position: Option<String>,
    pub allowed_origins: Option<Vec<String>>,
    pub typing_preview: Option<bool>,
    /// Replaces the whole form.
    pub prechat: Option<Prechat>,
    pub default_language: Option<String>,
    /// Replaces every language's texts; the keys are the enabled languages.
    pub languages: Option<BTreeMap<String, LanguageTexts>>,
    /// 0 (never) to 36500.
    pub archive_after_days: Option<u32>,
    /// 0 (never) to 36500; more than `archive_after_days` when both are above 0.
    pub delete_after_days: Option<u32>,
}

/// The tenant's settings.
#[utoipa::path(get, path = "/settings", tag = "admin", security(("bearer" = ["settings:read"])),
    responses((status = 200, body = SettingsBody), StdErrors))]
async fn get_settings(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> ApiResult<Json<SettingsBody>> {
    Ok(Json(state.admin.get_settings(&actor).await?.into()))
}

/// Change some settings.
#[utoipa::path(patch, path = "/settings", tag = "admin", request_body = SettingsUpdate, security(("bearer" = ["settings:write"])),
    responses((status = 200, body = SettingsBody), StdErrors))]
async fn update_settings(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiJson(body): ApiJson<SettingsUpdate>,
) -> ApiResult<Json<SettingsBody>> {
    let patch = SettingsPatch {
        name: body.name,
        welcome_message: body.welcome_message,
        offline_message: body.offline_message,
        business_hours: body.business_hours,
        timezone: body.timezone,
        routing_strategy: body.routing_strategy,
        widget_color: body.widget_color,
        widget_title: body.widget_title,
        widget_position: body.widget_position,
        allowed_origins: body.allowed_origins,
        widget: WidgetTextsPatch {
            typing_preview: body.typing_preview,
            prechat: body.prechat,
            default_language: body.default_language,
            languages: body.languages,
        },
        archive_after_days: body.archive_after_days,
        delete_after_days: body.delete_after_days,
    };
    Ok(Json(
        state.admin.update_settings(&actor, patch).await?.into(),
    ))
}
