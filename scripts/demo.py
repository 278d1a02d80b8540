"""`make demo`: sesbridge end to end on a local AWS (a moto server), no account, no Docker.

1. starts moto as a real AWS endpoint on 127.0.0.1 (a free port) and points boto3 at it;
2. deploys template.yaml as a stack (scripts.local_deploy: aws-sam-translator, then moto's
   CloudFormation), plus a rule that delivers every sesbridge event on the bus to a queue
   this demo reads;
3. sends mail through the sender layer (`sesbridge.EmailMessage`), and schedules mail
   (`send_at`): moto stores schedules without running them, so the demo plays Scheduler
   when they are due (`sesbridge.testing.fire_schedule`), the large one through the
   scheduled-send function;
4. plays SES: publishes the notifications SES would (send, delivery, a hard bounce in both
   formats, a complaint, an open, a delivery delay) and an inbound mail to the SNS topics;
5. plays SES's own EventBridge events (the stack takes both tracking inputs): a delivery, the
   same one SNS carried, and "Sending Status Disabled" on the default bus;
6. delivers each SNS message to the tracking and inbound handlers as SNS invokes a Lambda,
   and each event the native events rule matches to the tracking handler (moto cannot run
   Lambdas without Docker: SQS queues bridge them);
7. prints what arrived on EventBridge, writes it as JSON lines, and exits 1 if an expected
   event is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage as MimeMessage
from pathlib import Path
from typing import Any

from scripts import ses_simulator
from scripts.local_aws import (
    FUNCTION_LOGS,
    bridge,
    event_kind,
    event_table,
    function_for,
    keep_raw_mail,
    local_aws,
    read_all,
    readback_queue,
)
from scripts.local_deploy import ROOT, LocalDeployment, deploy, describe

SENDER = "Shop <shop@example.com>"
TO = ["ana@example.net", "ben@example.net"]
CC = ["cy@example.net"]
SCHEDULED = "fay@example.net"  # a scheduled send, fired by the demo
SCHEDULED_LARGE = "gus@example.net"  # one too large for a schedule: S3 and the function
OUTPUT = ROOT / "demo-events.jsonl"
# Where replies to the welcome mail go: the mailbox hash names the account.
REPLY_TO = "support+account-42@example.com"


# What the demo must see on the bus: (event_type, recipient) pairs; None = any recipient.
def expected_events() -> set[tuple[str, str | None]]:
    everyone = [*TO, *CC]
    return (
        {("sent", r) for r in everyone}
        | {("opened", r) for r in everyone}
        | {("delivered", TO[0]), ("bounced", TO[1]), ("complained", TO[0]), ("deferred", CC[0])}
        | {("sent", SCHEDULED), ("sent", SCHEDULED_LARGE)}
        | {("inbound", None), ("normalization error: not_json", None)}
        | {("sending_disabled", None)}
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


def _send_mail(session: Any, say: Any) -> tuple[ses_simulator.SentMail, str]:
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
    say(f"  Message-ID recipients see (SES rewrites it): {status.message_id_header}")
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
    return mail, status.message_id_header


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


def _scheduled_sends(
    deployment: LocalDeployment, scheduled_send: Any, say: Any
) -> list[ses_simulator.SentMail]:
    """Schedule three sends (one cancelled, one too large for a schedule), then play
    Scheduler running the other two when due; returns the mails SES then sent."""
    from datetime import timedelta

    from moto.ses.models import ses_backends
    from sesbridge import (
        EmailMessage,
        Sender,
        SenderSettings,
        cancel_scheduled,
        get_default_sender,
    )
    from sesbridge.sending.schedule import MAX_SCHEDULE_INPUT
    from sesbridge.testing import fire_schedule

    outputs = deployment.outputs
    sender = Sender(
        SenderSettings(
            schedule_group=outputs["ScheduleGroupName"],
            scheduler_role_arn=outputs["SchedulerRoleArn"],
            schedule_dead_letter_queue_arn=outputs["ScheduledSendDeadLetterQueueArn"],
            schedule_bucket=outputs["ScheduledMailBucketName"],
            scheduled_send_function_arn=outputs["ScheduledSendFunctionArn"],
        )
    )
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    group = outputs["ScheduleGroupName"]
    say(f"\nScheduled sends (send_at {tomorrow:%Y-%m-%d %H:%M} UTC, schedule group {group}):")
    ids = {}
    for address, size in (
        (SCHEDULED, 0),
        (SCHEDULED_LARGE, MAX_SCHEDULE_INPUT),
        ("hal@example.net", 0),
    ):
        message = EmailMessage(
            "Your appointment is tomorrow", "See you at 9.", SENDER, [address],
            tags=["reminder"], metadata={"appointment": address[:3]}, send_at=tomorrow,
            idempotency_key=f"reminder-{address}", tenant="clinic-north",
        )  # fmt: skip
        if size:
            message.attach("scan.pdf", b"%PDF-1.4 " + bytes(size), "application/pdf")
        status = message.send(sender)
        ids[address] = status.recipients[address].schedule_id
        again = message.send(sender).recipients[address].schedule_id  # same key: same schedule
        say(
            f"  {address}: {status.status}, id {ids[address]} (sent again: {again == ids[address]})"
        )
    say(f"  hal@example.net cancelled: {cancel_scheduled(ids.pop('hal@example.net'), sender)}")
    scheduler = sender.service_client("scheduler")
    for address, schedule_id in ids.items():
        group, _, name = schedule_id.partition("/")
        target = scheduler.get_schedule(Name=name, GroupName=group)["Target"]
        say(f"  stored for {address}: target {target['Arn']}, input {len(target['Input'])} chars")
        if ":aws-sdk:" in target["Arn"]:
            say(f"    TenantName in the fixed request: {json.loads(target['Input'])['TenantName']}")

    get_default_sender.cache_clear()  # the function builds its sender on this endpoint
    backend = ses_backends[ses_simulator.ACCOUNT_ID][ses_simulator.REGION]
    mails = []
    for address, schedule_id in ids.items():
        response = fire_schedule(
            schedule_id, sender, invoke=lambda _arn, event: scheduled_send.invoke(event)
        )
        message_id = response.get("MessageId") or response.get("message_id")
        received = next(m for m in backend.sent_messages if m.id == message_id)
        raw = (
            received.raw_data.encode() if isinstance(received.raw_data, str) else received.raw_data
        )
        mails.append(ses_simulator.SentMail(message_id, raw, [address], datetime.now(UTC)))
        say(f"  due: played Scheduler for {address}: SES message id {message_id}")
    return mails


def _inbound_mail(session: Any, deployment: LocalDeployment, topic_arn: str) -> dict[str, Any]:
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
    return _received(session, deployment, topic_arn, mime, "support@example.com")


# What Ana wrote above the quote of the welcome mail: the event's stripped_text.
REPLY_TEXT = "Thanks! Which plan am I on?\n\nAna"


def _reply(
    session: Any, deployment: LocalDeployment, topic_arn: str, in_reply_to: str
) -> dict[str, Any]:
    """Ana's reply to the welcome mail: her client names the Message-ID she saw (SES's)."""
    mime = MimeMessage()
    mime["From"] = "Ana Example <ana@example.net>"
    mime["To"] = REPLY_TO
    mime["Subject"] = "Re: Welcome to the demo shop"
    mime["Date"] = "Tue, 24 Nov 2026 10:05:00 +0000"
    mime["Message-ID"] = "<demo-reply-1@example.net>"
    mime["In-Reply-To"] = in_reply_to
    mime["References"] = in_reply_to
    mime["Return-Path"] = "<ana@example.net>"
    mime.set_content(
        REPLY_TEXT + "\n\nOn Tue, 24 Nov 2026 at 10:00, Demo Shop <shop@example.com> wrote:\n"
        "> Hello! Your account is ready.\n"
    )
    return _received(session, deployment, topic_arn, mime, REPLY_TO)


def _received(
    session: Any, deployment: LocalDeployment, topic_arn: str, mime: MimeMessage, to: str
) -> dict[str, Any]:
    bucket = function_for(deployment, "inbound").environment["RAW_MAIL_BUCKET"]
    raw = mime.as_bytes()
    key = f"inbound/{ses_simulator.new_inbound_message_id()}"
    session.client("s3").put_object(Bucket=bucket, Key=key, Body=raw)
    return ses_simulator.received_notification(
        raw=raw,
        bucket=bucket,
        key=key,
        recipients=[to],
        topic_arn=topic_arn,
        received_at=datetime.now(UTC),
    )


def run_demo(output: Path = OUTPUT, say: Any = print) -> DemoResult:
    started = time.monotonic()
    FUNCTION_LOGS.path = output.with_name(output.stem + "-function-logs.jsonl")
    FUNCTION_LOGS.path.write_text("", encoding="utf-8")
    FUNCTION_LOGS.echo = None
    with local_aws() as session:
        say(f"Local AWS (moto server) at {os.environ['AWS_ENDPOINT_URL']}")
        deployment = deploy(session, parameters={"TrackingInput": "both"})
        say("Created from template.yaml:\n" + describe(deployment))
        tracking = function_for(deployment, "tracking")
        bus, source = tracking.environment["EVENT_BUS_NAME"], tracking.environment["EVENT_SOURCE"]
        readback = readback_queue(session, bus, source)
        runners = bridge(session, deployment)
        _bridge_native_events(session, deployment, runners[tracking.logical_id].queue_url)
        session.client("sesv2").create_email_identity(EmailIdentity="example.com")

        mail, message_id_header = _send_mail(session, say)
        _templated_send(say)
        scheduled = _scheduled_sends(deployment, runners["ScheduledSendFunction"], say)

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
            *(m.send_event() for m in scheduled),
        ]
        for message in ses_messages:
            text = message if isinstance(message, str) else json.dumps(message)
            sns.publish(TopicArn=tracking_topic, Message=text)
        _play_native_events(session, mail.delivery_event(TO[0]))
        inbound_topic = function_for(deployment, "inbound").sns_topics[0]
        for received in (
            _inbound_mail(session, deployment, inbound_topic),
            _reply(session, deployment, inbound_topic, message_id_header),
        ):
            sns.publish(TopicArn=inbound_topic, Message=json.dumps(received))
        say(
            f"\nPlayed SES: {len(ses_messages)} messages to the tracking topic, "
            "2 events on the default bus (Email Delivered, Sending Status Disabled), "
            "2 inbound mails (S3 action) to the inbound topic, one a reply to the welcome mail"
        )

        sqs = session.client("sqs")
        for runner in runners.values():
            runner.drain(sqs)
            say(f"  {runner.function.logical_id}: {runner.invocations} invocations")
        events = read_all(sqs, readback)
        failures = [f"{r.function.logical_id}: {f}" for r in runners.values() for f in r.failures]
        raw_mail = output.with_name(output.stem + "-raw-mail")
        shutil.rmtree(raw_mail, ignore_errors=True)
        kept = keep_raw_mail(session, events, raw_mail, output.parent)

    with output.open("w", encoding="utf-8") as f:
        for event in events:
            f.write(json.dumps(event, ensure_ascii=False) + "\n")
    seen = {(event_kind(e), e["detail"].get("recipient")) for e in events}
    seen |= {(kind, None) for kind, _ in seen}
    missing = sorted(expected_events() - seen, key=str)
    say("\n" + event_table(events))
    _say_dedupe(events, say)
    failures += _say_reply_joined(events, mail.message_id, say)
    say(f"\n{len(events)} events on EventBridge; full events in {output}")
    if kept:
        say(
            f"The raw mail they point at (detail.raw) is kept in {raw_mail}/ and named in"
            " raw.local_copy: raw.bucket and raw.key were the local server's, gone with it."
        )
    say(f"The functions' logs and metrics: {FUNCTION_LOGS.path}")
    for failure in failures:
        say(f"FAILED invocation: {failure}")
    for kind, recipient in missing:
        say(f"MISSING: {kind} event for {recipient or 'any recipient'}")
    say(f"Done in {time.monotonic() - started:.1f}s")
    return DemoResult(events, missing, failures, output)


def _bridge_native_events(session: Any, deployment: LocalDeployment, queue_url: str) -> None:
    """Point the template's native events rule at the tracking function's bridge queue
    instead of the function, which moto cannot invoke without Docker."""
    events, sqs = session.client("events"), session.client("sqs")
    rule = deployment.ref("NativeEventsRule")
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    targets = events.list_targets_by_rule(Rule=rule)["Targets"]
    events.remove_targets(Rule=rule, Ids=[t["Id"] for t in targets])
    events.put_targets(Rule=rule, Targets=[{"Id": "demo-bridge", "Arn": queue_arn}])


def _play_native_events(session: Any, delivery: dict[str, Any]) -> None:
    """What SES's EventBridge destination and account monitoring put on the default bus."""
    session.client("events").put_events(
        Entries=[
            {
                "Source": "aws.ses",
                "DetailType": "Email Delivered",
                "Detail": json.dumps(delivery),
                "Resources": [],
            },
            {
                "Source": "aws.ses",
                "DetailType": "Sending Status Disabled",
                "Detail": json.dumps({"description": "sending paused (played by the demo)"}),
                "Resources": [],
            },
        ]
    )


def _say_dedupe(events: list[dict[str, Any]], say: Any) -> None:
    bounces = [e["detail"] for e in events if e["detail"].get("event_type") == "bounced"]
    ids = {b["event_id"] for b in bounces}
    if len(bounces) > 1 and len(ids) == 1:
        say(
            f"The bounce arrived in both SES formats: {len(bounces)} events, one event_id "
            f"({next(iter(ids))[:16]}...): consumers dedupe on it."
        )
    deliveries = [e for e in events if e["detail"].get("event_type") == "delivered"]
    if len({d["detail"]["event_id"] for d in deliveries}) == 1 < len(deliveries):
        say(
            f"The delivery arrived through SNS and as SES's own EventBridge event: "
            f"{len(deliveries)} events, one event_id."
        )


def _say_reply_joined(events: list[dict[str, Any]], sent_id: str, say: Any) -> list[str]:
    """Join the reply to the send by reply_to_message_id; the failures when it does not."""
    replies = [
        e["detail"]["message"]
        for e in events
        if e["detail-type"] == "Email Inbound Event"
        and e["detail"]["message"].get("reply_to_message_id")
    ]
    sent = {e["detail"]["message_id"]: e["detail"] for e in events if event_kind(e) == "sent"}
    if len(replies) != 1 or replies[0]["reply_to_message_id"] != sent_id or sent_id not in sent:
        return [f"the reply was not joined to the send {sent_id}: {replies!r:.300}"]
    reply, send = replies[0], sent[sent_id]
    if reply.get("stripped_text") != REPLY_TEXT:
        return [f"the reply's stripped_text is {reply.get('stripped_text')!r}, not {REPLY_TEXT!r}"]
    say(
        f"\nReply {reply['message_id']} joined to the send by reply_to_message_id"
        f" {sent_id[:16]}...: tags {send['tags']}, metadata {send['metadata']};"
        f" mailbox_hash {reply['mailbox_hash']!r}, authenticated {reply['authenticated']},"
        f" thread_id {reply['thread_id']};\n  its new text without the quote (stripped_text):"
        f" {reply['stripped_text']!r}"
    )
    return []


def main() -> int:
    result = run_demo(OUTPUT, print)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
