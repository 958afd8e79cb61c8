//! Creates the pipeline's topics when they do not exist (partition count and replication factor
//! from the configuration). Another instance creating the same topic at the same time is fine.

use super::sink::base_client_config;
use crate::config::KafkaConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

/// The topics the pipeline reads or writes.
pub fn wanted(cfg: &KafkaConfig) -> Vec<String> {
    let mut t = vec![
        cfg.input_topic.clone(),
        cfg.alerts_topic.clone(),
        cfg.dlq_topic.clone(),
    ];
    t.extend(cfg.results_topic.clone());
    t
}

/// Creates the missing topics; returns the names created.
pub async fn ensure(cfg: &KafkaConfig) -> Result<Vec<String>, KafkaError> {
    let admin: Arc<AdminClient<DefaultClientContext>> = Arc::new(base_client_config(cfg).create()?);
    let a = admin.clone();
    // metadata of all topics (naming topics would let a broker auto-create them with its
    // defaults instead of ours)
    let md = tokio::task::spawn_blocking(move || {
        a.inner().fetch_metadata(None, Duration::from_secs(10))
    })
    .await
    .map_err(|_| KafkaError::Canceled)??;
    let existing: HashSet<&str> = md
        .topics()
        .iter()
        .filter(|t| t.error().is_none() && !t.partitions().is_empty())
        .map(|t| t.name())
        .collect();
    let missing: Vec<String> = wanted(cfg)
        .into_iter()
        .filter(|t| !existing.contains(t.as_str()))
        .collect();
    if missing.is_empty() {
        return Ok(missing);
    }
    let new: Vec<NewTopic> = missing
        .iter()
        .map(|t| {
            NewTopic::new(
                t,
                cfg.partitions,
                TopicReplication::Fixed(cfg.replication_factor),
            )
        })
        .collect();
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
    let results = admin.create_topics(&new, &opts).await?;
    let mut created = Vec::new();
    for r in results {
        match r {
            Ok(name) => created.push(name),
            Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((name, code)) => {
                tracing::warn!(topic = %name, error = %code, "could not create topic");
                return Err(KafkaError::AdminOp(code));
            }
        }
    }
    Ok(created)
}
