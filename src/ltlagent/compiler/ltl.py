"""LTLf → DFA through Spot. The only module that imports ``spot``.

Spot's automata never leave this module: they are converted to our :class:`Automaton`
(guards over atoms) or :class:`LetterDFA` (a table over letters).

Translation: ``spot.from_ltlf`` (our strong ``X`` is Spot's ``X[!]``, our ``WX`` Spot's
``X``), then ``translate(..., "low")``, ``minimize_wdba`` and ``to_finite`` — a minimal
deterministic automaton in a few milliseconds for the formulas specs use.

Letters: a compiled spec reads exactly one *letter* per position. Instead of one
proposition per letter plus a one-hot constraint, letters are numbered and each user
atom becomes the disjunction of the binary codes of the letters where it holds: Spot sees
only ceil(log2 n) propositions, and the edges are read back by evaluating each guard on
each valid code (codes past the last letter are never fed, so dropping them is exact).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from ltlagent.compiler.automaton import Automaton, Cube, Edge, LetterDFA, letter_dfa_from_edges
from ltlagent.compiler.ltlf import Formula, atoms, balanced, parse_ltlf, substitute, to_spot
from ltlagent.errors import LtlagentError

try:
    import spot
    import buddy  # noqa: I001 - spot's wheel puts buddy on the path
except ImportError as exc:  # pragma: no cover - exercised only without the wheel
    raise ImportError(
        "ltlagent needs Spot to compile specs. Install it with: pip install spottl "
        "(the PyPI package 'spot' is unrelated). Compiled specs run without it."
    ) from exc


def _to_finite_dfa(f: Formula):  # -> spot.twa_graph
    g = spot.from_ltlf(spot.formula(to_spot(f)))
    aut = spot.translate(g, "low")
    aut = spot.minimize_wdba(aut)
    return spot.to_finite(aut)


def _cubes(cond, varmap: dict[int, str]) -> list[dict[str, bool]]:
    if cond == buddy.bddtrue:
        return [{}]
    if cond == buddy.bddfalse:
        return []
    name = varmap[buddy.bdd_var(cond)]
    out = []
    for value, branch in ((False, buddy.bdd_low(cond)), (True, buddy.bdd_high(cond))):
        for cube in _cubes(branch, varmap):
            cube[name] = value
            out.append(cube)
    return out


def _edges(aut) -> tuple[list[tuple[int, int, list[dict[str, bool]]]], set[int], int, int]:
    d = aut.get_dict()
    varmap = {d.varnum(ap): ap.ap_name() for ap in aut.ap()}
    edges = []
    for s in range(aut.num_states()):
        for e in aut.out(s):
            edges.append((e.src, e.dst, _cubes(e.cond, varmap)))
    acc = {s for s in range(aut.num_states()) if aut.state_is_accepting(s)}
    return edges, acc, aut.get_init_state_number(), aut.num_states()


@functools.lru_cache(maxsize=512)
def translate_formula(f: Formula) -> Automaton:
    """The minimal DFA of the parsed formula ``f`` over its atoms."""
    edges, acc, init, n = _edges(_to_finite_dfa(f))
    # Keep the states that can still reach acceptance.
    back: dict[int, set[int]] = {}
    for src, dst, _ in edges:
        back.setdefault(dst, set()).add(src)
    live = set(acc)
    todo = list(live)
    while todo:
        q = todo.pop()
        for p in back.get(q, ()):
            if p not in live:
                live.add(p)
                todo.append(p)
    order = sorted(live | {init})
    index = {q: i for i, q in enumerate(order)}
    out = tuple(
        Edge(
            index[src],
            index[dst],
            tuple(
                Cube(frozenset(a for a, v in c.items() if v), frozenset(a for a, v in c.items() if not v))
                for c in cubes
            ),
        )
        for src, dst, cubes in edges
        if src in live and dst in live
    )
    return Automaton(
        atoms=tuple(sorted(atoms(f))),
        num_states=len(order),
        initial=index[init],
        accepting=frozenset(index[q] for q in acc),
        edges=out,
    )


def translate_ltlf(formula: str) -> Automaton:
    """Translate an LTLf formula (our syntax, see ``docs/spec-format.md``) to a minimal DFA.

    >>> translate_ltlf("G(a -> X b)").accepts([{"a"}, {"b"}])
    True
    """
    if not isinstance(formula, str):
        raise LtlagentError(f"translate_ltlf expects a formula string, got {type(formula).__name__}")
    return translate_formula(parse_ltlf(formula))


def translate_letters(f: Formula, valuations: Sequence[frozenset[str]]) -> LetterDFA:
    """The minimal DFA of ``f`` over letters, where letter ``i`` makes exactly ``valuations[i]`` true."""
    n = len(valuations)
    bits = max(1, (n - 1).bit_length())
    names = [f"_letter_bit{b}" for b in range(bits)]

    def code(i: int) -> Formula:
        return balanced("&", [("ap", names[b]) if (i >> b) & 1 else ("!", ("ap", names[b])) for b in range(bits)])

    mapping: dict[str, Formula] = {}
    for atom in atoms(f):
        holders = [code(i) for i, v in enumerate(valuations) if atom in v]
        mapping[atom] = balanced("|", holders) if holders else ("false",)  # shallow for thousands of letters
    edges, acc, init, num = _edges(_to_finite_dfa(substitute(f, mapping)))
    codes = [{names[b]: bool((i >> b) & 1) for b in range(bits)} for i in range(n)]
    transitions = []
    for src, dst, cubes in edges:
        for i, assignment in enumerate(codes):
            if any(all(assignment[a] == v for a, v in c.items()) for c in cubes):
                transitions.append((src, i, dst))
    return letter_dfa_from_edges(num, init, acc, transitions, n)
