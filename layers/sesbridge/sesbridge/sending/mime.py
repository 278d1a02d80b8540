"""The raw MIME of a plain send, 7bit-clean as SES wants it. Pure.

Text is us-ascii 7bit when it can be, else UTF-8 quoted-printable; every other part is
base64. SES open/click tracking rewrites bodies and mangles 8bit parts, so none is left.

>>> build_mime(subject="Hi", from_header="a@example.com", to_header="b@example.com",
...            bodies=[("Hello", "text/plain")])[:30]
b'Content-Type: text/plain; char'
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from email import encoders
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.parser import BytesParser
from email.policy import compat32
from email.utils import formatdate
from typing import Any

from sesbridge.exceptions import InvalidMessage
from sesbridge.sending.message import Attachment

#: SES v2's limit for a whole message, attachments included.
MAX_MESSAGE_BYTES = 40 * 1024 * 1024

_POLICY = compat32.clone(linesep="\r\n")
_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP
_MAX_LINE = 998  # RFC 5322: longer lines must be encoded


def build_mime(
    *,
    subject: str,
    from_header: str,
    to_header: str | None = None,
    cc_header: str | None = None,
    reply_to_header: str | None = None,
    headers: Mapping[str, str] | None = None,
    bodies: Sequence[tuple[str, str]] = (),
    attachments: Sequence[Attachment | Message] = (),
    tags: Sequence[str] = (),
    metadata: Mapping[str, Any] | None = None,
) -> bytes:
    """Serialize a message as CRLF, 7bit-clean MIME. ``bodies`` are (content, mimetype)
    pairs, ``headers`` extra headers (already validated). Bcc never appears here."""
    inline = [a for a in attachments if isinstance(a, Attachment) and a.inline]
    files = [a for a in attachments if not (isinstance(a, Attachment) and a.inline)]

    root = _alternatives(bodies)
    if inline:
        root = _multipart("related", [root, *(_attachment_part(a) for a in inline)])
    if files:
        root = _multipart("mixed", [root, *(_attachment_part(a) for a in files)])

    root["Subject"] = _header_value(subject)
    root["From"] = from_header
    for name, value in (("To", to_header), ("Cc", cc_header), ("Reply-To", reply_to_header)):
        if value:
            root[name] = value
    extra = dict(headers or {})
    if not any(name.lower() == "date" for name in extra):
        root["Date"] = formatdate(usegmt=True)
    for name, value in extra.items():
        root[name] = _header_value(value)
    if metadata:
        root["X-Metadata"] = serialize_metadata(metadata)
    for tag in tags:
        root["X-Tag"] = _header_value(tag)

    _make_7bit(root)
    raw = root.as_bytes(policy=_POLICY)
    if len(raw) > MAX_MESSAGE_BYTES:
        raise InvalidMessage(
            f"message is {len(raw)} bytes; Amazon SES accepts at most {MAX_MESSAGE_BYTES}"
        )
    _check_header_lines(raw)
    return raw


def _check_header_lines(raw: bytes) -> None:
    # Headers fold only at whitespace: a long value without spaces (e.g. one long metadata
    # string) would leave a line longer than SMTP allows, which mail servers reject.
    head = raw[: raw.find(b"\r\n\r\n")]
    name = b""
    for line in head.split(b"\r\n"):
        if not line[:1].isspace():  # else a continuation of the previous header
            name = line.split(b":", 1)[0]
        if len(line) > _MAX_LINE:
            raise InvalidMessage(
                f"header {name.decode('ascii', 'replace')} has a line of {len(line)} "
                f"characters with no space to fold at; SMTP allows {_MAX_LINE}"
            )


def serialize_metadata(metadata: Mapping[str, Any]) -> str:
    """Metadata as the one-line ASCII JSON the ``X-Metadata`` header carries."""
    try:
        # ", " and ": " separators give the header room to fold between items.
        return json.dumps(metadata)
    except (TypeError, ValueError) as error:
        raise InvalidMessage(f"metadata is not JSON-serializable: {error}") from None


def _alternatives(bodies: Sequence[tuple[str, str]]) -> Message:
    parts = [_text_part(content, mimetype) for content, mimetype in bodies] or [
        _text_part("", "text/plain")
    ]
    return parts[0] if len(parts) == 1 else _multipart("alternative", parts)


def _multipart(subtype: str, parts: list[Message]) -> Message:
    container = MIMEMultipart(subtype, _subparts=parts)
    for part in parts:  # only the top-level part needs MIME-Version
        del part["MIME-Version"]
    return container


def _text_part(text: str, mimetype: str) -> Message:
    maintype, _, subtype = mimetype.partition("/")
    if maintype != "text":
        raise InvalidMessage(f"alternative bodies must be text/*, got {mimetype!r}")
    if text.isascii() and all(len(line) <= _MAX_LINE for line in text.splitlines()):
        return MIMEText(text, subtype, "us-ascii")
    return MIMEText(text, subtype, _UTF8_QP)


def _attachment_part(attachment: Attachment | Message) -> Message:
    if isinstance(attachment, Message):
        return attachment
    mimetype = attachment.mimetype or _guess_type(attachment)
    maintype, _, subtype = mimetype.partition("/")
    content = attachment.content
    part: Message
    if maintype == "text":
        if isinstance(content, bytes):
            try:
                content = content.decode("utf-8")
            except UnicodeDecodeError:
                part = _base64_part(maintype, subtype, content)
        if isinstance(content, str):
            part = _text_part(content, mimetype)
    elif mimetype == "message/rfc822":
        # message/* must not be base64-encoded (RFC 2046 5.2.1): nest the parsed message.
        raw = content.encode("utf-8") if isinstance(content, str) else content
        part = MIMEMessage(BytesParser(policy=compat32).parsebytes(raw))
    else:
        raw = content.encode("utf-8") if isinstance(content, str) else content
        part = _base64_part(maintype, subtype or "octet-stream", raw)
    del part["MIME-Version"]
    disposition = "inline" if attachment.inline else "attachment"
    if attachment.filename:
        part.add_header("Content-Disposition", disposition, filename=attachment.filename)
    else:
        part.add_header("Content-Disposition", disposition)
    if attachment.content_id:
        part["Content-ID"] = f"<{attachment.content_id}>"
    return part


def _base64_part(maintype: str, subtype: str, content: bytes) -> Message:
    part = MIMEBase(maintype, subtype)
    part.set_payload(content)
    encoders.encode_base64(part)
    return part


_IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"RIFF", "image/webp"),
)


def _guess_type(attachment: Attachment) -> str:
    if attachment.filename:
        import mimetypes  # first use reads the system's type maps: only when needed

        guessed, _ = mimetypes.guess_type(attachment.filename)
        if guessed:
            return guessed
    if attachment.inline and isinstance(attachment.content, bytes):
        for signature, mimetype in _IMAGE_SIGNATURES:
            if attachment.content.startswith(signature):
                return mimetype
    return "text/plain" if isinstance(attachment.content, str) else "application/octet-stream"


def _header_value(value: str) -> str | Header:
    # Non-ASCII header text becomes RFC 2047 encoded-words when serialized.
    return value if value.isascii() else Header(value, "utf-8")


def _make_7bit(root: Message) -> None:
    """Re-encode any 8bit part (from a caller-built part or nested message)."""
    for part in root.walk():
        if part.get("Content-Transfer-Encoding", "").lower() in ("8bit", "binary"):
            del part["Content-Transfer-Encoding"]
            if part.get_content_maintype() == "text":
                encoders.encode_quopri(part)
            else:
                encoders.encode_base64(part)
