//! One typed configuration for `paxscreen serve` (and `demo`): a TOML file, then `PAXSCREEN_*`
//! environment variables, then flags, each overriding the one before. Every field has a default,
//! so an empty file (or none) is a valid configuration. `deploy/paxscreen.toml` documents each
//! field with its default.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Watchlist files loaded at start (UN XML, OFAC sdn.csv, NDJSON; detected by content).
    pub watchlists: Vec<PathBuf>,
    /// Where the alert store lives; `None` keeps alerts in memory only.
    pub data_dir: Option<PathBuf>,
    pub grpc: GrpcConfig,
    pub http: HttpConfig,
    pub screening: ScreeningConfig,
    pub limits: LimitsConfig,
    pub alerts: AlertsConfig,
    /// Kafka ingestion; absent means gRPC only.
    pub kafka: Option<KafkaConfig>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GrpcConfig {
    /// Address the gRPC server binds (port 0: any free port, logged at start).
    pub addr: SocketAddr,
}

impl Default for GrpcConfig {
    fn default() -> Self {
        GrpcConfig {
            addr: ([127, 0, 0, 1], 50051).into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// Address of the HTTP server (dashboard, REST, `/metrics`, `/healthz`, `/readyz`).
    pub addr: SocketAddr,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            addr: ([127, 0, 0, 1], 8080).into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScreeningConfig {
    /// Matches below this are not reported at all.
    pub threshold: f32,
    /// Matches at or above this raise alerts (and make the iAPI answer `refer`).
    pub alert_threshold: f32,
    /// A match at or above this on a high or critical entry makes the iAPI answer `no_board`.
    pub no_board_threshold: f32,
    /// At most this many matches per traveller.
    pub top_n: usize,
}

impl Default for ScreeningConfig {
    fn default() -> Self {
        let p = crate::engine::Policy::default();
        ScreeningConfig {
            threshold: crate::screen::DEFAULT_THRESHOLD,
            alert_threshold: p.alert_threshold,
            no_board_threshold: p.no_board_threshold,
            top_n: 10,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Largest accepted message or upload, in bytes.
    pub max_message_bytes: usize,
    /// Most travellers in one manifest.
    pub max_travellers: usize,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        let l = crate::engine::Limits::default();
        LimitsConfig {
            max_message_bytes: l.max_message_bytes,
            max_travellers: l.max_travellers,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlertsConfig {
    /// Per-subscriber backlog of live alert streams; a subscriber further behind is told it
    /// lagged and resumes from the store.
    pub channel_capacity: usize,
    /// Alerts kept by the in-memory store (used when there is no `data_dir`).
    pub memory_capacity: usize,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        AlertsConfig {
            channel_capacity: 4096,
            memory_capacity: 100_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KafkaConfig {
    /// `host:port[,host:port…]`.
    pub brokers: String,
    pub group_id: String,
    pub input_topic: String,
    pub alerts_topic: String,
    pub dlq_topic: String,
    /// When set, a per-manifest screening summary goes here.
    pub results_topic: Option<String>,
    /// Partitions of topics the service creates.
    pub partitions: i32,
    pub replication_factor: i32,
    /// Extra librdkafka properties (`security.protocol`, `sasl.mechanism`, `ssl.ca.location`,
    /// …), passed through unchanged to consumer and producer.
    pub properties: BTreeMap<String, String>,
    /// Manifests being screened and delivered at once; when reached, the consumer stops
    /// reading (backpressure).
    pub max_in_flight: usize,
    /// How long (seconds) a multi-part PAXLST flight waits for missing parts before it is
    /// screened incomplete. Offsets at or after its first part stay uncommitted meanwhile.
    pub multipart_hold_secs: u64,
}

impl Default for KafkaConfig {
    fn default() -> Self {
        KafkaConfig {
            brokers: "127.0.0.1:9092".into(),
            group_id: "paxscreen".into(),
            input_topic: "paxscreen.api".into(),
            alerts_topic: "paxscreen.alerts".into(),
            dlq_topic: "paxscreen.dlq".into(),
            results_topic: None,
            partitions: 6,
            replication_factor: 1,
            properties: BTreeMap::new(),
            max_in_flight: 64,
            multipart_hold_secs: 300,
        }
    }
}

/// Why a configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("reading config {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config {path}: {message}")]
    Parse { path: String, message: String },
    #[error("environment variable {name}: {message}")]
    Env { name: String, message: String },
    #[error("config: {0}")]
    Invalid(String),
}

impl Config {
    /// Reads a TOML file (unknown keys are errors, with their place).
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Config::from_toml(&text).map_err(|message| ConfigError::Parse {
            path: path.display().to_string(),
            message,
        })
    }

    pub fn from_toml(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// Applies `PAXSCREEN_*` variables from `vars` (normally `std::env::vars()`). Names are
    /// the section and key joined by `_`: `PAXSCREEN_GRPC_ADDR`, `PAXSCREEN_SCREENING_ALERT_THRESHOLD`,
    /// `PAXSCREEN_KAFKA_BROKERS` (which also enables Kafka), `PAXSCREEN_DATA_DIR`,
    /// `PAXSCREEN_WATCHLISTS` (paths separated by `:`). Unknown `PAXSCREEN_*` names are ignored
    /// (the same prefix serves `PAXSCREEN_LOG` and test settings).
    pub fn apply_env(
        &mut self,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<(), ConfigError> {
        for (name, value) in vars {
            let Some(key) = name.strip_prefix("PAXSCREEN_") else {
                continue;
            };
            let bad = |message: String| ConfigError::Env {
                name: name.clone(),
                message,
            };
            fn num<T: std::str::FromStr>(v: &str) -> Result<T, String>
            where
                T::Err: std::fmt::Display,
            {
                v.trim().parse().map_err(|e: T::Err| e.to_string())
            }
            match key {
                "WATCHLISTS" => {
                    self.watchlists = value
                        .split(':')
                        .filter(|s| !s.is_empty())
                        .map(PathBuf::from)
                        .collect()
                }
                "DATA_DIR" => self.data_dir = Some(PathBuf::from(value)),
                "GRPC_ADDR" => self.grpc.addr = num(&value).map_err(bad)?,
                "HTTP_ADDR" => self.http.addr = num(&value).map_err(bad)?,
                "SCREENING_THRESHOLD" => self.screening.threshold = num(&value).map_err(bad)?,
                "SCREENING_ALERT_THRESHOLD" => {
                    self.screening.alert_threshold = num(&value).map_err(bad)?
                }
                "SCREENING_NO_BOARD_THRESHOLD" => {
                    self.screening.no_board_threshold = num(&value).map_err(bad)?
                }
                "SCREENING_TOP_N" => self.screening.top_n = num(&value).map_err(bad)?,
                "LIMITS_MAX_MESSAGE_BYTES" => {
                    self.limits.max_message_bytes = num(&value).map_err(bad)?
                }
                "LIMITS_MAX_TRAVELLERS" => self.limits.max_travellers = num(&value).map_err(bad)?,
                "KAFKA_BROKERS" => self.kafka.get_or_insert_with(Default::default).brokers = value,
                "KAFKA_GROUP_ID" => {
                    self.kafka.get_or_insert_with(Default::default).group_id = value
                }
                "KAFKA_INPUT_TOPIC" => {
                    self.kafka.get_or_insert_with(Default::default).input_topic = value
                }
                "KAFKA_ALERTS_TOPIC" => {
                    self.kafka.get_or_insert_with(Default::default).alerts_topic = value
                }
                "KAFKA_DLQ_TOPIC" => {
                    self.kafka.get_or_insert_with(Default::default).dlq_topic = value
                }
                "KAFKA_RESULTS_TOPIC" => {
                    self.kafka
                        .get_or_insert_with(Default::default)
                        .results_topic = Some(value)
                }
                "KAFKA_PARTITIONS" => {
                    self.kafka.get_or_insert_with(Default::default).partitions =
                        num(&value).map_err(bad)?
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Checks values that parse but make no sense.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let s = &self.screening;
        for (name, v) in [
            ("screening.threshold", s.threshold),
            ("screening.alert_threshold", s.alert_threshold),
            ("screening.no_board_threshold", s.no_board_threshold),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(ConfigError::Invalid(format!(
                    "{name} must be in [0, 1], got {v}"
                )));
            }
        }
        if s.alert_threshold < s.threshold {
            return Err(ConfigError::Invalid(format!(
                "screening.alert_threshold ({}) is below screening.threshold ({}): such alerts could never be raised",
                s.alert_threshold, s.threshold
            )));
        }
        if self.limits.max_message_bytes == 0 || self.limits.max_travellers == 0 {
            return Err(ConfigError::Invalid("limits must be positive".into()));
        }
        if let Some(k) = &self.kafka
            && k.partitions < 1
        {
            return Err(ConfigError::Invalid("kafka.partitions must be ≥ 1".into()));
        }
        if let Some(k) = &self.kafka
            && k.max_in_flight < 1
        {
            return Err(ConfigError::Invalid(
                "kafka.max_in_flight must be ≥ 1".into(),
            ));
        }
        Ok(())
    }

    pub fn policy(&self) -> crate::engine::Policy {
        crate::engine::Policy {
            alert_threshold: self.screening.alert_threshold,
            no_board_threshold: self.screening.no_board_threshold,
        }
    }

    pub fn limits(&self) -> crate::engine::Limits {
        crate::engine::Limits {
            max_message_bytes: self.limits.max_message_bytes,
            max_travellers: self.limits.max_travellers,
        }
    }

    pub fn screen_config(&self) -> crate::screen::ScreenConfig {
        crate::screen::ScreenConfig {
            threshold: self.screening.threshold,
            top_n: self.screening.top_n,
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_is_the_defaults_and_env_overrides_file() {
        assert_eq!(Config::from_toml("").unwrap(), Config::default());
        let mut c = Config::from_toml(
            "watchlists = [\"a.xml\"]\n[grpc]\naddr = \"0.0.0.0:9000\"\n[screening]\nalert_threshold = 0.85\n",
        )
        .unwrap();
        assert_eq!(c.grpc.addr.port(), 9000);
        assert!(c.kafka.is_none());
        c.apply_env([
            ("PAXSCREEN_GRPC_ADDR".to_string(), "127.0.0.1:0".to_string()),
            ("PAXSCREEN_KAFKA_BROKERS".into(), "k:9092".into()),
            ("PAXSCREEN_LOG".into(), "debug".into()),
            ("HOME".into(), "/root".into()),
        ])
        .unwrap();
        assert_eq!(c.grpc.addr.port(), 0);
        assert_eq!(c.kafka.as_ref().unwrap().brokers, "k:9092");
        assert_eq!(c.kafka.as_ref().unwrap().input_topic, "paxscreen.api");
        assert_eq!(c.screening.alert_threshold, 0.85);
        c.validate().unwrap();
    }

    #[test]
    fn errors_name_the_place() {
        let e = Config::from_toml("[grpc]\nadress = \"x\"\n").unwrap_err();
        assert!(e.contains("adress"), "{e}");
        let mut c = Config::default();
        let e = c
            .apply_env([("PAXSCREEN_GRPC_ADDR".to_string(), "nope".to_string())])
            .unwrap_err();
        assert!(e.to_string().contains("PAXSCREEN_GRPC_ADDR"), "{e}");
        c.screening.alert_threshold = 0.5;
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("alert_threshold")
        );
    }
}
