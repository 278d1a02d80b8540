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
    subscription = function["Events"]["TrackingTopic"]
    assert subscription["Type"] == "SNS"
    assert subscription["Properties"]["Topic"] == TOPIC
    allowed = function["Environment"]["Variables"]["ALLOWED_TOPIC_ARNS"]
    assert allowed == {"Fn::Join": [",", [TOPIC, {"Ref": "TrackingExtraTopicArns"}]]}


def test_function_may_only_put_its_source_on_the_bus(resources) -> None:
    [policy] = resources["TrackingFunction"]["Properties"]["Policies"]
    put_events, use_key = policy["Statement"]
    assert put_events["Action"] == "events:PutEvents"
    assert put_events["Resource"]["Fn::If"][1] == {"Fn::GetAtt": ["EventBus", "Arn"]}
    assert put_events["Condition"] == {"StringEquals": {"events:source": {"Ref": "EventSource"}}}
    condition, statement, otherwise = use_key["Fn::If"]
    assert (condition, otherwise) == ("EncryptWithDataKey", {"Ref": "AWS::NoValue"})
    assert set(statement["Action"]) == {"kms:GenerateDataKey", "kms:Decrypt"}
    assert "kms:ViaService" in statement["Condition"]["StringEquals"]


def test_failed_invocations_go_to_the_encrypted_queue(resources) -> None:
    config = resources["TrackingFunction"]["Properties"]["EventInvokeConfig"]
    assert config["MaximumRetryAttempts"] == {"Ref": "FunctionRetryAttempts"}
    assert config["DestinationConfig"]["OnFailure"] == {
        "Type": "SQS",
        "Destination": {"Fn::GetAtt": ["FailedEventsQueue", "Arn"]},
    }
    assert config["MaximumEventAgeInSeconds"] == {"Ref": "FunctionMaximumEventAgeSeconds"}
    queue = resources["FailedEventsQueue"]["Properties"]
    # The data key when there is one, else SQS-managed encryption: never unencrypted.
    assert queue["KmsMasterKeyId"]["Fn::If"][0] == "EncryptWithDataKey"
    assert queue["SqsManagedSseEnabled"] == {
        "Fn::If": ["EncryptWithDataKey", {"Ref": "AWS::NoValue"}, True]
    }


def test_only_ses_of_this_account_may_publish_to_the_topic(resources) -> None:
    [statement] = resources["TrackingTopicPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "ses.amazonaws.com"}
    assert statement["Action"] == "sns:Publish"
    account = {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert statement["Condition"]["StringEquals"] == account
    source_arns = [sub["Fn::Sub"] for sub in statement["Condition"]["ArnLike"]["aws:SourceArn"]]
    assert source_arns == [
        "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:configuration-set/*",
        "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*",
    ]


def test_configuration_set_publishes_every_event_type(resources) -> None:
    destination = resources["TrackingConfigurationSetEventDestination"]["Properties"]
    event_destination = destination["EventDestination"]
    assert set(event_destination["MatchingEventTypes"]) == {
        "send", "reject", "bounce", "complaint", "delivery", "open", "click",
        "renderingFailure", "deliveryDelay", "subscription",
    }  # fmt: skip
    assert event_destination["SnsDestination"]["TopicARN"] == TOPIC
    assert resources["TrackingConfigurationSet"]["Condition"] == "CreateTrackingConfigurationSet"
