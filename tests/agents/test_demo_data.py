"""The demo model's synthetic episodes: every one is a valid trace of its spec, replays
against the real demo tools, and the bundled question sets are stable."""

from __future__ import annotations

import functools
import json
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ltlagent import compile_spec, load_spec
from ltlagent.agents.demo_data import (
    DEMO_SPECS,
    EXAMPLE_MODULES,
    episode,
    held_out_questions,
    is_correct,
    question_set,
    random_workspace,
    react_demo_spec,
    sloppy,
    tool_calling_episode,
)
from ltlagent.agents.demo_tools import Encyclopedia, calculate, stdlib_corpus
from ltlagent.agents.tools import call_tool

COMPILED = {name: compile_spec(load_spec(name)) for name in DEMO_SPECS}


def full_text(ep) -> str:  # type: ignore[no-untyped-def]
    first = next(s for s in COMPILED[ep.spec].steps if s.source == "input")
    return f"{first.tag}{ep.question}\n{ep.transcript}"


@settings(max_examples=150, deadline=None)
@given(spec=st.sampled_from(DEMO_SPECS), seed=st.integers(0, 2**32 - 1))
def test_every_episode_satisfies_its_spec_and_model_pieces_end_at_environment_tags(spec, seed):
    ep = episode(spec, random.Random(seed))
    verdict = COMPILED[spec].check_text(full_text(ep))
    assert verdict.ok, (full_text(ep), [v.render() for v in verdict.violations])
    env_tags = tuple(s.tag for s in COMPILED[spec].steps if s.source != "model")
    learned = [text for text, model in ep.pieces if model]
    assert ep.pieces[0][1] and ep.pieces[-1][1]
    assert all(t.endswith(env_tags) for t in learned[:-1]) and learned[-1].endswith("\n")


@settings(max_examples=150, deadline=None)
@given(spec=st.sampled_from(DEMO_SPECS), seed=st.integers(0, 2**32 - 1))
def test_every_sloppy_episode_breaks_its_spec_and_keeps_the_answer(spec, seed):
    rng = random.Random(seed)
    clean = episode(spec, rng)
    bad = sloppy(clean, rng)
    assert not COMPILED[spec].check_text(full_text(bad)).ok, full_text(bad)
    assert (bad.question, bad.answer) == (clean.question, clean.answer)
    env_bad = [t for t, model in bad.pieces if not model]
    env_clean = [t for t, model in clean.pieces if not model]
    assert env_bad == env_clean[len(env_clean) - len(env_bad):]  # the tools answer as before (a skipped ask drops its reply)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_react_observations_are_what_the_demo_tools_return(seed):
    ep = episode("react", random.Random(seed))
    action = next(line for line in ep.transcript.splitlines() if line.startswith("Action: "))
    tool, _, arg = action[len("Action: "):].partition("[")
    observation = ep.pieces[1][0].rstrip("\n")
    expected = calculate(arg[:-1]) if tool == "calculator" else Encyclopedia().search(arg[:-1])
    assert observation == expected
    assert is_correct(ep.transcript.splitlines()[-1].removeprefix("Final Answer: "), ep.answer)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_tool_calling_results_are_what_the_workspace_returns(seed):
    rng = random.Random(seed)
    ws = random_workspace(rng)
    tools = {t.name: t for t in ws.tools()}
    ep = tool_calling_episode(rng, ws)
    pieces = [text for text, _ in ep.pieces]
    for turn, answer in zip(pieces[0::2], pieces[1::2], strict=False):
        last = turn.splitlines()[-2] if turn.endswith("Result: ") else None
        if last is None:
            continue
        call = json.loads(last.removeprefix("Call: "))
        out, ok = call_tool(tools[call["name"]], call["arguments"])
        assert ok and out == answer.rstrip("\n")
    assert all(m["to"].endswith("@corp.example") for m in ws.outbox)  # the corpus never teaches exfiltration


def test_question_sets_are_deterministic_and_answers_are_checked_strictly():
    for spec in DEMO_SPECS:
        assert question_set(spec, 5, seed=3) == question_set(spec, 5, seed=3)
        assert len(question_set(spec, 7)) == 7
    with pytest.raises(ValueError, match="knows the specs"):
        episode("cot", random.Random(0))
    assert is_correct("7 + 5 = 12. The answer is 12. [ANSWERED]", "12")
    assert is_correct("Manage shelves of pickled objects", "manage shelves of pickled objects")
    assert not is_correct("117", "17") and not is_correct("11", "117") and not is_correct(None, "3")
    assert not is_correct("Manage shelves of pickledection", "Manage shelves of pickled objects")

    assert is_correct("The module is colorsys.", "colorsys") and is_correct("colorsys: Conversion functions", "colorsys")
    assert not is_correct("html.parser", "parser") and not is_correct("colorsys2", "colorsys") and not is_correct("os.path", "path")


# The ReAct demo's held-out questions: the modules asked about, never run while react_demo_spec
# (its rule and examples) was written, nor asked by `ltlagent demo` without --held-out.
HELD_OUT = ["ast", "cgi", "codecs", "configparser", "crypt", "csv", "difflib", "doctest", "functools", "glob", "hmac", "io", "netrc",
            "numbers", "operator", "pipes", "platform", "plistlib", "pty", "queue", "smtplib", "socket", "ssl", "string", "stringprep",
            "telnetlib", "threading", "turtle", "types", "typing", "uuid", "zipimport", "asyncio", "collections", "curses", "distutils",
            "email", "encodings", "idlelib", "json", "re", "sqlite3", "unittest", "venv"]


def test_held_out_questions_are_kept_apart_from_the_design_questions_and_the_spec():
    held = held_out_questions()
    modules = [expected for _, expected in held if expected.isidentifier()]
    assert modules == HELD_OUT and len(held) >= 20 + 10
    asked = {expected for seed in range(40) for _, expected in question_set("react", 20, seed=seed) if expected.isidentifier()}
    assert asked and not asked & set(HELD_OUT)  # the demo's own questions come from the design pool only
    spec_text = " ".join(e.text for e in react_demo_spec().examples)
    assert not [m for m in HELD_OUT if f"Final Answer: {m}\n" in spec_text or f"Observation: {m}:" in spec_text]  # no example answers one
    assert set(EXAMPLE_MODULES) <= set(spec_text.split()) and not set(EXAMPLE_MODULES) & (asked | set(HELD_OUT))
    enc = Encyclopedia()
    for question, expected in held:  # every question can be answered with the demo tools
        if expected.isidentifier():
            description = question.removeprefix("Which Python module offers: ").removesuffix("?")
            assert enc.search(description).split(":", 1)[0] == expected and not re.search(rf"\b{expected}\b", description)
        else:
            a, op, b = re.search(r"(\d+) (\S+) (\d+)", question).groups()
            assert calculate(f"{a} {dict(plus='+', minus='-', times='*').get(op, op)} {b}") == expected


@functools.cache
def _react_demo():  # type: ignore[no-untyped-def]
    return compile_spec(react_demo_spec())


NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)


@settings(max_examples=200, deadline=None)
@given(answer=st.one_of(st.sampled_from(sorted(stdlib_corpus())), st.from_regex(NUMBER, fullmatch=True),
                        st.text(min_size=1, max_size=12).filter(lambda t: "\n" not in t)),
       tools=st.lists(st.sampled_from(["search", "calculator", "lookup"]), max_size=3))
def test_react_demo_spec_takes_answers_only_from_the_tool_that_gives_them(answer, tools):
    """The rule against an oracle: a page title once the encyclopedia was searched, or a
    decimal number once the calculator ran."""
    c = _react_demo()
    rounds = "".join(f"Thought: t\nAction: {tool}[x]\nObservation: o\n" for tool in tools)
    verdict = c.check_text(f"Question: q\n{rounds}Thought: t\nFinal Answer: {answer}\n")
    step_ok = re.fullmatch(r"[^\n]*[^\n\r \t][^\n]*", answer) is not None
    expected = step_ok and ((answer in stdlib_corpus() and "search" in tools) or (NUMBER.fullmatch(answer) is not None and "calculator" in tools))
    assert verdict.ok == expected, (answer, tools, [v.render() for v in verdict.violations])
    for example in react_demo_spec().examples:
        assert c.check_text(example.text).ok
