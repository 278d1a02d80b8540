"""Addresses of a received mail as objects, like django-anymail's ``EmailAddress``.

An ``EmailAddress`` is the formatted address text (``Name <user@example.com>``), the
same string ``load_message`` gave before, with its parts as attributes; so code that
compared, joined or logged those strings keeps working.

>>> address = EmailAddress.parse("Zoë <zoe@example.com>")
>>> address.addr_spec, address.display_name, address.username, address.domain
('zoe@example.com', 'Zoë', 'zoe', 'example.com')
>>> str(address)
'Zoë <zoe@example.com>'
"""

from __future__ import annotations

from email.headerregistry import Address
from email.utils import getaddresses


def _formatted(display_name: str, addr_spec: str) -> str:
    try:
        return str(Address(display_name=display_name, addr_spec=addr_spec))
    except ValueError:  # not an RFC 5322 addr-spec (postmaster, ...): kept as given
        return f"{display_name} <{addr_spec}>" if display_name else addr_spec


class EmailAddress(str):
    """One mailbox: ``str()`` (and the object itself) is the formatted address."""

    __slots__ = ("addr_spec", "display_name")

    addr_spec: str
    display_name: str

    def __new__(cls, display_name: str, addr_spec: str, text: str | None = None) -> EmailAddress:
        # Formatted decoded (no RFC 2047), the name quoted where needed.
        if text is None:
            text = _formatted(display_name, addr_spec)
        self = super().__new__(cls, text)
        self.addr_spec = addr_spec
        self.display_name = display_name
        return self

    @classmethod
    def parse(cls, text: str) -> EmailAddress:
        """The first address in ``text`` (``Name <addr>`` or a bare addr-spec)."""
        pairs = getaddresses([text])
        name, addr = pairs[0] if pairs else ("", text)
        return cls(name, addr)

    @property
    def address(self) -> str:
        """The formatted address: ``Name <user@example.com>``, or the bare addr-spec."""
        return str.__str__(self)

    @property
    def username(self) -> str:
        """The part of ``addr_spec`` before the last ``@``."""
        return self.addr_spec.rpartition("@")[0] if "@" in self.addr_spec else self.addr_spec

    @property
    def domain(self) -> str:
        """The part of ``addr_spec`` after the last ``@`` ('' when there is none)."""
        return self.addr_spec.rpartition("@")[2] if "@" in self.addr_spec else ""

    def __str__(self) -> str:
        return self.address

    def __repr__(self) -> str:
        return f"EmailAddress({self.display_name!r}, {self.addr_spec!r})"

    def __reduce__(self) -> tuple[type[EmailAddress], tuple[str, str, str]]:
        return (EmailAddress, (self.display_name, self.addr_spec, self.address))
