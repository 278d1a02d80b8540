"""A django-anymail app, ported: the same code with only the renames README's migration
table lists (``RENAMES`` below; a test checks the table has each row).

The app sends a receipt (tags, metadata, a file attachment) and a template newsletter,
suppresses bounced recipients, and files inbound mail as tickets. Its sends run against
``sesbridge.testing.outbox()``; its handlers get events the real functions published.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from sesbridge import EmailMessage, load_message
from sesbridge.events import TrackingEvent
from sesbridge.testing import outbox

from scripts import invoke
from tests.conftest import load_json

ROOT = Path(__file__).resolve().parents[2]

# What the port renamed: anymail's name -> sesbridge's, each a row of README's table.
RENAMES = {
    "anymail.message.AnymailMessage": "sesbridge.EmailMessage",
    "message.anymail_status": "status = message.send()",
    "anymail.signals.tracking": "Email Tracking Event",
    "AnymailTrackingEvent": "sesbridge.events.TrackingEvent.from_eventbridge(event)",
    "anymail.signals.inbound": "Email Inbound Event",
    "AnymailInboundEvent.message": "sesbridge.load_message(event)",
    "django.core.mail.outbox": "sesbridge.testing.outbox()",
}

# -- the app (anymail's code, renamed) --

suppressed: list[tuple[str, list[str], Any]] = []
tickets: list[dict[str, Any]] = []


def send_receipt(order_id: str, customer: str, invoice: Path) -> Any:
    message = EmailMessage(  # was AnymailMessage
        subject=f"Your order {order_id}",
        body="Thanks for your order.",
        from_email="Shop <shop@example.com>",
        to=[customer],
        tags=["orders", "receipt"],
        metadata={"order_id": order_id},
    )
    message.attach_file(invoice)
    return message.send()  # was message.send(); message.anymail_status


def send_newsletter(readers: dict[str, str]) -> Any:
    message = EmailMessage(from_email="news@example.com", to=list(readers))
    message.template_id = "newsletter"
    message.merge_data = {address: {"name": name} for address, name in readers.items()}
    message.merge_global_data = {"issue": "December"}
    return message.send()


def on_bounce(event: dict[str, Any], context: Any = None) -> None:
    # was: @receiver(tracking) def on_bounce(sender, event, esp_name, **kwargs)
    event = TrackingEvent.from_eventbridge(event)
    if event.event_type == "bounced":
        suppressed.append((event.recipient, event.tags, event.timestamp))


def on_inbound(event: dict[str, Any], context: Any = None, s3_client: Any = None) -> None:
    # was: @receiver(inbound) def on_inbound(sender, event, esp_name, **kwargs)
    message = load_message(event, s3_client=s3_client)  # was event.message
    tickets.append(
        {
            "from": message.from_email.addr_spec,
            "subject": message.subject,
            "files": {a.get_filename(): a.get_content_bytes() for a in message.attachments},
        }
    )


# -- its tests --


@pytest.fixture(autouse=True)
def fresh_app_state() -> None:
    suppressed.clear()
    tickets.clear()


def test_the_receipt_goes_out_with_tags_metadata_and_the_file(tmp_path: Path) -> None:
    invoice = tmp_path / "invoice-1234.pdf"
    invoice.write_bytes(b"%PDF-1.4 invoice")
    with outbox() as sent:  # was django.core.mail.outbox
        status = send_receipt("1234", "customer@example.net", invoice)
    (mail,) = sent
    assert status.recipients["customer@example.net"].status == "queued"
    mime = mail.mime()
    assert mime.get_all("X-Tag") == ["orders", "receipt"]
    assert json.loads(mime["X-Metadata"]) == {"order_id": "1234"}
    (attachment,) = mime.iter_attachments()
    assert attachment.get_filename() == "invoice-1234.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == b"%PDF-1.4 invoice"


def test_the_newsletter_is_a_template_send_per_reader() -> None:
    readers = {"ann@example.net": "Ann", "bo@example.org": "Bo"}
    with outbox() as sent:
        status = send_newsletter(readers)
    (mail,) = sent
    assert {a: s.status for a, s in status.recipients.items()} == dict.fromkeys(readers, "queued")
    [(operation, params)] = mail.calls
    assert operation == "SendBulkEmail"
    assert params["DefaultContent"]["Template"]["TemplateName"] == "newsletter"
    entries = [
        e["ReplacementEmailContent"]["ReplacementTemplate"] for e in params["BulkEmailEntries"]
    ]
    data = [json.loads(entry["ReplacementTemplateData"]) for entry in entries]
    assert [d["name"] for d in data] == ["Ann", "Bo"]


def test_a_published_bounce_suppresses_its_recipient() -> None:
    result = invoke.run_invoke(
        "tracking", load_json(ROOT / "events/tracking-bounce.json"), say=lambda line: None
    )
    for event in result.events:
        on_bounce(event)
    [(recipient, tags, when)] = suppressed
    assert (recipient, tags) == ("customer@example.net", ["orders", "receipt"])
    assert when.tzinfo is not None and when.isoformat().startswith("2026-")


def test_a_published_inbound_mail_becomes_a_ticket(tmp_path: Path) -> None:
    result = invoke.run_invoke(
        "inbound",
        load_json(ROOT / "events/inbound-sns-utf8.json"),
        raw_mail_copies=tmp_path / "raw",
        say=lambda line: None,
    )
    [event] = result.events
    raw = event["detail"]["raw"]
    with mock_aws():  # the raw-mail bucket the function wrote, as the consumer reads it
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=raw["bucket"])
        body = (tmp_path / raw["local_copy"]).read_bytes()
        s3.put_object(Bucket=raw["bucket"], Key=raw["key"], Body=body)
        on_inbound(event, s3_client=s3)
    [ticket] = tickets
    assert ticket["from"] == "doerte@example.com"
    assert ticket["subject"] == "Gr\u00fc\u00dfe aus K\u00f6ln \U0001f389"
    assert list(ticket["files"]) == ["Rechnung \u00e4.pdf"]
    assert ticket["files"]["Rechnung \u00e4.pdf"].startswith(b"%PDF")


def test_readme_migration_table_lists_every_rename() -> None:
    section = (ROOT / "docs" / "migrating-from-django-anymail.md").read_text(encoding="utf-8")
    rows = [line for line in section.splitlines() if line.startswith("|")]
    for anymail_name, sesbridge_name in RENAMES.items():
        assert any(f"`{anymail_name}`" in row and sesbridge_name in row for row in rows), (
            "add a row to docs/migrating-from-django-anymail.md:"
            f" | `{anymail_name}` | `{sesbridge_name}` |"
        )
    assert not re.search(r"\bAnymail\w+\b", "".join(_app_source_lines())), "an unported name"


def _app_source_lines() -> list[str]:
    source = Path(__file__).read_text(encoding="utf-8")
    app = source.split("# -- the app", 1)[1].split("# -- its tests --", 1)[0]
    return [line.split("#", 1)[0] for line in app.splitlines()]  # code, not the comments
