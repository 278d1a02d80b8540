"""The threading and addressing fields hold their invariants whatever the mail says.

For mutated MIME (msg-id lists of every size and shape among the headers), any
recipient and separator: every field is strict JSON of its schema type, bounded by the
parser's header budget, and reply_to_message_id / thread_id name ids the mail holds.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sesbridge.inbound.conversation import mailbox_fields, thread_fields
from sesbridge.inbound.errors import CorruptMime
from sesbridge.inbound.message import MAX_HEADER_CHARS, parse_mime_bytes
from sesbridge.message_ids import MAX_REFERENCES, ses_message_id

from tests.invariants import strict_loads
from tests.properties import strategies


def _strict_json(value: Any) -> Any:
    return strict_loads(json.dumps(value, ensure_ascii=False, allow_nan=False))


@strategies.LARGE_INPUTS_HALF_THE_EXAMPLES
@given(raw=strategies.mutated_mime())
def test_thread_fields_are_bounded_strict_json_from_the_mail(raw: bytes) -> None:
    try:
        message = parse_mime_bytes(raw)
    except CorruptMime:
        return  # an error event (test_functions_survive): no fields to check
    fields = thread_fields(message)
    assert _strict_json(fields) == fields
    references = fields["references"]
    assert isinstance(references, list) and len(references) <= MAX_REFERENCES
    assert sum(len(r) for r in references) <= MAX_HEADER_CHARS
    ids = [fields["in_reply_to"], *references]
    for name in ("message_id", "in_reply_to", "thread_id"):
        value = fields[name]
        assert value is None or (value.startswith("<") and len(value) <= MAX_HEADER_CHARS)
    assert fields["thread_id"] in (
        references[:1] or [fields["in_reply_to"] or fields["message_id"]]
    )
    ours = fields["reply_to_message_id"]
    assert ours is None or ours in {ses_message_id(i) for i in ids if i}


@strategies.LARGE_INPUTS
@given(
    local=strategies.awkward_text,
    domain=st.sampled_from(["example.com", "", "@x", "b\udcff"]),
    separator=st.sampled_from(["+", "-", "--", "_", "."]),
)
def test_mailbox_hash_splits_the_recipient_and_loses_nothing(
    local: str, domain: str, separator: str
) -> None:
    recipient = f"{local}@{domain}" if domain else local
    fields = mailbox_fields(recipient, separator)
    base, mailbox_hash = fields["envelope_recipient_base"], fields["mailbox_hash"]
    if not recipient:
        assert mailbox_hash is None
    elif mailbox_hash is None:
        assert base == recipient
    else:
        head, at, tail = base.rpartition("@")
        rebuilt = (
            f"{head}{separator}{mailbox_hash}{at}{tail}" if at else base + separator + mailbox_hash
        )
        assert rebuilt == recipient
