"""Sender settings (explicit arguments > environment variables > defaults) and send defaults.

Example::

    settings = SenderSettings.from_environment(configuration_set_name="marketing")
    Sender(settings).send(message)
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from sesbridge.exceptions import SesbridgeError

if TYPE_CHECKING:  # pragma: no cover
    from sesbridge.sending.message import EmailMessage

# setting -> environment variable; the only place these names are spelled.
ENVIRONMENT_VARIABLES = {
    "configuration_set_name": "SESBRIDGE_CONFIGURATION_SET_NAME",
    "message_tag_name": "SESBRIDGE_MESSAGE_TAG_NAME",
    "client_params": "SESBRIDGE_CLIENT_PARAMS",
    "session_params": "SESBRIDGE_SESSION_PARAMS",
    "send_defaults": "SESBRIDGE_SEND_DEFAULTS",
    "ignore_unsupported_features": "SESBRIDGE_IGNORE_UNSUPPORTED_FEATURES",
    "max_retries": "SESBRIDGE_MAX_RETRIES",
    "retry_base_delay": "SESBRIDGE_RETRY_BASE_DELAY",
    "retry_max_delay": "SESBRIDGE_RETRY_MAX_DELAY",
    "tenant": "SESBRIDGE_TENANT",
    "schedule_group": "SESBRIDGE_SCHEDULE_GROUP",
    "scheduler_role_arn": "SESBRIDGE_SCHEDULER_ROLE_ARN",
    "schedule_dead_letter_queue_arn": "SESBRIDGE_SCHEDULE_DEAD_LETTER_QUEUE_ARN",
    "schedule_bucket": "SESBRIDGE_SCHEDULE_BUCKET",
    "scheduled_send_function_arn": "SESBRIDGE_SCHEDULED_SEND_FUNCTION_ARN",
}

# Message attribute -> how a send default combines with the message's own value,
# as django-anymail does: lists concatenate, dicts merge, esp_extra deep-merges.
_LAST, _CONCAT, _MERGE, _MERGE_PER_RECIPIENT, _DEEP = "last", "concat", "merge", "one-level", "deep"
SEND_DEFAULT_COMBINERS = {
    "from_email": _LAST,
    "envelope_sender": _LAST,
    "template_id": _LAST,
    "track_opens": _LAST,
    "track_clicks": _LAST,
    "send_at": _LAST,
    "tenant": _LAST,
    "tags": _CONCAT,
    "metadata": _MERGE,
    "merge_global_data": _MERGE,
    "merge_data": _MERGE_PER_RECIPIENT,
    "merge_metadata": _MERGE_PER_RECIPIENT,
    "esp_extra": _DEEP,
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


class InvalidSetting(SesbridgeError, ValueError):
    """A setting (or its environment variable) has a value sesbridge cannot use."""


@dataclass(frozen=True)
class SenderSettings:
    """How a ``Sender`` talks to SES. Build it explicitly, or with ``from_environment()``.

    Retries: a transient error (throttling, 5xx, connection) is retried up to
    ``max_retries`` times, sleeping a random time up to ``retry_base_delay * 2**attempt``
    seconds (capped at ``retry_max_delay``) in between.

    ``tenant`` is the SES tenant (``TenantName``) of messages that name none.

    Scheduled sends (``send_at``) need ``schedule_group`` and ``scheduler_role_arn``;
    ``schedule_dead_letter_queue_arn`` receives the sends Scheduler could not make, and
    mails too large for a schedule's input go to ``schedule_bucket``, sent at their time
    by ``scheduled_send_function_arn`` (all of them outputs of the sesbridge stack).
    """

    configuration_set_name: str | None = None
    message_tag_name: str | None = None
    client_params: Mapping[str, Any] = field(default_factory=dict)
    session_params: Mapping[str, Any] = field(default_factory=dict)
    send_defaults: Mapping[str, Any] = field(default_factory=dict)
    ignore_unsupported_features: bool = False
    max_retries: int = 3
    retry_base_delay: float = 0.2
    retry_max_delay: float = 2.0
    tenant: str | None = None
    schedule_group: str | None = None
    scheduler_role_arn: str | None = None
    schedule_dead_letter_queue_arn: str | None = None
    schedule_bucket: str | None = None
    scheduled_send_function_arn: str | None = None

    def __post_init__(self) -> None:
        unknown = set(self.send_defaults) - set(SEND_DEFAULT_COMBINERS)
        if unknown:
            raise InvalidSetting(
                f"send_defaults: unsupported keys {sorted(unknown)}; "
                f"allowed: {sorted(SEND_DEFAULT_COMBINERS)}"
            )
        if self.max_retries < 0 or self.retry_base_delay < 0 or self.retry_max_delay < 0:
            raise InvalidSetting("max_retries and retry delays must not be negative")

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] | None = None, **explicit: Any
    ) -> SenderSettings:
        """Settings from ``explicit`` arguments, else the ``SESBRIDGE_*`` environment, else
        the defaults. Raises InvalidSetting naming the variable when a value is unusable."""
        environ = os.environ if environ is None else environ
        unknown = set(explicit) - {f.name for f in fields(cls)}
        if unknown:
            raise TypeError(f"unknown settings {sorted(unknown)}")
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in explicit:
                values[f.name] = explicit[f.name]
                continue
            variable = ENVIRONMENT_VARIABLES[f.name]
            raw = environ.get(variable)
            if raw is not None:
                values[f.name] = _parse(variable, raw, f.default)
        return cls(**values)


def _parse(variable: str, raw: str, default: Any) -> Any:
    if default is None:  # plain strings; empty means unset
        return raw or None
    if isinstance(default, bool):
        if raw.strip().lower() in _TRUE:
            return True
        if raw.strip().lower() in _FALSE:
            return False
        raise InvalidSetting(f"{variable}: expected true or false, got {raw!r}")
    if isinstance(default, int | float):
        try:
            return type(default)(raw)
        except ValueError:
            raise InvalidSetting(f"{variable}: expected a number, got {raw!r}") from None
    try:  # the dict-valued settings (a dataclass field default_factory)
        value = json.loads(raw or "{}")
    except ValueError as error:
        raise InvalidSetting(f"{variable}: not valid JSON ({error})") from None
    if not isinstance(value, dict):
        raise InvalidSetting(f"{variable}: expected a JSON object, got {raw!r}")
    return value


def apply_send_defaults(message: EmailMessage, defaults: Mapping[str, Any]) -> EmailMessage:
    """A shallow copy of ``message`` with the send defaults combined into it.

    >>> apply_send_defaults(EmailMessage(tags=["a"]), {"tags": ["all"]}).tags
    ['all', 'a']
    """
    if not defaults:
        return message
    combined = copy.copy(message)
    for name, default in defaults.items():
        value = getattr(message, name)
        setattr(combined, name, _combine(SEND_DEFAULT_COMBINERS[name], default, value))
    return combined


def _combine(how: str, default: Any, value: Any) -> Any:
    if value is None:
        return copy.deepcopy(default)
    if default is None or how == _LAST:
        return value
    if how == _CONCAT:
        return [*default, *value]
    if how == _MERGE:
        return {**default, **value}
    if how == _MERGE_PER_RECIPIENT:
        merged = {key: dict(per) for key, per in default.items()}
        for key, per in value.items():
            merged.setdefault(key, {}).update(per)
        return merged
    return _deep_merge(copy.deepcopy(default), value)


def _deep_merge(into: dict[str, Any], other: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in other.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _deep_merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value)
    return into
