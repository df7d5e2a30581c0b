//! Who takes part in a conversation over a realtime connection.

use crate::store::SenderKind;

/// Who takes part in a conversation over a realtime connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Participant {
    Visitor {
        tenant_id: String,
        visitor_id: String,
    },
    Agent {
        tenant_id: String,
        user_id: String,
        /// Shown to the visitor beside the agent's messages (their account name when they connected).
        name: Option<String>,
    },
}

impl Participant {
    pub fn tenant_id(&self) -> &str {
        match self {
            Participant::Visitor { tenant_id, .. } | Participant::Agent { tenant_id, .. } => {
                tenant_id
            }
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Participant::Visitor { visitor_id, .. } => visitor_id,
            Participant::Agent { user_id, .. } => user_id,
        }
    }

    /// The name stored with this participant's messages: agents sign theirs.
    pub fn display_name(&self) -> Option<String> {
        match self {
            Participant::Visitor { .. } => None,
            Participant::Agent { name, .. } => name.clone(),
        }
    }

    pub fn kind(&self) -> SenderKind {
        match self {
            Participant::Visitor { .. } => SenderKind::Visitor,
            Participant::Agent { .. } => SenderKind::Agent,
        }
    }
}
