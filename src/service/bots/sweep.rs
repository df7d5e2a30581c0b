//! A turn whose node stopped before it ended (a restart, a crash) would leave its visitor
//! waiting for an answer that never comes: every node hands such conversations over once their
//! turn is older than any answer may take. Handing over is conditional on the state, so two
//! nodes sweeping at once do it once.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::handover::Why;
use super::BotService;
use crate::service::ServiceResult;
use crate::store::{ConversationState, TurnEnd};

/// How often the sweep runs.
const EVERY: Duration = Duration::from_secs(60);
/// A turn pending for longer than this has lost its node (the longest model timeout is 120 s).
const LOST_AFTER_SECS: i64 = 180;
/// Turns looked at per tenant per sweep.
const PER_TENANT: u64 = 100;

impl BotService {
    pub(super) fn spawn_sweeper(&self, stop: CancellationToken) {
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = tokio::time::sleep(EVERY) => {}
                }
                if let Err(e) = this.sweep().await {
                    tracing::warn!(error = %e, "bot sweep failed");
                }
            }
        });
    }

    /// Hands over the conversations of lost turns; how many.
    pub async fn sweep(&self) -> ServiceResult<usize> {
        let before = chrono::Utc::now() - chrono::Duration::seconds(LOST_AFTER_SECS);
        let mut moved = 0;
        let mut after: Option<String> = None;
        loop {
            let tenants = self.store.list_tenants(after.as_deref(), 100).await?;
            let Some(last) = tenants.last() else { break };
            after = Some(last.id.clone());
            for tenant in &tenants {
                for turn in self
                    .store
                    .stale_bot_turns(&tenant.id, before, PER_TENANT)
                    .await?
                {
                    let c = self
                        .chat
                        .conversation_for_bot(&tenant.id, &turn.conversation_id)
                        .await?;
                    if c.state == ConversationState::Bot
                        && self
                            .hand_over_conversation(&c, Why::Interrupted, &turn.question)
                            .await?
                    {
                        moved += 1;
                    }
                    self.store
                        .finish_bot_turn(
                            &tenant.id,
                            &turn.id,
                            TurnEnd {
                                outcome: "handover",
                                detail: Why::Interrupted.code(),
                                confidence: 0,
                                entry_id: None,
                                reply_id: None,
                                tokens: 0,
                            },
                        )
                        .await?;
                }
            }
        }
        Ok(moved)
    }
}
