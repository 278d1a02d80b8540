"""The tracking normalizer: SES events of every type and both formats -> details."""

from __future__ import annotations

import copy
import json
import logging
from typing import Any

import pytest
from sesbridge.exceptions import MissingField, WrongNotification
from sesbridge.tracking import normalize_tracking

from tests.conftest import SAMPLE_EVENTS, load_json


def ses_event(name: str) -> dict[str, Any]:
    """The SES event inside one of the sample SNS events in events/."""
    record = load_json(SAMPLE_EVENTS / f"tracking-{name}.json")["Records"][0]
    return json.loads(record["Sns"]["Message"])


def normalize(event: dict[str, Any], **kwargs: Any) -> list[dict[str, Any]]:
    return normalize_tracking(event, sns_message_id="sns-1", **kwargs)


@pytest.mark.parametrize(
    ("name", "event_type", "recipients"),
    [
        ("send", "sent", ["customer@example.net", "other@example.org"]),
        ("reject", "rejected", ["customer@example.net", "other@example.org"]),
        ("bounce", "bounced", ["customer@example.net"]),
        ("bounce-notification", "bounced", ["customer@example.net"]),
        ("complaint", "complained", ["other@example.org"]),
        ("complaint-notification", "complained", ["other@example.org"]),
        ("delivery", "delivered", ["customer@example.net", "other@example.org"]),
        ("delivery-notification", "delivered", ["customer@example.net", "other@example.org"]),
        ("open", "opened", ["customer@example.net", "other@example.org"]),
        ("click", "clicked", ["customer@example.net", "other@example.org"]),
        ("rendering-failure", "failed", ["customer@example.net"]),
        ("delivery-delay", "deferred", ["customer@example.net", "other@example.org"]),
        ("subscription", "unsubscribed", ["customer@example.net"]),
    ],
)
def test_every_sample_maps_to_its_event_type_per_recipient(name, event_type, recipients) -> None:
    details = normalize(ses_event(name))
    assert [d["event_type"] for d in details] == [event_type] * len(recipients)
    assert [d["recipient"] for d in details] == recipients
    for detail in details:
        assert detail["message_id"].startswith("0100019a3b4c5d6e-")
        assert detail["tags"] == ["orders", "receipt"]
        assert detail["metadata"] == {"order_id": "1234", "customer": 42}
        assert detail["esp_name"] == "Amazon SES"
        assert detail["esp_event"] == ses_event(name)
        assert detail["sns_message_id"] == "sns-1"
        assert detail["esp_event_trimmed"] is False
    assert len({d["event_id"] for d in details}) == len(details)


def test_bounce_keeps_type_subtype_diagnostic_and_status() -> None:
    [detail] = normalize(ses_event("bounce"))
    assert detail["reject_reason"] == "bounced"
    assert detail["description"] == "Permanent: General"
    assert (detail["bounce_type"], detail["bounce_subtype"]) == ("Permanent", "General")
    assert detail["mta_response"] == "smtp; 550 5.1.1 user unknown"
    assert detail["smtp_status"] == "5.1.1"
    assert detail["timestamp"] == "2026-11-24T10:00:02.512Z"  # the bounce's, not SNS's
    assert detail["ses_event_type"] == "Bounce"


def test_unknown_bounce_subtype_is_kept_as_is() -> None:
    event = ses_event("bounce")
    event["bounce"]["bounceSubType"] = "SomethingNew"
    [detail] = normalize(event)
    assert detail["bounce_subtype"] == "SomethingNew"
    assert detail["description"] == "Permanent: SomethingNew"


def test_complaint_delivery_reject_click_rendering_fields() -> None:
    [complaint] = normalize(ses_event("complaint"))
    assert complaint["reject_reason"] == "spam"
    assert complaint["description"] == "abuse"
    assert complaint["user_agent"] == "ExampleMail Feedback Loop (V0.01)"
    delivered = normalize(ses_event("delivery"))[0]
    assert delivered["mta_response"] == "250 2.6.0 Message received"
    rejected = normalize(ses_event("reject"))[0]
    assert (rejected["reject_reason"], rejected["description"]) == ("blocked", "Bad content")
    clicked = normalize(ses_event("click"))[0]
    assert clicked["click_url"] == "https://shop.example.com/orders/1234?utm_source=email"
    assert clicked["user_agent"].startswith("Mozilla/5.0 (Windows")
    failed = normalize(ses_event("rendering-failure"))[0]
    assert failed["description"] == "Attribute 'order_total' is not present in the rendering data."


def test_ses_message_tags_only_in_event_publishing() -> None:
    publishing = normalize(ses_event("bounce"))[0]
    assert publishing["ses_tags"]["campaign"] == ["autumn"]
    assert publishing["ses_tags"]["ses:configuration-set"] == ["sesbridge"]
    assert normalize(ses_event("bounce-notification"))[0]["ses_tags"] == {}


@pytest.mark.parametrize("kind", ["bounce", "complaint", "delivery"])
def test_same_event_in_both_formats_has_the_same_id(kind: str) -> None:
    publishing = normalize_tracking(ses_event(kind), sns_message_id="a")
    notification = normalize_tracking(ses_event(f"{kind}-notification"), sns_message_id="b")
    assert [d["event_id"] for d in publishing] == [d["event_id"] for d in notification]
    assert [d["timestamp"] for d in publishing] == [d["timestamp"] for d in notification]


def test_event_id_differs_per_occurrence() -> None:
    first = normalize(ses_event("open"))
    later = ses_event("open")
    later["open"]["timestamp"] = "2026-11-24T18:00:00.000Z"
    assert {d["event_id"] for d in first}.isdisjoint(d["event_id"] for d in normalize(later))
    other_link = ses_event("click")
    other_link["click"]["link"] = "https://shop.example.com/other"
    assert normalize(other_link)[0]["event_id"] != normalize(ses_event("click"))[0]["event_id"]


def test_delivery_delay_is_deferred_per_delayed_recipient() -> None:
    details = normalize(ses_event("delivery-delay"))
    assert [d["mta_response"] for d in details] == [
        "smtp; 452 4.2.2 Mailbox full",
        "smtp; 452 4.2.2 Over quota",
    ]
    for detail in details:
        assert detail["delay_type"] == "MailboxFull"
        assert detail["description"] == "MailboxFull"
        assert detail["delay_expires_at"] == "2026-11-24T22:00:00.000Z"
        assert detail["smtp_status"] == "4.2.2"
        assert detail["reject_reason"] is None
        assert detail["timestamp"] == "2026-11-24T10:15:00.000Z"


def _subscription(new: dict[str, Any], old: dict[str, Any] | None = None) -> dict[str, Any]:
    event = ses_event("subscription")
    event["subscription"]["newTopicPreferences"] = new
    if old is None:
        del event["subscription"]["oldTopicPreferences"]
    else:
        event["subscription"]["oldTopicPreferences"] = old
    [detail] = normalize(event)
    return detail


def _topics(**statuses: str) -> list[dict[str, str]]:
    return [{"topicName": t, "subscriptionStatus": s} for t, s in statuses.items()]


def test_subscription_opt_out_of_a_topic_is_unsubscribed() -> None:
    [detail] = normalize(ses_event("subscription"))
    assert detail["reject_reason"] == "unsubscribed"
    assert detail["description"] == "opted out of Offers"
    assert detail["contact_list"] == "Newsletter"


def test_subscription_unsubscribe_all_and_opt_in() -> None:
    everything = _subscription({"unsubscribeAll": True, "topicSubscriptionStatus": []})
    assert everything["event_type"] == "unsubscribed"
    assert everything["description"] == "unsubscribed from all topics"
    opt_in = _subscription(
        {"unsubscribeAll": False, "topicSubscriptionStatus": _topics(Offers="OptIn")},
        {"unsubscribeAll": False, "topicSubscriptionStatus": _topics(Offers="OptOut")},
    )
    assert (opt_in["event_type"], opt_in["reject_reason"]) == ("subscribed", None)
    assert opt_in["description"] == "opted in to Offers"
    no_old = _subscription({"unsubscribeAll": False, "topicSubscriptionStatus": []})
    assert no_old["event_type"] == "subscribed"


def test_unknown_type_never_crashes_and_has_a_stable_id() -> None:
    event = ses_event("send")
    event["eventType"] = "Teleport"
    event["teleport"] = {"destination": "mars"}
    del event["send"]
    details = normalize(event, sns_timestamp="2026-11-24T10:00:00Z")
    assert [d["event_type"] for d in details] == ["unknown", "unknown"]
    assert details[0]["description"] == "Unknown SES event type 'Teleport'"
    assert [d["event_id"] for d in details] == [
        d["event_id"] for d in normalize(copy.deepcopy(event))
    ]
    changed = copy.deepcopy(event)
    changed["teleport"]["destination"] = "venus"
    assert normalize(changed)[0]["event_id"] != details[0]["event_id"]


def test_no_destination_still_gives_one_event() -> None:
    event = ses_event("send")
    del event["mail"]["destination"]
    [detail] = normalize(event)
    assert detail["recipient"] is None and detail["event_type"] == "sent"


def test_timestamp_falls_back_to_mail_then_sns_and_is_utc() -> None:
    event = ses_event("open")
    del event["open"]["timestamp"]
    assert normalize(event)[0]["timestamp"] == "2026-11-24T10:00:00.000Z"  # mail.timestamp
    del event["mail"]["timestamp"]
    sns_time = "2026-11-24T12:00:00+02:00"
    assert normalize(event, sns_timestamp=sns_time)[0]["timestamp"] == "2026-11-24T10:00:00.000Z"
    with pytest.raises(MissingField, match="timestamp"):
        normalize(event)


def test_headers_case_insensitive_last_metadata_wins_and_truncation_flag() -> None:
    event = ses_event("send")
    event["mail"]["headersTruncated"] = True
    event["mail"]["headers"] = [
        {"name": "x-tag", "value": "lower"},
        {"name": "X-METADATA", "value": '{"a": 1}'},
        {"name": "X-Metadata", "value": '{"b": 2}'},
    ]
    detail = normalize(event)[0]
    assert detail["tags"] == ["lower"]
    assert detail["metadata"] == {"b": 2}
    assert detail["headers_truncated"] is True


def test_bad_metadata_json_gives_empty_metadata_and_a_warning(caplog) -> None:
    event = ses_event("send")
    event["mail"]["headers"] = [{"name": "X-Metadata", "value": "{not json"}]
    with caplog.at_level(logging.WARNING, logger="sesbridge.tracking"):
        detail = normalize(event)[0]
    assert detail["metadata"] == {}
    assert "X-Metadata" in caplog.text


def test_notification_without_headers_has_no_tags() -> None:
    event = ses_event("bounce-notification")
    del event["mail"]["headers"]
    [detail] = normalize(event)
    assert (detail["tags"], detail["metadata"]) == ([], {})


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        (lambda e: e.pop("eventType"), MissingField, "eventType"),
        (lambda e: e.pop("mail"), MissingField, "mail.messageId"),
        (lambda e: e["mail"].pop("messageId"), MissingField, "mail.messageId"),
        (lambda e: e["bounce"].pop("bouncedRecipients"), MissingField, "bouncedRecipients"),
        (lambda e: e.update(eventType="Received"), WrongNotification, "inbound"),
    ],
)
def test_unusable_events_raise_a_clear_normalization_error(change, error, words) -> None:
    event = ses_event("bounce")
    change(event)
    with pytest.raises(error, match=words):
        normalize(event)


@pytest.mark.parametrize(
    "module",
    [
        "sesbridge.tracking.headers",
        "sesbridge.tracking.identity",
        "sesbridge.tracking.normalize",
        "sesbridge.events.timestamps",
    ],
)
def test_docstring_examples_hold(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0


def _send_event(**mail: Any) -> dict[str, Any]:
    base = {"messageId": "m-1", "destination": ["a@example.com"]}
    base["timestamp"] = "2026-11-24T10:00:00Z"
    return {"eventType": "Send", "mail": {**base, **mail}, "send": {}}


def test_every_event_names_the_message_id_header_ses_wrote() -> None:
    identity = "arn:aws:ses:eu-west-1:123456789012:identity/example.com"
    topic = "arn:aws:sns:us-east-1:123456789012:ses-events"
    (from_identity,) = normalize_tracking(_send_event(sourceArn=identity), topic_arn=topic)
    assert from_identity["message_id_header"] == "<m-1@eu-west-1.amazonses.com>"
    (from_topic,) = normalize_tracking(_send_event(), topic_arn=topic)
    assert from_topic["message_id_header"] == "<m-1@email.amazonses.com>"
    (unknown,) = normalize_tracking(_send_event())
    assert unknown["message_id_header"] is None


def test_only_an_ses_message_id_header_for_this_message_is_taken_from_mail_headers() -> None:
    written = [{"name": "Message-ID", "value": "<app-generated@app.example.com>"}]
    (event,) = normalize_tracking(_send_event(headers=written))
    assert event["message_id_header"] is None  # SES replaced that one
    ses = [{"name": "Message-Id", "value": "<m-1@ap-south-1.amazonses.com>"}]
    (event,) = normalize_tracking(_send_event(headers=ses), topic_arn="arn:aws:sns:eu-west-1:1:t")
    assert event["message_id_header"] == "<m-1@ap-south-1.amazonses.com>"
