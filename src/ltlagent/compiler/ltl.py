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
from ltlagent.compiler.ltlf import PAST, Formula, atoms, balanced, has_past, parse_ltlf, substitute, to_spot
from ltlagent.errors import FormulaError, LtlagentError

try:
    import spot
    import buddy  # noqa: I001 - spot's wheel puts buddy on the path
except ImportError as exc:  # pragma: no cover - exercised only without the wheel
    raise ImportError(
        "ltlagent needs Spot to compile specs. Install it with: pip install spottl "
        "(the PyPI package 'spot' is unrelated). Compiled specs run without it."
    ) from exc


PAST_ATOM = "past#{}"  # a fresh atom for one past-time subformula ("#": no spec atom can be named so)
MAX_PAST_ATOMS = 8  # translate_ltlf enumerates the valuations of a past formula's atoms


def eliminate_past(f: Formula) -> tuple[Formula, tuple[str, ...]]:
    """A future-time formula over ``f``'s atoms and fresh atoms, one per past-time subformula
    (innermost first), with the fresh atom's definition conjoined. The definitions fix every
    fresh atom's value at every position from the atoms alone (by induction from the first
    position), so the traces that satisfy the result, with the fresh atoms hidden, are exactly
    those that satisfy ``f``::

        h = Y f     !h & G(X true -> (X h <-> f))
        h = Z f      h & G(X true -> (X h <-> f))
        h = O f     (h <-> f) & G(X true -> (X h <-> (X f | h)))
        h = H f     (h <-> f) & G(X true -> (X h <-> (X f & h)))
        h = f S g   (h <-> g) & G(X true -> (X h <-> (X g | (X f & h))))
    """
    definitions: list[Formula] = []
    fresh: list[str] = []
    memo: dict[Formula, Formula] = {}

    def walk(g: Formula) -> Formula:
        if g in memo:
            return memo[g]
        op = g[0]
        if op in ("true", "false", "ap"):
            return g
        parts = tuple(walk(sub) for sub in g[1:])
        if op not in PAST:
            out = (op, *parts)
        else:
            name = PAST_ATOM.format(len(fresh))
            fresh.append(name)
            h = ("ap", name)
            f1 = parts[0]
            if op in ("Y", "Z"):
                first, step = (("!", h) if op == "Y" else h), ("<->", ("X", h), f1)
            elif op == "O":
                first, step = ("<->", h, f1), ("<->", ("X", h), ("|", ("X", f1), h))
            elif op == "H":
                first, step = ("<->", h, f1), ("<->", ("X", h), ("&", ("X", f1), h))
            else:  # f1 S g1
                g1 = parts[1]
                first, step = ("<->", h, g1), ("<->", ("X", h), ("|", ("X", g1), ("&", ("X", f1), h)))
            definitions.append(("&", first, ("G", ("->", ("X", ("true",)), step))))
            out = h
        memo[g] = out
        return out

    body = walk(f)
    return balanced("&", [body, *definitions]), tuple(fresh)


MAX_ACCEPTANCE_SETS = 32  # Spot's wheel is built with this limit


def _to_finite_dfa(f: Formula):  # -> spot.twa_graph
    g = spot.from_ltlf(spot.formula(to_spot(f)))
    try:
        aut = spot.translate(g, "low")
    except RuntimeError as exc:
        if "acceptance sets" not in str(exc):
            raise
        raise FormulaError(
            f"Spot cannot translate this formula: its automaton needs more than {MAX_ACCEPTANCE_SETS} acceptance sets",
            hint="Nested or conjoined F/G operators each need one. Split the formula into several rules, or nest fewer F/G.",
        ) from None
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
    if has_past(f):
        return _past_formula_automaton(f)
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


def _past_formula_automaton(f: Formula) -> Automaton:
    """A formula with past-time operators, over its atoms: its letter DFA over every valuation
    of the atoms (one full cube per letter)."""
    names = sorted(atoms(f))
    if len(names) > MAX_PAST_ATOMS:
        raise LtlagentError(f"a formula with past-time operators over more than {MAX_PAST_ATOMS} atoms cannot be translated on its own; compile it in a spec")
    valuations = [frozenset(a for b, a in enumerate(names) if (v >> b) & 1) for v in range(2 ** len(names))]
    dfa = translate_letters(f, valuations)
    edges = []
    for q, row in enumerate(dfa.delta):
        for letter, dst in enumerate(row):
            if dst >= 0:
                v = valuations[letter]
                edges.append(Edge(q, dst, (Cube(v, frozenset(names) - v),)))
    return Automaton(atoms=tuple(names), num_states=dfa.num_states, initial=dfa.initial, accepting=dfa.accepting, edges=tuple(edges))


def translate_ltlf(formula: str) -> Automaton:
    """Translate an LTLf formula (our syntax, see ``docs/spec-format.md``) to a minimal DFA.

    >>> translate_ltlf("G(a -> X b)").accepts([{"a"}, {"b"}])
    True
    """
    if not isinstance(formula, str):
        raise LtlagentError(f"translate_ltlf expects a formula string, got {type(formula).__name__}")
    return translate_formula(parse_ltlf(formula))


def translate_letters(f: Formula, valuations: Sequence[frozenset[str]]) -> LetterDFA:
    """The minimal DFA of ``f`` over letters, where letter ``i`` makes exactly ``valuations[i]`` true.
    A conjunction Spot cannot translate whole (too many acceptance sets) is translated
    conjunct by conjunct and intersected: the same language."""
    try:
        return _translate_letters(f, valuations)
    except FormulaError:
        if f[0] != "&" or has_past(f):
            raise
        return translate_letters(f[1], valuations).product(translate_letters(f[2], valuations)).minimize()


def _translate_letters(f: Formula, valuations: Sequence[frozenset[str]]) -> LetterDFA:
    n = len(valuations)
    bits = max(1, (n - 1).bit_length())
    names = [f"_letter_bit{b}" for b in range(bits)]

    def code(i: int) -> Formula:
        return balanced("&", [("ap", names[b]) if (i >> b) & 1 else ("!", ("ap", names[b])) for b in range(bits)])

    fresh: tuple[str, ...] = ()
    if has_past(f):
        f, fresh = eliminate_past(f)
    mapping: dict[str, Formula] = {}
    for atom in atoms(f) - set(fresh):
        holders = [code(i) for i, v in enumerate(valuations) if atom in v]
        mapping[atom] = balanced("|", holders) if holders else ("false",)  # shallow for thousands of letters
    edges, acc, init, num = _edges(_to_finite_dfa(substitute(f, mapping)))
    codes = [{names[b]: bool((i >> b) & 1) for b in range(bits)} for i in range(n)]
    transitions = []
    for src, dst, cubes in edges:
        for i, assignment in enumerate(codes):
            # a fresh (past) atom is hidden: some value of it goes along (a cube is consistent)
            if any(all(assignment[a] == v for a, v in c.items() if a not in fresh) for c in cubes):
                transitions.append((src, i, dst))
    if fresh:
        return _determinize(num, init, acc, transitions, n)
    return letter_dfa_from_edges(num, init, acc, transitions, n)


def _determinize(num: int, init: int, acc: set[int], transitions: list[tuple[int, int, int]], n: int) -> LetterDFA:
    """Subset construction over letters (hiding the past atoms made the edges nondeterministic;
    their values are fixed by the prefix, so the subsets stay small), then minimisation."""
    succ: dict[tuple[int, int], set[int]] = {}
    for src, letter, dst in transitions:
        succ.setdefault((src, letter), set()).add(dst)
    start = frozenset([init])
    number = {start: 0}
    todo = [start]
    out: list[tuple[int, int, int]] = []
    while todo:
        group = todo.pop()
        for letter in range(n):
            nxt = frozenset(d for q in group for d in succ.get((q, letter), ()))
            if not nxt:
                continue
            if nxt not in number:
                number[nxt] = len(number)
                todo.append(nxt)
            out.append((number[group], letter, number[nxt]))
    accepting = [i for group, i in number.items() if group & acc]
    return letter_dfa_from_edges(len(number), 0, accepting, out, n)
