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

/// Fires `token` on SIGINT or SIGTERM.
pub fn cancel_on_signal(token: CancellationToken) {
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            match signal(SignalKind::terminate()) {
                Ok(mut term) => {
                    tokio::select! {
                        _ = ctrl_c => {}
                        _ = term.recv() => {}
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops the server");
                    let _ = ctrl_c.await;
                }
            }
        }
        #[cfg(not(unix))]
        {
            let _ = ctrl_c.await;
        }
        tracing::info!("shutdown requested");
        token.cancel();
    });
}
