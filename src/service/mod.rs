//! `paxscreen serve`: loads the configured watchlists, builds the [`Engine`], binds the gRPC and
//! HTTP listeners (logging the addresses actually bound, so port 0 works), starts the optional
//! Kafka pipeline, and shuts everything down gracefully on SIGTERM / Ctrl-C: stop accepting,
//! finish in-flight work, flush, exit.

use crate::alerts::{AlertHub, AlertStore, MemoryStore};
use crate::config::Config;
use crate::engine::Engine;
use crate::model::EntryRef;
use anyhow::{Context as _, Result};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Instant;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// What every front door (gRPC, HTTP, Kafka) shares.
pub struct Context {
    pub config: Config,
    pub engine: Arc<Engine>,
    /// Cancelled when the service is asked to stop.
    pub shutdown: CancellationToken,
    pub metrics: PrometheusHandle,
    pub started: Instant,
}

/// A started service: where it listens, and how to stop it.
pub struct Running {
    pub grpc_addr: SocketAddr,
    pub http_addr: SocketAddr,
    pub ctx: Arc<Context>,
    tasks: JoinSet<Result<()>>,
}

impl Running {
    /// Asks every component to stop (they finish in-flight work first).
    pub fn shutdown(&self) {
        self.ctx.shutdown.cancel();
    }

    /// Waits for every component to finish; the first error wins, and stops the others.
    pub async fn wait(mut self) -> Result<()> {
        let mut first: Result<()> = Ok(());
        while let Some(r) = self.tasks.join_next().await {
            let r = r.map_err(anyhow::Error::from).and_then(|r| r);
            if let Err(e) = r {
                self.ctx.shutdown.cancel();
                if first.is_ok() {
                    first = Err(e);
                }
            }
        }
        first
    }
}

/// The process-wide Prometheus recorder (installed once; later calls share it).
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // another recorder may already be installed (a host program's); ours still renders
            // what it records only when installed, so say so once
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was already installed; /metrics stays empty");
            }
            handle
        })
        .clone()
}

/// Builds the alert store the configuration asks for.
pub fn open_store(config: &Config) -> Result<Arc<dyn AlertStore>> {
    match &config.data_dir {
        // durable: alerts, dispositions, audit trail, screening results (SQLite, WAL)
        Some(dir) => Ok(Arc::new(
            crate::alerts::SqliteStore::open(dir)
                .with_context(|| format!("opening the alert store in {}", dir.display()))?,
        )),
        None => Ok(Arc::new(MemoryStore::new(config.alerts.memory_capacity))),
    }
}

/// Loads the watchlists named in the configuration (on a blocking thread).
pub async fn load_watchlists(config: &Config) -> Result<Vec<EntryRef>> {
    let paths = config.watchlists.clone();
    tokio::task::spawn_blocking(move || {
        // the loaders log counts; the per-record problems may quote list content and are not
        // logged
        crate::cli::load_watchlists(&paths, &mut std::io::sink())
    })
    .await?
}

/// Starts every component and returns once they listen.
pub async fn start(config: Config) -> Result<Running> {
    config.validate()?;
    let metrics = metrics_handle();
    let entries = load_watchlists(&config).await?;
    let store = {
        // opening SQLite reads and may create files: off the async runtime
        let c = config.clone();
        tokio::task::spawn_blocking(move || open_store(&c)).await??
    };
    let hub = AlertHub::new(store, config.alerts.channel_capacity);
    let engine = {
        let (screen, policy, limits) = (config.screen_config(), config.policy(), config.limits());
        tokio::task::spawn_blocking(move || Engine::new(entries, screen, policy, limits, hub))
            .await?
    };
    let grpc = TcpListener::bind(config.grpc.addr)
        .await
        .with_context(|| format!("binding gRPC address {}", config.grpc.addr))?;
    let http = TcpListener::bind(config.http.addr)
        .await
        .with_context(|| format!("binding HTTP address {}", config.http.addr))?;
    let grpc_addr = grpc.local_addr()?;
    let http_addr = http.local_addr()?;
    let ctx = Arc::new(Context {
        config,
        engine: Arc::new(engine),
        shutdown: CancellationToken::new(),
        metrics,
        started: Instant::now(),
    });
    let stats = ctx.engine.stats();
    tracing::info!(%grpc_addr, %http_addr, indexed = stats.indexed, lists = stats.lists.len(), "paxscreen serving");
    let mut tasks = JoinSet::new();
    tasks.spawn(crate::ingest::grpc::serve(ctx.clone(), grpc));
    tasks.spawn(crate::http::serve(ctx.clone(), http));
    if ctx.config.kafka.is_some() {
        tasks.spawn(crate::ingest::kafka::serve(ctx.clone()));
    }
    Ok(Running {
        grpc_addr,
        http_addr,
        ctx,
        tasks,
    })
}

/// Runs until SIGTERM or Ctrl-C, then shuts down gracefully.
pub async fn run(config: Config) -> Result<()> {
    let running = start(config).await?;
    eprintln!(
        "{}",
        serde_json::json!({"grpc_addr": running.grpc_addr.to_string(), "http_addr": running.http_addr.to_string()})
    );
    let token = running.ctx.shutdown.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutdown requested");
        token.cancel();
    });
    running.wait().await
}

/// Resolves on SIGTERM or Ctrl-C (shared by `serve` and `demo`).
pub async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
