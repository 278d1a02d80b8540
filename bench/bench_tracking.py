"""Tracking function benchmarks: cold-start import, warm CPU per notification, PutEvents calls.

python -m bench tracking
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from bench.common import Result, best_of, import_time, interleaved

ROOT = Path(__file__).resolve().parents[1]
# The sys.path Lambda gives the function: its own folder, then the layer's python/ folder.
_LAMBDA_PATH = [str(ROOT / "functions" / "tracking"), str(ROOT / "layers" / "sesbridge")]
_IMPORT_HANDLER = f"import sys; sys.path[:0] = {_LAMBDA_PATH!r}; import app"


def run() -> list[Result]:
    return [*cold_start(), *warm(), put_events_calls(25)]


def cold_start() -> list[Result]:
    handler, boto3 = interleaved(
        lambda: import_time(_IMPORT_HANDLER, repeat=5),
        lambda: import_time("import boto3", repeat=5),
        rounds=3,
    )
    both = import_time(_IMPORT_HANDLER + "; import boto3", repeat=5)
    return [
        Result("cold start: import handler vs import boto3", handler, boto3, "s", limit=1.15),
        Result(
            "cold start incl. boto3 (loaded on first invoke) vs import boto3",
            both,
            boto3,
            "s",
            note="informational: Powertools + sesbridge on top of boto3",
        ),
    ]


def warm() -> list[Result]:
    import sys

    sys.path[:0] = [p for p in _LAMBDA_PATH[1:] if p not in sys.path]
    return [_warm_one("bounce"), _warm_one("send")]


def _warm_one(name: str) -> Result:
    from sesbridge.sns import iter_notifications
    from sesbridge.tracking import tracking_entries

    record = json.loads((ROOT / "events" / f"tracking-{name}.json").read_text())["Records"][0]
    record_text = json.dumps(record)

    def sesbridge_path() -> None:
        event = {"Records": [json.loads(record_text)]}  # what the runtime parses for us
        [notification] = iter_notifications(event)
        for entry in tracking_entries(notification):
            entry.to_request_entry("sesbridge-bus", "sesbridge")

    details = [e.detail for e in tracking_entries(next(iter_notifications({"Records": [record]})))]

    def json_floor() -> None:
        parsed = json.loads(record_text)
        json.loads(parsed["Sns"]["Message"])
        for detail in details:
            json.dumps(detail)

    ours, floor = interleaved(
        lambda: best_of(sesbridge_path, number=300), lambda: best_of(json_floor, number=300)
    )
    return Result(
        f"warm CPU per notification ({name}, {len(details)} event(s)) vs JSON floor",
        ours * 1e6,
        floor * 1e6,
        "us",
        limit=2.0,
    )


def put_events_calls(n: int) -> Result:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    import boto3
    from moto import mock_aws
    from sesbridge.events.entries import EventEntry
    from sesbridge.publishing import EventBridgePublisher

    entries = [EventEntry("Email Tracking Event", {"n": i}) for i in range(n)]
    with mock_aws():
        client = boto3.client("events", region_name="us-east-1")
        client.create_event_bus(Name="bench")
        publisher = EventBridgePublisher("bench", client=client)
        publisher.publish(entries)
    return Result(
        f"PutEvents calls for {n} small entries vs ceil(n/10)",
        publisher.calls,
        math.ceil(n / 10),
        "calls",
        limit=1.0,
    )
