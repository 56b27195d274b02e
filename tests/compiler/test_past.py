"""Past-time LTLf (Y Z O H S, mixed with the future operators) against the independent
evaluator in ``tests.reference``, and in specs: diagnostics, check_text and the masks."""

from __future__ import annotations

import itertools
import random
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ltlagent import compile_spec, parse_spec, translate_ltlf
from ltlagent.compiler.ltl import translate_letters
from ltlagent.compiler.ltlf import parse_ltlf, to_text
from tests.reference import holds, trace_accepted
from tests.strategies import ATOMS, ltlf_formulas, traces

VALUATIONS = [frozenset(c) for k in range(4) for c in itertools.combinations(ATOMS, k)]


@settings(max_examples=400, deadline=None)
@given(ltlf_formulas(max_depth=4, past=True), st.lists(traces(), min_size=1, max_size=4))
def test_past_formulas_accept_what_the_evaluator_accepts(f, trs):
    aut = translate_ltlf(to_text(f))
    for t in trs:
        assert aut.accepts(t) == holds(f, t), (to_text(f), t)


@settings(max_examples=150, deadline=None)
@given(ltlf_formulas(max_depth=3, past=True), st.lists(st.frozensets(st.sampled_from(ATOMS)), min_size=1, max_size=5, unique=True), st.data())
def test_past_letter_automaton_matches_the_evaluator_and_is_minimal(f, valuations, data):
    dfa = translate_letters(f, valuations)
    assert dfa.minimize().num_states == dfa.num_states
    for _ in range(4):
        word = data.draw(st.lists(st.integers(0, len(valuations) - 1), min_size=1, max_size=6))
        q = dfa.run(word)
        assert (q != -1 and q in dfa.accepting) == holds(f, [valuations[i] for i in word])


@given(ltlf_formulas(past=True))
def test_parse_of_printed_past_formula_is_identity(f):
    assert parse_ltlf(to_text(f)) == f


@pytest.mark.parametrize(
    ("formula", "trace", "expected"),
    [
        ("Y a", [{"a"}], False),  # no previous position
        ("Z a", [set()], True),  # weak: true at the first position
        ("X Y a", [{"a"}, set()], True),
        ("X Z a", [set(), set()], False),
        ("G(b -> O a)", [{"a"}, set(), {"b"}], True),  # once: at or before
        ("G(b -> O a)", [{"a", "b"}], True),  # O includes the present
        ("G(b -> O a)", [{"b"}, {"a"}], False),
        ("G(b -> H a)", [{"a"}, {"a", "b"}], True),
        ("G(b -> H a)", [set(), {"a", "b"}], False),
        ("F(b & (a S c))", [{"c"}, {"a"}, {"a", "b"}], True),
        ("F(b & (a S c))", [{"c"}, set(), {"a", "b"}], False),  # a broke between c and b
        ("F(b & (a S c))", [{"b", "c"}], True),  # c now: nothing needs a
        ("G(b -> Y a)", [{"a"}, {"b"}], True),
        ("G(b -> Y a)", [{"b"}], False),  # strong: false at the first position
        ("G(b -> Z a)", [{"b"}], True),
        ("G(a -> Y H !a)", [set(), {"a"}], True),  # a at most once, said in the past tense
        ("G(a -> Y H !a)", [{"a"}, {"a"}], False),
        ("G(a -> F O b)", [{"b"}, {"a"}], True),  # past inside future inside future
        ("O(X a)", [set(), {"a"}], True),  # future inside past
        ("H(X a)", [set(), {"a"}], True),
        ("X H(WX a)", [set(), {"a"}, set()], False),
    ],
)
def test_known_past_semantics(formula, trace, expected):
    assert translate_ltlf(formula).accepts([frozenset(s) for s in trace]) == expected
    assert holds(parse_ltlf(formula), [frozenset(s) for s in trace]) == expected


HEAD = textwrap.dedent(
    """\
    name = "past"

    [[steps]]
    name = "user"
    source = "input"
    tag = "User: "

    [[steps]]
    name = "ask"
    tag = "Ask: "
    regex = '[a-z ]+'

    [[steps]]
    name = "reply"
    source = "input"
    tag = "Reply: "
    choices = ["yes", "no"]

    [[steps]]
    name = "delete"
    tag = "Delete: "
    regex = '[a-z.]+'

    [[steps]]
    name = "answer"
    tag = "Answer: "
    regex = '[a-z ]+'

    [[propositions]]
    name = "confirmed"
    step = "reply"
    matching = 'yes'

    [[rules]]
    name = "starts_with_user"
    ltlf = "user & X G !user"

    [[rules]]
    name = "ends_with_answer"
    ltlf = "F answer & G(answer -> WX false)"

    [[rules]]
    name = "a_reply_answers_a_question"
    ltlf = "G(reply -> Y ask)"
    """
)


def _spec(extra: str):
    parsed = parse_spec(HEAD + textwrap.dedent(extra), "past.toml")
    return parsed, compile_spec(parsed)


def test_a_past_time_rule_in_a_spec_reads_traces_and_guides_the_masks():
    from ltlagent.decoders.guide import ENVIRONMENT, RUNNING, SpecGuide
    from ltlagent.decoders.index import build_token_index
    from tests.decoders.tokenizers_fixture import byte_level_tokenizer

    parsed, c = _spec(
        """
        [[rules]]
        name = "delete_only_after_confirmation"
        ltlf = "G(delete -> O confirmed)"
        why = "Delete only once the user said yes."
        """
    )
    assert not c.errors
    ok = "User: clean up\nAsk: delete it\nReply: yes\nDelete: a.txt\nAnswer: done\n"
    bad = "User: clean up\nAsk: delete it\nReply: no\nDelete: a.txt\nAnswer: done\n"
    assert c.check_text(ok).ok and not c.check_text(bad).ok
    assert "delete_only_after_confirmation" in c.check_text(bad).violations[0].render()
    index = build_token_index(c, byte_level_tokenizer())
    deleted_after_no = deleted = 0
    for seed in range(24):
        rng = random.Random(seed)
        guide = SpecGuide(index, max_step_tokens=6, max_steps=8)
        replies = []
        while guide.status in (RUNNING, ENVIRONMENT):
            if guide.status == ENVIRONMENT:
                answer = "clean up" if guide.waiting_for == "user" else rng.choice(["yes", "no"])
                replies.append(answer)
                guide.feed_environment(answer)
                continue
            allowed = guide.allowed()
            eager = [t for t in allowed if (index.vocab.tokens[t] or b"")[:2] in (b"De", b"D", b"As", b"Ask")]  # try to delete, or ask first
            guide.advance(rng.choice(eager if eager and rng.random() < 0.7 else allowed))
        assert guide.is_finished, (guide.status, guide.error, guide.text)
        assert c.check_text(guide.text).ok and trace_accepted(parsed, guide.text), guide.text
        deleted += "Delete: " in guide.text
        if "Delete: " in guide.text and "yes" not in replies:
            deleted_after_no += 1
    assert deleted > 0 and deleted_after_no == 0, (deleted, deleted_after_no)


@pytest.mark.parametrize(
    ("rules", "code"),
    [
        ('ltlf = "G(delete -> O confirmed) & F delete & G !reply"', "unsatisfiable"),
        ('ltlf = "G(H user -> O user)"', "vacuous-rule"),
        ('ltlf = "G(reply -> O ask)"', "redundant-rule"),  # implied by G(reply -> Y ask)
    ],
)
def test_diagnostics_read_past_time_rules(rules, code):
    _, c = _spec(f"\n[[rules]]\nname = \"extra\"\n{rules}\n")
    codes = {d.code for d in c.diagnostics}
    assert code in codes, codes


def test_the_shipped_policy_rules_in_the_past_tense_mean_what_their_future_forms_meant():
    """tool_calling says its privilege rules in the past tense (a rule and a policy row); the
    same spec with the future-tense rules they replaced compiles to the same language."""
    from ltlagent import load_spec
    from ltlagent.compiler.spec import shipped_specs_dir

    text = (shipped_specs_dir() / "tool_calling.toml").read_text(encoding="utf-8")
    assert "!O call.read_secret" in text and 'when = "Y confirmed"' in text
    future = text.replace("G(external_recipient -> !O call.read_secret)", "G(call.read_secret -> G !external_recipient)")
    future = future[: future.index("[[policies]]")] + future[future.index("[[rules]]") :]  # no policy rows ...
    future += '\n[[rules]]\nname = "delete_needs_confirmation"\nltlf = "G(X call.delete_file -> confirmed)"\n'  # ... but their rule
    assert "[[policies]]" not in future
    assert compile_spec(load_spec("tool_calling")).dfa.is_equivalent(compile_spec(parse_spec(future, "future.toml")).dfa)


def test_hidden_past_atoms_cannot_meet_a_spec_atom():
    """A spec atom named like a hidden one (``_past0``) keeps its own meaning."""
    f = "G(_past0 -> O a) & F _past0"
    for t in ([{"a"}, {"_past0"}], [{"_past0"}], [{"a", "_past0"}], [set(), {"_past0"}, {"a"}]):
        trace = [frozenset(s) for s in t]
        assert translate_ltlf(f).accepts(trace) == holds(parse_ltlf(f), trace)
