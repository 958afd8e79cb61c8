//! The gRPC front door (`paxscreen.v1`, see `proto/paxscreen/v1/`): screening (agencies and
//! carriers), watchlist administration, alert streams, plus gRPC health checking and server
//! reflection.
//!
//! - [`pb`] — the generated messages, clients and servers.
//! - [`convert`] — protobuf ↔ model, strict about requests.
//! - [`errors`] — statuses with `google.rpc` details; the call deadline.
//! - [`layers`] — the edge every call passes (deadline stamp, oversize status).
//! - [`screening`] and [`stream`] — `ScreeningService`.
//! - [`watchlist`] — `WatchlistService`.
//! - [`alerts`] — `AlertService`.
//!
//! No business logic lives here: each handler turns its request into model values and calls the
//! [`crate::engine::Engine`] off the async runtime (screening on the rayon pool, watchlist
//! changes on a blocking thread; see [`screening::screening_work`]).

pub mod alerts;
pub mod convert;
pub mod errors;
pub mod layers;
pub mod screening;
pub mod stream;
pub mod watchlist;

/// The generated `paxscreen.v1` code (messages, `*_client`, `*_server`).
#[allow(clippy::all, clippy::pedantic, missing_docs, rustdoc::all)]
pub mod pb {
    tonic::include_proto!("paxscreen.v1");

    /// The encoded `FileDescriptorSet` of `proto/paxscreen/v1` (with its imports), served by
    /// reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/paxscreen_descriptor.bin"));
}

use crate::service::Context;
use pb::alert_service_server::AlertServiceServer;
use pb::screening_service_server::ScreeningServiceServer;
use pb::watchlist_service_server::WatchlistServiceServer;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tonic::transport::server::TcpIncoming;
use tonic_health::ServingStatus;

/// How long in-flight calls may take to finish after shutdown is requested before the
/// remaining connections are dropped (long-lived streams — health `Watch`, a client that stopped
/// reading — would otherwise hold the process up forever).
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Room above `limits.max_message_bytes` for the protobuf envelope around a payload (request
/// fields beside the EDIFACT bytes or list data), so that a payload just over the limit reaches
/// the handler and gets the precise RESOURCE_EXHAUSTED rather than a transport refusal.
pub const ENVELOPE_HEADROOM: usize = 64 << 10;

/// What the services share.
pub(crate) struct Shared {
    pub ctx: Arc<Context>,
}

/// The fully qualified names of the paxscreen services (health reports each).
pub const SERVICES: [&str; 3] = [
    "paxscreen.v1.ScreeningService",
    "paxscreen.v1.WatchlistService",
    "paxscreen.v1.AlertService",
];

/// Serves until `ctx.shutdown` is cancelled: then health turns NOT_SERVING, new calls are refused,
/// in-flight calls finish (streams end with UNAVAILABLE so clients can resume), for at most
/// [`SHUTDOWN_GRACE`].
pub async fn serve(ctx: Arc<Context>, listener: TcpListener) -> anyhow::Result<()> {
    let shared = Arc::new(Shared { ctx: ctx.clone() });
    let max = ctx.engine.limits().max_message_bytes;
    let decode_limit = max.saturating_add(ENVELOPE_HEADROOM);

    let (health, health_service) = tonic_health::server::health_reporter();
    for s in SERVICES {
        health.set_service_status(s, ServingStatus::Serving).await;
    }
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1()?;

    let screening = ScreeningServiceServer::new(screening::Screening {
        shared: shared.clone(),
    })
    .max_decoding_message_size(decode_limit);
    let watchlists = WatchlistServiceServer::new(watchlist::Watchlists {
        shared: shared.clone(),
    })
    .max_decoding_message_size(decode_limit);
    let alerts =
        AlertServiceServer::new(alerts::Alerts { shared }).max_decoding_message_size(decode_limit);

    let token = ctx.shutdown.clone();
    let reporter = health.clone();
    let signal = async move {
        token.cancelled().await;
        // readiness first, so that load balancers stop routing here while calls drain
        reporter
            .set_service_status("", ServingStatus::NotServing)
            .await;
        for s in SERVICES {
            reporter
                .set_service_status(s, ServingStatus::NotServing)
                .await;
        }
        tracing::info!("gRPC: draining in-flight calls");
    };
    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    let server = tonic::transport::Server::builder()
        .layer(layers::EdgeLayer {
            max_message_bytes: max,
        })
        .add_service(health_service)
        .add_service(reflection)
        .add_service(screening)
        .add_service(watchlists)
        .add_service(alerts)
        .serve_with_incoming_shutdown(incoming, signal);
    let token = ctx.shutdown.clone();
    let grace = async move {
        token.cancelled().await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        r = server => r?,
        _ = grace => {
            tracing::warn!(grace_seconds = SHUTDOWN_GRACE.as_secs(), "gRPC: calls still open after the grace period; closing them");
        }
    }
    tracing::info!("gRPC server stopped");
    Ok(())
}
