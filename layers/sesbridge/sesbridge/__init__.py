"""sesbridge: Amazon SES sending, tracking and inbound mail for AWS Lambda.

Importing the package is cheap: it loads no boto3/botocore. Public names are
resolved lazily on first access (PEP 562), so ``from sesbridge import EmailMessage``
only imports the sending modules, and a boto3 client is built on the first send.

Example::

    from sesbridge import EmailMessage

    EmailMessage(
        subject="Your order",
        body="Thanks!",
        from_email="shop@example.com",
        to=["customer@example.net"],
        tags=["orders"],
        metadata={"order_id": "1234"},
    ).send()
"""

from __future__ import annotations

import importlib

# Not `typing.TYPE_CHECKING`: importing typing would add milliseconds to every cold start.
TYPE_CHECKING = False

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "EmailMessage": "sesbridge.sending.message",
    "Sender": "sesbridge.sending.sender",
    "SenderSettings": "sesbridge.sending.settings",
    "SendStatus": "sesbridge.sending.status",
    "RecipientStatus": "sesbridge.sending.status",
    "get_default_sender": "sesbridge.sending.sender",
    "SesbridgeError": "sesbridge.exceptions",
    "UnsupportedFeature": "sesbridge.exceptions",
    "InvalidMessage": "sesbridge.exceptions",
    "SendError": "sesbridge.exceptions",
    "load_message": "sesbridge.inbound.loader",
    "cancel_scheduled": "sesbridge.sending.sender",
    "reschedule_scheduled": "sesbridge.sending.sender",
}

__all__ = [
    "EmailMessage",
    "InvalidMessage",
    "RecipientStatus",
    "SendError",
    "SendStatus",
    "Sender",
    "SenderSettings",
    "SesbridgeError",
    "UnsupportedFeature",
    "__version__",
    "cancel_scheduled",
    "get_default_sender",
    "load_message",
    "reschedule_scheduled",
]

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

    from sesbridge.exceptions import (
        InvalidMessage,
        SendError,
        SesbridgeError,
        UnsupportedFeature,
    )
    from sesbridge.inbound.loader import load_message
    from sesbridge.sending.message import EmailMessage
    from sesbridge.sending.sender import (
        Sender,
        cancel_scheduled,
        get_default_sender,
        reschedule_scheduled,
    )
    from sesbridge.sending.settings import SenderSettings
    from sesbridge.sending.status import RecipientStatus, SendStatus


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'sesbridge' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value  # cache: later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
