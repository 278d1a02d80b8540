"""Importing the send API loads no AWS SDK: the client is built on the first send."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import sesbridge

# The layer folder this checkout tests (not whatever `sesbridge` the interpreter has installed).
LAYER = str(Path(sesbridge.__file__).resolve().parents[1])


def _modules_after(code: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([LAYER, os.environ.get("PYTHONPATH", "")])}
    listing = "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code + listing], env=env, check=True, capture_output=True, text=True
    )
    return set(json.loads(done.stdout))


def _aws_sdk(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in {"boto3", "botocore"}}


def test_importing_the_send_api_loads_no_aws_sdk() -> None:
    modules = _modules_after(
        "import sesbridge\n"
        "from sesbridge import EmailMessage, Sender, SenderSettings, SendStatus, RecipientStatus\n"
        "from sesbridge import get_default_sender\n"
        "import sesbridge.sending.payload, sesbridge.sending.mime\n"
        "m = EmailMessage('s', 'b', 'a@example.com', ['b@example.com'])\n"
        "s = Sender(SenderSettings(), client=object())"
    )
    assert "sesbridge.sending.sender" in modules
    assert not _aws_sdk(modules)


def test_from_sesbridge_import_email_message_loads_only_what_it_needs() -> None:
    modules = _modules_after("from sesbridge import EmailMessage")
    assert "sesbridge.sending.message" in modules
    assert "sesbridge.sending.sender" not in modules
    assert not _aws_sdk(modules)


def _runtime_imports(path: Path) -> set[str]:
    """The sesbridge.sending modules ``path`` imports when run (lazy imports inside
    functions included; ``if TYPE_CHECKING:`` blocks left out)."""
    import ast

    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            return
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sesbridge.sending"):
            found.add(node.module or "")
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("sesbridge.sending"))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def test_sending_modules_import_no_module_that_imports_them_back() -> None:
    package = Path(LAYER) / "sesbridge" / "sending"
    graph = {
        f"sesbridge.sending.{p.stem}": _runtime_imports(p)
        for p in package.glob("*.py")
        if p.stem != "__init__"
    }
    assert "sesbridge.sending.sender" in graph["sesbridge.sending.message"]  # send() is lazy

    def cycle_from(module: str, path: tuple[str, ...]) -> tuple[str, ...] | None:
        if module in path:
            return (*path, module)
        for imported in graph.get(module, ()):
            found = cycle_from(imported, (*path, module))
            if found:
                return found
        return None

    cycles = [c for m in graph if (c := cycle_from(m, ()))]
    assert not cycles, " -> ".join(cycles[0])
