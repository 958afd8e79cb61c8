//! The durable alert store: one SQLite file (`alerts.sqlite3`) in the data directory, holding
//! alerts, dispositions, false-positive suppressions, the audit trail and per-manifest screening
//! results.
//!
//! Design note.
//! - Durability: WAL journal with `synchronous=FULL`, so a committed transaction survives a power
//!   loss, not just a process crash: an alert reported as delivered (to a gRPC stream, a Kafka
//!   offset commit, the dashboard) must still be there after any crash. The cost is one fsync per
//!   transaction, and there is one transaction per published manifest (not per alert), so a few
//!   per second at the busiest. Every write is a single transaction: a crash leaves either all
//!   of a manifest's alerts or none.
//! - Concurrency: one writer connection behind a mutex (SQLite allows one writer at a time
//!   anyway; the mutex makes waiting cheap and fair) and a small pool of read connections, which
//!   WAL lets run beside the writer. Every call blocks: async callers use `spawn_blocking`.
//! - Sequence numbers are the `alerts` rowid with `AUTOINCREMENT`: strictly increasing, never
//!   reused. Alerts are stored as their JSON (with `seq` 0; the column is the truth) beside the
//!   indexed columns listings filter on. Each filter column has an index ending in `seq`, so an
//!   equality filter reads its rows already in `seq` order and a page never sorts.
//! - The audit table refuses updates and deletes (triggers): it is append-only.

use super::cases::{
    ActivityStats, AlertQuery, AuditEvent, CaseStore, Disposition, FlightSummary, Listed,
    SCORE_BIN, ScreeningRecord, Status, StatusCounts, SuppressedMode, TravellerResultRow, Verdict,
    severity_rank,
};
use super::identity::traveller_identity;
use super::{Alert, AlertFilter, AlertStore, FlightRef, StoreError, Suppression};
use chrono::{DateTime, TimeZone, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The database file inside the data directory.
pub const FILE_NAME: &str = "alerts.sqlite3";

/// Read connections kept open for reuse; more concurrent readers open their own and close them.
const POOLED_READERS: usize = 4;

const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS alerts (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id   TEXT NOT NULL UNIQUE,
    created_ms INTEGER NOT NULL,
    list       TEXT NOT NULL COLLATE NOCASE,
    entry_id   TEXT NOT NULL,
    severity   INTEGER NOT NULL,
    score      REAL NOT NULL,
    flight     TEXT COLLATE NOCASE,
    dep        TEXT COLLATE NOCASE,
    arr        TEXT COLLATE NOCASE,
    message_id TEXT NOT NULL,
    identity   TEXT,
    status     TEXT NOT NULL DEFAULT 'open',
    suppressed INTEGER NOT NULL DEFAULT 0,
    json       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_status     ON alerts(status, suppressed, seq);
CREATE INDEX IF NOT EXISTS alerts_suppressed ON alerts(suppressed, seq);
CREATE INDEX IF NOT EXISTS alerts_list       ON alerts(list, seq);
CREATE INDEX IF NOT EXISTS alerts_flight     ON alerts(flight, seq);
CREATE INDEX IF NOT EXISTS alerts_dep        ON alerts(dep, seq);
CREATE INDEX IF NOT EXISTS alerts_arr        ON alerts(arr, seq);
CREATE INDEX IF NOT EXISTS alerts_created    ON alerts(created_ms, score, list);
CREATE INDEX IF NOT EXISTS alerts_message    ON alerts(message_id);

CREATE TABLE IF NOT EXISTS dispositions (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id TEXT NOT NULL REFERENCES alerts(alert_id),
    analyst  TEXT NOT NULL,
    verdict  TEXT NOT NULL,
    comment  TEXT NOT NULL DEFAULT '',
    at_ms    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS dispositions_alert ON dispositions(alert_id, id);

-- (traveller identity digest, entry) pairs an analyst called a false positive; no plain data
CREATE TABLE IF NOT EXISTS suppressions (
    identity   TEXT NOT NULL,
    entry_id   TEXT NOT NULL,
    alert_id   TEXT NOT NULL,
    analyst    TEXT NOT NULL,
    decided_ms INTEGER NOT NULL,
    PRIMARY KEY (identity, entry_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS suppressions_alert ON suppressions(alert_id);

CREATE TABLE IF NOT EXISTS audit (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms    INTEGER NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    alert_id TEXT,
    detail   TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS audit_alert ON audit(alert_id, id);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

CREATE TABLE IF NOT EXISTS screenings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id  TEXT NOT NULL UNIQUE,
    message_ref TEXT,
    screened_ms INTEGER NOT NULL,
    source      TEXT NOT NULL,
    flight      TEXT COLLATE NOCASE,
    flight_json TEXT NOT NULL,
    travellers  INTEGER NOT NULL,
    alerts      INTEGER NOT NULL,
    refer       INTEGER NOT NULL,
    no_board    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS screenings_time   ON screenings(screened_ms, travellers);
CREATE INDEX IF NOT EXISTS screenings_flight ON screenings(flight, id);

CREATE TABLE IF NOT EXISTS screened_travellers (
    message_id   TEXT NOT NULL,
    idx          INTEGER NOT NULL,
    traveller_id TEXT NOT NULL,
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL,
    decision     TEXT NOT NULL,
    best_score   REAL,
    best_entry   TEXT,
    alerts       INTEGER NOT NULL,
    PRIMARY KEY (message_id, idx)
) WITHOUT ROWID;
"#;

/// The SQLite alert store. Cheap to share behind an `Arc`; every method blocks.
pub struct SqliteStore {
    path: PathBuf,
    /// The one writer; held for one transaction at a time (no `.await` inside).
    writer: Mutex<Connection>,
    /// Idle read connections (short critical sections: push and pop only).
    readers: Mutex<Vec<Connection>>,
    /// Key of the traveller identity digests (random per store, kept in `meta`).
    identity_key: Vec<u8>,
}

fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// A stored alert's JSON no longer parses (a hand-edited or newer database). The serde message
/// may quote stored values, so only the place is reported.
fn unreadable(seq: i64) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("stored alert seq {seq} is not a readable alert").into(),
    )
}

fn to_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

fn upper(s: &Option<String>) -> Option<String> {
    s.as_deref().map(|s| s.trim().to_ascii_uppercase())
}

impl SqliteStore {
    /// Opens (creating when needed) the store in `dir`.
    pub fn open(dir: &Path) -> Result<SqliteStore, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Backend(format!("creating data dir {}: {e}", dir.display()))
        })?;
        let path = dir.join(FILE_NAME);
        let conn = Connection::open(&path)
            .map_err(|e| StoreError::Backend(format!("opening {}: {e}", path.display())))?;
        configure(&conn)?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(backend)?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::Backend(format!(
                "{} has schema version {version}; this build reads up to {SCHEMA_VERSION}",
                path.display()
            )));
        }
        conn.execute_batch(SCHEMA).map_err(backend)?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(backend)?;
        // a fresh random key the first time; the same key ever after
        conn.execute(
            "INSERT OR IGNORE INTO meta(key, value) VALUES ('identity_key', randomblob(32))",
            [],
        )
        .map_err(backend)?;
        let identity_key: Vec<u8> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'identity_key'",
                [],
                |r| r.get(0),
            )
            .map_err(backend)?;
        // refresh the planner's statistics now and then (cheap; SQLite decides when it is due)
        conn.execute_batch("PRAGMA optimize=0x10002;")
            .map_err(backend)?;
        Ok(SqliteStore {
            path,
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
            identity_key,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn write<R>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<R>,
    ) -> Result<R, StoreError> {
        let mut c = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut c).map_err(backend)
    }

    fn read<R>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<R>) -> Result<R, StoreError> {
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match pooled {
            Some(c) => c,
            None => {
                let c = Connection::open(&self.path).map_err(backend)?;
                configure(&c)?;
                c.pragma_update(None, "query_only", true).map_err(backend)?;
                c
            }
        };
        let r = f(&conn).map_err(backend);
        let mut pool = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < POOLED_READERS {
            pool.push(conn);
        }
        r
    }

    /// The traveller identity digest this store files suppressions under.
    pub fn identity_of(&self, t: &super::TravellerRef) -> Option<String> {
        traveller_identity(&self.identity_key, t)
    }

    /// Runs `EXPLAIN QUERY PLAN` for the listing `q` would run (tests and benches check that
    /// pages never sort the table).
    pub fn explain_list(&self, q: &AlertQuery, before: Option<u64>) -> Result<String, StoreError> {
        let (sql, args) = list_sql(q, before, 50);
        self.read(|c| {
            let mut st = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
            let rows = st.query_map(params_from_iter(args), |r| r.get::<_, String>(3))?;
            rows.collect::<Result<Vec<_>, _>>().map(|v| v.join("; "))
        })
    }
}

fn configure(c: &Connection) -> Result<(), StoreError> {
    c.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(backend)?;
    let mode: String = c
        .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
        .map_err(backend)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Backend(format!(
            "the alert store needs journal_mode WAL; SQLite kept {mode}"
        )));
    }
    c.pragma_update(None, "synchronous", "FULL")
        .map_err(backend)?;
    c.pragma_update(None, "foreign_keys", true)
        .map_err(backend)?;
    Ok(())
}

/// `WHERE` terms and their arguments for a filter.
#[derive(Default)]
struct Where {
    terms: Vec<String>,
    args: Vec<Value>,
}

impl Where {
    fn push(&mut self, term: &str, args: impl IntoIterator<Item = Value>) {
        self.terms.push(term.to_string());
        self.args.extend(args);
    }

    fn sql(&self) -> String {
        if self.terms.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.terms.join(" AND "))
        }
    }
}

/// The filter's terms except suppression.
fn filter_terms(f: &AlertFilter, w: &mut Where) {
    if !f.lists.is_empty() {
        let marks = vec!["?"; f.lists.len()].join(",");
        w.push(
            &format!("list IN ({marks})"),
            f.lists.iter().map(|l| Value::Text(l.clone())),
        );
    }
    // severity and score select most rows: `+` keeps the planner off indexes for them, so a
    // page is read in seq order through a better index (or the table) and never sorted
    if let Some(s) = f.min_severity {
        w.push("+severity >= ?", [Value::Integer(severity_rank(s))]);
    }
    if let Some(fl) = &f.flight {
        w.push("flight = ?", [Value::Text(fl.trim().to_string())]);
    }
    if let Some(ap) = &f.airport {
        let ap = ap.trim().to_string();
        w.push(
            "(dep = ? OR arr = ?)",
            [Value::Text(ap.clone()), Value::Text(ap)],
        );
    }
    if let Some(s) = f.min_score {
        w.push("+score >= ?", [Value::Real(s as f64)]);
    }
    if let Some(t) = f.since {
        w.push("+created_ms >= ?", [Value::Integer(to_ms(t))]);
    }
}

fn query_terms(q: &AlertQuery, w: &mut Where) {
    filter_terms(&q.filter, w);
    if let Some(s) = q.status {
        w.push("status = ?", [Value::Text(s.as_str().into())]);
    }
    match q.suppressed {
        SuppressedMode::Exclude => w.push("suppressed = 0", []),
        SuppressedMode::Include => {}
        SuppressedMode::Only => w.push("suppressed = 1", []),
    }
}

fn list_sql(q: &AlertQuery, before: Option<u64>, limit: usize) -> (String, Vec<Value>) {
    let mut w = Where::default();
    query_terms(q, &mut w);
    if let Some(b) = before {
        w.push("seq < ?", [Value::Integer(b.min(i64::MAX as u64) as i64)]);
    }
    let sql = format!(
        "SELECT seq, status, json FROM alerts {} ORDER BY seq DESC LIMIT {}",
        w.sql(),
        limit
    );
    (sql, w.args)
}

fn row_alert(seq: i64, json: &str) -> rusqlite::Result<Alert> {
    let mut a: Alert = serde_json::from_str(json).map_err(|_| unreadable(seq))?;
    a.seq = seq as u64;
    Ok(a)
}

fn row_listed(r: &rusqlite::Row<'_>) -> rusqlite::Result<Listed> {
    let seq: i64 = r.get(0)?;
    let status: String = r.get(1)?;
    let json: String = r.get(2)?;
    Ok(Listed {
        alert: row_alert(seq, &json)?,
        status: Status::parse(&status).unwrap_or(Status::Open),
    })
}

fn query_alerts(c: &Connection, sql: &str, args: Vec<Value>) -> rusqlite::Result<Vec<Alert>> {
    let mut st = c.prepare_cached(sql)?;
    let rows = st.query_map(params_from_iter(args), |r| {
        let seq: i64 = r.get(0)?;
        let json: String = r.get(1)?;
        row_alert(seq, &json)
    })?;
    rows.collect()
}

impl AlertStore for SqliteStore {
    fn insert(&self, alerts: Vec<Alert>) -> Result<Vec<Alert>, StoreError> {
        if alerts.is_empty() {
            return Ok(alerts);
        }
        let key = self.identity_key.clone();
        self.write(move |c| {
            let tx = c.transaction()?;
            let mut fresh = Vec::with_capacity(alerts.len());
            {
                let mut sup = tx.prepare_cached(
                    "SELECT alert_id, analyst, decided_ms FROM suppressions
                     WHERE identity = ?1 AND entry_id = ?2",
                )?;
                let mut ins = tx.prepare_cached(
                    "INSERT OR IGNORE INTO alerts (alert_id, created_ms, list, entry_id, severity,
                       score, flight, dep, arr, message_id, identity, suppressed, json)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                )?;
                for mut a in alerts {
                    let identity = traveller_identity(&key, &a.traveller);
                    if a.suppressed_by.is_none()
                        && let Some(id) = &identity
                    {
                        a.suppressed_by = sup
                            .query_row(params![id, a.entry_id], |r| {
                                Ok(Suppression {
                                    alert_id: r.get(0)?,
                                    analyst: r.get(1)?,
                                    decided_at: from_ms(r.get(2)?),
                                })
                            })
                            .optional()?;
                    }
                    a.seq = 0;
                    let json = serde_json::to_string(&a)
                        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
                    let n = ins.execute(params![
                        a.alert_id,
                        to_ms(a.created_at),
                        a.list,
                        a.entry_id,
                        severity_rank(a.severity),
                        a.score as f64,
                        upper(&a.flight.id),
                        upper(&a.flight.departure_airport),
                        upper(&a.flight.arrival_airport),
                        a.message_id,
                        identity,
                        a.suppressed_by.is_some(),
                        json,
                    ])?;
                    if n == 1 {
                        a.seq = tx.last_insert_rowid() as u64;
                        fresh.push(a);
                    }
                }
            }
            tx.commit()?;
            Ok(fresh)
        })
    }

    fn get(&self, alert_id: &str) -> Result<Option<Alert>, StoreError> {
        self.read(|c| {
            c.query_row(
                "SELECT seq, json FROM alerts WHERE alert_id = ?1",
                [alert_id],
                |r| {
                    let seq: i64 = r.get(0)?;
                    let json: String = r.get(1)?;
                    row_alert(seq, &json)
                },
            )
            .optional()
        })
    }

    fn after(
        &self,
        filter: &AlertFilter,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Alert>, StoreError> {
        let mut w = Where::default();
        filter_terms(filter, &mut w);
        if !filter.include_suppressed {
            w.push("suppressed = 0", []);
        }
        w.push(
            "seq > ?",
            [Value::Integer(after.min(i64::MAX as u64) as i64)],
        );
        let sql = format!(
            "SELECT seq, json FROM alerts {} ORDER BY seq ASC LIMIT {limit}",
            w.sql()
        );
        self.read(|c| query_alerts(c, &sql, w.args))
    }

    fn before(
        &self,
        filter: &AlertFilter,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<Alert>, StoreError> {
        let q = AlertQuery {
            filter: filter.clone(),
            status: None,
            suppressed: if filter.include_suppressed {
                SuppressedMode::Include
            } else {
                SuppressedMode::Exclude
            },
        };
        Ok(self
            .list(&q, before, limit)?
            .into_iter()
            .map(|l| l.alert)
            .collect())
    }

    fn last_seq(&self) -> Result<u64, StoreError> {
        self.read(|c| {
            c.query_row("SELECT COALESCE(MAX(seq), 0) FROM alerts", [], |r| {
                r.get::<_, i64>(0)
            })
        })
        .map(|s| s as u64)
    }

    fn cases(&self) -> Option<&dyn CaseStore> {
        Some(self)
    }
}

impl CaseStore for SqliteStore {
    fn list(
        &self,
        q: &AlertQuery,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<Listed>, StoreError> {
        let (sql, args) = list_sql(q, before, limit);
        self.read(|c| {
            let mut st = c.prepare_cached(&sql)?;
            let rows = st.query_map(params_from_iter(args), row_listed)?;
            rows.collect()
        })
    }

    fn counts(&self, q: &AlertQuery) -> Result<StatusCounts, StoreError> {
        let mut w = Where::default();
        filter_terms(&q.filter, &mut w);
        let sql = format!(
            "SELECT status, suppressed, count(*) FROM alerts {} GROUP BY status, suppressed",
            w.sql()
        );
        self.read(|c| {
            let mut st = c.prepare_cached(&sql)?;
            let mut rows = st.query(params_from_iter(w.args))?;
            let mut out = StatusCounts::default();
            while let Some(r) = rows.next()? {
                let status: String = r.get(0)?;
                let suppressed: bool = r.get(1)?;
                let n: i64 = r.get(2)?;
                if suppressed {
                    out.suppressed += n as u64;
                } else {
                    out.add(Status::parse(&status).unwrap_or(Status::Open), n as u64);
                }
            }
            Ok(out)
        })
    }

    fn case(&self, alert_id: &str) -> Result<Option<(Listed, Vec<Disposition>)>, StoreError> {
        self.read(|c| {
            let Some(listed) = c
                .query_row(
                    "SELECT seq, status, json FROM alerts WHERE alert_id = ?1",
                    [alert_id],
                    row_listed,
                )
                .optional()?
            else {
                return Ok(None);
            };
            let mut st = c.prepare_cached(
                "SELECT id, alert_id, analyst, verdict, comment, at_ms FROM dispositions
                 WHERE alert_id = ?1 ORDER BY id",
            )?;
            let ds = st
                .query_map([alert_id], row_disposition)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Some((listed, ds)))
        })
    }

    fn decide(
        &self,
        alert_id: &str,
        analyst: &str,
        verdict: Verdict,
        comment: &str,
    ) -> Result<Option<Disposition>, StoreError> {
        let at = super::now();
        self.write(|c| {
            let tx = c.transaction()?;
            let Some((identity, entry_id, previous)) = tx
                .query_row(
                    "SELECT identity, entry_id, status FROM alerts WHERE alert_id = ?1",
                    [alert_id],
                    |r| {
                        Ok((
                            r.get::<_, Option<String>>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                        ))
                    },
                )
                .optional()?
            else {
                return Ok(None);
            };
            tx.execute(
                "INSERT INTO dispositions (alert_id, analyst, verdict, comment, at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![alert_id, analyst, verdict.as_str(), comment, to_ms(at)],
            )?;
            let id = tx.last_insert_rowid() as u64;
            tx.execute(
                "UPDATE alerts SET status = ?2 WHERE alert_id = ?1",
                params![alert_id, Status::from(verdict).as_str()],
            )?;
            // this alert's earlier false-positive call (if any) no longer stands
            tx.execute("DELETE FROM suppressions WHERE alert_id = ?1", [alert_id])?;
            let suppresses = verdict == Verdict::FalsePositive && identity.is_some();
            if let (true, Some(identity)) = (suppresses, &identity) {
                tx.execute(
                    "INSERT OR REPLACE INTO suppressions
                       (identity, entry_id, alert_id, analyst, decided_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![identity, entry_id, alert_id, analyst, to_ms(at)],
                )?;
            }
            let detail = serde_json::json!({
                "verdict": verdict.as_str(),
                "previous_status": previous,
                "comment": comment,
                "suppresses_future_alerts": suppresses,
            });
            tx.execute(
                "INSERT INTO audit (at_ms, actor, action, alert_id, detail)
                 VALUES (?1, ?2, 'disposition', ?3, ?4)",
                params![to_ms(at), analyst, alert_id, detail.to_string()],
            )?;
            tx.commit()?;
            Ok(Some(Disposition {
                id,
                alert_id: alert_id.to_string(),
                analyst: analyst.to_string(),
                verdict,
                comment: comment.to_string(),
                at,
            }))
        })
    }

    fn audit(
        &self,
        actor: &str,
        action: &str,
        alert_id: Option<&str>,
        detail: serde_json::Value,
    ) -> Result<(), StoreError> {
        let at = to_ms(super::now());
        self.write(|c| {
            c.execute(
                "INSERT INTO audit (at_ms, actor, action, alert_id, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![at, actor, action, alert_id, detail.to_string()],
            )
            .map(|_| ())
        })
    }

    fn audit_trail(
        &self,
        alert_id: Option<&str>,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        let mut w = Where::default();
        if let Some(a) = alert_id {
            w.push("alert_id = ?", [Value::Text(a.to_string())]);
        }
        if let Some(b) = before {
            w.push("id < ?", [Value::Integer(b.min(i64::MAX as u64) as i64)]);
        }
        let sql = format!(
            "SELECT id, at_ms, actor, action, alert_id, detail FROM audit {}
             ORDER BY id DESC LIMIT {limit}",
            w.sql()
        );
        self.read(|c| {
            let mut st = c.prepare_cached(&sql)?;
            let rows = st.query_map(params_from_iter(w.args), |r| {
                let detail: String = r.get(5)?;
                Ok(AuditEvent {
                    id: r.get::<_, i64>(0)? as u64,
                    at: from_ms(r.get(1)?),
                    actor: r.get(2)?,
                    action: r.get(3)?,
                    alert_id: r.get(4)?,
                    detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
                })
            })?;
            rows.collect()
        })
    }

    fn record_screening(&self, r: &ScreeningRecord) -> Result<(), StoreError> {
        let count = |d: &str| r.travellers.iter().filter(|t| t.decision == d).count() as i64;
        let alerts: i64 = r.travellers.iter().map(|t| t.alerts as i64).sum();
        let flight_json = serde_json::to_string(&r.flight)
            .map_err(|e| StoreError::Backend(format!("flight of message {}: {e}", r.message_id)))?;
        self.write(|c| {
            let tx = c.transaction()?;
            let n = tx.execute(
                "INSERT OR IGNORE INTO screenings (message_id, message_ref, screened_ms, source,
                   flight, flight_json, travellers, alerts, refer, no_board)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    r.message_id,
                    r.message_ref,
                    to_ms(r.screened_at),
                    r.source,
                    upper(&r.flight.id),
                    flight_json,
                    r.travellers.len() as i64,
                    alerts,
                    count("refer"),
                    count("no_board"),
                ],
            )?;
            if n == 1 {
                let mut ins = tx.prepare_cached(
                    "INSERT OR IGNORE INTO screened_travellers (message_id, idx, traveller_id,
                       kind, name, decision, best_score, best_entry, alerts)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )?;
                for t in &r.travellers {
                    let kind = serde_json::to_value(t.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default();
                    ins.execute(params![
                        r.message_id,
                        t.index,
                        t.traveller_id,
                        kind,
                        t.name,
                        t.decision,
                        t.best_score.map(|s| s as f64),
                        t.best_entry,
                        t.alerts,
                    ])?;
                }
            }
            tx.commit()
        })
    }

    fn flights(
        &self,
        flight: Option<&str>,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<FlightSummary>, StoreError> {
        let mut w = Where::default();
        if let Some(f) = flight {
            w.push("flight = ?", [Value::Text(f.trim().to_string())]);
        }
        if let Some(b) = before {
            w.push("id < ?", [Value::Integer(b.min(i64::MAX as u64) as i64)]);
        }
        let sql = format!(
            "SELECT {FLIGHT_COLUMNS} FROM screenings {} ORDER BY id DESC LIMIT {limit}",
            w.sql()
        );
        self.read(|c| {
            let mut st = c.prepare_cached(&sql)?;
            let rows = st.query_map(params_from_iter(w.args), row_flight)?;
            rows.collect()
        })
    }

    fn flight(
        &self,
        message_id: &str,
    ) -> Result<Option<(FlightSummary, Vec<TravellerResultRow>)>, StoreError> {
        self.read(|c| {
            let Some(summary) = c
                .query_row(
                    &format!("SELECT {FLIGHT_COLUMNS} FROM screenings WHERE message_id = ?1"),
                    [message_id],
                    row_flight,
                )
                .optional()?
            else {
                return Ok(None);
            };
            let mut st = c.prepare_cached(
                "SELECT idx, traveller_id, kind, name, decision, best_score, best_entry, alerts
                 FROM screened_travellers WHERE message_id = ?1 ORDER BY idx",
            )?;
            let rows = st
                .query_map([message_id], |r| {
                    let kind: String = r.get(2)?;
                    Ok(TravellerResultRow {
                        index: r.get(0)?,
                        traveller_id: r.get(1)?,
                        kind: serde_json::from_value(serde_json::Value::String(kind))
                            .unwrap_or_default(),
                        name: r.get(3)?,
                        decision: r.get(4)?,
                        best_score: r.get::<_, Option<f64>>(5)?.map(|s| s as f32),
                        best_entry: r.get(6)?,
                        alerts: r.get(7)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Some((summary, rows)))
        })
    }

    fn alerts_of_message(&self, message_id: &str) -> Result<Vec<Listed>, StoreError> {
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT seq, status, json FROM alerts WHERE message_id = ?1 ORDER BY seq",
            )?;
            let rows = st.query_map([message_id], row_listed)?;
            rows.collect()
        })
    }

    fn activity(
        &self,
        since: DateTime<Utc>,
        bucket_seconds: u64,
        buckets: usize,
    ) -> Result<ActivityStats, StoreError> {
        let start = to_ms(since);
        let width = (bucket_seconds.max(1) * 1000) as i64;
        let bins = (1.0 / SCORE_BIN).round() as usize;
        self.read(|c| {
            let mut alerts = vec![0u64; buckets];
            let mut travellers = vec![0u64; buckets];
            let mut scores = vec![0u64; bins];
            let mut lists = std::collections::BTreeMap::new();
            let mut st = c.prepare_cached(
                "SELECT (screened_ms - ?1) / ?2, sum(travellers) FROM screenings
                 WHERE screened_ms >= ?1 GROUP BY 1",
            )?;
            let mut rows = st.query(params![start, width])?;
            while let Some(r) = rows.next()? {
                let b: i64 = r.get(0)?;
                let n: i64 = r.get(1)?;
                if let Some(slot) = usize::try_from(b).ok().and_then(|b| travellers.get_mut(b)) {
                    *slot += n.max(0) as u64;
                }
            }
            // one pass over the covering (created_ms, score, list) index for the three alert
            // series, summed here: cheaper than letting SQLite sort the rows into groups
            let mut st = c.prepare_cached(
                "SELECT created_ms, score, list FROM alerts WHERE created_ms >= ?1",
            )?;
            let mut rows = st.query([start])?;
            while let Some(r) = rows.next()? {
                let at: i64 = r.get(0)?;
                let score: f64 = r.get(1)?;
                if let Some(slot) = usize::try_from((at - start) / width)
                    .ok()
                    .and_then(|b| alerts.get_mut(b))
                {
                    *slot += 1;
                }
                // the epsilon (above f32 rounding) puts 0.84, stored as 0.83999997…, in the
                // 0.84 bin: scores mean nothing past the third decimal
                let bin = ((score * bins as f64 + 1e-4).max(0.0) as usize).min(bins - 1);
                scores[bin] += 1;
                let list = r.get_ref(2)?.as_str().unwrap_or("");
                match lists.get_mut(list) {
                    Some(n) => *n += 1,
                    None => {
                        lists.insert(list.to_string(), 1);
                    }
                }
            }
            Ok(ActivityStats {
                since,
                bucket_seconds,
                alerts,
                travellers,
                scores,
                score_bin: SCORE_BIN,
                lists,
            })
        })
    }
}

const FLIGHT_COLUMNS: &str = "id, message_id, message_ref, screened_ms, source, flight_json, \
                              travellers, alerts, refer, no_board";

fn row_flight(r: &rusqlite::Row<'_>) -> rusqlite::Result<FlightSummary> {
    let flight_json: String = r.get(5)?;
    Ok(FlightSummary {
        seq: r.get::<_, i64>(0)? as u64,
        message_id: r.get(1)?,
        message_ref: r.get(2)?,
        screened_at: from_ms(r.get(3)?),
        source: r.get(4)?,
        flight: serde_json::from_str::<FlightRef>(&flight_json).unwrap_or_default(),
        travellers: r.get(6)?,
        alerts: r.get(7)?,
        refer: r.get(8)?,
        no_board: r.get(9)?,
    })
}

fn row_disposition(r: &rusqlite::Row<'_>) -> rusqlite::Result<Disposition> {
    let verdict: String = r.get(3)?;
    Ok(Disposition {
        id: r.get::<_, i64>(0)? as u64,
        alert_id: r.get(1)?,
        analyst: r.get(2)?,
        verdict: Verdict::parse(&verdict).unwrap_or(Verdict::NeedsReview),
        comment: r.get(4)?,
        at: from_ms(r.get(5)?),
    })
}
