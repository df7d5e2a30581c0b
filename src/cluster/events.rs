use crate::store::{Conversation, Message, SenderKind};

/// Something that happened in a conversation, with what a deliverer needs to find its audience.
#[derive(Debug, Clone)]
pub struct Event {
    pub tenant_id: String,
    pub conversation_id: String,
    pub visitor_id: String,
    /// The assigned agent; None while the conversation waits in the queue.
    pub agent_id: Option<String>,
    pub kind: EventKind,
}

#[derive(Debug, Clone)]
pub enum EventKind {
    Message(Message),
    Typing {
        from: SenderKind,
        on: bool,
    },
    Read {
        by: SenderKind,
        seq: i64,
    },
    /// The conversation changed state or agent.
    Updated(Conversation),
    /// The conversation's place in the queue (1 = next), for its visitor.
    Queue {
        position: u64,
    },
}
