"""``ltlagent check`` run as a subprocess on good and bad fixtures, in every format."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "check"
REPORT_SCHEMA = json.loads((ROOT / "src" / "ltlagent" / "check-report.schema.json").read_text())


def run(*args: str, cwd: Path = FIXTURES) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ltlagent.cli", "check", *args], cwd=cwd, capture_output=True, text=True, check=False)


BAD_FINDINGS = [
    # (path, line, column, severity, code)
    ("bad/example.toml", 12, 1, "warning", "unreachable-step"),
    ("bad/example.toml", 31, 1, "error", "example-rule"),
    ("bad/prompt.txt", 6, 1, "error", "example-rule"),
    ("bad/run.jsonl", 3, 1, "error", "example-unfinished"),
    ("bad/unsat.toml", 11, 1, "error", "unsatisfiable"),
]


def test_good_fixtures_are_clean():
    proc = run("good", "--color", "never")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == "ltlagent check: clean: 0 errors, 0 warnings (3 files, 1 spec, 3 examples)\n"


def test_bad_fixtures_text():
    proc = run("bad", "--color", "never")
    assert proc.returncode == 1
    out = proc.stdout
    assert "bad/example.toml:31:1: error[example-rule]: example 'double_answer', step 3: answer is not allowed here\n   31 | A: two\n      | ^\n  step: answer\n  rule 'answer_ends': Nothing follows the answer.\n" in out
    assert "bad/prompt.txt:6:1: error[example-rule]: example 'prompt.txt', step 3: answer is not allowed here\n" in out
    assert "  rule 'call_then_result': Every call gets its result.\n  allowed here: result\n" in out
    assert "bad/run.jsonl:3:1: error[example-unfinished]: example 'unfinished run', end of trace: the trace ends before the spec allows it to\n" in out
    assert "  shortest way to finish: result → answer\n" in out
    assert "bad/unsat.toml:11:1: error[unsatisfiable]: no trace satisfies the spec; these rules conflict: 'some_a', 'no_a'\n" in out
    assert "bad/example.toml:12:1: warning[unreachable-step]: step 'extra' can never occur in an accepted trace\n" in out
    assert out.endswith("ltlagent check: failed: 4 errors, 1 warning (4 files, 2 specs, 3 examples)\n")
    assert "\033[" not in out


def test_bad_fixtures_json_follows_the_documented_schema():
    proc = run("bad", "--format", "json")
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    jsonschema.validate(report, REPORT_SCHEMA)
    got = [(f["path"], f["line"], f["column"], f["severity"], f["code"]) for f in report["findings"]]
    assert sorted(got) == sorted(BAD_FINDINGS)
    assert report["summary"] == {"files": 4, "specs": 2, "examples": 3, "errors": 4, "warnings": 1, "strict": False, "exit_code": 1}
    unfinished = next(f for f in report["findings"] if f["code"] == "example-unfinished")
    assert unfinished["completion"] == ["result", "answer"]
    assert {"name": "ends_with_answer", "why": "One answer ends the trace."} in unfinished["rules"]


def test_bad_fixtures_junit_parses_as_xml():
    proc = run("bad", "--format", "junit")
    assert proc.returncode == 1
    root = ET.fromstring(proc.stdout)
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == int(suite.get("tests")) == 5
    failures = [(c.get("classname"), f.get("type")) for c in cases for f in c.findall("failure")]
    assert sorted(failures) == sorted((p, code) for p, _, _, sev, code in BAD_FINDINGS if sev == "error")
    assert suite.get("failures") == "4"
    warned = [c for c in cases if c.find("system-out") is not None]
    assert len(warned) == 1 and "unreachable-step" in warned[0].find("system-out").text


def test_bad_fixtures_github_annotations():
    proc = run("bad", "--format", "github")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert "::error file=bad/unsat.toml,line=11,col=1,title=ltlagent unsatisfiable::no trace satisfies the spec; these rules conflict: 'some_a', 'no_a'%0Arule 'some_a'%3A An a must come.%0Arule 'no_a'%3A No a ever." not in lines  # data keeps ':'
    assert "::error file=bad/unsat.toml,line=11,col=1,title=ltlagent unsatisfiable::no trace satisfies the spec; these rules conflict: 'some_a', 'no_a'%0Arule 'some_a': An a must come.%0Arule 'no_a': No a ever." in lines
    assert any(line.startswith("::warning file=bad/example.toml,line=12,col=1,title=ltlagent unreachable-step::") for line in lines)
    assert sum(line.startswith("::error ") for line in lines) == 4


def test_strict_makes_warnings_fail():
    proc = run("bad/example.toml", "--strict", "--format", "json")
    report = json.loads(proc.stdout)
    assert proc.returncode == 1 and report["summary"]["strict"] is True
    only_warning = run("bad/example.toml", "--format", "json")
    assert json.loads(only_warning.stdout)["summary"]["errors"] == 1


def test_invalid_spec_exits_2_with_a_located_finding():
    proc = run("invalid", "--color", "never")
    assert proc.returncode == 2
    assert proc.stdout.startswith("invalid/broken.toml:8:11: error[invalid-spec]: unknown atom 'b' in rule 'rule1'")
    assert '    8 | ltlf = "G(b)"\n      |           ^\n' in proc.stdout
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.toml"], "missing.toml: error[invalid-input]: no such file or directory"),
        (["--format", "xml", "good"], "invalid choice: 'xml'"),
    ],
)
def test_usage_and_input_errors_exit_2(args, message):
    proc = run(*args, "--color", "never")
    assert proc.returncode == 2
    assert message in proc.stdout + proc.stderr


def test_example_without_a_spec_needs_front_matter_or_spec(tmp_path):
    (tmp_path / "t.txt").write_text("Q: hi\nA: there\n")
    proc = run(str(tmp_path / "t.txt"), "--color", "never")
    assert proc.returncode == 2
    assert "error[invalid-input]: the example names no spec" in proc.stdout
    ok = run(str(tmp_path / "t.txt"), "--spec", str(FIXTURES / "good" / "mini.toml"))
    assert ok.returncode == 0, ok.stdout


def test_coverage_names_letters_no_example_shows(tmp_path):
    proc = run(str(FIXTURES / "good" / "mini.toml"), "--coverage", "--format", "json")
    report = json.loads(proc.stdout)
    jsonschema.validate(report, REPORT_SCHEMA)
    (cov,) = report["coverage"]
    assert (cov["transitions"], cov["covered"]) == (4, 2)
    assert cov["letters_never_shown"] == ["call:search", "result"]
    codes = [(f["code"], f["step"]) for f in report["findings"]]
    assert codes == [("uncovered-letter", "call"), ("uncovered-letter", "result")]
    assert proc.returncode == 0  # warnings only
    assert run(str(FIXTURES / "good" / "mini.toml"), "--coverage", "--strict").returncode == 1


def test_no_paths_uses_pyproject_then_specs(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.ltlagent]\npaths = ["agents"]\n')
    (tmp_path / "agents").mkdir()
    (tmp_path / "agents" / "mini.toml").write_text((FIXTURES / "good" / "mini.toml").read_text())
    proc = run(cwd=tmp_path)
    assert proc.returncode == 0 and "(1 file, 1 spec, 1 example)" in proc.stdout
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    none = run(cwd=tmp_path)
    assert none.returncode == 2 and "nothing to check" in none.stderr
    (tmp_path / "agents").rename(tmp_path / "specs")
    assert run(cwd=tmp_path).returncode == 0


def test_directories_skip_other_toml_files(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "mini.toml").write_text((FIXTURES / "good" / "mini.toml").read_text())
    proc = run(str(tmp_path))
    assert proc.returncode == 0 and "(1 file, 1 spec, 1 example)" in proc.stdout


def test_check_does_not_import_torch():
    code = (
        "import sys\nfrom ltlagent.cli import main\n"
        f"code = main(['check', {str(FIXTURES / 'good')!r}, '--format', 'json', '-o', '/dev/null'])\n"
        "print(code, [m for m in ('torch', 'transformers') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "0 []"


def test_shipped_specs_pass_check_with_coverage_and_strict():
    proc = run(str(ROOT / "specs"), "--coverage", "--strict", "--format", "json")
    assert proc.returncode == 0, proc.stdout


def test_front_matter_marks_negative_examples(tmp_path):
    text = "---\nspec: {spec}  # the spec\nvalid: false   # must be rejected\n---\nQ: hi\nA: one\nA: two\n"
    (tmp_path / "neg.txt").write_text(text.format(spec=FIXTURES / "good" / "mini.toml"))
    assert run(str(tmp_path / "neg.txt")).returncode == 0
    (tmp_path / "neg.txt").write_text(text.format(spec=FIXTURES / "good" / "mini.toml").replace("A: two\n", ""))
    proc = run(str(tmp_path / "neg.txt"), "--color", "never")
    assert proc.returncode == 1 and "error[example-accepted]" in proc.stdout


# -- check as a CI gate: nothing silently skipped, no crash read as a verdict ------------------------

MINI = (FIXTURES / "good" / "mini.toml").read_text()


def test_every_toml_in_a_directory_is_loaded_or_reported(tmp_path):
    (tmp_path / "typo.toml").write_text(MINI.replace("[[steps]]", "[[step]]", 1))
    (tmp_path / "broken.toml").write_text('name = "x"\n[[steps]\n')
    proc = run(str(tmp_path), "--color", "never")
    assert proc.returncode == 2, proc.stdout
    assert "typo.toml:" in proc.stdout and "unknown key 'step'" in proc.stdout
    assert "broken.toml:2" in proc.stdout and "invalid TOML" in proc.stdout


def test_a_path_with_nothing_to_check_is_exit_2(tmp_path):
    (tmp_path / "notes.txt").write_text("no front matter\n")
    proc = run(str(tmp_path), "--color", "never")
    assert proc.returncode == 2
    assert "nothing to check here" in proc.stdout


def test_an_internal_error_is_exit_3_never_a_verdict(tmp_path, monkeypatch, capsys):
    from ltlagent import checking as check_module
    from ltlagent.cli import main

    (tmp_path / "mini.toml").write_text(MINI)

    def boom(spec):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(check_module, "compile_spec", boom)
    assert main(["check", str(tmp_path), "--color", "never"]) == 3
    out = capsys.readouterr().out
    assert "error[internal-error]" in out and "not a verdict" in out


def test_an_unreadable_file_is_reported_and_the_others_still_checked(tmp_path, monkeypatch):
    from ltlagent.checking import check

    (tmp_path / "a.toml").write_text(MINI)
    (tmp_path / "b.toml").write_text(MINI)
    real = Path.read_bytes

    def read_bytes(self):
        if self.name == "a.toml":
            raise OSError(5, "Input/output error")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: read_bytes(self).decode(encoding or "utf-8"))
    result = check([str(tmp_path)])
    assert result.exit_code() == 2
    by_file = {Path(c.path).name: [f.code for f in c.findings] for c in result.cases if c.kind == "spec"}
    assert by_file["a.toml"] == ["invalid-spec"] and by_file["b.toml"] == []


def test_bom_and_unicode_line_separators_in_jsonl_are_valid(tmp_path):
    spec = tmp_path / "mini.toml"
    spec.write_text(MINI)
    first = json.loads((FIXTURES / "good" / "run.jsonl").read_text().split("\n")[1])
    lines = (FIXTURES / "good" / "run.jsonl").read_text().split("\n")
    # The header names the spec; a step's text holds U+2028 and U+0085, which JSON keeps as text.
    lines[0] = json.dumps({"spec": str(spec)})
    trace = "\n".join(lines).replace(first["text"], first["text"] + "\u2028 and \u0085", 1)
    (tmp_path / "run.jsonl").write_bytes(b"\xef\xbb\xbf" + trace.encode())
    proc = run(str(tmp_path / "run.jsonl"), "--color", "never")
    assert proc.returncode == 0, proc.stdout


def test_a_jsonl_step_holding_its_terminator_is_not_split_into_more_steps(tmp_path):
    spec = tmp_path / "mini.toml"
    spec.write_text(MINI)
    good = (FIXTURES / "good" / "run.jsonl").read_text().split("\n")
    good[0] = json.dumps({"spec": str(spec)})
    step = json.loads(good[1])
    step["text"] += "\nA: smuggled"
    good[1] = json.dumps(step)
    (tmp_path / "run.jsonl").write_text("\n".join(good))
    proc = run(str(tmp_path / "run.jsonl"), "--color", "never")
    assert proc.returncode == 1 and "contains its terminator" in proc.stdout


def test_reports_cannot_be_driven_by_the_checked_files(tmp_path):
    (tmp_path / "mini.toml").write_text(MINI)
    evil = "---\nspec: mini.toml\nname: x\x1b]0;pwned\x07\x1b[2J\x01\n---\nQ: \x1b[31mred\n"
    (tmp_path / "t.transcript").write_text(evil)
    text = run(str(tmp_path / "t.transcript"), "--color", "never").stdout
    assert "\x1b" not in text and "\x07" not in text and "\\x1b" in text
    junit = run(str(tmp_path / "t.transcript"), "--format", "junit").stdout
    ET.fromstring(junit.split("\n", 1)[1])  # well-formed XML
    assert "\x1b" not in junit and "\x01" not in junit


def test_dot_output_escapes_the_spec_name(tmp_path):
    (tmp_path / "s.toml").write_text(MINI.replace('name = "mini"', 'name = "a\\" -> evil [label=\\"x"', 1))
    proc = subprocess.run([sys.executable, "-m", "ltlagent.cli", "compile", str(tmp_path / "s.toml"), "--dot", "-", "-o", str(tmp_path / "o.json")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith('digraph "a\\" -> evil [label=\\"x" {')


def test_a_deeply_nested_json_line_is_bad_input(tmp_path):
    (tmp_path / "t.jsonl").write_text('{"spec": "react"}\n' + "[" * 100_000 + "]" * 100_000 + "\n")
    proc = run(str(tmp_path / "t.jsonl"), "--color", "never")
    assert proc.returncode == 2 and "nested too deeply" in proc.stdout
