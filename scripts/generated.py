"""Files that hold a generated copy of another file's content (one source of truth each)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def rewrite_or_check(path: Path, update: Callable[[str], str], argv: list[str], hint: str) -> int:
    """Rewrite ``path`` with ``update`` applied, or with ``--check`` say whether it is stale."""
    current = path.read_text(encoding="utf-8")
    new = update(current)
    if "--check" in argv:
        if new != current:
            print(f"{path.name} is stale; run: {hint}")
            return 1
        return 0
    path.write_text(new, encoding="utf-8")
    return 0
