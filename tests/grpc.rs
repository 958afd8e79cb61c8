//! Black-box tests of the gRPC service: a real server on 127.0.0.1:0 (`service::start`, or the
//! real binary once), real generated tonic clients over TCP, every RPC.

use paxscreen::config::Config;
use paxscreen::ingest::grpc::pb;
use paxscreen::ingest::grpc::pb::alert_event::Event;
use paxscreen::ingest::grpc::pb::alert_service_client::AlertServiceClient;
use paxscreen::ingest::grpc::pb::screening_service_client::ScreeningServiceClient;
use paxscreen::ingest::grpc::pb::watchlist_service_client::WatchlistServiceClient;
use paxscreen::model::{Flight, FlightEndpoint, Manifest, Passenger, Traveller};
use paxscreen::paxlst::{self, ParsedMessage, Separators};
use paxscreen::service::{self, Running};
use prost::Message;
use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio_stream::StreamExt;
use tonic::transport::Channel;
use tonic::{Code, Request, Status};
use tonic_types::StatusExt;

fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

fn config() -> Config {
    let mut c = Config::default();
    c.grpc.addr = "127.0.0.1:0".parse().unwrap();
    c.http.addr = "127.0.0.1:0".parse().unwrap();
    c.watchlists = vec![data("watchlists/demo_national.ndjson")];
    c
}

struct Server {
    running: Running,
    channel: Channel,
}

impl Server {
    async fn start(c: Config) -> Server {
        let running = service::start(c).await.expect("server starts");
        let channel = Channel::from_shared(format!("http://{}", running.grpc_addr))
            .unwrap()
            .connect()
            .await
            .expect("client connects");
        Server { running, channel }
    }
    fn screening(&self) -> ScreeningServiceClient<Channel> {
        ScreeningServiceClient::new(self.channel.clone()).max_decoding_message_size(64 << 20)
    }
    fn watchlists(&self) -> WatchlistServiceClient<Channel> {
        WatchlistServiceClient::new(self.channel.clone())
    }
    fn alerts(&self) -> AlertServiceClient<Channel> {
        AlertServiceClient::new(self.channel.clone())
    }
    async fn stop(self) {
        self.running.shutdown();
        tokio::time::timeout(Duration::from_secs(20), self.running.wait())
            .await
            .expect("shuts down within the grace period")
            .expect("shuts down cleanly");
    }
}

/// A gRPC transport without tonic's client-side deadline timer: plain HTTP/2 (hyper) over TCP.
/// tonic's `Channel` enforces `grpc-timeout` locally and reports its own CANCELLED "Timeout
/// expired" at the same instant the server's answer is due; this shows what the server says.
#[derive(Clone)]
struct RawH2(hyper::client::conn::http2::SendRequest<tonic::body::Body>);

impl RawH2 {
    async fn connect(addr: std::net::SocketAddr) -> RawH2 {
        let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (send, conn) = hyper::client::conn::http2::handshake(
            hyper_util::rt::TokioExecutor::new(),
            hyper_util::rt::TokioIo::new(tcp),
        )
        .await
        .unwrap();
        tokio::spawn(conn);
        RawH2(send)
    }
}

impl tower::Service<tonic::codegen::http::Request<tonic::body::Body>> for RawH2 {
    type Response = tonic::codegen::http::Response<hyper::body::Incoming>;
    type Error = hyper::Error;
    type Future = futures::future::BoxFuture<'static, Result<Self::Response, hyper::Error>>;
    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), hyper::Error>> {
        self.0.poll_ready(cx)
    }
    fn call(&mut self, req: tonic::codegen::http::Request<tonic::body::Body>) -> Self::Future {
        Box::pin(self.0.send_request(req))
    }
}

/// Listed as N-001 (high) in demo_national.ndjson, same passport: no board.
fn listed(id: &str) -> pb::Traveller {
    pb::Traveller {
        id: id.into(),
        surname: "AL DULAIMI".into(),
        given_names: "ABDULRAHMAN YASIN".into(),
        dob: "1960-04-10".into(),
        gender: pb::Gender::Male as i32,
        nationality: "IRQ".into(),
        documents: vec![pb::TravelDocument {
            r#type: "P".into(),
            number: "G4471890".into(),
            country: "IRQ".into(),
            ..Default::default()
        }],
        pnr: format!("PNR{id}"),
        passenger_ref: format!("ABO{id}"),
        ..Default::default()
    }
}

/// Listed as N-003 (medium): refer.
fn medium(id: &str) -> pb::Traveller {
    pb::Traveller {
        id: id.into(),
        surname: "KUZNETSOVA".into(),
        given_names: "SVETLANA".into(),
        dob: "1985-11-23".into(),
        gender: pb::Gender::Female as i32,
        nationality: "RUS".into(),
        ..Default::default()
    }
}

fn clean(id: &str) -> pb::Traveller {
    pb::Traveller {
        id: id.into(),
        surname: "SMITH".into(),
        given_names: "JOHN PAUL".into(),
        dob: "1965-01-30".into(),
        gender: pb::Gender::Male as i32,
        nationality: "USA".into(),
        ..Default::default()
    }
}

fn flight(id: &str, from: &str, to: &str) -> pb::Flight {
    pb::Flight {
        carrier: id[..2].into(),
        number: id[2..].into(),
        id: id.into(),
        departure_airport: from.into(),
        departure_time: "2026-03-01T10:00".into(),
        arrival_airport: to.into(),
        arrival_time: "2026-03-01T14:00".into(),
    }
}

fn manifest(message_ref: &str, f: pb::Flight, travellers: Vec<pb::Traveller>) -> pb::Manifest {
    pb::Manifest {
        message_ref: message_ref.into(),
        sender: "XX".into(),
        recipient: "AUTH".into(),
        transaction_ref: format!("TN{message_ref}"),
        flights: vec![f],
        travellers,
        ..Default::default()
    }
}

async fn screen(s: &Server, m: pb::Manifest) -> Result<pb::ScreenManifestResponse, Status> {
    s.screening()
        .screen_manifest(pb::ScreenManifestRequest { manifest: Some(m) })
        .await
        .map(|r| r.into_inner())
}

/// A structured boarding check (the carrier's iAPI request).
async fn board(s: &Server, m: pb::Manifest) -> pb::CheckBoardingResponse {
    s.screening()
        .check_boarding(pb::CheckBoardingRequest {
            request: Some(pb::check_boarding_request::Request::Manifest(m)),
        })
        .await
        .unwrap()
        .into_inner()
}

fn decision(r: &pb::TravellerResult) -> pb::Decision {
    pb::Decision::try_from(r.decision).unwrap()
}

/// A model manifest rendered as PAXLST text (what a carrier's system sends).
fn paxlst_text(message_ref: &str, travellers: &[(&str, &str, &str)]) -> String {
    let m = Manifest {
        message_ref: Some(message_ref.into()),
        interchange_ref: Some(format!("I{message_ref}")),
        sender: Some("XX".into()),
        recipient: Some("AUTH".into()),
        transaction_ref: Some(format!("TN{message_ref}")),
        flights: vec![Flight {
            carrier: Some("XX".into()),
            number: Some("0101".into()),
            id: Some("XX0101".into()),
            departure: FlightEndpoint {
                airport: Some("CDG".into()),
                time: Some("2026-03-01T10:00".into()),
            },
            arrival: FlightEndpoint {
                airport: Some("JFK".into()),
                time: Some("2026-03-01T14:00".into()),
            },
            ..Flight::default()
        }],
        travellers: travellers
            .iter()
            .enumerate()
            .map(|(i, (surname, given, dob))| Traveller {
                passenger: Passenger {
                    id: format!("REF{i}"),
                    surname: Some(surname.to_string()),
                    given_names: Some(given.to_string()),
                    dob: Some(dob.parse().unwrap()),
                    ..Passenger::default()
                },
                passenger_ref: Some(format!("REF{i}")),
                pnr: Some(format!("PNR{i}")),
                ..Traveller::default()
            })
            .collect(),
        ..Manifest::default()
    };
    paxlst::render_paxlst(&m, &Separators::DEFAULT)
}

// ---- ScreeningService ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screen_manifest_returns_decisions_matches_explanations_and_alerts() {
    let s = Server::start(config()).await;
    let m = manifest(
        "M1",
        flight("XX0101", "CDG", "JFK"),
        vec![listed("a"), clean("b"), medium("c")],
    );
    let r = screen(&s, m.clone()).await.unwrap();
    assert_eq!(r.results.len(), 3);
    assert_eq!(r.message_id.len(), 32);
    let ids: Vec<_> = r.results.iter().map(|t| t.traveller_id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    assert_eq!(decision(&r.results[0]), pb::Decision::NoBoard);
    assert_eq!(decision(&r.results[1]), pb::Decision::Board);
    assert_eq!(decision(&r.results[2]), pb::Decision::Refer);
    let hit = &r.results[0].matches[0];
    assert_eq!(hit.entry_id, "N-001");
    assert_eq!(hit.list, "national");
    assert_eq!(hit.severity, pb::Severity::High as i32);
    assert!(hit.score >= 0.9, "{}", hit.score);
    let e = hit.explanation.as_ref().unwrap();
    assert_eq!(e.dob, pb::DobVerdict::Exact as i32);
    assert_eq!(e.document, pb::DocumentVerdict::Exact as i32);
    let name = e.name.as_ref().unwrap();
    assert!(!name.aligned.is_empty());
    assert!(name.entry_name.contains("Dulaimi"), "{}", name.entry_name);
    assert!(r.results[1].matches.is_empty());
    assert_eq!(
        r.alert_ids.len(),
        2,
        "one alert per alerting traveller x entry"
    );
    assert_eq!(r.new_alerts, 2);

    // the same manifest again: same message, same alert ids, nothing new
    let again = screen(&s, m).await.unwrap();
    assert_eq!(again.message_id, r.message_id);
    assert_eq!(again.alert_ids, r.alert_ids);
    assert_eq!(again.new_alerts, 0);

    // GetAlert: the full alert, with traveller, flight, source and explanation
    let a = s
        .alerts()
        .get_alert(pb::GetAlertRequest {
            alert_id: r.alert_ids[0].clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(a.entry_id, "N-001");
    assert!(a.seq >= 1);
    assert_eq!(a.schema_version, 1);
    assert_eq!(a.message_id, r.message_id);
    assert_eq!(a.message_ref, "M1");
    let t = a.traveller.unwrap();
    assert_eq!((t.id.as_str(), t.index), ("a", 0));
    assert_eq!(t.surname, "AL DULAIMI");
    assert_eq!(a.flight.unwrap().id, "XX0101");
    match a.source.unwrap().source.unwrap() {
        pb::alert_source::Source::Grpc(g) => assert_eq!(g.method, "ScreenManifest"),
        other => panic!("{other:?}"),
    }
    assert!(a.created_at.is_some() && a.explanation.is_some());
    let missing = s
        .alerts()
        .get_alert(pb::GetAlertRequest {
            alert_id: "0".repeat(32),
        })
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::NotFound);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn structured_fields_that_cannot_be_read_are_named_without_their_values() {
    let s = Server::start(config()).await;
    let mut bad = clean("b");
    bad.dob = "1965-02-30".into();
    bad.nationality = "Atlantis".into();
    let nameless = pb::Traveller {
        id: "n".into(),
        ..Default::default()
    };
    let e = screen(
        &s,
        manifest(
            "M2",
            flight("XX0101", "CDG", "JFK"),
            vec![clean("a"), bad, nameless],
        ),
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    let d = e.get_error_details();
    let fields: Vec<_> = d
        .bad_request()
        .unwrap()
        .field_violations
        .iter()
        .map(|v| v.field.clone())
        .collect();
    assert!(
        fields.contains(&"manifest.travellers[1].dob".to_string()),
        "{fields:?}"
    );
    assert!(
        fields.contains(&"manifest.travellers[1].nationality".to_string()),
        "{fields:?}"
    );
    assert!(
        fields.contains(&"manifest.travellers[2]".to_string()),
        "{fields:?}"
    );
    let text = format!("{} {:?}", e.message(), d);
    assert!(
        !text.contains("Atlantis") && !text.contains("1965-02-30"),
        "{text}"
    );
    let none = s
        .screening()
        .screen_manifest(pb::ScreenManifestRequest { manifest: None })
        .await
        .unwrap_err();
    assert_eq!(none.code(), Code::InvalidArgument);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_paxlst_parses_assembles_multipart_and_screens() {
    let s = Server::start(config()).await;
    let text = paxlst_text(
        "P1",
        &[
            ("AL DULAIMI", "ABDULRAHMAN YASIN", "1960-04-10"),
            ("SMITH", "JOHN PAUL", "1965-01-30"),
        ],
    );
    let r = s
        .screening()
        .submit_paxlst(pb::SubmitPaxlstRequest {
            edifact: text.clone().into_bytes(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.manifests.len(), 1);
    let m = &r.manifests[0];
    assert_eq!(m.message_ref, "P1");
    assert_eq!(m.flights[0].id, "XX0101");
    assert_eq!(m.results.len(), 2);
    assert_eq!(m.results[0].traveller_id, "REF0");
    assert_eq!(m.results[0].matches[0].entry_id, "N-001");
    assert_ne!(decision(&m.results[0]), pb::Decision::Board);
    assert_eq!(decision(&m.results[1]), pb::Decision::Board);
    assert_eq!(m.alert_ids.len(), 1);
    assert_eq!(m.new_alerts, 1);

    // the three parts of a multi-part message in one submission become one flight; a CUSRES
    // in the same submission is reported as skipped
    let mut multi = Vec::new();
    for f in [
        "13a_astra_OK688_multipart_part1_of3.edi",
        "13b_astra_OK688_multipart_part2_of3.edi",
        "13c_astra_OK688_multipart_part3_of3.edi",
    ] {
        multi.extend(std::fs::read(data(&format!("paxlst/{f}"))).unwrap());
        multi.push(b'\n');
    }
    let cusres = paxlst::build_cusres(
        &Manifest::default(),
        &[("X1".to_string(), paxlst::BoardingStatus::Board)],
        &Default::default(),
    );
    // the CUSRES's own UNA is not read mid-input: strip it, the default separators apply
    multi.extend(&cusres.as_bytes()[cusres.find("UNB").unwrap()..]);
    let r = s
        .screening()
        .submit_paxlst(pb::SubmitPaxlstRequest { edifact: multi })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        r.manifests.len(),
        1,
        "{:?}",
        r.manifests.iter().map(|m| &m.parts).collect::<Vec<_>>()
    );
    assert_eq!(r.manifests[0].parts, vec![1, 2, 3]);
    let expected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data("paxlst/13_assembled.expected.json")).unwrap())
            .unwrap();
    let n = expected[0]["travellers"].as_array().map_or(0, |a| a.len());
    assert!(n > 0);
    assert_eq!(r.manifests[0].results.len(), n);
    assert_eq!(r.skipped.len(), 1);
    assert_eq!(r.skipped[0].message_type, "CUSRES");

    // a part missing: the flight is still screened, with a warning naming the missing part;
    // an iAPI check refuses it (a boarding answer for part of a flight would skip travellers)
    let mut partial =
        std::fs::read(data("paxlst/13a_astra_OK688_multipart_part1_of3.edi")).unwrap();
    partial.push(b'\n');
    partial.extend(std::fs::read(data("paxlst/13c_astra_OK688_multipart_part3_of3.edi")).unwrap());
    let r = s
        .screening()
        .submit_paxlst(pb::SubmitPaxlstRequest {
            edifact: partial.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.manifests.len(), 1);
    assert_eq!(r.manifests[0].parts, vec![1, 3]);
    assert!(
        r.manifests[0]
            .warnings
            .iter()
            .any(|w| w.contains("parts 02 missing")),
        "{:?}",
        r.manifests[0].warnings
    );
    let e = s
        .screening()
        .check_boarding(pb::CheckBoardingRequest {
            request: Some(pb::check_boarding_request::Request::Paxlst(partial)),
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert!(e.message().contains("parts missing"), "{}", e.message());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreadable_edifact_is_invalid_argument_with_segment_and_offset() {
    let s = Server::start(config()).await;
    for (bytes, what) in [
        (b"this is not EDIFACT at all".to_vec(), "prose"),
        (
            b"UNB+UNOA:4+XX+AUTH+260301:1000+1'UNZ+1+1'".to_vec(),
            "no UNH",
        ),
        (vec![0xff, 0xfe, 0x00, 0x41], "binary"),
    ] {
        let e = s
            .screening()
            .submit_paxlst(pb::SubmitPaxlstRequest { edifact: bytes })
            .await
            .unwrap_err();
        assert_eq!(e.code(), Code::InvalidArgument, "{what}: {e:?}");
        assert!(
            e.message().contains("segment") && e.message().contains("byte"),
            "{what}: {}",
            e.message()
        );
        let d = e.get_error_details();
        assert_eq!(
            d.bad_request().unwrap().field_violations[0].field,
            "edifact"
        );
        let info = d.error_info().unwrap();
        assert_eq!(info.reason, "EDIFACT_UNREADABLE");
        assert!(info.metadata.contains_key("segment") && info.metadata.contains_key("offset"));
    }
    // the same through CheckBoarding names its own field
    let e = s
        .screening()
        .check_boarding(pb::CheckBoardingRequest {
            request: Some(pb::check_boarding_request::Request::Paxlst(
                b"garbage".to_vec(),
            )),
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert_eq!(
        e.get_error_details()
            .bad_request()
            .unwrap()
            .field_violations[0]
            .field,
        "paxlst"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_traveller_boarding_checks_decide_and_publish_alerts() {
    // one structured traveller is screened on the runtime thread, its alerts published on a
    // blocking thread: both paths must answer and store as the pool path does
    let s = Server::start(config()).await;
    let mut decisions = Vec::new();
    for (i, t) in [listed("1"), clean("2")].into_iter().enumerate() {
        let m = manifest(
            &format!("S{i}"),
            flight(&format!("XX030{i}"), "LHR", "DXB"),
            vec![t],
        );
        let r = board(&s, m).await;
        assert_eq!(r.decisions.len(), 1);
        assert!(!r.cusres.is_empty());
        decisions.push(pb::Decision::try_from(r.decisions[0].decision).unwrap());
    }
    assert_eq!(decisions, [pb::Decision::NoBoard, pb::Decision::Board]);
    for (flight, expected) in [("XX0300", 1), ("XX0301", 0)] {
        let stored = s
            .alerts()
            .list_alerts(pb::ListAlertsRequest {
                filter: Some(pb::AlertFilter {
                    flight: flight.into(),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(stored.alerts.len(), expected, "{flight}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_boarding_answers_decisions_and_cusres_only() {
    let s = Server::start(config()).await;
    let m = manifest(
        "B1",
        flight("XX0202", "LHR", "DXB"),
        vec![listed("1"), clean("2"), medium("3")],
    );
    let r = board(&s, m).await;
    let d: Vec<_> = r
        .decisions
        .iter()
        .map(|d| pb::Decision::try_from(d.decision).unwrap())
        .collect();
    assert_eq!(
        d,
        [
            pb::Decision::NoBoard,
            pb::Decision::Board,
            pb::Decision::Refer
        ]
    );
    assert_eq!(r.decisions[0].passenger_ref, "ABO1");
    assert_eq!(r.decisions[0].pnr, "PNR1");
    assert_eq!(r.transaction_ref, "TNB1");
    // the CUSRES is a real CUSRES with one status per traveller
    let parsed = paxlst::parse(&r.cusres, &Default::default()).unwrap();
    let ParsedMessage::Cusres(c) = &parsed[0] else {
        panic!("not a CUSRES: {parsed:?}")
    };
    let codes: Vec<_> = c
        .passengers
        .iter()
        .map(|p| p.code.clone().unwrap())
        .collect();
    assert_eq!(codes, ["1Z", "0Z", "2Z"]);
    assert_eq!(c.transaction_ref.as_deref(), Some("TNB1"));
    // nothing about the hits: no entry id, list, or listed name anywhere in the answer
    let wire = String::from_utf8_lossy(&r.encode_to_vec()).to_ascii_lowercase();
    for secret in [
        "n-001",
        "n-003",
        "national",
        "dulaimi",
        "kuznetsova",
        "igorevna",
    ] {
        let occurs = wire.contains(secret);
        // the traveller's own surname may be echoed by nothing but the carrier's own data;
        // CUSRES carries no names at all
        assert!(!occurs, "{secret} leaked into the carrier's answer");
    }
    // the agency still gets the alerts
    let listed_alerts = s
        .alerts()
        .list_alerts(pb::ListAlertsRequest {
            filter: Some(pb::AlertFilter {
                flight: "XX0202".into(),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed_alerts.alerts.len(), 2);

    // the PAXLST form of the request
    let text = paxlst_text(
        "B2",
        &[
            ("AL DULAIMI", "ABDULRAHMAN YASIN", "1960-04-10"),
            ("SMITH", "JOHN PAUL", "1965-01-30"),
        ],
    );
    let r = s
        .screening()
        .check_boarding(pb::CheckBoardingRequest {
            request: Some(pb::check_boarding_request::Request::Paxlst(
                text.into_bytes(),
            )),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.decisions.len(), 2);
    assert_ne!(r.decisions[0].decision, pb::Decision::Board as i32);
    assert_eq!(r.decisions[1].decision, pb::Decision::Board as i32);
    assert_eq!(r.decisions[0].passenger_ref, "REF0");
    let cusres = String::from_utf8(r.cusres).unwrap();
    assert!(
        cusres.contains("CUSRES") && cusres.contains("REF0"),
        "{cusres}"
    );
    assert!(!cusres.to_ascii_lowercase().contains("dulaimi"));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screen_stream_answers_every_traveller_in_order() {
    let s = Server::start(config()).await;
    let n = 1500usize;
    let items: Vec<pb::ScreenStreamRequest> = (0..n)
        .map(|i| pb::ScreenStreamRequest {
            correlation_id: format!("c{i}"),
            traveller: Some(match i % 500 {
                7 => listed(&format!("t{i}")),
                // an unreadable traveller does not end the stream
                11 => pb::Traveller {
                    id: format!("t{i}"),
                    surname: "X".into(),
                    dob: "not a date".into(),
                    ..Default::default()
                },
                _ => clean(&format!("t{i}")),
            }),
            flight: Some(flight("XX0303", "FRA", "ORD")),
        })
        .collect();
    let out = s
        .screening()
        .screen_stream(tokio_stream::iter(items.clone()))
        .await
        .unwrap()
        .into_inner();
    let results: Vec<_> = out.collect::<Result<Vec<_>, _>>().await.unwrap();
    assert_eq!(results.len(), n);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r.sequence, i as u64);
        assert_eq!(r.correlation_id, format!("c{i}"));
        match i % 500 {
            7 => {
                assert_eq!(r.traveller_id, format!("t{i}"));
                assert_eq!(r.decision, pb::Decision::NoBoard as i32);
                assert_eq!(r.matches[0].entry_id, "N-001");
                assert_eq!(r.alert_ids.len(), 1);
            }
            11 => {
                assert!(r.error.contains("traveller.dob"), "{}", r.error);
                assert!(!r.error.contains("not a date"));
                assert_eq!(r.decision, pb::Decision::Unspecified as i32);
            }
            _ => {
                assert_eq!(r.decision, pb::Decision::Board as i32, "{i}");
                assert!(r.error.is_empty() && r.matches.is_empty());
            }
        }
    }
    // an item is its own message: the same traveller on the same flight gets the same alert id
    let again: Vec<_> = s
        .screening()
        .screen_stream(tokio_stream::iter(vec![items[7].clone()]))
        .await
        .unwrap()
        .into_inner()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert_eq!(again[0].alert_ids, results[7].alert_ids);
    assert_ne!(
        results[7].alert_ids, results[507].alert_ids,
        "different traveller ids"
    );
    s.stop().await;
}

// ---- WatchlistService ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watchlist_changes_take_effect_for_the_next_screening() {
    let s = Server::start(config()).await;
    let mut w = s.watchlists();
    let traveller = pb::Traveller {
        id: "z".into(),
        surname: "OKAFOR".into(),
        given_names: "EMEKA JOHNBOSCO".into(),
        dob: "1977-05-12".into(),
        nationality: "NGA".into(),
        ..Default::default()
    };
    let check = |tag: &'static str| {
        let m = manifest(tag, flight("XX0404", "LOS", "LHR"), vec![traveller.clone()]);
        async { screen(&s, m).await.unwrap().results.remove(0) }
    };
    assert!(check("W1").await.matches.is_empty());

    let stats0 = w
        .get_stats(pb::GetStatsRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stats0.lists.get("national"), Some(&5));

    let up = w
        .upsert_entries(pb::UpsertEntriesRequest {
            entries: vec![pb::WatchlistEntry {
                id: "LIVE-1".into(),
                list: "live".into(),
                severity: pb::Severity::Critical as i32,
                names: vec![pb::EntryName {
                    full: "Emeka Johnbosco Okafor".into(),
                    kind: pb::NameKind::Primary as i32,
                }],
                dobs: vec!["1977".into()],
                nationalities: vec!["NG".into()],
                ..Default::default()
            }],
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!((up.upserted, up.indexed), (1, 1));
    let r = check("W2").await;
    assert_eq!(r.matches[0].entry_id, "LIVE-1");
    assert_eq!(r.matches[0].severity, pb::Severity::Critical as i32);
    let stats = w
        .get_stats(pb::GetStatsRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stats.lists.get("live"), Some(&1));
    assert_eq!(stats.indexed, stats0.indexed + 1);

    // a bad entry rejects the whole request and changes nothing
    let e = w
        .upsert_entries(pb::UpsertEntriesRequest {
            entries: vec![
                pb::WatchlistEntry {
                    id: "LIVE-2".into(),
                    list: "live".into(),
                    names: vec![pb::EntryName {
                        full: "Someone Else".into(),
                        kind: 0,
                    }],
                    ..Default::default()
                },
                pb::WatchlistEntry {
                    id: "LIVE-3".into(),
                    list: "live".into(),
                    names: vec![pb::EntryName {
                        full: "Bad Date".into(),
                        kind: 0,
                    }],
                    dobs: vec!["1970-02-30".into()],
                    ..Default::default()
                },
            ],
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert_eq!(
        e.get_error_details()
            .bad_request()
            .unwrap()
            .field_violations[0]
            .field,
        "entries[1].dobs[0]"
    );
    let stats = w
        .get_stats(pb::GetStatsRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stats.lists.get("live"), Some(&1));

    let del = w
        .delete_entries(pb::DeleteEntriesRequest {
            ids: vec!["LIVE-1".into(), "NOPE".into()],
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(del.deleted, 1);
    assert!(check("W3").await.matches.is_empty());

    // LoadList replaces the named list atomically: the old national entries are gone, the
    // uploaded one is screened against (format detected from the content)
    let ndjson = r#"{"id":"NEW-1","list":"ignored","severity":"high","names":["Emeka Okafor"],"dob":["1977-05-12"],"nationalities":["NGA"]}
{"id":"NEW-2","list":"ignored","names":["Somebody Unrelated"]}
this line is broken
"#;
    let loaded = w
        .load_list(pb::LoadListRequest {
            list: "national".into(),
            data: ndjson.as_bytes().to_vec(),
            format: pb::ListFormat::Unspecified as i32,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(loaded.format, pb::ListFormat::Ndjson as i32);
    assert_eq!((loaded.entries, loaded.skipped, loaded.replaced), (2, 1, 5));
    assert_eq!(loaded.problems.len(), 1);
    assert!(
        loaded.problems[0].location.contains(":3"),
        "{:?}",
        loaded.problems[0]
    );
    let r = check("W4").await;
    assert_eq!(r.matches[0].entry_id, "NEW-1");
    assert_eq!(r.matches[0].list, "national");
    let old = screen(
        &s,
        manifest("W5", flight("XX0404", "LOS", "LHR"), vec![listed("q")]),
    )
    .await
    .unwrap();
    assert!(
        old.results[0].matches.is_empty(),
        "N-001 left with the old list"
    );
    let stats = w
        .get_stats(pb::GetStatsRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stats.lists.get("national"), Some(&2));

    // an upload of which nothing can be read leaves the list as it was
    let e = w
        .load_list(pb::LoadListRequest {
            list: "national".into(),
            data: b"{\"broken\nnot json\n".to_vec(),
            format: pb::ListFormat::Ndjson as i32,
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument, "{e:?}");
    let e = w
        .load_list(pb::LoadListRequest {
            list: "bad name!".into(),
            data: ndjson.as_bytes().to_vec(),
            format: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    let e = w
        .load_list(pb::LoadListRequest {
            list: "x".into(),
            data: b"\x00\x01 who knows".to_vec(),
            format: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert!(e.message().contains("format"), "{}", e.message());
    let stats = w
        .get_stats(pb::GetStatsRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stats.lists.get("national"), Some(&2));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_list_reads_un_xml_and_ofac_uploads() {
    let s = Server::start(config()).await;
    let mut w = s.watchlists();
    let un = std::fs::read(data("watchlists/un_small.xml")).unwrap();
    let r = w
        .load_list(pb::LoadListRequest {
            list: "un".into(),
            data: un,
            format: 0,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.format, pb::ListFormat::UnXml as i32);
    assert!(r.entries > 0 && r.individuals > 0);
    let sdn = std::fs::read(data("watchlists/ofac/sdn.csv")).unwrap();
    let r2 = w
        .load_list(pb::LoadListRequest {
            list: "ofac".into(),
            data: sdn,
            format: pb::ListFormat::OfacCsv as i32,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(r2.entries > 0);
    let stats = w
        .get_stats(pb::GetStatsRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stats.lists.get("un").copied(), Some(r.entries as u64));
    assert_eq!(stats.lists.get("ofac").copied(), Some(r2.entries as u64));
    assert_eq!(stats.lists.get("national"), Some(&5));
    s.stop().await;
}

/// A request whose `Traveller.surname` (tag 2) carries bytes that are not UTF-8.
mod raw {
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Traveller {
        #[prost(bytes = "vec", tag = "2")]
        pub surname: Vec<u8>,
    }
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Manifest {
        #[prost(message, repeated, tag = "7")]
        pub travellers: Vec<Traveller>,
    }
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ScreenManifestRequest {
        #[prost(message, optional, tag = "1")]
        pub manifest: Option<Manifest>,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_utf8_is_invalid_argument_naming_the_field() {
    let s = Server::start(config()).await;
    let mut grpc = tonic::client::Grpc::new(s.channel.clone());
    grpc.ready().await.unwrap();
    let req = raw::ScreenManifestRequest {
        manifest: Some(raw::Manifest {
            travellers: vec![raw::Traveller {
                surname: vec![b'D', 0xff, 0xfe, b'E'],
            }],
        }),
    };
    let e = grpc
        .unary::<_, pb::ScreenManifestResponse, _>(
            Request::new(req),
            tonic::codegen::http::uri::PathAndQuery::from_static(
                "/paxscreen.v1.ScreeningService/ScreenManifest",
            ),
            tonic_prost::ProstCodec::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument, "{e:?}");
    assert!(
        e.message().contains("surname") && e.message().contains("UTF-8"),
        "{}",
        e.message()
    );
    s.stop().await;
}

// ---- limits and deadlines ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_give_resource_exhausted_naming_the_limit() {
    let mut c = config();
    c.limits.max_message_bytes = 64 << 10;
    c.limits.max_travellers = 10;
    let s = Server::start(c).await;
    let expect_quota = |e: Status, key: &str| {
        assert_eq!(e.code(), Code::ResourceExhausted, "{e:?}");
        assert!(e.message().contains(key), "{}", e.message());
        let d = e.get_error_details();
        assert_eq!(d.quota_failure().unwrap().violations[0].subject, key);
    };
    // just over the limit: the handler's check
    let e = s
        .screening()
        .submit_paxlst(pb::SubmitPaxlstRequest {
            edifact: vec![b'A'; (64 << 10) + 1],
        })
        .await
        .unwrap_err();
    expect_quota(e, "limits.max_message_bytes");
    // far over it: refused before decoding, with the same status
    let e = s
        .screening()
        .submit_paxlst(pb::SubmitPaxlstRequest {
            edifact: vec![b'A'; 1 << 20],
        })
        .await
        .unwrap_err();
    expect_quota(e, "limits.max_message_bytes");
    let e = s
        .watchlists()
        .load_list(pb::LoadListRequest {
            list: "big".into(),
            data: vec![b'{'; 200 << 10],
            format: 0,
        })
        .await
        .unwrap_err();
    expect_quota(e, "limits.max_message_bytes");
    // too many travellers: structured, PAXLST, iAPI
    let many: Vec<_> = (0..11).map(|i| clean(&format!("t{i}"))).collect();
    let e = screen(
        &s,
        manifest("L1", flight("XX0505", "AMS", "NRT"), many.clone()),
    )
    .await
    .unwrap_err();
    expect_quota(e, "limits.max_travellers");
    assert!(e_message_has_counts(&s, &many).await);
    let text = paxlst_text("L2", &[("SMITH", "JOHN", "1965-01-30"); 11]);
    let e = s
        .screening()
        .submit_paxlst(pb::SubmitPaxlstRequest {
            edifact: text.clone().into_bytes(),
        })
        .await
        .unwrap_err();
    expect_quota(e, "limits.max_travellers");
    let e = s
        .screening()
        .check_boarding(pb::CheckBoardingRequest {
            request: Some(pb::check_boarding_request::Request::Paxlst(
                text.into_bytes(),
            )),
        })
        .await
        .unwrap_err();
    expect_quota(e, "limits.max_travellers");
    // at the limit is fine
    let ok = screen(
        &s,
        manifest("L3", flight("XX0505", "AMS", "NRT"), many[..10].to_vec()),
    )
    .await
    .unwrap();
    assert_eq!(ok.results.len(), 10);
    // streams batch within the limit and stay usable
    let items: Vec<_> = (0..25)
        .map(|i| pb::ScreenStreamRequest {
            correlation_id: i.to_string(),
            traveller: Some(clean(&format!("s{i}"))),
            flight: None,
        })
        .collect();
    let out: Vec<_> = s
        .screening()
        .screen_stream(tokio_stream::iter(items))
        .await
        .unwrap()
        .into_inner()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert_eq!(out.len(), 25);
    s.stop().await;
}

/// The engine's refusal states both counts.
async fn e_message_has_counts(s: &Server, many: &[pb::Traveller]) -> bool {
    let e = screen(
        s,
        manifest("L4", flight("XX0505", "AMS", "NRT"), many.to_vec()),
    )
    .await
    .unwrap_err();
    e.message().contains("11") && e.message().contains("10")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tiny_deadline_on_a_big_manifest_is_deadline_exceeded_not_a_hang() {
    let s = Server::start(config()).await;
    let big: Vec<_> = (0..5000)
        .map(|i| {
            if i % 100 == 0 {
                listed(&format!("t{i}"))
            } else {
                clean(&format!("t{i}"))
            }
        })
        .collect();
    let m = manifest("D1", flight("XX0606", "SIN", "SYD"), big);
    // what the server answers: DEADLINE_EXCEEDED
    let origin: tonic::codegen::http::Uri =
        format!("http://{}", s.running.grpc_addr).parse().unwrap();
    let mut raw =
        ScreeningServiceClient::with_origin(RawH2::connect(s.running.grpc_addr).await, origin);
    for timeout in [Duration::from_micros(1), Duration::from_millis(2)] {
        let mut req = Request::new(pb::ScreenManifestRequest {
            manifest: Some(m.clone()),
        });
        req.set_timeout(timeout);
        let started = Instant::now();
        let e = raw.screen_manifest(req).await.unwrap_err();
        assert_eq!(e.code(), Code::DeadlineExceeded, "{timeout:?}: {e:?}");
        assert!(e.message().contains("deadline"), "{}", e.message());
        assert!(started.elapsed() < Duration::from_secs(10));
    }
    // tonic's own client gives up at the deadline too (its local timer says CANCELLED)
    let mut req = Request::new(pb::ScreenManifestRequest {
        manifest: Some(m.clone()),
    });
    req.set_timeout(Duration::from_millis(1));
    let started = Instant::now();
    let e = s.screening().screen_manifest(req).await.unwrap_err();
    assert!(
        matches!(e.code(), Code::DeadlineExceeded | Code::Cancelled),
        "{e:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    // with a generous deadline the same call succeeds
    let mut req = Request::new(pb::ScreenManifestRequest { manifest: Some(m) });
    req.set_timeout(Duration::from_secs(120));
    let ok = s
        .screening()
        .screen_manifest(req)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ok.results.len(), 5000);
    // a stream with a deadline ends with DEADLINE_EXCEEDED when the client keeps it open idle
    let (tx, rx) = tokio::sync::mpsc::channel::<pb::ScreenStreamRequest>(4);
    let mut req = Request::new(tokio_stream::wrappers::ReceiverStream::new(rx));
    req.set_timeout(Duration::from_millis(300));
    tx.send(pb::ScreenStreamRequest {
        correlation_id: "x".into(),
        traveller: Some(clean("x")),
        flight: None,
    })
    .await
    .unwrap();
    let mut out = s.screening().screen_stream(req).await.unwrap().into_inner();
    let first = out.next().await.unwrap().unwrap();
    assert_eq!(first.correlation_id, "x");
    let end = tokio::time::timeout(Duration::from_secs(10), out.next())
        .await
        .expect("the stream ends at its deadline");
    assert_eq!(end.unwrap().unwrap_err().code(), Code::DeadlineExceeded);
    drop(tx);
    s.stop().await;
}

// ---- AlertService ----

async fn next_event(stream: &mut tonic::Streaming<pb::AlertEvent>) -> Event {
    tokio::time::timeout(Duration::from_secs(20), stream.next())
        .await
        .expect("an event within 20 s")
        .expect("stream open")
        .expect("no error")
        .event
        .unwrap()
}

async fn open(s: &Server, req: pb::StreamAlertsRequest) -> tonic::Streaming<pb::AlertEvent> {
    s.alerts().stream_alerts(req).await.unwrap().into_inner()
}

/// Screens `n` listed travellers in a fresh manifest: `n` alerts.
async fn raise(s: &Server, tag: &str, n: usize, f: pb::Flight) -> Vec<String> {
    let ts = (0..n).map(|i| listed(&format!("{tag}-{i}"))).collect();
    screen(s, manifest(tag, f, ts)).await.unwrap().alert_ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alert_streams_filter_replay_and_go_live() {
    let s = Server::start(config()).await;
    // live only, filtered by flight
    let mut live = open(
        &s,
        pb::StreamAlertsRequest {
            filter: Some(pb::AlertFilter {
                flight: "XX0707".into(),
                ..Default::default()
            }),
            start: None,
        },
    )
    .await;
    let Event::CaughtUp(c) = next_event(&mut live).await else {
        panic!("first event is CaughtUp")
    };
    assert_eq!(c.last_seq, 0);
    let other = raise(&s, "A0", 2, flight("XX0808", "MAD", "BOG")).await;
    let wanted = raise(&s, "A1", 3, flight("XX0707", "CAI", "AMM")).await;
    for id in &wanted {
        let Event::Alert(a) = next_event(&mut live).await else {
            panic!("an alert")
        };
        assert_eq!(&a.alert_id, id);
        assert_eq!(a.flight.unwrap().id, "XX0707");
    }
    // filters: airport, severity, score, list
    let filtered = {
        {
            let mut st = open(
                &s,
                pb::StreamAlertsRequest {
                    filter: Some(pb::AlertFilter {
                        airport: "amm".into(),
                        min_severity: pb::Severity::High as i32,
                        min_score: 0.9,
                        lists: vec!["NATIONAL".into()],
                        ..Default::default()
                    }),
                    start: Some(pb::stream_alerts_request::Start::AfterSeq(0)),
                },
            )
            .await;
            let mut got = Vec::new();
            loop {
                match next_event(&mut st).await {
                    Event::Alert(a) => got.push(a.alert_id),
                    Event::CaughtUp(_) => break,
                    Event::Lagged(l) => panic!("{l:?}"),
                }
            }
            got
        }
    };
    assert_eq!(filtered, wanted);
    let none = open(
        &s,
        pb::StreamAlertsRequest {
            filter: Some(pb::AlertFilter {
                min_severity: pb::Severity::Critical as i32,
                ..Default::default()
            }),
            start: Some(pb::stream_alerts_request::Start::AfterSeq(0)),
        },
    )
    .await;
    let mut none = none;
    assert!(matches!(next_event(&mut none).await, Event::CaughtUp(_)));

    // resume by seq, by alert id and by time: replay, then CaughtUp, then live
    let all: Vec<String> = other.iter().chain(&wanted).cloned().collect();
    let first = s
        .alerts()
        .get_alert(pb::GetAlertRequest {
            alert_id: all[1].clone(),
        })
        .await
        .unwrap()
        .into_inner();
    for start in [
        pb::stream_alerts_request::Start::AfterSeq(first.seq),
        pb::stream_alerts_request::Start::AfterAlertId(all[1].clone()),
    ] {
        let mut st = open(
            &s,
            pb::StreamAlertsRequest {
                filter: None,
                start: Some(start),
            },
        )
        .await;
        for id in &all[2..] {
            let Event::Alert(a) = next_event(&mut st).await else {
                panic!("replayed alert")
            };
            assert_eq!(&a.alert_id, id);
        }
        assert!(matches!(next_event(&mut st).await, Event::CaughtUp(c) if c.last_seq == 5));
    }
    let mut since = open(
        &s,
        pb::StreamAlertsRequest {
            filter: None,
            start: Some(pb::stream_alerts_request::Start::Since(
                first.created_at.unwrap(),
            )),
        },
    )
    .await;
    let mut replayed = Vec::new();
    loop {
        match next_event(&mut since).await {
            Event::Alert(a) => replayed.push(a.alert_id),
            Event::CaughtUp(_) => break,
            Event::Lagged(l) => panic!("{l:?}"),
        }
    }
    assert!(
        replayed.len() >= 4 && all.ends_with(&replayed),
        "{replayed:?}"
    );
    let later = raise(&s, "A2", 1, flight("XX0707", "CAI", "AMM")).await;
    let Event::Alert(a) = next_event(&mut since).await else {
        panic!("live after replay")
    };
    assert_eq!(a.alert_id, later[0]);
    let Event::Alert(a) = next_event(&mut live).await else {
        panic!("live")
    };
    assert_eq!(a.alert_id, later[0]);

    // a stream with a deadline ends there
    let mut req = Request::new(pb::StreamAlertsRequest::default());
    req.set_timeout(Duration::from_millis(300));
    let mut timed = s.alerts().stream_alerts(req).await.unwrap().into_inner();
    assert!(matches!(next_event(&mut timed).await, Event::CaughtUp(_)));
    let end = tokio::time::timeout(Duration::from_secs(10), timed.next())
        .await
        .expect("ends at the deadline")
        .unwrap()
        .unwrap_err();
    assert_eq!(end.code(), Code::DeadlineExceeded);

    // unknown resume points
    let e = s
        .alerts()
        .stream_alerts(pb::StreamAlertsRequest {
            filter: None,
            start: Some(pb::stream_alerts_request::Start::AfterAlertId(
                "f".repeat(32),
            )),
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
    let e = s
        .alerts()
        .stream_alerts(pb::StreamAlertsRequest {
            filter: None,
            start: Some(pb::stream_alerts_request::Start::AfterSeq(1_000_000)),
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::OutOfRange);
    let e = s
        .alerts()
        .stream_alerts(pb::StreamAlertsRequest {
            filter: Some(pb::AlertFilter {
                min_score: 2.0,
                ..Default::default()
            }),
            start: None,
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_racing_new_alerts_has_no_gap_and_no_duplicate() {
    let s = Server::start(config()).await;
    raise(&s, "R0", 50, flight("XX0909", "DEL", "BOM")).await;
    // alerts keep coming while subscribers resume from the start
    let producer = {
        let channel = s.channel.clone();
        tokio::spawn(async move {
            let mut c = ScreeningServiceClient::new(channel);
            for k in 0..20 {
                let ts = (0..25).map(|i| listed(&format!("R{k}-{i}"))).collect();
                c.screen_manifest(pb::ScreenManifestRequest {
                    manifest: Some(manifest(
                        &format!("R{}", k + 1),
                        flight("XX0909", "DEL", "BOM"),
                        ts,
                    )),
                })
                .await
                .unwrap();
            }
        })
    };
    let mut subs = Vec::new();
    for _ in 0..3 {
        subs.push(
            open(
                &s,
                pb::StreamAlertsRequest {
                    filter: None,
                    start: Some(pb::stream_alerts_request::Start::AfterSeq(0)),
                },
            )
            .await,
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    producer.await.unwrap();
    let total = 50 + 20 * 25;
    for mut st in subs {
        let mut seqs = Vec::new();
        while seqs.len() < total {
            match next_event(&mut st).await {
                Event::Alert(a) => seqs.push(a.seq),
                Event::CaughtUp(_) => {}
                Event::Lagged(l) => panic!("nothing may be lost here: {l:?}"),
            }
        }
        let expected: Vec<u64> = (1..=total as u64).collect();
        assert_eq!(seqs, expected, "every alert once, in order");
    }
    s.stop().await;
}

/// A live stream on its own connection with 64 KiB HTTP/2 windows, so that a client that does not
/// read holds back the server after a few dozen alerts (not megabytes of them).
async fn open_small_window(s: &Server) -> tonic::Streaming<pb::AlertEvent> {
    let channel = Channel::from_shared(format!("http://{}", s.running.grpc_addr))
        .unwrap()
        .initial_stream_window_size(65_535)
        .initial_connection_window_size(65_535)
        .connect()
        .await
        .unwrap();
    AlertServiceClient::new(channel)
        .stream_alerts(pb::StreamAlertsRequest::default())
        .await
        .unwrap()
        .into_inner()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_subscriber_catches_up_from_the_store_or_is_told_what_it_lost() {
    // a tiny live backlog, a big store: a subscriber that does not read catches up, losing nothing
    let mut c = config();
    c.alerts.channel_capacity = 4;
    c.alerts.memory_capacity = 100_000;
    let s = Server::start(c).await;
    let mut slow = open_small_window(&s).await;
    assert!(matches!(next_event(&mut slow).await, Event::CaughtUp(_)));
    for k in 0..12 {
        raise(&s, &format!("S{k}"), 100, flight("XX1010", "IST", "TBS")).await;
    }
    let mut seqs = Vec::new();
    while seqs.len() < 1200 {
        match next_event(&mut slow).await {
            Event::Alert(a) => seqs.push(a.seq),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(seqs, (1..=1200).collect::<Vec<u64>>());
    let metrics = s.running.ctx.metrics.render();
    assert!(
        metrics.contains("paxscreen_alert_stream_lagged_total"),
        "the subscriber did fall behind the hub (and was caught up from the store)"
    );
    s.stop().await;

    // a tiny live backlog and a store that forgets: the subscriber is told how much it lost,
    // and the stream goes on
    let mut c = config();
    c.alerts.channel_capacity = 4;
    c.alerts.memory_capacity = 100;
    let s = Server::start(c).await;
    let mut slow = open_small_window(&s).await;
    assert!(matches!(next_event(&mut slow).await, Event::CaughtUp(_)));
    let total = 5000u64;
    for k in 0..50 {
        raise(&s, &format!("F{k}"), 100, flight("XX1010", "IST", "TBS")).await;
    }
    let (mut delivered, mut lost, mut last) = (0u64, 0u64, 0u64);
    let mut lagged = 0;
    while last < total {
        match next_event(&mut slow).await {
            Event::Alert(a) => {
                assert!(a.seq > last, "in order, no duplicates");
                delivered += 1;
                last = a.seq;
            }
            Event::Lagged(l) => {
                assert_eq!(
                    l.resume_after_seq, last,
                    "the gap starts after the last delivered"
                );
                lagged += 1;
                lost += l.missed;
                last += l.missed;
            }
            Event::CaughtUp(_) => panic!("only once"),
        }
    }
    assert!(lagged >= 1, "the subscriber was told it lost alerts");
    assert_eq!(
        delivered + lost,
        total,
        "every seq delivered or reported lost"
    );
    // screening was never held up by the subscriber: every alert is in the log
    let newest = s
        .alerts()
        .list_alerts(pb::ListAlertsRequest {
            page_size: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(newest.alerts[0].seq, total);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_alerts_pages_newest_first() {
    let s = Server::start(config()).await;
    let a = raise(&s, "P0", 7, flight("XX1111", "OSL", "KEF")).await;
    let b = raise(&s, "P1", 5, flight("XX1212", "OSL", "ARN")).await;
    let mut seen = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let r = s
            .alerts()
            .list_alerts(pb::ListAlertsRequest {
                filter: None,
                page_size: 5,
                page_token: token.clone(),
            })
            .await
            .unwrap()
            .into_inner();
        pages += 1;
        seen.extend(r.alerts.iter().map(|a| a.alert_id.clone()));
        if r.next_page_token.is_empty() {
            break;
        }
        token = r.next_page_token;
    }
    assert_eq!(pages, 3);
    let mut expected: Vec<String> = a.iter().chain(&b).cloned().collect();
    expected.reverse();
    assert_eq!(seen, expected);
    let r = s
        .alerts()
        .list_alerts(pb::ListAlertsRequest {
            filter: Some(pb::AlertFilter {
                flight: "xx1212".into(),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.alerts.len(), 5);
    let e = s
        .alerts()
        .list_alerts(pb::ListAlertsRequest {
            page_token: "not-a-token".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    s.stop().await;
}

// ---- health, reflection, shutdown ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_reports_serving_then_not_serving_and_reflection_lists_the_services() {
    use tonic_health::pb::HealthCheckRequest;
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::health_client::HealthClient;
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

    let s = Server::start(config()).await;
    let mut health = HealthClient::new(s.channel.clone());
    for service in [
        "",
        "paxscreen.v1.ScreeningService",
        "paxscreen.v1.WatchlistService",
        "paxscreen.v1.AlertService",
    ] {
        let r = health
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(r.status, ServingStatus::Serving as i32, "{service:?}");
    }

    let mut reflection = ServerReflectionClient::new(s.channel.clone());
    let ask = |m: MessageRequest| ServerReflectionRequest {
        host: String::new(),
        message_request: Some(m),
    };
    let mut out = reflection
        .server_reflection_info(tokio_stream::iter(vec![
            ask(MessageRequest::ListServices(String::new())),
            ask(MessageRequest::FileContainingSymbol(
                "paxscreen.v1.ScreeningService".into(),
            )),
        ]))
        .await
        .unwrap()
        .into_inner();
    let Some(MessageResponse::ListServicesResponse(list)) =
        out.next().await.unwrap().unwrap().message_response
    else {
        panic!("list services")
    };
    let names: HashSet<_> = list.service.iter().map(|s| s.name.as_str()).collect();
    for n in [
        "paxscreen.v1.ScreeningService",
        "paxscreen.v1.WatchlistService",
        "paxscreen.v1.AlertService",
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
    ] {
        assert!(names.contains(n), "{n} missing from {names:?}");
    }
    let Some(MessageResponse::FileDescriptorResponse(files)) =
        out.next().await.unwrap().unwrap().message_response
    else {
        panic!("file containing symbol")
    };
    let file =
        prost_types::FileDescriptorProto::decode(&files.file_descriptor_proto[0][..]).unwrap();
    assert_eq!(file.package(), "paxscreen.v1");
    assert!(file.service.iter().any(|s| s.name() == "ScreeningService"));

    // shutdown: a watcher sees NOT_SERVING
    let mut watch = health
        .watch(HealthCheckRequest {
            service: "paxscreen.v1.ScreeningService".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        watch.next().await.unwrap().unwrap().status,
        ServingStatus::Serving as i32
    );
    s.running.shutdown();
    let r = tokio::time::timeout(Duration::from_secs(10), watch.next())
        .await
        .expect("health changes on shutdown")
        .unwrap()
        .unwrap();
    assert_eq!(r.status, ServingStatus::NotServing as i32);
    drop(watch);
    drop(health);
    drop(reflection);
    tokio::time::timeout(Duration::from_secs(20), s.running.wait())
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_open_streams_with_unavailable_and_finishes_in_flight_calls() {
    let s = Server::start(config()).await;
    let mut st = open(&s, pb::StreamAlertsRequest::default()).await;
    assert!(matches!(next_event(&mut st).await, Event::CaughtUp(_)));
    // a call in flight when shutdown is requested still gets its answer
    let big: Vec<_> = (0..3000).map(|i| clean(&format!("g{i}"))).collect();
    let mut client = s.screening();
    let call = tokio::spawn(async move {
        client
            .screen_manifest(pb::ScreenManifestRequest {
                manifest: Some(manifest("G1", flight("XX1313", "ZRH", "GVA"), big)),
            })
            .await
    });
    tokio::time::sleep(Duration::from_millis(30)).await;
    s.running.shutdown();
    let r = call.await.unwrap();
    assert_eq!(r.unwrap().into_inner().results.len(), 3000);
    let end = tokio::time::timeout(Duration::from_secs(10), st.next())
        .await
        .expect("the alert stream ends")
        .unwrap()
        .unwrap_err();
    assert_eq!(end.code(), Code::Unavailable);
    assert!(end.message().contains("after_seq"), "{}", end.message());
    tokio::time::timeout(Duration::from_secs(20), s.running.wait())
        .await
        .expect("the server stops")
        .unwrap();
}

// ---- the real binary ----

#[test]
fn the_binary_serves_on_a_free_port_and_exits_0_on_sigterm() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_paxscreen"))
        .args([
            "serve",
            "--grpc-addr",
            "127.0.0.1:0",
            "--http-addr",
            "127.0.0.1:0",
            "--watchlist",
        ])
        .arg(data("watchlists/demo_national.ndjson"))
        .env("PAXSCREEN_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
                && let Some(a) = v.get("grpc_addr").and_then(|a| a.as_str())
            {
                let _ = tx.send(a.to_string());
            }
            all.push(line);
        }
        all
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the bound address is printed");
    assert!(!addr.ends_with(":0"), "{addr}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let r = rt.block_on(async {
        let mut c = ScreeningServiceClient::connect(format!("http://{addr}"))
            .await
            .unwrap();
        c.screen_manifest(pb::ScreenManifestRequest {
            manifest: Some(manifest(
                "BIN",
                flight("XX1414", "CDG", "JFK"),
                vec![listed("1"), clean("2")],
            )),
        })
        .await
        .unwrap()
        .into_inner()
    });
    assert_eq!(r.results[0].matches[0].entry_id, "N-001");
    assert_eq!(r.results[1].decision, pb::Decision::Board as i32);
    drop(rt);
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "still running after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let log = reader.join().unwrap().join("\n");
    assert_eq!(status.code(), Some(0), "{log}");
    assert!(log.contains("shutdown requested"), "{log}");
    // personal data never reaches the log
    for secret in ["DULAIMI", "ABDULRAHMAN", "1960-04-10", "G4471890"] {
        assert!(!log.contains(secret), "{secret} in the log");
    }
}

// ---- the example configuration ----

#[test]
fn the_example_config_states_the_defaults() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("deploy/paxscreen.toml");
    let c = Config::from_file(&path).unwrap();
    assert_eq!(
        c,
        Config::default(),
        "deploy/paxscreen.toml must state the built-in defaults"
    );
    // the commented-out Kafka block, enabled, is the Kafka defaults
    let text = std::fs::read_to_string(&path).unwrap();
    let enabled: Vec<&str> = text
        .lines()
        .map(|l| l.strip_prefix("#~ ").unwrap_or(l))
        .collect();
    let k = Config::from_toml(&enabled.join("\n")).unwrap();
    assert_eq!(k.kafka, Some(paxscreen::config::KafkaConfig::default()));
    // every key is named (the test cannot see keys added later: keep this list with config.rs)
    for key in [
        "watchlists",
        "data_dir",
        "[grpc]",
        "[http]",
        "threshold",
        "alert_threshold",
        "no_board_threshold",
        "top_n",
        "max_message_bytes",
        "max_travellers",
        "channel_capacity",
        "memory_capacity",
        "[kafka]",
        "brokers",
        "group_id",
        "input_topic",
        "alerts_topic",
        "dlq_topic",
        "results_topic",
        "partitions",
        "replication_factor",
        "[kafka.properties]",
    ] {
        assert!(text.contains(key), "{key} is not documented");
    }
}

// ---- the load generator ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loadgen_drives_every_mode_and_reports_one_json_line() {
    use paxscreen::loadgen::{LoadgenArgs, Mode};
    let s = Server::start(config()).await;
    for (mode, travellers) in [(Mode::Manifest, 20), (Mode::Boarding, 1), (Mode::Stream, 1)] {
        let args = LoadgenArgs {
            addr: s.running.grpc_addr.to_string(),
            mode,
            travellers,
            concurrency: 2,
            duration: 0.5,
            warmup: 0.1,
            watchlists: vec![data("watchlists/demo_national.ndjson")],
            hit_rate: 0.2,
            seed: 7,
            stream_window: 64,
            threads: 1,
        };
        let mut out = Vec::new();
        let r = paxscreen::loadgen::run(args, &mut out).await.unwrap();
        let line: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
        assert!(r.requests > 0 && r.travellers > 0, "{mode:?}: {line}");
        assert_eq!(r.errors, 0, "{mode:?}: {line}");
        assert!(r.with_matches > 0, "listed people were mixed in: {line}");
        assert!(
            line["latency_ms"]["p99"].as_f64().unwrap()
                >= line["latency_ms"]["p50"].as_f64().unwrap()
        );
    }
    s.stop().await;
}
