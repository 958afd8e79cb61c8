//! `WatchlistService`: live changes to what travellers are screened against. Every change is
//! made through the [`crate::engine::Engine`] (which applies writers one at a time and swaps a
//! rebuilt index in atomically for whole-list loads) on a blocking thread.

use super::errors::{self, Deadline, Violations};
use super::pb::watchlist_service_server::WatchlistService;
use super::pb::{self};
use super::screening::blocking_thread as blocking;
use super::{Shared, convert};
use crate::watchlist::{self, WatchlistError};
use prost::Message;
use std::path::Path;
use std::sync::Arc;
use tonic::{Request, Response, Status};

pub struct Watchlists {
    pub(super) shared: Arc<Shared>,
}

#[tonic::async_trait]
impl WatchlistService for Watchlists {
    async fn upsert_entries(
        &self,
        request: Request<pb::UpsertEntriesRequest>,
    ) -> Result<Response<pb::UpsertEntriesResponse>, Status> {
        let deadline = Deadline::of(&request);
        let req = request.into_inner();
        let engine = self.shared.ctx.engine.clone();
        engine
            .check_size(req.encoded_len())
            .map_err(errors::engine)?;
        let mut v = Violations::default();
        let entries: Vec<_> = req
            .entries
            .into_iter()
            .enumerate()
            .map(|(i, e)| convert::entry(&mut v, &format!("entries[{i}]"), e))
            .collect();
        v.into_result()?;
        let n = entries.len();
        let indexed = blocking(deadline, "upsert", move || Ok(engine.upsert(entries))).await?;
        tracing::info!(upserted = n, indexed, "watchlist entries upserted");
        Ok(Response::new(pb::UpsertEntriesResponse {
            upserted: n as u32,
            indexed: indexed as u32,
        }))
    }

    async fn delete_entries(
        &self,
        request: Request<pb::DeleteEntriesRequest>,
    ) -> Result<Response<pb::DeleteEntriesResponse>, Status> {
        let deadline = Deadline::of(&request);
        let req = request.into_inner();
        let engine = self.shared.ctx.engine.clone();
        engine
            .check_size(req.encoded_len())
            .map_err(errors::engine)?;
        let deleted = blocking(deadline, "delete", move || Ok(engine.delete(&req.ids))).await?;
        tracing::info!(deleted, "watchlist entries deleted");
        Ok(Response::new(pb::DeleteEntriesResponse {
            deleted: deleted as u32,
        }))
    }

    async fn load_list(
        &self,
        request: Request<pb::LoadListRequest>,
    ) -> Result<Response<pb::LoadListResponse>, Status> {
        let deadline = Deadline::of(&request);
        let req = request.into_inner();
        let engine = self.shared.ctx.engine.clone();
        engine.check_size(req.data.len()).map_err(errors::engine)?;
        let mut v = Violations::default();
        if !convert::valid_list_name(&req.list) {
            v.add(
                "list",
                "list name must be 1-64 characters of [A-Za-z0-9_.-]",
            );
        }
        let given = convert::list_format(&mut v, "format", req.format);
        v.into_result()?;
        let format = match given {
            Some(f) => f,
            None => {
                let head = &req.data[..req.data.len().min(4096)];
                watchlist::detect_format(Path::new(""), head).ok_or_else(|| {
                    errors::invalid(
                        "data",
                        "cannot tell the list format from the content; set format",
                    )
                })?
            }
        };
        let list = req.list;
        let data = req.data;
        let (summary, replaced) = blocking(deadline, "list load", move || {
            let source = format!("upload of {list}");
            let (entries, summary) =
                watchlist::load_bytes(format, &source, &data).map_err(|e| match e {
                    // the message names the upload and the format, never the content
                    WatchlistError::NotUnXml { .. } | WatchlistError::UnknownFormat { .. } => {
                        errors::invalid("data", e.to_string())
                    }
                    WatchlistError::Io { .. } => errors::internal("reading the upload"),
                })?;
            // a file of which nothing could be read must not wipe the list it was meant to
            // replace
            if entries.is_empty() && summary.problems_total > 0 {
                return Err(errors::invalid(
                    "data",
                    format!(
                        "no entry could be read ({} problems, first at {}); the list is unchanged",
                        summary.problems_total,
                        summary
                            .problems
                            .first()
                            .map(|p| p.location.as_str())
                            .unwrap_or("?")
                    ),
                ));
            }
            let (removed, added) = engine.load_list(&list, entries).map_err(errors::engine)?;
            tracing::info!(list = %list, removed, added, skipped = summary.skipped, "watchlist replaced");
            Ok((summary, removed))
        })
        .await?;
        Ok(Response::new(convert::load_summary(&summary, replaced)))
    }

    async fn get_stats(
        &self,
        _request: Request<pb::GetStatsRequest>,
    ) -> Result<Response<pb::GetStatsResponse>, Status> {
        let engine = self.shared.ctx.engine.clone();
        let stats = blocking(None, "stats", move || Ok(engine.stats())).await?;
        Ok(Response::new(convert::stats_pb(&stats)))
    }
}
