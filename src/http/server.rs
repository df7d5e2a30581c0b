//! Runs the router on a listener until shutdown, then drains within a deadline.

use std::net::SocketAddr;
use std::time::Duration;

use axum::serve::ListenerExt;
use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Serves until `shutdown` fires, then stops accepting, lets in-flight requests finish and
/// returns; if they have not finished within `deadline`, returns anyway.
pub async fn run(
    router: Router,
    listener: TcpListener,
    shutdown: CancellationToken,
    deadline: Duration,
) -> std::io::Result<()> {
    let graceful = shutdown.clone();
    // Realtime frames are small and answer each other; with Nagle's algorithm a second small
    // write (an ack right after an echo) waits for the client's delayed ACK, up to 40 ms.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
    });
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move { graceful.cancelled().await });

    tokio::select! {
        res = server => res,
        _ = async { shutdown.cancelled().await; tokio::time::sleep(deadline).await } => {
            tracing::warn!(deadline_secs = deadline.as_secs(), "shutdown deadline reached; closing remaining connections");
            Ok(())
        }
    }
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
