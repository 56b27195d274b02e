"""Tokenizers trained locally in a second (no downloads): byte-level BPE (GPT-2 style, Ġ)
and SentencePiece-style BPE (▁, byte fallback <0xNN>), on text from the shipped specs."""

from __future__ import annotations

import functools
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


# The specs whose text trains the tokenizers: a fixed list, without their [chat] tables (and the
# comments just above them), so that shipping a new spec or a chat mapping does not change every
# tokenizer-dependent test's vocabulary (and with it their rollouts).
CORPUS_SPECS = ("aiot", "cot", "direct", "giot", "pass", "react", "reflexion", "rewoo", "tool_calling")


def _before_chat(lines: list[str]) -> list[str]:
    if "[chat]" not in lines:
        return lines
    kept = lines[: lines.index("[chat]")]
    while kept and (kept[-1].startswith("#") or not kept[-1].strip()):
        kept.pop()
    return kept


def corpus() -> list[str]:
    lines: list[str] = []
    for name in CORPUS_SPECS:
        lines += _before_chat((ROOT / "src" / "ltlagent" / "specs" / f"{name}.toml").read_text(encoding="utf-8").splitlines())
    words = "the of and to in is was for on that with as by at from it an be this are or which".split()
    lines += [" ".join(words[(i * 7 + j) % len(words)] for j in range(12)) for i in range(200)]
    return lines


@functools.lru_cache(maxsize=None)
def byte_level_tokenizer(vocab_size: int = 600):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=["<|endoftext|>", "<|pad|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
    )
    tok.train_from_iterator(corpus(), trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|endoftext|>", pad_token="<|pad|>")


@functools.lru_cache(maxsize=None)
def sentencepiece_tokenizer(vocab_size: int = 500):
    import json

    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    def configure(tok):
        tok.normalizer = normalizers.Replace(" ", "\u2581")
        tok.pre_tokenizer = pre_tokenizers.Split("\u2581", behavior="merged_with_next")
        tok.decoder = decoders.Sequence([decoders.Replace("\u2581", " "), decoders.ByteFallback(), decoders.Fuse()])
        return tok

    trained = configure(Tokenizer(models.BPE()))
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<s>", "</s>"], show_progress=False)
    trained.train_from_iterator(corpus(), trainer)
    model = json.loads(trained.to_str())["model"]
    vocab = dict(model["vocab"])
    for b in range(256):  # byte-fallback pieces are ordinary vocabulary entries, as in SentencePiece
        vocab.setdefault(f"<0x{b:02X}>", len(vocab))
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in model["merges"]]
    tok = configure(Tokenizer(models.BPE(vocab, merges, byte_fallback=True)))
    tok.add_special_tokens(["<s>", "</s>"])
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>")
