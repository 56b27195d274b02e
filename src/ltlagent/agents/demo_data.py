"""Synthetic ReAct episodes with the demo tools: the demo model's training data and the
bundled question set of ``ltlagent demo``. Deterministic from a seed."""

from __future__ import annotations

import random
import re

from ltlagent.agents.demo_tools import Encyclopedia, calculate, stdlib_corpus

OPS = [("+", "plus"), ("-", "minus"), ("*", "times")]


def _first_words(text: str, n: int = 8) -> str:
    words = re.sub(r"[<>`*]", "", text).split()
    return " ".join(words[:n]).rstrip(".,;:")


def module_question(rng: random.Random, name: str) -> tuple[str, str, str]:
    """(question, search query, expected answer) about a standard-library module."""
    enc = Encyclopedia()
    result = enc.search(name)
    summary = result.split(": ", 1)[1] if ": " in result else result
    template = rng.choice(["What is the {m} module for?", "What does the Python module {m} do?", "Describe the {m} module."])
    return template.format(m=name), name, _first_words(summary)


def arithmetic_question(rng: random.Random) -> tuple[str, str, str]:
    a, b = rng.randint(2, 99), rng.randint(2, 99)
    op, word = rng.choice(OPS)
    expr = f"{a} {op} {b}"
    template = rng.choice(["What is {a} {w} {b}?", "Compute {e}.", "How much is {e}?"])
    return template.format(a=a, w=word, b=b, e=expr), expr, calculate(expr)


def react_episode(rng: random.Random, modules: list[str]) -> tuple[str, str, str]:
    """(question, transcript after the question line, expected answer)."""
    if rng.random() < 0.5:
        q, expr, answer = arithmetic_question(rng)
        text = (
            f"Thought: I need to compute {expr}.\n"
            f"Action: calculator[{expr}]\n"
            f"Observation: {answer}\n"
            f"Thought: The result is {answer}.\n"
            f"Final Answer: {answer}\n"
        )
        return q, text, answer
    name = rng.choice(modules)
    q, query, answer = module_question(rng, name)
    observation = Encyclopedia().search(query)
    text = (
        f"Thought: I should search for the {name} module.\n"
        f"Action: search[{query}]\n"
        f"Observation: {observation}\n"
        f"Thought: The first sentence answers the question.\n"
        f"Final Answer: {answer}\n"
    )
    return q, text, answer


def modules(seed: int = 0) -> list[str]:
    names = sorted(n for n in stdlib_corpus() if n.isidentifier())
    return names


def question_set(n: int, seed: int = 1234) -> list[tuple[str, str]]:
    """``n`` (question, expected answer) pairs for ``ltlagent demo``."""
    rng = random.Random(seed)
    names = modules()
    out = []
    for _ in range(n):
        q, _, answer = react_episode(rng, names)
        out.append((q, answer))
    return out
