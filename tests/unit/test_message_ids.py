"""Message-ID headers SES writes, and reading SES message ids back from them (pure)."""

from __future__ import annotations

import pytest
from sesbridge.message_ids import (
    message_id_header,
    msg_ids,
    region_of_arn,
    ses_domain,
    ses_message_id,
)

SES_ID = "0100018c1a2b3c4d-5e6f7a8b-1234-4cde-9f00-0123456789ab-000000"


@pytest.mark.parametrize(
    ("region", "domain"),
    [
        ("us-east-1", "email.amazonses.com"),
        ("eu-west-1", "eu-west-1.amazonses.com"),
        ("us-west-2", "us-west-2.amazonses.com"),
        ("ap-southeast-2", "ap-southeast-2.amazonses.com"),
        ("us-gov-west-1", "us-gov-west-1.amazonses.com"),
    ],
)
def test_the_domain_is_email_in_us_east_1_and_the_region_elsewhere(region, domain) -> None:
    assert ses_domain(region) == domain
    header = message_id_header(SES_ID, region)
    assert header == f"<{SES_ID}@{domain}>"
    assert ses_message_id(header) == SES_ID


@pytest.mark.parametrize(
    ("ses_id", "region"),
    [(None, "eu-west-1"), ("", "eu-west-1"), (SES_ID, None), (SES_ID, "not a region"), (1, 2)],
)
def test_no_header_is_guessed_from_unknowns(ses_id, region) -> None:
    assert message_id_header(ses_id, region) is None


@pytest.mark.parametrize(
    "msg_id",
    [
        "<abc@example.com>",
        "<abc@amazonses.com>",
        "<abc@evil.example.com.amazonses.com>",
        "<abc@email.amazonses.com.example.net>",
        "<@email.amazonses.com>",
        None,
        42,
    ],
)
def test_other_ids_are_not_ses_ones(msg_id) -> None:
    assert ses_message_id(msg_id) is None


def test_a_bare_ses_id_without_brackets_is_read() -> None:
    assert ses_message_id(f" {SES_ID}@eu-west-1.amazonses.com ") == SES_ID


@pytest.mark.parametrize(
    ("arn", "region"),
    [
        ("arn:aws:sns:eu-west-1:123456789012:ses-events", "eu-west-1"),
        ("arn:aws:ses:us-east-1:123456789012:identity/example.com", "us-east-1"),
        ("arn:aws:sns::123456789012:x", None),
        ("not an arn", None),
        (None, None),
    ],
)
def test_region_of_arn(arn, region) -> None:
    assert region_of_arn(arn) == region


def test_msg_ids_reads_bracketed_ids_in_order_and_bounded() -> None:
    assert msg_ids("<a@x>\r\n <b@y> junk <c@z>") == ["<a@x>", "<b@y>", "<c@z>"]
    assert msg_ids("bare@x") == ["<bare@x>"]
    assert msg_ids("two words") == [] and msg_ids(None) == []
    assert len(msg_ids("".join(f"<{n}@x>" for n in range(500)))) == 100
