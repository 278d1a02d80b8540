"""`make demo` end to end, in-process: the demo cannot rot unnoticed."""

from __future__ import annotations

import hashlib
import json

from scripts.demo import expected_events, run_demo


def test_demo_publishes_every_expected_event(tmp_path, assert_valid_event) -> None:
    lines: list[str] = []
    result = run_demo(output=tmp_path / "events.jsonl", say=lines.append)
    assert result.failures == []
    assert result.missing == []
    assert result.ok

    written = [json.loads(line) for line in result.output.read_text().splitlines()]
    assert written == result.events
    for event in written:
        assert_valid_event(event)

    tracking = [e["detail"] for e in written if e["detail-type"] == "Email Tracking Event"]
    assert {(d["event_type"], d["recipient"]) for d in tracking} >= {
        pair for pair in expected_events() if pair[1] is not None
    }
    sent = next(d for d in tracking if d["event_type"] == "sent")
    assert sent["tags"] == ["welcome"]
    assert sent["metadata"] == {"user_id": "42", "plan": "trial"}
    # Scheduled sends carry the tags and metadata fixed when they were scheduled.
    for address in ("fay@example.net", "gus@example.net"):
        scheduled = next(d for d in tracking if d["recipient"] == address)
        assert scheduled["event_type"] == "sent" and scheduled["tags"] == ["reminder"]
        assert scheduled["metadata"] == {"appointment": address[:3]}
    assert not any(d["recipient"] == "hal@example.net" for d in tracking)  # cancelled
    assert "    TenantName in the fixed request: clinic-north" in lines
    bounces = [d for d in tracking if d["event_type"] == "bounced"]
    assert len(bounces) == 2 and len({b["event_id"] for b in bounces}) == 1

    received = [e["detail"] for e in written if e["detail-type"] == "Email Inbound Event"]
    [reply] = [d for d in received if d["message"]["in_reply_to"]]
    [inbound] = [d for d in received if d is not reply]
    # The reply names the Message-ID SES gave the welcome mail, and joins back to its send.
    assert reply["message"]["in_reply_to"] == sent["message_id_header"]
    assert reply["message"]["reply_to_message_id"] == sent["message_id"]
    assert reply["message"]["mailbox_hash"] == "account-42"
    assert inbound["message"]["reply_to_message_id"] is None
    assert any(line.startswith("\nReply <demo-reply-1@example.net> joined") for line in lines)
    assert inbound["message"]["attachments"][0]["filename"] == "invoice-1234.pdf"
    # The raw mail outlives the local server: kept next to the events, named in the pointer.
    kept = tmp_path / inbound["raw"]["local_copy"]
    assert kept.parent.parent == tmp_path / "events-raw-mail"
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == inbound["raw"]["sha256"]
    assert b"Subject: Question about invoice" in kept.read_bytes()
    # The same delivery through SNS and as SES's EventBridge event: one event_id.
    deliveries = [d for d in tracking if d["event_type"] == "delivered"]
    assert len(deliveries) == 2 and len({d["event_id"] for d in deliveries}) == 1
    assert {d["sns_message_id"] is None for d in deliveries} == {True, False}
    [paused] = [e["detail"] for e in written if e["detail-type"] == "Email Account Status"]
    assert paused["event_type"] == "sending_disabled"
    [error] = [e["detail"] for e in written if e["detail-type"] == "Email Normalization Error"]
    assert error["error_type"] == "not_json"
    assert error["raw_record"]["Sns"]["Message"].startswith("<html>")
    assert any("What SES received" in line for line in lines)


def test_demo_exits_non_zero_when_an_expected_event_is_missing(tmp_path, monkeypatch) -> None:
    from scripts import demo

    impossible = {("clicked", "nobody@example.net")}
    monkeypatch.setattr(demo, "expected_events", lambda: impossible)
    monkeypatch.setattr(demo, "OUTPUT", tmp_path / "events.jsonl")
    lines: list[str] = []
    monkeypatch.setattr("builtins.print", lambda *args, **kwargs: lines.append(" ".join(args)))
    assert demo.main() == 1
    assert "MISSING: clicked event for nobody@example.net" in lines
