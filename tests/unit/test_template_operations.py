"""The template's production settings: alarms, dead-letter queues, least privilege, encryption.

Structure only (what CloudFormation is told); tests/functional/test_alarms.py checks the
alarms against the metrics the functions really emit.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from samtranslator.yaml_helper import yaml_parse
from sesbridge.inbound.normalizer import FAILED_PREFIX, RECEIVED_PREFIX

from scripts.local_deploy import evaluate_conditions

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = yaml_parse((ROOT / "template.yaml").read_text(encoding="utf-8"))
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
PARAMETERS: dict[str, Any] = TEMPLATE["Parameters"]
FUNCTIONS = ("TrackingFunction", "InboundFunction")
NO_VALUE = {"Ref": "AWS::NoValue"}
DATA_KEY = {"Fn::If": ["CreateDataKey", {"Fn::GetAtt": ["DataKey", "Arn"]}, {"Ref": "DataKmsKey"}]}
TOPICS = {
    "TrackingFunction": {
        "Fn::If": [
            "CreateTrackingTopic",
            {"Ref": "TrackingTopic"},
            {"Ref": "ExistingTrackingTopicArn"},
        ]
    },
    "InboundFunction": {
        "Fn::If": [
            "CreateInboundTopic",
            {"Ref": "InboundTopic"},
            {"Ref": "ExistingInboundTopicArn"},
        ]
    },
}
DEAD_LETTER_QUEUES = {
    "TrackingFunction": "TrackingDeliveryDeadLetterQueue",
    "InboundFunction": "InboundDeliveryDeadLetterQueue",
}
RETAINED_QUEUES = ("FailedEventsQueue", *DEAD_LETTER_QUEUES.values(), "NativeEventsDeadLetterQueue")


def alarms() -> dict[str, dict[str, Any]]:
    return {
        lid: spec["Properties"]
        for lid, spec in RESOURCES.items()
        if spec["Type"] == "AWS::CloudWatch::Alarm"
    }


def alarm_on(namespace: str, metric: str, dimensions: list[dict[str, Any]]) -> dict[str, Any]:
    found = [
        a
        for a in alarms().values()
        if (a["Namespace"], a["MetricName"], a.get("Dimensions", []))
        == (namespace, metric, dimensions)
    ]
    assert len(found) == 1, f"expected one alarm on {namespace} {metric} {dimensions}"
    return found[0]


def statements(function: str) -> list[dict[str, Any]]:
    """The function's inline policy statements, each !If unwrapped to its 'true' branch."""
    found = []
    for policy in RESOURCES[function]["Properties"]["Policies"]:
        for statement in policy["Statement"]:
            if "Fn::If" in statement:
                statement = statement["Fn::If"][1]
            found.append(statement)
    return found


def statement(function: str, sid: str) -> dict[str, Any]:
    [found] = [s for s in statements(function) if s["Sid"] == sid]
    return found


def conditions(**parameters: str) -> dict[str, bool]:
    return evaluate_conditions(parameters)


# -- nothing is lost without someone being told --


@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize(
    "metric", ["Errors", "Throttles", "AsyncEventsDropped", "DestinationDeliveryFailures"]
)
def test_each_function_failure_metric_has_an_alarm(function: str, metric: str) -> None:
    dimensions = [{"Name": "FunctionName", "Value": {"Ref": function}}]
    alarm = alarm_on("AWS/Lambda", metric, dimensions)
    assert alarm["Statistic"] == "Sum"
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)


@pytest.mark.parametrize("queue", RETAINED_QUEUES)
def test_each_queue_alarms_on_any_message_and_on_age_before_retention_ends(queue: str) -> None:
    dimensions = [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}]
    waiting = alarm_on("AWS/SQS", "ApproximateNumberOfMessagesVisible", dimensions)
    assert (waiting["ComparisonOperator"], waiting["Threshold"]) == ("GreaterThanThreshold", 0)
    aging = alarm_on("AWS/SQS", "ApproximateAgeOfOldestMessage", dimensions)
    retention = RESOURCES[queue]["Properties"]["MessageRetentionPeriod"]
    # At most a quarter of the retention gone: time left to fix and redrive.
    assert 0 < aging["Threshold"] <= retention / 4


def test_normalization_errors_alarm_per_function_service() -> None:
    for service in ("sesbridge-tracking", "sesbridge-inbound"):
        alarm = alarm_on(
            "sesbridge", "NormalizationErrors", [{"Name": "service", "Value": service}]
        )
        assert (alarm["Statistic"], alarm["Threshold"]) == ("Sum", 0)
    # The inbound function's metrics take their service from its environment.
    inbound_env = RESOURCES["InboundFunction"]["Properties"]["Environment"]["Variables"]
    assert inbound_env["POWERTOOLS_SERVICE_NAME"] == "sesbridge-inbound"
    assert (
        TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]["POWERTOOLS_METRICS_NAMESPACE"]
        == "sesbridge"
    )


@pytest.mark.parametrize(
    ("metric", "review_level"),
    # SES reviews an account at a 5% bounce / 0.1% complaint rate (pauses at 10% / 0.5%).
    [("Reputation.BounceRate", 0.05), ("Reputation.ComplaintRate", 0.001)],
)
def test_ses_reputation_alarms_fire_before_ses_reviews_the_account(
    metric: str, review_level: float
) -> None:
    alarm = alarm_on("AWS/SES", metric, [])
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert 0 < alarm["Threshold"] < review_level


def test_every_alarm_notifies_the_alarm_topic_only_when_one_is_set() -> None:
    expected = {
        "Fn::If": [
            "NotifyAlarms",
            [{"Fn::If": ["CreateAlarmTopic", {"Ref": "AlarmTopic"}, {"Ref": "AlarmNotification"}]}],
            NO_VALUE,
        ]
    }
    assert len(alarms()) == 26
    for lid, alarm in alarms().items():
        assert alarm["AlarmActions"] == expected, lid
        assert alarm["TreatMissingData"] == "notBreaching", lid


@pytest.mark.parametrize(
    ("value", "notify", "create_topic"),
    [
        ("", False, False),
        ("arn:aws:sns:eu-west-1:123456789012:ops-alarms", True, False),
        ("ops@example.com", True, True),
    ],
)
def test_alarm_notification_takes_a_topic_or_an_address(
    value: str, notify: bool, create_topic: bool
) -> None:
    found = conditions(AlarmNotification=value)
    assert (found["NotifyAlarms"], found["CreateAlarmTopic"]) == (notify, create_topic)
    assert re.fullmatch(PARAMETERS["AlarmNotification"]["AllowedPattern"], value)
    subscription = RESOURCES["AlarmTopic"]["Properties"]["Subscription"]
    assert subscription == [{"Protocol": "email", "Endpoint": {"Ref": "AlarmNotification"}}]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_subscriptions_have_a_dead_letter_queue_only_their_topic_may_fill(function: str) -> None:
    queue = DEAD_LETTER_QUEUES[function]
    [event] = RESOURCES[function]["Properties"]["Events"].values()
    assert event["Properties"]["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [queue, "Arn"]}
    }
    policy = RESOURCES[f"{queue}Policy"]["Properties"]
    assert policy["Queues"] == [{"Ref": queue}]
    [allow] = policy["PolicyDocument"]["Statement"]
    assert allow["Principal"] == {"Service": "sns.amazonaws.com"}
    assert allow["Action"] == "sqs:SendMessage"
    assert allow["Condition"] == {"ArnEquals": {"aws:SourceArn": TOPICS[function]}}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_async_invocation_settings_are_explicit(function: str) -> None:
    config = RESOURCES[function]["Properties"]["EventInvokeConfig"]
    assert config["MaximumRetryAttempts"] == {"Ref": "FunctionRetryAttempts"}
    assert config["MaximumEventAgeInSeconds"] == {"Ref": "FunctionMaximumEventAgeSeconds"}
    age = PARAMETERS["FunctionMaximumEventAgeSeconds"]
    assert (age["MinValue"], age["MaxValue"]) == (60, 21600)  # Lambda's own bounds


@pytest.mark.parametrize(
    ("function", "prefix"), [(f, f.removesuffix("Function")) for f in FUNCTIONS]
)
def test_reserved_concurrency_is_a_parameter_zero_unreserved(function: str, prefix: str) -> None:
    parameter = f"{prefix}ReservedConcurrency"
    assert (PARAMETERS[parameter]["Default"], PARAMETERS[parameter]["MinValue"]) == (0, 0)
    condition = f"Reserve{prefix}Concurrency"
    assert RESOURCES[function]["Properties"]["ReservedConcurrentExecutions"] == {
        "Fn::If": [condition, {"Ref": parameter}, NO_VALUE]
    }
    assert conditions(**{parameter: "0"})[condition] is False
    assert conditions(**{parameter: "20"})[condition] is True


@pytest.mark.parametrize("resource", [*RETAINED_QUEUES, "DataKey"])
def test_queues_and_their_key_outlive_the_stack(resource: str) -> None:
    spec = RESOURCES[resource]
    assert (spec["DeletionPolicy"], spec["UpdateReplacePolicy"]) == ("Retain", "Retain")


# -- least privilege --


def test_inbound_reads_only_the_receipt_prefix_and_writes_only_its_own_prefixes() -> None:
    s3 = {s["Sid"]: s["Action"] for s in statements("InboundFunction") if "s3:" in str(s["Action"])}
    assert s3 == {
        "ReadReceiptObjects": "s3:GetObject",
        "ListReceiptPrefix": "s3:ListBucket",
        "WriteRawMail": "s3:PutObject",
    }
    read = statement("InboundFunction", "ReadReceiptObjects")["Resource"]["Fn::If"]
    assert read[1] == {"Fn::Sub": "${RawMailBucket.Arn}/${ReceiptObjectPrefix}*"}
    write = statement("InboundFunction", "WriteRawMail")
    assert write["Action"] == "s3:PutObject"
    # The prefixes sesbridge.inbound.normalizer writes under, and nothing wider.
    assert write["Resource"] == [
        {"Fn::Sub": f"${{RawMailBucket.Arn}}/{RECEIVED_PREFIX}*"},
        {"Fn::Sub": f"${{RawMailBucket.Arn}}/{FAILED_PREFIX}*"},
    ]


def test_inbound_accepts_its_own_topic_by_default() -> None:
    allowed = RESOURCES["InboundFunction"]["Properties"]["Environment"]["Variables"][
        "ALLOWED_TOPIC_ARNS"
    ]
    assert allowed == {
        "Fn::Join": [",", [TOPICS["InboundFunction"], {"Ref": "InboundAllowedTopicArns"}]]
    }
    assert PARAMETERS["InboundAllowedTopicArns"]["Default"] == ""


@pytest.mark.parametrize("function", FUNCTIONS)
def test_functions_may_put_only_their_source_on_the_bus(function: str) -> None:
    put = statement(function, "PublishOurSourceToTheBus")
    assert put["Action"] == "events:PutEvents"
    assert put["Condition"] == {"StringEquals": {"events:source": {"Ref": "EventSource"}}}


RULE_ARN = "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:receipt-rule-set/"
RECEIPT_RULE_SOURCE = {
    "Fn::If": [
        "CreateReceiptRule",
        {"Fn::Sub": RULE_ARN + "${InboundReceiptRuleSet}:receipt-rule/store-and-notify"},
        {"Fn::Sub": RULE_ARN + "*:receipt-rule/*"},
    ]
}


def ses_statement(resource: str) -> dict[str, Any]:
    [found] = [
        s
        for s in RESOURCES[resource]["Properties"]["PolicyDocument"]["Statement"]
        if s.get("Principal") == {"Service": "ses.amazonaws.com"}
    ]
    return found


@pytest.mark.parametrize("resource", ["InboundTopicPolicy", "RawMailBucketPolicy"])
def test_ses_may_act_only_for_this_accounts_receipt_rules(resource: str) -> None:
    allow = ses_statement(resource)
    assert allow["Condition"]["StringEquals"] == {"AWS:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert allow["Condition"]["ArnLike"] == {"AWS:SourceArn": RECEIPT_RULE_SOURCE}
    rule = RESOURCES["InboundReceiptRule"]["Properties"]["Rule"]
    assert rule["Name"] == "store-and-notify"  # the name the policies' SourceArn expects


def test_tracking_topic_checks_source_account_and_arn() -> None:
    allow = ses_statement("TrackingTopicPolicy")
    assert set(allow["Condition"]) == {"StringEquals", "ArnLike"}
    assert "aws:SourceAccount" in allow["Condition"]["StringEquals"]


def test_ses_writes_only_under_the_receipt_prefix() -> None:
    allow = ses_statement("RawMailBucketPolicy")
    assert (allow["Action"], allow["Resource"]) == (
        "s3:PutObject",
        {"Fn::Sub": "${RawMailBucket.Arn}/${ReceiptObjectPrefix}*"},
    )


def test_receipt_decryption_only_for_mail_this_account_received() -> None:
    decrypt = statement("InboundFunction", "DecryptReceiptObjects")
    assert (decrypt["Action"], decrypt["Resource"]) == ("kms:Decrypt", {"Ref": "ReceiptKmsKeyArn"})
    assert decrypt["Condition"] == {
        "StringEquals": {"kms:EncryptionContext:aws:ses:source-account": {"Ref": "AWS::AccountId"}}
    }


@pytest.mark.parametrize(
    ("parameter", "good", "bad"),
    [
        (
            "ReceiptKmsKeyArn",
            [
                "",
                "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                "arn:aws:kms:eu-west-1:123456789012:alias/aws/ses",
            ],
            ["alias/aws/ses", "arn:aws:s3:::bucket", "arn:aws:kms:us-east-1:1234:key/x"],
        ),
        (
            "ExistingEventBusName",
            ["", "default", "orders.email-events_1"],
            ["arn:aws:events:us-east-1:123456789012:event-bus/x", "bus name", "a" * 257],
        ),
        (
            "DataKmsKey",
            ["create", "none", "arn:aws:kms:us-east-1:123456789012:key/abcd-12"],
            ["", "alias/aws/sns", "arn:aws:kms:us-east-1:123456789012:alias/x"],
        ),
    ],
)
def test_parameter_patterns(parameter: str, good: list[str], bad: list[str]) -> None:
    pattern = PARAMETERS[parameter]["AllowedPattern"]
    for value in good:
        assert re.fullmatch(pattern, value), value
    for value in bad:
        assert not re.fullmatch(pattern, value), value


# -- mail data protected at rest --


def encrypted_with_data_key(value: Any) -> bool:
    return value == {"Fn::If": ["EncryptWithDataKey", DATA_KEY, NO_VALUE]}


@pytest.mark.parametrize(
    ("resource", "attribute"),
    [
        ("TrackingTopic", "KmsMasterKeyId"),
        ("InboundTopic", "KmsMasterKeyId"),
        ("AlarmTopic", "KmsMasterKeyId"),
        *((queue, "KmsMasterKeyId") for queue in RETAINED_QUEUES),
        ("EventBus", "KmsKeyIdentifier"),
        ("EventArchive", "KmsKeyIdentifier"),
        ("TrackingLogGroup", "KmsKeyId"),
        ("InboundLogGroup", "KmsKeyId"),
    ],
)
def test_mail_data_is_encrypted_with_the_data_key(resource: str, attribute: str) -> None:
    assert encrypted_with_data_key(RESOURCES[resource]["Properties"][attribute])


def test_raw_mail_bucket_uses_sse_kms_with_a_bucket_key() -> None:
    [rule] = RESOURCES["RawMailBucket"]["Properties"]["BucketEncryption"][
        "ServerSideEncryptionConfiguration"
    ]
    condition, with_key, without = rule["ServerSideEncryptionByDefault"]["Fn::If"]
    assert condition == "EncryptWithDataKey"
    assert with_key == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": DATA_KEY}
    assert without == {"SSEAlgorithm": "AES256"}
    assert rule["BucketKeyEnabled"] == {"Fn::If": ["EncryptWithDataKey", True, False]}


def test_data_key_policy_lets_services_use_it_for_this_account_only() -> None:
    key = RESOURCES["DataKey"]["Properties"]
    assert key["EnableKeyRotation"] is True
    policy = key["KeyPolicy"]["Statement"]
    assert all(s["Principal"] != "*" for s in policy)
    [publishers] = [s for s in policy if "ses.amazonaws.com" in str(s["Principal"])]
    assert set(publishers["Action"]) == {"kms:GenerateDataKey*", "kms:Decrypt"}
    for allow in policy:
        if "Service" in allow["Principal"]:
            assert allow["Condition"], allow["Sid"]  # every service is held to this account
    assert conditions()["CreateDataKey"] is True  # encrypted by default
    assert conditions(DataKmsKey="none")["EncryptWithDataKey"] is False


@pytest.mark.parametrize(
    ("function", "group"), [(f, f.replace("Function", "LogGroup")) for f in FUNCTIONS]
)
def test_each_function_logs_to_its_own_group_with_retention(function: str, group: str) -> None:
    logging = RESOURCES[function]["Properties"]["LoggingConfig"]
    assert logging["LogGroup"] == {"Ref": group}
    assert RESOURCES[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_archive_keeps_events_at_least_a_day_never_forever_by_accident() -> None:
    assert PARAMETERS["ArchiveRetentionDays"]["MinValue"] >= 1
    archive = RESOURCES["EventArchive"]["Properties"]
    assert archive["RetentionDays"] == {"Ref": "ArchiveRetentionDays"}


def test_receipt_rule_requires_tls_by_default() -> None:
    rule = RESOURCES["InboundReceiptRule"]["Properties"]["Rule"]
    assert rule["TlsPolicy"] == {"Ref": "ReceiptTlsPolicy"}
    assert PARAMETERS["ReceiptTlsPolicy"]["Default"] == "Require"


def test_every_checkov_skip_says_why() -> None:
    skips = [
        (lid, skip)
        for lid, spec in RESOURCES.items()
        for skip in (spec.get("Metadata") or {}).get("checkov", {}).get("skip", [])
    ]
    assert skips
    for lid, skip in skips:
        assert re.fullmatch(r"CKV_AWS_\d+", skip["id"]), lid
        assert len(skip["comment"]) > 20, f"{lid} skips {skip['id']} without a reason"
