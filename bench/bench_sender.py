"""Sender benchmarks: import cost of the send API, and building a typical message's request
next to django-anymail 15.2 building the same message (nothing is sent by either)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bench.common import Result, best_of, import_time, interleaved

LAYER = Path(__file__).resolve().parents[1] / "layers" / "sesbridge"
# Import this checkout's layer in the fresh interpreters, whatever is installed.
_PATH = f"import sys; sys.path.insert(0, {str(LAYER)!r}); "

SUBJECT = "Your order #1234 has shipped"
TEXT = "Hello Zoë,\n\nyour order is on its way.\n" + "Thank you for shopping with us.\n" * 40
HTML = "<html><body><p>Hello Zoë,</p>" + "<p>Thank you for shopping with us.</p>" * 40 + "</body>"
PDF = bytes(range(256)) * 80  # 20 KB of binary
CSV = "sku,qty,price\n" + "A-100,1,9.99\n" * 200
TAGS = ["orders", "shipping"]
METADATA = {"order_id": "1234", "customer_id": 987, "region": "eu"}
FROM = "Shop <shop@example.com>"
TO = ["Zoë <zoe@example.net>"]


def _sesbridge_build() -> Any:
    import sys

    sys.path.insert(0, str(LAYER))
    from sesbridge.sending.message import EmailMessage
    from sesbridge.sending.payload import build_requests
    from sesbridge.sending.settings import SenderSettings

    settings = SenderSettings(configuration_set_name="tracking")

    def build() -> Any:
        message = EmailMessage(SUBJECT, TEXT, FROM, TO, tags=TAGS, metadata=METADATA)
        message.attach_alternative(HTML, "text/html")
        message.attach("invoice.pdf", PDF, "application/pdf")
        message.attach("items.csv", CSV, "text/csv")
        return build_requests(message, settings).params

    return build


def _anymail_build() -> Any:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            EMAIL_BACKEND="anymail.backends.amazon_ses.EmailBackend",
            ANYMAIL={"AMAZON_SES_CONFIGURATION_SET_NAME": "tracking"},
            DEFAULT_CHARSET="utf-8",
        )
        django.setup()
    from anymail.backends.amazon_ses import EmailBackend
    from anymail.message import AnymailMessage

    backend = EmailBackend()
    backend.client = object()  # never used: only the payload is built

    def build() -> Any:
        message = AnymailMessage(SUBJECT, TEXT, FROM, TO, tags=TAGS, metadata=METADATA)
        message.attach_alternative(HTML, "text/html")
        message.attach("invoice.pdf", PDF, "application/pdf")
        message.attach("items.csv", CSV, "text/csv")
        payload = backend.build_message_payload(message, backend.send_defaults)
        payload.finalize_payload()  # renders the raw MIME into params
        return payload.params

    return build


def run() -> list[Result]:
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    ours, theirs = _sesbridge_build(), _anymail_build()
    ours(), theirs()  # warm up caches (mimetypes, Django's DNS name) on both sides
    build_ours, build_theirs = interleaved(
        lambda: best_of(ours, repeat=5, number=50),
        lambda: best_of(theirs, repeat=5, number=50),
        rounds=5,
    )
    # the stdlib email package with its message model: a stable, familiar yardstick
    email_package = import_time("import email.message")
    return [
        Result(
            "build typical message (text, html, 2 attachments, tags, metadata)",
            build_ours * 1e3,
            build_theirs * 1e3,
            "ms",
            limit=1.0,
            note="vs django-anymail 15.2 building the same SendEmail params",
        ),
        Result(
            "import sesbridge",
            import_time(_PATH + "import sesbridge") * 1e3,
            email_package * 1e3,
            "ms",
            note="vs `import email.message`, for scale; loads no boto3/botocore",
        ),
        Result(
            "from sesbridge import EmailMessage",
            import_time(_PATH + "from sesbridge import EmailMessage") * 1e3,
            email_package * 1e3,
            "ms",
            note="vs `import email.message`, for scale",
        ),
    ]
