"""Shared helpers for decoder tests: cached indexes, random rollouts, example replay."""

from __future__ import annotations

import functools
import random

from ltlagent import compile_spec, load_spec
from ltlagent.compiler.compiled import CompiledSpec
from ltlagent.decoders.guide import ENVIRONMENT, ERROR, FINISHED, RUNNING, SpecGuide
from ltlagent.decoders.index import TokenIndex, build_token_index
from tests.decoders.tokenizers_fixture import byte_level_tokenizer, sentencepiece_tokenizer

TOKENIZERS = {"bytelevel": byte_level_tokenizer, "sentencepiece": sentencepiece_tokenizer}
ENV_ANSWERS = ["ok", "42", "ERROR: timeout", "yes, go ahead", "no", "Paris is the capital of France.", "", "Action: search[x]", "héllo → wörld"]


@functools.lru_cache(maxsize=None)
def compiled(name: str) -> CompiledSpec:
    return compile_spec(load_spec(name))


@functools.lru_cache(maxsize=None)
def index_for(name: str, tokenizer: str) -> TokenIndex:
    return build_token_index(compiled(name), TOKENIZERS[tokenizer]())


def rollout(index: TokenIndex, rng: random.Random, max_tokens: int, max_steps: int = 5000) -> SpecGuide:
    """Random logits: at each step a uniformly random allowed token; random environment answers."""
    guide = SpecGuide(index, max_tokens=max_tokens)
    steps = 0
    while guide.status in (RUNNING, ENVIRONMENT) and steps < max_steps:
        steps += 1
        if guide.status == ENVIRONMENT:
            guide.feed_environment(rng.choice(ENV_ANSWERS))
            continue
        allowed = guide.allowed()
        assert allowed, f"no allowed token in index state {guide.state} after {guide.text!r}"
        guide.advance(rng.choice(allowed))
    return guide


def replay(index: TokenIndex, tokenizer, text: str) -> SpecGuide:
    """Drive a guide through an accepted transcript: model text as the tokenizer encodes it,
    environment text through feed_environment, then EOS."""
    c = index.compiled
    pieces, problem = c.split(text)
    assert problem is None
    guide = SpecGuide(index)
    sources = {s.name: s for s in c.steps}
    pending = ""
    for _, step, content, _ in pieces:
        info = sources[step]
        if info.source == "model":
            pending += info.tag + content + info.terminator
            continue
        if guide.status == RUNNING:  # the model writes its steps and the environment's tag
            _write(guide, tokenizer, pending + info.tag)
            pending = ""
        assert guide.status == ENVIRONMENT and guide.waiting_for == step, (guide.status, guide.waiting_for, step, guide.error)
        guide.feed_environment(content)
    if pending:
        _write(guide, tokenizer, pending)
    if guide.status == RUNNING:
        eos = index.eos_ids[0]
        assert eos in guide.allowed(), f"EOS not allowed after {guide.text!r}"
        guide.advance(eos)
    assert guide.status == FINISHED, (guide.status, guide.error)
    return guide


def _write(guide: SpecGuide, tokenizer, text: str) -> None:
    for token in tokenizer.encode(text, add_special_tokens=False):
        allowed = guide.allowed()
        assert token in allowed, f"token {token} ({tokenizer.decode([token])!r}) refused after {guide.text!r}"
        assert guide.advance(token), guide.error
    assert guide.status != ERROR
