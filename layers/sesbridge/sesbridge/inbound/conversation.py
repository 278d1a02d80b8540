"""What a received mail says about its conversation: threading, verdicts, mailbox hash (pure).

Threading (see README, "Threading"): ``reply_to_message_id`` is the SES message id of
a mail sent through SES that this one answers, read from the first Message-ID SES wrote
(``...@email.amazonses.com`` or ``...@{region}.amazonses.com``) in In-Reply-To, then in
References from the newest id back. ``thread_id`` is the first id of References (the
conversation's root), else In-Reply-To, else the mail's own Message-ID.
"""

from __future__ import annotations

from typing import Any

from sesbridge.events.strict_json import clean_text
from sesbridge.inbound.message import MAX_HEADER_CHARS, InboundMessage, header_text
from sesbridge.inbound.receipt import Receipt, verdict_status
from sesbridge.message_ids import MAX_REFERENCES, msg_ids, ses_message_id

#: The default mailbox hash separator: ``support+ticket-42@`` has hash ``ticket-42``.
DEFAULT_MAILBOX_HASH_SEPARATOR = "+"
VERDICT_NAMES = ("spf", "dkim", "dmarc", "spam", "virus")


def thread_fields(message: InboundMessage) -> dict[str, Any]:
    """``message_id``, ``in_reply_to``, ``references``, ``reply_to_message_id``, ``thread_id``."""
    # Each value is read within the parser's header budget: its first MAX_HEADER_CHARS.
    own = _first_id(message, "Message-ID")
    in_reply_to = _first_id(message, "In-Reply-To")
    references = msg_ids(_raw_value(message, "References"), MAX_REFERENCES)
    candidates = ([in_reply_to] if in_reply_to else []) + references[::-1]
    ours = (ses_message_id(c) for c in candidates)
    return {
        "message_id": own,
        "in_reply_to": in_reply_to,
        "references": references,
        "reply_to_message_id": next((s for s in ours if s), None),
        "thread_id": (references[:1] or [in_reply_to or own])[0],
    }


def _raw_value(message: InboundMessage, name: str) -> str | None:
    # The raw text, not the parsed header: msg-id lists need no address parsing, and a
    # damaged one is read as well as it can be.
    for raw_name, raw in message.raw_items():
        if raw_name.lower() == name.lower() and isinstance(raw, str):
            value = raw[:MAX_HEADER_CHARS]
            if "=?" in value:  # a long id some writers (Python's email too) encode as words
                value = _decoded(message, raw_name, value)
            return _as_text(value)
    return None


def _decoded(message: InboundMessage, name: str, value: str) -> str:
    try:
        return header_text(message.policy.header_fetch_parse(name, value))
    except (ValueError, TypeError, LookupError, AttributeError):
        return value  # read as it is


def _as_text(raw: str) -> str:
    # Bytes the parser could not decode are kept as surrogate escapes: read them as
    # UTF-8 (RFC 6532 ids), else mark each with U+FFFD, so the event stays strict JSON.
    try:
        return raw.encode("utf-8", "surrogateescape").decode("utf-8")
    except UnicodeError:
        return clean_text(raw)


def _first_id(message: InboundMessage, name: str) -> str | None:
    found = msg_ids(_raw_value(message, name), 1)
    return found[0] if found else None


def verdict_fields(receipt: Receipt) -> dict[str, Any]:
    """``verdicts`` (each as SES reports it, plus ``dmarc_policy``) and ``authenticated``.

    ``authenticated``: SPF or DKIM is PASS, and DMARC is not FAIL. False when neither
    passed or DMARC failed; None when SES gave none of the three.
    """
    verdicts: dict[str, Any] = {
        name: verdict_status(receipt.receipt.get(f"{name}Verdict")) for name in VERDICT_NAMES
    }
    policy = receipt.receipt.get("dmarcPolicy")
    verdicts["dmarc_policy"] = policy.upper() if isinstance(policy, str) else None
    checks = (verdicts["spf"], verdicts["dkim"], verdicts["dmarc"])
    if all(v is None for v in checks):
        authenticated = None
    else:
        passed = "PASS" in (verdicts["spf"], verdicts["dkim"])
        authenticated = passed and verdicts["dmarc"] != "FAIL"
    return {"verdicts": verdicts, "authenticated": authenticated}


def mailbox_fields(
    recipient: str | None, separator: str = DEFAULT_MAILBOX_HASH_SEPARATOR
) -> dict[str, Any]:
    """``mailbox_hash`` (after the first ``separator`` of the local part) and
    ``envelope_recipient_base`` (the address without it).

    >>> mailbox_fields("support+ticket-42@example.com")
    {'mailbox_hash': 'ticket-42', 'envelope_recipient_base': 'support@example.com'}
    """
    if not recipient:
        return {"mailbox_hash": None, "envelope_recipient_base": recipient}
    local, at, domain = recipient.rpartition("@")
    if not at:
        local, domain = recipient, ""
    base, found, mailbox_hash = local.partition(separator) if separator else (local, "", "")
    if not found:
        return {"mailbox_hash": None, "envelope_recipient_base": recipient}
    return {"mailbox_hash": mailbox_hash, "envelope_recipient_base": f"{base}{at}{domain}"}


def conversation_fields(
    receipt: Receipt, message: InboundMessage, *, mailbox_hash_separator: str
) -> dict[str, Any]:
    """Every field above, for ``detail.message``."""
    recipients = receipt.envelope_recipients
    return {
        **thread_fields(message),
        **verdict_fields(receipt),
        **mailbox_fields(recipients[0] if recipients else None, mailbox_hash_separator),
    }
