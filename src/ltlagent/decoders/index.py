"""``build_token_index``: a compiled spec × a tokenizer → token masks that know where they are.

The pieces (``decoders.pieces``) are byte terms whose states are built lazily by derivatives
(``compiler.derivatives``). At run time the index composes pieces: a **position** is an
automaton state plus the pieces still possible for the step being written (with their
states). Its mask is the union of its pieces' masks plus the crossing tokens whose rest is a
valid start from the next automaton state. A piece state's mask comes from one walk of the
vocabulary's token trie (``decoders.trie``) from that state, made the first time a position
needs it and kept per term (so every spec and piece that reaches the same term shares it).
Positions, their masks and token moves are made on first use and kept, so a decode step is
a dictionary lookup; a move says which steps the token ended (step, letter, automaton state,
where in the token) — nobody re-reads text to know where decoding is.

Nothing is prepared for the whole spec ahead of decoding: building an index parses the pieces'
regexes and computes the budget tables (on the spec's automaton). What a first visit costs
grows with the vocabulary prefixes the position's pieces accept, never with the size of their
automata, which are never built whole.

Budgets: each position knows the fewest steps left to finish the trace (``cost``); the
*steer* mask keeps only pieces on such a way; the *forced* mask allows only the tokens that
spell the start of one shortest way (in bytes) to the end of the turn, whose length is
``dist``; ``worst`` bounds ``dist`` after any allowed token.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from ltlagent.compiler import derivatives
from ltlagent.compiler.compiled import CompiledSpec
from ltlagent.compiler.derivatives import Terms
from ltlagent.compiler.spec import Source
from ltlagent.decoders.budgets import NEVER as _NEVER
from ltlagent.decoders.budgets import budget_tables
from ltlagent.decoders.pieces import END, LETTER, TAG, Piece, build_pieces
from ltlagent.decoders.regex import EOS_SENTINEL
from ltlagent.decoders.trie import _CROSS, _EXACT, _INSIDE, TokenTrie, pack_ids, token_trie, walk_rows
from ltlagent.decoders.vocab import TokenVocabulary

__all__ = ["END", "FORCED", "FREE", "LETTER", "NO_STATE", "STEER", "TAG", "Move", "Piece", "TokenIndex", "build_token_index"]

NO_STATE = -1
FREE, STEER, FORCED = 0, 1, 2  # which mask a guide reads (see SpecGuide.mask_mode)
_WALKS_KEPT = 4096  # piece-state walks kept per store × vocabulary (each a packed row of the vocabulary)


class Move(NamedTuple):
    """Where one token leads: the next position (``NO_STATE`` once the model's turn is over),
    the steps it ended (``(letter index, automaton state after, end offset in the token)``),
    the environment step it handed over to, whether it ended the trace, and the automaton
    state after it."""

    state: int
    ended: tuple[tuple[int, int, int], ...]
    handover: str | None
    finished: bool
    automaton_state: int


@dataclass
class _Position:
    id: int
    q: int
    cands: tuple[int, ...]  # piece states (see TokenIndex._state), longest tag first
    rows: dict[int, np.ndarray] = field(default_factory=dict)
    cost: int = _NEVER
    dist: int = _NEVER
    worst: int = -1
    shortest: bytes = b""


class _Walk(NamedTuple):
    inner: np.ndarray  # packed: the tokens that stay in the piece or end it exactly
    cross_ids: np.ndarray  # the tokens that complete the piece and go on
    cross_at: np.ndarray  # where in the token the piece completed


def _shared_walks(terms: Terms, vocab: TokenVocabulary) -> dict[int, _Walk]:
    """The walks kept for ``vocab`` with the term store (they live and go with it)."""
    key = vocab.fingerprint()
    walks = terms.walks.get(key)
    if walks is None:
        if len(terms.walks) >= 4:
            terms.walks.clear()
        walks = terms.walks[key] = {}
    return walks


class TokenIndex:
    """Token constraints for one spec and one vocabulary (see the module doc). Positions,
    moves and masks are made on first use and kept."""

    def __init__(self, compiled: CompiledSpec, vocab: TokenVocabulary, pieces: list[Piece], terms: Terms, trie: TokenTrie, build_seconds: float = 0.0) -> None:
        self.compiled, self.vocab, self.pieces, self.terms, self.trie = compiled, vocab, pieces, terms, trie
        self.build_seconds = build_seconds
        self.words = (vocab.size + 31) // 32
        self._n = max(len(pieces), 1)
        self._letter_piece = {p.letter: n for n, p in enumerate(pieces) if p.kind == LETTER}
        self._tag_piece = {p.step: n for n, p in enumerate(pieces) if p.kind == TAG}
        self._end = next((n for n, p in enumerate(pieces) if p.kind == END), None)
        self._positions: list[_Position] = []
        self._by_key: dict[tuple[int, tuple[int, ...]], int] = {}
        self._moves: dict[tuple[int, int], Move | None] = {}
        self._starts: dict[int, tuple[int, ...]] = {}
        self._cross: dict[tuple[int, int, int], np.ndarray] = {}
        self._walks = _shared_walks(terms, vocab)
        self._eos = frozenset(self.vocab.eos_ids)
        self.budgets = budget_tables(
            compiled, {p.letter: terms.minlen[p.start] for p in pieces if p.kind == LETTER}, {p.step: terms.minlen[p.start] for p in pieces if p.kind == TAG}
        )

    # -- public ------------------------------------------------------------------------
    @property
    def vocab_size(self) -> int:
        return self.vocab.size

    @property
    def eos_ids(self) -> tuple[int, ...]:
        return self.vocab.eos_ids

    @property
    def num_states(self) -> int:
        """Piece states walked against the vocabulary so far (shared with every index over the same store and vocabulary)."""
        return len(self._walks)

    @property
    def num_positions(self) -> int:
        """Positions made so far (they grow on first use)."""
        return len(self._positions)

    def initial_state(self, automaton_state: int) -> int:
        """The position where the model starts a turn at ``automaton_state`` (``NO_STATE``
        when the model does not write there: the environment speaks first)."""
        if not _model_speaks(self.compiled, automaton_state):
            return NO_STATE
        return self._start(automaton_state)

    def automaton_state(self, state: int) -> int:
        return self._positions[state].q

    def step_of(self, state: int) -> str | None:
        """The step being written at ``state`` once its tag decides it (``None`` between
        steps or while tags still share a prefix)."""
        pos = self._positions[state]
        names = {self._piece(g).step for g in pos.cands}
        return names.pop() if len(names) == 1 and not self._at_start(pos) else None

    def move(self, state: int, token_id: int) -> Move | None:
        """Where ``token_id`` leads from ``state`` (``None``: not allowed). Kept after the first time."""
        key = (state, int(token_id))
        if key not in self._moves:
            self._moves[key] = self._move(state, int(token_id))
        return self._moves[key]

    def next_state(self, state: int, token_id: int) -> int:
        """The position after ``token_id`` (``NO_STATE`` if it is not allowed or ends the turn)."""
        m = self.move(state, token_id) if state >= 0 else None
        return NO_STATE if m is None else m.state

    def row(self, state: int, mode: int = FREE) -> np.ndarray:
        """The packed mask (uint32 words, little-endian bits) of a position in a mask mode."""
        pos = self._positions[state]
        out = pos.rows.get(mode)
        if out is None:
            out = pos.rows[mode] = self._row(pos, mode)
        return out

    def allowed_ids(self, state: int, *, mode: int = FREE) -> np.ndarray:
        """Allowed token ids at ``state`` (unpacked; for tests and tools, not the hot path)."""
        bits = np.unpackbits(self.row(state, mode).view(np.uint8), bitorder="little")[: self.vocab_size]
        return np.flatnonzero(bits)

    def bool_row(self, state: int, mode: int = FREE) -> np.ndarray:
        """A position's mask unpacked to booleans (what ``decoders.hf`` puts on the device)."""
        return np.unpackbits(self.row(state, mode).view(np.uint8), bitorder="little")[: self.vocab_size].astype(bool)

    def dist(self, state: int) -> int:
        """Bytes (at least as many as tokens) of the shortest way, in fewest steps, to the end of the turn."""
        return self._positions[state].dist

    def worst(self, state: int) -> int:
        """An upper bound of :meth:`dist` after any allowed token."""
        pos = self._positions[state]
        if pos.worst < 0:
            pos.worst = self._worst(pos)
        return pos.worst

    def cost(self, state: int) -> int:
        """Fewest steps left to finish the trace (the current step included)."""
        return self._positions[state].cost

    def forced_bytes(self, state: int, limit: int = 256) -> bytes:
        """The bytes every continuation from position ``state`` starts with: the pieces still
        possible allow exactly one next byte, again and again (steps that complete go on into
        the next step's pieces). Stops where two bytes are possible, where the turn may end (an
        environment tag complete, or EOS allowed), or at ``limit`` bytes. (For fast-forwarding
        forced text; the token masks do not use it.)"""
        pos = self._positions[state]
        cands = [(pos.q, g) for g in pos.cands]
        out = bytearray()
        while len(out) < limit:
            ready: list[tuple[int, int]] = []
            while cands:  # a completed letter goes on into the next step's pieces
                q, g = cands.pop()
                p, t = self._split(g)
                if not self.terms.final[t]:
                    ready.append((q, g))
                elif p.kind == LETTER:
                    q2 = self.compiled.next_state(q, p.letter)
                    cands += [(q2, h) for h in self._starts_of(q2)]
                else:
                    return bytes(out)  # an environment tag is complete: the turn ends here
            nexts: dict[int, list[tuple[int, int]]] = {}
            for q, g in ready:
                n, t = g % self._n, g // self._n
                row = self.terms.row(t)
                for b in np.flatnonzero(row >= 0).tolist():
                    nexts.setdefault(b, []).append((q, int(row[b]) * self._n + n))
            if len(nexts) != 1 or 0 in nexts:  # a choice, or EOS (the end sentinel) is possible
                return bytes(out)
            (b, cands), = nexts.items()
            out.append(b)
        return bytes(out)

    # -- positions -----------------------------------------------------------------------
    def _start(self, q: int) -> int:
        if q not in self._starts:
            c = self.compiled
            cands: list[int] = []
            for x in c.allowed_letters(q):
                if x.source == Source.MODEL and x.index in self._letter_piece:
                    cands.append(self._letter_piece[x.index])
            cands += [self._tag_piece[s.name] for s in c.enabled_steps(q, environment=True) if s.name in self._tag_piece]
            if c.is_accepting(q) and self._end is not None:
                cands.append(self._end)
            cands.sort(key=lambda n: (-len(self._tag(self.pieces[n])), n))
            self._starts[q] = tuple(self.pieces[n].start * self._n + n for n in cands)
        return self._intern(q, self._starts[q])

    def _split(self, g: int) -> tuple[Piece, int]:
        """A piece state's piece and term (``g = term * pieces + piece``)."""
        return self.pieces[g % self._n], g // self._n

    def _piece(self, g: int) -> Piece:
        return self.pieces[g % self._n]

    def _walk(self, t: int) -> _Walk:
        """The vocabulary read from term ``t`` (one trie walk, kept per term)."""
        walk = self._walks.get(t)
        if walk is None:
            inner, cross_ids, cross_at = self.trie.walk(self.terms, t)
            if len(self._walks) >= _WALKS_KEPT:
                self._walks.clear()
            walk = self._walks[t] = _Walk(inner, cross_ids, cross_at)
        return walk

    def _tag(self, p: Piece) -> str:
        return self.compiled.step_info(p.step).tag if p.step else ""

    def _at_start(self, pos: _Position) -> bool:
        return pos.cands == self._starts.get(pos.q)

    def _intern(self, q: int, cands: tuple[int, ...]) -> int:
        key = (q, cands)
        n = self._by_key.get(key)
        if n is None:
            n = self._by_key[key] = len(self._positions)
            pos = _Position(n, q, cands)
            self._positions.append(pos)  # before the shortest way is looked up: that makes positions too
            pos.cost = min(self._piece_cost(q, g) for g in cands)
            best = min((g for g in cands if self._piece_cost(q, g) == pos.cost), key=lambda g: (self._piece_bytes(q, g), g))
            pos.shortest = self._shortest(q, best)
            pos.dist = len(pos.shortest)
        return n

    def _piece_cost(self, q: int, g: int) -> int:
        p = self._piece(g)
        if p.kind == END:
            return 0
        if p.kind == TAG:
            return self.budgets.tag_cost[(q, p.step)]
        return self.budgets.letter_cost(self.compiled, q, p.letter)

    def _piece_bytes(self, q: int, g: int) -> int:
        p, t = self._split(g)
        rest = self.budgets.turn_bytes[self.compiled.next_state(q, p.letter)] if p.kind == LETTER else 0
        return self.terms.minlen[t] + rest

    def _shortest(self, q: int, g: int) -> bytes:
        """The bytes of the shortest way (in fewest steps) from piece state ``g`` at ``q`` to the turn's end."""
        out = bytearray()
        while True:
            p, s = self._split(g)
            while not self.terms.final[s]:
                b = self.terms.best_byte(s)
                out.append(b)
                s = self.terms.step(s, b)
            if p.kind != LETTER:
                return bytes(out)
            q = self.compiled.next_state(q, p.letter)
            cands = self._starts_of(q)
            g = min((h for h in cands if self._piece_cost(q, h) == self.budgets.cost[q]), key=lambda h: (self._piece_bytes(q, h), h))

    def _starts_of(self, q: int) -> tuple[int, ...]:
        self._start(q)
        return self._starts[q]

    # -- masks -------------------------------------------------------------------------
    def _row(self, pos: _Position, mode: int) -> np.ndarray:
        if mode == FORCED:
            return self._forced_row(pos)
        out = np.zeros(self.words, np.uint32)
        for g in self._cands(pos, mode):
            p, t = self._split(g)
            walk = self._walk(t)
            out |= walk.inner
            if p.kind == LETTER and len(walk.cross_ids):
                out |= self._crossing(g, self.compiled.next_state(pos.q, p.letter), mode)
        return out

    def _cands(self, pos: _Position, mode: int) -> tuple[int, ...]:
        if mode == FREE:
            return pos.cands
        return tuple(g for g in pos.cands if self._piece_cost(pos.q, g) == pos.cost)

    def _crossing(self, g: int, q_next: int, mode: int) -> np.ndarray:
        """Packed mask of the tokens that complete piece state ``g`` and go on validly from ``q_next``."""
        key = (g, q_next, mode)
        if key not in self._cross:
            walk = self._walk(g // self._n)
            ids, at = walk.cross_ids, walk.cross_at
            ok = self._alive_from(self._start(q_next), ids, at, mode)
            self._cross[key] = pack_ids(ids[ok], self.words)
        return self._cross[key]

    def _alive_from(self, state: int, ids: np.ndarray, start: np.ndarray, mode: int) -> np.ndarray:
        """Which tokens' rests (from byte ``start``) are valid from position ``state``."""
        strings = self.trie.string_of[ids]  # the trie's byte rows: EOS as the sentinel, padded with NUL
        return self._alive_rows(state, self.trie.data[strings], self.trie.lens[strings], start, mode)

    def _alive_rows(self, state: int, data: np.ndarray, lens: np.ndarray, start: np.ndarray, mode: int) -> np.ndarray:
        pos = self._positions[state]
        ok = np.zeros(len(lens), bool)
        for g in self._cands(pos, mode):
            p, t = self._split(g)
            how, where = walk_rows(self.terms, t, data, lens, start)
            ok |= (how == _INSIDE) | (how == _EXACT)
            cross = np.flatnonzero(how == _CROSS)
            if p.kind == LETTER and cross.size:
                q = self.compiled.next_state(pos.q, p.letter)
                ok[cross] |= self._alive_rows(self._start(q), data[cross], lens[cross], where[cross], mode)
        return ok

    def _token_bytes(self, token: int) -> bytes:
        """A token's bytes as the pieces read them: EOS is the end sentinel; tokens that never
        stand for text (special, empty, holding NUL) are empty."""
        if token in self._eos:
            return EOS_SENTINEL.encode()
        data = self.vocab.tokens[token]
        return data if data and b"\x00" not in data else b""

    def _forced_row(self, pos: _Position) -> np.ndarray:
        """The token that spells the longest start of the position's shortest way to the turn's
        end (fewest tokens along it, greedily; every EOS id where that way is the end)."""
        by_bytes = self.trie.by_bytes()
        ids = next((by_bytes[pos.shortest[:k]] for k in range(len(pos.shortest), 0, -1) if pos.shortest[:k] in by_bytes), [])
        if not ids:  # the vocabulary cannot spell it token by token: keep the steer mask
            return self.row(pos.id, STEER)
        return pack_ids(np.array(ids, np.int64), self.words)

    def _worst(self, pos: _Position) -> int:
        bound = 0
        for g in pos.cands:
            p, t = self._split(g)
            rest = self.budgets.turn_bytes[self.compiled.next_state(pos.q, p.letter)] if p.kind == LETTER else 0
            bound = max(bound, self.terms.most[t] + rest)
            if p.kind == LETTER and len(self._walk(t).cross_ids):
                bound = max(bound, self._any_start_bound())
        return bound

    def _any_start_bound(self) -> int:
        if not hasattr(self, "_start_bound"):
            c = self.compiled
            bound = 0
            for q in range(c.dfa.num_states):
                if self.budgets.cost[q] >= _NEVER:
                    continue
                for g in self._starts_of(q):
                    p = self._piece(g)
                    rest = self.budgets.turn_bytes[c.next_state(q, p.letter)] if p.kind == LETTER else 0
                    bound = max(bound, self.terms.most[p.start] + min(rest, _NEVER))
            self._start_bound = bound
        return self._start_bound

    # -- moves -------------------------------------------------------------------------
    def _move(self, state: int, token: int) -> Move | None:
        data = self._token_bytes(token)
        if not data:
            return None
        pos = self._positions[state]
        return self._follow(pos.q, pos.cands, data, 0, ())

    def _follow(self, q: int, cands: tuple[int, ...], data: bytes, i0: int, ended: tuple) -> Move | None:  # type: ignore[type-arg]
        """Follow ``data[i0:]`` from the pieces ``cands`` at ``q``. A piece that completes wins
        over pieces still going (longest tag first, as ``check_text`` reads tags)."""
        inside: list[int] = []
        n = len(data)
        terms = self.terms
        for g in cands:
            p, s = self._split(g)
            i = i0
            while i < n:
                s = int(terms.row(s)[data[i]])
                i += 1
                if s < 0 or terms.final[s]:
                    break
            if s < 0:
                continue
            if not terms.final[s]:
                inside.append(s * self._n + g % self._n)
                continue
            if p.kind != LETTER:  # the turn ends here: nothing may follow in the same token
                if i == n:
                    return Move(NO_STATE, ended, p.step if p.kind == TAG else None, p.kind == END, q)
                continue
            q2 = self.compiled.next_state(q, p.letter)
            done = ended + ((p.letter, q2, i),)
            if i == n:
                return Move(self._start(q2), done, None, False, q2)
            m = self._follow(q2, self._starts_of(q2), data, i, done)
            if m is not None:
                return m
        if not inside:
            return None
        return Move(self._intern(q, tuple(inside)), ended, None, False, q)



def build_token_index(compiled: CompiledSpec, tokenizer: Any, *, eos_ids: list[int] | None = None) -> TokenIndex:
    """The token index of ``compiled`` over ``tokenizer`` (a Hugging Face tokenizer or a
    :class:`TokenVocabulary`). Cheap: the pieces' regexes are parsed and nothing else is
    prepared until decoding reaches it (the vocabulary's trie is built once per process)."""
    vocab = tokenizer if isinstance(tokenizer, TokenVocabulary) else TokenVocabulary.from_hf(tokenizer, eos_ids)
    trie = token_trie(vocab)
    t0 = time.perf_counter()
    terms = derivatives.store()
    pieces = build_pieces(compiled, terms)
    return TokenIndex(compiled, vocab, pieces, terms, trie, build_seconds=time.perf_counter() - t0)


def _model_speaks(compiled: CompiledSpec, q: int) -> bool:
    """Whether the model writes when a turn starts at ``q``: a step of its own, or — where the
    trace may end here but the environment could go on — the choice between ending (EOS)
    and the environment's tag. Without that choice a spec whose environment may talk
    forever would never let the run end."""
    allowed = compiled.allowed_letters(q)
    return any(x.source == Source.MODEL for x in allowed) or (q in compiled.dfa.accepting and bool(allowed))
