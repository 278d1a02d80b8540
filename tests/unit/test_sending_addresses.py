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


# -- international domains: IDNA 2008 with UTS #46 mapping --


def test_idna_2008_keeps_sharp_s_a_letter_of_its_own() -> None:
    (address,) = parse_addresses("a@faß.de", "to")
    assert address.addr_spec == "a@xn--fa-hia.de"  # IDNA 2003 maps it to fass.de


def test_scripts_newer_than_idna_2003_are_accepted() -> None:
    (address,) = parse_addresses("cc@\u078b\u07a8\u0788\u07ac\u0780\u07a8.example.mv", "cc")
    assert address.addr_spec == "cc@xn--hqbpi0jcw.example.mv"


def test_uts46_maps_case_as_mail_clients_do() -> None:
    (address,) = parse_addresses("A@BÜCHER.example", "to")
    assert address.addr_spec == "A@xn--bcher-kva.example"


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("a@a\u200db.example", "Joiner U\\+200D not allowed"),
        ("a@b\u00fc-.example", "Label must not start or end with a hyphen"),
        ("a@\u2603.example", "Codepoint U\\+2603 at position 1 of .☃. not allowed"),
    ],
)
def test_invalid_international_domains_say_which_address_and_why(value: str, why: str) -> None:
    with pytest.raises(InvalidMessage, match=rf"^bcc: invalid international domain in .*\({why}"):
        parse_addresses(["ok@example.com", value], "bcc")


def test_idna_is_imported_only_for_international_domains() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from sesbridge.sending.addresses import parse_addresses as p;"
        "p('a@example.com', 'to'); print('idna' in sys.modules);"
        "p('a@bücher.example', 'to'); print('idna' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"]
