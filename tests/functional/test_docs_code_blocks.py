"""Every code block of README.md and docs/*.md runs, parses or matches what it claims to.

- python: executed, each page's blocks in order in one namespace (as a reader pastes
  them), inside moto and ``sesbridge.testing.outbox()``; a block defining ``handler`` is
  called with a real published event of the kind it reads.
- yaml: parsed with the template's loader (SAM short forms: ``!Sub``, ``!ImportValue``).
- json: parsed; event patterns (here and in yaml ``Pattern:``) must match at least one
  event the functions really published on moto's bus.
- sh: ``bash -n``.

A block that needs real AWS has ``<!-- needs-aws -->`` on the line before it and is
only checked for syntax.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from samtranslator.yaml_helper import yaml_parse

from tests.conftest import SAMPLE_EVENTS, load_json, sns_lambda_event
from tests.functional.test_tracking_function import LambdaContext

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
NEEDS_AWS = "<!-- needs-aws -->"
# Fences at the margin or indented in a list item (then their code is dedented).
FENCE = re.compile(
    r"^(?P<indent> *)```(?P<lang>[\w-]*)\n(?P<code>.*?)^(?P=indent)```$", re.MULTILINE | re.DOTALL
)
PATTERN_KEYS = {"source", "detail-type", "detail"}
REGION = "us-east-1"


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    lang: str
    code: str
    needs_aws: bool

    def __str__(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip()
        found.append(
            Block(
                page,
                text.count("\n", 0, match.start()) + 1,
                match["lang"],
                textwrap.dedent(match["code"]),
                before.endswith(NEEDS_AWS),
            )
        )
    return found


ALL = [block for page in PAGES for block in blocks(page)]


def of(*langs: str, needs_aws: bool = False) -> list[Block]:
    return [b for b in ALL if b.lang in langs and b.needs_aws is needs_aws]


def ids(items: list[Block]) -> list[str]:
    return [str(b) for b in items]


def event_patterns() -> list[tuple[Block, dict[str, Any]]]:
    """Every EventBridge pattern the docs show: json blocks, and yaml rules' ``Pattern``."""
    found = []
    for block in of("json") + of("yaml"):
        data = json.loads(block.code) if block.lang == "json" else yaml_parse(block.code)
        found += [(block, pattern) for pattern in _patterns_in(data, block.lang)]
    return found


def _patterns_in(data: Any, lang: str) -> Iterator[dict[str, Any]]:
    if lang == "json" and isinstance(data, dict) and set(data) <= PATTERN_KEYS and data:
        yield data
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("Pattern", "EventPattern") and isinstance(value, dict):
                yield value
            else:
                yield from _patterns_in(value, "yaml")
    elif isinstance(data, list):
        for item in data:
            yield from _patterns_in(item, "yaml")


# -- real published events: the functions run in-process on moto --


def _tracking_sample(name: str, change: Any = None) -> dict[str, Any]:
    event = load_json(SAMPLE_EVENTS / f"tracking-{name}.json")
    if change is not None:
        message = json.loads(event["Records"][0]["Sns"]["Message"])
        change(message)
        event["Records"][0]["Sns"]["Message"] = json.dumps(message)
    return event


def _with_tag(message: dict[str, Any]) -> None:
    message["mail"]["headers"].append({"name": "X-Tag", "value": "newsletter"})


def _oversized(message: dict[str, Any]) -> None:  # trimmed to fit 256 KB
    message["mail"]["headers"] += [{"name": f"X-F-{i}", "value": "y" * 1000} for i in range(300)]


def _to_a_ticket_unauthenticated(message: dict[str, Any]) -> None:
    receipt = message["receipt"]
    receipt["recipients"] = message["mail"]["destination"] = ["support+ticket-42@example.org"]
    for verdict in ("spfVerdict", "dkimVerdict", "dmarcVerdict"):
        receipt[verdict] = {"status": "FAIL"}


def _inbound_sample(name: str, change: Any) -> dict[str, Any]:
    event = load_json(SAMPLE_EVENTS / f"inbound-{name}.json")
    message = json.loads(event["Records"][0]["Sns"]["Message"])
    change(message)
    message["mail"]["messageId"] += "-changed"
    event["Records"][0]["Sns"]["Message"] = json.dumps(message)
    return event


def _in_tenant(message: dict[str, Any]) -> None:  # sent as SES tenant acme, tagged with it
    message["mail"].setdefault("tags", {}).update({"ses:tenant-name": ["acme"], "tenant": ["acme"]})


# SES's own account-level event on the default bus (the eventbridge tracking input).
SENDING_PAUSED = {
    "version": "0",
    "id": "docs-paused-1",
    "detail-type": "Sending Status Disabled",
    "source": "aws.ses",
    "account": "123456789012",
    "time": "2026-11-24T10:00:00Z",
    "region": "us-east-1",
    "resources": [],
    "detail": {},
}


class Published:
    """Publishes a corpus of events through the real functions and routes each pattern of
    the docs to a queue of its own, with a rule on moto's bus."""

    def __init__(self, event_bus: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        from inbound import app as inbound_app
        from tracking import app as tracking_app

        self.events = boto3.client("events", region_name=REGION)
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.bus = event_bus.bus_name
        self.queues: list[str] = []
        self.readback = event_bus
        boto3.client("s3", region_name=REGION).create_bucket(Bucket="docs-raw-mail")
        monkeypatch.setenv("EVENT_BUS_NAME", self.bus)
        monkeypatch.setenv("RAW_MAIL_BUCKET", "docs-raw-mail")
        for name in ("EVENT_SOURCE", "ALLOWED_TOPIC_ARNS", "RECEIPT_KMS_KEY_ID"):
            monkeypatch.delenv(name, raising=False)
        self.apps = (tracking_app, inbound_app)
        self._fresh()

    def _fresh(self) -> None:
        for app in self.apps:
            for name in ("settings", "normalizer", "publisher"):
                factory = getattr(app, name, None)
                if factory is not None:
                    factory.cache_clear()

    def route(self, pattern: dict[str, Any]) -> int:
        n = len(self.queues)
        url = self.sqs.create_queue(QueueName=f"docs-rule-{n}")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        self.events.put_rule(
            Name=f"docs-rule-{n}", EventBusName=self.bus, EventPattern=json.dumps(pattern)
        )
        self.events.put_targets(
            Rule=f"docs-rule-{n}",
            EventBusName=self.bus,
            Targets=[{"Id": "q", "Arn": arn["Attributes"]["QueueArn"]}],
        )
        self.queues.append(url)
        return n

    def publish_corpus(self) -> list[dict[str, Any]]:
        tracking_app, inbound_app = self.apps
        for event in (
            *(load_json(path) for path in sorted(SAMPLE_EVENTS.glob("tracking-*.json"))),
            _tracking_sample("complaint", _with_tag),
            _tracking_sample("send", _oversized),
            _tracking_sample("bounce", _in_tenant),
            SENDING_PAUSED,
            sns_lambda_event("not json", topic_arn="arn:aws:sns:us-east-1:123456789012:t"),
        ):
            tracking_app.lambda_handler(event, LambdaContext())
        for event in (
            *(load_json(path) for path in sorted(SAMPLE_EVENTS.glob("inbound-sns-*.json"))),
            _inbound_sample("sns-utf8", _to_a_ticket_unauthenticated),
        ):
            inbound_app.lambda_handler(event, LambdaContext())
        self._fresh()
        return self.readback.read()

    def matched(self, rule: int) -> int:
        messages = self.sqs.receive_message(QueueUrl=self.queues[rule], MaxNumberOfMessages=10)
        return len(messages.get("Messages", []))


@pytest.fixture
def published(event_bus: Any, monkeypatch: pytest.MonkeyPatch) -> Published:
    return Published(event_bus, monkeypatch)


# -- the tests --


def test_the_docs_have_code_blocks_of_each_kind() -> None:
    langs = {b.lang for b in ALL}
    assert {"python", "yaml", "json", "sh"} <= langs, langs
    assert event_patterns(), "no event pattern found: the parser is broken"


def test_every_event_pattern_matches_a_published_event(published: Published) -> None:
    patterns = event_patterns()
    rules = [published.route(pattern) for _, pattern in patterns]
    published.publish_corpus()
    unmatched = [
        str(block)
        for (block, _), rule in zip(patterns, rules, strict=True)
        if not published.matched(rule)
    ]
    assert not unmatched, f"patterns no published event matches: {unmatched}"


class Placeholders(dict):
    """The names a docs example leaves to the reader (its own data and functions)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

        def recorder(name: str) -> Any:
            return lambda *args, **kwargs: self.calls.append((name, args))

        super().__init__(
            __name__="docs_example",
            logo_png_bytes=b"\x89PNG\r\n\x1a\n" + bytes(64),
            pdf_bytes=b"%PDF-1.4\n" + bytes(64),
            log=logging.getLogger("docs_example"),
            suppress=recorder("suppress"),
            save=recorder("save"),
        )

        def signup(address: str) -> None:  # "your code" of the outbox example
            from sesbridge import EmailMessage

            EmailMessage("Welcome", "Hi!", "shop@example.com", [address], tags=["welcome"]).send()

        self["signup"] = signup


# What a handler of the docs reads tells which published event it is given.
READS = {
    "TrackingEvent": "Email Tracking Event",
    "load_message": "Email Inbound Event",
    "InboundEvent": "Email Inbound Event",
}


def _handlers(namespace: dict[str, Any], before: dict[str, Any]) -> Iterator[tuple[Any, str]]:
    """The functions a block defined as Lambda handlers of published events."""
    for name, value in namespace.items():
        code = getattr(value, "__code__", None)
        if code is None or before.get(name) is value or code.co_filename == __file__:
            continue
        if code.co_varnames[: code.co_argcount] != ("event", "context"):
            continue
        kinds = {READS[n] for n in code.co_names if n in READS}
        if len(kinds) == 1:
            yield value, kinds.pop()


def _event_of(kind: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    matching = [e for e in events if e["detail-type"] == kind]
    bounced = [e for e in matching if e["detail"].get("event_type") == "bounced"]
    return (bounced or matching)[0]


PYTHON_PAGES = sorted({b.page for b in of("python")})


@pytest.mark.parametrize("page", PYTHON_PAGES, ids=[str(p.relative_to(ROOT)) for p in PYTHON_PAGES])
def test_python_blocks_run(page: Path, published: Published, tmp_path: Path, monkeypatch) -> None:
    from sesbridge.sending.sender import get_default_sender
    from sesbridge.testing import outbox

    events = published.publish_corpus()
    monkeypatch.chdir(tmp_path)  # files the examples attach
    (tmp_path / "terms.pdf").write_bytes(b"%PDF-1.4\n" + bytes(32))
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "banner.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(32))
    for name, value in {
        "SESBRIDGE_SCHEDULE_GROUP": "sesbridge-sends",
        "SESBRIDGE_SCHEDULER_ROLE_ARN": "arn:aws:iam::123456789012:role/sesbridge-scheduler",
    }.items():
        monkeypatch.setenv(name, value)
    get_default_sender.cache_clear()
    namespace = Placeholders()
    ran, called = 0, []
    with outbox():
        for block in (b for b in of("python") if b.page == page):
            before = dict(namespace)
            try:
                exec(compile(block.code, str(block), "exec"), namespace)
                for handler, kind in _handlers(namespace, before):
                    handler(_event_of(kind, events), LambdaContext())
                    called.append(f"{block}: {handler.__name__}")
            except Exception as error:
                raise AssertionError(f"{block} raised {error!r}") from error
            ran += 1
    get_default_sender.cache_clear()
    assert ran and (called or page != ROOT / "README.md"), called


CHECKED = [b for b in ALL if b.lang != "text"]


@pytest.mark.parametrize("block", CHECKED, ids=ids(CHECKED))
def test_every_block_is_valid_in_its_language(block: Block) -> None:
    if block.lang == "python":
        compile(block.code, str(block), "exec")
    elif block.lang == "yaml":
        assert isinstance(yaml_parse(block.code), dict)
    elif block.lang == "json":
        json.loads(block.code)
    else:
        done = subprocess.run(["bash", "-n"], input=block.code, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


# A command that talks to an AWS account: the aws CLI, or sam deploy.
CALLS_AWS = re.compile(r"(^|[\s$(|&;])(aws \w|(\S*/)?sam deploy)", re.MULTILINE)


def test_shell_blocks_that_call_aws_are_marked() -> None:
    unmarked = [
        str(b)
        for b in ALL
        if b.lang in ("sh", "bash", "shell") and CALLS_AWS.search(b.code) and not b.needs_aws
    ]
    assert not unmarked, f"mark these {NEEDS_AWS}: {unmarked}"


def test_only_known_languages() -> None:
    known = {"python", "yaml", "json", "sh", "bash", "shell", "text"}
    assert {b.lang for b in ALL} <= known, "a block of a language this test does not check"


def _imports(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        if "Fn::ImportValue" in data:
            yield data["Fn::ImportValue"]
        for value in data.values():
            yield from _imports(value)
    elif isinstance(data, list):
        for item in data:
            yield from _imports(item)


def test_imported_values_are_outputs_the_stack_exports() -> None:
    from scripts.local_deploy import load_template

    exported = {
        f"sesbridge-{name}"  # the stack as the docs name it
        for name, spec in load_template()["Outputs"].items()
        if "Export" in spec
    }
    imported = {name for block in of("yaml") for name in _imports(yaml_parse(block.code))}
    assert imported, "the docs import no value: the walkthrough lost its consumer stack"
    assert imported <= exported, f"not exported: {sorted(imported - exported)}"
