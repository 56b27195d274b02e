"""Our own automaton IR (frozen, picklable, no Spot objects).

* :class:`Automaton` — the DFA of one LTLf formula over sets of atoms; edges carry guards
  (a disjunction of cubes). Made by :func:`ltlagent.translate_ltlf`.
* :class:`LetterDFA` — a DFA over a finite alphabet of *letters* (one step with one content
  variant per trace position), stored as a transition table. The compiler's working form:
  pruning, minimisation, products, equivalence and shortest words all live here.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

DEAD = -1  # "no transition" in a LetterDFA table


@dataclass(frozen=True)
class Cube:
    """A conjunction of literals: every ``pos`` atom true and every ``neg`` atom false."""

    pos: frozenset[str] = frozenset()
    neg: frozenset[str] = frozenset()

    def holds(self, true_atoms: frozenset[str] | set[str]) -> bool:
        return self.pos <= true_atoms and not (self.neg & true_atoms)

    def __str__(self) -> str:
        lits = sorted(self.pos) + [f"!{a}" for a in sorted(self.neg)]
        return " & ".join(lits) if lits else "true"


@dataclass(frozen=True)
class Edge:
    src: int
    dst: int
    guard: tuple[Cube, ...]  # disjunction of cubes

    def holds(self, true_atoms: frozenset[str] | set[str]) -> bool:
        return any(c.holds(true_atoms) for c in self.guard)

    @property
    def label(self) -> str:
        return " | ".join(f"({c})" if len(self.guard) > 1 else str(c) for c in self.guard)


@dataclass(frozen=True)
class Automaton:
    """A deterministic finite automaton over sets of atoms (LTLf on finite, non-empty traces).

    ``accepts(trace)`` reads one set of true atoms per position; atoms not in ``atoms`` are
    ignored. States from which acceptance is unreachable are removed, so a missing edge
    means rejection.
    """

    atoms: tuple[str, ...]
    num_states: int
    initial: int
    accepting: frozenset[int]
    edges: tuple[Edge, ...]
    _out: tuple[tuple[Edge, ...], ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        out: list[list[Edge]] = [[] for _ in range(self.num_states)]
        for e in self.edges:
            out[e.src].append(e)
        object.__setattr__(self, "_out", tuple(tuple(x) for x in out))

    def step(self, state: int, true_atoms: Iterable[str]) -> int:
        """The successor of ``state`` on one position, or ``DEAD``."""
        if state == DEAD:
            return DEAD
        now = frozenset(true_atoms)
        for e in self._out[state]:
            if e.holds(now):
                return e.dst
        return DEAD

    def accepts(self, trace: Sequence[Iterable[str]]) -> bool:
        """Whether the non-empty finite ``trace`` (one iterable of true atoms per step) satisfies the formula."""
        if isinstance(trace, (str, bytes)) or not len(trace):
            raise TypeError("trace must be a non-empty sequence of sets of atom names")
        state = self.initial
        for letter in trace:
            if isinstance(letter, (str, bytes)):
                raise TypeError(f"each step of a trace is a set of atom names, got the string {letter!r}; write {{{letter!r}}}")
            state = self.step(state, letter)
            if state == DEAD:
                return False
        return state in self.accepting

    def out(self, state: int) -> tuple[Edge, ...]:
        return self._out[state]


@dataclass(frozen=True)
class LetterDFA:
    """A DFA over letters ``0..num_letters-1``: ``delta[state][letter]`` is a state or ``DEAD``."""

    num_letters: int
    initial: int
    accepting: frozenset[int]
    delta: tuple[tuple[int, ...], ...]

    @property
    def num_states(self) -> int:
        return len(self.delta)

    @property
    def num_edges(self) -> int:
        return sum(1 for row in self.delta for d in row if d != DEAD)

    def run(self, letters: Iterable[int], state: int | None = None) -> int:
        q = self.initial if state is None else state
        for a in letters:
            if q == DEAD:
                return DEAD
            q = self.delta[q][a]
        return q

    def is_empty(self) -> bool:
        return not self.accepting

    def reachable(self) -> set[int]:
        seen = {self.initial} if self.delta else set()
        todo = list(seen)
        while todo:
            q = todo.pop()
            for d in self.delta[q]:
                if d != DEAD and d not in seen:
                    seen.add(d)
                    todo.append(d)
        return seen

    def coreachable(self) -> set[int]:
        """States from which some accepting state is reachable."""
        back: list[set[int]] = [set() for _ in self.delta]
        for q, row in enumerate(self.delta):
            for d in row:
                if d != DEAD:
                    back[d].add(q)
        seen = set(self.accepting)
        todo = list(seen)
        while todo:
            q = todo.pop()
            for p in back[q]:
                if p not in seen:
                    seen.add(p)
                    todo.append(p)
        return seen

    def shortest_accepted(self, state: int | None = None) -> list[int] | None:
        """A shortest letter sequence from ``state`` to acceptance (``[]`` if already accepting)."""
        start = self.initial if state is None else state
        if start == DEAD or not self.delta:
            return None
        prev: dict[int, tuple[int, int] | None] = {start: None}
        todo = deque([start])
        while todo:
            q = todo.popleft()
            if q in self.accepting:
                path: list[int] = []
                while prev[q] is not None:
                    p, a = prev[q]  # type: ignore[misc]
                    path.append(a)
                    q = p
                return path[::-1]
            for a, d in enumerate(self.delta[q]):
                if d != DEAD and d not in prev:
                    prev[d] = (q, a)
                    todo.append(d)
        return None

    def shortest_path_to(self, target: int) -> list[int]:
        """A shortest letter sequence from the initial state to ``target`` (which must be reachable)."""
        prev: dict[int, tuple[int, int] | None] = {self.initial: None}
        todo = deque([self.initial])
        while todo:
            q = todo.popleft()
            if q == target:
                break
            for a, d in enumerate(self.delta[q]):
                if d != DEAD and d not in prev:
                    prev[d] = (q, a)
                    todo.append(d)
        path: list[int] = []
        q = target
        while prev[q] is not None:
            p, a = prev[q]  # type: ignore[misc]
            path.append(a)
            q = p
        return path[::-1]

    def trim(self) -> LetterDFA:
        """Keep only states that are reachable and can still reach acceptance; renumber in BFS order."""
        live = self.reachable() & self.coreachable()
        if self.initial not in live:
            return LetterDFA(self.num_letters, 0, frozenset(), ((DEAD,) * self.num_letters,))
        order = [self.initial]
        index = {self.initial: 0}
        i = 0
        while i < len(order):
            for d in self.delta[order[i]]:
                if d in live and d not in index:
                    index[d] = len(order)
                    order.append(d)
            i += 1
        delta = tuple(tuple(index.get(d, DEAD) for d in self.delta[q]) for q in order)
        acc = frozenset(index[q] for q in order if q in self.accepting)
        return LetterDFA(self.num_letters, 0, acc, delta)

    def minimize(self) -> LetterDFA:
        """The minimal trimmed DFA (Moore partition refinement), canonically numbered."""
        t = self.trim()
        if t.is_empty():
            return t
        first: dict[bool, int] = {}
        block = [first.setdefault(q in t.accepting, len(first)) for q in range(t.num_states)]
        while True:
            sig = [
                (block[q], tuple(block[d] if d != DEAD else -1 for d in t.delta[q]))
                for q in range(t.num_states)
            ]
            ids: dict[tuple, int] = {}
            new = [ids.setdefault(s, len(ids)) for s in sig]
            if len(ids) == len(set(block)):
                block = new
                break
            block = new
        reps: dict[int, int] = {}
        for q in range(t.num_states):
            reps.setdefault(block[q], q)
        delta = []
        for b in range(len(reps)):
            q = reps[b]
            delta.append(tuple(block[d] if d != DEAD else DEAD for d in t.delta[q]))
        acc = frozenset(block[q] for q in t.accepting)
        return LetterDFA(t.num_letters, block[t.initial], acc, tuple(delta)).trim()

    def product(self, other: LetterDFA) -> LetterDFA:
        """The intersection of the two languages (trimmed)."""
        assert self.num_letters == other.num_letters
        index = {(self.initial, other.initial): 0}
        order = [(self.initial, other.initial)]
        delta: list[tuple[int, ...]] = []
        i = 0
        while i < len(order):
            p, q = order[i]
            row = []
            for a in range(self.num_letters):
                d1, d2 = self.delta[p][a], other.delta[q][a]
                if d1 == DEAD or d2 == DEAD:
                    row.append(DEAD)
                    continue
                key = (d1, d2)
                if key not in index:
                    index[key] = len(order)
                    order.append(key)
                row.append(index[key])
            delta.append(tuple(row))
            i += 1
        acc = frozenset(index[k] for k in order if k[0] in self.accepting and k[1] in other.accepting)
        return LetterDFA(self.num_letters, 0, acc, tuple(delta)).trim()

    def is_equivalent(self, other: LetterDFA) -> bool:
        """Same language (both are trimmed, so a missing edge is rejection on both sides)."""
        a, b = self.trim(), other.trim()
        seen = {(a.initial, b.initial)}
        todo = [(a.initial, b.initial)]
        while todo:
            p, q = todo.pop()
            if (p in a.accepting) != (q in b.accepting) and p != DEAD and q != DEAD:
                return False
            if (p == DEAD) != (q == DEAD):
                return False
            if p == DEAD:
                continue
            for x in range(a.num_letters):
                pair = (a.delta[p][x], b.delta[q][x])
                if pair not in seen:
                    seen.add(pair)
                    todo.append(pair)
        return True


def intersect_all(dfas: Sequence[LetterDFA]) -> LetterDFA:
    """The product of one or more letter DFAs (their languages' intersection)."""
    out = dfas[0]
    for d in dfas[1:]:
        out = out.product(d)
    return out


def letter_dfa_from_edges(
    num_states: int,
    initial: int,
    accepting: Iterable[int],
    transitions: Iterable[tuple[int, int, int]],
    num_letters: int,
) -> LetterDFA:
    """Build a (minimal, trimmed) LetterDFA from ``(src, letter, dst)`` triples."""
    table = [[DEAD] * num_letters for _ in range(num_states)]
    for src, letter, dst in transitions:
        table[src][letter] = dst
    dfa = LetterDFA(num_letters, initial, frozenset(accepting), tuple(tuple(r) for r in table))
    return dfa.minimize()
