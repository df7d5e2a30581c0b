//! `POST /api/v1/events`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::TimelineEventView;
use crate::http::error::{ApiError, ApiResult};
use crate::http::extract::{ApiJson, Authed};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;
use crate::service::integrations::{EventCard, EventField, EventTarget, NewEvent};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(post_event))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventVisitor {
    /// The visitor's verified external id (the `user_id` the site identifies them with).
    pub external_id: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventFieldBody {
    /// 1 to 100 characters.
    pub label: String,
    /// At most 500 characters.
    pub value: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventBody {
    /// Whom the event is about; give this or `conversation_id`.
    pub visitor: Option<EventVisitor>,
    /// The conversation the card goes to (its visitor's timeline when it is closed).
    pub conversation_id: Option<String>,
    /// `^[a-z][a-z0-9_.-]{0,63}$`, e.g. `order.updated`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// 1 to 200 characters.
    pub title: String,
    /// At most 20.
    #[serde(default)]
    pub fields: Vec<EventFieldBody>,
    /// An http(s) link shown on the card.
    pub url: Option<String>,
    /// 1 to 64 bytes, unique per tenant: a repeat returns the first result and stores nothing.
    pub idempotency_key: String,
    /// Also show the card to the visitor (default false: agents only).
    #[serde(default)]
    pub visible_to_visitor: bool,
}

/// Post a business event: an event card (message kind `event`, sender_kind `integration`) in
/// the visitor's open conversation, delivered live to the agents (and to the visitor when
/// `visible_to_visitor`); with no open conversation, an entry on the visitor's timeline.
/// Answers 201 when stored, 200 with the first result for a repeated `idempotency_key`.
#[utoipa::path(post, path = "/events", tag = "integrations", request_body = EventBody,
    security(("bearer" = ["events:write"])),
    responses(
        (status = 201, description = "Stored", body = TimelineEventView),
        (status = 200, description = "A repeat of an earlier idempotency_key: the first result, nothing stored", body = TimelineEventView),
        (status = 409, description = "The same key is being stored at this moment (`conflict`)", body = crate::http::error::ErrorBody),
        StdErrors))]
async fn post_event(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiJson(body): ApiJson<EventBody>,
) -> ApiResult<(StatusCode, Json<TimelineEventView>)> {
    let target = match (body.visitor, body.conversation_id) {
        (Some(v), None) => EventTarget::Visitor {
            external_id: v.external_id,
        },
        (None, Some(id)) => EventTarget::Conversation { id },
        _ => {
            return Err(ApiError::from(crate::service::ServiceError::invalid(
                "visitor",
                "give either visitor.external_id or conversation_id",
            )))
        }
    };
    let posted = state
        .integrations
        .post_event(
            &actor,
            NewEvent {
                target,
                card: EventCard {
                    event_type: body.event_type,
                    title: body.title,
                    fields: body
                        .fields
                        .into_iter()
                        .map(|f| EventField {
                            label: f.label,
                            value: f.value,
                        })
                        .collect(),
                    url: body.url,
                },
                idempotency_key: body.idempotency_key,
                visible_to_visitor: body.visible_to_visitor,
            },
        )
        .await?;
    let status = if posted.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(posted.event.into())))
}
