"""What each SES event type means in django-anymail's vocabulary, per recipient.

Each mapper takes the per-type object (``bounce``, ``delivery`` ...) and ``mail`` and
returns one dict of detail fields per recipient the event is about. Where SES does not
say which recipient acted (send, open, click ...), the event fans out to every
``mail.destination``, as django-anymail does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sesbridge.events.timestamps import utc_iso
from sesbridge.exceptions import MissingField

Fields = dict[str, Any]
Mapper = Callable[[dict[str, Any], dict[str, Any]], list[Fields]]


def _each_listed(
    obj: dict[str, Any], key: str, ses_type: str, fields: Fields, *, smtp: bool = False
) -> list[Fields]:
    """One dict per entry of the per-type recipient list ``key`` (required).

    ``smtp`` adds the entry's own diagnosticCode and status (bounces, delays). An empty
    list still gives one dict, with recipient None: SES reported the event.
    """
    listed = obj.get(key)
    if not isinstance(listed, list):
        raise MissingField(f"SES {ses_type} event has no {key!r} list")
    return [{**fields, "recipient": _address(r), **(_smtp(r) if smtp else {})} for r in listed] or [
        {**fields, "recipient": None}
    ]


def _address(recipient: Any) -> str | None:
    if isinstance(recipient, dict):
        recipient = recipient.get("emailAddress")
    return recipient if isinstance(recipient, str) else None


def _smtp(recipient: Any) -> Fields:
    entry = recipient if isinstance(recipient, dict) else {}
    return {"mta_response": _text(entry, "diagnosticCode"), "smtp_status": _text(entry, "status")}


def _text(obj: dict[str, Any], key: str) -> str | None:
    """A string field of an SES object; None when absent or of another type."""
    value = obj.get(key)
    return value if isinstance(value, str) else None


def _each_destination(mail: dict[str, Any], fields: Fields) -> list[Fields]:
    destination = mail.get("destination")
    addresses = (
        [a for a in destination if isinstance(a, str)] if isinstance(destination, list) else []
    )
    # No recipient known: still one event, so nothing SES reported is dropped.
    return [{**fields, "recipient": a} for a in addresses] or [{**fields, "recipient": None}]


def bounce(obj: dict[str, Any], mail: dict[str, Any]) -> list[Fields]:
    bounce_type, subtype = _text(obj, "bounceType"), _text(obj, "bounceSubType")
    fields = {
        "event_type": "bounced",
        "reject_reason": "bounced",
        "description": f"{bounce_type}: {subtype}",
        "bounce_type": bounce_type,
        "bounce_subtype": subtype,
    }
    return _each_listed(obj, "bouncedRecipients", "Bounce", fields, smtp=True)


def complaint(obj: dict[str, Any], mail: dict[str, Any]) -> list[Fields]:
    fields = {
        "event_type": "complained",
        "reject_reason": "spam",
        "description": _text(obj, "complaintFeedbackType"),
        "user_agent": _text(obj, "userAgent"),
    }
    return _each_listed(obj, "complainedRecipients", "Complaint", fields)


def delivery(obj: dict[str, Any], mail: dict[str, Any]) -> list[Fields]:
    fields = {"event_type": "delivered", "mta_response": _text(obj, "smtpResponse")}
    return _each_listed(obj, "recipients", "Delivery", fields)


def delivery_delay(obj: dict[str, Any], mail: dict[str, Any]) -> list[Fields]:
    fields = {
        "event_type": "deferred",
        "description": _text(obj, "delayType"),
        "delay_type": _text(obj, "delayType"),
        "delay_expires_at": utc_iso(obj.get("expirationTime")),
    }
    return _each_listed(obj, "delayedRecipients", "DeliveryDelay", fields, smtp=True)


def send(obj: dict[str, Any], mail: dict[str, Any]) -> list[Fields]:
    return _each_destination(mail, {"event_type": "sent"})


def reject(obj: dict[str, Any], mail: dict[str, Any]) -> list[Fields]:
    fields = {
        "event_type": "rejected",
        "reject_reason": "blocked",
        "description": _text(obj, "reason"),
    }
    return _each_destination(mail, fields)


def open_(obj: dict[str, Any], mail: dict[str, Any]) -> list[Fields]:
    return _each_destination(mail, {"event_type": "opened", "user_agent": _text(obj, "userAgent")})


def click(obj: dict[str, Any], mail: dict[str, Any]) -> list[Fields]:
    fields = {
        "event_type": "clicked",
        "user_agent": _text(obj, "userAgent"),
        "click_url": _text(obj, "link"),
    }
    return _each_destination(mail, fields)


def rendering_failure(obj: dict[str, Any], mail: dict[str, Any]) -> list[Fields]:
    return _each_destination(
        mail, {"event_type": "failed", "description": _text(obj, "errorMessage")}
    )


def subscription(obj: dict[str, Any], mail: dict[str, Any]) -> list[Fields]:
    new = _preferences(obj.get("newTopicPreferences"))
    old = _preferences(obj.get("oldTopicPreferences"))
    opted_out = sorted(t for t, s in new[1].items() if s == "OptOut" and old[1].get(t) != "OptOut")
    opted_in = sorted(t for t, s in new[1].items() if s == "OptIn" and old[1].get(t) != "OptIn")
    # Opting out wins over opting in: it is the change a sender must act on.
    if new[0]:
        event_type, description = "unsubscribed", "unsubscribed from all topics"
    elif opted_out:
        event_type, description = "unsubscribed", "opted out of " + ", ".join(opted_out)
    elif opted_in:
        event_type, description = "subscribed", "opted in to " + ", ".join(opted_in)
    else:
        event_type, description = "subscribed", "no topic unsubscribed"
    fields = {
        "event_type": event_type,
        "reject_reason": "unsubscribed" if event_type == "unsubscribed" else None,
        "description": description,
        "contact_list": _text(obj, "contactList"),
    }
    return _each_destination(mail, fields)


def _preferences(value: Any) -> tuple[bool, dict[str, str]]:
    """(unsubscribeAll, topic name -> OptIn | OptOut) of a topic preferences object."""
    if not isinstance(value, dict):
        return False, {}
    statuses = value.get("topicSubscriptionStatus")
    topics = {
        s["topicName"]: s.get("subscriptionStatus")
        for s in (statuses if isinstance(statuses, list) else [])
        if isinstance(s, dict) and isinstance(s.get("topicName"), str)
    }
    return bool(value.get("unsubscribeAll")), topics


def unknown(obj: dict[str, Any], mail: dict[str, Any]) -> list[Fields]:
    return _each_destination(mail, {"event_type": "unknown"})


# SES type -> (per-type object key, mapper). Unknown types use ``unknown``.
MAPPERS: dict[str, tuple[str, Mapper]] = {
    "Bounce": ("bounce", bounce),
    "Complaint": ("complaint", complaint),
    "Delivery": ("delivery", delivery),
    "DeliveryDelay": ("deliveryDelay", delivery_delay),
    "Send": ("send", send),
    "Reject": ("reject", reject),
    "Open": ("open", open_),
    "Click": ("click", click),
    "Rendering Failure": ("failure", rendering_failure),  # the one key not named after its type
    "Subscription": ("subscription", subscription),
}
