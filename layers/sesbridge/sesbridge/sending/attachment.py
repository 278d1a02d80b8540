"""A file attached to a message. Pure; imports nothing."""

from __future__ import annotations


class Attachment:
    """A file attached to the message; inline (shown in the HTML) when it has a content_id
    (without the <>)."""

    __slots__ = ("content", "content_id", "filename", "mimetype")

    def __init__(
        self,
        filename: str | None,
        content: bytes | str,
        mimetype: str | None = None,
        content_id: str | None = None,
    ) -> None:
        self.filename = filename
        self.content = content
        self.mimetype = mimetype
        self.content_id = content_id

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Attachment):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.__slots__)

    def __repr__(self) -> str:
        size = len(self.content) if isinstance(self.content, str | bytes) else "?"
        return f"Attachment({self.filename!r}, <{size}>, {self.mimetype!r})"

    @property
    def inline(self) -> bool:
        return self.content_id is not None
