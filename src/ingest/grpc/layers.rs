//! The HTTP-level edge every gRPC call passes:
//!
//! - Deadlines. It stamps the call's deadline (from `grpc-timeout`, at arrival) on the request
//!   for the handlers, and answers DEADLINE_EXCEEDED itself when the deadline passes before the
//!   response is ready — also while the request is still arriving or being decoded. tonic's
//!   server has its own `grpc-timeout` timer, outside this layer, which answers a generic
//!   CANCELLED "Timeout expired"; this layer's timer starts first (so it is never later) and is
//!   polled first, so clients get the standard DEADLINE_EXCEEDED.
//! - Oversized requests. tonic refuses a message above the decoding limit with OUT_OF_RANGE
//!   before any handler runs; this layer turns that into the same RESOURCE_EXHAUSTED a handler
//!   gives, naming `limits.max_message_bytes`.
//! - Undecodable requests (invalid UTF-8 in a string, a truncated or malformed message): tonic
//!   answers INTERNAL, as gRPC libraries conventionally do; the request is the client's fault,
//!   so this layer answers INVALID_ARGUMENT with prost's description, which names the field path
//!   (`Traveller.surname: Manifest.travellers: …`) and never the value.

use super::errors::{self, Deadline};
use std::task::{Context, Poll};
use tokio::time::Instant;
use tonic::codegen::http;
use tonic::{Code, Status};

/// Builds [`Edge`] services (a tower layer).
#[derive(Debug, Clone, Copy)]
pub struct EdgeLayer {
    /// The configured limit, for the rewritten status.
    pub max_message_bytes: usize,
}

impl<S> tower::Layer<S> for EdgeLayer {
    type Service = Edge<S>;
    fn layer(&self, inner: S) -> Edge<S> {
        Edge {
            inner,
            max_message_bytes: self.max_message_bytes,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Edge<S> {
    inner: S,
    max_message_bytes: usize,
}

impl<S, B, R> tower::Service<http::Request<B>> for Edge<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    R: Default + Send + 'static,
{
    type Response = http::Response<R>;
    type Error = S::Error;
    type Future = futures::future::BoxFuture<'static, Result<http::Response<R>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: http::Request<B>) -> Self::Future {
        // Taken before tonic's own grpc-timeout timer starts (it starts after this call
        // returns), so the handler's deadline is never later than tonic's.
        let timeout = req
            .headers()
            .get("grpc-timeout")
            .and_then(|v| v.to_str().ok())
            .and_then(errors::parse_grpc_timeout);
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        if let Some(at) = deadline {
            req.extensions_mut().insert(Deadline(at));
        }
        let fut = self.inner.call(req);
        let max = self.max_message_bytes;
        Box::pin(async move {
            let resp = match deadline {
                // `timeout_at` polls the call before its timer: an answer ready at the deadline
                // wins
                Some(at) => match tokio::time::timeout_at(at, fut).await {
                    Ok(r) => r?,
                    Err(_) => {
                        metrics::counter!("paxscreen_grpc_deadline_exceeded_total", "work" => "call")
                            .increment(1);
                        return Ok(errors::deadline_exceeded("the call").into_http());
                    }
                },
                None => fut.await?,
            };
            Ok(rewrite_refusal(resp, max))
        })
    }
}

/// tonic refuses a request message above the decoding limit with OUT_OF_RANGE "decoded message
/// length too large: found N bytes, the limit is: M bytes" as a trailers-only response; the
/// API promises RESOURCE_EXHAUSTED naming the configured limit. A request that does not decode
/// (INTERNAL from tonic) becomes INVALID_ARGUMENT.
fn rewrite_refusal<R: Default>(resp: http::Response<R>, max: usize) -> http::Response<R> {
    // only trailers-only answers (status in the headers) can be refusals of the request itself
    let code = resp.headers().get("grpc-status").map(|v| v.as_bytes());
    if code != Some(b"11") && code != Some(b"13") {
        return resp;
    }
    let Some(status) = Status::from_header_map(resp.headers()) else {
        return resp;
    };
    if let Some(s) = undecodable(&status) {
        return s.into_http();
    }
    if status.code() != Code::OutOfRange || !status.message().contains("message length too large") {
        return resp;
    }
    let found = status
        .message()
        .split("found ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse::<usize>().ok());
    let s = match found {
        Some(n) => errors::too_large(n, max),
        None => errors::quota(
            format!("message exceeds limits.max_message_bytes ({max})"),
            "limits.max_message_bytes",
            "MESSAGE_TOO_LARGE",
            &[("limit", max.to_string())],
        ),
    };
    s.into_http()
}

/// tonic's INTERNAL for a request that does not decode, as INVALID_ARGUMENT.
fn undecodable(status: &Status) -> Option<Status> {
    const PREFIX: &str = "failed to decode Protobuf message";
    if status.code() != Code::Internal || !status.message().starts_with(PREFIX) {
        return None;
    }
    let detail = status.message()[PREFIX.len()..].trim_start_matches([':', ' ']);
    Some(errors::invalid(
        "request",
        format!("the request does not decode as its protobuf message: {detail}"),
    ))
}

/// Maps an error from reading a client stream: an oversized item gets the same status as an
/// oversized unary request, an undecodable one INVALID_ARGUMENT.
pub fn stream_error(status: Status, max: usize) -> Status {
    if let Some(s) = undecodable(&status) {
        return s;
    }
    if status.code() == Code::OutOfRange && status.message().contains("message length too large") {
        let found = status
            .message()
            .split("found ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(max + 1);
        return errors::too_large(found, max);
    }
    status
}
