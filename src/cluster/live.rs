//! What the live-visitors view and proactive invitations carry between the service and the
//! connections: a visitor browsing the site now, and a message that opens their widget.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A visitor with the widget loaded now, as agents see them in the live view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LiveVisitor {
    pub visitor_id: String,
    /// Their name, or a friendly generated one ("Brave Otter", "勇敢的水獭").
    pub name: String,
    /// The page they are on now (null until the widget reports one).
    pub page_url: Option<String>,
    pub page_title: Option<String>,
    /// When they came to the current page.
    pub page_since: DateTime<Utc>,
    /// When this visit began (their first page of it).
    pub arrived_at: DateTime<Utc>,
    /// ISO country code and city from the GeoIP database, when configured and known.
    pub country: Option<String>,
    pub city: Option<String>,
    /// Browser and OS from their user agent ("Chrome", "Windows 10").
    pub browser: Option<String>,
    pub os: Option<String>,
    /// Whether they have an open conversation.
    pub chatting: bool,
}

/// A message that opens a visitor's widget: an agent's invitation (stored in a conversation)
/// or a trigger's (shown by the widget; stored when the visitor answers it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Invitation {
    /// The conversation the agent started; null for a trigger's message.
    pub conversation_id: Option<String>,
    /// The trigger that fired; null for an agent's invitation.
    pub trigger_id: Option<String>,
    /// Who signs the message: the agent's name or the trigger's sender name.
    pub from_name: String,
    pub body: String,
    pub sent_at: DateTime<Utc>,
}
