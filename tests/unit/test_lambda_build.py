"""What `sam build` ships: bytecode Lambda uses from a read-only directory, and which
function carries which libraries (see scripts/lambda_build.py and the template)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parents[2]
# The functions' runtime; `make` puts pyenv's 3.13 on PATH for `sam build` and for this test.
PYTHON = shutil.which("python3.13")


@pytest.fixture(scope="module")
def template() -> dict:
    return yaml_parse((ROOT / "template.yaml").read_text(encoding="utf-8"))


def test_built_layer_runs_from_its_bytecode_whatever_the_mtimes(tmp_path: Path) -> None:
    assert PYTHON, "python3.13 (the functions' runtime) must be on PATH, as for sam build"
    out = tmp_path / "SesbridgeLayer"
    subprocess.run(
        [PYTHON, str(ROOT / "scripts/lambda_build.py"), str(ROOT / "layers/sesbridge"), str(out),
         "--layer"],
        check=True,
    )  # fmt: skip
    package = out / "python" / "sesbridge"
    assert not list(out.rglob("*.cpython-311.pyc")) and not (out / "python" / "Makefile").exists()
    assert (package / "py.typed").is_file()  # type checkers read the layer's annotations
    assert (out / "python" / "idna" / "__init__.py").is_file()  # the one dependency shipped
    # neither idna's console script nor the editable install's metadata of the source
    assert sorted(
        p.name for p in (out / "python").iterdir() if not p.name.endswith(".dist-info")
    ) == ["idna", "sesbridge"]
    for source in package.rglob("*.py"):  # sources changed after the build: still used
        os.utime(source, (2_000_000_000, 2_000_000_000))
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(out / "python")}
    out.chmod(0o555)  # read-only, as Lambda's /opt
    try:
        done = subprocess.run(
            [PYTHON, "-v", "-c", "import sesbridge.inbound.normalizer, sesbridge.tracking"],
            check=True, capture_output=True, text=True, env=env,
        )  # fmt: skip
    finally:
        out.chmod(0o755)
    loaded = [line for line in done.stderr.splitlines() if "code object from" in line]
    ours = [line for line in loaded if str(package) in line]
    assert len(ours) >= 10 and all(".cpython-313.pyc" in line for line in ours)
    assert f"# code object from '{package}/pipeline.py'" not in done.stderr  # never compiled


def test_every_function_and_layer_is_built_by_its_makefile(template) -> None:
    for name, resource in template["Resources"].items():
        if resource["Type"] in ("AWS::Serverless::Function", "AWS::Serverless::LayerVersion"):
            assert resource["Metadata"]["BuildMethod"] == "makefile", name
            props = resource["Properties"]
            source = ROOT / (props.get("CodeUri") or props["ContentUri"])
            assert f"build-{name}:" in (source / "Makefile").read_text(), name


def test_no_function_bundles_boto3() -> None:
    for requirements in ROOT.glob("functions/*/requirements.txt"):
        text = requirements.read_text().lower()
        assert "boto3" not in text and "encryption" not in text, requirements


def test_the_encryption_layer_is_attached_only_with_a_receipt_key(template) -> None:
    resources, conditions = template["Resources"], template["Conditions"]
    layers = resources["InboundFunction"]["Properties"]["Layers"]
    assert layers == [
        {
            "Fn::If": [
                "ReceiptEncryptionArm64",
                {"Ref": "ReceiptEncryptionLayerArm64"},
                {
                    "Fn::If": [
                        "ReceiptEncryptionX8664",
                        {"Ref": "ReceiptEncryptionLayerX8664"},
                        {"Ref": "AWS::NoValue"},
                    ]
                },
            ]
        }
    ]
    for name, arch in (("Arm64", "arm64"), ("X8664", "x86_64")):
        layer = resources[f"ReceiptEncryptionLayer{name}"]
        assert layer["Condition"] == f"ReceiptEncryption{name}"
        assert layer["Properties"]["CompatibleArchitectures"] == [arch]
        assert conditions[f"ReceiptEncryption{name}"] == {
            "Fn::And": [
                {"Condition": "HasReceiptKmsKey"},
                {"Fn::Equals": [{"Ref": "Architecture"}, arch]},
            ]
        }
    assert "TrackingFunction" not in str(layers)
    assert "Layers" not in resources["TrackingFunction"]["Properties"]
