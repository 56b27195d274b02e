"""``ltlagent compile`` as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ltlagent.cli import main
from ltlagent.compiler.compiled import CompiledSpec


def test_compile_prints_a_summary_and_writes_the_spec(tmp_path, capsys):
    out = tmp_path / "react.json"
    dot = tmp_path / "react.dot"
    assert main(["compile", "react", "-o", str(out), "--dot", str(dot)]) == 0
    text = capsys.readouterr().out
    for field in ("letters", "states", "edges", "rules", "diagnostics", "compile "):
        assert field in text
    assert "ms" in text
    c = CompiledSpec.from_json(out.read_text())
    assert c.name == "react"
    assert c.check_text("Question: q\nThought: t\nFinal Answer: a\n").ok
    graph = dot.read_text()
    assert graph.startswith('digraph "react"') and 'label="final_answer"' in graph and "doublecircle" in graph


def test_default_output_is_named_after_the_spec(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["compile", "cot"]) == 0
    assert json.loads((tmp_path / "cot.compiled.json").read_text())["name"] == "cot"
    assert "wrote compiled spec to cot.compiled.json" in capsys.readouterr().out


def test_outputs_are_named_after_the_spec_file_not_its_name(tmp_path, monkeypatch, capsys):
    # Two files declaring the same name do not overwrite each other's output.
    monkeypatch.chdir(tmp_path)
    from ltlagent.compiler.spec import shipped_specs_dir

    for stem in ("first", "second"):
        (tmp_path / f"{stem}.toml").write_text((shipped_specs_dir() / "cot.toml").read_text())
        assert main(["compile", f"{stem}.toml"]) == 0
        assert f"wrote compiled spec to {stem}.compiled.json" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.glob("*.json")) == ["first.compiled.json", "second.compiled.json"]


def test_output_to_stdout_keeps_the_summary_on_stderr(capsys):
    assert main(["compile", "direct", "-o", "-"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["name"] == "direct"
    assert "letters" in captured.err


def test_bad_spec_exits_2_with_a_located_message(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[[steps]]\nname = "a"\ntag = "A: "\n[[rules]]\nltlf = "G(b)"\n')
    assert main(["compile", str(bad), "-o", str(tmp_path / "o.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{bad}:6:11: unknown atom 'b'")
    assert "Traceback" not in err


def test_unsatisfiable_spec_exits_1_and_prints_the_diagnostic(tmp_path, capsys):
    bad = tmp_path / "unsat.toml"
    bad.write_text('name = "x"\n[[steps]]\nname = "a"\ntag = "A: "\n[[rules]]\nname = "r1"\nltlf = "F a"\n[[rules]]\nname = "r2"\nltlf = "G !a"\n')
    assert main(["compile", str(bad), "-o", str(tmp_path / "o.json")]) == 1
    assert "error[unsatisfiable]" in capsys.readouterr().out


def test_missing_spec_exits_2(capsys):
    assert main(["compile", "no/such.toml"]) == 2
    assert "no/such.toml: no such spec file" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["compile"], "the following arguments are required: SPEC"),
        (["compiel", "react"], "invalid choice: 'compiel'"),
    ],
)
def test_usage_errors_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_console_script_runs_without_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "ltlagent.cli", "compile", str(tmp_path / "missing.toml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "no such spec file" in proc.stderr and "Traceback" not in proc.stderr


def test_verbose_lists_letters_rules_and_transitions(tmp_path, capsys):
    assert main(["compile", "tool_calling", "-vv", "-o", str(tmp_path / "t.json")]) == 0
    out = capsys.readouterr().out
    assert "call:send_email{!external_recipient}" in out
    assert "no_exfiltration" in out and "G(external_recipient -> !O call.read_secret)" in out
    assert "transitions (state: letter -> state; * accepting):" in out


def test_an_internal_error_exits_3_and_says_it_is_a_bug(monkeypatch, capsys):
    import ltlagent.compiler.compile as compile_module

    def boom(spec):
        raise KeyError("unexpected")

    monkeypatch.setattr(compile_module, "compile_spec", boom)
    assert main(["compile", "cot"]) == 3
    err = capsys.readouterr().err
    assert "internal error (KeyError" in err and "not a verdict" in err and "Traceback" not in err


def test_a_preparation_is_reported_only_when_it_takes_over_100_ms():
    from ltlagent.cli.report import preparation_note

    assert preparation_note(0.05) is None
    assert preparation_note(0.1) is None
    assert preparation_note(0.25, "spec 'react'") == "spec 'react' prepared in 0.25 s (compile + token index)"
