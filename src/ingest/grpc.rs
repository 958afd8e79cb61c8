//! The gRPC front door. Placeholder until the gRPC issue lands: it holds the listener open and
//! serves nothing, so `serve` can be wired end to end.

use crate::service::Context;
use std::sync::Arc;
use tokio::net::TcpListener;

pub async fn serve(ctx: Arc<Context>, listener: TcpListener) -> anyhow::Result<()> {
    let _listener = listener;
    ctx.shutdown.cancelled().await;
    Ok(())
}
