"""translate_ltlf against independent oracles: a recursive LTLf evaluator, and MONA via ltlf2dfa."""

from __future__ import annotations

import re
import os
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ltlagent import Automaton, FormulaError, translate_ltlf
from ltlagent.compiler.ltl import translate_letters
from ltlagent.compiler.ltlf import parse_ltlf, to_text
from tests.reference import count_holds, holds
from tests.strategies import ATOMS, ltlf_formulas, traces


@settings(max_examples=2000)
@given(ltlf_formulas(), st.lists(traces(), min_size=1, max_size=4))
def test_accepts_matches_reference_evaluator(f, trs):
    aut = translate_ltlf(to_text(f))
    for t in trs:
        assert aut.accepts(t) == holds(f, t), (to_text(f), t)


@settings(max_examples=300)
@given(ltlf_formulas(max_depth=3), st.lists(st.frozensets(st.sampled_from(ATOMS)), min_size=1, max_size=5, unique=True), st.data())
def test_letter_automaton_matches_reference_evaluator(f, valuations, data):
    """Over letters (one valuation per letter, exactly one letter per step) the minimal
    letter DFA accepts exactly the traces the evaluator accepts."""
    dfa = translate_letters(f, valuations)
    for _ in range(4):
        word = data.draw(st.lists(st.integers(0, len(valuations) - 1), min_size=1, max_size=6))
        q = dfa.run(word)
        assert (q != -1 and q in dfa.accepting) == holds(f, [valuations[i] for i in word])


@settings(max_examples=300)
@given(ltlf_formulas())
def test_automaton_is_minimal(f):
    """As many states as the Moore-minimised DFA over all 8 valuations of a, b, c."""
    import itertools

    valuations = [frozenset(c) for k in range(4) for c in itertools.combinations(ATOMS, k)]
    assert translate_ltlf(to_text(f)).num_states == translate_letters(f, valuations).num_states


@given(ltlf_formulas())
def test_parse_of_printed_formula_is_identity(f):
    assert parse_ltlf(to_text(f)) == f


@settings(max_examples=200)
@given(st.integers(0, 4), traces())
def test_counting_sugar(n, t):
    a = ("ap", "a")
    assert translate_ltlf(f"atleast({n}, a)").accepts(t) == (count_holds(a, t) >= n)
    assert translate_ltlf(f"atmost({n}, a)").accepts(t) == (count_holds(a, t) <= n)
    assert translate_ltlf(f"exactly({n}, a)").accepts(t) == (count_holds(a, t) == n)


def test_automaton_is_our_frozen_ir_and_picklable():
    import pickle

    aut = translate_ltlf("G(a -> X b) & F c")
    assert isinstance(aut, Automaton)
    assert pickle.loads(pickle.dumps(aut)) == aut
    assert aut.atoms == ("a", "b", "c")
    assert "spot" not in type(aut.edges[0].guard[0]).__module__


@pytest.mark.parametrize(
    ("formula", "trace", "expected"),
    [
        ("X a", [set(), {"a"}], True),
        ("X a", [{"a"}], False),  # strong next: a next step must exist
        ("WX a", [{"b"}], True),  # weak next holds at the last step
        ("WX false", [{"a"}], True),
        ("WX false", [{"a"}, {"a"}], False),
        ("F a", [set(), set(), {"a"}], True),
        ("G a", [{"a"}, {"a"}, set()], False),
        ("a U b", [{"a"}, {"a"}, {"b"}], True),
        ("a U b", [{"a"}, {"a"}], False),
        ("a W b", [{"a"}, {"a"}], True),
        ("a R b", [{"b"}, {"b"}], True),
        ("a M b", [{"b"}, {"a", "b"}], True),
        ("a M b", [{"b"}, {"b"}], False),
        ("call.search -> X obs", [{"call.search"}, {"obs"}], True),
        ("!a & b | c", [{"c"}], True),  # & binds tighter than |
        ("a -> b -> c", [{"a", "b"}], False),  # -> is right-associative
    ],
)
def test_known_semantics(formula, trace, expected):
    assert translate_ltlf(formula).accepts(trace) is expected


def test_accepts_rejects_an_empty_trace():
    with pytest.raises(TypeError, match="non-empty"):
        translate_ltlf("a").accepts([])


@pytest.mark.parametrize(
    ("formula", "column", "message", "hint"),
    [
        ("G(a -> X b", 11, "expected ')' but found the end of the formula", None),
        ("a & & b", 5, "expected an atom", None),
        ("a && b", 3, "'&&' is not an operator", "single &"),
        ("a || b", 3, "'||' is not an operator", "single |"),
        ("a => b", 3, "'=>' is not an operator", "->"),
        ("a = b", 3, "'=' is not an operator", "<->"),
        ("~a", 1, "use ! for negation", "!f"),
        ("X[!] a", 1, "X[!] is Spot's syntax", "already the strong next"),
        ("F[2] a", 2, "brackets are not LTLf syntax here", "atleast(n, f)"),
        ("Thought -> X a", 1, "unexpected 'Thought': atoms are lowercase", "'thought'"),
        ("G(a -> X Observation)", 10, "unexpected 'Observation': atoms are lowercase", "'observation'"),  # not O(bservation)
        ("G(a -> Final_answer)", 8, "unexpected 'Final_answer': atoms are lowercase", "'final_answer'"),  # not F(inal_answer)
        ("a $ b", 3, "unexpected character '$'", "operators are"),
        ("a b", 3, "unexpected 'b' after a complete formula", "Join formulas"),
        ("", 1, "the formula is empty", None),
        ("atleast(x, a)", 9, "expected a count", None),
        ("atleast({n}, a)", 9, "unknown parameter 'n'", "[parameters]"),
        ("atleast(65, a)", 9, "count 65 is out of range 0..64", None),
        ("atleast", 1, "'atleast' is a reserved word", None),
    ],
)
def test_formula_errors_name_the_column(formula, column, message, hint):
    with pytest.raises(FormulaError, match=re.escape(message)) as info:
        translate_ltlf(formula)
    assert info.value.column == column
    assert str(info.value).startswith(f"<formula>:1:{column}: ")
    if hint:
        assert hint in str(info.value)


# -- MONA (ltlf2dfa) cross-check ----------------------------------------------------------

if os.environ.get("LTLAGENT_REQUIRE_MONA") == "1" and shutil.which("mona") is None:  # .ci/run installed it: it must be here
    raise RuntimeError("LTLAGENT_REQUIRE_MONA=1 but mona is not on PATH")
mona = pytest.mark.skipif(
    shutil.which("mona") is None, reason="MONA not installed: apt-get install mona (and pip install ltlf2dfa) to enable"
)


def _to_ltlf2dfa(f: tuple) -> str:
    op = f[0]
    if op in ("true", "false"):
        return op
    if op == "ap":
        return f[1]
    if op in ("!", "X", "WX", "F", "G"):
        return f"{op}({_to_ltlf2dfa(f[1])})"
    a, b = _to_ltlf2dfa(f[1]), _to_ltlf2dfa(f[2])
    if op == "W":  # f W g = (f U g) | G f
        return f"((({a}) U ({b})) | G({a}))"
    if op == "M":  # f M g = g U (f & g)
        return f"(({b}) U (({a}) & ({b})))"
    return f"(({a}) {op} ({b}))"


class MonaDFA:
    """A DFA read from ltlf2dfa's MONA Graphviz output."""

    def __init__(self, dot: str) -> None:
        acc = re.search(r"node \[shape = doublecircle\];([^\n]*)", dot)
        self.accepting = {s.strip() for s in acc.group(1).split(";") if s.strip()} if acc else set()
        self.initial = re.search(r"init -> (\w+);", dot).group(1)
        self.edges = re.findall(r"(\w+) -> (\w+) \[label=\"([^\"]*)\"\];", dot)

    def accepts(self, trace) -> bool:
        q = self.initial
        for letter in trace:
            for src, dst, label in self.edges:
                if src == q and self._holds(label, letter):
                    q = dst
                    break
            else:
                return False
        return q in self.accepting

    @staticmethod
    def _holds(label: str, letter) -> bool:
        expr = re.sub(r"[a-z_][a-z0-9_]*", lambda m: {"true": "True", "false": "False"}.get(m.group(), str(m.group() in letter)), label)
        return bool(eval(expr.replace("~", " not ").replace("&", " and ").replace("|", " or ")))  # noqa: S307 - MONA's own output


@mona
@settings(max_examples=120)
@given(ltlf_formulas(max_depth=3), st.lists(traces(), min_size=1, max_size=4))
def test_accepts_matches_mona(f, trs):
    from ltlf2dfa.parser.ltlf import LTLfParser

    mona_dfa = MonaDFA(LTLfParser()(_to_ltlf2dfa(f)).to_dfa())
    ours = translate_ltlf(to_text(f))
    for t in trs:
        assert ours.accepts(t) == mona_dfa.accepts(t), (to_text(f), t)
