"""Tracking function, as Lambda runs it: cold start, warm CPU per notification, PutEvents calls.

python -m bench tracking

Cold start and warm CPU run in the Lambda-like interpreter (``bench.lambda_env``): the
``sam build`` output, Python 3.13 with only boto3, no bytecode written at run time.
"""

from __future__ import annotations

import json
import math
import os
from datetime import UTC, datetime
from pathlib import Path

from bench.common import Result
from bench.lambda_env import (
    COLD_START_ROUNDS,
    cold_start_cpu,
    cold_start_instructions,
    probe,
)

ROOT = Path(__file__).resolve().parents[1]
FUNCTION = "TrackingFunction"
# The SNS samples: the figure compares against parsing SNS records (native events have none).
SAMPLES = sorted(
    p
    for p in (ROOT / "events").glob("tracking-*.json")
    if "Records" in json.loads(p.read_text(encoding="utf-8"))
)


def run() -> list[Result]:
    return [cold_start(), *cold_start_counted(), warm(), put_events_calls(25)]


def cpu_of(case: str, function: str | None = FUNCTION, **kwargs) -> float:
    return probe(case, function, **kwargs)[-1]["cpu"]


def cold_start() -> Result:
    handler, boto3 = cold_start_cpu(FUNCTION, "events")
    return Result(
        "cold start: tracking handler import + events client vs boto3 + events client",
        handler * 1e3,
        boto3 * 1e3,
        "ms CPU",
        limit=1.15,
        note=f"median of {COLD_START_ROUNDS} fresh interpreters each",
    )


def cold_start_counted() -> list[Result]:
    counts = cold_start_instructions(FUNCTION, "events")
    if counts is None:
        return []  # valgrind not installed: the CPU-time figure stands alone
    return [
        Result(
            "cold start, instructions: tracking handler import + events client vs boto3 + client",
            counts[0] / 1e6,
            counts[1] / 1e6,
            "M instructions",
            note="valgrind, one run each: no noise, no cache misses",
        )
    ]


def warm(rounds: int = 3) -> Result:
    samples = [json.loads(p.read_text()) for p in SAMPLES]
    stdin = json.dumps(samples)
    [dump, _] = probe("warm-tracking:handler", FUNCTION, stdin=stdin,
                      env={"BENCH_DUMP_ENTRIES": "1", "BENCH_ROUNDS": "1"})  # fmt: skip
    entries = [json.dumps(_as_written(json.loads(body)["Entries"])) for body in dump["entries"]]
    assert len(entries) == len(samples), "one PutEvents call per sample notification"
    env = {"BENCH_ENTRIES": json.dumps(entries), "BENCH_ROUNDS": "20"}
    ours = floor = float("inf")
    for _ in range(rounds):
        ours = min(ours, cpu_of("warm-tracking:handler", stdin=stdin, env=env))
        floor = min(floor, cpu_of("warm-tracking:floor", function=None, stdin=stdin, env=env))
    return Result(
        f"warm: tracking handler CPU per notification ({len(samples)} sample types)",
        ours * 1e6,
        floor * 1e6,
        "us",
        limit=1.5,
        note="vs parse the SNS record + bare boto3 put_events of the same entries; HTTP stubbed",
    )


def _as_written(entries: list[dict]) -> list[dict]:
    """The request entries as one writes them by hand: Time as the event's ISO text."""
    for entry in entries:
        if "Time" in entry:
            entry["Time"] = datetime.fromtimestamp(entry["Time"], UTC).isoformat()
    return entries


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
