"""Header text rules: the one check every header sesbridge writes goes through. Pure.

Header text may hold any printable character and tabs; control characters (C0 but tab,
DEL, C1), Unicode line separators and lone surrogates are refused, so no value can end
the header section, start a new header or fail to encode.

>>> check_header_text("Grüße\\x0b", "subject")
Traceback (most recent call last):
sesbridge.exceptions.InvalidMessage: subject: control character U+000B in 'Grüße\\x0b'
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sesbridge.exceptions import InvalidMessage

# str.splitlines() breaks at \x0b \x0c \x1c-\x1e \x85 \u2028 \u2029, and email's parser
# with it: each of these would cut a header in two.
_NOT_HEADER_TEXT = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
# Printable ASCII but the colon (RFC 5322 2.2); SES allows names of 1-126 characters.
_HEADER_NAME = re.compile(r"[!-9;-~]{1,126}")

#: Headers sesbridge derives from the bodies and attachments: a caller's value would
#: contradict the MIME structure, so they are refused.
STRUCTURE_HEADERS = frozenset({"mime-version", "content-type", "content-transfer-encoding"})


def check_header_text(value: str, field: str) -> str:
    """``value`` if it can be header text, else InvalidMessage naming ``field``."""
    found = _NOT_HEADER_TEXT.search(value)
    if found is not None:
        char = found.group()
        what = "line break" if char in "\r\n" else "control character"
        if "\ud800" <= char <= "\udfff":
            what = "lone surrogate (not encodable text)"
        raise InvalidMessage(f"{field}: {what} U+{ord(char):04X} in {value!r}")
    return value


def check_header(name: object, value: object, field: str = "headers") -> None:
    """A caller's header: a valid name and a string value that is header text."""
    if not isinstance(name, str):
        raise TypeError(f'"{field}" names must be strings, not {type(name).__name__}')
    if not _HEADER_NAME.fullmatch(name):
        raise InvalidMessage(
            f"{field}: invalid header name {name!r} (printable ASCII but ':', 1-126 characters)"
        )
    if not isinstance(value, str):
        raise TypeError(f'"{field}[{name!r}]" must be a string, not {type(value).__name__}')
    check_header_text(value, f"{field}[{name!r}]")


def caller_headers(headers: Mapping[str, str], field: str = "headers") -> dict[str, str]:
    """The caller's headers, checked: each named once (header names ignore case), none
    that sesbridge must write itself. Keys are spelled as given."""
    spelled: dict[str, str] = {}
    for name, value in headers.items():
        check_header(name, value, field)
        key = name.lower()
        if key in spelled:
            raise InvalidMessage(
                f"{field}: {spelled[key]!r} and {name!r} are the same header; give it once"
            )
        if key in STRUCTURE_HEADERS:
            raise InvalidMessage(
                f"{field}: {name} is written by sesbridge from the bodies and attachments"
            )
        if key == "bcc":
            raise InvalidMessage(f"{field}: a Bcc header would show every bcc; use bcc=[...]")
        spelled[key] = name
    return dict(headers)


def pop_header(headers: dict[str, str], name: str) -> str | None:
    """Remove and return the header ``name`` (any case), or None."""
    for key in list(headers):
        if key.lower() == name.lower():
            return headers.pop(key)
    return None


def has_header(headers: Mapping[str, str], name: str) -> bool:
    return any(key.lower() == name.lower() for key in headers)


def check_own_headers(
    headers: Mapping[str, str], field: str, *, tags: bool, metadata: bool
) -> None:
    """X-Tag and X-Metadata carry ``tags`` and ``metadata``: a header of the same name next
    to them would be a second, contradicting copy."""
    for name, given in (("X-Tag", tags), ("X-Metadata", metadata)):
        if given and has_header(headers, name):
            source = "tags" if name == "X-Tag" else "metadata"
            raise InvalidMessage(f"{field}: {name} is written from {source}; give one of them")
