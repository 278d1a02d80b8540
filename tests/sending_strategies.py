"""Hypothesis strategies for EmailMessage arguments.

Two kinds: ``hostile`` arguments mix ordinary text with what breaks mail (control
characters, line separators, lone surrogates, header names the message writes itself,
NaN, multipart and 8-bit message attachments) and give one argument a wrong type now and
then; ``plausible`` ones are what applications send (any Unicode text a header can hold,
valid addresses), so that many messages get built and checked. ``MessageArguments``
keeps what was drawn, to build the message and to check the request against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

#: Every name an error may use to point at the argument it refuses.
ARGUMENT_NAMES = (
    "subject",
    "body",
    "from_email",
    "to",
    "cc",
    "bcc",
    "reply_to",
    "headers",
    "tags",
    "metadata",
    "attachment",
    "attachments",
    "alternative",
    "alternatives",
    "template_id",
    "merge_data",
    "merge_global_data",
    "merge_metadata",
    "merge_headers",
    "envelope_sender",
)

_HOSTILE_CHARS = list(
    "\x00\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x7f\x85\x9f\u2028\u2029\udcff\ud800"
    'éüß日本😀\u200b=?"\\<>,;:()[]@ .'
)
_PLAIN_CHARS = st.one_of(
    st.characters(min_codepoint=32, max_codepoint=126),
    st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")),
)
_ANY_CHARS = st.one_of(_PLAIN_CHARS, st.sampled_from(_HOSTILE_CHARS), st.characters())
_WORD = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
_DOMAIN = st.one_of(
    st.sampled_from(["example.com", "example.net", "bücher.example", "xn--bcher-kva.example"]),
    st.builds("{}.example".format, _WORD),
)
_ADDR_SPEC = st.builds("{}@{}".format, _WORD, _DOMAIN)
_DISPLAY_NAME = st.text(st.sampled_from("abcXYZ éüß日本😀.-'"), max_size=20)
WRONG_TYPE = st.one_of(
    st.integers(), st.none(), st.floats(), st.binary(max_size=5), st.just({}), st.just("x")
)
_SPECIAL_HEADERS = [
    "Subject",
    "subject",
    "Content-Type",
    "MIME-Version",
    "Content-Transfer-Encoding",
    "Message-ID",
    "message-id",
    "X-Metadata",
    "X-Tag",
    "Date",
    "From",
    "To",
    "Cc",
    "Reply-To",
    "Bcc",
    "List-Unsubscribe",
    "x-campaign",
    "X-Campaign",
]
_MIMETYPES = [
    None,
    "text/plain",
    "text/html",
    "text/csv",
    "application/pdf",
    "application/octet-stream",
    "image/png",
    "message/rfc822",
]
_BAD_MIMETYPES = [
    "message/delivery-status",
    "multipart/mixed",
    "multipart/alternative",
    "text/plain; charset=latin-1",
    "nonsense",
    "",
]


@dataclass
class MessageArguments:
    """Drawn keyword arguments, plus calls to make after construction."""

    kwargs: dict[str, Any]
    alternatives: list[tuple[Any, Any]] = field(default_factory=list)
    inline_images: list[tuple[bytes, Any]] = field(default_factory=list)

    def build(self) -> Any:
        from sesbridge import EmailMessage

        message = EmailMessage(**self.kwargs)
        for content, mimetype in self.alternatives:
            message.attach_alternative(content, mimetype)
        for content, filename in self.inline_images:
            message.attach_inline_image(content, filename)
        return message


class _Kind:
    """The strategies of one kind of arguments."""

    def __init__(self, hostile: bool) -> None:
        self.hostile = hostile
        plain = st.text(_PLAIN_CHARS, max_size=40)
        self.text = st.one_of(plain, plain, st.text(_ANY_CHARS, max_size=40)) if hostile else plain
        self.long_text = st.one_of(
            self.text, st.text(_ANY_CHARS if hostile else _PLAIN_CHARS, max_size=3000)
        )
        named = st.builds(lambda name, spec: f"{name} <{spec}>", _DISPLAY_NAME, _ADDR_SPEC)
        self.address = st.one_of(_ADDR_SPEC, named, *([self.text] if hostile else []))
        self.addresses = st.lists(self.address, max_size=3)
        header_name = st.builds("X-{}".format, _WORD)
        if hostile:
            header_name = st.one_of(
                header_name,
                st.sampled_from([*_SPECIAL_HEADERS, "Bad Name", "X:Colon", ""]),
                st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=12),
            )
        header_value = st.one_of(self.text, self.address) if hostile else self.text
        self.headers = st.dictionaries(header_name, header_value, max_size=4)
        scalar = [st.none(), st.booleans(), st.integers(), self.text]
        # NaN and the infinities only in hostile data: they must be refused.
        scalar.append(st.floats(allow_nan=hostile, allow_infinity=hostile))
        json_value = st.recursive(
            st.one_of(scalar),
            lambda inner: (
                st.lists(inner, max_size=3) | st.dictionaries(self.text, inner, max_size=3)
            ),
            max_leaves=8,
        )
        self.json_object = st.dictionaries(self.text, json_value, max_size=4)
        self.tags = st.lists(st.one_of(_WORD, self.text) if hostile else _WORD, max_size=3)

    def common(self) -> dict[str, st.SearchStrategy[Any]]:
        return {
            "from_email": st.one_of(_ADDR_SPEC, self.address, st.lists(self.address, max_size=2)),
            "to": self.addresses,
            "cc": self.addresses,
            "bcc": self.addresses,
            "reply_to": self.addresses,
            "headers": self.headers,
            "tags": self.tags,
            "metadata": self.json_object,
            "envelope_sender": st.one_of(st.none(), _ADDR_SPEC),
        }

    def draw_arguments(
        self, draw: st.DrawFn, strategies: dict[str, st.SearchStrategy[Any]]
    ) -> dict[str, Any]:
        """Some of the arguments (from_email always). When hostile, only one of them is
        drawn hostile (or of a wrong type), the others plausible, so that each hostile
        value gets as far into the build as it can."""
        plausible = dict(strategies)
        if self.hostile:
            name = draw(st.sampled_from(sorted(strategies)))
            plausible = _plausible_strategies(set(strategies))
            plausible[name] = draw(st.sampled_from([strategies[name]] * 3 + [WRONG_TYPE]))
        return {
            name: draw(strategy)
            for name, strategy in plausible.items()
            if name == "from_email" or draw(st.integers(0, 4))
        }

    def nested_message(self) -> st.SearchStrategy[bytes]:
        """A mail to attach as message/rfc822, its body often 8-bit."""

        @st.composite
        def build(draw: st.DrawFn) -> bytes:
            subject = draw(st.text(st.characters(min_codepoint=32, max_codepoint=126)))
            body = draw(self.long_text).encode("utf-8", "surrogatepass")
            cte = draw(st.sampled_from(["", "Content-Transfer-Encoding: 8bit\r\n"]))
            head = (
                f"From: a@example.com\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n"
                f"Content-Type: text/plain; charset=utf-8\r\n{cte}\r\n"
            )
            if self.hostile and draw(st.booleans()):
                return draw(st.binary(max_size=200))
            return head.encode() + body

        return build()

    def attachment(self) -> st.SearchStrategy[tuple[Any, Any, Any]]:
        @st.composite
        def build(draw: st.DrawFn) -> tuple[Any, Any, Any]:
            mimetypes = _MIMETYPES + (_BAD_MIMETYPES if self.hostile else [])
            mimetype = draw(st.sampled_from(mimetypes))
            if mimetype == "message/rfc822":
                content = draw(self.nested_message())
            else:
                content = draw(st.one_of(st.binary(max_size=300), self.long_text))
            long_name = st.text(_ANY_CHARS if self.hostile else _PLAIN_CHARS, max_size=400)
            filename = draw(st.one_of(st.none(), self.text, long_name))
            return (filename, content, mimetype)

        return build()


_KINDS = {True: _Kind(hostile=True), False: _Kind(hostile=False)}


def _plausible_strategies(names: set[str]) -> dict[str, st.SearchStrategy[Any]]:
    kind = _KINDS[False]
    every = {
        **kind.common(),
        "subject": kind.long_text,
        "body": kind.long_text,
        "attachments": st.lists(kind.attachment(), max_size=3),
        "template_id": _WORD,
    }
    return {name: every[name] for name in names}


def plain_message_arguments(*, hostile: bool) -> st.SearchStrategy[MessageArguments]:
    """Arguments of a plain (raw MIME) send."""
    kind = _KINDS[hostile]

    @st.composite
    def build(draw: st.DrawFn) -> MessageArguments:
        strategies = {
            **kind.common(),
            "subject": kind.long_text,
            "body": kind.long_text,
            "attachments": st.lists(kind.attachment(), max_size=3),
        }
        types = ["text/html", "text/x-amp"] + (["image/png"] if hostile else [])
        alternatives = st.tuples(kind.long_text, st.sampled_from(types))
        return MessageArguments(
            kind.draw_arguments(draw, strategies),
            draw(st.lists(alternatives, max_size=2)),
            draw(st.lists(st.tuples(st.binary(max_size=50), st.none() | kind.text), max_size=1)),
        )

    return build()


def template_message_arguments(*, hostile: bool) -> st.SearchStrategy[MessageArguments]:
    """Arguments of a template (SendBulkEmail) send."""
    kind = _KINDS[hostile]

    @st.composite
    def build(draw: st.DrawFn) -> MessageArguments:
        kwargs = kind.draw_arguments(draw, {**kind.common(), "template_id": _WORD})
        kwargs.setdefault("template_id", "welcome")
        recipients = [
            item
            for given in (kwargs.get("to"), kwargs.get("cc"))
            if isinstance(given, list)
            for item in given
        ]
        keys = st.sampled_from(recipients or ["nobody@example.com"])
        per_recipient = st.dictionaries(keys, kind.json_object, max_size=3)
        kwargs["merge_data"] = draw(st.none() | per_recipient)
        kwargs["merge_global_data"] = draw(st.none() | kind.json_object)
        kwargs["merge_metadata"] = draw(st.none() | per_recipient)
        kwargs["merge_headers"] = draw(
            st.none() | st.dictionaries(keys, kind.headers.filter(bool), max_size=2)
        )
        return MessageArguments(kwargs)

    return build()
