"""``ltlagent run`` as a user runs it, with a tiny local model directory."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("torch", reason="torch not installed: pip install torch==2.13.0")

from tests.decoders.test_hf import tiny_gpt2  # noqa: E402
from tests.decoders.tokenizers_fixture import byte_level_tokenizer  # noqa: E402


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("model")
    tok = byte_level_tokenizer()
    tiny_gpt2(len(tok)).save_pretrained(path)
    tok.save_pretrained(path)
    return path


def ltlagent(*args, cwd):
    return subprocess.run([sys.executable, "-m", "ltlagent.cli", *args], cwd=cwd, capture_output=True, text=True, check=False)


def test_run_streams_steps_writes_a_checkable_trace(model_dir, tmp_path):
    proc = ltlagent("run", "react", "--model", str(model_dir), "--input", "What is JSON?", "--max-steps", "8",
                    "--temperature", "1", "--max-step-tokens", "8", "--color", "never", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("Question: What is JSON?\nThought: ")
    assert "-- satisfies the spec" in proc.stdout
    trace = tmp_path / "react.trace.jsonl"
    head = json.loads(trace.read_text().splitlines()[0])
    assert head["ok"] is True
    assert ltlagent("check", str(trace), cwd=tmp_path).returncode == 0


def test_batch_with_summary_and_unconstrained_comparison(model_dir, tmp_path):
    inputs = tmp_path / "in.jsonl"
    inputs.write_text('{"input": "What is JSON?"}\n{"input": "What is 2 + 2?"}\n')
    proc = ltlagent("run", "react", "--model", str(model_dir), "--inputs", str(inputs), "--max-steps", "6", "--max-step-tokens", "6",
                    "--temperature", "1", "--trace", "out.jsonl", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "constrained: spec compliance 2/2 (100%)" in proc.stdout
    free = ltlagent("run", "react", "--model", str(model_dir), "--inputs", str(inputs), "--max-steps", "6", "--temperature", "1",
                    "--unconstrained", "--trace", "free.jsonl", cwd=tmp_path)
    assert "unconstrained: spec compliance" in free.stdout
    assert free.returncode in (0, 1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["react", "--model", "no/such/dir", "--input", "q"], "--model no/such/dir: no such folder"),
        (["react", "--model", ".", "--input", "q", "--tools", "nosuchmodule:X"], "cannot import nosuchmodule"),
        (["nosuchspec", "--model", ".", "--input", "q"], "no such spec file"),
    ],
)
def test_run_errors_exit_2(args, message, tmp_path):
    proc = ltlagent("run", *args, cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_a_hub_id_without_hub_access_is_a_clear_error(tmp_path):
    """``--model org/name`` may download on a machine with hub access; offline it says what to do."""
    import os

    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    proc = subprocess.run([sys.executable, "-m", "ltlagent.cli", "run", "react", "--model", "Qwen/Qwen2.5-0.5B-Instruct", "--input", "q"],
                          cwd=tmp_path, capture_output=True, text=True, check=False, env=env)
    assert proc.returncode == 2, proc.stderr
    assert "the Hugging Face Hub cannot be reached; without hub access use one of demo, smollm2, a .gguf file" in proc.stderr
    assert "Traceback" not in proc.stderr
