"""The Lambda-like place the function benchmarks run in, and how they run there.

- the ``sam build`` output (``.aws-sam/build``): what ``sam deploy`` uploads;
- a Python 3.13 venv holding only boto3 (``build/lambda-runtime``), as the python3.13
  runtime provides it; ``make bench`` creates both;
- ``PYTHONDONTWRITEBYTECODE=1``: Lambda's code directories are read-only, so bytecode
  that is not shipped is compiled again at every cold start.

Each measurement is a fresh interpreter running ``lambda_probe.py`` there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / ".aws-sam" / "build"
RUNTIME = ROOT / "build" / "lambda-runtime"
PROBE = Path(__file__).with_name("lambda_probe.py")
# boto3 as the runtime ships it: a few months behind PyPI (see the Makefile's pin).
RUNTIME_PYTHON = RUNTIME / "bin" / "python"
# Fresh interpreters per side of a cold-start figure.
COLD_START_ROUNDS = 21


def check() -> None:
    missing = [p for p in (BUILD / "TrackingFunction", RUNTIME_PYTHON) if not p.exists()]
    if missing:
        raise SystemExit(
            f"missing {', '.join(map(str, missing))}: run `make bench` (it builds them)"
        )


def function_dir(name: str) -> Path:
    return BUILD / name


def layers(*names: str) -> list[Path]:
    return [BUILD / n for n in names if (BUILD / n).exists()]


def probe(
    case: str,
    function: str | None,
    layer_names: tuple[str, ...] = ("SesbridgeLayer",),
    *,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 600,
    wrapper: tuple[str, ...] = (),
) -> list[dict]:
    """Run one probe case; the JSON figures it printed, in order.

    ``function`` None runs it on the runtime's boto3 alone, without any built code;
    ``wrapper`` is a command the interpreter runs under (valgrind).
    """
    check()
    code = [str(function_dir(function)), *map(str, layers(*layer_names))] if function else ["-"]
    command = [*wrapper, str(RUNTIME_PYTHON), str(PROBE), case, *code]
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "AWS_"))}
    clean.update(PYTHONDONTWRITEBYTECODE="1", **(env or {}))
    done = subprocess.run(
        command,
        input=stdin,
        capture_output=True,
        text=True,
        env=clean,
        timeout=timeout,
        cwd=str(RUNTIME),
    )
    if done.returncode:
        raise RuntimeError(f"probe {case} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    figures = [
        json.loads(line[6:]) for line in done.stdout.splitlines() if line.startswith("BENCH ")
    ]
    if wrapper:
        figures.append({"instructions": _valgrind_instructions(done.stderr)})
    return figures


def _valgrind_instructions(report: str) -> int:
    match = re.search(r"I\s+refs:\s+([\d,]+)", report)
    if not match:
        raise RuntimeError(f"no instruction count in valgrind's report:\n{report[-2000:]}")
    return int(match[1].replace(",", ""))


def cold_start_cpu(
    function: str,
    service: str,
    layer_names: tuple[str, ...] = ("SesbridgeLayer",),
    *,
    also_import: str = "",
    rounds: int = COLD_START_ROUNDS,
) -> tuple[float, float]:
    """Median CPU seconds of (handler import + ``service`` client [+ ``also_import``]) and
    of (boto3 + ``service`` client) alone, each in fresh interpreters.

    The two run in pairs, in alternating order, so that drift in machine load hits both
    alike. Medians, not minimums: on a shared machine the best of a few runs is set by
    one lucky run of either side and swings the ratio by a tenth from run to run.
    """
    handler: list[float] = []
    bare: list[float] = []
    case = f"cold:{service},handler,{also_import}"
    for i in range(rounds):
        pair = [
            lambda: handler.append(probe(case, function, layer_names)[-1]["cpu"]),
            lambda: bare.append(probe(f"cold:{service},bare", None)[-1]["cpu"]),
        ]
        for measure in pair if i % 2 == 0 else reversed(pair):
            measure()
    return statistics.median(handler), statistics.median(bare)


# Counts the instructions a process runs: the same every run, whatever the machine's load.
VALGRIND = ("valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null")


def cold_start_instructions(
    function: str, service: str, layer_names: tuple[str, ...] = ("SesbridgeLayer",)
) -> tuple[int, int] | None:
    """Instructions of (handler import + ``service`` client) and of (boto3 + client), one
    run each under valgrind; None when valgrind is not installed.

    A cross-check of the CPU-time figures that no noise reaches; it leaves out what
    instructions do not show (cache misses, page faults), which CPU time includes.
    """
    if not shutil.which("valgrind"):
        return None
    [handler] = probe(f"cold:{service},handler", function, layer_names, wrapper=VALGRIND)[-1:]
    [bare] = probe(f"cold:{service},bare", None, wrapper=VALGRIND)[-1:]
    return handler["instructions"], bare["instructions"]


def zipped_size(directory: Path) -> int:
    """Bytes of the deployment zip of a built function or layer (deflate, as SAM packs)."""
    target = RUNTIME / f"{directory.name}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(directory))
    size = target.stat().st_size
    target.unlink()
    return size


def built_resources() -> list[Path]:
    return sorted(p for p in BUILD.iterdir() if p.is_dir()) if BUILD.exists() else []
