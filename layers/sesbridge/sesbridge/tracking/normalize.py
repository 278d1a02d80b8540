"""One SES sending event (either SNS format, or SES's EventBridge detail) -> ``Email Tracking
Event`` details."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sesbridge.events import ESP_NAME, SCHEMA_VERSION
from sesbridge.events.timestamps import first_utc_iso
from sesbridge.exceptions import MissingField, WrongNotification
from sesbridge.message_ids import message_id_header, region_of_arn, ses_message_id
from sesbridge.tracking import mapping
from sesbridge.tracking.headers import tags_and_metadata
from sesbridge.tracking.identity import tracking_event_id

# Fields every detail has; a mapper sets the ones its type knows.
_DEFAULTS: dict[str, Any] = {
    "recipient": None,
    "reject_reason": None,
    "description": None,
    "mta_response": None,
    "click_url": None,
    "user_agent": None,
    "bounce_type": None,
    "bounce_subtype": None,
    "smtp_status": None,
    "delay_type": None,
    "delay_expires_at": None,
    "contact_list": None,
}

# The SES message tag sesbridge reads a send's tenant from (see README, Tenants).
TENANT_TAG = "ses:tenant-name"


def normalize_tracking(
    ses_event: dict[str, Any],
    *,
    sns_message_id: str | None = None,
    sns_timestamp: str | None = None,
    fallback_timestamp: str | None = None,
    topic_arn: str | None = None,
) -> list[dict[str, Any]]:
    """The tracking event details for one SES event: one per recipient it is about.

    The timestamp is the per-type object's, else ``mail.timestamp``, else the time of
    what carried the event (``sns_timestamp``, or ``fallback_timestamp`` for an
    EventBridge event). ``event_id`` depends on the SES record only, so the same SES
    event gets the same id through SNS and through EventBridge. ``topic_arn`` (the SNS
    topic's) gives the sending region when ``mail.sourceArn`` does not: with
    ``mail.messageId`` it names the Message-ID header SES wrote.

    Raises ``MissingField`` when the event lacks what every event needs (its type,
    ``mail.messageId``) or its type's recipient list, and ``WrongNotification`` for
    an inbound mail notification. Unknown types give ``event_type`` ``unknown``.

    >>> [d["event_type"] for d in normalize_tracking(
    ...     {"eventType": "Send", "mail": {"messageId": "m-1", "destination": ["a@example.com"],
    ...      "timestamp": "2026-11-24T10:00:00Z"}, "send": {}})]
    ['sent']
    """
    ses_type = ses_event.get("eventType") or ses_event.get("notificationType")
    if not isinstance(ses_type, str) or not ses_type:
        raise MissingField("SES event has neither 'eventType' nor 'notificationType'")
    if ses_type == "Received":
        raise WrongNotification(
            "an SES inbound (Received) notification reached the tracking function;"
            " point the receipt rule at the inbound topic"
        )
    mail = ses_event.get("mail")
    if not isinstance(mail, dict) or not isinstance(mail.get("messageId"), str):
        raise MissingField(f"SES {ses_type} event has no 'mail.messageId'")

    key, mapper = mapping.MAPPERS.get(ses_type, (_object_key(ses_type), mapping.unknown))
    obj = ses_event.get(key)
    obj = obj if isinstance(obj, dict) else {}
    timestamp = first_utc_iso(
        obj.get("timestamp"), mail.get("timestamp"), sns_timestamp, fallback_timestamp
    )
    if timestamp is None:
        raise MissingField(f"SES {ses_type} event has no valid timestamp (nor has its envelope)")
    headers = mail.get("headers")
    tags, metadata = tags_and_metadata(headers if isinstance(headers, list) else ())
    ses_tags = _ses_tags(mail.get("tags"))
    common = {
        "schema_version": SCHEMA_VERSION,
        "timestamp": timestamp,
        "message_id": mail["messageId"],
        "message_id_header": _message_id_header(mail, topic_arn),
        "tags": tags,
        "metadata": metadata,
        "esp_name": ESP_NAME,
        "ses_event_type": ses_type,
        "ses_tags": ses_tags,
        "tenant": _tenant(mail, ses_tags),
        "sns_message_id": sns_message_id,
        "headers_truncated": mail.get("headersTruncated") is True,
        "esp_event_trimmed": False,
        "esp_event": ses_event,
    }
    occurrence = _occurrence(ses_type, obj, ses_event, known=ses_type in mapping.MAPPERS)
    details = []
    for fields in mapper(obj, mail):
        detail = {**_DEFAULTS, **common, **fields}
        if ses_type not in mapping.MAPPERS:
            detail["description"] = f"Unknown SES event type {ses_type!r}"
        detail["event_id"] = tracking_event_id(
            message_id=mail["messageId"],
            ses_type=ses_type,
            recipient=detail["recipient"],
            occurrence=occurrence,
        )
        details.append(detail)
    return details


def _message_id_header(mail: dict[str, Any], topic_arn: str | None) -> str | None:
    """The Message-ID SES gave the mail: a header naming ``mail.messageId`` as SES writes
    it when ``mail.headers`` has one, else built from the identity's or topic's region.

    ``mail.headers`` mostly holds the Message-ID the sender wrote, which SES replaced:
    only an amazonses.com one with this message's id is taken from there.
    """
    headers = mail.get("headers")
    for header in headers if isinstance(headers, list) else ():
        if isinstance(header, dict) and str(header.get("name")).lower() == "message-id":
            value = header.get("value")
            if ses_message_id(value) == mail["messageId"]:
                return value.strip()
    region = region_of_arn(mail.get("sourceArn")) or region_of_arn(topic_arn)
    return message_id_header(mail["messageId"], region)


def _ses_tags(tags: Any) -> dict[str, list[str]]:
    """``mail.tags`` as name -> list of strings; values of other types are left out."""
    if not isinstance(tags, dict):
        return {}
    return {
        name: [v for v in values if isinstance(v, str)] if isinstance(values, list) else []
        for name, values in tags.items()
    }


def _tenant(mail: dict[str, Any], ses_tags: dict[str, list[str]]) -> str | None:
    """The tenant of the send: ``mail.tenantName`` if SES gives it, else the first value
    of the ``ses:tenant-name`` message tag; None when the record names no tenant."""
    name = mail.get("tenantName")
    if isinstance(name, str) and name:
        return name
    values = ses_tags.get(TENANT_TAG) or []
    return values[0] if values and values[0] else None


def _object_key(ses_type: str) -> str:
    # SES names the per-type object after the type, first letter lowered ("DeliveryDelay").
    return ses_type[:1].lower() + ses_type[1:].replace(" ", "")


def _occurrence(
    ses_type: str, obj: dict[str, Any], ses_event: dict[str, Any], *, known: bool
) -> str:
    """What tells this occurrence from another of the same type, recipient and message.

    Bounces and complaints carry a feedback id; most other types a timestamp (a click
    also its link). Send, Reject and Rendering Failure happen once per message.
    """
    feedback_id = obj.get("feedbackId")
    if isinstance(feedback_id, str):
        return feedback_id
    when = obj.get("timestamp")
    if isinstance(when, str):
        link = obj.get("link")
        return f"{when}\x1f{link}" if isinstance(link, str) else when
    if known:
        return ""
    # A future type without a timestamp: the whole event is the only stable key.
    canonical = json.dumps(ses_event, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
