"""Does a toolset fit the question? The model's own answer, read before it writes.

A small model decides "call a tool or answer in words" at its first token, and it decides by
the wording of the two forms, not by the question. This module asks the model another way:
how much more likely is the user's question once the tools are described?

    gain = log p(question | conversation with the tools) - log p(question | the same without them)

in nats, summed over the question's tokens, both read by the model as it reads any prompt. A
question the tools were made for (``"area of a triangle with base 10"`` beside
``calculate_triangle_area(base, height)``) is more likely with their documents in front of it;
an unrelated one is not. It needs nothing but the conversation and the tool documents, so it
works for any toolset: a caller builds a spec that must call when the gain clears a margin,
and one that must answer in words otherwise (``ltlagent eval bfcl --answer gated``).

Two forward passes over the prompt, no decoding. The margin is the caller's; BFCL's was chosen
on a development split disjoint from the cases it reports (``benchmarks/bfcl_relevance_gate.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def render_prompt(tokenizer: Any, messages: Sequence[Mapping[str, str]]) -> str:
    """The text a chat model reads before it answers: its chat template, or (a model without
    one) the messages as ``Role: content`` lines and ``Assistant: ``."""
    if getattr(tokenizer, "chat_template", None):
        return tokenizer.apply_chat_template([dict(m) for m in messages], tokenize=False, add_generation_prompt=True)
    return "".join(f"{m['role'].capitalize()}: {m['content']}\n" for m in messages) + "Assistant: "


def text_logprob(model: Any, tokenizer: Any, prompt: str, text: str) -> tuple[float, int]:
    """log p of ``text``'s tokens (its last occurrence in ``prompt``) as the model reads ``prompt``,
    and how many tokens that is: the tokens that start and end inside the text (a token that
    spans its edge belongs to the context). ``ValueError`` if ``text`` is not in ``prompt``."""
    import torch

    start = prompt.rfind(text)
    if start < 0 or not text:
        raise ValueError("the text is not in the prompt")
    end = start + len(text)
    enc = tokenizer(prompt, add_special_tokens=False, return_offsets_mapping=True)
    ids = enc["input_ids"]
    inside = [i for i, (a, b) in enumerate(enc["offset_mapping"]) if i > 0 and start <= a < b <= end]
    if not inside:
        return 0.0, 0
    device = getattr(model, "device", "cpu")
    with torch.inference_mode():
        logits = model(torch.tensor([ids[: inside[-1] + 1]], device=device)).logits[0].float()
    logprobs = torch.log_softmax(logits[[i - 1 for i in inside]], dim=-1)
    picked = logprobs[torch.arange(len(inside)), torch.tensor([ids[i] for i in inside])]
    return float(picked.sum()), len(inside)


def question_logprob(model: Any, tokenizer: Any, messages: Sequence[Mapping[str, str]], question: str | None = None) -> float:
    """log p(question | the conversation before it), as the model reads the rendered prompt;
    ``question``: the text to score (default: the last user message)."""
    return text_logprob(model, tokenizer, render_prompt(tokenizer, messages), _last_user(messages) if question is None else question)[0]


def _last_user(messages: Sequence[Mapping[str, str]]) -> str:
    users = [m["content"] for m in messages if m.get("role") == "user"]
    if not users:
        raise ValueError("the conversation has no user message")
    return users[-1]


def question_gain(model: Any, tokenizer: Any, with_tools: Sequence[Mapping[str, str]],
                  without_tools: Sequence[Mapping[str, str]], question: str | None = None) -> float:
    """How much the tools raise the question's log-probability, in nats (see the module's
    docstring). ``with_tools`` and ``without_tools``: the same conversation, the tools described
    in the first only; ``question``: the text to score (default: the last user message)."""
    question = _last_user(with_tools) if question is None else question
    return question_logprob(model, tokenizer, with_tools, question) - question_logprob(model, tokenizer, without_tools, question)
