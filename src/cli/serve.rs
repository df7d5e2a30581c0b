use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::welcome::Welcome;
use super::{connect, load_config, CliError, GlobalArgs};
use crate::cluster::redis::RedisCluster;
use crate::cluster::{Duty, Parts};
use crate::config::{LogFormat, Override};
use crate::http::{self, AppState};
use crate::service::archive::ArchiveService;
use crate::service::{AccountService, ChatService, Drain};
use crate::store::MessageWriter;

#[derive(Args, Default)]
pub struct ServeArgs {
    /// Address to listen on, e.g. 127.0.0.1:8080 (overrides server.bind)
    #[arg(long, value_name = "ADDR")]
    bind: Option<String>,
    /// Do not apply pending migrations at start
    #[arg(long)]
    no_migrate: bool,
}

pub async fn run(global: &GlobalArgs, args: ServeArgs) -> Result<(), CliError> {
    let mut overrides = Vec::new();
    if let Some(bind) = args.bind {
        overrides.push(Override {
            key: "server.bind",
            flag: "--bind",
            value: bind,
        });
    }
    if args.no_migrate {
        overrides.push(Override {
            key: "database.auto_migrate",
            flag: "--no-migrate",
            value: "false".to_string(),
        });
    }
    let mut config = load_config(global, overrides)?;
    let _log_guard = crate::telemetry::init_server(&config.log).map_err(CliError::Runtime)?;
    super::secret_files::ensure(&mut config)?;
    let config = Arc::new(config);

    let store = connect(&config).await?;
    if config.database.auto_migrate {
        let applied = store.migrate().await?;
        if !applied.is_empty() {
            tracing::info!(migrations = ?applied, "applied migrations");
        }
    }

    let listener = TcpListener::bind(config.bind_addr())
        .await
        .map_err(|e| CliError::Runtime(format!("cannot listen on {}: {e}", config.server.bind)))?;

    // Shown after the start-up logs, so it is the last thing on the screen.
    let mut banner = None;
    if config.bootstrap.enabled {
        let b = &config.bootstrap;
        let accounts = AccountService::new(store.clone());
        if let Some(created) = accounts.bootstrap(&b.tenant, &b.email, &b.password).await? {
            let generated = b.password.is_empty().then_some(created.password.as_str());
            let welcome = Welcome {
                config: &config,
                tenant: &created.tenant,
                owner: &created.owner,
                password: generated,
            };
            banner = Some(welcome.text());
        }
    }

    let shutdown = CancellationToken::new();
    let drain = Drain::new();
    http::server::drain_on_signal(
        drain.clone(),
        shutdown.clone(),
        Duration::from_secs(config.server.drain_secs),
    );
    if config.metrics.enabled {
        crate::telemetry::metrics::install(Duration::from_secs(5))
            .map_err(|e| CliError::Runtime(format!("cannot start the metrics recorder: {e}")))?;
        crate::service::backlog::spawn_sampler(
            store.clone(),
            Duration::from_secs(config.metrics.sample_secs),
            shutdown.clone(),
        );
    }
    crate::service::retention::spawn_sweeper(
        store.clone(),
        config.retention.clone(),
        shutdown.clone(),
    );
    crate::service::search::spawn_indexer(store.clone(), shutdown.clone());
    let (writer, writer_done) = MessageWriter::spawn(
        store.clone(),
        config.realtime.writer_batch,
        config.realtime.writer_batch * 4,
        config.realtime.writer_shards,
    );
    let mut cluster = match config.cluster.enabled() {
        true => Some(
            RedisCluster::start(&config.cluster, shutdown.clone())
                .await
                .map_err(|e| CliError::Runtime(e.to_string()))?,
        ),
        false => None,
    };
    let parts = cluster.as_ref().map_or_else(Parts::local, Parts::of);
    let storage = crate::storage::Storage::from_config(&config.storage)
        .map_err(|e| CliError::Runtime(format!("cannot open file storage: {e}")))?;
    let archive = ArchiveService::new(store.clone(), storage.clone());
    let state = AppState::new(
        config.clone(),
        store.clone(),
        writer,
        storage,
        shutdown.clone(),
        parts,
        drain,
    )
    .map_err(|e| CliError::Runtime(e.to_string()))?;
    match state.auth.two_factor().seal_plain_secrets().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            accounts = n,
            "sealed two-factor secrets stored in the clear"
        ),
        Err(e) => {
            return Err(CliError::Runtime(format!(
                "cannot seal two-factor secrets: {e}"
            )))
        }
    }
    // Once-per-cluster work: on one node always ours, in a cluster under a lease.
    let mut duty = |name: &str| match cluster.as_mut() {
        Some(c) => c.lease(name),
        None => Duty::always(),
    };
    let webhooks_done = config.webhooks.enabled.then(|| {
        state
            .webhooks
            .spawn_worker(shutdown.clone(), duty("webhooks"))
    });
    let mail_done = config
        .mail
        .enabled
        .then(|| state.mail.spawn_worker(shutdown.clone(), duty("mail")));
    if config.realtime.inactivity_close_secs > 0 {
        spawn_inactivity_closer(
            state.chat.clone(),
            config.realtime.inactivity_close_secs,
            shutdown.clone(),
            duty("inactivity"),
        );
    }
    let archive_done = crate::service::archive::spawn_job(
        archive,
        Duration::from_secs(config.retention.archive_secs),
        duty("archive"),
        shutdown.clone(),
    );
    if let Some(c) = cluster.as_mut() {
        let every = Duration::from_millis(config.cluster.heartbeat_ms);
        state.chat.spawn_hand_back(c.lease("handback"), every);
    }
    state.admission.spawn_cleanup(Duration::from_secs(60));
    // Every node answers for its tenants' bots; the database gives each visitor message to one.
    state.bots.spawn_worker(shutdown.clone());
    // Agents the database still counts as present get the offline grace, as after a disconnect.
    let chat = state.chat.clone();
    tokio::spawn(async move {
        match chat.settle_after_restart().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                agents = n,
                "agents present before the start get the offline grace"
            ),
            Err(e) => tracing::warn!(error = %e, "could not check agents present before the start"),
        }
    });
    let router = http::router::build(state);
    tracing::info!(
        addr = %config.bind_addr(),
        url = %config.public_url(),
        profile = %config.profile,
        database = ?store.backend(),
        "uniqchat listening"
    );
    match banner {
        // Printed for the person at the terminal, never logged: it may hold the password.
        Some(text) => println!("\n{text}"),
        None if config.log.format == LogFormat::Pretty => {
            println!("\n{}", super::welcome::running(&config))
        }
        None => {}
    }
    let deadline = Duration::from_secs(config.server.shutdown_timeout_secs);
    let header_timeout = Duration::from_secs(config.server.header_read_timeout_secs);
    http::server::run(router, listener, shutdown, deadline, header_timeout)
        .await
        .map_err(|e| CliError::Runtime(format!("server error: {e}")))?;

    // Connections are closed and the router (holding the writer's senders) is gone: the writer
    // commits what is still queued, then stops.
    if tokio::time::timeout(deadline, writer_done).await.is_err() {
        tracing::warn!("message writer did not finish within the shutdown deadline");
    }
    if let Some(worker) = webhooks_done {
        if tokio::time::timeout(deadline, worker).await.is_err() {
            tracing::warn!("webhook worker did not stop within the shutdown deadline");
        }
    }
    if let Some(worker) = mail_done {
        if tokio::time::timeout(deadline, worker).await.is_err() {
            tracing::warn!("mail worker did not stop within the shutdown deadline");
        }
    }
    if tokio::time::timeout(deadline, archive_done).await.is_err() {
        tracing::warn!("archive job did not stop within the shutdown deadline");
    }
    if let Some(cluster) = cluster {
        cluster.leave(deadline).await;
    }
    store.close().await?;
    tracing::info!("stopped");
    Ok(())
}

/// Closes silent conversations now and then, until shutdown.
fn spawn_inactivity_closer(
    chat: ChatService,
    idle_secs: u64,
    shutdown: CancellationToken,
    duty: Duty,
) {
    let every = Duration::from_secs((idle_secs / 2).clamp(1, 60));
    let idle = chrono::Duration::seconds(idle_secs as i64);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tick.tick() => {}
            }
            if !duty.held() {
                continue;
            }
            match chat.close_inactive(idle).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(closed = n, "closed inactive conversations"),
                Err(e) => tracing::warn!(error = %e, "closing inactive conversations failed"),
            }
        }
    });
}
