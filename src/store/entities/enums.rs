//! Closed sets of values stored as short strings, so every backend reads them the same way.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $value:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $(#[sea_orm(string_value = $value)] $variant,)+
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $value,)+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($value => Ok(Self::$variant),)+
                    other => Err(format!(
                        "'{other}' is not one of: {}",
                        [$($value),+].join(", ")
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(
    /// What an account may do in its tenant.
    Role { Owner = "owner", Admin = "admin", Agent = "agent" }
);
string_enum!(
    /// The status an agent chose; presence derived from connections comes on top.
    AgentStatus { Online = "online", Busy = "busy", Away = "away", Offline = "offline" }
);
string_enum!(
    ConversationState {
        Waiting = "waiting",
        Bot = "bot",
        Chatting = "chatting",
        Transferring = "transferring",
        Closed = "closed",
    }
);
string_enum!(
    /// Who wrote a message, or whose read cursor it is; `integration`: an event card posted through
    /// `POST /api/v1/events`.
    SenderKind {
        Visitor = "visitor",
        Agent = "agent",
        Bot = "bot",
        System = "system",
        Integration = "integration",
    }
);
string_enum!(
    MessageKind { Text = "text", Image = "image", File = "file", Event = "event", Note = "note" }
);
string_enum!(
    BlacklistKind { Ip = "ip", Cidr = "cidr", Visitor = "visitor" }
);
string_enum!(
    RoutingStrategy { RoundRobin = "round_robin", LeastBusy = "least_busy" }
);
string_enum!(
    /// Where a webhook delivery stands: waiting for its (next) attempt, answered 2xx, or given
    /// up on (dead: failing past its maximum age).
    DeliveryStatus { Pending = "pending", Delivered = "delivered", Dead = "dead" }
);
