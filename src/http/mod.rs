//! The HTTP side: the analysts' dashboard (embedded page, no external resources), its REST/JSON
//! API and live alert stream (Server-Sent Events), plus `/healthz` (the process is up),
//! `/readyz` (watchlists are loaded and the service takes work) and `/metrics` (Prometheus text).
//!
//! - [`api`]: `/api/alerts` (paged, filtered), `/api/alerts/{id}` (records a `viewed` audit
//!   event), `/api/alerts/{id}/disposition`, `/api/counts`, `/api/stats`, `/api/flights…`,
//!   `/api/audit`.
//! - [`stream`]: `/api/alerts/stream`, new alerts as they are stored.
//! - [`assets`]: the page, its script and style, compiled into the binary.
//!
//! Analysts are identified by the `X-Paxscreen-User` header (or a disposition's `analyst` field);
//! there is no authentication yet, so whoever reaches this port can read alerts and record
//! decisions under any name. Bind it to a trusted network only.

pub mod api;
mod assets;
pub mod stream;

use crate::service::Context;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use std::sync::Arc;
use tokio::net::TcpListener;

/// The header naming the analyst behind a request.
pub const USER_HEADER: &str = "x-paxscreen-user";

/// The routes, without a listener (tests drive it directly too).
pub fn router(ctx: Arc<Context>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/", get(assets::index))
        .route("/assets/{name}", get(assets::asset))
        .route("/api/alerts", get(api::list_alerts))
        .route("/api/alerts/stream", get(stream::alerts))
        .route("/api/alerts/{id}", get(api::get_alert))
        .route("/api/alerts/{id}/disposition", post(api::post_disposition))
        .route("/api/counts", get(api::counts))
        .route("/api/stats", get(api::stats))
        .route("/api/flights", get(api::list_flights))
        .route("/api/flights/{message_id}", get(api::get_flight))
        .route("/api/audit", get(api::audit))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(ctx)
}

/// The page loads nothing from elsewhere, and the headers say so to the browser too.
async fn security_headers(mut res: axum::response::Response) -> axum::response::Response {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

/// Serves until shutdown, letting in-flight requests finish (live streams end at shutdown).
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
