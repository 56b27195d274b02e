"""vLLM for real on CPU, as docs/serving.md sets it up: an OpenAI API server (``vllm serve``)
with ``ltlagent.decoders.vllm.SpecLogitsProcessor`` on SmolLM2, 16 concurrent ReAct and 16
tool-calling episodes through ``ServerEngine``, every trace accepted by ``ltlagent check``; a
request without spec arguments, batched with constrained ones on the server, writes an engine
without the processor's greedy choice at every token.

vLLM lives in its own environment (``.venv-vllm`` at the repository root, made by ``.ci/run``;
or ``$LTLAGENT_VLLM_PYTHON``): skipped, with the reason, without it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _vllm_python() -> str | None:
    candidate = os.environ.get("LTLAGENT_VLLM_PYTHON") or str(ROOT / ".venv-vllm" / "bin" / "python")
    return candidate if Path(candidate).is_file() else None


@pytest.fixture(scope="module")
def episodes(tmp_path_factory):
    python = _vllm_python()
    required = os.environ.get("LTLAGENT_REQUIRE_VLLM") == "1"  # .ci/run sets it on a CPU that runs vLLM's CPU build
    if python is None:
        if required:
            pytest.fail("LTLAGENT_REQUIRE_VLLM=1 but there is no vLLM environment (.venv-vllm)")
        pytest.skip("no vLLM environment: create .venv-vllm as docs/serving.md says (.ci/run does), or set LTLAGENT_VLLM_PYTHON")
    out = tmp_path_factory.mktemp("vllm")
    from ltlagent.decoders.models import resolve_model

    resolve_model("smollm2", progress=False)  # converted here (this environment has accelerate); the vLLM one reads the folder
    env = dict(os.environ, LTLAGENT_CACHE=os.environ.get("LTLAGENT_CACHE", str(Path.home() / ".cache" / "ltlagent")))
    proc = subprocess.run([python, str(Path(__file__).with_name("vllm_episodes.py")), str(out)], capture_output=True, text=True, env=env,
                          timeout=1200, check=False)
    if proc.returncode == 3:
        if required:
            pytest.fail("LTLAGENT_REQUIRE_VLLM=1 but vLLM cannot start: " + proc.stderr.strip().splitlines()[-1])
        pytest.skip(proc.stderr.strip().splitlines()[-1])
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


@pytest.mark.parametrize("name", ["react", "tool_calling"])
def test_concurrent_episodes_on_vllm_are_accepted_by_check(episodes, name):
    path = episodes / f"{name}.jsonl"
    heads = [json.loads(line) for line in path.read_text().splitlines() if '"spec"' in line[:10]]
    expected = {"react": 16, "tool_calling": 20}[name]  # vllm_episodes.REACT and TOOLS
    assert len(heads) == expected and all(h["ok"] for h in heads), [h for h in heads if not h["ok"]]
    proc = subprocess.run([sys.executable, "-m", "ltlagent.cli", "check", str(path)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{expected} examples" in proc.stdout


TIE = 0.13  # one bf16 step of a logit below 32: a batch may round a near-tie the other way


def _off_greedy(scores: list[list[float]]) -> list[int]:
    """Positions where the token written is not a greedy choice of the engine without the processor."""
    return [i for i, (chosen, top) in enumerate(scores) if chosen < top - TIE]


def test_requests_without_spec_arguments_are_untouched(episodes):
    """The free request, batched with constrained ones on the server, writes a greedy choice of the
    processor-free engine at every token (ties either way), and the same tokens as that engine
    alone up to its first tie. The same reading tells a constrained request apart."""
    data = json.loads((episodes / "untouched.json").read_text())
    alone, batched, scores = data["alone"], data["batched"], data["scores"]
    assert len(alone) > 5 and len(batched) > 5
    assert _off_greedy(scores["alone"]) == [] and _off_greedy(scores["batched"]) == []
    split = next((i for i, (a, b) in enumerate(zip(alone, batched)) if a != b), None)
    if split is None:
        assert len(alone) == len(batched)  # no tie broken otherwise: the same tokens, ended alike
    else:  # after a tie the texts differ, and may end at different lengths
        tie = scores["alone"][split]
        assert abs(tie[0] - tie[1]) <= TIE and abs(scores["batched"][split][0] - tie[1]) <= TIE, (split, tie, scores["batched"][split])
    assert _off_greedy(scores["masked"]), "the masks left a constrained request on the free model's greedy path"


def test_no_mail_leaves_corp_example_after_a_secret_was_read(episodes):
    """Read from the traces' call steps with json, not by the checker."""
    read = 0  # episodes where the scenario happened: a secret was read
    for line in (episodes / "tool_calling.jsonl").read_text().splitlines():
        row = json.loads(line)
        if "spec" in row:
            secret = False
            continue
        if row["step"] == "call":
            call = json.loads(row["text"])
            if call["name"] == "read_secret" and not secret:
                secret, read = True, read + 1
            if secret and call["name"] == "send_email":
                assert call["arguments"]["to"].endswith("@corp.example"), row
    forced = json.loads((episodes / "after_secret.json").read_text())
    assert '"name": "read_secret"' in forced["trace"] and len(forced["continuations"]) == 12  # the scenario, every time
    for text in forced["continuations"]:
        for line in text.split("\n"):
            if line.startswith("Call: ") and '"send_email"' in line:
                assert json.loads(line[len("Call: "):])["arguments"]["to"].endswith("@corp.example"), line
    assert read + len(forced["continuations"]) >= 12


def test_ltlagent_serve_generates_on_vllm(episodes):
    """`ltlagent serve --server URL`: the OpenAI API in front, vLLM with the processor behind;
    a tool call comes back in OpenAI's format, then an answer; the finished conversation's trace
    replays clean."""
    data = json.loads((episodes / "serve.json").read_text())
    first = data["first"]["choices"][0]
    assert first["finish_reason"] in ("tool_calls", "stop")
    if first["finish_reason"] == "tool_calls":
        call = first["message"]["tool_calls"][0]
        assert call["function"]["name"] == "get_weather" and isinstance(json.loads(call["function"]["arguments"])["city"], str)
        assert data["second"]["choices"][0]["finish_reason"] in ("tool_calls", "stop")
    answered = [r for r in (data["first"], data["second"]) if r and r["choices"][0]["finish_reason"] == "stop"]
    traces = list((episodes / "serve-traces").glob("*.jsonl"))
    assert bool(traces) == bool(answered), (traces, answered)  # a finished conversation is written, one that waits for a tool is not
    if traces:
        proc = subprocess.run([sys.executable, "-m", "ltlagent.cli", "check", str(episodes / "serve-traces")], capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
