"""Attachments and inline images -> MIME parts. Pure.

A ``multipart/*`` or other ``message/*`` type cannot be given as file content (it would
need a structure, not bytes) and is refused; ``message/rfc822`` is nested as a message.
"""

from __future__ import annotations

import re
from email.message import Message

from sesbridge.exceptions import InvalidMessage
from sesbridge.sending.attachment import Attachment
from sesbridge.sending.headers import check_header_text
from sesbridge.sending.parts import base64_part, make_7bit, message_part, split_mimetype, text_part

# A Content-ID without its <>: printable ASCII, no spaces or angle brackets.
_CONTENT_ID = re.compile(r"[!-;=?-~]{1,250}")

_IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"RIFF", "image/webp"),
)


def attachment_part(attachment: Attachment | Message, number: int) -> Message:
    """The MIME part for ``attachments[number]``."""
    field = f"attachments[{number}]"
    if isinstance(attachment, Message):
        return _given_part(attachment, field)
    content = attachment.content
    mimetype = attachment.mimetype or _guess_type(attachment)
    maintype, subtype = split_mimetype(mimetype, f"{field} mimetype")
    part: Message
    if maintype == "text":
        part = _text_attachment(content, maintype, subtype, field)
    elif (maintype, subtype) == ("message", "rfc822"):
        part = message_part(_bytes(content, field), field)
    elif maintype in ("multipart", "message"):
        raise InvalidMessage(
            f"{field}: {mimetype} cannot be attached as content; "
            "attach an email.message.Message part, or use application/octet-stream"
        )
    else:
        part = base64_part(maintype, subtype, _bytes(content, field))
    del part["MIME-Version"]
    disposition = "inline" if attachment.inline else "attachment"
    if attachment.filename:
        check_header_text(attachment.filename, f"{field} filename")
        part.add_header("Content-Disposition", disposition, filename=attachment.filename)
    else:
        part.add_header("Content-Disposition", disposition)
    if attachment.content_id is not None:
        if not _CONTENT_ID.fullmatch(attachment.content_id):
            raise InvalidMessage(
                f"{field}: invalid content_id {attachment.content_id!r} "
                "(printable ASCII without spaces or <>)"
            )
        part["Content-ID"] = f"<{attachment.content_id}>"
    return part


def _text_attachment(content: str | bytes, maintype: str, subtype: str, field: str) -> Message:
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError:  # not UTF-8: send the bytes as they are
            return base64_part(maintype, subtype, content)
    return text_part(content, f"{maintype}/{subtype}", field)


def _given_part(part: Message, field: str) -> Message:
    """A caller-built part, used as it is once its headers are header text and every
    leaf is re-encoded 7bit-clean."""
    for leaf in part.walk():
        for name, value in leaf.items():
            check_header_text(str(value), f"{field} {name} header")
        make_7bit(leaf)
    return part


def _bytes(content: str | bytes, field: str) -> bytes:
    if isinstance(content, bytes):
        return content
    try:
        return content.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InvalidMessage(f"{field}: content is not encodable text ({error.reason})") from None


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
