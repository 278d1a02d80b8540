"""The type each ``EmailMessage`` argument must have. Pure and cheap to import.

A wrong type is a programming error: TypeError naming the argument and what it must be.
Wrong *values* are InvalidMessage, raised while the request is built.
"""

from __future__ import annotations

import sys

from sesbridge.sending.attachment import Attachment

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

    from sesbridge.sending.message import EmailMessage

_ADDRESS_LISTS = ("to", "cc", "bcc", "reply_to")
_OPTIONAL_STRINGS = ("template_id", "envelope_sender", "tenant", "idempotency_key")
_OPTIONAL_MAPPINGS = ("metadata", "merge_global_data", "esp_extra", "headers")
_PER_RECIPIENT = ("merge_data", "merge_metadata", "merge_headers")


def sequence(value: Any, field: str, items: str) -> list[Any]:
    """``value``, any iterable but a string or a dict, as a list; None is an empty list.
    (A bare string is the classic mistake: it would be iterated letter by letter.)"""
    if value is None:
        return []
    problem = TypeError(f'"{field}" must be a list or tuple of {items}, not {_name(value)}')
    if isinstance(value, str | bytes) or _is_mapping(value):
        raise problem
    try:
        return list(value)
    except TypeError:
        raise problem from None


def string_list(value: Any, field: str, items: str = "addresses") -> list[str]:
    """``value`` as a list of strings (see ``sequence``)."""
    values = sequence(value, field, items)
    for item in values:
        if not isinstance(item, str):
            raise TypeError(f'"{field}" must hold {items} as strings, not {_name(item)}')
    return values


def mapping(value: Any, field: str) -> Any:
    """``value`` when it is None or a mapping (a dict), else TypeError."""
    if value is not None and not _is_mapping(value):
        raise TypeError(f'"{field}" must be a dict, not {_name(value)}')
    return value


def check_types(message: EmailMessage) -> None:
    """TypeError naming the first attribute of ``message`` that has a wrong type."""
    for field in ("subject", "body", "content_subtype"):
        _string(getattr(message, field), field)
    if not isinstance(message.from_email, str | None):
        if not isinstance(message.from_email, list | tuple):
            raise TypeError(
                '"from_email" must be an address string or a list of them, '
                f"not {_name(message.from_email)}"
            )
        string_list(message.from_email, "from_email")
    for field in _ADDRESS_LISTS:
        string_list(getattr(message, field), field)
    string_list(message.tags, "tags", "tags")
    for field in _OPTIONAL_STRINGS:
        if getattr(message, field) is not None:
            _string(getattr(message, field), field)
    for field in _OPTIONAL_MAPPINGS:
        mapping(getattr(message, "extra_headers" if field == "headers" else field), field)
    for field in _PER_RECIPIENT:
        for value in (mapping(getattr(message, field), field) or {}).values():
            mapping(value, f"{field} values")
    _header_values(message.extra_headers, "headers")
    for recipient, values in (message.merge_headers or {}).items():
        _header_values(values, f"merge_headers[{recipient!r}]")
    for flag in ("track_opens", "track_clicks"):
        if not isinstance(getattr(message, flag), bool | None):
            raise TypeError(f'"{flag}" must be True, False or None')
    _send_at(message.send_at)
    for content, mimetype in message.alternatives:
        _string(content, "alternative content")
        _string(mimetype, "alternative mimetype")
    for attachment in message.attachments:
        check_attachment(attachment)


def check_attachment(attachment: Any) -> None:
    """An Attachment with str or bytes content, or a ready ``email.message.Message``."""
    if isinstance(attachment, Attachment):
        if not isinstance(attachment.content, str | bytes):
            raise TypeError(
                f'attachment {attachment.filename!r}: "content" must be str or bytes, '
                f"not {_name(attachment.content)}"
            )
        for field in ("filename", "mimetype", "content_id"):
            if not isinstance(getattr(attachment, field), str | None):
                raise TypeError(f'attachment "{field}" must be a string or None')
        return
    # A Message part can only exist once email.message is loaded: no import needed here.
    email_message = sys.modules.get("email.message")
    if email_message is None or not isinstance(attachment, email_message.Message):
        raise TypeError(
            "attachments must be Attachments, (filename, content, mimetype) tuples or "
            f"email.message.Message parts, not {_name(attachment)}"
        )


def _send_at(value: Any) -> None:
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return
    # A datetime or date can only exist once the datetime module is loaded.
    datetime_module = sys.modules.get("datetime")
    if datetime_module is None or not isinstance(value, datetime_module.date):
        raise TypeError(
            '"send_at" must be a datetime, a date or a POSIX timestamp, not ' + _name(value)
        )


def _header_values(headers: Any, field: str) -> None:
    for name, value in (headers or {}).items():
        if not isinstance(name, str):
            raise TypeError(f'"{field}" names must be strings, not {_name(name)}')
        if not isinstance(value, str):
            raise TypeError(f'"{field}[{name!r}]" must be a string, not {_name(value)}')


def _string(value: Any, field: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f'"{field}" must be a string, not {_name(value)}')


def _is_mapping(value: Any) -> bool:
    # What dict() itself looks for; collections.abc would cost milliseconds of cold start.
    return hasattr(value, "keys") and hasattr(value, "__getitem__")


def _name(value: Any) -> str:
    return type(value).__name__
