"""What ``sam build`` runs for each function and layer (``BuildMethod: makefile``).

    python3.13 scripts/lambda_build.py SOURCE_DIR ARTIFACTS_DIR [--layer] [--arch A] [--no-deps]

Installs ``SOURCE_DIR/requirements.txt`` as wheels for the Lambda platform, copies the
source (no caches, no build files), and compiles every module for the runtime's Python
as *unchecked-hash* bytecode: Lambda's code directories are read-only, so bytecode not
shipped is compiled again at every cold start, and unchecked-hash pycs are used
whatever the files' modification times are. A layer's content goes under ``python/``.
Must run with the runtime's Python (3.13), whose bytecode the runtime reads.
"""

from __future__ import annotations

import argparse
import compileall
import py_compile
import shutil
import subprocess
import sys
from pathlib import Path

RUNTIME_PYTHON = (3, 13)
# What `pip --platform` calls each Lambda architecture's Linux.
PLATFORMS = {"arm64": "manylinux2014_aarch64", "x86_64": "manylinux2014_x86_64"}
# *.egg-info: what an editable install of the source leaves next to it.
NOT_SHIPPED = ("__pycache__", "*.pyc", "*.egg-info", "Makefile", "requirements.txt", ".*")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("source", type=Path)
    parser.add_argument("artifacts", type=Path)
    parser.add_argument("--layer", action="store_true", help="put the content under python/")
    parser.add_argument("--arch", choices=sorted(PLATFORMS), default="arm64")
    parser.add_argument(
        "--no-deps", action="store_true", help="install exactly the requirements listed"
    )
    args = parser.parse_args(argv)
    if sys.version_info[:2] != RUNTIME_PYTHON:
        raise SystemExit(f"run me with python{'.'.join(map(str, RUNTIME_PYTHON))}")
    target = args.artifacts / "python" if args.layer else args.artifacts
    target.mkdir(parents=True, exist_ok=True)
    requirements = args.source / "requirements.txt"
    if any(_requirement_lines(requirements)):
        install(requirements, target, PLATFORMS[args.arch], no_deps=args.no_deps)
        # pip --target writes console scripts to bin/; nothing on Lambda runs them.
        shutil.rmtree(target / "bin", ignore_errors=True)
    shutil.copytree(
        args.source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(*NOT_SHIPPED)
    )
    compiled = compileall.compile_dir(
        target,
        quiet=1,
        force=True,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
    return 0 if compiled else 1


def install(requirements: Path, target: Path, platform: str, *, no_deps: bool) -> None:
    subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "--requirement", str(requirements), "--target", str(target),
            "--platform", platform, "--implementation", "cp",
            "--python-version", "".join(map(str, RUNTIME_PYTHON)),
            "--only-binary=:all:", "--no-compile", "--upgrade",
            *(["--no-deps"] if no_deps else []),
        ],
        check=True,
    )  # fmt: skip


def _requirement_lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
