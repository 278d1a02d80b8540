"""The new text of a reply, without the quoted earlier mail and the signature (pure).

The heuristics are mail-parser-reply's (``On ... wrote:`` in many languages, Outlook's
``From:/Sent:`` blocks and separators, ``>`` quotes, signatures); this module only
bounds the input and keeps any failure inside: extraction never loses the event.
An HTML-only mail is first read as text, its ``<blockquote>`` lines quoted with ``>``.

Example::

    reply_fields("Thanks!\\n\\nOn Mon, ... wrote:\\n> old", None)
    # {"stripped_text": "Thanks!", "stripped_text_capped": False, "stripped_text_failed": False}
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

# Only the beginning of a body is read: the new text of a reply comes first, and the
# library's regexes must not run over a 30 MB body.
MAX_REPLY_CHARS = 64 * 1024

# Elements that end a line when read as text.
_BLOCKS = frozenset(
    ("address", "article", "br", "dd", "div", "dl", "dt", "h1", "h2", "h3", "h4", "h5", "h6",
     "hr", "li", "ol", "p", "pre", "section", "table", "tr", "ul")
)  # fmt: skip
_SKIPPED = frozenset(("head", "script", "style", "title"))


def reply_fields(text: str | None, html: str | None) -> dict[str, Any]:
    """``stripped_text`` and its flags for the event's ``message`` object; never raises.

    ``stripped_text`` is None when the mail has no text part nor HTML part, or when the
    extraction failed (``stripped_text_failed``). ``stripped_text_capped`` says only the
    first ``MAX_REPLY_CHARS`` characters of the body were read.
    """
    body = text if text else (html_as_text(html[:MAX_REPLY_CHARS]) if html else None)
    source = text if text else html
    fields: dict[str, Any] = {
        "stripped_text": None,
        "stripped_text_capped": bool(source) and len(source) > MAX_REPLY_CHARS,
        "stripped_text_failed": False,
    }
    if not body:
        return fields
    try:
        fields["stripped_text"] = stripped_reply(body[:MAX_REPLY_CHARS])
    except Exception:  # any failure in the library leaves the event whole
        fields["stripped_text_failed"] = True
    return fields


def stripped_reply(text: str) -> str:
    """The latest reply in ``text``: quotes, reply headers and signature removed."""
    # Imported here: only mails with a body pay for the library's regexes.
    from mailparser_reply import EmailReplyParser

    message = EmailReplyParser(languages=_LANGUAGES).read(text)
    return message.replies[0].body if message.replies else ""


# Every language the library knows: a reply's language is not told by its headers.
_LANGUAGES = ["en", "de", "fr", "es", "nl", "it", "pl", "sv", "da", "cs", "ja", "ko", "zh"]


def html_as_text(html: str) -> str:
    """The text of an HTML body, one line per block, lines inside ``<blockquote>`` quoted."""
    reader = _TextReader()
    reader.feed(html)
    reader.close()
    return reader.text()


class _TextReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._lines: list[str] = []
        self._line: list[str] = []
        self._depth = 0  # blockquote nesting
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag == "blockquote":
            self._end_line()
            self._depth += 1
        elif tag in _BLOCKS:
            self._end_line()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag == "blockquote":
            self._end_line()
            self._depth = max(0, self._depth - 1)
        elif tag in _BLOCKS:
            self._end_line()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._line.append(" ".join(data.split()) if data.strip() else " " if data else "")

    def _end_line(self) -> None:
        line = "".join(self._line).strip()
        self._line = []
        if line:
            self._lines.append("> " * self._depth + line)
        elif self._lines and self._lines[-1]:
            self._lines.append("")

    def text(self) -> str:
        self._end_line()
        return "\n".join(self._lines).strip()
