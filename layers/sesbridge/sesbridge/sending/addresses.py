"""Email addresses as SES accepts them: validated, IDNA-encoded domains, RFC 2047 names.

Domains are encoded with IDNA 2008 and UTS #46 mapping (the ``idna`` package), as mail
clients do: ``faß.de`` is ``xn--fa-hia.de`` (IDNA 2003 would send to ``fass.de``, another
domain) and scripts IDNA 2003 predates (Thaana, ...) are accepted.

>>> [a.formatted for a in parse_addresses("Zoë <zoe@bücher.example>", "to")]
['=?utf-8?q?Zo=C3=AB?= <zoe@xn--bcher-kva.example>']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import formataddr, getaddresses

from sesbridge.exceptions import InvalidMessage
from sesbridge.sending.headers import check_header_text

# RFC 5322 dot-atom local part. SES does not accept SMTPUTF8 (non-ASCII) local parts.
_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_DOMAIN_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


@dataclass(frozen=True)
class Address:
    """One mailbox: ``given`` is the address as the caller wrote it (the key for
    merge_data and statuses), ``addr_spec`` the ASCII form sent to SES."""

    display_name: str
    given: str
    addr_spec: str

    @property
    def formatted(self) -> str:
        """``Name <addr>`` with the name RFC 2047-encoded when it is not ASCII."""
        if not self.display_name:
            return self.addr_spec
        return formataddr((self.display_name, self.addr_spec), charset="utf-8")


def parse_addresses(value: str | Iterable[str] | None, field: str) -> list[Address]:
    """Parse one string (possibly comma-separated) or a list of strings into Addresses.

    Raises InvalidMessage naming ``field`` for anything SES would refuse, and for
    text that cannot be in a header (control characters).
    """
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    addresses: list[Address] = []
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f'"{field}" must hold address strings, not {type(item).__name__}')
        check_header_text(item, field)
        pairs = getaddresses([item])
        if not pairs or any(not addr for _, addr in pairs):
            raise InvalidMessage(f"{field}: invalid address {item!r}")
        addresses += [_address(name, addr, field, item) for name, addr in pairs]
    return addresses


def _address(display_name: str, addr: str, field: str, original: str) -> Address:
    local, at, domain = addr.rpartition("@")
    if not at or not _LOCAL_PART.match(local):
        raise InvalidMessage(f"{field}: invalid address {original!r}")
    return Address(display_name, addr, f"{local}@{idna_domain(domain, field, original)}")


def idna_domain(domain: str, field: str = "address", original: str = "") -> str:
    """The domain in ASCII (IDNA 2008, UTS #46 mapping); InvalidMessage saying why if invalid."""
    ascii_domain = domain if domain.isascii() else _encode_idna(domain, field, original)
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.match(label) for label in labels):
        raise InvalidMessage(f"{field}: invalid domain in {original or domain!r}")
    return ascii_domain


def _encode_idna(domain: str, field: str, original: str) -> str:
    import idna  # only for non-ASCII domains: most sends never pay its import

    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError) as error:
        raise InvalidMessage(
            f"{field}: invalid international domain in {original or domain!r} ({error})"
        ) from None
