"""The new text of a reply, without the quoted earlier mail and the signature (pure).

The heuristics are mail-parser-reply's (``On ... wrote:`` in many languages, Outlook's
``From:/Sent:`` blocks and separators, ``>`` quotes, signatures); this module only
bounds the input and keeps any failure inside: extraction never loses the event.
An HTML-only mail is first read as text, its ``<blockquote>`` lines quoted with ``>``.

Example::

    reply_fields("Thanks!\\n\\nOn Mon, ... wrote:\\n> old", None)
    # {"stripped_text": "Thanks!", "stripped_text_capped": False, ...}
"""

from __future__ import annotations

from typing import Any

# Only the beginning of a body is read: the new text of a reply comes first, and the
# library's regexes cost about 1 ms per KB.
MAX_REPLY_CHARS = 8 * 1024


def reply_fields(text: str | None, html: str | None) -> dict[str, Any]:
    """``stripped_text`` and its flags for the event's ``message`` object; never raises.

    ``stripped_text`` is None when the mail has no text part nor HTML part, or when the
    extraction failed (``stripped_text_failed``). ``stripped_text_capped`` says only the
    first ``MAX_REPLY_CHARS`` characters of the body were read (of an HTML-only mail:
    of its HTML).
    """
    source = text if text else html
    fields: dict[str, Any] = {
        "stripped_text": None,
        "stripped_text_capped": bool(source) and len(source) > MAX_REPLY_CHARS,
        "stripped_text_failed": False,
    }
    if not source:
        return fields
    try:
        body = source[:MAX_REPLY_CHARS]
        if not text:
            from sesbridge.inbound.html_text import html_as_text  # only HTML-only mails pay

            body = html_as_text(body)
        fields["stripped_text"] = stripped_reply(body) if body else None
    except Exception:  # any failure in the library leaves the event whole
        fields["stripped_text_failed"] = True
    return fields


def stripped_reply(text: str) -> str:
    """The latest reply in ``text``: quotes, reply headers and signature removed."""
    # Imported here: only mails with a body pay for the library's regexes.
    from mailparser_reply import EmailReplyParser

    message = EmailReplyParser(languages=list(_LANGUAGES)).read(text)
    return message.replies[0].body if message.replies else ""


# The languages whose reply headers are recognized. Each one adds to the regexes the
# library compiles at every cold start (about 6 ms each), so not all it knows.
_LANGUAGES = ["en", "de", "fr", "es", "nl", "it"]
