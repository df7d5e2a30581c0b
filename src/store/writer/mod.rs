//! The group-commit message writer: one or more writers per database, each committing many
//! messages per transaction. Throughput comes from sharing one commit among many messages, not
//! from acknowledging anything before it is committed.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

mod handing_out;

use super::messages::MessageHook;
use super::{Appended, Backend, NewMessage, Store, StoreError, StoreResult};
use handing_out::{hand_out, Committed};

/// Told about a newly stored message on the writer's announcing thread, right after its commit
/// and in commit order (so per conversation in `seq` order), before its sender hears back. It
/// must not block: it hands the message on (e.g. to the event bus) and returns.
pub type Announce = Box<dyn FnOnce(&Appended) + Send>;

struct Job {
    tenant_id: String,
    message: NewMessage,
    announce: Option<Announce>,
    hook: Option<MessageHook>,
    reply: oneshot::Sender<StoreResult<Appended>>,
}

#[derive(Clone)]
pub struct MessageWriter {
    /// One queue per writer; a conversation always goes to the same one, so its messages are
    /// committed in the order they were sent.
    shards: Arc<[mpsc::Sender<Job>]>,
}

/// Writers side by side when none are configured: SQLite lets one transaction write at a
/// time; MySQL's gap locks would make parallel batches deadlock on the message indexes;
/// PostgreSQL commits batches of different conversations in parallel.
fn default_shards(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite | Backend::MySql => 1,
        Backend::Postgres => 4,
    }
}

impl MessageWriter {
    /// Starts `shards` writers (0: as suits the database). They stop, after committing
    /// everything queued, once every `MessageWriter` clone is dropped; await the handle to
    /// know the queues are flushed.
    ///
    /// Each writer runs on a thread of its own: a batch takes several round trips to the
    /// database, and on the shared runtime each of them would wait behind every connection's
    /// task, which under load costs more than the database work itself.
    pub fn spawn(
        store: Store,
        max_batch: usize,
        queue: usize,
        shards: usize,
    ) -> (MessageWriter, JoinHandle<()>) {
        let shards = match shards {
            0 => default_shards(store.backend()),
            n => n,
        };
        let max_batch = max_batch.max(1);
        let mut senders = Vec::with_capacity(shards);
        let mut finished = Vec::with_capacity(shards);
        for i in 0..shards {
            let (jobs, rx) = mpsc::channel(queue.max(1));
            let (done_tx, done_rx) = oneshot::channel::<()>();
            let store = store.clone();
            let runtime = tokio::runtime::Handle::try_current().ok();
            let thread = std::thread::Builder::new()
                .name(format!("uniqchat-writer-{i}"))
                .spawn(move || {
                    write_until_dropped(store, rx, max_batch, i, runtime);
                    let _ = done_tx.send(());
                });
            if let Err(e) = thread {
                tracing::error!(error = %e, "cannot start a message writer thread");
            }
            senders.push(jobs);
            finished.push(done_rx);
        }
        // Resolves once every writer has committed everything and stopped.
        let handle = tokio::spawn(async move {
            for done in finished {
                let _ = done.await;
            }
        });
        let writer = MessageWriter {
            shards: senders.into(),
        };
        (writer, handle)
    }

    /// Stores the message and returns once it is committed.
    pub async fn append(&self, tenant_id: &str, message: NewMessage) -> StoreResult<Appended> {
        self.submit(tenant_id, message, None, None).await
    }

    /// Like `append`; if the message is newly stored (not a resend), `announce` is called with
    /// it after the commit, in commit order with every other message of its conversation.
    pub async fn append_announced(
        &self,
        tenant_id: &str,
        message: NewMessage,
        announce: Announce,
    ) -> StoreResult<Appended> {
        self.submit(tenant_id, message, Some(announce), None).await
    }

    /// Like `append_announced`; when `hook` is given and the message is new, the outbox event
    /// it builds is committed in the same transaction as the message.
    pub async fn append_hooked(
        &self,
        tenant_id: &str,
        message: NewMessage,
        announce: Announce,
        hook: Option<MessageHook>,
    ) -> StoreResult<Appended> {
        self.submit(tenant_id, message, Some(announce), hook).await
    }

    /// Queues the message like `append_hooked` and returns at once, before its commit: what
    /// is queued by one caller is committed in the order queued. The answer is awaited on
    /// the returned `PendingAppend`.
    pub async fn queue_hooked(
        &self,
        tenant_id: &str,
        message: NewMessage,
        announce: Announce,
        hook: Option<MessageHook>,
    ) -> StoreResult<PendingAppend> {
        self.queue(tenant_id, message, Some(announce), hook).await
    }

    async fn submit(
        &self,
        tenant_id: &str,
        message: NewMessage,
        announce: Option<Announce>,
        hook: Option<MessageHook>,
    ) -> StoreResult<Appended> {
        self.queue(tenant_id, message, announce, hook)
            .await?
            .answer()
            .await
    }

    async fn queue(
        &self,
        tenant_id: &str,
        message: NewMessage,
        announce: Option<Announce>,
        hook: Option<MessageHook>,
    ) -> StoreResult<PendingAppend> {
        let mut hasher = DefaultHasher::new();
        message.conversation_id.hash(&mut hasher);
        let shard = &self.shards[(hasher.finish() % self.shards.len() as u64) as usize];
        let (reply, answer) = oneshot::channel();
        let job = Job {
            tenant_id: tenant_id.to_string(),
            message,
            announce,
            hook,
            reply,
        };
        shard
            .send(job)
            .await
            .map_err(|_| StoreError::Write("the message writer has stopped".into()))?;
        Ok(PendingAppend { answer, got: None })
    }
}

/// A message queued to the writer, not yet known to be committed.
pub struct PendingAppend {
    answer: oneshot::Receiver<StoreResult<Appended>>,
    /// The writer's answer once `committed` has seen it.
    got: Option<StoreResult<Appended>>,
}

impl PendingAppend {
    /// Waits until the writer has answered (committed or refused). Cancel-safe: dropped
    /// before it finishes, it loses nothing.
    pub async fn committed(&mut self) {
        if self.got.is_none() {
            self.got = Some(dropped(&mut self.answer).await);
        }
    }

    /// The writer's answer.
    pub async fn answer(mut self) -> StoreResult<Appended> {
        match self.got.take() {
            Some(got) => got,
            None => dropped(&mut self.answer).await,
        }
    }
}

async fn dropped(answer: &mut oneshot::Receiver<StoreResult<Appended>>) -> StoreResult<Appended> {
    answer
        .await
        .map_err(|_| StoreError::Write("the message writer dropped the message".into()))?
}

/// The writer thread: commits batches until its queue is closed and empty, while a thread of
/// its own hands out each committed batch (handing_out.rs); returns once both are done.
fn write_until_dropped(
    store: Store,
    rx: mpsc::Receiver<Job>,
    max_batch: usize,
    i: usize,
    runtime: Option<tokio::runtime::Handle>,
) {
    let built = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let rt = match built {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!(error = %e, "cannot start a message writer");
            return;
        }
    };
    match handing_out::spawn(i, runtime) {
        Ok((committed, thread)) => {
            rt.block_on(run(store, rx, max_batch, Some(committed)));
            if thread.join().is_err() {
                tracing::error!("a message writer's announcing thread panicked");
            }
        }
        Err(e) => {
            // Announced and answered on the writer's own thread, between commits.
            tracing::warn!(error = %e, "no announcing thread; the writer announces itself");
            rt.block_on(run(store, rx, max_batch, None));
        }
    }
}

async fn run(
    store: Store,
    mut rx: mpsc::Receiver<Job>,
    max_batch: usize,
    handing_out: Option<mpsc::Sender<Committed>>,
) {
    // On SQLite the writer keeps a connection of its own and writes below the ORM.
    let mut sqlite = store.sqlite_batch_writer().unwrap_or_else(|e| {
        tracing::warn!(error = %e, "no connection of the writer's own; writing through the pool");
        None
    });
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
        let mut hooks = Vec::with_capacity(batch.len());
        let (work, owed): (Vec<_>, Vec<_>) = batch
            .drain(..)
            .map(|j| {
                hooks.push(j.hook);
                ((j.tenant_id, j.message), (j.announce, j.reply))
            })
            .unzip();
        let size = work.len();
        let started = std::time::Instant::now();
        let outcome = match sqlite.as_mut() {
            Some(own) => store.append_messages_sqlite(own, work, hooks).await,
            None => store.append_messages_hooked(work, hooks).await,
        };
        crate::telemetry::metrics::writer_batch(size, started.elapsed(), outcome.is_ok());
        tracing::debug!(
            size,
            micros = started.elapsed().as_micros() as u64,
            "message batch"
        );
        if let Err(e) = &outcome {
            tracing::error!(error = %e, size, "message batch failed; nothing of it was stored");
        }
        let committed = Committed { owed, outcome };
        match &handing_out {
            Some(thread) => {
                if let Err(mpsc::error::SendError(committed)) = thread.send(committed).await {
                    // The thread is gone (it panicked): hand this batch out here.
                    hand_out(committed);
                }
            }
            None => hand_out(committed),
        }
    }
    tracing::debug!("message writer stopped");
}
