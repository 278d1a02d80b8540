"""Run one function on one event on the local AWS and print what it published, no Docker.

    make invoke FUNCTION=tracking EVENT=events/tracking-bounce.json
    python -m scripts.invoke inbound my-receipt.json --raw-mail mail.eml

The Docker-free counterpart of `sam local invoke`: template.yaml is deployed on the embedded
local AWS as `make demo` deploys it, the function's handler runs in-process on the event
(a Lambda SNS event, as in events/) with the environment the stack gave it, and the events
it put on the bus are read back through a rule and a queue and printed. The function's
logs go to stderr. Exit status 1 when the handler raised (Lambda would retry the event).
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.local_aws import (
    FUNCTION_LOGS,
    FunctionRunner,
    event_table,
    function_for,
    keep_raw_mail,
    load_handler_module,
    local_aws,
    read_all,
    readback_queue,
)
from scripts.local_deploy import ROOT, Function, LocalDeployment, deploy

RAW_MAIL_COPIES = ROOT / "invoke-raw-mail"


@dataclass
class InvokeResult:
    events: list[dict[str, Any]]  # what the function published, in order
    response: Any = None  # the handler's return value
    failures: list[str] = field(default_factory=list)  # what the handler raised


def run_invoke(
    function_name: str,
    event: dict[str, Any],
    *,
    raw_mail: bytes | None = None,
    keep_topic: bool = False,
    raw_mail_copies: Path = RAW_MAIL_COPIES,
    say: Any = print,
) -> InvokeResult:
    """Invoke the template's function ``function_name`` (tracking, inbound, or its logical id)
    on ``event``; ``raw_mail`` is stored where an S3-action receipt in the event says it is."""
    FUNCTION_LOGS.path, FUNCTION_LOGS.echo = None, sys.stderr
    with local_aws() as session:
        deployment = deploy(session)
        function = _function(deployment, function_name)
        event = copy.deepcopy(event)
        if not keep_topic:
            _from_the_stacks_topic(event, function, say)
        _store_receipt_objects(session, event, raw_mail, say)
        readback = readback_queue(
            session, function.environment["EVENT_BUS_NAME"], function.environment["EVENT_SOURCE"]
        )
        runner = FunctionRunner(function, "", load_handler_module(function))
        response = runner.invoke(event)
        events = read_all(session.client("sqs"), readback)
        kept = keep_raw_mail(session, events, raw_mail_copies, raw_mail_copies.parent)

    if events:
        say(event_table(events))
    for published in events:
        say(json.dumps(published, indent=2, ensure_ascii=False))
    say(f"{function.logical_id} returned {json.dumps(response)}")
    bus = function.environment["EVENT_BUS_NAME"]
    say(f"{len(events)} events published to {bus} (the local stack's bus)")
    if kept:
        say(f"Raw mail they point at is kept in {raw_mail_copies}/ (raw.local_copy)")
    for failure in runner.failures:
        say(f"FAILED invocation: {failure}")
    return InvokeResult(events, response, runner.failures)


def _function(deployment: LocalDeployment, name: str) -> Function:
    if name in deployment.functions:
        return deployment.functions[name]
    try:
        return function_for(deployment, name)
    except LookupError:
        known = [f.code_uri.name for f in deployment.functions.values()]
        known += list(deployment.functions)
        raise SystemExit(
            f"no function {name!r} in template.yaml; one of: {', '.join(known)}"
        ) from None


def _from_the_stacks_topic(event: dict[str, Any], function: Function, say: Any) -> None:
    """Samples name a topic of their own; the function accepts only its stack's topics."""
    [topic, *_] = function.sns_topics
    for record in event.get("Records") or []:
        sns = record.get("Sns") if isinstance(record, dict) else None
        if isinstance(sns, dict) and sns.get("TopicArn") not in function.sns_topics:
            say(f"Record from {sns.get('TopicArn')} delivered as from the stack's topic {topic}")
            sns["TopicArn"] = topic
            record["EventSubscriptionArn"] = f"{topic}:local-subscription"


def _store_receipt_objects(
    session: Any, event: dict[str, Any], raw_mail: bytes | None, say: Any
) -> None:
    """Put ``raw_mail`` where each S3-action receipt in the event says SES wrote it."""
    s3 = session.client("s3")
    for record in event.get("Records") or []:
        try:
            action = json.loads(record["Sns"]["Message"])["receipt"]["action"]
            bucket, key = action["bucketName"], action["objectKey"]
        except (KeyError, TypeError, ValueError):
            continue  # not an S3-action receipt: the mail, if any, is in the message
        if raw_mail is None:
            say(f"The receipt's mail is at s3://{bucket}/{key}: give it with --raw-mail FILE")
            continue
        if bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
            s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key=key, Body=raw_mail)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.invoke", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("function", help="tracking, inbound, or a function's logical id")
    parser.add_argument("event", type=Path, help="a Lambda SNS event (JSON), e.g. events/*.json")
    parser.add_argument(
        "--raw-mail",
        type=Path,
        help="the mail (RFC 5322 file) an S3-action receipt in the event points at",
    )
    parser.add_argument(
        "--keep-topic",
        action="store_true",
        help="leave the records' topic ARN as it is (the function then refuses other topics)",
    )
    args = parser.parse_args(argv)
    event = json.loads(args.event.read_text(encoding="utf-8"))
    raw_mail = args.raw_mail.read_bytes() if args.raw_mail else None
    result = run_invoke(args.function, event, raw_mail=raw_mail, keep_topic=args.keep_topic)
    return 1 if result.failures else 0


if __name__ == "__main__":
    sys.exit(main())
