//! Automation around conversations: the sentiment of visitor messages and the tenants' routing
//! scripts. Nothing here runs before a message is acknowledged.

pub mod routing_script;
pub mod sentiment;
