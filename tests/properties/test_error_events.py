"""An error event fits EventBridge and is strict JSON, whatever it must carry (pure)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sesbridge.events import strict_json
from sesbridge.events.errors import normalization_error_entry

from tests.invariants import assert_publishable
from tests.properties.strategies import LARGE_INPUTS, awkward_text, json_values, materialize


@LARGE_INPUTS
@given(
    record=json_values.map(materialize),
    sns=st.dictionaries(
        st.sampled_from(["MessageId", "TopicArn", "Message", "Timestamp"]), json_values
    ).map(materialize),
    reason=awkward_text,
    error_type=st.sampled_from(["not_json", "unexpected_error"]),
)
def test_error_events_always_fit(record: Any, sns: Any, reason: str, error_type: str) -> None:
    wrapped = {"EventSource": "aws:sns", "Sns": sns, "Other": record}
    for carried in (record, wrapped):
        entry = normalization_error_entry(
            function="tracking",
            reason=reason,
            error_type=error_type,
            exception_type="ValueError",
            record=carried,
            source="sesbridge",
        )
        assert_publishable(entry.to_request_entry("bus", "sesbridge"))


@LARGE_INPUTS
@given(value=json_values.map(materialize))
def test_strict_dumps_reads_back_strictly(value: Any) -> None:
    try:
        text = strict_json.dumps(value)
    except RecursionError:  # deeper than the encoder goes: the error event's fallback
        return
    strict_json.loads(text)  # no NaN, valid UTF-8
    text.encode("utf-8")
