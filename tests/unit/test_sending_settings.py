"""Settings precedence (explicit > environment > default) and send-defaults merging."""

from __future__ import annotations

import pytest
from sesbridge.sending.message import EmailMessage
from sesbridge.sending.settings import (
    ENVIRONMENT_VARIABLES,
    InvalidSetting,
    SenderSettings,
    apply_send_defaults,
)


def test_defaults_without_environment() -> None:
    settings = SenderSettings.from_environment({})
    assert settings == SenderSettings()
    assert settings.max_retries >= 3
    assert settings.ignore_unsupported_features is False


def test_environment_is_read_and_explicit_arguments_win() -> None:
    environ = {
        "SESBRIDGE_CONFIGURATION_SET_NAME": "from-env",
        "SESBRIDGE_MESSAGE_TAG_NAME": "Campaign",
        "SESBRIDGE_CLIENT_PARAMS": '{"region_name": "eu-west-1"}',
        "SESBRIDGE_SESSION_PARAMS": '{"profile_name": "mail"}',
        "SESBRIDGE_SEND_DEFAULTS": '{"tags": ["all"], "esp_extra": {"A": {"b": 1}}}',
        "SESBRIDGE_IGNORE_UNSUPPORTED_FEATURES": "True",
        "SESBRIDGE_MAX_RETRIES": "5",
        "SESBRIDGE_RETRY_BASE_DELAY": "0.05",
        "SESBRIDGE_RETRY_MAX_DELAY": "1",
        "SESBRIDGE_TENANT": "acme",
        "SESBRIDGE_SCHEDULE_GROUP": "sends",
        "SESBRIDGE_SCHEDULER_ROLE_ARN": "arn:aws:iam::123456789012:role/scheduler",
        "SESBRIDGE_SCHEDULE_DEAD_LETTER_QUEUE_ARN": "arn:aws:sqs:us-east-1:123456789012:dlq",
        "SESBRIDGE_SCHEDULE_BUCKET": "bucket",
        "SESBRIDGE_SCHEDULED_SEND_FUNCTION_ARN": "arn:aws:lambda:us-east-1:123456789012:function:f",
    }
    settings = SenderSettings.from_environment(environ, configuration_set_name="explicit")
    assert settings.configuration_set_name == "explicit"
    assert settings.message_tag_name == "Campaign"
    assert settings.client_params == {"region_name": "eu-west-1"}
    assert settings.session_params == {"profile_name": "mail"}
    assert settings.send_defaults == {"tags": ["all"], "esp_extra": {"A": {"b": 1}}}
    assert settings.ignore_unsupported_features is True
    assert settings.tenant == "acme"
    assert (settings.schedule_group, settings.schedule_bucket) == ("sends", "bucket")
    assert (settings.max_retries, settings.retry_base_delay, settings.retry_max_delay) == (
        5,
        0.05,
        1.0,
    )
    assert set(environ) == set(ENVIRONMENT_VARIABLES.values())


def test_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESBRIDGE_CONFIGURATION_SET_NAME", "tracking")
    assert SenderSettings.from_environment().configuration_set_name == "tracking"


@pytest.mark.parametrize(
    ("variable", "value", "match"),
    [
        ("SESBRIDGE_CLIENT_PARAMS", "{not json", "SESBRIDGE_CLIENT_PARAMS: not valid JSON"),
        ("SESBRIDGE_SEND_DEFAULTS", "[1]", "SESBRIDGE_SEND_DEFAULTS: expected a JSON object"),
        ("SESBRIDGE_IGNORE_UNSUPPORTED_FEATURES", "maybe", "expected true or false"),
        ("SESBRIDGE_MAX_RETRIES", "three", "SESBRIDGE_MAX_RETRIES: expected a number"),
        ("SESBRIDGE_SEND_DEFAULTS", '{"subjekt": "x"}', "unsupported keys"),
    ],
)
def test_unusable_values_name_the_variable(variable: str, value: str, match: str) -> None:
    with pytest.raises(InvalidSetting, match=match):
        SenderSettings.from_environment({variable: value})


def test_unknown_explicit_setting_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="configuration_set"):
        SenderSettings.from_environment({}, configuration_set="x")


def test_negative_retries_are_refused() -> None:
    with pytest.raises(InvalidSetting):
        SenderSettings(max_retries=-1)


def test_send_defaults_concatenate_lists_merge_dicts_and_deep_merge_esp_extra() -> None:
    defaults = {
        "tags": ["all"],
        "metadata": {"app": "shop", "env": "prod"},
        "merge_global_data": {"brand": "Shop"},
        "merge_data": {"a@example.com": {"x": 1, "y": 1}},
        "esp_extra": {"ListManagementOptions": {"ContactListName": "news", "TopicName": "t"}},
        "envelope_sender": "bounces@example.com",
    }
    message = EmailMessage(
        tags=["receipts"],
        metadata={"env": "test"},
        merge_data={"a@example.com": {"y": 2}},
        esp_extra={"ListManagementOptions": {"TopicName": "deals"}},
    )
    combined = apply_send_defaults(message, defaults)
    assert combined.tags == ["all", "receipts"]
    assert combined.metadata == {"app": "shop", "env": "test"}
    assert combined.merge_global_data == {"brand": "Shop"}
    assert combined.merge_data == {"a@example.com": {"x": 1, "y": 2}}
    assert combined.esp_extra == {
        "ListManagementOptions": {"ContactListName": "news", "TopicName": "deals"}
    }
    assert combined.envelope_sender == "bounces@example.com"
    # the caller's message and the defaults are untouched
    assert message.tags == ["receipts"] and message.envelope_sender is None
    assert defaults["esp_extra"]["ListManagementOptions"]["TopicName"] == "t"
    assert defaults["merge_data"] == {"a@example.com": {"x": 1, "y": 1}}


def test_no_defaults_returns_the_message_itself() -> None:
    message = EmailMessage()
    assert apply_send_defaults(message, {}) is message


def test_readme_documents_every_sender_environment_variable() -> None:
    from pathlib import Path

    page = Path(__file__).resolve().parents[2] / "docs" / "deploying-and-settings.md"
    section = (
        page.read_text(encoding="utf-8").split("### Sender (the layer)", 1)[1].split("\n### ", 1)[0]
    )
    for setting, variable in ENVIRONMENT_VARIABLES.items():
        assert f"`{variable}`" in section, variable
        assert f"`{setting}`" in section, setting
