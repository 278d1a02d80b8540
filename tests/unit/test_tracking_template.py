"""The template's tracking part: the contract names, least privilege, failure handling."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    return yaml_parse((ROOT / "template.yaml").read_text(encoding="utf-8"))["Resources"]


TOPIC = {
    "Fn::If": ["CreateTrackingTopic", {"Ref": "TrackingTopic"}, {"Ref": "ExistingTrackingTopicArn"}]
}


def test_function_contract(resources) -> None:
    function = resources["TrackingFunction"]["Properties"]
    assert function["CodeUri"] == "functions/tracking/"
    assert function["Handler"] == "app.lambda_handler"
    assert (ROOT / "functions/tracking/app.py").is_file()
    assert function["Events"]["TrackingTopic"] == {"Type": "SNS", "Properties": {"Topic": TOPIC}}
    allowed = function["Environment"]["Variables"]["ALLOWED_TOPIC_ARNS"]
    assert allowed == {"Fn::Join": [",", [TOPIC, {"Ref": "TrackingExtraTopicArns"}]]}


def test_function_may_only_put_events_on_the_bus(resources) -> None:
    policies = resources["TrackingFunction"]["Properties"]["Policies"]
    bus = {"Fn::If": ["CreateEventBus", {"Ref": "EventBus"}, {"Ref": "ExistingEventBusName"}]}
    assert policies == [{"EventBridgePutEventsPolicy": {"EventBusName": bus}}]


def test_failed_invocations_go_to_the_encrypted_queue(resources) -> None:
    config = resources["TrackingFunction"]["Properties"]["EventInvokeConfig"]
    assert config["MaximumRetryAttempts"] == {"Ref": "FunctionRetryAttempts"}
    assert config["DestinationConfig"]["OnFailure"] == {
        "Type": "SQS",
        "Destination": {"Fn::GetAtt": ["FailedEventsQueue", "Arn"]},
    }
    assert resources["FailedEventsQueue"]["Properties"]["SqsManagedSseEnabled"] is True


def test_only_ses_of_this_account_may_publish_to_the_topic(resources) -> None:
    [statement] = resources["TrackingTopicPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "ses.amazonaws.com"}
    assert statement["Action"] == "sns:Publish"
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    }


def test_configuration_set_publishes_every_event_type(resources) -> None:
    destination = resources["TrackingConfigurationSetEventDestination"]["Properties"]
    event_destination = destination["EventDestination"]
    assert set(event_destination["MatchingEventTypes"]) == {
        "send", "reject", "bounce", "complaint", "delivery", "open", "click",
        "renderingFailure", "deliveryDelay", "subscription",
    }  # fmt: skip
    assert event_destination["SnsDestination"]["TopicARN"] == TOPIC
    assert resources["TrackingConfigurationSet"]["Condition"] == "CreateTrackingConfigurationSet"
