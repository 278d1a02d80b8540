"""Reply extraction reads a bounded part of any body and never raises (pure)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from sesbridge.inbound.reply import MAX_REPLY_CHARS, reply_fields

from tests.properties.strategies import LARGE_INPUTS, awkward_text

# Lines a reply parser looks at, mixed with any text.
reply_lines = st.sampled_from(
    [
        "On Mon, Nov 30, 2026 at 10:15 AM X <x@example.com> wrote:",
        "Am 30.11.2026 um 10:15 schrieb X:",
        "-----Original Message-----",
        "From: X\nSent: Monday\nTo: Y\nSubject: Z",
        "_" * 32,
        "-- ",
        "> quoted",
        "- item",
        "<blockquote>",
        "</blockquote>",
        "<div>",
        "&amp;",
    ]
)
bodies = st.none() | st.lists(reply_lines | awkward_text, max_size=30).map("\n".join)


@LARGE_INPUTS
@given(text=bodies, html=bodies, repeat=st.sampled_from([1, 1, 4000]))
def test_reply_fields_are_bounded_and_never_raise(text, html, repeat) -> None:
    text = text * repeat if text else text
    fields = reply_fields(text, html)
    assert set(fields) == {"stripped_text", "stripped_text_capped", "stripped_text_failed"}
    assert fields["stripped_text_failed"] is False  # no body makes the library fail
    stripped = fields["stripped_text"]
    assert stripped is None or len(stripped) <= MAX_REPLY_CHARS
    source = text or html
    assert fields["stripped_text_capped"] == (bool(source) and len(source) > MAX_REPLY_CHARS)
    if text:  # a text part always gives a string (an HTML one may read as no text)
        assert isinstance(stripped, str)
