"""The text of an HTML body, for reply extraction (pure, standard library only)."""

from __future__ import annotations

from html.parser import HTMLParser

# Elements that end a line when read as text.
_BLOCKS = frozenset(
    ("address", "article", "br", "dd", "div", "dl", "dt", "h1", "h2", "h3", "h4", "h5", "h6",
     "hr", "li", "ol", "p", "pre", "section", "table", "tr", "ul")
)  # fmt: skip
_SKIPPED = frozenset(("head", "script", "style", "title"))


def html_as_text(html: str) -> str:
    """The text of an HTML body, one line per block, lines inside ``<blockquote>`` quoted."""
    reader = _TextReader()
    reader.feed(html)
    reader.close()
    return reader.text()


class _TextReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._lines: list[str] = []
        self._line: list[str] = []
        self._depth = 0  # blockquote nesting
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag == "blockquote":
            self._end_line()
            self._depth += 1
        elif tag in _BLOCKS:
            self._end_line()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag == "blockquote":
            self._end_line()
            self._depth = max(0, self._depth - 1)
        elif tag in _BLOCKS:
            self._end_line()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._line.append(" ".join(data.split()) if data.strip() else " " if data else "")

    def _end_line(self) -> None:
        line = "".join(self._line).strip()
        self._line = []
        if line:
            self._lines.append("> " * self._depth + line)
        elif self._lines and self._lines[-1]:
            self._lines.append("")

    def text(self) -> str:
        self._end_line()
        return "\n".join(self._lines).strip()
