"""The raw MIME of a plain send: structure and top-level headers, CRLF, 7bit-clean. Pure.

Header text arrives checked (``headers.check_header_text``); non-ASCII text is written
as RFC 2047 encoded-words. Leaf parts come from ``parts`` and ``attachments``.

>>> build_mime(subject="Hi", address_headers={"From": "a@example.com"},
...            bodies=[("Hello", "text/plain", "body")])[:30]
b'Content-Type: text/plain; char'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.policy import compat32
from email.utils import formatdate
from typing import Any

from sesbridge.exceptions import InvalidMessage
from sesbridge.sending.attachment import Attachment
from sesbridge.sending.attachment_parts import attachment_part
from sesbridge.sending.headers import has_header
from sesbridge.sending.jsondata import strict_json
from sesbridge.sending.parts import MAX_LINE, text_part

#: SES v2's limit for a whole message, attachments included.
MAX_MESSAGE_BYTES = 40 * 1024 * 1024

_POLICY = compat32.clone(linesep="\r\n")


def build_mime(
    *,
    subject: str,
    address_headers: Mapping[str, str | None],
    headers: Mapping[str, str] | None = None,
    bodies: Sequence[tuple[str, str, str]] = (),
    attachments: Sequence[Attachment | Message] = (),
    tags: Sequence[str] = (),
    metadata: Mapping[str, Any] | None = None,
) -> bytes:
    """Serialize a message as CRLF, 7bit-clean MIME.

    ``address_headers`` are the From/To/Cc/Reply-To values (None: left out), ``bodies``
    (content, mimetype, argument name) triples, ``headers`` the caller's other headers, all checked
    already: each header is written once. Bcc never appears here.
    """
    parts = [attachment_part(a, n) for n, a in enumerate(attachments)]
    inline = [p for p, a in zip(parts, attachments, strict=True) if _inline(a)]
    files = [p for p, a in zip(parts, attachments, strict=True) if not _inline(a)]

    root = _alternatives(bodies)
    if inline:
        root = _multipart("related", [root, *inline])
    if files:
        root = _multipart("mixed", [root, *files])

    root["Subject"] = _header_value(subject)
    for name, value in address_headers.items():
        if value:
            root[name] = value
    extra = headers or {}
    if not has_header(extra, "Date"):
        root["Date"] = formatdate(usegmt=True)
    for name, value in extra.items():
        root[name] = _header_value(value)
    if metadata:
        root["X-Metadata"] = strict_json(metadata, "metadata")
    for tag in tags:
        root["X-Tag"] = _header_value(tag)

    raw = root.as_bytes(policy=_POLICY)
    if len(raw) > MAX_MESSAGE_BYTES:
        raise InvalidMessage(
            f"the message (body and attachments) is {len(raw)} bytes; "
            f"Amazon SES accepts at most {MAX_MESSAGE_BYTES}"
        )
    _check_line_lengths(raw)
    return raw


def _inline(attachment: Attachment | Message) -> bool:
    return isinstance(attachment, Attachment) and attachment.inline


# header -> the argument its text comes from, for errors
_SOURCES = {
    "subject": "subject",
    "from": "from_email",
    "to": "to",
    "cc": "cc",
    "reply-to": "reply_to",
    "x-tag": "tags",
    "x-metadata": "metadata",
    "content-disposition": "attachments (filename)",
}


def _check_line_lengths(raw: bytes) -> None:
    # Headers fold only at whitespace: a long value without spaces (one long metadata
    # string, a long file name) would leave a line longer than SMTP allows, which mail
    # servers reject. Bodies are encoded in short lines, so only header lines can be long.
    name = b""
    for line in raw.split(b"\r\n"):
        if line[:1] not in (b" ", b"\t"):  # else a continuation of the previous header
            name = line.split(b":", 1)[0]
        if len(line) > MAX_LINE:
            header = name.decode("ascii", "replace")
            source = _SOURCES.get(header.lower(), f"headers[{header!r}]")
            raise InvalidMessage(
                f"{source}: the {header} header has a line of {len(line)} characters with "
                f"no space to fold at; SMTP allows {MAX_LINE}"
            )


def _alternatives(bodies: Sequence[tuple[str, str, str]]) -> Message:
    parts = [text_part(content, mimetype, field) for content, mimetype, field in bodies]
    parts = parts or [text_part("", "text/plain", "body")]
    return parts[0] if len(parts) == 1 else _multipart("alternative", parts)


def _multipart(subtype: str, parts: list[Message]) -> Message:
    container = MIMEMultipart(subtype, _subparts=parts)
    for part in parts:  # only the top-level part needs MIME-Version
        del part["MIME-Version"]
    return container


def _header_value(value: str) -> str | Header:
    # Non-ASCII header text becomes RFC 2047 encoded-words when serialized.
    return value if value.isascii() else Header(value, "utf-8")
