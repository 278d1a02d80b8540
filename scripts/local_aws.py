"""The embedded local AWS the demo and `scripts.invoke` run on, no account, no Docker.

A moto server on 127.0.0.1 with boto3 pointed at it, template.yaml deployed on it as a stack
(scripts.local_deploy), the functions' handlers run in-process as Lambda would run them, and
what they publish read back from the bus through a rule and a queue.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import logging
import os
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import Any

from scripts import ses_simulator
from scripts.local_deploy import Function, LocalDeployment


@contextlib.contextmanager
def local_aws() -> Iterator[Any]:
    """A moto server on a free local port, with boto3 pointed at it, for the block's duration."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    overrides = {
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
        "AWS_ACCESS_KEY_ID": "demo",
        "AWS_SECRET_ACCESS_KEY": "demo",
        "AWS_DEFAULT_REGION": ses_simulator.REGION,
        "AWS_REGION": ses_simulator.REGION,
        "POWERTOOLS_METRICS_DISABLED": "true",  # keep the demo's output readable
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    # moto keeps its state per process: start each run from an empty account.
    _reset(overrides["AWS_ENDPOINT_URL"])
    try:
        with environment(overrides, remove=("AWS_PROFILE",)):
            import boto3

            yield boto3.session.Session(region_name=ses_simulator.REGION)
    finally:
        _reset(overrides["AWS_ENDPOINT_URL"])
        server.stop()


def _reset(endpoint: str) -> None:
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass


class FunctionLogs(io.TextIOBase):
    """The functions' stdout during a local run (JSON logs, EMF metrics): a file, as CloudWatch
    Logs would hold them, and/or a stream. One long-lived object, because a logger created on
    import keeps the stream it was given."""

    path: Path | None = None
    echo: Any = None  # or a stream to copy them to (stderr)

    def write(self, text: str) -> int:
        if self.path is not None:
            with self.path.open("a", encoding="utf-8") as f:
                f.write(text)
        if self.echo is not None:
            self.echo.write(text)
        return len(text)


FUNCTION_LOGS = FunctionLogs()


@dataclass
class LambdaContext:
    """What a handler may read from Lambda's context object."""

    function_name: str
    memory_limit_in_mb: int = 256
    aws_request_id: str = "demo-request"
    invoked_function_arn: str = ""

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


@dataclass
class FunctionRunner:
    """Runs one template function in-process, fed by an SQS queue subscribed to its topics
    (and, in the demo, targeted by its EventBridge rule)."""

    function: Function
    queue_url: str  # "" when invoked directly
    module: ModuleType
    invocations: int = 0
    failures: list[str] = field(default_factory=list)

    def drain(self, sqs: Any) -> None:
        while True:
            messages = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get(
                "Messages", []
            )
            if not messages:
                return
            for message in messages:
                self.invoke(lambda_event(json.loads(message["Body"])))
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])

    def invoke(self, event: dict[str, Any]) -> Any:
        """The handler's return value; None when it raised (the error is in ``failures``)."""
        handler_name = self.function.handler.rsplit(".", 1)[1]
        context = LambdaContext(function_name=self.function.name)
        self.invocations += 1
        with environment(self.function.environment), contextlib.redirect_stdout(FUNCTION_LOGS):
            _log_sesbridge_as(self.module)
            try:
                return getattr(self.module, handler_name)(event, context)
            except Exception as error:  # a failed invocation: Lambda would retry it
                self.failures.append(f"{type(error).__name__}: {error}")
                return None


def _log_sesbridge_as(module: ModuleType) -> None:
    """Give sesbridge's loggers the invoked function's log configuration. In Lambda each
    function has a process of its own; here they share one, so the handler loaded last
    would otherwise label every sesbridge record with its service."""
    logger = getattr(module, "logger", None)
    if logger is not None:
        from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

        copy_config_to_registered_loggers(source_logger=logger, include={"sesbridge"})


def lambda_event(body: dict[str, Any]) -> dict[str, Any]:
    """The Lambda event for one bridged message: an EventBridge event (a rule's SQS target
    delivers it as Lambda would) as it is, an SNS envelope as SNS invokes a Lambda."""
    return body if "detail-type" in body else lambda_sns_event(body)


def lambda_sns_event(envelope: dict[str, Any]) -> dict[str, Any]:
    """The Lambda event for one SNS message, from the JSON envelope SNS delivers to SQS."""
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{envelope['TopicArn']}:demo-subscription",
                "Sns": {
                    "Type": envelope.get("Type", "Notification"),
                    "MessageId": envelope["MessageId"],
                    "TopicArn": envelope["TopicArn"],
                    "Subject": envelope.get("Subject"),
                    "Message": envelope["Message"],
                    "Timestamp": envelope["Timestamp"],
                    "SignatureVersion": envelope.get("SignatureVersion", "1"),
                    "Signature": envelope.get("Signature", ""),
                    "SigningCertUrl": envelope.get("SigningCertURL", ""),
                    "UnsubscribeUrl": envelope.get("UnsubscribeURL", ""),
                    "MessageAttributes": envelope.get("MessageAttributes", {}),
                },
            }
        ]
    }


@contextlib.contextmanager
def environment(variables: dict[str, str], remove: tuple[str, ...] = ()) -> Iterator[None]:
    """Set (and unset) environment variables for the block, then put them back."""
    saved = {name: os.environ.get(name) for name in [*variables, *remove]}
    os.environ.update(variables)
    for name in remove:
        os.environ.pop(name, None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def load_handler_module(function: Function) -> ModuleType:
    """Import a function's handler file under a unique name (each folder has its own app.py)."""
    module_file = function.code_uri / (function.handler.rsplit(".", 1)[0] + ".py")
    name = f"sesbridge_demo_{function.logical_id}"
    spec = importlib.util.spec_from_file_location(name, module_file)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look the module up by name
    sys.path.insert(0, str(function.code_uri))
    try:
        with environment(function.environment), contextlib.redirect_stdout(FUNCTION_LOGS):
            spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(function.code_uri))
    return module


def bridge(session: Any, deployment: LocalDeployment) -> dict[str, FunctionRunner]:
    sns, sqs = session.client("sns"), session.client("sqs")
    runners = {}
    for function in deployment.functions.values():
        url = sqs.create_queue(QueueName=f"demo-bridge-{function.logical_id}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        for topic_arn in function.sns_topics:
            sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn)
        runners[function.logical_id] = FunctionRunner(function, url, load_handler_module(function))
    return runners


def readback_queue(session: Any, bus_name: str, source: str) -> str:
    events, sqs = session.client("events"), session.client("sqs")
    url = sqs.create_queue(QueueName="demo-readback")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(
        Name="demo-all-sesbridge-events",
        EventBusName=bus_name,
        EventPattern=json.dumps({"source": [source]}),
    )
    events.put_targets(
        Rule="demo-all-sesbridge-events",
        EventBusName=bus_name,
        Targets=[{"Id": "demo-readback", "Arn": arn}],
    )
    return url


def read_all(sqs: Any, url: str) -> list[dict[str, Any]]:
    found = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for message in messages:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def keep_raw_mail(
    session: Any, events: list[dict[str, Any]], folder: Path, relative_to: Path
) -> list[Path]:
    """Copy the raw mail each event points at (detail.raw: bucket and key) out of the local
    bucket into ``folder``, and add the copy's path (relative to ``relative_to``) to the
    pointer as raw.local_copy: the bucket goes with the local server."""
    s3, kept = session.client("s3"), []
    for event in events:
        raw = event["detail"].get("raw")
        if not isinstance(raw, dict) or "bucket" not in raw or "key" not in raw:
            continue
        parts = [p for p in PurePosixPath(raw["key"]).parts if p not in ("/", ".", "..")]
        path = folder.joinpath(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(s3.get_object(Bucket=raw["bucket"], Key=raw["key"])["Body"].read())
        raw["local_copy"] = path.relative_to(relative_to).as_posix()
        kept.append(path)
    return kept


def function_for(deployment: LocalDeployment, folder: str) -> Function:
    """The template's function whose code is in functions/<folder>/."""
    for function in deployment.functions.values():
        if function.code_uri.name == folder:
            return function
    raise LookupError(f"template.yaml has no function with CodeUri functions/{folder}/")


def event_kind(event: dict[str, Any]) -> str:
    detail = event["detail"]
    if "event_type" in detail:
        return detail["event_type"]
    return f"normalization error: {detail.get('error_type')}"


def event_table(events: list[dict[str, Any]]) -> str:
    rows = [("detail-type", "event_type", "recipient", "tags", "metadata", "message_id")]
    for event in events:
        detail = event["detail"]
        message = detail.get("message") or {}
        rows.append(
            (
                event["detail-type"],
                event_kind(event),
                str(detail.get("recipient") or message.get("envelope_recipient") or ""),
                ",".join(detail.get("tags") or []),
                json.dumps(detail.get("metadata") or {}, ensure_ascii=False)
                if "metadata" in detail
                else "",
                str(detail.get("message_id") or detail.get("event_id") or "")[:24],
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
