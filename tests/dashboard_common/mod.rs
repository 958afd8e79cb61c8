//! Helpers for the dashboard and store tests (and the dashboard bench): a minimal blocking
//! HTTP/1.1 client over a real socket, a streaming Server-Sent Events reader, a service started
//! on `127.0.0.1:0` with a data directory, and PAXLST manifests carrying listed people.
#![allow(dead_code)]

use paxscreen::alerts::Source;
use paxscreen::config::Config;
use paxscreen::ingest::{self, Screened};
use paxscreen::model::{
    Country, Flight, FlightEndpoint, Gender, Manifest, PartialDate, Passenger, TravelDocument,
    Traveller,
};
use paxscreen::paxlst::{Separators, render_paxlst};
use paxscreen::service::{self, Running};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A response: status, lower-cased headers, body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

fn read_head(r: &mut impl BufRead) -> (u16, Vec<(String, String)>) {
    let mut line = String::new();
    r.read_line(&mut line).expect("status line");
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {line:?}"));
    let mut headers = Vec::new();
    loop {
        line.clear();
        r.read_line(&mut line).expect("header line");
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    (status, headers)
}

fn read_chunk(r: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let n = usize::from_str_radix(line.trim().split(';').next()?, 16).ok()?;
    let mut buf = vec![0; n + 2];
    r.read_exact(&mut buf).ok()?;
    buf.truncate(n);
    (n > 0).then_some(buf)
}

/// One request; `Connection: close`, so the body ends with the connection.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Response {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).ok();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!("Content-Length: {}\r\n", b.len()));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).expect("write request");
    if let Some(b) = body {
        s.write_all(b).expect("write body");
    }
    let mut r = BufReader::new(s);
    let (status, headers) = read_head(&mut r);
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    let length = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok());
    let mut body = Vec::new();
    if chunked {
        while let Some(c) = read_chunk(&mut r) {
            body.extend(c);
        }
    } else if let Some(n) = length {
        body.resize(n, 0);
        r.read_exact(&mut body).expect("read body");
    } else {
        r.read_to_end(&mut body).expect("read body");
    }
    Response {
        status,
        headers,
        body,
    }
}

pub fn get(addr: SocketAddr, path: &str) -> Response {
    request(addr, "GET", path, &[], None)
}

pub fn get_as(addr: SocketAddr, path: &str, user: &str) -> Response {
    request(addr, "GET", path, &[("X-Paxscreen-User", user)], None)
}

pub fn post_json(
    addr: SocketAddr,
    path: &str,
    user: Option<&str>,
    body: &serde_json::Value,
) -> Response {
    let b = body.to_string();
    let mut h = vec![("Content-Type", "application/json")];
    if let Some(u) = user {
        h.push(("X-Paxscreen-User", u));
    }
    request(addr, "POST", path, &h, Some(b.as_bytes()))
}

/// A live `text/event-stream` response read event by event.
pub struct EventStream {
    reader: BufReader<TcpStream>,
    pending: String,
}

/// One server-sent event.
#[derive(Debug, Clone)]
pub struct SseEvent {
    pub event: String,
    pub id: Option<String>,
    pub data: String,
}

impl EventStream {
    pub fn open(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> EventStream {
        let mut s = TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(20))).ok();
        let mut req =
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n");
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        s.write_all(req.as_bytes()).expect("write");
        let mut reader = BufReader::new(s);
        let (status, headers) = read_head(&mut reader);
        assert_eq!(status, 200, "stream refused");
        assert!(
            headers
                .iter()
                .any(|(k, v)| k == "content-type" && v.starts_with("text/event-stream")),
            "{headers:?}"
        );
        EventStream {
            reader,
            pending: String::new(),
        }
    }

    /// The next event (keep-alive comments skipped); `None` when the stream ended.
    pub fn next(&mut self) -> Option<SseEvent> {
        loop {
            if let Some(end) = self.pending.find("\n\n") {
                let block: String = self.pending.drain(..end + 2).collect();
                let mut ev = SseEvent {
                    event: "message".into(),
                    id: None,
                    data: String::new(),
                };
                let mut any = false;
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        ev.event = v.trim().to_string();
                        any = true;
                    } else if let Some(v) = line.strip_prefix("id:") {
                        ev.id = Some(v.trim().to_string());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        if !ev.data.is_empty() {
                            ev.data.push('\n');
                        }
                        ev.data.push_str(v.strip_prefix(' ').unwrap_or(v));
                        any = true;
                    }
                }
                if any {
                    return Some(ev);
                }
                continue;
            }
            let chunk = read_chunk(&mut self.reader)?;
            self.pending.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// The next `alert` event's data as JSON.
    pub fn next_alert(&mut self) -> Option<serde_json::Value> {
        loop {
            let ev = self.next()?;
            if ev.event == "alert" {
                return Some(serde_json::from_str(&ev.data).expect("alert JSON"));
            }
        }
    }
}

/// `tests/data/…`.
pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

/// A configuration on free ports with the demo national list and a data directory.
pub fn config(data_dir: Option<&Path>) -> Config {
    let mut c = Config {
        watchlists: vec![fixture("watchlists/demo_national.ndjson")],
        data_dir: data_dir.map(Path::to_path_buf),
        ..Config::default()
    };
    c.grpc.addr = ([127, 0, 0, 1], 0).into();
    c.http.addr = ([127, 0, 0, 1], 0).into();
    c
}

pub async fn start(data_dir: Option<&Path>) -> Running {
    service::start(config(data_dir))
        .await
        .expect("service starts")
}

/// Stops a running service and waits for it.
pub async fn stop(r: Running) {
    r.shutdown();
    tokio::time::timeout(Duration::from_secs(20), r.wait())
        .await
        .expect("service stops within 20 s")
        .expect("service stopped cleanly");
}

/// An ordinary traveller (no list entry resembles them).
pub fn ordinary(i: usize) -> Passenger {
    const GIVEN: &[&str] = &[
        "JOHN", "MARIA", "PETER", "ANNA", "LUCAS", "SOFIA", "DAVID", "EMMA",
    ];
    const SUR: &[&str] = &[
        "SMITH", "GARCIA", "MUELLER", "ROSSI", "JANSEN", "NOWAK", "DUBOIS",
    ];
    Passenger {
        surname: Some(SUR[i % SUR.len()].into()),
        given_names: Some(GIVEN[(i / SUR.len()) % GIVEN.len()].into()),
        dob: Some(PartialDate::ymd(
            1970 + (i % 30) as u16,
            1 + (i % 12) as u8,
            1 + (i % 28) as u8,
        )),
        gender: Some(if i.is_multiple_of(2) {
            Gender::Male
        } else {
            Gender::Female
        }),
        nationality: Country::parse("DEU"),
        documents: vec![TravelDocument {
            doc_type: Some("P".into()),
            number: format!("C{:08}", 10_000_000 + i),
            country: Country::parse("DEU"),
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// N-003 of the demo national list (Svetlana Igorevna Kuznetsova, 1985-11-23, RUS), written
/// surname first without the patronymic, with passport `passport`.
pub fn kuznetsova(passport: &str) -> Passenger {
    Passenger {
        surname: Some("KUZNETSOVA".into()),
        given_names: Some("SVETLANA".into()),
        dob: Some(PartialDate::ymd(1985, 11, 23)),
        gender: Some(Gender::Female),
        nationality: Country::parse("RUS"),
        documents: vec![TravelDocument {
            doc_type: Some("P".into()),
            number: passport.into(),
            country: Country::parse("RUS"),
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// N-001 (Abdul Rahman Yasin Al-Dulaimi, 1960-04-10, IRQ), glued and without the middle name.
pub fn dulaimi() -> Passenger {
    Passenger {
        surname: Some("ALDULAIMI".into()),
        given_names: Some("ABDULRAHMAN".into()),
        dob: Some(PartialDate::ymd(1960, 4, 10)),
        gender: Some(Gender::Male),
        nationality: Country::parse("IRQ"),
        documents: vec![TravelDocument {
            doc_type: Some("P".into()),
            number: "H1234567".into(),
            country: Country::parse("IRQ"),
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// A PAXLST interchange for flight `flight` (FRA → `to`) carrying `ps` (ids from RFF+ABO).
pub fn paxlst(message_ref: &str, flight: &str, to: &str, ps: Vec<Passenger>) -> Vec<u8> {
    let m = Manifest {
        message_ref: Some(message_ref.into()),
        interchange_ref: Some(message_ref.into()),
        sender: Some("LHDCS".into()),
        recipient: Some("PAXSCREEN".into()),
        sent: Some(PartialDate::ymd(2026, 3, 1)),
        flights: vec![Flight {
            carrier: Some(flight[..2].into()),
            number: Some(flight[2..].into()),
            id: Some(flight.into()),
            departure: FlightEndpoint {
                airport: Some("FRA".into()),
                time: Some("2026-03-01T10:30".into()),
            },
            arrival: FlightEndpoint {
                airport: Some(to.into()),
                time: Some("2026-03-01T13:05".into()),
            },
            ..Default::default()
        }],
        travellers: ps
            .into_iter()
            .enumerate()
            .map(|(i, p)| Traveller {
                passenger: p,
                passenger_ref: Some(format!("{message_ref}-{i:03}")),
                seat: Some(format!("{}A", i + 1)),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    render_paxlst(&m, &Separators::DEFAULT).into_bytes()
}

/// Screens PAXLST bytes through the shared path, on a blocking thread.
pub async fn submit(r: &Running, bytes: Vec<u8>) -> Vec<Screened> {
    let engine = r.ctx.engine.clone();
    tokio::task::spawn_blocking(move || {
        ingest::screen_paxlst(
            &engine,
            &bytes,
            &Source::Grpc {
                method: "test".into(),
            },
        )
    })
    .await
    .expect("join")
    .expect("screened")
}

/// Runs blocking client code off the runtime.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("join")
}
