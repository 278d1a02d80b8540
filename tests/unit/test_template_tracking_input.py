"""TrackingInput: SNS, SES's own EventBridge events on the default bus, or both."""

from __future__ import annotations

import pytest
from sesbridge.native import SES_SOURCE

from scripts.local_deploy import evaluate_conditions
from tests.unit.test_template_operations import PARAMETERS, RESOURCES

NATIVE_RESOURCES = (
    "NativeEventsRule",
    "NativeEventsPermission",
    "NativeEventsDeadLetterQueue",
    "NativeEventsDeadLetterQueuePolicy",
    "NativeEventsDeadLettersWaitingAlarm",
    "NativeEventsDeadLettersAgingAlarm",
)


def test_the_parameter_offers_the_three_inputs_and_defaults_to_sns() -> None:
    spec = PARAMETERS["TrackingInput"]
    assert (spec["Default"], spec["AllowedValues"]) == ("sns", ["sns", "eventbridge", "both"])


@pytest.mark.parametrize(
    ("tracking_input", "from_sns", "from_eventbridge"),
    [("sns", True, False), ("eventbridge", False, True), ("both", True, True)],
)
def test_each_input_creates_its_destinations(tracking_input, from_sns, from_eventbridge) -> None:
    conditions = evaluate_conditions(
        {"TrackingInput": tracking_input, "CreateTrackingConfigurationSet": "true"}
    )
    assert conditions["TrackFromEventBridge"] is from_eventbridge
    assert conditions["PublishToTrackingTopic"] is from_sns
    assert conditions["PublishToDefaultBus"] is from_eventbridge
    for logical_id in NATIVE_RESOURCES:
        assert conditions[RESOURCES[logical_id]["Condition"]] is from_eventbridge, logical_id


def test_the_rule_takes_every_ses_event_on_the_default_bus_to_the_tracking_function() -> None:
    rule = RESOURCES["NativeEventsRule"]["Properties"]
    assert rule["EventBusName"] == "default"
    assert rule["EventPattern"] == {"source": [SES_SOURCE]}
    [target] = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": ["TrackingFunction", "Arn"]}
    # Retried for at most an hour, then kept in the alarmed dead-letter queue.
    assert target["RetryPolicy"]["MaximumEventAgeInSeconds"] == 3600
    assert target["DeadLetterConfig"]["Arn"] == {
        "Fn::GetAtt": ["NativeEventsDeadLetterQueue", "Arn"]
    }
    permission = RESOURCES["NativeEventsPermission"]["Properties"]
    assert permission["Principal"] == "events.amazonaws.com"
    assert permission["SourceArn"] == {"Fn::GetAtt": ["NativeEventsRule", "Arn"]}
    [statement] = RESOURCES["NativeEventsDeadLetterQueuePolicy"]["Properties"]["PolicyDocument"][
        "Statement"
    ]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"] == permission["SourceArn"]


def test_the_configuration_set_publishes_to_the_default_bus() -> None:
    destination = RESOURCES["TrackingConfigurationSetBusDestination"]["Properties"]
    bus_arn = destination["EventDestination"]["EventBridgeDestination"]["EventBusArn"]
    assert bus_arn["Fn::Sub"].endswith(":event-bus/default")
    topic_destination = RESOURCES["TrackingConfigurationSetEventDestination"]["Properties"]
    assert sorted(destination["EventDestination"]["MatchingEventTypes"]) == sorted(
        topic_destination["EventDestination"]["MatchingEventTypes"]
    )
