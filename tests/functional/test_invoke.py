"""`make invoke` (scripts.invoke): a function run on a sample event on the local AWS."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from scripts import invoke
from tests.conftest import load_json

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"


@pytest.fixture(autouse=True)
def raw_mail_copies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "invoke-raw-mail"
    monkeypatch.setattr(invoke, "RAW_MAIL_COPIES", folder)
    return folder


def test_the_command_prints_the_tracking_events_published(capsys, assert_valid_event) -> None:
    assert invoke.main(["tracking", str(EVENTS / "tracking-bounce.json")]) == 0
    out = capsys.readouterr().out
    [event] = _printed_events(out)  # one bounced recipient of the two
    assert_valid_event(event)
    detail = event["detail"]
    assert (detail["event_type"], detail["recipient"]) == ("bounced", "customer@example.net")
    assert detail["tags"] == ["orders", "receipt"]
    assert "1 events published to sesbridge-demo-email" in out
    assert "delivered as from the stack's topic" in out


def test_a_native_eventbridge_sample_is_normalized(capsys, assert_valid_event) -> None:
    assert invoke.main(["tracking", str(EVENTS / "tracking-native-bounce.json")]) == 0
    out = capsys.readouterr().out
    [event] = _printed_events(out)
    assert_valid_event(event)
    detail = event["detail"]
    assert (detail["event_type"], detail["recipient"]) == ("bounced", "customer@example.net")
    assert detail["sns_message_id"] is None
    assert "1 events published to sesbridge-demo-email" in out


def test_an_inbound_sample_is_parsed_and_its_raw_mail_kept(
    raw_mail_copies: Path, assert_valid_event
) -> None:
    lines: list[str] = []
    result = invoke.run_invoke(
        "inbound",
        load_json(EVENTS / "inbound-sns-utf8.json"),
        raw_mail_copies=raw_mail_copies,
        say=lines.append,
    )
    assert result.failures == [] and result.response == {"inbound": 1, "errors": 0, "ignored": 0}
    [event] = result.events
    assert_valid_event(event)
    assert event["detail-type"] == "Email Inbound Event"
    assert event["detail"]["message"]["envelope_recipient"] == "inbox@example.org"
    raw = event["detail"]["raw"]
    kept = raw_mail_copies.parent / raw["local_copy"]
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == raw["sha256"]
    assert json.dumps(event, indent=2, ensure_ascii=False) in lines


def test_an_s3_receipt_reads_the_mail_given(raw_mail_copies: Path) -> None:
    mail = b"From: a@example.com\r\nTo: inbox@example.org\r\nSubject: given\r\n\r\nbody\r\n"
    result = invoke.run_invoke(
        "InboundFunction",
        load_json(EVENTS / "inbound-s3.json"),
        raw_mail=mail,
        raw_mail_copies=raw_mail_copies,
        say=lambda line: None,
    )
    [event] = result.events
    assert event["detail"]["message"]["subject"] == "given"


def test_without_the_mail_an_s3_receipt_is_an_error_event_and_a_hint() -> None:
    lines: list[str] = []
    result = invoke.run_invoke("inbound", load_json(EVENTS / "inbound-s3.json"), say=lines.append)
    [event] = result.events
    assert event["detail-type"] == "Email Normalization Error"
    assert any("give it with --raw-mail FILE" in line for line in lines)


def test_keep_topic_shows_what_the_deployed_function_does_with_a_foreign_topic() -> None:
    result = invoke.run_invoke(
        "tracking",
        load_json(EVENTS / "tracking-delivery.json"),
        keep_topic=True,
        say=lambda line: None,
    )
    assert [e["detail"]["error_type"] for e in result.events] == ["topic_not_allowed"]


def _printed_events(out: str) -> list[dict]:
    """The JSON documents in the command's output (each starts with a line "{")."""
    decoder, events, index = json.JSONDecoder(), [], 0
    while (index := out.find("\n{\n", index)) != -1:
        event, end = decoder.raw_decode(out, index + 1)
        events.append(event)
        index = end
    return events
