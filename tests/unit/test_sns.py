"""Reading Lambda SNS events."""

from __future__ import annotations

from sesbridge.sns import MalformedRecord, SnsNotification, iter_notifications

from tests.conftest import sns_lambda_event


def test_yields_each_notification_with_its_fields() -> None:
    event = sns_lambda_event('{"a": 1}', topic_arn="arn:aws:sns:us-east-1:1:t", message_id="m1")
    [item] = list(iter_notifications(event))
    assert isinstance(item, SnsNotification)
    assert (item.message_id, item.topic_arn, item.message) == (
        "m1",
        "arn:aws:sns:us-east-1:1:t",
        '{"a": 1}',
    )
    assert item.record is event["Records"][0]
    assert not item.is_ses_validation


def test_recognizes_the_ses_validation_message() -> None:
    text = "Successfully validated SNS topic for Amazon SES event publishing."
    [item] = list(iter_notifications(sns_lambda_event(text, topic_arn="t")))
    assert item.is_ses_validation


def test_malformed_records_are_yielded_not_raised() -> None:
    event = sns_lambda_event("{}", topic_arn="t")
    event["Records"].insert(0, {"Sns": {"MessageId": "x"}})
    items = list(iter_notifications(event))
    assert isinstance(items[0], MalformedRecord)
    assert items[0].record == {"Sns": {"MessageId": "x"}}
    assert isinstance(items[1], SnsNotification)


def test_event_without_records_is_one_malformed_item() -> None:
    [item] = list(iter_notifications({"hello": "world"}))
    assert isinstance(item, MalformedRecord)
    assert "Records" in str(item)


def test_message_json_parses_objects_and_rejects_the_rest() -> None:
    import pytest
    from sesbridge.sns import NotJson, message_json

    [ok] = list(iter_notifications(sns_lambda_event('{"a": 1}', topic_arn="t")))
    assert message_json(ok) == {"a": 1}
    for text in ("not json", "[1, 2]"):
        [bad] = list(iter_notifications(sns_lambda_event(text, topic_arn="t")))
        with pytest.raises(NotJson) as raised:
            message_json(bad)
        assert raised.value.error_type == "not_json"
