"""SpecGuide over TokenIndex: soundness with random logits, completeness by replay, budgets,
EOS and special tokens, the disk cache. No torch needed."""

from __future__ import annotations

import random
import textwrap

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from ltlagent import compile_spec, load_spec, parse_spec
from ltlagent.compiler.spec import shipped_spec_names
from ltlagent.decoders.guide import ENVIRONMENT, ERROR, FINISHED, RUNNING, GuideError, SpecGuide
from ltlagent.decoders.index import build_token_index
from ltlagent.decoders.vocab import TokenVocabulary
from tests.decoders.helpers import TOKENIZERS, compiled, index_for, replay, rollout
from tests.decoders.tokenizers_fixture import byte_level_tokenizer
from tests.strategies import ltlf_formulas
from ltlagent.compiler.ltlf import to_text

SHIPPED = shipped_spec_names()


@pytest.mark.parametrize("tokenizer", sorted(TOKENIZERS))
@pytest.mark.parametrize("name", SHIPPED)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), budget=st.integers(1, 60))
def test_random_logits_rollouts_satisfy_the_spec(name, tokenizer, seed, budget):
    index = index_for(name, tokenizer)
    guide = rollout(index, random.Random(seed), max_tokens=budget)
    assert guide.status == FINISHED, (guide.status, guide.error, guide.text[-200:])
    verdict = compiled(name).check_text(guide.text)
    assert verdict.ok, [v.render() for v in verdict.violations]


@pytest.mark.parametrize("tokenizer", sorted(TOKENIZERS))
@pytest.mark.parametrize("name", SHIPPED)
def test_every_example_can_be_produced_token_by_token(name, tokenizer):
    index = index_for(name, tokenizer)
    tok = TOKENIZERS[tokenizer]()
    for ex in load_spec(name).examples:
        if ex.valid:
            guide = replay(index, tok, ex.text)
            assert compiled(name).check_text(guide.text).ok


HEAD = textwrap.dedent(
    """\
    name = "random"

    [[steps]]
    name = "q"
    source = "input"
    tag = "Q: "

    [[steps]]
    name = "a"
    tag = "A: "

    [[steps]]
    name = "b"
    tag = "B: "
    choices = ["left", "right"]

    [[steps]]
    name = "c"
    source = "environment"
    tag = "C: "

    [[propositions]]
    name = "flag"
    step = "a"
    matching = 'go.*'
    """
)


@settings(max_examples=30, deadline=None)
@given(st.lists(ltlf_formulas(("a", "b", "c", "flag"), max_depth=2), min_size=1, max_size=3), st.integers(0, 2**32 - 1))
@example(formulas=[("X", ("R", ("ap", "a"), ("ap", "c")))], seed=0)  # the environment could talk forever; the model may now end
def test_random_specs(formulas, seed):
    rules = '\n[[rules]]\nltlf = "q & X !q & WX G !q"\n' + "".join(f'\n[[rules]]\nltlf = "WX({to_text(f)})"\n' for f in formulas)
    c = compile_spec(parse_spec(HEAD + rules, "random.toml"))
    # Unsatisfiable, trapped, or nothing for the model to write: counted by hypothesis, not silently passed.
    assume(not c.errors and any(x.source == "model" and any(row[x.index] != -1 for row in c.dfa.delta) for x in c.letters))
    index = build_token_index(c, byte_level_tokenizer())
    rng = random.Random(seed)
    for _ in range(3):
        guide = rollout(index, rng, max_tokens=rng.randint(1, 30))
        assert guide.status in (FINISHED, ERROR)
        if guide.status == FINISHED:
            assert c.check_text(guide.text).ok, guide.text
        else:  # only an environment answer can leave no way on (a trap the compiler reports)
            assert "environment" in guide.error or "no continuation" in guide.error or "matches none" in guide.error


@pytest.mark.parametrize("budget", [1, 3, 10, 25])
def test_budget_bounds_each_turn(budget):
    index = index_for("react", "bytelevel")
    rng = random.Random(budget)
    for _ in range(20):
        guide = SpecGuide(index, max_tokens=budget)
        turn_start_dist = None
        while guide.status in (RUNNING, ENVIRONMENT):
            if guide.status == ENVIRONMENT:
                guide.feed_environment("ok")
                turn_start_dist = None
                continue
            if turn_start_dist is None:
                turn_start_dist = guide.distance()
            guide.advance(rng.choice(guide.allowed()))
            assert guide.turn_tokens <= max(budget, turn_start_dist)
        assert guide.status == FINISHED


def test_eos_only_where_the_spec_accepts_and_every_eos_id_works():
    tok = byte_level_tokenizer()
    vocab = TokenVocabulary.from_hf(tok, eos_ids=[0, 1])
    index = build_token_index(compiled("direct"), vocab)
    for eos in (0, 1):
        guide = SpecGuide(index)
        guide.feed_environment("What is 2 + 2?")
        for token in tok.encode("Answer: 4\n", add_special_tokens=False):
            assert eos not in guide.allowed()
            guide.advance(token)
        assert {0, 1} <= set(guide.allowed())
        assert guide.advance(eos) and guide.is_finished


def test_special_tokens_never_match_content():
    tok = byte_level_tokenizer()
    index = index_for("react", "bytelevel")
    special = set(tok.all_special_ids) - set(index.eos_ids)
    assert special
    rng = random.Random(0)
    for _ in range(10):
        guide = SpecGuide(index)
        while guide.status in (RUNNING, ENVIRONMENT):
            if guide.status == ENVIRONMENT:
                guide.feed_environment("ok")
                continue
            allowed = guide.allowed()
            assert not special & set(allowed)
            guide.advance(rng.choice(allowed))
    assert index.num_positions > 10


def test_bad_tokens_are_recorded_not_raised():
    index = index_for("react", "bytelevel")
    tok = byte_level_tokenizer()
    guide = SpecGuide(index)
    guide.feed_environment("q")
    bad = tok.encode("Final", add_special_tokens=False)[0]
    if bad in guide.allowed():
        bad = tok.encode("Answer", add_special_tokens=False)[0]
    assert not guide.advance(bad)
    assert guide.status == ERROR and "not allowed" in guide.error
    assert not guide.advance(bad)  # still no exception
    with pytest.raises(GuideError, match="feed_environment"):
        guide.feed_environment("x")


def test_environment_answer_in_the_wrong_format_is_an_error_on_the_guide():
    guide = SpecGuide(index_for("react", "bytelevel"))
    guide.feed_environment("two\nlines")  # a newline would end the step early
    assert guide.status == ERROR and "matches none of the step's formats" in guide.error


def test_prefix_starts_mid_trace():
    index = index_for("react", "bytelevel")
    guide = SpecGuide(index, prefix="Question: hi\n")
    assert guide.status == "running"
    with pytest.raises(GuideError, match="not the start of a valid trace"):
        SpecGuide(index, prefix="Thought: no question\n")


def test_indexes_share_piece_state_walks_and_write_nothing_to_disk(tmp_path, monkeypatch):
    monkeypatch.setenv("LTLAGENT_CACHE", str(tmp_path))
    c = compile_spec(load_spec("react"))
    first = build_token_index(c, byte_level_tokenizer())
    guide = SpecGuide(first)
    guide.feed_environment("q")
    allowed = guide.allowed()
    walked = first.num_states
    assert walked > 0
    second = build_token_index(c, byte_level_tokenizer())
    again = SpecGuide(second, prefix="Question: q\n")
    assert again.allowed() == allowed
    assert second.num_states == walked  # the same piece states: walked once for both indexes
    assert not list(tmp_path.iterdir())
    # Rollouts on the second index satisfy the spec like on the first.
    for seed in range(5):
        g = rollout(second, random.Random(seed), max_tokens=40)
        assert g.is_finished and c.check_text(g.text).ok, g.text


@pytest.mark.parametrize("name", SHIPPED)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), budget=st.integers(1, 30))
def test_traces_from_one_tokenizer_can_be_written_with_the_other(name, seed, budget):
    """Completeness on generated strings: an accepted trace produced through the byte-level
    index is producible token by token through the SentencePiece index, and back."""
    for source, target in (("bytelevel", "sentencepiece"), ("sentencepiece", "bytelevel")):
        guide = rollout(index_for(name, source), random.Random(seed), max_tokens=budget)
        try:
            text = guide.text_bytes.decode("utf-8")
        except UnicodeDecodeError:
            continue  # random byte tokens may split a character; the text is then not a string
        replay(index_for(name, target), TOKENIZERS[target](), text)


@pytest.mark.parametrize("step_budget", [1, 4, 12])
def test_step_budget_bounds_every_step(step_budget):
    """With only a per-step budget, random walks still finish (free text would otherwise
    rarely end) and no step runs longer than the budget plus the shortest way out."""
    index = index_for("react", "bytelevel")
    rng = random.Random(step_budget)
    for _ in range(15):
        guide = SpecGuide(index, max_step_tokens=step_budget)
        longest = farthest = 0
        while guide.status in (RUNNING, ENVIRONMENT):
            if guide.status == ENVIRONMENT:
                guide.feed_environment("ok")
                continue
            farthest = max(farthest, guide.distance())
            guide.advance(rng.choice(guide.allowed()))
            longest = max(longest, guide.step_tokens)
            assert len(guide.tokens) < 2000
        assert guide.status == FINISHED
        assert compiled("react").check_text(guide.text).ok
        assert longest <= step_budget + farthest


@pytest.mark.parametrize("max_steps", [6, 7, 8, 9, 12])
def test_a_trace_that_fits_the_step_budget_is_written_word_for_word(max_steps):
    """Near the end of the step budget the guide steers to the fewest steps but leaves the
    words to the model: a 6-step ReAct trace replays token by token under every budget ≥ 6."""
    tok = byte_level_tokenizer()
    index = index_for("react", "bytelevel")
    turns = ["Thought: I need to compute 2 + 2 first.\nAction: calculator[2 + 2]\nObservation: ", "The result is 4, so that is the answer.\nFinal Answer: 4\n"]
    guide = SpecGuide(index, max_steps=max_steps)
    guide.feed_environment("What is 2 + 2?")
    for turn, answer in zip(turns, ["4", None], strict=True):
        if answer is None:
            turn = "Thought: " + turn
        for token in tok.encode(turn, add_special_tokens=False):
            assert token in guide.allowed(), (max_steps, guide.text)
            guide.advance(token)
        if answer is not None:
            assert guide.waiting_for == "observation"
            guide.feed_environment(answer)
    assert guide.budget_forced == (max_steps < 9)
    eos = index.eos_ids[0]
    assert eos in guide.allowed() and guide.advance(eos) and guide.is_finished


WHITESPACE = set(b" \t\r\n\x0b\x0c")


@pytest.mark.parametrize("tokenizer", sorted(TOKENIZERS))
@pytest.mark.parametrize("name", SHIPPED)
def test_whitespace_loving_rollouts_satisfy_the_spec(name, tokenizer):
    """A model that prefers blanks and carriage returns (``Final Answer: \\r\\n``, a step of
    spaces): whatever the masks allow, ``check_text`` (which reads ``\\r\\n`` as ``\\n``) accepts."""
    index = index_for(name, tokenizer)
    vocab = index.vocab
    blank = {i for i, b in enumerate(vocab.tokens) if b and set(b) <= WHITESPACE}
    rng = random.Random(7)
    for _ in range(12):
        guide = SpecGuide(index, max_tokens=rng.choice([20, 60, 200]))
        while guide.status in (RUNNING, ENVIRONMENT):
            if guide.status == ENVIRONMENT:
                guide.feed_environment(rng.choice(["ok", " ", "42"]))
                continue
            allowed = guide.allowed()
            preferred = [t for t in allowed if t in blank]
            guide.advance(rng.choice(preferred) if preferred and rng.random() < 0.85 else rng.choice(allowed))
        assert guide.status == FINISHED, (guide.status, guide.error)
        verdict = compiled(name).check_text(guide.text)
        assert verdict.ok, (guide.text[-300:], [v.render() for v in verdict.violations])


def test_the_model_may_end_where_only_the_environment_could_go_on():
    """Found by test_random_specs: with "a R c" (c forever), the environment could answer
    forever and the guide never let the model stop. Where the trace may end, the model
    chooses: EOS, or the environment's tag."""
    rules = '\n[[rules]]\nltlf = "q & X !q & WX G !q"\n\n[[rules]]\nltlf = "WX(X(a R c))"\n'
    c = compile_spec(parse_spec(HEAD + rules, "random.toml"))
    index = build_token_index(c, byte_level_tokenizer())
    tok = byte_level_tokenizer()
    guide = SpecGuide(index)
    guide.feed_environment("hello")
    for _ in range(3):  # the model lets the environment speak, three times
        for t in tok.encode("C: ", add_special_tokens=False):
            assert guide.advance(t), guide.error
        while guide.status == ENVIRONMENT:
            guide.feed_environment("more")
    assert guide.status == RUNNING and index.eos_ids[0] in guide.allowed()
    guide.advance(index.eos_ids[0])
    assert guide.is_finished and c.check_text(guide.text).ok
