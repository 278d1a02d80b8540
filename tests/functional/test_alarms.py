"""The alarms, deployed on moto, watch the metrics the functions and queues really produce.

Each function's handler runs as Lambda would (module imported under the function's
environment from the template); the CloudWatch embedded-metric lines it prints are read the
way CloudWatch Logs reads them, and each alarm must select such a metric exactly:
namespace, name and the full dimension set.
"""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

import boto3
import pytest
from aws_lambda_powertools import Metrics

from scripts.local_aws import LambdaContext, environment, load_handler_module
from scripts.local_deploy import LocalDeployment, deploy
from tests.conftest import REGION, sns_lambda_event


@pytest.fixture
def deployment(moto_aws: None, monkeypatch: pytest.MonkeyPatch) -> LocalDeployment:
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    return deploy(boto3.Session(region_name=REGION), stack_name="alarms")


def alarm_index() -> dict[tuple[str, str, frozenset], dict[str, Any]]:
    alarms = boto3.client("cloudwatch", region_name=REGION).describe_alarms()["MetricAlarms"]
    return {
        (
            a["Namespace"],
            a["MetricName"],
            frozenset((d["Name"], d["Value"]) for d in a["Dimensions"]),
        ): a
        for a in alarms
    }


def emitted_metrics(deployment: LocalDeployment, function: str, event: dict) -> list[tuple]:
    """(namespace, metric, dimensions, value) of every EMF metric one invocation prints."""
    spec = deployment.functions[function]
    module = load_handler_module(spec)
    # Powertools keeps metrics per process, and runs in this one may have left some unflushed.
    Metrics().clear_metrics()
    out = io.StringIO()
    with environment(spec.environment), contextlib.redirect_stdout(out):
        getattr(module, spec.handler.rsplit(".", 1)[1])(event, LambdaContext(function))
    found = []
    for line in out.getvalue().splitlines():
        record = json.loads(line) if line.startswith("{") else {}
        for directive in record.get("_aws", {}).get("CloudWatchMetrics", []):
            for dimension_set in directive["Dimensions"]:
                dimensions = frozenset((name, record[name]) for name in dimension_set)
                for metric in directive["Metrics"]:
                    value = record[metric["Name"]]
                    total = sum(value) if isinstance(value, list) else value
                    found.append((directive["Namespace"], metric["Name"], dimensions, total))
    return found


@pytest.mark.parametrize("function", ["TrackingFunction", "InboundFunction"])
def test_normalization_errors_alarm_selects_the_metric_the_function_emits(
    deployment: LocalDeployment, function: str
) -> None:
    [topic] = deployment.functions[function].sns_topics
    event = sns_lambda_event("<html>a proxy error page</html>", topic_arn=topic)
    metrics = emitted_metrics(deployment, function, event)
    [(namespace, name, dimensions, value)] = [m for m in metrics if m[1] == "NormalizationErrors"]
    alarm = alarm_index().get((namespace, name, dimensions))
    assert alarm is not None, f"no alarm watches {namespace} {name} {sorted(dimensions)}"
    assert value == 1 and value > alarm["Threshold"]  # one bad record is enough to alarm


def test_lambda_alarms_name_the_deployed_functions(deployment: LocalDeployment) -> None:
    alarms = alarm_index()
    for function in deployment.functions:
        dimensions = frozenset({("FunctionName", deployment.ref(function))})
        for metric in ("Errors", "Throttles", "AsyncEventsDropped", "DestinationDeliveryFailures"):
            assert ("AWS/Lambda", metric, dimensions) in alarms, (function, metric)


def test_queue_alarms_watch_the_deployed_queues(deployment: LocalDeployment) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    alarms = alarm_index()
    for queue in (
        "FailedEventsQueue",
        "TrackingDeliveryDeadLetterQueue",
        "InboundDeliveryDeadLetterQueue",
        "ScheduledSendDeadLetterQueue",
    ):
        url = deployment.ref(queue)  # a queue's Ref is its URL
        sqs.send_message(QueueUrl=url, MessageBody="{}")
        visible = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]["ApproximateNumberOfMessages"]
        dimensions = frozenset({("QueueName", url.rsplit("/", 1)[1])})
        waiting = alarms[("AWS/SQS", "ApproximateNumberOfMessagesVisible", dimensions)]
        assert int(visible) > waiting["Threshold"]  # one message waiting is an alarm
        assert ("AWS/SQS", "ApproximateAgeOfOldestMessage", dimensions) in alarms
