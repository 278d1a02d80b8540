"""Hypothesis strategies: the sample events and mails, mutated in value, type and shape."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sesbridge.native import ACCOUNT_DETAIL_TYPES, SENDING_DETAIL_TYPES

from tests.conftest import SAMPLE_EVENTS, load_json
from tests.inbound_samples import multipart_mail

# Built once: the email generator picks boundaries with `random`, which strategies must not.
SAMPLE_MAIL = multipart_mail()
# Inputs of 300 KB and 3,000 levels are the point here: no health check against them.
LARGE_INPUTS = settings(
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ]
)
# Half the profile's examples, for properties that run the whole inbound path on moto.
LARGE_INPUTS_HALF_THE_EXAMPLES = settings(
    LARGE_INPUTS, max_examples=max(settings().max_examples // 2, 10)
)

NATIVE_SAMPLES = sorted(p.name for p in SAMPLE_EVENTS.glob("tracking-native-*.json"))
TRACKING_SAMPLES = sorted(
    p.name for p in SAMPLE_EVENTS.glob("tracking-*.json") if p.name not in NATIVE_SAMPLES
)
INBOUND_SAMPLES = sorted(p.name for p in SAMPLE_EVENTS.glob("inbound-*.json"))


class Deep:
    """A JSON value nested ``depth`` levels: written as text (``dumps_loose``) or built
    (``materialize``) without recursion, so strategies can hold thousands of levels."""

    def __init__(self, depth: int, kind: str) -> None:
        self.depth, self.kind = depth, kind

    def text(self) -> str:
        if self.kind == "list":
            return "[" * self.depth + "1" + "]" * self.depth
        return '{"a":' * self.depth + "1" + "}" * self.depth

    def build(self) -> Any:
        value: Any = 1
        for _ in range(self.depth):
            value = [value] if self.kind == "list" else {"a": value}
        return value

    def __repr__(self) -> str:
        return f"Deep({self.depth}, {self.kind!r})"


def dumps_loose(value: Any) -> str:
    """JSON as Python writes it (NaN, Infinity: what a strict reader must refuse)."""
    deep: dict[str, Deep] = {}

    def placeholder(obj: Any) -> str:
        key = f"@@deep{len(deep)}@@"
        deep[key] = obj
        return key

    text = json.dumps(value, allow_nan=True, default=placeholder)
    for key, obj in deep.items():
        text = text.replace(f'"{key}"', obj.text())
    return text


def materialize(value: Any) -> Any:
    """``value`` with its Deep markers built (for values that are not JSON text)."""
    if isinstance(value, Deep):
        return value.build()
    if isinstance(value, dict):
        return {k: materialize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [materialize(v) for v in value]
    return value


# Text that breaks naive code: lone surrogates, controls, multi-byte, long runs.
awkward_text = st.one_of(
    st.text(max_size=20),
    st.text(st.characters(codec=None, categories=["Cs", "Cc", "So", "Lo"]), max_size=10),
    st.sampled_from(
        [
            "",
            " ",
            "\udcff",
            "\ud800x",
            "NaN",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00",
            "2026-13-45T99:99:99Z",
            "\x00",
            '"\\',
        ]
    ),
    st.builds(
        lambda c, n: c * n,
        st.sampled_from(["x", "\u20ac", "\U0001f389", "\x00", '"']),
        st.integers(1_000, 300_000),
    ),
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    awkward_text,
)

json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(awkward_text, inner, max_size=3),
    max_leaves=8,
) | st.builds(Deep, st.integers(50, 3000), st.sampled_from(["list", "dict"]))


def _paths(value: Any, max_depth: int = 12) -> list[tuple]:
    """Paths to the nodes of ``value``, down to ``max_depth``."""
    found, pending = [], [((), value)]
    while pending:
        path, node = pending.pop()
        found.append(path)
        if len(path) >= max_depth:
            continue
        if isinstance(node, dict):
            pending.extend(((*path, k), v) for k, v in node.items())
        elif isinstance(node, list):
            pending.extend(((*path, i), v) for i, v in enumerate(node))
    return found


@st.composite
def mutated(draw: Any, value: Any, max_mutations: int = 4) -> Any:
    """``value`` (a JSON document) with a few of its nodes replaced, removed or emptied."""
    value = copy.deepcopy(value)
    for _ in range(draw(st.integers(1, max_mutations))):
        paths = _paths(value)
        path = draw(st.sampled_from(paths))
        if not path:
            continue
        parent = value
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "replace", "delete", "empty"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "empty":
            parent[path[-1]] = (
                type(parent[path[-1]])()
                if isinstance(parent[path[-1]], (dict, list, str))
                else None
            )
        else:
            parent[path[-1]] = draw(json_values)
    return value


@st.composite
def sns_events(draw: Any, sample_names: list[str], message: Any = None) -> Any:
    """A Lambda SNS event from a sample, its SES message and envelope mutated."""
    event = load_json(SAMPLE_EVENTS / draw(st.sampled_from(sample_names)))
    sns = event["Records"][0]["Sns"]
    ses = json.loads(sns["Message"])
    kind = draw(st.sampled_from(["ses", "ses", "ses", "envelope", "message_text", "event"]))
    if kind == "ses":
        ses = message if message is not None else draw(mutated(ses))
        sns["Message"] = dumps_loose(ses)
    elif kind == "envelope":
        for name in draw(st.lists(st.sampled_from(sorted(sns)), min_size=1, max_size=3)):
            sns[name] = materialize(draw(json_values))
    elif kind == "message_text":
        sns["Message"] = draw(awkward_text | st.builds(dumps_loose, json_values))
    else:
        return materialize(draw(mutated(event, max_mutations=2)))
    if draw(st.booleans()):  # more than one record: one bad record cannot hide another
        event["Records"].append(event["Records"][0])
    return event


# SES's EventBridge detail-types: the sending ones carry an SNS sample's SES record.
_NATIVE_DETAIL_TYPES = [*sorted(SENDING_DETAIL_TYPES | set(ACCOUNT_DETAIL_TYPES)), "Email Future"]


@st.composite
def native_events(draw: Any) -> Any:
    """An SES EventBridge event (sending or account-level), its detail or envelope mutated."""
    event = load_json(SAMPLE_EVENTS / draw(st.sampled_from(NATIVE_SAMPLES)))
    sample = load_json(SAMPLE_EVENTS / draw(st.sampled_from(TRACKING_SAMPLES)))
    event["detail"] = json.loads(sample["Records"][0]["Sns"]["Message"])
    event["detail-type"] = draw(st.sampled_from(_NATIVE_DETAIL_TYPES))
    kind = draw(st.sampled_from(["detail", "detail", "envelope", "event", "none"]))
    if kind == "detail":
        event["detail"] = draw(mutated(event["detail"]))
    elif kind == "envelope":
        for name in draw(st.lists(st.sampled_from(sorted(event)), min_size=1, max_size=3)):
            event[name] = materialize(draw(json_values))
    elif kind == "event":
        return materialize(draw(mutated(event, max_mutations=2)))
    return event


# -- MIME --

_HEADER_NAMES = [
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Content-Type",
    "Content-ID",
    "Content-Disposition",
    "Content-Transfer-Encoding",
    "Message-ID",
    "In-Reply-To",
    "References",
    "X-Other",
]


_ATTACHED = (
    b'From: a@example.com\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\n'
    b"Content-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n%s\r\n--B--\r\n"
)


def _deep_parts(depth: int, kind: str) -> bytes:
    if kind == "rfc822":
        return b"From: a@example.com\r\n" + b"Content-Type: message/rfc822\r\n\r\n" * depth
    body = "Content-Type: text/plain\r\n\r\nx"
    for i in range(depth):
        body = f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n{body}\r\n--b{i}--'
    return body.encode()


header_values = st.one_of(
    awkward_text,
    st.builds(lambda n: " ".join(["=?utf-8?q?abc=C3=A4?="] * n), st.integers(1, 4000)),
    st.builds(lambda n: "(" * n + "x" + ")" * n + " a@example.com", st.integers(1, 3000)),
    st.builds(lambda n: ", ".join(f"u{i}@example.com" for i in range(n)), st.integers(1, 3000)),
    # msg-id lists: SES ids (ours), others, thousands of them, brackets unbalanced.
    st.builds(
        lambda n, region: " ".join(
            f"<0100{i:012x}-000000@{region}.amazonses.com>" if i % 3 else f"<r{i}@example.net>"
            for i in range(n)
        ),
        st.integers(1, 5000),
        st.sampled_from(["email", "eu-west-1", "amazonses", "x.eu-west-1"]),
    ),
    st.sampled_from(
        ["<<a@b>", "<a@email.amazonses.com", "a@b c@d", "<\udcff@eu-west-1.amazonses.com>"]
    ),
    st.sampled_from(
        [
            "<>",
            "@",
            '"unterminated',
            "=?utf-8?b?!!!?=",
            "=?x-unknown?q?a?=",
            "multipart/mixed",
            'multipart/mixed; boundary=""',
            "message/rfc822",
            "attachment; filename*=utf-8''%ff%fe",
            "base64",
            "quoted-printable",
        ]
    ),
)


@st.composite
def mutated_mime(draw: Any) -> bytes:
    """The sample multipart mail (or a deep one), with headers and bytes mutated."""
    kind = draw(st.sampled_from(["sample", "sample", "deep_multipart", "deep_rfc822", "bytes"]))
    if kind.startswith("deep"):
        raw = _deep_parts(draw(st.integers(1, 1500)), kind.removeprefix("deep_"))
    else:
        raw = SAMPLE_MAIL
    if kind == "bytes":
        raw = draw(st.binary(max_size=200)) + raw[draw(st.integers(0, len(raw))) :]
    headers = draw(st.lists(st.tuples(st.sampled_from(_HEADER_NAMES), header_values), max_size=3))
    prefix = b"".join(
        f"{name}: {value}\r\n".encode("utf-8", "surrogatepass") for name, value in headers
    )
    if draw(st.booleans()):  # the mutated mail forwarded as a message/rfc822 attachment
        return _ATTACHED % (prefix + raw)
    return prefix + raw


@st.composite
def receipts(draw: Any) -> dict[str, Any]:
    """An SES receipt notification with an SNS (UTF8 or BASE64) or S3 action, mutated."""
    import base64

    sample = load_json(SAMPLE_EVENTS / draw(st.sampled_from(INBOUND_SAMPLES)))
    ses = json.loads(sample["Records"][0]["Sns"]["Message"])
    raw = draw(mutated_mime())
    action = ses["receipt"]["action"]
    stored = None
    if action["type"] == "S3":
        stored = (action["bucketName"], action["objectKey"], raw)
    else:
        if str(action.get("encoding")).upper() == "BASE64":
            ses["content"] = base64.b64encode(raw).decode()
        else:
            ses["content"] = raw.decode("utf-8", "surrogateescape")
    ses = draw(mutated(ses, max_mutations=2)) if draw(st.booleans()) else ses
    event = copy.deepcopy(sample)
    event["Records"][0]["Sns"]["Message"] = dumps_loose(ses)
    return {"event": event, "stored": stored}
