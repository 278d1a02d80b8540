"""The ``Email Inbound Event`` built from a receipt and its parsed mail (pure).

An entry must fit EventBridge's 256 KB. When it does not, the largest of these parts
is shrunk, again and again, each cut flagged (nothing disappears silently; the full
mail stays at ``raw``): ``message.text`` / ``message.html`` keep their beginning
(``text_truncated`` / ``html_truncated``), and so does ``message.stripped_text``
(``stripped_text_truncated``), ``message.headers`` keeps its first fields
(``headers_truncated``), ``esp_event.mail.headers`` is dropped (``esp_event_trimmed``),
the ``attachments`` / ``inlines`` lists keep their first items (``attachments_truncated``).

Example::

    entry = inbound_entry(receipt, message, raw=location, source="sesbridge")
    entry.detail["message"]["subject"]
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from sesbridge.events import ESP_NAME, INBOUND_DETAIL_TYPE, SCHEMA_VERSION
from sesbridge.events.entries import EntryTooLarge, EventEntry, Reducer, dump_detail, fit_entry
from sesbridge.events.timestamps import first_utc_iso, utc_now_iso
from sesbridge.inbound.conversation import DEFAULT_MAILBOX_HASH_SEPARATOR, conversation_fields
from sesbridge.inbound.errors import CorruptMime, EventTooLarge
from sesbridge.inbound.message import InboundMessage
from sesbridge.inbound.receipt import Receipt, detected, verdict_status
from sesbridge.inbound.reply import reply_fields

# Each cut of a long body keeps at most this many characters (then halves), so a
# 30 MB text body costs one large JSON dump, not a dozen.
_BODY_STEP = 128 * 1024
_VERDICTS = ("spam", "virus", "spf", "dkim", "dmarc")
# Header values read into the event, in all: more could never fit its 256 KB.
MAX_HEADER_CHARS_READ = 256 * 1024


def attachment_info(part: InboundMessage) -> dict[str, Any]:
    """What the event says about one attachment or inline part (not its bytes)."""
    try:
        size = decoded_size(part)
    except ValueError:  # a multipart marked as attachment: its MIME is its content
        size = len(part.as_bytes())
    return {
        "filename": part.get_filename(),
        "content_type": part.get_content_type(),
        "size": size,
        "content_id": part.content_id,
    }


_BASE64_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_BLANKS = b"\r\n\t "
# Text parsed from bytes holds ASCII, and other bytes as surrogate escapes.
_NOT_A_BYTE = re.compile("[^\x00-\x7f\udc80-\udcff]")


def decoded_size(part: InboundMessage) -> int:
    """``len(part.get_content_bytes())``, without decoding when the size follows from the text.

    Clean base64 (alphabet, line breaks, padding only at the end) decodes to 3 bytes per
    4 characters; 7bit/8bit/binary text read from bytes is one byte per character. Any
    other part (quoted-printable, damaged base64, message/rfc822) is decoded to count.
    """
    payload = part.get_payload()
    cte = part.get("Content-Transfer-Encoding", "7bit").strip().lower()
    if isinstance(payload, str) and part.get_content_maintype() != "message":
        if cte == "base64":
            size = _clean_base64_size(payload)
            if size is not None:
                return size
        elif cte in ("7bit", "8bit", "binary") and payload.isascii():
            return len(payload)
        elif cte in ("7bit", "8bit", "binary") and _only_escaped_bytes(payload):
            return len(payload)  # undecodable bytes kept as surrogate escapes: one each
    return len(part.get_content_bytes())


def _clean_base64_size(text: str) -> int | None:
    # bytes.translate and count run in C over the text; decoding would also build the
    # decoded copy and a list of its lines.
    if not text.isascii():
        return None
    encoded = text.encode("ascii")
    padding = encoded.translate(None, _BASE64_LETTERS + _BLANKS)
    if padding.strip(b"=") or len(padding) > 2:
        return None  # other characters: the decoder's repairs decide the size
    if padding and encoded[encoded.find(b"=") :].translate(None, b"=" + _BLANKS):
        return None  # padding in the middle
    letters = len(encoded.translate(None, _BLANKS)) - len(padding)
    if (letters + len(padding)) % 4 or letters % 4 == 1:
        return None
    return letters * 3 // 4


def _only_escaped_bytes(text: str) -> bool:
    return _NOT_A_BYTE.search(text) is None


def message_fields(
    receipt: Receipt,
    message: InboundMessage,
    *,
    mailbox_hash_separator: str = DEFAULT_MAILBOX_HASH_SEPARATOR,
) -> dict[str, Any]:
    """The ``message`` object of the event. Raises CorruptMime when a part cannot be read."""
    verdicts = {name: receipt.receipt.get(f"{name}Verdict") for name in _VERDICTS}
    recipients = receipt.envelope_recipients
    try:
        date = message.date
        headers = message.header_pairs(max_chars=MAX_HEADER_CHARS_READ)
        fields: dict[str, Any] = {
            "from_email": message.from_email,
            "to": message.to,
            "cc": message.cc,
            "subject": message.subject,
            "date": date.isoformat() if date else None,
            "text": message.text,
            "html": message.html,
            "headers": [{"name": n, "value": v} for n, v in headers],
            "attachments": [attachment_info(p) for p in message.attachments],
            "inlines": [attachment_info(p) for p in message.inlines],
        }
    except (ValueError, TypeError, LookupError, AttributeError) as error:
        raise CorruptMime(f"a part of the raw mail cannot be read: {error!r}") from error
    fields.update(
        envelope_sender=receipt.envelope_sender,
        envelope_recipient=recipients[0] if recipients else None,
        envelope_recipients=recipients,
        spam_detected=detected(verdicts["spam"]),
        virus_detected=detected(verdicts["virus"]),
        **{f"{name}_verdict": verdict_status(v) for name, v in verdicts.items()},
        text_truncated=False,
        html_truncated=False,
        headers_truncated=len(headers) < len(message),
        attachments_truncated=False,
        header_values_limited=message.header_values_limited,
        parts_truncated=message.parts_truncated,
    )
    fields.update(reply_fields(fields["text"], fields["html"]), stripped_text_truncated=False)
    fields.update(
        conversation_fields(receipt, message, mailbox_hash_separator=mailbox_hash_separator)
    )
    return fields


def inbound_entry(
    receipt: Receipt,
    message: InboundMessage,
    *,
    raw: dict[str, Any],
    source: str,
    received_at: str | None = None,
    mailbox_hash_separator: str = DEFAULT_MAILBOX_HASH_SEPARATOR,
) -> EventEntry:
    """The ``Email Inbound Event`` entry for one received mail, fitted to 256 KB.

    ``raw`` is where the exact MIME lives (bucket, key, size, sha256);
    ``received_at`` is the fallback timestamp when SES gives none (the SNS time);
    ``mailbox_hash_separator`` splits the envelope recipient's local part.
    """
    # Normalized like every sesbridge time: a malformed one must not reach PutEvents' Time.
    timestamp = first_utc_iso(receipt.timestamp, received_at) or utc_now_iso()
    detail = {
        "schema_version": SCHEMA_VERSION,
        "event_type": "inbound",
        "event_id": receipt.message_id,
        "timestamp": timestamp,
        "esp_name": ESP_NAME,
        "message": message_fields(receipt, message, mailbox_hash_separator=mailbox_hash_separator),
        "raw": raw,
        "esp_event": receipt.esp_event(),
        "esp_event_trimmed": False,
    }
    entry = EventEntry(INBOUND_DETAIL_TYPE, detail, time=timestamp)
    try:
        return fit_entry(entry, source, REDUCERS)
    except EntryTooLarge as error:  # e.g. thousands of To addresses: parts never cut
        raise EventTooLarge(f"the inbound event cannot fit: {error}", raw=raw) from error


def _with_message(detail: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**detail, "message": {**detail["message"], **changes}}


def _cut_body(name: str) -> Reducer:
    def cut(detail: dict[str, Any]) -> dict[str, Any] | None:
        body = detail["message"][name]
        if not body:
            return None
        keep = min(len(body) // 2, _BODY_STEP)
        return _with_message(detail, **{name: body[:keep], f"{name}_truncated": True})

    return cut


def _halve_lists(names: tuple[str, ...], flag: str) -> Reducer:
    def halve(detail: dict[str, Any]) -> dict[str, Any] | None:
        lists = {n: detail["message"][n] for n in names}
        if not any(lists.values()):
            return None
        return _with_message(
            detail, **{n: v[: len(v) // 2] for n, v in lists.items()}, **{flag: True}
        )

    return halve


def _drop_esp_event_headers(detail: dict[str, Any]) -> dict[str, Any] | None:
    # mail.headers repeats what message.headers holds; commonHeaders is kept.
    mail = detail["esp_event"].get("mail")
    if not isinstance(mail, dict) or not mail.get("headers"):
        return None
    esp_event = copy.copy(detail["esp_event"])
    esp_event["mail"] = {k: v for k, v in mail.items() if k != "headers"}
    return {**detail, "esp_event": esp_event, "esp_event_trimmed": True}


def _esp_event_headers(detail: dict[str, Any]) -> Any:
    mail = detail["esp_event"].get("mail")
    return mail.get("headers") if isinstance(mail, dict) else None


# What can shrink: (its current size, how to shrink it).
_SHRINKABLE: tuple[tuple[Callable[[dict[str, Any]], Any], Reducer], ...] = (
    (lambda d: d["message"]["text"], _cut_body("text")),
    (lambda d: d["message"]["html"], _cut_body("html")),
    (lambda d: d["message"]["stripped_text"], _cut_body("stripped_text")),
    (lambda d: d["message"]["headers"], _halve_lists(("headers",), "headers_truncated")),
    (_esp_event_headers, _drop_esp_event_headers),
    (
        lambda d: (d["message"]["attachments"], d["message"]["inlines"]),
        _halve_lists(("attachments", "inlines"), "attachments_truncated"),
    ),
)


def _shrink_largest(detail: dict[str, Any]) -> dict[str, Any] | None:
    """Shrink whichever part is largest now, so one long part never empties the others."""
    sized = sorted(
        ((len(dump_detail(part(detail))), i) for i, (part, _) in enumerate(_SHRINKABLE)),
        reverse=True,
    )
    for _, i in sized:
        smaller = _SHRINKABLE[i][1](detail)
        if smaller is not None:
            return smaller
    return None


REDUCERS: tuple[Reducer, ...] = (_shrink_largest,)
