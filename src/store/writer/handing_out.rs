//! After a commit: the batch's announcements, then its answers, on a thread of the writer's
//! own, so the writer commits its next batch meanwhile. One such thread per writer takes the
//! batches in commit order, so each conversation's messages are still announced in `seq` order
//! and every sender's echo is on its way before its ack.

use std::thread::JoinHandle;

use tokio::runtime::Handle;
use tokio::sync::{mpsc, oneshot};

use super::Announce;
use crate::store::{Appended, StoreError, StoreResult};

/// Committed batches waiting for the thread; beyond that the writer waits before committing
/// more, so a slow fan-out slows the writer rather than piling up answers.
const WAITING: usize = 2;

/// What a batch's senders are owed once it is committed (or failed).
pub(super) struct Committed {
    /// Per message, in batch order: its announcement, and where its answer goes.
    pub owed: Vec<(Option<Announce>, oneshot::Sender<StoreResult<Appended>>)>,
    pub outcome: StoreResult<Vec<StoreResult<Appended>>>,
}

/// Starts the thread for writer `i`; it ends once the returned sender is dropped and every
/// batch sent to it has been handed out. What an announcement spawns (a bot's turn, say) runs
/// on `runtime`, the server's.
pub(super) fn spawn(
    i: usize,
    runtime: Option<Handle>,
) -> std::io::Result<(mpsc::Sender<Committed>, JoinHandle<()>)> {
    let (tx, mut rx) = mpsc::channel::<Committed>(WAITING);
    let thread = std::thread::Builder::new()
        .name(format!("uniqchat-announce-{i}"))
        .spawn(move || {
            let _entered = runtime.as_ref().map(Handle::enter);
            while let Some(committed) = rx.blocking_recv() {
                hand_out(committed);
            }
        })?;
    Ok((tx, thread))
}

/// Every announcement first, in batch (= commit) order, then the answers.
pub(super) fn hand_out(Committed { mut owed, outcome }: Committed) {
    match outcome {
        Ok(results) => {
            for ((announce, _), result) in owed.iter_mut().zip(&results) {
                if let (Some(announce), Ok(appended)) = (announce.take(), result) {
                    if !appended.duplicate {
                        announce(appended);
                    }
                }
            }
            for ((_, reply), result) in owed.into_iter().zip(results) {
                let _ = reply.send(result);
            }
        }
        Err(e) => {
            let text = e.to_string();
            for (_, reply) in owed {
                let _ = reply.send(Err(StoreError::Write(text.clone())));
            }
        }
    }
}
