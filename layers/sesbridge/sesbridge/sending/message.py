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
from sesbridge.sending.arguments import (
    check_attachment,
    check_types,
    mapping,
    sequence,
    string_list,
)
from sesbridge.sending.attachment import Attachment

__all__ = ["Attachment", "EmailMessage"]

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    import email.message
    from collections.abc import Iterable, Mapping, Sequence
    from datetime import date, datetime
    from email.message import Message
    from os import PathLike
    from typing import Any

    from sesbridge.sending.sender import Sender
    from sesbridge.sending.settings import SenderSettings
    from sesbridge.sending.status import SendStatus


class EmailMessage:
    """An email for Amazon SES, with django-anymail's attributes.

    ``body`` is plain text unless ``content_subtype = "html"``; further bodies come from
    ``attach_alternative``. ``template_id`` turns the send into an SES template send
    (SendBulkEmail, one copy per recipient, with ``merge_data``). ``tenant`` names the
    SES tenant the mail is sent as (``TenantName``); ``send_at`` schedules it (see
    ``sesbridge.sending.schedule``); with ``idempotency_key``, scheduling the same send
    again finds the schedule made the first time instead of making a second.
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
        send_at: datetime | date | float | None = None,
        tenant: str | None = None,
        idempotency_key: str | None = None,
    ) -> None:
        self.subject = subject
        self.body = body
        self.from_email = from_email
        self.to = string_list(to, "to")
        self.cc = string_list(cc, "cc")
        self.bcc = string_list(bcc, "bcc")
        self.reply_to = string_list(reply_to, "reply_to")
        self.extra_headers: dict[str, str] = dict(mapping(headers, "headers") or {})
        self.attachments: list[Attachment | Message] = []
        for attachment in sequence(attachments, "attachments", "attachments"):
            if isinstance(attachment, tuple):
                self.attach(*attachment)
            else:
                check_attachment(attachment)
                self.attachments.append(attachment)
        self.alternatives: list[tuple[str, str]] = []
        self.tags = string_list(tags, "tags", "tags") if tags is not None else None
        self.metadata = dict(mapping(metadata, "metadata")) if metadata is not None else None
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
        self.tenant = tenant
        self.idempotency_key = idempotency_key
        self.send_status: SendStatus | None = None  # set by send()
        check_types(self)

    def attach(
        self,
        filename: str | Attachment | Message | None = None,
        content: bytes | str | None = None,
        mimetype: str | None = None,
    ) -> None:
        """Attach a file (``filename``, ``content``, ``mimetype`` guessed when omitted),
        an ``Attachment``, or a ready ``email.message.Message`` part."""
        if content is None and filename is not None and not isinstance(filename, str):
            check_attachment(filename)
            self.attachments.append(filename)
            return
        attachment = Attachment(filename, content, mimetype)  # type: ignore[arg-type]
        check_attachment(attachment)
        self.attachments.append(attachment)

    def attach_alternative(self, content: str, mimetype: str) -> None:
        """Add another body, e.g. ``attach_alternative(html, "text/html")``."""
        if not isinstance(content, str) or not isinstance(mimetype, str):
            raise TypeError('attach_alternative() takes a str "content" and a str "mimetype"')
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
        attachment = Attachment(filename, content, mimetype, content_id)
        check_attachment(attachment)
        self.attachments.append(attachment)
        return content_id

    def attach_file(self, path: str | PathLike[str], mimetype: str | None = None) -> None:
        """Attach the file at ``path``, named by its file name; ``mimetype`` is guessed
        from the name when omitted."""
        from pathlib import Path

        file = Path(path)
        self.attach(file.name, file.read_bytes(), mimetype)

    def attach_inline_image_file(
        self,
        path: str | PathLike[str],
        subtype: str | None = None,
        idstring: str = "img",
        domain: str | None = None,
    ) -> str:
        """``attach_inline_image`` with the image read from ``path``; returns its Content-ID.

        >>> cid = message.attach_inline_image_file("static/logo.png")
        """
        from pathlib import Path

        file = Path(path)
        return self.attach_inline_image(file.read_bytes(), file.name, subtype, idstring, domain)

    def recipients(self) -> list[str]:
        """Every envelope recipient: the to, cc and bcc addresses, as given."""
        return [address for address in (*self.to, *self.cc, *self.bcc) if address]

    def message(self, settings: SenderSettings | None = None) -> email.message.EmailMessage:
        """The mail a plain send would send, parsed from its raw MIME (bcc, which travels
        only in the envelope, is not in it). ``settings`` default to the environment's,
        whose send defaults apply. Raises what ``send()`` would raise before a call."""
        from email import policy
        from email.parser import BytesParser

        from sesbridge.exceptions import InvalidMessage
        from sesbridge.sending.payload import build_requests
        from sesbridge.sending.raw_send import SendEmailRequest
        from sesbridge.sending.settings import SenderSettings

        if settings is None:
            settings = SenderSettings.from_environment()
        request = build_requests(self, settings)
        if not isinstance(request, SendEmailRequest):
            raise InvalidMessage("message(): SES renders template sends; they have no MIME here")
        raw = request.params["Content"]["Raw"]["Data"]
        return BytesParser(policy=policy.default).parsebytes(raw)  # type: ignore[return-value]

    def send(self, sender: Sender | None = None, fail_silently: bool = False) -> SendStatus:
        """Send through ``sender`` (default: ``get_default_sender()``); returns the status.

        Raises InvalidMessage/UnsupportedFeature before any API call, SendError when SES
        fails; with ``fail_silently`` these become a returned status of "failed" for every
        recipient, with the reason in ``error``. (TypeError, a bug, is raised regardless.)
        """
        from sesbridge.exceptions import SesbridgeError

        if sender is None:
            from sesbridge.sending.sender import get_default_sender

            sender = get_default_sender()
        try:
            self.send_status = sender.send(self)
        except SesbridgeError as error:
            if not fail_silently:
                raise
            from sesbridge.sending.status import SendStatus

            self.send_status = SendStatus.failed(self.recipients(), error)
        return self.send_status

    def __repr__(self) -> str:
        return f"<EmailMessage subject={self.subject!r} to={self.to!r}>"
