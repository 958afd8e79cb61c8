//! Sources of manifests: the gRPC services (and, with the Kafka issue, the Kafka consumer). They
//! hold no business logic: each turns its input into a `Manifest` and calls the
//! [`crate::engine::Engine`].

pub mod grpc;
pub mod kafka;
