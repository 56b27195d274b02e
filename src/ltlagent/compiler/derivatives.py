"""Byte-level regular expressions read lazily, by derivatives: one reading for checker and decoder.

A pattern's tree (:data:`ltlagent.compiler.regexes.Node`, over characters) becomes a **term**
over bytes: every character class is written as the UTF-8 byte sequences of its characters
(surrogates excluded, as text never holds them). Terms are hash-consed in a :class:`Terms`
store, so a term is an ``int`` and equal terms are one number across every pattern, piece and
spec that the store has seen.

A term is also an automaton state: the state after reading byte ``b`` in term ``t`` is the
**derivative** of ``t`` by ``b`` (Brzozowski), simplified by the smart constructors below
(alternatives flattened, sorted, deduplicated and their byte classes merged; concatenations
right-nested; ``∅`` and ``ε`` absorbed). Nothing is built ahead: a state's row of 256
successors is computed the first time something reads it, one derivative per class of bytes
the term tells apart, and kept. Counted repeats ``r{m,n}`` stay counters
(``d(r{m,n}) = d(r)·r{m-1,n-1}``), so no construct is expanded or determinised up front.

Costs: building a term is linear in the pattern's tree; a row costs one derivative per byte
class, each linear in the size of the term's *first* positions. The states ever built are the
ones something read: for the decoder, at most the vocabulary's prefixes walked from each
visited state.

Intersection and complement (:meth:`Terms.conj`, :meth:`Terms.neg`) are terms too, for the
propositions that refine a step's text; their derivatives are taken member by member. Whether
such a state can still complete is not structural, so an intersection's automaton is explored
once when it is built (at most :data:`MAX_SETTLE` states), giving each of its states its exact
distance to a completion.

A piece ends at its **first completion** (a nullable term has no successors), which is how
the decoder and ``check_text`` read steps; :meth:`Terms.fullmatch` reads plain full matches.
"""

from __future__ import annotations

import heapq
import threading

import numpy as np

MAX_CHAR = 0x10FFFF
NEVER = 1 << 40  # no completion
EMPTY, EPSILON = 0, 1  # the empty language and the empty text, in every store
_ALL_BYTES = (1 << 256) - 1
_INF = -1  # an unbounded repeat's upper bound


# -- characters to UTF-8 byte sequences ---------------------------------------------------------
def _encode(c: int) -> bytes:
    return chr(c).encode("utf-8", "surrogatepass")


def utf8_sequences(lo: int, hi: int) -> list[list[tuple[int, int]]]:
    """The characters ``lo..hi`` (surrogates left out) as sequences of byte ranges whose
    products are exactly their UTF-8 encodings."""
    out: list[list[tuple[int, int]]] = []
    pieces = []
    for a, b in ((lo, min(hi, 0xD7FF)), (max(lo, 0xE000), hi)):
        for start, end in ((0, 0x7F), (0x80, 0x7FF), (0x800, 0xFFFF), (0x10000, MAX_CHAR)):
            x, y = max(a, start), min(b, end)
            if x <= y:
                pieces.append((x, y))
    todo = pieces[::-1]
    while todo:
        a, b = todo.pop()
        n = len(_encode(a))
        for i in range(1, n):
            m = (1 << (6 * i)) - 1
            if a & ~m != b & ~m:
                if a & m:
                    todo += [((a | m) + 1, b), (a, a | m)]
                    break
                if b & m != m:
                    todo += [(b & ~m, b), (a, (b & ~m) - 1)]
                    break
        else:
            ea, eb = _encode(a), _encode(b)
            out.append(list(zip(ea, eb, strict=True)))
    return out


def _mask(lo: int, hi: int) -> int:
    return ((1 << (hi - lo + 1)) - 1) << lo


class Terms:
    """A store of hash-consed byte terms and their lazily built successor rows.

    Node kinds: ``("none",)`` ∅ (id 0), ``("eps",)`` ε (id 1), ``("bytes", mask)`` one byte of a
    256-bit set, ``("cat", a, b)`` (``a`` never a ``cat``), ``("alt", ids)`` (sorted, at most one
    ``bytes`` member), ``("rep", r, lo, hi)`` (``hi`` ``-1``: unbounded)."""

    def __init__(self) -> None:
        self.nodes: list[tuple] = []
        self._ids: dict[tuple, int] = {}
        self.nullable: list[bool] = []
        self.minlen: list[int] = []  # fewest bytes of a text of the term (NEVER for ∅)
        self.most: list[int] = []  # an upper bound of ``minlen`` over every state reachable from the term
        self._cuts: dict[int, frozenset[int]] = {}
        self._from_node: dict[tuple, int] = {}
        self._settled: set[int] = set()
        self.walks: dict[str, dict] = {}  # per vocabulary: what its users derived from these terms (decoders.index)
        # per term, for decoders.trie: whether its char_loop is known, whether it has one, and its
        # ASCII bytes as two bit words
        self.loop_known = np.zeros(1024, bool)
        self.loop_has = np.zeros(1024, bool)
        self.loop_words = np.zeros((1024, 2), np.uint64)
        self._ext: dict[int, bool] = {}
        # Rows only for the terms something read: ``slot[t]`` is term t's row in ``table`` (-1: none
        # built yet); a row holds the 256 successor terms (-1: no text goes on that way).
        self.slot = np.full(1024, -1, np.int32)
        self.final = np.zeros(1024, bool)  # ``nullable`` as an array (a piece completes there)
        self.table = np.full((256, 256), -1, np.int32)
        self._rows = 0
        self.lock = threading.Lock()
        assert self._intern(("none",)) == EMPTY and self._intern(("eps",)) == EPSILON

    def __len__(self) -> int:
        return len(self.nodes)

    # -- construction ---------------------------------------------------------------------
    def _intern(self, node: tuple) -> int:
        n = self._ids.get(node)
        if n is not None:
            return n
        n = self._ids[node] = len(self.nodes)
        self.nodes.append(node)
        kind = node[0]
        if kind == "none":
            nul, mn, most = False, NEVER, 0
        elif kind == "eps":
            nul, mn, most = True, 0, 0
        elif kind == "bytes":
            nul, mn, most = False, 1, 1
        elif kind == "cat":
            a, b = node[1], node[2]
            nul = self.nullable[a] and self.nullable[b]
            mn = self.minlen[a] + self.minlen[b]
            most = max(self.most[a] + self.minlen[b], self.most[b])
        elif kind == "alt":
            nul = any(self.nullable[x] for x in node[1])
            mn = min(self.minlen[x] for x in node[1])
            most = max(self.most[x] for x in node[1])
        elif kind == "and":  # minlen and most come from settle(): not structural
            nul, mn, most = all(self.nullable[x] for x in node[1]), NEVER, NEVER
        elif kind == "not":
            nul, mn, most = not self.nullable[node[1]], NEVER, NEVER
        else:  # rep
            r, lo = node[1], node[2]
            nul = lo == 0 or self.nullable[r]
            mn = lo * self.minlen[r]
            most = max(mn, self.most[r] + max(lo - 1, 0) * self.minlen[r])
        self.nullable.append(nul)
        if n >= len(self.final):
            cap = 2 * len(self.final)
            self.final = np.concatenate([self.final, np.zeros(cap - len(self.final), bool)])
            self.slot = np.concatenate([self.slot, np.full(cap - len(self.slot), -1, np.int32)])
            self.loop_known = np.concatenate([self.loop_known, np.zeros(cap - len(self.loop_known), bool)])
            self.loop_has = np.concatenate([self.loop_has, np.zeros(cap - len(self.loop_has), bool)])
            self.loop_words = np.concatenate([self.loop_words, np.zeros((cap - len(self.loop_words), 2), np.uint64)])
        self.final[n] = nul
        self.minlen.append(mn)
        self.most.append(most)
        return n

    def byte_set(self, mask: int) -> int:
        return EMPTY if not mask else self._intern(("bytes", mask))

    def cat(self, a: int, b: int) -> int:
        if a == EMPTY or b == EMPTY:
            return EMPTY
        if a == EPSILON:
            return b
        if b == EPSILON:
            return a
        node = self.nodes[a]
        if node[0] == "cat":  # keep concatenations right-nested: one normal form
            return self.cat(node[1], self.cat(node[2], b))
        return self._intern(("cat", a, b))

    def alt(self, parts: list[int] | tuple[int, ...]) -> int:
        members: set[int] = set()
        mask = 0
        todo = list(parts)
        while todo:
            x = todo.pop()
            if x == EMPTY:
                continue
            node = self.nodes[x]
            if node[0] == "alt":
                todo.extend(node[1])
            elif node[0] == "bytes":
                mask |= node[1]
            else:
                members.add(x)
        if mask:
            members.add(self.byte_set(mask))
        if not members:
            return EMPTY
        if len(members) == 1:
            return members.pop()
        return self._intern(("alt", tuple(sorted(members))))

    # -- intersection and complement (propositions on a step's text) ---------------------------
    def conj(self, parts: list[int] | tuple[int, ...]) -> int:
        """The texts of every part (``EMPTY`` when there are none). Its automaton — the product
        of the parts' — is explored once here (bounded by :data:`MAX_SETTLE`), so that every
        state built later knows exactly whether, and how soon, it can complete."""
        n = self._conj(parts)
        if n not in self._settled and self.nodes[n][0] in ("and", "not"):
            self._settle(n)
        return EMPTY if self.minlen[n] >= NEVER else n

    def neg(self, x: int) -> int:
        """Every byte string that is not a text of ``x``: only ever used inside :meth:`conj`
        with a part that keeps the texts valid UTF-8."""
        node = self.nodes[x]
        return node[1] if node[0] == "not" else self._intern(("not", x))

    def _conj(self, parts: list[int] | tuple[int, ...]) -> int:
        members: set[int] = set()
        todo = list(parts)
        while todo:
            x = todo.pop()
            if x == EMPTY:
                return EMPTY
            node = self.nodes[x]
            if node[0] == "and":
                todo.extend(node[1])
            elif node != ("not", EMPTY):  # everything: no constraint
                members.add(x)
        if not members:
            return self.neg(EMPTY)
        if any(self.nodes[m][0] == "not" and self.nodes[m][1] in members for m in members):
            return EMPTY
        if len(members) == 1:
            return members.pop()
        return self._intern(("and", tuple(sorted(members))))

    def _settle(self, start: int) -> None:
        """Explore every state reachable from ``start`` (an intersection or complement) and set
        their exact ``minlen`` (``NEVER``: empty) and ``most``. States with structural values
        (no intersection inside) are leaves."""
        order, index, succ = [start], {start: 0}, [[]]
        i = 0
        while i < len(order):
            t = order[i]
            i += 1
            if not self._extended(t):  # structural values: a leaf (an intersection's text may go on past a completion)
                continue
            cuts = sorted(self._cut_points(t))
            for lo in cuts[:-1]:
                d = self.derivative(t, lo)
                if d == EMPTY:
                    continue
                if d not in index:
                    if len(order) >= (limit := getattr(_settle_limit, "states", MAX_SETTLE)):
                        raise ValueError(f"a proposition's language needs more than {limit:,} automaton states to decide exactly")
                    index[d] = len(order)
                    order.append(d)
                    succ.append([])
                succ[index[t]].append(index[d])
        n = len(order)
        inner = [self._extended(t) for t in order]
        dist = [NEVER if inner[k] and not self.nullable[order[k]] else (0 if self.nullable[order[k]] else self.minlen[order[k]]) for k in range(n)]
        preds: list[list[int]] = [[] for _ in range(n)]
        for k, out in enumerate(succ):
            for j in out:
                preds[j].append(k)
        heap = [(d, k) for k, d in enumerate(dist) if d < NEVER]
        heapq.heapify(heap)
        while heap:  # fewest bytes to a completion, backwards
            d, k = heapq.heappop(heap)
            if d > dist[k]:
                continue
            for j in preds[k]:
                if inner[j] and not self.nullable[order[j]] and d + 1 < dist[j]:
                    dist[j] = d + 1
                    heapq.heappush(heap, (d + 1, j))
        most = [dist[k] if inner[k] else self.most[order[k]] for k in range(n)]
        changed = True
        while changed:  # the most over what can follow (live states only)
            changed = False
            for k in range(n):
                if not inner[k] or dist[k] >= NEVER:
                    continue
                m = max([most[k]] + [most[j] for j in succ[k] if dist[j] < NEVER])
                if m != most[k]:
                    most[k], changed = m, True
        for k, t in enumerate(order):
            if inner[k]:
                self.minlen[t], self.most[t] = dist[k], most[k]
                self._settled.add(t)

    def _extended(self, t: int) -> bool:
        """Whether ``t`` has an intersection or complement inside (kept per term)."""
        got = self._ext.get(t)
        if got is None:
            node = self.nodes[t]
            kind = node[0]
            if kind in ("and", "not"):
                got = True
            elif kind == "cat":
                got = self._extended(node[1]) or self._extended(node[2])
            elif kind == "alt":
                got = any(self._extended(x) for x in node[1])
            elif kind == "rep":
                got = self._extended(node[1])
            else:
                got = False
            self._ext[t] = got
        return got

    def rep(self, r: int, lo: int, hi: int) -> int:
        if hi == 0 or r == EPSILON:
            return EPSILON
        if r == EMPTY:
            return EPSILON if lo == 0 else EMPTY
        if lo == hi == 1:
            return r
        return self._intern(("rep", r, lo, hi))

    def literal(self, data: bytes) -> int:
        out = EPSILON
        for b in reversed(data):
            out = self.cat(self.byte_set(1 << b), out)
        return out

    def chars(self, ranges: tuple[tuple[int, int], ...]) -> int:
        """One character of ``ranges`` as UTF-8 bytes."""
        key = ("chars", ranges)
        n = self._from_node.get(key)
        if n is None:
            alts = []
            for lo, hi in ranges:
                for seq in utf8_sequences(lo, hi):
                    t = EPSILON
                    for a, b in reversed(seq):
                        t = self.cat(self.byte_set(_mask(a, b)), t)
                    alts.append(t)
            n = self._from_node[key] = self.alt(alts)
        return n

    def from_node(self, node: tuple, subst: dict[int, int] | None = None) -> int:
        """The term of a character-level tree from :mod:`ltlagent.compiler.regexes`; a
        character of ``subst`` (a placeholder) stands for the term it maps to."""
        kind = node[0]
        if kind == "set":
            ranges = node[1]
            if subst and len(ranges) == 1 and ranges[0][0] == ranges[0][1] and ranges[0][0] in subst:
                return subst[ranges[0][0]]
            return self.chars(ranges)
        if kind == "cat":
            out = EPSILON
            for x in reversed(node[1]):
                out = self.cat(self.from_node(x, subst), out)
            return out
        if kind == "alt":
            return self.alt([self.from_node(x, subst) for x in node[1]])
        if kind == "rep":
            return self.rep(self.from_node(node[1], subst), node[2], _INF if node[3] is None else node[3])
        return EMPTY

    # -- derivatives ------------------------------------------------------------------------
    def _cut_points(self, t: int) -> frozenset[int]:
        """Byte positions where the term's first byte sets change (0 and 256 included)."""
        got = self._cuts.get(t)
        if got is not None:
            return got
        out: set[int] = {0, 256}
        todo, seen = [t], set()
        while todo:
            x = todo.pop()
            if x in seen:
                continue
            seen.add(x)
            node = self.nodes[x]
            kind = node[0]
            if kind == "bytes":
                m = node[1]
                edges = m ^ (m << 1)  # bit i set: membership changes between i-1 and i
                while edges:
                    low = edges & -edges
                    i = low.bit_length() - 1
                    if i <= 256:
                        out.add(i)
                    edges ^= low
            elif kind == "cat":
                todo.append(node[1])
                if self.nullable[node[1]]:
                    todo.append(node[2])
            elif kind == "alt":
                todo.extend(node[1])
            elif kind in ("rep", "not"):
                todo.append(node[1])
            elif kind == "and":
                todo.extend(node[1])
        got = self._cuts[t] = frozenset(out)
        return got

    def derivative(self, t: int, b: int) -> int:
        node = self.nodes[t]
        kind = node[0]
        if kind == "bytes":
            return EPSILON if node[1] >> b & 1 else EMPTY
        if kind == "cat":
            alts = []
            while node[0] == "cat":  # along the chain while its heads may be empty
                a = node[1]
                alts.append(self.cat(self.derivative(a, b), node[2]))
                if not self.nullable[a]:
                    break
                t = node[2]
                node = self.nodes[t]
            else:
                alts.append(self.derivative(t, b))
            return self.alt(alts)
        if kind == "alt":
            return self.alt([self.derivative(x, b) for x in node[1]])
        if kind == "rep":
            r, lo, hi = node[1], node[2], node[3]
            return self.cat(self.derivative(r, b), self.rep(r, max(lo - 1, 0), hi - 1 if hi > 0 else _INF))
        if kind == "and":
            return self._conj([self.derivative(x, b) for x in node[1]])
        if kind == "not":
            return self.neg(self.derivative(node[1], b))
        return EMPTY

    def row(self, t: int) -> np.ndarray:
        """The 256 successors of ``t`` (``-1``: no text goes on that way). A nullable term has
        none: a piece ends at its first completion."""
        s = self.slot[t]
        if s < 0:
            with self.lock:
                s = self.slot[t] if self.slot[t] >= 0 else self._build_row(t)
        return self.table[s]

    def ensure(self, ids: np.ndarray) -> None:
        """Build the rows of the terms ``ids`` that have none yet (for vectorised walks)."""
        ids = np.asarray(ids)
        if len(ids) and (self.slot[ids] < 0).any():
            with self.lock:
                for t in np.unique(ids).tolist():
                    if self.slot[t] < 0:
                        self._build_row(t)

    def rows_built(self) -> int:
        """How many terms have their row (the states something read)."""
        return self._rows

    def _build_row(self, t: int) -> int:
        row = np.full(256, -1, np.int32)
        if t != EMPTY and not self.nullable[t]:
            cuts = sorted(self._cut_points(t))
            for lo, hi in zip(cuts, cuts[1:], strict=False):
                d = self.derivative(t, lo)
                if d != EMPTY and self.minlen[d] < NEVER:  # a state that can no longer complete is no state
                    row[lo:hi] = d
        s = self._rows
        if s == len(self.table):
            self.table = np.concatenate([self.table, np.full_like(self.table, -1)])
        self.table[s] = row
        self.slot[t] = s
        self._rows += 1
        return s

    def step(self, t: int, b: int) -> int:
        """The state after byte ``b`` (``-1``: none)."""
        return int(self.row(t)[b])

    def best_byte(self, t: int) -> int:
        """The smallest byte on a shortest way from ``t`` to a completion (``-1`` at a completion)."""
        if self.nullable[t]:
            return -1
        row = self.row(t)
        want = self.minlen[t] - 1
        for b in range(256):
            d = int(row[b])
            if d >= 0 and self.minlen[d] == want:
                return b
        return -1  # pragma: no cover - a live term always has one

    def fullmatch(self, t: int, data: bytes) -> bool:
        """Whether all of ``data`` is a text of ``t`` (a plain full match: no first-completion cut)."""
        for b in data:
            if t == EMPTY:
                return False
            t = self.derivative_cached(t, b)
        return self.nullable[t]

    def derivative_cached(self, t: int, b: int) -> int:
        if not self.nullable[t]:
            r = int(self.row(t)[b])
            return EMPTY if r < 0 else r
        key = ("d", t, b)  # nullable terms have no row (first-completion cut): keep their derivatives apart
        d = self._from_node.get(key)
        if d is None:
            d = self._from_node[key] = self.derivative(t, b)
        return d


_STORE: list[Terms] = []
MAX_SETTLE = 100_000  # states of one intersection's automaton explored before its spec is refused
_settle_limit = threading.local()


class settle_limit:
    """``with settle_limit(n):`` in this thread, an intersection whose automaton has more than
    ``n`` states is refused (``ValueError``, a ``DecoderError`` where a spec is prepared) instead
    of ``MAX_SETTLE``: for a caller with a cheaper spec to fall back on, which would rather not
    wait for a large one to be explored."""

    def __init__(self, states: int) -> None:
        self.states = states

    def __enter__(self) -> None:
        self.before = getattr(_settle_limit, "states", MAX_SETTLE)
        _settle_limit.states = self.states

    def __exit__(self, *exc: object) -> None:
        _settle_limit.states = self.before
MAX_TERMS = 500_000  # past this many terms, new work starts a fresh store (old indexes keep theirs)


def store() -> Terms:
    """The process's term store (shared by every spec, so a regex seen before costs nothing)."""
    if not _STORE or len(_STORE[0]) > MAX_TERMS:
        _STORE[:] = [Terms()]
    return _STORE[0]
