"""Write the tables of template parameters and outputs of docs/deploying-and-settings.md
from template.yaml.

The template's Description fields are the single source; a test fails when the page's copy
is stale.

    python -m scripts.readme_tables          # rewrite docs/deploying-and-settings.md
    python -m scripts.readme_tables --check  # exit 1 when the page is stale
"""

from __future__ import annotations

import sys

from scripts.generated import rewrite_or_check
from scripts.local_deploy import ROOT, load_template

PAGE = ROOT / "docs" / "deploying-and-settings.md"
BEGIN, END = "<!-- template tables: begin -->", "<!-- template tables: end -->"


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _default(spec: dict) -> str:
    if "Default" not in spec:
        return "(required)"
    default = spec["Default"]
    return f"`{default}`" if default != "" else "(empty)"


def tables() -> str:
    template = load_template()
    lines = [BEGIN, "", "| parameter | default | meaning |", "|---|---|---|"]
    for name, spec in template["Parameters"].items():
        allowed = spec.get("AllowedValues")
        extra = f" One of: {', '.join(map(str, allowed))}." if allowed else ""
        lines.append(
            f"| `{name}` | {_default(spec)} | {_cell(spec.get('Description', ''))}{extra} |"
        )
    lines += ["", "| output | what it is |", "|---|---|"]
    for name, spec in template["Outputs"].items():
        description = spec.get("Description") or ""
        lines.append(f"| `{name}` | {_cell(description)} |")
    lines += ["", END]
    return "\n".join(lines)


def updated_readme(readme: str) -> str:
    if BEGIN in readme:
        head, rest = readme.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        return head + tables() + tail
    return readme.replace("<!-- parameters table -->", tables())


def main(argv: list[str]) -> int:
    return rewrite_or_check(PAGE, updated_readme, argv, "python -m scripts.readme_tables")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
