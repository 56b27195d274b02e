"""``scripts/train_demo_model.py`` end to end at toy size: it trains, saves a folder that
``from_pretrained`` loads, and records its settings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch", reason="torch not installed: pip install torch==2.13.0")

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "train_demo_model.py"


def test_training_script_saves_a_loadable_model_and_its_settings(tmp_path):
    out = tmp_path / "model"
    args = ["--steps", "3", "--batch", "2", "--vocab", "400", "--width", "32", "--layers", "1", "--out", str(out)]
    proc = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    settings = json.loads((out / "training.json").read_text())
    assert settings["steps_done"] == 3 and settings["width"] == 32 and settings["seed"] == 0
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model, tokenizer = AutoModelForCausalLM.from_pretrained(out), AutoTokenizer.from_pretrained(out)
    assert model.config.hidden_size == 32 and len(tokenizer) <= 400
    assert tokenizer.tokenize("1234") == ["1", "2", "3", "4"]
