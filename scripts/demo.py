"""`make demo`: sesbridge end to end on a local AWS (a moto server), no account, no Docker.

1. starts moto as a real AWS endpoint on 127.0.0.1 (a free port) and points boto3 at it;
2. deploys template.yaml as a stack (scripts.local_deploy: aws-sam-translator, then moto's
   CloudFormation), plus a rule that delivers every sesbridge event on the bus to a queue
   this demo reads;
3. sends mail through the sender layer (`sesbridge.EmailMessage`);
4. plays SES: publishes the notifications SES would (send, delivery, a hard bounce in both
   formats, a complaint, an open, a delivery delay) and an inbound mail to the SNS topics;
5. delivers each SNS message to the tracking and inbound handlers as SNS invokes a Lambda
   (moto's SNS cannot run Lambdas without Docker: an SQS subscription bridges them);
6. prints what arrived on EventBridge, writes it as JSON lines, and exits 1 if an expected
   event is missing.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import logging
import os
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage as MimeMessage
from pathlib import Path
from types import ModuleType
from typing import Any

from scripts import ses_simulator
from scripts.local_deploy import ROOT, Function, LocalDeployment, deploy, describe

SENDER = "Shop <shop@example.com>"
TO = ["ana@example.net", "ben@example.net"]
CC = ["cy@example.net"]
OUTPUT = ROOT / "demo-events.jsonl"


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
        with _environment(overrides, remove=("AWS_PROFILE",)):
            import boto3

            yield boto3.session.Session(region_name=ses_simulator.REGION)
    finally:
        _reset(overrides["AWS_ENDPOINT_URL"])
        server.stop()


def _reset(endpoint: str) -> None:
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass


class _FunctionLogs(io.TextIOBase):
    """The functions' stdout during the demo (JSON logs, EMF metrics): a file, as CloudWatch
    Logs would hold them. One long-lived object, because a logger created on import keeps the
    stream it was given."""

    path: Path | None = None

    def write(self, text: str) -> int:
        if self.path is not None:
            with self.path.open("a", encoding="utf-8") as f:
                f.write(text)
        return len(text)


FUNCTION_LOGS = _FunctionLogs()


@dataclass
class _LambdaContext:
    """What a handler may read from Lambda's context object."""

    function_name: str
    memory_limit_in_mb: int = 256
    aws_request_id: str = "demo-request"
    invoked_function_arn: str = ""

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


@dataclass
class FunctionRunner:
    """Runs one template function in-process, fed by an SQS queue subscribed to its topics."""

    function: Function
    queue_url: str
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
                self.invoke(lambda_sns_event(json.loads(message["Body"])))
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])

    def invoke(self, event: dict[str, Any]) -> None:
        handler_name = self.function.handler.rsplit(".", 1)[1]
        context = _LambdaContext(function_name=self.function.name)
        with _environment(self.function.environment), contextlib.redirect_stdout(FUNCTION_LOGS):
            try:
                getattr(self.module, handler_name)(event, context)
            except Exception as error:  # a failed invocation: Lambda would retry it
                self.failures.append(f"{type(error).__name__}: {error}")
        self.invocations += 1


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
def _environment(variables: dict[str, str], remove: tuple[str, ...] = ()) -> Iterator[None]:
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
        with _environment(function.environment), contextlib.redirect_stdout(FUNCTION_LOGS):
            spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(function.code_uri))
    return module


def _bridge(session: Any, deployment: LocalDeployment) -> dict[str, FunctionRunner]:
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


def _readback_queue(session: Any, bus_name: str, source: str) -> str:
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


def _read_all(sqs: Any, url: str) -> list[dict[str, Any]]:
    found = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for message in messages:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


# What the demo must see on the bus: (event_type, recipient) pairs; None = any recipient.
def expected_events() -> set[tuple[str, str | None]]:
    everyone = [*TO, *CC]
    return (
        {("sent", r) for r in everyone}
        | {("opened", r) for r in everyone}
        | {("delivered", TO[0]), ("bounced", TO[1]), ("complained", TO[0]), ("deferred", CC[0])}
        | {("inbound", None), ("normalization error: not_json", None)}
    )


@dataclass
class DemoResult:
    events: list[dict[str, Any]]
    missing: list[tuple[str, str | None]]
    failures: list[str]
    output: Path

    @property
    def ok(self) -> bool:
        return not self.missing and not self.failures


def _function_for(deployment: LocalDeployment, folder: str) -> Function:
    for function in deployment.functions.values():
        if function.code_uri.name == folder:
            return function
    raise LookupError(f"template.yaml has no function with CodeUri functions/{folder}/")


def _send_mail(session: Any, say: Any) -> ses_simulator.SentMail:
    from moto.ses.models import ses_backends
    from sesbridge import EmailMessage, Sender

    sender = Sender()  # settings from the environment, a client built on the first send
    message = EmailMessage(
        subject="Welcome to the demo shop",
        body="Hello! Your account is ready.",
        from_email=SENDER,
        to=TO,
        cc=CC,
        tags=["welcome"],
        metadata={"user_id": "42", "plan": "trial"},
    )
    message.attach_alternative("<p>Hello! Your account is <b>ready</b>.</p>", "text/html")
    status = message.send(sender=sender)
    say(f"\nSent '{message.subject}': message id {status.message_id}, status {status.status}")
    backend = ses_backends[ses_simulator.ACCOUNT_ID][ses_simulator.REGION]
    received = next(m for m in backend.sent_messages if m.id == status.message_id)
    raw = received.raw_data.encode() if isinstance(received.raw_data, str) else received.raw_data
    mail = ses_simulator.SentMail(status.message_id, raw, [*TO, *CC], datetime.now(UTC))
    say("What SES received (SendEmail, raw MIME):")
    say(f"  destinations: {', '.join(dict.fromkeys(received.destinations))}")
    for name in ("From", "To", "Cc", "Subject", "X-Tag", "X-Metadata"):
        for value in mail.parsed.get_all(name) or []:
            say(f"  {name}: {value}")
    say(f"  size: {len(raw)} bytes, bcc never in the MIME")
    return mail


def _templated_send(say: Any) -> None:
    """moto lacks SendBulkEmail, so the templated send runs against botocore's Stubber."""
    import boto3
    from botocore.stub import ANY, Stubber
    from sesbridge import EmailMessage, Sender

    client = boto3.client("sesv2")
    recipients = ["dee@example.net", "eli@example.net"]
    with Stubber(client) as stub:
        stub.add_response(
            "send_bulk_email",
            {
                "BulkEmailEntryResults": [
                    {"Status": "SUCCESS", "MessageId": f"bulk-{i}"} for i in range(len(recipients))
                ]
            },
            {"FromEmailAddress": ANY, "DefaultContent": ANY, "BulkEmailEntries": ANY},
        )
        message = EmailMessage(
            from_email=SENDER,
            to=recipients,
            template_id="weekly-digest",
            merge_data={r: {"name": r.split("@")[0].title()} for r in recipients},
            merge_global_data={"week": "48"},
        )
        status = message.send(sender=Sender(client=client))
    say("\nTemplated bulk send (moto has no SendBulkEmail: answered by botocore's Stubber):")
    for address, recipient in status.recipients.items():
        say(f"  {address}: {recipient.status} ({recipient.message_id})")


def _inbound_mail(session: Any, deployment: LocalDeployment, topic_arn: str) -> dict[str, Any]:
    inbound = _function_for(deployment, "inbound")
    bucket = inbound.environment["RAW_MAIL_BUCKET"]
    mime = MimeMessage()
    mime["From"] = "Ana Example <ana@example.net>"
    mime["To"] = "support@example.com"
    mime["Subject"] = "Question about invoice n° 1234"
    mime["Date"] = "Tue, 24 Nov 2026 10:00:00 +0000"
    mime["Message-ID"] = "<demo-inbound-1@example.net>"
    mime["Return-Path"] = "<ana@example.net>"
    mime.set_content("Hi, the attached invoice shows the wrong address.")
    mime.add_attachment(
        b"%PDF-1.4 demo invoice\n",
        maintype="application",
        subtype="pdf",
        filename="invoice-1234.pdf",
    )
    raw = mime.as_bytes()
    key = f"inbound/{ses_simulator.new_inbound_message_id()}"
    session.client("s3").put_object(Bucket=bucket, Key=key, Body=raw)
    return ses_simulator.received_notification(
        raw=raw,
        bucket=bucket,
        key=key,
        recipients=["support@example.com"],
        topic_arn=topic_arn,
        received_at=datetime.now(UTC),
    )


def run_demo(output: Path = OUTPUT, say: Any = print) -> DemoResult:
    started = time.monotonic()
    FUNCTION_LOGS.path = output.with_name(output.stem + "-function-logs.jsonl")
    FUNCTION_LOGS.path.write_text("", encoding="utf-8")
    with local_aws() as session:
        say(f"Local AWS (moto server) at {os.environ['AWS_ENDPOINT_URL']}")
        deployment = deploy(session)
        say("Created from template.yaml:\n" + describe(deployment))
        tracking = _function_for(deployment, "tracking")
        bus, source = tracking.environment["EVENT_BUS_NAME"], tracking.environment["EVENT_SOURCE"]
        readback = _readback_queue(session, bus, source)
        runners = _bridge(session, deployment)
        session.client("sesv2").create_email_identity(EmailIdentity="example.com")

        mail = _send_mail(session, say)
        _templated_send(say)

        sns = session.client("sns")
        tracking_topic = tracking.sns_topics[0]
        ses_messages = [
            "Successfully validated SNS topic for Amazon SES event publishing.",
            mail.send_event(),
            mail.delivery_event(TO[0]),
            mail.bounce_event(TO[1]),
            mail.bounce_notification(TO[1]),  # the same bounce, "SES Notifications" format
            mail.complaint_event(TO[0]),
            mail.open_event(),
            mail.delivery_delay_event(CC[0]),
            "<html>a proxy error page, not an SES event</html>",  # -> an error event, kept
        ]
        for message in ses_messages:
            text = message if isinstance(message, str) else json.dumps(message)
            sns.publish(TopicArn=tracking_topic, Message=text)
        inbound_topic = _function_for(deployment, "inbound").sns_topics[0]
        sns.publish(
            TopicArn=inbound_topic,
            Message=json.dumps(_inbound_mail(session, deployment, inbound_topic)),
        )
        say(
            f"\nPlayed SES: {len(ses_messages)} messages to the tracking topic, "
            "1 inbound mail (S3 action) to the inbound topic"
        )

        sqs = session.client("sqs")
        for runner in runners.values():
            runner.drain(sqs)
            say(f"  {runner.function.logical_id}: {runner.invocations} invocations")
        events = _read_all(sqs, readback)
        failures = [f"{r.function.logical_id}: {f}" for r in runners.values() for f in r.failures]

    with output.open("w", encoding="utf-8") as f:
        for event in events:
            f.write(json.dumps(event, ensure_ascii=False) + "\n")
    seen = {(_kind(e), e["detail"].get("recipient")) for e in events}
    seen |= {(kind, None) for kind, _ in seen}
    missing = sorted(expected_events() - seen, key=str)
    say("\n" + event_table(events))
    _say_dedupe(events, say)
    say(f"\n{len(events)} events on EventBridge; full events in {output}")
    say(f"The functions' logs and metrics: {FUNCTION_LOGS.path}")
    for failure in failures:
        say(f"FAILED invocation: {failure}")
    for kind, recipient in missing:
        say(f"MISSING: {kind} event for {recipient or 'any recipient'}")
    say(f"Done in {time.monotonic() - started:.1f}s")
    return DemoResult(events, missing, failures, output)


def _kind(event: dict[str, Any]) -> str:
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
                _kind(event),
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


def _say_dedupe(events: list[dict[str, Any]], say: Any) -> None:
    bounces = [e["detail"] for e in events if e["detail"].get("event_type") == "bounced"]
    ids = {b["event_id"] for b in bounces}
    if len(bounces) > 1 and len(ids) == 1:
        say(
            f"The bounce arrived in both SES formats: {len(bounces)} events, one event_id "
            f"({next(iter(ids))[:16]}...): consumers dedupe on it."
        )


def main() -> int:
    result = run_demo(OUTPUT, print)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
