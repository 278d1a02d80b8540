"""The received mail, parsed with the standard library (pure).

``InboundMessage`` is an ``email.message.EmailMessage`` with django-anymail's
``AnymailInboundMessage`` conveniences: ``from_email``, ``to``, ``cc``, ``bcc``,
``subject``, ``date`` (timezone-aware), ``text``, ``html``, ``attachments``, ``inlines``,
``content_id_map``, and the envelope/verdict attributes the receipt adds. Addresses are
``EmailAddress`` objects: the formatted text (a ``str``, as before) with ``addr_spec``,
``display_name``, ``address``, ``username`` and ``domain``. Attachments are the parts with
``Content-Disposition: attachment``; inlines those with ``inline`` (a part without the
header is neither, as in the reference).

What a mail can cost is bounded, whatever its size: a header value is parsed from
its first ``MAX_HEADER_CHARS`` characters (the standard parser's memory grows much
faster than the value), comments nested deeper than ``MAX_COMMENT_DEPTH`` are read as
plain text, and parts nested deeper than ``MAX_PART_DEPTH`` are cut. Each cut is
flagged (``header_values_limited``, ``parts_truncated``); ``raw_items()`` and the
stored raw mail keep everything.

Example::

    message = parse_mime_bytes(raw)
    message.subject, message.text
    for part in message.attachments:
        part.get_filename(), part.get_content_type(), part.get_content_bytes()
    message.content_id_map["logo@example"].get_content_bytes()
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from email import errors as email_errors
from email.feedparser import BytesFeedParser
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from sesbridge.inbound.addresses import EmailAddress
from sesbridge.inbound.errors import CorruptMime, MimeTooDeep

# Parsing cost grows faster than the value: an 8 KB address field (about 200 addresses)
# peaks near 5 MB, 16 KB near 15 MB, 64 KB of encoded words near 200 MB.
MAX_HEADER_CHARS = 8 * 1024
# From, To, Cc: the fields of one name read in all (repeated fields add up).
MAX_ADDRESS_CHARS = 64 * 1024
MAX_COMMENT_DEPTH = 32
MAX_PART_DEPTH = 32

# Defects after which the parts cannot be told apart: the mail would read as garbage.
_FATAL_DEFECTS = (
    email_errors.NoBoundaryInMultipartDefect,
    email_errors.StartBoundaryNotFoundDefect,
)
_NEWLINES = re.compile(r"\r\n|\r")


def header_needs_limit(value: str) -> bool:
    """Whether parsing this raw header value must be bounded (see the module doc)."""
    return len(value) > MAX_HEADER_CHARS or _comments_too_deep(value)


def _comments_too_deep(value: str) -> bool:
    if value.count("(") <= MAX_COMMENT_DEPTH:  # the common case, without a Python loop
        return False
    depth = 0
    for char in value[:MAX_HEADER_CHARS]:
        if char == "(":
            depth += 1
            if depth > MAX_COMMENT_DEPTH:
                return True
        elif char == ")":
            depth = max(depth - 1, 0)
    return False


class BoundedPolicy(EmailPolicy):
    """``policy.default`` with a bound on what parsing one header value costs."""

    def header_fetch_parse(self, name: str, value: Any) -> Any:
        if isinstance(value, str) and header_needs_limit(value):
            value = value[:MAX_HEADER_CHARS]
            if _comments_too_deep(value):  # unstructured: no comment parsing, no recursion
                return super().header_fetch_parse("X-Unparsed", value)
        return super().header_fetch_parse(name, value)


# refold_source="none": serializing a part (a message/rfc822 attachment's size) writes
# its header fields as received instead of parsing each long one again to refold it.
BOUNDED_POLICY = BoundedPolicy(refold_source="none")


class InboundMessage(EmailMessage):
    """A received mail (or one of its parts) with AnymailInboundMessage's conveniences."""

    def __init__(self, policy: Any = BOUNDED_POLICY) -> None:
        super().__init__(policy)
        self.parts_truncated = False  # parts nested deeper than MAX_PART_DEPTH were cut
        # Set from the SES receipt (None when parsed on its own).
        self.envelope_sender: EmailAddress | None = None
        self.envelope_recipient: EmailAddress | None = None
        self.envelope_recipients: list[EmailAddress] = []
        self.spam_detected: bool | None = None
        self.virus_detected: bool | None = None
        # SES gives verdicts only (spamVerdict, X-SES-Spam-Verdict), never a score.
        self.spam_score: float | None = None
        self.stripped_text: str | None = None  # the reply without the quote (load_message)
        # Set by load_message from the event (see sesbridge.inbound.conversation).
        self.message_id: str | None = None
        self.in_reply_to: str | None = None
        self.references: list[str] = []
        self.reply_to_message_id: str | None = None
        self.thread_id: str | None = None
        self.verdicts: dict[str, str | None] = {}
        self.authenticated: bool | None = None
        self.mailbox_hash: str | None = None
        self.envelope_recipient_base: str | None = None

    # -- addresses and headers --

    def get_address_header(self, name: str) -> list[EmailAddress]:
        """Every address in the ``name`` headers, formatted (``Name <addr>``), decoded.

        The fields are parsed one at a time, the first ``MAX_ADDRESS_CHARS`` in all.
        """
        found: list[EmailAddress] = []
        for value in self._bounded_values(name, MAX_ADDRESS_CHARS):
            found.extend(_addresses(value))
        return found

    def _bounded_values(self, name: str, max_chars: int) -> Iterable[Any]:
        # Parsed lazily, one field at a time: get_all() would hold every parse tree at once.
        total, wanted = 0, name.lower()
        for raw_name, raw in self.raw_items():
            if raw_name.lower() == wanted:
                total += len(raw) if isinstance(raw, str) else 0
                if total > max_chars:
                    return
                yield self.policy.header_fetch_parse(raw_name, raw)

    @property
    def header_values_limited(self) -> bool:
        """Whether a header value was parsed from its start only, or as plain text, or
        address fields beyond ``MAX_ADDRESS_CHARS`` were left unread."""
        per_name: dict[str, int] = {}
        for name, value in self.raw_items():
            if not isinstance(value, str):
                continue
            if header_needs_limit(value):
                return True
            per_name[name.lower()] = per_name.get(name.lower(), 0) + len(value)
        return any(per_name.get(n, 0) > MAX_ADDRESS_CHARS for n in ("from", "to", "cc"))

    @property
    def from_email(self) -> EmailAddress | None:
        for value in self._bounded_values("From", MAX_ADDRESS_CHARS):
            addresses = _addresses(value)
            if addresses:
                return addresses[0]
        return None

    @property
    def to(self) -> list[EmailAddress]:
        return self.get_address_header("To")

    @property
    def cc(self) -> list[EmailAddress]:
        return self.get_address_header("Cc")

    @property
    def bcc(self) -> list[EmailAddress]:
        """The Bcc header's addresses (a received mail rarely has one: then [])."""
        return self.get_address_header("Bcc")

    @property
    def subject(self) -> str | None:
        value = self["Subject"]
        return None if value is None else header_text(value)

    @property
    def date(self) -> datetime | None:
        """The Date header as a timezone-aware datetime, or None when missing or invalid.

        A date in ``-0000`` (zone unknown, RFC 5322) reads as UTC."""
        value = self["Date"]
        if value is None:
            return None
        parsed = getattr(value, "datetime", None)
        if parsed is None:
            try:
                parsed = parsedate_to_datetime(str(value))
            except (TypeError, ValueError, IndexError):
                return None
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)

    def header_pairs(self, max_chars: int | None = None) -> list[tuple[str, str]]:
        """Header fields in order, values decoded (repeats such as Received kept).

        ``max_chars``: stop before the raw values pass this many characters in all (an
        event holds 256 KB; parsing costs time per field).
        """
        pairs, total = [], 0
        for name, raw in self.raw_items():
            total += len(raw) if isinstance(raw, str) else 0
            if max_chars is not None and total > max_chars:
                break
            pairs.append((name, header_text(self.policy.header_fetch_parse(name, raw))))
        return pairs

    # -- bodies and parts --

    @property
    def text(self) -> str | None:
        """The first text/plain part that is not an attachment, or None."""
        return self._body_text("text/plain")

    @property
    def html(self) -> str | None:
        """The first text/html part that is not an attachment, or None."""
        return self._body_text("text/html")

    def _body_text(self, content_type: str) -> str | None:
        for part in self.walk():
            if part.get_content_type() == content_type and not part.is_attachment():
                return part.get_content_text()
        return None

    @property
    def attachments(self) -> list[InboundMessage]:
        """Parts with ``Content-Disposition: attachment`` (inlines excluded)."""
        return [part for part in self.walk() if part.is_attachment()]

    @property
    def inlines(self) -> list[InboundMessage]:
        """Parts with ``Content-Disposition: inline`` (images an HTML body shows, ...)."""
        return [part for part in self.walk() if part.is_inline()]

    @property
    def content_id_map(self) -> dict[str, InboundMessage]:
        """Inline parts by Content-ID (without angle brackets), for ``cid:`` links."""
        return {
            part.content_id: part
            for part in self.walk()
            if part.is_inline() and part.content_id is not None
        }

    def is_inline(self) -> bool:
        return self.get_content_disposition() == "inline"

    def get_filename(self, failobj: Any = None) -> Any:
        filename = super().get_filename(failobj)
        return header_text(filename) if isinstance(filename, str) else filename

    @property
    def content_id(self) -> str | None:
        value = self["Content-ID"]
        if value is None:
            return None
        value = header_text(value).strip()
        return value[1:-1] if value.startswith("<") and value.endswith(">") else value

    def get_content_bytes(self) -> bytes:
        """The part's decoded payload (a message/rfc822 part: that message's bytes)."""
        if self.get_content_maintype() == "message":
            payload = self.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else payload
            return inner.as_bytes() if isinstance(inner, EmailMessage) else b""
        if self.is_multipart():
            raise ValueError("get_content_bytes() is not valid on a multipart part")
        return self.get_payload(decode=True) or b""

    def get_content_text(self, charset: str | None = None, errors: str = "replace") -> str:
        """The part's payload as text, newlines normalized to ``\\n``."""
        if self.get_content_maintype() == "message":
            return _NEWLINES.sub("\n", self.get_content_bytes().decode("utf-8", errors))
        payload = self.get_content_bytes()
        # No charset declared: UTF-8, which reads ASCII alike and the 8-bit UTF-8
        # that mailers send unlabelled.
        charset = charset or self.get_content_charset("utf-8")
        try:
            text = payload.decode(charset, errors)
        except LookupError:  # an unknown charset name: UTF-8 is the likeliest truth
            text = payload.decode("utf-8", errors)
        return _NEWLINES.sub("\n", text)


def header_text(value: object) -> str:
    """A header value as text. Raw 8-bit bytes in headers (unlabelled UTF-8, common in
    real mail) reach Python as surrogate escapes; they are decoded as UTF-8 here, so no
    lone surrogate reaches JSON."""
    text = str(value)
    if any("\udc80" <= c <= "\udcff" for c in text):
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text


def _addresses(value: Any) -> list[EmailAddress]:
    """The addresses of one parsed address header field, formatted and decoded."""
    addresses = getattr(value, "addresses", None)
    if addresses is not None:
        return [_email_address(a) for a in addresses if a.addr_spec or a.display_name]
    # A field the policy could not parse as addresses: keep what is there.
    return [
        EmailAddress(
            header_text(n),
            header_text(a),
            header_text(Address(display_name=n, addr_spec=a)) if n else header_text(a),
        )
        for n, a in _legacy_addresses(str(value))
        if a
    ]


def _email_address(address: Address) -> EmailAddress:
    text = header_text(address)
    return EmailAddress(header_text(address.display_name), header_text(address.addr_spec), text)


def _legacy_addresses(value: str) -> list[tuple[str, str]]:
    try:
        return getaddresses([value])
    except RecursionError:  # comments nested too deep even for the legacy parser
        return []


def parse_mime_chunks(chunks: Iterable[bytes]) -> InboundMessage:
    """Parse raw MIME fed in chunks (a streamed S3 body) without joining them first.

    Raises CorruptMime when the input is not a mail (MimeTooDeep when its parts nest
    deeper than the parser can follow).
    """
    parser = BytesFeedParser(_factory=InboundMessage, policy=BOUNDED_POLICY)
    # Errors of the source (S3, decryption) pass through untouched; only the parser's
    # own failures mean the mail is corrupt.
    for chunk in chunks:
        if chunk:
            _parse_step(parser.feed, chunk)
    message = _parse_step(parser.close)
    message.parts_truncated = _cut_deep_parts(message)
    _check_readable(message)
    return message


def parse_mime_bytes(raw: bytes) -> InboundMessage:
    """Parse raw MIME bytes; raises CorruptMime when they are not a mail."""
    return parse_mime_chunks((raw,))


def _parse_step(step: Any, *args: Any) -> Any:
    try:
        return step(*args)
    except RecursionError as error:
        raise MimeTooDeep("the raw mail nests parts deeper than the parser can follow") from error
    except (email_errors.MessageError, ValueError, IndexError, TypeError) as error:
        raise CorruptMime(f"the raw mail cannot be parsed as MIME: {error}") from error


def _cut_deep_parts(message: InboundMessage) -> bool:
    """Empty the parts nested deeper than MAX_PART_DEPTH; True when there were any.

    Iterative, so that walking, sizing and serializing the rest cannot recurse deep.
    """
    cut = False
    pending: list[tuple[EmailMessage, int]] = [(message, 0)]
    while pending:
        part, depth = pending.pop()
        payload = part.get_payload()
        if not isinstance(payload, list):
            continue
        if depth >= MAX_PART_DEPTH and payload:
            part.set_payload([])
            cut = True
            continue
        pending.extend((p, depth + 1) for p in payload if isinstance(p, EmailMessage))
    return cut


def _check_readable(message: InboundMessage) -> None:
    if not message.keys():
        raise CorruptMime("the raw mail has no header fields: it is not a MIME message")
    for part in message.walk():
        for defect in part.defects:
            if isinstance(defect, _FATAL_DEFECTS):
                raise CorruptMime(
                    f"the raw mail's MIME structure is broken ({type(defect).__name__}:"
                    f" {defect}); its parts cannot be separated"
                )
