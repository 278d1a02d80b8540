"""Helpers shared by the benchmarks: timing that resists a noisy machine, and reporting."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Result:
    """One benchmark figure: a measurement, its same-run reference, and the bound it must meet."""

    name: str
    measured: float
    reference: float
    unit: str
    limit: float | None = None  # the largest acceptable measured/reference ratio
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.measured / self.reference if self.reference else float("inf")

    @property
    def ok(self) -> bool:
        return self.limit is None or self.ratio <= self.limit


def best_of(fn: Callable[[], object], *, repeat: int = 7, number: int = 1) -> float:
    """Fastest mean seconds per call over ``repeat`` rounds: the least disturbed round."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def import_time(statement: str, *, repeat: int = 9) -> float:
    """Fastest wall time of a fresh interpreter running ``statement``, minus an empty one."""

    def run(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - start

    empty = min(run("pass") for _ in range(repeat))
    return min(run(statement) for _ in range(repeat)) - empty


def interleaved(
    a: Callable[[], float], b: Callable[[], float], rounds: int = 5
) -> tuple[float, float]:
    """Measure two things alternately so drift in machine load hits both alike; best of each."""
    best_a = best_b = float("inf")
    for _ in range(rounds):
        best_a = min(best_a, a())
        best_b = min(best_b, b())
    return best_a, best_b
