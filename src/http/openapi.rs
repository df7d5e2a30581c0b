//! The OpenAPI document: everything but the routes themselves, which add their own paths.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "uniqchat API", description = "Self-hosted live customer-support chat. Every error answers `{\"error\": {\"code\", \"message\", \"fields\"?}}`. Security scopes name the permission each endpoint needs (see docs/api.md for the role matrix)."),
    modifiers(&BearerAuth),
    tags(
        (name = "visitor", description = "The widget's entry point"),
        (name = "realtime", description = "WebSocket connections; the frames are in docs/protocol.md"),
        (name = "auth", description = "Sign in and sessions"),
        (name = "admin", description = "Tenant administration (owners and admins)"),
        (name = "agent", description = "The agent workspace"),
        (name = "reports", description = "Reports over a date range (JSON or CSV) and the live monitor (docs/reports.md)"),
        (name = "integrations", description = "/api/v1: events, conversations and visitors for API tokens (docs/integrations.md)"),
        (name = "operations", description = "Health, readiness, version, this document"),
        (name = "web", description = "The widget script, the agent workspace, the admin console and the demo page"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT access token, or an API token (uc_…)")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("the metrics.token setting")
                    .build(),
            ),
        );
    }
}
