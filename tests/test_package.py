"""Packaging promises: layers, lazy imports, the editor schema."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_import_does_not_load_torch_transformers_or_spot():
    code = "import sys, ltlagent; ltlagent.SpecError; print(sorted(m for m in ('torch', 'transformers', 'spot') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_compiled_spec_runs_without_spot(tmp_path):
    from ltlagent import compile_spec, load_spec

    path = tmp_path / "react.json"
    path.write_text(compile_spec(load_spec("react")).to_json())
    code = (
        "import sys; sys.modules['spot'] = None; sys.modules['buddy'] = None\n"
        "from ltlagent.compiler.compiled import CompiledSpec\n"
        f"c = CompiledSpec.from_json(open({str(path)!r}).read())\n"
        "print(c.check_text('Question: q\\nThought: t\\nFinal Answer: a\\n').ok)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"


def test_import_layers():
    # Through this interpreter (import-linter is a dev dependency), not a console script that may not be on PATH.
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


def test_shipped_specs_validate_against_the_editor_schema():
    import jsonschema

    schema = json.loads((ROOT / "src/ltlagent/spec.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    specs = sorted((ROOT / "src/ltlagent/specs").glob("*.toml"))
    assert specs
    for path in specs:
        jsonschema.validate(tomllib.loads(path.read_text()), schema)


def test_editor_schema_rejects_unknown_keys():
    import jsonschema

    schema = json.loads((ROOT / "src/ltlagent/spec.schema.json").read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"name": "x", "steps": [{"name": "a", "tag": "A: ", "tga": 1}]}, schema)


def test_every_error_class_lives_in_errors_py():
    import re

    pattern = re.compile(r"^class \w+\((?:\w+\.)?\w*(?:Error|Exception)\b", re.M)
    others = [str(p.relative_to(ROOT)) for p in (ROOT / "src/ltlagent").rglob("*.py") if p.name != "errors.py" and pattern.search(p.read_text())]
    assert others == []
