"""Leaf MIME parts, each 7bit-clean: text, base64 data, a nested message. Pure.

Text is us-ascii 7bit when it can be, else UTF-8 quoted-printable; everything else is
base64. SES open/click tracking rewrites bodies and mangles 8bit parts, so none is left.
"""

from __future__ import annotations

import re
from email import encoders
from email.charset import QP, Charset
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email.mime.text import MIMEText
from email.parser import BytesParser
from email.policy import compat32

from sesbridge.exceptions import InvalidMessage

MAX_LINE = 998  # RFC 5322: longer lines must be encoded

_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP
# RFC 6838 type and subtype names.
_NAME = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
_MIMETYPE = re.compile(f"({_NAME})/({_NAME})")
# RFC 2045 7bit: ASCII without NUL, lines of at most 998 octets.
_NOT_7BIT = re.compile(f"[^\x01-\x7f]|[^\r\n]{{{MAX_LINE + 1}}}")


def split_mimetype(mimetype: str, field: str) -> tuple[str, str]:
    """``("text", "html")`` for "text/html"; InvalidMessage naming ``field`` otherwise."""
    found = _MIMETYPE.fullmatch(mimetype)
    if found is None:
        raise InvalidMessage(f"{field}: invalid mimetype {mimetype!r} (expected type/subtype)")
    return found.group(1).lower(), found.group(2).lower()


def text_part(text: str, mimetype: str, field: str) -> Message:
    maintype, subtype = split_mimetype(mimetype, field)
    if maintype != "text":
        raise InvalidMessage(f"{field}: a body must be text/*, got {mimetype!r}")
    if is_7bit(text):
        return MIMEText(text, subtype, "us-ascii")
    try:
        return MIMEText(text, subtype, _UTF8_QP)
    except UnicodeEncodeError as error:  # a lone surrogate: not text
        raise InvalidMessage(f"{field}: {error.reason} (U+{ord(text[error.start]):04X})") from None


def base64_part(maintype: str, subtype: str, content: bytes) -> Message:
    part = MIMEBase(maintype, subtype)
    part.set_payload(content)
    encoders.encode_base64(part)
    return part


def message_part(raw: bytes, field: str) -> Message:
    """A ``message/rfc822`` part. message/* must not be base64-encoded (RFC 2046 5.2.1),
    so the nested message's own parts are re-encoded instead; its headers must already
    be 7-bit (they cannot be re-encoded without rewriting the message)."""
    nested = BytesParser(policy=compat32).parsebytes(raw)
    for part in nested.walk():
        if part.defects:
            raise InvalidMessage(
                f"{field}: not a well-formed message/rfc822 ({part.defects[0].__class__.__name__});"
                " attach it as application/octet-stream"
            )
        for name, value in part.items():
            # compat32 gives a Header, not a str, for a value with 8-bit bytes
            if not isinstance(value, str) or not is_7bit(value):
                raise InvalidMessage(
                    f"{field}: the attached message's {name} header is not 7-bit text; "
                    "attach it as application/octet-stream"
                )
        make_7bit(part)
    return MIMEMessage(nested)


def is_7bit(text: str) -> bool:
    return _NOT_7BIT.search(text) is None


def make_7bit(part: Message) -> None:
    """Re-encode a leaf part whose payload is not 7bit-clean (8bit, binary, long lines)."""
    if part.is_multipart():
        return
    payload = part.get_payload()
    if isinstance(payload, str) and is_7bit(payload):
        return
    data = part.get_payload(decode=True)
    del part["Content-Transfer-Encoding"]
    if part.get_content_maintype() == "text":
        # Line ends stay line ends (quoted-printable would keep a CR as "=0D").
        part.set_payload(data.replace(b"\r\n", b"\n"))
        encoders.encode_quopri(part)
        return
    part.set_payload(data)
    encoders.encode_base64(part)
