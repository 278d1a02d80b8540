"""Address parsing: validation, IDNA, RFC 2047 display names, CR/LF rejection."""

from __future__ import annotations

import pytest
from sesbridge.exceptions import InvalidMessage
from sesbridge.sending.addresses import parse_addresses


def test_parses_lists_and_comma_separated_strings() -> None:
    addresses = parse_addresses(['a@example.com, "Smith, J" <j@example.org>'], "to")
    assert [(a.display_name, a.addr_spec) for a in addresses] == [
        ("", "a@example.com"),
        ("Smith, J", "j@example.org"),
    ]
    assert addresses[1].formatted == '"Smith, J" <j@example.org>'


def test_idna_encodes_domains_and_keeps_the_given_form() -> None:
    (address,) = parse_addresses("Zoë <zoe@bücher.example>", "to")
    assert address.addr_spec == "zoe@xn--bcher-kva.example"
    assert address.given == "zoe@bücher.example"
    assert address.formatted == "=?utf-8?q?Zo=C3=AB?= <zoe@xn--bcher-kva.example>"
    assert address.formatted.isascii()


@pytest.mark.parametrize(
    "value",
    [
        "plainstring",
        "a@nodot",
        "a@@example.com",
        "Name <a@example.com> trailing",
        "zoé@example.com",  # SES has no SMTPUTF8 local parts
        "a@exa_mple.com",
        "a@-bad.example.com",
        "",
    ],
)
def test_invalid_addresses_raise_naming_the_field(value: str) -> None:
    with pytest.raises(InvalidMessage, match=r"^cc: "):
        parse_addresses(value, "cc")


@pytest.mark.parametrize("value", ["a@example.com\r\nBcc: x@evil.example", "a@example.com\n"])
def test_line_breaks_in_addresses_are_refused(value: str) -> None:
    with pytest.raises(InvalidMessage, match="line break"):
        parse_addresses([value], "to")


def test_non_string_address_is_a_type_error() -> None:
    with pytest.raises(TypeError, match='"to" must hold address strings, not int'):
        parse_addresses([42], "to")  # type: ignore[list-item]
