//! The HTTP side: `/healthz` (the process is up), `/readyz` (watchlists are loaded and the
//! service takes work), `/metrics` (Prometheus text). The dashboard and REST API join it with the
//! dashboard issue.

use crate::service::Context;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use std::sync::Arc;
use tokio::net::TcpListener;

/// The routes, without a listener (tests drive it directly too).
pub fn router(ctx: Arc<Context>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(ctx)
}

/// Serves until shutdown, letting in-flight requests finish.
pub async fn serve(ctx: Arc<Context>, listener: TcpListener) -> anyhow::Result<()> {
    let token = ctx.shutdown.clone();
    axum::serve(listener, router(ctx))
        .with_graceful_shutdown(async move { token.cancelled().await })
        .await?;
    Ok(())
}

async fn readyz(State(ctx): State<Arc<Context>>) -> impl IntoResponse {
    if ctx.shutdown.is_cancelled() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting down\n".to_string(),
        );
    }
    let s = ctx.engine.stats();
    (
        StatusCode::OK,
        format!(
            "{}\n",
            serde_json::json!({"ready": true, "indexed": s.indexed, "lists": s.lists})
        ),
    )
}

async fn metrics(State(ctx): State<Arc<Context>>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        ctx.metrics.render(),
    )
}
