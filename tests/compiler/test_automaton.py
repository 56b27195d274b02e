"""LetterDFA operations against brute-force enumeration of words."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from ltlagent.compiler.automaton import DEAD, LetterDFA

LETTERS = 3
MAX_LEN = 5


@st.composite
def dfas(draw):
    n = draw(st.integers(1, 5))
    delta = tuple(tuple(draw(st.integers(-1, n - 1)) for _ in range(LETTERS)) for _ in range(n))
    acc = frozenset(draw(st.sets(st.integers(0, n - 1))))
    return LetterDFA(LETTERS, 0, acc, delta)


def language(d: LetterDFA) -> set[tuple[int, ...]]:
    out = set()
    for k in range(MAX_LEN + 1):
        for w in itertools.product(range(LETTERS), repeat=k):
            q = d.run(w)
            if q != DEAD and q in d.accepting:
                out.add(w)
    return out


@settings(max_examples=300)
@given(dfas())
def test_minimize_keeps_the_language_and_trims(d):
    m = d.minimize()
    assert language(m) == language(d)
    assert m.num_states <= max(d.num_states, 1)
    assert m.reachable() <= m.coreachable() or m.is_empty()


@settings(max_examples=300)
@given(dfas(), dfas())
def test_product_is_intersection(a, b):
    assert language(a.product(b)) == language(a) & language(b)


@settings(max_examples=300)
@given(dfas(), dfas())
def test_equivalence_agrees_with_enumeration(a, b):
    # Words up to MAX_LEN decide equivalence for DFAs this small (≤ 5 states each,
    # so a difference shows within 5 + 5 - 1 letters; we check the sound direction).
    if a.is_equivalent(b):
        assert language(a) == language(b)
    if language(a.minimize()) != language(b.minimize()):
        assert not a.is_equivalent(b)


@settings(max_examples=200)
@given(dfas())
def test_shortest_accepted_is_shortest(d):
    m = d.minimize()
    words = sorted(language(m), key=len)
    path = m.shortest_accepted()
    if path is None:
        assert not words or m.is_empty()
    else:
        assert tuple(path) in language(m) or len(path) > MAX_LEN
        if words:
            assert len(path) == len(words[0])
