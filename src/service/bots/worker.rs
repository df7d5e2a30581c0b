//! The bots work beside the message path, never on it: a visitor's message is stored and
//! acknowledged first; its event (from the bus, on every node) is queued here, and a bounded
//! number of turns run at once. The database decides which node takes a message (one turn per
//! message), and any failure hands the conversation over at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, Semaphore};
use tokio_util::sync::CancellationToken;

use super::bot::{Reply, Turn};
use super::chain;
use super::handover::{self, Why};
use super::BotService;
use crate::cluster::{Block, Event, EventKind, Notice, SessionsRevoked, Sink};
use crate::service::chat::BotReply;
use crate::service::ServiceResult;
use crate::store::{
    BotTurn, Conversation, ConversationState, Message, MessageKind, SenderKind, TurnEnd,
};

/// Visitor messages waiting for the bots, at most.
pub const QUEUE: usize = 1024;
/// Turns running at once, at most.
const AT_ONCE: usize = 32;
/// Least time between two partial-text typing frames.
const PARTIAL_EVERY: Duration = Duration::from_millis(150);

/// Takes visitor messages of unassigned conversations off the bus.
pub struct Intake {
    pub(super) tx: mpsc::Sender<Message>,
    /// The service while its worker runs.
    pub(super) overflow: Arc<std::sync::Mutex<Option<BotService>>>,
}

impl Sink for Intake {
    fn deliver(&self, event: &Event) {
        let EventKind::Message(m) = &event.kind else {
            return;
        };
        // A conversation the bots answer has no agent.
        if m.sender_kind != SenderKind::Visitor
            || m.kind != MessageKind::Text
            || event.agent_id.is_some()
        {
            return;
        }
        if let Err(mpsc::error::TrySendError::Full(m)) = self.tx.try_send(m.clone()) {
            // Never leave the visitor waiting: too busy to answer means a person answers.
            tracing::warn!(conversation = %m.conversation_id, "bot queue full: handing over");
            let running = self
                .overflow
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            let Some(service) = running else { return };
            tokio::spawn(async move {
                if let Err(e) = service.hand_over_busy(&m).await {
                    tracing::warn!(error = %e, conversation = %m.conversation_id, "cannot hand over");
                }
            });
        }
    }
    fn block(&self, _: &Block) {}
    fn notice(&self, _: &Notice) {}
    fn sessions_revoked(&self, _: &SessionsRevoked) {}
}

impl BotService {
    /// Runs the queued turns until `stop`, and the sweep of turns lost with their node.
    pub fn spawn_worker(&self, stop: CancellationToken) -> tokio::task::JoinHandle<()> {
        self.spawn_sweeper(stop.clone());
        let this = self.clone();
        tokio::spawn(async move {
            let Some(mut rx) = this.take_receiver() else {
                tracing::warn!("the bot worker runs already");
                return;
            };
            *this.overflow.lock().unwrap_or_else(|e| e.into_inner()) = Some(this.clone());
            let slots = Arc::new(Semaphore::new(AT_ONCE));
            loop {
                let m = tokio::select! {
                    _ = stop.cancelled() => break,
                    m = rx.recv() => match m { Some(m) => m, None => break },
                };
                let Ok(slot) = slots.clone().acquire_owned().await else {
                    break;
                };
                let this = this.clone();
                tokio::spawn(async move {
                    if let Err(e) = this.take_turn(&m).await {
                        tracing::warn!(error = %e, conversation = %m.conversation_id, "bot turn failed");
                        if let Err(e) = this.hand_over_message(&m, Why::Failed("internal")).await {
                            tracing::warn!(error = %e, "cannot hand over after a failed turn");
                        }
                    }
                    drop(slot);
                });
            }
            this.overflow
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take();
        })
    }

    /// One visitor message in a `bot` conversation: handover rules first, then the chain.
    pub(super) async fn take_turn(&self, m: &Message) -> ServiceResult<()> {
        let c = self
            .chat
            .conversation_for_bot(&m.tenant_id, &m.conversation_id)
            .await?;
        if c.state != ConversationState::Bot {
            return Ok(());
        }
        let Some(turn) = self
            .store
            .claim_bot_turn(&m.tenant_id, &c.id, &m.id, &m.body)
            .await?
        else {
            return Ok(());
        };
        let Some((config, key)) = self.config_of(&m.tenant_id).await? else {
            return self.hand_over(&c, &turn, Why::BotsOff, 0).await;
        };
        let answered = self.store.count_bot_replies(&m.tenant_id, &c.id).await?;
        if handover::asked_for_human(&m.body) {
            return self.hand_over(&c, &turn, Why::VisitorAsked, answered).await;
        }
        // Scored here, in process, rather than read back: the stored score may not be there yet.
        if f64::from(super::sentiment::score(&m.body)) < config.handover_below {
            return self.hand_over(&c, &turn, Why::Upset, answered).await;
        }
        if answered >= u64::from(config.max_turns) {
            return self.hand_over(&c, &turn, Why::TurnLimit, answered).await;
        }
        self.chat.bot_typing(&c, true);
        let history = self
            .chat
            .history_for_bot(&c, m.seq, u64::from(config.model.history.max(1)))
            .await?;
        let asked = Turn {
            tenant_id: m.tenant_id.clone(),
            conversation_id: c.id.clone(),
            question: m.body.clone(),
            history,
        };
        let bots = chain::build(
            &config,
            chain::Parts {
                store: self.store.clone(),
                http: self.http.clone(),
                model_key: key,
                partial: self.partial_typing(&c),
            },
        );
        for bot in &bots {
            match bot.respond(&asked).await {
                Ok(None) => continue,
                Ok(Some(reply)) if reply.handover.is_some() => {
                    return self
                        .hand_over(&c, &turn, Why::LowConfidence, answered)
                        .await;
                }
                Ok(Some(reply)) => {
                    return self
                        .answer(&c, &turn, bot.name(), &config.display_name, reply)
                        .await;
                }
                Err(failure) => {
                    tracing::warn!(bot = bot.name(), conversation = %c.id, error = %failure, "bot failed: handing over");
                    return self
                        .hand_over(&c, &turn, Why::Failed(failure.code()), answered)
                        .await;
                }
            }
        }
        self.hand_over(&c, &turn, Why::LowConfidence, answered)
            .await
    }

    /// Typing frames that carry the streamed answer so far (`draft`), at most every 150 ms.
    fn partial_typing(&self, c: &Conversation) -> super::model::Partial {
        let chat = self.chat.clone();
        let c = c.clone();
        let last = std::sync::Mutex::new(None::<Instant>);
        Arc::new(move |text: &str| {
            let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
            if last.is_some_and(|t| t.elapsed() < PARTIAL_EVERY) {
                return;
            }
            *last = Some(Instant::now());
            chat.bot_draft(&c, text);
        })
    }

    async fn answer(
        &self,
        c: &Conversation,
        turn: &BotTurn,
        bot: &str,
        display_name: &str,
        reply: Reply,
    ) -> ServiceResult<()> {
        let stored = self
            .chat
            .bot_reply(
                c,
                BotReply {
                    bot,
                    display_name,
                    answers: &turn.message_id,
                    text: &reply.text,
                },
            )
            .await?;
        self.chat.bot_typing(c, false);
        let detail = if stored.is_some() { bot } else { "taken" };
        self.store
            .finish_bot_turn(
                &c.tenant_id,
                &turn.id,
                TurnEnd {
                    outcome: if stored.is_some() {
                        "answered"
                    } else {
                        "handover"
                    },
                    detail,
                    confidence: (reply.confidence * 1000.0).round() as i32,
                    entry_id: reply.entry_id.as_deref(),
                    reply_id: stored.as_ref().map(|m| m.id.as_str()),
                    tokens: i32::try_from(reply.tokens).unwrap_or(i32::MAX),
                },
            )
            .await?;
        Ok(())
    }

    async fn hand_over(
        &self,
        c: &Conversation,
        turn: &BotTurn,
        why: Why,
        answered: u64,
    ) -> ServiceResult<()> {
        let notice = match self.config_of(&c.tenant_id).await {
            Ok(Some((config, _))) => config.handover_message,
            _ => super::settings::BotConfig::default().handover_message,
        };
        let note = handover::summary(why, answered, &turn.question);
        let moved = self.chat.bot_hand_over(c, &notice, &note).await?;
        if !moved {
            self.chat.bot_typing(c, false);
        }
        tracing::info!(conversation = %c.id, reason = why.code(), "bot handed over");
        self.store
            .finish_bot_turn(
                &c.tenant_id,
                &turn.id,
                TurnEnd {
                    outcome: "handover",
                    detail: why.code(),
                    confidence: 0,
                    entry_id: None,
                    reply_id: None,
                    tokens: 0,
                },
            )
            .await?;
        Ok(())
    }

    /// Hands over the conversation of `m` without a turn of its own (the queue was full, or
    /// the turn failed before it was recorded).
    async fn hand_over_message(&self, m: &Message, why: Why) -> ServiceResult<()> {
        let c = self
            .chat
            .conversation_for_bot(&m.tenant_id, &m.conversation_id)
            .await?;
        if c.state == ConversationState::Bot {
            self.hand_over_conversation(&c, why, &m.body).await?;
        }
        Ok(())
    }

    /// Hands a `bot` conversation over outside a turn; whether it moved.
    pub(super) async fn hand_over_conversation(
        &self,
        c: &Conversation,
        why: Why,
        question: &str,
    ) -> ServiceResult<bool> {
        let notice = match self.config_of(&c.tenant_id).await {
            Ok(Some((config, _))) => config.handover_message,
            _ => super::settings::BotConfig::default().handover_message,
        };
        let answered = self.store.count_bot_replies(&c.tenant_id, &c.id).await?;
        let moved = self
            .chat
            .bot_hand_over(c, &notice, &handover::summary(why, answered, question))
            .await?;
        tracing::info!(conversation = %c.id, reason = why.code(), moved, "bot handed over");
        Ok(moved)
    }

    pub(super) async fn hand_over_busy(&self, m: &Message) -> ServiceResult<()> {
        self.hand_over_message(m, Why::Busy).await
    }
}
