//! Runs the router on a listener until shutdown, then drains within a deadline.
//!
//! Connections are served by hyper's HTTP/1 server directly (not `axum::serve`) so that a
//! client must send a request's header within `server.header_read_timeout_secs`: a silent
//! connection, a half-sent header (slowloris) or a keep-alive connection idle between requests
//! is closed then, before it holds anything but a socket.

use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::service::Drain;

/// Serves until `shutdown` fires, then stops accepting, lets in-flight requests finish and
/// returns; if they have not finished within `deadline`, returns anyway.
pub async fn run(
    router: Router,
    listener: TcpListener,
    shutdown: CancellationToken,
    deadline: Duration,
    header_read_timeout: Duration,
) -> std::io::Result<()> {
    // Every connection task holds a receiver; when all are gone, every request has finished.
    let (open_tx, open_rx) = watch::channel(());
    loop {
        let (tcp, addr) = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of descriptors or a connection reset before accept: wait a little
                    // rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        // Realtime frames are small and answer each other; with Nagle's algorithm a second
        // small write (an ack right after an echo) waits for the client's delayed ACK.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
        let service = router
            .clone()
            .map_request(move |mut req: axum::http::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(addr));
                req.map(Body::new)
            });
        let stop = shutdown.clone();
        let open = open_rx.clone();
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_read_timeout);
            let conn = builder
                .serve_connection(TokioIo::new(tcp), TowerToHyperService::new(service))
                .with_upgrades();
            tokio::pin!(conn);
            let result = tokio::select! {
                r = conn.as_mut() => r,
                _ = stop.cancelled() => {
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = result {
                tracing::debug!(error = %e, peer = %addr, "connection ended");
            }
            drop(open);
        });
    }
    // New connections are refused from now on (not left waiting in the backlog), so a balancer
    // sees a refused connection and tries another node.
    drop(listener);
    drop(open_rx);
    if tokio::time::timeout(deadline, open_tx.closed())
        .await
        .is_err()
    {
        tracing::warn!(
            deadline_secs = deadline.as_secs(),
            "shutdown deadline reached; closing remaining connections"
        );
    }
    Ok(())
}

/// On SIGINT or SIGTERM: starts `drain` at once, then after `drain_for` (or at a second
/// signal) fires `shutdown`.
pub fn drain_on_signal(drain: Drain, shutdown: CancellationToken, drain_for: Duration) {
    tokio::spawn(async move {
        let mut signals = Signals::listen();
        signals.next().await;
        drain.start();
        if !drain_for.is_zero() {
            tracing::info!(
                drain_secs = drain_for.as_secs(),
                "shutdown requested: draining (readyz answers 503, new connections refused)"
            );
            tokio::select! {
                _ = tokio::time::sleep(drain_for) => {}
                _ = signals.next() => tracing::info!("second signal: stopping now"),
            }
        }
        tracing::info!("shutdown requested");
        shutdown.cancel();
    });
}

/// SIGINT (Ctrl-C) and, on Unix, SIGTERM.
struct Signals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn listen() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let term = match signal(SignalKind::terminate()) {
                Ok(term) => Some(term),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops the server");
                    None
                }
            };
            Signals { term }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    /// The next signal.
    async fn next(&mut self) {
        #[cfg(unix)]
        if let Some(term) = self.term.as_mut() {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    }
}
