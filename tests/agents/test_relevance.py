"""The question's gain from the tools: log-probabilities read the way the model reads a prompt."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch", reason="torch not installed: pip install torch==2.13.0")
pytest.importorskip("transformers", reason="transformers not installed: pip install transformers")

from ltlagent.agents.relevance import placed_logprobs, question_gain, render_prompt, text_logprob, token_logprobs  # noqa: E402
from tests.decoders.test_hf import tiny_gpt2  # noqa: E402
from tests.decoders.tokenizers_fixture import byte_level_tokenizer  # noqa: E402

WORDS = st.lists(st.sampled_from(["Find", " the", " area", " of", " a", " triangle", " with", " base", " 10", ".", "\n", " weather", " in", " Paris", "?"]),
                 min_size=1, max_size=12).map("".join)


def oracle(model, tok, prompt: str, text: str) -> tuple[float, int]:
    """The chain rule, one forward pass per token of the prompt's prefix: the tokens lying
    inside the text's last occurrence, each scored on what comes before it."""
    start = prompt.rfind(text)
    end = start + len(text)
    ids = tok(prompt, add_special_tokens=False)["input_ids"]
    total, count, position = 0.0, 0, 0
    for i, t in enumerate(ids):
        piece = tok.decode([t])
        a, b = position, position + len(piece)
        position = b
        if i > 0 and start <= a and b <= end and b > a:
            with torch.inference_mode():
                logits = model(torch.tensor([ids[:i]])).logits[0, -1].double()
            total += float(torch.log_softmax(logits, -1)[t])
            count += 1
    return total, count


@settings(max_examples=25, deadline=None)
@given(before=WORDS, text=WORDS, after=WORDS)
def test_text_logprob_is_the_chain_rule_over_the_texts_tokens(before, text, after):
    tok = byte_level_tokenizer()
    model = tiny_gpt2(len(tok), seed=3)
    prompt = before + text + after
    got, n = text_logprob(model, tok, prompt, text)
    want, m = oracle(model, tok, prompt, text)
    assert n == m and got == pytest.approx(want, abs=1e-3), (prompt, text)
    each = token_logprobs(model, tok, prompt, text)  # the same tokens, one by one
    assert len(each) == m and sum(each) == pytest.approx(want, abs=1e-3), (prompt, text)


@settings(max_examples=25, deadline=None)
@given(before=WORDS, text=WORDS, after=WORDS)
def test_placed_logprobs_say_where_each_token_of_the_text_lies(before, text, after):
    """Oracle: the tokens the tokenizer gives the prompt, laid end to end by their decoded
    pieces; those inside the text's last occurrence, in order, at their offsets in the text,
    each with the chain rule's log-probability."""
    tok = byte_level_tokenizer()
    model = tiny_gpt2(len(tok), seed=4)
    prompt = before + text + after
    start = prompt.rfind(text)
    got = placed_logprobs(model, tok, prompt, text)
    want, position = [], 0
    for i, t in enumerate(tok(prompt, add_special_tokens=False)["input_ids"]):
        a, b = position, position + len(tok.decode([t]))
        position = b
        if i > 0 and start <= a < b <= start + len(text):
            want.append((a - start, b - start))
    assert [(a, b) for a, b, _ in got] == want, (prompt, text)
    assert [p for _, _, p in got] == pytest.approx(token_logprobs(model, tok, prompt, text), abs=1e-5)
    assert sum(p for _, _, p in got) == pytest.approx(oracle(model, tok, prompt, text)[0], abs=1e-3)


def test_text_logprob_refuses_a_text_not_in_the_prompt():
    tok = byte_level_tokenizer()
    with pytest.raises(ValueError, match="not in the prompt"):
        text_logprob(tiny_gpt2(len(tok)), tok, "Find the area.", "weather")


def test_question_gain_compares_the_same_question_with_and_without_tools():
    tok = byte_level_tokenizer()
    model = tiny_gpt2(len(tok), seed=5)
    question = "Find the area of a triangle with base 10."
    with_tools = [{"role": "system", "content": "Tools: calculate_triangle_area(base, height)."}, {"role": "user", "content": question}]
    without = [{"role": "system", "content": "Tools: none."}, {"role": "user", "content": question}]
    gain = question_gain(model, tok, with_tools, without)
    a, _ = text_logprob(model, tok, render_prompt(tok, with_tools), question)
    b, _ = text_logprob(model, tok, render_prompt(tok, without), question)
    assert gain == pytest.approx(a - b) and gain != 0.0
    assert question_gain(model, tok, with_tools, with_tools) == 0.0
    with pytest.raises(ValueError, match="no user message"):
        question_gain(model, tok, with_tools[:1], without[:1])
