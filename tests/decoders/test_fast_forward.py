"""Fast-forward (``decoders.fast_forward``): plans are the tokenizer's own tokens of forced
text, whole characters, never merged across their end by the canonical tokenisation of what
follows; decoding with them gives accepted traces and, where the model would have chosen the
same tokens, the same trace as decoding without them."""

from __future__ import annotations

import functools
import random
import zlib

import numpy as np
import pytest

from ltlagent.compiler.spec import load_spec, shipped_spec_names
from ltlagent.decoders.fast_forward import FastForward
from ltlagent.decoders.guide import ENVIRONMENT, FINISHED, RUNNING, SpecGuide
from ltlagent.decoders.index import build_token_index
from tests.decoders.helpers import ENV_ANSWERS, compiled, index_for
from tests.decoders.test_viability import _qwen3
from tests.decoders.tokenizers_fixture import byte_level_tokenizer, sentencepiece_tokenizer
from tests.reference import trace_accepted


@functools.lru_cache(maxsize=1)
def _qwen3_encoder():
    import quicktok

    return quicktok.get_encoding("qwen3").encode_ordinary


def _encoders():
    yield "bytelevel", lambda t: byte_level_tokenizer().encode(t, add_special_tokens=False)
    yield "sentencepiece", lambda t: sentencepiece_tokenizer().encode(t, add_special_tokens=False)


def _walk_with_plans(guide: SpecGuide, ff: FastForward, rng: random.Random, max_tokens: int, take_plan: float = 0.6):
    """A rollout that, where a plan exists, follows it (probability ``take_plan``) or picks a
    random allowed token; yields ``(plan, turn bytes before it)`` at each plan."""
    while guide.status in (RUNNING, ENVIRONMENT) and len(guide.tokens) < max_tokens:
        if guide.status == ENVIRONMENT:
            guide.feed_environment(rng.choice(ENV_ANSWERS))
            continue
        plan = ff.plan(guide.state)
        if plan:
            yield plan
        if plan and rng.random() < take_plan:
            for t in plan:
                assert t in guide.allowed(), (t, guide.turn_bytes)  # the masks allow each planned token where it is written
                assert guide.advance(t), guide.error
        else:
            guide.advance(rng.choice(guide.allowed()))


def _check_plan(guide: SpecGuide, ff: FastForward, plan: tuple[int, ...], encode) -> None:
    vocab = guide.index.vocab
    data = b"".join(vocab.tokens[t] for t in plan)
    forced = guide.index.forced_bytes(guide.state)
    assert forced.startswith(data), (data, forced)  # decodes to exactly forced bytes
    text = data.decode("utf-8")  # whole characters (strict)
    guide.text_bytes.decode("utf-8")  # and the text before the plan ends on a character boundary
    assert list(encode(text)) == list(plan), (text, plan)  # the tokenizer's own tokenisation


@pytest.mark.parametrize("name", shipped_spec_names())
def test_plans_are_forced_bytes_in_the_tokenizers_own_tokens(name):
    planned = 0
    for kind, encode in _encoders():
        index = index_for(name, kind)
        ff = FastForward(index, encode)
        for seed in range(3):
            rng = random.Random(seed)
            guide = SpecGuide(index, max_tokens=40, max_steps=10)
            for plan in _walk_with_plans(guide, ff, rng, 300):
                _check_plan(guide, ff, plan, encode)
                planned += 1
    assert planned > 0  # every shipped spec forces at least its tags


@pytest.mark.parametrize("name", ["react", "tool_calling", "aiot"])
def test_plans_at_151k_tokens_hold_back_what_could_merge(name, tmp_path, monkeypatch):
    """Qwen3's vocabulary and tokenizer: the plan properties, and the hold-back rule read from
    the other side. After a plan, the rest of the turn is written at random; the tokenizer's
    encoding of the plan's text + that rest keeps the plan's tokens, unless the merge starts
    inside a plan token (the case a plan does not look for; it must then be rare)."""
    monkeypatch.setenv("LTLAGENT_CACHE", str(tmp_path))
    encode = _qwen3_encoder()
    index = build_token_index(compiled(name), _qwen3())
    ff = FastForward(index, encode)
    vocab = index.vocab
    checked = inside = 0
    for seed in range(48):
        rng = random.Random(seed)
        guide = SpecGuide(index, max_tokens=30, max_steps=10)
        while guide.status in (RUNNING, ENVIRONMENT) and len(guide.tokens) < 250:
            if guide.status == ENVIRONMENT:
                guide.feed_environment(rng.choice(ENV_ANSWERS))
                continue
            plan = ff.plan(guide.state)
            if not plan:
                guide.advance(rng.choice(guide.allowed()))
                continue
            _check_plan(guide, ff, plan, encode)
            start = guide.size()
            for t in plan:
                assert guide.advance(t), guide.error
            if guide.status != RUNNING:
                continue
            turn_start = len(guide.tokens)
            while guide.status == RUNNING and len(guide.tokens) - turn_start < 12:  # some of the rest of the turn
                guide.advance(rng.choice(guide.allowed()))
            written = guide.text_bytes[start:]
            try:
                text = written.decode("utf-8")
            except UnicodeDecodeError:
                continue
            again = encode(text)
            checked += 1
            if list(again[: len(plan)]) != list(plan):
                ends = np.cumsum([len(vocab.tokens[t]) for t in plan]).tolist()
                spans = np.cumsum([0] + [len(vocab.tokens[t] or b"") for t in again]).tolist()
                crossing = [(a, b) for a, b in zip(spans, spans[1:]) if a < ends[-1] < b]
                assert crossing and crossing[0][0] not in [0] + ends, (text, plan, again)  # starts inside a plan token
                inside += 1
    assert checked > 30
    assert inside <= checked // 10, (inside, checked)


class PrefixLM:
    """A causal LM (transformers call shape) whose next-token logits are a fixed function of
    the whole token prefix: the byte length of each token plus noise drawn from the prefix's
    hash. Exact however tokens are grouped into forward passes, so two decoding loops that
    feed it the same tokens see the same logits. Records every forward pass."""

    def __init__(self, vocab, length_weight: float = 1.0) -> None:
        import torch

        self.torch = torch
        self.base = torch.tensor([float(len(t or b"")) * length_weight for t in vocab.tokens])
        self.calls: list[int] = []

    def to(self, device):
        return self

    def eval(self):
        return self

    def __call__(self, input_ids, cache=None, use_cache=True):
        torch = self.torch
        prefix = list(cache or []) + input_ids[0].tolist()
        self.calls.append(input_ids.shape[1])
        seed = zlib.crc32(np.array(prefix, np.int64).tobytes())
        noise = torch.from_numpy(np.random.default_rng(seed).normal(0.0, 1.0, self.base.shape[0]).astype(np.float32))
        logits = (self.base + noise).reshape(1, 1, -1).expand(1, input_ids.shape[1], -1)

        class Out:
            pass

        out = Out()
        out.cache, out.logits = prefix, logits
        return out


def _episode(index, tokenizer, model, fast_forward, seed, temperature=0.0, max_new_tokens=400):
    import torch

    from ltlagent.decoders.hf import SpecDecoder

    dec = SpecDecoder(model, tokenizer, index, device="cpu", max_steps=10, max_step_tokens=24, fast_forward=fast_forward)
    dec.start("Follow the format.\n")
    rng = random.Random(seed)
    generator = torch.Generator().manual_seed(seed) if temperature else None
    turns = 0
    while dec.guide.status in (RUNNING, ENVIRONMENT) and turns < 30:
        if dec.guide.status == ENVIRONMENT:
            dec.feed_environment(rng.choice(ENV_ANSWERS))
            continue
        turn = dec.generate(max_new_tokens, temperature=temperature, generator=generator)
        turns += 1
        if turn.status == RUNNING:
            dec.finish_turn()
    return dec


@pytest.mark.parametrize("name", shipped_spec_names())
def test_decoding_with_fast_forward_gives_accepted_traces(name):
    """Sampled at temperature 1 with hostile environment answers: every finished trace is
    accepted by check_text and by the reference reader; fast-forward saved forward passes."""
    pytest.importorskip("torch")
    tok = byte_level_tokenizer()
    index = index_for(name, "bytelevel")
    saved = 0
    for seed in range(3):
        model = PrefixLM(index.vocab)
        dec = _episode(index, tok, model, True, seed, temperature=1.0)
        assert dec.guide.status == FINISHED, (dec.guide.status, dec.guide.error, dec.guide.text[-200:])
        text = dec.guide.text
        assert compiled(name).check_text(text).ok, text
        assert trace_accepted(load_spec(name), text), text  # read independently of check_text
        # every token but a final EOS went into the model: one pass each, or several in one, or (blanks
        # ending an environment tag) read with the environment's text
        tokens = dec.guide.tokens
        assert dec.forward_passes + dec.passes_saved + dec.held_tokens == len(tokens) - (tokens[-1] in index.eos_ids)
        read = iter(dec._cache)  # what the model read, in order: the guide's tokens among prompt and environment text
        blank = [t for t in tokens if not (index.vocab.tokens[t] or b"x").strip(b" \t")]
        assert all(t in read for t in dec.guide.tokens[:-1] if t not in blank)
        assert dec.held_tokens <= len(blank)
        saved += dec.passes_saved
    assert saved > 0


@pytest.mark.parametrize("name", ["react", "tool_calling", "aiot", "rewoo"])
def test_greedy_trace_is_unchanged_where_the_model_picks_the_planned_tokens(name):
    """The same model, greedy, with and without fast-forward. Where every plan is what the
    run without fast-forward chose token by token, the two runs write the same tokens (so the
    same steps); where it is not, they may differ. Both cases are counted; the first must occur."""
    pytest.importorskip("torch")
    tok = byte_level_tokenizer()
    index = index_for(name, "bytelevel")
    same = differ = 0  # runs compared (fast-forward wrote tokens), runs where a plan was not the model's choice
    for seed in range(6):
        plain = _episode(index, tok, PrefixLM(index.vocab, length_weight=3.0), False, seed)
        ff = FastForward.for_tokenizer(index, tok)
        if _follows_plans(index, ff, plain.guide.tokens, seed):
            fast = _episode(index, tok, PrefixLM(index.vocab, length_weight=3.0), ff, seed)
            assert fast.guide.tokens == plain.guide.tokens
            assert [(e.step, e.text) for e in fast.guide.events] == [(e.step, e.text) for e in plain.guide.events]
            assert fast.forward_passes + fast.passes_saved == plain.forward_passes
            same += fast.fast_forward_tokens > 0
        else:
            differ += 1
    assert same > 0, differ


def _follows_plans(index, ff: FastForward, tokens: list[int], seed: int) -> bool:
    """Whether a token sequence, replayed with the same environment answers, takes every plan
    that fast-forward would have made on its way."""
    rng = random.Random(seed)
    guide = SpecGuide(index, max_steps=10, max_step_tokens=24)
    i = 0
    while i < len(tokens):
        if guide.status == ENVIRONMENT:
            guide.feed_environment(rng.choice(ENV_ANSWERS))
            continue
        plan = ff.plan(guide.state) or (tokens[i],)
        if tuple(tokens[i : i + len(plan)]) != plan:
            return False
        for t in plan:
            guide.advance(t)
        i += len(plan)
    return True


def _greedy_encoder(vocab):
    """Longest match first: a stand-in tokenizer for a hand-made vocabulary."""
    by_bytes = {t: i for i, t in enumerate(vocab.tokens) if t}
    longest = max(len(t) for t in by_bytes)

    def encode(text: str) -> list[int]:
        data, out, i = text.encode("utf-8"), [], 0
        while i < len(data):
            n = next(n for n in range(min(longest, len(data) - i), 0, -1) if data[i : i + n] in by_bytes)
            out.append(by_bytes[data[i : i + n]])
            i += n
        return out

    return encode


def _cot_index(words: list[bytes]):
    from ltlagent.decoders.vocab import TokenVocabulary

    tokens = [None] + [bytes([b]) for b in range(1, 256)] + words
    return build_token_index(compiled("cot"), TokenVocabulary(tuple(tokens), (0,), "handmade"))


def _plan_at_thought(index, encode) -> list[bytes]:
    guide = SpecGuide(index)
    guide.feed_environment("q")  # the question; the model's turn starts with "Thought: "
    return [index.vocab.tokens[t] for t in FastForward(index, encode).plan(guide.state)]


def test_a_token_that_could_merge_with_what_follows_is_held_back():
    # " " ends the forced tag, and " the" could cover it and go on: hold " " back
    index = _cot_index([b"Thought", b" the"])
    assert _plan_at_thought(index, _greedy_encoder(index.vocab)) == [b"Thought", b":"]
    # no longer token starts with " ": the whole tag is written
    index = _cot_index([b"Thought"])
    assert _plan_at_thought(index, _greedy_encoder(index.vocab)) == [b"Thought", b":", b" "]
    # ": " is the tokenizer's token, and ": I" could cover it and go on: both ": " and "Thought"'s
    # boundary are checked, so the plan stops before ": "
    index = _cot_index([b"Thought", b": ", b": I"])
    assert _plan_at_thought(index, _greedy_encoder(index.vocab)) == [b"Thought"]


def test_plans_stop_at_a_special_token_or_text_the_encoder_respells():
    index = _cot_index([b"Thought"])
    encode = _greedy_encoder(index.vocab)
    assert _plan_at_thought(index, lambda text: [0] + encode(text)) == []  # an EOS/special id first: no plan
    assert _plan_at_thought(index, lambda text: encode(text)[:1] + [0]) == [b"Thought"]  # cut before it
    space = index.vocab.tokens.index(b" ")
    assert _plan_at_thought(index, lambda text: [space] + encode(text)) == []  # a prefix space the text does not have


def test_decoders_over_one_index_share_the_plans():
    pytest.importorskip("torch")
    from ltlagent.decoders.hf import SpecDecoder

    tok = byte_level_tokenizer()
    index = index_for("react", "bytelevel")
    first, second = (SpecDecoder(PrefixLM(index.vocab), tok, index, device="cpu") for _ in range(2))
    assert first.fast_forward is second.fast_forward is FastForward.for_tokenizer(index, tok)
    assert SpecDecoder(PrefixLM(index.vocab), tok, index, device="cpu", fast_forward=False).fast_forward is None
