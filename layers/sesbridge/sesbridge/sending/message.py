"""The message to send: django-anymail's ``AnymailMessage`` without Django. Pure.

Example::

    from sesbridge import EmailMessage

    message = EmailMessage(
        "Your receipt", "Thanks for your order.", "Shop <shop@example.com>",
        ["customer@example.net"], tags=["receipts"], metadata={"order_id": "1234"},
    )
    message.attach_alternative("<p>Thanks for your order.</p>", "text/html")
    message.attach("receipt.pdf", pdf_bytes, "application/pdf")
    status = message.send()
"""

from __future__ import annotations

# Importing this module stays cheap (no typing/dataclasses/email.utils at import time):
# ``from sesbridge import EmailMessage`` is on every sending function's cold start.
TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable, Mapping, Sequence
    from datetime import datetime
    from email.message import Message
    from typing import Any

    from sesbridge.sending.sender import Sender
    from sesbridge.sending.status import SendStatus


class Attachment:
    """A file attached to the message; inline (shown in the HTML) when it has a content_id
    (without the <>)."""

    __slots__ = ("content", "content_id", "filename", "mimetype")

    def __init__(
        self,
        filename: str | None,
        content: bytes | str,
        mimetype: str | None = None,
        content_id: str | None = None,
    ) -> None:
        self.filename = filename
        self.content = content
        self.mimetype = mimetype
        self.content_id = content_id

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Attachment):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.__slots__)

    def __repr__(self) -> str:
        return f"Attachment({self.filename!r}, <{len(self.content)}>, {self.mimetype!r})"

    @property
    def inline(self) -> bool:
        return self.content_id is not None


class EmailMessage:
    """An email for Amazon SES, with django-anymail's attributes.

    ``body`` is plain text unless ``content_subtype = "html"``; further bodies come from
    ``attach_alternative``. ``template_id`` turns the send into an SES template send
    (SendBulkEmail, one copy per recipient, with ``merge_data``).
    """

    content_subtype = "plain"

    def __init__(
        self,
        subject: str = "",
        body: str = "",
        from_email: str | Sequence[str] | None = None,
        to: Sequence[str] | None = None,
        bcc: Sequence[str] | None = None,
        attachments: Iterable[Attachment | Message | tuple[Any, ...]] | None = None,
        headers: Mapping[str, str] | None = None,
        cc: Sequence[str] | None = None,
        reply_to: Sequence[str] | None = None,
        *,
        tags: Sequence[str] | None = None,
        metadata: Mapping[str, Any] | None = None,
        template_id: str | None = None,
        merge_data: Mapping[str, Mapping[str, Any]] | None = None,
        merge_global_data: Mapping[str, Any] | None = None,
        merge_metadata: Mapping[str, Mapping[str, Any]] | None = None,
        merge_headers: Mapping[str, Mapping[str, str]] | None = None,
        esp_extra: Mapping[str, Any] | None = None,
        envelope_sender: str | None = None,
        track_opens: bool | None = None,
        track_clicks: bool | None = None,
        send_at: datetime | None = None,
    ) -> None:
        self.subject = subject
        self.body = body
        self.from_email = from_email
        self.to = _address_list(to, "to")
        self.cc = _address_list(cc, "cc")
        self.bcc = _address_list(bcc, "bcc")
        self.reply_to = _address_list(reply_to, "reply_to")
        self.extra_headers: dict[str, str] = dict(headers or {})
        self.attachments: list[Attachment | Message] = []
        for attachment in attachments or ():
            if isinstance(attachment, tuple):
                self.attach(*attachment)
            else:
                self.attachments.append(attachment)
        self.alternatives: list[tuple[str, str]] = []
        self.tags = list(tags) if tags is not None else None
        self.metadata = dict(metadata) if metadata is not None else None
        self.template_id = template_id
        self.merge_data = merge_data
        self.merge_global_data = merge_global_data
        self.merge_metadata = merge_metadata
        self.merge_headers = merge_headers
        self.esp_extra = esp_extra
        self.envelope_sender = envelope_sender
        self.track_opens = track_opens
        self.track_clicks = track_clicks
        self.send_at = send_at
        self.send_status: SendStatus | None = None  # set by send()

    def attach(
        self,
        filename: str | Attachment | Message | None = None,
        content: bytes | str | None = None,
        mimetype: str | None = None,
    ) -> None:
        """Attach a file (``filename``, ``content``, ``mimetype`` guessed when omitted),
        an ``Attachment``, or a ready ``email.message.Message`` part."""
        if content is None and filename is not None and not isinstance(filename, str):
            self.attachments.append(filename)
            return
        if content is None:
            raise TypeError("attach() needs content")
        self.attachments.append(Attachment(filename, content, mimetype))  # type: ignore[arg-type]

    def attach_alternative(self, content: str, mimetype: str) -> None:
        """Add another body, e.g. ``attach_alternative(html, "text/html")``."""
        self.alternatives.append((content, mimetype))

    def attach_inline_image(
        self,
        content: bytes,
        filename: str | None = None,
        subtype: str | None = None,
        idstring: str = "img",
        domain: str | None = None,
    ) -> str:
        """Attach an image to show in the HTML body; returns its Content-ID for ``cid:``.

        >>> cid = message.attach_inline_image(png_bytes, "logo.png")
        >>> message.attach_alternative(f'<img src="cid:{cid}">', "text/html")
        """
        from email.utils import make_msgid, unquote

        # "inline" is a valid msgid domain that is never a real host (as django-anymail does).
        content_id = unquote(make_msgid(idstring, domain or "inline"))
        mimetype = f"image/{subtype}" if subtype else None
        self.attachments.append(Attachment(filename, content, mimetype, content_id))
        return content_id

    def send(self, sender: Sender | None = None) -> SendStatus:
        """Send through ``sender`` (default: ``get_default_sender()``); returns the status.

        Raises InvalidMessage/UnsupportedFeature before any API call, SendError when SES fails.
        """
        if sender is None:
            from sesbridge.sending.sender import get_default_sender

            sender = get_default_sender()
        self.send_status = sender.send(self)
        return self.send_status

    def __repr__(self) -> str:
        return f"<EmailMessage subject={self.subject!r} to={self.to!r}>"


def _address_list(value: Sequence[str] | None, field: str) -> list[str]:
    # A bare string is a classic mistake (it would be iterated letter by letter).
    if isinstance(value, str):
        raise TypeError(f'"{field}" must be a list or tuple of addresses, not a string')
    return list(value or ())
