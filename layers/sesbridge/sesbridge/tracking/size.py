"""The documented rule that shrinks a tracking event too large for EventBridge (256 KB).

In order, until the entry fits: drop ``esp_event.mail.headers`` (tags and metadata
were already read from them), then ``esp_event.mail.commonHeaders``. Either sets
``esp_event_trimmed``. Everything else, and every normalized field, is kept.
"""

from __future__ import annotations

from typing import Any

from sesbridge.events.entries import Reducer


def _without_mail_key(key: str) -> Reducer:
    def reduce(detail: dict[str, Any]) -> dict[str, Any] | None:
        esp_event = detail["esp_event"]
        mail = esp_event.get("mail")
        if not isinstance(mail, dict) or key not in mail:
            return None
        # Copies: the details of one SES event share its esp_event.
        trimmed_mail = {k: v for k, v in mail.items() if k != key}
        return {
            **detail,
            "esp_event": {**esp_event, "mail": trimmed_mail},
            "esp_event_trimmed": True,
        }

    reduce.__name__ = f"drop_mail_{key}"
    return reduce


drop_mail_headers = _without_mail_key("headers")
drop_mail_common_headers = _without_mail_key("commonHeaders")

TRACKING_REDUCERS: tuple[Reducer, ...] = (drop_mail_headers, drop_mail_common_headers)
