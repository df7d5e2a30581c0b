//! The group-commit message writer: one task per database that commits many messages per
//! transaction. Throughput comes from sharing one commit among many messages, not from
//! acknowledging anything before it is committed.

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::{Appended, NewMessage, Store, StoreError, StoreResult};

struct Job {
    tenant_id: String,
    message: NewMessage,
    reply: oneshot::Sender<StoreResult<Appended>>,
}

#[derive(Clone)]
pub struct MessageWriter {
    jobs: mpsc::Sender<Job>,
}

impl MessageWriter {
    /// Starts the writer. It stops, after committing everything queued, once every
    /// `MessageWriter` clone is dropped; await the handle to know the queue is flushed.
    ///
    /// The writer runs on a thread of its own: a batch takes several round trips to the
    /// database, and on the shared runtime each of them would wait behind every connection's
    /// task, which under load costs more than the database work itself.
    pub fn spawn(store: Store, max_batch: usize, queue: usize) -> (MessageWriter, JoinHandle<()>) {
        let (jobs, rx) = mpsc::channel(queue.max(1));
        let (done_tx, done_rx) = oneshot::channel::<()>();
        let max_batch = max_batch.max(1);
        let thread = std::thread::Builder::new()
            .name("uniqchat-writer".into())
            .spawn(move || {
                match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt.block_on(run(store, rx, max_batch)),
                    Err(e) => tracing::error!(error = %e, "cannot start the message writer"),
                }
                let _ = done_tx.send(());
            });
        if let Err(e) = thread {
            tracing::error!(error = %e, "cannot start the message writer thread");
        }
        // Resolves once the writer has committed everything and stopped.
        let handle = tokio::spawn(async move {
            let _ = done_rx.await;
        });
        (MessageWriter { jobs }, handle)
    }

    /// Stores the message and returns once it is committed.
    pub async fn append(&self, tenant_id: &str, message: NewMessage) -> StoreResult<Appended> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            tenant_id: tenant_id.to_string(),
            message,
            reply,
        };
        self.jobs
            .send(job)
            .await
            .map_err(|_| StoreError::Write("the message writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Write("the message writer dropped the message".into()))?
    }
}

async fn run(store: Store, mut rx: mpsc::Receiver<Job>, max_batch: usize) {
    let mut batch = Vec::with_capacity(max_batch);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        // Everything that queued up while the last commit ran goes into this one.
        while batch.len() < max_batch {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let (work, replies): (Vec<_>, Vec<_>) = batch
            .drain(..)
            .map(|j| ((j.tenant_id, j.message), j.reply))
            .unzip();
        let size = work.len();
        let started = std::time::Instant::now();
        let outcome = store.append_messages(work).await;
        tracing::debug!(
            size,
            micros = started.elapsed().as_micros() as u64,
            "message batch"
        );
        match outcome {
            Ok(results) => {
                for (reply, result) in replies.into_iter().zip(results) {
                    let _ = reply.send(result);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, size, "message batch failed; nothing of it was stored");
                let text = e.to_string();
                for reply in replies {
                    let _ = reply.send(Err(StoreError::Write(text.clone())));
                }
            }
        }
    }
    tracing::debug!("message writer stopped");
}
