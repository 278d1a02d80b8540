"""Run every benchmark (bench/bench_*.py, each with ``run() -> list[Result]``) and report.

    python -m bench            # all
    python -m bench tracking   # those whose module name contains "tracking"

Exits 1 when a figure misses its bound, so a regression is seen.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

from bench.common import Result


def main(argv: list[str]) -> int:
    names = sorted(
        m.name
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if m.name.startswith("bench_") and (not argv or any(a in m.name for a in argv))
    )
    results: list[Result] = []
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"# {name}", flush=True)
        for result in module.run():
            results.append(result)
            _print(result)
    failed = [r for r in results if not r.ok]
    print(f"\n{len(results) - len(failed)} within bounds, {len(failed)} outside")
    return 1 if failed else 0


def _print(r: Result) -> None:
    bound = f"(bound {r.limit:g}x)" if r.limit is not None else ""
    verdict = "" if r.ok else "  OUTSIDE BOUND"
    print(
        f"  {r.name}: {r.measured:.4g} {r.unit} vs {r.reference:.4g} {r.unit}"
        f" = {r.ratio:.2f}x {bound}{verdict}" + (f"  [{r.note}]" if r.note else ""),
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
