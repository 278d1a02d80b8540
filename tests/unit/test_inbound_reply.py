"""Reply text without the quote: the corpus of client formats, the bounds, the failure path."""

from __future__ import annotations

from pathlib import Path

import mailparser_reply
import pytest
from sesbridge.events.entries import MAX_ENTRY_BYTES, entry_size, fit_entry
from sesbridge.inbound.detail import REDUCERS, inbound_entry
from sesbridge.inbound.html_text import html_as_text
from sesbridge.inbound.message import parse_mime_bytes
from sesbridge.inbound.receipt import parse_receipt
from sesbridge.inbound.reply import MAX_REPLY_CHARS, reply_fields

from tests.inbound_samples import multipart_mail, s3_action

RAW = {"bucket": "inbox-bucket", "key": "mail/abc", "size": 1, "sha256": "0" * 64}
CORPUS = Path(__file__).parent.parent / "replies"
CASES = sorted(p.stem for p in CORPUS.glob("*.eml"))

# What the library gets wrong on the corpus (README, inbound section), with what it leaves
# in. Asserted to fail this way, so an upgrade that fixes one is noticed here.
KNOWN_FAILURES = {
    "gmail_es": ("Gmail's Spanish 'El ..., X (<addr>) escribió:' is not matched", "escribió:"),
    "gmail_nl": ("Gmail's Dutch 'Op ... schreef X <addr>:' is not matched", "schreef"),
    "gmail_pt": ("Portuguese is not among the library's languages", "escreveu:"),
    "forwarded_gmail": ("the forwarded block is cut, its separator line kept", "Forwarded message"),
    "quoted_only": ("'>' lines with no 'wrote:' line above them are kept", "> earlier line one"),
    "interleaved": ("a quote above the answer is kept (no split inside a reply)", "> Does it"),
}


def stripped(case: str) -> str | None:
    message = parse_mime_bytes((CORPUS / f"{case}.eml").read_bytes())
    return reply_fields(message.text, message.html)["stripped_text"]


def expected(case: str) -> str:
    return (CORPUS / f"{case}.expected.txt").read_text(encoding="utf-8").strip()


def test_the_corpus_covers_the_big_clients_and_languages() -> None:
    assert len(CASES) == 21 and set(KNOWN_FAILURES) <= set(CASES)
    for family in ("gmail_", "outlook_", "apple", "thunderbird", "html_", "signature"):
        assert any(c.startswith(family) for c in CASES), family


@pytest.mark.parametrize("case", [c for c in CASES if c not in KNOWN_FAILURES])
def test_reply_text_is_extracted(case: str) -> None:
    assert stripped(case) == expected(case)


@pytest.mark.parametrize("case", sorted(KNOWN_FAILURES))
def test_known_failures_still_fail_the_same_way(case: str) -> None:
    got = stripped(case)
    left_in = KNOWN_FAILURES[case][1]
    assert got != expected(case) and expected(case) in got and left_in in got


def test_accuracy_figure_in_the_readme() -> None:
    right = len(CASES) - len(KNOWN_FAILURES)
    page = (CORPUS.parent.parent / "docs" / "inbound.md").read_text(encoding="utf-8")
    assert f"{right} of {len(CASES)}" in page


def test_html_blockquotes_are_read_as_quoted_lines() -> None:
    html = "<div>New<br>text</div><blockquote><p>old</p><blockquote>older</blockquote></blockquote>"
    assert html_as_text(html) == "New\ntext\n\n> old\n\n> > older"
    assert html_as_text("<style>p{}</style><p>a &amp; b</p>") == "a &amp; b".replace("&amp;", "&")


def test_only_the_first_64_kb_is_read_and_that_is_flagged() -> None:
    header = "On Mon, Nov 30, 2026 at 10:15 AM S <s@example.com> wrote:\n"
    body = "Thanks.\n\n" + header + "> q\n" * 4000
    fields = reply_fields(body, None)
    assert len(body) > MAX_REPLY_CHARS
    assert fields == {"stripped_text": "Thanks.", "stripped_text_capped": True,
                      "stripped_text_failed": False}  # fmt: skip
    assert reply_fields("short", None)["stripped_text_capped"] is False


def test_no_body_gives_null_without_a_failure() -> None:
    assert reply_fields(None, None) == {
        "stripped_text": None, "stripped_text_capped": False, "stripped_text_failed": False
    }  # fmt: skip


def test_a_library_failure_is_flagged_and_the_event_is_kept(monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RecursionError("deep")

    monkeypatch.setattr(mailparser_reply, "EmailReplyParser", broken)
    receipt = parse_receipt(s3_action("inbox-bucket", "mail/abc"))
    entry = inbound_entry(receipt, parse_mime_bytes(multipart_mail()), raw=RAW, source="s")
    message = entry.detail["message"]
    assert message["stripped_text"] is None and message["stripped_text_failed"] is True
    assert message["text"]  # the full body stays


def test_a_long_stripped_text_is_cut_to_fit_and_flagged(schema_validator) -> None:
    receipt = parse_receipt(s3_action("inbox-bucket", "mail/abc"))
    entry = inbound_entry(receipt, parse_mime_bytes(multipart_mail()), raw=RAW, source="sesbridge")
    # Larger than any mail gives (16 KB read), so the fitting is what is tested.
    long_reply = "\u00e4" * (300 * 1024)
    entry.detail["message"]["stripped_text"] = long_reply
    fitted = fit_entry(entry, "sesbridge", REDUCERS)
    message = fitted.detail["message"]
    assert entry_size(fitted, "sesbridge") <= MAX_ENTRY_BYTES
    assert message["stripped_text_truncated"] is True and message["text_truncated"] is False
    assert 1000 < len(message["stripped_text"]) < len(long_reply)
    assert long_reply.startswith(message["stripped_text"])
    event = {"source": "sesbridge", "detail-type": fitted.detail_type, "detail": fitted.detail}
    assert not list(schema_validator.iter_errors(event))
