"""README.md and docs/ document the contracts users depend on."""

from __future__ import annotations

from pathlib import Path

from scripts.local_deploy import load_template

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
# The parameters and outputs, with the generated tables.
SETTINGS_PAGE = (ROOT / "docs" / "deploying-and-settings.md").read_text(encoding="utf-8")


def test_every_template_parameter_is_documented() -> None:
    for name in load_template()["Parameters"]:
        assert f"`{name}`" in SETTINGS_PAGE, f"docs do not document parameter {name}"


def test_every_output_is_documented() -> None:
    for name in load_template()["Outputs"]:
        assert f"`{name}`" in SETTINGS_PAGE, f"docs do not document output {name}"


def test_readme_gives_the_two_setup_commands() -> None:
    assert "make demo" in README and "make test" in README


def test_template_tables_are_current() -> None:
    from scripts.readme_tables import updated_readme

    assert "<!-- template tables: begin -->" in SETTINGS_PAGE
    assert updated_readme(SETTINGS_PAGE) == SETTINGS_PAGE, "run: python -m scripts.readme_tables"


def test_every_parameter_and_output_has_a_description() -> None:
    template = load_template()
    for section in ("Parameters", "Outputs"):
        for name, spec in template[section].items():
            assert spec.get("Description"), f"{section}.{name} has no Description"
