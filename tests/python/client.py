#!/usr/bin/env python3
"""A paxscreen client in Python, built from the .proto files as shipped.

Generates the stubs from proto/ with grpcio-tools into a temporary directory, then, against a
running `paxscreen serve`:

1. screens a structured manifest (ScreenManifest),
2. asks for boarding decisions (CheckBoarding) and checks the answer carries no hit details,
3. submits raw PAXLST (SubmitPaxlst) and a broken one (expects INVALID_ARGUMENT),
4. replays the alert log (StreamAlerts from seq 0 until CaughtUp),
5. reads the watchlist statistics (GetStats),

and prints one JSON object with what it saw (the Rust test `tests/grpc_python.rs` checks it).

Usage: client.py --addr HOST:PORT [--proto-dir DIR]
Needs: pip install grpcio grpcio-tools
"""

import argparse
import importlib
import json
import os
import sys
import tempfile

import grpc
from grpc_tools import protoc

try:
    from importlib.resources import files as _resource_files
except ImportError:  # Python < 3.9
    _resource_files = None

PROTOS = [
    "paxscreen/v1/common.proto",
    "paxscreen/v1/screening.proto",
    "paxscreen/v1/watchlist.proto",
    "paxscreen/v1/alerts.proto",
]

PAXLST = (
    "UNA:+.? '"
    "UNB+UNOA:4+XX+AUTH+260301:1000+PY1'"
    "UNH+PY1+PAXLST:D:05B:UN:IATA'"
    "BGM+745'"
    "RFF+TN:PYTN1'"
    "TDT+20+XX0101+++XX'"
    "LOC+125+CDG'"
    "DTM+189:2603011000:201'"
    "LOC+87+JFK'"
    "DTM+232:2603011400:201'"
    "NAD+FL+++AL DULAIMI:ABDULRAHMAN YASIN'"
    "ATT+2++M'"
    "DTM+329:600410'"
    "NAT+2+IRQ'"
    "RFF+ABO:PYREF1'"
    "DOC+P:110:111+G4471890'"
    "LOC+91+IRQ'"
    "CNT+42:1'"
    "UNT+17+PY1'"
    "UNZ+1+PY1'"
)


def well_known_include():
    import grpc_tools

    if _resource_files is not None:
        return str(_resource_files("grpc_tools") / "_proto")
    return os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")


def generate(proto_dir, out_dir):
    args = [
        "grpc_tools.protoc",
        "-I" + proto_dir,
        "-I" + well_known_include(),
        "--python_out=" + out_dir,
        "--grpc_python_out=" + out_dir,
    ] + [os.path.join(proto_dir, p) for p in PROTOS]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed on " + proto_dir)
    sys.path.insert(0, out_dir)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--addr", required=True, help="host:port of paxscreen serve (gRPC)")
    ap.add_argument("--proto-dir", default=os.path.join(here, "..", "..", "proto"))
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="paxscreen-py-") as out:
        generate(os.path.abspath(args.proto_dir), out)
        common = importlib.import_module("paxscreen.v1.common_pb2")
        screening = importlib.import_module("paxscreen.v1.screening_pb2")
        screening_grpc = importlib.import_module("paxscreen.v1.screening_pb2_grpc")
        watchlist = importlib.import_module("paxscreen.v1.watchlist_pb2")
        watchlist_grpc = importlib.import_module("paxscreen.v1.watchlist_pb2_grpc")
        alerts = importlib.import_module("paxscreen.v1.alerts_pb2")
        alerts_grpc = importlib.import_module("paxscreen.v1.alerts_pb2_grpc")

        report = {}
        with grpc.insecure_channel(args.addr) as channel:
            grpc.channel_ready_future(channel).result(timeout=30)
            screen = screening_grpc.ScreeningServiceStub(channel)

            listed = common.Traveller(
                id="py-1",
                surname="AL DULAIMI",
                given_names="ABDULRAHMAN YASIN",
                dob="1960-04-10",
                gender=common.GENDER_MALE,
                nationality="IRQ",
                documents=[common.TravelDocument(type="P", number="G4471890", country="IRQ")],
                passenger_ref="PYABO1",
            )
            clean = common.Traveller(
                id="py-2", surname="SMITH", given_names="JOHN PAUL", dob="1965-01-30"
            )
            manifest = common.Manifest(
                message_ref="PY-M1",
                transaction_ref="PYTN",
                flights=[common.Flight(id="XX0101", carrier="XX", number="0101",
                                       departure_airport="CDG", arrival_airport="JFK")],
                travellers=[listed, clean],
            )
            r = screen.ScreenManifest(
                screening.ScreenManifestRequest(manifest=manifest), timeout=30
            )
            report["screen_manifest"] = {
                "message_id": r.message_id,
                "alert_ids": list(r.alert_ids),
                "results": [
                    {
                        "traveller_id": t.traveller_id,
                        "decision": common.Decision.Name(t.decision),
                        "matches": [
                            {
                                "entry_id": m.entry_id,
                                "list": m.list,
                                "score": round(m.score, 3),
                                "dob": common.DobVerdict.Name(m.explanation.dob),
                                "entry_name": m.explanation.name.entry_name,
                            }
                            for m in t.matches
                        ],
                    }
                    for t in r.results
                ],
            }

            b = screen.CheckBoarding(
                screening.CheckBoardingRequest(manifest=manifest), timeout=30
            )
            report["check_boarding"] = {
                "decisions": [common.Decision.Name(d.decision) for d in b.decisions],
                "passenger_refs": [d.passenger_ref for d in b.decisions],
                "cusres": b.cusres.decode("ascii", "replace"),
                "wire": b.SerializeToString().decode("latin-1"),
            }

            p = screen.SubmitPaxlst(
                screening.SubmitPaxlstRequest(edifact=PAXLST.encode()), timeout=30
            )
            report["submit_paxlst"] = [
                {
                    "flight": [f.id for f in m.flights],
                    "decisions": [common.Decision.Name(t.decision) for t in m.results],
                    "traveller_ids": [t.traveller_id for t in m.results],
                }
                for m in p.manifests
            ]
            try:
                screen.SubmitPaxlst(
                    screening.SubmitPaxlstRequest(edifact=b"UNB+garbage"), timeout=30
                )
                report["bad_paxlst"] = {"code": "OK"}
            except grpc.RpcError as e:
                report["bad_paxlst"] = {"code": e.code().name, "message": e.details()}

            stream = alerts_grpc.AlertServiceStub(channel).StreamAlerts(
                alerts.StreamAlertsRequest(after_seq=0), timeout=30
            )
            replayed = []
            for ev in stream:
                kind = ev.WhichOneof("event")
                if kind == "alert":
                    replayed.append({"alert_id": ev.alert.alert_id, "seq": ev.alert.seq,
                                     "entry_id": ev.alert.entry_id})
                elif kind == "caught_up":
                    break
            stream.cancel()
            report["stream_alerts"] = replayed

            stats = watchlist_grpc.WatchlistServiceStub(channel).GetStats(
                watchlist.GetStatsRequest(), timeout=30
            )
            report["stats"] = {"lists": dict(stats.lists), "indexed": stats.indexed}

        print(json.dumps(report))


if __name__ == "__main__":
    main()
