"""send_at -> when to send, schedule names and ids, the target input. Pure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sesbridge import EmailMessage, InvalidMessage, SenderSettings, UnsupportedFeature
from sesbridge.sending.schedule import (
    as_utc,
    create_schedule_params,
    due_time,
    request_from_input,
    schedule_names,
    ses_target,
    split_schedule_id,
    target_input,
)

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
SCHEDULING = SenderSettings(
    schedule_group="g", scheduler_role_arn="arn:aws-cn:iam::123456789012:role/r"
)


def _due(send_at: object, settings: SenderSettings = SCHEDULING) -> datetime | None:
    message = EmailMessage("s", "b", "a@example.com", ["b@example.net"], send_at=send_at)  # type: ignore[arg-type]
    return due_time(message, settings, now=NOW)


def test_times_at_least_a_minute_ahead_are_scheduled_to_the_second() -> None:
    assert _due(NOW + timedelta(seconds=60, microseconds=5)) == NOW + timedelta(seconds=60)
    assert _due(NOW + timedelta(seconds=59)) is None
    assert _due(NOW - timedelta(days=3)) is None
    assert _due(None) is None


def test_the_accepted_types_as_django_anymail_takes_them() -> None:
    later = NOW + timedelta(days=1)
    assert _due(later.timestamp()) == later
    assert _due(int(later.timestamp())) == later
    assert _due(later.astimezone(timezone(timedelta(hours=-7)))) == later
    naive = datetime(2030, 6, 2, 8, 30)  # local time, as datetime.timestamp() reads it
    assert _due(naive) == datetime.fromtimestamp(naive.timestamp(), UTC)
    assert as_utc(date(2030, 6, 2)) == datetime(2030, 6, 2).astimezone(UTC)


@pytest.mark.parametrize("value", ["2030-01-01", True, [1]])
def test_other_types_are_type_errors(value: object) -> None:
    with pytest.raises(TypeError, match='"send_at" must be a datetime, a date or a POSIX'):
        EmailMessage("s", "b", "a@example.com", ["b@example.net"], send_at=value)  # type: ignore[arg-type]


def test_a_timestamp_out_of_range_is_invalid() -> None:
    with pytest.raises(InvalidMessage, match="send_at"):
        _due(1e20)


def test_without_group_and_role_it_says_how_to_enable_it() -> None:
    with pytest.raises(UnsupportedFeature, match="SESBRIDGE_SCHEDULE_GROUP"):
        _due(NOW + timedelta(days=1), SenderSettings(schedule_group="g"))
    ignoring = SenderSettings(ignore_unsupported_features=True)
    assert _due(NOW + timedelta(days=1), ignoring) is None  # sent now


def test_names_from_a_key_are_stable_and_fit_schedulers_limits() -> None:
    assert schedule_names("order-1", 2) == schedule_names("order-1", 2)
    assert schedule_names("order-1", 1) != schedule_names("order-2", 1)
    assert schedule_names(None, 1) != schedule_names(None, 1)
    for name in schedule_names("k" * 500, 60):
        assert len(name) <= 64 and name.replace("-", "").isalnum()
    assert split_schedule_id("g/sesbridge-x-0") == ("g", "sesbridge-x-0")
    for bad in ("nogroup", "/name", "g/", "g/a/b"):
        with pytest.raises(ValueError, match="schedule id"):
            split_schedule_id(bad)


def test_the_input_carries_the_raw_mime_base64_and_comes_back_as_bytes() -> None:
    params = {"Content": {"Raw": {"Data": b"Subject: \xc3\xa9\r\n\r\nx"}}, "TenantName": "t"}
    text = target_input(params)
    assert '"Data":"U3ViamVjdDog' in text
    assert request_from_input(text) == params
    bulk = {"BulkEmailEntries": [{"Destination": {"ToAddresses": ["é@example.net"]}}]}
    assert request_from_input(target_input(bulk)) == bulk


def test_a_one_time_schedule_that_deletes_itself() -> None:
    params = create_schedule_params(
        "n", datetime(2030, 6, 2, 8, 30, 5, tzinfo=UTC), {"Arn": "a"}, SCHEDULING, "n"
    )
    assert params["ScheduleExpression"] == "at(2030-06-02T08:30:05)"
    assert params["ActionAfterCompletion"] == "DELETE" and params["ClientToken"] == "n"
    assert "DeadLetterConfig" not in params["Target"]
    # The universal target lives in the role's partition.
    target = ses_target("SendBulkEmail", "{}", SCHEDULING)
    assert target["Arn"] == "arn:aws-cn:scheduler:::aws-sdk:sesv2:sendBulkEmail"
